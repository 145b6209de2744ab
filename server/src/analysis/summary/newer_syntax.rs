//! Syntax that tree-sitter reads without an error but that some of the Pythons modcache models
//! (3.8–3.13) refuse to compile: `match` before 3.10, `except*` before 3.11, type parameters
//! before 3.12, and so on. CPython compiles a whole file before it runs any of it, so one such
//! statement anywhere in a module (even in a function that never runs) makes its import raise
//! SyntaxError. The summary records each place with the feature; the simulation decides, for the
//! Python version it models, whether the file compiles and what CPython's message says.
//!
//! The places and messages were taken from CPython 3.8–3.13 on the same files (see the fixture
//! `newer_syntax` and the unit tests below); where a version reports the error at a different
//! token of the same statement, the line is the same, and the line is what the outcome carries.

use tree_sitter::Node;

use super::compile_errors::CompileError;
use super::indentation::IndentProblem;
use super::lexical::LexicalProblem;
use super::tokenizer::TokenProblem;
use super::parameters::ArgumentProblem;
use super::escapes::EscapeProblem;
use super::targets::{Findings, TargetProblem, STARRED_VALUE};
use super::syntax::{is_word_byte, kind, node_text, token_child, word_starts, Children, Field, Kind, Which};
use crate::analysis::text::TextRange;

/// One place whose syntax some supported Python rejects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewerSyntax {
    /// The token where CPython's parser reports the error; its line is the error's line. For an
    /// f-string, the whole run of concatenated strings (see [`NewerSyntax::reported_at`]).
    pub range: TextRange,
    pub feature: SyntaxFeature,
    /// For a Python 2 `print` statement that 3.8 and 3.9 recognise, the arguments of the call
    /// their message suggests (`"x", end=" "` for `print "x",`).
    pub suggestion: Option<Box<str>>,
}

impl NewerSyntax {
    /// CPython 3.`minor`'s message, without the "(file, line n)" that `str()` adds.
    pub fn message(&self, minor: u32) -> String {
        match (&self.suggestion, self.feature) {
            (Some(arguments), SyntaxFeature::LegacyStatement { .. }) if minor < 10 => {
                format!("Missing parentheses in call to 'print'. Did you mean print({arguments})?")
            }
            _ => self.feature.message(minor),
        }
    }

    /// The offset whose line CPython 3.`minor` reports. 3.9–3.11 report an f-string's error
    /// in its replacement fields at the token after the run of strings it belongs to, 3.8 at
    /// the run's start.
    pub fn reported_at(&self, minor: u32) -> u32 {
        match self.feature {
            SyntaxFeature::FString(problem) if minor >= 9 && !problem.ended_early => self.range.end.saturating_sub(1),
            SyntaxFeature::Lexical(problem) => problem.reported_at(self.range, minor),
            SyntaxFeature::Token(TokenProblem::Unterminated { .. }) if minor < 10 => self.range.end.saturating_sub(1),
            SyntaxFeature::Token(TokenProblem::NeverClosed { .. }) => self.range.end.saturating_sub(1),
            SyntaxFeature::DefaultBeforePlain { first, .. } if minor < 9 => first,
            SyntaxFeature::DefaultBeforePlain { closing, .. } if minor == 9 => closing,
            SyntaxFeature::ArgumentOrder { problem: ArgumentProblem::IterableAfterUnpacking, first, unpacking, .. } => {
                match minor {
                    10 => first,
                    13.. => unpacking,
                    _ => self.range.start,
                }
            }
            SyntaxFeature::ArgumentOrder { closing, .. } if minor >= 9 => closing,
            SyntaxFeature::InvalidTarget { problem, first } if minor < 9 && !problem.is_grammar_error(minor) => first,
            SyntaxFeature::BareStar { after, .. } if minor == 9 => after,
            SyntaxFeature::BareStar { double_star: true, after } if minor == 8 => after,
            SyntaxFeature::FStringConversion { run_start, .. } | SyntaxFeature::BadEscape { run_start, .. } if minor < 9 => {
                run_start
            }
            SyntaxFeature::FStringConversion { run_end, .. } | SyntaxFeature::BadEscape { run_end, .. } if minor < 12 => run_end,
            _ => self.range.start,
        }
    }
}

