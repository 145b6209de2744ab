//! Custom requests (`modcache/loadOrder`, `modcache/graph`, `modcache/entries`) and pull
//! diagnostics.

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::diagnostics::file_diagnostics;
use super::session::Session;
use crate::analysis::config::Entry;
use crate::analysis::entries::entry_points;
use crate::analysis::graph::ImportGraph;
use crate::analysis::simulate::simulate;
use crate::cli::graph::render;
use crate::cli::order::{order_json, trace_json};

fn not_ready() -> Error {
    Error { code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32001), message: "modcache is still indexing the workspace".into(), data: None }
}

/// `modcache/loadOrder {entry}`: SPEC §2's order JSON plus the full import trace.
pub fn load_order(s: &Session, params: &Value) -> Result<Value> {
    let Some(results) = &s.results else { return Err(not_ready()) };
    let entry_text = params.get("entry").and_then(Value::as_str).unwrap_or_default();
    let entry = Entry::parse(entry_text).map_err(Error::invalid_params)?;
    if let Entry::Script(path) = &entry {
        if results.project.summary(path).is_none() {
            return Err(Error::invalid_params(format!("{path} is not a Python file of the workspace")));
        }
    }
    let order = simulate(&results.project, &entry);
    let mut value = order_json(&order);
    value["trace"] = trace_json(&order);
    Ok(value)
}

pub fn graph(s: &Session) -> Result<Value> {
    let Some(results) = &s.results else { return Err(not_ready()) };
    let graph = ImportGraph::build(&results.project);
    let rendered = render(&results.project, &graph);
    let mut value = rendered.json;
    value["mermaid"] = json!(rendered.mermaid);
    Ok(value)
}

pub fn entries(s: &Session) -> Result<Value> {
    let Some(results) = &s.results else { return Err(not_ready()) };
    let entries: Vec<String> = entry_points(&results.project).iter().map(|e| e.to_string()).collect();
    Ok(json!({"entries": entries}))
}

pub fn document_diagnostic(s: &Session, params: &DocumentDiagnosticParams) -> DocumentDiagnosticReportResult {
    let items = s.path_of(&params.text_document.uri).map(|path| file_diagnostics(s, &path)).unwrap_or_default();
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
        related_documents: None,
        full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
    }))
}

pub fn workspace_diagnostic(s: &Session) -> WorkspaceDiagnosticReportResult {
    let mut paths: Vec<String> = match &s.results {
        Some(results) => results.diagnostics().iter().map(|d| d.path.clone()).collect(),
        None => Vec::new(),
    };
    paths.sort();
    paths.dedup();
    let items = paths
        .iter()
        .filter_map(|path| {
            Some(WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                uri: s.uri_of(path)?,
                version: s.documents.get(path).map(|d| d.version as i64),
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items: file_diagnostics(s, path),
                },
            }))
        })
        .collect();
    WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
}
