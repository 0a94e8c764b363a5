use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Level};
use crate::rules::testing;
use crate::rules::testing::config_only;
use std::path::Path;

const ID: &str = "cors-wildcard";

// The helpers `findings`, `assert_flags`, `assert_clean` and `check_fix` of this
// module lint with `strict = true`: they test what the rule recognises (and
// where it stays quiet even when strict). The `default_*` tests check which of
// those are findings, and at which level, without options.

fn strict_config(base: Config) -> Config {
    testing::with_rule_options(base, ID, "strict = true")
}

fn findings(rule: &str, path: &str, text: &str) -> Vec<Diagnostic> {
    testing::findings_in(rule, path, text, &strict_config(default_config()))
}

/// Clean when strict, and so also without options.
#[track_caller]
fn assert_clean(rule: &str, path: &str, text: &str) {
    testing::assert_clean_in(rule, path, text, &strict_config(default_config()));
    testing::assert_clean(rule, path, text);
}

#[track_caller]
fn assert_flags(rule: &str, path: &str, text: &str, n: usize) -> Vec<String> {
    testing::assert_flags_in(rule, path, text, n, &strict_config(default_config()))
}

#[track_caller]
fn check_fix(rule: &str, path: &str, before: &str, unsafe_ok: bool, expected: &str) {
    let config = strict_config(config_only(rule));
    let facts = testing::facts_for(path, before);
    testing::check_fix_with(rule, path, before, unsafe_ok, expected, &config, &facts);
}

fn default_config() -> Config {
    Config::default_for(Path::new(""))
}

fn levels(path: &str, src: &str) -> Vec<(String, Level)> {
    testing::snippet_levels(src, &findings(ID, path, src))
}

/// Findings without options.
fn default_levels(path: &str, src: &str) -> Vec<(String, Level)> {
    testing::snippet_levels(src, &testing::findings(ID, path, src))
}

#[test]
fn wildcard_origin_option() {
    let src = "import cors from 'cors';\napp.use(cors({ origin: '*' }));\napp.use(cors({ origin: \"*\", credentials: true }));\n";
    assert_eq!(
        levels("src/server.ts", src),
        vec![
            ("'*'".to_string(), Level::Warn),
            ("\"*\"".to_string(), Level::Error)
        ]
    );
}

#[test]
fn middleware_without_options() {
    let src = "import express from 'express';\nimport cors from 'cors';\nconst app = express();\napp.use(cors());\nrouter.options('*', cors());\n";
    assert_eq!(
        assert_flags(ID, "src/server.ts", src, 2),
        vec!["cors()", "cors()"]
    );
    // require, aliases, Hono, inline require
    assert_flags(
        ID,
        "src/a.js",
        "const cors = require('cors');\napp.use(cors());\n",
        1,
    );
    assert_flags(ID, "src/a.js", "app.use(require('cors')());\n", 1);
    assert_flags(
        ID,
        "src/a.ts",
        "import allowAll from 'cors';\napp.use(allowAll());\n",
        1,
    );
    assert_flags(
        ID,
        "src/index.ts",
        "import { Hono } from 'hono';\nimport { cors } from 'hono/cors';\nconst app = new Hono();\napp.use('/api/*', cors());\n",
        1,
    );
    assert_flags(
        ID,
        "src/index.ts",
        "import { cors as honoCors } from 'hono/cors';\napp.use('*', honoCors({ allowMethods: ['GET'] }));\n",
        1,
    );
}

#[test]
fn nest_and_fastify() {
    let src = "async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.enableCors();\n  await app.listen(3000);\n}\n";
    assert_eq!(
        assert_flags(ID, "src/main.ts", src, 1),
        vec!["app.enableCors()"]
    );
    assert_flags(
        ID,
        "src/main.ts",
        "const app = await NestFactory.create(AppModule, { cors: true });\n",
        1,
    );
    assert_eq!(
        levels(
            "src/main.ts",
            "app.enableCors({ origin: true, credentials: true });\n"
        ),
        vec![("true".to_string(), Level::Error)]
    );
    assert_eq!(
        levels(
            "src/main.ts",
            "const app = await NestFactory.create(AppModule, { cors: { credentials: true } });\n"
        ),
        vec![("cors".to_string(), Level::Error)]
    );
    assert_flags(
        ID,
        "src/server.ts",
        "import cors from '@fastify/cors';\nawait fastify.register(cors);\nawait fastify.register(cors, { origin: '*' });\n",
        2,
    );
    // socket.io style `cors:` option
    assert_flags(
        ID,
        "src/io.ts",
        "const io = new Server(httpServer, { cors: { origin: '*' } });\n",
        1,
    );
}

