//! `prodlint check`: walk, build workspace facts from the SQL files, lint (or fix)
//! every file in parallel, report.

use super::cache::{self, Cache};
use super::report::{self, FileReport, Summary};
use super::{CheckArgs, Format};
use crate::config::{self, Config, ConfigResolver};
use crate::diagnostic::{Diagnostic, Level};
use crate::engine;
use crate::language::{self, Language};
use crate::rules;
use crate::source::{
    decode_encoded, read_source, read_source_encoded, strip_bom, BOM, MAX_FILE_BYTES,
};
use crate::sql::SqlFile;
use crate::walk;
use crate::workspace::WorkspaceFacts;
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fail(msg: impl std::fmt::Display) -> i32 {
    eprintln!("prodlint: {msg}");
    2
}

fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// The report of a file that could not be linted.
fn unreadable_report(display: String, config: &Config, message: String) -> FileReport {
    FileReport {
        display,
        text: String::new(),
        findings: report::locate("", unreadable(config, message)),
    }
}

fn unreadable(config: &Config, message: String) -> Vec<Diagnostic> {
    let meta = &rules::meta::UNREADABLE_FILE;
    let level = config.level_override(meta.id).unwrap_or(meta.default_level);
    if level == Level::Off {
        return Vec::new();
    }
    vec![Diagnostic {
        rule: meta.id,
        level,
        message,
        range: 0..0,
        fixes: Vec::new(),
    }]
}

struct Outcome {
    report: FileReport,
    fixed: usize,
    rejected: Vec<String>,
    write_error: Option<String>,
}

/// What the run needs from each file besides its findings.
#[derive(Clone, Copy)]
struct Needs {
    /// The file's text, for code frames (pretty format).
    text: bool,
}

#[allow(clippy::too_many_arguments)]
fn lint_one(
    path: &Path,
    display: String,
    pre: Option<(String, SqlFile)>,
    facts: &WorkspaceFacts,
    config: &Config,
    args: &CheckArgs,
    cache: Option<&Cache>,
    needs: Needs,
) -> Outcome {
    if let Some(cache) = cache {
        return lint_one_cached(path, display, pre, facts, config, cache, needs);
    }
    let text = match pre {
        // --fix reads the file again, for its encoding (the parse is not reused).
        Some(_) if args.fix => read_source_encoded(path),
        Some((t, sql)) => {
            let (body, _) = strip_bom(&t);
            let file = engine::file_info(path, Language::Sql, config);
            let input = crate::context::FileInput::new(body, &file, config, facts);
            let out = engine::lint_sql(&input, &sql);
            return finish_outcome(display, body, needs, out, 0, Vec::new(), None);
        }
        None => read_source_encoded(path),
    };
    let (text, encoding) = match text {
        Ok(t) => t,
        Err(message) => {
            return Outcome {
                report: unreadable_report(display, config, message),
                fixed: 0,
                rejected: Vec::new(),
                write_error: None,
            }
        }
    };
    let (body, had_bom) = strip_bom(&text);
    if args.fix {
        let out = engine::fix(path, body, facts, config, args.unsafe_fixes);
        let mut rejected: Vec<String> = out
            .rejected
            .iter()
            .map(|(rule, msg)| format!("{display}: {rule}: fix not applied: {msg}"))
            .collect();
        if out.text != body {
            let new_text = if had_bom {
                format!("{BOM}{}", out.text)
            } else {
                out.text.clone()
            };
            let not_written = match crate::fsutil::write_preserving(
                path,
                &encoding.encode(&text),
                &encoding.encode(&new_text),
            ) {
                Ok(()) => None,
                Err(crate::fsutil::WriteSkip::ReadOnly) => {
                    rejected.push(format!("{display}: read-only file; fixes not written"));
                    Some(None)
                }
                Err(crate::fsutil::WriteSkip::Failed(e)) => {
                    Some(Some(format!("{display}: cannot write fixes: {e}")))
                }
            };
            if let Some(write_error) = not_written {
                // Nothing was written: the file's findings are all still there.
                let lint = engine::lint(path, body, facts, config);
                return finish_outcome(display, body, needs, lint, 0, rejected, write_error);
            }
        }
        return finish_outcome(
            display,
            &out.text,
            needs,
            out.remaining,
            out.applied,
            rejected,
            None,
        );
    }
    let out = engine::lint(path, body, facts, config);
    finish_outcome(display, body, needs, out, 0, Vec::new(), None)
}

