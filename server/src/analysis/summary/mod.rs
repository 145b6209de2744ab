//! Per-file summaries: everything the cross-file analysis needs to know about one module.
//!
//! A summary is a pure function of a file's text. It records the module's import-time behaviour
//! as a small program of [`Event`]s in execution order (imports, name bindings, calls of functions,
//! attribute reads, `sys.modules` writes) nested in the control flow that decides whether they run
//! (`if` conditions that can be decided statically, `try`/`except` handlers, class bodies). The
//! load-order simulator interprets this program; the rules read it. Broken code yields a partial
//! summary plus the ranges of its syntax errors, never an error.

mod condition;
pub mod exceptions;
mod extract;
mod bracketed_lines;
mod compile_errors;
mod declarations;
mod escapes;
mod indentation;
mod lexical;
mod newer_syntax;
mod parameters;
mod targets;
pub mod positions;
pub mod state;
mod syntax;
mod tokenizer;

pub use condition::{CompareOp, Cond, CondEnv, EnvQuestion, EnvTest, Literal, NameTest, NameValue, PythonVersion, StrMethod, VersionPart};
pub use extract::{new_parser, parse, summarize, summarize_tree};
pub use compile_errors::CompileError;
pub use escapes::{EscapeError, EscapeProblem};
pub use indentation::{BlockHeader, IndentProblem};
pub use tokenizer::TokenProblem;
pub use lexical::{LexicalProblem, NumberBase};
pub use parameters::ArgumentProblem;
pub use targets::{ExpressionName, TargetContext, TargetProblem};
pub use newer_syntax::{FStringError, FStringProblem, LegacyMessage, NewerSyntax, NextToken, SyntaxFeature, TypeParameterOwner};

use crate::analysis::text::{LineIndex, TextRange};

pub type FuncId = u32;
pub type ImportId = u32;

/// Why compiling a file fails, see [`FileSummary::compile_failure`].
#[derive(Clone, Copy, Debug)]
pub enum CompileFailure<'s> {
    /// tree-sitter found an error: CPython's most common message.
    InvalidSyntax { at: u32 },
    NewerSyntax(&'s NewerSyntax),
    Compiler(&'s CompileError),
}

/// The line, message and exception class that compiling raises.
#[cfg(test)]
pub(super) type CompileRaise<'a> = (u32, &'a str, &'a str);

/// Checks what compiling `source` raises on each listed version of CPython 3, or that it
/// compiles, for the tables of tests that compare with CPython.
#[cfg(test)]
pub(super) fn check_raised(source: &str, expected: &[(u32, Option<CompileRaise>)]) {
    for &(minor, want) in expected {
        let got = compile_failure_of(source, minor);
        let got = got.as_ref().map(|(line, message, class)| (*line, message.as_str(), *class));
        assert_eq!(got, want, "3.{minor} on {source:?}");
    }
}

/// The line, message and exception class of what compiling `source` raises on CPython
/// 3.`minor`, for the tables of tests that compare with CPython.
#[cfg(test)]
pub(super) fn compile_failure_of(source: &str, minor: u32) -> Option<(u32, String, &'static str)> {
    let summary = summarize(source);
    let failure = summary.compile_failure(minor)?;
    Some((failure.line(&summary, minor), failure.message(minor), failure.exception(minor)))
}

impl CompileFailure<'_> {
    /// The offset whose line CPython 3.`minor` reports.
    pub fn at(&self, minor: u32) -> u32 {
        match self {
            CompileFailure::InvalidSyntax { at } => *at,
            CompileFailure::NewerSyntax(newer) => newer.reported_at(minor),
            CompileFailure::Compiler(error) => error.reported_at(minor),
        }
    }

    /// The line CPython 3.`minor` reports: 3.8 and 3.9 report some errors at line 0.
    pub fn line(&self, summary: &FileSummary, minor: u32) -> u32 {
        match self.at(minor) {
            compile_errors::LINE_ZERO => 0,
            at => summary.line_number(at),
        }
    }

    /// The class of the exception on Python 3.`minor`: SyntaxError, or its subclass
    /// IndentationError or TabError.
    pub fn exception(&self, minor: u32) -> &'static str {
        match self {
            CompileFailure::NewerSyntax(NewerSyntax { feature: SyntaxFeature::Indentation(problem), .. }) => problem.exception(minor),
            _ => "SyntaxError",
        }
    }

    /// CPython 3.`minor`'s message, without the "(file, line n)" that `str()` adds.
    pub fn message(&self, minor: u32) -> String {
        match self {
            CompileFailure::InvalidSyntax { .. } => "invalid syntax".to_string(),
            CompileFailure::NewerSyntax(newer) => newer.message(minor),
            CompileFailure::Compiler(error) => error.message_on(minor).to_string(),
        }
    }
}

