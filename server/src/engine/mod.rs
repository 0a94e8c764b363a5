//! The one entry point both front ends call: a document in, findings out.
//! parse (the language's, `languages/`) → rules → suppressions → levels → sorted.
//!
//! - `guard`: rules run under `catch_unwind` (`RulePanic`).
//! - `prefilter`: which script rules may fire, from the bytes, before parsing.
//! - `suppression` (crate root): `prodlint-ignore` comments, read and written.

pub mod guard;
pub mod prefilter;

/// The stack of every thread that lints (the CLI's main thread and rayon
/// workers, the language server's tokio threads). Rayon's default is 2 MiB and
/// a plain main thread's is whatever `ulimit -s` says; one explicit size makes
/// the nesting a file can have the same alone, in a folder and in the editor.
/// The rule helpers are bounded far below it (`ts::ast::MAX_HELPER_DEPTH`,
/// `ts::MAX_WALK_DEPTH`); this is the second line of defence. It is virtual
/// memory: pages are committed only when touched.
pub const LINT_STACK_BYTES: usize = 16 << 20;

pub use guard::{panic_message, RulePanic};

use crate::config::Config;
use crate::context::{FileInfo, FileInput};
use crate::diagnostic::{Diagnostic, Level};
use crate::language::{self, Language};
use crate::languages::{self, Linted, Parsed};
use crate::line_index::LineIndex;
use crate::rules::{self, RuleMeta};
use crate::suppression;
use crate::workspace::{FileFacts, WorkspaceFacts};
use std::path::Path;

#[derive(Debug, Default)]
pub struct LintOutput {
    /// Sorted by position, then rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Rules that panicked (their other findings for this file are dropped).
    pub panics: Vec<RulePanic>,
}

/// One file to lint, as a front end has it.
#[derive(Clone, Copy)]
pub struct Document<'a> {
    /// As the engine sees it (absolute in the CLI and the server; relative in
    /// tests): path-based rules and `[files]` globs read it.
    pub path: &'a Path,
    pub language: Language,
    /// UTF-8, without a byte order mark.
    pub text: &'a str,
    /// The caller's parse of `text` ([`parse`]), if it has one: the server's
    /// (incrementally) reparsed tree, the CLI's SQL parse from gathering the
    /// workspace facts. Without one the language parses `text` itself (and a
    /// script without any rule's trigger tokens is not parsed at all).
    pub parsed: Option<&'a Parsed>,
}

impl<'a> Document<'a> {
    pub fn new(path: &'a Path, language: Language, text: &'a str) -> Document<'a> {
        Document {
            path,
            language,
            text,
            parsed: None,
        }
    }

    /// The document of the file at `path` (its language from the path), or
    /// `None` when prodlint does not lint such files.
    pub fn detect(path: &'a Path, text: &'a str) -> Option<Document<'a>> {
        Some(Document::new(path, language::detect(path)?, text))
    }

    pub fn with_parsed(self, parsed: Option<&'a Parsed>) -> Document<'a> {
        Document { parsed, ..self }
    }
}

/// Whether `meta`'s rule runs on this file under `config`.
pub fn rule_runs(meta: &RuleMeta, file: &FileInfo, config: &Config) -> bool {
    config.is_enabled(meta.id) && !(meta.not_in_tests && file.is_test)
}

pub fn file_info<'a>(path: &'a Path, language: Language, config: &Config) -> FileInfo<'a> {
    FileInfo {
        path,
        language,
        is_test: config.is_test_path(path),
        is_declaration: language::is_declaration_file(path),
    }
}

/// Lint one document: the only lint entry of the front ends.
pub fn lint_document(doc: &Document<'_>, facts: &WorkspaceFacts, config: &Config) -> LintOutput {
    let file = file_info(doc.path, doc.language, config);
    let input = FileInput::new(doc.text, &file, config, facts);
    let linted = languages::support(doc.language).lint(&input, doc.parsed);
    finish(&input, linted)
}

