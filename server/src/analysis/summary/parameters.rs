//! Parameter lists that tree-sitter reads and CPython refuses: a parameter without a default
//! after one with a default (`def f(a=1, b):`, the parser's error), and a name given to two
//! parameters (`def f(a, a):`, the symbol table's), and a bare `*` (`def f(*):`). They are
//! checked on every `def` (the statement walk of `newer_syntax` meets them all) and every
//! `lambda` (found from the text). And argument lists that CPython refuses: in an order that
//! the parser refuses (`f(a=1, 2)`, `f(**k, *a)`), or with a keyword given twice, which the
//! event walk checks on the calls and class statements it reads (see
//! [`argument_list_errors`]).
//!
//! The lines that each version reports differ: 3.8 names the parameter list's start, 3.9 the
//! token that closes it, 3.10 on the offending parameter; for a duplicate, 3.8 and 3.9 name the
//! `def` (or `lambda`) and 3.10 on the second parameter. The fixture `parameter_lists` checks
//! them against every version.

use tree_sitter::Node;

use super::compile_errors::CompileError;
use super::newer_syntax::{NewerSyntax, SyntaxFeature};
use super::syntax::{kind, node_text, Children, Field, Kind, Which};
use crate::analysis::text::TextRange;

/// The errors of one `def` or `lambda`'s parameters: the parser's, and the symbol table's.
pub(super) fn check<'a>(function: Node<'a>, text: &str, kids: &Children<'a>) -> (Option<NewerSyntax>, Option<CompileError>) {
    let Some(parameters) = kids.child(function, Field::Parameters) else { return (None, None) };
    let list: Vec<Node<'a>> = kids.iter(parameters, Which::NamedCode).collect();
    let order = default_before_plain(&list).map(|offending| {
        // 3.9 fails at the token after the list: a `def`'s `)`, a lambda's `:`.
        let closing = match kind(function) {
            Kind::Lambda => parameters.end_byte(),
            _ => parameters.end_byte().saturating_sub(1),
        } as u32;
        let feature = SyntaxFeature::DefaultBeforePlain { first: list[0].start_byte() as u32, closing };
        NewerSyntax { range: TextRange::new(offending.start_byte(), offending.end_byte()), feature, suggestion: None }
    });
    let order = match (order, bare_star(function, parameters, &list)) {
        (Some(a), Some(b)) => Some(if b.range.start < a.range.start { b } else { a }),
        (a, b) => a.or(b),
    };
    let duplicate = duplicate_name(&list, text, kids).map(|(name, second)| {
        let message = format!("duplicate argument '{name}' in function definition");
        CompileError::new(second.start_byte() as u32, message).reported_before(10, function.start_byte() as u32)
    });
    (order, duplicate)
}

/// The errors of one argument list, each with the compiler's error that goes with it: an
/// argument out of order (the parser's alone) and a keyword given twice (3.8's parser error,
/// the compiler's from 3.9 on).
pub(super) fn argument_list_errors<'a>(
    arguments: Node<'a>,
    text: &str,
    kids: &Children<'a>,
) -> impl Iterator<Item = (NewerSyntax, Option<CompileError>)> {
    let order = argument_order(arguments, kids).map(|found| (found, None));
    let repeated = repeated_keyword(arguments, text, kids).map(|(found, error)| (found, Some(error)));
    order.into_iter().chain(repeated)
}

