//! Which names say "sensitive": credentials, personal data, whole user and
//! session objects. Names are split into words (`accessToken` → `access token`)
//! and judged by their last words, so `tokenCount`, `emailVerified` and
//! `passwordHash` are not sensitive while `refreshToken` and `userEmail` are.

use crate::ts::ast;

/// What a sensitive name holds (for the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sensitive {
    /// A password, secret, token, API key, `Authorization` value or cookie.
    Credential,
    /// An email address or phone number.
    Personal,
    /// A social security number or card data.
    Identity,
    /// A whole user or session object.
    Whole,
}

impl Sensitive {
    pub(super) fn what(self) -> &'static str {
        match self {
            Sensitive::Credential => "a credential",
            Sensitive::Personal => "personal data",
            Sensitive::Identity => "identity or card data",
            Sensitive::Whole => "a whole user or session object (personal data)",
        }
    }
}

/// Word sequences a sensitive name ends with.
const ENDINGS: &[(&[&str], Sensitive)] = &[
    (&["password"], Sensitive::Credential),
    (&["passwords"], Sensitive::Credential),
    (&["passwd"], Sensitive::Credential),
    (&["secret"], Sensitive::Credential),
    (&["secret", "key"], Sensitive::Credential),
    (&["token"], Sensitive::Credential),
    (&["authorization"], Sensitive::Credential),
    (&["cookie"], Sensitive::Credential),
    (&["cookies"], Sensitive::Credential),
    (&["api", "key"], Sensitive::Credential),
    (&["apikey"], Sensitive::Credential),
    (&["ssn"], Sensitive::Identity),
    (&["card", "number"], Sensitive::Identity),
    (&["cardnumber"], Sensitive::Identity),
    (&["cvv"], Sensitive::Identity),
    (&["email"], Sensitive::Personal),
    (&["email", "address"], Sensitive::Personal),
    (&["phone"], Sensitive::Personal),
    (&["phone", "number"], Sensitive::Personal),
    (&["user"], Sensitive::Whole),
    (&["session"], Sensitive::Whole),
];

/// First words that make a name a flag or a question about the value
/// (`hasPassword`, `isEmail`, `showToken`), not the value itself.
const FLAG_PREFIXES: &[&str] = &[
    "is", "has", "have", "should", "can", "needs", "need", "requires", "require", "with",
    "without", "show", "include", "includes", "missing", "valid", "invalid", "no", "use", "did",
    "will", "was", "allow", "enable", "enabled", "disable", "verify", "validate",
];

/// Words before `token` that make it a pagination or cancellation token, not a
/// credential (`nextToken`, `pageToken`, `cancellationToken`).
const HARMLESS_TOKENS: &[&str] = &[
    "next",
    "page",
    "continuation",
    "pagination",
    "cursor",
    "sync",
    "resume",
    "cancellation",
    "cancel",
    "previous",
    "prev",
    "start",
    "end",
    "max",
    "min",
];

/// `SCREAMING_SNAKE_CASE`: letters all upper case.
fn is_constant_case(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// What `name` holds when its words say it is sensitive.
pub(super) fn sensitive_name(name: &str) -> Option<Sensitive> {
    // cheap rejection before splitting into words
    let lower = name.to_ascii_lowercase();
    if ![
        "pass", "secret", "token", "auth", "cookie", "key", "ssn", "card", "cvv", "email", "phone",
        "user", "session",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return None;
    }
    let words = ast::name_words(name);
    if words.len() > 1 && FLAG_PREFIXES.contains(&words[0].as_str()) {
        return None;
    }
    let (ending, what) = ENDINGS
        .iter()
        .filter(|(end, _)| {
            words.len() >= end.len() && words[words.len() - end.len()..].iter().eq(end.iter())
        })
        .max_by_key(|(end, _)| end.len())?;
    // `CLOUD_CRM_EMAIL`, `SUPPORT_PHONE`: a constant or a setting of the
    // deployment (the company's own address), not a person's data. Secrets
    // stay sensitive whatever their case (`JWT_SECRET`).
    if *what == Sensitive::Personal && is_constant_case(name) {
        return None;
    }
    if *ending == ["token"] && words.len() > 1 {
        let before = words[words.len() - 2].as_str();
        if HARMLESS_TOKENS.contains(&before) {
            return None;
        }
    }
    Some(*what)
}

/// A call that masks, hashes or shortens what it is given (`mask(email)`,
/// `redactToken(t)`, `hash(password)`): its result is safe to log.
pub(super) fn is_masking_call_name(name: &str) -> bool {
    ast::name_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "mask"
                | "masked"
                | "redact"
                | "redacted"
                | "hash"
                | "hashed"
                | "sanitize"
                | "sanitized"
                | "obfuscate"
                | "obfuscated"
                | "truncate"
                | "truncated"
                | "censor"
                | "encrypt"
                | "encrypted"
                | "anonymize"
                | "anonymized"
                | "scrub"
                | "omit"
                | "pick"
                | "digest"
                | "fingerprint"
                | "partial"
                | "last4"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_endings() {
        for name in [
            "password",
            "userPassword",
            "passwd",
            "clientSecret",
            "WEBHOOK_SECRET",
            "token",
            "accessToken",
            "refresh_token",
            "authorization",
            "cookie",
            "apiKey",
            "API_KEY",
            "ssn",
            "cardNumber",
            "cvv",
            "email",
            "userEmail",
            "phoneNumber",
            "user",
            "currentUser",
            "session",
            "secretKey",
        ] {
            assert!(sensitive_name(name).is_some(), "{name}");
        }
        assert_eq!(sensitive_name("email"), Some(Sensitive::Personal));
        assert_eq!(sensitive_name("currentUser"), Some(Sensitive::Whole));
    }

    #[test]
    fn near_miss_names() {
        // measured: the company's own address in a setting
        assert_eq!(sensitive_name("CLOUD_CRM_EMAIL"), None);
        assert_eq!(sensitive_name("SUPPORT_PHONE"), None);
        assert_eq!(sensitive_name("JWT_SECRET"), Some(Sensitive::Credential));
        for name in [
            "tokenCount",
            "maxTokens",
            "tokens",
            "emailVerified",
            "passwordHash",
            "userId",
            "sessionId",
            "hasPassword",
            "isAuthenticated",
            "nextToken",
            "pageToken",
            "cancellationToken",
            "users",
            "username",
            "apiKeyId",
            "secretName",
            "emailSent",
            "tokenizer",
            "authorId",
            "keyboard",
        ] {
            assert_eq!(sensitive_name(name), None, "{name}");
        }
    }

    #[test]
    fn masking_calls() {
        assert!(is_masking_call_name("maskEmail"));
        assert!(is_masking_call_name("redact"));
        assert!(!is_masking_call_name("stringify"));
    }
}
