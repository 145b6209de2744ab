//! What CPython's tokenizer makes of a file that tree-sitter could not parse: its logical lines
//! (for the indentation, see `indentation`), and its first error among those that tree-sitter
//! reports only as an error somewhere: an unterminated string, a closing bracket that closes
//! nothing or another kind of bracket, a backslash that does not end its line, a character that
//! no name may hold, a bracket still open at the end of the file.
//!
//! tree-sitter's recovery often starts its error at an earlier statement, or wraps the whole
//! module in one, so its tree cannot say where CPython's logical lines start. This scan reads
//! the text as the tokenizer does (`tok_get` in Parser/tokenizer.c): comments, strings with their
//! prefixes and escapes, brackets, and backslash continuations. f-strings are read as the
//! tokenizer before 3.12 reads them, as one string; a file that tree-sitter could not parse is
//! rarely one whose 3.12 f-strings reuse their quotes.
//!
//! The messages and lines were taken from CPython 3.8–3.13 on the same files (the tests below).

use super::indentation::BlockHeader;
use crate::analysis::text::LineIndex;

/// A logical line: where its first token starts, and the header it is when it ends with a colon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct LogicalLine {
    pub(super) start: usize,
    pub(super) header: Option<BlockHeader>,
}

/// An error of the tokenizer that tree-sitter reads as a syntax error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    /// A string that the end of its line (or of the file, for a triple-quoted one) ends. `end`
    /// is the line where the tokenizer noticed; `escaped_quote`: the string has a backslash
    /// before its own quote character, which 3.13 on mention.
    Unterminated { triple: bool, fstring: bool, end: u32, escaped_quote: bool },
    /// A closing bracket with no bracket open.
    Unmatched { closing: u8 },
    /// A closing bracket of another kind than the open one; `line` is the open one's line when
    /// it is another line than the closing one's.
    Mismatched { closing: u8, opening: u8, line: Option<u32> },
    /// A backslash followed by anything but the end of its line.
    Continuation,
    /// A character outside ASCII, outside strings and comments, that no identifier may hold
    /// there (`€`, a typographic quote, a no-break space).
    InvalidCharacter { character: char },
    /// A bracket still open at the end of the file, the innermost one. From 3.10 on the
    /// tokenizer reports it when the parser failed on its line or later; 3.8 and 3.9 report
    /// where their parser failed, which the tree's error stands for.
    NeverClosed { opening: u8 },
}

impl TokenProblem {
    /// CPython 3.`minor`'s message, without the "(file, line n)" that `str()` adds.
    pub fn message(self, minor: u32) -> String {
        match self {
            TokenProblem::Unterminated { triple: true, .. } if minor < 10 => "EOF while scanning triple-quoted string literal".to_string(),
            TokenProblem::Unterminated { .. } if minor < 10 => "EOL while scanning string literal".to_string(),
            TokenProblem::Unterminated { triple, fstring, end, escaped_quote } => {
                let quotes = if triple { "triple-quoted " } else { "" };
                let kind = if fstring && minor >= 12 { "f-string" } else { "string" };
                let hint = if escaped_quote && !triple && minor >= 13 { "; perhaps you escaped the end quote?" } else { "" };
                format!("unterminated {quotes}{kind} literal (detected at line {end}){hint}")
            }
            TokenProblem::Unmatched { closing } => format!("unmatched '{}'", char::from(closing)),
            TokenProblem::Mismatched { closing, opening, line } => {
                let on_line = line.map(|line| format!(" on line {line}")).unwrap_or_default();
                format!("closing parenthesis '{}' does not match opening parenthesis '{}'{on_line}", char::from(closing), char::from(opening))
            }
            TokenProblem::Continuation => "unexpected character after line continuation character".to_string(),
            TokenProblem::InvalidCharacter { .. } if minor < 9 => "invalid character in identifier".to_string(),
            TokenProblem::InvalidCharacter { character } if !is_printable(character) => {
                format!("invalid non-printable character U+{:04X}", u32::from(character))
            }
            TokenProblem::InvalidCharacter { character } => format!("invalid character '{character}' (U+{:04X})", u32::from(character)),
            TokenProblem::NeverClosed { opening } => format!("'{}' was never closed", char::from(opening)),
        }
    }

