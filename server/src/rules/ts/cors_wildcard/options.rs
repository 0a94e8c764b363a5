//! CORS options objects: `cors({…})`, `app.enableCors({…})`, NestJS factories and their
//! `origin`/`credentials` pairs.

use super::headers::{
    check_header_value, is_asset_source, is_public_headers, is_request_receiver, HeaderSite,
};
use super::{
    open_level, origin_list_expr, replace_with, report, Open, ACAC, ACAO, STAR_WITH_CREDENTIALS,
};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{require_source, Script};
use tree_sitter::Node;

/// A call of an imported CORS middleware (`cors`, `hono/cors`) or a Fastify
/// `register` of `@fastify/cors`: its options are checked.
pub(super) fn check_imported_cors(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let src = cx.script();
    let Some(f) = call.field(Field::Function) else {
        return;
    };
    let imported = |n: Node<'_>, fastify: bool| {
        let Some(b) = src.declaration(n, ast::text(n, &src)) else {
            return false;
        };
        match b.import.as_ref() {
            Some(i) if !i.type_only => match (i.module.as_str(), i.imported.as_str()) {
                ("cors", "default" | "*") | ("hono/cors", "cors") => !fastify,
                ("@fastify/cors" | "fastify-cors", "default" | "*") => fastify,
                _ => false,
            },
            _ => false,
        }
    };
    if f.kind_name() == "identifier" && imported(f, false) {
        let name = ast::text(f, &src);
        check_options_call(cx, call, 0, &format!("{name}()"));
    } else if ast::callee_name(call, &src).as_deref() == Some("register") {
        let args = ast::call_arguments(call);
        if args
            .first()
            .is_some_and(|a| a.kind_name() == "identifier" && imported(*a, true))
        {
            check_options_call(cx, call, 1, "register(cors)");
        }
    }
}

pub(super) fn check_call(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some(func) = call.field(Field::Function) else {
        return;
    };
    // `app.use(require('cors')())`
    if func.kind_name() == "call_expression" {
        if require_source(func, src).as_deref() == Some("cors") {
            check_options_call(cx, call, 0, "cors()");
        }
        return;
    }
    let Some(path) = ast::callee_path(call, src) else {
        return;
    };
    let name = path.rsplit('.').next().unwrap_or("");
    match name {
        "enableCors" if path.contains('.') => check_options_call(cx, call, 0, "enableCors()"),
        "create" if path.ends_with("NestFactory.create") => check_nest_factory(cx, call),
        "register" => {
            let args = ast::call_arguments(call);
            if args
                .first()
                .and_then(|a| require_source(*a, src))
                .is_some_and(|m| m == "@fastify/cors" || m == "fastify-cors")
            {
                check_options_call(cx, call, 1, "register(cors)");
            }
        }
        "setHeader" | "header" | "set" | "append" => {
            let args = ast::call_arguments(call);
            if args.len() < 2 {
                return;
            }
            let is_acao = ast::string_value(args[0], src)
                .is_some_and(|h| h.trim().eq_ignore_ascii_case(ACAO));
            if !is_acao {
                return;
            }
            let scope = ast::enclosing_function(call)
                .or_else(|| ast::enclosing_statement(call))
                .unwrap_or(call);
            if is_request_receiver(call, src) {
                return;
            }
            let credentials = ast::any_descendant(scope, &mut |n| sets_credentials(n, src));
            let site = HeaderSite {
                credentials,
                public: false,
                object: None,
            };
            check_header_value(cx, args[1], site);
        }
        _ => {}
    }
}

