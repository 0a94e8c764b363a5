use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{secrets, FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "secret-fallback",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary: "A secret read from the environment falls back to a hard-coded value when unset",
        docs: DOCS,
        // `process` rather than `process.env`: the member access may be split
        // by blanks or comments (`process\n  .env.JWT_SECRET`).
        triggers: &["process"],
        // The fallback operator, or a destructuring default from `process.env`.
        also_triggers: &["||", "??", "= process"],
        options: RuleOptions::NONE,
    },
    kinds: &[
        "binary_expression",
        "object_assignment_pattern",
        "assignment_pattern",
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags `process.env.<NAME> || '<literal>'`, `process.env.<NAME> ?? '<literal>'`
and the destructuring default `const { <NAME> = '<literal>' } = process.env`, when NAME says it holds a secret (`SECRET`, `PASSWORD`, `PASS`, `TOKEN`, `KEY`,
`PRIVATE`; not `PUBLIC`, `PUBLISHABLE`, `EXPIRES`, `URL`, `ID`) and the literal is
not empty. The same fallback is flagged whatever the name when it is the secret
argument of `jwt.sign` / `jwt.verify`, or the value of a `secret` / `password` /
`token` property (`session({ secret: process.env.SESSION || 'keyboard cat' })`).

Not flagged (measured on real projects): outgoing credentials — an SDK
client's key (`new Stripe(KEY || 'sk_nothing')`, `new OpenAI({ apiKey: KEY ||
'sk-proj-' })`) or a request header (`headers: { 'X-API-Key': KEY || 'x' }`),
also through a local used only that way (`const apiKey = KEY || 'x'; new
Client({ apiKey })`): a placeholder there makes the calls fail and opens nothing; and any variable
whose name says it is public (`NEXT_PUBLIC_…`, `…PUBLISHABLE…`), whatever the
local it is assigned to is called.

## Why is this bad?
When the variable is missing in production (a typo, a new environment, a
rotated key deleted too early) the app does not fail: it silently signs tokens,
sessions or webhooks with a value that is in the source code, so anyone who has
read the repository can forge them.

## Examples
```ts flagged lines=1
const secret = process.env.JWT_SECRET || 'dev-secret';
```

```ts flagged lines=1
const token = jwt.sign({ sub: user.id }, process.env.AUTH_SIGNING ?? 'local', { expiresIn: '1h' });
```

```ts ok
const secret = process.env.JWT_SECRET || '';
const key = process.env.SESSION_KEY ?? process.env.LEGACY_SESSION_KEY;
const salt = process.env.HASH_SALT || crypto.randomBytes(16).toString('hex');
const expiresIn = process.env.JWT_EXPIRES_IN || '7d';
const publishable = process.env.STRIPE_PUBLISHABLE_KEY || 'pk_test_123';
```

## Fix
**Unsafe**: replaces the expression with a read that throws when the variable is
unset, e.g. `(process.env.JWT_SECRET || (() => { throw new Error('JWT_SECRET is not set') })())`
(keeping the file's quote style and the original `||` / `??`); a destructuring
default becomes that throwing call (`const { JWT_SECRET = (() => { throw … })() } = process.env`). The app now
refuses to start or to serve the request without the secret, which is the point
but changes behaviour in environments that relied on the fallback.
"#;

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if node.kind_name() == "binary_expression" {
        check_binary(cx, node);
    } else {
        check_destructuring_default(cx, node);
    }
}

/// `const { JWT_SECRET = 'dev' } = process.env` and
/// `const { JWT_SECRET: secret = 'dev' } = process.env`.
fn check_destructuring_default(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.source;
    let (Some(left), Some(right)) = (node.field(Field::Left), node.field(Field::Right)) else {
        return;
    };
    // The env name: the shorthand itself, or the key of the enclosing pair.
    let (name, pattern) = match node.kind_name() {
        "object_assignment_pattern"
            if left.kind_name() == "shorthand_property_identifier_pattern" =>
        {
            (ast::text(left, src).to_string(), node.parent())
        }
        "assignment_pattern" => {
            let Some(pair) = node.parent().filter(|p| p.kind_name() == "pair_pattern") else {
                return;
            };
            let Some(key) = pair.field(Field::Key) else {
                return;
            };
            let key =
                ast::string_value(key, src).unwrap_or_else(|| ast::text(key, src).to_string());
            (key, pair.parent())
        }
        _ => return,
    };
    let from_env = pattern
        .filter(|p| p.kind_name() == "object_pattern")
        .and_then(|p| p.parent())
        .filter(|d| d.kind_name() == "variable_declarator")
        .and_then(|d| d.field(Field::Value))
        .and_then(|v| ast::member_path(ast::unwrap_expr(v), src))
        .is_some_and(|p| p == "process.env");
    if !from_env || !secrets::env_name_is_secret(&name) {
        return;
    }
    let right = ast::unwrap_expr(right);
    if !ast::is_string_like(right) || ast::string_value(right, src).is_none_or(|v| v.is_empty()) {
        return;
    }
    let q = ast::preferred_quote_near(src, node.start_byte());
    let thrower = format!(
        "(() => {{ throw new Error({}) }})()",
        ast::quoted(&format!("{name} is not set"), q)
    );
    cx.report(
        node.byte_range(),
        format!(
            "`{name}` from `process.env` defaults to a hard-coded value when unset; fail when the secret is missing instead of shipping a default"
        ),
    )
    .with_fix(Fix::unsafe_(
        format!("Throw when {name} is not set"),
        vec![Edit::replace(right.byte_range(), thrower)],
    ));
}

/// `new Stripe(KEY || 'x')`, `new OpenAI({ apiKey: KEY || 'x' })` (an SDK
/// client's constructor: a `new` of a PascalCase name, the value an argument
/// or a property of an object argument), or a request header
/// (`headers: { 'X-API-Key': KEY || 'x' }`, `Authorization`).
fn outgoing_credential(node: Node<'_>, src: &str) -> bool {
    let top = ast::value_root(node);
    let Some(parent) = top.parent() else {
        return false;
    };
    let new_of_client = |args: Node<'_>| {
        args.kind_name() == "arguments"
            && args.parent().is_some_and(|n| {
                n.kind_name() == "new_expression"
                    && n.field(Field::Constructor).is_some_and(|c| {
                        let name = ast::text(c, src);
                        let last = name.rsplit('.').next().unwrap_or(name);
                        last.starts_with(|ch: char| ch.is_ascii_uppercase())
                    })
            })
    };
    match parent.kind_name() {
        "arguments" => new_of_client(parent),
        // `new Firecrawl({ apiKey })`
        "object" if top.kind_name() == "shorthand_property_identifier" => {
            parent.parent().is_some_and(new_of_client)
        }
        "pair" => {
            let Some(object) = parent.parent().filter(|o| o.kind_name() == "object") else {
                return false;
            };
            let key = parent
                .field(Field::Key)
                .map(|k| ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).to_string()))
                .unwrap_or_default()
                .to_ascii_lowercase();
            let in_headers = object
                .parent()
                .filter(|p| p.kind_name() == "pair")
                .and_then(|p| p.field(Field::Key))
                .is_some_and(|k| {
                    ast::text(k, src)
                        .trim_matches(['\'', '"'])
                        .eq_ignore_ascii_case("headers")
                });
            in_headers
                || matches!(key.as_str(), "x-api-key" | "authorization" | "api-key")
                || object.parent().is_some_and(new_of_client)
        }
        _ => false,
    }
}

/// `const apiKey = KEY || 'fc-YOUR_API_KEY'` whose every use in its scope
/// is an outgoing credential (`new Firecrawl({ apiKey })`).
fn local_only_outgoing(node: Node<'_>, src: &str) -> bool {
    let Some(name) = ast::initialised_local(ast::value_root(node)) else {
        return false;
    };
    let scope = ast::enclosing_function(node)
        .and_then(|f| f.field(Field::Body))
        .unwrap_or_else(|| ast::root_of(node));
    ast::every_use(name, scope, src, 64, &mut |n| outgoing_credential(n, src))
}

fn check_binary(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.source;
    let Some(op) = node.field(Field::Operator).map(|o| ast::text(o, src)) else {
        return;
    };
    if op != "||" && op != "??" {
        return;
    }
    let (Some(left), Some(right)) = (node.field(Field::Left), node.field(Field::Right)) else {
        return;
    };
    // The fallback: a non-empty string literal (template without substitutions included).
    let right = ast::unwrap_expr(right);
    if !ast::is_string_like(right) {
        return;
    }
    let Some(value) = ast::string_value(right, src) else {
        return;
    };
    if value.is_empty() {
        return;
    }
    // The read: one env variable, or a chain of them (`A || B || 'x'`).
    let mut names = Vec::new();
    if !env_reads(left, op, src, &mut names) || names.is_empty() {
        return;
    }
    let secret_name = names
        .iter()
        .find(|n| secrets::env_name_is_secret(n))
        .cloned();
    // a public variable is no secret, whatever the local is called
    // (`token = process.env.NEXT_PUBLIC_METRICS_TOKEN || 'my-token'`)
    if names.iter().any(|n| secrets::env_name_is_public(n)) {
        return;
    }
    // An outgoing credential (an SDK client's key, a request header): a
    // placeholder makes the calls fail, it opens nothing; the rule is about
    // keys that sign or verify (`jwt.sign`, sessions, HMACs), where anyone who
    // reads the source can forge.
    if outgoing_credential(node, src) || local_only_outgoing(node, src) {
        return;
    }
    let context_says_secret = secret_use(node, src);
    let Some(name) = secret_name.or_else(|| context_says_secret.then(|| names[0].clone())) else {
        return;
    };
    let q = ast::preferred_quote_near(src, node.start_byte());
    let thrower = format!(
        "(() => {{ throw new Error({}) }})()",
        ast::quoted(&format!("{name} is not set"), q)
    );
    let left_text = ast::text(left, src);
    let in_parens = node
        .parent()
        .is_some_and(|p| p.kind_name() == "parenthesized_expression");
    let replacement = if in_parens {
        format!("{left_text} {op} {thrower}")
    } else {
        format!("({left_text} {op} {thrower})")
    };
    cx.report(
        node.byte_range(),
        format!(
            "`process.env.{name}` falls back to a hard-coded value when unset; fail when the secret is missing instead of shipping a default"
        ),
    )
    .with_fix(Fix::unsafe_(
        format!("Throw when {name} is not set"),
        vec![Edit::replace(node.byte_range(), replacement)],
    ));
}

/// Collect the env names read by `node`, which must be a `process.env.X` read or
/// a chain of them joined with the same operator. `false` if anything else occurs.
fn env_reads(node: Node<'_>, op: &str, src: &str, out: &mut Vec<String>) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    let node = ast::unwrap_expr(node);
    if node.kind_name() == "binary_expression" {
        let same_op = node
            .field(Field::Operator)
            .is_some_and(|o| ast::text(o, src) == op);
        return same_op
            && node
                .field(Field::Left)
                .is_some_and(|l| env_reads(l, op, src, out))
            && node
                .field(Field::Right)
                .is_some_and(|r| env_reads(r, op, src, out));
    }
    match ast::member_path(node, src)
        .as_deref()
        .and_then(|p| p.strip_prefix("process.env."))
    {
        Some(name) if !name.is_empty() && !name.contains('.') => {
            out.push(name.to_string());
            true
        }
        _ => false,
    }
}

/// The expression is used as a secret whatever its env name: the secret argument
/// of `jwt.sign`/`jwt.verify`, or the value of a property/variable named like a secret.
fn secret_use(node: Node<'_>, src: &str) -> bool {
    let root = ast::value_root(node);
    if let Some(args) = root.parent().filter(|p| p.kind_name() == "arguments") {
        let Some(call) = args.parent() else {
            return false;
        };
        let is_jwt = ast::callee_path(call, src).is_some_and(|p| {
            let p = p.to_ascii_lowercase();
            p.ends_with("jwt.sign")
                || p.ends_with("jwt.verify")
                || p.ends_with("jsonwebtoken.sign")
                || p.ends_with("jsonwebtoken.verify")
        });
        let second = ast::call_arguments(call)
            .get(1)
            .is_some_and(|a| a.id() == root.id());
        return is_jwt && second;
    }
    ast::assigned_name(node, src).is_some_and(|n| {
        let words = ast::name_words(&n);
        words
            .iter()
            .any(|w| matches!(w.as_str(), "secret" | "password" | "passwd" | "token"))
            && words.last().is_some_and(|w| {
                matches!(
                    w.as_str(),
                    "secret" | "password" | "passwd" | "token" | "key"
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Level};
    use crate::rules::testing::*;

    const R: &str = "secret-fallback";

    #[test]
    fn flags_secret_env_names_with_literal_fallbacks() {
        let src = "const a = process.env.JWT_SECRET || 'dev-secret';\n\
                   const b = process.env.DB_PASSWORD ?? \"postgres\";\n\
                   const c = process.env['STRIPE_SECRET_KEY'] || 'sk_test_123';\n\
                   const d = process.env.SMTP_PASS || `mailpass`;\n\
                   const e = process.env.GITHUB_TOKEN || 'ghp_placeholder';\n\
                   const f = process.env.PRIVATE_KEY_PEM || 'none';\n\
                   const g = (process.env.API_KEY || 'abc') as string;\n\
                   const h = process.env.SESSION_SECRET || process.env.OLD_SESSION_SECRET || 'keyboard cat';\n";
        let got = assert_flags(R, "src/config.ts", src, 8);
        assert_eq!(got[0], "process.env.JWT_SECRET || 'dev-secret'");
        assert_eq!(got[6], "process.env.API_KEY || 'abc'");
        assert_eq!(
            got[7],
            "process.env.SESSION_SECRET || process.env.OLD_SESSION_SECRET || 'keyboard cat'"
        );
        let d = findings(R, "src/config.ts", src);
        assert!(d.iter().all(|x| x.level == Level::Error));
        assert!(d[0].message.contains("JWT_SECRET"));
    }

    #[test]
    fn jwt_secret_argument_and_secret_properties_whatever_the_name() {
        let got = assert_flags(
            R,
            "src/auth.ts",
            "jwt.sign(payload, process.env.AUTH_SIGNING || 'local');\n\
             jsonwebtoken.verify(token, process.env.SIGNER ?? 'x');\n\
             app.use(session({ secret: process.env.SESSION || 'keyboard cat' }));\n\
             const jwtSecret = process.env.JWT || 'dev';\n",
            4,
        );
        assert_eq!(got[0], "process.env.AUTH_SIGNING || 'local'");
        // the payload argument and non-secret properties are not secrets
        assert_clean(
            R,
            "src/auth.ts",
            "jwt.sign(process.env.SUBJECT || 'anon', key);\nconst opts = { issuer: process.env.ISSUER || 'me', tokenHeader: process.env.HDR || 'x-token' };\n",
        );
    }

    #[test]
    fn destructuring_defaults_from_process_env() {
        let src = "const { JWT_SECRET = 'dev', PORT = '3000', DB_PASSWORD: dbPass = \"pw\", API_TOKEN = '' } = process.env;\n\
                   const { SESSION_SECRET = 'x' } = config;\n\
                   function f({ JWT_SECRET = 'dev' }) {}\n";
        let got = assert_flags(R, "src/env.ts", src, 2);
        assert_eq!(got, vec!["JWT_SECRET = 'dev'", "dbPass = \"pw\""]);
        check_fix(
            R,
            "src/env.ts",
            "const { JWT_SECRET = 'dev', PORT = '3000' } = process.env;\n",
            true,
            "const { JWT_SECRET = (() => { throw new Error('JWT_SECRET is not set') })(), PORT = '3000' } = process.env;\n",
        );
    }

    #[test]
    fn triggers_cover_split_member_access() {
        assert_flags(
            R,
            "src/config.ts",
            "const s = process\n  .env.JWT_SECRET || 'dev';\n",
            1,
        );
    }

    #[test]
    fn near_miss_empty_fallback_fails_closed() {
        assert_clean(
            R,
            "src/config.ts",
            "const a = process.env.JWT_SECRET || '';\nconst b = process.env.JWT_SECRET ?? ``;\nconst c = process.env.JWT_SECRET ?? \"\";\n",
        );
    }

    #[test]
    fn near_miss_other_env_var_or_runtime_value() {
        assert_clean(
            R,
            "src/config.ts",
            "const a = process.env.JWT_SECRET || process.env.LEGACY_JWT_SECRET;\n\
             const b = process.env.HASH_SECRET ?? crypto.randomBytes(32).toString('hex');\n\
             const c = process.env.API_KEY || generateKey();\n\
             const d = process.env.API_KEY || `${prefix}-key`;\n\
             const e = config.JWT_SECRET || 'x';\n\
             const f = env.JWT_SECRET || 'x';\n",
        );
    }

    #[test]
    fn near_miss_outgoing_credentials_and_public_names() {
        // an SDK client's key or a request header: a placeholder only makes calls fail
        assert_clean(
            R,
            "src/lib/clients.ts",
            "export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY || 'sk_nothing');\n\
             export const ai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY || 'sk-proj-' });\n\
             export const run = () => fetch(url, { headers: { 'X-API-Key': process.env.API_KEY || 'NO-DEFINED' } });\n",
        );
        // a public variable is no secret, whatever the local is called
        assert_clean(
            R,
            "src/lib/metrics.ts",
            "export function show({ token = process.env.NEXT_PUBLIC_METRICS_TOKEN || 'my-token' }) { return token; }\n",
        );
        // through a local used only as a client's key
        assert_clean(
            R,
            "src/watch.ts",
            "const apiKey = process.env.FIRECRAWL_API_KEY || 'fc-YOUR_API_KEY';\nconst app = new FirecrawlClient({ apiKey });\n",
        );
        // near miss: the same local also signs
        assert_eq!(
            findings(R, "src/watch.ts", "const secret = process.env.APP_SECRET || 'dev-secret';\nconst app = new Client({ apiKey: secret });\nexport const t = jwt.sign({ id: 1 }, secret);\n").len(),
            1
        );
        // near misses of the near misses: keys that sign or verify stay findings
        let text = "export const sign = (p) => jwt.sign(p, process.env.JWT_SECRET || 'superSecret');\n\
                    export const auth = expressJwt({ secret: process.env.JWT_SECRET || 'superSecret' });\n\
                    export const hmac = createHmac('sha256', process.env.SIGNING_SECRET || 'dev');\n";
        assert_eq!(findings(R, "src/auth.ts", text).len(), 3);
    }

    #[test]
    fn near_miss_non_secret_names() {
        assert_clean(
            R,
            "src/config.ts",
            "const a = process.env.JWT_EXPIRES_IN || '7d';\n\
             const b = process.env.STRIPE_PUBLISHABLE_KEY || 'pk_test_123';\n\
             const c = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY ?? 'anon';\n\
             const d = process.env.DATABASE_URL || 'postgres://localhost/db';\n\
             const e = process.env.GOOGLE_CLIENT_ID || 'client';\n\
             const f = process.env.AWS_ACCESS_KEY_ID || 'none';\n\
             const g = process.env.PORT || '3000';\n\
             const h = process.env.TOKEN_TTL ?? '3600';\n\
             const i = process.env.CSRF_TOKEN_HEADER || 'x-csrf-token';\n\
             const j = process.env.BYPASS_CACHE || 'false';\n\
             const k = process.env.KEYCLOAK_REALM || 'main';\n\
             const l = process.env.PASSPORT_STRATEGY || 'local';\n",
        );
    }

    #[test]
    fn near_miss_comments_strings_and_tests() {
        assert_clean(
            R,
            "src/config.ts",
            "// const a = process.env.JWT_SECRET || 'dev';\nconst s = \"process.env.JWT_SECRET || 'dev'\";\nconst t = `process.env.JWT_SECRET || 'dev'`;\n",
        );
        assert_clean(
            R,
            "src/__tests__/auth.test.ts",
            "const a = process.env.JWT_SECRET || 'test-secret';\n",
        );
        assert_clean(
            R,
            "scripts/seed.ts",
            "const a = process.env.ADMIN_PASSWORD || 'admin';\n",
        );
    }

    #[test]
    fn keeps_working_around_syntax_errors() {
        assert_flags(
            R,
            "src/config.ts",
            "const x = {{;\nconst a = process.env.JWT_SECRET || 'dev';\n",
            1,
        );
    }

    #[test]
    fn fix_throws_when_unset() {
        let d = findings(
            R,
            "src/a.ts",
            "const a = process.env.JWT_SECRET || 'dev';\n",
        );
        assert_eq!(d[0].fix().unwrap().applicability, Applicability::Unsafe);
        check_fix(
            R,
            "src/a.ts",
            "const a = process.env.JWT_SECRET || 'dev';\n",
            true,
            "const a = (process.env.JWT_SECRET || (() => { throw new Error('JWT_SECRET is not set') })());\n",
        );
        // unsafe: not applied without --unsafe-fixes
        check_fix(
            R,
            "src/a.ts",
            "const a = process.env.JWT_SECRET || 'dev';\n",
            false,
            "const a = process.env.JWT_SECRET || 'dev';\n",
        );
    }

    #[test]
    fn fix_keeps_double_quotes_operator_and_parentheses() {
        check_fix(
            R,
            "src/a.ts",
            "const a = (process.env[\"API_TOKEN\"] ?? \"dev\");\nimport x from \"y\";\n",
            true,
            "const a = (process.env[\"API_TOKEN\"] ?? (() => { throw new Error(\"API_TOKEN is not set\") })());\nimport x from \"y\";\n",
        );
        check_fix(
            R,
            "src/a.ts",
            "jwt.sign(p, process.env.A || process.env.B || 'x');\n",
            true,
            "jwt.sign(p, (process.env.A || process.env.B || (() => { throw new Error('A is not set') })()));\n",
        );
    }

    #[test]
    fn fix_on_crlf_file_with_non_ascii_text_before() {
        let before =
            "const greeting = 'café 😀';\r\nconst s = process.env.SESSION_SECRET ?? 'dev';\r\n";
        let d = findings(R, "src/a.ts", before);
        assert_eq!(d.len(), 1);
        assert_eq!(
            &before[d[0].range.clone()],
            "process.env.SESSION_SECRET ?? 'dev'"
        );
        assert_eq!(d[0].range.start, before.find("process").unwrap());
        check_fix(
            R,
            "src/a.ts",
            before,
            true,
            "const greeting = 'café 😀';\r\nconst s = (process.env.SESSION_SECRET ?? (() => { throw new Error('SESSION_SECRET is not set') })());\r\n",
        );
    }
}