/// What one file does when Python runs it as a module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// Every import statement of the file (top level, in functions, anywhere), in source order.
    pub imports: Vec<ImportStmt>,
    /// The module's top level as an event program.
    pub body: Block,
    /// Every function definition, addressed by [`FuncId`].
    pub functions: Vec<Function>,
    /// The names listed in `__all__`, when they can be read statically.
    pub all: Option<Vec<String>>,
    /// `__all__` is assigned in a way this tool cannot follow.
    pub all_is_dynamic: bool,
    /// The range of the first top-level `if __name__ == "__main__":` statement.
    pub main_guard: Option<TextRange>,
    /// The module binds names in ways that cannot be read statically (`globals()[...] = `,
    /// `exec`), so "name not bound" is never certain. A module-level `__getattr__` is not one of
    /// them: the simulation calls it once it is bound.
    pub dynamic_namespace: bool,
    /// Ranges of ERROR and MISSING nodes in the parse tree.
    pub syntax_errors: Vec<TextRange>,
    /// Syntax that tree-sitter reads but some supported Python does not compile (`match` before
    /// 3.10, ...), in source order; the simulation decides for the version it models.
    pub newer_syntax: Vec<NewerSyntax>,
    /// The errors that compiling the parsed file raises (`return` at module level, a late
    /// `from __future__` import), in the order CPython finds them; the first that applies to
    /// a version is the one it raises.
    pub compile_errors: Vec<CompileError>,
    /// `# modcache: ignore[...]` and `# noqa: ...` comments.
    pub suppressions: Vec<Suppression>,
    /// Module state and import-time effects, for the state rules.
    pub state: state::StateFacts,
    pub line_index: LineIndex,
}

impl FileSummary {
    pub fn line_number(&self, offset: u32) -> u32 {
        self.line_index.line_number(offset)
    }

