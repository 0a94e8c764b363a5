//! The fix: where `cacheLife(…)` goes (after the directive or at the top of the body) and
//! the import it needs.

use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix};
use crate::ts::ast;
use crate::ts::kind::KindExt;
use crate::ts::semantic::{extend_named_imports, Import, ImportBlock, NewImport, Script};
use tree_sitter::Node;

pub(super) fn ends_with_semicolon(stmt: Node<'_>, src: &Script<'_>) -> bool {
    ast::text(stmt, src).trim_end().ends_with(';')
}

/// Whether the statement after `stmt` starts with a character that would
/// continue an inserted line without a semicolon (`(`, `[`, `` ` ``, …).
pub(super) fn next_line_hazard(stmt: Node<'_>, src: &Script<'_>) -> bool {
    let mut next = stmt.next_named_sibling();
    while let Some(n) = next {
        if n.kind_name() != "comment" {
            break;
        }
        next = n.next_named_sibling();
    }
    next.is_some_and(|n| starts_with_hazard(ast::text(n, src)))
}

fn starts_with_hazard(text: &str) -> bool {
    matches!(
        text.trim_start().chars().next(),
        Some('(' | '[' | '`' | '+' | '-' | '/')
    )
}

pub(super) enum Placement {
    /// Insert a new line at this offset (the end of the directive's line).
    OwnLine(usize),
    /// Code follows on the directive's line: a ready edit after it.
    SameLine(Edit),
}

/// Where the call goes after a directive statement.
pub(super) fn insert_after_directive(
    directive: Node<'_>,
    call_with_semi: &str,
    src: &Script<'_>,
) -> Placement {
    let after = directive.end_byte();
    match line_end_if_blank(after, src) {
        Some(at) => Placement::OwnLine(at),
        None => {
            let lead = if ends_with_semicolon(directive, src) {
                ""
            } else {
                ";"
            };
            Placement::SameLine(Edit::insert(after, format!("{lead} {call_with_semi}")))
        }
    }
}

/// If the rest of the line after `offset` is blank or a line comment, the offset
/// of that line's end (before `\r\n`/`\n`).
fn line_end_if_blank(offset: usize, src: &Script<'_>) -> Option<usize> {
    let rest = src.get(offset..)?;
    let end = rest
        .find(['\n', '\r'])
        .map(|i| offset + i)
        .unwrap_or(src.len());
    let line = src.get(offset..end)?;
    let trimmed = line.trim();
    if !(trimmed.is_empty() || trimmed.starts_with("//")) {
        return None;
    }
    Some(end)
}

/// The call at the top of a function body (for a file-level directive).
pub(super) fn insert_in_body(
    body: Node<'_>,
    plan: &ImportPlan,
    semi_file: bool,
    src: &Script<'_>,
) -> Option<Edit> {
    let open = body.start_byte();
    if src.as_bytes().get(open) != Some(&b'{') {
        return None;
    }
    let mut c = body.walk();
    let first = body
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment");
    let semi = if semi_file
        || first
            .is_some_and(|f| ends_with_semicolon(f, src) || starts_with_hazard(ast::text(f, src)))
    {
        ";"
    } else {
        ""
    };
    match line_end_if_blank(open + 1, src) {
        Some(at) => {
            let eol = ast::line_ending(src);
            let indent = match first {
                Some(f)
                    if src
                        .get(open..f.start_byte())
                        .is_some_and(|s| s.contains(['\n', '\r'])) =>
                {
                    ast::line_indent(src, f.start_byte()).to_string()
                }
                _ => format!("{}{}", ast::line_indent(src, open), indent_unit(src)),
            };
            Some(Edit::insert(
                at,
                format!("{eol}{indent}{}", plan.call_text(semi)),
            ))
        }
        None => Some(Edit::insert(open + 1, format!(" {}", plan.call_text(";")))),
    }
}

/// One level of indentation as the file writes it (a tab or two spaces).
fn indent_unit(src: &Script<'_>) -> &'static str {
    if src.lines().any(|l| l.starts_with('\t')) {
        "\t"
    } else {
        "  "
    }
}

/// How the fix calls `cacheLife` and whether it must add an import.
pub(super) struct ImportPlan {
    call_name: String,
    pub(super) profile: String,
    /// The file's quote character (computed once per finding).
    quote: char,
    pub(super) import: Option<Edit>,
}

impl ImportPlan {
    pub(super) fn new(program: Node<'_>, cx: &RuleContext<'_>, style: Node<'_>) -> ImportPlan {
        let script = cx.script();
        let src = &script;
        let profile = cx.config.cache_life_profile.clone();
        let quote = ast::preferred_quote(src);
        let imports: Vec<(&str, &Import<'_>)> = src
            .semantic
            .module_imports()
            .filter_map(|b| Some((b.name, b.import.as_deref()?)))
            .collect();
        if let Some((local, _)) = imports.iter().find(|(_, i)| {
            i.module == "next/cache"
                && !i.type_only
                && matches!(i.imported.as_str(), "cacheLife" | "unstable_cacheLife")
        }) {
            return ImportPlan {
                call_name: local.to_string(),
                profile,
                quote,
                import: None,
            };
        }
        if imports
            .iter()
            .any(|(local, i)| *local == "cacheLife" && !i.type_only)
        {
            // Some other `cacheLife` is in scope; do not import a second one.
            return ImportPlan {
                call_name: "cacheLife".into(),
                profile,
                quote,
                import: None,
            };
        }
        let spec = if cx.config.next_version == 15 {
            "unstable_cacheLife as cacheLife"
        } else {
            "cacheLife"
        };
        let extend = imports.iter().map(|(_, i)| i).find(|i| {
            i.module == "next/cache"
                && i.named_imports.is_some()
                && !ast::has_token_child(i.statement, "type")
        });
        let import = match extend.and_then(|i| i.named_imports) {
            Some(named) => extend_named_imports(named, spec),
            None => ImportBlock::of(src, program).add(
                src,
                &[NewImport::Named {
                    spec,
                    module: "next/cache",
                }],
                false,
                Some(style),
            ),
        };
        ImportPlan {
            call_name: "cacheLife".into(),
            profile,
            quote,
            import: Some(import),
        }
    }

    pub(super) fn call_text(&self, semi: &str) -> String {
        format!(
            "{}({}){semi}",
            self.call_name,
            ast::quoted(&self.profile, self.quote)
        )
    }

    /// The fix: the call plus the import (the same import edit in every finding of
    /// a file, so only one applies per round and no import is added twice).
    pub(super) fn fix(&self, call: Edit) -> Fix {
        let mut edits = vec![];
        match &self.import {
            Some(imp) if imp.range == call.range => {
                // Both insert at one point: one edit, import first.
                edits.push(Edit::insert(
                    call.range.start,
                    format!("{}{}", imp.text, call.text),
                ));
            }
            Some(imp) => {
                edits.push(imp.clone());
                edits.push(call);
            }
            None => edits.push(call),
        }
        edits.sort_by_key(|e| e.range.start);
        let title = if self.import.is_some() {
            format!("Call `cacheLife('{}')` (and import it)", self.profile)
        } else {
            format!("Call `cacheLife('{}')`", self.profile)
        };
        Fix::safe(title, edits)
    }
}
