//! `insecure-cookie`: a session, token or auth cookie written without
//! `httpOnly: true`, `secure: true` and `sameSite`.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::frameworks::responses::{cookie_write, CookieWrite};
use crate::ts::frameworks::{object_literal, object_property_ignore_case};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "insecure-cookie",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary: "A session, token or auth cookie is set without httpOnly, secure or sameSite",
        docs: DOCS,
        triggers: &["cookie"],
        also_triggers: &["session", "token", "auth", "sid", "jwt"],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::CALL_EXPRESSION],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a cookie written to a response — Express `res.cookie(name, value,
options)`, Fastify `reply.setCookie(…)`, Next.js `cookies().set(…)` and
`response.cookies.set(…)` (positional or object form), Koa
`ctx.cookies.set(…)`, Hono `setCookie(c, …)` — whose name says it holds a
session, a token or auth (`session`, `sid`, `token`, `auth`, `jwt`:
`next-auth.session-token`, `refresh_token`, `authToken`) when its options lack
`httpOnly: true`, `secure: true` or `sameSite` (or set them to `false`). Koa
cookies are `httpOnly` unless told otherwise, and `secure` when the request
came over HTTPS (`ctx.secure`, with `app.proxy` behind a proxy): only
`sameSite` is asked of them.

Not flagged: other names (`theme`, `locale`), CSRF tokens (`csrfToken`,
`XSRF-TOKEN`, read by scripts by design), a cookie being cleared (empty value,
`maxAge: 0`, `expires: new Date(0)`), options the file does not show (a
helper's result, a parameter, a spread of one), and `secure` set from a
condition (`secure: process.env.NODE_ENV === 'production'`).

## Why is this bad?
Without `httpOnly` any script on the page (an XSS, a compromised dependency)
reads the session; without `secure` it travels over plain HTTP; without
`sameSite` other sites can make the browser send it along (CSRF).

## Examples
```ts flagged lines=3
app.post('/login', async (req, res) => {
  const token = await login(req.body);
  res.cookie('session', token, { maxAge: 86_400_000 });
});
```

```ts flagged lines=5
import { cookies } from 'next/headers';

export async function login(token: string) {
  const store = await cookies();
  store.set('auth-token', token, { httpOnly: true, secure: true });
}
```

```ts ok
res.cookie('session', token, { httpOnly: true, secure: true, sameSite: 'lax' });
res.cookie('theme', 'dark');
res.cookie('XSRF-TOKEN', csrf, { sameSite: 'strict', secure: true });
res.cookie('session', '', { maxAge: 0 });
```

## Fix
**Safe**: adds the missing options (`httpOnly: true`, `secure: true`,
`sameSite: 'lax'`) to the options object, or adds the object. An option
explicitly set to `false` is left to you (no fix).
"#;

/// The flags a session cookie needs, with the value the fix writes.
const REQUIRED: &[(&str, &str)] = &[
    ("httpOnly", "true"),
    ("secure", "true"),
    ("sameSite", "'lax'"),
];

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.script();
    let Some(write) = cookie_write(node, &src) else {
        return;
    };
    let Some(name) = write.name.and_then(|n| cookie_name(n, &src)) else {
        return;
    };
    if !says_session(&name) || is_cleared(&write, &src) {
        return;
    }
    let options = match write.options.map(|o| object_literal(o, &src)) {
        Some(Some(o)) => Some(o),
        // options the file does not show
        Some(None) => return,
        None => None,
    };
    let mut missing = Vec::new();
    let mut disabled = Vec::new();
    for (key, value) in REQUIRED {
        // Koa: `httpOnly` by default, `secure` by default on HTTPS requests
        if matches!(*key, "httpOnly" | "secure")
            && write.secure_defaults
            && options.is_none_or(|o| object_property_ignore_case(o, key, &src).is_none())
        {
            continue;
        }
        match options.and_then(|o| object_property_ignore_case(o, key, &src)) {
            None => missing.push((*key, *value)),
            Some(v) if ast::text(ast::unwrap_expr(v), &src) == "false" => disabled.push(*key),
            Some(_) => {}
        }
    }
    if missing.is_empty() && disabled.is_empty() {
        return;
    }
    let mut problems = Vec::new();
    if !missing.is_empty() {
        let keys: Vec<String> = missing.iter().map(|(k, _)| format!("`{k}`")).collect();
        problems.push(format!("lacks {}", keys.join(", ")));
    }
    if !disabled.is_empty() {
        let keys: Vec<String> = disabled.iter().map(|k| format!("`{k}: false`")).collect();
        problems.push(format!("sets {}", keys.join(", ")));
    }
    let q = ast::preferred_quote_near(&src, node.start_byte());
    let props: Vec<String> = missing
        .iter()
        .map(|(k, v)| {
            let v = if v.starts_with('\'') {
                ast::quoted("lax", q)
            } else {
                v.to_string()
            };
            format!("{k}: {v}")
        })
        .collect();
    let fix = if disabled.is_empty() {
        fix_for(&write, options, &props, &src).map(|(at, text)| {
            Fix::safe(
                format!("Add {}", props.join(", ")),
                vec![Edit::insert(at, text)],
            )
        })
    } else {
        None
    };
    let range = write.name.map_or(node.byte_range(), |n| n.byte_range());
    let d = cx.report(
        range,
        format!(
            "Cookie `{name}` holds a session or token but {}; set `httpOnly: true`, `secure: true` and `sameSite`",
            problems.join(" and ")
        ),
    );
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

/// The cookie's name: a string, or a constant bound to one.
fn cookie_name(name: Node<'_>, src: &Script<'_>) -> Option<String> {
    let n = ast::unwrap_expr(name);
    if let Some(v) = ast::string_value(n, src) {
        return Some(v);
    }
    if n.kind_name() == "identifier" {
        return ast::string_value(ast::unwrap_expr(src.value_of(n, ast::text(n, src))?), src);
    }
    None
}

/// The name's words say session, token or auth (not CSRF).
fn says_session(name: &str) -> bool {
    let words = ast::name_words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    if has("csrf") || has("xsrf") {
        return false;
    }
    ["session", "sess", "sid", "token", "auth", "jwt", "refresh"]
        .iter()
        .any(|w| has(w))
        || words
            .iter()
            .any(|w| w.ends_with("token") || w.starts_with("session"))
}

/// A cookie being cleared: empty value, `maxAge: 0`, `expires: new Date(0)`.
fn is_cleared(write: &CookieWrite<'_>, src: &Script<'_>) -> bool {
    if write
        .value
        .and_then(|v| ast::string_value(ast::unwrap_expr(v), src))
        .is_some_and(|v| v.is_empty())
    {
        return true;
    }
    let Some(o) = write.options.and_then(|o| object_literal(o, src)) else {
        return false;
    };
    object_property_ignore_case(o, "maxAge", src)
        .is_some_and(|v| matches!(ast::text(v, src), "0" | "-1"))
        || object_property_ignore_case(o, "expires", src).is_some_and(|v| {
            let t = ast::text(v, src).replace(' ', "");
            t == "newDate(0)" || t == "0"
        })
}

/// Where to add the options: into the literal written at the call, or a new
/// options argument after the value.
fn fix_for(
    write: &CookieWrite<'_>,
    options: Option<Node<'_>>,
    props: &[String],
    src: &Script<'_>,
) -> Option<(usize, String)> {
    match (write.options, options) {
        // an object written in the call
        (Some(written), Some(o)) if ast::unwrap_expr(written).id() == o.id() => {
            Some(ast::append_properties(o, props, src))
        }
        // a variable's object: not edited here
        (Some(_), _) => None,
        (None, _) => {
            let value = write.value?;
            Some((value.end_byte(), format!(", {{ {} }}", props.join(", "))))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const ID: &str = "insecure-cookie";
    const P: &str = "src/auth.ts";

    fn messages(text: &str) -> Vec<(String, String)> {
        findings(ID, P, text)
            .iter()
            .map(|d| (text[d.range.clone()].to_string(), d.message.clone()))
            .collect()
    }

    #[test]
    fn flags_session_cookies_lacking_flags() {
        let text = "import { cookies } from 'next/headers';\nimport { setCookie } from 'hono/cookie';\nres.cookie('session', t);\nres.cookie('refresh_token', t, { httpOnly: true, secure: false, sameSite: 'strict' });\nconst store = await cookies();\nstore.set('next-auth.session-token', t, { httpOnly: true, secure: true });\nresponse.cookies.set({ name: 'authToken', value: t, httpOnly: true });\nsetCookie(c, 'sid', t, { secure: true, sameSite: 'Lax' });\nctx.cookies.set('jwt', t, { secure: true });\n";
        let m = messages(text);
        let snippets: Vec<&str> = m.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            snippets,
            vec![
                "'session'",
                "'refresh_token'",
                "'next-auth.session-token'",
                "'authToken'",
                "'sid'",
                "'jwt'"
            ]
        );
        assert!(
            m[0].1.contains("lacks `httpOnly`, `secure`, `sameSite`"),
            "{}",
            m[0].1
        );
        assert!(m[1].1.contains("but sets `secure: false`;"), "{}", m[1].1);
        assert!(m[2].1.contains("lacks `sameSite`;"), "{}", m[2].1);
        // Koa: httpOnly by default
        assert!(m[5].1.contains("lacks `sameSite`;"), "{}", m[5].1);
    }

    #[test]
    fn koa_cookies_are_secure_on_https_by_default() {
        assert_clean(
            ID,
            "server/routes/auth.ts",
            "ctx.cookies.set('accessToken', token, { sameSite: 'lax', expires });\n",
        );
        // near misses: sameSite missing, secure turned off
        let text = "ctx.cookies.set('accessToken', token, { expires });\nctx.cookies.set('jwt', t, { sameSite: 'lax', secure: false });\n";
        assert_eq!(findings(ID, "server/routes/auth.ts", text).len(), 2);
    }

    #[test]
    fn near_misses_are_clean() {
        for text in [
            // all three set; `secure` from a condition
            "res.cookie('session', t, { httpOnly: true, secure: true, sameSite: 'lax' });",
            "res.cookie('session', t, { httpOnly: true, secure: process.env.NODE_ENV === 'production', sameSite: 'strict' });",
            // other names, CSRF tokens
            "res.cookie('theme', 'dark');\nres.cookie('locale', l, {});\nres.cookie('XSRF-TOKEN', c);\nres.cookie('csrfToken', c);",
            // clearing
            "res.cookie('session', '', { maxAge: 0 });\nres.cookie('token', 'x', { expires: new Date(0) });",
            // options the file does not show
            "function f(opts) { res.cookie('session', t, opts); res.cookie('session', t, cookieOptions()); res.cookie('session', t, { ...base, maxAge: 1 }); }",
            // a name that is not known, a request's cookies, a map
            "res.cookie(name, t);\nrequest.cookies.set('session', t);\nsessions.set('session', t);",
        ] {
            assert_clean(ID, P, text);
        }
    }

    #[test]
    fn options_through_a_constant() {
        let text = "const SESSION = 'app_session';\nconst opts = { httpOnly: true, secure: true };\nres.cookie(SESSION, t, opts);\n";
        let m = messages(text);
        assert_eq!(m.len(), 1);
        assert!(m[0].1.contains("lacks `sameSite`"));
        // no fix for a shared options object
        check_fix(ID, P, text, false, text);
    }

    #[test]
    fn fix_adds_the_missing_options() {
        check_fix(
            ID,
            P,
            "res.cookie('session', token);\nres.cookie(\"token\", t, { maxAge: 1000 });\n",
            false,
            "res.cookie('session', token, { httpOnly: true, secure: true, sameSite: 'lax' });\nres.cookie(\"token\", t, { maxAge: 1000, httpOnly: true, secure: true, sameSite: 'lax' });\n",
        );
        check_fix(
            ID,
            P,
            "export async function POST() {\r\n\tconst res = NextResponse.json({ ok: true });\r\n\tres.cookies.set(\"session\", token, {\r\n\t\thttpOnly: true,\r\n\t\tpath: \"/\",\r\n\t});\r\n\treturn res;\r\n}\r\n",
            false,
            "export async function POST() {\r\n\tconst res = NextResponse.json({ ok: true });\r\n\tres.cookies.set(\"session\", token, {\r\n\t\thttpOnly: true,\r\n\t\tpath: \"/\",\r\n\t\tsecure: true,\r\n\t\tsameSite: \"lax\",\r\n\t});\r\n\treturn res;\r\n}\r\n",
        );
    }

    #[test]
    fn ranges_with_non_ascii_text() {
        let text = "// Sitzung für Benutzer 🍪\r\nres.cookie('sessión_token', jeton);\r\n";
        let d = findings(ID, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "'sessión_token'");
    }
}
