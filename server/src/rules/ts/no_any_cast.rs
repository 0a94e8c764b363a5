use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
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
        options: RuleOptions::NONE,
    },
    kinds: &["as_expression", "type_assertion"],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags `expr as any`, `expr as any[]`, the `<any>expr` type assertion (in `.ts`
files; `foo<any>()` is a type argument and is not flagged) and
`expr as unknown as T` double casts. A cast whose value spans several lines is
reported at its `as any` (or `as unknown as T`), not at the start of the
expression, so a `prodlint-ignore` on the line of the cast suppresses it; a cast
on one line is reported whole. It is an error in server code that
handles money — a route handler (`route.ts`), a server action (`'use server'`),
a file under an `api/` or `server/` folder (`app/api`, `pages/api`) whose path
says `webhook`, `stripe`, `checkout`, `payment`, `billing` or `invoice` — and a
warning elsewhere, including `.tsx` UI components on such paths.

## Why is this bad?
A cast to `any` turns off type checking for everything the value touches: a
renamed field in a payment payload compiles and fails at run time.

## Examples
```ts flagged lines=1
const event = JSON.parse(raw) as any;
```

```ts flagged lines=1
const user = <any>session.user;
```

```ts flagged lines=1
const order = payload as unknown as Order;
```

```ts ok
try { run(); } catch (e: any) { report(e); }
const input = body as unknown;
const roles = ['admin', 'user'] as const;
const items = useQuery<any>(key);
```

```ts flagged lines=1 path=src/app/api/stripe/webhook/route.ts
const session = event.data.object as any;
```

```ts flagged lines=1
const rows = (await db.query(sql)) as any[];
```

