use super::*;
use crate::ts::frameworks::testing::{nodes_of, with_script};

/// A summary of the handler each function of `src` is (in document order,
/// only functions that are handlers): framework, kind, method, path,
/// request, response, context, middleware names.
type Summary = (
    Framework,
    HandlerKind,
    Option<&'static str>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<(String, Via)>,
);

fn handlers(src: &str, file: &str) -> Vec<Summary> {
    with_script(src, |s, root| {
        let mut funcs = Vec::new();
        ast::visit(root, &mut |n| {
            if ast::is_function(n) {
                funcs.push(n);
            }
            true
        });
        funcs
            .into_iter()
            .filter_map(|f| handler_of(f, &s, file))
            .map(|h| {
                (
                    h.framework,
                    h.kind,
                    h.method,
                    h.path,
                    h.request.map(str::to_string),
                    h.response.map(str::to_string),
                    h.context.map(str::to_string),
                    h.middleware.into_iter().map(|m| (m.name, m.via)).collect(),
                )
            })
            .collect()
    })
}

fn one(src: &str, file: &str) -> Summary {
    let mut all = handlers(src, file);
    assert_eq!(all.len(), 1, "one handler in {src}");
    all.remove(0)
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn next_app_route_handlers() {
    let src = "export async function GET(request) { return Response.json({}); }\nexport const POST = withAuth(async (req, ctx) => new Response(null));\nfunction helper(req) {}\nexport const dynamic = 'force-dynamic';\n";
    let got = handlers(src, "src/app/api/(admin)/users/[id]/route.ts");
    assert_eq!(
        got,
        vec![
            (
                Framework::Next,
                HandlerKind::Route,
                Some("GET"),
                s("/api/users/[id]"),
                s("request"),
                None,
                None,
                vec![]
            ),
            (
                Framework::Next,
                HandlerKind::Route,
                Some("POST"),
                s("/api/users/[id]"),
                s("req"),
                None,
                None,
                vec![("withAuth".into(), Via::Wrapper)]
            ),
        ]
    );
    // near misses: the same exports outside `route.ts`, a non-verb export
    assert!(handlers(src, "src/app/api/users/page.tsx").is_empty());
    assert!(handlers("export function handler(req) {}", "app/x/route.ts").is_empty());
}

#[test]
fn pages_api_middleware_and_actions() {
    let h = one(
        "export default async function handler(req, res) { res.json({}); }\n",
        "pages/api/users/index.ts",
    );
    assert_eq!(
        (h.1, h.3, h.4, h.5),
        (HandlerKind::PagesApi, s("/api/users"), s("req"), s("res"))
    );
    // a named export of a pages/api module is not the handler
    assert!(handlers("export function helper(req, res) {}", "pages/api/x.ts").is_empty());

    let h = one(
        "export function middleware(request) { return NextResponse.next(); }\n",
        "src/middleware.ts",
    );
    assert_eq!((h.1, h.4), (HandlerKind::Middleware, s("request")));
    assert!(handlers(
        "export function middleware(request) {}",
        "app/middleware/route-helpers.ts"
    )
    .is_empty());

    let actions = handlers(
        "'use server';\nexport async function save(form) {}\nasync function local() {}\n",
        "app/actions.ts",
    );
    assert_eq!(actions.len(), 1);
    assert_eq!(
        (actions[0].1, actions[0].2),
        (HandlerKind::Action, Some("POST"))
    );
    let inline = handlers("export default function Page() {\n  async function submit(data) {\n    'use server';\n  }\n}\n", "app/page.tsx");
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0].1, HandlerKind::Action);
    // near miss: 'use client' file
    assert!(handlers(
        "'use client';\nexport async function save(form) {}\n",
        "app/x.ts"
    )
    .is_empty());
}

