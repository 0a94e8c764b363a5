//! HTTP handlers: which functions serve requests, for which framework, with
//! which parameters and middleware.
//!
//! Two entry points, because a handler is recognised either where it is
//! written or where it is registered:
//! - [`handler_of`] judges a function by its position: a Next.js route
//!   handler export (`export async function POST` in `app/**/route.ts`), a
//!   `pages/api` default export, a server action (`'use server'` in the file or
//!   the function), Next.js `middleware.ts`/`proxy.ts`, a callback written in a
//!   route registration (`app.post('/x', async (req, res) => …)`), a NestJS
//!   controller method. [`enclosing_handler`] walks up to the nearest one.
//! - [`route_of`] judges a call: `router.post('/x', auth, handle)`,
//!   `app.route('/x').get(h)`, `fastify.route({ method, url, handler })`, with
//!   the functions it registers (inline, or top-level functions by name).

use super::{method_call, nest, object_property};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

/// The HTTP methods a handler may serve (`ALL`: any; Express `all`, Nest `@All`).
pub const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ALL",
];

/// Router methods that register a route (`app.get`, `router.post`…).
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "all",
];

/// Wrapper-call depth followed from a function to its registration or export.
const MAX_WRAPPERS: usize = 8;

/// Statements looked at before a route registration for `router.use(…)`.
const MAX_PRECEDING_STATEMENTS: usize = 256;

/// The framework whose conventions a handler follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    Next,
    /// Express, and a route-shaped registration (`x.post('/path', fn)`) whose
    /// library the file does not show and whose parameters are `(req, res)`.
    Express,
    Fastify,
    Hono,
    Koa,
    Nest,
    /// A Deno server (`Deno.serve(handler)`, `serve(handler)` of Deno's
    /// standard library): Supabase edge functions.
    Deno,
}

/// What a handler is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandlerKind {
    /// A route: a Next.js route handler, a router registration, a Nest method.
    Route,
    /// A Next.js `pages/api` default export.
    PagesApi,
    /// A Next.js server action.
    Action,
    /// Next.js `middleware.ts` / `proxy.ts`: runs before every matched route.
    Middleware,
}

/// How a middleware applies to a handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A higher-order function around the handler: `withAuth(async (req) => …)`.
    Wrapper,
    /// In the route registration: `router.post('/x', requireAuth, handle)`,
    /// Fastify's `{ preHandler: auth }`.
    Route,
    /// Registered on the router before the route: `router.use(auth)`,
    /// `fastify.addHook('onRequest', auth)`.
    Router,
    /// NestJS `@UseGuards(AuthGuard)` on the method or its controller.
    Guard,
}

/// A middleware, wrapper or guard that runs before a handler, by name
/// (`requireAuth`, `passport.authenticate`, `AuthGuard`); anonymous
/// functions are not listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Middleware {
    pub name: String,
    pub via: Via,
}

/// An HTTP handler.
///
/// Parameter names are the names the handler gives them (`request`, `res`,
/// `reply`), `None` when the parameter is absent or destructured; rules use
/// them to tell the handler's request from other values. `context` is the
/// object Hono (`c`) and Koa (`ctx`) pass instead of a request and a response.
#[derive(Clone, Debug)]
pub struct Handler<'t> {
    /// The function.
    pub node: Node<'t>,
    pub framework: Framework,
    pub kind: HandlerKind,
    /// `GET`, `POST`… (`ALL` for any); `None` when not known (a `pages/api` handler).
    pub method: Option<&'static str>,
    /// The route path: the registration's (`/users/:id`), the Next.js route
    /// derived from the file path (`/api/users/[id]`), or the controller's and
    /// the method's joined (`/users/:id`).
    pub path: Option<String>,
    pub request: Option<&'t str>,
    pub response: Option<&'t str>,
    pub context: Option<&'t str>,
    pub middleware: Vec<Middleware>,
    /// The route registration call, when the handler was registered by one.
    pub registration: Option<Node<'t>>,
}

/// `func` as an HTTP handler (see the module docs); `file` is the file's path
/// with `/` separators.
pub fn handler_of<'t>(func: Node<'t>, src: &Script<'t>, file: &str) -> Option<Handler<'t>> {
    if !ast::is_function(func) {
        return None;
    }
    if let Some(h) = nest_handler(func, src) {
        return Some(h);
    }
    // Cheap rejection first (tree-sitter's `parent()` walks down from the
    // root, and most functions asked about are callbacks and helpers): a
    // function that is not passed as an argument (or a wrapper's argument, or
    // an options object's property) is not registered, and outside Next.js
    // route, `pages/api` and middleware files only a server action is a handler.
    let next_possible = may_be_next_file(file) || may_be_server_action(func, src);
    // A declaration or a method is never an argument, a property value or a
    // cast: no need to ask for its parent.
    if !next_possible
        && matches!(
            func.kind_name(),
            "function_declaration" | "generator_function_declaration" | "method_definition"
        )
    {
        return None;
    }
    let parent = func.parent();
    if !next_possible {
        let passed = parent.is_some_and(|p| {
            matches!(
                p.kind_name(),
                "arguments"
                    | "pair"
                    | "parenthesized_expression"
                    | "as_expression"
                    | "satisfies_expression"
            )
        });
        if !passed {
            return None;
        }
    }
    let (outer, outer_parent, wrappers) = unwrap_wrappers(func, parent, src);
    if let Some(call) = registering_call(outer_parent) {
        if let Some(route) = route_of(call, src) {
            if route.handlers.iter().any(|h| h.id() == func.id()) {
                let mut h = route.handler(func, src);
                h.middleware.extend(wrappers);
                return Some(h);
            }
        }
    }
    if let Some(h) = deno_handler(func, &wrappers, src, file) {
        return Some(h);
    }
    // only a Next.js route, `pages/api` or middleware export, or a server action, is left
    if !next_possible {
        return None;
    }
    next_handler(func, outer, wrappers, src, file)
}

