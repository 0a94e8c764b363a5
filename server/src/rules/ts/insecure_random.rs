use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::language::Language;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::{ImportBlock, NewImport, Script};
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "insecure-random",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary: "Math.random() makes a token, secret, code, nonce, id or key",
        docs: DOCS,
        // `random` and `Math` apart: the member access may be split (`Math\n  .random()`).
        triggers: &["random"],
        also_triggers: &["math"],
        options: RuleOptions::NONE,
    },
    kinds: &[
        kind::VARIABLE_DECLARATOR,
        kind::ASSIGNMENT_EXPRESSION,
        kind::AUGMENTED_ASSIGNMENT_EXPRESSION,
        kind::PAIR,
        kind::PUBLIC_FIELD_DEFINITION,
        kind::RETURN_STATEMENT,
        kind::ARROW_FUNCTION,
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags `Math.random()` when its value becomes something that must be
unguessable: a variable, property or field whose name ends in `token`,
`secret`, `password`, `otp`, `code`, `nonce`, `state`, `verifier`, `salt`,
`key` or `filename` (`resetToken`, `otpCode`, `oauthState`, `apiKey`,
`file_name`), or `id` / `uuid` after a word saying it grants access (`sessionId`,
`shareId`, `inviteId`, `resetId`, `shortCodeId`, `uploadId`: a bare `id`, `jobId`
or `toastId` is a label), or the return value of a function named
that way (`generateToken()`, `createOtp()`, also when it builds the value
character by character with `+=`). The value may be transformed on the way
(`Math.floor(Math.random() * 1e6)`, `.toString(36).slice(2)`,
`chars[Math.floor(Math.random() * chars.length)]`, templates, `+`) and pass
through one local variable (`const r = Math.random().toString(36); const token = r.slice(2)`).

Not flagged: jitter and backoff (`delay`, `timeout`), sampling
(`Math.random() < 0.1`: a comparison is not the value), UI and A/B weights
(`color`, `variant`, `weight`), a value passed to another function, a fallback
in a function that uses `crypto` when it is there (`crypto?.randomUUID ?
crypto.randomUUID() : Math.random()…`), test-like paths; in client code (`.tsx`/`.jsx` files, `'use client'`) names ending in
`id` or `key` and a JSX `key`, which label elements rather than protect
anything.

## Why is this bad?
`Math.random()` is not a cryptographic generator: its output can be predicted
from a few earlier values (V8 uses xorshift128+), so a reset token, OTP,
OAuth `state` or session id made from it can be guessed.

## Examples
```ts flagged lines=2
export function createResetToken() {
  return Math.random().toString(36).slice(2);
}
```

```ts flagged lines=1
const otpCode = Math.floor(100000 + Math.random() * 900000);
```

```ts ok
const delay = base * 2 ** attempt + Math.random() * 100;
if (Math.random() < 0.05) tracer.sample(span);
const variant = Math.random() < 0.5 ? 'a' : 'b';
```

## Fix
**Unsafe** (the value's format changes): `Math.random().toString(36)…` becomes
`crypto.randomUUID()`; `Math.floor(Math.random() * n)` becomes
`crypto.randomInt(n)` and `Math.floor(a + Math.random() * n)` (number
literals) `crypto.randomInt(a, a + n)`. In server code `crypto` is the file's
own `node:crypto` import or a new `import crypto from 'node:crypto'`; in client
code only the UUID form is offered (the browser's global `crypto`). Other shapes
get no fix.
"#;

/// Last words of a name that say the value must be unguessable.
const SECRET_WORDS: &[&str] = &[
    "token", "tokens", "secret", "password", "passwd", "pwd", "otp", "code", "nonce", "state",
    "verifier", "salt", "id", "ids", "key", "uuid", "guid", "sid", "csrf", "filename",
];

/// Words that only label UI elements in client code.
const UI_WORDS: &[&str] = &["id", "ids", "key", "uuid", "guid"];

/// Identifiers are usually just labels (`jobId`, `toastId`, `uniqueId`); they
/// must be unguessable when they grant access: `sessionId`, `shareId`,
/// `inviteId`, `resetId`, `shortCodeId`, `uploadId`.
const ID_WORDS: &[&str] = &["id", "ids", "uuid", "guid"];
const ID_QUALIFIERS: &[&str] = &[
    "session",
    "sess",
    "share",
    "shared",
    "invite",
    "invitation",
    "reset",
    "verification",
    "verify",
    "auth",
    "access",
    "login",
    "magic",
    "secret",
    "api",
    "code",
    "short",
    "upload",
    "file",
];

/// What the name's last word says (`None`: nothing secret).
fn secret_name(name: &str, client: bool) -> bool {
    let words = ast::name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    let file_name = words.len() >= 2 && last == "name" && words[words.len() - 2] == "file";
    if file_name {
        return true;
    }
    if ID_WORDS.contains(&last.as_str())
        && !words[..words.len() - 1]
            .iter()
            .any(|w| ID_QUALIFIERS.contains(&w.as_str()))
    {
        return false;
    }
    SECRET_WORDS.contains(&last.as_str()) && !(client && UI_WORDS.contains(&last.as_str()))
}

fn is_client_file(cx: &RuleContext<'_>, node: Node<'_>) -> bool {
    if matches!(cx.file.language, Language::Tsx) || cx.file.path_str().ends_with(".jsx") {
        return true;
    }
    let root = ast::root_of(node);
    ast::directives(root, cx.source)
        .iter()
        .any(|(_, d)| d == "use client")
}

/// The calls reported in this file (a value may reach two sinks:
/// `const token = …; return token;` in `generateToken`).
#[derive(Default)]
struct Reported(std::cell::RefCell<std::collections::HashSet<usize>>);

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.script();
    // Cheap first: the value's `Math.random()` calls (a walk of the value's
    // derivation only); the name needs ancestor lookups.
    let Some((value, hop)) = sink_value(node) else {
        return;
    };
    let mut calls = Vec::new();
    random_calls(value, &src, hop, &mut calls);
    if calls.is_empty() {
        return;
    }
    let Some(name) = sink_name(node, value, &src) else {
        return;
    };
    if !secret_name(&name, false) {
        return;
    }
    let client = is_client_file(cx, node);
    if client && !secret_name(&name, true) {
        return;
    }
    // A fallback for runtimes without Web Crypto: the function also uses
    // `crypto.randomUUID()` / `crypto.getRandomValues()` when it can.
    calls.retain(|c| {
        !ast::enclosing_function(*c).is_some_and(|f| ast::text(f, &src).contains("crypto"))
    });
    let reported = cx.memo(Reported::default);
    calls.retain(|c| reported.0.borrow_mut().insert(c.start_byte()));
    for call in calls {
        let fix = build_fix(cx, call, client);
        let d = cx.report(
            call.byte_range(),
            format!(
                "`Math.random()` makes `{name}`, which must be unguessable; use `crypto.randomUUID()` / `crypto.randomInt()` (or `crypto.getRandomValues`) instead"
            ),
        );
        if let Some(f) = fix {
            d.with_fix(f);
        }
    }
}

/// The value given a name at `node`, and whether one local variable may be
/// followed inside it.
fn sink_value(node: Node<'_>) -> Option<(Node<'_>, bool)> {
    match node.kind_name() {
        "variable_declarator" | "assignment_expression" | "pair" | "public_field_definition" => {
            let value = node
                .field(Field::Value)
                .or_else(|| node.field(Field::Right))?;
            Some((value, true))
        }
        // `token += chars[…]`
        "augmented_assignment_expression" => Some((node.field(Field::Right)?, false)),
        "return_statement" => Some((node.named_child(0)?, true)),
        "arrow_function" => {
            let body = node.field(Field::Body)?;
            (body.kind_name() != "statement_block").then_some((body, true))
        }
        _ => None,
    }
}

/// The name the value at `node` is given: the variable, property or field;
/// for a `+=` the variable, else its function's name (a token built character
/// by character); for a `return` or an expression body the function's name.
fn sink_name<'t>(node: Node<'t>, value: Node<'t>, src: &Script<'t>) -> Option<String> {
    match node.kind_name() {
        "variable_declarator" | "assignment_expression" | "pair" | "public_field_definition" => {
            // `<Toast key={…} />`-like objects in a JSX attribute label UI.
            if node.kind_name() == "pair"
                && node
                    .parent()
                    .and_then(|o| o.parent())
                    .and_then(|j| j.parent())
                    .is_some_and(|a| a.kind_name() == "jsx_attribute")
            {
                return None;
            }
            ast::assigned_name(value, src)
        }
        "augmented_assignment_expression" => {
            let op = node.field(Field::Operator).map(|o| ast::text(o, src))?;
            if op != "+=" {
                return None;
            }
            let left = node.field(Field::Left)?;
            let own = match left.kind_name() {
                "identifier" => ast::text(left, src).to_string(),
                "member_expression" => ast::text(left.field(Field::Property)?, src).to_string(),
                _ => return None,
            };
            if secret_name(&own, false) {
                return Some(own);
            }
            let func = ast::enclosing_function(node)?;
            Some(ast::function_name(func, src)?.to_string())
        }
        "return_statement" => {
            let func = ast::enclosing_function(node)?;
            Some(ast::function_name(func, src)?.to_string())
        }
        "arrow_function" => Some(ast::function_name(node, src)?.to_string()),
        _ => None,
    }
}

const INT_FUNCTIONS: &[&str] = &[
    "Math.floor",
    "Math.round",
    "Math.ceil",
    "Math.trunc",
    "Math.abs",
    "parseInt",
    "parseFloat",
    "String",
    "Number",
    "BigInt",
];

/// The `Math.random()` calls whose value `expr` is (transformed): arithmetic,
/// rounding, string methods, indexing, templates, `Array.from(…, cb)` /
/// `.map(cb)` / `.replace(re, cb)` callbacks, and (when `hop`) one local
/// variable bound to such a value.
fn random_calls<'t>(expr: Node<'t>, src: &Script<'t>, hop: bool, out: &mut Vec<Node<'t>>) {
    let Some(_level) = ast::descend() else {
        return;
    };
    let expr = ast::unwrap_expr(expr);
    match expr.kind_name() {
        "call_expression" => {
            let Some(callee) = expr.field(Field::Function) else {
                return;
            };
            let path = ast::member_path(callee, src);
            if path.as_deref() == Some("Math.random") {
                if src.declaration(expr, "Math").is_none() {
                    out.push(expr);
                }
                return;
            }
            let args = ast::call_arguments(expr);
            if path.as_deref().is_some_and(|p| INT_FUNCTIONS.contains(&p)) {
                if let Some(a) = args.first() {
                    random_calls(*a, src, hop, out);
                }
                return;
            }
            if callee.kind_name() != "member_expression" {
                return;
            }
            let method = callee
                .field(Field::Property)
                .map(|p| ast::text(p, src))
                .unwrap_or("");
            if let Some(object) = callee.field(Field::Object) {
                // `Array.from({ length }, cb)`: the callback's value.
                if ast::member_path(object, src).as_deref() == Some("Array") && method == "from" {
                    if let Some(cb) = args.get(1) {
                        callback_value(*cb, src, out);
                    }
                    return;
                }
                random_calls(object, src, hop, out);
            }
            match method {
                "charAt" | "at" => {
                    if let Some(a) = args.first() {
                        random_calls(*a, src, hop, out);
                    }
                }
                "map" | "flatMap" | "replace" | "replaceAll" => {
                    if let Some(cb) = args.last() {
                        callback_value(*cb, src, out);
                    }
                }
                _ => {}
            }
        }
        "binary_expression" => {
            let op = expr.field(Field::Operator).map(|o| ast::text(o, src));
            if matches!(
                op,
                Some("+" | "-" | "*" | "/" | "%" | "|" | "&" | "^" | "<<" | ">>" | ">>>" | "**")
            ) {
                for f in [Field::Left, Field::Right] {
                    if let Some(side) = expr.field(f) {
                        random_calls(side, src, hop, out);
                    }
                }
            }
        }
        "subscript_expression" => {
            if let Some(i) = expr.field(Field::Index) {
                random_calls(i, src, hop, out);
            }
        }
        "template_string" => {
            let mut c = expr.walk();
            for sub in expr.named_children(&mut c) {
                if sub.kind_name() == "template_substitution" {
                    if let Some(e) = sub.named_child(0) {
                        random_calls(e, src, hop, out);
                    }
                }
            }
        }
        "await_expression" | "unary_expression" => {
            if let Some(e) = expr.named_child(0) {
                random_calls(e, src, hop, out);
            }
        }
        "identifier" if hop => {
            let name = ast::text(expr, src);
            let Some(b) = src.declaration(expr, name) else {
                return;
            };
            let Some(v) = b.simple_value() else {
                return;
            };
            let mut found = Vec::new();
            random_calls(v, src, false, &mut found);
            // A local of the same function (not a parameter, not a module-level
            // helper shared by other uses); asked last: ancestors cost.
            if !found.is_empty()
                && ast::enclosing_function(b.decl).map(|f| f.id())
                    == ast::enclosing_function(expr).map(|f| f.id())
            {
                out.extend(found);
            }
        }
        _ => {}
    }
}

