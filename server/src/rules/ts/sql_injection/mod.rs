//! The `sql-injection` rule: metadata, docs and the `check` entry with its top-level
//! flow here; the rest by topic:
//! - `allowlist`: values checked against an allowlist (`includes`, `in`, `has`) or parsed
//!   by a `z.enum` schema.
//! - `dynamic`: whether SQL text is built from run-time values: template pieces and `+`
//!   chains.
//! - `fix`: the fixes: bind parameters for node-postgres calls, tagged templates for
//!   Prisma.
//! - `safe`: what counts as safe to interpolate: constants, numbers, escaped values,
//!   placeholder lists.
//! - `sinks`: which calls run raw SQL text (the query APIs) and how their receivers are
//!   recognised.
//! - `types`: safety by declared type: number, literal and enum types, `keyof typeof`,
//!   typed properties.
//! - `tests`: the unit tests.

use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{snippet, FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::Script;
use dynamic::{classify_template, dynamic_sql, template_pieces, SubClass};
use fix::{pg_fix, prisma_fix};
use regex::Regex;
use safe::Safety;
use sinks::{api_of, Api};
use std::sync::LazyLock;
use tree_sitter::Node;

mod allowlist;
mod dynamic;
mod fix;
mod safe;
mod sinks;
#[cfg(test)]
mod tests;
mod types;

pub const RULE: TsRule = TsRule {
    meta: RuleMeta {
        id: "sql-injection",
        language: RuleLanguage::Script,
        tier: 'A',
        default_level: Level::Error,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary:
            "SQL text built with `${…}` or `+` from run-time values is passed to a raw query API",
        docs: DOCS,
        // The raw query APIs are calls: `.query(`, `.query<T>(`, `$queryRawUnsafe(`, `knex.raw(`, `sql.unsafe(`.
        triggers: &[
            "query(",
            "query<",
            "execute(",
            "execute<",
            "raw(",
            "rawunsafe",
            "unsafe(",
        ],
        // SQL text: a query without one of these keywords is not flagged.
        also_triggers: &[
            "select",
            "insert",
            "update",
            "delete",
            "where",
            "values",
            "returning",
            "union",
            "create table",
            "drop ",
            "alter table",
            "truncate",
            // Utility statements, which take no bind parameters.
            "set local",
            "set session",
            "set statement_timeout",
            "set search_path",
            "set role",
            "create database",
            "create schema",
            "create index",
            "grant ",
        ],
        options: RuleOptions::NONE,
    },
    kinds: &["call_expression"],
    check: Check::Node(check),
};

const DOCS: &str = r#"## What it does
Flags SQL text that is built from run-time values — a template literal with
`${…}` substitutions, or a `+` concatenation — and passed to a raw query API:
`pool.query`, `client.query`, `db.query` (node-postgres and look-alikes),
`prisma.$queryRawUnsafe` / `$executeRawUnsafe`, `sequelize.query`, `knex.raw`,
`connection.execute` / `connection.query` (mysql2), `sql.unsafe` (postgres.js),
and TypeORM's `dataSource.query` / `manager.query` / `queryRunner.query`. The
text must contain SQL keywords (`SELECT`, `WHERE`, `VALUES`, …). The SQL may also
be built one step earlier in a local variable (`const q = `…${id}…`; pool.query(q)`)
or in the `text`/`sql` property of a query config object.

Not flagged: tagged templates, which bind their substitutions as parameters
(`` sql`…` ``, `` Prisma.sql`…` ``, `` prisma.$queryRaw`…` ``); placeholders with a
values array (`$1`, `?`, knex `??`); interpolated constants (a `const` bound to a
literal, an `UPPER_CASE` name, an enum member, an import, a lookup in a constant
map such as `SORT_COLUMNS[key]`); numbers (`Number(x)`, `parseInt(x)`,
arithmetic, `.length`); values passed through an escaping or sanitizing function (`escape*`, `quote*`, `sanitize*`: `this.sanitizeTableName(name)`, measured on real code);
placeholder lists (`$${i + 1}`, `ids.map(() => '?').join(', ')`); values whose
declared type cannot carry SQL (`limit: number`, `dir: 'asc' | 'desc'`, a `type`,
`interface` or `enum` of the same file made of those, `(typeof COLS)[number]`,
`keyof typeof MAP`, a property of `ReturnType<typeof parseArgs>` or of
`const opts = parseArgs()` where that local function returns a number for it);
and an identifier checked in the same function against an allowlist
(`ALLOWED.includes(sort)`, `sort in COLUMNS`, `set.has(sort)`) or parsed with a
`z.enum` schema. A type declared in another file is not known, so its string
properties are still reported.

`SET`, `SHOW`, DDL (`CREATE DATABASE`, `ALTER TABLE`…) and other utility
statements take no bind parameters: their findings advise an allowlist or
identifier quoting (and `set_config(…, $1, true)` for `SET` with node-postgres)
and have no fix. In scripts, seeds, tests and data migrations (test-like paths,
and any file under a `migrations/` or `migration/` folder) findings are warnings.

## Why is this bad?
A value containing a quote ends the SQL string early, and the rest of it runs as
SQL: `' OR 1=1 --` reads every row, `'; DROP TABLE users; --` does worse.
Parameters are sent separately from the SQL text and can never change the query.

## Examples
```ts flagged lines=1
const { rows } = await pool.query(`SELECT * FROM users WHERE email = '${email}'`);
```

```ts flagged lines=1
await prisma.$executeRawUnsafe(`UPDATE users SET name = ${name} WHERE id = ${id}`);
```

```js flagged lines=1
connection.execute("SELECT * FROM orders WHERE user_id = " + req.params.id);
```

```ts ok
const { rows } = await pool.query('SELECT * FROM users WHERE email = $1', [email]);
const users = await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;
const TABLE = 'users';
await db.query(`SELECT count(*) FROM ${TABLE}`);
await knex.raw('select * from ?? where id = ?', ['users', id]);
```

```ts ok
export async function list(sort: string) {
  if (!['name', 'created_at'].includes(sort)) throw new Error('bad sort');
  return pool.query(`SELECT * FROM items ORDER BY ${sort}`);
}
```

```ts ok
type Dir = 'asc' | 'desc';
export async function page(limit: number, dir: Dir) {
  return pool.query(`SELECT * FROM items ORDER BY created_at ${dir} LIMIT ${limit}`);
}
```

```ts flagged lines=2
export async function setTimeout(ms: string) {
  await client.query(`SET LOCAL statement_timeout = '${ms}'`);
}
```

## Fix
**Safe**, where the rewrite is mechanical:
- `` pool.query(`… = ${a} …`) `` → `pool.query('… = $1 …', [a])` (also `client.query`
  and `db.query`), when every interpolated value sits where SQL expects a value
  (after `=`, `<`, `LIKE`, `LIMIT`, inside `VALUES (…)` / `IN (…)`, …). A value
  written as a whole quoted SQL string (`'${a}'`) loses its quotes; a value
  inside a longer string (`'%${q}%'`) gets no fix. Numbering continues after the
  existing `$N` placeholders when the call already has an array literal of that
  many values. Interpolated constants stay in a template literal; otherwise the
  new string uses the file's quote style.
- `` prisma.$queryRawUnsafe(`…${a}…`) `` → `` prisma.$queryRaw`…${a}…` `` (and
  `$executeRawUnsafe` → `$executeRaw`) under the same conditions.

Other findings (concatenations, SQL built in a variable, identifiers in
`ORDER BY`, `SET` and DDL statements, other APIs) have no automatic fix: bind the value as a parameter, or
check an identifier against an allowlist.
"#;

/// SQL keywords that mark a string as SQL text.
static SQL_KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(select|insert|update|delete|from|where|values|set|join|order\s+by|group\s+by|having|limit|offset|returning|into|union|create|drop|alter|truncate|and|or|like|ilike)\b")
        .expect("valid regex")
});

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$(\d+)").expect("valid regex"));

