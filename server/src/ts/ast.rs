//! Small, shared questions about tree-sitter TypeScript nodes. Rules use these
//! instead of re-implementing them: if a rule needs a new general question, add
//! it here with a test.

use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// Moved to the neutral `crate::text` (text-only helpers; SQL rules use them too).
pub use crate::text::{
    indent_unit, line_ending, line_indent, preferred_quote, preferred_quote_near, quoted,
};

/// How many levels the recursive helpers here and in the rules follow the tree
/// down (member chains, patterns, nested templates, conditions…) before they
/// give the conservative answer (not a known path, not provably safe, not
/// request data). Real code stays within a few dozen levels; the bound keeps
/// the stack use of every helper small whatever the input
/// (`docs/reliability.md`, "Rule cost and nesting").
pub const MAX_HELPER_DEPTH: usize = 128;

/// How many ancestors an upward scan (`node.parent()` in a loop) looks at
/// before it gives up with the conservative answer. The scans only need to
/// reach the enclosing statement or function; the bound keeps the per-node
/// cost independent of how deep the file nests.
pub const MAX_ANCESTOR_STEPS: usize = 256;

thread_local! {
    /// How many recursive helper calls are open on this thread ([`descend`]).
    static HELPER_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One open level of a recursive helper; closes when dropped (also when a rule
/// panics and unwinds).
pub struct Level(());

impl Drop for Level {
    fn drop(&mut self) {
        HELPER_DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Enter one level of a recursive tree helper: `None` when [`MAX_HELPER_DEPTH`]
/// levels are already open on this thread, and the caller must then return its
/// conservative answer. Every helper that calls itself (directly, through
/// another helper or through an [`visit`] callback) starts with
/// `let Some(_level) = ast::descend() else { return … };`, so the helpers'
/// stack use is bounded together, however they nest.
#[must_use]
pub fn descend() -> Option<Level> {
    HELPER_DEPTH.with(|d| {
        let open = d.get();
        if open >= MAX_HELPER_DEPTH {
            None
        } else {
            d.set(open + 1);
            Some(Level(()))
        }
    })
}

/// [`descend`] for a recursive check that also keeps its own depth (`depth`
/// levels so far, at most `max`): `None` past either limit.
pub fn descend_within(depth: usize, max: usize) -> Option<Level> {
    if depth > max {
        return None;
    }
    descend()
}

/// The source text of `node`.
pub fn text<'s>(node: Node, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

/// Strip parentheses, `as`/`satisfies`/non-null wrappers: `((x as any)!)` → `x`.
pub fn unwrap_expr(mut node: Node) -> Node {
    loop {
        match node.kind_name() {
            "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion" => match node.named_child(0) {
                Some(inner) if inner.kind_name() != "type_arguments" => node = inner,
                _ => return node,
            },
            "await_expression" => match node.named_child(0) {
                Some(inner) => node = inner,
                None => return node,
            },
            _ => return node,
        }
    }
}

/// The dotted path of a member expression or identifier, ignoring optional
/// chaining and `this`: `this.logger.info` → `this.logger.info`, `req?.body` →
/// `req.body`, `req["body"]` → `req.body`. `None` for anything else (calls,
/// computed non-literal keys, ...).
pub fn member_path(node: Node, source: &str) -> Option<String> {
    let _level = descend()?;
    let node = unwrap_paren(node);
    match node.kind_name() {
        "identifier"
        | "this"
        | "property_identifier"
        | "shorthand_property_identifier"
        | "super" => Some(text(node, source).to_string()),
        "member_expression" => {
            let object = node.field(Field::Object)?;
            let prop = node.field(Field::Property)?;
            let mut path = member_path(object, source)?;
            path.push('.');
            path.push_str(text(prop, source));
            Some(path)
        }
        "subscript_expression" => {
            let object = node.field(Field::Object)?;
            let index = node.field(Field::Index)?;
            let key = string_value(index, source)?;
            let mut path = member_path(object, source)?;
            path.push('.');
            path.push_str(&key);
            Some(path)
        }
        _ => None,
    }
}

fn unwrap_paren(mut node: Node) -> Node {
    while node.kind_name() == "parenthesized_expression"
        || node.kind_name() == "non_null_expression"
    {
        match node.named_child(0) {
            Some(n) => node = n,
            None => break,
        }
    }
    node
}

/// The callee path of a call expression: `app.use(...)` → `app.use`,
/// `new Foo()` → `Foo` (for `new_expression`). `None` when the callee is not a
/// plain path (e.g. `foo()()`).
pub fn callee_path(call: Node, source: &str) -> Option<String> {
    let callee = match call.kind_name() {
        "call_expression" => call.field(Field::Function)?,
        "new_expression" => call.field(Field::Constructor)?,
        _ => return None,
    };
    member_path(callee, source)
}

/// The last segment of a callee path: `console.log` → `log`.
pub fn callee_name(call: Node, source: &str) -> Option<String> {
    callee_path(call, source).map(|p| p.rsplit('.').next().unwrap_or("").to_string())
}

/// The argument nodes of a call or `new` expression (named children of
/// `arguments`, comments excluded). A tagged template has none.
pub fn call_arguments(call: Node) -> Vec<Node> {
    let Some(args) = call.field(Field::Arguments) else {
        return Vec::new();
    };
    if args.kind_name() != "arguments" {
        return Vec::new();
    }
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|n| n.kind_name() != "comment")
        .collect()
}

/// The value of a string literal, or of a template literal without
/// substitutions. Escapes are kept as written except `\'`, `\"` and `` \` ``.
pub fn string_value(node: Node, source: &str) -> Option<String> {
    let _level = descend()?;
    match node.kind_name() {
        "string" => {
            let raw = text(node, source);
            let inner = raw.get(1..raw.len().saturating_sub(1))?;
            Some(inner.replace("\\'", "'").replace("\\\"", "\""))
        }
        "template_string" => {
            let mut c = node.walk();
            if node
                .named_children(&mut c)
                .any(|n| n.kind_name() == "template_substitution")
            {
                return None;
            }
            let raw = text(node, source);
            Some(raw.get(1..raw.len().saturating_sub(1))?.replace("\\`", "`"))
        }
        "parenthesized_expression" => string_value(node.named_child(0)?, source),
        _ => None,
    }
}

/// Whether the node is a string or template literal (with or without substitutions).
pub fn is_string_like(node: Node) -> bool {
    matches!(node.kind_name(), "string" | "template_string")
}

/// Function-like node kinds.
/// `node`'s value is only tested, not used: an operand of a unary operator
/// (`!x`, `typeof x`) or of a comparison, or a ternary's condition.
pub fn is_only_tested(node: Node, source: &str) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind_name() {
        "unary_expression" => true,
        "binary_expression" => is_comparison(parent, source),
        "ternary_expression" => parent
            .field(Field::Condition)
            .is_some_and(|c| c.id() == node.id()),
        _ => false,
    }
}

/// `binary` is a comparison (`===`, `<`, `instanceof`, `in`…): its value is a
/// boolean, not either operand.
pub fn is_comparison(binary: Node, source: &str) -> bool {
    binary.kind_name() == "binary_expression"
        && binary
            .field(Field::Operator)
            .map(|o| text(o, source))
            .is_some_and(|op| {
                matches!(
                    op,
                    "===" | "!==" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "instanceof" | "in"
                )
            })
}

pub fn is_function(node: Node) -> bool {
    matches!(
        node.kind_name(),
        "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
    )
}

/// The nearest enclosing function of `node` (not `node` itself).
pub fn enclosing_function(node: Node) -> Option<Node> {
    ancestors(node).find(|n| is_function(*n))
}

/// The name a function is known by: its own name, the variable it is assigned
/// to, the property/method key, or the `export default` of the file.
pub fn function_name<'s>(func: Node, source: &'s str) -> Option<&'s str> {
    if let Some(name) = func.field(Field::Name) {
        return Some(text(name, source));
    }
    let parent = func.parent()?;
    match parent.kind_name() {
        "variable_declarator" => parent.field(Field::Name).map(|n| text(n, source)),
        "pair" => parent.field(Field::Key).map(|n| text(n, source)),
        "assignment_expression" => parent.field(Field::Left).map(|n| text(n, source)),
        _ => None,
    }
}

