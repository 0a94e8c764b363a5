//! `unsafe-html`: data written to the page as markup without a sanitizer.

mod fix;
mod safe;
#[cfg(test)]
mod tests;

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::{self, KindExt};
use safe::Verdict;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "unsafe-html",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Error,
        fix: FixKind::Unsafe,
        not_in_tests: false,
        summary: "A non-constant value is written to the page as HTML without a sanitizer",
        docs: DOCS,
        triggers: &[
            "dangerouslySetInnerHTML",
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
        ],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    kinds: &[
        kind::JSX_ATTRIBUTE,
        kind::PAIR,
        kind::ASSIGNMENT_EXPRESSION,
        kind::AUGMENTED_ASSIGNMENT_EXPRESSION,
        kind::CALL_EXPRESSION,
    ],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags a value written to the page as HTML — `dangerouslySetInnerHTML={{ __html: x }}`
(also as a `createElement` prop), `el.innerHTML = x` / `+=`, `el.outerHTML = x`,
`el.insertAdjacentHTML(pos, x)`, `document.write(x)` — when `x` is not a constant and
does not come out of a sanitizer: `DOMPurify.sanitize` (`dompurify`,
`isomorphic-dompurify`, also through `const purify = DOMPurify(window)`),
`sanitize-html`, `xss` / `filterXSS`, any function imported from those modules, or a
function named like an escaper (`escapeHtml`, `sanitize…`). Local constants, template
literals of constants, SVG/HTML/CSS or `?raw` imports, `SCREAMING_CASE` constants and
what local functions return are followed (a few hops). Code highlighters and KaTeX
(`highlight`, `codeToHtml`, `renderToString`) escape their input and are quiet, and so
are translations (`t('key')`) and markup copied from the DOM (`el.outerHTML = el.innerHTML`).

JSON built with `JSON.stringify(data)` (JSON-LD in a `<script>`) is a warning unless `<`
is escaped (`.replace(/</g, '\\u003c')`) or the data is a constant. `<style>` elements
are not checked: their content is CSS built from the app's own theme.

## Why is this bad?
Markup built from data runs the scripts that data carries: a user's name, a CMS field,
an API response or a webhook body rendered this way is a stored or reflected XSS. In
JSON-LD, a `</script>` inside the data closes the script element early and whatever
follows is parsed as HTML.

## Examples
```tsx flagged lines=2,6
export function Bio({ user }: { user: User }) {
  return <div dangerouslySetInnerHTML={{ __html: user.bio }} />;
}

export function Article({ post }: { post: Post }) {
  return <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(post) }} />;
}
```

```ts flagged lines=2
export function showError(el: HTMLElement, message: string) {
  el.innerHTML = `<p class="error">${message}</p>`;
}
```

```tsx ok
import DOMPurify from 'isomorphic-dompurify';
const ICON = '<svg viewBox="0 0 24 24"></svg>';
export function Bio({ user, post }: { user: User; post: Post }) {
  return (
    <>
      <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(user.bio) }} />
      <span dangerouslySetInnerHTML={{ __html: ICON }} />
      <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(post).replace(/</g, '\\u003c') }} />
    </>
  );
}
```

## Fix
**Unsafe**: wraps the value in `DOMPurify.sanitize(…)` and imports `DOMPurify` when the
file does not already (from `isomorphic-dompurify` for `dangerouslySetInnerHTML`, which
also renders on the server; from `dompurify` for the DOM sinks, which run in the browser;
a `require` in a CommonJS file) — add the package to the project. Sanitizing changes the
markup (scripts, event handlers and unknown tags are dropped). For `JSON.stringify(…)`
the fix escapes `<` instead (`.replace(/</g, '\\u003c')`), which keeps the JSON valid.
"#;

/// Where the value goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// `dangerouslySetInnerHTML` (JSX or a props object), and whether the element is a `<script>`.
    React { script: bool },
    /// A DOM property or method.
    Dom,
}

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.source;
    // Minified bundles checked into the repository are not the app's code.
    if cx.file.path.to_string_lossy().ends_with(".min.js") {
        return;
    }
    let found = match node.kind_name() {
        kind::JSX_ATTRIBUTE => jsx_attribute(node, src),
        kind::PAIR => props_pair(node, src),
        kind::ASSIGNMENT_EXPRESSION | kind::AUGMENTED_ASSIGNMENT_EXPRESSION => {
            dom_assignment(node, src)
        }
        kind::CALL_EXPRESSION => dom_call(node, src),
        _ => None,
    };
    let Some((value, sink)) = found else {
        return;
    };
    let script = cx.script();
    let verdict = safe::judge(value, &script);
    let snippet = snippet(value, src);
    match verdict {
        Verdict::Safe => {}
        Verdict::Json => {
            let place = if sink == (Sink::React { script: true }) {
                "into a `<script>`"
            } else {
                "as HTML"
            };
            let fix = fix::escape_json(value, &script);
            let d = cx
                .report(
                    value.byte_range(),
                    format!(
                        "{snippet} is written {place} without escaping `<`: a `</script>` in the data ends the script and the rest runs as HTML; add `.replace(/</g, '\\\\u003c')`"
                    ),
                )
                .with_level(Level::Warn);
            if let Some(fix) = fix {
                d.with_fix(fix);
            }
        }
        Verdict::Unsafe => {
            let fix = fix::sanitize(cx, value, sink == Sink::Dom);
            let instead = match sink {
                Sink::React { .. } => {
                    "render it as text, or pass it through `DOMPurify.sanitize(…)`"
                }
                Sink::Dom => {
                    "assign `textContent` instead, or pass it through `DOMPurify.sanitize(…)`"
                }
            };
            let d = cx.report(
                value.byte_range(),
                format!("{snippet} is inserted as HTML without a sanitizer (XSS); {instead}"),
            );
            if let Some(fix) = fix {
                d.with_fix(fix);
            }
        }
    }
}

