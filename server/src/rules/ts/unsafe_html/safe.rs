//! Whether a value written as HTML is safe: a constant, a sanitizer's output,
//! escaped text, or JSON (escaped or not).

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

/// What a value written as HTML is, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Verdict {
    /// A constant, a sanitizer's output, escaped text.
    Safe,
    /// `JSON.stringify(data)` without `<` escaped (a `</script>` in the data
    /// ends a JSON-LD script).
    Json,
    /// Anything else: data that reaches the page as markup.
    Unsafe,
}

/// Sanitizer modules: any function they export (or their default) cleans HTML.
const SANITIZER_MODULES: &[&str] = &[
    "dompurify",
    "isomorphic-dompurify",
    "sanitize-html",
    "xss",
    "insane",
    "xss-filters",
];

/// Words of a callee name that say it sanitizes or escapes its argument
/// (`sanitizeSurveyHtml`, `escapeHtml`, `filterXSS`, `stripTags`).
const CLEANING_WORDS: &[&str] = &[
    "sanitize",
    "sanitise",
    "sanitizer",
    "purify",
    "escape",
    "xss",
    "encode",
    "highlight",
    "highlighted",
];

/// Words of a variable name that say its value was cleaned or produced by an
/// escaping renderer (`safeHtml`, `sanitizedHTML`, `highlightedCode`), or is
/// CSS (`cssVariables`).
const CLEAN_VALUE_WORDS: &[&str] = &[
    "safe",
    "sanitized",
    "sanitised",
    "clean",
    "cleaned",
    "escaped",
    "purified",
    "highlighted",
    "css",
    "svg",
];

/// Renderers whose output escapes the text they are given: code highlighters
/// (shiki, sugar-high, highlight.js, Prism), KaTeX.
const ESCAPING_RENDERERS: &[&str] = &[
    "highlight",
    "highlightauto",
    "highlightelement",
    "codetohtml",
    "rendertostring",
];

/// Modules whose renderers escape the text they are given or generate their
/// own markup: highlighters (shiki, sugar-high, highlight.js, Prism), KaTeX,
/// ANSI colouring (fancy-ansi), QR codes (uqr, qrcode), mermaid (sanitizes its SVG).
const ESCAPING_MODULES: &[&str] = &[
    "shiki",
    "sugar-high",
    "highlight.js",
    "prismjs",
    "katex",
    "fancy-ansi",
    "uqr",
    "qrcode",
    "mermaid",
    // Escapes raw HTML unless made with `html: true` (checked in `callee_module`).
    "markdown-it",
];

/// Words of a component parameter that say it holds the app's own copy.
const PROSE_WORDS: &[&str] = &[
    "text",
    "label",
    "title",
    "description",
    "help",
    "hint",
    "caption",
    "tooltip",
    "placeholder",
];

/// The most setter calls of a React state followed.
const MAX_SETTER_CALLS: usize = 16;

/// Words of a name passed to `JSON.stringify` that say it is the server's own
/// configuration (`publicEnv`, `siteConfig`, `cspNonce`).
const CONFIG_WORDS: &[&str] = &["env", "config", "settings", "nonce"];

/// Modules whose imports are constant text (SVG, HTML, CSS, raw-text imports).
fn constant_module(specifier: &str) -> bool {
    let s = specifier.to_ascii_lowercase();
    [".svg", ".html", ".css", ".md", ".txt"]
        .iter()
        .any(|e| s.ends_with(e))
        || s.contains("?raw")
        || s.contains("?inline")
}

