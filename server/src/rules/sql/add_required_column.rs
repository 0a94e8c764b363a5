use super::migration_common::MigrationFile;
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::qualified;
use crate::sql::facts::TableChange;
use crate::sql::schema::SchemaChange;
use crate::sql::{lex, SqlFile};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::RangeVar;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "add-required-column",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "ALTER TABLE … ADD COLUMN … NOT NULL without a DEFAULT",
        docs: DOCS,
        triggers: &["add"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags `ALTER TABLE … ADD COLUMN … NOT NULL` (also `PRIMARY KEY`) without a
`DEFAULT` — an identity, a generated column or a `serial` type count as one —
on a table that is not created earlier in the same file, and not emptied
earlier in it (`TRUNCATE`, or `DELETE` without `WHERE`).

## Why is this bad?
PostgreSQL fills the new column of every existing row with `NULL`, which the
`NOT NULL` constraint rejects: on a table with rows the migration fails (Prisma
writes "This is not possible if the table is not empty" above such a statement).
It passed in development on an empty table and fails in production.

## Examples
```sql flagged lines=1
alter table public.orders add column currency text not null;
```

```sql ok
alter table public.orders add column currency text not null default 'EUR';
alter table public.orders add column note text;
create table public.invoices (id bigint primary key);
alter table public.invoices add column total numeric not null;
```

## Fix
None automatically: the right value for existing rows is the author's choice.
Add a `DEFAULT` (a constant default is instant since PostgreSQL 11), or add the
column nullable, backfill it, then `ALTER COLUMN … SET NOT NULL`.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    let own = sql.own_facts(cx.source);
    let file = MigrationFile::new(&cx.project_path(), sql, own);
    // TRUNCATEs and unconditional DELETEs, collected once (rare).
    let emptied = emptying_statements(sql);
    for e in &own.tables {
        let TableChange::Schema(SchemaChange::AddColumn(col)) = &e.change else {
            continue;
        };
        if !col.not_null || col.has_default {
            continue;
        }
        if file.created_before(&e.table, e.offset)
            || emptied
                .iter()
                .any(|(at, r)| *at < e.offset && names(r, &e.table))
        {
            continue;
        }
        let Some(range) = lex::name_range(cx.source, col.offset) else {
            continue;
        };
        let table = &e.table;
        let name = &col.name;
        cx.report(
            range,
            format!("Adding `{name}` as `NOT NULL` without a `DEFAULT` fails when `{table}` has rows. Give it a `DEFAULT`, or add it nullable, backfill it, then `SET NOT NULL`."),
        );
    }
}

/// The `TRUNCATE`d tables and the tables of `DELETE`s without `WHERE`, with
/// the statement's offset.
fn emptying_statements(sql: &SqlFile) -> Vec<(usize, &RangeVar)> {
    let mut out = Vec::new();
    for s in &sql.statements {
        match s.kind() {
            Some(NodeEnum::TruncateStmt(t)) => {
                for n in &t.relations {
                    if let Some(NodeEnum::RangeVar(r)) = n.node.as_ref() {
                        out.push((s.range.start, r));
                    }
                }
            }
            Some(NodeEnum::DeleteStmt(d)) if d.where_clause.is_none() => {
                if let Some(r) = d.relation.as_ref() {
                    out.push((s.range.start, r));
                }
            }
            _ => {}
        }
    }
    out
}

/// `r` names the (qualified) `table` (unqualified: the default schema).
fn names(r: &RangeVar, table: &str) -> bool {
    let bare = table.split_once('.').map_or(table, |(_, n)| n);
    r.relname == bare && (r.schemaname.is_empty() || qualified(&r.schemaname, bare) == table)
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "add-required-column";
    const P: &str = "supabase/migrations/20240101000000_cols.sql";
    const PRISMA: &str = "prisma/migrations/20240101000000_cols/migration.sql";

    #[test]
    fn flags_required_columns_without_default() {
        let text = "alter table orders add column currency text not null;\nALTER TABLE \"User\" ADD COLUMN \"teamId\" TEXT NOT NULL,\nADD COLUMN \"note\" TEXT;\nalter table t add column if not exists k int primary key;\n";
        assert_eq!(
            assert_flags(R, P, text, 3),
            vec!["currency", "\"teamId\"", "k"]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Warn));
        assert!(d[1].message.contains("`teamId`") && d[1].message.contains("`public.User`"));
        assert_flags(
            R,
            PRISMA,
            "-- AlterTable\nALTER TABLE \"Post\" ADD COLUMN \"slug\" TEXT NOT NULL;",
            1,
        );
    }

    #[test]
    fn near_miss_default_identity_generated_serial_or_nullable() {
        assert_clean(R, P, "alter table t add column a text not null default '';\nalter table t add column b bigint generated always as identity;\nalter table t add column c int not null generated always as (1) stored;\nalter table t add column d bigserial not null;\nalter table t add column e text;\nalter table t add column f text null;");
    }

    #[test]
    fn near_miss_table_created_or_emptied_earlier_in_the_file() {
        assert_clean(
            R,
            P,
            "create table t (id int);\nalter table t add column a text not null;",
        );
        assert_clean(
            R,
            P,
            "truncate table t;\nalter table t add column a text not null;",
        );
        assert_clean(
            R,
            P,
            "delete from public.t;\nalter table t add column a text not null;",
        );
        // near misses of the near miss: a DELETE with WHERE, another table, emptied afterwards
        assert_flags(
            R,
            P,
            "delete from t where x = 1;\nalter table t add column a text not null;",
            1,
        );
        assert_flags(R, P, "truncate other;\ncreate table other2 (id int);\nalter table t add column a text not null;", 1);
        assert_flags(
            R,
            P,
            "alter table t add column a text not null;\ntruncate t;",
            1,
        );
    }

    #[test]
    fn create_table_columns_and_comments_are_not_additions() {
        assert_clean(R, P, "create table t (a text not null);\n-- alter table t add column b text not null;\nalter table t alter column a set not null;");
        assert_flags(
            R,
            P,
            "DO $$ BEGIN\n  ALTER TABLE t ADD COLUMN a int NOT NULL;\nEND $$;",
            1,
        );
    }

    #[test]
    fn ranges_after_non_ascii_text_on_crlf() {
        let text =
            "-- ajout 🚀 é\r\nalter table \"Commande\" add column \"libellé\" text not null;\r\n";
        assert_eq!(assert_flags(R, P, text, 1), vec!["\"libellé\""]);
    }
}