/// Leading directive strings (`'use cache'`, `'use client'`) of a `program` or a
/// function body (`statement_block`): the string expression statements before
/// the first other statement. Returns (statement node, string value).
pub fn directives<'t>(body: Node<'t>, source: &str) -> Vec<(Node<'t>, String)> {
    let mut out = Vec::new();
    let mut c = body.walk();
    for stmt in body.named_children(&mut c) {
        match stmt.kind_name() {
            "comment" | "hash_bang_line" => continue,
            "expression_statement" => {
                let Some(expr) = stmt.named_child(0) else {
                    break;
                };
                // A trailing comment without a semicolon (`'use cache' // why`)
                // is a child of the statement; it does not end the prologue.
                let mut cc = stmt.walk();
                let parts = stmt
                    .named_children(&mut cc)
                    .filter(|n| n.kind_name() != "comment")
                    .count();
                if expr.kind_name() != "string" || parts != 1 {
                    break;
                }
                match string_value(expr, source) {
                    Some(v) => out.push((stmt, v)),
                    None => break,
                }
            }
            _ => break,
        }
    }
    out
}

/// Visit every descendant of `node` (pre-order, `node` included) until `f`
/// returns `false` for a node, which skips that node's children.
pub fn visit<'t>(node: Node<'t>, f: &mut dyn FnMut(Node<'t>) -> bool) {
    let mut cursor = node.walk();
    let start = node.id();
    'walk: loop {
        let n = cursor.node();
        let descend = f(n);
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node().id() == start {
                break 'walk;
            }
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
}

/// Whether any descendant (or `node`) satisfies `pred`.
pub fn any_descendant(node: Node, pred: &mut dyn FnMut(Node) -> bool) -> bool {
    let mut found = false;
    visit(node, &mut |n| {
        if found {
            return false;
        }
        if pred(n) {
            found = true;
            return false;
        }
        true
    });
    found
}

/// Is `inner` inside `outer` (or equal)?
pub fn contains(outer: Node, inner: Node) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// The statement that contains `node` directly (the ancestor whose parent is a
/// block, program, or a brace-less `if` body).
pub fn enclosing_statement(node: Node) -> Option<Node> {
    let mut cur = Some(node);
    let mut steps = 0usize;
    while let Some(n) = cur.filter(|_| {
        steps += 1;
        steps <= MAX_ANCESTOR_STEPS
    }) {
        if n.kind_name().ends_with("_statement") || n.kind_name().ends_with("_declaration") {
            if let Some(p) = n.parent() {
                if matches!(
                    p.kind_name(),
                    "statement_block"
                        | "program"
                        | "if_statement"
                        | "else_clause"
                        | "switch_case"
                        | "switch_default"
                ) {
                    return Some(n);
                }
            }
        }
        cur = n.parent();
    }
    None
}

/// How a condition reads as an environment check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvCheck {
    /// True only outside production (`NODE_ENV === 'development'`, `!== 'production'`,
    /// `!isProd`, `isDev && verbose`): the branch it guards is development-only.
    DevOnly,
    /// False only outside production, i.e. true in every production run
    /// (`NODE_ENV === 'production'`, `isProd`, `NODE_ENV !== 'development'`,
    /// `isProd || isStaging`): its `else` branch, and the code after an early
    /// `return` under it, are development-only. The branch it guards is *not*
    /// production-only in general (`isProd || isStaging`), and nothing is said
    /// about it being development-only.
    ProdOnly,
}

