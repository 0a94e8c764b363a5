use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::nest::{self, class_decorators, decorator_name, member_decorators};
use crate::ts::frameworks::request::RequestPart;
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "webhook-unverified",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A webhook handler that trusts the request body without checking the signature",
        docs: DOCS,
        // Every finding is at a body read: `req.body`, `@Body()`, `.json()`, `JSON.parse`.
        triggers: &["body", "json"],
        // A handler is a webhook by its path or name, or by the Stripe event types it compares.
        also_triggers: &[
            "webhook",
            "'checkout.",
            "\"checkout.",
            "`checkout.",
            "'payment_intent.",
            "\"payment_intent.",
            "`payment_intent.",
            "'invoice.",
            "\"invoice.",
            "`invoice.",
            "'customer.",
            "\"customer.",
            "`customer.",
            "'charge.",
            "\"charge.",
            "`charge.",
            "'subscription_schedule.",
            "\"subscription_schedule.",
            "`subscription_schedule.",
            "'setup_intent.",
            "\"setup_intent.",
            "`setup_intent.",
            "'payment_method.",
            "\"payment_method.",
            "`payment_method.",
            "'payout.",
            "\"payout.",
            "`payout.",
            "'refund.",
            "\"refund.",
            "`refund.",
            "'billing_portal.",
            "\"billing_portal.",
            "`billing_portal.",
            "'price.",
            "\"price.",
            "`price.",
            "'product.",
            "\"product.",
            "`product.",
        ],
        options: RuleOptions::NONE,
    },
    kinds: &[
        "member_expression",
        "subscript_expression",
        "call_expression",
        "decorator",
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags an inbound webhook handler that takes the event from the parsed request
body (`req.body`, `await req.json()`, `JSON.parse(rawBody)`, NestJS `@Body()`)
without verifying the sender's signature.

Only inbound handlers count: a Next.js route export (`GET`, `POST`, … in
`app/**/route.ts`), a `pages/api` default export, a serverless `handler`, a
Remix / React Router `action` in a route module, an Express/Fastify/Hono/Koa
router registration (`app.post('/webhook', …)`, `router.post`, Hono
`app.openapi(route, …)`), a NestJS `@Post()` method of a `@Controller`, a Worker
`fetch`, a `Deno.serve` callback, a function the file registers or exports by
name under one of these forms, and an exported function named as a webhook
receiver (`stripeWebhookHandler(req)`) that a route elsewhere delegates to. A
function that merely takes `req` is not one (its caller decides). A handler is
a webhook when its file path inside the project, its name or its route says
`webhook`, or when it
switches on Stripe event types (`checkout.session.completed`,
`payment_intent.succeeded`, `invoice.paid`, …).

Verification counts when it happens in the handler or in a function of the
same file that it calls: `stripe.webhooks.constructEvent(Async)`, svix
`Webhook.verify` / `new Webhook(secret).verify`, any `verify…`/`…Signature`
call, an HMAC (`createHmac`) compared with the received one
(`timingSafeEqual`, `===`), or a shared-secret header compared with a
`process.env` secret. Authentication counts too: a bearer token or API key
(the `Authorization` / `x-api-key` header read, `validateApiToken(…)`), route
or router-level middleware named `verify…`/`…auth…` (`app.use(basicAuth(…))`),
an authenticating wrapper (`withAuth`, `withSession`, `withWorkspace`), NestJS
guards and a user-session check (`auth()`, `getServerSession()`,
`supabase.auth.getUser()`: an authenticated route is not a webhook receiver).

Not handlers: re-exports (`export { POST } from './stripe'`); the verifier
itself (`verifyWebhook(req)`, a function passing the body to
`*.webhooks.constructEvent`); code that *sends* webhooks (`sendWebhook`,
`triggerWebhooks`, a `send-…-webhooks` route). Verification that is commented
out counts as missing. The finding is reported where the handler reads the body.

## Why is this bad?
Anyone can POST to a webhook URL. Without the signature check, a forged
`checkout.session.completed` event marks an order as paid, and a forged
`customer.subscription.updated` upgrades an account for free.

## Examples
```ts flagged lines=2 path=src/app/api/webhooks/stripe/route.ts
export async function POST(req: Request) {
  const event = await req.json();
  if (event.type === 'checkout.session.completed') {
    await markPaid(event.data.object.id);
  }
  return new Response('ok');
}
```

```ts flagged lines=2 path=src/server.ts
app.post('/api/stripe', async (req, res) => {
  const event = req.body;
  switch (event.type) {
    case 'invoice.paid':
      await activate(event.data.object.customer);
      break;
  }
  res.sendStatus(200);
});
```

```ts ok path=src/app/api/webhooks/stripe/route.ts
export async function POST(req: Request) {
  const body = await req.text();
  const signature = req.headers.get('stripe-signature') ?? '';
  const event = stripe.webhooks.constructEvent(body, signature, process.env.STRIPE_WEBHOOK_SECRET!);
  if (event.type === 'checkout.session.completed') {
    await markPaid(event.data.object.id);
  }
  return new Response('ok');
}
```

```ts ok path=src/app/api/webhooks/stripe/route.ts
export { POST } from '@/lib/stripe/webhook-route';
```

```ts ok path=src/app/api/webhooks/zapier/route.ts
// Managing subscriptions with an API token: authenticated, not a receiver.
export async function POST(req: Request) {
  const authorization = req.headers.get('authorization');
  if (!authorization) return new Response(null, { status: 401 });
  const owner = await validateApiToken({ authorization });
  const { url } = await req.json();
  return Response.json(await subscribe(owner, url));
}
```

```ts ok path=src/lib/webhooks/zapier/subscribe.ts
// Not a route: a library function that a router elsewhere calls.
export const subscribeHandler = async (req: Request) => {
  const { url } = await req.json();
  return Response.json(await save(url));
};
```

```ts ok path=src/lib/webhooks/send.ts
// Sends webhooks; it does not receive them.
export async function sendWebhook(request: OutgoingWebhook) {
  const payload = JSON.parse(request.body);
  return fetch(request.url, { method: 'POST', body: JSON.stringify(payload) });
}
```

## Fix
None: add the provider's signature check before using the event (e.g.
`stripe.webhooks.constructEvent(rawBody, req.headers.get('stripe-signature'),
process.env.STRIPE_WEBHOOK_SECRET)` on the raw body).
"#;

const HTTP_VERBS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "all", "use", "openapi",
];

/// First segments of Stripe event types.
const STRIPE_OBJECTS: &[&str] = &[
    "checkout",
    "payment_intent",
    "invoice",
    "customer",
    "charge",
    "subscription_schedule",
    "setup_intent",
    "payment_method",
    "payout",
    "refund",
    "billing_portal",
    "price",
    "product",
];

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let script = cx.script();
    let src = &script;
    if !body_read_shape(node, src) {
        return;
    }
    // Path heuristics judge the path inside the project, not the folder it is
    // checked out in (`~/code/webhook-service/src/app.ts`).
    let path = cx
        .file
        .path
        .strip_prefix(&cx.config.base_dir)
        .unwrap_or(cx.file.path)
        .to_string_lossy()
        .replace('\\', "/")
        .to_ascii_lowercase();
    // The innermost enclosing inbound request handler.
    let mut handler = None;
    let mut by_name = None;
    let mut cur = node.parent();
    let mut steps = 0usize;
    while let Some(n) = cur.filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
        if ast::is_function(n) {
            if is_handler_by_shape(n, src, &path) {
                handler = Some(n);
                break;
            }
            // the text search for a by-name registration only for a function
            // whose request this node reads (not for every `res.json()` of client code)
            if reads_body(node, n, &request_names(n, src), src) {
                by_name = registration(n, src, &path);
                if by_name.is_some() {
                    handler = Some(n);
                    break;
                }
            }
        }
        cur = n.parent();
    }
    let Some(handler) = handler else {
        return;
    };
    let names = request_names(handler, src);
    if !reads_body(node, handler, &names, src) {
        return;
    }
    // One finding per handler: at its first body read.
    let first = first_body_read(handler, &names, src, &path);
    if first.is_some_and(|f| f.id() != node.id()) {
        return;
    }
    let by_name = by_name.unwrap_or_default();
    if !by_name.route_says_webhook && !is_webhook(handler, &path, src) {
        return;
    }
    if by_name.guarded || is_verified(handler, src, &path) {
        return;
    }
    // Router-level middleware (`app.use(basicAuth(…))`, `router.use(verifySignature)`)
    // guards every route registered in the file.
    if by_name.on_router || route_call(handler, src).is_some() {
        let root = src.program(handler);
        if cx.memo(|| RouterGuard(router_guard(root, src))).0 {
            return;
        }
    }
    let name = handler_name(handler, src)
        .map(|n| format!("`{n}` "))
        .unwrap_or_default();
    cx.report(
        node.byte_range(),
        format!("Webhook handler {name}uses the request body without verifying its signature; verify it first (e.g. `stripe.webhooks.constructEvent(rawBody, signature, secret)`) and use the verified event"),
    );
}