/// What the syntax is, which decides from which version on it compiles and the message before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxFeature {
    /// A `match` statement (PEP 634, 3.10).
    MatchStatement,
    /// `except*` (PEP 654, 3.11).
    ExceptStar,
    /// `with (a as b, c as d):` (3.9; 3.8 reads the parentheses as an expression).
    ParenthesizedWith,
    /// A decorator that is not a dotted name with an optional call (PEP 614, 3.9).
    RelaxedDecorator,
    /// `x[*a]` (PEP 646, 3.11). `bracketed`: the subscript stands inside brackets, where 3.10
    /// reads `x [*a]` as two expressions in a row and asks whether a comma is missing.
    StarredSubscript { bracketed: bool },
    /// An unparenthesized `:=` as a set element or a set comprehension's element (3.9).
    WalrusInSet,
    /// An unparenthesized `:=` as an index, `x[y := 0]` (3.10).
    WalrusInSubscript,
    /// `type X = ...` (PEP 695, 3.12).
    TypeAlias,
    /// `def f[T](...)` (PEP 695, 3.12).
    FunctionTypeParameters,
    /// `class C[T]:` (PEP 695, 3.12).
    ClassTypeParameters,
    /// A type parameter with a default, `[T = int]` (PEP 696, 3.13), on a `def`, a `class` or
    /// a `type` statement.
    TypeParameterDefault(TypeParameterOwner),
    /// An f-string that only the PEG tokenizer of 3.12 reads (PEP 701).
    FString(FStringProblem),
    /// `except A, B:`, which no version from 3.8 to 3.13 accepts (tree-sitter reads Python 2's
    /// `except A, e:` here).
    UnparenthesizedExceptTypes,
    /// A Python 2 `print` or `exec` statement (`print "x"`, `exec code`), which tree-sitter
    /// reads and no supported version compiles. 3.10 on name it in their message; 3.8 and 3.9
    /// do when the statement starts its line or follows the line's first colon, and the line
    /// has no `(`: `legacy` says what they make of it.
    LegacyStatement { exec: bool, legacy: LegacyMessage },
    /// A token that tree-sitter reads and CPython refuses (`010`, `ur''`), see
    /// [`LexicalProblem`].
    Lexical(LexicalProblem),
    /// Indentation that tree-sitter reads and CPython refuses, see [`IndentProblem`]; the range
    /// is the first token of the line CPython reports.
    Indentation(IndentProblem),
    /// An error of the tokenizer in a file that tree-sitter could not parse, see
    /// [`TokenProblem`]; the range is its token (a string from its start to where the
    /// tokenizer noticed, which 3.8 and 3.9 report; a bracket never closed from the start of
    /// its line).
    Token(TokenProblem),
    /// A parameter without a default after one with a default (`def f(a=1, b):`). The range is
    /// the offending parameter, where 3.10 on report it; 3.8 reports the list's `first`
    /// parameter, 3.9 the token `closing` it.
    DefaultBeforePlain { first: u32, closing: u32 },
    /// An argument out of order (`f(a=1, 2)`); the range is the argument, where 3.8 reports it.
    /// 3.9 on report a positional argument at the list's `closing` parenthesis; 3.10 reports
    /// `*` unpacking after `**` at the `first` argument, 3.13 at the `unpacking` one.
    ArgumentOrder { problem: ArgumentProblem, first: u32, unpacking: u32, closing: u32 },
    /// An expression where a target must stand (`del f()`, `with a as 1:`, `a, b += 1`); the
    /// range is the offending expression, where 3.9 on report it, and `first` the whole target
    /// (or `with` item), where 3.8 does. See [`TargetProblem`].
    InvalidTarget { problem: TargetProblem, first: u32 },
    /// A starred expression without parentheses after `+=`, after `for ... in` or after `as`,
    /// which 3.8's grammar does not read; the compiler of later versions refuses it instead,
    /// except in a tuple after `for ... in` (`tuple`: `for x in *a, b:`), which they compile.
    UnparenthesizedStar { tuple: bool },
    /// A starred expression alone in parentheses, `(*a)`, which makes no tuple. 3.8's compiler
    /// refuses it, and the parser of later versions.
    ParenthesizedStar,
    /// A `*` in a parameter list that no keyword-only parameter follows; the range is the `*`,
    /// where 3.10 on report it. 3.9 reports the token `after` it and its comma (`**`, or what
    /// closes the list), 3.8 that token when it is `**` (`double_star`), else the `*`.
    BareStar { double_star: bool, after: u32 },
    /// A comprehension whose `for` clause iterates over a tuple without parentheses,
    /// `[x for x in 1, 2]`; the range is the comma. As a call's only argument, a generator
    /// expression so written (`f(x for x in y, 1)`) gets a message of its own, and the range
    /// is the generator's start.
    ComprehensionTuple { in_call: bool },
    /// `except* :` without exception types; the range is the colon, where 3.11 on report it.
    /// Earlier versions read no `except*` at all.
    ExceptStarWithoutTypes,
    /// A conversion other than `!s`, `!r` and `!a` in an f-string's field; the range is its
    /// character, where 3.12 on report it. 3.9–3.11 report the last character of the run of
    /// strings the f-string belongs to (`run_end`), 3.8 its start (`run_start`).
    FStringConversion { character: char, run_start: u32, run_end: u32 },
    /// A keyword argument given twice, `f(a=1, a=2)`, which 3.8 refuses while it builds the
    /// AST; later versions compile the file far enough for their compiler to refuse it (see
    /// `parameters::repeated_keyword`).
    RepeatedKeyword,
    /// A binding of `__debug__`, which 3.8 refuses while it builds the AST; later versions in
    /// the compiler (see `targets::debug_assignments`).
    DebugAssignment,
    /// A string literal with an escape that does not decode (`'C:\Users'`); the range is the
    /// literal, whose start 3.12 on report. 3.9–3.11 report the last character of its run of
    /// concatenated strings (`run_end`), 3.8 the run's start.
    BadEscape { problem: EscapeProblem, run_start: u32, run_end: u32 },
}

/// What 3.8 and 3.9 say of a line with a Python 2 `print` or `exec` statement (the legacy
/// statement check of `SyntaxError`, in Objects/exceptions.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyMessage {
    /// The check does not apply: "invalid syntax".
    InvalidSyntax,
    /// "Missing parentheses in call to 'exec'".
    Exec,
    /// "Missing parentheses in call to 'print'. Did you mean print(...)?" with the line's
    /// arguments (see [`NewerSyntax::suggestion`]).
    Print,
}

/// The statement that carries type parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeParameterOwner {
    Function,
    Class,
    Alias,
}

/// Why an f-string does not compile before 3.12, as the f-string parser of 3.9–3.11 reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FStringProblem {
    pub error: FStringError,
    /// The old tokenizer ended the string early, at a quote inside a replacement field.
    pub ended_early: bool,
    /// The token that the old tokenizer reads after that early end.
    pub next: NextToken,
}

/// What follows an f-string that the tokenizer before 3.12 ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextToken {
    /// Another string literal, which the parser concatenates; such f-strings are not recorded
    /// (see `fstring_problem`).
    String,
    /// A backslash that does not end the line: the tokenizer fails there, before any parser
    /// error ("unexpected character after line continuation character").
    Backslash,
    /// Anything else: 3.9–3.11 report the f-string's error, 3.8's parser fails first
    /// ("invalid syntax").
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FStringError {
    /// The field ends inside an open bracket.
    Unmatched(u8),
    /// The field ends without its closing `}`.
    ExpectingBrace,
    /// A backslash in a replacement field.
    Backslash,
    /// A `#` in a replacement field.
    Comment,
}

impl SyntaxFeature {
    /// The first minor version of Python 3 that compiles it; `None` when no supported one does.
    pub fn since(self) -> Option<u32> {
        Some(match self {
            SyntaxFeature::ParenthesizedWith | SyntaxFeature::RelaxedDecorator | SyntaxFeature::WalrusInSet => 9,
            SyntaxFeature::MatchStatement | SyntaxFeature::WalrusInSubscript => 10,
            SyntaxFeature::UnparenthesizedStar { .. } | SyntaxFeature::RepeatedKeyword | SyntaxFeature::DebugAssignment => 9,
            SyntaxFeature::ExceptStar | SyntaxFeature::StarredSubscript { .. } => 11,
            SyntaxFeature::TypeAlias
            | SyntaxFeature::FunctionTypeParameters
            | SyntaxFeature::ClassTypeParameters
            | SyntaxFeature::FString(_) => 12,
            SyntaxFeature::TypeParameterDefault(_) => 13,
            SyntaxFeature::Lexical(LexicalProblem::TemplateString) => 14,
            SyntaxFeature::UnparenthesizedExceptTypes
            | SyntaxFeature::LegacyStatement { .. }
            | SyntaxFeature::Lexical(_)
            | SyntaxFeature::Indentation(_)
            | SyntaxFeature::Token(_)
            | SyntaxFeature::DefaultBeforePlain { .. }
            | SyntaxFeature::ArgumentOrder { .. }
            | SyntaxFeature::InvalidTarget { .. }
            | SyntaxFeature::ParenthesizedStar
            | SyntaxFeature::BareStar { .. }
            | SyntaxFeature::ComprehensionTuple { .. }
            | SyntaxFeature::ExceptStarWithoutTypes
            | SyntaxFeature::FStringConversion { .. }
            | SyntaxFeature::BadEscape { .. } => return None,
        })
    }

