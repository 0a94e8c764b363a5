//! Where a value comes from: an uploaded file's name, a request field, a file object or
//! list.

use super::flow::flows;
use super::sinks::sink_of;
use super::{FileFacts, Name, Origin};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::nest;
use crate::ts::frameworks::request::{RequestPart, REQUEST_ROOTS};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

/// Names a file like a file name: `filename`, `fileName`, `name`, `file`, `path`, `key`.
fn fileish(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.contains("file")
        || l.contains("name")
        || l.contains("path")
        || matches!(
            l.as_str(),
            "key" | "dir" | "folder" | "dest" | "destination"
        )
}

/// The client-supplied names inside a sink argument (`root`). With `hop`, an
/// identifier bound to an expression holding a name counts too.
pub(super) fn names_in<'t>(
    root: Node<'t>,
    src: &Script<'t>,
    hop_ok: bool,
    facts: &FileFacts,
) -> Vec<Name<'t>> {
    let mut out = Vec::new();
    ast::visit(root, &mut |n| {
        if ast::is_function(n) {
            return false;
        }
        if n.kind_name() == "call_expression" && sink_of(n, src, facts).is_some() {
            // A nested sink reports its own names.
            return false;
        }
        if let Some(origin) = source_origin(n, src) {
            if flows(n, root, src) {
                out.push(Name {
                    node: n,
                    origin,
                    shown: ast::text(n, src).to_string(),
                    target: n,
                });
            }
            return false;
        }
        if n.kind_name() == "identifier" && hop_ok && is_value_identifier(n) && flows(n, root, src)
        {
            if let Some(name) = hop(n, src, facts) {
                out.push(name);
            }
            return false;
        }
        true
    });
    out
}

/// An identifier used as a value (not a callee, not a property key).
fn is_value_identifier(n: Node) -> bool {
    match n.parent() {
        Some(p) => match p.kind_name() {
            "call_expression" => p.field(Field::Function).map(|f| f.id()) != Some(n.id()),
            "new_expression" => false,
            "member_expression" => true,
            _ => true,
        },
        None => false,
    }
}

/// One hop through a local: the identifier (or shorthand property) `n` is bound
/// to a client-supplied name, or to an expression that holds one.
pub(super) fn hop<'t>(n: Node<'t>, src: &Script<'t>, facts: &FileFacts) -> Option<Name<'t>> {
    let name = ast::text(n, src);
    let b = src.declaration(n, name)?;
    match b.kind {
        BindingKind::Const | BindingKind::Let | BindingKind::Var => {
            let value = b.value?;
            if let Some(key) = &b.key_name(src) {
                // `const { originalname } = req.file`, `const { filename } = req.body`.
                let origin = destructured_origin(key, value, src)?;
                let shown = match ast::member_path(ast::unwrap_expr(value), src) {
                    Some(p) => format!("{p}.{key}"),
                    None => key.clone(),
                };
                return Some(Name {
                    node: n,
                    origin,
                    shown,
                    target: n,
                });
            }
            if b.ident.kind_name() != "identifier" {
                return None;
            }
            let inner = names_in(value, src, false, facts);
            let best = inner.iter().max_by_key(|x| x.origin)?;
            Some(Name {
                node: n,
                origin: best.origin,
                shown: best.shown.clone(),
                target: best.target,
            })
        }
        BindingKind::Param => {
            // NestJS `@Body('filename') filename: string`.
            let origin = decorated_param_origin(b.decl, src, true)?;
            let mut c = b.decl.walk();
            let decorator = b
                .decl
                .children(&mut c)
                .find(|d| d.kind_name() == "decorator")
                .map(|d| ast::text(d, src))
                .unwrap_or("");
            Some(Name {
                node: n,
                origin,
                shown: format!("{decorator} {name}"),
                target: n,
            })
        }
        _ => None,
    }
}

fn destructured_origin(key: &str, value: Node, src: &Script<'_>) -> Option<Origin> {
    if matches!(key, "originalname" | "originalFilename") {
        return Some(Origin::Multer);
    }
    let value = ast::unwrap_expr(value);
    if let Some(path) = ast::member_path(value, src) {
        let mut full = path;
        full.push('.');
        full.push_str(key);
        if request_field(&full, value, src) {
            return Some(Origin::Request);
        }
    }
    if key == "name" && is_file_object(value, src, 0) {
        return Some(Origin::File);
    }
    None
}

