use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::facts::qualified;
use crate::sql::{lex, SqlFile};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{GrantStmt, GrantTargetType, ObjectType, RoleSpecType};

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "grant-to-anon",
        language: RuleLanguage::Sql,
        tier: 'B',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "GRANT ALL / INSERT / UPDATE / DELETE on tables to anon or PUBLIC (Supabase)",
        docs: DOCS,
        triggers: &["grant"],
        also_triggers: &["anon", "public"],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, flags `GRANT ALL`, `INSERT`, `UPDATE`, `DELETE` or
`TRUNCATE` (also on some columns) on tables — one table, `ALL TABLES IN SCHEMA`,
or `ALTER DEFAULT PRIVILEGES … ON TABLES` — to the role `anon` or to `PUBLIC`.
`SELECT`, `REFERENCES` and `TRIGGER` grants, grants to `authenticated` or
`service_role`, grants on functions, sequences and schemas, and `REVOKE` are not
flagged. Statements inside `DO $$ … $$` blocks count. The message says when the
table's row level security is not enabled in the workspace.

## Why is this bad?
`anon` is the role of every request made with the project's anon key, which
ships in the browser bundle; `PUBLIC` includes it. A write grant to it leaves
row level security as the only thing between the internet and the table's rows
— and `TRUNCATE` is not subject to RLS at all. Grant anonymous visitors only
what they need (usually `SELECT`, or an `INSERT` behind a narrow policy) and
give writes to `authenticated`.

## Examples
```sql flagged lines=1
grant all on table public.orders to anon;
```

```sql ok
grant select on table public.products to anon;
grant select, insert, update, delete on table public.orders to authenticated;
revoke all on table public.orders from anon;
```

## Fix
None: which privileges the role needs depends on the app.
"#;

/// Privileges that change rows (`TRUNCATE` ignores RLS).
const WRITES: &[&str] = &["insert", "update", "delete", "truncate"];

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    let grants = |s: &crate::sql::SqlStatement| {
        matches!(
            s.kind(),
            Some(NodeEnum::GrantStmt(_) | NodeEnum::AlterDefaultPrivilegesStmt(_))
        )
    };
    if !sql.statements.iter().any(grants) {
        return;
    }
    let own = sql.own_facts(cx.source);
    let timeline = cx.facts.sql.timeline(cx.file.path, own);
    for stmt in &sql.statements {
        let (grant, defaults) = match stmt.kind() {
            Some(NodeEnum::GrantStmt(g)) => (g, false),
            Some(NodeEnum::AlterDefaultPrivilegesStmt(a)) => match a.action.as_ref() {
                Some(g) => (g, true),
                None => continue,
            },
            _ => continue,
        };
        if !grant.is_grant || grant.objtype != ObjectType::ObjectTable as i32 {
            continue;
        }
        let Some(what) = write_privileges(grant) else {
            continue;
        };
        for role in &grant.grantees {
            let Some(NodeEnum::RoleSpec(rs)) = &role.node else {
                continue;
            };
            let who = if rs.roletype == RoleSpecType::RolespecPublic as i32 {
                "`PUBLIC` (every role, `anon` included)"
            } else if rs.roletype == RoleSpecType::RolespecCstring as i32 && rs.rolename == "anon" {
                "`anon` (anyone with the project's anon key)"
            } else {
                continue;
            };
            let target = target(grant, defaults);
            let rls_note = match &target {
                Target::Table(t) if !timeline.rls_enabled(t) => {
                    ", and row level security is not enabled for it"
                }
                _ => "",
            };
            let on = match &target {
                Target::Table(t) => format!("`{t}`"),
                Target::AllIn(schemas) => format!("every table in {schemas}"),
                Target::Future => "every table created from now on".to_string(),
            };
            let message = format!(
                "{what} on {on} is granted to {who}{rls_note}: grant writes to `authenticated`, and to anonymous visitors only what they need (usually `SELECT`)."
            );
            let at = stmt.offset(rs.location);
            let Some(tok) = lex::tokens(cx.source, at..stmt.range.end)
                .into_iter()
                .next()
            else {
                continue;
            };
            cx.report(tok.range, message);
        }
    }
}

enum Target {
    Table(String),
    AllIn(String),
    Future,
}

