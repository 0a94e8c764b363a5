use super::DotenvRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::dotenv::{DotenvFile, EnvFileKind};
use crate::rules::secrets::{env_name_is_secret, is_placeholder, looks_random};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};

pub const RULE: DotenvRule = DotenvRule {
    meta: RuleMeta {
        id: "env-weak-secret",
        language: RuleLanguage::Dotenv,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A secret-named variable with a placeholder or weak value in a dotenv file",
        docs: DOCS,
        triggers: &[],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags a variable whose name says it holds a secret (`SECRET`, `PASSWORD`, `TOKEN`,
`PRIVATE`, `…_KEY`; not `PUBLIC`/`PUBLISHABLE` names, `NEXT_PUBLIC_*`, nor a
secret's attribute such as `JWT_SECRET_NAME` or `TOKEN_URL`) when its value is:
- a placeholder: `changeme`, `<GENERATE_ME>`, `xxxxx`, `your_…`, `replace…`,
  `sk-...`, `TODO`, six or more of the same character;
- a well-known weak value: `secret`, `password`, `admin`, `test`, `keyboard cat`…;
- shorter than 32 characters and not random-looking (a value of 16 or more
  characters with high entropy that is not made of words is accepted: some
  provider-issued secrets are that short).

An error in `.env.production*` / `.env.prod*` files, a warning in the others
(`.env`, `.env.local`, `.env.staging`…). Files whose placeholders are the
point are not checked: `.env.example`, `.env.sample`, `.env.template`,
`.env.dist`, `.env.defaults` (and `.env.production.example`…), as are the
test and development environments (`.env.test*`, `.env.development*`,
`.env.dev*`), whose throwaway values are by design. Empty values (unset) and
values built from other variables (`${OTHER}`) are not judged.

The message never repeats the value: it says what kind of value it is and how
long.

## Why is this bad?
A placeholder or dictionary value in a secret signs sessions and tokens with a
key anyone can guess; in a production file it is what the deployed app runs with.

## Examples
```dotenv flagged lines=1,2 path=.env.production
NEXTAUTH_SECRET=changeme
DB_PASSWORD=postgres
```

```dotenv flagged lines=2 path=.env
STRIPE_SECRET_KEY=sk_test_51HqLyjWDarjtT1zdp7dcXYZ2Qm8TzR2vKx9LpW4n
JWT_SECRET=your_jwt_secret
```

```dotenv ok path=.env.production
JWT_SECRET=Yc9rV2xq8LkP3zW7tN4mB6hD1fG5jS0aQ
NEXT_PUBLIC_SITE_KEY=changeme
SESSION_SECRET=
JWT_TOKEN_EXPIRES_IN=7d
DATABASE_PASSWORD=${POSTGRES_PASSWORD}
```

```dotenv ok path=.env.example
JWT_SECRET=changeme
```

## Fix
None: generate a secret (`openssl rand -base64 32`) and set it in the
environment, not in a committed file.
"#;

/// Values everyone tries first.
const WEAK_VALUES: &[&str] = &[
    "secret",
    "password",
    "passw0rd",
    "pass",
    "admin",
    "root",
    "test",
    "testing",
    "dev",
    "development",
    "default",
    "changeit",
    "letmein",
    "qwerty",
    "keyboard cat",
    "supersecret",
    "super-secret",
    "super_secret",
    "mysecret",
    "my-secret",
    "my_secret",
    "topsecret",
    "postgres",
    "mysql",
    "none",
    "null",
    "undefined",
    "foo",
    "bar",
    "foobar",
];

enum Weakness {
    Placeholder,
    WellKnown,
    Short(usize),
}

fn weakness(value: &str) -> Option<Weakness> {
    let lower = value.trim().to_ascii_lowercase();
    if is_placeholder(value) || lower == "todo" || lower.starts_with("generate") {
        return Some(Weakness::Placeholder);
    }
    if WEAK_VALUES.contains(&lower.as_str()) {
        return Some(Weakness::WellKnown);
    }
    let n = value.chars().count();
    (n < 32 && !looks_random(value)).then_some(Weakness::Short(n))
}

fn check(cx: &mut RuleContext<'_>, env: &DotenvFile) {
    let kind = EnvFileKind::of_path(cx.file.path);
    let level = match kind {
        EnvFileKind::Example | EnvFileKind::Test | EnvFileKind::Development => return,
        EnvFileKind::Production => Level::Error,
        EnvFileKind::Other => Level::Warn,
    };
    for e in &env.entries {
        if e.value.trim().is_empty() || e.expands() || !env_name_is_secret(&e.key) {
            continue;
        }
        let Some(weak) = weakness(&e.value) else {
            continue;
        };
        let what = match weak {
            Weakness::Placeholder => "a placeholder".to_string(),
            Weakness::WellKnown => "a well-known weak value".to_string(),
            Weakness::Short(n) => format!(
                "a guessable value of {n} character{}",
                if n == 1 { "" } else { "s" }
            ),
        };
        let place = if kind == EnvFileKind::Production {
            " in a production env file"
        } else {
            ""
        };
        cx.report(
            e.value_range.clone(),
            format!(
                "`{}` holds {what}{place}; set the real secret in the deployment's environment (one you choose: random, at least 32 characters, e.g. `openssl rand -base64 32`)",
                e.key
            ),
        )
        .with_level(level);
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const R: &str = "env-weak-secret";

    #[test]
    fn placeholders_weak_and_short_values_by_file_kind() {
        let text = "NEXTAUTH_SECRET=changeme\nJWT_SECRET=\"<GENERATE_A_SECRET>\"\nAPI_TOKEN=xxxxxxxxxxxx\nDB_PASSWORD=postgres\nSESSION_SECRET='dev-session-secret'\nOPENAI_API_KEY=sk-...\n";
        let found = findings(R, ".env.production", text);
        assert_eq!(
            snippet_levels(text, &found),
            vec![
                ("changeme".to_string(), Level::Error),
                ("\"<GENERATE_A_SECRET>\"".to_string(), Level::Error),
                ("xxxxxxxxxxxx".to_string(), Level::Error),
                ("postgres".to_string(), Level::Error),
                ("'dev-session-secret'".to_string(), Level::Error),
                ("sk-...".to_string(), Level::Error),
            ]
        );
        let found = findings(R, "apps/web/.env", text);
        assert_eq!(found.len(), 6);
        assert!(found.iter().all(|d| d.level == Level::Warn));
        assert_eq!(findings(R, ".env.local", text).len(), 6);
        assert_eq!(
            findings(R, ".env.production.local", text)[0].level,
            Level::Error
        );
    }

    #[test]
    fn messages_never_hold_the_value() {
        let text = "JWT_SECRET=hunter2hunter2\nADMIN_PASSWORD=changeme\n";
        for d in findings(R, ".env.production", text) {
            assert!(!d.message.contains("hunter2"), "{}", d.message);
            assert!(!d.message.contains("changeme"), "{}", d.message);
        }
        let found = findings(R, ".env.production", text);
        assert!(found[0]
            .message
            .contains("`JWT_SECRET` holds a guessable value of 14 characters"));
        assert!(found[1].message.contains("a placeholder"));
    }

    #[test]
    fn near_miss_example_test_and_development_files() {
        let text = "JWT_SECRET=changeme\nDB_PASSWORD=postgres\n";
        for path in [
            ".env.example",
            ".env.local.example",
            ".env.sample",
            ".env.template",
            ".env.production.example",
            ".env.test",
            ".env.development",
            ".env.dev",
        ] {
            assert_clean(R, path, text);
        }
    }

    #[test]
    fn near_miss_strong_empty_and_expanded_values() {
        assert_clean(
            R,
            ".env.production",
            "JWT_SECRET=Yc9rV2xq8LkP3zW7tN4mB6hD1fG5jS0aQ\n\
             CLOUDINARY_API_SECRET=q8N2vXr7Lk3PzW9tBv5Hj\n\
             SESSION_SECRET=\n\
             SESSION_SECRET_2=\"\"\n\
             DB_PASSWORD=${POSTGRES_PASSWORD}\n\
             ENCRYPTION_KEY=dGVzdC1lbmNyeXB0aW9uLWtleS1mb3ItZGV2ZWxvcG1lbnQ=\n\
             AUTH_SECRET=a long passphrase of many words that is 45 chars\n",
        );
    }

    #[test]
    fn near_miss_names_that_are_not_secrets() {
        assert_clean(
            R,
            ".env.production",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY=changeme\n\
             STRIPE_PUBLISHABLE_KEY=pk_test\n\
             JWT_SECRET_NAME=jwt\n\
             TOKEN_URL=https://auth.example.com/token\n\
             JWT_EXPIRES_IN=7d\n\
             POSTGRES_USER=postgres\n\
             PASSWORD_MIN_LENGTH=8\n\
             GOOGLE_CLIENT_ID=changeme\n\
             # JWT_SECRET=changeme\n",
        );
    }

    #[test]
    fn multi_line_quoted_value_and_crlf_ranges() {
        let text = "# café ☕\r\nPRIVATE_KEY=\"-----BEGIN-----\r\nxxxxxxxx\r\n-----END-----\"\r\nAPI_SECRET=\"Zoë🎉\" # comment\r\n";
        let found = findings(R, ".env", text);
        let snippets: Vec<&str> = found.iter().map(|d| &text[d.range.clone()]).collect();
        assert_eq!(
            snippets,
            vec![
                "\"-----BEGIN-----\r\nxxxxxxxx\r\n-----END-----\"",
                "\"Zoë🎉\""
            ]
        );
    }

    #[test]
    fn configured_level_overrides() {
        let c = with_rule_options(config_only(R), R, "level = \"info\"");
        let found = findings_in(R, ".env.production", "JWT_SECRET=changeme\n", &c);
        assert_eq!(found[0].level, Level::Info);
    }
}
