//! The `log-sensitive-data` rule: metadata, docs and the `check` entry with its
//! top-level flow here; the rest by topic:
//! - `names`: which names say credential, personal data, user or session.
//! - `args`: where in a logging call's arguments such names are logged.
//! - `fix`: removing the argument (or the object property).
//! - `tests`: the unit tests.
//!
//! Division of work with `log-request-data`: that rule owns request data (whole
//! bodies, queries, parameters, headers and cookies of the request, and
//! credential headers such as `req.headers.authorization`); this rule owns
//! values whose *name* says sensitive, and skips any expression that is the
//! request's headers or cookies (or a name bound to them), so one argument is
//! reported by one rule. A single body field such as `req.body.password`, which
//! `log-request-data` leaves alone, is reported here.

use super::{Check, TsRule, Visitor};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::frameworks::logging::LoggerCalls;
use tree_sitter::Node;

mod args;
mod fix;
mod names;
#[cfg(test)]
mod tests;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "log-sensitive-data",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary: "A console or logger call writes passwords, tokens, secrets, personal data or a whole user/session object to the logs",
        docs: DOCS,
        // Every logger call the logging model knows contains one of these (as
        // in `log-request-data`).
        triggers: &[
            "console", "logger", "log.", "log?.", "log[", "log ", "log\t", "log\n", "log\r",
            "pino", "winston",
        ],
        // The sensitive words (every ending in `names::ENDINGS` contains one).
        also_triggers: &[
            "passw", "secret", "token", "authorization", "cookie", "apikey", "api_key", "api-key",
            "apiKey", "ssn", "card", "cvv", "email", "phone", "user", "session",
        ],
        options: RuleOptions::NONE,
    },
    // The whole file at once: a pino/winston instance may be created after the
    // function that logs with it.
    kinds: &["call_expression", "variable_declarator"],
    check: Check::File(visitor),
};

const DOCS: &str = r#"## What it does
Flags a `console.*` or logger call (`logger.*`, `log.*`, `this.logger.*`, a
pino/winston instance) whose arguments log a value *named* as sensitive:
`password`, `passwd`, `secret`, `token` (`accessToken`, `refreshToken`…),
`authorization`, `cookie`, `apiKey`, `ssn`, `cardNumber`, `cvv`, personal data
(`email`, `phone`) or a whole `user` / `session` object. It looks at argument
identifiers (`console.log(token)`), properties (`user.email`,
`req.body.password`), object keys and shorthand properties (`logger.info({
email, plan })`, also in multi-line object literals) and template
substitutions (`` `reset for ${email}` ``). Names are judged by their last
words: `refreshToken` and `userEmail` count, `tokenCount`, `emailVerified`,
`passwordHash`, `userId` and `sessionId` do not.

Not flagged: the word inside a message string (`'password reset requested'`),
presence checks (`!!token`, `typeof secret`, `token ? 'set' : 'missing'`,
`password.length`, `Object.keys(user)`), masked values (`mask(email)`,
`redact(token)`, `hash(password)`), a key with a literal value (`{ password:
'***' }`), flags named after the value (`hasToken`, `isSession`), pagination
tokens (`nextToken`, `pageToken`), constants and settings named for an
address (`CLOUD_CRM_EMAIL`, `SUPPORT_PHONE`: the company's own, not a
person's; secrets stay sensitive in any case), calls under a development-only guard,
`console` output of command-line tools and scripts (`cli/`, `bin/`, `scripts/`
folders, a `#!` first line, or a file that imports an argument parser or
terminal prompt library such as `commander`, `@oclif/core` or `inquirer`),
`console` calls that run only in the visitor's browser (a `'use client'` file,
a `useEffect` callback), and test-like paths. The request's headers and cookies (`req.headers.authorization`,
`req.cookies`) are `log-request-data`'s findings, not this rule's.

## Why is this bad?
Logs are kept for months, shipped to third-party services and read by many
people. A password or token in a log is a credential leak; an email, phone
number or a whole user record is personal data stored where nobody expects it
(and where a data-deletion request will not reach).

## Examples
```ts flagged lines=2,3
export async function login(email: string, password: string) {
  console.log('login attempt', email);
  logger.info({ password, plan: 'pro' }, 'login');
}
```

```ts flagged lines=4
app.post('/signup', async (req, res) => {
  const user = await db.user.create({ data: req.body });
  logger.info(
    { user },
    'user created'
  );
});
```

```ts flagged lines=2
function refresh(session: Session) {
  console.debug(`refreshing with ${session.refreshToken}`);
}
```

```ts ok
export async function login(email: string, password: string, user: User) {
  console.log('password reset requested', user.id);
  logger.info({ hasToken: !!token, emailVerified: user.emailVerified, domain: mask(email) });
  console.log('token length', token.length, { password: '***' });
  if (process.env.NODE_ENV === 'development') console.log(user);
}
```

## Fix
**Unsafe** (it changes what is logged): removes the argument, or the property
from the logged object literal, when something else remains to be logged.
A value inside a template string, or the call's only argument, gets no fix.
"#;

/// The rule's state over one file: its logging calls.
struct FileVisitor<'t> {
    src: &'t str,
    calls: LoggerCalls<'t>,
}

fn visitor<'t>(src: &'t str) -> Box<dyn Visitor<'t> + 't> {
    Box::new(FileVisitor {
        src,
        calls: LoggerCalls::default(),
    })
}

impl<'t> Visitor<'t> for FileVisitor<'t> {
    fn visit(&mut self, _cx: &mut RuleContext<'_>, n: Node<'t>) {
        self.calls.visit(n, self.src);
    }

    fn finish(&mut self, cx: &mut RuleContext<'_>, _root: Node<'t>) {
        let src = self.src;
        let mut exits = ast::EarlyExits::default();
        let script = cx.script();
        let mut reports = Vec::new();
        let command_line = super::log_common::is_command_line_file(&cx.file.path_str(), &script);
        for (call, callee) in self.calls.confirmed() {
            // a command-line tool's console output is its user interface; a
            // browser's console is the visitor's own
            if callee.path.starts_with("console.")
                && (command_line || super::log_common::in_browser_only_code(call, &script))
            {
                continue;
            }
            let found = args::sensitive_in_call(call, &script);
            if found.is_empty() || ast::in_dev_only_code_with(call, src, &mut exits) {
                continue;
            }
            for f in found {
                let message = format!(
                    "`{}(…)` writes `{}` ({}) to the logs: log an id or a masked value instead",
                    callee.path,
                    f.name,
                    f.what.what()
                );
                reports.push((
                    f.node.byte_range(),
                    message,
                    fix::remove_argument(f.node, src),
                ));
            }
        }
        for (range, message, fix) in reports {
            let d = cx.report(range, message);
            if let Some(fix) = fix {
                d.with_fix(fix);
            }
        }
    }
}
