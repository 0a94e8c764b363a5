//! Push-mode lint scheduling: one driver task per document runs its lints one
//! after another (leading edge: an edit to an idle document is linted at once;
//! edits arriving while a lint runs coalesce into one trailing lint after the
//! debounce), and lint results are recorded and published only while their
//! document version is current. Pull requests (`pull`) share the recording.

use super::document::{Cached, LintSchedule};
use super::lint::{self, Job, Outcome};
use super::server::{blocking, Inner};
use super::settings::Run;
use super::state::State;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_lsp_server::ls_types as lsp;

/// What asks for a push-mode lint (see [`Inner::schedule`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Trigger {
    /// A `didChange` (debounced when the document is busy).
    Change,
    /// Open, save, settings, configuration or workspace facts.
    Now,
}

/// The next thing a document's lint driver does.
pub(super) enum Step {
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

/// What a document's lint driver does next, by its schedule alone.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// No lint is wanted (or another driver took over): end.
    Stop,
    /// A lint is wanted from this long from now.
    Wait(Duration),
    /// Take the snapshot and lint now.
    Start,
}

impl LintSchedule {
    /// A lint is asked for at `now` (the coalescing decision). A document with
    /// no lint running or waiting is linted at once (leading edge), whatever
    /// the trigger; a change while a lint runs or waits moves the wanted lint
    /// to `debounce` after it (trailing edge); any other trigger wants it as
    /// soon as the running lint ends. Returns whether a driver must be started
    /// (else the running one picks the request up).
    pub(super) fn request(&mut self, trigger: Trigger, now: Instant, debounce: Duration) -> bool {
        self.not_before = match trigger {
            Trigger::Change if self.running || self.wanted => now + debounce,
            _ => now,
        };
        self.wanted = true;
        self.driver == 0
    }

    /// What the driver `id` does next at `now`; `Start` consumes the request.
    pub(super) fn next(&mut self, id: u64, now: Instant) -> Next {
        if self.driver != id {
            return Next::Stop;
        }
        if !self.wanted {
            self.driver = 0;
            return Next::Stop;
        }
        if self.not_before > now {
            return Next::Wait(self.not_before - now);
        }
        self.wanted = false;
        Next::Start
    }
}

impl Inner {
    /// Ask for a push-mode lint of `uri`. A document with no lint running or
    /// waiting to run is linted at once (leading edge), whatever the trigger.
    /// Otherwise the request joins the one lint that follows the running one
    /// (coalescing): after a change, it starts no earlier than the debounce
    /// after that change (trailing edge; each later change moves it again);
    /// after any other trigger (open, save, settings, configuration or
    /// workspace facts) as soon as the running lint has ended.
    pub(super) fn schedule(self: &Arc<Self>, uri: lsp::Uri, trigger: Trigger) {
        let (driver, first) = {
            let mut st = self.st();
            let debounce = st.settings.debounce;
            let Some(doc) = st.docs.get_mut(&uri) else {
                return;
            };
            if !doc.lint.request(trigger, Instant::now(), debounce) {
                // The document's driver picks it up (and re-reads the start time
                // if it is waiting).
                doc.lint.wake.notify_one();
                return;
            }
            let id = self.next_seq();
            doc.lint.driver = id;
            // Leading edge: the snapshot is taken now, so the lint is running
            // (and later changes coalesce) from this very moment.
            (id, self.next_step_in(&mut st, &uri, id))
        };
        let inner = self.clone();
        tokio::spawn(async move { inner.drive(uri, driver, first).await });
    }

    /// After a settings, configuration or facts change: re-lint (push) or ask
    /// the client to pull again.
    pub(super) fn relint(self: &Arc<Self>, uris: Vec<lsp::Uri>) {
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
    pub(super) async fn drive(self: Arc<Self>, uri: lsp::Uri, id: u64, first: Step) {
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
    pub(super) fn next_step(&self, uri: &lsp::Uri, id: u64) -> Step {
        self.next_step_in(&mut self.st(), uri, id)
    }

    pub(super) fn next_step_in(&self, st: &mut State, uri: &lsp::Uri, id: u64) -> Step {
        let Some(doc) = st.docs.get_mut(uri) else {
            return Step::Stop;
        };
        match doc.lint.next(id, Instant::now()) {
            Next::Stop => return Step::Stop,
            Next::Wait(delay) => return Step::Wait(delay, doc.lint.wake.clone()),
            Next::Start => {}
        }
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
    pub(super) fn cached_diagnostics(
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
    pub(super) async fn run_lint(
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
    pub(super) fn record(
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
    pub(super) async fn publish(
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
    pub(super) async fn pull(self: &Arc<Self>, uri: &lsp::Uri) -> Option<Cached> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEBOUNCE: Duration = Duration::from_millis(100);

    #[test]
    fn an_idle_document_is_linted_at_once_whatever_the_trigger() {
        for trigger in [Trigger::Change, Trigger::Now] {
            let mut s = LintSchedule::default();
            let now = Instant::now();
            assert!(s.request(trigger, now, DEBOUNCE), "a driver is started");
            s.driver = 7;
            assert_eq!(s.next(7, now), Next::Start);
            // Nothing more wanted: the driver ends and frees its slot.
            assert_eq!(s.next(7, now), Next::Stop);
            assert_eq!(s.driver, 0);
        }
    }

    #[test]
    fn changes_during_a_lint_coalesce_into_one_trailing_lint() {
        let mut s = LintSchedule::default();
        let t0 = Instant::now();
        assert!(s.request(Trigger::Change, t0, DEBOUNCE));
        s.driver = 1;
        assert_eq!(s.next(1, t0), Next::Start);
        s.running = true;
        // Three changes while it runs: one lint, debounced after the last.
        let t1 = t0 + Duration::from_millis(10);
        let t2 = t0 + Duration::from_millis(30);
        assert!(!s.request(Trigger::Change, t1, DEBOUNCE));
        assert!(!s.request(Trigger::Change, t2, DEBOUNCE));
        s.running = false;
        assert_eq!(s.next(1, t2), Next::Wait(DEBOUNCE));
        assert_eq!(s.next(1, t2 + DEBOUNCE), Next::Start);
        assert_eq!(s.next(1, t2 + DEBOUNCE), Next::Stop);
    }

    #[test]
    fn other_triggers_during_a_lint_wait_only_for_it_and_old_drivers_stop() {
        let mut s = LintSchedule::default();
        let t0 = Instant::now();
        s.driver = 3;
        s.running = true;
        assert!(!s.request(Trigger::Now, t0, DEBOUNCE));
        s.running = false;
        assert_eq!(s.next(3, t0), Next::Start);
        // A driver that was replaced ends without touching the schedule.
        s.wanted = true;
        assert_eq!(s.next(2, t0), Next::Stop);
        assert!(s.wanted);
        assert_eq!(s.driver, 3);
    }
}