#[test]
fn express_routes_with_router_middleware() {
    let src = "import express from 'express';\nconst router = express.Router();\nrouter.get('/health', (req, res) => res.send('ok'));\nrouter.use(requireAuth);\nrouter.use('/admin', adminOnly);\nrouter.post('/users', validate(schema), async (req, res) => res.json({}));\nrouter.delete('/admin/users/:id', asyncHandler(async (rq, rs) => {}));\n";
    let got = handlers(src, "src/routes.ts");
    assert_eq!(got.len(), 3);
    assert_eq!(
        (got[0].0, got[0].2, got[0].3.clone(), got[0].7.clone()),
        (Framework::Express, Some("GET"), s("/health"), vec![])
    );
    assert_eq!(
        got[1].7,
        vec![
            ("requireAuth".into(), Via::Router),
            ("validate".into(), Via::Route)
        ]
    );
    assert_eq!((got[2].4.clone(), got[2].5.clone()), (s("rq"), s("rs")));
    assert_eq!(
        got[2].7,
        vec![
            ("requireAuth".into(), Via::Router),
            ("adminOnly".into(), Via::Router),
            ("asyncHandler".into(), Via::Wrapper)
        ]
    );
}

#[test]
fn route_of_registrations_by_name_and_chained_routes() {
    let src = "const app = express();\nasync function createUser(req, res) {}\napp.post('/users', auth, createUser);\napp.route('/items').get((req, res) => {});\n";
    with_script(src, |s, root| {
        let routes: Vec<_> = nodes_of(root, "call_expression")
            .into_iter()
            .filter_map(|c| route_of(c, &s))
            .collect();
        assert_eq!(routes.len(), 2);
        assert_eq!(routes[0].method, "POST");
        assert_eq!(routes[0].handlers.len(), 1);
        assert_eq!(
            ast::function_name(routes[0].handlers[0], &s),
            Some("createUser")
        );
        assert_eq!(
            routes[0].middleware,
            vec![Middleware {
                name: "auth".into(),
                via: Via::Route
            }]
        );
        assert_eq!(
            (routes[1].method, routes[1].path.as_deref()),
            ("GET", Some("/items"))
        );
    });
}

#[test]
fn middleware_chained_where_the_router_is_made() {
    let src = "import { Hono } from 'hono';\nconst api = new Hono().basePath('/v1').use(withAuth);\nconst open = new Hono();\nopen.use(logger());\napi.post('/items', async (c) => c.json({}));\nopen.post('/signup', async (c) => c.json({}));\n";
    let got = handlers(src, "src/index.ts");
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].0, got[0].7.clone()),
        (Framework::Hono, vec![("withAuth".into(), Via::Router)])
    );
    // near miss: the other router's own `use` is its own
    assert_eq!(got[1].7, vec![("logger".into(), Via::Router)]);
    // express: `express.Router().use(auth)`, then a later `use` after it
    let src = "import express from 'express';\nconst r = express.Router().use(requireAuth);\nr.use(audit);\nr.post('/x', (req, res) => res.json({}));\n";
    assert_eq!(
        one(src, "src/routes.ts").7,
        vec![
            ("requireAuth".into(), Via::Router),
            ("audit".into(), Via::Router)
        ]
    );
}

#[test]
fn deno_servers_and_supabase_edge_functions() {
    let h = one(
        "Deno.serve(async (req) => {\n  return new Response('ok');\n});\n",
        "supabase/functions/stripe-webhook/index.ts",
    );
    assert_eq!(
        (h.0, h.1, h.2, h.3.clone(), h.4.clone()),
        (
            Framework::Deno,
            HandlerKind::Route,
            Some("ALL"),
            s("/functions/v1/stripe-webhook"),
            s("req")
        )
    );
    let h = one("import { serve } from 'https://deno.land/std@0.168.0/http/server.ts';\nserve(withCors(async (request) => new Response('ok')));\n", "supabase/functions/hello/index.ts");
    assert_eq!(
        (h.0, h.4.clone(), h.7.clone()),
        (
            Framework::Deno,
            s("request"),
            vec![("withCors".into(), Via::Wrapper)]
        )
    );
    // near misses: another library's `serve`, a local one
    assert!(handlers(
        "import { serve } from 'inngest/next';\nserve(async (req) => new Response('ok'));\n",
        "src/x.ts"
    )
    .is_empty());
    assert!(handlers(
        "function serve(f) { return f; }\nserve(async (req) => new Response('ok'));\n",
        "src/x.ts"
    )
    .is_empty());
}

