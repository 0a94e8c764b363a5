//! What counts as authentication beyond the configured lists, and what
//! protection may exist out of the rule's sight (the rule then stays quiet).

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers::{
    route_of, router_inline_middleware_of, Handler, HandlerKind, Via,
};
use crate::ts::frameworks::{auth, method_call, nest};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

/// Words that make a wrapper or middleware name an auth one (`withWorkspace`,
/// `requireAdmin`, `apiKeyGuard`): custom auth wrappers are common, and a
/// false alarm costs more than a miss.
const AUTH_NAME_WORDS: &[&str] = &[
    "auth",
    "session",
    "user",
    "workspace",
    "team",
    "org",
    "admin",
    "protect",
    "guard",
    "permission",
    "role",
    "apikey",
    "api_key",
    "token",
    "jwt",
    "bearer",
    "secure",
    "private",
    "require",
    "ensure",
    "verify",
    "signature",
    "signed",
    "login",
    "passport",
    "clerk",
    "owner",
    "member",
    "account",
    "tenant",
    "cron",
    "internal",
    "secret",
    "access",
];

/// A wrapper or middleware name that says it authenticates.
pub(super) fn says_auth(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    AUTH_NAME_WORDS.iter().any(|w| l.contains(w))
}

/// A rate limiter as route or router middleware (`rateLimit({…})`,
/// `limiter`, `throttle`): like a rate-limit call in the body, it says the
/// route is public on purpose.
pub(super) fn says_rate_limit(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    ["ratelimit", "rate_limit", "limiter", "throttle", "slowdown"]
        .iter()
        .any(|w| l.contains(w))
}

/// Evidence that a wrapper with a neutral name (`withEmailProvider`)
/// authenticates: its definition in this file checks who is asking, or the
/// function it wraps gets the caller's identity from it (`({ user }) =>`,
/// `req.auth.userId`, `request.accountId`).
pub(super) fn wrapper_authenticates(h: &Handler<'_>, src: &Script<'_>) -> bool {
    let wrapped = h.middleware.iter().any(|m| m.via == Via::Wrapper);
    if !wrapped {
        return false;
    }
    let defined_here = h.middleware.iter().any(|m| {
        m.via == Via::Wrapper
            && !m.name.contains('.')
            && src.top_level_function(&m.name).is_some_and(|f| {
                ast::any_descendant(f, &mut |n| {
                    n.kind_name() == "call_expression" && auth_like_call(n, src)
                })
            })
    });
    defined_here || receives_identity(h.node, src)
}

/// The wrapped function reads the caller's identity from one of its
/// parameters: `({ session }) =>`, `(req) => req.auth.userId`,
/// `request.emailAccountId`.
fn receives_identity(func: Node<'_>, src: &Script<'_>) -> bool {
    let Some(params) = func
        .field(Field::Parameters)
        .or_else(|| func.field(Field::Parameter))
    else {
        return false;
    };
    let mut names: Vec<&str> = Vec::new();
    let mut from_pattern = false;
    ast::visit(params, &mut |n| {
        match n.kind_name() {
            "shorthand_property_identifier_pattern" => {
                from_pattern |= says_identity(ast::text(n, src));
            }
            "pair_pattern" => {
                from_pattern |= n
                    .field(Field::Key)
                    .is_some_and(|k| says_identity(ast::text(k, src)));
            }
            "identifier" => names.push(ast::text(n, src)),
            _ => {}
        }
        true
    });
    if from_pattern {
        return true;
    }
    let Some(body) = func.field(Field::Body) else {
        return false;
    };
    ast::any_descendant(body, &mut |n| {
        n.kind_name() == "member_expression"
            && n.field(Field::Object).is_some_and(|o| {
                let o = ast::unwrap_expr(o);
                o.kind_name() == "identifier" && names.contains(&ast::text(o, src))
            })
            && n.field(Field::Property)
                .is_some_and(|p| says_identity(ast::text(p, src)))
    })
}

