//! Errors that CPython raises while it compiles a file that parsed: a statement in a place where
//! it means nothing (`return` at module level, `break` outside a loop, `await` outside an async
//! function, `import *` in a function), a `from __future__` import after other code, a future
//! feature that does not exist, `yield` in a comprehension, a name given to two parameters. Like
//! a syntax error, such an error is raised before any of the file runs, so the module never
//! starts and its import raises SyntaxError.
//!
//! CPython finds them in passes, and the first pass that finds one reports its first:
//! `future.c` (unknown features of the future imports at the top), the symbol table's visit
//! (`global` and `nonlocal` declarations, which `declarations` checks, `import *` below module
//! level, `yield` in a comprehension, duplicate parameters, which `parameters` finds), the
//! symbol table's analysis (a `nonlocal` name that no enclosing function binds), then the
//! compiler, in source order (the other errors here). The messages are those of CPython
//! 3.8–3.13, which agree on all of them; some of the symbol table's errors are reported on
//! another line before 3.10 (the enclosing `def`, class or comprehension). The fixtures
//! `compile_time_errors`, `parameter_lists` and `declarations` check them against each
//! version.

use tree_sitter::Node;

use super::lexical::{literal_prefix, prefix_has};
use super::syntax::{is_word_byte, kind, node_text, word_starts, Children, Field, Kind, Marks, Which};

/// An error that compiling the file raises, on the versions it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The start of the statement or expression whose line the latest versions report; what
    /// raises the error, which orders errors of one pass.
    pub at: u32,
    /// The versions before 3.`minor` report the error at `offset` instead: the symbol table of
    /// 3.8 and 3.9 names the enclosing block, the compiler of 3.9–3.11 names the statement or
    /// call around a parameter or keyword.
    pub earlier: Option<Earlier>,
    /// The message of 3.9 on.
    pub message: String,
    /// 3.8's message, where it differs.
    pub message_before_3_9: Option<String>,
    /// The versions that refuse the file for it: 3.`minor` with `from <= minor < until`.
    pub from: u32,
    pub until: u32,
}

/// The offset that stands for line 0, which 3.8 and 3.9 report for an asynchronous
/// comprehension outside an asynchronous function.
pub const LINE_ZERO: u32 = u32::MAX;

impl CompileError {
    /// An error that every version reports at the same place.
    pub(super) fn new(at: u32, message: String) -> CompileError {
        CompileError { at, earlier: None, message, message_before_3_9: None, from: 0, until: u32::MAX }
    }

    /// The same error, for the versions 3.`from` up to 3.`until` (not included) only.
    pub(super) fn refused_by(self, from: u32, until: u32) -> CompileError {
        CompileError { from, until, ..self }
    }

    /// Whether it is an error on 3.`minor`.
    pub fn applies_to(&self, minor: u32) -> bool {
        (self.from..self.until).contains(&minor)
    }

    /// The same error, which versions before 3.`minor` report at `offset`.
    pub(super) fn reported_before(self, minor: u32, offset: u32) -> CompileError {
        CompileError { earlier: Some(Earlier { minor, offset }), ..self }
    }

    /// CPython 3.`minor`'s message.
    pub fn message_on(&self, minor: u32) -> &str {
        match &self.message_before_3_9 {
            Some(message) if minor < 9 => message,
            _ => &self.message,
        }
    }

    /// The offset whose line CPython 3.`minor` reports.
    pub fn reported_at(&self, minor: u32) -> u32 {
        match self.earlier {
            Some(earlier) if minor < earlier.minor => earlier.offset,
            _ => self.at,
        }
    }
}

/// Where the versions before 3.`minor` report an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Earlier {
    pub minor: u32,
    pub offset: u32,
}

/// An error and the pass that finds it.
type Found = (Pass, CompileError);

fn found(pass: Pass, at: u32, message: impl Into<String>) -> Option<Found> {
    Some((pass, CompileError::new(at, message.into())))
}

/// The pass of CPython's compiler that finds an error; an earlier pass reports first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pass {
    Future,
    SymbolTable,
    /// The symbol table's second pass, over the scopes it built: a `nonlocal` name that no
    /// enclosing function binds.
    SymbolTableAnalysis,
    Compiler,
}

/// The features that `from __future__ import` accepts in every supported version.
const FUTURE_FEATURES: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

