//! Findings of the rules, positioned by byte ranges in files named relative to the root.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        })
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            "hint" => Ok(Severity::Hint),
            other => Err(format!("unknown severity {other:?}")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Related {
    pub path: String,
    pub range: TextRange,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub path: String,
    pub range: TextRange,
    pub message: String,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// The order of the command line's output: path, position, code.
    pub fn sort_key(&self) -> (&str, u32, u32, &str) {
        (&self.path, self.range.start, self.range.end, self.code)
    }
}

/// Moves the positions in `path` of `findings` (and of their related locations) through
/// `apply`, after an edit that kept the file's shape. Findings are shared between analyses, so
/// only those with a position in `path` are copied.
pub fn move_positions(findings: &mut [std::sync::Arc<Diagnostic>], path: &str, apply: impl Fn(&mut TextRange)) {
    for finding in findings {
        if finding.path != path && finding.related.iter().all(|r| r.path != path) {
            continue;
        }
        let finding = std::sync::Arc::make_mut(finding);
        if finding.path == path {
            apply(&mut finding.range);
        }
        for related in finding.related.iter_mut().filter(|r| r.path == path) {
            apply(&mut related.range);
        }
    }
}
