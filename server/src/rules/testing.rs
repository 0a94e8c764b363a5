//! Test helpers for rule files (`use crate::rules::testing::*`).

use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Level};
use crate::engine;
use crate::language;
use crate::workspace::WorkspaceFacts;
use std::path::Path;

/// Default configuration with every rule except `only` (and the meta rules) off.
pub fn config_only(only: &str) -> Config {
    let mut c = Config::default_for(Path::new(""));
    for m in crate::rules::all_meta() {
        if m.id != only && m.language != crate::rules::RuleLanguage::Meta {
            c.set_level(m.id, crate::diagnostic::Level::Off);
        }
    }
    c
}

/// Facts as if the workspace held just this file (its own contribution: SQL,
/// a Next.js `middleware.ts`) and a `supabase/` folder when the path is under one.
pub fn facts_for(path: &str, text: &str) -> WorkspaceFacts {
    let supabase = path.starts_with("supabase/") || path.contains("/supabase/");
    let mut facts = facts_of_files(&[(path, text)]);
    facts.supabase_dir = supabase;
    facts
}

/// Facts of a workspace holding these (path, text) files.
pub fn facts_of_files(files: &[(&str, &str)]) -> WorkspaceFacts {
    let mut facts = WorkspaceFacts::new(false);
    for (path, text) in files {
        let p = Path::new(path);
        if let Some(f) = language::detect(p).and_then(|l| engine::file_facts(p, l, text, None)) {
            facts.set_file(p, f);
        }
        // `vercel.json`, `package.json`…: by existence.
        facts.markers.insert(p.to_path_buf());
    }
    facts
}

/// Findings of `rule` in the file `path` of a workspace holding `files` (which
/// includes `path`; default config): for rules that read workspace facts.
pub fn findings_in_workspace_at(rule: &str, path: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    match files.iter().position(|(p, _)| *p == path) {
        Some(lint) => findings_in_workspace(rule, files, lint),
        None => findings_with(
            rule,
            path,
            "",
            &Config::default_for(Path::new("")),
            &facts_of_files(files),
        ),
    }
}

/// The flagged text of `rule`'s findings (only that rule enabled) in
/// `files[lint]`, linted in a workspace holding all of `files`.
pub fn snippets_in_workspace(rule: &str, files: &[(&str, &str)], lint: usize) -> Vec<String> {
    let (path, text) = files[lint];
    findings_with(rule, path, text, &config_only(rule), &facts_of_files(files))
        .iter()
        .map(|d| text[d.range.clone()].to_string())
        .collect()
}

/// Findings of `rule` in `text` linted as `path` (default config, all rules on).
pub fn findings(rule: &str, path: &str, text: &str) -> Vec<Diagnostic> {
    findings_in(rule, path, text, &Config::default_for(Path::new("")))
}

/// [`findings`] with `config` (workspace facts as in [`facts_for`]).
pub fn findings_in(rule: &str, path: &str, text: &str, config: &Config) -> Vec<Diagnostic> {
    findings_with(rule, path, text, config, &facts_for(path, text))
}

/// `base` with `rule`'s options table set from TOML lines (`"strict = true"`),
/// as `[rules.<rule>]` in `prodlint.toml` would.
pub fn with_rule_options(base: Config, rule: &str, options: &str) -> Config {
    let parsed = Config::parse(
        &format!("[rules.{rule}]\n{options}\n"),
        Path::new("prodlint.toml"),
    )
    .expect("valid rule options");
    let mut c = base;
    c.rules.insert(rule.to_string(), parsed.rules[rule].clone());
    c
}

/// Each finding's flagged snippet of `text` with its level.
pub fn snippet_levels(text: &str, found: &[Diagnostic]) -> Vec<(String, Level)> {
    found
        .iter()
        .map(|d| (text[d.range.clone()].to_string(), d.level))
        .collect()
}