/// Lint `text` as the file at `path` (its language comes from the path). Files
/// prodlint does not lint give no findings. (A shorthand of [`lint_document`]
/// for tests and tools without a parse at hand.)
pub fn lint(path: &Path, text: &str, facts: &WorkspaceFacts, config: &Config) -> LintOutput {
    match Document::detect(path, text) {
        Some(doc) => lint_document(&doc, facts, config),
        None => LintOutput::default(),
    }
}

/// Parse `text` as `lang`; `previous` is the document's earlier parse with the
/// edits since applied (reused where the language can: scripts).
pub fn parse(lang: Language, text: &str, previous: Option<&Parsed>) -> Parsed {
    languages::support(lang).parse(text, lang, previous)
}

/// Whether files of `lang` contribute workspace facts (and so are read and
/// parsed up front, and wait for them in the server).
pub fn contributes_facts(lang: Language) -> bool {
    languages::support(lang).contributes_facts()
}

/// Whether the facts of the file at `path`, of `lang`, need its parse (all SQL;
/// scripts only when named `middleware.ts` or a Nest setup file).
pub fn facts_need_parse(path: &Path, lang: Language) -> bool {
    languages::support(lang).facts_need_parse(path)
}

/// Whether the file at `path`, of `lang`, contributes workspace facts (all SQL
/// files; scripts by name: Next.js `middleware.ts`).
pub fn file_contributes_facts(path: &Path, lang: Language) -> bool {
    languages::support(lang).file_contributes_facts(path)
}

/// The file's contribution to the workspace facts (`None`: it has none).
pub fn file_facts(
    path: &Path,
    lang: Language,
    text: &str,
    parsed: Option<&Parsed>,
) -> Option<FileFacts> {
    languages::support(lang).facts(path, text, parsed)
}

/// One `analysis-limit` info at the character starting at `start` (when the
/// rule runs for this file).
pub(crate) fn analysis_limit(
    input: &FileInput<'_>,
    start: usize,
    message: String,
) -> Option<Diagnostic> {
    let limit = &rules::meta::ANALYSIS_LIMIT;
    if !rule_runs(limit, input.file, input.config) {
        return None;
    }
    let end = input.source[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    Some(Diagnostic {
        rule: limit.id,
        level: limit.default_level,
        message,
        range: start..end,
        fixes: Vec::new(),
    })
}

/// Suppressions, configured levels, sorting.
fn finish(input: &FileInput<'_>, linted: Linted) -> LintOutput {
    let Linted {
        mut out,
        comments,
        first_code,
    } = linted;
    let text = input.source;
    let config = input.config;
    // Findings from panicked rules are unreliable: drop them.
    if !out.panics.is_empty() {
        out.diagnostics
            .retain(|d| !out.panics.iter().any(|p| p.rule == d.rule));
    }
    let has_marker = comments
        .iter()
        .any(|c| text[c.clone()].contains(prefilter::SUPPRESSION_MARKER));
    if has_marker {
        let index = LineIndex::new(text);
        let sups = suppression::parse(text, &comments, &index, first_code);
        let report_unused = config.is_enabled(rules::meta::UNUSED_SUPPRESSION.id);
        let enabled = |id: &str| rules::meta(id).is_some_and(|m| rule_runs(m, input.file, config));
        suppression::apply(
            text,
            &index,
            &sups,
            &mut out.diagnostics,
            report_unused,
            &enabled,
        );
    }
    for d in &mut out.diagnostics {
        if let Some(level) = config.level_override(d.rule) {
            d.level = level;
        }
    }
    out.diagnostics.retain(|d| d.level != Level::Off);
    out.diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule).cmp(&(b.range.start, b.range.end, b.rule))
    });
    out
}

/// Syntax health of a text, to check that a fix does not break the file.
pub fn syntax_errors(text: &str, lang: Language) -> usize {
    languages::support(lang).syntax_errors(text, lang)
}

