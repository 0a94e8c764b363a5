//! Builds a [`Semantic`] from the nodes of one walk, in document order.

use super::{Binding, BindingKind, Import, Scope, ScopeId, ScopeKind, Semantic};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use std::sync::LazyLock;
use tree_sitter::Node;

/// The node kinds the builder looks at (scopes and declarations); every other
/// node costs it one table lookup.
const KINDS: &[&str] = &[
    "program",
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "function",
    "generator_function",
    "arrow_function",
    "method_definition",
    "statement_block",
    "switch_body",
    "class_static_block",
    "for_statement",
    "for_in_statement",
    "catch_clause",
    "lexical_declaration",
    "variable_declaration",
    "import_statement",
    "class_declaration",
    "abstract_class_declaration",
    "enum_declaration",
];

/// Per grammar: kind id → one of `KINDS` (named kinds only: the `function`
/// keyword token is not the `function` expression).
struct Table {
    kind_count: usize,
    wanted: Vec<bool>,
}

static TABLES: LazyLock<Vec<Table>> = LazyLock::new(|| {
    crate::ts::per_grammar_tables(
        |lang| {
            let kind_count = lang.node_kind_count();
            let mut wanted = vec![false; kind_count];
            for k in KINDS {
                let id = usize::from(lang.id_for_node_kind(k, true));
                if id != 0 && id < kind_count {
                    wanted[id] = true;
                }
            }
            Table { kind_count, wanted }
        },
        |t| t.kind_count,
    )
});

/// Fed every node of a pre-order walk (`node`), then `finish`ed.
pub struct Builder<'t> {
    source: &'t str,
    /// `KINDS` by kind id for the file's grammar (empty until the first node).
    wanted: &'static [bool],
    scopes: Vec<Scope<'t>>,
    bindings: Vec<Binding<'t>>,
    /// The open scopes, innermost last.
    stack: Vec<ScopeId>,
}

/// One name found in a binding pattern.
struct Bound<'t> {
    ident: Node<'t>,
    /// Inside a destructuring pattern.
    destructured: bool,
    element: Node<'t>,
    key: Option<Node<'t>>,
}