    /// The first minor version that compiles a file with it, for a reader: none for what the
    /// parser of 3.9 on reads and their compiler refuses, which [`SyntaxFeature::since`] counts
    /// as read.
    pub fn needs(self) -> Option<u32> {
        match self {
            SyntaxFeature::UnparenthesizedStar { tuple: false } | SyntaxFeature::RepeatedKeyword | SyntaxFeature::DebugAssignment => None,
            _ => self.since(),
        }
    }

    /// What the syntax is, for a reader.
    pub fn describe(self) -> &'static str {
        match self {
            SyntaxFeature::MatchStatement => "a `match` statement",
            SyntaxFeature::ExceptStar => "`except*`",
            SyntaxFeature::ParenthesizedWith => "a parenthesized `with` item with `as`",
            SyntaxFeature::RelaxedDecorator => "a decorator that is not a dotted name or its call",
            SyntaxFeature::StarredSubscript { .. } => "a starred expression in a subscript",
            SyntaxFeature::WalrusInSet => "an unparenthesized `:=` in a set",
            SyntaxFeature::WalrusInSubscript => "an unparenthesized `:=` as an index",
            SyntaxFeature::TypeAlias => "a `type` statement",
            SyntaxFeature::FunctionTypeParameters | SyntaxFeature::ClassTypeParameters => "type parameters",
            SyntaxFeature::TypeParameterDefault(_) => "a type parameter default",
            SyntaxFeature::FString(_) => "an f-string that reuses its quotes, or has a backslash or comment in a field",
            SyntaxFeature::UnparenthesizedExceptTypes => "`except A, B:` without parentheses",
            SyntaxFeature::LegacyStatement { exec: false, .. } => "a Python 2 `print` statement",
            SyntaxFeature::LegacyStatement { exec: true, .. } => "a Python 2 `exec` statement",
            SyntaxFeature::Lexical(problem) => problem.describe(),
            SyntaxFeature::Indentation(problem) => problem.describe(),
            SyntaxFeature::Token(problem) => problem.describe(),
            SyntaxFeature::DefaultBeforePlain { .. } => "a parameter without a default after one with a default",
            SyntaxFeature::ArgumentOrder { .. } => "an argument out of order",
            SyntaxFeature::InvalidTarget { .. } => "an expression that cannot be assigned to or deleted",
            SyntaxFeature::UnparenthesizedStar { .. } => "a starred expression without parentheses",
            SyntaxFeature::ParenthesizedStar => "a starred expression alone in parentheses",
            SyntaxFeature::BareStar { .. } => "a `*` that no keyword-only parameter follows",
            SyntaxFeature::ComprehensionTuple { .. } => "a comprehension over a tuple without parentheses",
            SyntaxFeature::ExceptStarWithoutTypes => "`except*` without exception types",
            SyntaxFeature::FStringConversion { .. } => "an f-string conversion other than `!s`, `!r` or `!a`",
            SyntaxFeature::RepeatedKeyword => "a keyword argument given twice",
            SyntaxFeature::DebugAssignment => "a binding of `__debug__`",
            SyntaxFeature::BadEscape { .. } => "an escape sequence that does not decode",
        }
    }

    /// Whether Python 3.`minor` finds the problem only after the whole file parsed: 3.8 builds
    /// its AST from a finished parse tree and checks argument and parameter lists, targets,
    /// `__debug__` and string literals there (Python/ast.c), so any error of its parser or
    /// tokenizer comes first.
    pub fn found_after_parse(self, minor: u32) -> bool {
        minor < 9
            && match self {
                SyntaxFeature::InvalidTarget { problem, .. } => !problem.is_grammar_error(minor),
                SyntaxFeature::DefaultBeforePlain { .. }
                | SyntaxFeature::ArgumentOrder { .. }
                | SyntaxFeature::Lexical(LexicalProblem::NonAsciiBytes | LexicalProblem::MixedBytes)
                | SyntaxFeature::BareStar { .. }
                | SyntaxFeature::ComprehensionTuple { in_call: true }
                | SyntaxFeature::FStringConversion { .. }
                | SyntaxFeature::RepeatedKeyword
                | SyntaxFeature::DebugAssignment
                | SyntaxFeature::BadEscape { .. } => true,
                _ => false,
            }
    }

    /// Whether the tokenizer meets it in the file's order and stops there: an error of the
    /// indentation that the tokenizer finds, or of a token (a bracket never closed is met only
    /// at the end of the file). [`LexicalProblem::is_tokenizer_error`] says it of tokens that
    /// tree-sitter reads.
    pub fn stops_tokenizer(self) -> bool {
        match self {
            SyntaxFeature::Indentation(problem) => problem.is_tokenizer_error(),
            SyntaxFeature::Token(problem) => !matches!(problem, TokenProblem::NeverClosed { .. }),
            _ => false,
        }
    }

    /// Whether Python 3.`minor` compiles it.
    pub fn compiles_on(self, minor: u32) -> bool {
        match self {
            SyntaxFeature::InvalidTarget { problem, .. } => return problem.passes_parser(minor),
            SyntaxFeature::ParenthesizedStar => return minor < 9,
            SyntaxFeature::ExceptStarWithoutTypes => return minor < 11,
            SyntaxFeature::Token(problem) => return !problem.raised_on(minor),
            _ => {}
        }
        self.since().is_some_and(|since| minor >= since)
    }

    /// CPython 3.`minor`'s message for it, without the "(file, line n)" that `str()` adds.
    pub fn message(self, minor: u32) -> String {
        const INVALID: &str = "invalid syntax";
        let message = match self {
            SyntaxFeature::FunctionTypeParameters if minor == 11 => "expected '('",
            SyntaxFeature::TypeParameterDefault(TypeParameterOwner::Function) if (11..=12).contains(&minor) => {
                "expected '('"
            }
            SyntaxFeature::TypeParameterDefault(TypeParameterOwner::Alias) if minor == 12 => {
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?"
            }
            SyntaxFeature::UnparenthesizedExceptTypes if minor >= 10 => "multiple exception types must be parenthesized",
            SyntaxFeature::StarredSubscript { bracketed: true } if minor == 10 => "invalid syntax. Perhaps you forgot a comma?",
            SyntaxFeature::Lexical(problem) => problem.message(minor),
            SyntaxFeature::Indentation(problem) => return problem.message(minor),
            SyntaxFeature::Token(problem) => return problem.message(minor),
            SyntaxFeature::DefaultBeforePlain { .. } if minor >= 12 => "parameter without a default follows parameter with a default",
            SyntaxFeature::DefaultBeforePlain { .. } => "non-default argument follows default argument",
            SyntaxFeature::ArgumentOrder { problem, .. } => problem.message(),
            SyntaxFeature::InvalidTarget { problem, .. } => return problem.message(minor),
            SyntaxFeature::BareStar { .. } => "named arguments must follow bare *",
            SyntaxFeature::RepeatedKeyword => "keyword argument repeated",
            SyntaxFeature::DebugAssignment => "cannot assign to __debug__",
            SyntaxFeature::BadEscape { problem, .. } => return problem.message(),
            SyntaxFeature::ComprehensionTuple { in_call: true } => "Generator expression must be parenthesized",
            SyntaxFeature::ExceptStarWithoutTypes => "expected one or more exception types",
            SyntaxFeature::FStringConversion { character, .. } if minor >= 12 => {
                return format!("f-string: invalid conversion character '{character}': expected 's', 'r', or 'a'")
            }
            SyntaxFeature::FStringConversion { .. } => "f-string: invalid conversion character: expected 's', 'r', or 'a'",
            SyntaxFeature::ParenthesizedStar if minor >= 10 => "cannot use starred expression here",
            SyntaxFeature::ParenthesizedStar => "can't use starred expression here",
            SyntaxFeature::LegacyStatement { exec, legacy } => {
                let name = if exec { "exec" } else { "print" };
                return match legacy {
                    _ if minor >= 10 => format!("Missing parentheses in call to '{name}'. Did you mean {name}(...)?"),
                    LegacyMessage::InvalidSyntax => INVALID.to_string(),
                    LegacyMessage::Exec => "Missing parentheses in call to 'exec'".to_string(),
                    // Only with the suggestion, which `NewerSyntax::message` adds.
                    LegacyMessage::Print => "Missing parentheses in call to 'print'".to_string(),
                };
            }
            SyntaxFeature::FString(problem) => {
                let next = if problem.ended_early { Some(problem.next) } else { None };
                if next == Some(NextToken::Backslash) {
                    "unexpected character after line continuation character"
                } else if minor < 9 && next == Some(NextToken::Other) {
                    INVALID
                } else {
                    return match problem.error {
                        FStringError::Unmatched(open) => format!("f-string: unmatched '{}'", char::from(open)),
                        FStringError::ExpectingBrace => "f-string: expecting '}'".to_string(),
                        FStringError::Backslash => "f-string expression part cannot include a backslash".to_string(),
                        FStringError::Comment => "f-string expression part cannot include '#'".to_string(),
                    };
                }
            }
            _ => INVALID,
        };
        message.to_string()
    }
}

