//! The LSP handlers (`impl LanguageServer`): each changes the state before
//! its first `.await` (edits apply in arrival order) and hands the work to the
//! scheduler, the indexer or the blocking pool.

use super::actions;
use super::convert::Positions;
use super::document::{file_path, language_of, Document};
use super::indexing::{POLL_INTERVAL, RESCAN_EVERY};
use super::lint::{self};
use super::scheduler::Trigger;
use super::server::{blocking, Backend};
use super::settings::{DiagnosticMode, Run, Settings};
use super::state::{folders_from, negotiate};
use super::workspace::{self, Folder};
use crate::config::{self, ConfigResolver};
use crate::line_index::ColumnUnit;
use crate::workspace::WorkspaceFacts;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_lsp_server::jsonrpc::Result as RpcResult;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::LanguageServer;

pub(super) fn workspace_report(
    uri: lsp::Uri,
    version: Option<i64>,
    result_id: String,
    items: Vec<lsp::Diagnostic>,
    unchanged: bool,
) -> lsp::WorkspaceDocumentDiagnosticReport {
    if unchanged {
        lsp::WorkspaceDocumentDiagnosticReport::Unchanged(
            lsp::WorkspaceUnchangedDocumentDiagnosticReport {
                uri,
                version,
                unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                    result_id,
                },
            },
        )
    } else {
        lsp::WorkspaceDocumentDiagnosticReport::Full(lsp::WorkspaceFullDocumentDiagnosticReport {
            uri,
            version,
            full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                result_id: Some(result_id),
                items,
            },
        })
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> RpcResult<lsp::InitializeResult> {
        let caps = negotiate(&params);
        let folders = folders_from(&params);
        let options = params.initialization_options.clone().unwrap_or(Value::Null);
        let mut problems = Vec::new();
        let (pull, workspace_diagnostics) = {
            let mut st = self.0.st();
            let defaults = Settings::defaults(self.0.default_debounce_ms);
            if let Some(section) = Settings::section(&options) {
                let (s, p) = Settings::from_value(&defaults, section);
                st.settings = s;
                problems = p;
            }
            st.pull = match st.settings.diagnostic_mode {
                DiagnosticMode::Auto => caps.pull,
                DiagnosticMode::Pull => true,
                DiagnosticMode::Push => false,
            };
            st.caps = caps.clone();
            let overrides = st.settings.rules.clone();
            st.folders = folders
                .into_iter()
                .map(|p| Folder::new(p, &overrides))
                .collect();
            st.reload_configs();
            (st.pull, st.pull && st.settings.workspace_diagnostics)
        };
        for p in problems {
            self.0
                .log(
                    lsp::MessageType::WARNING,
                    format!("initializationOptions: {p}"),
                )
                .await;
        }
        let encoding = match caps.unit {
            ColumnUnit::Utf8 => lsp::PositionEncodingKind::UTF8,
            _ => lsp::PositionEncodingKind::UTF16,
        };
        Ok(lsp::InitializeResult {
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                    lsp::TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                        will_save: None,
                        will_save_wait_until: None,
                        save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                            lsp::SaveOptions {
                                include_text: Some(false),
                            },
                        )),
                    },
                )),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![
                            lsp::CodeActionKind::QUICKFIX,
                            lsp::CodeActionKind::new(actions::FIX_ALL_KIND),
                        ]),
                        work_done_progress_options: Default::default(),
                        resolve_provider: Some(false),
                    },
                )),
                diagnostic_provider: pull.then(|| {
                    lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                        identifier: Some("prodlint".to_string()),
                        inter_file_dependencies: true,
                        workspace_diagnostics,
                        work_done_progress_options: Default::default(),
                    })
                }),
                workspace: Some(lsp::WorkspaceServerCapabilities {
                    workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(lsp::OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "prodlint".to_string(),
                version: Some(crate::LONG_VERSION.to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let inner = self.0.clone();
        let (unit, pull, n) = {
            let st = inner.st();
            (st.caps.unit, st.pull, st.folders.len())
        };
        // Requests to the client run in their own tasks: a client that never
        // answers must not block message handling.
        let i2 = inner.clone();
        tokio::spawn(async move { i2.register().await });
        let i3 = inner.clone();
        tokio::spawn(async move { i3.index((0..n).collect()).await });
        if !inner.st().caps.watch_dynamic {
            // No file watchers from this client: poll prodlint.toml and SQL files.
            let i4 = inner.clone();
            tokio::spawn(async move { i4.poll_files(POLL_INTERVAL, RESCAN_EVERY).await });
        }
        inner
            .log(
                lsp::MessageType::INFO,
                format!(
                    "prodlint {} ready ({} positions, {} diagnostics, {n} workspace folder(s))",
                    crate::LONG_VERSION,
                    if unit == ColumnUnit::Utf8 {
                        "UTF-8"
                    } else {
                        "UTF-16"
                    },
                    if pull { "pull" } else { "push" },
                ),
            )
            .await;
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.0.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let inner = &self.0;
        let td = params.text_document;
        let file = file_path(&td.uri);
        let Some(lang) = language_of(file.as_deref(), &td.language_id) else {
            return;
        };
        let (too_large_now, run) = {
            let mut st = inner.st();
            let max = st.settings.max_file_size;
            let id = inner.next_seq();
            let mut doc = Document::new(td.uri.clone(), id, td.version, lang, &td.text);
            doc.too_large = td.text.len() > max;
            let too_large = doc.too_large;
            st.docs.insert(td.uri.clone(), doc);
            (too_large, st.settings.enable && !st.pull)
        };
        if too_large_now {
            inner.too_large_message(&td.uri).await;
        }
        if run {
            inner.schedule(td.uri, Trigger::Now);
        }
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let inner = &self.0;
        let uri = params.text_document.uri;
        let (schedule, newly_large) = {
            let mut st = inner.st();
            let unit = st.caps.unit;
            let max = st.settings.max_file_size;
            let on_type = st.settings.run == Run::OnType && st.settings.enable && !st.pull;
            let Some(doc) = st.docs.get_mut(&uri) else {
                return;
            };
            for change in &params.content_changes {
                doc.apply_change(change, unit);
            }
            doc.version = params.text_document.version;
            let was = doc.too_large;
            doc.too_large = doc.byte_len() > max;
            if doc.too_large {
                doc.parsed = None;
            }
            (on_type, doc.too_large && !was)
        };
        if newly_large {
            inner.too_large_message(&uri).await;
        }
        if schedule {
            inner.schedule(uri, Trigger::Change);
        }
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        let inner = &self.0;
        let uri = params.text_document.uri;
        if file_path(&uri).is_some_and(|p| p.file_name().is_some_and(|n| n == config::FILE_NAME)) {
            // Clients without file watchers: a saved prodlint.toml still reloads.
            inner
                .files_changed(vec![lsp::FileEvent {
                    uri,
                    typ: lsp::FileChangeType::CHANGED,
                }])
                .await;
            return;
        }
        let lint = {
            let mut st = inner.st();
            let enabled = st.settings.enable;
            let pull = st.pull;
            let generation = st.generation;
            let Some(doc) = st.docs.get_mut(&uri) else {
                return;
            };
            doc.saved_version = doc.version;
            let up_to_date = doc
                .cached
                .as_ref()
                .is_some_and(|c| c.version == doc.version && c.generation == generation)
                && doc.published > 0;
            enabled && !pull && !up_to_date
        };
        if lint {
            inner.schedule(uri, Trigger::Now);
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let inner = &self.0;
        let uri = params.text_document.uri;
        let (folder, pull) = {
            let mut st = inner.st();
            let Some(doc) = st.docs.remove(&uri) else {
                return;
            };
            let folder = match (&doc.file, &doc.facts) {
                (Some(p), Some(_)) => st.folder_of(p).map(|i| (i, p.clone())),
                _ => None,
            };
            (folder, st.pull)
        };
        if !pull {
            self.0
                .client
                .publish_diagnostics(uri.clone(), Vec::new(), None)
                .await;
        }
        // A closed SQL file contributes its text on disk again.
        if let Some((_, path)) = folder {
            let p = path.clone();
            let facts = blocking(move || workspace::read_facts(&p))
                .await
                .ok()
                .flatten();
            let affected = {
                let mut st = inner.st();
                match st.folder_of(&path) {
                    Some(i) => {
                        match facts {
                            Some(f) => st.folders[i].disk_facts.insert(path.clone(), f),
                            None => st.folders[i].disk_facts.remove(&path),
                        };
                        if st.refresh_facts(i) {
                            st.docs_in(Some(i))
                        } else {
                            Vec::new()
                        }
                    }
                    None => Vec::new(),
                }
            };
            inner.relint(affected);
        }
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let inner = self.0.clone();
        if Settings::section(&params.settings).is_some() {
            inner.apply_settings(&params.settings).await;
            return;
        }
        // Pull-style clients send no settings: ask for the section.
        if inner.st().caps.configuration {
            tokio::spawn(async move {
                let items = vec![lsp::ConfigurationItem {
                    scope_uri: None,
                    section: Some("prodlint".to_string()),
                }];
                match inner.client.configuration(items).await {
                    Ok(values) => {
                        if let Some(v) = values.into_iter().next() {
                            if v.is_object() {
                                inner.apply_settings(&json!({ "prodlint": v })).await;
                            }
                        }
                    }
                    Err(e) => {
                        inner
                            .log(
                                lsp::MessageType::WARNING,
                                format!("workspace/configuration failed: {e}"),
                            )
                            .await
                    }
                }
            });
        }
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        self.0.files_changed(params.changes).await;
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        let inner = self.0.clone();
        let added = {
            let mut st = inner.st();
            let removed: Vec<PathBuf> = params
                .event
                .removed
                .iter()
                .filter_map(|f| file_path(&f.uri))
                .collect();
            st.folders.retain(|f| !removed.contains(&f.path));
            let overrides = st.settings.rules.clone();
            let mut added = Vec::new();
            for f in &params.event.added {
                if let Some(p) = file_path(&f.uri) {
                    if !st.folders.iter().any(|x| x.path == p) {
                        st.folders.push(Folder::new(p, &overrides));
                        added.push(st.folders.len() - 1);
                    }
                }
            }
            st.generation += 1;
            added
        };
        tokio::spawn(async move { inner.index(added).await });
    }

    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> RpcResult<lsp::DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let report = match self.0.pull(&uri).await {
            Some(c) if params.previous_result_id.as_deref() == Some(c.result_id.as_str()) => {
                lsp::DocumentDiagnosticReport::Unchanged(
                    lsp::RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report:
                            lsp::UnchangedDocumentDiagnosticReport {
                                result_id: c.result_id,
                            },
                    },
                )
            }
            Some(c) => {
                lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                        result_id: Some(c.result_id),
                        items: c.lsp,
                    },
                })
            }
            None => lsp::DocumentDiagnosticReport::Full(Default::default()),
        };
        Ok(lsp::DocumentDiagnosticReportResult::Report(report))
    }

    async fn workspace_diagnostic(
        &self,
        params: lsp::WorkspaceDiagnosticParams,
    ) -> RpcResult<lsp::WorkspaceDiagnosticReportResult> {
        let inner = self.0.clone();
        let previous: HashMap<String, String> = params
            .previous_result_ids
            .into_iter()
            .map(|p| (p.uri.as_str().to_string(), p.value))
            .collect();
        let mut items = Vec::new();
        // Open documents: their current text.
        let open: Vec<(lsp::Uri, i32)> = {
            let st = inner.st();
            st.docs
                .values()
                .map(|d| (d.uri.clone(), d.version))
                .collect()
        };
        let mut open_paths: HashSet<PathBuf> = HashSet::new();
        for (uri, version) in open {
            if let Some(p) = file_path(&uri) {
                open_paths.insert(p);
            }
            let Some(c) = inner.pull(&uri).await else {
                continue;
            };
            let unchanged = previous.get(uri.as_str()) == Some(&c.result_id);
            items.push(workspace_report(
                uri,
                Some(version as i64),
                c.result_id,
                c.lsp,
                unchanged,
            ));
        }
        // Closed files on disk.
        let (folders, unit, generation, enabled) = {
            let st = inner.st();
            let folders: Vec<(Vec<PathBuf>, Arc<ConfigResolver>, Arc<WorkspaceFacts>)> = st
                .folders
                .iter()
                .map(|f| (f.files.clone(), f.resolver.clone(), f.facts.clone()))
                .collect();
            (folders, st.caps.unit, st.generation, st.settings.enable)
        };
        if !enabled {
            return Ok(lsp::WorkspaceDiagnosticReportResult::Report(
                lsp::WorkspaceDiagnosticReport { items },
            ));
        }
        let disk = blocking(move || {
            use rayon::prelude::*;
            let mut out = Vec::new();
            for (files, resolver, facts) in folders {
                let reports: Vec<(PathBuf, lint::DiskReport)> = files
                    .par_iter()
                    .filter(|p| !open_paths.contains(*p))
                    .filter_map(|p| {
                        let uri = lsp::Uri::from_file_path(p)?;
                        let prev = previous.get(uri.as_str()).map(String::as_str);
                        lint::lint_disk(p, &resolver, &facts, unit, generation, prev)
                            .map(|r| (p.clone(), r))
                    })
                    .collect();
                out.extend(reports);
            }
            out
        })
        .await
        .unwrap_or_default();
        for (path, report) in disk {
            let Some(uri) = lsp::Uri::from_file_path(&path) else {
                continue;
            };
            items.push(match report {
                lint::DiskReport::Unchanged(id) => {
                    workspace_report(uri, None, id, Vec::new(), true)
                }
                lint::DiskReport::Full(id, diags) => workspace_report(uri, None, id, diags, false),
            });
        }
        Ok(lsp::WorkspaceDiagnosticReportResult::Report(
            lsp::WorkspaceDiagnosticReport { items },
        ))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> RpcResult<Option<lsp::CodeActionResponse>> {
        let inner = self.0.clone();
        let uri = params.text_document.uri.clone();
        let only = params.context.only.clone();
        let want_quick = actions::wants(only.as_deref(), lsp::CodeActionKind::QUICKFIX.as_str());
        let want_all = actions::wants(only.as_deref(), actions::FIX_ALL_KIND);
        if !want_quick && !want_all {
            return Ok(None);
        }
        let snapshot = {
            let st = inner.st();
            let Some(doc) = st.docs.get(&uri) else {
                return Ok(None);
            };
            if !st.settings.enable || doc.too_large {
                return Ok(None);
            }
            let cached = doc
                .cached
                .as_ref()
                .filter(|c| c.version == doc.version && c.generation == st.generation)
                .map(|c| c.diagnostics.clone());
            (
                st.job(doc),
                doc.version,
                st.generation,
                cached,
                st.caps.versioned_edits,
            )
        };
        let (job, version, generation, cached, versioned) = snapshot;
        let uri2 = uri.clone();
        // Not linted at this version yet (e.g. within the debounce): lint now,
        // recording the result like any other lint.
        let linted = match cached {
            Some(d) => Some((d, None)),
            None => {
                // One lint of a document at a time: wait for a running one,
                // which may be of this very version.
                let Some(lock) = inner.st().docs.get(&uri).map(|d| d.lint_lock.clone()) else {
                    return Ok(None);
                };
                let _lint = lock.lock().await;
                match inner.cached_diagnostics(&uri, job.doc_id, version, generation) {
                    Some(d) => Some((d, None)),
                    None => match inner.run_lint(&uri, job.clone(), version, generation).await {
                        Some(o) if o.config_error.is_some() || o.excluded => return Ok(None),
                        Some(o) => Some((o.diagnostics, o.parsed)),
                        None => None,
                    },
                }
            }
        };
        let Some((diagnostics, parsed)) = linted else {
            return Ok(None);
        };
        let result = blocking(move || {
            // Suppression comments in scripts are placed with the tree: the
            // lint's, else the document's reparsed (as the next lint would).
            let parsed = parsed.or_else(|| {
                let previous = job.previous.as_ref()?;
                crate::engine::parse(job.lang, &job.text, Some(previous)).reusable()
            });
            let pos = Positions::new(&job.text, job.unit);
            let req = actions::Request {
                uri: &uri2,
                version,
                text: &job.text,
                lang: job.lang,
                tree: parsed.as_ref().and_then(|p| p.tree()),
                pos: &pos,
                versioned,
            };
            let mut out = Vec::new();
            if want_quick {
                out.extend(actions::quick_fixes(
                    &req,
                    &diagnostics,
                    &params.range,
                    &params.context.diagnostics,
                ));
            }
            if want_all
                && diagnostics.iter().any(|d| {
                    d.fix()
                        .is_some_and(|f| f.applicability == crate::diagnostic::Applicability::Safe)
                })
            {
                if let Some(fixed) = lint::fix_all(&job) {
                    out.push(actions::fix_all(&req, &fixed));
                }
            }
            (out, parsed)
        })
        .await;
        match result {
            Ok((actions, parsed)) => {
                if let Some(parsed) = parsed {
                    let mut st = inner.st();
                    if let Some(doc) = st.docs.get_mut(&uri) {
                        if doc.version == version {
                            doc.parsed = Some(parsed);
                        }
                    }
                }
                Ok((!actions.is_empty()).then_some(actions))
            }
            Err(e) => {
                inner
                    .log(
                        lsp::MessageType::ERROR,
                        format!(
                            "internal error computing code actions for {}: {e}",
                            uri.as_str()
                        ),
                    )
                    .await;
                Ok(None)
            }
        }
    }
}
