use super::migration_common::MigrationFile;
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::{self, ViewChange};
use crate::sql::{lex, SqlFile, SqlStatement};

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "view-security-invoker",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary:
            "A view in an exposed schema without security_invoker, which bypasses RLS (Supabase)",
        docs: DOCS,
        triggers: &["view"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, flags `CREATE [OR REPLACE] VIEW` in an exposed schema
(`public`, or no schema) without the option `security_invoker` (`WITH
(security_invoker = on)`, `= true` or just `security_invoker`). A later
`ALTER VIEW … SET (security_invoker = on)`, `DROP VIEW` or `CREATE OR REPLACE
VIEW` of the same view in the workspace's SQL files (in migration order) settles
the finding (a re-created view is judged on its own). `security_barrier` is not
the same thing and does not count. Views in other schemas, temporary views and
materialized views (which have no such option) are not flagged, nor is a view
that says `security_invoker = false`/`off` explicitly: that is a deliberate
choice. Statements inside `DO $$ … $$` blocks count. Supabase's Security Advisor
reports the same as `security_definer_view`.

## Why is this bad?
A view runs its query with the rights of its owner (the `postgres` role in
Supabase), so row level security of the tables it reads does not apply.
Anyone who can select from the view through the Data API — with the anon key
from the browser — reads every row of those tables. With `security_invoker`
(PostgreSQL 15+), the caller's rights and RLS policies apply.

## Examples
```sql flagged lines=1
create view public.order_totals as
  select user_id, sum(total_cents) as spent from public.orders group by user_id;
```

```sql ok
create view public.order_totals with (security_invoker = on) as
  select user_id, sum(total_cents) as spent from public.orders group by user_id;
create view private.report as select count(*) from public.orders;
```

## Fix
Safe: adds `WITH (security_invoker = on)` after the view's name and column
list, or `security_invoker = on` to an existing `WITH (…)` list (the file's
keyword case). Callers then need RLS access to the underlying tables: a view
meant to publish rows that RLS hides must get a policy (or a `security
definer` function) instead.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    let own = sql.own_facts(cx.source);
    if !own
        .views
        .iter()
        .any(|e| e.change == (ViewChange::Create { invoker: None }))
    {
        return;
    }
    let timeline = cx.facts.sql.timeline(cx.file.path, own);
    // indexed on the first finding only
    let mut file: Option<MigrationFile<'_>> = None;
    let path = cx.project_path();
    for event in &own.views {
        if event.change != (ViewChange::Create { invoker: None })
            || !facts::is_exposed_schema(facts::schema_of(&event.view))
            || timeline
                .next_view_change(&event.view, event.offset)
                .is_some()
        {
            continue;
        }
        let file = file.get_or_insert_with(|| MigrationFile::new(&path, sql, own));
        let Some(stmt) = file.statement_at(event.offset) else {
            continue;
        };
        let src = cx.source;
        let Some(name) = lex::name_range(src, event.offset) else {
            continue;
        };
        let message = format!(
            "View `{}` runs with its owner's rights, so row level security of the tables it reads does not apply to whoever queries it through the Data API: create it `WITH (security_invoker = on)`.",
            &src[name.clone()]
        );
        let fix = (!sql.in_execute_string(stmt))
            .then(|| fix(src, stmt, name.end))
            .flatten();
        let d = cx.report(name, message);
        if let Some(fix) = fix {
            d.with_fix(fix);
        }
    }
}

