//! End-to-end tests of `prodlint check` and the other subcommands: output
//! formats (insta snapshots), exit codes, configuration errors, fixes, positions
//! in non-ASCII/CRLF files, and bad input.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn prodlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("prodlint").expect("binary");
    c.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// A small project: one script finding with a safe fix, one unused suppression,
/// one SQL syntax error, one binary file, one ignored folder.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "src/api/orders.ts",
        "export function total(o: unknown) {\n  return send(o as any);\n}\n",
    );
    write(
        d,
        "src/util.ts",
        "// prodlint-ignore no-any-cast: old code\nexport const x = 1;\n",
    );
    write(d, "db/001_init.sql", "create tabel orders (id int);\n");
    write(d, "src/logo.ts", b"\x00\x01\x02PNG".as_slice());
    write(
        d,
        "node_modules/lib/index.ts",
        "export const y = z as any;\n",
    );
    write(d, "dist/out.js", "const y = z as any;\n");
    write(d, ".gitignore", "generated/\n");
    write(d, "generated/api.ts", "const y = z as any;\n");
    dir
}

fn stdout(cmd: &mut Command) -> (String, i32) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn pretty_output() {
    let dir = project();
    let (out, code) = stdout(prodlint(dir.path()).arg("check"));
    assert_eq!(code, 0, "warnings and infos only: exit 0");
    insta::assert_snapshot!(out);
}

