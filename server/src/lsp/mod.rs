//! The language server. Only this layer knows about LSP: it keeps documents and the session,
//! turns requests into queries on the analysis, and converts byte ranges to positions in the
//! negotiated encoding at the boundary. One module per LSP method or concern.

mod code_action;
mod code_lens;
mod diagnostics;
mod document;
mod encoding;
mod hover;
mod indexing;
mod inlay_hint;
mod requests;
mod results;
mod session;
mod settings;
mod transport;
mod worker;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::FutureExt;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

pub use document::Document;
pub use encoding::Encoding;
use session::Session;
use settings::Settings;
use worker::{panic_message, Analyzer, Outgoing};

/// Runs the server on stdin/stdout until the client sends `exit`.
pub fn run() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the tokio runtime can be built");
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The analysis and indexing threads hold no state worth saving: exit without joining them.
    runtime.shutdown_background();
}

pub struct Backend {
    client: Client,
    session: Arc<Mutex<Session>>,
    outgoing: UnboundedSender<Outgoing>,
    analyzer: Analyzer,
}

/// Writes a line to stderr when `MODCACHE_LOG` is set (editors show the server's stderr).
pub(crate) fn log(message: impl FnOnce() -> String) {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ENABLED.get_or_init(|| std::env::var_os("MODCACHE_LOG").is_some()) {
        eprintln!("modcache: {}", message());
    }
}

/// Locks the session even if a panic poisoned the lock: every handler leaves the session
/// consistent before anything can panic, and one failed request must not end the session.
fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// When this environment variable is set, the server answers `modcache/panic` by panicking
/// inside its handler, so that tests can watch the panic boundary work through the real binary.
pub const PANIC_REQUEST_VARIABLE: &str = "MODCACHE_ALLOW_PANIC_REQUEST";

fn requested_panic(params: &Value) -> Result<Value> {
    panic!("modcache/panic was requested with {params}")
}

impl Backend {
    fn new(client: Client) -> Self {
        let session = Arc::new(Mutex::new(Session::default()));
        let outgoing = worker::spawn_outgoing(client.clone());
        let analyzer = worker::spawn_analyzer(session.clone(), outgoing.clone());
        Backend { client, session, outgoing, analyzer }
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        lock(&self.session)
    }