    /// Whether 3.`minor` raises it: 3.8 and 3.9 report a bracket open at the end where their
    /// parser fails.
    pub fn raised_on(self, minor: u32) -> bool {
        !matches!(self, TokenProblem::NeverClosed { .. }) || minor >= 10
    }

    pub fn describe(self) -> &'static str {
        match self {
            TokenProblem::Unterminated { .. } => "an unterminated string",
            TokenProblem::Unmatched { .. } => "a closing bracket that closes nothing",
            TokenProblem::Mismatched { .. } => "a closing bracket of another kind than the open one",
            TokenProblem::Continuation => "a backslash that does not end its line",
            TokenProblem::InvalidCharacter { .. } => "a character that Python code cannot hold",
            TokenProblem::NeverClosed { .. } => "a bracket that is never closed",
        }
    }
}

/// What the scan found: the logical lines up to the tokenizer's first error, and that error
/// with the offsets of its token and of the place whose line 3.8 and 3.9 report.
pub(super) struct Scanned {
    pub(super) lines: Vec<LogicalLine>,
    pub(super) error: Option<(usize, usize, TokenProblem)>,
}

/// Scans `text` as CPython's tokenizer does; see the module's documentation.
pub(super) fn scan(text: &str, index: &LineIndex) -> Scanned {
    let bytes = text.as_bytes();
    let line_of = |at: usize| index.line_number(at as u32);
    let mut lines = Vec::new();
    let mut brackets: Vec<(u8, usize)> = Vec::new();
    // The current logical line: its start, and whether its last token so far is a colon.
    let mut current: Option<usize> = None;
    let mut colon_last = false;
    let mut at = 0;
    let mut line_start = true;
    let mut error = None;
    let end_line = |lines: &mut Vec<LogicalLine>, current: &mut Option<usize>, colon_last: bool| {
        if let Some(start) = current.take() {
            let header = if colon_last { header_of(bytes, start) } else { None };
            lines.push(LogicalLine { start, header });
        }
    };
    while at < bytes.len() {
        if line_start {
            line_start = false;
            // Blank and comment lines start no logical line; neither does a line inside brackets
            // or after a backslash, which `current` still holds.
            let first = at + bytes[at..].iter().take_while(|b| matches!(b, b' ' | b'\t' | 0x0c)).count();
            if current.is_none() && !matches!(bytes.get(first), None | Some(b'#' | b'\n' | b'\r')) {
                current = Some(first);
                colon_last = false;
            }
            at = first;
            continue;
        }
        let byte = bytes[at];
        let is_word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80;
        if matches!(byte, b'\'' | b'"') || is_word(&byte) {
            // A name, a number or a string, whose prefix reads as a name up to its quote.
            let mut quote = at;
            if is_word(&byte) {
                let word_end = at + bytes[at..].iter().take_while(|b| is_word(b)).count();
                if let Some((bad, character)) = invalid_character(&text[at..word_end]) {
                    error = Some((at + bad, at + bad, TokenProblem::InvalidCharacter { character }));
                    break;
                }
                if !(matches!(bytes.get(word_end), Some(b'\'' | b'"')) && is_string_prefix(&bytes[at..word_end])) {
                    colon_last = false;
                    at = word_end;
                    continue;
                }
                quote = word_end;
            }
            match string(bytes, at, quote, &line_of) {
                Ok(end) => {
                    colon_last = false;
                    at = end;
                    continue;
                }
                Err(found) => {
                    error = Some(found);
                    break;
                }
            }
        }
        match byte {
            b'\n' => {
                if brackets.is_empty() {
                    end_line(&mut lines, &mut current, colon_last);
                }
                line_start = true;
                at += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | 0x0c => {
                at += 1;
                continue;
            }
            b'#' => {
                at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |end| at + end);
                continue;
            }
            b'\\' => {
                let next = if bytes.get(at + 1) == Some(&b'\r') { at + 2 } else { at + 1 };
                if bytes.get(next) == Some(&b'\n') {
                    at = next + 1;
                    continue;
                }
                error = Some((at, at, TokenProblem::Continuation));
                break;
            }
            b'(' | b'[' | b'{' => brackets.push((byte, at)),
            b')' | b']' | b'}' => match brackets.pop() {
                None => {
                    error = Some((at, at, TokenProblem::Unmatched { closing: byte }));
                    break;
                }
                Some((opening, open_at)) if opening != matching(byte) => {
                    let line = (line_of(open_at) != line_of(at)).then(|| line_of(open_at));
                    error = Some((at, at, TokenProblem::Mismatched { closing: byte, opening, line }));
                    break;
                }
                Some(_) => {}
            },
            _ => {}
        }
        colon_last = byte == b':' && brackets.is_empty() && bytes.get(at + 1) != Some(&b'=');
        at += 1;
    }
    if error.is_none() {
        if let Some(&(opening, open_at)) = brackets.last() {
            error = Some((open_at, open_at, TokenProblem::NeverClosed { opening }));
        } else {
            end_line(&mut lines, &mut current, colon_last);
        }
    }
    // A logical line that starts after the error is never read.
    if let Some((at, ..)) = error {
        lines.retain(|line| line.start <= at);
        if let Some(start) = current.filter(|start| *start <= at && lines.last().is_none_or(|line| line.start != *start)) {
            lines.push(LogicalLine { start, header: None });
        }
    }
    Scanned { lines, error }
}

