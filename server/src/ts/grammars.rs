//! prodlint's TypeScript and TSX grammars: tree-sitter-typescript with our
//! patches, generated in `grammars-config/tree-sitter-typescript/` (see
//! `grammars-config/README.md`) and compiled by `build.rs`.

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_typescript() -> *const ();
    fn tree_sitter_tsx() -> *const ();
}

/// The TypeScript dialect (type assertions `<T>x`, no JSX).
// SAFETY: `tree_sitter_typescript` is the generated parser's entry point: it
// takes nothing and returns a pointer to a static `TSLanguage`.
pub const TYPESCRIPT: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_typescript) };

/// The TSX dialect (JSX; also used for JavaScript).
// SAFETY: as above, for the TSX parser.
pub const TSX: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_tsx) };

/// The two grammars as tree-sitter languages, TypeScript first.
pub fn both() -> [tree_sitter::Language; 2] {
    [TYPESCRIPT.into(), TSX.into()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_grammars_load_and_parse() {
        for (language, src) in both()
            .into_iter()
            .zip(["let x: T = <T>y;", "<a href={x}>t</a>;"])
        {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&language)
                .expect("the ABI is one tree-sitter loads");
            let tree = p.parse(src, None).expect("parses");
            assert!(
                !tree.root_node().has_error(),
                "{}",
                tree.root_node().to_sexp()
            );
        }
    }
}
