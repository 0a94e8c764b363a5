//! The fixes: wrap the value in `DOMPurify.sanitize(…)` (importing it), or
//! escape `<` in `JSON.stringify(…)`.

use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix};
use crate::language::Language;
use crate::ts::ast;
use crate::ts::kind::{self, KindExt};
use crate::ts::semantic::{ImportBlock, NewImport, Script};
use tree_sitter::Node;

const PURIFY_MODULES: &[&str] = &["dompurify", "isomorphic-dompurify"];

/// `JSON.stringify(x)` → `JSON.stringify(x).replace(/</g, '\\u003c')`, when the
/// value is that call itself.
pub(super) fn escape_json(value: Node<'_>, src: &Script<'_>) -> Option<Fix> {
    let call = ast::unwrap_expr(value);
    if call.kind_name() != kind::CALL_EXPRESSION
        || ast::callee_path(call, src).as_deref() != Some("JSON.stringify")
    {
        return None;
    }
    let q = ast::preferred_quote_near(src, call.start_byte());
    let escaped = ast::quoted("\\u003c", q);
    Some(Fix::unsafe_(
        "Escape `<` in the JSON",
        vec![Edit::insert(
            call.end_byte(),
            format!(".replace(/</g, {escaped})"),
        )],
    ))
}

/// Wrap the value in `<local>.sanitize(…)`, importing DOMPurify when the file
/// does not (`isomorphic-dompurify` for React, `dompurify` for DOM sinks).
pub(super) fn sanitize(cx: &RuleContext<'_>, value: Node<'_>, dom: bool) -> Option<Fix> {
    let src = cx.script();
    let existing = src.semantic.module_imports().find(|b| {
        b.import.as_ref().is_some_and(|i| {
            PURIFY_MODULES.contains(&i.module.as_str())
                && matches!(i.imported.as_str(), "default" | "*")
        })
    });
    let (local, import) = match existing {
        Some(b) => {
            // Usable only where the name still means that import.
            let here = src.declaration(value, b.name)?;
            if here.ident.id() != b.ident.id() {
                return None;
            }
            (b.name.to_string(), None)
        }
        None => {
            if src.declaration(value, "DOMPurify").is_some() {
                return None;
            }
            let module = if dom {
                "dompurify"
            } else {
                "isomorphic-dompurify"
            };
            let root = src.program(value);
            let block = ImportBlock::of(&src, root);
            let commonjs = block.is_commonjs(
                &src,
                &cx.file.path_str(),
                cx.file.language == Language::JavaScript,
            );
            let edit = block.add(
                &src,
                &[NewImport::Default {
                    local: "DOMPurify",
                    module,
                }],
                commonjs,
                None,
            );
            ("DOMPurify".to_string(), Some(edit))
        }
    };
    let text = ast::text(value, &src);
    let replacement = if value.kind_name() == kind::SHORTHAND_PROPERTY_IDENTIFIER {
        format!("{text}: {local}.sanitize({text})")
    } else {
        format!("{local}.sanitize({text})")
    };
    let mut edits = vec![Edit::replace(value.byte_range(), replacement)];
    edits.extend(import);
    Some(Fix::unsafe_(
        format!("Sanitize with {local}.sanitize(…)"),
        edits,
    ))
}