/// What a condition implies about production, both ways.
#[derive(Clone, Copy, Default)]
struct EnvFacts {
    /// The condition is true only outside production.
    dev_if_true: bool,
    /// The condition is false only outside production.
    dev_if_false: bool,
}

/// Classify an `if` condition as a development/production check. The
/// polarity follows the operators: `A && B` is development-only when either
/// side is, but holds in all of production only when both sides do; `A || B`
/// the other way round; `!A` swaps the two. A condition that mixes an
/// environment check with something else in the other way (`isProd && x`,
/// `isDev || x`) is no guard for the branch it would need to be.
pub fn env_check(cond: Node, source: &str) -> Option<EnvCheck> {
    let f = env_facts(cond, source, 0);
    if f.dev_if_true {
        Some(EnvCheck::DevOnly)
    } else if f.dev_if_false {
        Some(EnvCheck::ProdOnly)
    } else {
        None
    }
}

/// Nesting of `!`, `&&`, `||` and parentheses looked through; deeper
/// conditions are no environment checks (and the recursion stays bounded).
const ENV_CHECK_MAX_DEPTH: usize = 16;

fn env_facts(cond: Node, source: &str, depth: usize) -> EnvFacts {
    let Some(_level) = descend() else {
        return EnvFacts::default();
    };
    let none = EnvFacts::default();
    if depth > ENV_CHECK_MAX_DEPTH {
        return none;
    }
    let cond = unwrap_paren(cond);
    match cond.kind_name() {
        "binary_expression" => {
            let Some(op) = cond.field(Field::Operator).map(|o| text(o, source)) else {
                return none;
            };
            let (Some(left), Some(right)) = (cond.field(Field::Left), cond.field(Field::Right))
            else {
                return none;
            };
            match op {
                "&&" => {
                    let l = env_facts(left, source, depth + 1);
                    let r = env_facts(right, source, depth + 1);
                    return EnvFacts {
                        dev_if_true: l.dev_if_true || r.dev_if_true,
                        dev_if_false: l.dev_if_false && r.dev_if_false,
                    };
                }
                "||" => {
                    let l = env_facts(left, source, depth + 1);
                    let r = env_facts(right, source, depth + 1);
                    return EnvFacts {
                        dev_if_true: l.dev_if_true && r.dev_if_true,
                        dev_if_false: l.dev_if_false || r.dev_if_false,
                    };
                }
                _ => {}
            }
            let negated = match op {
                "===" | "==" => false,
                "!==" | "!=" => true,
                _ => return none,
            };
            let value = if is_node_env(left, source) {
                right
            } else if is_node_env(right, source) {
                left
            } else {
                return none;
            };
            let Some(v) = string_value(value, source) else {
                return none;
            };
            let is_prod = matches!(v.as_str(), "production" | "prod");
            let is_dev = matches!(v.as_str(), "development" | "dev" | "test" | "local");
            // `=== 'production'` is false only outside production and
            // `=== 'development'` true only outside it; `!==` swaps them.
            let (dev_if_true, dev_if_false) = match (is_prod, is_dev) {
                (true, _) => (false, true),
                (_, true) => (true, false),
                _ => return none,
            };
            if negated {
                EnvFacts {
                    dev_if_true: dev_if_false,
                    dev_if_false: dev_if_true,
                }
            } else {
                EnvFacts {
                    dev_if_true,
                    dev_if_false,
                }
            }
        }
        "unary_expression" => {
            let op = cond.field(Field::Operator).map(|o| text(o, source));
            match (op, cond.field(Field::Argument)) {
                (Some("!"), Some(arg)) => {
                    let f = env_facts(arg, source, depth + 1);
                    EnvFacts {
                        dev_if_true: f.dev_if_false,
                        dev_if_false: f.dev_if_true,
                    }
                }
                _ => none,
            }
        }
        "identifier" | "member_expression" => {
            // `import.meta.env.DEV` (Vite) has no member path of its own
            let Some(name) = member_path(cond, source).or_else(|| {
                let t = text(cond, source);
                t.starts_with("import.meta.env.").then(|| t.to_string())
            }) else {
                return none;
            };
            let last = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            match last.as_str() {
                "isprod" | "isproduction" | "is_prod" | "is_production" | "production" | "prod" => {
                    EnvFacts {
                        dev_if_true: false,
                        dev_if_false: true,
                    }
                }
                "isdev" | "isdevelopment" | "is_dev" | "is_development" | "dev" | "debug"
                | "isdebug" | "islocal" => EnvFacts {
                    dev_if_true: true,
                    dev_if_false: false,
                },
                _ => none,
            }
        }
        _ => none,
    }
}

fn is_node_env(node: Node, source: &str) -> bool {
    matches!(
        member_path(node, source).as_deref(),
        Some(
            "process.env.NODE_ENV"
                | "import.meta.env.MODE"
                | "process.env.APP_ENV"
                | "process.env.VERCEL_ENV"
                | "process.env.NEXT_PUBLIC_VERCEL_ENV"
        )
    )
}

