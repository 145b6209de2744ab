//! Output formats of `check`: text, JSON, SARIF and GitHub workflow commands.
//!
//! The analysis works in byte offsets; here they become 1-based lines and 1-based columns
//! counted in characters, read from the files' text.

mod github;
mod json;
mod sarif;
mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::source::decode_python_source;
use crate::analysis::text::{LineIndex, TextRange};
use crate::workspace::Problem;

pub use github::render as github;
pub use json::render as json;
pub use sarif::render as sarif;
pub use text::render as text;

/// The text of the files that findings point into, read when first needed.
pub struct Sources {
    root: PathBuf,
    files: HashMap<String, Option<(String, LineIndex)>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

impl Sources {
    pub fn new(root: &Path) -> Self {
        Sources { root: root.to_path_buf(), files: HashMap::new() }
    }

    pub fn text(&mut self, path: &str) -> Option<&str> {
        self.load(path).map(|(text, _)| text.as_str())
    }

    fn load(&mut self, path: &str) -> Option<&(String, LineIndex)> {
        let root = &self.root;
        self.files
            .entry(path.to_string())
            .or_insert_with(|| {
                let bytes = std::fs::read(root.join(path)).ok()?;
                let text = decode_python_source(&bytes).ok()?;
                let index = LineIndex::new(&text);
                Some((text, index))
            })
            .as_ref()
    }

    /// 1-based line and character column of both ends of a range.
    pub fn range(&mut self, path: &str, range: TextRange) -> Range {
        match self.load(path) {
            Some((text, index)) => {
                let start = index.line_col_chars(text, range.start);
                let end = index.line_col_chars(text, range.end);
                Range {
                    start: Position { line: start.line + 1, column: start.col + 1 },
                    end: Position { line: end.line + 1, column: end.col + 1 },
                }
            }
            None => Range { start: Position { line: 1, column: 1 }, end: Position { line: 1, column: 1 } },
        }
    }
}

/// What every format needs: the findings, the files they point into, and the run's totals.
pub struct Report<'a> {
    pub diagnostics: &'a [Diagnostic],
    pub problems: &'a [Problem],
    pub files: usize,
    pub modules: usize,
    pub root: &'a Path,
    /// Prepended to root-relative paths in the text and GitHub formats, so that paths are
    /// relative to the current folder as in other linters (JSON and SARIF stay root-relative).
    pub display_prefix: String,
}

impl Report<'_> {
    pub fn display_path(&self, path: &str) -> String {
        format!("{}{path}", self.display_prefix)
    }
}
