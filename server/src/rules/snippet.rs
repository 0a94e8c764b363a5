//! Quoting source code in messages: one line, shortened with `…` at a token
//! boundary. Every rule that puts node text into a message goes through
//! [`quote`] (or [`one_line`] for the bare text), so a multi-line call chain or
//! template never spills its line breaks and indentation into a message.

/// The default length budget (in characters, the `…` not counted) for a quoted
/// expression in a message.
pub const DEFAULT_MAX: usize = 40;

/// `code` on one line: line breaks and runs of whitespace become one space,
/// except where the space would be noise (before `.`, `?.`, `)`, `]`, `,` and
/// after `(`, `[`). Longer than `max` characters, it is cut at the last token
/// boundary that keeps at least half of the budget (else at `max`), trailing
/// openers and separators are dropped, and `…` is appended.
pub fn one_line(code: &str, max: usize) -> String {
    let mut joined = String::with_capacity(code.len().min(max * 4 + 8));
    let mut pending_space = false;
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            pending_space = !joined.is_empty();
            continue;
        }
        if pending_space {
            let after_opener = joined.ends_with(['(', '[']);
            let before_closer =
                matches!(c, '.' | ')' | ']' | ',') || (c == '?' && chars.peek() == Some(&'.'));
            if !after_opener && !before_closer {
                joined.push(' ');
            }
            pending_space = false;
        }
        joined.push(c);
    }
    let count = joined.chars().count();
    if count <= max {
        return joined;
    }
    // Byte offset of the character at `max`.
    let hard = joined
        .char_indices()
        .nth(max)
        .map(|(i, _)| i)
        .unwrap_or(joined.len());
    let head = &joined[..hard];
    // A boundary: after a space or a separator, or before `.` / `(`.
    let boundary = head
        .char_indices()
        .filter(|&(i, c)| {
            i > 0 && (c == ' ' || c == '.' || c == '(' || c == ',' || c == '[')
                || head[..i].ends_with([')', ']', ','])
        })
        .map(|(i, _)| i)
        .rfind(|&i| head[..i].chars().count() * 2 >= max);
    let cut = boundary.unwrap_or(hard);
    let mut out = joined[..cut]
        .trim_end_matches([' ', ',', '(', '[', '.', '='])
        .trim_end()
        .to_string();
    if out.is_empty() {
        out = head.to_string();
    }
    out.push('…');
    out
}

/// `code` as a Markdown inline code span for a message: [`one_line`] with
/// [`DEFAULT_MAX`], between backticks (doubled when the code holds one, with
/// padding spaces as CommonMark asks).
pub fn quote(code: &str) -> String {
    quote_max(code, DEFAULT_MAX)
}

/// [`quote`] with another length budget.
pub fn quote_max(code: &str, max: usize) -> String {
    let s = one_line(code, max);
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_lines_without_noise_spaces() {
        assert_eq!(
            one_line("rows\n    .map((r) => r.id)\n    .join(', ')", 80),
            "rows.map((r) => r.id).join(', ')"
        );
        assert_eq!(one_line("f(\n  a,\n  b\n)", 80), "f(a, b)");
        assert_eq!(one_line("  x  ", 80), "x");
        assert_eq!(one_line("a?.b\n  ?.c", 80), "a?.b?.c");
        assert_eq!(one_line("a\n  ? b\n  : c", 80), "a ? b : c");
    }

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(one_line("req.params.id", 40), "req.params.id");
        assert_eq!(one_line("", 40), "");
    }

    #[test]
    fn cuts_at_a_token_boundary() {
        let s = one_line(
            "finalStatsToUpdate\n  .map(([key, _]) => `${key} = ?`)\n  .join(\", \")",
            40,
        );
        assert_eq!(s, "finalStatsToUpdate.map(([key, _]) =>…");
        assert!(s.chars().count() <= 41);
        // one long word: cut at the budget
        let s = one_line(&"x".repeat(60), 10);
        assert_eq!(s, format!("{}…", "x".repeat(10)));
    }

    #[test]
    fn cuts_on_char_boundaries() {
        let s = one_line(&"é😀".repeat(30), 7);
        assert_eq!(s.chars().count(), 8);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn quote_wraps_backticks() {
        assert_eq!(quote("id"), "`id`");
        assert_eq!(quote("`a ${b}`"), "`` `a ${b}` ``");
    }
}