/// Modules whose `serve(handler)` is Deno's HTTP server (`std/http/server.ts`
/// of deno.land, `jsr:@std/http`).
fn is_deno_std_http(module: &str) -> bool {
    (module.contains("deno.land/std") && module.contains("/http/"))
        || module.starts_with("jsr:@std/http")
}

/// A function given to `Deno.serve(…)` (or the standard library's `serve`),
/// possibly inside wrappers: a Supabase edge function's handler, for every
/// method. The path is the function's URL for a file under
/// `supabase/functions/<name>/`.
fn deno_handler<'t>(
    func: Node<'t>,
    wrappers: &[Middleware],
    src: &Script<'t>,
    file: &str,
) -> Option<Handler<'t>> {
    let (server, inner) = wrappers.split_last()?;
    let is_server = server.name == "Deno.serve"
        || (server.name == "serve"
            && src.semantic.module_imports().any(|b| {
                b.name == "serve" && b.module().is_some_and(|(m, _)| is_deno_std_http(m))
            }));
    if !is_server {
        return None;
    }
    let segs: Vec<&str> = file.split('/').collect();
    let path = segs
        .windows(3)
        .rposition(|w| w[0] == "supabase" && w[1] == "functions")
        .map(|i| format!("/functions/v1/{}", segs[i + 2]));
    let params = param_names(func, src);
    Some(Handler {
        node: func,
        framework: Framework::Deno,
        kind: HandlerKind::Route,
        method: Some("ALL"),
        path,
        request: params.first().copied().flatten(),
        response: None,
        context: None,
        middleware: inner.to_vec(),
        registration: None,
    })
}

/// The nearest function around `node` (or `node` itself) that is a handler.
pub fn enclosing_handler<'t>(node: Node<'t>, src: &Script<'t>, file: &str) -> Option<Handler<'t>> {
    let mut cur = if ast::is_function(node) {
        Some(node)
    } else {
        ast::enclosing_function(node)
    };
    let mut steps = 0;
    while let Some(f) = cur {
        steps += 1;
        if steps > ast::MAX_ANCESTOR_STEPS {
            return None;
        }
        if let Some(h) = handler_of(f, src, file) {
            return Some(h);
        }
        cur = ast::enclosing_function(f);
    }
    None
}

/// A route registration.
#[derive(Clone, Debug)]
pub struct Route<'t> {
    pub call: Node<'t>,
    pub framework: Framework,
    pub method: &'static str,
    pub path: Option<String>,
    /// The registered functions, in order: inline ones, and top-level
    /// functions named in the call (the last one is the handler, the others
    /// route middleware).
    pub handlers: Vec<Node<'t>>,
    /// Named middleware of the route and of its router.
    pub middleware: Vec<Middleware>,
}

impl<'t> Route<'t> {
    /// The [`Handler`] for one of the registered functions.
    pub fn handler(&self, func: Node<'t>, src: &Script<'t>) -> Handler<'t> {
        let params = param_names(func, src);
        let framework = if self.framework == Framework::Express {
            guess_by_params(&params).unwrap_or(Framework::Express)
        } else {
            self.framework
        };
        let (request, response, context) = match framework {
            Framework::Hono | Framework::Koa => (None, None, params.first().copied().flatten()),
            _ => (
                params.first().copied().flatten(),
                params.get(1).copied().flatten(),
                None,
            ),
        };
        Handler {
            node: func,
            framework,
            kind: HandlerKind::Route,
            method: Some(self.method),
            path: self.path.clone(),
            request,
            response,
            context,
            middleware: self.middleware.clone(),
            registration: Some(self.call),
        }
    }
}

