//! An open document: its text on a rope, the last syntax tree (kept in step with
//! every edit through `Tree::edit`, so the next parse is incremental), and what
//! the server last computed for it.

use super::convert::{rope_offset, rope_point};
use crate::language::{self, Language};
use crate::languages::Parsed;
use crate::line_index::ColumnUnit;
use crate::workspace::FileFacts;
use ropey::Rope;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tower_lsp_server::ls_types as lsp;
use tree_sitter::InputEdit;

/// The language of a document: from its file name, else from the editor's
/// language id (untitled buffers, unusual names).
pub fn language_of(path: Option<&Path>, language_id: &str) -> Option<Language> {
    path.and_then(language::detect)
        .or_else(|| Language::from_editor_id(language_id))
}

/// A file name of `lang` for a document without a usable one (`stem` stands in
/// for the name where the language's made-up name has a `{}`).
fn made_up_name(lang: Language, stem: &str) -> String {
    lang.info().made_up_name.replace("{}", stem)
}

/// The path the engine sees. For a file it is the file's path (with the
/// language's extension added when the language came from the language id, so
/// that path-based detection in the engine agrees; or the language's file name
/// for languages known by name, like `.env`); for other URIs a made-up relative
/// name of the language.
pub fn engine_path(uri: &lsp::Uri, file: Option<&Path>, lang: Language) -> PathBuf {
    match file {
        Some(p) if language::detect(p) == Some(lang) => p.to_path_buf(),
        Some(p) => {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            p.with_file_name(made_up_name(lang, &name))
        }
        None => {
            let name: String = uri
                .as_str()
                .rsplit(['/', ':'])
                .next()
                .unwrap_or("untitled")
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            PathBuf::from(made_up_name(lang, &name))
        }
    }
}

/// The file path of a `file:` URI.
pub fn file_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let scheme = uri.scheme().as_str();
    if !scheme.eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// Last lint result kept for pull requests and code actions.
#[derive(Clone)]
pub struct Cached {
    pub version: i32,
    pub generation: u64,
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
    pub lsp: Vec<lsp::Diagnostic>,
    pub result_id: String,
}

/// The state of a document's push-mode lints: a leading-edge + trailing-edge
/// debounce with coalescing. A change to an idle document is linted at once; the
/// changes that arrive while a lint runs or waits to run make one further lint,
/// of the newest text, no earlier than the debounce after the last of them.
#[derive(Debug)]
pub struct LintSchedule {
    /// The task running this document's lints, one after another (0: none).
    pub driver: u64,
    /// A lint is running (from its snapshot of the text until its result is
    /// recorded, just before it is published).
    pub running: bool,
    /// A lint is wanted that has not started yet.
    pub wanted: bool,
    /// The wanted lint starts no earlier than this.
    pub not_before: Instant,
    /// Wakes the driver when a trigger moves the start time.
    pub wake: Arc<tokio::sync::Notify>,
}

