use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, OptionKind, RuleLanguage, RuleMeta, RuleOption, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{require_source, Script};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "cors-wildcard",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: false,
        summary: "CORS that lets other sites use the session: a reflected `Origin` or `*` with credentials, a bare `cors()` or reflection where the app uses cookies",
        docs: DOCS,
        triggers: &["cors", "access-control-allow-origin"],
        also_triggers: &[],
        options: RuleOptions::typed::<CorsOptions>(&[RuleOption {
            name: "strict",
            kind: OptionKind::Bool,
            default: "false",
            help: "Also flag a plain `*` (and a reflected origin or bare `cors()`) without credentials or cookie sessions",
        }]),
    },
    kinds: &["call_expression", "pair"],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags CORS configurations that let other web sites act as the signed-in user:

- **error**: a reflected origin with credentials — `origin: true` with
  `credentials: true`, or `Access-Control-Allow-Origin` set to the raw request
  `Origin` (`req.headers.origin`, `request.headers.get('origin')`) next to
  `Access-Control-Allow-Credentials: true`; and `*` with credentials
  (`cors({ origin: '*', credentials: true })`, options with `credentials: true`
  but no `origin`, or both headers by hand). Browsers refuse `*` together with
  credentials, so such requests fail, and the usual "fix" (reflecting the
  request's `Origin`) lets any site act as the user.
- **warn**: a reflected origin (`origin: true`, the raw `Origin` header) or a bare
  `cors()` / `app.use(cors())` / NestJS `app.enableCors()` /
  `NestFactory.create(AppModule, { cors: true })` / Hono `cors()` /
  `fastify.register(cors)` without an `origin` option (they all default to `*`),
  in a file that **uses cookie sessions**: it imports `express-session`,
  `cookie-session`, `cookie-parser`, `next-auth`/`@auth/…`, `iron-session`,
  `better-auth`, `@fastify/cookie`/`@fastify/session`, `hono/cookie`,
  `koa-session`; reads or sets cookies (`req.cookies`, `req.session`,
  `res.cookie(…)`, `cookies()`, `setCookie(…)`/`getCookie(…)`, a `Set-Cookie`
  header); or allows credentials somewhere (`credentials: true`,
  `Access-Control-Allow-Credentials`). The signal is read from the same file.
- a plain `*` without credentials (`cors({ origin: '*' })`, the header set to
  `'*'` by `res.setHeader`/`res.header`/`headers.set`, in a
  `Response`/`NextResponse`/`new Headers` headers object or a `next.config`
  `headers()` entry), and a bare `cors()` or reflected origin where the file
  shows no cookie sessions, are **not findings by default**: without credentials
  the browser sends no cookies, so public APIs, bearer-token/API-key APIs and
  static assets are fine. Set the rule's `strict` option to flag them too.

`cors` must be imported from `cors`, `hono/cors` or `@fastify/cors` (a local
function called `cors` is not checked). Only **response** headers count.

Not flagged (even with `strict`): origins taken from configuration
(`process.env.X`, an allowlist array, a function that checks an allowlist),
reflecting the `Origin` after an allowlist check (`if (allowed.includes(origin))`),
wildcards in the non-production branch of an environment check, headers of an
outgoing request (`fetch(url, { headers })`, `axios`, `ky`, `got`,
`new Request(…)`, `req.headers.set`, `proxyReq.setHeader`), the `*` branch inside
a CORS helper's own implementation (`if (origin === '*') headers.set(…, '*')`),
and public/static responses (a `next.config` `headers()` `source` for assets,
fonts, images or OpenAPI documents; a response whose `Content-Type` is an image,
font, stylesheet or script, or whose `Cache-Control` is `public, … immutable`).

## Options
```toml
[rules.cors-wildcard]
level = "warn"   # or the short form: cors-wildcard = "warn"
strict = true    # also flag a plain `*`, and a bare cors() / reflected origin without cookie sessions
```

## Why is this bad?
With credentials, a reflected origin lets any page the user visits read the API's
responses and act as the logged-in user. `*` with credentials does not work at
all in browsers, and is usually "fixed" by reflecting the origin. A bare
`cors()` in an app with cookie sessions opens every route to every origin, one
`credentials: true` away from that.

## Examples
```ts flagged lines=2
import cors from 'cors';
app.use(cors({ origin: true, credentials: true }));
```

```ts flagged lines=4
import cors from 'cors';
import session from 'express-session';
app.use(session({ secret: process.env.SESSION_SECRET }));
app.use(cors());
```

```ts flagged lines=4
export async function GET(req) {
  return Response.json(data, {
    headers: {
      'Access-Control-Allow-Origin': req.headers.get('origin'),
      'Access-Control-Allow-Credentials': 'true',
    },
  });
}
```

```ts flagged lines=2
function handler(req, res) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
}
```

```ts ok
import cors from 'cors';
const allowed = (process.env.CORS_ORIGIN ?? '').split(',');
app.use(cors({ origin: allowed, credentials: true }));
```

```ts ok
// a public API authenticated by bearer tokens: `*` without credentials
export async function GET() {
  return Response.json(data, { headers: { 'Access-Control-Allow-Origin': '*' } });
}
```

```ts ok
import cors from 'cors';
app.use('/api/v1', cors());
app.use('/api/v1', requireApiKey);
```

```js ok path=next.config.js
module.exports = {
  async headers() {
    return [{ source: '/fonts/:path*', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] }];
  },
};
```

```ts ok
await fetch(url, { headers: { 'Access-Control-Allow-Origin': '*' } });
```

```ts ok
function originHeaders(configured) {
  const headers = new Headers();
  if (configured === '*') headers.set('Access-Control-Allow-Origin', '*');
  return headers;
}
```

```ts ok
const origin = req.headers.origin;
if (origin && allowed.includes(origin)) {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Credentials', 'true');
}
```

```ts ok
import cors from 'cors';
if (process.env.NODE_ENV !== 'production') {
  app.use(cors({ origin: true, credentials: true }));
}
```

```ts ok
function cors() { return (req, res, next) => next(); }
app.use(cors());
```

## Fix
**Unsafe**: the wildcard becomes `process.env.CORS_ORIGIN?.split(',') ?? []`
(the allowed origins from the environment; none when it is unset), `cors()`
without options gets `{ origin: process.env.CORS_ORIGIN?.split(',') ?? [] }`,
and an options object without `origin` gets that property. A header value can
hold one origin only, so there `'*'` becomes `process.env.CORS_ORIGIN ?? ''`.
A reflected `Origin` has no automatic fix: check it against an allowlist.
"#;

const ACAO: &str = "access-control-allow-origin";
const ACAC: &str = "access-control-allow-credentials";

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    match node.kind_name() {
        "call_expression" => {
            check_imported_cors(cx, node);
            check_call(cx, node);
        }
        "pair" => check_pair(cx, node),
        _ => {}
    }
}

/// `process.env.CORS_ORIGIN?.split(',') ?? []` in the file's quote style.
fn origin_list_expr(source: &str) -> String {
    let q = ast::preferred_quote(source);
    format!(
        "process.env.CORS_ORIGIN?.split({}) ?? []",
        ast::quoted(",", q)
    )
}

/// A header holds one origin: `process.env.CORS_ORIGIN ?? ''`.
fn origin_header_expr(source: &str) -> String {
    let q = ast::preferred_quote(source);
    format!("process.env.CORS_ORIGIN ?? {q}{q}")
}

/// Replace `node` with `expr`, parenthesised where an operator could bind it.
fn replace_with(node: Node<'_>, expr: &str) -> Edit {
    let needs_parens = node.parent().is_some_and(|p| {
        matches!(
            p.kind_name(),
            "binary_expression" | "unary_expression" | "member_expression"
        )
    });
    if needs_parens {
        Edit::replace(node.byte_range(), format!("({expr})"))
    } else {
        Edit::replace(node.byte_range(), expr)
    }
}

/// Report unless this rule already reported the same range (an options object
/// shared by two calls).
fn report(
    cx: &mut RuleContext<'_>,
    node: Node<'_>,
    level: Level,
    message: String,
    fix: Option<Fix>,
) {
    let range = node.byte_range();
    let id = cx.rule().id;
    if cx.out.iter().any(|d| d.rule == id && d.range == range) {
        return;
    }
    let d = cx.report(range, message).with_level(level);
    if let Some(f) = fix {
        d.with_fix(f);
    }
}