/// File fact: a router-level middleware of the file authenticates or verifies.
struct RouterGuard(bool);

/// Whether a top-level `x.use(…)` (also inside a top-level `if`) installs a
/// middleware whose name says it authenticates or verifies
/// (`app.use('*', basicAuth({…}))`, `router.use(verifySignature)`).
fn router_guard(root: Node<'_>, src: &Script<'_>) -> bool {
    let mut found = false;
    ast::visit(root, &mut |n| {
        if found || ast::is_function(n) || n.kind_name() == "class_declaration" {
            return false;
        }
        if n.kind_name() == "call_expression" && ast::callee_name(n, src).as_deref() == Some("use")
        {
            found = ast::call_arguments(n).into_iter().any(|a| {
                if ast::is_string_like(a) {
                    return false;
                }
                middleware_name(a, src).is_some_and(|h| is_guard_name(&h))
            });
        }
        !found
    });
    found
}

/// The name a middleware argument goes by: `verify`, `auth.required`,
/// `requireAuth()`; none for literals and route definitions.
fn middleware_name(arg: Node<'_>, src: &Script<'_>) -> Option<String> {
    match arg.kind_name() {
        "call_expression" => ast::callee_path(arg, src),
        "identifier" | "member_expression" => ast::member_path(arg, src),
        _ => None,
    }
}

/// A middleware/guard name that says it authenticates or verifies.
fn is_guard_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    is_verify_name(&l)
        || ["auth", "apikey", "apitoken", "bearer"]
            .iter()
            .any(|k| l.contains(k))
}

/// A body read by its shape alone: `x.body`, `x['body']`, `x.json()`,
/// `JSON.parse(…)`, `@Body()`.
fn body_read_shape(node: Node<'_>, src: &Script<'_>) -> bool {
    match node.kind_name() {
        "member_expression" | "subscript_expression" => {
            // cheap test first: most member expressions are not `.body`
            let key = node
                .field(Field::Property)
                .or_else(|| node.field(Field::Index));
            if !key.is_some_and(|k| ast::text(k, src).contains("body")) {
                return false;
            }
            let is_body =
                ast::member_path(node, src).is_some_and(|p| p.rsplit('.').next() == Some("body"));
            // `req.body = …` writes it.
            let written = node.parent().is_some_and(|p| {
                p.kind_name() == "assignment_expression"
                    && p.field(Field::Left).is_some_and(|l| l.id() == node.id())
            });
            is_body && !written
        }
        "call_expression" => match node
            .field(Field::Function)
            .filter(|f| f.kind_name() == "member_expression")
            .and_then(|f| f.field(Field::Property))
            .map(|p| ast::text(p, src))
        {
            Some("json" | "parse") => match ast::callee_path(node, src).as_deref() {
                Some("JSON.parse") => !ast::call_arguments(node).is_empty(),
                Some(p) => p.ends_with(".json") && ast::call_arguments(node).is_empty(),
                None => false,
            },
            _ => false,
        },
        "decorator" => {
            nest::param_decorator(node, src).is_some_and(|d| d.part == RequestPart::Body)
                && node.parent().is_some_and(|p| {
                    matches!(p.kind_name(), "required_parameter" | "optional_parameter")
                })
        }
        _ => false,
    }
}

/// Names the request goes by in `handler`: `req`, `request` and its first parameter.
fn request_names(handler: Node<'_>, src: &Script<'_>) -> Vec<String> {
    let mut names = vec!["req".to_string(), "request".to_string()];
    if let Some(p) = first_param(handler, src) {
        if !names.contains(&p) {
            names.push(p);
        }
    }
    names
}

fn first_param(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    if let Some(p) = func.field(Field::Parameter) {
        return Some(ast::text(p, src).to_string());
    }
    let params = func.field(Field::Parameters)?;
    let mut c = params.walk();
    let first = params
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment")?;
    let pat = match first.kind_name() {
        "required_parameter" | "optional_parameter" => first.field(Field::Pattern)?,
        "identifier" => first,
        _ => return None,
    };
    (pat.kind_name() == "identifier").then(|| ast::text(pat, src).to_string())
}

fn first_param_type(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    let params = func.field(Field::Parameters)?;
    let mut c = params.walk();
    let first = params
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment")?;
    first
        .field(Field::Type)
        .map(|t| ast::text(t, src).to_string())
}

fn last_segment(node: Node<'_>, src: &Script<'_>) -> Option<String> {
    ast::member_path(ast::unwrap_expr(node), src)
        .map(|p| p.rsplit('.').next().unwrap_or("").to_string())
}

/// Whether a body-read-shaped node reads the request of `handler`.
fn reads_body(node: Node<'_>, handler: Node<'_>, names: &[String], src: &Script<'_>) -> bool {
    match node.kind_name() {
        "member_expression" | "subscript_expression" => node
            .field(Field::Object)
            .and_then(|o| last_segment(o, src))
            .is_some_and(|s| names.contains(&s)),
        "call_expression" => {
            if ast::callee_path(node, src).as_deref() == Some("JSON.parse") {
                let Some(arg) = ast::call_arguments(node).first().copied() else {
                    return false;
                };
                mentions_request(arg, names, src, true)
            } else {
                node.field(Field::Function)
                    .and_then(|f| f.field(Field::Object))
                    .and_then(|o| last_segment(o, src))
                    .is_some_and(|s| names.contains(&s))
            }
        }
        // `@Body()` on a parameter of the handler method itself.
        "decorator" => node
            .parent()
            .and_then(|p| p.parent())
            .and_then(|p| p.parent())
            .is_some_and(|m| m.id() == handler.id()),
        _ => false,
    }
}

/// `expr` refers to the request (directly, or through one variable:
/// `const raw = await req.text(); JSON.parse(raw)`).
fn mentions_request(expr: Node<'_>, names: &[String], src: &Script<'_>, follow: bool) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    let mut found = false;
    ast::visit(expr, &mut |n| {
        if found {
            return false;
        }
        if n.kind_name() == "identifier" {
            let t = ast::text(n, src);
            if names.iter().any(|m| m == t) {
                found = true;
            } else if follow {
                if let Some(init) = src.value_of(n, t) {
                    if mentions_request(init, names, src, false) {
                        found = true;
                    }
                }
            }
            return false;
        }
        // `process.env.X` is configuration, not the request.
        !(n.kind_name() == "member_expression"
            && ast::member_path(n, src).is_some_and(|p| p.starts_with("process.env")))
    });
    found
}

/// The first body read of `handler` (pre-order), skipping nested handlers.
fn first_body_read<'t>(
    handler: Node<'t>,
    names: &[String],
    src: &Script<'t>,
    path: &str,
) -> Option<Node<'t>> {
    let mut first = None;
    ast::visit(handler, &mut |n| {
        if first.is_some() {
            return false;
        }
        if n.id() != handler.id() && ast::is_function(n) && is_handler(n, src, path) {
            return false;
        }
        if body_read_shape(n, src) && reads_body(n, handler, names, src) {
            first = Some(n);
            return false;
        }
        true
    });
    first
}

