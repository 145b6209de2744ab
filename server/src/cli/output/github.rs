use std::fmt::Write;

use super::{Report, Sources};
use crate::analysis::diagnostic::Severity;

/// GitHub Actions workflow commands: one annotation per finding.
pub fn render(report: &Report, sources: &mut Sources) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        let range = sources.range(&d.path, d.range);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} title={},file={},line={},col={},endLine={},endColumn={}::{}",
            escape_property(&format!("{} ({})", d.code, d.name)),
            escape_property(&report.display_path(&d.path)),
            range.start.line,
            range.start.column,
            range.end.line,
            range.end.column,
            escape_data(&format!("{}: {}", d.code, d.message)),
        );
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
