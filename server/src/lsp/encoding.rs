//! Position encodings: UTF-16 by default, UTF-8 when the client offers it.

use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

use crate::analysis::text::{LineIndex, TextRange};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    #[default]
    Utf16,
    Utf8,
}

impl Encoding {
    /// UTF-8 when the client lists it (it saves conversions), else the mandatory UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf8 => PositionEncodingKind::UTF8,
        }
    }

    pub fn position(self, text: &str, index: &LineIndex, offset: u32) -> Position {
        let lc = match self {
            Encoding::Utf16 => index.line_col_utf16(text, offset),
            Encoding::Utf8 => {
                let line = index.line_of(offset);
                crate::analysis::text::LineCol { line, col: offset.min(text.len() as u32) - index.line_start(line) }
            }
        };
        Position { line: lc.line, character: lc.col }
    }

    pub fn range(self, text: &str, index: &LineIndex, range: TextRange) -> Range {
        Range { start: self.position(text, index, range.start), end: self.position(text, index, range.end) }
    }
}
