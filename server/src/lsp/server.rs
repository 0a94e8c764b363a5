//! The language server proper. All shared state sits behind one
//! `std::sync::Mutex`, held only for short, non-blocking sections (never
//! across an `.await`). Linting runs on tokio's blocking pool. Notification
//! handlers change the state before their first `.await`, so edits are applied
//! in the order they arrive (tower-lsp polls newly received messages first in
//! arrival order).
//!
//! - `state.rs`: `Caps`, `State` (documents, folders, settings).
//! - `scheduler.rs`: push-mode lint drivers, recording and publishing results.
//! - `indexing.rs`: folder scans, watchers, file events, polling.
//! - `handlers.rs`: the LSP methods.

use super::settings::Settings;
use super::state::{loose_base, Caps, State};
use super::workspace::{self};
use crate::config::Config;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::Client;

pub struct Inner {
    pub client: Client,
    pub state: Mutex<State>,
    /// Orders "check the version, publish" sections.
    pub(super) publish_lock: tokio::sync::Mutex<()>,
    pub(super) seq: AtomicU64,
    pub shutdown: AtomicBool,
    pub(super) default_debounce_ms: u64,
}

#[derive(Clone)]
pub struct Backend(pub Arc<Inner>);

impl Backend {
    pub fn new(client: Client, debounce_ms: u64) -> Backend {
        let settings = Settings::defaults(debounce_ms);
        Backend(Arc::new(Inner {
            client,
            state: Mutex::new(State {
                caps: Caps::default(),
                settings,
                pull: false,
                docs: HashMap::new(),
                folders: Vec::new(),
                loose: workspace::resolver(&loose_base(), &[]),
                untitled_config: Arc::new(Config::default_for(Path::new("/"))),
                generation: 0,
                shown: HashSet::new(),
            }),
            publish_lock: tokio::sync::Mutex::new(()),
            seq: AtomicU64::new(1),
            shutdown: AtomicBool::new(false),
            default_debounce_ms: debounce_ms,
        }))
    }
}

/// Run blocking work on tokio's blocking pool; a panic becomes an `Err`.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| match e.try_into_panic() {
            Ok(p) => crate::engine::panic_message(p.as_ref()),
            Err(e) => e.to_string(),
        })
}

impl Inner {
    pub(super) fn st(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent-enough state; go on.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    pub(super) async fn log(&self, typ: lsp::MessageType, msg: impl std::fmt::Display) {
        self.client.log_message(typ, msg).await;
    }

    /// Show an error to the user once (and log it every time).
    pub(super) async fn show_once(&self, typ: lsp::MessageType, msg: String) {
        let first = self.st().shown.insert(msg.clone());
        self.log(typ, &msg).await;
        if first {
            self.client
                .show_message(typ, format!("prodlint: {msg}"))
                .await;
        }
    }

    /// Settings arrived (initialization options or a configuration change).
    pub(super) async fn apply_settings(self: &Arc<Self>, value: &Value) {
        let Some(section) = Settings::section(value) else {
            return;
        };
        let (changed, problems, was_enabled, now_enabled) = {
            let mut st = self.st();
            let defaults = Settings::defaults(self.default_debounce_ms);
            let (mut new, problems) = Settings::from_value(&defaults, section);
            // The diagnostic mode is fixed at initialization.
            new.diagnostic_mode = st.settings.diagnostic_mode;
            new.workspace_diagnostics = st.settings.workspace_diagnostics;
            let was = st.settings.enable;
            let changed = new != st.settings;
            let rules_changed = new.rules != st.settings.rules;
            let size_changed = new.max_file_size != st.settings.max_file_size;
            st.settings = new;
            if rules_changed {
                st.reload_configs();
            } else if changed {
                st.generation += 1;
            }
            if size_changed {
                let max = st.settings.max_file_size;
                for doc in st.docs.values_mut() {
                    doc.too_large = doc.byte_len() > max;
                    if doc.too_large {
                        doc.parsed = None;
                    }
                }
            }
            (changed, problems, was, st.settings.enable)
        };
        for p in problems {
            self.log(lsp::MessageType::WARNING, format!("settings: {p}"))
                .await;
        }
        if !changed {
            return;
        }
        let uris = self.st().docs_in(None);
        if was_enabled && !now_enabled {
            // Clear everything once.
            let pull = self.st().pull;
            if pull {
                let refresh = self.st().caps.refresh;
                if refresh {
                    let _ = self.client.workspace_diagnostic_refresh().await;
                }
            } else {
                for uri in uris {
                    let seq = self.next_seq();
                    self.publish(&uri, None, Vec::new(), seq).await;
                }
            }
            return;
        }
        self.relint(uris);
    }

    pub(super) async fn too_large_message(&self, uri: &lsp::Uri) {
        let max = self.st().settings.max_file_size;
        let msg = format!(
            "{} is larger than {} bytes (maxFileSize); prodlint does not lint it",
            uri.as_str(),
            max
        );
        self.log(lsp::MessageType::WARNING, &msg).await;
        self.client
            .show_message(lsp::MessageType::WARNING, format!("prodlint: {msg}"))
            .await;
        let seq = self.next_seq();
        self.publish(uri, None, Vec::new(), seq).await;
    }
}