/// `[rules.cors-wildcard]` options.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct CorsOptions {
    /// Plain `*` (and any open origin without credentials) is a finding.
    pub strict: bool,
}

/// The `strict` option: plain `*` (and any open origin without credentials) is a finding.
fn strict(cx: &RuleContext<'_>) -> bool {
    cx.options::<CorsOptions>().strict
}

/// File-level fact: the file uses cookie sessions (see [`uses_cookie_sessions`]).
struct CookieSessions(bool);

fn cookie_sessions(cx: &RuleContext<'_>) -> bool {
    let script = cx.script();
    let src = &script;
    cx.memo(|| CookieSessions(uses_cookie_sessions(src))).0
}

/// Cookie/session libraries and cookie APIs whose names in a file say that the
/// app authenticates with cookies (matched as text, once per file).
const COOKIE_TOKENS: &[&str] = &[
    "express-session",
    "cookie-session",
    "cookie-parser",
    "cookieparser",
    "next-auth",
    "@auth/",
    "iron-session",
    "@fastify/cookie",
    "@fastify/session",
    "@fastify/secure-session",
    "hono/cookie",
    "koa-session",
    "better-auth",
    "req.cookies",
    "request.cookies",
    "req.session",
    "request.session",
    "ctx.cookies",
    "res.cookie(",
    "set-cookie",
    "setcookie(",
    "getcookie(",
    "getsignedcookie(",
    "cookies()",
    "credentials: true",
    "credentials:true",
    "access-control-allow-credentials",
];

/// Whether the file uses cookie sessions: it imports a cookie/session library
/// (`express-session`, `cookie-parser`, `next-auth`, `iron-session`, `hono/cookie`…),
/// reads or sets cookies (`req.cookies`, `res.cookie(…)`, `cookies()`, `Set-Cookie`,
/// `setCookie(…)`), or allows credentials (`credentials: true`,
/// `Access-Control-Allow-Credentials`). Case-insensitive text match.
fn uses_cookie_sessions(src: &Script<'_>) -> bool {
    let lower = src.to_ascii_lowercase();
    COOKIE_TOKENS.iter().any(|t| lower.contains(t))
}

/// How an origin is opened without credentials.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// A deliberate `*` (`origin: '*'`, the header set to `'*'`).
    Wildcard,
    /// `cors()` / `enableCors()` / `cors: true` without an `origin` (defaults to `*`).
    Bare,
    /// The request's `Origin` sent back (`origin: true`, the raw header).
    Reflect,
}

/// The level of an open origin without credentials, and the words that say
/// why it is reported (`None`: not a finding). A plain `*` is a finding only
/// with `strict`; a bare `cors()` or a reflected origin also in a file that uses
/// cookie sessions.
fn open_level(cx: &RuleContext<'_>, open: Open) -> Option<&'static str> {
    if open != Open::Wildcard && cookie_sessions(cx) {
        Some(" in a file that uses cookie sessions")
    } else if strict(cx) {
        Some("")
    } else {
        None
    }
}

/// `*` with credentials: browsers refuse it, so the danger is the "fix".
const STAR_WITH_CREDENTIALS: &str = "browsers refuse `*` together with credentials, so credentialed requests fail, and reflecting the request's `Origin` to make them work would let any site act as the user";

/// A call of an imported CORS middleware (`cors`, `hono/cors`) or a Fastify
/// `register` of `@fastify/cors`: its options are checked.
fn check_imported_cors(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let src = cx.script();
    let Some(f) = call.field(Field::Function) else {
        return;
    };
    let imported = |n: Node<'_>, fastify: bool| {
        let Some(b) = src.declaration(n, ast::text(n, &src)) else {
            return false;
        };
        match b.import.as_ref() {
            Some(i) if !i.type_only => match (i.module.as_str(), i.imported.as_str()) {
                ("cors", "default" | "*") | ("hono/cors", "cors") => !fastify,
                ("@fastify/cors" | "fastify-cors", "default" | "*") => fastify,
                _ => false,
            },
            _ => false,
        }
    };
    if f.kind_name() == "identifier" && imported(f, false) {
        let name = ast::text(f, &src);
        check_options_call(cx, call, 0, &format!("{name}()"));
    } else if ast::callee_name(call, &src).as_deref() == Some("register") {
        let args = ast::call_arguments(call);
        if args
            .first()
            .is_some_and(|a| a.kind_name() == "identifier" && imported(*a, true))
        {
            check_options_call(cx, call, 1, "register(cors)");
        }
    }
}

fn check_call(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some(func) = call.field(Field::Function) else {
        return;
    };
    // `app.use(require('cors')())`
    if func.kind_name() == "call_expression" {
        if require_source(func, src).as_deref() == Some("cors") {
            check_options_call(cx, call, 0, "cors()");
        }
        return;
    }
    let Some(path) = ast::callee_path(call, src) else {
        return;
    };
    let name = path.rsplit('.').next().unwrap_or("");
    match name {
        "enableCors" if path.contains('.') => check_options_call(cx, call, 0, "enableCors()"),
        "create" if path.ends_with("NestFactory.create") => check_nest_factory(cx, call),
        "register" => {
            let args = ast::call_arguments(call);
            if args
                .first()
                .and_then(|a| require_source(*a, src))
                .is_some_and(|m| m == "@fastify/cors" || m == "fastify-cors")
            {
                check_options_call(cx, call, 1, "register(cors)");
            }
        }
        "setHeader" | "header" | "set" | "append" => {
            let args = ast::call_arguments(call);
            if args.len() < 2 {
                return;
            }
            let is_acao = ast::string_value(args[0], src)
                .is_some_and(|h| h.trim().eq_ignore_ascii_case(ACAO));
            if !is_acao {
                return;
            }
            let scope = ast::enclosing_function(call)
                .or_else(|| ast::enclosing_statement(call))
                .unwrap_or(call);
            if is_request_receiver(call, src) {
                return;
            }
            let credentials = ast::any_descendant(scope, &mut |n| sets_credentials(n, src));
            let site = HeaderSite {
                credentials,
                public: false,
                object: None,
            };
            check_header_value(cx, args[1], site);
        }
        _ => {}
    }
}

/// A CORS middleware call whose options are argument `idx`.
fn check_options_call(cx: &mut RuleContext<'_>, call: Node<'_>, idx: usize, what: &str) {
    let script = cx.script();
    let src = &script;
    let args = ast::call_arguments(call);
    if args.len() < idx {
        return;
    }
    let Some(opt) = args.get(idx).copied() else {
        // No options: the middleware allows any origin.
        if ast::in_dev_only_branch(call, src) {
            return;
        }
        let Some(why) = open_level(cx, Open::Bare) else {
            return;
        };
        let Some(arg_list) = call.field(Field::Arguments) else {
            return;
        };
        if !ast::text(arg_list, src).starts_with('(') {
            return;
        }
        let expr = origin_list_expr(src);
        let edit = match idx.checked_sub(1).and_then(|i| args.get(i)) {
            Some(prev) => Edit::insert(prev.end_byte(), format!(", {{ origin: {expr} }}")),
            None => Edit::insert(arg_list.start_byte() + 1, format!("{{ origin: {expr} }}")),
        };
        report(
            cx,
            call,
            Level::Warn,
            format!("CORS allows any origin: `{what}` without an `origin` option sends `Access-Control-Allow-Origin: *`{why}; list the allowed origins"),
            Some(Fix::unsafe_("Allow only the origins listed in CORS_ORIGIN", vec![edit])),
        );
        return;
    };
    let opt = ast::unwrap_expr(opt);
    let obj = match opt.kind_name() {
        "object" => opt,
        "identifier" => match src.value_of(opt, ast::text(opt, src)).map(ast::unwrap_expr) {
            Some(v) if v.kind_name() == "object" => v,
            _ => return,
        },
        _ => return,
    };
    let anchor = call.field(Field::Function).unwrap_or(call);
    check_options_object(cx, obj, Some(anchor), what, call);
}

