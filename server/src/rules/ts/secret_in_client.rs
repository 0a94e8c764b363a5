//! `secret-in-client`: server-only secrets on the client side of the boundary.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::client_boundary::{is_public_env, is_server_secret, names_secret};
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::{self, KindExt};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "secret-in-client",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Error,
        fix: FixKind::None,
        not_in_tests: false,
        summary:
            "A server-only secret is read in client code, or a secret is given a public env name",
        docs: DOCS,
        // A client module, or a name with a browser-exposed prefix.
        triggers: &["use client", "PUBLIC_", "VITE_", "REACT_APP_"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &[
        kind::MEMBER_EXPRESSION,
        kind::SUBSCRIPT_EXPRESSION,
        kind::IMPORT_STATEMENT,
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags three ways a server secret ends up on the client side:
- an env name with a browser-exposed prefix (`NEXT_PUBLIC_`, `VITE_`, `PUBLIC_`,
  `EXPO_PUBLIC_`, `NUXT_PUBLIC_`, `REACT_APP_`) that says it holds a secret
  (`SECRET`, `SERVICE_ROLE`, a `PRIVATE` key or token), read anywhere;
- a server-only secret (`SUPABASE_SERVICE_ROLE_KEY`, `STRIPE_SECRET_KEY`, any
  `…_SECRET`, `…_PRIVATE_KEY`) read from `process.env` / `import.meta.env` in a
  `'use client'` module;
- an import in a `'use client'` module of a workspace module that reads such a
  secret, itself or through its own imports (a workspace fact: every script's
  imports and secret reads, relative paths and the `@/` / `~/` aliases resolved).
  The finding is at the import, and names the secret and the module that reads it.

Public keys are not secrets: `NEXT_PUBLIC_SUPABASE_ANON_KEY`,
`NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY`. Imports of `'use server'` modules (server
actions: the client only gets references), of modules that `import 'server-only'`
(the build fails instead), type-only imports and other `'use client'` modules (judged
in their own file) are not findings.

## Why is this bad?
Whatever a client module needs is shipped to every visitor's browser. A variable
with a public prefix is inlined into the bundle as text; a service-role key there
bypasses row level security for anyone who opens the dev tools, a Stripe secret key
moves money. A server-only variable read in client code is `undefined` in the
browser, and the usual "fix" is to add the public prefix.

## Examples
```tsx flagged lines=3,6
'use client';
import { createClient } from '@supabase/supabase-js';
const admin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!);

export function Checkout() {
  const key = process.env.STRIPE_SECRET_KEY;
  return <button onClick={() => pay(key)}>Pay</button>;
}
```

```tsx ok
'use client';
import { createClient } from '@supabase/supabase-js';
import { startCheckout } from './actions';
const supabase = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!);
const stripeKey = process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY;
```

```ts ok path=app/api/checkout/route.ts
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
```

## Fix
None: move the code that needs the secret to the server (a route handler, a server
action, a server component) and rename a public-prefixed secret (then rotate it: it
has been shipped).
"#;

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if node.kind_name() == kind::IMPORT_STATEMENT {
        check_import(cx, node);
        return;
    }
    let src = cx.source;
    let Some(name) = env_name(node, src) else {
        return;
    };
    if is_public_env(&name) && names_secret(&name) {
        cx.report(
            node.byte_range(),
            format!(
                "`{name}` has a browser-exposed prefix but names a secret: it is inlined into the client bundle; give it a server-only name, read it on the server, and rotate it"
            ),
        );
        return;
    }
    if is_server_secret(&name) && is_client_module(cx, node) {
        cx.report(
            node.byte_range(),
            format!(
                "`{name}` is a server-only secret read in a `'use client'` module; read it in a route handler, server action or server component instead"
            ),
        );
    }
}

/// `process.env.NAME`, `process.env['NAME']`, `import.meta.env.NAME` → `NAME`.
fn env_name(node: Node<'_>, src: &str) -> Option<String> {
    let object = node.field(Field::Object)?;
    let env: String = ast::text(object, src)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if env != "process.env" && env != "import.meta.env" {
        return None;
    }
    match node.kind_name() {
        kind::MEMBER_EXPRESSION => {
            let prop = node.field(Field::Property)?;
            (prop.kind_name() == kind::PROPERTY_IDENTIFIER)
                .then(|| ast::text(prop, src).to_string())
        }
        _ => ast::string_value(node.field(Field::Index)?, src),
    }
}

/// The file starts with the `'use client'` directive.
fn is_client_module(cx: &RuleContext<'_>, at: Node<'_>) -> bool {
    let program = cx.script().program(at);
    let src = cx.source;
    *cx.memo(|| {
        ClientModule(
            ast::directives(program, src)
                .iter()
                .any(|(_, d)| d == "use client"),
        )
    })
    .as_ref()
        == ClientModule(true)
}

#[derive(PartialEq)]
struct ClientModule(bool);

/// `import { stripe } from '@/lib/stripe'` in a client module, when that module
/// reads (or imports something that reads) a server secret.
fn check_import(cx: &mut RuleContext<'_>, import: Node<'_>) {
    let src = cx.source;
    if ast::has_token_child(import, "type") || only_types(import, src) {
        return;
    }
    let Some(source) = import.field(Field::Source) else {
        return;
    };
    let Some(spec) = ast::string_value(source, src) else {
        return;
    };
    if !is_client_module(cx, import) {
        return;
    }
    let Some((module, reach)) = cx.facts.ts.client_import_secret(cx.file.path, &spec) else {
        return;
    };
    if !used_as_value(import, src) {
        return;
    }
    let shown = |p: &std::path::Path| {
        p.strip_prefix(&cx.config.base_dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let via = match reach.hops {
        0 => String::new(),
        1 => format!(", which `{}` imports", shown(module)),
        n => format!(", {n} imports away through `{}`", shown(module)),
    };
    let message = format!(
        "`{spec}` brings the server-only secret `{}` (read in `{}`{via}) into the client bundle of this `'use client'` module; call it through a server action or route handler, or add `import 'server-only'` to that module",
        reach.secret,
        shown(&reach.module),
    );
    cx.report(source.byte_range(), message);
}

/// Whether a name the import binds is used as a value in the file (an import
/// used only in types is dropped by the compiler, `import { ActionState }`).
/// A side-effect import (`import './x'`) is one.
fn used_as_value(import: Node<'_>, src: &str) -> bool {
    let Some(clause) = child(import, "import_clause") else {
        return true;
    };
    let mut names: Vec<&str> = Vec::new();
    let mut c = clause.walk();
    for part in clause.named_children(&mut c) {
        match part.kind_name() {
            kind::IDENTIFIER => names.push(ast::text(part, src)),
            "namespace_import" => {
                if let Some(id) = child(part, kind::IDENTIFIER) {
                    names.push(ast::text(id, src));
                }
            }
            "named_imports" => {
                let mut cc = part.walk();
                for spec in part.named_children(&mut cc) {
                    let local = spec.field(Field::Alias).or_else(|| spec.field(Field::Name));
                    if let Some(l) = local {
                        names.push(ast::text(l, src));
                    }
                }
            }
            _ => {}
        }
    }
    let root = ast::root_of(import);
    let after = import.end_byte();
    names.iter().any(|name| {
        src[after..].match_indices(name).any(|(i, _)| {
            let at = after + i;
            root.descendant_for_byte_range(at, at + name.len())
                .is_some_and(|n| {
                    matches!(
                        n.kind_name(),
                        kind::IDENTIFIER | kind::SHORTHAND_PROPERTY_IDENTIFIER
                    ) && ast::text(n, src) == *name
                })
        })
    })
}

fn child<'t>(n: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut c = n.walk();
    let found = n.named_children(&mut c).find(|ch| ch.kind_name() == kind);
    found
}

/// `import { type A, type B } from '…'`: every specifier is a type.
fn only_types(import: Node<'_>, src: &str) -> bool {
    let Some(clause) = child(import, "import_clause") else {
        return false;
    };
    let Some(named) = child(clause, "named_imports") else {
        return false;
    };
    if clause.named_child_count() != 1 {
        return false;
    }
    let mut c = named.walk();
    let specs: Vec<Node<'_>> = named
        .named_children(&mut c)
        .filter(|n| n.kind_name() == "import_specifier")
        .collect();
    !specs.is_empty()
        && specs
            .iter()
            .all(|s| ast::text(*s, src).starts_with("type "))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "secret-in-client";

    #[test]
    fn public_prefixed_secrets_anywhere() {
        let src = "const a = process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY;\n\
                   const b = import.meta.env.VITE_STRIPE_SECRET_KEY;\n\
                   const c = process.env['PUBLIC_JWT_SECRET'];\n\
                   const d = process.env.EXPO_PUBLIC_GITHUB_PRIVATE_KEY;\n";
        let got = assert_flags(R, "src/config.ts", src, 4);
        assert_eq!(got[0], "process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY");
        assert_eq!(got[2], "process.env['PUBLIC_JWT_SECRET']");
        let d = findings(R, "src/config.ts", src);
        assert!(d[0].message.contains("browser-exposed prefix"));
    }

    #[test]
    fn near_miss_public_keys_are_not_secrets() {
        assert_clean(
            R,
            "app/providers.tsx",
            "'use client';\n\
             const url = process.env.NEXT_PUBLIC_SUPABASE_URL;\n\
             const anon = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;\n\
             const pk = process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY;\n\
             const mode = process.env.NEXT_PUBLIC_PRIVATE_MODE;\n\
             const site = import.meta.env.VITE_RECAPTCHA_SITE_KEY;\n",
        );
    }

    #[test]
    fn server_secrets_in_client_modules_only() {
        let src = "'use client';\nexport function Pay() {\n  const k = process.env.STRIPE_SECRET_KEY;\n  const s = process.env.SUPABASE_SERVICE_ROLE_KEY;\n  const u = process.env.DATABASE_URL;\n  return null;\n}\n";
        let got = assert_flags(R, "components/pay.tsx", src, 2);
        assert_eq!(
            got,
            vec![
                "process.env.STRIPE_SECRET_KEY",
                "process.env.SUPABASE_SERVICE_ROLE_KEY"
            ]
        );
        // near misses: a server module, a directive that is not the first statement
        assert_clean(
            R,
            "app/api/pay/route.ts",
            "const k = process.env.STRIPE_SECRET_KEY;\n",
        );
        assert_clean(
            R,
            "components/pay.tsx",
            "import x from 'y';\n'use client';\nconst k = process.env.STRIPE_SECRET_KEY;\n",
        );
        // near miss: in a comment or a string
        assert_clean(
            R,
            "components/pay.tsx",
            "'use client';\n// process.env.STRIPE_SECRET_KEY\nconst s = 'process.env.STRIPE_SECRET_KEY';\n",
        );
    }

    #[test]
    fn imports_that_reach_a_server_secret() {
        let files = [
            (
                "app/checkout/pay-button.tsx",
                "'use client';\nimport { stripe } from '@/lib/stripe';\nimport { price } from '../../lib/billing';\nimport type { Plan } from '@/lib/stripe';\nimport { type Plan2 } from '@/lib/stripe';\nimport { checkout } from '@/app/actions';\nimport { guarded } from '@/lib/guarded';\nimport { Other } from './other-client';\nimport { z } from 'zod';\nimport { StripeRow } from '@/lib/stripe';\nexport function Pay(p: StripeRow) { return <button onClick={() => stripe.checkout(price, checkout, guarded, z)}><Other /></button>; }\n",
            ),
            ("lib/stripe.ts", "import Stripe from 'stripe';\nexport const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);\n"),
            ("lib/billing.ts", "import { stripe } from './stripe';\nexport const price = 1;\n"),
            ("app/actions.ts", "'use server';\nimport { stripe } from '@/lib/stripe';\nexport async function checkout() {}\n"),
            ("lib/guarded.ts", "import 'server-only';\nimport { stripe } from './stripe';\nexport const guarded = 1;\n"),
            ("app/checkout/other-client.tsx", "'use client';\nimport { stripe } from '@/lib/stripe';\nexport function Other() {}\n"),
        ];
        let d = findings_in_workspace_at(R, "app/checkout/pay-button.tsx", &files);
        let text = files[0].1;
        let got: Vec<&str> = d.iter().map(|x| &text[x.range.clone()]).collect();
        assert_eq!(got, vec!["'@/lib/stripe'", "'../../lib/billing'"]);
        assert!(
            d[0].message
                .contains("`STRIPE_SECRET_KEY` (read in `lib/stripe.ts`)"),
            "{}",
            d[0].message
        );
        assert!(
            d[1].message
                .contains("(read in `lib/stripe.ts`, which `lib/billing.ts` imports)"),
            "{}",
            d[1].message
        );
        // the other client module is judged in its own file (its import is used as a value)
        assert_eq!(
            findings_in_workspace_at(R, "app/checkout/other-client.tsx", &files).len(),
            0
        );
        // near miss: a read inside a function runs only when called
        let lazy = [
            ("components/a.tsx", "'use client';\nimport { pay } from '@/lib/pay';\nexport const A = () => <b onClick={pay} />;\n"),
            ("lib/pay.ts", "export function pay() { return new Stripe(process.env.STRIPE_SECRET_KEY!); }\n"),
        ];
        assert!(findings_in_workspace_at(R, "components/a.tsx", &lazy).is_empty());
        // near miss: the same import in a server component
        let server = [
            (
                "app/page.tsx",
                "import { stripe } from '@/lib/stripe';\nexport default function P() {}\n",
            ),
            files[1],
        ];
        assert!(findings_in_workspace_at(R, "app/page.tsx", &server).is_empty());
    }

    #[test]
    fn ranges_on_crlf_with_non_ascii_text() {
        let src =
            "'use client';\r\nconst s = 'café 😀';\r\nconst k = process.env.STRIPE_SECRET_KEY;\r\n";
        let d = findings(R, "components/é.tsx", src);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].range.start, src.find("process").unwrap());
        assert_eq!(&src[d[0].range.clone()], "process.env.STRIPE_SECRET_KEY");
    }
}
