//! What counts as verification: signature checks, auth wrappers, secrets compared with
//! headers.

use super::body::{last_segment, outer_position};
use super::handlers::{is_handler, route_call};
use super::{is_guard_name, middleware_name};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::nest::{class_decorators, decorator_name, member_decorators};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// Whether `pred` holds for a node of `scope` (nested handlers other than
/// `handler` skipped) or of a same-file function that `handler` calls (two levels).
pub(super) fn scan_with_callees(
    scope: Node<'_>,
    handler: Node<'_>,
    src: &Script<'_>,
    path: &str,
    pred: &mut dyn FnMut(Node<'_>) -> bool,
) -> bool {
    let mut todo: Vec<(Node, usize)> = vec![(scope, 0)];
    let mut seen: Vec<usize> = vec![scope.id()];
    while let Some((node, depth)) = todo.pop() {
        let mut found = false;
        let mut callees: Vec<Node> = Vec::new();
        ast::visit(node, &mut |n| {
            if found {
                return false;
            }
            if n.id() != node.id()
                && ast::is_function(n)
                && !ast::contains(n, handler)
                && is_handler(n, src, path)
            {
                return false;
            }
            if pred(n) {
                found = true;
                return false;
            }
            if depth < 2 && n.kind_name() == "call_expression" {
                if let Some(f) = called_function(n, src) {
                    callees.push(f);
                }
            }
            true
        });
        if found {
            return true;
        }
        for f in callees {
            if !seen.contains(&f.id()) && !ast::contains(f, node) {
                seen.push(f.id());
                todo.push((f, depth + 1));
            }
        }
    }
    false
}

/// The same-file function a call invokes: `helper(…)` (top level) or
/// `this.helper(…)` (a method of the enclosing class).
fn called_function<'t>(call: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let func = call.field(Field::Function)?;
    match func.kind_name() {
        "identifier" => src.top_level_function(ast::text(func, src)),
        "member_expression" => {
            let obj = func.field(Field::Object)?;
            if obj.kind_name() != "this" {
                return None;
            }
            let name = ast::text(func.field(Field::Property)?, src);
            for n in ast::ancestors(call) {
                if n.kind_name() == "class_body" {
                    let mut c = n.walk();
                    let found = n.named_children(&mut c).find(|m| {
                        m.kind_name() == "method_definition"
                            && m.field(Field::Name)
                                .is_some_and(|x| ast::text(x, src) == name)
                    });
                    return found;
                }
            }
            None
        }
        _ => None,
    }
}

/// Signature verification in the handler, the functions around it, the
/// same-file functions it calls, its route middleware or NestJS guards.
pub(super) fn is_verified(handler: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    // Route middleware: `app.post('/webhook', verifySignature, async (req, res) => …)`.
    if let Some(call) = route_call(handler, src) {
        // by name (`verifySignature`, `requireAuth()`, `auth.check`), not by the
        // text of a route definition (`createRoute({ description: 'Verifies …' })`)
        let mw = ast::call_arguments(call).into_iter().any(|a| {
            !ast::contains(a, handler) && middleware_name(a, src).is_some_and(|n| is_guard_name(&n))
        });
        if mw {
            return true;
        }
    }
    // An authenticating wrapper: `export const POST = withWorkspace(async ({ req }) => …)`.
    if wrapper_names(handler, src)
        .iter()
        .any(|w| is_auth_wrapper_name(w))
    {
        return true;
    }
    if handler.kind_name() == "method_definition" {
        let mut decs = member_decorators(handler);
        decs.extend(class_decorators(handler));
        if decs
            .iter()
            .any(|d| decorator_name(*d, src).as_deref() == Some("UseGuards"))
        {
            return true;
        }
    }
    // The outermost function around the handler (verification may wrap it).
    let mut scope = handler;
    for n in ast::ancestors(handler) {
        if ast::is_function(n) {
            scope = n;
        }
    }
    let mut hmac = false;
    let mut compare = false;
    scan_with_callees(scope, handler, src, path, &mut |n| {
        if is_verification(n, src) {
            return true;
        }
        if n.kind_name() == "call_expression"
            && ast::callee_name(n, src).as_deref() == Some("createHmac")
        {
            hmac = true;
        }
        // `expected === received`, not `event.type === 'invoice.paid'`
        if is_equality(n, src)
            && n.field(Field::Left).is_some_and(|l| !is_literal(l, src))
            && n.field(Field::Right).is_some_and(|r| !is_literal(r, src))
        {
            compare = true;
        }
        hmac && compare
    })
}

