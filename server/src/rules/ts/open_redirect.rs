//! `open-redirect`: a redirect to a location taken from the request without an
//! allowlist or a same-origin check.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::method_call;
use crate::ts::frameworks::request::{request_input, request_rest, RequestPart};
use crate::ts::frameworks::responses::redirect_of;
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "open-redirect",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A redirect goes to a location taken from the request without an allowlist or same-origin check",
        docs: DOCS,
        triggers: &["redirect"],
        also_triggers: &["req.", "request.", "searchparams", "query", "headers"],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::CALL_EXPRESSION],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a redirect — Express/Fastify `res.redirect(url)`, `NextResponse.redirect(url)`,
`Response.redirect(url)`, Hono `c.redirect(url)`, Koa `ctx.redirect(url)`,
`redirect(url)` from `next/navigation`, Remix, React Router or SvelteKit — whose
location comes from the request (`req.query.next`, `searchParams.get('next')`,
the body, a route parameter, the `Host` / `X-Forwarded-Host` header), directly,
through local variables, or in a position that decides the host:

- the whole location (`res.redirect(req.query.next)`), also as the first
  argument of `new URL(next, req.url)` (an absolute `next` replaces the base);
- right after a lone `/` (`` `/${next}` ``: `next = '/evil.com'` makes
  `//evil.com`);
- right after an origin with no `/` between (`` `${origin}${next}` ``:
  `next = '@evil.com'` makes `https://app.com@evil.com`, whose host is
  `evil.com`; `next = '.evil.com'` makes `https://app.com.evil.com`).

Not flagged: request data after the start of the path or in the query
(`` `${origin}/auth/${next}` ``, `` `/login?next=${next}` ``), `encodeURIComponent(next)`,
same-origin values (`req.url`, `request.url`, `req.originalUrl`,
`req.nextUrl.clone()`, `pathname`), the `Referer` and `Origin` headers (a
redirect back to where the user came from), cookies, and a function that checks
the value: an allowlist (`ALLOWED.includes(next)`, `.has(next)`), a same-origin
comparison (`new URL(next, base).origin === base.origin`), a regular
expression, `next.startsWith('/') && !next.startsWith('//')`, or a helper named
like `isSafeRedirect` / `safeRedirect` / `isRelative` / `isValidRedirect`.
`next.startsWith('/')` alone is enough after an origin (`${origin}${next}`), not
for the whole location (`//evil.com` passes it).

## Why is this bad?
An open redirect lets anyone send your users a link on your domain that lands
on theirs: phishing pages that look like your login, OAuth codes and tokens
handed to the attacker's site after sign-in.

## Examples
```ts flagged lines=3
app.get('/login/done', (req, res) => {
  const next = req.query.next as string;
  res.redirect(next || '/');
});
```

```ts flagged lines=6
import { NextResponse } from 'next/server';

export async function GET(request: Request) {
  const { searchParams, origin } = new URL(request.url);
  const next = searchParams.get('next') ?? '/';
  return NextResponse.redirect(`${origin}${next}`);
}
```

```ts ok
import { NextResponse } from 'next/server';

export async function GET(request: Request) {
  const { searchParams, origin } = new URL(request.url);
  let next = searchParams.get('next') ?? '/';
  if (!next.startsWith('/')) next = '/';
  return NextResponse.redirect(`${origin}${next}`);
}
```

```ts ok
app.get('/login/done', (req, res) => {
  const next = String(req.query.next ?? '/');
  if (!next.startsWith('/') || next.startsWith('//')) return res.redirect('/');
  res.redirect(next);
  res.redirect(`/login?next=${encodeURIComponent(next)}`);
});
```

## Fix
None: check the location first — accept only paths (`startsWith('/')` and
not `//` or `/\`), or compare `new URL(next, base).origin` with your origin, or
look the value up in an allowlist.
"#;

/// Variables followed from the redirect target back to the request.
const MAX_HOPS: u8 = 3;

/// Where request data sits in the location.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Position {
    /// It is the whole location (or its start).
    Start,
    /// Right after a lone `/`.
    AfterSlash,
    /// After an origin, before any path.
    Authority,
    /// Right after `https://` or `//`: the host itself.
    Host,
}

