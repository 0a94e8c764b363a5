//! Values checked against an allowlist (`includes`, `in`, `has`) or parsed by a `z.enum`
//! schema.

use super::dynamic::operator;
use super::safe::{norm, Safety};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

impl<'s, 't> Safety<'s, 't> {
    /// An identifier or property checked against an allowlist in its function,
    /// or bound from a `z.enum` schema parse.
    pub(super) fn checked(&mut self, expr: Node<'t>) -> bool {
        let src = self.src;
        let scope = ast::enclosing_function(expr).unwrap_or_else(|| self.src.program(expr));
        let key = norm(expr, src);
        let (list, uses_zenum) = self
            .checks
            .entry(scope.id())
            .or_insert_with(|| collect_checks(scope, src));
        if list.contains(&key) {
            return true;
        }
        let uses_zenum = *uses_zenum;
        // Bound from a schema parse: `const { sort } = Query.parse(req.query)`.
        let root_name = key.split('.').next().unwrap_or("");
        let Some(root) = ast::first_identifier(expr) else {
            return false;
        };
        let Some(b) = src.declaration(root, root_name) else {
            return false;
        };
        let Some(value) = b.value else {
            return false;
        };
        if !matches!(
            b.kind,
            BindingKind::Const | BindingKind::Let | BindingKind::Var
        ) {
            return false;
        }
        from_enum_schema(ast::unwrap_expr(value), uses_zenum, src)
    }
}

fn mentions_enum(text: &str) -> bool {
    text.contains("z.enum(") || text.contains("nativeEnum(") || text.contains(".enum([")
}

/// `z.enum([...]).parse(x)`, or `Schema.parse(x)` where `Schema` is a const
/// whose definition uses `z.enum` (or the function itself uses `z.enum`).
fn from_enum_schema(value: Node, function_uses_zenum: bool, src: &Script<'_>) -> bool {
    let mut e = value;
    // `.data` of a safeParse result, `(await …)`.
    while e.kind_name() == "member_expression" {
        match e.field(Field::Object) {
            Some(o) => e = ast::unwrap_expr(o),
            None => return false,
        }
    }
    if e.kind_name() != "call_expression" {
        return false;
    }
    let Some(callee) = e.field(Field::Function) else {
        return false;
    };
    if callee.kind_name() != "member_expression" {
        return false;
    }
    let method = callee
        .field(Field::Property)
        .map(|p| ast::text(p, src))
        .unwrap_or("");
    if !matches!(
        method,
        "parse" | "safeParse" | "parseAsync" | "safeParseAsync"
    ) {
        return false;
    }
    let Some(schema) = callee.field(Field::Object) else {
        return false;
    };
    if mentions_enum(ast::text(schema, src)) || function_uses_zenum {
        return true;
    }
    let schema = ast::unwrap_expr(schema);
    if schema.kind_name() == "identifier" {
        if let Some(b) = src.declaration(schema, ast::text(schema, src)) {
            return b.value.is_some_and(|v| mentions_enum(ast::text(v, src)));
        }
    }
    false
}

/// The expressions checked against an allowlist in `scope`, and whether it uses `z.enum`.
fn collect_checks(scope: Node, src: &Script<'_>) -> (Vec<String>, bool) {
    let mut list = Vec::new();
    let mut zenum = false;
    ast::visit(scope, &mut |n| {
        match n.kind_name() {
            "call_expression" => {
                let path = ast::callee_path(n, src);
                let name = path
                    .as_deref()
                    .map(|p| p.rsplit('.').next().unwrap_or(""))
                    .or_else(|| {
                        n.field(Field::Function)
                            .and_then(|f| f.field(Field::Property))
                            .map(|p| ast::text(p, src))
                    })
                    .unwrap_or("");
                let args = ast::call_arguments(n);
                match name {
                    "includes" | "has" | "indexOf" | "hasOwnProperty" => {
                        if let Some(a) = args.first() {
                            list.push(norm(*a, src));
                        }
                    }
                    "hasOwn" => {
                        if let Some(a) = args.get(1) {
                            list.push(norm(*a, src));
                        }
                    }
                    "enum" | "nativeEnum" => zenum = true,
                    _ => {}
                }
            }
            "binary_expression" if operator(n, src) == Some("in") => {
                if let Some(l) = n.field(Field::Left) {
                    list.push(norm(l, src));
                }
            }
            _ => {}
        }
        true
    });
    (list, zenum)
}

// ---------------------------------------------------------------------------
// Fixes

/// The decoded SQL of a text piece (JS escapes of quotes and backticks removed),
/// for quote counting.
pub(super) fn decoded(raw: &str) -> String {
    raw.replace("\\'", "'")
        .replace("\\`", "`")
        .replace("\\\"", "\"")
}
