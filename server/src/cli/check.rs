//! `prodlint check`: walk, gather the workspace facts, lint (or fix) every file
//! in parallel, report. Standard input is `stdin.rs`, writing fixes
//! `fixes.rs`, the report and exit code `outcome.rs`, `--add-suppressions`
//! `suppress.rs`, the `debug` commands `debug.rs`.

use super::cache::{self, Cache};
use super::outcome::{
    display_path, fail, finish_outcome, report_and_exit, unreadable_report, Needs, Outcome,
};
use super::report::FileReport;
use super::{CheckArgs, Format};
use crate::config::{self, Config, ConfigResolver};
use crate::engine::{self, Document};
use crate::language::{self, Language};
use crate::languages::Parsed;
use crate::source::{read_source, read_source_encoded, strip_bom};
use crate::walk;
use crate::workspace::{FileFacts, WorkspaceFacts};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file read and parsed in stage 1 (its language contributes workspace
/// facts), kept for linting.
pub(super) struct Pre {
    /// As read (a byte order mark included).
    pub text: String,
    pub lang: Language,
    /// The parse of the text without its byte order mark.
    pub parsed: Parsed,
}

impl Pre {
    pub fn document<'a>(&'a self, path: &'a Path) -> Document<'a> {
        Document::new(path, self.lang, strip_bom(&self.text).0).with_parsed(Some(&self.parsed))
    }
}

#[allow(clippy::too_many_arguments)]
fn lint_one(
    path: &Path,
    display: String,
    pre: Option<Pre>,
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
        Some(pre) => {
            let doc = pre.document(path);
            let out = engine::lint_document(&doc, facts, config);
            return finish_outcome(display, doc.text, needs, out, 0, Vec::new(), None);
        }
        None => read_source_encoded(path),
    };
    let (text, encoding) = match text {
        Ok(t) => t,
        Err(message) => return Outcome::plain(unreadable_report(display, config, message)),
    };
    if args.fix {
        return super::fixes::fix_file(path, display, &text, encoding, facts, config, args, needs);
    }
    let body = strip_bom(&text).0;
    let out = engine::lint(path, body, facts, config);
    finish_outcome(display, body, needs, out, 0, Vec::new(), None)
}

/// `lint_one` through the result cache (never used with --fix).
fn lint_one_cached(
    path: &Path,
    display: String,
    pre: Option<Pre>,
    facts: &WorkspaceFacts,
    config: &Config,
    cache: &Cache,
    needs: Needs,
) -> Outcome {
    let plain = Outcome::plain;
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
    let read;
    let body = match &pre {
        Some(p) => strip_bom(&p.text).0,
        None => match read_source(path) {
            Ok(t) => {
                read = t;
                strip_bom(&read).0
            }
            Err(message) => return plain(unreadable_report(display, config, message)),
        },
    };
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
    let out = match &pre {
        Some(p) => engine::lint_document(&p.document(path), facts, config),
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
    if args.add_suppressions.is_some() && (args.fix || args.stdin_filename.is_some()) {
        return fail("--add-suppressions cannot be combined with --fix or --stdin-filename");
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
        return super::stdin::run(&args, &name, &cwd, &resolver, format);
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
    // Stage 1: the files whose language contributes workspace facts (SQL, and
    // scripts from a lexical scan of their text) give the facts; SQL files are
    // parsed once. Their parses are kept for stage 2 up to a
    // budget of source bytes (a PostgreSQL syntax tree takes ~160 times its
    // text); beyond it a file is parsed again when it is linted, so that
    // memory stays bounded on huge trees.
    let mut facts = WorkspaceFacts::new(walked.supabase_dir);
    let mut pre: Vec<Option<Pre>> = Vec::with_capacity(walked.files.len());
    let mut kept_bytes = 0usize;
    for chunk in walked.files.chunks(64) {
        let parsed: Vec<Option<(Option<Pre>, Option<FileFacts>)>> = chunk
            .par_iter()
            .map(|f| {
                let lang = language::detect(f).filter(|&l| engine::file_contributes_facts(f, l))?;
                let text = read_source(f).ok()?;
                let body = strip_bom(&text).0;
                // Facts from the text alone (most scripts): no parse up front,
                // the file is read again and linted (or skipped) in stage 2.
                if !engine::facts_need_parse(f, lang) {
                    return Some((None, engine::file_facts(f, lang, body, None)));
                }
                let parsed = engine::parse(lang, body, None);
                let file_facts = engine::file_facts(f, lang, body, Some(&parsed));
                Some((Some(Pre { text, lang, parsed }), file_facts))
            })
            .collect();
        for (f, p) in chunk.iter().zip(parsed) {
            let Some((p, file_facts)) = p else {
                pre.push(None);
                continue;
            };
            if let Some(file_facts) = file_facts {
                facts.set_file(f, file_facts);
            }
            let Some(p) = p else {
                pre.push(None);
                continue;
            };
            kept_bytes += p.text.len();
            pre.push((kept_bytes <= SQL_KEEP_PARSED_BYTES).then_some(p));
        }
    }
    // Stage 2: lint (or fix) every file.
    let needs = Needs {
        text: format == Format::Pretty,
    };
    if let Some(reason) = &args.add_suppressions {
        return super::suppress::run(&walked.files, pre, &facts, &configs, reason, &cwd);
    }
    let cache = if args.no_cache || args.fix {
        None
    } else {
        Cache::open(&cwd, facts.fingerprint())
    };
    let outcomes: Vec<Outcome> = walked
        .files
        .par_iter()
        .zip(pre.into_par_iter())
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

/// SQL source bytes whose parsed statements `check` keeps between its two
/// stages. Measured: a parsed migration takes about 160 times its text (455 KB
/// of generated migrations held 73 MiB), so 128 KiB keeps some 20 MiB; files
/// beyond it are parsed again when linted. On the SQL benchmark (4.2 MB, 2
/// threads) the peak RSS was 247 MiB with 1 MiB kept, 159–188 MiB with 256 KiB.
const SQL_KEEP_PARSED_BYTES: usize = 1 << 17;