#[test]
fn hono_koa_fastify() {
    let h = one("import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/x', (c) => c.json({}));\n", "src/index.ts");
    assert_eq!(
        (h.0, h.4.clone(), h.6.clone()),
        (Framework::Hono, None, s("c"))
    );
    let h = one("import Router from '@koa/router';\nconst r = new Router();\nr.post('/x', async (ctx) => {});\n", "src/index.ts");
    assert_eq!((h.0, h.6.clone()), (Framework::Koa, s("ctx")));
    let h = one("export default async function routes(fastify) {\n  fastify.addHook('onRequest', fastify.authenticate);\n  fastify.post('/x', async (request, reply) => reply.send({}));\n}\n", "src/routes.ts");
    assert_eq!(
        (h.0, h.5.clone(), h.7.clone()),
        (
            Framework::Fastify,
            s("reply"),
            vec![("fastify.authenticate".into(), Via::Router)]
        )
    );
    let h = one("fastify.route({ method: 'PUT', url: '/y', preHandler: [auth], handler: async (request, reply) => {} });\n", "src/a.ts");
    assert_eq!(
        (h.0, h.2, h.3.clone(), h.7.clone()),
        (
            Framework::Fastify,
            Some("PUT"),
            s("/y"),
            vec![("auth".into(), Via::Route)]
        )
    );
}

#[test]
fn hono_openapi_routes() {
    let src = "import { OpenAPIHono, createRoute } from '@hono/zod-openapi';\nconst app = new OpenAPIHono();\nconst get = createRoute({ method: 'get', path: '/items', middleware: [requireAuth] });\napp.openapi(get, async (c) => c.json([]));\napp.openapi(createRoute({ method: 'post', path: '/hook' }), async (c) => c.json({}));\n";
    let got = handlers(src, "src/routes.ts");
    assert_eq!(
        got.iter()
            .map(|h| (h.0, h.2, h.3.clone(), h.6.clone(), h.7.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                Framework::Hono,
                Some("GET"),
                s("/items"),
                s("c"),
                vec![("requireAuth".into(), Via::Route)]
            ),
            (Framework::Hono, Some("POST"), s("/hook"), s("c"), vec![]),
        ]
    );
    // near misses: `openapi` on an object the file does not make with Hono,
    // a definition that is not `createRoute(...)`
    let near = "const doc = makeDoc();\ndoc.openapi(createRoute({ method: 'get', path: '/x' }), async (c) => 1);\nimport { OpenAPIHono } from '@hono/zod-openapi';\nconst app = new OpenAPIHono();\napp.openapi(spec, async (c) => 1);\n";
    assert!(handlers(near, "src/a.ts").is_empty());
}

#[test]
fn near_misses_clients_and_lookups() {
    // HTTP clients, a cache lookup, a Map, a test client, a callback that is
    // not registered on a route
    let src = "import axios from 'axios';\nconst api = axios.create();\napi.post('/users', data);\naxios.get('/x', { params });\ncache.get('/k', fallback);\nm.get('key');\napi.get('/y', () => 1);\nrequest(app).post('/x').send({});\nitems.forEach((req, res) => {});\n";
    assert!(handlers(src, "src/a.ts").is_empty());
    with_script(src, |s, root| {
        assert!(nodes_of(root, "call_expression")
            .into_iter()
            .all(|c| route_of(c, &s).is_none()));
    });
}

#[test]
fn nest_controllers() {
    let src = "@Controller('users')\n@UseGuards(JwtGuard)\nexport class UsersController {\n  @Post(':id/avatar')\n  upload(@Req() req: Request, @Res() res, @Body() dto) {}\n  private helper() {}\n}\n";
    let h = one(src, "src/users.controller.ts");
    assert_eq!(
        h,
        (
            Framework::Nest,
            HandlerKind::Route,
            Some("POST"),
            s("/users/:id/avatar"),
            s("req"),
            s("res"),
            None,
            vec![("JwtGuard".into(), Via::Guard)]
        )
    );
}

