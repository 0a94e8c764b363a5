//! Workspace facts from SQL files: which tables have RLS enabled, which
//! functions get a fixed `search_path` later, whether this is a Supabase project.
//! Each file contributes a [`SqlFileFacts`]; [`SqlFacts`] answers questions over
//! all of them, so the language server can replace one file's contribution.

use super::SqlFile;
use pg_query::protobuf::node::Node as NodeEnum;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A table or function name normalised for comparison: lower-case unless quoted,
/// the `public.` schema made explicit.
pub fn qualified(schema: &str, name: &str) -> String {
    let schema = if schema.is_empty() { "public" } else { schema };
    format!("{schema}.{name}")
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SqlFileFacts {
    /// Tables whose RLS is enabled (`ALTER TABLE … ENABLE ROW LEVEL SECURITY`).
    pub rls_enabled: BTreeSet<String>,
    /// Functions (qualified name) given a `search_path` by `ALTER FUNCTION … SET search_path`.
    pub search_path_set: BTreeSet<String>,
    /// The file uses Supabase idioms (`auth.uid()`, `TO authenticated`/`anon`).
    pub supabase_markers: bool,
}

impl SqlFileFacts {
    pub fn extract(text: &str) -> SqlFileFacts {
        SqlFileFacts::from_parsed(&SqlFile::parse(text), text)
    }

    /// From an already parsed file (the CLI parses each SQL file once).
    pub fn from_parsed(file: &SqlFile, text: &str) -> SqlFileFacts {
        let mut facts = SqlFileFacts::default();
        let lower = text.to_ascii_lowercase();
        facts.supabase_markers = lower.contains("auth.uid()")
            || lower.contains("to authenticated")
            || lower.contains("to anon")
            || lower.contains("auth.jwt()");
        for stmt in &file.statements {
            match stmt.kind() {
                Some(NodeEnum::AlterTableStmt(alter)) => {
                    let enables = alter.cmds.iter().any(|c| {
                        matches!(&c.node, Some(NodeEnum::AlterTableCmd(cmd))
                            if cmd.subtype == pg_query::protobuf::AlterTableType::AtEnableRowSecurity as i32
                            || cmd.subtype == pg_query::protobuf::AlterTableType::AtForceRowSecurity as i32)
                    });
                    if enables {
                        if let Some(rel) = &alter.relation {
                            facts
                                .rls_enabled
                                .insert(qualified(&rel.schemaname, &rel.relname));
                        }
                    }
                }
                Some(NodeEnum::AlterFunctionStmt(alter)) => {
                    let sets_path = alter.actions.iter().any(|a| match &a.node {
                        Some(NodeEnum::DefElem(d)) => {
                            d.defname == "set" && format!("{:?}", d.arg).contains("search_path")
                        }
                        _ => false,
                    });
                    if sets_path {
                        if let Some(func) = &alter.func {
                            let names: Vec<String> = func
                                .objname
                                .iter()
                                .filter_map(|n| match &n.node {
                                    Some(NodeEnum::String(s)) => Some(s.sval.clone()),
                                    _ => None,
                                })
                                .collect();
                            let (schema, name) = match names.as_slice() {
                                [name] => ("", name.as_str()),
                                [schema, name] => (schema.as_str(), name.as_str()),
                                _ => continue,
                            };
                            facts.search_path_set.insert(qualified(schema, name));
                        }
                    }
                }
                _ => {}
            }
        }
        facts
    }
}

/// All SQL files' facts, by path (so in migration order for timestamped names).
#[derive(Clone, Debug, Default)]
pub struct SqlFacts {
    files: BTreeMap<PathBuf, SqlFileFacts>,
}

impl SqlFacts {
    pub fn insert(&mut self, path: PathBuf, facts: SqlFileFacts) {
        self.files.insert(path, facts);
    }
    pub fn remove(&mut self, path: &Path) {
        self.files.remove(path);
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    /// RLS is enabled for the (qualified) table somewhere in the workspace.
    pub fn rls_enabled(&self, table: &str) -> bool {
        self.files.values().any(|f| f.rls_enabled.contains(table))
    }
    /// A (qualified) function gets `SET search_path` by an `ALTER FUNCTION` somewhere.
    pub fn search_path_set(&self, function: &str) -> bool {
        self.files
            .values()
            .any(|f| f.search_path_set.contains(function))
    }
    pub fn supabase_markers(&self) -> bool {
        self.files.values().any(|f| f.supabase_markers)
    }
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for (p, f) in &self.files {
            p.hash(&mut h);
            f.hash(&mut h);
        }
        h.finish()
    }
}