/// Request data found in the redirect target.
struct Tainted<'t> {
    leaf: Node<'t>,
    part: RequestPart,
    position: Position,
}

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.script();
    let Some(redirect) = redirect_of(node, &src) else {
        return;
    };
    let mut names = Vec::new();
    let Some(t) = tainted(redirect.target, "", &src, MAX_HOPS, &mut names) else {
        return;
    };
    names.push(ast::text(t.leaf, &src).to_string());
    let scope = ast::enclosing_function(node).unwrap_or_else(|| src.program(node));
    let guard = guard_in(scope, &names, &src);
    let weak = match guard {
        Guard::Strong => return,
        Guard::Slash if t.position == Position::Authority => return,
        // `startsWith('/')` of a host is no check at all
        Guard::Slash if t.position == Position::Host => false,
        Guard::Slash => true,
        Guard::None => false,
    };
    let where_ = match t.position {
        Position::Start => "",
        Position::AfterSlash => " after a lone `/` (`//host` leaves the site)",
        Position::Authority => " right after the origin (`@host` or `.host` changes the host)",
        Position::Host => " as the host",
    };
    let what = ast::text(t.leaf, &src);
    let what = if what.len() > 60 {
        format!("{}…", what.chars().take(57).collect::<String>())
    } else {
        what.to_string()
    };
    let message = if weak {
        format!("Redirect to request {} `{what}`{where_}: `startsWith('/')` alone lets `//evil.com` through; also reject `//` and `/\\`", t.part.as_str())
    } else {
        format!("Redirect to request {} `{what}`{where_} without an allowlist or same-origin check; accept only paths or compare the origin", t.part.as_str())
    };
    cx.report(redirect.target.byte_range(), message);
}

/// The request data in `expr` that decides the redirect's host, when the
/// location written so far is `prefix` (literal text; other values as `X`).
fn tainted<'t>(
    expr: Node<'t>,
    prefix: &str,
    src: &Script<'t>,
    hops: u8,
    names: &mut Vec<String>,
) -> Option<Tainted<'t>> {
    let _level = ast::descend()?;
    let position = position_after(prefix)?;
    let e = ast::unwrap_expr(expr);
    match e.kind_name() {
        "template_string" => {
            let mut written = prefix.to_string();
            let mut c = e.walk();
            for part in e.named_children(&mut c) {
                match part.kind_name() {
                    "template_substitution" => {
                        let inner = part.named_child(0)?;
                        if let Some(t) = tainted(inner, &written, src, hops, names) {
                            return Some(t);
                        }
                        written.push_str(&static_text(inner, src));
                    }
                    _ => written.push_str(ast::text(part, src)),
                }
                position_after(&written)?;
            }
            None
        }
        "binary_expression" => {
            let op = e.field(Field::Operator).map(|o| ast::text(o, src));
            let (left, right) = (e.field(Field::Left)?, e.field(Field::Right)?);
            match op {
                Some("+") => tainted(left, prefix, src, hops, names).or_else(|| {
                    let p = format!("{prefix}{}", static_text(left, src));
                    tainted(right, &p, src, hops, names)
                }),
                Some("??" | "||") => tainted(left, prefix, src, hops, names)
                    .or_else(|| tainted(right, prefix, src, hops, names)),
                Some("&&") => tainted(right, prefix, src, hops, names),
                _ => None,
            }
        }
        "ternary_expression" => tainted(e.field(Field::Consequence)?, prefix, src, hops, names)
            .or_else(|| tainted(e.field(Field::Alternative)?, prefix, src, hops, names)),
        "new_expression" => {
            if ast::callee_path(e, src).as_deref() != Some("URL") {
                return None;
            }
            let args = ast::call_arguments(e);
            let first = *args.first()?;
            if let Some(t) = tainted(first, prefix, src, hops, names) {
                return Some(t);
            }
            // a relative first argument keeps the base's host
            let absolute = ast::string_value(ast::unwrap_expr(first), src)
                .is_some_and(|s| s.contains("://") || s.starts_with("//"));
            if absolute {
                return None;
            }
            tainted(*args.get(1)?, prefix, src, hops, names)
        }
        "call_expression" => {
            let args = ast::call_arguments(e);
            if let Some((m, receiver)) = method_call(e, src) {
                if matches!(
                    m,
                    "toString" | "trim" | "toLowerCase" | "normalize" | "replace" | "slice"
                ) {
                    return tainted(receiver, prefix, src, hops, names);
                }
            }
            match e.field(Field::Function).map(|f| ast::text(f, src)) {
                Some("decodeURIComponent" | "decodeURI" | "String") => {
                    tainted(*args.first()?, prefix, src, hops, names)
                }
                Some(callee) if sanitizer(callee) => None,
                _ => leaf(e, position, src),
            }
        }
        "member_expression" => {
            // `new URL(next, base).href`
            let prop = e.field(Field::Property).map(|p| ast::text(p, src));
            let object = ast::unwrap_expr(e.field(Field::Object)?);
            if matches!(prop, Some("href" | "toString")) && object.kind_name() == "new_expression" {
                return tainted(object, prefix, src, hops, names);
            }
            leaf(e, position, src)
        }
        "identifier" => {
            let name = ast::text(e, src);
            if hops > 0 {
                if let Some(b) = src.declaration(e, name) {
                    if let Some(v) = b.simple_value() {
                        if b.decl.start_byte() < e.start_byte() {
                            names.push(name.to_string());
                            return tainted(v, prefix, src, hops - 1, names);
                        }
                    }
                }
            }
            let t = leaf(e, position, src)?;
            names.push(name.to_string());
            Some(t)
        }
        "subscript_expression" => leaf(e, position, src),
        _ => None,
    }
}

