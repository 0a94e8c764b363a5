use super::migration_common::{ident, relation_range, tokens_from, MigrationFile};
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::TableChange;
use crate::sql::schema::SchemaChange;
use crate::sql::{lex, SqlFile, SqlStatement};
use crate::text;
use pg_query::protobuf::node::Node as NodeEnum;
use std::ops::Range;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "fk-without-index",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary: "A foreign key whose columns lead no index in the workspace's SQL",
        docs: DOCS,
        triggers: &["references"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags a foreign key (a column's `REFERENCES`, a table's `FOREIGN KEY (…)
REFERENCES`, `ALTER TABLE … ADD [CONSTRAINT …] FOREIGN KEY`) when no primary
key, unique constraint or index of the table starts with one of its columns.
(For a composite key, an index that starts with one of its columns narrows the
lookup enough that PostgreSQL uses it; only a key with no usable index at all is
reported.) The whole set of SQL files is read in migration order
(by file name): an index created in a later migration settles the finding, a
later `DROP INDEX` / `DROP CONSTRAINT` / `DROP COLUMN` brings it back, renames of
tables, columns, constraints and indexes are followed, and a foreign key that is
dropped later (Prisma drops and re-adds them) is judged only where it is added
last. Partial and expression indexes count when their leading entries are the
columns.

## Why is this bad?
PostgreSQL indexes the referenced side of a foreign key (it must be unique), not
the referencing side. Without an index on the referencing columns, every
`DELETE` or key `UPDATE` of a parent row scans the whole child table (under a
lock), and the joins an application makes along the relation
(`where owner_id = $1`) scan too. Prisma, for one, creates no index for a
relation's scalar fields on PostgreSQL unless the schema says `@@index`.

## Examples
```sql flagged lines=3
create table public.projects (
  id uuid primary key,
  owner_id uuid not null references auth.users (id)
);
```

```sql ok
create table public.projects (
  id uuid primary key,
  owner_id uuid not null references auth.users (id)
);
create index on public.projects (owner_id);
```

```sql ok
create table public.memberships (
  team_id uuid references public.teams,
  user_id uuid references auth.users,
  primary key (team_id, user_id),
  unique (user_id, team_id)
);
```

## Fix
Safe: adds `CREATE INDEX ON <table> (<columns>);` on a new line after the
statement (the table as written, the file's keyword case, indentation and line
endings), which PostgreSQL names itself. When the table exists before this file
and the statement does not run in a transaction (no `BEGIN`, not a Prisma or
drizzle migration, not a `DO` block), the index is created `CONCURRENTLY`, as
`index-not-concurrent` asks; otherwise plainly (an index on a table created in
the same file locks nothing worth avoiding, and `CONCURRENTLY` fails inside a
transaction). Not offered inside `EXECUTE '…'` strings.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    let own = sql.own_facts(cx.source);
    let timeline = cx.facts.sql.timeline(cx.file.path, own);
    let schema = timeline.schema();
    let file = MigrationFile::new(&cx.project_path(), sql, own);
    for (ei, e) in own.tables.iter().enumerate() {
        let TableChange::Schema(SchemaChange::ForeignKey(_)) = &e.change else {
            continue;
        };
        let Some((table, state, fk)) = schema.foreign_key((timeline.own_file(), ei)) else {
            continue;
        };
        if state.has_key_starting_with_any(&fk.columns) {
            continue;
        }
        let Some(stmt) = file.statement_at(e.offset) else {
            continue;
        };
        let Some(range) = fk_range(cx.source, stmt, e.offset) else {
            continue;
        };
        let cols = fk.columns.join(", ");
        let message = format!(
            "Foreign key `{table}` ({cols}) → `{}` has no index on its column{}: deleting or updating a referenced row scans `{table}`, and so do joins along the relation. Add an index on ({cols}).",
            fk.references,
            if fk.columns.len() == 1 { "" } else { "s" },
        );
        let fix = (!sql.in_execute_string(stmt))
            .then(|| {
                let concurrently =
                    !file.created_before(&e.table, e.offset) && file.transaction_of(stmt).is_none();
                index_fix(cx.source, stmt, &fk.columns, concurrently)
            })
            .flatten();
        let d = cx.report(range, message);
        if let Some(fix) = fix {
            d.with_fix(fix);
        }
    }
}

/// The column's name for a column constraint; else from the constraint's start
/// through the referenced table's name.
fn fk_range(src: &str, stmt: &SqlStatement, offset: usize) -> Option<Range<usize>> {
    // Through the referenced table's name and a token more (the last token
    // of the window may be cut).
    let tokens = tokens_from(src, offset, stmt.range.end, 512, |t| {
        t.iter()
            .position(|x| x.is_word(src, "references"))
            .is_some_and(|i| i + 5 < t.len())
    });
    let first = tokens.first()?;
    if !(first.is_word(src, "constraint") || first.is_word(src, "foreign")) {
        return lex::name_range(src, offset);
    }
    let refs = tokens.iter().position(|t| t.is_word(src, "references"))?;
    let table = tokens.get(refs + 1)?;
    let end = lex::name_range(src, table.range.start).map_or(table.range.end, |r| r.end);
    Some(offset..end)
}

