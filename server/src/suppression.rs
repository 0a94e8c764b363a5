//! Suppression comments: `prodlint-ignore RULE[, RULE…]: reason` (the next line,
//! or the same line when trailing) and `prodlint-ignore-file RULE: reason` (the
//! whole file; must come before the first statement). Unused ones become
//! `unused-suppression` findings.
//!
//! Both directions live here: reading them ([`parse`], [`apply`], run by the
//! engine on every file) and writing them ([`insertion`]: the server's "Disable
//! RULE for this line" and the CLI's `check --add-suppressions`).

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::engine::prefilter::SUPPRESSION_MARKER;
use crate::engine::Document;
use crate::language::Language;
use crate::languages::Parsed;
use crate::line_index::LineIndex;
use crate::rules;
use crate::text::{line_ending, line_indent};
use std::ops::Range;
use tree_sitter::{Node, Tree};

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

/// Where a suppression comment can go for a finding on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// A comment line of its own above.
    Above,
    /// A trailing `{/* … */}` at the end of the line (JSX children, where a
    /// `//` line would be text).
    JsxTrailing,
}

/// The edit that suppresses `rules` on line `line` (0-based) with `reason`:
/// a `prodlint-ignore RULE[, RULE…]: reason` comment in the language's
/// syntax above the line (with its indentation and the file's line ending),
/// the rules added to a suppression comment already there, or a trailing
/// `{/* … */}` among JSX children. `None` when nothing needs adding (every rule
/// is already named there) or no comment can go there (inside a multi-line
/// string, template or comment). `tree` is the script's syntax tree (parsed
/// here when a script comes without one; ignored for other languages).
pub fn insertion(
    text: &str,
    lang: Language,
    tree: Option<&Tree>,
    index: &LineIndex,
    line: usize,
    rules: &[&str],
    reason: &str,
) -> Option<Edit> {
    let line_start = index.line_start(line);
    let line_end = index.line_end(text, line);
    let owned;
    let tree = match tree {
        Some(t) => Some(t),
        // Rare (the callers have the tree): parse the script here.
        None if lang.is_script() => {
            owned = crate::ts::parse(text, lang, None);
            owned.as_ref()
        }
        None => None,
    };
    let place = match tree {
        Some(tree) if lang.is_script() => script_place(tree, line_start, line_end)?,
        _ => Place::Above,
    };
    match place {
        Place::Above => {
            let lead = lang.line_comment();
            // A suppression comment already on the line above: add the rules
            // to it (a second comment line would make the first one target
            // itself).
            if let Some(prev) = line.checked_sub(1) {
                let start = index.line_start(prev);
                let prev_text = &text[start..index.line_end(text, prev)];
                if let Some(at) = extend_point(prev_text, lead) {
                    let have = listed_rules(prev_text);
                    let new: Vec<&str> = rules
                        .iter()
                        .copied()
                        .filter(|r| !have.contains(r))
                        .collect();
                    if new.is_empty() {
                        return None;
                    }
                    return Some(Edit::insert(start + at, format!(", {}", new.join(", "))));
                }
            }
            // The indentation of the finding's line (from `line_start`: a lone
            // `\r` before it ends a line too).
            let indent = line_indent(&text[line_start..], 0);
            let eol = line_ending(text);
            Some(Edit::insert(
                line_start,
                format!(
                    "{indent}{lead} {SUPPRESSION_MARKER} {}: {reason}{eol}",
                    rules.join(", ")
                ),
            ))
        }
        Place::JsxTrailing => {
            if text[line_start..line_end].contains(SUPPRESSION_MARKER) {
                return None;
            }
            Some(Edit::insert(
                line_end,
                format!(
                    " {{/* {SUPPRESSION_MARKER} {}: {reason} */}}",
                    rules.join(", ")
                ),
            ))
        }
    }
}

