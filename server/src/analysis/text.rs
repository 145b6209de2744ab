//! Byte ranges and line tables.
//!
//! Everything inside the analysis keeps positions as byte offsets into the file's text; lines and
//! character or UTF-16 columns are computed only at the edges (command-line output, LSP).

use serde::Serialize;

/// A half-open byte range `[start, end)` into one file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        TextRange { start: start as u32, end: end as u32 }
    }

    pub fn contains(&self, offset: u32) -> bool {
        self.start <= offset && offset < self.end
    }
}

/// Line starts of a text, so that byte offsets can be turned into lines and columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
}

/// A 0-based line and a 0-based column whose unit depends on the function that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        // Counting the newlines first (memchr compares many bytes per instruction) sizes the
        // table exactly for the usual line endings, so it neither grows nor keeps spare room.
        let mut line_starts = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
        line_starts.push(0);
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // A lone carriage return ends a line for Python's tokenizer as well.
            if bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n') {
                line_starts.push(at as u32 + 1);
            }
        }
        LineIndex { line_starts, len: text.len() as u32 }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line holding `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line as u32,
            Err(next) => next as u32 - 1,
        }
    }

    /// The 1-based line number of `offset`, as Python and the command line count lines.
    pub fn line_number(&self, offset: u32) -> u32 {
        self.line_of(offset) + 1
    }

    pub fn line_start(&self, line: u32) -> u32 {
        self.line_starts.get(line as usize).copied().unwrap_or(self.len)
    }

    /// The byte range of a 0-based line, without its line terminator.
    pub fn line_range(&self, text: &str, line: u32) -> TextRange {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end as usize - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        TextRange { start, end }
    }

    /// Line and column in Unicode scalar values (characters), as the JSON output counts them.
    pub fn line_col_chars(&self, text: &str, offset: u32) -> LineCol {
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        let end = floor_char_boundary(text, (offset.min(self.len)) as usize);
        LineCol { line, col: text[start..end].chars().count() as u32 }
    }

    /// Line and column in UTF-16 code units, the LSP default.
    pub fn line_col_utf16(&self, text: &str, offset: u32) -> LineCol {
        let line = self.line_of(offset);
        let start = self.line_start(line) as usize;
        let end = floor_char_boundary(text, (offset.min(self.len)) as usize);
        LineCol { line, col: text[start..end].chars().map(char::len_utf16).sum::<usize>() as u32 }
    }

    /// The byte offset of a line and UTF-16 column; columns past the end of the line clamp to it.
    pub fn offset_utf16(&self, text: &str, pos: LineCol) -> u32 {
        if pos.line as usize >= self.line_starts.len() {
            return self.len;
        }
        let range = self.line_range(text, pos.line);
        let mut units = 0u32;
        for (i, ch) in text[range.start as usize..range.end as usize].char_indices() {
            if units >= pos.col {
                return range.start + i as u32;
            }
            units += ch.len_utf16() as u32;
        }
        range.end
    }

    /// The byte offset of a line and a column counted in bytes; columns past the end clamp.
    pub fn offset_utf8(&self, text: &str, pos: LineCol) -> u32 {
        if pos.line as usize >= self.line_starts.len() {
            return self.len;
        }
        let range = self.line_range(text, pos.line);
        floor_char_boundary(text, (range.start + pos.col).min(range.end) as usize) as u32
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_utf16_units() {
        let text = "a = 1\r\ns = 'é😀' + x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(index.line_col_chars(text, x), LineCol { line: 1, col: 11 });
        assert_eq!(index.line_col_utf16(text, x), LineCol { line: 1, col: 12 });
        assert_eq!(index.offset_utf16(text, LineCol { line: 1, col: 12 }), x);
        assert_eq!(index.line_range(text, 0), TextRange { start: 0, end: 5 });
        assert_eq!(index.line_number(x), 2);
    }

    #[test]
    fn lines_end_at_each_newline_and_lone_carriage_return() {
        for (text, starts) in [
            ("", vec![0]),
            ("a\nb", vec![0, 2]),
            ("a\r\nb\rc\n", vec![0, 3, 5, 7]),
            ("\r\r\n\n\r", vec![0, 1, 3, 4, 5]),
        ] {
            let index = LineIndex::new(text);
            let found: Vec<u32> = (0..index.line_count() as u32).map(|line| index.line_start(line)).collect();
            assert_eq!(found, starts, "line starts of {text:?}");
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset_utf16(text, LineCol { line: 9, col: 0 }), 5);
        assert_eq!(index.offset_utf16(text, LineCol { line: 0, col: 99 }), 2);
        assert_eq!(index.line_of(999), 1);
    }
}
