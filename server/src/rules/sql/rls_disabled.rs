use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::{self, Fate, TableChange};
use crate::sql::{lex, SqlFile};
use crate::text;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "rls-disabled",
        language: RuleLanguage::Sql,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary: "A table in an exposed schema without row level security (Supabase)",
        docs: DOCS,
        triggers: &["table", "policy"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, flags a `CREATE TABLE` in an exposed schema (`public`, or no
schema) when no `ALTER TABLE … ENABLE ROW LEVEL SECURITY` for that table exists
anywhere in the workspace's SQL files, and a `CREATE POLICY` on a table whose row
level security is never enabled. The whole set of SQL files is read in migration
order (by file name): an `ENABLE` in a later migration settles the finding, a
later `DISABLE ROW LEVEL SECURITY` brings it back, renames are followed, and a
table dropped (or moved to a non-exposed schema) later is not reported.
Temporary tables and tables in other schemas (`private`, `auth`, `storage`, or
after `SET search_path = private`) are not exposed. Statements inside `DO $$ … $$`
blocks count.

Only one finding is given per table: at its `CREATE TABLE`, or, when the table is
not created in an exposed schema of the workspace, at its first policy. Policies
on tables that are neither in an exposed schema nor created in the workspace
(e.g. `storage.objects`, whose RLS Supabase manages) are not reported.

## Why is this bad?
Supabase serves every table in `public` through its Data API to anyone holding
the project's anon key, which ships in the browser bundle. Without row level
security, anyone can read, change and delete every row. Policies on a table whose
RLS is off do nothing at all.

## Examples
```sql flagged lines=1
create table public.profiles (
  id uuid primary key references auth.users (id),
  email text not null
);
```

```sql ok
create table public.profiles (
  id uuid primary key references auth.users (id),
  email text not null
);
alter table public.profiles enable row level security;
```

```sql flagged lines=1
create policy "read own notes" on notes
  for select to authenticated using ((select auth.uid()) = owner_id);
```

```sql ok
create table private.jobs (id bigint primary key);
create temporary table scratch (id int);
create policy "own files" on storage.objects
  for select to authenticated using ((select auth.uid()) = owner);
```

## Fix
Safe: inserts `ALTER TABLE <name> ENABLE ROW LEVEL SECURITY;` on a new line after
the statement (not when a later `DISABLE ROW LEVEL SECURITY` would undo it) (the table name as written, the file's keyword case, indentation
and line endings). With RLS enabled and no policy, the Data API returns no rows
until policies are added: access becomes stricter, never wider.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    let own = sql.own_facts(cx.source);
    let timeline = cx.facts.sql.timeline(cx.file.path, own);
    for event in &own.tables {
        let table = event.table.as_str();
        let message = match &event.change {
            TableChange::Create { exposed: true, .. } => {
                if timeline.fate(table, event.offset) == Fate::Gone {
                    continue;
                }
                let state = match timeline.rls_state(table) {
                    Some(true) => continue,
                    Some(false) => "ends up disabled (`DISABLE ROW LEVEL SECURITY` comes last)",
                    None => "is never enabled",
                };
                format!(
                    "Row level security for `{table}` {state}: anyone with the project's anon key can read and change every row through the Data API. Enable RLS for the table (and add policies)."
                )
            }
            TableChange::Policy => {
                let state = match timeline.rls_state(table) {
                    Some(true) => continue,
                    Some(false) => "ends up disabled (`DISABLE ROW LEVEL SECURITY` comes last)",
                    None => "is never enabled",
                };
                match timeline.created(table) {
                    // reported at the CREATE TABLE
                    Some(true) => continue,
                    Some(false) => {}
                    None if facts::is_exposed_schema(facts::schema_of(table)) => {}
                    None => continue,
                }
                if !timeline.is_first_policy(table, event.offset) {
                    continue;
                }
                format!(
                    "This policy has no effect: row level security for `{table}` {state}. Enable RLS for the table."
                )
            }
            _ => continue,
        };
        // Enabling right after the statement settles the finding only when no
        // DISABLE comes later.
        let fixable = timeline.rls_state(table).is_none();
        report(cx, sql, event.offset, message, fixable);
    }
}

