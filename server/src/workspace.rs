//! Workspace facts: the only cross-file input of the rules. Each file of a
//! language that contributes facts (`LanguageSupport::facts`; SQL, and scripts
//! named `middleware.ts`/`proxy.ts`) adds
//! its [`FileFacts`]; the front ends gather them once per run (the CLI, in
//! migration order, i.e. by file name) or per changed file (the server), and
//! never look inside them.

use crate::sql::facts::{SqlFacts, SqlFileFacts};
use crate::ts::facts::{TsFacts, TsFileFacts};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One file's contribution to the workspace facts, by language.
#[derive(Clone, Debug, PartialEq)]
pub enum FileFacts {
    Sql(SqlFileFacts),
    /// A script's (today: Next.js `middleware.ts`).
    Ts(TsFileFacts),
}

#[derive(Clone, Debug, Default)]
pub struct WorkspaceFacts {
    /// Facts extracted from each SQL file, keyed by path.
    pub sql: SqlFacts,
    /// Facts extracted from scripts (Next.js middleware), keyed by path.
    pub ts: TsFacts,
    /// A `supabase/` folder exists at a workspace root.
    pub supabase_dir: bool,
    /// Project files that are not linted but say what the folder holding them
    /// is (`vercel.json`, `package.json`…): their paths.
    pub markers: ProjectMarkers,
}

/// File names of the project files whose existence is a workspace fact
/// ([`ProjectMarkers`]). They are never linted: the walker records them beside
/// the files to lint, the language server watches them.
pub const PROJECT_MARKER_NAMES: &[&str] = &[
    "vercel.json",
    "netlify.toml",
    "serverless.yml",
    "serverless.yaml",
    "package.json",
];

/// The serverless deployment configs among [`PROJECT_MARKER_NAMES`]: a folder
/// holding one is deployed as functions (Vercel, Netlify, the Serverless
/// Framework on AWS Lambda). Their contents are not read: existence is enough.
const SERVERLESS_CONFIGS: &[&str] = &[
    "vercel.json",
    "netlify.toml",
    "serverless.yml",
    "serverless.yaml",
];

/// Whether `path` names a project marker file (by its file name).
pub fn is_project_marker(path: &Path) -> bool {
    file_name_in(path, PROJECT_MARKER_NAMES)
}

fn file_name_in(path: &Path, names: &[&str]) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| names.contains(&n))
}

/// The project marker files of the workspace (paths), by existence only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ProjectMarkers {
    files: BTreeSet<PathBuf>,
}

impl ProjectMarkers {
    /// Record a marker file (other paths are ignored).
    pub fn insert(&mut self, path: PathBuf) {
        if is_project_marker(&path) {
            self.files.insert(path);
        }
    }

    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.files.contains(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The nearest marker named in `names` in a folder above `file`, with
    /// its folder.
    fn nearest(&self, file: &Path, names: &[&str]) -> Option<(&Path, &Path)> {
        let dir = file.parent()?;
        self.files
            .iter()
            .filter(|p| file_name_in(p, names))
            .filter_map(|p| Some((p.as_path(), p.parent()?)))
            .filter(|(_, at)| dir.starts_with(at))
            .max_by_key(|(_, at)| at.as_os_str().len())
    }

    /// The folder of the nearest `package.json` above `file`: its package.
    pub fn package_root(&self, file: &Path) -> Option<&Path> {
        self.nearest(file, &["package.json"]).map(|(_, at)| at)
    }

    /// The serverless deployment config (`vercel.json`, `netlify.toml`,
    /// `serverless.yml`) that puts `file` on a serverless target: the nearest
    /// one in a folder above `file`, within `file`'s own package — a config
    /// above the nearest `package.json` belongs to another project of a
    /// monorepo (a root `netlify.toml` for the web app says nothing about
    /// `packages/api/`, a long-running server with its own `package.json`).
    pub fn serverless_config(&self, file: &Path) -> Option<&Path> {
        let (config, config_dir) = self.nearest(file, SERVERLESS_CONFIGS)?;
        match self.package_root(file) {
            Some(package_dir) if !config_dir.starts_with(package_dir) => None,
            _ => Some(config),
        }
    }
}

impl WorkspaceFacts {
    /// Facts with no file's contribution yet.
    pub fn new(supabase_dir: bool) -> WorkspaceFacts {
        WorkspaceFacts {
            supabase_dir,
            ..Default::default()
        }
    }

