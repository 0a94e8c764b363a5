//! Output formats of `check`: pretty (code frames), JSON, SARIF 2.1.0, GitHub
//! annotations. Lines are 1-based; columns count Unicode code points.

use crate::diagnostic::{Diagnostic, Level};
use crate::line_index::{ColumnUnit, LineIndex};
use crate::rules;
use serde::Serialize;
use serde_json::{json, Value};

pub struct FileReport {
    /// Relative to the current folder, `/` separators.
    pub display: String,
    /// The text the ranges refer to, for the code frames of the pretty format
    /// (empty for unreadable files, and when the format shows no code).
    pub text: String,
    pub findings: Vec<Finding>,
}

/// A 1-based line and a 1-based column in Unicode code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Pos {
    pub line: u32,
    #[serde(rename = "column")]
    pub col: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// A finding with its positions resolved, so that no format needs the file's text
/// (the pretty format's code frames aside). The result cache stores these.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub diag: Diagnostic,
    pub span: Span,
    /// The spans of the edits of `diag.fix()` (the fix the outputs show), in order.
    pub fix_spans: Vec<Span>,
}

/// Resolve the positions of `diagnostics` (byte ranges into `text`).
pub fn locate(text: &str, diagnostics: Vec<Diagnostic>) -> Vec<Finding> {
    if diagnostics.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(text);
    let span = |r: &std::ops::Range<usize>| Span {
        start: pos(&index, text, r.start),
        end: pos(&index, text, r.end),
    };
    diagnostics
        .into_iter()
        .map(|d| Finding {
            span: span(&d.range),
            fix_spans: d
                .fix()
                .map(|f| f.edits.iter().map(|e| span(&e.range)).collect())
                .unwrap_or_default(),
            diag: d,
        })
        .collect()
}

#[derive(Default, Debug, Clone, Copy)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings that carry a fix (safe or unsafe).
    pub fixable: usize,
    pub safe_fixable: usize,
    /// Fixes applied by --fix.
    pub fixed: usize,
}

impl Summary {
    pub fn count(&mut self, d: &Diagnostic) {
        match d.level {
            Level::Error => self.errors += 1,
            Level::Warn => self.warnings += 1,
            Level::Info => self.infos += 1,
            Level::Off => {}
        }
        if let Some(f) = d.fix() {
            self.fixable += 1;
            if f.applicability == crate::diagnostic::Applicability::Safe {
                self.safe_fixable += 1;
            }
        }
    }
}

fn pos(index: &LineIndex, text: &str, offset: usize) -> Pos {
    let lc = index.position(text, offset, ColumnUnit::CodePoint);
    Pos {
        line: lc.line + 1,
        col: lc.col + 1,
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: JsonTool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

/// Which prodlint wrote the report.
#[derive(Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
    commit: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    range: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    title: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: Span,
    text: &'a str,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    fixable: usize,
}

pub fn json(files: &[FileReport], summary: &Summary) -> String {
    let mut diagnostics = Vec::new();
    for f in files {
        for x in &f.findings {
            let d = &x.diag;
            diagnostics.push(JsonDiagnostic {
                rule: d.rule,
                severity: d.level.as_str(),
                message: &d.message,
                path: &f.display,
                range: x.span,
                fix: d.fix().map(|fix| JsonFix {
                    applicability: fix.applicability.as_str(),
                    title: &fix.title,
                    edits: fix
                        .edits
                        .iter()
                        .zip(&x.fix_spans)
                        .map(|(e, span)| JsonEdit {
                            range: *span,
                            text: &e.text,
                        })
                        .collect(),
                }),
            });
        }
    }
    let out = JsonReport {
        version: 1,
        tool: JsonTool {
            name: "prodlint",
            version: crate::VERSION,
            commit: crate::COMMIT,
        },
        diagnostics,
        summary: JsonSummary {
            files: summary.files,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            fixable: summary.fixable,
        },
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warn => "warning",
        _ => "note",
    }
}

fn sarif_region(span: &Span) -> Value {
    json!({ "startLine": span.start.line, "startColumn": span.start.col, "endLine": span.end.line, "endColumn": span.end.col })
}

pub fn sarif(files: &[FileReport]) -> String {
    let all: Vec<&rules::RuleMeta> = rules::all_meta().collect();
    let rule_entries: Vec<Value> = all
        .iter()
        .map(|m| {
            let full = m
                .docs
                .split("\n## ")
                .find_map(|s| {
                    s.strip_prefix("## What it does\n")
                        .or_else(|| s.strip_prefix("What it does\n"))
                })
                .unwrap_or(m.summary)
                .trim();
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": full },
                "helpUri": m.help_uri(),
                "help": { "text": m.summary, "markdown": m.docs },
                "defaultConfiguration": { "level": sarif_level(m.default_level) },
                "properties": { "tags": [m.language.as_str()], "fix": m.fix.as_str() },
            })
        })
        .collect();
    let mut results = Vec::new();
    for f in files {
        for x in &f.findings {
            let d = &x.diag;
            let rule_index = all.iter().position(|m| m.id == d.rule).unwrap_or(0);
            let location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": f.display },
                    "region": sarif_region(&x.span),
                }
            });
            let mut r = json!({
                "ruleId": d.rule,
                "ruleIndex": rule_index,
                "level": sarif_level(d.level),
                "message": { "text": d.message },
                "locations": [location],
            });
            if let Some(fix) = d.fix() {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .zip(&x.fix_spans)
                    .map(|(e, span)| json!({ "deletedRegion": sarif_region(span), "insertedContent": { "text": e.text } }))
                    .collect();
                r["fixes"] = json!([{
                    "description": { "text": format!("{} ({})", fix.title, fix.applicability.as_str()) },
                    "artifactChanges": [{ "artifactLocation": { "uri": f.display }, "replacements": replacements }],
                }]);
            }
            results.push(r);
        }
    }
    let out = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "prodlint",
                "version": crate::VERSION,
                "semanticVersion": crate::VERSION,
                "informationUri": "https://prodlint.dev",
                "properties": { "commit": crate::COMMIT },
                "rules": rule_entries,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
    s.push('\n');
    s
}

fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn github(files: &[FileReport]) -> String {
    let mut s = String::new();
    for f in files {
        for x in &f.findings {
            let d = &x.diag;
            let kind = match d.level {
                Level::Error => "error",
                Level::Warn => "warning",
                _ => "notice",
            };
            let (a, b) = (x.span.start, x.span.end);
            s.push_str(&format!(
                "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                gh_escape_prop(&f.display),
                a.line,
                a.col,
                b.line,
                b.col,
                gh_escape_prop(&format!("prodlint ({})", d.rule)),
                gh_escape_data(&d.message)
            ));
        }
    }
    s
}

pub fn pretty(files: &[FileReport], summary: &Summary, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut s = String::new();
    for f in files {
        let index = LineIndex::new(&f.text);
        let mask = crate::language::detect(std::path::Path::new(&f.display))
            .is_some_and(|l| l.info().mask_values);
        for x in &f.findings {
            let d = &x.diag;
            let (label, code) = match d.level {
                Level::Error => ("error", "1;31"),
                Level::Warn => ("warning", "1;33"),
                _ => ("info", "1;36"),
            };
            let a = x.span.start;
            s.push_str(&format!(
                "{}{} {}\n",
                paint(code, &format!("{label}[{}]", d.rule)),
                paint("1", ":"),
                paint("1", &d.message)
            ));
            s.push_str(&format!(
                "  {} {}:{}:{}\n",
                paint("34", "-->"),
                f.display,
                a.line,
                a.col
            ));
            if !f.text.is_empty() && fits(&f.text, d) {
                s.push_str(&frame(&f.text, &index, d, mask, &paint));
            }
            if let Some(fix) = d.fix() {
                let how = match fix.applicability {
                    crate::diagnostic::Applicability::Safe => "fix with --fix",
                    crate::diagnostic::Applicability::Unsafe => "fix with --fix --unsafe-fixes",
                };
                s.push_str(&format!(
                    "   {} {} ({how})\n",
                    paint("34", "= help:"),
                    fix.title
                ));
            }
            s.push('\n');
        }
    }
    let total = summary.errors + summary.warnings + summary.infos;
    let files_word = if summary.files == 1 { "file" } else { "files" };
    if total == 0 {
        s.push_str(&format!(
            "No problems found in {} {files_word}.\n",
            summary.files
        ));
    } else {
        s.push_str(&format!(
            "Found {total} problem{} ({} error{}, {} warning{}, {} info) in {} {files_word}.\n",
            if total == 1 { "" } else { "s" },
            summary.errors,
            if summary.errors == 1 { "" } else { "s" },
            summary.warnings,
            if summary.warnings == 1 { "" } else { "s" },
            summary.infos,
            summary.files
        ));
        let unsafe_only = summary.fixable - summary.safe_fixable;
        if summary.safe_fixable > 0 || unsafe_only > 0 {
            s.push_str(&format!(
                "{} fixable with --fix{}.\n",
                summary.safe_fixable,
                if unsafe_only > 0 {
                    format!(", {unsafe_only} more with --fix --unsafe-fixes")
                } else {
                    String::new()
                }
            ));
        }
    }
    if summary.fixed > 0 {
        s.push_str(&format!(
            "Applied {} fix{}.\n",
            summary.fixed,
            if summary.fixed == 1 { "" } else { "es" }
        ));
    }
    s
}

