//! A second parse for the files where tree-sitter-python's indentation scanner is wrong: inside
//! brackets, Python ignores line breaks and indentation, but the scanner ends the block when a
//! line continues an expression further left than the block's indentation, after a token that
//! cannot close the bracket (tree-sitter-python issue #256):
//!
//! ```python
//! if x:
//!     total = (first +
//! second)
//! ```
//!
//! CPython compiles this, and the standard library's own tests have it. When a tree has an
//! error, the text is parsed again with every line break inside brackets turned into a space, which
//! keeps every byte offset and means to Python what the line break meant; the second tree is
//! taken only when it has no error at all.

use tree_sitter::Tree;

/// The tree of `text` with its bracketed line breaks read as spaces, if the text has any and that
/// tree has no error.
pub(super) fn reparse(text: &str) -> Option<Tree> {
    let joined = join_bracketed_lines(text)?;
    super::parse(&joined).filter(|tree| !tree.root_node().has_error())
}

/// `text` with each line break inside brackets replaced by a space (`\r\n` by two), or `None` when
/// no line inside brackets starts left of the line where its bracket opened, which is the only
/// place where tree-sitter-python goes wrong (so a text with an error of its own is not parsed
/// twice for nothing, as the language server would on every edit of a broken file). A line inside
/// brackets that ends in a comment keeps its line break, since the comment would otherwise run
/// on into the next line. Strings are skipped by Python's rules before 3.12 (a quote of the
/// string's own kind ends it, a backslash escapes the next byte); a text that this misreads only
/// makes a second tree with errors, which is not taken.
fn join_bracketed_lines(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut joined: Option<Vec<u8>> = None;
    let mut depth = 0usize;
    // The indentation of the current line, and of the line where the outermost open bracket
    // opened.
    let mut line_indent = indentation(bytes, 0);
    let mut opened_indent = 0;
    let mut dedented = false;
    // The line ends in a comment, whose line break must stay.
    let mut comment = false;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'(' | b'[' | b'{' => {
                if depth == 0 {
                    opened_indent = line_indent;
                }
                depth += 1;
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'#' => {
                // A comment runs to the end of its line.
                comment = true;
                at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |end| at + end);
                continue;
            }
            b'\\' => at += 1,
            quote @ (b'\'' | b'"') => {
                at = string_end(bytes, at, quote);
                continue;
            }
            b'\n' => {
                line_indent = indentation(bytes, at + 1);
                if depth > 0 {
                    dedented |= line_indent < opened_indent;
                    if !comment {
                        joined.get_or_insert_with(|| bytes.to_vec())[at] = b' ';
                    }
                }
                comment = false;
            }
            // A `\r` before a comment's `\n` was skipped with the comment.
            b'\r' if depth > 0 => joined.get_or_insert_with(|| bytes.to_vec())[at] = b' ',
            _ => {}
        }
        at += 1;
    }
    // Only ASCII line breaks were replaced by ASCII spaces, so the text is still UTF-8.
    joined.filter(|_| dedented).map(|bytes| String::from_utf8(bytes).unwrap_or_default())
}

/// The width of the blanks that start the line at `start` (a tab counts as one: only "less
/// than" matters, and a line that mixes them is rare).
fn indentation(bytes: &[u8], start: usize) -> usize {
    bytes.get(start..).unwrap_or_default().iter().take_while(|b| matches!(b, b' ' | b'\t')).count()
}

/// The offset just past the string literal whose opening quote is at `start`.
fn string_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let triple = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut at = start + if triple { 3 } else { 1 };
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 1,
            b'\n' if !triple => return at,
            byte if byte == quote => {
                if !triple {
                    return at + 1;
                }
                if bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote) {
                    return at + 3;
                }
            }
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_only_the_line_breaks_inside_brackets() {
        let text = "if x:\n    y = (a +\nb)  # (\n    z = [\n  1,  # one\n  2]\ns = '(' \"\"\"\n(\n\"\"\"\n";
        let joined = join_bracketed_lines(text).unwrap();
        assert_eq!(joined, "if x:\n    y = (a + b)  # (\n    z = [   1,  # one\n  2]\ns = '(' \"\"\"\n(\n\"\"\"\n");
        assert_eq!(joined.len(), text.len());
        assert_eq!(join_bracketed_lines("x = 1\ny = 2\n"), None);
        // Brackets whose lines all stand right of where they opened need no second parse.
        assert_eq!(join_bracketed_lines("if x:\n    y = f(\n        1,\n    )\n"), None);
    }

    #[test]
    fn a_dedented_continuation_parses_the_second_time() {
        // tree-sitter-python reads the first text with an error; CPython compiles it.
        let text = "def f():\n    (bar.\nbaz)\n    return (1 +\n2)\n";
        assert!(super::super::parse(text).unwrap().root_node().has_error());
        assert!(reparse(text).is_some());
        let summary = super::super::summarize(text);
        assert!(summary.syntax_errors.is_empty());
        // Text that no parse can mend keeps its errors.
        assert!(super::super::summarize("x = (1,\n").syntax_errors.len() == 1);
    }
}
