//! `Access-Control-Allow-Origin` set by hand on a response, and whether the site is
//! public.

use super::options::key_name;
use super::origin::{classify, in_assertion, is_raw_origin, Bad};
use super::{open_level, origin_header_expr, replace_with, report, Open, STAR_WITH_CREDENTIALS};
use crate::context::RuleContext;
use crate::diagnostic::{Fix, Level};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use tree_sitter::Node;

/// Where a header value was found: whether credentials are allowed alongside,
/// whether the response is a public/static one (asset paths, images, fonts), and
/// the headers object holding it (to tell a request's headers from a response's).
pub(super) struct HeaderSite<'t> {
    pub(super) credentials: bool,
    pub(super) public: bool,
    pub(super) object: Option<Node<'t>>,
}

pub(super) fn check_header_value(cx: &mut RuleContext<'_>, value: Node<'_>, site: HeaderSite<'_>) {
    let script = cx.script();
    let src = &script;
    if in_assertion(value, src) {
        return;
    }
    let Some(bad) = classify(value, src, true) else {
        return;
    };
    // Only response headers count: `fetch(url, { headers: { … } })` sends a request.
    if site.object.is_some_and(|o| is_request_headers(o, src)) {
        return;
    }
    match bad {
        Bad::Wildcard { node, literal } => {
            if ast::in_dev_only_branch(node, src) {
                return;
            }
            let fix = literal.then(|| {
                Fix::unsafe_(
                    "Send the origin configured in CORS_ORIGIN",
                    vec![replace_with(node, &origin_header_expr(src))],
                )
            });
            let (level, message) = if site.credentials {
                (
                    Level::Error,
                    format!("CORS `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`: {STAR_WITH_CREDENTIALS}; send an allowed origin instead (e.g. from `process.env.CORS_ORIGIN`)"),
                )
            } else {
                if site.public || in_wildcard_branch(node, src) {
                    return;
                }
                let Some(why) = open_level(cx, Open::Wildcard) else {
                    return;
                };
                (
                    Level::Warn,
                    format!("CORS allows any origin: `Access-Control-Allow-Origin: *`{why}; send an allowed origin instead (e.g. from `process.env.CORS_ORIGIN`)"),
                )
            };
            report(cx, node, level, message, fix);
        }
        Bad::Reflect { node, name } => {
            if ast::in_dev_only_branch(node, src) || origin_checked(node, name.as_deref(), src) {
                return;
            }
            let (level, message) = if site.credentials {
                (
                    Level::Error,
                    "CORS reflects any origin with credentials: `Access-Control-Allow-Origin` sends back the request's `Origin` without an allowlist check together with `Access-Control-Allow-Credentials: true`, so any site can act as the user; check it against the allowed origins first".to_string(),
                )
            } else {
                let Some(why) = open_level(cx, Open::Reflect) else {
                    return;
                };
                (
                    Level::Warn,
                    format!("CORS allows any origin: `Access-Control-Allow-Origin` reflects the request's `Origin` without an allowlist check{why}; check it against the allowed origins first"),
                )
            };
            report(cx, node, level, message, None);
        }
    }
}

/// The `*` branch of a CORS helper's own implementation:
/// `if (origin === '*') headers.set('Access-Control-Allow-Origin', '*')` or
/// `origin === '*' ? '*' : …` — the wildcard is the configured value, passed on.
fn in_wildcard_branch(node: Node<'_>, src: &Script<'_>) -> bool {
    let mut child = node;
    for n in ast::ancestors(node) {
        if ast::is_function(n) {
            return false;
        }
        if matches!(n.kind_name(), "if_statement" | "ternary_expression")
            && n.field(Field::Consequence)
                .is_some_and(|c| c.id() == child.id())
            && n.field(Field::Condition)
                .is_some_and(|c| compares_with_star(c, src))
        {
            return true;
        }
        child = n;
    }
    false
}

/// A condition that tests a value for equality with `'*'` (`origin === '*'`).
fn compares_with_star(cond: Node<'_>, src: &Script<'_>) -> bool {
    ast::any_descendant(cond, &mut |n| {
        n.kind_name() == "binary_expression"
            && matches!(
                n.field(Field::Operator).map(|o| ast::text(o, src)),
                Some("===" | "==")
            )
            && [Field::Left, Field::Right].into_iter().any(|f| {
                n.field(f)
                    .and_then(|side| ast::string_value(side, src))
                    .is_some_and(|v| v.trim() == "*")
            })
    })
}