/// NestJS: a parameter decorated with `@Body`, `@Query` or `@Param`. With
/// `whole_name`, the decorator must name a file-like field (`@Body('filename')`);
/// otherwise any such parameter (a DTO whose fields are checked by the caller).
fn decorated_param_origin(param: Node, src: &Script<'_>, whole_name: bool) -> Option<Origin> {
    for d in nest::param_decorators(param, src) {
        if !d.called
            || !matches!(
                d.part,
                RequestPart::Body | RequestPart::Query | RequestPart::Params
            )
        {
            continue;
        }
        match (whole_name, d.field) {
            (true, Some(f)) if fileish(&f) => return Some(Origin::Request),
            (false, None) => return Some(Origin::Request),
            _ => {}
        }
    }
    None
}

/// `req.body.filename`, `request.query.name`, `ctx.params.file`, a NestJS
/// `@Body() dto` → `dto.fileName`, Next.js `params.file`.
fn request_field(path: &str, at: Node, src: &Script<'_>) -> bool {
    let segs: Vec<&str> = path.split('.').collect();
    let Some(last) = segs.last() else {
        return false;
    };
    if segs.len() < 2 || !fileish(last) {
        return false;
    }
    for i in 1..segs.len() - 1 {
        if matches!(segs[i], "body" | "query" | "params")
            && (REQUEST_ROOTS.contains(&segs[i - 1]) || segs[i - 1] == "ctx")
        {
            return true;
        }
    }
    // The root is a decorated NestJS parameter or Next.js route `params`.
    let Some(root) = ast::first_identifier(at) else {
        return false;
    };
    let root_name = segs[0];
    match src.declaration(root, root_name) {
        Some(b) if b.kind == BindingKind::Param => {
            // Next.js route `params`, destructured from the props or the
            // route context (`{ params }`); a plain parameter that happens to
            // be called `params` holds whatever its caller passes.
            (root_name == "params"
                && segs.len() == 2
                && b.key_name(src).as_deref() == Some("params"))
                || decorated_param_origin(b.decl, src, false).is_some()
        }
        _ => false,
    }
}

/// Is `n` itself a client-supplied name?
fn source_origin(n: Node, src: &Script<'_>) -> Option<Origin> {
    match n.kind_name() {
        "member_expression" => {
            let prop = ast::text(n.field(Field::Property)?, src);
            if matches!(prop, "originalname" | "originalFilename") {
                return Some(Origin::Multer);
            }
            if prop == "name" {
                let object = n.field(Field::Object)?;
                if is_file_object(object, src, 0) {
                    return Some(Origin::File);
                }
            }
            let path = ast::member_path(n, src)?;
            request_field(&path, n, src).then_some(Origin::Request)
        }
        "subscript_expression" => {
            let path = ast::member_path(n, src)?;
            request_field(&path, n, src).then_some(Origin::Request)
        }
        "call_expression" => {
            // `searchParams.get('filename')`
            let f = n.field(Field::Function)?;
            if f.kind_name() != "member_expression"
                || f.field(Field::Property).map(|p| ast::text(p, src)) != Some("get")
            {
                return None;
            }
            let object = ast::member_path(f.field(Field::Object)?, src)?;
            if object != "searchParams" && !object.ends_with(".searchParams") {
                return None;
            }
            let key = ast::string_value(*ast::call_arguments(n).first()?, src)?;
            fileish(&key).then_some(Origin::Request)
        }
        _ => None,
    }
}

/// A type annotation that names the DOM `File` type (not `Express.Multer.File`).
fn names_file_type(ty: &str) -> bool {
    let bytes = ty.as_bytes();
    ty.match_indices("File").any(|(i, _)| {
        let before_ok = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'.'
                || bytes[i - 1] == b'_');
        let after = i + 4;
        let after_ok =
            after >= bytes.len() || !(bytes[after].is_ascii_alphanumeric() || bytes[after] == b'_');
        before_ok && after_ok
    })
}

