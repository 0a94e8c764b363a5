//! Safety by declared type: number, literal and enum types, `keyof typeof`, typed
//! properties.

use super::safe::Safety;
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{BindingKind, Script};
use tree_sitter::Node;

impl<'s, 't> Safety<'s, 't> {
    /// A type whose values cannot carry SQL: numbers, booleans, literal types
    /// and unions of them, `Date`, `keyof typeof X`, `(typeof X)[number]`, an
    /// enum or a type alias of this file that is one of those.
    pub(super) fn type_is_safe(&mut self, ty: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend_within(depth, 8) else {
            return false;
        };
        let src = self.src;
        match ty.kind_name() {
            "type_annotation" | "parenthesized_type" | "readonly_type" => ty
                .named_child(0)
                .is_some_and(|t| self.type_is_safe(t, depth + 1)),
            "predefined_type" => matches!(
                ast::text(ty, src),
                "number" | "bigint" | "boolean" | "null" | "undefined" | "never" | "void"
            ),
            "literal_type" => true,
            "union_type" => {
                let mut c = ty.walk();
                let members: Vec<Node> = ty
                    .named_children(&mut c)
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                !members.is_empty() && members.into_iter().all(|m| self.type_is_safe(m, depth + 1))
            }
            // `keyof typeof COLUMNS`, `keyof Row`.
            "index_type_query" => ty
                .named_child(0)
                .is_some_and(|t| matches!(t.kind_name(), "type_query" | "type_identifier")),
            // `(typeof SORTS)[number]`, `Row['status']`.
            "lookup_type" => ty.named_child(0).is_some_and(|t| {
                let t = if t.kind_name() == "parenthesized_type" {
                    t.named_child(0).unwrap_or(t)
                } else {
                    t
                };
                t.kind_name() == "type_query"
            }),
            "type_identifier" => {
                let name = ast::text(ty, src);
                if name == "Date" {
                    return true;
                }
                match local_type(ty, name, src) {
                    Some(d) if d.kind_name() == "enum_declaration" => true,
                    Some(d) if d.kind_name() == "type_alias_declaration" => d
                        .field(Field::Value)
                        .is_some_and(|v| self.type_is_safe(v, depth + 1)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The property `key` of values of type `ty` is safe: an object type (or a
    /// local interface / type alias, through `Partial`/`Readonly`/`Required`) that
    /// declares it with a safe type, or `ReturnType<typeof f>` of a local `f`
    /// whose returned objects give it a safe value.
    pub(super) fn type_property_safe(&mut self, ty: Node<'t>, key: &str, depth: usize) -> bool {
        let Some(_level) = ast::descend_within(depth, 8) else {
            return false;
        };
        let src = self.src;
        match ty.kind_name() {
            "type_annotation" | "parenthesized_type" | "readonly_type" => ty
                .named_child(0)
                .is_some_and(|t| self.type_property_safe(t, key, depth + 1)),
            "object_type" | "interface_body" => {
                let mut c = ty.walk();
                let sig = ty.named_children(&mut c).find(|m| {
                    m.kind_name() == "property_signature"
                        && m.field(Field::Name).is_some_and(|n| {
                            ast::string_value(n, src)
                                .as_deref()
                                .unwrap_or(ast::text(n, src))
                                == key
                        })
                });
                sig.and_then(|m| m.field(Field::Type))
                    .is_some_and(|t| self.type_is_safe(t, depth + 1))
            }
            "intersection_type" => {
                let mut c = ty.walk();
                let members: Vec<Node> = ty.named_children(&mut c).collect();
                members
                    .into_iter()
                    .any(|m| self.type_property_safe(m, key, depth + 1))
            }
            "type_identifier" => match local_type(ty, ast::text(ty, src), src) {
                Some(d) if d.kind_name() == "interface_declaration" => d
                    .field(Field::Body)
                    .is_some_and(|b| self.type_property_safe(b, key, depth + 1)),
                Some(d) if d.kind_name() == "type_alias_declaration" => d
                    .field(Field::Value)
                    .is_some_and(|v| self.type_property_safe(v, key, depth + 1)),
                _ => false,
            },
            "generic_type" => {
                let name = ty
                    .field(Field::Name)
                    .map(|n| ast::text(n, src))
                    .unwrap_or("");
                let Some(arg) = ty
                    .field(Field::TypeArguments)
                    .and_then(|a| a.named_child(0))
                else {
                    return false;
                };
                match name {
                    "Partial" | "Readonly" | "Required" | "Awaited" | "NonNullable" => {
                        self.type_property_safe(arg, key, depth + 1)
                    }
                    "ReturnType" if arg.kind_name() == "type_query" => {
                        let Some(f) = arg.named_child(0).filter(|f| f.kind_name() == "identifier")
                        else {
                            return false;
                        };
                        match src.top_level_function(ast::text(f, src)) {
                            Some(func) => self.returns_safe_property(func, key, depth + 1),
                            None => false,
                        }
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The property `key` of `value` is safe: an object literal whose `key` is a
    /// safe value, a `const` bound to one, or a call of a local function whose
    /// every returned object has a safe `key`.
    pub(super) fn value_property_safe(&mut self, value: Node<'t>, key: &str, depth: usize) -> bool {
        let Some(_level) = ast::descend_within(depth, 8) else {
            return false;
        };
        let src = self.src;
        let v = ast::unwrap_expr(value);
        match v.kind_name() {
            "object" => {
                let mut c = v.walk();
                let found = v.named_children(&mut c).find_map(|p| match p.kind_name() {
                    "pair" => {
                        let k = p.field(Field::Key)?;
                        let name = ast::string_value(k, src)
                            .unwrap_or_else(|| ast::text(k, src).to_string());
                        (name == key).then(|| p.field(Field::Value)).flatten()
                    }
                    "shorthand_property_identifier" if ast::text(p, src) == key => Some(p),
                    _ => None,
                });
                found.is_some_and(|n| self.is_safe(n, depth + 1))
            }
            "call_expression" => {
                let Some(callee) = v
                    .field(Field::Function)
                    .filter(|f| f.kind_name() == "identifier")
                else {
                    return false;
                };
                match src.top_level_function(ast::text(callee, src)) {
                    Some(func) => self.returns_safe_property(func, key, depth + 1),
                    None => false,
                }
            }
            "identifier" => match src.declaration(v, ast::text(v, src)) {
                Some(b) if b.kind == BindingKind::Const && b.key.is_none() => b
                    .value
                    .is_some_and(|x| self.value_property_safe(x, key, depth + 1)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Every object returned by the function `func` has a safe `key`.
    fn returns_safe_property(&mut self, func: Node<'t>, key: &str, depth: usize) -> bool {
        let Some(body) = func.field(Field::Body) else {
            return false;
        };
        if body.kind_name() != "statement_block" {
            return self.value_property_safe(body, key, depth + 1);
        }
        let mut returns = Vec::new();
        ast::visit(body, &mut |n| {
            if n.kind_name() == "return_statement" {
                returns.push(n);
            }
            !ast::is_function(n)
        });
        !returns.is_empty()
            && returns.into_iter().all(|r| {
                r.named_child(0)
                    .is_some_and(|v| self.value_property_safe(v, key, depth + 1))
            })
    }
}

/// The `type`/`interface`/`enum` declared as `name` at the top level of the file
/// holding `at` (exported or not).
fn local_type<'t>(at: Node<'t>, name: &str, src: &Script<'t>) -> Option<Node<'t>> {
    let program = src.program(at);
    let mut c = program.walk();
    let found = program.named_children(&mut c).find_map(|stmt| {
        let decl = if stmt.kind_name() == "export_statement" {
            stmt.field(Field::Declaration)?
        } else {
            stmt
        };
        let declares = matches!(
            decl.kind_name(),
            "type_alias_declaration" | "interface_declaration" | "enum_declaration"
        ) && decl
            .field(Field::Name)
            .is_some_and(|n| ast::text(n, src) == name);
        declares.then_some(decl)
    });
    found
}