fn check(cx: &mut RuleContext<'_>, call: Node<'_>) {
    let script = cx.script();
    let src = &script;
    let Some((api, api_name)) = api_of(call, src) else {
        return;
    };
    let args = ast::call_arguments(call);
    let Some(&first) = args.first() else {
        return;
    };
    let mut safety = Safety::new(src);
    let arg = ast::unwrap_expr(first);
    // `pool.query({ text: `…`, values })` / mysql `{ sql: `…` }`.
    let (query, config_object) = if arg.kind_name() == "object" {
        match object_property(arg, &["text", "sql"], src) {
            Some(v) => (ast::unwrap_expr(v), true),
            None => return,
        }
    } else {
        (arg, false)
    };
    let Some(found) = dynamic_sql(query, &mut safety, true) else {
        return;
    };
    let Some(&part) = found.unsafe_parts.first() else {
        return;
    };
    let shown = snippet::quote(ast::text(innermost_unsafe(part, &mut safety), src));
    let statement = found.head.as_deref().and_then(Statement::of);
    let hint = match &statement {
        Some(Statement::Set(head)) => {
            let alt = if api == Api::PgQuery {
                " (or bind it with `SELECT set_config('…', $1, true)`)"
            } else {
                ""
            };
            format!("`{head}` takes no bind parameters: check that the value is a number or a name from an allowlist before it goes into the SQL{alt}")
        }
        Some(Statement::Utility(head)) => format!(
            "`{head}` takes no bind parameters: check the name against an allowlist, or quote it as an identifier (e.g. `escapeIdentifier`)"
        ),
        Some(Statement::Dml) | None => match api {
            Api::PgQuery => "use `$1` placeholders with a values array",
            Api::PrismaUnsafe { execute: false } => {
                "use the tagged template prisma.$queryRaw`…`"
            }
            Api::PrismaUnsafe { execute: true } => {
                "use the tagged template prisma.$executeRaw`…`"
            }
            Api::Knex => "use `?` bindings (`??` for identifiers) with a values array",
            Api::Sequelize => "pass the values as `replacements` or `bind`",
            Api::SqlUnsafe => "use the tagged template sql`…`",
            Api::Other => "use placeholders with a values array",
        }
        .to_string(),
    };
    let message = format!(
        "SQL built from {shown} is passed to `{api_name}`: a value with a quote in it changes the query; {hint}"
    );
    let bindable = !matches!(statement, Some(Statement::Set(_) | Statement::Utility(_)));
    let fix = if config_object || found.via_variable || !bindable {
        None
    } else if query.kind_name() == "template_string" {
        match api {
            Api::PgQuery => pg_fix(cx, call, query, &args, &mut safety),
            Api::PrismaUnsafe { execute } => prisma_fix(call, query, &args, execute, &mut safety),
            _ => None,
        }
    } else {
        None
    };
    // Scripts, seeds, tests and data migrations run with the developer's own
    // input: still worth a look, but not an error.
    let level = if cx.file.is_test || is_migration_path(&cx.file.path_str()) {
        Level::Warn
    } else {
        Level::Error
    };
    let d = cx.report(first.byte_range(), message).with_level(level);
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

/// A data migration written in script: a file under a `migrations`/`migration`
/// folder (knex, TypeORM, Sequelize, MikroORM and hand-rolled runners).
fn is_migration_path(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|seg| seg.eq_ignore_ascii_case("migrations") || seg.eq_ignore_ascii_case("migration"))
}

