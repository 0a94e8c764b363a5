//! What the migration-safety rules share (`fk-without-index`,
//! `index-not-concurrent`, `add-required-column`, `no-primary-key`,
//! `timestamp-without-tz`): the statement around an offset, a table's name as
//! written, identifiers for inserted SQL, "created earlier in this file", and
//! the transaction a statement runs in.

use crate::sql::facts::{SqlFileFacts, TableChange};
use crate::sql::layout::{Layout, MigrationTool};
use crate::sql::{lex, SqlFile, SqlStatement};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{KeywordKind, TransactionStmtKind};
use std::ops::Range;

/// The innermost statement holding `offset` (a statement inside a DO block
/// rather than the block).
pub(super) fn statement_at(sql: &SqlFile, offset: usize) -> Option<&SqlStatement> {
    sql.statements
        .iter()
        .filter(|s| s.range.start <= offset && offset < s.range.end)
        .min_by_key(|s| s.range.len())
}

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

/// The (qualified) table is created in this file before `offset` (and so is
/// empty, or nearly, when the statement at `offset` runs).
pub(super) fn created_earlier_in_file(own: &SqlFileFacts, table: &str, offset: usize) -> bool {
    own.tables.iter().any(|e| {
        e.offset < offset && e.table == table && matches!(e.change, TableChange::Create { .. })
    })
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
pub(super) fn explicit_transactions(sql: &SqlFile) -> Vec<Range<usize>> {
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

/// The transaction `stmt` runs in, if any (`blocks`: [`explicit_transactions`]).
pub(super) fn transaction_of(
    sql: &SqlFile,
    layout: &Layout,
    blocks: &[Range<usize>],
    stmt: &SqlStatement,
) -> Option<Transaction> {
    if stmt.in_do_block {
        return Some(Transaction::DoBlock);
    }
    if blocks
        .iter()
        .any(|b| b.start < stmt.range.start && stmt.range.start < b.end)
    {
        return Some(Transaction::Explicit);
    }
    match layout.tool {
        Some(MigrationTool::Drizzle) => Some(Transaction::Tool(MigrationTool::Drizzle)),
        Some(MigrationTool::Prisma)
            if sql.statements.iter().filter(|s| !s.in_do_block).count() > 1 =>
        {
            Some(Transaction::Tool(MigrationTool::Prisma))
        }
        _ => None,
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
        let blocks = explicit_transactions(&sql);
        let plain = crate::sql::layout::layout(std::path::Path::new("supabase/migrations/1.sql"));
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
                    transaction_of(&sql, &plain, &blocks, s),
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
        let prisma =
            crate::sql::layout::layout(std::path::Path::new("prisma/migrations/1_x/migration.sql"));
        let one = SqlFile::parse("create index concurrently a on t (x);");
        assert_eq!(transaction_of(&one, &prisma, &[], &one.statements[0]), None);
        let two = SqlFile::parse("create index concurrently a on t (x);\ncreate index b on t (y);");
        assert_eq!(
            transaction_of(&two, &prisma, &[], &two.statements[0]),
            Some(Transaction::Tool(MigrationTool::Prisma))
        );
    }
}
