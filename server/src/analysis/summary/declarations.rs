//! `global` and `nonlocal` declarations that CPython's symbol table refuses: a name that the
//! scope used, assigned or annotated before the declaration, a parameter declared global, an
//! annotation of a declared name, `nonlocal` at module level. Python 2 only warned about the first
//! (and code written for it still has them); Python 3 refuses to compile the file.
//!
//! The symbol table flags each name as it visits the scope's code in source order, and the
//! declaration checks the flags gathered so far (`symtable_visit_stmt` in Python/symtable.c):
//! a use comes first in its message order, then an annotation, then an assignment. Imports bind
//! without a flag that the check reads, so `import x` before `global x` compiles. Names in
//! nested functions, classes, lambdas and comprehensions belong to those scopes, except a
//! comprehension's first iterable. CPython 3.8–3.13 agree on the messages and lines (the fixture
//! `declarations` checks them). A `nonlocal` name that no enclosing function binds is found in
//! the symbol table's second pass, once every scope was visited ([`unbound_nonlocal`]).

use tree_sitter::Node;

use super::compile_errors::{enclosing_block, CompileError};
use super::syntax::{kind, node_text, word_starts, Children, Field, Kind, Which};

/// How the scope met a name before (or after) its declaration, in the order in which the check
/// reads the flags: a use first, then an annotation, then an assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Occurrence {
    Use,
    Annotation,
    Assignment,
}

/// The first error of a `global` or `nonlocal` statement, with the offset that orders it among
/// the symbol table's errors.
pub(super) fn error<'a>(statement: Node<'a>, text: &str, root: Node<'a>, kids: &Children<'a>) -> Option<CompileError> {
    let what = if kind(statement) == Kind::GlobalStatement { "global" } else { "nonlocal" };
    let (_, scope) = enclosing_block(statement, kids);
    let scope_node = scope.unwrap_or(root);
    let at = statement.start_byte() as u32;
    let error = |at: u32, message: String| Some(CompileError::new(at, message));
    let mut first: Option<CompileError> = None;
    for name in kids.iter(statement, Which::NamedCode).filter(|n| kind(*n) == Kind::Identifier) {
        let name = node_text(name, text);
        let found = if scope.is_some_and(|s| is_parameter(s, name, text, kids)) {
            error(at, format!("name '{name}' is parameter and {what}"))
        } else {
            let (before, annotated_after) = occurrences(scope_node, statement, name, text, root, kids);
            match before {
                Some(Occurrence::Use) => error(at, format!("name '{name}' is used prior to {what} declaration")),
                Some(Occurrence::Annotation) => error(at, format!("annotated name '{name}' can't be {what}")),
                Some(Occurrence::Assignment) => error(at, format!("name '{name}' is assigned to before {what} declaration")),
                None if what == "nonlocal" && scope.is_none() => {
                    error(at, "nonlocal declaration not allowed at module level".to_string())
                }
                None => annotated_after.and_then(|later| error(later, format!("annotated name '{name}' can't be {what}"))),
            }
        };
        if let Some(found) = found {
            if first.as_ref().is_none_or(|f| found.at < f.at) {
                first = Some(found);
            }
        }
    }
    first
}

/// The error of a `nonlocal` statement whose name no enclosing function binds (as a parameter,
/// by an assignment or an import, not as its own `global` or `nonlocal`); class bodies between
/// are passed over, as their names are not visible to the functions inside them.
pub(super) fn unbound_nonlocal<'a>(statement: Node<'a>, text: &str, root: Node<'a>, kids: &Children<'a>) -> Option<CompileError> {
    let (_, Some(scope)) = enclosing_block(statement, kids) else { return None };
    let at = statement.start_byte() as u32;
    kids.iter(statement, Which::NamedCode).filter(|n| kind(*n) == Kind::Identifier).find_map(|name| {
        let name = node_text(name, text);
        if name == "__classdict__" {
            return None;
        }
        let mut block = scope;
        while let (_, Some(outer)) = enclosing_block(block, kids) {
            let bound = match kind(outer) {
                Kind::FunctionDefinition => binds(outer, name, text, root, kids),
                // A class body gives the functions inside it an implicit `__class__` (what
                // `super()` reads). (From 3.12 also `__classdict__`, which is left alone below,
                // since the answer depends on the version.)
                Kind::ClassDefinition => name == "__class__",
                _ => false,
            };
            if bound {
                return None;
            }
            block = outer;
        }
        Some(CompileError::new(at, format!("no binding for nonlocal '{name}' found")))
    })
}

