//! An open document: its text on a rope, the last syntax tree (kept in step with
//! every edit through `Tree::edit`, so the next parse is incremental), and what
//! the server last computed for it.

use super::convert::{rope_offset, rope_point};
use crate::language::{self, Language};
use crate::line_index::ColumnUnit;
use crate::sql::facts::SqlFileFacts;
use ropey::Rope;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tower_lsp_server::ls_types as lsp;
use tree_sitter::{InputEdit, Tree};

/// The language of a document: from its file name, else from the editor's
/// language id (untitled buffers, unusual names).
pub fn language_of(path: Option<&Path>, language_id: &str) -> Option<Language> {
    if let Some(lang) = path.and_then(language::detect) {
        return Some(lang);
    }
    Some(match language_id {
        "typescript" => Language::TypeScript,
        "typescriptreact" => Language::Tsx,
        "javascript" | "javascriptreact" => Language::JavaScript,
        "sql" | "pgsql" | "postgres" | "postgresql" | "plpgsql" => Language::Sql,
        "dotenv" | "env" => Language::Dotenv,
        _ => return None,
    })
}

fn extension(lang: Language) -> &'static str {
    match lang {
        Language::TypeScript => "ts",
        Language::Tsx => "tsx",
        Language::JavaScript => "js",
        Language::Sql => "sql",
        Language::Dotenv => "env",
    }
}

/// The path the engine sees. For a file it is the file's path (with the
/// language's extension added when the language came from the language id, so
/// that path-based detection in the engine agrees); for other URIs a made-up
/// relative name with the right extension.
pub fn engine_path(uri: &lsp::Uri, file: Option<&Path>, lang: Language) -> PathBuf {
    match file {
        Some(p) if language::detect(p) == Some(lang) => p.to_path_buf(),
        Some(p) if lang == Language::Dotenv => p.with_file_name(".env"),
        Some(p) => {
            let mut s = p.as_os_str().to_os_string();
            s.push(".");
            s.push(extension(lang));
            PathBuf::from(s)
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
            if lang == Language::Dotenv {
                PathBuf::from(".env")
            } else {
                PathBuf::from(format!("{name}.{}", extension(lang)))
            }
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
    /// The last parsed tree with every later edit applied (scripts only).
    pub tree: Option<Tree>,
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
    /// For SQL documents: the facts of the unsaved text, as last computed.
    pub sql_facts: Option<SqlFileFacts>,
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
            tree: None,
            too_large: false,
            id,
            lint: LintSchedule::default(),
            lint_lock: Arc::new(tokio::sync::Mutex::new(())),
            published: 0,
            cached: None,
            sql_facts: None,
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
            self.tree = None;
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
        if let Some(tree) = &mut self.tree {
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
            tree.edit(&InputEdit {
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
        doc.tree = crate::ts::parse(text, Language::TypeScript, None);
        // UTF-16: the emoji is 2 units; insert a line before `x`.
        doc.apply_change(&change(1, 8, 1, 8, "\r\nz;\r\n"), ColumnUnit::Utf16);
        doc.apply_change(&change(0, 0, 1, 0, ""), ColumnUnit::Utf16);
        let now = doc.text();
        assert_eq!(now, "const 😀\r\nz;\r\nx = y as any;\r\n");
        let incremental = crate::ts::parse(&now, Language::TypeScript, doc.tree.as_ref()).unwrap();
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
