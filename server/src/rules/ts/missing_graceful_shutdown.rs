//! `missing-graceful-shutdown`: a long-running server or queue worker, and no
//! SIGTERM handler anywhere in its app (a workspace fact).

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::client_boundary;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use std::cell::Cell;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "missing-graceful-shutdown",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary:
            "A long-running server or queue worker starts and nothing in its app handles SIGTERM",
        docs: DOCS,
        triggers: &["listen(", "serve(", "new Worker", "new Queue"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::CALL_EXPRESSION, kind::NEW_EXPRESSION],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags the call that starts a long-running process — `app.listen(…)` on an Express,
Koa, Fastify, NestJS or `http.createServer` server, `serve(…)` of `@hono/node-server`,
a BullMQ `new Worker(…)` or a Bull `new Queue(…)` — when no file of the same app
handles `SIGTERM`: `process.on('SIGTERM', …)` / `process.once`, Nest's
`app.enableShutdownHooks()`, or a graceful-shutdown library (`@godaddy/terminus`,
`close-with-grace`, `http-terminator`, `lightship`). The app is the folder before
`src/` (or the file's folder) or the file's package (the folder of its nearest
`package.json`), and the handler may be in any file below either (a
workspace fact, updated by the language server when either file changes). Reported
once per file, at the first such call. A queue worker also needs the handler to
close something: a handler that only logs and calls `process.exit(0)` cuts off
the job in flight (a close/disconnect/quit/stop call in the handler's file, a
graceful-shutdown library, a handler passed by name, or a call whose name says
shutdown/close/cleanup/teardown counts as closing; the scan is lexical, so it
errs towards "closes"). No fix then: the handler exists, close the worker in it.

Not checked: Next.js apps (files that import `next`, `app/`, `pages/`), command-line
tools and scripts (`bin/`, `cli/`, `scripts/`, `tools/`), documentation and
health-check servers (`docs/`, `…documentation…`, `…healthcheck…`), config files,
tests, servers on port `0` (an in-process helper), and calls in development-only code.

## Why is this bad?
Containers, Kubernetes, Fly, Railway and Render stop a process with SIGTERM and kill
it a few seconds later. Without a handler Node exits at once: requests in flight get
a reset connection, and a queue worker drops the job it was running (BullMQ retries
it only after the lock expires, or marks it stalled).

## Examples
```ts flagged lines=4
import express from 'express';

const app = express();
const server = app.listen(3000);
```

```ts ok
import express from 'express';

const app = express();
const server = app.listen(3000);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
```

## Fix
**Unsafe**: inserts, after the statement, a handler that closes the server (or the
worker, or for Fastify the instance) and then exits:
`process.on('SIGTERM', () => { server.close(() => process.exit(0)); });` — naming the
server `const server = app.listen(…)` when it was not kept; for NestJS it inserts
`app.enableShutdownHooks();` before `app.listen`. Review it: other resources
(database pools, queues) may need closing too.
"#;

/// What the call starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Start {
    /// `listen` returns the `http.Server`: close that.
    Server,
    /// Fastify: close the instance.
    Fastify,
    /// NestJS: `app.enableShutdownHooks()`.
    Nest,
    /// A queue worker: `worker.close()` (a promise).
    Worker,
}