/// Skip parentheses, `as`/`satisfies` and wrapper calls (`withAuth(async (req) => …)`)
/// upwards: the node that names or exports the function.
fn outer_position(func: Node<'_>) -> Node<'_> {
    let mut cur = func;
    let mut steps = 0usize;
    while let Some(p) = cur.parent().filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
        match p.kind_name() {
            "parenthesized_expression" | "as_expression" | "satisfies_expression" => cur = p,
            "arguments" => match p.parent() {
                // a wrapper call whose result is assigned/exported
                Some(call)
                    if call.kind_name() == "call_expression"
                        && call.parent().is_some_and(|gp| {
                            matches!(
                                gp.kind_name(),
                                "variable_declarator"
                                    | "export_statement"
                                    | "assignment_expression"
                                    | "arguments"
                            )
                        })
                        && !is_route_call(call) =>
                {
                    cur = call
                }
                _ => return cur,
            },
            _ => return cur,
        }
    }
    cur
}

fn is_route_call(call: Node<'_>) -> bool {
    // Route registrations are recognised by their string path argument.
    let args = ast::call_arguments(call);
    args.first().is_some_and(|a| ast::is_string_like(*a))
}

/// The route registration `app.post('/path', …, handler)` that `func` is passed to.
fn route_call<'t>(func: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let mut cur = func;
    // through wrappers like `asyncHandler(async (req, res) => …)`
    loop {
        let p = cur.parent()?;
        match p.kind_name() {
            "parenthesized_expression" | "as_expression" => cur = p,
            "arguments" => {
                let call = p.parent()?;
                if call.kind_name() != "call_expression" {
                    return None;
                }
                let callee = ast::callee_name(call, src).unwrap_or_default();
                // `app.post('/path', …)`, Hono `app.openapi(createRoute({…}), …)`
                if ROUTE_METHODS.contains(&callee.as_str())
                    && (is_route_call(call) || callee == "openapi")
                {
                    return Some(call);
                }
                cur = call;
            }
            _ => return None,
        }
    }
}

/// A NestJS route method: `@Post()` on a method of a `@Controller` class.
fn is_nest_handler(func: Node<'_>, src: &Script<'_>) -> bool {
    nest::route_method(func, src).is_some()
}

/// Exported names: `export function POST`, `export const POST = …`,
/// `export default …`, `module.exports = …`, `exports.handler = …`.
fn export_name(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    let pos = outer_position(func);
    let parent = pos.parent()?;
    match parent.kind_name() {
        "export_statement" => Some(
            func.field(Field::Name)
                .map(|n| ast::text(n, src).to_string())
                .unwrap_or_else(|| "default".into()),
        ),
        "variable_declarator" => {
            let decl = parent.parent()?;
            if decl
                .parent()
                .is_some_and(|e| e.kind_name() == "export_statement")
            {
                parent
                    .field(Field::Name)
                    .map(|n| ast::text(n, src).to_string())
            } else {
                None
            }
        }
        "assignment_expression" => {
            let left = ast::member_path(parent.field(Field::Left)?, src)?;
            if left == "module.exports" {
                Some("default".into())
            } else {
                left.strip_prefix("module.exports.")
                    .or_else(|| left.strip_prefix("exports."))
                    .map(str::to_string)
            }
        }
        // `export default { async fetch(request) { … } }` (Workers)
        "object" if func.kind_name() == "method_definition" => None,
        _ => None,
    }
}

/// Verbs that name code sending (not receiving) webhooks: `sendWebhook`,
/// `triggerWebhooks`, `cron/send-link-clicked-webhooks`.
const SENDER_VERBS: &[&str] = &[
    "send",
    "trigger",
    "dispatch",
    "deliver",
    "emit",
    "fire",
    "publish",
    "queue",
    "enqueue",
    "execute",
    "resend",
    "retry",
    "notify",
    "forward",
    "broadcast",
];

/// Verbs that name the verifier itself (`verifyWebhook(req)`), not a handler.
const VERIFIER_VERBS: &[&str] = &["verify", "validate", "check", "assert", "authenticate"];

fn starts_with_verb(name: &str, verbs: &[&str]) -> bool {
    let l = name.trim_start_matches('_').to_ascii_lowercase();
    verbs.iter().any(|v| l.starts_with(v))
}

/// A name that says the function receives webhooks (`stripeWebhookHandler`,
/// `handleWebhook`), not that it sends or verifies them.
fn is_receiver_name(name: &str) -> bool {
    name.to_ascii_lowercase().contains("webhook")
        && !starts_with_verb(name, SENDER_VERBS)
        && !starts_with_verb(name, VERIFIER_VERBS)
}

/// The first parameter is a request: named `req`/`request` or typed `…Request`.
fn takes_request(func: Node<'_>, src: &Script<'_>) -> bool {
    first_param(func, src).is_some_and(|p| p == "req" || p == "request")
        || first_param_type(func, src).is_some_and(|t| t.contains("Request"))
}

/// A path where a default export serves HTTP: `pages/api`, `api/`, serverless `functions/`.
fn is_api_path(path: &str) -> bool {
    let p = format!("/{path}");
    p.contains("/api/") || p.contains("/functions/")
}

/// A Remix / React Router route module.
fn is_route_module_path(path: &str) -> bool {
    format!("/{path}").contains("/routes/")
}

/// Whether a function exported as `name` (`"default"` for a default export) is
/// an inbound handler.
fn exported_as_handler(name: &str, func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    HTTP_VERBS.contains(&name)
        || name == "handler"
        || (name == "default" && (is_api_path(path) || takes_request(func, src)))
        || (name == "action" && is_route_module_path(path))
        || (is_receiver_name(name) && takes_request(func, src))
}

/// `export default function foo() {}` / `export default async () => …`.
fn is_default_export(func: Node<'_>) -> bool {
    outer_position(func)
        .parent()
        .filter(|p| p.kind_name() == "export_statement")
        .is_some_and(|e| {
            let mut c = e.walk();
            let found = e.children(&mut c).any(|k| k.kind_name() == "default");
            found
        })
}

/// A callback of a server: `Deno.serve(async (req) => …)`, `serve(…)`,
/// `Bun.serve(…)`, `http.createServer(…)`.
fn is_server_callback(func: Node<'_>, src: &Script<'_>) -> bool {
    let pos = outer_position(func);
    pos.parent()
        .filter(|p| p.kind_name() == "arguments")
        .and_then(|p| p.parent())
        .filter(|c| c.kind_name() == "call_expression")
        .and_then(|c| ast::callee_name(c, src))
        .is_some_and(|n| matches!(n.as_str(), "serve" | "createServer"))
}

/// A Worker: `export default { async fetch(request) { … } }`.
fn is_worker_fetch(func: Node<'_>, src: &Script<'_>) -> bool {
    func.kind_name() == "method_definition"
        && func
            .field(Field::Name)
            .is_some_and(|n| ast::text(n, src) == "fetch")
        && func
            .parent()
            .and_then(|o| o.parent())
            .is_some_and(|e| e.kind_name() == "export_statement")
}

/// An inbound request handler: a route export (`export async function POST`,
/// a `pages/api` default export, a Remix `action`, a serverless `handler`, an
/// exported function named as a webhook receiver), a router registration
/// (`app.post('/x', fn)`, Hono `app.openapi(route, fn)`), a NestJS `@Post()`
/// method of a `@Controller`, a Worker `fetch`, a `Deno.serve` callback, or a
/// top-level function registered or exported by name elsewhere in the file.
/// A function merely taking `req` is not one: its caller decides.
fn is_handler(func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    is_handler_by_shape(func, src, path) || registered_by_name(func, src, path)
}

/// `is_handler` without the by-name registrations (no text search).
fn is_handler_by_shape(func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    if is_default_export(func) && exported_as_handler("default", func, src, path) {
        return true;
    }
    if let Some(name) = export_name(func, src) {
        if exported_as_handler(&name, func, src, path) {
            return true;
        }
    }
    route_call(func, src).is_some()
        || is_nest_handler(func, src)
        || is_worker_fetch(func, src)
        || is_server_callback(func, src)
}

/// A top-level function that the file registers or exports by name:
/// `router.post('/x', handle)`, `export const POST = withLogging(handle)`,
/// `export { handle as POST }`, `export default handle`,
/// `module.exports = { handleWebhook }`. A text search confirmed on the tree,
/// done only for top-level functions (the cost is one scan of the text).
fn registered_by_name(func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    registration(func, src, path).is_some()
}

