//! Indentation that CPython refuses and tree-sitter reads without an error: a line indented
//! where no block opens, a block header that no indented line follows, a line indented less than
//! its block to a column that no enclosing block has, and indentation whose depth depends on the
//! width of a tab. tree-sitter-python's scanner makes the best of each (an empty block, a
//! statement of the enclosing block), and the file looked as if it compiled; CPython raises
//! IndentationError (or TabError) at its import, before any of its code runs.
//!
//! CPython's tokenizer keeps a stack of the open blocks' indentation and turns each logical
//! line's indentation into INDENT and DEDENT tokens (`tok_get` in Parser/tokenizer.c); a line
//! that dedents to no open column, or whose columns with tabs as 8 and as 1 order it differently
//! against the stack, stops the tokenizer. The parser then refuses an INDENT where no block opens
//! ("unexpected indent") and a header that no INDENT follows ("expected an indented block").
//! This module replays that stack over the lines that start a statement or a clause, which the
//! tree knows, so that lines inside brackets and strings, comment lines and the lines after a
//! backslash count as they do for CPython: not at all.
//!
//! The messages and lines were taken from CPython 3.8–3.13 on the same files (the fixture
//! `indentation_errors` and the tests below).

use tree_sitter::Node;

use super::newer_syntax::{NewerSyntax, SyntaxFeature};
use super::tokenizer::{self, LogicalLine, TokenProblem};
use super::syntax::{kind, token_child, Children, Kind, Which};
use crate::analysis::text::{LineIndex, TextRange};

/// What is wrong with a logical line's indentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndentProblem {
    /// The line is indented deeper than its block and no block opens there; the parser's error.
    Unexpected,
    /// A compound statement's header that no indented line follows; the parser's error, at the
    /// next logical line, or at the file's last line when none follows (`at_end`). 3.10 on name
    /// the `header` and the line it starts on.
    Expected { header: BlockHeader, header_line: u32, at_end: bool },
    /// The line dedents to a column that no open block has; the tokenizer's error.
    Unmatched,
    /// The line's indentation orders it against the open blocks one way with tabs 8 columns
    /// wide and another with tabs 1 column wide (TabError); the tokenizer's error.
    Inconsistent,
}

/// The statement or clause whose block is missing, as 3.10 on name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockHeader {
    Function,
    Class,
    /// A keyword's statement: `'if' statement`, `'except*' statement`.
    Keyword(&'static str),
}

impl IndentProblem {
    /// Whether the tokenizer finds it: it then stops reading, so no error after it counts (see
    /// `FileSummary::compile_failure`).
    pub fn is_tokenizer_error(self) -> bool {
        matches!(self, IndentProblem::Unmatched | IndentProblem::Inconsistent)
    }

    /// The exception that compiling raises on Python 3.`minor`.
    pub fn exception(self, minor: u32) -> &'static str {
        match self {
            IndentProblem::Inconsistent => "TabError",
            // 3.8's parser runs out of tokens before it looks for the block.
            IndentProblem::Expected { at_end: true, .. } if minor < 9 => "SyntaxError",
            _ => "IndentationError",
        }
    }

    /// CPython 3.`minor`'s message, without the "(file, line n)" that `str()` adds.
    pub fn message(self, minor: u32) -> String {
        match self {
            IndentProblem::Unexpected => "unexpected indent".to_string(),
            IndentProblem::Unmatched => "unindent does not match any outer indentation level".to_string(),
            IndentProblem::Inconsistent => "inconsistent use of tabs and spaces in indentation".to_string(),
            IndentProblem::Expected { at_end: true, .. } if minor < 9 => "unexpected EOF while parsing".to_string(),
            IndentProblem::Expected { .. } if minor < 10 => "expected an indented block".to_string(),
            IndentProblem::Expected { header, header_line, .. } => {
                let header = match header {
                    BlockHeader::Function => "function definition".to_string(),
                    BlockHeader::Class => "class definition".to_string(),
                    BlockHeader::Keyword(keyword) => format!("'{keyword}' statement"),
                };
                format!("expected an indented block after {header} on line {header_line}")
            }
        }
    }

    /// What is wrong, for a reader.
    pub fn describe(self) -> &'static str {
        match self {
            IndentProblem::Unexpected => "a line indented where no block opens",
            IndentProblem::Expected { .. } => "a block header that no indented line follows",
            IndentProblem::Unmatched => "a line dedented to a column that no enclosing block has",
            IndentProblem::Inconsistent => "indentation that mixes tabs and spaces ambiguously",
        }
    }
}