/// A property that carries who is asking: `user`, `session`, `auth`,
/// `userId`, `accountId`, `emailAccountId`, `organizationId`…
fn says_identity(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "user" | "session" | "auth" | "account" | "currentuser" | "viewer" | "principal" | "claims"
    ) || [
        "userid",
        "accountid",
        "orgid",
        "organizationid",
        "teamid",
        "workspaceid",
        "tenantid",
        "memberid",
        "ownerid",
    ]
    .iter()
    .any(|w| l.ends_with(w))
}

/// Callee words that say a call checks who is asking (`getUserFromRequest`,
/// `validateApiKey`, `checkPermission`, `verifySignature`).
const AUTH_CALL_WORDS: &[&str] = &[
    "auth",
    "session",
    "currentuser",
    "getuser",
    "requireuser",
    "ensureuser",
    "getme",
    "whoami",
    "verify",
    "permission",
    "apikey",
    "api_key",
    "token",
    "signature",
    "constructevent",
    "clerk",
    "guard",
    "authorize",
    "cansee",
    "canedit",
    "canaccess",
    "isadmin",
    "requireadmin",
    "owner",
    "secret",
    "hmac",
    "claims",
];

/// Supabase clients that carry the user's cookie: row-level security decides.
const SUPABASE_CLIENTS: &[&str] = &[
    "createClient",
    "createServerClient",
    "createRouteHandlerClient",
    "createServerActionClient",
    "createServerComponentClient",
    "createPagesServerClient",
];

/// Names of handlers that serve public forms: sign-in, sign-up, password
/// reset, newsletter, contact.
const PUBLIC_NAME_WORDS: &[&str] = &[
    "signin",
    "signup",
    "login",
    "logout",
    "signout",
    "register",
    "forgot",
    "resetpassword",
    "verifyemail",
    "subscribe",
    "newsletter",
    "waitlist",
    "contact",
    "feedback",
    "magiclink",
    "otp",
    "cart",
    "checkout",
];

/// NestJS decorators that mark a method public.
const PUBLIC_DECORATORS: &[&str] = &[
    "Public",
    "AllowAnonymous",
    "SkipAuth",
    "NoAuth",
    "Anonymous",
];

/// A handler public by its name (`signUp` action) or decorator (`@Public()`).
pub(super) fn public_by_name(h: &Handler<'_>, src: &Script<'_>) -> bool {
    if h.framework == crate::ts::frameworks::handlers::Framework::Nest {
        let mut decs = nest::member_decorators(h.node);
        decs.extend(nest::class_decorators(h.node));
        if decs.iter().any(|d| {
            nest::decorator_name(*d, src).is_some_and(|n| PUBLIC_DECORATORS.contains(&n.as_str()))
        }) {
            return true;
        }
    }
    let name = ast::function_name(h.node, src)
        .map(str::to_string)
        .or_else(|| declared_name(h.node, src).map(|n| ast::text(n, src).to_string()));
    name.is_some_and(|n| {
        let l = n.to_ascii_lowercase().replace(['_', '-'], "");
        PUBLIC_NAME_WORDS.iter().any(|w| l.contains(w))
    })
}

/// The name of the variable a function (or a wrapper call around it) is
/// assigned to: `export const POST = withLogging(async () => …)` → `POST`.
pub(super) fn declared_name<'t>(func: Node<'t>, _src: &Script<'t>) -> Option<Node<'t>> {
    let mut cur = func;
    for _ in 0..32 {
        let p = cur.parent()?;
        match p.kind_name() {
            "variable_declarator" => return p.field(Field::Name),
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "arguments"
            | "call_expression"
            | "await_expression" => cur = p,
            _ => return None,
        }
    }
    None
}

/// Signs in the handler's body of protection the rule cannot see or judge:
/// an auth-like call, the `Authorization` header or cookies read, `req.user`
/// / `ctx.session`, a `process.env` secret, a Supabase server client, the
/// request handed to an imported function.
pub(super) fn protected_out_of_sight(h: &Handler<'_>, src: &Script<'_>) -> bool {
    protected_in(h.node, h.request.or(h.context), src)
}

