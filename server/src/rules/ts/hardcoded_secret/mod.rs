//! The `hardcoded-secret` rule: metadata, docs and the `check` entry with its top-level
//! flow here; the rest by topic:
//! - `classify`: what a literal is: a known token format, a placeholder, a public value,
//!   or random-looking text under a secret's name.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::secrets::CredentialKind as Kind;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use classify::{classify, comment_disclaims_secret, is_ui_text_name};
use tree_sitter::Node;

mod classify;
#[cfg(test)]
mod tests;

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
