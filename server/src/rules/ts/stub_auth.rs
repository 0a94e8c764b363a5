//! `stub-auth`: a function whose name says it authenticates (or says who the
//! caller is) that returns a constant user, a constant `true`, or lets every
//! request through (`next()` unconditionally). The names come from
//! `frameworks::auth` (the ones `route-without-auth` trusts).

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::auth::{names_auth_function, names_auth_middleware};
use crate::ts::frameworks::logging::logger_callee;
use crate::ts::kind::{self, KindExt};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "stub-auth",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Error,
        fix: FixKind::None,
        // Not in the catalogue, measured: test files held 35 of 36 false
        // positives of jwt-without-expiry, 3 of 5 of missing-retry-after and
        // every stub-auth one (fixture tokens, mocked 429s, injected doubles).
        not_in_tests: true,
        summary:
            "An auth function that returns a constant user or `true`, or lets every request through",
        docs: DOCS,
        // Every name `names_auth_function` accepts contains one of these, and
        // a middleware named `auth*` is declared with one of the last ones.
        triggers: &[
            "getuser",
            "currentuser",
            "requireauth",
            "requireuser",
            "requiresession",
            "authenticate",
            "verifytoken",
            "validatetoken",
            "getserversession",
            "getsession",
            "verifysession",
            "validatesession",
            "getauth",
            "validaterequest",
            "checkauth",
            "verifyauth",
            "jwtverify",
            "withauth",
            "authrequired",
            "clerkmiddleware",
            "function auth",
            "const auth",
            "let auth",
            "var auth",
            "auth:",
            "auth =",
        ],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: kind::FUNCTIONS,
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a function whose name says it authenticates the caller or tells who the
caller is — `getUserId`, `getCurrentUser`, `getUser`, `requireAuth`,
`authenticate`, `isAuthenticated`, `verifyToken`, `getServerSession` (the auth
calls `route-without-auth` trusts) — when it:

- returns a constant user: a string (`return 'demo-user'`) or an object with a
  literal `id` / `userId` / `sub` / `email` (`return { id: 'demo', role: 'admin' }`),
  also as a fallback (`return header || 'demo-user'`, `?? 'demo-user'`, a ternary
  branch, `if (!configured) return 'demo-user'`);
- returns `true` on every path (`isAuthenticated() { return true; }`);
- is middleware named `auth*` (or an auth name) that calls `next()` before
  looking at the request (`(req, res, next) => next()`).

Not flagged: a constant returned only under a development guard (`if
(process.env.NODE_ENV === 'development') return 'demo-user'`), empty strings,
`null`/`undefined`/`false`, checks that can return `false`, middleware that
reads a header or calls anything before `next()`, functions with other names
(`getUsers`, `authorName`), `authenticate()` methods of service clients
(`class HubSpotIntegration`, `ApiClient`: they sign in to another service), and
mocks (inside `jest.mock(…)` / `vi.mock(…)`). An anonymous middleware returned
by an auth-named factory is judged under the factory's name.

Test-like paths are skipped (`*.test.*`, `__tests__/`, … and the `[files] tests`
globs): on real projects the tokens, 429s and auth stubs there were test
fixtures and doubles, not code that ships.

## Why is this bad?
A stub left in from a prototype makes every request the same user — usually
the admin or demo account — or skips the check entirely. Nothing fails, so
nobody notices until someone else's data is read or changed.

## Examples
```ts flagged lines=3
export async function getUserId(req: Request): Promise<string> {
  // TODO: real auth
  return 'demo-user';
}
```

```ts flagged lines=2
export function getCurrentUser(req: Request) {
  return req.headers.get('x-user-id') || 'demo-user';
}
```

```ts flagged lines=1
export const authMiddleware = (req, res, next) => next();
```

```ts flagged lines=2
export function isAuthenticated() {
  return true;
}
```

```ts ok
export async function getUserId(req: Request) {
  if (process.env.NODE_ENV === 'development') return 'demo-user';
  const session = await getServerSession();
  return session?.user?.id ?? null;
}

export function authMiddleware(req, res, next) {
  if (!req.headers.authorization) return res.status(401).end();
  next();
}

export function isAuthenticated(token?: string) {
  if (!token) return false;
  return true;
}
```

## Fix
None: replace the stub with a real session or token check.
"#;

/// The function's name: its own, or the variable, key or method it is bound
/// to; an anonymous function returned by a named factory takes the factory's
/// name (`function authMiddleware() { return (req, res, next) => next(); }`).
fn name_of<'s>(func: Node<'_>, src: &'s str) -> Option<&'s str> {
    if let Some(name) = ast::function_name(func, src) {
        return Some(name);
    }
    let parent = func.parent()?;
    let factory = match parent.kind_name() {
        "return_statement" => ast::enclosing_function(parent)?,
        // an arrow's expression body
        _ if ast::is_function(parent) => parent,
        _ => return None,
    };
    ast::function_name(factory, src)
}

