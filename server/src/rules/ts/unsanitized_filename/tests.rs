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
        d[0].message.contains("`@Param('name') name` is used in"),
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
