use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{Report, Sources};
use crate::analysis::diagnostic::Severity;

/// rustc/ruff-style snippets: the source line with a caret under the range, related locations
/// as notes. `color` is on only when writing to a terminal.
pub fn render(report: &Report, sources: &mut Sources, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for d in report.diagnostics {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info | Severity::Hint => Level::INFO,
        };
        let notes: Vec<String> = d
            .related
            .iter()
            .map(|r| {
                let range = sources.range(&r.path, r.range);
                format!("{}:{}:{}: {}", report.display_path(&r.path), range.start.line, range.start.column, r.message)
            })
            .collect();
        let text = sources.text(&d.path).map(str::to_string);
        let shown_path = report.display_path(&d.path);
        let title = level.primary_title(d.message.as_str()).id(format!("{} {}", d.code, d.name));
        let group = match &text {
            Some(text) => {
                let start = (d.range.start as usize).min(text.len());
                let end = (d.range.end as usize).clamp(start, text.len());
                title.element(
                    Snippet::source(text.as_str())
                        .path(shown_path.as_str())
                        .fold(true)
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            }
            None => Group::with_title(title),
        };
        let mut report_groups = vec![group];
        for note in &notes {
            report_groups.push(Group::with_title(Level::NOTE.secondary_title(note.as_str())));
        }
        out.push_str(&renderer.render(&report_groups));
        out.push_str("\n\n");
    }
    out
}