/// Every place of the file whose syntax some supported Python rejects, in source order; the
/// ranges of the tree's ERROR nodes that are only a type parameter's default (tree-sitter-python
/// does not know PEP 696 yet), which are no syntax error for 3.13; and the errors of the symbol
/// table and the compiler found on the way (see `parameters` and `targets`).
/// `lambdas` are the places of the word `lambda` (see [`super::syntax::Marks`]).
pub(super) fn collect<'a>(text: &str, root: Node<'a>, kids: &Children<'a>, lambdas: &[usize]) -> Collected {
    let mut found = Collector { text, kids, found: Vec::new(), defaults: Vec::new(), targets: Findings::default() };
    found.statements(root);
    for &at in lambdas {
        let lambda = root.descendant_for_byte_range(at, at + "lambda".len()).and_then(|token| token.parent());
        if let Some(lambda) = lambda.filter(|l| kind(*l) == Kind::Lambda && l.start_byte() == at) {
            found.parameters(lambda);
            // The event walk does not read a lambda's body, which runs only when called.
            if let Some(body) = kids.child(lambda, Field::Body) {
                found.argument_lists(body);
            }
        }
    }
    found.starred_subscripts(root);
    found.comprehension_tuples(root);
    super::targets::debug_assignments(text, root, kids, &mut found.targets);
    found.found.extend(super::escapes::collect(text, root, kids));
    found.walruses(root);
    found.fstrings(root);
    found.found.append(&mut found.targets.newer);
    found.found.sort_by_key(|f| (f.range.start, f.range.end));
    let Findings { symbol_table, compiler, .. } = found.targets;
    Collected { newer: found.found, defaults: found.defaults, symbol_table, compiler }
}

/// What [`collect`] finds.
pub(super) struct Collected {
    /// In source order.
    pub(super) newer: Vec<NewerSyntax>,
    /// The ranges of the tree's ERROR nodes that are only a type parameter's default.
    pub(super) defaults: Vec<TextRange>,
    /// The symbol table's errors: duplicate parameters, `:=` where a comprehension forbids it.
    pub(super) symbol_table: Vec<CompileError>,
    /// The compiler's errors of targets and starred values (see `targets`).
    pub(super) compiler: Vec<CompileError>,
}

struct Collector<'k, 'a> {
    text: &'k str,
    kids: &'k Children<'a>,
    found: Vec<NewerSyntax>,
    defaults: Vec<TextRange>,
    /// What the checks of `targets` and `parameters` find besides the newer syntax.
    targets: Findings,
}

