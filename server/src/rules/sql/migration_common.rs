//! What the migration-safety rules share (`fk-without-index`,
//! `index-not-concurrent`, `add-required-column`, `no-primary-key`,
//! `timestamp-without-tz`): the statement around an offset, a table's name as
//! written, identifiers for inserted SQL, "created earlier in this file", and
//! the transaction a statement runs in.

use crate::sql::facts::{SqlFileFacts, TableChange};
use crate::sql::layout::{layout, Layout, MigrationTool};
use crate::sql::{lex, SqlFile, SqlStatement};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{KeywordKind, TransactionStmtKind};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// The range of the table name of a `CREATE TABLE`, `ALTER TABLE` or `CREATE
/// INDEX` statement, as written.
pub(super) fn relation_range(src: &str, stmt: &SqlStatement) -> Option<Range<usize>> {
    let rel = match stmt.kind()? {
        NodeEnum::CreateStmt(c) => c.relation.as_ref()?,
        NodeEnum::AlterTableStmt(a) => a.relation.as_ref()?,
        NodeEnum::IndexStmt(i) => i.relation.as_ref()?,
        _ => return None,
    };
    lex::name_range(src, stmt.offset(rel.location))
}

/// The tokens of `src[start..end]`, scanning only the first `window` bytes
/// when `enough` is satisfied by them (a statement's rest can be long: a rule
/// that looks at a few tokens per column must not scan it for each column).
pub(super) fn tokens_from(
    src: &str,
    start: usize,
    end: usize,
    window: usize,
    enough: impl Fn(&[lex::Token]) -> bool,
) -> Vec<lex::Token> {
    let mut cut = (start + window).min(end);
    while cut < end && !src.is_char_boundary(cut) {
        cut += 1;
    }
    if cut < end {
        let near = lex::tokens(src, start..cut);
        if enough(&near) {
            return near;
        }
    }
    lex::tokens(src, start..end)
}

/// A column name for inserted SQL: bare when PostgreSQL would read it back
/// unchanged (lower case, not a reserved word), else double-quoted.
pub(super) fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let keyword = pg_query::scan(name).ok().is_none_or(|s| {
        s.tokens.len() != 1
            || s.tokens.iter().any(|t| {
                t.keyword_kind != KeywordKind::NoKeyword as i32
                    && t.keyword_kind != KeywordKind::UnreservedKeyword as i32
            })
    });
    if plain && !keyword {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Why a statement runs inside a transaction block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Transaction {
    /// Between a `BEGIN` / `START TRANSACTION` and its `COMMIT` / `ROLLBACK`.
    Explicit,
    /// In the body of a `DO` block (a function runs in a transaction).
    DoBlock,
    /// The migration tool runs the file in one transaction (Prisma: when the
    /// file has more than one statement; drizzle: always).
    Tool(MigrationTool),
}

/// The byte ranges of the file's explicit transaction blocks (`BEGIN` to
/// `COMMIT`/`ROLLBACK`, or to the end of the file).
fn explicit_transactions(sql: &SqlFile) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for s in sql.statements.iter().filter(|s| !s.in_do_block) {
        let Some(NodeEnum::TransactionStmt(t)) = s.kind() else {
            continue;
        };
        let k = t.kind;
        if k == TransactionStmtKind::TransStmtBegin as i32
            || k == TransactionStmtKind::TransStmtStart as i32
        {
            open.get_or_insert(s.range.start);
        } else if k == TransactionStmtKind::TransStmtCommit as i32
            || k == TransactionStmtKind::TransStmtRollback as i32
        {
            if let Some(start) = open.take() {
                out.push(start..s.range.end);
            }
        }
    }
    if let Some(start) = open {
        out.push(start..usize::MAX);
    }
    out
}

/// One SQL file as the migration rules see it, indexed once per rule call so
/// that per-finding questions (which statement, created earlier, in a
/// transaction) cost a lookup, not a pass over the file.
pub(super) struct MigrationFile<'a> {
    sql: &'a SqlFile,
    pub layout: Layout,
    /// [`explicit_transactions`].
    blocks: Vec<Range<usize>>,
    /// Statements outside DO blocks.
    top_level: usize,
    /// Statement indices by start offset.
    by_start: Vec<usize>,
    /// The first `CREATE TABLE` offset of each (qualified) table in the file.
    created: HashMap<&'a str, usize>,
}

