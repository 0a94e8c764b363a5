//! Whether a function body is safe without a pinned `search_path`: schema-qualified
//! names, built-ins only.

use super::builtins::{BUILTIN_FUNCTIONS, BUILTIN_TYPES};
use crate::sql::function::FunctionOptions;
use crate::sql::SqlStatement;
use serde_json::Value;

/// Whether nothing in the body depends on the search path: every table and
/// non-built-in function is schema-qualified, every cast is to a built-in or
/// qualified type, no dynamic SQL. `false` when unsure.
pub(super) fn body_is_qualified(src: &str, stmt: &SqlStatement, info: &FunctionOptions) -> bool {
    body_queries(src, stmt, info).is_some_and(|(body, queries)| {
        queries.iter().all(|q| query_is_qualified(q)) && casts_are_builtin(body)
    })
}

/// Whether the body names no table and no function but built-in ones (and
/// casts only to built-in types): an invoker function like that can only be
/// redirected by objects created in the caller's own search path. `false` when
/// unsure.
pub(super) fn body_uses_only_builtins(
    src: &str,
    stmt: &SqlStatement,
    info: &FunctionOptions,
) -> bool {
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
pub(super) fn is_test_sql(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower
        .match_indices("test")
        .any(|(i, _)| i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphabetic())
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
