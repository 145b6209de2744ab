//! Parameter lists that tree-sitter reads and CPython refuses: a parameter without a default
//! after one with a default (`def f(a=1, b):`, the parser's error), and a name given to two
//! parameters (`def f(a, a):`, the symbol table's). Both are checked on every `def` (the
//! statement walk of `newer_syntax` meets them all) and every `lambda` (found from the text).
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
    let duplicate = duplicate_name(&list, text, kids).map(|(name, second)| CompileError {
        at: second.start_byte() as u32,
        at_before_3_10: function.start_byte() as u32,
        message: format!("duplicate argument '{name}' in function definition"),
    });
    (order, duplicate)
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
        let summary = crate::analysis::summary::summarize(source);
        let failure = summary.compile_failure(minor)?;
        Some((summary.line_number(failure.at(minor)), failure.message(minor)))
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
}