impl<'a> Collector<'_, 'a> {
    fn add(&mut self, node: Node, feature: SyntaxFeature) {
        self.add_at(TextRange::new(node.start_byte(), node.end_byte()), feature);
    }

    /// A place whose range is not a node's (part of a decorator, a run of strings).
    fn add_at(&mut self, range: TextRange, feature: SyntaxFeature) {
        self.found.push(NewerSyntax { range, feature, suggestion: None });
    }

    /// The anonymous child of `node` whose text is `token`.
    fn token(&self, node: Node<'a>, token: &str) -> Option<Node<'a>> {
        token_child(node, token, self.text, self.kids)
    }

    /// Looks at every statement; statements stand only in nodes that may hold them.
    fn statements(&mut self, node: Node<'a>) {
        for child in self.kids.iter(node, Which::NamedCode) {
            let child_kind = kind(child);
            match child_kind {
                Kind::MatchStatement => self.match_statement(child),
                Kind::PrintStatement | Kind::ExecStatement => self.legacy_statement(child, child_kind == Kind::ExecStatement),
                Kind::ExceptClause | Kind::ExceptGroupClause => self.except_clause(child),
                Kind::WithStatement => self.with_statement(child),
                Kind::Decorator => self.decorator(child),
                Kind::FunctionDefinition => {
                    self.type_parameters(child, TypeParameterOwner::Function);
                    self.parameters(child);
                }
                Kind::ClassDefinition => self.type_parameters(child, TypeParameterOwner::Class),
                Kind::TypeAliasStatement => {
                    // tree-sitter-python also reads `type(x).attr = value` as a type alias; a
                    // real one names an identifier, with or without type parameters.
                    let named = |left: &Node<'a>| {
                        self.kids.iter(*left, Which::NamedCode).next().is_some_and(|name| {
                            matches!(kind(name), Kind::Identifier | Kind::GenericType)
                        })
                    };
                    if let Some(left) = self.kids.child(child, Field::Left).filter(named) {
                        self.add(left, SyntaxFeature::TypeAlias);
                        self.type_parameter_defaults(left, TypeParameterOwner::Alias);
                    }
                }
                Kind::DeleteStatement | Kind::ExpressionStatement | Kind::ReturnStatement => {
                    super::targets::statement(child, self.text, self.kids, &mut self.targets)
                }
                _ => {}
            }
            if matches!(child_kind, Kind::ForStatement | Kind::WithStatement) {
                super::targets::statement(child, self.text, self.kids, &mut self.targets);
            }
            if child_kind.may_hold_statements() {
                self.statements(child);
            }
        }
    }

    /// The errors of the argument lists of the calls under `node`.
    fn argument_lists(&mut self, node: Node<'a>) {
        if kind(node) == Kind::ArgumentList {
            for (newer, error) in super::parameters::argument_list_errors(node, self.text, self.kids) {
                self.found.push(newer);
                self.targets.compiler.extend(error);
            }
        }
        for child in self.kids.iter(node, Which::NamedCode) {
            self.argument_lists(child);
        }
    }

    /// The errors of a `def`'s or a `lambda`'s parameter list.
    fn parameters(&mut self, function: Node<'a>) {
        let (order, duplicate) = super::parameters::check(function, self.text, self.kids);
        self.found.extend(order);
        self.targets.symbol_table.extend(duplicate);
    }

    /// `print "x"` or `exec code`. A `print >> f, x` is no statement but an expression that
    /// every version compiles (a shift and a tuple).
    fn legacy_statement(&mut self, node: Node<'a>, exec: bool) {
        if !exec && self.kids.iter(node, Which::NamedCode).any(|c| kind(c) == Kind::Chevron) {
            return;
        }
        let (legacy, suggestion) = legacy_message(self.text, node.start_byte());
        let feature = SyntaxFeature::LegacyStatement { exec, legacy };
        self.found.push(NewerSyntax { range: TextRange::new(node.start_byte(), node.end_byte()), feature, suggestion });
    }

    /// Before 3.10 `match` is a name: the parser fails at the subject's first token, unless that
    /// token continues an expression (`match (x)` is a call, `match [x]` an item, `match -x` a
    /// subtraction), and then at the colon.
    fn match_statement(&mut self, node: Node<'a>) {
        let Some(subject) = self.kids.child(node, Field::Subject) else { return };
        let continues = matches!(node_text(subject, self.text).as_bytes().first(), Some(b'(' | b'[' | b'-' | b'+' | b'*' | b'.'));
        let at = if continues { self.token(node, ":").unwrap_or(subject) } else { subject };
        self.add(at, SyntaxFeature::MatchStatement);
    }

    fn except_clause(&mut self, node: Node<'a>) {
        if let Some(star) = self.token(node, "*") {
            self.add(star, SyntaxFeature::ExceptStar);
            if self.kids.child(node, Field::Value).is_none() {
                if let Some(colon) = self.token(node, ":") {
                    self.add(colon, SyntaxFeature::ExceptStarWithoutTypes);
                }
            }
        } else if self.kids.iter(node, Which::InField(Field::Value)).nth(1).is_some() {
            if let Some(first) = self.kids.child(node, Field::Value) {
                self.add(first, SyntaxFeature::UnparenthesizedExceptTypes);
            }
        }
    }

    /// 3.8 reads `with (a as b, c):` as a parenthesized expression, which fails at the first
    /// `as`; without an `as` the parentheses make a tuple, which compiles (and fails when run).
    fn with_statement(&mut self, node: Node<'a>) {
        let Some(clause) = self.kids.iter(node, Which::Named).find(|c| kind(*c) == Kind::WithClause) else { return };
        let parenthesized = self.kids.iter(clause, Which::All).next().is_some_and(|first| node_text(first, self.text) == "(");
        for item in self.kids.iter(clause, Which::Named) {
            let Some(value) = self.kids.child(item, Field::Value) else { continue };
            // A single item in parentheses, `with (a as b):`, is a parenthesized `as` to
            // tree-sitter.
            let value = match kind(value) {
                Kind::ParenthesizedExpression if !parenthesized => match self.kids.iter(value, Which::NamedCode).next() {
                    Some(inner) => inner,
                    None => continue,
                },
                _ if !parenthesized => continue,
                _ => value,
            };
            if kind(value) == Kind::AsPattern {
                let at = self.token(value, "as").unwrap_or(value);
                self.add(at, SyntaxFeature::ParenthesizedWith);
                return;
            }
        }
    }

    /// 3.8's decorator is a dotted name, optionally called once. The parser fails at the first
    /// token after the longest such beginning of the expression.
    fn decorator(&mut self, node: Node<'a>) {
        let Some(expression) = self.kids.iter(node, Which::NamedCode).next() else { return };
        // The chain of primaries from the outermost expression to its innermost, leftmost one.
        let mut chain = vec![expression];
        loop {
            let last = chain[chain.len() - 1];
            let inner = match kind(last) {
                Kind::Attribute => self.kids.child(last, Field::Object),
                Kind::Call => self.kids.child(last, Field::Function),
                Kind::Subscript => self.kids.child(last, Field::Value),
                _ => None,
            };
            match inner {
                Some(inner) => chain.push(inner),
                None => break,
            }
        }
        chain.reverse();
        if kind(chain[0]) != Kind::Identifier {
            self.add(chain[0], SyntaxFeature::RelaxedDecorator);
            return;
        }
        // How far the valid beginning goes: attributes, then at most one call at the end.
        let mut valid = 1;
        while valid < chain.len() && kind(chain[valid]) == Kind::Attribute {
            valid += 1;
        }
        if valid < chain.len() && kind(chain[valid]) == Kind::Call {
            valid += 1;
        }
        if valid == chain.len() {
            return;
        }
        // The offending token follows the valid beginning, after any spaces.
        let after = chain[valid - 1].end_byte();
        let bytes = self.text.as_bytes();
        let mut at = after;
        while at < chain[valid].end_byte() && matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r' | b'\\')) {
            at += 1;
        }
        self.add_at(TextRange::new(at, (at + 1).min(chain[valid].end_byte())), SyntaxFeature::RelaxedDecorator);
    }

    fn type_parameters(&mut self, node: Node<'a>, owner: TypeParameterOwner) {
        let Some(parameters) = self.kids.child(node, Field::TypeParameters) else { return };
        let feature = match owner {
            TypeParameterOwner::Class => SyntaxFeature::ClassTypeParameters,
            _ => SyntaxFeature::FunctionTypeParameters,
        };
        self.add(parameters, feature);
        self.type_parameter_defaults(parameters, owner);
    }

    /// tree-sitter-python reads `T = int` in type parameters as an ERROR around `T =` or `= int`.
    fn type_parameter_defaults(&mut self, node: Node<'a>, owner: TypeParameterOwner) {
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            if kind(node) == Kind::TypeParameter {
                let errors: Vec<Node> = self
                    .kids
                    .iter(node, Which::Named)
                    .filter(|c| c.is_error() && node_text(*c, self.text).contains('='))
                    .collect();
                if !errors.is_empty() {
                    self.add(node, SyntaxFeature::TypeParameterDefault(owner));
                    self.defaults.extend(errors.iter().map(|e| TextRange::new(e.start_byte(), e.end_byte())));
                }
            }
            stack.extend(self.kids.iter(node, Which::Named));
        }
    }

    /// `x[*a]` and `x[a, *b]`: a `*` after `[` or `,` whose node is a starred item of a subscript.
    fn starred_subscripts(&mut self, root: Node<'a>) {
        let bytes = self.text.as_bytes();
        for at in memchr::memchr_iter(b'*', bytes) {
            if bytes.get(at + 1).is_some_and(|next| matches!(next, b'*' | b'=')) || at > 0 && bytes[at - 1] == b'*' {
                continue;
            }
            let before = bytes[..at].iter().rev().find(|b| !b.is_ascii_whitespace());
            if !matches!(before, Some(b'[' | b',' | b'(')) {
                continue;
            }
            let Some(star) = root.descendant_for_byte_range(at, at + 1) else { continue };
            let Some(splat) = star.parent().filter(|p| kind(*p) == Kind::ListSplat) else { continue };
            let alone = |p: Node<'a>| kind(p) == Kind::Tuple && token_child(p, ",", self.text, self.kids).is_none();
            if splat.parent().is_some_and(alone) {
                // `(*a)`, which tree-sitter reads as a tuple without a comma: parentheses make
                // no tuple. 3.8's compiler refuses it, the parser of later versions.
                self.add(star, SyntaxFeature::ParenthesizedStar);
                self.targets.compiler.push(CompileError::new(at as u32, STARRED_VALUE.to_string()));
                continue;
            }
            let Some(subscript) = splat.parent().filter(|p| kind(*p) == Kind::Subscript) else { continue };
            let bracketed = self.bracketed(subscript);
            self.add(star, SyntaxFeature::StarredSubscript { bracketed });
        }
    }

    /// Whether 3.10's "Perhaps you forgot a comma?" applies to `x[*a]`: it reads `x` and the
    /// list `[*a]` as two expressions in a row, which it questions inside brackets only, and
    /// not after `print`, `exec` or a soft keyword.
    fn bracketed(&self, subscript: Node<'a>) -> bool {
        let value = self.kids.child(subscript, Field::Value);
        if value.is_some_and(|v| matches!(node_text(v, self.text), "print" | "exec" | "match" | "case" | "_" | "type")) {
            return false;
        }
        let mut child = subscript;
        while let Some(parent) = child.parent() {
            match kind(parent) {
                Kind::ArgumentList
                | Kind::ParenthesizedExpression
                | Kind::List
                | Kind::Tuple
                | Kind::Dictionary
                | Kind::Set
                | Kind::ListComprehension
                | Kind::SetComprehension
                | Kind::DictionaryComprehension
                | Kind::GeneratorExpression => return true,
                Kind::Subscript if self.kids.child(parent, Field::Value) != Some(child) => return true,
                kind if kind.may_hold_statements() || kind == Kind::ExpressionStatement => return false,
                _ => child = parent,
            }
        }
        false
    }

    /// A comprehension's `for` clause with more than one iterable: tree-sitter reads
    /// `[x for x in 1, 2]` as iterating over a tuple, which CPython's grammar does not.
    fn comprehension_tuples(&mut self, root: Node<'a>) {
        for at in word_starts(self.text.as_bytes(), b"for") {
            let Some(token) = root.descendant_for_byte_range(at, at + 3) else { continue };
            let Some(clause) = token.parent().filter(|p| kind(*p) == Kind::ForInClause) else { continue };
            let comprehension = clause.parent();
            let body = comprehension.and_then(|c| self.kids.child(c, Field::Body));
            // A generator expression that is a call's only argument, parentheses and all.
            let call_argument = comprehension.filter(|c| {
                kind(*c) == Kind::GeneratorExpression && c.parent().is_some_and(|call| kind(call) == Kind::Call)
            });
            let mut iterables = self.kids.iter(clause, Which::InField(Field::Right));
            let Some(first) = iterables.next() else { continue };
            let several = iterables.next().is_some();
            match (call_argument, body) {
                (Some(generator), Some(body)) => {
                    // `f(x for x in y,)`: tree-sitter takes the comma after the generator's last
                    // clause as part of the call's parentheses. Each generator is looked at for
                    // it once, from its first clause.
                    let first_clause = self.kids.iter(generator, Which::NamedCode).find(|c| kind(*c) == Kind::ForInClause);
                    let before = &self.text.as_bytes()[..generator.end_byte().saturating_sub(1)];
                    let trailing_comma = before.iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b',');
                    if several || trailing_comma && first_clause.is_some_and(|first| first.id() == clause.id()) {
                        self.add(body, SyntaxFeature::ComprehensionTuple { in_call: true });
                    }
                }
                _ if several => {
                    let comma = self.kids.iter(clause, Which::All).find(|c| c.start_byte() >= first.end_byte() && !c.is_named());
                    self.add(comma.unwrap_or(first), SyntaxFeature::ComprehensionTuple { in_call: false });
                }
                _ => {}
            }
        }
    }

    /// `:=` straight inside a set, a set comprehension or the brackets of a subscript.
    fn walruses(&mut self, root: Node<'a>) {
        for at in memchr::memmem::find_iter(self.text.as_bytes(), b":=") {
            let Some(operator) = root.descendant_for_byte_range(at, at + 2) else { continue };
            let Some(walrus) = operator.parent().filter(|p| kind(*p) == Kind::NamedExpression) else { continue };
            super::targets::named_expression(walrus, self.text, self.kids, &mut self.targets);
            let feature = match walrus.parent().map(kind) {
                Some(Kind::Set | Kind::SetComprehension) => SyntaxFeature::WalrusInSet,
                Some(Kind::Subscript) => SyntaxFeature::WalrusInSubscript,
                _ => continue,
            };
            self.add(operator, feature);
        }
    }

    /// Every f-string literal: a quote after a prefix of string letters with an `f`.
    fn fstrings(&mut self, root: Node<'a>) {
        let bytes = self.text.as_bytes();
        for at in memchr::memchr2_iter(b'"', b'\'', bytes) {
            let mut start = at;
            while start > 0 && at - start < 2 && matches!(bytes[start - 1], b'f' | b'F' | b'r' | b'R' | b'b' | b'B' | b'u' | b'U') {
                start -= 1;
            }
            let prefix = &bytes[start..at];
            if !prefix.iter().any(|b| matches!(b, b'f' | b'F')) || start > 0 && is_word_byte(bytes[start - 1]) {
                continue;
            }
            let Some(token) = root.descendant_for_byte_range(start, start + 1) else { continue };
            let Some(string) = token.parent().filter(|s| kind(*s) == Kind::String && s.start_byte() == start) else {
                continue;
            };
            self.conversions(string);
            let Some((problem, early_end)) = fstring_problem(bytes, at, string.end_byte()) else { continue };
            let range = match early_end {
                // The old tokenizer fails right after the quote that ended the string early.
                Some(quote) => TextRange::new(quote, quote + 1),
                None => {
                    let run = string.parent().filter(|p| kind(*p) == Kind::ConcatenatedString).unwrap_or(string);
                    TextRange::new(run.start_byte(), run.end_byte())
                }
            };
            self.add_at(range, SyntaxFeature::FString(problem));
        }
    }
}