/// Middleware written inline before the handler, on the router
/// (`app.use(async (c, next) => { if (c.req.header('x-api-key') !==
/// process.env.API_KEY) return c.json({}, 403); … })`) or in the route
/// (`app.post('/x', (req, res, next) => …, handler)`), that shows the same
/// signs of checking who is asking.
pub(super) fn inline_middleware_authenticates(h: &Handler<'_>, src: &Script<'_>) -> bool {
    let Some(call) = h.registration else {
        return false;
    };
    let mut fns = router_inline_middleware_of(call, src);
    if let Some(r) = route_of(call, src) {
        fns.extend(r.handlers.iter().filter(|f| f.id() != h.node.id()));
    }
    fns.into_iter().any(|f| {
        // the middleware's first parameter is its request (or context)
        let first = f
            .field(Field::Parameters)
            .and_then(|ps| ps.named_child(0))
            .and_then(|p| p.field(Field::Pattern).or(Some(p)))
            .or_else(|| f.field(Field::Parameter))
            .filter(|p| p.kind_name() == "identifier")
            .map(|p| ast::text(p, src));
        protected_in(f, first, src)
    })
}

/// The signs of [`protected_out_of_sight`] in `func`, whose request (or
/// context) parameter is `request`.
fn protected_in(func: Node<'_>, request: Option<&str>, src: &Script<'_>) -> bool {
    let mut found = false;
    ast::visit(func, &mut |n| {
        if found {
            return false;
        }
        found = match n.kind_name() {
            "call_expression" => auth_like_call(n, src) || hands_over_request(n, request, src),
            "string" | "template_string" => ast::string_value(n, src).is_some_and(|v| {
                let l = v.to_ascii_lowercase();
                [
                    "authorization",
                    "api-key",
                    "apikey",
                    "api_key",
                    "secret",
                    "token",
                    "session",
                    "x-user",
                    "cookie",
                ]
                .iter()
                .any(|w| l.contains(w))
            }),
            // `async ({ session, workspace }) => …`, `banUser(user, id)`: the
            // caller passes who is asking
            "shorthand_property_identifier_pattern" => is_caller_identity(ast::text(n, src)),
            "identifier" => {
                n.parent().is_some_and(|p| {
                    matches!(p.kind_name(), "required_parameter" | "optional_parameter")
                }) && is_caller_identity(ast::text(n, src))
            }
            "member_expression" => n.field(Field::Property).is_some_and(|p| {
                let prop = ast::text(p, src);
                let path = ast::member_path(n, src).unwrap_or_default();
                // `req.user`, `ctx.state.session`, `res.locals.user`, `event.locals.auth`
                let on_request = path.split('.').next().is_some_and(|root| {
                    Some(root) == request || matches!(root, "res" | "event" | "locals")
                });
                (on_request
                    && matches!(
                        prop.to_ascii_lowercase().as_str(),
                        "user"
                            | "session"
                            | "auth"
                            | "userid"
                            | "currentuser"
                            | "authorization"
                            | "cookies"
                    ))
                    || (path.starts_with("process.env.")
                        && ["SECRET", "TOKEN", "KEY", "PASSWORD"]
                            .iter()
                            .any(|w| prop.contains(w)))
            }),
            _ => false,
        };
        !found
    });
    found
}

/// A function of this file that the handler calls checks who is asking:
/// `case 'POST': return handlePost(req, res)` with `verifyUser(req)` inside
/// (one hop; `calls` are the configured auth calls).
pub(super) fn helper_authenticates(h: &Handler<'_>, src: &Script<'_>, calls: &[&str]) -> bool {
    // each helper is walked once, however often it is called
    let mut seen: Vec<usize> = Vec::new();
    ast::any_descendant(h.node, &mut |n| {
        n.kind_name() == "call_expression"
            && crate::ts::frameworks::effects::local_callee(n, src).is_some_and(|f| {
                if f.id() == h.node.id() || seen.contains(&f.id()) {
                    return false;
                }
                seen.push(f.id());
                ast::any_descendant(f, &mut |c| {
                    c.kind_name() == "call_expression"
                        && (auth::is_auth_call(c, src, calls) || auth_like_call(c, src))
                })
            })
    })
}