/// `expr` as request data that may carry a foreign location.
fn leaf<'t>(expr: Node<'t>, position: Position, src: &Script<'t>) -> Option<Tainted<'t>> {
    let part = request_input(expr, src)?;
    let ok = match part {
        RequestPart::Body | RequestPart::RawBody | RequestPart::Query => true,
        RequestPart::SearchParams => !same_origin(expr, src),
        // a route segment holds no `/` of its own: only a whole location
        RequestPart::Params => position != Position::AfterSlash,
        RequestPart::Headers => header_name(expr, src).is_some_and(|h| {
            !matches!(
                h.to_ascii_lowercase().as_str(),
                "referer" | "referrer" | "origin" | "cookie"
            )
        }),
        // the request's own URL, its user or session; cookies the app set
        RequestPart::Whole | RequestPart::Cookies => false,
    };
    ok.then_some(Tainted {
        leaf: expr,
        part,
        position,
    })
}

/// A part of the request's own URL other than its query: `req.nextUrl.pathname`,
/// `pathname` destructured from `req.nextUrl` or `new URL(req.url)`.
fn same_origin(expr: Node<'_>, src: &Script<'_>) -> bool {
    let e = ast::unwrap_expr(expr);
    if let Some(rest) = ast::member_path(e, src).as_deref().and_then(request_rest) {
        return !rest.contains(&"searchParams");
    }
    if e.kind_name() == "identifier" {
        if let Some(b) = src.declaration(e, ast::text(e, src)) {
            if b.destructured {
                return b.key_name(src).as_deref() != Some("searchParams");
            }
        }
    }
    false
}

/// The header a request-header expression reads: `req.headers.host`,
/// `req.headers['x-forwarded-host']`, `headers.get('host')`.
fn header_name(expr: Node<'_>, src: &Script<'_>) -> Option<String> {
    let e = ast::unwrap_expr(expr);
    match e.kind_name() {
        "call_expression" => {
            let (m, _) = method_call(e, src)?;
            if m != "get" && m != "header" {
                return None;
            }
            ast::string_value(*ast::call_arguments(e).first()?, src)
        }
        "member_expression" | "subscript_expression" => {
            let path = ast::member_path(e, src)?;
            let last = path.rsplit('.').next()?;
            (last != "headers").then(|| last.to_string())
        }
        "identifier" => {
            let name = ast::text(e, src);
            let b = src.declaration(e, name)?;
            let v = b.simple_value()?;
            (v.id() != e.id()).then_some(())?;
            let _level = ast::descend()?;
            header_name(v, src).or_else(|| b.key_name(src))
        }
        _ => None,
    }
}