/// Looks at every place where a keyword that compiles only in some places stands as a word
/// (`yield`, `import` and the [`Marks::placed_keywords`]; most files have few), and asks the
/// tree what encloses it there. `symbol_table` holds the symbol table's errors found elsewhere
/// (duplicate parameters, `:=` in comprehensions), `compiler` the compiler's. The errors come in
/// the order CPython reports them; some apply to some versions only.
pub(super) fn collect<'a>(
    text: &str,
    root: Node<'a>,
    kids: &Children<'a>,
    marks: &Marks,
    symbol_table: Vec<CompileError>,
    compiler: Vec<CompileError>,
) -> Vec<CompileError> {
    let bytes = text.as_bytes();
    let mut all: Vec<Found> = Vec::new();
    let mut consider = |candidate: Found| all.push(candidate);
    for &at in marks.yields.iter().chain(&marks.placed_keywords) {
        let end = at + bytes[at..].iter().take_while(|b| is_word_byte(**b)).count();
        let keyword = &text[at..end];
        let Some(token) = root.descendant_for_byte_range(at, end) else { continue };
        if token.is_named() && kind(token) != Kind::BreakStatement && kind(token) != Kind::ContinueStatement {
            // A name or a string that spells the keyword, not the keyword itself.
            continue;
        }
        for error in error_at(token, keyword, text, root, kids) {
            consider(error);
        }
    }
    for &at in &marks.imports {
        if let Some(error) = star_import_error(root, at, kids) {
            consider(error);
        }
    }
    for error in symbol_table {
        consider((Pass::SymbolTable, error));
    }
    for error in compiler {
        consider((Pass::Compiler, error));
    }
    all.sort_by_key(|(pass, error)| (*pass, error.at));
    all.into_iter().map(|(_, error)| error).collect()
}

/// `from m import *` below the module level: the symbol table refuses it, in a class body too.
fn star_import_error<'a>(root: Node<'a>, at: usize, kids: &Children<'a>) -> Option<Found> {
    let token = root.descendant_for_byte_range(at, at + "import".len())?;
    let statement = token.parent().filter(|s| kind(*s) == Kind::ImportFromStatement)?;
    kids.iter(statement, Which::NamedCode).find(|c| kind(*c) == Kind::WildcardImport)?;
    let (scope, block) = enclosing_block(statement, kids);
    let block = block.filter(|_| scope != Enclosing::Module)?;
    let at = statement.start_byte() as u32;
    let message = "import * only allowed at module level".to_string();
    Some((Pass::SymbolTable, CompileError::new(at, message).reported_before(10, block.start_byte() as u32)))
}

/// The errors of the keyword token `token`: those of an asynchronous comprehension that it
/// makes one, else the one its place makes, if any.
fn error_at<'a>(token: Node<'a>, keyword: &str, text: &str, root: Node<'a>, kids: &Children<'a>) -> Vec<Found> {
    if keyword == "async" || keyword == "await" {
        if let Some(errors) = async_comprehension(token, kids) {
            return errors;
        }
    }
    single_error_at(token, keyword, text, root, kids).into_iter().collect()
}

/// The error of the keyword token `token`, if its place makes one.
fn single_error_at<'a>(token: Node<'a>, keyword: &str, text: &str, root: Node<'a>, kids: &Children<'a>) -> Option<Found> {
    // The statement or expression that the keyword starts (`break` may be the statement itself).
    let node = if token.is_named() { token } else { token.parent()? };
    let at = node.start_byte() as u32;
    let compiler = |message: &str| found(Pass::Compiler, at, message);
    match (keyword, kind(node)) {
        ("return", Kind::ReturnStatement) => match enclosing_block(node, kids) {
            (Enclosing::Module | Enclosing::Class, _) => compiler("'return' outside function"),
            (Enclosing::Function { is_async: true }, Some(function))
                if node.named_child_count() > 0 && yields_in(function, text, root, kids) =>
            {
                compiler("'return' with value in async generator")
            }
            _ => None,
        },
        ("yield", Kind::Yield) => match enclosing_block(node, kids) {
            (Enclosing::Module | Enclosing::Class, _) => compiler("'yield' outside function"),
            (Enclosing::Comprehension, Some(comprehension)) => {
                let what = match kind(comprehension) {
                    Kind::ListComprehension => "list comprehension",
                    Kind::SetComprehension => "set comprehension",
                    Kind::DictionaryComprehension => "dict comprehension",
                    _ => "generator expression",
                };
                let message = format!("'yield' inside {what}");
                Some((Pass::SymbolTable, CompileError::new(at, message).reported_before(10, comprehension.start_byte() as u32)))
            }
            _ => None,
        },
        ("await", Kind::Await) => match enclosing(node, kids) {
            Enclosing::Module | Enclosing::Class => compiler("'await' outside function"),
            Enclosing::Function { is_async: false } | Enclosing::Lambda => compiler("'await' outside async function"),
            _ => None,
        },
        ("break", Kind::BreakStatement) if !in_loop(node, kids) => compiler("'break' outside loop"),
        ("continue", Kind::ContinueStatement) if !in_loop(node, kids) => compiler("'continue' not properly in loop"),
        ("nonlocal", Kind::NonlocalStatement) | ("global", Kind::GlobalStatement) => {
            let declaration = super::declarations::error(node, text, root, kids).map(|error| (Pass::SymbolTable, error));
            declaration.or_else(|| {
                let unbound = (keyword == "nonlocal").then(|| super::declarations::unbound_nonlocal(node, text, root, kids));
                unbound.flatten().map(|error| (Pass::SymbolTableAnalysis, error))
            })
        }
        ("__future__", Kind::FutureImportStatement) => future_import(node, text, kids),
        _ => None,
    }
}

