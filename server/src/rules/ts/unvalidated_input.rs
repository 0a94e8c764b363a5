//! `unvalidated-input`: a handler reads the request body or query
//! (`await req.json()`, `req.body`, `searchParams.get`) and never runs a
//! schema parse. Handlers and request input come from the framework model.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers::{handler_of, Framework, Handler};
use crate::ts::frameworks::logging::logger_callee;
use crate::ts::frameworks::request::{request_input, RequestPart};
use crate::ts::frameworks::webhooks::webhook_of;
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "unvalidated-input",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A handler uses the request body or query without a schema parse",
        docs: DOCS,
        // A body or query read goes through the request (`req.body`,
        // `request.json()`, `c.req.query()`, `ctx.request.body`) or the URL's
        // `searchParams`…
        triggers: &["req.", "req?.", "request.", "request?.", "searchparams"],
        // …and names what it reads.
        also_triggers: &["body", "json", "formdata", "query", "searchparams", "text("],
        options: RuleOptions::NONE,
    },
    kinds: kind::FUNCTIONS,
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags an HTTP handler (Express/Fastify/Hono/Koa route, Next.js route handler or
`pages/api` handler) that reads the request body or query — `await
req.json()`, `await request.formData()`, `req.body`, `req.query`,
`searchParams.get(…)`, `c.req.query(…)` — and runs no schema parse anywhere in
the handler: `schema.parse(…)` / `safeParse` / `parseAsync` (zod, valibot's
`v.parse(schema, x)`), `schema.validate(…)` / `validateSync` (yup, joi), or a
call whose name says it validates (`validate(body)`, `validateRequest(req)`,
`getValidatedBody(…)`). It is reported once per handler, at the first read.

Not flagged: a handler whose route registers validation middleware
(`router.post('/x', validate(schema), handler)`, `celebrate(…)`, Hono's
`zValidator(…)`, whose data is read with `c.req.valid(…)`), NestJS
controllers (DTOs are validated by the `ValidationPipe`), webhook handlers and
handlers that check a signature (`verifyQstashSignature(…)`,
`stripe.webhooks.constructEvent(…)`: the payload is signed by the sender),
auth callbacks (a `callback` route segment: the `code` goes to the provider),
Open Graph image routes (`new ImageResponse(…)`), reads turned into numbers on
the spot (`Number(c.req.query('limit'))`, `parseInt(…)`), reads inside a
logging call (logging is not using the value; `log-request-data` judges it), the URL itself
(`req.nextUrl.pathname`, `searchParams.toString()`), route parameters (`req.params.id`),
headers and cookies, and reads of `JSON.parse`, `Date.parse` or `parseInt`, which
are not schema parses.

## Why is this bad?
Request data is whatever the client sends: missing fields, wrong types, extra
properties (`{ "role": "admin" }` spread into an update), huge strings. Without
a schema the handler's types are a promise nobody checks, and a crash or a mass
assignment is one request away.

## Examples
```ts flagged lines=2 path=app/api/posts/route.ts
export async function POST(req: Request) {
  const body = await req.json();
  await db.post.create({ data: body });
  return Response.json({ ok: true });
}
```

```ts flagged lines=2
app.post('/users', async (req, res) => {
  const user = await db.user.create({ data: req.body });
  res.json(user);
});
```

```ts ok path=app/api/posts/route.ts
const CreatePost = z.object({ title: z.string().max(200) });
export async function POST(req: Request) {
  const body = CreatePost.parse(await req.json());
  await db.post.create({ data: body });
  return Response.json({ ok: true });
}
app.post('/users', validate(UserSchema), async (req, res) => {
  res.json(await db.user.create({ data: req.body }));
});
```

## Fix
None: parse the input with a schema (zod, valibot, yup) and use the parsed value.
"#;

/// Callee objects whose `.parse` is not a schema parse.
const NOT_SCHEMAS: &[&str] = &[
    "JSON",
    "Date",
    "Number",
    "URL",
    "qs",
    "querystring",
    "path",
    "cookie",
    "Math",
    "csv",
    "papa",
    "Papa",
    "yaml",
    "YAML",
    "toml",
    "url",
];

