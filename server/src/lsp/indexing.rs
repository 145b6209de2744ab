//! Indexing the workspace, files changed on disk, and the fast path for edits that keep a
//! file's shape.
//!
//! At start the server lists the workspace, then reads the import closure of the documents the
//! editor has open and analyses that (so their diagnostics come first), then reads the rest in
//! the background and analyses everything. `$/progress` reports the indexing.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types::{FileChangeType, FileEvent, MessageType, ProgressToken};
use tower_lsp_server::Client;

use super::diagnostics::publish_all;
use super::session::Session;
use super::worker::{Analyzer, Outgoing};
use super::lock;
use crate::analysis::graph::{import_time_imports, static_targets};
use crate::analysis::summary::FileSummary;
use crate::workspace::{self, read_and_summarize};

pub fn start(
    client: Client,
    session: Arc<Mutex<Session>>,
    analyzer: Analyzer,
    outgoing: UnboundedSender<Outgoing>,
    progress: bool,
) {
    tokio::spawn(async move {
        let token = ProgressToken::String("modcache-indexing".to_string());
        let progress = if progress && client.create_work_done_progress(token.clone()).await.is_ok() {
            Some(client.progress(token, "modcache").with_message("indexing the workspace").begin().await)
        } else {
            None
        };
        let indexing = tokio::task::spawn_blocking(move || index(&session, &analyzer, &outgoing)).await;
        let message = match indexing {
            Ok(files) => format!("{files} files indexed"),
            Err(_) => "indexing failed".to_string(),
        };
        if let Some(progress) = progress {
            progress.finish_with_message(message).await;
        }
    });
}

/// Lists and reads the workspace; returns the number of Python files.
fn index(session: &Mutex<Session>, analyzer: &Analyzer, outgoing: &UnboundedSender<Outgoing>) -> usize {
    let Some(root) = lock(session).root.clone() else {
        lock(session).read_all = Some(0);
        return 0;
    };
    let config = match workspace::load_config(&root, None) {
        Ok(config) => config,
        Err(e) => {
            let _ = outgoing.send(Outgoing::Message(MessageType::WARNING, format!("modcache: {e}; using defaults")));
            Default::default()
        }
    };
    let started = Instant::now();
    let python = lock(session).settings.python.clone().or_else(|| config.python.clone());
    // Asking the interpreter takes a process start; it runs while the files are listed and the
    // open documents' imports are read, which do not need its answer.
    let probe_root = root.clone();
    let interpreter = std::thread::spawn(move || workspace::interpreter::discover(&probe_root, python.as_deref()));
    let (files, dirs, problems) = workspace::walk(&root, &config);
    let total = files.len();
    super::log(|| format!("indexing: {total} files listed after {:?}", started.elapsed()));
    {
        let mut s = lock(session);
        s.file_config = config;
        s.dirs = dirs;
        s.problems = problems;
        s.pending = files.iter().filter(|f| !s.documents.contains_key(*f)).cloned().collect();
        s.indexed = true;
        s.generation += 1;
    }
    // The open documents' import closure first, level by level: the modules that importing them
    // runs (imports in functions run later, and would make this several times larger).
    let mut frontier: BTreeSet<String> = lock(session).documents.keys().cloned().collect();
    let mut seen = frontier.clone();
    while !frontier.is_empty() {
        let wanted: Vec<String> = {
            let s = lock(session);
            let project = s.snapshot().project();
            let mut wanted = BTreeSet::new();
            for path in &frontier {
                let Some(summary) = project.summary(path) else { continue };
                for (import, _) in import_time_imports(&project, summary) {
                    for target in static_targets(&project, path, summary.import(import)) {
                        if s.pending.contains(&target) && seen.insert(target.clone()) {
                            wanted.insert(target);
                        }
                    }
                }
            }
            wanted.into_iter().collect()
        };
        read_into_session(session, &root, &wanted);
        frontier = wanted.into_iter().collect();
    }
    super::log(|| format!("indexing: open documents' imports read after {:?}", started.elapsed()));
    let interpreter = interpreter.join().ok().flatten();
    if let Some(interpreter) = &interpreter {
        let mut s = lock(session);
        s.env = interpreter.env.clone();
        s.workspace_is_library =
            interpreter.library_dirs.iter().filter_map(|d| std::fs::canonicalize(d).ok()).any(|d| root.starts_with(&d));
        s.generation += 1;
    }
    super::log(|| format!("indexing: interpreter answered after {:?}", started.elapsed()));
    if !lock(session).documents.is_empty() {
        let closure = lock(session).generation;
        analyzer.request();
        // The open documents' diagnostics come first: reading the rest would take the cores
        // from their analysis.
        wait_for(session, Duration::from_secs(30), |s| s.results.as_ref().is_some_and(|r| r.generation >= closure));
    }
    let rest: Vec<String> = lock(session).pending.iter().cloned().collect();
    for chunk in rest.chunks(READ_CHUNK) {
        // An analysis asked for meanwhile (an edit) goes first, for a while.
        wait_for(session, Duration::from_secs(2), |s| !s.analysing);
        read_into_session(session, &root, chunk);
    }
    {
        let mut s = lock(session);
        s.read_all = Some(s.generation);
    }
    super::log(|| format!("indexing: every file read after {:?}", started.elapsed()));
    analyzer.request();
    total
}

