use crate::config::Config;
use crate::rules::testing::*;
use std::path::Path;

const ID: &str = "route-without-auth";

fn flags(path: &str, text: &str) -> Vec<String> {
    let d = findings(ID, path, text);
    d.iter()
        .map(|x| text[x.range.clone()].to_string())
        .collect()
}

/// Findings of `path` in a workspace that also holds `others`.
fn flags_beside(path: &str, text: &str, others: &[(&str, &str)]) -> usize {
    let mut files = others.to_vec();
    files.push((path, text));
    findings_with(
        ID,
        path,
        text,
        &Config::default_for(Path::new("")),
        &facts_of_files(&files),
    )
    .len()
}

const NEXT_POST: &str = "export async function POST(req: Request) {\n  const body = await req.json();\n  await db.post.create({ data: body });\n  return Response.json({ ok: true });\n}\n";

#[test]
fn next_route_handlers() {
    assert_eq!(flags("app/api/posts/route.ts", NEXT_POST), vec!["POST"]);
    assert_eq!(
        flags(
            "src/app/api/posts/[id]/route.ts",
            "export const DELETE = async (req: Request) => {\n  await db.post.delete({ where: { id: 1 } });\n  return new Response(null);\n};\n"
        ),
        vec!["DELETE"]
    );
    // near miss: GET is not judged
    assert_clean(
        ID,
        "app/api/posts/route.ts",
        "export async function GET() {\n  return Response.json(await db.post.findMany());\n}\n",
    );
    // near miss: not a route file
    assert_clean(ID, "app/api/posts/helpers.ts", NEXT_POST);
}

#[test]
fn auth_calls_in_the_body() {
    for call in [
        "const session = await auth();",
        "const session = await getServerSession(authOptions);",
        "const user = await currentUser();",
        "const { data } = await supabase.auth.getUser();",
        "const user = await getUserFromRequest();",
        "await requireAdmin();",
    ] {
        let src = format!("export async function POST(req: Request) {{\n  {call}\n  await db.post.create({{ data: {{}} }});\n}}\n");
        assert_clean(ID, "app/api/posts/route.ts", &src);
    }
    // near miss: an auth call in another function does not count
    let src = format!("{NEXT_POST}async function other() {{ await auth(); }}\n");
    assert_eq!(flags("app/api/posts/route.ts", &src).len(), 1);
}

#[test]
fn wrappers() {
    assert_clean(
        ID,
        "app/api/posts/route.ts",
        "export const POST = withAuth(async (req) => {\n  await db.post.create({ data: {} });\n});\n",
    );
    assert_clean(
        ID,
        "app/api/posts/route.ts",
        "export const POST = withWorkspace(async ({ req }) => {\n  await db.post.create({ data: {} });\n});\n",
    );
    assert_clean(
        ID,
        "app/api/posts/route.ts",
        "import { withPartner } from '@/lib/auth/partner';\nexport const POST = withPartner(async ({ req }) => {\n  await db.post.create({ data: {} });\n});\n",
    );
    // near miss: a wrapper that does not authenticate
    let logging = "export const POST = withLogging(async (req) => {\n  await db.post.create({ data: {} });\n});\n";
    assert_eq!(flags("app/api/posts/route.ts", logging), vec!["POST"]);
    // `with*` counts when configured
    let config = with_rule_options(config_only(ID), ID, "auth-wrappers = [\"with*\"]");
    assert_clean_in(ID, "app/api/posts/route.ts", logging, &config);
}

#[test]
fn configured_auth_functions_and_public_routes() {
    let src = "export async function POST(req: Request) {\n  await checkAccess(req.headers);\n  await db.post.create({ data: {} });\n}\n";
    assert_eq!(flags("app/api/posts/route.ts", src).len(), 1);
    let config = with_rule_options(config_only(ID), ID, "auth-functions = [\"checkAccess\"]");
    assert_clean_in(ID, "app/api/posts/route.ts", src, &config);
    let config = with_rule_options(
        config_only(ID),
        ID,
        "public-routes = [\"api/posts/**\", \"api/posts\"]",
    );
    assert_clean_in(ID, "app/api/posts/route.ts", NEXT_POST, &config);
}

