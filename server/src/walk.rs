//! Finding the files to lint: `.gitignore`/`.ignore` respected, dependency and
//! build folders skipped, dotenv files included.

use crate::config::ConfigResolver;
use crate::language;
use std::path::{Path, PathBuf};

/// Folders never descended into (unless named on the command line).
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "dist",
    "build",
    ".next",
    "coverage",
    ".git",
    ".turbo",
    ".vercel",
    ".svelte-kit",
    ".output",
    ".nuxt",
    "out",
    ".cache",
    "target",
];

pub struct Walked {
    /// Absolute paths of files to lint, sorted.
    pub files: Vec<PathBuf>,
    /// A `supabase/` folder exists in a root.
    pub supabase_dir: bool,
    /// Paths given on the command line that do not exist.
    pub missing: Vec<PathBuf>,
    /// Paths given on the command line that exist but are neither files nor
    /// folders (FIFOs, sockets, devices), with what they are. Never opened.
    pub not_regular: Vec<(PathBuf, &'static str)>,
}

pub fn walk(roots: &[PathBuf], cwd: &Path, no_ignore: bool, configs: &ConfigResolver) -> Walked {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let mut not_regular = Vec::new();
    let mut supabase_dir = false;
    for root in roots {
        let abs = crate::config::absolute(root, cwd);
        if abs.is_file() {
            // Named files are linted whatever the ignore files say.
            if language::detect(&abs).is_some() {
                files.push(abs);
            }
            continue;
        }
        if !abs.is_dir() {
            match std::fs::metadata(&abs) {
                Ok(m) => not_regular.push((root.clone(), crate::fsutil::kind_name(m.file_type()))),
                Err(_) => missing.push(root.clone()),
            }
            continue;
        }
        if abs.join("supabase").is_dir() {
            supabase_dir = true;
        }
        let mut builder = ignore::WalkBuilder::new(&abs);
        builder
            .hidden(false)
            .git_ignore(!no_ignore)
            .git_global(false)
            .git_exclude(!no_ignore)
            .ignore(!no_ignore)
            .parents(!no_ignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                if !is_dir || e.depth() == 0 {
                    return true;
                }
                let name = e.file_name().to_string_lossy();
                !(SKIPPED_DIRS.contains(&name.as_ref())
                    || (name.starts_with('.') && name != ".well-known"))
            });
        for entry in builder.build().flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.into_path();
            if language::detect(&path).is_none() {
                continue;
            }
            if path.components().any(|c| c.as_os_str() == "supabase") {
                supabase_dir = true;
            }
            if !no_ignore {
                if let Ok(config) = configs.for_file(&path) {
                    if config.is_excluded(&path) {
                        continue;
                    }
                }
            }
            files.push(path);
        }
    }
    files.sort();
    files.dedup();
    Walked {
        files,
        supabase_dir,
        missing,
        not_regular,
    }
}
