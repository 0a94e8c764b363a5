//! `console-in-production`: `console.log/debug/info/trace` left in server code
//! or in a client API wrapper, outside a development guard.
//!
//! What counts as server code: a function the framework model says is an HTTP
//! handler (route callbacks, Next.js route handlers, `pages/api`, server
//! actions, NestJS controllers, middleware), and files that only run on a server
//! by their path (`server/`, `api/`, `backend/`, `worker(s)/`, `jobs/`,
//! `*.server.ts`, `supabase/functions/`, `middleware.ts`) or their imports
//! (Express, Fastify, Hono, Koa, NestJS, `next/server`, `server-only`). A
//! client API wrapper is a file named for an API client (`api.ts`,
//! `apiClient.ts`, `http.ts`, `services/users.ts`) that calls `fetch` or an
//! HTTP client.
//!
//! Division of work with `log-request-data`: a call whose arguments hold request
//! data (a whole body, query, parameters, headers or cookies, or a name bound to
//! one) is that rule's finding, whatever this rule would say about it.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers::enclosing_handler;
use crate::ts::frameworks::request::{request_input, RequestPart};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::Script;
use std::cell::RefCell;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "console-in-production",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary: "`console.log/debug/info/trace` left in server code or a client API wrapper, outside a development guard",
        docs: DOCS,
        triggers: &["console"],
        also_triggers: &[
            ".log", ".debug", ".info", ".trace", "?.log", "?.debug", "?.info", "?.trace",
        ],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::CALL_EXPRESSION],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags `console.log`, `console.debug`, `console.info` and `console.trace` in
server code and in client API wrappers, unless a development guard keeps them out
of production. Server code is an HTTP handler (an Express/Fastify/Hono/Koa route
callback, a Next.js route handler, `pages/api` handler, server action or
middleware, a NestJS controller method) or a file that only runs on a server:
by its folder (`server/`, `api/`, `backend/`, `worker/`, `workers/`, `jobs/`,
`supabase/functions/`), its name (`*.server.ts`, `middleware.ts`) or its imports
(`express`, `fastify`, `hono`, `koa`, `@nestjs/*`, `next/server`,
`server-only`). A client API wrapper is a file named for one (`api.ts`,
`apiClient.ts`, `api-client.ts`, `http.ts`, `fetcher.ts`, or any file under
`services/`) that calls `fetch` or imports an HTTP client (`axios`, `ky`,
`ofetch`).

A development guard is `if (process.env.NODE_ENV !== 'production')` (and the
other forms `log-request-data` accepts: `=== 'development'`, the `else` of `if
(isProd)`, code after `if (isProd) return;`) or a debug switch: `if (debug)`,
`if (options.verbose)`, `DEBUG && console.log(…)`, `if (Calc.ENABLE_LOGGING)`.

Not flagged: `console.warn` and `console.error` (they report problems);
client components and pages; startup output (the message in an `app.listen(…)`
callback, and calls at the top level of the module that calls `.listen(…)`,
outside any function, which run once when the server starts), `process.on(…)` / `addListener(…)` handlers and
`console.trace(err)` in a `catch` (an error report with its stack); files that are the project's logger
(`logger.ts`, `log.ts`, `logging.ts`) and logging helpers (a function named
after a log method or with `log`, `logger`, `debug` or `trace` in its name:
`debug: (...a) => console.debug(...a)`, `logInfo`, `namedTrace`); command-line tools and scripts (`cli/`, `bin/`, `scripts/`, `migrations/`, `seeders/` folders, a `#!` first line, or an import of `commander`, `@oclif/core`, `inquirer` or another argument parser or prompt library);
test-like paths; and calls whose arguments hold request data, which are
`log-request-data`'s findings.

## Why is this bad?
Console output in production is unstructured, has no level or request id, is
hard to search and easy to fill with personal data; in a browser it shows
internals to every user. Use the project's logger (with levels and redaction),
or keep debugging output behind a development guard.

