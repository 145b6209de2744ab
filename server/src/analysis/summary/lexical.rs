//! Tokens that tree-sitter reads without an error and that CPython refuses, most of them left over
//! from Python 2: `010`, `10L`, `ur''`, `<>`, backquotes, and a bytes literal with a character
//! outside ASCII. A module with one of them anywhere never starts: its import raises
//! SyntaxError. (Indentation that CPython refuses is `indentation`'s.)
//!
//! CPython finds some of these in its tokenizer and the others in its parser, which matters for
//! which error a file with several reports (see [`LexicalProblem::is_tokenizer_error`]). The
//! messages and lines were taken from CPython 3.8–3.13 on the same files (the fixture
//! `python2_tokens` and the unit tests below).
//!
//! Errors of the tokenizer that tree-sitter also refuses (`0b12`, `1__0`, an unterminated
//! string, `$`) are syntax errors of the tree already, with CPython's most common message;
//! escapes that do not decode are `escapes`'s.

use tree_sitter::Node;

use super::newer_syntax::{NewerSyntax, SyntaxFeature};
use super::syntax::{is_python3_prefix, kind, node_text, Children, Kind, Marks, Which};
use crate::analysis::text::TextRange;

/// What is wrong with a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LexicalProblem {
    /// A decimal integer with leading zeros, Python 2's octal literal (`010`, `0777L`).
    LeadingZeros,
    /// A `_` in a decimal number that no digit follows (`1_`, `1_.5`, `1e5_`).
    MisplacedUnderscore,
    /// Python 2's long integer suffix (`10L`, `0x1FL`).
    LongSuffix(NumberBase),
    /// A string prefix that no Python 3 up to 3.13 knows (`ur''`, `bu''`).
    StringPrefix,
    /// A template string (`t''`, PEP 750), which only 3.14 compiles.
    TemplateString,
    /// Python 2's `<>` operator.
    NotEqual,
    /// Python 2's backquotes, `` `x` `` for `repr(x)`.
    Backquotes,
    /// A bytes literal with a character outside ASCII in its text.
    NonAsciiBytes,
    /// Bytes and str literals written next to each other, which the parser would concatenate.
    MixedBytes,
}

/// The base of an integer literal, which CPython 3.10 on name in their message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberBase {
    Decimal,
    Hexadecimal,
    Octal,
    Binary,
}

impl LexicalProblem {
    /// Whether CPython 3.`minor` finds the problem in its tokenizer rather than its parser. From
    /// 3.10 on, a parser that fails reads the rest of the file with the tokenizer and reports the
    /// tokenizer's first error instead of its own (`_PyPegen_tokenize_full_source_to_check_for_errors`),
    /// so such an error wins over a syntax error anywhere in the file.
    pub fn is_tokenizer_error(self, minor: u32) -> bool {
        match self {
            LexicalProblem::LeadingZeros | LexicalProblem::MisplacedUnderscore => true,
            // 3.8 and 3.9 read `10L` as a number and a name, which the parser refuses.
            LexicalProblem::LongSuffix(_) => minor >= 10,
            _ => false,
        }
    }

