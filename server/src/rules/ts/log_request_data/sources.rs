//! Where logged values come from: the request's body, headers and query, directly or
//! through locals.

use super::{is_sensitive_header, FileFacts, DATA_PARTS};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::nest;
use crate::ts::frameworks::request::{request_rest, RequestPart, BODY_READERS};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use std::collections::HashSet;
use tree_sitter::Node;

/// The first request data found in the call's arguments, described for the message.
pub(super) fn request_data_in_args(
    call: Node<'_>,
    src: &Script<'_>,
    facts: &FileFacts<'_>,
) -> Option<String> {
    ast::call_arguments(call)
        .into_iter()
        .find_map(|a| request_data_in(a, src, facts))
}

fn request_data_in(node: Node<'_>, src: &Script<'_>, facts: &FileFacts<'_>) -> Option<String> {
    let _level = ast::descend()?;
    let mut found: Option<String> = None;
    ast::visit(node, &mut |n| {
        if found.is_some() {
            return false;
        }
        match n.kind_name() {
            "comment" | "string" => false,
            "member_expression" | "subscript_expression" => {
                if ast::member_path(n, src).is_none() {
                    if n.kind_name() == "subscript_expression" {
                        // `req.body[key]` is one field; only the index can hold data.
                        found = n
                            .field(Field::Index)
                            .and_then(|i| request_data_in(i, src, facts));
                        return false;
                    }
                    return true;
                }
                found = whole_data_chain(n, src, facts).filter(|_| !is_excluded_position(n, src));
                false
            }
            "identifier" | "shorthand_property_identifier" => {
                if facts.data_names.contains(ast::text(n, src)) {
                    found = bound_request_data(n, src).filter(|_| !is_excluded_position(n, src));
                }
                false
            }
            "call_expression" => {
                if let Some(read) = body_read(n, src) {
                    found = Some(format!("`await {read}()`"));
                    return false;
                }
                true
            }
            _ => true,
        }
    });
    found
}

/// `req.json` / `request.formData` / `req.text` called: the read's path.
fn body_read(call: Node<'_>, src: &str) -> Option<String> {
    let path = ast::callee_path(call, src)?;
    let rest = request_rest(&path)?;
    (rest.len() == 1 && BODY_READERS.contains(&rest[0])).then_some(path)
}

/// A member chain that is a whole request part (`req.body`, `request.headers`,
/// `req.headers.authorization`, `request.headers.get('cookie')`), or a whole
/// bound value turned into text or entries (`body.toString()`, `formData.entries()`).
fn whole_data_chain(n: Node<'_>, src: &Script<'_>, facts: &FileFacts<'_>) -> Option<String> {
    let path = ast::member_path(n, src)?;
    let called = n
        .parent()
        .filter(|p| p.kind_name() == "call_expression")
        .is_some_and(|p| p.field(Field::Function).is_some_and(|f| f.id() == n.id()));
    if called {
        let (object, method) = path.rsplit_once('.')?;
        if matches!(method, "toString" | "entries" | "values" | "toJSON") {
            let obj = n.field(Field::Object)?;
            return match obj.kind_name() {
                "identifier" if facts.data_names.contains(ast::text(obj, src)) => {
                    bound_request_data(obj, src)
                }
                "identifier" => None,
                _ => whole_data_chain_path(object),
            };
        }
        // `request.headers.get('authorization')`
        if method == "get" && object.ends_with(".headers") {
            let rest = request_rest(object)?;
            let call = n.parent()?;
            let header = ast::call_arguments(call)
                .first()
                .and_then(|a| ast::string_value(*a, src))?;
            return (rest == ["headers"] && is_sensitive_header(&header))
                .then(|| format!("`{object}.get('{header}')`"));
        }
        return None;
    }
    whole_data_chain_path(&path)
}

fn whole_data_chain_path(path: &str) -> Option<String> {
    let rest = request_rest(path)?;
    match rest.as_slice() {
        [part] if DATA_PARTS.contains(part) => Some(format!("`{path}`")),
        ["headers", header] if is_sensitive_header(header) => Some(format!("`{path}`")),
        _ => None,
    }
}

/// Where a name is bound, as the request-data checks see it: a `const`/`let`/
/// `var` declarator (`declarator`, and `element`, the part of its pattern that
/// binds the name) or a function parameter.
enum Bound<'t> {
    Declarator {
        declarator: Node<'t>,
        element: Node<'t>,
    },
    Parameter(Node<'t>),
}

