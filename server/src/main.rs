// mimalloc for Rust's allocations and for tree-sitter's: parsing allocates and
// frees a node at a time, and glibc's malloc/free were about 7 % of `check`'s
// instructions on a large file (docs/performance.md). Only the binary sets
// this; the library (and its unit tests) keep the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // SAFETY: this runs first in `main`, before anything in the process has
    // used tree-sitter, so every tree-sitter allocation is made and freed by
    // the same allocator (the binding frees C strings with the same functions).
    unsafe {
        tree_sitter::set_allocator(
            Some(libmimalloc_sys::mi_malloc),
            Some(libmimalloc_sys::mi_calloc),
            Some(libmimalloc_sys::mi_realloc),
            Some(libmimalloc_sys::mi_free),
        );
    }
    std::process::exit(prodlint::cli::main());
}
