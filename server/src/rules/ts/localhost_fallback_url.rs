use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::urls::local_url;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::{self, KindExt};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "localhost-fallback-url",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: true,
        summary: "A URL from the environment falls back to localhost, or a localhost base URL is hard-coded, in server code",
        docs: DOCS,
        // Every host `urls::local_url` accepts: `localhost`, `127.x.y.z`, `[::1]`, `0.0.0.0`.
        triggers: &["localhost", "127.", "[::1]", "0.0.0.0"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &[
        kind::BINARY_EXPRESSION,
        kind::OBJECT_ASSIGNMENT_PATTERN,
        kind::VARIABLE_DECLARATOR,
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags, in server code:
- an environment read that falls back to a local URL:
  `process.env.APP_URL || 'http://localhost:3000'`, `?? …`, a destructuring
  default (`const { API_URL = 'http://127.0.0.1:4000' } = process.env`),
  `Deno.env.get('X') || …`, and `env.X` / `env('X')` of a validated env
  module; the fallback may be a template or a `+` (`` `http://localhost:${port}` ``);
- a hard-coded local base URL: a top-level `const` named like a base URL
  (`…_URL`, `…Url`, `…Origin`, `…Base`, `…Endpoint`) whose whole value is a
  local URL with a port (`const API_BASE_URL = 'http://localhost:4000'`).

Local means `localhost` (and `*.localhost`), `127.x.y.z`, `[::1]` and `0.0.0.0`.

Not flagged: code that only runs in development (`if (process.env.NODE_ENV
=== 'development')`, the dev side of a ternary), `'use client'` files, test-like
paths (tests, e2e, scripts, seeds, Playwright/Vitest/Jest configs), config files
of dev tools (`*.config.*` other than `next.config.*`), hard-coded URLs in `examples/`
folders,
fallbacks of values that are not environment reads (`options.baseUrl ||
'http://localhost:11434'`: a documented local default), `http://localhost`
without a port (the usual base for parsing relative URLs), URLs inside longer
strings, arrays (CORS allow-lists) and function parameter defaults.

## Why is this bad?
When the variable is missing in production (a new environment, a typo, a
preview deploy) the app does not fail: it builds email links, OAuth callbacks,
webhooks and server-to-server requests for `localhost`, which points at the
server itself. Users get dead links and the error shows up far from its cause.

## Examples
```ts flagged lines=1
const appUrl = process.env.APP_URL || 'http://localhost:3000';
```

```ts flagged lines=1
export const API_BASE_URL = 'http://127.0.0.1:4000/api';
```

```ts ok
const appUrl = process.env.NODE_ENV === 'development' ? 'http://localhost:3000' : process.env.APP_URL;
const ollama = options.baseUrl || 'http://localhost:11434';
const url = new URL(path, 'http://localhost');
```

## Fix
None: read the variable without a fallback and fail at startup when it is
missing (a validated env schema), or derive the URL from the request.
"#;

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.source;
    let Some((fallback, env_name)) = finding(node, src) else {
        return;
    };
    if skipped_path(&cx.project_path(), env_name.is_none())
        || env_name.as_deref().is_some_and(names_a_test_setting)
        || in_ui_text(node, src)
        || ast::in_dev_only_code(node, src)
        || is_client_file(node, src)
    {
        return;
    }
    let message = match env_name {
        Some(name) => format!(
            "`{name}` falls back to a localhost URL when unset: in production links, callbacks and requests would point at the server itself; require the variable instead (fail at startup when it is missing)"
        ),
        None => "A hard-coded localhost base URL in server code: in production it points at the server itself; read the URL from the environment (and fail at startup when it is missing)".to_string(),
    };
    cx.report(fallback.byte_range(), message);
}

/// The local URL node and, for an env fallback, the variable's name.
fn finding<'t>(node: Node<'t>, src: &str) -> Option<(Node<'t>, Option<String>)> {
    match node.kind_name() {
        "binary_expression" => {
            let op = node.field(Field::Operator).map(|o| ast::text(o, src))?;
            if op != "||" && op != "??" {
                return None;
            }
            let right = ast::unwrap_expr(node.field(Field::Right)?);
            let name = env_read(node.field(Field::Left)?, src)?;
            local_literal(right, src, true).then_some((right, Some(name)))
        }
        "object_assignment_pattern" => {
            let left = node.field(Field::Left)?;
            let right = ast::unwrap_expr(node.field(Field::Right)?);
            let from_env = node
                .parent()
                .filter(|p| p.kind_name() == "object_pattern")
                .and_then(|p| p.parent())
                .filter(|d| d.kind_name() == "variable_declarator")
                .and_then(|d| d.field(Field::Value))
                .and_then(|v| ast::member_path(ast::unwrap_expr(v), src))
                .is_some_and(|p| p == "process.env");
            (from_env && local_literal(right, src, true))
                .then(|| (right, Some(ast::text(left, src).to_string())))
        }
        "variable_declarator" => {
            // A top-level `const NAME = 'http://localhost:4000'`: the value
            // first (cheap), the declaration's place last (ancestors).
            let name = node.field(Field::Name)?;
            let value = ast::unwrap_expr(node.field(Field::Value)?);
            if name.kind_name() != "identifier" || !local_literal(value, src, false) {
                return None;
            }
            let words = ast::name_words(ast::text(name, src));
            let base_like = words.last().is_some_and(|w| {
                matches!(w.as_str(), "url" | "uri" | "origin" | "base" | "endpoint")
            });
            let decl = node.parent()?;
            let at_top = decl.kind_name() == "lexical_declaration"
                && ast::text(decl, src).starts_with("const")
                && decl.parent().is_some_and(|p| {
                    p.kind_name() == "program"
                        || (p.kind_name() == "export_statement"
                            && p.parent().is_some_and(|g| g.kind_name() == "program"))
                });
            (base_like && at_top).then_some((value, None))
        }
        _ => None,
    }
}

