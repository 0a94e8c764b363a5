use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::handlers::handler_of;
use crate::ts::frameworks::logging::logger_callee;
use crate::ts::frameworks::responses::response_of;
use crate::ts::kind::{self, KindExt};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "unimplemented-stub",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: true,
        summary: "An exported function or registered handler that is only a TODO stub or throws 'Not implemented'",
        docs: DOCS,
        // Every marker `says_todo` / `says_not_implemented` / `NotImplemented…` looks for.
        // Not a bare `implement`: `class X implements Y` is in most TypeScript
        // files (it let 143 files of the benchmark corpus through on its own).
        triggers: &[
            "todo",
            "fixme",
            "xxx",
            "not implemented",
            "not yet implemented",
            "unimplemented",
            "notimplemented",
            "implement me",
        ],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &[
        kind::FUNCTION_DECLARATION,
        kind::FUNCTION_EXPRESSION,
        kind::ARROW_FUNCTION,
        kind::METHOD_DEFINITION,
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a function that is exported (`export function`, `export const f = () =>
…`, `export default`) or registered as a handler (a Next.js route handler or
server action, an Express/Fastify/Hono/Koa route callback, a NestJS controller
method) when its body is a stub:
- only `TODO` / `FIXME` / `XXX` comments, plus at most one log call and at most
  one constant `return` (`return null`, `return []`, `return { ok: true }`
  without values, `return 'TODO'`);
- or only `throw new Error('Not implemented')` (also `not yet implemented`,
  `unimplemented`, `TODO`; `NotImplementedException` / `NotImplementedError`).

Public methods of an exported class count as exported when the whole class is
a stub (each of its methods, constructors aside, is one); a single throwing
method of a working class is an operation it does not support.

Not flagged: empty bodies without a TODO (deliberate no-ops), a TODO next to
real code, functions neither exported nor registered (private and protected
methods, classes that are not exported), the helper that other code calls to
say "not supported" (a function named `notImplemented`, `unsupported`…),
health probes that answer a constant beside a TODO about deeper checks (a
function, route or file named for `health`, `healthz`, `liveness`,
`readiness`, `ping`, `heartbeat`: answering is what a liveness probe does),
test-like paths.

## Why is this bad?
A stub behind an export or a route ships: the endpoint answers 200 and does
nothing, or throws in front of users. Placeholders are meant to be found before
launch, which is what this rule does.

## Examples
```ts flagged lines=1
export async function POST(req: Request) {
  // TODO: create the subscription
  return Response.json({ ok: true });
}
```

```ts flagged lines=1
export function refundOrder(id: string): Promise<void> {
  throw new Error('Not implemented');
}
```

```ts ok
export function noop() {}
export function track(event: string) {
  // TODO: batch these
  queue.push(event);
}
function draft() {
  // TODO
}
```

## Fix
None: implement the function, or remove the export / route until it exists.
"#;

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some(body) = node.field(Field::Body) else {
        return;
    };
    if body.kind_name() != "statement_block" {
        return;
    }
    let Some(stub) = stub_kind(body, src) else {
        return;
    };
    // The helper that other code calls to say "not supported here"
    // (`[PRISMA]: notImplemented`) is no stub itself.
    if ast::function_name(node, src).is_some_and(names_the_stub) {
        return;
    }
    // One method of a working class that throws is an operation the class
    // does not support (`getFormatInstructions` of an XML parser); a class
    // whose every method is a stub is a stub.
    if node.kind_name() == "method_definition" && !whole_class_is_stub(node, src) {
        return;
    }
    let rel = cx.project_path();
    let exported = is_exported(node, src);
    let handler = if exported {
        None
    } else {
        match handler_of(node, src, &rel) {
            Some(h) => Some(h),
            None => return,
        }
    };
    let own_name = ast::function_name(node, src);
    // A health probe that answers a constant is a working probe, whatever its
    // TODO says about deeper checks (`livenessController`, `GET /healthz`).
    let probe = |n: &str| {
        ast::name_words(n).iter().any(|w| {
            matches!(
                w.as_str(),
                "health"
                    | "healthz"
                    | "healthcheck"
                    | "liveness"
                    | "readiness"
                    | "livez"
                    | "readyz"
                    | "ping"
                    | "heartbeat"
            )
        })
    };
    if matches!(stub, Stub::Todo)
        && (own_name.is_some_and(probe)
            || handler
                .as_ref()
                .and_then(|h| h.path.as_deref())
                .is_some_and(probe)
            || probe(&rel))
    {
        return;
    }
    let name = match (&handler, own_name) {
        (_, Some(n)) => format!("`{n}`"),
        (Some(h), None) => match (h.method, &h.path) {
            (Some(m), Some(p)) => format!("The `{m} {p}` handler"),
            _ => "This handler".to_string(),
        },
        (None, None) => "This function".to_string(),
    };
    // The name, else the head of the function up to its body (`(req, res) =>`).
    let name_range = node.field(Field::Name).map_or_else(
        || {
            let head = &src[node.start_byte()..body.start_byte()];
            node.start_byte()..node.start_byte() + head.trim_end().len()
        },
        |n| n.byte_range(),
    );
    let what = match stub {
        Stub::Todo => "holds only a TODO",
        Stub::Throws => "only throws 'not implemented'",
    };
    let place = match (&handler, own_name) {
        (None, _) => " but is exported",
        (Some(_), Some(_)) => " but is registered as a handler",
        // The name already says it is a handler.
        (Some(_), None) => "",
    };
    cx.report(
        name_range,
        format!(
            "{name} {what}{place}: it ships as a stub; implement it or remove it until it exists"
        ),
    );
}