/// `call` as a route registration: `app.get('/x', …fns)`, `app.route('/x').post(fn)`,
/// `fastify.route({ method: 'POST', url: '/x', handler })`. A call on an
/// object that the file creates with a known router library is one whenever
/// it has a path; on any other object, its last argument must be a function
/// (so `axios.post('/x', body)` and `cache.get('/k', fallback)` are not).
pub fn route_of<'t>(call: Node<'t>, src: &Script<'t>) -> Option<Route<'t>> {
    let (method, receiver) = method_call(call, src.source)?;
    let args = ast::call_arguments(call);
    if method == "route" {
        return fastify_route(call, receiver, &args, src);
    }
    if method == "openapi" {
        return openapi_route(call, receiver, &args, src);
    }
    if !ROUTE_METHODS.contains(&method) {
        return None;
    }
    // `app.route('/x').get(h)`: the path is the inner call's
    let (path, fns, router) = match args.first().and_then(|a| ast::string_value(*a, src)) {
        Some(p) => (Some(p), &args[1..], receiver),
        None => {
            let inner = (receiver.kind_name() == "call_expression").then_some(receiver)?;
            let f = inner.field(Field::Function)?;
            let is_route = f.kind_name() == "member_expression"
                && f.field(Field::Property)
                    .is_some_and(|p| ast::text(p, src) == "route");
            let p = ast::call_arguments(inner)
                .first()
                .and_then(|a| ast::string_value(*a, src))
                .filter(|_| is_route)?;
            (
                Some(p),
                &args[..],
                ast::unwrap_expr(f.field(Field::Object)?),
            )
        }
    };
    let last = *fns.last()?;
    let framework = router_framework(router, src);
    if is_http_client(router, src)
        || (framework.is_none() && registered_function(last, src).is_none())
    {
        return None;
    }
    let mut middleware = router_middleware(call, router, path.as_deref(), src);
    let mut handlers = Vec::new();
    for (i, a) in fns.iter().enumerate() {
        if let Some(f) = registered_function(*a, src) {
            handlers.push(f);
        }
        if i + 1 < fns.len() {
            middleware.extend(middleware_name(*a, src).map(|name| Middleware {
                name,
                via: Via::Route,
            }));
        }
    }
    Some(Route {
        call,
        framework: framework.unwrap_or(Framework::Express),
        method: upper(method)?,
        path,
        handlers,
        middleware,
    })
}

/// Fastify's `fastify.route({ method, url, handler, preHandler })`.
fn fastify_route<'t>(
    call: Node<'t>,
    receiver: Node<'t>,
    args: &[Node<'t>],
    src: &Script<'t>,
) -> Option<Route<'t>> {
    let options = ast::unwrap_expr(*args.first()?);
    if options.kind_name() != "object" || args.len() != 1 {
        return None;
    }
    let prop = |key: &str| object_property(options, key, src);
    let handler = prop("handler").and_then(|h| registered_function(h, src))?;
    let method = prop("method")
        .and_then(|m| ast::string_value(m, src))
        .and_then(|m| upper(&m.to_ascii_lowercase()))
        .unwrap_or("ALL");
    let mut middleware = router_middleware(call, receiver, None, src);
    middleware.extend(hook_middleware(options, src, Via::Route));
    Some(Route {
        call,
        framework: router_framework(receiver, src).unwrap_or(Framework::Fastify),
        method,
        path: prop("url").and_then(|u| ast::string_value(u, src)),
        handlers: vec![handler],
        middleware,
    })
}

/// `@hono/zod-openapi`'s `app.openapi(createRoute({ method, path, middleware }), handler)`
/// (the route definition inline, or a `const` bound to `createRoute(...)`), on
/// a router the file makes with Hono.
fn openapi_route<'t>(
    call: Node<'t>,
    receiver: Node<'t>,
    args: &[Node<'t>],
    src: &Script<'t>,
) -> Option<Route<'t>> {
    if router_framework(receiver, src) != Some(Framework::Hono) {
        return None;
    }
    let [def, .., last] = args else {
        return None;
    };
    let mut def = ast::unwrap_expr(*def);
    if def.kind_name() == "identifier" {
        def = ast::unwrap_expr(src.value_of(def, ast::text(def, src))?);
    }
    if ast::callee_name(def, src).as_deref() != Some("createRoute") {
        return None;
    }
    let options = ast::unwrap_expr(*ast::call_arguments(def).first()?);
    if options.kind_name() != "object" {
        return None;
    }
    let prop = |key: &str| object_property(options, key, src);
    let handler = registered_function(*last, src)?;
    let method = prop("method")
        .and_then(|m| ast::string_value(m, src))
        .and_then(|m| upper(&m.to_ascii_lowercase()))
        .unwrap_or("ALL");
    let path = prop("path").and_then(|p| ast::string_value(p, src));
    let mut middleware = router_middleware(call, receiver, path.as_deref(), src);
    if let Some(m) = prop("middleware") {
        middleware.extend(listed_middleware(m, src, Via::Route));
    }
    Some(Route {
        call,
        framework: Framework::Hono,
        method,
        path,
        handlers: vec![handler],
        middleware,
    })
}

/// Fastify hooks in a route's options: `{ preHandler: [auth], onRequest: verify }`.
fn hook_middleware(options: Node<'_>, src: &str, via: Via) -> Vec<Middleware> {
    let mut out = Vec::new();
    for hook in ["onRequest", "preValidation", "preHandler"] {
        if let Some(v) = object_property(options, hook, src) {
            out.extend(listed_middleware(v, src, via));
        }
    }
    out
}

