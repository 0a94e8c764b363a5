//! The language server proper: documents, workspace folders, settings, and the
//! LSP handlers. All shared state sits behind one `std::sync::Mutex`, held only
//! for short, non-blocking sections (never across an `.await`). Linting runs on
//! tokio's blocking pool. Notification handlers change the state before their
//! first `.await`, so edits are applied in the order they arrive (tower-lsp
//! polls newly received messages first in arrival order).

use super::actions;
use super::convert::Positions;
use super::document::{file_path, language_of, Cached, Document};
use super::lint::{self, ConfigSource, Job, Outcome};
use super::settings::{DiagnosticMode, Run, Settings};
use super::workspace::{self, Folder};
use crate::config::{self, Config, ConfigResolver};
use crate::line_index::ColumnUnit;
use crate::workspace::WorkspaceFacts;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tower_lsp_server::jsonrpc::Result as RpcResult;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

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

/// What asks for a push-mode lint (see [`Inner::schedule`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    /// A `didChange` (debounced when the document is busy).
    Change,
    /// Open, save, settings, configuration or workspace facts.
    Now,
}

/// The next thing a document's lint driver does.
enum Step {
    /// Nothing is wanted (or another driver took over): end.
    Stop,
    /// Wait for the start time (or a wake-up).
    Wait(Duration, Arc<tokio::sync::Notify>),
    /// The wanted lint has nothing to do (yet).
    Skip,
    Publish {
        lint: Option<(u64, i32)>,
        diagnostics: Vec<lsp::Diagnostic>,
        seq: u64,
    },
    Lint {
        /// Boxed: a snapshot is much larger than the other steps.
        job: Box<Job>,
        version: i32,
        generation: u64,
        seq: u64,
        lock: Arc<tokio::sync::Mutex<()>>,
    },
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
    fn folder_of(&self, path: &Path) -> Option<usize> {
        self.folders
            .iter()
            .enumerate()
            .filter(|(_, f)| path.starts_with(&f.path))
            .max_by_key(|(_, f)| f.path.as_os_str().len())
            .map(|(i, _)| i)
    }

    /// SQL documents in a folder wait for the folder's first scan: their
    /// findings depend on the other SQL files (indexing ends with a re-lint).
    fn waiting_for_index(&self, doc: &Document) -> bool {
        crate::engine::contributes_facts(doc.lang)
            && doc
                .file
                .as_ref()
                .and_then(|p| self.folder_of(p))
                .is_some_and(|i| !self.folders[i].indexed)
    }

