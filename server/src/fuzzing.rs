//! Property checks shared by the fuzz harnesses: the stable one
//! (`server/tests/fuzz.rs`, mutation of seed files driven by [`Rng`], run by
//! `cargo test` with a small iteration count and by hand with a large one) and
//! the cargo-fuzz targets under `fuzz/` (libFuzzer, nightly).
//!
//! The properties (see `docs/reliability.md`):
//! - linting never panics (a rule panic is caught by the engine and shows up in
//!   `LintOutput::panics`, which is a failure here), every finding's range lies
//!   inside the text on `char` boundaries, and the lint of one input stays within
//!   a time budget;
//! - `fix` (safe and unsafe fixes) leaves a text that parses no worse than the
//!   input and is idempotent: fixing the fixed text changes nothing;
//! - the language server's incremental document (rope + edited tree) holds the
//!   same text as the client after any sequence of edits (LSP line ends `\n`,
//!   `\r\n` and lone `\r`; UTF-16 columns, including surrogate pairs), and its
//!   diagnostics equal those of a fresh open of that text.
//!
//! Nothing here is used by the linter itself.

use crate::config::Config;
use crate::engine;
use crate::language::{self, Language};
use crate::line_index::ColumnUnit;
use crate::lsp::document::Document;
use crate::lsp::lint::{self as lsp_lint, ConfigSource, Job};
use crate::workspace::WorkspaceFacts;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_lsp_server::ls_types as lsp;

/// A small deterministic PRNG (splitmix64): reproducible runs from a seed, no
/// dependency.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The languages the harnesses exercise, with the path each input is linted as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Ts,
    Tsx,
    Sql,
    Dotenv,
}

impl Target {
    pub fn path(self) -> &'static str {
        match self {
            Target::Ts => "app/api/webhooks/stripe/route.ts",
            Target::Tsx => "src/components/Checkout.tsx",
            Target::Sql => "supabase/migrations/20240101000000_init.sql",
            Target::Dotenv => ".env.production",
        }
    }
    pub fn language(self) -> Language {
        match self {
            Target::Ts => Language::TypeScript,
            Target::Tsx => Language::Tsx,
            Target::Sql => Language::Sql,
            Target::Dotenv => Language::Dotenv,
        }
    }
    /// The seed files of this target among `paths`.
    pub fn accepts(self, path: &Path) -> bool {
        matches!(
            (self, language::detect(path)),
            (
                Target::Ts,
                Some(Language::TypeScript | Language::JavaScript)
            ) | (Target::Tsx, Some(Language::Tsx | Language::JavaScript))
                | (Target::Sql, Some(Language::Sql))
                | (Target::Dotenv, Some(Language::Dotenv))
        )
    }
    /// A token for mutations to insert: the syntax the rules and parsers care about.
    fn token(self, rng: &mut Rng) -> &'static str {
        const COMMON: &[&str] = &[
            "\r",
            "\n",
            "\r\n",
            "\t",
            " ",
            "😀",
            "é",
            "\u{2028}",
            "\u{feff}",
            "\0",
            "'",
            "\"",
            "`",
            "\\",
            "/*",
            "*/",
            "//",
            "--",
            "#",
            "${",
            "}",
            "{",
            "(",
            ")",
            "[",
            "]",
            ";",
            ",",
            "=",
            "$$",
            "$1",
            "?",
            "prodlint-ignore no-any-cast: x\n",
            "prodlint-ignore-file\n",
            "prodlint-ignore\n",
        ];
        const TS: &[&str] = &[
            " as any",
            " as unknown as T",
            "<any>",
            "req.body",
            "req.headers",
            "req.query",
            "request.json()",
            "await req.json()",
            "console.log(",
            "logger.info(",
            "process.env.SECRET_KEY || 'fallback'",
            "process.env.NODE_ENV === 'production'",
            "if (process.env.NODE_ENV !== 'production') ",
            "'use cache'\n",
            "cacheLife('hours')",
            "cors()",
            "cors({ origin: '*', credentials: true })",
            "res.setHeader('Access-Control-Allow-Origin', '*')",
            "db.query(`select ${x}`)",
            "pool.query('select ' + id)",
            "$queryRawUnsafe(",
            "file.originalname",
            "path.join(dir, ",
            "fs.writeFile(",
            "cb(null, ",
            "stripe.webhooks.constructEvent(",
            "export async function POST(req) {",
            "function f(a) {",
            "const { body } = req;",
            "=>",
            "async ",
            "await ",
            "import x from 'y';\n",
            "const API_KEY = 'sk_live_abcdefghijklmnopqrstuvwx';",
            "<div>",
            "</div>",
            "/>",
            "class A {",
            "@Post()",
            "switch (event.type) { case 'checkout.session.completed': }",
            "interface I<out T> {}",
            "type T = ",
            "enum E {",
            "?.",
            "??",
            "...",
        ];
        const SQL: &[&str] = &[
            "create table public.t (id int primary key);\n", "alter table t enable row level security;\n",
            "create function f() returns trigger language plpgsql security definer as $$ begin return new; end $$;\n",
            "create policy p on t for insert with check (true);\n", "INDEX idx (a, b)", "KEY k (a)",
            "set search_path = ''", "do $$ begin ", " end $$;", "$tag$", "E'\\'", "select 1+1+1",
            "create table ", "(", ")", "begin;", "commit;", "`", "/* `x` */", "-- `y`\n",
            "engine=InnoDB", "auto_increment",
        ];
        const ENV: &[&str] = &[
            "KEY=value\n",
            "export ",
            "SECRET=changeme\n",
            "DATABASE_URL=postgres://localhost/db\n",
            "=",
            "'",
            "\"",
            "#",
            "${OTHER}",
            "\\\n",
        ];
        let own = match self {
            Target::Ts | Target::Tsx => TS,
            Target::Sql => SQL,
            Target::Dotenv => ENV,
        };
        if rng.chance(3) {
            COMMON[rng.below(COMMON.len())]
        } else {
            own[rng.below(own.len())]
        }
    }
}