/// A header whose block must start with an INDENT: its block is empty (tree-sitter's reading of
/// a missing block) or starts on a line of its own.
struct Header {
    /// The end of the header's colon: the first logical line after it must be indented.
    colon: usize,
    header: BlockHeader,
}

/// The first parser error and the first tokenizer error of the file's indentation, each only if
/// the tokenizer reaches it: after a tokenizer error nothing counts, and before it the first
/// parser error is the one the parser raises. A tree without an error says where the logical
/// lines start and which headers open a block; for one with an error the text says it, as
/// CPython's tokenizer reads it (see `tokenizer`), which also finds the tokenizer's errors that
/// tree-sitter reads as an error somewhere.
pub(super) fn collect<'a>(text: &str, root: Node<'a>, kids: &Children<'a>, index: &LineIndex) -> Vec<NewerSyntax> {
    let (lines, token_error) = if root.has_error() {
        let scanned = tokenizer::scan(text, index);
        (scanned.lines, scanned.error)
    } else {
        (tree_lines(text, root, kids), None)
    };
    let bytes = text.as_bytes();
    let mut parser_error = None;
    let mut tokenizer_error = None;
    // The open blocks' indentation, measured with tabs to the next multiple of 8 and with tabs
    // as one column.
    let mut blocks: Vec<(usize, usize)> = vec![(0, 0)];
    // The header that the previous logical line is, whose block this line must open.
    let mut opens: Option<(BlockHeader, usize)> = None;
    for line in &lines {
        let at = line.start;
        let line_start = line_start(bytes, at);
        let (mut col, mut alt) = (0, 0);
        for &byte in &bytes[line_start..at] {
            match byte {
                b' ' => (col, alt) = (col + 1, alt + 1),
                b'\t' => (col, alt) = ((col / 8 + 1) * 8, alt + 1),
                _ => (col, alt) = (0, 0),
            }
        }
        let header = opens.take();
        let expected = |(header, start): (BlockHeader, usize), at_end| IndentProblem::Expected {
            header,
            header_line: index.line_number(start as u32),
            at_end,
        };
        let &(top, top_alt) = blocks.last().unwrap_or(&(0, 0));
        if col > top {
            if alt <= top_alt {
                tokenizer_error = Some((at, IndentProblem::Inconsistent));
                break;
            }
            blocks.push((col, alt));
            if header.is_none() && parser_error.is_none() {
                parser_error = Some((at, IndentProblem::Unexpected));
            }
        } else {
            while blocks.len() > 1 && blocks.last().is_some_and(|(open, _)| col < *open) {
                blocks.pop();
            }
            let &(open, open_alt) = blocks.last().unwrap_or(&(0, 0));
            if col != open {
                tokenizer_error = Some((at, IndentProblem::Unmatched));
                break;
            }
            if alt != open_alt {
                tokenizer_error = Some((at, IndentProblem::Inconsistent));
                break;
            }
            if let Some(header) = header.filter(|_| parser_error.is_none()) {
                parser_error = Some((at, expected(header, false)));
            }
        }
        opens = line.header.map(|header| (header, at));
    }
    if tokenizer_error.is_none() && parser_error.is_none() && token_error.is_none() {
        // A header at the end of the file: the parser meets the end where the block should be,
        // and reports the file's last line.
        if let Some((header, start)) = opens {
            let last = text.char_indices().next_back().map_or(0, |(at, _)| at);
            let header_line = index.line_number(start as u32);
            parser_error = Some((last, IndentProblem::Expected { header, header_line, at_end: true }));
        }
    }
    // The range is the character there: a line may start with one outside ASCII.
    let char_end = |at: usize| at + text[at..].chars().next().map_or(0, char::len_utf8);
    let problem = |(at, problem): (usize, IndentProblem)| NewerSyntax {
        range: TextRange::new(at, char_end(at)),
        feature: SyntaxFeature::Indentation(problem),
        suggestion: None,
    };
    let mut found: Vec<NewerSyntax> = parser_error.into_iter().chain(tokenizer_error).map(problem).collect();
    // The tokenizer reads no further than an error of the indentation.
    if let Some((at, early, problem)) = token_error.filter(|_| tokenizer_error.is_none()) {
        let range = match problem {
            // Ordered by the start of the bracket's line, reported at the bracket.
            TokenProblem::NeverClosed { .. } => {
                TextRange::new(line_start(bytes, at), at + 1)
            }
            // Reported at the string's start, before 3.10 at the end of its line or the file.
            TokenProblem::Unterminated { .. } => TextRange::new(at, char_end(early)),
            _ => TextRange::new(at, char_end(at)),
        };
        found.push(NewerSyntax { range, feature: SyntaxFeature::Token(problem), suggestion: None });
    }
    found
}