#[derive(Default)]
struct Reported(Cell<bool>);

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.script();
    let Some(start) = starts(node, &src) else {
        return;
    };
    let path = cx.project_path();
    if skipped_path(&path) || src.contains("from 'next'") || src.contains("from \"next\"") {
        return;
    }
    let reported = cx.memo(Reported::default);
    if reported.0.get() || ast::in_dev_only_code(node, &src) {
        return;
    }
    // The file's own text too (the fix's result is judged before the facts
    // know it), then the other files of its app.
    // The app is the path before `src/`, or the file's package (the folder of
    // its nearest `package.json`: `server/main.ts` handles SIGTERM for
    // `server/queues/queue.ts`).
    let package = cx.facts.markers.package_root(cx.file.path);
    let own = client_boundary::handles_sigterm(&src);
    let handled = own
        || cx.facts.ts.sigterm_handler_near(cx.file.path, false)
        || package.is_some_and(|r| cx.facts.ts.sigterm_handler_under(r, false));
    // a queue worker needs the handler to close it (or something): exiting
    // at once loses the job in flight
    let closes = (own && client_boundary::shutdown_closes(&src))
        || cx.facts.ts.sigterm_handler_near(cx.file.path, true)
        || package.is_some_and(|r| cx.facts.ts.sigterm_handler_under(r, true));
    if handled && (start != Start::Worker || closes) {
        return;
    }
    reported.0.set(true);
    let message = match (start, handled) {
        (Start::Worker, true) => "a queue worker starts and this app's SIGTERM handler closes nothing: on a deploy or scale-down the job in flight is cut off; close the worker (`await worker.close()`) in the handler before exiting".to_string(),
        _ => {
            let what = match start {
                Start::Worker => "a queue worker starts",
                _ => "a server starts listening",
            };
            format!("{what} and nothing in this app handles SIGTERM: on a deploy or scale-down the process is killed with requests or jobs in flight; close it in a `process.on('SIGTERM', …)` handler")
        }
    };
    // the fix inserts a handler: only where there is none
    let fix = (!handled).then(|| fix(cx, node, start)).flatten();
    let d = cx.report(node.byte_range(), message);
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

fn skipped_path(path: &str) -> bool {
    let p = format!("/{path}");
    [
        "/bin/",
        "/cli/",
        "/scripts/",
        "/script/",
        "/app/",
        "/pages/",
        "/tools/",
        "/docs/",
        "documentation",
        "healthcheck",
        "health-check",
        "/mocks/",
        "/e2e/",
    ]
    .iter()
    .any(|d| p.contains(d))
        || p.rsplit('/').next().is_some_and(|f| f.contains(".config."))
}

/// Modules whose default export or factory makes a server that `listen` starts.
const SERVER_MODULES: &[&str] = &["express", "koa", "http", "https", "http2"];

/// Whether `node` starts a server or a worker, and which.
fn starts(node: Node<'_>, src: &Script<'_>) -> Option<Start> {
    if node.kind_name() == kind::NEW_EXPRESSION {
        let ctor = node.field(Field::Constructor)?;
        let q = src.qualified_name(ctor)?;
        return (q.is("bullmq", &["Worker"]) || q.is("bull", &[])).then_some(Start::Worker);
    }
    let callee = node.field(Field::Function)?;
    if let Some(q) = src.qualified_name(callee) {
        if q.is("@hono/node-server", &["serve"]) {
            return Some(Start::Server);
        }
    }
    if callee.kind_name() != kind::MEMBER_EXPRESSION
        || callee.field(Field::Property).map(|p| ast::text(p, src)) != Some("listen")
    {
        return None;
    }
    // `listen(0)`: an ephemeral port, an in-process helper (a local proxy, a test server).
    if ast::call_arguments(node)
        .first()
        .is_some_and(|a| ast::text(*a, src) == "0")
    {
        return None;
    }
    let object = ast::unwrap_expr(callee.field(Field::Object)?);
    let made = match object.kind_name() {
        kind::IDENTIFIER => src
            .value_of(object, ast::text(object, src))
            .map(ast::unwrap_expr)?,
        _ => object,
    };
    let maker = match made.kind_name() {
        kind::CALL_EXPRESSION => made.field(Field::Function)?,
        kind::NEW_EXPRESSION => made.field(Field::Constructor)?,
        _ => return None,
    };
    let q = src.qualified_name(maker)?;
    match q.module.as_str() {
        "fastify" => Some(Start::Fastify),
        "@nestjs/core" if q.path == ["NestFactory", "create"] => Some(Start::Nest),
        m if SERVER_MODULES.contains(&m) => {
            let ok = q.path.is_empty() || q.path == ["createServer"] || q.path == ["default"];
            ok.then_some(Start::Server)
        }
        _ => None,
    }
}

