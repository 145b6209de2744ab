//! Targets and starred expressions that tree-sitter reads and CPython refuses. tree-sitter-python
//! accepts any expression after `del` and after a `with` item's `as`, a tuple or a starred name
//! before `+=` or an annotation, `*a` as a whole value (`x = *a`, `return *a`) and as a whole
//! target (`*a = b`), and two starred names in one target list. CPython refuses all of them
//! before the file runs, so the module never starts and its import raises SyntaxError.
//!
//! Who refuses them differs, which decides which error of a file comes first:
//! - Targets (`del f()`, `with a as f():`, `a, b += 1`, `a, b: int`) are the parser's errors from
//!   3.9 on, in source order with its other errors. 3.8 finds them while it builds the AST from
//!   a finished parse ([`SyntaxFeature::found_after_parse`]), at the line of the whole target
//!   (the `with` item), except for the expressions its grammar does not read after `del` or
//!   `as` at all (`del a < b`), which are plain syntax errors there.
//! - Starred values and starred or doubly starred targets are the compiler's, in every version.
//!   3.8's grammar does not read a starred value after `+=` or `in` (nor in a tuple after `in`,
//!   `for x in *a, b:`), nor a starred `with` target; those are its syntax errors
//!   ([`SyntaxFeature::UnparenthesizedStar`]). `(*a)` is found with the starred subscripts
//!   of `newer_syntax`, which look at every `*`.
//! - `async for` and `async with` outside an `async def` are the compiler's, and so are the
//!   bindings of `__debug__` from 3.9 on (see [`debug_assignments`]).
//!
//! The messages and lines were taken from CPython 3.8–3.13 on the same files; the fixture
//! `target_errors` checks them against each version.

use tree_sitter::Node;

use super::compile_errors::{enclosing_block, CompileError, Enclosing};
use super::lexical::{literal_prefix, prefix_has};
use super::newer_syntax::{NewerSyntax, SyntaxFeature};
use super::syntax::{kind, node_text, token_child, Children, Field, Kind, Which};
use crate::analysis::text::TextRange;

/// What CPython calls an expression in its messages ("cannot delete function call").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpressionName {
    FunctionCall,
    Literal,
    /// `a + b`, `-a`.
    Operator,
    /// `a and b`, `not a`: an operator in the messages, but 3.8's grammar reads no such
    /// expression where a target stands.
    BooleanOperator,
    Comparison,
    Conditional,
    Lambda,
    Generator,
    Yield,
    Await,
    ListComprehension,
    SetComprehension,
    DictComprehension,
    Dict,
    Set,
    FString,
    None,
    True,
    False,
    Ellipsis,
    Named,
    Starred,
    Tuple,
    List,
}

impl ExpressionName {
    /// The name in CPython 3.`minor`'s messages.
    pub fn name(self, minor: u32) -> &'static str {
        match self {
            ExpressionName::FunctionCall => "function call",
            ExpressionName::Literal => "literal",
            ExpressionName::Operator | ExpressionName::BooleanOperator if minor >= 10 => "expression",
            ExpressionName::Operator | ExpressionName::BooleanOperator => "operator",
            ExpressionName::Comparison => "comparison",
            ExpressionName::Conditional => "conditional expression",
            ExpressionName::Lambda => "lambda",
            ExpressionName::Generator => "generator expression",
            ExpressionName::Yield => "yield expression",
            ExpressionName::Await => "await expression",
            ExpressionName::ListComprehension => "list comprehension",
            ExpressionName::SetComprehension => "set comprehension",
            ExpressionName::DictComprehension => "dict comprehension",
            ExpressionName::Dict if minor >= 10 => "dict literal",
            ExpressionName::Dict => "dict display",
            ExpressionName::Set => "set display",
            ExpressionName::FString => "f-string expression",
            ExpressionName::None => "None",
            ExpressionName::True => "True",
            ExpressionName::False => "False",
            ExpressionName::Ellipsis if minor >= 10 => "ellipsis",
            ExpressionName::Ellipsis => "Ellipsis",
            ExpressionName::Named => "named expression",
            ExpressionName::Starred => "starred",
            ExpressionName::Tuple => "tuple",
            ExpressionName::List => "list",
        }
    }

    /// What an expression node is, for the kinds that no target may be; `None` for names,
    /// attributes and subscripts (which are targets), for tuples, lists and parentheses (whose
    /// parts decide) and for kinds this module does not know.
    fn of<'a>(node: Node<'a>, text: &str, kids: &Children<'a>) -> Option<ExpressionName> {
        Some(match kind(node) {
            Kind::Call => ExpressionName::FunctionCall,
            Kind::Integer | Kind::Float => ExpressionName::Literal,
            Kind::String if is_fstring(node, text, kids) => ExpressionName::FString,
            Kind::ConcatenatedString if kids.iter(node, Which::NamedCode).any(|part| is_fstring(part, text, kids)) => {
                ExpressionName::FString
            }
            Kind::String | Kind::ConcatenatedString => ExpressionName::Literal,
            Kind::BinaryOperator | Kind::UnaryOperator => ExpressionName::Operator,
            Kind::BooleanOperator | Kind::NotOperator => ExpressionName::BooleanOperator,
            Kind::ComparisonOperator => ExpressionName::Comparison,
            Kind::ConditionalExpression => ExpressionName::Conditional,
            Kind::Lambda => ExpressionName::Lambda,
            Kind::GeneratorExpression => ExpressionName::Generator,
            Kind::Yield => ExpressionName::Yield,
            Kind::Await => ExpressionName::Await,
            Kind::ListComprehension => ExpressionName::ListComprehension,
            Kind::SetComprehension => ExpressionName::SetComprehension,
            Kind::DictionaryComprehension => ExpressionName::DictComprehension,
            Kind::Dictionary => ExpressionName::Dict,
            Kind::Set => ExpressionName::Set,
            Kind::NoneLiteral => ExpressionName::None,
            Kind::TrueLiteral => ExpressionName::True,
            Kind::FalseLiteral => ExpressionName::False,
            Kind::Ellipsis => ExpressionName::Ellipsis,
            Kind::NamedExpression => ExpressionName::Named,
            Kind::ListSplat | Kind::ListSplatPattern => ExpressionName::Starred,
            _ => return None,
        })
    }
}

