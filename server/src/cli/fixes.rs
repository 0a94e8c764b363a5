//! Writing changed files back: `--fix` (and `--add-suppressions`, through
//! [`write_back`]) keep the file's encoding, byte order mark and identity
//! (`fsutil::write_preserving`).

use super::outcome::{finish_outcome, Needs, Outcome};
use super::CheckArgs;
use crate::config::Config;
use crate::engine;
use crate::fsutil::{self, WriteSkip};
use crate::source::{strip_bom, TextEncoding, BOM};
use crate::workspace::WorkspaceFacts;
use std::path::Path;

/// Why a changed text was not written.
pub(super) enum NotWritten {
    /// A read-only file: skipped, with a message (not a failure of the run).
    ReadOnly(String),
    /// The write failed (the run exits 2).
    Failed(String),
}

/// Write `new_body` (a text without its byte order mark) over the file at
/// `path`, whose contents were `old` (as read, in `encoding`), keeping the BOM
/// and the encoding; `what` names the change in messages ("fixes").
pub(super) fn write_back(
    path: &Path,
    display: &str,
    old: &str,
    encoding: TextEncoding,
    new_body: &str,
    what: &str,
) -> Result<(), NotWritten> {
    let new_text = if strip_bom(old).1 {
        format!("{BOM}{new_body}")
    } else {
        new_body.to_string()
    };
    match fsutil::write_preserving(path, &encoding.encode(old), &encoding.encode(&new_text)) {
        Ok(()) => Ok(()),
        Err(WriteSkip::ReadOnly) => Err(NotWritten::ReadOnly(format!(
            "{display}: read-only file; {what} not written"
        ))),
        Err(WriteSkip::Failed(e)) => Err(NotWritten::Failed(format!(
            "{display}: cannot write {what}: {e}"
        ))),
    }
}

/// `--fix` of one file read as `text` (BOM included) in `encoding`.
#[allow(clippy::too_many_arguments)]
pub(super) fn fix_file(
    path: &Path,
    display: String,
    text: &str,
    encoding: TextEncoding,
    facts: &WorkspaceFacts,
    config: &Config,
    args: &CheckArgs,
    needs: Needs,
) -> Outcome {
    let body = strip_bom(text).0;
    let out = engine::fix(path, body, facts, config, args.unsafe_fixes);
    let mut rejected: Vec<String> = out
        .rejected
        .iter()
        .map(|(rule, msg)| format!("{display}: {rule}: fix not applied: {msg}"))
        .collect();
    if out.text != body {
        let not_written = match write_back(path, &display, text, encoding, &out.text, "fixes") {
            Ok(()) => None,
            Err(NotWritten::ReadOnly(msg)) => {
                rejected.push(msg);
                Some(None)
            }
            Err(NotWritten::Failed(msg)) => Some(Some(msg)),
        };
        if let Some(write_error) = not_written {
            // Nothing was written: the file's findings are all still there.
            let lint = engine::lint(path, body, facts, config);
            return finish_outcome(display, body, needs, lint, 0, rejected, write_error);
        }
    }
    finish_outcome(
        display,
        &out.text,
        needs,
        out.remaining,
        out.applied,
        rejected,
        None,
    )
}
