use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::frameworks::object_property;
use crate::ts::kind::{self, KindExt};
use regex::Regex;
use std::sync::LazyLock;
use tree_sitter::Node;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "select-star",
        language: RuleLanguage::Script,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::Unsafe,
        not_in_tests: true,
        summary: "Supabase `.select('*')` / `.select()` or SQL `SELECT *` fetches every column",
        docs: DOCS,
        // `.select(` for Supabase; for SQL `select` and the blanks the pattern
        // below allows before `*` (a bare `select ` is in English prose and
        // `*` in every JSDoc comment: together they let files through for nothing).
        triggers: &[
            "select(",
            "select *",
            "select  ",
            "select distinct",
            "select\t",
            "select\n",
            "select\r",
        ],
        also_triggers: &["*"],
        options: RuleOptions::NONE,
    },
    kinds: &[kind::CALL_EXPRESSION],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags queries that fetch every column:
- Supabase/PostgREST `.select('*')` and `.select()` without arguments called
  directly on `.from('table')` (`supabase.from('profiles').select('*')`);
- `SELECT * FROM table` in a SQL string or template given to a query function
  (`pool.query`, `client.query`, `db.execute`, `knex.raw`, `prisma.$queryRaw`,
  `$queryRawUnsafe`, `sql.unsafe`, pg-promise's `any`/`one`/`many`…) or tagged
  with `sql`.

An info, a warning in middleware, edge functions (`export const runtime =
'edge'`) and `route` files, where every byte and millisecond is on the request
path.

Not flagged: `count(*)`, `select('*', { head: true })` (counts only),
`EXISTS (SELECT * …)`, `SELECT * FROM fn(…)` (a function's declared result),
`SELECT * FROM (subquery)`, `SELECT *` from a CTE defined in the same query
(`WITH recent AS (…) SELECT * FROM recent`), `t.*`, strings that are not
given to a query function, and files under a `migrations/` folder (TypeORM or
Knex migrations copy whole rows while the schema changes).

Test-like paths are skipped (`*.test.*`, `__tests__/`, … and the `[files] tests`
globs): a test that reads whole rows to check what was stored ships nothing
(measured: 10 findings in one project's retention tests).

## Why is this bad?
`*` sends every column, today's and tomorrow's: a new `password_hash`,
`stripe_customer_id` or a large JSON column leaks into API responses and logs,
and costs bandwidth and memory on every call. Naming the columns documents what
the code depends on.

## Examples
```ts flagged lines=1
const { data } = await supabase.from('profiles').select('*').eq('id', userId);
```

```ts flagged lines=1
const { rows } = await pool.query('SELECT * FROM orders WHERE user_id = $1', [userId]);
```

```ts ok
const { count } = await supabase.from('profiles').select('*', { count: 'exact', head: true });
const { data } = await supabase.from('profiles').select('id, display_name');
await pool.query('SELECT count(*) FROM orders');
await pool.query('WITH recent AS (SELECT id FROM orders) SELECT * FROM recent');
await pool.query('SELECT * FROM search_orders($1)', [q]);
```

## Fix
**Unsafe**, only when the table's `CREATE TABLE` is known from the workspace's
SQL (migrations, in migration order, with later `ADD`/`DROP`/`RENAME COLUMN`
applied): `*` (or the empty `.select()`) is replaced with the table's columns
in declared order — `.select('id, email, created_at')`, `SELECT id, email,
created_at FROM …` (a column that is a keyword or not lower-case is
double-quoted in SQL; no fix inside a double-quoted JavaScript string then).
Review the list: the point is to keep only the columns the code uses. Without
a known schema there is no fix.
"#;

/// Calls that run their first argument as SQL.
const QUERY_METHODS: &[&str] = &[
    "query",
    "execute",
    "raw",
    "$queryRaw",
    "$queryRawUnsafe",
    "$executeRaw",
    "$executeRawUnsafe",
    "unsafe",
    "any",
    "many",
    "manyOrNone",
    "one",
    "oneOrNone",
    "none",
    "result",
];

/// Tags of SQL template literals.
const SQL_TAGS: &[&str] = &["sql", "SQL", "$queryRaw", "$executeRaw", "query"];

static SELECT_STAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\bselect[ \t\r\n]+(?:distinct\s+)?(\*)\s+from\s+(\(|[\p{L}_"][\p{L}0-9_."$]*)(\s*\()?"#,
    )
    .expect("pattern compiles")
});

static CTE_NAMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:\bwith\s+(?:recursive\s+)?|,\s*)"?([A-Za-z_][A-Za-z0-9_]*)"?\s*(?:\([^)]*\)\s*)?as\s*(?:not\s+)?(?:materialized\s+)?\("#)
        .expect("pattern compiles")
});

