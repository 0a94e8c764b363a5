use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use regex::Regex;
use std::sync::LazyLock;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "hardcoded-secret",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::Unsafe,
        not_in_tests: false,
        summary: "A live credential (API key, token, private key) written in the source code",
        docs: DOCS,
        triggers: &[
            "sk_live_",
            "rk_live_",
            "whsec_",
            "sk_test_",
            "akia",
            "private key",
            "xoxa-",
            "xoxb-",
            "xoxp-",
            "xoxr-",
            "ghp_",
            "gho_",
            "github_pat_",
            "eyj",
            "secret",
            "password",
            "passwd",
            "token",
            "apikey",
            "api_key",
            "api-key",
            "api key",
            "privatekey",
            "private_key",
            "private-key",
        ],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &["string", "template_string"],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags string literals that are live credentials:
- Stripe secret keys `sk_live_…`, restricted keys `rk_live_…` and webhook secrets
  `whsec_…` of a plausible length (test keys `sk_test_…` are a warning);
- AWS access key ids (`AKIA` and 16 upper-case letters or digits);
- PEM private key blocks (`-----BEGIN … PRIVATE KEY-----` with key material);
- Slack (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`) and GitHub (`ghp_`, `gho_`,
  `github_pat_`) tokens;
- JWTs whose payload says `"role": "service_role"` (a Supabase service key);
- any literal of 16 or more characters that looks random (Shannon entropy of at
  least 3 bits per character, not made of words) assigned to a variable,
  property or parameter whose name says `secret`, `password`, `passwd`, `token`,
  `api key`, `private key` or `client secret`.

Placeholders (`xxx`, `<…>`, `your_…`, `…example…`), publishable keys
(`pk_live_`/`pk_test_`), the Supabase anon key, empty strings, UI placeholder
text and values read from `process.env` are not findings; nor are values that
are public by design or published samples: PostHog `phc_` project keys, UUIDs,
the Supabase local demo JWTs (`"iss": "supabase-demo"`) and the jwt.io sample
token; nor a value whose own comment (just above it, or trailing on its line)
says it is not a secret (`not a secret`, `dummy`, `fake`, `safe to expose`…),
unless it is a provider-format live key. A weak default such as
`process.env.JWT_SECRET || 'changeme'` is a `secret-fallback` finding.

On test-like paths (tests, mocks, fixtures, dev scripts, seeds) only
provider-format live keys are reported, as warnings: `sk_live_`, `rk_live_`,
`AKIA…`, private key blocks, Slack and GitHub tokens. Test keys, webhook
secrets, sample JWTs and secret-named values there are test data.
Findings are errors elsewhere.

## Why is this bad?
A secret in the source is in every clone, CI log, bundle and backup of the
repository, and cannot be rotated without a deploy. Leaked live keys are found
and abused by scanners within minutes of a push.

## Examples
```ts flagged lines=1
const stripe = new Stripe('sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n');
```

```ts flagged lines=1
const config = { clientSecret: 'q8N2vXr7Lk3PzW9tYb6Hc1Md' };
```

```ts flagged lines=1
const supabase = createClient(url, 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln');
```

```ts ok
const publishable = 'pk_live_51HqLyjWDarjtT1zdp7dcXYZ2abcDEF';
const apiKey = process.env.STRIPE_SECRET_KEY;
const password = '';
const token = 'your_token_here';
const example = { secret: '<YOUR_SECRET>' };
const storageKey = { tokenStorageKey: 'app.auth.refreshToken' };
```

```ts ok
const posthogKey = 'phc_Lk3PzW9tYb6Hc1MdJ5sF0gT2hU7wE4aBq8N2vXr';
const tenant = { apiKey: '3f2b8c1e-7d4a-4e9b-a6c5-0b1d2e3f4a5b' };
// Not a secret: it only scrambles short link ids.
const SHUFFLE_SECRET_KEY = 'c4e7a1f09b3d58e26a7c0f4b91d3e852';
```

```ts ok path=scripts/dev/replay-webhook.ts
const webhook = { secret: 'whsec_Pq8Lr2Zx5Wm9Tn3Vb7Kc1Hd6Jf4', checkoutToken: '7c2e9a4b1f8d3e6a5c0b9d2f4e7a1c8b3' };
```

```ts flagged lines=1 path=src/__tests__/aws.test.ts
const credentials = { accessKeyId: 'AKIAQ7RZT4WJ2M6XKP3N' };
```

```tsx ok
export const Field = () => <input name="password" placeholder="Enter a strong password" />;
```

## Fix
**Unsafe**: replaces the literal with `process.env.<NAME>`, NAME being the
SCREAMING_SNAKE form of the variable or property name (`stripeSecretKey` →
`STRIPE_SECRET_KEY`), or a conventional name when the literal has none
(`STRIPE_SECRET_KEY`, `AWS_ACCESS_KEY_ID`, `SUPABASE_SERVICE_ROLE_KEY`, …). The
variable must then be set in every environment, and the leaked key must still be
rotated: removing it from the code does not remove it from the history.
"#;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    StripeSecret,
    StripeRestricted,
    StripeWebhook,
    StripeTest,
    AwsAccessKey,
    PrivateKey,
    Slack,
    GitHub,
    ServiceRoleJwt,
    Named,
}

impl Kind {
    /// A provider-format live key: a leak wherever it is written, test files and
    /// comments saying otherwise included.
    fn is_live_provider_key(self) -> bool {
        matches!(
            self,
            Kind::StripeSecret
                | Kind::StripeRestricted
                | Kind::AwsAccessKey
                | Kind::PrivateKey
                | Kind::Slack
                | Kind::GitHub
        )
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::StripeSecret => "A Stripe live secret key",
            Kind::StripeRestricted => "A Stripe live restricted key",
            Kind::StripeWebhook => "A Stripe webhook signing secret",
            Kind::StripeTest => "A Stripe test secret key",
            Kind::AwsAccessKey => "An AWS access key id",
            Kind::PrivateKey => "A private key",
            Kind::Slack => "A Slack token",
            Kind::GitHub => "A GitHub token",
            Kind::ServiceRoleJwt => "A Supabase service_role key (it bypasses row-level security)",
            Kind::Named => "A secret-named value that looks random",
        }
    }

    fn default_env_name(self) -> &'static str {
        match self {
            Kind::StripeSecret | Kind::StripeTest => "STRIPE_SECRET_KEY",
            Kind::StripeRestricted => "STRIPE_RESTRICTED_KEY",
            Kind::StripeWebhook => "STRIPE_WEBHOOK_SECRET",
            Kind::AwsAccessKey => "AWS_ACCESS_KEY_ID",
            Kind::PrivateKey => "PRIVATE_KEY",
            Kind::Slack => "SLACK_TOKEN",
            Kind::GitHub => "GITHUB_TOKEN",
            Kind::ServiceRoleJwt => "SUPABASE_SERVICE_ROLE_KEY",
            Kind::Named => "SECRET",
        }
    }
}

/// Credential shapes: (kind, pattern). Group 1 is the credential; the pattern
/// starts at a non-word character (or the start) so that `xsk_live_` is not one.
static TOKENS: LazyLock<Vec<(Kind, Regex)>> = LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).expect("credential pattern compiles");
    vec![
        (
            Kind::StripeSecret,
            re(r"(?:^|[^A-Za-z0-9_])(sk_live_[0-9A-Za-z]{16,})"),
        ),
        (
            Kind::StripeRestricted,
            re(r"(?:^|[^A-Za-z0-9_])(rk_live_[0-9A-Za-z]{16,})"),
        ),
        (
            Kind::StripeWebhook,
            re(r"(?:^|[^A-Za-z0-9_])(whsec_[0-9A-Za-z+/=]{24,})"),
        ),
        (
            Kind::StripeTest,
            re(r"(?:^|[^A-Za-z0-9_])(sk_test_[0-9A-Za-z]{16,})"),
        ),
        (
            Kind::AwsAccessKey,
            re(r"(?:^|[^A-Za-z0-9])(AKIA[0-9A-Z]{16})(?:[^A-Za-z0-9]|$)"),
        ),
        (
            Kind::Slack,
            re(r"(?:^|[^A-Za-z0-9_])(xox[abpr]-[0-9]{6,}-[0-9A-Za-z-]{10,})"),
        ),
        (
            Kind::GitHub,
            re(r"(?:^|[^A-Za-z0-9_])(gh[po]_[A-Za-z0-9]{30,})"),
        ),
        (
            Kind::GitHub,
            re(r"(?:^|[^A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{40,})"),
        ),
        (
            Kind::ServiceRoleJwt,
            re(
                r"(?:^|[^A-Za-z0-9_.-])(eyJ[A-Za-z0-9_-]{5,}\.(eyJ[A-Za-z0-9_-]{5,})\.[A-Za-z0-9_-]{10,})",
            ),
        ),
    ]
});

static PRIVATE_KEY_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----").expect("pattern compiles")
});

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.source;
    // Every credential shape, and the name-based check, needs 16 characters.
    // Tested first: most literals are shorter, and `is_value_position` asks for
    // the parent, which tree-sitter finds by descending from the root.
    if node.end_byte() - node.start_byte() < 16 {
        return;
    }
    if !is_value_position(node, src) {
        return;
    }
    let (content, has_substitution) = literal_content(node, src);
    if content.trim().len() < 16 {
        return;
    }
    let place = Place::of(node, src);
    if place.name.as_deref().is_some_and(is_ui_text_name) {
        return;
    }
    let Some((kind, whole)) = classify(&content, has_substitution, &place) else {
        return;
    };
    // Test fixtures and dev scripts hold sample tokens and secret-named test
    // values; only a live provider key is a leak there.
    if cx.file.is_test && !kind.is_live_provider_key() {
        return;
    }
    if !kind.is_live_provider_key() && comment_disclaims_secret(node, src) {
        return;
    }
    let mut level = if kind == Kind::StripeTest {
        Level::Warn
    } else {
        Level::Error
    };
    if cx.file.is_test {
        level = level.min(Level::Warn);
    }
    let env_name = match &place.name {
        Some(n) => ast::screaming_snake(n),
        None => kind.default_env_name().to_string(),
    };
    let valid_name = env_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && env_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    let suggested = if whole && valid_name {
        env_name.as_str()
    } else {
        kind.default_env_name()
    };
    let message = format!(
        "{} is written in the source code, where anyone who can read it can use it; read it from the environment (process.env.{suggested}) and rotate it",
        kind.describe(),
    );
    let diag = cx.report(node.byte_range(), message).with_level(level);
    if whole && valid_name && !has_substitution && !place.env_fallback {
        let read = format!("process.env.{env_name}");
        let text = if node
            .parent()
            .is_some_and(|p| p.kind_name() == "jsx_attribute")
        {
            format!("{{{read}}}")
        } else {
            read
        };
        diag.with_fix(Fix::unsafe_(
            format!("Read the value from process.env.{env_name}"),
            vec![Edit::replace(node.byte_range(), text)],
        ));
    }
}

/// Where the literal sits: the name it is given and whether it is the fallback
/// of an environment read.
struct Place {
    name: Option<String>,
    /// `process.env.X || '<this>'` (a `secret-fallback` matter for weak values).
    env_fallback: bool,
}

impl Place {
    fn of(node: Node<'_>, src: &str) -> Place {
        let mut top = ast::value_root(node);
        let mut env_fallback = false;
        // Climb through `a || '<lit>'`, `a ?? '<lit>'` and `c ? '<lit>' : b`.
        let mut steps = 0usize;
        while let Some(p) = top.parent().filter(|_| {
            steps += 1;
            steps <= ast::MAX_ANCESTOR_STEPS
        }) {
            match p.kind_name() {
                "binary_expression" => {
                    let op = p.field(Field::Operator).map(|o| ast::text(o, src));
                    let is_right = p.field(Field::Right).is_some_and(|r| r.id() == top.id());
                    if !(is_right && matches!(op, Some("||" | "??"))) {
                        break;
                    }
                    if p.field(Field::Left).is_some_and(|l| {
                        ast::any_descendant(l, &mut |n| {
                            ast::member_path(n, src).is_some_and(|m| m == "process.env")
                        })
                    }) {
                        env_fallback = true;
                    }
                }
                "ternary_expression" => {
                    let is_cond = p
                        .field(Field::Condition)
                        .is_some_and(|c| c.id() == top.id());
                    if is_cond {
                        break;
                    }
                }
                _ => break,
            }
            top = ast::value_root(p);
        }
        Place {
            name: ast::assigned_name(top, src),
            env_fallback,
        }
    }
}

/// The literal is a value, not a module specifier, a type, a property key or an
/// index.
fn is_value_position(node: Node<'_>, src: &str) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let is_field = |field: Field| parent.field(field).is_some_and(|c| c.id() == node.id());
    match parent.kind_name() {
        "import_statement" | "export_statement" | "literal_type" | "import_require_clause" => false,
        "pair" | "pair_pattern" | "public_field_definition" | "method_definition" => {
            !is_field(Field::Key) && !is_field(Field::Name)
        }
        "subscript_expression" => !is_field(Field::Index),
        "arguments" => parent.parent().is_none_or(|call| {
            !matches!(
                ast::callee_path(call, src).as_deref(),
                Some("require" | "import")
            ) && call
                .field(Field::Function)
                .is_none_or(|f| f.kind_name() != "import")
        }),
        _ => true,
    }
}

/// The literal's text between its delimiters (escapes as written), with each
/// template substitution replaced by a space; and whether there was one.
fn literal_content(node: Node<'_>, src: &str) -> (String, bool) {
    let mut out = String::new();
    let mut subst = false;
    let mut c = node.walk();
    for child in node.named_children(&mut c) {
        match child.kind_name() {
            "template_substitution" => {
                subst = true;
                out.push(' ');
            }
            "string_fragment" | "escape_sequence" => out.push_str(ast::text(child, src)),
            _ => {}
        }
    }
    (out, subst)
}

/// What the literal is, and whether the credential is the whole literal.
fn classify(content: &str, has_substitution: bool, place: &Place) -> Option<(Kind, bool)> {
    if let Some(m) = PRIVATE_KEY_HEADER.find(content) {
        let body = &content[m.end()..];
        let body = body.split("-----END").next().unwrap_or("");
        let material: String = body
            .replace("\\n", "")
            .replace("\\r", "")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .collect();
        if material.len() >= 40 && !is_placeholder(body) {
            let whole = content.trim_start().starts_with("-----BEGIN");
            return Some((Kind::PrivateKey, whole));
        }
    }
    for (kind, re) in TOKENS.iter() {
        for caps in re.captures_iter(content) {
            let Some(token) = caps.get(1) else { continue };
            if is_placeholder(token.as_str()) {
                continue;
            }
            if *kind == Kind::ServiceRoleJwt
                && !caps.get(2).is_some_and(|p| {
                    let payload = jwt_payload(p.as_str());
                    is_service_role(&payload) && !is_sample_jwt(&payload)
                })
            {
                continue;
            }
            return Some((*kind, token.as_str() == content.trim()));
        }
    }
    // A random-looking value under a secret's name.
    let name = place.name.as_deref()?;
    if has_substitution || place.env_fallback || !names_a_secret(name) {
        return None;
    }
    if is_public_value(content.trim()) {
        return None;
    }
    looks_random(content).then_some((Kind::Named, true))
}

/// Values that are public by design or published samples: PostHog project keys
/// (`phc_…`, sent by every browser), UUIDs (identifiers), the Supabase local
/// demo JWTs and the jwt.io sample token.
fn is_public_value(value: &str) -> bool {
    if value.starts_with("phc_") || is_uuid(value) {
        return true;
    }
    let mut parts = value.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(_), None) if h.starts_with("eyJ") && p.starts_with("eyJ") => {
            is_sample_jwt(&jwt_payload(p))
        }
        _ => false,
    }
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A JWT payload segment decoded to its JSON text (empty when it does not decode).
fn jwt_payload(segment: &str) -> String {
    base64url_decode(segment)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The Supabase CLI's local demo keys (`"iss": "supabase-demo"`) and the jwt.io
/// sample token (`"sub": "1234567890", "name": "John Doe"`): published, they
/// open nothing.
fn is_sample_jwt(payload: &str) -> bool {
    let compact: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"iss\":\"supabase-demo\"")
        || (compact.contains("\"sub\":\"1234567890\"") && compact.contains("\"name\":\"JohnDoe\""))
}

/// Words of a comment that say the value next to it is not a secret.
const DISCLAIMERS: &[&str] = &[
    "not a secret",
    "not actually a secret",
    "not secret",
    "isn't a secret",
    "is not a real",
    "not a real",
    "not sensitive",
    "dummy",
    "fake",
    "safe to expose",
    "safe to commit",
    "safe to share",
    "safe to publish",
    "public by design",
    "is public",
];

/// A comment of the literal's own statement or property — on the lines just
/// before it, or trailing on its last line — says it is not a secret.
fn comment_disclaims_secret(node: Node<'_>, src: &str) -> bool {
    // The statement, property or class member holding the literal (bounded climb).
    let mut item = node;
    for _ in 0..12 {
        let Some(p) = item.parent() else { break };
        if matches!(
            p.kind_name(),
            "program" | "statement_block" | "object" | "class_body" | "switch_body"
        ) {
            break;
        }
        item = p;
    }
    let says = |c: Node<'_>| {
        let lower = ast::text(c, src).to_ascii_lowercase();
        DISCLAIMERS.iter().any(|d| lower.contains(d))
    };
    // Comments directly above (a block of up to three).
    let mut row = item.start_position().row;
    let mut prev = item.prev_named_sibling();
    for _ in 0..3 {
        let Some(c) = prev.filter(|c| c.kind_name() == "comment") else {
            break;
        };
        // adjacent, and on its own line (not trailing an earlier statement)
        let line_start = src[..c.start_byte()].rfind('\n').map_or(0, |i| i + 1);
        if c.end_position().row + 1 < row || !src[line_start..c.start_byte()].trim().is_empty() {
            break;
        }
        if says(c) {
            return true;
        }
        row = c.start_position().row;
        prev = c.prev_named_sibling();
    }
    // A trailing comment on the line the item ends (after `,` or `;`, or inside
    // the statement when it has no semicolon).
    let end_row = item.end_position().row;
    let trailing = item
        .next_named_sibling()
        .filter(|c| c.kind_name() == "comment" && c.start_position().row == end_row);
    if trailing.is_some_and(says) {
        return true;
    }
    let mut c = item.walk();
    let inner = item
        .named_children(&mut c)
        .filter(|n| n.kind_name() == "comment" && n.start_position().row == end_row)
        .any(says);
    inner
}

/// Obvious stand-ins for a credential.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "xxxx",
        "example",
        "your_",
        "your-",
        "yourkey",
        "yoursecret",
        "yourtoken",
        "placeholder",
        "dummy",
        "sample",
        "changeme",
        "change_me",
        "replace",
        "redacted",
        "insert",
        "fake",
        "...",
        "…",
        "***",
        "<",
        ">",
        "{{",
        "123456",
        "abcdefgh",
        "todo",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    // six or more of the same character in a row: `sk_live_000000000000…`
    let bytes = lower.as_bytes();
    bytes.windows(6).any(|w| w.iter().all(|&b| b == w[0]))
}

/// The decoded JWT payload has `"role": "service_role"`.
fn is_service_role(text: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => v.get("role").and_then(|r| r.as_str()) == Some("service_role"),
        Err(_) => {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("\"role\":\"service_role\"")
        }
    }
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The name says the value is a secret (`secret|password|passwd|token|api_?key|
/// private_?key|client_?secret`, by words), and not an attribute of one
/// (`tokenUrl`, `passwordField`, `secretName`).
fn names_a_secret(name: &str) -> bool {
    let words = ast::name_words(name);
    const NOT_THE_SECRET: &[&str] = &[
        "name",
        "names",
        "header",
        "url",
        "uri",
        "endpoint",
        "path",
        "route",
        "type",
        "field",
        "param",
        "label",
        "placeholder",
        "hint",
        "prefix",
        "length",
        "expiry",
        "expires",
        "expiration",
        "ttl",
        "id",
        "ids",
        "count",
        "version",
        "pattern",
        "regex",
        "format",
        "storage",
        "message",
        "error",
        "text",
        "title",
        "event",
        "policy",
        "rule",
        "rules",
        "min",
        "max",
        "strength",
        "hash",
        "hashed",
        "reset",
        "link",
    ];
    if words.iter().any(|w| NOT_THE_SECRET.contains(&w.as_str())) {
        return false;
    }
    // `api_?key` / `private_?key` as written (these forms are the rule's triggers).
    let lower = name.to_ascii_lowercase();
    let key_forms = ["apikey", "api_key", "api-key", "api key"]
        .iter()
        .chain(&["privatekey", "private_key", "private-key", "private key"])
        .any(|f| lower.contains(f));
    key_forms
        || words.iter().any(|w| {
            w.contains("secret")
                || w.contains("password")
                || w.contains("passwd")
                || w == "token"
                || w == "tokens"
                || w.ends_with("token")
        })
}

/// At least 16 characters, no blanks, not a URL or path, not made of words
/// (`app.auth.refreshToken`, `STRIPE_SECRET_KEY`, `my-long-passphrase`), not a
/// placeholder, and a Shannon entropy of at least 3 bits per character.
fn looks_random(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 16 || chars.iter().any(|c| c.is_whitespace()) {
        return false;
    }
    if value.contains("://") || value.starts_with('/') || value.starts_with("./") {
        return false;
    }
    if is_placeholder(value) {
        return false;
    }
    if made_of_words(value) {
        return false;
    }
    shannon_entropy(&chars) >= 3.0
}

/// Most of the value (60% of its letters and digits) is words of three or more
/// letters, possibly with a version number (`sha256`, `V2`), or plain numbers:
/// `FlowPasswordRequiredResultV2`, `token_sha256_to_refresh`, `app.auth.refreshToken`.
/// Random values split into short mixed chunks (`q8N2vXr7` → `q8 n2v xr7`).
fn made_of_words(value: &str) -> bool {
    let words = ast::name_words(value);
    let len = |w: &String| w.chars().count();
    let total: usize = words.iter().map(len).sum();
    let wordish: usize = words
        .iter()
        .filter(|w| {
            let letters = w.chars().take_while(|c| c.is_alphabetic()).count();
            let rest_digits = w.chars().skip(letters).all(|c| c.is_ascii_digit());
            rest_digits && (letters >= 3 || letters == 0)
        })
        .map(len)
        .sum();
    total == 0 || wordish * 10 >= total * 6
}

fn shannon_entropy(chars: &[char]) -> f64 {
    let mut counts: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for &c in chars {
        *counts.entry(c).or_default() += 1;
    }
    let n = chars.len() as f64;
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Names of UI text, where credential-looking strings are examples for humans.
fn is_ui_text_name(name: &str) -> bool {
    ast::name_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "placeholder"
                | "example"
                | "examples"
                | "sample"
                | "hint"
                | "label"
                | "description"
                | "helper"
                | "tooltip"
                | "caption"
                | "title"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Applicability;
    use crate::rules::testing::*;

    const R: &str = "hardcoded-secret";
    const LIVE: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n";
    // {"role":"service_role","iss":"supabase"}
    const SERVICE_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
    // {"role":"anon","iss":"supabase"}
    const ANON_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";

    #[test]
    fn payload_decodes() {
        assert!(is_service_role(&jwt_payload(
            "eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ"
        )));
        assert!(!is_service_role(&jwt_payload(
            "eyJyb2xlIjoiYW5vbiIsImlzcyI6InN1cGFiYXNlIn0"
        )));
        assert_eq!(base64url_decode("aGk").as_deref(), Some(&b"hi"[..]));
        assert!(shannon_entropy(&"aaaaaaaaaaaaaaaa".chars().collect::<Vec<_>>()) < 0.1);
        assert!(shannon_entropy(&"q8N2vXr7Lk3PzW9t".chars().collect::<Vec<_>>()) >= 3.0);
    }

    #[test]
    fn flags_credential_shapes() {
        let src = format!(
            "const stripe = new Stripe('{LIVE}');\n\
             const restricted = 'rk_live_51HqLyjWDarjtT1zdp7dcXYZ2';\n\
             const hook = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';\n\
             const aws = {{ accessKeyId: 'AKIAZ3MSJV4WQ7EXMPL2', region: 'eu-west-1' }};\n\
             const slack = 'xoxb-2947385610-4829105736251-Qm8TzR2vKx9LpW4nYc7HbJ3d';\n\
             const gh = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';\n\
             const pat = 'github_pat_11AZQ7W3Y0kP9mR2vX8tL4_q8N2vXr7Lk3PzW9tYb6Hc1MdJ5sF0gT2hU7wE4';\n\
             const admin = createClient(url, '{SERVICE_JWT}');\n\
             const pem = '-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA1x2y3z4Q5w6e7r8t9y0uIoPaSdFgHjKlZxCvBnM\\n-----END RSA PRIVATE KEY-----';\n"
        );
        let got = assert_flags(R, "src/lib/clients.ts", &src, 9);
        assert_eq!(got[0], format!("'{LIVE}'"));
        let d = findings(R, "src/lib/clients.ts", &src);
        assert!(d.iter().all(|x| x.level == Level::Error), "{d:#?}");
        assert!(d[0].message.contains("Stripe live secret key"));
        assert!(d[7].message.contains("service_role"));
    }

    #[test]
    fn key_inside_a_longer_string_or_template_is_flagged_without_fix() {
        let src = format!(
            "const h = {{ Authorization: 'Bearer {LIVE}' }};\nconst u = `https://x.test/?k={LIVE}&u=${{id}}`;\n"
        );
        let d = findings(R, "src/a.ts", &src);
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|x| x.fixes.is_empty()));
        // the suggested variable is the conventional one, not `AUTHORIZATION`
        assert!(
            d[0].message.contains("process.env.STRIPE_SECRET_KEY"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn stripe_test_keys_warn_and_tests_lower_to_warn() {
        let d = findings(
            R,
            "src/pay.ts",
            "const k = 'sk_test_51HqLyjWDarjtT1zdp7dcXYZ2';\n",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].level, Level::Warn);
        for path in [
            "src/__tests__/pay.test.ts",
            "e2e/checkout.spec.ts",
            "scripts/seed.ts",
        ] {
            let d = findings(R, path, &format!("const k = '{LIVE}';\n"));
            assert_eq!(d.len(), 1, "{path}");
            assert_eq!(d[0].level, Level::Warn, "{path}");
        }
    }

    #[test]
    fn flags_random_values_under_secret_names() {
        let got = assert_flags(
            R,
            "src/config.ts",
            "const JWT_SECRET = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n\
             this.apiKey = 'a3f5c9e1b2d4f6a8c0e2a4b6';\n\
             const cfg = { client_secret: 'Zx9_kP2-mQ7vL4wR8tY1', 'x-api-key': 'b1f0e2d3-c4a5-4b6c-8d7e-9f0a1b2c3d4e5f' };\n\
             function connect(password = 'Sup3rS3cret!2024#') {}\n\
             class Api { privateKey = 'Mq7vL4wR8tY1Zx9kP2aa'; }\n\
             const accessToken = `b7Kp2Qx9Lm4Tz8Wv3Rn6`;\n",
            7,
        );
        assert_eq!(got[0], "'q8N2vXr7Lk3PzW9tYb6Hc1Md'");
    }

    #[test]
    fn words_versus_random() {
        for v in [
            "FlowExistingAccountPasswordRequiredResultV2",
            "token_sha256_to_refresh",
            "app.auth.refreshToken",
            "STRIPE_WEBHOOK_SECRET",
            "correct-horse-battery-staple",
        ] {
            assert!(made_of_words(v), "{v}");
        }
        for v in [
            "q8N2vXr7Lk3PzW9tYb6Hc1Md",
            "a3f5c9e1b2d4f6a8c0e2a4b6",
            "550e8400-e29b-41d4-a716-446655440000",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vL3mW2a",
            "Sup3rS3cret!2024#",
        ] {
            assert!(!made_of_words(v), "{v}");
        }
    }

    #[test]
    fn key_names_as_written() {
        assert_flags(
            R,
            "src/a.ts",
            "const a = { 'Api Key': 'q8N2vXr7Lk3PzW9tYb6Hc1Md', PRIVATE_KEY: 'Mq7vL4wR8tY1Zx9kP2aa', XApiKey: 'b7Kp2Qx9Lm4Tz8Wv3Rn6' };\n",
            3,
        );
        // `api` and `key` apart are not an API key name
        assert_clean(
            R,
            "src/a.ts",
            "const apiCacheKey = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n",
        );
    }

    #[test]
    fn near_miss_placeholders() {
        assert_clean(
            R,
            "src/config.ts",
            "const a = 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx';\n\
             const b = 'sk_live_...';\n\
             const c = '<STRIPE_SECRET_KEY>';\n\
             const apiKey = 'your_api_key_here_12345';\n\
             const token = 'your-token-goes-here-9';\n\
             const d = 'AKIAIOSFODNN7EXAMPLE';\n\
             const e = 'sk_live_YOUR_KEY_HERE';\n\
             const secret = 'REPLACE_WITH_A_RANDOM_SECRET_1';\n\
             const f = 'sk_live_1234567890abcdefghij';\n\
             const password = 'changeme';\n",
        );
    }

    #[test]
    fn near_miss_publishable_anon_empty_and_env() {
        assert_clean(
            R,
            "src/config.ts",
            &format!(
                "const pk = 'pk_live_51HqLyjWDarjtT1zdp7dcXYZ2abcDEF';\n\
                 const pt = 'pk_test_51HqLyjWDarjtT1zdp7dcXYZ2abcDEF';\n\
                 const anon = createClient(url, '{ANON_JWT}');\n\
                 const secret = '';\n\
                 const apiKey = process.env.STRIPE_SECRET_KEY;\n\
                 const token = process.env['GITHUB_TOKEN'] ?? '';\n"
            ),
        );
    }

    #[test]
    fn near_miss_ui_placeholder_text() {
        assert_clean(
            R,
            "src/components/Login.tsx",
            "export const F = () => (<>\n  <input type=\"password\" placeholder=\"Enter your password\" />\n  <input placeholder=\"sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vK\" />\n  <p>{t('token')}</p>\n</>);\nconst labels = { passwordLabel: 'Password (min. 12 characters)', tokenHint: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a' };\n",
        );
    }

    #[test]
    fn near_miss_names_words_and_non_values() {
        assert_clean(
            R,
            "src/config.ts",
            "const TOKEN_STORAGE_KEY = 'app.auth.refreshToken';\n\
             const secretName = 'prod/stripe/secret-key-v2';\n\
             const tokenUrl = 'https://oauth2.googleapis.com/token';\n\
             const passwordField = 'input[name=password]';\n\
             const SECRET_ENV = 'STRIPE_WEBHOOK_SECRET';\n\
             const FLOW_PASSWORD_REQUIRED_V2 = 'FlowPasswordRequiredResultV2';\n\
             const c = { SHA256_TOKEN_TO_REFRESH: 'token_sha256_to_refresh' };\n\
             const secret = 'correct-horse-battery-staple';\n\
             const tokenizer = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n\
             const apiKey = 'short1A';\n\
             const token = 'aaaaaaaaaaaaaaaaaaaaaaaa';\n\
             import secretThing from 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ2abcDEF';\n\
             type T = { token: 'q8N2vXr7Lk3PzW9tYb6Hc1Md' };\n\
             const m = { 'q8N2vXr7Lk3PzW9tYb6Hc1Md': 1 };\n\
             if (key.startsWith('sk_live_')) {}\n\
             const pem = key.replace('-----BEGIN PRIVATE KEY-----', '');\n",
        );
    }

    #[test]
    fn near_miss_comments_and_fallbacks() {
        assert_clean(
            R,
            "src/config.ts",
            "// const stripe = new Stripe('sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n');\n\
             /** @example apiKey: 'q8N2vXr7Lk3PzW9tYb6Hc1Md' */\n\
             const secret = process.env.JWT_SECRET || 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n",
        );
        // a live key is a live key, fallback or not
        assert_flags(
            R,
            "src/config.ts",
            &format!("const key = process.env.STRIPE_KEY || '{LIVE}';\n"),
            1,
        );
    }

    // {"iss":"supabase-demo","role":"service_role","exp":1983812996}
    const DEMO_SERVICE_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
    // {"sub":"1234567890","name":"John Doe","iat":1516239022}
    const JWT_IO_SAMPLE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln";
    // {"sub":"u_42","name":"Ada"}
    const OTHER_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzQyIiwibmFtZSI6IkFkYSJ9.Qm8TzR2vKx9LpW4nYc7HbJ3dXr7Lk3Pz";

    #[test]
    fn near_miss_known_public_and_sample_values() {
        assert!(is_sample_jwt(&jwt_payload(
            DEMO_SERVICE_JWT.split('.').nth(1).unwrap()
        )));
        assert_clean(
            R,
            "src/lib/config.ts",
            &format!(
                "const serviceRoleKey = '{DEMO_SERVICE_JWT}';\n\
                 const admin = createClient(url, '{DEMO_SERVICE_JWT}');\n\
                 const token = '{JWT_IO_SAMPLE}';\n\
                 const POSTHOG_API_KEY = 'phc_q8N2vXr7Lk3PzW9tYb6Hc1MdJ5sF0gT2hU7wE4aB';\n\
                 const cfg = {{ apiKey: '550e8400-e29b-41d4-a716-446655440000', token: 'F47AC10B-58CC-4372-A567-0E02B2C3D479' }};\n"
            ),
        );
        // another JWT under a token's name is still a credential
        assert_flags(
            R,
            "src/lib/config.ts",
            &format!("const token = '{OTHER_JWT}';\n"),
            1,
        );
    }

    #[test]
    fn near_miss_value_whose_comment_says_it_is_not_a_secret() {
        assert_clean(
            R,
            "src/lib/links.ts",
            "// Not actually a secret: a salt we XOR ids with to keep them short.\n\
             const XOR_SECRET_KEY = 'a3f5c9e1b2d4f6a8c0e2a4b6d8f0a2c4';\n\
             export const hook = {\n  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', // dummy secret for previews\n};\n\
             /**\n * Safe to expose: the widget sends it from the browser.\n */\n\
             export const widgetToken = 'b7Kp2Qx9Lm4Tz8Wv3Rn6'\n\
             const apiKey = 'q8N2vXr7Lk3PzW9tYb6Hc1Md' // not sensitive, rate-limited demo key\n",
        );
        // a comment further away, or about another statement, does not count
        assert_flags(
            R,
            "src/lib/links.ts",
            "// not a secret\n\nconst JWT_SECRET = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\nconst a = 1; // not a secret\nconst apiKey = 'b7Kp2Qx9Lm4Tz8Wv3Rn6';\n",
            2,
        );
        // a live provider key is a leak whatever its comment says
        assert_flags(
            R,
            "src/lib/links.ts",
            &format!("const stripeKey = '{LIVE}'; // not a secret, test account\n"),
            1,
        );
    }

    #[test]
    fn test_like_paths_report_only_live_provider_keys() {
        for path in [
            "src/__tests__/auth.test.ts",
            "scripts/dev/simulate-webhook.ts",
            "src/mocks/handlers.ts",
            "e2e/login.spec.ts",
        ] {
            assert_clean(
                R,
                path,
                &format!(
                    "const mockToken = '{OTHER_JWT}';\n\
                     const webhook = {{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }};\n\
                     const k = 'sk_test_51HqLyjWDarjtT1zdp7dcXYZ2';\n\
                     const admin = createClient(url, '{SERVICE_JWT}');\n\
                     const JWT_SECRET = 'q8N2vXr7Lk3PzW9tYb6Hc1Md';\n"
                ),
            );
            let got = assert_flags(
                R,
                path,
                &format!(
                    "const a = '{LIVE}';\n\
                     const b = 'AKIAZ3MSJV4WQ7EXMPL2';\n\
                     const c = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';\n\
                     const d = 'xoxb-2947385610-4829105736251-Qm8TzR2vKx9LpW4nYc7HbJ3d';\n\
                     const e = 'rk_live_51HqLyjWDarjtT1zdp7dcXYZ2';\n\
                     const f = '-----BEGIN PRIVATE KEY-----\\nMIIEowIBAAKCAQEA1x2y3z4Q5w6e7r8t9y0uIoPaSdFgHjKlZxCvBnM\\n-----END PRIVATE KEY-----';\n"
                ),
                6,
            );
            assert_eq!(got[0], format!("'{LIVE}'"), "{path}");
        }
    }

    #[test]
    fn keeps_working_around_syntax_errors() {
        assert_flags(
            R,
            "src/config.ts",
            &format!("const x = {{{{;\nconst stripe = new Stripe('{LIVE}');\n"),
            1,
        );
    }

    #[test]
    fn fix_uses_the_name_or_a_conventional_one() {
        let before = format!("const stripeSecretKey = '{LIVE}';\n");
        let d = findings(R, "src/a.ts", &before);
        assert_eq!(d[0].fix().unwrap().applicability, Applicability::Unsafe);
        check_fix(
            R,
            "src/a.ts",
            &before,
            true,
            "const stripeSecretKey = process.env.STRIPE_SECRET_KEY;\n",
        );
        check_fix(
            R,
            "src/a.ts",
            &format!("const stripe = new Stripe(\"{LIVE}\", {{ apiVersion: \"2024-06-20\" }});\n"),
            true,
            "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY, { apiVersion: \"2024-06-20\" });\n",
        );
        check_fix(
            R,
            "src/a.ts",
            "const cfg = { 'x-api-key': 'a3f5c9e1b2d4f6a8c0e2a4b6' };\n",
            true,
            "const cfg = { 'x-api-key': process.env.X_API_KEY };\n",
        );
        check_fix(
            R,
            "src/a.tsx",
            &format!("export const P = () => <StripeProvider apiKey=\"{LIVE}\" />;\n"),
            true,
            "export const P = () => <StripeProvider apiKey={process.env.API_KEY} />;\n",
        );
        check_fix(
            R,
            "src/a.ts",
            &format!("const admin = createClient(url, '{SERVICE_JWT}');\n"),
            true,
            "const admin = createClient(url, process.env.SUPABASE_SERVICE_ROLE_KEY);\n",
        );
    }

    #[test]
    fn fix_on_crlf_file_with_non_ascii_text_before() {
        let before = "const greeting = 'café 😀';\r\nexport const webhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';\r\n".to_string();
        let d = findings(R, "src/a.ts", &before);
        assert_eq!(d.len(), 1);
        assert_eq!(
            &before[d[0].range.clone()],
            "'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'"
        );
        assert_eq!(d[0].range.start, before.find("'whsec").unwrap());
        check_fix(
            R,
            "src/a.ts",
            &before,
            true,
            "const greeting = 'café 😀';\r\nexport const webhookSecret = process.env.WEBHOOK_SECRET;\r\n",
        );
    }
}