/// Whether a string literal is an f-string: it has a replacement field, or an `f` in its prefix.
fn is_fstring<'a>(string: Node<'a>, text: &str, kids: &Children<'a>) -> bool {
    kind(string) == Kind::String
        && (kids.iter(string, Which::NamedCode).any(|part| kind(part) == Kind::Interpolation)
            || prefix_has(literal_prefix(string, text, kids), b'f'))
}

/// Where the refused target stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetContext {
    Delete,
    /// After a `with` item's `as`.
    With,
    /// Before `+=` and the other augmented assignments.
    AugmentedAssignment,
    /// Before an annotation's colon.
    Annotation,
}

/// An expression where CPython wants a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetProblem {
    pub context: TargetContext,
    pub expression: ExpressionName,
    /// The expression stands inside brackets, where 3.8's grammar reads any expression.
    pub bracketed: bool,
}

impl TargetProblem {
    /// CPython 3.`minor`'s message.
    pub fn message(self, minor: u32) -> String {
        if self.is_grammar_error(minor) {
            return "invalid syntax".to_string();
        }
        let name = self.expression.name(minor);
        match self.context {
            TargetContext::Delete => format!("cannot delete {name}"),
            TargetContext::With => format!("cannot assign to {name}"),
            TargetContext::AugmentedAssignment if minor < 9 => "illegal expression for augmented assignment".to_string(),
            TargetContext::AugmentedAssignment => format!("'{name}' is an illegal expression for augmented assignment"),
            TargetContext::Annotation => format!("only single target (not {name}) can be annotated"),
        }
    }

    /// Whether 3.`minor`'s grammar does not read the expression there at all: 3.8 takes only
    /// an `expr` (no comparison, `and`, `not`, conditional or lambda) after `del` and `as`
    /// outside brackets.
    pub fn is_grammar_error(self, minor: u32) -> bool {
        minor < 9
            && !self.bracketed
            && matches!(self.context, TargetContext::Delete | TargetContext::With)
            && matches!(
                self.expression,
                ExpressionName::BooleanOperator | ExpressionName::Comparison | ExpressionName::Conditional | ExpressionName::Lambda
            )
    }

    /// Whether 3.`minor`'s parser lets the target through, for its compiler to refuse: 3.8
    /// deletes a starred expression only in the compiler ("can't use starred expression here").
    pub fn passes_parser(self, minor: u32) -> bool {
        minor < 9 && self.context == TargetContext::Delete && self.expression == ExpressionName::Starred
    }
}

/// What the checks of one file find: the parser's errors, the symbol table's and the
/// compiler's.
#[derive(Default)]
pub(super) struct Findings {
    pub(super) newer: Vec<NewerSyntax>,
    pub(super) symbol_table: Vec<CompileError>,
    pub(super) compiler: Vec<CompileError>,
}

impl Findings {
    fn newer(&mut self, node: Node, feature: SyntaxFeature) {
        self.newer.push(NewerSyntax { range: TextRange::new(node.start_byte(), node.end_byte()), feature, suggestion: None });
    }

    fn compiler(&mut self, node: Node, message: &str) {
        self.compiler.push(CompileError::new(node.start_byte() as u32, message.to_string()));
    }

    fn target(&mut self, node: Node, problem: TargetProblem, first: Node) {
        self.newer(node, SyntaxFeature::InvalidTarget { problem, first: first.start_byte() as u32 });
    }
}

