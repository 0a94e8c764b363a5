//! The `webhook-unverified` rule: metadata, docs and the `check` entry with its top-level
//! flow here; the rest by topic:
//! - `body`: reads of the request body in a handler (`req.body`, `await request.json()`,
//!   …).
//! - `handlers`: which functions are webhook receivers: route handlers, exports,
//!   registrations and their names.
//! - `verify`: what counts as verification: signature checks, auth wrappers, secrets
//!   compared with headers.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::frameworks::handlers as http;
use crate::ts::frameworks::webhooks;
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use body::{body_read_shape, first_body_read, reads_body, request_names};
use handlers::{handler_name, is_handler_by_shape, is_webhook, registration, route_call};
use tree_sitter::Node;
use verify::{is_verified, is_verify_name};

mod body;
mod handlers;
#[cfg(test)]
mod tests;
mod verify;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "webhook-unverified",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::None,
        // Test-like paths hold mock receivers (MSW handlers catching the
        // webhooks an app sends), not inbound endpoints (measured: 4 of 10
        // findings on the real repos).
        not_in_tests: true,
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
guards, a NestJS module's authenticating middleware for the controller
(`consumer.apply(AuthMiddleware).forRoutes(WebhooksController)`: the
signed-in endpoints that manage a user's webhooks) and a user-session check (`auth()`, `getServerSession()`,
`supabase.auth.getUser()`: an authenticated route is not a webhook receiver).

Not handlers: re-exports (`export { POST } from './stripe'`); the verifier
itself (`verifyWebhook(req)`, a function passing the body to
`*.webhooks.constructEvent`); code that *sends* webhooks (`sendWebhook`,
`triggerWebhooks`, a `send-…-webhooks` route); handlers in test-like paths
(mock receivers of the webhooks an app sends, such as MSW handlers in
`__tests__/`). Verification that is commented out counts as missing. The
finding is reported where the handler reads the body.

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
    let path = cx.project_path().to_ascii_lowercase();
    // The innermost enclosing inbound request handler.
    let mut handler = None;
    let mut by_name = None;
    for n in ast::ancestors(node) {
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
    // a NestJS controller a module puts behind an authenticating middleware
    // (`consumer.apply(AuthMiddleware).forRoutes(WebhooksController)`): a
    // signed-in settings endpoint, not a receiver
    if crate::ts::frameworks::nest::class_name(handler, src)
        .is_some_and(|c| cx.facts.ts.nest_controller_authenticated(c))
    {
        return;
    }
    // Router-level middleware (`app.use(basicAuth(…))`, `router.use(verifySignature)`)
    // before the route's registration guards it (the framework model's router middleware).
    if let Some(call) = route_call(handler, src).or(by_name.call) {
        if http::router_middleware_of(call, src)
            .iter()
            .any(|m| is_guard_name(&m.name))
        {
            return;
        }
    }
    let name = handler_name(handler, src)
        .map(|n| format!("`{n}` "))
        .unwrap_or_default();
    let provider =
        webhooks::signature_header_in(handler, src).or_else(|| webhooks::provider_in_path(&path));
    let example = webhooks::verification_example(provider);
    cx.report(
        node.byte_range(),
        format!("Webhook handler {name}uses the request body without verifying its signature; verify it first (e.g. {example}) and use the verified event"),
    );
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
