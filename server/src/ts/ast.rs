//! Small, shared questions about tree-sitter TypeScript nodes. Rules use these
//! instead of re-implementing them: if a rule needs a new general question, add
//! it here with a test.

use tree_sitter::Node;

/// The source text of `node`.
pub fn text<'s>(node: Node, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

/// Strip parentheses, `as`/`satisfies`/non-null wrappers: `((x as any)!)` → `x`.
pub fn unwrap_expr(mut node: Node) -> Node {
    loop {
        match node.kind() {
            "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion" => match node.named_child(0) {
                Some(inner) if inner.kind() != "type_arguments" => node = inner,
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
    let node = unwrap_paren(node);
    match node.kind() {
        "identifier"
        | "this"
        | "property_identifier"
        | "shorthand_property_identifier"
        | "super" => Some(text(node, source).to_string()),
        "member_expression" => {
            let object = node.child_by_field_name("object")?;
            let prop = node.child_by_field_name("property")?;
            let mut path = member_path(object, source)?;
            path.push('.');
            path.push_str(text(prop, source));
            Some(path)
        }
        "subscript_expression" => {
            let object = node.child_by_field_name("object")?;
            let index = node.child_by_field_name("index")?;
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
    while node.kind() == "parenthesized_expression" || node.kind() == "non_null_expression" {
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
    let callee = match call.kind() {
        "call_expression" => call.child_by_field_name("function")?,
        "new_expression" => call.child_by_field_name("constructor")?,
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
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    if args.kind() != "arguments" {
        return Vec::new();
    }
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// The value of a string literal, or of a template literal without
/// substitutions. Escapes are kept as written except `\'`, `\"` and `` \` ``.
pub fn string_value(node: Node, source: &str) -> Option<String> {
    match node.kind() {
        "string" => {
            let raw = text(node, source);
            let inner = raw.get(1..raw.len().saturating_sub(1))?;
            Some(inner.replace("\\'", "'").replace("\\\"", "\""))
        }
        "template_string" => {
            let mut c = node.walk();
            if node
                .named_children(&mut c)
                .any(|n| n.kind() == "template_substitution")
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
    matches!(node.kind(), "string" | "template_string")
}

/// The quote character the file mostly uses for strings (`'` unless `"` is more common).
/// Only the first 16 KiB are read, so calling it per finding stays cheap.
pub fn preferred_quote(source: &str) -> char {
    let head = &source.as_bytes()[..source.len().min(16 * 1024)];
    let single = head.iter().filter(|&&b| b == b'\'').count();
    let double = head.iter().filter(|&&b| b == b'"').count();
    if double > single {
        '"'
    } else {
        '\''
    }
}

/// Quote `s` as a string literal with `quote`.
pub fn quoted(s: &str, quote: char) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace(quote, &format!("\\{quote}"));
    format!("{quote}{escaped}{quote}")
}

/// Function-like node kinds.
pub fn is_function(node: Node) -> bool {
    matches!(
        node.kind(),
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
    let mut cur = node.parent();
    while let Some(n) = cur {
        if is_function(n) {
            return Some(n);
        }
        cur = n.parent();
    }
    None
}

/// The name a function is known by: its own name, the variable it is assigned
/// to, the property/method key, or the `export default` of the file.
pub fn function_name<'s>(func: Node, source: &'s str) -> Option<&'s str> {
    if let Some(name) = func.child_by_field_name("name") {
        return Some(text(name, source));
    }
    let parent = func.parent()?;
    match parent.kind() {
        "variable_declarator" => parent.child_by_field_name("name").map(|n| text(n, source)),
        "pair" => parent.child_by_field_name("key").map(|n| text(n, source)),
        "assignment_expression" => parent.child_by_field_name("left").map(|n| text(n, source)),
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
        match stmt.kind() {
            "comment" | "hash_bang_line" => continue,
            "expression_statement" => {
                let Some(expr) = stmt.named_child(0) else {
                    break;
                };
                if expr.kind() != "string" || stmt.named_child_count() != 1 {
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
    while let Some(n) = cur {
        if n.kind().ends_with("_statement") || n.kind().ends_with("_declaration") {
            if let Some(p) = n.parent() {
                if matches!(
                    p.kind(),
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

/// The indentation (spaces/tabs) of the line containing byte `offset`.
pub fn line_indent(source: &str, offset: usize) -> &str {
    let start = source[..offset.min(source.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let rest = &source[start..];
    let len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..len]
}

/// The file's line ending (`\r\n` if the first line ends with it).
pub fn line_ending(source: &str) -> &'static str {
    match source.find('\n') {
        Some(i) if i > 0 && source.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// How a condition reads as an environment check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvCheck {
    /// true only outside production (`NODE_ENV === 'development'`, `!== 'production'`, `!isProd`).
    DevOnly,
    /// true only in production (`NODE_ENV === 'production'`, `isProd`).
    ProdOnly,
}

/// Classify an `if` condition as a development/production check.
pub fn env_check(cond: Node, source: &str) -> Option<EnvCheck> {
    let cond = unwrap_paren(cond);
    match cond.kind() {
        "binary_expression" => {
            let op = cond
                .child_by_field_name("operator")
                .map(|o| text(o, source))?;
            let left = cond.child_by_field_name("left")?;
            let right = cond.child_by_field_name("right")?;
            if op == "&&" {
                // `dev && other`: the body runs only in dev if either side is a dev check.
                let l = env_check(left, source);
                let r = env_check(right, source);
                return match (l, r) {
                    (Some(EnvCheck::DevOnly), _) | (_, Some(EnvCheck::DevOnly)) => {
                        Some(EnvCheck::DevOnly)
                    }
                    (Some(EnvCheck::ProdOnly), _) | (_, Some(EnvCheck::ProdOnly)) => {
                        Some(EnvCheck::ProdOnly)
                    }
                    _ => None,
                };
            }
            let negated = match op {
                "===" | "==" => false,
                "!==" | "!=" => true,
                _ => return None,
            };
            let (env, value) = if is_node_env(left, source) {
                (left, right)
            } else if is_node_env(right, source) {
                (right, left)
            } else {
                return None;
            };
            let _ = env;
            let v = string_value(value, source)?;
            let is_prod = matches!(v.as_str(), "production" | "prod");
            let is_dev = matches!(v.as_str(), "development" | "dev" | "test" | "local");
            match (is_prod, is_dev, negated) {
                (true, _, false) => Some(EnvCheck::ProdOnly),
                (true, _, true) => Some(EnvCheck::DevOnly),
                (_, true, false) => Some(EnvCheck::DevOnly),
                _ => None,
            }
        }
        "unary_expression" => {
            let op = cond
                .child_by_field_name("operator")
                .map(|o| text(o, source))?;
            let arg = cond.child_by_field_name("argument")?;
            if op != "!" {
                return None;
            }
            match env_check(arg, source)? {
                EnvCheck::DevOnly => Some(EnvCheck::ProdOnly),
                EnvCheck::ProdOnly => Some(EnvCheck::DevOnly),
            }
        }
        "identifier" | "member_expression" => {
            let name = member_path(cond, source)?;
            let last = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            match last.as_str() {
                "isprod" | "isproduction" | "is_prod" | "is_production" | "production" | "prod" => {
                    Some(EnvCheck::ProdOnly)
                }
                "isdev" | "isdevelopment" | "is_dev" | "is_development" | "dev" | "debug"
                | "isdebug" | "islocal" => Some(EnvCheck::DevOnly),
                _ => None,
            }
        }
        _ => None,
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
        )
    )
}

/// Whether `node` only runs outside production because of an enclosing `if`
/// (or conditional/`&&` expression): the consequence of a dev-only check, or the
/// `else` branch of a production check. Stops at the enclosing function.
pub fn in_dev_only_branch(node: Node, source: &str) -> bool {
    let mut child = node;
    let mut cur = node.parent();
    while let Some(n) = cur {
        match n.kind() {
            "if_statement" => {
                if let Some(cond) = n.child_by_field_name("condition") {
                    let check = env_check(cond, source);
                    let in_consequence = n
                        .child_by_field_name("consequence")
                        .is_some_and(|c| contains(c, child));
                    let in_alternative = n
                        .child_by_field_name("alternative")
                        .is_some_and(|c| contains(c, child));
                    if (check == Some(EnvCheck::DevOnly) && in_consequence)
                        || (check == Some(EnvCheck::ProdOnly) && in_alternative)
                    {
                        return true;
                    }
                }
            }
            "ternary_expression" => {
                if let Some(cond) = n.child_by_field_name("condition") {
                    let check = env_check(cond, source);
                    let in_consequence = n
                        .child_by_field_name("consequence")
                        .is_some_and(|c| contains(c, child));
                    let in_alternative = n
                        .child_by_field_name("alternative")
                        .is_some_and(|c| contains(c, child));
                    if (check == Some(EnvCheck::DevOnly) && in_consequence)
                        || (check == Some(EnvCheck::ProdOnly) && in_alternative)
                    {
                        return true;
                    }
                }
            }
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| text(o, source));
                if op == Some("&&") {
                    if let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) {
                        if contains(r, child) && env_check(l, source) == Some(EnvCheck::DevOnly) {
                            return true;
                        }
                    }
                }
            }
            _ if is_function(n) => return false,
            _ => {}
        }
        child = n;
        cur = n.parent();
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

/// Walk up from an expression through wrappers that keep its value
/// (parentheses, `as`, `satisfies`, `!`): the outermost such node.
pub fn value_root(mut node: Node) -> Node {
    while let Some(p) = node.parent() {
        if matches!(
            p.kind(),
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
    let is_field = |field: &str| {
        parent
            .child_by_field_name(field)
            .is_some_and(|v| v.id() == value.id())
    };
    let key_name = |key: Node| -> Option<String> {
        match key.kind() {
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
    match parent.kind() {
        "variable_declarator" if is_field("value") => key_name(parent.child_by_field_name("name")?),
        "assignment_expression" if is_field("right") => {
            let left = parent.child_by_field_name("left")?;
            match left.kind() {
                "identifier" => Some(text(left, source).to_string()),
                "member_expression" => key_name(left.child_by_field_name("property")?),
                "subscript_expression" => string_value(left.child_by_field_name("index")?, source),
                _ => None,
            }
        }
        "pair" if is_field("value") => key_name(parent.child_by_field_name("key")?),
        "public_field_definition" | "field_definition" if is_field("value") => key_name(
            parent
                .child_by_field_name("name")
                .or_else(|| parent.child_by_field_name("property"))?,
        ),
        "required_parameter" | "optional_parameter" if is_field("value") => {
            key_name(parent.child_by_field_name("pattern")?)
        }
        "assignment_pattern" | "object_assignment_pattern" if is_field("right") => {
            key_name(parent.child_by_field_name("left")?)
        }
        "jsx_expression" => {
            let attr = parent.parent().filter(|a| a.kind() == "jsx_attribute")?;
            key_name(attr.named_child(0)?)
        }
        "jsx_attribute" => {
            let name = parent.named_child(0)?;
            (name.id() != value.id()).then(|| key_name(name)).flatten()
        }
        _ => None,
    }
}

/// Where a local name is bound, seen from a use of it.
#[derive(Clone, Copy, Debug)]
pub enum Binding<'t> {
    /// `const|let|var` declarator; `element` is the node inside its `name` that
    /// binds the identifier (the name itself, or a destructuring element such as
    /// `shorthand_property_identifier_pattern`, `pair_pattern`, `rest_pattern`).
    Declarator {
        declarator: Node<'t>,
        element: Node<'t>,
    },
    /// A parameter of an enclosing function (`required_parameter`, `optional_parameter`
    /// or the bare identifier of an arrow's single parameter).
    Parameter(Node<'t>),
}

/// Find the declaration of `name` visible at `at`, looking only at the
/// statement lists that enclose `at` (innermost first) and the parameters of the
/// enclosing functions: the closest preceding declarator in a scope, or a later
/// one at the top level (functions there run after the module body). Imports,
/// function and class declarations are not reported (they shadow nothing here).
pub fn find_binding<'t>(at: Node<'t>, name: &str, source: &str) -> Option<Binding<'t>> {
    let mut cur = at.parent();
    while let Some(scope) = cur {
        if matches!(
            scope.kind(),
            "statement_block" | "program" | "switch_case" | "switch_default" | "class_static_block"
        ) {
            let mut best: Option<Binding<'t>> = None;
            let mut c = scope.walk();
            for stmt in scope.named_children(&mut c) {
                let before = stmt.start_byte() < at.start_byte();
                if !before && (scope.kind() != "program" || best.is_some()) {
                    break;
                }
                let decl = if stmt.kind() == "export_statement" {
                    stmt.child_by_field_name("declaration")
                } else {
                    Some(stmt)
                };
                let Some(decl) = decl
                    .filter(|d| matches!(d.kind(), "lexical_declaration" | "variable_declaration"))
                else {
                    continue;
                };
                let mut dc = decl.walk();
                for declarator in decl.named_children(&mut dc) {
                    if declarator.kind() != "variable_declarator" {
                        continue;
                    }
                    if let Some(element) = declarator
                        .child_by_field_name("name")
                        .and_then(|n| pattern_binds(n, name, source))
                    {
                        best = Some(Binding::Declarator {
                            declarator,
                            element,
                        });
                    }
                }
            }
            if best.is_some() {
                return best;
            }
        }
        if is_function(scope) {
            if let Some(params) = scope.child_by_field_name("parameters") {
                let mut c = params.walk();
                for p in params.named_children(&mut c) {
                    let pat = p.child_by_field_name("pattern").unwrap_or(p);
                    if pattern_binds(pat, name, source).is_some() {
                        return Some(Binding::Parameter(p));
                    }
                }
            } else if let Some(p) = scope.child_by_field_name("parameter") {
                if text(p, source) == name {
                    return Some(Binding::Parameter(p));
                }
            }
        }
        if matches!(
            scope.kind(),
            "for_in_statement" | "for_statement" | "catch_clause"
        ) {
            // A loop/catch variable of that name shadows outer declarations: unknown.
            let binds = ["left", "initializer", "parameter"].iter().any(|f| {
                scope.child_by_field_name(f).is_some_and(|n| {
                    any_descendant(n, &mut |d| {
                        d.kind() == "identifier" && text(d, source) == name
                    })
                })
            });
            if binds {
                return None;
            }
        }
        cur = scope.parent();
    }
    None
}

/// The element of a binding pattern that binds `name` (the pattern itself for
/// an identifier).
fn pattern_binds<'t>(pattern: Node<'t>, name: &str, source: &str) -> Option<Node<'t>> {
    match pattern.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            (text(pattern, source) == name).then_some(pattern)
        }
        "object_pattern" | "array_pattern" => {
            let mut c = pattern.walk();
            let children: Vec<Node<'t>> = pattern.named_children(&mut c).collect();
            children.into_iter().find_map(|el| match el.kind() {
                "pair_pattern" => el
                    .child_by_field_name("value")
                    .and_then(|v| pattern_binds(v, name, source))
                    .map(|_| el),
                "rest_pattern" => el
                    .named_child(0)
                    .and_then(|v| pattern_binds(v, name, source))
                    .map(|_| el),
                "object_assignment_pattern" | "assignment_pattern" => el
                    .child_by_field_name("left")
                    .and_then(|v| pattern_binds(v, name, source))
                    .map(|_| el),
                _ => pattern_binds(el, name, source),
            })
        }
        "assignment_pattern" => pattern_binds(pattern.child_by_field_name("left")?, name, source),
        "rest_pattern" => pattern_binds(pattern.named_child(0)?, name, source).map(|_| pattern),
        _ => None,
    }
}

/// Whether a statement is an early exit guarded by a production check
/// (`if (process.env.NODE_ENV === 'production') return;`, `if (isProd) { return }`,
/// `if (!isDev) throw …`): the statements after it in the same list only run
/// outside production.
fn is_prod_early_exit(stmt: Node, source: &str) -> bool {
    if stmt.kind() != "if_statement" || stmt.child_by_field_name("alternative").is_some() {
        return false;
    }
    let Some(cond) = stmt.child_by_field_name("condition") else {
        return false;
    };
    if env_check(cond, source) != Some(EnvCheck::ProdOnly) {
        return false;
    }
    let Some(body) = stmt.child_by_field_name("consequence") else {
        return false;
    };
    let exits = |n: Node| matches!(n.kind(), "return_statement" | "throw_statement");
    if body.kind() == "statement_block" {
        let mut c = body.walk();
        let last = body
            .named_children(&mut c)
            .filter(|n| n.kind() != "comment")
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
    let mut node = node;
    for _ in 0..16 {
        if in_dev_only_branch(node, source) {
            return true;
        }
        // early exits in the statement lists between `node` and its function
        let mut cur = node;
        let mut func = None;
        while let Some(p) = cur.parent() {
            if is_function(p) {
                func = Some(p);
                break;
            }
            if matches!(
                p.kind(),
                "statement_block" | "program" | "switch_case" | "switch_default"
            ) {
                let mut c = p.walk();
                let guarded = p
                    .named_children(&mut c)
                    .take_while(|s| s.end_byte() <= cur.start_byte())
                    .any(|s| is_prod_early_exit(s, source));
                if guarded {
                    return true;
                }
            }
            cur = p;
        }
        // an anonymous callback: continue from the call it is passed to
        match func {
            Some(f)
                if matches!(
                    f.kind(),
                    "arrow_function" | "function_expression" | "function"
                ) && f.parent().is_some_and(|a| a.kind() == "arguments") =>
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

/// The indentation unit of the file (read from its first 500 lines): a tab if
/// lines are indented with tabs, else the smallest non-zero run of leading
/// spaces (2 when nothing is indented).
pub fn indent_unit(source: &str) -> String {
    let mut smallest = usize::MAX;
    for line in source.lines().take(500) {
        if line.starts_with('\t') {
            return "\t".to_string();
        }
        let n = line.len() - line.trim_start_matches(' ').len();
        if n > 0 && n < line.len() && !line.trim_start().starts_with('*') {
            smallest = smallest.min(n);
        }
    }
    if smallest == usize::MAX || smallest > 8 {
        "  ".to_string()
    } else {
        " ".repeat(smallest)
    }
}

/// The indentation unit at statement `stmt`: how much deeper its line is
/// indented than the line where its enclosing block starts, else
/// [`indent_unit`].
pub fn indent_unit_at(stmt: Node, source: &str) -> String {
    let indent = line_indent(source, stmt.start_byte());
    if let Some(parent) = stmt.parent().filter(|p| p.kind() != "program") {
        let outer = line_indent(source, parent.start_byte());
        if let Some(unit) = indent.strip_prefix(outer).filter(|u| !u.is_empty()) {
            return unit.to_string();
        }
    }
    indent_unit(source)
}

/// [`preferred_quote`] over the 4 KiB around `offset`: the file's quote style
/// without counting a large file's quotes once per finding.
pub fn preferred_quote_near(source: &str, offset: usize) -> char {
    let bytes = source.as_bytes();
    let start = offset.saturating_sub(2048).min(bytes.len());
    let end = offset.saturating_add(2048).min(bytes.len());
    let (mut single, mut double) = (0usize, 0usize);
    for &b in &bytes[start..end] {
        match b {
            b'\'' => single += 1,
            b'"' => double += 1,
            _ => {}
        }
    }
    if double > single {
        '"'
    } else {
        '\''
    }
}

/// The byte range that removes statement `stmt` cleanly: its whole line(s)
/// (with the line ending, and a trailing `//` comment) when nothing else is on
/// them, else the statement and the blanks before it.
pub fn statement_removal_range(stmt: Node, source: &str) -> std::ops::Range<usize> {
    let start = stmt.start_byte().min(source.len());
    let end = stmt.end_byte().min(source.len());
    let line_start = source[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = source[end..]
        .find('\n')
        .map(|i| end + i + 1)
        .unwrap_or(source.len());
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

    fn first<'t>(tree: &'t tree_sitter::Tree, kind: &str) -> Node<'t> {
        let mut found = None;
        visit(tree.root_node(), &mut |n| {
            if found.is_none() && n.kind() == kind {
                found = Some(n);
            }
            found.is_none()
        });
        found.unwrap_or_else(|| panic!("no {kind}"))
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
            if n.kind() == "call_expression" {
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
            if n.kind() == kind {
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
    fn bindings_are_found_in_enclosing_scopes() {
        let src = "const top = 1;\nfunction f(p, { q }) {\n  const { a, b: c, ...rest } = obj;\n  use(top, p, q, a, c, rest, late, none);\n  for (const top of xs) { use(top); }\n}\nconst late = 2;\n";
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let uses: Vec<Node> = all(&tree, "identifier")
            .into_iter()
            .filter(|n| n.parent().is_some_and(|p| p.kind() == "arguments"))
            .collect();
        let describe = |n: Node| match find_binding(n, text(n, src), src) {
            Some(Binding::Declarator { element, .. }) => element.kind().to_string(),
            Some(Binding::Parameter(p)) => format!("param {}", p.kind()),
            None => "none".to_string(),
        };
        let got: Vec<String> = uses.iter().map(|n| describe(*n)).collect();
        assert_eq!(
            got,
            vec![
                "identifier",
                "param required_parameter",
                "param required_parameter",
                "shorthand_property_identifier_pattern",
                "pair_pattern",
                "rest_pattern",
                "identifier",
                "none",
                "none",
            ]
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