/// Whether `d`'s ranges are valid in `text` (a code frame can be drawn).
fn fits(text: &str, d: &Diagnostic) -> bool {
    d.range.start <= d.range.end
        && text.is_char_boundary(d.range.start)
        && text.is_char_boundary(d.range.end)
}

/// The finding's first line (and one line of context before it) with a caret underline.
fn frame(
    text: &str,
    index: &LineIndex,
    d: &Diagnostic,
    mask: bool,
    paint: &dyn Fn(&str, &str) -> String,
) -> String {
    let shown = |line: &str| expand_tabs(&masked(line, mask));
    let line = index.line_of(d.range.start);
    let end_line = index.line_of(d.range.end);
    let width = (line + 1).to_string().len();
    let gutter = |n: Option<usize>| match n {
        Some(n) => format!("{:>width$} |", n + 1),
        None => format!("{:>width$} |", ""),
    };
    let mut s = format!("{}\n", paint("34", &gutter(None)));
    if line > 0 {
        let prev = &text[index.line_start(line - 1)..index.line_end(text, line - 1)];
        if !prev.trim().is_empty() {
            s.push_str(&format!(
                "{} {}\n",
                paint("34", &gutter(Some(line - 1))),
                shown(prev)
            ));
        }
    }
    let start = index.line_start(line);
    let end = index.line_end(text, line);
    let content = &text[start..end];
    s.push_str(&format!(
        "{} {}\n",
        paint("34", &gutter(Some(line))),
        shown(content)
    ));
    let col = text[start..d.range.start.clamp(start, end)]
        .chars()
        .map(display_width)
        .sum::<usize>();
    let span_end = if end_line == line {
        d.range.end.clamp(start, end)
    } else {
        end
    };
    let len = text[d.range.start.clamp(start, end)..span_end]
        .chars()
        .map(display_width)
        .sum::<usize>()
        .max(1);
    s.push_str(&format!(
        "{} {}{}\n",
        paint("34", &gutter(None)),
        " ".repeat(col),
        paint("1;31", &"^".repeat(len))
    ));
    s
}

/// `line` with everything after its first `=` masked (a whole line without one,
/// a multi-line value's continuation, unless it is a `#` comment), each
/// character by stars of its display width, so that the caret line still fits.
fn masked(line: &str, mask: bool) -> std::borrow::Cow<'_, str> {
    if !mask {
        return line.into();
    }
    let keep = match line.find('=') {
        Some(i) => i + 1,
        None if line.trim_start().starts_with('#') => line.len(),
        None => 0,
    };
    let stars = line[keep..].chars().map(|c| {
        if c.is_whitespace() {
            c.to_string()
        } else {
            "*".repeat(display_width(c))
        }
    });
    std::iter::once(line[..keep].to_string())
        .chain(stars)
        .collect::<String>()
        .into()
}

fn expand_tabs(s: &str) -> String {
    s.replace('\t', "    ")
}

fn display_width(c: char) -> usize {
    match c {
        '\t' => 4,
        c if (c as u32) >= 0x1F300
            || ('\u{1100}'..='\u{115F}').contains(&c)
            || ('\u{2E80}'..='\u{A4CF}').contains(&c)
            || ('\u{AC00}'..='\u{D7A3}').contains(&c)
            || ('\u{F900}'..='\u{FAFF}').contains(&c)
            || ('\u{FF00}'..='\u{FF60}').contains(&c) =>
        {
            2
        }
        c if c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FE00}'..='\u{FE0F}' | '\u{20D0}'..='\u{20FF}' | '\u{0300}'..='\u{036F}') =>
        {
            0
        }
        _ => 1,
    }
}
