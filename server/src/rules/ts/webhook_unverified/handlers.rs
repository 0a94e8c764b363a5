//! Which functions are webhook receivers: route handlers, exports, registrations and
//! their names.

use super::body::{first_param, first_param_type, outer_position};
use super::verify::{is_auth_wrapper_name, scan_with_callees};
use super::{is_guard_name, middleware_name, HTTP_VERBS, ROUTE_METHODS, STRIPE_OBJECTS};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::nest::{self, class_decorators, member_decorators};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

pub(super) fn is_route_call(call: Node<'_>) -> bool {
    // Route registrations are recognised by their string path argument.
    let args = ast::call_arguments(call);
    args.first().is_some_and(|a| ast::is_string_like(*a))
}

/// The route registration `app.post('/path', …, handler)` that `func` is passed to.
pub(super) fn route_call<'t>(func: Node<'t>, src: &Script<'t>) -> Option<Node<'t>> {
    let mut cur = func;
    // through wrappers like `asyncHandler(async (req, res) => …)`
    loop {
        let p = cur.parent()?;
        match p.kind_name() {
            "parenthesized_expression" | "as_expression" => cur = p,
            "arguments" => {
                let call = p.parent()?;
                if call.kind_name() != "call_expression" {
                    return None;
                }
                let callee = ast::callee_name(call, src).unwrap_or_default();
                // `app.post('/path', …)`, Hono `app.openapi(createRoute({…}), …)`
                if ROUTE_METHODS.contains(&callee.as_str())
                    && (is_route_call(call) || callee == "openapi")
                {
                    return Some(call);
                }
                cur = call;
            }
            _ => return None,
        }
    }
}

/// A NestJS route method: `@Post()` on a method of a `@Controller` class.
fn is_nest_handler(func: Node<'_>, src: &Script<'_>) -> bool {
    nest::route_method(func, src).is_some()
}

/// Exported names: `export function POST`, `export const POST = …`,
/// `export default …`, `module.exports = …`, `exports.handler = …`.
fn export_name(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    let pos = outer_position(func);
    let parent = pos.parent()?;
    match parent.kind_name() {
        "export_statement" => Some(
            func.field(Field::Name)
                .map(|n| ast::text(n, src).to_string())
                .unwrap_or_else(|| "default".into()),
        ),
        "variable_declarator" => {
            let decl = parent.parent()?;
            if decl
                .parent()
                .is_some_and(|e| e.kind_name() == "export_statement")
            {
                parent
                    .field(Field::Name)
                    .map(|n| ast::text(n, src).to_string())
            } else {
                None
            }
        }
        "assignment_expression" => {
            let left = ast::member_path(parent.field(Field::Left)?, src)?;
            if left == "module.exports" {
                Some("default".into())
            } else {
                left.strip_prefix("module.exports.")
                    .or_else(|| left.strip_prefix("exports."))
                    .map(str::to_string)
            }
        }
        // `export default { async fetch(request) { … } }` (Workers)
        "object" if func.kind_name() == "method_definition" => None,
        _ => None,
    }
}

/// Verbs that name code sending (not receiving) webhooks: `sendWebhook`,
/// `triggerWebhooks`, `cron/send-link-clicked-webhooks`.
const SENDER_VERBS: &[&str] = &[
    "send",
    "trigger",
    "dispatch",
    "deliver",
    "emit",
    "fire",
    "publish",
    "queue",
    "enqueue",
    "execute",
    "resend",
    "retry",
    "notify",
    "forward",
    "broadcast",
];

/// Verbs that name the verifier itself (`verifyWebhook(req)`), not a handler.
const VERIFIER_VERBS: &[&str] = &["verify", "validate", "check", "assert", "authenticate"];

fn starts_with_verb(name: &str, verbs: &[&str]) -> bool {
    let l = name.trim_start_matches('_').to_ascii_lowercase();
    verbs.iter().any(|v| l.starts_with(v))
}