pub(super) const STARRED_VALUE: &str = "can't use starred expression here";
const STARRED_TARGET: &str = "starred assignment target must be in a list or tuple";

/// Checks one statement (the statement walk of `newer_syntax` meets them all).
pub(super) fn statement<'a>(node: Node<'a>, text: &str, kids: &Children<'a>, found: &mut Findings) {
    match kind(node) {
        Kind::DeleteStatement => {
            for target in kids.iter(node, Which::NamedCode) {
                let targets: Vec<Node> = match kind(target) {
                    Kind::ExpressionList => kids.iter(target, Which::NamedCode).collect(),
                    _ => vec![target],
                };
                for target in targets {
                    if let Some((bad, problem)) = invalid_target(target, TargetContext::Delete, false, text, kids) {
                        if problem.expression == ExpressionName::Starred {
                            found.compiler(bad, STARRED_VALUE);
                        }
                        found.target(bad, problem, target);
                    }
                }
            }
        }
        Kind::ExpressionStatement => {
            for child in kids.iter(node, Which::NamedCode) {
                match kind(child) {
                    Kind::Assignment => assignment(child, text, kids, found),
                    Kind::AugmentedAssignment => augmented_assignment(child, text, kids, found),
                    _ => starred_value(child, kids, found),
                };
            }
        }
        Kind::ReturnStatement => {
            if let Some(value) = kids.iter(node, Which::NamedCode).next() {
                starred_value(value, kids, found);
            }
        }
        Kind::ForStatement => {
            async_outside(node, "'async for' outside async function", kids, found);
            let iterable = kids.child(node, Field::Right);
            // `for x in *a, b:` iterates over a tuple, which 3.8's grammar does not read.
            let first_star = iterable
                .filter(|i| kind(*i) == Kind::ExpressionList)
                .and_then(|list| kids.iter(list, Which::NamedCode).find_map(|part| leading_star(part, kids)));
            if let Some(star) = first_star {
                found.newer(star, SyntaxFeature::UnparenthesizedStar { tuple: true });
            }
            if let Some(star) = iterable.and_then(|i| leading_star(i, kids)) {
                found.newer(star, SyntaxFeature::UnparenthesizedStar { tuple: false });
                found.compiler(star, STARRED_VALUE);
            } else if let Some(target) = kids.child(node, Field::Left) {
                starred_target(target, kids, found);
            }
        }
        Kind::WithStatement => {
            async_outside(node, "'async with' outside async function", kids, found);
            let Some(clause) = kids.iter(node, Which::Named).find(|c| kind(*c) == Kind::WithClause) else { return };
            for item in kids.iter(clause, Which::Named) {
                // tree-sitter reads `with (a as b):` as one item, a parenthesized `as`.
                let value = kids.child(item, Field::Value).map(|value| match kind(value) {
                    Kind::ParenthesizedExpression => kids.iter(value, Which::NamedCode).next().unwrap_or(value),
                    _ => value,
                });
                let Some(value) = value.filter(|v| kind(*v) == Kind::AsPattern) else { continue };
                let alias = kids.child(value, Field::Alias);
                let Some(target) = alias.and_then(|alias| kids.iter(alias, Which::NamedCode).next()) else { continue };
                if let Some(star) = leading_star(target, kids) {
                    found.newer(star, SyntaxFeature::UnparenthesizedStar { tuple: false });
                    found.compiler(star, STARRED_TARGET);
                } else if let Some((bad, problem)) = invalid_target(target, TargetContext::With, false, text, kids) {
                    found.target(bad, problem, item);
                } else {
                    starred_target(target, kids, found);
                }
            }
        }
        _ => {}
    }
}

/// `async for` and `async with` compile only in the body of an `async def`.
fn async_outside<'a>(statement: Node<'a>, message: &str, kids: &Children<'a>, found: &mut Findings) {
    let is_async = statement.child(0).is_some_and(|first| first.kind() == "async");
    if is_async && enclosing_block(statement, kids).0 != (Enclosing::Function { is_async: true }) {
        found.compiler(statement, message);
    }
}

/// The first part of a target that cannot be one, with what is wrong with it. Names,
/// attributes and subscripts are targets; tuples, lists and parentheses are when all their
/// parts are.
fn invalid_target<'a>(
    node: Node<'a>,
    context: TargetContext,
    bracketed: bool,
    text: &str,
    kids: &Children<'a>,
) -> Option<(Node<'a>, TargetProblem)> {
    if context == TargetContext::Delete {
        if let Some(star) = leading_star(node, kids).filter(|star| star.id() != node.id()) {
            return Some((star, TargetProblem { context, expression: ExpressionName::Starred, bracketed }));
        }
    }
    match kind(node) {
        Kind::Identifier | Kind::Attribute | Kind::Subscript => None,
        Kind::Tuple | Kind::List | Kind::ExpressionList | Kind::ParenthesizedExpression => kids
            .iter(node, Which::NamedCode)
            .find_map(|part| invalid_target(part, context, bracketed || kind(node) != Kind::ExpressionList, text, kids)),
        // A starred name in a tuple or a list takes an assignment (`with a as (b, *c):`), never
        // a deletion.
        Kind::ListSplat if context != TargetContext::Delete => {
            kids.iter(node, Which::NamedCode).next().and_then(|inner| invalid_target(inner, context, true, text, kids))
        }
        _ => ExpressionName::of(node, text, kids).map(|expression| (node, TargetProblem { context, expression, bracketed })),
    }
}

