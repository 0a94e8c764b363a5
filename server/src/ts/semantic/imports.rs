//! What a name or member chain refers to through the file's imports: the
//! qualified name `path.join`, `fs.promises.writeFile` (in the spirit of Ruff's
//! `resolve_qualified_name`).

use super::{Script, Semantic};
use crate::diagnostic::Edit;
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

// ---------------------------------------------------------------------------
// Adding an import (the one builder every fix that needs a module uses).

/// How a file brings in modules at its top level, for adding one more the
/// way it already does.
#[derive(Clone, Copy, Debug)]
pub struct ImportBlock<'t> {
    pub program: Node<'t>,
    /// The last top-level `import` statement (type-only and side-effect ones too).
    pub last_import: Option<Node<'t>>,
    /// The last top-level declaration holding a `require(…)`.
    pub last_require: Option<Node<'t>>,
    /// Some import is a namespace import (`import * as path from 'path'`).
    pub namespace_style: bool,
}

/// The form of a new import.
#[derive(Clone, Copy, Debug)]
pub enum NewImport<'a> {
    /// `import name from 'm'` (or `import * as name` in a namespace-style
    /// file; `const name = require('m')` in a CommonJS one).
    Module { local: &'a str, module: &'a str },
    /// `import { spec } from 'm'`; `spec` may be `a as b`.
    Named { spec: &'a str, module: &'a str },
    /// `import name from 'm'` whatever the file's namespace style, for
    /// modules whose API is their default export (`dompurify`); `const name =
    /// require('m')` in a CommonJS file.
    Default { local: &'a str, module: &'a str },
}

impl<'t> ImportBlock<'t> {
    pub fn of(src: &Script<'t>, program: Node<'t>) -> ImportBlock<'t> {
        let mut block = ImportBlock {
            program,
            last_import: None,
            last_require: None,
            namespace_style: false,
        };
        let mut c = program.walk();
        for stmt in program.named_children(&mut c) {
            match stmt.kind_name() {
                "import_statement" => {
                    block.last_import = Some(stmt);
                    let mut cc = stmt.walk();
                    let namespace = stmt
                        .named_children(&mut cc)
                        .filter(|n| n.kind_name() == "import_clause")
                        .any(|clause| {
                            let mut c3 = clause.walk();
                            let found = clause
                                .named_children(&mut c3)
                                .any(|p| p.kind_name() == "namespace_import");
                            found
                        });
                    block.namespace_style |= namespace;
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut cc = stmt.walk();
                    let requires = stmt.named_children(&mut cc).any(|d| {
                        d.field(Field::Value)
                            .map(ast::unwrap_expr)
                            .is_some_and(|v| {
                                v.kind_name() == "call_expression"
                                    && ast::callee_path(v, src).as_deref() == Some("require")
                            })
                    });
                    if requires {
                        block.last_require = Some(stmt);
                    }
                }
                _ => {}
            }
        }
        block
    }

    /// A CommonJS file: `.cjs`, or a JavaScript file (not `.mjs`) without
    /// `import`s that `require`s or assigns `module.exports` / `exports.x`.
    pub fn is_commonjs(&self, src: &str, path: &str, javascript: bool) -> bool {
        path.ends_with(".cjs")
            || (!path.ends_with(".mjs")
                && self.last_import.is_none()
                && javascript
                && (self.last_require.is_some()
                    || src.contains("module.exports")
                    || src.contains("exports.")))
    }

    /// One edit adding `imports`, in order, after the file's last import (or
    /// `require` when `commonjs`), else after its directive prologue, else
    /// before its first statement; in the file's quote style and semicolon use
    /// (that of the statement it follows, else of the first directive, else of
    /// `style`, else with semicolons) and line endings.
    pub fn add(
        &self,
        src: &Script<'t>,
        imports: &[NewImport<'_>],
        commonjs: bool,
        style: Option<Node<'_>>,
    ) -> Edit {
        let eol = ast::line_ending(src);
        let q = ast::preferred_quote(src);
        let directives = ast::directives(self.program, src);
        let last = if commonjs {
            self.last_require
        } else {
            self.last_import
        };
        let anchor = last.or_else(|| directives.last().map(|(s, _)| *s));
        let semi_ref = last
            .or_else(|| directives.first().map(|(s, _)| *s))
            .or(style);
        let semi = match semi_ref {
            Some(s) if !ast::text(s, src).trim_end().ends_with(';') => "",
            _ => ";",
        };
        let lines: Vec<String> = imports
            .iter()
            .map(|imp| match *imp {
                NewImport::Module { local, module } | NewImport::Default { local, module }
                    if commonjs =>
                {
                    format!("const {local} = require({q}{module}{q}){semi}")
                }
                NewImport::Module { local, module } if self.namespace_style => {
                    format!("import * as {local} from {q}{module}{q}{semi}")
                }
                NewImport::Module { local, module } | NewImport::Default { local, module } => {
                    format!("import {local} from {q}{module}{q}{semi}")
                }
                NewImport::Named { spec, module } if commonjs => {
                    let (name, alias) = spec.split_once(" as ").unwrap_or((spec, spec));
                    let destructure = if name == alias {
                        name.to_string()
                    } else {
                        format!("{name}: {alias}")
                    };
                    format!("const {{ {destructure} }} = require({q}{module}{q}){semi}")
                }
                NewImport::Named { spec, module } => {
                    format!("import {{ {spec} }} from {q}{module}{q}{semi}")
                }
            })
            .collect();
        let block = lines.join(eol);
        if let Some(a) = anchor {
            // At the end of the anchor's line when only a comment follows it
            // there, else right after it on a line of its own.
            let end = a.end_byte();
            let rest = src.get(end..).unwrap_or("");
            let line_end = rest.find(['\n', '\r']).map_or(src.len(), |i| end + i);
            let tail = src.get(end..line_end).unwrap_or("x").trim();
            if tail.is_empty() || tail.starts_with("//") {
                return Edit::insert(line_end, format!("{eol}{block}"));
            }
            return Edit::insert(end, format!("{eol}{block}{eol}"));
        }
        let mut c = self.program.walk();
        let first = self
            .program
            .named_children(&mut c)
            .find(|n| !matches!(n.kind_name(), "comment" | "hash_bang_line"));
        let at = first.map_or(0, |s| {
            // the start of its line when only indentation precedes it
            let start = s.start_byte();
            let line_start = src
                .get(..start)
                .and_then(|h| h.rfind(['\n', '\r']))
                .map_or(0, |i| i + 1);
            let before = src.get(line_start..start).unwrap_or("x");
            if before.trim().is_empty() {
                line_start
            } else {
                start
            }
        });
        Edit::insert(at, format!("{block}{eol}"))
    }
}

/// One edit adding `spec` to an existing `import { … }` list.
pub fn extend_named_imports(named_imports: Node<'_>, spec: &str) -> Edit {
    let mut c = named_imports.walk();
    let last = named_imports
        .named_children(&mut c)
        .filter(|n| n.kind_name() == "import_specifier")
        .last();
    match last {
        Some(l) => Edit::insert(l.end_byte(), format!(", {spec}")),
        None => Edit::insert(named_imports.start_byte() + 1, format!(" {spec} ")),
    }
}