#[test]
fn public_routes_by_default() {
    for path in [
        "app/api/health/route.ts",
        "app/api/webhooks/stripe/route.ts",
        "app/api/stripe-webhook/route.ts",
        "app/api/auth/[...nextauth]/route.ts",
        "app/api/auth/callback/route.ts",
        "app/sitemap.xml/route.ts",
        "app/api/og/route.ts",
        "app/api/public/contact/route.ts",
        "app/api/ses_callback/route.ts",
        "app/api/unsubscribe-oneclick/route.ts",
    ] {
        assert_clean(ID, path, NEXT_POST);
    }
    // near miss: a path that only contains the words
    for path in [
        "app/api/callbacks-config/route.ts",
        "app/api/resubscribe/route.ts",
    ] {
        assert_eq!(flags(path, NEXT_POST).len(), 1, "{path}");
    }
}

#[test]
fn out_of_sight_protection() {
    for body in [
        "const key = req.headers.get('authorization');",
        "if (req.headers.get('x-cron-secret') !== process.env.CRON_SECRET) return;",
        "const supabase = createClient();",
        "const jar = cookies();",
        "return handleUpload(req);",
    ] {
        let src = format!("import {{ handleUpload }} from '@/lib/upload';\nimport {{ createClient }} from '@/utils/supabase/server';\nexport async function POST(req: Request) {{\n  {body}\n  await db.post.create({{ data: {{}} }});\n}}\n");
        assert_clean(ID, "app/api/posts/route.ts", &src);
    }
    // near miss: the request passed to a local function is not out of sight
    let src = "async function save(req) { await db.post.create({ data: await req.json() }); }\nexport async function POST(req: Request) {\n  return save(req);\n}\n";
    assert_eq!(flags("app/api/posts/route.ts", src), vec!["POST"]);
}

#[test]
fn server_actions() {
    let src = "'use server';\nexport async function deletePost(id: string) {\n  await db.post.delete({ where: { id } });\n}\nexport async function signUp(form: FormData) {\n  await db.user.create({ data: {} });\n}\nexport async function savePost(form: FormData) {\n  const user = await getCurrentUser();\n  await db.post.create({ data: {} });\n}\n";
    // the sign-up form is public; `savePost` checks the user
    assert_eq!(flags("app/actions.ts", src), vec!["deletePost"]);
    // near miss: a helper that receives the caller's identity
    assert_clean(
        ID,
        "lib/actions.ts",
        "'use server';\nexport const ban = async ({ workspace, id }: Input) => {\n  await db.member.delete({ where: { id, workspaceId: workspace.id } });\n};\n",
    );
}

#[test]
fn pages_api() {
    let src = "export default async function handler(req, res) {\n  if (req.method === 'POST') {\n    await db.post.create({ data: req.body });\n  }\n  res.status(200).end();\n}\n";
    assert_eq!(flags("pages/api/posts.ts", src), vec!["handler"]);
    // near miss: no mutating method served
    assert_clean(
        ID,
        "pages/api/posts.ts",
        "export default async function handler(req, res) {\n  res.json(await db.post.findMany());\n}\n",
    );
}

const EXPRESS: &str = "import express from 'express';\nconst app = express();\n";

#[test]
fn express_routes() {
    let src = format!("{EXPRESS}app.post('/api/items', async (req, res) => {{\n  await db.item.create({{ data: req.body }});\n  res.sendStatus(201);\n}});\napp.listen(3000);\n");
    assert_eq!(flags("src/server.ts", &src), vec!["app.post"]);
    // router-level middleware before the route
    let src = format!("{EXPRESS}app.use(requireAuth);\napp.post('/api/items', async (req, res) => {{\n  await db.item.create({{ data: req.body }});\n}});\n");
    assert_clean(ID, "src/server.ts", &src);
    // route middleware
    let src = format!("{EXPRESS}app.put('/api/items/:id', passport.authenticate('jwt'), async (req, res) => {{\n  await db.item.update({{ data: req.body }});\n}});\n");
    assert_clean(ID, "src/server.ts", &src);
    // near miss: the middleware comes after the route
    let src = format!("{EXPRESS}app.post('/api/items', async (req, res) => {{\n  await db.item.create({{ data: req.body }});\n}});\napp.use(requireAuth);\n");
    assert_eq!(flags("src/server.ts", &src).len(), 1);
    // GET is not judged
    let src = format!("{EXPRESS}app.get('/api/items', async (req, res) => res.json([]));\n");
    assert_clean(ID, "src/server.ts", &src);
}

