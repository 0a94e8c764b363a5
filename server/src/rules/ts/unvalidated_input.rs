//! `unvalidated-input`: a handler reads the request body or query
//! (`await req.json()`, `req.body`, `searchParams.get`) and never runs a
//! schema parse. Handlers and request input come from the framework model.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, OptionKind, RuleLanguage, RuleMeta, RuleOption, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::auth::{admin_only, behind_shared_secret};
use crate::ts::frameworks::effects::changes_data_or_sensitive;
use crate::ts::frameworks::handlers::{Framework, Handler, HandlerKind};
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
        options: RuleOptions::typed::<UnvalidatedInputOptions>(&[RuleOption {
            name: "read-only-handlers",
            kind: OptionKind::Bool,
            default: "false",
            help: "Also judge handlers that visibly change nothing (no write, send or spend call): read-only lookups by a query value",
        }]),
    },
    kinds: kind::FUNCTIONS,
    check: Check::Node(check),
};

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct UnvalidatedInputOptions {
    pub read_only_handlers: bool,
}

const DOCS: &str = r#"## What it does
Flags an HTTP handler (Express/Fastify/Hono/Koa route, Next.js route handler or
`pages/api` handler) that reads the request body or query — `await
req.json()`, `await request.formData()`, `req.body`, `req.query`,
`searchParams.get(…)`, `c.req.query(…)` — in a handler that visibly changes
something (a write, send or spend call such as `db.post.create`, `sendEmail`,
`stripe.charges.create`, a `fetch` with a method, SQL that writes) or calls a
sensitive sink (`login`, `signIn`, `jwt.sign`, `authenticate`, `exec`,
`spawn`), one hop into functions of the same file, and runs no schema parse anywhere in the handler: `schema.parse(…)` / `safeParse` / `parseAsync` (zod, valibot's
`v.parse(schema, x)`), `schema.validate(…)` / `validateSync` (yup, joi), or a
call whose name says it validates (`validate(body)`, `validateRequest(req)`,
`getValidatedBody(…)`). It is reported once per handler, at the first read.

Not flagged: a handler whose route registers validation middleware
(`router.post('/x', validate(schema), handler)`, `celebrate(…)`, Hono's
`zValidator(…)`, whose data is read with `c.req.valid(…)`), NestJS
controllers (DTOs are validated by the `ValidationPipe`), webhook handlers and
handlers that check a signature (`verifyQstashSignature(…)`,
`stripe.webhooks.constructEvent(…)`: the payload is signed by the sender),
auth and provider callbacks (a `callback` route segment, or one ending in
`_callback` / `-callback` such as `ses_callback`: the `code` goes to the
provider, the notification comes from it),
Open Graph image routes (`new ImageResponse(…)`), reads turned into numbers on
the spot (`Number(c.req.query('limit'))`, `parseInt(…)`), reads inside a
logging call (logging is not using the value; `log-request-data` judges it), the URL itself
(`req.nextUrl.pathname`, `searchParams.toString()`), a Fetch API request's raw
`body` stream handed on (an upload), route parameters (`req.params.id`),
headers and cookies, and reads of `JSON.parse`, `Date.parse` or `parseInt`, which
are not schema parses. Also not flagged (classes measured on real projects):
Effect Schema (`Schema.decodeUnknown…(S)(x)`, brand constructors such as
`VideoId.make(id)`), hand-written checks (`typeof inviteId !== 'string'`), and
reads that are only tested — compared (`version === LATEST`, directly or
through the one local they initialise, also with a literal default such as
`?? 'json'`), negated, or a condition guarding an
on-the-spot conversion (`req.query.cursor ? Number(req.query.cursor) : undefined`).
A read tested for presence and then used as it is (`if (!q) return …;
search(q)`) is still a finding. In a `pages/api` handler, `req.query` keys
named by the file's dynamic segments (`pages/api/teams/[teamId].ts`:
`req.query.teamId`, `const { teamId } = req.query`) are route parameters, not
query input. Also not flagged: a route that refuses to run outside
development (`if (process.env.NODE_ENV !== 'development') return …`), an
endpoint gated to the app's administrators (`withAdmin(…)`, `requireAdmin()`:
the operators' own input; an admin of the caller's team, `getAuthenticatedAdmin(teamId)`,
is a customer and still judged), an endpoint gated by a
deployment secret (a
comparison with a `process.env` secret, or a check named for one that is
given the request — the same test as `error-details-leak`), and a payload
handed whole to a library that validates its protocol (`handleUpload({ body,
request })` of `@vercel/blob`, WebAuthn, OAuth/OIDC/SAML servers, MCP, tRPC).
Input handed to a function imported from a workspace module that runs a
schema parse (`updateTag(id, req.body)`, where `lib/tags.ts` calls
`UpdateTagSchema.safeParse`) is validated one call away: not flagged.
`typeof` checks count for names bound by a declaration or a destructuring
assignment (`({ inviteId } = await req.json())`), through a literal default
(`req.body ?? {}`).

Handlers that change nothing and call no such sink — a lookup by a query
value answered to the caller — are not judged by default: measured on 36 real projects, 127 of 314
findings were such read-only handlers, and nearly all were string ids used as
lookup keys, which a schema would not make safer. Set `read-only-handlers =
true` to judge every handler.

