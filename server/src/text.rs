//! Text-only helpers shared by the rules of every language and by the engine's
//! edits (suppression comments): line endings, indentation, quote style. They
//! read bytes, never a syntax tree.

/// The quote character the file mostly uses for strings (`'` unless `"` is more common).
/// Only the first 16 KiB are read, so calling it per finding stays cheap.
pub fn preferred_quote(source: &str) -> char {
    let head = &source.as_bytes()[..source.len().min(16 * 1024)];
    let single = head.iter().filter(|&&b| b == b'\'').count();
    let double = head.iter().filter(|&&b| b == b'"').count();
    if double > single {
        '"'
    } else {
        '\''
    }
}

/// Quote `s` as a string literal with `quote`.
pub fn quoted(s: &str, quote: char) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace(quote, &format!("\\{quote}"));
    format!("{quote}{escaped}{quote}")
}

/// The indentation (spaces/tabs) of the line containing byte `offset`.
pub fn line_indent(source: &str, offset: usize) -> &str {
    let start = source[..offset.min(source.len())]
        .rfind(['\n', '\r'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let rest = &source[start..];
    let len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..len]
}

/// The file's line ending: that of its first line (`\r\n`, a lone `\r` — a line
/// end for LSP clients and editors — or `\n`, also when there is none).
pub fn line_ending(source: &str) -> &'static str {
    match source.find(['\n', '\r']) {
        Some(i) if source.as_bytes()[i] == b'\r' => {
            if source.as_bytes().get(i + 1) == Some(&b'\n') {
                "\r\n"
            } else {
                "\r"
            }
        }
        _ => "\n",
    }
}

/// The indentation unit of the file (read from its first 500 lines): a tab if
/// lines are indented with tabs, else the smallest non-zero run of leading
/// spaces (2 when nothing is indented).
pub fn indent_unit(source: &str) -> String {
    let mut smallest = usize::MAX;
    for line in source.lines().take(500) {
        if line.starts_with('\t') {
            return "\t".to_string();
        }
        let n = line.len() - line.trim_start_matches(' ').len();
        if n > 0 && n < line.len() && !line.trim_start().starts_with('*') {
            smallest = smallest.min(n);
        }
    }
    if smallest == usize::MAX || smallest > 8 {
        "  ".to_string()
    } else {
        " ".repeat(smallest)
    }
}

/// [`preferred_quote`] over the 4 KiB around `offset`: the file's quote style
/// without counting a large file's quotes once per finding.
pub fn preferred_quote_near(source: &str, offset: usize) -> char {
    let bytes = source.as_bytes();
    let start = offset.saturating_sub(2048).min(bytes.len());
    let end = offset.saturating_add(2048).min(bytes.len());
    let (mut single, mut double) = (0usize, 0usize);
    for &b in &bytes[start..end] {
        match b {
            b'\'' => single += 1,
            b'"' => double += 1,
            _ => {}
        }
    }
    if double > single {
        '"'
    } else {
        '\''
    }
}