#[test]
fn origin_true_needs_credentials() {
    let src = "import cors from 'cors';\napp.use(cors({ origin: true, credentials: true }));\n";
    assert_eq!(
        levels("src/app.ts", src),
        vec![("true".to_string(), Level::Error)]
    );
    // `origin: true` alone reflects every origin without credentials: only
    // with `strict` or cookie sessions
    let src = "import cors from 'cors';\napp.use(cors({ origin: true }));\n";
    assert_eq!(
        levels("src/app.ts", src),
        vec![("true".to_string(), Level::Warn)]
    );
    assert_eq!(default_levels("src/app.ts", src), vec![]);
}

#[test]
fn options_in_a_variable_and_missing_origin() {
    let src = "import cors from 'cors';\nconst corsOptions = { origin: '*', credentials: true };\napp.use(cors(corsOptions));\napi.use(cors(corsOptions));\n";
    assert_eq!(
        levels("src/app.ts", src),
        vec![("'*'".to_string(), Level::Error)]
    );
    let src = "import cors from 'cors';\napp.use(cors({ methods: ['GET', 'POST'] }));\n";
    assert_eq!(
        levels("src/app.ts", src),
        vec![("cors".to_string(), Level::Warn)]
    );
    // a spread may carry the origin
    assert_clean(
        ID,
        "src/app.ts",
        "import cors from 'cors';\napp.use(cors({ ...base, credentials: true }));\n",
    );
}

#[test]
fn manual_headers() {
    let src = "export default function handler(req, res) {\n  res.setHeader('Access-Control-Allow-Origin', '*');\n  res.header('access-control-allow-origin', req.headers.origin);\n  res.set('Access-Control-Allow-Origin', \"*\");\n  headers.set('Access-Control-Allow-Origin', request.headers.get('origin'));\n}\n";
    assert_eq!(
        assert_flags(ID, "src/pages/api/a.ts", src, 4),
        vec![
            "'*'",
            "req.headers.origin",
            "\"*\"",
            "request.headers.get('origin')"
        ]
    );
    let src = "export async function GET() {\n  return NextResponse.json(data, {\n    headers: {\n      'Access-Control-Allow-Origin': '*',\n      'Access-Control-Allow-Credentials': 'true',\n    },\n  });\n}\n";
    assert_eq!(
        levels("src/app/api/a/route.ts", src),
        vec![("'*'".to_string(), Level::Error)]
    );
    let src = "module.exports = {\n  async headers() {\n    return [{ source: '/api/:path*', headers: [\n      { key: 'Access-Control-Allow-Origin', value: '*' },\n      { key: 'Access-Control-Allow-Methods', value: 'GET' },\n    ] }];\n  },\n};\n";
    assert_eq!(
        levels("next.config.js", src),
        vec![("'*'".to_string(), Level::Warn)]
    );
    // Supabase edge function headers object, a reflected origin with credentials
    assert_flags(
        ID,
        "supabase/functions/hello/index.ts",
        "const corsHeaders = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'authorization' };\n",
        1,
    );
    let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  res.setHeader('Access-Control-Allow-Origin', origin);\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n  next();\n});\n";
    assert_eq!(
        levels("src/app.ts", src),
        vec![("origin".to_string(), Level::Error)]
    );
}

#[test]
fn near_miss_origin_from_configuration() {
    let src = "import cors from 'cors';\nconst allowed = process.env.CORS_ORIGINS.split(',');\napp.use(cors({ origin: process.env.CORS_ORIGIN }));\napp.use(cors({ origin: allowed, credentials: true }));\napp.use(cors({ origin: ['https://app.example.com'], credentials: true }));\napp.use(cors({ origin: (origin, cb) => cb(null, allowed.includes(origin)), credentials: true }));\napp.use(cors({ origin }));\napp.use(cors(corsOptionsFromConfig));\nres.setHeader('Access-Control-Allow-Origin', process.env.APP_URL);\n";
    assert_clean(ID, "src/app.ts", src);
}