#[test]
fn routers_mounted_elsewhere_are_not_judged() {
    // exported: the mount site may add auth (`app.use('/admin', requireAuth, router)`)
    assert_clean(
        ID,
        "src/routes/items.ts",
        "import { Router } from 'express';\nconst router = Router();\nrouter.post('/', async (req, res) => { await db.item.create({ data: req.body }); });\nexport default router;\n",
    );
    assert_clean(
        ID,
        "src/routes/items.js",
        "const express = require('express');\nconst router = express.Router();\nrouter.delete('/:id', async (req, res) => { await db.item.delete(req.params.id); });\nmodule.exports = router;\n",
    );
    // a parameter, a router made in a function
    assert_clean(
        ID,
        "src/routes/items.ts",
        "export function register(app) {\n  app.post('/items', async (req, res) => { await db.item.create({ data: req.body }); });\n}\n",
    );
    assert_clean(
        ID,
        "src/routes/items.ts",
        "import { Hono } from 'hono';\nexport function routes() {\n  const app = new Hono();\n  app.post('/items', async (c) => c.json(await db.item.create({})));\n  return app;\n}\n",
    );
}

const NEST: &str = "import { Controller, Post, UseGuards } from '@nestjs/common';\n@Controller('items')\nexport class ItemsController {\n  @Post()\n  create(@Body() dto: CreateItemDto) {\n    return this.items.create(dto);\n  }\n}\n";

#[test]
fn nest_controllers() {
    assert_eq!(flags("src/items/items.controller.ts", NEST), vec!["create"]);
    let guarded = NEST.replace("  @Post()\n", "  @Post()\n  @UseGuards(JwtAuthGuard)\n");
    assert_clean(ID, "src/items/items.controller.ts", &guarded);
    let public = NEST.replace("  @Post()\n", "  @Post()\n  @Public()\n");
    assert_clean(ID, "src/items/items.controller.ts", &public);
    // a global guard in the workspace
    let main = "const app = await NestFactory.create(AppModule);\napp.useGlobalGuards(new JwtAuthGuard());\n";
    assert_eq!(
        flags_beside(
            "src/items/items.controller.ts",
            NEST,
            &[("src/main.ts", main)]
        ),
        0
    );
    let module = "@Module({ providers: [{ provide: APP_GUARD, useClass: AuthGuard }] })\nexport class AppModule {}\n";
    assert_eq!(
        flags_beside(
            "src/items/items.controller.ts",
            NEST,
            &[("src/app.module.ts", module)]
        ),
        0
    );
    // a module's authenticating middleware for this controller (a spread of
    // a list, or the class itself)
    let consumer = "const authenticated = [UsersController, ItemsController];\n@Module({ controllers: [...authenticated] })\nexport class AppModule implements NestModule {\n  configure(consumer: MiddlewareConsumer) {\n    consumer.apply(AuthMiddleware).forRoutes(...authenticated);\n  }\n}\n";
    assert_eq!(
        flags_beside(
            "src/items/items.controller.ts",
            NEST,
            &[("src/app.module.ts", consumer)]
        ),
        0
    );
    let direct = consumer.replace("forRoutes(...authenticated)", "forRoutes(ItemsController)");
    assert_eq!(
        flags_beside(
            "src/items/items.controller.ts",
            NEST,
            &[("src/app.module.ts", &direct)]
        ),
        0
    );
    // near misses: another controller, a middleware that does not
    // authenticate, `*` with exclusions
    for module in [
        consumer.replace("forRoutes(...authenticated)", "forRoutes(UsersController)"),
        consumer.replace("apply(AuthMiddleware)", "apply(LoggerMiddleware)"),
        consumer.replace(
            "forRoutes(...authenticated)",
            "exclude('items/(.*)').forRoutes('*')",
        ),
    ] {
        assert_eq!(
            flags_beside(
                "src/items/items.controller.ts",
                NEST,
                &[("src/app.module.ts", &module)]
            ),
            1,
            "{module}"
        );
    }
    // near miss: a main.ts without a global guard
    assert_eq!(
        flags_beside(
            "src/items/items.controller.ts",
            NEST,
            &[(
                "src/main.ts",
                "const app = await NestFactory.create(AppModule);\n"
            )]
        ),
        1
    );
}

