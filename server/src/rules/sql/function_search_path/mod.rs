//! The `function-search-path` rule: metadata, docs and the `check` entry with its top-
//! level
//! flow here; the rest by topic:
//! - `body`: whether a function body is safe without a pinned `search_path`: schema-
//!   qualified names, built-ins only.
//! - `builtins`: postgreSQL's built-in types and functions, which `search_path` cannot
//!   shadow.
//! - `fix`: the fix: add `SET search_path = ''` to the function's options.
//! - `tests`: the unit tests.

use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::qualified_from_list;
use crate::sql::function::{options, returns_trigger, FunctionOptions};
use crate::sql::lex::{self};
use crate::sql::{SqlFile, SqlStatement};
use body::{body_uses_only_builtins, is_test_sql};
use fix::fix;
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::CreateFunctionStmt;

mod body;
mod builtins;
mod fix;
#[cfg(test)]
mod tests;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "function-search-path",
        language: RuleLanguage::Sql,
        tier: 'A',
        default_level: Level::Warn,
        fix: FixKind::Sometimes,
        not_in_tests: false,
        summary: "A function without a fixed search_path (an error for SECURITY DEFINER)",
        docs: DOCS,
        triggers: &["function", "procedure"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
Flags `CREATE FUNCTION` and `CREATE PROCEDURE` (in any schema) without a fixed
`search_path`: neither a `SET search_path = …` option in the definition (the
option may sit on any line) nor a later `ALTER FUNCTION … SET search_path` in the
workspace's SQL files (read in migration order; `ALTER PROCEDURE` and `ALTER
ROUTINE` count too). The finding is an error for `SECURITY DEFINER` functions, a
warning otherwise. Functions with a SQL-standard body (`BEGIN ATOMIC … END`,
`RETURN …`), whose names are resolved when the function is created, and
`LANGUAGE c`/`internal` functions are not flagged. Runs in every PostgreSQL
project, not only Supabase ones.

Two kinds of functions are not reported (a `SECURITY DEFINER` one stays an
error): functions in test SQL (a path with the word `test`: helpers
that stub Supabase's `auth.uid()` on a bare PostgreSQL), and, outside Supabase
projects, invoker trigger functions whose body uses only built-in functions and
types (no table, no user function, no dynamic SQL: `new.updated_at := now()`):
built-ins resolve in `pg_catalog` first, whatever the caller's search_path
(unless it names `pg_catalog` explicitly after another schema).

## Why is this bad?
A function resolves the unqualified names in its body (tables, functions,
operators) through the caller's `search_path`. Whoever can create an object in a
schema that comes first can make the function call their code instead — with the
owner's rights when the function is `SECURITY DEFINER`. Supabase's database
linter reports this as "function search path mutable".

## Examples
```sql flagged lines=1
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
as $$
begin
  insert into public.profiles (id) values (new.id);
  return new;
end;
$$;
```

```sql ok
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id) values (new.id);
  return new;
end;
$$;
```

```sql ok
create function public.add(a int, b int) returns int
  language sql immutable
  return a + b;
```

## Fix
Adds `SET search_path = ''` before the body's `AS` (on its own line when the
function's options are on separate lines, with their indentation). The fix is
**safe** when the body only names schema-qualified tables and functions (or
built-in functions and types): nothing it uses depends on the search path. It is
**unsafe** when the body names a table, function or type without a schema, uses
dynamic SQL (`EXECUTE`), or cannot be analysed: with an empty search path those
names no longer resolve, so qualify them (`public.profiles`) when applying it.
No fix is offered inside `DO` blocks.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    for stmt in &sql.statements {
        let Some(NodeEnum::CreateFunctionStmt(f)) = stmt.kind() else {
            continue;
        };
        let info = options(f);
        if f.sql_body.is_some()
            || info.sets_search_path
            || matches!(info.language.as_str(), "c" | "internal")
        {
            continue;
        }
        let Some(name) = qualified_from_list(&f.funcname) else {
            continue;
        };
        let own = sql.own_facts(cx.source);
        let timeline = cx.facts.sql.timeline(cx.file.path, own);
        if timeline.search_path_set_after(&name, stmt.range.start) {
            continue;
        }
        report(cx, stmt, f, &info, &name);
    }
}

fn report(
    cx: &mut RuleContext<'_>,
    stmt: &SqlStatement,
    f: &CreateFunctionStmt,
    info: &FunctionOptions,
    name: &str,
) {
    let src = cx.source;
    let toks = lex::tokens(src, stmt.range.clone());
    let kind = if f.is_procedure {
        "Procedure"
    } else {
        "Function"
    };
    let Some((kw, name_range)) = crate::sql::function::name_in(src, &toks) else {
        return;
    };
    let (level, message) = if info.security_definer {
        (
            Level::Error,
            format!("{kind} `{name}` is SECURITY DEFINER without a fixed search_path: whoever controls the caller's search_path can make it run their objects with the owner's rights. Add `SET search_path = ''` and schema-qualify the names it uses."),
        )
    } else if is_test_sql(&cx.file.path_str())
        || (returns_trigger(f) && !cx.is_supabase() && body_uses_only_builtins(src, stmt, info))
    {
        // Test SQL (a stub for a bare Postgres), and outside Supabase an invoker
        // trigger function whose body uses only built-ins (they resolve in
        // `pg_catalog` first whatever the writer's search_path): nothing a
        // search_path can redirect in production. Measured on real repos, these
        // were all noise; SECURITY DEFINER (above) is still an error.
        return;
    } else {
        (
            Level::Warn,
            format!("{kind} `{name}` has no fixed search_path: the names in its body resolve through the caller's search_path. Add `SET search_path = ''` and schema-qualify the names it uses."),
        )
    };
    let fix = if stmt.in_do_block {
        None
    } else {
        fix(src, stmt, &toks[kw..], info)
    };
    let d = cx.report(name_range, message);
    d.with_level(level);
    if let Some(fix) = fix {
        d.with_fix(fix);
    }
}

/// Option keywords that may begin a line of the function's options.
const OPTION_WORDS: &[&str] = &[
    "language",
    "security",
    "external",
    "immutable",
    "stable",
    "volatile",
    "strict",
    "called",
    "leakproof",
    "not",
    "parallel",
    "cost",
    "rows",
    "support",
    "set",
    "window",
    "transform",
];
