//! Classifying an `origin` value: wildcard, reflected request origin, or checked.

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub(super) enum Bad<'t> {
    /// The `'*'` literal (or a name bound to it when `literal` is false).
    Wildcard { node: Node<'t>, literal: bool },
    /// The request's `Origin`, at `node`; `name` is the variable holding it.
    Reflect {
        node: Node<'t>,
        name: Option<String>,
    },
}

/// A header value that allows any origin.
pub(super) fn classify<'t>(value: Node<'t>, src: &Script<'t>, follow: bool) -> Option<Bad<'t>> {
    let _level = ast::descend()?;
    let v = ast::unwrap_expr(value);
    if ast::string_value(v, src).is_some_and(|s| s.trim() == "*") {
        return Some(Bad::Wildcard {
            node: v,
            literal: true,
        });
    }
    if is_raw_origin(v, src) {
        return Some(Bad::Reflect {
            node: v,
            name: None,
        });
    }
    match v.kind_name() {
        "identifier" if follow => {
            let name = ast::text(v, src);
            let init = src.value_of(v, name)?;
            match classify(init, src, false)? {
                Bad::Wildcard { .. } => Some(Bad::Wildcard {
                    node: v,
                    literal: false,
                }),
                Bad::Reflect { .. } => Some(Bad::Reflect {
                    node: v,
                    name: Some(name.to_string()),
                }),
            }
        }
        "binary_expression" => {
            let op = v.field(Field::Operator).map(|o| ast::text(o, src));
            if !matches!(op, Some("||" | "??")) {
                return None;
            }
            // `req.headers.origin || '*'`: the request's origin, whatever the fallback.
            let left = v.field(Field::Left)?;
            if is_raw_origin(ast::unwrap_expr(left), src) {
                return Some(Bad::Reflect {
                    node: v,
                    name: None,
                });
            }
            None
        }
        "ternary_expression" => {
            let cond = v.field(Field::Condition)?;
            ast::env_check(cond, src)?;
            for f in [Field::Consequence, Field::Alternative] {
                let b = v.field(f)?;
                if let Some(bad) = classify(b, src, follow) {
                    let n = match &bad {
                        Bad::Wildcard { node, .. } | Bad::Reflect { node, .. } => *node,
                    };
                    if !ast::in_dev_only_branch(n, src) {
                        return Some(bad);
                    }
                }
            }
            None
        }
        _ => None,
    }
}

/// `req.headers.origin`, `req.headers['origin']`, `request.headers.get('origin')`,
/// `req.get('origin')`, `req.header('origin')`, `c.req.header('origin')`,
/// `headers().get('origin')`.
pub(super) fn is_raw_origin(node: Node<'_>, src: &Script<'_>) -> bool {
    match node.kind_name() {
        "member_expression" | "subscript_expression" => {
            ast::member_path(node, src).is_some_and(|p| {
                let p = p.to_ascii_lowercase();
                p == "headers.origin" || p.ends_with(".headers.origin")
            })
        }
        "call_expression" => {
            let args = ast::call_arguments(node);
            if args.len() != 1
                || !ast::string_value(args[0], src)
                    .is_some_and(|a| a.eq_ignore_ascii_case("origin"))
            {
                return false;
            }
            let Some(func) = node.field(Field::Function) else {
                return false;
            };
            if func.kind_name() != "member_expression" {
                return false;
            }
            let (Some(obj), Some(prop)) = (func.field(Field::Object), func.field(Field::Property))
            else {
                return false;
            };
            if !matches!(ast::text(prop, src), "get" | "header") {
                return false;
            }
            let obj = ast::unwrap_expr(obj);
            if obj.kind_name() == "call_expression" {
                return ast::callee_name(obj, src).as_deref() == Some("headers");
            }
            ast::member_path(obj, src).is_some_and(|p| {
                let last = p.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                matches!(last.as_str(), "headers" | "req" | "request")
            })
        }
        _ => false,
    }
}

/// Inside a test assertion (`expect(headers).toEqual({ … })`, `assert.equal(…)`):
/// the header is what the test checks, not what the code sends.
pub(super) fn in_assertion(node: Node<'_>, src: &Script<'_>) -> bool {
    for n in ast::ancestors(node) {
        if n.kind_name().ends_with("_statement") || ast::is_function(n) {
            return false;
        }
        if n.kind_name() == "call_expression" {
            if let Some(path) = ast::callee_path(n, src) {
                let first = path.split('.').next().unwrap_or("");
                let last = path.rsplit('.').next().unwrap_or("");
                if matches!(first, "expect" | "assert")
                    || (last.len() > 2
                        && last.starts_with("to")
                        && last[2..].starts_with(|c: char| c.is_ascii_uppercase()))
                {
                    return true;
                }
            }
            // `expect(x).toEqual(…)`: the callee's object is the `expect(…)` call
            if n.field(Field::Function)
                .and_then(|f| f.field(Field::Object))
                .is_some_and(|o| {
                    o.kind_name() == "call_expression"
                        && ast::callee_path(o, src).is_some_and(|p| p.starts_with("expect"))
                })
            {
                return true;
            }
        }
    }
    false
}
