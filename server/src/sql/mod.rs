//! PostgreSQL files: parsing with libpg_query (the real PostgreSQL parser).
//! The whole file is parsed at once; if that fails, it is split into statements
//! with the scanner and each is parsed alone, so that one bad statement never
//! hides the rest.

mod do_block;
pub mod expr;
pub mod facts;
pub mod function;
pub mod layout;
pub mod lex;
pub mod schema;

use pg_query::protobuf::{node::Node as NodeEnum, Node};
use std::ops::Range;

#[derive(Clone, Debug)]
pub struct SqlStatement {
    /// The statement's bytes in the file (without the trailing `;`).
    pub range: Range<usize>,
    /// The parsed statement (`RawStmt.stmt`).
    pub node: Node,
    /// Add this to a `location` inside `node` to get a byte offset in the file.
    pub base: usize,
    /// The statement comes from the body of a `DO $$ … $$` block.
    pub in_do_block: bool,
}

impl SqlStatement {
    pub fn kind(&self) -> Option<&NodeEnum> {
        self.node.node.as_ref()
    }
    /// File offset of a node `location` (`-1` = unknown → statement start).
    pub fn offset(&self, location: i32) -> usize {
        if location < 0 {
            self.range.start
        } else {
            self.base + location as usize
        }
    }
}

#[derive(Clone, Debug)]
pub struct SqlSyntaxError {
    pub range: Range<usize>,
    pub message: String,
}

/// The stack of the thread that runs PostgreSQL's parser and decodes its tree.
/// pg_query decodes the tree recursively (prost), about 10 KiB of stack per
/// nesting level in a release build and several times that in a debug one;
/// PostgreSQL itself rejects trees nested more than about 5,000 levels. Virtual
/// memory: only what a parse uses is committed.
pub const PARSE_STACK_BYTES: usize = 512 * 1024 * 1024;

/// Text up to this length is parsed on the calling thread. Every level of a
/// PostgreSQL tree takes at least two bytes of text (`1+`, `-(`, `not `), so
/// such text nests at most 256 levels: a few MiB of stack even in a debug build,
/// within the 16 MiB every linting thread gets (`engine::LINT_STACK_BYTES`).
/// Longer text, rare (a migration file, a long function body), pays for a thread.
pub const INLINE_PARSE_BYTES: usize = 512;

/// `pg_query::parse`, on a thread with [`PARSE_STACK_BYTES`] of stack when the
/// text is long enough to nest deeply, so that no valid statement can overflow
/// the caller's stack (a worker's, the server's). That thread is started once
/// per calling thread and kept (starting one per parse cost more than the parse
/// of a typical migration).
pub fn pg_parse(sql: &str) -> pg_query::Result<pg_query::ParseResult> {
    if sql.len() <= INLINE_PARSE_BYTES {
        return pg_query::parse(sql, 0);
    }
    type Reply = std::sync::mpsc::Sender<pg_query::Result<pg_query::ParseResult>>;
    thread_local! {
        static PARSER: std::cell::RefCell<Option<std::sync::mpsc::Sender<(String, Reply)>>> =
            const { std::cell::RefCell::new(None) };
    }
    let failed = |m: &str| Err(pg_query::Error::Parse(m.to_string()));
    let job = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let (tx, rx) = std::sync::mpsc::channel::<(String, Reply)>();
            let started = std::thread::Builder::new()
                .name("pg_query".into())
                .stack_size(PARSE_STACK_BYTES)
                .spawn(move || {
                    // Ends when the calling thread (and its sender) goes away.
                    for (text, reply) in rx {
                        let result = std::panic::catch_unwind(|| pg_query::parse(&text, 0))
                            .unwrap_or_else(|_| {
                                Err(pg_query::Error::Parse("the parser panicked".into()))
                            });
                        let _ = reply.send(result);
                    }
                });
            if started.is_ok() {
                *slot = Some(tx);
            }
        }
        slot.clone()
    });
    let Some(job) = job else {
        return failed("cannot start the parser thread");
    };
    let (reply, answer) = std::sync::mpsc::channel();
    if job.send((sql.to_string(), reply)).is_err() {
        PARSER.with(|cell| *cell.borrow_mut() = None);
        return failed("the parser thread is gone");
    }
    answer
        .recv()
        .unwrap_or_else(|_| failed("the parser thread is gone"))
}