    /// The SyntaxError that compiling the file raises on Python 3.`minor`, if it does. The
    /// parser reports first: a syntax error or syntax newer than the version, whichever comes
    /// first in the file (an error of the indentation before a tree-sitter error at the same
    /// place, which is its consequence), except that from 3.10 on a parser that fails reads
    /// the rest of the file with its tokenizer, whose first error then wins if it is one that
    /// raises at once (see [`LexicalProblem::is_tokenizer_error`]); and that 3.8 checks some
    /// things only once the whole file parsed (see [`SyntaxFeature::found_after_parse`]). Only
    /// a file that parses reaches the compiler's own errors.
    pub fn compile_failure(&self, minor: u32) -> Option<CompileFailure<'_>> {
        let invalid = self.syntax_errors.first().map(|error| CompileFailure::InvalidSyntax { at: error.start });
        let mut rejected = self.newer_syntax.iter().filter(|newer| !newer.feature.compiles_on(minor));
        let newer = rejected.clone().find(|newer| !newer.feature.found_after_parse(minor)).map(CompileFailure::NewerSyntax);
        let parser = match (invalid, newer) {
            (Some(a), Some(CompileFailure::NewerSyntax(newer))) => {
                // What the tokenizer reads differently from tree-sitter comes first at the
                // same place: tree-sitter's error is its consequence. A token's error is met
                // at its start (a bracket never closed from the start of its line: it wins
                // over a parser error on that line or later).
                let (at, tokenizer) = match newer.feature {
                    SyntaxFeature::Indentation(_) | SyntaxFeature::Token(_) => (newer.range.start, true),
                    _ => (newer.reported_at(minor), false),
                };
                let first = at < a.at(minor) || (tokenizer && at == a.at(minor));
                Some(if first { CompileFailure::NewerSyntax(newer) } else { a })
            }
            (a, b) => a.or(b),
        };
        // An error that the tokenizer certainly meets wins over a tree-sitter error that
        // reaches it, wherever that starts, and over what tree-sitter read in it: its recovery
        // starts errors early, up to the whole module, and reads broken code as something else
        // (`print(“hi”)` as Python 2's print statement); the tokenizer's error is then their
        // cause. A tree-sitter error that ends before it is one of its own, and what parsed
        // on the lines before that error is no part of it.
        let parser = match (self.syntax_errors.first(), parser) {
            (Some(error), Some(failure)) if self.line_number(failure.at(minor)) >= self.line_number(error.start) => {
                let certain = self.newer_syntax.iter().find(|newer| newer.feature.stops_tokenizer());
                match certain {
                    Some(newer) if newer.range.start <= error.end => Some(CompileFailure::NewerSyntax(newer)),
                    _ => Some(failure),
                }
            }
            (_, parser) => parser,
        };
        if minor >= 10 {
            if let Some(failure) = parser {
                // The tokenizer stops at its first error: one that raises at once replaces the
                // parser's error ("unexpected indent" aside, which the parser raises after its
                // second pass), one that leaves the raising to the parser does not.
                // (A bracket never closed is an error only at the end of the file.)
                let tokenizer = self.newer_syntax.iter().find(|newer| match newer.feature {
                    SyntaxFeature::Lexical(problem) => problem.is_tokenizer_error(minor),
                    feature => feature.stops_tokenizer(),
                });
                let unexpected_indent = matches!(
                    failure,
                    CompileFailure::NewerSyntax(NewerSyntax { feature: SyntaxFeature::Indentation(IndentProblem::Unexpected), .. })
                );
                if let Some(newer @ NewerSyntax { feature: SyntaxFeature::Lexical(_) | SyntaxFeature::Token(_), .. }) = tokenizer {
                    if !unexpected_indent {
                        return Some(CompileFailure::NewerSyntax(newer));
                    }
                }
            }
        }
        parser
            .or_else(|| rejected.find(|newer| newer.feature.found_after_parse(minor)).map(CompileFailure::NewerSyntax))
            .or_else(|| self.compile_errors.iter().find(|error| error.applies_to(minor)).map(CompileFailure::Compiler))
    }

    pub fn import(&self, id: ImportId) -> &ImportStmt {
        &self.imports[id as usize]
    }

    /// Where the module's top level first binds `name` (not in functions or class bodies).
    pub fn module_binding(&self, name: &str) -> Option<TextRange> {
        fn find(summary: &FileSummary, block: &Block, name: &str) -> Option<TextRange> {
            for event in block {
                let found = match event {
                    Event::Bind { name: n, range, .. } | Event::Def { name: n, range, .. } if n == name => Some(*range),
                    Event::Import(id) => {
                        let stmt = summary.import(*id);
                        match &stmt.kind {
                            ImportKind::From { names, .. } => {
                                names.iter().find(|n| n.bound_name() == name).map(|n| n.range)
                            }
                            ImportKind::Import { modules } => modules
                                .iter()
                                .find(|m| {
                                    m.alias.as_deref().unwrap_or_else(|| m.dotted.split('.').next().unwrap_or("")) == name
                                })
                                .map(|m| m.range),
                            ImportKind::Dynamic { bind, .. } => (bind.as_deref() == Some(name)).then_some(stmt.range),
                        }
                    }
                    _ => event.branch_blocks().into_iter().find_map(|block| find(summary, block, name)),
                };
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        find(self, &self.body, name)
    }

    /// Whether a suppression comment on the 1-based `line` silences `code`.
    pub fn is_suppressed(&self, line: u32, code: &str) -> bool {
        self.suppressions.iter().any(|s| s.line == line && s.matches(code))
    }
}

/// A comment that silences rules on its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// 1-based line of the comment.
    pub line: u32,
    pub range: TextRange,
    /// `None` silences every rule.
    pub codes: Option<Vec<String>>,
}

impl Suppression {
    pub fn matches(&self, code: &str) -> bool {
        match &self.codes {
            None => true,
            Some(codes) => codes.iter().any(|c| code.starts_with(c.as_str())),
        }
    }