fn check(cx: &mut RuleContext<'_>, node: Node<'_>) {
    let src = cx.source;
    if in_migrations(&cx.project_path()) {
        return;
    }
    let Some(callee) = node.field(Field::Function) else {
        return;
    };
    let found = supabase_select(node, callee, src).or_else(|| sql_select(node, callee, src));
    let Some((range, what)) = found else {
        return;
    };
    let hot = hot_path(cx);
    let level = if hot { Level::Warn } else { Level::Info };
    let message = match &what {
        What::Supabase(table) => format!(
            "`.select()` of every column of `{table}`: name the columns the code uses (new columns, secrets included, would be sent too)"
        ),
        What::Sql(table) => format!(
            "`SELECT *` from `{table}`: name the columns the code uses (new columns, secrets included, would be sent too)"
        ),
    };
    let fix = column_list(cx, &what).and_then(|cols| fix_for(&range, &what, &cols, node, src));
    let d = cx.report(range, message).with_level(level);
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

/// The columns of the query's table, when the workspace's SQL declares it.
fn column_list(cx: &RuleContext<'_>, what: &What) -> Option<Vec<String>> {
    let table = match what {
        What::Supabase(t) | What::Sql(t) => t,
    };
    let (schema, name) = table.rsplit_once('.').unwrap_or(("", table));
    let key = crate::sql::facts::qualified(
        &schema.trim_matches('"').to_ascii_lowercase(),
        &if name.starts_with('"') {
            name.trim_matches('"').to_string()
        } else {
            name.to_ascii_lowercase()
        },
    );
    cx.facts.sql.final_columns(&key).filter(|c| !c.is_empty())
}

/// Words that must be double-quoted as column names in SQL.
const SQL_KEYWORDS: &[&str] = &[
    "all",
    "and",
    "as",
    "asc",
    "case",
    "check",
    "column",
    "constraint",
    "create",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "false",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "limit",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "primary",
    "references",
    "select",
    "session_user",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "when",
    "where",
    "with",
];

fn fix_for(
    range: &std::ops::Range<usize>,
    what: &What,
    cols: &[String],
    call: Node<'_>,
    src: &str,
) -> Option<Fix> {
    let simple = |c: &str| {
        c.chars()
            .next()
            .is_some_and(|f| f.is_ascii_lowercase() || f == '_')
            && c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
    };
    match what {
        What::Supabase(_) => {
            // PostgREST takes the names as they are
            let list = cols.join(", ");
            let text = &src[range.clone()];
            let replacement = if text.starts_with("select") {
                // `.select()` → `.select('…')`
                let q = ast::preferred_quote_near(src, call.start_byte());
                format!("select({})", ast::quoted(&list, q))
            } else {
                let q = text.chars().next()?;
                if !matches!(q, '\'' | '"' | '`') || list.contains(q) {
                    return None;
                }
                format!("{q}{list}{q}")
            };
            Some(Fix::unsafe_(
                format!("Select the table's {} columns by name", cols.len()),
                vec![Edit::replace(range.clone(), replacement)],
            ))
        }
        What::Sql(_) => {
            let literal_quote = call.field(Field::Arguments).and_then(|a| {
                if a.kind_name() == "template_string" {
                    Some('`')
                } else {
                    ast::call_arguments(call)
                        .first()
                        .and_then(|f| ast::text(ast::unwrap_expr(*f), src).chars().next())
                }
            })?;
            let mut parts = Vec::with_capacity(cols.len());
            for c in cols {
                if simple(c) && !SQL_KEYWORDS.contains(&c.as_str()) {
                    parts.push(c.clone());
                } else if literal_quote == '"' || c.contains('"') {
                    return None;
                } else {
                    parts.push(format!("\"{c}\""));
                }
            }
            Some(Fix::unsafe_(
                format!("Select the table's {} columns by name", cols.len()),
                vec![Edit::replace(range.clone(), parts.join(", "))],
            ))
        }
    }
}

enum What {
    Supabase(String),
    Sql(String),
}

/// `X.from('t').select('*')` / `.select()`; not `select('*', { head: true })`.
fn supabase_select(
    call: Node<'_>,
    callee: Node<'_>,
    src: &str,
) -> Option<(std::ops::Range<usize>, What)> {
    if callee.kind_name() != "member_expression"
        || callee.field(Field::Property).map(|p| ast::text(p, src)) != Some("select")
    {
        return None;
    }
    let from = ast::unwrap_expr(callee.field(Field::Object)?);
    if from.kind_name() != "call_expression" {
        return None;
    }
    let from_callee = from.field(Field::Function)?;
    if from_callee.kind_name() != "member_expression"
        || from_callee
            .field(Field::Property)
            .map(|p| ast::text(p, src))
            != Some("from")
    {
        return None;
    }
    let table = ast::string_value(*ast::call_arguments(from).first()?, src)?;
    let args = ast::call_arguments(call);
    match args.as_slice() {
        [] => {
            let property = callee.field(Field::Property)?;
            Some((
                property.start_byte()..call.end_byte(),
                What::Supabase(table),
            ))
        }
        [columns, rest @ ..] => {
            if ast::string_value(*columns, src)?.trim() != "*" {
                return None;
            }
            let head_only = rest.first().is_some_and(|o| {
                let o = ast::unwrap_expr(*o);
                o.kind_name() == "object"
                    && object_property(o, "head", src).is_some_and(|v| ast::text(v, src) == "true")
            });
            (!head_only).then(|| (columns.byte_range(), What::Supabase(table)))
        }
    }
}

/// `SELECT * FROM t` in the SQL text given to a query function or tag.
fn sql_select(
    call: Node<'_>,
    callee: Node<'_>,
    src: &str,
) -> Option<(std::ops::Range<usize>, What)> {
    let name = match callee.kind_name() {
        "member_expression" => ast::text(callee.field(Field::Property)?, src),
        "identifier" => ast::text(callee, src),
        _ => return None,
    };
    let args = call.field(Field::Arguments)?;
    let literal = if args.kind_name() == "template_string" {
        // A tagged template: sql`…`
        SQL_TAGS.contains(&name).then_some(args)?
    } else {
        if !QUERY_METHODS.contains(&name) {
            return None;
        }
        let first = ast::unwrap_expr(*ast::call_arguments(call).first()?);
        if !matches!(first.kind_name(), "string" | "template_string") {
            return None;
        }
        first
    };
    let text = ast::text(literal, src);
    let start = literal.start_byte();
    for m in SELECT_STAR.captures_iter(text) {
        let (Some(star), Some(target)) = (m.get(1), m.get(2)) else {
            continue;
        };
        let target_name = target.as_str().trim_matches('"');
        // `FROM (subquery)`, `FROM fn(…)`
        if target.as_str() == "(" || m.get(3).is_some() {
            continue;
        }
        // `EXISTS (SELECT * …)`
        let before = text[..m.get(0).map_or(0, |w| w.start())].trim_end();
        let before = before.strip_suffix('(').unwrap_or(before).trim_end();
        if before.to_ascii_lowercase().ends_with("exists") {
            continue;
        }
        // A CTE of the same query.
        let is_cte = CTE_NAMES
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .any(|c| c.as_str().eq_ignore_ascii_case(target_name));
        if is_cte {
            continue;
        }
        return Some((
            start + star.start()..start + star.end(),
            What::Sql(target_name.to_string()),
        ));
    }
    None
}

/// TypeORM/Knex/… migrations read whole rows to move them while the schema is
/// in flux.
fn in_migrations(path: &str) -> bool {
    path.split('/')
        .any(|s| s.eq_ignore_ascii_case("migrations") || s.eq_ignore_ascii_case("migration"))
}

/// Middleware, edge functions and `route` files: the request path.
fn hot_path(cx: &RuleContext<'_>) -> bool {
    let path = cx.project_path();
    let file = path.rsplit('/').next().unwrap_or(&path);
    let stem = file.split('.').next().unwrap_or(file);
    matches!(stem, "route" | "middleware" | "proxy")
        || cx.memo(|| EdgeRuntime(is_edge(cx.source))).0
}

struct EdgeRuntime(bool);

fn is_edge(src: &str) -> bool {
    src.match_indices("runtime").any(|(i, _)| {
        let rest = src[i + "runtime".len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':')) else {
            return false;
        };
        let rest = rest.trim_start();
        rest.starts_with("'edge'") || rest.starts_with("\"edge\"")
    })
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Level;
    use crate::rules::testing::*;

    const R: &str = "select-star";

    const MIGRATION: (&str, &str) = (
        "supabase/migrations/20240101000000_profiles.sql",
        "create table public.profiles (id uuid primary key, email text, \"displayName\" text, \"user\" text, created_at timestamptz);\nalter table profiles add column plan text;\nalter table profiles drop column email;\n",
    );

    #[test]
    fn not_in_tests() {
        let text = "const { data } = await supabase.from('profiles').select('*');\n";
        assert_clean(R, "src/__tests__/retention.test.ts", text);
        assert_flags(R, "src/lib/profiles.ts", text, 1);
    }

    #[test]
    fn fix_names_the_columns_of_a_known_table() {
        let facts = |ts: (&str, &str)| facts_of_files(&[MIGRATION, ts]);
        let path = "src/lib/profiles.ts";
        let before = "const a = await supabase.from('profiles').select('*').eq('id', id);\nconst b = await supabase.from(\"profiles\").select();\nconst { rows } = await pool.query('SELECT * FROM profiles WHERE id = $1', [id]);\n";
        let expected = "const a = await supabase.from('profiles').select('id, displayName, user, created_at, plan').eq('id', id);\nconst b = await supabase.from(\"profiles\").select('id, displayName, user, created_at, plan');\nconst { rows } = await pool.query('SELECT id, \"displayName\", \"user\", created_at, plan FROM profiles WHERE id = $1', [id]);\n";
        check_fix_with(
            R,
            path,
            before,
            true,
            expected,
            &config_only(R),
            &facts((path, before)),
        );
        // the fix is unsafe: `--fix` alone leaves the file as it is
        check_fix_with(
            R,
            path,
            before,
            false,
            before,
            &config_only(R),
            &facts((path, before)),
        );
        // CRLF and a template literal keep their shape
        let before = "const q = sql`SELECT * FROM public.profiles`;\r\n";
        let expected = "const q = sql`SELECT id, \"displayName\", \"user\", created_at, plan FROM public.profiles`;\r\n";
        check_fix_with(
            R,
            path,
            before,
            true,
            expected,
            &config_only(R),
            &facts((path, before)),
        );
    }

    #[test]
    fn no_fix_without_a_known_schema_or_where_quoting_would_break_the_string() {
        let path = "src/lib/profiles.ts";
        // an unknown table
        let text = "const a = await supabase.from('teams').select('*');\n";
        let d = findings_in_workspace(R, &[MIGRATION, (path, text)], 1);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
        // no migrations at all
        let text = "const a = await supabase.from('profiles').select('*');\n";
        let d = findings(R, path, text);
        assert!(d[0].fix().is_none());
        // a double-quoted JavaScript string cannot hold the quoted `"displayName"`
        let text = "await pool.query(\"SELECT * FROM profiles\");\n";
        let d = findings_in_workspace(R, &[MIGRATION, (path, text)], 1);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn flags_supabase_select_star_and_empty_select() {
        let text = "const a = await supabase.from('profiles').select('*').eq('id', id);\n\
                    const b = await supabase.from('orders').select();\n\
                    const c = await this.db.from(\"teams\").select(\" * \");\n";
        let found = findings(R, "src/lib/data.ts", text);
        assert_eq!(
            snippet_levels(text, &found),
            vec![
                ("'*'".to_string(), Level::Info),
                ("select()".to_string(), Level::Info),
                ("\" * \"".to_string(), Level::Info),
            ]
        );
        assert!(found[0].message.contains("`profiles`"));
    }

    #[test]
    fn flags_select_star_in_sql_given_to_query_functions() {
        let text = "await pool.query('SELECT * FROM orders WHERE user_id = $1', [id]);\n\
                    await db.execute(sql`select *\n  from public.users where id = ${id}`);\n\
                    await prisma.$queryRaw`SELECT DISTINCT * FROM \"Invoice\"`;\n\
                    await knex.raw(\"select * from teams\");\n";
        let found = assert_flags(R, "src/db/queries.ts", text, 4);
        assert!(found.iter().all(|s| s == "*"));
        let d = findings(R, "src/db/queries.ts", text);
        assert!(d[1].message.contains("`public.users`"));
        assert!(d[2].message.contains("`Invoice`"));
    }

    #[test]
    fn warn_on_the_request_path() {
        let text = "export async function GET() {\n  const { data } = await supabase.from('posts').select('*');\n  return Response.json(data);\n}\n";
        assert_eq!(
            findings(R, "app/api/posts/route.ts", text)[0].level,
            Level::Warn
        );
        assert_eq!(findings(R, "src/middleware.ts", text)[0].level, Level::Warn);
        let edge = format!("export const runtime = 'edge';\n{text}");
        assert_eq!(findings(R, "src/lib/posts.ts", &edge)[0].level, Level::Warn);
        assert_eq!(findings(R, "src/lib/posts.ts", text)[0].level, Level::Info);
    }

    #[test]
    fn near_miss_counts_columns_and_other_calls() {
        assert_clean(
            R,
            "src/a.ts",
            "const { count } = await supabase.from('p').select('*', { count: 'exact', head: true });\n\
             const { data } = await supabase.from('p').select('id, name');\n\
             const x = await supabase.from('p').insert(row).select();\n\
             const y = await db.select().from(users);\n\
             await pool.query('SELECT count(*) FROM orders');\n\
             await pool.query('SELECT o.* FROM orders o');\n\
             const text = 'SELECT * FROM orders';\n\
             logger.info('select * from users');\n",
        );
    }

    #[test]
    fn near_miss_exists_functions_subqueries_and_ctes() {
        assert_clean(
            R,
            "src/a.ts",
            "await pool.query('SELECT id FROM users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id)');\n\
             await pool.query('SELECT * FROM search_orders($1)', [q]);\n\
             await pool.query('SELECT * FROM (SELECT id, total FROM orders) t');\n\
             await pool.query(`WITH recent AS (SELECT id FROM orders), totals AS (SELECT 1 AS n) SELECT * FROM recent`);\n\
             await pool.query('with recursive tree(id) as (select id from nodes) select * from tree');\n",
        );
    }

    #[test]
    fn near_miss_migrations() {
        assert_clean(
            R,
            "src/database/migrations/1700000000000-CopyUsers.ts",
            "export class CopyUsers {\n  async up(q) {\n    const users = await q.query('SELECT * FROM \"temp_user\"');\n  }\n}\n",
        );
    }

    #[test]
    fn ranges_with_emoji_accents_and_crlf() {
        let text = "// café ☕ 🎉\r\nconst label = 'Zoë 🎉'; await pool.query(\"SELECT * FROM élèves\");\r\nawait pool.query(\"SELECT *\r\nFROM orders\");\r\n";
        let found = findings(R, "src/a.ts", text);
        let snippets: Vec<&str> = found.iter().map(|d| &text[d.range.clone()]).collect();
        assert_eq!(snippets, vec!["*", "*"]);
        assert!(found[0].message.contains("`élèves`"));
    }
}