/// `THEME_SCRIPT`, `CAP_LOGO_SVG`: a constant by naming convention.
fn screaming(name: &str) -> bool {
    name.len() > 1
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The verdict on `expr`, looking through local constants (bounded) and the
/// return values of local functions.
pub(super) fn judge(expr: Node<'_>, src: &Script<'_>) -> Verdict {
    judge_at(expr, src, 0)
}

/// How many local names or functions a value is followed through.
const MAX_HOPS: usize = 8;

fn judge_at(expr: Node<'_>, src: &Script<'_>, hops: usize) -> Verdict {
    let Some(_level) = ast::descend() else {
        return Verdict::Unsafe;
    };
    let expr = ast::unwrap_expr(expr);
    match expr.kind_name() {
        kind::STRING
        | kind::NUMBER
        | kind::TRUE
        | kind::FALSE
        | kind::NULL
        | kind::UNDEFINED
        | kind::REGEX => Verdict::Safe,
        kind::TEMPLATE_STRING => worst(
            named_children(expr)
                .filter(|n| n.kind_name() == kind::TEMPLATE_SUBSTITUTION)
                .filter_map(|s| s.named_child(0)),
            src,
            hops,
        ),
        kind::BINARY_EXPRESSION | kind::TERNARY_EXPRESSION => {
            let parts = [
                expr.field(Field::Left),
                expr.field(Field::Right),
                expr.field(Field::Consequence),
                expr.field(Field::Alternative),
            ];
            worst(parts.into_iter().flatten(), src, hops)
        }
        kind::AWAIT_EXPRESSION => expr
            .named_child(0)
            .map_or(Verdict::Unsafe, |e| judge_at(e, src, hops)),
        kind::OBJECT | kind::ARRAY => worst(
            named_children(expr).filter_map(|c| match c.kind_name() {
                kind::PAIR => c.field(Field::Value),
                kind::COMMENT => None,
                _ => Some(c),
            }),
            src,
            hops,
        ),
        kind::SHORTHAND_PROPERTY_IDENTIFIER | kind::IDENTIFIER => identifier(expr, src, hops),
        kind::SPREAD_ELEMENT => expr
            .named_child(0)
            .map_or(Verdict::Unsafe, |e| judge_at(e, src, hops)),
        kind::MEMBER_EXPRESSION => member(expr, src, hops),
        // `FAQS[0].answer`: as safe as the array.
        kind::SUBSCRIPT_EXPRESSION => expr
            .field(Field::Object)
            .map_or(Verdict::Unsafe, |o| judge_at(o, src, hops)),
        kind::CALL_EXPRESSION => call(expr, src, hops),
        _ => Verdict::Unsafe,
    }
}

fn named_children(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut c = node.walk();
    let v: Vec<Node<'_>> = node.named_children(&mut c).collect();
    v.into_iter()
}

fn worst<'t>(parts: impl Iterator<Item = Node<'t>>, src: &Script<'_>, hops: usize) -> Verdict {
    let mut verdict = Verdict::Safe;
    for p in parts {
        verdict = verdict.max(judge_at(p, src, hops));
        if verdict == Verdict::Unsafe {
            break;
        }
    }
    verdict
}

fn identifier(ident: Node<'_>, src: &Script<'_>, hops: usize) -> Verdict {
    let name = ast::text(ident, src);
    if name == "undefined" {
        return Verdict::Safe;
    }
    if ast::name_words(name)
        .iter()
        .any(|w| CLEAN_VALUE_WORDS.contains(&w.as_str()))
    {
        return Verdict::Safe;
    }
    let Some(binding) = src.declaration(ident, name) else {
        return if screaming(name) {
            Verdict::Safe
        } else {
            Verdict::Unsafe
        };
    };
    if let Some((module, _)) = binding.module() {
        return if constant_module(module) || screaming(name) {
            Verdict::Safe
        } else {
            Verdict::Unsafe
        };
    }
    // `const { description } = props`: a prop like a destructured parameter.
    let from_props = binding.destructured
        && binding.kind == BindingKind::Const
        && binding
            .value
            .map(ast::unwrap_expr)
            .filter(|v| v.kind_name() == kind::IDENTIFIER)
            .and_then(|v| src.declaration(v, ast::text(v, src)))
            .is_some_and(|b| b.kind == BindingKind::Param);
    if from_props && is_prose(name) {
        return Verdict::Safe;
    }
    if binding.kind == BindingKind::Param {
        // A component's copy prop (`{ helpText }`, `{ description }`): the
        // app's own text with inline markup, by the name the component gives it.
        if binding.destructured && is_prose(name) {
            return Verdict::Safe;
        }
        if hops < MAX_HOPS {
            return callback_parameter(binding.decl, src, hops + 1);
        }
        return Verdict::Unsafe;
    }
    if let Some(values) = state_values(binding, src) {
        return if hops < MAX_HOPS {
            worst(values.into_iter(), src, hops + 1)
        } else {
            Verdict::Unsafe
        };
    }
    let is_const = binding.kind == BindingKind::Const;
    if is_const && hops < MAX_HOPS {
        if let Some(value) = binding.simple_value() {
            return judge_at(value, src, hops + 1);
        }
    }
    if screaming(name) && is_const {
        return Verdict::Safe;
    }
    Verdict::Unsafe
}

