//! Conversion between byte offsets (the engine's positions) and the positions the
//! outside world uses: 1-based lines with code-point columns (CLI, JSON, SARIF) and
//! 0-based lines with UTF-8 or UTF-16 columns (LSP). This is the only module that
//! does such conversions.
//!
//! Line breaks are those of LSP 3.17 (and of the ECMAScript grammar, minus the
//! Unicode separators): `\n`, `\r\n` and a lone `\r`. The editor counts a
//! lone `\r` as a line end, so the CLI and the server must too, or their line
//! numbers, fixes and suppression comments land on the wrong line.

/// Column unit of a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    Utf8,
    Utf16,
    CodePoint,
}

/// The width of `prefix` (the text between a line's start and a position) in
/// `unit`: the position's column.
pub fn width(prefix: &str, unit: ColumnUnit) -> u32 {
    let w: usize = match unit {
        ColumnUnit::Utf8 => prefix.len(),
        ColumnUnit::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        ColumnUnit::CodePoint => prefix.chars().count(),
    };
    w as u32
}

#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of every line; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
    len: usize,
}

/// 0-based line and column in some unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                // `\r\n` is one break: it ends at the `\n`.
                .filter(|&i| !(bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
                .map(|i| i + 1),
        );
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line containing `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte offset of the end of `line`'s content (before `\r\n`, `\n` or `\r`).
    pub fn line_end(&self, text: &str, line: usize) -> usize {
        let next = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        let mut end = next;
        if end > self.line_start(line) && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > self.line_start(line) && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        end
    }

    /// Position of a byte offset. An offset inside a multi-byte character is
    /// moved back to the character's start.
    pub fn position(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.line_start(line);
        LineCol {
            line: line as u32,
            col: width(&text[start..offset], unit),
        }
    }

    /// Byte offset of a position. Columns past the end of the line clamp to the
    /// line's end (as LSP requires); a position inside a UTF-16 surrogate pair
    /// resolves to the character's start; lines past the end clamp to the text's end.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let start = self.line_start(line);
        let end = self.line_end(text, line);
        let content = &text[start..end];
        let want = pos.col as usize;
        match unit {
            ColumnUnit::Utf8 => {
                let mut at = want.min(content.len());
                while !content.is_char_boundary(at) {
                    at -= 1;
                }
                start + at
            }
            ColumnUnit::Utf16 | ColumnUnit::CodePoint => {
                let mut units = 0usize;
                for (i, ch) in content.char_indices() {
                    let w = if unit == ColumnUnit::Utf16 {
                        ch.len_utf16()
                    } else {
                        1
                    };
                    if units + w > want {
                        return start + i;
                    }
                    units += w;
                }
                end
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_text_with_emoji_accents_and_crlf() {
        let text = "é😀x\r\nçb\r\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.position(text, x, ColumnUnit::Utf8),
            LineCol { line: 0, col: 6 }
        );
        assert_eq!(
            idx.position(text, x, ColumnUnit::Utf16),
            LineCol { line: 0, col: 3 }
        );
        assert_eq!(
            idx.position(text, x, ColumnUnit::CodePoint),
            LineCol { line: 0, col: 2 }
        );
        let b = text.find('b').unwrap();
        assert_eq!(
            idx.position(text, b, ColumnUnit::CodePoint),
            LineCol { line: 1, col: 1 }
        );
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::CodePoint] {
            for off in [0, x, b, text.len()] {
                assert_eq!(
                    idx.offset(text, idx.position(text, off, unit), unit),
                    off,
                    "{unit:?} {off}"
                );
            }
        }
    }

    /// LSP 3.17: `\n`, `\r\n` and a lone `\r` end a line; U+2028 does not.
    #[test]
    fn a_lone_cr_ends_a_line() {
        let text = "// a\r// b\rx\r\ny\n\rz\u{2028}w\r";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 7);
        let x = text.find('x').unwrap();
        assert_eq!(
            idx.position(text, x, ColumnUnit::Utf16),
            LineCol { line: 2, col: 0 }
        );
        let w = text.find('w').unwrap();
        assert_eq!(
            idx.position(text, w, ColumnUnit::Utf16),
            LineCol { line: 5, col: 2 }
        );
        assert_eq!(idx.line_end(text, 0), 4);
        assert_eq!(idx.line_end(text, 2), x + 1);
        assert_eq!(idx.line_end(text, 3), 14);
        assert_eq!(idx.line_end(text, 4), 15);
        assert_eq!(
            idx.offset(text, LineCol { line: 1, col: 99 }, ColumnUnit::Utf16),
            9
        );
        assert_eq!(idx.line_start(6), text.len());
    }

    #[test]
    fn offsets_clamp_and_never_split_characters() {
        let text = "a😀b\nc";
        let idx = LineIndex::new(text);
        // inside the surrogate pair: back to the emoji's start
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 2 }, ColumnUnit::Utf16),
            1
        );
        // past the end of the line: the line's end, not the next line
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, ColumnUnit::Utf16),
            6
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 9, col: 0 }, ColumnUnit::Utf16),
            text.len()
        );
        assert_eq!(
            idx.position(text, 2, ColumnUnit::Utf8),
            LineCol { line: 0, col: 1 }
        );
    }
}