fn index_fix(
    src: &str,
    stmt: &SqlStatement,
    columns: &[String],
    concurrently: bool,
) -> Option<Fix> {
    let table = relation_range(src, stmt)?;
    let table = src.get(table)?;
    // The statement that names the table (a CREATE TABLE inside CREATE SCHEMA
    // has none of its own).
    if !matches!(
        stmt.kind(),
        Some(NodeEnum::CreateStmt(_) | NodeEnum::AlterTableStmt(_))
    ) {
        return None;
    }
    let eol = text::line_ending(src);
    let indent = text::line_indent(src, stmt.range.start);
    let lower = lex::lowercase_keywords(src, &stmt.range);
    let at = lex::insertion_after(src, stmt.range.end);
    let cols: Vec<String> = columns.iter().map(|c| ident(c)).collect();
    let keywords = if concurrently {
        "CREATE INDEX CONCURRENTLY ON"
    } else {
        "CREATE INDEX ON"
    };
    let text = format!(
        "{}{eol}{indent}{} {table} ({});",
        if at.needs_semicolon { ";" } else { "" },
        lex::keyword_case(keywords, lower),
        cols.join(", "),
    );
    Some(Fix::safe(
        format!("Create an index on {table} ({})", cols.join(", ")),
        vec![Edit::insert(at.at, text)],
    ))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "fk-without-index";
    const P: &str = "supabase/migrations/20240101000000_init.sql";
    const PRISMA: &str = "prisma/migrations/20240101000000_init/migration.sql";

    fn in_workspace(files: &[(&str, &str)], lint: usize) -> Vec<String> {
        snippets_in_workspace(R, files, lint)
    }

    #[test]
    fn flags_column_table_and_alter_foreign_keys() {
        let text = "create table u (id int primary key);\ncreate table p (\n  id int primary key,\n  owner int references u,\n  team int,\n  constraint p_team_fk foreign key (team) references public.u (id)\n);\nALTER TABLE \"p\" ADD CONSTRAINT \"p_x_fkey\" FOREIGN KEY (\"x\") REFERENCES \"u\"(\"id\") ON DELETE CASCADE;\nalter table p add column editor int references u (id);\n";
        let got = assert_flags(R, P, text, 4);
        assert_eq!(
            got,
            vec![
                "owner",
                "constraint p_team_fk foreign key (team) references public.u",
                "CONSTRAINT \"p_x_fkey\" FOREIGN KEY (\"x\") REFERENCES \"u\"",
                "editor",
            ]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Info));
        assert!(
            d[0].message.contains("`public.p` (owner) → `public.u`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn near_miss_indexed_by_primary_key_unique_or_index() {
        // the primary key, a unique constraint or an index leads with the columns (any order)
        assert_clean(R, P, "create table m (team int references t, usr int references u, primary key (team, usr), unique (usr, team));");
        assert_clean(R, P, "create table m (a int references t, b int references u);\ncreate index on m (b, a);\ncreate unique index m_a on m (a) where a is not null;");
        assert_clean(R, P, "create table m (a int, b int, foreign key (a, b) references t (x, y));\ncreate index m_ab on m (b, a, id);");
        // a composite key: an index that starts with one of its columns serves it
        assert_clean(R, P, "create table m (a int, b int, foreign key (a, b) references t (x, y));\ncreate index m_b on m using hash (b);");
        // quoted names as Prisma writes them
        assert_clean(R, PRISMA, "CREATE TABLE \"Post\" (\"id\" TEXT NOT NULL, \"authorId\" TEXT NOT NULL, CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\"));\nCREATE INDEX \"Post_authorId_idx\" ON \"Post\"(\"authorId\");\nALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;");
    }

    #[test]
    fn near_miss_second_column_of_an_index_is_not_leading() {
        let got = assert_flags(
            R,
            P,
            "create table m (a int, b int references u);\ncreate index m_ab on m (a, b);",
            1,
        );
        assert_eq!(got, vec!["b"]);
        // an expression first: no leading columns
        assert_flags(
            R,
            P,
            "create table m (b int references u);\ncreate index m_e on m (lower(b::text), b);",
            1,
        );
    }

    #[test]
    fn later_migrations_settle_or_reopen() {
        let m1 = ("m/1_init.sql", "create table u (id int primary key);\ncreate table p (id int, owner int references u);");
        // an index in a later migration settles it
        assert!(in_workspace(
            &[m1, ("m/2_idx.sql", "create index p_owner on p (owner);")],
            0
        )
        .is_empty());
        // a later drop brings it back
        assert_eq!(
            in_workspace(
                &[
                    m1,
                    ("m/2_idx.sql", "create index p_owner on p (owner);"),
                    ("m/3_drop.sql", "drop index p_owner;")
                ],
                0
            ),
            vec!["owner"]
        );
        // the foreign key dropped and re-added later (Prisma): judged where it is added last
        let files = [
            m1,
            ("m/2_fk.sql", "alter table p drop constraint p_owner_fkey;\nalter table p add constraint p_owner_fkey foreign key (owner) references u (id) on delete cascade;"),
        ];
        assert!(in_workspace(&files, 0).is_empty());
        assert_eq!(in_workspace(&files, 1).len(), 1);
        // renames are followed: the index on the renamed table and column counts
        assert!(in_workspace(&[m1, ("m/2_ren.sql", "alter table p rename to posts;\nalter table posts rename column owner to author;\ncreate index on posts (author);")], 0).is_empty());
        // a dropped column or table takes the foreign key along
        assert!(in_workspace(
            &[m1, ("m/2_drop.sql", "alter table p drop column owner;")],
            0
        )
        .is_empty());
        assert!(in_workspace(&[m1, ("m/2_drop.sql", "drop table p;")], 0).is_empty());
        // an index in an earlier file counts too (a new foreign key on an indexed column)
        assert!(in_workspace(
            &[
                (
                    "m/0.sql",
                    "create table p (id int, owner int);\ncreate index on p (owner);"
                ),
                (
                    "m/1.sql",
                    "alter table p add foreign key (owner) references u;"
                )
            ],
            1
        )
        .is_empty());
    }

    #[test]
    fn inside_do_blocks_and_comments() {
        assert_flags(R, P, "DO $$ BEGIN\n  ALTER TABLE p ADD CONSTRAINT p_o FOREIGN KEY (o) REFERENCES u (id);\nEXCEPTION WHEN duplicate_object THEN NULL;\nEND $$;", 1);
        assert_clean(
            R,
            P,
            "-- create table p (owner int references u);\ncreate table p (id int);",
        );
    }

    #[test]
    fn fix_adds_an_index_after_the_statement() {
        check_fix(
            R,
            P,
            "create table p (\n  id int primary key,\n  owner int references u\n); -- owners\nselect 1;\n",
            false,
            "create table p (\n  id int primary key,\n  owner int references u\n); -- owners\ncreate index on p (owner);\nselect 1;\n",
        );
        // an existing table outside a transaction: concurrently; quoted names kept
        check_fix(
            R,
            P,
            "  ALTER TABLE public.\"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\", org_id) REFERENCES \"User\"(\"id\", org_id);",
            false,
            "  ALTER TABLE public.\"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\", org_id) REFERENCES \"User\"(\"id\", org_id);\n  CREATE INDEX CONCURRENTLY ON public.\"Post\" (\"authorId\", org_id);",
        );
        // in a Prisma migration (a transaction): plain
        check_fix(
            R,
            PRISMA,
            "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_user_fkey\" FOREIGN KEY (\"user\") REFERENCES \"User\"(\"id\");\r\nSELECT 1;\r\n",
            false,
            "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_user_fkey\" FOREIGN KEY (\"user\") REFERENCES \"User\"(\"id\");\r\nCREATE INDEX ON \"Post\" (\"user\");\r\nSELECT 1;\r\n",
        );
        let fixed = crate::engine::fix(
            std::path::Path::new(P),
            "create table p (a int references u, b int references v)",
            &facts_for(P, "create table p (a int references u, b int references v)"),
            &config_only(R),
            false,
        );
        assert!(pg_query::parse(&fixed.text, 0).is_ok(), "{}", fixed.text);
        assert_eq!(fixed.text, "create table p (a int references u, b int references v);\ncreate index on p (b);\ncreate index on p (a);");
    }

    #[test]
    fn ranges_after_non_ascii_text_on_crlf() {
        let text = "-- café 🚀 équipe\r\ncreate table \"Équipe\" (\r\n  id int primary key,\r\n  \"propriétaire\" int references u -- 👤\r\n);\r\n";
        let got = assert_flags(R, P, text, 1);
        assert_eq!(got, vec!["\"propriétaire\""]);
        check_fix(
            R,
            P,
            text,
            false,
            "-- café 🚀 équipe\r\ncreate table \"Équipe\" (\r\n  id int primary key,\r\n  \"propriétaire\" int references u -- 👤\r\n);\r\ncreate index on \"Équipe\" (\"propriétaire\");\r\n",
        );
    }
}
