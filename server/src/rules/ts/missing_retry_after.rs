//! `missing-retry-after`: a 429 response without a `Retry-After` header, and
//! a `Retry-After` computed from an epoch-milliseconds timestamp.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, OptionKind, RuleLanguage, RuleMeta, RuleOption, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::method_call;
use crate::ts::frameworks::responses::{
    response_header, response_of, root_name, HeaderState, HttpResponse,
};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "missing-retry-after",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::Safe,
        // Not in the catalogue, measured: test files held 35 of 36 false
        // positives of jwt-without-expiry, 3 of 5 of missing-retry-after and
        // every stub-auth one (fixture tokens, mocked 429s, injected doubles).
        not_in_tests: true,
        summary: "A 429 response does not say when to retry, or its Retry-After is a millisecond timestamp",
        docs: DOCS,
        triggers: &["429", "retry-after"],
        also_triggers: &[],
        options: RuleOptions::typed::<RetryAfterOptions>(&[RuleOption {
            name: "retry-after",
            kind: OptionKind::String,
            default: "\"60\"",
            help: "The `Retry-After` value (seconds) the fix adds",
        }]),
    },
    kinds: &[kind::CALL_EXPRESSION, kind::NEW_EXPRESSION, kind::PAIR],
    check: Check::Node(check),
};

#[derive(serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RetryAfterOptions {
    pub retry_after: String,
}

impl Default for RetryAfterOptions {
    fn default() -> Self {
        RetryAfterOptions {
            retry_after: "60".to_string(),
        }
    }
}

const DOCS: &str = r#"## What it does
Flags a response with the literal status 429 (`res.status(429).json(…)`,
`res.sendStatus(429)`, `NextResponse.json(…, { status: 429 })`, `new
Response(…, { status: 429 })`, `c.json(…, 429)`, `reply.code(429).send(…)`)
that sets no `Retry-After` header — neither in its headers nor on the
response object in the same function (`res.set('Retry-After', …)`,
`c.header(…)`, `headers.set(…)`). Also flags a `Retry-After` value computed
from an epoch-milliseconds timestamp (the `reset` of a rate limiter such as
`@upstash/ratelimit`, `Date.now()`, `getTime()`) without a division by 1000.

Not flagged: headers the file does not show (`headers: rateLimitHeaders(r)`, a
spread, a parameter), the handler of a rate-limit middleware
(`rateLimit({ handler })`, which sets the header itself), and a `Retry-After`
in seconds or as an HTTP date (`Math.ceil((reset - Date.now()) / 1000)`,
`new Date(reset).toUTCString()`).

Test-like paths are skipped (`*.test.*`, `__tests__/`, … and the `[files] tests`
globs): on real projects the tokens, 429s and auth stubs there were test
fixtures and doubles, not code that ships.

## Why is this bad?
Without `Retry-After`, well-behaved clients (SDKs, `fetch` wrappers, queues)
retry immediately or give up; both hurt users during a burst. `Retry-After`
is seconds or an HTTP date: a millisecond timestamp tells the client to wait
fifty years, and most clients then ignore it.

## Examples
```ts flagged lines=3
export async function POST(req: Request) {
  const { success } = await ratelimit.limit(ip);
  if (!success) return NextResponse.json({ error: 'Too many requests' }, { status: 429 });
}
```

```ts flagged lines=4
export async function POST(req: Request) {
  const { success, reset } = await ratelimit.limit(ip);
  if (!success) {
    return new Response('Slow down', { status: 429, headers: { 'Retry-After': String(reset) } });
  }
}
```

```ts ok
app.post('/login', (req, res) => {
  if (tooMany(req.ip)) {
    res.set('Retry-After', '60');
    return res.status(429).json({ error: 'Too many attempts' });
  }
});
```

```ts ok
const limiter = rateLimit({
  windowMs: 60_000,
  handler: (req, res) => res.status(429).json({ error: 'Too many requests' }),
});
const retry = { 'Retry-After': String(Math.ceil((reset - Date.now()) / 1000)) };
```

