//! Suppression comments: `prodlint-ignore RULE[, RULE…]: reason` (the next line,
//! or the same line when trailing) and `prodlint-ignore-file RULE: reason` (the
//! whole file; must come before the first statement). Unused ones become
//! `unused-suppression` findings.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::line_index::LineIndex;
use crate::rules;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The comment, delimiters included.
    pub comment: Range<usize>,
    pub rules: Vec<(String, Range<usize>)>,
    pub scope: Scope,
    /// The comment has code before it on its line.
    pub trailing: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// 0-based line the suppression applies to.
    Line(usize),
    File,
    /// `prodlint-ignore-file` after the first statement: applies to nothing.
    MisplacedFile,
}

/// Find suppressions in the given comment ranges. `first_code` is the byte offset
/// of the file's first statement (file-level suppressions must come before it).
pub fn parse(
    text: &str,
    comments: &[Range<usize>],
    index: &LineIndex,
    first_code: usize,
) -> Vec<Suppression> {
    let mut out = Vec::new();
    for c in comments {
        let raw = &text[c.clone()];
        let (body, body_start) = strip_delimiters(raw);
        let lead = body.len() - body.trim_start().len();
        let body_start = c.start + body_start + lead;
        let body = body.trim_start();
        let (is_file, rest, rest_start) = if let Some(r) = body.strip_prefix("prodlint-ignore-file")
        {
            (true, r, body_start + "prodlint-ignore-file".len())
        } else if let Some(r) = body.strip_prefix("prodlint-ignore") {
            (false, r, body_start + "prodlint-ignore".len())
        } else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with([' ', '\t', ':'])) {
            continue;
        }
        let list_end = rest.find(':').unwrap_or(rest.len());
        let mut rules = Vec::new();
        let mut pos = 0;
        for part in rest[..list_end].split(',') {
            let t = part.trim();
            let off = part.find(t).unwrap_or(0);
            if !t.is_empty() {
                // "RULE reason" without a colon: only the first word is a rule.
                let id = t.split_whitespace().next().unwrap_or(t);
                let s = rest_start + pos + off;
                rules.push((id.to_string(), s..s + id.len()));
            }
            pos += part.len() + 1;
        }
        let line = index.line_of(c.start);
        let line_start = index.line_start(line);
        let trailing = !text[line_start..c.start].trim().is_empty();
        let scope = if is_file {
            if c.start <= first_code {
                Scope::File
            } else {
                Scope::MisplacedFile
            }
        } else if trailing {
            Scope::Line(line)
        } else {
            Scope::Line(index.line_of(c.end) + 1)
        };
        out.push(Suppression {
            comment: c.clone(),
            rules,
            scope,
            trailing,
        });
    }
    out
}

fn strip_delimiters(raw: &str) -> (&str, usize) {
    for open in ["//", "--", "#"] {
        if let Some(r) = raw.strip_prefix(open) {
            return (r, open.len());
        }
    }
    if let Some(r) = raw.strip_prefix("/*") {
        let r = r.strip_suffix("*/").unwrap_or(r);
        let trimmed = r.trim_start_matches('*');
        return (trimmed, 2 + (r.len() - trimmed.len()));
    }
    (raw, 0)
}

/// Remove suppressed findings and add `unused-suppression` findings.
/// `report_unused` is false when the meta rule is off. `enabled(rule)` tells
/// whether a rule ran under the configuration (suppressions of rules that are
/// off are not reported as unused).
pub fn apply(
    text: &str,
    index: &LineIndex,
    suppressions: &[Suppression],
    diagnostics: &mut Vec<Diagnostic>,
    report_unused: bool,
    enabled: &dyn Fn(&str) -> bool,
) {
    let mut used: Vec<Vec<bool>> = suppressions
        .iter()
        .map(|s| vec![false; s.rules.len()])
        .collect();
    diagnostics.retain(|d| {
        let line = index.line_of(d.range.start);
        let mut keep = true;
        for (si, s) in suppressions.iter().enumerate() {
            let applies = match s.scope {
                Scope::File => true,
                Scope::Line(l) => l == line,
                Scope::MisplacedFile => false,
            };
            if !applies {
                continue;
            }
            for (ri, (id, _)) in s.rules.iter().enumerate() {
                if id == d.rule || id == "all" {
                    used[si][ri] = true;
                    keep = false;
                }
            }
        }
        keep
    });
    if !report_unused {
        return;
    }
    let meta = &rules::meta::UNUSED_SUPPRESSION;
    for (si, s) in suppressions.iter().enumerate() {
        let mut unused: Vec<usize> = Vec::new();
        let mut messages = Vec::new();
        for (ri, (id, _)) in s.rules.iter().enumerate() {
            if used[si][ri] {
                continue;
            }
            if id != "all" && rules::meta(id).is_none() {
                messages.push(format!("unknown rule `{id}` in suppression comment"));
                unused.push(ri);
            } else if s.scope == Scope::MisplacedFile {
                messages.push(format!("`prodlint-ignore-file {id}` must come before the first statement; it suppresses nothing here"));
                unused.push(ri);
            } else if id == "all" || enabled(id) {
                messages.push(format!("unused suppression: no `{id}` finding here"));
                unused.push(ri);
            }
        }
        if s.rules.is_empty() {
            messages.push(
                "suppression comment names no rule; write `prodlint-ignore RULE: reason`"
                    .to_string(),
            );
        }
        if messages.is_empty() {
            continue;
        }
        let remove_all = unused.len() == s.rules.len();
        let fix = if remove_all {
            Fix::safe(
                "Remove the suppression comment",
                vec![Edit::delete(comment_removal_range(text, index, s))],
            )
        } else {
            // Rewrite the list keeping the used rules.
            let first = s.rules[0].1.start;
            let last = s.rules[s.rules.len() - 1].1.end;
            let kept: Vec<&str> = s
                .rules
                .iter()
                .enumerate()
                .filter(|(i, _)| !unused.contains(i))
                .map(|(_, (id, _))| id.as_str())
                .collect();
            Fix::safe(
                "Remove the unused rule from the suppression",
                vec![Edit::replace(first..last, kept.join(", "))],
            )
        };
        diagnostics.push(Diagnostic {
            rule: meta.id,
            level: meta.default_level,
            message: messages.join("; "),
            range: s.comment.clone(),
            fixes: vec![fix],
        });
    }
}

