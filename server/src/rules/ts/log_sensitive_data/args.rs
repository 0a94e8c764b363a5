//! Where in a logging call's arguments a sensitive name is logged: identifiers,
//! member properties, object keys and shorthand properties, template
//! substitutions; never words inside strings, presence checks or masked values.

use super::names::{is_masking_call_name, sensitive_name, Sensitive};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::request::{request_input, request_rest, RequestPart};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// One sensitive value logged by a call.
pub(super) struct Found<'t> {
    /// The identifier, member expression, shorthand property or pair.
    pub(super) node: Node<'t>,
    /// The name that says sensitive.
    pub(super) name: String,
    pub(super) what: Sensitive,
}

/// Every sensitive value in the call's arguments (outermost first, none nested
/// in another).
pub(super) fn sensitive_in_call<'t>(call: Node<'t>, src: &Script<'_>) -> Vec<Found<'t>> {
    let mut out = Vec::new();
    for arg in ast::call_arguments(call) {
        scan(arg, src, &mut out);
    }
    out
}

fn push<'t>(out: &mut Vec<Found<'t>>, node: Node<'t>, name: &str, what: Sensitive) {
    out.push(Found {
        node,
        name: name.to_string(),
        what,
    });
}

fn scan<'t>(node: Node<'t>, src: &Script<'_>, out: &mut Vec<Found<'t>>) {
    let Some(_level) = ast::descend() else {
        return;
    };
    match node.kind_name() {
        "identifier" | "shorthand_property_identifier" => {
            let name = ast::text(node, src);
            if let Some(what) = sensitive_name(name) {
                if !is_presence_check(node, src) && !request_credentials(node, src) {
                    push(out, node, name, what);
                }
            }
        }
        "member_expression" | "subscript_expression" => {
            // A property is judged by its own name: `user.id` logs an id, not the user.
            let Some(prop) = property_name(node, src) else {
                return;
            };
            if let Some(what) = sensitive_name(&prop) {
                if !is_presence_check(node, src) && !request_credentials(node, src) {
                    push(out, node, &prop, what);
                }
            }
        }
        "pair" => {
            let (Some(key), Some(value)) = (node.field(Field::Key), node.field(Field::Value))
            else {
                return;
            };
            let key_name =
                ast::string_value(key, src).unwrap_or_else(|| ast::text(key, src).to_string());
            match sensitive_name(&key_name) {
                // `{ user: user.id }`: the value says whether the whole object is logged
                Some(Sensitive::Whole) | None => scan(value, src, out),
                Some(what) => {
                    if leaks(value, src) {
                        push(out, node, &key_name, what);
                    }
                }
            }
        }
        "call_expression" => {
            if is_safe_call(node, src) {
                return;
            }
            if let Some(args) = node.field(Field::Arguments) {
                scan_children(args, src, out);
            }
        }
        "ternary_expression" => {
            for f in [Field::Consequence, Field::Alternative] {
                if let Some(b) = node.field(f) {
                    scan(b, src, out);
                }
            }
        }
        "binary_expression" if ast::is_comparison(node, src) => {}
        "unary_expression"
        | "string"
        | "comment"
        | "regex"
        | "number"
        | "arrow_function"
        | "function_expression"
        | "function"
        | "class" => {}
        _ => scan_children(node, src, out),
    }
}

fn scan_children<'t>(node: Node<'t>, src: &Script<'_>, out: &mut Vec<Found<'t>>) {
    let mut c = node.walk();
    for child in node.named_children(&mut c) {
        scan(child, src, out);
    }
}

/// The property a member or subscript expression reads (`x.email`, `x['email']`).
fn property_name(node: Node<'_>, src: &str) -> Option<String> {
    match node.kind_name() {
        "member_expression" => Some(ast::text(node.field(Field::Property)?, src).to_string()),
        _ => ast::string_value(node.field(Field::Index)?, src),
    }
}

/// Whether a key's value would log the sensitive value itself (not a literal,
/// a presence check or a masked value).
fn leaks(value: Node<'_>, src: &Script<'_>) -> bool {
    let v = ast::unwrap_expr(value);
    match v.kind_name() {
        "string"
        | "number"
        | "true"
        | "false"
        | "null"
        | "undefined"
        | "unary_expression"
        | "regex"
        | "arrow_function"
        | "function_expression" => false,
        "identifier" => ast::text(v, src) != "undefined",
        "template_string" => {
            ast::any_descendant(v, &mut |n| n.kind_name() == "template_substitution")
        }
        "binary_expression" => !ast::is_comparison(v, src),
        "call_expression" => !is_safe_call(v, src),
        "member_expression" | "subscript_expression" => {
            !property_name(v, src).is_some_and(|p| matches!(p.as_str(), "length" | "size"))
        }
        "ternary_expression" => [Field::Consequence, Field::Alternative]
            .into_iter()
            .any(|f| v.field(f).is_some_and(|b| leaks(b, src))),
        _ => true,
    }
}

/// Calls whose result does not carry the value: masking helpers, presence and
/// shape checks (`Boolean(x)`, `Object.keys(user)`).
fn is_safe_call(call: Node<'_>, src: &str) -> bool {
    let Some(path) = ast::callee_path(call, src) else {
        return false;
    };
    if matches!(
        path.as_str(),
        "Boolean" | "Object.keys" | "Array.isArray" | "Object.getOwnPropertyNames" | "typeof"
    ) {
        return true;
    }
    let last = path.rsplit('.').next().unwrap_or(&path);
    is_masking_call_name(last)
}

/// `node` is only tested, not logged: `!token`, `token === x`, a ternary's condition.
fn is_presence_check(node: Node<'_>, src: &str) -> bool {
    ast::is_only_tested(ast::value_root(node), src)
}

/// The request's headers or cookies (`req.headers.authorization`, `req.cookies`,
/// a name bound to them): `log-request-data`'s findings.
fn request_credentials(node: Node<'_>, src: &Script<'_>) -> bool {
    if let Some(rest) = ast::member_path(node, src)
        .as_deref()
        .and_then(request_rest)
    {
        return matches!(rest.first(), Some(&("headers" | "cookies")));
    }
    matches!(
        request_input(node, src),
        Some(RequestPart::Headers | RequestPart::Cookies)
    )
}