/// The env variable `expr` reads: `process.env.X` (also `?.trim()`d),
/// `Deno.env.get('X')`, `env.X`, `env('X')`.
fn env_read(expr: Node<'_>, src: &str) -> Option<String> {
    let mut e = ast::unwrap_expr(expr);
    // `process.env.X?.trim()`, `process.env.X.replace(/\/$/, '')`
    for _ in 0..3 {
        if e.kind_name() != "call_expression" {
            break;
        }
        let callee = e.field(Field::Function)?;
        let path = ast::member_path(callee, src);
        match path.as_deref() {
            Some("Deno.env.get") | Some("env") => {
                let arg = ast::call_arguments(e).first().copied()?;
                return ast::string_value(arg, src);
            }
            _ if callee.kind_name() == "member_expression" => {
                e = ast::unwrap_expr(callee.field(Field::Object)?);
            }
            _ => return None,
        }
    }
    let path = ast::member_path(e, src)?;
    let name = path
        .strip_prefix("process.env.")
        .or_else(|| path.strip_prefix("env."))?;
    (!name.is_empty() && !name.contains('.')).then(|| name.to_string())
}

/// A string, template or `'…' + x` (in a fallback) whose whole text is a
/// local URL with a port (`http://localhost` alone is the usual base for
/// parsing relative URLs). A template's `${…}` counts as a port digit; a
/// string ending in `:` before a `+` has its port added.
fn local_literal(node: Node<'_>, src: &str, fallback: bool) -> bool {
    let node = ast::unwrap_expr(node);
    let (text, concatenated) = match node.kind_name() {
        "string" => match ast::string_value(node, src) {
            Some(t) => (t, false),
            None => return false,
        },
        "template_string" => {
            let mut t = String::new();
            let mut c = node.walk();
            for part in node.named_children(&mut c) {
                match part.kind_name() {
                    "string_fragment" => t.push_str(ast::text(part, src)),
                    "template_substitution" => t.push('0'),
                    _ => {}
                }
            }
            (t, false)
        }
        "binary_expression"
            if fallback && node.field(Field::Operator).map(|o| ast::text(o, src)) == Some("+") =>
        {
            match node.field(Field::Left).map(ast::unwrap_expr) {
                Some(l) if l.kind_name() == "string" => match ast::string_value(l, src) {
                    Some(t) => (t, true),
                    None => return false,
                },
                _ => return false,
            }
        }
        _ => return false,
    };
    let Some(url) = local_url(&text) else {
        return false;
    };
    if url.start != 0 || text[url.end..].contains(char::is_whitespace) {
        return false;
    }
    let port = text[..url.end].rsplit_once(':').map_or("", |(_, p)| p);
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
        || (concatenated && port.is_empty() && url.end == text.len())
}