/// Parameter names that carry the caller's identity, resolved by whoever
/// calls the function.
fn is_caller_identity(name: &str) -> bool {
    matches!(
        name,
        "user" | "session" | "workspace" | "userId" | "auth" | "currentUser" | "account" | "team"
    )
}

/// Packages whose handler wrappers verify the platform's signature on each
/// delivery (queue and job callbacks): `handleCallback` of `@vercel/queue`,
/// QStash's `verifySignatureAppRouter`, Inngest's and Trigger.dev's `serve`.
const PLATFORM_SIGNED: &[&str] = &[
    "@vercel/queue",
    "@upstash/qstash",
    "inngest",
    "@trigger.dev",
];

/// A wrapper or middleware imported from a module whose path says auth
/// (`withPartnerProfile` from `@/lib/auth/partner`).
pub(super) fn imported_from_auth_module(h: &Handler<'_>, src: &Script<'_>) -> bool {
    h.middleware.iter().any(|m| {
        let first = m.name.split('.').next().unwrap_or(&m.name);
        src.declaration(h.node, first)
            .and_then(|b| b.module().map(|(module, _)| module.to_ascii_lowercase()))
            .is_some_and(|module| {
                ["auth", "session", "guard", "protect", "permission"]
                    .iter()
                    .any(|w| module.contains(w))
                    || PLATFORM_SIGNED.iter().any(|p| module.starts_with(p))
            })
    })
}

fn auth_like_call(call: Node<'_>, src: &Script<'_>) -> bool {
    let Some(path) = ast::callee_path(call, src) else {
        return false;
    };
    let last = path.rsplit('.').next().unwrap_or(&path);
    let l = last.to_ascii_lowercase();
    // a rate limit says the route is public on purpose
    if l == "cookies"
        || path.to_ascii_lowercase().contains("ratelimit")
        || AUTH_CALL_WORDS.iter().any(|w| l.contains(w))
        // `validateSlackRequest(req)`, `validateWebhook(body, sig)`
        || (l.starts_with("validate")
            && ["request", "signature", "webhook", "hmac"]
                .iter()
                .any(|w| l.contains(w)))
    {
        return true;
    }
    if SUPABASE_CLIENTS.contains(&last) || l.contains("supabase") {
        let from_supabase = call
            .field(Field::Function)
            .and_then(|f| src.qualified_name(f))
            .is_some_and(|q| q.module.contains("supabase"));
        return from_supabase || l.contains("supabase") || last != "createClient";
    }
    false
}

/// `handle(req)`, `await service.run(request)`: the request passed whole to
/// a function imported from elsewhere, which may authenticate.
fn hands_over_request(call: Node<'_>, request: Option<&str>, src: &Script<'_>) -> bool {
    let Some(request) = request else {
        return false;
    };
    // `handle(req)`, `handle({ request })`, `handle({ req: request, env })`
    let passes = ast::call_arguments(call).iter().any(|a| {
        let a = ast::unwrap_expr(*a);
        match a.kind_name() {
            "identifier" => ast::text(a, src) == request,
            "object" => {
                let mut c = a.walk();
                let found = a.named_children(&mut c).any(|p| match p.kind_name() {
                    "shorthand_property_identifier" => ast::text(p, src) == request,
                    "pair" => p
                        .field(Field::Value)
                        .is_some_and(|v| ast::text(ast::unwrap_expr(v), src) == request),
                    _ => false,
                });
                found
            }
            _ => false,
        }
    });
    if !passes {
        return false;
    }
    let Some(f) = call.field(Field::Function) else {
        return false;
    };
    let mut root = ast::unwrap_expr(f);
    while root.kind_name() == "member_expression" {
        match root.field(Field::Object) {
            Some(o) => root = ast::unwrap_expr(o),
            None => return false,
        }
    }
    if root.kind_name() != "identifier" {
        return false;
    }
    let Some(b) = src.declaration(root, ast::text(root, src)) else {
        return false;
    };
    if b.kind == BindingKind::Import {
        return true;
    }
    // `const queueHandler = handleCallback(…)` (from `@vercel/queue`), then
    // `export const POST = (request) => queueHandler(request)`
    b.simple_value()
        .map(ast::unwrap_expr)
        .filter(|v| v.kind_name() == "call_expression")
        .and_then(|v| v.field(Field::Function))
        .and_then(|f| src.qualified_name(f))
        .is_some_and(|q| PLATFORM_SIGNED.iter().any(|p| q.module.starts_with(p)))
}

