//! The analysis worker and the ordered outgoing queue.
//!
//! Analysis runs on its own thread: handlers only record changes and signal it. Every
//! diagnostic the server publishes goes through one unbounded queue that is filled while the
//! session lock is held, and drained in order by one task: so the order of publications is the
//! order of the state changes that produced them, and results computed from older text are
//! dropped (their generation no longer matches) instead of being published over newer ones.

use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types::{MessageType, PublishDiagnosticsParams};
use tower_lsp_server::Client;

use super::diagnostics::publish_all;
use super::session::{Results, Session};
use crate::analysis::check::AnalysisCache;
use crate::analysis::project::Project;

/// Messages to the client, sent in queue order.
pub enum Outgoing {
    Publish(PublishDiagnosticsParams),
    Message(MessageType, String),
    /// Asks a pulling client to pull diagnostics again.
    Refresh,
}

pub fn spawn_outgoing(client: Client) -> UnboundedSender<Outgoing> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Outgoing>();
    tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            match message {
                Outgoing::Publish(p) => client.publish_diagnostics(p.uri, p.diagnostics, p.version).await,
                Outgoing::Message(kind, text) => client.show_message(kind, text).await,
                Outgoing::Refresh => {
                    let _ = client.workspace_diagnostic_refresh().await;
                }
            }
        }
    });
    tx
}

/// Wakes the analysis thread; cheap and callable under the session lock.
#[derive(Clone)]
pub struct Analyzer {
    signal: mpsc::Sender<()>,
}

impl Analyzer {
    pub fn request(&self) {
        let _ = self.signal.send(());
    }
}

pub fn spawn_analyzer(session: Arc<Mutex<Session>>, outgoing: UnboundedSender<Outgoing>) -> Analyzer {
    let (tx, rx) = mpsc::channel::<()>();
    // The analysis has threads of its own: in rayon's global pool it would queue behind the
    // indexer's reading of the whole workspace, and the opened file's first diagnostics would
    // wait for all of it.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("modcache-analysis-{i}"))
        .build()
        .expect("the analysis threads can be started");
    std::thread::Builder::new()
        .name("modcache-analysis".into())
        .spawn(move || {
            // What the last analysis computed; a new one redoes only what the changes affect.
            let mut cache = AnalysisCache::default();
            let mut previous: Option<Arc<Project>> = None;
            while rx.recv().is_ok() {
                // Changes that arrived meanwhile are all in the snapshot taken below.
                while rx.try_recv().is_ok() {}
                let woken = std::time::Instant::now();
                let snapshot = match session.lock() {
                    Ok(mut s) => {
                        s.analysing = true;
                        s.snapshot()
                    }
                    Err(_) => return,
                };
                let generation = snapshot.generation;
                let snapshot_time = woken.elapsed();
                let started = std::time::Instant::now();
                let project = Arc::new(snapshot.project_reusing(previous.as_deref()));
                let built = started.elapsed();
                let analysis = std::panic::catch_unwind(AssertUnwindSafe(|| pool.install(|| cache.analyze(&project))));
                let analysis = match analysis {
                    Ok(analysis) => analysis,
                    Err(panic) => {
                        // The cache may be half updated: start again from nothing.
                        cache = AnalysisCache::default();
                        if let Ok(mut s) = session.lock() {
                            s.analysing = false;
                        }
                        let message = format!("modcache: the analysis failed: {}", panic_message(&panic));
                        eprintln!("{message}");
                        let _ = outgoing.send(Outgoing::Message(MessageType::ERROR, message));
                        continue;
                    }
                };
                let stats = cache.stats();
                super::log(|| {
                    format!(
                        "analysis of generation {generation}: {:?} (snapshot {snapshot_time:?}, project {built:?}; {} files changed, {} resolved again, {} runs simulated, {} kept of which {} moved; phases {:?})",
                        started.elapsed(),
                        stats.changed_files,
                        stats.resolved_files,
                        stats.simulated,
                        stats.kept,
                        stats.moved,
                        stats.times
                    )
                });
                // What this replaces is freed after the publication, not before it: the last
                // results and projects hold thousands of summaries and paths.
                let older = previous.replace(project.clone());
                let Ok(mut s) = session.lock() else { return };
                s.analysing = false;
                if s.generation != generation {
                    // A newer change is queued behind this one and will be analysed next.
                    continue;
                }
                let publishing = std::time::Instant::now();
                let replaced = s.results.replace(Arc::new(Results::new(generation, project, Arc::new(analysis))));
                publish_all(&mut s, &outgoing);
                super::log(|| format!("published generation {generation} in {:?}", publishing.elapsed()));
                drop(s);
                drop((older, replaced));
            }
        })
        .expect("the analysis thread can be started");
    Analyzer { signal: tx }
}

pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
