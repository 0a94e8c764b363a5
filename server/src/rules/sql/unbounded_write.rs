use super::migration_common::MigrationFile;
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::{qualified, SqlFileFacts, TableChange};
use crate::sql::{expr, SqlFile, SqlStatement};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{Node, RangeVar};

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "unbounded-write",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Error,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "DELETE or UPDATE without WHERE in a migration",
        docs: DOCS,
        triggers: &["delete", "update"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags `DELETE FROM t` and `UPDATE t SET …` without a `WHERE` clause in a
migration (Supabase `supabase/migrations/`, Prisma, drizzle, `migrations/`,
`db/migrate/`; see the migration layouts). Seed files (`seed.sql`), test SQL and
other SQL files are not migrations: emptying or resetting a table is normal
there. Statements inside `DO $$ … $$` blocks count; function bodies do not.

Data migrations that are plainly meant to touch every row are not flagged:
- a write to a table created earlier in the same file (it is empty);
- an `UPDATE` whose new values read the row (`SET new_col = old_col`,
  `SET email = lower(email)`, a `CASE` over its columns): a transformation;
- an `UPDATE` of a column added (`ADD COLUMN`) earlier in the same file: a
  backfill;
- a write that is the migration's only statement: a dedicated data migration;
- a write under a comment (on its line or the two lines above) that says
  every row is meant: `-- delete all …`, `-- for every …`, `-- drop existing …`.

A `WHERE` of any kind (even `WHERE true`) says the author thought about it.

## Why is this bad?
A migration runs once against production. A `DELETE` or `UPDATE` whose `WHERE`
was forgotten (or cut off when the statement was edited) changes every row of
the table, and nothing undoes it but a backup.

## Examples
```sql flagged lines=2 path=supabase/migrations/20240101000000_cleanup.sql
alter table public.sessions add column revoked_at timestamptz;
delete from public.sessions;
```

```sql ok path=supabase/migrations/20240101000000_cleanup.sql
delete from public.sessions where expires_at < now();
alter table public.orders add column currency text;
update public.orders set currency = 'usd';
update public.users set email = lower(email);
```

## Fix
None: add the `WHERE` you meant, or, for an intended full-table write, add `WHERE
true` (or a suppression comment) so that the intent is written down.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    let unbounded = |s: &&SqlStatement| match s.kind() {
        Some(NodeEnum::DeleteStmt(d)) => d.where_clause.is_none(),
        Some(NodeEnum::UpdateStmt(u)) => u.where_clause.is_none(),
        _ => false,
    };
    if !sql.statements.iter().any(|s| unbounded(&s)) {
        return;
    }
    let own = sql.own_facts(cx.source);
    let file = MigrationFile::new(&cx.project_path(), sql, own);
    if !file.layout.is_migration {
        return;
    }
    for stmt in &sql.statements {
        let (verb, rel, targets) = match stmt.kind() {
            Some(NodeEnum::DeleteStmt(d)) if d.where_clause.is_none() => {
                ("DELETE", d.relation.as_ref(), None)
            }
            Some(NodeEnum::UpdateStmt(u)) if u.where_clause.is_none() => {
                ("UPDATE", u.relation.as_ref(), Some(&u.target_list))
            }
            _ => continue,
        };
        let Some(rel) = rel else { continue };
        let table = qualified(&rel.schemaname, &rel.relname);
        let at = stmt.offset(rel.location);
        if file.created_before(&table, at) {
            continue;
        }
        if let Some(targets) = targets {
            if reads_the_row(targets) || backfills(own, &table, targets, at) {
                continue;
            }
        }
        if is_only_statement(sql, stmt) || says_every_row(sql, cx.source, stmt) {
            continue;
        }
        report(cx, stmt, rel, verb);
    }
}

fn report(cx: &mut RuleContext<'_>, stmt: &SqlStatement, rel: &RangeVar, verb: &str) {
    let src = cx.source;
    let Some(name) = crate::sql::lex::name_range(src, stmt.offset(rel.location)) else {
        return;
    };
    let what = if verb == "DELETE" {
        "deletes every row of"
    } else {
        "overwrites every row of"
    };
    let message = format!(
        "`{verb}` without `WHERE` {what} `{}` when this migration runs in production: add the condition you meant, or `WHERE true` if every row is intended.",
        &src[name.clone()]
    );
    cx.report(name, message);
}

/// The write is the migration's only statement: a dedicated data migration.
fn is_only_statement(sql: &SqlFile, stmt: &SqlStatement) -> bool {
    sql.failed.is_empty()
        && sql
            .statements
            .iter()
            .all(|s| s.range == stmt.range || s.range.contains(&stmt.range.start))
}

/// A comment on the lines just above the statement (or on its line) says every
/// row is meant: "all", "every", "existing".
fn says_every_row(sql: &SqlFile, src: &str, stmt: &SqlStatement) -> bool {
    let comments = sql.comments_around(src, stmt.range.clone(), 2, 0);
    comments
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "all" | "every" | "existing"))
}

