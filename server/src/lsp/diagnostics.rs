//! Diagnostics in LSP form: conversion, publication, and pull requests.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rustc_hash::FxHashSet;

use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    PublishDiagnosticsParams, Uri,
};

use super::session::{Converted, Session};
use super::worker::Outgoing;
use crate::analysis::diagnostic::{Diagnostic, Severity};
use crate::analysis::text::LineIndex;

/// Where each rule's documentation lives.
pub const RULE_DOCS: &str = "https://github.com/modcache/modcache/blob/main/docs/rules/";

pub fn rule_url(code: &str) -> String {
    format!("{RULE_DOCS}{code}.md")
}

/// The texts a conversion needs, each read (or taken from its document) once.
type Texts = HashMap<String, Option<(Arc<str>, Arc<LineIndex>)>>;

/// The LSP form of a finding, positioned in the session's current text of each file.
fn convert(session: &Session, diagnostic: &Diagnostic, texts: &mut Texts) -> Option<lsp::Diagnostic> {
    let mut text_of = |path: &str| texts.entry(path.to_string()).or_insert_with(|| session.text(path)).clone();
    let (text, index) = text_of(&diagnostic.path)?;
    let encoding = session.encoding;
    let related = diagnostic
        .related
        .iter()
        .filter_map(|r| {
            let (text, index) = text_of(&r.path)?;
            Some(DiagnosticRelatedInformation {
                location: Location { uri: session.uri_of(&r.path)?, range: encoding.range(&text, &index, r.range) },
                message: r.message.clone(),
            })
        })
        .collect::<Vec<_>>();
    Some(lsp::Diagnostic {
        range: encoding.range(&text, &index, diagnostic.range),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
            Severity::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        code_description: rule_url(diagnostic.code).parse::<Uri>().ok().map(|href| CodeDescription { href }),
        source: Some("modcache".to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::json!({"name": diagnostic.name})),
    })
}

/// The current findings of one file in LSP form.
pub fn file_diagnostics(session: &Session, path: &str) -> Vec<lsp::Diagnostic> {
    let Some(results) = &session.results else { return Vec::new() };
    convert_all(session, results.diagnostics().iter().filter(|d| d.path == path).map(|d| &**d))
}

fn convert_all<'d>(session: &Session, found: impl IntoIterator<Item = &'d Diagnostic>) -> Vec<lsp::Diagnostic> {
    let mut texts = Texts::new();
    found.into_iter().filter_map(|d| convert(session, d, &mut texts)).collect()
}

/// One file's findings in LSP form, converted again only when they, or the text of a file they
/// point into, changed since the last conversion; `None` when the last conversion stands.
fn converted(session: &mut Session, path: &str, found: &[Arc<Diagnostic>]) -> Option<Vec<lsp::Diagnostic>> {
    if session.converted.get(path).is_some_and(|converted| converted.findings.as_slice() == found) {
        return None;
    }
    let list = convert_all(session, found.iter().map(|d| &**d));
    if found.is_empty() {
        session.converted.remove(path);
    } else {
        let mut points_into: Vec<String> =
            found.iter().flat_map(|d| &d.related).filter(|r| r.path != path).map(|r| r.path.clone()).collect();
        points_into.sort_unstable();
        points_into.dedup();
        session.converted.insert(path.to_string(), Converted { findings: found.to_vec(), list: list.clone(), points_into });
    }
    Some(list)
}

/// The findings of each file, as runs of `diagnostics`; the analysis sorts them by path, and
/// when they are not (which would be a bug elsewhere), a sorted copy in `sorted` serves.
fn by_file<'d>(
    diagnostics: &'d [Arc<Diagnostic>],
    sorted: &'d mut Vec<Arc<Diagnostic>>,
) -> BTreeMap<&'d str, &'d [Arc<Diagnostic>]> {
    let runs: Vec<&[Arc<Diagnostic>]> = diagnostics.chunk_by(|a, b| a.path == b.path).collect();
    let grouped = runs.windows(2).all(|pair| pair[0][0].path < pair[1][0].path);
    let runs = if grouped {
        runs
    } else {
        *sorted = diagnostics.to_vec();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        sorted.chunk_by(|a, b| a.path == b.path).collect()
    };
    runs.into_iter().map(|run| (run[0].path.as_str(), run)).collect()
}

/// Publishes every file whose findings changed since the last publication (and every open
/// file, so that its diagnostics carry its current version). Called under the session lock.
///
/// A closed file whose findings and texts are those of its last conversion was published with
/// that conversion (every conversion here is published at once, and `published` only changes
/// through [`publish`]), so it is passed over without copying or comparing its LSP form: after
/// an edit, that is all but a few of the workspace's files.
pub fn publish_all(session: &mut Session, outgoing: &UnboundedSender<Outgoing>) {
    if session.pull_mode {
        if session.client_supports_refresh {
            let _ = outgoing.send(Outgoing::Refresh);
        }
        return;
    }
    let Some(results) = session.results.as_ref() else { return };
    let diagnostics = results.diagnostics().clone();
    let mut sorted = Vec::new();
    let mut by_file = by_file(&diagnostics, &mut sorted);
    // Files that had findings and have none now are cleared.
    let with_findings: FxHashSet<&str> = by_file.keys().copied().collect();
    let cleared: Vec<String> = session.published.keys().filter(|p| !with_findings.contains(p.as_str())).cloned().collect();
    for path in &cleared {
        by_file.entry(path.as_str()).or_default();
    }
    let open: Vec<String> = session.documents.keys().cloned().collect();
    for path in &open {
        by_file.entry(path.as_str()).or_default();
    }
    for (path, found) in by_file {
        let is_open = session.documents.contains_key(path);
        let list = match converted(session, path, found) {
            Some(list) => list,
            None if is_open => session.converted.get(path).map(|converted| converted.list.clone()).unwrap_or_default(),
            None => continue,
        };
        publish(session, outgoing, path, list);
    }
}

/// Queues one file's diagnostics unless they equal what was last sent for a closed file.
pub fn publish(session: &mut Session, outgoing: &UnboundedSender<Outgoing>, path: &str, list: Vec<lsp::Diagnostic>) {
    let version = session.documents.get(path).map(|d| d.version);
    if version.is_none() && session.published.get(path).map_or(list.is_empty(), |old| *old == list) {
        return;
    }
    let Some(uri) = session.uri_of(path) else { return };
    if list.is_empty() {
        session.published.remove(path);
    } else {
        session.published.insert(path.to_string(), list.clone());
    }
    let _ = outgoing.send(Outgoing::Publish(PublishDiagnosticsParams { uri, diagnostics: list, version }));
}