/// Where the line that holds the byte at `at` starts.
pub(super) fn line_start(bytes: &[u8], at: usize) -> usize {
    memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |newline| newline + 1)
}

/// The logical lines of a file whose tree has no error: the statements and clauses that start
/// their line, each a header when a block on a line of its own (or none) follows its colon.
fn tree_lines<'a>(text: &str, root: Node<'a>, kids: &Children<'a>) -> Vec<LogicalLine> {
    let bytes = text.as_bytes();
    let mut walk = Walk { text, kids, starts: Vec::new(), headers: Vec::new() };
    walk.statements(root);
    let Walk { mut starts, mut headers, .. } = walk;
    starts.sort_unstable();
    starts.dedup();
    // After a `;`, or on its header's line, a statement starts no logical line.
    starts.retain(|&at| {
        let line_start = line_start(bytes, at);
        bytes[line_start..at].iter().all(|b| matches!(b, b' ' | b'\t' | 0x0c))
    });
    headers.sort_unstable_by_key(|header| header.colon);
    let mut lines: Vec<LogicalLine> = starts.iter().map(|&start| LogicalLine { start, header: None }).collect();
    // A header's colon ends the logical line that starts last before it.
    for header in headers {
        let owner = lines.partition_point(|line| line.start < header.colon);
        if let Some(line) = owner.checked_sub(1).and_then(|owner| lines.get_mut(owner)) {
            line.header = Some(header.header);
        }
    }
    lines
}

struct Walk<'k, 'a> {
    text: &'k str,
    kids: &'k Children<'a>,
    /// Where the statements and clauses start: the tokens that start a logical line when they
    /// are the first of their line.
    starts: Vec<usize>,
    headers: Vec<Header>,
}

