use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::lex::{self, Token};
use crate::sql::SqlFile;
use crate::text;
use pg_query::protobuf::node::Node as NodeEnum;
use std::collections::BTreeSet;
use std::ops::Range;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "mysql-inline-index",
        language: RuleLanguage::Sql,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary: "MySQL's `INDEX name (cols)` / `KEY name (cols)` inside a PostgreSQL CREATE TABLE",
        docs: DOCS,
        triggers: &["index", "key"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags `INDEX name (cols)`, `KEY name (cols)` (also `UNIQUE INDEX|KEY`,
`FULLTEXT|SPATIAL INDEX|KEY`, and the unnamed `KEY (cols)`) inside a `CREATE TABLE`
of a PostgreSQL file. The listed columns must be columns of that table, so a
column that happens to be called `key` or `index` (`key varchar(255)`) is not
mistaken for one; `PRIMARY KEY (…)`, `FOREIGN KEY (…)` and `UNIQUE (…)` are
PostgreSQL and are not flagged. Files with MySQL-only syntax in a statement
(`ENGINE=`, `AUTO_INCREMENT`, `UNSIGNED`, backtick-quoted identifiers) are MySQL
and are not linted as PostgreSQL at all (one `sql-syntax` info says so); backticks
in comments or strings (the `/* … */` header of a generated migration) do not
count. Such a statement does not parse, so this finding replaces the file's
`sql-syntax` notice for it.

## Why is this bad?
Inline index definitions are a MySQL idiom. PostgreSQL rejects the whole
`CREATE TABLE`, so the migration fails when it is applied (or, with a tool that
ignores errors, the table is silently missing).

## Examples
```sql flagged lines=4
create table public.audit_log (
  id bigint generated always as identity primary key,
  actor uuid,
  index audit_log_actor_idx (actor)
);
```

```sql ok
create table public.audit_log (
  id bigint generated always as identity primary key,
  actor uuid,
  key text not null,
  unique (actor, key)
);
create index audit_log_actor_idx on public.audit_log (actor);
```

## Fix
Safe: removes the clauses (with their commas) and adds `CREATE [UNIQUE] INDEX
name ON table (cols);` after the statement, for all inline indexes of the
statement at once; offered only when the rewritten statement parses. An index
name used twice in the file (MySQL index names are per table, PostgreSQL's per
schema) is left out so PostgreSQL picks a unique one. Prefix lengths
(`col(10)`), `USING BTREE` and `FULLTEXT`/`SPATIAL` indexes have no automatic fix.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    let src = cx.source;
    // Statements PostgreSQL rejected (`KEY (a)`, `UNIQUE KEY k (a)`), and
    // CREATE TABLEs it accepted by reading `index name (cols)` as a column named
    // `index` of type `name` with type modifiers (it fails when run).
    let parsed = sql.statements.iter().filter_map(|s| match s.kind() {
        Some(NodeEnum::CreateStmt(c)) if has_index_like_column(c) => {
            Some((s.range.clone(), false, !sql.in_execute_string(s)))
        }
        _ => None,
    });
    let failed = sql.failed.iter().map(|r| (r.clone(), true, true));
    let mut tables = Vec::new();
    for (range, did_fail, fixable) in failed.chain(parsed) {
        if let Some(t) = inline_indexes(src, range, did_fail) {
            if !t.indexes.is_empty() {
                tables.push((t, fixable));
            }
        }
    }
    if tables.is_empty() {
        return;
    }
    // Index names used more than once in the file (inline or CREATE INDEX).
    let mut seen = BTreeSet::new();
    let mut dup = BTreeSet::new();
    let existing = sql.statements.iter().filter_map(|s| match s.kind() {
        Some(NodeEnum::IndexStmt(i)) if !i.idxname.is_empty() => Some(i.idxname.clone()),
        _ => None,
    });
    let inline = tables
        .iter()
        .flat_map(|(t, _)| t.indexes.iter().filter_map(|i| i.name.as_ref()))
        .map(|n| normalise(&src[n.clone()]));
    for name in existing.chain(inline) {
        if !seen.insert(name.clone()) {
            dup.insert(name);
        }
    }
    for (t, fixable) in &tables {
        let fix = if *fixable {
            statement_fix(src, sql, t, &dup)
        } else {
            None
        };
        for idx in &t.indexes {
            let clause = clip(&src[idx.range.clone()]);
            let advice = if idx.special {
                "PostgreSQL has no FULLTEXT or SPATIAL indexes: use a GIN index on a tsvector (or a GiST index) created separately.".to_string()
            } else {
                format!(
                    "Create the index separately: `{} ON {} {};`.",
                    if idx.unique {
                        "CREATE UNIQUE INDEX"
                    } else {
                        "CREATE INDEX"
                    }
                    .to_string()
                        + &idx
                            .name
                            .as_ref()
                            .map(|n| format!(" {}", &src[n.clone()]))
                            .unwrap_or_default(),
                    &src[t.name.clone()],
                    clip(&src[idx.columns.clone()]),
                )
            };
            let message = format!(
                "`{clause}` inside CREATE TABLE is MySQL syntax: PostgreSQL cannot create this table, so the migration fails. {advice}"
            );
            let d = cx.report(idx.range.clone(), message);
            if let Some(f) = &fix {
                d.with_fix(f.clone());
            }
        }
    }
}

