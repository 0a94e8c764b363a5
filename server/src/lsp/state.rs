//! The server's state: what the client can do (`Caps`, negotiated at
//! `initialize`), the open documents, the workspace folders, settings and
//! configuration, behind `Inner::state` (one mutex, short sections).

use super::document::{file_path, Document};
use super::lint::{ConfigSource, Job};
use super::settings::Settings;
use super::workspace::{self, Folder};
use crate::config::{Config, ConfigResolver};
use crate::line_index::ColumnUnit;
use crate::workspace::WorkspaceFacts;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

/// What the client can do (from `initialize`).
#[derive(Clone, Debug)]
pub struct Caps {
    pub unit: ColumnUnit,
    pub versioned_edits: bool,
    pub pull: bool,
    pub refresh: bool,
    pub progress: bool,
    pub watch_dynamic: bool,
    pub config_dynamic: bool,
    pub configuration: bool,
    /// `trace: "verbose"` at initialize: log the time of every lint.
    pub verbose: bool,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps {
            unit: ColumnUnit::Utf16,
            versioned_edits: false,
            pull: false,
            refresh: false,
            progress: false,
            watch_dynamic: false,
            config_dynamic: false,
            configuration: false,
            verbose: false,
        }
    }
}

pub(super) fn negotiate(params: &lsp::InitializeParams) -> Caps {
    let c = &params.capabilities;
    let utf8 = c
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|list| list.contains(&lsp::PositionEncodingKind::UTF8));
    let ws = c.workspace.as_ref();
    Caps {
        unit: if utf8 {
            ColumnUnit::Utf8
        } else {
            ColumnUnit::Utf16
        },
        versioned_edits: ws
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false),
        pull: c
            .text_document
            .as_ref()
            .is_some_and(|t| t.diagnostic.is_some()),
        refresh: ws
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        progress: c
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        watch_dynamic: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        config_dynamic: ws
            .and_then(|w| w.did_change_configuration.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
        verbose: params.trace == Some(lsp::TraceValue::Verbose),
    }
}

pub(super) fn folders_from(params: &lsp::InitializeParams) -> Vec<PathBuf> {
    if let Some(list) = &params.workspace_folders {
        return list.iter().filter_map(|f| file_path(&f.uri)).collect();
    }
    #[allow(deprecated)]
    if let Some(root) = &params.root_uri {
        return file_path(root).into_iter().collect();
    }
    #[allow(deprecated)]
    if let Some(root) = &params.root_path {
        return vec![PathBuf::from(root)];
    }
    Vec::new()
}

pub struct State {
    pub caps: Caps,
    pub settings: Settings,
    /// Diagnostics are pulled by the client (decided at `initialize`).
    pub pull: bool,
    pub docs: HashMap<lsp::Uri, Document>,
    pub folders: Vec<Folder>,
    /// Resolves `prodlint.toml` for files outside every workspace folder.
    pub loose: Arc<ConfigResolver>,
    /// Untitled buffers: defaults plus the editor's rule overrides.
    pub untitled_config: Arc<Config>,
    /// Bumped whenever settings, configuration or workspace facts change.
    pub generation: u64,
    /// Error messages already shown to the user (shown once each).
    pub shown: HashSet<String>,
}

impl State {
    pub(super) fn folder_of(&self, path: &Path) -> Option<usize> {
        self.folders
            .iter()
            .enumerate()
            .filter(|(_, f)| path.starts_with(&f.path))
            .max_by_key(|(_, f)| f.path.as_os_str().len())
            .map(|(i, _)| i)
    }

    /// SQL documents in a folder wait for the folder's first scan: their
    /// findings depend on the other SQL files (indexing ends with a re-lint).
    /// Scripts contribute facts too (client boundary, middleware, SIGTERM
    /// handlers) but do not wait: most of their findings are their own, a
    /// large workspace's scan takes seconds, and a client that pulls
    /// diagnostics without honouring a refresh request (Neovim 0.11) would
    /// show nothing until the next edit. The re-lint after indexing settles the
    /// few workspace rules.
    pub(super) fn waiting_for_index(&self, doc: &Document) -> bool {
        doc.lang == crate::language::Language::Sql
            && doc.file.as_ref().is_some_and(|p| {
                crate::engine::file_contributes_facts(p, doc.lang)
                    && self.folder_of(p).is_some_and(|i| !self.folders[i].indexed)
            })
    }

    /// A snapshot of `doc` to lint (or to compute code actions on).
    pub(super) fn job(&self, doc: &Document) -> Job {
        let text = doc.text();
        let (config, facts, own_facts) = match &doc.file {
            None => (
                ConfigSource::Fixed(self.untitled_config.clone()),
                Arc::new(WorkspaceFacts::default()),
                None,
            ),
            Some(path) => match self.folder_of(path) {
                Some(i) => {
                    let f = &self.folders[i];
                    (
                        ConfigSource::Resolver(f.resolver.clone()),
                        f.facts.clone(),
                        f.contribution(path).cloned(),
                    )
                }
                None => (
                    ConfigSource::Resolver(self.loose.clone()),
                    Arc::new(WorkspaceFacts {
                        supabase_dir: workspace::in_supabase_dir(path),
                        ..Default::default()
                    }),
                    None,
                ),
            },
        };
        Job {
            doc_id: doc.id,
            text,
            rope: doc.rope.clone(),
            lang: doc.lang,
            engine_path: doc.engine_path.clone(),
            previous: doc.parsed.clone(),
            config,
            facts,
            own_facts,
            unit: self.caps.unit,
        }
    }

    /// Rebuild the resolvers (after a `prodlint.toml` or rule-override change).
    pub(super) fn reload_configs(&mut self) {
        let overrides = self.settings.rules.clone();
        for f in &mut self.folders {
            f.resolver = workspace::resolver(&f.path, &overrides);
        }
        self.loose = workspace::resolver(&loose_base(), &overrides);
        let mut c = Config::default_for(Path::new("/"));
        for (id, level) in &overrides {
            c.set_level(id, *level);
        }
        self.untitled_config = Arc::new(c);
        self.generation += 1;
        // A configuration error that comes back after a reload is shown again.
        self.shown.clear();
    }

    /// Recompute folder `i`'s facts from disk plus open SQL documents' text.
    /// Returns whether they changed.
    pub(super) fn refresh_facts(&mut self, i: usize) -> bool {
        let overlay: Vec<(PathBuf, crate::workspace::FileFacts)> = self
            .docs
            .values()
            .filter_map(|d| {
                let p = d.file.as_ref()?;
                let facts = d.facts.as_ref()?;
                (self.folder_of(p) == Some(i)).then(|| (d.engine_path.clone(), facts.clone()))
            })
            .collect();
        let changed = self.folders[i].rebuild_facts(overlay);
        if changed {
            self.generation += 1;
        }
        changed
    }

    /// Open documents in folder `i` (or all, for `None`).
    pub(super) fn docs_in(&self, folder: Option<usize>) -> Vec<lsp::Uri> {
        self.docs
            .values()
            .filter(|d| match folder {
                None => true,
                Some(i) => d.file.as_ref().and_then(|p| self.folder_of(p)) == Some(i),
            })
            .map(|d| d.uri.clone())
            .collect()
    }
}

pub(super) fn loose_base() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}
