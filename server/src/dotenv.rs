//! dotenv files, read as Node's `dotenv` (the loader of Next.js, Vite, Nest and
//! most Node apps) reads them, with byte ranges for everything:
//!
//! - `KEY=value` and `KEY: value` entries, optionally after `export `; keys are
//!   `[A-Za-z0-9_.-]+`; blanks around `=` are allowed;
//! - values in single, double or backtick quotes, which may span lines and may
//!   hold an escaped quote of their own kind (`\"`); in double quotes `\n` and
//!   `\r` are a newline and a carriage return;
//! - unquoted values end at `#` or at the end of the line and are trimmed;
//! - `#` comments on lines of their own and after a value (outside quotes);
//! - `${VAR}`, `${VAR:-default}` and `$VAR` references (dotenv-expand), except
//!   in single quotes and after a backslash;
//! - line ends `\n`, `\r\n` and a lone `\r`.
//!
//! Lines that are not entries (no key, no `=`) are skipped, as `dotenv` does.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    Single,
    Double,
    Backtick,
}

/// A `${NAME}` / `$NAME` reference inside a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    pub name: String,
    /// The whole reference, `${NAME:-x}` or `$NAME`.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DotenvEntry {
    pub key: String,
    pub key_range: Range<usize>,
    /// Written after `export `.
    pub exported: bool,
    /// The value as loaded: quotes removed, `\n` expanded in double quotes,
    /// unquoted values trimmed.
    pub value: String,
    /// The value as written (quotes included; empty range at the value's place
    /// when there is no value).
    pub value_range: Range<usize>,
    /// The value as written without its quotes.
    pub inner_range: Range<usize>,
    pub quote: Option<Quote>,
    pub expansions: Vec<Expansion>,
    /// From the start of the entry's first line to the end of its last line
    /// (line end excluded); several lines for a multi-line quoted value.
    pub line_range: Range<usize>,
}

impl DotenvEntry {
    /// The value holds a `${VAR}` / `$VAR` reference (its final value is not in
    /// this file).
    pub fn expands(&self) -> bool {
        !self.expansions.is_empty()
    }
}

#[derive(Clone, Debug, Default)]
pub struct DotenvFile {
    pub entries: Vec<DotenvEntry>,
    /// Byte ranges of `#` comments (whole-line and trailing; never inside a
    /// quoted value).
    pub comments: Vec<Range<usize>>,
}

/// The end of the line content starting at `from` and the start of the next line.
fn line_end(b: &[u8], from: usize) -> (usize, usize) {
    let mut i = from;
    while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
        i += 1;
    }
    let next = match (b.get(i), b.get(i + 1)) {
        (Some(b'\r'), Some(b'\n')) => i + 2,
        (Some(_), _) => i + 1,
        (None, _) => i,
    };
    (i, next)
}

fn skip_blanks(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-'
}

/// The closing quote `q` after `from` (a backslash escapes the next byte), or `None`.
fn closing_quote(b: &[u8], from: usize, q: u8) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The `${NAME}` / `$NAME` references in `text[range]`.
fn expansions(text: &str, range: Range<usize>) -> Vec<Expansion> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let start = i;
        if b.get(i + 1) == Some(&b'{') {
            let name_start = i + 2;
            let mut j = name_start;
            while j < range.end && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            let close = text[j..range.end].find('}').map(|k| j + k);
            match close {
                Some(close) if j > name_start => {
                    out.push(Expansion {
                        name: text[name_start..j].to_string(),
                        range: start..close + 1,
                    });
                    i = close + 1;
                }
                _ => i += 1,
            }
        } else {
            let mut j = i + 1;
            while j < range.end && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > i + 1 && !b[i + 1].is_ascii_digit() {
                out.push(Expansion {
                    name: text[i + 1..j].to_string(),
                    range: start..j,
                });
            }
            i = j.max(i + 1);
        }
    }
    out
}

