//! Node kind names by precomputed table.
//!
//! `Node::kind()` asks tree-sitter for the symbol's C string and checks it is
//! UTF-8 (a `strlen` and a validation on every call, about 150 instructions);
//! rules compare kinds hundreds of thousands of times per large file.
//! `node.kind_name()` reads the same `&'static str` from a table built once per
//! grammar, indexed by the node's kind id.
//!
//! As in [`super::field`], the TypeScript and TSX grammars number their kinds
//! differently and are told apart by their kind count; any other grammar (or
//! an id outside the table, like the `ERROR` symbol's) falls back to
//! `Node::kind()`, so the answer is always the one `kind()` would give.

use std::sync::LazyLock;
use tree_sitter::{Language as TsLanguage, Node};

struct Table {
    kind_count: usize,
    /// kind id → name (`None`: ask tree-sitter).
    names: Vec<Option<&'static str>>,
}

impl Table {
    fn new(language: &TsLanguage) -> Table {
        let kind_count = language.node_kind_count();
        Table {
            kind_count,
            names: (0..kind_count)
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| language.node_kind_for_id(id))
                })
                .collect(),
        }
    }
}

static TABLES: LazyLock<Vec<Table>> =
    LazyLock::new(|| super::per_grammar_tables(Table::new, |t| t.kind_count));

/// `node.kind_name()`: `node.kind()` without the C string conversion.
pub trait KindExt {
    fn kind_name(&self) -> &'static str;
}

impl KindExt for Node<'_> {
    #[inline]
    fn kind_name(&self) -> &'static str {
        let count = self.language().node_kind_count();
        for t in TABLES.iter() {
            if t.kind_count == count {
                if let Some(Some(name)) = t.names.get(usize::from(self.kind_id())) {
                    return name;
                }
                break;
            }
        }
        self.kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tree_sitter::Parser;

    /// Every node, named or not, well-formed, ERROR or MISSING, answers as
    /// `kind()` does, in both grammars.
    #[test]
    fn same_answers_as_kind_in_both_grammars() {
        let src = r#"
import def, { a as b } from "m";
export const x: Map<string, number> = f<T>(y, ...z) as any;
class K { @d m(@Body() p?: string) { return this.v!; } }
const bad = (1 + ;
function g( { if (
"#;
        assert_eq!(TABLES.len(), 2, "TS and TSX kind counts differ");
        let ts: TsLanguage = tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into();
        let tsx: TsLanguage = tree_sitter_typescript::LANGUAGE_TSX.into();
        for language in [ts, tsx] {
            let mut p = Parser::new();
            p.set_language(&language).expect("grammar loads");
            let tree = p.parse(src, None).expect("parses");
            let mut stack = vec![tree.root_node()];
            let (mut seen, mut errors) = (0, 0);
            while let Some(n) = stack.pop() {
                assert_eq!(n.kind_name(), n.kind(), "kind id {}", n.kind_id());
                seen += 1;
                errors += usize::from(n.is_error() || n.is_missing());
                let mut c = n.walk();
                stack.extend(n.children(&mut c));
            }
            assert!(seen > 100, "the sample has nodes ({seen})");
            assert!(errors > 0, "the sample has ERROR or MISSING nodes");
        }
    }
}