/// `lint_one` through the result cache (never used with --fix).
fn lint_one_cached(
    path: &Path,
    display: String,
    pre: Option<(String, SqlFile)>,
    facts: &WorkspaceFacts,
    config: &Config,
    cache: &Cache,
    needs: Needs,
) -> Outcome {
    let plain = |report: FileReport| Outcome {
        report,
        fixed: 0,
        rejected: Vec::new(),
        write_error: None,
    };
    let Some(stamp) = cache::file_stamp(path) else {
        return plain(unreadable_report(
            display,
            config,
            "cannot read file".into(),
        ));
    };
    if pre.is_none() {
        // The text is read only when findings need code frames; it must then be
        // the text the findings were made on.
        let mut text = String::new();
        let verify = |hash: u64| {
            if !needs.text {
                return true;
            }
            let Ok(t) = read_source(path) else {
                return false;
            };
            let body = strip_bom(&t).0;
            if cache::content_hash(body) != hash {
                return false;
            }
            text = body.to_string();
            true
        };
        if let Some(findings) = cache.lookup_by_stamp(path, stamp, config.fingerprint, verify) {
            if findings.is_empty() {
                text = String::new();
            }
            return plain(FileReport {
                display,
                text,
                findings,
            });
        }
    }
    let (text, sql) = match pre {
        Some((t, sql)) => (t, Some(sql)),
        None => match read_source(path) {
            Ok(t) => (t, None),
            Err(message) => return plain(unreadable_report(display, config, message)),
        },
    };
    let (body, _) = strip_bom(&text);
    let hash = cache::content_hash(body);
    if let Some(findings) = cache.lookup_by_hash(path, stamp, hash, config.fingerprint) {
        let text = if needs.text && !findings.is_empty() {
            body.to_string()
        } else {
            String::new()
        };
        return plain(FileReport {
            display,
            text,
            findings,
        });
    }
    let out = match sql {
        Some(sql) => {
            let file = engine::file_info(path, Language::Sql, config);
            let input = crate::context::FileInput::new(body, &file, config, facts);
            engine::lint_sql(&input, &sql)
        }
        None => engine::lint(path, body, facts, config),
    };
    let complete = out.panics.is_empty();
    let outcome = finish_outcome(display, body, needs, out, 0, Vec::new(), None);
    if complete {
        cache.store(
            path,
            stamp,
            hash,
            config.fingerprint,
            &outcome.report.findings,
        );
    }
    outcome
}

fn finish_outcome(
    display: String,
    text: &str,
    needs: Needs,
    out: engine::LintOutput,
    fixed: usize,
    mut rejected: Vec<String>,
    write_error: Option<String>,
) -> Outcome {
    for p in &out.panics {
        rejected.push(format!(
            "{display}: internal error in rule {}: {} (its findings for this file are dropped)",
            p.rule, p.message
        ));
    }
    let keep_text = needs.text && !out.diagnostics.is_empty();
    Outcome {
        report: FileReport {
            display,
            text: if keep_text {
                text.to_string()
            } else {
                String::new()
            },
            findings: report::locate(text, out.diagnostics),
        },
        fixed,
        rejected,
        write_error,
    }
}