/// The comments that suppress every finding of a document (`--add-suppressions`).
#[derive(Debug, Default)]
pub struct Added {
    /// One insertion per line with findings (sorted, not overlapping).
    pub edits: Vec<Edit>,
    /// Lines (0-based) where no comment can go, with their rules.
    pub skipped: Vec<(usize, Vec<&'static str>)>,
}

/// Suppress every finding in `diagnostics` (of `doc`'s text) with `reason`:
/// one comment per line, naming the line's rules in order; rules already named
/// there are not added again, so a second run adds nothing. `unused-suppression`
/// findings are left alone (they point at a comment to remove).
pub fn suppress_all(doc: &Document<'_>, diagnostics: &[Diagnostic], reason: &str) -> Added {
    let text = doc.text;
    let index = LineIndex::new(text);
    let mut lines: Vec<(usize, Vec<&'static str>)> = Vec::new();
    for d in diagnostics {
        if d.rule == rules::meta::UNUSED_SUPPRESSION.id {
            continue;
        }
        let line = index.line_of(d.range.start);
        match lines.iter_mut().find(|(l, _)| *l == line) {
            Some((_, rules)) if rules.contains(&d.rule) => {}
            Some((_, rules)) => rules.push(d.rule),
            None => lines.push((line, vec![d.rule])),
        }
    }
    let mut added = Added::default();
    if lines.is_empty() {
        return added;
    }
    lines.sort_by_key(|(l, _)| *l);
    // Scripts place their comments with the syntax tree: parsed once here when
    // the caller has none.
    let owned = (doc.parsed.is_none() && doc.language.is_script())
        .then(|| crate::engine::parse(doc.language, text, None));
    let tree = doc.parsed.or(owned.as_ref()).and_then(Parsed::tree);
    for (line, rules) in lines {
        match insertion(text, doc.language, tree, &index, line, &rules, reason) {
            Some(edit) => added.edits.push(edit),
            None if already_named(text, &index, line, &rules) => {}
            None => added.skipped.push((line, rules)),
        }
    }
    added
}

/// Every rule is named by a suppression comment on the line or the one above.
fn already_named(text: &str, index: &LineIndex, line: usize, rules: &[&str]) -> bool {
    let from = index.line_start(line.saturating_sub(1));
    let lines = &text[from..index.line_end(text, line)];
    lines.contains(SUPPRESSION_MARKER) && rules.iter().all(|r| lines.contains(r))
}

/// The rules a suppression comment names.
fn listed_rules(comment: &str) -> Vec<&str> {
    let rest = comment.split(SUPPRESSION_MARKER).nth(1).unwrap_or("");
    let list = &rest[..rest.find(':').unwrap_or(rest.len())];
    list.split(',')
        .filter_map(|r| r.split_whitespace().next())
        .collect()
}

/// If `line` is a whole-line `prodlint-ignore RULE[, RULE…]: reason` comment,
/// the offset in it just after the last rule.
fn extend_point(line: &str, lead: &str) -> Option<usize> {
    let body = line.trim_start().strip_prefix(lead)?;
    let rest = body.trim_start().strip_prefix(SUPPRESSION_MARKER)?;
    if !rest.starts_with([' ', '\t']) {
        return None; // `prodlint-ignore-file`, `prodlint-ignore:` (no rules)
    }
    let rest_start = line.len() - rest.len();
    let list = &rest[..rest.find(':').unwrap_or(rest.len())];
    if list.trim().is_empty() {
        return None;
    }
    Some(rest_start + list.trim_end().len())
}

/// The innermost node that strictly encloses the point `at` (starts before it).
fn enclosing(tree: &Tree, at: usize) -> Option<Node<'_>> {
    let root = tree.root_node();
    let mut n = root.descendant_for_byte_range(at, at)?;
    while n.start_byte() >= at || n.end_byte() <= at {
        n = n.parent()?;
    }
    Some(n)
}

/// Kinds whose inside is text: a comment inserted there would change a value
/// or land in a comment.
fn is_text_like(n: Node<'_>) -> bool {
    matches!(
        n.kind(),
        "template_string" | "string" | "string_fragment" | "comment" | "regex" | "regex_pattern"
    )
}

fn script_place(tree: &Tree, line_start: usize, line_end: usize) -> Option<Place> {
    let Some(container) = enclosing(tree, line_start) else {
        return Some(Place::Above);
    };
    if is_text_like(container) {
        return None;
    }
    let jsx_children = |n: Node<'_>| matches!(n.kind(), "jsx_element" | "jsx_text");
    if !jsx_children(container) {
        return Some(Place::Above);
    }
    // JSX children: a `//` line would be text. A trailing `{/* */}` works if the
    // line also ends among the element's children.
    match enclosing(tree, line_end) {
        Some(end) if jsx_children(end) => Some(Place::JsxTrailing),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn an_existing_suppression_line_is_extended() {
        use super::extend_point;
        assert_eq!(
            extend_point("  // prodlint-ignore a, b: why", "//"),
            Some(25)
        );
        assert_eq!(extend_point("-- prodlint-ignore a", "--"), Some(20));
        assert_eq!(extend_point("// prodlint-ignore-file a: x", "//"), None);
        assert_eq!(extend_point("// prodlint-ignore: x", "//"), None);
        assert_eq!(
            extend_point("const a = 1; // prodlint-ignore a: x", "//"),
            None
        );
        assert_eq!(extend_point("# prodlint-ignore A_KEY: x", "#"), Some(23));
    }

    fn place(text: &str, line: usize) -> Option<&'static str> {
        let tree = crate::ts::parse(text, Language::Tsx, None).expect("parses");
        let idx = LineIndex::new(text);
        let start = idx.line_start(line);
        super::script_place(&tree, start, idx.line_end(text, line)).map(|p| match p {
            super::Place::Above => "above",
            super::Place::JsxTrailing => "jsx",
        })
    }

    #[test]
    fn suppression_placement_in_scripts() {
        assert_eq!(
            place("const a = 1;\nconst b = x as any;\n", 1),
            Some("above")
        );
        assert_eq!(place("const s = `a\n${x as any}`;\n", 1), None);
        assert_eq!(
            place("const v = (\n  <div>\n    {x as any}\n  </div>\n);\n", 2),
            Some("jsx")
        );
        assert_eq!(
            place("const v = (\n  <div\n    a={x as any}\n  />\n);\n", 2),
            Some("above")
        );
    }

    /// The written comment is one the reader takes: inserting it silences the
    /// finding, in every language's syntax; a second insertion adds nothing.
    #[test]
    fn inserted_suppressions_are_read_back() {
        let cases = [
            (
                "a.ts",
                "function f() {\r\n  const b = y as any;\r\n}\r\n",
                1,
            ),
            (
                "a.tsx",
                "const v = (\n  <div>\n    {x as any}\n  </div>\n);\n",
                2,
            ),
            ("m.sql", "create tabel x;\n", 0),
        ];
        for (path, text, line) in cases {
            let lang = crate::language::detect(Path::new(path)).expect("linted");
            let found = rules_found(path, text);
            assert_eq!(found.len(), 1, "{path}: {found:?}");
            let ids: Vec<&str> = found.iter().map(|(r, _)| *r).collect();
            let parsed = crate::engine::parse(lang, text, None);
            let index = LineIndex::new(text);
            let edit = insertion(text, lang, parsed.tree(), &index, line, &ids, "legacy")
                .expect("an edit");
            let mut fixed = text.to_string();
            fixed.replace_range(edit.range.clone(), &edit.text);
            assert!(rules_found(path, &fixed).is_empty(), "{path}: {fixed}");
            if path == "a.ts" {
                assert_eq!(
                    fixed,
                    "function f() {\r\n  // prodlint-ignore no-any-cast: legacy\r\n  const b = y as any;\r\n}\r\n"
                );
            }
            // Nothing more to add for the same rules.
            let parsed = crate::engine::parse(lang, &fixed, None);
            let index = LineIndex::new(&fixed);
            let line = if path == "a.tsx" { line } else { line + 1 };
            assert_eq!(
                insertion(&fixed, lang, parsed.tree(), &index, line, &ids, "legacy"),
                None,
                "{path}"
            );
        }
    }
}