## Examples
```ts flagged lines=3
import express from 'express';
const app = express();
app.get('/api/orders', async (req, res) => { console.log('orders', req.query.page);
  res.json(await listOrders());
});
```

```ts flagged lines=3 path=src/lib/api-client.ts
export async function getUser(id: string) {
  const res = await fetch(`/api/users/${id}`);
  console.debug('getUser', res.status);
  return res.json();
}
```

```ts ok path=src/server/orders.ts
export async function syncOrders(debug = false) {
  if (process.env.NODE_ENV !== 'production') console.log('syncing');
  if (debug) console.info('verbose sync');
  console.error('sync failed');
}
```

```ts ok path=src/components/Cart.tsx
export function Cart() {
  console.log('render cart');
  return null;
}
```

## Fix
Both fixes are **unsafe**: remove the statement, or wrap it in
`if (process.env.NODE_ENV !== 'production') { … }` (the file's quotes,
indentation and line endings kept). A call inside a larger expression gets no fix.
"#;

/// Console methods that write debugging output (not warnings or errors).
const DEBUG_METHODS: &[&str] = &["log", "debug", "info", "trace"];

/// Folders whose files only run on a server.
const SERVER_DIRS: &[&str] = &[
    "server",
    "api",
    "backend",
    "worker",
    "workers",
    "jobs",
    "functions",
];

/// Modules whose import makes a file server code.
const SERVER_MODULES: &[&str] = &[
    "express",
    "fastify",
    "hono",
    "koa",
    "@koa/router",
    "koa-router",
    "next/server",
    "@nestjs/common",
    "@nestjs/core",
    "server-only",
    "http",
    "node:http",
];

/// HTTP client modules (for client API wrappers).
const HTTP_CLIENTS: &[&str] = &["axios", "ky", "ofetch", "redaxios", "wretch", "got"];

/// What the file's path, text and imports say about it.
struct FileKind {
    /// Only runs on a server.
    server: bool,
    /// A client API wrapper.
    api_wrapper: bool,
    /// Never checked: the project's logger, a command-line tool.
    skipped: bool,
    /// The module starts a server (`.listen(`): its top-level output is
    /// startup output.
    listens: bool,
}

fn file_kind(path: &str, src: &Script<'_>) -> FileKind {
    let segments: Vec<&str> = path.split('/').collect();
    let (file, dirs) = segments.split_last().unwrap_or((&"", &[]));
    let stem = file.split('.').next().unwrap_or(file);
    let stem_words = ast::name_words(stem);
    let skipped = matches!(stem, "logger" | "log" | "logging" | "logs")
        || super::log_common::is_command_line_file(path, src);
    let supabase_function = dirs
        .windows(2)
        .any(|w| w[0] == "supabase" && w[1] == "functions");
    let imports: Vec<String> = src
        .semantic
        .module_imports()
        .filter_map(|b| b.module().map(|(m, _)| m.to_string()))
        .collect();
    let server = supabase_function
        || dirs
            .iter()
            .any(|d| SERVER_DIRS.contains(d) && *d != "functions")
        || file.contains(".server.")
        || matches!(stem, "middleware" | "proxy") && dirs.last().is_none_or(|d| *d == "src")
        || imports
            .iter()
            .any(|m| SERVER_MODULES.contains(&m.as_str()) || m.starts_with("@nestjs/"))
        || src.contains("'server-only'")
        || src.contains("\"server-only\"");
    let calls_http =
        src.contains("fetch(") || imports.iter().any(|m| HTTP_CLIENTS.contains(&m.as_str()));
    let wrapper_name = stem_words.iter().any(|w| w == "api")
        || matches!(stem, "client" | "http" | "fetcher" | "request" | "requests")
        || dirs.contains(&"services");
    FileKind {
        server,
        api_wrapper: wrapper_name && calls_http,
        skipped,
        listens: src.contains(".listen("),
    }
}

