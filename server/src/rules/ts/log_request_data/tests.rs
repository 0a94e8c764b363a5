use crate::diagnostic::{Applicability, Level};
use crate::rules::testing::*;

const R: &str = "log-request-data";

/// Apply the finding's second fix (the development guard) and check the
/// result, that it parses as well as before and that the rule is silent.
#[track_caller]
fn check_wrap_fix(path: &str, before: &str, expected: &str) {
    let d = findings(R, path, before);
    assert_eq!(d.len(), 1, "{d:#?}");
    let fix = &d[0].fixes[1];
    assert_eq!(fix.applicability, Applicability::Unsafe);
    let (after, applied) = crate::fix::apply(before, &[fix]);
    assert_eq!(applied.len(), 1);
    assert_eq!(after, expected);
    let lang = crate::language::detect(std::path::Path::new(path)).unwrap();
    assert!(
        crate::engine::syntax_errors(&after, lang) <= crate::engine::syntax_errors(before, lang)
    );
    assert_clean(R, path, &after);
}

#[test]
fn flags_request_parts_in_console_and_loggers() {
    let src = "app.post('/login', async (req, res) => {\n\
               console.log(req.body);\n\
               console.info('q', req.query, req.params);\n\
               logger.info({ headers: req.headers }, 'incoming');\n\
               log.debug(`cookies ${JSON.stringify(req.cookies)}`);\n\
               req.log.warn({ ...req.body }, 'signup');\n\
               console.log('auth', req.headers.authorization);\n\
               console.log('auth', req.headers['x-api-key']);\n\
               res.sendStatus(200);\n\
               });\n";
    let got = assert_flags(R, "src/server.ts", src, 7);
    assert_eq!(got[0], "console.log(req.body)");
    let d = findings(R, "src/server.ts", src);
    assert!(d.iter().all(|x| x.level == Level::Error));
    assert!(d[0].message.contains("`req.body`"), "{}", d[0].message);
}

#[test]
fn flags_this_logger_and_pino_winston_instances() {
    let src = "import pino from 'pino';\nimport winston from 'winston';\n\
               const base = pino({ level: 'info' });\n\
               const audit = winston.createLogger({ transports: [] });\n\
               const child = base.child({ svc: 'api' });\n\
               const l = require('pino')();\n\
               class UsersController {\n  create(req) { this.logger.log(req.body); }\n}\n\
               export function h(req) {\n  base.info(req.body);\n  audit.warn('x', req.query);\n  child.error(req.headers);\n  l.info(req.cookies);\n}\n";
    let got = assert_flags(R, "src/users.ts", src, 5);
    assert_eq!(got[0], "this.logger.log(req.body)");
    assert_eq!(got[4], "l.info(req.cookies)");
}

#[test]
fn flags_bound_bodies_and_destructured_parts() {
    let src = "export async function POST(request: Request) {\n\
               const body = await request.json();\n\
               const form = await request.formData();\n\
               const raw = await request.text();\n\
               const parsed = JSON.parse(await request.text()) as Payload;\n\
               console.log('body', JSON.stringify(body));\n\
               console.log(Object.fromEntries(form));\n\
               console.log(raw);\n\
               logger.info({ parsed });\n\
               console.log(request.headers.get('authorization'));\n\
               console.log(await request.json());\n\
               }\n\
               app.post('/x', (req, res) => {\n\
               const { body } = req;\n\
               const { email, ...rest } = req.body;\n\
               console.log(JSON.stringify(body));\n\
               console.log(rest);\n\
               });\n";
    let got = assert_flags(R, "src/app/api/checkout/route.ts", src, 8);
    assert_eq!(got[0], "console.log('body', JSON.stringify(body))");
    let d = findings(R, "src/app/api/checkout/route.ts", src);
    assert!(
        d[0].message
            .contains("(`body`, from `await request.json()`)"),
        "{}",
        d[0].message
    );
    assert!(
        d[7].message.contains("`rest`, the rest of `req.body`"),
        "{}",
        d[7].message
    );
}

