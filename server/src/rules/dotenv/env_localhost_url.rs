use super::DotenvRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::dotenv::{DotenvFile, EnvFileKind};
use crate::rules::urls::local_url;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};

pub const RULE: DotenvRule = DotenvRule {
    meta: RuleMeta {
        id: "env-localhost-url",
        language: RuleLanguage::Dotenv,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A localhost URL in a production env file",
        docs: DOCS,
        triggers: &[],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In `.env.production*` / `.env.prod*` files (not `.env.production.example`),
flags URLs whose host is the local machine: `localhost` (and `*.localhost`),
`127.0.0.1` (any `127.x.y.z`), `[::1]` and `0.0.0.0`, with any scheme
(`http://localhost:3000`, `postgres://user:pw@127.0.0.1:5432/db`,
`redis://localhost:6379`), also inside a longer value. Only URLs (`scheme://`)
are flagged: a bare `HOST=127.0.0.1` or `HOSTNAME=0.0.0.0` is a bind address,
which is where a server behind a proxy should listen. The message names the
variable, not the URL (it may hold a password).

## Why is this bad?
In production, `localhost` is the container or function itself: callbacks,
OAuth redirect URLs, webhooks and links in emails point nowhere, and a database
URL on `localhost` connects to nothing (or to the wrong thing). It usually means
a development value was copied into the production file.

## Examples
```dotenv flagged lines=1,2 path=.env.production
NEXTAUTH_URL=http://localhost:3000
DATABASE_URL=postgres://app:pw@127.0.0.1:5432/app
```

```dotenv ok path=.env.production
NEXTAUTH_URL=https://app.example.com
HOST=127.0.0.1
# NEXT_PUBLIC_API_URL=http://localhost:4000
```

```dotenv ok path=.env.development
NEXTAUTH_URL=http://localhost:3000
```

## Fix
None: set the deployed URL (or the service's host name on the private network).
"#;

fn check(cx: &mut RuleContext<'_>, env: &DotenvFile) {
    if EnvFileKind::of_path(cx.file.path) != EnvFileKind::Production {
        return;
    }
    for e in &env.entries {
        let Some(url) = local_url(&e.value) else {
            continue;
        };
        // The URL's place in the file when the value is written as loaded
        // (no `\n` escapes before it), else the whole value.
        let range = if e.value == cx.source[e.inner_range.clone()] {
            e.inner_range.start + url.start..e.inner_range.start + url.end
        } else {
            e.value_range.clone()
        };
        cx.report(
            range,
            format!(
                "`{}` points at the local machine in a production env file; set the deployed URL (or the service's host on the private network)",
                e.key
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;
    use crate::rules::urls::local_url;

    const R: &str = "env-localhost-url";

    #[test]
    fn flags_local_urls_in_production_files() {
        let text = "NEXTAUTH_URL=http://localhost:3000\n\
                    DATABASE_URL=\"postgres://app:s3cret@127.0.0.1:5432/app?sslmode=disable\"\n\
                    REDIS_URL=redis://[::1]:6379\n\
                    CALLBACKS=https://app.example.com,http://api.localhost/cb\n\
                    export API=http://0.0.0.0:8080\n";
        let snippets = assert_flags(R, ".env.production", text, 5);
        assert_eq!(
            snippets,
            vec![
                "http://localhost:3000",
                "postgres://app:s3cret@127.0.0.1:5432",
                "redis://[::1]:6379",
                "http://api.localhost",
                "http://0.0.0.0:8080"
            ]
        );
        assert_flags(R, ".env.production.local", text, 5);
        assert_flags(R, ".env.prod", text, 5);
        let found = findings(R, ".env.production", text);
        assert!(!found[1].message.contains("s3cret"));
        assert!(found[1]
            .message
            .starts_with("`DATABASE_URL` points at the local machine"));
    }

    #[test]
    fn near_miss_other_files() {
        let text = "NEXTAUTH_URL=http://localhost:3000\n";
        for path in [
            ".env",
            ".env.local",
            ".env.development",
            ".env.production.example",
            ".env.test",
        ] {
            assert_clean(R, path, text);
        }
    }

    #[test]
    fn near_miss_bind_addresses_comments_and_lookalikes() {
        assert_clean(
            R,
            ".env.production",
            "HOST=127.0.0.1\n\
             HOSTNAME=0.0.0.0\n\
             # NEXT_PUBLIC_API_URL=http://localhost:4000\n\
             API_URL=https://localhost-proxy.example.com\n\
             DOCS=https://example.com/?redirect=http%3A%2F%2Flocalhost\n\
             CDN=https://127.0.0.1.nip.io.example.com\n\
             NOTE=see localhost\n",
        );
    }

    #[test]
    fn ranges_with_crlf_and_non_ascii() {
        let text = "# café ☕ 🎉\r\nAPP_URL='http://localhost:3000/zoë' # dev 🎉\r\n";
        let snippets = assert_flags(R, ".env.production", text, 1);
        assert_eq!(snippets, vec!["http://localhost:3000"]);
    }

    #[test]
    fn url_parts() {
        assert_eq!(local_url("x http://LOCALHOST"), Some(2..18));
        assert_eq!(local_url("http://127.0.0.300.example.com"), None);
        assert_eq!(local_url("://localhost"), None);
    }
}
