use super::migration_common::tokens_from;
use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::layout::{self, MigrationTool};
use crate::sql::schema::type_text;
use crate::sql::{lex, SqlFile, SqlStatement};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{AlterTableType, ColumnDef};
use std::ops::Range;
use std::path::Path;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "timestamp-without-tz",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::Unsafe,
        not_in_tests: false,
        summary: "A `timestamp` (without time zone) column",
        docs: DOCS,
        triggers: &["timestamp"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags columns declared `timestamp` / `timestamp without time zone` (with or
without a precision, also arrays) in `CREATE TABLE`, `ALTER TABLE … ADD COLUMN`
and `ALTER COLUMN … [SET DATA] TYPE`. `timestamptz` / `timestamp with time zone`,
`date` and `time` are not flagged, nor casts and function signatures.

Level: `warn`; `info` for `TIMESTAMP(3)` in a Prisma migration
(`prisma/migrations/*/migration.sql`), which Prisma generates for every
`DateTime` field not marked `@db.Timestamptz`: the change belongs in
`schema.prisma`, and one warning per model would drown the rest.

## Why is this bad?
A `timestamp` stores a wall-clock reading with no time zone. Drivers convert
JavaScript `Date`s with the server's or the session's zone, so the same instant
is stored differently by a server in UTC and a laptop in Paris, and times shift
by hours when a server's zone or daylight saving time changes. `timestamptz`
stores an instant (in UTC) and converts on output; it costs the same 8 bytes.

## Examples
```sql flagged lines=3
create table public.events (
  id bigint primary key,
  starts_at timestamp not null
);
```

```sql ok
create table public.events (
  id bigint primary key,
  starts_at timestamptz not null,
  ends_at timestamp with time zone,
  day date
);
```

## Fix
Unsafe: replaces the type with `timestamptz` (keeping the precision and the
keyword case: `TIMESTAMP(3)` → `TIMESTAMPTZ(3)`). Changing an existing column's
type rewrites the table and reinterprets the stored values in the session's
time zone; in a Prisma project, change the field to `@db.Timestamptz(3)` in
`schema.prisma` too, or Prisma sees a drift.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    let src = cx.source;
    let prisma = layout::layout(Path::new(&cx.project_path())).tool == Some(MigrationTool::Prisma);
    for stmt in &sql.statements {
        let columns: Vec<(&str, &ColumnDef)> = match stmt.kind() {
            Some(NodeEnum::CreateStmt(c)) => c
                .table_elts
                .iter()
                .filter_map(|e| match e.node.as_ref()? {
                    NodeEnum::ColumnDef(d) => Some((d.colname.as_str(), &**d)),
                    _ => None,
                })
                .collect(),
            Some(NodeEnum::AlterTableStmt(a)) => a
                .cmds
                .iter()
                .filter_map(|c| match c.node.as_ref()? {
                    NodeEnum::AlterTableCmd(cmd)
                        if cmd.subtype == AlterTableType::AtAddColumn as i32
                            || cmd.subtype == AlterTableType::AtAlterColumnType as i32 =>
                    {
                        match cmd.def.as_deref()?.node.as_ref()? {
                            // ALTER COLUMN … TYPE names the column in the command
                            NodeEnum::ColumnDef(d) if d.colname.is_empty() => {
                                Some((cmd.name.as_str(), &**d))
                            }
                            NodeEnum::ColumnDef(d) => Some((d.colname.as_str(), &**d)),
                            _ => None,
                        }
                    }
                    _ => None,
                })
                .collect(),
            _ => continue,
        };
        for (colname, col) in columns {
            let Some(t) = col.type_name.as_ref() else {
                continue;
            };
            let text = type_text(t);
            let base = text.split(['(', '[']).next().unwrap_or("");
            if base != "timestamp" {
                continue;
            }
            let Some(range) = type_range(src, stmt, stmt.offset(t.location)) else {
                continue;
            };
            let precision3 = text.starts_with("timestamp(3)");
            let level = if prisma && precision3 {
                Level::Info
            } else {
                Level::Warn
            };
            let written = &src[range.clone()];
            let name = if colname.is_empty() {
                String::new()
            } else {
                format!("`{colname}` ")
            };
            let fix = tz_fix(src, &range);
            let d = cx.report(
                range,
                format!("{name}is `{written}`: a wall-clock time without a time zone, read and written in whatever zone the server or session has. Use `timestamptz`, which stores the instant."),
            );
            d.with_level(level);
            if let Some(fix) = fix {
                d.with_fix(fix);
            }
        }
    }
}