#[test]
fn flags_nest_body_parameters() {
    let src = "@Controller('users')\nexport class UsersController {\n  private readonly logger = new Logger(UsersController.name);\n  @Post()\n  create(@Body() dto: CreateUserDto, @Query('page') page: string) {\n    this.logger.log(dto);\n    this.logger.log(page);\n  }\n}\n";
    let got = assert_flags(R, "src/users/users.controller.ts", src, 1);
    assert_eq!(got[0], "this.logger.log(dto)");
}

#[test]
fn triggers_cover_split_member_access() {
    // no `console`, `logger`, `log.` in the file: the blank after `log` is a trigger
    assert_flags(
        R,
        "src/server.ts",
        "fastify.post('/x', async (request) => {\n  request.log\n    .info(request.body);\n});\n",
        1,
    );
}

#[test]
fn near_miss_comments_and_strings() {
    assert_clean(
        R,
        "src/server.ts",
        "// console.log(req.body)\n/* logger.info(req.headers) */\nconsole.log('req.body was empty');\nconsole.log(`see req.headers`);\n",
    );
}

#[test]
fn near_miss_method_path_url_id_and_fields() {
    assert_clean(
        R,
        "src/server.ts",
        "app.use((req, res, next) => {\n\
         console.log(req.method, req.path, req.url, req.id, req.originalUrl);\n\
         logger.info(`${req.method} ${req.url}`);\n\
         console.log('page', req.query.page, req.params.id, req.body.items.length);\n\
         console.log(typeof req.body, !req.body, req.body === undefined);\n\
         console.log(Object.keys(req.body));\n\
         console.log(req.headers['user-agent'], request.headers.get('user-agent'));\n\
         const { email } = req.body;\n\
         console.log('user', email ? 'yes' : 'no');\n\
         next();\n\
         });\n\
         const log = [];\nlog.push(req.body);\nfoo.log(req.body);\nlogger.child(req.body);\n\
         const { body } = res;\nconsole.log(body);\n",
    );
}

#[test]
fn near_miss_shadowed_and_unrelated_names() {
    assert_clean(
        R,
        "src/server.ts",
        "const body = await request.json();\n\
         function render(body) { console.log(body); }\n\
         const data = await fetch(url).then((r) => r.json());\n\
         console.log(data);\n\
         const json = await res.json();\n\
         console.log(json);\n",
    );
}

#[test]
fn near_miss_dev_guards() {
    assert_clean(
        R,
        "src/server.ts",
        "app.post('/x', (req, res) => {\n\
         if (process.env.NODE_ENV === 'development') console.log(req.body);\n\
         if (process.env.NODE_ENV !== 'production') {\n  console.log(req.headers);\n}\n\
         if (isProd) {\n  logger.info('ok');\n} else {\n  logger.debug(req.body);\n}\n\
         if (!isProduction) console.log(req.query);\n\
         process.env.NODE_ENV === 'development' && console.log(req.cookies);\n\
         if (isDev) items.forEach((i) => console.log(i, req.body));\n\
         });\n\
         app.put('/y', (req, res) => {\n\
         if (process.env.NODE_ENV === 'production') return res.sendStatus(204);\n\
         console.log(req.body);\n\
         });\n",
    );
}

