//! Reads of the request body in a handler (`req.body`, `await request.json()`, …).

use super::handlers::{is_handler, is_route_call};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::nest::{self};
use crate::ts::frameworks::request::RequestPart;
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// A body read by its shape alone: `x.body`, `x['body']`, `x.json()`,
/// `JSON.parse(…)`, `@Body()`.
pub(super) fn body_read_shape(node: Node<'_>, src: &Script<'_>) -> bool {
    match node.kind_name() {
        "member_expression" | "subscript_expression" => {
            // cheap test first: most member expressions are not `.body`
            let key = node
                .field(Field::Property)
                .or_else(|| node.field(Field::Index));
            if !key.is_some_and(|k| ast::text(k, src).contains("body")) {
                return false;
            }
            let is_body =
                ast::member_path(node, src).is_some_and(|p| p.rsplit('.').next() == Some("body"));
            // `req.body = …` writes it.
            let written = node.parent().is_some_and(|p| {
                p.kind_name() == "assignment_expression"
                    && p.field(Field::Left).is_some_and(|l| l.id() == node.id())
            });
            is_body && !written
        }
        "call_expression" => match node
            .field(Field::Function)
            .filter(|f| f.kind_name() == "member_expression")
            .and_then(|f| f.field(Field::Property))
            .map(|p| ast::text(p, src))
        {
            Some("json" | "parse") => match ast::callee_path(node, src).as_deref() {
                Some("JSON.parse") => !ast::call_arguments(node).is_empty(),
                Some(p) => p.ends_with(".json") && ast::call_arguments(node).is_empty(),
                None => false,
            },
            _ => false,
        },
        "decorator" => {
            nest::param_decorator(node, src).is_some_and(|d| d.part == RequestPart::Body)
                && node.parent().is_some_and(|p| {
                    matches!(p.kind_name(), "required_parameter" | "optional_parameter")
                })
        }
        _ => false,
    }
}

/// Names the request goes by in `handler`: `req`, `request` and its first parameter.
pub(super) fn request_names(handler: Node<'_>, src: &Script<'_>) -> Vec<String> {
    let mut names = vec!["req".to_string(), "request".to_string()];
    if let Some(p) = first_param(handler, src) {
        if !names.contains(&p) {
            names.push(p);
        }
    }
    names
}

pub(super) fn first_param(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    if let Some(p) = func.field(Field::Parameter) {
        return Some(ast::text(p, src).to_string());
    }
    let params = func.field(Field::Parameters)?;
    let mut c = params.walk();
    let first = params
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment")?;
    let pat = match first.kind_name() {
        "required_parameter" | "optional_parameter" => first.field(Field::Pattern)?,
        "identifier" => first,
        _ => return None,
    };
    (pat.kind_name() == "identifier").then(|| ast::text(pat, src).to_string())
}

pub(super) fn first_param_type(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    let params = func.field(Field::Parameters)?;
    let mut c = params.walk();
    let first = params
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment")?;
    first
        .field(Field::Type)
        .map(|t| ast::text(t, src).to_string())
}

pub(super) fn last_segment(node: Node<'_>, src: &Script<'_>) -> Option<String> {
    ast::member_path(ast::unwrap_expr(node), src)
        .map(|p| p.rsplit('.').next().unwrap_or("").to_string())
}

/// Whether a body-read-shaped node reads the request of `handler`.
pub(super) fn reads_body(
    node: Node<'_>,
    handler: Node<'_>,
    names: &[String],
    src: &Script<'_>,
) -> bool {
    match node.kind_name() {
        "member_expression" | "subscript_expression" => node
            .field(Field::Object)
            .and_then(|o| last_segment(o, src))
            .is_some_and(|s| names.contains(&s)),
        "call_expression" => {
            if ast::callee_path(node, src).as_deref() == Some("JSON.parse") {
                let Some(arg) = ast::call_arguments(node).first().copied() else {
                    return false;
                };
                mentions_request(arg, names, src, true)
            } else {
                node.field(Field::Function)
                    .and_then(|f| f.field(Field::Object))
                    .and_then(|o| last_segment(o, src))
                    .is_some_and(|s| names.contains(&s))
            }
        }
        // `@Body()` on a parameter of the handler method itself.
        "decorator" => node
            .parent()
            .and_then(|p| p.parent())
            .and_then(|p| p.parent())
            .is_some_and(|m| m.id() == handler.id()),
        _ => false,
    }
}

/// `expr` refers to the request (directly, or through one variable:
/// `const raw = await req.text(); JSON.parse(raw)`).
fn mentions_request(expr: Node<'_>, names: &[String], src: &Script<'_>, follow: bool) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    let mut found = false;
    ast::visit(expr, &mut |n| {
        if found {
            return false;
        }
        if n.kind_name() == "identifier" {
            let t = ast::text(n, src);
            if names.iter().any(|m| m == t) {
                found = true;
            } else if follow {
                if let Some(init) = src.value_of(n, t) {
                    if mentions_request(init, names, src, false) {
                        found = true;
                    }
                }
            }
            return false;
        }
        // `process.env.X` is configuration, not the request.
        !(n.kind_name() == "member_expression"
            && ast::member_path(n, src).is_some_and(|p| p.starts_with("process.env")))
    });
    found
}

/// The first body read of `handler` (pre-order), skipping nested handlers.
pub(super) fn first_body_read<'t>(
    handler: Node<'t>,
    names: &[String],
    src: &Script<'t>,
    path: &str,
) -> Option<Node<'t>> {
    let mut first = None;
    ast::visit(handler, &mut |n| {
        if first.is_some() {
            return false;
        }
        if n.id() != handler.id() && ast::is_function(n) && is_handler(n, src, path) {
            return false;
        }
        if body_read_shape(n, src) && reads_body(n, handler, names, src) {
            first = Some(n);
            return false;
        }
        true
    });
    first
}

/// Skip parentheses, `as`/`satisfies` and wrapper calls (`withAuth(async (req) => …)`)
/// upwards: the node that names or exports the function.
pub(super) fn outer_position(func: Node<'_>) -> Node<'_> {
    let mut cur = func;
    let mut steps = 0usize;
    while let Some(p) = cur.parent().filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
        match p.kind_name() {
            "parenthesized_expression" | "as_expression" | "satisfies_expression" => cur = p,
            "arguments" => match p.parent() {
                // a wrapper call whose result is assigned/exported
                Some(call)
                    if call.kind_name() == "call_expression"
                        && call.parent().is_some_and(|gp| {
                            matches!(
                                gp.kind_name(),
                                "variable_declarator"
                                    | "export_statement"
                                    | "assignment_expression"
                                    | "arguments"
                            )
                        })
                        && !is_route_call(call) =>
                {
                    cur = call
                }
                _ => return cur,
            },
            _ => return cur,
        }
    }
    cur
}