pub fn run(args: CheckArgs) -> i32 {
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot read the current folder: {e}")),
    };
    let mut overrides = Vec::new();
    for r in &args.rules {
        match config::parse_rule_override(r) {
            Ok(o) => overrides.push(o),
            Err(e) => return fail(e),
        }
    }
    if args.unsafe_fixes && !args.fix {
        return fail("--unsafe-fixes needs --fix");
    }
    if args.threads == Some(0) {
        return fail("--threads must be at least 1");
    }
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .stack_size(engine::LINT_STACK_BYTES)
        .build_global();
    let resolver = match ConfigResolver::new(args.config.as_deref(), &cwd, overrides) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let format = args.format.unwrap_or_else(|| {
        if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") {
            Format::Github
        } else {
            Format::Pretty
        }
    });
    if let Some(name) = args.stdin_filename.clone() {
        return run_stdin(&args, &name, &cwd, &resolver, format);
    }
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let walked = walk::walk(&roots, &cwd, args.no_ignore, &resolver);
    if let Some(m) = walked.missing.first() {
        return fail(format!("{}: no such file or folder", m.display()));
    }
    if let Some((p, kind)) = walked.not_regular.first() {
        return fail(format!(
            "{}: not a regular file or folder ({kind}); not linted",
            p.display()
        ));
    }
    // Every config in play must be valid before anything is linted.
    let mut configs: Vec<Arc<Config>> = Vec::with_capacity(walked.files.len());
    for f in &walked.files {
        match resolver.for_file(f) {
            Ok(c) => configs.push(c),
            Err(e) => return fail(e),
        }
    }
    // Stage 1: SQL files, parsed once, give the workspace facts. The parsed
    // statements are kept for stage 2 up to a budget of SQL source bytes
    // (their syntax trees take ~30 times the text); beyond it a file is parsed
    // again when it is linted, so that memory stays bounded on huge trees.
    let mut facts = WorkspaceFacts {
        supabase_dir: walked.supabase_dir,
        ..Default::default()
    };
    let mut sql_pre: Vec<Option<(String, SqlFile)>> = Vec::with_capacity(walked.files.len());
    let mut kept_bytes = 0usize;
    for chunk in walked.files.chunks(64) {
        let parsed: Vec<Option<(String, SqlFile)>> = chunk
            .par_iter()
            .map(|f| {
                if language::detect(f) != Some(Language::Sql) {
                    return None;
                }
                let text = read_source(f).ok()?;
                let parsed = SqlFile::parse(strip_bom(&text).0);
                Some((text, parsed))
            })
            .collect();
        for (f, pre) in chunk.iter().zip(parsed) {
            let Some((text, parsed)) = pre else {
                sql_pre.push(None);
                continue;
            };
            facts.update_sql_parsed(f, &parsed, strip_bom(&text).0);
            kept_bytes += text.len();
            sql_pre.push((kept_bytes <= SQL_KEEP_PARSED_BYTES).then_some((text, parsed)));
        }
    }
    // Stage 2: lint (or fix) every file.
    let needs = Needs {
        text: format == Format::Pretty,
    };
    let cache = if args.no_cache || args.fix {
        None
    } else {
        Cache::open(&cwd, facts.fingerprint())
    };
    let outcomes: Vec<Outcome> = walked
        .files
        .par_iter()
        .zip(sql_pre.into_par_iter())
        .zip(configs.par_iter())
        .map(|((f, pre), config)| {
            lint_one(
                f,
                display_path(f, &cwd),
                pre,
                &facts,
                config,
                &args,
                cache.as_ref(),
                needs,
            )
        })
        .collect();
    if let Some(cache) = cache {
        cache.save();
    }
    report_and_exit(outcomes, walked.files.len(), &args, format)
}