#[test]
fn production_branches_are_not_guards() {
    let src = "app.post('/x', (req, res) => {\n\
               if (process.env.NODE_ENV === 'production') console.error('x', req.headers['authorization']);\n\
               if (isProd) {\n  console.error(req.body);\n} else {\n  console.debug(req.body);\n}\n\
               if (isProd && !verbose) {\n  res.status(500);\n} else {\n  console.error(req.query);\n}\n\
               if (!(isProd && verbose)) console.log(req.params);\n\
               isProd && console.log(req.cookies);\n\
               });\n\
               app.put('/y', (req, res) => {\n\
               if (isProd && !verbose) return res.sendStatus(204);\n\
               console.log(req.body);\n\
               });\n";
    let got = assert_flags(R, "src/server.ts", src, 6);
    assert_eq!(
        got,
        vec![
            "console.error('x', req.headers['authorization'])",
            "console.error(req.body)",
            "console.error(req.query)",
            "console.log(req.params)",
            "console.log(req.cookies)",
            "console.log(req.body)",
        ]
    );
}

#[test]
fn near_miss_guards_true_in_all_of_production() {
    assert_clean(
        R,
        "src/server.ts",
        "app.post('/x', (req, res) => {\n\
         if (isProd || isStaging) {\n  res.status(500);\n} else {\n  console.error(req.body);\n}\n\
         if (process.env.NODE_ENV !== 'development') res.end(); else console.log(req.query);\n\
         isProd || console.log(req.cookies);\n\
         });\n\
         app.put('/y', (req, res) => {\n\
         if (isProd || isStaging) return;\n\
         console.log(req.body);\n\
         });\n",
    );
}

#[test]
fn follows_a_raw_body_through_one_variable() {
    let src = "export async function POST(req: Request) {\n\
               const rawBody = await req.text();\n\
               const body = JSON.parse(rawBody);\n\
               const again = rawBody;\n\
               console.info(`event ${body.type}`, body);\n\
               console.log(again);\n\
               console.log(body.type, body.id);\n\
               }\n";
    let got = assert_flags(R, "app/api/hook/route.ts", src, 2);
    assert_eq!(got[0], "console.info(`event ${body.type}`, body)");
    let d = findings(R, "app/api/hook/route.ts", src);
    assert!(
        d[0].message
            .contains("(`body`, from `rawBody`, from `await req.text()`)"),
        "{}",
        d[0].message
    );
}

#[test]
fn follows_only_one_variable_and_only_request_values() {
    assert_clean(
        R,
        "app/api/hook/route.ts",
        "export async function POST(req: Request) {\n\
         const raw = await req.text();\n\
         const copy = raw;\n\
         const body = JSON.parse(copy);\n\
         console.log(body);\n\
         const tpl = await loadTemplate();\n\
         const parsed = JSON.parse(tpl);\n\
         console.log(parsed);\n\
         const { type } = JSON.parse(raw);\n\
         console.log(type);\n\
         }\n",
    );
}

#[test]
fn near_miss_function_only_called_under_a_guard() {
    assert_clean(
        R,
        "src/server.ts",
        "function dumpRequest(req) {\n  console.log(req.headers, req.body);\n}\n\
         const dumpQuery = (req) => { logger.debug(req.query); };\n\
         function debugAll(req) { dumpQuery(req); }\n\
         app.post('/x', (req, res) => {\n\
         if (process.env.NODE_ENV !== 'production') {\n  dumpRequest(req);\n  debugAll(req);\n}\n\
         });\n",
    );
    // called once without a guard, exported, or passed as a value: flagged
    assert_flags(
        R,
        "src/server.ts",
        "function dumpRequest(req) {\n  console.log(req.body);\n}\n\
         if (isDev) dumpRequest(req);\napp.post('/x', (req) => dumpRequest(req));\n",
        1,
    );
    assert_flags(
        R,
        "src/server.ts",
        "export function dumpRequest(req) {\n  console.log(req.body);\n}\nif (isDev) dumpRequest(req);\n",
        1,
    );
    assert_flags(
        R,
        "src/server.ts",
        "const dump = (req) => console.log(req.body);\nif (isDev) dump(req);\napp.use(dump);\n",
        1,
    );
}

#[test]
fn near_miss_test_like_paths() {
    for path in [
        "src/__tests__/login.test.ts",
        "src/login.spec.ts",
        "e2e/login.ts",
        "scripts/replay.ts",
    ] {
        assert_clean(
            R,
            path,
            "app.post('/x', (req) => { console.log(req.body); });\n",
        );
    }
}