/// `NestFactory.create(AppModule, { cors: true })` / `{ cors: { … } }`.
fn check_nest_factory(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let args = ast::call_arguments(call);
    let Some(opts) = args.get(1).map(|a| ast::unwrap_expr(*a)) else {
        return;
    };
    if opts.kind_name() != "object" {
        return;
    }
    let Some((key, value)) = find_pair(opts, "cors", src) else {
        return;
    };
    let value = ast::unwrap_expr(value);
    match value.kind_name() {
        "true" => {
            if ast::in_dev_only_branch(value, src) {
                return;
            }
            let Some(why) = open_level(cx, Open::Bare) else {
                return;
            };
            let expr = origin_list_expr(src);
            report(
                cx,
                value,
                Level::Warn,
                format!("CORS allows any origin: `cors: true` enables CORS with `Access-Control-Allow-Origin: *`{why}; pass `{{ origin: [...] }}` with the allowed origins"),
                Some(Fix::unsafe_(
                    "Allow only the origins listed in CORS_ORIGIN",
                    vec![Edit::replace(value.byte_range(), format!("{{ origin: {expr} }}"))],
                )),
            );
        }
        "object" => check_options_object(cx, value, Some(key), "cors", call),
        _ => {}
    }
}

/// The key of a pair as a plain name (`origin`, `'origin'`); `None` for computed keys.
fn key_name(pair: Node<'_>, src: &Script<'_>) -> Option<String> {
    let key = pair.field(Field::Key)?;
    match key.kind_name() {
        "property_identifier" | "identifier" => Some(ast::text(key, src).to_string()),
        "string" => ast::string_value(key, src),
        _ => None,
    }
}

/// The (key node, value node) of the pair `name` in an object literal.
fn find_pair<'t>(obj: Node<'t>, name: &str, src: &Script<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let mut c = obj.walk();
    let found = obj
        .named_children(&mut c)
        .filter(|p| p.kind_name() == "pair")
        .find(|p| key_name(*p, src).is_some_and(|k| k.eq_ignore_ascii_case(name)));
    let pair = found?;
    Some((pair.field(Field::Key)?, pair.field(Field::Value)?))
}

fn is_true_value(node: Node<'_>, src: &Script<'_>) -> bool {
    let node = ast::unwrap_expr(node);
    node.kind_name() == "true" || ast::string_value(node, src).is_some_and(|v| v.trim() == "true")
}

/// Options of `cors()`/`enableCors()`/`register(cors, …)`/`cors:`. `anchor` is
/// where a missing `origin` is reported (`None`: a missing `origin` is not a
/// finding, e.g. for other libraries' `cors:` options).
fn check_options_object(
    cx: &mut RuleContext<'_>,
    obj: Node<'_>,
    anchor: Option<Node<'_>>,
    what: &str,
    call: Node<'_>,
) {
    let script = cx.script();
    let src = &script;
    let mut origin = None;
    let mut credentials = false;
    let mut opaque = false;
    let mut c = obj.walk();
    for child in obj.named_children(&mut c) {
        match child.kind_name() {
            "pair" => match key_name(child, src).as_deref() {
                Some("origin") => origin = child.field(Field::Value),
                Some("credentials") => {
                    credentials = child
                        .field(Field::Value)
                        .is_some_and(|v| ast::unwrap_expr(v).kind_name() == "true")
                }
                _ => {}
            },
            // `{ ...base }` or a shorthand `origin`: the origin comes from elsewhere.
            "spread_element" | "shorthand_property_identifier" | "method_definition" => {
                opaque = true
            }
            _ => {}
        }
    }
    let expr = origin_list_expr(src);
    if let Some(value) = origin {
        let mut bad = Vec::new();
        wildcard_origins(value, src, &mut bad);
        for b in bad {
            if ast::in_dev_only_branch(b, src) || ast::in_dev_only_branch(call, src) {
                continue;
            }
            let fix = Some(Fix::unsafe_(
                "Allow only the origins listed in CORS_ORIGIN",
                vec![replace_with(b, &expr)],
            ));
            if b.kind_name() == "true" {
                if credentials {
                    report(
                        cx,
                        b,
                        Level::Error,
                        "CORS reflects any origin with credentials: `origin: true` with `credentials: true` lets every site make authenticated requests; list the allowed origins".to_string(),
                        fix,
                    );
                } else if let Some(why) = open_level(cx, Open::Reflect) {
                    report(
                        cx,
                        b,
                        Level::Warn,
                        format!("CORS reflects any origin: `origin: true` sends every request's `Origin` back{why}; list the allowed origins"),
                        fix,
                    );
                }
            } else if credentials {
                report(
                    cx,
                    b,
                    Level::Error,
                    format!("CORS `origin: '*'` with `credentials: true`: {STAR_WITH_CREDENTIALS}; list the allowed origins (e.g. from `process.env.CORS_ORIGIN`)"),
                    fix,
                );
            } else if let Some(why) = open_level(cx, Open::Wildcard) {
                report(
                    cx,
                    b,
                    Level::Warn,
                    format!("CORS allows any origin: `origin: '*'`{why}; list the allowed origins (e.g. from `process.env.CORS_ORIGIN`)"),
                    fix,
                );
            }
        }
    } else if let Some(anchor) = anchor {
        if opaque || ast::in_dev_only_branch(call, src) || ast::in_dev_only_branch(obj, src) {
            return;
        }
        let (level, message) = if credentials {
            (
                Level::Error,
                format!("CORS `{what}` options without `origin` default to `*`, here with `credentials: true`: {STAR_WITH_CREDENTIALS}; list the allowed origins"),
            )
        } else {
            let Some(why) = open_level(cx, Open::Bare) else {
                return;
            };
            (
                Level::Warn,
                format!("CORS allows any origin: `{what}` options without `origin` default to `*`{why}; list the allowed origins"),
            )
        };
        report(
            cx,
            anchor,
            level,
            message,
            Some(Fix::unsafe_(
                "Allow only the origins listed in CORS_ORIGIN",
                vec![insert_origin(obj, src, &expr)],
            )),
        );
    }
}

/// Add `origin: EXPR` as the first property of an options object.
fn insert_origin(obj: Node<'_>, src: &Script<'_>, expr: &str) -> Edit {
    let mut c = obj.walk();
    let first = obj
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment");
    match first {
        None => {
            let inner = ast::text(obj, src)
                .trim_start_matches('{')
                .trim_end_matches('}');
            if inner.trim().is_empty() {
                Edit::replace(obj.byte_range(), format!("{{ origin: {expr} }}"))
            } else {
                Edit::insert(obj.start_byte() + 1, format!(" origin: {expr},"))
            }
        }
        Some(f) => {
            let between = src.get(obj.start_byte()..f.start_byte()).unwrap_or("");
            if between.contains('\n') {
                let indent = ast::line_indent(src, f.start_byte());
                let eol = ast::line_ending(src);
                Edit::insert(f.start_byte(), format!("origin: {expr},{eol}{indent}"))
            } else {
                Edit::insert(f.start_byte(), format!("origin: {expr}, "))
            }
        }
    }
}

/// The `'*'` / `true` values an `origin` option can take: the value itself, or
/// both branches of an environment-check ternary.
fn wildcard_origins<'t>(value: Node<'t>, src: &Script<'t>, out: &mut Vec<Node<'t>>) {
    let Some(_level) = ast::descend() else {
        return;
    };
    let mut v = value;
    while v.kind_name() == "parenthesized_expression" {
        match v.named_child(0) {
            Some(inner) => v = inner,
            None => return,
        }
    }
    if v.kind_name() == "true" || ast::string_value(v, src).is_some_and(|s| s.trim() == "*") {
        out.push(v);
    } else if v.kind_name() == "ternary_expression" {
        let is_env = v
            .field(Field::Condition)
            .is_some_and(|c| ast::env_check(c, src).is_some());
        if is_env {
            for f in [Field::Consequence, Field::Alternative] {
                if let Some(b) = v.field(f) {
                    wildcard_origins(b, src, out);
                }
            }
        }
    }
}