## Fix
**Safe**: adds `'Retry-After': '60'` (the `retry-after` option) to the
response's headers: into the `headers` object, as a `headers` property of the
init object, as Hono's third argument, or as `.setHeader('Retry-After', '60')`
(Fastify: `.header(…)`) after `.status(429)`. No fix for a millisecond value.
"#;

/// Calls that set a header by name (`res.set`, `headers.set`, `c.header`…).
const HEADER_SETTERS: &[&str] = &["set", "setHeader", "header", "append"];

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.script();
    if node.kind_name() == kind::PAIR {
        if let (Some(k), Some(v)) = (node.field(Field::Key), node.field(Field::Value)) {
            let key = ast::string_value(k, &src).unwrap_or_else(|| ast::text(k, &src).to_string());
            if key.eq_ignore_ascii_case("retry-after") {
                check_value(cx, v);
            }
        }
        return;
    }
    if let Some((m, _)) = method_call(node, &src) {
        if HEADER_SETTERS.contains(&m) {
            let args = ast::call_arguments(node);
            if let (Some(name), Some(v)) = (args.first(), args.get(1)) {
                if ast::string_value(*name, &src)
                    .is_some_and(|n| n.eq_ignore_ascii_case("retry-after"))
                {
                    check_value(cx, *v);
                }
            }
        }
    }
    let Some(resp) = response_of(node, &src) else {
        return;
    };
    let Some(status) = resp.status_node.filter(|_| resp.status == Some(429)) else {
        return;
    };
    if !matches!(
        response_header(&resp, "Retry-After", &src),
        HeaderState::Absent
    ) || set_nearby(node, &src)
        || in_rate_limiter(node, &src)
    {
        return;
    }
    let value = cx.options::<RetryAfterOptions>().retry_after.clone();
    let fix = fix_for(&resp, status, &value, &src).map(|(at, text)| {
        Fix::safe(
            format!("Add 'Retry-After: {value}'"),
            vec![Edit::insert(at, text)],
        )
    });
    let d = cx.report(
        status.byte_range(),
        "This 429 response does not say when to retry; set a `Retry-After` header (seconds)",
    );
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

/// A `Retry-After` value computed from a millisecond timestamp.
fn check_value(cx: &mut RuleContext<'_>, value: Node<'_>) {
    let src = cx.source;
    let text = ast::text(value, src);
    let words: Vec<String> = ast::name_words(text);
    let epoch = text.contains("Date.now()")
        || text.contains("getTime()")
        || words.iter().any(|w| w == "reset");
    let converted = [
        "1000",
        "1e3",
        "1_000",
        "toUTCString",
        "toGMTString",
        "toISOString",
        "seconds",
        "Seconds",
        "sec",
    ]
    .iter()
    .any(|t| text.contains(t));
    if epoch && !converted {
        cx.report(
            value.byte_range(),
            "`Retry-After` is a number of seconds (or an HTTP date); this value looks like a millisecond timestamp — send `Math.ceil((reset - Date.now()) / 1000)`",
        );
    }
}

/// The function around the response names the `Retry-After` header in a
/// string elsewhere (set on the response object or its headers before it is
/// sent).
fn set_nearby(node: Node<'_>, src: &str) -> bool {
    let scope = ast::enclosing_function(node)
        .unwrap_or_else(|| ast::enclosing_statement(node).unwrap_or(node));
    let text = ast::text(scope, src);
    // as a string (`'Retry-After'`), not in a comment
    text.len() < 200_000
        && text.as_bytes().windows(12).any(|w| {
            matches!(w[0], b'\'' | b'"' | b'`') && w[1..].eq_ignore_ascii_case(b"retry-after")
        })
}