    /// Reads `# modcache: ignore`, `# modcache: ignore[MC001, MC002]`, `# noqa` or
    /// `# noqa: MC001` out of one comment.
    pub fn parse(comment: &str) -> Option<Option<Vec<String>>> {
        let body = comment.trim_start_matches('#').trim();
        let split_codes = |list: &str| -> Vec<String> {
            list.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
        };
        for part in body.split('#').map(str::trim) {
            if let Some(rest) = part.strip_prefix("modcache:") {
                let rest = rest.trim();
                if let Some(rest) = rest.strip_prefix("ignore") {
                    let rest = rest.trim();
                    if let Some(list) = rest.strip_prefix('[').and_then(|r| r.split_once(']')).map(|(l, _)| l) {
                        return Some(Some(split_codes(list)));
                    }
                    return Some(None);
                }
            }
            let lower = part.to_ascii_lowercase();
            if lower.starts_with("noqa") {
                let rest = part[4..].trim_start();
                return match rest.strip_prefix(':') {
                    Some(list) => {
                        let codes: Vec<String> =
                            split_codes(list).into_iter().take_while(|c| c.chars().all(|ch| ch.is_ascii_alphanumeric())).collect();
                        Some(if codes.is_empty() { None } else { Some(codes) })
                    }
                    None => Some(None),
                };
            }
        }
        None
    }
}

pub type Block = Vec<Event>;

/// One step of a module's import-time program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An import statement, or a literal `importlib.import_module(...)` / `__import__(...)`.
    Import(ImportId),
    /// A name becomes bound in the current namespace, to what `value` says of the value.
    Bind { name: String, range: TextRange, value: Bound },
    /// `del name` at the current level.
    Unbind { name: String },
    /// `def name(...)`: binds `name` to a function that may be called later.
    Def { name: String, func: FuncId, range: TextRange },
    /// A class statement: its body runs now, in its own namespace. The decorators' calls and
    /// then a [`Event::Bind`] of the name follow it. Boxed like `Try`: classes are a small share
    /// of the events, and their bases would make every event larger.
    Class(Box<ClassEvent>),
    /// A call whose target may be a function of this or another first-party module. `consumed`
    /// when its result is iterated, awaited or passed to another call (`list(gen())`,
    /// `for x in gen():`, `asyncio.run(main())`): calling a generator or an `async` function
    /// runs none of its body, and only such a use may run it.
    Call { callee: Callee, range: TextRange, consumed: bool },
    /// A read of `base.attr[.attr…]`, which fails on a partially initialised module.
    Attr { base: String, attrs: Vec<String>, range: TextRange },
    /// `importlib.reload(base.attr…)` (or `reload` imported from `importlib`) of a name or a
    /// chain of attributes of one: the module's code runs again in its namespace. The argument
    /// is read here, not by an [`Event::Attr`] before it.
    Reload { base: String, attrs: Vec<String>, range: TextRange },
    /// `sys.meta_path.append(finder)` (or `.insert`, `.extend`): a finder that the model cannot
    /// follow may provide any module that no file provides.
    MetaPathFinder,
    /// `globals()[key] = value` at module level with a key built at run time, which hides the
    /// name it binds on purpose (kombu's `STATICA_HACK`): any name of the module may now hold
    /// any value, so the literals that the run knew of its names are forgotten (functions and
    /// classes are kept: code rebinding them this way is rare, while tests of flags are what
    /// such tricks aim at).
    ForgetLiterals,
    /// `base.attr = value`: binds `attr` in the object (a module's namespace, if it is one).
    SetAttr { base: String, attr: String, range: TextRange },
    /// `sys.modules['name'] = value`; `bare` when the value is a plain `object()`, which has
    /// no attributes at all.
    SysModulesSet { name: String, range: TextRange, bare: bool },
    /// `del sys.modules['name']` or `sys.modules.pop('name')`.
    SysModulesDel { name: String, range: TextRange },
    /// `if`/`elif`/`else` (and `while`, whose body is taken at most once): the first branch
    /// whose condition holds runs; conditions that cannot be decided run every such branch.
    If { branches: Vec<Branch>, orelse: Option<Block> },
    /// `raise` of an exception class outside loops (`None`: a bare `raise`, which raises again
    /// what the handler it stands in caught). Boxed like `Try`: `raise` statements are few.
    Raise { raised: Option<Box<Raised>>, range: TextRange },
    /// `return` in a function; not `certain` in a loop, which may run no time. `value` is what
    /// the summary knows of the returned value, as a binding would know it: `None` for a bare
    /// `return`, a literal, a decided flag (`return sys.platform == "win32"`), a name that no
    /// parameter shadows, or the result of the call that the returned expression is, so that a
    /// test of the function's call can be decided (see [`Cond::CallResult`]).
    Return { certain: bool, value: Bound },
    /// `try` with its handlers; a handler runs when the simulated body raised what it catches.
    /// Boxed because its four lists would make every event 104 bytes instead of 64, and `try`
    /// statements are a small share of the events.
    Try(Box<TryEvent>),
}

