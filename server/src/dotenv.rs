//! dotenv files: `KEY=value` lines, `export KEY=value`, quoted values, `#` comments.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DotenvEntry {
    pub key: String,
    pub key_range: Range<usize>,
    /// The value without quotes.
    pub value: String,
    /// The value as written (quotes included).
    pub value_range: Range<usize>,
    pub line_range: Range<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct DotenvFile {
    pub entries: Vec<DotenvEntry>,
    /// Byte ranges of `#` comments (whole-line and trailing).
    pub comments: Vec<Range<usize>>,
}

impl DotenvFile {
    pub fn parse(text: &str) -> DotenvFile {
        let mut file = DotenvFile::default();
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let line_start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim_start();
            let lead = line.len() - trimmed.len();
            if trimmed.starts_with('#') {
                file.comments
                    .push(line_start + lead..line_start + line.len());
                continue;
            }
            let body = trimmed
                .strip_prefix("export ")
                .map(str::trim_start)
                .unwrap_or(trimmed);
            let key_start = line_start + (line.len() - body.len());
            let Some(eq) = body.find('=') else { continue };
            let key = body[..eq].trim_end();
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
            {
                continue;
            }
            let after = &body[eq + 1..];
            let vlead = after.len() - after.trim_start().len();
            let vstart = key_start + eq + 1 + vlead;
            let rest = after.trim_start();
            let (value, vlen, comment_at) = match rest.chars().next() {
                Some(q @ ('"' | '\'' | '`')) => match rest[1..].find(q) {
                    Some(end) => {
                        let after_quote = &rest[end + 2..];
                        let c = after_quote.find('#').map(|i| end + 2 + i);
                        (rest[1..end + 1].to_string(), end + 2, c)
                    }
                    None => (rest[1..].to_string(), rest.len(), None),
                },
                _ => {
                    // An unquoted value ends at ` #` (a trailing comment).
                    let c = rest
                        .find(" #")
                        .map(|i| i + 1)
                        .or_else(|| rest.starts_with('#').then_some(0));
                    let v = match c {
                        Some(i) => rest[..i].trim_end(),
                        None => rest.trim_end(),
                    };
                    (v.to_string(), v.len(), c)
                }
            };
            if let Some(c) = comment_at {
                file.comments.push(vstart + c..line_start + line.len());
            }
            file.entries.push(DotenvEntry {
                key: key.to_string(),
                key_range: key_start..key_start + key.len(),
                value,
                value_range: vstart..vstart + vlen,
                line_range: line_start..line_start + line.len(),
            });
        }
        file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_quotes_and_comments() {
        let text =
            "# top\r\nexport A=1\r\nB = \"two # not comment\" # c\nC=three # trailing\nbad line\n";
        let f = DotenvFile::parse(text);
        let kv: Vec<(&str, &str)> = f
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
            .collect();
        assert_eq!(
            kv,
            vec![("A", "1"), ("B", "two # not comment"), ("C", "three")]
        );
        assert_eq!(
            &text[f.entries[1].value_range.clone()],
            "\"two # not comment\""
        );
        assert_eq!(&text[f.entries[0].key_range.clone()], "A");
        let comments: Vec<&str> = f.comments.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(comments, vec!["# top", "# c", "# trailing"]);
    }
}
