use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::language::Language;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::nest;
use crate::ts::frameworks::request::{RequestPart, REQUEST_ROOTS};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, ImportBlock, NewImport, Script};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "unsanitized-filename",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: false,
        summary: "A client-supplied file name is used as a file-system path or storage key",
        docs: DOCS,
        // `path.join`/`path.resolve` sinks need the `path` module, so "path"
        // stands for them (the rule resolves imported `join` through it).
        triggers: &[
            "path",
            "diskstorage",
            "writefile",
            "appendfile",
            "rename",
            "unlink",
            "outputfile",
            "move(",
            "copy(",
            "copyfile",
            "copyobject",
            "storage",
            "writestream",
            "upload",
            "putobject",
            "presigned",
            "signedurl",
            "command",
            "s3",
            "aws-sdk",
        ],
        // A client-supplied name: multer/formidable/File names or request fields.
        // A `File`'s `.name` needs a `File`: typed or cast (`: File`, `as File`,
        // `<File>`), constructed, from `input.files` or `formData`.
        also_triggers: &[
            "originalname",
            "originalfilename",
            "files",
            ": file",
            "as file",
            "<file>",
            "new file",
            "file[]",
            "req.",
            "req?.",
            "req[",
            "request",
            "ctx.",
            "body",
            "params",
            "searchparams",
            "formdata",
        ],
        options: RuleOptions::NONE,
    },
    kinds: &["call_expression", "pair", "shorthand_property_identifier"],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a file name chosen by the client reaching a file-system path or a storage