/// An assignment, perhaps chained (`a = b = value`) or annotated. The compiler reads the value
/// before the targets, so an error of the value comes first.
fn assignment<'a>(node: Node<'a>, text: &str, kids: &Children<'a>, found: &mut Findings) {
    let mut targets = Vec::new();
    let mut link = node;
    let value = loop {
        if let Some(left) = kids.child(link, Field::Left) {
            targets.push(left);
        }
        match kids.child(link, Field::Right) {
            Some(right) if kind(right) == Kind::Assignment => link = right,
            right => break right,
        }
    };
    if kids.child(node, Field::Type).is_some() {
        if let Some(&target) = targets.first() {
            if let Some(expression) = target_list(target, text, kids) {
                let problem = TargetProblem { context: TargetContext::Annotation, expression, bracketed: false };
                found.target(target, problem, target);
            }
        }
    }
    let before = found.compiler.len();
    if let Some(value) = value {
        starred_value(value, kids, found);
    }
    if found.compiler.len() == before {
        for target in targets {
            if starred_target(target, kids, found) {
                break;
            }
        }
    }
}

/// `a, b += 1`: only a name, an attribute or a subscript takes an augmented assignment.
fn augmented_assignment<'a>(node: Node<'a>, text: &str, kids: &Children<'a>, found: &mut Findings) {
    if let Some(target) = kids.child(node, Field::Left) {
        let expression = match kind(target) {
            Kind::ListSplatPattern => Some(ExpressionName::Starred),
            _ => target_list(target, text, kids),
        };
        if let Some(expression) = expression {
            let problem = TargetProblem { context: TargetContext::AugmentedAssignment, expression, bracketed: false };
            found.target(target, problem, target);
        }
    }
    if let Some(star) = kids.child(node, Field::Right).and_then(|value| leading_star(value, kids)) {
        found.newer(star, SyntaxFeature::UnparenthesizedStar { tuple: false });
        found.compiler(star, STARRED_VALUE);
    }
}

/// Whether a target is a tuple or a list of targets, which neither an augmented assignment nor
/// an annotation takes. tree-sitter reads a parenthesized name, `(a)`, as a tuple pattern
/// without a comma.
fn target_list<'a>(target: Node<'a>, text: &str, kids: &Children<'a>) -> Option<ExpressionName> {
    match kind(target) {
        Kind::PatternList => Some(ExpressionName::Tuple),
        Kind::TuplePattern if token_child(target, ",", text, kids).is_some() => {
            Some(ExpressionName::Tuple)
        }
        Kind::TuplePattern => kids.iter(target, Which::NamedCode).next().and_then(|inner| target_list(inner, text, kids)),
        Kind::ListPattern => Some(ExpressionName::List),
        _ => None,
    }
}

/// A value that is a bare starred expression (`x = *a`, `return *a`, `yield *a`, `*a` as a
/// statement); inside a tuple, a list or a call it is fine.
fn starred_value<'a>(value: Node<'a>, kids: &Children<'a>, found: &mut Findings) {
    let star = match kind(value) {
        Kind::Yield => kids.iter(value, Which::NamedCode).next().and_then(|v| leading_star(v, kids)),
        _ => leading_star(value, kids),
    };
    if let Some(star) = star {
        found.compiler(star, STARRED_VALUE);
    }
}

/// The starred expression that an expression is, or starts with where tree-sitter binds the
/// star too loosely: outside brackets it reads `*f()` as a call of `*f`, `*a.b` as an
/// attribute of `*a`.
fn leading_star<'a>(node: Node<'a>, kids: &Children<'a>) -> Option<Node<'a>> {
    let mut current = node;
    loop {
        let inner = match kind(current) {
            Kind::ListSplat => return Some(current),
            Kind::Call => kids.child(current, Field::Function),
            Kind::Attribute => kids.child(current, Field::Object),
            Kind::Subscript => kids.child(current, Field::Value),
            _ => None,
        };
        current = inner?;
    }
}

/// A target that is a bare starred name (`*a = b`), or a target list with two starred names
/// at one level (`*a, *b = c`). Returns whether it found one.
fn starred_target<'a>(target: Node<'a>, kids: &Children<'a>, found: &mut Findings) -> bool {
    if matches!(kind(target), Kind::ListSplatPattern | Kind::ListSplat) {
        found.compiler(target, STARRED_TARGET);
        return true;
    }
    match several_stars(target, kids) {
        Some(list) => {
            let at = list.start_byte() as u32;
            found.compiler.push(CompileError {
                message_before_3_9: Some("two starred expressions in assignment".to_string()),
                ..CompileError::new(at, "multiple starred expressions in assignment".to_string())
            });
            true
        }
        None => false,
    }
}