/// A column called `index` or `key` whose type has modifiers.
fn has_index_like_column(c: &pg_query::protobuf::CreateStmt) -> bool {
    c.table_elts.iter().any(|e| {
        matches!(&e.node, Some(NodeEnum::ColumnDef(col))
            if (col.colname == "index" || col.colname == "key")
                && col.type_name.as_ref().is_some_and(|t| !t.typmods.is_empty()))
    })
}

fn clip(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}

/// An identifier as PostgreSQL sees it: quoted names as written, others lower-cased.
fn normalise(name: &str) -> String {
    if name.starts_with('"') && name.ends_with('"') && name.len() >= 2 {
        name[1..name.len() - 1].replace("\"\"", "\"")
    } else {
        name.to_lowercase()
    }
}

struct InlineIndex {
    /// The clause, from `INDEX`/`KEY`/`UNIQUE`/`FULLTEXT` to its `)`.
    range: Range<usize>,
    /// Position among the table's elements.
    element: usize,
    unique: bool,
    name: Option<Range<usize>>,
    /// The column list with its parentheses, as written.
    columns: Range<usize>,
    /// Can be rewritten as a plain CREATE INDEX.
    simple: bool,
    /// `FULLTEXT` / `SPATIAL`.
    special: bool,
}

struct TableDef {
    statement: Range<usize>,
    /// PostgreSQL rejected the statement.
    failed: bool,
    name: Range<usize>,
    if_not_exists: bool,
    /// Elements (first token start, last token end) and the commas after them.
    elements: Vec<Range<usize>>,
    commas: Vec<Range<usize>>,
    indexes: Vec<InlineIndex>,
}

