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
