//! `error-details-leak`: a 5xx response whose body carries the caught error's
//! message, stack or the error object itself.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::auth::behind_shared_secret;
use crate::ts::frameworks::responses::response_of;
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::{BindingKind, Script};
use std::ops::Range;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "error-details-leak",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: false,
        summary:
            "A 5xx response sends the error's message, stack or the error object to the client",
        docs: DOCS,
        // A 5xx status is written as a literal where a status goes (not the
        // `500` of a Tailwind class): `status(500)`, `status: 500`, Hono's
        // `c.json(x, 500)` (also across lines), Fastify's `code(500)`,
        // `const status = 500`.
        triggers: &[
            "status(5",
            "status: 5",
            "status:5",
            "code(5",
            ", 50",
            "= 50",
            "=50",
            "500,",
            "502,",
            "503,",
            "504,",
            "500\n",
            "500\r",
        ],
        // An error: a `catch`, an `err`/`error` name, or a message/stack read.
        also_triggers: &["catch", "err", "message", "stack"],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::CALL_EXPRESSION, kind::NEW_EXPRESSION],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a response with a literal 5xx status (`res.status(500).json(…)`,
`NextResponse.json(…, { status: 500 })`, `new Response(…, { status: 502 })`,
`c.json(…, 500)`, `reply.code(500).send(…)`) whose body includes a caught error's
`message` or `stack`, the error object itself (`{ error }`, `String(err)`,
`` `${err}` ``), or a variable derived from one of them in one hop (`const msg =
err.message`, `const { message } = err`). An error is a `catch` parameter, a
parameter named `err`/`error`/`e`/`ex`/`exception` (error middleware, `.catch`
callbacks, `onError`), or an `error` destructured from a call's result
(`const { data, error } = await supabase.from(…)`).

