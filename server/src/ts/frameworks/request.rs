//! Request input: which expressions hold what the client sent.

use super::nest;
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

/// Names the request object goes by (`req`, `request`), also under a holder
/// (`ctx.request` in Koa, `c.req` in Hono, `this.req`).
pub const REQUEST_ROOTS: &[&str] = &["req", "request"];
/// Objects that hold the request: Koa's `ctx`/`context`, Hono's `c`, `this`.
pub const REQUEST_HOLDERS: &[&str] = &["ctx", "context", "c", "this"];
/// Methods that read the whole body: `await req.json()`, `req.text()`,
/// `request.formData()` (Fetch API requests, Hono's `c.req`).
pub const BODY_READERS: &[&str] = &["json", "formData", "text"];

/// Which part of the request an expression holds (for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestPart {
    Body,
    /// `req.rawBody` (Nest, body-parser `verify` hooks).
    RawBody,
    Query,
    /// Route parameters: `req.params`, Next.js `{ params }`, `@Param()`.
    Params,
    Headers,
    Cookies,
    /// The URL's query through the URL API: `searchParams`, `nextUrl.searchParams`.
    SearchParams,
    /// The request itself (`req`, `@Req() req`).
    Whole,
}

impl RequestPart {
    /// The request member that holds this part (`req.<member>`).
    pub fn from_member(member: &str) -> Option<RequestPart> {
        Some(match member {
            "body" => RequestPart::Body,
            "rawBody" => RequestPart::RawBody,
            "query" => RequestPart::Query,
            "params" => RequestPart::Params,
            "headers" => RequestPart::Headers,
            "cookies" => RequestPart::Cookies,
            "searchParams" => RequestPart::SearchParams,
            _ => return None,
        })
    }

    /// The body, parsed or raw.
    pub fn is_body(self) -> bool {
        matches!(self, RequestPart::Body | RequestPart::RawBody)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RequestPart::Body => "body",
            RequestPart::RawBody => "raw body",
            RequestPart::Query => "query",
            RequestPart::Params => "route parameters",
            RequestPart::Headers => "headers",
            RequestPart::Cookies => "cookies",
            RequestPart::SearchParams => "search parameters",
            RequestPart::Whole => "request",
        }
    }
}

/// `req`, `request`, `ctx.request`, `c.req`, `this.req`…: the segments of a
/// dotted path after the request root (empty for the request itself).
pub fn request_rest(path: &str) -> Option<Vec<&str>> {
    let segs: Vec<&str> = path.split('.').collect();
    let first = *segs.first()?;
    if REQUEST_ROOTS.contains(&first) {
        return Some(segs[1..].to_vec());
    }
    if segs.len() >= 2 && REQUEST_HOLDERS.contains(&first) && REQUEST_ROOTS.contains(&segs[1]) {
        return Some(segs[2..].to_vec());
    }
    None
}

/// How many variables [`request_input`] follows (`const raw = await
/// req.text(); const body = JSON.parse(raw)` is two).
const MAX_HOPS: u8 = 2;

/// The part of the request that `expr` holds, or `None` when it is not
/// request input: a member chain under a request root (`req.body.email`,
/// `ctx.request.query`, `c.req.param('id')`), a body read (`await
/// req.json()`, also inside `JSON.parse`), `searchParams` (of `new
/// URL(req.url)`, `req.nextUrl`, or the `{ searchParams }` / `{ params }` a
/// Next.js page or route handler receives, or destructured from `new
/// URL(req.url)`), `headers().get(…)` /
/// `cookies().get(…)` from `next/headers`, a NestJS `@Body()`/`@Query()`/
/// `@Param()`/`@Headers()`/`@Req()` parameter, or a name bound to any of these
/// (followed through two variables and destructuring).
pub fn request_input(expr: Node<'_>, src: &Script<'_>) -> Option<RequestPart> {
    input(expr, src, MAX_HOPS)
}

