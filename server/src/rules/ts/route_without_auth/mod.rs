//! The `route-without-auth` rule: metadata, docs, options and the `check`
//! entry with its top-level flow here; the rest by topic:
//! - `effects`: whether a handler visibly changes data.
//! - `evidence`: what counts as authentication (or as protection the model
//!   cannot see), beyond the framework model's `auth::authenticates`.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, OptionKind, RuleLanguage, RuleMeta, RuleOption, RuleOptions};
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::auth::{self, DEFAULT_AUTH_CALLS, DEFAULT_AUTH_WRAPPERS};
use crate::ts::frameworks::effects;
use crate::ts::frameworks::handlers::{route_of, Framework, Handler, HandlerKind, Via};
use crate::ts::frameworks::nest;
use crate::ts::kind;
use crate::ts::semantic::Script;
use globset::{Glob, GlobSet, GlobSetBuilder};
use tree_sitter::Node;

mod evidence;
#[cfg(test)]
mod tests;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "route-without-auth",
        language: RuleLanguage::Script,
        tier: 'B',
        // `info`, not the catalogue's `warn`: measured on 35 real repositories
        // it is right about half the time (6 of 12 findings; the rest are
        // public-on-purpose routes, silenced by a `public-routes` glob), and
        // its true findings are serious. Raise it with `route-without-auth = "warn"`.
        default_level: Level::Info,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A route that changes data without checking who is asking",
        docs: DOCS,
        // Next route files and `pages/api` (by path), server actions, router
        // registrations of mutating methods, NestJS mutating decorators.
        triggers: &[
            "route.",
            "pages/api",
            "use server",
            ".post(",
            ".put(",
            ".patch(",
            // `.delete(` alone is every Map, Set and URLSearchParams: a route's path starts with `/`
            ".delete('/",
            ".delete(\"/",
            ".delete(`/",
            "@post(",
            "@put(",
            "@patch(",
            "@delete(",
        ],
        also_triggers: &[],
        options: RuleOptions::typed::<RouteAuthOptions>(&[
            RuleOption {
                name: "auth-functions",
                kind: OptionKind::StringList,
                default: "[]",
                help: "More calls that authenticate (added to the defaults: `auth`, `getServerSession`, `currentUser`, `supabase.auth.getUser`, `requireAuth`, `verifyToken`…); `a.b` matches the end of a callee's path",
            },
            RuleOption {
                name: "auth-wrappers",
                kind: OptionKind::StringList,
                default: "[]",
                help: "More higher-order functions and middleware that authenticate (added to `withAuth`, `withApiAuthRequired`, `requireAuth`, `passport.authenticate`…); a trailing `*` matches a prefix (`with*`)",
            },
            RuleOption {
                name: "public-routes",
                kind: OptionKind::StringList,
                default: "[]",
                help: "More globs of public route paths or files (added to the defaults: health, status, webhooks, auth callbacks, sitemaps, OG images, `public`)",
            },
        ]),
    },
    kinds: kind::FUNCTIONS,
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a route that changes data and shows no sign of checking who is asking:
a Next.js route handler (`POST`, `PUT`, `PATCH`, `DELETE` exported from
`app/**/route.ts`), a `pages/api` handler that serves a mutating method, a
server action (an exported function of a `'use server'` file), a mutating
route of an Express/Fastify/Hono/Koa app created in the file, and a NestJS
`@Post()`/`@Put()`/`@Patch()`/`@Delete()` method.

A route is authenticated when it calls an auth function (`auth()`,
`getServerSession()`, `currentUser()`, `supabase.auth.getUser()`,
`requireAuth()`, `verifyToken()`, or any call whose name says it checks a
user, session, token, API key, permission or signature), is wrapped in an
auth higher-order function (`withAuth(handler)`; any `with…` wrapper whose name
says user, session, workspace, team, admin…), has route or router-level
middleware that authenticates (`router.use(requireAuth)` before it,
`app.post('/x', passport.authenticate('jwt'), h)`), a NestJS guard
(`@UseGuards`, or a global guard: `app.useGlobalGuards` / `APP_GUARD` anywhere
in the workspace), a module's authenticating middleware for its controller
(`consumer.apply(AuthMiddleware).forRoutes(ItemsController)`, also through a
spread list, or `forRoutes('*')` without `exclude`), or runs behind a Next.js `middleware.ts` (`proxy.ts`) whose
matcher covers its path and which checks a session.

