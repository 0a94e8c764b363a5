//! What `check` does with each file's result: the per-file outcome, the
//! report in the chosen format, and the exit code.

use super::report::{self, FileReport, Summary};
use super::{CheckArgs, Format};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Level};
use crate::engine;
use crate::rules;
use std::io::IsTerminal;
use std::path::Path;

/// Exit codes: no error-level findings (and not too many warnings).
pub const EXIT_OK: i32 = 0;
/// Error-level findings, or more warnings than `--max-warnings`.
pub const EXIT_FINDINGS: i32 = 1;
/// A usage or configuration error, or a file that could not be written.
pub const EXIT_FAILURE: i32 = 2;

/// Print `prodlint: MSG` on standard error; the exit code of a failed run.
pub(super) fn fail(msg: impl std::fmt::Display) -> i32 {
    eprintln!("prodlint: {msg}");
    EXIT_FAILURE
}

/// The path as shown in reports: relative to the current folder, `/` separated.
pub(super) fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// The report of a file that could not be linted.
pub(super) fn unreadable_report(display: String, config: &Config, message: String) -> FileReport {
    FileReport {
        display,
        text: String::new(),
        findings: report::locate("", unreadable(config, message)),
    }
}

pub(super) fn unreadable(config: &Config, message: String) -> Vec<Diagnostic> {
    let meta = &rules::meta::UNREADABLE_FILE;
    let level = config.level_override(meta.id).unwrap_or(meta.default_level);
    if level == Level::Off {
        return Vec::new();
    }
    vec![Diagnostic {
        rule: meta.id,
        level,
        message,
        range: 0..0,
        fixes: Vec::new(),
    }]
}

/// One file's result in the run.
pub(super) struct Outcome {
    pub report: FileReport,
    pub fixed: usize,
    pub rejected: Vec<String>,
    pub write_error: Option<String>,
}

impl Outcome {
    /// A report with nothing fixed, rejected or failed.
    pub fn plain(report: FileReport) -> Outcome {
        Outcome {
            report,
            fixed: 0,
            rejected: Vec::new(),
            write_error: None,
        }
    }
}

/// What the run needs from each file besides its findings.
#[derive(Clone, Copy)]
pub(super) struct Needs {
    /// The file's text, for code frames (pretty format).
    pub text: bool,
}

pub(super) fn finish_outcome(
    display: String,
    text: &str,
    needs: Needs,
    out: engine::LintOutput,
    fixed: usize,
    mut rejected: Vec<String>,
    write_error: Option<String>,
) -> Outcome {
    for p in &out.panics {
        rejected.push(format!(
            "{display}: internal error in rule {}: {} (its findings for this file are dropped)",
            p.rule, p.message
        ));
    }
    let keep_text = needs.text && !out.diagnostics.is_empty();
    Outcome {
        report: FileReport {
            display,
            text: if keep_text {
                text.to_string()
            } else {
                String::new()
            },
            findings: report::locate(text, out.diagnostics),
        },
        fixed,
        rejected,
        write_error,
    }
}

pub(super) fn report_and_exit(
    outcomes: Vec<Outcome>,
    file_count: usize,
    args: &CheckArgs,
    format: Format,
) -> i32 {
    let mut summary = Summary {
        files: file_count,
        ..Default::default()
    };
    let mut reports = Vec::new();
    let mut write_failed = false;
    for mut o in outcomes {
        for msg in &o.rejected {
            eprintln!("prodlint: {msg}");
        }
        if let Some(e) = &o.write_error {
            eprintln!("prodlint: {e}");
            write_failed = true;
        }
        summary.fixed += o.fixed;
        if args.quiet {
            o.report.findings.retain(|x| x.diag.level == Level::Error);
        }
        for x in &o.report.findings {
            summary.count(&x.diag);
        }
        if !o.report.findings.is_empty() {
            reports.push(o.report);
        }
    }
    reports.sort_by(|a, b| a.display.cmp(&b.display));
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = match format {
        Format::Pretty => report::pretty(&reports, &summary, color),
        Format::Json => report::json(&reports, &summary),
        Format::Sarif => report::sarif(&reports),
        Format::Github => report::github(&reports),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                return fail(format!("{}: cannot write the report: {e}", path.display()));
            }
        }
        None => {
            if let Err(e) = super::write_stdout(&text) {
                return super::stdout_failed(e, false);
            }
        }
    }
    if write_failed {
        return EXIT_FAILURE;
    }
    let too_many_warnings = args
        .max_warnings
        .is_some_and(|max| !args.quiet && summary.warnings > max);
    if summary.errors > 0 || too_many_warnings {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
