use super::SqlRule;
use crate::context::RuleContext;
use crate::diagnostic::Level;
use crate::rules::{FixKind, RuleLanguage, RuleMeta, RuleOptions};
use crate::sql::{SqlFile, SqlStatement};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{a_const, Node, RoleSpecType};
use std::ops::Range;

pub const RULE: SqlRule = SqlRule {
    meta: RuleMeta {
        id: "policy-always-true",
        language: RuleLanguage::Sql,
        tier: 'A',
        default_level: Level::Warn,
        fix: FixKind::None,
        not_in_tests: false,
        summary: "An RLS policy that lets anyone write (or read personal data): USING (true) / WITH CHECK (true)",
        docs: DOCS,
        triggers: &["policy"],
        also_triggers: &[],
        options: RuleOptions::NONE,
    },
    check,
};

const DOCS: &str = r#"## What it does
In Supabase projects, flags `CREATE POLICY … USING (true)` or `WITH CHECK (true)`
for `INSERT`, `UPDATE`, `DELETE` or `ALL` when the policy applies to `anon`,
`authenticated` or `public`, or names no role (which means `PUBLIC`).
`FOR SELECT … USING (true)` is flagged only when the table's columns (from the
workspace's `CREATE TABLE` and `ADD COLUMN` statements) look personal: `email`,
`phone`, `password`, `ssn`, `birth`/`dob`, `passport`, `iban`, card numbers,
home/postal/IP addresses. Reading a public catalogue (products, posts, public
profiles) is what `USING (true)` is for. Policies only `TO service_role` (or
other custom roles) and `AS RESTRICTIVE` policies, which cannot widen access, are
not flagged. Statements inside `DO $$ … $$` blocks count.

## Why is this bad?
A policy whose condition is `true` lets every signed-in user — or, for `anon` and
`public`, anyone holding the anon key shipped in the browser — write, change or
delete every row through the Data API. It usually stands where an ownership check
such as `(select auth.uid()) = user_id` was meant to go.

## Examples
```sql flagged lines=3
create policy "orders are editable" on public.orders
  for update to authenticated
  using (true);
```

```sql flagged lines=2
create table public.customers (id uuid primary key, email text not null);
create policy "read customers" on public.customers for select using (true);
```

```sql ok
create table public.products (id bigint primary key, name text, price_cents int);
create policy "catalogue is public" on public.products for select using (true);
create policy "own orders" on public.orders
  for update to authenticated
  using ((select auth.uid()) = user_id);
create policy "service writes" on public.orders for all to service_role using (true);
```

## Fix
None: the right condition depends on who owns the rows.
"#;

fn check(cx: &mut RuleContext<'_>, sql: &SqlFile) {
    if !cx.is_supabase() {
        return;
    }
    for stmt in &sql.statements {
        let Some(NodeEnum::CreatePolicyStmt(p)) = stmt.kind() else {
            continue;
        };
        if !p.permissive {
            continue;
        }
        let Some(audience) = audience(&p.roles) else {
            continue;
        };
        let using_true = p.qual.as_deref().and_then(|n| true_literal(n, stmt));
        let check_true = p.with_check.as_deref().and_then(|n| true_literal(n, stmt));
        let table = p
            .table
            .as_ref()
            .map(|t| {
                if t.schemaname.is_empty() {
                    t.relname.clone()
                } else {
                    format!("{}.{}", t.schemaname, t.relname)
                }
            })
            .unwrap_or_default();
        let name = &p.policy_name;
        let (at, message) = match p.cmd_name.as_str() {
            "select" => {
                let Some(at) = using_true else { continue };
                let Some(rel) = &p.table else { continue };
                let own = sql.own_facts(cx.source);
                let timeline = cx.facts.sql.timeline(cx.file.path, own);
                let qualified = crate::sql::facts::qualified(&rel.schemaname, &rel.relname);
                let personal: Vec<String> = timeline
                    .columns(&qualified)
                    .into_iter()
                    .filter(|c| looks_personal(c))
                    .collect();
                if personal.is_empty() {
                    continue;
                }
                let cols = personal
                    .iter()
                    .take(3)
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    at,
                    format!("Policy \"{name}\" lets {audience} read every row of `{table}`, whose columns look personal ({cols}): restrict it, e.g. `using ((select auth.uid()) = user_id)`, or expose the public columns through a view."),
                )
            }
            cmd @ ("insert" | "update" | "delete" | "all") => {
                let Some(at) = using_true.or(check_true) else {
                    continue;
                };
                let what = match cmd {
                    "insert" => "insert any row into",
                    "update" => "change every row of",
                    "delete" => "delete every row of",
                    _ => "read, change and delete every row of",
                };
                (
                    at,
                    format!("Policy \"{name}\" lets {audience} {what} `{table}` (its condition is `true`): check ownership instead, e.g. `(select auth.uid()) = user_id`."),
                )
            }
            _ => continue,
        };
        cx.report(at, message);
    }
}

/// Who the policy applies to, if that includes `anon`, `authenticated` or
/// `PUBLIC` (no `TO` clause = `PUBLIC`).
fn audience(roles: &[Node]) -> Option<&'static str> {
    let (mut public, mut anon, mut authenticated) = (roles.is_empty(), false, false);
    for r in roles {
        let Some(NodeEnum::RoleSpec(rs)) = &r.node else {
            continue;
        };
        if rs.roletype == RoleSpecType::RolespecPublic as i32 {
            public = true;
        } else if rs.roletype == RoleSpecType::RolespecCstring as i32 {
            match rs.rolename.as_str() {
                "anon" => anon = true,
                "authenticated" => authenticated = true,
                _ => {}
            }
        }
    }
    if public || (anon && authenticated) {
        Some("everyone")
    } else if anon {
        Some("anyone with the anon key")
    } else if authenticated {
        Some("every signed-in user")
    } else {
        None
    }
}