fn report(cx: &mut RuleContext<'_>, sql: &SqlFile, offset: usize, message: String, fixable: bool) {
    let src = cx.source;
    let Some(name) = lex::name_range(src, offset) else {
        return;
    };
    // The innermost statement holding the name (a statement inside a DO block
    // rather than the block).
    let stmt = sql
        .statements
        .iter()
        .filter(|s| s.range.start <= offset && offset < s.range.end)
        .min_by_key(|s| s.range.len())
        .filter(|s| fixable && !sql.in_execute_string(s));
    let fix = stmt.map(|stmt| {
        let eol = text::line_ending(src);
        let indent = text::line_indent(src, stmt.range.start);
        let lower = lex::lowercase_keywords(src, &stmt.range);
        let at = lex::insertion_after(src, stmt.range.end);
        let text = format!(
            "{}{eol}{indent}{} {} {};",
            if at.needs_semicolon { ";" } else { "" },
            lex::keyword_case("ALTER TABLE", lower),
            &src[name.clone()],
            lex::keyword_case("ENABLE ROW LEVEL SECURITY", lower),
        );
        Fix::safe(
            format!("Enable row level security for `{}`", &src[name.clone()]),
            vec![Edit::insert(at.at, text)],
        )
    });
    let d = cx.report(name, message);
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;
    use crate::sql::facts::SqlFileFacts;
    use crate::workspace::WorkspaceFacts;
    use std::path::PathBuf;

    const R: &str = "rls-disabled";
    const P: &str = "supabase/migrations/20240101000000_init.sql";

    fn workspace(files: &[(&str, &str)]) -> WorkspaceFacts {
        let mut w = WorkspaceFacts::default();
        for (p, t) in files {
            w.sql.insert(PathBuf::from(p), SqlFileFacts::extract(t));
        }
        w
    }

    fn in_workspace(files: &[(&str, &str)], lint: usize) -> Vec<String> {
        let w = workspace(files);
        let (path, text) = files[lint];
        findings_with(
            R,
            path,
            text,
            &crate::config::Config::default_for(std::path::Path::new("")),
            &w,
        )
        .iter()
        .map(|d| text[d.range.clone()].to_string())
        .collect()
    }

    #[test]
    fn flags_exposed_tables_without_rls() {
        let text = "create table public.profiles (id uuid primary key);\nCREATE TABLE IF NOT EXISTS \"Orders\" (id int);\ncreate unlogged table cache (k text);\ncreate table t2 as select 1 as x;\n";
        let got = assert_flags(R, P, text, 4);
        assert_eq!(got, vec!["public.profiles", "\"Orders\"", "cache", "t2"]);
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Error));
        assert!(d[0].message.contains("`public.profiles` is never enabled"));
    }

    #[test]
    fn near_miss_rls_enabled_in_same_file_or_do_block() {
        assert_clean(
            R,
            P,
            "create table a (id int);\nalter table public.a enable row level security;\n",
        );
        assert_clean(R, P, "create table a (id int);\nDO $$ BEGIN\n  ALTER TABLE a ENABLE ROW LEVEL SECURITY;\nEND $$;\n");
        assert_clean(
            R,
            P,
            "create table \"A\" (id int);\nalter table \"A\" enable row level security;\n",
        );
    }

    #[test]
    fn near_miss_not_exposed() {
        assert_clean(R, P, "create table private.jobs (id int);\ncreate table auth.x (id int);\ncreate table storage.y (id int);\n");
        assert_clean(
            R,
            P,
            "create temporary table tmp (id int);\ncreate temp table tmp2 (id int);\n",
        );
        assert_clean(
            R,
            P,
            "set search_path = private;\ncreate table jobs (id int);\n",
        );
        assert_clean(R, P, "create schema app\n  create table items (id int);\n");
        assert_clean(
            R,
            P,
            "create materialized view mv as select 1;\ncreate view v as select 1;\n",
        );
        // comments and strings are not code
        assert_clean(
            R,
            P,
            "-- create table a (id int);\nselect 'create table b (id int)';\n",
        );
    }

    #[test]
    fn near_miss_not_supabase() {
        assert_clean(
            R,
            "prisma/migrations/20240101000000_init/migration.sql",
            "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL);\n",
        );
        assert_clean(R, "db/schema.sql", "create table users (id int);\n");
        // MySQL files are not Postgres
        assert_clean(R, P, "create table `users` (id int) ENGINE=InnoDB;\n");
    }

    #[test]
    fn supabase_by_markers_elsewhere_in_the_workspace() {
        let files = [
            (
                "db/1.sql",
                "create table notes (id int, owner uuid references auth.users);",
            ),
            ("db/2.sql", "create table tags (id int);"),
        ];
        assert_eq!(in_workspace(&files, 1), vec!["tags"]);
    }

    #[test]
    fn later_migrations_settle_or_reopen() {
        let files = [
            (P, "create table a (id int);\ncreate table b (id int);\ncreate table c (id int);\ncreate table d (id int);"),
            ("supabase/migrations/20240102000000_rls.sql", "alter table a enable row level security;\nalter table b enable row level security;\nalter table c rename to c2;\nalter table c2 enable row level security;\ndrop table d;"),
            ("supabase/migrations/20240103000000_off.sql", "alter table b disable row level security;"),
        ];
        assert_eq!(in_workspace(&files, 0), vec!["b"]);
        let w = workspace(&files);
        let d = findings_with(
            R,
            P,
            files[0].1,
            &crate::config::Config::default_for(std::path::Path::new("")),
            &w,
        );
        assert!(
            d[0].message.contains("ends up disabled"),
            "{}",
            d[0].message
        );
        assert!(
            d[0].fix().is_none(),
            "enabling after the CREATE would not help"
        );
        // an earlier file (e.g. `rls.sql` sorted before `schema.sql`) counts too
        let files = [
            (
                "supabase/rls.sql",
                "alter table a enable row level security;",
            ),
            ("supabase/schema.sql", "create table a (id int);"),
        ];
        assert!(in_workspace(&files, 1).is_empty());
        // moved out of the exposed schema later
        let files = [(
            P,
            "create table a (id int);\nalter table a set schema private;",
        )];
        assert!(in_workspace(&files, 0).is_empty());
        // dropped and created again: the second table is reported
        let files = [(
            P,
            "create table a (id int);\ndrop table a;\ncreate table a (id int);",
        )];
        let w = workspace(&files);
        let d = findings_with(
            R,
            P,
            files[0].1,
            &crate::config::Config::default_for(std::path::Path::new("")),
            &w,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].range.start, files[0].1.rfind("a (").unwrap());
    }

    #[test]
    fn policies_on_tables_without_rls() {
        // table created elsewhere (dashboard), policy in a migration: first policy only
        let got = assert_flags(R, P, "create policy p1 on public.notes for select using (true);\ncreate policy p2 on notes for insert with check (true);\n", 1);
        assert_eq!(got, vec!["public.notes"]);
        // created in a private schema with policies but no RLS
        let got = assert_flags(
            R,
            P,
            "create table private.docs (id int);\ncreate policy p on private.docs using (true);\n",
            1,
        );
        assert_eq!(got, vec!["private.docs"]);
        // the table's CREATE is reported, not also its policy
        let got = assert_flags(
            R,
            P,
            "create table notes (id int);\ncreate policy p on notes using (true);\n",
            1,
        );
        assert_eq!(got, vec!["notes"]);
        assert_eq!(
            findings(
                R,
                P,
                "create table notes (id int);\ncreate policy p on notes using (true);\n"
            )[0]
            .range
            .start,
            13
        );
        // Supabase-managed tables
        assert_clean(R, P, "create policy p on storage.objects for select to authenticated using (bucket_id = 'avatars');\n");
        assert_clean(R, P, "create policy p on notes using (true);\nalter table notes enable row level security;\n");
    }

    #[test]
    fn fix_inserts_alter_table_after_the_statement() {
        check_fix(
            R,
            P,
            "create table public.profiles (\n  id uuid primary key\n); -- users\ncreate table b (id int);",
            false,
            "create table public.profiles (\n  id uuid primary key\n); -- users\nalter table public.profiles enable row level security;\ncreate table b (id int);\nalter table b enable row level security;",
        );
        check_fix(
            R,
            P,
            "CREATE TABLE \"Orders\" (id int); CREATE TABLE private.x (id int);\n",
            false,
            "CREATE TABLE \"Orders\" (id int);\nALTER TABLE \"Orders\" ENABLE ROW LEVEL SECURITY; CREATE TABLE private.x (id int);\n",
        );
        check_fix(
            R,
            P,
            "create policy p on notes using (true);\n",
            false,
            "create policy p on notes using (true);\nalter table notes enable row level security;\n",
        );
    }

    #[test]
    fn fix_inside_do_block_keeps_indentation() {
        check_fix(
            R,
            P,
            "DO $$\nBEGIN\n    CREATE TABLE a (id int);\nEND\n$$;\n",
            false,
            "DO $$\nBEGIN\n    CREATE TABLE a (id int);\n    ALTER TABLE a ENABLE ROW LEVEL SECURITY;\nEND\n$$;\n",
        );
    }

    #[test]
    fn no_fix_inside_execute_strings() {
        let text = "DO $$ BEGIN EXECUTE 'CREATE TABLE public.t (id int)'; END $$;\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "public.t");
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn fix_on_crlf_file_with_non_ascii_text() {
        let before = "-- café 😀 table des commandes\r\ncreate table \"commandes_é\" (id int, note text default 'café 😀');\r\n";
        let d = findings(R, P, before);
        assert_eq!(d.len(), 1);
        assert_eq!(&before[d[0].range.clone()], "\"commandes_é\"");
        check_fix(
            R,
            P,
            before,
            false,
            "-- café 😀 table des commandes\r\ncreate table \"commandes_é\" (id int, note text default 'café 😀');\r\nalter table \"commandes_é\" enable row level security;\r\n",
        );
    }
}
