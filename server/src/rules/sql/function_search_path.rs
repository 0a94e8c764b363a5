use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::qualified_from_list;
use crate::sql::lex::{self, Token};
use crate::sql::{SqlFile, SqlStatement};
use crate::text;
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{CreateFunctionStmt, VariableSetKind};
use serde_json::Value;

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

#[derive(Default)]
struct FunctionOptions {
    language: String,
    security_definer: bool,
    sets_search_path: bool,
    /// The body string(s) of `AS`.
    body: Vec<String>,
}

fn options(f: &CreateFunctionStmt) -> FunctionOptions {
    let mut info = FunctionOptions::default();
    for opt in &f.options {
        let Some(NodeEnum::DefElem(d)) = &opt.node else {
            continue;
        };
        let arg = d.arg.as_deref().and_then(|a| a.node.as_ref());
        match (d.defname.as_str(), arg) {
            ("language", Some(NodeEnum::String(s))) => info.language = s.sval.to_lowercase(),
            ("security", Some(NodeEnum::Boolean(b))) => info.security_definer = b.boolval,
            ("set", Some(NodeEnum::VariableSetStmt(v)))
                if v.name.eq_ignore_ascii_case("search_path")
                    && v.kind != VariableSetKind::VarReset as i32
                    && v.kind != VariableSetKind::VarResetAll as i32 =>
            {
                info.sets_search_path = true;
            }
            ("as", Some(NodeEnum::List(l))) => {
                info.body = l
                    .items
                    .iter()
                    .filter_map(crate::sql::facts::string_value)
                    .collect();
            }
            _ => {}
        }
    }
    info
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
    let Some(kw) = toks
        .iter()
        .position(|t| t.is_word(src, "function") || t.is_word(src, "procedure"))
    else {
        return;
    };
    let Some(name_range) = toks
        .get(kw + 1)
        .and_then(|t| lex::name_range(src, t.range.start))
    else {
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

fn fix(src: &str, stmt: &SqlStatement, toks: &[Token], info: &FunctionOptions) -> Option<Fix> {
    // The body's `AS`: the first `AS` outside parentheses.
    let mut depth = 0i32;
    let mut as_index = None;
    for (i, t) in toks.iter().enumerate() {
        if t.is_punct(src, "(") {
            depth += 1;
        } else if t.is_punct(src, ")") {
            depth -= 1;
        } else if depth == 0 && t.is_word(src, "as") {
            as_index = Some(i);
            break;
        }
    }
    let as_tok = toks.get(as_index?)?;
    let lower = as_tok.text(src) == "as";
    let setting = format!("{} search_path = ''", lex::keyword_case("SET", lower));
    let eol = text::line_ending(src);
    let line_start = src[..as_tok.range.start]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let before_on_line = &src[line_start..as_tok.range.start];
    let edit = if before_on_line.trim().is_empty() {
        // `AS` begins its line: the setting goes on its own line above it,
        // indented like the option line before it (or like `AS`).
        let as_indent = text::line_indent(src, as_tok.range.start);
        let prev_option = toks
            .iter()
            .rev()
            .find(|t| t.range.start < line_start)
            .map(|t| {
                let ls = src[..t.range.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
                toks.iter().find(|f| f.range.start >= ls).unwrap_or(t)
            })
            .filter(|first| {
                OPTION_WORDS.iter().any(|w| first.is_word(src, w))
                    && first.range.start > stmt.range.start
            });
        let indent = prev_option
            .map(|t| text::line_indent(src, t.range.start))
            .unwrap_or(as_indent);
        Edit::insert(line_start, format!("{indent}{setting}{eol}"))
    } else {
        // `AS` ends a line of options (`security definer as $$`): put the setting
        // on its own line before that line, unless it is the first line or the
        // RETURNS clause (options cannot precede RETURNS).
        let first_on_line = toks
            .iter()
            .find(|t| t.range.start >= line_start && t.range.start < as_tok.range.start);
        match first_on_line {
            Some(t)
                if line_start > stmt.range.start
                    && OPTION_WORDS.iter().any(|w| t.is_word(src, w)) =>
            {
                let indent = text::line_indent(src, t.range.start);
                Edit::insert(t.range.start, format!("{setting}{eol}{indent}"))
            }
            _ => Edit::insert(as_tok.range.start, format!("{setting} ")),
        }
    };
    let title = "Add `SET search_path = ''`";
    Some(if body_is_qualified(src, stmt, info) {
        Fix::safe(title, vec![edit])
    } else {
        Fix::unsafe_(
            format!("{title} (the body names objects without a schema or uses dynamic SQL: qualify them)"),
            vec![edit],
        )
    })
}

/// Whether nothing in the body depends on the search path: every table and
/// non-built-in function is schema-qualified, every cast is to a built-in or
/// qualified type, no dynamic SQL. `false` when unsure.
fn body_is_qualified(src: &str, stmt: &SqlStatement, info: &FunctionOptions) -> bool {
    body_queries(src, stmt, info).is_some_and(|(body, queries)| {
        queries.iter().all(|q| query_is_qualified(q)) && casts_are_builtin(body)
    })
}

/// Whether the body names no table and no function but built-in ones (and
/// casts only to built-in types): an invoker function like that can only be
/// redirected by objects created in the caller's own search path. `false` when
/// unsure.
fn body_uses_only_builtins(src: &str, stmt: &SqlStatement, info: &FunctionOptions) -> bool {
    body_queries(src, stmt, info).is_some_and(|(body, queries)| {
        queries.iter().all(|q| query_uses_only_builtins(q)) && casts_are_builtin(body)
    })
}

/// The body and its SQL texts (`None` for other languages, dynamic SQL or a
/// body that cannot be analysed).
fn body_queries<'i>(
    src: &str,
    stmt: &SqlStatement,
    info: &'i FunctionOptions,
) -> Option<(&'i str, Vec<String>)> {
    let [body] = info.body.as_slice() else {
        return None;
    };
    let queries = match info.language.as_str() {
        "sql" => vec![body.clone()],
        "plpgsql" => plpgsql_queries(src, stmt, body)?,
        _ => return None,
    };
    Some((body, queries))
}

/// Test helper SQL: a path with the word `test` (`test/`, `__tests__/`,
/// `setup-test-db.sql`, `rls.test.sql`; not `latest.sql` or `contest/`).
fn is_test_sql(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower
        .match_indices("test")
        .any(|(i, _)| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphabetic())
}

/// `RETURNS trigger` (or `event_trigger`).
fn returns_trigger(f: &CreateFunctionStmt) -> bool {
    f.return_type.as_ref().is_some_and(|t| {
        t.names
            .last()
            .and_then(crate::sql::facts::string_value)
            .is_some_and(|n| {
                n.eq_ignore_ascii_case("trigger") || n.eq_ignore_ascii_case("event_trigger")
            })
    })
}

fn query_uses_only_builtins(query: &str) -> bool {
    let Ok(parsed) = crate::sql::pg_parse(query) else {
        return false;
    };
    parsed.tables.is_empty()
        && parsed.functions.iter().all(|(f, _)| {
            let f = f.to_ascii_lowercase();
            let f = f.strip_prefix("pg_catalog.").unwrap_or(&f);
            BUILTIN_FUNCTIONS.contains(&f)
        })
}

/// Every SQL text in a PL/pgSQL body, as parseable statements; `None` when the
/// body uses dynamic SQL or a declaration that depends on the search path.
fn plpgsql_queries(src: &str, stmt: &SqlStatement, body: &str) -> Option<Vec<String>> {
    let mut tag = String::from("$prodlint$");
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$prodlint{n}$");
    }
    // Trigger functions: libpg_query cannot serialise their NEW/OLD records, so
    // the body is wrapped as a plain function (with the same parameters).
    let text = src.get(stmt.range.clone())?;
    let params = text
        .find('(')
        .and_then(|open| {
            let mut depth = 0;
            for (i, c) in text[open..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(&text[open..open + i + 1]);
                        }
                    }
                    _ => {}
                }
            }
            None
        })
        .unwrap_or("()");
    // NEW/OLD and the TG_ variables are declared in an outer block.
    let semi = if body.trim_end().ends_with(';') {
        ""
    } else {
        ";"
    };
    let wrapped = format!(
        "CREATE FUNCTION prodlint_fn{params} RETURNS int LANGUAGE plpgsql AS {tag}DECLARE new record; old record; \
         tg_op text; tg_name text; tg_when text; tg_level text; tg_table_name text; tg_table_schema text; \
         tg_relname text; tg_relid oid; tg_nargs int; tg_argv text[];\nBEGIN\n{body}{semi}\nEND{tag}"
    );
    let json = pg_query::parse_plpgsql(&wrapped).ok()?;
    let mut out = Vec::new();
    let mut ok = true;
    walk_plpgsql(&json, body, &mut out, &mut ok);
    ok.then_some(out)
}