#[test]
fn keeps_working_around_syntax_errors() {
    assert_flags(
        R,
        "src/server.ts",
        "const x = {{;\napp.post('/x', (req) => { console.log(req.body); });\n",
        1,
    );
}

#[test]
fn fix_removes_the_statement() {
    let before = "app.post('/x', (req, res) => {\n  console.log('body', req.body); // debug\n  res.send('ok');\n});\n";
    let d = findings(R, "src/a.ts", before);
    assert_eq!(d[0].fixes.len(), 2);
    assert!(d[0]
        .fixes
        .iter()
        .all(|f| f.applicability == Applicability::Unsafe));
    check_fix(
        R,
        "src/a.ts",
        before,
        true,
        "app.post('/x', (req, res) => {\n  res.send('ok');\n});\n",
    );
    check_fix(R, "src/a.ts", before, false, before);
    check_fix(
        R,
        "src/a.ts",
        "async function h(req) { await logger.info(req.body); return 1; }\n",
        true,
        "async function h(req) { return 1; }\n",
    );
}

#[test]
fn no_fix_inside_larger_expressions_or_braceless_bodies() {
    let d = findings(
        R,
        "src/a.ts",
        "app.post('/x', (req) => console.log(req.body));\nif (user) console.log(req.body);\nready && console.log(req.body);\n",
    );
    assert_eq!(d.len(), 3);
    assert!(d.iter().all(|x| x.fixes.is_empty()));
}

#[test]
fn wrap_fix_keeps_indentation_and_quotes() {
    check_wrap_fix(
        "src/a.ts",
        "app.post(\"/x\", (req, res) => {\n    logger.info(\"incoming\", {\n        body: req.body,\n    });\n    res.send(\"ok\");\n});\n",
        "app.post(\"/x\", (req, res) => {\n    if (process.env.NODE_ENV !== \"production\") {\n        logger.info(\"incoming\", {\n            body: req.body,\n        });\n    }\n    res.send(\"ok\");\n});\n",
    );
    check_wrap_fix(
        "src/a.ts",
        "function f(req) {\n\tconsole.log(req.body);\n}\n",
        "function f(req) {\n\tif (process.env.NODE_ENV !== 'production') {\n\t\tconsole.log(req.body);\n\t}\n}\n",
    );
    check_wrap_fix(
        "src/a.ts",
        "foo(); console.log(req.body);\n",
        "foo(); if (process.env.NODE_ENV !== 'production') { console.log(req.body); }\n",
    );
}

#[test]
fn fixes_on_crlf_file_with_non_ascii_text_before() {
    let before = "const greeting = 'café 😀';\r\nexport async function POST(req: Request) {\r\n  const body = await req.json();\r\n  console.log('reçu', body);\r\n  return Response.json({ ok: true });\r\n}\r\n";
    let d = findings(R, "src/app/api/x/route.ts", before);
    assert_eq!(d.len(), 1);
    assert_eq!(&before[d[0].range.clone()], "console.log('reçu', body)");
    assert_eq!(d[0].range.start, before.find("console").unwrap());
    check_fix(
        R,
        "src/app/api/x/route.ts",
        before,
        true,
        "const greeting = 'café 😀';\r\nexport async function POST(req: Request) {\r\n  const body = await req.json();\r\n  return Response.json({ ok: true });\r\n}\r\n",
    );
    check_wrap_fix(
        "src/app/api/x/route.ts",
        before,
        "const greeting = 'café 😀';\r\nexport async function POST(req: Request) {\r\n  const body = await req.json();\r\n  if (process.env.NODE_ENV !== 'production') {\r\n    console.log('reçu', body);\r\n  }\r\n  return Response.json({ ok: true });\r\n}\r\n",
    );
}
