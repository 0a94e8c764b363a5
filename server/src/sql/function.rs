//! What a `CREATE FUNCTION` says about itself: language, `SECURITY DEFINER`,
//! a pinned `search_path`, its body, whether it returns a trigger.

use super::lex::{self, Token};
use pg_query::protobuf::node::Node as NodeEnum;
use pg_query::protobuf::{CreateFunctionStmt, VariableSetKind};
use std::ops::Range;

/// The function's options (from `CreateFunctionStmt.options`).
#[derive(Default)]
pub struct FunctionOptions {
    pub language: String,
    pub security_definer: bool,
    pub sets_search_path: bool,
    /// The body string(s) of `AS`.
    pub body: Vec<String>,
}

pub fn options(f: &CreateFunctionStmt) -> FunctionOptions {
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

/// `RETURNS trigger` (or `event_trigger`).
pub fn returns_trigger(f: &CreateFunctionStmt) -> bool {
    f.return_type.as_ref().is_some_and(|t| {
        t.names
            .last()
            .and_then(crate::sql::facts::string_value)
            .is_some_and(|n| {
                n.eq_ignore_ascii_case("trigger") || n.eq_ignore_ascii_case("event_trigger")
            })
    })
}

/// The function's name as written in its statement's tokens: the index of the
/// `FUNCTION`/`PROCEDURE` keyword and the name's range.
pub fn name_in(src: &str, toks: &[Token]) -> Option<(usize, Range<usize>)> {
    let kw = toks
        .iter()
        .position(|t| t.is_word(src, "function") || t.is_word(src, "procedure"))?;
    let name = lex::name_range(src, toks.get(kw + 1)?.range.start)?;
    Some((kw, name))
}

/// The body names the table `schema.table` (quoted or not, any case), outside
/// its comments and strings.
pub fn body_names_table(body: &str, schema: &str, table: &str) -> bool {
    let toks = lex::tokens(body, 0..body.len());
    let is = |t: &Token, name: &str| {
        let text = t.text(body);
        t.is_word(body, name)
            || text.strip_prefix('"').and_then(|r| r.strip_suffix('"')) == Some(name)
    };
    toks.windows(3)
        .any(|w| is(&w[0], schema) && w[1].is_punct(body, ".") && is(&w[2], table))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pg_query::protobuf::node::Node as N;

    fn create(sql: &str) -> CreateFunctionStmt {
        let parsed = pg_query::parse(sql, 0).unwrap();
        match parsed.protobuf.stmts[0]
            .stmt
            .as_ref()
            .unwrap()
            .node
            .as_ref()
            .unwrap()
        {
            N::CreateFunctionStmt(f) => (**f).clone(),
            _ => panic!("not a function"),
        }
    }

    #[test]
    fn options_and_trigger() {
        let f = create("create function f() returns trigger language plpgsql security definer set search_path = '' as $$ begin return new; end $$;");
        let o = options(&f);
        assert_eq!(o.language, "plpgsql");
        assert!(o.security_definer && o.sets_search_path && returns_trigger(&f));
        let g = create("create function g() returns int language sql as 'select 1';");
        let o = options(&g);
        assert!(!o.security_definer && !o.sets_search_path && !returns_trigger(&g));
        assert_eq!(o.body, vec!["select 1"]);
    }

    #[test]
    fn names_and_tables_in_bodies() {
        let src = "create or replace function public.\"Get\"() returns int as 'x';";
        let toks = lex::tokens(src, 0..src.len());
        let (_, r) = name_in(src, &toks).unwrap();
        assert_eq!(&src[r], "public.\"Get\"");
        assert!(body_names_table(
            " select id from AUTH . users where x",
            "auth",
            "users"
        ));
        assert!(body_names_table(
            "select 1 from \"auth\".\"users\"",
            "auth",
            "users"
        ));
        // comments, strings and other tables are not
        assert!(!body_names_table(
            "-- from auth.users\nselect 'auth.users', auth.identities",
            "auth",
            "users"
        ));
        assert!(!body_names_table(
            "select public.users.id from public.users",
            "auth",
            "users"
        ));
    }
}