/// The value a callback returns (an expression body, or its `return`s' values
/// at the top of its block).
fn callback_value<'t>(cb: Node<'t>, src: &Script<'t>, out: &mut Vec<Node<'t>>) {
    if !matches!(cb.kind_name(), "arrow_function" | "function_expression") {
        return;
    }
    let Some(body) = cb.field(Field::Body) else {
        return;
    };
    if body.kind_name() != "statement_block" {
        random_calls(body, src, false, out);
        return;
    }
    let mut c = body.walk();
    for stmt in body.named_children(&mut c) {
        if stmt.kind_name() == "return_statement" {
            if let Some(v) = stmt.named_child(0) {
                random_calls(v, src, true, out);
            }
        }
    }
}

/// The replacement for the expression built around `call`, and whether it
/// needs `randomInt` (server-only).
fn replacement<'t>(call: Node<'t>, src: &Script<'t>) -> Option<(Node<'t>, String, bool)> {
    let parent = |n: Node<'t>| ast::value_root(n).parent();
    let p = parent(call)?;
    // `Math.random().toString(36)` (+ `.slice/.substring/.substr(…)`).
    if p.kind_name() == "member_expression"
        && p.field(Field::Property).map(|x| ast::text(x, src)) == Some("toString")
    {
        let mut top = p.parent().filter(|c| c.kind_name() == "call_expression")?;
        while let Some(m) = top
            .parent()
            .filter(|m| m.kind_name() == "member_expression")
        {
            let method = m.field(Field::Property).map(|x| ast::text(x, src));
            let Some(next) = m.parent().filter(|c| c.kind_name() == "call_expression") else {
                break;
            };
            if !matches!(method, Some("slice" | "substring" | "substr")) {
                break;
            }
            top = next;
        }
        return Some((top, "randomUUID()".to_string(), false));
    }
    // `Math.random() * n` inside `Math.floor(…)`, optionally `a + …` with literals.
    let number = |n: Node<'t>| -> Option<f64> {
        let n = ast::unwrap_expr(n);
        (n.kind_name() == "number")
            .then(|| ast::text(n, src).replace('_', "").parse::<f64>().ok())
            .flatten()
    };
    let times = ast::value_root(call).parent()?;
    if times.kind_name() != "binary_expression"
        || times.field(Field::Operator).map(|o| ast::text(o, src)) != Some("*")
    {
        return None;
    }
    let other = [Field::Left, Field::Right]
        .into_iter()
        .filter_map(|f| times.field(f))
        .find(|s| s.id() != ast::value_root(call).id())?;
    let enclosing = ast::value_root(times).parent()?;
    let (inner_top, low) = if enclosing.kind_name() == "binary_expression"
        && enclosing.field(Field::Operator).map(|o| ast::text(o, src)) == Some("+")
    {
        let addend = [Field::Left, Field::Right]
            .into_iter()
            .filter_map(|f| enclosing.field(f))
            .find(|s| s.id() != ast::value_root(times).id())?;
        (enclosing, Some(number(addend)?))
    } else {
        (times, None)
    };
    let args = ast::value_root(inner_top).parent()?;
    let floor = args.parent()?;
    if args.kind_name() != "arguments"
        || floor.kind_name() != "call_expression"
        || ast::call_arguments(floor).len() != 1
        || floor
            .field(Field::Function)
            .and_then(|f| ast::member_path(f, src))
            .as_deref()
            != Some("Math.floor")
    {
        return None;
    }
    let text = match low {
        None => format!("randomInt({})", ast::text(other, src)),
        Some(low) => {
            let span = number(other)?;
            let high = low + span;
            if low.fract() != 0.0 || high.fract() != 0.0 {
                return None;
            }
            format!("randomInt({}, {})", low as i64, high as i64)
        }
    };
    Some((floor, text, true))
}