fn local_binding<'t>(src: &Script<'t>, at: Node<'_>, name: &str) -> Option<Bound<'t>> {
    let b = src.declaration(at, name)?;
    match b.kind {
        BindingKind::Const | BindingKind::Let | BindingKind::Var => Some(Bound::Declarator {
            declarator: b.decl,
            element: b.element,
        }),
        BindingKind::Param if b.decl.kind_name() != "catch_clause" => {
            Some(Bound::Parameter(b.decl))
        }
        _ => None,
    }
}

/// An identifier bound to whole request data in its scope.
fn bound_request_data(ident: Node<'_>, src: &Script<'_>) -> Option<String> {
    let name = ast::text(ident, src);
    match local_binding(src, ident, name)? {
        Bound::Declarator {
            declarator,
            element,
        } => {
            let value = declarator.field(Field::Value)?;
            match element.kind_name() {
                "identifier" => {
                    whole_value(value, src).map(|what| format!("`{name}`, from {what}"))
                }
                // `const { body } = req`, `const { body: payload } = req`
                "shorthand_property_identifier_pattern" | "pair_pattern" => {
                    let key = if element.kind_name() == "pair_pattern" {
                        let k = element.field(Field::Key)?;
                        ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).to_string())
                    } else {
                        name.to_string()
                    };
                    let object = ast::member_path(ast::unwrap_expr(value), src)?;
                    let rest = request_rest(&object)?;
                    (rest.is_empty() && DATA_PARTS.contains(&key.as_str()))
                        .then(|| format!("`{name}`, from `{object}.{key}`"))
                }
                // `const { password, ...rest } = req.body`: the rest of the body
                "rest_pattern" => {
                    whole_value(value, src).map(|what| format!("`{name}`, the rest of {what}"))
                }
                _ => None,
            }
        }
        Bound::Parameter(param) => {
            // NestJS: `@Body() body`, `@Query() query`, `@Headers() headers` (whole objects only)
            nest::param_decorators(param, src).find_map(|d| {
                (d.called && d.args == 0 && d.part != RequestPart::Whole)
                    .then(|| format!("`{name}`, the `@{}()` parameter", d.name))
            })
        }
    }
}

/// A value that is whole request data: `await req.json()` (also inside
/// `JSON.parse(await req.text())`), or a whole request part (`req.body`).
fn whole_value(value: Node<'_>, src: &Script<'_>) -> Option<String> {
    whole_value_hops(value, src, 1, None)
}

/// [`whole_value`], following up to `hops` local variables: `const raw = await
/// req.text(); const body = JSON.parse(raw);` makes `body` the parsed request
/// body (the name must be bound to the whole value, not destructured). With
/// `known`, only a name in that set is followed.
pub(super) fn whole_value_hops(
    value: Node<'_>,
    src: &Script<'_>,
    hops: u8,
    known: Option<&HashSet<&str>>,
) -> Option<String> {
    let _level = ast::descend()?;
    let mut v = value;
    loop {
        v = match v.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => v.named_child(0)?,
            _ => break,
        };
    }
    if v.kind_name() == "await_expression" {
        let inner = ast::unwrap_expr(v.named_child(0)?);
        return body_read(inner, src).map(|p| format!("`await {p}()`"));
    }
    if v.kind_name() == "call_expression"
        && ast::callee_path(v, src).as_deref() == Some("JSON.parse")
    {
        let arg = *ast::call_arguments(v).first()?;
        return whole_value_hops(arg, src, hops, known);
    }
    if v.kind_name() == "identifier" {
        let name = ast::text(v, src);
        if hops == 0 || known.is_some_and(|k| !k.contains(name)) {
            return None;
        }
        let Bound::Declarator {
            declarator,
            element,
        } = local_binding(src, v, name)?
        else {
            return None;
        };
        // the name itself, bound before it is used here
        if element.kind_name() != "identifier" || declarator.start_byte() >= v.start_byte() {
            return None;
        }
        let inner = declarator.field(Field::Value)?;
        return whole_value_hops(inner, src, hops - 1, None)
            .map(|what| format!("`{name}`, from {what}"));
    }
    let path = ast::member_path(v, src)?;
    whole_data_chain_path(&path)
}

/// Uses that do not log the data itself: `typeof body`, `!body`, comparisons,
/// a ternary's condition, `Object.keys(body)`, `Array.isArray(body)`.
fn is_excluded_position(n: Node<'_>, src: &str) -> bool {
    if ast::is_only_tested(n, src) {
        return true;
    }
    let Some(parent) = n.parent() else {
        return false;
    };
    match parent.kind_name() {
        "arguments" => parent.parent().is_some_and(|call| {
            matches!(
                ast::callee_path(call, src).as_deref(),
                Some("Object.keys" | "Array.isArray" | "Boolean" | "Object.getOwnPropertyNames")
            )
        }),
        _ => false,
    }
}
