//! The HTTP model of a script file: what the request-handling rules ask about
//! frameworks, answered in one place instead of once per rule.
//!
//! Every question is a function over tree-sitter nodes and the file's
//! [`Script`](crate::ts::semantic::Script) (its text and semantic model); none
//! walks the whole file (they look at a node, its ancestors, the enclosing
//! handler, or the statements beside a route registration, all bounded):
//!
//! | module | answers |
//! |---|---|
//! | [`handlers`] | is this function an HTTP handler (Next.js route handler, `pages/api`, server action, middleware; Express/Fastify/Hono/Koa route; NestJS controller method), of which framework, method, path, request/response parameter names, middleware |
//! | [`request`] | is this expression request input (`req.body`, `await req.json()`, `c.req.query()`, `searchParams`, a NestJS `@Body()` parameter, a name bound to one), and which part |
//! | [`responses`] | is this call an HTTP response (`res.status(500).json(x)`, `NextResponse.json(x, { status })`, `new Response`, `c.json(x, 429)`), its status and body |
//! | [`auth`] | is this an auth call (a configurable list), does a handler authenticate (in its body, a wrapper, route or router middleware, a Nest guard) |
//! | [`effects`] | does a handler visibly change something: a write, send or spend call (one hop into functions of the file) |
//! | [`webhooks`] | is a handler a webhook receiver, and for which provider |
//! | [`logging`] | is this call a logging call (`console.*`, pino/winston/bunyan instances and their children, Nest `Logger`), at which level, with which arguments |
//! | [`nest`] | NestJS decorators: route methods, controllers, guards, parameter decorators |
//!
//! A new framework goes into the module of the question it answers (a new
//! router library: [`handlers::Framework`] and `handlers::router_framework`;
//! a new request shape: [`request`]; a new response helper: [`responses`]),
//! with unit tests beside it (positive cases and near misses).

pub mod auth;
pub mod effects;
pub mod handlers;
pub mod logging;
pub mod nest;
pub mod next;
pub mod request;
pub mod responses;
pub mod webhooks;

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// The value of `key: value` (or the shorthand `key`) in an object literal.
pub fn object_property<'t>(object: Node<'t>, key: &str, src: &str) -> Option<Node<'t>> {
    property_where(object, src, |name, _| name == key)
}

/// [`object_property`] with the key compared case-insensitively (cookie
/// options: `httponly`, `SameSite`).
pub fn object_property_ignore_case<'t>(object: Node<'t>, key: &str, src: &str) -> Option<Node<'t>> {
    property_where(object, src, |name, _| name.eq_ignore_ascii_case(key))
}

/// The value of the first property of an object literal whose key (a string
/// key unquoted) and value satisfy `is` (a shorthand `key` is its own value).
pub fn property_where<'t>(
    object: Node<'t>,
    src: &str,
    is: impl Fn(&str, Node<'t>) -> bool,
) -> Option<Node<'t>> {
    let mut c = object.walk();
    let found = object
        .named_children(&mut c)
        .find_map(|p| match p.kind_name() {
            "pair" => {
                let k = p.field(Field::Key)?;
                let name =
                    ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).to_string());
                let value = p.field(Field::Value)?;
                is(&name, value).then_some(value)
            }
            "shorthand_property_identifier" => is(ast::text(p, src), p).then_some(p),
            _ => None,
        });
    found
}

/// An object literal, or a simple variable bound to one (`const opts = {…}`);
/// `None` for anything else, or an object with a spread (its keys are unknown).
pub fn object_literal<'t>(expr: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let o = ast::unwrap_expr(expr);
    let o = match o.kind_name() {
        "object" => o,
        "identifier" => ast::unwrap_expr(src.value_of(o, ast::text(o, src))?),
        _ => return None,
    };
    if o.kind_name() != "object" {
        return None;
    }
    let mut c = o.walk();
    let spread = o
        .named_children(&mut c)
        .any(|p| p.kind_name() == "spread_element");
    (!spread).then_some(o)
}

/// `receiver.method(…)`: the method's name and the receiver (parentheses,
/// `as` and `!` around the receiver looked through); `None` for other calls.
pub fn method_call<'t, 's>(call: Node<'t>, src: &'s str) -> Option<(&'s str, Node<'t>)> {
    if call.kind_name() != "call_expression" {
        return None;
    }
    let function = call.field(Field::Function)?;
    if function.kind_name() != "member_expression" {
        return None;
    }
    Some((
        ast::text(function.field(Field::Property)?, src),
        ast::unwrap_expr(function.field(Field::Object)?),
    ))
}

#[cfg(test)]
mod tests {
    use super::testing::{nodes_of, with_script};
    use super::*;

    #[test]
    fn object_literals_through_variables() {
        let src =
            "const o = { a: 1 };\nconst s = { ...o };\nf({ b: 2 }, o, s, { ...o }, g(), p);\n";
        with_script(src, |s, root| {
            // `f(…)`, before the `g()` inside it
            let call = nodes_of(root, "call_expression")[0];
            let found: Vec<Option<&str>> = ast::call_arguments(call)
                .into_iter()
                .map(|a| object_literal(a, &s).map(|o| ast::text(o, &s)))
                .collect();
            assert_eq!(
                found,
                vec![Some("{ b: 2 }"), Some("{ a: 1 }"), None, None, None, None]
            );
        });
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::language::Language;
    use crate::ts::ast;
    use crate::ts::kind::KindExt;
    use crate::ts::semantic::{Script, Semantic};
    use tree_sitter::Node;

    /// Parse `src` (TypeScript), build its model, and give `f` the script and
    /// the root.
    pub fn with_script<R>(src: &str, f: impl for<'t> FnOnce(Script<'t>, Node<'t>) -> R) -> R {
        let tree = crate::ts::parse(src, Language::TypeScript, None).expect("parses");
        let root = tree.root_node();
        let sem = Semantic::build(root, src);
        let script = Script {
            source: src,
            semantic: &sem,
        };
        f(script, root)
    }

    /// `f` of the first function of `src` that is a handler in `file`.
    pub fn with_first_handler<R>(
        src: &str,
        file: &str,
        f: impl for<'t> Fn(&super::handlers::Handler<'t>, &Script<'t>) -> R,
    ) -> R {
        with_script(src, |s, root| {
            let mut out = None;
            ast::visit(root, &mut |n| {
                if out.is_none() && ast::is_function(n) {
                    if let Some(h) = super::handlers::handler_of(n, &s, file) {
                        out = Some(f(&h, &s));
                    }
                }
                true
            });
            out.expect("a handler")
        })
    }

    /// Every node of `kind` under `root`, in document order.
    pub fn nodes_of<'t>(root: Node<'t>, kind: &str) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        ast::visit(root, &mut |n| {
            if n.kind_name() == kind {
                out.push(n);
            }
            true
        });
        out
    }

    /// The first node of `kind` whose text is `text`.
    pub fn node_with_text<'t>(root: Node<'t>, src: &str, kind: &str, text: &str) -> Node<'t> {
        nodes_of(root, kind)
            .into_iter()
            .find(|n| ast::text(*n, src) == text)
            .unwrap_or_else(|| panic!("no {kind} `{text}`"))
    }
}