## Options
```toml
[rules.unvalidated-input]
read-only-handlers = true   # also judge handlers that change nothing (default false)
```

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
    let Some(handler) = super::handler_of_memo(cx, func, &src, &path) else {
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
    let callback = handler.path.as_deref().is_some_and(|p| {
        p.split('/').any(|seg| {
            seg == "callback" || seg.ends_with("_callback") || seg.ends_with("-callback")
        })
    });
    if callback || ast::text(body, &src).contains("ImageResponse(") {
        return;
    }
    // `pages/api/teams/[teamId].ts`: `req.query.teamId` is the route's
    // parameter, not a query string
    let route_params: Vec<&str> = if handler.kind == HandlerKind::PagesApi {
        handler
            .path
            .as_deref()
            .map(dynamic_segments)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    // every read in source order (a bounded number): the finding is the
    // first one that is a use, not a presence test or a comparison
    let mut reads: Vec<(Node<'_>, RequestPart)> = Vec::new();
    let mut typeof_checked: Vec<(Node<'_>, &str)> = Vec::new();
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
                if reads.len() < MAX_READS {
                    if let Some(part) = read_of(n, &src) {
                        reads.push((n, part));
                    }
                }
                true
            }
            "member_expression" | "subscript_expression" => {
                // `Option.map(Comment.CommentId.make)`: a brand constructor passed on
                if is_brand_constructor(n, &src)
                    && n.parent().is_some_and(|p| p.kind_name() == "arguments")
                {
                    validated = true;
                    return false;
                }
                if !route_params.is_empty() && reads_route_params(n, &route_params, &src) {
                    return false;
                }
                if reads.len() < MAX_READS && !is_inner_chain(n) {
                    if let Some(part) = read_of(n, &src) {
                        reads.push((n, part));
                        return false;
                    }
                }
                true
            }
            // `typeof inviteId !== 'string'`: the handler checks its input by hand
            "unary_expression" => {
                if let Some(checked) = typeof_check_of_input(n, &reads, &src) {
                    if typeof_checked.len() < MAX_READS {
                        typeof_checked.push(checked);
                    }
                }
                true
            }
            _ => true,
        }
    });
    if validated || checks_every_name(&typeof_checked, &src) {
        return;
    }
    // a Fetch API request's `body` is its raw stream, not parsed data
    let fetch_api = matches!(handler.framework, Framework::Next | Framework::Deno)
        && handler.kind != HandlerKind::PagesApi;
    let validates = |spec: &str| cx.facts.ts.import_validates(cx.file.path, spec);
    let skipped = |r: Node<'_>| {
        (fetch_api && is_body_stream(r, &src))
            || only_tested(r, body, &src, &route_params)
            || handed_to_validating_module(r, body, &src, &validates)
            // `if (process.env.NODE_ENV !== 'development') return …` before it
            || ast::in_dev_only_code(r, &src)
    };
    // the first body read that is a use, else the first query read: a
    // `pages/api` handler serving GET and POST is reported at the POST's body
    let first_use = |body: bool| {
        reads
            .iter()
            .copied()
            .find(|(r, p)| p.is_body() == body && !skipped(*r))
    };
    let Some((read, part)) = first_use(true).or_else(|| first_use(false)) else {
        return;
    };
    // a job runner's or another backend's endpoint, gated by a deployment
    // secret; an operator's endpoint, gated to administrators
    if behind_shared_secret(read, &src, &path) || admin_only(&handler, &src) {
        return;
    }
    // input that can reach nothing but a lookup and the caller's own response
    if !cx.options::<UnvalidatedInputOptions>().read_only_handlers
        && !changes_data_or_sensitive(&handler, &src)
    {
        return;
    }
    let what = if part.is_body() { "body" } else { "query" };
    let shown = ast::text(read, &src);
    let shown = if shown.len() > 60 { what } else { shown };
    cx.report(
        read.byte_range(),
        format!("The request {what} (`{shown}`) is used without a schema parse in this handler: parse it with zod, valibot or yup (`schema.parse(…)`) and use the parsed value"),
    );
}

/// `req.body` (a member, not `req.body.x`): on a Fetch API `Request` that is
/// a `ReadableStream` handed on as it is (an upload), not parsed input.
fn is_body_stream(read: Node<'_>, src: &str) -> bool {
    read.kind_name() == "member_expression"
        && read
            .field(Field::Property)
            .is_some_and(|p| ast::text(p, src) == "body")
}

