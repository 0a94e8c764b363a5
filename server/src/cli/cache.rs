//! The result cache of `check` (like Ruff's): per file, the findings of the last
//! run, reused while the file's bytes, its configuration, the workspace facts and
//! the prodlint binary are unchanged. Stored in `.prodlint_cache/` under the
//! current folder (or `$PRODLINT_CACHE_DIR`); `--no-cache` disables it.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Level};
use crate::rules;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Serialize, Deserialize, Clone)]
struct CachedEdit {
    start: usize,
    end: usize,
    text: String,
}

#[derive(Serialize, Deserialize, Clone)]
struct CachedFix {
    safe: bool,
    title: String,
    edits: Vec<CachedEdit>,
}

#[derive(Serialize, Deserialize, Clone)]
struct CachedDiagnostic {
    rule: String,
    level: String,
    message: String,
    start: usize,
    end: usize,
    fixes: Vec<CachedFix>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Entry {
    mtime_ns: u128,
    size: u64,
    hash: u64,
    config: u64,
    diagnostics: Vec<CachedDiagnostic>,
}

#[derive(Serialize, Deserialize, Default)]
struct CacheFile {
    entries: HashMap<PathBuf, Entry>,
}

pub struct Cache {
    file: PathBuf,
    old: HashMap<PathBuf, Entry>,
    new: Mutex<HashMap<PathBuf, Entry>>,
}

/// What identifies the binary, the facts and the run options in the cache key.
fn key(facts: u64) -> String {
    format!(
        "{}-{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        env!("PRODLINT_BUILD_HASH"),
        facts
    )
}

pub fn file_stamp(path: &Path) -> Option<(u128, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((mtime, meta.len()))
}

pub fn content_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

impl Cache {
    /// Open the cache for this run; `None` when it cannot be used.
    pub fn open(cwd: &Path, facts_fingerprint: u64) -> Option<Cache> {
        let dir = std::env::var_os("PRODLINT_CACHE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| cwd.join(".prodlint_cache"));
        std::fs::create_dir_all(&dir).ok()?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(&ignore, "# Created by prodlint.\n*\n");
        }
        let file = dir.join(format!("results-{}.json", key(facts_fingerprint)));
        let old = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<CacheFile>(&b).ok())
            .map(|c| c.entries)
            .unwrap_or_default();
        Some(Cache {
            file,
            old,
            new: Mutex::new(HashMap::new()),
        })
    }

    /// A cached result for `path` if its stamp (mtime and size) and config match.
    pub fn lookup_by_stamp(
        &self,
        path: &Path,
        stamp: (u128, u64),
        config: u64,
    ) -> Option<Vec<Diagnostic>> {
        let e = self.old.get(path)?;
        if e.mtime_ns != stamp.0 || e.size != stamp.1 || e.config != config {
            return None;
        }
        let diags = decode(&e.diagnostics)?;
        self.keep(path, e.clone());
        Some(diags)
    }

    /// A cached result for `path` if its content hash and config match.
    pub fn lookup_by_hash(
        &self,
        path: &Path,
        stamp: (u128, u64),
        hash: u64,
        config: u64,
    ) -> Option<Vec<Diagnostic>> {
        let e = self.old.get(path)?;
        if e.hash != hash || e.config != config {
            return None;
        }
        let diags = decode(&e.diagnostics)?;
        let mut e = e.clone();
        e.mtime_ns = stamp.0;
        e.size = stamp.1;
        self.keep(path, e);
        Some(diags)
    }

    fn keep(&self, path: &Path, e: Entry) {
        if let Ok(mut m) = self.new.lock() {
            m.insert(path.to_path_buf(), e);
        }
    }

    pub fn store(
        &self,
        path: &Path,
        stamp: (u128, u64),
        hash: u64,
        config: u64,
        diagnostics: &[Diagnostic],
    ) {
        let entry = Entry {
            mtime_ns: stamp.0,
            size: stamp.1,
            hash,
            config,
            diagnostics: diagnostics.iter().map(encode).collect(),
        };
        self.keep(path, entry);
    }

    /// Write the entries seen in this run (atomically); stale cache files of other
    /// keys are removed.
    pub fn save(self) {
        let entries = match self.new.into_inner() {
            Ok(m) => m,
            Err(_) => return,
        };
        let Ok(bytes) = serde_json::to_vec(&CacheFile { entries }) else {
            return;
        };
        let Some(dir) = self.file.parent() else {
            return;
        };
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with("results-") && p != self.file {
                    let _ = std::fs::remove_file(&p);
                }
            }
        }
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
            use std::io::Write;
            if tmp.write_all(&bytes).is_ok() {
                let _ = tmp.persist(&self.file);
            }
        }
    }
}

fn encode(d: &Diagnostic) -> CachedDiagnostic {
    CachedDiagnostic {
        rule: d.rule.to_string(),
        level: d.level.as_str().to_string(),
        message: d.message.clone(),
        start: d.range.start,
        end: d.range.end,
        fixes: d
            .fixes
            .iter()
            .map(|f| CachedFix {
                safe: f.applicability == Applicability::Safe,
                title: f.title.clone(),
                edits: f
                    .edits
                    .iter()
                    .map(|e| CachedEdit {
                        start: e.range.start,
                        end: e.range.end,
                        text: e.text.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn decode(list: &[CachedDiagnostic]) -> Option<Vec<Diagnostic>> {
    list.iter()
        .map(|c| {
            Some(Diagnostic {
                rule: rules::meta(&c.rule)?.id,
                level: Level::parse(&c.level)?,
                message: c.message.clone(),
                range: c.start..c.end,
                fixes: c
                    .fixes
                    .iter()
                    .map(|f| Fix {
                        applicability: if f.safe {
                            Applicability::Safe
                        } else {
                            Applicability::Unsafe
                        },
                        title: f.title.clone(),
                        edits: f
                            .edits
                            .iter()
                            .map(|e| Edit {
                                range: e.start..e.end,
                                text: e.text.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
        })
        .collect()
}