/// A CORS middleware call whose options are argument `idx`.
fn check_options_call(cx: &mut RuleContext<'_>, call: Node<'_>, idx: usize, what: &str) {
    let script = cx.script();
    let src = &script;
    let args = ast::call_arguments(call);
    if args.len() < idx {
        return;
    }
    let Some(opt) = args.get(idx).copied() else {
        // No options: the middleware allows any origin.
        if ast::in_dev_only_branch(call, src) {
            return;
        }
        let Some(why) = open_level(cx, Open::Bare) else {
            return;
        };
        let Some(arg_list) = call.field(Field::Arguments) else {
            return;
        };
        if !ast::text(arg_list, src).starts_with('(') {
            return;
        }
        let expr = origin_list_expr(src);
        let edit = match idx.checked_sub(1).and_then(|i| args.get(i)) {
            Some(prev) => Edit::insert(prev.end_byte(), format!(", {{ origin: {expr} }}")),
            None => Edit::insert(arg_list.start_byte() + 1, format!("{{ origin: {expr} }}")),
        };
        report(
            cx,
            call,
            Level::Warn,
            format!("CORS allows any origin: `{what}` without an `origin` option sends `Access-Control-Allow-Origin: *`{why}; list the allowed origins"),
            Some(Fix::unsafe_("Allow only the origins listed in CORS_ORIGIN", vec![edit])),
        );
        return;
    };
    let opt = ast::unwrap_expr(opt);
    let obj = match opt.kind_name() {
        "object" => opt,
        "identifier" => match src.value_of(opt, ast::text(opt, src)).map(ast::unwrap_expr) {
            Some(v) if v.kind_name() == "object" => v,
            _ => return,
        },
        _ => return,
    };
    let anchor = call.field(Field::Function).unwrap_or(call);
    check_options_object(cx, obj, Some(anchor), what, call);
}

/// `NestFactory.create(AppModule, { cors: true })` / `{ cors: { … } }`.
fn check_nest_factory(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let args = ast::call_arguments(call);
    let Some(opts) = args.get(1).map(|a| ast::unwrap_expr(*a)) else {
        return;
    };
    if opts.kind_name() != "object" {
        return;
    }
    let Some((key, value)) = find_pair(opts, "cors", src) else {
        return;
    };
    let value = ast::unwrap_expr(value);
    match value.kind_name() {
        "true" => {
            if ast::in_dev_only_branch(value, src) {
                return;
            }
            let Some(why) = open_level(cx, Open::Bare) else {
                return;
            };
            let expr = origin_list_expr(src);
            report(
                cx,
                value,
                Level::Warn,
                format!("CORS allows any origin: `cors: true` enables CORS with `Access-Control-Allow-Origin: *`{why}; pass `{{ origin: [...] }}` with the allowed origins"),
                Some(Fix::unsafe_(
                    "Allow only the origins listed in CORS_ORIGIN",
                    vec![Edit::replace(value.byte_range(), format!("{{ origin: {expr} }}"))],
                )),
            );
        }
        "object" => check_options_object(cx, value, Some(key), "cors", call),
        _ => {}
    }
}

/// The key of a pair as a plain name (`origin`, `'origin'`); `None` for computed keys.
pub(super) fn key_name(pair: Node<'_>, src: &Script<'_>) -> Option<String> {
    let key = pair.field(Field::Key)?;
    match key.kind_name() {
        "property_identifier" | "identifier" => Some(ast::text(key, src).to_string()),
        "string" => ast::string_value(key, src),
        _ => None,
    }
}

/// The (key node, value node) of the pair `name` in an object literal.
fn find_pair<'t>(obj: Node<'t>, name: &str, src: &Script<'t>) -> Option<(Node<'t>, Node<'t>)> {
    let mut c = obj.walk();
    let found = obj
        .named_children(&mut c)
        .filter(|p| p.kind_name() == "pair")
        .find(|p| key_name(*p, src).is_some_and(|k| k.eq_ignore_ascii_case(name)));
    let pair = found?;
    Some((pair.field(Field::Key)?, pair.field(Field::Value)?))
}

fn is_true_value(node: Node<'_>, src: &Script<'_>) -> bool {
    let node = ast::unwrap_expr(node);
    node.kind_name() == "true" || ast::string_value(node, src).is_some_and(|v| v.trim() == "true")
}