/// What a [`Event::Bind`] knows of the value it binds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bound {
    /// Nothing the simulation follows.
    Unknown,
    /// What the call just before returned (`obj = Config()`: the [`Event::Call`], or the
    /// [`Event::Reload`], of the value's outermost call comes right before), so that a
    /// first-party class's object keeps its class and a reloaded module stays a module.
    CallResult,
    /// A literal (`HAS_JSON = False`, `BACKEND = "python"`), outside loops, whose bodies may run
    /// no time; [`Cond::Name`] reads it.
    Literal(Literal),
    /// Another name's value (`has_fcntl = unix_has_fcntl`, `Alias = Class`): Python binds the
    /// same object, so the run binds what it knows of that name, outside loops like a literal.
    Name(Box<str>),
    /// A module-level flag whose value is a condition that the interpreter and the entry decide
    /// (`IS_WIN32 = sys.platform == "win32"`, `PY2 = sys.version_info[0] == 2`): the run binds
    /// `True` or `False`, so that a module importing the flag decides its tests of it as well.
    /// Only conditions that evaluate to a `bool` in Python (see [`Cond::is_boolean_flag`]).
    Flag(Box<Cond>),
}

/// The exception of a `raise` statement, see [`Event::Raise`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raised {
    /// The class that the statement names.
    pub class: RaisedClass,
    /// `str()` of the exception: the literal argument, empty without one, else the argument's
    /// source text.
    pub message: String,
    /// The argument is the function's first parameter, whose value the call may know (see
    /// [`Cond::Argument`]); `message` is then the parameter's name.
    pub message_is_argument: bool,
}

/// The class of a [`Raised`] exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RaisedClass {
    /// A built-in class, as `type(e).__name__` spells it.
    Builtin(&'static str),
    /// Any other name or `module.Name` (`raise ConfigError("...")`): the run raises it when it
    /// holds a first-party class whose bases lead to a built-in exception class, which decides
    /// the handlers that catch it besides its own class and bases.
    Named(Callee),
}

/// The parts of a class statement, see [`Event::Class`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassEvent {
    pub name: String,
    /// Where the name stands. The `Bind` that binds the class carries the same range, which is
    /// how the simulator knows that this binding is the class and not whatever else binds the
    /// name.
    pub name_range: TextRange,
    /// The base classes in order, each when it is a name or `name.attr`, `None` for any other
    /// expression (keyword arguments such as `metaclass=` are not bases and are left out).
    pub bases: Vec<Option<Callee>>,
    pub body: Block,
    pub range: TextRange,
}

/// The parts of a `try` statement, see [`Event::Try`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TryEvent {
    pub body: Block,
    pub handlers: Vec<Handler>,
    pub orelse: Block,
    pub finally: Block,
}