#[test]
fn near_miss_allowlist_check() {
    let src = "export function middleware(req) {\n  const origin = req.headers.get('origin');\n  const res = NextResponse.next();\n  if (origin && ALLOWED.includes(origin)) {\n    res.headers.set('Access-Control-Allow-Origin', origin);\n  }\n  return res;\n}\n";
    assert_clean(ID, "src/middleware.ts", src);
    let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (!allowedOrigins.has(origin)) return next();\n  res.setHeader('Access-Control-Allow-Origin', origin);\n  next();\n});\n";
    assert_clean(ID, "src/app.ts", src);
    let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (origin === process.env.APP_ORIGIN) res.setHeader('Access-Control-Allow-Origin', origin);\n  next();\n});\n";
    assert_clean(ID, "src/app.ts", src);
    // a bare truthiness test is no allowlist
    let src = "app.use((req, res, next) => {\n  const origin = req.headers.origin;\n  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);\n  next();\n});\n";
    assert_flags(ID, "src/app.ts", src, 1);
}

#[test]
fn near_miss_non_production_branch() {
    let src = "import cors from 'cors';\nif (process.env.NODE_ENV !== 'production') {\n  app.use(cors());\n}\nif (isProd) {\n  app.use(cors({ origin: allowed }));\n} else {\n  app.use(cors({ origin: '*' }));\n}\napp.use(cors({ origin: process.env.NODE_ENV === 'production' ? allowed : '*' }));\nconst headers = { 'Access-Control-Allow-Origin': isDev ? '*' : process.env.APP_URL };\n";
    assert_clean(ID, "src/app.ts", src);
    // ... but the production branch is flagged
    assert_flags(
        ID,
        "src/app.ts",
        "import cors from 'cors';\napp.use(cors({ origin: process.env.NODE_ENV === 'production' ? '*' : 'http://localhost:3000' }));\n",
        1,
    );
}

#[test]
fn near_miss_local_cors_and_text() {
    let src = "function cors() {\n  return (req, res, next) => next();\n}\napp.use(cors());\napp.use(cors({ origin: '*' }).handler);\n";
    // `cors({ origin: '*' })` of a local function is not CORS middleware
    assert_clean(ID, "src/app.ts", src);
    let src = "import cors from 'cors';\n// app.use(cors());\nconst doc = \"res.setHeader('Access-Control-Allow-Origin', '*')\";\nconst t = `cors() allows *`;\n";
    assert_clean(ID, "src/app.ts", src);
    // other headers, other origins
    assert_clean(
        ID,
        "src/app.ts",
        "res.setHeader('Access-Control-Allow-Methods', '*');\nres.setHeader('Access-Control-Allow-Origin', 'https://app.example.com');\nwindow.postMessage(msg, '*');\n",
    );
    // a file with a tree-sitter error still works
    assert_flags(
        ID,
        "src/app.ts",
        "import cors from 'cors';\nconst x = {;\napp.use(cors());\n",
        1,
    );
}

#[test]
fn near_miss_test_assertions() {
    let src = "it('allows the public origin', async () => {\n  const res = await request(app).get('/public');\n  expect(res.headers).toMatchObject({ 'access-control-allow-origin': '*' });\n  assert.equal(res.headers['access-control-allow-origin'], '*');\n});\n";
    assert_clean(ID, "src/__tests__/cors.test.ts", src);
}

#[test]
fn fix_wildcard_option_keeps_quotes() {
    check_fix(
        ID,
        "src/app.ts",
        "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n",
        true,
        "import cors from 'cors';\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] }));\n",
    );
    check_fix(
        ID,
        "src/app.ts",
        "import cors from \"cors\";\napp.use(cors({ origin: \"*\", credentials: true }));\n",
        true,
        "import cors from \"cors\";\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(\",\") ?? [], credentials: true }));\n",
    );
    // not applied without unsafe fixes
    check_fix(
        ID,
        "src/app.ts",
        "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n",
        false,
        "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n",
    );
    let d = findings(
        ID,
        "src/app.ts",
        "import cors from 'cors';\napp.use(cors());\n",
    );
    assert_eq!(d[0].fix().unwrap().applicability, Applicability::Unsafe);
}