/// Whether `node` only runs outside production because of an enclosing `if`
/// (or conditional/`&&` expression): the consequence of a dev-only check, or the
/// `else` branch of a production check. Stops at the enclosing function.
pub fn in_dev_only_branch(node: Node, source: &str) -> bool {
    let mut child = node;
    for n in ancestors(node) {
        match n.kind_name() {
            "if_statement" | "ternary_expression" => {
                if let Some(cond) = n.field(Field::Condition) {
                    let check = env_check(cond, source);
                    let in_consequence = n
                        .field(Field::Consequence)
                        .is_some_and(|c| contains(c, child));
                    let in_alternative = n
                        .field(Field::Alternative)
                        .is_some_and(|c| contains(c, child));
                    if (check == Some(EnvCheck::DevOnly) && in_consequence)
                        || (check == Some(EnvCheck::ProdOnly) && in_alternative)
                    {
                        return true;
                    }
                }
            }
            "binary_expression" => {
                // `dev && log(…)` runs the right side only when the check is
                // true, `prod || log(…)` only when it is false.
                let wanted = match n.field(Field::Operator).map(|o| text(o, source)) {
                    Some("&&") => Some(EnvCheck::DevOnly),
                    Some("||") => Some(EnvCheck::ProdOnly),
                    _ => None,
                };
                if let (Some(wanted), Some(l), Some(r)) =
                    (wanted, n.field(Field::Left), n.field(Field::Right))
                {
                    if contains(r, child) && env_check(l, source) == Some(wanted) {
                        return true;
                    }
                }
            }
            _ if is_function(n) => return false,
            _ => {}
        }
        child = n;
    }
    false
}

// ---- rules1 (log-request-data, secret-fallback, hardcoded-secret) ----