    /// CPython 3.`minor`'s message, without the "(file, line n)" that `str()` adds.
    pub fn message(self, minor: u32) -> &'static str {
        match self {
            LexicalProblem::LeadingZeros => {
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"
            }
            LexicalProblem::MisplacedUnderscore => "invalid decimal literal",
            LexicalProblem::LongSuffix(_) if minor < 10 => "invalid syntax",
            LexicalProblem::LongSuffix(NumberBase::Decimal) => "invalid decimal literal",
            LexicalProblem::LongSuffix(NumberBase::Hexadecimal) => "invalid hexadecimal literal",
            LexicalProblem::LongSuffix(NumberBase::Octal) => "invalid octal literal",
            LexicalProblem::LongSuffix(NumberBase::Binary) => "invalid binary literal",
            LexicalProblem::NonAsciiBytes if minor < 10 => "bytes can only contain ASCII literal characters.",
            LexicalProblem::NonAsciiBytes => "bytes can only contain ASCII literal characters",
            LexicalProblem::MixedBytes => "cannot mix bytes and nonbytes literals",
            LexicalProblem::StringPrefix
            | LexicalProblem::TemplateString
            | LexicalProblem::NotEqual
            | LexicalProblem::Backquotes => "invalid syntax",
        }
    }

    /// What the token is, for a reader.
    pub fn describe(self) -> &'static str {
        match self {
            LexicalProblem::LeadingZeros => "an integer with leading zeros (Python 2's octal `010`)",
            LexicalProblem::MisplacedUnderscore => "a `_` in a number that no digit follows",
            LexicalProblem::LongSuffix(_) => "Python 2's long integer suffix (`10L`)",
            LexicalProblem::StringPrefix => "a string prefix that Python 3 does not know (`ur''`)",
            LexicalProblem::TemplateString => "a template string (`t''`)",
            LexicalProblem::NotEqual => "Python 2's `<>` operator",
            LexicalProblem::Backquotes => "Python 2's backquotes",
            LexicalProblem::NonAsciiBytes => "a bytes literal with a character outside ASCII",
            LexicalProblem::MixedBytes => "bytes and str literals next to each other",
        }
    }

    /// The offset in `range` whose line CPython 3.`minor` reports.
    pub fn reported_at(self, range: TextRange, minor: u32) -> u32 {
        let last = range.end.saturating_sub(1).max(range.start);
        match self {
            // 3.9 and 3.10 report a string's error at its end, 3.11 at its start again.
            LexicalProblem::NonAsciiBytes if (9..=10).contains(&minor) => last,
            // 3.9 on report the concatenation at its last string.
            LexicalProblem::MixedBytes if minor >= 9 => last,
            _ => range.start,
        }
    }
}