#[test]
fn json_output() {
    let dir = project();
    let (out, code) = stdout(prodlint(dir.path()).args(["check", "--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["summary"]["files"], 4,
        "node_modules, dist and .gitignored files are skipped"
    );
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["tool"]["commit"], prodlint::COMMIT);
    // The commit changes with every commit: not part of the snapshot.
    insta::assert_snapshot!(out.replace(prodlint::COMMIT, "[commit]"));
}

/// `--version` names the commit the binary was built from: HEAD of the
/// checkout the tests run in (build.rs reruns when HEAD moves).
#[test]
fn version_names_the_commit() {
    let dir = project();
    let (out, code) = stdout(prodlint(dir.path()).arg("--version"));
    assert_eq!(code, 0);
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout)[..12].to_string());
    let commit = match std::env::var("PRODLINT_COMMIT") {
        Ok(c) if !c.is_empty() => c[..12.min(c.len())].to_string(),
        _ => head.unwrap_or_else(|| "unknown".to_string()),
    };
    assert_eq!(
        out.trim(),
        format!("prodlint {} (commit {commit})", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn sarif_output() {
    let dir = project();
    let (out, _) = stdout(prodlint(dir.path()).args(["check", "--format", "sarif"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "prodlint");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        run["tool"]["driver"]["properties"]["commit"],
        prodlint::COMMIT
    );
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        prodlint::rules::all_meta().count(),
        "every rule is listed"
    );
    for r in rules {
        for key in [
            "id",
            "shortDescription",
            "fullDescription",
            "helpUri",
            "defaultConfiguration",
        ] {
            assert!(!r[key].is_null(), "rule entry lacks {key}: {r}");
        }
    }
    // ruleIndex points into the rule list
    let mut results = run["results"].as_array().unwrap().clone();
    for r in &mut results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        r.as_object_mut().unwrap().remove("ruleIndex");
    }
    // The results only (the rule list changes with every new rule).
    insta::assert_json_snapshot!(results);
}

#[test]
fn github_output_is_chosen_in_github_actions() {
    let dir = project();
    let (out, _) = stdout(
        prodlint(dir.path())
            .arg("check")
            .env("GITHUB_ACTIONS", "true"),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn exit_codes() {
    let dir = project();
    // warnings within the limit
    let (_, code) = stdout(prodlint(dir.path()).args(["check", "--max-warnings", "2"]));
    assert_eq!(code, 0);
    // 2 warnings (no-any-cast, unreadable-file) > 1
    let (_, code) = stdout(prodlint(dir.path()).args(["check", "--max-warnings", "1"]));
    assert_eq!(code, 1);
    // a rule raised to error
    let (_, code) = stdout(prodlint(dir.path()).args(["check", "--rule", "no-any-cast=error"]));
    assert_eq!(code, 1);
    // --quiet shows errors only
    let (out, code) = stdout(prodlint(dir.path()).args([
        "check",
        "--quiet",
        "--rule",
        "no-any-cast=error",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] == "error"));
    assert_eq!(v["summary"]["errors"], 1);
    // usage errors: exit 2 with a message naming the culprit
    let out = prodlint(dir.path())
        .args(["check", "--rule", "no-any-kast=error"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no-any-kast") && err.contains("did you mean `no-any-cast`"),
        "{err}"
    );
    let out = prodlint(dir.path())
        .args(["check", "missing/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing/"));
    let out = prodlint(dir.path())
        .args(["check", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn config_errors_name_the_key() {
    let dir = project();
    let cases = [
        (
            "[rules]\nno-any-cats = \"warn\"\n",
            "unknown rule `rules.no-any-cats` (did you mean `no-any-cast`?)",
        ),
        (
            "[file]\nexclude = []\n",
            "unknown key `file` (did you mean `files`?)",
        ),
        (
            "[rules]\nno-any-cast = \"loud\"\n",
            "`rules.no-any-cast` has level \"loud\"",
        ),
        ("[sql]\nsupabase = \"maybe\"\n", "`sql.supabase` must be"),
        (
            "[files]\nexclude = \"x\"\n",
            "`files.exclude` must be an array",
        ),
        ("root = true\n[rules\n", "invalid TOML"),
    ];
    for (toml, want) in cases {
        write(dir.path(), "prodlint.toml", toml);
        let out = prodlint(dir.path()).arg("check").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{toml}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(want),
            "config {toml:?}: stderr {err:?} lacks {want:?}"
        );
        assert!(err.contains("prodlint.toml"), "names the file: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
}

#[test]
fn config_levels_excludes_tests_and_nearest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "prodlint.toml",
        "root = true\n[rules]\nno-any-cast = \"error\"\n[files]\nexclude = [\"legacy/**\"]\n",
    );
    write(d, "a.ts", "f(x as any);\n");
    write(d, "legacy/b.ts", "f(x as any);\n");
    write(d, "pkg/prodlint.toml", "[rules]\nno-any-cast = \"off\"\n");
    write(d, "pkg/c.ts", "f(x as any);\n");
    write(d, "scripts/seed.ts", "f(x as any);\n");
    let (out, code) = stdout(prodlint(d).args(["check", "--format", "json"]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec!["a.ts"],
        "legacy/ excluded, pkg/ turns it off, scripts/ is test-like"
    );
    assert_eq!(v["diagnostics"][0]["severity"], "error");
    // --config overrides discovery
    write(d, "other.toml", "[rules]\nno-any-cast = \"info\"\n");
    let (out, code) =
        stdout(prodlint(d).args(["check", "--format", "json", "--config", "other.toml", "pkg"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"][0]["severity"], "info");
}

#[test]
fn positions_after_emoji_accents_and_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let text = "// café ☕ — naïve 😀\r\nconst s = '😀😀'; const t = (é as any);\r\n";
    write(dir.path(), "src/x.ts", text);
    let (out, _) = stdout(prodlint(dir.path()).args(["check", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "no-any-cast");
    // `é as any` is code points 28..36 of line 2 (1-based, end exclusive)
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({ "line": 2, "column": 28 })
    );
    assert_eq!(
        d["range"]["end"],
        serde_json::json!({ "line": 2, "column": 36 })
    );
    let line2: Vec<char> = text.lines().nth(1).unwrap().chars().collect();
    let snippet: String = line2[27..35].iter().collect();
    assert_eq!(snippet, "é as any");
    // SARIF agrees
    let (out, _) = stdout(prodlint(dir.path()).args(["check", "--format", "sarif"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(28))
    );
}

#[test]
fn fix_and_unsafe_fixes_on_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = "send(x as any);\r\nconst y = (x as any).foo; // café 😀\r\n";
    write(d, "a.ts", original);
    // safe only
    let (_, code) = stdout(prodlint(d).args(["check", "--fix"]));
    assert_eq!(code, 0);
    assert_eq!(
        fs::read_to_string(d.join("a.ts")).unwrap(),
        "send(x as unknown);\r\nconst y = (x as any).foo; // café 😀\r\n"
    );
    // a second --fix changes nothing
    let before = fs::read(d.join("a.ts")).unwrap();
    stdout(prodlint(d).args(["check", "--fix"]));
    assert_eq!(fs::read(d.join("a.ts")).unwrap(), before);
    // unsafe too
    stdout(prodlint(d).args(["check", "--fix", "--unsafe-fixes"]));
    assert_eq!(
        fs::read_to_string(d.join("a.ts")).unwrap(),
        "send(x as unknown);\r\nconst y = (x as unknown).foo; // café 😀\r\n"
    );
    let (out, _) = stdout(prodlint(d).args(["check", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["warnings"], 0);
    // --unsafe-fixes alone is a usage error
    let out = prodlint(d)
        .args(["check", "--unsafe-fixes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fix_removes_unused_suppressions_and_keeps_bom() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.ts", "\u{feff}// prodlint-ignore no-any-cast: stale\nconst a = 1;\nconst b = 2; // prodlint-ignore no-any-cast\n");
    stdout(prodlint(d).args(["check", "--fix"]));
    assert_eq!(
        fs::read_to_string(d.join("a.ts")).unwrap(),
        "\u{feff}const a = 1;\nconst b = 2;\n"
    );
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn utf16_files_with_a_bom_are_linted_with_right_positions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A non-BMP character (a surrogate pair in UTF-16) before the finding.
    let src = "const s = '\u{1F600}é'; const y = x as any;\n";
    write(d, "le.ts", utf16(src, true));
    write(d, "be.ts", utf16(src, false));
    write(d, "u8.ts", format!("\u{feff}{src}"));
    write(d, "odd.ts", b"\xFF\xFE\x41".as_slice());
    let (out, _) = stdout(prodlint(d).args(["check", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    for f in ["le.ts", "be.ts", "u8.ts"] {
        let d = diags
            .iter()
            .find(|d| d["path"] == f && d["rule"] == "no-any-cast")
            .unwrap_or_else(|| panic!("{f}: {out}"));
        assert_eq!(d["range"]["start"]["line"], 1, "{f}");
        // code-point columns: `const s = '😀é'; const y = ` is 26 code points
        // (the BOM is not a column)
        assert_eq!(d["range"]["start"]["column"], 27, "{f}: {d}");
    }
    assert!(
        diags
            .iter()
            .any(|d| d["path"] == "odd.ts" && d["rule"] == "unreadable-file"),
        "{out}"
    );
    assert!(
        !diags
            .iter()
            .any(|d| d["rule"] == "unreadable-file" && d["path"] != "odd.ts"),
        "{out}"
    );
}

#[test]
fn fix_writes_utf16_files_back_in_utf16() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = "// prodlint-ignore no-any-cast: stale\nconst a = 'é';\n";
    write(d, "le.ts", utf16(src, true));
    write(d, "be.ts", utf16(src, false));
    stdout(prodlint(d).args(["check", "--fix"]));
    assert_eq!(
        fs::read(d.join("le.ts")).unwrap(),
        utf16("const a = 'é';\n", true)
    );
    assert_eq!(
        fs::read(d.join("be.ts")).unwrap(),
        utf16("const a = 'é';\n", false)
    );
}

#[test]
fn bad_files_never_abort_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "bin.ts", b"\x00\x00\x00".as_slice());
    write(
        d,
        "latin1.ts",
        b"const s = 'caf\xe9'; const y = x as any;\n".as_slice(),
    );
    write(d, "empty.ts", "");
    write(
        d,
        "broken.ts",
        "export function (((( { as any\nconst ok = v as any;\n",
    );
    write(d, "broken.sql", "create table (;\nselect 1;\n");
    write(d, ".env", "\x00");
    let (out, code) = stdout(prodlint(d).args(["check", "--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        got.contains(&("bin.ts".into(), "unreadable-file".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("latin1.ts".into(), "unreadable-file".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&(".env".into(), "unreadable-file".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("broken.ts".into(), "no-any-cast".into())),
        "rules work around ERROR nodes: {got:?}"
    );
    assert!(
        got.contains(&("broken.sql".into(), "sql-syntax".into())),
        "{got:?}"
    );
    assert!(!got.iter().any(|(p, _)| p == "empty.ts"));
    assert_eq!(v["summary"]["files"], 6);
}

#[test]
fn a_10_mb_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::with_capacity(10 * 1024 * 1024 + 100);
    let line = "export const value_000000 = compute({ a: 1, b: 'two', c: [3, 4] });\n";
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(line);
    }
    text.push_str("const last = y as any;\n");
    let lines = text.lines().count();
    write(dir.path(), "big.ts", &text);
    let (out, _) = stdout(prodlint(dir.path()).args(["check", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"][0]["range"]["start"]["line"], lines);
}

#[test]
fn stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let (out, code) = stdout(
        prodlint(dir.path())
            .args([
                "check",
                "--stdin-filename",
                "src/app/api/checkout/route.ts",
                "--format",
                "json",
            ])
            .write_stdin("const s = x as any;\n"),
    );
    assert_eq!(code, 1, "error level on a payments path");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"][0]["path"], "src/app/api/checkout/route.ts");
    // --fix with stdin prints the fixed text
    let (out, _) = stdout(
        prodlint(dir.path())
            .args(["check", "--stdin-filename", "a.ts", "--fix"])
            .write_stdin("f(x as any);\n"),
    );
    assert_eq!(out, "f(x as unknown);\n");
    // …in the input's encoding: UTF-16 in, UTF-16 (with its BOM) out
    let out = prodlint(dir.path())
        .args(["check", "--stdin-filename", "a.ts", "--fix"])
        .write_stdin(utf16("f(x as any);\n", false))
        .output()
        .unwrap();
    assert_eq!(out.stdout, utf16("f(x as unknown);\n", false));
}

#[test]
fn rules_explain_and_init() {
    let dir = tempfile::tempdir().unwrap();
    let (out, code) = stdout(prodlint(dir.path()).args(["rules", "--format", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"no-any-cast") && ids.contains(&"unused-suppression"));
    for r in v.as_array().unwrap() {
        for k in ["id", "language", "severity", "fix", "summary", "tier"] {
            assert!(r[k].is_string(), "{k} in {r}");
        }
    }
    let (out, code) = stdout(prodlint(dir.path()).args(["explain", "no-any-cast"]));
    assert_eq!(code, 0);
    assert!(out.contains("## What it does") && out.contains("as any"));
    assert!(out.contains("```ts  # flagged (line 1)"), "{out}");
    // A rule's options are documented with their type and default.
    let (out, _) = stdout(prodlint(dir.path()).args(["explain", "cors-wildcard"]));
    assert!(
        out.contains("## Options") && out.contains("| `strict` | true or false | `false` |"),
        "{out}"
    );
    let out = prodlint(dir.path())
        .args(["explain", "no-any-cats"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `no-any-cast`"));
    let (_, code) = stdout(prodlint(dir.path()).arg("init"));
    assert_eq!(code, 0);
    let written = fs::read_to_string(dir.path().join("prodlint.toml")).unwrap();
    // The starter file is valid and names every rule.
    prodlint::config::Config::parse(&written, &dir.path().join("prodlint.toml")).unwrap();
    for m in prodlint::rules::all_meta() {
        assert!(written.contains(m.id), "init lists {}", m.id);
    }
    let (_, code) = stdout(prodlint(dir.path()).arg("init"));
    assert_eq!(code, 2, "does not overwrite");
}

#[test]
fn result_cache_hits_and_invalidation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.ts", "f(x as any);\n");
    let count = |cmd: &mut Command| -> u64 {
        let (out, _) = stdout(cmd);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["summary"]["warnings"].as_u64().unwrap()
    };
    assert_eq!(count(prodlint(d).args(["check", "--format", "json"])), 1);
    assert!(d.join(".prodlint_cache/.gitignore").is_file());
    // Same size and modification time, different bytes: served from the cache
    // (this is how the cache avoids reading unchanged files).
    let mtime = fs::metadata(d.join("a.ts")).unwrap().modified().unwrap();
    write(d, "a.ts", "f(x as unk);\n");
    fs::File::options()
        .write(true)
        .open(d.join("a.ts"))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(
        count(prodlint(d).args(["check", "--format", "json"])),
        1,
        "cache hit"
    );
    assert_eq!(
        count(prodlint(d).args(["check", "--format", "json", "--no-cache"])),
        0,
        "--no-cache reads the file"
    );
    // The pretty format reads the file for its code frames, sees that its bytes are
    // not those the findings were made on, and lints it again.
    let (pretty, _) = stdout(prodlint(d).arg("check"));
    assert_eq!(pretty, stdout(prodlint(d).args(["check", "--no-cache"])).0);
    assert!(pretty.contains("No problems found"), "{pretty}");
    assert_eq!(count(prodlint(d).args(["check", "--format", "json"])), 0);
    // A real edit (new mtime) is seen.
    write(d, "a.ts", "f(x as any);\ng(y as any);\n");
    assert_eq!(count(prodlint(d).args(["check", "--format", "json"])), 2);
    // A config change invalidates.
    write(d, "prodlint.toml", "[rules]\nno-any-cast = \"off\"\n");
    assert_eq!(count(prodlint(d).args(["check", "--format", "json"])), 0);
    fs::remove_file(d.join("prodlint.toml")).unwrap();
    assert_eq!(count(prodlint(d).args(["check", "--format", "json"])), 2);
    // --rule overrides are part of the key too.
    assert_eq!(
        count(prodlint(d).args(["check", "--format", "json", "--rule", "no-any-cast=off"])),
        0
    );
}

/// The cache file(s) of a project (one per key).
fn cache_files(d: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(d.join(".prodlint_cache"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("results-")
        })
        .collect();
    v.sort();
    v
}

/// The output of every format, with and without the cache.
fn all_formats(d: &Path, cache: bool) -> Vec<(String, i32)> {
    ["json", "pretty", "sarif", "github"]
        .iter()
        .map(|f| {
            let mut cmd = prodlint(d);
            cmd.args(["check", "--format", f]);
            if !cache {
                cmd.arg("--no-cache");
            }
            stdout(&mut cmd)
        })
        .collect()
}

#[test]
fn cached_output_is_the_uncached_output() {
    let dir = project();
    let d = dir.path();
    // Non-ASCII and CRLF (positions), several findings and fixes in one file.
    write(
        d,
        "src/x.ts",
        "// café ☕ — naïve 😀\r\nconst s = '😀😀'; const t = (é as any);\r\nf(<any>y, z as any);\r\n",
    );
    let expected = all_formats(d, false);
    assert!(
        !d.join(".prodlint_cache").exists(),
        "--no-cache writes no cache"
    );
    for (out, _) in &expected {
        assert!(out.contains("no-any-cast"), "{out}");
    }
    // First run fills the cache (every format), the next ones are served from it.
    for run in 0..3 {
        assert_eq!(all_formats(d, true), expected, "run {run}");
    }
    assert_eq!(cache_files(d).len(), 1);
    // An edited file is linted again; the others still come from the cache.
    write(d, "src/x.ts", "f(a as any);\n");
    let edited = all_formats(d, false);
    assert_ne!(edited, expected);
    assert_eq!(all_formats(d, true), edited);
    assert_eq!(all_formats(d, true), edited);
    // A deleted file is dropped from the results and from the cache.
    fs::remove_file(d.join("src/x.ts")).unwrap();
    let deleted = all_formats(d, false);
    assert_eq!(all_formats(d, true), deleted);
    assert_eq!(all_formats(d, true), deleted);
}

#[test]
fn an_unchanged_run_does_not_rewrite_the_cache() {
    let dir = project();
    let d = dir.path();
    let json = |d: &Path| stdout(prodlint(d).args(["check", "--format", "json"]));
    let first = json(d);
    let files = cache_files(d);
    assert_eq!(files.len(), 1);
    let bytes = fs::read(&files[0]).unwrap();
    let modified = fs::metadata(&files[0]).unwrap().modified().unwrap();
    assert_eq!(json(d), first);
    assert_eq!(json(d), first);
    assert_eq!(cache_files(d), files);
    assert_eq!(fs::read(&files[0]).unwrap(), bytes);
    assert_eq!(
        fs::metadata(&files[0]).unwrap().modified().unwrap(),
        modified,
        "not rewritten"
    );
}

#[test]
fn damaged_cache_files_are_ignored() {
    let dir = project();
    let d = dir.path();
    let expected = all_formats(d, false);
    assert_eq!(all_formats(d, true), expected);
    let file = cache_files(d).pop().unwrap();
    let good = fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    let damaged: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"garbage".to_vec(),
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
        flipped,
        // A cache file of the old JSON format under the new name.
        br#"{"entries":{}}"#.to_vec(),
    ];
    for (i, bytes) in damaged.into_iter().enumerate() {
        fs::write(&file, &bytes).unwrap();
        assert_eq!(all_formats(d, true), expected, "damage {i}");
        // ... and the file was rewritten whole.
        assert_eq!(fs::read(&file).unwrap().len(), good.len(), "damage {i}");
    }
    // A cache folder that cannot be created does not stop the run.
    let blocked = tempfile::tempdir().unwrap();
    let not_a_dir = blocked.path().join("file");
    fs::write(&not_a_dir, "x").unwrap();
    let (out, code) = stdout(
        prodlint(d)
            .env("PRODLINT_CACHE_DIR", &not_a_dir)
            .args(["check", "--format", "json"]),
    );
    assert_eq!((out, code), expected[0]);
}

/// The README's main command on the demo project: every tier-A rule fires where the
/// demo says it does, and nowhere else.
#[test]
fn demo_project_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (out, code) =
        stdout(prodlint(&root).args(["check", "examples", "--format", "json", "--no-cache"]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["path"].as_str().unwrap(),
                d["range"]["start"]["line"],
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!(rows.join("\n"));
    let rules: std::collections::BTreeSet<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    for m in prodlint::rules::all_meta().filter(|m| {
        m.tier == 'A' && m.language != prodlint::rules::RuleLanguage::Meta && m.id != "sql-syntax"
    }) {
        assert!(rules.contains(m.id), "the demo shows {}", m.id);
    }
}

/// The hidden developer commands behind the benchmarks: `debug parse` counts
/// the script files it parsed, `debug slowest` lists only files the prefilter
/// lets through to the parser.
#[test]
fn debug_commands_count_and_list_files() {
    let dir = project();
    let d = dir.path();
    write(d, "src/plain.ts", "export const answer = 42;\n");
    let (out, code) = stdout(prodlint(d).args(["debug", "parse", "--threads", "1"]));
    assert_eq!(code, 0);
    // orders.ts, util.ts, plain.ts (logo.ts is binary; node_modules, dist and
    // gitignored folders are not walked).
    assert!(out.contains("files=3 parsed=3 "), "{out}");
    assert!(out.contains("files_with_errors=0"), "{out}");
    // --prefiltered parses only what `check` parses: not plain.ts.
    let (out, code) = stdout(prodlint(d).args(["debug", "parse", "--prefiltered"]));
    assert_eq!(code, 0);
    assert!(out.contains("files=3 parsed=2 "), "{out}");
    let (out, code) = stdout(prodlint(d).args(["debug", "slowest", "--top", "10"]));
    assert_eq!(code, 0);
    assert!(out.contains("src/api/orders.ts"), "{out}");
    // util.ts has a suppression comment, so it is parsed; plain.ts has no trigger.
    assert!(out.contains("src/util.ts"), "{out}");
    assert!(!out.contains("plain.ts"), "{out}");
    assert!(out.contains("2 files parsed"), "{out}");
    let (out, code) = stdout(prodlint(d).args(["debug", "prefilter"]));
    assert_eq!(code, 0);
    assert!(out.contains("parsed=2 "), "{out}");
}

// ---- reliability: files prodlint must never touch, special files ------------

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// The cache deletes only the files it wrote (its own header), writes its
/// `.gitignore` only into a folder it created, and never blocks on a FIFO.
#[cfg(unix)]
#[test]
fn the_cache_never_touches_user_files() {
    use std::time::Duration;
    // `.prodlint_cache` is a symlink to a user's folder.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "proj/a.ts", "f(x as any);\n");
    write(d, "v/results-q3.csv", "q3\n");
    write(d, "v/results-v1-old.bin", "user data, not a cache file");
    std::os::unix::fs::symlink(d.join("v"), d.join("proj/.prodlint_cache")).unwrap();
    let (_, code) = stdout(prodlint(&d.join("proj")).arg("check"));
    assert_eq!(code, 0);
    assert_eq!(
        fs::read_to_string(d.join("v/results-q3.csv")).unwrap(),
        "q3\n"
    );
    assert!(d.join("v/results-v1-old.bin").is_file());
    assert!(!d.join("v/.gitignore").exists(), "not our folder");
    let ours = cache_files(&d.join("proj"));
    assert_eq!(ours.len(), 3, "{ours:?}");
    // An outdated cache file of ours (same header, other key) is removed.
    let cache_file = ours
        .iter()
        .find(|p| !p.ends_with("results-q3.csv") && !p.ends_with("results-v1-old.bin"))
        .unwrap()
        .clone();
    let mut old = fs::read(&cache_file).unwrap();
    old.truncate(16);
    fs::write(d.join("v/results-v2-stale.bin"), &old).unwrap();
    write(d, "proj/a.ts", "f(x as any);\ng(y as any);\n");
    let (_, code) = stdout(prodlint(&d.join("proj")).arg("check"));
    assert_eq!(code, 0);
    assert!(!d.join("v/results-v2-stale.bin").exists(), "ours: removed");
    assert!(d.join("v/results-q3.csv").is_file());
    assert!(d.join("v/results-v1-old.bin").is_file());

    // PRODLINT_CACHE_DIR=. in a project: nothing of the project is deleted, and
    // no `.gitignore` with `*` hides it from git.
    let dir2 = tempfile::tempdir().unwrap();
    let p = dir2.path();
    write(p, "a.ts", "f(x as any);\n");
    write(p, "results-summary.csv", "total\n");
    let (_, code) = stdout(prodlint(p).env("PRODLINT_CACHE_DIR", ".").arg("check"));
    assert_eq!(code, 0);
    write(p, "a.ts", "f(x as any);\ng(y as any);\n");
    let (_, code) = stdout(prodlint(p).env("PRODLINT_CACHE_DIR", ".").arg("check"));
    assert_eq!(code, 0);
    assert!(p.join("results-summary.csv").is_file());
    assert!(!p.join(".gitignore").exists());

    // A FIFO in place of the cache file does not block the run.
    fs::remove_file(&cache_file).unwrap();
    mkfifo(&cache_file);
    let out = prodlint(&d.join("proj"))
        .args(["check", "--format", "json"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// A lone CR ends a line (as in editors and LSP 3.17): the CLI's line numbers
/// agree with the editor's, and `prodlint-ignore` on the line above applies.
#[test]
fn lone_cr_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.ts", "// a\r// b\rconst e = JSON.parse(raw) as any;\n");
    write(
        d,
        "b.ts",
        "const a = 1;\r// prodlint-ignore no-any-cast: sdk\rconst e = JSON.parse(raw) as any;\r",
    );
    let (out, _) = stdout(prodlint(d).args(["check", "--format", "json", "--no-cache"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{out}");
    assert_eq!(diags[0]["path"], "a.ts");
    assert_eq!(
        diags[0]["range"]["start"],
        serde_json::json!({ "line": 3, "column": 11 })
    );
    let (out, _) = stdout(prodlint(d).args(["check", "--no-cache", "a.ts"]));
    assert!(out.contains("a.ts:3:11"), "{out}");
}

/// --fix keeps the file's identity: symlinks are written through, owner,
/// group and mode are kept, hard links stay linked, read-only files are
/// skipped with a message (their findings stay reported).
#[cfg(unix)]
#[test]
fn fix_keeps_file_identity() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = "send(x as any);\n";
    let fixed = "send(x as unknown);\n";
    // A symlink named on the command line.
    write(d, "real/a.ts", original);
    std::os::unix::fs::symlink("real/a.ts", d.join("link.ts")).unwrap();
    let (_, code) = stdout(prodlint(d).args(["check", "--fix", "link.ts"]));
    assert_eq!(code, 0);
    assert!(fs::symlink_metadata(d.join("link.ts"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(d.join("real/a.ts")).unwrap(), fixed);
    // Owner, group and mode are kept (the tests may run as root).
    write(d, "owned.ts", original);
    fs::set_permissions(d.join("owned.ts"), fs::Permissions::from_mode(0o640)).unwrap();
    let me = fs::metadata(d.join("owned.ts")).unwrap();
    let other = if me.uid() == 0 {
        std::os::unix::fs::chown(d.join("owned.ts"), Some(4242), Some(4343)).unwrap();
        (4242, 4343)
    } else {
        (me.uid(), me.gid())
    };
    stdout(prodlint(d).args(["check", "--fix", "owned.ts"]));
    let m = fs::metadata(d.join("owned.ts")).unwrap();
    assert_eq!(fs::read_to_string(d.join("owned.ts")).unwrap(), fixed);
    assert_eq!((m.uid(), m.gid()), other);
    assert_eq!(m.mode() & 0o7777, 0o640);
    // A hard-linked file stays linked.
    write(d, "h1.ts", original);
    fs::hard_link(d.join("h1.ts"), d.join("other-name.txt")).unwrap();
    stdout(prodlint(d).args(["check", "--fix", "h1.ts"]));
    assert_eq!(fs::read_to_string(d.join("other-name.txt")).unwrap(), fixed);
    assert_eq!(fs::metadata(d.join("h1.ts")).unwrap().nlink(), 2);
    // A read-only file is not written; its finding is still reported.
    write(d, "ro.ts", original);
    fs::set_permissions(d.join("ro.ts"), fs::Permissions::from_mode(0o444)).unwrap();
    let out = prodlint(d)
        .args(["check", "--fix", "--format", "json", "ro.ts"])
        .output()
        .unwrap();
    assert_eq!(fs::read_to_string(d.join("ro.ts")).unwrap(), original);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ro.ts: read-only file; fixes not written"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["warnings"], 1, "{v}");
}

/// A write that fails (here: over the file-size limit, as a full disk would)
/// leaves the file as it was, says so, reports the findings as still there and
/// exits 2 — never "No problems found".
#[cfg(unix)]
#[test]
fn a_failed_fix_write_reports_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Long enough that the fixed text is over the 2-block limit below.
    let original = format!(
        "send(x as any);\n{}",
        "// padding padding padding\n".repeat(200)
    );
    write(d, "a.ts", &original);
    let bin = assert_cmd::cargo::cargo_bin("prodlint");
    let out = std::process::Command::new("sh")
        .current_dir(d)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 2; exec \"$0\" check --fix a.ts")
        .arg(&bin)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("a.ts: cannot write fixes"), "{stderr}");
    assert!(!stdout.contains("No problems found"), "{stdout}");
    assert!(stdout.contains("no-any-cast"), "{stdout}");
    assert_eq!(fs::read_to_string(d.join("a.ts")).unwrap(), original);
}

/// Unbounded inputs are capped: standard input like a file on disk, config
/// files at 1 MiB (and special files are refused without blocking).
#[cfg(unix)]
#[test]
fn inputs_are_capped() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 33 MiB on stdin: the same `unreadable-file` as on disk, promptly.
    let big = "x".repeat(33 << 20);
    let out = prodlint(d)
        .args(["check", "--stdin-filename", "a.ts", "--format", "json"])
        .write_stdin(big.clone())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["rule"], "unreadable-file", "{v}");
    assert!(v["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("larger than 32 MiB"));
    // With --fix the input passes through unchanged (it often goes back into the file).
    let out = prodlint(d)
        .args(["check", "--stdin-filename", "a.ts", "--fix"])
        .write_stdin(big.clone())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout == big.as_bytes(), "passed through");
    drop(big);
    // --config: a device, a FIFO, an oversized file.
    write(d, "a.ts", "f(x as any);\n");
    mkfifo(&d.join("fifo.toml"));
    write(d, "big.toml", format!("# {}\n", "x".repeat(2 << 20)));
    for (config, want) in [
        ("/dev/zero", "not a regular file (a device)"),
        ("fifo.toml", "not a regular file (a FIFO)"),
        ("big.toml", "larger than 1 MiB"),
    ] {
        let out = prodlint(d)
            .args(["check", "--config", config])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{config}: {stderr}");
        assert!(stderr.contains(want), "{config}: {stderr}");
    }
}

/// Small ones: output errors are reported (exit 2), a FIFO named on the command
/// line is "not a regular file" (and not waited on), `warning` is not a level.
#[cfg(unix)]
#[test]
fn output_errors_fifos_and_level_names() {
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.ts", "f(x as any);\n");
    for args in [
        vec!["check", "--no-cache"],
        vec!["rules"],
        vec!["explain", "no-any-cast"],
    ] {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("prodlint"))
            .current_dir(d)
            .env("NO_COLOR", "1")
            .args(&args)
            .stdout(fs::File::options().write(true).open("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{args:?}: {stderr}"
        );
    }
    mkfifo(&d.join("x.ts"));
    let out = prodlint(d)
        .args(["check", "x.ts"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("x.ts: not a regular file"), "{stderr}");
    fs::remove_file(d.join("x.ts")).unwrap();
    // `warning` is refused with a did-you-mean, like ESLint does.
    write(d, "prodlint.toml", "[rules]\nno-any-cast = \"warning\"\n");
    let out = prodlint(d).arg("check").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(did you mean `warn`?)"), "{stderr}");
    let out = prodlint(d)
        .args(["check", "--rule", "no-any-cast=warning"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(did you mean `warn`?)"), "{stderr}");
}

/// `--add-suppressions REASON`: one comment above each line with findings
/// (rules merged, indentation and CRLF kept, the language's comment syntax), a
/// trailing `{/* … */}` among JSX children, lines inside a template skipped
/// with a message; a second run adds nothing and the findings are gone.
#[test]
fn add_suppressions_comments_every_finding_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "src/a.ts",
        "export function f() {\r\n  const a = x as any; const stripeKey = \"sk_live_51H8s9dKj2kL3mN4oP5qR6sT7uV8wX9yZ\";\r\n  return a;\r\n}\r\n",
    );
    write(
        d,
        "src/v.tsx",
        "export const V = () => (\n  <div>\n    {x as any}\n  </div>\n);\nconst s = `a\n${y as any}`;\n",
    );
    write(d, "db/001.sql", "create tabel x;\n");
    write(d, "src/clean.ts", "export const ok = 1;\n");
    let out = prodlint(d)
        .args(["check", "--add-suppressions", "legacy code"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "added 3 suppression comments to 3 files\n"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("src/v.tsx:7: no comment can go on this line"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |rel: &str| fs::read_to_string(d.join(rel)).unwrap();
    assert_eq!(
        read("src/a.ts"),
        "export function f() {\r\n  // prodlint-ignore no-any-cast, hardcoded-secret: legacy code\r\n  const a = x as any; const stripeKey = \"sk_live_51H8s9dKj2kL3mN4oP5qR6sT7uV8wX9yZ\";\r\n  return a;\r\n}\r\n"
    );
    assert_eq!(
        read("src/v.tsx"),
        "export const V = () => (\n  <div>\n    {x as any} {/* prodlint-ignore no-any-cast: legacy code */}\n  </div>\n);\nconst s = `a\n${y as any}`;\n"
    );
    assert_eq!(
        read("db/001.sql"),
        "-- prodlint-ignore sql-syntax: legacy code\ncreate tabel x;\n"
    );
    assert_eq!(read("src/clean.ts"), "export const ok = 1;\n");
    // Idempotent.
    let (again, code) = stdout(prodlint(d).args(["check", "--add-suppressions", "legacy code"]));
    assert_eq!(
        (again.as_str(), code),
        ("added 0 suppression comments to 0 files\n", 0)
    );
    // Only the template's finding is left.
    let (json, _) = stdout(prodlint(d).args(["check", "--format", "json", "--no-cache"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let left: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("{}:{}", x["path"], x["range"]["start"]["line"]))
        .collect();
    assert_eq!(left, vec!["\"src/v.tsx\":7".to_string()]);
    // A reason must be one line, and the flag does not combine with --fix.
    let (_, code) = stdout(prodlint(d).args(["check", "--add-suppressions", " "]));
    assert_eq!(code, 2);
    let (_, code) = stdout(prodlint(d).args(["check", "--fix", "--add-suppressions", "x"]));
    assert_eq!(code, 2);
}

/// dotenv findings never print a secret's value: not in the messages (any
/// format), not in the pretty format's code frames (values masked there).
#[test]
fn dotenv_secrets_are_masked_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let live = "sk_live_9ZrT4mQpLx2Vb7Nc8Kd3Wf6Hj1Ys5Ga0Ue";
    write(
        d,
        ".env.production",
        "# prod 🎉\r\nJWT_SECRET=Tr0ub4dor3zzq\r\nAPP_URL=http://localhost:3000\r\n",
    );
    write(d, ".env.example", format!("STRIPE_SECRET_KEY={live}\n"));
    // (values that appear nowhere in the rules' docs, which SARIF embeds)
    let secrets = ["Tr0ub4dor3", "9ZrT4mQp"];
    let mut seen = Vec::new();
    for format in ["pretty", "json", "sarif", "github"] {
        let (out, code) = stdout(prodlint(d).args(["check", "--no-cache", "--format", format]));
        assert_eq!(code, 1, "{format}: errors found\n{out}");
        for s in secrets {
            assert!(!out.contains(s), "{format} prints a secret:\n{out}");
        }
        for rule in [
            "env-weak-secret",
            "env-live-key-in-example",
            "env-localhost-url",
        ] {
            assert!(out.contains(rule), "{format} lacks {rule}:\n{out}");
        }
        seen.push(out);
    }
    // The frame keeps the key and masks the value, width for width.
    assert!(
        seen[0].contains("2 | JWT_SECRET=*************\n"),
        "{}",
        seen[0]
    );
    assert!(seen[0].contains("1 | # prod 🎉\n"), "{}", seen[0]);
}