/// A method of a class that talks to another service (`HubSpotIntegration`,
/// `ApiClient`): its `authenticate()` signs in to that service, it does not
/// check a caller.
fn in_service_client(func: Node<'_>, src: &str) -> bool {
    if func.kind_name() != "method_definition" {
        return false;
    }
    let Some(class) = ast::ancestors(func)
        .take(4)
        .find(|a| matches!(a.kind_name(), "class_declaration" | "class"))
    else {
        return false;
    };
    class.field(Field::Name).is_some_and(|n| {
        ast::name_words(ast::text(n, src)).last().is_some_and(|w| {
            matches!(
                w.as_str(),
                "integration" | "client" | "provider" | "connector" | "adapter" | "sdk" | "api"
            )
        })
    })
}

fn check(cx: &mut RuleContext<'_>, func: Node<'_>) {
    let src = cx.source;
    let Some(name) = name_of(func, src) else {
        return;
    };
    let is_function = names_auth_function(name);
    let is_middleware = names_auth_middleware(name) && takes_next(func, src);
    if !is_function && !is_middleware {
        return;
    }
    if in_mock(func, src) {
        return;
    }
    if is_middleware {
        if let Some(next) = unconditional_next(func, src) {
            cx.report(
                next.byte_range(),
                format!("`{name}` calls `next()` before checking anything: every request passes as authenticated; verify the session or token first and reply 401 without one"),
            );
            return;
        }
    }
    let returns = returned_values(func);
    // a constant `true` on every path
    if !returns.is_empty()
        && !in_service_client(func, src)
        && returns
            .iter()
            .all(|r| r.is_some_and(|v| ast::unwrap_expr(v).kind_name() == "true"))
    {
        if let Some(Some(first)) = returns.first() {
            cx.report(
                first.byte_range(),
                format!("`{name}` always returns `true`: every caller passes as authenticated; check the session or token"),
            );
        }
        return;
    }
    let mut exits = ast::EarlyExits::default();
    for value in returns.into_iter().flatten() {
        if let Some(constant) = constant_user(value, src) {
            if ast::in_dev_only_code_with(value, src, &mut exits) {
                continue;
            }
            let shown = ast::text(constant, src);
            let shown = if shown.len() > 40 {
                "a constant user"
            } else {
                shown
            };
            cx.report(
                constant.byte_range(),
                format!("`{name}` returns the constant user {shown}: every request becomes that user; read the user from a verified session or token (and fail without one)"),
            );
            return;
        }
    }
}

/// Middleware: a parameter named `next` (the last of two or more).
fn takes_next(func: Node<'_>, src: &str) -> bool {
    let Some(params) = func.field(Field::Parameters) else {
        return false;
    };
    let mut c = params.walk();
    let names: Vec<&str> = params
        .named_children(&mut c)
        .filter_map(|p| p.field(Field::Pattern).or(Some(p)))
        .map(|p| ast::text(p, src))
        .collect();
    names.len() >= 2 && names.last().is_some_and(|n| *n == "next")
}

/// Inside `jest.mock(…)`, `vi.mock(…)` or `mock…(…)` arguments: a test double.
fn in_mock(func: Node<'_>, src: &str) -> bool {
    ast::ancestors(func)
        .take(ast::MAX_ANCESTOR_STEPS)
        .filter(|a| a.kind_name() == "call_expression")
        .any(|call| {
            ast::callee_path(call, src).is_some_and(|p| {
                let last = p.rsplit('.').next().unwrap_or(&p);
                last.starts_with("mock") || p.ends_with(".mock") || p.ends_with(".doMock")
            })
        })
}

