//! Escape sequences that do not decode: `'\x4'`, `'C:\Users'` (a `\U` that eight hex digits do
//! not follow), `'\U00110000'`, `'\N'` without a name in braces, and `b'\x4'`. tree-sitter reads
//! them as string text; CPython decodes every literal while it parses and refuses the file, so
//! a Windows path in a plain string is enough to make a module's import raise SyntaxError.
//!
//! The message names the escape's place in what the decoder reads, which is not the literal's
//! text: CPython first spells every character outside ASCII as a ten-byte `\U` escape, and a
//! backslash before one as `\u005c` (Parser/string_parser.c, `decode_unicode_with_escapes`).
//! 3.8 finds the error while it builds the AST, at the start of the run of concatenated strings;
//! 3.9–3.11 report the run's last line, 3.12 on the literal's first. Names in `\N{...}` are not
//! looked up: that needs Unicode's name table, and an unknown name is left undecided, as no
//! error.

use tree_sitter::Node;

use super::lexical::{prefix_has, string_prefix};
use super::newer_syntax::{NewerSyntax, SyntaxFeature};
use super::syntax::{kind, node_text, Children, Kind, Which};
use crate::analysis::text::TextRange;

/// Why an escape does not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscapeError {
    /// `\x` without two hex digits in a string.
    TruncatedX,
    /// `\u` without four hex digits.
    TruncatedSmallU,
    /// `\U` without eight hex digits.
    TruncatedLargeU,
    /// `\U` beyond U+10FFFF.
    IllegalCharacter,
    /// `\N` without a name in braces.
    MalformedName,
    /// `\x` without two hex digits in bytes.
    BytesX,
}

/// An escape that does not decode, with its place in what the decoder reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscapeProblem {
    pub error: EscapeError,
    /// The offset of the backslash.
    pub start: u32,
    /// The offset after the last byte the decoder read.
    pub end: u32,
}

impl EscapeProblem {
    /// CPython's message, which every version from 3.8 to 3.13 words alike.
    pub fn message(self) -> String {
        let reason = match self.error {
            EscapeError::BytesX => return format!("(value error) invalid \\x escape at position {}", self.start),
            EscapeError::TruncatedX => "truncated \\xXX escape",
            EscapeError::TruncatedSmallU => "truncated \\uXXXX escape",
            EscapeError::TruncatedLargeU => "truncated \\UXXXXXXXX escape",
            EscapeError::IllegalCharacter => "illegal Unicode character",
            EscapeError::MalformedName => "malformed \\N character escape",
        };
        format!(
            "(unicode error) 'unicodeescape' codec can't decode bytes in position {}-{}: {reason}",
            self.start,
            self.end.saturating_sub(1)
        )
    }
}

/// Every string literal whose escapes do not decode, with its first such escape. Only strings
/// with a backslash before `x`, `u`, `U` or `N` are read.
pub(super) fn collect<'a>(text: &str, root: Node<'a>, kids: &Children<'a>) -> Vec<NewerSyntax> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // The end of the last string read: its other escapes need no second look.
    let mut read_up_to = 0;
    for at in memchr::memchr_iter(b'\\', bytes) {
        if at < read_up_to || !matches!(bytes.get(at + 1), Some(b'x' | b'u' | b'U' | b'N')) {
            continue;
        }
        let Some(string) = enclosing_string(root.descendant_for_byte_range(at, at + 1)) else { continue };
        read_up_to = string.end_byte();
        if let Some(problem) = string_problem(string, text, kids) {
            let run = string.parent().filter(|p| kind(*p) == Kind::ConcatenatedString).unwrap_or(string);
            let feature = SyntaxFeature::BadEscape {
                problem,
                run_start: run.start_byte() as u32,
                run_end: run.end_byte().saturating_sub(1) as u32,
            };
            found.push(NewerSyntax { range: TextRange::new(string.start_byte(), string.end_byte()), feature, suggestion: None });
        }
    }
    found
}

/// The string literal that a node of its text belongs to.
fn enclosing_string(node: Option<Node>) -> Option<Node> {
    let mut node = node?;
    loop {
        match kind(node) {
            Kind::String => return Some(node),
            Kind::StringContent | Kind::StringStart | Kind::StringEnd => node = node.parent()?,
            // An escape tree-sitter knows, or a backslash that starts none it knows.
            _ if !node.is_named() || node.kind() == "escape_sequence" => node = node.parent()?,
            _ => return None,
        }
    }
}