/// How a top-level function is registered by name (see `registered_by_name`).
#[derive(Clone, Copy, Default)]
struct Registration {
    /// Route middleware or a wrapper at the registration authenticates or
    /// verifies: `router.post('/x', verifySignature, handle)`, `withAuth(handle)`.
    guarded: bool,
    /// Registered on a router (`router.post(…)`, `app.openapi(…)`).
    on_router: bool,
    /// The route path says webhook: `router.post('/webhooks/stripe', handle)`.
    route_says_webhook: bool,
}

fn registration(func: Node<'_>, src: &Script<'_>, path: &str) -> Option<Registration> {
    let top_level = outer_position(func).parent().is_some_and(|p| {
        let decl = if p.kind_name() == "variable_declarator" {
            p.parent().and_then(|d| d.parent())
        } else {
            Some(p)
        };
        decl.is_some_and(|d| {
            d.kind_name() == "program"
                || (d.kind_name() == "export_statement"
                    && d.parent().is_some_and(|r| r.kind_name() == "program"))
        })
    });
    if !top_level {
        return None;
    }
    let name = ast::function_name(func, src).filter(|n| !n.is_empty())?;
    let root = src.program(func);
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let bytes = src.as_bytes();
    let mut from = 0;
    while let Some(i) = src.get(from..).and_then(|s| s.find(name)) {
        let at = from + i;
        let end = at + name.len();
        from = end;
        if at > 0 && bytes.get(at - 1).is_some_and(|&b| is_ident(b)) {
            continue;
        }
        if bytes.get(end).is_some_and(|&b| is_ident(b)) {
            continue;
        }
        if at >= func.start_byte() && end <= func.end_byte() {
            continue;
        }
        let Some(id) = root.descendant_for_byte_range(at, end) else {
            continue;
        };
        let Some(parent) = id.parent() else {
            continue;
        };
        let plain = Registration::default();
        let found = match (id.kind_name(), parent.kind_name()) {
            ("identifier", "arguments") => {
                // climb through wrappers (`withApiKey(handle)`) to the route
                // registration, the server call or the export
                let mut guarded = false;
                let mut arg = id;
                let mut cur = parent
                    .parent()
                    .filter(|c| c.kind_name() == "call_expression");
                let mut out = None;
                while let Some(call) = cur {
                    let callee = ast::callee_name(call, src).unwrap_or_default();
                    if ROUTE_METHODS.contains(&callee.as_str())
                        && (is_route_call(call) || callee == "openapi")
                    {
                        let args = ast::call_arguments(call);
                        out = Some(Registration {
                            guarded: guarded
                                || args.iter().any(|a| {
                                    a.id() != arg.id()
                                        && middleware_name(*a, src)
                                            .is_some_and(|n| is_guard_name(&n))
                                }),
                            on_router: true,
                            route_says_webhook: args.first().is_some_and(|a| {
                                ast::is_string_like(*a)
                                    && ast::text(*a, src).to_ascii_lowercase().contains("webhook")
                            }),
                        });
                        break;
                    }
                    if matches!(callee.as_str(), "serve" | "createServer") {
                        out = Some(plain);
                        break;
                    }
                    guarded |= is_auth_wrapper_name(&callee);
                    // `export const POST = wrap(handle)`, `export default wrap(handle)`
                    if let Some(n) = exported_wrapper_name(call, src) {
                        if exported_as_handler(&n, func, src, path) {
                            out = Some(Registration { guarded, ..plain });
                        }
                        break;
                    }
                    arg = call;
                    cur = call
                        .parent()
                        .filter(|p| p.kind_name() == "arguments")
                        .and_then(|p| p.parent())
                        .filter(|c| c.kind_name() == "call_expression");
                }
                out
            }
            ("identifier", "export_statement") => {
                exported_as_handler("default", func, src, path).then_some(plain)
            }
            ("identifier", "export_specifier") => {
                let alias = parent
                    .field(Field::Alias)
                    .map(|a| ast::text(a, src).to_string())
                    .unwrap_or_else(|| name.to_string());
                exported_as_handler(&alias, func, src, path).then_some(plain)
            }
            ("shorthand_property_identifier", "object") => (parent
                .parent()
                .filter(|a| a.kind_name() == "assignment_expression")
                .and_then(|a| a.field(Field::Left))
                .and_then(|l| ast::member_path(l, src))
                .is_some_and(|l| l == "module.exports" || l == "exports")
                && exported_as_handler(name, func, src, path))
            .then_some(plain),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The name a wrapper call is exported as: `export const POST = wrap(…)`.
fn exported_wrapper_name(call: Node<'_>, src: &Script<'_>) -> Option<String> {
    if call
        .parent()
        .is_some_and(|p| p.kind_name() == "export_statement")
    {
        return Some("default".into());
    }
    let decl = call
        .parent()
        .filter(|p| p.kind_name() == "variable_declarator")?;
    decl.parent()
        .and_then(|d| d.parent())
        .filter(|e| e.kind_name() == "export_statement")?;
    decl.field(Field::Name)
        .map(|n| ast::text(n, src).to_string())
}

/// The name a handler goes by (for the message and the `webhook` name check).
fn handler_name(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    if let Some(n) = ast::function_name(func, src) {
        return Some(n.to_string());
    }
    if let Some(n) = export_name(func, src) {
        return Some(n);
    }
    let pos = outer_position(func);
    pos.parent()
        .filter(|p| p.kind_name() == "variable_declarator")
        .and_then(|p| p.field(Field::Name))
        .map(|n| ast::text(n, src).to_string())
}

fn is_webhook(handler: Node<'_>, path: &str, src: &Script<'_>) -> bool {
    // a path segment says webhook, unless it says the code sends them
    // (`cron/send-link-clicked-webhooks/route.ts`)
    if path
        .split('/')
        .any(|seg| seg.contains("webhook") && !starts_with_verb(seg, SENDER_VERBS))
    {
        return true;
    }
    if handler_name(handler, src).is_some_and(|n| n.to_ascii_lowercase().contains("webhook")) {
        return true;
    }
    if let Some(call) = route_call(handler, src) {
        if ast::call_arguments(call)
            .first()
            .is_some_and(|a| ast::text(*a, src).to_ascii_lowercase().contains("webhook"))
        {
            return true;
        }
    }
    if handler.kind_name() == "method_definition" {
        let mut decs = member_decorators(handler);
        decs.extend(class_decorators(handler));
        if decs
            .iter()
            .any(|d| ast::text(*d, src).to_ascii_lowercase().contains("webhook"))
        {
            return true;
        }
    }
    scan_with_callees(handler, handler, src, path, &mut |n| {
        is_stripe_event_test(n, src)
    })
}

/// A Stripe event type compared in a `case` or an equality test:
/// `case 'checkout.session.completed':`, `event.type === 'invoice.paid'`.
fn is_stripe_event_test(node: Node<'_>, src: &Script<'_>) -> bool {
    if node.kind_name() != "string" {
        return false;
    }
    let Some(parent) = node.parent() else {
        return false;
    };
    let compared = match parent.kind_name() {
        "switch_case" => true,
        "binary_expression" => matches!(
            parent.field(Field::Operator).map(|o| ast::text(o, src)),
            Some("===" | "==" | "!==" | "!=")
        ),
        _ => false,
    };
    compared && ast::string_value(node, src).is_some_and(|v| is_stripe_event_type(&v))
}

fn is_stripe_event_type(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        && STRIPE_OBJECTS.contains(&parts[0])
}

/// Whether `pred` holds for a node of `scope` (nested handlers other than
/// `handler` skipped) or of a same-file function that `handler` calls (two levels).
fn scan_with_callees(
    scope: Node<'_>,
    handler: Node<'_>,
    src: &Script<'_>,
    path: &str,
    pred: &mut dyn FnMut(Node<'_>) -> bool,
) -> bool {
    let mut todo: Vec<(Node, usize)> = vec![(scope, 0)];
    let mut seen: Vec<usize> = vec![scope.id()];
    while let Some((node, depth)) = todo.pop() {
        let mut found = false;
        let mut callees: Vec<Node> = Vec::new();
        ast::visit(node, &mut |n| {
            if found {
                return false;
            }
            if n.id() != node.id()
                && ast::is_function(n)
                && !ast::contains(n, handler)
                && is_handler(n, src, path)
            {
                return false;
            }
            if pred(n) {
                found = true;
                return false;
            }
            if depth < 2 && n.kind_name() == "call_expression" {
                if let Some(f) = called_function(n, src) {
                    callees.push(f);
                }
            }
            true
        });
        if found {
            return true;
        }
        for f in callees {
            if !seen.contains(&f.id()) && !ast::contains(f, node) {
                seen.push(f.id());
                todo.push((f, depth + 1));
            }
        }
    }
    false
}

/// The same-file function a call invokes: `helper(…)` (top level) or
/// `this.helper(…)` (a method of the enclosing class).
fn called_function<'t>(call: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let func = call.field(Field::Function)?;
    match func.kind_name() {
        "identifier" => src.top_level_function(ast::text(func, src)),
        "member_expression" => {
            let obj = func.field(Field::Object)?;
            if obj.kind_name() != "this" {
                return None;
            }
            let name = ast::text(func.field(Field::Property)?, src);
            let mut cur = call.parent();
            let mut steps = 0usize;
            while let Some(n) = cur.filter(|_| {
                steps += 1;
                steps <= ast::MAX_ANCESTOR_STEPS
            }) {
                if n.kind_name() == "class_body" {
                    let mut c = n.walk();
                    let found = n.named_children(&mut c).find(|m| {
                        m.kind_name() == "method_definition"
                            && m.field(Field::Name)
                                .is_some_and(|x| ast::text(x, src) == name)
                    });
                    return found;
                }
                cur = n.parent();
            }
            None
        }
        _ => None,
    }
}

/// Signature verification in the handler, the functions around it, the
/// same-file functions it calls, its route middleware or NestJS guards.
fn is_verified(handler: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    // Route middleware: `app.post('/webhook', verifySignature, async (req, res) => …)`.
    if let Some(call) = route_call(handler, src) {
        // by name (`verifySignature`, `requireAuth()`, `auth.check`), not by the
        // text of a route definition (`createRoute({ description: 'Verifies …' })`)
        let mw = ast::call_arguments(call).into_iter().any(|a| {
            !ast::contains(a, handler) && middleware_name(a, src).is_some_and(|n| is_guard_name(&n))
        });
        if mw {
            return true;
        }
    }
    // An authenticating wrapper: `export const POST = withWorkspace(async ({ req }) => …)`.
    if wrapper_names(handler, src)
        .iter()
        .any(|w| is_auth_wrapper_name(w))
    {
        return true;
    }
    if handler.kind_name() == "method_definition" {
        let mut decs = member_decorators(handler);
        decs.extend(class_decorators(handler));
        if decs
            .iter()
            .any(|d| decorator_name(*d, src).as_deref() == Some("UseGuards"))
        {
            return true;
        }
    }
    // The outermost function around the handler (verification may wrap it).
    let mut scope = handler;
    let mut cur = handler.parent();
    let mut steps = 0usize;
    while let Some(n) = cur.filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
        if ast::is_function(n) {
            scope = n;
        }
        cur = n.parent();
    }
    let mut hmac = false;
    let mut compare = false;
    scan_with_callees(scope, handler, src, path, &mut |n| {
        if is_verification(n, src) {
            return true;
        }
        if n.kind_name() == "call_expression"
            && ast::callee_name(n, src).as_deref() == Some("createHmac")
        {
            hmac = true;
        }
        // `expected === received`, not `event.type === 'invoice.paid'`
        if is_equality(n, src)
            && n.field(Field::Left).is_some_and(|l| !is_literal(l, src))
            && n.field(Field::Right).is_some_and(|r| !is_literal(r, src))
        {
            compare = true;
        }
        hmac && compare
    })
}

/// The callees of the wrapper calls around a function (`withAuth(withLogging(fn))`),
/// as `outer_position` skips them.
fn wrapper_names(func: Node<'_>, src: &Script<'_>) -> Vec<String> {
    let outer = outer_position(func);
    let mut out = Vec::new();
    let mut cur = func;
    while cur.id() != outer.id() {
        let Some(p) = cur.parent() else {
            break;
        };
        if p.kind_name() == "call_expression" {
            if let Some(n) = ast::callee_name(p, src) {
                out.push(n);
            }
        }
        cur = p;
    }
    out
}

/// A wrapper that authenticates the caller or verifies the request
/// (`withAuth`, `withSession`, `withWorkspace`, `withApiKey`, `withCron`,
/// `verifySignatureAppRouter`), not one that only logs (`withAxiom`).
fn is_auth_wrapper_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    is_guard_name(&l)
        || ["session", "user", "workspace", "cron", "admin", "signature"]
            .iter()
            .any(|k| l.contains(k))
}

fn is_verify_name(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    ["verif", "signature", "constructevent", "timingsafeequal"]
        .iter()
        .any(|k| t.contains(k))
        // `validatePlaidWebhook`, `validateRequest`, `isValidHmac`, Polar's `validateEvent`
        || ((t.contains("validate") || t.contains("isvalid"))
            && ["webhook", "request", "hmac", "event", "payload"]
                .iter()
                .any(|k| t.contains(k)))
}

/// A user-session check: an authenticated route (e.g. managing one's webhook
/// endpoints under `api/webhooks`) is not a webhook receiver.
fn is_auth_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "auth"
            | "getauth"
            | "getserversession"
            | "getsession"
            | "currentuser"
            | "getuser"
            | "requireauth"
            | "requireuser"
            | "requiresession"
            | "authenticate"
            | "isauthenticated"
    )
}

