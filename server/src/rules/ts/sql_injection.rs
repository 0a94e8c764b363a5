use super::{Check, TsRule};
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{snippet, FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::ts::ast;
use crate::ts::field::{Field, FieldExt};
use crate::ts::kind::KindExt;
use crate::ts::semantic::{Binding, BindingKind, Script};
use regex::Regex;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;
use tree_sitter::Node;

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
arithmetic, `.length`); values passed through an escaping function (`escape*`);
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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Api {
    /// node-postgres style `pool.query` / `client.query` / `db.query` (`$1` placeholders).
    PgQuery,
    /// `prisma.$queryRawUnsafe` / `$executeRawUnsafe`.
    PrismaUnsafe {
        execute: bool,
    },
    Knex,
    Sequelize,
    /// mysql2 `connection.execute` / `.query`, TypeORM `.query`, ...
    Other,
    /// postgres.js `sql.unsafe`.
    SqlUnsafe,
}

/// Whether `name` is one of `bases` (case-insensitively), possibly with a
/// camelCase or snake_case prefix (`pgPool`, `read_pool`).
fn receiver_is(name: &str, bases: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    bases.iter().any(|b| {
        if lower == *b {
            return true;
        }
        if !lower.ends_with(b) || name.len() <= b.len() {
            return false;
        }
        let cut = name.len() - b.len();
        name.is_char_boundary(cut)
            && (name[cut..].starts_with(|c: char| c.is_ascii_uppercase())
                || name[..cut].ends_with('_'))
    })
}

/// The raw query API called by `call`, with a display name for the message.
fn api_of(call: Node, src: &Script<'_>) -> Option<(Api, String)> {
    // `await prisma.$queryRawUnsafe<T>(…)` parses as `(await prisma.$queryRawUnsafe)<T>(…)`.
    let callee = ast::unwrap_expr(call.field(Field::Function)?);
    if callee.kind_name() != "member_expression" {
        return None;
    }
    let method = ast::text(callee.field(Field::Property)?, src);
    let object = callee.field(Field::Object)?;
    if let m @ ("$queryRawUnsafe" | "$executeRawUnsafe") = method {
        let api = Api::PrismaUnsafe {
            execute: m == "$executeRawUnsafe",
        };
        let who = ast::member_path(object, src)
            .and_then(|p| p.rsplit('.').next().map(str::to_string))
            .unwrap_or_else(|| "prisma".to_string());
        return Some((api, format!("{who}.{method}")));
    }
    // Cheap exit before building the receiver's path (most calls are other methods).
    if !matches!(method, "query" | "execute" | "raw" | "unsafe") {
        return None;
    }
    let path = ast::member_path(object, src)?;
    let receiver = path.rsplit('.').next().unwrap_or("");
    let api = match method {
        "query" if receiver_is(receiver, &["pool", "client", "db"]) => Api::PgQuery,
        "query" if receiver_is(receiver, &["sequelize"]) => Api::Sequelize,
        "query"
            if receiver_is(
                receiver,
                &[
                    "connection",
                    "conn",
                    "tx",
                    "trx",
                    "manager",
                    "datasource",
                    "queryrunner",
                ],
            ) =>
        {
            Api::Other
        }
        "execute" if receiver_is(receiver, &["connection", "conn", "pool", "db", "client"]) => {
            Api::Other
        }
        "raw" if receiver_is(receiver, &["knex", "db", "trx"]) => Api::Knex,
        "unsafe" if receiver_is(receiver, &["sql"]) => Api::SqlUnsafe,
        _ => return None,
    };
    Some((api, format!("{receiver}.{method}")))
}

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
            Api::Knex => "use `?` bindings (`?? ` for identifiers) with a values array",
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

struct DynamicSql<'t> {
    /// The interpolated or concatenated values that are not known to be safe.
    unsafe_parts: Vec<Node<'t>>,
    /// The SQL text was built in a local variable (no fix).
    via_variable: bool,
    /// The SQL text before the first substitution or value (for the statement kind).
    head: Option<String>,
}

/// Whether `expr` is SQL text built from values not known to be safe.
fn dynamic_sql<'t>(
    expr: Node<'t>,
    safety: &mut Safety<'_, 't>,
    hop: bool,
) -> Option<DynamicSql<'t>> {
    let _level = ast::descend()?;
    let src = safety.src;
    let expr = ast::unwrap_expr(expr);
    match expr.kind_name() {
        "template_string" => {
            let pieces = template_pieces(expr)?;
            let text: String = pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(r) => src.get(r.clone()).unwrap_or(""),
                    Piece::Sub(_) => " ",
                })
                .collect();
            if !SQL_KEYWORD.is_match(&text) {
                return None;
            }
            let unsafe_parts: Vec<Node> = classify_template(&pieces, safety)
                .into_iter()
                .filter(|(_, c)| *c == SubClass::Unsafe)
                .map(|(n, _)| n)
                .collect();
            let head = match pieces.first() {
                Some(Piece::Text(r)) => src.get(r.clone()).map(str::to_string),
                _ => None,
            };
            (!unsafe_parts.is_empty()).then_some(DynamicSql {
                unsafe_parts,
                via_variable: false,
                head,
            })
        }
        "binary_expression" if operator(expr, src) == Some("+") => {
            let mut operands = Vec::new();
            flatten_plus(expr, src, &mut operands);
            let mut text = String::new();
            let mut unsafe_parts = Vec::new();
            let mut prev_dollar = false;
            let mut head = None;
            for op in operands {
                let op = ast::unwrap_expr(op);
                if head.is_none() {
                    head = Some(match op.kind_name() {
                        "string" => ast::string_value(op, src).unwrap_or_default(),
                        "template_string" => match template_pieces(op).as_deref() {
                            Some([Piece::Text(r), ..]) => {
                                src.get(r.clone()).unwrap_or("").to_string()
                            }
                            _ => String::new(),
                        },
                        _ => String::new(),
                    });
                }
                match op.kind_name() {
                    "string" => {
                        let v = ast::string_value(op, src).unwrap_or_default();
                        prev_dollar = v.ends_with('$');
                        text.push_str(&v);
                    }
                    "template_string" => {
                        let Some(pieces) = template_pieces(op) else {
                            continue;
                        };
                        for p in &pieces {
                            if let Piece::Text(r) = p {
                                text.push_str(src.get(r.clone()).unwrap_or(""));
                            }
                        }
                        prev_dollar = matches!(pieces.last(), Some(Piece::Text(r)) if src.get(r.clone()).is_some_and(|t| t.ends_with('$')));
                        for (n, c) in classify_template(&pieces, safety) {
                            if c == SubClass::Unsafe {
                                unsafe_parts.push(n);
                            }
                        }
                    }
                    _ => {
                        text.push(' ');
                        if !prev_dollar && !safety.is_safe(op, 0) {
                            unsafe_parts.push(op);
                        }
                        prev_dollar = false;
                    }
                }
            }
            (SQL_KEYWORD.is_match(&text) && !unsafe_parts.is_empty()).then_some(DynamicSql {
                unsafe_parts,
                via_variable: false,
                head,
            })
        }
        "identifier" if hop => {
            let b = src.declaration(expr, ast::text(expr, src))?;
            if !matches!(
                b.kind,
                BindingKind::Const | BindingKind::Let | BindingKind::Var
            ) || b.key.is_some()
                || b.ident.kind_name() != "identifier"
                || b.decl.field(Field::Name).map(|n| n.id()) != Some(b.ident.id())
            {
                return None;
            }
            let mut found = dynamic_sql(b.value?, safety, false)?;
            found.via_variable = true;
            Some(found)
        }
        _ => None,
    }
}

fn operator<'s>(bin: Node, src: &'s str) -> Option<&'s str> {
    bin.field(Field::Operator).map(|o| ast::text(o, src))
}

fn flatten_plus<'t>(expr: Node<'t>, src: &Script<'t>, out: &mut Vec<Node<'t>>) {
    // An explicit stack, and at most `MAX_HELPER_DEPTH` levels: a generated
    // `'…' + a + '…' + …` chain nests one level per `+`, without bound, and
    // every part is looked at with ancestor scans that cost its depth. A
    // deeper rest of the chain stays one part (not provably safe).
    let mut stack = vec![(expr, 0usize)];
    while let Some((x, depth)) = stack.pop() {
        let e = ast::unwrap_expr(x);
        if depth < ast::MAX_HELPER_DEPTH
            && e.kind_name() == "binary_expression"
            && operator(e, src) == Some("+")
        {
            if let (Some(l), Some(r)) = (e.field(Field::Left), e.field(Field::Right)) {
                stack.push((r, depth + 1));
                stack.push((l, depth + 1));
                continue;
            }
        }
        out.push(x);
    }
}

#[derive(Clone, Debug)]
enum Piece<'t> {
    /// Raw template text (between the backticks and substitutions).
    Text(Range<usize>),
    /// A `template_substitution` node.
    Sub(Node<'t>),
}

