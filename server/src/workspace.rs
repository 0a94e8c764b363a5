//! Workspace facts: the only cross-file input of the rules. Each file of a
//! language that contributes facts (`LanguageSupport::facts`; SQL, and scripts
//! named `middleware.ts`/`proxy.ts`) adds
//! its [`FileFacts`]; the front ends gather them once per run (the CLI, in
//! migration order, i.e. by file name) or per changed file (the server), and
//! never look inside them.

use crate::sql::facts::{SqlFacts, SqlFileFacts};
use crate::ts::facts::{TsFacts, TsFileFacts};
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
        self.sql.fingerprint() ^ self.ts.fingerprint().rotate_left(1) ^ (self.supabase_dir as u64)
    }
}