/// Reads the string literal whose prefix starts at `start` and whose quote is at `quote`;
/// returns its end, or the error with the offsets whose lines 3.10 on and 3.8–3.9 report.
fn string(bytes: &[u8], start: usize, quote: usize, line_of: &dyn Fn(usize) -> u32) -> Result<usize, (usize, usize, TokenProblem)> {
    let character = bytes[quote];
    let triple = bytes.get(quote + 1) == Some(&character) && bytes.get(quote + 2) == Some(&character);
    let fstring = bytes[start..quote].iter().any(|b| b | 0x20 == b'f');
    let mut at = quote + if triple { 3 } else { 1 };
    let mut escaped_quote = false;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => {
                escaped_quote |= bytes.get(at + 1) == Some(&character);
                // A backslash escapes the next character, in raw strings too, as far as finding
                // the end goes; "\r\n" counts as one.
                at += if bytes.get(at + 1) == Some(&b'\r') && bytes.get(at + 2) == Some(&b'\n') { 3 } else { 2 };
            }
            b'\n' if !triple => {
                let eol = if at > 0 && bytes[at - 1] == b'\r' { at - 1 } else { at };
                let problem = TokenProblem::Unterminated { triple, fstring, end: line_of(eol), escaped_quote };
                return Err((start, eol, problem));
            }
            byte if byte == character => {
                if !triple {
                    return Ok(at + 1);
                }
                if bytes.get(at + 1) == Some(&character) && bytes.get(at + 2) == Some(&character) {
                    return Ok(at + 3);
                }
                at += 1;
            }
            _ => at += 1,
        }
    }
    // The end of the file, on its last line: the last character's first byte.
    let last = (start..bytes.len()).rev().find(|&at| (bytes[at] & 0xc0) != 0x80).unwrap_or(start);
    Err((start, last, TokenProblem::Unterminated { triple, fstring, end: line_of(last), escaped_quote }))
}

/// The first character of a word (a run of letters, digits, `_` and characters outside ASCII)
/// that no identifier may hold there, with its offset in the word. A number's letters are
/// ASCII, so only names reach the check.
fn invalid_character(word: &str) -> Option<(usize, char)> {
    if word.is_ascii() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    word.char_indices().find(|&(at, character)| {
        let valid = if at == 0 { character == '_' || unicode_ident::is_xid_start(character) } else { unicode_ident::is_xid_continue(character) };
        !valid
    })
}

/// Whether `str.isprintable()` holds for the character: not a control, format, separator
/// (but the space), surrogate or private-use character.
fn is_printable(character: char) -> bool {
    !(character.is_control()
        || (character.is_whitespace() && character != ' ')
        || matches!(character, '\u{ad}' | '\u{600}'..='\u{605}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{e000}'..='\u{f8ff}'))
}

/// The opening bracket that `closing` closes.
fn matching(closing: u8) -> u8 {
    match closing {
        b')' => b'(',
        b']' => b'[',
        _ => b'{',
    }
}