/// The named middleware of an option's value: one (`verify`) or a list (`[auth, limit]`).
fn listed_middleware(value: Node<'_>, src: &str, via: Via) -> Vec<Middleware> {
    let v = ast::unwrap_expr(value);
    let items = if v.kind_name() == "array" {
        let mut c = v.walk();
        v.named_children(&mut c).collect()
    } else {
        vec![v]
    };
    items
        .into_iter()
        .filter_map(|i| middleware_name(i, src))
        .map(|name| Middleware { name, via })
        .collect()
}

fn upper(method: &str) -> Option<&'static str> {
    HTTP_METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(method))
}

/// The function an argument registers: an inline function, a wrapper call
/// around one (`asyncHandler(async (req, res) => …)`), or a name bound to a
/// top-level function.
fn registered_function<'t>(arg: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let _level = ast::descend()?;
    let a = ast::unwrap_expr(arg);
    match a.kind_name() {
        "identifier" => src.top_level_function(ast::text(a, src)),
        "call_expression" => ast::call_arguments(a)
            .into_iter()
            .rev()
            .find_map(|x| registered_function(x, src)),
        _ if ast::is_function(a) => Some(a),
        _ => None,
    }
}

/// The name of a middleware argument: `requireAuth`, `auth.required`,
/// `passport.authenticate('jwt')` → `passport.authenticate`.
fn middleware_name(arg: Node<'_>, src: &str) -> Option<String> {
    let a = ast::unwrap_expr(arg);
    match a.kind_name() {
        "call_expression" => ast::callee_path(a, src),
        "array" => None,
        _ => ast::member_path(a, src),
    }
}

/// The router-level middleware of a registration `router.METHOD(…)` of any
/// method (Hono's `app.openapi(route, h)` too): `router.use(auth)`,
/// `app.use('/api', auth)` for a route under `/api`, Fastify's `addHook`,
/// written on the same router before it (see [`Route::middleware`], which
/// includes these for the route methods).
pub fn router_middleware_of(call: Node<'_>, src: &Script<'_>) -> Vec<Middleware> {
    let Some((_, receiver)) = method_call(call, src) else {
        return Vec::new();
    };
    router_middleware(call, receiver, registration_path(call, src).as_deref(), src)
}

/// The path a registration `router.METHOD('/path', …)` is for.
fn registration_path(call: Node<'_>, src: &str) -> Option<String> {
    ast::call_arguments(call)
        .first()
        .and_then(|a| ast::string_value(*a, src))
}

/// `router.use(auth)`, `app.use('/api', auth)` (for a route under `/api`)
/// and Fastify's `addHook('onRequest', auth)` written on the same router
/// before `call`, in the same statement list.
fn router_middleware(
    call: Node<'_>,
    router: Node<'_>,
    path: Option<&str>,
    src: &Script<'_>,
) -> Vec<Middleware> {
    preceding_use_args(call, router, path, src)
        .into_iter()
        .filter_map(|a| middleware_name(a, src))
        .map(|name| Middleware {
            name,
            via: Via::Router,
        })
        .collect()
}

/// The functions written inline as router-level middleware before a
/// registration (`app.use(async (c, next) => { … })`, `app.use('/api', (req,
/// res, next) => { … })`), in source order: [`router_middleware_of`] lists
/// middleware by name and leaves these out; a rule can look inside them.
pub fn router_inline_middleware_of<'t>(call: Node<'t>, src: &Script<'t>) -> Vec<Node<'t>> {
    let Some((_, receiver)) = method_call(call, src) else {
        return Vec::new();
    };
    preceding_use_args(call, receiver, registration_path(call, src).as_deref(), src)
        .into_iter()
        .map(ast::unwrap_expr)
        .filter(|a| ast::is_function(*a))
        .collect()
}

/// The middleware arguments of the `use`/`addHook` statements on `router`
/// before `call` that apply to `path` (top-level `if` consequences too), in
/// source order; first those chained onto the router where it is made
/// (`const api = new Hono().use(auth)`).
fn preceding_use_args<'t>(
    call: Node<'t>,
    router: Node<'t>,
    path: Option<&str>,
    src: &Script<'t>,
) -> Vec<Node<'t>> {
    let Some(router_name) = ast::member_path(router, src) else {
        return Vec::new();
    };
    let Some(stmt) = ast::enclosing_statement(call) else {
        return Vec::new();
    };
    let mut prev = stmt.prev_named_sibling();
    let mut seen = 0;
    let mut found = Vec::new();
    while let Some(s) = prev.filter(|_| seen < MAX_PRECEDING_STATEMENTS) {
        seen += 1;
        prev = s.prev_named_sibling();
        // `if (configured) { app.use(auth) }`: the statements of a top-level
        // `if`'s consequence count too (a conditional guard is still a guard
        // the rules cannot rule out)
        if s.kind_name() == "if_statement" {
            let Some(then) = s.field(Field::Consequence) else {
                continue;
            };
            let inner: Vec<Node<'_>> = if then.kind_name() == "statement_block" {
                let mut c = then.walk();
                then.named_children(&mut c).collect()
            } else {
                vec![then]
            };
            for i in inner.into_iter().rev().take(MAX_PRECEDING_STATEMENTS) {
                found.extend(use_args(i, &router_name, path, src));
            }
            continue;
        }
        found.extend(use_args(s, &router_name, path, src));
    }
    found.extend(construction_use_args(router, path, src));
    found.into_iter().rev().flatten().collect()
}