/// One random mutation of `input` (bytes; may produce invalid UTF-8, which the
/// checks decode lossily as the CLI's reader would reject or decode it).
pub fn mutate(rng: &mut Rng, target: Target, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    let len = input.len();
    let at = rng.below(len + 1);
    match rng.below(10) {
        0 if len > 0 => {
            // Delete a range.
            let end = (at + 1 + rng.below(32)).min(len);
            if at < end {
                input.drain(at..end);
            }
        }
        1 if len > 0 => {
            // Duplicate a range (grows nesting when it holds brackets).
            let end = (at + 1 + rng.below(64)).min(len);
            if at < end {
                let piece = input[at..end].to_vec();
                let times = 1 + rng.below(4);
                for _ in 0..times {
                    input.splice(at..at, piece.iter().copied());
                }
            }
        }
        2 => {
            // Flip a byte / insert a random byte.
            if len > 0 && rng.chance(2) {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            } else {
                input.insert(at, rng.below(256) as u8);
            }
        }
        3 if !seeds.is_empty() => {
            // Splice a piece of another seed.
            let other = rng.pick(seeds);
            if !other.is_empty() {
                let s = rng.below(other.len());
                let e = (s + 1 + rng.below(256)).min(other.len());
                input.splice(at..at, other[s..e].iter().copied());
            }
        }
        4 => {
            // Deep nesting.
            let (open, close) = *rng.pick(&[
                ("(", ")"),
                ("[", "]"),
                ("{", "}"),
                ("${`", "`}"),
                ("f(", ")"),
            ]);
            let n = 1 + rng.below(200);
            let mut ins = open.repeat(n).into_bytes();
            ins.extend_from_slice(b"x");
            ins.extend(close.repeat(n).into_bytes());
            input.splice(at..at, ins);
        }
        5 if len > 0 => {
            // Change line endings of a region.
            let end = (at + rng.below(512)).min(len);
            let region = String::from_utf8_lossy(&input[at..end]).to_string();
            let with = *rng.pick(&["\r\n", "\r", "\n"]);
            let replaced = region
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .replace('\n', with);
            input.splice(at..end, replaced.into_bytes());
        }
        _ => {
            let tok = target.token(rng);
            input.splice(at..at, tok.bytes());
        }
    }
    // Keep inputs small enough for a fast loop.
    input.truncate(64 * 1024);
}

/// The failure of a property, with what is needed to reproduce it.
#[derive(Debug)]
pub struct Failure {
    pub property: &'static str,
    pub detail: String,
}

