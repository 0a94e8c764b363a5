use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::{self, qualified_from_list, security_invoker_option, ViewChange};
use crate::sql::{expr, function, lex, SqlFile, SqlStatement};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{Node, ObjectType, RangeVar};

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "auth-users-exposed",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Error,
        fix: FixKind::None,
        not_in_tests: false,
        summary:
            "A view or SECURITY DEFINER function in an exposed schema reading auth.users (Supabase)",
        docs: DOCS,
        triggers: &["users"],
        also_triggers: &["view", "definer"],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, flags a view or materialized view in an exposed schema
(`public`, or no schema) whose query reads `auth.users`, and a `SECURITY DEFINER`
function in an exposed schema whose body names `auth.users`. Views created
`WITH (security_invoker = on)` (or given it by a later `ALTER VIEW` in the
workspace) are not flagged — `anon` and `authenticated` cannot read `auth.users`
with their own rights — nor are views dropped or replaced later, trigger
functions (`RETURNS trigger`: the API cannot call them), and objects in other
schemas. Statements inside `DO $$ … $$` blocks count. Supabase's Security
Advisor reports the view case as `auth_users_exposed`.

## Why is this bad?
`auth.users` holds every user's email, phone, sign-in metadata and more. A view
in `public` runs with its owner's rights and a `SECURITY DEFINER` function with
its creator's, so through the Data API (`/rest/v1/<view>`, `/rest/v1/rpc/<fn>`)
anyone with the anon key can read what they select from it — the whole user
list, or lets them probe which emails have accounts.

## Examples
```sql flagged lines=1
create view public.members as
  select id, email, raw_user_meta_data ->> 'name' as name from auth.users;
```

```sql ok
create table public.profiles (id uuid primary key references auth.users (id), name text);
create view private.members as select id, email from auth.users;
create view public.my_profile with (security_invoker = on) as
  select * from public.profiles where id = (select auth.uid());
```

## Fix
None. Copy the public fields into a `public.profiles` table (filled by a trigger
on `auth.users`, protected by RLS), move the view or function to a schema the
API does not expose, or revoke `EXECUTE` from `anon` and `authenticated`.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    let own = sql.own_facts(cx.source);
    // built for the first view that reads `auth.users`
    let mut timeline = None;
    let (facts, path) = (cx.facts, cx.file.path);
    let src = cx.source;
    for stmt in &sql.statements {
        match stmt.kind() {
            Some(NodeEnum::ViewStmt(v)) => {
                let (Some(rel), Some(query)) = (&v.view, v.query.as_deref()) else {
                    continue;
                };
                if security_invoker_option(&v.options) == Some(true) || !reads_auth_users(query) {
                    continue;
                }
                let Some(name) = exposed(rel) else {
                    continue;
                };
                let later = timeline
                    .get_or_insert_with(|| facts.sql.timeline(path, own))
                    .next_view_change(&name, stmt.offset(rel.location));
                if matches!(
                    later,
                    Some(
                        ViewChange::SetInvoker(true) | ViewChange::Drop | ViewChange::Create { .. }
                    )
                ) {
                    continue;
                }
                report_relation(cx, stmt, rel, "View", "runs with its owner's rights");
            }
            Some(NodeEnum::CreateTableAsStmt(c))
                if c.objtype == ObjectType::ObjectMatview as i32 =>
            {
                let (Some(rel), Some(query)) = (
                    c.into.as_ref().and_then(|i| i.rel.as_ref()),
                    c.query.as_deref(),
                ) else {
                    continue;
                };
                if reads_auth_users(query) && exposed(rel).is_some() {
                    report_relation(
                        cx,
                        stmt,
                        rel,
                        "Materialized view",
                        "has no row level security",
                    );
                }
            }
            Some(NodeEnum::CreateFunctionStmt(f)) => {
                let info = function::options(f);
                if !info.security_definer || function::returns_trigger(f) {
                    continue;
                }
                let Some(name) = qualified_from_list(&f.funcname) else {
                    continue;
                };
                if !facts::is_exposed_schema(facts::schema_of(&name))
                    || !info
                        .body
                        .iter()
                        .any(|b| function::body_names_table(b, "auth", "users"))
                    || info.body.iter().any(|b| checks_caller(b))
                {
                    continue;
                }
                let toks = lex::tokens(src, stmt.range.clone());
                let Some((_, range)) = function::name_in(src, &toks) else {
                    continue;
                };
                let message = format!(
                    "SECURITY DEFINER function `{}` reads `auth.users` with its owner's rights and sits in an exposed schema: anyone with the anon key can call it through the Data API (`/rpc`). Move it to a private schema, return only the caller's own data, or revoke `EXECUTE` from `anon` and `authenticated`.",
                    &src[range.clone()]
                );
                cx.report(range, message);
            }
            _ => {}
        }
    }
}

/// The relation's qualified name when it is in an exposed schema (not temporary).
fn exposed(rel: &RangeVar) -> Option<String> {
    let name = facts::qualified(&rel.schemaname, &rel.relname);
    (rel.relpersistence != "t" && facts::is_exposed_schema(facts::schema_of(&name))).then_some(name)
}

fn report_relation(
    cx: &mut RuleContext<'_>,
    stmt: &SqlStatement,
    rel: &RangeVar,
    kind: &str,
    why: &str,
) {
    let src = cx.source;
    let Some(range) = lex::name_range(src, stmt.offset(rel.location)) else {
        return;
    };
    let message = format!(
        "{kind} `{}` reads `auth.users` and {why}: anyone with the anon key can read those user records through the Data API. Expose a `public.profiles` table with RLS instead, or create the view `WITH (security_invoker = on)` in a private schema.",
        &src[range.clone()]
    );
    cx.report(range, message);
}

