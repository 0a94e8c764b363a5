//! The `webhook-not-idempotent` rule: metadata, docs and the `check` entry with
//! its top-level flow here; the rest by topic:
//! - `effects`: what a handler does that a redelivery repeats (records
//!   created, notifications sent) and what shows that it deduplicates.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::webhooks;
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use effects::{scan_function, EffectKind, Scan};
use tree_sitter::Node;

mod effects;
#[cfg(test)]
mod tests;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "webhook-not-idempotent",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A payment webhook handler creates records or sends notifications without deduplicating on the event id",
        docs: DOCS,
        // A payment provider named in the file or its path (or Lemon Squeezy's header)…
        triggers: webhooks::PAYMENT_TRIGGERS,
        // …and a webhook: by its path or route, or a signature header read.
        also_triggers: &["webhook", "signature", "hmac"],
        options: RuleOptions::NONE,
    },
    kinds: kind::FUNCTIONS,
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a payment webhook handler (Stripe, Paddle, Lemon Squeezy, Polar,
PayPal, Shopify, Razorpay, Paystack… — by its path, its route or the
signature header it reads) that creates records or sends notifications for an
event without deduplicating on the event id.

Records: Prisma `create`/`createMany`, Drizzle `db.insert`, Supabase
`.from(t).insert`, Knex, MongoDB `insertOne`/`insertMany`, Mongoose/Sequelize
`Model.create` and `new Model(…).save()`, raw `INSERT INTO` SQL.
Notifications: `resend.emails.send`, `sendEmail(…)`, `transporter.sendMail`,
Twilio `messages.create`, queued jobs (`queue.add`, `inngest.send`,
`tasks.trigger`, `triggerJob`). They count in the handler's body and in the
functions of the same file that it calls (one hop).

Deduplication anywhere in the handler (or those functions) clears it: the
event id stored or looked up (`event.id`, under any name of the event, also
through a local: `const eventId = event.id`), an upsert, `onConflict…` / `ON
CONFLICT`, `skipDuplicates`, an idempotency key (`idempotencyKey`,
`deduplicationId`, a queue `jobId`), a provider object's id stored in or
looked up by a column that names it (`stripeSessionId: session.id`,
`where: { paymentIntentId }`: unique by nature), a unique-violation catch
(`P2002`, `23505`). The event id in a log call does not count. A handler that
only updates rows (`switch (event.type)` then `update`) is idempotent by
nature and not flagged; webhooks that are not about payments (Clerk, GitHub)
are not either.

## Why is this bad?
Payment providers deliver events at least once: a timeout, a deploy or a
slow response makes Stripe send `checkout.session.completed` again, hours
later. A handler that inserts an order or emails a receipt for each delivery
creates duplicate orders, double credits and repeated emails.

## Examples
```ts flagged lines=5 path=src/app/api/webhooks/stripe/route.ts
export async function POST(req: Request) {
  const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, secret);
  if (event.type === 'checkout.session.completed') {
    const session = event.data.object;
    await prisma.order.create({ data: { userId: session.metadata.userId, total: session.amount_total } });
  }
  return new Response('ok');
}
```

```ts flagged lines=4 path=src/server.ts
app.post('/webhooks/paddle', async (req, res) => {
  const event = paddle.webhooks.unmarshal(req.body, secret, req.headers['paddle-signature']);
  if (event.eventType === 'transaction.completed') {
    await sendReceipt(event.data.customerId);
  }
  res.sendStatus(200);
});
async function sendReceipt(customerId: string) {
  await resend.emails.send({ to: await emailOf(customerId), subject: 'Thanks!' });
}
```

```ts ok path=src/app/api/webhooks/stripe/route.ts
export async function POST(req: Request) {
  const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, secret);
  const seen = await prisma.stripeEvent.findUnique({ where: { id: event.id } });
  if (seen) return new Response('duplicate');
  await prisma.$transaction([
    prisma.stripeEvent.create({ data: { id: event.id } }),
    prisma.order.create({ data: { userId: event.data.object.metadata.userId } }),
  ]);
  return new Response('ok');
}
```

```ts ok path=src/app/api/webhooks/stripe/route.ts
// Updates only: a redelivered event writes the same values again.
export async function POST(req: Request) {
  const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, secret);
  switch (event.type) {
    case 'customer.subscription.updated':
      await prisma.subscription.update({ where: { id: event.data.object.id }, data: { status: event.data.object.status } });
      break;
  }
  return new Response('ok');
}
```

## Fix
None: record processed event ids (a table with the event id as its primary
key, written in the same transaction as the effect, or an insert that skips
conflicts) and return early for an id already seen; or make the effect an
upsert keyed by the provider object's id, and pass an idempotency key to
email and queue APIs.
"#;

