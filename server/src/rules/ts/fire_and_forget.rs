//! `fire-and-forget`: promise work a serverless handler starts and does not wait for.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers::{self, Framework};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "fire-and-forget",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A serverless handler starts promise work it does not wait for",
        docs: DOCS,
        // Next.js handlers live in route files, `pages/api` and server actions;
        // other frameworks' handlers (judged in serverless projects only) are
        // registered on a path (`app.post('/…'`, Fastify's `route({`) or by a
        // NestJS decorator.
        triggers: &[
            "route.",
            "pages/api",
            "use server",
            ".get('/",
            ".get(\"/",
            ".get(`/",
            ".post(",
            ".put(",
            ".patch(",
            ".delete('/",
            ".delete(\"/",
            ".delete(`/",
            ".all('",
            ".route(",
            "@get(",
            "@post(",
            "@put(",
            "@patch(",
            "@delete(",
        ],
        // What starts work without waiting for it.
        also_triggers: &[
            "settimeout",
            "setimmediate",
            "nexttick",
            ".then(",
            ".catch(",
            "fetch(",
            "async",
        ],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::EXPRESSION_STATEMENT],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags, directly in the body of a Next.js route handler (`app/**/route.ts`), a
`pages/api` handler or a server action, a statement that starts asynchronous work
and does not wait for it:
- a promise call left un-awaited: `fetch(…)`, a call of an `async` function of the
  file, a `.then(…)` / `.catch(…)` / `.finally(…)` chain, `Promise.all(…)` — also with
  `void` in front or a `.catch()` attached (the error is handled, the work is still cut off);
- `setTimeout` / `setImmediate` / `process.nextTick` / `queueMicrotask` given an `async`
  callback or one that awaits.

The same in a route handler of another framework (Express, Fastify, Hono, Koa,
NestJS…) when the project is deployed as serverless functions: a folder above the
file holds `vercel.json`, `netlify.toml` or `serverless.yml`, within the file's own
package (a config above the nearest `package.json` belongs to another project of the
monorepo). Without one, such a server is a long-running process: not checked.