/// An asynchronous comprehension: one with an `async for` clause, or with `await` in its own
/// code. Outside an `async def` it does not compile ("asynchronous comprehension outside of an
/// asynchronous function"), except as a generator expression, which is an asynchronous
/// generator anywhere. Up to 3.10 a comprehension inside another is outside too; from 3.11 on
/// it makes the one around it asynchronous, which then needs an `async def` itself. 3.8 and
/// 3.9 report line 0. `None` when the keyword belongs to no comprehension's own code.
fn async_comprehension<'a>(token: Node<'a>, kids: &Children<'a>) -> Option<Vec<Found>> {
    let comprehension = match token.parent() {
        Some(clause) if kind(clause) == Kind::ForInClause => clause.parent()?,
        Some(node) if kind(node) == Kind::Await => match enclosing_block(node, kids) {
            (Enclosing::Comprehension, Some(comprehension)) => comprehension,
            _ => return None,
        },
        _ => return None,
    };
    if kind(comprehension) == Kind::GeneratorExpression {
        return Some(Vec::new());
    }
    let message = "asynchronous comprehension outside of an asynchronous function";
    let error = |at: Node<'a>| CompileError::new(at.start_byte() as u32, message.to_string()).reported_before(10, LINE_ZERO);
    let mut errors = Vec::new();
    let (around, _) = enclosing_block(comprehension, kids);
    let in_async_def = |enclosing: Enclosing| enclosing == Enclosing::Function { is_async: true };
    if !in_async_def(around) {
        let old = error(comprehension);
        errors.push((Pass::Compiler, if around == Enclosing::Comprehension { old.refused_by(0, 11) } else { old }));
    }
    if around == Enclosing::Comprehension {
        // From 3.11 on the comprehensions around, up to a generator expression, become
        // asynchronous; the outermost needs an `async def`.
        let mut current = comprehension;
        loop {
            match enclosing_block(current, kids) {
                (Enclosing::Comprehension, Some(outer)) if kind(outer) == Kind::GeneratorExpression => break,
                (Enclosing::Comprehension, Some(outer)) => current = outer,
                (enclosing, _) => {
                    if !in_async_def(enclosing) {
                        errors.push((Pass::Compiler, error(current).refused_by(11, u32::MAX)));
                    }
                    break;
                }
            }
        }
    }
    Some(errors)
}

/// The scope whose code a node belongs to, as the compiler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Enclosing {
    Module,
    Class,
    Function { is_async: bool },
    Lambda,
    /// A comprehension or a generator expression, whose rules differ (`yield` inside one is an
    /// error of its own, `await` depends on the function around it); not looked at further.
    Comprehension,
}

fn enclosing<'a>(node: Node<'a>, kids: &Children<'a>) -> Enclosing {
    enclosing_block(node, kids).0
}