/// The middleware chained onto a router in its declaration, `const api = new
/// Hono().basePath('/v1').use(auth)` / `express.Router().use(auth)`, in
/// reverse source order (as [`preceding_use_args`] collects).
fn construction_use_args<'t>(
    router: Node<'t>,
    path: Option<&str>,
    src: &Script<'t>,
) -> Vec<Vec<Node<'t>>> {
    let r = ast::unwrap_expr(router);
    if r.kind_name() != "identifier" {
        return Vec::new();
    }
    let Some(mut value) = src.value_of(r, ast::text(r, src)).map(ast::unwrap_expr) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for _ in 0..MAX_PRECEDING_STATEMENTS {
        if value.kind_name() != "call_expression" {
            break;
        }
        let Some(f) = value
            .field(Field::Function)
            .filter(|f| f.kind_name() == "member_expression")
        else {
            break;
        };
        let Some(object) = f.field(Field::Object).map(ast::unwrap_expr) else {
            break;
        };
        let method = f.field(Field::Property).map(|p| ast::text(p, src));
        if method == Some("use") {
            found.extend(middleware_args(value, "use", path, src));
        }
        value = object;
    }
    found
}

/// The middleware arguments a statement `router.use(…)` /
/// `router.addHook(…)` installs for a route at `path` (`None`: not such a
/// statement).
fn use_args<'t>(
    s: Node<'t>,
    router_name: &str,
    path: Option<&str>,
    src: &str,
) -> Option<Vec<Node<'t>>> {
    let c = s
        .named_child(0)
        .filter(|_| s.kind_name() == "expression_statement")
        .map(ast::unwrap_expr)
        .filter(|c| c.kind_name() == "call_expression")?;
    let callee = ast::callee_path(c, src)?;
    let method = callee
        .strip_prefix(router_name)
        .and_then(|m| m.strip_prefix('.'))?;
    middleware_args(c, method, path, src)
}

/// The middleware arguments of a call `router.use(…)` / `router.addHook(…)`
/// (`method`) that apply to a route at `path`.
fn middleware_args<'t>(
    c: Node<'t>,
    method: &str,
    path: Option<&str>,
    src: &str,
) -> Option<Vec<Node<'t>>> {
    let args = ast::call_arguments(c);
    let fns = match (
        method,
        args.first().and_then(|a| ast::string_value(*a, src)),
    ) {
        ("use", Some(prefix)) => {
            let applies =
                prefix == "*" || path.is_some_and(|p| p.starts_with(prefix.trim_end_matches('*')));
            if !applies {
                return None;
            }
            &args[1..]
        }
        ("use", None) => &args[..],
        ("addHook", Some(hook))
            if matches!(hook.as_str(), "onRequest" | "preValidation" | "preHandler") =>
        {
            &args[1..]
        }
        _ => return None,
    };
    Some(fns.to_vec())
}