#[derive(Clone, Debug, Default)]
pub struct SqlFile {
    pub statements: Vec<SqlStatement>,
    /// The first statement that did not parse.
    pub syntax_error: Option<SqlSyntaxError>,
    /// MySQL-only syntax (`ENGINE=`, `AUTO_INCREMENT`, `UNSIGNED`, a backtick-quoted
    /// identifier) in a statement PostgreSQL could not parse, outside comments,
    /// strings and dollar-quoted bodies: the file is MySQL and the Postgres rules
    /// stay silent (the engine says so with one `sql-syntax` info).
    pub mysql: Option<MysqlEvidence>,
    /// Byte ranges of comments (`-- …` and `/* … */`).
    pub comments: Vec<Range<usize>>,
    /// Statements that did not parse (for rules that recognise foreign idioms).
    pub failed: Vec<Range<usize>>,
    /// The insides of `EXECUTE '…'` strings in DO blocks whose statements are in
    /// `statements`: a fix must not insert text there.
    pub execute_strings: Vec<Range<usize>>,
    /// This file's contribution to the workspace facts, computed once on demand
    /// (shared by the CLI's fact gathering and every SQL rule).
    /// (Boxed: it keeps `SqlFile`, held by value in `languages::Parsed`, small.)
    own_facts: std::sync::OnceLock<Box<facts::SqlFileFacts>>,
}

impl SqlFile {
    /// This file's workspace facts (`text` is the text it was parsed from).
    pub fn own_facts(&self, text: &str) -> &facts::SqlFileFacts {
        self.own_facts
            .get_or_init(|| Box::new(facts::SqlFileFacts::from_parsed(self, text)))
    }

