//! The command line: `check`, `lsp`, `rules`, `explain`, `init` (and the hidden
//! `debug parse` used by the benchmarks).

/// `println!` that ignores a closed standard output (`prodlint rules | head`).
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Write `text` to standard output and flush it.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush())
}

/// The exit code for a failed write to standard output. A closed pipe
/// (`prodlint rules | head`) gets no message (and is success where
/// `closed_pipe_ok`); any other failure (`> /dev/full`) is reported on one line
/// on stderr and exits 2.
pub fn stdout_failed(e: std::io::Error, closed_pipe_ok: bool) -> i32 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return if closed_pipe_ok { 0 } else { 2 };
    }
    eprintln!("prodlint: cannot write to standard output: {e}");
    2
}

/// Print `text` (a listing): 0, or the code for a failed write.
fn print_listing(text: &str) -> i32 {
    match write_stdout(text) {
        Ok(()) => 0,
        Err(e) => stdout_failed(e, true),
    }
}

pub mod cache;
pub mod check;
mod debug;
mod fixes;
mod outcome;
pub mod report;
mod stdin;
mod suppress;

use crate::rules;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "prodlint",
    version = crate::LONG_VERSION,
    about = "Production-readiness linter and language server for TypeScript/JavaScript, PostgreSQL migrations and dotenv files"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and folders (default: the current folder).
    Check(CheckArgs),
    /// Run the language server on standard input/output (JSON-RPC).
    Lsp(LspArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's documentation with its examples.
    Explain {
        /// The rule id, e.g. cors-wildcard.
        rule: String,
    },
    /// Write a commented starter prodlint.toml in the current folder.
    Init {
        /// Overwrite an existing prodlint.toml.
        #[arg(long)]
        force: bool,
    },
    /// Developer tools (benchmarks).
    #[command(hide = true)]
    Debug {
        #[command(subcommand)]
        command: DebugCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum DebugCommand {
    /// Parse every script file with the same grammar as `check`, and nothing else.
    Parse {
        paths: Vec<PathBuf>,
        #[arg(long)]
        threads: Option<usize>,
        /// Print where each file's first syntax error is.
        #[arg(long)]
        errors: bool,
        /// Parse only the files `check` would parse: those in which the
        /// prefilter finds a trigger of a rule the configuration enables.
        #[arg(long)]
        prefiltered: bool,
    },
    /// Count the script files the prefilter lets through to the parser, per rule.
    Prefilter { paths: Vec<PathBuf> },
    /// Time parsing and each rule alone on one file (median of N runs).
    Time {
        file: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Lint every script file on one thread and list those whose rules (lint
    /// time minus parse time) cost the most.
    Slowest {
        paths: Vec<PathBuf>,
        #[arg(long, default_value_t = 15)]
        top: usize,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct LspArgs {
    /// Accepted for editor compatibility (stdio is the only transport).
    #[arg(long)]
    pub stdio: bool,
    /// Milliseconds between the last edit of a burst and its trailing lint (an
    /// edit to an idle document is linted at once; the `debounceMs`
    /// initialization option overrides it).
    #[arg(long, value_name = "MS", default_value_t = crate::lsp::DEFAULT_DEBOUNCE_MS)]
    pub debounce_ms: u64,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pretty,
    Json,
    Sarif,
    Github,
}

#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or folders to lint.
    pub paths: Vec<PathBuf>,
    /// Apply safe fixes in place.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: also apply unsafe fixes.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Output format (default pretty; github when GITHUB_ACTIONS=true).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Use this config file for every file instead of discovering prodlint.toml files.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Set a rule's level: ID=off|info|warn|error (repeatable).
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    pub rules: Vec<String>,
    /// Exit 1 when there are more warnings than this.
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Do not read .gitignore/.ignore files or the config's exclude list.
    #[arg(long)]
    pub no_ignore: bool,
    /// Report errors only.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lint standard input as if it were the file NAME.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Do not read or write the result cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Insert a `prodlint-ignore RULE: REASON` comment above every line with a
    /// finding (for adopting prodlint in an existing code base), then exit.
    #[arg(long, value_name = "REASON")]
    pub add_suppressions: Option<String>,
}

/// Run the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Lsp(args) => match crate::lsp::run(crate::lsp::Options {
            debounce_ms: args.debounce_ms,
        }) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("prodlint lsp: {e}");
                2
            }
        },
        Command::Rules { format } => print_listing(&format!("{}\n", list_rules(format).trim_end())),
        Command::Explain { rule } => match rules::meta(&rule) {
            Some(m) => print_listing(&format!(
                "# {} ({}, {}, fix: {})\n\n{}\n\n{}\n",
                m.id,
                m.language.as_str(),
                m.default_level.as_str(),
                m.fix.as_str(),
                m.summary,
                crate::docs::render_for_terminal(&m.full_docs())
            )),
            None => {
                let ids: Vec<&str> = rules::all_meta().map(|m| m.id).collect();
                let best = ids.iter().copied().max_by(|a, b| {
                    strsim::jaro_winkler(&rule, a).total_cmp(&strsim::jaro_winkler(&rule, b))
                });
                match best.filter(|b| strsim::jaro_winkler(&rule, b) > 0.8) {
                    Some(b) => eprintln!("prodlint: unknown rule `{rule}` (did you mean `{b}`?); `prodlint rules` lists them"),
                    None => eprintln!("prodlint: unknown rule `{rule}`; `prodlint rules` lists them"),
                }
                2
            }
        },
        Command::Init { force } => {
            let path = PathBuf::from(crate::config::FILE_NAME);
            if path.exists() && !force {
                eprintln!(
                    "prodlint: {} already exists (use --force to overwrite)",
                    path.display()
                );
                return 2;
            }
            match std::fs::write(&path, crate::config::starter_file()) {
                Ok(()) => print_listing(&format!("wrote {}\n", path.display())),
                Err(e) => {
                    eprintln!("prodlint: cannot write {}: {e}", path.display());
                    2
                }
            }
        }
        Command::Debug {
            command:
                DebugCommand::Parse {
                    paths,
                    threads,
                    errors,
                    prefiltered,
                },
        } => debug::debug_parse(paths, threads, errors, prefiltered),
        Command::Debug {
            command: DebugCommand::Prefilter { paths },
        } => debug::debug_prefilter(paths),
        Command::Debug {
            command: DebugCommand::Time { file, runs },
        } => debug::debug_time(&file, runs),
        Command::Debug {
            command: DebugCommand::Slowest { paths, top },
        } => debug::debug_slowest(paths, top),
    }
}

pub fn list_rules(format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rules::all_meta()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id,
                        "language": m.language.as_str(),
                        "severity": m.default_level.as_str(),
                        "fix": m.fix.as_str(),
                        "summary": m.summary,
                        "tier": m.tier.to_string(),
                        "notInTests": m.not_in_tests,
                        "helpUri": m.help_uri(),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Text => {
            let mut s = String::new();
            for m in rules::all_meta() {
                s.push_str(&format!(
                    "{:<26} {:<10} {:<5} fix:{:<14} {}\n",
                    m.id,
                    m.language.as_str(),
                    m.default_level.as_str(),
                    m.fix.as_str(),
                    m.summary
                ));
            }
            s
        }
    }
}
