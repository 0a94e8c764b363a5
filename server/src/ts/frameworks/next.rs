//! Next.js middleware (`middleware.ts`, Next 16's `proxy.ts`): which route
//! paths its `matcher` covers, and whether it plausibly authenticates.
//!
//! A middleware runs before every route its matcher covers, so its auth check
//! protects routes written in other files: its facts travel as workspace facts
//! (`ts::facts`). Every answer errs towards "covered": a matcher that cannot be
//! evaluated covers everything, a middleware that mentions sessions or tokens
//! authenticates.

use super::object_property;
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// Pattern segments evaluated at most (longer matchers are not evaluated).
const MAX_SEGMENTS: usize = 32;

/// A middleware file's facts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NextMiddleware {
    pub matcher: Matcher,
    /// The file mentions authentication (sessions, tokens, an auth library,
    /// a 401): a text judgement, on purpose generous.
    pub authenticates: bool,
}

/// `export const config = { matcher }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Matcher {
    /// No `matcher`: every path.
    All,
    /// A matcher that is not a string literal or a list of them (a variable,
    /// a spread…): treated as every path.
    Unknown,
    /// The matcher's patterns (`source` of object entries).
    Patterns(Vec<String>),
}

/// Words whose presence in a middleware file says it may authenticate.
const AUTH_WORDS: &[&str] = &[
    "auth",
    "session",
    "token",
    "clerk",
    "getuser",
    "jwt",
    "login",
    "signin",
    "sign-in",
    "unauthorized",
    "401",
    "supabase",
    "password",
    "apikey",
    "api-key",
];

/// The facts of a middleware file (`root`: its program node).
pub fn middleware_facts(root: Node<'_>, src: &str) -> NextMiddleware {
    let lower = src.to_ascii_lowercase();
    NextMiddleware {
        matcher: config_matcher(root, src),
        authenticates: AUTH_WORDS.iter().any(|w| lower.contains(w)),
    }
}

/// The matcher of `export const config = { matcher: … }` among the
/// program's top-level statements.
fn config_matcher(root: Node<'_>, src: &str) -> Matcher {
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        if stmt.kind_name() != "export_statement" {
            continue;
        }
        let Some(decl) = stmt.field(Field::Declaration) else {
            continue;
        };
        let mut dc = decl.walk();
        for d in decl.named_children(&mut dc) {
            if d.kind_name() != "variable_declarator"
                || d.field(Field::Name).map(|n| ast::text(n, src)) != Some("config")
            {
                continue;
            }
            let Some(value) = d.field(Field::Value).map(ast::unwrap_expr) else {
                return Matcher::Unknown;
            };
            if value.kind_name() != "object" {
                return Matcher::Unknown;
            }
            return match object_property(value, "matcher", src) {
                None => Matcher::All,
                Some(m) => patterns(ast::unwrap_expr(m), src),
            };
        }
    }
    Matcher::All
}

fn patterns(m: Node<'_>, src: &str) -> Matcher {
    if let Some(s) = ast::string_value(m, src) {
        return Matcher::Patterns(vec![s]);
    }
    if m.kind_name() != "array" {
        return Matcher::Unknown;
    }
    let mut out = Vec::new();
    let mut c = m.walk();
    for item in m.named_children(&mut c) {
        let item = ast::unwrap_expr(item);
        let s = match item.kind_name() {
            "object" => {
                object_property(item, "source", src).and_then(|s| ast::string_value(s, src))
            }
            _ => ast::string_value(item, src),
        };
        match s {
            Some(s) => out.push(s),
            None => return Matcher::Unknown,
        }
    }
    Matcher::Patterns(out)
}

impl NextMiddleware {
    /// The middleware runs for the App Router path `route` (`/api/users/[id]`)
    /// and may authenticate it; a pattern that cannot be evaluated covers it.
    pub fn protects(&self, route: &str) -> bool {
        self.authenticates
            && match &self.matcher {
                Matcher::All | Matcher::Unknown => true,
                Matcher::Patterns(ps) => {
                    ps.iter().any(|p| pattern_covers(p, route).unwrap_or(true))
                }
            }
    }
}

/// Whether the matcher pattern `pattern` matches the route `route` (a
/// dynamic segment `[id]` of the route may be anything); `None` when the
/// pattern is beyond the forms evaluated: path-to-regexp segments (`/a`,
/// `:p`, `:p*`, `:p+`, `:p?`, `(.*)`) and the negative lookahead
/// `/((?!api|_next/static|favicon.ico).*)`.
pub fn pattern_covers(pattern: &str, route: &str) -> Option<bool> {
    let route_segs: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(inner) = pattern
        .strip_prefix("/((?!")
        .and_then(|r| r.strip_suffix(").*)"))
    {
        let rest = route.trim_start_matches('/');
        let excluded = top_level_alternatives(inner)?.into_iter().any(|alt| {
            let alt = alt.replace("\\\\.", ".").replace("\\.", ".");
            // an alternative with regex syntax (`.*\.png$`) is about files, not routes
            let plain = !alt.contains(['*', '$', '(', '[', '?', '+', '\\', '^']);
            plain && !alt.is_empty() && rest.starts_with(alt.as_str())
        });
        return Some(!excluded);
    }
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    if pat.len() > MAX_SEGMENTS || route_segs.len() > MAX_SEGMENTS {
        return None;
    }
    let pat: Vec<Seg> = pat.into_iter().map(seg).collect::<Option<_>>()?;
    Some(matches(&pat, &route_segs))
}