    /// The panic boundary around every handler: a panic is logged to stderr, shown to the user,
    /// and answered as an internal error; the session goes on.
    async fn guard<T>(&self, method: &str, handler: impl Future<Output = Result<T>>) -> Result<T> {
        match AssertUnwindSafe(handler).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => {
                let message = format!("modcache: internal error in {method}: {}", panic_message(&panic));
                eprintln!("{message}");
                let _ = self.outgoing.send(Outgoing::Message(MessageType::ERROR, message));
                Err(Error::internal_error())
            }
        }
    }

    async fn notification(&self, method: &str, handler: impl Future<Output = ()>) {
        let _ = self.guard(method, handler.map(Ok::<(), Error>)).await;
    }

    /// Waits (up to a minute) until the whole workspace is indexed and analysed, so that
    /// answers do not describe a partial workspace. Cancelling the request ends the wait.
    async fn complete(&self) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        while !self.session().complete() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    async fn load_order(&self, params: Value) -> Result<Value> {
        self.guard("modcache/loadOrder", async {
            self.complete().await;
            requests::load_order(&self.session(), &params)
        })
        .await
    }

    async fn graph(&self, _params: Value) -> Result<Value> {
        self.guard("modcache/graph", async {
            self.complete().await;
            requests::graph(&self.session())
        })
        .await
    }

    async fn entries(&self, _params: Value) -> Result<Value> {
        self.guard("modcache/entries", async {
            self.complete().await;
            requests::entries(&self.session())
        })
        .await
    }

    async fn panic_on_request(&self, params: Value) -> Result<Value> {
        self.guard("modcache/panic", async { requested_panic(&params) }).await
    }

    async fn pull_settings(&self) {
        let supports = self.session().client_supports_configuration;
        if !supports {
            return;
        }
        let items = vec![ConfigurationItem { scope_uri: None, section: Some("modcache".to_string()) }];
        if let Ok(values) = self.client.configuration(items).await {
            if let Some(value) = values.first().filter(|v| !v.is_null()) {
                let mut s = self.session();
                let settings = Settings::from_value(value);
                if settings != s.settings {
                    s.settings = settings;
                    s.generation += 1;
                    self.analyzer.request();
                }
            }
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.guard("initialize", async {
            let mut s = self.session();
            s.encoding = Encoding::negotiate(
                params.capabilities.general.as_ref().and_then(|g| g.position_encodings.as_deref()),
            );
            let root = params
                .workspace_folders
                .as_ref()
                .and_then(|folders| folders.first())
                .and_then(|f| f.uri.to_file_path().map(|p| p.into_owned()))
                .or_else(|| {
                    #[allow(deprecated)]
                    params.root_uri.as_ref().and_then(|u| u.to_file_path().map(|p| p.into_owned()))
                });
            s.root = root.map(|r| std::fs::canonicalize(&r).unwrap_or(r));
            if let Some(options) = &params.initialization_options {
                s.settings = Settings::from_value(options);
            }
            let text_document = params.capabilities.text_document.as_ref();
            let workspace = params.capabilities.workspace.as_ref();
            s.client_supports_configuration = workspace.and_then(|w| w.configuration).unwrap_or(false);
            s.client_supports_refresh =
                workspace.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support).unwrap_or(false);
            // Pull only from clients that can be told to pull again: an edit in one file changes
            // diagnostics in others, and the first pull may come before indexing ends.
            s.pull_mode = text_document.and_then(|t| t.diagnostic.as_ref()).is_some() && s.client_supports_refresh;
            s.client_supports_watch_registration = workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false);
            s.client_supports_progress =
                params.capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false);
            let pull = s.pull_mode;
            Ok(InitializeResult {
                server_info: Some(ServerInfo { name: "modcache".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) }),
                capabilities: ServerCapabilities {
                    position_encoding: Some(s.encoding.kind()),
                    text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    })),
                    hover_provider: Some(HoverProviderCapability::Simple(true)),
                    code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::REFACTOR_REWRITE]),
                        ..Default::default()
                    })),
                    inlay_hint_provider: Some(OneOf::Left(true)),
                    code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                    diagnostic_provider: pull.then(|| {
                        DiagnosticServerCapabilities::Options(DiagnosticOptions {
                            identifier: Some("modcache".to_string()),
                            inter_file_dependencies: true,
                            workspace_diagnostics: true,
                            ..Default::default()
                        })
                    }),
                    ..ServerCapabilities::default()
                },
                offset_encoding: None,
            })
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        self.notification("initialized", async {
            self.pull_settings().await;
            let (register_watchers, progress) = {
                let s = self.session();
                (s.client_supports_watch_registration, s.client_supports_progress)
            };
            if register_watchers {
                let watchers: Vec<Value> = ["**/*.py", "**/pyproject.toml", "**/modcache.toml"]
                    .iter()
                    .map(|glob| serde_json::json!({"globPattern": glob}))
                    .collect();
                let registration = Registration {
                    id: "modcache-watched-files".to_string(),
                    method: "workspace/didChangeWatchedFiles".to_string(),
                    register_options: Some(serde_json::json!({"watchers": watchers})),
                };
                if let Err(e) = self.client.register_capability(vec![registration]).await {
                    eprintln!("modcache: the client refused file watching: {e}");
                }
            }
            indexing::start(self.client.clone(), self.session.clone(), self.analyzer.clone(), self.outgoing.clone(), progress);
        })
        .await
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.notification("textDocument/didOpen", async {
            let mut s = self.session();
            let Some(path) = s.path_of(&params.text_document.uri) else { return };
            let document = Document::new(params.text_document.version, &params.text_document.text);
            s.text_changed(&path);
            s.pending.remove(&path);
            s.uris.insert(path.clone(), params.text_document.uri);
            s.documents.insert(path, document);
            s.generation += 1;
            // Before the workspace is listed an analysis would see this file alone; the indexer
            // analyses the open documents' imports as soon as it can.
            if s.indexed {
                self.analyzer.request();
            }
        })
        .await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.notification("textDocument/didChange", async {
            let mut s = self.session();
            let Some(path) = s.path_of(&params.text_document.uri) else { return };
            let encoding = s.encoding;
            let Some(document) = s.documents.get_mut(&path) else { return };
            if params.text_document.version <= document.version {
                // Out of order or repeated: the document already holds newer text.
                return;
            }
            let started = std::time::Instant::now();
            let old_summary = document.summary.clone();
            let old_shape = document.shape.clone();
            document.apply_changes(params.text_document.version, params.content_changes, encoding);
            let same_shape = document.shape == old_shape;
            let new_summary = document.summary.clone();
            s.text_changed(&path);
            s.generation += 1;
            if same_shape && indexing::fast_path(&mut s, &path, &old_summary, new_summary, &self.outgoing) {
                log(|| format!("didChange {path}: same shape, results moved"));
                return;
            }
            log(|| {
                let shape = if same_shape { "same shape but results not current" } else { "new shape" };
                format!("didChange {path}: {shape}, analysing again (handled in {:?})", started.elapsed())
            });
            self.analyzer.request();
        })
        .await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.notification("textDocument/didClose", async {
            let mut s = self.session();
            let Some(path) = s.path_of(&params.text_document.uri) else { return };
            s.documents.remove(&path);
            s.text_changed(&path);
            // The file is back to what is on disk (or gone, if it was never saved).
            if let Some(root) = s.root.clone() {
                if root.join(&path).is_file() {
                    let (summary, _) = crate::workspace::read_and_summarize(&root, &path);
                    Arc::make_mut(&mut s.disk).insert(path.clone(), Arc::new(summary));
                } else {
                    Arc::make_mut(&mut s.disk).remove(&path);
                }
            }
            s.generation += 1;
            self.analyzer.request();
        })
        .await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.notification("workspace/didChangeConfiguration", async {
            let from_params = Settings::from_value(&params.settings);
            let pull = self.session().client_supports_configuration;
            if pull {
                self.pull_settings().await;
            } else {
                let mut s = self.session();
                s.settings = from_params;
                s.generation += 1;
                self.analyzer.request();
            }
        })
        .await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.notification("workspace/didChangeWatchedFiles", async {
            let mut s = self.session();
            if indexing::apply_file_events(&mut s, &params.changes, &self.outgoing) {
                s.generation += 1;
                self.analyzer.request();
            }
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.guard("textDocument/hover", async {
            self.complete().await;
            Ok(hover::hover(&self.session(), &params))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.guard("textDocument/codeAction", async { Ok(code_action::code_actions(&self.session(), &params)) }).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.guard("textDocument/inlayHint", async {
            self.complete().await;
            Ok(inlay_hint::inlay_hints(&self.session(), &params))
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.guard("textDocument/codeLens", async {
            self.complete().await;
            Ok(code_lens::code_lenses(&self.session(), &params))
        })
        .await
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        self.guard("textDocument/diagnostic", async { Ok(requests::document_diagnostic(&self.session(), &params)) }).await
    }

    async fn workspace_diagnostic(&self, _params: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        self.guard("workspace/diagnostic", async { Ok(requests::workspace_diagnostic(&self.session())) }).await
    }
}

/// Serves LSP from `input` to `output` (stdio, or pipes in tests) until `exit` or the end of
/// the input.
pub async fn serve<I, O>(input: I, output: O)
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    transport::guarded(input, output, |server_input, server_output| async move {
        let mut builder = LspService::build(Backend::new)
            .custom_method("modcache/loadOrder", Backend::load_order)
            .custom_method("modcache/graph", Backend::graph)
            .custom_method("modcache/entries", Backend::entries);
        // The panic boundary can only be tested end to end through a handler that panics, and no
        // correct handler does. This one exists only when the environment asks for it; otherwise
        // the method is unknown like any other.
        if std::env::var_os(PANIC_REQUEST_VARIABLE).is_some() {
            builder = builder.custom_method("modcache/panic", Backend::panic_on_request);
        }
        let (service, socket) = builder.finish();
        Server::new(server_input, server_output, socket).serve(service).await;
    })
    .await;
}