An app served by a custom Next.js server (a file importing `next` that calls
`createServer` / `.listen`, in the app's folder or beside it) is a long-lived process,
not serverless: not checked. Awaited, returned or assigned promises are not findings, and neither is work handed to
the platform: `after(…)` (`next/server`) and `waitUntil(…)` (`@vercel/functions`,
`ctx.waitUntil`). Calls of imported functions are not judged (whether they return a
promise is not known from the file), nor are statements in callbacks inside the handler.

## Why is this bad?
On serverless platforms (Vercel, Netlify, AWS Lambda) the instance is frozen or
stopped once the response is sent: the email, the analytics event or the cache write
started without `await` is cut off at a random point, and its error is never logged.
It works on a laptop and loses work in production.

## Examples
```ts flagged lines=7,8 path=app/api/signup/route.ts
async function sendWelcomeEmail(email: string) {
  await resend.emails.send({ to: email, subject: 'Welcome' });
}

export async function POST(req: Request) {
  const { email } = await req.json();
  sendWelcomeEmail(email);
  fetch('https://hooks.example.com/signup', { method: 'POST' }).catch(console.error);
  return Response.json({ ok: true });
}
```

```ts ok path=app/api/signup/route.ts
import { after } from 'next/server';
async function sendWelcomeEmail(email: string) {
  await resend.emails.send({ to: email, subject: 'Welcome' });
}

export async function POST(req: Request) {
  const { email } = await req.json();
  await sendWelcomeEmail(email);
  after(() => fetch('https://hooks.example.com/signup', { method: 'POST' }));
  return Response.json({ ok: true });
}
```

```ts flagged lines=9 path=src/app.ts beside=vercel.json,package.json
import express from 'express';
const app = express();

async function trackSignup(email: string) {
  await analytics.track('signup', { email });
}

app.post('/signup', async (req, res) => {
  trackSignup(req.body.email);
  res.status(201).json({ ok: true });
});
export default app;
```

```ts ok path=src/app.ts beside=package.json
import express from 'express';
const app = express();

async function trackSignup(email: string) {
  await analytics.track('signup', { email });
}

// no vercel.json: a long-running server, where the work finishes after the response
app.post('/signup', async (req, res) => {
  trackSignup(req.body.email);
  res.status(201).json({ ok: true });
});
app.listen(3000);
```

## Fix
None: `await` the work, or hand it to `after(() => …)` (Next.js 15) /
`waitUntil(promise)` so that the platform keeps the instance alive until it ends.
"#;

fn check(cx: &mut RuleContext<'_>, stmt: Node<'_>) {
    let src = cx.script();
    let Some(mut expr) = stmt.named_child(0).map(strip) else {
        return;
    };
    // `void sendEmail()`
    if expr.kind_name() == kind::UNARY_EXPRESSION && ast::has_token_child(expr, "void") {
        match expr.field(Field::Argument).map(strip) {
            Some(a) => expr = a,
            None => return,
        }
    }
    if expr.kind_name() != kind::CALL_EXPRESSION {
        return;
    }
    let what = if let Some(timer) = scheduled_async_work(expr, &src) {
        format!("`{timer}` schedules async work")
    } else if promise_call(expr, &src) {
        let text = ast::text(expr, &src);
        let first: String = text.lines().next().unwrap_or("").chars().take(40).collect();
        let more = if first.len() < text.len() { "…" } else { "" };
        format!("`{first}{more}` starts a promise that is not awaited")
    } else {
        return;
    };
    // Directly in a Next.js handler's body (not in a callback inside it).
    let Some(func) = ast::enclosing_function(stmt) else {
        return;
    };
    let path = cx.file.path_str();
    let Some(handler) = handlers::handler_of(func, &src, &path) else {
        return;
    };
    let target = if handler.framework == Framework::Next {
        if cx.facts.ts.custom_next_server_near(cx.file.path) {
            return;
        }
        String::new()
    } else {
        // Another framework's handler: serverless when the project holding the
        // file is deployed as functions (`vercel.json`, `netlify.toml`, …).
        let Some(config) = cx.facts.markers.serverless_config(cx.file.path) else {
            return;
        };
        let name = config
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        format!(" (`{name}` deploys this project as functions)")
    };
    cx.report(
        expr.byte_range(),
        format!(
            "{what} in a serverless handler{target}: the platform may freeze the function once the response is sent and cut it off; `await` it or pass it to `after(…)` / `waitUntil(…)`"
        ),
    );
}

/// Parentheses, `!`, `as` and `satisfies` looked through; an `await` is kept
/// (unlike `ast::unwrap_expr`): awaited work is what the rule wants.
fn strip(mut node: Node<'_>) -> Node<'_> {
    while matches!(
        node.kind_name(),
        "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// `setTimeout(async () => …)`, `setImmediate(() => { await … })` → the timer's name.
fn scheduled_async_work(call: Node<'_>, src: &Script<'_>) -> Option<String> {
    let path = ast::callee_path(call, src)?;
    let timer = path
        .strip_prefix("global.")
        .or_else(|| path.strip_prefix("globalThis."))
        .unwrap_or(&path);
    if !matches!(
        timer,
        "setTimeout" | "setImmediate" | "process.nextTick" | "queueMicrotask"
    ) {
        return None;
    }
    let callback = ast::call_arguments(call)
        .into_iter()
        .next()
        .map(ast::unwrap_expr)?;
    if !ast::is_function(callback) {
        return None;
    }
    let is_async = ast::has_token_child(callback, "async");
    let awaits = callback
        .field(Field::Body)
        .is_some_and(|b| ast::any_descendant(b, &mut |n| n.kind_name() == kind::AWAIT_EXPRESSION));
    (is_async || awaits).then(|| timer.to_string())
}

/// A call that returns a promise, as far as the file shows.
fn promise_call(call: Node<'_>, src: &Script<'_>) -> bool {
    let Some(callee) = call.field(Field::Function) else {
        return false;
    };
    if callee.kind_name() == kind::MEMBER_EXPRESSION {
        let prop = callee
            .field(Field::Property)
            .map(|p| ast::text(p, src))
            .unwrap_or("");
        if matches!(prop, "then" | "catch" | "finally") {
            return true;
        }
        let path = ast::member_path(callee, src).unwrap_or_default();
        return matches!(
            path.as_str(),
            "Promise.all" | "Promise.allSettled" | "Promise.race" | "Promise.any"
        );
    }
    if callee.kind_name() != kind::IDENTIFIER {
        return false;
    }
    let name = ast::text(callee, src);
    if name == "fetch" && src.declaration(callee, name).is_none() {
        return true;
    }
    // A function of the file declared `async`.
    let Some(binding) = src.declaration(callee, name) else {
        return false;
    };
    let func = if ast::is_function(binding.decl) {
        Some(binding.decl)
    } else {
        binding
            .simple_value()
            .map(ast::unwrap_expr)
            .filter(|v| ast::is_function(*v))
    };
    func.is_some_and(|f| ast::has_token_child(f, "async"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "fire-and-forget";
    const HELPERS: &str = "async function sendEmail(to: string) { await mail.send(to); }\nconst track = async (e: string) => { await posthog.capture(e); };\nfunction syncLog(x: string) { console.log(x); }\n";

    #[test]
    fn flags_unawaited_promises_in_next_handlers() {
        let src = format!(
            "{HELPERS}export async function POST(req: Request) {{\n  sendEmail('a');\n  void track('signup');\n  fetch('https://x.test').catch(console.error);\n  sendEmail('b').then(() => console.log('sent'));\n  Promise.all([sendEmail('c')]);\n  setTimeout(async () => {{ await track('late'); }}, 0);\n  return Response.json({{}});\n}}\n"
        );
        let got = assert_flags(R, "app/api/signup/route.ts", &src, 6);
        assert_eq!(got[0], "sendEmail('a')");
        assert_eq!(got[1], "track('signup')");
        assert!(findings(R, "app/api/signup/route.ts", &src)[5]
            .message
            .contains("`setTimeout` schedules async work"));
        // pages/api and server actions too
        assert_flags(
            R,
            "pages/api/signup.ts",
            &format!("{HELPERS}export default async function handler(req, res) {{\n  sendEmail('a');\n  res.status(200).end();\n}}\n"),
            1,
        );
        assert_flags(
            R,
            "app/actions.ts",
            &format!("'use server';\n{HELPERS}export async function signup(email: string) {{\n  sendEmail(email);\n}}\n"),
            1,
        );
    }

    #[test]
    fn near_miss_awaited_returned_assigned_and_sanctioned() {
        assert_clean(
            R,
            "app/api/signup/route.ts",
            &format!(
                "import {{ after }} from 'next/server';\nimport {{ waitUntil }} from '@vercel/functions';\n{HELPERS}export async function POST(req: Request, ctx: any) {{\n  await sendEmail('a');\n  const p = track('x');\n  after(() => sendEmail('b'));\n  waitUntil(track('c'));\n  ctx.waitUntil(track('d'));\n  syncLog('x');\n  setTimeout(() => console.log('tick'), 10);\n  notify('imported, unknown');\n  await Promise.all([p]);\n  return Response.json({{}});\n}}\n"
            ),
        );
    }

    #[test]
    fn near_miss_outside_serverless_handlers_and_in_callbacks() {
        // an Express server is long-running
        assert_clean(
            R,
            "src/server.ts",
            &format!("import express from 'express';\nconst app = express();\n{HELPERS}app.post('/signup', async (req, res) => {{\n  sendEmail('a');\n  res.json({{}});\n}});\n"),
        );
        // a helper of a route file, and a callback inside the handler
        assert_clean(
            R,
            "app/api/signup/route.ts",
            &format!("{HELPERS}function later() {{ sendEmail('a'); }}\nexport async function POST(req: Request) {{\n  const users = await db.user.findMany();\n  await Promise.all(users.map(async (u) => {{ sendEmail(u.email); }}));\n  return Response.json({{}});\n}}\n"),
        );
    }

    fn express_app(extra: &str) -> String {
        format!("import express from 'express';\nconst app = express();\n{HELPERS}app.post('/signup', async (req, res) => {{\n  sendEmail('a');\n{extra}  res.json({{}});\n}});\nexport default app;\n")
    }

    #[test]
    fn flags_other_frameworks_in_serverless_projects() {
        let app = express_app("  setImmediate(async () => { await track('x'); });\n");
        for config in ["vercel.json", "netlify.toml", "serverless.yml"] {
            let files = [
                ("package.json", "{}"),
                (config, "{}"),
                ("src/app.ts", app.as_str()),
            ];
            let d = findings_in_workspace_at(R, "src/app.ts", &files);
            assert_eq!(d.len(), 2, "{config}");
            assert!(
                d[0].message
                    .contains(&format!("(`{config}` deploys this project as functions)")),
                "{}",
                d[0].message
            );
            assert_eq!(
                snippets_in_workspace(R, &files, 2),
                [
                    "sendEmail('a')",
                    "setImmediate(async () => { await track('x'); })"
                ]
            );
        }
        // Hono and Fastify handlers, in the API folder of a Vercel project
        let hono = format!("import {{ Hono }} from 'hono';\nconst app = new Hono();\n{HELPERS}app.post('/signup', async (c) => {{\n  track('signup');\n  return c.json({{}});\n}});\n");
        let fastify = format!("import Fastify from 'fastify';\nconst app = Fastify();\n{HELPERS}app.get('/ping', async (request, reply) => {{\n  sendEmail('x');\n  return {{ ok: true }};\n}});\n");
        for text in [&hono, &fastify] {
            let files = [("vercel.json", "{}"), ("api/index.ts", text.as_str())];
            assert_eq!(
                findings_in_workspace_at(R, "api/index.ts", &files).len(),
                1,
                "{text}"
            );
        }
    }

    #[test]
    fn near_miss_long_running_servers_and_sibling_projects() {
        let app = express_app("");
        // no serverless config: a long-running server
        let files = [("package.json", "{}"), ("src/app.ts", app.as_str())];
        assert!(findings_in_workspace_at(R, "src/app.ts", &files).is_empty());
        // a sibling project of the monorepo has the vercel.json
        let files = [
            ("apps/web/vercel.json", "{}"),
            ("apps/web/package.json", "{}"),
            ("apps/api/package.json", "{}"),
            ("apps/api/src/app.ts", app.as_str()),
        ];
        assert!(findings_in_workspace_at(R, "apps/api/src/app.ts", &files).is_empty());
        // the root's config, above the API's own package.json
        let files = [
            ("netlify.toml", "[build]\n"),
            ("package.json", "{}"),
            ("packages/backend/package.json", "{}"),
            ("packages/backend/src/app.ts", app.as_str()),
        ];
        assert!(findings_in_workspace_at(R, "packages/backend/src/app.ts", &files).is_empty());
        // in a serverless project: awaited work and callbacks inside the handler stay quiet
        let quiet = format!("import express from 'express';\nconst app = express();\n{HELPERS}app.post('/signup', async (req, res) => {{\n  await sendEmail('a');\n  req.on('close', () => {{ track('x'); }});\n  syncLog('y');\n  res.json({{}});\n}});\n");
        let files = [("vercel.json", "{}"), ("src/app.ts", quiet.as_str())];
        assert!(findings_in_workspace_at(R, "src/app.ts", &files).is_empty());
    }

    #[test]
    fn near_miss_custom_next_server() {
        let route = format!("{HELPERS}export default async function handler(req, res) {{\n  sendEmail('a');\n  res.end();\n}}\n");
        let files = [
            ("app1/pages/api/deploy.ts", route.as_str()),
            ("app1/server/server.ts", "import next from 'next';\nimport { createServer } from 'http';\nconst app = next({ dev: false });\ncreateServer(app.getRequestHandler()).listen(3000);\n"),
        ];
        assert!(findings_in_workspace_at(R, "app1/pages/api/deploy.ts", &files).is_empty());
        // the same route in another app of the repository is serverless
        let other = [files[1], ("app2/pages/api/deploy.ts", route.as_str())];
        assert_eq!(
            findings_in_workspace_at(R, "app2/pages/api/deploy.ts", &other).len(),
            1
        );
    }

    #[test]
    fn ranges_on_crlf_with_non_ascii_text() {
        let src = "async function envoyer() { await mail.send('café 😀'); }\r\nexport async function POST() {\r\n  envoyer();\r\n  return Response.json({});\r\n}\r\n";
        let d = findings(R, "app/api/é/route.ts", src);
        assert_eq!(d.len(), 1);
        assert_eq!(&src[d[0].range.clone()], "envoyer()");
        assert_eq!(d[0].range.start, src.find("envoyer();").unwrap());
    }
}