fn check(cx: &mut RuleContext<'_>, func: Node<'_>) {
    let src = cx.script();
    let path = cx.file.path_str();
    let Some(handler) = handler_of(func, &src, &path) else {
        return;
    };
    if handler.framework == Framework::Nest
        || webhook_of(&handler, &src, &path).is_some()
        || validated_by_middleware(&handler)
    {
        return;
    }
    let Some(body) = func.field(Field::Body) else {
        return;
    };
    // OAuth/auth callbacks hand their `code` to the provider; OG image routes
    // only render text.
    let callback = handler
        .path
        .as_deref()
        .is_some_and(|p| p.split('/').any(|seg| seg == "callback"));
    if callback || ast::text(body, &src).contains("ImageResponse(") {
        return;
    }
    let mut first: Option<(Node<'_>, RequestPart)> = None;
    let mut validated = false;
    ast::visit(body, &mut |n| {
        if validated {
            return false;
        }
        match n.kind_name() {
            "call_expression" => {
                if is_validation_call(n, &src) || is_signature_check(n, &src) {
                    validated = true;
                    return false;
                }
                // logging a value is not using it (and is `log-request-data`'s subject)
                if logger_callee(n, &src).is_some() {
                    return false;
                }
                if first.is_none() {
                    if let Some(part) = read_of(n, &src) {
                        first = Some((n, part));
                    }
                }
                true
            }
            "member_expression" | "subscript_expression" => {
                if first.is_none() && !is_inner_chain(n) {
                    if let Some(part) = read_of(n, &src) {
                        first = Some((n, part));
                        return false;
                    }
                }
                true
            }
            _ => true,
        }
    });
    if validated {
        return;
    }
    let Some((read, part)) = first else {
        return;
    };
    let what = match part {
        RequestPart::Body | RequestPart::RawBody => "body",
        _ => "query",
    };
    let shown = ast::text(read, &src);
    let shown = if shown.len() > 60 { what } else { shown };
    cx.report(
        read.byte_range(),
        format!("The request {what} (`{shown}`) is used without a schema parse in this handler: parse it with zod, valibot or yup (`schema.parse(…)`) and use the parsed value"),
    );
}

/// A member chain inside a longer one (`req.body` in `req.body.email`), or a
/// callee: the outer expression is judged instead.
fn is_inner_chain(n: Node<'_>) -> bool {
    n.parent().is_some_and(|p| {
        matches!(
            p.kind_name(),
            "member_expression" | "subscript_expression" | "call_expression"
        ) && p.named_child(0).is_some_and(|o| o.id() == n.id())
    })
}

/// A signature check (`verifyQstashSignature({ req, rawBody })`,
/// `stripe.webhooks.constructEvent(…)`): the payload is signed by a known
/// sender, like a webhook's.
fn is_signature_check(call: Node<'_>, src: &str) -> bool {
    ast::callee_path(call, src).is_some_and(|p| {
        let last = p.rsplit('.').next().unwrap_or(&p);
        matches!(last, "constructEvent" | "constructEventAsync")
            || ast::name_words(last).iter().any(|w| w == "signature")
    })
}

/// A read turned into a number or a boolean on the spot (`Number(c.req.query('limit'))`).
fn is_coerced(n: Node<'_>, src: &str) -> bool {
    let mut top = ast::value_root(n);
    // through a default: `parseInt(searchParams.get('limit') ?? '20', 10)`
    while let Some(p) = top.parent().filter(|p| {
        p.kind_name() == "binary_expression"
            && p.field(Field::Left).is_some_and(|l| l.id() == top.id())
            && p.field(Field::Operator)
                .is_some_and(|o| matches!(ast::text(o, src), "??" | "||"))
    }) {
        top = ast::value_root(p);
    }
    top.parent()
        .filter(|a| a.kind_name() == "arguments")
        .and_then(|a| a.parent())
        .and_then(|call| ast::callee_path(call, src))
        .is_some_and(|p| {
            matches!(
                p.as_str(),
                "Number"
                    | "parseInt"
                    | "parseFloat"
                    | "Number.parseInt"
                    | "Number.parseFloat"
                    | "Boolean"
            )
        })
}

/// `n` reads the request body or query.
fn read_of(n: Node<'_>, src: &Script<'_>) -> Option<RequestPart> {
    if is_coerced(n, src) {
        return None;
    }
    // the URL's query, not its path or the whole URL (`req.nextUrl.pathname`)
    let text = ast::text(n, src);
    let query_text = (text.contains("searchParams") || text.contains("query"))
        && !text.trim_end().ends_with(".toString()");
    // Hono's validated data: `c.req.valid('json')`
    if n.kind_name() == "call_expression"
        && ast::callee_path(n, src).is_some_and(|p| p.ends_with("req.valid"))
    {
        return None;
    }
    match request_input(n, src)? {
        p @ (RequestPart::Body | RequestPart::RawBody) => Some(p),
        p @ (RequestPart::Query | RequestPart::SearchParams) if query_text => Some(p),
        _ => None,
    }
}

/// A schema parse or a validation call.
fn is_validation_call(call: Node<'_>, src: &str) -> bool {
    let Some(path) = ast::callee_path(call, src) else {
        // `schemas[kind].parse(x)`, `getSchema().parse(x)`: judge the method
        return call
            .field(Field::Function)
            .filter(|f| f.kind_name() == "member_expression")
            .and_then(|f| f.field(Field::Property))
            .is_some_and(|p| is_parse_method(ast::text(p, src)));
    };
    let (object, method) = match path.rsplit_once('.') {
        Some((o, m)) => (Some(o), m),
        None => (None, path.as_str()),
    };
    if is_parse_method(method) {
        let last_object = object.map(|o| o.rsplit('.').next().unwrap_or(o));
        return !last_object.is_some_and(|o| NOT_SCHEMAS.contains(&o));
    }
    says_validates(method)
}

fn is_parse_method(m: &str) -> bool {
    matches!(
        m,
        "parse"
            | "safeParse"
            | "parseAsync"
            | "safeParseAsync"
            | "spa"
            | "validateSync"
            | "validateAsync"
            | "assert"
            | "decode"
            | "safeDecode"
            | "cast"
    )
}

/// A name with `validate`, `validated`, `validator` or `validation` among its words.
fn says_validates(name: &str) -> bool {
    ast::name_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "validate" | "validated" | "validator" | "validation" | "celebrate"
        )
    })
}