/// Whether a word before a quote makes it a string's prefix (`rb`, `f`), as the tokenizer of
/// 3.8–3.13 knows them; any other word is a name, and the quote starts a string of its own.
fn is_string_prefix(word: &[u8]) -> bool {
    let lower: Vec<u8> = word.iter().map(|b| b | 0x20).collect();
    matches!(lower.as_slice(), b"r" | b"u" | b"b" | b"f" | b"br" | b"rb" | b"fr" | b"rf")
}

/// The header that the logical line starting at `start` is, by its first word (or its second,
/// after `async`).
fn header_of(bytes: &[u8], start: usize) -> Option<BlockHeader> {
    let word_at = |at: usize| {
        let end = at + bytes[at..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        (&bytes[at..end], end)
    };
    let (mut word, mut end) = word_at(start);
    if word == b"async" {
        let next = end + bytes[end..].iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
        (word, end) = word_at(next);
    }
    Some(match word {
        b"def" => BlockHeader::Function,
        b"class" => BlockHeader::Class,
        b"if" => BlockHeader::Keyword("if"),
        b"elif" => BlockHeader::Keyword("elif"),
        b"else" => BlockHeader::Keyword("else"),
        b"for" => BlockHeader::Keyword("for"),
        b"while" => BlockHeader::Keyword("while"),
        b"with" => BlockHeader::Keyword("with"),
        b"try" => BlockHeader::Keyword("try"),
        b"except" if bytes[end..].iter().find(|b| !matches!(b, b' ' | b'\t')) == Some(&b'*') => BlockHeader::Keyword("except*"),
        b"except" => BlockHeader::Keyword("except"),
        b"finally" => BlockHeader::Keyword("finally"),
        b"match" => BlockHeader::Keyword("match"),
        b"case" => BlockHeader::Keyword("case"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::summary::check_raised as check;

    const ERROR: &str = "SyntaxError";

    #[test]
    fn unterminated_strings() {
        let eol = "EOL while scanning string literal";
        check("x = 1\ny = 'abc\nz = 2\n", &[(9, Some((2, eol, ERROR))), (10, Some((2, "unterminated string literal (detected at line 2)", ERROR)))]);
        // A backslash continues the string on the next line, where the end of the line is met.
        check(
            "x = 1\ny = 'abc\\\ndef\nz = 2\n",
            &[(8, Some((3, eol, ERROR))), (13, Some((2, "unterminated string literal (detected at line 3)", ERROR)))],
        );
        check("x = 'abc", &[(8, Some((1, eol, ERROR))), (11, Some((1, "unterminated string literal (detected at line 1)", ERROR)))]);
        check("x = b'abc\n", &[(12, Some((1, "unterminated string literal (detected at line 1)", ERROR)))]);
        check(
            "x = f'abc{1}\n",
            &[(11, Some((1, "unterminated string literal (detected at line 1)", ERROR))), (12, Some((1, "unterminated f-string literal (detected at line 1)", ERROR)))],
        );
        check(
            "x = r'abc\\'\n",
            &[
                (12, Some((1, "unterminated string literal (detected at line 1)", ERROR))),
                (13, Some((1, "unterminated string literal (detected at line 1); perhaps you escaped the end quote?", ERROR))),
            ],
        );
        let triple = "EOF while scanning triple-quoted string literal";
        check(
            "x = 1\ny = '''abc\n\n\nz = 2\n",
            &[(9, Some((5, triple, ERROR))), (10, Some((2, "unterminated triple-quoted string literal (detected at line 5)", ERROR)))],
        );
        check("x = '''abc", &[(8, Some((1, triple, ERROR))), (13, Some((1, "unterminated triple-quoted string literal (detected at line 1)", ERROR)))]);
    }

    #[test]
    fn brackets_and_backslashes() {
        check("x = 1\n}\n", &[(8, Some((2, "unmatched '}'", ERROR))), (13, Some((2, "unmatched '}'", ERROR)))]);
        let mismatch = "closing parenthesis ')' does not match opening parenthesis '['";
        check("x = [1, 2)\ny = 3\n", &[(8, Some((1, mismatch, ERROR))), (13, Some((1, mismatch, ERROR)))]);
        let on_line = "closing parenthesis ')' does not match opening parenthesis '[' on line 1";
        check("x = [1,\n 2)\n", &[(8, Some((2, on_line, ERROR))), (13, Some((2, on_line, ERROR)))]);
        let continuation = "unexpected character after line continuation character";
        check("x = 1 \\ # c\n", &[(8, Some((1, continuation, ERROR))), (13, Some((1, continuation, ERROR)))]);
        // Characters that no name holds, where a name would stand.
        for (source, line, message) in [
            ("\u{20ac} = 2\n", 1, "invalid character '\u{20ac}' (U+20AC)"),
            ("x\u{20ac} = 1\n", 1, "invalid character '\u{20ac}' (U+20AC)"),
            ("x = 1\ny = a \u{2044} b\n", 2, "invalid character '\u{2044}' (U+2044)"),
            ("x = \u{a0} 1\n", 1, "invalid non-printable character U+00A0"),
            ("print(\u{201c}hi\u{201d})\n", 1, "invalid character '\u{201c}' (U+201C)"),
        ] {
            check(source, &[(8, Some((line, "invalid character in identifier", ERROR))), (9, Some((line, message, ERROR))), (13, Some((line, message, ERROR)))]);
        }
        check("x = (1 2)\ny = \u{20ac}\n", &[(9, Some((1, "invalid syntax", ERROR))), (10, Some((2, "invalid character '\u{20ac}' (U+20AC)", ERROR)))]);
        check("\u{e9} = 1\n", &[(8, None), (13, None)]);
        // From 3.10 a bracket open at the end is named, at its line; the innermost one.
        for (source, line, message) in [
            ("x = 1\ny = foo(1,\n       2\nz = 3\nw = 4\n", 2, "'(' was never closed"),
            ("x = foo(1, [2,\n 3\n", 1, "'[' was never closed"),
            ("def f():\n    return foo(1,\n\nx = 1\n", 2, "'(' was never closed"),
            ("def f():\n    x = (1,\n  2\n", 2, "'(' was never closed"),
            ("x = foo(1 2\n", 1, "'(' was never closed"),
            ("d = {\n  'a': 1,\n  'b': 2,\n", 1, "'{' was never closed"),
        ] {
            check(source, &[(10, Some((line, message, ERROR))), (13, Some((line, message, ERROR)))]);
        }
    }

    #[test]
    fn which_error_comes_first() {
        let zeros = "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers";
        let unterminated = "unterminated string literal (detected at line 2)";
        // The tokenizer's errors come in the file's order; from 3.10 they replace a parser
        // error before them, but not "unexpected indent", and a bracket never closed only
        // when the parser failed on its line or later.
        check("x = 010\ny = 'abc\n", &[(8, Some((1, zeros, ERROR))), (13, Some((1, zeros, ERROR)))]);
        check("y = 'abc\nx = 010\n", &[(13, Some((1, "unterminated string literal (detected at line 1)", ERROR)))]);
        check("x = = 1\ny = 'abc\n", &[(9, Some((1, "invalid syntax", ERROR))), (10, Some((2, unterminated, ERROR)))]);
        check("x = = 1\ny = 1)\n", &[(9, Some((1, "invalid syntax", ERROR))), (10, Some((2, "unmatched ')'", ERROR)))]);
        check("x = = 1\ny = (1,\n", &[(13, Some((1, "invalid syntax", ERROR)))]);
        check("x = (1,\ny = 010\n", &[(13, Some((2, zeros, ERROR)))]);
        check("x = 1\n    y = 2\nz = 'abc\n", &[(13, Some((2, "unexpected indent", "IndentationError")))]);
        check("def f():\nreturn 1\nx = 'abc\n", &[(9, Some((2, "expected an indented block", "IndentationError"))), (10, Some((3, "unterminated string literal (detected at line 3)", ERROR)))]);
        // The indentation of a file that tree-sitter cannot parse, read from its text.
        check("if True:\n        x = 1\n      else:\n    y = (\n", &[(8, Some((3, "unindent does not match any outer indentation level", "IndentationError")))]);
        check("x = 1\nelse:\n    pass\n", &[(11, Some((2, "invalid syntax", ERROR)))]);
    }
}