/// The callees of the wrapper calls around a function (`withAuth(withLogging(fn))`),
/// as `outer_position` skips them.
fn wrapper_names(func: Node<'_>, src: &Script<'_>) -> Vec<String> {
    let outer = outer_position(func);
    let mut out = Vec::new();
    let mut cur = func;
    while cur.id() != outer.id() {
        let Some(p) = cur.parent() else {
            break;
        };
        if p.kind_name() == "call_expression" {
            if let Some(n) = ast::callee_name(p, src) {
                out.push(n);
            }
        }
        cur = p;
    }
    out
}

/// A wrapper that authenticates the caller or verifies the request
/// (`withAuth`, `withSession`, `withWorkspace`, `withApiKey`, `withCron`,
/// `verifySignatureAppRouter`), not one that only logs (`withAxiom`).
pub(super) fn is_auth_wrapper_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    is_guard_name(&l)
        || ["session", "user", "workspace", "cron", "admin", "signature"]
            .iter()
            .any(|k| l.contains(k))
}

pub(super) fn is_verify_name(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    ["verif", "signature", "constructevent", "timingsafeequal"]
        .iter()
        .any(|k| t.contains(k))
        // `validatePlaidWebhook`, `validateRequest`, `isValidHmac`, Polar's `validateEvent`
        || ((t.contains("validate") || t.contains("isvalid"))
            && ["webhook", "request", "hmac", "event", "payload"]
                .iter()
                .any(|k| t.contains(k)))
}

/// A user-session check: an authenticated route (e.g. managing one's webhook
/// endpoints under `api/webhooks`) is not a webhook receiver.
fn is_auth_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "auth"
            | "getauth"
            | "getserversession"
            | "getsession"
            | "currentuser"
            | "getuser"
            | "requireauth"
            | "requireuser"
            | "requiresession"
            | "authenticate"
            | "isauthenticated"
    )
}

/// An API-key / bearer-token check by name: `validateApiToken`, `getApiKey`.
fn is_api_key_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    ["apikey", "apitoken", "bearer", "basicauth"]
        .iter()
        .any(|k| l.contains(k))
}

const CREDENTIAL_HEADERS: &[&str] = &["authorization", "x-api-key", "api-key", "x-api-token"];

/// A read of the `Authorization` (or API-key) header: `req.headers.get('authorization')`,
/// `c.req.header('Authorization')`, `req.headers.authorization`,
/// `req.headers['x-api-key']`. A handler authenticated by a bearer token or an
/// API key is not an anonymous webhook receiver.
fn reads_credentials_header(n: Node<'_>, src: &Script<'_>) -> bool {
    let is_credential = |v: &str| CREDENTIAL_HEADERS.contains(&v.to_ascii_lowercase().as_str());
    match n.kind_name() {
        "call_expression" => {
            let path = ast::callee_path(n, src).unwrap_or_default();
            (path.ends_with("headers.get") || path.ends_with(".header") || path == "req.get")
                && ast::call_arguments(n)
                    .first()
                    .and_then(|a| ast::string_value(*a, src))
                    .is_some_and(|v| is_credential(&v))
        }
        "member_expression" => {
            n.field(Field::Object)
                .and_then(|o| last_segment(o, src))
                .is_some_and(|o| o == "headers")
                && n.field(Field::Property)
                    .is_some_and(|p| is_credential(ast::text(p, src)))
        }
        "subscript_expression" => {
            n.field(Field::Object)
                .and_then(|o| last_segment(o, src))
                .is_some_and(|o| o == "headers")
                && n.field(Field::Index)
                    .and_then(|i| ast::string_value(i, src))
                    .is_some_and(|v| is_credential(&v))
        }
        _ => false,
    }
}