fn fix(src: &str, stmt: &SqlStatement, name_end: usize) -> Option<Fix> {
    let toks = lex::tokens(src, name_end..stmt.range.end);
    let mut i = 0;
    // the column list
    if toks.first()?.is_punct(src, "(") {
        i = lex::closing_paren(src, &toks, 0)? + 1;
    }
    let lower = lex::lowercase_keywords(src, &stmt.range);
    let tok = toks.get(i)?;
    let edit = if tok.is_word(src, "with") && toks.get(i + 1)?.is_punct(src, "(") {
        let close = toks.get(lex::closing_paren(src, &toks, i + 1)?)?;
        Edit::insert(close.range.start, ", security_invoker = on".to_string())
    } else if tok.is_word(src, "as") {
        Edit::insert(
            tok.range.start,
            format!(
                "{} (security_invoker = on) ",
                lex::keyword_case("WITH", lower)
            ),
        )
    } else {
        return None;
    };
    Some(Fix::safe("Add `security_invoker = on`", vec![edit]))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "view-security-invoker";
    const P: &str = "supabase/migrations/20240101000000_views.sql";

    #[test]
    fn flags_views_without_security_invoker() {
        let text = "create view public.totals as select 1;\n\
CREATE OR REPLACE VIEW \"Leaderboard\" (name, score) AS SELECT 'a', 1;\n\
create view barrier with (security_barrier) as select 1;\n\
create recursive view nums (n) as values (1);\n";
        let got = assert_flags(R, P, text, 4);
        assert_eq!(
            got,
            vec!["public.totals", "\"Leaderboard\"", "barrier", "nums"]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Warn));
        assert!(d[0].message.contains("`public.totals`"));
    }

    #[test]
    fn near_miss_invoker_given_or_declined() {
        assert_clean(R, P, "create view a with (security_invoker = on) as select 1;\ncreate view b with (security_invoker = true, security_barrier) as select 1;\ncreate view c with (security_invoker) as select 1;\ncreate view d with (SECURITY_INVOKER = 'yes') as select 1;\n");
        // explicitly off: a deliberate choice
        assert_clean(
            R,
            P,
            "create view e with (security_invoker = false) as select 1;\n",
        );
    }

    #[test]
    fn near_miss_not_exposed() {
        assert_clean(R, P, "create view private.v as select 1;\ncreate temp view t as select 1;\ncreate materialized view m as select 1;\nset search_path = internal;\ncreate view hidden as select 1;\n");
        assert_clean(R, "db/views.sql", "create view public.v as select 1;\n");
        assert_clean(
            R,
            P,
            "-- create view v as select 1;\nselect 'create view v as select 1';\n",
        );
    }

    #[test]
    fn later_statements_settle_it() {
        assert_clean(
            R,
            P,
            "create view v as select 1;\nalter view v set (security_invoker = on);\n",
        );
        assert_clean(R, P, "create view v as select 1;\ndrop view v;\n");
        // re-created: the new one is judged
        let text = "create view v as select 1;\ncreate or replace view v with (security_invoker = on) as select 1;\n";
        assert_clean(R, P, text);
        let got = assert_flags(R, P, "create view v with (security_invoker = on) as select 1;\ncreate or replace view v as select 2;\n", 1);
        assert_eq!(got, vec!["v"]);
        // in another migration
        let files = [
            (P, "create view v as select 1;\ncreate view w as select 1;"),
            (
                "supabase/migrations/20240102000000_fix.sql",
                "alter view public.v set (security_invoker = true);",
            ),
        ];
        let d = findings_in_workspace(R, &files, 0);
        assert_eq!(d.len(), 1);
        assert_eq!(&files[0].1[d[0].range.clone()], "w");
    }

    #[test]
    fn fix_adds_the_option() {
        check_fix(
            R,
            P,
            "create view public.totals as select 1;\nCREATE VIEW \"Top\" (name, score) AS SELECT 'a', 1;\ncreate view b with (security_barrier) as select 1;\n",
            false,
            "create view public.totals with (security_invoker = on) as select 1;\nCREATE VIEW \"Top\" (name, score) WITH (security_invoker = on) AS SELECT 'a', 1;\ncreate view b with (security_barrier, security_invoker = on) as select 1;\n",
        );
    }

    #[test]
    fn fix_in_do_block_on_crlf_with_non_ascii_text() {
        let text = "-- café 😀\r\nDO $$\r\nBEGIN\r\n  CREATE VIEW \"résumé_😀\"\r\n  AS SELECT 'é' AS x;\r\nEND $$;\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "\"résumé_😀\"");
        check_fix(
            R,
            P,
            text,
            false,
            "-- café 😀\r\nDO $$\r\nBEGIN\r\n  CREATE VIEW \"résumé_😀\"\r\n  WITH (security_invoker = on) AS SELECT 'é' AS x;\r\nEND $$;\r\n",
        );
        let text = "DO $$ BEGIN EXECUTE 'CREATE VIEW v AS SELECT 1'; END $$;\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
    }
}