/// The body checks who calls it before it reads: `auth.uid()`/`auth.jwt()`/
/// `auth.role()`, `current_user`, a `RAISE`, or a call of a helper named for
/// roles, membership, ownership or permissions (`current_user_account_role(…)`).
/// prodlint cannot judge such a check, so the function is trusted.
fn checks_caller(body: &str) -> bool {
    const HELPER_WORDS: &[&str] = &["role", "member", "owner", "permission", "access", "authori"];
    let toks = lex::tokens(body, 0..body.len());
    toks.iter().enumerate().any(|(i, t)| {
        let next = |k: usize| toks.get(i + k);
        let word = t.text(body).to_ascii_lowercase();
        (t.is_word(body, "auth")
            && next(1).is_some_and(|d| d.is_punct(body, "."))
            && next(2).is_some_and(|n| ["uid", "jwt", "role"].iter().any(|w| n.is_word(body, w))))
            || t.is_word(body, "current_user")
            || t.is_word(body, "session_user")
            || t.is_word(body, "raise")
            || (next(1).is_some_and(|p| p.is_punct(body, "("))
                && t.is_name(body)
                && HELPER_WORDS.iter().any(|h| word.contains(h)))
    })
}

/// The query reads `auth.users` (in `FROM`, a join, a sub-query or a CTE).
fn reads_auth_users(query: &Node) -> bool {
    let mut found = false;
    expr::walk(query, |node, _| {
        if let Some(NodeEnum::RangeVar(r)) = node.node.as_ref() {
            found |= r.schemaname == "auth" && r.relname == "users";
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "auth-users-exposed";
    const P: &str = "supabase/migrations/20240101000000_users.sql";

    #[test]
    fn flags_views_reading_auth_users() {
        let text = "create view public.members as select id, email from auth.users;\n\
create or replace view team_view as select m.team_id, u.email from public.members m join auth.users u on u.id = m.user_id;\n\
create view counts as select (select count(*) from \"auth\".\"users\") as n;\n\
create view w with (security_barrier) as with x as (select * from auth.users) select * from x;\n\
create materialized view public.user_emails as select email from auth.users;\n";
        let got = assert_flags(R, P, text, 5);
        assert_eq!(
            got,
            vec![
                "public.members",
                "team_view",
                "counts",
                "w",
                "public.user_emails"
            ]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Error));
        assert!(
            d[4].message.starts_with("Materialized view"),
            "{}",
            d[4].message
        );
    }

    #[test]
    fn flags_security_definer_functions_reading_auth_users() {
        let text = "create function public.user_id_by_email(p_email text) returns uuid\nlanguage sql security definer set search_path = ''\nas $$ select id from auth.users where email = p_email $$;\n\
create or replace function get_users() returns setof json language plpgsql security definer as $$\nbegin\n  return query select to_json(u) from auth.users u;\nend $$;\n";
        let got = assert_flags(R, P, text, 2);
        assert_eq!(got, vec!["public.user_id_by_email", "get_users"]);
    }

    #[test]
    fn near_miss_invoker_private_trigger() {
        assert_clean(
            R,
            P,
            "create view public.v with (security_invoker = on) as select email from auth.users;\n",
        );
        assert_clean(R, P, "create view private.v as select email from auth.users;\ncreate function private.f() returns uuid language sql security definer as $$ select id from auth.users $$;\n");
        // trigger functions cannot be called through the API
        assert_clean(R, P, "create function public.handle_new_user() returns trigger language plpgsql security definer as $$ begin insert into public.profiles (id) select id from auth.users where id = new.id; return new; end $$;\n");
        // invoker functions run with the caller's rights
        assert_clean(R, P, "create function public.f() returns uuid language sql as $$ select id from auth.users $$;\n");
        // other tables, comments and strings
        assert_clean(R, P, "create view public.v as select * from public.users;\n-- create view public.w as select * from auth.users;\ncreate function public.g() returns text language sql security definer as $$ select 'auth.users' $$;\n");
        // (`auth.users` alone marks a project as Supabase.)
    }

    #[test]
    fn near_miss_functions_that_check_their_caller() {
        let guarded = [
            "if not public.has_role_on_account(acc, 'owner') then raise exception 'no'; end if; return query select email from auth.users;",
            "return (select email from auth.users where id = auth.uid());",
            "perform public.current_user_account_role(acc); return (select json_agg(email) from auth.users);",
        ];
        for body in guarded {
            let text = format!("create function public.f(acc uuid) returns setof text language plpgsql security definer as $$ begin {body} end $$;\n");
            assert_clean(R, P, &text);
        }
        // a helper with an unrelated name is no check
        let text = "create function public.f() returns setof text language plpgsql security definer as $$ begin perform public.log_call(); return query select email from auth.users; end $$;\n";
        assert_flags(R, P, text, 1);
    }

    #[test]
    fn later_statements_settle_views() {
        assert_clean(R, P, "create view v as select email from auth.users;\nalter view v set (security_invoker = on);\n");
        assert_clean(
            R,
            P,
            "create view v as select email from auth.users;\ndrop view v;\n",
        );
        assert_clean(R, P, "create view v as select email from auth.users;\ncreate or replace view v as select 1 as email;\n");
    }

    #[test]
    fn ranges_on_crlf_with_non_ascii_text() {
        let text = "-- café 😀\r\nDO $$\r\nBEGIN\r\n  CREATE VIEW \"membres_é😀\" AS SELECT email FROM auth.users;\r\nEND $$;\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "\"membres_é😀\"");
    }
}