fn is_equality(n: Node<'_>, src: &Script<'_>) -> bool {
    n.kind_name() == "binary_expression"
        && matches!(
            n.field(Field::Operator).map(|o| ast::text(o, src)),
            Some("===" | "!==" | "==" | "!=")
        )
}

fn is_literal(n: Node<'_>, src: &Script<'_>) -> bool {
    let n = ast::unwrap_expr(n);
    matches!(
        n.kind_name(),
        "string" | "number" | "true" | "false" | "null" | "undefined"
    ) || ast::string_value(n, src).is_some()
        || ast::text(n, src) == "undefined"
}

/// A verification call, or a comparison of a secret from the environment (or
/// of a request header) with a received value.
fn is_verification(n: Node<'_>, src: &Script<'_>) -> bool {
    if n.kind_name() == "call_expression" {
        // `stripe.webhooks.constructEvent`, `shopify.webhooks.validate`,
        // `paddle.webhooks.unmarshal`: a provider SDK's webhook namespace checks.
        return ast::callee_name(n, src)
            .is_some_and(|c| is_verify_name(&c) || is_auth_name(&c) || is_api_key_name(&c))
            || ast::callee_path(n, src)
                .is_some_and(|p| p.split('.').rev().skip(1).any(|seg| seg == "webhooks"))
            || reads_credentials_header(n, src);
    }
    if matches!(n.kind_name(), "member_expression" | "subscript_expression")
        && reads_credentials_header(n, src)
    {
        return true;
    }
    if !is_equality(n, src) {
        return false;
    }
    let (Some(l), Some(r)) = (n.field(Field::Left), n.field(Field::Right)) else {
        return false;
    };
    if is_literal(l, src) || is_literal(r, src) {
        return false;
    }
    [l, r]
        .iter()
        .any(|side| reads_secret_or_header(*side, src, true))
}

/// `process.env.X` / `import.meta.env.X` / `Deno.env.get(…)` / a request header,
/// directly or through one variable.
fn reads_secret_or_header(expr: Node<'_>, src: &Script<'_>, follow: bool) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    let mut found = false;
    ast::visit(expr, &mut |n| {
        if found {
            return false;
        }
        match n.kind_name() {
            "member_expression" | "subscript_expression" => {
                if let Some(p) = ast::member_path(n, src) {
                    let lower = p.to_ascii_lowercase();
                    if p.starts_with("process.env.")
                        || p.starts_with("import.meta.env.")
                        || lower.contains("headers.")
                    {
                        found = true;
                        return false;
                    }
                }
                true
            }
            "call_expression" => {
                let path = ast::callee_path(n, src).unwrap_or_default();
                if path == "Deno.env.get"
                    || path.ends_with("headers.get")
                    || path.ends_with("req.header")
                    || path.ends_with("req.get")
                    || path.ends_with("request.header")
                {
                    found = true;
                    return false;
                }
                if let Some(f) = n.field(Field::Function) {
                    if f.kind_name() == "member_expression"
                        && f.field(Field::Object).is_some_and(|o| {
                            o.kind_name() == "call_expression"
                                && ast::callee_name(o, src).as_deref() == Some("headers")
                        })
                    {
                        found = true;
                        return false;
                    }
                }
                true
            }
            "identifier" if follow => {
                let t = ast::text(n, src);
                if let Some(init) = src.value_of(n, t) {
                    if reads_secret_or_header(init, src, false) {
                        found = true;
                    }
                }
                false
            }
            _ => true,
        }
    });
    found
}