impl<'a> Collector<'_, 'a> {
    /// The fields of an f-string (nested ones too) with a conversion other than `!s`, `!r` and
    /// `!a`; tree-sitter reads any one character there.
    fn conversions(&mut self, string: Node<'a>) {
        let mut stack = vec![string];
        while let Some(node) = stack.pop() {
            if node.kind() == "type_conversion" {
                let character = node_text(node, self.text).trim_start_matches('!').chars().next();
                let Some(character) = character.filter(|c| !matches!(c, 's' | 'r' | 'a')) else { continue };
                let run = string.parent().filter(|p| kind(*p) == Kind::ConcatenatedString).unwrap_or(string);
                let feature = SyntaxFeature::FStringConversion {
                    character,
                    run_start: run.start_byte() as u32,
                    run_end: run.end_byte().saturating_sub(1) as u32,
                };
                let at = node.end_byte() - character.len_utf8();
                self.add_at(TextRange::new(at, node.end_byte()), feature);
                continue;
            }
            if matches!(kind(node), Kind::String | Kind::Interpolation) || matches!(node.kind(), "format_specifier" | "format_expression") {
                stack.extend(self.kids.iter(node, Which::Named));
            }
        }
    }
}

/// What 3.8 and 3.9 say of the line with a legacy statement at `at`: `SyntaxError` looks for
/// `print ` or `exec ` at the start of the line (after white space), then after its first
/// colon, unless the line has a `(`. A print's suggestion is the rest of the line up to a `;`,
/// stripped, with ` end=" "` after a trailing comma.
fn legacy_message(text: &str, at: usize) -> (LegacyMessage, Option<Box<str>>) {
    let line_start = super::indentation::line_start(text.as_bytes(), at);
    let line_end = text[at..].find('\n').map_or(text.len(), |newline| at + newline);
    let line = &text[line_start..line_end];
    if line.contains('(') {
        return (LegacyMessage::InvalidSyntax, None);
    }
    let after_colon = line.find(':').map(|colon| colon + 1);
    for start in std::iter::once(0).chain(after_colon) {
        let rest = line[start..].trim_start();
        if let Some(arguments) = rest.strip_prefix("print ") {
            let arguments = arguments.split(';').next().unwrap_or_default().trim_matches([' ', '\t', '\r', '\n']);
            let end = if arguments.ends_with(',') { " end=\" \"" } else { "" };
            return (LegacyMessage::Print, Some(format!("{arguments}{end}").into()));
        }
        if rest.starts_with("exec ") {
            return (LegacyMessage::Exec, None);
        }
    }
    (LegacyMessage::InvalidSyntax, None)
}

