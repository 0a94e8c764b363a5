use super::migration_common::MigrationFile;
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::{Fate, TableChange};
use crate::sql::{lex, SqlFile};
use pg_query::protobuf::node::Node as NodeEnum;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "no-primary-key",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "A table without a primary key",
        docs: DOCS,
        triggers: &["table"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags a `CREATE TABLE` (or `CREATE TABLE … AS`) whose table has no primary key
once every SQL file of the workspace has run, in migration order (by file
name): a `PRIMARY KEY` on a column or the table, or a later `ALTER TABLE … ADD
PRIMARY KEY` / `ADD CONSTRAINT … PRIMARY KEY [USING INDEX]` in any migration
settles it; a later `DROP CONSTRAINT` of the key brings it back; renames are
followed, and a table dropped later is not reported.

Not reported: temporary tables, partitions (`PARTITION OF`) and inheritance
children (their parent holds the key), and tables with a unique constraint or
unique index over `NOT NULL` columns only — such a key identifies every row as
a primary key does (Prisma's implicit many-to-many tables `_AToB` had only
`UNIQUE ("A", "B")` before Prisma 6).

## Why is this bad?
Without a key, duplicate rows cannot be told apart or removed one at a time;
logical replication (Supabase's realtime and read replicas, most change-data
capture) cannot replicate `UPDATE` and `DELETE` on the table; ORMs and the
Supabase table editor need a key to edit a row.

## Examples
```sql flagged lines=1
create table public.audit_events (
  happened_at timestamptz not null default now(),
  payload jsonb
);
```

```sql ok
create table public.audit_events (
  id bigint generated always as identity primary key,
  payload jsonb
);
create table public.tags (name text);
alter table public.tags add primary key (name);
create table public."_PostToTag" ("A" text not null, "B" text not null);
create unique index "_PostToTag_AB_unique" on public."_PostToTag" ("A", "B");
```

## Fix
None: which columns identify a row is a design decision (often a new
`id bigint generated always as identity primary key` column).
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    let own = sql.own_facts(cx.source);
    let timeline = cx.facts.sql.timeline(cx.file.path, own);
    let schema = timeline.schema();
    let file = MigrationFile::new(&cx.project_path(), sql, own);
    for e in &own.tables {
        if !matches!(e.change, TableChange::Create { .. }) {
            continue;
        }
        let Some(stmt) = file.statement_at(e.offset) else {
            continue;
        };
        let exempt = match stmt.kind() {
            Some(NodeEnum::CreateStmt(c)) => {
                c.relation.as_ref().is_some_and(|r| r.relpersistence == "t")
                    || c.partbound.is_some()
                    || !c.inh_relations.is_empty()
                    || c.of_typename.is_some()
            }
            Some(NodeEnum::CreateTableAsStmt(c)) => c
                .into
                .as_ref()
                .and_then(|i| i.rel.as_ref())
                .is_some_and(|r| r.relpersistence == "t"),
            // a CREATE TABLE inside CREATE SCHEMA
            _ => false,
        };
        if exempt {
            continue;
        }
        let Fate::Alive(names) = timeline.fate(&e.table, e.offset) else {
            continue;
        };
        let Some(last) = names.last() else { continue };
        let Some(state) = schema.tables.get(last) else {
            continue;
        };
        if state.primary_key().is_some() || state.has_not_null_unique_key() {
            continue;
        }
        let Some(range) = lex::name_range(cx.source, e.offset) else {
            continue;
        };
        let table = &e.table;
        cx.report(
            range,
            format!("`{table}` has no primary key: rows cannot be told apart, and logical replication (Supabase realtime, read replicas) cannot send its updates and deletes. Add a primary key (e.g. an identity column)."),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "no-primary-key";
    const P: &str = "supabase/migrations/20240101000000_init.sql";

    fn in_workspace(files: &[(&str, &str)], lint: usize) -> Vec<String> {
        snippets_in_workspace(R, files, lint)
    }

    #[test]
    fn flags_tables_without_a_primary_key() {
        let text = "create table a (id int, name text);\nCREATE TABLE IF NOT EXISTS \"Log\" (\"at\" TIMESTAMP(3));\ncreate table private.b (x int unique);\ncreate table snap as select 1 as x;\ncreate unlogged table c (k text);\n";
        let got = assert_flags(R, P, text, 5);
        assert_eq!(got, vec!["a", "\"Log\"", "private.b", "snap", "c"]);
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Info));
        assert!(d[0].message.contains("`public.a` has no primary key"));
    }

    #[test]
    fn near_miss_primary_key_in_every_form() {
        assert_clean(R, P, "create table a (id int primary key);\ncreate table b (x int, y int, primary key (x, y));\ncreate table c (x int, constraint c_pk primary key (x));\ncreate table d (id int generated always as identity primary key);");
        assert_clean(R, P, "create table a (id int);\nalter table a add primary key (id);\ncreate table b (id int);\nALTER TABLE ONLY public.b ADD CONSTRAINT b_pkey PRIMARY KEY (id);");
        assert_clean(R, P, "create table a (id int not null);\ncreate unique index a_id on a (id);\nalter table a add constraint a_pkey primary key using index a_id;");
    }

    #[test]
    fn near_miss_temporary_partitions_children_and_unique_not_null() {
        assert_clean(
            R,
            P,
            "create temporary table t (x int);\ncreate temp table t2 as select 1;",
        );
        assert_clean(R, P, "create table m (id int, at date, primary key (id, at)) partition by range (at);\ncreate table m_2024 partition of m for values from ('2024-01-01') to ('2025-01-01');");
        assert_clean(R, P, "create table parent (id int primary key);\ncreate table child (extra text) inherits (parent);");
        // a unique key over NOT NULL columns identifies rows (Prisma's old join tables)
        assert_clean(R, P, "CREATE TABLE \"_PostToTag\" (\"A\" TEXT NOT NULL, \"B\" TEXT NOT NULL);\nCREATE UNIQUE INDEX \"_PostToTag_AB_unique\" ON \"_PostToTag\"(\"A\", \"B\");");
        assert_clean(R, P, "create table k (code text not null unique);");
        // near miss of the near miss: a unique key over a nullable column does not
        assert_flags(R, P, "create table k (code text unique);", 1);
        assert_flags(
            R,
            P,
            "create table k (code text not null);\ncreate unique index k_lower on k (lower(code));",
            1,
        );
    }

    #[test]
    fn later_migrations_settle_or_reopen() {
        let m1 = ("m/1.sql", "create table a (id int);");
        assert_eq!(in_workspace(&[m1], 0), vec!["a"]);
        assert!(
            in_workspace(&[m1, ("m/2.sql", "alter table a add primary key (id);")], 0).is_empty()
        );
        assert_eq!(
            in_workspace(
                &[
                    m1,
                    ("m/2.sql", "alter table a add primary key (id);"),
                    ("m/3.sql", "alter table a drop constraint a_pkey;")
                ],
                0
            ),
            vec!["a"]
        );
        // renamed, then given a key under its new name
        assert!(in_workspace(&[m1, ("m/2.sql", "alter table a rename to b;\nalter table b add constraint b_pk primary key (id);")], 0).is_empty());
        // dropped later
        assert!(in_workspace(&[m1, ("m/2.sql", "drop table a;")], 0).is_empty());
        // a key added in an earlier file does not count for a table created again later
        assert_eq!(
            in_workspace(
                &[
                    (
                        "m/0.sql",
                        "create table a (id int primary key);\ndrop table a;"
                    ),
                    m1
                ],
                1
            ),
            vec!["a"]
        );
    }

    #[test]
    fn inside_do_blocks_and_schemas() {
        assert_flags(
            R,
            P,
            "DO $$ BEGIN\n  CREATE TABLE IF NOT EXISTS t (x int);\nEND $$;",
            1,
        );
        assert_flags(R, P, "create schema app create table items (name text);", 1);
        assert_clean(R, P, "-- create table t (x int);\nselect 1;");
    }

    #[test]
    fn ranges_after_non_ascii_text_on_crlf() {
        let text = "-- journal 🚀 des opérations\r\ncreate table \"Opération\" (\r\n  libellé text -- é\r\n);\r\n";
        assert_eq!(assert_flags(R, P, text, 1), vec!["\"Opération\""]);
    }
}
