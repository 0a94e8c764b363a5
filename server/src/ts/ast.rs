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

// ---- rules3 (unsanitized-filename, sql-injection): where a name is bound ----

/// How a name is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    Const,
    Let,
    Var,
    /// A function parameter (also `catch (e)`).
    Param,
    Import,
    Function,
    Class,
    Enum,
    /// The loop variable of `for (… of …)` / `for (… in …)`.
    ForOf,
}

/// The declaration a name refers to at some point of the code.
#[derive(Clone, Debug)]
pub struct Binding<'t> {
    pub kind: BindingKind,
    /// The identifier that declares the name.
    pub name: Node<'t>,
    /// The declaring node: `variable_declarator`, the parameter node
    /// (`required_parameter`, `optional_parameter`, the bare `identifier` of
    /// `x => …`, a `catch_clause`), `import_statement`, `function_declaration`,
    /// `class_declaration`, `enum_declaration`, `for_in_statement`.
    pub decl: Node<'t>,
    /// What the name is bound from: a declarator's initialiser, a parameter's
    /// default, the iterated expression of a `for … of`. For a destructuring
    /// pattern this is the whole right side (see `key`).
    pub value: Option<Node<'t>>,
    /// For a name bound by object destructuring, the property it was taken from
    /// (`{ name: fileName } = x` → `name`); `None` for plain and array bindings.
    pub key: Option<String>,
}

impl Binding<'_> {
    /// For an import or a `require`: (module, imported name), where the imported
    /// name is `default`, `*` (namespace import or whole `require`) or the export
    /// name (`import { join } from 'path'`, `const { join } = require('path')`).
    pub fn module(&self, source: &str) -> Option<(String, String)> {
        match self.kind {
            BindingKind::Import => {
                let module = string_value(self.decl.child_by_field_name("source")?, source)?;
                let parent = self.name.parent()?;
                let imported = match parent.kind() {
                    "import_clause" => "default".to_string(),
                    "namespace_import" => "*".to_string(),
                    "import_specifier" => parent.child_by_field_name("name").map(|n| {
                        string_value(n, source).unwrap_or_else(|| text(n, source).to_string())
                    })?,
                    _ => return None,
                };
                Some((module, imported))
            }
            BindingKind::Const | BindingKind::Let | BindingKind::Var => {
                let value = unwrap_expr(self.value?);
                if value.kind() != "call_expression"
                    || callee_path(value, source).as_deref() != Some("require")
                {
                    return None;
                }
                let arg = *call_arguments(value).first()?;
                let module = string_value(arg, source)?;
                let imported = self.key.clone().unwrap_or_else(|| "*".to_string());
                Some((module, imported))
            }
            _ => None,
        }
    }
}

/// The declaration that `name` refers to at `at`: the nearest enclosing scope
/// (function parameters, block and program declarations, imports, `for … of`
/// and `catch` variables) that declares it. `None` for globals and undeclared
/// names. Looks only at the ancestors of `at` and their direct statements.
pub fn find_binding<'t>(at: Node<'t>, name: &str, source: &str) -> Option<Binding<'t>> {
    let mut cur = at.parent();
    while let Some(scope) = cur {
        if let Some(b) = binding_in_scope(scope, name, source) {
            return Some(b);
        }
        cur = scope.parent();
    }
    None
}