#[test]
fn next_middleware_protects_covered_paths() {
    let mw = |matcher: &str| {
        format!("import {{ auth }} from './auth';\nexport default auth((req) => {{}});\nexport const config = {{ matcher: {matcher} }};\n")
    };
    let route = "src/app/api/posts/route.ts";
    assert_eq!(
        flags_beside(
            route,
            NEXT_POST,
            &[("src/middleware.ts", &mw("['/api/:path*']"))]
        ),
        0
    );
    assert_eq!(
        flags_beside(
            route,
            NEXT_POST,
            &[(
                "middleware.ts",
                &mw("['/((?!_next/static|favicon.ico).*)']")
            )]
        ),
        0
    );
    // a matcher that cannot be evaluated: quiet
    assert_eq!(
        flags_beside(route, NEXT_POST, &[("src/middleware.ts", &mw("paths"))]),
        0
    );
    // Next 16's proxy.ts
    assert_eq!(
        flags_beside(
            route,
            NEXT_POST,
            &[("src/proxy.ts", &mw("['/api/:path*']"))]
        ),
        0
    );
    // near misses: the matcher leaves the route out, the middleware does not
    // authenticate, the middleware belongs to another app
    assert_eq!(
        flags_beside(
            route,
            NEXT_POST,
            &[("src/middleware.ts", &mw("['/dashboard/:path*']"))]
        ),
        1
    );
    assert_eq!(
        flags_beside(
            route,
            NEXT_POST,
            &[("middleware.ts", &mw("['/((?!api|_next/static).*)']"))]
        ),
        1
    );
    let i18n = "import createMiddleware from 'next-intl/middleware';\nexport default createMiddleware({ locales: ['en'] });\n";
    assert_eq!(
        flags_beside(route, NEXT_POST, &[("src/middleware.ts", i18n)]),
        1
    );
    assert_eq!(
        flags_beside(
            route,
            NEXT_POST,
            &[("apps/admin/middleware.ts", &mw("['/api/:path*']"))]
        ),
        1
    );
}

#[test]
fn reexports_are_not_judged_here() {
    // the target is judged where it is written (a route file elsewhere);
    // a re-export has no function of its own
    assert_clean(
        ID,
        "app/api/posts/route.ts",
        "export { POST } from '@/lib/posts/route';\n",
    );
}

#[test]
fn ranges_with_unicode_and_crlf() {
    let src = "// Überprüfung 🚀\r\nexport async function PATCH(req: Request) {\r\n  await db.post.update({ data: { title: 'é' } });\r\n}\r\n";
    let d = findings(ID, "app/api/posts/route.ts", src);
    assert_eq!(d.len(), 1);
    assert_eq!(&src[d[0].range.clone()], "PATCH");
}

#[test]
fn identity_on_the_request_not_on_a_model() {
    let src = format!("{EXPRESS}app.post('/api/items', async (req, res) => {{\n  await db.item.create({{ data: {{ owner: req.user.id }} }});\n}});\n");
    assert_clean(ID, "src/server.ts", &src);
    // near miss: `db.user` is a model, not the caller
    let src = format!("{EXPRESS}app.post('/api/items', async (req, res) => {{\n  await db.user.create({{ data: req.body }});\n}});\n");
    assert_eq!(flags("src/server.ts", &src).len(), 1);
}

