//! The sinks: filesystem, path and storage calls that take a path or key, and upload
//! helpers.

use super::{FileFacts, SinkUse};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

pub(super) const FS_MODULES: &[&str] = &[
    "fs",
    "node:fs",
    "fs/promises",
    "node:fs/promises",
    "fs-extra",
    "graceful-fs",
];
pub(super) const PATH_MODULES: &[&str] = &["path", "node:path", "path/posix", "node:path/posix"];

/// File-system functions that write, move or delete the path in the given arguments.
fn fs_sink_args(method: &str) -> Option<&'static [(usize, SinkUse)]> {
    use SinkUse::*;
    Some(match method {
        "writeFile" | "writeFileSync" | "appendFile" | "appendFileSync" | "createWriteStream"
        | "outputFile" | "outputFileSync" => &[(0, Store)],
        "unlink" | "unlinkSync" => &[(0, Remove)],
        "rename" | "renameSync" | "move" | "moveSync" => &[(0, Remove), (1, Store)],
        "copyFile" | "copyFileSync" => &[(1, Store)],
        _ => return None,
    })
}

type SinkArgs<'t> = Vec<(Node<'t>, SinkUse)>;

/// If `call` is a sink: a description and the arguments that are paths/keys.
pub(super) fn sink_of<'t>(
    call: Node<'t>,
    src: &Script<'t>,
    facts: &FileFacts,
) -> Option<(String, SinkArgs<'t>)> {
    let callee = ast::unwrap_expr(call.field(Field::Function)?);
    // The arguments are collected only for a call that turns out to be a sink.
    let args = || ast::call_arguments(call);
    let pick = |idx: &[(usize, SinkUse)]| -> SinkArgs<'t> {
        let args = args();
        idx.iter()
            .filter_map(|&(i, u)| args.get(i).map(|a| (*a, u)))
            .collect()
    };
    let all = |u: SinkUse| -> SinkArgs<'t> { args().into_iter().map(|a| (a, u)).collect() };
    match callee.kind_name() {
        "identifier" => {
            let name = ast::text(callee, src);
            // multer's `filename(req, file, cb)` callback.
            if facts.disk_storage && is_multer_filename_callback(callee, name, src) {
                return Some((
                    "the multer `filename` callback".to_string(),
                    pick(&[(1, SinkUse::Store)]),
                ));
            }
            // `join(…)` / `writeFile(…)` imported by name.
            let b = src.declaration(callee, name)?;
            let (module, imported) = b.module()?;
            if PATH_MODULES.contains(&module) && matches!(imported, "join" | "resolve") {
                if looks_like_array_join(&args(), src) {
                    return None;
                }
                return Some((format!("`path.{imported}`"), all(SinkUse::Path)));
            }
            if FS_MODULES.contains(&module) {
                let idx = fs_sink_args(imported)?;
                return Some((format!("`{imported}`"), pick(idx)));
            }
            None
        }
        "member_expression" => {
            let method = ast::text(callee.field(Field::Property)?, src);
            let object = callee.field(Field::Object)?;
            match method {
                "join" | "resolve" => {
                    if is_path_module(object, src) && !looks_like_array_join(&args(), src) {
                        return Some((format!("`path.{method}`"), all(SinkUse::Path)));
                    }
                    None
                }
                "upload" | "update" | "uploadToSignedUrl" | "createSignedUploadUrl" => {
                    is_storage_bucket(object, src, true).then(|| {
                        (
                            "a Supabase storage key".to_string(),
                            pick(&[(0, SinkUse::Store)]),
                        )
                    })
                }
                "move" | "copy" if is_storage_bucket(object, src, true) => Some((
                    "a Supabase storage key".to_string(),
                    pick(&[(1, SinkUse::Store)]),
                )),
                _ => {
                    let idx = fs_sink_args(method)?;
                    if !is_fs_module(object, src) {
                        return None;
                    }
                    Some((format!("`fs.{method}`"), pick(idx)))
                }
            }
        }
        _ => None,
    }
}

/// `path.join('/')`, `path.join()`: an array's `join`, not the module's.
fn looks_like_array_join(args: &[Node], _src: &Script<'_>) -> bool {
    args.is_empty() || (args.len() == 1 && ast::is_string_like(ast::unwrap_expr(args[0])))
}