/// The first argument of a call (or of a class statement's bases) that stands where CPython's
/// parser refuses it: a positional argument after a keyword argument or after `**` unpacking,
/// or `*` unpacking after `**` unpacking.
fn argument_order<'a>(arguments: Node<'a>, kids: &Children<'a>) -> Option<NewerSyntax> {
    let first = kids.iter(arguments, Which::NamedCode).next()?;
    let mut keyword = false;
    let mut unpacking: Option<Node<'a>> = None;
    for argument in kids.iter(arguments, Which::NamedCode) {
        let problem = match kind(argument) {
            Kind::KeywordArgument => {
                keyword = true;
                continue;
            }
            Kind::DictionarySplat => {
                unpacking.get_or_insert(argument);
                continue;
            }
            Kind::ListSplat if unpacking.is_some() => ArgumentProblem::IterableAfterUnpacking,
            Kind::ListSplat => continue,
            _ if unpacking.is_some() => ArgumentProblem::PositionalAfterUnpacking,
            _ if keyword => ArgumentProblem::PositionalAfterKeyword,
            _ => continue,
        };
        let feature = SyntaxFeature::ArgumentOrder {
            problem,
            first: first.start_byte() as u32,
            unpacking: unpacking.map_or(first.start_byte(), |u| u.start_byte()) as u32,
            closing: arguments.end_byte().saturating_sub(1) as u32,
        };
        let range = TextRange::new(argument.start_byte(), argument.end_byte());
        return Some(NewerSyntax { range, feature, suggestion: None });
    }
    None
}

/// The first keyword argument of a call (or of a class statement's bases) whose name an earlier
/// one has (`f(a=1, a=2)`). 3.8 finds it while it builds the AST, at the repeated keyword; from
/// 3.9 on it is the compiler's error, reported at the call's line by 3.9 and at the repeated
/// keyword from 3.10 on.
fn repeated_keyword<'a>(arguments: Node<'a>, text: &str, kids: &Children<'a>) -> Option<(NewerSyntax, CompileError)> {
    let mut seen: Vec<&str> = Vec::new();
    for argument in kids.iter(arguments, Which::NamedCode).filter(|a| kind(*a) == Kind::KeywordArgument) {
        let Some(name) = kids.child(argument, Field::Name).map(|name| node_text(name, text)) else { continue };
        if !seen.contains(&name) {
            seen.push(name);
            continue;
        }
        let owner = arguments.parent().unwrap_or(arguments);
        let range = TextRange::new(argument.start_byte(), argument.end_byte());
        let newer = NewerSyntax { range, feature: SyntaxFeature::RepeatedKeyword, suggestion: None };
        let message = format!("keyword argument repeated: {name}");
        let error = CompileError::new(argument.start_byte() as u32, message).reported_before(10, owner.start_byte() as u32);
        return Some((newer, error));
    }
    None
}

/// What is out of order in an argument list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgumentProblem {
    PositionalAfterKeyword,
    PositionalAfterUnpacking,
    IterableAfterUnpacking,
}

impl ArgumentProblem {
    pub fn message(self) -> &'static str {
        match self {
            ArgumentProblem::PositionalAfterKeyword => "positional argument follows keyword argument",
            ArgumentProblem::PositionalAfterUnpacking => "positional argument follows keyword argument unpacking",
            ArgumentProblem::IterableAfterUnpacking => "iterable argument unpacking follows keyword argument unpacking",
        }
    }
}

/// The first plain positional parameter after one with a default; `*`, `*args` and `**kwargs`
/// end the positional ones, and keyword-only parameters need no default.
fn default_before_plain<'a>(list: &[Node<'a>]) -> Option<Node<'a>> {
    let mut defaulted = false;
    for &parameter in list {
        // `*args: int` is a typed parameter around the splat.
        let inner = match kind(parameter) {
            Kind::TypedParameter => parameter.named_child(0).map_or(Kind::Other, kind),
            other => other,
        };
        match (kind(parameter), inner) {
            (_, Kind::KeywordSeparator | Kind::ListSplatPattern | Kind::DictionarySplatPattern) => return None,
            (Kind::DefaultParameter | Kind::TypedDefaultParameter, _) => defaulted = true,
            (Kind::Identifier | Kind::TypedParameter, _) if defaulted => return Some(parameter),
            _ => {}
        }
    }
    None
}