    /// A snapshot of `doc` to lint (or to compute code actions on).
    fn job(&self, doc: &Document) -> Job {
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
    fn reload_configs(&mut self) {
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
    fn refresh_facts(&mut self, i: usize) -> bool {
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
    fn docs_in(&self, folder: Option<usize>) -> Vec<lsp::Uri> {
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

fn loose_base() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}

pub struct Inner {
    pub client: Client,
    pub state: Mutex<State>,
    /// Orders "check the version, publish" sections.
    publish_lock: tokio::sync::Mutex<()>,
    seq: AtomicU64,
    pub shutdown: AtomicBool,
    default_debounce_ms: u64,
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
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| match e.try_into_panic() {
            Ok(p) => crate::engine::panic_message(p.as_ref()),
            Err(e) => e.to_string(),
        })
}

impl Inner {
    fn st(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent-enough state; go on.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    async fn log(&self, typ: lsp::MessageType, msg: impl std::fmt::Display) {
        self.client.log_message(typ, msg).await;
    }

    /// Show an error to the user once (and log it every time).
    async fn show_once(&self, typ: lsp::MessageType, msg: String) {
        let first = self.st().shown.insert(msg.clone());
        self.log(typ, &msg).await;
        if first {
            self.client
                .show_message(typ, format!("prodlint: {msg}"))
                .await;
        }
    }

    /// Ask for a push-mode lint of `uri`. A document with no lint running or
    /// waiting to run is linted at once (leading edge), whatever the trigger.
    /// Otherwise the request joins the one lint that follows the running one
    /// (coalescing): after a change, it starts no earlier than the debounce
    /// after that change (trailing edge; each later change moves it again);
    /// after any other trigger (open, save, settings, configuration or
    /// workspace facts) as soon as the running lint has ended.
    fn schedule(self: &Arc<Self>, uri: lsp::Uri, trigger: Trigger) {
        let (driver, first) = {
            let mut st = self.st();
            let debounce = st.settings.debounce;
            let Some(doc) = st.docs.get_mut(&uri) else {
                return;
            };
            let s = &mut doc.lint;
            let now = Instant::now();
            s.not_before = match trigger {
                Trigger::Change if s.running || s.wanted => now + debounce,
                _ => now,
            };
            s.wanted = true;
            if s.driver != 0 {
                // The document's driver picks it up (and re-reads the start time
                // if it is waiting).
                s.wake.notify_one();
                return;
            }
            let id = self.next_seq();
            s.driver = id;
            // Leading edge: the snapshot is taken now, so the lint is running
            // (and later changes coalesce) from this very moment.
            (id, self.next_step_in(&mut st, &uri, id))
        };
        let inner = self.clone();
        tokio::spawn(async move { inner.drive(uri, driver, first).await });
    }

    /// After a settings, configuration or facts change: re-lint (push) or ask
    /// the client to pull again.
    fn relint(self: &Arc<Self>, uris: Vec<lsp::Uri>) {
        let (pull, refresh, enabled) = {
            let st = self.st();
            (st.pull, st.caps.refresh, st.settings.enable)
        };
        if !enabled {
            return;
        }
        if pull {
            if refresh && !uris.is_empty() {
                let inner = self.clone();
                tokio::spawn(async move {
                    let _ = inner.client.workspace_diagnostic_refresh().await;
                });
            }
            return;
        }
        for uri in uris {
            self.schedule(uri, Trigger::Now);
        }
    }

    /// The driver of one document's push-mode lints (`id`: its
    /// `LintSchedule::driver`): runs the wanted lints one after another, each
    /// on the newest text once its start time has come, and publishes their
    /// results; ends when no lint is wanted (or the document was closed).
    async fn drive(self: Arc<Self>, uri: lsp::Uri, id: u64, first: Step) {
        let mut step = first;
        loop {
            match step {
                Step::Stop => return,
                Step::Wait(delay, wake) => {
                    // Woken early when a trigger moves the start time.
                    let _ = tokio::time::timeout(delay, wake.notified()).await;
                }
                Step::Skip => {}
                Step::Publish {
                    lint,
                    diagnostics,
                    seq,
                } => self.publish(&uri, lint, diagnostics, seq).await,
                Step::Lint {
                    job,
                    version,
                    generation,
                    seq,
                    lock,
                } => {
                    let doc_id = job.doc_id;
                    // Freeing the tree this lint started from (its nodes that
                    // the new tree does not share) takes a while on a large
                    // file: hold on to it until the result is published.
                    let old_tree = job.previous.clone();
                    let outcome = {
                        let _lint = lock.lock().await;
                        self.run_lint(&uri, *job, version, generation).await
                    };
                    // The lint has ended: from here on a change is linted at
                    // once. Cleared before publishing, so that a client that
                    // answers the publish with an edit finds the document idle.
                    if let Some(doc) = self.st().docs.get_mut(&uri) {
                        if doc.lint.driver == id {
                            doc.lint.running = false;
                        }
                    }
                    if let Some(outcome) = outcome {
                        self.publish(&uri, Some((doc_id, version)), outcome.lsp, seq)
                            .await;
                    }
                    drop(old_tree);
                }
            }
            step = self.next_step(&uri, id);
        }
    }

    /// What the driver `id` of `uri` does next (decided under the state lock,
    /// with the snapshot to lint taken in the same section).
    fn next_step(&self, uri: &lsp::Uri, id: u64) -> Step {
        self.next_step_in(&mut self.st(), uri, id)
    }

    fn next_step_in(&self, st: &mut State, uri: &lsp::Uri, id: u64) -> Step {
        let Some(doc) = st.docs.get_mut(uri) else {
            return Step::Stop;
        };
        let s = &mut doc.lint;
        if s.driver != id {
            return Step::Stop;
        }
        if !s.wanted {
            s.driver = 0;
            return Step::Stop;
        }
        let now = Instant::now();
        if s.not_before > now {
            return Step::Wait(s.not_before - now, s.wake.clone());
        }
        s.wanted = false;
        let seq = self.next_seq();
        let generation = st.generation;
        let enabled = st.settings.enable;
        let doc = &st.docs[uri];
        if st.waiting_for_index(doc) {
            // The folder's first scan ends with a re-lint.
            return Step::Skip;
        }
        if !enabled || doc.too_large {
            return Step::Publish {
                lint: None,
                diagnostics: Vec::new(),
                seq,
            };
        }
        if let Some(c) = &doc.cached {
            if c.version == doc.version && c.generation == generation {
                // Already linted as it is now (e.g. for a code action).
                return Step::Publish {
                    lint: Some((doc.id, doc.version)),
                    diagnostics: c.lsp.clone(),
                    seq,
                };
            }
        }
        let job = st.job(doc);
        let version = doc.version;
        let lock = doc.lint_lock.clone();
        if let Some(doc) = st.docs.get_mut(uri) {
            doc.lint.running = true;
        }
        Step::Lint {
            job: Box::new(job),
            version,
            generation,
            seq,
            lock,
        }
    }

    /// The diagnostics of the last lint of `uri` if it linted this document
    /// instance at `version` and `generation`.
    fn cached_diagnostics(
        &self,
        uri: &lsp::Uri,
        doc_id: u64,
        version: i32,
        generation: u64,
    ) -> Option<Vec<crate::diagnostic::Diagnostic>> {
        let st = self.st();
        let doc = st.docs.get(uri).filter(|d| d.id == doc_id)?;
        doc.cached
            .as_ref()
            .filter(|c| c.version == version && c.generation == generation)
            .map(|c| c.diagnostics.clone())
    }

    /// Run a lint job and record its results (tree, cache, SQL facts); logs
    /// panics and configuration errors. `None` if the lint itself failed.
    async fn run_lint(
        self: &Arc<Self>,
        uri: &lsp::Uri,
        job: Job,
        version: i32,
        generation: u64,
    ) -> Option<Outcome> {
        let text_len = job.text.len();
        let doc_id = job.doc_id;
        let outcome = match blocking(move || lint::run(&job)).await {
            Ok(o) => o,
            Err(e) => {
                self.log(
                    lsp::MessageType::ERROR,
                    format!("internal error while linting {}: {e}", uri.as_str()),
                )
                .await;
                return None;
            }
        };
        for p in &outcome.panics {
            self.log(
                lsp::MessageType::ERROR,
                format!(
                    "internal error in rule {} while linting {}: {} (its findings for this file are dropped)",
                    p.rule,
                    uri.as_str(),
                    p.message
                ),
            )
            .await;
        }
        if self.st().caps.verbose {
            self.log(
                lsp::MessageType::LOG,
                format!(
                    "linted {} v{version}: {} bytes, parse {:.2} ms ({}), engine {:.2} ms, {} findings",
                    uri.as_str(),
                    text_len,
                    outcome.parse_time.as_secs_f64() * 1000.0,
                    if outcome.incremental { "incremental" } else { "full" },
                    outcome.lint_time.as_secs_f64() * 1000.0,
                    outcome.lsp.len()
                ),
            )
            .await;
        }
        if let Some(e) = &outcome.config_error {
            self.show_once(lsp::MessageType::ERROR, e.clone()).await;
        }
        let affected = self.record(uri, doc_id, version, generation, &outcome);
        if let Some(uris) = affected {
            self.relint(uris);
        }
        Some(outcome)
    }

    /// Store a lint result in the document (if still current). Returns the
    /// other documents to re-lint when the document's SQL facts changed.
    fn record(
        &self,
        uri: &lsp::Uri,
        doc_id: u64,
        version: i32,
        generation: u64,
        outcome: &Outcome,
    ) -> Option<Vec<lsp::Uri>> {
        let mut st = self.st();
        let current_gen = st.generation;
        let doc = st.docs.get_mut(uri)?;
        if doc.id != doc_id || doc.version != version {
            return None;
        }
        if outcome.parsed.is_some() {
            doc.parsed = outcome.parsed.clone();
        }
        let mut facts_changed_in = None;
        if let (Some(new), Some(path)) = (&outcome.facts, doc.file.clone()) {
            if doc.facts.as_ref() != Some(new) {
                doc.facts = Some(new.clone());
                facts_changed_in = st.folder_of(&path);
            }
        }
        let mut generation = generation;
        let mut affected = None;
        if let Some(i) = facts_changed_in {
            if st.refresh_facts(i) {
                // This result already used the new facts (its own text), so
                // unless something else changed meanwhile it is current.
                if generation == current_gen {
                    generation = st.generation;
                }
                let others: Vec<lsp::Uri> = st
                    .docs_in(Some(i))
                    .into_iter()
                    .filter(|u| u != uri)
                    .collect();
                affected = Some(others);
            }
        }
        if let Some(doc) = st.docs.get_mut(uri) {
            doc.cached = Some(Cached {
                version,
                generation,
                diagnostics: outcome.diagnostics.clone(),
                lsp: outcome.lsp.clone(),
                result_id: format!("{version}:{generation}"),
            });
        }
        affected
    }

    /// Publish diagnostics for `uri` unless a newer result was published or, for
    /// a lint result (`lint`: the document instance and version it linted), the
    /// document moved on (push mode only). Results carry their version; clears
    /// (`lint: None`) none.
    async fn publish(
        &self,
        uri: &lsp::Uri,
        lint: Option<(u64, i32)>,
        diagnostics: Vec<lsp::Diagnostic>,
        seq: u64,
    ) {
        let _order = self.publish_lock.lock().await;
        {
            let mut st = self.st();
            if st.pull {
                return;
            }
            let enabled = st.settings.enable;
            let Some(doc) = st.docs.get_mut(uri) else {
                return;
            };
            if lint.is_some_and(|(id, v)| id != doc.id || v != doc.version) || seq < doc.published {
                return;
            }
            // A lint that started before `enable: false` stays unpublished.
            if !enabled && !diagnostics.is_empty() {
                return;
            }
            doc.published = seq;
        }
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, lint.map(|(_, v)| v))
            .await;
    }

    /// Diagnostics for the pull model: the cached result when still valid.
    async fn pull(self: &Arc<Self>, uri: &lsp::Uri) -> Option<Cached> {
        // One lint of a document at a time; a request that waited here usually
        // finds the result of the one it waited for.
        let lock = self.st().docs.get(uri)?.lint_lock.clone();
        let _lint = lock.lock().await;
        let job = {
            let st = self.st();
            let doc = st.docs.get(uri)?;
            if !st.settings.enable || doc.too_large {
                return Some(Cached {
                    version: doc.version,
                    generation: st.generation,
                    diagnostics: Vec::new(),
                    lsp: Vec::new(),
                    result_id: format!("off:{}:{}", doc.version, st.generation),
                });
            }
            if st.waiting_for_index(doc) {
                return Some(Cached {
                    version: doc.version,
                    generation: st.generation,
                    diagnostics: Vec::new(),
                    lsp: Vec::new(),
                    result_id: format!("indexing:{}:{}", doc.version, st.generation),
                });
            }
            let fresh = |c: &Cached| c.version == doc.version && c.generation == st.generation;
            match &doc.cached {
                Some(c) if fresh(c) => return Some(c.clone()),
                // onSave: what was linted at the last save, until the next one.
                Some(c) if st.settings.run == Run::OnSave && doc.version != doc.saved_version => {
                    return Some(c.clone())
                }
                _ => {}
            }
            (st.job(doc), doc.version, st.generation)
        };
        let (job, version, generation) = job;
        let outcome = self.run_lint(uri, job, version, generation).await?;
        let st = self.st();
        let doc = st.docs.get(uri)?;
        match &doc.cached {
            Some(c) if c.version == version => Some(c.clone()),
            // The document changed meanwhile: answer for the version asked about.
            _ => Some(Cached {
                version,
                generation,
                diagnostics: outcome.diagnostics,
                lsp: outcome.lsp,
                result_id: format!("{version}:{generation}"),
            }),
        }
    }

    /// Settings arrived (initialization options or a configuration change).
    async fn apply_settings(self: &Arc<Self>, value: &Value) {
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

    /// Index workspace folders from disk (SQL facts, Supabase detection), with
    /// work-done progress when the client supports it, then re-lint.
    async fn index(self: &Arc<Self>, which: Vec<usize>) {
        let (progress_ok, jobs) = {
            let st = self.st();
            let jobs: Vec<(PathBuf, Arc<ConfigResolver>)> = which
                .iter()
                .filter_map(|&i| {
                    st.folders
                        .get(i)
                        .map(|f| (f.path.clone(), f.resolver.clone()))
                })
                .collect();
            (st.caps.progress, jobs)
        };
        if jobs.is_empty() {
            return;
        }
        let token = lsp::ProgressToken::String(format!("prodlint-index-{}", self.next_seq()));
        // A client that never answers must not hold up indexing.
        let created = progress_ok
            && matches!(
                tokio::time::timeout(
                    Duration::from_secs(5),
                    self.client.create_work_done_progress(token.clone())
                )
                .await,
                Ok(Ok(()))
            );
        let progress = if created {
            Some(
                self.client
                    .progress(token, "prodlint: indexing workspace")
                    .with_message("reading SQL migrations")
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let mut total = 0usize;
        for (path, resolver) in jobs {
            let started = std::time::Instant::now();
            let p = path.clone();
            let result = blocking(move || workspace::scan(&p, &resolver)).await;
            match result {
                Ok(scan) => {
                    let files = scan.files.len();
                    let with_facts = scan.facts.len();
                    total += files;
                    {
                        let mut st = self.st();
                        // The folder list may have changed meanwhile.
                        if let Some(idx) = st.folders.iter().position(|f| f.path == path) {
                            st.folders[idx].set_scan(scan);
                            st.refresh_facts(idx);
                            st.generation += 1;
                        }
                    }
                    self.log(
                        lsp::MessageType::INFO,
                        format!(
                            "indexed {}: {files} files, {with_facts} with workspace facts (SQL) in {} ms",
                            path.display(),
                            started.elapsed().as_millis()
                        ),
                    )
                    .await;
                }
                Err(e) => {
                    self.log(
                        lsp::MessageType::ERROR,
                        format!("indexing {} failed: {e}", path.display()),
                    )
                    .await;
                }
            }
        }
        if let Some(p) = progress {
            p.finish_with_message(format!("{total} files")).await;
        }
        let uris = self.st().docs_in(None);
        self.relint(uris);
    }

    /// Register file watchers and the configuration notification.
    async fn register(self: &Arc<Self>) {
        let (watch, config) = {
            let st = self.st();
            (st.caps.watch_dynamic, st.caps.config_dynamic)
        };
        let mut regs = Vec::new();
        if watch {
            let watchers: Vec<Value> = workspace::watch_globs()
                .iter()
                .map(|g| json!({ "globPattern": g }))
                .collect();
            regs.push(lsp::Registration {
                id: "prodlint-watch".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: Some(json!({ "watchers": watchers })),
            });
        }
        if config {
            regs.push(lsp::Registration {
                id: "prodlint-config".to_string(),
                method: "workspace/didChangeConfiguration".to_string(),
                register_options: Some(json!({ "section": "prodlint" })),
            });
        }
        if regs.is_empty() {
            return;
        }
        if let Err(e) = self.client.register_capability(regs).await {
            self.log(
                lsp::MessageType::WARNING,
                format!("could not register file watchers: {e}"),
            )
            .await;
        }
    }

    /// Handle changed files on disk.
    async fn files_changed(self: &Arc<Self>, changes: Vec<lsp::FileEvent>) {
        let mut config_changed = false;
        // (folder path, file path, deleted)
        let mut sql_changes: Vec<(PathBuf, PathBuf, bool)> = Vec::new();
        let mut supabase_touched: HashSet<PathBuf> = HashSet::new();
        let mut file_events: Vec<(usize, PathBuf, lsp::FileChangeType)> = Vec::new();
        {
            let st = self.st();
            for ev in &changes {
                let Some(path) = file_path(&ev.uri) else {
                    continue;
                };
                if path.file_name().is_some_and(|n| n == config::FILE_NAME) {
                    config_changed = true;
                    continue;
                }
                let Some(i) = st.folder_of(&path) else {
                    continue;
                };
                let folder = st.folders[i].path.clone();
                if workspace::in_supabase_dir(&path)
                    || path.file_name().is_some_and(|n| n == "supabase")
                {
                    supabase_touched.insert(folder.clone());
                }
                if crate::language::detect(&path).is_some() {
                    file_events.push((i, path.clone(), ev.typ));
                    if workspace::has_facts(&path) {
                        sql_changes.push((folder, path, ev.typ == lsp::FileChangeType::DELETED));
                    }
                }
            }
        }
        {
            // Keep the folders' file lists (for workspace diagnostics) current.
            let mut st = self.st();
            for (i, path, typ) in file_events {
                let Some(f) = st.folders.get_mut(i) else {
                    continue;
                };
                if typ == lsp::FileChangeType::DELETED {
                    f.files.retain(|p| *p != path);
                } else if typ == lsp::FileChangeType::CREATED && !f.files.contains(&path) {
                    f.files.push(path);
                }
            }
        }
        if config_changed {
            self.st().reload_configs();
            self.log(
                lsp::MessageType::INFO,
                "prodlint.toml changed; configuration reloaded",
            )
            .await;
        }
        // Read changed SQL files off the async threads.
        let read = blocking(move || {
            sql_changes
                .into_iter()
                .map(|(folder, path, deleted)| {
                    let facts = if deleted {
                        None
                    } else {
                        workspace::read_facts(&path)
                    };
                    (folder, path, facts)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let mut affected: Vec<lsp::Uri> = Vec::new();
        {
            let mut st = self.st();
            let mut touched: HashSet<PathBuf> = supabase_touched;
            for (folder, path, facts) in read {
                if let Some(f) = st.folders.iter_mut().find(|f| f.path == folder) {
                    match facts {
                        Some(facts) => f.disk_facts.insert(path, facts),
                        None => f.disk_facts.remove(&path),
                    };
                    touched.insert(folder);
                }
            }
            for folder in touched {
                if let Some(i) = st.folders.iter().position(|f| f.path == folder) {
                    st.folders[i].detect_supabase();
                    if st.refresh_facts(i) {
                        affected.extend(st.docs_in(Some(i)));
                    }
                }
            }
            if config_changed {
                affected = st.docs_in(None);
            }
        }
        affected.sort();
        affected.dedup();
        self.relint(affected);
    }
}

fn workspace_report(
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

fn negotiate(params: &lsp::InitializeParams) -> Caps {
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

fn folders_from(params: &lsp::InitializeParams) -> Vec<PathBuf> {
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
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
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
                    env!("CARGO_PKG_VERSION"),
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

/// Polling for clients without `workspace/didChangeWatchedFiles` registration.
const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Every this many polls, walk the folders for new SQL files.
const RESCAN_EVERY: u32 = 8;

impl Inner {
    /// Watch the files that matter by polling: the `prodlint.toml` files that can
    /// apply to open documents and folders, and the folders' SQL files (new ones
    /// are found by a walk every `rescan_every` rounds). Changes go through
    /// [`Inner::files_changed`] as if the client had reported them.
    async fn poll_files(self: Arc<Self>, interval: Duration, rescan_every: u32) {
        let mut known: HashMap<PathBuf, workspace::Stamp> = HashMap::new();
        let mut round: u32 = 0;
        loop {
            tokio::time::sleep(interval).await;
            if self.shutdown.load(Ordering::SeqCst) {
                return;
            }
            round += 1;
            let (paths, rescan) = {
                let st = self.st();
                let mut paths: HashSet<PathBuf> = HashSet::new();
                for f in &st.folders {
                    paths.insert(f.path.join(config::FILE_NAME));
                    paths.extend(f.disk_facts.keys().cloned());
                }
                for d in st.docs.values() {
                    if let Some(p) = &d.file {
                        for dir in p.ancestors().skip(1).take(32) {
                            paths.insert(dir.join(config::FILE_NAME));
                        }
                    }
                }
                let rescan: Vec<(PathBuf, Arc<ConfigResolver>, HashSet<PathBuf>)> =
                    if round.is_multiple_of(rescan_every) {
                        st.folders
                            .iter()
                            .filter(|f| f.indexed)
                            .map(|f| {
                                (
                                    f.path.clone(),
                                    f.resolver.clone(),
                                    f.disk_facts.keys().cloned().collect(),
                                )
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                (paths, rescan)
            };
            let Ok((stamps, new_sql)) = blocking(move || {
                let stamps: Vec<(PathBuf, workspace::Stamp)> = paths
                    .into_iter()
                    .map(|p| {
                        let s = workspace::stamp(&p);
                        (p, s)
                    })
                    .collect();
                let mut new_sql = Vec::new();
                for (root, resolver, have) in rescan {
                    new_sql.extend(
                        workspace::fact_files(&root, &resolver)
                            .into_iter()
                            .filter(|p| !have.contains(p)),
                    );
                }
                (stamps, new_sql)
            })
            .await
            else {
                continue;
            };
            let first_round = round == 1;
            let count = stamps.len();
            let mut events = Vec::new();
            let mut push = |path: &Path, typ: lsp::FileChangeType| {
                if let Some(uri) = lsp::Uri::from_file_path(path) {
                    events.push(lsp::FileEvent { uri, typ });
                }
            };
            for (path, now) in stamps {
                match known.insert(path.clone(), now) {
                    // First sight: the baseline.
                    None => {}
                    Some(before) if before == now => {}
                    Some(None) => push(&path, lsp::FileChangeType::CREATED),
                    Some(Some(_)) if now.is_none() => push(&path, lsp::FileChangeType::DELETED),
                    Some(Some(_)) => push(&path, lsp::FileChangeType::CHANGED),
                }
            }
            for path in new_sql {
                known.insert(path.clone(), workspace::stamp(&path));
                push(&path, lsp::FileChangeType::CREATED);
            }
            if first_round {
                self.log(
                    lsp::MessageType::LOG,
                    format!(
                        "the client has no file watchers: polling {count} files every {} s",
                        interval.as_secs()
                    ),
                )
                .await;
            }
            if !events.is_empty() {
                self.files_changed(events).await;
            }
        }
    }

    async fn too_large_message(&self, uri: &lsp::Uri) {
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