/// The SIGTERM handler after the statement (or Nest's shutdown hooks before it).
fn fix(cx: &RuleContext<'_>, node: Node<'_>, start: Start) -> Option<Fix> {
    let src = cx.script();
    let stmt = ast::enclosing_statement(node)?;
    // Only at the top level of its block (not inside an expression that uses the result).
    let eol = ast::line_ending(&src);
    let indent = ast::line_indent(&src, stmt.start_byte()).to_string();
    let unit = ast::indent_unit_at(stmt, &src);
    let q = ast::preferred_quote_near(&src, stmt.start_byte());
    let sigterm = ast::quoted("SIGTERM", q);
    let semi = if ast::text(stmt, &src).trim_end().ends_with(';') {
        ";"
    } else {
        ""
    };
    let receiver = || {
        node.field(Field::Function)
            .and_then(|c| c.field(Field::Object))
            .map(|o| ast::text(o, &src).to_string())
    };
    if start == Start::Nest {
        let app = receiver()?;
        return Some(Fix::unsafe_(
            "Enable Nest's shutdown hooks",
            vec![Edit::insert(
                stmt.start_byte(),
                format!("{app}.enableShutdownHooks(){semi}{eol}{indent}"),
            )],
        ));
    }
    // The name to close, and an edit naming the server when it was not kept.
    let declarator = ast::ancestors(node)
        .take_while(|a| a.id() != stmt.id())
        .find(|a| a.kind_name() == kind::VARIABLE_DECLARATOR);
    let mut edits = Vec::new();
    let name = match (start, declarator) {
        (Start::Fastify, _) => receiver()?,
        (_, Some(d)) => {
            let n = d.field(Field::Name)?;
            if n.kind_name() != kind::IDENTIFIER
                || d.field(Field::Value).map(ast::unwrap_expr).map(|v| v.id()) != Some(node.id())
            {
                return None;
            }
            ast::text(n, &src).to_string()
        }
        (_, None) => {
            if stmt.kind_name() != kind::EXPRESSION_STATEMENT
                || stmt.named_child(0).map(|e| e.id()) != Some(node.id())
            {
                return None;
            }
            let name = if start == Start::Worker {
                "worker"
            } else {
                "server"
            };
            if src.declaration(node, name).is_some() {
                return None;
            }
            edits.push(Edit::insert(stmt.start_byte(), format!("const {name} = ")));
            name.to_string()
        }
    };
    let close = match start {
        Start::Worker => format!("{name}.close().then(() => process.exit(0)){semi}"),
        _ => format!("{name}.close(() => process.exit(0)){semi}"),
    };
    edits.push(Edit::insert(
        stmt.end_byte(),
        format!("{eol}{indent}process.on({sigterm}, () => {{{eol}{indent}{unit}{close}{eol}{indent}}}){semi}"),
    ));
    Some(Fix::unsafe_("Close it on SIGTERM", edits))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "missing-graceful-shutdown";

    #[test]
    fn flags_servers_and_workers_once_per_file() {
        let src = "import express from 'express';\nconst app = express();\nconst server = app.listen(3000);\napp.listen(3001);\n";
        assert_eq!(
            assert_flags(R, "src/server.ts", src, 1),
            vec!["app.listen(3000)"]
        );
        assert_flags(
            R,
            "src/http.ts",
            "import http from 'node:http';\nhttp.createServer(handler).listen(8080);\n",
            1,
        );
        assert_flags(R, "src/main.ts", "import Fastify from 'fastify';\nconst fastify = Fastify();\nawait fastify.listen({ port: 3000 });\n", 1);
        assert_flags(R, "src/index.ts", "import { serve } from '@hono/node-server';\nserve({ fetch: app.fetch, port: 3000 });\n", 1);
        assert_flags(
            R,
            "src/worker.ts",
            "import { Worker } from 'bullmq';\nconst worker = new Worker('emails', processor);\n",
            1,
        );
        assert_flags(
            R,
            "src/worker.js",
            "const Queue = require('bull');\nconst q = new Queue('emails');\nq.process(handler);\n",
            1,
        );
        assert_flags(R, "src/main.ts", "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3000);\n}\n", 1);
    }

    #[test]
    fn near_miss_a_sigterm_handler_in_the_app() {
        let server = "import express from 'express';\nconst app = express();\nexport const server = app.listen(3000);\n";
        for handler in [
            "process.on('SIGTERM', () => server.close());\n",
            "for (const s of ['SIGINT', 'SIGTERM']) process.once(s, stop);\n",
            "app.enableShutdownHooks();\n",
            "createTerminus(server, { onSignal });\n",
        ] {
            let files = [
                ("api/src/server.ts", server),
                ("api/src/lib/shutdown.ts", handler),
            ];
            assert!(
                findings_in_workspace_at(R, "api/src/server.ts", &files).is_empty(),
                "{handler}"
            );
        }
        // near miss of the near miss: a handler in another app, or SIGINT only
        let files = [
            ("api/src/server.ts", server),
            ("worker/src/index.ts", "process.on('SIGTERM', stop);\n"),
        ];
        assert_eq!(
            findings_in_workspace_at(R, "api/src/server.ts", &files).len(),
            1
        );
        let sigint = format!("{server}process.on('SIGINT', () => process.exit(0));\n");
        assert_flags(R, "src/server.ts", &sigint, 1);
        // no `src/` folder: the package (nearest package.json) is the app
        let worker =
            "import { Worker } from 'bullmq';\nexport const worker = new Worker('emails', run);\n";
        let main = "process.once('SIGTERM', async () => {\n  await worker.close();\n});\n";
        let files = [
            ("svc/package.json", "{}"),
            ("svc/server/queues/queue.ts", worker),
            ("svc/server/main.ts", main),
        ];
        assert!(findings_in_workspace_at(R, "svc/server/queues/queue.ts", &files).is_empty());
        // near miss: without the package.json, `server/queues/` is its own app
        let files = [
            ("svc/server/queues/queue.ts", worker),
            ("svc/server/main.ts", main),
        ];
        assert_eq!(
            findings_in_workspace_at(R, "svc/server/queues/queue.ts", &files).len(),
            1
        );
    }

    #[test]
    fn a_worker_needs_a_handler_that_closes_something() {
        let worker =
            "import { Worker } from 'bullmq';\nexport const worker = new Worker('emails', run);\n";
        // a handler that only exits: the job in flight is cut off
        for exits in [
            "process.on('SIGTERM', () => process.exit(0));\n",
            "process.once(\"SIGTERM\", async () => {\n  logger.info('bye');\n  process.exit(0);\n});\n",
        ] {
            let files = [("jobs/src/worker.ts", worker), ("jobs/src/shutdown.ts", exits)];
            let d = findings_in_workspace_at(R, "jobs/src/worker.ts", &files);
            assert_eq!(d.len(), 1, "{exits}");
            assert!(d[0].message.contains("closes nothing"), "{}", d[0].message);
            assert!(d[0].fix().is_none(), "no second handler is inserted");
        }
        // near misses: it closes the worker, or hands off to a named function
        for closes in [
            "import { worker } from './worker';\nprocess.on('SIGTERM', async () => { await worker.close(); process.exit(0); });\n",
            "process.on('SIGTERM', shutdown);\n",
            "process.on('SIGTERM', () => Promise.all(queues.map((q) => q.close())));\n",
            "import { onShutdown } from './lifecycle';\nprocess.on('SIGTERM', () => onShutdown('SIGTERM'));\n",
        ] {
            let files = [("jobs/src/worker.ts", worker), ("jobs/src/shutdown.ts", closes)];
            assert!(
                findings_in_workspace_at(R, "jobs/src/worker.ts", &files).is_empty(),
                "{closes}"
            );
        }
        // near miss: a server only needs a handler
        let server = "import express from 'express';\nconst app = express();\nexport const server = app.listen(3000);\n";
        let files = [
            ("api/src/server.ts", server),
            (
                "api/src/shutdown.ts",
                "process.on('SIGTERM', () => process.exit(0));\n",
            ),
        ];
        assert!(findings_in_workspace_at(R, "api/src/server.ts", &files).is_empty());
        // the worker's own file: exiting only, then closing
        assert_flags(
            R,
            "src/worker.ts",
            &format!("{worker}process.on('SIGTERM', () => process.exit(0));\n"),
            1,
        );
        assert_clean(
            R,
            "src/worker.ts",
            &format!("{worker}process.on('SIGTERM', () => worker.close());\n"),
        );
    }

    #[test]
    fn near_miss_other_listens_next_cli_dev_and_tests() {
        assert_clean(R, "src/proxy.ts", "import http from 'http';\nconst proxy = http.createServer(h);\nproxy.listen(0, '127.0.0.1');\n");
        assert_clean(R, "src/a.ts", "emitter.listen(3000);\nsocket.listen();\nconst q = new Queue('x');\nnew Worker('./w.js');\n");
        assert_clean(R, "server.ts", "import next from 'next';\nimport express from 'express';\nconst app = express();\napp.listen(3000);\n");
        let express = "import express from 'express';\nconst app = express();\napp.listen(3000);\n";
        for path in [
            "scripts/dev-server.ts",
            "bin/serve.ts",
            "src/cli/preview.ts",
            "vite.config.ts",
            "src/server.test.ts",
            "packages/api-documentation/src/index.ts",
            "docker/healthcheck/healthcheck.js",
        ] {
            assert_clean(R, path, express);
        }
        assert_clean(R, "src/server.ts", "import express from 'express';\nconst app = express();\nif (process.env.NODE_ENV !== 'production') {\n  app.listen(3000);\n}\n");
    }

    #[test]
    fn fix_inserts_a_handler_that_closes_the_server() {
        check_fix(
            R,
            "src/server.ts",
            "import express from 'express';\nconst app = express();\napp.listen(3000, () => console.log('up'));\n",
            true,
            "import express from 'express';\nconst app = express();\nconst server = app.listen(3000, () => console.log('up'));\nprocess.on('SIGTERM', () => {\n  server.close(() => process.exit(0));\n});\n",
        );
        check_fix(
            R,
            "src/worker.ts",
            "import { Worker } from \"bullmq\"\nconst emails = new Worker(\"emails\", run)\n",
            true,
            "import { Worker } from \"bullmq\"\nconst emails = new Worker(\"emails\", run)\nprocess.on(\"SIGTERM\", () => {\n  emails.close().then(() => process.exit(0))\n})\n",
        );
        check_fix(
            R,
            "src/main.ts",
            "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n    const app = await NestFactory.create(AppModule);\n    await app.listen(3000);\n}\n",
            true,
            "import { NestFactory } from '@nestjs/core';\nasync function bootstrap() {\n    const app = await NestFactory.create(AppModule);\n    app.enableShutdownHooks();\n    await app.listen(3000);\n}\n",
        );
    }

    #[test]
    fn ranges_and_fix_on_crlf_with_non_ascii_text() {
        let src = "import express from 'express';\r\nconst msg = 'café 😀';\r\nconst app = express();\r\nconst server = app.listen(3000);\r\n";
        let d = findings(R, "src/é.ts", src);
        assert_eq!(d.len(), 1);
        assert_eq!(&src[d[0].range.clone()], "app.listen(3000)");
        check_fix(
            R,
            "src/é.ts",
            src,
            true,
            "import express from 'express';\r\nconst msg = 'café 😀';\r\nconst app = express();\r\nconst server = app.listen(3000);\r\nprocess.on('SIGTERM', () => {\r\n  server.close(() => process.exit(0));\r\n});\r\n",
        );
    }
}
