//! HTTP responses: which calls send one, with which status and body.

use super::{method_call, object_property};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
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
                // `res.sendStatus(429)`: a status and its reason phrase, no body of ours
                (_, "sendStatus")
                    if root_name(object, src).is_some_and(|r| RESPONSE_ROOTS.contains(&r)) =>
                {
                    let status_node = args.first().copied();
                    Some(HttpResponse {
                        node,
                        status: status_node.and_then(|s| status_literal(s, src)),
                        status_node,
                        body: None,
                        headers: None,
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
pub fn root_name<'s>(expr: Node<'_>, src: &'s str) -> Option<&'s str> {
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

/// Whether a response sets a header, as far as the response expression shows.
#[derive(Clone, Copy, Debug)]
pub enum HeaderState<'t> {
    /// Set, to this value.
    Set(Node<'t>),
    /// Not among headers that are all written out here (an object literal,
    /// `new Headers({…})`, a name bound to one, the `.set(…)` calls of an
    /// Express/Fastify chain), or no headers at all.
    Absent,
    /// The headers come from something this file does not show (a helper's
    /// result, a parameter, a spread).
    Unknown,
}

/// Methods that set a header on an Express/Fastify/Node response (`res.set(name,
/// value)`, `res.set({ … })`, `reply.header(…)`, `res.setHeader(…)`).
const HEADER_SETTERS: &[&str] = &["set", "setHeader", "header", "append", "headers"];

/// Whether `resp` sets the header `name` (case-insensitive): in the Fetch API
/// init's `headers` (Next.js, `new Response`), Hono's third argument, or the
/// chain before an Express/Fastify sender (`res.status(429).set('Retry-After',
/// '60').json(…)`). Statements before the response (`res.set(…);`) are not
/// looked at: the caller decides whether its function sets the header elsewhere.
pub fn response_header<'t>(
    resp: &HttpResponse<'t>,
    name: &str,
    src: &Script<'t>,
) -> HeaderState<'t> {
    if let Some(h) = resp.headers {
        return headers_value(h, name, src, 2);
    }
    if resp.node.kind_name() != "call_expression" {
        return HeaderState::Absent;
    }
    let Some((_, object)) = method_call(resp.node, src) else {
        return HeaderState::Absent;
    };
    let mut cur = object;
    for _ in 0..8 {
        let Some((m, receiver)) = method_call(cur, src) else {
            break;
        };
        if HEADER_SETTERS.contains(&m) {
            let args = ast::call_arguments(cur);
            match args.first().map(|a| ast::unwrap_expr(*a)) {
                Some(a) if ast::is_string_like(a) => {
                    let named =
                        ast::string_value(a, src).is_some_and(|k| k.eq_ignore_ascii_case(name));
                    if let (true, Some(v)) = (named, args.get(1)) {
                        return HeaderState::Set(*v);
                    }
                }
                Some(a) => {
                    if let s @ (HeaderState::Set(_) | HeaderState::Unknown) =
                        headers_value(a, name, src, 2)
                    {
                        return s;
                    }
                }
                None => {}
            }
        }
        cur = receiver;
    }
    HeaderState::Absent
}

/// `name` in a headers value: an object literal, `new Headers(init)`, or a
/// simple variable bound to one (`hops` more).
fn headers_value<'t>(value: Node<'t>, name: &str, src: &Script<'t>, hops: u8) -> HeaderState<'t> {
    let v = ast::unwrap_expr(value);
    match v.kind_name() {
        "object" => {
            let mut c = v.walk();
            let mut unknown = false;
            for p in v.named_children(&mut c) {
                match p.kind_name() {
                    "pair" => {
                        let Some(k) = p.field(Field::Key) else {
                            continue;
                        };
                        let key = ast::string_value(k, src)
                            .unwrap_or_else(|| ast::text(k, src).to_string());
                        if key.eq_ignore_ascii_case(name) {
                            if let Some(val) = p.field(Field::Value) {
                                return HeaderState::Set(val);
                            }
                        }
                        // a computed key may be the header
                        unknown |= k.kind_name() == "computed_property_name";
                    }
                    "comment" => {}
                    _ => unknown = true,
                }
            }
            if unknown {
                HeaderState::Unknown
            } else {
                HeaderState::Absent
            }
        }
        "new_expression" if ast::callee_path(v, src).as_deref() == Some("Headers") => {
            match ast::call_arguments(v).first() {
                Some(init) => headers_value(*init, name, src, hops),
                // `new Headers()` then `headers.set(…)`: not shown here
                None => HeaderState::Unknown,
            }
        }
        "identifier" if hops > 0 => match src.value_of(v, ast::text(v, src)) {
            Some(init) => headers_value(init, name, src, hops - 1),
            None => HeaderState::Unknown,
        },
        _ => HeaderState::Unknown,
    }
}

/// A cookie written to a response.
#[derive(Clone, Debug)]
pub struct CookieWrite<'t> {
    /// The call.
    pub call: Node<'t>,
    /// The cookie's name (`None` in an object form without a `name`).
    pub name: Option<Node<'t>>,
    pub value: Option<Node<'t>>,
    /// The options object or expression (`None` when not given); in the
    /// object form (`cookies.set({ name, value, httpOnly })`) the object itself.
    pub options: Option<Node<'t>>,
    /// The framework makes cookies `httpOnly` unless told otherwise and
    /// `secure` on HTTPS requests (Koa).
    pub secure_defaults: bool,
}

/// `call` as a cookie write: Express `res.cookie(name, value, options)`,
/// Fastify `reply.setCookie(…)`, Next.js `cookies().set(…)` (also awaited or
/// through a variable) and `response.cookies.set(…)` (either the positional or
/// the object form), Koa `ctx.cookies.set(…)`, Hono `setCookie(c, name, value,
/// options)` from `hono/cookie`. A request's cookies (`request.cookies.set` in
/// Next.js middleware) are not sent to the browser: not a write.
pub fn cookie_write<'t>(call: Node<'t>, src: &Script<'t>) -> Option<CookieWrite<'t>> {
    let args = ast::call_arguments(call);
    let positional = |at: usize, secure_defaults: bool| {
        let first = args.get(at).map(|a| ast::unwrap_expr(*a));
        if let Some(obj) = first.filter(|f| f.kind_name() == "object" && args.len() == at + 1) {
            return Some(CookieWrite {
                call,
                name: object_property(obj, "name", src),
                value: object_property(obj, "value", src),
                options: Some(obj),
                secure_defaults,
            });
        }
        Some(CookieWrite {
            call,
            name: Some(*args.get(at)?),
            value: args.get(at + 1).copied(),
            options: args.get(at + 2).copied(),
            secure_defaults,
        })
    };
    let function = call.field(Field::Function)?;
    if function.kind_name() == "identifier" {
        let q = src.qualified_name(function)?;
        return (q.module == "hono/cookie" && q.path == ["setCookie"])
            .then(|| positional(1, false))
            .flatten();
    }
    let (method, object) = method_call(call, src)?;
    let root = root_name(object, src);
    match method {
        "cookie" | "setCookie" if root.is_some_and(|r| RESPONSE_ROOTS.contains(&r)) => {
            positional(0, false)
        }
        "set" => {
            let object = ast::unwrap_expr(object);
            let store = if object.kind_name() == "member_expression" {
                let prop = object.field(Field::Property)?;
                if ast::text(prop, src) != "cookies" {
                    return None;
                }
                let holder = root_name(object.field(Field::Object)?, src);
                if holder.is_some_and(|h| super::request::REQUEST_ROOTS.contains(&h)) {
                    return None;
                }
                // Koa: `ctx.cookies.set` is httpOnly by default
                let koa = holder.is_some_and(|h| matches!(h, "ctx" | "context"));
                return positional(0, koa);
            } else {
                next_cookie_store(object, src, 2)
            };
            store.then(|| positional(0, false)).flatten()
        }
        _ => None,
    }
}

/// `cookies()` from `next/headers`, awaited or not, or a variable bound to it.
fn next_cookie_store(expr: Node<'_>, src: &Script<'_>, hops: u8) -> bool {
    let e = ast::unwrap_expr(expr);
    match e.kind_name() {
        "await_expression" => e
            .named_child(0)
            .is_some_and(|x| next_cookie_store(x, src, hops)),
        "call_expression" => e.field(Field::Function).is_some_and(|f| {
            src.qualified_name(f)
                .is_some_and(|q| q.module == "next/headers" && q.path == ["cookies"])
        }),
        "identifier" if hops > 0 => src
            .value_of(e, ast::text(e, src))
            .is_some_and(|v| next_cookie_store(v, src, hops - 1)),
        _ => false,
    }
}

/// A redirect: the call and the target location.
#[derive(Clone, Debug)]
pub struct Redirect<'t> {
    pub call: Node<'t>,
    pub target: Node<'t>,
}

