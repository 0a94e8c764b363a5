use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::{Edit, Fix, Level};
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::expr::{self, func_name};
use crate::sql::{lex, SqlFile};
use pg_query::protobuf::node::Node as NodeEnum;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "rls-initplan",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Info,
        fix: FixKind::Safe,
        not_in_tests: false,
        summary: "An RLS policy calling auth.uid() / auth.jwt() / current_setting() per row instead of (select auth.uid())",
        docs: DOCS,
        triggers: &["policy"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, flags calls of `auth.uid()`, `auth.jwt()`, `auth.role()`,
`auth.email()` and `current_setting(…)` in the `USING` or `WITH CHECK` condition
of a `CREATE POLICY` or `ALTER POLICY` that are not wrapped in a sub-select
such as `(select auth.uid())`. A call inside a larger sub-query
(`exists (select 1 from members where user_id = auth.uid())`) is flagged too:
it runs once per row of that sub-query. A call that is already the target of a
`SELECT` without `FROM` (`(select auth.uid())`, `(select auth.jwt() ->> 'role')`)
is not. Statements inside `DO $$ … $$` blocks count. Supabase's Security
Advisor reports the same as `auth_rls_initplan` (it also lists `auth.role()` and
`auth.email()`, which is why prodlint does).

## Why is this bad?
PostgreSQL evaluates a function call in a policy condition for every row the
query touches. Wrapped in a sub-select, the call becomes an *init plan*: it is
evaluated once per statement and its result reused. On large tables, Supabase
measured the wrapped form to be orders of magnitude faster. The result is the
same: these functions return the same value for the whole statement.

## Examples
```sql flagged lines=2
create policy "own rows" on public.todos for select to authenticated
  using (auth.uid() = user_id);
```

```sql ok
create policy "own rows" on public.todos for select to authenticated
  using ((select auth.uid()) = user_id);
create policy "admins" on public.todos for delete to authenticated
  using ((select auth.jwt() ->> 'role') = 'admin');
```

## Fix
Safe: wraps the call as written in `(select …)` (the file's keyword case):
`auth.uid() = user_id` becomes `(select auth.uid()) = user_id`. Not offered inside
`EXECUTE '…'` strings.
"#;

/// The functions whose value is fixed for the statement: `auth.*` helpers read
/// the request's JWT claims, `current_setting` a setting.
fn is_statement_stable(name: &[&str]) -> bool {
    matches!(
        name,
        ["auth", "uid" | "jwt" | "role" | "email"]
            | ["current_setting"]
            | ["pg_catalog", "current_setting"]
    )
}

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    let src = cx.source;
    for (stmt, policy) in expr::policies(sql) {
        let mut calls = Vec::new();
        for cond in policy.conditions.into_iter().flatten() {
            expr::walk(cond, |node, in_scalar_select| {
                if let Some(NodeEnum::FuncCall(call)) = node.node.as_ref() {
                    let name = func_name(call);
                    if !in_scalar_select && is_statement_stable(&name) {
                        calls.push((stmt.offset(call.location), name.join(".")));
                    }
                }
            });
        }
        let fixable = !sql.in_execute_string(stmt);
        let lower = lex::lowercase_keywords(src, &stmt.range);
        if calls.is_empty() {
            continue;
        }
        let toks = lex::tokens(src, stmt.range.clone());
        for (at, name) in calls {
            let Some(range) = lex::call_range(src, &toks, at) else {
                continue;
            };
            let written = &src[range.clone()];
            let wrapped = format!("({} {written})", lex::keyword_case("SELECT", lower));
            let message = format!(
                "`{written}` in policy \"{}\" is evaluated for every row: write `{wrapped}` so that PostgreSQL evaluates it once per statement.",
                policy.name
            );
            let fix = fixable.then(|| {
                Fix::safe(
                    format!("Wrap `{name}()` in `(select …)`"),
                    vec![
                        Edit::insert(
                            range.start,
                            format!("({} ", lex::keyword_case("SELECT", lower)),
                        ),
                        Edit::insert(range.end, ")".to_string()),
                    ],
                )
            });
            let d = cx.report(range, message);
            if let Some(fix) = fix {
                d.with_fix(fix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "rls-initplan";
    const P: &str = "supabase/migrations/20240101000000_policies.sql";

    #[test]
    fn flags_direct_calls_in_using_and_check() {
        let text = "create policy a on todos for select using (auth.uid() = user_id);\n\
create policy b on todos for insert to authenticated with check (user_id = auth.uid());\n\
create policy c on todos for update using (auth.jwt() ->> 'role' = 'admin') with check (AUTH.UID() = user_id);\n\
create policy d on todos using (tenant = current_setting('app.tenant', true)::uuid);\n\
alter policy a on todos using (\"auth\".\"uid\"() = user_id);\n\
create policy e on todos using (auth.role() = 'authenticated' or auth.email() like '%@x.dev');\n";
        let got = assert_flags(R, P, text, 8);
        assert_eq!(
            got,
            vec![
                "auth.uid()",
                "auth.uid()",
                "auth.jwt()",
                "AUTH.UID()",
                "current_setting('app.tenant', true)",
                "\"auth\".\"uid\"()",
                "auth.role()",
                "auth.email()",
            ]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Info));
        assert!(
            d[0].message.contains("`(select auth.uid())`"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("policy \"a\""));
    }

    #[test]
    fn flags_calls_inside_larger_sub_queries_and_function_arguments() {
        let text = "create policy m on docs for select using (\n  exists (select 1 from members m where m.org_id = docs.org_id and m.user_id = auth.uid())\n  or is_member(org_id, auth.uid())\n);\n";
        assert_eq!(
            assert_flags(R, P, text, 2),
            vec!["auth.uid()", "auth.uid()"]
        );
    }

    #[test]
    fn near_miss_already_wrapped() {
        assert_clean(
            R,
            P,
            "create policy a on todos using ((select auth.uid()) = user_id);\n",
        );
        assert_clean(
            R,
            P,
            "create policy a on todos using ((SELECT auth.jwt() ->> 'role') = 'admin');\n",
        );
        assert_clean(
            R,
            P,
            "create policy a on todos using (user_id = (select auth.uid())::text);\n",
        );
        assert_clean(R, P, "create policy a on todos using (org_id in (select org_id from members where user_id = (select auth.uid())));\n");
        assert_clean(
            R,
            P,
            "create policy a on todos using (tenant = (select current_setting('app.tenant'))::uuid);\n",
        );
    }

    #[test]
    fn near_miss_other_functions_and_statements() {
        // other functions (even in the auth schema), calls outside policies, comments
        assert_clean(R, P, "create policy a on todos using (is_owner(id) and now() > created_at and auth.is_admin());\n");
        assert_clean(
            R,
            P,
            "select auth.uid();\ncreate view v as select * from t where user_id = auth.uid();\n",
        );
        assert_clean(R, P, "-- create policy a on t using (auth.uid() = id);\ncreate policy b on t using (true);\n");
        assert_clean(
            R,
            P,
            "create function f() returns uuid language sql as $$ select auth.uid() $$;\n",
        );
    }

    #[test]
    fn near_miss_not_supabase() {
        assert_clean(
            R,
            "db/migrations/001_rls.sql",
            "create policy tenant on orders using (tenant_id = current_setting('app.tenant')::int);\n",
        );
    }

    #[test]
    fn fix_wraps_each_call() {
        check_fix(
            R,
            P,
            "create policy a on todos using (auth.uid() = user_id) with check (auth.uid() = user_id);\n",
            false,
            "create policy a on todos using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);\n",
        );
        check_fix(
            R,
            P,
            "CREATE POLICY \"Admins\" ON todos\n    USING (auth.jwt() -> 'app_metadata' ->> 'role' = 'admin'\n        AND current_setting('request.jwt.claims', true)::json ->> 'sub' IS NOT NULL);\n",
            false,
            "CREATE POLICY \"Admins\" ON todos\n    USING ((SELECT auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin'\n        AND (SELECT current_setting('request.jwt.claims', true))::json ->> 'sub' IS NOT NULL);\n",
        );
    }

    #[test]
    fn fix_inside_do_block_not_in_execute_strings() {
        check_fix(
            R,
            P,
            "DO $$\nBEGIN\n  CREATE POLICY p ON t USING (auth.uid() = owner);\nEND $$;\n",
            false,
            "DO $$\nBEGIN\n  CREATE POLICY p ON t USING ((SELECT auth.uid()) = owner);\nEND $$;\n",
        );
        let text =
            "DO $$ BEGIN EXECUTE 'CREATE POLICY p ON t USING (auth.uid() = owner)'; END $$;\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert!(d[0].fix().is_none());
    }

    #[test]
    fn ranges_on_crlf_with_non_ascii_text() {
        let text = "-- café 😀\r\ncreate policy \"édition 😀\" on \"tâches\"\r\n  using (auth.uid() = propriétaire);\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "auth.uid()");
        check_fix(
            R,
            P,
            text,
            false,
            "-- café 😀\r\ncreate policy \"édition 😀\" on \"tâches\"\r\n  using ((select auth.uid()) = propriétaire);\r\n",
        );
    }
}