/// `timestamp`, its `(p)`, `without time zone`, up to the array brackets.
fn type_range(src: &str, stmt: &SqlStatement, start: usize) -> Option<Range<usize>> {
    // `timestamp ( p ) without time zone` and one more token, all but
    // always within 64 bytes; a token cut at the window's end is never used.
    let tokens = tokens_from(src, start, stmt.range.end, 64, |t| t.len() >= 9);
    let first = tokens.first()?;
    if !first.is_word(src, "timestamp") {
        return None;
    }
    let mut end = first.range.end;
    let mut i = 1;
    if tokens.get(i).is_some_and(|t| t.is_punct(src, "(")) {
        let close = tokens[i..].iter().position(|t| t.is_punct(src, ")"))?;
        end = tokens[i + close].range.end;
        i += close + 1;
    }
    let words = ["without", "time", "zone"];
    if words
        .iter()
        .enumerate()
        .all(|(k, w)| tokens.get(i + k).is_some_and(|t| t.is_word(src, w)))
    {
        end = tokens[i + 2].range.end;
    }
    Some(first.range.start..end)
}

fn tz_fix(src: &str, range: &Range<usize>) -> Option<Fix> {
    let written = src.get(range.clone())?;
    let lower = written
        .get(..9)
        .is_some_and(|w| w.chars().all(|c| c.is_ascii_lowercase()));
    let precision: String = written
        .find('(')
        .and_then(|a| written.find(')').map(|b| (a, b)))
        .map(|(a, b)| {
            written[a..=b]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .unwrap_or_default();
    let new = format!("{}{precision}", lex::keyword_case("TIMESTAMPTZ", lower));
    Some(Fix::unsafe_(
        format!("Use `{new}`"),
        vec![Edit::replace(range.clone(), new)],
    ))
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const R: &str = "timestamp-without-tz";
    const P: &str = "supabase/migrations/20240101000000_ts.sql";
    const PRISMA: &str = "prisma/migrations/20240101000000_init/migration.sql";

    #[test]
    fn flags_timestamp_columns_in_every_statement() {
        let text = "create table e (\n  a timestamp,\n  b timestamp without time zone not null,\n  c timestamp(6),\n  d timestamp[]\n);\nalter table e add column f TIMESTAMP(3);\nALTER TABLE \"e\" ALTER COLUMN \"g\" SET DATA TYPE TIMESTAMP(3);\nalter table e alter column h type timestamp using h::timestamp;\n";
        let found = findings(R, P, text);
        assert_eq!(
            snippet_levels(text, &found),
            [
                "timestamp",
                "timestamp without time zone",
                "timestamp(6)",
                "timestamp",
                "TIMESTAMP(3)",
                "TIMESTAMP(3)",
                "timestamp"
            ]
            .iter()
            .map(|s| (s.to_string(), Level::Warn))
            .collect::<Vec<_>>()
        );
        assert!(found[0].message.starts_with("`a` is `timestamp`"));
        assert!(found[5].message.starts_with("`g` is `TIMESTAMP(3)`"));
    }

    #[test]
    fn prisma_timestamp_3_is_info() {
        let text = "CREATE TABLE \"User\" (\n    \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    \"seenAt\" TIMESTAMP\n);";
        let found = findings(R, PRISMA, text);
        assert_eq!(
            snippet_levels(text, &found),
            vec![
                ("TIMESTAMP(3)".to_string(), Level::Info),
                ("TIMESTAMP".to_string(), Level::Warn)
            ]
        );
        // the same outside a Prisma migration: warn
        assert_eq!(findings(R, P, text)[0].level, Level::Warn);
    }

    #[test]
    fn near_miss_with_time_zone_date_time_casts_and_functions() {
        assert_clean(R, P, "create table e (a timestamptz, b timestamp with time zone, c timestamptz(3), d date, e time, f \"timestamp\"[] );\nselect now()::timestamp;\ncreate function f(x timestamp) returns timestamp language sql as 'select x';\n-- create table z (a timestamp);");
        assert_clean(R, P, "alter table e alter column a type timestamptz;\nalter table e alter column a set default now()::timestamp;");
    }

    #[test]
    fn fix_keeps_case_and_precision() {
        check_fix(
            R,
            P,
            "create table e (a timestamp not null);\n",
            true,
            "create table e (a timestamptz not null);\n",
        );
        check_fix(
            R,
            P,
            "CREATE TABLE \"e\" (\r\n    \"a\" TIMESTAMP ( 3 ) WITHOUT TIME ZONE,\r\n    \"b\" TIMESTAMP[]\r\n);\r\n",
            true,
            "CREATE TABLE \"e\" (\r\n    \"a\" TIMESTAMPTZ(3),\r\n    \"b\" TIMESTAMPTZ[]\r\n);\r\n",
        );
    }

    #[test]
    fn ranges_after_non_ascii_text_on_crlf() {
        let text = "-- horodatage 🚀 é\r\ncreate table \"Événement\" (\"créé\" timestamp(3) not null);\r\n";
        assert_eq!(assert_flags(R, P, text, 1), vec!["timestamp(3)"]);
        check_fix(R, P, text, true, "-- horodatage 🚀 é\r\ncreate table \"Événement\" (\"créé\" timestamptz(3) not null);\r\n");
    }
}