/// Modules whose `redirect` (and `permanentRedirect`) function answers with one.
const REDIRECT_MODULES: &[&str] = &[
    "next/navigation",
    "@remix-run/node",
    "@remix-run/cloudflare",
    "react-router",
    "@sveltejs/kit",
];

/// `call` as a redirect: `res.redirect([status,] url)` (Express, Fastify),
/// `NextResponse.redirect(url)`, `Response.redirect(url)`, Hono's
/// `c.redirect(url)`, Koa's `ctx.redirect(url)`, and `redirect(url)` imported
/// from `next/navigation` (Remix, React Router, SvelteKit alike).
pub fn redirect_of<'t>(call: Node<'t>, src: &Script<'t>) -> Option<Redirect<'t>> {
    let function = call.field(Field::Function)?;
    let args = ast::call_arguments(call);
    // the location is the argument that is not a status code
    let target = || {
        args.iter()
            .copied()
            .find(|a| ast::unwrap_expr(*a).kind_name() != "number")
    };
    if function.kind_name() == "identifier" {
        let q = src.qualified_name(function)?;
        let known = REDIRECT_MODULES.contains(&q.module.as_str())
            && matches!(q.path.as_slice(), [p] if p == "redirect" || p == "permanentRedirect");
        return known
            .then(|| target().map(|t| Redirect { call, target: t }))
            .flatten();
    }
    let (method, object) = method_call(call, src)?;
    if method != "redirect" {
        return None;
    }
    let root = ast::member_path(object, src)?;
    let known = matches!(
        root.as_str(),
        "NextResponse" | "Response" | "c" | "ctx" | "context"
    ) || RESPONSE_ROOTS.contains(&root.as_str())
        || root
            .strip_prefix("this.")
            .is_some_and(|r| RESPONSE_ROOTS.contains(&r));
    known
        .then(|| target().map(|t| Redirect { call, target: t }))
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

    /// What `response_header` says of `Retry-After` for each response in `src`.
    fn retry_after(src: &str) -> Vec<String> {
        with_script(src, |s, root| {
            let mut out = Vec::new();
            ast::visit(root, &mut |n| {
                if let Some(r) = response_of(n, &s) {
                    out.push(match response_header(&r, "Retry-After", &s) {
                        HeaderState::Set(v) => format!("set {}", ast::text(v, &s)),
                        HeaderState::Absent => "absent".to_string(),
                        HeaderState::Unknown => "unknown".to_string(),
                    });
                }
                true
            });
            out
        })
    }

    #[test]
    fn response_headers() {
        assert_eq!(
            retry_after("new Response('x', { status: 429, headers: { 'retry-after': '30' } });\nres.status(429).set('Retry-After', String(s)).json(e);\nreply.code(429).header('Retry-After', 60).send(e);\nres.status(429).set({ 'Retry-After': '5' }).json(e);\nconst h = { 'Retry-After': '1' };\nNextResponse.json(e, { status: 429, headers: h });\nc.json(e, 429, { 'Retry-After': '9' });\nnew Response(null, { status: 429, headers: new Headers({ 'Retry-After': '2' }) });\n"),
            vec!["set '30'", "set String(s)", "set 60", "set '5'", "set '1'", "set '9'", "set '2'"]
        );
        // absent: nothing written, or written out without it
        assert_eq!(
            retry_after("res.status(429).json(e);\nNextResponse.json(e, { status: 429 });\nnew Response('x', { status: 429, headers: { 'Content-Type': 'text/plain' } });\nc.json(e, 429);\nres.sendStatus(429);\n"),
            vec!["absent"; 5]
        );
        // unknown: from a helper, a parameter, a spread, an empty `Headers`
        assert_eq!(
            retry_after("function f(h) {\n  NextResponse.json(e, { status: 429, headers: rateLimitHeaders(r) });\n  new Response('x', { status: 429, headers: { ...base } });\n  NextResponse.json(e, { status: 429, headers: h });\n  res.status(429).set(headers).json(e);\n  new Response('x', { status: 429, headers: new Headers() });\n}\n"),
            vec!["unknown"; 5]
        );
    }

    /// (name, options) text of each cookie write in `src`.
    fn cookies(src: &str) -> Vec<(String, String, bool)> {
        with_script(src, |s, root| {
            nodes_of(root, "call_expression")
                .into_iter()
                .filter_map(|c| cookie_write(c, &s))
                .map(|w| {
                    let t = |n: Option<Node<'_>>| {
                        n.map_or("-".into(), |n| ast::text(n, &s).to_string())
                    };
                    (t(w.name), t(w.options), w.secure_defaults)
                })
                .collect()
        })
    }

    #[test]
    fn cookie_writes() {
        let found = cookies("import { cookies } from 'next/headers';\nimport { setCookie } from 'hono/cookie';\nres.cookie('session', id, { httpOnly: true });\nreply.setCookie('token', t);\ncookies().set('auth', t, opts);\nconst store = await cookies();\nstore.set({ name: 'sid', value: v });\nresponse.cookies.set('a', b);\nctx.cookies.set('koa', v);\nsetCookie(c, 'hono', v, { secure: true });\n");
        let f = |a: &str, b: &str, k: bool| (a.to_string(), b.to_string(), k);
        assert_eq!(
            found,
            vec![
                f("'session'", "{ httpOnly: true }", false),
                f("'token'", "-", false),
                f("'auth'", "opts", false),
                f("'sid'", "{ name: 'sid', value: v }", false),
                f("'a'", "-", false),
                f("'koa'", "-", true),
                f("'hono'", "{ secure: true }", false),
            ]
        );
    }

    #[test]
    fn cookie_near_misses() {
        // a request's cookies, a map, headers, a `cookies` not from next/headers, a read
        assert!(cookies("request.cookies.set('x', v);\nmap.set('session', v);\nheaders.set('Set-Cookie', v);\nfunction cookies() {}\ncookies().set('session', v);\nres.cookies.get('session');\nuser.cookie('session', v);\n").is_empty());
    }

    fn redirects(src: &str) -> Vec<String> {
        with_script(src, |s, root| {
            nodes_of(root, "call_expression")
                .into_iter()
                .filter_map(|c| redirect_of(c, &s))
                .map(|r| ast::text(r.target, &s).to_string())
                .collect()
        })
    }

    #[test]
    fn redirect_targets() {
        assert_eq!(
            redirects("import { redirect } from 'next/navigation';\nres.redirect(a);\nres.redirect(302, b);\nNextResponse.redirect(new URL(c, req.url));\nc.redirect(d, 301);\nctx.redirect(e);\nredirect(f);\nResponse.redirect(g);\n"),
            vec!["a", "b", "new URL(c, req.url)", "d", "e", "f", "g"]
        );
        // a local `redirect`, another object's method, a redirect with no target
        assert!(redirects(
            "function redirect(x) {}\nredirect(a);\nrouter.redirect(b);\nres.redirect(301);\n"
        )
        .is_empty());
    }
}