/// `Access-Control-Allow-Origin: …` as a key, or `{ key: 'Access-Control-Allow-Origin', value }`,
/// or a `cors: { … }` option object.
fn check_pair(cx: &mut RuleContext<'_>, pair: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some(key) = key_name(pair, src) else {
        return;
    };
    let Some(value) = pair.field(Field::Value) else {
        return;
    };
    let Some(obj) = pair.parent() else {
        return;
    };
    if key.trim().eq_ignore_ascii_case(ACAO) {
        let credentials = {
            let mut c = obj.walk();
            let found = obj.named_children(&mut c).any(|p| sets_credentials(p, src));
            found
        };
        let site = HeaderSite {
            credentials,
            public: is_public_headers(obj, src),
            object: Some(obj),
        };
        check_header_value(cx, value, site);
    } else if key == "key"
        && ast::string_value(value, src).is_some_and(|v| v.trim().eq_ignore_ascii_case(ACAO))
    {
        // next.config `headers()`: `{ key: 'Access-Control-Allow-Origin', value: '*' }`
        let Some((_, header_value)) = find_pair(obj, "value", src) else {
            return;
        };
        let list = obj.parent();
        let credentials = list.is_some_and(|list| {
            let mut c = list.walk();
            let found = list
                .named_children(&mut c)
                .any(|o| sets_credentials(o, src));
            found
        });
        // `{ source: '/fonts/:path*', headers: [ … ] }`
        let public = list
            .and_then(|l| l.parent())
            .filter(|p| p.kind_name() == "pair")
            .and_then(|p| p.parent())
            .and_then(|entry| find_pair(entry, "source", src))
            .and_then(|(_, v)| ast::string_value(v, src))
            .is_some_and(|s| is_asset_source(&s));
        let site = HeaderSite {
            credentials,
            public,
            object: None,
        };
        check_header_value(cx, header_value, site);
    } else if key == "cors" {
        let value = ast::unwrap_expr(value);
        if value.kind_name() != "object" {
            return;
        }
        // NestFactory.create options are checked with the call (a missing origin counts there).
        let in_nest = obj
            .parent()
            .filter(|a| a.kind_name() == "arguments")
            .and_then(|a| a.parent())
            .and_then(|call| ast::callee_path(call, src))
            .is_some_and(|p| p.ends_with("NestFactory.create"));
        if !in_nest {
            check_options_object(cx, value, None, "cors", value);
        }
    }
}

/// Whether `node` allows credentials: a header setter call or a pair/object for
/// `Access-Control-Allow-Credentials: true`.
fn sets_credentials(node: Node<'_>, src: &Script<'_>) -> bool {
    match node.kind_name() {
        "call_expression" => {
            let args = ast::call_arguments(node);
            args.len() >= 2
                && ast::string_value(args[0], src)
                    .is_some_and(|h| h.trim().eq_ignore_ascii_case(ACAC))
                && is_true_value(args[1], src)
        }
        "pair" => {
            key_name(node, src).is_some_and(|k| k.trim().eq_ignore_ascii_case(ACAC))
                && node
                    .field(Field::Value)
                    .is_some_and(|v| is_true_value(v, src))
        }
        "object" => {
            find_pair(node, "key", src).is_some_and(|(_, k)| {
                ast::string_value(k, src).is_some_and(|h| h.trim().eq_ignore_ascii_case(ACAC))
            }) && find_pair(node, "value", src).is_some_and(|(_, v)| is_true_value(v, src))
        }
        _ => false,
    }
}

enum Bad<'t> {
    /// The `'*'` literal (or a name bound to it when `literal` is false).
    Wildcard { node: Node<'t>, literal: bool },
    /// The request's `Origin`, at `node`; `name` is the variable holding it.
    Reflect {
        node: Node<'t>,
        name: Option<String>,
    },
}

/// A header value that allows any origin.
fn classify<'t>(value: Node<'t>, src: &Script<'t>, follow: bool) -> Option<Bad<'t>> {
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
fn is_raw_origin(node: Node<'_>, src: &Script<'_>) -> bool {
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
fn in_assertion(node: Node<'_>, src: &Script<'_>) -> bool {
    let mut cur = node.parent();
    let mut steps = 0usize;
    while let Some(n) = cur.filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
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
        cur = n.parent();
    }
    false
}

/// Where a header value was found: whether credentials are allowed alongside,
/// whether the response is a public/static one (asset paths, images, fonts), and
/// the headers object holding it (to tell a request's headers from a response's).
struct HeaderSite<'t> {
    credentials: bool,
    public: bool,
    object: Option<Node<'t>>,
}

fn check_header_value(cx: &mut RuleContext<'_>, value: Node<'_>, site: HeaderSite<'_>) {
    let script = cx.script();
    let src = &script;
    if in_assertion(value, src) {
        return;
    }
    let Some(bad) = classify(value, src, true) else {
        return;
    };
    // Only response headers count: `fetch(url, { headers: { … } })` sends a request.
    if site.object.is_some_and(|o| is_request_headers(o, src)) {
        return;
    }
    match bad {
        Bad::Wildcard { node, literal } => {
            if ast::in_dev_only_branch(node, src) {
                return;
            }
            let fix = literal.then(|| {
                Fix::unsafe_(
                    "Send the origin configured in CORS_ORIGIN",
                    vec![replace_with(node, &origin_header_expr(src))],
                )
            });
            let (level, message) = if site.credentials {
                (
                    Level::Error,
                    format!("CORS `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`: {STAR_WITH_CREDENTIALS}; send an allowed origin instead (e.g. from `process.env.CORS_ORIGIN`)"),
                )
            } else {
                if site.public || in_wildcard_branch(node, src) {
                    return;
                }
                let Some(why) = open_level(cx, Open::Wildcard) else {
                    return;
                };
                (
                    Level::Warn,
                    format!("CORS allows any origin: `Access-Control-Allow-Origin: *`{why}; send an allowed origin instead (e.g. from `process.env.CORS_ORIGIN`)"),
                )
            };
            report(cx, node, level, message, fix);
        }
        Bad::Reflect { node, name } => {
            if ast::in_dev_only_branch(node, src) || origin_checked(node, name.as_deref(), src) {
                return;
            }
            let (level, message) = if site.credentials {
                (
                    Level::Error,
                    "CORS reflects any origin with credentials: `Access-Control-Allow-Origin` sends back the request's `Origin` without an allowlist check together with `Access-Control-Allow-Credentials: true`, so any site can act as the user; check it against the allowed origins first".to_string(),
                )
            } else {
                let Some(why) = open_level(cx, Open::Reflect) else {
                    return;
                };
                (
                    Level::Warn,
                    format!("CORS allows any origin: `Access-Control-Allow-Origin` reflects the request's `Origin` without an allowlist check{why}; check it against the allowed origins first"),
                )
            };
            report(cx, node, level, message, None);
        }
    }
}

/// The `*` branch of a CORS helper's own implementation:
/// `if (origin === '*') headers.set('Access-Control-Allow-Origin', '*')` or
/// `origin === '*' ? '*' : …` — the wildcard is the configured value, passed on.
fn in_wildcard_branch(node: Node<'_>, src: &Script<'_>) -> bool {
    let mut child = node;
    let mut cur = node.parent();
    let mut steps = 0usize;
    while let Some(n) = cur.filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
        if ast::is_function(n) {
            return false;
        }
        if matches!(n.kind_name(), "if_statement" | "ternary_expression")
            && n.field(Field::Consequence)
                .is_some_and(|c| c.id() == child.id())
            && n.field(Field::Condition)
                .is_some_and(|c| compares_with_star(c, src))
        {
            return true;
        }
        child = n;
        cur = n.parent();
    }
    false
}

/// A condition that tests a value for equality with `'*'` (`origin === '*'`).
fn compares_with_star(cond: Node<'_>, src: &Script<'_>) -> bool {
    ast::any_descendant(cond, &mut |n| {
        n.kind_name() == "binary_expression"
            && matches!(
                n.field(Field::Operator).map(|o| ast::text(o, src)),
                Some("===" | "==")
            )
            && [Field::Left, Field::Right].into_iter().any(|f| {
                n.field(f)
                    .and_then(|side| ast::string_value(side, src))
                    .is_some_and(|v| v.trim() == "*")
            })
    })
}

