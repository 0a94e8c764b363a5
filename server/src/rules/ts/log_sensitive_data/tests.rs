use crate::diagnostic::Level;
use crate::rules::testing::*;

const R: &str = "log-sensitive-data";
const P: &str = "src/server/auth.ts";

#[test]
fn flags_identifiers_properties_and_keys() {
    let src = "export async function login(email: string, password: string, user: User) {\n\
               console.log('login', email);\n\
               logger.info({ password, plan: 'pro' });\n\
               console.log(user);\n\
               log.warn('refresh', session.refreshToken);\n\
               logger.debug({ apiKey: config.stripeKey });\n\
               console.info(`reset for ${user.email}`);\n\
               console.log(req.body.password);\n\
               }\n";
    let got = snippet_levels(src, &findings(R, P, src));
    let want: Vec<(String, Level)> = [
        "email",
        "password",
        "user",
        "session.refreshToken",
        "apiKey: config.stripeKey",
        "user.email",
        "req.body.password",
    ]
    .iter()
    .map(|s| (s.to_string(), Level::Warn))
    .collect();
    assert_eq!(got, want);
    let d = findings(R, P, src);
    assert!(
        d[0].message.contains("`email` (personal data)"),
        "{}",
        d[0].message
    );
    assert!(d[1].message.contains("a credential"), "{}", d[1].message);
}

#[test]
fn flags_multi_line_objects_and_pino_instances() {
    let src = "import pino from 'pino';\n\
               const audit = pino();\n\
               export function created(user: User, token: string) {\n\
               audit.info(\n  {\n    id: user.id,\n    token,\n  },\n  'created'\n);\n\
               this.logger.log({ currentUser: user });\n\
               }\n";
    let got = assert_flags(R, P, src, 2);
    assert_eq!(got, vec!["token", "user"]);
}

#[test]
fn words_in_strings_are_not_findings() {
    assert_clean(
        R,
        P,
        "console.log('password reset requested for user', userId);\nlogger.info(`token refreshed`, { email_sent: true });\n// console.log(password)\n",
    );
}

#[test]
fn presence_checks_lengths_and_masks_are_not_findings() {
    assert_clean(
        R,
        P,
        "console.log(!!token, typeof secret, token ? 'set' : 'missing', password.length);\n\
         logger.info({ hasToken: !!token, token: !!token, password: '***', email: mask(email) });\n\
         console.log(Object.keys(user), Boolean(session), redactToken(token), hash(password));\n\
         console.log(token === expected, user.id, session.id, user.name);\n",
    );
}

#[test]
fn near_miss_names_are_not_findings() {
    assert_clean(
        R,
        P,
        "console.log(tokenCount, maxTokens, emailVerified, passwordHash, userId, sessionId);\n\
         logger.info({ nextToken, pageToken, users: users.length, username, isAuthenticated });\n",
    );
}

#[test]
fn request_headers_and_cookies_are_log_request_data_findings() {
    let src = "app.post('/x', (req, res) => {\n\
               console.log('auth', req.headers.authorization);\n\
               console.log(req.cookies);\n\
               const { cookie } = req.headers;\n\
               console.log(cookie);\n\
               });\n";
    assert_clean(R, "src/server.ts", src);
    // the other rule reports them (once per call)
    assert_eq!(findings("log-request-data", "src/server.ts", src).len(), 2);
}

#[test]
fn development_guards_and_non_loggers_are_not_findings() {
    assert_clean(
        R,
        P,
        "if (process.env.NODE_ENV === 'development') console.log(user);\n\
         db.info(password);\nanalytics.track(user);\nconst s = makeStore();\ns.error(token);\n",
    );
}

#[test]
fn command_line_output_is_not_a_log() {
    let src = "console.log(`Logged in as ${status.email}`);\n";
    assert_clean(R, "packages/cli/src/commands/auth.ts", src);
    assert_clean(R, "tools/bin/import.ts", src);
    // a logger in a script still writes a log
    assert_flags(
        R,
        "tools/bin/import.ts",
        "logger.info({ email }, 'seeded');\n",
        1,
    );
}

#[test]
fn tests_are_not_checked() {
    assert_clean(R, "src/__tests__/auth.test.ts", "console.log(password);\n");
}

#[test]
fn fix_removes_the_argument() {
    check_fix(
        R,
        P,
        "console.log('login', email);\n",
        true,
        "console.log('login');\n",
    );
    check_fix(
        R,
        P,
        "console.log(token, 'refreshed');\n",
        true,
        "console.log('refreshed');\n",
    );
}

#[test]
fn fix_removes_the_property_keeping_layout() {
    check_fix(
        R,
        P,
        "logger.info(\r\n  {\r\n    id: user.id,\r\n    \"password\": password,\r\n  },\r\n  \"created\"\r\n);\r\n",
        true,
        "logger.info(\r\n  {\r\n    id: user.id,\r\n  },\r\n  \"created\"\r\n);\r\n",
    );
    check_fix(
        R,
        P,
        "logger.info({ email }, 'signup');\n",
        true,
        "logger.info('signup');\n",
    );
}

#[test]
fn no_fix_for_the_only_argument_or_templates() {
    let src = "console.log(user);\nconsole.log(`hi ${email}`, 1);\nlogger.info({ token });\n";
    let d = findings(R, P, src);
    assert_eq!(d.len(), 3);
    assert!(d.iter().all(|x| x.fixes.is_empty()), "{d:#?}");
}

#[test]
fn ranges_with_emoji_accents_and_crlf() {
    let src = "// café 🎉\r\nconsole.log('héllo 🎉', email);\r\n";
    let d = findings(R, P, src);
    assert_eq!(d.len(), 1);
    assert_eq!(&src[d[0].range.clone()], "email");
    check_fix(
        R,
        P,
        src,
        true,
        "// café 🎉\r\nconsole.log('héllo 🎉');\r\n",
    );
}
