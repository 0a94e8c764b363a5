//! Lexical helpers for SQL rules: tokens with file offsets (from the PostgreSQL
//! scanner), names as written, and where to insert a statement after another.
//! Everything works on byte offsets into the file and never panics on odd input.

use pg_query::protobuf::Token as Kind;
use std::ops::Range;

/// One scanner token (comments excluded), with its byte range in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: i32,
    pub range: Range<usize>,
}

impl Token {
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        source.get(self.range.clone()).unwrap_or("")
    }
    /// An unquoted word (keyword or identifier) equal to `word`, ignoring case.
    pub fn is_word(&self, source: &str, word: &str) -> bool {
        self.kind != Kind::Sconst as i32 && self.text(source).eq_ignore_ascii_case(word)
    }
    pub fn is(&self, kind: Kind) -> bool {
        self.kind == kind as i32
    }
    /// `(`, `)`, `,`, `;`, `.`
    pub fn is_punct(&self, source: &str, p: &str) -> bool {
        self.kind != Kind::Sconst as i32 && self.text(source) == p
    }
    /// An identifier, keyword or quoted identifier (something that can name an object).
    pub fn is_name(&self, source: &str) -> bool {
        let t = self.text(source);
        if self.is(Kind::Ident) {
            return true;
        }
        t.starts_with('"')
            || (self.kind > Kind::CComment as i32
                && t.chars().all(|c| c.is_ascii_alphabetic() || c == '_'))
    }
}

/// The tokens of `source[range]`, with offsets in `source` (comments left out).
/// Empty when the text cannot be scanned (e.g. an unterminated quote).
pub fn tokens(source: &str, range: Range<usize>) -> Vec<Token> {
    let Some(slice) = source.get(range.clone()) else {
        return Vec::new();
    };
    let Ok(scan) = pg_query::scan(slice) else {
        return Vec::new();
    };
    scan.tokens
        .iter()
        .filter(|t| t.token != Kind::SqlComment as i32 && t.token != Kind::CComment as i32)
        .filter(|t| t.start >= 0 && t.end >= t.start)
        .map(|t| Token {
            kind: t.token,
            range: range.start + t.start as usize..range.start + t.end as usize,
        })
        .collect()
}

fn ident_end(source: &str, start: usize) -> Option<usize> {
    let rest = source.get(start..)?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '"' {
        let bytes = rest.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            if bytes[i] == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                return Some(start + i + 1);
            }
            i += 1;
        }
        return None;
    }
    // PostgreSQL's scanner: ident_start [A-Za-z\200-\377_], ident_cont adds
    // digits and `$`: every non-ASCII character is an identifier character.
    if !(first.is_ascii_alphabetic() || !first.is_ascii() || first == '_') {
        return None;
    }
    let len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || !c.is_ascii() || *c == '_' || *c == '$'))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    Some(start + len)
}

/// The (possibly schema-qualified, possibly quoted) name that starts at `start`,
/// as written: `public.profiles`, `"Orders"`, `app . users`.
pub fn name_range(source: &str, start: usize) -> Option<Range<usize>> {
    let mut end = ident_end(source, start)?;
    loop {
        let rest = source.get(end..)?;
        let ws = rest.len() - rest.trim_start().len();
        if !rest[ws..].starts_with('.') {
            break;
        }
        let after_dot = end + ws + 1;
        let rest2 = source.get(after_dot..)?;
        let ws2 = rest2.len() - rest2.trim_start().len();
        match ident_end(source, after_dot + ws2) {
            Some(e) => end = e,
            None => break,
        }
    }
    Some(start..end)
}

/// Where to put a new statement after the statement ending at `stmt_end`
/// (the end of its text, before the `;`): after the `;` and any comment that
/// trails it on the same line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    /// The statement has no `;` (last statement of the file): insert one first.
    pub needs_semicolon: bool,
}

pub fn insertion_after(source: &str, stmt_end: usize) -> Insertion {
    let Some(rest) = source.get(stmt_end..) else {
        return Insertion {
            at: source.len(),
            needs_semicolon: false,
        };
    };
    let ws = rest.len() - rest.trim_start().len();
    if !rest[ws..].starts_with(';') {
        return Insertion {
            at: stmt_end,
            needs_semicolon: true,
        };
    }
    let after_semi = stmt_end + ws + 1;
    let line_rest = &source[after_semi..];
    let line_len = line_rest.find('\n').unwrap_or(line_rest.len());
    let line = line_rest[..line_len].trim_end_matches('\r');
    let t = line.trim();
    let only_comment = t.is_empty()
        || t.starts_with("--")
        || (t.starts_with("/*") && t.ends_with("*/") && t[2..].find("*/") == Some(t.len() - 4));
    if only_comment {
        Insertion {
            at: after_semi + line.len(),
            needs_semicolon: false,
        }
    } else {
        Insertion {
            at: after_semi,
            needs_semicolon: false,
        }
    }
}

/// Whether the statement's own keywords are written in lower case (`create table`),
/// so that inserted SQL can follow the file's style.
pub fn lowercase_keywords(source: &str, stmt: &Range<usize>) -> bool {
    let head: String = source
        .get(stmt.clone())
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    !head.is_empty() && head.chars().all(|c| c.is_ascii_lowercase())
}

