//! Workspace folders: each with its `prodlint.toml` resolver and its workspace
//! facts, built from the files on disk that contribute facts (their language
//! says so: `engine::contributes_facts`) and overlaid with open documents'
//! unsaved text.

use crate::config::ConfigResolver;
use crate::diagnostic::Level;
use crate::language;
use crate::walk;
use crate::workspace::{FileFacts, ProjectMarkers, WorkspaceFacts};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files the server watches (registered dynamically when the client can):
/// every file the language table recognises, the config files, the project
/// marker files (`vercel.json`, `package.json`…) and `supabase/` folders.
pub fn watch_globs() -> Vec<String> {
    let mut globs = language::watch_globs();
    globs.push(format!("**/{}", crate::config::FILE_NAME));
    globs.extend(
        crate::workspace::PROJECT_MARKER_NAMES
            .iter()
            .map(|n| format!("**/{n}")),
    );
    globs.push("**/supabase".to_string());
    globs
}

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

pub use crate::source::{has_facts, read_facts};

pub struct Scan {
    pub files: Vec<PathBuf>,
    pub facts: Vec<(PathBuf, FileFacts)>,
    pub supabase_dir: bool,
    pub markers: ProjectMarkers,
}

/// Walk a folder like `prodlint check` does and read the facts of every file
/// that contributes some.
pub fn scan(root: &Path, resolver: &ConfigResolver) -> Scan {
    let walked = walk::walk(&[root.to_path_buf()], root, false, resolver);
    let facts: Vec<(PathBuf, FileFacts)> = walked
        .files
        .par_iter()
        .filter(|f| has_facts(f))
        .filter_map(|f| read_facts(f).map(|facts| (f.clone(), facts)))
        .collect();
    Scan {
        files: walked.files,
        facts,
        supabase_dir: walked.supabase_dir,
        markers: walked.markers,
    }
}

pub struct Folder {
    pub path: PathBuf,
    pub resolver: Arc<ConfigResolver>,
    /// Facts of the files on disk that contribute some.
    pub disk_facts: HashMap<PathBuf, FileFacts>,
    /// Lintable files found by the last scan.
    pub files: Vec<PathBuf>,
    pub indexed: bool,
    scan_supabase: bool,
    pub supabase_dir: bool,
    /// Project marker files on disk (`vercel.json`, `package.json`…).
    pub markers: ProjectMarkers,
    /// Disk facts overlaid with open documents' unsaved text.
    effective: HashMap<PathBuf, FileFacts>,
    pub facts: Arc<WorkspaceFacts>,
}

impl Folder {
    pub fn new(path: PathBuf, overrides: &[(String, Level)]) -> Folder {
        let supabase_dir = path.join("supabase").is_dir();
        Folder {
            resolver: resolver(&path, overrides),
            path,
            disk_facts: HashMap::new(),
            files: Vec::new(),
            indexed: false,
            scan_supabase: supabase_dir,
            supabase_dir,
            markers: ProjectMarkers::default(),
            effective: HashMap::new(),
            facts: Arc::new(WorkspaceFacts::new(supabase_dir)),
        }
    }

    pub fn set_scan(&mut self, scan: Scan) {
        self.disk_facts = scan.facts.into_iter().collect();
        self.files = scan.files;
        self.scan_supabase = scan.supabase_dir;
        self.markers = scan.markers;
        self.indexed = true;
        self.detect_supabase();
    }

    pub fn detect_supabase(&mut self) {
        self.supabase_dir = self.path.join("supabase").is_dir()
            || self.disk_facts.keys().any(|p| in_supabase_dir(p))
            || (self.scan_supabase && self.files.iter().any(|p| p.exists() && in_supabase_dir(p)));
    }

    /// This file's current contribution to the facts.
    pub fn contribution(&self, path: &Path) -> Option<&FileFacts> {
        self.effective.get(path)
    }

    /// Recompute the facts; returns whether they changed.
    pub fn rebuild_facts(&mut self, overlay: Vec<(PathBuf, FileFacts)>) -> bool {
        let mut effective = self.disk_facts.clone();
        effective.extend(overlay);
        if effective == self.effective
            && self.facts.supabase_dir == self.supabase_dir
            && self.facts.markers == self.markers
        {
            return false;
        }
        let mut facts = WorkspaceFacts::new(self.supabase_dir);
        facts.markers = self.markers.clone();
        for (p, f) in &effective {
            facts.set_file(p, f.clone());
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

/// The files under `root` that contribute facts, and the project marker files
/// (as `prodlint check` walks it).
pub fn fact_files(root: &Path, resolver: &ConfigResolver) -> Vec<PathBuf> {
    let walked = walk::walk(&[root.to_path_buf()], root, false, resolver);
    let mut files: Vec<PathBuf> = walked.files.into_iter().filter(|f| has_facts(f)).collect();
    files.extend(walked.markers.paths().cloned());
    files
}