/// What CPython 3.9–3.11 make of an f-string whose opening quote is at `quote` and which
/// tree-sitter ends at `end`, with where their tokenizer ended it early: at the first closing
/// quote, escaped quotes aside. Their f-string parser then reads its replacement fields. When
/// another string literal follows the early end, the two are concatenated and the outcome
/// depends on how the fields continue across them (`f'{' f'}'` compiles on 3.11); that case
/// is left undecided, as no error.
fn fstring_problem(bytes: &[u8], quote: usize, end: usize) -> Option<(FStringProblem, Option<usize>)> {
    let q = bytes[quote];
    let triple = bytes.get(quote..quote + 3) == Some(&[q, q, q][..]);
    let closing = if triple { 3 } else { 1 };
    let body = quote + closing;
    let mut at = body;
    let mut early_end = None;
    let limit = end.saturating_sub(closing);
    while at < limit {
        match bytes[at] {
            b'\\' => at += 2,
            b if b == q && bytes.get(at..at + closing).is_some_and(|s| s.iter().all(|c| *c == q)) => {
                early_end = Some(at);
                break;
            }
            _ => at += 1,
        }
    }
    let content = &bytes[body..early_end.unwrap_or(end.saturating_sub(closing)).max(body)];
    let error = field_error(content);
    let ended_early = early_end.is_some();
    let error = match error {
        Some(error) => error,
        // The early end falls inside a field, so the reading above found it open.
        None if ended_early => FStringError::ExpectingBrace,
        None => return None,
    };
    let next = early_end.map_or(NextToken::Other, |at| {
        let rest = &bytes[(at + closing).min(end)..end];
        let rest = &rest[rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count()..];
        let letters = rest.iter().take_while(|b| matches!(b, b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'f' | b'F')).count();
        if letters <= 2 && matches!(rest.get(letters), Some(b'"' | b'\'')) {
            NextToken::String
        } else if rest.first() == Some(&b'\\') && !matches!(rest.get(1), Some(b'\n' | b'\r')) {
            NextToken::Backslash
        } else {
            NextToken::Other
        }
    });
    if next == NextToken::String {
        return None;
    }
    Some((FStringProblem { error, ended_early, next }, early_end))
}

/// The first error in the replacement fields of an f-string's text, as `fstring_find_expr` of
/// CPython 3.9–3.11 finds it; `None` when every field is well formed.
fn field_error(content: &[u8]) -> Option<FStringError> {
    let mut at = 0;
    while at < content.len() {
        match content[at] {
            b'{' if content.get(at + 1) == Some(&b'{') => at += 2,
            b'{' => {
                at += 1;
                let mut open: Vec<u8> = Vec::new();
                // The open string inside the field: its quote and whether it is tripled.
                let mut quote: Option<(u8, bool)> = None;
                loop {
                    let Some(&c) = content.get(at) else {
                        return Some(match open.last() {
                            Some(bracket) => FStringError::Unmatched(*bracket),
                            None => FStringError::ExpectingBrace,
                        });
                    };
                    at += 1;
                    if c == b'\\' {
                        return Some(FStringError::Backslash);
                    }
                    let tripled = |at: usize| content.get(at..at + 2) == Some(&[c, c][..]);
                    if let Some((q, triple)) = quote {
                        if c == q && !triple {
                            quote = None;
                        } else if c == q && tripled(at) {
                            at += 2;
                            quote = None;
                        }
                        continue;
                    }
                    match c {
                        b'\'' | b'"' if tripled(at) => {
                            at += 2;
                            quote = Some((c, true));
                        }
                        b'\'' | b'"' => quote = Some((c, false)),
                        b'#' => return Some(FStringError::Comment),
                        b'(' | b'[' | b'{' => open.push(c),
                        b')' | b']' => {
                            open.pop();
                        }
                        b'}' if open.is_empty() => break,
                        b'}' => {
                            open.pop();
                        }
                        // A conversion or a format spec: the spec's own fields are rare enough
                        // to read as text up to the field's end.
                        b'!' if open.is_empty() && content.get(at) != Some(&b'=') => {
                            skip_to_field_end(content, &mut at);
                            break;
                        }
                        b':' if open.is_empty() => {
                            skip_to_field_end(content, &mut at);
                            break;
                        }
                        _ => {}
                    }
                }
            }
            _ => at += 1,
        }
    }
    None
}