/// Whether `object` is the `path` module (or `path.posix`/`path.win32`): bound
/// to an import or `require` of `path`, or an unbound `path`.
fn is_path_module(object: Node, src: &Script<'_>) -> bool {
    let object = ast::unwrap_expr(object);
    let ident = match object.kind_name() {
        "identifier" => object,
        "member_expression" => {
            let prop = object.field(Field::Property).map(|p| ast::text(p, src));
            if !matches!(prop, Some("posix" | "win32")) {
                return false;
            }
            match object.field(Field::Object) {
                Some(o) if o.kind_name() == "identifier" => o,
                _ => return false,
            }
        }
        _ => return false,
    };
    let name = ast::text(ident, src);
    // Only a name bound by an import/require can be the module; an unbound one
    // only if it is `path`.
    match src.declaration(ident, name) {
        Some(b) => b.module().is_some_and(|(m, imported)| {
            PATH_MODULES.contains(&m) && matches!(imported, "default" | "*")
        }),
        None => name == "path",
    }
}

/// Whether `object` is the `fs` module (`fs`, `fs.promises`, `fsp`, `fse`, an
/// import or `require` of `fs`, `fs/promises` or `fs-extra`).
fn is_fs_module(object: Node, src: &Script<'_>) -> bool {
    let mut o = ast::unwrap_expr(object);
    if o.kind_name() == "member_expression"
        && o.field(Field::Property)
            .is_some_and(|p| ast::text(p, src) == "promises")
    {
        match o.field(Field::Object) {
            Some(inner) => o = ast::unwrap_expr(inner),
            None => return false,
        }
    }
    if o.kind_name() != "identifier" {
        return false;
    }
    let name = ast::text(o, src);
    const UNBOUND_FS: &[&str] = &["fs", "fsp", "fse", "fsPromises", "fsExtra"];
    match src.declaration(o, name) {
        Some(b) => b.module().is_some_and(|(m, imported)| {
            FS_MODULES.contains(&m) && matches!(imported, "default" | "*" | "promises")
        }),
        None => UNBOUND_FS.contains(&name),
    }
}

/// `supabase.storage.from('bucket')`, or a local bound to it.
fn is_storage_bucket(object: Node, src: &Script<'_>, hop: bool) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    let o = ast::unwrap_expr(object);
    match o.kind_name() {
        "call_expression" => {
            let Some(f) = o.field(Field::Function) else {
                return false;
            };
            if f.kind_name() != "member_expression" {
                return false;
            }
            let is_from = f
                .field(Field::Property)
                .is_some_and(|p| ast::text(p, src) == "from");
            is_from
                && f.field(Field::Object).is_some_and(|s| {
                    let s = ast::unwrap_expr(s);
                    s.kind_name() == "member_expression"
                        && s.field(Field::Property)
                            .is_some_and(|p| ast::text(p, src) == "storage")
                })
        }
        "identifier" if hop => src
            .declaration(o, ast::text(o, src))
            .and_then(|b| b.value)
            .is_some_and(|v| is_storage_bucket(v, src, false)),
        _ => false,
    }
}

/// `cb` in `multer.diskStorage({ filename: (req, file, cb) => … cb(null, name) … })`.
fn is_multer_filename_callback(callee: Node, name: &str, src: &Script<'_>) -> bool {
    let Some(b) = src.declaration(callee, name) else {
        return false;
    };
    if b.kind != BindingKind::Param {
        return false;
    }
    // The parameter node and its function.
    let Some(params) = b.decl.parent() else {
        return false;
    };
    if params.kind_name() != "formal_parameters" {
        return false;
    }
    let mut c = params.walk();
    let index = params
        .named_children(&mut c)
        .filter(|n| n.kind_name() != "comment")
        .position(|n| n.id() == b.decl.id());
    if index != Some(2) {
        return false;
    }
    let Some(func) = params.parent() else {
        return false;
    };
    let holder = match func.kind_name() {
        "method_definition" => func
            .field(Field::Name)
            .filter(|n| ast::text(*n, src) == "filename")
            .map(|_| func),
        _ => func.parent().filter(|p| {
            p.kind_name() == "pair"
                && p.field(Field::Key).is_some_and(|k| {
                    ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).into())
                        == "filename"
                })
        }),
    };
    let Some(object) = holder.and_then(|h| h.parent()) else {
        return false;
    };
    let Some(call) = object.parent().and_then(|a| a.parent()) else {
        return false;
    };
    call.kind_name() == "call_expression"
        && ast::callee_path(call, src)
            .is_some_and(|p| p == "diskStorage" || p.ends_with(".diskStorage"))
}

