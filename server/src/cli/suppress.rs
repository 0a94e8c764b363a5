//! `prodlint check --add-suppressions REASON`: for adopting prodlint in an
//! existing code base (like Ruff's `--add-noqa`), a `prodlint-ignore RULE:
//! REASON` comment above every line with a finding, in the file's comment
//! syntax, one per line (its rules merged), with the line's indentation and the
//! file's line ending. Among JSX children, where a `//` line would be text, the
//! comment is a trailing `{/* … */}`; lines where no comment can go (inside a
//! multi-line string, template or comment) are listed and left alone. Running
//! it again adds nothing.

use super::check::Pre;
use super::fixes::{write_back, NotWritten};
use super::outcome::{display_path, fail, EXIT_FAILURE, EXIT_OK};
use crate::config::Config;
use crate::engine::{self, Document};
use crate::language;
use crate::source::{read_source_encoded, strip_bom};
use crate::suppression;
use crate::workspace::WorkspaceFacts;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What happened to one file.
#[derive(Default)]
struct FileResult {
    added: usize,
    /// Messages for standard error.
    messages: Vec<String>,
    failed: bool,
}

pub(super) fn run(
    files: &[PathBuf],
    pre: Vec<Option<Pre>>,
    facts: &WorkspaceFacts,
    configs: &[Arc<Config>],
    reason: &str,
    cwd: &Path,
) -> i32 {
    let reason = reason.trim();
    if reason.is_empty() || reason.contains(['\n', '\r']) || reason.contains("*/") {
        return fail("--add-suppressions needs a one-line REASON (without `*/`)");
    }
    // The files are read again: writing needs their encoding.
    drop(pre);
    let results: Vec<FileResult> = files
        .par_iter()
        .zip(configs.par_iter())
        .map(|(f, config)| add_to_file(f, &display_path(f, cwd), facts, config, reason))
        .collect();
    let (mut comments, mut changed, mut failed) = (0, 0, false);
    for r in results {
        for m in &r.messages {
            eprintln!("prodlint: {m}");
        }
        comments += r.added;
        changed += usize::from(r.added > 0);
        failed |= r.failed;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out!(
        "added {} to {}",
        plural(comments, "suppression comment"),
        plural(changed, "file")
    );
    if failed {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

fn add_to_file(
    path: &Path,
    display: &str,
    facts: &WorkspaceFacts,
    config: &Config,
    reason: &str,
) -> FileResult {
    let mut result = FileResult::default();
    let Some(lang) = language::detect(path) else {
        return result;
    };
    let (text, encoding) = match read_source_encoded(path) {
        Ok(t) => t,
        Err(e) => {
            result.messages.push(format!("{display}: {e}"));
            return result;
        }
    };
    let body = strip_bom(&text).0;
    let doc = Document::new(path, lang, body);
    let out = engine::lint_document(&doc, facts, config);
    let added = suppression::suppress_all(&doc, &out.diagnostics, reason);
    for (line, rules) in &added.skipped {
        result.messages.push(format!(
            "{display}:{}: no comment can go on this line (inside a string, template or comment); {} not suppressed",
            line + 1,
            rules.join(", ")
        ));
    }
    if added.edits.is_empty() {
        return result;
    }
    let mut new_body = body.to_string();
    // Back to front: the edits are sorted and never overlap.
    for edit in added.edits.iter().rev() {
        new_body.replace_range(edit.range.clone(), &edit.text);
    }
    match write_back(
        path,
        display,
        &text,
        encoding,
        &new_body,
        "suppression comments",
    ) {
        Ok(()) => result.added = added.edits.len(),
        Err(NotWritten::ReadOnly(m)) => result.messages.push(m),
        Err(NotWritten::Failed(m)) => {
            result.messages.push(m);
            result.failed = true;
        }
    }
    result
}