impl<'a> Walk<'_, 'a> {
    /// Visits the statements under `node` (the module, a block or a compound statement), only
    /// through the nodes that hold statements.
    fn statements(&mut self, node: Node<'a>) {
        let holds_statements = matches!(kind(node), Kind::Module | Kind::Block);
        for child in self.kids.iter(node, Which::NamedCode) {
            let child_kind = kind(child);
            if holds_statements || is_clause(child_kind) {
                // An ERROR among statements is a broken statement, whose line still starts a
                // logical line; what it holds is not read.
                self.starts.push(child.start_byte());
            }
            if child_kind == Kind::Block {
                self.block(node, child);
            }
            if child_kind.may_hold_statements() {
                self.statements(child);
            }
        }
    }

    /// Records the header of `owner`'s `block` when the block must start with an INDENT.
    fn block(&mut self, owner: Node<'a>, block: Node<'a>) {
        let header = match kind(owner) {
            Kind::FunctionDefinition => BlockHeader::Function,
            Kind::ClassDefinition => BlockHeader::Class,
            Kind::IfStatement => BlockHeader::Keyword("if"),
            Kind::ElifClause => BlockHeader::Keyword("elif"),
            Kind::ElseClause => BlockHeader::Keyword("else"),
            Kind::ForStatement => BlockHeader::Keyword("for"),
            Kind::WhileStatement => BlockHeader::Keyword("while"),
            Kind::WithStatement => BlockHeader::Keyword("with"),
            Kind::TryStatement => BlockHeader::Keyword("try"),
            Kind::ExceptClause if token_child(owner, "*", self.text, self.kids).is_some() => BlockHeader::Keyword("except*"),
            Kind::ExceptClause => BlockHeader::Keyword("except"),
            Kind::ExceptGroupClause => BlockHeader::Keyword("except*"),
            Kind::FinallyClause => BlockHeader::Keyword("finally"),
            Kind::MatchStatement => BlockHeader::Keyword("match"),
            Kind::CaseClause => BlockHeader::Keyword("case"),
            _ => return,
        };
        // The header's colon is the last before the block (a comment may stand between them).
        let Some(colon) = self
            .kids
            .iter(owner, Which::All)
            .take_while(|child| child.id() != block.id())
            .filter(|child| !child.is_named() && child.kind() == ":")
            .last()
        else {
            return;
        };
        let colon = colon.end_byte();
        // A block whose first statement stands on the header's line opens no indented block.
        let first = self.kids.iter(block, Which::NamedCode).next();
        let on_header_line = first.is_some_and(|first| {
            first.start_byte() >= colon && memchr::memchr(b'\n', &self.text.as_bytes()[colon..first.start_byte()]).is_none()
        });
        if !on_header_line {
            self.headers.push(Header { colon, header });
        }
    }
}

/// The clauses of compound statements, and what a decorated definition holds: they start a
/// logical line of their own, though their parent is no block.
fn is_clause(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::ElifClause
            | Kind::ElseClause
            | Kind::ExceptClause
            | Kind::ExceptGroupClause
            | Kind::FinallyClause
            | Kind::CaseClause
            | Kind::Decorator
            | Kind::FunctionDefinition
            | Kind::ClassDefinition
    )
}

#[cfg(test)]
mod tests {
    use crate::analysis::summary::check_raised as check;

    const UNEXPECTED: &str = "unexpected indent";
    const UNMATCHED: &str = "unindent does not match any outer indentation level";
    const TAB: &str = "inconsistent use of tabs and spaces in indentation";
    const EXPECTED: &str = "expected an indented block";
    const INDENTATION: &str = "IndentationError";