/// Whether a function binds `name` in its own scope.
fn binds<'a>(function: Node<'a>, name: &str, text: &str, root: Node<'a>, kids: &Children<'a>) -> bool {
    if is_parameter(function, name, text, kids) {
        return true;
    }
    let mut bound = false;
    for node in own_identifiers(function, name, text, root, kids) {
        match node.parent().map(kind) {
            // Declared here: the name is not the function's own.
            Some(Kind::GlobalStatement | Kind::NonlocalStatement) => return false,
            _ if imported_name(node, kids) => bound = true,
            _ => bound |= matches!(classify(node, kids), Some(Occurrence::Assignment | Occurrence::Annotation)),
        }
    }
    bound
}

/// The identifiers `name` that a scope's own code holds (in its body; for the module, anywhere),
/// not those of the functions, classes, lambdas and comprehensions inside it.
fn own_identifiers<'a>(scope: Node<'a>, name: &str, text: &str, root: Node<'a>, kids: &Children<'a>) -> Vec<Node<'a>> {
    let start = match kind(scope) {
        Kind::Module => 0,
        _ => kids.child(scope, Field::Body).map_or(scope.start_byte(), |body| body.start_byte()),
    };
    let in_scope = |node: Node<'a>| match enclosing_block(node, kids).1 {
        Some(block) => block.id() == scope.id(),
        None => kind(scope) == Kind::Module,
    };
    word_starts(&text.as_bytes()[start..scope.end_byte()], name.as_bytes())
        .filter_map(|offset| {
            let at = start + offset;
            root.descendant_for_byte_range(at, at + name.len())
                .filter(|node| kind(*node) == Kind::Identifier && node.start_byte() == at && in_scope(*node))
        })
        .collect()
}