fn run_stdin(
    args: &CheckArgs,
    name: &Path,
    cwd: &Path,
    resolver: &ConfigResolver,
    format: Format,
) -> i32 {
    // The same size cap as for files on disk; never more than the cap + 1 byte
    // is held.
    let mut stdin = std::io::stdin().lock();
    let mut bytes = Vec::new();
    if let Err(e) = (&mut stdin)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
    {
        return fail(format!("cannot read standard input: {e}"));
    }
    let too_large = bytes.len() as u64 > MAX_FILE_BYTES;
    if too_large && args.fix {
        // The fixed text goes to standard output, often back into the file: pass
        // the input through unchanged (streamed) rather than print nothing.
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(&bytes)
            .and_then(|_| std::io::copy(&mut stdin, &mut stdout).map(drop))
            .and_then(|_| stdout.flush());
        eprintln!(
            "prodlint: standard input is larger than {} MiB; not linted, nothing fixed",
            MAX_FILE_BYTES / (1024 * 1024)
        );
        return 2;
    }
    let path = config::absolute(name, cwd);
    let config = match resolver.for_file(&path) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let display = display_path(&path, cwd);
    let Some(lang) = language::detect(&path) else {
        return fail(format!(
            "{}: prodlint does not lint this kind of file",
            name.display()
        ));
    };
    let decoded = if too_large {
        drop(bytes);
        Err(format!(
            "file is larger than {} MiB; not linted",
            MAX_FILE_BYTES / (1024 * 1024)
        ))
    } else {
        decode_encoded(bytes)
    };
    let (text, encoding) = match decoded {
        Ok(t) => t,
        Err(message) => {
            let outcome = Outcome {
                report: unreadable_report(display, &config, message),
                fixed: 0,
                rejected: Vec::new(),
                write_error: None,
            };
            return report_and_exit(vec![outcome], 1, args, format);
        }
    };
    // SQL on stdin: the facts come from the SQL files of the current folder.
    let facts = if lang == Language::Sql {
        let walked = walk::walk(&[cwd.to_path_buf()], cwd, args.no_ignore, resolver);
        let mut facts = WorkspaceFacts {
            supabase_dir: walked.supabase_dir,
            ..Default::default()
        };
        for f in walked
            .files
            .iter()
            .filter(|f| language::detect(f) == Some(Language::Sql) && **f != path)
        {
            if let Ok(t) = read_source(f) {
                facts.update_sql_file(f, strip_bom(&t).0);
            }
        }
        facts.update_sql_file(&path, strip_bom(&text).0);
        facts
    } else {
        WorkspaceFacts::default()
    };
    let (body, had_bom) = strip_bom(&text);
    if args.fix {
        // Like other linters: the fixed text goes to standard output.
        let out = engine::fix(&path, body, &facts, &config, args.unsafe_fixes);
        let mut stdout = std::io::stdout().lock();
        // In the input's encoding (a UTF-16 input gets UTF-16 with its BOM back).
        let fixed = if had_bom {
            format!("{BOM}{}", out.text)
        } else {
            out.text.clone()
        };
        let _ = stdout.write_all(&encoding.encode(&fixed));
        let errors = out
            .remaining
            .diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count();
        return i32::from(errors > 0);
    }
    let out = engine::lint_as(&path, lang, body, &facts, &config);
    let needs = Needs {
        text: format == Format::Pretty,
    };
    let outcome = finish_outcome(display, body, needs, out, 0, Vec::new(), None);
    report_and_exit(vec![outcome], 1, args, format)
}

fn report_and_exit(
    outcomes: Vec<Outcome>,
    file_count: usize,
    args: &CheckArgs,
    format: Format,
) -> i32 {
    let mut summary = Summary {
        files: file_count,
        ..Default::default()
    };
    let mut reports = Vec::new();
    let mut write_failed = false;
    for mut o in outcomes {
        for msg in &o.rejected {
            eprintln!("prodlint: {msg}");
        }
        if let Some(e) = &o.write_error {
            eprintln!("prodlint: {e}");
            write_failed = true;
        }
        summary.fixed += o.fixed;
        if args.quiet {
            o.report.findings.retain(|x| x.diag.level == Level::Error);
        }
        for x in &o.report.findings {
            summary.count(&x.diag);
        }
        if !o.report.findings.is_empty() {
            reports.push(o.report);
        }
    }
    reports.sort_by(|a, b| a.display.cmp(&b.display));
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = match format {
        Format::Pretty => report::pretty(&reports, &summary, color),
        Format::Json => report::json(&reports, &summary),
        Format::Sarif => report::sarif(&reports),
        Format::Github => report::github(&reports),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                return fail(format!("{}: cannot write the report: {e}", path.display()));
            }
        }
        None => {
            if let Err(e) = super::write_stdout(&text) {
                return super::stdout_failed(e, false);
            }
        }
    }
    if write_failed {
        return 2;
    }
    let too_many_warnings = args
        .max_warnings
        .is_some_and(|max| !args.quiet && summary.warnings > max);
    i32::from(summary.errors > 0 || too_many_warnings)
}

/// SQL source bytes whose parsed statements `check` keeps between its two
/// stages (some 35 MiB of syntax trees; a typical project's migrations are well under it).
const SQL_KEEP_PARSED_BYTES: usize = 1 << 20;