/// What kind of statement the SQL text starts with, for the advice.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Statement {
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `WITH`, `VALUES`, `MERGE`: values
    /// can be bound as parameters.
    Dml,
    /// `SET` / `SET LOCAL` / `RESET` / `SHOW`: no parameters (PostgreSQL's
    /// `set_config` takes them).
    Set(String),
    /// DDL and other utility statements (`CREATE DATABASE`, `ALTER TABLE`,
    /// `GRANT`…): no parameters.
    Utility(String),
}

impl Statement {
    /// `head`: the SQL text before its first substitution.
    fn of(head: &str) -> Option<Statement> {
        let mut words = head
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(|w| w.to_ascii_uppercase());
        let first = words.next()?;
        match first.as_str() {
            "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH" | "VALUES" | "MERGE" | "TABLE" => {
                Some(Statement::Dml)
            }
            "SET" | "RESET" | "SHOW" => {
                let second = words.next();
                Some(Statement::Set(match second.as_deref() {
                    Some(w @ ("LOCAL" | "SESSION")) => format!("{first} {w}"),
                    _ => first,
                }))
            }
            "CREATE" | "ALTER" | "DROP" | "COMMENT" | "TRUNCATE" => {
                let mut head = first;
                // `CREATE DATABASE`, `ALTER TABLE`, `CREATE UNIQUE INDEX`, `DROP TABLE`.
                for w in words.by_ref() {
                    head.push(' ');
                    head.push_str(&w);
                    if !matches!(
                        w.as_str(),
                        "UNIQUE"
                            | "OR"
                            | "REPLACE"
                            | "TEMP"
                            | "TEMPORARY"
                            | "UNLOGGED"
                            | "IF"
                            | "NOT"
                            | "EXISTS"
                    ) {
                        break;
                    }
                }
                Some(Statement::Utility(head))
            }
            "GRANT" | "REVOKE" | "LISTEN" | "NOTIFY" | "UNLISTEN" | "VACUUM" | "ANALYZE"
            | "COPY" | "DO" | "LOCK" | "CLUSTER" | "REINDEX" | "REFRESH" | "DISCARD" => {
                Some(Statement::Utility(first))
            }
            _ => None,
        }
    }
}