/// `hljs.highlight(code, opts).value`, `STRINGS.intro`, `content.faqs`: the
/// property of a local object literal when it can be found, else the object.
fn member(expr: Node<'_>, src: &Script<'_>, hops: usize) -> Verdict {
    let mut path = Vec::new();
    let mut cur = expr;
    while cur.kind_name() == kind::MEMBER_EXPRESSION && path.len() < 16 {
        let Some(prop) = cur.field(Field::Property) else {
            return Verdict::Unsafe;
        };
        path.push(ast::text(prop, src));
        let Some(object) = cur.field(Field::Object).map(ast::unwrap_expr) else {
            return Verdict::Unsafe;
        };
        cur = object;
    }
    match cur.kind_name() {
        kind::CALL_EXPRESSION => call(cur, src, hops),
        kind::SUBSCRIPT_EXPRESSION => judge_at(cur, src, hops),
        kind::IDENTIFIER => {
            let name = ast::text(cur, src);
            let object = src
                .declaration(cur, name)
                .filter(|b| b.kind == BindingKind::Const)
                .and_then(|b| b.simple_value())
                .map(ast::unwrap_expr);
            match object.and_then(|o| property_path(o, &path, src)) {
                Some(v) if hops < MAX_HOPS => judge_at(v, src, hops + 1),
                // A member of a constant (`SCREAMING_CASE`, an element of a
                // constant array being mapped).
                _ => identifier(cur, src, hops),
            }
        }
        _ => Verdict::Unsafe,
    }
}

/// `{ faqs: [...] }` and `["faqs"]` (innermost property last in `path`) → the value.
fn property_path<'t>(object: Node<'t>, path: &[&str], src: &str) -> Option<Node<'t>> {
    let mut value = object;
    for key in path.iter().rev() {
        if value.kind_name() != kind::OBJECT {
            return Some(value);
        }
        value = named_children(value).find_map(|p| {
            (p.kind_name() == kind::PAIR
                && p.field(Field::Key).is_some_and(|k| {
                    ast::string_value(k, src).as_deref() == Some(*key) || ast::text(k, src) == *key
                }))
            .then(|| p.field(Field::Value))
            .flatten()
        })?;
        value = ast::unwrap_expr(value);
    }
    Some(value)
}

fn call(expr: Node<'_>, src: &Script<'_>, hops: usize) -> Verdict {
    let Some(callee) = expr.field(Field::Function) else {
        return Verdict::Unsafe;
    };
    let args = ast::call_arguments(expr);
    if is_sanitizer(callee, src)
        || callee_module(callee, src).is_some_and(|m| ESCAPING_MODULES.contains(&m.as_str()))
    {
        return Verdict::Safe;
    }
    let path = ast::member_path(callee, src).unwrap_or_default();
    if path == "JSON.stringify" {
        return match args.first() {
            Some(a) if config_name(*a, src) || judge_at(*a, src, hops) == Verdict::Safe => {
                Verdict::Safe
            }
            _ => Verdict::Json,
        };
    }
    let name = match callee.kind_name() {
        kind::MEMBER_EXPRESSION => callee.field(Field::Property).map(|p| ast::text(p, src)),
        kind::IDENTIFIER => Some(ast::text(callee, src)),
        _ => None,
    }
    .unwrap_or("");
    let last = name.to_ascii_lowercase();
    if matches!(last.as_str(), "replace" | "replaceall") {
        // `json.replace(/</g, '\\u003c')`: the escape that makes JSON safe in a script.
        if args
            .first()
            .is_some_and(|a| ast::text(*a, src).contains('<'))
        {
            return Verdict::Safe;
        }
        return receiver(callee, src, hops);
    }
    // `CONSTANTS.map((c) => …)`: the callback's result, its parameters as safe as the array.
    if matches!(last.as_str(), "map" | "flatmap") {
        let func = args
            .first()
            .map(|a| ast::unwrap_expr(*a))
            .filter(|f| ast::is_function(*f));
        return match (
            func.and_then(|f| f.field(Field::Body)),
            receiver(callee, src, hops),
        ) {
            (Some(body), Verdict::Safe) if hops < MAX_HOPS => returned(body, src, hops + 1),
            _ => Verdict::Unsafe,
        };
    }
    if matches!(
        last.as_str(),
        "filter"
            | "trim"
            | "tostring"
            | "join"
            | "concat"
            | "slice"
            | "substring"
            | "tolowercase"
            | "touppercase"
    ) {
        let receiver = receiver(callee, src, hops);
        return args
            .iter()
            .fold(receiver, |v, a| v.max(judge_at(*a, src, hops)));
    }
    let words = ast::name_words(name);
    if words.iter().any(|w| CLEANING_WORDS.contains(&w.as_str()))
        || ESCAPING_RENDERERS.contains(&last.as_str())
    {
        return Verdict::Safe;
    }
    // A plain function given only constants (`createBreadcrumbSchema([{ … }])`):
    // its output is the app's own.
    if callee.kind_name() == kind::IDENTIFIER
        && !args.is_empty()
        && args
            .iter()
            .all(|a| judge_at(*a, src, hops) == Verdict::Safe)
        && local_function_body(callee, src).is_none()
    {
        return Verdict::Safe;
    }
    // i18n: `t('home.title')` — translations are the developers' text.
    if matches!(last.as_str(), "t" | "formatmessage")
        && args
            .first()
            .is_some_and(|a| ast::string_value(*a, src).is_some())
    {
        return Verdict::Safe;
    }
    // A local function: what it returns.
    if callee.kind_name() == kind::IDENTIFIER && hops < MAX_HOPS {
        if let Some(body) = local_function_body(callee, src) {
            return returned(body, src, hops + 1);
        }
    }
    Verdict::Unsafe
}