fn binding_in_scope<'t>(scope: Node<'t>, name: &str, source: &str) -> Option<Binding<'t>> {
    match scope.kind() {
        "program" | "statement_block" | "switch_case" | "switch_default" | "class_static_block" => {
            let mut c = scope.walk();
            for stmt in scope.named_children(&mut c) {
                if let Some(b) = binding_in_statement(stmt, name, source) {
                    return Some(b);
                }
            }
            None
        }
        "for_in_statement" => {
            let left = scope.child_by_field_name("left")?;
            let left = if matches!(left.kind(), "lexical_declaration" | "variable_declaration") {
                left.named_child(0)
                    .and_then(|d| d.child_by_field_name("name"))
                    .unwrap_or(left)
            } else {
                left
            };
            let (ident, key) = pattern_binds(left, name, source)?;
            Some(Binding {
                kind: BindingKind::ForOf,
                name: ident,
                decl: scope,
                value: scope.child_by_field_name("right"),
                key,
            })
        }
        "for_statement" => {
            let init = scope.child_by_field_name("initializer")?;
            binding_in_statement(init, name, source)
        }
        "catch_clause" => {
            let param = scope.child_by_field_name("parameter")?;
            let (ident, key) = pattern_binds(param, name, source)?;
            Some(Binding {
                kind: BindingKind::Param,
                name: ident,
                decl: scope,
                value: None,
                key,
            })
        }
        _ if is_function(scope) => {
            if let Some(p) = scope.child_by_field_name("parameter") {
                if p.kind() == "identifier" && text(p, source) == name {
                    return Some(Binding {
                        kind: BindingKind::Param,
                        name: p,
                        decl: p,
                        value: None,
                        key: None,
                    });
                }
            }
            let params = scope.child_by_field_name("parameters")?;
            let mut c = params.walk();
            for p in params.named_children(&mut c) {
                let (pattern, value) = match p.kind() {
                    "required_parameter" | "optional_parameter" => (
                        p.child_by_field_name("pattern"),
                        p.child_by_field_name("value"),
                    ),
                    _ => (Some(p), None),
                };
                if let Some((ident, key)) = pattern.and_then(|pt| pattern_binds(pt, name, source)) {
                    return Some(Binding {
                        kind: BindingKind::Param,
                        name: ident,
                        decl: p,
                        value,
                        key,
                    });
                }
            }
            None
        }
        _ => None,
    }
}

fn binding_in_statement<'t>(stmt: Node<'t>, name: &str, source: &str) -> Option<Binding<'t>> {
    match stmt.kind() {
        "export_statement" => {
            let decl = stmt.child_by_field_name("declaration")?;
            binding_in_statement(decl, name, source)
        }
        "lexical_declaration" | "variable_declaration" => {
            let kind = if stmt.kind() == "variable_declaration" {
                BindingKind::Var
            } else if stmt.child(0).is_some_and(|k| text(k, source) == "const") {
                BindingKind::Const
            } else {
                BindingKind::Let
            };
            let mut c = stmt.walk();
            for d in stmt.named_children(&mut c) {
                if d.kind() != "variable_declarator" {
                    continue;
                }
                let Some(pattern) = d.child_by_field_name("name") else {
                    continue;
                };
                if let Some((ident, key)) = pattern_binds(pattern, name, source) {
                    return Some(Binding {
                        kind,
                        name: ident,
                        decl: d,
                        value: d.child_by_field_name("value"),
                        key,
                    });
                }
            }
            None
        }
        "function_declaration"
        | "generator_function_declaration"
        | "class_declaration"
        | "abstract_class_declaration"
        | "enum_declaration" => {
            let n = stmt.child_by_field_name("name")?;
            if text(n, source) != name {
                return None;
            }
            let kind = match stmt.kind() {
                "enum_declaration" => BindingKind::Enum,
                "class_declaration" | "abstract_class_declaration" => BindingKind::Class,
                _ => BindingKind::Function,
            };
            Some(Binding {
                kind,
                name: n,
                decl: stmt,
                value: None,
                key: None,
            })
        }
        "import_statement" => {
            let mut found = None;
            visit(stmt, &mut |n| {
                if found.is_some() {
                    return false;
                }
                if n.kind() == "identifier" && text(n, source) == name {
                    // The local name: a default import, a namespace import, or a
                    // specifier's alias (or its name when there is no alias).
                    let ok = match n.parent().map(|p| (p.kind(), p)) {
                        Some(("import_clause" | "namespace_import", _)) => true,
                        Some(("import_specifier", p)) => match p.child_by_field_name("alias") {
                            Some(a) => a.id() == n.id(),
                            None => true,
                        },
                        _ => false,
                    };
                    if ok {
                        found = Some(n);
                    }
                }
                n.kind() != "string"
            });
            found.map(|n| Binding {
                kind: BindingKind::Import,
                name: n,
                decl: stmt,
                value: None,
                key: None,
            })
        }
        _ => None,
    }
}