/// A `*` that no keyword-only parameter follows (`def f(*):`, `def f(*, **k):`), which the
/// parser refuses: the `*` only says that the parameters after it are keyword-only.
fn bare_star<'a>(function: Node<'a>, parameters: Node<'a>, list: &[Node<'a>]) -> Option<NewerSyntax> {
    let at = list.iter().position(|p| kind(*p) == Kind::KeywordSeparator)?;
    let star = list[at];
    let next = list.get(at + 1).copied();
    if next.is_some_and(|next| kind(next) != Kind::DictionarySplatPattern) {
        return None;
    }
    // The token after `*` and its comma: `**`, or what closes the list (a lambda's `:`).
    let after = match (next, kind(function)) {
        (Some(double_star), _) => double_star.start_byte(),
        (None, Kind::Lambda) => parameters.end_byte(),
        (None, _) => parameters.end_byte().saturating_sub(1),
    } as u32;
    let feature = SyntaxFeature::BareStar { double_star: next.is_some(), after };
    Some(NewerSyntax { range: TextRange::new(star.start_byte(), star.end_byte()), feature, suggestion: None })
}

/// The first parameter whose name an earlier one has, with that name.
fn duplicate_name<'a, 't>(list: &[Node<'a>], text: &'t str, kids: &Children<'a>) -> Option<(&'t str, Node<'a>)> {
    let mut seen: Vec<&str> = Vec::with_capacity(list.len());
    for &parameter in list {
        let Some(name) = parameter_name(parameter, kids) else { continue };
        let name_text = node_text(name, text);
        if seen.contains(&name_text) {
            return Some((name_text, parameter));
        }
        seen.push(name_text);
    }
    None
}

/// The identifier that a parameter binds: `a`, `a: int`, `a=1`, `a: int = 1`, `*a`, `**a`.
pub(super) fn parameter_name<'a>(parameter: Node<'a>, kids: &Children<'a>) -> Option<Node<'a>> {
    match kind(parameter) {
        Kind::Identifier => Some(parameter),
        Kind::DefaultParameter | Kind::TypedDefaultParameter => kids.child(parameter, Field::Name),
        Kind::TypedParameter | Kind::ListSplatPattern | Kind::DictionarySplatPattern => {
            let inner = kids.iter(parameter, Which::NamedCode).next()?;
            match kind(inner) {
                Kind::Identifier => Some(inner),
                // `*a: int` is a typed parameter around a splat.
                _ => parameter_name(inner, kids),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    /// The line and message of the first failure that 3.`minor` reports.
    fn first(source: &str, minor: u32) -> Option<(u32, String)> {
        crate::analysis::summary::compile_failure_of(source, minor).map(|(line, message, _)| (line, message))
    }

    /// Each case with the line that 3.8, 3.9, 3.10–3.11 and 3.12–3.13 report (as CPython does on
    /// the same text), or none when it compiles.
    #[test]
    fn a_plain_parameter_after_a_default_is_the_parsers_error() {
        let old = "non-default argument follows default argument";
        let new = "parameter without a default follows parameter with a default";
        let cases: &[(&str, Option<[u32; 4]>)] = &[
            ("def f(a=1, b):\n    pass\n", Some([1, 1, 1, 1])),
            ("def f(\n    a=1,\n    b,\n):\n    pass\n", Some([2, 4, 3, 3])),
            ("g = (lambda a=1,\n     b: 0)\n", Some([1, 2, 2, 2])),
            ("def f(a: int = 1, b: int):\n    pass\n", Some([1, 1, 1, 1])),
            ("def f(a=1, /, b):\n    pass\n", Some([1, 1, 1, 1])),
            ("def f(a=1, *args, b):\n    pass\n", None),
            ("def f(*, a=1, b):\n    pass\n", None),
            ("def f(a, b=1, **k):\n    pass\n", None),
            ("def f(a, b: 1, c: 2, d, e: 3 = 4, f=5, *g: 6): pass\n", None),
            ("def f(a, b: 'x' = 10, *args: 'y', spam: 'z', ham=1, **kwargs: int): pass\n", None),
            ("def f(a=1, a):\n    pass\n", Some([1, 1, 1, 1])),
        ];
        for (source, lines) in cases {
            for (minor, index) in [(8, 0), (9, 1), (10, 2), (11, 2), (12, 3), (13, 3)] {
                let expected = lines.map(|lines| (lines[index], if minor >= 12 { new } else { old }.to_string()));
                assert_eq!(first(source, minor), expected, "3.{minor} on {source:?}");
            }
        }
    }

    /// Each case with the line and message that 3.8, 3.9, 3.10, 3.11–3.12 and 3.13 report (as
    /// CPython does on the same text).
    #[test]
    fn arguments_out_of_order_are_the_parsers_error() {
        let after_keyword = "positional argument follows keyword argument";
        let after_unpacking = "positional argument follows keyword argument unpacking";
        let iterable = "iterable argument unpacking follows keyword argument unpacking";
        // The source, then the lines of the five groups of versions and the message.
        type Case<'s> = (&'s str, Option<([u32; 5], &'s str)>);
        let cases: &[Case] = &[
            ("f(a=1, 2)\n", Some(([1, 1, 1, 1, 1], after_keyword))),
            ("f(\n  a=1,\n  2)\n", Some(([3, 3, 3, 3, 3], after_keyword))),
            ("f(\n  a=1,\n  2,\n)\n", Some(([3, 4, 4, 4, 4], after_keyword))),
            ("f(\n  a=1,\n  2,\n  b=3,\n)\n", Some(([3, 5, 5, 5, 5], after_keyword))),
            ("f(\n  **k,\n  *a,\n)\n", Some(([3, 3, 2, 3, 2], iterable))),
            ("f(x,\n  a=1,\n  **k,\n  y)\n", Some(([4, 4, 4, 4, 4], after_unpacking))),
            ("f(x,\n  a=1,\n  *k,\n  y)\n", Some(([4, 4, 4, 4, 4], after_keyword))),
            ("f(x,\n  **k,\n  *a)\n", Some(([3, 3, 1, 3, 2], iterable))),
            ("g = (f\n  (\n  **k,\n  *a))\n", Some(([4, 4, 3, 4, 3], iterable))),
            ("f(\n  a=1, *k,\n  **j, *z)\n", Some(([3, 3, 2, 3, 3], iterable))),
            ("class C(\n  metaclass=M,\n  object): pass\n", Some(([3, 3, 3, 3, 3], after_keyword))),
            ("def f():\n    return g(a=1, 2)\n", Some(([2, 2, 2, 2, 2], after_keyword))),
            ("f(a=1, *b)\nf(*a, b)\nf(a=1, b=2, *c, d=3, **e)\n", None),
        ];
        for (source, expected) in cases {
            for (minor, index) in [(8, 0), (9, 1), (10, 2), (11, 3), (12, 3), (13, 4)] {
                let want = expected.map(|(lines, message)| (lines[index], message.to_string()));
                assert_eq!(first(source, minor), want, "3.{minor} on {source:?}");
            }
        }
    }

    /// 3.8 checks argument lists, parameter defaults and string literals only once the whole file
    /// parsed; later versions report the first error in the file.
    #[test]
    fn python_3_8_reports_its_parsers_errors_first() {
        let print = "Missing parentheses in call to 'print'. Did you mean print('x')?";
        // The source, then the line and message of 3.8 and of 3.9.
        type Case<'s> = (&'s str, (u32, &'s str), (u32, &'s str));
        let cases: &[Case] = &[
            ("def f(a=1, b): pass\nprint 'x'\n", (2, print), (1, "non-default argument follows default argument")),
            ("x = b'a' 'b'\nprint 'x'\n", (2, print), (1, "cannot mix bytes and nonbytes literals")),
            ("f(a=1, 2)\nprint 'x'\n", (2, print), (1, "positional argument follows keyword argument")),
            ("f(a=1, 2)\ndef g(a=1, b): pass\n", (1, "positional argument follows keyword argument"), (1, "positional argument follows keyword argument")),
            ("def f(a=1, b): pass\nreturn 1\n", (1, "non-default argument follows default argument"), (1, "non-default argument follows default argument")),
        ];
        for (source, on_3_8, on_3_9) in cases {
            assert_eq!(first(source, 8), Some((on_3_8.0, on_3_8.1.to_string())), "{source:?}");
            assert_eq!(first(source, 9), Some((on_3_9.0, on_3_9.1.to_string())), "{source:?}");
        }
    }
}
