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
    let src = format!("async function handleWebhook{body}module.exports = {{ handleWebhook }};\n");
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
    let src = "app.post('/login', async (req, res) => {\n  res.json(await login(req.body));\n});\n";
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
    let handle = "async function handle(req, res) {\n  await apply(req.body);\n  res.end();\n}\n";
    // the route path says webhook
    let src = format!("{handle}router.post('/webhooks/stripe', express.json(), handle);\n");
    assert_eq!(assert_flags(ID, "src/routes.ts", &src, 1), vec!["req.body"]);
    // verified by route middleware or an authenticating wrapper at the registration
    let src = format!("{handle}router.post('/webhooks/stripe', verifyStripeSignature, handle);\n");
    assert_clean(ID, "src/routes.ts", &src);
    let src =
        format!("{handle}router.use(requireApiKey);\nrouter.post('/webhooks/stripe', handle);\n");
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

#[test]
fn mock_receivers_in_test_paths_are_not_findings() {
    // an MSW-style mock of a receiver the app sends webhooks to
    let mock = "export const handlers = [\n  http.post('https://hooks.example.com/webhooks/events', async ({ request }) => {\n    received.push(await request.json());\n    return HttpResponse.json({ ok: true });\n  }),\n];\n";
    assert_clean(ID, "web/src/__tests__/webhooks/mock-server.ts", mock);
    // near miss: the same route handler outside a test path is judged
    assert_clean(
        ID,
        "src/app/api/webhooks/stripe/__tests__/route.test.ts",
        NEXT_UNVERIFIED,
    );
    assert_flags(
        ID,
        "src/app/api/webhooks/stripe/route.ts",
        NEXT_UNVERIFIED,
        1,
    );
}

#[test]
fn nest_controllers_behind_a_modules_auth_middleware_are_not_receivers() {
    let controller = "@Controller('/webhooks')\nexport class WebhooksController {\n  @Post('/')\n  async create(@Body() body: any) {\n    return this.service.create(body);\n  }\n}\n";
    let module = "@Module({ controllers: [WebhooksController] })\nexport class ApiModule implements NestModule {\n  configure(consumer: MiddlewareConsumer) {\n    consumer.apply(AuthMiddleware).forRoutes(WebhooksController);\n  }\n}\n";
    let files = [
        ("src/api/webhooks.controller.ts", controller),
        ("src/api/api.module.ts", module),
    ];
    assert!(findings_in_workspace(ID, &files, 0).is_empty());
    // near miss: the middleware is applied to other controllers
    let other = module.replace(
        "forRoutes(WebhooksController)",
        "forRoutes(UsersController)",
    );
    let files = [
        ("src/api/webhooks.controller.ts", controller),
        ("src/api/api.module.ts", other.as_str()),
    ];
    assert_eq!(findings_in_workspace(ID, &files, 0).len(), 1);
}