/// A name that says the function receives webhooks (`stripeWebhookHandler`,
/// `handleWebhook`), not that it sends or verifies them.
fn is_receiver_name(name: &str) -> bool {
    name.to_ascii_lowercase().contains("webhook")
        && !starts_with_verb(name, SENDER_VERBS)
        && !starts_with_verb(name, VERIFIER_VERBS)
}

/// The first parameter is a request: named `req`/`request` or typed `…Request`.
fn takes_request(func: Node<'_>, src: &Script<'_>) -> bool {
    first_param(func, src).is_some_and(|p| p == "req" || p == "request")
        || first_param_type(func, src).is_some_and(|t| t.contains("Request"))
}

/// A path where a default export serves HTTP: `pages/api`, `api/`, serverless `functions/`.
fn is_api_path(path: &str) -> bool {
    let p = format!("/{path}");
    p.contains("/api/") || p.contains("/functions/")
}

/// A Remix / React Router route module.
fn is_route_module_path(path: &str) -> bool {
    format!("/{path}").contains("/routes/")
}

/// Whether a function exported as `name` (`"default"` for a default export) is
/// an inbound handler.
fn exported_as_handler(name: &str, func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    HTTP_VERBS.contains(&name)
        || name == "handler"
        || (name == "default" && (is_api_path(path) || takes_request(func, src)))
        || (name == "action" && is_route_module_path(path))
        || (is_receiver_name(name) && takes_request(func, src))
}

/// `export default function foo() {}` / `export default async () => …`.
fn is_default_export(func: Node<'_>) -> bool {
    outer_position(func)
        .parent()
        .filter(|p| p.kind_name() == "export_statement")
        .is_some_and(|e| {
            let mut c = e.walk();
            let found = e.children(&mut c).any(|k| k.kind_name() == "default");
            found
        })
}

/// A callback of a server: `Deno.serve(async (req) => …)`, `serve(…)`,
/// `Bun.serve(…)`, `http.createServer(…)`.
fn is_server_callback(func: Node<'_>, src: &Script<'_>) -> bool {
    let pos = outer_position(func);
    pos.parent()
        .filter(|p| p.kind_name() == "arguments")
        .and_then(|p| p.parent())
        .filter(|c| c.kind_name() == "call_expression")
        .and_then(|c| ast::callee_name(c, src))
        .is_some_and(|n| matches!(n.as_str(), "serve" | "createServer"))
}

/// A Worker: `export default { async fetch(request) { … } }`.
fn is_worker_fetch(func: Node<'_>, src: &Script<'_>) -> bool {
    func.kind_name() == "method_definition"
        && func
            .field(Field::Name)
            .is_some_and(|n| ast::text(n, src) == "fetch")
        && func
            .parent()
            .and_then(|o| o.parent())
            .is_some_and(|e| e.kind_name() == "export_statement")
}

/// An inbound request handler: a route export (`export async function POST`,
/// a `pages/api` default export, a Remix `action`, a serverless `handler`, an
/// exported function named as a webhook receiver), a router registration
/// (`app.post('/x', fn)`, Hono `app.openapi(route, fn)`), a NestJS `@Post()`
/// method of a `@Controller`, a Worker `fetch`, a `Deno.serve` callback, or a
/// top-level function registered or exported by name elsewhere in the file.
/// A function merely taking `req` is not one: its caller decides.
pub(super) fn is_handler(func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    is_handler_by_shape(func, src, path) || registered_by_name(func, src, path)
}

/// `is_handler` without the by-name registrations (no text search).
pub(super) fn is_handler_by_shape(func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    if is_default_export(func) && exported_as_handler("default", func, src, path) {
        return true;
    }
    if let Some(name) = export_name(func, src) {
        if exported_as_handler(&name, func, src, path) {
            return true;
        }
    }
    route_call(func, src).is_some()
        || is_nest_handler(func, src)
        || is_worker_fetch(func, src)
        || is_server_callback(func, src)
}

