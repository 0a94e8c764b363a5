//! Code actions: a quick fix per fix of each finding, "Disable RULE for this
//! line", and `source.fixAll.prodlint` (safe fixes only). Edits are byte ranges
//! of the current text converted with `line_index`.

use super::convert::{touches, Positions};
use crate::diagnostic::{Applicability, Diagnostic};
use crate::language::Language;
use crate::rules;
use crate::suppression;
use std::collections::HashMap;
use tower_lsp_server::ls_types as lsp;
use tree_sitter::Tree;

pub const FIX_ALL_KIND: &str = "source.fixAll.prodlint";

/// Whether a client asking for `only` kinds wants actions of `kind`
/// (kinds are hierarchical: `source` covers `source.fixAll.prodlint`).
pub fn wants(only: Option<&[lsp::CodeActionKind]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(list) => list.iter().any(|k| {
            let k = k.as_str();
            kind == k || (kind.starts_with(k) && kind.as_bytes().get(k.len()) == Some(&b'.'))
        }),
    }
}

/// A workspace edit of one document: versioned `documentChanges` when the client
/// supports them, else `changes`.
pub fn workspace_edit(
    uri: &lsp::Uri,
    version: i32,
    edits: Vec<lsp::TextEdit>,
    versioned: bool,
) -> lsp::WorkspaceEdit {
    if versioned {
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        let mut changes = HashMap::new();
        changes.insert(uri.clone(), edits);
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }
}

pub struct Request<'a> {
    pub uri: &'a lsp::Uri,
    pub version: i32,
    pub text: &'a str,
    pub lang: Language,
    /// The current tree (scripts), to place suppression comments.
    pub tree: Option<&'a Tree>,
    pub pos: &'a Positions<'a>,
    pub versioned: bool,
}

/// Quick fixes for the findings that touch `range` or are listed in `context`.
pub fn quick_fixes(
    req: &Request<'_>,
    diagnostics: &[Diagnostic],
    range: &lsp::Range,
    context: &[lsp::Diagnostic],
) -> Vec<lsp::CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in diagnostics {
        let lsp_diag = req.pos.diagnostic(d);
        let listed = context.iter().any(|c| {
            c.range == lsp_diag.range
                && c.code == lsp_diag.code
                && c.source.as_deref() == Some("prodlint")
        });
        if !listed && !touches(&lsp_diag.range, range) {
            continue;
        }
        let mut preferred_given = false;
        for fix in &d.fixes {
            let edits: Vec<lsp::TextEdit> = fix
                .edits
                .iter()
                .map(|e| lsp::TextEdit {
                    range: req.pos.range(&e.range),
                    new_text: e.text.clone(),
                })
                .collect();
            if edits.is_empty() {
                continue;
            }
            let preferred = fix.applicability == Applicability::Safe && !preferred_given;
            preferred_given |= preferred;
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag.clone()]),
                edit: Some(workspace_edit(req.uri, req.version, edits, req.versioned)),
                is_preferred: Some(preferred),
                ..Default::default()
            }));
        }
        if d.rule == rules::meta::UNUSED_SUPPRESSION.id {
            continue;
        }
        if let Some(edit) = disable_edit(req, d) {
            out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Disable {} for this line", d.rule),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diag.clone()]),
                edit: Some(workspace_edit(
                    req.uri,
                    req.version,
                    vec![edit],
                    req.versioned,
                )),
                is_preferred: Some(false),
                ..Default::default()
            }));
        }
    }
    out
}

/// The edit inserting `prodlint-ignore RULE: <reason>` for `d`'s line
/// (`suppression::insertion`), or `None` where no comment can go.
fn disable_edit(req: &Request<'_>, d: &Diagnostic) -> Option<lsp::TextEdit> {
    let index = &req.pos.index;
    let line = index.line_of(d.range.start);
    let edit = suppression::insertion(
        req.text,
        req.lang,
        req.tree,
        index,
        line,
        &[d.rule],
        "<reason>",
    )?;
    Some(lsp::TextEdit {
        range: req.pos.range(&edit.range),
        new_text: edit.text,
    })
}

/// The `source.fixAll.prodlint` action turning `req.text` into `fixed`.
pub fn fix_all(req: &Request<'_>, fixed: &str) -> lsp::CodeActionOrCommand {
    let edit = minimal_edit(req.text, fixed, req.pos);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: "Fix all safely fixable prodlint problems".to_string(),
        kind: Some(lsp::CodeActionKind::new(FIX_ALL_KIND)),
        edit: Some(workspace_edit(
            req.uri,
            req.version,
            vec![edit],
            req.versioned,
        )),
        ..Default::default()
    })
}

/// One edit replacing what differs between `old` and `new` (common prefix and
/// suffix kept), never splitting a character or a `\r\n`.
pub fn minimal_edit(old: &str, new: &str, pos: &Positions<'_>) -> lsp::TextEdit {
    let (ob, nb) = (old.as_bytes(), new.as_bytes());
    let mut prefix = ob.iter().zip(nb).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    if prefix > 0 && ob[prefix - 1] == b'\r' && ob.get(prefix) == Some(&b'\n') {
        prefix -= 1;
    }
    let max_suffix = (ob.len() - prefix).min(nb.len() - prefix);
    let mut suffix = ob
        .iter()
        .rev()
        .zip(nb.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(ob.len() - suffix) || !new.is_char_boundary(nb.len() - suffix) {
        suffix -= 1;
    }
    let old_end = ob.len() - suffix;
    if suffix > 0 && old_end > 0 && ob[old_end - 1] == b'\r' && ob[old_end] == b'\n' {
        suffix -= 1;
    }
    lsp::TextEdit {
        range: pos.range(&(prefix..ob.len() - suffix)),
        new_text: new[prefix..nb.len() - suffix].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line_index::ColumnUnit;

    #[test]
    fn minimal_edit_keeps_prefix_suffix_and_crlf() {
        let old = "a\r\nconst x = y as any;\r\nz";
        let new = "a\r\nconst x = y as unknown;\r\nz";
        let pos = Positions::new(old, ColumnUnit::Utf16);
        let e = minimal_edit(old, new, &pos);
        assert_eq!(e.new_text, "unknown");
        assert_eq!(
            e.range.start,
            lsp::Position {
                line: 1,
                character: 15
            }
        );
        assert_eq!(
            e.range.end,
            lsp::Position {
                line: 1,
                character: 18
            }
        );
        // An inserted line at a CRLF boundary is not cut between \r and \n.
        let old = "a\r\nb\r\n";
        let new = "a\r\nx\r\nb\r\n";
        let pos = Positions::new(old, ColumnUnit::Utf16);
        let e = minimal_edit(old, new, &pos);
        let start = pos.offset(e.range.start);
        let end = pos.offset(e.range.end);
        let applied = format!("{}{}{}", &old[..start], e.new_text, &old[end..]);
        assert_eq!(applied, new);
        assert!(!old[..start].ends_with('\r'));
    }

    #[test]
    fn kinds_are_hierarchical() {
        let only = [lsp::CodeActionKind::SOURCE_FIX_ALL];
        assert!(wants(Some(&only), FIX_ALL_KIND));
        assert!(!wants(Some(&only), "quickfix"));
        let only = [lsp::CodeActionKind::new("source.fix")];
        assert!(!wants(Some(&only), FIX_ALL_KIND));
        assert!(wants(None, "quickfix"));
    }
}