#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text (equal to the input when nothing applied).
    pub text: String,
    pub applied: usize,
    /// Fixes not applied because the result would not parse: (rule, message).
    pub rejected: Vec<(&'static str, String)>,
    /// Findings in the fixed text.
    pub remaining: LintOutput,
}

/// Apply fixes repeatedly (at most 10 rounds) until none applies. A fix whose
/// result has more syntax errors than the text before it is rejected.
pub fn fix(
    path: &Path,
    text: &str,
    facts: &WorkspaceFacts,
    config: &Config,
    unsafe_ok: bool,
) -> FixOutcome {
    match language::detect(path) {
        Some(lang) => fix_with(text, lang, unsafe_ok, &|t| {
            lint_document(&Document::new(path, lang, t), facts, config)
        }),
        None => FixOutcome {
            text: text.to_string(),
            applied: 0,
            rejected: Vec::new(),
            remaining: LintOutput::default(),
        },
    }
}

/// The fix loop over any linter (`lint` is re-run on the text after each round),
/// repeated from its own result until a pass changes nothing (at most 4 passes):
/// a pass decides what to skip from what it saw (fixes that break the syntax,
/// rules whose fixes do not converge), and the next `--fix` starts afresh from
/// the result, so only a text that a whole pass leaves unchanged is a fixpoint.
pub fn fix_with(
    text: &str,
    lang: Language,
    unsafe_ok: bool,
    lint: &dyn Fn(&str) -> LintOutput,
) -> FixOutcome {
    let mut out = fix_pass(text, lang, unsafe_ok, lint);
    for _ in 0..3 {
        if out.applied == 0 {
            break;
        }
        let next = fix_pass(&out.text, lang, unsafe_ok, lint);
        if next.text == out.text {
            break;
        }
        out = FixOutcome {
            applied: out.applied + next.applied,
            rejected: {
                let mut r = out.rejected;
                r.extend(next.rejected);
                r
            },
            ..next
        };
    }
    out
}

