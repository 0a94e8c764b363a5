//! LSP positions ↔ byte offsets, and engine diagnostics → LSP diagnostics.
//!
//! All column arithmetic is `line_index`'s. Incoming positions are resolved
//! against the rope (ropey is built with `cr_lines` and without `unicode_lines`,
//! so its line breaks are LSP's and `LineIndex`'s: `\n`, `\r\n`, lone `\r`): the
//! rope gives the line's start, `LineIndex` over that one line gives the column's
//! byte. Outgoing positions come from a `LineIndex` over the linted text.
//!
//! tree-sitter counts rows by `\n` only; `rope_point` gives its points.

use crate::diagnostic::{Diagnostic, Level};
use crate::line_index::{ColumnUnit, LineCol, LineIndex};
use crate::rules;
use ropey::Rope;
use std::ops::Range;
use std::str::FromStr;
use tower_lsp_server::ls_types as lsp;

/// Byte offset in `rope` of an LSP position (clamped like `LineIndex::offset`).
pub fn rope_offset(rope: &Rope, pos: lsp::Position, unit: ColumnUnit) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let text: std::borrow::Cow<str> = slice.into();
    let col = LineIndex::new(&text).offset(
        &text,
        LineCol {
            line: 0,
            col: pos.character,
        },
        unit,
    );
    start + col
}

/// The tree-sitter point (row, byte column) of a byte offset in `rope`.
/// tree-sitter's rows end at `\n` only, unlike the rope's lines (a lone `\r`
/// also ends those), so the rows are counted here: one `memchr` pass over the
/// text before `offset` (microseconds even on large files, once per edit).
pub fn rope_point(rope: &Rope, offset: usize) -> tree_sitter::Point {
    let offset = offset.min(rope.len_bytes());
    let mut row = 0;
    let mut row_start = 0;
    let mut at = 0;
    for chunk in rope.byte_slice(..offset).chunks() {
        let bytes = chunk.as_bytes();
        row += memchr::memchr_iter(b'\n', bytes).count();
        if let Some(last) = memchr::memrchr(b'\n', bytes) {
            row_start = at + last + 1;
        }
        at += bytes.len();
    }
    tree_sitter::Point {
        row,
        column: offset - row_start,
    }
}

/// Converts byte offsets of one text to LSP positions through the text's rope:
/// no line index over the whole text, which a lint would build only to convert
/// a handful of offsets (O(log n) each here). Columns are `LineIndex`'s, over
/// the one line.
pub struct RopePositions<'a> {
    pub text: &'a str,
    /// The same text.
    pub rope: &'a Rope,
    pub unit: ColumnUnit,
}

impl RopePositions<'_> {
    pub fn position(&self, offset: usize) -> lsp::Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.rope.byte_to_line(offset);
        let prefix = &self.text[self.rope.line_to_byte(line)..offset];
        // Not a `LineIndex` over the prefix: a prefix ending inside a `\r\n`
        // would end with what looks like a lone `\r`.
        let col = crate::line_index::width(prefix, self.unit);
        lsp::Position {
            line: line as u32,
            character: col,
        }
    }

    pub fn range(&self, range: &Range<usize>) -> lsp::Range {
        lsp::Range {
            start: self.position(range.start),
            end: self.position(range.end.max(range.start)),
        }
    }

    pub fn diagnostic(&self, d: &Diagnostic) -> lsp::Diagnostic {
        to_lsp(d, self.range(&d.range))
    }
}

/// Converts byte offsets of one text to LSP positions.
pub struct Positions<'a> {
    pub text: &'a str,
    pub index: LineIndex,
    pub unit: ColumnUnit,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, unit: ColumnUnit) -> Positions<'a> {
        Positions {
            text,
            index: LineIndex::new(text),
            unit,
        }
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let lc = self.index.position(self.text, offset, self.unit);
        lsp::Position {
            line: lc.line,
            character: lc.col,
        }
    }

    pub fn range(&self, range: &Range<usize>) -> lsp::Range {
        lsp::Range {
            start: self.position(range.start),
            end: self.position(range.end.max(range.start)),
        }
    }

    pub fn offset(&self, pos: lsp::Position) -> usize {
        self.index.offset(
            self.text,
            LineCol {
                line: pos.line,
                col: pos.character,
            },
            self.unit,
        )
    }

    pub fn diagnostic(&self, d: &Diagnostic) -> lsp::Diagnostic {
        to_lsp(d, self.range(&d.range))
    }
}