impl DotenvFile {
    pub fn parse(text: &str) -> DotenvFile {
        let b = text.as_bytes();
        let mut file = DotenvFile::default();
        let mut pos = 0;
        while pos < b.len() {
            let line_start = pos;
            let (end, next) = line_end(b, pos);
            pos = next;
            let p = skip_blanks(b, line_start, end);
            if p == end {
                continue;
            }
            if b[p] == b'#' {
                file.comments.push(p..end);
                continue;
            }
            // `export KEY=…` (a key named `export` is a key: `export=1`).
            let (exported, key_start) = match text[p..end].strip_prefix("export") {
                Some(rest) if rest.starts_with([' ', '\t']) => {
                    (true, skip_blanks(b, p + "export".len(), end))
                }
                _ => (false, p),
            };
            let mut k = key_start;
            while k < end && is_key_byte(b[k]) {
                k += 1;
            }
            if k == key_start {
                continue;
            }
            let key_range = key_start..k;
            let sep = skip_blanks(b, k, end);
            let after_sep = match b.get(sep) {
                Some(b'=') if sep < end => sep + 1,
                // `KEY: value` needs a blank after the colon.
                Some(b':') if sep + 1 < end && matches!(b[sep + 1], b' ' | b'\t') => sep + 1,
                _ => continue,
            };
            let v = skip_blanks(b, after_sep, end);
            let quote = match b.get(v) {
                Some(b'"') if v < end => Some(Quote::Double),
                Some(b'\'') if v < end => Some(Quote::Single),
                Some(b'`') if v < end => Some(Quote::Backtick),
                _ => None,
            };
            // A quoted value: its closing quote, then only blanks or a comment
            // on that line (else the line is read unquoted, as `dotenv` does).
            let quoted = quote.and_then(|q| {
                let close = closing_quote(b, v + 1, b[v])?;
                let (close_line_end, close_next) = line_end(b, close);
                let t = skip_blanks(b, close + 1, close_line_end);
                (t == close_line_end || b[t] == b'#').then_some((
                    q,
                    close,
                    t,
                    close_line_end,
                    close_next,
                ))
            });
            let entry = match quoted {
                Some((q, close, t, close_line_end, close_next)) => {
                    if t < close_line_end {
                        file.comments.push(t..close_line_end);
                    }
                    pos = close_next;
                    let raw = &text[v + 1..close];
                    let value = match q {
                        Quote::Double => raw.replace("\\n", "\n").replace("\\r", "\r"),
                        _ => raw.to_string(),
                    };
                    DotenvEntry {
                        key: text[key_range.clone()].to_string(),
                        key_range,
                        exported,
                        value,
                        value_range: v..close + 1,
                        inner_range: v + 1..close,
                        quote: Some(q),
                        expansions: if q == Quote::Single {
                            Vec::new()
                        } else {
                            expansions(text, v + 1..close)
                        },
                        line_range: line_start..close_line_end,
                    }
                }
                None => {
                    let hash = text[v..end].find('#').map(|i| v + i);
                    if let Some(h) = hash {
                        file.comments.push(h..end);
                    }
                    let stop = hash.unwrap_or(end);
                    let value_end = v + text[v..stop].trim_end().len();
                    DotenvEntry {
                        key: text[key_range.clone()].to_string(),
                        key_range,
                        exported,
                        value: text[v..value_end].to_string(),
                        value_range: v..value_end,
                        inner_range: v..value_end,
                        quote: None,
                        expansions: expansions(text, v..value_end),
                        line_range: line_start..end,
                    }
                }
            };
            file.entries.push(entry);
        }
        file
    }