/// A headers object (`{ 'Access-Control-Allow-Origin': … }`, maybe inside
/// `new Headers(…)`) that is sent with an outgoing request: passed as `headers`
/// to `fetch`/`axios`/`ky`/`got`/`new Request(…)`, directly or through a
/// variable used in such a call in the same function (or module).
fn is_request_headers(obj: Node<'_>, src: &Script<'_>) -> bool {
    let mut holder = obj;
    if let Some(new_expr) = holder
        .parent()
        .filter(|a| a.kind_name() == "arguments")
        .and_then(|a| a.parent())
        .filter(|n| n.kind_name() == "new_expression")
    {
        holder = new_expr;
    }
    let init = holder
        .parent()
        .filter(|p| p.kind_name() == "pair" && key_name(*p, src).as_deref() == Some("headers"))
        .and_then(|p| p.parent());
    for candidate in [Some(holder), init].into_iter().flatten() {
        let Some(parent) = candidate.parent() else {
            continue;
        };
        match parent.kind_name() {
            "arguments" if parent.parent().is_some_and(|c| is_request_call(c, src)) => {
                return true;
            }
            "variable_declarator" => {
                let Some(name) = parent
                    .field(Field::Name)
                    .filter(|n| n.kind_name() == "identifier")
                    .map(|n| ast::text(n, src))
                else {
                    continue;
                };
                let scope = ast::enclosing_function(parent).unwrap_or_else(|| src.program(parent));
                let used = ast::any_descendant(scope, &mut |n| {
                    is_request_call(n, src)
                        && n.field(Field::Arguments).is_some_and(|args| {
                            ast::any_descendant(args, &mut |m| {
                                matches!(
                                    m.kind_name(),
                                    "identifier" | "shorthand_property_identifier"
                                ) && ast::text(m, src) == name
                            })
                        })
                });
                if used {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// HTTP clients: `fetch(…)`, `$fetch`, `ofetch`, `ky`, `got`, `axios(…)`,
/// `axios.get/post/…/create(…)`, `http.request(…)`, `new Request(…)`.
fn is_request_call(n: Node<'_>, src: &Script<'_>) -> bool {
    match n.kind_name() {
        "new_expression" => n
            .field(Field::Constructor)
            .is_some_and(|c| ast::text(c, src) == "Request"),
        "call_expression" => {
            let Some(path) = ast::callee_path(n, src) else {
                return false;
            };
            let mut segs = path.split('.');
            let root = segs.next().unwrap_or("");
            let last = path.rsplit('.').next().unwrap_or("");
            const CLIENTS: &[&str] = &[
                "fetch",
                "$fetch",
                "ofetch",
                "ky",
                "got",
                "axios",
                "superagent",
                "undici",
                "http",
                "https",
            ];
            const METHODS: &[&str] = &[
                "get", "post", "put", "patch", "delete", "head", "request", "create", "fetch",
            ];
            if !path.contains('.') {
                CLIENTS.contains(&root)
            } else {
                CLIENTS.contains(&root) && METHODS.contains(&last)
            }
        }
        _ => false,
    }
}

/// Whether the receiver of `x.setHeader(…)`/`x.headers.set(…)` is a request
/// (`req`, `request`, `proxyReq`, `xhr`): the header goes out, it is not CORS.
pub(super) fn is_request_receiver(call: Node<'_>, src: &Script<'_>) -> bool {
    let Some(obj) = call
        .field(Field::Function)
        .and_then(|f| f.field(Field::Object))
    else {
        return false;
    };
    let Some(path) = ast::member_path(obj, src) else {
        return false;
    };
    path.split('.').any(|seg| {
        let seg = seg.to_ascii_lowercase();
        seg == "xhr" || seg.ends_with("req") || seg.ends_with("request")
    })
}

/// A public/static response: a `Content-Type` of an image, font, stylesheet or
/// script, or `Cache-Control: public, … immutable` among the same headers.
pub(super) fn is_public_headers(obj: Node<'_>, src: &Script<'_>) -> bool {
    let mut c = obj.walk();
    let found = obj.named_children(&mut c).any(|p| {
        if p.kind_name() != "pair" {
            return false;
        }
        let Some(key) = key_name(p, src) else {
            return false;
        };
        let Some(v) = p
            .field(Field::Value)
            .and_then(|v| ast::string_value(v, src))
        else {
            return false;
        };
        let v = v.to_ascii_lowercase();
        if key.eq_ignore_ascii_case("content-type") {
            v.starts_with("image/")
                || v.starts_with("font/")
                || v.starts_with("text/css")
                || v.contains("javascript")
        } else if key.eq_ignore_ascii_case("cache-control") {
            v.contains("public") && v.contains("immutable")
        } else {
            false
        }
    });
    found
}

/// A `next.config` `headers()` `source` for static assets: a file extension of an
/// image, font, stylesheet, script or document, or an asset folder.
pub(super) fn is_asset_source(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    const EXT: &[&str] = &[
        ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".woff", ".woff2",
        ".ttf", ".otf", ".eot", ".css", ".js", ".mjs", ".map", ".json", ".yaml", ".yml", ".txt",
        ".xml", ".pdf", ".mp4", ".webm", ".mp3", "(png", "(jpg", "(svg", "(woff", "|png", "|svg",
        "|woff", "|ico",
    ];
    const DIRS: &[&str] = &[
        "/_next/static",
        "/static/",
        "/fonts",
        "/images",
        "/img/",
        "/assets",
        "/icons",
        "/.well-known",
        "/favicon",
        "/openapi",
        "/swagger",
    ];
    EXT.iter().any(|e| s.contains(e)) || DIRS.iter().any(|d| s.contains(d))
}

/// Whether the origin is checked against something before `at` in its function
/// (or top-level statement): a condition that passes it to a call (`allowed.includes(origin)`),
/// calls a method on it (`origin.endsWith(…)`) or compares it with a value.
/// A bare truthiness test (`if (origin)`) is no check.
fn origin_checked(at: Node<'_>, name: Option<&str>, src: &Script<'_>) -> bool {
    // At the top level, only the statement itself (no walk of the whole file per finding).
    let scope = ast::enclosing_function(at)
        .or_else(|| {
            let mut cur = at;
            let mut steps = 0usize;
            while let Some(p) = cur.parent().filter(|_| {
                steps += 1;
                steps <= ast::MAX_ANCESTOR_STEPS
            }) {
                if p.kind_name() == "program" {
                    return Some(cur);
                }
                cur = p;
            }
            None
        })
        .unwrap_or(at);
    let is_origin = |n: Node<'_>| -> bool {
        (n.kind_name() == "identifier" && name.is_some_and(|m| ast::text(n, src) == m))
            || is_raw_origin(n, src)
    };
    let checks = |n: Node<'_>| -> bool {
        let Some(p) = n.parent() else {
            return false;
        };
        match p.kind_name() {
            "arguments" => true,
            "member_expression" => p
                .parent()
                .is_some_and(|gp| gp.kind_name() == "call_expression"),
            "binary_expression" => {
                let op = p.field(Field::Operator).map(|o| ast::text(o, src));
                if !matches!(op, Some("===" | "!==" | "==" | "!=" | "in")) {
                    return false;
                }
                let other = if p.field(Field::Left).is_some_and(|l| l.id() == n.id()) {
                    p.field(Field::Right)
                } else {
                    p.field(Field::Left)
                };
                other.is_some_and(|o| {
                    !matches!(o.kind_name(), "undefined" | "null")
                        && ast::text(o, src) != "undefined"
                        && ast::string_value(o, src).is_none_or(|s| !s.is_empty())
                })
            }
            _ => false,
        }
    };
    ast::any_descendant(scope, &mut |n| {
        let cond = match n.kind_name() {
            "if_statement" | "ternary_expression" | "while_statement" => n.field(Field::Condition),
            "switch_statement" => n.field(Field::Value),
            "binary_expression"
                if n.field(Field::Operator).map(|o| ast::text(o, src)) == Some("&&") =>
            {
                n.field(Field::Left)
            }
            _ => None,
        };
        let Some(cond) = cond else {
            return false;
        };
        if cond.start_byte() >= at.start_byte() {
            return false;
        }
        ast::any_descendant(cond, &mut |m| is_origin(m) && checks(m))
    })
}