enum Stub {
    Todo,
    Throws,
}

fn names_the_stub(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('_', "");
    [
        "notimplemented",
        "unimplemented",
        "unsupported",
        "notsupported",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn says_todo(comment: &str) -> bool {
    let upper = comment.to_ascii_uppercase();
    ["TODO", "FIXME", "XXX", "NOT IMPLEMENTED", "IMPLEMENT ME"]
        .iter()
        .any(|w| upper.contains(w))
}

fn says_not_implemented(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("not implemented")
        || lower.contains("not yet implemented")
        || lower.contains("unimplemented")
        || lower.trim() == "todo"
}

fn stub_kind(body: Node<'_>, src: &str) -> Option<Stub> {
    let mut todo = false;
    let mut logs = 0;
    let mut returns = 0;
    let mut statements = Vec::new();
    let mut c = body.walk();
    for child in body.named_children(&mut c) {
        if child.kind_name() == "comment" {
            todo |= says_todo(ast::text(child, src));
        } else {
            statements.push(child);
        }
    }
    if let [only] = statements.as_slice() {
        if only.kind_name() == "throw_statement" && throws_not_implemented(*only, src) {
            return Some(Stub::Throws);
        }
    }
    if !todo {
        return None;
    }
    for s in statements {
        match s.kind_name() {
            "expression_statement" if is_log(s, src) => logs += 1,
            "expression_statement"
                if s.named_child(0).is_some_and(|e| constant_response(e, src)) =>
            {
                returns += 1
            }
            "return_statement"
                if s.named_child(0)
                    .is_none_or(|v| is_constant(v, src) || constant_response(v, src)) =>
            {
                returns += 1
            }
            "empty_statement" => {}
            _ => return None,
        }
    }
    (logs <= 1 && returns <= 1).then_some(Stub::Todo)
}

fn throws_not_implemented(throw: Node<'_>, src: &str) -> bool {
    let Some(value) = throw.named_child(0).map(ast::unwrap_expr) else {
        return false;
    };
    if value.kind_name() != "new_expression" {
        return false;
    }
    let class = value
        .field(Field::Constructor)
        .map(|c| ast::text(c, src))
        .unwrap_or("");
    if class.starts_with("NotImplemented") {
        return true;
    }
    let message = value
        .field(Field::Arguments)
        .and_then(|a| a.named_child(0))
        .and_then(|m| ast::string_value(m, src));
    class.ends_with("Error") && message.is_some_and(|m| says_not_implemented(&m))
}

fn is_log(stmt: Node<'_>, src: &str) -> bool {
    // `unwrap_expr` strips an `await` too
    let Some(expr) = stmt.named_child(0).map(ast::unwrap_expr) else {
        return false;
    };
    expr.kind_name() == "call_expression" && logger_callee(expr, src).is_some()
}

/// Every method of `method`'s class (constructors aside) is a stub.
fn whole_class_is_stub(method: Node<'_>, src: &str) -> bool {
    let Some(body) = method.parent().filter(|b| b.kind_name() == "class_body") else {
        return false;
    };
    let mut c = body.walk();
    let all = body
        .named_children(&mut c)
        .filter(|m| m.kind_name() == "method_definition")
        .filter(|m| {
            m.field(Field::Name)
                .is_none_or(|n| ast::text(n, src) != "constructor")
        })
        .all(|m| {
            m.field(Field::Body)
                .is_some_and(|b| stub_kind(b, src).is_some())
        });
    all
}

/// A response whose arguments are all constants (`Response.json({ ok: true })`,
/// `res.sendStatus(200)`, `res.status(200).end()`, `new Response(null)`).
fn constant_response(expr: Node<'_>, src: &str) -> bool {
    // `unwrap_expr` strips an `await` too
    let e = ast::unwrap_expr(expr);
    if response_of(e, src).is_none() {
        return false;
    }
    let Some(args) = e.field(Field::Arguments) else {
        return e.kind_name() == "new_expression";
    };
    let mut c = args.walk();
    let all = args.named_children(&mut c).all(|a| is_constant(a, src));
    all
}

/// A literal: string, number, boolean, `null`, `undefined`, a template without
/// substitutions, arrays and objects of those.
fn is_constant(value: Node<'_>, src: &str) -> bool {
    let Some(_level) = ast::descend() else {
        return false;
    };
    let v = ast::unwrap_expr(value);
    match v.kind_name() {
        "string" | "number" | "true" | "false" | "null" | "undefined" => true,
        "identifier" => ast::text(v, src) == "undefined",
        "template_string" => {
            let mut c = v.walk();
            let subst = v
                .named_children(&mut c)
                .any(|n| n.kind_name() == "template_substitution");
            !subst
        }
        "array" => {
            let mut c = v.walk();
            let all = v.named_children(&mut c).all(|e| is_constant(e, src));
            all
        }
        "object" => {
            let mut c = v.walk();
            let all = v.named_children(&mut c).all(|p| {
                p.kind_name() == "pair"
                    && p.field(Field::Value).is_some_and(|x| is_constant(x, src))
            });
            all
        }
        _ => false,
    }
}

/// `export function f`, `export default function`, `export const f = () => …`,
/// and public methods of an exported class.
fn is_exported(func: Node<'_>, src: &str) -> bool {
    let holder = match func.kind_name() {
        "function_declaration" => func.parent(),
        "arrow_function" | "function_expression" => {
            let p = ast::value_root(func).parent();
            match p {
                Some(d) if d.kind_name() == "variable_declarator" => {
                    d.parent().and_then(|l| l.parent())
                }
                other => other,
            }
        }
        // A public method of an exported class.
        "method_definition" => {
            let private = func
                .field(Field::Name)
                .is_some_and(|n| n.kind_name() == "private_property_identifier")
                || {
                    let mut c = func.walk();
                    let p = func.children(&mut c).any(|m| {
                        m.kind_name() == "accessibility_modifier"
                            && matches!(ast::text(m, src), "private" | "protected")
                    });
                    p
                };
            if private {
                return false;
            }
            func.parent()
                .filter(|b| b.kind_name() == "class_body")
                .and_then(|b| b.parent())
                .filter(|c| c.kind_name() == "class_declaration")
                .and_then(|c| c.parent())
        }
        _ => None,
    };
    holder.is_some_and(|h| h.kind_name() == "export_statement")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "unimplemented-stub";

    #[test]
    fn flags_exported_todo_stubs_and_not_implemented() {
        let text = "export async function createInvoice(orderId: string) {\n  // TODO: call the billing API\n  console.log('createInvoice', orderId);\n  return null;\n}\n\
                    export const refund = async (id: string) => {\n  throw new Error('Not implemented yet');\n};\n\
                    export default function handler() {\n  // FIXME\n}\n\
                    export function sync() {\n  throw new NotImplementedException();\n}\n";
        let found = assert_flags(R, "src/billing.ts", text, 4);
        assert_eq!(found[0], "createInvoice");
        assert_eq!(found[1], "async (id: string) =>");
        let d = findings(R, "src/billing.ts", text);
        assert!(d[1]
            .message
            .starts_with("`refund` only throws 'not implemented' but is exported"));
    }

    #[test]
    fn flags_registered_handlers() {
        assert_flags(
            R,
            "src/server.ts",
            "app.post('/webhooks/stripe', async (req, res) => {\n  // TODO: verify and handle the event\n  res.sendStatus(200);\n});\n",
            1,
        );
        assert_flags(
            R,
            "src/server.ts",
            "app.post('/webhooks/stripe', async (req, res) => {\n  // TODO: verify and handle the event\n  console.log('webhook');\n});\n",
            1,
        );
        assert_flags(
            R,
            "app/api/subscribe/route.ts",
            "export async function POST() {\n  // TODO\n  return Response.json({ ok: true });\n}\n",
            1,
        );
    }

    #[test]
    fn near_miss_real_code_noops_and_private_functions() {
        assert_clean(
            R,
            "src/a.ts",
            "export function noop() {}\n\
             export function track(e: string) {\n  // TODO: batch\n  queue.push(e);\n}\n\
             function draft() {\n  // TODO\n}\n\
             export function total(items: number[]) {\n  // TODO: currency\n  return items.reduce((a, b) => a + b, 0);\n}\n\
             export function fail() {\n  throw new Error('Payment declined');\n}\n\
             export function later() {\n  // TODO: cache this\n  return compute();\n}\n\
             export function charge() {\n  // TODO: retries\n  return processPayment('card');\n}\n\
             export async function GET() {\n  // TODO: paginate\n  return Response.json(await db.items.findMany());\n}\n\
             export const thing = () => {\n  // a note\n  return null;\n};\n",
        );
    }

    #[test]
    fn methods_of_exported_classes() {
        let text = "export class DeepLProvider implements Translator {\n  translate(text: string): Promise<string> {\n    throw new Error('DeepLProvider is not yet implemented');\n  }\n  private warm() {\n    throw new Error('Not implemented');\n  }\n  protected cool() {\n    // TODO\n  }\n}\n\
                    class Internal {\n  run() {\n    throw new Error('Not implemented');\n  }\n}\n";
        assert_eq!(
            assert_flags(R, "src/providers/deepl.ts", text, 1),
            vec!["translate"]
        );
        // one unsupported operation of a working class
        assert_clean(
            R,
            "src/parsers.ts",
            "export class XmlParser extends BaseParser {\n  parse(text: string) {\n    return parseXml(text);\n  }\n  getFormatInstructions(): string {\n    throw new Error('getFormatInstructions not implemented inside XmlParser.');\n  }\n}\n",
        );
    }

    #[test]
    fn near_miss_health_probes_that_answer_a_constant() {
        let probe = "export async function livenessController(req: Request, res: Response) {\n  // TODO: check the redis connection too\n  res.status(200).json({ status: 'ok' });\n}\n";
        assert_clean(R, "src/controllers/liveness.ts", probe);
        assert_clean(R, "src/server.ts", "app.get('/healthz', (req, res) => {\n  // TODO: check the database\n  res.json({ ok: true });\n});\n");
        // near misses: a probe that throws, another TODO handler
        assert_flags(
            R,
            "src/controllers/liveness.ts",
            "export function readinessController() {\n  throw new Error('Not implemented');\n}\n",
            1,
        );
        assert_flags(R, "src/controllers/users.ts", "export async function usersController(req: Request, res: Response) {\n  // TODO: list the users\n  res.status(200).json({ status: 'ok' });\n}\n", 1);
    }

    #[test]
    fn near_miss_the_not_implemented_helper() {
        assert_clean(
            R,
            "src/lib/db.ts",
            "export function notImplemented() {\n  throw new Error('Not implemented.');\n}\nexport const unsupported = () => {\n  throw new Error('not implemented');\n};\n",
        );
    }

    #[test]
    fn every_marker_passes_the_prefilter() {
        assert_flags(
            R,
            "src/a.ts",
            "export function a() {\n  // XXX\n}\nexport function b() {\n  // implement me\n}\n",
            2,
        );
    }

    #[test]
    fn near_miss_tests() {
        assert_clean(
            R,
            "src/__tests__/stubs.test.ts",
            "export function createInvoice() {\n  // TODO\n}\n",
        );
    }

    #[test]
    fn ranges_with_emoji_accents_and_crlf() {
        let text = "// café ☕ 🎉\r\nexport function crééFacture() {\r\n  // TODO: Zoë 🎉\r\n}\r\n";
        let found = assert_flags(R, "src/a.ts", text, 1);
        assert_eq!(found, vec!["crééFacture"]);
    }
}