    /// The entry of `key` that `dotenv` loads (the first one: later duplicates
    /// do not override).
    pub fn get(&self, key: &str) -> Option<&DotenvEntry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// What a dotenv file is for, from its name (`.env.production.local`,
/// `.env.local.example`): the words after `.env`, split at `.`, `-` and `_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvFileKind {
    /// `.env.example`, `.env.sample`, `.env.template`, `.env.dist`,
    /// `.env.defaults`, `.env.production.example`…: placeholders are the point.
    Example,
    /// `.env.test`, `.env.test.local`, `.env.e2e`, `.env.ci`.
    Test,
    /// `.env.development`, `.env.dev`, `.env.development.local`.
    Development,
    /// `.env.production`, `.env.prod`, `.env.production.local`.
    Production,
    /// `.env`, `.env.local`, `.env.staging` and the rest.
    Other,
}

impl EnvFileKind {
    pub fn of(file_name: &str) -> EnvFileKind {
        let lower = file_name.to_ascii_lowercase();
        let rest = lower.strip_prefix(".env").unwrap_or(&lower);
        let words: Vec<&str> = rest
            .split(['.', '-', '_'])
            .filter(|w| !w.is_empty())
            .collect();
        let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
        if has(&[
            "example", "examples", "sample", "samples", "template", "tpl", "tmpl", "dist",
            "default", "defaults", "schema",
        ]) {
            EnvFileKind::Example
        } else if has(&["test", "testing", "e2e", "ci"]) {
            EnvFileKind::Test
        } else if has(&["development", "dev"]) {
            EnvFileKind::Development
        } else if has(&["production", "prod"]) {
            EnvFileKind::Production
        } else {
            EnvFileKind::Other
        }
    }