/// The raw text pieces and substitutions of a template literal; `None` for a
/// malformed one (no closing backtick).
fn template_pieces(tpl: Node<'_>) -> Option<Vec<Piece<'_>>> {
    let start = tpl.start_byte() + 1;
    let end = tpl.end_byte().checked_sub(1)?;
    if end < start || tpl.has_error() {
        return None;
    }
    let mut pieces = Vec::new();
    let mut pos = start;
    let mut c = tpl.walk();
    for sub in tpl.named_children(&mut c) {
        if sub.kind_name() != "template_substitution" {
            continue;
        }
        sub_expression(sub)?;
        if sub.start_byte() > pos {
            pieces.push(Piece::Text(pos..sub.start_byte()));
        }
        pieces.push(Piece::Sub(sub));
        pos = sub.end_byte();
    }
    if end > pos {
        pieces.push(Piece::Text(pos..end));
    }
    Some(pieces)
}

/// The expression of a `${…}` substitution (comments skipped).
fn sub_expression(sub: Node<'_>) -> Option<Node<'_>> {
    let mut c = sub.walk();
    let found = sub
        .named_children(&mut c)
        .find(|n| n.kind_name() != "comment");
    found
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SubClass {
    Unsafe,
    /// A constant, a number, an allowlisted identifier...
    Safe,
    /// `$${n}`: builds a placeholder number.
    Placeholder,
}

/// Classify each substitution of a template (the expression node and its class).
fn classify_template<'t>(
    pieces: &[Piece<'t>],
    safety: &mut Safety<'_, 't>,
) -> Vec<(Node<'t>, SubClass)> {
    let src = safety.src;
    let mut out = Vec::new();
    let mut prev_dollar = false;
    for p in pieces {
        match p {
            Piece::Text(r) => prev_dollar = src.get(r.clone()).is_some_and(|t| t.ends_with('$')),
            Piece::Sub(sub) => {
                let Some(expr) = sub_expression(*sub) else {
                    continue;
                };
                let class = if prev_dollar {
                    SubClass::Placeholder
                } else if safety.is_safe(expr, 0) {
                    SubClass::Safe
                } else {
                    SubClass::Unsafe
                };
                out.push((expr, class));
                prev_dollar = false;
            }
        }
    }
    out
}

fn is_upper_const(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '$')
}

/// What is known to be safe to interpolate into SQL, with the allowlist checks
/// of each enclosing function collected once.
struct Safety<'s, 't> {
    src: &'s Script<'t>,
    /// Function (or program) node id → (normalised texts checked against an
    /// allowlist, whether the function uses `z.enum`).
    checks: HashMap<usize, (Vec<String>, bool)>,
    _tree: std::marker::PhantomData<Node<'t>>,
}

fn norm(node: Node, src: &Script<'_>) -> String {
    let node = ast::unwrap_expr(node);
    ast::member_path(node, src).unwrap_or_else(|| {
        ast::text(node, src)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    })
}

impl<'s, 't> Safety<'s, 't> {
    fn new(src: &'s Script<'t>) -> Self {
        Safety {
            src,
            checks: HashMap::new(),
            _tree: std::marker::PhantomData,
        }
    }

    fn is_safe(&mut self, expr: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if depth > 6 {
            return false;
        }
        let src = self.src;
        let e = ast::unwrap_expr(expr);
        match e.kind_name() {
            "number" | "string" | "true" | "false" | "null" | "undefined" | "regex" => true,
            "template_string" => {
                let Some(pieces) = template_pieces(e) else {
                    return false;
                };
                classify_template(&pieces, self)
                    .iter()
                    .all(|(_, c)| *c != SubClass::Unsafe)
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = ast::text(e, src);
                if is_upper_const(name) || name == "undefined" || name == "NaN" {
                    return true;
                }
                match src.declaration(e, name) {
                    Some(b) if self.declared_safe(b, depth) => true,
                    Some(b) => match b.kind {
                        BindingKind::Import | BindingKind::Enum => true,
                        BindingKind::ForOf
                            if b.key.is_none()
                                && b.value.is_some_and(|v| self.is_safe_array(v, depth + 1)) =>
                        {
                            true
                        }
                        BindingKind::Const if b.key.is_none() => {
                            if let Some(v) = b.value {
                                if self.is_safe(v, depth + 1) {
                                    return true;
                                }
                            }
                            self.checked(e)
                        }
                        _ => self.checked(e),
                    },
                    None => self.checked(e),
                }
            }
            "member_expression" => {
                let Some(prop) = e.field(Field::Property) else {
                    return false;
                };
                let prop_name = ast::text(prop, src);
                if prop_name == "length" || is_upper_const(prop_name) {
                    return true;
                }
                if let Some(object) = e.field(Field::Object) {
                    if self.is_constant_container(object, depth)
                        || self.property_safe(object, prop_name, depth)
                    {
                        return true;
                    }
                }
                self.checked(e)
            }
            "subscript_expression" => {
                let Some(object) = e.field(Field::Object) else {
                    return false;
                };
                self.is_constant_container(object, depth) || self.checked(e)
            }
            "ternary_expression" => {
                let (Some(a), Some(b)) = (e.field(Field::Consequence), e.field(Field::Alternative))
                else {
                    return false;
                };
                self.is_safe(a, depth + 1) && self.is_safe(b, depth + 1)
            }
            "binary_expression" => {
                let (Some(l), Some(r)) = (e.field(Field::Left), e.field(Field::Right)) else {
                    return false;
                };
                match operator(e, src) {
                    Some("+") => {
                        let l_dollar = ast::string_value(ast::unwrap_expr(l), src)
                            .is_some_and(|s| s.ends_with('$'));
                        self.is_safe(l, depth + 1) && (l_dollar || self.is_safe(r, depth + 1))
                    }
                    Some("&&") => self.is_safe(r, depth + 1),
                    Some("||" | "??") => self.is_safe(l, depth + 1) && self.is_safe(r, depth + 1),
                    // Arithmetic, bitwise and comparison operators give numbers or booleans.
                    Some(_) => true,
                    None => false,
                }
            }
            "unary_expression" => true,
            "update_expression" => true,
            "call_expression" => self.is_safe_call(e, depth) || self.checked(e),
            _ => false,
        }
    }

    /// A name whose declaration makes it safe by its type (`n: number`,
    /// `dir: 'asc' | 'desc'`, `{ limit }: { limit: number }`) or, for a name
    /// destructured from a call of a local function, by what that function
    /// returns (`const { days } = parseArgs()` with `days: parseInt(…)`).
    fn declared_safe(&mut self, b: &Binding<'t>, depth: usize) -> bool {
        if depth > 6
            || !matches!(
                b.kind,
                BindingKind::Param | BindingKind::Const | BindingKind::Let | BindingKind::Var
            )
        {
            return false;
        }
        let (pattern, annotation) = match b.decl.kind_name() {
            "required_parameter" | "optional_parameter" => {
                (b.decl.field(Field::Pattern), b.decl.field(Field::Type))
            }
            "variable_declarator" => (b.decl.field(Field::Name), b.decl.field(Field::Type)),
            _ => (None, None),
        };
        let Some(pattern) = pattern else {
            return false;
        };
        match &b.key_name(self.src) {
            None if pattern.id() == b.ident.id() => {
                annotation.is_some_and(|t| self.type_is_safe(t, depth + 1))
            }
            // `{ days }: Options` / `const { days } = parseArgs()`; only a
            // property of the whole pattern (not a nested one).
            Some(key)
                if b.ident.parent().and_then(|p| p.parent()).map(|p| p.id())
                    == Some(pattern.id())
                    || b.ident.parent().map(|p| p.id()) == Some(pattern.id()) =>
            {
                annotation.is_some_and(|t| self.type_property_safe(t, key, depth + 1))
                    || (b.kind == BindingKind::Const
                        && b.value
                            .is_some_and(|v| self.value_property_safe(v, key, depth + 1)))
            }
            _ => false,
        }
    }

    /// `object.prop` is safe by the declared type of `object` or, for a `const`,
    /// by its value (`const opts = parseArgs()`, `opts: ReturnType<typeof parseArgs>`).
    fn property_safe(&mut self, object: Node<'t>, prop: &str, depth: usize) -> bool {
        let src = self.src;
        let object = ast::unwrap_expr(object);
        if depth > 6 || object.kind_name() != "identifier" {
            return false;
        }
        let Some(b) = src.declaration(object, ast::text(object, src)) else {
            return false;
        };
        if b.key.is_some() {
            return false;
        }
        let annotation = match b.decl.kind_name() {
            "required_parameter" | "optional_parameter"
                if b.decl.field(Field::Pattern).map(|p| p.id()) == Some(b.ident.id()) =>
            {
                b.decl.field(Field::Type)
            }
            "variable_declarator"
                if b.decl.field(Field::Name).map(|p| p.id()) == Some(b.ident.id()) =>
            {
                b.decl.field(Field::Type)
            }
            _ => return false,
        };
        if annotation.is_some_and(|t| self.type_property_safe(t, prop, depth + 1)) {
            return true;
        }
        b.kind == BindingKind::Const
            && b.value
                .is_some_and(|v| self.value_property_safe(v, prop, depth + 1))
    }

    /// A type whose values cannot carry SQL: numbers, booleans, literal types
    /// and unions of them, `Date`, `keyof typeof X`, `(typeof X)[number]`, an
    /// enum or a type alias of this file that is one of those.
    fn type_is_safe(&mut self, ty: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if depth > 8 {
            return false;
        }
        let src = self.src;
        match ty.kind_name() {
            "type_annotation" | "parenthesized_type" | "readonly_type" => ty
                .named_child(0)
                .is_some_and(|t| self.type_is_safe(t, depth + 1)),
            "predefined_type" => matches!(
                ast::text(ty, src),
                "number" | "bigint" | "boolean" | "null" | "undefined" | "never" | "void"
            ),
            "literal_type" => true,
            "union_type" => {
                let mut c = ty.walk();
                let members: Vec<Node> = ty
                    .named_children(&mut c)
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                !members.is_empty() && members.into_iter().all(|m| self.type_is_safe(m, depth + 1))
            }
            // `keyof typeof COLUMNS`, `keyof Row`.
            "index_type_query" => ty
                .named_child(0)
                .is_some_and(|t| matches!(t.kind_name(), "type_query" | "type_identifier")),
            // `(typeof SORTS)[number]`, `Row['status']`.
            "lookup_type" => ty.named_child(0).is_some_and(|t| {
                let t = if t.kind_name() == "parenthesized_type" {
                    t.named_child(0).unwrap_or(t)
                } else {
                    t
                };
                t.kind_name() == "type_query"
            }),
            "type_identifier" => {
                let name = ast::text(ty, src);
                if name == "Date" {
                    return true;
                }
                match local_type(ty, name, src) {
                    Some(d) if d.kind_name() == "enum_declaration" => true,
                    Some(d) if d.kind_name() == "type_alias_declaration" => d
                        .field(Field::Value)
                        .is_some_and(|v| self.type_is_safe(v, depth + 1)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The property `key` of values of type `ty` is safe: an object type (or a
    /// local interface / type alias, through `Partial`/`Readonly`/`Required`) that
    /// declares it with a safe type, or `ReturnType<typeof f>` of a local `f`
    /// whose returned objects give it a safe value.
    fn type_property_safe(&mut self, ty: Node<'t>, key: &str, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if depth > 8 {
            return false;
        }
        let src = self.src;
        match ty.kind_name() {
            "type_annotation" | "parenthesized_type" | "readonly_type" => ty
                .named_child(0)
                .is_some_and(|t| self.type_property_safe(t, key, depth + 1)),
            "object_type" | "interface_body" => {
                let mut c = ty.walk();
                let sig = ty.named_children(&mut c).find(|m| {
                    m.kind_name() == "property_signature"
                        && m.field(Field::Name).is_some_and(|n| {
                            ast::string_value(n, src)
                                .as_deref()
                                .unwrap_or(ast::text(n, src))
                                == key
                        })
                });
                sig.and_then(|m| m.field(Field::Type))
                    .is_some_and(|t| self.type_is_safe(t, depth + 1))
            }
            "intersection_type" => {
                let mut c = ty.walk();
                let members: Vec<Node> = ty.named_children(&mut c).collect();
                members
                    .into_iter()
                    .any(|m| self.type_property_safe(m, key, depth + 1))
            }
            "type_identifier" => match local_type(ty, ast::text(ty, src), src) {
                Some(d) if d.kind_name() == "interface_declaration" => d
                    .field(Field::Body)
                    .is_some_and(|b| self.type_property_safe(b, key, depth + 1)),
                Some(d) if d.kind_name() == "type_alias_declaration" => d
                    .field(Field::Value)
                    .is_some_and(|v| self.type_property_safe(v, key, depth + 1)),
                _ => false,
            },
            "generic_type" => {
                let name = ty
                    .field(Field::Name)
                    .map(|n| ast::text(n, src))
                    .unwrap_or("");
                let Some(arg) = ty
                    .field(Field::TypeArguments)
                    .and_then(|a| a.named_child(0))
                else {
                    return false;
                };
                match name {
                    "Partial" | "Readonly" | "Required" | "Awaited" | "NonNullable" => {
                        self.type_property_safe(arg, key, depth + 1)
                    }
                    "ReturnType" if arg.kind_name() == "type_query" => {
                        let Some(f) = arg.named_child(0).filter(|f| f.kind_name() == "identifier")
                        else {
                            return false;
                        };
                        match src.top_level_function(ast::text(f, src)) {
                            Some(func) => self.returns_safe_property(func, key, depth + 1),
                            None => false,
                        }
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// The property `key` of `value` is safe: an object literal whose `key` is a
    /// safe value, a `const` bound to one, or a call of a local function whose
    /// every returned object has a safe `key`.
    fn value_property_safe(&mut self, value: Node<'t>, key: &str, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if depth > 8 {
            return false;
        }
        let src = self.src;
        let v = ast::unwrap_expr(value);
        match v.kind_name() {
            "object" => {
                let mut c = v.walk();
                let found = v.named_children(&mut c).find_map(|p| match p.kind_name() {
                    "pair" => {
                        let k = p.field(Field::Key)?;
                        let name = ast::string_value(k, src)
                            .unwrap_or_else(|| ast::text(k, src).to_string());
                        (name == key).then(|| p.field(Field::Value)).flatten()
                    }
                    "shorthand_property_identifier" if ast::text(p, src) == key => Some(p),
                    _ => None,
                });
                found.is_some_and(|n| self.is_safe(n, depth + 1))
            }
            "call_expression" => {
                let Some(callee) = v
                    .field(Field::Function)
                    .filter(|f| f.kind_name() == "identifier")
                else {
                    return false;
                };
                match src.top_level_function(ast::text(callee, src)) {
                    Some(func) => self.returns_safe_property(func, key, depth + 1),
                    None => false,
                }
            }
            "identifier" => match src.declaration(v, ast::text(v, src)) {
                Some(b) if b.kind == BindingKind::Const && b.key.is_none() => b
                    .value
                    .is_some_and(|x| self.value_property_safe(x, key, depth + 1)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Every object returned by the function `func` has a safe `key`.
    fn returns_safe_property(&mut self, func: Node<'t>, key: &str, depth: usize) -> bool {
        let Some(body) = func.field(Field::Body) else {
            return false;
        };
        if body.kind_name() != "statement_block" {
            return self.value_property_safe(body, key, depth + 1);
        }
        let mut returns = Vec::new();
        ast::visit(body, &mut |n| {
            if n.kind_name() == "return_statement" {
                returns.push(n);
            }
            !ast::is_function(n)
        });
        !returns.is_empty()
            && returns.into_iter().all(|r| {
                r.named_child(0)
                    .is_some_and(|v| self.value_property_safe(v, key, depth + 1))
            })
    }

    fn is_safe_call(&mut self, call: Node<'t>, depth: usize) -> bool {
        let src = self.src;
        let Some(callee) = call.field(Field::Function) else {
            return false;
        };
        let args = ast::call_arguments(call);
        let (name, receiver) = match callee.kind_name() {
            "identifier" => (ast::text(callee, src), None),
            "member_expression" => (
                callee
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or(""),
                callee.field(Field::Object),
            ),
            _ => return false,
        };
        let receiver_path = receiver.and_then(|r| ast::member_path(r, src));
        if name.starts_with("escape") || name.starts_with("quote") {
            return true;
        }
        match (receiver_path.as_deref(), name) {
            (None, "Number" | "parseInt" | "parseFloat" | "Boolean" | "BigInt") => true,
            (None, "String") => args.first().is_some_and(|a| self.is_safe(*a, depth + 1)),
            (Some("Math" | "Number"), _) => true,
            (Some("Object"), "keys") => args
                .first()
                .is_some_and(|a| self.is_constant_container(*a, depth)),
            (_, "toFixed" | "toISOString" | "toPrecision" | "getTime" | "valueOf") => true,
            (_, "toString" | "toUpperCase" | "toLowerCase" | "trim") => {
                receiver.is_some_and(|r| self.is_safe(r, depth + 1))
            }
            (_, "join") => {
                receiver.is_some_and(|r| self.is_safe_array(r, depth + 1))
                    && args.iter().all(|a| self.is_safe(*a, depth + 1))
            }
            _ => false,
        }
    }

    /// An array whose elements are all safe: an array literal of safe values, a
    /// `const` bound to one, `.map(cb)` with a callback returning safe values,
    /// `.fill(safe)`, `Object.keys(CONSTANT)`.
    fn is_safe_array(&mut self, expr: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if depth > 6 {
            return false;
        }
        let src = self.src;
        let e = ast::unwrap_expr(expr);
        match e.kind_name() {
            "array" => {
                let mut c = e.walk();
                let elems: Vec<Node> = e
                    .named_children(&mut c)
                    .filter(|n| n.kind_name() != "comment")
                    .collect();
                elems.into_iter().all(|n| self.is_safe(n, depth + 1))
            }
            "identifier" => {
                let name = ast::text(e, src);
                if is_upper_const(name) {
                    return true;
                }
                match src.declaration(e, name) {
                    Some(b) if b.kind == BindingKind::Const && b.key.is_none() => {
                        b.value.is_some_and(|v| self.is_safe_array(v, depth + 1))
                            && self.additions_are_safe(b.decl, name, depth)
                    }
                    Some(b) if b.kind == BindingKind::Import => true,
                    _ => false,
                }
            }
            "call_expression" => {
                let Some(callee) = e.field(Field::Function) else {
                    return false;
                };
                if callee.kind_name() != "member_expression" {
                    return false;
                }
                let name = callee
                    .field(Field::Property)
                    .map(|p| ast::text(p, src))
                    .unwrap_or("");
                let args = ast::call_arguments(e);
                match name {
                    "map" | "flatMap" => args
                        .first()
                        .is_some_and(|f| self.callback_is_safe(*f, depth)),
                    "fill" => args.first().is_some_and(|v| self.is_safe(*v, depth + 1)),
                    "keys" => {
                        ast::member_path(callee, src).as_deref() == Some("Object.keys")
                            && args
                                .first()
                                .is_some_and(|a| self.is_constant_container(*a, depth))
                    }
                    "filter" | "slice" | "sort" | "concat" => callee
                        .field(Field::Object)
                        .is_some_and(|o| self.is_safe_array(o, depth + 1)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Everything added to the array `name` (declared at `decl`) in its scope
    /// with `push`/`unshift`/`splice` is safe: `conditions.push(`a = $${n}`)`.
    fn additions_are_safe(&mut self, decl: Node<'t>, name: &str, depth: usize) -> bool {
        let src = self.src;
        let scope = ast::enclosing_function(decl).unwrap_or_else(|| self.src.program(decl));
        let mut added = Vec::new();
        ast::visit(scope, &mut |n| {
            if n.kind_name() == "call_expression" {
                if let Some(f) = n.field(Field::Function) {
                    let on_name = f.kind_name() == "member_expression"
                        && f.field(Field::Object).is_some_and(|o| {
                            o.kind_name() == "identifier" && ast::text(o, src) == name
                        })
                        && f.field(Field::Property).is_some_and(|p| {
                            matches!(ast::text(p, src), "push" | "unshift" | "splice")
                        });
                    if on_name {
                        added.extend(ast::call_arguments(n));
                    }
                }
            }
            true
        });
        added.into_iter().all(|a| {
            let a = ast::unwrap_expr(a);
            if a.kind_name() == "spread_element" {
                return a
                    .named_child(0)
                    .is_some_and(|x| self.is_safe_array(x, depth + 1));
            }
            self.is_safe(a, depth + 1)
        })
    }

    /// A callback whose returned values are all safe (`(_, i) => `$${i + 1}``, `() => '?'`).
    fn callback_is_safe(&mut self, f: Node<'t>, depth: usize) -> bool {
        if !matches!(
            f.kind_name(),
            "arrow_function" | "function_expression" | "function"
        ) {
            return false;
        }
        let Some(body) = f.field(Field::Body) else {
            return false;
        };
        if body.kind_name() != "statement_block" {
            return self.is_safe(body, depth + 1);
        }
        let mut returns = Vec::new();
        ast::visit(body, &mut |n| {
            if n.kind_name() == "return_statement" {
                returns.push(n);
            }
            !ast::is_function(n)
        });
        !returns.is_empty()
            && returns
                .into_iter()
                .all(|r| r.named_child(0).is_some_and(|v| self.is_safe(v, depth + 1)))
    }

    /// An object/array whose values are all constants: an UPPER_CASE name, an
    /// enum, an import, or a `const` bound to an object/array literal of literals.
    fn is_constant_container(&mut self, expr: Node<'t>, depth: usize) -> bool {
        let Some(_level) = ast::descend() else {
            return false;
        };
        if depth > 6 {
            return false;
        }
        let src = self.src;
        let e = ast::unwrap_expr(expr);
        match e.kind_name() {
            "identifier" => {
                let name = ast::text(e, src);
                if is_upper_const(name) {
                    return true;
                }
                match src.declaration(e, name) {
                    Some(b) => match b.kind {
                        BindingKind::Enum | BindingKind::Import => true,
                        BindingKind::Const if b.key.is_none() => b
                            .value
                            .is_some_and(|v| self.is_constant_container(v, depth + 1)),
                        _ => false,
                    },
                    None => false,
                }
            }
            "member_expression" => e
                .field(Field::Object)
                .is_some_and(|o| self.is_constant_container(o, depth + 1)),
            "object" => {
                let mut c = e.walk();
                let values: Vec<Node> = e
                    .named_children(&mut c)
                    .filter_map(|p| match p.kind_name() {
                        "pair" => p.field(Field::Value),
                        "comment" => None,
                        _ => Some(p),
                    })
                    .collect();
                values.into_iter().all(|v| {
                    let v = ast::unwrap_expr(v);
                    if v.kind_name() == "object" || v.kind_name() == "array" {
                        self.is_constant_container(v, depth + 1)
                    } else {
                        v.kind_name() != "shorthand_property_identifier"
                            && self.is_safe(v, depth + 1)
                    }
                })
            }
            "array" => self.is_safe_array(e, depth + 1),
            _ => false,
        }
    }

    /// An identifier or property checked against an allowlist in its function,
    /// or bound from a `z.enum` schema parse.
    fn checked(&mut self, expr: Node<'t>) -> bool {
        let src = self.src;
        let scope = ast::enclosing_function(expr).unwrap_or_else(|| self.src.program(expr));
        let key = norm(expr, src);
        let (list, uses_zenum) = self
            .checks
            .entry(scope.id())
            .or_insert_with(|| collect_checks(scope, src));
        if list.contains(&key) {
            return true;
        }
        let uses_zenum = *uses_zenum;
        // Bound from a schema parse: `const { sort } = Query.parse(req.query)`.
        let root_name = key.split('.').next().unwrap_or("");
        let Some(root) = first_identifier(expr) else {
            return false;
        };
        let Some(b) = src.declaration(root, root_name) else {
            return false;
        };
        let Some(value) = b.value else {
            return false;
        };
        if !matches!(
            b.kind,
            BindingKind::Const | BindingKind::Let | BindingKind::Var
        ) {
            return false;
        }
        from_enum_schema(ast::unwrap_expr(value), uses_zenum, src)
    }
}

/// The `type`/`interface`/`enum` declared as `name` at the top level of the file
/// holding `at` (exported or not).
fn local_type<'t>(at: Node<'t>, name: &str, src: &Script<'t>) -> Option<Node<'t>> {
    let program = src.program(at);
    let mut c = program.walk();
    let found = program.named_children(&mut c).find_map(|stmt| {
        let decl = if stmt.kind_name() == "export_statement" {
            stmt.field(Field::Declaration)?
        } else {
            stmt
        };
        let declares = matches!(
            decl.kind_name(),
            "type_alias_declaration" | "interface_declaration" | "enum_declaration"
        ) && decl
            .field(Field::Name)
            .is_some_and(|n| ast::text(n, src) == name);
        declares.then_some(decl)
    });
    found
}

/// The leftmost identifier of a member/subscript chain.
fn first_identifier(expr: Node) -> Option<Node> {
    let mut e = ast::unwrap_expr(expr);
    loop {
        match e.kind_name() {
            "identifier" => return Some(e),
            "member_expression" | "subscript_expression" => {
                e = ast::unwrap_expr(e.field(Field::Object)?)
            }
            _ => return None,
        }
    }
}

fn mentions_enum(text: &str) -> bool {
    text.contains("z.enum(") || text.contains("nativeEnum(") || text.contains(".enum([")
}

/// `z.enum([...]).parse(x)`, or `Schema.parse(x)` where `Schema` is a const
/// whose definition uses `z.enum` (or the function itself uses `z.enum`).
fn from_enum_schema(value: Node, function_uses_zenum: bool, src: &Script<'_>) -> bool {
    let mut e = value;
    // `.data` of a safeParse result, `(await …)`.
    while e.kind_name() == "member_expression" {
        match e.field(Field::Object) {
            Some(o) => e = ast::unwrap_expr(o),
            None => return false,
        }
    }
    if e.kind_name() != "call_expression" {
        return false;
    }
    let Some(callee) = e.field(Field::Function) else {
        return false;
    };
    if callee.kind_name() != "member_expression" {
        return false;
    }
    let method = callee
        .field(Field::Property)
        .map(|p| ast::text(p, src))
        .unwrap_or("");
    if !matches!(
        method,
        "parse" | "safeParse" | "parseAsync" | "safeParseAsync"
    ) {
        return false;
    }
    let Some(schema) = callee.field(Field::Object) else {
        return false;
    };
    if mentions_enum(ast::text(schema, src)) || function_uses_zenum {
        return true;
    }
    let schema = ast::unwrap_expr(schema);
    if schema.kind_name() == "identifier" {
        if let Some(b) = src.declaration(schema, ast::text(schema, src)) {
            return b.value.is_some_and(|v| mentions_enum(ast::text(v, src)));
        }
    }
    false
}

/// The expressions checked against an allowlist in `scope`, and whether it uses `z.enum`.
fn collect_checks(scope: Node, src: &Script<'_>) -> (Vec<String>, bool) {
    let mut list = Vec::new();
    let mut zenum = false;
    ast::visit(scope, &mut |n| {
        match n.kind_name() {
            "call_expression" => {
                let path = ast::callee_path(n, src);
                let name = path
                    .as_deref()
                    .map(|p| p.rsplit('.').next().unwrap_or(""))
                    .or_else(|| {
                        n.field(Field::Function)
                            .and_then(|f| f.field(Field::Property))
                            .map(|p| ast::text(p, src))
                    })
                    .unwrap_or("");
                let args = ast::call_arguments(n);
                match name {
                    "includes" | "has" | "indexOf" | "hasOwnProperty" => {
                        if let Some(a) = args.first() {
                            list.push(norm(*a, src));
                        }
                    }
                    "hasOwn" => {
                        if let Some(a) = args.get(1) {
                            list.push(norm(*a, src));
                        }
                    }
                    "enum" | "nativeEnum" => zenum = true,
                    _ => {}
                }
            }
            "binary_expression" if operator(n, src) == Some("in") => {
                if let Some(l) = n.field(Field::Left) {
                    list.push(norm(l, src));
                }
            }
            _ => {}
        }
        true
    });
    (list, zenum)
}

// ---------------------------------------------------------------------------
// Fixes

/// The decoded SQL of a text piece (JS escapes of quotes and backticks removed),
/// for quote counting.
fn decoded(raw: &str) -> String {
    raw.replace("\\'", "'")
        .replace("\\`", "`")
        .replace("\\\"", "\"")
}

/// Whether a value may be bound as a parameter at this point of the SQL: `before`
/// is the SQL text before it (earlier values written as `0`), `after` the text after.
fn value_position(before: &str, after: &str) -> bool {
    if after
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '\'' | '$'))
    {
        return false;
    }
    let t = before.trim_end();
    if ["=", "<", ">", "+", "-", "*", "/", "%", "||"]
        .iter()
        .any(|op| t.ends_with(op))
    {
        // `->`/`->>` JSON operators take a value too; `--` starts a comment.
        return !t.ends_with("--");
    }
    if t.ends_with('(') || t.ends_with(',') {
        return in_value_list(t);
    }
    let word = last_word(t).to_ascii_uppercase();
    match word.as_str() {
        "LIKE" | "ILIKE" | "LIMIT" | "OFFSET" | "BETWEEN" | "THEN" | "ELSE" => true,
        "AND" => {
            static BETWEEN: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"(?i)\bBETWEEN\s+\S+\s+AND$").expect("valid regex"));
            BETWEEN.is_match(t)
        }
        _ => false,
    }
}

fn last_word(t: &str) -> &str {
    let start = t
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    &t[start..]
}

/// `t` ends inside a parenthesised list of values: `VALUES (…, `, `IN (`,
/// `= ANY(`, `lower(`, a further row of `VALUES (…), (`.
fn in_value_list(t: &str) -> bool {
    // Position of the innermost unclosed `(`.
    let open = |s: &str| -> Option<usize> {
        let mut depth = 0i32;
        for (i, c) in s.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' if depth == 0 => return Some(i),
                '(' => depth -= 1,
                _ => {}
            }
        }
        None
    };
    let Some(mut pos) = open(t) else {
        return false;
    };
    for _ in 0..1000 {
        let pre = t[..pos].trim_end();
        if let Some(rest) = pre.strip_suffix(',') {
            let rest = rest.trim_end();
            if !rest.ends_with(')') {
                return false;
            }
            // Skip back over the previous row `(…)`.
            let inner = &rest[..rest.len() - 1];
            match open(inner) {
                Some(p) => pos = p,
                None => return false,
            }
            continue;
        }
        let word = last_word(pre).to_ascii_uppercase();
        return matches!(
            word.as_str(),
            "VALUES" | "IN" | "ANY" | "ALL" | "LOWER" | "UPPER" | "COALESCE" | "TRIM"
        );
    }
    false
}

/// How one substitution becomes a parameter: the raw-text bytes to drop around
/// it (a surrounding `'…'`), or `None` when it cannot be bound as written.
struct ParamPlan {
    drop_before: usize,
    drop_after: usize,
}

/// Plan the parameter for each substitution in `bind` (by index among the
/// substitutions): `None` if any of them cannot be bound.
fn plan_bindings(
    pieces: &[Piece],
    bind: &[bool],
    src: &Script<'_>,
) -> Option<Vec<Option<ParamPlan>>> {
    let mut before = String::new();
    let mut plans = Vec::new();
    let mut sub_index = 0;
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(r) => before.push_str(&decoded(src.get(r.clone())?)),
            Piece::Sub(_) => {
                let this = sub_index;
                sub_index += 1;
                if !bind.get(this).copied().unwrap_or(false) {
                    plans.push(None);
                    before.push('0');
                    continue;
                }
                let raw_before = match i.checked_sub(1).map(|j| &pieces[j]) {
                    Some(Piece::Text(r)) => src.get(r.clone())?,
                    _ => "",
                };
                let raw_after = match pieces.get(i + 1) {
                    Some(Piece::Text(r)) => src.get(r.clone())?,
                    _ => "",
                };
                let quotes = before.matches('\'').count();
                let (ctx_before, drop_before, drop_after, after_text) = if quotes % 2 == 1 {
                    // Inside a SQL string: only `'${x}'` (the whole string) can be bound.
                    let db = if raw_before.ends_with("\\'") {
                        2
                    } else if raw_before.ends_with('\'') {
                        1
                    } else {
                        return None;
                    };
                    let da = if raw_after.starts_with("\\'") {
                        2
                    } else if raw_after.starts_with('\'') {
                        1
                    } else {
                        return None;
                    };
                    let ctx = before.strip_suffix('\'')?.to_string();
                    (ctx, db, da, decoded(&raw_after[da..]))
                } else {
                    (before.clone(), 0, 0, decoded(raw_after))
                };
                if !value_position(&ctx_before, &after_text) {
                    return None;
                }
                plans.push(Some(ParamPlan {
                    drop_before,
                    drop_after,
                }));
                before.push('0');
            }
        }
    }
    Some(plans)
}

/// Rebuild the template's content: substitutions in `plans` become `param(i)`
/// (with their quotes dropped), the others stay `${…}`.
fn rebuild(
    pieces: &[Piece],
    plans: &[Option<ParamPlan>],
    src: &Script<'_>,
    mut param: impl FnMut(usize) -> String,
) -> Option<String> {
    let mut out = String::new();
    let mut sub_index = 0;
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(r) => {
                let mut r = r.clone();
                if let Some(Piece::Sub(_)) = pieces.get(i + 1) {
                    if let Some(Some(b)) = plans.get(sub_index) {
                        r.end = r.end.checked_sub(b.drop_before)?;
                    }
                }
                if i > 0 && sub_index > 0 {
                    if let Some(Some(b)) = plans.get(sub_index - 1) {
                        r.start += b.drop_after;
                    }
                }
                if r.start < r.end {
                    out.push_str(src.get(r)?);
                }
            }
            Piece::Sub(sub) => {
                match plans.get(sub_index)? {
                    Some(_) => out.push_str(&param(sub_index)),
                    None => out.push_str(ast::text(*sub, src)),
                }
                sub_index += 1;
            }
        }
    }
    Some(out)
}

/// Whether the file uses a MySQL/SQLite driver (whose placeholders are `?`).
fn uses_question_mark_driver(src: &Script<'_>) -> bool {
    ["'mysql", "\"mysql", "'mariadb", "\"mariadb", "sqlite"]
        .iter()
        .any(|m| src.contains(m))
}

fn pg_fix<'t>(
    cx: &RuleContext<'_>,
    call: Node<'t>,
    tpl: Node<'t>,
    args: &[Node<'t>],
    safety: &mut Safety<'_, 't>,
) -> Option<Fix> {
    let script = cx.script();
    let src = &script;
    if uses_question_mark_driver(src) || args.first().map(|a| a.id()) != Some(tpl.id()) {
        return None;
    }
    let _ = call;
    let pieces = template_pieces(tpl)?;
    let classes = classify_template(&pieces, safety);
    if classes.iter().any(|(_, c)| *c == SubClass::Placeholder) {
        return None;
    }
    let static_text: String = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Text(r) => src.get(r.clone()),
            Piece::Sub(_) => None,
        })
        .collect();
    if static_text.contains('?') {
        return None;
    }
    let existing = PLACEHOLDER
        .captures_iter(&static_text)
        .filter_map(|c| c.get(1)?.as_str().parse::<usize>().ok())
        .max()
        .unwrap_or(0);
    // The values array to extend, if any.
    let values_array = match args.len() {
        1 if existing == 0 => None,
        2 => {
            let arr = ast::unwrap_expr(args[1]);
            if arr.kind_name() != "array" {
                return None;
            }
            let mut c = arr.walk();
            let elems: Vec<Node> = arr
                .named_children(&mut c)
                .filter(|n| n.kind_name() != "comment")
                .collect();
            if elems.iter().any(|e| e.kind_name() == "spread_element") || elems.len() != existing {
                return None;
            }
            Some((arr, elems))
        }
        _ => return None,
    };
    let bind: Vec<bool> = classes
        .iter()
        .map(|(_, c)| *c == SubClass::Unsafe)
        .collect();
    let plans = plan_bindings(&pieces, &bind, src)?;
    // Number the values; the same plain name or property gets the same number.
    let mut values: Vec<String> = Vec::new();
    let mut numbers: Vec<usize> = Vec::new();
    for (i, (expr, _)) in classes.iter().enumerate() {
        if !bind[i] {
            numbers.push(0);
            continue;
        }
        let text = ast::text(*expr, src).to_string();
        let reuse = ast::member_path(*expr, src).is_some();
        match values.iter().position(|v| reuse && *v == text) {
            Some(p) => numbers.push(existing + p + 1),
            None => {
                values.push(text);
                numbers.push(existing + values.len());
            }
        }
    }
    let content = rebuild(&pieces, &plans, src, |i| {
        format!("${}", numbers.get(i).copied().unwrap_or(0))
    })?;
    let keeps_substitutions = bind.iter().any(|b| !b);
    let literal = if keeps_substitutions || content.contains('\n') || content.contains('\r') {
        format!("`{content}`")
    } else {
        let unescaped = |q: char| {
            let mut prev = '\0';
            content.chars().any(|c| {
                let hit = c == q && prev != '\\';
                prev = if prev == '\\' && c == '\\' { '\0' } else { c };
                hit
            })
        };
        let preferred = ast::preferred_quote(src);
        let other = if preferred == '\'' { '"' } else { '\'' };
        if !unescaped(preferred) {
            format!("{preferred}{content}{preferred}")
        } else if !unescaped(other) {
            format!("{other}{content}{other}")
        } else {
            format!("`{content}`")
        }
    };
    let mut edits = Vec::new();
    match values_array {
        None => edits.push(Edit::replace(
            tpl.byte_range(),
            format!("{literal}, [{}]", values.join(", ")),
        )),
        Some((arr, elems)) => {
            edits.push(Edit::replace(tpl.byte_range(), literal));
            match elems.last() {
                Some(last) => edits.push(Edit::insert(
                    last.end_byte(),
                    format!(", {}", values.join(", ")),
                )),
                None => edits.push(Edit::insert(arr.start_byte() + 1, values.join(", "))),
            }
        }
    }
    Some(Fix::safe(
        "Pass the interpolated values as query parameters",
        edits,
    ))
}

fn prisma_fix<'t>(
    call: Node<'t>,
    tpl: Node<'t>,
    args: &[Node<'t>],
    execute: bool,
    safety: &mut Safety<'_, 't>,
) -> Option<Fix> {
    let src = safety.src;
    // tree-sitter cannot parse a tagged template with type arguments
    // (`prisma.$queryRaw<User[]>`…``): no fix rather than a file that looks broken.
    if args.len() != 1 || args[0].id() != tpl.id() || call.field(Field::TypeArguments).is_some() {
        return None;
    }
    let arguments = call.field(Field::Arguments)?;
    // Only `(`, the template, `)` (and a trailing comma): no comments to lose.
    let mut c = arguments.walk();
    if arguments
        .children(&mut c)
        .any(|n| !matches!(n.kind_name(), "(" | ")" | ",") && n.id() != tpl.id())
    {
        return None;
    }
    let property = ast::unwrap_expr(call.field(Field::Function)?).field(Field::Property)?;
    let pieces = template_pieces(tpl)?;
    let classes = classify_template(&pieces, safety);
    if classes.iter().any(|(_, c)| *c == SubClass::Placeholder) {
        return None;
    }
    // Every substitution becomes a parameter, constants included.
    let bind = vec![true; classes.len()];
    let plans = plan_bindings(&pieces, &bind, src)?;
    let subs: Vec<Node> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Sub(s) => Some(*s),
            _ => None,
        })
        .collect();
    let content = rebuild(&pieces, &plans, src, |i| {
        subs.get(i)
            .map(|s| ast::text(*s, src).to_string())
            .unwrap_or_default()
    })?;
    let tagged = if execute { "$executeRaw" } else { "$queryRaw" };
    Some(Fix::safe(
        format!("Use the tagged template `{tagged}`, which binds the values as parameters"),
        vec![
            Edit::replace(property.byte_range(), tagged),
            Edit::replace(arguments.byte_range(), format!("`{content}`")),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Level};
    use crate::rules::testing::*;

    const R: &str = "sql-injection";

    #[test]
    fn flags_interpolation_and_concatenation() {
        let src = "async function h(req, res) {\n  const id = req.params.id;\n  await pool.query(`SELECT * FROM users WHERE id = ${id}`);\n  await client.query(\"DELETE FROM sessions WHERE token = '\" + req.body.token + \"'\");\n  await prisma.$queryRawUnsafe(`SELECT * FROM t WHERE a = ${req.query.a}`);\n  await sequelize.query(`UPDATE users SET name = '${name}' WHERE id = 1`);\n  await knex.raw(`select * from users where email = '${email}'`);\n  await connection.execute('SELECT * FROM o WHERE u = ' + userId);\n  await sql.unsafe(`select * from t where x = ${x}`);\n  await this.db.query(`SELECT 1 FROM t WHERE a = ${a}`);\n}\n";
        let snippets = assert_flags(R, "src/routes/users.js", src, 8);
        assert_eq!(snippets[0], "`SELECT * FROM users WHERE id = ${id}`");
        assert_eq!(
            snippets[1],
            "\"DELETE FROM sessions WHERE token = '\" + req.body.token + \"'\""
        );
        let d = findings(R, "src/routes/users.js", src);
        assert!(d.iter().all(|x| x.level == Level::Error));
        assert!(d[0].message.contains("`id`"), "{}", d[0].message);
        assert!(d[0].message.contains("pool.query"), "{}", d[0].message);
    }

    #[test]
    fn flags_sql_built_in_a_local_variable_or_config_object() {
        let src = "export async function GET(req: Request) {\n  const q = new URL(req.url).searchParams.get('q');\n  const text = `SELECT * FROM posts WHERE title ILIKE '%${q}%'`;\n  const a = await pool.query(text);\n  const b = await pool.query({ text: `SELECT * FROM posts WHERE id = ${q}`, values: [] });\n  return Response.json([a, b]);\n}\n";
        let s = assert_flags(R, "app/api/search/route.ts", src, 2);
        assert_eq!(s[0], "text");
        let d = findings(R, "app/api/search/route.ts", src);
        assert!(d.iter().all(|x| x.fix().is_none()));
    }

    #[test]
    fn near_miss_tagged_templates() {
        assert_clean(
            R,
            "src/db.ts",
            "const a = await sql`SELECT * FROM users WHERE id = ${id}`;\nconst b = await prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;\nconst c = await prisma.$queryRaw(Prisma.sql`SELECT * FROM t WHERE id = ${id}`);\nconst d = await db.query(sql`SELECT * FROM t WHERE id = ${id}`);\nconst e = await db.execute(sql`select * from t where id = ${id}`);\n",
        );
    }

    #[test]
    fn near_miss_placeholders_with_values() {
        assert_clean(
            R,
            "src/db.ts",
            "await pool.query('SELECT * FROM users WHERE id = $1', [id]);\nawait connection.execute('SELECT * FROM t WHERE a = ? AND b = ?', [a, b]);\nawait knex.raw('select * from ?? where id = ?', [table, id]);\nawait pool.query({ text: 'SELECT * FROM t WHERE id = $1', values: [id] });\nawait pool.query(`SELECT * FROM t WHERE id = ANY($1)`, [ids]);\n",
        );
        // placeholder lists built from the values
        assert_clean(
            R,
            "src/db.ts",
            "const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');\nawait pool.query(`SELECT * FROM t WHERE id IN (${placeholders})`, ids);\nawait connection.query(`SELECT * FROM t WHERE id IN (${ids.map(() => '?').join(',')})`, ids);\nawait pool.query(`UPDATE t SET a = $${params.length} WHERE id = $1`, params);\nawait db.query('SELECT * FROM t WHERE a = $' + (i + 1), vals);\nconst marks = new Array(ids.length).fill('?').join(', ');\nawait db.query(`DELETE FROM t WHERE id IN (${marks})`, ids);\n",
        );
    }

    #[test]
    fn dynamic_where_clauses_built_with_push() {
        // placeholders pushed: clean
        assert_clean(
            R,
            "src/search.ts",
            "export async function search(f: Filters) {\n  const where: string[] = [];\n  const values: unknown[] = [];\n  if (f.name) { values.push(f.name); where.push(`name = $${values.length}`); }\n  if (f.active) where.push('active');\n  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';\n  return pool.query(`SELECT * FROM t ${clause}`, values);\n}\n",
        );
        // values pushed into the SQL text: flagged
        assert_flags(
            R,
            "src/search.ts",
            "export async function search(f: Filters) {\n  const where: string[] = [];\n  if (f.name) where.push(`name = '${f.name}'`);\n  return pool.query(`SELECT * FROM t WHERE ${where.join(' AND ')}`);\n}\n",
            1,
        );
    }

    #[test]
    fn near_miss_constants_and_numbers() {
        assert_clean(
            R,
            "src/repo.ts",
            "import { USERS } from './tables';\nimport { schema } from './config';\nconst TABLE = 'users';\nconst columns = 'id, email';\nconst COLS = ['id', 'email'];\nenum T { Users = 'users' }\nconst SORTS = { new: 'created_at DESC', old: 'created_at' };\nexport async function q(page: number, sort: string) {\n  const limit = 20;\n  await pool.query(`SELECT ${columns} FROM ${TABLE} LIMIT ${limit}`);\n  await pool.query(`SELECT ${COLS.join(', ')} FROM ${USERS} OFFSET ${(page - 1) * limit}`);\n  await pool.query(`SELECT * FROM ${schema}.${T.Users} ORDER BY ${SORTS[sort] ?? 'id'}`);\n  await pool.query(`SELECT * FROM t LIMIT ${Number(page)} OFFSET ${parseInt(sort, 10)}`);\n  await pool.query(`SELECT * FROM t WHERE n = ${ids.length} AND d > ${new Date().getTime()}`);\n  await pool.query('SELECT * FROM ' + TABLE + ' WHERE id = $1', [page]);\n  await pool.query(`SELECT * FROM t WHERE name = ${client.escapeLiteral(sort)}`);\n  await pool.query(`SELECT * FROM t ${page > 1 ? 'WHERE archived' : ''}`);\n}\n",
        );
    }

    #[test]
    fn near_miss_values_safe_by_type() {
        assert_clean(
            R,
            "src/report.ts",
            "type Dir = 'ASC' | 'DESC';\nenum Unit { Ms = 'ms' }\ninterface Page { size: number; order: Dir }\nconst SORTS = ['name', 'age'] as const;\nconst COLUMNS = { a: 'x', b: 'y' };\nexport async function list(limit: number, dir: Dir, on: boolean, unit: Unit, page: Page, sort: (typeof SORTS)[number], col: keyof typeof COLUMNS, { offset }: { offset?: number | null }) {\n  const n: 1 | 2 = 1;\n  await pool.query(`SELECT * FROM t ORDER BY ${sort} ${dir} LIMIT ${limit} OFFSET ${offset}`);\n  await pool.query(`SELECT ${col} FROM t WHERE on = ${on} AND u = '${unit}' AND n = ${n}`);\n  await pool.query(`SELECT * FROM t ORDER BY id ${page.order} LIMIT ${page.size}`);\n}\n",
        );
        // numbers parsed by a local function, read through its return type or value
        assert_clean(
            R,
            "src/jobs/eval.ts",
            "function parseArgs(argv: string[]) {\n  return { timeout: Number.parseInt(argv[0] ?? '60000', 10), days: parseInt(argv[1], 10) };\n}\nasync function run(opts: ReturnType<typeof parseArgs>) {\n  await client.query(`SET LOCAL statement_timeout = '${opts.timeout}ms'`);\n}\nasync function main() {\n  const opts = parseArgs(process.argv);\n  const { days } = parseArgs(process.argv);\n  await client.query(`SELECT * FROM t WHERE d > now() - interval '${opts.days} days' LIMIT ${days}`);\n}\n",
        );
    }

    #[test]
    fn values_typed_string_or_unknown_types_still_flagged() {
        let src = "import type { Filters } from './types';\ntype Opts = { name: string; size: number };\nfunction parse(a: string[]) { return { name: a[0] }; }\nexport async function f(name: string, q: string | number, filters: Filters, o: Opts, { who }: { who: string }, p: ReturnType<typeof parse>, anyv: any) {\n  await pool.query(`SELECT * FROM t WHERE name = '${name}'`);\n  await pool.query(`SELECT * FROM t WHERE q = ${q}`);\n  await pool.query(`SELECT * FROM t WHERE e = ${filters.event}`);\n  await pool.query(`SELECT * FROM t WHERE n = '${o.name}' LIMIT ${o.size}`);\n  await pool.query(`SELECT * FROM t WHERE w = '${who}'`);\n  await pool.query(`SELECT * FROM t WHERE p = '${p.name}'`);\n  await pool.query(`SELECT * FROM t WHERE a = ${anyv as number}`);\n}\n";
        assert_flags(R, "src/a.ts", src, 7);
    }

    #[test]
    fn set_and_ddl_get_no_placeholder_advice_or_fix() {
        let src = "export async function f(ms: string, name: string) {\n  await pool.query(`SET statement_timeout = ${ms}`);\n  await client.query(`SET LOCAL lock_timeout = '${ms}'`);\n  await pool.query(`CREATE DATABASE ${name}`);\n  await prisma.$executeRawUnsafe(`ALTER TABLE t RENAME TO ${name}`);\n  await pool.query(`SELECT * FROM t WHERE a = ${name}`);\n}\n";
        let d = findings(R, "src/a.ts", src);
        assert_eq!(d.len(), 5);
        for x in &d[..4] {
            assert!(x.fix().is_none(), "{}", x.message);
            assert!(
                x.message.contains("takes no bind parameters"),
                "{}",
                x.message
            );
            assert!(
                !x.message.contains("use `$1` placeholders"),
                "{}",
                x.message
            );
        }
        assert!(d[0].message.contains("`SET`"), "{}", d[0].message);
        assert!(d[0].message.contains("set_config"), "{}", d[0].message);
        assert!(d[1].message.contains("`SET LOCAL`"), "{}", d[1].message);
        assert!(
            d[2].message.contains("`CREATE DATABASE`"),
            "{}",
            d[2].message
        );
        assert!(d[2].message.contains("allowlist"), "{}", d[2].message);
        assert!(d[3].message.contains("`ALTER TABLE`"), "{}", d[3].message);
        assert!(
            d[4].message.contains("`$1` placeholders"),
            "{}",
            d[4].message
        );
        assert!(d[4].fix().is_some());
    }

    #[test]
    fn scripts_and_migrations_are_warnings() {
        let src = "export async function up(name: string) {\n  await db.query(`UPDATE t SET a = '${name}'`);\n}\n";
        for path in [
            "scripts/backfill.ts",
            "db/migrations/20240101_backfill.ts",
            "src/migration/1700000000-Fill.ts",
            "src/__tests__/x.test.ts",
        ] {
            let d = findings(R, path, src);
            assert_eq!(d.len(), 1, "{path}");
            assert_eq!(d[0].level, Level::Warn, "{path}");
        }
        let d = findings(R, "src/migrations.ts", src);
        assert_eq!(d[0].level, Level::Error);
    }

    #[test]
    fn message_quotes_code_on_one_line() {
        let src = "export async function f(cols: string[], id: string) {\n  await conn.execute(\n    `UPDATE t SET ${cols\n      .map((c) => `${c} = ?`)\n      .join(', ')} WHERE id = ?`,\n    [id],\n  );\n  await pool.query(`SELECT * FROM t WHERE a = ${someVeryLongFunctionName(\n    argumentNumberOne,\n    argumentNumberTwo,\n  )}`);\n}\n";
        let d = findings(R, "src/a.ts", src);
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message.starts_with("SQL built from `c` is passed"),
            "{}",
            d[0].message
        );
        assert!(!d[1].message.contains('\n'), "{}", d[1].message);
        assert!(
            d[1].message.contains("`someVeryLongFunctionName…`"),
            "{}",
            d[1].message
        );
    }

    #[test]
    fn near_miss_allowlist_and_zod_enum() {
        assert_clean(
            R,
            "src/app/api/items/route.ts",
            "const ALLOWED = ['name', 'created_at'];\nconst Query = z.object({ dir: z.enum(['asc', 'desc']) });\nexport async function GET(req: NextRequest) {\n  const sort = req.nextUrl.searchParams.get('sort') ?? 'name';\n  if (!ALLOWED.includes(sort)) return new Response('bad', { status: 400 });\n  const { dir } = Query.parse(Object.fromEntries(req.nextUrl.searchParams));\n  const order = z.enum(['asc', 'desc']).parse(req.nextUrl.searchParams.get('o'));\n  const col = new Set(['a', 'b']).has(req.nextUrl.searchParams.get('c')) ? req.nextUrl.searchParams.get('c') : 'a';\n  return pool.query(`SELECT * FROM items ORDER BY ${sort} ${dir}, ${col} ${order}`);\n}\n",
        );
        assert_clean(
            R,
            "src/items.ts",
            "export function list(field: string) {\n  if (!(field in COLUMN_MAP)) throw new Error('bad');\n  return db.query(`SELECT * FROM items ORDER BY ${field}`);\n}\n",
        );
        // the check must be in the same function
        assert_flags(
            R,
            "src/items.ts",
            "function ok(sort) { return ALLOWED.includes(sort); }\nexport function list(sort: string) {\n  return db.query(`SELECT * FROM items ORDER BY ${sort}`);\n}\n",
            1,
        );
    }

    #[test]
    fn near_miss_not_sql_or_not_a_raw_api() {
        assert_clean(
            R,
            "src/a.ts",
            "await pool.query(`${statement}`);\nawait queryClient.fetchQuery({ queryKey: [`user-${id}`] });\nconst msg = `SELECT * FROM t WHERE id = ${id}`;\nlogger.info(`select from ${x}`);\nawait fetch(`/api/query?select=${id}`);\nawait api.query(`SELECT * FROM t WHERE id = ${id}`);\n// pool.query(`SELECT * FROM t WHERE id = ${id}`)\nconst s = 'pool.query(`SELECT * FROM t WHERE id = ${id}`)';\n",
        );
    }

    #[test]
    fn flags_in_test_files_too_and_inside_errors() {
        assert_flags(
            R,
            "src/__tests__/db.test.ts",
            "await pool.query(`DELETE FROM users WHERE id = ${id}`);\n",
            1,
        );
        assert_flags(
            R,
            "src/a.ts",
            "const x = {;\nasync function f() {\n  await pool.query(`DELETE FROM users WHERE id = ${id}`);\n}\n",
            1,
        );
    }

    #[test]
    fn fix_pg_query_to_placeholders() {
        check_fix(
            R,
            "src/a.ts",
            "await pool.query(`SELECT * FROM users WHERE id = ${id} AND org = ${req.user.orgId}`);\n",
            false,
            "await pool.query('SELECT * FROM users WHERE id = $1 AND org = $2', [id, req.user.orgId]);\n",
        );
        // quotes around a whole value are dropped; double quote style is kept
        check_fix(
            R,
            "src/a.js",
            "const a = \"x\", b = \"y\";\nawait db.query(`UPDATE users SET name = '${name}', age = ${age} WHERE id = ${id}`);\n",
            false,
            "const a = \"x\", b = \"y\";\nawait db.query(\"UPDATE users SET name = $1, age = $2 WHERE id = $3\", [name, age, id]);\n",
        );
        // a SQL string literal in the text: the other quote
        check_fix(
            R,
            "src/a.ts",
            "await client.query(`SELECT * FROM t WHERE status = 'active' AND id IN (${a}, ${b}) LIMIT ${n}`);\n",
            false,
            "await client.query(\"SELECT * FROM t WHERE status = 'active' AND id IN ($1, $2) LIMIT $3\", [a, b, n]);\n",
        );
        // constants stay interpolated; a repeated name keeps its number
        check_fix(
            R,
            "src/a.ts",
            "const T = 'users';\nawait pool.query(`SELECT * FROM ${T} WHERE a = ${x} OR b = ${x}`);\n",
            false,
            "const T = 'users';\nawait pool.query(`SELECT * FROM ${T} WHERE a = $1 OR b = $1`, [x]);\n",
        );
        // multi-line SQL stays a template literal; VALUES rows
        check_fix(
            R,
            "src/a.ts",
            "await pool.query(`\n  INSERT INTO t (a, b)\n  VALUES (${a}, ${b}), (${c}, 'x')\n`);\n",
            false,
            "await pool.query(`\n  INSERT INTO t (a, b)\n  VALUES ($1, $2), ($3, 'x')\n`, [a, b, c]);\n",
        );
        // numbering continues after the existing placeholders of an array literal
        check_fix(
            R,
            "src/a.ts",
            "await pool.query(`SELECT * FROM t WHERE org = $1 AND id = ${id}`, [org]);\n",
            false,
            "await pool.query('SELECT * FROM t WHERE org = $1 AND id = $2', [org, id]);\n",
        );
    }

    #[test]
    fn no_fix_when_not_mechanical() {
        let cases = [
            // inside a longer string literal
            "await pool.query(`SELECT * FROM t WHERE name LIKE '%${q}%'`);\n",
            // identifier positions
            "await pool.query(`SELECT * FROM t ORDER BY ${sort}`);\n",
            "await pool.query(`SELECT * FROM ${table} WHERE id = 1`);\n",
            "await pool.query(`SELECT \"${col}\" FROM t WHERE id = 1`);\n",
            // existing placeholders without a matching values array
            "await pool.query(`SELECT * FROM t WHERE a = $1 AND b = ${b}`);\n",
            "await pool.query(`SELECT * FROM t WHERE a = $1 AND b = ${b}`, values);\n",
            // mysql-style placeholders or driver
            "await db.query(`SELECT * FROM t WHERE a = ? AND b = ${b}`, [a]);\n",
            "import mysql from 'mysql2/promise';\nawait db.query(`SELECT * FROM t WHERE b = ${b}`);\n",
            // concatenation, other APIs
            "await pool.query('SELECT * FROM t WHERE b = ' + b);\n",
            "await knex.raw(`select * from t where b = ${b}`);\n",
            "await prisma.$queryRawUnsafe(`SELECT * FROM t WHERE a = $1 AND b = ${b}`, a);\n",
            "await prisma.$queryRawUnsafe(`SELECT * FROM ${table}`);\n",
            // tree-sitter misparses a tagged template with type arguments
            "await prisma.$queryRawUnsafe<User[]>(`SELECT * FROM t WHERE id = ${id}`);\n",
        ];
        for src in cases {
            let d = findings(R, "src/a.ts", src);
            assert_eq!(d.len(), 1, "{src}");
            assert!(
                d[0].fix().is_none(),
                "unexpected fix for {src}: {:?}",
                d[0].fix()
            );
        }
    }

    #[test]
    fn fix_prisma_unsafe_to_tagged_template() {
        check_fix(
            R,
            "src/a.ts",
            "const rows = await prisma.$queryRawUnsafe(`SELECT * FROM \"User\" WHERE email = '${email}' AND age > ${age}`);\nawait tx.$executeRawUnsafe(`DELETE FROM t WHERE id = ${id}`,);\n",
            false,
            "const rows = await prisma.$queryRaw`SELECT * FROM \"User\" WHERE email = ${email} AND age > ${age}`;\nawait tx.$executeRaw`DELETE FROM t WHERE id = ${id}`;\n",
        );
        let d = findings(
            R,
            "src/a.ts",
            "await prisma.$queryRawUnsafe(`SELECT * FROM t WHERE id = ${id}`);\n",
        );
        assert_eq!(d[0].fix().unwrap().applicability, Applicability::Safe);
    }

    #[test]
    fn fix_keeps_crlf_and_non_ascii_offsets() {
        check_fix(
            R,
            "src/a.ts",
            "const greeting = 'café 😀';\r\nawait pool.query(`SELECT * FROM t WHERE name = ${greeting}x`);\r\nawait pool.query(`SELECT * FROM t WHERE id = ${id}`);\r\n",
            false,
            "const greeting = 'café 😀';\r\nawait pool.query(`SELECT * FROM t WHERE name = ${greeting}x`);\r\nawait pool.query('SELECT * FROM t WHERE id = $1', [id]);\r\n",
        );
        let src = "const s = 'café 😀'; await pool.query(`SELECT * FROM t WHERE id = ${id}`);\n";
        let d = findings(R, "src/a.ts", src);
        assert_eq!(d.len(), 1);
        assert_eq!(
            &src[d[0].range.clone()],
            "`SELECT * FROM t WHERE id = ${id}`"
        );
        assert_eq!(
            d[0].range.start,
            "const s = 'café 😀'; await pool.query(".len()
        );
    }
}