/// The scope whose code a node belongs to, and the node of that scope (none for the module).
pub(super) fn enclosing_block<'a>(node: Node<'a>, kids: &Children<'a>) -> (Enclosing, Option<Node<'a>>) {
    let mut child = node;
    while let Some(parent) = child.parent() {
        let in_body = kids.child(parent, Field::Body).is_some_and(|body| body.id() == child.id());
        match kind(parent) {
            Kind::Module => return (Enclosing::Module, None),
            // Decorators, parameter defaults, annotations and base classes belong to the scope
            // around the definition; only the body is the definition's own.
            Kind::FunctionDefinition if in_body => {
                let is_async = parent.child(0).is_some_and(|first| first.kind() == "async");
                return (Enclosing::Function { is_async }, Some(parent));
            }
            Kind::ClassDefinition if in_body => return (Enclosing::Class, Some(parent)),
            Kind::Lambda if in_body => return (Enclosing::Lambda, Some(parent)),
            // The first iterable of a comprehension is evaluated in the scope around it.
            Kind::ListComprehension | Kind::SetComprehension | Kind::DictionaryComprehension | Kind::GeneratorExpression
                if !in_first_iterable(parent, child, node, kids) =>
            {
                return (Enclosing::Comprehension, Some(parent))
            }
            _ => child = parent,
        }
    }
    (Enclosing::Module, None)
}

/// Whether `node`, under the comprehension's `child`, stands in the iterable of the
/// comprehension's first `for` clause (not in its target, which the comprehension binds).
fn in_first_iterable<'a>(comprehension: Node<'a>, child: Node<'a>, node: Node<'a>, kids: &Children<'a>) -> bool {
    let first_for = kids.iter(comprehension, Which::NamedCode).find(|c| kind(*c) == Kind::ForInClause);
    first_for.is_some_and(|clause| {
        clause.id() == child.id() && kids.child(clause, Field::Right).is_some_and(|right| node.start_byte() >= right.start_byte())
    })
}

/// Whether a function's own code (not a nested function's or lambda's) has a `yield`, which
/// makes it a generator.
fn yields_in<'a>(function: Node<'a>, text: &str, root: Node<'a>, kids: &Children<'a>) -> bool {
    let body = &text.as_bytes()[function.start_byte()..function.end_byte()];
    word_starts(body, b"yield").any(|offset| {
        let at = function.start_byte() + offset;
        root.descendant_for_byte_range(at, at + "yield".len())
            .and_then(|token| token.parent())
            .filter(|node| kind(*node) == Kind::Yield)
            .is_some_and(|node| enclosing_block(node, kids).1.is_some_and(|block| block.id() == function.id()))
    })
}

/// Whether a `break` or `continue` stands in the body of a loop of its own scope (a loop's
/// `else` clause is not its body).
fn in_loop<'a>(node: Node<'a>, kids: &Children<'a>) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        match kind(parent) {
            Kind::ForStatement | Kind::WhileStatement
                if kids.child(parent, Field::Body).is_some_and(|body| body.id() == child.id()) =>
            {
                return true
            }
            Kind::FunctionDefinition | Kind::ClassDefinition | Kind::Lambda | Kind::Module => return false,
            _ => child = parent,
        }
    }
    false
}

/// A future import must come first: after the module's docstring and other future imports
/// only, and at module level. One that does is checked for features that do not exist.
fn future_import<'a>(node: Node<'a>, text: &str, kids: &Children<'a>) -> Option<Found> {
    let at = node.start_byte() as u32;
    let late = || found(Pass::Compiler, at, "from __future__ imports must occur at the beginning of the file");
    let parent = node.parent()?;
    if kind(parent) != Kind::Module {
        return late();
    }
    for (index, statement) in kids.iter(parent, Which::NamedCode).enumerate() {
        if statement.id() == node.id() {
            break;
        }
        let allowed = kind(statement) == Kind::FutureImportStatement || (index == 0 && is_docstring(statement, text, kids));
        if !allowed {
            return late();
        }
    }
    for name in kids.iter(node, Which::InField(Field::Name)) {
        let feature = match kind(name) {
            Kind::AliasedImport => kids.child(name, Field::Name).map(|n| node_text(n, text))?,
            _ => node_text(name, text),
        };
        if feature == "braces" {
            return found(Pass::Future, at, "not a chance");
        }
        if !FUTURE_FEATURES.contains(&feature) {
            return found(Pass::Future, at, format!("future feature {feature} is not defined"));
        }
    }
    None
}

