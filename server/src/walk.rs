//! Finding the files to lint: `.gitignore`/`.ignore` respected, dependency and
//! build folders skipped, dotenv files included.

use crate::config::ConfigResolver;
use crate::language;
use crate::workspace::{self, ProjectMarkers};
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
    /// Project marker files (`vercel.json`, `package.json`…; never linted):
    /// those met by the walk, and those in the folders between the current
    /// folder and each path given on the command line.
    pub markers: ProjectMarkers,
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
    let mut markers = ProjectMarkers::default();
    for root in roots {
        let abs = crate::config::absolute(root, cwd);
        markers_above(&abs, cwd, &mut markers);
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
                // Not linted: recorded whatever the config excludes (the
                // facts are about the folder, for the files linted there).
                if workspace::is_project_marker(&path) {
                    markers.insert(path);
                }
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
        markers,
        missing,
        not_regular,
    }
}

/// The marker files in the folders from `cwd` down to the one holding `root`
/// (a file, or a folder whose own files the walk sees), when `root` is inside
/// `cwd`: `prodlint check src/` from a project's folder still knows its
/// `vercel.json`. A few `stat`s per root.
fn markers_above(root: &Path, cwd: &Path, markers: &mut ProjectMarkers) {
    if !root.starts_with(cwd) {
        return;
    }
    for dir in root.ancestors().skip(1) {
        if !dir.starts_with(cwd) {
            break;
        }
        for name in workspace::PROJECT_MARKER_NAMES {
            let p = dir.join(name);
            if p.is_file() {
                markers.insert(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_files_are_recorded_not_linted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for (rel, text) in [
            ("package.json", "{}"),
            ("vercel.json", "{}"),
            ("api/index.ts", "export default 1;\n"),
            ("web/netlify.toml", "[build]\n"),
            ("node_modules/x/vercel.json", "{}"),
            ("template.yaml", "Resources: {}\n"),
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&p, text).expect("write");
        }
        let configs = ConfigResolver::new(None, root, Vec::new()).expect("resolver");
        let w = walk(&[root.to_path_buf()], root, false, &configs);
        assert_eq!(w.files, vec![root.join("api/index.ts")]);
        let found: Vec<&PathBuf> = w.markers.paths().collect();
        assert_eq!(
            found,
            [
                &root.join("package.json"),
                &root.join("vercel.json"),
                &root.join("web/netlify.toml")
            ]
        );
        // a folder or a file named on the command line: the markers above it, up to the current folder
        for named in ["api", "api/index.ts"] {
            let w = walk(&[PathBuf::from(named)], root, false, &configs);
            assert_eq!(w.markers.len(), 2, "{named}");
            assert!(w.markers.contains(&root.join("vercel.json")));
        }
        // not above the current folder
        let api = root.join("api");
        let w = walk(&[PathBuf::from("index.ts")], &api, false, &configs);
        assert!(w.markers.is_empty());
    }
}