/// Read `CREATE [TEMP|UNLOGGED] TABLE [IF NOT EXISTS] name ( … )` from the
/// scanner tokens of the statement.
fn inline_indexes(src: &str, stmt: Range<usize>, failed: bool) -> Option<TableDef> {
    let toks = lex::tokens(src, stmt.clone());
    let mut i = 0;
    let word = |i: usize, w: &str| toks.get(i).is_some_and(|t| t.is_word(src, w));
    if !word(0, "create") {
        return None;
    }
    i += 1;
    while ["global", "local", "temp", "temporary", "unlogged"]
        .iter()
        .any(|w| word(i, w))
    {
        i += 1;
    }
    if !word(i, "table") {
        return None;
    }
    i += 1;
    let mut if_not_exists = false;
    if word(i, "if") && word(i + 1, "not") && word(i + 2, "exists") {
        if_not_exists = true;
        i += 3;
    }
    let name = lex::name_range(src, toks.get(i)?.range.start)?;
    while toks.get(i).is_some_and(|t| t.range.start < name.end) {
        i += 1;
    }
    if !toks.get(i)?.is_punct(src, "(") {
        return None;
    }
    // Split the element list at depth-1 commas.
    let mut elements: Vec<Vec<&Token>> = vec![Vec::new()];
    let mut commas = Vec::new();
    let mut depth = 0;
    for t in &toks[i..] {
        if t.is_punct(src, "(") {
            depth += 1;
            if depth == 1 {
                continue;
            }
        } else if t.is_punct(src, ")") {
            depth -= 1;
            if depth == 0 {
                break;
            }
        } else if depth == 1 && t.is_punct(src, ",") {
            commas.push(t.range.clone());
            elements.push(Vec::new());
            continue;
        }
        if let Some(e) = elements.last_mut() {
            e.push(t);
        }
    }
    if depth != 0 || elements.iter().any(|e| e.is_empty()) {
        return None;
    }
    const NOT_COLUMNS: &[&str] = &[
        "constraint",
        "primary",
        "unique",
        "foreign",
        "check",
        "exclude",
        "like",
        "index",
        "key",
        "fulltext",
        "spatial",
    ];
    let columns: BTreeSet<String> = elements
        .iter()
        .filter_map(|e| e.first())
        .filter(|t| t.is_name(src) && !NOT_COLUMNS.iter().any(|w| t.is_word(src, w)))
        .map(|t| normalise(t.text(src)))
        .collect();
    let mut indexes = Vec::new();
    for (n, e) in elements.iter().enumerate() {
        if let Some(idx) = index_clause(src, e, &columns, n) {
            indexes.push(idx);
        }
    }
    Some(TableDef {
        statement: stmt,
        failed,
        name,
        if_not_exists,
        elements: elements
            .iter()
            .map(|e| e[0].range.start..e[e.len() - 1].range.end)
            .collect(),
        commas,
        indexes,
    })
}

fn index_clause(
    src: &str,
    e: &[&Token],
    columns: &BTreeSet<String>,
    element: usize,
) -> Option<InlineIndex> {
    let w = |i: usize, word: &str| e.get(i).is_some_and(|t| t.is_word(src, word));
    let index_kw = |i: usize| w(i, "index") || w(i, "key");
    let (mut i, unique, special) = if index_kw(0) {
        (1, false, false)
    } else if w(0, "unique") && index_kw(1) {
        (2, true, false)
    } else if (w(0, "fulltext") || w(0, "spatial")) && index_kw(1) {
        (2, false, true)
    } else {
        return None;
    };
    let mut name = None;
    if !e.get(i)?.is_punct(src, "(") {
        let t = e.get(i)?;
        if !t.is_name(src) {
            return None;
        }
        name = Some(t.range.clone());
        i += 1;
    }
    let open = e.get(i)?;
    if !open.is_punct(src, "(") {
        return None;
    }
    // The column list: `col [(len)] [ASC|DESC]`, comma-separated, each a column of the table.
    let mut depth = 0;
    let mut close = None;
    let mut items: Vec<Vec<&Token>> = vec![Vec::new()];
    for (k, t) in e.iter().enumerate().skip(i) {
        if t.is_punct(src, "(") {
            depth += 1;
            if depth == 1 {
                continue;
            }
        } else if t.is_punct(src, ")") {
            depth -= 1;
            if depth == 0 {
                close = Some(k);
                break;
            }
        } else if depth == 1 && t.is_punct(src, ",") {
            items.push(Vec::new());
            continue;
        }
        if let Some(item) = items.last_mut() {
            item.push(t);
        }
    }
    let close = close?;
    let mut simple = !special && close + 1 == e.len();
    for item in &items {
        let first = item.first()?;
        if !first.is_name(src) || !columns.contains(&normalise(first.text(src))) {
            return None;
        }
        match &item[1..] {
            [] => {}
            [d] if d.is_word(src, "asc") || d.is_word(src, "desc") => {}
            _ => simple = false,
        }
    }
    Some(InlineIndex {
        range: e[0].range.start..e[e.len() - 1].range.end,
        element,
        unique,
        name,
        columns: open.range.start..e[close].range.end,
        simple,
        special,
    })
}