impl<'a> MigrationFile<'a> {
    /// `path`: the project-relative path (`RuleContext::project_path`).
    pub(super) fn new(path: &str, sql: &'a SqlFile, own: &'a SqlFileFacts) -> MigrationFile<'a> {
        let mut by_start: Vec<usize> = (0..sql.statements.len()).collect();
        by_start.sort_by_key(|&i| sql.statements[i].range.start);
        let mut created: HashMap<&'a str, usize> = HashMap::new();
        for e in &own.tables {
            if matches!(e.change, TableChange::Create { .. }) {
                let first = created.entry(e.table.as_str()).or_insert(e.offset);
                *first = (*first).min(e.offset);
            }
        }
        MigrationFile {
            sql,
            layout: layout(Path::new(path)),
            blocks: explicit_transactions(sql),
            top_level: sql.statements.iter().filter(|s| !s.in_do_block).count(),
            by_start,
            created,
        }
    }

    /// The innermost statement holding `offset` (a statement inside a DO block
    /// rather than the block): among the statements starting at or before
    /// `offset`, the last one (by start) that holds it.
    pub(super) fn statement_at(&self, offset: usize) -> Option<&'a SqlStatement> {
        let statements: &'a [SqlStatement] = &self.sql.statements;
        let n = self
            .by_start
            .partition_point(|&i| statements[i].range.start <= offset);
        self.by_start[..n]
            .iter()
            .rev()
            .map(|&i| &statements[i])
            .find(|s| offset < s.range.end)
    }

    /// The (qualified) table is created in this file before `offset` (and so
    /// is empty, or nearly, when the statement at `offset` runs).
    pub(super) fn created_before(&self, table: &str, offset: usize) -> bool {
        self.created.get(table).is_some_and(|&at| at < offset)
    }

    /// The transaction `stmt` runs in, if any.
    pub(super) fn transaction_of(&self, stmt: &SqlStatement) -> Option<Transaction> {
        if stmt.in_do_block {
            return Some(Transaction::DoBlock);
        }
        if self
            .blocks
            .iter()
            .any(|b| b.start < stmt.range.start && stmt.range.start < b.end)
        {
            return Some(Transaction::Explicit);
        }
        match self.layout.tool {
            Some(MigrationTool::Drizzle) => Some(Transaction::Tool(MigrationTool::Drizzle)),
            Some(MigrationTool::Prisma) if self.top_level > 1 => {
                Some(Transaction::Tool(MigrationTool::Prisma))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_only_when_needed() {
        assert_eq!(ident("user_id"), "user_id");
        assert_eq!(ident("userId"), "\"userId\"");
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("order"), "\"order\"");
        assert_eq!(ident("name"), "name");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(ident("2x"), "\"2x\"");
    }

    #[test]
    fn transactions_explicit_do_block_and_tool() {
        let text = "create index a on t (x);\nbegin;\ncreate index b on t (x);\ncommit;\ncreate index c on t (x);\nDO $$ BEGIN CREATE INDEX d ON t (x); END $$;\nstart transaction;\ncreate index e on t (x);";
        let sql = SqlFile::parse(text);
        let own = SqlFileFacts::extract(text);
        let file = MigrationFile::new("supabase/migrations/1.sql", &sql, &own);
        let got: Vec<(String, Option<Transaction>)> = sql
            .statements
            .iter()
            .filter(|s| matches!(s.kind(), Some(NodeEnum::IndexStmt(_))))
            .map(|s| {
                (
                    text[s.range.clone()]
                        .split_whitespace()
                        .nth(2)
                        .unwrap_or("")
                        .to_string(),
                    file.transaction_of(s),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("a".to_string(), None),
                ("b".to_string(), Some(Transaction::Explicit)),
                ("c".to_string(), None),
                ("d".to_string(), Some(Transaction::DoBlock)),
                ("e".to_string(), Some(Transaction::Explicit)),
            ]
        );
        let prisma = "prisma/migrations/1_x/migration.sql";
        let one = SqlFile::parse("create index concurrently a on t (x);");
        let none = SqlFileFacts::default();
        let f = MigrationFile::new(prisma, &one, &none);
        assert_eq!(f.transaction_of(&one.statements[0]), None);
        let two = SqlFile::parse("create index concurrently a on t (x);\ncreate index b on t (y);");
        let f = MigrationFile::new(prisma, &two, &none);
        assert_eq!(
            f.transaction_of(&two.statements[0]),
            Some(Transaction::Tool(MigrationTool::Prisma))
        );
    }

    #[test]
    fn innermost_statement_and_created_before() {
        let text = "create table t (id int);\nDO $$ BEGIN\n  CREATE INDEX i ON t (id);\n  CREATE INDEX j ON t (id);\nEND $$;\nselect 1;";
        let sql = SqlFile::parse(text);
        let own = SqlFileFacts::extract(text);
        let f = MigrationFile::new("migrations/1.sql", &sql, &own);
        let at = |needle: &str| {
            let o = text.find(needle).unwrap();
            f.statement_at(o).map(|s| text[s.range.clone()].to_string())
        };
        assert_eq!(at("j ON").as_deref(), Some("CREATE INDEX j ON t (id)"));
        assert!(at("END").unwrap().starts_with("DO $$"));
        assert_eq!(at("select").as_deref(), Some("select 1"));
        assert!(f.statement_at(text.len() + 5).is_none());
        assert!(f.created_before("public.t", text.find("CREATE INDEX i").unwrap()));
        // near misses: before the CREATE, another table
        assert!(!f.created_before("public.t", 3));
        assert!(!f.created_before("public.u", text.len()));
    }
}