fn check(cx: &mut RuleContext<'_>, func: Node<'_>) {
    let script = cx.script();
    let src = &script;
    // Path heuristics judge the path inside the project, not the folder it
    // is checked out in.
    let path = cx.project_path();
    let Some(handler) = super::handler_of_memo(cx, func, src, &path) else {
        return;
    };
    let Some(hook) = webhooks::webhook_of(&handler, src, &path) else {
        return;
    };
    let provider = match hook.provider {
        Some(p) if webhooks::is_payment_provider(p) => p,
        Some(_) => return,
        None => match payment_in(func, src) {
            Some(p) => p,
            None => return,
        },
    };
    let mut scan = Scan::default();
    scan_function(func, src, &mut scan, true);
    if scan.dedupe {
        return;
    }
    // One hop: the same-file functions it calls (each looked at once).
    let calls = std::mem::take(&mut scan.calls);
    let mut seen: Vec<usize> = Vec::new();
    let mut via = None;
    for (call, target) in calls {
        if seen.contains(&target.id()) {
            continue;
        }
        seen.push(target.id());
        let mut inner = Scan::default();
        scan_function(target, src, &mut inner, false);
        if inner.dedupe {
            return;
        }
        if let Some(e) = inner.effect {
            let earlier = scan
                .effect
                .is_none_or(|own| call.start_byte() < own.node.start_byte());
            if via.is_none() && earlier {
                via = Some((call, target, e));
            }
        }
    }
    let name = provider_name(provider);
    let (at, message) = match (via, scan.effect) {
        (Some((call, target, e)), _) => {
            let helper = ast::function_name(target, src).unwrap_or("the function called here");
            let at = call.field(Field::Function).unwrap_or(call);
            (
                at.byte_range(),
                format!(
                    "This {name} webhook handler calls `{helper}`, which {} (`{}`), with no deduplication on the event id; {}",
                    effect_phrase(e.kind),
                    what(e.node, src),
                    advice(e.kind)
                ),
            )
        }
        (None, Some(e)) => {
            let at = if e.node.kind_name() == kind::CALL_EXPRESSION {
                e.node.field(Field::Function).unwrap_or(e.node)
            } else {
                e.node
            };
            (
                at.byte_range(),
                format!(
                    "This {name} webhook handler {} (`{}`) with no deduplication on the event id; {}",
                    effect_phrase(e.kind),
                    what(e.node, src),
                    advice(e.kind)
                ),
            )
        }
        (None, None) => return,
    };
    cx.report(at, message);
}

/// A payment provider named in a handler whose webhook says none:
/// `stripe.webhooks.constructEvent`, `Stripe.Event`, a Stripe event type.
fn payment_in(func: Node<'_>, src: &Script<'_>) -> Option<&'static str> {
    let text = ast::text(func, src).to_ascii_lowercase();
    if [
        "checkout.session.",
        "payment_intent.",
        "invoice.paid",
        "invoice.payment_",
    ]
    .iter()
    .any(|t| text.contains(t))
    {
        return Some("stripe");
    }
    webhooks::PAYMENT_PROVIDERS
        .iter()
        .copied()
        .find(|p| text.contains(p))
}

fn provider_name(p: &str) -> &str {
    match p {
        "stripe" => "Stripe",
        "paddle" => "Paddle",
        "shopify" => "Shopify",
        "razorpay" => "Razorpay",
        "paystack" => "Paystack",
        "lemonsqueezy" => "Lemon Squeezy",
        "polar" => "Polar",
        "paypal" => "PayPal",
        "mollie" => "Mollie",
        "braintree" => "Braintree",
        "chargebee" => "Chargebee",
        other => other,
    }
}

fn effect_phrase(kind: EffectKind) -> &'static str {
    match kind {
        EffectKind::Record => "creates a record",
        EffectKind::Notification => "sends a notification",
    }
}

fn advice(kind: EffectKind) -> &'static str {
    match kind {
        EffectKind::Record => "a redelivered event creates it again — store the event id in a unique column (or upsert, `skipDuplicates`) and skip events already processed",
        EffectKind::Notification => "a redelivered event sends it again — record processed event ids and skip repeats, or pass an idempotency key",
    }
}

/// The effect as the message quotes it: the callee, or `INSERT INTO …`.
fn what(node: Node<'_>, src: &str) -> String {
    if let Some(f) = node
        .field(Field::Function)
        .filter(|_| node.kind_name() == kind::CALL_EXPRESSION)
    {
        let t: String = ast::text(f, src).split_whitespace().collect();
        return t;
    }
    let t = ast::text(node, src)
        .trim_matches(['\'', '"', '`'])
        .trim_start();
    let words: Vec<&str> = t.split_whitespace().take(3).collect();
    format!("{} …", words.join(" "))
}