fn build_fix(cx: &RuleContext<'_>, call: Node<'_>, client: bool) -> Option<Fix> {
    let src = cx.script();
    let (target, call_text, needs_node) = replacement(call, &src)?;
    if needs_node && client {
        return None;
    }
    let imported = src
        .semantic
        .whole_module_import(&["crypto", "node:crypto"])
        .filter(|b| {
            src.declaration(target, b.name)
                .is_some_and(|d| d.ident.id() == b.ident.id())
        });
    let mut edits = Vec::new();
    let name = match imported {
        Some(b) => b.name.to_string(),
        // `crypto` means something else here.
        None if src.declaration(target, "crypto").is_some() => return None,
        None => {
            if !client {
                let program = ast::root_of(target);
                let block = ImportBlock::of(&src, program);
                let commonjs = block.is_commonjs(
                    &src,
                    &cx.file.path_str(),
                    cx.file.language == Language::JavaScript,
                );
                edits.push(block.add(
                    &src,
                    &[NewImport::Module {
                        local: "crypto",
                        module: "node:crypto",
                    }],
                    commonjs,
                    None,
                ));
            }
            "crypto".to_string()
        }
    };
    edits.insert(
        0,
        Edit::replace(target.byte_range(), format!("{name}.{call_text}")),
    );
    Some(Fix::unsafe_(
        format!("Use `{name}.{}`", call_text.split('(').next().unwrap_or("")),
        edits,
    ))
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Applicability;
    use crate::rules::testing::*;

    const R: &str = "insecure-random";

    #[test]
    fn flags_values_named_like_secrets() {
        let text = "const resetToken = Math.random().toString(36).slice(2);\n\
                    const otpCode = Math.floor(100000 + Math.random() * 900000);\n\
                    user.sessionId = `${Date.now()}-${Math.random()}`;\n\
                    const params = { state: Math.random().toString(36), nonce: String(Math.random()) };\n\
                    class S { salt = Math.random().toString(16); }\n\
                    const file_name = 'upload-' + Math.floor(Math.random() * 1e9) + '.png';\n\
                    const apiKey = chars[Math.floor(Math.random() * chars.length)];\n";
        let found = assert_flags(R, "src/auth.ts", text, 8);
        assert!(found.iter().all(|s| s == "Math.random()"));
        let d = findings(R, "src/auth.ts", text);
        assert!(d[0].message.contains("`resetToken`"));
    }

    #[test]
    fn flags_functions_that_return_a_secret_and_one_hop_locals() {
        let text = "export function generateToken(len = 32) {\n  let result = '';\n  for (let i = 0; i < len; i++) result += chars.charAt(Math.floor(Math.random() * chars.length));\n  return result;\n}\n\
                    export const createOtp = () => String(Math.floor(Math.random() * 1000000)).padStart(6, '0');\n\
                    function makeVerifier() {\n  const raw = Math.random().toString(36);\n  const verifier = raw.slice(2) + raw.slice(3);\n  return verifier;\n}\n\
                    const newShareId = () => Array.from({ length: 16 }, () => chars[Math.floor(Math.random() * 62)]).join('');\n";
        let found = findings(R, "src/lib/tokens.ts", text);
        let lines: Vec<usize> = found
            .iter()
            .map(|d| text[..d.range.start].matches('\n').count() + 1)
            .collect();
        assert_eq!(lines, vec![3, 6, 8, 12], "{found:#?}");
    }

    #[test]
    fn near_miss_jitter_sampling_ui_and_ab_weights() {
        assert_clean(
            R,
            "src/retry.ts",
            "const delay = base * 2 ** attempt + Math.random() * 100;\n\
             await sleep(Math.random() * 1000);\n\
             if (Math.random() < 0.05) tracer.sample(span);\n\
             const variant = Math.random() < 0.5 ? 'a' : 'b';\n\
             const weight = Math.random();\n\
             const color = colors[Math.floor(Math.random() * colors.length)];\n\
             const isSampled = Math.random() < rate;\n\
             const tokenCount = Math.random() * 10 > 5;\n\
             setTimeout(refreshToken, Math.random() * 5000);\n\
             const tokenExpiry = Date.now() + Math.random() * 1000;\n",
        );
    }

    #[test]
    fn near_miss_ui_ids_and_keys_in_client_code() {
        let text = "'use client'\nexport function Toasts() {\n  const id = Math.random().toString(36).slice(2);\n  return <Toast key={Math.random()} id={id} toastKey={Math.random()} />;\n}\n";
        assert_clean(R, "src/components/toasts.tsx", text);
        assert_clean(
            R,
            "src/store.ts",
            "'use client'\nexport const add = (t) => ({ ...t, id: Math.random() });\n",
        );
        // an id that grants access, in server code, is flagged
        assert_flags(
            R,
            "src/server/session.ts",
            "export const add = (t) => ({ ...t, shareId: Math.random() });\n",
            1,
        );
        assert_clean(
            R,
            "src/server/session.ts",
            "export const add = (t) => ({ ...t, shareId: Math.random() });\n"
                .replace("shareId", "shareLabel")
                .as_str(),
        );
    }

    #[test]
    fn near_miss_ids_that_are_labels() {
        assert_clean(
            R,
            "src/jobs.ts",
            "const jobId = `job_${Date.now()}_${Math.random().toString(36).slice(2)}`;\n\
             const notification = { id: Math.random().toString(36), title };\n\
             export const generateOperationId = () => Math.random().toString(36).slice(2);\n\
             const uniqueId = Math.random();\n\
             const uuid = 'xxxx'.replace(/x/g, () => (Math.random() * 16 | 0).toString(16));\n",
        );
    }

    #[test]
    fn near_miss_values_passed_on_shadowed_math_and_params() {
        assert_clean(
            R,
            "src/a.ts",
            "const token = sign(Math.random());\n\
             function f(Math) { const token = Math.random(); }\n\
             function g(seed = Math.random()) { const token = seed; }\n\
             const token = crypto.randomUUID();\n",
        );
    }

    #[test]
    fn near_miss_fallback_when_web_crypto_is_missing() {
        assert_clean(
            R,
            "src/session.ts",
            "export const createSessionId = () => {\n  if (typeof crypto !== 'undefined' && crypto.randomUUID) return crypto.randomUUID();\n  return `s-${Date.now()}-${Math.random().toString(36).slice(2)}`;\n};\n",
        );
    }

    #[test]
    fn near_miss_tests() {
        assert_clean(
            R,
            "src/__tests__/tokens.test.ts",
            "const token = Math.random().toString(36);\n",
        );
    }

    #[test]
    fn fix_uuid_for_string_tokens_with_the_import() {
        check_fix(
            R,
            "src/auth.ts",
            "import { db } from './db';\n\nconst resetToken = Math.random().toString(36).substring(2, 10);\n",
            true,
            "import { db } from './db';\nimport crypto from 'node:crypto';\n\nconst resetToken = crypto.randomUUID();\n",
        );
    }

    #[test]
    fn fix_random_int_keeps_an_existing_import_and_crlf() {
        check_fix(
            R,
            "src/otp.ts",
            "import * as nodeCrypto from \"node:crypto\";\r\nconst otpCode = Math.floor(100000 + Math.random() * 900000);\r\nconst pinCode = Math.floor(Math.random() * 10000);\r\n",
            true,
            "import * as nodeCrypto from \"node:crypto\";\r\nconst otpCode = nodeCrypto.randomInt(100000, 1000000);\r\nconst pinCode = nodeCrypto.randomInt(10000);\r\n",
        );
    }

    #[test]
    fn fix_in_commonjs_and_client_code() {
        check_fix(
            R,
            "src/tokens.js",
            "const db = require('./db');\nconst token = Math.random().toString(36);\n",
            true,
            "const db = require('./db');\nconst crypto = require('node:crypto');\nconst token = crypto.randomUUID();\n",
        );
        // client code: the global crypto, no import; no randomInt there
        check_fix(
            R,
            "src/components/form.tsx",
            "'use client'\nconst csrfToken = Math.random().toString(36).slice(2);\n",
            true,
            "'use client'\nconst csrfToken = crypto.randomUUID();\n",
        );
        let d = findings(
            R,
            "src/components/pin.tsx",
            "'use client'\nconst pinCode = Math.floor(Math.random() * 10000);\n",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn no_fix_for_other_shapes_or_a_foreign_crypto() {
        for text in [
            "const token = `${Date.now()}${Math.random()}`;\n",
            "import crypto from 'crypto-js';\nconst token = Math.random().toString(36);\n",
            "const otpCode = Math.floor(min + Math.random() * span);\n",
        ] {
            let d = findings(R, "src/a.ts", text);
            assert_eq!(d.len(), 1, "{text}");
            assert!(d[0].fix().is_none(), "{text}");
        }
        let d = findings(R, "src/a.ts", "const token = Math.random().toString(36);\n");
        assert_eq!(
            d[0].fix().map(|f| f.applicability),
            Some(Applicability::Unsafe)
        );
    }

    #[test]
    fn member_access_split_over_lines_passes_the_prefilter() {
        assert_flags(
            R,
            "src/a.ts",
            "const sessionToken = Math\n  .random()\n  .toString(36);\n",
            1,
        );
    }

    #[test]
    fn ranges_with_emoji_accents_and_crlf() {
        let text = "// café ☕ 🎉\r\nconst label = 'Zoë 🎉'; const sessionToken = Math.random().toString(36);\r\n";
        let found = assert_flags(R, "src/a.ts", text, 1);
        assert_eq!(found, vec!["Math.random()"]);
    }
}