fn walk_plpgsql(v: &Value, body: &str, out: &mut Vec<String>, ok: &mut bool) {
    match v {
        Value::Object(map) => {
            for (key, val) in map {
                if key.starts_with("PLpgSQL_stmt_dyn") || key == "dynquery" {
                    *ok = false;
                }
                match key.as_str() {
                    "PLpgSQL_expr" => {
                        let query = val.get("query").and_then(Value::as_str).unwrap_or("");
                        let mode = val.get("parseMode").and_then(Value::as_u64).unwrap_or(0);
                        out.push(match mode {
                            0 => query.to_string(),
                            2 => format!("SELECT {query}"),
                            _ => {
                                // assignment: `target := expr` / `target = expr`
                                let rhs = query
                                    .split_once(":=")
                                    .or_else(|| query.split_once('='))
                                    .map(|(_, r)| r)
                                    .unwrap_or(query);
                                format!("SELECT {rhs}")
                            }
                        });
                    }
                    "PLpgSQL_type" => {
                        let ty = val.get("typname").and_then(Value::as_str).unwrap_or("");
                        if let Some((target, _)) = ty.split_once('%') {
                            // `t%ROWTYPE` / `t.col%TYPE` need the relation's schema
                            let dots = target.matches('.').count();
                            let needed = if ty.to_ascii_lowercase().ends_with("%rowtype") {
                                1
                            } else {
                                2
                            };
                            if dots < needed {
                                *ok = false;
                            }
                        }
                    }
                    "PLpgSQL_rec" => {
                        // a variable of a type the parser could not resolve (a
                        // user type, maybe unqualified) unless declared `record`
                        let name = val.get("refname").and_then(Value::as_str).unwrap_or("");
                        if !matches!(name, "new" | "old") && !declared_as_record(body, name) {
                            *ok = false;
                        }
                    }
                    _ => {}
                }
                walk_plpgsql(val, body, out, ok);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk_plpgsql(i, body, out, ok)),
        _ => {}
    }
}

fn declared_as_record(body: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower.get(from..).and_then(|s| s.find(&name)) {
        let at = from + i;
        let before_ok = lower[..at]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let rest = lower[at + name.len()..].trim_start();
        if before_ok
            && rest.starts_with("record")
            && !rest["record".len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            return true;
        }
        from = at + name.len();
    }
    false
}

fn query_is_qualified(query: &str) -> bool {
    let Ok(parsed) = crate::sql::pg_parse(query) else {
        return false;
    };
    parsed.tables.iter().all(|(t, _)| t.contains('.'))
        && parsed.functions.iter().all(|(f, _)| {
            f.contains('.') || BUILTIN_FUNCTIONS.contains(&f.to_ascii_lowercase().as_str())
        })
}

/// Casts (`::type`) to built-in or schema-qualified types only.
fn casts_are_builtin(body: &str) -> bool {
    let mut rest = body;
    while let Some(i) = rest.find("::") {
        rest = &rest[i + 2..];
        let t = rest.trim_start();
        let name: String = t
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '"')
            .collect();
        let after = &t[name.len()..];
        if after.trim_start().starts_with('.') {
            continue;
        }
        let lower = name.trim_matches('"').to_ascii_lowercase();
        if !BUILTIN_TYPES.contains(&lower.as_str()) {
            return false;
        }
    }
    true
}