impl<'t> Bound<'t> {
    /// A name bound by itself (not destructured).
    fn whole(ident: Node<'t>) -> Bound<'t> {
        Bound {
            ident,
            destructured: false,
            element: ident,
            key: None,
        }
    }
}

impl<'t> Builder<'t> {
    pub fn new(source: &'t str) -> Builder<'t> {
        Builder {
            source,
            wanted: &[],
            scopes: Vec::new(),
            bindings: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// The next node of a pre-order walk, with its kind id. Most nodes cost one
    /// table lookup here.
    #[inline]
    pub fn node(&mut self, node: Node<'t>, kind: u16) {
        match self.wanted.get(usize::from(kind)) {
            Some(false) => {}
            Some(true) => self.visit(node),
            None => self.visit_slow(node),
        }
    }

    /// The first node, or an id outside the grammar's table.
    #[inline(never)]
    fn visit_slow(&mut self, node: Node<'t>) {
        if self.wanted.is_empty() {
            let count = node.language().node_kind_count();
            self.wanted = TABLES
                .iter()
                .find(|t| t.kind_count == count)
                .map_or(&[][..], |t| &t.wanted[..]);
        }
        let wanted = match self.wanted.get(usize::from(node.kind_id())) {
            Some(w) => *w,
            // An unknown grammar: ask by name.
            None => node.is_named() && KINDS.contains(&node.kind_name()),
        };
        if wanted {
            self.visit(node);
        }
    }

    #[inline(never)]
    fn visit(&mut self, node: Node<'t>) {
        // Close the scopes this node is not inside (the walk is pre-order).
        let (start, end) = (node.start_byte(), node.end_byte());
        while self.stack.last().is_some_and(|&id| {
            let scope = &self.scopes[id as usize];
            !(scope.start <= start && end <= scope.end)
        }) {
            self.stack.pop();
        }
        match node.kind_name() {
            "program" => {
                self.push(node, ScopeKind::Program);
            }
            "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition" => self.function(node),
            "statement_block" => {
                // A function's body block (its last child: it ends where the
                // function ends) shares the function's scope.
                let is_body = self.stack.last().is_some_and(|&id| {
                    let scope = &self.scopes[id as usize];
                    scope.kind == ScopeKind::Function && scope.end == node.end_byte()
                });
                if !is_body {
                    self.push(node, ScopeKind::Block);
                }
            }
            "switch_body" | "class_static_block" => {
                self.push(node, ScopeKind::Block);
            }
            "for_statement" => {
                self.push(node, ScopeKind::Header);
            }
            "for_in_statement" => {
                let scope = self.push(node, ScopeKind::Header);
                if let Some(left) = node.field(Field::Left) {
                    // `for (const x of xs)` (the left side is the pattern) or a
                    // declaration node around it.
                    let pattern = if matches!(
                        left.kind_name(),
                        "lexical_declaration" | "variable_declaration"
                    ) {
                        left.named_child(0)
                            .and_then(|d| d.field(Field::Name))
                            .unwrap_or(left)
                    } else {
                        left
                    };
                    let value = node.field(Field::Right);
                    self.pattern(pattern, scope, BindingKind::ForOf, node, value);
                }
            }
            "catch_clause" => {
                let scope = self.push(node, ScopeKind::Header);
                if let Some(p) = node.field(Field::Parameter) {
                    self.pattern(p, scope, BindingKind::Param, node, None);
                }
            }
            "lexical_declaration" | "variable_declaration" => self.declaration(node),
            "import_statement" => self.import(node),
            "class_declaration" | "abstract_class_declaration" => {
                self.named(node, BindingKind::Class)
            }
            "enum_declaration" => self.named(node, BindingKind::Enum),
            _ => {}
        }
    }

    pub fn finish(mut self) -> Semantic<'t> {
        self.bindings.sort_unstable_by(|a, b| {
            (a.scope, a.name, a.ident.start_byte()).cmp(&(b.scope, b.name, b.ident.start_byte()))
        });
        let mut module_imports: Vec<u32> = (0..self.bindings.len())
            .filter(|&i| {
                let b = &self.bindings[i];
                b.scope == 0 && b.import.is_some()
            })
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        module_imports.sort_by_key(|&i| {
            let b = &self.bindings[i as usize];
            let stmt = b.import.as_ref().map_or(0, |m| m.statement.start_byte());
            (stmt, b.ident.start_byte())
        });
        if self
            .scopes
            .first()
            .is_some_and(|s| s.kind != ScopeKind::Program)
        {
            // A partial tree (tests): no program scope, so scope 0 is not "top level".
            module_imports.clear();
        }
        Semantic {
            scopes: self.scopes,
            bindings: self.bindings,
            module_imports,
        }
    }

    fn push(&mut self, node: Node<'t>, kind: ScopeKind) -> ScopeId {
        let id = self.scopes.len() as ScopeId;
        self.scopes.push(Scope {
            kind,
            node,
            parent: self.current(),
            start: node.start_byte(),
            end: node.end_byte(),
        });
        self.stack.push(id);
        id
    }

    fn current(&self) -> Option<ScopeId> {
        self.stack.last().copied()
    }

    /// The scope `var` declarations belong to: the nearest function or program.
    fn var_scope(&self) -> Option<ScopeId> {
        self.stack.iter().rev().copied().find(|&id| {
            matches!(
                self.scopes[id as usize].kind,
                ScopeKind::Function | ScopeKind::Program
            )
        })
    }

    fn add(
        &mut self,
        scope: ScopeId,
        kind: BindingKind,
        decl: Node<'t>,
        bound: Bound<'t>,
        value: Option<Node<'t>>,
        import: Option<Import<'t>>,
    ) {
        self.bindings.push(Binding {
            name: ast::text(bound.ident, self.source),
            kind,
            ident: bound.ident,
            decl,
            element: bound.element,
            value,
            key: bound.key,
            destructured: bound.destructured,
            import: import.map(Box::new),
            scope,
        });
    }

    /// Every name a binding pattern declares (iteratively: patterns can nest
    /// as deep as the input).
    fn bound_names(pattern: Node<'t>) -> Vec<Bound<'t>> {
        if pattern.kind_name() == "identifier" {
            // The common case, without the stack.
            return vec![Bound::whole(pattern)];
        }
        let mut out = Vec::new();
        let mut stack: Vec<(Node<'t>, Option<Node<'t>>, Option<Node<'t>>)> =
            vec![(pattern, None, None)];
        while let Some((n, element, key)) = stack.pop() {
            match n.kind_name() {
                "identifier" => out.push(Bound {
                    ident: n,
                    destructured: element.is_some(),
                    element: element.unwrap_or(n),
                    key,
                }),
                "shorthand_property_identifier_pattern" => out.push(Bound {
                    ident: n,
                    destructured: true,
                    element: element.unwrap_or(n),
                    key: Some(n),
                }),
                "object_pattern" | "array_pattern" => {
                    let mut c = n.walk();
                    let children: Vec<Node<'t>> = n.named_children(&mut c).collect();
                    for child in children.into_iter().rev() {
                        stack.push((child, element.or(Some(child)), key));
                    }
                }
                "pair_pattern" => {
                    if let Some(v) = n.field(Field::Value) {
                        stack.push((v, element, n.field(Field::Key)));
                    }
                }
                "rest_pattern" => {
                    if let Some(v) = n.named_child(0) {
                        stack.push((v, element, None));
                    }
                }
                "object_assignment_pattern" | "assignment_pattern" => {
                    if let Some(v) = n.field(Field::Left) {
                        stack.push((v, element, key));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn pattern(
        &mut self,
        pattern: Node<'t>,
        scope: ScopeId,
        kind: BindingKind,
        decl: Node<'t>,
        value: Option<Node<'t>>,
    ) {
        for bound in Self::bound_names(pattern) {
            self.add(scope, kind, decl, bound, value, None);
        }
    }

    fn function(&mut self, node: Node<'t>) {
        let kind = node.kind_name();
        let declares_name = matches!(
            kind,
            "function_declaration" | "generator_function_declaration"
        );
        if declares_name {
            if let (Some(scope), Some(name)) = (self.current(), node.field(Field::Name)) {
                let bound = Bound::whole(name);
                self.add(scope, BindingKind::Function, node, bound, None, None);
            }
        }
        let scope = self.push(node, ScopeKind::Function);
        if !declares_name && kind != "method_definition" {
            // A named function expression's name is visible inside it.
            if let Some(name) = node
                .field(Field::Name)
                .filter(|n| n.kind_name() == "identifier")
            {
                let bound = Bound::whole(name);
                self.add(scope, BindingKind::Function, node, bound, None, None);
            }
        }
        if let Some(params) = node.field(Field::Parameters) {
            let mut c = params.walk();
            let params: Vec<Node<'t>> = params.named_children(&mut c).collect();
            for p in params {
                let (pattern, value) = match p.kind_name() {
                    "required_parameter" | "optional_parameter" => {
                        (p.field(Field::Pattern), p.field(Field::Value))
                    }
                    _ => (Some(p), None),
                };
                if let Some(pattern) = pattern {
                    self.pattern(pattern, scope, BindingKind::Param, p, value);
                }
            }
        } else if let Some(p) = node.field(Field::Parameter) {
            if p.kind_name() == "identifier" {
                let bound = Bound::whole(p);
                self.add(scope, BindingKind::Param, p, bound, None, None);
            }
        }
    }

    fn named(&mut self, node: Node<'t>, kind: BindingKind) {
        if let (Some(scope), Some(name)) = (self.current(), node.field(Field::Name)) {
            let bound = Bound::whole(name);
            self.add(scope, kind, node, bound, None, None);
        }
    }

    /// `const`/`let`/`var` declarators, with `require`s as imports.
    fn declaration(&mut self, stmt: Node<'t>) {
        let src = self.source;
        let (kind, scope) = if stmt.kind_name() == "variable_declaration" {
            (BindingKind::Var, self.var_scope())
        } else if stmt.child(0).is_some_and(|k| ast::text(k, src) == "const") {
            (BindingKind::Const, self.current())
        } else {
            (BindingKind::Let, self.current())
        };
        let Some(scope) = scope else {
            return;
        };
        let mut c = stmt.walk();
        let declarators: Vec<Node<'t>> = stmt
            .named_children(&mut c)
            .filter(|d| d.kind_name() == "variable_declarator")
            .collect();
        for d in declarators {
            let Some(pattern) = d.field(Field::Name) else {
                continue;
            };
            let value = d.field(Field::Value);
            // `require('m')` or `require('m').prop` (looked at only when the
            // value's text starts with `require`, after any parentheses).
            let required = value
                .filter(|v| {
                    src.get(v.byte_range())
                        .is_some_and(|t| t.trim_start_matches(['(', ' ']).starts_with("require"))
                })
                .map(ast::unwrap_expr)
                .and_then(|v| match super::require_source(v, src) {
                    Some(m) => Some((m, None)),
                    None if v.kind_name() == "member_expression" => {
                        let m = super::require_source(v.field(Field::Object)?, src)?;
                        let p = v
                            .field(Field::Property)
                            .map(|p| ast::text(p, src).to_string());
                        Some((m, p))
                    }
                    None => None,
                });
            for bound in Self::bound_names(pattern) {
                let import = required.as_ref().and_then(|(module, prop)| {
                    let imported = if !bound.destructured {
                        prop.clone().unwrap_or_else(|| "*".to_string())
                    } else if prop.is_none()
                        && (bound.element.kind_name() == "shorthand_property_identifier_pattern"
                            || bound.element.kind_name() == "pair_pattern"
                                && bound.element.field(Field::Value).map(|v| v.id())
                                    == Some(bound.ident.id()))
                    {
                        let k = bound.key?;
                        ast::string_value(k, src).unwrap_or_else(|| ast::text(k, src).to_string())
                    } else {
                        return None;
                    };
                    Some(Import {
                        module: module.clone(),
                        imported,
                        type_only: false,
                        statement: stmt,
                        named_imports: None,
                    })
                });
                self.add(scope, kind, d, bound, value, import);
            }
        }
    }

    fn import(&mut self, stmt: Node<'t>) {
        let src = self.source;
        let Some(scope) = self.current() else {
            return;
        };
        let stmt_type = ast::has_token_child(stmt, "type");
        let module = stmt
            .field(Field::Source)
            .and_then(|s| ast::string_value(s, src));
        let mut found: Vec<(Node<'t>, String, bool, Option<Node<'t>>, String)> = Vec::new();
        let mut c = stmt.walk();
        let clauses: Vec<Node<'t>> = stmt.named_children(&mut c).collect();
        for clause in clauses {
            match clause.kind_name() {
                "import_clause" => {
                    let Some(module) = module.clone() else {
                        continue;
                    };
                    let mut c3 = clause.walk();
                    let parts: Vec<Node<'t>> = clause.named_children(&mut c3).collect();
                    for part in parts {
                        match part.kind_name() {
                            "identifier" => found.push((
                                part,
                                "default".into(),
                                stmt_type,
                                None,
                                module.clone(),
                            )),
                            "namespace_import" => {
                                if let Some(id) = part.named_child(0) {
                                    found.push((id, "*".into(), stmt_type, None, module.clone()));
                                }
                            }
                            "named_imports" => {
                                let mut c4 = part.walk();
                                let specs: Vec<Node<'t>> = part.named_children(&mut c4).collect();
                                for spec in specs {
                                    if spec.kind_name() != "import_specifier" {
                                        continue;
                                    }
                                    let Some(name) = spec.field(Field::Name) else {
                                        continue;
                                    };
                                    let local = spec.field(Field::Alias).unwrap_or(name);
                                    let imported = ast::string_value(name, src)
                                        .unwrap_or_else(|| ast::text(name, src).into());
                                    let type_only = stmt_type || ast::has_token_child(spec, "type");
                                    found.push((
                                        local,
                                        imported,
                                        type_only,
                                        Some(part),
                                        module.clone(),
                                    ));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "import_require_clause" => {
                    let m = clause
                        .field(Field::Source)
                        .and_then(|s| ast::string_value(s, src));
                    if let (Some(m), Some(id)) = (m, clause.named_child(0)) {
                        if id.kind_name() == "identifier" {
                            found.push((id, "*".into(), stmt_type, None, m));
                        }
                    }
                }
                _ => {}
            }
        }
        for (ident, imported, type_only, named_imports, module) in found {
            let bound = Bound {
                ident,
                destructured: false,
                element: ident,
                key: None,
            };
            let import = Import {
                module,
                imported,
                type_only,
                statement: stmt,
                named_imports,
            };
            self.add(scope, BindingKind::Import, stmt, bound, None, Some(import));
        }
    }
}