/// What a value adds to the location's text, for [`position_after`]: a
/// literal's text, `X` for anything else.
fn static_text(expr: Node<'_>, src: &str) -> String {
    ast::string_value(ast::unwrap_expr(expr), src).unwrap_or_else(|| "X".to_string())
}

/// Where a value written after `prefix` lands; `None` when it can no longer
/// change the host (in the path, query or fragment).
fn position_after(prefix: &str) -> Option<Position> {
    if prefix.is_empty() {
        return Some(Position::Start);
    }
    if prefix.contains(['?', '#']) {
        return None;
    }
    if prefix == "/" || prefix == "\\" {
        return Some(Position::AfterSlash);
    }
    let rest = match prefix.find("://") {
        Some(i) => &prefix[i + 3..],
        None if prefix.starts_with("//") => &prefix[2..],
        // a path (`/a/`) or a relative one (`login/`)
        None if prefix.starts_with('/') || prefix.contains('/') => return None,
        None => prefix,
    };
    if rest.is_empty() {
        Some(Position::Host)
    } else if rest.contains('/') {
        None
    } else {
        Some(Position::Authority)
    }
}

/// A callee whose name says it vets a location (`safeRedirect`, `isRelative`,
/// `sanitizeUrl`, `validateRedirect`, `isAllowedUrl`).
fn sanitizer(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    ast::name_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "safe"
                | "valid"
                | "validate"
                | "validated"
                | "allowed"
                | "allow"
                | "trusted"
                | "relative"
                | "internal"
                | "local"
                | "sanitize"
                | "sanitized"
                | "allowlist"
                | "whitelist"
                | "whitelisted"
                | "same"
                | "verified"
        )
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Guard {
    None,
    /// Only `x.startsWith('/')` (or `x[0] === '/'`).
    Slash,
    Strong,
}

