//! The `unsanitized-filename` rule: metadata, docs and the `check` entry with its top-
//! level
//! flow here; the rest by topic:
//! - `fix`: the fix: a random name keeping a cleaned extension, and the `crypto`/`path`
//!   imports it needs.
//! - `flow`: whether a client-chosen name reaches the sink: pass-through calls carry it,
//!   sanitizers stop it.
//! - `origin`: where a value comes from: an uploaded file's name, a request field, a file
//!   object or list.
//! - `sinks`: the sinks: filesystem, path and storage calls that take a path or key, and
//!   upload helpers.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{snippet, FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use fix::{build_fix, preserve_path};
use origin::{hop, names_in};
use sinks::{s3_params_use, sink_of, upload_helper_path};
use tree_sitter::Node;

mod fix;
mod flow;
mod origin;
mod sinks;
#[cfg(test)]
mod tests;

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

/// Per file, computed once: whether multer's `diskStorage` appears at all
/// (the callee checks themselves ask the semantic model which module a name
/// was imported from).
struct FileFacts {
    disk_storage: bool,
}

fn file_facts(src: &Script<'_>) -> FileFacts {
    FileFacts {
        disk_storage: src.to_ascii_lowercase().contains("diskstorage"),
    }
}

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if cx.file.is_declaration {
        return;
    }
    let script = cx.script();
    let src = &script;
    let facts = cx.memo(|| file_facts(src));
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
    let shown = snippet::one_line(&name.shown, 50);
    let node_text = snippet::one_line(ast::text(name.node, src), 30);
    // `(via `name`)` only when the flagged text is another name than the one
    // shown (not for a decorated parameter shown as `@Param('name') name`).
    let via = if node_text != shown && !shown.ends_with(&format!(" {node_text}")) {
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

// ---------------------------------------------------------------------------
// Sinks
