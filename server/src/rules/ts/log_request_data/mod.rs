//! The `log-request-data` rule: metadata, docs and the `check` entry with its top-level
//! flow here; the rest by topic:
//! - (`log_common::statement_fixes`): the fixes: remove the statement, or wrap it in a development guard.
//! - `guards`: development-guard questions: logging that runs only outside production is
//!   not reported.
//! - `sources`: where logged values come from: the request's body, headers and query,
//!   directly or through locals.
//! - `tests`: the unit tests.

use super::log_common::statement_fixes;
use super::{Check, TsRule, Visitor};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::logging::{logger_callee, LoggerCallee, Loggers};
use crate::ts::frameworks::request::request_rest;
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use guards::Guards;
use sources::{request_data_in_args, whole_value_hops};
use std::collections::HashSet;
use tree_sitter::Node;

mod guards;
mod sources;
#[cfg(test)]
mod tests;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "log-request-data",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary: "A console or logger call writes request bodies, headers, cookies or parameters to the logs",
        docs: DOCS,
        // Every logger call this rule knows contains one of these (a pino/winston
        // instance is created in the same file, with `pino` or `createLogger`;
        // `log` may be followed by blanks before its `.`).
        triggers: &[
            "console", "logger", "log.", "log?.", "log[", "log ", "log\t", "log\n", "log\r",
            "pino", "winston",
        ],
        // Request data: `req.*`, `request`, bodies, queries, params, headers, cookies, parsed bodies.
        also_triggers: &["req.", "req?.", "req[", "request", "body", "query", "param", "header", "cookie", "json", "formdata", "text("],
        options: RuleOptions::NONE,
    },
    // The whole file at once: findings need file-level facts (logger instances,
    // names bound to request data, which functions are only called under a
    // development guard), gathered during the shared walk.
    kinds: &[
        "call_expression",
        "variable_declarator",
        "required_parameter",
        "optional_parameter",
    ],
    check: Check::File(visitor),
};

const DOCS: &str = r#"## What it does
Flags a `console.*` call or a logger call (`logger.*`, `log.*`, `this.logger.*`,
a variable created with `pino(…)` or `winston.createLogger(…)`) whose arguments
include request data: `req.body`, `req.params`, `req.query`, `req.headers`,
`req.cookies` (also on `request`), a sensitive header (`req.headers.authorization`,
`request.headers.get('cookie')`), a variable bound from `await req.json()`,
`await request.formData()` or `await req.text()` (also parsed, `JSON.parse(raw)`,
or copied through one more variable: `const raw = await req.text(); const body =
JSON.parse(raw)`), a `body` destructured from
the request (`const { body } = req`), or a NestJS `@Body()` / `@Query()` /
`@Headers()` parameter — anywhere in the arguments (`JSON.stringify(body)`,
`{ ...req.body }`, a template substitution).

Not flagged: calls under a development-only guard (`if (process.env.NODE_ENV ===
'development')`, `!== 'production'`, brace-less `if` included, the `else` of an
`if (isProd)` or of `if (isProd || isStaging)` or of `if (NODE_ENV !==
'development')`, `isProd || console.log(…)`, after `if (isProd) return;`), calls in a function that is only
called under such a guard in the same file, single fields (`req.body.page`,
`req.query.id`), `req.method`, `req.path`, `req.url`, `req.id`, the same text in
comments or strings, and test-like paths.

A guard counts only in the polarity that keeps the call out of production: the
branch under `if (process.env.NODE_ENV === 'production')` or `if (isProd)` *is*
production, and a check mixed with another condition guards only where the
operators say so (`if (isProd && verbose) … else console.log(req.body)` and code
after `if (isProd && !verbose) return;` still run in production: flagged).

## Why is this bad?
Request bodies carry passwords, card data and personal data; headers and cookies
carry session tokens and API keys. Logs are kept for months, shipped to third
parties and read by many people: a logged body is a data leak that nobody
notices.

## Examples
```ts flagged lines=2
app.post('/login', (req, res) => {
  console.log('login', req.body);
});
```

```ts flagged lines=3
export async function POST(request: Request) {
  const body = await request.json();
  logger.info(`checkout ${JSON.stringify(body)}`);
}
```

```ts flagged lines=2
app.post('/login', (req, res) => {
  if (process.env.NODE_ENV === 'production') console.error('login failed', req.headers['authorization']);
});
```

```ts flagged lines=4
export async function POST(req: Request) {
  const rawBody = await req.text();
  const event = JSON.parse(rawBody);
  console.info(`webhook ${event.type}`, event);
}
```

```ts ok
app.post('/login', (req, res) => {
  if (isProd || isStaging) {
    res.status(500).end();
  } else {
    console.error('login failed', req.body);
  }
  isProd || console.log(req.headers);
});
```