/// Moves `at` past the `}` that ends the field, counting the braces of nested fields.
fn skip_to_field_end(content: &[u8], at: &mut usize) {
    let mut depth = 0usize;
    while let Some(&c) = content.get(*at) {
        *at += 1;
        match c {
            b'{' => depth += 1,
            b'}' if depth == 0 => return,
            b'}' => depth -= 1,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(source: &str) -> Vec<(u32, SyntaxFeature)> {
        let summary = crate::analysis::summary::summarize(source);
        summary.newer_syntax.iter().map(|n| (summary.line_number(n.range.start), n.feature)).collect()
    }

    #[test]
    fn statements_of_newer_pythons_are_found_with_the_line_cpython_reports() {
        let source = "\
x = 1
match (x):
    case 1:
        pass
try:
    pass
except* ValueError:
    pass
type X = int
def f[T](a: T) -> T:
    return a
class C[T]:
    pass
@x[0]
def g(): pass
with (open(x) as a, open(x)):
    pass
y = x[*x]
z = x[w:=0], {v := 1}
try:
    pass
except ValueError, TypeError:
    pass
";
        use SyntaxFeature::*;
        assert_eq!(
            features(source),
            vec![
                (2, MatchStatement),
                (7, ExceptStar),
                (9, TypeAlias),
                (10, FunctionTypeParameters),
                (12, ClassTypeParameters),
                (14, RelaxedDecorator),
                (16, ParenthesizedWith),
                (18, StarredSubscript { bracketed: false }),
                (19, WalrusInSubscript),
                (19, WalrusInSet),
                (22, UnparenthesizedExceptTypes),
            ]
        );
    }

    #[test]
    fn syntax_every_supported_python_reads_is_not_reported() {
        let source = "\
import functools
type(functools).cache = {}
s = f\"{'''it's'''}\"
@functools.lru_cache(maxsize=2)
def f(a, /, b, *args, **kwargs):
    if (n := a) > 1:
        return f\"{n=} {a!r:>{b}} {'x'} {{}}\"
with (open('x')) as a, open('y') as b:
    pass
z = {**{}}[1:2], x[(y := 0)], [y := 1, 2], f(y := 2), {(y := 3)}
m = match = 1
";
        assert_eq!(features(source), vec![]);
    }

    #[test]
    fn type_parameter_defaults_are_313_syntax_not_syntax_errors() {
        let summary = crate::analysis::summary::summarize("def f[T=int](): pass\nclass C[T: int = int]: pass\n");
        assert!(summary.syntax_errors.is_empty(), "{:?}", summary.syntax_errors);
        use SyntaxFeature::*;
        let found: Vec<SyntaxFeature> = summary.newer_syntax.iter().map(|n| n.feature).collect();
        assert_eq!(
            found,
            vec![
                FunctionTypeParameters,
                TypeParameterDefault(TypeParameterOwner::Function),
                ClassTypeParameters,
                TypeParameterDefault(TypeParameterOwner::Class),
            ]
        );
        assert_eq!(TypeParameterDefault(TypeParameterOwner::Function).message(12), "expected '('");
        assert_eq!(TypeParameterDefault(TypeParameterOwner::Class).message(12), "invalid syntax");
    }

    #[test]
    fn a_starred_index_inside_brackets_gets_the_missing_comma_question_of_3_10() {
        let found = features("x = 1\ny = (x[*x],)\nz = print[*x]\n");
        use SyntaxFeature::*;
        assert_eq!(found, vec![(2, StarredSubscript { bracketed: true }), (3, StarredSubscript { bracketed: false })]);
        assert_eq!(StarredSubscript { bracketed: true }.message(10), "invalid syntax. Perhaps you forgot a comma?");
        assert_eq!(StarredSubscript { bracketed: true }.message(9), "invalid syntax");
    }

    /// `check` says a file needs a newer Python only where that Python compiles it: 3.9 reads
    /// a repeated keyword or `x += *a` and its compiler refuses them.
    #[test]
    fn needs_names_a_version_only_where_it_compiles() {
        use SyntaxFeature::*;
        assert_eq!(MatchStatement.needs(), Some(10));
        assert_eq!(UnparenthesizedStar { tuple: true }.needs(), Some(9));
        for feature in [UnparenthesizedStar { tuple: false }, RepeatedKeyword, DebugAssignment] {
            assert_eq!(feature.since(), Some(9), "{feature:?}");
            assert_eq!(feature.needs(), None, "{feature:?}");
        }
    }

    #[test]
    fn fstring_messages_follow_the_f_string_parser_of_each_version() {
        let problem = |source: &str| match features(source).as_slice() {
            [(_, SyntaxFeature::FString(problem))] => *problem,
            other => panic!("expected one f-string problem in {source:?}, found {other:?}"),
        };
        let nested = problem("d = {}\ns = f\"{d[\"a\"]}\"\n");
        assert_eq!(SyntaxFeature::FString(nested).message(11), "f-string: unmatched '['");
        assert_eq!(SyntaxFeature::FString(nested).message(8), "invalid syntax");
        // `b'}'` after the early end is a bytes literal; what a concatenation makes of the
        // fields is left undecided.
        assert_eq!(features("x = 'a'\ns = f'{x + 'b'}'\n"), vec![]);
        let backslash = problem("x = ['a']\ns = f\"{'\\n'.join(x)}\"\n");
        assert_eq!(SyntaxFeature::FString(backslash).message(10), "f-string expression part cannot include a backslash");
        assert!(SyntaxFeature::FString(backslash).compiles_on(12));
        // The old tokenizer ends the string at the inner quote and then fails at the backslash.
        let continuation = problem("names = []\nj = f\"{\"\\n\".join(names)}\"\n");
        assert_eq!(SyntaxFeature::FString(continuation).message(8), "unexpected character after line continuation character");
    }
}
