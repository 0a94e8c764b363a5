//! What a name or member chain refers to through the file's imports: the
//! qualified name `path.join`, `fs.promises.writeFile` (in the spirit of Ruff's
//! `resolve_qualified_name`).

use super::Semantic;
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use tree_sitter::Node;

/// A module and the member path inside it: `import { join } from 'node:path'`
/// makes `join` → (`path`, [`join`]); `import fs from 'fs'` makes
/// `fs.promises.writeFile` → (`fs`, [`promises`, `writeFile`]). A default or
/// namespace import (or a whole `require`) stands for the module itself (as
/// for Node's built-in modules). The `node:` prefix is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QualifiedName {
    pub module: String,
    pub path: Vec<String>,
}

impl QualifiedName {
    /// `module` and `path` as one dotted string: `fs.promises.writeFile`.
    pub fn is(&self, module: &str, path: &[&str]) -> bool {
        self.module == module
            && self
                .path
                .iter()
                .map(String::as_str)
                .eq(path.iter().copied())
    }
}

/// A module specifier without Node's `node:` scheme.
pub fn module_name(specifier: &str) -> &str {
    specifier.strip_prefix("node:").unwrap_or(specifier)
}

impl<'t> Semantic<'t> {
    /// The qualified name of an identifier or member chain whose root is bound
    /// by an import or `require` (`None` for locals, globals and computed
    /// members). Parentheses, `as` and `!` around the parts are looked through.
    pub fn qualified_name(&self, expr: Node<'_>, source: &str) -> Option<QualifiedName> {
        let mut members = Vec::new();
        let mut cur = ast::unwrap_expr(expr);
        let mut steps = 0usize;
        loop {
            steps += 1;
            if steps > ast::MAX_ANCESTOR_STEPS {
                return None;
            }
            match cur.kind_name() {
                "member_expression" => {
                    let prop = cur.field(Field::Property)?;
                    if prop.kind_name() != "property_identifier" {
                        return None;
                    }
                    members.push(ast::text(prop, source).to_string());
                    cur = ast::unwrap_expr(cur.field(Field::Object)?);
                }
                "identifier" => {
                    let b = self.resolve(cur, source)?;
                    let import = b.import.as_ref()?;
                    if import.type_only {
                        return None;
                    }
                    if !matches!(import.imported.as_str(), "default" | "*") {
                        members.push(import.imported.clone());
                    }
                    members.reverse();
                    return Some(QualifiedName {
                        module: module_name(&import.module).to_string(),
                        path: members,
                    });
                }
                "call_expression" => {
                    // `require('fs').promises.writeFile`
                    let module = super::require_source(cur, source)?;
                    members.reverse();
                    return Some(QualifiedName {
                        module: module_name(&module).to_string(),
                        path: members,
                    });
                }
                _ => return None,
            }
        }
    }
}
