//! An open document: its text in a rope, its parse tree kept current with incremental
//! re-parsing, and its summary.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};
use tree_sitter::{InputEdit, Point, Tree};

use super::encoding::Encoding;
use crate::analysis::summary::{new_parser, summarize_tree, FileSummary};
use crate::analysis::text::{LineCol, LineIndex, TextRange};

pub struct Document {
    pub version: i32,
    rope: Rope,
    /// The rope's text, materialised once per change for the parser, the summary and positions.
    pub text: Arc<str>,
    pub line_index: Arc<LineIndex>,
    tree: Option<Tree>,
    pub summary: Arc<FileSummary>,
    /// `summary.shape()`, kept to decide cheaply whether an edit changed what the module does.
    pub shape: Arc<FileSummary>,
}

impl Document {
    pub fn new(version: i32, text: &str) -> Self {
        let mut document = Document {
            version,
            rope: Rope::from_str(text),
            text: Arc::from(text),
            line_index: Arc::new(LineIndex::new(text)),
            tree: None,
            summary: Arc::default(),
            shape: Arc::default(),
        };
        document.reparse();
        document
    }

    /// Applies LSP content changes in order; ranges are in `encoding` units.
    pub fn apply_changes(&mut self, version: i32, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) {
        let count = changes.len();
        for (i, change) in changes.into_iter().enumerate() {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.tree = None;
                }
                Some(range) => self.apply_edit(range, &change.text, encoding),
            }
            // Later changes are positioned in the text that the earlier ones produced.
            if i + 1 < count {
                self.refresh_text();
            }
        }
        self.version = version;
        self.reparse();
    }

    fn apply_edit(&mut self, range: Range, new_text: &str, encoding: Encoding) {
        let start = self.offset(range.start, encoding);
        let end = self.offset(range.end, encoding).max(start);
        let start_position = self.point(start);
        let old_end_position = self.point(end);
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        let new_end_position = match new_text.rfind('\n') {
            Some(last) => Point {
                row: start_position.row + new_text.matches('\n').count(),
                column: new_text.len() - last - 1,
            },
            None => Point { row: start_position.row, column: start_position.column + new_text.len() },
        };
        if let Some(tree) = &mut self.tree {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: start + new_text.len(),
                start_position,
                old_end_position,
                new_end_position,
            });
        }
    }

    /// tree-sitter's point of a byte offset: rows count `\n` only (as the rope's lines do, with
    /// ropey's CR and Unicode line breaks turned off), columns are bytes.
    fn point(&self, offset: usize) -> Point {
        let row = self.rope.byte_to_line(offset);
        Point { row, column: offset - self.rope.line_to_byte(row) }
    }

    /// The byte offset of an LSP position (lines break at `\n`, `\r\n` and `\r`, as LSP says);
    /// positions past a line's end clamp to it, lines past the end clamp to the end.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let pos = LineCol { line: position.line, col: position.character };
        (match encoding {
            Encoding::Utf16 => self.line_index.offset_utf16(&self.text, pos),
            Encoding::Utf8 => self.line_index.offset_utf8(&self.text, pos),
        }) as usize
    }

    pub fn position(&self, offset: u32, encoding: Encoding) -> Position {
        encoding.position(&self.text, &self.line_index, offset)
    }

    pub fn range(&self, range: TextRange, encoding: Encoding) -> Range {
        Range { start: self.position(range.start, encoding), end: self.position(range.end, encoding) }
    }

    fn refresh_text(&mut self) {
        let text = self.rope.to_string();
        self.line_index = Arc::new(LineIndex::new(&text));
        self.text = Arc::from(text);
    }

    fn reparse(&mut self) {
        let text: String = self.rope.to_string();
        let mut parser = new_parser();
        let mut tree = parser.parse(&text, self.tree.as_ref());
        // Error recovery can end differently when it starts from an old tree; the summary must
        // be the one a fresh parse gives (it is what the command line sees), so broken text is
        // parsed again from scratch.
        if self.tree.is_some() && tree.as_ref().is_none_or(|t| t.root_node().has_error()) {
            tree = parser.parse(&text, None);
        }
        self.summary = Arc::new(match &tree {
            Some(tree) => summarize_tree(&text, tree),
            None => crate::analysis::summary::summarize(&text),
        });
        self.shape = Arc::new(self.summary.shape());
        self.tree = tree;
        self.line_index = Arc::new(LineIndex::new(&text));
        self.text = Arc::from(text);
    }
}