    /// Replace (or add) one file's contribution.
    pub fn set_file(&mut self, path: &Path, facts: FileFacts) {
        match facts {
            FileFacts::Sql(f) => self.sql.insert(path.to_path_buf(), f),
            FileFacts::Ts(f) => self.ts.insert(path.to_path_buf(), f),
        }
    }

    /// Replace (or add) one SQL file's contribution, from its text.
    pub fn update_sql_file(&mut self, path: &Path, text: &str) {
        self.set_file(path, FileFacts::Sql(SqlFileFacts::extract(text)));
    }

    /// Drop one file's contribution (whatever its language).
    pub fn remove_file(&mut self, path: &Path) {
        self.sql.remove(path);
        self.ts.remove(path);
    }

    /// Build from the SQL files given as (path, text) pairs.
    pub fn from_sql_files<'a>(
        files: impl IntoIterator<Item = (PathBuf, &'a str)>,
        supabase_dir: bool,
    ) -> WorkspaceFacts {
        let mut facts = WorkspaceFacts::new(supabase_dir);
        for (path, text) in files {
            facts.update_sql_file(&path, text);
        }
        facts
    }

    /// A stable hash of the facts (for the result cache).
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.markers.hash(&mut h);
        self.sql.fingerprint()
            ^ self.ts.fingerprint().rotate_left(1)
            ^ h.finish().rotate_left(2)
            ^ (self.supabase_dir as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers(paths: &[&str]) -> ProjectMarkers {
        let mut m = ProjectMarkers::default();
        for p in paths {
            m.insert(PathBuf::from(p));
        }
        m
    }

    #[test]
    fn the_nearest_serverless_config_within_the_files_package() {
        let m = markers(&["r/package.json", "r/vercel.json", "r/apps/web/netlify.toml"]);
        assert_eq!(
            m.serverless_config(Path::new("r/api/index.ts")),
            Some(Path::new("r/vercel.json"))
        );
        assert_eq!(
            m.serverless_config(Path::new("r/apps/web/src/a.ts")),
            Some(Path::new("r/apps/web/netlify.toml"))
        );
        // other names are not recorded
        let mut n = ProjectMarkers::default();
        n.insert(PathBuf::from("r/template.yaml"));
        n.insert(PathBuf::from("r/src/vercel.ts"));
        assert!(n.is_empty());
    }

    #[test]
    fn near_miss_configs_of_other_projects() {
        // a package between the config and the file
        let m = markers(&["r/vercel.json", "r/package.json", "r/server/package.json"]);
        assert_eq!(m.serverless_config(Path::new("r/server/src/app.ts")), None);
        // a config in a sibling or a child folder
        let m = markers(&["r/web/vercel.json", "r/jobs/sub/netlify.toml"]);
        assert_eq!(m.serverless_config(Path::new("r/api/app.ts")), None);
        assert_eq!(m.serverless_config(Path::new("r/jobs/app.ts")), None);
        // a folder whose name only starts like the config's
        let m = markers(&["r/web/vercel.json"]);
        assert_eq!(m.serverless_config(Path::new("r/web-old/app.ts")), None);
        // removed
        let mut m = markers(&["r/vercel.json"]);
        m.remove(Path::new("r/vercel.json"));
        assert_eq!(m.serverless_config(Path::new("r/a.ts")), None);
    }

    #[test]
    fn markers_change_the_fingerprint() {
        let mut facts = WorkspaceFacts::new(false);
        let before = facts.fingerprint();
        facts.markers.insert(PathBuf::from("r/vercel.json"));
        assert_ne!(facts.fingerprint(), before);
    }
}
