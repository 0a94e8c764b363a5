use super::DotenvRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::dotenv::{DotenvFile, EnvFileKind};
use crate::rules::secrets::{is_placeholder, made_of_words, CredentialKind, TOKENS};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};

pub const RULE: DotenvRule = DotenvRule {
    meta: RuleMeta {
        id: "env-live-key-in-example",
        language: RuleLanguage::Dotenv,
        tier: 'B',
        default_level: Level::Error,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A real-looking live credential in a committed example env file",
        docs: DOCS,
        triggers: &[],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In example env files — `.env.example`, `.env.sample`, `.env.template`,
`.env.dist`, `.env.defaults`, `.env.local.example`, `.env.production.example`… —
flags values that have the shape of a live provider credential: Stripe live
secret and restricted keys (`sk_live_…`, `rk_live_…`) and webhook signing
secrets (`whsec_…`), AWS access key ids (`AKIA…`), GitHub tokens (`ghp_…`,
`github_pat_…`) and Slack tokens (`xoxb-…`), whatever the variable's name.
Placeholders with a credential's prefix are not flagged: `sk_live_xxxxxxxx`,
`sk_live_...`, `whsec_your_webhook_secret`, `sk_live_YourStripeSecretKeyHere`,
runs of one character, `123456…`. Stripe test keys (`sk_test_…`) are not live.

The message names the variable and the credential's prefix only, never the value.

## Why is this bad?
Example files are committed and copied by every developer and CI system; a live
key there is a leaked key. Rotate it at the provider, then put a placeholder in
the file.

## Examples
```dotenv flagged lines=2 path=.env.example
STRIPE_PUBLISHABLE_KEY=pk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8Tz
STRIPE_SECRET_KEY=sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n
```

```dotenv ok path=.env.example
STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_WEBHOOK_SECRET=whsec_your_webhook_secret
STRIPE_TEST_KEY=sk_test_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n
```

## Fix
None: rotate the key at the provider (it is public now), then replace the value
with a placeholder.
"#;

fn check(cx: &mut RuleContext<'_>, env: &DotenvFile) {
    if EnvFileKind::of_path(cx.file.path) != EnvFileKind::Example {
        return;
    }
    for e in &env.entries {
        let Some((kind, token)) = live_credential(&e.value) else {
            continue;
        };
        cx.report(
            e.value_range.clone(),
            format!(
                "`{}` in an example env file holds what looks like {} (`{}…`); example files are committed: rotate the key at the provider and put a placeholder here",
                e.key,
                lower_first(kind.describe()),
                prefix(token)
            ),
        );
    }
}

/// The first live-credential-shaped token of `value` that is not a placeholder.
fn live_credential(value: &str) -> Option<(CredentialKind, &str)> {
    TOKENS.iter().find_map(|(kind, re)| {
        if !is_live(*kind) {
            return None;
        }
        re.captures_iter(value).find_map(|c| {
            let token = c.get(1)?.as_str();
            let tail = token
                .rsplit_once(['_', '-'])
                .map_or(token, |(_, t)| t)
                .trim_end_matches('=');
            // AWS key ids are capitals and digits, which read as words.
            let wordy = *kind != CredentialKind::AwsAccessKey && made_of_words(tail);
            (!is_placeholder(token) && !wordy).then_some((*kind, token))
        })
    })
}

fn is_live(kind: CredentialKind) -> bool {
    kind.is_live_provider_key() || kind == CredentialKind::StripeWebhook
}

/// `A Stripe…` → `a Stripe…`.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// What the message may show of a credential: its public prefix (`sk_live_`,
/// `whsec_`, `AKIA`, `xoxb-`).
fn prefix(token: &str) -> &str {
    let head = &token[..token.len().min(11)];
    match head.rfind(['_', '-']) {
        Some(i) => &token[..=i],
        None => &token[..token.len().min(4)],
    }
}

#[cfg(test)]
mod tests {
    use super::prefix;
    use crate::rules::testing::*;

    const R: &str = "env-live-key-in-example";
    const LIVE: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n";

    #[test]
    fn flags_live_shapes_in_example_files() {
        let text = format!(
            "STRIPE_SECRET_KEY={LIVE}\nexport STRIPE_WEBHOOK_SECRET=\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\" # from the dashboard\nAWS_ACCESS_KEY_ID=AKIAQ3EGRT7XZPLM4K2N\nRESTRICTED=rk_live_51HqLyjWDarjtT1zdp7dcXYZ\nGH=ghp_16C7e42F292c6912E7710c838347Ae178B4a\n"
        );
        for path in [
            ".env.example",
            ".env.sample",
            ".env.local.example",
            ".env.production.example",
            "apps/web/.env.template",
        ] {
            let snippets = assert_flags(R, path, &text, 5);
            assert_eq!(snippets[0], LIVE);
        }
        let found = findings(R, ".env.example", &text);
        for d in &found {
            assert!(
                !d.message.contains("51HqLy") && !d.message.contains("MfKQ9"),
                "{}",
                d.message
            );
        }
        assert!(found[0].message.contains("`STRIPE_SECRET_KEY`"));
        assert!(found[0].message.contains("(`sk_live_…`)"));
    }

    #[test]
    fn near_miss_placeholders_with_a_credential_prefix() {
        assert_clean(
            R,
            ".env.example",
            "A=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\n\
             B=sk_live_...\n\
             C=whsec_your_webhook_secret\n\
             D=sk_live_YourStripeSecretKeyHere\n\
             E=sk_live_1234567890abcdefghij\n\
             F=whsec_0000000000000000000000000000\n\
             G=\n\
             H=<sk_live_key>\n",
        );
    }

    #[test]
    fn near_miss_test_keys_and_other_files() {
        assert_clean(
            R,
            ".env.example",
            "STRIPE_SECRET_KEY=sk_test_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n\n\
             # STRIPE_SECRET_KEY=sk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n\n\
             NEXT_PUBLIC_STRIPE_KEY=pk_live_51HqLyjWDarjtT1zdp7dcXYZ2Qm8Tz\n",
        );
        // a live key in a real env file is not this rule's concern
        for path in [".env", ".env.production", ".env.local"] {
            assert_clean(R, path, &format!("STRIPE_SECRET_KEY={LIVE}\n"));
        }
    }

    #[test]
    fn ranges_with_crlf_and_non_ascii() {
        let text = format!("# clé ☕ 🎉\r\nSTRIPE_SECRET_KEY='{LIVE}' # Zoë\r\n");
        let snippets = assert_flags(R, ".env.example", &text, 1);
        assert_eq!(snippets[0], format!("'{LIVE}'"));
    }

    #[test]
    fn prefixes() {
        assert_eq!(prefix(LIVE), "sk_live_");
        assert_eq!(prefix("whsec_abc"), "whsec_");
        assert_eq!(prefix("AKIAQ3EGRT7XZPLM4K2N"), "AKIA");
        assert_eq!(prefix("xoxb-123456-abcdefghijkl"), "xoxb-");
        assert_eq!(prefix("github_pat_11ABC"), "github_pat_");
    }
}
