use crate::rules::testing::*;

const ID: &str = "webhook-not-idempotent";
const P: &str = "src/app/api/webhooks/stripe/route.ts";

/// A Next.js Stripe webhook route whose verified event is `event`, with
/// `body` after the verification.
fn next_route(body: &str) -> String {
    format!(
        "export async function POST(req: Request) {{\n  const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, secret);\n{body}\n  return new Response('ok');\n}}\n"
    )
}

fn flagged(path: &str, text: &str) -> Vec<String> {
    findings(ID, path, text)
        .iter()
        .map(|d| text[d.range.clone()].to_string())
        .collect()
}

#[test]
fn records_created() {
    for (body, at) in [
        (
            "  await prisma.order.create({ data: { total: 1 } });",
            "prisma.order.create",
        ),
        (
            "  await tx.credit.createMany({ data: rows });",
            "tx.credit.createMany",
        ),
        (
            "  await this.prisma.order.create({ data: {} });",
            "this.prisma.order.create",
        ),
        ("  await db.insert(orders).values({ userId });", "db.insert"),
        (
            "  await supabase.from('orders').insert({ user_id: uid });",
            "supabase.from('orders').insert",
        ),
        (
            "  await knex('orders').insert({ user_id: uid });",
            "knex('orders').insert",
        ),
        (
            "  await mongo.collection('orders').insertOne({ uid });",
            "mongo.collection('orders').insertOne",
        ),
        (
            "  await sql`INSERT INTO orders (user_id) VALUES (${uid})`;",
            "`INSERT INTO orders (user_id) VALUES (${uid})`",
        ),
        (
            "  await pool.query('insert into credits (uid) values ($1)', [uid]);",
            "'insert into credits (uid) values ($1)'",
        ),
    ] {
        assert_eq!(
            flagged(P, &next_route(body)),
            vec![at.to_string()],
            "{body}"
        );
    }
    // Mongoose models imported by name
    let text = format!(
        "import Order from '@/models/order';\nimport Credit from '@/models/credit';\n{}",
        next_route("  await Order.create({ uid });\n  await new Credit({ uid }).save();")
    );
    assert_eq!(flagged(P, &text), vec!["Order.create"]);
    let text = format!(
        "import Credit from '@/models/credit';\n{}",
        next_route("  const c = new Credit({ uid });\n  await c.save();")
    );
    assert_eq!(flagged(P, &text), vec!["c.save"]);
}

#[test]
fn notifications_sent() {
    for (body, at) in [
        (
            "  await resend.emails.send({ to, subject: 'Receipt' });",
            "resend.emails.send",
        ),
        ("  await sendEmail({ to });", "sendEmail"),
        ("  await sendWelcomeEmail(to);", "sendWelcomeEmail"),
        (
            "  await transporter.sendMail({ to });",
            "transporter.sendMail",
        ),
        ("  await sgMail.send({ to });", "sgMail.send"),
        (
            "  await twilio.messages.create({ to, body: 'Paid' });",
            "twilio.messages.create",
        ),
        (
            "  await emailQueue.add('receipt', { to });",
            "emailQueue.add",
        ),
        (
            "  await inngest.send({ name: 'order/paid', data });",
            "inngest.send",
        ),
        ("  await tasks.trigger('receipt', { to });", "tasks.trigger"),
        ("  await triggerJob('notification', { to });", "triggerJob"),
    ] {
        assert_eq!(
            flagged(P, &next_route(body)),
            vec![at.to_string()],
            "{body}"
        );
    }
}

#[test]
fn message_names_the_provider_and_effect() {
    let d = findings(
        ID,
        P,
        &next_route("  await prisma.order.create({ data: {} });"),
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].level, crate::diagnostic::Level::Warn);
    assert!(d[0].message.starts_with("This Stripe webhook handler creates a record (`prisma.order.create`) with no deduplication on the event id"), "{}", d[0].message);
    let d = findings(ID, P, &next_route("  await sendEmail({ to });"));
    assert!(d[0].message.contains("sends a notification (`sendEmail`)"));
}