fn input(expr: Node<'_>, src: &Script<'_>, hops: u8) -> Option<RequestPart> {
    let _level = ast::descend()?;
    let e = ast::unwrap_expr(expr);
    match e.kind_name() {
        "await_expression" => input(e.named_child(0)?, src, hops),
        "identifier" => bound_input(e, src, hops).or_else(|| {
            REQUEST_ROOTS
                .contains(&ast::text(e, src))
                .then_some(RequestPart::Whole)
        }),
        "member_expression" | "subscript_expression" => {
            if let Some(rest) = ast::member_path(e, src)
                .as_deref()
                .and_then(request_rest)
                .map(|r| r.first().map(|s| s.to_string()))
            {
                return Some(match rest {
                    None => RequestPart::Whole,
                    Some(m) => part_of_member(&m),
                });
            }
            // `x.searchParams` of a URL built from the request, `body.email`
            // of a bound body, `req.nextUrl.searchParams`
            let prop = e
                .field(Field::Property)
                .map(|p| ast::text(p, src).to_string())
                .or_else(|| {
                    e.field(Field::Index)
                        .and_then(|i| ast::string_value(i, src))
                });
            let object = e.field(Field::Object)?;
            if prop.as_deref() == Some("searchParams") && url_of_request(object, src, hops) {
                return Some(RequestPart::SearchParams);
            }
            match input(object, src, hops)? {
                RequestPart::Whole => {
                    Some(prop.as_deref().map_or(RequestPart::Whole, part_of_member))
                }
                part => Some(part),
            }
        }
        "call_expression" => call_input(e, src, hops),
        _ => None,
    }
}

/// A member under the request root: a known part, `nextUrl` (its
/// `searchParams`), else the request itself (`req.user`, `req.ip` are the
/// request's, not the client's, but are `Whole` for lack of a better part).
fn part_of_member(member: &str) -> RequestPart {
    match member {
        "nextUrl" => RequestPart::SearchParams,
        m => RequestPart::from_member(m).unwrap_or(RequestPart::Whole),
    }
}

/// `new URL(req.url)`, `req.nextUrl`, or a name bound to one.
fn url_of_request(object: Node<'_>, src: &Script<'_>, hops: u8) -> bool {
    let o = ast::unwrap_expr(object);
    match o.kind_name() {
        "new_expression" => {
            ast::callee_path(o, src).as_deref() == Some("URL")
                && ast::call_arguments(o).first().is_some_and(|a| {
                    ast::member_path(*a, src)
                        .as_deref()
                        .and_then(request_rest)
                        .is_some_and(|r| r == ["url"])
                })
        }
        "identifier" if hops > 0 => src
            .value_of(o, ast::text(o, src))
            .is_some_and(|v| url_of_request(v, src, hops - 1)),
        _ => ast::member_path(o, src)
            .as_deref()
            .and_then(request_rest)
            .is_some_and(|r| r == ["nextUrl"]),
    }
}

fn call_input(call: Node<'_>, src: &Script<'_>, hops: u8) -> Option<RequestPart> {
    let function = call.field(Field::Function)?;
    if ast::callee_path(call, src).as_deref() == Some("JSON.parse") {
        return input(*ast::call_arguments(call).first()?, src, hops);
    }
    if function.kind_name() == "identifier" {
        // `headers().get(…)`, `cookies()` from `next/headers`
        let q = src.qualified_name(function)?;
        return match (q.module.as_str(), q.path.as_slice()) {
            ("next/headers", [m]) if m == "headers" => Some(RequestPart::Headers),
            ("next/headers", [m]) if m == "cookies" => Some(RequestPart::Cookies),
            _ => None,
        };
    }
    if function.kind_name() != "member_expression" {
        return None;
    }
    let method = ast::text(function.field(Field::Property)?, src);
    let object = function.field(Field::Object)?;
    let of = input(object, src, hops)?;
    match (of, method) {
        // `req.json()`, `c.req.json()`
        (RequestPart::Whole, m) if BODY_READERS.contains(&m) => Some(RequestPart::Body),
        // Hono: `c.req.query('q')`, `c.req.param('id')`, `c.req.header('x')`
        (RequestPart::Whole, "query" | "queries") => Some(RequestPart::Query),
        (RequestPart::Whole, "param") => Some(RequestPart::Params),
        (RequestPart::Whole, "header") => Some(RequestPart::Headers),
        (RequestPart::Whole, "parseBody") => Some(RequestPart::Body),
        (RequestPart::Whole, _) => None,
        // `searchParams.get('q')`, `req.headers.get('x')`, `formData.get('f')`
        (part, "get" | "getAll" | "has" | "entries" | "values" | "toString") => Some(part),
        _ => None,
    }
}