/// The first target list, this one or one nested in it, with more than one starred name.
fn several_stars<'a>(target: Node<'a>, kids: &Children<'a>) -> Option<Node<'a>> {
    match kind(target) {
        Kind::PatternList | Kind::TuplePattern | Kind::ListPattern | Kind::Tuple | Kind::List | Kind::ExpressionList => {
            let stars = kids.iter(target, Which::NamedCode).filter(|part| matches!(kind(*part), Kind::ListSplatPattern | Kind::ListSplat));
            if stars.count() > 1 {
                return Some(target);
            }
            kids.iter(target, Which::NamedCode).find_map(|part| several_stars(part, kids))
        }
        Kind::ParenthesizedExpression => kids.iter(target, Which::NamedCode).find_map(|part| several_stars(part, kids)),
        _ => None,
    }
}

const DEBUG: &str = "cannot assign to __debug__";

/// Every place that binds `__debug__`, which no Python 3 compiles: a name, an attribute or a
/// parameter so called, a keyword argument, an import or a definition of that name. 3.8 finds
/// them while it builds the AST, later versions in the compiler, and where they report the
/// error differs (see the fixture `target_errors`). `a.__debug__ += 1` only 3.8 refuses; `del
/// __debug__` only 3.10 on, `import __debug__.x` only 3.9 on.
pub(super) fn debug_assignments<'a>(text: &str, root: Node<'a>, kids: &Children<'a>, found: &mut Findings) {
    for at in super::syntax::word_starts(text.as_bytes(), b"__debug__") {
        let Some(name) = root.descendant_for_byte_range(at, at + "__debug__".len()) else { continue };
        if kind(name) != Kind::Identifier {
            continue;
        }
        if let Some(error) = later_debug_error(name) {
            found.compiler.push(error);
        } else if let Some((error, old)) = debug_binding(name, kids) {
            found.newer(old, SyntaxFeature::DebugAssignment);
            found.compiler.extend(error);
        }
    }
}

/// What only later versions refuse: `del __debug__` (3.10 on, at the name) and `import
/// __debug__.x`, which binds `__debug__` (3.9 on, at the statement); and the bindings in syntax
/// that only later versions read, where earlier ones fail on the syntax first: a capture
/// pattern of a `case` and a type parameter.
fn later_debug_error(name: Node) -> Option<CompileError> {
    let parent = name.parent()?;
    let grandparent = parent.parent();
    let capture = match kind(parent) {
        Kind::DottedName => parent.named_child_count() == 1 && grandparent.is_some_and(|g| kind(g) == Kind::CasePattern),
        Kind::AsPattern => {
            grandparent.is_some_and(|g| kind(g) == Kind::CasePattern) && parent.named_child(parent.named_child_count().saturating_sub(1) as u32).is_some_and(|alias| alias.id() == name.id())
        }
        _ => parent.kind() == "splat_pattern" || parent.kind() == "type" && grandparent.is_some_and(|g| kind(g) == Kind::TypeParameter && g.named_child(0).is_some_and(|first| first.id() == parent.id())),
    };
    if capture {
        return Some(CompileError::new(name.start_byte() as u32, DEBUG.to_string()));
    }
    if kind(parent) == Kind::DottedName && parent.named_child_count() > 1 && parent.named_child(0).is_some_and(|first| first.id() == name.id()) {
        let statement = parent.parent().filter(|s| kind(*s) == Kind::ImportStatement)?;
        return Some(CompileError::new(statement.start_byte() as u32, DEBUG.to_string()).refused_by(9, u32::MAX));
    }
    let mut child = name;
    loop {
        let parent = child.parent()?;
        match kind(parent) {
            Kind::ExpressionList | Kind::Tuple | Kind::List | Kind::ParenthesizedExpression => child = parent,
            Kind::DeleteStatement => {
                let message = "cannot delete __debug__".to_string();
                return Some(CompileError::new(name.start_byte() as u32, message).refused_by(10, u32::MAX));
            }
            _ => return None,
        }
    }
}