#[test]
fn fix_no_options_and_missing_origin() {
    check_fix(
        ID,
        "src/app.ts",
        "import cors from 'cors';\napp.use(cors());\napp.enableCors();\nawait NestFactory.create(AppModule, { cors: true });\n",
        true,
        "import cors from 'cors';\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] }));\napp.enableCors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] });\nawait NestFactory.create(AppModule, { cors: { origin: process.env.CORS_ORIGIN?.split(',') ?? [] } });\n",
    );
    check_fix(
        ID,
        "src/app.ts",
        "import cors from 'cors';\napp.use(\n  cors({\n    credentials: true,\n  }),\n);\napp.use(cors({}));\n",
        true,
        "import cors from 'cors';\napp.use(\n  cors({\n    origin: process.env.CORS_ORIGIN?.split(',') ?? [],\n    credentials: true,\n  }),\n);\napp.use(cors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [] }));\n",
    );
    check_fix(
        ID,
        "src/server.ts",
        "import cors from '@fastify/cors';\nawait fastify.register(cors);\n",
        true,
        "import cors from '@fastify/cors';\nawait fastify.register(cors, { origin: process.env.CORS_ORIGIN?.split(',') ?? [] });\n",
    );
}

#[test]
fn fix_origin_true_and_headers() {
    check_fix(
        ID,
        "src/app.ts",
        "app.enableCors({ origin: true, credentials: true });\n",
        true,
        "app.enableCors({ origin: process.env.CORS_ORIGIN?.split(',') ?? [], credentials: true });\n",
    );
    check_fix(
        ID,
        "src/app.ts",
        "res.setHeader('Access-Control-Allow-Origin', '*');\nconst h = { 'Access-Control-Allow-Origin': '*' };\nres.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n",
        true,
        "res.setHeader('Access-Control-Allow-Origin', process.env.CORS_ORIGIN ?? '');\nconst h = { 'Access-Control-Allow-Origin': process.env.CORS_ORIGIN ?? '' };\nres.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n",
    );
}

#[test]
fn fix_crlf_and_non_ascii() {
    let src = "import cors from 'cors';\r\nconst label = 'café 😀';\r\napp.use(cors({\r\n  maxAge: 600,\r\n}));\r\n";
    let d = findings(ID, "src/app.ts", src);
    assert_eq!(d.len(), 1);
    let start = src.find("cors({").unwrap();
    assert_eq!(d[0].range, start..start + 4);
    check_fix(
        ID,
        "src/app.ts",
        src,
        true,
        "import cors from 'cors';\r\nconst label = 'café 😀';\r\napp.use(cors({\r\n  origin: process.env.CORS_ORIGIN?.split(',') ?? [],\r\n  maxAge: 600,\r\n}));\r\n",
    );
    let src = "const label = 'café 😀'; res.setHeader('Access-Control-Allow-Origin', '*');\n";
    let d = findings(ID, "src/app.ts", src);
    assert_eq!(&src[d[0].range.clone()], "'*'");
    assert_eq!(d[0].range.start, src.rfind("'*'").unwrap());
}

#[test]
fn default_plain_wildcard_is_no_finding() {
    for (path, src) in [
        ("src/app.ts", "import cors from 'cors';\napp.use(cors({ origin: '*' }));\n"),
        ("src/app.ts", "import cors from 'cors';\napp.use(cors());\n"),
        ("src/main.ts", "app.enableCors();\n"),
        ("src/main.ts", "const a = await NestFactory.create(AppModule, { cors: true });\n"),
        ("src/hono.ts", "import { cors } from 'hono/cors';\napp.use('/api/v1/*', cors());\n"),
        ("src/pages/api/a.ts", "export default function handler(req, res) {\n  res.setHeader('Access-Control-Allow-Origin', '*');\n  res.json({ ok: true });\n}\n"),
        ("src/app/api/a/route.ts", "const CORS = new Headers({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization' });\nexport async function GET() {\n  return NextResponse.json(data, { headers: CORS });\n}\n"),
        ("next.config.js", "module.exports = { async headers() { return [{ source: '/api/:path*', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] }]; } };\n"),
        ("src/app.ts", "app.use((req, res, next) => {\n  res.header('Access-Control-Allow-Origin', req.headers.origin);\n  next();\n});\n"),
    ] {
        assert_eq!(default_levels(path, src), vec![], "{src}");
        assert_eq!(levels(path, src).len(), 1, "strict: {src}");
    }
}