/// The `|`-separated alternatives of a regex at parenthesis depth 0.
fn top_level_alternatives(re: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut escaped = false;
    for (i, ch) in re.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            '|' if depth == 0 => {
                out.push(&re[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&re[start..]);
    Some(out)
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Literal(&'a str),
    /// `:p` (`min` 1, `max` 1), `:p?` (0, 1), `:p*` / `(.*)` (0, ∞), `:p+` (1, ∞).
    Param {
        min: usize,
        many: bool,
    },
}

fn seg(s: &str) -> Option<Seg<'_>> {
    if matches!(s, "(.*)" | "(.+)") {
        return Some(Seg::Param {
            min: usize::from(s == "(.+)"),
            many: true,
        });
    }
    if let Some(name) = s.strip_prefix(':') {
        let (name, min, many) = match name.as_bytes().last() {
            Some(b'*') => (&name[..name.len() - 1], 0, true),
            Some(b'+') => (&name[..name.len() - 1], 1, true),
            Some(b'?') => (&name[..name.len() - 1], 0, false),
            _ => (name, 1, false),
        };
        let name = name
            .strip_suffix("(.*)")
            .map(|n| (n, true))
            .unwrap_or((name, false));
        if name.0.is_empty()
            || !name
                .0
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return None;
        }
        return Some(Seg::Param {
            min: if name.1 { 0 } else { min },
            many: many || name.1,
        });
    }
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        .then_some(Seg::Literal(s))
}

/// Pattern segments against route segments; a route's `[...slug]` matches
/// the rest, its `[id]` any one segment. Recursion only at `:p?` (bounded by
/// the segment counts).
fn matches(pat: &[Seg<'_>], route: &[&str]) -> bool {
    let Some((first, rest)) = pat.split_first() else {
        return route.is_empty();
    };
    let catch_all = |s: &str| s.starts_with("[...") || s.starts_with("[[...");
    match *first {
        Seg::Param { min, many: true } => route.len() >= min || route.iter().any(|s| catch_all(s)),
        Seg::Param { min, many: false } => {
            (min == 0 && matches(rest, route)) || (!route.is_empty() && matches(rest, &route[1..]))
        }
        Seg::Literal(l) => match route.split_first() {
            Some((r, _)) if catch_all(r) => true,
            Some((r, tail)) => (*r == l || r.starts_with('[')) && matches(rest, tail),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ts::frameworks::testing::with_script;

    fn facts(src: &str) -> NextMiddleware {
        with_script(src, |s, root| middleware_facts(root, &s))
    }

    #[test]
    fn matchers_read_from_config() {
        let m = facts("export default auth;\nexport const config = { matcher: ['/dashboard/:path*', { source: '/api/admin/:path*' }] };\n");
        assert_eq!(
            m.matcher,
            Matcher::Patterns(vec!["/dashboard/:path*".into(), "/api/admin/:path*".into()])
        );
        assert!(m.authenticates);
        assert_eq!(
            facts("export function middleware(req) {}\n").matcher,
            Matcher::All
        );
        assert_eq!(
            facts("export const config = { matcher: '/a' };\n").matcher,
            Matcher::Patterns(vec!["/a".into()])
        );
        // near miss: a matcher built at runtime
        assert_eq!(
            facts("const paths = ['/a'];\nexport const config = { matcher: paths };\n").matcher,
            Matcher::Unknown
        );
        // near miss: i18n only, no auth
        assert!(!facts("import createMiddleware from 'next-intl/middleware';\nexport default createMiddleware({ locales: ['en'] });\n").authenticates);
    }

    #[test]
    fn patterns_cover_routes() {
        assert_eq!(pattern_covers("/api/:path*", "/api/users/[id]"), Some(true));
        assert_eq!(pattern_covers("/api/:path*", "/api"), Some(true));
        assert_eq!(
            pattern_covers("/dashboard/:path*", "/api/users"),
            Some(false)
        );
        assert_eq!(pattern_covers("/api/:id", "/api/a/b"), Some(false));
        assert_eq!(pattern_covers("/api/:id?", "/api"), Some(true));
        assert_eq!(pattern_covers("/api/(.*)", "/api/x"), Some(true));
        assert_eq!(
            pattern_covers("/api/users/:id", "/api/[...slug]"),
            Some(true)
        );
        let neg = "/((?!api|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png)$).*)";
        assert_eq!(pattern_covers(neg, "/api/users"), Some(false));
        assert_eq!(pattern_covers(neg, "/dashboard/settings"), Some(true));
        // beyond the evaluated forms
        assert_eq!(pattern_covers("/api/:path((?!public).*)", "/api/x"), None);
    }

    #[test]
    fn protects_needs_auth_and_coverage() {
        let m = NextMiddleware {
            matcher: Matcher::Patterns(vec!["/dashboard/:path*".into()]),
            authenticates: true,
        };
        assert!(m.protects("/dashboard/x"));
        assert!(!m.protects("/api/x"));
        let unknown = NextMiddleware {
            matcher: Matcher::Patterns(vec!["/api/:path((?!public).*)".into()]),
            authenticates: true,
        };
        assert!(unknown.protects("/api/x"));
        let i18n = NextMiddleware {
            matcher: Matcher::All,
            authenticates: false,
        };
        assert!(!i18n.protects("/api/x"));
    }
}