/// Validation middleware on the route or router (`validate(schema)`,
/// `zValidator('json', s)`, `celebrate({...})`), by name.
fn validated_by_middleware(handler: &Handler<'_>) -> bool {
    handler.middleware.iter().any(|m| {
        let last = m.name.rsplit('.').next().unwrap_or(&m.name);
        says_validates(last) || last.contains("Validator") || last.starts_with("zod")
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const R: &str = "unvalidated-input";

    #[test]
    fn flags_bodies_and_queries_without_a_parse() {
        let src = "export async function POST(req: Request) {\n  const body = await req.json();\n  return Response.json(body);\n}\n\
                   export async function GET(req: Request) {\n  const { searchParams } = new URL(req.url);\n  const q = searchParams.get('q');\n  return Response.json(await search(q));\n}\n";
        let d = findings(R, "app/api/posts/route.ts", src);
        assert_eq!(
            snippet_levels(src, &d),
            vec![
                ("req.json()".to_string(), Level::Info),
                ("searchParams.get('q')".to_string(), Level::Info),
            ]
        );
        assert!(d[0].message.contains("request body"), "{}", d[0].message);
        assert!(d[1].message.contains("request query"), "{}", d[1].message);
        let express = "app.post('/u', async (req, res) => {\n  await db.user.create({ data: req.body });\n  res.json({ ok: req.query.dry });\n});\n";
        assert_eq!(
            assert_flags(R, "src/server.ts", express, 1),
            vec!["req.body"]
        );
    }

    #[test]
    fn schema_parses_are_validation() {
        assert_clean(R, "app/api/posts/route.ts", "export async function POST(req: Request) {\n  const body = Post.parse(await req.json());\n  return Response.json(body);\n}\n");
        assert_clean(R, "src/server.ts", "app.post('/u', async (req, res) => {\n  const r = UserSchema.safeParse(req.body);\n  if (!r.success) return res.status(400).end();\n  res.json(r.data);\n});\n");
        assert_clean(R, "src/server.ts", "app.post('/u', async (req, res) => {\n  const data = await schema.validate(req.body);\n  res.json(v.parse(S, data));\n});\n");
        assert_clean(R, "src/server.ts", "app.post('/u', async (req, res) => {\n  validateBody(req.body);\n  res.json(req.body);\n});\n");
    }

    #[test]
    fn json_and_date_parse_are_not_schema_parses() {
        let src = "export async function POST(req: Request) {\n  const body = JSON.parse(await req.text());\n  return Response.json({ at: Date.parse(body.at) });\n}\n";
        assert_eq!(
            assert_flags(R, "app/api/x/route.ts", src, 1),
            vec!["JSON.parse(await req.text())"]
        );
    }

    #[test]
    fn validation_middleware_is_validation() {
        assert_clean(R, "src/server.ts", "app.post('/u', validate(UserSchema), async (req, res) => {\n  res.json(await db.user.create({ data: req.body }));\n});\n");
        assert_clean(R, "src/server.ts", "import { Hono } from 'hono';\nconst app = new Hono();\napp.post('/u', zValidator('json', S), async (c) => c.json(c.req.valid('json')));\n");
    }

    #[test]
    fn params_headers_webhooks_and_nest_are_not_findings() {
        assert_clean(R, "src/server.ts", "app.get('/u/:id', async (req, res) => {\n  res.json(await db.user.find(req.params.id, req.headers['x-tenant']));\n});\n");
        assert_clean(R, "app/api/webhooks/stripe/route.ts", "export async function POST(req: Request) {\n  const sig = req.headers.get('stripe-signature');\n  const body = await req.text();\n  const event = stripe.webhooks.constructEvent(body, sig, secret);\n  return Response.json({ received: true });\n}\n");
        assert_clean(R, "src/users.controller.ts", "@Controller('users')\nexport class UsersController {\n  @Post()\n  create(@Body() dto: CreateUserDto) { return this.users.create(dto); }\n}\n");
    }

    #[test]
    fn signed_payloads_callbacks_og_images_and_coercions_are_not_findings() {
        assert_clean(R, "app/api/cron/cleanup/route.ts", "export async function POST(req: Request) {\n  const rawBody = await req.text();\n  await verifyQstashSignature({ req, rawBody });\n  return Response.json({ ok: true });\n}\n");
        assert_clean(R, "app/auth/callback/route.ts", "export async function GET(request: Request) {\n  const code = new URL(request.url).searchParams.get('code');\n  return exchange(code);\n}\n");
        assert_clean(R, "app/api/og/route.tsx", "export async function GET(req: NextRequest) {\n  const title = req.nextUrl.searchParams.get('title');\n  return new ImageResponse(<div>{title}</div>);\n}\n");
        assert_clean(R, "src/server.ts", "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/jobs', (c) => c.json(list(Number(c.req.query('limit')) || 50, parseInt(c.req.query('page') ?? '1', 10))));\n");
        assert_clean(R, "app/api/x/route.ts", "export async function GET(req: NextRequest) {\n  const url = req.nextUrl.toString();\n  return Response.json({ path: req.nextUrl.pathname, url });\n}\n");
        // a coerced read does not hide a later raw one
        assert_flags(R, "src/server.ts", "import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/jobs', (c) => c.json(list(Number(c.req.query('limit')), c.req.query('status'))));\n", 1);
    }

    #[test]
    fn reads_that_are_only_logged_are_not_uses() {
        assert_clean(R, "src/server.ts", "app.post('/login', (req, res) => {\n  console.log('login', req.body);\n  res.end();\n});\n");
        assert_flags(R, "src/server.ts", "app.post('/login', (req, res) => {\n  logger.info(req.body);\n  res.json(req.body);\n});\n", 1);
    }

    #[test]
    fn functions_that_are_not_handlers_are_not_findings() {
        assert_clean(
            R,
            "src/lib/util.ts",
            "export function read(req: { body: unknown }) { return req.body; }\n",
        );
    }

    #[test]
    fn ranges_with_emoji_accents_and_crlf() {
        let src = "// café 🎉\r\nexport async function POST(req: Request) {\r\n  const b = await req.json(); // é\r\n  return Response.json(b);\r\n}\r\n";
        let d = findings(R, "app/api/x/route.ts", src);
        assert_eq!(d.len(), 1);
        assert_eq!(&src[d[0].range.clone()], "req.json()");
    }
}