/// The call that made a router configured by a method chain, `new
/// Hono().basePath('/v1').use(auth)` → `new Hono()`; any other node as is.
fn builder_root(value: Node<'_>) -> Node<'_> {
    let mut cur = value;
    for _ in 0..MAX_PRECEDING_STATEMENTS {
        let Some(object) = (cur.kind_name() == "call_expression")
            .then(|| cur.field(Field::Function))
            .flatten()
            .filter(|f| f.kind_name() == "member_expression")
            .and_then(|f| f.field(Field::Object))
            .map(ast::unwrap_expr)
            .filter(|o| matches!(o.kind_name(), "call_expression" | "new_expression"))
        else {
            break;
        };
        cur = object;
    }
    cur
}

/// The library that made a router object: `express()`, `express.Router()`,
/// `Router()` from express, `new Hono()`, `Fastify()`, `new Router()` from
/// `@koa/router`; a Fastify plugin's `fastify` parameter.
fn router_framework(router: Node<'_>, src: &Script<'_>) -> Option<Framework> {
    let r = ast::unwrap_expr(router);
    let value = match r.kind_name() {
        "identifier" => {
            let name = ast::text(r, src);
            let b = src.declaration(r, name)?;
            if b.kind == BindingKind::Param {
                return (name == "fastify").then_some(Framework::Fastify);
            }
            ast::unwrap_expr(b.simple_value()?)
        }
        "call_expression" | "new_expression" => r,
        _ => return None,
    };
    let value = builder_root(value);
    if !matches!(value.kind_name(), "call_expression" | "new_expression") {
        return None;
    }
    let callee = match value.kind_name() {
        "call_expression" => value.field(Field::Function)?,
        _ => value.field(Field::Constructor)?,
    };
    let module = match src.qualified_name(callee) {
        Some(q) => q.module,
        None => match ast::member_path(callee, src)?.as_str() {
            "express" | "express.Router" => "express".into(),
            "Hono" => "hono".into(),
            "Fastify" | "fastify" => "fastify".into(),
            _ => return None,
        },
    };
    Some(match module.as_str() {
        "express" => Framework::Express,
        m if m == "hono" || m.starts_with("hono/") || m == "@hono/zod-openapi" => Framework::Hono,
        "fastify" => Framework::Fastify,
        "koa-router" | "@koa/router" => Framework::Koa,
        _ => return None,
    })
}

/// A receiver made by an HTTP client library (`axios.create()`, `ky`,
/// `got`, `supertest`), or one of them imported.
fn is_http_client(router: Node<'_>, src: &Script<'_>) -> bool {
    const CLIENTS: &[&str] = &[
        "axios",
        "ky",
        "got",
        "supertest",
        "superagent",
        "node-fetch",
    ];
    let r = ast::unwrap_expr(router);
    let module = match src.qualified_name(r) {
        Some(q) => Some(q.module),
        None => (r.kind_name() == "identifier")
            .then(|| src.value_of(r, ast::text(r, src)))
            .flatten()
            .map(ast::unwrap_expr)
            .and_then(|v| match v.kind_name() {
                "call_expression" => src.qualified_name(v.field(Field::Function)?),
                _ => None,
            })
            .map(|q| q.module),
    };
    module.is_some_and(|m| CLIENTS.contains(&m.as_str()))
}

/// Hono's `c`, Koa's `ctx`, Fastify's `(request, reply)`.
fn guess_by_params(params: &[Option<&str>]) -> Option<Framework> {
    match params {
        [Some("c"), ..] => Some(Framework::Hono),
        [Some("ctx"), ..] => Some(Framework::Koa),
        [_, Some("reply"), ..] => Some(Framework::Fastify),
        _ => None,
    }
}

/// The parameter names of a function (`None` for destructured ones).
fn param_names<'t>(func: Node<'t>, src: &Script<'t>) -> Vec<Option<&'t str>> {
    if let Some(p) = func.field(Field::Parameter) {
        return vec![Some(ast::text(p, src.source))];
    }
    let Some(params) = func.field(Field::Parameters) else {
        return Vec::new();
    };
    let mut c = params.walk();
    params
        .named_children(&mut c)
        .filter(|n| n.kind_name() != "comment")
        .map(|p| {
            let pat = match p.kind_name() {
                "required_parameter" | "optional_parameter" => p.field(Field::Pattern)?,
                _ => p,
            };
            (pat.kind_name() == "identifier").then(|| ast::text(pat, src.source))
        })
        .collect()
}

/// Up from `func` through parentheses, `as`/`satisfies` and wrapper calls
/// (`withAuth(async (req) => …)`): the outermost node, and the wrappers'
/// names (innermost first). A route registration is not a wrapper.
/// `func` unwrapped from the wrapper calls around it (`withAuth(…)`, parentheses,
/// `as`): the outermost such node, its parent (`parent` is `func`'s, already
/// known to the caller: tree-sitter's `parent()` is not cheap), and the
/// wrappers, innermost first.
fn unwrap_wrappers<'t>(
    func: Node<'t>,
    parent: Option<Node<'t>>,
    src: &Script<'t>,
) -> (Node<'t>, Option<Node<'t>>, Vec<Middleware>) {
    let mut cur = func;
    let mut next_parent = parent;
    let mut wrappers = Vec::new();
    for _ in 0..MAX_WRAPPERS * 4 {
        let Some(p) = next_parent else { break };
        match p.kind_name() {
            "parenthesized_expression" | "as_expression" | "satisfies_expression" => {
                cur = p;
                next_parent = p.parent();
            }
            "arguments" if wrappers.len() < MAX_WRAPPERS => {
                let Some(call) = p.parent().filter(|c| c.kind_name() == "call_expression") else {
                    break;
                };
                if route_of(call, src).is_some() {
                    break;
                }
                let Some(name) = ast::callee_path(call, src) else {
                    break;
                };
                wrappers.push(Middleware {
                    name,
                    via: Via::Wrapper,
                });
                cur = call;
                next_parent = call.parent();
            }
            _ => break,
        }
    }
    (cur, next_parent, wrappers)
}