/// `prodlint debug parse`: the parse-only baseline for benchmarks.
/// With `prefiltered`, only the files `check` would parse (the prefilter
/// finds a trigger of an enabled rule) are parsed: the baseline that `check`'s
/// time is compared with.
pub fn debug_parse(
    paths: Vec<PathBuf>,
    threads: Option<usize>,
    errors: bool,
    prefiltered: bool,
) -> i32 {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.map_or(0, |n| n.max(1)))
        .stack_size(engine::LINT_STACK_BYTES)
        .build_global();
    let walked = match debug_walk(paths) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let resolver = match ConfigResolver::new(None, &cwd, Vec::new()) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let facts = WorkspaceFacts::default();
    let (files, parsed, bytes, errors) = walked
        .files
        .par_iter()
        .filter_map(|f| {
            let lang = language::detect(f)?;
            if !lang.is_script() {
                return None;
            }
            let text = read_source(f).ok()?;
            if prefiltered {
                let config = resolver.for_file(f).ok()?;
                let file = engine::file_info(f, lang, &config);
                let input = crate::context::FileInput::new(&text, &file, &config, &facts);
                if engine::active_script_rules(&input).is_none() {
                    return Some((1usize, 0usize, 0usize, 0usize));
                }
            }
            let tree = crate::ts::parse(&text, lang, None)?;
            if errors && tree.root_node().has_error() {
                if let Some(n) = first_error(tree.root_node()) {
                    let row = n.start_position().row;
                    let line = text.lines().nth(row).unwrap_or("").trim();
                    let line: String = line.chars().take(120).collect();
                    out!("{}:{}: {line}", f.display(), row + 1);
                }
            }
            Some((
                1usize,
                1usize,
                text.len(),
                usize::from(tree.root_node().has_error()),
            ))
        })
        .reduce(
            || (0, 0, 0, 0),
            |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3),
        );
    out!("files={files} parsed={parsed} parsed_bytes={bytes} files_with_errors={errors}");
    0
}

