use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "no-any-cast",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Warn,
        fix: FixKind::Sometimes,
        not_in_tests: true,
        summary: "`as any`, `<any>x` and `as unknown as T` casts switch the type checker off",
        docs: DOCS,
        triggers: &["as any", "<any>", "as unknown"],
        also_triggers: &[],
        options: &[],
    },
    kinds: &["as_expression", "type_assertion"],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags `expr as any`, the `<any>expr` type assertion (in `.ts` files; `foo<any>()`
is a type argument and is not flagged) and `expr as unknown as T` double casts.
The finding is an error on paths that handle money (`webhook`, `stripe`,
`checkout`, `payment`, `billing`, `invoice`), a warning elsewhere.

## Why is this bad?
A cast to `any` turns off type checking for everything the value touches: a
renamed field in a payment payload compiles and fails at run time.

## Examples
```ts flagged
const event = JSON.parse(raw) as any;
```

```ts flagged
const user = <any>session.user;
```

```ts flagged
const order = payload as unknown as Order;
```

```ts ok
try { run(); } catch (e: any) { report(e); }
const input = body as unknown;
const roles = ['admin', 'user'] as const;
const items = useQuery<any>(key);
```

```ts flagged path=src/app/api/stripe/webhook/route.ts
const session = event.data.object as any;
```

## Fix
`as any` → `as unknown` is **safe** when the cast value is only passed on or
assigned (a call argument, a variable initialiser, a return value); elsewhere
(e.g. `(x as any).foo`) it is **unsafe**: the code stops compiling until the
value is narrowed, which is the point, but it changes what compiles. Double
casts and `<any>` assertions have no automatic fix.
"#;

const MONEY_PATHS: &[&str] = &[
    "webhook", "stripe", "checkout", "payment", "billing", "invoice",
];

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if cx.file.is_declaration {
        return;
    }
    let src = cx.source;
    let level = {
        let path = cx.file.path_str().to_ascii_lowercase();
        if MONEY_PATHS.iter().any(|p| path.contains(p)) {
            Level::Error
        } else {
            Level::Warn
        }
    };
    match node.kind_name() {
        "as_expression" => {
            let Some(ty) = node.named_child(1) else {
                return;
            };
            let ty_text = ast::text(ty, src).trim();
            if ty_text == "any" {
                let safe = passed_on(node);
                let fix_edit = Edit::replace(ty.byte_range(), "unknown");
                let fix = if safe {
                    Fix::safe("Cast to `unknown` instead of `any`", vec![fix_edit])
                } else {
                    Fix::unsafe_(
                        "Cast to `unknown` instead of `any` (narrow the value where it is used)",
                        vec![fix_edit],
                    )
                };
                cx.report(node.byte_range(), "`as any` switches type checking off for this value; cast to `unknown` and narrow it, or fix the type")
                    .with_level(level)
                    .with_fix(fix);
            } else if let Some(inner) = node.named_child(0) {
                // `x as unknown as T`: the outer cast of an inner `as unknown`.
                if inner.kind_name() == "as_expression"
                    && inner
                        .named_child(1)
                        .is_some_and(|t| ast::text(t, src).trim() == "unknown")
                {
                    cx.report(node.byte_range(), format!("`as unknown as {ty_text}` forces an unchecked type; validate the value (e.g. with a schema) instead"))
                        .with_level(level);
                }
            }
        }
        "type_assertion" => {
            // `<any>expr`: the first named child is `type_arguments` holding the type.
            let Some(args) = node.named_child(0) else {
                return;
            };
            if args.kind_name() != "type_arguments" {
                return;
            }
            if ast::text(args, src)
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                == "any"
            {
                cx.report(node.byte_range(), "`<any>` assertion switches type checking off for this value; use a typed value or `unknown`")
                    .with_level(level);
            }
        }
        _ => {}
    }
}

/// The cast's value is only passed on: a call argument, an initialiser, a
/// return value, the right side of an assignment (parentheses allowed).
fn passed_on(node: Node<'_>) -> bool {
    let mut cur = node;
    while let Some(p) = cur.parent() {
        if p.kind_name() == "parenthesized_expression" {
            cur = p;
            continue;
        }
        return match p.kind_name() {
            "arguments" | "return_statement" | "arrow_function" => true,
            "variable_declarator" => p.field(Field::Value).is_some_and(|v| v.id() == cur.id()),
            "assignment_expression" => p.field(Field::Right).is_some_and(|v| v.id() == cur.id()),
            _ => false,
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    #[test]
    fn near_misses() {
        assert_clean("no-any-cast", "src/a.ts", "function f(e: any) {}\nlet x: any = 1;\nconst y = z as unknown;\nconst c = [1] as const;\nfoo<any>();\n");
        assert_clean(
            "no-any-cast",
            "src/types.d.ts",
            "declare const x: Foo;\nexport const y = (z as any);\n",
        );
        assert_clean("no-any-cast", "src/a.test.ts", "const y = z as any;\n");
        assert_clean(
            "no-any-cast",
            "src/a.ts",
            "// const y = z as any;\nconst s = 'z as any';\n",
        );
        // a JSX element is not a type assertion
        assert_clean("no-any-cast", "src/a.tsx", "const el = <any>x</any>;\n");
    }

    #[test]
    fn findings_and_levels() {
        let d = findings(
            "no-any-cast",
            "src/lib/util.ts",
            "const a = JSON.parse(s) as any;\n",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].level, crate::diagnostic::Level::Warn);
        let d = findings(
            "no-any-cast",
            "src/app/api/billing/route.ts",
            "const a = <any>s;\nconst b = s as unknown as Invoice;\n",
        );
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|x| x.level == crate::diagnostic::Level::Error));
    }

    #[test]
    fn fix_is_safe_only_when_passed_on() {
        let d = findings(
            "no-any-cast",
            "src/a.ts",
            "send(x as any);\nconst y = (x as any).foo;\n",
        );
        assert_eq!(
            d[0].fix().unwrap().applicability,
            crate::diagnostic::Applicability::Safe
        );
        assert_eq!(
            d[1].fix().unwrap().applicability,
            crate::diagnostic::Applicability::Unsafe
        );
        check_fix(
            "no-any-cast",
            "src/a.ts",
            "send(x as any);\r\nconst y = (x as any).foo;\r\n",
            false,
            "send(x as unknown);\r\nconst y = (x as any).foo;\r\n",
        );
        check_fix(
            "no-any-cast",
            "src/a.ts",
            "send(x as any);\nconst y = (x as any).foo;\n",
            true,
            "send(x as unknown);\nconst y = (x as unknown).foo;\n",
        );
    }
}
