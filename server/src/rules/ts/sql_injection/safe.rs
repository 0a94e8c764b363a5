//! What counts as safe to interpolate: constants, numbers, escaped values, placeholder
//! lists.

use super::dynamic::{classify_template, is_upper_const, operator, template_pieces, SubClass};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{Binding, BindingKind, Script};
use std::collections::HashMap;
use tree_sitter::Node;

/// What is known to be safe to interpolate into SQL, with the allowlist checks
/// of each enclosing function collected once.
pub(super) struct Safety<'s, 't> {
    pub(super) src: &'s Script<'t>,
    /// Function (or program) node id → (normalised texts checked against an
    /// allowlist, whether the function uses `z.enum`).
    pub(super) checks: HashMap<usize, (Vec<String>, bool)>,
    /// `let`/`var` declaration node id → whether every value it is given is safe.
    lets: HashMap<usize, bool>,
    _tree: std::marker::PhantomData<Node<'t>>,
}

pub(super) fn norm(node: Node, src: &Script<'_>) -> String {
    let node = ast::unwrap_expr(node);
    ast::member_path(node, src).unwrap_or_else(|| {
        ast::text(node, src)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    })
}

impl<'s, 't> Safety<'s, 't> {
    pub(super) fn new(src: &'s Script<'t>) -> Self {
        Safety {
            src,
            checks: HashMap::new(),
            lets: HashMap::new(),
            _tree: std::marker::PhantomData,
        }
    }

    pub(super) fn is_safe(&mut self, expr: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend_within(depth, 6) else {
            return false;
        };
        let src = self.src;
        let e = ast::unwrap_expr(expr);
        match e.kind_name() {
            "number" | "string" | "true" | "false" | "null" | "undefined" | "regex" => true,
            "template_string" => {
                let Some(pieces) = template_pieces(e) else {
                    return false;
                };
                classify_template(&pieces, self)
                    .iter()
                    .all(|(_, c)| *c != SubClass::Unsafe)
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = ast::text(e, src);
                if is_upper_const(name) || name == "undefined" || name == "NaN" {
                    return true;
                }
                match src.declaration(e, name) {
                    Some(b) if self.declared_safe(b, depth) => true,
                    Some(b) => match b.kind {
                        BindingKind::Import | BindingKind::Enum => true,
                        BindingKind::ForOf
                            if b.key.is_none()
                                && b.value.is_some_and(|v| self.is_safe_array(v, depth + 1)) =>
                        {
                            true
                        }
                        BindingKind::Const if b.key.is_none() => {
                            if let Some(v) = b.value {
                                if self.is_safe(v, depth + 1) {
                                    return true;
                                }
                            }
                            self.checked(e)
                        }
                        BindingKind::Let | BindingKind::Var if b.key.is_none() => {
                            self.only_safe_values(b, depth) || self.checked(e)
                        }
                        _ => self.checked(e),
                    },
                    None => self.checked(e),
                }
            }
            "member_expression" => {
                let Some(prop) = e.field(Field::Property) else {
                    return false;
                };
                let prop_name = ast::text(prop, src);
                if prop_name == "length" || is_upper_const(prop_name) {
                    return true;
                }
                if let Some(object) = e.field(Field::Object) {
                    if self.is_constant_container(object, depth)
                        || self.property_safe(object, prop_name, depth)
                    {
                        return true;
                    }
                }
                self.checked(e)
            }
            "subscript_expression" => {
                let Some(object) = e.field(Field::Object) else {
                    return false;
                };
                self.is_constant_container(object, depth) || self.checked(e)
            }
            "ternary_expression" => {
                let (Some(a), Some(b)) = (e.field(Field::Consequence), e.field(Field::Alternative))
                else {
                    return false;
                };
                self.is_safe(a, depth + 1) && self.is_safe(b, depth + 1)
            }
            "binary_expression" => {
                let (Some(l), Some(r)) = (e.field(Field::Left), e.field(Field::Right)) else {
                    return false;
                };
                match operator(e, src) {
                    Some("+") => {
                        let l_dollar = ast::string_value(ast::unwrap_expr(l), src)
                            .is_some_and(|s| s.ends_with('$'));
                        self.is_safe(l, depth + 1) && (l_dollar || self.is_safe(r, depth + 1))
                    }
                    Some("&&") => self.is_safe(r, depth + 1),
                    Some("||" | "??") => self.is_safe(l, depth + 1) && self.is_safe(r, depth + 1),
                    // Arithmetic, bitwise and comparison operators give numbers or booleans.
                    Some(_) => true,
                    None => false,
                }
            }
            "unary_expression" => true,
            "update_expression" => true,
            "call_expression" => self.is_safe_call(e, depth) || self.checked(e),
            _ => false,
        }
    }