/// Options of `cors()`/`enableCors()`/`register(cors, …)`/`cors:`. `anchor` is
/// where a missing `origin` is reported (`None`: a missing `origin` is not a
/// finding, e.g. for other libraries' `cors:` options).
fn check_options_object(
    cx: &mut RuleContext<'_>,
    obj: Node<'_>,
    anchor: Option<Node<'_>>,
    what: &str,
    call: Node<'_>,
) {
    let script = cx.script();
    let src = &script;
    let mut origin = None;
    let mut credentials = false;
    let mut opaque = false;
    let mut c = obj.walk();
    for child in obj.named_children(&mut c) {
        match child.kind_name() {
            "pair" => match key_name(child, src).as_deref() {
                Some("origin") => origin = child.field(Field::Value),
                Some("credentials") => {
                    credentials = child
                        .field(Field::Value)
                        .is_some_and(|v| ast::unwrap_expr(v).kind_name() == "true")
                }
                _ => {}
            },
            // `{ ...base }` or a shorthand `origin`: the origin comes from elsewhere.
            "spread_element" | "shorthand_property_identifier" | "method_definition" => {
                opaque = true
            }
            _ => {}
        }
    }
    let expr = origin_list_expr(src);
    if let Some(value) = origin {
        let mut bad = Vec::new();
        wildcard_origins(value, src, &mut bad);
        for b in bad {
            if ast::in_dev_only_branch(b, src) || ast::in_dev_only_branch(call, src) {
                continue;
            }
            let fix = Some(Fix::unsafe_(
                "Allow only the origins listed in CORS_ORIGIN",
                vec![replace_with(b, &expr)],
            ));
            if b.kind_name() == "true" {
                if credentials {
                    report(
                        cx,
                        b,
                        Level::Error,
                        "CORS reflects any origin with credentials: `origin: true` with `credentials: true` lets every site make authenticated requests; list the allowed origins".to_string(),
                        fix,
                    );
                } else if let Some(why) = open_level(cx, Open::Reflect) {
                    report(
                        cx,
                        b,
                        Level::Warn,
                        format!("CORS reflects any origin: `origin: true` sends every request's `Origin` back{why}; list the allowed origins"),
                        fix,
                    );
                }
            } else if credentials {
                report(
                    cx,
                    b,
                    Level::Error,
                    format!("CORS `origin: '*'` with `credentials: true`: {STAR_WITH_CREDENTIALS}; list the allowed origins (e.g. from `process.env.CORS_ORIGIN`)"),
                    fix,
                );
            } else if let Some(why) = open_level(cx, Open::Wildcard) {
                report(
                    cx,
                    b,
                    Level::Warn,
                    format!("CORS allows any origin: `origin: '*'`{why}; list the allowed origins (e.g. from `process.env.CORS_ORIGIN`)"),
                    fix,
                );
            }
        }
    } else if let Some(anchor) = anchor {
        if opaque || ast::in_dev_only_branch(call, src) || ast::in_dev_only_branch(obj, src) {
            return;
        }
        let (level, message) = if credentials {
            (
                Level::Error,
                format!("CORS `{what}` options without `origin` default to `*`, here with `credentials: true`: {STAR_WITH_CREDENTIALS}; list the allowed origins"),
            )
        } else {
            let Some(why) = open_level(cx, Open::Bare) else {
                return;
            };
            (
                Level::Warn,
                format!("CORS allows any origin: `{what}` options without `origin` default to `*`{why}; list the allowed origins"),
            )
        };
        report(
            cx,
            anchor,
            level,
            message,
            Some(Fix::unsafe_(
                "Allow only the origins listed in CORS_ORIGIN",
                vec![insert_origin(obj, src, &expr)],
            )),
        );
    }
}

/// Add `origin: EXPR` as the first property of an options object.
fn insert_origin(obj: Node<'_>, src: &Script<'_>, expr: &str) -> Edit {
    let mut c = obj.walk();
    let first = obj
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment");
    match first {
        None => {
            let inner = ast::text(obj, src)
                .trim_start_matches('{')
                .trim_end_matches('}');
            if inner.trim().is_empty() {
                Edit::replace(obj.byte_range(), format!("{{ origin: {expr} }}"))
            } else {
                Edit::insert(obj.start_byte() + 1, format!(" origin: {expr},"))
            }
        }
        Some(f) => {
            let between = src.get(obj.start_byte()..f.start_byte()).unwrap_or("");
            if between.contains('\n') {
                let indent = ast::line_indent(src, f.start_byte());
                let eol = ast::line_ending(src);
                Edit::insert(f.start_byte(), format!("origin: {expr},{eol}{indent}"))
            } else {
                Edit::insert(f.start_byte(), format!("origin: {expr}, "))
            }
        }
    }
}