/// A `Key` property of S3 parameters, and what the operation does with the
/// object: an argument of `new PutObjectCommand(…)` (any S3 object command:
/// `…Object…Command`, `…MultipartUpload…Command`, `UploadPartCommand`),
/// `s3.upload(…)`, `putObject`, `getObject`, `createPresignedPost`, …, the
/// `params` of `new Upload(…)`, or an object held in a variable in a file that
/// uses S3 (taken as a write). Other AWS commands with a `Key` (DynamoDB's
/// `GetItemCommand`, `GetCommand`) are not storage.
pub(super) fn s3_params_use(prop: Node, src: &Script<'_>) -> Option<SinkUse> {
    let object = prop.parent().filter(|o| o.kind_name() == "object")?;
    let parent = object.parent()?;
    match parent.kind_name() {
        "arguments" => s3_call_use(parent.parent()?, src),
        "pair" => {
            let is_params = parent
                .field(Field::Key)
                .is_some_and(|k| ast::text(k, src) == "params");
            let is_upload = is_params
                && parent
                    .parent()
                    .and_then(|o| o.parent())
                    .filter(|a| a.kind_name() == "arguments")
                    .and_then(|a| a.parent())
                    .is_some_and(|call| {
                        ast::callee_path(call, src)
                            .is_some_and(|p| p == "Upload" || p.ends_with(".Upload"))
                    });
            is_upload.then_some(SinkUse::Store)
        }
        "variable_declarator" => {
            (src.contains("S3") || src.contains("aws-sdk")).then_some(SinkUse::Store)
        }
        _ => None,
    }
}

/// What an S3 call does with the object its parameters name.
fn s3_call_use(call: Node, src: &Script<'_>) -> Option<SinkUse> {
    if !matches!(call.kind_name(), "new_expression" | "call_expression") {
        return None;
    }
    let path = ast::callee_path(call, src)?;
    let name = path.rsplit('.').next().unwrap_or("");
    if let Some(op) = name.strip_suffix("Command").filter(|op| !op.is_empty()) {
        let is_object_op =
            op.contains("Object") || op.contains("MultipartUpload") || op == "UploadPart";
        if !is_object_op {
            return None;
        }
        return Some(s3_operation_use(op));
    }
    match name {
        "upload" | "putObject" | "createMultipartUpload" | "createPresignedPost" | "copyObject" => {
            Some(SinkUse::Store)
        }
        "getObject" | "headObject" => Some(SinkUse::Read),
        "deleteObject" => Some(SinkUse::Remove),
        // v2: `s3.getSignedUrl('getObject', params)`: the operation decides
        "getSignedUrl" | "getSignedUrlPromise" => {
            let op = ast::call_arguments(call)
                .first()
                .and_then(|a| ast::string_value(*a, src));
            Some(match op {
                Some(op) => s3_operation_use(&op),
                None => SinkUse::Store,
            })
        }
        _ => None,
    }
}

/// `PutObject` / `putObject` → a write, `GetObject` / `HeadObject` → a read,
/// `DeleteObject` → a removal (case-insensitive on the operation's name).
fn s3_operation_use(op: &str) -> SinkUse {
    let l = op.to_ascii_lowercase();
    if l.starts_with("get") || l.starts_with("head") || l.starts_with("select") {
        SinkUse::Read
    } else if l.starts_with("delete") {
        SinkUse::Remove
    } else {
        SinkUse::Store
    }
}

/// Property names that give an upload helper its storage path.
const UPLOAD_PATH_KEYS: &[&str] = &[
    "path",
    "key",
    "filePath",
    "storagePath",
    "storageKey",
    "objectKey",
];

/// An object argument of an upload helper (`uploadFile({ file, path: [team,
/// file.name] })`, `storage.upload({ key, body })`): a call whose function's
/// name contains `upload`, given a path-like property (`path`, `key`,
/// `filePath`, …). The helper's path, for the message.
pub(super) fn upload_helper_path(pair: Node, key: &str, src: &Script<'_>) -> Option<String> {
    if !UPLOAD_PATH_KEYS.contains(&key) {
        return None;
    }
    let object = pair.parent().filter(|o| o.kind_name() == "object")?;
    let args = object.parent().filter(|a| a.kind_name() == "arguments")?;
    let call = args
        .parent()
        .filter(|c| c.kind_name() == "call_expression")?;
    let path = ast::callee_path(call, src)?;
    let name = path.rsplit('.').next().unwrap_or("");
    name.to_ascii_lowercase().contains("upload").then_some(path)
}

// ---------------------------------------------------------------------------
// Sources and how they flow