#[test]
fn frameworks_and_providers() {
    // Express with the provider from the route, Hono zod-openapi, a Paddle
    // header, Lemon Squeezy's `x-signature`, PayPal by path
    let express = "app.post('/webhooks/stripe', async (req, res) => {\n  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);\n  await prisma.order.create({ data: {} });\n  res.sendStatus(200);\n});\n";
    assert_eq!(
        flagged("src/server.ts", express),
        vec!["prisma.order.create"]
    );
    let hono = "import { OpenAPIHono, createRoute } from '@hono/zod-openapi';\nconst app = new OpenAPIHono();\napp.openapi(createRoute({ method: 'post', path: '/' }), async (c) => {\n  const event = await stripe.webhooks.constructEventAsync(await c.req.text(), c.req.header('stripe-signature'), secret);\n  await triggerJob('invoice-paid', { id: event.data.object.id });\n  return c.json({ received: true });\n});\n";
    assert_eq!(
        flagged("src/rest/webhooks/stripe/index.ts", hono),
        vec!["triggerJob"]
    );
    let paddle = "export async function POST(req: Request) {\n  const sig = req.headers.get('paddle-signature');\n  const event = paddle.webhooks.unmarshal(await req.text(), secret, sig);\n  await db.insert(purchases).values({ customer: event.data.customerId });\n  return new Response('ok');\n}\n";
    assert_eq!(flagged("app/api/hooks/route.ts", paddle), vec!["db.insert"]);
    let lemon = "export async function POST(req: Request) {\n  const sig = req.headers.get('x-signature');\n  verify(await req.clone().text(), sig);\n  const body = await req.json();\n  await sendEmail(body.data.attributes.user_email);\n  return new Response('ok');\n}\n";
    assert_eq!(flagged("app/api/lemon/route.ts", lemon), vec!["sendEmail"]);
    let paypal = "export const POST = async (req: Request) => {\n  const body = JSON.parse(await req.text());\n  await prisma.payout.create({ data: { amount: body.resource.amount } });\n  return new Response('OK');\n};\n";
    assert_eq!(
        flagged("app/api/paypal/webhook/route.ts", paypal),
        vec!["prisma.payout.create"]
    );
    // a generic webhook path: the provider from the code
    let generic = next_route("  if (event.type === 'checkout.session.completed') await prisma.order.create({ data: {} });");
    assert_eq!(
        flagged("app/api/webhook/route.ts", &generic),
        vec!["prisma.order.create"]
    );
}

#[test]
fn one_hop_into_same_file_functions() {
    let text = format!(
        "{}async function fulfil(session) {{\n  await prisma.order.create({{ data: {{ total: session.amount_total }} }});\n}}\n",
        next_route("  await fulfil(event.data.object);")
    );
    assert_eq!(flagged(P, &text), vec!["fulfil"]);
    let d = findings(ID, P, &text);
    assert!(
        d[0].message
            .contains("calls `fulfil`, which creates a record (`prisma.order.create`)"),
        "{}",
        d[0].message
    );
    // the helper deduplicates: clean
    let text = format!(
        "{}async function fulfil(event) {{\n  await prisma.processedEvent.create({{ data: {{ id: event.id }} }});\n  await prisma.order.create({{ data: {{}} }});\n}}\n",
        next_route("  await fulfil(event);")
    );
    assert_clean(ID, P, &text);
    // two hops are not followed
    let text = format!(
        "{}async function fulfil(s) {{ await save(s); }}\nasync function save(s) {{ await prisma.order.create({{ data: {{}} }}); }}\n",
        next_route("  await fulfil(event.data.object);")
    );
    assert_clean(ID, P, &text);
}

#[test]
fn event_id_stored_or_looked_up() {
    for body in [
        "  if (await prisma.stripeEvent.findUnique({ where: { id: event.id } })) return new Response('dup');\n  await prisma.order.create({ data: {} });",
        "  await prisma.order.create({ data: { eventId: event.id } });",
        "  await redis.set(`evt:${event.id}`, 1, { nx: true });\n  await sendEmail(to);",
        // through a local, and destructured
        "  const eventId = event.id;\n  if (await seen(eventId)) return;\n  await sendEmail(to);",
        "  const { id, type } = event;\n  await markProcessed(id);\n  await sendEmail(to);",
    ] {
        assert_clean(ID, P, &next_route(body));
    }
    // the event under another name: a parsed body
    let text = "export async function POST(req: Request) {\n  const payload = JSON.parse(await req.text());\n  await prisma.order.create({ data: { providerEvent: payload.id } });\n  return new Response('ok');\n}\n";
    assert_clean(ID, P, text);
}