/// A headers object (`{ 'Access-Control-Allow-Origin': … }`, maybe inside
/// `new Headers(…)`) that is sent with an outgoing request: passed as `headers`
/// to `fetch`/`axios`/`ky`/`got`/`new Request(…)`, directly or through a
/// variable used in such a call in the same function (or module).
fn is_request_headers(obj: Node<'_>, src: &Script<'_>) -> bool {
    let mut holder = obj;
    if let Some(new_expr) = holder
        .parent()
        .filter(|a| a.kind_name() == "arguments")
        .and_then(|a| a.parent())
        .filter(|n| n.kind_name() == "new_expression")
    {
        holder = new_expr;
    }
    let init = holder
        .parent()
        .filter(|p| p.kind_name() == "pair" && key_name(*p, src).as_deref() == Some("headers"))
        .and_then(|p| p.parent());
    for candidate in [Some(holder), init].into_iter().flatten() {
        let Some(parent) = candidate.parent() else {
            continue;
        };
        match parent.kind_name() {
            "arguments" if parent.parent().is_some_and(|c| is_request_call(c, src)) => {
                return true;
            }
            "variable_declarator" => {
                let Some(name) = parent
                    .field(Field::Name)
                    .filter(|n| n.kind_name() == "identifier")
                    .map(|n| ast::text(n, src))
                else {
                    continue;
                };
                let scope = ast::enclosing_function(parent).unwrap_or_else(|| src.program(parent));
                let used = ast::any_descendant(scope, &mut |n| {
                    is_request_call(n, src)
                        && n.field(Field::Arguments).is_some_and(|args| {
                            ast::any_descendant(args, &mut |m| {
                                matches!(
                                    m.kind_name(),
                                    "identifier" | "shorthand_property_identifier"
                                ) && ast::text(m, src) == name
                            })
                        })
                });
                if used {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// HTTP clients: `fetch(…)`, `$fetch`, `ofetch`, `ky`, `got`, `axios(…)`,
/// `axios.get/post/…/create(…)`, `http.request(…)`, `new Request(…)`.
fn is_request_call(n: Node<'_>, src: &Script<'_>) -> bool {
    match n.kind_name() {
        "new_expression" => n
            .field(Field::Constructor)
            .is_some_and(|c| ast::text(c, src) == "Request"),
        "call_expression" => {
            let Some(path) = ast::callee_path(n, src) else {
                return false;
            };
            let mut segs = path.split('.');
            let root = segs.next().unwrap_or("");
            let last = path.rsplit('.').next().unwrap_or("");
            const CLIENTS: &[&str] = &[
                "fetch",
                "$fetch",
                "ofetch",
                "ky",
                "got",
                "axios",
                "superagent",
                "undici",
                "http",
                "https",
            ];
            const METHODS: &[&str] = &[
                "get", "post", "put", "patch", "delete", "head", "request", "create", "fetch",
            ];
            if !path.contains('.') {
                CLIENTS.contains(&root)
            } else {
                CLIENTS.contains(&root) && METHODS.contains(&last)
            }
        }
        _ => false,
    }
}

/// Whether the receiver of `x.setHeader(…)`/`x.headers.set(…)` is a request
/// (`req`, `request`, `proxyReq`, `xhr`): the header goes out, it is not CORS.
fn is_request_receiver(call: Node<'_>, src: &Script<'_>) -> bool {
    let Some(obj) = call
        .field(Field::Function)
        .and_then(|f| f.field(Field::Object))
    else {
        return false;
    };
    let Some(path) = ast::member_path(obj, src) else {
        return false;
    };
    path.split('.').any(|seg| {
        let seg = seg.to_ascii_lowercase();
        seg == "xhr" || seg.ends_with("req") || seg.ends_with("request")
    })
}

/// A public/static response: a `Content-Type` of an image, font, stylesheet or
/// script, or `Cache-Control: public, … immutable` among the same headers.
fn is_public_headers(obj: Node<'_>, src: &Script<'_>) -> bool {
    let mut c = obj.walk();
    let found = obj.named_children(&mut c).any(|p| {
        if p.kind_name() != "pair" {
            return false;
        }
        let Some(key) = key_name(p, src) else {
            return false;
        };
        let Some(v) = p
            .field(Field::Value)
            .and_then(|v| ast::string_value(v, src))
        else {
            return false;
        };
        let v = v.to_ascii_lowercase();
        if key.eq_ignore_ascii_case("content-type") {
            v.starts_with("image/")
                || v.starts_with("font/")
                || v.starts_with("text/css")
                || v.contains("javascript")
        } else if key.eq_ignore_ascii_case("cache-control") {
            v.contains("public") && v.contains("immutable")
        } else {
            false
        }
    });
    found
}

/// A `next.config` `headers()` `source` for static assets: a file extension of an
/// image, font, stylesheet, script or document, or an asset folder.
fn is_asset_source(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    const EXT: &[&str] = &[
        ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".woff", ".woff2",
        ".ttf", ".otf", ".eot", ".css", ".js", ".mjs", ".map", ".json", ".yaml", ".yml", ".txt",
        ".xml", ".pdf", ".mp4", ".webm", ".mp3", "(png", "(jpg", "(svg", "(woff", "|png", "|svg",
        "|woff", "|ico",
    ];
    const DIRS: &[&str] = &[
        "/_next/static",
        "/static/",
        "/fonts",
        "/images",
        "/img/",
        "/assets",
        "/icons",
        "/.well-known",
        "/favicon",
        "/openapi",
        "/swagger",
    ];
    EXT.iter().any(|e| s.contains(e)) || DIRS.iter().any(|d| s.contains(d))
}

/// Whether the origin is checked against something before `at` in its function
/// (or top-level statement): a condition that passes it to a call (`allowed.includes(origin)`),
/// calls a method on it (`origin.endsWith(…)`) or compares it with a value.
/// A bare truthiness test (`if (origin)`) is no check.
fn origin_checked(at: Node<'_>, name: Option<&str>, src: &Script<'_>) -> bool {
    // At the top level, only the statement itself (no walk of the whole file per finding).
    let scope = ast::enclosing_function(at)
        .or_else(|| {
            let mut cur = at;
            let mut steps = 0usize;
            while let Some(p) = cur.parent().filter(|_| {
                steps += 1;
                steps <= ast::MAX_ANCESTOR_STEPS
            }) {
                if p.kind_name() == "program" {
                    return Some(cur);
                }
                cur = p;
            }
            None
        })
        .unwrap_or(at);
    let is_origin = |n: Node<'_>| -> bool {
        (n.kind_name() == "identifier" && name.is_some_and(|m| ast::text(n, src) == m))
            || is_raw_origin(n, src)
    };
    let checks = |n: Node<'_>| -> bool {
        let Some(p) = n.parent() else {
            return false;
        };
        match p.kind_name() {
            "arguments" => true,
            "member_expression" => p
                .parent()
                .is_some_and(|gp| gp.kind_name() == "call_expression"),
            "binary_expression" => {
                let op = p.field(Field::Operator).map(|o| ast::text(o, src));
                if !matches!(op, Some("===" | "!==" | "==" | "!=" | "in")) {
                    return false;
                }
                let other = if p.field(Field::Left).is_some_and(|l| l.id() == n.id()) {
                    p.field(Field::Right)
                } else {
                    p.field(Field::Left)
                };
                other.is_some_and(|o| {
                    !matches!(o.kind_name(), "undefined" | "null")
                        && ast::text(o, src) != "undefined"
                        && ast::string_value(o, src).is_none_or(|s| !s.is_empty())
                })
            }
            _ => false,
        }
    };
    ast::any_descendant(scope, &mut |n| {
        let cond = match n.kind_name() {
            "if_statement" | "ternary_expression" | "while_statement" => n.field(Field::Condition),
            "switch_statement" => n.field(Field::Value),
            "binary_expression"
                if n.field(Field::Operator).map(|o| ast::text(o, src)) == Some("&&") =>
            {
                n.field(Field::Left)
            }
            _ => None,
        };
        let Some(cond) = cond else {
            return false;
        };
        if cond.start_byte() >= at.start_byte() {
            return false;
        }
        ast::any_descendant(cond, &mut |m| is_origin(m) && checks(m))
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostic::{Applicability, Diagnostic, Level};
    use crate::rules::testing;
    use crate::rules::testing::{config_only, facts_for};
    use std::path::Path;

    const ID: &str = "cors-wildcard";

    // The helpers `findings`, `assert_flags`, `assert_clean` and `check_fix` of this
    // module lint with `strict = true`: they test what the rule recognises (and
    // where it stays quiet even when strict). The `default_*` tests check which of
    // those are findings, and at which level, without options.

    fn strict_config(base: Config) -> Config {
        let opts = Config::parse(
            "[rules.cors-wildcard]\nstrict = true\n",
            Path::new("prodlint.toml"),
        )
        .expect("valid options");
        let mut c = base;
        c.rules.insert(ID.to_string(), opts.rules[ID].clone());
        c
    }

    fn findings(rule: &str, path: &str, text: &str) -> Vec<Diagnostic> {
        let config = strict_config(Config::default_for(Path::new("")));
        testing::findings_with(rule, path, text, &config, &facts_for(path, text))
    }

    #[track_caller]
    fn assert_clean(rule: &str, path: &str, text: &str) {
        let d = findings(rule, path, text);
        assert!(
            d.is_empty(),
            "expected no `{rule}` finding (strict) in {path}:\n{text}\ngot: {d:#?}"
        );
        testing::assert_clean(rule, path, text);
    }

    #[track_caller]
    fn assert_flags(rule: &str, path: &str, text: &str, n: usize) -> Vec<String> {
        let d = findings(rule, path, text);
        assert_eq!(
            d.len(),
            n,
            "expected {n} finding(s) (strict) in {path}:\n{text}\ngot: {d:#?}"
        );
        d.iter()
            .map(|x| text[x.range.clone()].to_string())
            .collect()
    }

    #[track_caller]
    fn check_fix(rule: &str, path: &str, before: &str, unsafe_ok: bool, expected: &str) {
        let config = strict_config(config_only(rule));
        testing::check_fix_with(
            rule,
            path,
            before,
            unsafe_ok,
            expected,
            &config,
            &facts_for(path, before),
        );
    }

    fn levels(path: &str, src: &str) -> Vec<(String, Level)> {
        findings(ID, path, src)
            .into_iter()
            .map(|d| (src[d.range.clone()].to_string(), d.level))
            .collect()
    }

    /// Findings without options.
    fn default_levels(path: &str, src: &str) -> Vec<(String, Level)> {
        testing::findings(ID, path, src)
            .into_iter()
            .map(|d| (src[d.range.clone()].to_string(), d.level))
            .collect()
    }

    #[test]
    fn wildcard_origin_option() {
        let src = "import cors from 'cors';\napp.use(cors({ origin: '*' }));\napp.use(cors({ origin: \"*\", credentials: true }));\n";
        assert_eq!(
            levels("src/server.ts", src),
            vec![
                ("'*'".to_string(), Level::Warn),
                ("\"*\"".to_string(), Level::Error)
            ]
        );
    }

    #[test]
    fn middleware_without_options() {
        let src = "import express from 'express';\nimport cors from 'cors';\nconst app = express();\napp.use(cors());\nrouter.options('*', cors());\n";
        assert_eq!(
            assert_flags(ID, "src/server.ts", src, 2),
            vec!["cors()", "cors()"]
        );
        // require, aliases, Hono, inline require
        assert_flags(
            ID,
            "src/a.js",
            "const cors = require('cors');\napp.use(cors());\n",
            1,
        );
        assert_flags(ID, "src/a.js", "app.use(require('cors')());\n", 1);
        assert_flags(
            ID,
            "src/a.ts",
            "import allowAll from 'cors';\napp.use(allowAll());\n",
            1,
        );
        assert_flags(
            ID,
            "src/index.ts",
            "import { Hono } from 'hono';\nimport { cors } from 'hono/cors';\nconst app = new Hono();\napp.use('/api/*', cors());\n",
            1,
        );
        assert_flags(
            ID,
            "src/index.ts",
            "import { cors as honoCors } from 'hono/cors';\napp.use('*', honoCors({ allowMethods: ['GET'] }));\n",
            1,
        );
    }

    #[test]
    fn nest_and_fastify() {
        let src = "async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.enableCors();\n  await app.listen(3000);\n}\n";
        assert_eq!(
            assert_flags(ID, "src/main.ts", src, 1),
            vec!["app.enableCors()"]
        );
        assert_flags(
            ID,
            "src/main.ts",
            "const app = await NestFactory.create(AppModule, { cors: true });\n",
            1,
        );
        assert_eq!(
            levels(
                "src/main.ts",
                "app.enableCors({ origin: true, credentials: true });\n"
            ),
            vec![("true".to_string(), Level::Error)]
        );
        assert_eq!(
            levels(
                "src/main.ts",
                "const app = await NestFactory.create(AppModule, { cors: { credentials: true } });\n"
            ),
            vec![("cors".to_string(), Level::Error)]
        );
        assert_flags(
            ID,
            "src/server.ts",
            "import cors from '@fastify/cors';\nawait fastify.register(cors);\nawait fastify.register(cors, { origin: '*' });\n",
            2,
        );
        // socket.io style `cors:` option
        assert_flags(
            ID,
            "src/io.ts",
            "const io = new Server(httpServer, { cors: { origin: '*' } });\n",
            1,
        );
    }

    #[test]
    fn origin_true_needs_credentials() {
        let src = "import cors from 'cors';\napp.use(cors({ origin: true, credentials: true }));\n";
        assert_eq!(
            levels("src/app.ts", src),
            vec![("true".to_string(), Level::Error)]
        );
        // `origin: true` alone reflects every origin without credentials: only
        // with `strict` or cookie sessions
        let src = "import cors from 'cors';\napp.use(cors({ origin: true }));\n";
        assert_eq!(
            levels("src/app.ts", src),
            vec![("true".to_string(), Level::Warn)]
        );
        assert_eq!(default_levels("src/app.ts", src), vec![]);
    }

    #[test]
    fn options_in_a_variable_and_missing_origin() {
        let src = "import cors from 'cors';\nconst corsOptions = { origin: '*', credentials: true };\napp.use(cors(corsOptions));\napi.use(cors(corsOptions));\n";
        assert_eq!(
            levels("src/app.ts", src),
            vec![("'*'".to_string(), Level::Error)]
        );
        let src = "import cors from 'cors';\napp.use(cors({ methods: ['GET', 'POST'] }));\n";
        assert_eq!(
            levels("src/app.ts", src),
            vec![("cors".to_string(), Level::Warn)]
        );
        // a spread may carry the origin
        assert_clean(
            ID,
            "src/app.ts",
            "import cors from 'cors';\napp.use(cors({ ...base, credentials: true }));\n",
        );
    }

    #[test]
    fn manual_headers() {
        let src = "export default function handler(req, res) {\n  res.setHeader('Access-Control-Allow-Origin', '*');\n  res.header('access-control-allow-origin', req.headers.origin);\n  res.set('Access-Control-Allow-Origin', \"*\");\n  headers.set('Access-Control-Allow-Origin', request.headers.get('origin'));\n}\n";
        assert_eq!(
            assert_flags(ID, "src/pages/api/a.ts", src, 4),
            vec![
                "'*'",
                "req.headers.origin",
                "\"*\"",
                "request.headers.get('origin')"
            ]
        );
        let src = "export async function GET() {\n  return NextResponse.json(data, {\n    headers: {\n      'Access-Control-Allow-Origin': '*',\n      'Access-Control-Allow-Credentials': 'true',\n    },\n  });\n}\n";
        assert_eq!(
            levels("src/app/api/a/route.ts", src),
            vec![("'*'".to_string(), Level::Error)]
        );
        let src = "module.exports = {\n  async headers() {\n    return [{ source: '/api/:path*', headers: [\n      { key: 'Access-Control-Allow-Origin', value: '*' },\n      { key: 'Access-Control-Allow-Methods', value: 'GET' },\n    ] }];\n  },\n};\n";
        assert_eq!(
            levels("next.config.js", src),
            vec![("'*'".to_string(), Level::Warn)]
        );
        // Supabase edge function headers object, a reflected origin with credentials
        assert_flags(
            ID,
            "supabase/functions/hello/index.ts",
            "const corsHeaders = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'authorization' };\n",
            1,
        );
        let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  res.setHeader('Access-Control-Allow-Origin', origin);\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n  next();\n});\n";
        assert_eq!(
            levels("src/app.ts", src),
            vec![("origin".to_string(), Level::Error)]
        );
    }

    #[test]
    fn near_miss_origin_from_configuration() {
        let src = "import cors from 'cors';\nconst allowed = process.env.CORS_ORIGINS.split(',');\napp.use(cors({ origin: process.env.CORS_ORIGIN }));\napp.use(cors({ origin: allowed, credentials: true }));\napp.use(cors({ origin: ['https://app.example.com'], credentials: true }));\napp.use(cors({ origin: (origin, cb) => cb(null, allowed.includes(origin)), credentials: true }));\napp.use(cors({ origin }));\napp.use(cors(corsOptionsFromConfig));\nres.setHeader('Access-Control-Allow-Origin', process.env.APP_URL);\n";
        assert_clean(ID, "src/app.ts", src);
    }

    #[test]
    fn near_miss_allowlist_check() {
        let src = "export function middleware(req) {\n  const origin = req.headers.get('origin');\n  const res = NextResponse.next();\n  if (origin && ALLOWED.includes(origin)) {\n    res.headers.set('Access-Control-Allow-Origin', origin);\n  }\n  return res;\n}\n";
        assert_clean(ID, "src/middleware.ts", src);
        let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (!allowedOrigins.has(origin)) return next();\n  res.setHeader('Access-Control-Allow-Origin', origin);\n  next();\n});\n";
        assert_clean(ID, "src/app.ts", src);
        let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (origin === process.env.APP_ORIGIN) res.setHeader('Access-Control-Allow-Origin', origin);\n  next();\n});\n";
        assert_clean(ID, "src/app.ts", src);
        // a bare truthiness test is no allowlist
        let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);\n  next();\n});\n";
        assert_flags(ID, "src/app.ts", src, 1);
    }

    #[test]
    fn near_miss_non_production_branch() {
        let src = "import cors from 'cors';\nif (process.env.NODE_ENV !== 'production') {\n  app.use(cors());\n}\nif (isProd) {\n  app.use(cors({ origin: allowed }));\n} else {\n  app.use(cors({ origin: '*' }));\n}\napp.use(cors({ origin: process.env.NODE_ENV === 'production' ? allowed : '*' }));\nconst headers = { 'Access-Control-Allow-Origin': isDev ? '*' : process.env.APP_URL };\n";
        assert_clean(ID, "src/app.ts", src);
        // ... but the production branch is flagged
        assert_flags(
            ID,
            "src/app.ts",
            "import cors from 'cors';\napp.use(cors({ origin: process.env.NODE_ENV === 'production' ? '*' : 'http://localhost:3000' }));\n",
            1,
        );
    }

    #[test]
    fn near_miss_local_cors_and_text() {
        let src = "function cors() {\n  return (req, res, next) => next();\n}\napp.use(cors());\napp.use(cors({ origin: '*' }).handler);\n";
        // `cors({ origin: '*' })` of a local function is not CORS middleware
        assert_clean(ID, "src/app.ts", src);
        let src = "import cors from 'cors';\n// app.use(cors());\nconst doc = \"res.setHeader('Access-Control-Allow-Origin', '*')\";\nconst t = `cors() allows *`;\n";
        assert_clean(ID, "src/app.ts", src);
        // other headers, other origins
        assert_clean(
            ID,
            "src/app.ts",
            "res.setHeader('Access-Control-Allow-Methods', '*');\nres.setHeader('Access-Control-Allow-Origin', 'https://app.example.com');\nwindow.postMessage(msg, '*');\n",
        );
        // a file with a tree-sitter error still works
        assert_flags(
            ID,
            "src/app.ts",
            "import cors from 'cors';\nconst x = {;\napp.use(cors());\n",
            1,
        );
    }

    #[test]
    fn near_miss_test_assertions() {
        let src = "it('allows the public origin', async () => {\n  const res = await request(app).get('/public');\n  expect(res.headers).toMatchObject({ 'access-control-allow-origin': '*' });\n  assert.equal(res.headers['access-control-allow-origin'], '*');\n});\n";
        assert_clean(ID, "src/__tests__/cors.test.ts", src);
    }

    #[test]
    fn fix_wildcard_option_keeps_quotes() {
        check_fix(
            ID,
            "src/app.ts",
            "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n",
            true,
            "import cors from 'cors';\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] }));\n",
        );
        check_fix(
            ID,
            "src/app.ts",
            "import cors from \"cors\";\napp.use(cors({ origin: \"*\", credentials: true }));\n",
            true,
            "import cors from \"cors\";\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(\",\") ?? [], credentials: true }));\n",
        );
        // not applied without unsafe fixes
        check_fix(
            ID,
            "src/app.ts",
            "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n",
            false,
            "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n",
        );
        let d = findings(
            ID,
            "src/app.ts",
            "import cors from 'cors';\napp.use(cors());\n",
        );
        assert_eq!(d[0].fix().unwrap().applicability, Applicability::Unsafe);
    }

    #[test]
    fn fix_no_options_and_missing_origin() {
        check_fix(
            ID,
            "src/app.ts",
            "import cors from 'cors';\napp.use(cors());\napp.enableCors();\nawait NestFactory.create(AppModule, { cors: true });\n",
            true,
            "import cors from 'cors';\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] }));\napp.enableCors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] });\nawait NestFactory.create(AppModule, { cors: { origin: process.env.CORS_ORIGIN?.split(',') ?? [] } });\n",
        );
        check_fix(
            ID,
            "src/app.ts",
            "import cors from 'cors';\napp.use(\n  cors({\n    credentials: true,\n  }),\n);\napp.use(cors({}));\n",
            true,
            "import cors from 'cors';\napp.use(\n  cors({\n    origin: process.env.CORS_ORIGIN?.split(',') ?? [],\n    credentials: true,\n  }),\n);\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] }));\n",
        );
        check_fix(
            ID,
            "src/server.ts",
            "import cors from '@fastify/cors';\nawait fastify.register(cors);\n",
            true,
            "import cors from '@fastify/cors';\nawait fastify.register(cors, { origin: process.env.CORS_ORIGIN?.split(',') ?? [] });\n",
        );
    }

    #[test]
    fn fix_origin_true_and_headers() {
        check_fix(
            ID,
            "src/app.ts",
            "app.enableCors({ origin: true, credentials: true });\n",
            true,
            "app.enableCors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [], credentials: true });\n",
        );
        check_fix(
            ID,
            "src/app.ts",
            "res.setHeader('Access-Control-Allow-Origin', '*');\nconst h = { 'Access-Control-Allow-Origin': '*' };\nres.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n",
            true,
            "res.setHeader('Access-Control-Allow-Origin', process.env.CORS_ORIGIN ?? '');\nconst h = { 'Access-Control-Allow-Origin': process.env.CORS_ORIGIN ?? '' };\nres.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n",
        );
    }

    #[test]
    fn fix_crlf_and_non_ascii() {
        let src = "import cors from 'cors';\r\nconst label = 'café 😀';\r\napp.use(cors({\r\n  maxAge: 600,\r\n}));\r\n";
        let d = findings(ID, "src/app.ts", src);
        assert_eq!(d.len(), 1);
        let start = src.find("cors({").unwrap();
        assert_eq!(d[0].range, start..start + 4);
        check_fix(
            ID,
            "src/app.ts",
            src,
            true,
            "import cors from 'cors';\r\nconst label = 'café 😀';\r\napp.use(cors({\r\n  origin: process.env.CORS_ORIGIN?.split(',') ?? [],\r\n  maxAge: 600,\r\n}));\r\n",
        );
        let src = "const label = 'café 😀'; res.setHeader('Access-Control-Allow-Origin', '*');\n";
        let d = findings(ID, "src/app.ts", src);
        assert_eq!(&src[d[0].range.clone()], "'*'");
        assert_eq!(d[0].range.start, src.rfind("'*'").unwrap());
    }

    #[test]
    fn default_plain_wildcard_is_no_finding() {
        for (path, src) in [
            ("src/app.ts", "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n"),
            ("src/app.ts", "import cors from 'cors';\napp.use(cors());\n"),
            ("src/main.ts", "app.enableCors();\n"),
            ("src/main.ts", "const a = await NestFactory.create(AppModule, { cors: true });\n"),
            ("src/hono.ts", "import { cors } from 'hono/cors';\napp.use('/api/v1/*', cors());\n"),
            ("src/pages/api/a.ts", "export default function handler(req, res) {\n  res.setHeader('Access-Control-Allow-Origin', '*');\n  res.json({ ok: true });\n}\n"),
            ("src/app/api/a/route.ts", "const CORS = new Headers({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization' });\nexport async function GET() {\n  return NextResponse.json(data, { headers: CORS });\n}\n"),
            ("next.config.js", "module.exports = { async headers() { return [{ source: '/api/:path*', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] }]; } };\n"),
            ("src/app.ts", "app.use((req, res, next) => {\n  res.header('Access-Control-Allow-Origin', req.headers.origin);\n  next();\n});\n"),
        ] {
            assert_eq!(default_levels(path, src), vec![], "{src}");
            assert_eq!(levels(path, src).len(), 1, "strict: {src}");
        }
    }

    #[test]
    fn default_star_with_credentials_is_an_error_that_explains_the_refusal() {
        let src = "import cors from 'cors';\napp.use(cors({ origin: '*', credentials: true }));\napp.use(cors({ credentials: true }));\nfunction h(req, res) {\n  res.setHeader('Access-Control-Allow-Origin', '*');\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n}\n";
        let d = testing::findings(ID, "src/app.ts", src);
        let got: Vec<(&str, Level)> = d.iter().map(|x| (&src[x.range.clone()], x.level)).collect();
        assert_eq!(
            got,
            vec![
                ("'*'", Level::Error),
                ("cors", Level::Error),
                ("'*'", Level::Error)
            ]
        );
        for x in &d {
            assert!(x.message.contains("browsers refuse"), "{}", x.message);
            assert!(x.message.contains("reflecting"), "{}", x.message);
        }
    }

    #[test]
    fn default_reflection_with_credentials_is_an_error() {
        let src = "import cors from 'cors';\napp.use(cors({ origin: true, credentials: true }));\napp.use((req, res, next) => {\n  res.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n  next();\n});\n";
        assert_eq!(
            default_levels("src/app.ts", src),
            vec![
                ("true".to_string(), Level::Error),
                ("req.headers.origin".to_string(), Level::Error)
            ]
        );
    }

    #[test]
    fn default_cookie_sessions_make_bare_cors_and_reflection_a_warning() {
        for session in [
            "import session from 'express-session';\napp.use(session({ secret }));\n",
            "import cookieParser from 'cookie-parser';\napp.use(cookieParser());\n",
            "import { getServerSession } from 'next-auth';\n",
            "import { getIronSession } from 'iron-session';\n",
            "import { getCookie } from 'hono/cookie';\n",
            "const sid = req.cookies.sid;\n",
            "res.cookie('sid', token, { httpOnly: true });\n",
            "res.setHeader('Set-Cookie', serialize('sid', token));\n",
        ] {
            let src = format!("import cors from 'cors';\n{session}app.use(cors());\napp.use('/r', cors({{ origin: true }}));\napp.use((req, res, next) => {{\n  res.header('Access-Control-Allow-Origin', req.headers.origin);\n  next();\n}});\napp.use('/p', cors({{ origin: '*' }}));\n");
            let d = testing::findings(ID, "src/app.ts", &src);
            let got: Vec<(&str, Level)> =
                d.iter().map(|x| (&src[x.range.clone()], x.level)).collect();
            // a deliberate `*` stays quiet: without credentials browsers send no cookies
            assert_eq!(
                got,
                vec![
                    ("cors()", Level::Warn),
                    ("true", Level::Warn),
                    ("req.headers.origin", Level::Warn)
                ],
                "{src}"
            );
            assert!(d.iter().all(|x| x.message.contains("cookie sessions")));
        }
        // no cookies anywhere: bearer-token / API-key API
        assert_eq!(
            default_levels(
                "src/app.ts",
                "import cors from 'cors';\n// sessions are bearer tokens\napp.use(cors());\napp.use(requireApiKey);\n"
            ),
            vec![]
        );
    }

    #[test]
    fn near_miss_request_headers() {
        let src = "export async function sync() {\n  await fetch(url, { headers: { 'Access-Control-Allow-Origin': '*' } });\n  await axios.post(url, body, { headers: { 'Access-Control-Allow-Origin': '*' } });\n  const req = new Request(url, { headers: new Headers({ 'Access-Control-Allow-Origin': '*' }) });\n  const headers = { 'Access-Control-Allow-Origin': '*', Authorization: token };\n  await fetch(url, { method: 'POST', headers });\n  const init = { headers: { 'Access-Control-Allow-Origin': '*' } };\n  return ky.get(url, init);\n}\n";
        assert_clean(ID, "src/lib/sync.ts", src);
        let src = "export function middleware(request) {\n  const requestHeaders = new Headers(request.headers);\n  request.headers.set('Access-Control-Allow-Origin', '*');\n  proxyReq.setHeader('Access-Control-Allow-Origin', '*');\n  xhr.setRequestHeader('Access-Control-Allow-Origin', '*');\n  return NextResponse.next();\n}\n";
        assert_clean(ID, "src/middleware.ts", src);
        // a response built with the same headers object is still one
        let src = "const headers = { 'Access-Control-Allow-Origin': '*' };\nexport async function GET() {\n  await fetch(url);\n  return new Response('ok', { headers });\n}\n";
        assert_flags(ID, "src/app/api/a/route.ts", src, 1);
    }

    #[test]
    fn near_miss_cors_helper_wildcard_branch() {
        let src = "function originHeaders(reqOrigin, origin) {\n  const headers = new Headers();\n  if (origin === '*') {\n    headers.set('Access-Control-Allow-Origin', '*');\n  } else if (typeof origin === 'string') {\n    headers.set('Access-Control-Allow-Origin', origin);\n  }\n  return headers;\n}\nconst value = (o) => ({ 'Access-Control-Allow-Origin': o === '*' ? '*' : o });\n";
        assert_clean(ID, "src/lib/cors.ts", src);
        // the `*` outside such a branch is still seen (strict)
        let src = "function h(origin) {\n  if (origin !== '*') return;\n  headers.set('Access-Control-Allow-Origin', '*');\n}\n";
        assert_flags(ID, "src/lib/cors.ts", src, 1);
    }

    #[test]
    fn near_miss_public_static_responses() {
        let src = "module.exports = {\n  async headers() {\n    return [\n      { source: '/fonts/:path*', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },\n      { source: '/:all*(svg|png|woff2)', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },\n      { source: '/openapi.json', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },\n    ];\n  },\n};\n";
        assert_clean(ID, "next.config.js", src);
        let src = "export async function GET() {\n  const png = await render();\n  return new Response(png, { headers: { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' } });\n}\nexport async function HEAD() {\n  return new Response(null, { headers: { 'Cache-Control': 'public, max-age=31536000, immutable', 'Access-Control-Allow-Origin': '*' } });\n}\n";
        assert_clean(ID, "src/app/og/route.ts", src);
        // ... but credentials make it an error even there
        let src = "export async function GET() {\n  return new Response(png, { headers: { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' } });\n}\n";
        assert_eq!(
            default_levels("src/app/og/route.ts", src),
            vec![("'*'".to_string(), Level::Error)]
        );
    }

    #[test]
    fn strict_option_in_prodlint_toml() {
        let c = Config::parse(
            "[rules.cors-wildcard]\nlevel = \"error\"\nstrict = true\n",
            Path::new("prodlint.toml"),
        )
        .expect("valid");
        assert_eq!(c.level_override(ID), Some(Level::Error));
        let src = "res.setHeader('Access-Control-Allow-Origin', '*');\n";
        let d = testing::findings_with(ID, "src/a.ts", src, &c, &facts_for("src/a.ts", src));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].level, Level::Error);
        // the short form still sets the level only
        let c = Config::parse(
            "[rules]\ncors-wildcard = \"warn\"\n",
            Path::new("prodlint.toml"),
        )
        .expect("valid");
        assert!(
            testing::findings_with(ID, "src/a.ts", src, &c, &facts_for("src/a.ts", src)).is_empty()
        );
        let err = Config::parse(
            "[rules.cors-wildcard]\nstrict = \"yes\"\n",
            Path::new("prodlint.toml"),
        )
        .unwrap_err();
        assert!(
            err.message.contains("rules.cors-wildcard.strict"),
            "{}",
            err.message
        );
        assert!(Config::parse(
            "[rules.cors-wildcard]\nstrikt = true\n",
            Path::new("prodlint.toml")
        )
        .unwrap_err()
        .message
        .contains("did you mean `strict`"));
    }
}