/// A keyword fragment (`ALTER TABLE`) in the case the file uses.
pub fn keyword_case(keywords: &str, lower: bool) -> String {
    if lower {
        keywords.to_ascii_lowercase()
    } else {
        keywords.to_ascii_uppercase()
    }
}

/// The whole call starting at `start` (a function call's `location`), through
/// its closing parenthesis: `auth.uid()`, `current_setting('a', true)`. `toks`
/// are the tokens of the statement holding it ([`tokens`], scanned once per
/// statement). `None` when `start` does not begin a name followed by a
/// balanced argument list among `toks`.
pub fn call_range(source: &str, toks: &[Token], start: usize) -> Option<Range<usize>> {
    let name = name_range(source, start)?;
    let open = toks.partition_point(|t| t.range.start < name.end);
    toks.get(open).filter(|t| t.is_punct(source, "("))?;
    let close = closing_paren(source, toks, open)?;
    Some(start..toks[close].range.end)
}

/// The token that starts at `start`, among `toks` (sorted, as [`tokens`] gives them).
pub fn token_at(toks: &[Token], start: usize) -> Option<&Token> {
    let i = toks.partition_point(|t| t.range.start < start);
    toks.get(i).filter(|t| t.range.start == start)
}

/// The index in `toks` of the `)` that closes the `(` at index `open`.
pub fn closing_paren(source: &str, toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.is_punct(source, "(") {
            depth += 1;
        } else if t.is_punct(source, ")") {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_written() {
        let s = "create table public . \"Orders\" (id int); x.y z";
        let r = name_range(s, 13).unwrap();
        assert_eq!(&s[r], "public . \"Orders\"");
        let r = name_range(s, s.find("x.y").unwrap()).unwrap();
        assert_eq!(&s[r], "x.y");
        assert!(name_range(s, s.len()).is_none());
        assert!(name_range("\"open", 0).is_none());
        let s = "café_tbl(";
        assert_eq!(&s[name_range(s, 0).unwrap()], "café_tbl");
        // Any non-ASCII character continues a name, as in PostgreSQL's scanner
        // (found by the fuzzer: `public.or\u{fffd}ders` was cut to `public.or`).
        let s = "public.or\u{fffd}ders for";
        assert_eq!(&s[name_range(s, 0).unwrap()], "public.or\u{fffd}ders");
        let s = "public.t😀 (";
        assert_eq!(&s[name_range(s, 0).unwrap()], "public.t😀");
    }

    #[test]
    fn insertion_points() {
        let s = "create table t (id int); -- note\r\nselect 1";
        let end = s.find(';').unwrap();
        assert_eq!(
            insertion_after(s, end),
            Insertion {
                at: s.find("\r\n").unwrap(),
                needs_semicolon: false
            }
        );
        let s = "create table t (id int); select 1;";
        assert_eq!(insertion_after(s, 23).at, 24);
        let s = "create table t (id int)";
        assert_eq!(
            insertion_after(s, s.len()),
            Insertion {
                at: s.len(),
                needs_semicolon: true
            }
        );
        let s = "create table t (id int) ;\n";
        assert_eq!(insertion_after(s, 23).at, 25);
    }

    #[test]
    fn tokens_have_file_offsets_and_skip_comments() {
        let s = "x; CREATE /* c */ TABLE \"T\" (a int) -- e";
        let t = tokens(s, 3..s.len());
        let words: Vec<&str> = t.iter().map(|t| t.text(s)).collect();
        assert_eq!(
            words,
            vec!["CREATE", "TABLE", "\"T\"", "(", "a", "int", ")"]
        );
        assert!(t[0].is_word(s, "create"));
        assert!(t[2].is_name(s));
        assert!(tokens(s, 3..999).is_empty());
    }

    #[test]
    fn keyword_style() {
        let s = "create table t ()";
        assert!(lowercase_keywords(s, &(0..s.len())));
        assert!(!lowercase_keywords("CREATE TABLE", &(0..12)));
        assert_eq!(keyword_case("ALTER TABLE", true), "alter table");
        assert_eq!(keyword_case("alter table", false), "ALTER TABLE");
    }

    #[test]
    fn call_ranges() {
        let s = "using (auth.uid() = id and current_setting('a(', true)::int > 0 and f)";
        let toks = tokens(s, 0..s.len());
        let r = call_range(s, &toks, 7).unwrap();
        assert_eq!(&s[r], "auth.uid()");
        let at = s.find("current").unwrap();
        assert_eq!(
            &s[call_range(s, &toks, at).unwrap()],
            "current_setting('a(', true)"
        );
        // not a call, or unbalanced
        assert!(call_range(s, &toks, s.rfind('f').unwrap()).is_none());
        let u = "f(a, (b)";
        assert!(call_range(u, &tokens(u, 0..u.len()), 0).is_none());
        assert_eq!(
            token_at(&toks, at).map(|t| t.text(s)),
            Some("current_setting")
        );
        assert!(token_at(&toks, at + 1).is_none());
    }
}