#[test]
fn event_id_only_logged_is_not_dedupe() {
    let text = next_route("  console.log('event', event.id);\n  logger.info({ eventId: event.id });\n  const eventId = event.id;\n  await prisma.order.create({ data: {} });");
    assert_eq!(flagged(P, &text), vec!["prisma.order.create"]);
}

#[test]
fn unique_keys_upserts_and_idempotency_keys() {
    for body in [
        // a provider object's id in the created row / the lookup
        "  const session = event.data.object;\n  await prisma.order.create({ data: { stripeSessionId: session.id } });",
        "  const pi = event.data.object;\n  const existing = await prisma.order.findFirst({ where: { paymentIntentId: pi.id } });\n  if (!existing) await prisma.order.create({ data: {} });",
        // upserts and conflict clauses
        "  await prisma.order.upsert({ where: { id: x }, create: {}, update: {} });\n  await sendEmail(to);",
        "  await db.insert(orders).values(v).onConflictDoNothing();",
        "  await supabase.from('orders').insert(v, { ignoreDuplicates: true });",
        "  await prisma.credit.createMany({ data: rows, skipDuplicates: true });",
        "  await sql`INSERT INTO orders (session) VALUES (${s}) ON CONFLICT DO NOTHING`;",
        // idempotency keys and queue dedupe ids
        "  await resend.emails.send({ to }, { idempotencyKey: key });",
        "  await sqs.send(new SendMessageCommand({ MessageDeduplicationId: key, MessageBody: b }));",
        "  await emailQueue.add('receipt', data, { jobId: `receipt-${invoice}` });",
        // a unique-violation catch
        "  try { await prisma.order.create({ data: {} }); } catch (e) { if (e.code === 'P2002') return new Response('dup'); throw e; }",
        "  try { await pool.query('INSERT INTO orders VALUES ($1)', [s]); } catch (e) { if (e.code !== '23505') throw e; }",
    ] {
        assert_clean(ID, P, &next_route(body));
    }
}

#[test]
fn update_only_handlers_are_idempotent() {
    let text = next_route("  switch (event.type) {\n    case 'customer.subscription.updated':\n      await prisma.subscription.update({ where: { id: event.data.object.id }, data: { status: 'active' } });\n      break;\n    case 'customer.subscription.deleted':\n      await supabase.from('subs').update({ status: 'canceled' }).eq('id', sub);\n      break;\n  }");
    assert_clean(ID, P, &text);
}

#[test]
fn near_misses_not_payment_webhooks_or_handlers() {
    // a Clerk (svix) webhook creating users
    let clerk = "export async function POST(req: Request) {\n  const id = req.headers.get('svix-id');\n  const evt = wh.verify(await req.text(), headers);\n  await prisma.user.create({ data: { clerkId: evt.data.id } });\n  return new Response('ok');\n}\n";
    assert_clean(ID, "app/api/webhooks/clerk/route.ts", clerk);
    // not a handler: a library function in a webhook folder
    let lib = "export async function checkoutCompleted(event) {\n  await prisma.order.create({ data: {} });\n}\n";
    assert_clean(ID, "app/api/stripe/webhook/checkout-completed.ts", lib);
    // a payment route that is not a webhook
    let checkout = "export async function POST(req: Request) {\n  const session = await stripe.checkout.sessions.create({});\n  await prisma.order.create({ data: { s: session.id } });\n  return Response.json(session);\n}\n";
    assert_clean(ID, "app/api/stripe/checkout/route.ts", checkout);
    // calls to the provider's API are not records; `Object.create` is not a model
    assert_clean(ID, P, &next_route("  await stripe.customers.create({ email });\n  const o = Object.create(null);\n  await stripe.invoiceItems.create({});"));
    // a re-export
    assert_clean(ID, P, "export { POST } from '@/lib/stripe/webhook';\n");
}

#[test]
fn ranges_with_non_ascii_text_and_crlf() {
    let text = "// Paiement reçu — 🎉\r\nexport async function POST(req: Request) {\r\n  const event = stripe.webhooks.constructEvent(await req.text(), req.headers.get('stripe-signature')!, secret);\r\n  await prisma.commande.create({ data: { libellé: 'café ☕' } });\r\n  return new Response('ok');\r\n}\r\n";
    let d = findings(ID, P, text);
    assert_eq!(d.len(), 1);
    assert_eq!(&text[d[0].range.clone()], "prisma.commande.create");
}