pub fn severity(level: Level) -> lsp::DiagnosticSeverity {
    match level {
        Level::Error => lsp::DiagnosticSeverity::ERROR,
        Level::Warn => lsp::DiagnosticSeverity::WARNING,
        Level::Info | Level::Off => lsp::DiagnosticSeverity::INFORMATION,
    }
}

fn to_lsp(d: &Diagnostic, range: lsp::Range) -> lsp::Diagnostic {
    let href = rules::meta(d.rule)
        .and_then(|m| lsp::Uri::from_str(&m.help_uri()).ok())
        .map(|href| lsp::CodeDescription { href });
    let tags = (d.rule == rules::meta::UNUSED_SUPPRESSION.id)
        .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]);
    lsp::Diagnostic {
        range,
        severity: Some(severity(d.level)),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        code_description: href,
        source: Some("prodlint".to_string()),
        message: d.message.clone(),
        related_information: None,
        tags,
        data: None,
    }
}

/// Whether two LSP ranges share a point (touching counts: a cursor at either end
/// of a finding is "on" it).
pub fn touches(a: &lsp::Range, b: &lsp::Range) -> bool {
    let le = |x: &lsp::Position, y: &lsp::Position| (x.line, x.character) <= (y.line, y.character);
    le(&a.start, &b.end) && le(&b.start, &a.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rope_offsets_match_line_index() {
        let text = "é😀x\r\nçb\r\n\nlast";
        let rope = Rope::from_str(text);
        let idx = LineIndex::new(text);
        assert_eq!(rope.len_lines(), idx.line_count());
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16] {
            for line in 0..6u32 {
                for col in 0..12u32 {
                    let pos = lsp::Position {
                        line,
                        character: col,
                    };
                    let want = idx.offset(text, LineCol { line, col }, unit);
                    assert_eq!(rope_offset(&rope, pos, unit), want, "{unit:?} {line}:{col}");
                }
            }
        }
    }

    #[test]
    fn rope_positions_match_line_index_positions() {
        for text in [
            "é😀x\r\nçb\r\n\nlast",
            "a\rb\u{2028}c\nd\n",
            "",
            "\n",
            "x😀",
        ] {
            let rope = Rope::from_str(text);
            for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16] {
                let by_index = Positions::new(text, unit);
                let by_rope = RopePositions {
                    text,
                    rope: &rope,
                    unit,
                };
                for offset in 0..=text.len() + 2 {
                    assert_eq!(
                        by_rope.position(offset),
                        by_index.position(offset),
                        "{text:?} {unit:?} {offset}"
                    );
                }
            }
        }
    }

    /// LSP 3.17: a lone `\r` ends a line (as in the rope and `LineIndex`);
    /// U+2028 does not.
    #[test]
    fn a_lone_cr_is_a_line_break_a_line_separator_is_not() {
        let text = "a\rb\u{2028}c\nd\r\ne\r";
        let rope = Rope::from_str(text);
        assert_eq!(rope.len_lines(), 5);
        assert_eq!(rope.len_lines(), LineIndex::new(text).line_count());
        let pos = |line, character| lsp::Position { line, character };
        assert_eq!(rope_offset(&rope, pos(1, 0), ColumnUnit::Utf16), 2);
        assert_eq!(rope_offset(&rope, pos(0, 9), ColumnUnit::Utf16), 1);
        assert_eq!(rope_offset(&rope, pos(2, 9), ColumnUnit::Utf16), 9);
    }

    /// tree-sitter points count `\n` only, whatever the rope's lines are.
    #[test]
    fn tree_sitter_points_count_newlines_only() {
        let text = "a\rb\nc\r\nd";
        let rope = Rope::from_str(text);
        let p = |row, column| tree_sitter::Point { row, column };
        assert_eq!(rope_point(&rope, 2), p(0, 2));
        assert_eq!(rope_point(&rope, 4), p(1, 0));
        assert_eq!(rope_point(&rope, 7), p(2, 0));
        assert_eq!(rope_point(&rope, 99), p(2, 1));
    }
}