    /// The kind of the file at `path`.
    pub fn of_path(path: &std::path::Path) -> EnvFileKind {
        EnvFileKind::of(
            &path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(f: &DotenvFile) -> Vec<(&str, &str)> {
        f.entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect()
    }

    fn comments<'a>(text: &'a str, f: &DotenvFile) -> Vec<&'a str> {
        f.comments.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn parses_entries_quotes_and_comments() {
        let text =
            "# top\r\nexport A=1\r\nB = \"two # not comment\" # c\nC=three # trailing\nbad line\n";
        let f = DotenvFile::parse(text);
        assert_eq!(
            kv(&f),
            vec![("A", "1"), ("B", "two # not comment"), ("C", "three")]
        );
        assert_eq!(
            &text[f.entries[1].value_range.clone()],
            "\"two # not comment\""
        );
        assert_eq!(&text[f.entries[1].inner_range.clone()], "two # not comment");
        assert_eq!(&text[f.entries[0].key_range.clone()], "A");
        assert!(f.entries[0].exported && !f.entries[1].exported);
        assert_eq!(comments(text, &f), vec!["# top", "# c", "# trailing"]);
    }

    #[test]
    fn quote_kinds_and_escapes() {
        let text = "S='it''s'\nD=\"say \\\"hi\\\"\\nbye\"\nT=`back ${X}`\nQ='no ${X}'\n";
        let f = DotenvFile::parse(text);
        // `'it''s'`: the value closes at the second quote and `'s'` follows, so
        // the line is read unquoted, as dotenv does.
        assert_eq!(f.entries[0].quote, None);
        assert_eq!(f.entries[0].value, "'it''s'");
        assert_eq!(f.entries[1].quote, Some(Quote::Double));
        assert_eq!(f.entries[1].value, "say \\\"hi\\\"\nbye");
        assert_eq!(f.entries[2].quote, Some(Quote::Backtick));
        assert_eq!(f.entries[2].value, "back ${X}");
        assert_eq!(f.entries[2].expansions[0].name, "X");
        // single quotes do not expand
        assert!(!f.entries[3].expands());
    }

    #[test]
    fn multi_line_values_hide_their_hashes() {
        let text = "KEY=\"-----BEGIN KEY-----\r\n# not a comment\r\nabc\r\n-----END KEY-----\" # c\r\nNEXT=2\r\n";
        let f = DotenvFile::parse(text);
        assert_eq!(kv(&f)[1], ("NEXT", "2"));
        let e = &f.entries[0];
        assert!(e.value.contains("# not a comment\r\nabc"));
        assert_eq!(
            &text[e.line_range.clone()],
            "KEY=\"-----BEGIN KEY-----\r\n# not a comment\r\nabc\r\n-----END KEY-----\" # c"
        );
        assert_eq!(comments(text, &f), vec!["# c"]);
    }

    #[test]
    fn unclosed_quote_is_read_unquoted_on_its_line() {
        let text = "A=\"open\nB=2\n";
        let f = DotenvFile::parse(text);
        assert_eq!(kv(&f), vec![("A", "\"open"), ("B", "2")]);
    }

    #[test]
    fn unquoted_values_end_at_hash_and_are_trimmed() {
        let text = "A=abc#def\nB=  spaced value  \nC=\nD= # only a comment\nE=#fff\n";
        let f = DotenvFile::parse(text);
        assert_eq!(
            kv(&f),
            vec![
                ("A", "abc"),
                ("B", "spaced value"),
                ("C", ""),
                ("D", ""),
                ("E", "")
            ]
        );
        assert_eq!(&text[f.entries[1].value_range.clone()], "spaced value");
        // an empty value sits where it would start
        assert_eq!(f.entries[2].value_range, 31..31);
    }

    #[test]
    fn colon_separator_export_key_and_near_misses() {
        let text =
            "A: 1\nB:2\nexport=3\nexport  C=4\nexportD=5\n=6\nkey with space=7\n  # indented\n";
        let f = DotenvFile::parse(text);
        assert_eq!(
            kv(&f),
            vec![("A", "1"), ("export", "3"), ("C", "4"), ("exportD", "5")]
        );
        assert!(f.entries[2].exported);
        assert_eq!(comments(text, &f), vec!["# indented"]);
    }

    #[test]
    fn expansions_with_ranges() {
        let text = "URL=postgres://${USER}:$PASS@${HOST:-localhost}/db \\$NOT $1\n";
        let f = DotenvFile::parse(text);
        let e = &f.entries[0];
        let names: Vec<(&str, &str)> = e
            .expansions
            .iter()
            .map(|x| (x.name.as_str(), &text[x.range.clone()]))
            .collect();
        assert_eq!(
            names,
            vec![
                ("USER", "${USER}"),
                ("PASS", "$PASS"),
                ("HOST", "${HOST:-localhost}")
            ]
        );
    }

    #[test]
    fn lone_cr_line_ends_and_non_ascii_ranges() {
        let text = "# café ☕\rNAME=\"Zoë 🎉\"\rK=v";
        let f = DotenvFile::parse(text);
        assert_eq!(kv(&f), vec![("NAME", "Zoë 🎉"), ("K", "v")]);
        assert_eq!(&text[f.entries[0].value_range.clone()], "\"Zoë 🎉\"");
        assert_eq!(&text[f.entries[1].key_range.clone()], "K");
        assert_eq!(comments(text, &f), vec!["# café ☕"]);
    }

    #[test]
    fn first_entry_of_a_duplicate_key_wins() {
        let f = DotenvFile::parse("A=1\nA=2\n");
        assert_eq!(f.get("A").map(|e| e.value.as_str()), Some("1"));
        assert!(f.get("B").is_none());
    }

    #[test]
    fn file_kinds_by_name() {
        use EnvFileKind::*;
        for (name, kind) in [
            (".env.example", Example),
            (".env.local.example", Example),
            (".env.production.example", Example),
            (".env.sample", Example),
            (".env.template", Example),
            (".env.dist", Example),
            (".env.test", Test),
            (".env.test.local", Test),
            (".env.development", Development),
            (".env.dev", Development),
            (".env.production", Production),
            (".env.production.local", Production),
            (".env.prod", Production),
            (".env", Other),
            (".env.local", Other),
            (".env.staging", Other),
            // near misses: words, not substrings
            (".env.products", Other),
            (".env.devops", Other),
            (".env.contest", Other),
        ] {
            assert_eq!(EnvFileKind::of(name), kind, "{name}");
        }
    }
}
