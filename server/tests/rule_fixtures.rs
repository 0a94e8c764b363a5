//! Fixture tests: every file under `tests/fixtures/rules/<rule-id>/` is linted as
//! the path it has below that folder (with the other rules off; see
//! `common/fixtures.rs`), and checked twice:
//!
//! - the lines holding a finding of that rule must be exactly the lines marked
//!   `expect: <rule-id>` (in a trailing comment, or `expect-next: <rule-id>` on the
//!   line before). Every other line is a near miss.
//! - its findings (level, 1-based `line:column` span in code points, message, fix
//!   applicability and title) and, when a fix applies, the diff that
//!   `check --fix --unsafe-fixes` makes (the engine's fix loop) must match its
//!   insta snapshot, `server/tests/snapshots/rules/<rule-id>/<path>.snap` (`/` in
//!   the path as `__`). A changed or missing snapshot fails the test and nothing
//!   is written (`.config/insta.yaml`); to accept changes after reading them:
//!   `INSTA_UPDATE=always cargo test --test rule_fixtures`, then review the diff
//!   of the `.snap` files (or `cargo insta test --review`).

mod common;

use common::fixtures::{self, RuleFixtures};
use prodlint::diagnostic::Diagnostic;
use prodlint::engine;
use prodlint::line_index::{ColumnUnit, LineIndex};
use std::collections::BTreeSet;
use std::path::Path;

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

/// `line:col-line:col` (1-based, code points), as `check` prints positions.
fn span(index: &LineIndex, text: &str, range: &std::ops::Range<usize>) -> String {
    let p = |o| {
        let lc = index.position(text, o, ColumnUnit::CodePoint);
        format!("{}:{}", lc.line + 1, lc.col + 1)
    };
    format!("{}-{}", p(range.start), p(range.end))
}

/// The snapshot of one fixture file: its findings, then the diff of `--fix`.
fn snapshot(set: &RuleFixtures, rel: &Path, text: &str, found: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut s = format!("{} finding(s)\n", found.len());
    for d in found {
        s.push_str(&format!(
            "\n{} {}: {}\n",
            span(&index, text, &d.range),
            d.level.as_str(),
            d.message
        ));
        for f in &d.fixes {
            s.push_str(&format!(
                "  fix ({}): {}\n",
                f.applicability.as_str(),
                f.title
            ));
        }
    }
    if found.iter().any(|d| !d.fixes.is_empty()) {
        let fixed = engine::fix(rel, text, &set.facts, &set.config, true);
        s.push_str(&format!(
            "\n--- check --fix --unsafe-fixes: {} fix(es) applied, {} left\n",
            fixed.applied,
            fixed
                .remaining
                .diagnostics
                .iter()
                .filter(|d| d.rule == set.rule)
                .count()
        ));
        for (rule, message) in &fixed.rejected {
            s.push_str(&format!("rejected ({rule}): {message}\n"));
        }
        let diff = similar::TextDiff::from_lines(text, &fixed.text);
        s.push_str(
            &diff
                .unified_diff()
                .context_radius(2)
                .header("original", "fixed")
                .to_string(),
        );
    }
    s
}

#[test]
fn rule_fixtures_match_their_expectations_and_snapshots() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for set in fixtures::all() {
        let rule = set.rule.as_str();
        let (mut flagged, mut clean) = (0, 0);
        for (rel, text) in &set.files {
            let out = engine::lint(rel, text, &set.facts, &set.config);
            assert!(
                out.panics.is_empty(),
                "{rule}/{}: panic {:?}",
                rel.display(),
                out.panics
            );
            let found: Vec<Diagnostic> = out
                .diagnostics
                .into_iter()
                .filter(|d| d.rule == rule)
                .collect();
            let index = LineIndex::new(text);
            let got: BTreeSet<usize> = found.iter().map(|d| index.line_of(d.range.start)).collect();
            let want = expected_lines(text, rule);
            flagged += want.len();
            clean += text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count()
                .saturating_sub(want.len());
            for (lines, what) in [
                (got.difference(&want), "unexpected finding"),
                (want.difference(&got), "missing finding"),
            ] {
                for l in lines {
                    failures.push(format!(
                        "{rule}/{}:{}: {what}: {}",
                        rel.display(),
                        l + 1,
                        text.lines().nth(*l).unwrap_or("")
                    ));
                }
            }
            let name = rel.to_string_lossy().replace(['/', '\\'], "__");
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(format!("snapshots/rules/{rule}"));
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.set_input_file(set.dir.join(rel));
            let content = snapshot(&set, rel, text, &found);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(name, content));
            }));
            if outcome.is_err() {
                failures.push(format!(
                    "{rule}/{}: snapshot differs (see above)",
                    rel.display()
                ));
            }
        }
        summary.push(format!(
            "{rule}: {} files, {flagged} flagged lines, {clean} other lines",
            set.files.len()
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

/// Every snapshot belongs to a fixture (a renamed or deleted fixture leaves none behind).
#[test]
fn no_orphan_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/rules");
    let mut want = BTreeSet::new();
    for set in fixtures::all() {
        for (rel, _) in &set.files {
            let name = rel.to_string_lossy().replace(['/', '\\'], "__");
            want.insert(format!("{}/{name}.snap", set.rule));
        }
    }
    let mut orphans = Vec::new();
    for rule in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(rule.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let key = format!(
                "{}/{}",
                rule.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            );
            // (`.snap.new`: a pending update of insta's, not committed)
            if key.ends_with(".snap") && !want.contains(&key) {
                orphans.push(key);
            }
        }
    }
    assert!(
        orphans.is_empty(),
        "snapshots without a fixture: {orphans:?}"
    );
}