impl FileSummary {
    /// Gives back the spare capacity of the summary's vectors. A workspace keeps a summary of
    /// every file for as long as it is open, and the vectors' growth by doubling left about a
    /// third of that memory unused (80 of 217 MB for the standard library).
    pub(crate) fn shrink_to_fit(&mut self) {
        fn block(events: &mut Block) {
            events.shrink_to_fit();
            for event in events {
                match event {
                    Event::Class(class) => {
                        class.bases.shrink_to_fit();
                        block(&mut class.body);
                    }
                    Event::Attr { attrs, .. } | Event::Reload { attrs, .. } => attrs.shrink_to_fit(),
                    Event::If { branches, .. } => branches.shrink_to_fit(),
                    Event::Try(t) => t.handlers.shrink_to_fit(),
                    _ => {}
                }
                event.branch_blocks_mut().into_iter().for_each(block);
            }
        }
        block(&mut self.body);
        self.functions.shrink_to_fit();
        for function in &mut self.functions {
            block(&mut function.body);
            function.globals.shrink_to_fit();
        }
        self.imports.shrink_to_fit();
        self.syntax_errors.shrink_to_fit();
        self.newer_syntax.shrink_to_fit();
        self.suppressions.shrink_to_fit();
        self.state.shrink_to_fit();
    }
}

impl Event {
    /// The blocks nested in an `if` or `try` statement, which run in the same scope as the
    /// statement, in source order; none for other events.
    pub fn branch_blocks(&self) -> Vec<&Block> {
        match self {
            Event::If { branches, orelse } => branches.iter().map(|b| &b.body).chain(orelse.as_ref()).collect(),
            Event::Try(t) => std::iter::once(&t.body)
                .chain(t.handlers.iter().map(|h| &h.body))
                .chain([&t.orelse, &t.finally])
                .collect(),
            _ => Vec::new(),
        }
    }

