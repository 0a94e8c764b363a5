//! Hostile nesting: every input of the reliability issue (items 1 and 2) is
//! linted on a thread with a *small* stack (2 MiB, rayon's default), so a rule
//! helper that recursed once per nesting level would overflow it and abort the
//! test binary. The shallow code next to the deep part is still linted, and the
//! part deeper than the walk limit gets one `analysis-limit` info.
//! (Time is proven linear by `tests/bench/scaling.py`, not asserted here.)

use prodlint::config::Config;
use prodlint::diagnostic::Level;
use prodlint::engine;
use prodlint::workspace::WorkspaceFacts;
use std::path::Path;

/// (rule, start byte, level) of every finding, linted on a 2 MiB stack.
fn lint_small_stack(path: &'static str, text: String) -> Vec<(String, usize, Level)> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let config = Config::default_for(Path::new(""));
            let facts =
                WorkspaceFacts::from_sql_files(Vec::<(std::path::PathBuf, &str)>::new(), false);
            let out = engine::lint(Path::new(path), &text, &facts, &config);
            assert!(out.panics.is_empty(), "{:?}", out.panics);
            out.diagnostics
                .iter()
                .map(|d| (d.rule.to_string(), d.range.start, d.level))
                .collect()
        })
        .expect("spawn")
        .join()
        .expect("the lint thread ends without a panic")
}

fn has(found: &[(String, usize, Level)], rule: &str, at: usize) -> bool {
    found.iter().any(|(r, s, _)| r == rule && *s == at)
}

fn assert_one_limit(found: &[(String, usize, Level)]) {
    let limits: Vec<_> = found
        .iter()
        .filter(|(r, ..)| r == "analysis-limit")
        .collect();
    assert_eq!(limits.len(), 1, "{found:?}");
    assert_eq!(limits[0].2, Level::Info);
}

const SHALLOW_LOG: &str = "export function h(req) {\n  console.log(req.body);\n}\n";

#[test]
fn deep_destructuring_pattern() {
    let n = 12_200;
    let text = format!(
        "{SHALLOW_LOG}const {}x{} = req.body;\nconsole.log(x);\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let shallow = text.find("console.log(req.body)").expect("in the text");
    let found = lint_small_stack("src/a.ts", text);
    assert!(has(&found, "log-request-data", shallow), "{found:?}");
    assert_one_limit(&found);
}

#[test]
fn long_member_chain() {
    let text = format!("{SHALLOW_LOG}console.log(req{});\n", ".body".repeat(25_000));
    let shallow = text.find("console.log(req.body)").expect("in the text");
    let found = lint_small_stack("src/a.ts", text);
    assert!(has(&found, "log-request-data", shallow), "{found:?}");
    assert_one_limit(&found);
}

#[test]
fn nested_template_literals_in_sql() {
    let n = 8_600;
    let shallow_sql = "db.query(`select * from t where id = ${req.query.id}`);\n";
    let text = format!(
        "{shallow_sql}db.query(`select ${{{}x{}}}`);\n",
        "`${".repeat(n),
        "}`".repeat(n)
    );
    let first_line = text.find('\n').expect("in the text");
    let found = lint_small_stack("src/a.ts", text);
    assert!(
        found
            .iter()
            .any(|(r, s, _)| r == "sql-injection" && *s < first_line),
        "{found:?}"
    );
    assert_one_limit(&found);
}

#[test]
fn deep_parentheses_object_and_call_nesting() {
    let n = 20_000;
    for text in [
        format!(
            "{SHALLOW_LOG}const a = {}x as any{};\n",
            "(".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "{SHALLOW_LOG}const a = {}req.body{};\nconsole.log(a);\n",
            "{a: ".repeat(n),
            "}".repeat(n)
        ),
        format!(
            "{SHALLOW_LOG}console.log({}req.body{});\n",
            "f(".repeat(n),
            ")".repeat(n)
        ),
    ] {
        let shallow = text.find("console.log(req.body)").expect("in the text");
        let found = lint_small_stack("src/a.ts", text);
        assert!(has(&found, "log-request-data", shallow), "{found:?}");
        assert_one_limit(&found);
    }
}

/// A `+` chain nests one level per operand: its parts used to be judged one
/// by one with ancestor scans that each cost the part's depth (cubic time).
#[test]
fn long_string_concatenation_in_sql() {
    let parts = vec!["x"; 5_000].join(" + ");
    let text = format!(
        "db.query('select * from t where id = ' + req.query.id);\ndb.query('select ' + {parts});\n"
    );
    let first_line = text.find('\n').expect("in the text");
    let found = lint_small_stack("src/a.ts", text);
    assert!(
        found
            .iter()
            .any(|(r, s, _)| r == "sql-injection" && *s < first_line),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(r, ..)| r == "analysis-limit"),
        "{found:?}"
    );
}

/// Recursive helpers nest far less than the walk: nesting within a few dozen
/// levels keeps every finding (a bound must not cost precision on real code).
#[test]
fn moderate_nesting_keeps_its_findings() {
    let n = 40;
    let text = format!(
        "export function h(req) {{\n  console.log({}req.body{});\n}}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    let at = text.find("console.log").expect("in the text");
    let found = lint_small_stack("src/a.ts", text);
    assert!(has(&found, "log-request-data", at), "{found:?}");
    assert!(
        found.iter().all(|(r, ..)| r != "analysis-limit"),
        "{found:?}"
    );
}