/// Test-like paths are the engine's (`not_in_tests`); besides: config files of
/// dev tools, load tests, React components outside the App Router's server
/// components (`components/`, Pages Router pages), and for hard-coded URLs
/// example folders (API usage samples call a local server on purpose).
fn skipped_path(path: &str, hard_coded: bool) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let dev_config = file.contains(".config.") && !file.starts_with("next.config.");
    let segments: Vec<&str> = path.split('/').collect();
    let component = (file.ends_with(".tsx") || file.ends_with(".jsx"))
        && (segments.contains(&"components")
            || (segments.contains(&"pages") && !segments.contains(&"api")));
    dev_config
        || component
        || (hard_coded
            && segments
                .iter()
                .any(|s| matches!(*s, "examples" | "example")))
        || segments.iter().any(|seg| {
            matches!(
                *seg,
                "test-helpers"
                    | ".storybook"
                    | "performance-test"
                    | "load-test"
                    | "loadtest"
                    | "k6"
                    | "benchmark"
                    | "benchmarks"
                    | "bench"
            )
        })
}

/// `TEST_DATABASE_URL`, `E2E_API_URL`: settings of the test environment.
fn names_a_test_setting(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower
        .split(['_', '-'])
        .chain(ast::name_words(name).iter().map(String::as_str))
        .any(|w| matches!(w, "test" | "tests" | "e2e"))
}

/// The value of a form field's `placeholder` / `example` / `description`:
/// text shown to a person, not a URL the server uses.
fn in_ui_text(node: Node<'_>, src: &str) -> bool {
    let root = ast::value_root(node);
    root.parent()
        .filter(|p| p.kind_name() == "pair")
        .and_then(|p| p.field(Field::Key))
        .is_some_and(|k| {
            matches!(
                ast::text(k, src).trim_matches(['"', '\'']),
                "placeholder" | "example" | "description" | "hint" | "label"
            )
        })
}