/// The value's text for a message, as inline code: its first line, at most 40
/// characters (a template literal in double backticks).
fn snippet(value: Node<'_>, src: &str) -> String {
    let text = ast::text(value, src);
    let first = text.lines().next().unwrap_or("").trim_end();
    let mut out: String = first.chars().take(40).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    if out.contains('`') {
        format!("`` {out} ``")
    } else {
        format!("`{out}`")
    }
}

/// `<div dangerouslySetInnerHTML={{ __html: x }} />` → `x` (not in `<style>`).
fn jsx_attribute<'t>(attr: Node<'t>, src: &str) -> Option<(Node<'t>, Sink)> {
    let name = attr.named_child(0)?;
    if ast::text(name, src) != "dangerouslySetInnerHTML" {
        return None;
    }
    let expr = attr.named_child(1)?;
    if expr.kind_name() != kind::JSX_EXPRESSION {
        return None;
    }
    let object = ast::unwrap_expr(expr.named_child(0)?);
    let element = attr
        .parent()
        .and_then(|e| e.field(Field::Name))
        .map(|n| ast::text(n, src))
        .unwrap_or("");
    if element == "style" {
        return None;
    }
    // `<script>` and Next's `<Script>`.
    let script = element.eq_ignore_ascii_case("script");
    Some((html_value(object, src)?, Sink::React { script }))
}

/// `createElement('div', { dangerouslySetInnerHTML: { __html: x } })` → `x`.
fn props_pair<'t>(pair: Node<'t>, src: &str) -> Option<(Node<'t>, Sink)> {
    let key = pair.field(Field::Key)?;
    let key = ast::string_value(key, src).unwrap_or_else(|| ast::text(key, src).to_string());
    if key != "dangerouslySetInnerHTML" {
        return None;
    }
    let object = ast::unwrap_expr(pair.field(Field::Value)?);
    Some((html_value(object, src)?, Sink::React { script: false }))
}

/// The `__html` value of `{ __html: x }` (or the shorthand `{ __html }`).
fn html_value<'t>(object: Node<'t>, src: &str) -> Option<Node<'t>> {
    if object.kind_name() != kind::OBJECT {
        return None;
    }
    let mut c = object.walk();
    let children: Vec<Node<'t>> = object.named_children(&mut c).collect();
    children.into_iter().find_map(|p| match p.kind_name() {
        kind::PAIR => p
            .field(Field::Key)
            .filter(|k| {
                ast::string_value(*k, src).as_deref() == Some("__html")
                    || ast::text(*k, src) == "__html"
            })
            .and_then(|_| p.field(Field::Value)),
        kind::SHORTHAND_PROPERTY_IDENTIFIER if ast::text(p, src) == "__html" => Some(p),
        _ => None,
    })
}

/// `el.innerHTML = x`, `el.innerHTML += x`, `el.outerHTML = x` → `x`.
fn dom_assignment<'t>(assign: Node<'t>, src: &str) -> Option<(Node<'t>, Sink)> {
    let left = ast::unwrap_expr(assign.field(Field::Left)?);
    if left.kind_name() != kind::MEMBER_EXPRESSION {
        return None;
    }
    let prop = ast::text(left.field(Field::Property)?, src);
    if prop != "innerHTML" && prop != "outerHTML" {
        return None;
    }
    // A `<style>` element's CSS: `styleElement.innerHTML = css`.
    let target = left
        .field(Field::Object)
        .and_then(|o| ast::member_path(o, src))
        .unwrap_or_default();
    if target
        .rsplit('.')
        .next()
        .is_some_and(|n| ast::name_words(n).iter().any(|w| w == "style"))
    {
        return None;
    }
    let right = assign.field(Field::Right)?;
    // Markup copied from the DOM is already markup: `el.outerHTML = el.innerHTML`.
    let r = ast::unwrap_expr(right);
    if r.kind_name() == kind::MEMBER_EXPRESSION
        && r.field(Field::Property)
            .is_some_and(|p| matches!(ast::text(p, src), "innerHTML" | "outerHTML"))
    {
        return None;
    }
    Some((right, Sink::Dom))
}

/// `el.insertAdjacentHTML(pos, x)` → `x`; `document.write(x)` → `x`.
fn dom_call<'t>(call: Node<'t>, src: &str) -> Option<(Node<'t>, Sink)> {
    let path = ast::callee_path(call, src)?;
    let args = ast::call_arguments(call);
    if path.ends_with(".insertAdjacentHTML") {
        return args.get(1).map(|a| (*a, Sink::Dom));
    }
    if matches!(
        path.as_str(),
        "document.write" | "document.writeln" | "window.document.write" | "window.document.writeln"
    ) && args.len() == 1
    {
        return Some((args[0], Sink::Dom));
    }
    None
}