/// The `'*'` / `true` values an `origin` option can take: the value itself, or
/// both branches of an environment-check ternary.
fn wildcard_origins<'t>(value: Node<'t>, src: &Script<'t>, out: &mut Vec<Node<'t>>) {
    let Some(_level) = ast::descend() else {
        return;
    };
    let mut v = value;
    while v.kind_name() == "parenthesized_expression" {
        match v.named_child(0) {
            Some(inner) => v = inner,
            None => return,
        }
    }
    if v.kind_name() == "true" || ast::string_value(v, src).is_some_and(|s| s.trim() == "*") {
        out.push(v);
    } else if v.kind_name() == "ternary_expression" {
        let is_env = v
            .field(Field::Condition)
            .is_some_and(|c| ast::env_check(c, src).is_some());
        if is_env {
            for f in [Field::Consequence, Field::Alternative] {
                if let Some(b) = v.field(f) {
                    wildcard_origins(b, src, out);
                }
            }
        }
    }
}

/// `Access-Control-Allow-Origin: …` as a key, or `{ key: 'Access-Control-Allow-Origin', value }`,
/// or a `cors: { … }` option object.
pub(super) fn check_pair(cx: &mut RuleContext<'_>, pair: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some(key) = key_name(pair, src) else {
        return;
    };
    let Some(value) = pair.field(Field::Value) else {
        return;
    };
    let Some(obj) = pair.parent() else {
        return;
    };
    if key.trim().eq_ignore_ascii_case(ACAO) {
        let credentials = {
            let mut c = obj.walk();
            let found = obj.named_children(&mut c).any(|p| sets_credentials(p, src));
            found
        };
        let site = HeaderSite {
            credentials,
            public: is_public_headers(obj, src),
            object: Some(obj),
        };
        check_header_value(cx, value, site);
    } else if key == "key"
        && ast::string_value(value, src).is_some_and(|v| v.trim().eq_ignore_ascii_case(ACAO))
    {
        // next.config `headers()`: `{ key: 'Access-Control-Allow-Origin', value: '*' }`
        let Some((_, header_value)) = find_pair(obj, "value", src) else {
            return;
        };
        let list = obj.parent();
        let credentials = list.is_some_and(|list| {
            let mut c = list.walk();
            let found = list
                .named_children(&mut c)
                .any(|o| sets_credentials(o, src));
            found
        });
        // `{ source: '/fonts/:path*', headers: [ … ] }`
        let public = list
            .and_then(|l| l.parent())
            .filter(|p| p.kind_name() == "pair")
            .and_then(|p| p.parent())
            .and_then(|entry| find_pair(entry, "source", src))
            .and_then(|(_, v)| ast::string_value(v, src))
            .is_some_and(|s| is_asset_source(&s));
        let site = HeaderSite {
            credentials,
            public,
            object: None,
        };
        check_header_value(cx, header_value, site);
    } else if key == "cors" {
        let value = ast::unwrap_expr(value);
        if value.kind_name() != "object" {
            return;
        }
        // NestFactory.create options are checked with the call (a missing origin counts there).
        let in_nest = obj
            .parent()
            .filter(|a| a.kind_name() == "arguments")
            .and_then(|a| a.parent())
            .and_then(|call| ast::callee_path(call, src))
            .is_some_and(|p| p.ends_with("NestFactory.create"));
        if !in_nest {
            check_options_object(cx, value, None, "cors", value);
        }
    }
}

/// Whether `node` allows credentials: a header setter call or a pair/object for
/// `Access-Control-Allow-Credentials: true`.
fn sets_credentials(node: Node<'_>, src: &Script<'_>) -> bool {
    match node.kind_name() {
        "call_expression" => {
            let args = ast::call_arguments(node);
            args.len() >= 2
                && ast::string_value(args[0], src)
                    .is_some_and(|h| h.trim().eq_ignore_ascii_case(ACAC))
                && is_true_value(args[1], src)
        }
        "pair" => {
            key_name(node, src).is_some_and(|k| k.trim().eq_ignore_ascii_case(ACAC))
                && node
                    .field(Field::Value)
                    .is_some_and(|v| is_true_value(v, src))
        }
        "object" => {
            find_pair(node, "key", src).is_some_and(|(_, k)| {
                ast::string_value(k, src).is_some_and(|h| h.trim().eq_ignore_ascii_case(ACAC))
            }) && find_pair(node, "value", src).is_some_and(|(_, v)| is_true_value(v, src))
        }
        _ => false,
    }
}