const BUILTIN_TYPES: &[&str] = &[
    "text",
    "varchar",
    "char",
    "character",
    "bpchar",
    "name",
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "bigint",
    "smallint",
    "numeric",
    "decimal",
    "real",
    "float",
    "float4",
    "float8",
    "double",
    "boolean",
    "bool",
    "uuid",
    "json",
    "jsonb",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "bytea",
    "regclass",
    "regproc",
    "regtype",
    "regrole",
    "oid",
    "inet",
    "cidr",
    "money",
    "record",
    "void",
    "tsvector",
    "tsquery",
    "xml",
    "bit",
    "varbit",
    "serial",
    "bigserial",
];

/// Common functions of `pg_catalog`, which is searched even with an empty search path.
const BUILTIN_FUNCTIONS: &[&str] = &[
    "now",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "bool_and",
    "bool_or",
    "every",
    "array_agg",
    "string_agg",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "to_json",
    "to_jsonb",
    "row_to_json",
    "jsonb_set",
    "jsonb_insert",
    "jsonb_strip_nulls",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "json_array_elements",
    "jsonb_each",
    "jsonb_each_text",
    "jsonb_object_keys",
    "jsonb_typeof",
    "jsonb_array_length",
    "jsonb_path_query",
    "jsonb_pretty",
    "length",
    "char_length",
    "octet_length",
    "lower",
    "upper",
    "initcap",
    "trim",
    "btrim",
    "ltrim",
    "rtrim",
    "lpad",
    "rpad",
    "concat",
    "concat_ws",
    "format",
    "replace",
    "split_part",
    "strpos",
    "left",
    "right",
    "repeat",
    "reverse",
    "md5",
    "sha256",
    "encode",
    "decode",
    "regexp_replace",
    "regexp_match",
    "regexp_matches",
    "regexp_split_to_array",
    "string_to_array",
    "array_to_string",
    "quote_ident",
    "quote_literal",
    "quote_nullable",
    "to_char",
    "to_date",
    "to_timestamp",
    "to_number",
    "date_trunc",
    "date_part",
    "age",
    "make_interval",
    "make_date",
    "make_timestamp",
    "make_timestamptz",
    "gen_random_uuid",
    "random",
    "floor",
    "ceil",
    "ceiling",
    "round",
    "trunc",
    "abs",
    "mod",
    "power",
    "sqrt",
    "greatest",
    "least",
    "array_length",
    "array_append",
    "array_prepend",
    "array_remove",
    "array_cat",
    "array_position",
    "cardinality",
    "unnest",
    "generate_series",
    "current_setting",
    "set_config",
    "nextval",
    "currval",
    "setval",
    "lastval",
    "pg_notify",
    "row_number",
    "rank",
    "dense_rank",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "coalesce",
    "nullif",
    "exists",
    "pg_advisory_xact_lock",
    "pg_advisory_lock",
    "pg_advisory_unlock",
    "pg_try_advisory_xact_lock",
    "txid_current",
    "pg_sleep",
    "num_nonnulls",
    "num_nulls",
    "to_tsvector",
    "to_tsquery",
    "plainto_tsquery",
    "websearch_to_tsquery",
    "ts_rank",
    "setweight",
    "inet_client_addr",
    "uuid_extract_timestamp",
    "date_bin",
    "extract",
    "jsonb_to_record",
    "jsonb_populate_record",
    "json_populate_record",
];

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Level};
    use crate::rules::testing::*;
    use crate::sql::facts::SqlFileFacts;
    use crate::workspace::WorkspaceFacts;
    use std::path::{Path, PathBuf};

    const R: &str = "function-search-path";
    const P: &str = "supabase/migrations/20240101000000_init.sql";

    const DEFINER: &str = "create or replace function public.handle_new_user()\nreturns trigger\nlanguage plpgsql\nsecurity definer\nas $$\nbegin\n  insert into public.profiles (id, email) values (new.id, new.email);\n  return new;\nend;\n$$;\n";

    #[test]
    fn flags_functions_and_procedures_with_levels() {
        let d = findings(R, P, DEFINER);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].level, Level::Error);
        assert_eq!(&DEFINER[d[0].range.clone()], "public.handle_new_user");
        let text = "CREATE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$ LANGUAGE plpgsql;\nCREATE PROCEDURE app.cleanup() LANGUAGE sql AS 'delete from app.jobs where done';\ncreate function f(a int) returns int language sql security invoker as 'select a';\n";
        let got = assert_flags(R, "supabase/migrations/001.sql", text, 3);
        assert_eq!(got, vec!["touch", "app.cleanup", "f"]);
        // outside Supabase, the invoker trigger function that uses only
        // built-ins (`touch`) is not a finding; the others stay warnings
        let levels: Vec<Level> = findings(R, "db/001.sql", text)
            .iter()
            .map(|d| d.level)
            .collect();
        assert_eq!(levels, vec![Level::Warn, Level::Warn]);
    }

    #[test]
    fn test_sql_is_quiet_but_security_definer_stays_an_error() {
        let stub = "create function auth.uid() returns uuid language sql as $$ select '00000000-0000-0000-0000-000000000000'::uuid $$;\n";
        for path in [
            "packages/db/src/test/helpers/setup.sql",
            "supabase/tests/rls.test.sql",
        ] {
            assert!(findings(R, path, stub).is_empty(), "{path}");
            let d = findings(R, path, DEFINER);
            assert_eq!(d[0].level, Level::Error, "{path}");
        }
        for path in [
            "db/migrations/1.sql",
            "db/latest_schema.sql",
            "contest/x.sql",
        ] {
            assert_eq!(findings(R, path, stub)[0].level, Level::Warn, "{path}");
        }
    }

    #[test]
    fn builtin_only_invoker_triggers_are_quiet_outside_supabase_only() {
        let touch = "create function touch() returns trigger as $$\nbegin\n  new.payload := jsonb_build_object('at', now(), 'n', coalesce(jsonb_array_length(new.items), 0));\n  return new;\nend;\n$$ language plpgsql;\n";
        let level = |path: &str, text: &str| findings(R, path, text)[0].level;
        assert!(findings(R, "prisma/migrations/1/migration.sql", touch).is_empty());
        // a Supabase project: a warning (the caller may be any API user)
        assert_eq!(level(P, touch), Level::Warn);
        // a table, a user function, an unknown cast, dynamic SQL: a warning
        for body in [
            "insert into audit (at) values (now())",
            "new.slug := slugify(new.title)",
            "new.state := 'open'::ticket_state",
            "execute 'select 1'",
            "insert into public.audit (at) values (now())",
        ] {
            let text = format!("create function t() returns trigger language plpgsql as $$ begin {body}; return new; end $$;\n");
            assert_eq!(level("db/1.sql", &text), Level::Warn, "{body}");
        }
        // not a trigger: a warning
        let f = "create function f(a int) returns int language sql as 'select abs(a)';\n";
        assert_eq!(level("db/1.sql", f), Level::Warn);
        // SECURITY DEFINER trigger: an error
        let d = touch.replace("as $$", "security definer as $$");
        assert_eq!(level("db/1.sql", &d), Level::Error);
    }

    #[test]
    fn near_miss_search_path_in_definition() {
        assert_clean(R, P, "create function f() returns int language sql\n  set search_path = ''\n  as 'select 1';\n");
        // split across lines, other spellings
        assert_clean(R, P, "create function f() returns int language sql SET\n  search_path\n  TO public, extensions as 'select 1';\n");
        assert_clean(R, P, "create function f() returns int language sql set search_path from current as 'select 1';\n");
        assert_clean(R, P, "create function f() returns int security definer set search_path = pg_catalog, public language plpgsql as $$ begin return 1; end $$;\n");
    }

    #[test]
    fn near_miss_standard_body_c_and_comments() {
        assert_clean(
            R,
            P,
            "create function add(a int, b int) returns int language sql immutable return a + b;\n",
        );
        assert_clean(
            R,
            P,
            "create function one() returns int language sql begin atomic select 1; end;\n",
        );
        assert_clean(R, P, "create function c_fn(int) returns int as 'MODULE_PATHNAME', 'c_fn' language c strict;\n");
        assert_clean(R, P, "-- create function f() returns int language sql as 'select 1';\nselect 'create function g() returns int';\n");
    }

    #[test]
    fn near_miss_alter_function_later() {
        assert_clean(R, P, "create function f() returns int language sql as 'select 1';\nalter function f() set search_path = '';\n");
        assert_clean(R, P, "create procedure p() language sql as 'select 1';\nalter procedure public.p set search_path to public;\n");
        assert_clean(R, P, "create function f() returns int language sql as 'select 1';\nDO $$ BEGIN ALTER FUNCTION f SET search_path = ''; END $$;\n");
        // an ALTER before the CREATE (OR REPLACE resets the settings) does not count
        assert_flags(R, P, "alter function f() set search_path = '';\ncreate or replace function f() returns int language sql as 'select 1';\n", 1);
        // RESET is not a fixed path
        assert_flags(R, P, "create function f() returns int language sql as 'select 1';\nalter function f() reset search_path;\n", 1);
    }

    #[test]
    fn later_migration_in_the_workspace() {
        let files = [
            ("supabase/migrations/1_fn.sql", "create function public.f() returns int language sql as 'select 1';\ncreate function g() returns int language sql as 'select 1';"),
            ("supabase/migrations/2_fix.sql", "alter function f() set search_path = '';"),
        ];
        let mut w = WorkspaceFacts::default();
        for (p, t) in files {
            w.sql.insert(PathBuf::from(p), SqlFileFacts::extract(t));
        }
        let d = findings_with(
            R,
            files[0].0,
            files[0].1,
            &crate::config::Config::default_for(Path::new("")),
            &w,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(&files[0].1[d[0].range.clone()], "g");
    }

    #[test]
    fn functions_inside_do_blocks_are_flagged_without_fix() {
        let text = "DO $do$\nBEGIN\n  CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ select 1 $$;\nEND\n$do$;\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "f");
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn fix_on_its_own_line_before_as() {
        check_fix(
            R,
            P,
            DEFINER,
            false,
            "create or replace function public.handle_new_user()\nreturns trigger\nlanguage plpgsql\nsecurity definer\nset search_path = ''\nas $$\nbegin\n  insert into public.profiles (id, email) values (new.id, new.email);\n  return new;\nend;\n$$;\n",
        );
        // indented options, AS at the end of an option line
        check_fix(
            R,
            P,
            "CREATE FUNCTION public.f()\n    RETURNS int\n    LANGUAGE sql\n    STABLE AS $$ select 1 $$;\n",
            false,
            "CREATE FUNCTION public.f()\n    RETURNS int\n    LANGUAGE sql\n    SET search_path = ''\n    STABLE AS $$ select 1 $$;\n",
        );
    }

    #[test]
    fn fix_follows_the_indentation_of_the_options() {
        // `supabase db diff` style: options indented by one space, AS at column 0
        check_fix(
            R,
            P,
            "CREATE OR REPLACE FUNCTION public.f()\n RETURNS trigger\n LANGUAGE plpgsql\n SECURITY DEFINER\nAS $function$\nbegin\n  return new;\nend;\n$function$\n;\n",
            false,
            "CREATE OR REPLACE FUNCTION public.f()\n RETURNS trigger\n LANGUAGE plpgsql\n SECURITY DEFINER\n SET search_path = ''\nAS $function$\nbegin\n  return new;\nend;\n$function$\n;\n",
        );
        // AS right after RETURNS on its own line: indented like AS
        check_fix(
            R,
            P,
            "create function public.f()\n  returns int\n  as $$ select 1 $$ language sql;\n",
            false,
            "create function public.f()\n  returns int\n  set search_path = ''\n  as $$ select 1 $$ language sql;\n",
        );
    }

    #[test]
    fn fix_inline_when_on_one_line() {
        check_fix(
            R,
            P,
            "create function f(a int default cast(1 as int)) returns table (x int) language sql as $$ select a $$;\n",
            false,
            "create function f(a int default cast(1 as int)) returns table (x int) language sql set search_path = '' as $$ select a $$;\n",
        );
        check_fix(
            R,
            P,
            "CREATE FUNCTION touch()\nRETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$ LANGUAGE plpgsql;\n",
            false,
            "CREATE FUNCTION touch()\nRETURNS trigger SET search_path = '' AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$ LANGUAGE plpgsql;\n",
        );
    }

    fn applicability(text: &str) -> Applicability {
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1, "{text}");
        d[0].fix().expect("a fix").applicability
    }

    #[test]
    fn fix_is_unsafe_when_the_body_depends_on_the_search_path() {
        assert_eq!(applicability(DEFINER), Applicability::Safe);
        assert_eq!(applicability("create function f() returns bigint language sql as $$ select count(*) from public.orders $$;"), Applicability::Safe);
        assert_eq!(applicability("create function f() returns bigint language sql as $$ select count(*) from orders $$;"), Applicability::Unsafe);
        assert_eq!(
            applicability(
                "create function f() returns uuid language sql as $$ select uuid_generate_v4() $$;"
            ),
            Applicability::Unsafe
        );
        assert_eq!(applicability("create function f() returns uuid language sql as $$ select extensions.uuid_generate_v4() $$;"), Applicability::Safe);
        assert_eq!(
            applicability(
                "create function f() returns text language sql as $$ select 'a'::mood $$;"
            ),
            Applicability::Unsafe
        );
        assert_eq!(applicability("create function f() returns text language sql as $$ select 'a'::public.mood::text $$;"), Applicability::Safe);
        assert_eq!(applicability("create function f() returns void language plpgsql as $$ begin execute 'delete from public.t'; end $$;"), Applicability::Unsafe);
        assert_eq!(applicability("create function f() returns void language plpgsql as $$ declare r profiles%rowtype; begin select * into r from public.profiles; end $$;"), Applicability::Unsafe);
        assert_eq!(applicability("create function f() returns void language plpgsql as $$ declare r record; n int := 0; begin for r in select * from public.t loop n := n + 1; end loop; if n > (select count(*) from t2) then return; end if; end $$;"), Applicability::Unsafe);
        assert_eq!(applicability("create function f() returns void language plpgsql as $$ declare r record; n int := 0; begin for r in select * from public.t loop n := n + 1; end loop; end $$;"), Applicability::Safe);
        assert_eq!(applicability("create function f() returns void language plpgsql as $$ declare m mood; begin m := 'a'; end $$;"), Applicability::Unsafe);
        assert_eq!(
            applicability("create function f() returns int language plpython3u as $$ return 1 $$;"),
            Applicability::Unsafe
        );
    }

    #[test]
    fn fix_on_crlf_file_with_non_ascii_text() {
        let before = "-- café 😀\r\ncreate function public.greet()\r\n  returns text\r\n  language sql\r\n  as $$ select 'café 😀' $$;\r\n";
        let d = findings(R, P, before);
        assert_eq!(d.len(), 1);
        assert_eq!(&before[d[0].range.clone()], "public.greet");
        check_fix(
            R,
            P,
            before,
            false,
            "-- café 😀\r\ncreate function public.greet()\r\n  returns text\r\n  language sql\r\n  set search_path = ''\r\n  as $$ select 'café 😀' $$;\r\n",
        );
    }
}