fn is_client_file(node: Node<'_>, src: &str) -> bool {
    ast::directives(ast::root_of(node), src)
        .iter()
        .any(|(_, d)| d == "use client")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "localhost-fallback-url";

    #[test]
    fn flags_env_fallbacks_to_localhost() {
        let text = "const appUrl = process.env.APP_URL || 'http://localhost:3000';\n\
                    const api = process.env.API_URL ?? \"http://127.0.0.1:4000/api\";\n\
                    const web = env.WEBAPP_URL?.trim() || 'http://localhost:3000';\n\
                    const hook = Deno.env.get('HOOK_URL') || 'http://localhost:54321';\n\
                    const base = process.env.BASE_URL || `http://localhost:${process.env.PORT || 3000}`;\n\
                    const app = process.env.APP_URL || 'http://127.0.0.1:' + process.env.PORT;\n\
                    const { CALLBACK_URL = 'http://localhost:3000/cb' } = process.env;\n\
                    const site = env('NEXT_PUBLIC_SITE_URL') ?? 'http://localhost:3000';\n";
        let found = assert_flags(R, "src/config/urls.ts", text, 8);
        assert_eq!(found[0], "'http://localhost:3000'");
        let d = findings(R, "src/config/urls.ts", text);
        assert!(d[0]
            .message
            .starts_with("`APP_URL` falls back to a localhost URL"));
        assert!(d[6].message.starts_with("`CALLBACK_URL`"));
    }

    #[test]
    fn flags_hard_coded_base_urls_at_the_top() {
        let text = "export const API_BASE_URL = 'http://localhost:4000/api';\nconst authOrigin = \"http://127.0.0.1:8080\";\n";
        assert_flags(R, "src/lib/api.ts", text, 2);
    }

    #[test]
    fn near_miss_dev_only_code() {
        assert_clean(
            R,
            "src/config.ts",
            "const appUrl = process.env.NODE_ENV === 'development' ? 'http://localhost:3000' : process.env.APP_URL;\n\
             if (process.env.NODE_ENV !== 'production') { origin = process.env.ORIGIN || 'http://localhost:3000'; }\n",
        );
    }

    #[test]
    fn near_miss_non_env_fallbacks_and_other_shapes() {
        assert_clean(
            R,
            "src/ollama.ts",
            "const host = options.baseUrl || 'http://localhost:11434';\n\
             const url = new URL(path, 'http://localhost');\n\
             const allowed = [process.env.APP_URL, 'http://localhost:3000'];\n\
             const link = process.env.APP_URL || 'see http://localhost:3000 for the docs';\n\
             const prod = process.env.APP_URL || 'https://app.example.com';\n\
             function mail(assetBaseUrl = 'http://localhost:3002') {}\n\
             const RELATIVE_URL_BASE = 'http://localhost';\n\
             const isLocal = origin === 'http://localhost:3000';\n\
             export function f() { const baseUrl = 'http://localhost:3000'; }\n\
             let API_URL = 'http://localhost:3000';\n\
             const REDIS_HOST = process.env.REDIS_HOST || 'localhost';\n",
        );
    }

    #[test]
    fn near_miss_client_tests_configs_and_examples() {
        let text = "const appUrl = process.env.APP_URL || 'http://localhost:3000';\n";
        assert_clean(
            R,
            "src/components/nav.tsx",
            &format!("'use client'\n{text}"),
        );
        for path in [
            "tests/helpers.ts",
            "e2e/lib.ts",
            "scripts/seed.ts",
            "playwright.config.ts",
            "vite.config.ts",
            "drizzle.config.ts",
            "packages/test-helpers/src/mailpit.ts",
        ] {
            assert_clean(R, path, text);
        }
        assert_flags(R, "next.config.mjs", text, 1);
        // API usage samples call a local server on purpose
        assert_clean(
            R,
            "packages/api/examples/01-create.ts",
            "const API_BASE_URL = 'http://localhost:3000/api/v1';\n",
        );
    }

    #[test]
    fn near_miss_test_settings_ui_text_components_load_tests_and_vercel_env() {
        assert_clean(
            R,
            "apps/web/integration/setup.ts",
            "const db = process.env.TEST_DATABASE_URL || 'postgres://localhost:5432/test';\n\
             const api = process.env.E2E_API_URL ?? 'http://localhost:3333';\n\
             export const node = { inputs: [{ name: 'url', placeholder: process.env.UNSTRUCTURED_URL || 'http://localhost:8000/general' }] };\n\
             export const APP_DOMAIN = process.env.NEXT_PUBLIC_VERCEL_ENV === 'production' ? 'https://app.example.com' : process.env.NEXT_PUBLIC_NGROK_URL || 'http://localhost:8888';\n",
        );
        let text =
            "const metricsUrl = process.env.NEXT_PUBLIC_METRICS_URL || 'http://localhost:4500';\n";
        for path in [
            "apps/web/components/monitoring.tsx",
            "apps/web/pages/dashboard/monitoring.tsx",
            "performance-test/k6/sso-load-test.js",
        ] {
            assert_clean(R, path, text);
        }
        // an App Router server component and a Pages Router API route are server code
        assert_flags(R, "apps/web/app/layout.tsx", text, 1);
        assert_flags(R, "apps/web/pages/api/metrics.tsx", text, 1);
    }

    #[test]
    fn every_local_host_passes_the_prefilter() {
        let text = "const a = process.env.A_URL || 'http://127.0.1.1:3000';\nconst b = process.env.B_URL || 'http://[::1]:3000';\nconst c = process.env.C_URL || 'http://0.0.0.0:3000';\n";
        assert_flags(R, "src/a.ts", text, 3);
    }

    #[test]
    fn ranges_with_emoji_accents_and_crlf() {
        let text = "// café ☕ 🎉\r\nconst label = 'Zoë 🎉'; const appUrl = process.env.APP_URL || 'http://localhost:3000';\r\n";
        let found = assert_flags(R, "src/a.ts", text, 1);
        assert_eq!(found, vec!["'http://localhost:3000'"]);
    }
}