fn target(grant: &GrantStmt, defaults: bool) -> Target {
    if defaults {
        return Target::Future;
    }
    let names: Vec<String> = grant
        .objects
        .iter()
        .filter_map(|o| match o.node.as_ref()? {
            NodeEnum::RangeVar(r) => Some(qualified(&r.schemaname, &r.relname)),
            NodeEnum::String(s) => Some(format!("`{}`", s.sval)),
            _ => None,
        })
        .collect();
    if grant.targtype == GrantTargetType::AclTargetAllInSchema as i32 {
        Target::AllIn(format!("schema {}", names.join(", ")))
    } else {
        // one finding per role: the first table names the statement
        Target::Table(names.into_iter().next().unwrap_or_default())
    }
}

/// `ALL`, or the write privileges among those granted (`INSERT, DELETE`).
fn write_privileges(grant: &GrantStmt) -> Option<String> {
    if grant.privileges.is_empty() {
        return Some("`ALL`".into());
    }
    let writes: Vec<String> = grant
        .privileges
        .iter()
        .filter_map(|p| match p.node.as_ref()? {
            NodeEnum::AccessPriv(a) if WRITES.contains(&a.priv_name.as_str()) => {
                Some(a.priv_name.to_ascii_uppercase())
            }
            _ => None,
        })
        .collect();
    (!writes.is_empty()).then(|| format!("`{}`", writes.join(", ")))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "grant-to-anon";
    const P: &str = "supabase/migrations/20240101000000_grants.sql";

    #[test]
    fn flags_write_grants_to_anon_and_public() {
        let text = "grant all on table public.orders to anon;\n\
GRANT INSERT, UPDATE ON orders TO anon, authenticated;\n\
grant delete on public.orders to public;\n\
grant all privileges on all tables in schema public to anon;\n\
alter default privileges in schema public grant all on tables to anon;\n\
grant update (display_name) on profiles to anon;\n\
grant truncate on logs to \"anon\";\n";
        let got = assert_flags(R, P, text, 7);
        assert_eq!(
            got,
            vec!["anon", "anon", "public", "anon", "anon", "anon", "\"anon\""]
        );
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Warn));
        assert!(
            d[0].message.starts_with("`ALL` on `public.orders`"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("row level security is not enabled"));
        assert!(
            d[1].message.starts_with("`INSERT, UPDATE`"),
            "{}",
            d[1].message
        );
        assert!(
            d[3].message.contains("every table in schema"),
            "{}",
            d[3].message
        );
        assert!(
            d[4].message.contains("created from now on"),
            "{}",
            d[4].message
        );
    }

    #[test]
    fn message_without_rls_note_when_rls_is_on() {
        let text = "create table t (id int);\nalter table t enable row level security;\ngrant insert on t to anon;\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert!(!d[0].message.contains("not enabled"), "{}", d[0].message);
    }

    #[test]
    fn near_miss_reads_other_roles_other_objects() {
        assert_clean(R, P, "grant select on table public.products to anon;\ngrant references, trigger on t to anon;\n");
        assert_clean(
            R,
            P,
            "grant all on table public.orders to authenticated, service_role;\n",
        );
        assert_clean(R, P, "grant usage on schema public to anon;\ngrant all on function f() to anon;\ngrant usage, select on all sequences in schema public to anon;\ngrant execute on all functions in schema public to public;\n");
        assert_clean(
            R,
            P,
            "revoke all on table public.orders from anon;\nrevoke insert on t from public;\n",
        );
        assert_clean(
            R,
            P,
            "-- grant all on t to anon;\nselect 'grant all on t to anon';\n",
        );
    }

    #[test]
    fn near_miss_not_supabase() {
        assert_clean(
            R,
            "db/migrations/001.sql",
            "grant all on table orders to public;\n",
        );
    }

    #[test]
    fn inside_do_blocks_on_crlf_with_non_ascii_text() {
        let text = "-- café 😀\r\nDO $$\r\nBEGIN\r\n  GRANT ALL ON \"commandes_é😀\" TO anon;\r\nEND $$;\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "anon");
        assert!(
            d[0].message.contains("`public.commandes_é😀`"),
            "{}",
            d[0].message
        );
    }
}
