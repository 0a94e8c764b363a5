//! What the secret rules share (`hardcoded-secret`, `secret-fallback`, the dotenv
//! rules): which names say a secret, provider credential shapes, placeholders and
//! random-looking values. Text only: no syntax tree.

use crate::ts::ast;
use regex::Regex;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CredentialKind {
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

impl CredentialKind {
    /// A provider-format live key: a leak wherever it is written, test files and
    /// comments saying otherwise included.
    pub(crate) fn is_live_provider_key(self) -> bool {
        matches!(
            self,
            CredentialKind::StripeSecret
                | CredentialKind::StripeRestricted
                | CredentialKind::AwsAccessKey
                | CredentialKind::PrivateKey
                | CredentialKind::Slack
                | CredentialKind::GitHub
        )
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            CredentialKind::StripeSecret => "A Stripe live secret key",
            CredentialKind::StripeRestricted => "A Stripe live restricted key",
            CredentialKind::StripeWebhook => "A Stripe webhook signing secret",
            CredentialKind::StripeTest => "A Stripe test secret key",
            CredentialKind::AwsAccessKey => "An AWS access key id",
            CredentialKind::PrivateKey => "A private key",
            CredentialKind::Slack => "A Slack token",
            CredentialKind::GitHub => "A GitHub token",
            CredentialKind::ServiceRoleJwt => {
                "A Supabase service_role key (it bypasses row-level security)"
            }
            CredentialKind::Named => "A secret-named value that looks random",
        }
    }

    pub(crate) fn default_env_name(self) -> &'static str {
        match self {
            CredentialKind::StripeSecret | CredentialKind::StripeTest => "STRIPE_SECRET_KEY",
            CredentialKind::StripeRestricted => "STRIPE_RESTRICTED_KEY",
            CredentialKind::StripeWebhook => "STRIPE_WEBHOOK_SECRET",
            CredentialKind::AwsAccessKey => "AWS_ACCESS_KEY_ID",
            CredentialKind::PrivateKey => "PRIVATE_KEY",
            CredentialKind::Slack => "SLACK_TOKEN",
            CredentialKind::GitHub => "GITHUB_TOKEN",
            CredentialKind::ServiceRoleJwt => "SUPABASE_SERVICE_ROLE_KEY",
            CredentialKind::Named => "SECRET",
        }
    }
}

/// Credential shapes: (kind, pattern). Group 1 is the credential; the pattern
/// starts at a non-word character (or the start) so that `xsk_live_` is not one.
pub(crate) static TOKENS: LazyLock<Vec<(CredentialKind, Regex)>> = LazyLock::new(|| {
    let re = |s: &str| Regex::new(s).expect("credential pattern compiles");
    vec![
        (
            CredentialKind::StripeSecret,
            re(r"(?:^|[^A-Za-z0-9_])(sk_live_[0-9A-Za-z]{16,})"),
        ),
        (
            CredentialKind::StripeRestricted,
            re(r"(?:^|[^A-Za-z0-9_])(rk_live_[0-9A-Za-z]{16,})"),
        ),
        (
            CredentialKind::StripeWebhook,
            re(r"(?:^|[^A-Za-z0-9_])(whsec_[0-9A-Za-z+/=]{24,})"),
        ),
        (
            CredentialKind::StripeTest,
            re(r"(?:^|[^A-Za-z0-9_])(sk_test_[0-9A-Za-z]{16,})"),
        ),
        (
            CredentialKind::AwsAccessKey,
            re(r"(?:^|[^A-Za-z0-9])(AKIA[0-9A-Z]{16})(?:[^A-Za-z0-9]|$)"),
        ),
        (
            CredentialKind::Slack,
            re(r"(?:^|[^A-Za-z0-9_])(xox[abpr]-[0-9]{6,}-[0-9A-Za-z-]{10,})"),
        ),
        (
            CredentialKind::GitHub,
            re(r"(?:^|[^A-Za-z0-9_])(gh[po]_[A-Za-z0-9]{30,})"),
        ),
        (
            CredentialKind::GitHub,
            re(r"(?:^|[^A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{40,})"),
        ),
        (
            CredentialKind::ServiceRoleJwt,
            re(
                r"(?:^|[^A-Za-z0-9_.-])(eyJ[A-Za-z0-9_-]{5,}\.(eyJ[A-Za-z0-9_-]{5,})\.[A-Za-z0-9_-]{10,})",
            ),
        ),
    ]
});

pub(crate) static PRIVATE_KEY_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----").expect("pattern compiles")
});

const NOT_PASS: &[&str] = &[
    "bypass",
    "compass",
    "surpass",
    "overpass",
    "underpass",
    "trespass",
    "encompass",
];
const NOT_KEY: &[&str] = &[
    "monkey", "turnkey", "hockey", "jockey", "donkey", "whiskey", "turkey",
];

/// An env name that says it is public on purpose (`NEXT_PUBLIC_…`,
/// `PUBLISHABLE`): shipped to browsers, never a secret.
pub(crate) fn env_name_is_public(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PUBLIC", "PUBLISHABLE"].iter().any(|w| upper.contains(w))
}

/// Words that make an env name a secret, and words that make it something else.
pub(crate) fn env_name_is_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if ["PUBLIC", "PUBLISHABLE", "EXPIRES"]
        .iter()
        .any(|w| upper.contains(w))
    {
        return false;
    }
    let words = ast::name_words(name);
    const NOT_SECRET_WORDS: &[&str] = &[
        "url",
        "uri",
        "id",
        "ids",
        "expiry",
        "expiration",
        "expire",
        "ttl",
        "lifetime",
    ];
    if words.iter().any(|w| NOT_SECRET_WORDS.contains(&w.as_str())) {
        return false;
    }
    // A secret's attribute rather than the secret: `JWT_SECRET_NAME`, `CSRF_TOKEN_HEADER`.
    const ATTRIBUTE_WORDS: &[&str] = &[
        "name",
        "header",
        "path",
        "file",
        "algorithm",
        "alg",
        "issuer",
        "audience",
        "length",
        "rounds",
        "host",
        "port",
        "user",
        "username",
        "prefix",
        "type",
        "mode",
        "count",
        "limit",
        "timeout",
        "enabled",
        "region",
        "version",
        "dir",
        "field",
        "param",
        "cookie",
    ];
    if words
        .last()
        .is_some_and(|w| ATTRIBUTE_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    words.iter().any(|w| {
        w.contains("secret")
            || w.contains("password")
            || w.contains("passwd")
            || w.contains("passphrase")
            || w.contains("token")
            || w.contains("private")
            || (w.ends_with("pass") && !NOT_PASS.contains(&w.as_str()))
            || w == "pwd"
            || w == "keys"
            || (w.ends_with("key") && !NOT_KEY.contains(&w.as_str()))
    })
}

/// Obvious stand-ins for a credential.
pub(crate) fn is_placeholder(value: &str) -> bool {
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

/// At least 16 characters, no blanks, not a URL or path, not made of words
/// (`app.auth.refreshToken`, `STRIPE_SECRET_KEY`, `my-long-passphrase`), not a
/// placeholder, and a Shannon entropy of at least 3 bits per character.
pub(crate) fn looks_random(value: &str) -> bool {
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
pub(crate) fn made_of_words(value: &str) -> bool {
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

pub(crate) fn shannon_entropy(chars: &[char]) -> f64 {
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