/// The strongest check of `names` in `scope`: an allowlist lookup, a
/// same-origin comparison, a regular expression, a vetting helper, a
/// `startsWith('/')` (with `//` rejected: strong).
fn guard_in(scope: Node<'_>, names: &[String], src: &Script<'_>) -> Guard {
    let mentions = |n: Node<'_>| {
        let t = ast::text(n, src);
        names.iter().any(|name| contains_word(t, name))
    };
    let mut slash = false;
    let mut double_slash = false;
    let mut strong = false;
    ast::visit(scope, &mut |n| {
        if strong {
            return false;
        }
        match n.kind_name() {
            "call_expression" => {
                let args = ast::call_arguments(n);
                let args_mention = args.iter().any(|a| mentions(*a));
                if let Some((m, receiver)) = method_call(n, src) {
                    match m {
                        "startsWith" if mentions(receiver) => {
                            let arg = args.first().map(|a| ast::unwrap_expr(*a));
                            match arg.and_then(|a| ast::string_value(a, src)) {
                                Some(s) if s == "/" => slash = true,
                                Some(s) if s.starts_with("//") || s.starts_with("/\\") => {
                                    double_slash = true
                                }
                                Some(s) => strong |= s.contains("://") && s.len() > 8,
                                None => strong |= arg.is_some(),
                            }
                        }
                        "includes" | "has" | "indexOf" | "some" | "every" | "find"
                            if args_mention =>
                        {
                            strong = true
                        }
                        "includes" | "indexOf" if mentions(receiver) => {
                            let s = args.first().and_then(|a| ast::string_value(*a, src));
                            if s.as_deref().is_some_and(|s| s.starts_with("//")) {
                                double_slash = true;
                            }
                        }
                        "test" | "match" | "exec" if args_mention || mentions(receiver) => {
                            strong = true
                        }
                        _ => {}
                    }
                }
                if args_mention {
                    if let Some(f) = n.field(Field::Function) {
                        strong |= sanitizer(ast::text(f, src));
                    }
                }
            }
            "binary_expression" => {
                let op = n.field(Field::Operator).map(|o| ast::text(o, src));
                if matches!(op, Some("===" | "!==" | "==" | "!=")) {
                    let text = ast::text(n, src);
                    if [".origin", ".host", ".hostname"]
                        .iter()
                        .any(|h| contains_word(text, h))
                    {
                        strong = true;
                    } else if mentions(n) {
                        if text.contains("'//'") || text.contains("\"//\"") {
                            double_slash = true;
                        } else if text.contains("'/'") || text.contains("\"/\"") {
                            slash = true;
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    if strong || (slash && double_slash) {
        Guard::Strong
    } else if slash {
        Guard::Slash
    } else {
        Guard::None
    }
}

/// `word` in `text` with no identifier character on either side.
fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let starts_ident = word.chars().next().is_some_and(ident);
        (!starts_ident || !before.is_some_and(ident)) && !after.is_some_and(ident)
    })
}

#[cfg(test)]
mod tests {
    use super::position_after;
    use super::Position::*;
    use crate::rules::testing::*;

    const ID: &str = "open-redirect";
    const P: &str = "src/routes/auth.ts";
    const ROUTE: &str = "app/auth/callback/route.ts";

    fn snippets(path: &str, text: &str) -> Vec<String> {
        findings(ID, path, text)
            .iter()
            .map(|d| text[d.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn positions() {
        assert_eq!(position_after(""), Some(Start));
        assert_eq!(position_after("/"), Some(AfterSlash));
        assert_eq!(position_after("X"), Some(Authority));
        assert_eq!(position_after("https://"), Some(Host));
        assert_eq!(position_after("https://X"), Some(Authority));
        assert_eq!(position_after("//"), Some(Host));
        assert_eq!(position_after("X/"), None);
        assert_eq!(position_after("/a/"), None);
        assert_eq!(position_after("https://app.com/"), None);
        assert_eq!(position_after("/login?next="), None);
        assert_eq!(position_after("X#"), None);
    }

    #[test]
    fn flags_express_query_body_and_params() {
        let text = "app.get('/a', (req, res) => {\n  res.redirect(req.query.next);\n});\napp.post('/b', (req, res) => {\n  const { returnTo } = req.body;\n  res.redirect(302, returnTo || '/');\n});\napp.get('/c/:to', (req, res) => res.redirect(req.params.to));\n";
        assert_eq!(
            snippets(P, text),
            vec!["req.query.next", "returnTo || '/'", "req.params.to"]
        );
        let m = &findings(ID, P, text)[0].message;
        assert!(m.contains("request query `req.query.next`"), "{m}");
        assert_eq!(
            findings(ID, P, text)[0].level,
            crate::diagnostic::Level::Warn
        );
    }

    #[test]
    fn flags_next_search_params_and_templates() {
        let text = "import { NextResponse } from 'next/server';\nexport async function GET(request: Request) {\n  const { searchParams, origin } = new URL(request.url);\n  const next = searchParams.get('next') ?? '/';\n  const to = searchParams.get('to');\n  if (a) return NextResponse.redirect(`${origin}${next}`);\n  if (b) return NextResponse.redirect(new URL(to!, request.url));\n  return NextResponse.redirect(`/${to}`);\n}\n";
        assert_eq!(
            snippets(ROUTE, text),
            vec![
                "`${origin}${next}`",
                "new URL(to!, request.url)",
                "`/${to}`"
            ]
        );
        let d = findings(ID, ROUTE, text);
        assert!(
            d[0].message.contains("right after the origin"),
            "{}",
            d[0].message
        );
        assert!(
            d[2].message.contains("after a lone `/`"),
            "{}",
            d[2].message
        );
    }

    #[test]
    fn flags_host_header_hono_koa_and_next_navigation() {
        let text = "import { redirect } from 'next/navigation';\nexport default function Page({ searchParams }) {\n  redirect(searchParams.next);\n}\napp.get('/h', (req, res) => res.redirect(`https://${req.headers.host}`));\nhono.get('/x', (c) => c.redirect(c.req.query('url')));\n";
        assert_eq!(
            snippets("app/go/page.tsx", text),
            vec![
                "searchParams.next",
                "`https://${req.headers.host}`",
                "c.req.query('url')"
            ]
        );
    }

    #[test]
    fn weak_slash_check_for_a_whole_location() {
        let text = "app.get('/a', (req, res) => {\n  const next = String(req.query.next);\n  if (!next.startsWith('/')) return res.redirect('/');\n  res.redirect(next);\n});\n";
        let d = findings(ID, P, text);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("`startsWith('/')` alone"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn same_origin_values_are_clean() {
        for text in [
            "export function middleware(req) {\n  return NextResponse.redirect(new URL('/login', req.url));\n}",
            "export function middleware(request) {\n  const url = request.nextUrl.clone();\n  url.pathname = '/login';\n  return NextResponse.redirect(url);\n}",
            "export function middleware(req) {\n  const { pathname } = req.nextUrl;\n  return NextResponse.redirect(new URL(`/en${pathname}`, req.url));\n}",
            "export function middleware(req) {\n  return NextResponse.redirect(new URL(req.nextUrl.pathname, req.url));\n}",
            "app.get('/a', (req, res) => res.redirect(req.originalUrl));\napp.get('/b', (req, res) => res.redirect(`/login?next=${req.originalUrl}`));",
        ] {
            assert_clean(ID, ROUTE, text);
        }
    }

    #[test]
    fn path_and_query_positions_are_clean() {
        for text in [
            "app.get('/a', (req, res) => res.redirect(`/login?next=${req.query.next}`));",
            "app.get('/a', (req, res) => res.redirect(`/teams/${req.params.slug}/settings`));",
            "app.get('/a', (req, res) => res.redirect(`${origin}/auth/${req.query.step}`));",
            "app.get('/a', (req, res) => res.redirect('/done#' + req.query.tab));",
            "app.get('/a', (req, res) => res.redirect(encodeURIComponent(req.query.next)));",
            // a route segment after a lone slash holds no `/`
            "app.get('/a/:slug', (req, res) => res.redirect(`/${req.params.slug}`));",
        ] {
            assert_clean(ID, P, text);
        }
    }

    #[test]
    fn checked_locations_are_clean() {
        for text in [
            "app.get('/a', (req, res) => {\n  const next = req.query.next;\n  if (!ALLOWED.includes(next)) return res.redirect('/');\n  res.redirect(next);\n});",
            "app.get('/a', (req, res) => {\n  const next = String(req.query.next);\n  if (next.startsWith('/') && !next.startsWith('//')) res.redirect(next);\n});",
            "app.get('/a', (req, res) => {\n  const next = String(req.query.next);\n  const target = new URL(next, BASE);\n  if (target.origin !== BASE_URL.origin) return res.redirect('/');\n  res.redirect(next);\n});",
            "app.get('/a', (req, res) => {\n  const next = req.query.next;\n  if (!isSafeRedirect(next)) return res.redirect('/');\n  res.redirect(next);\n});",
            "app.get('/a', (req, res) => res.redirect(safeRedirect(req.query.next)));",
            "app.get('/a', (req, res) => {\n  const next = req.query.next;\n  if (!/^\\/[a-z]/.test(next)) return res.redirect('/');\n  res.redirect(next);\n});",
            // after the origin, `startsWith('/')` is enough
            "export async function GET(request) {\n  const { searchParams, origin } = new URL(request.url);\n  let next = searchParams.get('next') ?? '/';\n  if (!next.startsWith('/')) next = '/';\n  return NextResponse.redirect(`${origin}${next}`);\n}",
        ] {
            assert_clean(ID, P, text);
        }
    }

    #[test]
    fn back_headers_cookies_and_other_redirects_are_clean() {
        for text in [
            "app.get('/a', (req, res) => res.redirect(req.headers.referer || '/'));",
            "app.get('/a', (req, res) => res.redirect(req.get('Referrer')));",
            "app.get('/a', (req, res) => res.redirect(req.cookies.returnTo));",
            "app.get('/a', (req, res) => res.redirect(req.session.returnTo));",
            // not a response's redirect, a local `redirect`
            "function redirect(x) {}\napp.get('/a', (req, res) => { router.redirect(req.query.next); redirect(req.query.next); });",
            // not request data
            "app.get('/a', (req, res) => res.redirect(config.loginUrl));",
        ] {
            assert_clean(ID, P, text);
        }
    }

    #[test]
    fn ranges_with_non_ascii_text_and_crlf() {
        let text = "// Weiterleitung für Benutzer 🚀\r\napp.get('/é', (req, res) => {\r\n  res.redirect(req.query.suivant);\r\n});\r\n";
        let d = findings(ID, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "req.query.suivant");
    }
}