    /// The text of the comments that start between the beginning of the line
    /// `lines_before` lines above `range` and the end of the line `lines_after`
    /// lines below it, lower-cased: what the author wrote beside a statement.
    pub fn comments_around(
        &self,
        text: &str,
        range: Range<usize>,
        lines_before: usize,
        lines_after: usize,
    ) -> String {
        let at = range.start.min(text.len());
        let mut start = text[..at].rfind('\n').map_or(0, |p| p + 1);
        for _ in 0..lines_before {
            if start == 0 {
                break;
            }
            start = text[..start - 1].rfind('\n').map_or(0, |p| p + 1);
        }
        let mut end = range.end.min(text.len());
        for _ in 0..=lines_after {
            end = text[end..].find('\n').map_or(text.len(), |p| end + p + 1);
        }
        self.comments
            .iter()
            .filter(|c| c.start >= start && c.start < end)
            .filter_map(|c| text.get(c.clone()))
            .map(|c| c.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The statement comes from an `EXECUTE '…'` string inside a DO block.
    pub fn in_execute_string(&self, stmt: &SqlStatement) -> bool {
        stmt.in_do_block
            && self
                .execute_strings
                .iter()
                .any(|r| r.start <= stmt.range.start && stmt.range.end <= r.end)
    }
}

/// Why a file was taken for MySQL: the first MySQL-only construct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MysqlEvidence {
    /// The construct's bytes in the file.
    pub range: Range<usize>,
    /// What it is, for the message (`` a backtick-quoted identifier ``, `ENGINE=`…).
    pub what: &'static str,
}

/// The first MySQL-only construct in `text[range]` that is code: comments
/// (`--`, `#` is not a PostgreSQL comment and is ignored, `/* */`, nested),
/// strings (`'…'`, `E'…'`), quoted identifiers and dollar-quoted bodies are
/// skipped. Only constructs PostgreSQL cannot parse count: a backtick-quoted
/// identifier, `ENGINE =`, `AUTO_INCREMENT`, `UNSIGNED`.
pub fn mysql_evidence(text: &str, range: Range<usize>) -> Option<MysqlEvidence> {
    let b = text.as_bytes();
    let end = range.end.min(b.len());
    let mut i = range.start;
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    while i < end {
        let c = b[i];
        match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = memchr_nl(b, i, end);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // PostgreSQL block comments nest.
                let mut depth = 0usize;
                while i < end {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'\'' | b'"' => {
                // `E'…'` allows backslash escapes; a plain string does not.
                let escapes = c == b'\''
                    && i > range.start
                    && matches!(b[i - 1], b'e' | b'E')
                    && (i - 1 == range.start || !is_word(b[i - 2]));
                i += 1;
                while i < end {
                    if escapes && b[i] == b'\\' {
                        i += 2;
                    } else if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'$' if i == range.start || !is_word(b[i - 1]) => {
                // `$tag$ … $tag$` (the tag is empty or an identifier).
                let tag_end = b[i + 1..end]
                    .iter()
                    .position(|&x| !(x.is_ascii_alphanumeric() || x == b'_' || x >= 0x80))
                    .map(|p| i + 1 + p);
                match tag_end {
                    Some(t) if b[t] == b'$' && b.get(i + 1).is_none_or(|x| !x.is_ascii_digit()) => {
                        let tag = &text[i..=t];
                        match text[t + 1..end].find(tag) {
                            Some(p) => i = t + 1 + p + tag.len(),
                            None => i = end,
                        }
                    }
                    _ => i += 1,
                }
            }
            b'`' => {
                let close = b[i + 1..end].iter().position(|&x| x == b'`' || x == b'\n');
                if let Some(p) = close {
                    if b[i + 1 + p] == b'`' && p > 0 {
                        return Some(MysqlEvidence {
                            range: i..i + 2 + p,
                            what: "a backtick-quoted identifier",
                        });
                    }
                }
                i += 1;
            }
            _ if c.is_ascii_alphabetic() && (i == range.start || !is_word(b[i - 1])) => {
                let w_end = b[i..end]
                    .iter()
                    .position(|&x| !is_word(x))
                    .map_or(end, |p| i + p);
                let word = &text[i..w_end];
                if word.eq_ignore_ascii_case("auto_increment") {
                    return Some(MysqlEvidence {
                        range: i..w_end,
                        what: "`AUTO_INCREMENT`",
                    });
                }
                let before = || text[range.start..i].trim_end();
                // `int unsigned`, `int(11) unsigned`: not a column named `unsigned`
                if word.eq_ignore_ascii_case("unsigned") && {
                    let before = before();
                    let prev_word = before
                        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or("");
                    before.ends_with(')')
                        || NUMERIC_TYPES
                            .iter()
                            .any(|t| prev_word.eq_ignore_ascii_case(t))
                } {
                    return Some(MysqlEvidence {
                        range: i..w_end,
                        what: "`UNSIGNED`",
                    });
                }
                // a table option after the column list: `) ENGINE=InnoDB`
                if word.eq_ignore_ascii_case("engine")
                    && before().ends_with(')')
                    && text[w_end..end].trim_start().starts_with('=')
                {
                    return Some(MysqlEvidence {
                        range: i..w_end,
                        what: "`ENGINE=`",
                    });
                }
                i = w_end;
            }
            _ => i += 1,
        }
    }
    None
}

/// Types MySQL lets `UNSIGNED` follow.
const NUMERIC_TYPES: &[&str] = &[
    "int",
    "integer",
    "bigint",
    "smallint",
    "tinyint",
    "mediumint",
    "decimal",
    "numeric",
    "float",
    "double",
    "real",
];

fn memchr_nl(b: &[u8], from: usize, end: usize) -> usize {
    b[from..end]
        .iter()
        .position(|&x| x == b'\n')
        .map_or(end, |p| from + p + 1)
}

impl SqlFile {
    /// Whether the file was taken for MySQL (see [`SqlFile::mysql`]).
    pub fn is_mysql(&self) -> bool {
        self.mysql.is_some()
    }

    pub fn parse(text: &str) -> SqlFile {
        let mut file = SqlFile {
            comments: comments(text),
            ..Default::default()
        };
        match pg_parse(text) {
            Ok(result) => {
                // Moved out of the parse result, not cloned (the trees are large).
                for raw in result.protobuf.stmts {
                    let Some(node) = raw.stmt.map(|b| *b) else {
                        continue;
                    };
                    let start = raw.stmt_location.max(0) as usize;
                    let end = if raw.stmt_len > 0 {
                        start + raw.stmt_len as usize
                    } else {
                        text.len()
                    };
                    let range = trim_range(text, start..end.min(text.len()));
                    file.statements.push(SqlStatement {
                        range,
                        node,
                        base: 0,
                        in_do_block: false,
                    });
                }
            }
            Err(_) => {
                file.parse_statement_by_statement(text);
                // Only what PostgreSQL rejected can make the file MySQL.
                file.mysql = if file.failed.is_empty() && file.statements.is_empty() {
                    mysql_evidence(text, 0..text.len())
                } else {
                    file.failed
                        .iter()
                        .find_map(|r| mysql_evidence(text, r.clone()))
                };
            }
        }
        file.expand_do_blocks(text);
        file
    }

    /// Add the plain statements inside `DO` blocks right after their block.
    fn expand_do_blocks(&mut self, text: &str) {
        if !self
            .statements
            .iter()
            .any(|s| matches!(s.kind(), Some(NodeEnum::DoStmt(_))))
        {
            return;
        }
        let mut out = Vec::with_capacity(self.statements.len());
        let mut extra_comments = Vec::new();
        for stmt in std::mem::take(&mut self.statements) {
            let inner = match stmt.kind() {
                Some(NodeEnum::DoStmt(d)) => {
                    let expanded = do_block::expand(text, &stmt, d);
                    extra_comments.extend(expanded.comments);
                    self.execute_strings.extend(expanded.execute_strings);
                    expanded.statements
                }
                _ => Vec::new(),
            };
            out.push(stmt);
            out.extend(inner);
        }
        self.statements = out;
        if !extra_comments.is_empty() {
            self.comments.extend(extra_comments);
            self.comments.sort_by_key(|c| (c.start, c.end));
            self.comments.dedup();
        }
    }

    fn parse_statement_by_statement(&mut self, text: &str) {
        let pieces = match pg_query::split_with_scanner(text) {
            Ok(p) => p,
            Err(e) => {
                self.syntax_error = Some(SqlSyntaxError {
                    // The first character (whole: it may be several bytes).
                    range: 0..text.chars().next().map_or(0, char::len_utf8),
                    message: e.to_string(),
                });
                return;
            }
        };
        let base_ptr = text.as_ptr() as usize;
        let mut covered = 0usize;
        for piece in pieces {
            let start = piece.as_ptr() as usize - base_ptr;
            if start > covered {
                self.check_gap(text, covered..start);
            }
            covered = start + piece.len();
            let range = trim_range(text, start..start + piece.len());
            if range.is_empty() {
                continue;
            }
            match pg_parse(&text[range.clone()]) {
                Ok(result) => {
                    for raw in &result.protobuf.stmts {
                        if let Some(node) = raw.stmt.as_deref() {
                            self.statements.push(SqlStatement {
                                range: range.clone(),
                                node: node.clone(),
                                base: range.start,
                                in_do_block: false,
                            });
                        }
                    }
                }
                Err(e) => {
                    self.failed.push(range.clone());
                    if self.syntax_error.is_none() {
                        self.syntax_error = Some(SqlSyntaxError {
                            range: range.clone(),
                            message: e.to_string(),
                        });
                    }
                }
            }
        }
        if covered < text.len() {
            self.check_gap(text, covered..text.len());
        }
    }

    /// Text the scanner dropped (after an unbalanced parenthesis): if it holds
    /// more than separators, it is an unparsed statement.
    fn check_gap(&mut self, text: &str, gap: Range<usize>) {
        let range = trim_range(text, gap);
        let content = text[range.clone()].trim_matches(|c: char| c == ';' || c.is_whitespace());
        if !content.is_empty()
            && !self
                .comments
                .iter()
                .any(|c| c.start <= range.start && range.end <= c.end)
        {
            self.failed.push(range.clone());
            if self.syntax_error.is_some() {
                return;
            }
            self.syntax_error = Some(SqlSyntaxError {
                range,
                message: "unbalanced parentheses or unterminated statement".into(),
            });
        }
    }
}

/// Shrink a range to exclude surrounding whitespace, semicolons and leading comments.
fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let mut start = r.start;
    let mut rest = s;
    loop {
        let t = rest.trim_start();
        if let Some(after) = t.strip_prefix("--") {
            let nl = after.find('\n').map(|i| i + 1).unwrap_or(after.len());
            rest = &after[nl..];
        } else if let Some(after) = t.strip_prefix("/*") {
            match after.find("*/") {
                Some(i) => rest = &after[i + 2..],
                None => break,
            }
        } else {
            rest = t;
            break;
        }
    }
    start += s.len() - rest.len();
    let trimmed = rest.trim_end_matches(|c: char| c.is_whitespace() || c == ';');
    start..start + trimmed.len()
}

/// Comment ranges from the PostgreSQL scanner.
fn comments(text: &str) -> Vec<Range<usize>> {
    use pg_query::protobuf::Token;
    let Ok(scan) = pg_query::scan(text) else {
        return Vec::new();
    };
    scan.tokens
        .iter()
        .filter(|t| t.token == Token::SqlComment as i32 || t.token == Token::CComment as i32)
        .map(|t| t.start as usize..t.end as usize)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_around_a_statement() {
        let text = "-- far\n\n-- Delete ALL rows\ndelete from t; -- same line\n/* next */\n-- too far\nselect 1;";
        let f = SqlFile::parse(text);
        let stmt = f.statements[0].range.clone();
        assert_eq!(
            f.comments_around(text, stmt.clone(), 1, 1),
            "-- delete all rows\n-- same line\n/* next */"
        );
        assert_eq!(f.comments_around(text, stmt.clone(), 0, 0), "-- same line");
        assert!(f.comments_around(text, stmt, 3, 2).contains("-- far"));
    }

    use super::*;

    /// Deeply nested but valid SQL parses (prost's decode recursion limit is
    /// lifted); PostgreSQL's own limit turns deeper nesting into a syntax error,
    /// never a crash. Run on a thread with the stack the linter's workers get.
    #[test]
    fn deep_expressions_parse_up_to_postgres_own_limit() {
        let run = || {
            let sum = |n: usize| {
                format!(
                    "create table public.t (id int default {});\n",
                    vec!["1"; n].join("+")
                )
            };
            for n in [48, 256, 1_000, 4_900] {
                let f = SqlFile::parse(&sum(n));
                assert!(f.syntax_error.is_none(), "{n}: {:?}", f.syntax_error);
                assert_eq!(f.statements.len(), 1, "{n}");
            }
            // The statement is linted, not skipped: its table is still found.
            let rls = crate::rules::testing::findings(
                "rls-disabled",
                "supabase/migrations/1_init.sql",
                &sum(48),
            );
            assert_eq!(rls.len(), 1);
            let concat = format!("select {};\n", vec!["'a'"; 60].join("||"));
            assert!(SqlFile::parse(&concat).syntax_error.is_none());
            let f = SqlFile::parse(&sum(100_000));
            assert!(f.syntax_error.is_some());
            assert!(f.statements.is_empty());
        };
        std::thread::Builder::new()
            .stack_size(crate::engine::LINT_STACK_BYTES)
            .spawn(run)
            .expect("thread")
            .join()
            .expect("no panic");
    }

    #[test]
    fn one_bad_statement_does_not_hide_the_rest() {
        let text = "create table a (id int);\ncreate tabel b (id int);\n-- note\ncreate table c (id int);\n";
        let f = SqlFile::parse(text);
        assert_eq!(f.statements.len(), 2);
        assert_eq!(
            &text[f.statements[1].range.clone()],
            "create table c (id int)"
        );
        let err = f.syntax_error.expect("error");
        assert_eq!(&text[err.range], "create tabel b (id int)");
        assert_eq!(f.comments.len(), 1);
    }

    #[test]
    fn statement_ranges_when_the_file_parses() {
        let text =
            "-- head\nCREATE TABLE t (id int);\r\n\r\nALTER TABLE t ENABLE ROW LEVEL SECURITY;";
        let f = SqlFile::parse(text);
        let got: Vec<&str> = f
            .statements
            .iter()
            .map(|s| &text[s.range.clone()])
            .collect();
        assert_eq!(
            got,
            vec![
                "CREATE TABLE t (id int)",
                "ALTER TABLE t ENABLE ROW LEVEL SECURITY"
            ]
        );
        assert!(f.syntax_error.is_none());
        assert!(!f.is_mysql());
    }

    #[test]
    fn backticks_in_comments_strings_and_bodies_do_not_make_mysql() {
        for text in [
            "/* Creates `profiles` for `auth.users` */\ncreate table profiles (id uuid);\n",
            "-- Prisma: the `email` column will be dropped\nalter table \"User\" drop column email;\n",
            "create table t (note text default 'see `x`');\n",
            "create table t (n text default E'it\\'s `x`');\n",
            "create function f() returns text language sql as $$ select '`x`' $$;\n",
            "create function f() returns text language plv8 as $js$ return `a ${b}`; $js$;\n",
            "create table t (\"engine\" text, unsigned_n int);\n",
            "/* nested /* `x` */ still comment `y` */ create table t (id int);\n",
        ] {
            let f = SqlFile::parse(text);
            assert!(!f.is_mysql(), "{text}");
        }
        // …even when another statement fails to parse for another reason
        let text =
            "/* `a` */ create tabel t (id int); -- `b`\ncreate table u (s text default '`c`');\n";
        assert!(!SqlFile::parse(text).is_mysql());
    }

    #[test]
    fn mysql_only_syntax_in_a_failed_statement_makes_mysql() {
        for (text, what, at) in [
            (
                "create table `t` (id int);\n",
                "a backtick-quoted identifier",
                "`t`",
            ),
            (
                "create table t (id int) ENGINE = InnoDB;\n",
                "`ENGINE=`",
                "ENGINE",
            ),
            (
                "create table t (id int not null auto_increment);\n",
                "`AUTO_INCREMENT`",
                "auto_increment",
            ),
            (
                "create table t (id int unsigned);\n",
                "`UNSIGNED`",
                "unsigned",
            ),
        ] {
            let f = SqlFile::parse(text);
            let ev = f.mysql.unwrap_or_else(|| panic!("{text}"));
            assert_eq!(ev.what, what);
            assert_eq!(&text[ev.range], at);
        }
        // a column named `engine` or `unsigned` in a statement with a typo
        for text in [
            "update cars set engine = 'v8' wher id = 1;\n",
            "select unsigned, signed fro t;\n",
        ] {
            assert!(!SqlFile::parse(text).is_mysql(), "{text}");
        }
        assert!(SqlFile::parse("create table t (n int(11) unsigned);").is_mysql());
        // only in what PostgreSQL rejected: a parsable file never is MySQL
        assert!(!SqlFile::parse("create table unsigned (engine int);").is_mysql());
        // an unterminated dollar quote or comment does not panic
        for text in [
            "select $a$ `x`",
            "select 1; /* `x`",
            "create tabel `",
            "x $",
        ] {
            let _ = SqlFile::parse(text);
            let _ = mysql_evidence(text, 0..text.len());
        }
    }
}