impl Default for LintSchedule {
    fn default() -> LintSchedule {
        LintSchedule {
            driver: 0,
            running: false,
            wanted: false,
            not_before: Instant::now(),
            wake: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

pub struct Document {
    pub uri: lsp::Uri,
    pub version: i32,
    pub lang: Language,
    /// `Some` for `file:` URIs.
    pub file: Option<PathBuf>,
    pub engine_path: PathBuf,
    pub rope: Rope,
    /// The last parse with every later edit applied, when the next parse can
    /// reuse it (scripts' trees; `Parsed::into_reusable`).
    pub parsed: Option<Parsed>,
    /// The document is over the size limit (and the user has been told once).
    pub too_large: bool,
    /// Identifies this open instance of the document (a global sequence
    /// number): results of lints of an earlier instance (closed and opened
    /// again since) are dropped.
    pub id: u64,
    /// Push-mode lint scheduling (see `Inner::schedule`).
    pub lint: LintSchedule,
    /// Held by every lint of this document while it runs, so that lints of one
    /// document never run at the same time (scheduled lints, code actions,
    /// pull requests).
    pub lint_lock: Arc<tokio::sync::Mutex<()>>,
    /// The sequence number of the last published result.
    pub published: u64,
    pub cached: Option<Cached>,
    /// The document's contribution to the workspace facts from its unsaved
    /// text, as last computed (languages that contribute facts).
    pub facts: Option<FileFacts>,
    /// The version at the last open or save (`run: onSave`).
    pub saved_version: i32,
}

impl Document {
    pub fn new(uri: lsp::Uri, id: u64, version: i32, lang: Language, text: &str) -> Document {
        let file = file_path(&uri);
        let engine_path = engine_path(&uri, file.as_deref(), lang);
        Document {
            uri,
            version,
            lang,
            file,
            engine_path,
            rope: Rope::from_str(text),
            parsed: None,
            too_large: false,
            id,
            lint: LintSchedule::default(),
            lint_lock: Arc::new(tokio::sync::Mutex::new(())),
            published: 0,
            cached: None,
            facts: None,
            saved_version: version,
        }
    }

    /// Size of the text in bytes.
    pub fn byte_len(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Apply one `didChange` content change. Ranges are in `unit`.
    pub fn apply_change(&mut self, change: &lsp::TextDocumentContentChangeEvent, unit: ColumnUnit) {
        let Some(range) = change.range else {
            self.rope = Rope::from_str(&change.text);
            self.parsed = None;
            return;
        };
        let mut start = rope_offset(&self.rope, range.start, unit);
        let mut end = rope_offset(&self.rope, range.end, unit);
        if end < start {
            std::mem::swap(&mut start, &mut end);
        }
        let start_position = rope_point(&self.rope, start);
        let old_end_position = rope_point(&self.rope, end);
        let cs = self.rope.byte_to_char(start);
        let ce = self.rope.byte_to_char(end);
        if ce > cs {
            self.rope.remove(cs..ce);
        }
        if !change.text.is_empty() {
            self.rope.insert(cs, &change.text);
        }
        if let Some(parsed) = &mut self.parsed {
            let inserted = change.text.as_bytes();
            let new_end_position = match inserted.iter().rposition(|&b| b == b'\n') {
                Some(last) => tree_sitter::Point {
                    row: start_position.row + inserted.iter().filter(|&&b| b == b'\n').count(),
                    column: inserted.len() - last - 1,
                },
                None => tree_sitter::Point {
                    row: start_position.row,
                    column: start_position.column + inserted.len(),
                },
            };
            parsed.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: start + inserted.len(),
                start_position,
                old_end_position,
                new_end_position,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn change(
        l1: u32,
        c1: u32,
        l2: u32,
        c2: u32,
        text: &str,
    ) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: Some(lsp::Range {
                start: lsp::Position {
                    line: l1,
                    character: c1,
                },
                end: lsp::Position {
                    line: l2,
                    character: c2,
                },
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_keep_text_and_tree_in_step() {
        let uri = lsp::Uri::from_str("file:///p/a.ts").unwrap();
        let text = "const é = 1;\r\nconst 😀x = y as any;\r\n";
        let mut doc = Document::new(uri, 1, 1, Language::TypeScript, text);
        doc.parsed = Some(crate::engine::parse(Language::TypeScript, text, None));
        // UTF-16: the emoji is 2 units; insert a line before `x`.
        doc.apply_change(&change(1, 8, 1, 8, "\r\nz;\r\n"), ColumnUnit::Utf16);
        doc.apply_change(&change(0, 0, 1, 0, ""), ColumnUnit::Utf16);
        let now = doc.text();
        assert_eq!(now, "const 😀\r\nz;\r\nx = y as any;\r\n");
        let incremental = crate::engine::parse(Language::TypeScript, &now, doc.parsed.as_ref());
        assert!(incremental.incremental());
        let incremental = incremental.tree().unwrap();
        let fresh = crate::ts::parse(&now, Language::TypeScript, None).unwrap();
        assert_eq!(
            incremental.root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
    }

    #[test]
    fn engine_paths() {
        let u = lsp::Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(
            engine_path(&u, None, Language::Tsx),
            PathBuf::from("Untitled-1.tsx")
        );
        let f = lsp::Uri::from_str("file:///p/src/a%20b.ts").unwrap();
        assert_eq!(file_path(&f), Some(PathBuf::from("/p/src/a b.ts")));
        assert_eq!(
            engine_path(&f, Some(Path::new("/p/x")), Language::TypeScript),
            PathBuf::from("/p/x.ts")
        );
    }
}