Only handlers that visibly change something are judged: a call whose name
starts with a write verb (`db.post.create`, `.insert`, `.delete`, `put`,
`sendEmail`, `stripe.refunds.create`, `streamText`), a `fetch` with a method
other than GET, or SQL that writes, in the handler or one hop into a function
of the same file. A `POST` that only answers 405, waits, or sets the caller's
own cookies, headers or response is not.

Auth in a function of the same file that the handler calls counts
(`case 'POST': return handlePost(req, res)` with `verifyUser(req)` inside). A
wrapper with a neutral name (`withProvider(handler)`) counts when it is
defined in the file and checks a session, or when the handler receives the
caller's identity from it (`({ user }) =>`, `request.auth`,
`request.accountId`).

The rule stays quiet where protection may exist out of its sight: a route
that reads the `Authorization` header, a cookie, `req.user` / `ctx.session`,
or compares with a `process.env` secret; one that calls a `verify…` or
`validate…Request` function; one that uses a Supabase server
client (row-level security decides); one that hands its request to an
imported function (`handle(req)`, `handle({ request })`); a queue callback
whose platform signs each delivery (`@vercel/queue`, QStash, Inngest,
Trigger.dev), exported as the route or called with the route's request
(`const h = handleCallback(…)`, then `POST = (req) => h(req)`); a router exported or received as a parameter (it is
mounted elsewhere, maybe behind auth); a middleware matcher it cannot
evaluate; a rate limiter in the route (public on purpose). Public routes are skipped: health and status checks, webhooks,
auth callbacks and provider callbacks (`ses_callback`), sign-in/sign-up,
one-click unsubscribe links, sitemaps, robots, OG images, `public` paths,
carts and checkouts (guest flows in stores),
and the globs of the `public-routes` option. `GET` routes are not flagged
(public data is common; reads without auth are for review, not a linter).

The default level is `info`, not `warn`: measured on 35 real projects (32 in
the tuning set, 3 held out), 6 of its 12 findings were real (an unauthenticated
upload, a server action that deletes any tenant, routes that spend AI credits);
the others were routes public on purpose, which one `public-routes` glob
silences. Set `route-without-auth = "warn"` once the public routes are listed.

## Why is this bad?
Anyone who finds the URL can call an unauthenticated mutating route: create
records, delete other users' data, spend your API credits. Launch checklists
ask for auth on every route that writes.

## Examples
```ts flagged lines=1 path=app/api/posts/route.ts
export async function POST(req: Request) {
  const { title } = await req.json();
  const post = await db.post.create({ data: { title } });
  return Response.json(post);
}
```

```ts flagged lines=4 path=src/server.ts
import express from 'express';
const app = express();
app.use(express.json());
app.delete('/api/users/:id', async (req, res) => {
  await db.user.delete({ where: { id: req.params.id } });
  res.sendStatus(204);
});
app.listen(3000);
```

```ts ok path=app/api/posts/route.ts
import { auth } from '@/auth';
export async function POST(req: Request) {
  const session = await auth();
  if (!session) return new Response(null, { status: 401 });
  const { title } = await req.json();
  return Response.json(await db.post.create({ data: { title, authorId: session.user.id } }));
}
```

```ts ok path=src/server.ts
import express from 'express';
const app = express();
app.use(requireAuth);
app.delete('/api/users/:id', async (req, res) => {
  await db.user.delete({ where: { id: req.params.id } });
  res.sendStatus(204);
});
app.listen(3000);
```

```ts ok path=app/api/webhooks/stripe/route.ts
// A public route: webhooks authenticate by signature (see `webhook-unverified`).
export async function POST(req: Request) {
  const event = stripe.webhooks.constructEvent(await req.text(), sig, secret);
  return new Response('ok');
}
```

## Fix
None: check the session or token at the top of the handler (`const session =
await auth(); if (!session) return 401`), wrap it (`withAuth(handler)`), put
it behind router or Next.js middleware that authenticates, or list it in
`public-routes` when it is public on purpose.
"#;

