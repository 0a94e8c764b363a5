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
    // The command runs on a thread with the linting stack
    // (`engine::LINT_STACK_BYTES`): `--stdin-filename` and the fixer lint on it,
    // and the main thread's own stack depends on `ulimit -s`.
    let code = std::thread::Builder::new()
        .name("main-lint".into())
        .stack_size(prodlint::engine::LINT_STACK_BYTES)
        .spawn(prodlint::cli::main)
        .map(|t| t.join().unwrap_or(101))
        .unwrap_or_else(|_| prodlint::cli::main());
    std::process::exit(code);
}