/// The parameter names of a route path's dynamic segments: `[teamId]`,
/// `[...slug]`, `[[...path]]`.
fn dynamic_segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('[')?.strip_suffix(']'))
        .map(|s| {
            s.trim_start_matches('[')
                .trim_end_matches(']')
                .trim_start_matches("...")
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// `req.query.teamId` / `req.query['teamId']` of a route parameter, or the
/// whole `req.query` destructured into route parameters only (`const {
/// teamId, id } = req.query as { … }`).
fn reads_route_params(n: Node<'_>, params: &[&str], src: &str) -> bool {
    let says_query = |o: Node<'_>| {
        let t = ast::text(o, src);
        t.ends_with(".query") || t == "query"
    };
    let key = match n.kind_name() {
        "member_expression" => n
            .field(Field::Property)
            .map(|p| ast::text(p, src).to_string()),
        "subscript_expression" => n
            .field(Field::Index)
            .and_then(|i| ast::string_value(i, src)),
        _ => None,
    };
    if let (Some(key), Some(object)) = (key, n.field(Field::Object)) {
        if says_query(ast::unwrap_expr(object)) {
            return params.contains(&key.as_str());
        }
    }
    if !says_query(n) {
        return false;
    }
    let top = ast::value_root(n);
    let Some(pattern) = top
        .parent()
        .filter(|d| d.kind_name() == "variable_declarator")
        .and_then(|d| d.field(Field::Name))
        .filter(|p| p.kind_name() == "object_pattern")
    else {
        return false;
    };
    let mut keys = Vec::new();
    let mut c = pattern.walk();
    for p in pattern.named_children(&mut c) {
        let k = match p.kind_name() {
            "shorthand_property_identifier_pattern" => ast::text(p, src),
            "pair_pattern" | "object_assignment_pattern" => p
                .field(Field::Key)
                .or_else(|| p.field(Field::Left))
                .map(|k| ast::text(k, src))
                .unwrap_or(""),
            _ => "",
        };
        keys.push(k);
    }
    !keys.is_empty() && keys.iter().all(|k| params.contains(k))
}

/// How many names destructured from one read are followed to their uses.
const MAX_TESTED_NAMES: usize = 8;

/// How many request reads of one handler are looked at.
const MAX_READS: usize = 32;

/// `typeof inviteId !== 'string'` (any comparison) where `inviteId` is
/// bound straight from request data (`const { inviteId } = (await
/// req.json()) as …`): the declarator and the checked name. A `typeof` of
/// anything else (a message's content deep inside) is not such a check.
fn typeof_check_of_input<'t>(
    n: Node<'t>,
    reads: &[(Node<'t>, RequestPart)],
    src: &Script<'t>,
) -> Option<(Node<'t>, &'t str)> {
    let compared = n
        .field(Field::Operator)
        .is_some_and(|o| ast::text(o, src) == "typeof")
        && n.parent().is_some_and(|p| {
            p.kind_name() == "binary_expression"
                && p.field(Field::Operator)
                    .is_some_and(|o| matches!(ast::text(o, src), "===" | "!==" | "==" | "!="))
        });
    let operand = n
        .field(Field::Argument)
        .map(ast::unwrap_expr)
        .filter(|a| compared && a.kind_name() == "identifier")?;
    let name = ast::text(operand, src);
    let b = src.declaration(operand, name)?;
    if b.decl.kind_name() == "variable_declarator" && b.value.is_some_and(|v| bound_read(v, src)) {
        return Some((b.decl, b.name));
    }
    // `let inviteId: unknown; ({ inviteId } = await req.json());`
    reads.iter().find_map(|(r, _)| {
        let top = ast::awaited_root(*r);
        let assign = top.parent().filter(|a| {
            a.kind_name() == "assignment_expression"
                && a.field(Field::Right).is_some_and(|v| v.id() == top.id())
        })?;
        let mut binds = false;
        ast::visit(assign.field(Field::Left)?, &mut |p| {
            binds |= p.kind_name() == "shorthand_property_identifier_pattern"
                && ast::text(p, src) == name;
            !binds
        });
        binds.then_some((assign, b.name))
    })
}

/// Every name a declarator (or a destructuring assignment) binds from
/// request data is `typeof`-checked: the handler validates its input by hand
/// (`const { inviteId } = …; if (typeof inviteId !== 'string') …`). One
/// checked field among unchecked ones is not.
fn checks_every_name(checked: &[(Node<'_>, &str)], src: &str) -> bool {
    checked.iter().any(|(decl, _)| {
        let Some(pattern) = decl.field(Field::Name).or_else(|| decl.field(Field::Left)) else {
            return false;
        };
        let mut names = Vec::new();
        ast::visit(pattern, &mut |n| {
            if matches!(
                n.kind_name(),
                "identifier" | "shorthand_property_identifier_pattern"
            ) && names.len() < MAX_READS
            {
                names.push(ast::text(n, src));
            }
            // a pair's key is not a bound name: only its value is
            n.kind_name() != "property_identifier"
        });
        !names.is_empty()
            && names.iter().all(|name| {
                checked
                    .iter()
                    .any(|(d, c)| d.id() == decl.id() && c == name)
            })
    })
}

/// Libraries that take a protocol's request payload whole and validate it
/// themselves: Vercel Blob's client uploads (`handleUpload({ body, request })`),
/// WebAuthn servers, OAuth/OIDC/SAML servers, MCP and tRPC adapters.
const PROTOCOL_HANDLERS: &[&str] = &[
    "@vercel/blob",
    "@simplewebauthn/server",
    "@boxyhq/saml-jackson",
    "oidc-provider",
    "openid-client",
    "@modelcontextprotocol/sdk",
    "@trpc/server",
    "uploadthing",
];

/// `n` is handed whole to a function imported from a [`PROTOCOL_HANDLERS`]
/// library, as an argument or a property of an options object.
fn handed_to_protocol_library(n: Node<'_>, src: &Script<'_>) -> bool {
    let top = ast::value_root(n);
    let mut arg = top;
    if let Some(pair) = top
        .parent()
        .filter(|p| p.kind_name() == "pair")
        .filter(|p| p.field(Field::Value).is_some_and(|v| v.id() == top.id()))
    {
        arg = pair;
    }
    if matches!(arg.kind_name(), "pair" | "shorthand_property_identifier") {
        match arg.parent().filter(|o| o.kind_name() == "object") {
            Some(o) => arg = o,
            None => return false,
        }
    }
    let callee = arg
        .parent()
        .filter(|a| a.kind_name() == "arguments")
        .and_then(|a| a.parent())
        .and_then(|c| c.field(Field::Function));
    // `stripe.checkout.sessions.retrieve(session_id)`: Stripe looks the id up
    // with the secret key and answers 404 for anything not the account's own
    // (a checkout-return route's `session_id`)
    if callee.is_some_and(|f| {
        let p = ast::text(f, src).to_ascii_lowercase();
        let root = p.split('.').next().unwrap_or("");
        root.contains("stripe") && p.ends_with(".retrieve")
    }) {
        return true;
    }
    let from_protocol_library = |f: Node<'_>| {
        src.qualified_name(f)
            .is_some_and(|q| PROTOCOL_HANDLERS.iter().any(|m| q.module.starts_with(m)))
    };
    let Some(callee) = callee.map(ast::unwrap_expr) else {
        return false;
    };
    match callee.kind_name() {
        "identifier" => from_protocol_library(callee),
        // `transport.handleRequest(req, res, body)` on a `new
        // StreamableHTTPServerTransport(…)` of the MCP SDK
        "member_expression" => callee
            .field(Field::Object)
            .map(ast::unwrap_expr)
            .filter(|o| o.kind_name() == "identifier")
            .and_then(|o| src.value_of(o, ast::text(o, src)))
            .map(ast::unwrap_expr)
            .filter(|v| v.kind_name() == "new_expression")
            .and_then(|v| v.field(Field::Constructor))
            .is_some_and(from_protocol_library),
        _ => false,
    }
}

/// `n` (a value) is only tested where it stands: compared (`=== '1'`),
/// negated, a condition (`q ? Number(q) : 0`, `if (q)`), or coerced on the
/// spot. For a `local` (each of whose uses is judged) any ternary condition
/// and the left of `&&` are tests too.
fn in_test_position(n: Node<'_>, src: &str, local: bool) -> bool {
    if is_coerced(n, src) {
        return true;
    }
    let top = ast::value_root(n);
    let Some(p) = top.parent() else {
        return false;
    };
    match p.kind_name() {
        "binary_expression" => p.field(Field::Operator).is_some_and(|o| {
            let op = ast::text(o, src);
            matches!(op, "===" | "!==" | "==" | "!=")
                || (local && op == "&&" && p.field(Field::Left).is_some_and(|l| l.id() == top.id()))
        }),
        "unary_expression" => p
            .field(Field::Operator)
            .is_some_and(|o| matches!(ast::text(o, src), "!" | "typeof")),
        // `q ? Number(q) : undefined`: a presence test guarding a conversion
        // (`q ? q.split(',') : []` uses it)
        "ternary_expression" => {
            p.field(Field::Condition)
                .is_some_and(|c| c.id() == top.id())
                && (local
                    || p.field(Field::Consequence)
                        .map(ast::unwrap_expr)
                        .and_then(|c| c.named_child(1))
                        .and_then(|args| args.named_child(0))
                        .is_some_and(|a| is_coerced(a, src)))
        }
        "if_statement" | "while_statement" => p
            .field(Field::Condition)
            .is_some_and(|c| c.id() == top.id()),
        _ => false,
    }
}

/// `x ?? 'json'`, `x || {}`: the left side of a literal default.
fn defaulted(bin: Node<'_>) -> Option<Node<'_>> {
    let literal = bin
        .field(Field::Right)
        .map(ast::unwrap_expr)
        .is_some_and(|r| match r.kind_name() {
            "string" | "number" | "true" | "false" | "null" | "undefined" => true,
            "object" | "array" => r.named_child_count() == 0,
            _ => false,
        });
    let op = bin.field(Field::Operator).map(|o| o.kind());
    (bin.kind_name() == "binary_expression" && literal && matches!(op, Some("??" | "||")))
        .then(|| bin.field(Field::Left))
        .flatten()
}

/// The expression a read's value stands for: the read with parentheses,
/// casts, `!` and a literal default around it (`searchParams.get('format') ??
/// 'json'`, `req.body || {}`).
fn defaulted_root(read: Node<'_>) -> Node<'_> {
    let top = ast::value_root(read);
    match top.parent() {
        Some(p) if defaulted(p).is_some_and(|l| l.id() == top.id()) => ast::value_root(p),
        _ => top,
    }
}

/// A request read, or one with a literal default (`const { name } = req.body
/// ?? {}`): the value a name is bound from.
fn bound_read<'t>(value: Node<'t>, src: &Script<'t>) -> bool {
    let v = ast::unwrap_expr(value);
    let v = defaulted(v).map(ast::unwrap_expr).unwrap_or(v);
    read_of(v, src).is_some()
}

/// A read that is only tested (see [`in_test_position`]), directly or
/// through the one local it initialises (`const v = searchParams.get('v')`,
/// then only `v === latest`).
fn only_tested(read: Node<'_>, body: Node<'_>, src: &Script<'_>, route_params: &[&str]) -> bool {
    if in_test_position(read, src, false) || handed_to_protocol_library(read, src) {
        return true;
    }
    let top = defaulted_root(read);
    let Some(pattern) = top
        .parent()
        .filter(|d| d.kind_name() == "variable_declarator")
        .filter(|d| d.field(Field::Value).is_some_and(|v| v.id() == top.id()))
        .and_then(|d| d.field(Field::Name))
    else {
        return false;
    };
    match pattern.kind_name() {
        "identifier" => local_only_tested(pattern, body, src),
        // `const { teamId, excludeTeamMembers } = req.query`: each name is a
        // route parameter or only tested
        "object_pattern" => {
            let mut c = pattern.walk();
            let elements: Vec<Node<'_>> = pattern.named_children(&mut c).collect();
            // each name is looked for in the whole body: a few names only
            !elements.is_empty()
                && elements.len() <= MAX_TESTED_NAMES
                && elements.into_iter().all(|e| match e.kind_name() {
                    "shorthand_property_identifier_pattern" => {
                        route_params.contains(&ast::text(e, src)) || local_only_tested(e, body, src)
                    }
                    "pair_pattern" => {
                        let key = e.field(Field::Key).map(|k| ast::text(k, src)).unwrap_or("");
                        route_params.contains(&key)
                            || e.field(Field::Value)
                                .filter(|v| v.kind_name() == "identifier")
                                .is_some_and(|v| local_only_tested(v, body, src))
                    }
                    _ => false,
                })
        }
        _ => false,
    }
}

/// Every use of the local declared by `name` (an identifier) in `body` is
/// only a test (see [`in_test_position`]), and there is one.
fn local_only_tested(name: Node<'_>, body: Node<'_>, src: &Script<'_>) -> bool {
    ast::every_use(name, body, src, usize::MAX, &mut |n| {
        in_test_position(n, src, true)
            || handed_to_protocol_library(n, src)
            || is_params_lookup(n, src)
    })
}

/// `searchParams.get('id')` on a local holding the URL's parameters: a read of
/// its own, judged where it stands, not a use of the whole.
fn is_params_lookup(n: Node<'_>, src: &str) -> bool {
    n.parent()
        .filter(|m| m.kind_name() == "member_expression")
        .filter(|m| m.field(Field::Object).is_some_and(|o| o.id() == n.id()))
        .is_some_and(|m| {
            let name = m.field(Field::Property).map(|p| ast::text(p, src));
            matches!(name, Some("get" | "getAll" | "has"))
                && m.parent().is_some_and(|c| {
                    c.kind_name() == "call_expression"
                        && c.field(Field::Function).is_some_and(|f| f.id() == m.id())
                })
        })
}

/// The read (or the one local it initialises, in each of its uses) is handed
/// as an argument to a function imported from a workspace module that runs a
/// schema parse (`updateTag(id, req.body)` with `UpdateTagSchema.safeParse`
/// in `lib/tags.ts`): validated one call away.
fn handed_to_validating_module(
    read: Node<'_>,
    body: Node<'_>,
    src: &Script<'_>,
    validates: &dyn Fn(&str) -> bool,
) -> bool {
    let argument_of_validating_call = |n: Node<'_>| {
        ast::awaited_root(n)
            .parent()
            .filter(|a| a.kind_name() == "arguments")
            .and_then(|a| a.parent())
            .and_then(|c| c.field(Field::Function))
            .map(ast::unwrap_expr)
            .and_then(|f| src.qualified_name(f))
            .is_some_and(|q| validates(&q.module))
    };
    if argument_of_validating_call(read) {
        return true;
    }
    let Some(name) = ast::initialised_local(ast::awaited_root(read)) else {
        return false;
    };
    ast::every_use(name, body, src, usize::MAX, &mut |n| {
        n.kind_name() == "identifier" && argument_of_validating_call(n)
    })
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
            // QStash's `receiver.verify({ signature, body })`
            || (last == "verify"
                && ast::call_arguments(call).iter().any(|a| {
                    let a = ast::unwrap_expr(*a);
                    let mut c = a.walk();
                    a.kind_name() == "object"
                        && a.named_children(&mut c).any(|p| {
                            let key = match p.kind_name() {
                                "pair" => p.field(Field::Key),
                                "shorthand_property_identifier" => Some(p),
                                _ => None,
                            };
                            key.is_some_and(|k| ast::text(k, src) == "signature")
                        })
                }))
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
        p if p.is_body() => Some(p),
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
    // Effect Schema's brand constructors check their input: `VideoId.make(id)`
    if call
        .field(Field::Function)
        .is_some_and(|f| is_brand_constructor(f, src))
    {
        return true;
    }
    if is_parse_method(method) {
        let last_object = object.map(|o| o.rsplit('.').next().unwrap_or(o));
        return !last_object.is_some_and(|o| NOT_SCHEMAS.contains(&o));
    }
    says_validates(method)
}

/// `VideoId.make` / `Video.VideoId.make`: a `make` of a PascalCase object,
/// how Effect Schema brands are constructed (and checked).
fn is_brand_constructor(f: Node<'_>, src: &str) -> bool {
    f.kind_name() == "member_expression"
        && f.field(Field::Property)
            .is_some_and(|p| ast::text(p, src) == "make")
        && f.field(Field::Object)
            .and_then(|o| match o.kind_name() {
                "member_expression" => o.field(Field::Property),
                _ => Some(o),
            })
            .is_some_and(|o| ast::text(o, src).starts_with(|c: char| c.is_ascii_uppercase()))
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
            // Effect Schema
            | "decodeUnknown"
            | "decodeUnknownSync"
            | "decodeUnknownEither"
            | "decodeUnknownPromise"
            | "decodeUnknownOption"
            | "decodeSync"
            | "decodeEither"
            | "decodePromise"
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
    use crate::config::Config;
    use crate::diagnostic::Level;
    use crate::rules::testing::{self, *};
    use std::path::Path;

    const R: &str = "unvalidated-input";

    // The tests below judge every handler (`read-only-handlers = true`), so
    // that each shows one class on the smallest handler; which handlers are
    // judged by default has its own tests (`read_only_handlers_…`).
    fn all_handlers() -> Config {
        with_rule_options(
            Config::default_for(Path::new("")),
            R,
            "read-only-handlers = true",
        )
    }

    fn findings(rule: &str, path: &str, text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        findings_in(rule, path, text, &all_handlers())
    }

    #[track_caller]
    fn assert_flags(rule: &str, path: &str, text: &str, n: usize) -> Vec<String> {
        assert_flags_in(rule, path, text, n, &all_handlers())
    }

    #[track_caller]
    fn assert_clean(rule: &str, path: &str, text: &str) {
        assert_clean_in(rule, path, text, &all_handlers())
    }

    #[test]
    fn read_only_handlers_are_judged_only_with_the_option() {
        // reads that can reach a write, a send or a spend are findings
        let writes = "export async function POST(req: Request) {\n  const body = await req.json();\n  await db.post.create({ data: body });\n  return Response.json({ ok: true });\n}\n";
        assert_eq!(
            testing::assert_flags(R, "app/api/posts/route.ts", writes, 1),
            vec!["req.json()"]
        );
        let sends = "app.post('/invite', async (req, res) => {\n  await sendEmail(req.body.to, 'Welcome');\n  res.json({ ok: true });\n});\n";
        assert_eq!(
            testing::assert_flags(R, "src/server.ts", sends, 1),
            vec!["req.body.to"]
        );
        // one hop into a function of the file
        let helper = "async function save(input) {\n  await db.note.update({ where: { id: input.id }, data: input });\n}\nexport async function PATCH(req: Request) {\n  await save(await req.json());\n  return new Response(null, { status: 204 });\n}\n";
        testing::assert_flags(R, "app/api/notes/route.ts", helper, 1);
        // near miss: a read-only lookup by a query value
        let lookup = "export async function GET(req: Request) {\n  const id = new URL(req.url).searchParams.get('id');\n  const doc = await db.document.findFirst({ where: { id } });\n  return Response.json(doc);\n}\n";
        testing::assert_clean(R, "app/api/document/route.ts", lookup);
        // …judged when the option asks for every handler
        assert_flags(R, "app/api/document/route.ts", lookup, 1);
        // a parameterised SQL write, and a sensitive sink (signing a token)
        testing::assert_flags(R, "src/server.ts", "app.post('/pw', async (req, res) => {\n  await pool.query('UPDATE users SET name = $1 WHERE id = $2', [req.body.name, req.user.id]);\n  res.sendStatus(204);\n});\n", 1);
        testing::assert_flags(R, "src/server.ts", "app.post('/token', async (req, res) => {\n  res.json({ token: jwt.sign({ sub: req.body.email }, secret, { expiresIn: '1h' }) });\n});\n", 1);
        // near miss: setting a session context for row level security is not a write
        testing::assert_clean(R, "app/api/goals/route.ts", "export async function GET(req: Request) {\n  const ws = new URL(req.url).searchParams.get('workspace');\n  await setUserContext(userId);\n  return Response.json(await db.select().from(goals).where(eq(goals.ws, ws)));\n}\n");
        // near miss: the caller's own response and cookies are not data
        testing::assert_clean(R, "src/server.ts", "app.post('/theme', (req, res) => {\n  res.cookie('theme', req.body.theme);\n  res.json({ ok: true });\n});\n");
    }

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
    fn effect_schema_brands_and_decoders_are_validation() {
        assert_clean(R, "app/api/video/route.ts", "export async function GET(req: Request) {\n  const id = new URL(req.url).searchParams.get('videoId');\n  if (!id) return new Response(null, { status: 400 });\n  return Response.json(await load(Video.VideoId.make(id)));\n}\n");
        assert_clean(R, "app/api/x/route.ts", "export async function POST(req: Request) {\n  const input = Schema.decodeUnknownSync(Input)(await req.json());\n  return Response.json(await save(input));\n}\n");
        // near miss: a lower-case `make` is not a brand constructor
        assert_flags(R, "app/api/x/route.ts", "export async function POST(req: Request) {\n  const b = await req.json();\n  return Response.json(await factory.make(b));\n}\n", 1);
    }

    #[test]
    fn defaults_assignments_dev_only_routes_and_upload_streams() {
        // a literal default does not hide a read that is only compared…
        assert_clean(R, "app/api/export/route.ts", "export async function GET(req: NextRequest) {\n  const format = req.nextUrl.searchParams.get('format') ?? 'json';\n  if (format === 'json') return Response.json(await all());\n  return new Response(null, { status: 400 });\n}\n");
        // …nor one that is used (near miss)
        assert_flags(R, "app/api/export/route.ts", "export async function GET(req: NextRequest) {\n  const format = req.nextUrl.searchParams.get('format') ?? 'json';\n  return Response.json(await exportAs(format));\n}\n", 1);
        // every field of `req.body ?? {}` checked by hand
        assert_clean(R, "pages/api/login.ts", "export default async function handler(req, res) {\n  const { token, name } = req.body ?? {};\n  if (typeof token !== 'string' || typeof name !== 'string') return res.status(400).end();\n  res.json(await login(token, name));\n}\n");
        // a destructuring assignment into declared names, checked by hand
        assert_clean(R, "app/api/invite/route.ts", "export async function POST(req: Request) {\n  let inviteId: unknown;\n  try {\n    ({ inviteId } = await req.json());\n  } catch {\n    return new Response(null, { status: 400 });\n  }\n  if (typeof inviteId !== 'string') return new Response(null, { status: 400 });\n  await db.invite.update({ where: { id: inviteId }, data: { accepted: true } });\n  return Response.json({ ok: true });\n}\n");
        // near miss: the same assignment with one field left unchecked
        assert_flags(R, "app/api/invite/route.ts", "export async function POST(req: Request) {\n  let inviteId: unknown;\n  let role: unknown;\n  ({ inviteId, role } = await req.json());\n  if (typeof inviteId !== 'string') return new Response(null, { status: 400 });\n  await db.invite.update({ where: { id: inviteId }, data: { role } });\n  return Response.json({ ok: true });\n}\n", 1);
        // a route that answers 403 outside development
        assert_clean(R, "app/api/dev-reset/route.ts", "export async function POST(req: NextRequest) {\n  if (process.env.NODE_ENV !== 'development') {\n    return Response.json({ error: 'dev only' }, { status: 403 });\n  }\n  const id = req.nextUrl.searchParams.get('id');\n  await db.video.delete({ where: { id } });\n  return Response.json({ ok: true });\n}\n");
        // a Fetch API request's `body` is the raw upload stream…
        assert_clean(R, "app/api/upload/route.ts", "export async function POST(req: Request) {\n  const blob = await put('file.txt', req.body || '', { access: 'public' });\n  return Response.json(blob);\n}\n");
        // …while `pages/api`'s `req.body` is the parsed body (near miss)
        assert_flags(R, "pages/api/upload.ts", "export default async function handler(req, res) {\n  res.json(await put('file.txt', req.body || '', { access: 'public' }));\n}\n", 1);
    }

    #[test]
    fn a_body_read_for_a_signature_check_is_signed() {
        assert_clean(R, "app/api/cron/digest/route.ts", "export async function POST(req: Request) {\n  const body = await req.json();\n  const ok = await receiver.verify({\n    signature: req.headers.get('Upstash-Signature') || '',\n    body: JSON.stringify(body),\n  });\n  if (!ok) return new Response(null, { status: 401 });\n  await db.digest.create({ data: { week: 1 } });\n  return Response.json({ ok });\n}\n");
        // near miss: a `verify` of something else (an email address)
        assert_flags(R, "app/api/verify/route.ts", "export async function POST(req: Request) {\n  const body = await req.json();\n  await emails.verify({ address: body.email });\n  await db.user.update({ where: { email: body.email }, data: body });\n  return Response.json({});\n}\n", 1);
    }

    #[test]
    fn input_handed_to_a_module_that_runs_a_schema_parse_is_validated_there() {
        let route = "import updateTag from '@/lib/tags';\nexport default async function handler(req, res) {\n  const updated = await updateTag(req.query.id, req.body);\n  res.json(updated);\n}\n";
        let local = "import { updateTag } from '../../lib/tags';\nexport default async function handler(req, res) {\n  const body = req.body;\n  res.json(await updateTag(1, body));\n}\n";
        let validating = "const UpdateTag = z.object({ name: z.string() });\nexport default async function updateTag(id, body) {\n  const data = UpdateTag.safeParse(body);\n  if (!data.success) return { status: 400 };\n  return db.tag.update({ where: { id }, data: data.data });\n}\n";
        for handler in [route, local] {
            let files = [
                ("src/pages/api/tags.ts", handler),
                ("src/lib/tags.ts", validating),
            ];
            assert!(findings_in_workspace(R, &files, 0).is_empty(), "{handler}");
        }
        // near misses: the module does not parse; the local is also used raw
        let plain = "export default async function updateTag(id, body) {\n  return db.tag.update({ where: { id }, data: body });\n}\n";
        let files = [("src/pages/api/tags.ts", route), ("src/lib/tags.ts", plain)];
        assert_eq!(findings_in_workspace(R, &files, 0).len(), 1);
        let raw = local.replace(
            "res.json(await updateTag(1, body));",
            "await db.log.create({ data: body });\n  res.json(await updateTag(1, body));",
        );
        let files = [
            ("src/pages/api/tags.ts", raw.as_str()),
            ("src/lib/tags.ts", validating),
        ];
        assert_eq!(findings_in_workspace(R, &files, 0).len(), 1);
    }

    #[test]
    fn destructured_route_params_and_tested_flags_and_stripe_ids() {
        // every name of the destructured query is a route parameter or only tested
        assert_clean(R, "pages/api/teams/[teamId]/documents/[id]/stats.ts", "export default async function handler(req, res) {\n  const { teamId, id, excludeTeamMembers } = req.query as { teamId: string; id: string; excludeTeamMembers?: string };\n  const views = await db.view.findMany({ where: { documentId: id, teamId } });\n  await db.audit.create({ data: { teamId } });\n  res.json(excludeTeamMembers ? views.filter(internal) : views);\n}\n");
        // near miss: one name is used as it is
        assert_flags(R, "pages/api/teams/[teamId]/documents/[id]/stats.ts", "export default async function handler(req, res) {\n  const { teamId, id, sort } = req.query as { teamId: string; id: string; sort: string };\n  await db.audit.create({ data: { teamId, sort } });\n  res.json({});\n}\n", 1);
        // a checkout-return `session_id` only handed to Stripe
        assert_clean(R, "app/api/stripe/checkout/route.ts", "export async function GET(req: NextRequest) {\n  const sessionId = req.nextUrl.searchParams.get('session_id');\n  if (!sessionId) return NextResponse.redirect(new URL('/pricing', req.url));\n  const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ['customer'] });\n  await db.team.update({ where: { id: 1 }, data: { plan: session.id } });\n  return NextResponse.redirect(new URL('/dashboard', req.url));\n}\n");
        // the parameters read through a local, and a Stripe client from a getter
        assert_clean(R, "app/api/stripe/portal/route.ts", "export async function GET(req: NextRequest) {\n  const searchParams = req.nextUrl.searchParams;\n  const sessionId = searchParams.get('session_id');\n  if (!sessionId) return new Response(null, { status: 400 });\n  const session = await getStripe().checkout.sessions.retrieve(sessionId);\n  await db.user.update({ where: { id: 1 }, data: { customer: String(session.customer) } });\n  return NextResponse.redirect(new URL('/billing', req.url));\n}\n");
        // near miss: a parameter of that local used as it is
        assert_flags(R, "app/api/stripe/portal/route.ts", "export async function GET(req: NextRequest) {\n  const searchParams = req.nextUrl.searchParams;\n  await db.user.update({ where: { id: 1 }, data: { plan: searchParams.get('plan') } });\n  return new Response(null);\n}\n", 1);
        // near miss: the same id also written as it is
        assert_flags(R, "app/api/stripe/checkout/route.ts", "export async function GET(req: NextRequest) {\n  const sessionId = req.nextUrl.searchParams.get('session_id');\n  await stripe.checkout.sessions.retrieve(sessionId);\n  await db.team.update({ where: { id: 1 }, data: { checkout: sessionId } });\n  return new Response(null);\n}\n", 1);
    }

    #[test]
    fn the_finding_sits_at_the_first_body_read() {
        let src = "export default async function handler(req, res) {\n  if (req.method === 'GET') {\n    return res.json(await db.group.findMany({ where: { doc: req.query.documentId } }));\n  }\n  const { name } = req.body;\n  res.json(await db.group.create({ data: { name } }));\n}\n";
        assert_eq!(
            assert_flags(R, "pages/api/groups.ts", src, 1),
            vec!["req.body"]
        );
        // without a body read, the first query read
        let get = "export default async function handler(req, res) {\n  const q = req.query.q;\n  res.json(await db.search.create({ data: { q } }));\n}\n";
        assert_eq!(
            assert_flags(R, "pages/api/search.ts", get, 1),
            vec!["req.query.q"]
        );
    }

    #[test]
    fn endpoints_gated_to_administrators_are_not_findings() {
        assert_clean(R, "app/api/admin/ban/route.ts", "export const POST = withAdmin(async ({ req }) => {\n  const { email } = await req.json();\n  await prisma.user.update({ where: { email }, data: { banned: true } });\n  return NextResponse.json({ ok: true });\n});\n");
        assert_clean(R, "app/api/admin/stats/route.ts", "export async function POST(req: Request) {\n  await requireAdmin();\n  const { day } = await req.json();\n  await db.stats.update({ where: { day }, data: { reset: true } });\n  return new Response(null, { status: 204 });\n}\n");
        // near miss: an admin of the caller's team is a customer
        assert_flags(R, "app/api/teams/[teamId]/saml/route.ts", "export async function DELETE(req: Request, { params }) {\n  const auth = await getAuthenticatedAdmin((await params).teamId);\n  if (!auth) return new Response(null, { status: 401 });\n  const { clientID } = await req.json();\n  await connections.deleteConnections({ clientID });\n  return new Response(null, { status: 204 });\n}\n", 1);
        // near miss: a signed-in user, and a call that only mentions admins
        assert_flags(R, "app/api/teams/route.ts", "export async function POST(req: Request) {\n  const user = await getCurrentUser();\n  const { name } = await req.json();\n  await db.team.create({ data: { name, owner: user.id } });\n  await notifyAdmins(name);\n  return new Response(null, { status: 201 });\n}\n", 1);
    }

    #[test]
    fn provider_callbacks_and_protocol_transports() {
        // a provider's notification callback (`ses_callback`)
        assert_clean(R, "app/api/ses_callback/route.ts", "export async function POST(req: Request) {\n  const data = await req.json();\n  await db.event.create({ data: { type: data.Type } });\n  return Response.json({});\n}\n");
        // the body handed to an MCP SDK transport made in the handler
        assert_clean(R, "src/routes/mcp.ts", "import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';\nrouter.post('/mcp', async (req, res) => {\n  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });\n  await server.connect(transport);\n  await transport.handleRequest(req, res, req.body);\n});\n");
        // near miss: a transport of another library
        assert_flags(R, "src/routes/mcp.ts", "import { Transport } from './transport';\nrouter.post('/mcp', async (req, res) => {\n  const transport = new Transport();\n  await transport.handleRequest(req, res, req.body);\n});\n", 1);
    }

    #[test]
    fn hand_written_typeof_checks_are_validation() {
        assert_clean(R, "app/api/invite/route.ts", "export async function POST(req: Request) {\n  const { inviteId } = (await req.json()) as { inviteId: unknown };\n  if (typeof inviteId !== 'string' || !inviteId) return new Response(null, { status: 400 });\n  return Response.json(await accept(inviteId));\n}\n");
        // near miss: one checked field beside unchecked ones
        assert_flags(R, "app/api/invite/route.ts", "export async function POST(req: Request) {\n  const { email, workspace } = await req.json();\n  if (typeof email !== 'string') return new Response(null, { status: 400 });\n  return Response.json(await invite(email, workspace));\n}\n", 1);
        assert_clean(R, "app/api/invite/route.ts", "export async function POST(req: Request) {\n  const { email, workspace } = await req.json();\n  if (typeof email !== 'string' || typeof workspace !== 'string') return new Response(null, { status: 400 });\n  return Response.json(await invite(email, workspace));\n}\n");
        // near miss: a `typeof` of something not bound from the request
        assert_flags(R, "app/api/chat/route.ts", "export async function POST(req: Request) {\n  const json = await req.json();\n  const parts = json.messages.map((m) => (typeof m.content === 'string' ? m.content : ''));\n  return Response.json(await complete(parts));\n}\n", 1);
        // near miss: `typeof` used as a value, not compared
        assert_flags(R, "app/api/x/route.ts", "export async function POST(req: Request) {\n  const b = await req.json();\n  return Response.json({ kind: typeof b, saved: await save(b) });\n}\n", 1);
    }

    #[test]
    fn reads_that_are_only_tested_are_not_uses() {
        // compared on the spot, or through the one local it initialises
        assert_clean(R, "app/api/status/route.ts", "export async function GET(req: Request) {\n  const v = new URL(req.url).searchParams.get('version');\n  return Response.json({ latest: v === LATEST });\n}\n");
        assert_clean(R, "src/server.ts", "app.get('/debug', (req, res) => {\n  res.json(render(req.query.inline === '1'));\n});\n");
        // through a local: a presence test, then a comparison
        assert_clean(R, "app/api/status/route.ts", "export async function GET(req: Request) {\n  const v = new URL(req.url).searchParams.get('version');\n  const fresh = v ? LATEST === v : false;\n  return Response.json({ fresh, ok: v && v === LATEST });\n}\n");
        // a brand constructor passed on as a function
        assert_clean(R, "app/api/comments/route.ts", "export async function DELETE(req: NextRequest) {\n  const id = Option.fromNullable(req.nextUrl.searchParams.get('id')).pipe(Option.map(Comment.CommentId.make));\n  return Response.json(await remove(id));\n}\n");
        // a presence test guarding an on-the-spot conversion
        assert_clean(R, "pages/api/dashboard.ts", "export default async function handler(req, res) {\n  const cursor = req.query.cursor ? Number(req.query.cursor) : undefined;\n  res.json(await list(cursor));\n}\n");
        // near miss: a presence test guarding a use that is not a conversion
        assert_flags(R, "app/api/links/route.ts", "export async function DELETE(req: Request) {\n  const { searchParams } = new URL(req.url);\n  const ids = searchParams.get('ids') ? searchParams.get('ids').split(',') : [];\n  return Response.json(await removeLinks(ids));\n}\n", 1);
        // near miss: tested, then used as a shorthand property
        assert_flags(R, "app/api/x/route.ts", "export async function GET(req: NextRequest) {\n  const accountId = req.nextUrl.searchParams.get('accountId');\n  if (!accountId) return new Response(null, { status: 400 });\n  return Response.json(await load({ accountId }));\n}\n", 1);
        // near miss: tested, then used as it is
        assert_eq!(
            assert_flags(R, "app/api/x/route.ts", "export async function GET(req: Request) {\n  const q = new URL(req.url).searchParams.get('q');\n  if (!q) return new Response(null, { status: 400 });\n  return Response.json(await search(q));\n}\n", 1),
            vec!["new URL(req.url).searchParams.get('q')"]
        );
    }

    #[test]
    fn pages_api_route_parameters_are_not_query_input() {
        let path = "pages/api/teams/[teamId]/docs/[...slug].ts";
        // the segments, read or destructured; the body read after them is the finding
        let src = "export default async function handler(req, res) {\n  const { teamId, slug } = req.query as { teamId: string; slug: string[] };\n  const id = req.query.teamId as string;\n  if (req.method === 'POST') {\n    await db.doc.create({ data: { teamId, name: req.body.name } });\n  }\n  res.json({ id, slug });\n}\n";
        assert_eq!(assert_flags(R, path, src, 1), vec!["req.body.name"]);
        // near miss: a real query key beside a segment
        let src = "export default async function handler(req, res) {\n  const { teamId, sort } = req.query;\n  res.json(await list(teamId, sort));\n}\n";
        assert_eq!(assert_flags(R, path, src, 1), vec!["req.query"]);
        // near miss: Express's req.query never holds route parameters
        assert_flags(
            R,
            "src/server.ts",
            "app.get('/teams/:teamId', (req, res) => {\n  res.json(list(req.query.teamId));\n});\n",
            1,
        );
    }

    #[test]
    fn protocol_payloads_and_secret_gated_endpoints() {
        // Vercel Blob's client-upload protocol: the library checks the payload
        let src = "import { handleUpload } from '@vercel/blob/client';\nexport default async function handler(req, res) {\n  const body = req.body as HandleUploadBody;\n  res.json(await handleUpload({ body, request: req, onBeforeGenerateToken: async () => ({}) }));\n}\n";
        assert_clean(R, "pages/api/file/upload.ts", src);
        // an internal endpoint behind a deployment secret
        let src = "export default async function handler(req, res) {\n  if (req.headers.authorization !== `Bearer ${process.env.INTERNAL_API_KEY}`) return res.status(401).end();\n  const { url } = req.body;\n  res.json(await convert(url));\n}\n";
        assert_clean(R, "pages/api/convert.ts", src);
        // near miss: the payload also goes elsewhere
        let src = "import { handleUpload } from '@vercel/blob/client';\nexport default async function handler(req, res) {\n  const body = req.body;\n  await db.upload.create({ data: body });\n  res.json(await handleUpload({ body, request: req }));\n}\n";
        assert_flags(R, "pages/api/file/upload.ts", src, 1);
        // near miss: a library that does not validate what it is given
        let src = "import { put } from 'some-store';\nexport default async function handler(req, res) {\n  const body = req.body;\n  res.json(await put({ body }));\n}\n";
        assert_flags(R, "pages/api/file/upload.ts", src, 1);
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
