//! prodlint: a production-readiness linter and language server for
//! TypeScript/JavaScript, PostgreSQL migrations and dotenv files.
//! See ARCHITECTURE.md at the repository root for the layers and invariants.

pub mod cli;
pub mod config;
pub mod context;
pub mod diagnostic;
pub mod docs;
pub mod dotenv;
pub mod engine;
pub mod fix;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub mod language;
pub mod languages;
pub mod line_index;
pub mod lsp;
pub mod rules;
pub mod source;
pub mod sql;
pub mod suppression;
pub mod text;
pub mod ts;
pub mod walk;
pub mod workspace;

/// The version and the commit the binary was built from (`build.rs`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Twelve hex digits of the commit, or `unknown` (built outside git with no
/// `PRODLINT_COMMIT`).
pub const COMMIT: &str = env!("PRODLINT_COMMIT");
/// `0.1.0 (commit 1a2b3c4d5e6f)`, as `--version` prints it after the name.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("PRODLINT_COMMIT"),
    ")"
);