/// The `next()` call of a middleware when nothing before it looks at the
/// request or can stop it: only logging and constant assignments come first.
fn unconditional_next<'t>(func: Node<'t>, src: &str) -> Option<Node<'t>> {
    let body = func.field(Field::Body)?;
    if body.kind_name() != "statement_block" {
        return is_next_call(body, src).then_some(body);
    }
    let mut c = body.walk();
    for stmt in body.named_children(&mut c) {
        match stmt.kind_name() {
            "comment" | "empty_statement" => {}
            "expression_statement" | "return_statement" => {
                let Some(expr) = stmt.named_child(0).map(ast::unwrap_expr) else {
                    continue;
                };
                if is_next_call(expr, src) {
                    return Some(expr);
                }
                if stmt.kind_name() == "return_statement" || !is_trivial(expr, src) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    None
}

fn is_next_call(expr: Node<'_>, src: &str) -> bool {
    let e = ast::unwrap_expr(expr);
    e.kind_name() == "call_expression"
        && ast::callee_path(e, src).as_deref() == Some("next")
        && ast::call_arguments(e).is_empty()
}

/// A statement that neither checks nor stops the request: a logging call, or
/// an assignment of a constant (`req.user = { id: 'demo' }`).
fn is_trivial(expr: Node<'_>, src: &str) -> bool {
    match expr.kind_name() {
        "call_expression" => logger_callee(expr, src).is_some(),
        "assignment_expression" => expr
            .field(Field::Right)
            .is_some_and(|r| is_literal_value(r)),
        _ => false,
    }
}

fn is_literal_value(n: Node<'_>) -> bool {
    let n = ast::unwrap_expr(n);
    match n.kind_name() {
        "string" | "number" | "true" | "false" | "null" => true,
        "template_string" => {
            n.named_child_count() == 0
                || !ast::any_descendant(n, &mut |d| d.kind_name() == "template_substitution")
        }
        "object" | "array" => {
            let mut c = n.walk();
            let all = n.named_children(&mut c).all(|ch| match ch.kind_name() {
                "pair" => ch.field(Field::Value).is_some_and(is_literal_value),
                "comment" => true,
                _ => is_literal_value(ch),
            });
            all
        }
        _ => false,
    }
}

/// The values the function returns (its own `return`s, not nested functions';
/// `None` for a bare `return;`), or an arrow's expression body.
fn returned_values(func: Node<'_>) -> Vec<Option<Node<'_>>> {
    let Some(body) = func.field(Field::Body) else {
        return Vec::new();
    };
    if body.kind_name() != "statement_block" {
        return vec![Some(body)];
    }
    let mut out = Vec::new();
    ast::visit(body, &mut |n| {
        if n.id() != body.id() && ast::is_function(n) {
            return false;
        }
        if n.kind_name() == "return_statement" {
            out.push(n.named_child(0).filter(|v| v.kind_name() != "comment"));
            return false;
        }
        !matches!(n.kind_name(), "class_declaration" | "class")
    });
    out
}

/// The constant user inside a returned value: a non-empty string, an object
/// with a literal id, also as the fallback of `||` / `??` or a ternary branch,
/// or wrapped in a resolved promise / `await`.
fn constant_user<'t>(value: Node<'t>, src: &str) -> Option<Node<'t>> {
    let _level = ast::descend()?;
    let v = ast::unwrap_expr(value);
    match v.kind_name() {
        "string" | "template_string" => {
            let s = ast::string_value(v, src)?;
            (!s.trim().is_empty() && !s.contains(' ')).then_some(v)
        }
        "object" => has_literal_id(v, src).then_some(v),
        "binary_expression" => {
            let op = v.field(Field::Operator).map(|o| ast::text(o, src));
            if matches!(op, Some("||" | "??")) {
                constant_user(v.field(Field::Right)?, src)
            } else {
                None
            }
        }
        "ternary_expression" => [Field::Consequence, Field::Alternative]
            .into_iter()
            .find_map(|f| v.field(f).and_then(|b| constant_user(b, src))),
        "await_expression" => constant_user(v.named_child(0)?, src),
        "call_expression" if ast::callee_path(v, src).as_deref() == Some("Promise.resolve") => {
            constant_user(*ast::call_arguments(v).first()?, src)
        }
        _ => None,
    }
}

/// `{ id: 'demo-user', … }`: an object whose id, user id, subject or email is a
/// literal string.
fn has_literal_id(object: Node<'_>, src: &str) -> bool {
    let mut c = object.walk();
    let found = object.named_children(&mut c).any(|p| {
        p.kind_name() == "pair"
            && p.field(Field::Key).is_some_and(|k| {
                let key =
                    ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).to_string());
                matches!(key.as_str(), "id" | "userId" | "user_id" | "sub" | "email")
            })
            && p.field(Field::Value).is_some_and(|v| {
                let v = ast::unwrap_expr(v);
                matches!(v.kind_name(), "string" | "number")
                    && ast::string_value(v, src).is_none_or(|s| !s.trim().is_empty())
            })
    });
    found
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const R: &str = "stub-auth";
    const P: &str = "src/lib/auth.ts";

    #[test]
    fn flags_constant_users() {
        let src = "export async function getUserId(req: Request) {\n  return 'demo-user';\n}\n\
                   export const getCurrentUser = () => ({ id: 'demo', role: 'admin' });\n\
                   class Auth { authenticate(token: string) { return \"user_1\"; } }\n";
        let d = findings(R, P, src);
        assert_eq!(
            snippet_levels(src, &d),
            vec![
                ("'demo-user'".to_string(), Level::Error),
                ("{ id: 'demo', role: 'admin' }".to_string(), Level::Error),
                ("\"user_1\"".to_string(), Level::Error),
            ]
        );
        assert!(
            d[0].message
                .contains("`getUserId` returns the constant user 'demo-user'"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn flags_fallbacks() {
        let src = "export function getUserId(req: Request) {\n  return req.headers.get('x-user') || 'demo-user';\n}\n\
                   export function getCurrentUser(h?: string) {\n  return h ?? 'demo-user';\n}\n\
                   export function requireAuth(configured: boolean, s: { id: string }) {\n  if (!configured) return 'demo-user';\n  return s.id;\n}\n\
                   export function getUser(t?: string) { return t ? decode(t) : 'guest-user'; }\n";
        assert_eq!(
            assert_flags(R, P, src, 4),
            vec!["'demo-user'", "'demo-user'", "'demo-user'", "'guest-user'"]
        );
    }

    #[test]
    fn flags_constant_true_and_unconditional_next() {
        let src = "export function isAuthenticated() {\n  return true;\n}\n\
                   export const verifyToken = (t: string) => true;\n\
                   export const authMiddleware = (req, res, next) => next();\n\
                   export function auth(req, res, next) {\n  console.log('auth', req.path);\n  req.user = { id: 'demo' };\n  next();\n}\n";
        let got = assert_flags(R, P, src, 4);
        assert_eq!(got, vec!["true", "true", "next()", "next()"]);
    }

    #[test]
    fn real_checks_are_not_findings() {
        assert_clean(
            R,
            P,
            "export async function getUserId(req: Request) {\n  const s = await getServerSession();\n  if (!s) throw new Error('unauthorized');\n  return s.user.id;\n}\n\
             export function isAuthenticated(t?: string) {\n  if (!t) return false;\n  return true;\n}\n\
             export function authMiddleware(req, res, next) {\n  if (!req.headers.authorization) return res.status(401).end();\n  next();\n}\n\
             export async function authenticate(req, res, next) {\n  req.user = await verify(req.headers.authorization);\n  next();\n}\n\
             export function getCurrentUser() { return null; }\n\
             export function verifyToken(t: string) { return ''; }\n",
        );
    }

    #[test]
    fn middleware_returned_by_an_auth_factory() {
        let src = "export function authMiddleware() {\n  return (req, res, next) => {\n    next();\n  };\n}\n";
        assert_eq!(assert_flags(R, P, src, 1), vec!["next()"]);
        assert_clean(
            R,
            P,
            "export function loggingMiddleware() {\n  return (req, res, next) => { next(); };\n}\n",
        );
    }

    #[test]
    fn service_clients_sign_in_elsewhere() {
        assert_clean(R, P, "class HubSpotIntegration extends Crm {\n  async authenticate(): Promise<boolean> {\n    return true;\n  }\n}\n");
        assert_flags(
            R,
            P,
            "class SessionGuard {\n  isAuthenticated() {\n    return true;\n  }\n}\n",
            1,
        );
    }

    #[test]
    fn development_guards_are_not_findings() {
        assert_clean(
            R,
            P,
            "export async function getUserId() {\n  if (process.env.NODE_ENV === 'development') return 'demo-user';\n  const s = await auth();\n  return s?.user?.id ?? null;\n}\n",
        );
    }

    #[test]
    fn other_names_and_mocks_are_not_findings() {
        assert_clean(
            R,
            P,
            "export function getUsers() { return 'all'; }\nexport function authorName() { return 'Ada'; }\n\
             export function logRequests(req, res, next) { next(); }\n\
             vi.mock('./auth', () => ({ getUserId: () => 'test-user' }));\n\
             jest.mock('./auth', () => ({ isAuthenticated() { return true; } }));\n",
        );
    }

    #[test]
    fn not_in_tests() {
        // measured on real code: stubs in test files are test doubles
        // (`verifyToken: () => ({ userId: 'user_1' })` injected into the code under test)
        assert_clean(
            R,
            "src/__tests__/helpers.ts",
            "export function getUserId() { return 'demo-user'; }\n",
        );
        assert_clean(
            R,
            "src/gateway/request.test.ts",
            "export function verifyToken() { return { userId: 'user_1' }; }\n",
        );
    }

    #[test]
    fn ranges_with_emoji_accents_and_crlf() {
        let src = "// café 🎉\r\nexport function getUserId() {\r\n  return 'démo-ü🎉';\r\n}\r\n";
        let d = findings(R, P, src);
        assert_eq!(d.len(), 1);
        assert_eq!(&src[d[0].range.clone()], "'démo-ü🎉'");
    }
}