/// The statement lists' early exits, shared by the calls of one file.
struct Exits(RefCell<ast::EarlyExits>);

fn check(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let src = cx.script();
    let Some(function) = call.field(Field::Function) else {
        return;
    };
    if function.kind_name() != "member_expression" {
        return;
    }
    let (Some(object), Some(method)) = (
        function.field(Field::Object),
        function.field(Field::Property),
    ) else {
        return;
    };
    let method = ast::text(method, &src);
    if object.kind_name() != "identifier"
        || ast::text(object, &src) != "console"
        || !DEBUG_METHODS.contains(&method)
        || src.declaration(object, "console").is_some()
    {
        return;
    }
    let path = cx.file.path_str();
    let kind = cx.memo(|| file_kind(&path, &src));
    if kind.skipped {
        return;
    }
    let in_server = kind.server || enclosing_handler(call, &src, &path).is_some();
    if !in_server && !kind.api_wrapper {
        return;
    }
    let exits = cx.memo(|| Exits(RefCell::new(ast::EarlyExits::default())));
    if ast::in_dev_only_code_with(call, &src, &mut exits.0.borrow_mut())
        || under_debug_switch(call, &src)
        || in_lifecycle_callback(call, &src)
        || (kind.listens && startup_output(call))
        || (method == "trace" && in_catch(call))
        || in_logging_helper(call, &src)
        || logs_request_data(call, &src)
    {
        return;
    }
    let message = if in_server {
        format!("`console.{method}` in server code runs in production: use the project's logger (levels, request ids, redaction), remove it, or guard it with `process.env.NODE_ENV !== 'production'`")
    } else {
        format!("`console.{method}` in a client API wrapper prints to every user's browser console: remove it or guard it with `process.env.NODE_ENV !== 'production'`")
    };
    let fixes = super::log_common::statement_fixes(call, &src, &mut None);
    let d = cx.report(call.byte_range(), message);
    for f in fixes {
        d.with_fix(f);
    }
}

/// Words of a switch that turns on debugging output.
fn is_debug_switch(name: &str) -> bool {
    ast::name_words(name)
        .iter()
        .any(|w| matches!(w.as_str(), "debug" | "verbose" | "debugging" | "logging"))
}

/// Whether an expression (a condition) mentions a debug switch: `debug`,
/// `options.verbose`, `process.env.DEBUG`, `isDebug()`.
fn mentions_debug_switch(cond: Node<'_>, src: &str) -> bool {
    let _level = ast::descend();
    ast::any_descendant(cond, &mut |n| {
        matches!(
            n.kind_name(),
            "identifier" | "property_identifier" | "shorthand_property_identifier"
        ) && is_debug_switch(ast::text(n, src))
    })
}

/// `if (debug) console.log(…)`, `verbose && console.log(…)`: debugging output
/// that a switch turns on.
fn under_debug_switch(call: Node<'_>, src: &str) -> bool {
    let mut child = call;
    for parent in ast::ancestors(call).take(ast::MAX_ANCESTOR_STEPS) {
        match parent.kind_name() {
            "if_statement" => {
                let in_consequence = parent
                    .field(Field::Consequence)
                    .is_some_and(|c| c.id() == child.id());
                if in_consequence
                    && parent
                        .field(Field::Condition)
                        .is_some_and(|c| mentions_debug_switch(c, src))
                {
                    return true;
                }
            }
            "binary_expression" => {
                let op = parent.field(Field::Operator).map(|o| ast::text(o, src));
                let in_right = parent
                    .field(Field::Right)
                    .is_some_and(|r| r.id() == child.id());
                if op == Some("&&")
                    && in_right
                    && parent
                        .field(Field::Left)
                        .is_some_and(|l| mentions_debug_switch(l, src))
                {
                    return true;
                }
            }
            _ => {}
        }
        child = parent;
    }
    false
}