/// Whether a binding pattern declares `name`: the identifier and, for object
/// destructuring, the property key it comes from.
fn pattern_binds<'t>(
    pattern: Node<'t>,
    name: &str,
    source: &str,
) -> Option<(Node<'t>, Option<String>)> {
    match pattern.kind() {
        "identifier" => (text(pattern, source) == name).then_some((pattern, None)),
        "shorthand_property_identifier_pattern" => {
            (text(pattern, source) == name).then(|| (pattern, Some(name.to_string())))
        }
        "object_pattern" | "array_pattern" => {
            let mut c = pattern.walk();
            for child in pattern.named_children(&mut c) {
                let found = match child.kind() {
                    "pair_pattern" => {
                        let value = child.child_by_field_name("value")?;
                        pattern_binds(value, name, source).map(|(n, k)| {
                            let key = child.child_by_field_name("key").map(|k| {
                                string_value(k, source)
                                    .unwrap_or_else(|| text(k, source).to_string())
                            });
                            (n, k.or(key))
                        })
                    }
                    "object_assignment_pattern" => child
                        .child_by_field_name("left")
                        .and_then(|l| pattern_binds(l, name, source)),
                    _ => pattern_binds(child, name, source),
                };
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        "assignment_pattern" => pattern_binds(pattern.child_by_field_name("left")?, name, source),
        "rest_pattern" => {
            pattern_binds(pattern.named_child(0)?, name, source).map(|(n, _)| (n, None))
        }
        _ => None,
    }
}

#[cfg(test)]
mod binding_tests {
    use super::*;
    use crate::language::Language;

    type Found = (
        BindingKind,
        String,
        Option<String>,
        Option<(String, String)>,
    );

    /// The binding of the last identifier `name` in the text: (kind, value, key, module).
    fn bind(src: &str, name: &str) -> Option<Found> {
        let tree = crate::ts::parse(src, Language::TypeScript, None).unwrap();
        let mut last = None;
        visit(tree.root_node(), &mut |n| {
            if n.kind() == "identifier" && text(n, src) == name {
                last = Some(n);
            }
            true
        });
        let b = find_binding(last?, name, src)?;
        Some((
            b.kind,
            b.value
                .map(|v| text(v, src).to_string())
                .unwrap_or_default(),
            b.key.clone(),
            b.module(src),
        ))
    }

    #[test]
    fn finds_the_nearest_declaration() {
        let src = "import path from 'node:path';\nimport * as fs from 'fs';\nimport { join as j } from 'path';\nconst { writeFile } = require('fs/promises');\nfunction f(path: string[], { name: fileName } = x) {\n  for (const file of files) { use(path, fileName, file, j, fs, writeFile); }\n}\nenum Table { Users }\nconst q = `x`;\nlet y;\nuse(Table, q, y, z);\n";
        let (k, _, _, m) = bind(src, "path").unwrap();
        assert_eq!(k, BindingKind::Param);
        assert_eq!(m, None);
        let (k, v, key, _) = bind(src, "fileName").unwrap();
        assert_eq!(
            (k, v.as_str(), key.as_deref()),
            (BindingKind::Param, "x", Some("name"))
        );
        let (k, v, _, _) = bind(src, "file").unwrap();
        assert_eq!((k, v.as_str()), (BindingKind::ForOf, "files"));
        assert_eq!(
            bind(src, "j").unwrap().3,
            Some(("path".into(), "join".into()))
        );
        assert_eq!(bind(src, "fs").unwrap().3, Some(("fs".into(), "*".into())));
        assert_eq!(
            bind(src, "writeFile").unwrap().3,
            Some(("fs/promises".into(), "writeFile".into()))
        );
        assert_eq!(bind(src, "Table").unwrap().0, BindingKind::Enum);
        assert_eq!(bind(src, "q").unwrap().0, BindingKind::Const);
        assert_eq!(bind(src, "y").unwrap().0, BindingKind::Let);
        assert!(bind(src, "z").is_none());
        let top = "import path from 'node:path';\nexport const a = () => path.join(b);\n";
        assert_eq!(
            bind(top, "path").unwrap().3,
            Some(("node:path".into(), "default".into()))
        );
        let arrow = "const f = path => path.join('/');\n";
        assert_eq!(bind(arrow, "path").unwrap().0, BindingKind::Param);
    }
}