    #[test]
    fn unexpected_and_unmatched_indentation() {
        for (source, line) in [
            ("x = 1\n    y = 2\n", 2),
            ("  x = 1\n", 1),
            ("def f():\n    x = 1\n        y = 2\n    return x\n", 3),
            ("if x: a = 1\n    b = 2\n", 2),
            ("x = 1\n# c\n    y = 2\n", 3),
            ("x = (1,\n2)\n    y = 2\n", 3),
            ("x = 1\n    y = 2", 2),
            ("@d\n    def f(): pass\n", 2),
            ("if x and \\\n   y:\n    pass\n      z = 1\n", 4),
            ("class C:\n    a = 1\n     b = 2\n", 3),
        ] {
            check(source, &[(8, Some((line, UNEXPECTED, INDENTATION))), (13, Some((line, UNEXPECTED, INDENTATION)))]);
        }
        for (source, line) in [
            ("if True:\n        x = 1\n    y = 2\n", 3),
            ("def f():\n    if x:\n        a = 1\n      b = 2\n", 4),
            ("if x:\n        pass\n    else:\n    pass\n", 3),
            ("if x:\n    a = 1\n  \x0c  b = 2\n", 3),
        ] {
            check(source, &[(8, Some((line, UNMATCHED, INDENTATION))), (12, Some((line, UNMATCHED, INDENTATION)))]);
        }
        // Lines in brackets, strings, after a backslash, comment lines at any depth, a form
        // feed that resets the column and a dedent by two blocks are no error.
        for source in [
            "x = [\n        1,\n  2]\n",
            "x = '''\n    abc\n'''\ny = 1\n",
            "x = 1 + \\\n        2\ny = 3\n",
            "def f():\n    x = 1\n  # odd comment\n    return x\n",
            "if x:\n    a = 1\n\x0c    b = 2\n",
            "def f():\n    if x:\n        a = 1\nb = 2\n",
            "def f():  # comment\n    return 1\n",
            "if x:\n    if y:\n        a = 1\nelse:\n    b = 2\n",
            "f = lambda: 1\nd = {1:\n2}\n",
        ] {
            check(source, &[(8, None), (13, None)]);
        }
    }

    #[test]
    fn a_block_that_is_missing() {
        for (source, line, header) in [
            ("def f():\nreturn 1\n", 2, "function definition on line 1"),
            ("async def f():\nreturn 1\n", 2, "function definition on line 1"),
            ("@d\ndef f():\nreturn 1\n", 3, "function definition on line 2"),
            ("def f(a,\n      b):\nreturn 1\n", 3, "function definition on line 1"),
            ("class C:\nx = 1\n", 2, "class definition on line 1"),
            ("x = 1\nif x:\npass\n", 3, "'if' statement on line 2"),
            ("if x:\n    pass\nelif y:\npass\n", 4, "'elif' statement on line 3"),
            ("if x:\n    pass\nelse:\npass\n", 4, "'else' statement on line 3"),
            ("for i in x:\n    pass\nelse:\npass\n", 4, "'else' statement on line 3"),
            ("async def f():\n    async for x in y:\n    pass\n", 3, "'for' statement on line 2"),
            ("while x:\npass\n", 2, "'while' statement on line 1"),
            ("with x:\npass\n", 2, "'with' statement on line 1"),
            ("try:\npass\nexcept E:\n    pass\n", 2, "'try' statement on line 1"),
            ("try:\n    pass\nexcept:\npass\n", 4, "'except' statement on line 3"),
            ("try:\n    pass\nfinally:\npass\n", 4, "'finally' statement on line 3"),
            ("def f():\n    if x:\n    return 1\n", 3, "'if' statement on line 2"),
            ("if x:\npass; y = 1\n", 2, "'if' statement on line 1"),
            ("def f():\nx = 1\n    y = 2\n", 2, "function definition on line 1"),
        ] {
            let after = format!("{EXPECTED} after {header}");
            check(source, &[(8, Some((line, EXPECTED, INDENTATION))), (10, Some((line, &after, INDENTATION)))]);
        }
        check(
            "match x:\n    case 1:\n    pass\n",
            &[(9, Some((1, "invalid syntax", "SyntaxError"))), (10, Some((3, "expected an indented block after 'case' statement on line 2", INDENTATION)))],
        );
        check(
            "try:\n    pass\nexcept* E:\npass\n",
            &[(10, Some((3, "invalid syntax", "SyntaxError"))), (11, Some((4, "expected an indented block after 'except*' statement on line 3", INDENTATION)))],
        );
        // At the end of the file 3.8 runs out of tokens first; the line is the file's last.
        for (source, line) in [("def f():\n", 1), ("def f():\n    # c\n", 2), ("class C:\n\n\n", 3), ("if x:", 1)] {
            check(
                source,
                &[(8, Some((line, "unexpected EOF while parsing", "SyntaxError"))), (9, Some((line, EXPECTED, INDENTATION)))],
            );
        }
    }