#[test]
fn default_star_with_credentials_is_an_error_that_explains_the_refusal() {
    let src = "import cors from 'cors';\napp.use(cors({ origin: '*', credentials: true }));\napp.use(cors({ credentials: true }));\nfunction h(req, res) {\n  res.setHeader('Access-Control-Allow-Origin', '*');\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n}\n";
    let d = testing::findings(ID, "src/app.ts", src);
    let got: Vec<(&str, Level)> = d.iter().map(|x| (&src[x.range.clone()], x.level)).collect();
    assert_eq!(
        got,
        vec![
            ("'*'", Level::Error),
            ("cors", Level::Error),
            ("'*'", Level::Error)
        ]
    );
    for x in &d {
        assert!(x.message.contains("browsers refuse"), "{}", x.message);
        assert!(x.message.contains("reflecting"), "{}", x.message);
    }
}

#[test]
fn default_reflection_with_credentials_is_an_error() {
    let src = "import cors from 'cors';\napp.use(cors({ origin: true, credentials: true }));\napp.use((req, res, next) => {\n  res.setHeader('Access-Control-Allow-Origin', req.headers.origin);\n  res.setHeader('Access-Control-Allow-Credentials', 'true');\n  next();\n});\n";
    assert_eq!(
        default_levels("src/app.ts", src),
        vec![
            ("true".to_string(), Level::Error),
            ("req.headers.origin".to_string(), Level::Error)
        ]
    );
}

#[test]
fn default_cookie_sessions_make_bare_cors_and_reflection_a_warning() {
    for session in [
        "import session from 'express-session';\napp.use(session({ secret }));\n",
        "import cookieParser from 'cookie-parser';\napp.use(cookieParser());\n",
        "import { getServerSession } from 'next-auth';\n",
        "import { getIronSession } from 'iron-session';\n",
        "import { getCookie } from 'hono/cookie';\n",
        "const sid = req.cookies.sid;\n",
        "res.cookie('sid', token, { httpOnly: true });\n",
        "res.setHeader('Set-Cookie', serialize('sid', token));\n",
    ] {
        let src = format!("import cors from 'cors';\n{session}app.use(cors());\napp.use('/r', cors({{ origin: true }}));\napp.use((req, res, next) => {{\n  res.header('Access-Control-Allow-Origin', req.headers.origin);\n  next();\n}});\napp.use('/p', cors({{ origin: '*' }}));\n");
        let d = testing::findings(ID, "src/app.ts", &src);
        let got: Vec<(&str, Level)> = d.iter().map(|x| (&src[x.range.clone()], x.level)).collect();
        // a deliberate `*` stays quiet: without credentials browsers send no cookies
        assert_eq!(
            got,
            vec![
                ("cors()", Level::Warn),
                ("true", Level::Warn),
                ("req.headers.origin", Level::Warn)
            ],
            "{src}"
        );
        assert!(d.iter().all(|x| x.message.contains("cookie sessions")));
    }
    // no cookies anywhere: bearer-token / API-key API
    assert_eq!(
        default_levels(
            "src/app.ts",
            "import cors from 'cors';\n// sessions are bearer tokens\napp.use(cors());\napp.use(requireApiKey);\n"
        ),
        vec![]
    );
}

