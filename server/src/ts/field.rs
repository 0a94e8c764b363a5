//! Field access by precomputed id.
//!
//! `Node::child_by_field_name` looks the name up with a linear string search
//! over the grammar's field names on every call (about a thousand instructions
//! on tree-sitter-typescript); rules ask for fields tens of thousands of times
//! per large file. `node.field(Field::Name)` uses ids resolved once per grammar.
//!
//! The TypeScript and TSX grammars number their fields differently (TSX has the
//! JSX fields too), so the table is chosen by the node's grammar, told apart by
//! its field count; a grammar that matches neither table (or two grammars with
//! the same count) falls back to the name lookup, so the answer is always the
//! one `child_by_field_name` would give.

use std::sync::LazyLock;
use tree_sitter::{Language as TsLanguage, Node};

macro_rules! fields {
    ($($variant:ident = $name:literal,)*) => {
        /// A field of the tree-sitter-typescript grammars that rules read.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Field {
            $($variant,)*
        }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];

            /// The grammar's name of the field.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Field::$variant => $name,)*
                }
            }
        }
    };
}

fields! {
    Alias = "alias",
    Alternative = "alternative",
    Argument = "argument",
    Arguments = "arguments",
    Body = "body",
    Condition = "condition",
    Consequence = "consequence",
    Constructor = "constructor",
    Declaration = "declaration",
    Flags = "flags",
    Function = "function",
    Index = "index",
    Initializer = "initializer",
    Key = "key",
    Left = "left",
    Name = "name",
    Object = "object",
    Operator = "operator",
    Parameter = "parameter",
    Parameters = "parameters",
    Pattern = "pattern",
    Property = "property",
    Right = "right",
    Source = "source",
    Type = "type",
    TypeArguments = "type_arguments",
    Value = "value",
}

/// Field ids of one grammar, indexed by `Field as usize` (0: no such field).
struct Table {
    field_count: usize,
    ids: Vec<u16>,
}

impl Table {
    fn new(language: &TsLanguage) -> Table {
        Table {
            field_count: language.field_count(),
            ids: Field::ALL
                .iter()
                .map(|f| {
                    language
                        .field_id_for_name(f.name())
                        .map_or(0, |id| id.get())
                })
                .collect(),
        }
    }
}

static TABLES: LazyLock<Vec<Table>> =
    LazyLock::new(|| super::per_grammar_tables(Table::new, |t| t.field_count));

/// `node.field(Field::X)`: `child_by_field_name("x")` without the name search.
pub trait FieldExt<'t> {
    fn field(&self, field: Field) -> Option<Node<'t>>;
}

impl<'t> FieldExt<'t> for Node<'t> {
    #[inline]
    fn field(&self, field: Field) -> Option<Node<'t>> {
        let language = self.language();
        let count = language.field_count();
        for t in TABLES.iter() {
            if t.field_count == count {
                let id = t.ids[field as usize];
                return if id == 0 {
                    None
                } else {
                    self.child_by_field_id(id)
                };
            }
        }
        self.child_by_field_name(field.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tree_sitter::Parser;

    fn parse(language: TsLanguage, src: &str) -> tree_sitter::Tree {
        let mut p = Parser::new();
        p.set_language(&language).expect("grammar loads");
        p.parse(src, None).expect("parses")
    }

    /// Every field of every node answers as `child_by_field_name` does, in
    /// both grammars (whose field ids differ).
    #[test]
    fn same_answers_as_the_name_lookup_in_both_grammars() {
        let src = r#"
import def, { a as b } from "m";
export const x: Map<string, number> = f<T>(y, ...z);
function g(p = 1, q?: string): void { for (let i = 0; i < 3; i++) { if (a) b(); else c(); } }
try { h() } catch (e) { } finally { }
const r = /ab+c/gi; new Foo(1); o.p[q] = a ? b : c; x += y;
class K { m() { return this.v as any } }
"#;
        assert_eq!(TABLES.len(), 2, "TS and TSX field counts differ");
        for language in crate::ts::grammars::both() {
            let tree = parse(language, src);
            let mut stack = vec![tree.root_node()];
            let mut found = 0;
            while let Some(n) = stack.pop() {
                for f in Field::ALL {
                    let by_name = n.child_by_field_name(f.name());
                    assert_eq!(n.field(*f), by_name, "{f:?} of {}", n.kind());
                    found += usize::from(by_name.is_some());
                }
                let mut c = n.walk();
                stack.extend(n.children(&mut c));
            }
            assert!(found > 40, "the sample has fields ({found})");
        }
    }

    #[test]
    fn every_field_exists_in_both_grammars() {
        for t in TABLES.iter() {
            for (f, id) in Field::ALL.iter().zip(&t.ids) {
                assert_ne!(*id, 0, "{f:?} is a field of the grammar");
            }
        }
    }
}