/// The bytes to delete to remove a suppression comment: the whole line when the
/// comment is alone on it, else the comment and the spaces before it.
fn comment_removal_range(text: &str, index: &LineIndex, s: &Suppression) -> Range<usize> {
    let line = index.line_of(s.comment.start);
    let start = index.line_start(line);
    if s.trailing {
        let before = &text[start..s.comment.start];
        let ws = before.len() - before.trim_end().len();
        return s.comment.start - ws..s.comment.end;
    }
    let end_line = index.line_of(s.comment.end);
    let content_end = index.line_end(text, end_line);
    if text[s.comment.end..content_end].trim().is_empty() {
        let next = index.line_start(end_line + 1);
        start..next.max(content_end)
    } else {
        s.comment.clone()
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::engine;
    use crate::workspace::WorkspaceFacts;
    use std::path::Path;

    fn rules_found(path: &str, text: &str) -> Vec<(&'static str, String)> {
        let out = engine::lint(
            Path::new(path),
            text,
            &WorkspaceFacts::default(),
            &Config::default_for(Path::new("")),
        );
        out.diagnostics
            .iter()
            .map(|d| (d.rule, text[d.range.clone()].to_string()))
            .collect()
    }

    #[test]
    fn next_line_trailing_and_file_level() {
        let text = "// prodlint-ignore no-any-cast: sdk types\nconst a = x as any;\nconst b = y as any; // prodlint-ignore no-any-cast\nconst c = z as any;\n";
        assert_eq!(
            rules_found("a.ts", text),
            vec![("no-any-cast", "z as any".to_string())]
        );
        let text = "/* prodlint-ignore-file no-any-cast: generated */\nimport x from 'x';\nconst a = x as any;\n";
        assert!(rules_found("a.ts", text).is_empty());
    }

    #[test]
    fn misplaced_file_level_unknown_rules_and_lists() {
        let text =
            "const a = 1;\n// prodlint-ignore-file no-any-cast: too late\nconst b = y as any;\n";
        let found = rules_found("a.ts", text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|(r, _)| *r == "unused-suppression"));
        let text = "// prodlint-ignore no-any-cast, no-such-rule: reason\nconst b = y as any;\n";
        let found = rules_found("a.ts", text);
        assert_eq!(
            found,
            vec![(
                "unused-suppression",
                "// prodlint-ignore no-any-cast, no-such-rule: reason".to_string()
            )]
        );
        let out = engine::fix(
            Path::new("a.ts"),
            text,
            &WorkspaceFacts::default(),
            &Config::default_for(Path::new("")),
            false,
        );
        assert_eq!(
            out.text,
            "// prodlint-ignore no-any-cast: reason\nconst b = y as any;\n"
        );
    }

    #[test]
    fn text_in_strings_is_not_a_suppression() {
        let text = "const s = '// prodlint-ignore no-any-cast';\nconst b = y as any;\n";
        assert_eq!(
            rules_found("a.ts", text),
            vec![("no-any-cast", "y as any".to_string())]
        );
    }

    #[test]
    fn sql_and_dotenv_comment_syntax() {
        let text = "-- prodlint-ignore sql-syntax: vendor extension\ncreate tabel x;\n";
        assert!(rules_found("m.sql", text).is_empty());
        let text = "create tabel x; -- prodlint-ignore sql-syntax\n";
        assert!(rules_found("m.sql", text).is_empty());
        let text = "# prodlint-ignore no-any-cast: nothing here\nA=1\n";
        assert_eq!(rules_found(".env", text).len(), 1);
    }

    /// The rule walk skips type-only subtrees, but not when the text holds a
    /// suppression: a comment inside an interface or a type annotation is
    /// still found (here: reported as unused, and applied inside a type).
    #[test]
    fn suppressions_inside_types_are_found() {
        let text = "interface Options {\n  // prodlint-ignore no-any-cast: none here\n  retries: number;\n}\nconst b = y as any;\n";
        assert_eq!(
            rules_found("a.ts", text),
            vec![
                (
                    "unused-suppression",
                    "// prodlint-ignore no-any-cast: none here".to_string()
                ),
                ("no-any-cast", "y as any".to_string()),
            ]
        );
        let text = "function f(x: {\n  // prodlint-ignore no-any-cast\n  a: string }) {}\n";
        assert_eq!(rules_found("a.ts", text).len(), 1);
    }

    #[test]
    fn off_rules_are_not_reported_as_unused() {
        let mut config = Config::default_for(Path::new(""));
        config.set_level("no-any-cast", crate::diagnostic::Level::Off);
        let text = "// prodlint-ignore no-any-cast: x\nconst b = 1;\n";
        let out = engine::lint(Path::new("a.ts"), text, &WorkspaceFacts::default(), &config);
        assert!(out.diagnostics.is_empty());
    }
}