/// A name bound to request input: a NestJS decorated parameter, the Next.js
/// `{ params, searchParams }` props, a variable whose value is request input,
/// or a property destructured from request input.
fn bound_input(ident: Node<'_>, src: &Script<'_>, hops: u8) -> Option<RequestPart> {
    let name = ast::text(ident, src);
    let b = src.declaration(ident, name)?;
    match b.kind {
        BindingKind::Param if b.decl.kind_name() != "catch_clause" => {
            if let Some(d) = nest::param_decorators(b.decl, src).next() {
                return Some(d.part);
            }
            // Next.js pages and route handlers: `{ params }`, `{ searchParams }`
            match b.key_name(src).as_deref() {
                Some("searchParams") => Some(RequestPart::SearchParams),
                Some("params") => Some(RequestPart::Params),
                _ => None,
            }
        }
        k if k.is_variable() && hops > 0 => {
            // a use before the declaration is not bound to its value yet
            if b.decl.start_byte() >= ident.start_byte() {
                return None;
            }
            let value = b.value?;
            // `const { searchParams } = new URL(req.url)` (or `= req.nextUrl`)
            if b.destructured
                && b.key_name(src).as_deref() == Some("searchParams")
                && url_of_request(value, src, hops - 1)
            {
                return Some(RequestPart::SearchParams);
            }
            let of = input(value, src, hops - 1)?;
            if !b.destructured {
                return Some(of);
            }
            // `const { body } = req` → the body; `const { email } = req.body` → the body
            match (of, b.key_name(src)) {
                (RequestPart::Whole, Some(key)) => RequestPart::from_member(&key),
                (RequestPart::Whole, None) => None,
                (part, _) => Some(part),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::frameworks::testing::{node_with_text, nodes_of, with_script};

    /// The part of the last expression statement's expression of `src`.
    fn part(src: &str) -> Option<RequestPart> {
        with_script(src, |s, root| {
            let stmt = *nodes_of(root, "expression_statement")
                .last()
                .expect("a statement");
            request_input(stmt.named_child(0).expect("an expression"), &s)
        })
    }

    #[test]
    fn request_rest_strips_roots_and_holders() {
        assert_eq!(request_rest("req.body.email"), Some(vec!["body", "email"]));
        assert_eq!(request_rest("ctx.request.query"), Some(vec!["query"]));
        assert_eq!(request_rest("c.req"), Some(vec![]));
        assert_eq!(request_rest("this.req.headers"), Some(vec!["headers"]));
        assert_eq!(request_rest("requests.body"), None);
        assert_eq!(request_rest("c.body"), None);
        assert_eq!(request_rest("user.req"), None);
    }

    #[test]
    fn member_chains_under_a_request_root() {
        use RequestPart::*;
        assert_eq!(part("req.body;"), Some(Body));
        assert_eq!(part("req.body.email;"), Some(Body));
        assert_eq!(part("req['query'].page;"), Some(Query));
        assert_eq!(
            part("request.headers.get('x-forwarded-for');"),
            Some(Headers)
        );
        assert_eq!(part("ctx.request.cookies;"), Some(Cookies));
        assert_eq!(part("req.params.id;"), Some(Params));
        assert_eq!(part("req;"), Some(Whole));
        assert_eq!(
            part("req.nextUrl.searchParams.get('q');"),
            Some(SearchParams)
        );
    }

    #[test]
    fn body_reads_and_hono() {
        use RequestPart::*;
        assert_eq!(
            part("async function f(req) { await req.json(); }"),
            Some(Body)
        );
        assert_eq!(part("JSON.parse(await request.text());"), Some(Body));
        assert_eq!(part("c.req.query('q');"), Some(Query));
        assert_eq!(part("c.req.param('id');"), Some(Params));
        assert_eq!(part("await c.req.json();"), Some(Body));
        assert_eq!(part("c.req.header('authorization');"), Some(Headers));
    }

    #[test]
    fn search_params() {
        use RequestPart::*;
        assert_eq!(
            part(
                "function GET(req) { const url = new URL(req.url);\n url.searchParams.get('q'); }"
            ),
            Some(SearchParams)
        );
        assert_eq!(part("new URL(req.url).searchParams;"), Some(SearchParams));
        assert_eq!(
            part("export default function Page({ searchParams }) { searchParams.q; }"),
            Some(SearchParams)
        );
        assert_eq!(
            part("export async function GET(req, { params }) { params.id; }"),
            Some(Params)
        );
        assert_eq!(
            part("function GET(request) { const { searchParams, origin } = new URL(request.url);\n searchParams.get('next'); }"),
            Some(SearchParams)
        );
        // near misses: a URL not built from the request, a plain `params` parameter,
        // the origin destructured beside `searchParams`
        assert_eq!(part("new URL(base).searchParams;"), None);
        // destructured from the URL of the request (and a near miss)
        assert_eq!(
            part("function GET(req) { const { searchParams } = new URL(req.url);\n searchParams.get('q'); }"),
            Some(SearchParams)
        );
        assert_eq!(
            part("function GET(req) { const { searchParams } = new URL(base);\n searchParams.get('q'); }"),
            None
        );
        assert_eq!(
            part("function GET(request) { const { searchParams, origin } = new URL(request.url);\n origin; }"),
            None
        );
        assert_eq!(
            part("function GET() { const { searchParams } = new URL(base);\n searchParams.get('next'); }"),
            None
        );
        assert_eq!(part("function f(params) { params.id; }"), None);
    }

    #[test]
    fn next_headers_and_cookies() {
        let src = "import { headers, cookies } from 'next/headers';\nheaders().get('x');\n";
        assert_eq!(part(src), Some(RequestPart::Headers));
        let src = "import { cookies } from 'next/headers';\ncookies().get('session');\n";
        assert_eq!(part(src), Some(RequestPart::Cookies));
        // a local `headers()` is not Next's
        assert_eq!(
            part("function headers() { return {}; }\nheaders().get('x');\n"),
            None
        );
    }

    #[test]
    fn nest_parameters() {
        use RequestPart::*;
        let src = "class C {\n  create(@Body() dto, @Query('page') page, @Req() req, other) {\n    dto;\n    page;\n    other;\n  }\n}\n";
        with_script(src, |s, root| {
            let of = |name: &str| {
                let uses: Vec<_> = nodes_of(root, "identifier")
                    .into_iter()
                    .filter(|n| ast::text(*n, &s) == name)
                    .collect();
                request_input(*uses.last().expect("a use"), &s)
            };
            assert_eq!(of("dto"), Some(Body));
            assert_eq!(of("page"), Some(Query));
            assert_eq!(of("req"), Some(Whole));
            assert_eq!(of("other"), None);
        });
    }

    #[test]
    fn names_bound_to_request_input() {
        use RequestPart::*;
        assert_eq!(part("const { body } = req;\nbody;"), Some(Body));
        assert_eq!(part("const { email } = req.body;\nemail;"), Some(Body));
        assert_eq!(
            part("const data = await req.json();\ndata.email;"),
            Some(Body)
        );
        assert_eq!(
            part("const raw = await req.text();\nconst event = JSON.parse(raw);\nevent;"),
            Some(Body)
        );
        // near misses: an unrelated destructured key, a value assigned later,
        // a shadowing parameter, more than two variables
        assert_eq!(part("const { user } = req;\nuser;"), None);
        assert_eq!(part("x;\nvar x = req.body;"), None);
        assert_eq!(
            part("const body = req.body;\nfunction f(body) { body; }"),
            None
        );
        assert_eq!(
            part("const a = req.body;\nconst b = a;\nconst c = b;\nc;"),
            None
        );
    }

    #[test]
    fn near_misses() {
        assert_eq!(part("res.body;"), None);
        assert_eq!(part("requests.body;"), None);
        assert_eq!(part("response.json();"), None);
        assert_eq!(part("'req.body';"), None);
        assert_eq!(part("c.json({ ok: true });"), None);
        with_script("foo(req.user);", |s, root| {
            let n = node_with_text(root, &s, "member_expression", "req.user");
            assert_eq!(request_input(n, &s), Some(RequestPart::Whole));
        });
    }
}