/// Whether an identifier is a name that an import statement binds: `a` of `import a.b`, the
/// alias of `import a as x`, `x` of `from m import x`.
fn imported_name<'a>(node: Node<'a>, kids: &Children<'a>) -> bool {
    let Some(parent) = node.parent() else { return false };
    match kind(parent) {
        Kind::AliasedImport => kids.child(parent, Field::Alias).is_some_and(|alias| alias.id() == node.id()),
        Kind::DottedName => {
            let Some(statement) = parent.parent() else { return false };
            let first = parent.named_child(0).is_some_and(|first| first.id() == node.id());
            match kind(statement) {
                Kind::ImportStatement => first,
                Kind::ImportFromStatement => {
                    kids.iter(statement, Which::InField(Field::Name)).any(|imported| imported.id() == parent.id())
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether `name` is a parameter of the function `scope`.
fn is_parameter<'a>(scope: Node<'a>, name: &str, text: &str, kids: &Children<'a>) -> bool {
    if kind(scope) != Kind::FunctionDefinition {
        return false;
    }
    let Some(parameters) = kids.child(scope, Field::Parameters) else { return false };
    kids.iter(parameters, Which::NamedCode)
        .filter_map(|parameter| super::parameters::parameter_name(parameter, kids))
        .any(|identifier| node_text(identifier, text) == name)
}

/// The strongest flag that the scope gave `name` before `statement`, and the first annotation
/// of `name` after it (an annotation of a declared name is an error where it stands).
fn occurrences<'a>(
    scope: Node<'a>,
    statement: Node<'a>,
    name: &str,
    text: &str,
    root: Node<'a>,
    kids: &Children<'a>,
) -> (Option<Occurrence>, Option<u32>) {
    let mut before: Option<Occurrence> = None;
    let mut annotated_after = None;
    for node in own_identifiers(scope, name, text, root, kids) {
        let Some(occurrence) = classify(node, kids) else { continue };
        let at = node.start_byte();
        if at < statement.start_byte() {
            before = Some(before.map_or(occurrence, |b| b.min(occurrence)));
        } else if occurrence == Occurrence::Annotation && at > statement.end_byte() && annotated_after.is_none() {
            annotated_after = node.parent().map(|assignment| assignment.start_byte() as u32);
        }
    }
    (before, annotated_after)
}

/// What an identifier does with its name in its scope; `None` for an identifier that is no name
/// of the scope (an attribute, a keyword argument, an import, a parameter of a nested function,
/// another declaration).
fn classify<'a>(node: Node<'a>, kids: &Children<'a>) -> Option<Occurrence> {
    let parent = node.parent()?;
    let is_field = |field: Field| kids.child(parent, field).is_some_and(|c| c.id() == node.id());
    match kind(parent) {
        Kind::Attribute if is_field(Field::Attribute) => return None,
        Kind::KeywordArgument if is_field(Field::Name) => return None,
        Kind::GlobalStatement
        | Kind::NonlocalStatement
        | Kind::DottedName
        | Kind::AliasedImport
        | Kind::ImportStatement
        | Kind::ImportFromStatement
        | Kind::Parameters
        | Kind::LambdaParameters
        | Kind::DictionarySplatPattern
        | Kind::TypedParameter => return None,
        // A splat pattern is a parameter only inside a parameter list; elsewhere it is a target,
        // read below.
        Kind::ListSplatPattern if in_parameters(parent) => return None,
        Kind::DefaultParameter | Kind::TypedDefaultParameter if is_field(Field::Name) => return None,
        Kind::FunctionDefinition | Kind::ClassDefinition if is_field(Field::Name) => return Some(Occurrence::Assignment),
        Kind::NamedExpression if is_field(Field::Name) => return Some(Occurrence::Assignment),
        _ => {}
    }
    // A target: climb the patterns that hold it to the statement that assigns.
    let mut target = node;
    while let Some(holder) = target.parent() {
        match kind(holder) {
            Kind::PatternList | Kind::TuplePattern | Kind::ListPattern | Kind::ListSplatPattern => target = holder,
            Kind::Assignment if kids.child(holder, Field::Left).is_some_and(|l| l.id() == target.id()) => {
                let annotated = kids.child(holder, Field::Type).is_some() && target.id() == node.id();
                return Some(if annotated { Occurrence::Annotation } else { Occurrence::Assignment });
            }
            Kind::AugmentedAssignment if kids.child(holder, Field::Left).is_some_and(|l| l.id() == target.id()) => {
                return Some(Occurrence::Assignment)
            }
            Kind::ForStatement if kids.child(holder, Field::Left).is_some_and(|l| l.id() == target.id()) => {
                return Some(Occurrence::Assignment)
            }
            Kind::AsPatternTarget | Kind::DeleteStatement => return Some(Occurrence::Assignment),
            _ => break,
        }
    }
    Some(Occurrence::Use)
}

/// Whether a node stands in a `def`'s or `lambda`'s parameter list.
fn in_parameters(node: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        match kind(parent) {
            Kind::Parameters | Kind::LambdaParameters => return true,
            Kind::DefaultParameter | Kind::TypedDefaultParameter | Kind::TypedParameter | Kind::ListSplatPattern => {
                current = parent
            }
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    /// Each case with the line and message of `compile()` on CPython 3.8–3.13 (they agree), or
    /// nothing when it compiles.
    #[test]
    fn declarations_after_the_name_was_met() {
        let cases: &[(&str, Option<(u32, &str)>)] = &[
            ("x = 1\nglobal x\n", Some((2, "name 'x' is assigned to before global declaration"))),
            ("print(x)\nglobal x\n", Some((2, "name 'x' is used prior to global declaration"))),
            ("class C:\n    x = 1\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    global x\n    x = 1\n", None),
            ("def f():\n    x: int = 1\n    global x\n", Some((3, "annotated name 'x' can't be global"))),
            ("def f():\n    global x\n    x: int = 1\n", Some((3, "annotated name 'x' can't be global"))),
            ("def f(x):\n    global x\n", Some((2, "name 'x' is parameter and global"))),
            ("def f():\n    def x(): pass\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    import x\n    global x\n", None),
            ("def f():\n    for x in y: pass\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    del x\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    x += 1\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    [x for x in y]\n    global x\n", None),
            ("def f():\n    [y for y in x]\n    global x\n", Some((3, "name 'x' is used prior to global declaration"))),
            ("def f():\n    lambda: x\n    global x\n", None),
            ("def f():\n    def g():\n        return x\n    global x\n", None),
            ("def f():\n    def g(x=1):\n        return x\n    global x\n", None),
            ("def f():\n    def g(a=x):\n        return a\n    global x\n", Some((4, "name 'x' is used prior to global declaration"))),
            ("def f():\n    obj.x = 1\n    global x\n", None),
            ("def f():\n    f(x=1)\n    global x\n", None),
            ("def f():\n    x = 1\n    def g():\n        nonlocal x\n        global y\n", None),
            ("def f():\n    x = 1\n    def g():\n        print(x)\n        nonlocal x\n", Some((5, "name 'x' is used prior to nonlocal declaration"))),
            ("def f():\n    x = 1\n    def g():\n        x = 2\n        nonlocal x\n", Some((5, "name 'x' is assigned to before nonlocal declaration"))),
            ("def f(x):\n    nonlocal x\n", Some((2, "name 'x' is parameter and nonlocal"))),
            ("def f():\n    global x\n    global x\n", None),
            ("def f():\n    global x, y\n    print(y)\n    global y\n", Some((4, "name 'y' is used prior to global declaration"))),
            ("def f():\n    print(x)\n    global x\nreturn 1\n", Some((3, "name 'x' is used prior to global declaration"))),
            ("def f():\n    x = 1\n    global x\ndef g(a, a): pass\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    (x := 1)\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    with a as x: pass\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    try: pass\n    except E as x: pass\n    global x\n", Some((4, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    x\n    global x\n", Some((3, "name 'x' is used prior to global declaration"))),
            ("def f():\n    '''x'''\n    global x\n", None),
            ("def f():\n    a, *x = y\n    global x\n", Some((3, "name 'x' is assigned to before global declaration"))),
            ("def f():\n    x = x + 1\n    global x\n", Some((3, "name 'x' is used prior to global declaration"))),
            ("x = 1\nnonlocal x\n", Some((2, "name 'x' is assigned to before nonlocal declaration"))),
            ("nonlocal x\nx = 1\n", Some((1, "nonlocal declaration not allowed at module level"))),
            ("async def f():\n    yield 1\n    return 2\n", Some((3, "'return' with value in async generator"))),
            ("async def f():\n    yield 1\n    return\n", None),
            ("async def f():\n    def g():\n        yield 1\n    return 2\n", None),
            ("def f():\n    nonlocal x\n", Some((2, "no binding for nonlocal 'x' found"))),
            ("def f():\n    def g():\n        nonlocal x\n    return 1\nreturn 2\n", Some((3, "no binding for nonlocal 'x' found"))),
            ("def f():\n    x = 1\n    class C:\n        nonlocal x\n", None),
            ("class C:\n    x = 1\n    def m(self):\n        nonlocal x\n", Some((4, "no binding for nonlocal 'x' found"))),
            ("def f(x):\n    def g():\n        nonlocal x\n", None),
            ("def f():\n    import x\n    def g():\n        nonlocal x\n", None),
            ("def f():\n    import x.y\n    def g():\n        nonlocal x\n", None),
            ("def f():\n    from m import x\n    def g():\n        nonlocal x\n", None),
            ("def f():\n    from x import y\n    def g():\n        nonlocal x\n", Some((4, "no binding for nonlocal 'x' found"))),
            ("def f():\n    global x\n    x = 1\n    def g():\n        nonlocal x\n", Some((5, "no binding for nonlocal 'x' found"))),
            ("def f():\n    x = 1\n    def g():\n        nonlocal x\n        def h():\n            nonlocal x\n", None),
            ("def f():\n    def g():\n        x = 1\n    def h():\n        nonlocal x\n", Some((5, "no binding for nonlocal 'x' found"))),
            ("def f():\n    for x in y: pass\n    def g():\n        nonlocal x\n", None),
            ("def f():\n    print(x)\n    def g():\n        nonlocal x\n", Some((4, "no binding for nonlocal 'x' found"))),
            ("def f():\n    def g():\n        nonlocal x\n    x = 2\n", None),
            ("def f():\n    def g():\n        nonlocal x\nreturn 1\n", Some((3, "no binding for nonlocal 'x' found"))),
            ("def f():\n    def g():\n        nonlocal x\n    def x(): pass\n", None),
            ("class C:\n    def m(self):\n        nonlocal __class__\n        __class__ = C\n", None),
            ("class C:\n    def m(self):\n        class X:\n            nonlocal __class__\n", None),
            // The second pass of the symbol table reports after the first, wherever they stand.
            ("def f():\n    def g():\n        nonlocal x\ndef h(a, a): pass\n", Some((4, "duplicate argument 'a' in function definition"))),
        ];
        for (source, expected) in cases {
            let summary = crate::analysis::summary::summarize(source);
            let got = summary.compile_errors.first().map(|error| (summary.line_number(error.at), error.message.as_str()));
            assert_eq!(got, *expected, "{source:?}");
        }
    }
}