#[test]
fn near_miss_request_headers() {
    let src = "export async function sync() {\n  await fetch(url, { headers: { 'Access-Control-Allow-Origin': '*' } });\n  await axios.post(url, body, { headers: { 'Access-Control-Allow-Origin': '*' } });\n  const req = new Request(url, { headers: new Headers({ 'Access-Control-Allow-Origin': '*' }) });\n  const headers = { 'Access-Control-Allow-Origin': '*', Authorization: token };\n  await fetch(url, { method: 'POST', headers });\n  const init = { headers: { 'Access-Control-Allow-Origin': '*' } };\n  return ky.get(url, init);\n}\n";
    assert_clean(ID, "src/lib/sync.ts", src);
    let src = "export function middleware(request) {\n  const requestHeaders = new Headers(request.headers);\n  request.headers.set('Access-Control-Allow-Origin', '*');\n  proxyReq.setHeader('Access-Control-Allow-Origin', '*');\n  xhr.setRequestHeader('Access-Control-Allow-Origin', '*');\n  return NextResponse.next();\n}\n";
    assert_clean(ID, "src/middleware.ts", src);
    // a response built with the same headers object is still one
    let src = "const headers = { 'Access-Control-Allow-Origin': '*' };\nexport async function GET() {\n  await fetch(url);\n  return new Response('ok', { headers });\n}\n";
    assert_flags(ID, "src/app/api/a/route.ts", src, 1);
}

#[test]
fn near_miss_cors_helper_wildcard_branch() {
    let src = "function originHeaders(reqOrigin, origin) {\n  const headers = new Headers();\n  if (origin === '*') {\n    headers.set('Access-Control-Allow-Origin', '*');\n  } else if (typeof origin === 'string') {\n    headers.set('Access-Control-Allow-Origin', origin);\n  }\n  return headers;\n}\nconst value = (o) => ({ 'Access-Control-Allow-Origin': o === '*' ? '*' : o });\n";
    assert_clean(ID, "src/lib/cors.ts", src);
    // the `*` outside such a branch is still seen (strict)
    let src = "function h(origin) {\n  if (origin !== '*') return;\n  headers.set('Access-Control-Allow-Origin', '*');\n}\n";
    assert_flags(ID, "src/lib/cors.ts", src, 1);
}

#[test]
fn near_miss_public_static_responses() {
    let src = "module.exports = {\n  async headers() {\n    return [\n      { source: '/fonts/:path*', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },\n      { source: '/:all*(svg|png|woff2)', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },\n      { source: '/openapi.json', headers: [{ key: 'Access-Control-Allow-Origin', value: '*' }] },\n    ];\n  },\n};\n";
    assert_clean(ID, "next.config.js", src);
    let src = "export async function GET() {\n  const png = await render();\n  return new Response(png, { headers: { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' } });\n}\nexport async function HEAD() {\n  return new Response(null, { headers: { 'Cache-Control': 'public, max-age=31536000, immutable', 'Access-Control-Allow-Origin': '*' } });\n}\n";
    assert_clean(ID, "src/app/og/route.ts", src);
    // ... but credentials make it an error even there
    let src = "export async function GET() {\n  return new Response(png, { headers: { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' } });\n}\n";
    assert_eq!(
        default_levels("src/app/og/route.ts", src),
        vec![("'*'".to_string(), Level::Error)]
    );
}

#[test]
fn strict_option_in_prodlint_toml() {
    let c = Config::parse(
        "[rules.cors-wildcard]\nlevel = \"error\"\nstrict = true\n",
        Path::new("prodlint.toml"),
    )
    .expect("valid");
    assert_eq!(c.level_override(ID), Some(Level::Error));
    let src = "res.setHeader('Access-Control-Allow-Origin', '*');\n";
    let d = testing::findings_in(ID, "src/a.ts", src, &c);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].level, Level::Error);
    // the short form still sets the level only
    let c = Config::parse(
        "[rules]\ncors-wildcard = \"warn\"\n",
        Path::new("prodlint.toml"),
    )
    .expect("valid");
    assert!(testing::findings_in(ID, "src/a.ts", src, &c).is_empty());
    let err = Config::parse(
        "[rules.cors-wildcard]\nstrict = \"yes\"\n",
        Path::new("prodlint.toml"),
    )
    .unwrap_err();
    assert!(
        err.message.contains("rules.cors-wildcard.strict"),
        "{}",
        err.message
    );
    assert!(Config::parse(
        "[rules.cors-wildcard]\nstrikt = true\n",
        Path::new("prodlint.toml")
    )
    .unwrap_err()
    .message
    .contains("did you mean `strict`"));
}