/// A `pages/api` handler that serves a mutating method: it compares
/// `req.method` with `'POST'`… (a handler without a method check serves GET
/// too and is not judged).
pub(super) fn serves_mutating_method(h: &Handler<'_>, src: &Script<'_>) -> bool {
    debug_assert!(h.kind == HandlerKind::PagesApi);
    let mut found = false;
    ast::visit(h.node, &mut |n| {
        if found {
            return false;
        }
        if n.kind_name() == "string" {
            found = ast::string_value(n, src)
                .is_some_and(|v| matches!(v.as_str(), "POST" | "PUT" | "PATCH" | "DELETE"));
        }
        !found
    });
    found
}

/// The registration's router is a variable of this file made by a call
/// (`express()`, `new Hono()`, `Router()`), not exported: nothing else can
/// mount it behind auth.
pub(super) fn local_unexported_router(
    call: Node<'_>,
    src: &Script<'_>,
    exported: &[String],
) -> bool {
    let Some((_, receiver)) = method_call(call, src) else {
        return false;
    };
    let r = ast::unwrap_expr(receiver);
    if r.kind_name() != "identifier" {
        return false;
    }
    let name = ast::text(r, src);
    let Some(b) = src.declaration(r, name) else {
        return false;
    };
    if !b.kind.is_variable() || b.decl.kind_name() != "variable_declarator" {
        return false;
    }
    // a router made inside a function is returned and mounted elsewhere
    let top_level = b
        .decl
        .parent()
        .and_then(|d| d.parent())
        .is_some_and(|p| matches!(p.kind_name(), "program" | "export_statement"));
    if !top_level {
        return false;
    }
    let made = b
        .simple_value()
        .map(ast::unwrap_expr)
        .is_some_and(|v| matches!(v.kind_name(), "call_expression" | "new_expression"));
    if !made {
        return false;
    }
    let exported_decl = b
        .decl
        .parent()
        .and_then(|d| d.parent())
        .is_some_and(|e| e.kind_name() == "export_statement");
    !exported_decl && !exported.iter().any(|e| e == name)
}

/// The names the program's top-level statements export: `export default app`,
/// `export { app }`, `module.exports = app`, `module.exports = { app }`,
/// `exports.app = app` (identifiers outside functions). A file-level fact.
pub(super) fn exported_names(program: Node<'_>, src: &Script<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut c = program.walk();
    let stmts: Vec<Node<'_>> = program.named_children(&mut c).collect();
    let collect = |root: Node<'_>, out: &mut Vec<String>| {
        ast::visit(root, &mut |n| {
            if ast::is_function(n) || n.kind_name() == "class_declaration" {
                return false;
            }
            if matches!(
                n.kind_name(),
                "identifier" | "shorthand_property_identifier"
            ) {
                out.push(ast::text(n, src).to_string());
            }
            true
        })
    };
    for s in stmts {
        match s.kind_name() {
            // `export const x = …` declares: its names are the binding's own
            "export_statement" if s.field(Field::Declaration).is_none() => {
                collect(s, &mut out);
            }
            "expression_statement" => {
                let Some(a) = s
                    .named_child(0)
                    .filter(|a| a.kind_name() == "assignment_expression")
                else {
                    continue;
                };
                let left = a
                    .field(Field::Left)
                    .and_then(|l| ast::member_path(l, src))
                    .unwrap_or_default();
                if left == "module.exports"
                    || left.starts_with("exports.")
                    || left.starts_with("module.exports.")
                {
                    if let Some(right) = a.field(Field::Right) {
                        collect(right, &mut out);
                    }
                }
            }
            _ => {}
        }
    }
    out
}