/// The first ERROR or MISSING node in document order.
fn first_error(node: tree_sitter::Node) -> Option<tree_sitter::Node> {
    if node.is_error() || node.is_missing() {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<_> = node.children(&mut cursor).collect();
    children
        .into_iter()
        .filter(|c| c.has_error())
        .find_map(first_error)
}

/// `prodlint debug prefilter`: how many script files (and bytes) hold each
/// rule's triggers, and for how many that rule is the only reason to parse.
pub fn debug_prefilter(paths: Vec<PathBuf>) -> i32 {
    let walked = match debug_walk(paths) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let n = rules::ts::RULES.len();
    // Per file: (files, bytes, parsed files, parsed bytes, per rule [files, bytes, sole files, sole bytes]).
    type Tally = (usize, usize, usize, usize, Vec<[usize; 4]>);
    let (files, bytes, parsed, parsed_bytes, per_rule): Tally = walked
        .files
        .par_iter()
        .filter(|f| language::detect(f).is_some_and(|l| l.is_script()))
        .filter_map(|f| read_source(f).ok().map(|t| (f, t)))
        .map(|(f, text)| {
            let t = crate::ts::PREFILTER.scan(&text, &f.to_string_lossy());
            let hits = t.rules.iter().filter(|&&r| r).count();
            let any = t.suppression || hits > 0;
            let len = text.len();
            let counts: Vec<[usize; 4]> = t
                .rules
                .iter()
                .map(|&r| {
                    let sole = r && hits == 1 && !t.suppression;
                    [
                        usize::from(r),
                        if r { len } else { 0 },
                        usize::from(sole),
                        if sole { len } else { 0 },
                    ]
                })
                .collect();
            (1, len, usize::from(any), if any { len } else { 0 }, counts)
        })
        .reduce(
            || (0, 0, 0, 0, vec![[0; 4]; n]),
            |a, b| {
                (
                    a.0 + b.0,
                    a.1 + b.1,
                    a.2 + b.2,
                    a.3 + b.3,
                    a.4.iter()
                        .zip(&b.4)
                        .map(|(x, y)| [x[0] + y[0], x[1] + y[1], x[2] + y[2], x[3] + y[3]])
                        .collect(),
                )
            },
        );
    let mb = |b: usize| b as f64 / 1e6;
    out!(
        "files={files} bytes={:.1}MB parsed={parsed} parsed_bytes={:.1}MB",
        mb(bytes),
        mb(parsed_bytes)
    );
    out!(
        "{:<26} {:>6} {:>8} {:>6} {:>8}",
        "rule",
        "files",
        "MB",
        "sole",
        "sole MB"
    );
    for (rule, c) in rules::ts::RULES.iter().zip(per_rule) {
        out!(
            "{:<26} {:>6} {:>8.1} {:>6} {:>8.1}",
            rule.meta.id,
            c[0],
            mb(c[1]),
            c[2],
            mb(c[3])
        );
    }
    0
}

/// `prodlint debug time FILE`: where the time goes on one file.
pub fn debug_time(file: &Path, runs: usize) -> i32 {
    let text = match read_source(file) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    let Some(lang) = language::detect(file) else {
        return fail("not a linted file");
    };
    let facts = WorkspaceFacts::default();
    let base = Config::default_for(Path::new(""));
    let median = |f: &mut dyn FnMut()| {
        let mut times: Vec<f64> = (0..runs.max(1))
            .map(|_| {
                let t = std::time::Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    if lang.is_script() {
        out!(
            "{:<26} {:>9.2} ms",
            "parse",
            median(&mut || drop(crate::ts::parse(&text, lang, None)))
        );
    }
    out!(
        "{:<26} {:>9.2} ms",
        "all rules (with parse)",
        median(&mut || drop(engine::lint(file, &text, &facts, &base)))
    );
    for m in rules::all_meta().filter(|m| m.language != rules::RuleLanguage::Meta) {
        let mut only = base.clone();
        for other in rules::all_meta() {
            if other.id != m.id {
                only.set_level(other.id, Level::Off);
            }
        }
        let ms = median(&mut || drop(engine::lint(file, &text, &facts, &only)));
        out!("{:<26} {:>9.2} ms (with parse)", m.id, ms);
    }
    0
}

/// `prodlint debug slowest`: the files whose rules (the walk included) cost the
/// most, with their parse time; files the prefilter skips are left out (one
/// thread, one run each).
pub fn debug_slowest(paths: Vec<PathBuf>, top: usize) -> i32 {
    let walked = match debug_walk(paths) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let resolver = match ConfigResolver::new(None, &cwd, Vec::new()) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let facts = WorkspaceFacts::default();
    let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1000.0;
    let mut rows: Vec<(f64, f64, usize, String)> = Vec::new();
    let (mut parse_total, mut rules_total) = (0.0, 0.0);
    for f in &walked.files {
        let Some(lang) = language::detect(f).filter(|l| l.is_script()) else {
            continue;
        };
        let (Ok(text), Ok(config)) = (read_source(f), resolver.for_file(f)) else {
            continue;
        };
        let file = engine::file_info(f, lang, &config);
        let input = crate::context::FileInput::new(&text, &file, &config, &facts);
        if engine::active_script_rules(&input).is_none() {
            continue; // skipped before parsing
        }
        let t = std::time::Instant::now();
        let Some(tree) = crate::ts::parse(&text, lang, None) else {
            continue;
        };
        let parse = ms(t);
        let t = std::time::Instant::now();
        drop(engine::lint_script(&input, Some(&tree)));
        let rules = ms(t);
        parse_total += parse;
        rules_total += rules;
        rows.push((rules, parse, text.len(), display_path(f, &cwd)));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    out!("{:>10} {:>10} {:>9}  file", "rules ms", "parse ms", "kB");
    for (rules, parse, len, name) in rows.iter().take(top) {
        out!(
            "{:>10.1} {:>10.1} {:>9.1}  {name}",
            rules,
            parse,
            *len as f64 / 1000.0
        );
    }
    out!(
        "{} files parsed: parse {:.0} ms, rules (walk included) {:.0} ms",
        rows.len(),
        parse_total,
        rules_total
    );
    0
}

/// The files the debug commands look at (the same walk as `check`).
fn debug_walk(paths: Vec<PathBuf>) -> Result<walk::Walked, i32> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let resolver = ConfigResolver::new(None, &cwd, Vec::new()).map_err(fail)?;
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    Ok(walk::walk(&roots, &cwd, false, &resolver))
}
