use super::migration_common::MigrationFile;
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::{self, Fate, TableChange};
use crate::sql::{lex, SqlFile};

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "rls-no-policy",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "RLS enabled and no policy for the table anywhere: the Data API denies every row (Supabase)",
        docs: DOCS,
        triggers: &["security"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, reports (as info) a table in an exposed schema (`public`,
or no schema) whose row level security is enabled while no `CREATE POLICY` for
it exists anywhere in the workspace's SQL files. The finding sits on the last
`ENABLE ROW LEVEL SECURITY` of the table in migration order; renames are
followed, and tables dropped or moved out of the exposed schema later, or whose
RLS ends up disabled, are not reported. Statements inside `DO $$ … $$` blocks
count. Supabase's Security Advisor reports the same as `rls_enabled_no_policy`
(also at level info).

## Why is this bad?
It is not a leak — it is the opposite: with RLS on and no policy, PostgreSQL
denies every row to `anon` and `authenticated`, so the Data API returns nothing
and rejects every write. Only `service_role` (which bypasses RLS) and the
table's owner reach it. That is the right setup for a table only the server
touches — queues, webhooks logs, billing records written by a backend with the
service key — and a bug for a table the app reads from the browser: the
queries silently return empty lists. For a server-only table, a comment next to the `ENABLE` (the line before, the same line or the line
after) that says so — "no policies", "private", "service role", "server only",
"deny" — marks the table as meant to be deny-all and it is not reported; or
suppress the finding with `prodlint-ignore rls-no-policy`.

## Examples
```sql flagged lines=2
create table public.webhook_events (id bigint primary key, payload jsonb);
alter table public.webhook_events enable row level security;
```

```sql ok
create table public.notes (id bigint primary key, owner uuid, body text);
alter table public.notes enable row level security;
create policy "own notes" on public.notes for all to authenticated
  using ((select auth.uid()) = owner);
```

## Fix
None: add policies for the roles that should read or write the table, or keep it
deny-all for server-only use.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    let own = sql.own_facts(cx.source);
    if !own
        .tables
        .iter()
        .any(|e| e.change == TableChange::EnableRls)
    {
        return;
    }
    let timeline = cx.facts.sql.timeline(cx.file.path, own);
    // indexed on the first finding only
    let mut file: Option<MigrationFile<'_>> = None;
    let path = cx.project_path();
    for event in &own.tables {
        let table = event.table.as_str();
        if event.change != TableChange::EnableRls
            || !facts::is_exposed_schema(facts::schema_of(table))
            || timeline.created(table) == Some(false)
            || !timeline.rls_enabled(table)
            || !timeline.is_last_rls_enable(table, event.offset)
            || timeline.has_policy(table)
            || timeline.fate(table, event.offset) == Fate::Gone
        {
            continue;
        }
        let file = file.get_or_insert_with(|| MigrationFile::new(&path, sql, own));
        if says_intended(file, sql, cx.source, event.offset) {
            continue;
        }
        let Some(name) = lex::name_range(cx.source, event.offset) else {
            continue;
        };
        let message = format!(
            "`{}` has row level security enabled and no policy anywhere in the workspace: it is deny-all, so the Data API returns no rows to `anon` and `authenticated` and rejects their writes. Fine for a table only the server reaches with the service role; otherwise add policies.",
            &cx.source[name.clone()]
        );
        cx.report(name, message);
    }
}

/// A comment on the line before the statement, on its line or on the line
/// after says the table is meant to be deny-all: "no policies", "private",
/// "service role", "server only", "deny".
fn says_intended(file: &MigrationFile<'_>, sql: &SqlFile, src: &str, offset: usize) -> bool {
    const WORDS: &[&str] = &[
        "no polic",
        "without polic",
        "private",
        "service_role",
        "service role",
        "server only",
        "server-only",
        "deny",
    ];
    let Some(stmt) = file.statement_at(offset) else {
        return false;
    };
    let comments = sql.comments_around(src, stmt.range.clone(), 1, 1);
    WORDS.iter().any(|w| comments.contains(w))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "rls-no-policy";
    const P: &str = "supabase/migrations/20240101000000_init.sql";

    #[test]
    fn flags_rls_without_any_policy() {
        let text = "create table public.jobs (id int);\nalter table public.jobs enable row level security;\ncreate table \"Logs\" (id int);\nALTER TABLE \"Logs\" ENABLE ROW LEVEL SECURITY;\n";
        let got = assert_flags(R, P, text, 2);
        assert_eq!(got, vec!["public.jobs", "\"Logs\""]);
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Info));
        assert!(d[0].message.contains("deny-all"), "{}", d[0].message);
    }

    #[test]
    fn near_miss_a_policy_somewhere() {
        assert_clean(R, P, "create table t (id int);\nalter table t enable row level security;\ncreate policy p on t for select using (true);\n");
        // policy in another migration, on the renamed table
        let files = [
            (P, "create table t (id int);\nalter table t enable row level security;"),
            ("supabase/migrations/20240102000000_policies.sql", "alter table t rename to u;\ncreate policy p on public.u to authenticated using ((select auth.uid()) is not null);"),
        ];
        let d = findings_in_workspace(R, &files, 0);
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn near_miss_rls_off_dropped_or_not_exposed() {
        assert_clean(R, P, "create table t (id int);\nalter table t enable row level security;\nalter table t disable row level security;\n");
        assert_clean(
            R,
            P,
            "create table t (id int);\nalter table t enable row level security;\ndrop table t;\n",
        );
        assert_clean(
            R,
            P,
            "create table private.t (id int);\nalter table private.t enable row level security;\n",
        );
        assert_clean(R, P, "create table t (id int);\nalter table t enable row level security;\nalter table t set schema private;\n");
        assert_clean(
            R,
            "db/migrations/001.sql",
            "create table t (id int);\nalter table t enable row level security;\n",
        );
    }

    #[test]
    fn near_miss_documented_as_intended() {
        assert_clean(R, P, "create table customers (id uuid);\nalter table customers enable row level security;\n-- No policies as this is a private table.\n");
        assert_clean(R, P, "create table jobs (id int);\n-- only the service role reads this table\nalter table jobs enable row level security;\n");
        assert_clean(R, P, "create table jobs (id int);\nalter table jobs enable row level security; /* server-only */\n");
        // an unrelated comment, or one further away, does not count
        assert_flags(R, P, "-- private\n\ncreate table jobs (id int);\n\nalter table jobs enable row level security; -- queue\n", 1);
    }

    #[test]
    fn reported_once_at_the_last_enable() {
        let text = "create table t (id int);\nalter table t enable row level security;\nalter table public.t enable row level security;\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "public.t");
    }

    #[test]
    fn inside_do_blocks_on_crlf_with_non_ascii_text() {
        let text = "-- café 😀\r\ncreate table \"tâches_😀\" (id int);\r\nDO $$\r\nBEGIN\r\n  ALTER TABLE \"tâches_😀\" ENABLE ROW LEVEL SECURITY;\r\nEND $$;\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "\"tâches_😀\"");
    }
}