/// An API-key / bearer-token check by name: `validateApiToken`, `getApiKey`.
fn is_api_key_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    ["apikey", "apitoken", "bearer", "basicauth"]
        .iter()
        .any(|k| l.contains(k))
}

const CREDENTIAL_HEADERS: &[&str] = &["authorization", "x-api-key", "api-key", "x-api-token"];

/// A read of the `Authorization` (or API-key) header: `req.headers.get('authorization')`,
/// `c.req.header('Authorization')`, `req.headers.authorization`,
/// `req.headers['x-api-key']`. A handler authenticated by a bearer token or an
/// API key is not an anonymous webhook receiver.
fn reads_credentials_header(n: Node<'_>, src: &Script<'_>) -> bool {
    let is_credential = |v: &str| CREDENTIAL_HEADERS.contains(&v.to_ascii_lowercase().as_str());
    match n.kind_name() {
        "call_expression" => {
            let path = ast::callee_path(n, src).unwrap_or_default();
            (path.ends_with("headers.get") || path.ends_with(".header") || path == "req.get")
                && ast::call_arguments(n)
                    .first()
                    .and_then(|a| ast::string_value(*a, src))
                    .is_some_and(|v| is_credential(&v))
        }
        "member_expression" => {
            n.field(Field::Object)
                .and_then(|o| last_segment(o, src))
                .is_some_and(|o| o == "headers")
                && n.field(Field::Property)
                    .is_some_and(|p| is_credential(ast::text(p, src)))
        }
        "subscript_expression" => {
            n.field(Field::Object)
                .and_then(|o| last_segment(o, src))
                .is_some_and(|o| o == "headers")
                && n.field(Field::Index)
                    .and_then(|i| ast::string_value(i, src))
                    .is_some_and(|v| is_credential(&v))
        }
        _ => false,
    }
}

fn is_equality(n: Node<'_>, src: &Script<'_>) -> bool {
    n.kind_name() == "binary_expression"
        && matches!(
            n.field(Field::Operator).map(|o| ast::text(o, src)),
            Some("===" | "!==" | "==" | "!=")
        )
}

fn is_literal(n: Node<'_>, src: &Script<'_>) -> bool {
    let n = ast::unwrap_expr(n);
    matches!(
        n.kind_name(),
        "string" | "number" | "true" | "false" | "null" | "undefined"
    ) || ast::string_value(n, src).is_some()
        || ast::text(n, src) == "undefined"
}