/// Split an identifier, property key or env name into lower-case words:
/// `stripeSecretKey` → `stripe secret key`, `API_KEY` → `api key`, `x-api-key` →
/// `x api key`, `HTTPServer2` → `http server2`. Digits stay with the word before.
pub fn name_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars.get(i.wrapping_sub(1)).copied().unwrap_or(' ');
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            // `fooBar`, `foo2Bar` | `HTTPServer` (the `S` starts a word before a lower-case letter)
            if prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next.is_lowercase())
            {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The SCREAMING_SNAKE form of a name: `stripeSecretKey` → `STRIPE_SECRET_KEY`.
pub fn screaming_snake(name: &str) -> String {
    name_words(name)
        .iter()
        .map(|w| w.to_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// Where and what to insert to add `properties` (each `key: value` text) to
/// the object literal `object`: after its last property, on a new line with
/// that property's indentation when the object spans lines (a trailing comma
/// stays last), else after a `, `; inside the braces of an empty object.
pub fn append_properties(object: Node, properties: &[String], source: &str) -> (usize, String) {
    let mut c = object.walk();
    let last = object
        .named_children(&mut c)
        .filter(|n| n.kind_name() != "comment")
        .last();
    let Some(last) = last else {
        let open = object.start_byte() + 1;
        return (open, format!(" {} ", properties.join(", ")));
    };
    let at = last.end_byte();
    let multiline = source
        .get(object.start_byte()..object.end_byte())
        .is_some_and(|t| t.contains(['\n', '\r']));
    if multiline {
        let indent = line_indent(source, last.start_byte());
        let eol = line_ending(source);
        let text: String = properties
            .iter()
            .map(|p| format!(",{eol}{indent}{p}"))
            .collect();
        (at, text)
    } else {
        (at, format!(", {}", properties.join(", ")))
    }
}

/// [`value_root`] through `await` too: `(await req.json()) as Body` for
/// `req.json()`.
pub fn awaited_root(node: Node) -> Node {
    let mut top = value_root(node);
    let mut steps = 0usize;
    while let Some(p) = top.parent().filter(|p| {
        steps += 1;
        steps <= MAX_ANCESTOR_STEPS && p.kind_name() == "await_expression"
    }) {
        top = value_root(p);
    }
    top
}

/// The name a value initialises: `top` (a value root) is the value of a
/// `const x = …` / `let x = …` declarator binding one identifier; that
/// identifier.
pub fn initialised_local(top: Node) -> Option<Node> {
    top.parent()
        .filter(|d| d.kind_name() == "variable_declarator")
        .filter(|d| d.field(Field::Value).is_some_and(|v| v.id() == top.id()))
        .and_then(|d| d.field(Field::Name))
        .filter(|n| n.kind_name() == "identifier")
}

/// Every use of the local declared by `name` in `scope` — identifiers and
/// shorthand properties (`{ apiKey }`) with its text, other than `name`
/// itself — satisfies `each`, and there is at least one and at most `max`.
/// By text: a shadowing name counts as a use too (the answer stays on the
/// cautious side for the rules asking whether a value is only used safely).
pub fn every_use(
    name: Node,
    scope: Node,
    source: &str,
    max: usize,
    each: &mut dyn FnMut(Node) -> bool,
) -> bool {
    let local = text(name, source);
    let mut uses = 0usize;
    let mut all = true;
    visit(scope, &mut |n| {
        if !all || uses > max {
            return false;
        }
        if matches!(
            n.kind_name(),
            "identifier" | "shorthand_property_identifier"
        ) && n.id() != name.id()
            && text(n, source) == local
        {
            uses += 1;
            all = each(n);
        }
        true
    });
    all && (1..=max).contains(&uses)
}

/// Walk up from an expression through wrappers that keep its value
/// (parentheses, `as`, `satisfies`, `!`): the outermost such node.
pub fn value_root(mut node: Node) -> Node {
    let mut steps = 0usize;
    while let Some(p) = node.parent().filter(|_| {
        steps += 1;
        steps <= MAX_ANCESTOR_STEPS
    }) {
        if matches!(
            p.kind_name(),
            "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
        ) && p.named_child(0).is_some_and(|c| c.id() == node.id())
        {
            node = p;
        } else {
            break;
        }
    }
    node
}

/// The name a value is given where it is written: the variable it initialises,
/// the property or field it is assigned to (`this.apiKey = v` → `apiKey`,
/// `{ 'x-api-key': v }` → `x-api-key`), the parameter it is the default of, or
/// the JSX attribute it is the value of. `None` for anything else (arguments,
/// array elements, destructuring patterns, computed keys).
pub fn assigned_name(value: Node, source: &str) -> Option<String> {
    let value = value_root(value);
    let parent = value.parent()?;
    let is_field = |field: Field| parent.field(field).is_some_and(|v| v.id() == value.id());
    let key_name = |key: Node| -> Option<String> {
        match key.kind_name() {
            "property_identifier" | "identifier" | "shorthand_property_identifier_pattern" => {
                Some(text(key, source).to_string())
            }
            "private_property_identifier" => {
                Some(text(key, source).trim_start_matches('#').to_string())
            }
            "string" => string_value(key, source),
            _ => None,
        }
    };
    match parent.kind_name() {
        "variable_declarator" if is_field(Field::Value) => key_name(parent.field(Field::Name)?),
        "assignment_expression" if is_field(Field::Right) => {
            let left = parent.field(Field::Left)?;
            match left.kind_name() {
                "identifier" => Some(text(left, source).to_string()),
                "member_expression" => key_name(left.field(Field::Property)?),
                "subscript_expression" => string_value(left.field(Field::Index)?, source),
                _ => None,
            }
        }
        "pair" if is_field(Field::Value) => key_name(parent.field(Field::Key)?),
        "public_field_definition" | "field_definition" if is_field(Field::Value) => key_name(
            parent
                .field(Field::Name)
                .or_else(|| parent.field(Field::Property))?,
        ),
        "required_parameter" | "optional_parameter" if is_field(Field::Value) => {
            key_name(parent.field(Field::Pattern)?)
        }
        "assignment_pattern" | "object_assignment_pattern" if is_field(Field::Right) => {
            key_name(parent.field(Field::Left)?)
        }
        "jsx_expression" => {
            let attr = parent
                .parent()
                .filter(|a| a.kind_name() == "jsx_attribute")?;
            key_name(attr.named_child(0)?)
        }
        "jsx_attribute" => {
            let name = parent.named_child(0)?;
            (name.id() != value.id()).then(|| key_name(name)).flatten()
        }
        _ => None,
    }
}

/// Whether a statement is an early exit guarded by a production check
/// (`if (process.env.NODE_ENV === 'production') return;`, `if (isProd) { return }`,
/// `if (!isDev) throw …`): the statements after it in the same list only run
/// outside production.
fn is_prod_early_exit(stmt: Node, source: &str) -> bool {
    if stmt.kind_name() != "if_statement" || stmt.field(Field::Alternative).is_some() {
        return false;
    }
    let Some(cond) = stmt.field(Field::Condition) else {
        return false;
    };
    if env_check(cond, source) != Some(EnvCheck::ProdOnly) {
        return false;
    }
    let Some(body) = stmt.field(Field::Consequence) else {
        return false;
    };
    let exits = |n: Node| matches!(n.kind_name(), "return_statement" | "throw_statement");
    if body.kind_name() == "statement_block" {
        let mut c = body.walk();
        let last = body
            .named_children(&mut c)
            .filter(|n| n.kind_name() != "comment")
            .last();
        last.is_some_and(exits)
    } else {
        exits(body)
    }
}

/// Whether `node` only runs outside production as far as its own function
/// shows: [`in_dev_only_branch`], or after an early `return`/`throw` under a
/// production check in an enclosing statement list, or inside an anonymous
/// callback passed to a call that is itself dev-only (`if (dev) items.forEach(i => log(i))`).
pub fn in_dev_only_code(node: Node, source: &str) -> bool {
    in_dev_only_code_with(node, source, &mut EarlyExits::default())
}

/// A file's statement lists and where their first production early exit ends
/// (statement list id → end byte), so that [`in_dev_only_code_with`] reads each
/// list once per file instead of once per question (a flat file of 16,000
/// top-level statements made that quadratic).
#[derive(Default)]
pub struct EarlyExits(std::collections::HashMap<usize, Option<usize>>);

impl EarlyExits {
    /// Whether a statement of `list` that ends at or before `before` is a
    /// production early exit. The children are in document order, so that is
    /// the case exactly when the first early exit of the list ends by then.
    fn guards(&mut self, list: Node, before: usize, source: &str) -> bool {
        let first = *self.0.entry(list.id()).or_insert_with(|| {
            let mut c = list.walk();
            let first = list
                .named_children(&mut c)
                .find(|s| is_prod_early_exit(*s, source))
                .map(|s| s.end_byte());
            first
        });
        first.is_some_and(|end| end <= before)
    }
}

/// [`in_dev_only_code`] with a per-file cache of the statement lists' early exits.
pub fn in_dev_only_code_with(node: Node, source: &str, exits: &mut EarlyExits) -> bool {
    let mut node = node;
    for _ in 0..16 {
        if in_dev_only_branch(node, source) {
            return true;
        }
        // early exits in the statement lists between `node` and its function
        let mut cur = node;
        let mut func = None;
        let mut steps = 0usize;
        while let Some(p) = cur.parent().filter(|_| {
            steps += 1;
            steps <= MAX_ANCESTOR_STEPS
        }) {
            if is_function(p) {
                func = Some(p);
                break;
            }
            if matches!(
                p.kind_name(),
                "statement_block" | "program" | "switch_case" | "switch_default"
            ) && exits.guards(p, cur.start_byte(), source)
            {
                return true;
            }
            cur = p;
        }
        // an anonymous callback: continue from the call it is passed to
        match func {
            Some(f)
                if matches!(
                    f.kind_name(),
                    "arrow_function" | "function_expression" | "function"
                ) && f.parent().is_some_and(|a| a.kind_name() == "arguments") =>
            {
                match f.parent().and_then(|a| a.parent()) {
                    Some(call) => node = call,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// The indentation unit at statement `stmt`: how much deeper its line is
/// indented than the line where its enclosing block starts, else
/// [`indent_unit`].
pub fn indent_unit_at(stmt: Node, source: &str) -> String {
    indent_unit_at_with(stmt, source, &mut None)
}

/// [`indent_unit_at`] with the file's [`indent_unit`] kept in `file_unit` once
/// computed (it reads up to 500 lines; a caller with many findings asks once).
pub fn indent_unit_at_with(stmt: Node, source: &str, file_unit: &mut Option<String>) -> String {
    let indent = line_indent(source, stmt.start_byte());
    if let Some(parent) = stmt.parent().filter(|p| p.kind_name() != "program") {
        let outer = line_indent(source, parent.start_byte());
        if let Some(unit) = indent.strip_prefix(outer).filter(|u| !u.is_empty()) {
            return unit.to_string();
        }
    }
    file_unit.get_or_insert_with(|| indent_unit(source)).clone()
}

/// The byte range that removes statement `stmt` cleanly: its whole line(s)
/// (with the line ending, and a trailing `//` comment) when nothing else is on
/// them, else the statement and the blanks before it.
pub fn statement_removal_range(stmt: Node, source: &str) -> std::ops::Range<usize> {
    let start = stmt.start_byte().min(source.len());
    let end = stmt.end_byte().min(source.len());
    let line_start = source[..start]
        .rfind(['\n', '\r'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let line_end = match source[end..].find(['\n', '\r']) {
        Some(i) if source[end + i..].starts_with("\r\n") => end + i + 2,
        Some(i) => end + i + 1,
        None => source.len(),
    };
    let before = &source[line_start..start];
    let after = source[end..line_end].trim();
    if before.trim().is_empty() && (after.is_empty() || after.starts_with("//")) {
        return line_start..line_end;
    }
    let blank_before = before.len() - before.trim_end_matches([' ', '\t']).len();
    (start - blank_before)..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    /// The first node (pre-order) of `kind` satisfying `pred` (test helper).
    pub(super) fn first_where<'t>(
        tree: &'t tree_sitter::Tree,
        kind: &str,
        pred: &dyn Fn(Node) -> bool,
    ) -> Node<'t> {
        let mut found = None;
        visit(tree.root_node(), &mut |n| {
            if found.is_none() && n.kind_name() == kind && pred(n) {
                found = Some(n);
            }
            found.is_none()
        });
        found.unwrap_or_else(|| panic!("no matching {kind}"))
    }

    fn first<'t>(tree: &'t tree_sitter::Tree, kind: &str) -> Node<'t> {
        first_where(tree, kind, &|_| true)
    }

    #[test]
    fn member_and_callee_paths() {
        let src = "this.logger?.info(req['body'], x.y.z)";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let call = first(&tree, "call_expression");
        assert_eq!(callee_path(call, src).as_deref(), Some("this.logger.info"));
        let args = call_arguments(call);
        assert_eq!(args.len(), 2);
        assert_eq!(member_path(args[0], src).as_deref(), Some("req.body"));
        assert_eq!(member_path(args[1], src).as_deref(), Some("x.y.z"));
    }

    #[test]
    fn directives_only_in_the_prologue() {
        let src = "'use client'\n\"use cache\";\nfoo();\n'use server'\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let d: Vec<String> = directives(tree.root_node(), src)
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(d, vec!["use client", "use cache"]);
    }

    #[test]
    fn dev_only_branches() {
        let src = "if (process.env.NODE_ENV !== 'production') a();\nif (isProd) { b() } else { c() }\nif (process.env.NODE_ENV === 'production') d();\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let mut calls = Vec::new();
        visit(tree.root_node(), &mut |n| {
            if n.kind_name() == "call_expression" {
                calls.push((text(n, src).to_string(), in_dev_only_branch(n, src)));
            }
            true
        });
        assert_eq!(
            calls,
            vec![
                ("a()".into(), true),
                ("b()".into(), false),
                ("c()".into(), true),
                ("d()".into(), false)
            ]
        );
    }

    /// The environment check of each `if` condition in `src`, in order.
    fn env_checks(src: &str) -> Vec<(String, Option<EnvCheck>)> {
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let mut out = Vec::new();
        visit(tree.root_node(), &mut |n| {
            if n.kind_name() == "if_statement" {
                let cond = n.field(Field::Condition).unwrap();
                out.push((
                    text(cond, src).trim_matches(['(', ')']).to_string(),
                    env_check(cond, src),
                ));
            }
            true
        });
        out
    }

    #[test]
    fn env_check_follows_operator_polarity() {
        use EnvCheck::{DevOnly, ProdOnly};
        let src = "if (process.env.NODE_ENV === 'production') {}
                   if ('production' !== process.env.NODE_ENV) {}
                   if (process.env.NODE_ENV === 'development') {}
                   if (process.env.NODE_ENV !== 'development') {}
                   if (process.env.NODE_ENV === 'staging') {}
                   if (isProd) {}
                   if (!isProd) {}
                   if (import.meta.env.DEV) {}
                   if (isProd && verbose) {}
                   if (isDev && verbose) {}
                   if (isProd || isStaging) {}
                   if (isDev || verbose) {}
                   if (isDev || process.env.NODE_ENV === 'test') {}
                   if (!(isProd && verbose)) {}
                   if (!(isProd || isStaging)) {}
                   if (isProd && process.env.NODE_ENV === 'production') {}
                   if (user.isAdmin) {}
";
        let got = env_checks(src);
        let want = vec![
            ("process.env.NODE_ENV === 'production'", Some(ProdOnly)),
            ("'production' !== process.env.NODE_ENV", Some(DevOnly)),
            ("process.env.NODE_ENV === 'development'", Some(DevOnly)),
            // false only when NODE_ENV is 'development': true in all of production
            ("process.env.NODE_ENV !== 'development'", Some(ProdOnly)),
            ("process.env.NODE_ENV === 'staging'", None),
            ("isProd", Some(ProdOnly)),
            ("!isProd", Some(DevOnly)),
            ("import.meta.env.DEV", Some(DevOnly)),
            // true only in production, but false in production too when `!verbose`:
            // its `else` is no development-only branch
            ("isProd && verbose", None),
            ("isDev && verbose", Some(DevOnly)),
            ("isProd || isStaging", Some(ProdOnly)),
            // true in production whenever `verbose` is
            ("isDev || verbose", None),
            ("isDev || process.env.NODE_ENV === 'test'", Some(DevOnly)),
            // true in production whenever `!verbose`
            ("!(isProd && verbose", None),
            ("!(isProd || isStaging", Some(DevOnly)),
            (
                "isProd && process.env.NODE_ENV === 'production'",
                Some(ProdOnly),
            ),
            ("user.isAdmin", None),
        ];
        let want: Vec<(String, Option<EnvCheck>)> =
            want.into_iter().map(|(c, e)| (c.to_string(), e)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn env_check_knows_next_public_vercel_env() {
        use EnvCheck::ProdOnly;
        let got = env_checks(
            "if (process.env.NEXT_PUBLIC_VERCEL_ENV === 'production') {}\nif (process.env.NEXT_PUBLIC_VERCEL_URL === 'production') {}\n",
        );
        assert_eq!(
            got,
            vec![
                (
                    "process.env.NEXT_PUBLIC_VERCEL_ENV === 'production'".to_string(),
                    Some(ProdOnly)
                ),
                // near miss: another variable
                (
                    "process.env.NEXT_PUBLIC_VERCEL_URL === 'production'".to_string(),
                    None
                ),
            ]
        );
    }

    #[test]
    fn env_check_depth_is_bounded() {
        // a deeply nested negation is no check (and does not overflow the stack)
        let cond = format!("{}isDev{}", "!(".repeat(5000), ")".repeat(5000));
        let src = format!("if ({cond}) a();\nif (!!isDev) b();\n");
        let tree = crate::ts::parse(&src, Language::TypeScript, None).unwrap();
        let conds: Vec<Option<EnvCheck>> = all(&tree, "if_statement")
            .into_iter()
            .map(|n| env_check(n.field(Field::Condition).unwrap(), &src))
            .collect();
        assert_eq!(conds, vec![None, Some(EnvCheck::DevOnly)]);
    }

    #[test]
    fn dev_only_branches_by_polarity() {
        let src = "if (process.env.NODE_ENV === 'production') a1();
                   if (process.env.NODE_ENV === 'production') { a2() } else { a3() }
                   if (isProd) { b1() } else if (verbose) { b2() } else { b3() }
                   if (isProd && verbose) { c1() } else { c2() }
                   if (isProd || isStaging) { d1() } else { d2() }
                   if (process.env.NODE_ENV !== 'development') { e1() } else { e2() }
                   if (!(isProd && verbose)) { f1() } else { f2() }
                   isProd ? g1() : g2();
                   isProd && h1();
                   isProd || h2();
                   isDev || h3();
                   !isProd && h4();
";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let got: Vec<(String, bool)> = all(&tree, "call_expression")
            .into_iter()
            .map(|n| (text(n, src).to_string(), in_dev_only_branch(n, src)))
            .collect();
        let want: Vec<(String, bool)> = [
            ("a1()", false),
            ("a2()", false),
            ("a3()", true),
            ("b1()", false),
            ("b2()", true),
            ("b3()", true),
            ("c1()", false),
            ("c2()", false),
            ("d1()", false),
            ("d2()", true),
            ("e1()", false),
            ("e2()", true),
            ("f1()", false),
            ("f2()", false),
            ("g1()", false),
            ("g2()", true),
            ("h1()", false),
            ("h2()", true),
            ("h3()", false),
            ("h4()", true),
        ]
        .into_iter()
        .map(|(c, d)| (c.to_string(), d))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn string_values() {
        let src = "f('a\\'b', `t`, `x${y}`)";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let args = call_arguments(first(&tree, "call_expression"));
        assert_eq!(string_value(args[0], src).as_deref(), Some("a'b"));
        assert_eq!(string_value(args[1], src).as_deref(), Some("t"));
        assert_eq!(string_value(args[2], src), None);
    }

    // ---- rules1 (log-request-data, secret-fallback, hardcoded-secret) ----

    fn all<'t>(tree: &'t tree_sitter::Tree, kind: &str) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        visit(tree.root_node(), &mut |n| {
            if n.kind_name() == kind {
                out.push(n);
            }
            true
        });
        out
    }

    #[test]
    fn name_words_and_screaming_snake() {
        assert_eq!(
            name_words("stripeSecretKey"),
            vec!["stripe", "secret", "key"]
        );
        assert_eq!(name_words("API_KEY"), vec!["api", "key"]);
        assert_eq!(name_words("x-api-key"), vec!["x", "api", "key"]);
        assert_eq!(name_words("HTTPServer2Url"), vec!["http", "server2", "url"]);
        assert_eq!(name_words("#privateToken"), vec!["private", "token"]);
        assert_eq!(screaming_snake("webhookSecret"), "WEBHOOK_SECRET");
        assert_eq!(screaming_snake("client_secret"), "CLIENT_SECRET");
        assert_eq!(screaming_snake("café"), "CAFÉ");
    }

    #[test]
    fn assigned_names() {
        let src = "const a = 's1';\nthis.apiKey = ('s2' as string);\nconst o = { 'x-key': 's3', b: 's4' };\nfunction f(pw = 's5') {}\nclass C { #tok = 's6'; }\ncall('s7');\nconst [d] = ['s8'];\nobj['k9'] = 's9';\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let names: Vec<(String, Option<String>)> = all(&tree, "string")
            .into_iter()
            .filter(|n| text(*n, src).starts_with("'s"))
            .map(|n| (string_value(n, src).unwrap(), assigned_name(n, src)))
            .collect();
        let want: Vec<(String, Option<String>)> = [
            ("s1", Some("a")),
            ("s2", Some("apiKey")),
            ("s3", Some("x-key")),
            ("s4", Some("b")),
            ("s5", Some("pw")),
            ("s6", Some("tok")),
            ("s7", None),
            ("s8", None),
            ("s9", Some("k9")),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.map(str::to_string)))
        .collect();
        assert_eq!(names, want);
        let src = "const el = <Stripe apiKey=\"s1\" other={'s2'} />;\n";
        let tree = crate::ts::parse(src, Language::Tsx, None).unwrap();
        let names: Vec<Option<String>> = all(&tree, "string")
            .into_iter()
            .map(|n| assigned_name(n, src))
            .collect();
        assert_eq!(
            names,
            vec![Some("apiKey".to_string()), Some("other".to_string())]
        );
    }

    #[test]
    fn dev_only_code_early_exits_and_callbacks() {
        let src = "function h() {\n  if (process.env.NODE_ENV === 'production') return;\n  a();\n}\nfunction g() {\n  b();\n  if (isProd) { return; }\n  c();\n}\nif (isDev) list.forEach((x) => d(x));\nlist.forEach((x) => e(x));\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let got: Vec<(String, bool)> = all(&tree, "call_expression")
            .into_iter()
            .filter(|n| text(*n, src).len() <= 4)
            .map(|n| (text(n, src).to_string(), in_dev_only_code(n, src)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a()".to_string(), true),
                ("b()".to_string(), false),
                ("c()".to_string(), true),
                ("d(x)".to_string(), true),
                ("e(x)".to_string(), false),
            ]
        );
    }

    #[test]
    fn early_exits_follow_polarity() {
        let src = "function a() {\n  if (isProd && !verbose) return;\n  a1();\n}\n\
                   function b() {\n  if (isProd || isStaging) return;\n  b1();\n}\n\
                   function c() {\n  if (process.env.NODE_ENV !== 'development') throw new Error('x');\n  c1();\n}\n\
                   function d() {\n  if (process.env.NODE_ENV === 'production') {\n    d1();\n    return;\n  }\n  d2();\n}\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let got: Vec<(String, bool)> = all(&tree, "call_expression")
            .into_iter()
            .map(|n| (text(n, src).to_string(), in_dev_only_code(n, src)))
            .collect();
        let want: Vec<(String, bool)> = [
            ("a1()", false),
            ("b1()", true),
            ("c1()", true),
            ("d1()", false),
            ("d2()", true),
        ]
        .into_iter()
        .map(|(c, d)| (c.to_string(), d))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn indent_units_and_statement_removal() {
        assert_eq!(indent_unit("a\n    b\n        c\n"), "    ");
        assert_eq!(indent_unit("a\n\tb\n"), "\t");
        assert_eq!(indent_unit("a\nb\n"), "  ");
        let src = "function f() {\n   a();\n   switch (x) {\n      case 1:\n         b();\n   }\n}\nc();\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let units: Vec<String> = all(&tree, "expression_statement")
            .into_iter()
            .map(|s| indent_unit_at(s, src))
            .collect();
        assert_eq!(units, vec!["   ", "   ", "   "]);
        let big = format!("{}const s = \"x\";\n", "'a';\n".repeat(10_000));
        assert_eq!(preferred_quote(&big), '\'');
        assert_eq!(preferred_quote_near(&big, big.len() - 3), '\'');
        let big = format!("{}\"é\";\n", "const s = \"x\";\n".repeat(1_000));
        assert_eq!(preferred_quote_near(&big, 9000), '"');
        assert_eq!(preferred_quote_near("", 10), '\'');
        let src = "f();\n  g(); // note\nh(); i();\r\nj();";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let stmts = all(&tree, "expression_statement");
        let removed: Vec<&str> = stmts
            .iter()
            .map(|s| &src[statement_removal_range(*s, src)])
            .collect();
        assert_eq!(
            removed,
            vec!["f();\n", "  g(); // note\n", "h();", " i();", "j();"]
        );
    }
}

/// Whether `node` has an anonymous child token `token` (`type` in
/// `import type …`, `async` before a function).
pub fn has_token_child(node: Node, token: &str) -> bool {
    let mut c = node.walk();
    let found = node
        .children(&mut c)
        .any(|ch| !ch.is_named() && ch.kind_name() == token);
    found
}

/// The ancestors of `node`, innermost first: at most [`MAX_ANCESTOR_STEPS`]
/// of them (every ancestor scan in the rules is bounded by it).
pub fn ancestors(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(node.parent(), |n| n.parent()).take(MAX_ANCESTOR_STEPS)
}

/// The leftmost identifier of a member/subscript chain (`a` in `a.b[c].d`).
pub fn first_identifier(expr: Node) -> Option<Node> {
    let mut e = unwrap_expr(expr);
    loop {
        match e.kind_name() {
            "identifier" => return Some(e),
            "member_expression" | "subscript_expression" => {
                e = unwrap_expr(e.field(Field::Object)?)
            }
            _ => return None,
        }
    }
}

/// The root (`program`) of the tree holding `node`.
pub fn root_of(node: Node) -> Node {
    let mut cur = node;
    let mut steps = 0usize;
    while let Some(p) = cur.parent().filter(|_| {
        steps += 1;
        steps <= MAX_ANCESTOR_STEPS
    }) {
        cur = p;
    }
    cur
}

#[cfg(test)]
mod directive_tests {
    use super::*;
    use crate::language::Language;

    fn first<'t>(tree: &'t tree_sitter::Tree, kind: &str, src: &str, txt: &str) -> Node<'t> {
        super::tests::first_where(tree, kind, &|n| text(n, src) == txt)
    }

    #[test]
    fn directive_with_trailing_comment_and_no_semicolon() {
        let src = "function f() {\n  'use cache' // cached\n  'use strict'\n  return 1\n}\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let body = first(&tree, "statement_block", src, &src[13..src.len() - 1]);
        let d: Vec<String> = directives(body, src).into_iter().map(|(_, v)| v).collect();
        assert_eq!(d, vec!["use cache", "use strict"]);
    }
}
