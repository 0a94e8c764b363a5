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

    fn errors(language: &tree_sitter::Language, src: &str) -> Option<String> {
        let mut p = tree_sitter::Parser::new();
        p.set_language(language).expect("grammar loads");
        let tree = p.parse(src, None).expect("parses");
        tree.root_node()
            .has_error()
            .then(|| tree.root_node().to_sexp())
    }

    /// What `grammars-config/patches/prodlint.patch` adds (each valid for
    /// tsc 5.9), in both dialects unless marked; upstream 0.23.2 fails on all.
    #[test]
    fn the_patch_parses_current_typescript() {
        let in_both = [
            // variance annotations and `const`, in tsc's (lenient) order
            "interface A<in T> {}\ninterface B<out T> {}\ninterface C<in out T> {}\n\
             class D<const in out T> {}\ntype E<out T = 1, in U extends string = ''> = T;",
            "interface F<out> { a: out }\ntype G<out = 1> = out;",
            // generic call signatures on their own lines (tree-sitter-typescript#335)
            "declare const dual: {\n  <E2>(that: E2): <E>(self: E) => E | E2\n  <E, E2>(self: E, that: E2): E | E2\n}",
            "interface P {\n  name: string\n  in: \"query\" | \"path\"\n}",
            "export type * from \"./m\";\nexport type * as ns from \"./m\";",
            "const rows = sql<{ id: number }[]>`select 1`.pipe(f);",
            "abstract class K extends B { abstract override x: string }",
            "type M = `a \\`b\\` ${string}`;",
            "type N<R = any> = import('m').B<R>;\nlet x: import('m').B.C<R>[] = [];",
            "let as = x ? 'span' : 'div';",
        ];
        for src in in_both {
            for language in both() {
                assert_eq!(errors(&language, src), None, "{src}");
            }
        }
        let tsx = [
            "const a = <p>Terms & Conditions, R&D, &amp; &#169; &nope</p>;",
            "const b = <a href=\"/?utm_source=x&utm_medium=y\" title='R&D &amp; co'>x</a>;",
        ];
        for src in tsx {
            assert_eq!(errors(&TSX.into(), src), None, "{src}");
        }
        // The binary operators the scanner changes must keep their meaning.
        for src in [
            "for (let i = 0; i < n; i++) {}",
            "const b = a\n  < c;",
            "const c = a\n  in o;",
        ] {
            for language in both() {
                assert_eq!(errors(&language, src), None, "{src}");
            }
        }
    }

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