fn is_prose(name: &str) -> bool {
    ast::name_words(name)
        .iter()
        .any(|w| PROSE_WORDS.contains(&w.as_str()))
}

/// The values a React state takes: `const [html, setHtml] = useState(init)` →
/// `init` and the first argument of each `setHtml(…)` call in the component
/// (found by name in the component's text; `None` when it is not such a state,
/// the setter is passed on, or it is called too often to follow).
fn state_values<'t>(
    binding: &crate::ts::semantic::Binding<'t>,
    src: &Script<'t>,
) -> Option<Vec<Node<'t>>> {
    let call = binding.value.map(ast::unwrap_expr)?;
    if call.kind_name() != kind::CALL_EXPRESSION
        || !ast::callee_path(call, src).is_some_and(|p| p == "useState" || p == "React.useState")
    {
        return None;
    }
    let pattern = binding
        .element
        .parent()
        .filter(|p| p.kind_name() == kind::ARRAY_PATTERN)?;
    let mut elements = named_children(pattern);
    if elements.next().map(|e| e.id()) != Some(binding.element.id()) {
        return None;
    }
    let setter = elements
        .next()
        .filter(|e| e.kind_name() == kind::IDENTIFIER)?;
    let setter_name = ast::text(setter, src);
    let component = ast::enclosing_function(pattern)?;
    let root = src.program(component);
    let mut values: Vec<Node<'t>> = ast::call_arguments(call).into_iter().take(1).collect();
    let body = component.byte_range();
    let text = src.get(body.clone())?;
    let mut calls = 0;
    for (i, _) in text.match_indices(setter_name) {
        let start = body.start + i;
        let Some(ident) = root
            .descendant_for_byte_range(start, start + setter_name.len())
            .filter(|n| n.kind_name() == kind::IDENTIFIER)
        else {
            continue;
        };
        if ident.id() == setter.id() {
            continue;
        }
        let parent = ident.parent()?;
        // Anything but a direct call (passed on, aliased): not followed.
        if parent.kind_name() != kind::CALL_EXPRESSION
            || parent.field(Field::Function).map(|f| f.id()) != Some(ident.id())
        {
            return None;
        }
        calls += 1;
        if calls > MAX_SETTER_CALLS {
            return None;
        }
        let arg = ast::call_arguments(parent).into_iter().next()?;
        // An updater function (`setHtml((old) => …)`) is not followed.
        if ast::is_function(ast::unwrap_expr(arg)) {
            return None;
        }
        values.push(arg);
    }
    Some(values)
}

/// A parameter of a callback that iterates a constant array
/// (`FAQS.map((faq) => …)`) or receives a promise's value
/// (`codeToHtml(code).then((html) => …)`): as safe as the array or promise.
fn callback_parameter(param: Node<'_>, src: &Script<'_>, hops: usize) -> Verdict {
    let call = param
        .parent()
        .filter(|p| p.kind_name() == kind::FORMAL_PARAMETERS)
        .or(Some(param))
        .and_then(|p| p.parent())
        .filter(|f| ast::is_function(*f))
        .and_then(|f| f.parent())
        .filter(|a| a.kind_name() == kind::ARGUMENTS)
        .and_then(|a| a.parent());
    let Some(callee) = call.and_then(|c| c.field(Field::Function)) else {
        return Verdict::Unsafe;
    };
    let iterates = callee.kind_name() == kind::MEMBER_EXPRESSION
        && callee.field(Field::Property).is_some_and(|p| {
            matches!(
                ast::text(p, src),
                "map" | "flatMap" | "filter" | "forEach" | "find" | "then"
            )
        });
    if !iterates {
        return Verdict::Unsafe;
    }
    receiver(callee, src, hops)
}

