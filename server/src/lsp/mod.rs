//! The language server (`prodlint lsp`): JSON-RPC over stdio.
//!
//! - `transport`: a guard in front of tower-lsp-server (malformed messages get a
//!   JSON-RPC error and the server keeps running), whole-frame output.
//! - `server`: `Backend`/`Inner`; `state` (documents, folders, capabilities),
//!   `scheduler` (lint drivers, publishing), `indexing` (folder scans,
//!   watchers, polling), `handlers` (the LSP methods).
//! - `document`: rope + tree-sitter tree kept in step with incremental edits.
//! - `lint`: one lint of a snapshot (blocking pool), via `engine`.
//! - `actions`: quick fixes, "Disable RULE for this line", `source.fixAll.prodlint`.
//! - `convert`: positions (through `line_index`) and diagnostics.
//! - `workspace`: folders, `prodlint.toml` resolvers, workspace facts from disk.
//! - `settings`: the `prodlint` settings section.

pub mod actions;
pub mod convert;
pub mod document;
mod handlers;
mod indexing;
pub mod lint;
mod scheduler;
pub mod server;
pub mod settings;
mod state;
pub mod transport;
pub mod workspace;

pub use settings::DEFAULT_DEBOUNCE_MS;

use std::sync::atomic::Ordering;
use std::time::Duration;
use tower_lsp_server::{LspService, Server};

/// Options of `prodlint lsp`.
#[derive(Clone, Debug)]
pub struct Options {
    pub debounce_ms: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            debounce_ms: DEFAULT_DEBOUNCE_MS,
        }
    }
}

/// Serve on standard input/output until `exit` (or the end of input). Returns
/// the exit code: 0 after a `shutdown` request, 1 without one.
pub fn run(options: Options) -> anyhow::Result<i32> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(8)
        .thread_stack_size(crate::engine::LINT_STACK_BYTES)
        .enable_all()
        .build()?;
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    let (in_tx, in_rx) = tokio::sync::mpsc::unbounded_channel();
    let writer = std::thread::Builder::new()
        .name("lsp-stdout".into())
        .spawn(move || transport::write_loop(std::io::stdout().lock(), out_rx))?;
    let reader_out = out_tx.clone();
    // Not joined: it may sit in a blocking read of stdin when the server exits.
    std::thread::Builder::new()
        .name("lsp-stdin".into())
        .spawn(move || transport::read_loop(std::io::stdin().lock(), in_tx, reader_out))?;
    let code = runtime.block_on(async {
        let (service, socket) =
            LspService::new(|client| server::Backend::new(client, options.debounce_ms));
        let inner = service.inner().0.clone();
        let input = transport::ChannelReader::new(in_rx);
        let output = transport::FrameSink::new(out_tx.clone());
        Server::new(input, output, socket)
            .serve(transport::CatchPanic(service))
            .await;
        if inner.shutdown.load(Ordering::SeqCst) {
            0
        } else {
            1
        }
    });
    let _ = out_tx.send(transport::Out::Stop);
    let _ = writer.join();
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(code)
}