/// The unsafe value inside `part` to quote in the message: in
/// `cols.map((c) => `${c} = ?`).join(', ')`, the `c` of the callback.
fn innermost_unsafe<'t>(part: Node<'t>, safety: &mut Safety<'_, 't>) -> Node<'t> {
    let src = safety.src;
    let mut cur = ast::unwrap_expr(part);
    for _ in 0..8 {
        let next = match cur.kind_name() {
            "call_expression" => {
                let Some(callee) = cur.field(Field::Function) else {
                    break;
                };
                if callee.kind_name() != "member_expression" {
                    break;
                }
                let method = callee
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or("");
                match method {
                    "join" => callee.field(Field::Object),
                    "map" | "flatMap" => ast::call_arguments(cur)
                        .first()
                        .and_then(|f| f.field(Field::Body))
                        .filter(|b| b.kind_name() != "statement_block")
                        .filter(|b| !safety.is_safe(*b, 0)),
                    _ => None,
                }
            }
            "template_string" => template_pieces(cur).and_then(|pieces| {
                classify_template(&pieces, safety)
                    .into_iter()
                    .find(|(_, c)| *c == SubClass::Unsafe)
                    .map(|(n, _)| n)
            }),
            _ => None,
        };
        match next {
            Some(n) => cur = ast::unwrap_expr(n),
            None => break,
        }
    }
    cur
}

/// The value of a `key: value` property (or shorthand `key`) of an object literal.
fn object_property<'t>(obj: Node<'t>, keys: &[&str], src: &Script<'t>) -> Option<Node<'t>> {
    let mut c = obj.walk();
    for p in obj.named_children(&mut c) {
        match p.kind_name() {
            "pair" => {
                let key = p.field(Field::Key)?;
                let k = ast::string_value(key, src).unwrap_or_else(|| ast::text(key, src).into());
                if keys.contains(&k.as_str()) {
                    return p.field(Field::Value);
                }
            }
            "shorthand_property_identifier" if keys.contains(&ast::text(p, src)) => {
                return Some(p);
            }
            _ => {}
        }
    }
    None
}