/// The response is the handler of a rate-limit middleware (`rateLimit({
/// handler })`, `slowDown`, `hono-rate-limiter`), which sets the header itself.
fn in_rate_limiter(node: Node<'_>, src: &str) -> bool {
    ast::ancestors(node)
        .take(32)
        .filter(|a| a.kind_name() == kind::CALL_EXPRESSION)
        .filter_map(|c| ast::callee_name(c, src))
        .any(|n| {
            let n = n.to_ascii_lowercase();
            n.contains("ratelimit") || n.contains("limiter") || n == "slowdown"
        })
}

/// Where to insert the header and what.
fn fix_for(
    resp: &HttpResponse<'_>,
    status: Node<'_>,
    value: &str,
    src: &Script<'_>,
) -> Option<(usize, String)> {
    let q = ast::preferred_quote_near(src, status.start_byte());
    let header = format!(
        "{}: {}",
        ast::quoted("Retry-After", q),
        ast::quoted(value, q)
    );
    // the Fetch API init object: `{ status: 429 }`
    let init = status
        .parent()
        .filter(|p| p.kind_name() == kind::PAIR)
        .and_then(|p| p.parent())
        .filter(|o| o.kind_name() == "object");
    if let Some(init) = init {
        return match resp.headers.map(ast::unwrap_expr) {
            Some(h) if h.kind_name() == "object" => Some(ast::append_properties(h, &[header], src)),
            Some(_) => None,
            None => Some(ast::append_properties(
                init,
                &[format!("headers: {{ {header} }}")],
                src,
            )),
        };
    }
    let (method, object) = method_call(resp.node, src)?;
    let root = root_name(object, src)?;
    let setter = if root == "reply" {
        "header"
    } else {
        "setHeader"
    };
    let call = format!(
        ".{setter}({}, {})",
        ast::quoted("Retry-After", q),
        ast::quoted(value, q)
    );
    match method {
        // Hono: `c.json(body, 429)` → a third argument
        _ if matches!(root, "c" | "ctx" | "context") => match resp.headers {
            None => Some((status.end_byte(), format!(", {{ {header} }}"))),
            Some(h) if ast::unwrap_expr(h).kind_name() == "object" => {
                Some(ast::append_properties(ast::unwrap_expr(h), &[header], src))
            }
            Some(_) => None,
        },
        "sendStatus" => Some((object.end_byte(), call)),
        // `res.status(429)` → `res.status(429).setHeader(…)`
        _ => {
            let status_call = status.parent()?.parent()?;
            (status_call.kind_name() == kind::CALL_EXPRESSION)
                .then(|| (status_call.end_byte(), call))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const ID: &str = "missing-retry-after";
    const P: &str = "src/api.ts";

    #[test]
    fn not_in_tests() {
        // measured: mocked upstream 429s in test files
        let text = "app.get('/x', (req, res) => res.status(429).json({ error: 'slow' }));\n";
        assert_eq!(findings(ID, P, text).len(), 1, "flagged in source");
        assert_clean(ID, "src/lib/api-wrapper.test.ts", text);
    }

    fn flags(text: &str) -> Vec<String> {
        findings(ID, P, text)
            .iter()
            .map(|d| text[d.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn flags_429_without_retry_after() {
        let text = "function a(req, res) { return res.status(429).json({ error: 'slow' }); }\nfunction b(req, res) { res.sendStatus(429); }\nexport function GET() { return NextResponse.json({ e: 1 }, { status: 429 }); }\nexport function PUT() { return new Response('x', { status: 429, headers: { 'Content-Type': 'text/plain' } }); }\napp.get('/h', (c) => c.json({ e: 1 }, 429));\nfastify.get('/f', (req, reply) => reply.code(429).send({ e: 1 }));\n";
        assert_eq!(flags(text), vec!["429"; 6]);
    }

    #[test]
    fn flags_a_millisecond_retry_after() {
        let text = "function f(reset) {\n  const a = new Response('x', { status: 429, headers: { 'Retry-After': String(reset) } });\n  res.set('Retry-After', `${Date.now() + 60000}`);\n  headers.set('retry-after', result.reset.toString());\n}\n";
        assert_eq!(
            flags(text),
            vec![
                "String(reset)",
                "`${Date.now() + 60000}`",
                "result.reset.toString()"
            ]
        );
    }

    #[test]
    fn near_misses_are_clean() {
        for text in [
            // the header in the response, or set before it in the same function
            "function a(req, res) { res.set('Retry-After', '30'); return res.status(429).json({}); }",
            "function a(req, res) { return res.status(429).set('Retry-After', '30').json({}); }",
            "app.get('/h', (c) => { c.header('Retry-After', '10'); return c.json({}, 429); });",
            "export function GET() { return NextResponse.json({}, { status: 429, headers: { 'Retry-After': '60' } }); }",
            // headers the file does not show
            "export function GET() { return NextResponse.json({}, { status: 429, headers: limitHeaders(r) }); }",
            "export function GET(h) { return new Response(null, { status: 429, headers: { ...h } }); }",
            // a rate-limit middleware's handler
            "const limiter = rateLimit({ windowMs: 1000, handler: (req, res) => res.status(429).json({}) });",
            // another status, a computed status
            "function a(req, res) { res.status(503).json({}); res.status(code).json({}); }",
            // seconds and HTTP dates
            "res.set('Retry-After', String(Math.ceil((reset - Date.now()) / 1000)));",
            "const h = { 'Retry-After': new Date(reset).toUTCString() };",
            "const h = { 'Retry-After': String(retryAfterSeconds) };",
            // a 429 that is read, not sent
            "if (response.status === 429) await sleep(1000);",
        ] {
            assert_clean(ID, P, text);
        }
    }

    #[test]
    fn fixes_add_the_header() {
        check_fix(
            ID,
            P,
            "function a(req, res) {\n  return res.status(429).json({ error: 'slow' });\n}\nfunction b(req, res) { res.sendStatus(429); }\nfastify.get('/f', (req, reply) => reply.code(429).send({}));\n",
            false,
            "function a(req, res) {\n  return res.status(429).setHeader('Retry-After', '60').json({ error: 'slow' });\n}\nfunction b(req, res) { res.setHeader('Retry-After', '60').sendStatus(429); }\nfastify.get('/f', (req, reply) => reply.code(429).header('Retry-After', '60').send({}));\n",
        );
        check_fix(
            ID,
            P,
            "export function GET() {\r\n  return NextResponse.json(\r\n    { error: \"Too many requests\" },\r\n    {\r\n      status: 429,\r\n    },\r\n  );\r\n}\r\nconst x = new Response(\"x\", { status: 429, headers: { \"X-Limit\": \"5\" } });\r\napp.get(\"/h\", (c) => c.json({}, 429));\r\n",
            false,
            "export function GET() {\r\n  return NextResponse.json(\r\n    { error: \"Too many requests\" },\r\n    {\r\n      status: 429,\r\n      headers: { \"Retry-After\": \"60\" },\r\n    },\r\n  );\r\n}\r\nconst x = new Response(\"x\", { status: 429, headers: { \"X-Limit\": \"5\", \"Retry-After\": \"60\" } });\r\napp.get(\"/h\", (c) => c.json({}, 429, { \"Retry-After\": \"60\" }));\r\n",
        );
    }

    #[test]
    fn configured_value() {
        let config = with_rule_options(config_only(ID), ID, "retry-after = \"120\"");
        check_fix_with(
            ID,
            P,
            "const r = new Response(null, { status: 429 });\n",
            false,
            "const r = new Response(null, { status: 429, headers: { 'Retry-After': '120' } });\n",
            &config,
            &facts_for(P, ""),
        );
    }

    #[test]
    fn ranges_with_non_ascii_text() {
        let text = "// Trop de requêtes — 🚦\r\nexport function GET() { return Response.json({ erreur: 'réessayez' }, { status: 429 }); }\r\n";
        let d = findings(ID, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "429");
    }
}