/// The first escape of a literal that does not decode. Raw literals decode none; an
/// f-string's text is decoded part by part between its fields.
fn string_problem<'a>(string: Node<'a>, text: &str, kids: &Children<'a>) -> Option<EscapeProblem> {
    let start = kids.iter(string, Which::All).find(|part| kind(*part) == Kind::StringStart)?;
    let prefix = string_prefix(start, text);
    if prefix_has(prefix, b'r') {
        return None;
    }
    let bytes = prefix_has(prefix, b'b');
    if prefix_has(prefix, b'f') {
        return kids
            .iter(string, Which::All)
            .filter(|part| kind(*part) == Kind::StringContent)
            .find_map(|part| first_problem(node_text(part, text), bytes));
    }
    let end = kids.iter(string, Which::All).find(|part| kind(*part) == Kind::StringEnd)?;
    first_problem(text.get(start.end_byte()..end.start_byte())?, bytes)
}

/// The first escape of a literal's text that does not decode.
fn first_problem(content: &str, bytes: bool) -> Option<EscapeProblem> {
    let raw = content.as_bytes();
    let mut at = 0;
    // The offset in what the decoder reads (see the module's documentation).
    let mut position = 0u32;
    while at < raw.len() {
        let byte = raw[at];
        if byte >= 0x80 {
            // A character outside ASCII: the decoder reads `\UXXXXXXXX` for it.
            let width = content[at..].chars().next().map_or(1, char::len_utf8);
            at += width;
            position += if bytes { width as u32 } else { 10 };
            continue;
        }
        if byte != b'\\' {
            at += 1;
            position += 1;
            continue;
        }
        let start = position;
        let &letter = raw.get(at + 1)?;
        if letter >= 0x80 {
            // A backslash before a character outside ASCII reads as `\` and `u005c`.
            at += 1;
            position += if bytes { 1 } else { 6 };
            continue;
        }
        let hex = |count: usize| raw[at + 2..].iter().take(count).take_while(|b| b.is_ascii_hexdigit()).count();
        let problem = |error, read: usize| Some(EscapeProblem { error, start, end: start + read as u32 });
        match letter {
            b'x' if hex(2) < 2 => {
                let error = if bytes { EscapeError::BytesX } else { EscapeError::TruncatedX };
                return problem(error, 2 + hex(2));
            }
            b'u' if !bytes && hex(4) < 4 => return problem(EscapeError::TruncatedSmallU, 2 + hex(4)),
            b'U' if !bytes && hex(8) < 8 => return problem(EscapeError::TruncatedLargeU, 2 + hex(8)),
            b'U' if !bytes => {
                let value = u32::from_str_radix(&content[at + 2..at + 10], 16).unwrap_or(u32::MAX);
                if value > 0x10FFFF {
                    return problem(EscapeError::IllegalCharacter, 10);
                }
            }
            b'N' if !bytes => {
                // A name in braces; an unknown one is not looked up (see the module's notes).
                let read = match raw.get(at + 2) {
                    // The decoder stops at the brace of an empty name, or at the end of the
                    // text when no brace closes the name.
                    Some(b'{') => match raw[at + 3..].iter().position(|b| *b == b'}') {
                        Some(0) => Some(3),
                        Some(_) => None,
                        None => Some(content.len() - at),
                    },
                    _ => Some(2),
                };
                if let Some(read) = read {
                    return problem(EscapeError::MalformedName, read);
                }
            }
            _ => {}
        }
        // Any other escape is two bytes of the literal; the ones checked above are read on as
        // plain text, which has the same offsets.
        at += 2;
        position += 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each literal's text with CPython's message for it (3.8–3.13 agree), or nothing.
    #[test]
    fn messages_are_cpythons() {
        let cases: &[(&str, bool, Option<&str>)] = &[
            (r"C:\Users\me", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 2-3: truncated \UXXXXXXXX escape")),
            (r"ab\x4g", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 2-4: truncated \xXX escape")),
            (r"\x", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: truncated \xXX escape")),
            (r"\u12", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 0-3: truncated \uXXXX escape")),
            (r"\U00110000", false, Some("(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character")),
            (r"\N", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: malformed \N character escape")),
            (r"\N{abc", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 0-5: malformed \N character escape")),
            (r"\N{BULLET}", false, None),
            (r"\N{}", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: malformed \N character escape")),
            ("é😀\\x4", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 20-22: truncated \xXX escape")),
            ("\\é\\x4", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 16-18: truncated \xXX escape")),
            (r"ab\x4", true, Some(r"(value error) invalid \x escape at position 2")),
            (r"\u12", true, None),
            (r"\\x4", false, None),
            (r"\777\d\x41", false, None),
            ("a\\\n\\x4", false, Some(r"(unicode error) 'unicodeescape' codec can't decode bytes in position 3-5: truncated \xXX escape")),
        ];
        for (content, bytes, expected) in cases {
            let got = first_problem(content, *bytes).map(EscapeProblem::message);
            assert_eq!(got.as_deref(), *expected, "{content:?}");
        }
    }
}
