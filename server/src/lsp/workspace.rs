//! Workspace folders: each with its `prodlint.toml` resolver and its workspace
//! facts, built from the files on disk and overlaid with open SQL documents'
//! unsaved text.

use crate::config::ConfigResolver;
use crate::diagnostic::Level;
use crate::language::{self, Language};
use crate::source::read_source;
use crate::sql::facts::SqlFileFacts;
use crate::walk;
use crate::workspace::WorkspaceFacts;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files the server watches (registered dynamically when the client can).
pub const WATCH_GLOBS: &[&str] = &[
    "**/*.sql",
    "**/prodlint.toml",
    "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}",
    "**/.env",
    "**/.env.*",
    "**/supabase",
];

pub fn resolver(base: &Path, overrides: &[(String, Level)]) -> Arc<ConfigResolver> {
    let r = ConfigResolver::new(None, base, overrides.to_vec())
        .or_else(|_| ConfigResolver::new(None, base, Vec::new()))
        .expect("a resolver without a fixed config file reads nothing and cannot fail");
    Arc::new(r)
}

/// The path is inside a `supabase/` folder.
pub fn in_supabase_dir(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "supabase")
}

/// A SQL file's facts from disk (`None` if it cannot be read).
pub fn read_sql_facts(path: &Path) -> Option<SqlFileFacts> {
    let text = read_source(path).ok()?;
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Some(SqlFileFacts::extract(body))
}

pub struct Scan {
    pub files: Vec<PathBuf>,
    pub sql: Vec<(PathBuf, SqlFileFacts)>,
    pub supabase_dir: bool,
}

/// Walk a folder like `prodlint check` does and extract every SQL file's facts.
pub fn scan(root: &Path, resolver: &ConfigResolver) -> Scan {
    let walked = walk::walk(&[root.to_path_buf()], root, false, resolver);
    let sql: Vec<(PathBuf, SqlFileFacts)> = walked
        .files
        .par_iter()
        .filter(|f| language::detect(f) == Some(Language::Sql))
        .filter_map(|f| read_sql_facts(f).map(|facts| (f.clone(), facts)))
        .collect();
    Scan {
        files: walked.files,
        sql,
        supabase_dir: walked.supabase_dir,
    }
}

pub struct Folder {
    pub path: PathBuf,
    pub resolver: Arc<ConfigResolver>,
    /// Facts of the SQL files on disk.
    pub disk_sql: HashMap<PathBuf, SqlFileFacts>,
    /// Lintable files found by the last scan.
    pub files: Vec<PathBuf>,
    pub indexed: bool,
    scan_supabase: bool,
    pub supabase_dir: bool,
    /// Disk facts overlaid with open documents' unsaved text.
    effective: HashMap<PathBuf, SqlFileFacts>,
    pub facts: Arc<WorkspaceFacts>,
}

impl Folder {
    pub fn new(path: PathBuf, overrides: &[(String, Level)]) -> Folder {
        let supabase_dir = path.join("supabase").is_dir();
        Folder {
            resolver: resolver(&path, overrides),
            path,
            disk_sql: HashMap::new(),
            files: Vec::new(),
            indexed: false,
            scan_supabase: supabase_dir,
            supabase_dir,
            effective: HashMap::new(),
            facts: Arc::new(WorkspaceFacts {
                supabase_dir,
                ..Default::default()
            }),
        }
    }

    pub fn set_scan(&mut self, scan: Scan) {
        self.disk_sql = scan.sql.into_iter().collect();
        self.files = scan.files;
        self.scan_supabase = scan.supabase_dir;
        self.indexed = true;
        self.detect_supabase();
    }

    pub fn detect_supabase(&mut self) {
        self.supabase_dir = self.path.join("supabase").is_dir()
            || self.disk_sql.keys().any(|p| in_supabase_dir(p))
            || (self.scan_supabase && self.files.iter().any(|p| p.exists() && in_supabase_dir(p)));
    }

    /// This file's current contribution to the facts.
    pub fn contribution(&self, path: &Path) -> Option<&SqlFileFacts> {
        self.effective.get(path)
    }

    /// Recompute the facts; returns whether they changed.
    pub fn rebuild_facts(&mut self, overlay: Vec<(PathBuf, SqlFileFacts)>) -> bool {
        let mut effective = self.disk_sql.clone();
        effective.extend(overlay);
        if effective == self.effective && self.facts.supabase_dir == self.supabase_dir {
            return false;
        }
        let mut facts = WorkspaceFacts {
            supabase_dir: self.supabase_dir,
            ..Default::default()
        };
        for (p, f) in &effective {
            facts.sql.insert(p.clone(), f.clone());
        }
        self.effective = effective;
        self.facts = Arc::new(facts);
        true
    }
}

/// What a file looks like on disk, for polling (`None`: absent).
pub type Stamp = Option<(std::time::SystemTime, u64)>;

pub fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// SQL files under `root` (as `prodlint check` walks it).
pub fn sql_files(root: &Path, resolver: &ConfigResolver) -> Vec<PathBuf> {
    walk::walk(&[root.to_path_buf()], root, false, resolver)
        .files
        .into_iter()
        .filter(|f| language::detect(f) == Some(Language::Sql))
        .collect()
}
