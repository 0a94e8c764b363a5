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
pub fn preferred_quote(source: &str) -> char {
    let single = source.bytes().filter(|&b| b == b'\'').count();
    let double = source.bytes().filter(|&b| b == b'"').count();
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
}