/// Whether `name` binds `__debug__`: the compiler's error (none where only 3.8 refuses it), with
/// the node whose start 3.8 reports.
fn debug_binding<'a>(name: Node<'a>, kids: &Children<'a>) -> Option<(Option<CompileError>, Node<'a>)> {
    let at = name.start_byte() as u32;
    let error = || Some(CompileError::new(at, DEBUG.to_string()));
    let is = |node: Node<'a>, field: Field| kids.child(node, field).is_some_and(|f| f.id() == name.id());
    let parent = name.parent()?;
    // An attribute so named binds it when the attribute is assigned to.
    if kind(parent) == Kind::Attribute && is(parent, Field::Attribute) {
        let (top, statement) = target_of(parent, kids)?;
        return match kind(statement) {
            Kind::Assignment | Kind::ForStatement => Some((error().map(|e| e.reported_before(11, parent.start_byte() as u32)), top)),
            Kind::AugmentedAssignment => Some((None, top)),
            _ => None,
        };
    }
    match kind(parent) {
        Kind::FunctionDefinition | Kind::ClassDefinition if is(parent, Field::Name) => return Some((error(), name)),
        Kind::KeywordArgument if is(parent, Field::Name) => {
            let owner = parent.parent().and_then(|arguments| arguments.parent()).unwrap_or(parent);
            return Some((error().map(|e| e.reported_before(12, owner.start_byte() as u32)), name));
        }
        Kind::NamedExpression if is(parent, Field::Name) => return Some((error(), name)),
        _ => {}
    }
    if let Some(function) = parameter_owner(name, kids) {
        return Some((error().map(|e| e.reported_before(12, function.start_byte() as u32)), name));
    }
    if let Some(statement) = import_binding(name, kids) {
        // 3.9 on report the import statement.
        return Some((Some(CompileError::new(statement.start_byte() as u32, DEBUG.to_string())), name));
    }
    let (top, statement) = target_of(name, kids)?;
    match kind(statement) {
        Kind::Assignment | Kind::AugmentedAssignment | Kind::ForStatement | Kind::WithStatement => Some((error(), top)),
        Kind::ForInClause => Some((error(), name)),
        // `except E as __debug__:` 3.9 on report at the clause, 3.8 at the name.
        Kind::ExceptClause | Kind::ExceptGroupClause => Some((Some(CompileError::new(statement.start_byte() as u32, DEBUG.to_string())), name)),
        _ => None,
    }
}

/// The whole target that `node` stands in (through tuples, lists, parentheses and stars) and
/// the statement or clause that assigns to it, when it is one.
fn target_of<'a>(node: Node<'a>, kids: &Children<'a>) -> Option<(Node<'a>, Node<'a>)> {
    let mut child = node;
    loop {
        let parent = child.parent()?;
        match kind(parent) {
            Kind::PatternList
            | Kind::TuplePattern
            | Kind::ListPattern
            | Kind::Tuple
            | Kind::List
            | Kind::ExpressionList
            | Kind::ParenthesizedExpression
            | Kind::ListSplatPattern
            | Kind::ListSplat => child = parent,
            Kind::Assignment | Kind::AugmentedAssignment | Kind::ForStatement | Kind::ForInClause => {
                let is_left = kids.child(parent, Field::Left).is_some_and(|left| left.id() == child.id());
                return is_left.then_some((child, parent));
            }
            Kind::AsPatternTarget => {
                let as_pattern = parent.parent()?;
                let owner = as_pattern.parent()?;
                return match kind(owner) {
                    Kind::WithItem => Some((child, owner.parent()?.parent()?)),
                    Kind::ExceptClause | Kind::ExceptGroupClause => Some((child, owner)),
                    // `with (a as __debug__):`, the parenthesized `as` of a single item.
                    Kind::ParenthesizedExpression => Some((child, owner.parent()?.parent()?.parent()?)),
                    _ => None,
                };
            }
            _ => return None,
        }
    }
}

/// The `def` or `lambda` whose parameter `name` is (not a default's or annotation's name).
fn parameter_owner<'a>(name: Node<'a>, kids: &Children<'a>) -> Option<Node<'a>> {
    let mut parameter = name;
    loop {
        let parent = parameter.parent()?;
        match kind(parent) {
            Kind::Parameters | Kind::LambdaParameters => {
                let bound = super::parameters::parameter_name(parameter, kids);
                return bound.filter(|bound| bound.id() == name.id()).and_then(|_| parent.parent());
            }
            Kind::DefaultParameter
            | Kind::TypedParameter
            | Kind::TypedDefaultParameter
            | Kind::ListSplatPattern
            | Kind::DictionarySplatPattern => parameter = parent,
            _ => return None,
        }
    }
}

/// The import statement that binds `name`: `import __debug__`, or `__debug__` as what a `from`
/// import brings in or as an alias.
fn import_binding<'a>(name: Node<'a>, kids: &Children<'a>) -> Option<Node<'a>> {
    let parent = name.parent()?;
    let (binding, statement) = match kind(parent) {
        Kind::AliasedImport => {
            let is_alias = kids.child(parent, Field::Alias).is_some_and(|alias| alias.id() == name.id());
            (is_alias, parent.parent()?)
        }
        Kind::DottedName => {
            let statement = parent.parent()?;
            let single = parent.named_child_count() == 1;
            let binding = match kind(statement) {
                Kind::ImportStatement => single,
                // The module a `from` import reads binds nothing.
                Kind::ImportFromStatement => single && kids.child(statement, Field::ModuleName).is_none_or(|m| m.id() != parent.id()),
                _ => false,
            };
            (binding, statement)
        }
        _ => (false, parent),
    };
    (binding && matches!(kind(statement), Kind::ImportStatement | Kind::ImportFromStatement)).then_some(statement)
}

