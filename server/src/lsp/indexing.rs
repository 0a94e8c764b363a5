//! Indexing and watching the workspace folders: the first scan of a folder
//! (files, workspace facts, Supabase detection; with work-done progress),
//! watcher registration, file-change events, and polling for clients without
//! watchers.

use super::document::file_path;
use super::server::{blocking, Inner};
use super::workspace::{self};
use crate::config::{self, ConfigResolver};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tower_lsp_server::ls_types as lsp;

/// Polling for clients without `workspace/didChangeWatchedFiles` registration.
pub(super) const POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Every this many polls, walk the folders for new SQL files.
pub(super) const RESCAN_EVERY: u32 = 8;

impl Inner {
    /// Index workspace folders from disk (SQL facts, Supabase detection), with
    /// work-done progress when the client supports it, then re-lint.
    pub(super) async fn index(self: &Arc<Self>, which: Vec<usize>) {
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
                            "indexed {}: {files} files, {with_facts} with workspace facts (SQL, scripts) in {} ms",
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
    pub(super) async fn register(self: &Arc<Self>) {
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
    pub(super) async fn files_changed(self: &Arc<Self>, changes: Vec<lsp::FileEvent>) {
        let mut config_changed = false;
        // (folder path, file path, deleted)
        let mut sql_changes: Vec<(PathBuf, PathBuf, bool)> = Vec::new();
        let mut supabase_touched: HashSet<PathBuf> = HashSet::new();
        // (folder path, marker file path): `vercel.json`, `package.json`…
        let mut marker_changes: Vec<(PathBuf, PathBuf)> = Vec::new();
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
                if crate::workspace::is_project_marker(&path) {
                    marker_changes.push((folder.clone(), path.clone()));
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
        // Read changed SQL files off the async threads; a marker counts while
        // it exists (whatever the event says: events may arrive late).
        let (read, markers) = blocking(move || {
            let read = sql_changes
                .into_iter()
                .map(|(folder, path, deleted)| {
                    let facts = if deleted {
                        None
                    } else {
                        workspace::read_facts(&path)
                    };
                    (folder, path, facts)
                })
                .collect::<Vec<_>>();
            let markers = marker_changes
                .into_iter()
                .map(|(folder, path)| {
                    let exists = path.is_file();
                    (folder, path, exists)
                })
                .collect::<Vec<_>>();
            (read, markers)
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
            for (folder, path, exists) in markers {
                if let Some(f) = st.folders.iter_mut().find(|f| f.path == folder) {
                    if exists {
                        f.markers.insert(path);
                    } else {
                        f.markers.remove(&path);
                    }
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

    /// Watch the files that matter by polling: the `prodlint.toml` files that can
    /// apply to open documents and folders, and the folders' SQL files (new ones
    /// are found by a walk every `rescan_every` rounds). Changes go through
    /// [`Inner::files_changed`] as if the client had reported them.
    pub(super) async fn poll_files(self: Arc<Self>, interval: Duration, rescan_every: u32) {
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
                    paths.extend(f.markers.paths().cloned());
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
                                    f.disk_facts
                                        .keys()
                                        .chain(f.markers.paths())
                                        .cloned()
                                        .collect(),
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
}

#[cfg(test)]
mod tests {
    use crate::engine;
    use crate::language::Language;
    use crate::lsp::workspace::{self, Folder};

    /// A folder's first scan: every linted file listed, the workspace facts
    /// from the files whose language contributes them (SQL, scripts), `supabase/`
    /// detected; an open document's unsaved text replaces its file's
    /// contribution, and an unchanged overlay changes nothing.
    /// `vercel.json` and the other marker files are watched and found by the
    /// scan (not as files to lint), and a folder's facts follow them.
    #[test]
    fn marker_files_are_watched_and_scanned() {
        let globs = workspace::watch_globs();
        for name in ["vercel.json", "netlify.toml", "package.json"] {
            assert!(globs.contains(&format!("**/{name}")), "{globs:?}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("vercel.json"), "{}").expect("write");
        std::fs::write(root.join("app.ts"), "export {};\n").expect("write");
        let mut folder = Folder::new(root.to_path_buf(), &[]);
        let resolver = folder.resolver.clone();
        let scan = workspace::scan(root, &resolver);
        assert_eq!(scan.files, vec![root.join("app.ts")]);
        folder.set_scan(scan);
        assert!(folder.rebuild_facts(Vec::new()));
        let app = root.join("app.ts");
        assert!(folder.facts.markers.serverless_config(&app).is_some());
        assert!(!folder.rebuild_facts(Vec::new()), "nothing changed");
        folder.markers.remove(&root.join("vercel.json"));
        assert!(folder.rebuild_facts(Vec::new()), "a marker removed");
        assert!(folder.facts.markers.serverless_config(&app).is_none());
        assert!(workspace::fact_files(root, &resolver).contains(&root.join("vercel.json")));
    }

    #[test]
    fn a_folder_is_indexed_and_overlaid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&p, text).expect("write");
            p
        };
        let m1 = write(
            "supabase/migrations/001.sql",
            "create table t (id int);\nalter table t enable row level security;\n",
        );
        write("src/a.ts", "export const a = 1;\n");
        write("node_modules/x/b.sql", "create table u (id int);\n");
        let mut folder = Folder::new(root.to_path_buf(), &[]);
        let resolver = folder.resolver.clone();
        let scan = workspace::scan(root, &resolver);
        assert_eq!(scan.files.len(), 2, "{:?}", scan.files);
        // The SQL file, and the script (its client-boundary facts).
        assert_eq!(scan.facts.len(), 2);
        folder.set_scan(scan);
        assert!(folder.indexed && folder.supabase_dir);
        assert!(folder.rebuild_facts(Vec::new()));
        assert!(folder.facts.sql.rls_enabled("public.t"));
        assert!(!folder.rebuild_facts(Vec::new()), "nothing changed");
        // The open document no longer enables RLS.
        let text = "create table t (id int);\n";
        let own = engine::file_facts(&m1, Language::Sql, text, None).expect("SQL has facts");
        assert!(folder.rebuild_facts(vec![(m1.clone(), own.clone())]));
        assert!(!folder.facts.sql.rls_enabled("public.t"));
        assert_eq!(folder.contribution(&m1), Some(&own));
    }
}
