//! prodlint: a production-readiness linter and language server for
//! TypeScript/JavaScript, PostgreSQL migrations and dotenv files.
//! See ARCHITECTURE.md at the repository root for the layers and invariants.

/// The stack every thread that lints gets (rayon's workers, the language
/// server's blocking threads, `check`'s own): virtual memory, committed only as
/// far as it is used. Nesting is bounded elsewhere (the shared walk's depth
/// limit, depth-bounded rule helpers, PostgreSQL's parser); this is the margin
/// that lets pg_query's decode of PostgreSQL's deepest accepted tree through.
pub const WORKER_STACK_BYTES: usize = 64 * 1024 * 1024;

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
pub mod line_index;
pub mod lsp;
pub mod rules;
pub mod sql;
pub mod suppression;
pub mod ts;
pub mod workspace;