pub fn findings_with(
    rule: &str,
    path: &str,
    text: &str,
    config: &Config,
    facts: &WorkspaceFacts,
) -> Vec<Diagnostic> {
    let out = engine::lint(Path::new(path), text, facts, config);
    assert!(out.panics.is_empty(), "rule panicked: {:?}", out.panics);
    out.diagnostics
        .into_iter()
        .filter(|d| d.rule == rule)
        .collect()
}

/// Findings of `rule` in the file `files[lint]`, linted in a workspace holding
/// all of `files` (path, text) (default config).
pub fn findings_in_workspace(rule: &str, files: &[(&str, &str)], lint: usize) -> Vec<Diagnostic> {
    let (path, text) = files[lint];
    findings_with(
        rule,
        path,
        text,
        &Config::default_for(Path::new("")),
        &facts_of_files(files),
    )
}

#[track_caller]
pub fn assert_clean(rule: &str, path: &str, text: &str) {
    assert_clean_in(rule, path, text, &Config::default_for(Path::new("")));
}

/// [`assert_clean`] with `config`.
#[track_caller]
pub fn assert_clean_in(rule: &str, path: &str, text: &str, config: &Config) {
    let d = findings_in(rule, path, text, config);
    assert!(
        d.is_empty(),
        "expected no `{rule}` finding in {path}:\n{text}\ngot: {d:#?}"
    );
}

/// Exactly `n` findings; returns the flagged source snippets.
#[track_caller]
pub fn assert_flags(rule: &str, path: &str, text: &str, n: usize) -> Vec<String> {
    assert_flags_in(rule, path, text, n, &Config::default_for(Path::new("")))
}

/// [`assert_flags`] with `config`.
#[track_caller]
pub fn assert_flags_in(
    rule: &str,
    path: &str,
    text: &str,
    n: usize,
    config: &Config,
) -> Vec<String> {
    let d = findings_in(rule, path, text, config);
    assert_eq!(
        d.len(),
        n,
        "expected {n} `{rule}` finding(s) in {path}:\n{text}\ngot: {d:#?}"
    );
    d.iter()
        .map(|x| text[x.range.clone()].to_string())
        .collect()
}

/// Apply `rule`'s fixes (only that rule enabled) and check: the result equals
/// `expected`, it has no more syntax errors than the input, a second run
/// changes nothing, and no finding with an applicable fix remains.
#[track_caller]
pub fn check_fix(rule: &str, path: &str, before: &str, unsafe_ok: bool, expected: &str) {
    check_fix_with(
        rule,
        path,
        before,
        unsafe_ok,
        expected,
        &config_only(rule),
        &facts_for(path, before),
    );
}

#[track_caller]
pub fn check_fix_with(
    rule: &str,
    path: &str,
    before: &str,
    unsafe_ok: bool,
    expected: &str,
    config: &Config,
    facts: &WorkspaceFacts,
) {
    let p = Path::new(path);
    let lang = language::detect(p).expect("a linted language");
    let first = engine::fix(p, before, facts, config, unsafe_ok);
    assert_eq!(first.text, expected, "fixed text of {path}");
    assert!(
        first.rejected.is_empty(),
        "rejected fixes: {:?}",
        first.rejected
    );
    assert!(
        engine::syntax_errors(&first.text, lang) <= engine::syntax_errors(before, lang),
        "the fix introduced syntax errors:\n{}",
        first.text
    );
    let second = engine::fix(p, &first.text, facts, config, unsafe_ok);
    assert_eq!(second.text, first.text, "fix is not idempotent");
    let left: Vec<_> = second
        .remaining
        .diagnostics
        .iter()
        .filter(|d| d.rule == rule)
        .filter(|d| {
            d.fix()
                .is_some_and(|f| f.applicability == Applicability::Safe || unsafe_ok)
        })
        .collect();
    assert!(
        left.is_empty(),
        "the rule still fires after its fix: {left:#?}"
    );
}