/// `publicEnv`, `siteConfig ?? {}`: the server's own configuration.
fn config_name(arg: Node<'_>, src: &Script<'_>) -> bool {
    let mut arg = ast::unwrap_expr(arg);
    if arg.kind_name() == kind::BINARY_EXPRESSION {
        match arg.field(Field::Left) {
            Some(l) => arg = ast::unwrap_expr(l),
            None => return false,
        }
    }
    arg.kind_name() == kind::IDENTIFIER
        && ast::name_words(ast::text(arg, src))
            .iter()
            .any(|w| CONFIG_WORDS.contains(&w.as_str()))
}

/// The receiver of a method call (`x` in `x.trim()`).
fn receiver(callee: Node<'_>, src: &Script<'_>, hops: usize) -> Verdict {
    match callee.kind_name() {
        kind::MEMBER_EXPRESSION => callee
            .field(Field::Object)
            .map_or(Verdict::Unsafe, |o| judge_at(o, src, hops)),
        _ => Verdict::Unsafe,
    }
}

/// A call to a sanitizer: a function of a sanitizer module (through imports
/// and `require`s, also one-hop locals such as `const purify = DOMPurify(window)`),
/// or a `DOMPurify.sanitize` / `sanitizeHtml` / `xss` call by name.
fn is_sanitizer(callee: Node<'_>, src: &Script<'_>) -> bool {
    if callee_module(callee, src).is_some_and(|m| SANITIZER_MODULES.contains(&m.as_str())) {
        return true;
    }
    let path = ast::member_path(callee, src).unwrap_or_default();
    let lower = path.to_ascii_lowercase();
    lower.ends_with("dompurify.sanitize")
        || lower.ends_with("purify.sanitize")
        || matches!(lower.as_str(), "sanitizehtml" | "xss" | "filterxss")
}

/// The module a callee comes from: its qualified name's, or for a method of a
/// local made by a module's factory or class (`const purify = DOMPurify(window)`,
/// `const ansi = new FancyAnsi()`), that module.
fn callee_module(callee: Node<'_>, src: &Script<'_>) -> Option<String> {
    if let Some(q) = src.qualified_name(callee) {
        return Some(q.module);
    }
    if callee.kind_name() != kind::MEMBER_EXPRESSION {
        return None;
    }
    let obj = callee.field(Field::Object).map(ast::unwrap_expr)?;
    if obj.kind_name() != kind::IDENTIFIER {
        return None;
    }
    let made = src
        .value_of(obj, ast::text(obj, src))
        .map(ast::unwrap_expr)?;
    let maker = match made.kind_name() {
        kind::CALL_EXPRESSION => made.field(Field::Function)?,
        kind::NEW_EXPRESSION => made.field(Field::Constructor)?,
        _ => return None,
    };
    let module = src.qualified_name(maker).map(|q| q.module)?;
    // `new MarkdownIt({ html: true })` passes raw HTML through.
    if module == "markdown-it" {
        let options = ast::text(made, src).replace(char::is_whitespace, "");
        if options.contains("html:true") {
            return Some("markdown-it (html: true)".to_string());
        }
    }
    Some(module)
}

/// The body of the local function `callee` names: a function declaration or a
/// `const f = (…) => …` / `function` expression.
fn local_function_body<'t>(callee: Node<'_>, src: &Script<'t>) -> Option<Node<'t>> {
    let name = ast::text(callee, src);
    let binding = src.declaration(callee, name)?;
    let func = if binding.decl.kind_name() == kind::FUNCTION_DECLARATION {
        binding.decl
    } else {
        binding
            .simple_value()
            .map(ast::unwrap_expr)
            .filter(|v| ast::is_function(*v))?
    };
    func.field(Field::Body)
}

/// The worst verdict over the values a function body returns: an arrow's
/// expression body, or the `return` statements at the top of its block
/// (and one level of `if`/block nesting).
fn returned(body: Node<'_>, src: &Script<'_>, hops: usize) -> Verdict {
    if body.kind_name() != kind::STATEMENT_BLOCK {
        return judge_at(body, src, hops);
    }
    let mut values = Vec::new();
    let mut stack = vec![(body, 0usize)];
    while let Some((node, depth)) = stack.pop() {
        for stmt in named_children(node) {
            match stmt.kind_name() {
                kind::RETURN_STATEMENT => match stmt.named_child(0) {
                    Some(v) => values.push(v),
                    None => return Verdict::Unsafe,
                },
                kind::IF_STATEMENT | kind::STATEMENT_BLOCK | kind::ELSE_CLAUSE if depth < 3 => {
                    stack.push((stmt, depth + 1));
                }
                _ => {}
            }
        }
    }
    if values.is_empty() {
        return Verdict::Unsafe;
    }
    worst(values.into_iter(), src, hops)
}