/// Every problem token of the file, in no particular order: the places that the text scan marked
/// (see [`Marks::lexical`]), checked in the tree.
pub(super) fn collect<'a>(text: &str, root: Node<'a>, kids: &Children<'a>, marks: &Marks) -> Vec<NewerSyntax> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut add = |range: TextRange, problem: LexicalProblem| {
        found.push(NewerSyntax { range, feature: SyntaxFeature::Lexical(problem), suggestion: None });
    };
    let mut concatenations = Vec::new();
    for &at in &marks.lexical {
        let Some(leaf) = root.descendant_for_byte_range(at, at + 1) else { continue };
        if leaf.start_byte() != at {
            // Inside a string, a comment, or a longer token.
            continue;
        }
        let range = TextRange::new(leaf.start_byte(), leaf.end_byte());
        match bytes[at] {
            b'`' if kind(leaf) == Kind::StringStart => {
                let string = leaf.parent().unwrap_or(leaf);
                add(TextRange::new(string.start_byte(), string.end_byte()), LexicalProblem::Backquotes);
            }
            b'<' if !leaf.is_named() && node_text(leaf, text) == "<>" => add(range, LexicalProblem::NotEqual),
            b'0'..=b'9' if matches!(kind(leaf), Kind::Integer | Kind::Float) => {
                if let Some(problem) = number_problem(node_text(leaf, text).as_bytes(), kind(leaf) == Kind::Float) {
                    add(range, problem);
                }
            }
            _ if kind(leaf) == Kind::StringStart => {
                let Some(string) = leaf.parent() else { continue };
                let prefix = string_prefix(leaf, text);
                let string_range = TextRange::new(string.start_byte(), string.end_byte());
                if !is_python3_prefix(prefix) {
                    let template = [&b"t"[..], b"tr", b"rt"].iter().any(|known| known.eq_ignore_ascii_case(prefix));
                    add(string_range, if template { LexicalProblem::TemplateString } else { LexicalProblem::StringPrefix });
                    continue;
                }
                if marks.non_ascii && has_non_ascii_text(string, bytes, kids) {
                    add(string_range, LexicalProblem::NonAsciiBytes);
                }
                if let Some(concatenation) = string.parent().filter(|p| kind(*p) == Kind::ConcatenatedString) {
                    let mixed = kids
                        .iter(concatenation, Which::NamedCode)
                        .any(|part| kind(part) == Kind::String && !is_bytes(part, text, kids));
                    let range = TextRange::new(concatenation.start_byte(), concatenation.end_byte());
                    if mixed && !concatenations.contains(&range) {
                        concatenations.push(range);
                        add(range, LexicalProblem::MixedBytes);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The problem of a number that tree-sitter read as `integer` or `float`, in the order CPython's
/// tokenizer meets them: a `_` that no digit follows, leading zeros, then an `L` suffix.
pub(super) fn number_problem(number: &[u8], is_float: bool) -> Option<LexicalProblem> {
    let base = match (number.first(), number.get(1).map(|b| b | 0x20)) {
        (Some(b'0'), Some(b'x')) => NumberBase::Hexadecimal,
        (Some(b'0'), Some(b'o')) => NumberBase::Octal,
        (Some(b'0'), Some(b'b')) => NumberBase::Binary,
        _ => NumberBase::Decimal,
    };
    let suffix = number.last().copied().map(|b| b | 0x20);
    if base == NumberBase::Decimal {
        let misplaced =
            number.iter().enumerate().any(|(i, b)| *b == b'_' && !number.get(i + 1).is_some_and(u8::is_ascii_digit));
        if misplaced {
            return Some(LexicalProblem::MisplacedUnderscore);
        }
        // `010j` is an imaginary number and `010.5` a float, which may have leading zeros.
        if !is_float && number[0] == b'0' && suffix != Some(b'j') && number.iter().any(|b| (b'1'..=b'9').contains(b)) {
            return Some(LexicalProblem::LeadingZeros);
        }
    }
    (!is_float && suffix == Some(b'l')).then_some(LexicalProblem::LongSuffix(base))
}

/// The letters before the quote of a string's `string_start` token.
pub(super) fn string_prefix<'t>(start: Node, text: &'t str) -> &'t [u8] {
    let start = node_text(start, text).as_bytes();
    &start[..start.iter().take_while(|b| b.is_ascii_alphabetic()).count()]
}

/// The letters before the quote of a string literal.
pub(super) fn literal_prefix<'a, 't>(string: Node<'a>, text: &'t str, kids: &Children<'a>) -> &'t [u8] {
    kids.iter(string, Which::All).find(|part| kind(*part) == Kind::StringStart).map_or(&[], |start| string_prefix(start, text))
}

/// Whether a string prefix has the letter `letter` (lower case), in either case.
pub(super) fn prefix_has(prefix: &[u8], letter: u8) -> bool {
    prefix.iter().any(|b| b | 0x20 == letter)
}

/// Whether a string's prefix has a `b`.
fn is_bytes<'a>(string: Node<'a>, text: &str, kids: &Children<'a>) -> bool {
    prefix_has(literal_prefix(string, text, kids), b'b')
}

/// Whether the text of a string, between its quotes, has a byte outside ASCII.
fn has_non_ascii_text<'a>(string: Node<'a>, bytes: &[u8], kids: &Children<'a>) -> bool {
    kids.iter(string, Which::All)
        .filter(|part| kind(*part) == Kind::StringContent)
        .any(|content| !bytes[content.start_byte()..content.end_byte()].is_ascii())
}

#[cfg(test)]
mod tests {
    use crate::analysis::summary::parse;

    use crate::analysis::summary::compile_failure_of as first;

    fn check(source: &str, expected: &[(u32, Option<(u32, &str)>)]) {
        assert!(parse(source).is_some());
        for &(minor, want) in expected {
            let got = first(source, minor);
            let got = got.as_ref().map(|(line, message, _)| (*line, message.as_str()));
            assert_eq!(got, want, "3.{minor} on {source:?}");
        }
    }

    const ZEROS: &str =
        "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers";

    #[test]
    fn numbers_as_cpython_reads_them() {
        check("x = 1\ny = 010\n", &[(8, Some((2, ZEROS))), (13, Some((2, ZEROS)))]);
        check("y = 0777L\n", &[(8, Some((1, ZEROS)))]);
        check("y = 0_7\n", &[(11, Some((1, ZEROS)))]);
        check("y = 00\nz = 0_0\nw = 010.5\nv = 010e3\nu = 010j\nt = 010_0j\ns = 1.010\nr = 0x1F + 0o17 + 0b1 + 1_000\n", &[(8, None), (13, None)]);
        check("y = 10L\n", &[(9, Some((1, "invalid syntax"))), (10, Some((1, "invalid decimal literal")))]);
        check("y = 0x1FL\n", &[(8, Some((1, "invalid syntax"))), (12, Some((1, "invalid hexadecimal literal")))]);
        check("y = 0o7L + 0b1L\n", &[(13, Some((1, "invalid octal literal")))]);
        check("y = 0L\n", &[(11, Some((1, "invalid decimal literal")))]);
        check("y = 1_\n", &[(8, Some((1, "invalid decimal literal")))]);
        check("y = 1_.5\nz = 1e5_\n", &[(8, Some((1, "invalid decimal literal")))]);
        check("y = '010'  # 010\n", &[(8, None)]);
    }

    #[test]
    fn strings_and_operators_of_python_2() {
        for prefix in ["ur", "bu", "ub", "fb", "rr", "uu", "Ur", "fu"] {
            check(&format!("y = {prefix}'x'\n"), &[(8, Some((1, "invalid syntax"))), (13, Some((1, "invalid syntax")))]);
        }
        check("y = Rb'x' + bR'y' + Fr'z' + U'w'\n", &[(8, None), (13, None)]);
        check("y = t'x'\n", &[(13, Some((1, "invalid syntax")))]);
        check("y = 1\nz = `y`\n", &[(8, Some((2, "invalid syntax")))]);
        check("y = 1 <> 2\n", &[(12, Some((1, "invalid syntax")))]);
        check("y = '<>'\n# `x`\n", &[(12, None)]);
    }

    #[test]
    fn bytes_literals() {
        let multiline = "y = b\"\"\"abc\n\u{e9}\n\"\"\"\n";
        check(
            multiline,
            &[
                (8, Some((1, "bytes can only contain ASCII literal characters."))),
                (9, Some((3, "bytes can only contain ASCII literal characters."))),
                (10, Some((3, "bytes can only contain ASCII literal characters"))),
                (11, Some((1, "bytes can only contain ASCII literal characters"))),
            ],
        );
        check("y = rb'\u{e9}'\n", &[(13, Some((1, "bytes can only contain ASCII literal characters")))]);
        check("y = b'\\xe9' + '\u{e9}'\n", &[(13, None)]);
        let mixed = "y = ('a'\n  'b'\n  b'c'\n  'd')\n";
        check(mixed, &[(8, Some((1, "cannot mix bytes and nonbytes literals"))), (9, Some((4, "cannot mix bytes and nonbytes literals")))]);
        check("y = b'a' f'b'\n", &[(13, Some((1, "cannot mix bytes and nonbytes literals")))]);
        check("y = b'a' b'b'\n", &[(13, None)]);
    }

    #[test]
    fn which_error_comes_first() {
        let print = "Missing parentheses in call to 'print'. Did you mean print('x')?";
        // 3.8 and 3.9 report the first error of the file; from 3.10 on an error of the
        // tokenizer anywhere wins over the parser's.
        check("print 'x'\ny = 010\n", &[(8, Some((1, print))), (9, Some((1, print))), (10, Some((2, ZEROS)))]);
        check("y = 010\nprint 'x'\n", &[(8, Some((1, ZEROS))), (13, Some((1, ZEROS)))]);
        // `10L` is the parser's error before 3.10 and the tokenizer's after.
        check("print 'x'\ny = 10L\n", &[(9, Some((1, print))), (10, Some((2, "invalid decimal literal")))]);
    }
}