/// Options: `[rules.route-without-auth]`.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RouteAuthOptions {
    pub auth_functions: Vec<String>,
    pub auth_wrappers: Vec<String>,
    pub public_routes: Vec<String>,
    /// The lists and globs compiled, once per configuration (not per file).
    #[serde(skip)]
    compiled: std::sync::OnceLock<Settings>,
}

/// Public route paths (matched against the route's URL path without its
/// leading `/`, and against the file's path).
const DEFAULT_PUBLIC: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "health-check",
    "status",
    "ping",
    "ready",
    "live",
    "webhook",
    "webhooks",
    "*webhook*",
    "callback",
    "callbacks",
    // `ses_callback`, `sns-callback`: a provider's notifications
    "*_callback",
    "*-callback",
    "auth",
    "oauth",
    "login",
    "logout",
    "signin",
    "sign-in",
    "signup",
    "sign-up",
    "register",
    "forgot-password",
    "reset-password",
    "verify-email",
    "sitemap*",
    "robots*",
    "og",
    "opengraph-image*",
    "twitter-image*",
    "public",
    // one-click unsubscribe links (RFC 8058): `unsubscribe-oneclick`
    "unsubscribe*",
    "manifest*",
    "favicon*",
    "cart",
    "checkout",
];

/// The rule's configuration for one file: lists and the public globs.
struct Settings {
    calls: Vec<String>,
    wrappers: Vec<String>,
    wrapper_prefixes: Vec<String>,
    public: GlobSet,
}

fn settings(opts: &RouteAuthOptions) -> Settings {
    let mut calls: Vec<String> = DEFAULT_AUTH_CALLS.iter().map(|s| s.to_string()).collect();
    calls.extend(opts.auth_functions.iter().cloned());
    let mut wrappers: Vec<String> = DEFAULT_AUTH_WRAPPERS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut wrapper_prefixes = Vec::new();
    for w in &opts.auth_wrappers {
        match w.strip_suffix('*') {
            Some(prefix) => wrapper_prefixes.push(prefix.to_string()),
            None => wrappers.push(w.clone()),
        }
    }
    let mut b = GlobSetBuilder::new();
    for seg in DEFAULT_PUBLIC {
        for g in [
            format!("**/{seg}"),
            format!("**/{seg}/**"),
            seg.to_string(),
            format!("{seg}/**"),
        ] {
            if let Ok(g) = Glob::new(&g) {
                b.add(g);
            }
        }
    }
    for g in &opts.public_routes {
        if let Ok(g) = Glob::new(g.trim_start_matches('/')) {
            b.add(g);
        }
    }
    Settings {
        calls,
        wrappers,
        wrapper_prefixes,
        public: b.build().unwrap_or_else(|_| GlobSet::empty()),
    }
}

/// File fact: the names the file exports (see `evidence::exported_names`).
struct Exported(Vec<String>);