key. Names: `file.originalname` (multer; also formidable's `originalFilename`),
`file.name` of a `File` (from `formData.get()`, an `<input>`'s `files[0]`, or a
value typed `File`), and file-like fields of the request (`req.body.filename`,
`req.query.name`, `req.params.file`, NestJS `@Body('filename')` parameters).
Places: the `filename` callback of `multer.diskStorage` (`cb(null, …)`),
`path.join` / `path.resolve`, `fs` writes, renames and deletes (`writeFile`,
`appendFile`, `createWriteStream`, `rename`, `unlink`, `copyFile`, also from
`fs/promises`), an S3 object `Key` (`PutObjectCommand`, `s3.upload`, `Upload`
params), a Supabase storage key (`supabase.storage.from(…).upload(key, …)`),
and the `path` / `key` / `filePath` / `storagePath` / `storageKey` / `objectKey`
of an object given to an upload helper (a call whose name contains `upload`:
`uploadFile({ file, path: [teamId, 'logos', file.name] })`).

Reads and deletes get their own message: an S3 `GetObjectCommand` /
`HeadObjectCommand` / `getObject` key (also `s3.getSignedUrl('getObject', …)`)
is flagged only when the request picks it (`req.params.key`: the client chooses
which object is read), and a `DeleteObjectCommand` key, `unlink` or a rename's
source say that the name picks the file deleted or moved.
The name may pass through one local variable and through string building
(template literals, `+`, `toLowerCase()`, `path.basename()`).

It is an error when the name comes from `req.body` / `req.query` / `req.params`,
or when multer is configured with `preservePath: true` (then `originalname`
keeps the client's directories); otherwise a warning.

Not flagged: a name passed through a sanitizer (`sanitize*`, `slugify`,
`filenamify`, an allowlist `replace(/[^a-z0-9._-]/gi, '')`), a random name
(`crypto.randomUUID()`, `nanoid()`), `path.extname(file.originalname)` used only
for the extension, a name stored as a display field in a database, and
`Array.prototype.join` on a variable that happens to be called `path`; an S3
read (`GetObjectCommand`, `HeadObjectCommand`) keyed by an uploaded file's own
name; a `Key` of other AWS commands (DynamoDB's `GetItemCommand`, `GetCommand`);
a function parameter that is merely called `params` (only Next.js route
`params`, destructured as `{ params }`, are request input); a `path` array that
is not given to an upload helper (a validation issue's `path: ['name']`).

## Why is this bad?
The client chooses the file name. `../../server.js` walks out of the upload
folder and overwrites code; `index.html` replaces a page; two users uploading
`avatar.png` overwrite each other; odd characters break URLs and shells.

## Examples
```js flagged lines=3
const storage = multer.diskStorage({
  destination: 'uploads/',
  filename: (req, file, cb) => cb(null, file.originalname),
});
```

```ts flagged lines=6
import path from 'node:path';
import { writeFile } from 'node:fs/promises';

export async function POST(request: Request) {
  const file = (await request.formData()).get('file') as File;
  await writeFile(path.join(process.cwd(), 'uploads', file.name), Buffer.from(await file.arrayBuffer()));
}
```

```tsx flagged lines=5
export function Logo({ teamId }: { teamId: string }) {
  const { uploadFile } = useUpload();
  const onChange = async (event: React.ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) await uploadFile({ file, bucket: 'logos', path: [teamId, 'invoice', file.name] });
  };
  return <input type="file" onChange={onChange} />;
}
```

```ts ok
import { GetObjectCommand } from '@aws-sdk/client-s3';

export async function readBack(file: Express.Multer.File, params: { key: string }) {
  await s3.send(new GetObjectCommand({ Bucket, Key: `tmp/${file.originalname}` }));
  await s3.send(new GetObjectCommand({ Bucket, Key: params.key }));
}
```

```ts ok
import path from 'node:path';
import crypto from 'node:crypto';

const storage = multer.diskStorage({
  filename: (req, file, cb) => cb(null, `${crypto.randomUUID()}${path.extname(file.originalname)}`),
});
const safe = path.join(UPLOAD_DIR, slugify(file.originalname));
await prisma.upload.create({ data: { displayName: file.originalname, key } });
```

## Fix
**Unsafe** (the stored name changes): replaces the uploaded file's name with
`` `${crypto.randomUUID()}${path.extname(name).toLowerCase().replace(/[^a-z0-9.]/g, '')}` ``
and adds `import crypto from 'node:crypto'` / `import path from 'node:path'`
(`require` in CommonJS files, `import * as` when the file imports that way; an
imported `randomUUID` is used as is) if they are missing. A name built in a
local variable is rewritten where it is built, so a prefix such as `uploads/`
stays. Keep the original name in a database column if users need to see it.

No fix for names the client picks in the request (`req.params.file` usually
names an existing file to read, rename or delete: validate it against the
folder instead), for a file being deleted or moved away, in `'use client'`
files, or where `path`/`crypto` mean something else.
"#;

/// Where a client-supplied name came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
enum Origin {
    /// `file.name` of a `File`.
    File,
    /// multer's `originalname` (formidable's `originalFilename`).
    Multer,
    /// `req.body` / `req.query` / `req.params` (and framework equivalents).
    Request,
}

/// A name expression found at a sink: the node to report and replace.
struct Name<'t> {
    node: Node<'t>,
    origin: Origin,
    /// The client-supplied expression, for the message (`req.body.filename`).
    shown: String,
    /// The expression the fix rewrites: the name itself, or for a local bound
    /// to an expression holding the name, the name inside that expression.
    target: Node<'t>,
}

/// What a sink does with the path or key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SinkUse {
    /// Stores a file under it (multer, writes, a rename's target, storage keys).
    Store,
    /// `path.join` / `path.resolve`: builds a path for any use.
    Path,
    /// Deletes or moves away an existing file (`unlink`, a rename's source,
    /// `DeleteObjectCommand`).
    Remove,
    /// Reads an existing object (`GetObjectCommand`, `HeadObjectCommand`,
    /// `s3.getObject`): only a name the client picks in the request matters
    /// there (it chooses which object is read), not an uploaded file's name.
    Read,
}

/// Per file, computed once: names that imports or `require` calls of the
/// `fs` and `path` modules bind (a callee can only be a module function if its
/// name is one of them), and whether multer's `diskStorage` appears at all.
struct FileFacts {
    module_names: std::collections::HashSet<String>,
    disk_storage: bool,
}

/// Whether `module` is one whose functions can be sinks (`fs`, `path`, …).
fn is_sink_module(module: &str) -> bool {
    FS_MODULES.contains(&module) || PATH_MODULES.contains(&module)
}

fn file_facts(node: Node<'_>, src: &Script<'_>) -> FileFacts {
    let mut root = node;
    let mut steps = 0usize;
    while let Some(p) = root.parent().filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
        root = p;
    }
    let mut names = std::collections::HashSet::new();
    let mut collect = |n: Node<'_>| {
        ast::visit(n, &mut |d| {
            if matches!(
                d.kind_name(),
                "identifier" | "shorthand_property_identifier_pattern" | "property_identifier"
            ) {
                names.insert(ast::text(d, src).to_string());
            }
            true
        });
    };
    let mut c = root.walk();
    for stmt in root.named_children(&mut c) {
        if stmt.kind_name() == "import_statement"
            && stmt
                .field(Field::Source)
                .and_then(|s| ast::string_value(s, src))
                .is_some_and(|m| is_sink_module(&m))
        {
            collect(stmt);
        }
    }
    for (i, _) in src.match_indices("require") {
        let Some(mut n) = root.descendant_for_byte_range(i, i + "require".len()) else {
            continue;
        };
        // Only `require` of a sink module: `require('fs')`, `require("node:path")`.
        let required = n
            .parent()
            .filter(|call| call.kind_name() == "call_expression")
            .and_then(|call| ast::call_arguments(call).first().copied())
            .and_then(|arg| ast::string_value(arg, src));
        if !required.is_some_and(|m| is_sink_module(&m)) {
            continue;
        }
        let mut steps = 0usize;
        while let Some(p) = n.parent().filter(|_| {
            steps += 1;
            steps <= ast::MAX_ANCESTOR_STEPS
        }) {
            if p.kind_name() == "variable_declarator" {
                if let Some(name) = p.field(Field::Name) {
                    collect(name);
                }
                break;
            }
            if p.kind_name().ends_with("_statement") || p.kind_name() == "program" {
                break;
            }
            n = p;
        }
    }
    FileFacts {
        module_names: names,
        disk_storage: src.to_ascii_lowercase().contains("diskstorage"),
    }
}

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if cx.file.is_declaration {
        return;
    }
    let script = cx.script();
    let src = &script;
    let facts = cx.memo(|| file_facts(node, src));
    let facts = &*facts;
    match node.kind_name() {
        "call_expression" => {
            let Some((sink, args)) = sink_of(node, src, facts) else {
                return;
            };
            for (arg, used) in args {
                for name in names_in(arg, src, true, facts) {
                    report(cx, &name, &sink, used);
                }
            }
        }
        "pair" => {
            let Some(key) = node.field(Field::Key) else {
                return;
            };
            let key_text =
                ast::string_value(key, src).unwrap_or_else(|| ast::text(key, src).into());
            let (sink, used) = if key_text == "Key" {
                let Some(used) = s3_params_use(node, src) else {
                    return;
                };
                ("an S3 object key".to_string(), used)
            } else if let Some(helper) = upload_helper_path(node, &key_text, src) {
                (
                    format!("the storage path given to `{helper}(…)`"),
                    SinkUse::Store,
                )
            } else {
                return;
            };
            let Some(value) = node.field(Field::Value) else {
                return;
            };
            for name in names_in(value, src, true, facts) {
                report(cx, &name, &sink, used);
            }
        }
        "shorthand_property_identifier" => {
            if ast::text(node, src) != "Key" {
                return;
            }
            let Some(used) = s3_params_use(node, src) else {
                return;
            };
            if let Some(name) = hop(node, src, facts) {
                report(cx, &name, "an S3 object key", used);
            }
        }
        _ => {}
    }
}