/// Some new value reads a column of the row (`SET b = a`, `lower(email)`).
fn reads_the_row(targets: &[Node]) -> bool {
    let mut found = false;
    for t in targets {
        let Some(NodeEnum::ResTarget(rt)) = t.node.as_ref() else {
            continue;
        };
        if let Some(val) = rt.val.as_deref() {
            expr::walk(val, |n, _| {
                found |= matches!(n.node.as_ref(), Some(NodeEnum::ColumnRef(_)));
            });
        }
    }
    found
}

/// Every column set was added to the table earlier in this file.
fn backfills(own: &SqlFileFacts, table: &str, targets: &[Node], offset: usize) -> bool {
    let added: Vec<&String> = own
        .tables
        .iter()
        .filter(|e| e.offset < offset && e.table == table)
        .filter_map(|e| match &e.change {
            TableChange::AddColumns(cols) => Some(cols),
            _ => None,
        })
        .flatten()
        .collect();
    !added.is_empty()
        && targets.iter().all(|t| match t.node.as_ref() {
            Some(NodeEnum::ResTarget(rt)) => added.iter().any(|c| **c == rt.name.to_lowercase()),
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "unbounded-write";
    const P: &str = "supabase/migrations/20240101000000_cleanup.sql";

    #[test]
    fn flags_writes_without_where_in_migrations() {
        let text = "create table a (id int);\ndelete from public.sessions;\nDELETE FROM \"Order\";\nupdate orders set currency = null;\nupdate accounts set plan = 'free', trial = false;\nwith x as (select 1) delete from logs;\n";
        let got = assert_flags(R, P, text, 5);
        assert_eq!(
            got,
            vec!["public.sessions", "\"Order\"", "orders", "accounts", "logs"]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Error));
        assert!(
            d[0].message
                .starts_with("`DELETE` without `WHERE` deletes every row of `public.sessions`"),
            "{}",
            d[0].message
        );
        for path in [
            "prisma/migrations/20240101000000_x/migration.sql",
            "drizzle/0001_x.sql",
            "db/migrate/001.sql",
            "migrations/001_x.sql",
        ] {
            assert_flags(R, path, "delete from sessions;\nselect 1;\n", 1);
        }
    }

    #[test]
    fn near_miss_where_given() {
        assert_clean(R, P, "delete from sessions where expires_at < now();\nupdate orders set currency = 'usd' where currency is null;\nupdate t set x = 1 where true;\n");
    }

    #[test]
    fn near_miss_not_a_migration() {
        for path in [
            "supabase/seed.sql",
            "supabase/tests/database/01.sql",
            "db/queries/reset.sql",
            "scripts/cleanup.sql",
            "prisma/seed/seed.sql",
        ] {
            assert_clean(
                R,
                path,
                "delete from sessions;\nupdate orders set currency = null;\n",
            );
        }
    }

    #[test]
    fn near_miss_data_migrations() {
        // table created earlier in the file
        assert_clean(R, P, "create table t (id int, x int);\ninsert into t values (1, 1);\nupdate t set x = 2;\ndelete from t;\n");
        // the new value reads the row
        assert_clean(R, P, "update users set email = lower(email);\nupdate \"Project\" set \"overlay\" = case when \"dark\" then 'dark' else 'none' end;\n");
        // backfill of a column added earlier in the file
        assert_clean(
            R,
            P,
            "alter table orders add column currency text;\nupdate orders set currency = 'usd';\n",
        );
        // function bodies are not migration statements; comments and strings are not code
        assert_clean(R, P, "create function f() returns void language sql as $$ delete from sessions $$;\n-- delete from sessions;\nselect 'update t set x = 1';\n");
    }

    #[test]
    fn near_miss_intent_written_down() {
        // the only statement of the migration
        assert_clean(
            R,
            P,
            "-- Custom SQL migration\nUPDATE \"admin\" SET \"cleanup\" = false;\n",
        );
        // a comment says every row is meant
        assert_clean(R, P, "create table a (id int);\n-- Delete all memberships, moved to organisations above\nDELETE FROM memberships;\n");
        assert_clean(R, P, "create table a (id int);\nupdate invitations set role = null; -- reset for every invitation\n");
        // a comment that does not say so
        assert_flags(
            R,
            P,
            "create table a (id int);\n-- remove expired sessions\ndelete from sessions;\n",
            1,
        );
        assert_flags(
            R,
            P,
            "-- delete all rows\n\n\n\ncreate table a (id int);\ndelete from sessions;\n",
            1,
        );
    }

    #[test]
    fn a_backfill_of_another_column_is_flagged() {
        let got = assert_flags(R, P, "alter table orders add column currency text;\nupdate orders set currency = 'usd', status = 'open';\n", 1);
        assert_eq!(got, vec!["orders"]);
    }

    #[test]
    fn inside_do_blocks_on_crlf_with_non_ascii_text() {
        let text =
            "-- café 😀\r\nDO $$\r\nBEGIN\r\n  DELETE FROM \"commandes_é😀\";\r\n  CREATE TABLE b (id int);\r\nEND $$;\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "\"commandes_é😀\"");
    }
}