```tsx ok path=src/app/invoices/[id]/invoice-table.tsx
// prodlint-ignore no-any-cast: the table library's row type is wrong
const cells = buildCells(rows, columns) as any;
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

/// The file is server code that handles money (the cast is then an error): a
/// route handler, server action or API/server module whose path names money.
/// `.tsx`/`.jsx` files are UI components and stay warnings.
struct ServerMoney(bool);

fn is_server_money(cx: &RuleContext<'_>, node: Node<'_>) -> bool {
    cx.memo(|| {
        let path = cx.file.path;
        let rel = path.strip_prefix(&cx.config.base_dir).unwrap_or(path);
        let rel = rel
            .to_string_lossy()
            .replace('\\', "/")
            .to_ascii_lowercase();
        if !MONEY_PATHS.iter().any(|p| rel.contains(p)) {
            return ServerMoney(false);
        }
        let ext = rel.rsplit('.').next().unwrap_or("");
        if matches!(ext, "tsx" | "jsx") {
            return ServerMoney(false);
        }
        let segments: Vec<&str> = rel.split('/').collect();
        let (file, dirs) = segments.split_last().unwrap_or((&"", &[]));
        let stem = file.split('.').next().unwrap_or("");
        // `app/api/…`, `pages/api/…`, `apps/api/…`, `src/server/…`, `route.ts`.
        let by_path = stem == "route" || dirs.iter().any(|d| matches!(*d, "api" | "server"));
        let server_action = || {
            ast::directives(cx.script().program(node), cx.source)
                .iter()
                .any(|(_, v)| v == "use server")
        };
        ServerMoney(by_path || server_action())
    })
    .0
}

/// Where a cast is reported: the whole cast when it fits on one line (`x as any`),
/// else from the `as` keyword before `ty` to the end of `ty`, so that a finding
/// (and a `prodlint-ignore`) is on the line of the cast, not at the start of a
/// multi-line expression.
fn cast_range(cast: Node<'_>, operand: Node<'_>, ty: Node<'_>) -> std::ops::Range<usize> {
    let mut as_start = ty.start_byte();
    let mut as_row = ty.start_position().row;
    let mut c = cast.walk();
    for child in cast.children(&mut c) {
        if child.start_byte() >= ty.start_byte() {
            break;
        }
        if !child.is_named() && child.kind_name() == "as" {
            as_start = child.start_byte();
            as_row = child.start_position().row;
        }
    }
    if operand.start_position().row == as_row {
        operand.start_byte()..ty.end_byte()
    } else {
        as_start..ty.end_byte()
    }
}

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    if cx.file.is_declaration {
        return;
    }
    let src = cx.source;
    let level = if is_server_money(cx, node) {
        Level::Error
    } else {
        Level::Warn
    };
    match node.kind_name() {
        "as_expression" => {
            let Some(ty) = node.named_child(1) else {
                return;
            };
            let ty_text = ast::text(ty, src).trim();
            // `as any` and `as any[]`: the `any` to replace with `unknown`.
            let any_node = if ty_text == "any" {
                Some(ty)
            } else if ty.kind_name() == "array_type"
                && ty
                    .named_child(0)
                    .is_some_and(|t| ast::text(t, src).trim() == "any")
            {
                ty.named_child(0)
            } else {
                None
            };
            if let Some(any_node) = any_node {
                let safe = passed_on(node);
                let fix_edit = Edit::replace(any_node.byte_range(), "unknown");
                let fix = if safe {
                    Fix::safe("Cast to `unknown` instead of `any`", vec![fix_edit])
                } else {
                    Fix::unsafe_(
                        "Cast to `unknown` instead of `any` (narrow the value where it is used)",
                        vec![fix_edit],
                    )
                };
                let message = format!("`as {ty_text}` switches type checking off for this value; cast to `unknown` and narrow it, or fix the type");
                let operand = node.named_child(0).unwrap_or(node);
                cx.report(cast_range(node, operand, ty), message)
                    .with_level(level)
                    .with_fix(fix);
            } else if let Some(inner) = node.named_child(0) {
                // `x as unknown as T`: the outer cast of an inner `as unknown`.
                if inner.kind_name() == "as_expression" {
                    if let Some(unknown) = inner
                        .named_child(1)
                        .filter(|t| ast::text(*t, src).trim() == "unknown")
                    {
                        let operand = inner.named_child(0).unwrap_or(inner);
                        let start = cast_range(inner, operand, unknown).start;
                        cx.report(start..node.end_byte(), format!("`as unknown as {}` forces an unchecked type; validate the value (e.g. with a schema) instead", crate::rules::snippet::one_line(ty_text, 60)))
                            .with_level(level);
                    }
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
    let mut steps = 0usize;
    while let Some(p) = cur.parent().filter(|_| {
        steps += 1;
        steps <= ast::MAX_ANCESTOR_STEPS
    }) {
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
        let got = assert_flags(
            "no-any-cast",
            "src/app/api/billing/route.ts",
            "const a = <any>s;\nconst b = s as unknown as Invoice;\n",
            2,
        );
        assert_eq!(got, ["<any>s", "s as unknown as Invoice"]);
        let d = findings(
            "no-any-cast",
            "src/app/api/billing/route.ts",
            "const a = <any>s;\nconst b = s as unknown as Invoice;\n",
        );
        assert!(d.iter().all(|x| x.level == crate::diagnostic::Level::Error));
    }

    fn level_at(path: &str, text: &str) -> crate::diagnostic::Level {
        let d = findings("no-any-cast", path, text);
        assert_eq!(d.len(), 1, "{path}: {d:#?}");
        d[0].level
    }

    #[test]
    fn error_only_in_server_code_that_handles_money() {
        use crate::diagnostic::Level::{Error, Warn};
        let cast = "const a = s as any;\n";
        for path in [
            "src/app/api/stripe/webhook/route.ts",
            "app/(ee)/api/stripe/integration/route.ts",
            "src/pages/api/billing/portal.ts",
            "apps/api/src/routers/invoices.ts",
            "src/server/payments/charge.ts",
            "src/app/checkout/route.js",
        ] {
            assert_eq!(level_at(path, cast), Error, "{path}");
        }
        // a server action (`'use server'`) on a money path
        assert_eq!(
            level_at(
                "src/lib/actions/billing.ts",
                "'use server';\nexport async function pay(s: string) { return s as any; }\n"
            ),
            Error
        );
        for path in [
            // UI components stay warnings, whatever their path says
            "src/app/invoices/[id]/invoice-table.tsx",
            "src/app/api/billing/page.tsx",
            "src/components/checkout/form.jsx",
            // library code that is not a route, action or server module
            "src/lib/stripe/client.ts",
            "src/lib/webhook/failure.ts",
            // server code without money in the path
            "src/app/api/users/route.ts",
        ] {
            assert_eq!(level_at(path, cast), Warn, "{path}");
        }
    }

    #[test]
    fn reported_at_the_cast_not_the_expression() {
        let src = "const total = items\n  .map((i) => i.price)\n  .reduce((a, b) => a + b, 0) as any;\nconst o = build({\n  a: 1,\n}) as unknown as Order;\n";
        let got = assert_flags("no-any-cast", "src/lib/sum.ts", src, 2);
        assert_eq!(got, ["as any", "as unknown as Order"]);
        let d = findings("no-any-cast", "src/lib/sum.ts", src);
        assert_eq!(&src[..d[0].range.start].matches('\n').count(), &2);
        assert_eq!(&src[..d[1].range.start].matches('\n').count(), &5);
    }

    #[test]
    fn suppression_on_the_line_of_the_cast() {
        assert_clean(
            "no-any-cast",
            "src/lib/sum.ts",
            "const total = items\n  .map((i) => i.price)\n  // prodlint-ignore no-any-cast: the SDK's types are wrong\n  .reduce((a, b) => a + b, 0) as any;\nconst o = build({\n  a: 1,\n}) as any; // prodlint-ignore no-any-cast: same\n",
        );
    }

    #[test]
    fn flags_as_any_array() {
        let got = assert_flags(
            "no-any-cast",
            "src/lib/db.ts",
            "const rows = (await db.query(sql)) as any[];\nconst ok = rows as string[];\n",
            1,
        );
        assert_eq!(got, ["(await db.query(sql)) as any[]"]);
        check_fix(
            "no-any-cast",
            "src/lib/db.ts",
            "const rows = (await db.query(sql)) as any[];\n",
            false,
            "const rows = (await db.query(sql)) as unknown[];\n",
        );
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

    #[test]
    fn message_quotes_a_multi_line_type_on_one_line() {
        let src = "const m = raw as unknown as Record<\n  string,\n  { run: (input: never) => Promise<void> }\n>;\n";
        let d = findings("no-any-cast", "src/lib/m.ts", src);
        assert_eq!(d.len(), 1);
        assert!(!d[0].message.contains('\n'), "{}", d[0].message);
        assert!(
            d[0].message.starts_with("`as unknown as Record<"),
            "{}",
            d[0].message
        );
    }
}