/// A verification call, or a comparison of a secret from the environment (or
/// of a request header) with a received value.
fn is_verification(n: Node<'_>, src: &Script<'_>) -> bool {
    if n.kind_name() == "call_expression" {
        // `stripe.webhooks.constructEvent`, `shopify.webhooks.validate`,
        // `paddle.webhooks.unmarshal`: a provider SDK's webhook namespace checks.
        return ast::callee_name(n, src)
            .is_some_and(|c| is_verify_name(&c) || is_auth_name(&c) || is_api_key_name(&c))
            || ast::callee_path(n, src)
                .is_some_and(|p| p.split('.').rev().skip(1).any(|seg| seg == "webhooks"))
            || reads_credentials_header(n, src);
    }
    if matches!(n.kind_name(), "member_expression" | "subscript_expression")
        && reads_credentials_header(n, src)
    {
        return true;
    }
    if !is_equality(n, src) {
        return false;
    }
    let (Some(l), Some(r)) = (n.field(Field::Left), n.field(Field::Right)) else {
        return false;
    };
    if is_literal(l, src) || is_literal(r, src) {
        return false;
    }
    [l, r]
        .iter()
        .any(|side| reads_secret_or_header(*side, src, true))
}

/// `process.env.X` / `import.meta.env.X` / `Deno.env.get(…)` / a request header,
/// directly or through one variable.
fn reads_secret_or_header(expr: Node<'_>, src: &Script<'_>, follow: bool) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    let mut found = false;
    ast::visit(expr, &mut |n| {
        if found {
            return false;
        }
        match n.kind_name() {
            "member_expression" | "subscript_expression" => {
                if let Some(p) = ast::member_path(n, src) {
                    let lower = p.to_ascii_lowercase();
                    if p.starts_with("process.env.")
                        || p.starts_with("import.meta.env.")
                        || lower.contains("headers.")
                    {
                        found = true;
                        return false;
                    }
                }
                true
            }
            "call_expression" => {
                let path = ast::callee_path(n, src).unwrap_or_default();
                if path == "Deno.env.get"
                    || path.ends_with("headers.get")
                    || path.ends_with("req.header")
                    || path.ends_with("req.get")
                    || path.ends_with("request.header")
                {
                    found = true;
                    return false;
                }
                if let Some(f) = n.field(Field::Function) {
                    if f.kind_name() == "member_expression"
                        && f.field(Field::Object).is_some_and(|o| {
                            o.kind_name() == "call_expression"
                                && ast::callee_name(o, src).as_deref() == Some("headers")
                        })
                    {
                        found = true;
                        return false;
                    }
                }
                true
            }
            "identifier" if follow => {
                let t = ast::text(n, src);
                if let Some(init) = src.value_of(n, t) {
                    if reads_secret_or_header(init, src, false) {
                        found = true;
                    }
                }
                false
            }
            _ => true,
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const ID: &str = "webhook-unverified";

    const NEXT_UNVERIFIED: &str = "import { NextResponse } from 'next/server';\n\nexport async function POST(req: Request) {\n  const event = await req.json();\n  switch (event.type) {\n    case 'checkout.session.completed':\n      await fulfil(event.data.object);\n      break;\n  }\n  return NextResponse.json({ received: true });\n}\n";

    #[test]
    fn next_route_by_path_and_by_event_types() {
        let d = findings(ID, "src/app/api/webhooks/stripe/route.ts", NEXT_UNVERIFIED);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].level, Level::Error);
        assert_eq!(&NEXT_UNVERIFIED[d[0].range.clone()], "req.json()");
        assert!(d[0].fixes.is_empty());
        // the event-type switch alone makes it a webhook
        assert_flags(ID, "src/app/api/stripe/route.ts", NEXT_UNVERIFIED, 1);
        // a plain route that reads a body is not a webhook
        assert_clean(
            ID,
            "src/app/api/todos/route.ts",
            "export async function POST(req: Request) {\n  const todo = await req.json();\n  return Response.json(await db.todo.create({ data: todo }));\n}\n",
        );
    }

    #[test]
    fn express_pages_hono_nest_lambda() {
        let src = "router.post('/webhook', express.json(), async (req, res) => {\n  const { type, data } = req.body;\n  if (type === 'invoice.paid') await activate(data.object.customer);\n  res.sendStatus(200);\n});\n";
        assert_eq!(
            assert_flags(ID, "src/routes/billing.ts", src, 1),
            vec!["req.body"]
        );
        let src = "export default async function handler(req, res) {\n  const event = req.body;\n  await handleEvent(event);\n  res.status(200).end();\n}\n";
        assert_flags(ID, "src/pages/api/webhook.ts", src, 1);
        let src = "app.post('/webhooks/github', async (c) => {\n  const payload = await c.req.json();\n  await sync(payload);\n  return c.text('ok');\n});\n";
        assert_eq!(
            assert_flags(ID, "src/index.ts", src, 1),
            vec!["c.req.json()"]
        );
        let src = "@Controller('webhooks')\nexport class StripeWebhookController {\n  @Post('stripe')\n  async handle(@Body() event: Stripe.Event) {\n    await this.billing.apply(event);\n  }\n}\n";
        assert_eq!(
            assert_flags(ID, "src/billing/billing.controller.ts", src, 1),
            vec!["@Body()"]
        );
        let src = "export const handler = async (event) => {\n  const body = JSON.parse(event.body);\n  if (body.type === 'payment_intent.succeeded') await credit(body);\n  return { statusCode: 200 };\n};\n";
        assert_eq!(
            assert_flags(ID, "functions/payments.ts", src, 1),
            vec!["JSON.parse(event.body)"]
        );
        // a function registered by name as a route callback
        let src = "async function handleStripeWebhook(req, res) {\n  const raw = await getRawBody(req);\n  const event = JSON.parse(raw.toString());\n  await apply(event);\n}\napp.post('/stripe', handleStripeWebhook);\n";
        assert_eq!(
            assert_flags(ID, "src/server.ts", src, 1),
            vec!["JSON.parse(raw.toString())"]
        );
    }

    #[test]
    fn handlers_by_registration_and_export() {
        let body = "(req: Request) {\n  const event = await req.json();\n  await apply(event);\n  return new Response('ok');\n}\n";
        // an exported function named as a webhook receiver (called from a route elsewhere)
        let src = format!("export async function stripeWebhookHandler{body}");
        assert_flags(ID, "src/lib/stripe/handler.ts", &src, 1);
        // exported under a route name or in `module.exports`
        let src = format!("async function receive{body}export {{ receive as POST }};\n");
        assert_flags(ID, "src/app/api/webhooks/x/route.ts", &src, 1);
        let src =
            format!("async function handleWebhook{body}module.exports = {{ handleWebhook }};\n");
        assert_flags(ID, "src/hooks.js", &src, 1);
        let src = format!("async function receive{body}export default receive;\n");
        assert_flags(ID, "src/pages/api/webhooks/x.ts", &src, 1);
        // Hono OpenAPI routes and Remix actions
        let src = "app.openapi(\n  createRoute({ method: 'post', path: '/' }),\n  async (c) => {\n    const body = await c.req.json();\n    return c.json(await apply(body));\n  },\n);\n";
        assert_eq!(
            assert_flags(ID, "src/rest/webhooks/polar.ts", src, 1),
            vec!["c.req.json()"]
        );
        let src = "export async function action({ request }: ActionFunctionArgs) {\n  const event = await request.json();\n  await apply(event);\n  return null;\n}\n";
        assert_flags(ID, "app/routes/api.webhooks.paddle.ts", src, 1);
        // the same `action` outside a route module is not a route
        assert_clean(ID, "src/store/webhook-actions.ts", src);
        // a Supabase edge function
        let src = "Deno.serve(async (req) => {\n  const { record } = await req.json();\n  return new Response(record.id);\n});\n";
        assert_flags(ID, "supabase/functions/db-webhook/index.ts", src, 1);
    }

    #[test]
    fn near_miss_not_an_inbound_handler() {
        // a library function that takes a request but is neither a route export nor
        // registered as one in its file: its caller (elsewhere) is the handler
        let src = "export const subscribeHandler = async (req: Request) => {\n  const { url } = await req.json();\n  return Response.json(await save(url));\n};\n";
        assert_clean(ID, "src/lib/webhooks/zapier/subscribe.ts", src);
        let src = "async function handleStripeWebhook(req, res) {\n  const event = JSON.parse(await getRawBody(req));\n  await apply(event);\n}\n";
        assert_clean(ID, "src/server.ts", src);
        // a Stripe event switch in a function that only takes a request
        let src = "export async function processEvent(req: Request) {\n  const e = await req.json();\n  switch (e.type) {\n    case 'checkout.session.completed':\n      return fulfil(e);\n  }\n}\n";
        assert_clean(ID, "src/lib/billing/events.ts", src);
        // NestJS `@Post()` outside a `@Controller`
        let src = "export class Hooks {\n  @Post('webhook')\n  async handle(@Body() event: Stripe.Event) {\n    await this.apply(event);\n  }\n}\n";
        assert_clean(ID, "src/hooks.ts", src);
    }

    #[test]
    fn near_miss_senders_and_verifiers() {
        // code that sends webhooks
        let src = "export async function sendWebhook(request: WebhookRequest) {\n  const payload = JSON.parse(request.body);\n  return fetch(request.url, { method: 'POST', body: JSON.stringify(payload) });\n}\n";
        assert_clean(ID, "src/lib/webhooks/send.ts", src);
        let src = "export async function POST(req: Request) {\n  const { linkId } = await req.json();\n  await deliverClickWebhooks(linkId);\n  return new Response('ok');\n}\n";
        assert_clean(ID, "src/app/api/cron/send-link-webhooks/route.ts", src);
        // the verifier itself
        let src = "export async function verifyWebhook(req: Request) {\n  const payload = await req.json();\n  return hmacMatches(payload, req.headers.get('x-sig'));\n}\n";
        assert_clean(ID, "src/lib/webhooks/verify.ts", src);
        let src = "export async function parseStripeWebhook(req: Request) {\n  const raw = await req.text();\n  const event = stripe.webhooks.constructEvent(raw, req.headers.get('stripe-signature')!, secret);\n  return { event, extra: JSON.parse(raw) };\n}\n";
        assert_clean(ID, "src/lib/stripe.ts", src);
    }

    #[test]
    fn path_is_judged_inside_the_project() {
        use crate::config::Config;
        use crate::workspace::WorkspaceFacts;
        use std::path::Path;
        let src =
            "app.post('/login', async (req, res) => {\n  res.json(await login(req.body));\n});\n";
        let config = Config::default_for(Path::new("/home/dev/webhook-service"));
        let facts = WorkspaceFacts::default();
        // the checkout folder's name says nothing about the route
        let d = findings_with(
            ID,
            "/home/dev/webhook-service/src/server.ts",
            src,
            &config,
            &facts,
        );
        assert!(d.is_empty(), "{d:#?}");
        // a folder inside the project does
        let d = findings_with(
            ID,
            "/home/dev/webhook-service/src/webhooks/server.ts",
            src,
            &config,
            &facts,
        );
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn by_name_registration_middleware_and_wrappers() {
        let handle =
            "async function handle(req, res) {\n  await apply(req.body);\n  res.end();\n}\n";
        // the route path says webhook
        let src = format!("{handle}router.post('/webhooks/stripe', express.json(), handle);\n");
        assert_eq!(assert_flags(ID, "src/routes.ts", &src, 1), vec!["req.body"]);
        // verified by route middleware or an authenticating wrapper at the registration
        let src =
            format!("{handle}router.post('/webhooks/stripe', verifyStripeSignature, handle);\n");
        assert_clean(ID, "src/routes.ts", &src);
        let src = format!(
            "{handle}router.use(requireApiKey);\nrouter.post('/webhooks/stripe', handle);\n"
        );
        assert_clean(ID, "src/routes.ts", &src);
        let src = format!("{handle}export default withApiAuth(handle);\n");
        assert_clean(ID, "src/pages/api/webhooks/x.ts", &src);
        let src = format!("{handle}export default withLogging(handle);\n");
        assert_flags(ID, "src/pages/api/webhooks/x.ts", &src, 1);
    }

    #[test]
    fn near_miss_authenticating_wrapper() {
        let src = "export const POST = withWorkspace(async ({ req, workspace }) => {\n  const { url } = await req.json();\n  return Response.json(await createHook(workspace.id, url));\n});\n";
        assert_clean(ID, "src/app/api/webhooks/route.ts", src);
        // a logging wrapper authenticates nothing
        let src = "export const POST = withAxiom(async (req) => {\n  const event = await req.json();\n  return Response.json(await apply(event));\n});\n";
        assert_flags(ID, "src/app/api/webhooks/route.ts", src, 1);
    }

    #[test]
    fn near_miss_bearer_or_api_key() {
        let src = "export async function POST(req: Request) {\n  const authorization = req.headers.get('authorization');\n  if (!authorization) return new Response(null, { status: 401 });\n  const { url } = await req.json();\n  const owner = await validateApiToken({ authorization });\n  return Response.json(await subscribe(owner, url));\n}\n";
        assert_clean(ID, "src/app/api/webhooks/zapier/route.ts", src);
        let src = "router.post('/webhooks/subscribe', async (req, res) => {\n  const key = req.headers['x-api-key'];\n  const owner = await findOwner(key);\n  res.json(await subscribe(owner, req.body.url));\n});\n";
        assert_clean(ID, "src/routes.ts", src);
        // router-level middleware guards every route of the file
        let src = "app.use('*', basicAuth({ username: u, password: p }));\napp.openapi(route, async (c) => {\n  const body = await c.req.json();\n  return c.json(await apply(body));\n});\n";
        assert_clean(ID, "src/rest/webhooks/inbox.ts", src);
        // a provider-specific validator (`validate<Provider>Webhook`)
        let src = "app.openapi(route, async (c) => {\n  const raw = await c.req.text();\n  if (!(await validatePlaidWebhook({ body: raw, jwt: c.req.header('plaid-verification') }))) return c.json({}, 401);\n  const body = JSON.parse(raw);\n  return c.json(await apply(body));\n});\n";
        assert_clean(ID, "src/rest/webhooks/plaid.ts", src);
        // the route definition's text is not middleware
        let src = "app.openapi(\n  createRoute({ method: 'post', description: 'Verifies the signature' }),\n  async (c) => {\n    const body = await c.req.json();\n    return c.json(await apply(body));\n  },\n);\n";
        assert_flags(ID, "src/rest/webhooks/plaid.ts", src, 1);
        // a middleware that neither authenticates nor verifies does not count
        let src = "app.use('*', logger());\napp.openapi(route, async (c) => {\n  const body = await c.req.json();\n  return c.json(await apply(body));\n});\n";
        assert_flags(ID, "src/rest/webhooks/inbox.ts", src, 1);
    }

    #[test]
    fn one_finding_per_handler() {
        let src = "export async function POST(request: Request) {\n  const type = (await request.json()).type;\n  const again = JSON.parse(await request.text());\n  return new Response(type + again);\n}\n";
        assert_flags(ID, "src/app/api/webhook/route.ts", src, 1);
    }

    #[test]
    fn near_miss_verified_in_handler() {
        let stripe = "export async function POST(req: Request) {\n  const body = await req.text();\n  const sig = req.headers.get('stripe-signature')!;\n  let event: Stripe.Event;\n  try {\n    event = stripe.webhooks.constructEvent(body, sig, process.env.STRIPE_WEBHOOK_SECRET!);\n  } catch {\n    return new Response('bad signature', { status: 400 });\n  }\n  const data = JSON.parse(JSON.stringify(event.data));\n  return Response.json({ ok: true, data });\n}\n";
        assert_clean(ID, "src/app/api/webhooks/stripe/route.ts", stripe);
        let svix = "import { Webhook } from 'svix';\nexport async function POST(req: Request) {\n  const payload = await req.text();\n  const wh = new Webhook(process.env.CLERK_WEBHOOK_SECRET!);\n  const evt = wh.verify(payload, Object.fromEntries(req.headers)) as WebhookEvent;\n  const again = await req.json();\n  return Response.json({ evt, again });\n}\n";
        assert_clean(ID, "src/app/api/webhooks/clerk/route.ts", svix);
        let hmac = "import crypto from 'node:crypto';\nexport async function POST(req: Request) {\n  const raw = await req.text();\n  const expected = crypto.createHmac('sha256', process.env.SHOPIFY_SECRET!).update(raw).digest('base64');\n  const got = req.headers.get('x-shopify-hmac-sha256') ?? '';\n  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(got))) return new Response(null, { status: 401 });\n  const order = JSON.parse(raw);\n  return Response.json(order);\n}\n";
        assert_clean(ID, "src/app/api/webhooks/shopify/route.ts", hmac);
        let shared = "export async function POST(req: Request) {\n  if (req.headers.get('x-webhook-secret') !== process.env.WEBHOOK_SECRET) {\n    return new Response('unauthorized', { status: 401 });\n  }\n  const body = await req.json();\n  return Response.json(body);\n}\n";
        assert_clean(ID, "src/app/api/webhooks/cms/route.ts", shared);
        let shared_var = "const secret = process.env.WEBHOOK_SECRET;\nexport default async function handler(req, res) {\n  const token = req.headers['x-token'];\n  if (token !== secret) return res.status(401).end();\n  await save(req.body);\n  res.end();\n}\n";
        assert_clean(ID, "src/pages/api/webhooks/cms.ts", shared_var);
    }

    #[test]
    fn near_miss_verified_in_called_function_or_middleware() {
        let src = "async function verifiedEvent(req: Request) {\n  const body = await req.text();\n  return stripe.webhooks.constructEventAsync(body, req.headers.get('stripe-signature')!, secret);\n}\nexport async function POST(req: Request) {\n  const event = await verifiedEvent(req);\n  const meta = JSON.parse(event.data.object.metadata.cart);\n  return Response.json(meta);\n}\n";
        assert_clean(ID, "src/app/api/webhooks/stripe/route.ts", src);
        let src = "function check(req) {\n  return assertSignature(req);\n}\nexport default async function handler(req, res) {\n  check(req);\n  await apply(req.body);\n  res.end();\n}\n";
        assert_clean(ID, "src/pages/api/webhook.ts", src);
        let src = "router.post('/webhook', verifyGithubSignature, async (req, res) => {\n  await sync(req.body);\n  res.end();\n});\n";
        assert_clean(ID, "src/routes.ts", src);
        let src = "@Controller('webhooks')\nexport class HooksController {\n  @Post('stripe')\n  @UseGuards(StripeSignatureGuard)\n  async handle(@Body() event: Stripe.Event) {\n    await this.billing.apply(event);\n  }\n}\n";
        assert_clean(ID, "src/hooks.controller.ts", src);
        let src = "class Hooks {\n  private verify(raw: string, sig: string) {\n    return this.stripe.webhooks.constructEvent(raw, sig, this.secret);\n  }\n  @Post('webhook')\n  async handle(@Req() req: RawBodyRequest<Request>, @Headers('stripe-signature') sig: string) {\n    const event = this.verify(req.rawBody.toString(), sig);\n    return this.apply(JSON.parse(JSON.stringify(event)), req.body);\n  }\n}\n";
        assert_clean(ID, "src/hooks.controller.ts", src);
    }

    #[test]
    fn near_miss_helper_called_by_a_verified_handler() {
        let src = "async function readOrder(req: NextRequest) {\n  const body = await req.json();\n  return body.order;\n}\nexport async function POST(req: NextRequest) {\n  await verifyWebhookSignature(req.clone());\n  const order = await readOrder(req);\n  return Response.json(order);\n}\n";
        assert_clean(ID, "src/app/api/webhooks/orders/route.ts", src);
        // not called in the file: it is a handler of its own
        let src = "async function readOrder(req: NextRequest) {\n  const body = await req.json();\n  return body.order;\n}\nexport const POST = withLogging(readOrder);\n";
        assert_flags(ID, "src/app/api/webhooks/orders/route.ts", src, 1);
    }

    #[test]
    fn hmac_needs_a_comparison() {
        let compared = "export async function POST(req: Request) {\n  const raw = await req.text();\n  const digest = createHmac('sha256', secret).update(raw).digest('hex');\n  if (digest !== req.headers.get('x-signature')) return new Response(null, { status: 401 });\n  const event = JSON.parse(raw);\n  return Response.json(event);\n}\n";
        assert_clean(ID, "src/app/api/webhooks/lemon/route.ts", compared);
        // computed but never compared (only the event type is): not a check
        let unused = "export async function POST(req: Request) {\n  const raw = await req.text();\n  const digest = createHmac('sha256', secret).update(raw).digest('hex');\n  const event = JSON.parse(raw);\n  if (event.type === 'invoice.paid') await pay(event, digest);\n  return Response.json(event);\n}\n";
        assert_eq!(
            assert_flags(ID, "src/app/api/webhooks/lemon/route.ts", unused, 1),
            vec!["JSON.parse(raw)"]
        );
    }

    #[test]
    fn near_miss_authenticated_webhook_management() {
        // `api/webhooks` that manages a user's endpoints is not a receiver
        let src = "export async function POST(req: Request) {\n  const session = await auth();\n  if (!session) return new Response(null, { status: 401 });\n  const { url } = await req.json();\n  return Response.json(await db.endpoint.create({ data: { url, userId: session.user.id } }));\n}\n";
        assert_clean(ID, "src/app/api/webhooks/route.ts", src);
        let src = "router.post('/webhooks', requireAuth, async (req, res) => {\n  res.json(await createEndpoint(req.user.id, req.body.url));\n});\n";
        assert_clean(ID, "src/routes/settings.ts", src);
    }

    #[test]
    fn near_miss_provider_sdks() {
        let src = "export async function POST(req: Request) {\n  const raw = await req.text();\n  const event = await paddle.webhooks.unmarshal(raw, secret, req.headers.get('paddle-signature')!);\n  const extra = await req.json();\n  return Response.json({ event, extra });\n}\n";
        assert_clean(ID, "src/app/api/webhooks/paddle/route.ts", src);
        let src = "export async function POST(req: Request) {\n  const { valid } = await shopify.webhooks.validate({ rawBody: await req.text(), rawRequest: req });\n  if (!valid) return new Response(null, { status: 401 });\n  const body = await req.json();\n  return Response.json(body);\n}\n";
        assert_clean(ID, "src/app/api/webhooks/shopify/route.ts", src);
    }

    #[test]
    fn near_miss_reexport_and_comments() {
        assert_clean(
            ID,
            "src/app/api/webhooks/stripe/route.ts",
            "export { POST } from '@/lib/stripe/webhook';\nexport const runtime = 'nodejs';\n",
        );
        // verification only in a comment counts as missing
        let src = "export async function POST(req: Request) {\n  // const event = stripe.webhooks.constructEvent(body, sig, secret);\n  /* verifySignature(req) */\n  const event = await req.json();\n  return Response.json({ id: event.id, note: 'verify later' });\n}\n";
        assert_flags(ID, "src/app/api/webhooks/stripe/route.ts", src, 1);
    }

    #[test]
    fn near_miss_not_a_request_body() {
        // helpers that get an already verified event, fetch responses, strings
        let src = "async function handleEvent(event: Stripe.Event) {\n  const cart = JSON.parse(event.data.object.metadata.cart);\n  return cart;\n}\nexport async function POST(req: Request) {\n  const event = stripe.webhooks.constructEvent(await req.text(), sig, secret);\n  const res = await fetch(url);\n  const data = await res.json();\n  const cfg = JSON.parse(process.env.CONFIG!);\n  await handleEvent(event);\n  return Response.json({ data, cfg, note: 'req.body' });\n}\n";
        assert_clean(ID, "src/app/api/webhooks/stripe/route.ts", src);
        // a body read outside any handler
        assert_clean(
            ID,
            "src/lib/webhook.ts",
            "const x = JSON.parse(raw);\nexport const y = document.body;\n",
        );
        // a non-Stripe event type switch on a non-webhook path
        let src = "export async function POST(req: Request) {\n  const action = await req.json();\n  switch (action.type) {\n    case 'todo.created':\n      break;\n  }\n  return Response.json({});\n}\n";
        assert_clean(ID, "src/app/api/actions/route.ts", src);
    }

    #[test]
    fn works_with_syntax_errors_and_non_ascii() {
        let src = "const label = 'café 😀';\nexport async function POST(req: Request) {\n  const x = {;\n  const event = await req.json();\n  return Response.json(event);\n}\n";
        let d = findings(ID, "src/app/api/webhook/route.ts", src);
        assert_eq!(d.len(), 1);
        let start = src.find("req.json()").unwrap();
        assert_eq!(d[0].range, start..start + "req.json()".len());
    }
}