fn report(cx: &mut RuleContext<'_>, name: &Name<'_>, sink: &str, used: SinkUse) {
    // Reading an object by the name of a file the client uploaded is no risk
    // of its own; a name picked in the request chooses what is read.
    if used == SinkUse::Read && name.origin != Origin::Request {
        return;
    }
    let script = cx.script();
    let src = &script;
    let level = match name.origin {
        Origin::Request => Level::Error,
        Origin::Multer if preserve_path(name.node, src) => Level::Error,
        _ => Level::Warn,
    };
    let shown = one_line(&name.shown, 50);
    let node_text = one_line(ast::text(name.node, src), 30);
    let via = if node_text != shown {
        format!(" (via `{node_text}`)")
    } else {
        String::new()
    };
    let message = match used {
        SinkUse::Store | SinkUse::Path => format!(
            "The client-supplied file name `{shown}`{via} is used in {sink}: a name like `../../app.js` can escape the folder or overwrite other files; store the file under a generated name (`crypto.randomUUID()` plus a checked extension) or sanitize the name"
        ),
        SinkUse::Remove => format!(
            "The client-supplied name `{shown}`{via} picks the file deleted or moved through {sink}: a name like `../../app.js` or another user's key reaches files it should not; look the file up by an id the user owns, or check the name against the folder first"
        ),
        SinkUse::Read => format!(
            "The client-supplied name `{shown}`{via} picks the object read through {sink}: any key in the bucket can be requested, other users' files included; look the key up by an id the user owns, or check that it belongs to the user"
        ),
    };
    // A random name fits a file being stored. Names the client picks in the
    // request (`req.params.file`) usually point at an existing file to read,
    // rename or delete: they need validation, not a new name.
    let fix = if matches!(used, SinkUse::Store | SinkUse::Path) && name.origin != Origin::Request {
        build_fix(cx, name.target)
    } else {
        None
    };
    let d = cx.report(name.node.byte_range(), message).with_level(level);
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

fn one_line(s: &str, max: usize) -> String {
    let joined: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > max {
        let cut: String = joined.chars().take(max).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

// ---------------------------------------------------------------------------
// Sinks

const FS_MODULES: &[&str] = &[
    "fs",
    "node:fs",
    "fs/promises",
    "node:fs/promises",
    "fs-extra",
    "graceful-fs",
];
const PATH_MODULES: &[&str] = &["path", "node:path", "path/posix", "node:path/posix"];

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
fn sink_of<'t>(
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
            if !facts.module_names.contains(name) {
                return None;
            }
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
                    if is_path_module(object, src, facts) && !looks_like_array_join(&args(), src) {
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
                    if !is_fs_module(object, src, facts) {
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
fn is_path_module(object: Node, src: &Script<'_>, facts: &FileFacts) -> bool {
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
    // only if it is `path` (checked below).
    if !facts.module_names.contains(name) && name != "path" {
        return false;
    }
    match src.declaration(ident, name) {
        Some(b) => b.module().is_some_and(|(m, imported)| {
            PATH_MODULES.contains(&m) && matches!(imported, "default" | "*")
        }),
        None => name == "path",
    }
}

/// Whether `object` is the `fs` module (`fs`, `fs.promises`, `fsp`, `fse`, an
/// import or `require` of `fs`, `fs/promises` or `fs-extra`).
fn is_fs_module(object: Node, src: &Script<'_>, facts: &FileFacts) -> bool {
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
    if !facts.module_names.contains(name) && !UNBOUND_FS.contains(&name) {
        return false;
    }
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
fn s3_params_use(prop: Node, src: &Script<'_>) -> Option<SinkUse> {
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
fn upload_helper_path(pair: Node, key: &str, src: &Script<'_>) -> Option<String> {
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
fn names_in<'t>(
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
fn hop<'t>(n: Node<'t>, src: &Script<'t>, facts: &FileFacts) -> Option<Name<'t>> {
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
    let Some(root) = first_identifier(at) else {
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

fn first_identifier(expr: Node) -> Option<Node> {
    let mut e = ast::unwrap_expr(expr);
    loop {
        match e.kind_name() {
            "identifier" => return Some(e),
            "member_expression" | "subscript_expression" => {
                e = ast::unwrap_expr(e.field(Field::Object)?)
            }
            _ => return None,
        }
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

const PASS_METHODS: &[&str] = &[
    "toLowerCase",
    "toUpperCase",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "trim",
    "trimStart",
    "trimEnd",
    "normalize",
    "toString",
    "replace",
    "replaceAll",
    "slice",
    "substring",
    "substr",
    "concat",
    "padStart",
    "padEnd",
    "split",
    "join",
    "at",
    "pop",
    "shift",
    "valueOf",
];

const PASS_FUNCTIONS: &[&str] = &[
    "String",
    "decodeURIComponent",
    "decodeURI",
    "basename",
    "normalize",
    "format",
    "from",
];

/// A function whose result still carries its argument as a name:
/// `String(x)`, `decodeURIComponent(x)`, `path.basename(x)`, `Buffer.from(x)`.
fn is_pass_function(call: Node, src: &Script<'_>) -> bool {
    let Some(path) = ast::callee_path(call, src) else {
        return false;
    };
    let fname = path.rsplit('.').next().unwrap_or("");
    PASS_FUNCTIONS.contains(&fname)
        && (fname != "from" || path == "Buffer.from")
        && (!matches!(fname, "basename" | "normalize" | "format") || path.contains('.'))
}

fn is_sanitizer_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    ["sanitiz", "slug", "filenamify", "safe", "clean"]
        .iter()
        .any(|s| l.contains(s))
}

/// `replace(/[^a-z0-9._-]/gi, …)`: a global replace of everything outside an
/// allowlist that has no `/` or `\` in it.
fn is_allowlist_replace(call: Node, src: &Script<'_>) -> bool {
    let Some(re) = ast::call_arguments(call)
        .first()
        .map(|a| ast::unwrap_expr(*a))
    else {
        return false;
    };
    if re.kind_name() != "regex" {
        return false;
    }
    let pattern = re
        .field(Field::Pattern)
        .map(|p| ast::text(p, src))
        .unwrap_or("");
    let flags = re
        .field(Field::Flags)
        .map(|p| ast::text(p, src))
        .unwrap_or("");
    let class = pattern
        .trim_end_matches(['+', '*'])
        .strip_prefix("[^")
        .and_then(|p| p.strip_suffix(']'));
    match class {
        Some(c) => {
            flags.contains('g') && !c.contains('/') && !c.contains("\\\\") && !c.contains(']')
        }
        None => false,
    }
}

/// Whether the value of `source` reaches `root` unchanged enough to still be a
/// client-chosen name: through string building and pass-through calls, not
/// through sanitizers, `path.extname`, conditions or unknown functions.
fn flows(source: Node, root: Node, src: &Script<'_>) -> bool {
    let mut cur = source;
    while cur.id() != root.id() {
        let Some(parent) = cur.parent() else {
            return false;
        };
        let is = |field: Field| parent.field(field).map(|n| n.id()) == Some(cur.id());
        match parent.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "await_expression"
            | "template_substitution"
            | "template_string"
            | "array"
            | "spread_element" => {}
            "binary_expression" => {
                let op = parent.field(Field::Operator).map(|o| ast::text(o, src));
                match op {
                    Some("+" | "||" | "??") => {}
                    Some("&&") if is(Field::Right) => {}
                    _ => return false,
                }
            }
            "ternary_expression" => {
                if !is(Field::Consequence) && !is(Field::Alternative) {
                    return false;
                }
            }
            "subscript_expression" => {
                if !is(Field::Object) {
                    return false;
                }
            }
            "member_expression" => {
                // Only a method call on the name: `name.toLowerCase()`.
                if !is(Field::Object) {
                    return false;
                }
                let Some(call) = parent.parent() else {
                    return false;
                };
                if call.kind_name() != "call_expression"
                    || call.field(Field::Function).map(|f| f.id()) != Some(parent.id())
                {
                    return false;
                }
                let method = parent
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or("");
                if is_sanitizer_name(method)
                    || (matches!(method, "replace" | "replaceAll")
                        && is_allowlist_replace(call, src))
                    || !PASS_METHODS.contains(&method)
                {
                    return false;
                }
                if call.id() == root.id() {
                    return true;
                }
                cur = call;
                continue;
            }
            "arguments" => {
                let Some(call) = parent.parent() else {
                    return false;
                };
                if !matches!(call.kind_name(), "call_expression" | "new_expression") {
                    return false;
                }
                if !is_pass_function(call, src) {
                    return false;
                }
                if call.id() == root.id() {
                    return true;
                }
                cur = call;
                continue;
            }
            _ => return false,
        }
        cur = parent;
    }
    true
}

/// multer configured with `preservePath: true` somewhere in the file.
fn preserve_path(at: Node, src: &Script<'_>) -> bool {
    let mut root = at;
    let mut steps = 0usize;
    while let Some(p) = root.parent().filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
        root = p;
    }
    src.match_indices("preservePath").any(|(i, m)| {
        root.descendant_for_byte_range(i, i + m.len())
            .filter(|n| n.kind_name() == "property_identifier")
            .and_then(|n| n.parent())
            .filter(|p| p.kind_name() == "pair")
            .and_then(|p| p.field(Field::Value))
            .is_some_and(|v| v.kind_name() == "true")
    })
}

// ---------------------------------------------------------------------------
// Fix

/// A module the file brings in at the top level: its local name and the
/// identifier that binds it.
struct ModuleImport<'t> {
    name: String,
    ident: Node<'t>,
}

struct FileShape<'t> {
    root: Node<'t>,
    path: Option<ModuleImport<'t>>,
    crypto: Option<ModuleImport<'t>>,
    /// `import { randomUUID } from 'node:crypto'` (its local name).
    random_uuid: Option<ModuleImport<'t>>,
    block: ImportBlock<'t>,
}

fn file_shape<'t>(at: Node<'t>, src: &Script<'t>) -> FileShape<'t> {
    let root = src.program(at);
    let mut shape = FileShape {
        root,
        path: None,
        crypto: None,
        random_uuid: None,
        block: ImportBlock::of(src, root),
    };
    for b in src.semantic.module_imports() {
        let Some(i) = &b.import else {
            continue;
        };
        let esm = i.statement.kind_name() == "import_statement";
        let module = i.module.as_str();
        let whole = if esm {
            matches!(i.imported.as_str(), "default" | "*")
        } else {
            i.imported == "*"
        };
        let import = || ModuleImport {
            name: b.name.to_string(),
            ident: b.ident,
        };
        if whole {
            if PATH_MODULES.contains(&module) && shape.path.is_none() {
                shape.path = Some(import());
            } else if matches!(module, "crypto" | "node:crypto") && shape.crypto.is_none() {
                shape.crypto = Some(import());
            }
        } else if esm
            && i.imported == "randomUUID"
            && matches!(module, "crypto" | "node:crypto")
            && shape.random_uuid.is_none()
        {
            shape.random_uuid = Some(import());
        }
    }
    shape
}

/// The local name to use for a module at `at`: the file's own import (if not
/// shadowed there), or `default` when nothing is bound to that name there (an
/// import is then needed). `None` when the name means something else at `at`.
fn module_name(
    at: Node,
    found: Option<&ModuleImport>,
    default: &str,
    src: &Script<'_>,
) -> Option<(String, bool)> {
    match found {
        Some(m) => {
            let b = src.declaration(at, &m.name)?;
            (b.ident.id() == m.ident.id()).then(|| (m.name.clone(), false))
        }
        None => src
            .declaration(at, default)
            .is_none()
            .then(|| (default.to_string(), true)),
    }
}

/// The expression that only transforms the name `target` (`file.name.trim()`,
/// `Buffer.from(file.originalname, 'latin1').toString()`): the fix replaces it whole.
fn flow_top<'t>(target: Node<'t>, src: &Script<'t>) -> Node<'t> {
    let mut cur = target;
    loop {
        let Some(parent) = cur.parent() else {
            return cur;
        };
        let is = |field: Field| parent.field(field).map(|n| n.id()) == Some(cur.id());
        match parent.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => cur = parent,
            "member_expression" if is(Field::Object) => {
                let Some(call) = parent.parent() else {
                    return cur;
                };
                let method = parent
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or("");
                if call.kind_name() == "call_expression"
                    && call.field(Field::Function).map(|f| f.id()) == Some(parent.id())
                    && PASS_METHODS.contains(&method)
                {
                    cur = call;
                } else {
                    return cur;
                }
            }
            "arguments" => {
                let first = parent.named_child(0).map(|n| n.id()) == Some(cur.id());
                match parent.parent() {
                    Some(call) if first && is_pass_function(call, src) => cur = call,
                    _ => return cur,
                }
            }
            _ => return cur,
        }
    }
}

fn build_fix(cx: &RuleContext<'_>, target: Node<'_>) -> Option<Fix> {
    let script = cx.script();
    let src = &script;
    let shape = file_shape(target, src);
    if ast::directives(shape.root, src)
        .iter()
        .any(|(_, d)| d == "use client")
    {
        return None;
    }
    let (path_name, need_path) = module_name(target, shape.path.as_ref(), "path", src)?;
    // An existing `import { randomUUID } from 'node:crypto'` is used as is.
    let existing_uuid = shape
        .random_uuid
        .as_ref()
        .and_then(|m| module_name(target, Some(m), "", src))
        .map(|(n, _)| format!("{n}()"));
    let (uuid_call, need_crypto) = match existing_uuid {
        Some(call) => (call, false),
        None => {
            let (crypto_name, need) = module_name(target, shape.crypto.as_ref(), "crypto", src)?;
            (format!("{crypto_name}.randomUUID()"), need)
        }
    };
    let q = ast::preferred_quote(src);
    let name_text = ast::text(target, src);
    let inner = format!(
        "${{{uuid_call}}}${{{path_name}.extname({name_text}).toLowerCase().replace(/[^a-z0-9.]/g, {q}{q})}}"
    );
    let node = flow_top(target, src);
    let parent = node.parent();
    let (range, replacement) = match parent {
        Some(p) if p.kind_name() == "template_substitution" => (p.byte_range(), inner),
        _ if node.kind_name() == "shorthand_property_identifier" => {
            (node.byte_range(), format!("{name_text}: `{inner}`"))
        }
        _ => (node.byte_range(), format!("`{inner}`")),
    };
    let mut edits = vec![Edit::replace(range, replacement)];
    let mut needed = Vec::new();
    if need_crypto {
        needed.push(NewImport::Module {
            local: "crypto",
            module: "node:crypto",
        });
    }
    if need_path {
        needed.push(NewImport::Module {
            local: "path",
            module: "node:path",
        });
    }
    if !needed.is_empty() {
        let commonjs = shape.block.is_commonjs(
            src,
            &cx.file.path_str(),
            cx.file.language == Language::JavaScript,
        );
        edits.push(shape.block.add(src, &needed, commonjs, None));
    }
    Some(Fix::unsafe_(
        "Store the file under a random name (keep the extension only)",
        edits,
    ))
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Level};
    use crate::rules::testing::*;

    const R: &str = "unsanitized-filename";

    #[test]
    fn multer_filename_callback() {
        let src = "const multer = require('multer');\nconst path = require('path');\nconst storage = multer.diskStorage({\n  destination: (req, file, cb) => cb(null, 'uploads/'),\n  filename: (req, file, cb) => {\n    cb(null, Date.now() + '-' + file.originalname);\n  },\n});\nconst other = multer.diskStorage({\n  filename(req, file, done) { const name = file.originalname.toLowerCase(); done(null, name); },\n});\n";
        let s = assert_flags(R, "src/upload.js", src, 2);
        assert_eq!(s, vec!["file.originalname", "name"]);
        let d = findings(R, "src/upload.js", src);
        assert!(d.iter().all(|x| x.level == Level::Warn));
        assert!(
            d[1].message.contains("`file.originalname` (via `name`)"),
            "{}",
            d[1].message
        );
    }

    #[test]
    fn preserve_path_and_request_names_are_errors() {
        let src = "const upload = multer({ storage, preservePath: true });\napp.post('/u', upload.single('f'), async (req, res) => {\n  await fs.promises.rename(req.file.path, path.join('uploads', req.file.originalname));\n  await fs.promises.writeFile(path.resolve(UPLOADS, req.body.filename), data);\n  res.download(path.join(FILES, req.params.file));\n  const { name } = req.query;\n  fs.unlinkSync(`${DIR}/${name}`);\n});\n";
        let s = assert_flags(R, "src/server.js", src, 4);
        assert_eq!(
            s,
            vec![
                "req.file.originalname",
                "req.body.filename",
                "req.params.file",
                "name"
            ]
        );
        let d = findings(R, "src/server.js", src);
        assert!(d.iter().all(|x| x.level == Level::Error), "{d:#?}");
        // without preservePath the multer name is a warning
        let d = findings(
            R,
            "src/server.js",
            "const upload = multer({ storage, preservePath: false });\nfs.renameSync(req.file.path, path.join('uploads', req.file.originalname));\n",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].level, Level::Warn);
    }

    #[test]
    fn next_route_with_form_data_file() {
        let src = "import { writeFile } from 'fs/promises';\nimport { join } from 'path';\n\nexport async function POST(request: Request) {\n  const data = await request.formData();\n  const file: File | null = data.get('file') as unknown as File;\n  const bytes = await file.arrayBuffer();\n  const filePath = join(process.cwd(), 'public', file.name);\n  await writeFile(filePath, Buffer.from(bytes));\n  await writeFile(`./tmp/${file.name}`, Buffer.from(bytes));\n  return Response.json({ ok: true });\n}\n";
        let s = assert_flags(R, "app/api/upload/route.ts", src, 2);
        assert_eq!(s, vec!["file.name", "file.name"]);
        let d = findings(R, "app/api/upload/route.ts", src);
        assert!(d.iter().all(|x| x.level == Level::Warn));
    }

    #[test]
    fn storage_keys() {
        let src = "import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';\nexport async function save(file: Express.Multer.File, req: Request) {\n  await s3.send(new PutObjectCommand({ Bucket: B, Key: `uploads/${file.originalname}`, Body: file.buffer }));\n  const Key = `avatars/${req.body.fileName}`;\n  await s3.send(new PutObjectCommand({ Bucket: B, Key, Body: file.buffer }));\n  const params = { Bucket: B, Key: file.originalname };\n  await s3.upload({ Bucket: B, Key: randomKey, Body: file.buffer }).promise();\n  const bucket = supabase.storage.from('docs');\n  await bucket.upload(`${user.id}/${file.originalname}`, file.buffer);\n  await supabase.storage.from('docs').upload(file.originalname, file.buffer, { upsert: true });\n}\n";
        let s = assert_flags(R, "src/storage.ts", src, 5);
        assert_eq!(
            s,
            vec![
                "file.originalname",
                "Key",
                "file.originalname",
                "file.originalname",
                "file.originalname"
            ]
        );
    }

    #[test]
    fn s3_reads_and_deletes_get_their_own_message() {
        let src = "import { GetObjectCommand, DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';\n\
                   export async function get(req, res) {\n\
                   await s3.send(new GetObjectCommand({ Bucket: B, Key: req.params.fileName }));\n\
                   await s3.send(new DeleteObjectCommand({ Bucket: B, Key: `u/${req.query.filename}` }));\n\
                   const url = s3.getSignedUrl('getObject', { Bucket: B, Key: req.query.key });\n\
                   }\n";
        let s = assert_flags(R, "src/files.ts", src, 3);
        assert_eq!(
            s,
            vec!["req.params.fileName", "req.query.filename", "req.query.key"]
        );
        let d = findings(R, "src/files.ts", src);
        assert!(d
            .iter()
            .all(|x| x.level == Level::Error && x.fixes.is_empty()));
        assert!(
            d[0].message
                .contains("picks the object read through an S3 object key"),
            "{}",
            d[0].message
        );
        assert!(!d[0].message.contains("overwrite"), "{}", d[0].message);
        assert!(
            d[1].message.contains("picks the file deleted or moved"),
            "{}",
            d[1].message
        );
        assert!(
            d[2].message.contains("picks the object read"),
            "{}",
            d[2].message
        );
    }

    #[test]
    fn near_miss_reads_of_uploaded_names_and_non_storage_keys() {
        assert_clean(
            R,
            "src/files.ts",
            "import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';\n\
             import { GetItemCommand, GetCommand } from '@aws-sdk/client-dynamodb';\n\
             export async function f(file: Express.Multer.File, req) {\n\
             await s3.send(new GetObjectCommand({ Bucket: B, Key: file.originalname }));\n\
             await s3.send(new HeadObjectCommand({ Bucket: B, Key: `t/${file.originalname}` }));\n\
             await s3.getObject({ Bucket: B, Key: file.originalname }).promise();\n\
             await db.send(new GetItemCommand({ TableName: 'f', Key: { name: { S: req.params.fileName } } }));\n\
             await doc.send(new GetCommand({ TableName: 'f', Key: req.params.fileName }));\n\
             }\n",
        );
    }

    #[test]
    fn near_miss_a_plain_parameter_called_params() {
        assert_clean(
            R,
            "src/files.ts",
            "import { PutObjectCommand } from '@aws-sdk/client-s3';\n\
             export async function put(params: { key: string }, body: Buffer) {\n\
             await s3.send(new PutObjectCommand({ Bucket: B, Key: params.key, Body: body }));\n\
             }\n",
        );
        // Next.js route params (destructured from the context) still count
        let s = assert_flags(
            R,
            "app/api/files/[name]/route.ts",
            "import { GetObjectCommand } from '@aws-sdk/client-s3';\n\
             export async function GET(req: Request, { params }: { params: { name: string } }) {\n\
             return s3.send(new GetObjectCommand({ Bucket: B, Key: params.name }));\n\
             }\n",
            1,
        );
        assert_eq!(s, vec!["params.name"]);
    }

    #[test]
    fn upload_helper_path_segments() {
        let src = "export function Logo({ teamId }) {\n\
                   const onChange = async (event) => {\n\
                   const file = event.target.files?.[0];\n\
                   await uploadFile({ file, path: [teamId, 'invoice', file.name], bucket: 'logos' });\n\
                   await storage.upload({ key: `logos/${file.name}`, body: file });\n\
                   await uploadFile({ file, path: [teamId, stripSpecial(file.name)] });\n\
                   await uploadFile({ file, fileName: file.name, path: [teamId, 'logo'] });\n\
                   ctx.addIssue({ path: ['logo', file.name] });\n\
                   };\n\
                   }\n";
        let s = assert_flags(R, "src/components/Logo.jsx", src, 2);
        assert_eq!(s, vec!["file.name", "file.name"]);
        let d = findings(R, "src/components/Logo.jsx", src);
        assert!(
            d[0].message
                .contains("the storage path given to `uploadFile(…)`"),
            "{}",
            d[0].message
        );
        assert!(d.iter().all(|x| x.level == Level::Warn));
    }

    #[test]
    fn sinks_reached_only_through_their_trigger_words() {
        // Each snippet has one sink and few other words: the prefilter must let it through.
        for src in [
            "fse.move(tmp, `${DIR}/${file.originalname}`);\n",
            "fse.outputFile(DIR + file.originalname, buf);\n",
            "await bucket.update(file.originalname, buf);\nconst bucket = supabase.storage.from('b');\n",
            "fs.copyFileSync(tmp, file.originalname);\n",
            "const params = { Key: file.originalname };\n// S3\n",
        ] {
            assert_flags(R, "src/a.js", src, 1);
        }
    }

    #[test]
    fn nest_decorated_params_and_browser_files() {
        let src = "@Controller('files')\nexport class FilesController {\n  @Post(':name')\n  save(@Param('name') name: string, @Body() dto: UploadDto) {\n    return fs.writeFileSync(path.join(this.dir, name), dto.content);\n  }\n  @Post()\n  put(@Body() dto: UploadDto) {\n    return fs.writeFileSync(path.join(this.dir, dto.fileName), dto.content);\n  }\n}\n";
        let s = assert_flags(R, "src/files.controller.ts", src, 2);
        assert_eq!(s, vec!["name", "dto.fileName"]);
        let d = findings(R, "src/files.controller.ts", src);
        assert!(
            d[0].message.contains("`@Param('name') name` (via `name`)"),
            "{}",
            d[0].message
        );
        let browser = "async function onChange(e) {\n  const file = e.target.files[0];\n  await supabase.storage.from('avatars').upload(`public/${file.name}`, file);\n}\n";
        let s = assert_flags(R, "src/components/Avatar.jsx", browser, 1);
        assert_eq!(s, vec!["file.name"]);
        let loop_src = "export async function POST(req: Request) {\n  const form = await req.formData();\n  for (const f of form.getAll('files') as File[]) {\n    await fs.promises.writeFile(path.join(DIR, f.name), Buffer.from(await f.arrayBuffer()));\n  }\n}\n";
        assert_flags(R, "app/api/files/route.ts", loop_src, 1);
    }

    #[test]
    fn near_miss_sanitizers() {
        assert_clean(
            R,
            "src/upload.ts",
            "import path from 'path';\nimport slugify from 'slugify';\nconst a = path.join(DIR, slugify(file.originalname));\nconst b = path.join(DIR, sanitizeFilename(file.originalname));\nconst c = path.join(DIR, path.basename(file.originalname).replace(/[^a-z0-9._-]/gi, '_'));\nconst d = path.join(DIR, file.originalname.replace(/[^a-zA-Z0-9.]/g, ''));\nconst safeName = sanitize(req.body.filename);\nfs.writeFileSync(path.join(DIR, safeName), data);\nconst e = path.join(DIR, filenamify(file.name));\n",
        );
    }

    #[test]
    fn weak_replacements_are_not_sanitizers() {
        let s = assert_flags(
            R,
            "src/upload.ts",
            "import path from 'path';\nconst a = path.join(DIR, file.originalname.replace(/\\s+/g, '-'));\nconst b = path.join(DIR, file.originalname.replace(/[^a-z0-9/]/g, ''));\nconst c = path.join(DIR, path.basename(file.originalname));\nconst d = path.join(DIR, decodeURIComponent(req.params.file));\n",
            4,
        );
        assert_eq!(s[3], "req.params.file");
    }

    #[test]
    fn near_miss_random_names_and_extensions() {
        assert_clean(
            R,
            "src/upload.ts",
            "import path from 'node:path';\nimport crypto from 'node:crypto';\nimport { nanoid } from 'nanoid';\nconst storage = multer.diskStorage({\n  filename: (req, file, cb) => cb(null, `${crypto.randomUUID()}${path.extname(file.originalname)}`),\n});\nconst key = `${nanoid()}${path.extname(file.name)}`;\nawait writeFile(path.join(DIR, key), buf);\nconst n = file.fieldname + '-' + Date.now() + path.extname(file.originalname);\nfs.renameSync(file.path, path.join('uploads', n));\nawait fs.promises.writeFile(path.join(DIR, crypto.randomUUID()), buf);\n",
        );
    }

    #[test]
    fn near_miss_display_fields_and_other_uses() {
        assert_clean(
            R,
            "src/upload.ts",
            "import path from 'node:path';\nexport async function save(file) {\n  const key = `${crypto.randomUUID()}.bin`;\n  await prisma.upload.create({ data: { originalName: file.originalname, key } });\n  await db.insert(files).values({ name: file.name, path: path.join(DIR, key) });\n  await fs.promises.writeFile(path.join(DIR, key), file.originalname);\n  if (file.originalname.endsWith('.pdf')) await fs.promises.writeFile(path.join(DIR, key), buf);\n  const dest = path.join(DIR, file.originalname.length > 100 ? 'long' : 'short');\n  res.setHeader('Content-Disposition', `attachment; filename=\"${file.originalname}\"`);\n  const meta = { Key: key, Metadata: { name: file.originalname } };\n  logger.info(`saved ${file.originalname}`);\n}\n",
        );
    }

    #[test]
    fn near_miss_array_join_on_a_local_named_path() {
        assert_clean(
            R,
            "src/breadcrumbs.ts",
            "export function crumbs(req: Request, segments: string[]) {\n  const path = [req.params.file, req.query.name];\n  return path.join('/');\n}\nfunction other(path: string[]) { return path.join(req.body.filename); }\nconst label = (path) => path.join(' / ', req.body.name);\n",
        );
        // `path` unbound but used as an array: `path.join('/')`
        assert_clean(
            R,
            "src/a.ts",
            "const s = path.join('/') + req.body.filename;\n",
        );
        // not the module when imported from elsewhere
        assert_clean(
            R,
            "src/a.ts",
            "import path from './path-utils';\nconst s = path.join(DIR, req.body.filename);\n",
        );
    }

    #[test]
    fn not_flagged_in_comments_strings_or_without_a_sink() {
        assert_clean(
            R,
            "src/a.ts",
            "// fs.writeFileSync(path.join(DIR, file.originalname), buf)\nconst s = 'path.join(DIR, file.originalname)';\nconst t = `path.join(DIR, ${'x'})`;\nconsole.log(file.originalname);\nconst u = file.originalname;\n",
        );
    }

    #[test]
    fn flags_in_test_paths_and_after_syntax_errors() {
        assert_flags(
            R,
            "src/__tests__/upload.test.ts",
            "fs.writeFileSync(path.join(DIR, file.originalname), buf);\n",
            1,
        );
        assert_flags(
            R,
            "src/a.ts",
            "const x = {;\nfunction f() {\n  fs.writeFileSync(path.join(DIR, file.originalname), buf);\n}\n",
            1,
        );
    }

    #[test]
    fn fix_esm_adds_imports_after_the_last_import() {
        check_fix(
            R,
            "src/upload.ts",
            "import multer from 'multer';\n\nconst storage = multer.diskStorage({\n  filename: (req, file, cb) => cb(null, file.originalname),\n});\n",
            true,
            "import multer from 'multer';\nimport crypto from 'node:crypto';\nimport path from 'node:path';\n\nconst storage = multer.diskStorage({\n  filename: (req, file, cb) => cb(null, `${crypto.randomUUID()}${path.extname(file.originalname).toLowerCase().replace(/[^a-z0-9.]/g, '')}`),\n});\n",
        );
        let d = findings(
            R,
            "src/upload.ts",
            "fs.writeFileSync(path.join(DIR, file.originalname), buf);\n",
        );
        assert_eq!(d[0].fix().unwrap().applicability, Applicability::Unsafe);
    }

    #[test]
    fn fix_uses_existing_imports_and_template_substitutions() {
        check_fix(
            R,
            "src/upload.ts",
            "import * as nodePath from \"node:path\";\nimport { v4 } from \"uuid\";\nconst a = nodePath.join(DIR, `${Date.now()}-${file.originalname}`);\n",
            true,
            "import * as nodePath from \"node:path\";\nimport { v4 } from \"uuid\";\nimport * as crypto from \"node:crypto\";\nconst a = nodePath.join(DIR, `${Date.now()}-${crypto.randomUUID()}${nodePath.extname(file.originalname).toLowerCase().replace(/[^a-z0-9.]/g, \"\")}`);\n",
        );
    }

    #[test]
    fn fix_commonjs_uses_require_and_rewrites_the_local_once() {
        // The name in a local is rewritten where it is built (keeping its prefix);
        // a transformed name is replaced whole; a request-chosen name gets no fix.
        check_fix(
            R,
            "src/upload.js",
            "const fs = require('fs');\nconst path = require('path')\n\nfs.writeFileSync(path.join(DIR, file.originalname.trim()), buf)\nconst name = `${Date.now()}-${file.originalname}`\nfs.renameSync(tmp, `${DIR}/${name}`)\nfs.copyFileSync(tmp, path.join(BACKUP, name))\nfs.unlinkSync(path.join(DIR, req.body.filename))\n",
            true,
            "const fs = require('fs');\nconst path = require('path')\nconst crypto = require('node:crypto')\n\nfs.writeFileSync(path.join(DIR, `${crypto.randomUUID()}${path.extname(file.originalname).toLowerCase().replace(/[^a-z0-9.]/g, '')}`), buf)\nconst name = `${Date.now()}-${crypto.randomUUID()}${path.extname(file.originalname).toLowerCase().replace(/[^a-z0-9.]/g, '')}`\nfs.renameSync(tmp, `${DIR}/${name}`)\nfs.copyFileSync(tmp, path.join(BACKUP, name))\nfs.unlinkSync(path.join(DIR, req.body.filename))\n",
        );
    }

    #[test]
    fn no_fix_for_request_names_or_removals() {
        let src = "import fs from 'node:fs';\nimport path from 'node:path';\nfs.unlinkSync(file.originalname);\nfs.renameSync(file.originalname, 'x');\nres.sendFile(path.resolve(DIR, req.params.file));\nfs.writeFileSync(`${DIR}/${req.body.filename}`, data);\n";
        let d = findings(R, "src/a.ts", src);
        assert_eq!(d.len(), 4);
        assert!(d.iter().all(|x| x.fix().is_none()), "{d:#?}");
    }

    #[test]
    fn fix_reuses_an_imported_random_uuid_and_replaces_conversions() {
        check_fix(
            R,
            "src/a.ts",
            "import path from 'node:path';\nimport { randomUUID as uuid } from 'node:crypto';\nconst p = path.join(DIR, Buffer.from(file.originalname, 'latin1').toString('utf8'));\n",
            true,
            "import path from 'node:path';\nimport { randomUUID as uuid } from 'node:crypto';\nconst p = path.join(DIR, `${uuid()}${path.extname(file.originalname).toLowerCase().replace(/[^a-z0-9.]/g, '')}`);\n",
        );
    }

    #[test]
    fn fix_destructured_name_in_shorthand_key() {
        check_fix(
            R,
            "src/a.ts",
            "import path from 'node:path';\nimport crypto from 'node:crypto';\nconst { originalname: Key } = file;\nawait s3.send(new PutObjectCommand({ Bucket, Key }));\n",
            true,
            "import path from 'node:path';\nimport crypto from 'node:crypto';\nconst { originalname: Key } = file;\nawait s3.send(new PutObjectCommand({ Bucket, Key: `${crypto.randomUUID()}${path.extname(Key).toLowerCase().replace(/[^a-z0-9.]/g, '')}` }));\n",
        );
    }

    #[test]
    fn fix_s3_shorthand_key_and_no_imports_yet() {
        check_fix(
            R,
            "src/s3.ts",
            "'use server';\nconst Key = `u/${file.originalname}`;\nawait s3.send(new PutObjectCommand({ Bucket, Key }));\n",
            true,
            "'use server';\nimport crypto from 'node:crypto';\nimport path from 'node:path';\nconst Key = `u/${crypto.randomUUID()}${path.extname(file.originalname).toLowerCase().replace(/[^a-z0-9.]/g, '')}`;\nawait s3.send(new PutObjectCommand({ Bucket, Key }));\n",
        );
    }

    #[test]
    fn no_fix_in_client_files_or_when_path_is_shadowed() {
        let d = findings(
            R,
            "src/Upload.tsx",
            "'use client';\nexport async function up(file: File) {\n  await supabase.storage.from('a').upload(file.name, file);\n}\n",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
        let d = findings(
            R,
            "src/a.ts",
            "import path from 'node:path';\nfunction f(file, crypto) {\n  return path.join(DIR, file.originalname);\n}\n",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn fix_keeps_crlf_and_non_ascii_offsets() {
        check_fix(
            R,
            "src/a.ts",
            "import path from 'node:path';\r\nconst note = 'café 😀';\r\nconst p = path.join(DIR, file.originalname);\r\n",
            true,
            "import path from 'node:path';\r\nimport crypto from 'node:crypto';\r\nconst note = 'café 😀';\r\nconst p = path.join(DIR, `${crypto.randomUUID()}${path.extname(file.originalname).toLowerCase().replace(/[^a-z0-9.]/g, '')}`);\r\n",
        );
        let src = "const note = 'café 😀'; fs.unlinkSync(path.join(DIR, file.originalname));\n";
        let d = findings(R, "src/a.ts", src);
        assert_eq!(d.len(), 1);
        assert_eq!(&src[d[0].range.clone()], "file.originalname");
        assert_eq!(
            d[0].range.start,
            "const note = 'café 😀'; fs.unlinkSync(path.join(DIR, ".len()
        );
    }
}