/// The symbol table's rules for `:=` in comprehensions (PEP 572), the same in 3.8–3.13: no `:=`
/// anywhere in a comprehension's iterables (even inside a lambda there), none that rebinds an
/// iteration variable of a comprehension around it, and none in a comprehension straight in a
/// class body.
pub(super) fn named_expression<'a>(walrus: Node<'a>, text: &str, kids: &Children<'a>, found: &mut Findings) {
    let at = walrus.start_byte() as u32;
    let mut error = |message: String| found.symbol_table.push(CompileError::new(at, message));
    let mut child = walrus;
    while let Some(parent) = child.parent() {
        if kind(parent) == Kind::ForInClause && kids.iter(parent, Which::InField(Field::Right)).any(|r| r.id() == child.id()) {
            return error("assignment expression cannot be used in a comprehension iterable expression".to_string());
        }
        if kind(parent).may_hold_statements() {
            break;
        }
        child = parent;
    }
    let Some(name) = kids.child(walrus, Field::Name).map(|name| node_text(name, text)) else { return };
    let mut in_comprehension = false;
    let mut child = walrus;
    while let Some(parent) = child.parent() {
        match kind(parent) {
            Kind::ListComprehension | Kind::SetComprehension | Kind::DictionaryComprehension | Kind::GeneratorExpression => {
                in_comprehension = true;
                let clauses = kids.iter(parent, Which::NamedCode).filter(|c| kind(*c) == Kind::ForInClause);
                let targets = clauses.filter_map(|clause| kids.child(clause, Field::Left));
                if targets.into_iter().any(|target| binds(target, name, text, kids)) {
                    return error(format!("assignment expression cannot rebind comprehension iteration variable '{name}'"));
                }
            }
            Kind::Lambda | Kind::FunctionDefinition | Kind::Module => return,
            Kind::ClassDefinition if in_comprehension => {
                return error("assignment expression within a comprehension cannot be used in a class body".to_string());
            }
            Kind::ClassDefinition => return,
            _ => {}
        }
        child = parent;
    }
}