/// The call `outer` is an argument of (or the `handler` of an options
/// object passed to: Fastify's `route({ handler })`).
/// The call that registers the function whose unwrapped node's parent is
/// `outer_parent`: `router.get('/x', fn)`, `fastify.route({ handler: fn })`.
fn registering_call(outer_parent: Option<Node<'_>>) -> Option<Node<'_>> {
    let mut p = outer_parent?;
    if p.kind_name() == "pair" {
        p = p.parent().filter(|o| o.kind_name() == "object")?.parent()?;
    }
    Some(p)
        .filter(|p| p.kind_name() == "arguments")
        .and_then(|p| p.parent())
        .filter(|c| c.kind_name() == "call_expression")
}

/// The name `outer` is exported as: `export function GET`, `export const
/// POST = …`, `export default …` (`default`).
fn export_name<'t>(func: Node<'t>, outer: Node<'t>, src: &'t str) -> Option<&'t str> {
    let parent = outer.parent()?;
    match parent.kind_name() {
        "export_statement" => {
            let mut c = parent.walk();
            let is_default = parent.children(&mut c).any(|k| k.kind_name() == "default");
            if is_default {
                Some("default")
            } else {
                func.field(Field::Name).map(|n| ast::text(n, src))
            }
        }
        "variable_declarator" => {
            parent
                .parent()
                .and_then(|d| d.parent())
                .filter(|e| e.kind_name() == "export_statement")?;
            parent.field(Field::Name).map(|n| ast::text(n, src))
        }
        _ => None,
    }
}

/// The name a top-level function is exported under by a clause of the same
/// file: `export { handler as POST }`, `export { POST }`, `export default
/// handler` (among the file's last [`MAX_PRECEDING_STATEMENTS`] statements;
/// `export { x } from './y'` re-exports another module's `x`).
fn exported_alias<'t>(func: Node<'t>, outer: Node<'t>, src: &'t str) -> Option<&'t str> {
    let parent = outer.parent()?;
    let (local, program) = match parent.kind_name() {
        "program" if func.id() == outer.id() => (func.field(Field::Name)?, parent),
        "variable_declarator" => (
            parent.field(Field::Name)?,
            parent
                .parent()
                .and_then(|d| d.parent())
                .filter(|p| p.kind_name() == "program")?,
        ),
        _ => return None,
    };
    let local = ast::text(local, src);
    let last = u32::try_from(program.named_child_count().checked_sub(1)?).ok()?;
    let mut stmt = program.named_child(last);
    for _ in 0..MAX_PRECEDING_STATEMENTS {
        let Some(s) = stmt else {
            break;
        };
        stmt = s.prev_named_sibling();
        if s.kind_name() != "export_statement" || s.field(Field::Source).is_some() {
            continue;
        }
        if let Some(v) = s.field(Field::Value) {
            if ast::text(ast::unwrap_expr(v), src) == local {
                return Some("default");
            }
            continue;
        }
        let mut c = s.walk();
        let Some(clause) = s
            .named_children(&mut c)
            .find(|n| n.kind_name() == "export_clause")
        else {
            continue;
        };
        let mut c = clause.walk();
        for spec in clause.named_children(&mut c) {
            if spec.field(Field::Name).map(|n| ast::text(n, src)) == Some(local) {
                return spec
                    .field(Field::Alias)
                    .or_else(|| spec.field(Field::Name))
                    .map(|n| ast::text(n, src));
            }
        }
    }
    None
}

/// Next.js: route handlers, `pages/api`, middleware, server actions.
fn next_handler<'t>(
    func: Node<'t>,
    outer: Node<'t>,
    wrappers: Vec<Middleware>,
    src: &Script<'t>,
    file: &str,
) -> Option<Handler<'t>> {
    let (app_route, pages_api) = if may_be_next_file(file) {
        (app_route_path(file), pages_api_path(file))
    } else {
        (None, None)
    };
    let export = export_name(func, outer, src.source).or_else(|| {
        // `function handler() {}` … `export { handler as POST }` (route
        // files only: the clause is looked for among the last statements)
        (app_route.is_some() || pages_api.is_some())
            .then(|| exported_alias(func, outer, src.source))
            .flatten()
    });
    let (kind, method, path) = if let Some(route) = app_route {
        let m = export.and_then(upper).filter(|m| *m != "ALL")?;
        (HandlerKind::Route, Some(m), Some(route))
    } else if let Some(route) = pages_api.filter(|_| export == Some("default")) {
        (HandlerKind::PagesApi, None, Some(route))
    } else if is_middleware_file(file)
        && export.is_some_and(|e| matches!(e, "middleware" | "proxy" | "default"))
    {
        (HandlerKind::Middleware, None, None)
    } else if is_server_action(func, export, src) {
        (HandlerKind::Action, Some("POST"), None)
    } else {
        return None;
    };
    let params = param_names(func, src);
    let response = (kind == HandlerKind::PagesApi)
        .then(|| params.get(1).copied().flatten())
        .flatten();
    Some(Handler {
        node: func,
        framework: Framework::Next,
        kind,
        method,
        path,
        request: (kind != HandlerKind::Action)
            .then(|| params.first().copied().flatten())
            .flatten(),
        response,
        context: None,
        middleware: wrappers,
        registration: None,
    })
}

/// An exported function of a `'use server'` file, or a function whose body
/// starts with `'use server'`.
fn is_server_action(func: Node<'_>, export: Option<&str>, src: &Script<'_>) -> bool {
    says_use_server_inside(func, src)
        || (export.is_some() && says_use_server(src.program(func), src))
}

