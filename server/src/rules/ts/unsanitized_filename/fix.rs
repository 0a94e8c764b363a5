//! The fix: a random name keeping a cleaned extension, and the `crypto`/`path` imports it
//! needs.

use super::flow::{is_pass_function, PASS_METHODS};
use super::sinks::PATH_MODULES;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix};
use crate::language::Language;
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{ImportBlock, NewImport, Script};
use tree_sitter::Node;

/// multer configured with `preservePath: true` somewhere in the file.
pub(super) fn preserve_path<'t>(at: Node<'t>, src: &Script<'t>) -> bool {
    let root = src.program(at);
    src.match_indices("preservePath").any(|(i, m)| {
        root.descendant_for_byte_range(i, i + m.len())
            .filter(|n| n.kind_name() == "property_identifier")
            .and_then(|n| n.parent())
            .filter(|p| p.kind_name() == "pair")
            .and_then(|p| p.field(Field::Value))
            .is_some_and(|v| v.kind_name() == "true")
    })
}

// ---------------------------------------------------------------------------
// Fix

/// A module the file brings in at the top level: its local name and the
/// identifier that binds it.
struct ModuleImport<'t> {
    pub(super) name: String,
    pub(super) ident: Node<'t>,
}

struct FileShape<'t> {
    pub(super) root: Node<'t>,
    pub(super) path: Option<ModuleImport<'t>>,
    pub(super) crypto: Option<ModuleImport<'t>>,
    /// `import { randomUUID } from 'node:crypto'` (its local name).
    random_uuid: Option<ModuleImport<'t>>,
    block: ImportBlock<'t>,
}

fn file_shape<'t>(at: Node<'t>, src: &Script<'t>) -> FileShape<'t> {
    let root = src.program(at);
    let mut shape = FileShape {
        root,
        path: None,
        crypto: None,
        random_uuid: None,
        block: ImportBlock::of(src, root),
    };
    for b in src.semantic.module_imports() {
        let Some(i) = &b.import else {
            continue;
        };
        let esm = i.statement.kind_name() == "import_statement";
        let module = i.module.as_str();
        let whole = if esm {
            matches!(i.imported.as_str(), "default" | "*")
        } else {
            i.imported == "*"
        };
        let import = || ModuleImport {
            name: b.name.to_string(),
            ident: b.ident,
        };
        if whole {
            if PATH_MODULES.contains(&module) && shape.path.is_none() {
                shape.path = Some(import());
            } else if matches!(module, "crypto" | "node:crypto") && shape.crypto.is_none() {
                shape.crypto = Some(import());
            }
        } else if esm
            && i.imported == "randomUUID"
            && matches!(module, "crypto" | "node:crypto")
            && shape.random_uuid.is_none()
        {
            shape.random_uuid = Some(import());
        }
    }
    shape
}

/// The local name to use for a module at `at`: the file's own import (if not
/// shadowed there), or `default` when nothing is bound to that name there (an
/// import is then needed). `None` when the name means something else at `at`.
fn module_name(
    at: Node,
    found: Option<&ModuleImport>,
    default: &str,
    src: &Script<'_>,
) -> Option<(String, bool)> {
    match found {
        Some(m) => {
            let b = src.declaration(at, &m.name)?;
            (b.ident.id() == m.ident.id()).then(|| (m.name.clone(), false))
        }
        None => src
            .declaration(at, default)
            .is_none()
            .then(|| (default.to_string(), true)),
    }
}

/// The expression that only transforms the name `target` (`file.name.trim()`,
/// `Buffer.from(file.originalname, 'latin1').toString()`): the fix replaces it whole.
fn flow_top<'t>(target: Node<'t>, src: &Script<'t>) -> Node<'t> {
    let mut cur = target;
    loop {
        let Some(parent) = cur.parent() else {
            return cur;
        };
        let is = |field: Field| parent.field(field).map(|n| n.id()) == Some(cur.id());
        match parent.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => cur = parent,
            "member_expression" if is(Field::Object) => {
                let Some(call) = parent.parent() else {
                    return cur;
                };
                let method = parent
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or("");
                if call.kind_name() == "call_expression"
                    && call.field(Field::Function).map(|f| f.id()) == Some(parent.id())
                    && PASS_METHODS.contains(&method)
                {
                    cur = call;
                } else {
                    return cur;
                }
            }
            "arguments" => {
                let first = parent.named_child(0).map(|n| n.id()) == Some(cur.id());
                match parent.parent() {
                    Some(call) if first && is_pass_function(call, src) => cur = call,
                    _ => return cur,
                }
            }
            _ => return cur,
        }
    }
}

pub(super) fn build_fix(cx: &RuleContext<'_>, target: Node<'_>) -> Option<Fix> {
    let script = cx.script();
    let src = &script;
    let shape = file_shape(target, src);
    if ast::directives(shape.root, src)
        .iter()
        .any(|(_, d)| d == "use client")
    {
        return None;
    }
    let (path_name, need_path) = module_name(target, shape.path.as_ref(), "path", src)?;
    // An existing `import { randomUUID } from 'node:crypto'` is used as is.
    let existing_uuid = shape
        .random_uuid
        .as_ref()
        .and_then(|m| module_name(target, Some(m), "", src))
        .map(|(n, _)| format!("{n}()"));
    let (uuid_call, need_crypto) = match existing_uuid {
        Some(call) => (call, false),
        None => {
            let (crypto_name, need) = module_name(target, shape.crypto.as_ref(), "crypto", src)?;
            (format!("{crypto_name}.randomUUID()"), need)
        }
    };
    let q = ast::preferred_quote(src);
    let name_text = ast::text(target, src);
    let inner = format!(
        "${{{uuid_call}}}${{{path_name}.extname({name_text}).toLowerCase().replace(/[^a-z0-9.]/g, {q}{q})}}"
    );
    let node = flow_top(target, src);
    let parent = node.parent();
    let (range, replacement) = match parent {
        Some(p) if p.kind_name() == "template_substitution" => (p.byte_range(), inner),
        _ if node.kind_name() == "shorthand_property_identifier" => {
            (node.byte_range(), format!("{name_text}: `{inner}`"))
        }
        _ => (node.byte_range(), format!("`{inner}`")),
    };
    let mut edits = vec![Edit::replace(range, replacement)];
    let mut needed = Vec::new();
    if need_crypto {
        needed.push(NewImport::Module {
            local: "crypto",
            module: "node:crypto",
        });
    }
    if need_path {
        needed.push(NewImport::Module {
            local: "path",
            module: "node:path",
        });
    }
    if !needed.is_empty() {
        let commonjs = shape.block.is_commonjs(
            src,
            &cx.file.path_str(),
            cx.file.language == Language::JavaScript,
        );
        edits.push(shape.block.add(src, &needed, commonjs, None));
    }
    Some(Fix::unsafe_(
        "Store the file under a random name (keep the extension only)",
        edits,
    ))
}
