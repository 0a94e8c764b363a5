//! Development-guard questions: logging that runs only outside production is not
//! reported.

use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use std::collections::HashMap;
use tree_sitter::Node;

/// Development-guard questions for one file; the identifier index is built at
/// most once, and only when a finding sits in a named function.
pub(super) struct Guards<'t, 's> {
    pub(super) program: Node<'t>,
    pub(super) src: &'s str,
    pub(super) refs: Option<HashMap<&'s str, Vec<Node<'t>>>>,
    pub(super) exits: ast::EarlyExits,
}

impl<'t, 's> Guards<'t, 's> {
    /// `node` runs only outside production: under a guard in its function, or in
    /// a (non-exported) function that is only called under such guards in this file.
    pub(super) fn dev_only(&mut self, node: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if ast::in_dev_only_code_with(node, self.src, &mut self.exits) {
            return true;
        }
        if depth > 4 {
            return false;
        }
        // The named function around `node`, skipping anonymous callbacks.
        let mut func = ast::enclosing_function(node);
        while let Some(f) = func {
            let callback = matches!(
                f.kind_name(),
                "arrow_function" | "function_expression" | "function"
            ) && f.parent().is_some_and(|p| p.kind_name() == "arguments");
            if !callback {
                break;
            }
            func = ast::enclosing_function(f);
        }
        let Some(func) = func else {
            return false;
        };
        let Some((name_node, exported)) = declared_name(func) else {
            return false;
        };
        if exported {
            return false;
        }
        let name = ast::text(name_node, self.src);
        let refs: Vec<Node<'t>> = self
            .references()
            .get(name)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|r| r.id() != name_node.id())
                    .collect()
            })
            .unwrap_or_default();
        if refs.is_empty() {
            return false;
        }
        refs.into_iter().all(|r| {
            let Some(call) = r.parent().filter(|p| {
                p.kind_name() == "call_expression"
                    && p.field(Field::Function).is_some_and(|f| f.id() == r.id())
            }) else {
                return false;
            };
            // a recursive call inside the function itself does not count
            ast::contains(func, call) || self.dev_only(call, depth + 1)
        })
    }

    fn references(&mut self) -> &HashMap<&'s str, Vec<Node<'t>>> {
        let src = self.src;
        let program = self.program;
        self.refs.get_or_insert_with(|| {
            let mut map: HashMap<&'s str, Vec<Node<'t>>> = HashMap::new();
            ast::visit(program, &mut |n| {
                if n.kind_name() == "identifier" {
                    map.entry(ast::text(n, src)).or_default().push(n);
                }
                true
            });
            map
        })
    }
}

/// The name node of a function declaration or of a `const f = () => …` and
/// whether it is exported.
fn declared_name(func: Node<'_>) -> Option<(Node<'_>, bool)> {
    match func.kind_name() {
        "function_declaration" | "generator_function_declaration" => {
            let name = func.field(Field::Name)?;
            let exported = func
                .parent()
                .is_some_and(|p| p.kind_name() == "export_statement");
            Some((name, exported))
        }
        "arrow_function" | "function_expression" | "function" => {
            let declarator = func
                .parent()
                .filter(|p| p.kind_name() == "variable_declarator")?;
            let name = declarator
                .field(Field::Name)
                .filter(|n| n.kind_name() == "identifier")?;
            let exported = declarator
                .parent()
                .and_then(|d| d.parent())
                .is_some_and(|p| p.kind_name() == "export_statement");
            Some((name, exported))
        }
        _ => None,
    }
}