    /// A `let`/`var` (`let tableName; tableName = "users";`) whose initial
    /// value, if any, and every value assigned to it in its function are safe,
    /// with at least one of them. Functions over 64 KiB are not read.
    fn only_safe_values(&mut self, b: &Binding<'t>, depth: usize) -> bool {
        if let Some(known) = self.lets.get(&b.decl.id()) {
            return *known;
        }
        // assume unsafe while judging (a value that mentions the name itself)
        self.lets.insert(b.decl.id(), false);
        let src = self.src;
        let scope = ast::enclosing_function(b.decl)
            .and_then(|f| f.field(Field::Body))
            .unwrap_or_else(|| src.program(b.decl));
        let mut values: Vec<Node<'t>> = b.value.into_iter().collect();
        let mut ok = scope.byte_range().len() <= 64 * 1024;
        if ok {
            ast::visit(scope, &mut |n| {
                if !ok {
                    return false;
                }
                if matches!(
                    n.kind_name(),
                    "assignment_expression" | "augmented_assignment_expression"
                ) {
                    let assigns_it = n.field(Field::Left).is_some_and(|l| {
                        l.kind_name() == "identifier"
                            && ast::text(l, src) == b.name
                            && src
                                .declaration(l, b.name)
                                .is_some_and(|d| d.decl.id() == b.decl.id())
                    });
                    if assigns_it {
                        match n.field(Field::Right) {
                            Some(r) if values.len() < 64 => values.push(r),
                            _ => ok = false,
                        }
                    }
                }
                // `({ t } = input)`, `[t] = parts`, `for (t of names)`: values not read here
                if matches!(n.kind_name(), "object_pattern" | "array_pattern")
                    || (n.kind_name() == "for_in_statement"
                        && n.field(Field::Left)
                            .is_some_and(|l| ast::text(l, src) == b.name))
                {
                    let mut names_it = false;
                    ast::visit(n.field(Field::Left).unwrap_or(n), &mut |p| {
                        names_it |= matches!(
                            p.kind_name(),
                            "identifier" | "shorthand_property_identifier_pattern"
                        ) && ast::text(p, src) == b.name;
                        !names_it
                    });
                    if names_it {
                        ok = false;
                    }
                }
                true
            });
        }
        let safe =
            ok && !values.is_empty() && values.into_iter().all(|v| self.is_safe(v, depth + 1));
        self.lets.insert(b.decl.id(), safe);
        safe
    }

    /// A name whose declaration makes it safe by its type (`n: number`,
    /// `dir: 'asc' | 'desc'`, `{ limit }: { limit: number }`) or, for a name
    /// destructured from a call of a local function, by what that function
    /// returns (`const { days } = parseArgs()` with `days: parseInt(…)`).
    fn declared_safe(&mut self, b: &Binding<'t>, depth: usize) -> bool {
        if depth > 6
            || !matches!(
                b.kind,
                BindingKind::Param | BindingKind::Const | BindingKind::Let | BindingKind::Var
            )
        {
            return false;
        }
        let (pattern, annotation) = match b.decl.kind_name() {
            "required_parameter" | "optional_parameter" => {
                (b.decl.field(Field::Pattern), b.decl.field(Field::Type))
            }
            "variable_declarator" => (b.decl.field(Field::Name), b.decl.field(Field::Type)),
            _ => (None, None),
        };
        let Some(pattern) = pattern else {
            return false;
        };
        match &b.key_name(self.src) {
            None if pattern.id() == b.ident.id() => {
                annotation.is_some_and(|t| self.type_is_safe(t, depth + 1))
            }
            // `{ days }: Options` / `const { days } = parseArgs()`; only a
            // property of the whole pattern (not a nested one).
            Some(key)
                if b.ident.parent().and_then(|p| p.parent()).map(|p| p.id())
                    == Some(pattern.id())
                    || b.ident.parent().map(|p| p.id()) == Some(pattern.id()) =>
            {
                annotation.is_some_and(|t| self.type_property_safe(t, key, depth + 1))
                    || (b.kind == BindingKind::Const
                        && b.value
                            .is_some_and(|v| self.value_property_safe(v, key, depth + 1)))
            }
            _ => false,
        }
    }