/// Options of [`check_text`].
#[derive(Clone, Debug)]
pub struct Budget {
    /// Lint time above which an input is a failure (a hang).
    pub lint: Duration,
    /// Check fixes too (costs about three more lints).
    pub fixes: bool,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            lint: Duration::from_secs(5),
            fixes: true,
        }
    }
}

/// The default configuration, built once (it compiles the path globs).
fn default_config() -> &'static Config {
    static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| Config::default_for(Path::new("")))
}

fn facts_for(target: Target, text: &str) -> WorkspaceFacts {
    if target == Target::Sql {
        WorkspaceFacts::from_sql_files(vec![(PathBuf::from(target.path()), text)], true)
    } else {
        WorkspaceFacts::from_sql_files(Vec::<(PathBuf, &str)>::new(), false)
    }
}

/// Lint (and fix) `bytes` as `target`'s path, checking the lint properties.
pub fn check_bytes(target: Target, bytes: &[u8], budget: &Budget) -> Result<(), Failure> {
    let text = String::from_utf8_lossy(bytes);
    check_text(target, &text, budget)
}

pub fn check_text(target: Target, text: &str, budget: &Budget) -> Result<(), Failure> {
    let path = Path::new(target.path());
    let config = default_config();
    let facts = facts_for(target, text);
    let started = Instant::now();
    let out = engine::lint(path, text, &facts, config);
    let took = started.elapsed();
    if !out.panics.is_empty() {
        return Err(Failure {
            property: "no panic",
            detail: format!("{:?}", out.panics),
        });
    }
    // Wall time: on a loaded machine a thread can be descheduled for
    // seconds, so an overrun counts only when a second lint overruns too.
    if took > budget.lint {
        let again = Instant::now();
        let _ = engine::lint(path, text, &facts, config);
        let retook = again.elapsed();
        if retook > budget.lint {
            return Err(Failure {
                property: "bounded time",
                detail: format!(
                    "lint took {took:?}, then {retook:?} again, for {} bytes",
                    text.len()
                ),
            });
        }
    }
    for d in &out.diagnostics {
        let r = &d.range;
        if r.start > r.end
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            return Err(Failure {
                property: "ranges inside the text",
                detail: format!("{} {:?} in {} bytes", d.rule, r, text.len()),
            });
        }
        if let Some(fix) = d.fix() {
            for e in &fix.edits {
                if e.range.start > e.range.end
                    || e.range.end > text.len()
                    || !text.is_char_boundary(e.range.start)
                    || !text.is_char_boundary(e.range.end)
                {
                    return Err(Failure {
                        property: "fix edits inside the text",
                        detail: format!("{} {:?}", d.rule, e.range),
                    });
                }
            }
        }
    }
    if !budget.fixes || !out.diagnostics.iter().any(|d| d.fix().is_some()) {
        return Ok(());
    }
    let lang = target.language();
    let once = engine::fix(path, text, &facts, config, true);
    if !once.remaining.panics.is_empty() {
        return Err(Failure {
            property: "no panic (fixed text)",
            detail: format!("{:?}", once.remaining.panics),
        });
    }
    if once.applied == 0 {
        return Ok(());
    }
    let before = engine::syntax_errors(text, lang);
    let after = engine::syntax_errors(&once.text, lang);
    if after > before {
        return Err(Failure {
            property: "fix parses no worse",
            detail: format!(
                "{before} → {after} syntax errors; fixed text:\n{}",
                once.text
            ),
        });
    }
    let facts2 = facts_for(target, &once.text);
    let twice = engine::fix(path, &once.text, &facts2, config, true);
    if twice.text != once.text {
        return Err(Failure {
            property: "fix idempotent",
            detail: format!(
                "second --fix changed the text again\nfirst:\n{}\nsecond:\n{}",
                once.text, twice.text
            ),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The language server's incremental documents.

/// The client's view of the text: LSP positions resolved with LSP 3.17's line
/// ends (`\n`, `\r\n`, lone `\r`) and UTF-16 columns. Written independently of
/// the server's conversions, as the oracle.
pub fn client_offset(text: &str, pos: lsp::Position) -> usize {
    let bytes = text.as_bytes();
    let mut line = 0u32;
    let mut i = 0usize;
    while line < pos.line {
        match bytes[i..].iter().position(|&b| b == b'\n' || b == b'\r') {
            None => return text.len(),
            Some(k) => {
                i += k;
                if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 2;
                } else {
                    i += 1;
                }
                line += 1;
            }
        }
    }
    let mut units = 0u32;
    for (k, c) in text[i..].char_indices() {
        if c == '\n' || c == '\r' || units >= pos.character {
            return i + k;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// The LSP position of a byte offset (on a char boundary, not inside `\r\n`).
pub fn client_position(text: &str, offset: usize) -> lsp::Position {
    let bytes = text.as_bytes();
    let mut line = 0u32;
    let mut start = 0usize;
    let mut i = 0usize;
    while i < offset {
        if bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
            start = i + 1;
        }
        i += 1;
    }
    let character = text[start..offset]
        .chars()
        .map(|c| c.len_utf16() as u32)
        .sum();
    lsp::Position { line, character }
}

/// A random valid client offset: a char boundary that does not split `\r\n`.
fn random_offset(rng: &mut Rng, text: &str) -> usize {
    for _ in 0..16 {
        let o = rng.below(text.len() + 1);
        if text.is_char_boundary(o)
            && !(o > 0 && text.as_bytes()[o - 1] == b'\r' && text.as_bytes().get(o) == Some(&b'\n'))
        {
            return o;
        }
    }
    0
}

fn edit_text(rng: &mut Rng, target: Target) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(4) {
        s.push_str(target.token(rng));
    }
    if rng.chance(3) {
        const ODD: [&str; 6] = ["😀", "\r", "\r\n", "\n", "é", "𝄞"];
        s.push_str(ODD[rng.below(ODD.len())]);
    }
    s
}

fn job_for(
    doc: &Document,
    config: &Arc<Config>,
    facts: &Arc<WorkspaceFacts>,
    unit: ColumnUnit,
) -> Job {
    Job {
        doc_id: doc.id,
        text: doc.text(),
        rope: doc.rope.clone(),
        lang: doc.lang,
        engine_path: doc.engine_path.clone(),
        previous: doc.parsed.clone(),
        config: ConfigSource::Fixed(config.clone()),
        facts: facts.clone(),
        own_facts: None,
        unit,
    }
}

/// Open `text` in a server document, apply `steps` random edits as a client
/// would send them (each followed, at random, by a lint that keeps the
/// incremental tree), and check the text and diagnostics against the client's
/// text and a fresh open of it.
pub fn check_lsp_edits(
    rng: &mut Rng,
    target: Target,
    text: &str,
    steps: usize,
) -> Result<(), Failure> {
    let uri = match lsp::Uri::from_str(&format!("file:///fuzz/{}", target.path())) {
        Ok(u) => u,
        Err(e) => {
            return Err(Failure {
                property: "uri",
                detail: e.to_string(),
            })
        }
    };
    let unit = ColumnUnit::Utf16;
    static LSP_CONFIG: std::sync::OnceLock<Arc<Config>> = std::sync::OnceLock::new();
    let config = LSP_CONFIG
        .get_or_init(|| Arc::new(Config::default_for(Path::new("/fuzz"))))
        .clone();
    let facts = Arc::new(WorkspaceFacts::from_sql_files(
        Vec::<(PathBuf, &str)>::new(),
        target == Target::Sql,
    ));
    let mut client = text.to_string();
    let mut doc = Document::new(uri.clone(), 1, 1, target.language(), text);
    let mut log = Vec::new();
    for step in 0..steps {
        let a = random_offset(rng, &client);
        let b = if rng.chance(2) {
            a
        } else {
            random_offset(rng, &client)
        };
        let (s, e) = (a.min(b), a.max(b));
        let new = edit_text(rng, target);
        let range = lsp::Range {
            start: client_position(&client, s),
            end: client_position(&client, e),
        };
        // The client resolves its own range back: the oracle must round-trip.
        debug_assert_eq!(client_offset(&client, range.start), s);
        log.push(format!("{range:?} {new:?}"));
        client.replace_range(s..e, &new);
        doc.apply_change(
            &lsp::TextDocumentContentChangeEvent {
                range: Some(range),
                range_length: None,
                text: new,
            },
            unit,
        );
        doc.version += 1;
        if doc.text() != client {
            return Err(Failure {
                property: "incremental text equals the client's",
                detail: format!(
                    "after step {step}\nstart: {text:?}\nedits: {log:#?}\nclient: {client:?}\nserver: {:?}",
                    doc.text()
                ),
            });
        }
        if rng.chance(3) || step + 1 == steps {
            let out = lsp_lint::run(&job_for(&doc, &config, &facts, unit));
            if !out.panics.is_empty() {
                return Err(Failure {
                    property: "no panic (LSP lint)",
                    detail: format!("{:?}", out.panics),
                });
            }
            doc.parsed = out.parsed;
            if step + 1 == steps {
                let fresh_doc = Document::new(uri.clone(), 2, 1, target.language(), &client);
                let fresh = lsp_lint::run(&job_for(&fresh_doc, &config, &facts, unit));
                let a: Vec<_> = out
                    .lsp
                    .iter()
                    .map(|d| (d.range, d.code.clone(), d.message.clone()))
                    .collect();
                let b: Vec<_> = fresh
                    .lsp
                    .iter()
                    .map(|d| (d.range, d.code.clone(), d.message.clone()))
                    .collect();
                if a != b {
                    return Err(Failure {
                        property: "incremental diagnostics equal a fresh open",
                        detail: format!(
                            "text: {client:?}\nedits: {log:#?}\nincremental: {a:#?}\nfresh: {b:#?}"
                        ),
                    });
                }
                // Every published position resolves to the finding's byte range in the client's text.
                for (d, l) in out.diagnostics.iter().zip(&out.lsp) {
                    let s = client_offset(&client, l.range.start);
                    if s != d.range.start {
                        return Err(Failure {
                            property: "diagnostic positions match the client's text",
                            detail: format!(
                                "{} at byte {} published as {:?} (client byte {s})\ntext: {client:?}",
                                d.rule, d.range.start, l.range.start
                            ),
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

/// Seed files for `target` below `dirs` (fixtures, examples, a corpus), read
/// whole, at most `limit` of them (sorted by path, so runs are reproducible).
pub fn seeds(target: Target, dirs: &[PathBuf], limit: usize) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t)
                    if t.is_dir()
                        && p.file_name()
                            .is_some_and(|n| n != "node_modules" && n != "target") =>
                {
                    stack.push(p)
                }
                Ok(t) if t.is_file() && target.accepts(&p) => paths.push(p),
                _ => {}
            }
        }
    }
    paths.sort();
    if paths.len() > limit {
        // An even spread over the sorted list.
        let step = paths.len() as f64 / limit as f64;
        paths = (0..limit)
            .map(|i| paths[(i as f64 * step) as usize].clone())
            .collect();
    }
    paths
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|b| b.len() <= 256 * 1024)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overrun_that_repeats_breaks_bounded_time() {
        let over = Budget {
            lint: Duration::ZERO,
            fixes: false,
        };
        let text = "export async function POST(req: Request) { return Response.json(await req.json()); }\n";
        let f = check_text(Target::Ts, text, &over).expect_err("a zero budget is overrun twice");
        assert_eq!(f.property, "bounded time");
        assert!(f.detail.contains("again"), "{}", f.detail);
        assert!(check_text(Target::Ts, text, &Budget::default()).is_ok());
    }

    #[test]
    fn client_positions_follow_lsp_line_ends() {
        let t = "a\rb\r\nc\nd😀e";
        assert_eq!(
            client_position(t, 2),
            lsp::Position {
                line: 1,
                character: 0
            }
        );
        assert_eq!(
            client_position(t, 5),
            lsp::Position {
                line: 2,
                character: 0
            }
        );
        assert_eq!(
            client_position(t, 7),
            lsp::Position {
                line: 3,
                character: 0
            }
        );
        let e = t.find('e').unwrap();
        assert_eq!(
            client_position(t, e),
            lsp::Position {
                line: 3,
                character: 3
            }
        );
        for o in [0, 2, 5, 7, e, t.len()] {
            assert_eq!(client_offset(t, client_position(t, o)), o);
        }
    }

    #[test]
    fn mutations_are_reproducible() {
        let seeds = vec![b"const a = req.body;".to_vec()];
        let run = |seed| {
            let mut rng = Rng::new(seed);
            let mut x = seeds[0].clone();
            for _ in 0..50 {
                mutate(&mut rng, Target::Ts, &seeds, &mut x);
            }
            x
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }
}