    #[test]
    fn tabs_and_spaces() {
        check("if 1:\n        x = 1\n\ty = 2\n", &[(8, Some((3, TAB, "TabError")))]);
        check("if 1:\n\tx = 1\n        y = 2\n", &[(13, Some((3, TAB, "TabError")))]);
        check("if 1:\n\tif 2:\n\t\tx=1\n    \ty = 2\n", &[(11, Some((4, TAB, "TabError")))]);
        check("if 1:\n    if 2:\n\tx=1\n    y=2\n", &[(11, Some((3, TAB, "TabError")))]);
        check("class A:\n        @d\n\t@e\n        def f(self): pass\n", &[(11, Some((3, TAB, "TabError")))]);
        check("x = 1 + \\\n\t2\nif 1:\n        y = 1\n\tz = 2\n", &[(11, Some((5, TAB, "TabError")))]);
        check("if x:\n\ta = 1\n\t\tb = 2\n", &[(11, Some((3, UNEXPECTED, INDENTATION)))]);
        // Lines in brackets, comment lines and a consistent file are no error.
        check("if 1:\n\tx = 1\n\ty = 2\n", &[(11, None)]);
        check("x = (1,\n\t2,\n        3)\n", &[(11, None)]);
        check("if 1:\n        x = 1\nelse:\n\ty = 2\n", &[(11, None)]);
        check("if 1:\n        x = 1\n\t# c\n        y = 2\n", &[(11, None)]);
    }

    #[test]
    fn which_error_comes_first() {
        let zeros = "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers";
        let missing = "expected an indented block after function definition on line 1";
        // The first error in the file, for the parser and the tokenizer alike, up to 3.9.
        check("z = 010\nx = 1\n    y = 2\n", &[(8, Some((1, zeros, "SyntaxError"))), (13, Some((1, zeros, "SyntaxError")))]);
        check("x = 1\n    y = 2\nz = 010\n", &[(8, Some((2, UNEXPECTED, INDENTATION))), (13, Some((2, UNEXPECTED, INDENTATION)))]);
        check("if True:\n        x = 1\n    y = 2\nz = 010\n", &[(8, Some((3, UNMATCHED, INDENTATION))), (13, Some((3, UNMATCHED, INDENTATION)))]);
        // From 3.10 a tokenizer error that raises at once replaces the parser's errors, but
        // not "unexpected indent", and not when the tokenizer stops at an indentation error
        // first.
        check("def f():\nreturn 1\nz = 010\n", &[(9, Some((2, EXPECTED, INDENTATION))), (10, Some((3, zeros, "SyntaxError")))]);
        check("def f():\nreturn 1\nif True:\n        x = 1\n    y = 2\n", &[(13, Some((2, missing, INDENTATION)))]);
        check("def f():\nreturn 1\nif x:\n\ta = 1\n        b = 2\n", &[(13, Some((2, missing, INDENTATION)))]);
        check("x = = 1\nif x:\n\ta = 1\n        b = 2\n", &[(10, Some((1, "invalid syntax", "SyntaxError")))]);
        check("x = = 1\nif True:\n        x = 1\n    y = 2\nz = 010\n", &[(13, Some((1, "invalid syntax", "SyntaxError")))]);
        check("if x:\n\ta = 1\n        b = 2\nif True:\n        x = 1\n    y = 2\n", &[(13, Some((3, TAB, "TabError")))]);
        // The parser meets an indentation error before tree-sitter's error on the same line.
        check("return 1\ndef f():\nreturn 1\n", &[(13, Some((3, "expected an indented block after function definition on line 2", INDENTATION)))]);
    }
}
