use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::expr::{self, func_name};
use crate::sql::facts::string_value;
use crate::sql::{lex, SqlFile};
use pg_query::protobuf::a_const;
use pg_query::protobuf::node::Node as NodeEnum;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "policy-user-metadata",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Error,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "An RLS policy that trusts user_metadata from the JWT, which users can edit",
        docs: DOCS,
        triggers: &["user_meta"],
        also_triggers: &["policy"],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, flags a `CREATE POLICY` or `ALTER POLICY` whose `USING` or
`WITH CHECK` condition reads `user_metadata` from the JWT — the key
`'user_metadata'` (or a path such as `'{user_metadata,role}'`) next to
`auth.jwt()` or `current_setting('request.jwt.claims', …)` — or the column
`raw_user_meta_data` (the same data, in `auth.users`). `app_metadata`, which only
the server can write, is not flagged. Statements inside `DO $$ … $$` blocks
count. Supabase's Security Advisor reports the JWT case as
`rls_references_user_metadata`.

## Why is this bad?
`user_metadata` is set by the user: any signed-in user can call
`supabase.auth.updateUser({ data: { role: 'admin' } })` and the next JWT carries
it. A policy that grants access by it lets every user grant themselves that
access.

## Examples
```sql flagged lines=3
create policy "admins manage orders" on public.orders
  for all to authenticated
  using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
```

```sql ok
create policy "admins manage orders" on public.orders
  for all to authenticated
  using ((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');
```

## Fix
None. Keep authorisation data in `app_metadata` (set with the service role key or
an auth hook) or in a table the user cannot write, and read it from there.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    let src = cx.source;
    for (stmt, policy) in expr::policies(sql) {
        let mut reads_jwt = false;
        let mut keys = Vec::new();
        let mut columns = Vec::new();
        for cond in policy.conditions.into_iter().flatten() {
            expr::walk(cond, |node, _| match node.node.as_ref() {
                Some(NodeEnum::FuncCall(call)) => reads_jwt |= is_jwt_source(call),
                Some(NodeEnum::AConst(c)) => {
                    if let Some(a_const::Val::Sval(s)) = &c.val {
                        if is_user_metadata_key(&s.sval) {
                            keys.push(stmt.offset(c.location));
                        }
                    }
                }
                Some(NodeEnum::ColumnRef(c))
                    if c.fields.last().and_then(string_value).as_deref()
                        == Some("raw_user_meta_data") =>
                {
                    columns.push(stmt.offset(c.location));
                }
                _ => {}
            });
        }
        let name = policy.name;
        let mut found: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        if reads_jwt {
            let toks = lex::tokens(src, stmt.range.clone());
            let literal = |at: usize| lex::token_at(&toks, at).map(|t| t.range.clone());
            found.extend(keys.into_iter().filter_map(literal).map(|at| {
                (at, format!("Policy \"{name}\" trusts `user_metadata` from the JWT, which every user can change with `auth.updateUser()`: use `app_metadata` or a table users cannot write."))
            }));
        }
        found.extend(columns.into_iter().filter_map(|at| lex::name_range(src, at)).map(|at| {
            (at, format!("Policy \"{name}\" trusts `raw_user_meta_data`, which every user can change with `auth.updateUser()`: use `raw_app_meta_data` or a table users cannot write."))
        }));
        for (range, message) in found {
            cx.report(range, message);
        }
    }
}

/// `auth.jwt()`, or `current_setting('request.jwt.claims' …)` / the older
/// `request.jwt.claim.*` settings.
fn is_jwt_source(call: &pg_query::protobuf::FuncCall) -> bool {
    match func_name(call).as_slice() {
        ["auth", "jwt"] => true,
        ["current_setting"] | ["pg_catalog", "current_setting"] => call
            .args
            .first()
            .and_then(string_value)
            .is_some_and(|s| s.starts_with("request.jwt")),
        _ => false,
    }
}

/// `'user_metadata'` as a JSON key, or a path starting with it (`'{user_metadata,role}'`).
fn is_user_metadata_key(s: &str) -> bool {
    let s = s.trim();
    s == "user_metadata"
        || s.strip_prefix('{').is_some_and(|rest| {
            rest.split(',')
                .next()
                .is_some_and(|first| first.trim().trim_matches('"') == "user_metadata")
        })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "policy-user-metadata";
    const P: &str = "supabase/migrations/20240101000000_policies.sql";

    #[test]
    fn flags_user_metadata_from_the_jwt() {
        let text = "create policy a on orders using ((select auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');\n\
create policy b on orders for insert with check (auth.jwt() #>> '{user_metadata,team}' = team::text);\n\
create policy c on orders using ((current_setting('request.jwt.claims', true)::jsonb -> 'user_metadata' ->> 'plan') = 'pro');\n\
alter policy a on orders using (auth.jwt()->'user_metadata'->>'is_admin' = 'true');\n";
        let got = assert_flags(R, P, text, 4);
        assert_eq!(
            got,
            vec![
                "'user_metadata'",
                "'{user_metadata,team}'",
                "'user_metadata'",
                "'user_metadata'"
            ]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Error));
        assert!(d[0].message.contains("Policy \"a\""), "{}", d[0].message);
        assert!(d.iter().all(|d| d.fix().is_none()));
    }

    #[test]
    fn flags_raw_user_meta_data_from_auth_users() {
        let text = "create policy a on orders using (exists (select 1 from auth.users u where u.id = (select auth.uid()) and u.raw_user_meta_data ->> 'role' = 'admin'));\n";
        assert_eq!(assert_flags(R, P, text, 1), vec!["u.raw_user_meta_data"]);
    }

    #[test]
    fn near_miss_app_metadata_and_other_keys() {
        assert_clean(R, P, "create policy a on orders using ((select auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');\n");
        assert_clean(R, P, "create policy a on orders using (u.raw_app_meta_data ->> 'role' = 'admin' and (select auth.uid()) = user_id);\n");
        // a table column that happens to be called user_metadata, no JWT
        assert_clean(R, P, "create policy a on profiles using (settings ->> 'user_metadata' is not null and (select auth.uid()) = id);\n");
    }

    #[test]
    fn near_miss_outside_policies_and_comments() {
        assert_clean(R, P, "select auth.jwt() -> 'user_metadata';\ncreate function f() returns jsonb language sql as $$ select auth.jwt() -> 'user_metadata' $$;\n");
        assert_clean(R, P, "-- using (auth.jwt() -> 'user_metadata' ->> 'role' = 'admin')\ncreate policy a on t to authenticated using ((select auth.uid()) = id);\n");
        assert_clean(R, "db/migrations/001.sql", "create policy a on t using (current_setting('request.jwt.claims')::jsonb -> 'user_metadata' ->> 'r' = 'x');\n");
    }

    #[test]
    fn inside_do_blocks_on_crlf_with_non_ascii_text() {
        let text = "-- café 😀\r\nDO $$\r\nBEGIN\r\n  CREATE POLICY \"accès 😀\" ON t TO authenticated\r\n    USING (auth.jwt() -> 'user_metadata' ->> 'rôle' = 'admin');\r\nEND $$;\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "'user_metadata'");
    }
}