/// The file's segments (`/`-separated, empty ones dropped) and its stem.
fn file_parts(file: &str) -> Option<(Vec<&str>, &str)> {
    let mut segs: Vec<&str> = file.split('/').filter(|s| !s.is_empty()).collect();
    let name = segs.pop()?;
    let (stem, ext) = name.rsplit_once('.')?;
    matches!(
        ext,
        "ts" | "tsx" | "js" | "jsx" | "mjs" | "mts" | "cjs" | "cts"
    )
    .then_some((segs, stem))
}

/// The URL path of an App Router `route.ts`: `src/app/api/users/[id]/route.ts`
/// → `/api/users/[id]` (route groups `(name)` and `@slot`s dropped).
pub fn app_route_path(file: &str) -> Option<String> {
    let (segs, stem) = file_parts(file)?;
    if stem != "route" {
        return None;
    }
    let app = segs.iter().rposition(|s| *s == "app")?;
    Some(url_path(&segs[app + 1..]))
}

/// The URL path of a `pages/api` module: `pages/api/users/[id].ts` →
/// `/api/users/[id]`, `pages/api/index.ts` → `/api`.
pub fn pages_api_path(file: &str) -> Option<String> {
    let (segs, stem) = file_parts(file)?;
    let pages = segs.windows(2).rposition(|w| w == ["pages", "api"])?;
    let mut parts: Vec<&str> = segs[pages + 1..].to_vec();
    if stem != "index" {
        parts.push(stem);
    }
    Some(url_path(&parts))
}

fn url_path(segs: &[&str]) -> String {
    let kept: Vec<&str> = segs
        .iter()
        .copied()
        .filter(|s| !(s.starts_with('@') || (s.starts_with('(') && s.ends_with(')'))))
        .collect();
    format!("/{}", kept.join("/"))
}

/// `middleware.ts` / `proxy.ts` (Next.js 16), not under `app/` or `pages/`.
pub fn is_middleware_file(file: &str) -> bool {
    file_parts(file).is_some_and(|(segs, stem)| {
        matches!(stem, "middleware" | "proxy")
            && !segs.iter().any(|s| matches!(*s, "app" | "pages"))
    })
}

/// Whether `file` can be a Next.js route handler, `pages/api` or middleware
/// file: a cheap superset of [`app_route_path`], [`pages_api_path`] and
/// [`is_middleware_file`] (no allocation).
fn may_be_next_file(file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name.split('.').next().unwrap_or(name);
    matches!(stem, "route" | "middleware" | "proxy") || file.contains("pages/api/")
}

/// A cheap superset of [`is_server_action`]: `'use server'` at the top of the
/// function's body or of the file.
fn may_be_server_action(func: Node<'_>, src: &Script<'_>) -> bool {
    says_use_server_inside(func, src) || says_use_server(src.program(func), src)
}

/// `'use server'` among the directives of `body` (a statement list).
fn says_use_server(body: Node<'_>, src: &str) -> bool {
    ast::directives(body, src)
        .iter()
        .any(|(_, d)| d == "use server")
}

/// `'use server'` at the top of the function's own body.
fn says_use_server_inside(func: Node<'_>, src: &str) -> bool {
    func.field(Field::Body)
        .is_some_and(|b| b.kind_name() == "statement_block" && says_use_server(b, src))
}

/// A NestJS controller method with a route decorator.
fn nest_handler<'t>(func: Node<'t>, src: &Script<'t>) -> Option<Handler<'t>> {
    let method = nest::route_method(func, src)?;
    let own = nest::member_decorators(func);
    let base =
        nest::decorator_path(&nest::class_decorators(func), "Controller", src).unwrap_or_default();
    let sub = nest::ROUTE_DECORATORS
        .iter()
        .find(|(_, m)| *m == method)
        .and_then(|(d, _)| nest::decorator_path(&own, d, src))
        .unwrap_or_default();
    let path = [base.as_str(), sub.as_str()]
        .iter()
        .map(|s| s.trim_matches('/'))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    let mut request = None;
    let mut response = None;
    if let Some(params) = func.field(Field::Parameters) {
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            let Some(pat) = p
                .field(Field::Pattern)
                .filter(|p| p.kind_name() == "identifier")
            else {
                continue;
            };
            let mut dc = p.walk();
            for d in p.children(&mut dc).filter(|d| d.kind_name() == "decorator") {
                match nest::decorator_name(d, src).as_deref() {
                    Some("Req" | "Request") => request = Some(ast::text(pat, src.source)),
                    Some("Res" | "Response") => response = Some(ast::text(pat, src.source)),
                    _ => {}
                }
            }
        }
    }
    Some(Handler {
        node: func,
        framework: Framework::Nest,
        kind: HandlerKind::Route,
        method: Some(method),
        path: Some(format!("/{path}")),
        request,
        response,
        context: None,
        middleware: nest::guards(func, src)
            .into_iter()
            .map(|name| Middleware {
                name,
                via: Via::Guard,
            })
            .collect(),
        registration: None,
    })
}

#[cfg(test)]
mod tests;
