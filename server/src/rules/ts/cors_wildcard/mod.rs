//! The `cors-wildcard` rule: metadata, docs and the `check` entry with its top-level
//! flow here; the rest by topic:
//! - `headers`: `Access-Control-Allow-Origin` set by hand on a response, and whether the
//!   site is public.
//! - `options`: cORS options objects: `cors({…})`, `app.enableCors({…})`, NestJS
//!   factories and their `origin`/`credentials` pairs.
//! - `origin`: classifying an `origin` value: wildcard, reflected request origin, or
//!   checked.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, OptionKind, RuleLanguage, RuleMeta, RuleOption, RuleOptions};
use crate::ts::ast;
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use options::{check_call, check_imported_cors, check_pair};
use tree_sitter::Node;

mod headers;
mod options;
mod origin;
#[cfg(test)]
mod tests;

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
