//! Fixture tests: every file under `tests/fixtures/rules/<rule-id>/` is linted as
//! the path it has below that folder, and the lines holding a finding of that rule
//! must be exactly the lines marked `expect: <rule-id>` (in a trailing comment, or
//! `expect-next: <rule-id>` on the line before). Every other line is a near miss.
//! SQL files of one rule folder form one workspace (facts are shared), and a
//! `supabase/` folder inside it makes it a Supabase project.

use prodlint::config::Config;
use prodlint::engine;
use prodlint::language::{self, Language};
use prodlint::workspace::WorkspaceFacts;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else if language::detect(&p).is_some() {
            out.push(p);
        }
    }
}

fn expected_lines(text: &str, rule: &str) -> BTreeSet<usize> {
    let mut set = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        for (marker, target) in [("expect-next:", i + 1), ("expect:", i)] {
            if let Some(pos) = line.find(marker) {
                let list = &line[pos + marker.len()..];
                if list.split([',', ' ']).map(str::trim).any(|r| r == rule) {
                    set.insert(target);
                }
                break;
            }
        }
    }
    set
}

#[test]
fn rule_fixtures_match_their_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/rules");
    let mut rule_dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    rule_dirs.sort();
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for dir in rule_dirs {
        let rule = dir.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            prodlint::rules::meta(&rule).is_some(),
            "fixture folder for unknown rule {rule}"
        );
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        let texts: Vec<(PathBuf, String)> = files
            .iter()
            .map(|f| {
                (
                    f.strip_prefix(&dir).unwrap().to_path_buf(),
                    std::fs::read_to_string(f).expect("fixture is UTF-8"),
                )
            })
            .collect();
        let sql: Vec<(PathBuf, &str)> = texts
            .iter()
            .filter(|(p, _)| language::detect(p) == Some(Language::Sql))
            .map(|(p, t)| (p.clone(), t.as_str()))
            .collect();
        let facts = WorkspaceFacts::from_sql_files(sql, dir.join("supabase").is_dir());
        let config_path = dir.join("prodlint.toml");
        let config = if config_path.is_file() {
            Config::parse(
                &std::fs::read_to_string(&config_path).unwrap(),
                Path::new("prodlint.toml"),
            )
            .expect("fixture config")
        } else {
            Config::default_for(Path::new(""))
        };
        let (mut flagged, mut clean) = (0, 0);
        for (rel, text) in &texts {
            let out = engine::lint(rel, text, &facts, &config);
            assert!(
                out.panics.is_empty(),
                "{rule}/{}: panic {:?}",
                rel.display(),
                out.panics
            );
            let index = prodlint::line_index::LineIndex::new(text);
            let got: BTreeSet<usize> = out
                .diagnostics
                .iter()
                .filter(|d| d.rule == rule)
                .map(|d| index.line_of(d.range.start))
                .collect();
            let want = expected_lines(text, &rule);
            flagged += want.len();
            clean += text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count()
                .saturating_sub(want.len());
            for l in got.difference(&want) {
                failures.push(format!(
                    "{rule}/{}:{}: unexpected finding: {}",
                    rel.display(),
                    l + 1,
                    text.lines().nth(*l).unwrap_or("")
                ));
            }
            for l in want.difference(&got) {
                failures.push(format!(
                    "{rule}/{}:{}: missing finding: {}",
                    rel.display(),
                    l + 1,
                    text.lines().nth(*l).unwrap_or("")
                ));
            }
        }
        summary.push(format!(
            "{rule}: {} files, {flagged} flagged lines, {clean} other lines",
            texts.len()
        ));
    }
    println!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{} fixture mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