/// The range of a condition that is the constant `true` (`true`, `TRUE`,
/// `'true'::boolean`), parentheses already gone in the tree.
fn true_literal(node: &Node, stmt: &SqlStatement) -> Option<Range<usize>> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            a_const::Val::Boolval(b) if b.boolval => {
                let at = stmt.offset(c.location);
                Some(at..at + 4)
            }
            _ => None,
        },
        NodeEnum::TypeCast(tc) => {
            let is_bool = tc.type_name.as_ref().is_some_and(|t| {
                t.names
                    .last()
                    .and_then(crate::sql::facts::string_value)
                    .is_some_and(|n| n == "bool")
            });
            let Some(NodeEnum::AConst(c)) = tc.arg.as_deref()?.node.as_ref() else {
                return None;
            };
            let Some(a_const::Val::Sval(s)) = c.val.as_ref() else {
                return None;
            };
            if !is_bool
                || !matches!(
                    s.sval.to_ascii_lowercase().as_str(),
                    "true" | "t" | "yes" | "on" | "1"
                )
            {
                return None;
            }
            let at = stmt.offset(c.location);
            Some(at..at + s.sval.len() + 2)
        }
        _ => None,
    }
}

fn looks_personal(column: &str) -> bool {
    const PARTS: &[&str] = &[
        "email",
        "e_mail",
        "phone",
        "password",
        "passwd",
        "ssn",
        "social_security",
        "birth",
        "passport",
        "national_id",
        "tax_id",
        "iban",
        "credit_card",
        "card_number",
        "home_address",
        "postal_address",
        "street_address",
        "billing_address",
        "shipping_address",
        "ip_address",
    ];
    let c = column.to_ascii_lowercase();
    PARTS.iter().any(|p| c.contains(p)) || c == "dob"
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const R: &str = "policy-always-true";
    const P: &str = "supabase/migrations/20240101000000_policies.sql";

    #[test]
    fn flags_writes_open_to_everyone() {
        let text = "create policy \"edit\" on public.orders for update to authenticated using (true);\n\
create policy ins on orders for insert to anon with check (true);\n\
create policy del on orders for delete using (TRUE);\n\
create policy \"all\" on orders to public using (true) with check (true);\n\
create policy mixed on orders for update to authenticated, service_role using ((select auth.uid()) = user_id) with check ('true'::boolean);\n";
        let got = assert_flags(R, P, text, 5);
        assert_eq!(got, vec!["true", "true", "TRUE", "true", "'true'"]);
        let d = findings(R, P, text);
        assert!(d.iter().all(|d| d.level == crate::diagnostic::Level::Warn));
        assert!(d[0].message.contains("every signed-in user"));
        assert!(d[1].message.contains("anon key"));
        assert!(d[2].message.contains("everyone"));
        assert!(d.iter().all(|d| d.fix().is_none()));
    }

    #[test]
    fn near_miss_scoped_conditions_and_roles() {
        assert_clean(R, P, "create policy p on orders for update to authenticated using ((select auth.uid()) = user_id);\n");
        assert_clean(
            R,
            P,
            "create policy p on orders for all to service_role using (true) with check (true);\n",
        );
        assert_clean(
            R,
            P,
            "create policy p on orders for insert to admin_role with check (true);\n",
        );
        assert_clean(
            R,
            P,
            "create policy p on orders as restrictive for all to authenticated using (true);\n",
        );
        assert_clean(
            R,
            P,
            "create policy p on orders for delete to authenticated using (false);\n",
        );
        assert_clean(R, P, "-- create policy p on orders for delete using (true);\nselect 'create policy p on o using (true)';\n");
    }

    #[test]
    fn select_true_only_on_personal_tables() {
        assert_clean(R, P, "create table public.products (id int, name text, price int);\ncreate policy p on products for select using (true);\n");
        // profiles with public fields only: Supabase's own example
        assert_clean(R, P, "create table profiles (id uuid, username text, full_name text, avatar_url text);\ncreate policy \"Public profiles are viewable by everyone.\" on profiles for select using (true);\n");
        // unknown table: not flagged
        assert_clean(
            R,
            P,
            "create policy p on public.unknown for select using (true);\n",
        );
        let got = assert_flags(R, P, "create table public.customers (id int, \"Email\" text);\nalter table customers add column phone_number text;\ncreate policy p on customers for select to anon using (true);\n", 1);
        assert_eq!(got, vec!["true"]);
        let d = findings(R, P, "create table users (id int, password_hash text, date_of_birth date);\ncreate policy p on users for select using (true);\n");
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("`date_of_birth`, `password_hash`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn inside_do_blocks() {
        let text = "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'w') THEN\n    CREATE POLICY w ON orders FOR UPDATE TO authenticated USING (true);\n  END IF;\nEND $$;\n";
        let got = assert_flags(R, P, text, 1);
        assert_eq!(got, vec!["true"]);
    }

    #[test]
    fn not_outside_supabase_projects() {
        assert_clean(
            R,
            "db/migrations/001.sql",
            "create policy p on orders for update using (true);\n",
        );
    }

    #[test]
    fn exact_range_after_non_ascii_text_on_crlf() {
        let text = "-- café 😀\r\ncreate policy \"édition 😀\" on orders\r\n  for update to authenticated\r\n  using (true);\r\n";
        let d = findings(R, P, text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].range.clone()], "true");
        assert_eq!(d[0].range.start, text.rfind("true").unwrap());
    }
}