#[test]
fn handlers_that_change_nothing() {
    // a mutating export that only answers 405, a timeout test that sleeps
    for body in [
        "return new Response('Method Not Allowed', { status: 405 });",
        "await sleep(10_000);\n  return Response.json({ ok: true });",
        "const { url } = await req.json();\n  const parsed = new URL(url);\n  return Response.json({ host: parsed.host.replace('www.', '') });",
    ] {
        let src = format!("export async function POST(req: Request) {{\n  {body}\n}}\n");
        assert_clean(ID, "app/api/posts/route.ts", &src);
    }
    // the caller's own preference cookie, through a helper of the file
    let action = "'use server';\nimport { cookies } from 'next/headers';\nasync function writePrefs(patch: object) {\n  const jar = await cookies();\n  jar.set('prefs', JSON.stringify(patch));\n}\nexport async function setTheme(theme: string) {\n  await writePrefs({ theme });\n}\n";
    assert_clean(ID, "app/prefs/actions.ts", action);
    // near misses: a write through a helper of the file, an upload, an
    // outbound POST, a SQL template that inserts, a model call that spends credits
    for (helper, body) in [
        (
            "async function persist(x) { await db.note.create({ data: x }); }\n",
            "await persist(await req.json());",
        ),
        ("", "await put(name, req.body, { access: 'public' });"),
        (
            "",
            "await fetch('https://api.example.com/jobs', { method: 'POST', body: '{}' });",
        ),
        ("", "await sql`INSERT INTO notes (body) VALUES (${1})`;"),
        ("", "const result = streamText({ model, prompt: 'hi' });"),
    ] {
        let src = format!("{helper}export async function POST(req: Request) {{\n  {body}\n  return new Response(null);\n}}\n");
        assert_eq!(
            flags("app/api/notes/route.ts", &src),
            vec!["POST"],
            "{body}"
        );
    }
    // near miss: a response call is not a write, a Hono route's `c.set` neither,
    // but `ctx.db.…` is data
    let src = format!("{EXPRESS}app.post('/api/items', async (req, res) => {{\n  res.status(201).send({{ ok: true }});\n}});\n");
    assert_clean(ID, "src/server.ts", &src);
    let src = "import { Hono } from 'hono';\nconst app = new Hono();\napp.post('/items', async (c) => {\n  await c.env.db.insert(items).values({});\n  return c.json({});\n});\n";
    assert_eq!(flags("src/index.ts", src), vec!["app.post"]);
}

#[test]
fn auth_in_a_helper_of_the_file() {
    let src = "async function handlePost(req, res) {\n  const user = await verifyUser({ req, res });\n  if (!user) return;\n  await db.link.create({ data: req.body });\n}\nexport default async function handler(req, res) {\n  switch (req.method) {\n    case 'POST':\n      return handlePost(req, res);\n    default:\n      return res.status(405).end();\n  }\n}\n";
    assert_clean(ID, "pages/api/links.ts", src);
    // near miss: the helper writes without a check
    let open = src.replace(
        "  const user = await verifyUser({ req, res });\n  if (!user) return;\n",
        "",
    );
    assert_eq!(flags("pages/api/links.ts", &open), vec!["handler"]);
}

#[test]
fn rate_limited_routes_are_public_on_purpose() {
    let src = format!("{EXPRESS}app.post('/api/keys/validate', rateLimit({{ windowMs: 60000, limit: 10 }}), async (req, res) => {{\n  await db.check.create({{ data: req.body }});\n  res.json({{}});\n}});\n");
    assert_clean(ID, "src/server.ts", &src);
    // near miss: other route middleware
    let src = src.replace(
        "rateLimit({ windowMs: 60000, limit: 10 })",
        "express.json()",
    );
    assert_eq!(flags("src/server.ts", &src).len(), 1);
}

#[test]
fn wrappers_with_neutral_names() {
    let route = "app/api/rules/route.ts";
    // the wrapper hands the caller's identity to the handler
    for handler in [
        "async (request) => {\n  const { accountId } = request.auth;\n  await db.rule.create({ data: { accountId } });\n}",
        "async (request) => {\n  await db.rule.create({ data: { accountId: request.emailAccountId } });\n}",
        "async ({ req, userId }) => {\n  await db.rule.create({ data: { userId } });\n}",
    ] {
        let src = format!("import {{ withProvider }} from '@/utils/middleware';\nexport const POST = withProvider({handler});\n");
        assert_clean(ID, route, &src);
    }
    // the wrapper is defined in the file and checks the session
    let src = "function withProvider(h) {\n  return async (req) => {\n    const session = await getSession();\n    if (!session) return new Response(null, { status: 401 });\n    return h(req);\n  };\n}\nexport const POST = withProvider(async (req) => {\n  await db.rule.create({ data: {} });\n});\n";
    assert_clean(ID, route, src);
    // near misses: a neutral wrapper that gives nothing, one defined here
    // that only logs
    let src = "import { withProvider } from '@/utils/middleware';\nexport const POST = withProvider(async (req) => {\n  await db.rule.create({ data: await req.json() });\n});\n";
    assert_eq!(flags(route, src), vec!["POST"]);
    let src = "function withProvider(h) {\n  return async (req) => { console.log(req.url); return h(req); };\n}\nexport const POST = withProvider(async (req) => {\n  await db.rule.create({ data: {} });\n});\n";
    assert_eq!(flags(route, src), vec!["POST"]);
}