Not flagged: the detail inside a development-only part of the body
(`...(process.env.NODE_ENV === 'development' && { stack: err.stack })`) — the
message beside it still counts —, 4xx responses with curated messages (the
Stripe signature `400` reply), logging calls, `err.code` / `err.name` /
`err instanceof Error` tests, statuses that are not literal, an error object
given to Node's `res.end(error)` (it takes a string or a buffer and throws on
an object: nothing is sent; `res.end(error.message)` is a finding), and a
parameter named `error` whose type is not an error (`error?: Record<string,
any>`: a response helper's overrides object; `error: any` and `error:
unknown` still count), and routes registered by a function named for debugging
(`bootDebugRoutes(app)`: developer tooling, whose caller decides where it is
mounted).

Not reported where the response can only be reached with a secret of the
deployment: the handler, an enclosing function or middleware written inline
before the route compares a value with a `process.env` secret (`if (auth !==
`Bearer ${process.env.CRON_SECRET}`)`) or calls a check named for one
(`validateMediaServerSecret(c)`, `verifyCronSecret(req)`: given the request). Those endpoints answer a cron, a job
runner or another backend, and their callers need the detail. A comparison with
a literal (`process.env.API_KEY === ''`) checks the configuration, not the
caller, and a check of a user's key (`checkApiKey(profile.openai_api_key)`) is not one.

## Why is this bad?
An error's message and stack describe the server's internals: SQL statements,
table and column names, file paths, library versions, sometimes the data that
failed. A 500 is exactly when something unplanned happened, so its details are
the least reviewed. Log them and tell the client only that it failed.

## Examples
```ts flagged lines=5
app.get('/orders', async (req, res) => {
  try {
    res.json(await db.orders.findMany());
  } catch (err) {
    res.status(500).json({ error: err.message });
  }
});
```

```ts flagged lines=6
export async function POST(request: Request) {
  try {
    return Response.json(await createOrder(await request.json()));
  } catch (error) {
    const message = error instanceof Error ? error.message : 'Unknown error';
    return Response.json({ message }, { status: 500 });
  }
}
```

```ts ok
app.use((err, req, res, next) => {
  logger.error(err);
  res.status(500).json({
    error: 'Internal Server Error',
    ...(process.env.NODE_ENV === 'development' && { stack: err.stack }),
  });
});
```

```ts ok
export async function POST(req: Request) {
  try {
    stripe.webhooks.constructEvent(await req.text(), sig, secret);
  } catch (err) {
    return new Response(`Webhook Error: ${err.message}`, { status: 400 });
  }
}
```

## Fix
**Unsafe**: replaces the detail with `'Internal Server Error'` (in the file's
quote style; `{ error }` becomes `{ error: 'Internal Server Error' }`). Clients
that parsed the message lose it; log the error server-side before applying it.
"#;

/// Names that hold a caught error when they are parameters.
const ERROR_NAMES: &[&str] = &["err", "error", "e", "ex", "exc", "exception"];
/// Members of an error that describe the failure in its own words.
const DETAIL_MEMBERS: &[&str] = &["message", "stack"];
/// Calls that turn their argument into its text.
const STRINGIFIERS: &[&str] = &["String", "JSON.stringify", "util.inspect", "inspect"];

/// A leaking value in a response body.
struct Leak<'t> {
    /// The body's value that carries it (a property value, a shorthand
    /// property, a spread, or the whole body).
    value: Node<'t>,
    /// The detail as written, in backticks (`` `err.message` ``), for the message.
    detail: String,
}

/// Inside a named function that says it sets up debugging routes
/// (`bootDebugRoutes(app)`, `registerDebugEndpoints`): developer tooling whose
/// error details are its point, mounted by its caller where the file does not
/// show (openpanel mounts it only outside production).
fn in_debug_routes(node: Node<'_>, src: &str) -> bool {
    ast::ancestors(node)
        .filter(|n| ast::is_function(*n))
        .take(16)
        .filter_map(|f| ast::function_name(f, src))
        .any(|name| ast::name_words(name).iter().any(|w| w == "debug"))
}

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.script();
    let Some(resp) = response_of(node, &src) else {
        return;
    };
    let status = resp.status.or_else(|| {
        let s = ast::unwrap_expr(resp.status_node?);
        let v = match s.kind_name() {
            "identifier" | "shorthand_property_identifier" => {
                src.value_of(s, ast::text(s, &src))?
            }
            _ => return None,
        };
        let v = ast::unwrap_expr(v);
        (v.kind_name() == "number")
            .then(|| ast::text(v, &src).parse().ok())
            .flatten()
    });
    if !status.is_some_and(|s| (500..600).contains(&s)) {
        return;
    }
    let Some(body) = resp.body else {
        return;
    };
    let mut leaks = Vec::new();
    collect(body, &src, &mut leaks);
    // `res.end(error)`: Node's `end` takes a string or a buffer; an error
    // object makes it throw, so nothing of the error reaches the client
    let body_value = ast::unwrap_expr(body);
    if ends_with_raw_write(node, &src)
        && body_value.kind_name() == "identifier"
        && is_error(body_value, &src, 0)
    {
        leaks.retain(|l| l.value.id() != body_value.id());
    }
    if leaks.is_empty()
        || behind_shared_secret(node, &src, &cx.project_path())
        || in_debug_routes(node, &src)
    {
        return;
    }
    let q = ast::preferred_quote_near(&src, node.start_byte());
    let generic = ast::quoted("Internal Server Error", q);
    for leak in leaks {
        let fix = fix_for(&leak, &src, &generic).map(|(range, text)| {
            Fix::unsafe_(
                "Send 'Internal Server Error' instead",
                vec![Edit::replace(range, text)],
            )
        });
        let d = cx.report(
            leak.value.byte_range(),
            format!(
                "This {} response sends {} to the client; log the error and answer with a generic message",
                status.unwrap_or(500),
                leak.detail
            ),
        );
        if let Some(fix) = fix {
            d.with_fix(fix);
        }
    }
}

/// `res.end(…)`: Node's raw write (not Express's `send`/`json`).
fn ends_with_raw_write(call: Node<'_>, src: &str) -> bool {
    call.field(Field::Function)
        .filter(|f| f.kind_name() == "member_expression")
        .and_then(|f| f.field(Field::Property))
        .is_some_and(|p| ast::text(p, src) == "end")
}

/// The replacement of a leaking value: the generic message (a shorthand
/// property keeps its key); none for a spread.
fn fix_for(leak: &Leak<'_>, src: &str, generic: &str) -> Option<(Range<usize>, String)> {
    let v = leak.value;
    match v.kind_name() {
        "shorthand_property_identifier" => {
            Some((v.byte_range(), format!("{}: {generic}", ast::text(v, src))))
        }
        "spread_element" => None,
        _ => Some((v.byte_range(), generic.to_string())),
    }
}

/// The leaking values of a body: each property of an object (nested objects
/// looked into), else the body itself.
fn collect<'t>(body: Node<'t>, src: &Script<'t>, out: &mut Vec<Leak<'t>>) {
    let Some(_level) = ast::descend() else {
        return;
    };
    let b = ast::unwrap_expr(body);
    if b.kind_name() != "object" {
        if let Some(detail) = detail_in(b, src, true) {
            out.push(Leak {
                value: body,
                detail,
            });
        }
        return;
    }
    let mut c = b.walk();
    for p in b.named_children(&mut c) {
        match p.kind_name() {
            "pair" => {
                let Some(v) = p.field(Field::Value) else {
                    continue;
                };
                if ast::unwrap_expr(v).kind_name() == "object" {
                    collect(v, src, out);
                } else if let Some(detail) = detail_in(v, src, true) {
                    out.push(Leak { value: v, detail });
                }
            }
            "shorthand_property_identifier" | "spread_element" => {
                if let Some(detail) = detail_in(p, src, true) {
                    out.push(Leak { value: p, detail });
                }
            }
            _ => {}
        }
    }
}

/// The first error detail inside `expr` that reaches the value (functions not
/// entered, development-only parts skipped); `hop`: variables may still be
/// followed once.
fn detail_in(expr: Node<'_>, src: &Script<'_>, hop: bool) -> Option<String> {
    let mut found = None;
    let mut stack = vec![expr];
    let mut seen = 0usize;
    while let Some(n) = stack.pop() {
        seen += 1;
        if seen > 512 || found.is_some() {
            break;
        }
        if ast::is_function(n) {
            continue;
        }
        match n.kind_name() {
            "member_expression" => {
                let prop = n.field(Field::Property).map(|p| ast::text(p, src));
                let object = n.field(Field::Object).map(ast::unwrap_expr);
                if let (Some(prop), Some(object)) = (prop, object) {
                    if DETAIL_MEMBERS.contains(&prop)
                        && object.kind_name() == "identifier"
                        && is_error(object, src, 1)
                        && !ast::in_dev_only_branch(n, src)
                    {
                        found = Some(format!("`{}`", ast::text(n, src)));
                        continue;
                    }
                }
                // `err.toString()` is handled at the call; `err.code` is not a detail
                if let Some(object) = object {
                    if object.kind_name() != "identifier" {
                        stack.push(object);
                    }
                }
                continue;
            }
            "identifier" | "shorthand_property_identifier" => {
                if leaks_whole(n, expr, src) && !ast::in_dev_only_branch(n, src) {
                    if is_error(n, src, 1) {
                        found = Some(format!("`{}`", ast::text(n, src)));
                    } else if hop {
                        found = derived_detail(n, src);
                    }
                }
                continue;
            }
            "call_expression" => {
                // `err.toString()`
                if let Some(f) = n.field(Field::Function) {
                    if f.kind_name() == "member_expression" {
                        let prop = f.field(Field::Property).map(|p| ast::text(p, src));
                        let object = f.field(Field::Object).map(ast::unwrap_expr);
                        if let (Some("toString"), Some(o)) = (prop, object) {
                            if o.kind_name() == "identifier" && is_error(o, src, 1) {
                                found = Some(format!("`{}`", ast::text(n, src)));
                                continue;
                            }
                        }
                    }
                }
            }
            // `err instanceof Error` tests the error; it does not send it
            "binary_expression"
                if n.field(Field::Operator)
                    .is_some_and(|o| !matches!(ast::text(o, src), "+" | "||" | "??")) =>
            {
                continue;
            }
            "ternary_expression" => {
                for f in [Field::Alternative, Field::Consequence] {
                    if let Some(x) = n.field(f) {
                        stack.push(x);
                    }
                }
                continue;
            }
            _ => {}
        }
        let mut c = n.walk();
        let children: Vec<_> = n.named_children(&mut c).collect();
        stack.extend(children.into_iter().rev());
    }
    found
}

/// Whether an identifier inside a body value is sent as it is: the value
/// itself, an operand of `+`/`||`/`??`, a template substitution, a ternary
/// branch, or the argument of `String(…)` / `JSON.stringify(…)`.
fn leaks_whole(ident: Node<'_>, value: Node<'_>, src: &str) -> bool {
    let mut cur = ident;
    for _ in 0..8 {
        if cur.id() == value.id() {
            return true;
        }
        let Some(p) = cur.parent() else {
            return false;
        };
        match p.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "template_substitution"
            | "template_string"
            | "spread_element"
            | "pair"
            | "object"
            | "array" => {}
            "binary_expression" => {
                if !p
                    .field(Field::Operator)
                    .is_some_and(|o| matches!(ast::text(o, src), "+" | "||" | "??" | "&&"))
                {
                    return false;
                }
            }
            "ternary_expression" => {
                if p.field(Field::Condition)
                    .is_some_and(|c| c.id() == cur.id())
                {
                    return false;
                }
            }
            "arguments" => {
                let call = p.parent();
                if !call
                    .and_then(|c| ast::callee_path(c, src))
                    .is_some_and(|c| STRINGIFIERS.contains(&c.as_str()))
                {
                    return false;
                }
            }
            "call_expression" => {}
            _ => return false,
        }
        cur = p;
    }
    false
}

/// A variable that holds an error detail: `const msg = err.message`, `const
/// message = error instanceof Error ? error.message : '…'`, `const { message }
/// = err`.
fn derived_detail(ident: Node<'_>, src: &Script<'_>) -> Option<String> {
    let name = ast::text(ident, src);
    let b = src.declaration(ident, name)?;
    if !b.kind.is_variable() || b.decl.start_byte() >= ident.start_byte() {
        return None;
    }
    let value = b.value?;
    if b.destructured {
        let key = b.key_name(src)?;
        let v = ast::unwrap_expr(value);
        return (DETAIL_MEMBERS.contains(&key.as_str())
            && v.kind_name() == "identifier"
            && is_error(v, src, 1))
        .then(|| format!("`{name}` (from `{}.{key}`)", ast::text(v, src)));
    }
    detail_in(value, src, false).map(|d| format!("`{name}` (from {d})"))
}

/// Whether an identifier names a caught error: a `catch` parameter, a
/// parameter with an error's name, an `error` destructured from a call's
/// result, or (`hops` more) a variable bound to one of those (`const e = err as Error`).
/// A parameter declared with a type that is not an error (`error?:
/// Record<string, unknown>`: a response helper's overrides object).
fn typed_as_non_error(param: Node<'_>, src: &str) -> bool {
    param.field(Field::Type).is_some_and(|t| {
        let t = ast::text(t, src).trim_start_matches(':').trim();
        // `Record<string, any>` is a plain object even though it says `any`
        !(matches!(t, "unknown" | "any") || t.contains("Error") || t.contains("Exception"))
    })
}

fn is_error(ident: Node<'_>, src: &Script<'_>, hops: u8) -> bool {
    let name = ast::text(ident, src);
    let Some(b) = src.declaration(ident, name) else {
        return false;
    };
    match b.kind {
        BindingKind::Param => {
            b.decl.kind_name() == "catch_clause"
                || (ERROR_NAMES.contains(&name)
                    && !b.destructured
                    && !typed_as_non_error(b.decl, src))
        }
        k if k.is_variable() => {
            if b.destructured {
                // `const { data, error } = await supabase.from(…)`
                return matches!(b.key_name(src).as_deref(), Some("error" | "err"))
                    && b.value.is_some_and(|v| {
                        // `unwrap_expr` strips the `await` too
                        ast::unwrap_expr(v).kind_name() == "call_expression"
                    });
            }
            hops > 0
                && b.value.is_some_and(|v| {
                    let v = ast::unwrap_expr(v);
                    v.kind_name() == "identifier" && is_error(v, src, hops - 1)
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const ID: &str = "error-details-leak";

    fn flags(text: &str) -> Vec<String> {
        findings(ID, "src/api.ts", text)
            .iter()
            .map(|d| text[d.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn flags_message_stack_and_error_object() {
        let text = "app.get('/a', async (req, res) => {\n  try { await run(); } catch (err) {\n    res.status(500).json({ error: err.message, stack: err.stack });\n    res.status(500).send(err);\n    res.status(503).json({ err });\n    res.status(500).send(`Failed: ${err}`);\n    res.status(500).json({ error: String(err), detail: { reason: err.toString() } });\n  }\n});\n";
        assert_eq!(
            flags(text),
            vec![
                "err.message",
                "err.stack",
                "err",
                "err",
                "`Failed: ${err}`",
                "String(err)",
                "err.toString()"
            ]
        );
    }

    #[test]
    fn fetch_next_hono_and_fastify_responses() {
        let text = "export async function GET() {\n  try { return await load(); } catch (error) {\n    return NextResponse.json({ error: error.message }, { status: 500 });\n  }\n}\nexport async function POST() {\n  try { return await load(); } catch (e) {\n    return new Response(JSON.stringify({ message: e.message }), { status: 502 });\n  }\n}\napp.onError((err, c) => c.json({ message: err.message }, 500));\nfastify.setErrorHandler((error, request, reply) => { reply.code(500).send({ error: error.message }); });\n";
        assert_eq!(
            flags(text),
            vec![
                "error.message",
                "JSON.stringify({ message: e.message })",
                "err.message",
                "error.message"
            ]
        );
    }

    #[test]
    fn endpoints_behind_a_deployment_secret_are_internal() {
        // measured on real code: cron/job/backend endpoints gated by a secret
        // from the environment were 30 of the 38 false positives
        let gated = [
            // in the handler, compared with a template
            "export async function POST(req: Request) {\n  if (req.headers.get('authorization') !== `Bearer ${process.env.CRON_SECRET}`) return new Response(null, { status: 401 });\n  try { await run(); } catch (e) {\n    return NextResponse.json({ error: e.message }, { status: 500 });\n  }\n}\n",
            // through a local bound to the secret
            "const KEY = process.env.INTERNAL_API_KEY;\napp.post('/jobs/run', async (req, res) => {\n  if (req.header('x-api-key') != KEY) return res.status(401).end();\n  try { await run(); } catch (err) { res.status(500).json({ error: err.message }); }\n});\n",
            // a check named for the deployment's secret
            "route.post('/convert', async (c) => {\n  if (!validateMediaServerSecret(c)) return c.json({ error: 'Unauthorized' }, 401);\n  try { return c.json(await run()); } catch (err) { return c.json({ error: err.message }, 500); }\n});\n",
            "export default async function handler(req, res) {\n  if (!AdminApiAuthService.handleAdminAuth(req, res)) return;\n  try { await run(); } catch (e) { res.status(500).json({ error: e.message }); }\n}\n",
            // in inline router middleware before the route
            "app.use(async (c, next) => {\n  if (c.req.header('x-secret') !== env.MEDIA_SERVER_SECRET) return c.json({}, 403);\n  await next();\n});\napp.post('/convert', async (c) => {\n  try { return c.json(await run()); } catch (err) { return c.json({ error: err.message }, 500); }\n});\n",
        ];
        for text in gated {
            assert!(flags(text).is_empty(), "{text}");
        }
        // near misses that still leak: an env value that is not a secret, a
        // secret that is read but not compared
        let open = [
            "app.post('/a', async (req, res) => {\n  if (req.query.region !== process.env.REGION) return res.status(404).end();\n  try { await run(); } catch (err) { res.status(500).json({ error: err.message }); }\n});\n",
            "app.post('/b', async (req, res) => {\n  const client = new Api(process.env.API_KEY);\n  try { await client.run(); } catch (err) { res.status(500).json({ error: err.message }); }\n});\n",
            // a parameter named `error` typed as an error still counts
            "function fail(res, err: Error) {\n  res.status(500).json({ message: err.message });\n}\n",
            // a user's token: the browser gets the message
            "app.post('/c', async (req, res) => {\n  if (!verifyToken(req)) return res.status(401).end();\n  try { await run(); } catch (err) { res.status(500).json({ error: err.message }); }\n});\n",
        ];
        for text in open {
            assert_eq!(flags(text), vec!["err.message"], "{text}");
        }
    }

    #[test]
    fn a_parameter_typed_as_a_plain_object_is_not_an_error() {
        // a response helper's overrides, named `error`
        let text = "export function serverError(res, error?: Record<string, string>) {\n  return res.status(500).json({ error: 'Internal', ...error, detail: error.detail });\n}\n";
        assert!(flags(text).is_empty(), "{:?}", flags(text));
        // a value type of `any` does not make the object an error
        let text = "export function serverError(error?: Record<string, any>) {\n  return Response.json({ error: { message: 'Server error', ...error } }, { status: 500 });\n}\n";
        assert!(flags(text).is_empty(), "{:?}", flags(text));
        // near miss: typed `any` or `unknown` as a whole still counts
        let text = "function fail(res, error: any) {\n  res.status(500).json({ message: error.message });\n}\n";
        assert_eq!(flags(text), vec!["error.message"]);
    }

    #[test]
    fn an_error_object_given_to_node_end_sends_nothing() {
        // `end` throws on an object: nothing reaches the client
        let text = "app.get('/metrics', (req, res) => {\n  collect().catch((error) => {\n    res.status(500).end(error);\n  });\n});\n";
        assert!(flags(text).is_empty(), "{:?}", flags(text));
        // near miss: its message is a string, and `send` serialises the object
        let text = "app.get('/metrics', (req, res) => {\n  collect().catch((error) => {\n    res.status(500).end(error.message);\n    res.status(500).send(error);\n  });\n});\n";
        assert_eq!(flags(text), vec!["error.message", "error"]);
    }

    #[test]
    fn routes_set_up_by_a_debug_function_are_developer_tooling() {
        let debug = "export function bootDebugRoutes(app: Express) {\n  app.get('/debug/cron', async (req, res) => {\n    try {\n      res.json(await runCron());\n    } catch (err) {\n      res.status(500).json({ error: err.message });\n    }\n  });\n}\n";
        assert_clean(ID, "src/boot-debug.ts", debug);
        // near miss: the same route set up by an ordinary function
        let routes = debug.replace("bootDebugRoutes", "bootRoutes");
        assert_eq!(findings(ID, "src/boot-routes.ts", &routes).len(), 1);
    }

    #[test]
    fn one_hop_locals() {
        let text = "async function h(req, res) {\n  try { await run(); } catch (error) {\n    const msg = error instanceof Error ? error.message : 'Unknown';\n    const { stack } = error;\n    const e2 = error as Error;\n    const status = 500;\n    res.status(status).json({ msg, stack, other: e2.message });\n  }\n}\n";
        assert_eq!(flags(text), vec!["msg", "stack", "e2.message"]);
    }

    #[test]
    fn supabase_error_destructured_from_a_call() {
        let text = "export async function GET() {\n  const { data, error } = await supabase.from('t').select();\n  if (error) return NextResponse.json({ error: error.message }, { status: 500 });\n  return NextResponse.json(data);\n}\n";
        assert_eq!(flags(text), vec!["error.message"]);
    }

    #[test]
    fn dev_only_stack_is_clean_but_the_message_beside_it_counts() {
        let text = "app.use((err, req, res, next) => {\n  res.status(500).json({\n    message: err.message,\n    ...(process.env.NODE_ENV === 'development' && { stack: err.stack }),\n    trace: isDev ? err.stack : undefined,\n  });\n});\n";
        assert_eq!(flags(text), vec!["err.message"]);
    }

    #[test]
    fn near_misses_are_clean() {
        for text in [
            // 4xx with a curated message; the Stripe signature reply
            "try { x() } catch (err) { res.status(400).json({ error: err.message }); }",
            "try { x() } catch (err) { return new Response(`Webhook Error: ${err.message}`, { status: 400 }); }",
            // logs
            "try { x() } catch (err) { console.error(err.message, err.stack); res.status(500).json({ error: 'Internal' }); }",
            // not the detail: a code, a name, a type test, a curated text
            "try { x() } catch (err) { res.status(500).json({ code: err.code, name: err.name, known: err instanceof HttpError, error: 'Failed' }); }",
            // a computed status, no status
            "try { x() } catch (err) { res.status(err.status || 500).json({ error: err.message }); res.json({ error: err.message }); }",
            // not an error: a result's message, a parameter with another name
            "function f(result, res) { res.status(500).json({ message: result.message }); }",
            // a detail inside a callback in the body is not sent
            "try { x() } catch (err) { res.status(500).json({ error: 'x', at: () => err.stack }); }",
            // a local that is not derived from the error
            "try { x() } catch (err) { const msg = 'Something went wrong'; res.status(500).json({ msg }); }",
        ] {
            assert_clean(ID, "src/api.ts", text);
        }
    }

    #[test]
    fn fix_replaces_the_detail() {
        check_fix(
            ID,
            "src/api.ts",
            "try { x() } catch (error) {\n  res.status(500).json({ error: error.message, error2: error });\n  res.status(500).json({ error });\n}\n",
            true,
            "try { x() } catch (error) {\n  res.status(500).json({ error: 'Internal Server Error', error2: 'Internal Server Error' });\n  res.status(500).json({ error: 'Internal Server Error' });\n}\n",
        );
        check_fix(
            ID,
            "src/api.ts",
            "try { x() } catch (e) {\r\n\treturn NextResponse.json({ message: e.message }, { status: 500 });\r\n}\r\nconst a = \"x\";\r\nconst b = \"y\";\r\n",
            true,
            "try { x() } catch (e) {\r\n\treturn NextResponse.json({ message: \"Internal Server Error\" }, { status: 500 });\r\n}\r\nconst a = \"x\";\r\nconst b = \"y\";\r\n",
        );
    }

    #[test]
    fn ranges_with_non_ascii_text() {
        let text = "// Fehlerbehandlung für Bestellungen 🚀\r\ntry { x() } catch (err) {\r\n  res.status(500).json({ erreur: 'échec', détail: err.message });\r\n}\r\n";
        let d = findings(ID, "src/api.ts", text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "err.message");
    }
}
