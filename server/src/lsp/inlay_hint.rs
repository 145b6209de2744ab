//! Inlay hints after each import: whether it runs the module's code or hits the cache, in the
//! main entry (the first configured or detected entry that reaches the statement).

use tower_lsp_server::ls_types::*;

use super::session::Session;
use crate::analysis::simulate::Action;

pub fn inlay_hints(s: &Session, params: &InlayHintParams) -> Option<Vec<InlayHint>> {
    let path = s.path_of(&params.text_document.uri)?;
    let document = s.documents.get(&path)?;
    let results = s.results.as_ref()?;
    let requested = document.offset(params.range.start, s.encoding)..=document.offset(params.range.end, s.encoding);
    let mut hints = Vec::new();
    for stmt in &document.summary.imports {
        if !requested.contains(&(stmt.range.start as usize)) {
            continue;
        }
        let found = results.analysis.entry_orders.iter().find_map(|order| {
            let events: Vec<_> = order
                .trace
                .iter()
                .filter(|e| e.site.as_ref().is_some_and(|site| *site.path == *path && site.range == stmt.range))
                .collect();
            (!events.is_empty()).then_some((order, events))
        });
        let Some((order, events)) = found else { continue };
        let ran: Vec<String> = events
            .iter()
            .filter_map(|e| match e.action {
                Action::Ran(step) => Some(format!("{} (step {})", e.module, step + 1)),
                _ => None,
            })
            .collect();
        let label = if ran.is_empty() {
            if events.iter().any(|e| matches!(e.action, Action::CacheHit { partial: true })) {
                " cached, still initialising".to_string()
            } else {
                " cached".to_string()
            }
        } else {
            format!(" runs code: {}", ran.join(", "))
        };
        hints.push(InlayHint {
            position: document.position(stmt.range.end, s.encoding),
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(format!("in `{}`", order.entry.command()))),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    Some(hints)
}