const MUTATING: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let rel = cx.project_path();
    let Some(h) = super::handler_of_memo(cx, node, src, &rel) else {
        return;
    };
    let exported = cx.memo(|| Exported(evidence::exported_names(src.program(node), src)));
    if !judged(&h, src, &exported.0) {
        return;
    }
    let opts = cx.options::<RouteAuthOptions>();
    // without a `[rules.route-without-auth]` table each call gets fresh
    // default options: the default settings are compiled once per process
    static DEFAULT: std::sync::LazyLock<Settings> =
        std::sync::LazyLock::new(|| settings(&RouteAuthOptions::default()));
    let configured = !(opts.auth_functions.is_empty()
        && opts.auth_wrappers.is_empty()
        && opts.public_routes.is_empty());
    let settings = if configured {
        opts.compiled.get_or_init(|| settings(&opts))
    } else {
        &DEFAULT
    };
    let route = h.path.as_deref().unwrap_or("");
    if settings.public.is_match(route.trim_start_matches('/'))
        || settings.public.is_match(rel.to_ascii_lowercase())
        || evidence::public_by_name(&h, src)
    {
        return;
    }
    let calls: Vec<&str> = settings.calls.iter().map(String::as_str).collect();
    if authenticated(&h, src, settings)
        || evidence::helper_authenticates(&h, src, &calls)
        || evidence::imported_from_auth_module(&h, src)
        || evidence::protected_out_of_sight(&h, src)
        || evidence::inline_middleware_authenticates(&h, src)
    {
        return;
    }
    // a `POST` that answers 405, sleeps or sets the caller's own cookie
    if !effects::changes_data(&h, src) {
        return;
    }
    if h.framework == Framework::Next {
        let protects = match h.kind {
            HandlerKind::Action => cx.facts.ts.any_middleware_authenticates(cx.file.path),
            _ => cx.facts.ts.middleware_protects(cx.file.path, route),
        };
        if protects {
            return;
        }
    }
    if h.framework == Framework::Nest
        && (cx.facts.ts.nest_global_guard()
            || nest::class_name(h.node, src)
                .is_some_and(|c| cx.facts.ts.nest_controller_authenticated(c)))
    {
        return;
    }
    let what = describe(&h);
    let range = report_node(&h, src).byte_range();
    let how = match h.framework {
        Framework::Next => "check the session first (e.g. `const session = await auth(); if (!session) return 401`) or wrap it in an auth wrapper",
        Framework::Nest => "add a guard (`@UseGuards(AuthGuard)`) or a global one",
        Framework::Deno => "check the caller first (e.g. `const { data: { user } } = await supabase.auth.getUser()`; 401 without one)",
        _ => "put auth middleware before it (`router.use(requireAuth)` or in the route)",
    };
    cx.report(
        range,
        format!("{what} changes data without an auth check; {how}, or list it in `public-routes` if it is public on purpose"),
    );
}

/// The handlers this rule judges: mutating routes, `pages/api` handlers that
/// serve a mutating method, server actions; for routers, only the last
/// function of the registration, on a router created in this file and not
/// exported.
fn judged(h: &Handler<'_>, src: &Script<'_>, exported: &[String]) -> bool {
    match h.kind {
        HandlerKind::Middleware => false,
        HandlerKind::Action => true,
        HandlerKind::PagesApi => evidence::serves_mutating_method(h, src),
        HandlerKind::Route => {
            if !h.method.is_some_and(|m| MUTATING.contains(&m)) {
                return false;
            }
            match h.registration {
                None => true,
                Some(call) => route_of(call, src).is_some_and(|r| {
                    r.handlers.last().is_some_and(|l| l.id() == h.node.id())
                        && evidence::local_unexported_router(call, src, exported)
                }),
            }
        }
    }
}

/// Auth in the framework model's sense (configured lists), or a wrapper or
/// middleware whose name says it authenticates.
fn authenticated(h: &Handler<'_>, src: &Script<'_>, s: &Settings) -> bool {
    let calls: Vec<&str> = s.calls.iter().map(String::as_str).collect();
    let wrappers: Vec<&str> = s.wrappers.iter().map(String::as_str).collect();
    if auth::authenticates(h, src, &calls, &wrappers).is_some() {
        return true;
    }
    h.middleware.iter().any(|m| {
        let last = m.name.rsplit('.').next().unwrap_or(&m.name);
        s.wrapper_prefixes
            .iter()
            .any(|p| last.starts_with(p.as_str()))
            || (m.via != Via::Guard
                && (evidence::says_auth(&m.name) || evidence::says_rate_limit(&m.name)))
    }) || evidence::wrapper_authenticates(h, src)
}

/// What the message calls the handler: "`POST /api/posts`", "Server action `save`".
fn describe(h: &Handler<'_>) -> String {
    match (h.kind, h.method, h.path.as_deref()) {
        (HandlerKind::Action, _, _) => "This server action".to_string(),
        (_, Some(m), Some(p)) => format!("Route `{m} {p}`"),
        (_, _, Some(p)) => format!("API route `{p}`"),
        _ => "This route".to_string(),
    }
}

/// Where the finding goes: the function's name, the exported variable's
/// name, or the registration's callee (`app.post`).
fn report_node<'t>(h: &Handler<'t>, src: &Script<'t>) -> Node<'t> {
    if let Some(call) = h.registration {
        if let Some(f) = call.field(Field::Function) {
            return f;
        }
    }
    if let Some(n) = h.node.field(Field::Name) {
        return n;
    }
    evidence::declared_name(h.node, src).unwrap_or(h.node)
}