/// Is `expr` a `File` (whose `.name` the client chose)?
fn is_file_object(expr: Node, src: &Script<'_>, depth: usize) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    if depth > 2 {
        return false;
    }
    // `x as File`
    let mut e = expr;
    loop {
        match e.kind_name() {
            "as_expression" | "satisfies_expression" => {
                if e.named_child(1)
                    .is_some_and(|t| names_file_type(ast::text(t, src)))
                {
                    return true;
                }
                match e.named_child(0) {
                    Some(i) => e = i,
                    None => return false,
                }
            }
            "parenthesized_expression" | "non_null_expression" | "await_expression" => {
                match e.named_child(0) {
                    Some(i) => e = i,
                    None => return false,
                }
            }
            _ => break,
        }
    }
    match e.kind_name() {
        // `input.files[0]`, `e.target.files?.[0]`
        "subscript_expression" => e
            .field(Field::Object)
            .and_then(|o| ast::member_path(o, src))
            .is_some_and(|p| p == "files" || p.ends_with(".files")),
        "call_expression" => {
            let Some(f) = e.field(Field::Function) else {
                return false;
            };
            if f.kind_name() != "member_expression" {
                return false;
            }
            let method = f.field(Field::Property).map(|p| ast::text(p, src));
            let Some(object) = f.field(Field::Object) else {
                return false;
            };
            match method {
                Some("get") => is_form_data(object, src),
                Some("item") => ast::member_path(object, src).is_some_and(|p| p.ends_with("files")),
                _ => false,
            }
        }
        "new_expression" => ast::callee_path(e, src).as_deref() == Some("File"),
        "identifier" => {
            let Some(b) = src.declaration(e, ast::text(e, src)) else {
                return false;
            };
            if b.key.is_some() {
                return false;
            }
            if b.decl
                .field(Field::Type)
                .is_some_and(|t| names_file_type(ast::text(t, src)))
            {
                return true;
            }
            match b.kind {
                BindingKind::Const | BindingKind::Let | BindingKind::Var => {
                    b.value.is_some_and(|v| is_file_object(v, src, depth + 1))
                }
                BindingKind::ForOf => b.value.is_some_and(|v| is_file_list(v, src, depth + 1)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// `formData.getAll('files')`, `input.files`, `Array.from(input.files)`, a local
/// bound to one, or typed `File[]`.
fn is_file_list(expr: Node, src: &Script<'_>, depth: usize) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    if depth > 3 {
        return false;
    }
    let e = ast::unwrap_expr(expr);
    match e.kind_name() {
        "member_expression" => ast::member_path(e, src).is_some_and(|p| p.ends_with(".files")),
        "call_expression" => {
            let Some(f) = e.field(Field::Function) else {
                return false;
            };
            if ast::member_path(f, src).as_deref() == Some("Array.from") {
                return ast::call_arguments(e)
                    .first()
                    .is_some_and(|a| is_file_list(*a, src, depth + 1));
            }
            f.kind_name() == "member_expression"
                && f.field(Field::Property)
                    .is_some_and(|p| ast::text(p, src) == "getAll")
                && f.field(Field::Object).is_some_and(|o| is_form_data(o, src))
        }
        "identifier" => {
            let Some(b) = src.declaration(e, ast::text(e, src)) else {
                return false;
            };
            if b.decl
                .field(Field::Type)
                .is_some_and(|t| names_file_type(ast::text(t, src)))
            {
                return true;
            }
            b.key.is_none()
                && matches!(
                    b.kind,
                    BindingKind::Const | BindingKind::Let | BindingKind::Var
                )
                && b.value.is_some_and(|v| {
                    let v = if v.kind_name() == "as_expression"
                        && v.named_child(1)
                            .is_some_and(|t| names_file_type(ast::text(t, src)))
                    {
                        return true;
                    } else {
                        v
                    };
                    is_file_list(v, src, depth + 1)
                })
        }
        _ => false,
    }
}

/// A `FormData`: `await req.formData()`, or a name that says so.
fn is_form_data(object: Node, src: &Script<'_>) -> bool {
    let o = ast::unwrap_expr(object);
    if o.kind_name() == "call_expression" {
        return ast::callee_name(o, src).as_deref() == Some("formData");
    }
    if ast::text(o, src).to_ascii_lowercase().contains("formdata") {
        return true;
    }
    if o.kind_name() == "identifier" {
        if let Some(v) = src.declaration(o, ast::text(o, src)).and_then(|b| b.value) {
            let v = ast::unwrap_expr(v);
            return v.kind_name() == "call_expression"
                && ast::callee_name(v, src).as_deref() == Some("formData");
        }
    }
    false
}