/// Whether a statement is a docstring: a plain string literal, or several concatenated, that is
/// neither an f-string nor bytes.
fn is_docstring<'a>(statement: Node<'a>, text: &str, kids: &Children<'a>) -> bool {
    if kind(statement) != Kind::ExpressionStatement {
        return false;
    }
    let mut expressions = kids.iter(statement, Which::NamedCode);
    let (Some(expression), None) = (expressions.next(), expressions.next()) else { return false };
    let plain = |string: Node<'a>| {
        let prefix = literal_prefix(string, text, kids);
        !prefix_has(prefix, b'f') && !prefix_has(prefix, b'b')
    };
    match kind(expression) {
        Kind::String => plain(expression),
        Kind::ConcatenatedString => kids.iter(expression, Which::NamedCode).all(plain),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// The line and message of the file's first compile error, as CPython 3.10 on report it.
    fn first_error(source: &str) -> Option<(u32, String)> {
        let summary = crate::analysis::summary::summarize(source);
        summary.compile_errors.first().map(|error| (summary.line_number(error.at), error.message.clone()))
    }

    /// Each case with what `compile(source, "m.py", "exec")` raises on CPython 3.8–3.13 (they
    /// agree): the message and the line, or nothing.
    #[test]
    fn errors_are_the_ones_cpython_raises_first() {
        let cases: &[(&str, Option<(u32, &str)>)] = &[
            ("import os\nfrom __future__ import annotations\n", Some((2, "from __future__ imports must occur at the beginning of the file"))),
            ("\"\"\"doc\"\"\"\nfrom __future__ import annotations\nimport os\n", None),
            ("\"a\" \"b\"\nfrom __future__ import annotations\n", None),
            ("# c\n\"\"\"doc\"\"\"\n# c\nfrom __future__ import annotations\nfrom __future__ import division\n", None),
            ("\"\"\"doc\"\"\"\n\"\"\"doc2\"\"\"\nfrom __future__ import annotations\n", Some((3, "from __future__ imports must occur at the beginning of the file"))),
            ("f\"\"\"doc\"\"\"\nfrom __future__ import annotations\n", Some((2, "from __future__ imports must occur at the beginning of the file"))),
            ("b\"\"\"doc\"\"\"\nfrom __future__ import annotations\n", Some((2, "from __future__ imports must occur at the beginning of the file"))),
            ("if 1:\n    from __future__ import annotations\n", Some((2, "from __future__ imports must occur at the beginning of the file"))),
            ("import os; from __future__ import annotations\n", Some((1, "from __future__ imports must occur at the beginning of the file"))),
            ("from __future__ import braces\n", Some((1, "not a chance"))),
            ("from __future__ import spam\nreturn 1\n", Some((1, "future feature spam is not defined"))),
            ("x = 1\nreturn x\n", Some((2, "'return' outside function"))),
            ("class A:\n    return 1\n", Some((2, "'return' outside function"))),
            ("def f():\n    class A:\n        return 1\n", Some((3, "'return' outside function"))),
            ("def f():\n    return 1\n", None),
            ("x = 1\nyield x\n", Some((2, "'yield' outside function"))),
            ("class A:\n    yield 1\n", Some((2, "'yield' outside function"))),
            ("f = lambda: (yield)\n", None),
            ("return 1\nyield 2\n", Some((1, "'return' outside function"))),
            ("yield 2\nreturn 1\n", Some((1, "'yield' outside function"))),
            ("x = 1\nbreak\n", Some((2, "'break' outside loop"))),
            ("x = 1\ncontinue\n", Some((2, "'continue' not properly in loop"))),
            ("def f():\n    break\n", Some((2, "'break' outside loop"))),
            ("for i in []:\n    pass\nelse:\n    break\n", Some((4, "'break' outside loop"))),
            ("while x:\n    if y:\n        break\n    try:\n        pass\n    finally:\n        continue\n", None),
            ("async def f(): pass\nawait f()\n", Some((2, "'await' outside function"))),
            ("def f():\n    await g()\n", Some((2, "'await' outside async function"))),
            ("async def f():\n    await g()\n", None),
            ("return 1\nnonlocal x\n", Some((2, "nonlocal declaration not allowed at module level"))),
            ("nonlocal x\nx = 1\n", Some((1, "nonlocal declaration not allowed at module level"))),
            ("class A:\n    def m(self):\n        break\n", Some((3, "'break' outside loop"))),
            ("for x in y:\n    class A:\n        break\n", Some((3, "'break' outside loop"))),
            ("async def f():\n    x = [await y for y in z]\n", None),
            ("async def f():\n    def g():\n        await h()\n", Some((3, "'await' outside async function"))),
            ("class A(B, metaclass=(yield)):\n    pass\n", Some((1, "'yield' outside function"))),
            ("def f() -> (yield): pass\n", Some((1, "'yield' outside function"))),
            ("lambda: (await x)\n", Some((1, "'await' outside async function"))),
            ("from __future__ import annotations as ann\n", None),
            ("from __future__ import (annotations, spam)\n", Some((1, "future feature spam is not defined"))),
            ("import os\nfrom __future__ import annotations\nreturn 1\n", Some((2, "from __future__ imports must occur at the beginning of the file"))),
            ("return 1\nfrom __future__ import annotations\n", Some((1, "'return' outside function"))),
            ("def f(x=(yield)):\n    pass\n", Some((1, "'yield' outside function"))),
            ("x = 'return'\ny = \"break\"  # continue\nreturned = 1\n", None),
        ];
        for (source, expected) in cases {
            let expected = expected.map(|(line, message)| (line, message.to_string()));
            assert_eq!(first_error(source), expected, "{source:?}");
        }
        // The symbol table's second pass: a `nonlocal` name that no enclosing function binds.
        let unbound = Some((2, "no binding for nonlocal 'x' found".to_string()));
        assert_eq!(first_error("def g():\n    nonlocal x\n"), unbound);
    }

    /// The symbol table's errors, with the line of 3.10 on and the line of 3.8 and 3.9.
    #[test]
    fn symbol_table_errors_name_their_block_before_3_10() {
        // The source, then the line of 3.10 on, the line of 3.8 and 3.9 and the message.
        type Case<'s> = (&'s str, Option<(u32, u32, &'s str)>);
        let cases: &[Case] = &[
            ("x = [(yield) for y in z]\n", Some((1, 1, "'yield' inside list comprehension"))),
            ("class C:\n    x = [(yield) for y in z]\n", Some((2, 2, "'yield' inside list comprehension"))),
            ("x = [y for y in (yield)]\n", Some((1, 1, "'yield' outside function"))),
            ("def f():\n    return [lambda: (yield) for y in z]\n", None),
            ("def f():\n    x = 1\n    return [\n        (yield x)\n        for x in y\n    ]\n", Some((4, 3, "'yield' inside list comprehension"))),
            ("def f():\n    return ((yield x) for x in y)\n", Some((2, 2, "'yield' inside generator expression"))),
            ("def f():\n    return {(yield x) for x in y}\n", Some((2, 2, "'yield' inside set comprehension"))),
            ("def f():\n    return {x: (yield x) for x in y}\n", Some((2, 2, "'yield' inside dict comprehension"))),
            ("def f():\n    return [x for x in (yield)]\n", None),
            ("def f():\n    return [(yield from x) for x in y]\n", Some((2, 2, "'yield' inside list comprehension"))),
            ("x = 1\ndef f():\n    y = 2\n    from os import *\n", Some((4, 2, "import * only allowed at module level"))),
            ("def f():\n    def g():\n        from os import *\n", Some((3, 2, "import * only allowed at module level"))),
            ("class C:\n    from os import *\n", Some((2, 1, "import * only allowed at module level"))),
            ("if x:\n    from os import *\n", None),
            ("def f(\n    a,\n    b,\n    a,\n):\n    pass\n", Some((4, 1, "duplicate argument 'a' in function definition"))),
            ("x = 1\nclass C:\n    def m(self, x, self):\n        pass\n", Some((3, 3, "duplicate argument 'self' in function definition"))),
            ("def f(a, *, a):\n    pass\n", Some((1, 1, "duplicate argument 'a' in function definition"))),
            ("g = lambda a, *a: 0\n", Some((1, 1, "duplicate argument 'a' in function definition"))),
            ("def f(a, a):\n    from os import *\n", Some((1, 1, "duplicate argument 'a' in function definition"))),
            ("return 1\ndef f(a, a):\n    pass\n", Some((2, 2, "duplicate argument 'a' in function definition"))),
        ];
        for (source, expected) in cases {
            let summary = crate::analysis::summary::summarize(source);
            let got = summary.compile_errors.first().map(|error| {
                (summary.line_number(error.reported_at(10)), summary.line_number(error.reported_at(9)), error.message.clone())
            });
            let expected = expected.map(|(line, old_line, message)| (line, old_line, message.to_string()));
            assert_eq!(got, expected, "{source:?}");
        }
    }
}