    /// `object.prop` is safe by the declared type of `object` or, for a `const`,
    /// by its value (`const opts = parseArgs()`, `opts: ReturnType<typeof parseArgs>`).
    fn property_safe(&mut self, object: Node<'t>, prop: &str, depth: usize) -> bool {
        let src = self.src;
        let object = ast::unwrap_expr(object);
        if depth > 6 || object.kind_name() != "identifier" {
            return false;
        }
        let Some(b) = src.declaration(object, ast::text(object, src)) else {
            return false;
        };
        if b.key.is_some() {
            return false;
        }
        let annotation = match b.decl.kind_name() {
            "required_parameter" | "optional_parameter"
                if b.decl.field(Field::Pattern).map(|p| p.id()) == Some(b.ident.id()) =>
            {
                b.decl.field(Field::Type)
            }
            "variable_declarator"
                if b.decl.field(Field::Name).map(|p| p.id()) == Some(b.ident.id()) =>
            {
                b.decl.field(Field::Type)
            }
            _ => return false,
        };
        if annotation.is_some_and(|t| self.type_property_safe(t, prop, depth + 1)) {
            return true;
        }
        b.kind == BindingKind::Const
            && b.value
                .is_some_and(|v| self.value_property_safe(v, prop, depth + 1))
    }
}

impl<'s, 't> Safety<'s, 't> {
    fn is_safe_call(&mut self, call: Node<'t>, depth: usize) -> bool {
        let src = self.src;
        let Some(callee) = call.field(Field::Function) else {
            return false;
        };
        let args = ast::call_arguments(call);
        let (name, receiver) = match callee.kind_name() {
            "identifier" => (ast::text(callee, src), None),
            "member_expression" => (
                callee
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or(""),
                callee.field(Field::Object),
            ),
            _ => return false,
        };
        let receiver_path = receiver.and_then(|r| ast::member_path(r, src));
        // `escapeIdentifier(t)`, `quoteIdent(t)`, `this.sanitizeTableName(t)`
        // (a regex check of the name before it is used)
        if name.starts_with("escape") || name.starts_with("quote") || name.starts_with("sanitize") {
            return true;
        }
        match (receiver_path.as_deref(), name) {
            (None, "Number" | "parseInt" | "parseFloat" | "Boolean" | "BigInt") => true,
            (None, "String") => args.first().is_some_and(|a| self.is_safe(*a, depth + 1)),
            (Some("Math" | "Number"), _) => true,
            (Some("Object"), "keys") => args
                .first()
                .is_some_and(|a| self.is_constant_container(*a, depth)),
            (_, "toFixed" | "toISOString" | "toPrecision" | "getTime" | "valueOf") => true,
            (_, "toString" | "toUpperCase" | "toLowerCase" | "trim") => {
                receiver.is_some_and(|r| self.is_safe(r, depth + 1))
            }
            (_, "join") => {
                receiver.is_some_and(|r| self.is_safe_array(r, depth + 1))
                    && args.iter().all(|a| self.is_safe(*a, depth + 1))
            }
            _ => false,
        }
    }

