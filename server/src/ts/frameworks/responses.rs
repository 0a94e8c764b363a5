//! HTTP responses: which calls send one, with which status and body.

use super::{method_call, object_property};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// Objects a response is sent through: Express/Next `res`, `response`,
/// Fastify's `reply`.
pub const RESPONSE_ROOTS: &[&str] = &["res", "response", "reply"];
/// Methods that send a body on an Express/Fastify response.
const SENDERS: &[&str] = &["json", "send", "end", "jsonp"];
/// Methods of Hono's context that answer with a body and an optional status.
const HONO_SENDERS: &[&str] = &["json", "text", "html", "body"];

/// An HTTP response sent or built by a call.
#[derive(Clone, Debug)]
pub struct HttpResponse<'t> {
    /// The call or `new` expression.
    pub node: Node<'t>,
    /// The status code when written as a number literal (`None`: not given
    /// here, or computed).
    pub status: Option<u16>,
    /// The node that sets the status (`500` in `res.status(500)`, the
    /// `status` property's value), literal or not.
    pub status_node: Option<Node<'t>>,
    pub body: Option<Node<'t>>,
    /// The `headers` value of a Fetch API response's init object.
    pub headers: Option<Node<'t>>,
}

/// `node` as a response: `res.status(n).json(x)`, `res.json(x)`,
/// `res.send(x)`, `reply.code(n).send(x)`, `NextResponse.json(x, { status })`,
/// `Response.json(x, init)`, `new Response(body, { status, headers })`,
/// `new NextResponse(…)`, Hono's `c.json(x, n)` / `c.text(x, n)`.
pub fn response_of<'t>(node: Node<'t>, src: &str) -> Option<HttpResponse<'t>> {
    match node.kind_name() {
        "new_expression" => {
            let ctor = ast::callee_path(node, src)?;
            matches!(ctor.as_str(), "Response" | "NextResponse")
                .then(|| fetch_response(node, 0, src))
        }
        "call_expression" => {
            let (method, object) = method_call(node, src)?;
            let args = ast::call_arguments(node);
            let object_path = ast::member_path(object, src);
            match (object_path.as_deref(), method) {
                (Some("Response" | "NextResponse"), "json") => Some(fetch_response(node, 0, src)),
                (Some("c" | "ctx" | "context"), m) if HONO_SENDERS.contains(&m) => {
                    let status_node = args.get(1).copied();
                    Some(HttpResponse {
                        node,
                        status: status_node.and_then(|s| status_literal(s, src)),
                        status_node,
                        body: args.first().copied(),
                        headers: args.get(2).copied(),
                    })
                }
                _ if SENDERS.contains(&method) => {
                    let status_node = status_in_chain(object, src);
                    let root_ok =
                        root_name(object, src).is_some_and(|r| RESPONSE_ROOTS.contains(&r));
                    root_ok.then(|| HttpResponse {
                        node,
                        status: status_node.and_then(|s| status_literal(s, src)),
                        status_node,
                        body: args.first().copied(),
                        headers: None,
                    })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A Fetch API response: body at `body_at`, init object after it.
fn fetch_response<'t>(node: Node<'t>, body_at: usize, src: &str) -> HttpResponse<'t> {
    let args = ast::call_arguments(node);
    let init = args
        .get(body_at + 1)
        .map(|a| ast::unwrap_expr(*a))
        .filter(|i| i.kind_name() == "object");
    let prop = |key: &str| init.and_then(|o| object_property(o, key, src));
    let status_node = prop("status");
    HttpResponse {
        node,
        status: status_node.and_then(|s| status_literal(s, src)),
        status_node,
        body: args.get(body_at).copied(),
        headers: prop("headers"),
    }
}

/// The argument of `.status(n)` / `.code(n)` / `.writeHead(n)` in a chain.
fn status_in_chain<'t>(object: Node<'t>, src: &str) -> Option<Node<'t>> {
    let mut cur = ast::unwrap_expr(object);
    for _ in 0..8 {
        let (m, receiver) = method_call(cur, src)?;
        if matches!(m, "status" | "code" | "writeHead") {
            return ast::call_arguments(cur).first().copied();
        }
        cur = receiver;
    }
    None
}

/// The identifier at the root of a chain of calls and members (`res` in
/// `res.status(500).set(h)`), `this.res` → `res`.
fn root_name<'s>(expr: Node<'_>, src: &'s str) -> Option<&'s str> {
    let mut cur = ast::unwrap_expr(expr);
    for _ in 0..16 {
        match cur.kind_name() {
            "identifier" => return Some(ast::text(cur, src)),
            "member_expression" => {
                let obj = ast::unwrap_expr(cur.field(Field::Object)?);
                if obj.kind_name() == "this" {
                    return Some(ast::text(cur.field(Field::Property)?, src));
                }
                cur = obj;
            }
            "call_expression" => cur = cur.field(Field::Function)?,
            _ => return None,
        }
    }
    None
}

fn status_literal(node: Node<'_>, src: &str) -> Option<u16> {
    let n = ast::unwrap_expr(node);
    (n.kind_name() == "number")
        .then(|| ast::text(n, src).parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::frameworks::testing::{nodes_of, with_script};

    /// (status, body text) of every response in `src`.
    fn responses(src: &str) -> Vec<(Option<u16>, Option<String>)> {
        with_script(src, |s, root| {
            let mut out = Vec::new();
            ast::visit(root, &mut |n| {
                if let Some(r) = response_of(n, &s) {
                    out.push((r.status, r.body.map(|b| ast::text(b, &s).to_string())));
                }
                true
            });
            out
        })
    }

    fn b(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn express_and_fastify() {
        assert_eq!(
            responses("res.status(500).json({ error: err.message });\nres.json(user);\nres.status(404).send('no');\nreply.code(429).send({ e: 1 });\nres.status(code).end();\n"),
            vec![
                (Some(500), b("{ error: err.message }")),
                (None, b("user")),
                (Some(404), b("'no'")),
                (Some(429), b("{ e: 1 }")),
                (None, None),
            ]
        );
    }

    #[test]
    fn fetch_api_next_and_hono() {
        assert_eq!(
            responses("NextResponse.json({ error: e.stack }, { status: 500 });\nnew Response('slow down', { status: 429, headers: { 'Retry-After': '60' } });\nResponse.json(data);\nc.json({ ok: false }, 401);\n"),
            vec![
                (Some(500), b("{ error: e.stack }")),
                (Some(429), b("'slow down'")),
                (None, b("data")),
                (Some(401), b("{ ok: false }")),
            ]
        );
        with_script("new Response(null, { status, headers: h });", |s, root| {
            let n = nodes_of(root, "new_expression")[0];
            let r = response_of(n, &s).expect("a response");
            assert_eq!(r.status, None);
            assert_eq!(r.status_node.map(|x| ast::text(x, &s)), Some("status"));
            assert_eq!(r.headers.map(|x| ast::text(x, &s)), Some("h"));
        });
    }

    #[test]
    fn near_misses() {
        // not a response object, a request's json(), a status read, a client call
        assert!(responses("data.json(x);\nawait req.json();\nres.status;\nclient.send(msg);\nJSON.stringify(res);\nnew Request(url, { status: 500 });\n").is_empty());
    }
}