/// One pass of the fix loop: rounds of non-overlapping fixes until none applies.
fn fix_pass(
    text: &str,
    lang: Language,
    unsafe_ok: bool,
    lint: &dyn Fn(&str) -> LintOutput,
) -> FixOutcome {
    let mut current = text.to_string();
    let mut applied_total = 0;
    let mut rejected: Vec<(&'static str, String)> = Vec::new();
    let mut rejected_keys: Vec<(&'static str, usize, String)> = Vec::new();
    // Rules whose fixes did not reduce their own fixable findings: on broken or
    // unusual code a fix can land where the rule does not see it, and would be
    // added again on every round (and on every later `--fix`). Their round is
    // undone and their fixes are not offered again in this run, so `--fix` is
    // idempotent.
    let mut stalled: Vec<&'static str> = Vec::new();
    let usable = |d: &Diagnostic, unsafe_ok: bool| {
        d.fix()
            .is_some_and(|f| f.applicability == crate::diagnostic::Applicability::Safe || unsafe_ok)
    };
    let mut output = lint(&current);
    for _round in 0..10 {
        let candidates: Vec<(&Diagnostic, &crate::diagnostic::Fix)> = output
            .diagnostics
            .iter()
            .filter(|d| usable(d, unsafe_ok) && !stalled.contains(&d.rule))
            .filter_map(|d| d.fix().map(|f| (d, f)))
            .filter(|(d, f)| {
                !rejected_keys
                    .iter()
                    .any(|(r, s, t)| *r == d.rule && *s == f.span().start && *t == f.title)
            })
            .collect();
        if candidates.is_empty() {
            break;
        }
        let before = syntax_errors(&current, lang);
        let fixes: Vec<&crate::diagnostic::Fix> = candidates.iter().map(|(_, f)| *f).collect();
        let (next, applied) = crate::fix::apply(&current, &fixes);
        if applied.is_empty() {
            break;
        }
        let mut applied_rules: Vec<&'static str> =
            applied.iter().map(|&i| candidates[i].0.rule).collect();
        let (next, count) = if syntax_errors(&next, lang) <= before {
            (next, applied.len())
        } else {
            // Find the culprits: a fix that breaks the syntax on its own is
            // rejected; the others are accepted greedily, in order, as long as
            // they parse together (fixes are byte edits on `current`, so a
            // compatible set is applied at once).
            let mut accepted: Vec<usize> = Vec::new();
            let mut text = current.clone();
            for (i, (d, f)) in candidates.iter().enumerate() {
                let (alone, ok) = crate::fix::apply(&current, &[*f]);
                if ok.is_empty() {
                    continue;
                }
                if syntax_errors(&alone, lang) > before {
                    rejected.push((d.rule, format!("{} (the result would not parse)", f.title)));
                    rejected_keys.push((d.rule, f.span().start, f.title.clone()));
                    continue;
                }
                let mut trial: Vec<&crate::diagnostic::Fix> =
                    accepted.iter().map(|&j| candidates[j].1).collect();
                trial.push(*f);
                let (together, ok) = crate::fix::apply(&current, &trial);
                if ok.len() == trial.len() && syntax_errors(&together, lang) <= before {
                    accepted.push(i);
                    text = together;
                }
            }
            if accepted.is_empty() {
                if rejected_keys.is_empty() {
                    break;
                }
                output = lint(&current);
                continue;
            }
            applied_rules = accepted.iter().map(|&i| candidates[i].0.rule).collect();
            (text, accepted.len())
        };
        if next == current {
            break;
        }
        let next_output = lint(&next);
        let fixable = |out: &LintOutput, rule: &str| {
            out.diagnostics
                .iter()
                .filter(|d| d.rule == rule && usable(d, unsafe_ok))
                .count()
        };
        applied_rules.sort_unstable();
        applied_rules.dedup();
        let stuck: Vec<&'static str> = applied_rules
            .into_iter()
            .filter(|r| fixable(&next_output, r) >= fixable(&output, r))
            .collect();
        if !stuck.is_empty() {
            // Undo the round; try again without the rules that did not converge.
            stalled.extend(stuck);
            continue;
        }
        applied_total += count;
        current = next;
        output = next_output;
    }
    FixOutcome {
        text: current,
        applied: applied_total,
        rejected,
        remaining: output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Edit, Fix};

    fn lint_ts(text: &str) -> LintOutput {
        let config = Config::default_for(Path::new(""));
        let facts = WorkspaceFacts::from_sql_files(Vec::<(std::path::PathBuf, &str)>::new(), false);
        lint(Path::new("src/a.ts"), text, &facts, &config)
    }

    /// A 1.3 KB TSX file (found by libFuzzer) on which tree-sitter's error
    /// recovery ran for 243 s: the parse stops at its work budget and the file
    /// gets one `analysis-limit` info.
    #[test]
    fn a_pathological_parse_stops_at_its_budget() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fuzz-regressions/tsx/parser-error-recovery-243s");
        let bytes = std::fs::read(path).expect("the regression input");
        let text = String::from_utf8_lossy(&bytes);
        let config = Config::default_for(Path::new(""));
        let facts = WorkspaceFacts::from_sql_files(Vec::<(std::path::PathBuf, &str)>::new(), false);
        let started = std::time::Instant::now();
        let out = lint(
            Path::new("src/components/Checkout.tsx"),
            &text,
            &facts,
            &config,
        );
        let rules: Vec<&str> = out.diagnostics.iter().map(|d| d.rule).collect();
        assert_eq!(rules, vec!["analysis-limit"]);
        // Not a timing assertion: a generous bound that only a hang exceeds.
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
    }

    #[test]
    fn deep_nesting_is_skipped_with_one_analysis_limit_info() {
        let n = 3_000;
        let deep = format!("{}x as any{}", "(".repeat(n), ")".repeat(n));
        let text =
            format!("const a = JSON.parse(raw) as any;\nconst b = {deep};\nconst c = {deep};\n");
        let out = lint_ts(&text);
        assert!(out.panics.is_empty());
        let limits: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.rule == "analysis-limit")
            .collect();
        assert_eq!(limits.len(), 1, "{:?}", out.diagnostics);
        assert_eq!(limits[0].level, Level::Info);
        // The shallow code is still linted.
        let casts: Vec<_> = out
            .diagnostics
            .iter()
            .filter(|d| d.rule == "no-any-cast")
            .map(|d| d.range.start)
            .collect();
        assert_eq!(casts.first(), text.find("JSON.parse(raw) as any").as_ref());
        // Nesting below the limit is linted whole, with no notice.
        let shallow = format!(
            "const b = {}x as any{};\n",
            "(".repeat(200),
            ")".repeat(200)
        );
        let out = lint_ts(&shallow);
        assert!(out.diagnostics.iter().all(|d| d.rule != "analysis-limit"));
        assert!(out.diagnostics.iter().any(|d| d.rule == "no-any-cast"));
    }

    /// A finding at `good` whose fix (`good` → `fine`) is harmless.
    fn good(text: &str) -> Option<Diagnostic> {
        let i = text.find("good")?;
        Some(Diagnostic {
            rule: "no-any-cast",
            level: Level::Warn,
            message: "good".into(),
            range: i..i + 4,
            fixes: vec![Fix::safe("fix it", vec![Edit::replace(i..i + 4, "fine")])],
        })
    }

    /// A fake linter: a finding with a fix that breaks the syntax (deletes `}`)
    /// and one with a good fix, as long as their targets are in the text.
    fn fake(text: &str) -> LintOutput {
        let mut diagnostics = Vec::new();
        if let Some(i) = text.find("bad") {
            let brace = text.rfind('}').unwrap_or(0);
            diagnostics.push(Diagnostic {
                rule: "no-any-cast",
                level: Level::Warn,
                message: "bad".into(),
                range: i..i + 3,
                fixes: vec![Fix::safe(
                    "break it",
                    vec![
                        Edit::replace(i..i + 3, "ok_"),
                        Edit::delete(brace..brace + 1),
                    ],
                )],
            });
        }
        diagnostics.extend(good(text));
        LintOutput {
            diagnostics,
            panics: Vec::new(),
        }
    }

    #[test]
    fn a_fix_that_would_not_parse_is_rejected_and_reported() {
        let text = "function f() {\n  good();\n  bad();\n}\n";
        let out = fix_with(text, Language::TypeScript, false, &fake);
        assert_eq!(out.text, "function f() {\n  fine();\n  bad();\n}\n");
        assert_eq!(out.applied, 1);
        assert_eq!(out.rejected.len(), 1);
        assert!(out.rejected[0].1.contains("would not parse"));
        assert_eq!(syntax_errors(&out.text, Language::TypeScript), 0);
    }

    /// A fix that does not remove its finding (found by the fuzzer: on broken
    /// code `cacheLife()` was inserted where the rule does not see it, once per
    /// round and once more per `--fix`) is undone, not repeated; the other
    /// rules' fixes still apply, and a second run changes nothing.
    #[test]
    fn a_fix_that_does_not_remove_its_finding_is_not_repeated() {
        fn stuck(text: &str) -> LintOutput {
            let mut diagnostics = Vec::new();
            if let Some(i) = text.find("stuck") {
                diagnostics.push(Diagnostic {
                    rule: "cache-without-cachelife",
                    level: Level::Warn,
                    message: "stuck".into(),
                    range: i..i + 5,
                    fixes: vec![Fix::safe("add a line", vec![Edit::insert(0, "x();\n")])],
                });
            }
            diagnostics.extend(good(text));
            LintOutput {
                diagnostics,
                panics: Vec::new(),
            }
        }
        let text = "good();\nstuck();\n";
        let once = fix_with(text, Language::TypeScript, false, &stuck);
        assert_eq!(once.text, "fine();\nstuck();\n");
        assert_eq!(once.applied, 1);
        let twice = fix_with(&once.text, Language::TypeScript, false, &stuck);
        assert_eq!(twice.text, once.text);
        assert_eq!(twice.applied, 0);
    }
}
