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

/// Named node kinds of the TypeScript/TSX grammars, as constants: a rule lists
/// `kinds: &[kind::CALL_EXPRESSION, kind::PAIR]` and compares
/// `node.kind_name() == kind::STRING`, so that a misspelt kind is a compile
/// error. Every constant is checked against the grammars by a test (a kind
/// that neither grammar has fails it), and so is every kind a registered rule
/// lists (`rules::ts`). Add the kinds a new rule needs here (names as
/// `tree-sitter-typescript` spells them; `prodlint debug ast FILE` shows them).
macro_rules! kinds {
    ($($name:ident = $kind:literal,)*) => {
        $(pub const $name: &str = $kind;)*
        /// Every kind constant in this module.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

/// The kinds of functions with a body a rule may judge as a whole (declared,
/// expressions, arrows, methods), for `TsRule.kinds`.
pub const FUNCTIONS: &[&str] = &[
    FUNCTION_DECLARATION,
    FUNCTION_EXPRESSION,
    ARROW_FUNCTION,
    METHOD_DEFINITION,
];

kinds! {
    ABSTRACT_CLASS_DECLARATION = "abstract_class_declaration",
    ARGUMENTS = "arguments",
    ARRAY = "array",
    ARRAY_PATTERN = "array_pattern",
    ARRAY_TYPE = "array_type",
    ARROW_FUNCTION = "arrow_function",
    AS_EXPRESSION = "as_expression",
    ASSIGNMENT_EXPRESSION = "assignment_expression",
    ASSIGNMENT_PATTERN = "assignment_pattern",
    AUGMENTED_ASSIGNMENT_EXPRESSION = "augmented_assignment_expression",
    AWAIT_EXPRESSION = "await_expression",
    BINARY_EXPRESSION = "binary_expression",
    CALL_EXPRESSION = "call_expression",
    CATCH_CLAUSE = "catch_clause",
    CLASS_BODY = "class_body",
    CLASS_DECLARATION = "class_declaration",
    CLASS_STATIC_BLOCK = "class_static_block",
    COMMENT = "comment",
    DECORATOR = "decorator",
    ELSE_CLAUSE = "else_clause",
    ENUM_DECLARATION = "enum_declaration",
    EXPORT_CLAUSE = "export_clause",
    EXPORT_STATEMENT = "export_statement",
    EXPRESSION_STATEMENT = "expression_statement",
    FALSE = "false",
    FOR_IN_STATEMENT = "for_in_statement",
    FOR_STATEMENT = "for_statement",
    FORMAL_PARAMETERS = "formal_parameters",
    FUNCTION_DECLARATION = "function_declaration",
    FUNCTION_EXPRESSION = "function_expression",
    GENERATOR_FUNCTION = "generator_function",
    GENERATOR_FUNCTION_DECLARATION = "generator_function_declaration",
    HASH_BANG_LINE = "hash_bang_line",
    IDENTIFIER = "identifier",
    IF_STATEMENT = "if_statement",
    IMPORT = "import",
    IMPORT_CLAUSE = "import_clause",
    IMPORT_REQUIRE_CLAUSE = "import_require_clause",
    IMPORT_SPECIFIER = "import_specifier",
    IMPORT_STATEMENT = "import_statement",
    INTERFACE_BODY = "interface_body",
    INTERFACE_DECLARATION = "interface_declaration",
    JSX_ATTRIBUTE = "jsx_attribute",
    JSX_ELEMENT = "jsx_element",
    JSX_EXPRESSION = "jsx_expression",
    JSX_OPENING_ELEMENT = "jsx_opening_element",
    JSX_SELF_CLOSING_ELEMENT = "jsx_self_closing_element",
    LEXICAL_DECLARATION = "lexical_declaration",
    LITERAL_TYPE = "literal_type",
    MEMBER_EXPRESSION = "member_expression",
    METHOD_DEFINITION = "method_definition",
    NAMESPACE_IMPORT = "namespace_import",
    NEW_EXPRESSION = "new_expression",
    NON_NULL_EXPRESSION = "non_null_expression",
    NULL = "null",
    NUMBER = "number",
    OBJECT = "object",
    OBJECT_ASSIGNMENT_PATTERN = "object_assignment_pattern",
    OBJECT_PATTERN = "object_pattern",
    OBJECT_TYPE = "object_type",
    OPTIONAL_PARAMETER = "optional_parameter",
    PAIR = "pair",
    PAIR_PATTERN = "pair_pattern",
    PARENTHESIZED_EXPRESSION = "parenthesized_expression",
    PARENTHESIZED_TYPE = "parenthesized_type",
    PREDEFINED_TYPE = "predefined_type",
    PROGRAM = "program",
    PROPERTY_IDENTIFIER = "property_identifier",
    PROPERTY_SIGNATURE = "property_signature",
    PUBLIC_FIELD_DEFINITION = "public_field_definition",
    READONLY_TYPE = "readonly_type",
    REGEX = "regex",
    REQUIRED_PARAMETER = "required_parameter",
    REST_PATTERN = "rest_pattern",
    RETURN_STATEMENT = "return_statement",
    SATISFIES_EXPRESSION = "satisfies_expression",
    SHORTHAND_PROPERTY_IDENTIFIER = "shorthand_property_identifier",
    SHORTHAND_PROPERTY_IDENTIFIER_PATTERN = "shorthand_property_identifier_pattern",
    SPREAD_ELEMENT = "spread_element",
    STATEMENT_BLOCK = "statement_block",
    STRING = "string",
    STRING_FRAGMENT = "string_fragment",
    SUBSCRIPT_EXPRESSION = "subscript_expression",
    SUPER = "super",
    SWITCH_BODY = "switch_body",
    SWITCH_CASE = "switch_case",
    SWITCH_DEFAULT = "switch_default",
    SWITCH_STATEMENT = "switch_statement",
    TEMPLATE_STRING = "template_string",
    TEMPLATE_SUBSTITUTION = "template_substitution",
    TERNARY_EXPRESSION = "ternary_expression",
    THIS = "this",
    THROW_STATEMENT = "throw_statement",
    TRUE = "true",
    TYPE_ALIAS_DECLARATION = "type_alias_declaration",
    TYPE_ANNOTATION = "type_annotation",
    TYPE_ARGUMENTS = "type_arguments",
    TYPE_ASSERTION = "type_assertion",
    TYPE_IDENTIFIER = "type_identifier",
    TYPE_QUERY = "type_query",
    UNARY_EXPRESSION = "unary_expression",
    UNDEFINED = "undefined",
    UNION_TYPE = "union_type",
    VARIABLE_DECLARATION = "variable_declaration",
    VARIABLE_DECLARATOR = "variable_declarator",
    WHILE_STATEMENT = "while_statement",
}

/// Whether `kind` is a named node kind of the TypeScript or the TSX grammar
/// (some exist in one only: `type_assertion` in TS, JSX in TSX).
pub fn is_named_kind(kind: &str) -> bool {
    super::grammars::both()
        .iter()
        .any(|g| g.id_for_node_kind(kind, true) != 0)
}

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
        for language in crate::ts::grammars::both() {
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

    #[test]
    fn kind_constants_are_named_kinds_of_a_grammar() {
        let unknown: Vec<&str> = ALL.iter().copied().filter(|k| !is_named_kind(k)).collect();
        assert!(
            unknown.is_empty(),
            "not a named kind of TS or TSX: {unknown:?}"
        );
        assert!(ALL.len() > 50);
        // the check can fail
        assert!(!is_named_kind("call_expresion"));
        assert!(!is_named_kind("("), "anonymous tokens are not named kinds");
        assert!(is_named_kind(TYPE_ASSERTION) && is_named_kind(JSX_ATTRIBUTE));
    }
}
