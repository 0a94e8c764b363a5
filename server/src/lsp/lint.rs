//! One lint of one document snapshot, run on a blocking thread: (incremental)
//! parse, engine, conversion to LSP diagnostics. No rule logic here.

use super::convert::{Positions, RopePositions};
use crate::config::{Config, ConfigResolver};
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Document, RulePanic};
use crate::language::Language;
use crate::languages::Parsed;
use crate::line_index::ColumnUnit;
use crate::workspace::{FileFacts, WorkspaceFacts};
use ropey::Rope;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

#[derive(Clone)]
pub enum ConfigSource {
    /// A file in (or outside) a workspace folder: `prodlint.toml` discovery.
    Resolver(Arc<ConfigResolver>),
    /// Untitled buffers: built-in defaults plus the editor's rule overrides.
    Fixed(Arc<Config>),
}

/// A document snapshot to lint.
#[derive(Clone)]
pub struct Job {
    /// The open document instance (`Document::id`) the text is from.
    pub doc_id: u64,
    pub text: String,
    /// The same text (a cheap clone of the document's rope), for positions.
    pub rope: Rope,
    pub lang: Language,
    pub engine_path: PathBuf,
    /// The document's last parse with all edits since applied (reused by the
    /// next parse where the language can).
    pub previous: Option<Parsed>,
    pub config: ConfigSource,
    pub facts: Arc<WorkspaceFacts>,
    /// For files in a folder: this file's contribution to `facts` as the
    /// folder holds it now (the text may have changed it).
    pub own_facts: Option<FileFacts>,
    pub unit: ColumnUnit,
}

pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub lsp: Vec<lsp::Diagnostic>,
    pub panics: Vec<RulePanic>,
    /// The new parse, when the next parse can reuse it (scripts).
    pub parsed: Option<Parsed>,
    /// This text's contribution to the workspace facts (languages that have one).
    pub facts: Option<FileFacts>,
    /// `prodlint.toml` is invalid: nothing was linted.
    pub config_error: Option<String>,
    /// Excluded by `[files] exclude`: nothing was linted.
    pub excluded: bool,
    /// Time spent parsing (incrementally when `incremental`) and in the engine.
    pub parse_time: std::time::Duration,
    pub lint_time: std::time::Duration,
    pub incremental: bool,
}

impl Job {
    pub fn config(&self) -> Result<Arc<Config>, String> {
        match &self.config {
            ConfigSource::Fixed(c) => Ok(c.clone()),
            ConfigSource::Resolver(r) => r.for_file(&self.engine_path).map_err(|e| e.message),
        }
    }

    /// The facts to lint with: the folder's, with this text's own contribution.
    fn facts_with(&self, own: Option<&FileFacts>) -> Arc<WorkspaceFacts> {
        match own {
            Some(new) if self.own_facts.as_ref() != Some(new) => {
                let mut f = (*self.facts).clone();
                f.set_file(&self.engine_path, new.clone());
                Arc::new(f)
            }
            _ => self.facts.clone(),
        }
    }
}

pub fn run(job: &Job) -> Outcome {
    let mut out = Outcome {
        diagnostics: Vec::new(),
        lsp: Vec::new(),
        panics: Vec::new(),
        parsed: None,
        facts: None,
        config_error: None,
        excluded: false,
        parse_time: Default::default(),
        lint_time: Default::default(),
        incremental: false,
    };
    let started = std::time::Instant::now();
    let text = job.text.as_str();
    // Parse first, whatever happens next: the parse stays current for the next edit.
    let parsed = engine::parse(job.lang, text, job.previous.as_ref());
    out.incremental = parsed.incremental();
    out.facts = engine::file_facts(&job.engine_path, job.lang, text, Some(&parsed));
    out.parsed = parsed.reusable();
    out.parse_time = started.elapsed();
    let started = std::time::Instant::now();
    let config = match job.config() {
        Ok(c) => c,
        Err(e) => {
            out.config_error = Some(e);
            return out;
        }
    };
    if matches!(job.config, ConfigSource::Resolver(_)) && config.is_excluded(&job.engine_path) {
        out.excluded = true;
        return out;
    }
    let facts = job.facts_with(out.facts.as_ref());
    let doc = Document::new(&job.engine_path, job.lang, text).with_parsed(Some(&parsed));
    let result = engine::lint_document(&doc, &facts, &config);
    let pos = RopePositions {
        text,
        rope: &job.rope,
        unit: job.unit,
    };
    out.lsp = result
        .diagnostics
        .iter()
        .map(|d| pos.diagnostic(d))
        .collect();
    out.diagnostics = result.diagnostics;
    out.panics = result.panics;
    out.lint_time = started.elapsed();
    out
}

/// The text after every safe fix (`None` when nothing changes or nothing can be linted).
pub fn fix_all(job: &Job) -> Option<String> {
    let config = job.config().ok()?;
    if matches!(job.config, ConfigSource::Resolver(_)) && config.is_excluded(&job.engine_path) {
        return None;
    }
    let own = engine::file_facts(&job.engine_path, job.lang, &job.text, None);
    let facts = job.facts_with(own.as_ref());
    let outcome = engine::fix(&job.engine_path, &job.text, &facts, &config, false);
    (outcome.applied > 0 && outcome.text != job.text).then_some(outcome.text)
}

/// A file on disk (not open) for `workspace/diagnostic`.
pub enum DiskReport {
    Unchanged(String),
    Full(String, Vec<lsp::Diagnostic>),
}

/// Lint a closed file from disk. `previous` is the client's last result id for
/// it; the id is the content hash plus the server's generation.
pub fn lint_disk(
    path: &std::path::Path,
    resolver: &ConfigResolver,
    facts: &WorkspaceFacts,
    unit: ColumnUnit,
    generation: u64,
    previous: Option<&str>,
) -> Option<DiskReport> {
    let config = resolver.for_file(path).ok()?;
    if config.is_excluded(path) {
        return None;
    }
    let text = crate::source::read_source(path).ok()?;
    let body = crate::source::strip_bom(&text).0;
    let id = format!(
        "disk:{:016x}:{generation}",
        xxhash_rust::xxh3::xxh3_64(body.as_bytes())
    );
    if previous == Some(id.as_str()) {
        return Some(DiskReport::Unchanged(id));
    }
    let out = engine::lint(path, body, facts, &config);
    let pos = Positions::new(body, unit);
    Some(DiskReport::Full(
        id,
        out.diagnostics.iter().map(|d| pos.diagnostic(d)).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_utf16_files_are_linted_with_editor_positions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = "const s = '😀'; const y = x as any;\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(src.encode_utf16().flat_map(u16::to_le_bytes));
        let path = dir.path().join("le.ts");
        std::fs::write(&path, bytes).expect("write");
        let resolver = ConfigResolver::new(None, dir.path(), Vec::new()).expect("config");
        let facts = WorkspaceFacts::default();
        let Some(DiskReport::Full(_, diags)) =
            lint_disk(&path, &resolver, &facts, ColumnUnit::Utf16, 1, None)
        else {
            panic!("a full report");
        };
        let d = diags
            .iter()
            .find(|d| matches!(&d.code, Some(lsp::NumberOrString::String(c)) if c == "no-any-cast"))
            .expect("no-any-cast");
        // `const s = '😀'; const y = ` is 26 UTF-16 units (the emoji is two,
        // the BOM is not part of the document's text)
        assert_eq!((d.range.start.line, d.range.start.character), (0, 26));
    }
}