    /// An array whose elements are all safe: an array literal of safe values, a
    /// `const` bound to one, `.map(cb)` with a callback returning safe values,
    /// `.fill(safe)`, `Object.keys(CONSTANT)`.
    fn is_safe_array(&mut self, expr: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend_within(depth, 6) else {
            return false;
        };
        let src = self.src;
        let e = ast::unwrap_expr(expr);
        match e.kind_name() {
            "array" => {
                let mut c = e.walk();
                let elems: Vec<Node> = e
                    .named_children(&mut c)
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                elems.into_iter().all(|n| self.is_safe(n, depth + 1))
            }
            "identifier" => {
                let name = ast::text(e, src);
                if is_upper_const(name) {
                    return true;
                }
                match src.declaration(e, name) {
                    Some(b) if b.kind == BindingKind::Const && b.key.is_none() => {
                        b.value.is_some_and(|v| self.is_safe_array(v, depth + 1))
                            && self.additions_are_safe(b.decl, name, depth)
                    }
                    Some(b) if b.kind == BindingKind::Import => true,
                    _ => false,
                }
            }
            "call_expression" => {
                let Some(callee) = e.field(Field::Function) else {
                    return false;
                };
                if callee.kind_name() != "member_expression" {
                    return false;
                }
                let name = callee
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or("");
                let args = ast::call_arguments(e);
                match name {
                    "map" | "flatMap" => args
                        .first()
                        .is_some_and(|f| self.callback_is_safe(*f, depth)),
                    "fill" => args.first().is_some_and(|v| self.is_safe(*v, depth + 1)),
                    "keys" => {
                        ast::member_path(callee, src).as_deref() == Some("Object.keys")
                            && args
                                .first()
                                .is_some_and(|a| self.is_constant_container(*a, depth))
                    }
                    "filter" | "slice" | "sort" | "concat" => callee
                        .field(Field::Object)
                        .is_some_and(|o| self.is_safe_array(o, depth + 1)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Everything added to the array `name` (declared at `decl`) in its scope
    /// with `push`/`unshift`/`splice` is safe: `conditions.push(`a = $${n}`)`.
    fn additions_are_safe(&mut self, decl: Node<'t>, name: &str, depth: usize) -> bool {
        let src = self.src;
        let scope = ast::enclosing_function(decl).unwrap_or_else(|| self.src.program(decl));
        let mut added = Vec::new();
        ast::visit(scope, &mut |n| {
            if n.kind_name() == "call_expression" {
                if let Some(f) = n.field(Field::Function) {
                    let on_name = f.kind_name() == "member_expression"
                        && f.field(Field::Object).is_some_and(|o| {
                            o.kind_name() == "identifier" && ast::text(o, src) == name
                        })
                        && f.field(Field::Property).is_some_and(|p| {
                            matches!(ast::text(p, src), "push" | "unshift" | "splice")
                        });
                    if on_name {
                        added.extend(ast::call_arguments(n));
                    }
                }
            }
            true
        });
        added.into_iter().all(|a| {
            let a = ast::unwrap_expr(a);
            if a.kind_name() == "spread_element" {
                return a
                    .named_child(0)
                    .is_some_and(|x| self.is_safe_array(x, depth + 1));
            }
            self.is_safe(a, depth + 1)
        })
    }

    /// A callback whose returned values are all safe (`(_, i) => `$${i + 1}``, `() => '?'`).
    fn callback_is_safe(&mut self, f: Node<'t>, depth: usize) -> bool {
        if !matches!(
            f.kind_name(),
            "arrow_function" | "function_expression" | "function"
        ) {
            return false;
        }
        let Some(body) = f.field(Field::Body) else {
            return false;
        };
        if body.kind_name() != "statement_block" {
            return self.is_safe(body, depth + 1);
        }
        let mut returns = Vec::new();
        ast::visit(body, &mut |n| {
            if n.kind_name() == "return_statement" {
                returns.push(n);
            }
            !ast::is_function(n)
        });
        !returns.is_empty()
            && returns
                .into_iter()
                .all(|r| r.named_child(0).is_some_and(|v| self.is_safe(v, depth + 1)))
    }

    /// An object/array whose values are all constants: an UPPER_CASE name, an
    /// enum, an import, or a `const` bound to an object/array literal of literals.
    fn is_constant_container(&mut self, expr: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend_within(depth, 6) else {
            return false;
        };
        let src = self.src;
        let e = ast::unwrap_expr(expr);
        match e.kind_name() {
            "identifier" => {
                let name = ast::text(e, src);
                if is_upper_const(name) {
                    return true;
                }
                match src.declaration(e, name) {
                    Some(b) => match b.kind {
                        BindingKind::Enum | BindingKind::Import => true,
                        BindingKind::Const if b.key.is_none() => b
                            .value
                            .is_some_and(|v| self.is_constant_container(v, depth + 1)),
                        // `for (const role of ROLES)`: an element of a constant list
                        BindingKind::ForOf if b.key.is_none() => b
                            .value
                            .is_some_and(|v| self.is_constant_container(v, depth + 1)),
                        _ => false,
                    },
                    None => false,
                }
            }
            "member_expression" => e
                .field(Field::Object)
                .is_some_and(|o| self.is_constant_container(o, depth + 1)),
            "object" => {
                let mut c = e.walk();
                let values: Vec<Node> = e
                    .named_children(&mut c)
                    .filter_map(|p| match p.kind_name() {
                        "pair" => p.field(Field::Value),
                        "comment" => None,
                        _ => Some(p),
                    })
                    .collect();
                values.into_iter().all(|v| {
                    let v = ast::unwrap_expr(v);
                    if v.kind_name() == "object" || v.kind_name() == "array" {
                        self.is_constant_container(v, depth + 1)
                    } else {
                        v.kind_name() != "shorthand_property_identifier"
                            && self.is_safe(v, depth + 1)
                    }
                })
            }
            // a list of constant records (`[{ name: 'owner' }, …]`) or of literals
            "array" => {
                let mut c = e.walk();
                let elems: Vec<Node> = e
                    .named_children(&mut c)
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                elems.into_iter().all(|v| {
                    let v = ast::unwrap_expr(v);
                    if matches!(v.kind_name(), "object" | "array") {
                        self.is_constant_container(v, depth + 1)
                    } else {
                        self.is_safe(v, depth + 1)
                    }
                })
            }
            _ => false,
        }
    }
}
