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
    assert_clean(
        R,
        P,
        "create function f() returns int language sql\n  set search_path = ''\n  as 'select 1';\n",
    );
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
    assert_clean(
        R,
        P,
        "create function c_fn(int) returns int as 'MODULE_PATHNAME', 'c_fn' language c strict;\n",
    );
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
    assert_eq!(
        applicability(
            "create function f() returns bigint language sql as $$ select count(*) from orders $$;"
        ),
        Applicability::Unsafe
    );
    assert_eq!(
        applicability(
            "create function f() returns uuid language sql as $$ select uuid_generate_v4() $$;"
        ),
        Applicability::Unsafe
    );
    assert_eq!(applicability("create function f() returns uuid language sql as $$ select extensions.uuid_generate_v4() $$;"), Applicability::Safe);
    assert_eq!(
        applicability("create function f() returns text language sql as $$ select 'a'::mood $$;"),
        Applicability::Unsafe
    );
    assert_eq!(
        applicability(
            "create function f() returns text language sql as $$ select 'a'::public.mood::text $$;"
        ),
        Applicability::Safe
    );
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
