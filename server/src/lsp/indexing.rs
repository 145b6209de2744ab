//! Indexing the workspace, files changed on disk, and the fast path for edits that keep a
//! file's shape.
//!
//! At start the server lists the workspace, then reads the import closure of the documents the
//! editor has open and analyses that (so their diagnostics come first), then reads the rest in
//! the background and analyses everything. `$/progress` reports the indexing.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types::{FileChangeType, FileEvent, MessageType, ProgressToken};
use tower_lsp_server::Client;

use super::diagnostics::{file_diagnostics, publish};
use super::session::{Results, Session};
use super::worker::{Analyzer, Outgoing};
use super::lock;
use crate::analysis::graph::static_targets;
use crate::analysis::summary::positions::range_map;
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
    let python = lock(session).settings.python.clone().or_else(|| config.python.clone());
    let interpreter = workspace::interpreter::discover(&root, python.as_deref());
    let (files, dirs, problems) = workspace::walk(&root, &config);
    let total = files.len();
    {
        let mut s = lock(session);
        s.file_config = config;
        if let Some(interpreter) = &interpreter {
            s.env = interpreter.env.clone();
            s.workspace_is_library = interpreter
                .library_dirs
                .iter()
                .filter_map(|d| std::fs::canonicalize(d).ok())
                .any(|d| root.starts_with(&d));
        }
        s.dirs = dirs;
        s.problems = problems;
        s.pending = files.iter().filter(|f| !s.documents.contains_key(*f)).cloned().collect();
        s.indexed = true;
        s.generation += 1;
    }
    // The open documents' import closure first, level by level.
    let mut frontier: BTreeSet<String> = lock(session).documents.keys().cloned().collect();
    let mut seen = frontier.clone();
    while !frontier.is_empty() {
        let wanted: Vec<String> = {
            let s = lock(session);
            let project = s.snapshot().project();
            let mut wanted = BTreeSet::new();
            for path in &frontier {
                let Some(summary) = project.summary(path) else { continue };
                for stmt in &summary.imports {
                    for target in static_targets(&project, path, stmt) {
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
    if !lock(session).documents.is_empty() {
        analyzer.request();
    }
    let rest: Vec<String> = lock(session).pending.iter().cloned().collect();
    read_into_session(session, &root, &rest);
    {
        let mut s = lock(session);
        s.read_all = Some(s.generation);
    }
    analyzer.request();
    total
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
            s.disk.insert(path, Arc::new(summary));
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
        if event.typ == FileChangeType::DELETED {
            s.disk.remove(&path);
            s.pending.remove(&path);
        } else {
            let (summary, _) = read_and_summarize(&root, &path);
            s.disk.insert(path.clone(), Arc::new(summary));
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
    let map = range_map(old_summary, &new_summary);
    let mut analysis = (*results.analysis).clone();
    analysis.remap(path, &map);
    s.results = Some(Arc::new(Results {
        generation: s.generation,
        project: Arc::new(results.project.with_summary(path, new_summary)),
        analysis: Arc::new(analysis),
    }));
    if s.pull_mode {
        if s.client_supports_refresh {
            let _ = outgoing.send(Outgoing::Refresh);
        }
    } else {
        let list = file_diagnostics(s, path);
        publish(s, outgoing, path, list);
    }
    true
}