/// One fix for the whole statement: remove every inline index clause and add the
/// CREATE INDEX statements after it. `None` when a clause cannot be rewritten or
/// the result would still not parse.
fn statement_fix(src: &str, sql: &SqlFile, t: &TableDef, dup: &BTreeSet<String>) -> Option<Fix> {
    if t.indexes.iter().any(|i| !i.simple) || t.indexes.len() >= t.elements.len() {
        return None;
    }
    let removed: BTreeSet<usize> = t.indexes.iter().map(|i| i.element).collect();
    let mut edits = Vec::new();
    let last = t.elements.len() - 1;
    let mut a = 0;
    while a <= last {
        if !removed.contains(&a) {
            a += 1;
            continue;
        }
        let mut b = a;
        while b < last && removed.contains(&(b + 1)) {
            b += 1;
        }
        let start = t.elements[a].start;
        let end = t.elements[b].end;
        if b < last {
            // Remove the run and the comma after it.
            let comma = t.commas.get(b)?;
            if at_line_start(src, start) && rest_of_line_blank(src, sql, comma.end) {
                edits.push(Edit::delete(
                    line_start(src, start)..line_end_incl(src, comma.end),
                ));
            } else {
                let next = t.elements[b + 1].start;
                edits.push(Edit::delete(start..next));
            }
        } else {
            // The run ends the list: remove the comma before it.
            let comma = t.commas.get(a.checked_sub(1)?)?;
            if at_line_start(src, start) {
                let ls = line_start(src, start);
                let prev_eol = if src[..ls].ends_with("\r\n") { 2 } else { 1 };
                // a comment trailing the removed clause goes with it
                let end = if rest_of_line_blank(src, sql, end) {
                    let e = line_end_incl(src, end);
                    if src[..e].ends_with("\r\n") {
                        e - 2
                    } else if src[..e].ends_with('\n') {
                        e - 1
                    } else {
                        e
                    }
                } else {
                    end
                };
                edits.push(Edit::delete(comma.clone()));
                edits.push(Edit::delete(ls.saturating_sub(prev_eol)..end));
            } else {
                edits.push(Edit::delete(comma.start..end));
            }
        }
        a = b + 1;
    }
    // The CREATE INDEX statements.
    let lower = lex::lowercase_keywords(src, &t.statement);
    let kw = |s: &str| lex::keyword_case(s, lower);
    let eol = text::line_ending(src);
    let indent = text::line_indent(src, t.statement.start);
    let at = lex::insertion_after(src, t.statement.end);
    let mut text = String::new();
    if at.needs_semicolon {
        text.push(';');
    }
    for idx in &t.indexes {
        let name = idx
            .name
            .as_ref()
            .map(|n| &src[n.clone()])
            .filter(|n| !dup.contains(&normalise(n)));
        text.push_str(eol);
        text.push_str(indent);
        text.push_str(&kw(if idx.unique {
            "CREATE UNIQUE INDEX"
        } else {
            "CREATE INDEX"
        }));
        if let Some(name) = name {
            if t.if_not_exists {
                text.push(' ');
                text.push_str(&kw("IF NOT EXISTS"));
            }
            text.push(' ');
            text.push_str(name);
        }
        text.push(' ');
        text.push_str(&kw("ON"));
        text.push(' ');
        text.push_str(&src[t.name.clone()]);
        text.push(' ');
        text.push_str(&src[idx.columns.clone()]);
        text.push(';');
    }
    edits.push(Edit::insert(at.at, text));
    let fix = Fix::safe(
        "Move the inline index definitions to CREATE INDEX statements",
        edits,
    );
    // The rewritten statement must parse (and no other statement break).
    let (fixed, applied) = crate::fix::apply(src, &[&fix]);
    let allowed = sql.failed.len() - usize::from(t.failed);
    if applied.is_empty() || SqlFile::parse(&fixed).failed.len() > allowed {
        return None;
    }
    Some(fix)
}

fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

fn at_line_start(src: &str, at: usize) -> bool {
    src[line_start(src, at)..at].trim().is_empty()
}

/// Only whitespace or a `--` comment from `at` to the end of the line.
fn rest_of_line_blank(src: &str, sql: &SqlFile, at: usize) -> bool {
    let rest = &src[at..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let t = line.trim_start();
    t.trim_end().is_empty()
        || (t.starts_with("--") && {
            let c = at + (line.len() - t.len());
            sql.comments.iter().any(|r| r.start == c)
        })
}

fn line_end_incl(src: &str, at: usize) -> usize {
    src[at..]
        .find('\n')
        .map(|i| at + i + 1)
        .unwrap_or(src.len())
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "mysql-inline-index";
    const P: &str = "supabase/migrations/20240101000000_init.sql";

    #[test]
    fn flags_inline_indexes_and_replaces_sql_syntax() {
        let text = "create table public.audit_log (\n  id bigint primary key,\n  actor uuid,\n  index audit_log_actor_idx (actor)\n);\n";
        let got = assert_flags(R, P, text, 1);
        assert_eq!(got, vec!["index audit_log_actor_idx (actor)"]);
        let d = findings(R, P, text);
        assert_eq!(d[0].level, crate::diagnostic::Level::Error);
        assert!(
            d[0].message
                .contains("`CREATE INDEX audit_log_actor_idx ON public.audit_log (actor);`"),
            "{}",
            d[0].message
        );
        // this one does not parse at all: no `sql-syntax` notice besides the finding
        let text = "CREATE TABLE t (\n  a int,\n  b text,\n  KEY (a),\n  UNIQUE KEY t_b (b DESC),\n  FULLTEXT KEY ft (b),\n  INDEX t_ab (a, b)\n);\n";
        assert!(crate::sql::SqlFile::parse(text).syntax_error.is_some());
        let got = assert_flags(R, P, text, 4);
        assert_eq!(
            got,
            vec![
                "KEY (a)",
                "UNIQUE KEY t_b (b DESC)",
                "FULLTEXT KEY ft (b)",
                "INDEX t_ab (a, b)"
            ]
        );
        let all = crate::engine::lint(
            std::path::Path::new(P),
            text,
            &facts_for(P, text),
            &crate::config::Config::default_for(std::path::Path::new("")),
        );
        assert!(all.diagnostics.iter().all(|d| d.rule != "sql-syntax"));
        assert!(!findings("sql-syntax", P, "create table t (a int,, b int);").is_empty());
    }

    #[test]
    fn near_miss_postgres_constraints_and_columns_named_key() {
        assert_clean(R, P, "create table t (\n  id int,\n  key varchar(255) not null,\n  index int,\n  primary key (id),\n  unique (key),\n  foreign key (id) references u (id)\n);\n");
        // a statement that fails for another reason: `key` is a column, not an index
        assert_clean(
            R,
            P,
            "create table t (\n  id int,\n  key varchar(255) not null,\n);\n",
        );
        // columns not in the table: not an index clause
        assert_clean(R, P, "create table t (id int, key something (other));\n");
        // MySQL files are not Postgres
        assert_clean(
            R,
            P,
            "CREATE TABLE `t` (\n  `id` int,\n  KEY `idx` (`id`)\n) ENGINE=InnoDB;\n",
        );
        // …but backticks in comments and strings do not make a file MySQL
        let header = "/* Creates `events` (`created_at` indexed). */\ncreate table events (\n  id int,\n  created_at timestamptz default now(), -- see `docs`\n  note text default '`x`',\n  index events_created_idx (created_at)\n);\n";
        assert_flags(R, P, header, 1);
        assert_clean(
            R,
            P,
            "CREATE TABLE t (\n  id int AUTO_INCREMENT,\n  KEY idx (id)\n);\n",
        );
        // comments and strings
        assert_clean(R, P, "-- create table t (a int, index i (a));\nselect 'create table t (a int, index i (a))';\n");
        // a valid CREATE INDEX
        assert_clean(R, P, "create table t (a int);\ncreate index i on t (a);\n");
    }

    #[test]
    fn fix_moves_the_index_after_the_statement() {
        check_fix(
            R,
            P,
            "create table public.audit_log (\n  id bigint primary key,\n  actor uuid,\n  index audit_log_actor_idx (actor)\n);\n",
            false,
            "create table public.audit_log (\n  id bigint primary key,\n  actor uuid\n);\ncreate index audit_log_actor_idx on public.audit_log (actor);\n",
        );
    }

    #[test]
    fn fix_removes_comments_trailing_the_clause() {
        check_fix(
            R,
            P,
            "create table t (\n  a int, -- the a\n  b int,\n  index t_a (a), -- lookups by a\n  key t_b (b) -- lookups by b\n);\n",
            false,
            "create table t (\n  a int, -- the a\n  b int\n);\ncreate index t_a on t (a);\ncreate index t_b on t (b);\n",
        );
        check_fix(
            R,
            P,
            "create table t (\n  a int,\n  index t_a (a), -- lookups by a\n  b int -- the b\n);\n",
            false,
            "create table t (\n  a int,\n  b int -- the b\n);\ncreate index t_a on t (a);\n",
        );
    }

    #[test]
    fn fix_with_several_indexes_in_one_statement() {
        check_fix(
            R,
            P,
            "CREATE TABLE IF NOT EXISTS t (\n  a int,\n  KEY (a),\n  UNIQUE INDEX t_b (b),\n  b text, -- the b\n  KEY t_ab (a, b DESC)\n); -- done\nCREATE TABLE u (x int, KEY t_ab (x), y int);\n",
            false,
            "CREATE TABLE IF NOT EXISTS t (\n  a int,\n  b text -- the b\n); -- done\nCREATE INDEX ON t (a);\nCREATE UNIQUE INDEX IF NOT EXISTS t_b ON t (b);\nCREATE INDEX ON t (a, b DESC);\nCREATE TABLE u (x int, y int);\nCREATE INDEX ON u (x);\n",
        );
    }

    #[test]
    fn no_fix_for_prefix_lengths_or_fulltext() {
        let d = findings(
            R,
            P,
            "create table t (a text, b text, key ia (a(10)), fulltext key fb (b));\n",
        );
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|d| d.fix().is_none()));
        // the statement has another error too: flagged, no fix
        let d = findings(R, P, "create table t (a int, b int,, key ia (a));\n");
        assert!(d.iter().all(|d| d.fix().is_none()));
    }

    #[test]
    fn inside_do_blocks_without_fix_in_execute_strings() {
        let text = "DO $$ BEGIN\n  CREATE TABLE t (a int, INDEX t_a (a));\n  EXECUTE 'CREATE TABLE u (b int, INDEX u_b (b))';\nEND $$;\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 2);
        assert!(d[0].fix().is_some());
        assert!(d[1].fix().is_none());
        check_fix(
            R,
            P,
            "DO $$ BEGIN\n  CREATE TABLE t (a int, INDEX t_a (a));\nEND $$;\n",
            false,
            "DO $$ BEGIN\n  CREATE TABLE t (a int);\n  CREATE INDEX t_a ON t (a);\nEND $$;\n",
        );
    }

    #[test]
    fn fix_on_crlf_file_with_non_ascii_text() {
        let before = "-- café 😀\r\ncreate table \"notes_é\" (\r\n  id int,\r\n  body text default 'café 😀',\r\n  key notes_body (body)\r\n);\r\n";
        let d = findings(R, P, before);
        assert_eq!(d.len(), 1);
        assert_eq!(&before[d[0].range.clone()], "key notes_body (body)");
        check_fix(
            R,
            P,
            before,
            false,
            "-- café 😀\r\ncreate table \"notes_é\" (\r\n  id int,\r\n  body text default 'café 😀'\r\n);\r\ncreate index notes_body on \"notes_é\" (body);\r\n",
        );
    }
}