/// Inside a callback of `app.listen(…)`, `server.listen(…)`, or
/// A call at the top level of the server's entry point (a module that calls
/// `.listen(`), outside any function: it runs once when the server starts (a
/// banner, the Node.js version), not per request.
fn startup_output(call: Node<'_>) -> bool {
    ast::enclosing_function(call).is_none()
}

/// Inside a `catch` clause: `console.trace(err)` reports an error with its
/// stack, like `console.error`.
fn in_catch(call: Node<'_>) -> bool {
    ast::ancestors(call)
        .take_while(|n| !ast::is_function(*n))
        .any(|n| n.kind_name() == "catch_clause")
}

/// `process.on(…)`: the startup message and shutdown notices.
fn in_lifecycle_callback(call: Node<'_>, src: &str) -> bool {
    let mut func = ast::enclosing_function(call);
    let mut steps = 0;
    while let Some(f) = func {
        steps += 1;
        if steps > 16 {
            return false;
        }
        if let Some(outer) = f
            .parent()
            .filter(|a| a.kind_name() == "arguments")
            .and_then(|a| a.parent())
        {
            let callee = ast::callee_path(outer, src).unwrap_or_default();
            let method = callee.rsplit('.').next().unwrap_or(&callee);
            if method == "listen"
                || matches!(
                    callee.as_str(),
                    "process.on" | "process.once" | "process.addListener"
                )
            {
                return true;
            }
        }
        func = ast::enclosing_function(f);
    }
    false
}

/// The nearest named function around the call is a logging or debugging
/// helper: named after a log method (`debug: (...a) => console.debug(...a)`)
/// or with `log`, `logger`, `debug` or `trace` among its words (`logInfo`,
/// `namedTrace`).
fn in_logging_helper(call: Node<'_>, src: &str) -> bool {
    let mut func = ast::enclosing_function(call);
    for _ in 0..4 {
        let Some(f) = func else {
            return false;
        };
        let name = ast::function_name(f, src);
        if let Some(name) = name {
            return crate::ts::frameworks::logging::LOG_METHODS.contains(&name)
                || ast::name_words(name)
                    .iter()
                    .any(|w| matches!(w.as_str(), "log" | "logger" | "debug" | "trace"));
        }
        // an anonymous callback: look further out
        func = ast::enclosing_function(f);
    }
    false
}