```ts ok
app.post('/login', (req, res) => {
  console.log(`${req.method} ${req.url}`, req.id);
  // console.log(req.body)
  if (process.env.NODE_ENV === 'development') console.log(req.body);
});
```

## Fix
Both fixes are **unsafe** (they change what is logged): the first removes the
statement; the second wraps it in
`if (process.env.NODE_ENV !== 'production') { … }`, keeping the file's
indentation, quotes and line endings. Calls that are part of a larger expression
get no fix.
"#;

const DATA_PARTS: &[&str] = &["body", "rawBody", "params", "query", "headers", "cookies"];
/// Headers that carry credentials.
fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || [
        "token",
        "secret",
        "api-key",
        "apikey",
        "api_key",
        "session",
        "signature",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// The rule's state over one file: possible logging calls, and the names that
/// logger instances and request data are bound to anywhere in the file.
struct FileVisitor<'t> {
    src: &'t str,
    calls: Vec<(Node<'t>, LoggerCallee<'t>)>,
    facts: FileFacts<'t>,
}

fn visitor<'t>(src: &'t str) -> Box<dyn Visitor<'t> + 't> {
    Box::new(FileVisitor {
        src,
        calls: Vec::new(),
        facts: FileFacts::default(),
    })
}

impl<'t> Visitor<'t> for FileVisitor<'t> {
    fn visit(&mut self, cx: &mut RuleContext<'_>, n: Node<'t>) {
        let src = self.src;
        match n.kind_name() {
            "call_expression" => {
                if let Some(callee) = logger_callee(n, src) {
                    self.calls.push((n, callee));
                }
            }
            "variable_declarator" => self.facts.declarator(n, src, &cx.script()),
            "required_parameter" | "optional_parameter" => {
                let mut c = n.walk();
                let decorated = n.children(&mut c).any(|d| d.kind_name() == "decorator");
                if decorated {
                    if let Some(p) = n.field(Field::Pattern) {
                        self.facts.data_names.insert(ast::text(p, src));
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, cx: &mut RuleContext<'_>, program: Node<'t>) {
        let src = self.src;
        let facts = &mut self.facts;
        facts.loggers.resolve_children();
        let mut candidates: Vec<(Node<'_>, String, String)> = Vec::new();
        for (call, callee) in std::mem::take(&mut self.calls) {
            if callee
                .instance
                .is_some_and(|name| !facts.loggers.contains(name))
            {
                continue;
            }
            if let Some(data) = request_data_in_args(call, &cx.script(), facts) {
                candidates.push((call, callee.path, data));
            }
        }
        if candidates.is_empty() {
            return;
        }
        let mut guards = Guards {
            program,
            src,
            refs: None,
            exits: ast::EarlyExits::default(),
        };
        let mut unit = None;
        for (call, callee, data) in candidates {
            if guards.dev_only(call, 0) {
                continue;
            }
            let message = format!(
                "`{callee}(…)` writes request data ({data}) to the logs; bodies, headers and cookies carry passwords, tokens and personal data: remove it or log only outside production"
            );
            let fixes = statement_fixes(call, src, &mut unit);
            let diag = cx.report(call.byte_range(), message);
            for f in fixes {
                diag.with_fix(f);
            }
        }
    }
}

/// Names bound anywhere in the file (scopes are checked later, for the names
/// that matter).
#[derive(Default)]
struct FileFacts<'s> {
    /// Variables created with a logger factory, or as a child of such a logger.
    loggers: Loggers<'s>,
    /// Names that a declaration or a decorated parameter may bind to request
    /// data; only uses of these are looked up in their scope.
    data_names: HashSet<&'s str>,
}

impl<'s> FileFacts<'s> {
    /// `src` is the walked text the stored names borrow from; `script` (the
    /// same text with its semantic model) resolves the names a value refers to.
    fn declarator(&mut self, d: Node<'_>, src: &'s str, script: &Script<'_>) {
        let (Some(name), Some(value)) = (d.field(Field::Name), d.field(Field::Value)) else {
            return;
        };
        self.loggers.declarator(name, value, src);
        // While the file is walked, only names already bound to request data
        // are followed (declarations come before their uses in document
        // order), so an ordinary `const a = b` costs no scope lookup.
        let from_request = whole_value_hops(value, script, 1, Some(&self.data_names)).is_some()
            || ast::member_path(ast::unwrap_expr(value), src)
                .is_some_and(|p| request_rest(&p).is_some_and(|r| r.is_empty()));
        if from_request {
            ast::visit(name, &mut |n| {
                if matches!(
                    n.kind_name(),
                    "identifier" | "shorthand_property_identifier_pattern"
                ) {
                    self.data_names.insert(ast::text(n, src));
                }
                true
            });
        }
    }
}
