//! The hidden `prodlint debug` commands (benchmarks and tuning): the
//! parse-only baseline, the prefilter's pass rates, timings per rule and the
//! slowest files. They measure the script pipeline (tree-sitter parse,
//! prefilter, walk).

use super::outcome::{display_path, fail};
use crate::config::{Config, ConfigResolver};
use crate::diagnostic::Level;
use crate::engine::prefilter::{active_script_rules, PREFILTER};
use crate::engine::{self, Document};
use crate::language::{self, Language};
use crate::rules;
use crate::source::read_source;
use crate::walk;
use crate::workspace::WorkspaceFacts;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

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
    let setup = match setup(paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (files, parsed, bytes, errors) = setup
        .files
        .par_iter()
        .filter_map(|f| {
            let (lang, text) = script(f)?;
            if prefiltered
                && !passes_prefilter(f, lang, &text, setup.resolver.for_file(f).ok()?.as_ref())
            {
                return Some((1usize, 0usize, 0usize, 0usize));
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
    let setup = match setup(paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let n = rules::ts::RULES.len();
    // Per file: (files, bytes, parsed files, parsed bytes, per rule [files, bytes, sole files, sole bytes]).
    type Tally = (usize, usize, usize, usize, Vec<[usize; 4]>);
    let (files, bytes, parsed, parsed_bytes, per_rule): Tally = setup
        .files
        .par_iter()
        .filter_map(|f| script(f).map(|(_, t)| (f, t)))
        .map(|(f, text)| {
            let t = PREFILTER.scan(&text, &f.to_string_lossy());
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
    out!(
        "{:<26} {:>9.2} ms",
        "parse",
        median(&mut || drop(engine::parse(lang, &text, None)))
    );
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
    let setup = match setup(paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1000.0;
    let mut rows: Vec<(f64, f64, usize, String)> = Vec::new();
    let (mut parse_total, mut rules_total) = (0.0, 0.0);
    let facts = WorkspaceFacts::default();
    for f in &setup.files {
        let Some((lang, text)) = script(f) else {
            continue;
        };
        let Ok(config) = setup.resolver.for_file(f) else {
            continue;
        };
        if !passes_prefilter(f, lang, &text, config.as_ref()) {
            continue; // skipped before parsing
        }
        let t = std::time::Instant::now();
        let parsed = engine::parse(lang, &text, None);
        if parsed.tree().is_none() {
            continue;
        }
        let parse = ms(t);
        let t = std::time::Instant::now();
        let doc = Document::new(f, lang, &text).with_parsed(Some(&parsed));
        drop(engine::lint_document(&doc, &facts, &config));
        let rules = ms(t);
        parse_total += parse;
        rules_total += rules;
        rows.push((rules, parse, text.len(), display_path(f, &setup.cwd)));
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

/// What every debug command starts from: the current folder, the
/// `prodlint.toml` resolver, and the files `check` would lint there.
struct Setup {
    cwd: PathBuf,
    resolver: ConfigResolver,
    files: Vec<PathBuf>,
}

/// The files the debug commands look at (the same walk as `check`).
fn setup(paths: Vec<PathBuf>) -> Result<Setup, i32> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let resolver = ConfigResolver::new(None, &cwd, Vec::new()).map_err(fail)?;
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let files = walk::walk(&roots, &cwd, false, &resolver).files;
    Ok(Setup {
        cwd,
        resolver,
        files,
    })
}

/// A script file's language and text (`None` for other files and unreadable ones).
fn script(f: &Path) -> Option<(Language, String)> {
    let lang = language::detect(f).filter(|l| l.is_script())?;
    Some((lang, read_source(f).ok()?))
}

/// Whether `check` would parse the script: the prefilter finds a trigger of a
/// rule its configuration enables (or a suppression comment).
fn passes_prefilter(f: &Path, lang: Language, text: &str, config: &Config) -> bool {
    let facts = WorkspaceFacts::default();
    let file = engine::file_info(f, lang, config);
    let input = crate::context::FileInput::new(text, &file, config, &facts);
    active_script_rules(&input).is_some()
}
