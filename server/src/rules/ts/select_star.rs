use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
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
        fix: FixKind::None,
        not_in_tests: false,
        summary: "Supabase `.select('*')` / `.select()` or SQL `SELECT *` fetches every column",
        docs: DOCS,
        // `.select(` for Supabase; `select` and a blank for SQL (the pattern
        // below allows exactly these blanks between `select` and `*`).
        triggers: &["select(", "select ", "select\t", "select\n", "select\r"],
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
None yet. (Planned, **unsafe**: when the table's `CREATE TABLE` is known from the
workspace's migrations, replace `*` with its column list in declared order.)
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
    let message = match what {
        What::Supabase(table) => format!(
            "`.select()` of every column of `{table}`: name the columns the code uses (new columns, secrets included, would be sent too)"
        ),
        What::Sql(table) => format!(
            "`SELECT *` from `{table}`: name the columns the code uses (new columns, secrets included, would be sent too)"
        ),
    };
    cx.report(range, message).with_level(level);
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
