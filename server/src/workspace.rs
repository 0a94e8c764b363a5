//! Workspace facts: the only cross-file input of the rules. Computed once per run
//! from every SQL file under the linted roots (in migration order, i.e. by file
//! name), and updated per changed file by the language server.

use crate::sql::facts::{SqlFacts, SqlFileFacts};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct WorkspaceFacts {
    /// Facts extracted from each SQL file, keyed by path.
    pub sql: SqlFacts,
    /// A `supabase/` folder exists at a workspace root.
    pub supabase_dir: bool,
}

impl WorkspaceFacts {
    /// Replace (or add) one SQL file's contribution.
    pub fn update_sql_file(&mut self, path: &Path, text: &str) {
        self.sql
            .insert(path.to_path_buf(), SqlFileFacts::extract(text));
    }

    /// Add one SQL file's contribution from its parsed form.
    pub fn update_sql_parsed(&mut self, path: &Path, file: &crate::sql::SqlFile, text: &str) {
        self.sql
            .insert(path.to_path_buf(), SqlFileFacts::from_parsed(file, text));
    }

    pub fn remove_file(&mut self, path: &Path) {
        self.sql.remove(path);
    }

    /// Build from the SQL files given as (path, text) pairs.
    pub fn from_sql_files<'a>(
        files: impl IntoIterator<Item = (PathBuf, &'a str)>,
        supabase_dir: bool,
    ) -> WorkspaceFacts {
        let mut facts = WorkspaceFacts {
            supabase_dir,
            ..Default::default()
        };
        for (path, text) in files {
            facts.update_sql_file(&path, text);
        }
        facts
    }

    /// A stable hash of the facts (for the result cache).
    pub fn fingerprint(&self) -> u64 {
        self.sql.fingerprint() ^ (self.supabase_dir as u64)
    }
}