/// A top-level function that the file registers or exports by name:
/// `router.post('/x', handle)`, `export const POST = withLogging(handle)`,
/// `export { handle as POST }`, `export default handle`,
/// `module.exports = { handleWebhook }`. A text search confirmed on the tree,
/// done only for top-level functions (the cost is one scan of the text).
fn registered_by_name(func: Node<'_>, src: &Script<'_>, path: &str) -> bool {
    registration(func, src, path).is_some()
}

/// How a top-level function is registered by name (see `registered_by_name`).
#[derive(Clone, Copy, Default)]
pub(super) struct Registration<'t> {
    /// Route middleware or a wrapper at the registration authenticates or
    /// verifies: `router.post('/x', verifySignature, handle)`, `withAuth(handle)`.
    pub(super) guarded: bool,
    /// The router registration (`router.post(…)`, `app.openapi(…)`), if any.
    pub(super) call: Option<Node<'t>>,
    /// The route path says webhook: `router.post('/webhooks/stripe', handle)`.
    pub(super) route_says_webhook: bool,
}

pub(super) fn registration<'t>(
    func: Node<'t>,
    src: &Script<'t>,
    path: &str,
) -> Option<Registration<'t>> {
    let top_level = outer_position(func).parent().is_some_and(|p| {
        let decl = if p.kind_name() == "variable_declarator" {
            p.parent().and_then(|d| d.parent())
        } else {
            Some(p)
        };
        decl.is_some_and(|d| {
            d.kind_name() == "program"
                || (d.kind_name() == "export_statement"
                    && d.parent().is_some_and(|r| r.kind_name() == "program"))
        })
    });
    if !top_level {
        return None;
    }
    let name = ast::function_name(func, src).filter(|n| !n.is_empty())?;
    let root = src.program(func);
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let bytes = src.as_bytes();
    let mut from = 0;
    while let Some(i) = src.get(from..).and_then(|s| s.find(name)) {
        let at = from + i;
        let end = at + name.len();
        from = end;
        if at > 0 && bytes.get(at - 1).is_some_and(|&b| is_ident(b)) {
            continue;
        }
        if bytes.get(end).is_some_and(|&b| is_ident(b)) {
            continue;
        }
        if at >= func.start_byte() && end <= func.end_byte() {
            continue;
        }
        let Some(id) = root.descendant_for_byte_range(at, end) else {
            continue;
        };
        let Some(parent) = id.parent() else {
            continue;
        };
        let plain = Registration::default();
        let found = match (id.kind_name(), parent.kind_name()) {
            ("identifier", "arguments") => {
                // climb through wrappers (`withApiKey(handle)`) to the route
                // registration, the server call or the export
                let mut guarded = false;
                let mut arg = id;
                let mut cur = parent
                    .parent()
                    .filter(|c| c.kind_name() == "call_expression");
                let mut out = None;
                while let Some(call) = cur {
                    let callee = ast::callee_name(call, src).unwrap_or_default();
                    if ROUTE_METHODS.contains(&callee.as_str())
                        && (is_route_call(call) || callee == "openapi")
                    {
                        let args = ast::call_arguments(call);
                        out = Some(Registration {
                            guarded: guarded
                                || args.iter().any(|a| {
                                    a.id() != arg.id()
                                        && middleware_name(*a, src)
                                            .is_some_and(|n| is_guard_name(&n))
                                }),
                            call: Some(call),
                            route_says_webhook: args.first().is_some_and(|a| {
                                ast::is_string_like(*a)
                                    && ast::text(*a, src).to_ascii_lowercase().contains("webhook")
                            }),
                        });
                        break;
                    }
                    if matches!(callee.as_str(), "serve" | "createServer") {
                        out = Some(plain);
                        break;
                    }
                    guarded |= is_auth_wrapper_name(&callee);
                    // `export const POST = wrap(handle)`, `export default wrap(handle)`
                    if let Some(n) = exported_wrapper_name(call, src) {
                        if exported_as_handler(&n, func, src, path) {
                            out = Some(Registration { guarded, ..plain });
                        }
                        break;
                    }
                    arg = call;
                    cur = call
                        .parent()
                        .filter(|p| p.kind_name() == "arguments")
                        .and_then(|p| p.parent())
                        .filter(|c| c.kind_name() == "call_expression");
                }
                out
            }
            ("identifier", "export_statement") => {
                exported_as_handler("default", func, src, path).then_some(plain)
            }
            ("identifier", "export_specifier") => {
                let alias = parent
                    .field(Field::Alias)
                    .map(|a| ast::text(a, src).to_string())
                    .unwrap_or_else(|| name.to_string());
                exported_as_handler(&alias, func, src, path).then_some(plain)
            }
            ("shorthand_property_identifier", "object") => (parent
                .parent()
                .filter(|a| a.kind_name() == "assignment_expression")
                .and_then(|a| a.field(Field::Left))
                .and_then(|l| ast::member_path(l, src))
                .is_some_and(|l| l == "module.exports" || l == "exports")
                && exported_as_handler(name, func, src, path))
            .then_some(plain),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The name a wrapper call is exported as: `export const POST = wrap(…)`.
fn exported_wrapper_name(call: Node<'_>, src: &Script<'_>) -> Option<String> {
    if call
        .parent()
        .is_some_and(|p| p.kind_name() == "export_statement")
    {
        return Some("default".into());
    }
    let decl = call
        .parent()
        .filter(|p| p.kind_name() == "variable_declarator")?;
    decl.parent()
        .and_then(|d| d.parent())
        .filter(|e| e.kind_name() == "export_statement")?;
    decl.field(Field::Name)
        .map(|n| ast::text(n, src).to_string())
}

/// The name a handler goes by (for the message and the `webhook` name check).
pub(super) fn handler_name(func: Node<'_>, src: &Script<'_>) -> Option<String> {
    if let Some(n) = ast::function_name(func, src) {
        return Some(n.to_string());
    }
    if let Some(n) = export_name(func, src) {
        return Some(n);
    }
    let pos = outer_position(func);
    pos.parent()
        .filter(|p| p.kind_name() == "variable_declarator")
        .and_then(|p| p.field(Field::Name))
        .map(|n| ast::text(n, src).to_string())
}

pub(super) fn is_webhook(handler: Node<'_>, path: &str, src: &Script<'_>) -> bool {
    // a path segment says webhook, unless it says the code sends them
    // (`cron/send-link-clicked-webhooks/route.ts`)
    if path
        .split('/')
        .any(|seg| seg.contains("webhook") && !starts_with_verb(seg, SENDER_VERBS))
    {
        return true;
    }
    if handler_name(handler, src).is_some_and(|n| n.to_ascii_lowercase().contains("webhook")) {
        return true;
    }
    if let Some(call) = route_call(handler, src) {
        if ast::call_arguments(call)
            .first()
            .is_some_and(|a| ast::text(*a, src).to_ascii_lowercase().contains("webhook"))
        {
            return true;
        }
    }
    if handler.kind_name() == "method_definition" {
        let mut decs = member_decorators(handler);
        decs.extend(class_decorators(handler));
        if decs
            .iter()
            .any(|d| ast::text(*d, src).to_ascii_lowercase().contains("webhook"))
        {
            return true;
        }
    }
    scan_with_callees(handler, handler, src, path, &mut |n| {
        is_stripe_event_test(n, src)
    })
}

/// A Stripe event type compared in a `case` or an equality test:
/// `case 'checkout.session.completed':`, `event.type === 'invoice.paid'`.
fn is_stripe_event_test(node: Node<'_>, src: &Script<'_>) -> bool {
    if node.kind_name() != "string" {
        return false;
    }
    let Some(parent) = node.parent() else {
        return false;
    };
    let compared = match parent.kind_name() {
        "switch_case" => true,
        "binary_expression" => matches!(
            parent.field(Field::Operator).map(|o| ast::text(o, src)),
            Some("===" | "==" | "!==" | "!=")
        ),
        _ => false,
    };
    compared && ast::string_value(node, src).is_some_and(|v| is_stripe_event_type(&v))
}

fn is_stripe_event_type(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        && STRIPE_OBJECTS.contains(&parts[0])
}