#[test]
fn enclosing_handler_walks_up() {
    let src = "router.post('/x', async (req, res) => {\n  items.map((i) => save(i));\n});\nfunction other() { save(1); }\n";
    with_script(src, |s, root| {
        let saves: Vec<_> = nodes_of(root, "call_expression")
            .into_iter()
            .filter(|c| ast::callee_path(*c, &s).as_deref() == Some("save"))
            .collect();
        let h = enclosing_handler(saves[0], &s, "a.ts").expect("inside the route");
        assert_eq!(h.path.as_deref(), Some("/x"));
        assert!(enclosing_handler(saves[1], &s, "a.ts").is_none());
    });
}

#[test]
fn router_middleware_of_any_registration() {
    // Hono's `openapi` is no route method, its router middleware still counts;
    // near misses: a `use` after the route, on another router, for another prefix
    let src = "const app = new OpenAPIHono();\napp.use('*', basicAuth({ username }));\napp.use('/admin/*', adminOnly);\nother.use(verifyKey);\nif (process.env.KEY) {\n  app.use(apiKeyAuth);\n}\napp.openapi(route, async (c) => c.json({}));\napp.use(late);\n";
    with_script(src, |s, root| {
        let call = nodes_of(root, "call_expression")
            .into_iter()
            .find(|c| ast::callee_name(*c, &s).as_deref() == Some("openapi"))
            .expect("the openapi call");
        assert!(route_of(call, &s).is_none());
        assert_eq!(
            router_middleware_of(call, &s),
            vec![
                Middleware {
                    name: "basicAuth".into(),
                    via: Via::Router
                },
                Middleware {
                    name: "apiKeyAuth".into(),
                    via: Via::Router
                }
            ]
        );
    });
}

#[test]
fn router_inline_middleware_of_a_registration() {
    // the inline functions of `use` before the route, for its prefix;
    // near misses: named middleware, a `use` after the route, another
    // prefix, another router
    let src = "const app = new Hono();\napp.use(async (c, next) => { await next(); });\napp.use(logger());\napp.use('/admin/*', (c, next) => next());\nother.use((c, next) => next());\napp.use('/api/*', function (c, next) { return next(); });\napp.post('/api/x', async (c) => c.json({}));\napp.use(async (c, next) => next());\n";
    with_script(src, |s, root| {
        let call = nodes_of(root, "call_expression")
            .into_iter()
            .find(|c| ast::callee_name(*c, &s).as_deref() == Some("post"))
            .expect("the route");
        let inline = router_inline_middleware_of(call, &s);
        let lines: Vec<usize> = inline.iter().map(|f| f.start_position().row).collect();
        assert_eq!(lines, vec![1, 5]);
        // named middleware stays in `router_middleware_of`
        assert_eq!(
            router_middleware_of(call, &s),
            vec![Middleware {
                name: "logger".into(),
                via: Via::Router
            }]
        );
    });
}

#[test]
fn next_handlers_exported_by_a_clause() {
    let methods = |src: &str, file: &str| -> Vec<Option<&'static str>> {
        handlers(src, file).into_iter().map(|h| h.2).collect()
    };
    let src = "async function create(req: Request) { return new Response(); }\nconst remove = async (req: Request) => new Response();\nfunction helper() {}\nexport { create as POST, remove as DELETE };\n";
    assert_eq!(
        methods(src, "app/api/items/route.ts"),
        vec![Some("POST"), Some("DELETE")]
    );
    let src = "async function PATCH(req: Request) { return new Response(); }\nexport { PATCH };\n";
    assert_eq!(methods(src, "app/api/items/route.ts"), vec![Some("PATCH")]);
    let src = "async function handler(req, res) { res.end(); }\nexport default handler;\n";
    assert_eq!(handlers(src, "pages/api/items.ts").len(), 1);
    // near misses: a re-export of another module's name, a clause in a
    // file that is no route, a function nested in another
    let src = "async function create(req: Request) { return new Response(); }\nexport { create as POST } from './other';\n";
    assert!(handlers(src, "app/api/items/route.ts").is_empty());
    let src = "async function create(req: Request) { return new Response(); }\nexport { create as POST };\n";
    assert!(handlers(src, "lib/items.ts").is_empty());
    let src = "function outer() { const create = async () => new Response(); return create; }\nexport { outer as POST };\n";
    assert_eq!(methods(src, "app/api/items/route.ts"), vec![Some("POST")]);
}