#[test]
fn bots_and_platform_callbacks() {
    // a bot endpoint that validates the platform's request signature, or
    // hands the request to an imported SDK handler
    for body in [
        "if (!(await validateSlackRequest(req))) return new Response(null, { status: 401 });\n  await db.message.create({ data: {} });",
        "await db.message.create({ data: {} });\n  return botHandler({ request: req });",
    ] {
        let src = format!("import {{ botHandler }} from '@/lib/bot';\nexport async function POST(req: Request) {{\n  {body}\n}}\n");
        assert_clean(ID, "app/api/slack/events/route.ts", &src);
    }
    // a queue callback: the platform signs each delivery
    let src = "import { handleCallback } from '@vercel/queue';\nexport const POST = handleCallback(async (message) => {\n  await db.job.update({ where: { id: message.id }, data: { done: true } });\n});\n";
    assert_clean(ID, "app/api/queues/digest/route.ts", src);
    // …also when the route hands the request to the callback made above it
    let src = "import { handleCallback } from '@vercel/queue';\nconst queueHandler = handleCallback(async (message) => {\n  await db.job.update({ where: { id: message.id }, data: { done: true } });\n});\nexport const POST = (request: Request) => queueHandler(request);\n";
    assert_clean(ID, "app/api/queues/digest/route.ts", src);
    // near miss: a local handler made by a function of this file
    let src = "const queueHandler = makeHandler(async (message) => {\n  await db.job.update({ where: { id: message.id }, data: { done: true } });\n});\nexport const POST = (request: Request) => queueHandler(request);\n";
    assert_eq!(flags("app/api/queues/digest/route.ts", src), vec!["POST"]);
    // near miss: a validation that is not about the request's origin
    let src = "export async function POST(req: Request) {\n  const body = validateInput(await req.json());\n  await db.message.create({ data: body });\n}\n";
    assert_eq!(flags("app/api/slack/events/route.ts", src), vec!["POST"]);
}

#[test]
fn inline_middleware_that_checks_a_key() {
    let guard = "app.use(async (c, next) => {\n  if (c.req.header('x-api-key') !== process.env.API_KEY) return c.json({}, 403);\n  return next();\n});\n";
    let route =
        "app.post('/jobs', async (c) => c.json(await queue.add('job', await c.req.json())));\n";
    let head = "import { Hono } from 'hono';\nconst app = new Hono();\n";
    assert_clean(ID, "src/index.ts", &format!("{head}{guard}{route}"));
    // in the route itself
    let inline = "app.post('/jobs', (c, next) => (c.req.header('authorization') ? next() : c.text('no', 401)), async (c) => c.json(await queue.add('job', {})));\n";
    assert_clean(ID, "src/index.ts", &format!("{head}{inline}"));
    // near misses: an inline middleware that only logs, or one after the route
    let logs = "app.use(async (c, next) => {\n  console.info(c.req.path);\n  return next();\n});\n";
    assert_eq!(
        flags("src/index.ts", &format!("{head}{logs}{route}")),
        vec!["app.post"]
    );
    assert_eq!(
        flags("src/index.ts", &format!("{head}{route}{guard}")),
        vec!["app.post"]
    );
}

#[test]
fn handlers_exported_by_a_clause() {
    let src = "async function create(req: Request) {\n  await db.post.create({ data: await req.json() });\n  return new Response(null, { status: 201 });\n}\nexport { create as POST };\n";
    assert_eq!(flags("app/api/posts/route.ts", src), vec!["create"]);
    // near miss: the aliased handler checks the session
    let src = src.replace(
        "  await db.post.create",
        "  await requireAuth();\n  await db.post.create",
    );
    assert_clean(ID, "app/api/posts/route.ts", &src);
}