/// The call logs request data that `log-request-data` reports: a whole
/// request part (`req.body`, `req.headers`), or a name bound to one.
fn logs_request_data(call: Node<'_>, src: &Script<'_>) -> bool {
    ast::call_arguments(call).into_iter().any(|arg| {
        let _level = ast::descend();
        ast::any_descendant(arg, &mut |n| match n.kind_name() {
            "member_expression" | "subscript_expression" => {
                // only whole chains: `req.query` inside `req.query.page` is not logged whole
                let inner = n.parent().is_some_and(|p| {
                    matches!(
                        p.kind_name(),
                        "member_expression" | "subscript_expression" | "call_expression"
                    ) && p.named_child(0).is_some_and(|o| o.id() == n.id())
                });
                !inner
                    && ast::member_path(n, src)
                        .as_deref()
                        .and_then(crate::ts::frameworks::request::request_rest)
                        .is_some_and(|rest| match rest.as_slice() {
                            ["body" | "rawBody" | "query" | "params" | "headers" | "cookies"] => {
                                true
                            }
                            ["headers", h] => {
                                let h = h.to_ascii_lowercase();
                                [
                                    "authorization",
                                    "cookie",
                                    "token",
                                    "secret",
                                    "key",
                                    "session",
                                    "signature",
                                ]
                                .iter()
                                .any(|w| h.contains(w))
                            }
                            _ => false,
                        })
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = ast::text(n, src);
                src.declaration(n, name).is_some_and(|b| {
                    b.element.kind_name() == "identifier"
                        && !matches!(request_input(n, src), None | Some(RequestPart::Whole))
                })
            }
            _ => false,
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const R: &str = "console-in-production";

    #[test]
    fn flags_console_in_handlers_and_server_files() {
        let src = "import express from 'express';\nconst app = express();\n\
                   app.get('/x', (req, res) => {\n  console.log('hit', req.query.page);\n  console.info('ok');\n  res.end();\n});\n";
        let d = findings(R, "src/app.ts", src);
        assert_eq!(
            snippet_levels(src, &d),
            vec![
                (
                    "console.log('hit', req.query.page)".to_string(),
                    Level::Info
                ),
                ("console.info('ok')".to_string(), Level::Info),
            ]
        );
        assert!(d[0].message.contains("server code"), "{}", d[0].message);
        // by folder, by name, by `server-only`, a Next route handler
        assert_flags(
            R,
            "src/server/sync.ts",
            "export function sync() { console.debug('x'); }\n",
            1,
        );
        assert_flags(R, "src/lib/db.server.ts", "console.trace('x');\n", 1);
        assert_flags(
            R,
            "src/lib/secrets.ts",
            "import 'server-only';\nconsole.log('x');\n",
            1,
        );
        assert_flags(R, "app/api/users/route.ts", "export async function GET() {\n  console.log('list');\n  return Response.json([]);\n}\n", 1);
        assert_flags(
            R,
            "supabase/functions/hello/index.ts",
            "Deno.serve(() => { console.log('x'); return new Response('ok'); });\n",
            1,
        );
    }

    #[test]
    fn flags_client_api_wrappers() {
        let src = "export async function getUser(id: string) {\n  const r = await fetch(`/u/${id}`);\n  console.log(r.status);\n  return r.json();\n}\n";
        let d = findings(R, "src/lib/apiClient.ts", src);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("client API wrapper"),
            "{}",
            d[0].message
        );
        assert_flags(R, "src/services/users.ts", "import axios from 'axios';\nexport const get = () => { console.log('get'); return axios.get('/u'); };\n", 1);
        // a file named api that calls no HTTP client is not a wrapper
        assert_clean(R, "src/lib/api-types.ts", "console.log('x');\n");
    }

    #[test]
    fn client_components_and_plain_modules_are_not_server_code() {
        assert_clean(
            R,
            "src/components/Cart.tsx",
            "export function Cart() { console.log('render'); return null; }\n",
        );
        assert_clean(
            R,
            "app/dashboard/page.tsx",
            "export default function Page() { console.log('x'); return null; }\n",
        );
        assert_clean(
            R,
            "src/utils/format.ts",
            "export const f = (x: number) => { console.log(x); return x; };\n",
        );
    }

    #[test]
    fn warnings_and_errors_are_not_findings() {
        assert_clean(
            R,
            "src/server/a.ts",
            "console.warn('slow');\nconsole.error('failed');\nconsole.table([]);\n",
        );
    }

    #[test]
    fn startup_output_error_traces_and_migrations_are_not_findings() {
        // a banner at the top of the server's entry, an error trace in a catch
        // and in a process listener
        let text = "import express from 'express';\nconsole.log('Welcome to the server');\nconst app = express();\napp.get('/x', async (req, res) => {\n  try {\n    res.json(await load());\n  } catch (e) {\n    console.trace(e);\n    res.status(500).end();\n  }\n});\nprocess.addListener('unhandledRejection', (err) => {\n  console.trace(err);\n});\napp.listen(3000);\n";
        assert_clean(R, "server/server.ts", text);
        // a migration's progress output
        assert_clean(
            R,
            "server/migrations/20220430-backfill.js",
            "module.exports = {\n  up: async () => {\n    console.log('backfilling');\n  },\n};\n",
        );
        // near miss: top-level output of a module that starts no server
        assert_flags(
            R,
            "src/server/db.ts",
            "console.log('connecting');\nexport const db = connect();\n",
            1,
        );
        // near misses: a trace outside a catch, a log inside a route
        let text = "import express from 'express';\nconst app = express();\napp.get('/x', (req, res) => {\n  console.trace('here');\n  console.log('hit');\n  res.end();\n});\n";
        assert_eq!(findings(R, "server/server.ts", text).len(), 2);
    }

    #[test]
    fn development_guards_and_debug_switches_are_not_findings() {
        let src = "export function run(opts: { verbose: boolean }, debug = false) {\n\
                   if (process.env.NODE_ENV !== 'production') console.log('a');\n\
                   if (process.env.NODE_ENV === 'development') { console.debug('b'); }\n\
                   if (opts.verbose) console.info('c');\n\
                   debug && console.log('d');\n\
                   if (process.env.DEBUG) console.trace('e');\n\
                   if (Calc.ENABLE_LOGGING) { console.log('f'); }\n\
                   }\n";
        assert_clean(R, "src/server/run.ts", src);
        // the production branch is not a guard
        assert_flags(
            R,
            "src/server/run.ts",
            "if (process.env.NODE_ENV === 'production') console.log('x');\n",
            1,
        );
    }

    #[test]
    fn startup_and_lifecycle_callbacks_are_not_findings() {
        assert_clean(
            R,
            "src/server/index.ts",
            "app.listen(3000, () => console.log('listening on 3000'));\nprocess.on('SIGTERM', () => { console.info('bye'); });\n",
        );
    }

    #[test]
    fn loggers_cli_tests_and_local_consoles_are_not_findings() {
        assert_clean(
            R,
            "src/server/logger.ts",
            "export const logger = { info: (...a: unknown[]) => console.log(...a) };\n",
        );
        assert_clean(
            R,
            "packages/cli/src/server/run.ts",
            "console.log('done');\n",
        );
        assert_clean(R, "src/server/jobs.ts", "const log = { debug: (...a: unknown[]) => console.debug('[job]', ...a) };\nexport const namedTrace = (n: string) => (v: unknown) => { console.log(n, v); return v; };\nfunction logInfo(m: string) { console.info(m); }\n");
        // a helper with another name is not a logger
        assert_flags(
            R,
            "src/server/jobs.ts",
            "function sync() { console.info('sync'); }\n",
            1,
        );
        assert_clean(R, "src/server/__tests__/a.test.ts", "console.log('x');\n");
        assert_clean(
            R,
            "src/server/a.ts",
            "const console = makeConsole();\nconsole.log('x');\n",
        );
    }

    #[test]
    fn request_data_is_log_request_datas_finding() {
        let src = "app.post('/x', async (req, res) => {\n  console.log(req.body);\n  console.log('h', req.headers);\n  const body = await req.json();\n  console.log(body);\n});\n";
        assert_clean(R, "src/server/app.ts", src);
        assert_eq!(
            findings("log-request-data", "src/server/app.ts", src).len(),
            3
        );
    }

    #[test]
    fn fixes_remove_or_guard() {
        check_fix(
            R,
            "src/server/a.ts",
            "export function a() {\n  console.log('x');\n  return 1;\n}\n",
            true,
            "export function a() {\n  return 1;\n}\n",
        );
        let src = "export function a() {\r\n\tconsole.log(\"héllo 🎉\");\r\n}\r\n";
        let d = findings(R, "src/server/a.ts", src);
        assert_eq!(d.len(), 1);
        assert_eq!(&src[d[0].range.clone()], "console.log(\"héllo 🎉\")");
        let (after, _) = crate::fix::apply(src, &[&d[0].fixes[1]]);
        assert_eq!(after, "export function a() {\r\n\tif (process.env.NODE_ENV !== \"production\") {\r\n\t\tconsole.log(\"héllo 🎉\");\r\n\t}\r\n}\r\n");
        assert_clean(R, "src/server/a.ts", &after);
    }
}