    /// [`Event::branch_blocks`], to change them.
    pub fn branch_blocks_mut(&mut self) -> Vec<&mut Block> {
        match self {
            Event::If { branches, orelse } => branches.iter_mut().map(|b| &mut b.body).chain(orelse.as_mut()).collect(),
            Event::Try(t) => {
                let TryEvent { body, handlers, orelse, finally } = &mut **t;
                std::iter::once(body).chain(handlers.iter_mut().map(|h| &mut h.body)).chain([orelse, finally]).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    pub cond: Cond,
    pub body: Block,
    /// The body's last statement is a `raise` and no `return` comes before it: an error path
    /// (`if not isinstance(arg, typ): ... raise InvalidArgument(...)`), which a run that goes
    /// on never took.
    pub raises: bool,
}

/// The blocks of one `if`/`elif`/`else` that may run where `env` decides the conditions, in
/// order: every branch up to the first whose condition certainly holds, except those whose
/// condition certainly fails, then `orelse` when no condition certainly held. The simulation,
/// the graph and the rules all take branches this way, so that they agree on what runs.
pub fn blocks_that_may_run<'a>(
    branches: &'a [Branch],
    orelse: Option<&'a Block>,
    env: &'a CondEnv<'_>,
) -> impl Iterator<Item = &'a Block> + 'a {
    blocks_that_may_run_certain(branches, orelse, env).map(|may_run| may_run.block)
}

/// One block that [`blocks_that_may_run_certain`] gives.
pub struct MayRun<'a> {
    pub block: &'a Block,
    /// The block certainly runs: every condition before it certainly failed, and its own
    /// certainly holds (or it is the `else`).
    pub certain: bool,
    /// The block is a branch that ends in a `raise` (see [`Branch::raises`]).
    pub raises: bool,
}

/// [`blocks_that_may_run`], each block with whether it certainly runs and whether it is an
/// error path.
pub fn blocks_that_may_run_certain<'a>(
    branches: &'a [Branch],
    orelse: Option<&'a Block>,
    env: &'a CondEnv<'_>,
) -> impl Iterator<Item = MayRun<'a>> + 'a {
    let mut next = 0;
    let mut decided = false;
    let mut certain = true;
    std::iter::from_fn(move || {
        while !decided && next < branches.len() {
            let branch = &branches[next];
            next += 1;
            match branch.cond.eval(env) {
                Some(true) => {
                    decided = true;
                    return Some(MayRun { block: &branch.body, certain, raises: branch.raises });
                }
                Some(false) => {}
                None => {
                    certain = false;
                    return Some(MayRun { block: &branch.body, certain: false, raises: branch.raises });
                }
            }
        }
        if decided {
            return None;
        }
        decided = true;
        orelse.map(|block| MayRun { block, certain, raises: false })
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handler {
    pub catches: Catch,
    pub body: Block,
}

/// What an `except` clause catches, as far as the import machinery is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Catch {
    /// A bare `except:` or `except BaseException`.
    All,
    /// The last dotted component of each named exception class (`ImportError`, `Exception`…).
    Names(Vec<String>),
}

impl Catch {
    /// Whether this clause catches an exception of the given built-in class.
    pub fn catches(&self, error: &str) -> bool {
        match self {
            Catch::All => true,
            Catch::Names(names) => names.iter().any(|name| exceptions::is_caught_by(error, name)),
        }
    }
}

/// The target of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callee {
    Name(String),
    Attr { base: String, attr: String },
    /// `super().attr` (with or without arguments to `super`).
    Super { attr: String },
    /// `f().attr`: an attribute of what the call just before returned (`App().run()`).
    Result { attr: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub body: Block,
    /// Names declared `global` in the function: binding them binds module names.
    pub globals: Vec<String>,
    pub range: TextRange,
    /// The range of the `def` line's name, for diagnostics and hovers.
    pub name_range: TextRange,
    /// A generator or an `async` function: calling it makes an object and runs none of the body.
    pub lazy: bool,
    /// What the first parameter receives when the function is a method looked up on an object
    /// or a class; `None` outside a class body and for a `staticmethod`.
    pub receiver: Option<Receiver>,
}

/// The first parameter of a method, see [`Function::receiver`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// `self` of a plain method: the instance it was looked up on.
    Instance(String),
    /// `cls` of a `classmethod`, of `__new__` and of the other implicit class methods.
    Class(String),
}

/// An import statement (or dynamic import call) and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportStmt {
    pub kind: ImportKind,
    /// The whole statement.
    pub range: TextRange,
    /// 1-based line of the statement's first token (CPython reports this line).
    pub line: u32,
    pub context: ImportContext,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// `import a.b.c [as x], d`.
    Import { modules: Vec<ImportedModule> },
    /// `from [.]*[module] import names | *`.
    From { level: u32, module: Option<String>, names: Vec<ImportedName>, star: bool },
    /// A literal `importlib.import_module(name[, package])` or `__import__(name)`; `bind` is
    /// the name its result is assigned to (`m = importlib.import_module('m')`), and
    /// `returns_top_level` is set for `__import__`, which returns the top-level package.
    Dynamic { module: String, package: Option<String>, bind: Option<String>, returns_top_level: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedModule {
    pub dotted: String,
    pub alias: Option<String>,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedName {
    pub name: String,
    pub alias: Option<String>,
    pub range: TextRange,
}

impl ImportedName {
    pub fn bound_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// Where an import statement stands, for the rules and hovers (the simulator uses the event
/// program, not these flags).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportContext {
    /// Inside a function body (runs only when the function is called).
    pub in_function: Option<FuncId>,
    pub in_class: bool,
    /// Under `if TYPE_CHECKING:` (never runs).
    pub type_checking: bool,
    /// Under `if __name__ == "__main__":` (runs only in the entry).
    pub main_guard: bool,
    /// Inside a `try` body with an `except` that catches ImportError.
    pub guarded_by_except: bool,
    /// Inside an `except ... ImportError` handler (a fallback).
    pub in_import_fallback: bool,
    /// Under a condition that is false in every configuration this tool knows (`if False:`).
    pub statically_false: bool,
    /// Under some `if` whose outcome depends on the configuration or the run.
    pub conditional: bool,
}

impl ImportKind {
    /// The names that this import binds in the namespace that runs it.
    pub fn bound_names(&self) -> Vec<&str> {
        match self {
            ImportKind::Import { modules } => modules
                .iter()
                .map(|m| m.alias.as_deref().unwrap_or_else(|| m.dotted.split('.').next().unwrap_or("")))
                .collect(),
            ImportKind::From { names, .. } => names.iter().map(ImportedName::bound_name).collect(),
            ImportKind::Dynamic { bind, .. } => bind.iter().map(String::as_str).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Event;

    /// A summary keeps millions of events (112 MB of event programs for the standard library
    /// with its tests), and every event takes the size of the largest variant: a variant that
    /// grows past the others grows them all, which is why `Try` is boxed.
    #[test]
    fn an_event_takes_at_most_64_bytes() {
        assert!(std::mem::size_of::<Event>() <= 64, "Event is {} bytes", std::mem::size_of::<Event>());
    }
}