/// Whether a `for` clause's target binds `name`.
fn binds<'a>(target: Node<'a>, name: &str, text: &str, kids: &Children<'a>) -> bool {
    match kind(target) {
        Kind::Identifier => node_text(target, text) == name,
        Kind::PatternList | Kind::TuplePattern | Kind::ListPattern | Kind::Tuple | Kind::List | Kind::ParenthesizedExpression
        | Kind::ListSplatPattern | Kind::ListSplat => kids.iter(target, Which::NamedCode).any(|part| binds(part, name, text, kids)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// The line and message of the file's compile failure on CPython 3.`minor`, or nothing.
    fn failure(source: &str, minor: u32) -> Option<(u32, String)> {
        crate::analysis::summary::compile_failure_of(source, minor).map(|(line, message, _)| (line, message))
    }

    /// Each case with what `compile()` raises on CPython 3.8, 3.9, 3.10 and 3.13 (3.11 and
    /// 3.12 agree with 3.10 or 3.13 on all of them); `None` where the file compiles.
    #[test]
    fn failures_are_the_ones_cpython_raises() {
        type Outcome<'s> = Option<(u32, &'s str)>;
        let cases: &[(&str, [Outcome; 4])] = &[
            ("del f()\n", [Some((1, "cannot delete function call")); 4]),
            ("del a, \\\n  1\n", [Some((2, "cannot delete literal")); 4]),
            (
                "del (a,\n     f())\n",
                [Some((1, "cannot delete function call")), Some((2, "cannot delete function call")), Some((2, "cannot delete function call")), Some((2, "cannot delete function call"))],
            ),
            (
                "del a + b\n",
                [Some((1, "cannot delete operator")), Some((1, "cannot delete operator")), Some((1, "cannot delete expression")), Some((1, "cannot delete expression"))],
            ),
            (
                "del a < b\n",
                [Some((1, "invalid syntax")), Some((1, "cannot delete comparison")), Some((1, "cannot delete comparison")), Some((1, "cannot delete comparison"))],
            ),
            ("del (a < b)\n", [Some((1, "cannot delete comparison")); 4]),
            (
                "del (*a,)\n",
                [Some((1, "can't use starred expression here")), Some((1, "cannot delete starred")), Some((1, "cannot delete starred")), Some((1, "cannot delete starred"))],
            ),
            ("del (a), [b, c], d.e, f[0]\n", [None; 4]),
            (
                "with a as \\\n   f(): pass\n",
                [Some((1, "cannot assign to function call")), Some((2, "cannot assign to function call")), Some((2, "cannot assign to function call")), Some((2, "cannot assign to function call"))],
            ),
            ("with a as (b, *c): pass\n", [None; 4]),
            (
                "with a as *b: pass\n",
                [Some((1, "invalid syntax")), Some((1, "starred assignment target must be in a list or tuple")), Some((1, "starred assignment target must be in a list or tuple")), Some((1, "starred assignment target must be in a list or tuple"))],
            ),
            (
                "a, b += 1\n",
                [Some((1, "illegal expression for augmented assignment")), Some((1, "'tuple' is an illegal expression for augmented assignment")), Some((1, "'tuple' is an illegal expression for augmented assignment")), Some((1, "'tuple' is an illegal expression for augmented assignment"))],
            ),
            ("(a) += 1\n(b): int\n", [None; 4]),
            ("[a]: int\n", [Some((1, "only single target (not list) can be annotated")); 4]),
            ("x = *a\n", [Some((1, "can't use starred expression here")); 4]),
            ("x = *f()\n", [Some((1, "can't use starred expression here")); 4]),
            ("def f():\n    return *a, b\n", [None; 4]),
            ("*a = *b\n", [Some((1, "can't use starred expression here")); 4]),
            ("for *a in b: pass\n", [Some((1, "starred assignment target must be in a list or tuple")); 4]),
            (
                "a, (*b, *c) = d\n",
                [Some((1, "two starred expressions in assignment")), Some((1, "multiple starred expressions in assignment")), Some((1, "multiple starred expressions in assignment")), Some((1, "multiple starred expressions in assignment"))],
            ),
            ("for x in *a, b: pass\n", [Some((1, "invalid syntax")), None, None, None]),
            (
                "(*a)\n",
                [Some((1, "can't use starred expression here")), Some((1, "can't use starred expression here")), Some((1, "cannot use starred expression here")), Some((1, "cannot use starred expression here"))],
            ),
            ("def f():\n    async for x in y: pass\n", [Some((2, "'async for' outside async function")); 4]),
            ("async def f():\n    async with a: pass\n", [None; 4]),
            (
                "return 1\nf(a=1, a=2)\n",
                [Some((2, "keyword argument repeated")), Some((1, "'return' outside function")), Some((1, "'return' outside function")), Some((1, "'return' outside function"))],
            ),
            (
                "f(a=1,\n  a=2)\n",
                [Some((2, "keyword argument repeated")), Some((1, "keyword argument repeated: a")), Some((2, "keyword argument repeated: a")), Some((2, "keyword argument repeated: a"))],
            ),
            (
                "def f(a,\n      __debug__): pass\n",
                [Some((2, "cannot assign to __debug__")), Some((1, "cannot assign to __debug__")), Some((1, "cannot assign to __debug__")), Some((2, "cannot assign to __debug__"))],
            ),
            ("x = __debug__\ndel a.__debug__\n", [None; 4]),
            ("a.__debug__ += 1\n", [Some((1, "cannot assign to __debug__")), None, None, None]),
            ("x = [[(i := 0) for j in z]\n  for i in y]\n", [Some((1, "assignment expression cannot rebind comprehension iteration variable 'i'")); 4]),
            ("x = [a for a in\n     (lambda: (y := 1))()]\n", [Some((2, "assignment expression cannot be used in a comprehension iterable expression")); 4]),
            ("class C:\n    x = [\n      (z := 1) for a in b]\n", [Some((3, "assignment expression within a comprehension cannot be used in a class body")); 4]),
            ("class C:\n    x = [lambda: (z := 1) for a in b]\ny = [a for a in b if (z := a)]\n", [None; 4]),
            (
                "def f():\n    return [\n        x async for x in y]\n",
                [Some((0, "asynchronous comprehension outside of an asynchronous function")), Some((0, "asynchronous comprehension outside of an asynchronous function")), Some((2, "asynchronous comprehension outside of an asynchronous function")), Some((2, "asynchronous comprehension outside of an asynchronous function"))],
            ),
            (
                "async def f():\n    return [[x async for x in y]\n            for z in w]\n",
                [Some((0, "asynchronous comprehension outside of an asynchronous function")), Some((0, "asynchronous comprehension outside of an asynchronous function")), Some((2, "asynchronous comprehension outside of an asynchronous function")), None],
            ),
            ("x = (y async for y in z)\nasync def f():\n    return [await x for x in y]\n", [None; 4]),
            ("x = *a\ny = [(i := 0) for i in b]\n", [Some((2, "assignment expression cannot rebind comprehension iteration variable 'i'")); 4]),
        ];
        for (source, expected) in cases {
            for (minor, expected) in [8, 9, 10, 13].into_iter().zip(expected) {
                let expected = expected.map(|(line, message)| (line, message.to_string()));
                assert_eq!(failure(source, minor), expected, "3.{minor}: {source:?}");
            }
        }
    }
}