/// Files read between two looks at whether an analysis is waiting for the cores.
const READ_CHUNK: usize = 64;

/// Waits until `ready` holds or `limit` has passed.
fn wait_for(session: &Mutex<Session>, limit: Duration, ready: impl Fn(&Session) -> bool) {
    let deadline = Instant::now() + limit;
    while !ready(&lock(session)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn read_into_session(session: &Mutex<Session>, root: &std::path::Path, paths: &[String]) {
    if paths.is_empty() {
        return;
    }
    let read: Vec<(String, FileSummary)> =
        paths.par_iter().map(|path| (path.clone(), read_and_summarize(root, path).0)).collect();
    let mut s = lock(session);
    for (path, summary) in read {
        if s.pending.remove(&path) && !s.documents.contains_key(&path) {
            Arc::make_mut(&mut s.disk).insert(path, Arc::new(summary));
        }
    }
    s.generation += 1;
}

/// Applies `workspace/didChangeWatchedFiles` events to files that are not open; returns whether
/// anything changed.
pub fn apply_file_events(s: &mut Session, events: &[FileEvent], outgoing: &UnboundedSender<Outgoing>) -> bool {
    let Some(root) = s.root.clone() else { return false };
    let mut changed = false;
    for event in events {
        let Some(path) = s.path_of(&event.uri) else { continue };
        let name = path.rsplit('/').next().unwrap_or(&path);
        if path == "pyproject.toml" || path == "modcache.toml" {
            match workspace::load_config(&root, None) {
                Ok(config) => s.file_config = config,
                Err(e) => {
                    let _ = outgoing.send(Outgoing::Message(MessageType::WARNING, format!("modcache: {e}")));
                }
            }
            changed = true;
            continue;
        }
        if !name.ends_with(".py") || s.documents.contains_key(&path) {
            continue;
        }
        s.text_changed(&path);
        if event.typ == FileChangeType::DELETED {
            Arc::make_mut(&mut s.disk).remove(&path);
            s.pending.remove(&path);
        } else {
            let (summary, _) = read_and_summarize(&root, &path);
            Arc::make_mut(&mut s.disk).insert(path.clone(), Arc::new(summary));
            let mut dir = crate::analysis::modules::parent_dir(&path).to_string();
            while !dir.is_empty() && !s.dirs.contains(&dir) {
                s.dirs.push(dir.clone());
                dir = crate::analysis::modules::parent_dir(&dir).to_string();
            }
        }
        changed = true;
    }
    changed
}

/// After an edit that kept the file's shape, moves the current results' positions instead of
/// analysing again: the summary is the firewall. Returns false when the results are not current
/// (an analysis is pending), in which case the caller asks for one.
pub fn fast_path(
    s: &mut Session,
    path: &str,
    old_summary: &Arc<FileSummary>,
    new_summary: Arc<FileSummary>,
    outgoing: &UnboundedSender<Outgoing>,
) -> bool {
    let Some(results) = s.results.clone() else { return false };
    // The caller already counted this edit; the results must be those of the state before it.
    if results.generation + 1 != s.generation
        || !results.project.summary(path).is_some_and(|current| Arc::ptr_eq(current, old_summary))
    {
        return false;
    }
    s.results = Some(Arc::new(results.after_same_shape_edit(s.generation, path, old_summary, new_summary)));
    // Findings of other files that point into this one moved too; the rest are not sent again.
    publish_all(s, outgoing);
    true
}
