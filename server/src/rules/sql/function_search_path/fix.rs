//! The fix: add `SET search_path = ''` to the function's options.

use super::body::body_is_qualified;
use super::OPTION_WORDS;
use crate::diagnostic::{Edit, Fix};
use crate::sql::function::FunctionOptions;
use crate::sql::lex::{self, Token};
use crate::sql::SqlStatement;
use crate::text;

pub(super) fn fix(
    src: &str,
    stmt: &SqlStatement,
    toks: &[Token],
    info: &FunctionOptions,
) -> Option<Fix> {
    // The body's `AS`: the first `AS` outside parentheses.
    let mut depth = 0i32;
    let mut as_index = None;
    for (i, t) in toks.iter().enumerate() {
        if t.is_punct(src, "(") {
            depth += 1;
        } else if t.is_punct(src, ")") {
            depth -= 1;
        } else if depth == 0 && t.is_word(src, "as") {
            as_index = Some(i);
            break;
        }
    }
    let as_tok = toks.get(as_index?)?;
    let lower = as_tok.text(src) == "as";
    let setting = format!("{} search_path = ''", lex::keyword_case("SET", lower));
    let eol = text::line_ending(src);
    let line_start = src[..as_tok.range.start]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let before_on_line = &src[line_start..as_tok.range.start];
    let edit = if before_on_line.trim().is_empty() {
        // `AS` begins its line: the setting goes on its own line above it,
        // indented like the option line before it (or like `AS`).
        let as_indent = text::line_indent(src, as_tok.range.start);
        let prev_option = toks
            .iter()
            .rev()
            .find(|t| t.range.start < line_start)
            .map(|t| {
                let ls = src[..t.range.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
                toks.iter().find(|f| f.range.start >= ls).unwrap_or(t)
            })
            .filter(|first| {
                OPTION_WORDS.iter().any(|w| first.is_word(src, w))
                    && first.range.start > stmt.range.start
            });
        let indent = prev_option
            .map(|t| text::line_indent(src, t.range.start))
            .unwrap_or(as_indent);
        Edit::insert(line_start, format!("{indent}{setting}{eol}"))
    } else {
        // `AS` ends a line of options (`security definer as $$`): put the setting
        // on its own line before that line, unless it is the first line or the
        // RETURNS clause (options cannot precede RETURNS).
        let first_on_line = toks
            .iter()
            .find(|t| t.range.start >= line_start && t.range.start < as_tok.range.start);
        match first_on_line {
            Some(t)
                if line_start > stmt.range.start
                    && OPTION_WORDS.iter().any(|w| t.is_word(src, w)) =>
            {
                let indent = text::line_indent(src, t.range.start);
                Edit::insert(t.range.start, format!("{setting}{eol}{indent}"))
            }
            _ => Edit::insert(as_tok.range.start, format!("{setting} ")),
        }
    };
    let title = "Add `SET search_path = ''`";
    Some(if body_is_qualified(src, stmt, info) {
        Fix::safe(title, vec![edit])
    } else {
        Fix::unsafe_(
            format!("{title} (the body names objects without a schema or uses dynamic SQL: qualify them)"),
            vec![edit],
        )
    })
}
