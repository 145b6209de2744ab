//! Builds a [`FileSummary`] from a tree-sitter parse tree.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Parser, Tree};

use super::condition::{CompareOp, Cond, EnvQuestion, EnvTest, Literal, NameTest, StrMethod, VersionPart};
use super::syntax::{
    any_within, dotted_text, first_parameter, kind, node_text, range, word_starts, Children, Field, Kind, Marks,
    Which,
};
use super::*;
use crate::analysis::text::{LineIndex, TextRange};

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

/// A parser for Python; the grammar is linked in, so this cannot fail at run time.
pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled tree-sitter-python grammar matches the tree-sitter runtime");
    parser
}

/// Parses `text` with the calling thread's parser.
pub fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|parser| parser.borrow_mut().parse(text, None))
}

/// Summarises a file's text. Never fails: unparseable regions are recorded as syntax errors and
/// the rest of the file is still summarised.
pub fn summarize(text: &str) -> FileSummary {
    match parse(text) {
        Some(tree) => summarize_tree(text, &tree),
        // tree-sitter gives up only on cancellation or a timeout, neither of which is set here;
        // an empty summary with an error over the whole file keeps the contract all the same.
        None => FileSummary {
            syntax_errors: vec![TextRange::new(0, text.len())],
            line_index: LineIndex::new(text),
            ..FileSummary::default()
        },
    }
}

/// Summarises a file from an existing parse tree (the language server keeps trees per document).
/// A tree with an error may be tree-sitter's mistake, which a second parse mends (see
/// `bracketed_lines`).
pub fn summarize_tree(text: &str, tree: &Tree) -> FileSummary {
    if tree.root_node().has_error() {
        if let Some(mended) = super::bracketed_lines::reparse(text) {
            return summarize_parsed(text, &mended);
        }
    }
    summarize_parsed(text, tree)
}

fn summarize_parsed(text: &str, tree: &Tree) -> FileSummary {
    let root = tree.root_node();
    let line_index = LineIndex::new(text);
    let kids = Children::new(root);
    let marks = Marks::scan(text);
    let imports = import_statements(root, &marks.imports, &kids);
    let mut suppressions = Vec::new();
    let mut styles = Vec::new();
    for comment in suppression_comments(root, &marks.suppressions) {
        let comment_text = node_text(comment, text);
        if let Some(codes) = Suppression::parse(comment_text) {
            suppressions.push(Suppression {
                line: line_index.line_number(comment.start_byte() as u32),
                range: range(comment),
                codes,
            });
            if let Some(style) = state::SuppressionStyle::of(comment_text) {
                styles.push(style);
            }
        }
    }
    let mut extractor = Extractor {
        text,
        repeated_keywords: Vec::new(),
        root,
        kids: &kids,
        event_marks: &marks.events,
        yield_marks: &marks.yields,
        first_params: Vec::new(),
        enclosing_parameters: Vec::new(),
        consumed: Vec::new(),
        loop_strings: HashMap::new(),
        aliases: Aliases::collect(&imports, text, &kids),
        summary: FileSummary { line_index, ..FileSummary::default() },
        ctx: Ctx::default(),
        future_annotations: false,
        assigning_bare_object: false,
        assigning: Bound::Unknown,
        named_conds: HashMap::new(),
        platform_names: HashMap::new(),
    };
    if root.has_error() {
        collect_syntax_errors(root, &mut extractor.summary.syntax_errors);
    }
    let collected = super::newer_syntax::collect(text, root, &kids, &marks.lambdas);
    let (mut newer_syntax, defaults) = (collected.newer, collected.defaults);
    newer_syntax.extend(super::lexical::collect(text, root, &kids, &marks));
    newer_syntax.extend(super::indentation::collect(text, root, &kids, &extractor.summary.line_index));
    extractor.summary.newer_syntax = newer_syntax;
    // tree-sitter-python reads a type parameter's default (3.13) as an error; it is newer syntax.
    extractor.summary.syntax_errors.retain(|error| !defaults.contains(error));
    let body = extractor.block(root);
    // The walk found the repeated keywords of the calls, which are the compiler's errors.
    let mut compiler = collected.compiler;
    compiler.append(&mut extractor.repeated_keywords);
    extractor.summary.compile_errors = super::compile_errors::collect(text, root, &kids, &marks, collected.symbol_table, compiler);
    let mut summary = extractor.summary;
    summary.body = body;
    // The tokens and the argument lists that the walk found join the statements' places, which
    // `compile_failure` reads in source order.
    summary.newer_syntax.sort_by_key(|newer| (newer.range.start, newer.range.end));
    summary.suppressions = suppressions;
    // The state facts read the imports that do not stand inside another import statement (which
    // only broken code has), as their own pass over the tree did.
    let outer_imports: Vec<Node> = imports.iter().filter(|(_, nested)| !nested).map(|(node, _)| *node).collect();
    summary.state = super::state::collect(text, root, &outer_imports, styles, marks.binders, marks.facts, &kids);
    summary.shrink_to_fit();
    summary
}

/// The expressions that answer one string on each interpreter and platform, which tests
/// compare with string literals.
#[derive(Clone, Copy)]
enum PlatformSubject {
    /// `sys.platform`, or a name or a lower-casing of it (see `Extractor::is_platform`).
    Platform,
    /// `os.name`.
    OsName,
    /// `platform.system()`.
    System,
    /// `sys.implementation.name`, or `platform.python_implementation()` (`platform_call`).
    Implementation { platform_call: bool },
}

impl PlatformSubject {
    /// `<subject> <op> "value"`.
    fn test(self, op: CompareOp, value: String) -> Cond {
        match self {
            PlatformSubject::Platform => Cond::Platform { op, value, prefix: false },
            PlatformSubject::OsName => Cond::OsName { op, value },
            PlatformSubject::System => Cond::System { op, value },
            PlatformSubject::Implementation { platform_call } => Cond::Implementation { op, value, platform_call },
        }
    }
}

/// `template` with each `placeholder` replaced by the next of `arguments`; `None` unless there
/// are exactly as many placeholders as arguments and no other `%` or `{` formatting.
fn fill_placeholders(template: &str, placeholder: &str, arguments: &[String]) -> Option<String> {
    let parts: Vec<&str> = template.split(placeholder).collect();
    if parts.len() != arguments.len() + 1 || parts.iter().any(|part| part.contains(['%', '{', '}'])) {
        return None;
    }
    let mut filled = parts[0].to_string();
    for (argument, part) in arguments.iter().zip(&parts[1..]) {
        filled.push_str(argument);
        filled.push_str(part);
    }
    Some(filled)
}

/// Whether a `return` stands in the block, or in the blocks of its `if` and `try` statements
/// (a nested function's returns are in that function's own body).
fn returns(block: &Block) -> bool {
    block.iter().any(|event| matches!(event, Event::Return { .. }) || event.branch_blocks().into_iter().any(returns))
}

/// The import statements of the file in source order, each with whether it stands inside another
/// import statement (only broken code has that).
///
/// Every import statement of a tree without errors has its `import` keyword, so it is the named
/// node around one of the places where `import` stands as a word (`words`, see
/// [`Marks::imports`]); looking those few places up costs much less than visiting the
/// statements. A broken tree can hold statements whose keyword the parser assumed, so its
/// statements are walked instead.
fn import_statements<'a>(root: Node<'a>, words: &[usize], kids: &Children<'a>) -> Vec<(Node<'a>, bool)> {
    if root.has_error() {
        return import_statements_walked(root, kids);
    }
    let mut found: Vec<(Node, bool)> = Vec::new();
    for &at in words {
        let Some(node) = root.named_descendant_for_byte_range(at, at + "import".len()) else { continue };
        if matches!(kind(node), Kind::ImportStatement | Kind::ImportFromStatement)
            && found.last().is_none_or(|(last, _)| *last != node)
        {
            found.push((node, false));
        }
    }
    found
}

/// [`import_statements`] for a broken tree: a walk that enters only the nodes that can hold
/// statements, and broken regions, which can hold anything (an expression that parsed cleanly
/// never holds a statement, and expressions are most of the tree).
fn import_statements_walked<'a>(root: Node<'a>, kids: &Children<'a>) -> Vec<(Node<'a>, bool)> {
    let mut found = Vec::new();
    let mut pending = vec![(root, false)];
    while let Some((node, nested)) = pending.pop() {
        let node_kind = kind(node);
        let is_import = matches!(node_kind, Kind::ImportStatement | Kind::ImportFromStatement);
        if is_import {
            found.push((node, nested));
        }
        if !node_kind.may_hold_statements() && !node.has_error() {
            continue;
        }
        // Reversed onto the stack, so that they come off it in source order.
        pending.extend(kids.iter(node, Which::Named).rev().map(|child| (child, nested || is_import)));
    }
    found
}

/// The comments that may be suppressions, in source order: those around the places where a
/// directive may start (see [`Marks::suppressions`]). Walking every node to find the comments cost
/// more than the rest of the summary.
fn suppression_comments<'a>(root: Node<'a>, marks: &[usize]) -> Vec<Node<'a>> {
    let mut found: Vec<Node> = Vec::new();
    for &mark in marks {
        let Some(node) = root.descendant_for_byte_range(mark, mark + 1) else { continue };
        if kind(node) == Kind::Comment && found.last().is_none_or(|last| last.start_byte() != node.start_byte()) {
            found.push(node);
        }
    }
    found
}

fn collect_syntax_errors(node: Node, out: &mut Vec<TextRange>) {
    const LIMIT: usize = 100;
    if out.len() >= LIMIT {
        return;
    }
    if node.is_missing() {
        out.push(TextRange::new(node.start_byte(), node.end_byte()));
        return;
    }
    if node.is_error() {
        // tree-sitter's recovery often wraps the statements that parsed before the error in the
        // ERROR node too, up to the whole module; CPython's parser went past them, so the error
        // starts at the first child that is no complete statement.
        let mut cursor = node.walk();
        let start = node
            .children(&mut cursor)
            .find(|child| !child.is_named() || child.has_error() || !is_complete_statement(kind(*child)))
            .map_or(node.start_byte(), |child| child.start_byte());
        out.push(TextRange::new(start, node.end_byte()));
        return;
    }
    if node.has_error() {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            collect_syntax_errors(child, out);
        }
    }
}

/// Whether a node of this kind is a whole statement (or a comment), which an ERROR node holds
/// when tree-sitter's recovery wrapped statements that parsed.
fn is_complete_statement(kind: Kind) -> bool {
    kind.may_hold_statements() && !matches!(kind, Kind::Module | Kind::Block)
        || matches!(
            kind,
            Kind::Comment
                | Kind::ExpressionStatement
                | Kind::ImportStatement
                | Kind::ImportFromStatement
                | Kind::FutureImportStatement
                | Kind::ReturnStatement
                | Kind::PassStatement
                | Kind::BreakStatement
                | Kind::ContinueStatement
                | Kind::RaiseStatement
                | Kind::DeleteStatement
                | Kind::GlobalStatement
                | Kind::NonlocalStatement
                | Kind::TypeAliasStatement
        )
}

/// Local names for the modules and objects whose use the summary must recognise.
#[derive(Default)]
struct Aliases {
    sys: HashSet<String>,
    sys_modules: HashSet<String>,
    version_info: HashSet<String>,
    platform: HashSet<String>,
    meta_path: HashSet<String>,
    os: HashSet<String>,
    /// Names of the `platform` module, and of its `system` function.
    platform_module: HashSet<String>,
    platform_system: HashSet<String>,
    /// `from platform import python_implementation`.
    python_implementation: HashSet<String>,
    /// `from sys import implementation`.
    sys_implementation: HashSet<String>,
    importlib: HashSet<String>,
    import_module: HashSet<String>,
    reload: HashSet<String>,
    type_checking: HashSet<String>,
    /// Names of the `builtins` module.
    builtins: HashSet<String>,
    /// `from os import environ` and `from os import getenv`.
    environ: HashSet<String>,
    getenv: HashSet<String>,
}

impl Aliases {
    fn collect<'a>(imports: &[(Node<'a>, bool)], text: &str, kids: &Children<'a>) -> Self {
        let mut aliases = Aliases::default();
        aliases.sys.insert("sys".into());
        aliases.os.insert("os".into());
        aliases.importlib.insert("importlib".into());
        aliases.type_checking.insert("TYPE_CHECKING".into());
        for &(node, _) in imports {
            match kind(node) {
                Kind::ImportStatement => {
                    for name in kids.iter(node, Which::InField(Field::Name)) {
                        if let Some((dotted, alias)) = dotted_and_alias(name, text, kids) {
                            let local = alias.unwrap_or_else(|| dotted.clone());
                            match dotted.as_str() {
                                "sys" => { aliases.sys.insert(local); }
                                "os" => { aliases.os.insert(local); }
                                "platform" => { aliases.platform_module.insert(local); }
                                "importlib" => { aliases.importlib.insert(local); }
                                "builtins" => { aliases.builtins.insert(local); }
                                _ => {}
                            }
                        }
                    }
                }
                Kind::ImportFromStatement => {
                    let module = kids.child(node, Field::ModuleName).map(|m| node_text(m, text));
                    for name in kids.iter(node, Which::InField(Field::Name)) {
                        if let Some((imported, alias)) = dotted_and_alias(name, text, kids) {
                            let local = alias.unwrap_or_else(|| imported.clone());
                            match (module, imported.as_str()) {
                                (Some("sys"), "modules") => { aliases.sys_modules.insert(local); }
                                (Some("sys"), "version_info") => { aliases.version_info.insert(local); }
                                (Some("sys"), "platform") => { aliases.platform.insert(local); }
                                (Some("sys"), "meta_path") => { aliases.meta_path.insert(local); }
                                (Some("platform"), "system") => { aliases.platform_system.insert(local); }
                                (Some("platform"), "python_implementation") => { aliases.python_implementation.insert(local); }
                                (Some("sys"), "implementation") => { aliases.sys_implementation.insert(local); }
                                (Some("importlib"), "import_module") => { aliases.import_module.insert(local); }
                                (Some("importlib"), "reload") => { aliases.reload.insert(local); }
                                (Some("os"), "environ") => { aliases.environ.insert(local); }
                                (Some("os"), "getenv") => { aliases.getenv.insert(local); }
                                (Some(_), "TYPE_CHECKING") => { aliases.type_checking.insert(local); }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        aliases
    }
}

/// `a.b` or `a.b as c` → ("a.b", Some("c")).
fn dotted_and_alias<'a>(node: Node<'a>, text: &str, kids: &Children<'a>) -> Option<(String, Option<String>)> {
    match kind(node) {
        Kind::DottedName => Some((dotted_text(node, text, kids), None)),
        Kind::AliasedImport => {
            let name = kids.child(node, Field::Name)?;
            let alias = kids.child(node, Field::Alias).map(|a| node_text(a, text).to_string());
            Some((dotted_text(name, text, kids), alias))
        }
        _ => None,
    }
}

/// What [`Extractor::environ_read`] found: which variable a call reads, what it gives when the
/// variable is not set, and the string methods applied to the result.
struct EnvRead {
    variable: String,
    default: Literal,
    methods: Vec<StrMethod>,
}

impl EnvRead {
    fn test(&self, question: EnvQuestion) -> Cond {
        Cond::Environ(Box::new(EnvTest {
            variable: self.variable.clone(),
            default: self.default.clone(),
            methods: self.methods.clone(),
            question,
        }))
    }
}

/// The parts of an attribute `object.attribute`, looked up once for the several questions that a
/// call asks of its callee (each look-up walks the node's children).
#[derive(Clone, Copy)]
struct AttrParts<'a> {
    object: Option<Node<'a>>,
    attribute: Option<Node<'a>>,
}

impl<'a> AttrParts<'a> {
    /// The parts of `node` when it is an attribute.
    fn of(kids: &Children<'a>, node: Node<'a>) -> Option<Self> {
        (kind(node) == Kind::Attribute)
            .then(|| AttrParts { object: kids.child(node, Field::Object), attribute: kids.child(node, Field::Attribute) })
    }
}

/// Where the walker stands; copied into each [`ImportContext`].
#[derive(Clone, Default)]
struct Ctx {
    in_function: Option<FuncId>,
    in_class: bool,
    /// In the body of a `for` or `while` loop, which may run no time or stop at a `break`.
    in_loop: bool,
    type_checking: bool,
    main_guard: bool,
    guarded_by_except: bool,
    in_import_fallback: bool,
    statically_false: bool,
    conditional: bool,
}

struct Extractor<'t, 'a> {
    text: &'t str,
    /// The compiler's errors of keyword arguments given twice, found by the walk.
    repeated_keywords: Vec<CompileError>,
    root: Node<'a>,
    kids: &'t Children<'a>,
    /// See [`Marks::events`].
    event_marks: &'t [usize],
    /// See [`Marks::yields`].
    yield_marks: &'t [usize],
    /// The name of each function's first parameter, by [`FuncId`], for [`Cond::Argument`].
    first_params: Vec<Option<String>>,
    /// The parameter lists of the functions that the walk is in, outermost first: a returned
    /// name that one of them has is not the module's name of that spelling.
    enclosing_parameters: Vec<Node<'a>>,
    /// The calls (by node id) whose result the expression around them iterates, awaits or
    /// passes on, until the walk reaches them (see [`Event::Call`]).
    consumed: Vec<usize>,
    /// The value of each loop variable while an unrolled loop's body is walked (see
    /// [`Extractor::unrolled_string_loop`]).
    loop_strings: HashMap<String, String>,
    aliases: Aliases,
    summary: FileSummary,
    ctx: Ctx,
    future_annotations: bool,
    /// The right-hand side of the assignment being read is a bare `object()`.
    assigning_bare_object: bool,
    /// What the identifiers among the targets being bound take (see [`Event::Bind`]).
    assigning: Bound,
    /// Module globals assigned, at module level, a condition that can be decided
    /// (`PY2 = sys.version_info[0] == 2`), with the assigned name's range, so that `if PY2:` at
    /// module level is decided too, unless some other place of the file may bind the name (see
    /// [`Extractor::only_read_elsewhere`], which also rules out a second assignment).
    named_conds: HashMap<String, (Cond, TextRange)>,
    /// Module globals assigned `sys.platform` (or `sys.platform.lower()`), with the range of
    /// the assigned name; like [`Extractor::named_conds`], a test of one stands for a test of
    /// `sys.platform` when the file only reads the name elsewhere.
    platform_names: HashMap<String, TextRange>,
}

impl<'t, 'a> Extractor<'t, 'a> {
    fn text(&self, node: Node) -> &'t str {
        node_text(node, self.text)
    }

    fn at_module_level(&self) -> bool {
        self.ctx.in_function.is_none() && !self.ctx.in_class
    }

    /// The statements of a `module` or `block` node.
    fn block(&mut self, node: Node<'a>) -> Block {
        let mut out = Vec::new();
        let kids = self.kids;
        for child in kids.iter(node, Which::Named) {
            self.stmt(child, &mut out);
        }
        out
    }

    /// The block of a compound statement's field, or nothing when the parse lost it.
    fn field_block(&mut self, node: Node<'a>, field: Field) -> Block {
        match self.kids.child(node, field) {
            Some(block) => self.block(block),
            None => Vec::new(),
        }
    }

    fn with_ctx<R>(&mut self, change: impl FnOnce(&mut Ctx), f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.ctx.clone();
        change(&mut self.ctx);
        let result = f(self);
        self.ctx = saved;
        result
    }

    fn stmt(&mut self, node: Node<'a>, out: &mut Block) {
        let kids = self.kids;
        match kind(node) {
            Kind::ImportStatement => self.import_statement(node, out),
            Kind::ImportFromStatement => self.import_from_statement(node, out),
            Kind::FutureImportStatement => {
                if self.text(node).contains("annotations") {
                    self.future_annotations = true;
                }
            }
            Kind::ExpressionStatement => {
                for child in kids.iter(node, Which::Named) {
                    match kind(child) {
                        Kind::Assignment => self.assignment(child, out),
                        Kind::AugmentedAssignment => self.augmented_assignment(child, out),
                        _ => self.expr(child, out),
                    }
                }
            }
            Kind::IfStatement => self.if_statement(node, out),
            Kind::WhileStatement => {
                let cond_node = self.kids.child(node, Field::Condition);
                if let Some(c) = cond_node {
                    self.expr(c, out);
                }
                let cond = cond_node.map(|c| self.cond(c)).unwrap_or(Cond::Unknown);
                let body = self.with_ctx(|ctx| ctx.in_loop = true, |this| this.branch_block(&cond, node, Field::Body));
                let orelse = self.kids.child(node, Field::Alternative).map(|e| self.field_block(e, Field::Body));
                out.push(Event::If { branches: vec![Branch { cond, body, raises: false }], orelse: None });
                if let Some(orelse) = orelse {
                    out.extend(orelse);
                }
            }
            Kind::ForStatement if self.unrolled_string_loop(node, out) => {}
            Kind::ForStatement => {
                let right = self.kids.child(node, Field::Right);
                if let Some(right) = right {
                    self.consume(right);
                    self.expr(right, out);
                }
                if let Some(left) = self.kids.child(node, Field::Left) {
                    self.target(left, out);
                }
                let body = self.with_ctx(|ctx| ctx.in_loop = true, |this| this.field_block(node, Field::Body));
                // `for i in range(2):` runs its body twice, and the second time can differ (the
                // first may have replaced a module in sys.modules); later runs repeat the second.
                let repeats = right.and_then(|r| self.range_length(r)).unwrap_or(1);
                if repeats >= 2 {
                    out.extend(body.iter().cloned());
                }
                out.extend(body);
                if let Some(orelse) = self.kids.child(node, Field::Alternative) {
                    out.extend(self.field_block(orelse, Field::Body));
                }
            }
            Kind::WithStatement => {
                // `with suppress(ImportError):` catches what it names in the rest of the
                // statement, as a `try` with an empty handler does; each such item opens a level.
                let mut levels: Vec<(Block, Catch)> = Vec::new();
                for clause in kids.iter(node, Which::Named) {
                    if kind(clause) != Kind::WithClause {
                        continue;
                    }
                    for item in kids.iter(clause, Which::Named) {
                        let target = match levels.last_mut() {
                            Some((block, _)) => block,
                            None => &mut *out,
                        };
                        let value = self.kids.child(item, Field::Value);
                        match value {
                            Some(value) => self.with_item_value(value, target),
                            None => self.expr(item, target),
                        }
                        if let Some(catch) = self.suppressed(value.unwrap_or(item)) {
                            levels.push((Vec::new(), catch));
                        }
                    }
                }
                let guards_imports = levels.iter().any(|(_, catch)| catch.catches("ImportError"));
                let body = self.with_ctx(
                    |ctx| ctx.guarded_by_except |= guards_imports,
                    |this| this.field_block(node, Field::Body),
                );
                match levels.last_mut() {
                    Some((block, _)) => block.extend(body),
                    None => out.extend(body),
                }
                while let Some((body, catches)) = levels.pop() {
                    let handlers = vec![Handler { catches, body: Vec::new() }];
                    let event = Event::Try(Box::new(TryEvent { body, handlers, orelse: Vec::new(), finally: Vec::new() }));
                    match levels.last_mut() {
                        Some((block, _)) => block.push(event),
                        None => out.push(event),
                    }
                }
            }
            Kind::TryStatement => self.try_statement(node, out),
            Kind::FunctionDefinition => self.function_definition(node, &[], out),
            Kind::ClassDefinition => self.class_definition(node, &[], out),
            Kind::DecoratedDefinition => {
                let decorators: Vec<Node> =
                    kids.iter(node, Which::Named).filter(|c| kind(*c) == Kind::Decorator).collect();
                for decorator in &decorators {
                    for e in kids.iter(*decorator, Which::Named) {
                        self.expr(e, out);
                    }
                }
                let applied: Vec<Node> = decorators.iter().rev().filter_map(|d| d.named_child(0)).collect();
                if let Some(def) = self.kids.child(node, Field::Definition) {
                    match kind(def) {
                        Kind::FunctionDefinition => self.function_definition(def, &applied, out),
                        Kind::ClassDefinition => self.class_definition(def, &applied, out),
                        _ => {}
                    }
                }
            }
            Kind::GlobalStatement => {
                if let Some(func) = self.ctx.in_function {
                    let names: Vec<String> = kids
                        .iter(node, Which::Named)
                        .filter(|c| kind(*c) == Kind::Identifier)
                        .map(|c| self.text(c).to_string())
                        .collect();
                    self.summary.functions[func as usize].globals.extend(names);
                }
            }
            Kind::DeleteStatement => {
                for target in kids.iter(node, Which::Named) {
                    self.delete_target(target, out);
                }
            }
            Kind::MatchStatement => {
                let subject = self.kids.child(node, Field::Subject);
                if let Some(subject) = subject {
                    self.expr(subject, out);
                }
                // A single subject (`match a, b:` is a tuple, whose cases stay undecided).
                let subject = subject.filter(|_| self.kids.iter(node, Which::InField(Field::Subject)).count() == 1);
                let mut branches = Vec::new();
                if let Some(body) = self.kids.child(node, Field::Body) {
                    for case in kids.iter(body, Which::Named) {
                        if kind(case) != Kind::CaseClause {
                            continue;
                        }
                        let cond = subject.map_or(Cond::Unknown, |subject| self.case_cond(subject, case));
                        branches.push(self.branch(cond, case));
                    }
                }
                out.push(Event::If { branches, orelse: None });
            }
            Kind::TypeAliasStatement => {
                if let Some(left) = self.kids.child(node, Field::Left) {
                    let name = self.text(left).split('[').next().unwrap_or("").trim().to_string();
                    if !name.is_empty() {
                        out.push(Event::Bind { name, range: range(left), value: Bound::Unknown });
                    }
                }
            }
            Kind::PassStatement | Kind::BreakStatement | Kind::ContinueStatement | Kind::Comment | Kind::NonlocalStatement => {}
            Kind::Error => {
                // Keep what can be read inside a broken region: statements and expressions alike.
                for child in kids.iter(node, Which::Named) {
                    self.stmt(child, out);
                }
            }
            Kind::ReturnStatement => {
                self.expr(node, out);
                if self.ctx.in_function.is_some() {
                    let value = self.returned_value(node, out);
                    out.push(Event::Return { certain: !self.ctx.in_loop, value });
                }
            }
            Kind::RaiseStatement => {
                self.expr(node, out);
                if !self.ctx.in_loop {
                    if let Some(raised) = self.raised(node) {
                        out.push(Event::Raise { raised: raised.map(Box::new), range: range(node) });
                    }
                }
            }
            // return, assert, print (Python 2) and anything else: their expressions run.
            _ => self.expr(node, out),
        }
    }

    /// What the summary knows of the value that a `return` statement returns, whose events are
    /// already in `out` (see [`Event::Return`]). A name counts only when no enclosing function
    /// has a parameter of that spelling, since the run binds no parameters and would read the
    /// module's name instead (the word anywhere in a parameter list, annotations and defaults
    /// included, is enough to leave it unknown).
    fn returned_value(&self, node: Node<'a>, out: &Block) -> Bound {
        let Some(value) = self.kids.iter(node, Which::NamedCode).next() else {
            return Bound::Literal(Literal::None);
        };
        if let Some(literal) = self.literal(value) {
            return Bound::Literal(literal);
        }
        if kind(value) == Kind::Call {
            let last_call = matches!(out.last(), Some(Event::Call { range: at, .. }) if *at == range(value));
            return if last_call { Bound::CallResult } else { Bound::Unknown };
        }
        if kind(value) == Kind::Identifier {
            let name = self.text(value);
            let shadowed = self.enclosing_parameters.iter().any(|parameters| {
                super::syntax::word_starts(self.text(*parameters).as_bytes(), name.as_bytes()).next().is_some()
            });
            return if shadowed { Bound::Unknown } else { Bound::Name(name.into()) };
        }
        let cond = self.cond(value);
        if cond.is_static() && cond.is_boolean_flag() {
            Bound::Flag(Box::new(cond))
        } else {
            Bound::Unknown
        }
    }

    /// What a `raise` statement raises: `Some(None)` for a bare `raise`, `None` when it is not
    /// a built-in exception class that the model follows (see [`exceptions::is_modelled`]).
    fn raised(&self, node: Node<'a>) -> Option<Option<Raised>> {
        let cause = self.kids.child(node, Field::Cause);
        let Some(exception) = self.kids.iter(node, Which::NamedCode).find(|c| Some(*c) != cause) else {
            return Some(None);
        };
        let (class, arguments) = match kind(exception) {
            Kind::Identifier => (exception, None),
            Kind::Call => (self.kids.child(exception, Field::Function)?, self.kids.child(exception, Field::Arguments)),
            _ => return None,
        };
        let class = match exceptions::canonical(self.text(class)) {
            Some(builtin) => RaisedClass::Builtin(Some(builtin).filter(|c| exceptions::is_modelled(c))?),
            None => RaisedClass::Named(self.callee(class)?),
        };
        let is_key_error = class == RaisedClass::Builtin("KeyError");
        let arguments: Vec<Node<'a>> = arguments.map(|a| self.kids.collect(a, Which::NamedCode)).unwrap_or_default();
        let message = match arguments.as_slice() {
            [] => String::new(),
            // `str(KeyError('k'))` is the repr of the key.
            [one] => match self.string_literal(*one) {
                Some(text) if is_key_error && !text.contains('\'') => format!("'{text}'"),
                Some(text) if !is_key_error && !text.contains('\\') => text,
                _ => self.text(*one).to_string(),
            },
            [first, .., last] => self.text[first.start_byte()..last.end_byte()].to_string(),
        };
        let first_param = self.ctx.in_function.and_then(|f| self.first_params.get(f as usize)?.as_deref());
        let message_is_argument = matches!(arguments.as_slice(), [one] if kind(*one) == Kind::Identifier && Some(self.text(*one)) == first_param);
        Some(Some(Raised { class, message, message_is_argument }))
    }

    fn with_item_value(&mut self, value: Node<'a>, out: &mut Block) {
        let kids = self.kids;
        if kind(value) == Kind::AsPattern {
            for child in kids.iter(value, Which::Named) {
                if kind(child) == Kind::AsPatternTarget {
                    for target in kids.iter(child, Which::Named) {
                        self.target(target, out);
                    }
                } else {
                    self.expr(child, out);
                }
            }
        } else {
            self.expr(value, out);
        }
    }

    fn branch_ctx(ctx: &mut Ctx, cond: &Cond) {
        if cond.mentions_type_checking() && cond.is_always_false() {
            ctx.type_checking = true;
        } else if cond.is_main_guard() {
            ctx.main_guard = true;
        } else if cond.is_always_false() {
            ctx.statically_false = true;
        } else {
            ctx.conditional = true;
        }
    }

    fn branch_block(&mut self, cond: &Cond, node: Node<'a>, field: Field) -> Block {
        self.with_ctx(|ctx| Self::branch_ctx(ctx, cond), |this| this.field_block(node, field))
    }

    /// A branch of an `if`, `elif` or `case`, with whether it is an error path (see
    /// [`Branch::raises`]).
    fn branch(&mut self, cond: Cond, node: Node<'a>) -> Branch {
        let body = self.branch_block(&cond, node, Field::Consequence);
        let last = self.kids.child(node, Field::Consequence).and_then(|block| self.kids.iter(block, Which::NamedCode).last());
        let raises = last.is_some_and(|statement| kind(statement) == Kind::RaiseStatement) && !returns(&body);
        Branch { cond, body, raises }
    }

    fn if_statement(&mut self, node: Node<'a>, out: &mut Block) {
        let Some(condition) = self.kids.child(node, Field::Condition) else {
            return;
        };
        self.expr(condition, out);
        let cond = self.cond(condition);
        if self.at_module_level() && cond.is_main_guard() && self.summary.main_guard.is_none() {
            self.summary.main_guard = Some(range(node));
        }
        let mut branches = vec![self.branch(cond.clone(), node)];
        let mut previous = vec![cond];
        let mut orelse = None;
        let kids = self.kids;
        for alt in kids.iter(node, Which::InField(Field::Alternative)) {
            match kind(alt) {
                Kind::ElifClause => {
                    let cond = self.kids.child(alt, Field::Condition).map(|c| self.cond(c)).unwrap_or(Cond::Unknown);
                    previous.push(cond.clone());
                    branches.push(self.branch(cond, alt));
                }
                Kind::ElseClause => {
                    // The else branch runs when every earlier condition is false.
                    let negated = Cond::And(previous.iter().map(|c| Cond::Not(Box::new(c.clone()))).collect());
                    let body = self.with_ctx(
                        |ctx| {
                            if previous.len() == 1 && previous[0].mentions_type_checking() {
                                // `else:` of `if TYPE_CHECKING:` runs at run time, unconditionally.
                            } else if negated.is_always_false() {
                                ctx.statically_false = true;
                            } else {
                                ctx.conditional = true;
                            }
                        },
                        |this| this.field_block(alt, Field::Body),
                    );
                    orelse = Some(body);
                }
                _ => {}
            }
        }
        out.push(Event::If { branches, orelse });
    }

    fn try_statement(&mut self, node: Node<'a>, out: &mut Block) {
        let mut handler_nodes = Vec::new();
        let mut else_node = None;
        let mut finally_node = None;
        let kids = self.kids;
        for clause in kids.iter(node, Which::Named) {
            match kind(clause) {
                Kind::ExceptClause | Kind::ExceptGroupClause => handler_nodes.push(clause),
                Kind::ElseClause => else_node = Some(clause),
                Kind::FinallyClause => finally_node = Some(clause),
                _ => {}
            }
        }
        let catches: Vec<Catch> = handler_nodes.iter().map(|h| self.catch(*h)).collect();
        let guards_imports = catches.iter().any(|c| c.catches("ImportError"));
        let body = self.with_ctx(
            |ctx| ctx.guarded_by_except |= guards_imports,
            |this| this.field_block(node, Field::Body),
        );
        let mut handlers = Vec::new();
        for (handler, catches) in handler_nodes.into_iter().zip(catches) {
            let fallback = catches.catches("ImportError");
            let mut body = Vec::new();
            let alias = self.kids.child(handler, Field::Alias).filter(|a| kind(*a) == Kind::Identifier);
            if let Some(alias) = alias {
                body.push(Event::Bind { name: self.text(alias).to_string(), range: range(alias), value: Bound::Unknown });
            }
            for block in kids.iter(handler, Which::Named) {
                if kind(block) != Kind::Block {
                    continue;
                }
                let events = self.with_ctx(
                    |ctx| {
                        ctx.in_import_fallback |= fallback;
                        ctx.conditional = true;
                    },
                    |this| this.block(block),
                );
                body.extend(events);
            }
            if let Some(alias) = alias {
                // Python deletes the exception name at the end of the handler.
                body.push(Event::Unbind { name: self.text(alias).to_string() });
            }
            handlers.push(Handler { catches, body });
        }
        let orelse = else_node.map(|e| self.field_block(e, Field::Body)).unwrap_or_default();
        let mut finally = Vec::new();
        if let Some(f) = finally_node {
            for block in kids.iter(f, Which::Named) {
                if kind(block) == Kind::Block {
                    finally.extend(self.block(block));
                }
            }
        }
        out.push(Event::Try(Box::new(TryEvent { body, handlers, orelse, finally })));
    }

    /// What an `except` clause's type expression catches.
    fn catch(&self, handler: Node<'a>) -> Catch {
        let value = self.kids.child(handler, Field::Value).or_else(|| {
            // Older grammars put the type as the first named child.
            self.kids.iter(handler, Which::Named).find(|c| kind(*c) != Kind::Block)
        });
        let Some(value) = value else {
            return Catch::All;
        };
        let mut names = Vec::new();
        self.exception_names(value, &mut names);
        if names.iter().any(|n| n == "BaseException") {
            Catch::All
        } else {
            Catch::Names(names)
        }
    }

    /// What a `with` item catches when it is `suppress(...)` or `contextlib.suppress(...)`.
    fn suppressed(&self, item: Node<'a>) -> Option<Catch> {
        if kind(item) != Kind::Call {
            return None;
        }
        let function = self.kids.child(item, Field::Function)?;
        if !matches!(self.text(function), "suppress" | "contextlib.suppress") {
            return None;
        }
        let mut names = Vec::new();
        for argument in self.kids.iter(self.kids.child(item, Field::Arguments)?, Which::NamedCode) {
            self.exception_names(argument, &mut names);
        }
        (!names.is_empty()).then_some(Catch::Names(names))
    }

    fn exception_names(&self, node: Node<'a>, out: &mut Vec<String>) {
        match kind(node) {
            Kind::Identifier => out.push(self.text(node).to_string()),
            Kind::Attribute => {
                if let Some(attr) = self.kids.child(node, Field::Attribute) {
                    out.push(self.text(attr).to_string());
                }
            }
            Kind::Tuple | Kind::ParenthesizedExpression | Kind::ExpressionList => {
                for child in self.kids.iter(node, Which::Named) {
                    self.exception_names(child, out);
                }
            }
            // `except ImportError as e` in grammars that wrap it in an as_pattern.
            Kind::AsPattern => {
                if let Some(first) = node.named_child(0) {
                    self.exception_names(first, out);
                }
            }
            _ => {}
        }
    }

    fn function_definition(&mut self, node: Node<'a>, decorators: &[Node<'a>], out: &mut Block) {
        let Some(name_node) = self.kids.child(node, Field::Name) else {
            return;
        };
        let name = self.text(name_node).to_string();
        // Default values (and, without `from __future__ import annotations`, annotations) are
        // evaluated when the `def` statement runs.
        if let Some(params) = self.kids.child(node, Field::Parameters) {
            let kids = self.kids;
            for param in kids.iter(params, Which::Named) {
                if let Some(value) = self.kids.child(param, Field::Value) {
                    self.expr(value, out);
                }
                if !self.future_annotations {
                    if let Some(annotation) = self.kids.child(param, Field::Type) {
                        self.expr(annotation, out);
                    }
                }
            }
        }
        if !self.future_annotations {
            if let Some(ret) = self.kids.child(node, Field::ReturnType) {
                self.expr(ret, out);
            }
        }
        let func = self.summary.functions.len() as FuncId;
        let first_param = first_parameter(node, self.kids).filter(|p| kind(*p) == Kind::Identifier);
        self.first_params.push(first_param.map(|p| self.text(p).to_string()));
        let lazy = node.child(0).is_some_and(|first| self.text(first) == "async") || self.is_generator(node);
        let receiver = self.receiver(&name, first_param, decorators);
        self.summary.functions.push(Function {
            name: name.clone(),
            body: Vec::new(),
            globals: Vec::new(),
            range: range(node),
            name_range: range(name_node),
            lazy,
            receiver,
        });
        let parameters = self.kids.child(node, Field::Parameters);
        self.enclosing_parameters.extend(parameters);
        let body = self.with_ctx(
            |ctx| {
                ctx.in_function = Some(func);
                ctx.in_class = false;
            },
            |this| this.field_block(node, Field::Body),
        );
        if parameters.is_some() {
            self.enclosing_parameters.pop();
        }
        self.summary.functions[func as usize].body = body;
        self.apply_decorators(decorators, out);
        out.push(Event::Def { name, func, range: range(name_node) });
    }

    fn class_definition(&mut self, node: Node<'a>, decorators: &[Node<'a>], out: &mut Block) {
        let Some(name_node) = self.kids.child(node, Field::Name) else {
            return;
        };
        let mut bases = Vec::new();
        if let Some(arguments) = self.kids.child(node, Field::Superclasses) {
            self.argument_list(arguments);
            self.expr(arguments, out);
            let kids = self.kids;
            for base in kids.iter(arguments, Which::NamedCode) {
                // `metaclass=M` and other keywords go to the metaclass; they are not bases.
                if kind(base) != Kind::KeywordArgument {
                    bases.push(self.callee(base));
                }
            }
        }
        let body = self.with_ctx(|ctx| ctx.in_class = true, |this| this.field_block(node, Field::Body));
        let name = self.text(name_node).to_string();
        let name_range = range(name_node);
        out.push(Event::Class(Box::new(ClassEvent { name: name.clone(), name_range, bases, body, range: range(node) })));
        self.apply_decorators(decorators, out);
        out.push(Event::Bind { name, range: name_range, value: Bound::Unknown });
    }

    /// What the first parameter of a function defined in a class body receives when the
    /// method is looked up on an instance or the class, as `type.__getattribute__` binds it.
    fn receiver(&self, name: &str, first_param: Option<Node<'a>>, decorators: &[Node<'a>]) -> Option<Receiver> {
        if !self.ctx.in_class {
            return None;
        }
        let param = self.text(first_param?).to_string();
        let decorated = |wanted: &str| decorators.iter().any(|d| self.text(*d) == wanted);
        if decorated("staticmethod") {
            return None;
        }
        // `__new__` is a static method that takes the class; the other two are class methods
        // without the decorator.
        if decorated("classmethod") || matches!(name, "__new__" | "__init_subclass__" | "__class_getitem__") {
            return Some(Receiver::Class(param));
        }
        Some(Receiver::Instance(param))
    }

    /// Whether a `yield` of the function's own (not of a function or lambda inside it) makes it
    /// a generator.
    fn is_generator(&self, function: Node<'a>) -> bool {
        let first = self.yield_marks.partition_point(|at| *at < function.start_byte());
        self.yield_marks[first..].iter().take_while(|at| **at < function.end_byte()).any(|&at| {
            // The word is the keyword when the tree has a `yield` token there (not a string, a
            // comment or a longer name).
            let Some(token) = self.root.descendant_for_byte_range(at, at + 5) else { return false };
            if kind(token) != Kind::Yield || token.is_named() {
                return false;
            }
            let mut scope = token.parent();
            while let Some(node) = scope {
                if matches!(kind(node), Kind::FunctionDefinition | Kind::Lambda) {
                    return node.id() == function.id();
                }
                scope = node.parent();
            }
            false
        })
    }

    /// A decorator that is a plain name or attribute is called with the new function or class.
    fn apply_decorators(&mut self, decorators: &[Node<'a>], out: &mut Block) {
        for decorator in decorators {
            if let Some(callee) = self.callee(*decorator) {
                out.push(Event::Call { callee, range: range(*decorator), consumed: true });
            }
        }
    }

    fn callee(&self, node: Node<'a>) -> Option<Callee> {
        match kind(node) {
            Kind::Identifier => Some(Callee::Name(self.text(node).to_string())),
            Kind::Attribute => self.attribute_callee(AttrParts::of(self.kids, node)?),
            _ => None,
        }
    }

    /// `base.attr` as a callee, when `base` is a name, and `super().attr`.
    fn attribute_callee(&self, parts: AttrParts<'a>) -> Option<Callee> {
        let object = parts.object?;
        let attr = self.text(parts.attribute?).to_string();
        match kind(object) {
            Kind::Identifier => Some(Callee::Attr { base: self.text(object).to_string(), attr }),
            Kind::Call if self.kids.child(object, Field::Function).is_some_and(|f| self.text(f) == "super") => {
                Some(Callee::Super { attr })
            }
            _ => None,
        }
    }

    fn assignment(&mut self, node: Node<'a>, out: &mut Block) {
        // `a = b = value`: the value is the innermost right-hand side; targets bind left to right.
        let mut targets = Vec::new();
        let mut current = node;
        let mut annotation = None;
        loop {
            if let Some(left) = self.kids.child(current, Field::Left) {
                targets.push(left);
            }
            if annotation.is_none() {
                annotation = self.kids.child(current, Field::Type);
            }
            match self.kids.child(current, Field::Right) {
                Some(right) if kind(right) == Kind::Assignment => current = right,
                Some(right) => {
                    if self.at_module_level() && targets.len() == 1 && self.text(targets[0]) == "__all__" {
                        self.record_all(right, false);
                    }
                    let flag = if self.at_module_level() { self.record_named_conds(&targets, right) } else { None };
                    // A call's fields are looked up once for the questions below and the walk.
                    let call = (kind(right) == Kind::Call)
                        .then(|| (self.kids.child(right, Field::Function), self.kids.child(right, Field::Arguments)));
                    // `m = importlib.import_module('m')`: the import binds the module to `m`.
                    if let Some((Some(function), Some(arguments))) = call {
                        if targets.len() == 1 && kind(targets[0]) == Kind::Identifier {
                            let bind = Some(self.text(targets[0]).to_string());
                            let parts = AttrParts::of(self.kids, function);
                            if let Some(kind) = self.dynamic_import(function, parts, arguments, bind) {
                                self.expr(arguments, out);
                                self.push_import(kind, right, out);
                                return;
                            }
                        }
                    }
                    // Unpacking (`a, b = f()`) binds parts of the value, not the value.
                    // `globals()["NAME"]` binds a name too.
                    let names_only =
                        targets.iter().all(|t| kind(*t) == Kind::Identifier || self.globals_key(*t).is_some());
                    match call {
                        Some((function, arguments)) => {
                            self.call(right, function, arguments, out);
                            let last = out.last().and_then(|event| match event {
                                Event::Call { range, .. } | Event::Reload { range, .. } => Some(*range),
                                _ => None,
                            });
                            if names_only && last == Some(range(right)) {
                                self.assigning = Bound::CallResult;
                            }
                        }
                        None => {
                            self.expr(right, out);
                            // A loop's body may run no time, so what it binds is not known after it.
                            if names_only && !self.ctx.in_loop {
                                if let Some(literal) = self.literal(right) {
                                    self.assigning = Bound::Literal(literal);
                                } else if kind(right) == Kind::Identifier {
                                    self.assigning = Bound::Name(self.text(right).into());
                                }
                            }
                        }
                    }
                    // A flag may be a call (`sys.platform.startswith("linux")`).
                    if let Some(flag) = flag.filter(|_| names_only && !self.ctx.in_loop) {
                        self.assigning = Bound::Flag(Box::new(flag));
                    }
                    self.assigning_bare_object = call.is_some_and(|(function, arguments)| {
                        function.is_some_and(|f| self.text(f) == "object")
                            && arguments.is_some_and(|a| a.named_child_count() == 0)
                    });
                    break;
                }
                None => {
                    // `x: int` without a value binds nothing (but a module-level annotation is
                    // still evaluated).
                    if let Some(annotation) = annotation {
                        if !self.future_annotations && self.ctx.in_function.is_none() {
                            self.expr(annotation, out);
                        }
                    }
                    return;
                }
            }
        }
        if let Some(annotation) = annotation {
            if !self.future_annotations && self.ctx.in_function.is_none() {
                self.expr(annotation, out);
            }
        }
        for target in targets {
            self.target(target, out);
        }
        self.assigning_bare_object = false;
        self.assigning = Bound::Unknown;
    }

    /// Keeps `NAME = <condition>` in [`Extractor::named_conds`] when the condition can be
    /// decided. Whether another assignment rebinds the name is asked where the name is read.
    /// Gives the condition back when the value it stands for is a `bool`, which the binding
    /// then carries to the modules that import the name (see [`Bound::Flag`]).
    fn record_named_conds(&mut self, targets: &[Node<'a>], value: Node<'a>) -> Option<Cond> {
        let [target] = targets else { return None };
        if kind(*target) != Kind::Identifier {
            return None;
        }
        if self.is_platform(value) {
            self.platform_names.entry(self.text(*target).to_string()).or_insert(range(*target));
            return None;
        }
        let cond = self.cond(value);
        if !cond.is_static() {
            return None;
        }
        let flag = cond.is_boolean_flag().then(|| cond.clone());
        self.named_conds.entry(self.text(*target).to_string()).or_insert((cond, range(*target)));
        flag
    }

    /// A `for` loop over literal strings whose body imports a module named after the loop
    /// variable (`for name in ["a", "b"]: importlib.import_module("plugins." + name)`), run as
    /// CPython runs it: the body once per string, in order, each time with the name's value
    /// known. Only plain bodies qualify (no definitions, import statements, `break`, `continue`,
    /// `return`, `yield` or nested loops), so that walking the body again adds nothing but
    /// events. Returns false, having done nothing, for any other loop.
    fn unrolled_string_loop(&mut self, node: Node<'a>, out: &mut Block) -> bool {
        const MOST: usize = 64;
        let (Some(left), Some(right), Some(body)) =
            (self.kids.child(node, Field::Left), self.kids.child(node, Field::Right), self.kids.child(node, Field::Body))
        else {
            return false;
        };
        if kind(left) != Kind::Identifier || self.kids.child(node, Field::Alternative).is_some() {
            return false;
        }
        let body_text = self.text(body);
        if !(body_text.contains("import_module") || body_text.contains("__import__")) || !self.plain_loop_body(body) {
            return false;
        }
        let values = match kind(right) {
            Kind::Identifier => self.module_string_list(self.text(right)),
            _ => self.ordered_strings(right),
        };
        let Some(values) = values.filter(|v| !v.is_empty() && v.len() <= MOST) else { return false };
        let name = self.text(left).to_string();
        self.consume(right);
        self.expr(right, out);
        for value in values {
            self.target(left, out);
            self.loop_strings.insert(name.clone(), value);
            let iteration = self.with_ctx(|ctx| ctx.in_loop = true, |this| this.field_block(node, Field::Body));
            out.extend(iteration);
        }
        self.loop_strings.remove(&name);
        true
    }

    /// Whether a loop body holds only statements that walking it again repeats as events.
    fn plain_loop_body(&self, node: Node<'a>) -> bool {
        self.kids.iter(node, Which::NamedCode).all(|child| match kind(child) {
            Kind::ExpressionStatement | Kind::PassStatement => {
                !self.text(child).contains("yield") && !self.text(child).contains("lambda")
            }
            Kind::Block
            | Kind::IfStatement
            | Kind::ElifClause
            | Kind::ElseClause
            | Kind::TryStatement
            | Kind::ExceptClause
            | Kind::FinallyClause
            | Kind::WithStatement => self.plain_loop_body(child),
            Kind::ImportStatement
            | Kind::ImportFromStatement
            | Kind::FutureImportStatement
            | Kind::ReturnStatement
            | Kind::BreakStatement
            | Kind::ContinueStatement
            | Kind::GlobalStatement
            | Kind::NonlocalStatement => false,
            // The parts of compound statements that are expressions (conditions, `with`
            // items, caught classes); any other statement that holds statements does not
            // qualify.
            kind => !kind.may_hold_binding_statements() && !self.text(child).contains("yield"),
        })
    }

    /// The strings of a tuple, list or set of string literals.
    fn literal_strings(&self, node: Node<'a>) -> Option<Vec<String>> {
        if !matches!(kind(node), Kind::Set | Kind::List | Kind::Tuple) {
            return None;
        }
        self.kids.iter(node, Which::NamedCode).map(|item| self.string_literal(item)).collect()
    }

    /// The strings of a list or tuple of string literals, in the order a loop visits them (a
    /// set of strings is visited in an order that changes from run to run).
    fn ordered_strings(&self, node: Node<'a>) -> Option<Vec<String>> {
        (kind(node) != Kind::Set).then(|| self.literal_strings(node)).flatten()
    }

    /// The strings of a module-level name assigned a list or tuple of string literals once and
    /// otherwise only iterated by `for` loops, so that nothing changes the list in between.
    fn module_string_list(&self, name: &str) -> Option<Vec<String>> {
        let mut found = None;
        for statement in self.kids.iter(self.root, Which::NamedCode) {
            let assignment = match kind(statement) {
                Kind::ExpressionStatement => self.kids.iter(statement, Which::NamedCode).next(),
                _ => None,
            };
            let Some(assignment) = assignment.filter(|a| kind(*a) == Kind::Assignment) else { continue };
            let Some(target) = self.kids.child(assignment, Field::Left) else { continue };
            if kind(target) == Kind::Identifier && self.text(target) == name {
                if found.is_some() {
                    return None;
                }
                found = Some((self.ordered_strings(self.kids.child(assignment, Field::Right)?)?, target));
            }
        }
        let (values, target) = found?;
        let only_iterated = self.every_other_use(name, target.start_byte(), |node| {
            node.parent().is_some_and(|parent| {
                matches!(kind(parent), Kind::ForStatement | Kind::ForInClause)
                    && self.kids.child(parent, Field::Right).is_some_and(|right| right.id() == node.id())
            })
        });
        only_iterated.then_some(values)
    }

    /// The value of a string expression built from literals and the loop variables of
    /// [`Extractor::unrolled_string_loop`]: a literal, a loop variable, `a + b`, `"p.%s" % name`,
    /// `"p.{}".format(name)` and f-strings whose fields are plain names.
    fn string_value(&self, node: Node<'a>) -> Option<String> {
        if let Some(value) = self.string_literal(node) {
            return Some(value);
        }
        if self.loop_strings.is_empty() {
            return None;
        }
        match kind(node) {
            Kind::Identifier => self.loop_strings.get(self.text(node)).cloned(),
            Kind::ParenthesizedExpression => self.string_value(self.kids.iter(node, Which::NamedCode).next()?),
            Kind::BinaryOperator => {
                let left = self.kids.child(node, Field::Left)?;
                let right = self.kids.child(node, Field::Right)?;
                match self.text(self.kids.child(node, Field::Operator)?) {
                    "+" => Some(self.string_value(left)? + &self.string_value(right)?),
                    "%" => {
                        let arguments: Vec<String> = match kind(right) {
                            Kind::Tuple => self.kids.iter(right, Which::NamedCode).map(|a| self.string_value(a)).collect::<Option<_>>()?,
                            _ => vec![self.string_value(right)?],
                        };
                        fill_placeholders(&self.string_literal(left)?, "%s", &arguments)
                    }
                    _ => None,
                }
            }
            Kind::Call => {
                let function = self.kids.child(node, Field::Function)?;
                let parts = AttrParts::of(self.kids, function)?;
                if self.text(parts.attribute?) != "format" {
                    return None;
                }
                let template = self.string_literal(parts.object?)?;
                let arguments = self.kids.child(node, Field::Arguments)?;
                let arguments: Vec<String> =
                    self.kids.iter(arguments, Which::NamedCode).map(|a| self.string_value(a)).collect::<Option<_>>()?;
                fill_placeholders(&template.replace("{{", "\u{0}").replace("}}", "\u{1}"), "{}", &arguments)
                    .map(|filled| filled.replace('\u{0}', "{").replace('\u{1}', "}"))
            }
            Kind::String => self.string_node(node, Some(&self.loop_strings)),
            _ => None,
        }
    }

    /// The value of one string literal: a plain one, or with `fields` (the value of each name
    /// a replacement field may hold) an f-string whose fields are such names; anything else
    /// (bytes, a template string, a field of another expression, a conversion or a format
    /// spec, escapes in an f-string) has no value here.
    fn string_node(&self, node: Node<'a>, fields: Option<&HashMap<String, String>>) -> Option<String> {
        let mut value = String::new();
        for child in self.kids.iter(node, Which::Named) {
            match kind(child) {
                Kind::StringStart => {
                    let prefix = self.text(child).to_ascii_lowercase();
                    let formatted = prefix.contains('f');
                    if formatted != fields.is_some()
                        || prefix.contains('b')
                        || prefix.contains('t')
                        || (formatted && prefix.contains('r'))
                    {
                        return None;
                    }
                }
                Kind::StringContent => {
                    let content = self.text(child);
                    if fields.is_some() && content.contains(['{', '}', '\\']) {
                        return None;
                    }
                    value.push_str(content);
                }
                Kind::StringEnd => {}
                Kind::Interpolation => {
                    let mut parts = self.kids.iter(child, Which::NamedCode);
                    let expression = parts.next()?;
                    if parts.next().is_some() || kind(expression) != Kind::Identifier {
                        return None;
                    }
                    value.push_str(fields?.get(self.text(expression))?);
                }
                _ => return None,
            }
        }
        Some(value)
    }

    /// Whether every other place where `name` stands as an identifier in the file reads it in
    /// a context that cannot rebind it (a condition, an operand, an argument). Anything else
    /// (a target, an import, a parameter, a `global` statement, a context this list does not
    /// name) may bind it, and the assignment at `at` is then not the value the name holds.
    /// Only names assigned a decidable condition or `sys.platform` get here, which few files
    /// have.
    fn only_read_elsewhere(&self, name: &str, at: TextRange) -> bool {
        self.every_other_use(name, at.start as usize, |node| {
            let Some(parent) = node.parent() else { return false };
            match kind(parent) {
                Kind::IfStatement
                | Kind::ElifClause
                | Kind::WhileStatement
                | Kind::NotOperator
                | Kind::BooleanOperator
                | Kind::ComparisonOperator
                | Kind::ConditionalExpression
                | Kind::ParenthesizedExpression
                | Kind::BinaryOperator
                | Kind::UnaryOperator
                | Kind::ArgumentList
                | Kind::Call
                | Kind::Attribute
                | Kind::Subscript => true,
                // The value of an assignment reads the name; its target binds it.
                Kind::Assignment => self.kids.child(parent, Field::Left).is_none_or(|left| left.id() != node.id()),
                _ => false,
            }
        })
    }

    /// Whether `accept` holds for every identifier `name` of the file but the one that starts at
    /// `at`. The word inside a string or a comment is no identifier and passes; a place the
    /// tree cannot find fails.
    fn every_other_use(&self, name: &str, at: usize, accept: impl Fn(Node<'a>) -> bool) -> bool {
        word_starts(self.text.as_bytes(), name.as_bytes()).filter(|&start| start != at).all(|start| {
            let Some(node) = self.root.descendant_for_byte_range(start, start + name.len()) else { return false };
            if kind(node) != Kind::Identifier {
                return matches!(kind(node), Kind::StringContent | Kind::String | Kind::Comment);
            }
            accept(node)
        })
    }

    fn augmented_assignment(&mut self, node: Node<'a>, out: &mut Block) {
        let left = self.kids.child(node, Field::Left);
        if let Some(right) = self.kids.child(node, Field::Right) {
            if self.at_module_level() && left.map(|l| self.text(l)) == Some("__all__") {
                self.record_all(right, true);
            }
            self.expr(right, out);
        }
        if let Some(left) = left {
            match kind(left) {
                Kind::Identifier => out.push(Event::Bind { name: self.text(left).to_string(), range: range(left), value: Bound::Unknown }),
                _ => self.target(left, out),
            }
        }
    }

    /// Reads a literal list or tuple of strings assigned (or added) to `__all__`.
    fn record_all(&mut self, value: Node<'a>, extend: bool) {
        let names = self.string_sequence(value);
        match names {
            Some(names) => {
                if extend {
                    match &mut self.summary.all {
                        Some(all) => all.extend(names),
                        None => self.summary.all_is_dynamic = true,
                    }
                } else {
                    self.summary.all = Some(names);
                }
            }
            None => self.summary.all_is_dynamic = true,
        }
    }

    /// `__all__.extend([...])` and `__all__.append('name')` add to a literal `__all__` (the
    /// standard library's `token` builds most of its `__all__` with `extend`); any other method
    /// that changes the list leaves it unknown. Only reading methods keep it as it is.
    fn record_all_method(&mut self, function: Option<AttrParts<'a>>, arguments: Node<'a>) {
        let Some(AttrParts { object: Some(object), attribute: Some(method) }) = function else {
            return;
        };
        if self.text(object) != "__all__" {
            return;
        }
        let mut args = self.kids.iter(arguments, Which::NamedCode);
        let (first, more) = (args.next(), args.next().is_some());
        match (self.text(method), first, more) {
            ("extend", Some(value), false) => self.record_all(value, true),
            ("append", Some(value), false) => match (self.string_literal(value), &mut self.summary.all) {
                (Some(name), Some(all)) => all.push(name),
                _ => self.summary.all_is_dynamic = true,
            },
            ("count" | "index" | "copy", _, _) => {}
            _ => self.summary.all_is_dynamic = true,
        }
    }

    fn string_sequence(&self, node: Node<'a>) -> Option<Vec<String>> {
        match kind(node) {
            Kind::List | Kind::Tuple | Kind::ParenthesizedExpression | Kind::ExpressionList => {
                let mut names = Vec::new();
                for child in self.kids.iter(node, Which::NamedCode) {
                    names.push(self.string_literal(child)?);
                }
                Some(names)
            }
            Kind::BinaryOperator => {
                let mut left = self.string_sequence(self.kids.child(node, Field::Left)?)?;
                left.extend(self.string_sequence(self.kids.child(node, Field::Right)?)?);
                Some(left)
            }
            _ => None,
        }
    }

    /// `None`, `True`, `False`, a decimal or hexadecimal integer, or a string without escapes.
    fn literal(&self, node: Node<'a>) -> Option<Literal> {
        match kind(node) {
            Kind::NoneLiteral => Some(Literal::None),
            Kind::TrueLiteral => Some(Literal::Bool(true)),
            Kind::FalseLiteral => Some(Literal::Bool(false)),
            Kind::Integer => {
                let digits = self.text(node).replace('_', "");
                let value = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
                    Some(hex) => i64::from_str_radix(hex, 16).ok()?,
                    None => digits.parse().ok()?,
                };
                Some(Literal::Int(value))
            }
            Kind::String | Kind::ConcatenatedString => {
                let value = self.string_literal(node).filter(|v| !v.contains('\\'))?;
                Some(Literal::Str(value.into()))
            }
            _ => None,
        }
    }

    /// The value of a plain string literal (no f-string, no escapes that change the text).
    fn string_literal(&self, node: Node<'a>) -> Option<String> {
        match kind(node) {
            Kind::ConcatenatedString => {
                let mut value = String::new();
                for part in self.kids.iter(node, Which::Named) {
                    value.push_str(&self.string_literal(part)?);
                }
                Some(value)
            }
            Kind::String => self.string_node(node, None),
            _ => None,
        }
    }

    /// An assignment target: binds names, or writes an attribute or item.
    fn target(&mut self, node: Node<'a>, out: &mut Block) {
        match kind(node) {
            Kind::Identifier => out.push(Event::Bind {
                name: self.text(node).to_string(),
                range: range(node),
                value: self.assigning.clone(),
            }),
            Kind::PatternList
            | Kind::TuplePattern
            | Kind::ListPattern
            | Kind::ListSplatPattern
            | Kind::Tuple
            | Kind::List
            | Kind::ParenthesizedExpression
            | Kind::ExpressionList
            | Kind::ListSplat => {
                let kids = self.kids;
                for child in kids.iter(node, Which::Named) {
                    self.target(child, out);
                }
            }
            Kind::Attribute => {
                let (Some(object), Some(attr)) = (self.kids.child(node, Field::Object), self.kids.child(node, Field::Attribute)) else {
                    return;
                };
                if kind(object) == Kind::Identifier {
                    out.push(Event::SetAttr {
                        base: self.text(object).to_string(),
                        attr: self.text(attr).to_string(),
                        range: range(node),
                    });
                } else {
                    self.expr(object, out);
                }
            }
            Kind::Subscript => {
                if let Some(name) = self.sys_modules_key(node) {
                    out.push(Event::SysModulesSet { name, range: range(node), bare: self.assigning_bare_object });
                    return;
                }
                let globals_write = self.at_module_level() && self.is_globals_call(self.kids.child(node, Field::Value));
                // `globals()["NAME"] = value` binds NAME (also with a key folded from literals,
                // see `folded_string`); a key built at run time may bind any name.
                let key = self.globals_key(node).filter(|_| globals_write);
                if globals_write && key.is_none() {
                    self.summary.dynamic_namespace = true;
                }
                self.expr(node, out);
                if globals_write {
                    out.push(match key {
                        Some((key, name)) => {
                            // The name is bound again, which the search for other uses of it in
                            // `only_read_elsewhere` cannot see (the key may not even spell it:
                            // `'kcah_acitats'[::-1].upper()`): from here on its tests read the
                            // value the run binds.
                            self.named_conds.remove(&name);
                            self.platform_names.remove(&name);
                            // The events of `globals()` itself stand between the value's call and
                            // this binding, so a call's result is not known here.
                            let value = match &self.assigning {
                                Bound::CallResult => Bound::Unknown,
                                known => known.clone(),
                            };
                            Event::Bind { name, range: range(key), value }
                        }
                        None => Event::ForgetLiterals,
                    });
                }
            }
            _ => self.expr(node, out),
        }
    }

    fn delete_target(&mut self, node: Node<'a>, out: &mut Block) {
        match kind(node) {
            Kind::Identifier => out.push(Event::Unbind { name: self.text(node).to_string() }),
            Kind::ExpressionList | Kind::Tuple | Kind::ParenthesizedExpression | Kind::List => {
                let kids = self.kids;
                for child in kids.iter(node, Which::Named) {
                    self.delete_target(child, out);
                }
            }
            Kind::Subscript => match self.sys_modules_key(node) {
                Some(name) => out.push(Event::SysModulesDel { name, range: range(node) }),
                None => self.expr(node, out),
            },
            _ => self.expr(node, out),
        }
    }

    /// The key node and the name of `globals()["NAME"]`; `None` for any other subscript.
    fn globals_key(&self, subscript: Node<'a>) -> Option<(Node<'a>, String)> {
        if kind(subscript) != Kind::Subscript || !self.is_globals_call(self.kids.child(subscript, Field::Value)) {
            return None;
        }
        let key = self.kids.child(subscript, Field::Subscript)?;
        Some((key, self.folded_string(key)?))
    }

    /// The value of a string expression built from literals alone: a literal, `+` of such
    /// expressions, the reversal `[::-1]`, and `.upper()` or `.lower()` without arguments. This is
    /// how kombu, celery and billiard hide a flag from static analysers
    /// (`globals()['kcah_acitats'[::-1].upper()] = False`), and the run sets it all the same.
    fn folded_string(&self, node: Node<'a>) -> Option<String> {
        match kind(node) {
            Kind::String | Kind::ConcatenatedString => self.string_literal(node),
            Kind::ParenthesizedExpression => self.folded_string(self.kids.iter(node, Which::NamedCode).next()?),
            Kind::BinaryOperator => {
                if self.text(self.kids.child(node, Field::Operator)?) != "+" {
                    return None;
                }
                let left = self.folded_string(self.kids.child(node, Field::Left)?)?;
                Some(left + &self.folded_string(self.kids.child(node, Field::Right)?)?)
            }
            Kind::Subscript => {
                let slice = self.kids.child(node, Field::Subscript)?;
                let reversal = kind(slice) == Kind::Slice && self.text(slice).split_whitespace().collect::<String>() == "::-1";
                let value = self.folded_string(self.kids.child(node, Field::Value)?)?;
                reversal.then(|| value.chars().rev().collect())
            }
            Kind::Call => {
                let parts = AttrParts::of(self.kids, self.kids.child(node, Field::Function)?)?;
                if !self.has_no_arguments(node) {
                    return None;
                }
                let value = self.folded_string(parts.object?)?;
                match self.text(parts.attribute?) {
                    "upper" => Some(value.to_uppercase()),
                    "lower" => Some(value.to_lowercase()),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn is_globals_call(&self, node: Option<Node<'a>>) -> bool {
        node.is_some_and(|n| {
            kind(n) == Kind::Call && self.kids.child(n, Field::Function).is_some_and(|f| self.text(f) == "globals")
        })
    }

    /// Whether `node` is `sys.modules` (or a local alias of it).
    fn is_sys_modules(&self, node: Node<'a>) -> bool {
        match kind(node) {
            Kind::Identifier => self.aliases.sys_modules.contains(self.text(node)),
            Kind::Attribute => self.is_sys_attribute(node, "modules"),
            _ => false,
        }
    }

    /// `sys.modules['name']` → `name`.
    fn sys_modules_key(&self, subscript: Node<'a>) -> Option<String> {
        let value = self.kids.child(subscript, Field::Value)?;
        if !self.is_sys_modules(value) {
            return None;
        }
        let key = self.kids.child(subscript, Field::Subscript)?;
        self.string_literal(key)
    }

    /// The events of evaluating an expression, in evaluation order.
    fn expr(&mut self, node: Node<'a>, out: &mut Block) {
        match kind(node) {
            Kind::Identifier
            | Kind::String
            | Kind::Integer
            | Kind::Float
            | Kind::TrueLiteral
            | Kind::FalseLiteral
            | Kind::NoneLiteral
            | Kind::Comment
            | Kind::Ellipsis => {}
            Kind::Lambda => {
                // Only the defaults of a lambda run when it is created.
                if let Some(params) = self.kids.child(node, Field::Parameters) {
                    self.expr(params, out);
                }
            }
            Kind::Call => self.call(node, self.kids.child(node, Field::Function), self.kids.child(node, Field::Arguments), out),
            Kind::Attribute => {
                if let Some(parts) = AttrParts::of(self.kids, node) {
                    self.attribute(node, parts, out);
                }
            }
            Kind::NamedExpression => {
                if let Some(value) = self.kids.child(node, Field::Value) {
                    self.expr(value, out);
                }
                if let Some(name) = self.kids.child(node, Field::Name) {
                    out.push(Event::Bind { name: self.text(name).to_string(), range: range(name), value: Bound::Unknown });
                }
            }
            Kind::ForInClause => {
                // The loop variable lives in the comprehension's own scope; the iterable runs.
                if let Some(right) = self.kids.child(node, Field::Right) {
                    self.consume(right);
                    self.expr(right, out);
                }
            }
            Kind::Await => {
                let kids = self.kids;
                for child in kids.iter(node, Which::NamedCode) {
                    self.consume(child);
                    self.expr(child, out);
                }
            }
            Kind::KeywordArgument => {
                if let Some(value) = self.kids.child(node, Field::Value) {
                    self.expr(value, out);
                }
            }
            // Events come from calls, attributes and walruses, each with its token: an
            // expression whose text holds none of them is passed over.
            _ if !node.has_error() && !any_within(self.event_marks, node) => {}
            _ => {
                let kids = self.kids;
                for child in kids.iter(node, Which::Named) {
                    self.expr(child, out);
                }
            }
        }
    }

    /// Records an argument list that CPython refuses (see `parameters::argument_list_errors`).
    /// The walk may read a call more than once; the summary keeps one record of it.
    fn argument_list(&mut self, arguments: Node<'a>) {
        for (found, error) in super::parameters::argument_list_errors(arguments, self.text, self.kids) {
            if !self.summary.newer_syntax.contains(&found) {
                self.summary.newer_syntax.push(found);
                self.repeated_keywords.extend(error);
            }
        }
    }

    /// How many numbers `range(n)` or `range(a, b)` with integer literals yields.
    fn range_length(&self, node: Node<'a>) -> Option<i64> {
        if kind(node) != Kind::Call || self.kids.child(node, Field::Function).map(|f| self.text(f)) != Some("range") {
            return None;
        }
        let arguments = self.kids.collect(self.kids.child(node, Field::Arguments)?, Which::NamedCode);
        let number = |n: &Node<'a>| (kind(*n) == Kind::Integer).then(|| self.text(*n).replace('_', "").parse::<i64>().ok()).flatten();
        match arguments.as_slice() {
            [stop] => number(stop),
            [start, stop] => Some(number(stop)? - number(start)?),
            _ => None,
        }
    }

    /// Notes that the value of `node`, when it is a call, is iterated, awaited or passed on.
    fn consume(&mut self, node: Node<'a>) {
        if kind(node) == Kind::Call {
            self.consumed.push(node.id());
        }
    }

    /// The read of an attribute chain `base.a.b`, whose outermost parts the caller looked up.
    fn attribute(&mut self, node: Node<'a>, parts: AttrParts<'a>, out: &mut Block) {
        let (current, chain) = self.attribute_chain(node, Some(parts));
        if kind(current) == Kind::Identifier && !chain.is_empty() {
            out.push(Event::Attr { base: self.text(current).to_string(), attrs: chain, range: range(node) });
        } else {
            self.expr(current, out);
        }
    }

    /// `base.a.b` as its innermost node and the names of the attributes read from it, in order.
    /// The innermost node is a name only when the chain is whole. `known` are the parts of
    /// `node` when the caller looked them up already.
    fn attribute_chain(&self, node: Node<'a>, mut known: Option<AttrParts<'a>>) -> (Node<'a>, Vec<String>) {
        let mut chain = Vec::new();
        let mut current = node;
        while kind(current) == Kind::Attribute {
            let Some(parts) = known.take().or_else(|| AttrParts::of(self.kids, current)) else { break };
            match parts.attribute {
                Some(attr) => chain.push(self.text(attr).to_string()),
                None => break,
            }
            match parts.object {
                Some(object) => current = object,
                None => break,
            }
        }
        chain.reverse();
        (current, chain)
    }

    /// A call whose `function` and `arguments` fields the caller looked up.
    fn call(&mut self, node: Node<'a>, function: Option<Node<'a>>, arguments: Option<Node<'a>>, out: &mut Block) {
        if let Some(arguments) = arguments.filter(|a| kind(*a) == Kind::ArgumentList) {
            self.argument_list(arguments);
        }
        let parts = function.and_then(|f| AttrParts::of(self.kids, f));
        if let (Some(function), Some(arguments)) = (function, arguments) {
            if let Some(kind) = self.dynamic_import(function, parts, arguments, None) {
                self.expr(arguments, out);
                self.push_import(kind, node, out);
                return;
            }
            if let Some(event) = self.reload(node, function, parts, arguments) {
                out.push(event);
                return;
            }
            if self.is_sys_modules_pop(parts) {
                if let Some(name) = arguments.named_child(0).and_then(|a| self.string_literal(a)) {
                    out.push(Event::SysModulesDel { name, range: range(node) });
                    return;
                }
            }
            if self.at_module_level() {
                self.record_all_method(parts, arguments);
                let callee_text = self.text(function);
                if callee_text == "exec"
                    || (callee_text.ends_with(".update") && self.is_globals_call(parts.and_then(|p| p.object)))
                {
                    // No literal is forgotten here: `globals().update(Enum.__members__)` adds
                    // names (psutil), and `exec` defines functions (six), far more often than
                    // either rebinds a flag.
                    self.summary.dynamic_namespace = true;
                }
            }
        }
        if let Some(function) = function {
            match parts {
                Some(parts) => self.attribute(function, parts, out),
                None => self.expr(function, out),
            }
        }
        // `f().attr(...)`: the event of `f()` is the last one when the arguments add none, and
        // the simulator then still holds its result.
        let object_call = parts.and_then(|p| p.object).filter(|o| kind(*o) == Kind::Call);
        let mut result_callee =
            object_call.is_some_and(|o| matches!(out.last(), Some(Event::Call { range: at, .. }) if *at == range(o)));
        let events = out.len();
        if let Some(arguments) = arguments {
            let kids = self.kids;
            for argument in kids.iter(arguments, Which::NamedCode) {
                self.consume(argument);
            }
            self.expr(arguments, out);
        }
        result_callee &= out.len() == events;
        let callee = match (function, parts) {
            (_, Some(parts)) => self.attribute_callee(parts).or_else(|| {
                let attr = parts.attribute.filter(|_| result_callee)?;
                Some(Callee::Result { attr: self.text(attr).to_string() })
            }),
            (Some(function), None) => self.callee(function),
            (None, None) => None,
        };
        let consumed = match self.consumed.iter().rposition(|id| *id == node.id()) {
            Some(at) => {
                self.consumed.swap_remove(at);
                true
            }
            None => false,
        };
        // `meta_path.insert(…)` through a name bound by `from sys import meta_path` looks like
        // a method call of a name, so the finder is asked about first.
        if self.is_meta_path_change(parts) {
            out.push(Event::MetaPathFinder);
        } else if let Some(callee) = callee {
            out.push(Event::Call { callee, range: range(node), consumed });
        }
    }

    /// `sys.meta_path.append(…)`, `.insert(…)` or `.extend(…)`.
    fn is_meta_path_change(&self, parts: Option<AttrParts<'a>>) -> bool {
        let Some(parts) = parts else { return false };
        parts.attribute.is_some_and(|a| matches!(self.text(a), "append" | "insert" | "extend"))
            && parts.object.is_some_and(|list| {
                self.is_sys_attribute(list, "meta_path")
                    || (kind(list) == Kind::Identifier && self.aliases.meta_path.contains(self.text(list)))
            })
    }

    /// `sys.<attr>`, through any name the file binds to the `sys` module.
    fn is_sys_attribute(&self, node: Node<'a>, attr: &str) -> bool {
        AttrParts::of(self.kids, node).is_some_and(|parts| self.is_module_attribute(parts, &self.aliases.sys, attr))
    }

    /// `<module>.<attr>`, where the object is one of the names that the file binds to the
    /// module (`names`, one of the sets of [`Aliases`]).
    fn is_module_attribute(&self, parts: AttrParts<'a>, names: &HashSet<String>, attr: &str) -> bool {
        parts.attribute.is_some_and(|a| self.text(a) == attr)
            && parts.object.is_some_and(|o| kind(o) == Kind::Identifier && names.contains(self.text(o)))
    }

    /// Whether a call passes no arguments (comments aside).
    fn has_no_arguments(&self, call: Node<'a>) -> bool {
        self.kids.child(call, Field::Arguments).is_some_and(|arguments| self.kids.iter(arguments, Which::NamedCode).next().is_none())
    }

    /// `importlib.reload(m)` or `reload(m)` imported from `importlib`, when `m` is a name or a
    /// chain of attributes of one (see [`Event::Reload`]).
    fn reload(&self, call: Node<'a>, function: Node<'a>, parts: Option<AttrParts<'a>>, arguments: Node<'a>) -> Option<Event> {
        let is_reload = match parts {
            None => kind(function) == Kind::Identifier && self.aliases.reload.contains(self.text(function)),
            Some(parts) => self.is_module_attribute(parts, &self.aliases.importlib, "reload"),
        };
        if !is_reload {
            return None;
        }
        let [argument] = self.kids.collect(arguments, Which::NamedCode)[..] else { return None };
        let (base, attrs) = self.attribute_chain(argument, None);
        (kind(base) == Kind::Identifier).then(|| Event::Reload { base: self.text(base).to_string(), attrs, range: range(call) })
    }

    fn is_sys_modules_pop(&self, function: Option<AttrParts<'a>>) -> bool {
        function.is_some_and(|parts| {
            parts.attribute.is_some_and(|a| self.text(a) == "pop") && parts.object.is_some_and(|o| self.is_sys_modules(o))
        })
    }

    /// `importlib.import_module('x'[, 'pkg'])`, `import_module(...)` or `__import__('x')`, with
    /// `bind` the name its result is assigned to.
    fn dynamic_import(
        &self,
        function: Node<'a>,
        parts: Option<AttrParts<'a>>,
        arguments: Node<'a>,
        bind: Option<String>,
    ) -> Option<ImportKind> {
        let is_import_module = match kind(function) {
            Kind::Identifier => {
                let name = self.text(function);
                if name == "__import__" {
                    let module = self.string_value(self.kids.iter(arguments, Which::NamedCode).next()?)?;
                    // `__import__('a', ..., fromlist, level)` with a level is rare; only the
                    // plain absolute form is read.
                    return (!module.is_empty()).then_some(ImportKind::Dynamic {
                        module,
                        package: None,
                        bind,
                        returns_top_level: true,
                    });
                }
                self.aliases.import_module.contains(name)
            }
            Kind::Attribute => {
                let object = parts?.object?;
                let attr = parts?.attribute?;
                kind(object) == Kind::Identifier
                    && self.aliases.importlib.contains(self.text(object))
                    && self.text(attr) == "import_module"
            }
            _ => false,
        };
        if !is_import_module {
            return None;
        }
        let args = self.kids.collect(arguments, Which::NamedCode);
        let module = self.string_value(*args.first()?)?;
        let package = match args.get(1) {
            Some(arg) if kind(*arg) == Kind::KeywordArgument => {
                self.kids.child(*arg, Field::Value).and_then(|v| self.string_value(v))
            }
            Some(arg) => self.string_value(*arg),
            None => None,
        };
        if module.is_empty() || (module.starts_with('.') && package.is_none()) {
            return None;
        }
        Some(ImportKind::Dynamic { module, package, bind, returns_top_level: false })
    }

    fn push_import(&mut self, kind: ImportKind, node: Node, out: &mut Block) {
        let id = self.summary.imports.len() as ImportId;
        let ctx = &self.ctx;
        self.summary.imports.push(ImportStmt {
            kind,
            range: range(node),
            line: self.summary.line_index.line_number(node.start_byte() as u32),
            context: ImportContext {
                in_function: ctx.in_function,
                in_class: ctx.in_class,
                type_checking: ctx.type_checking,
                main_guard: ctx.main_guard,
                guarded_by_except: ctx.guarded_by_except,
                in_import_fallback: ctx.in_import_fallback,
                statically_false: ctx.statically_false,
                conditional: ctx.conditional,
            },
        });
        out.push(Event::Import(id));
    }

    fn import_statement(&mut self, node: Node<'a>, out: &mut Block) {
        let kids = self.kids;
        let modules: Vec<ImportedModule> = kids
            .iter(node, Which::InField(Field::Name))
            .filter_map(|name| {
                let (dotted, alias) = dotted_and_alias(name, self.text, kids)?;
                Some(ImportedModule { dotted, alias, range: range(name) })
            })
            .collect();
        if modules.is_empty() {
            return;
        }
        self.push_import(ImportKind::Import { modules }, node, out);
    }

    fn import_from_statement(&mut self, node: Node<'a>, out: &mut Block) {
        let Some(module_node) = self.kids.child(node, Field::ModuleName) else {
            return;
        };
        let kids = self.kids;
        let (level, module) = if kind(module_node) == Kind::RelativeImport {
            let mut level = 0;
            let mut module = None;
            for child in kids.iter(module_node, Which::Named) {
                match kind(child) {
                    Kind::ImportPrefix => level = self.text(child).chars().filter(|c| *c == '.').count() as u32,
                    Kind::DottedName => module = Some(dotted_text(child, self.text, kids)),
                    _ => {}
                }
            }
            (level, module)
        } else {
            (0, Some(dotted_text(module_node, self.text, kids)))
        };
        let star = kids.iter(node, Which::Named).any(|c| kind(c) == Kind::WildcardImport);
        let mut names = Vec::new();
        for name in kids.iter(node, Which::InField(Field::Name)) {
            if let Some((name_text, alias)) = dotted_and_alias(name, self.text, kids) {
                names.push(ImportedName { name: name_text, alias, range: range(name) });
            }
        }
        if !star && names.is_empty() {
            return;
        }
        self.push_import(ImportKind::From { level, module, names, star }, node, out);
    }

    /// Reads an `if` condition.
    fn cond(&self, node: Node<'a>) -> Cond {
        match kind(node) {
            Kind::TrueLiteral => Cond::Const(true),
            Kind::FalseLiteral | Kind::NoneLiteral => Cond::Const(false),
            Kind::Integer => Cond::Const(!self.text(node).trim_start_matches('0').is_empty()),
            Kind::ParenthesizedExpression => node.named_child(0).map(|c| self.cond(c)).unwrap_or(Cond::Unknown),
            Kind::Identifier => {
                let name = self.text(node);
                if self.aliases.type_checking.contains(name) {
                    Cond::TypeChecking
                } else if name == "__debug__" {
                    Cond::Const(true)
                } else if let Some((cond, at)) =
                    self.named_conds.get(name).filter(|_| self.at_module_level() && !self.summary.dynamic_namespace)
                {
                    // Only at module level: a function may run after another module has set
                    // the global to something else. Nor after `exec` or a write through
                    // `globals()`, which may have bound the name to anything.
                    if self.only_read_elsewhere(name, *at) { cond.clone() } else { self.name_test(name, NameTest::Truth) }
                } else {
                    self.name_test(name, NameTest::Truth)
                }
            }
            Kind::Attribute => {
                let attr = self.kids.child(node, Field::Attribute).map(|a| self.text(a));
                if attr == Some("TYPE_CHECKING") {
                    Cond::TypeChecking
                } else {
                    Cond::Unknown
                }
            }
            Kind::NotOperator => match self.kids.child(node, Field::Argument) {
                Some(arg) => Cond::Not(Box::new(self.cond(arg))),
                None => Cond::Unknown,
            },
            Kind::BooleanOperator => {
                let op = self.kids.child(node, Field::Operator).map(|o| self.text(o));
                let left = self.kids.child(node, Field::Left).map(|l| self.cond(l)).unwrap_or(Cond::Unknown);
                let right = self.kids.child(node, Field::Right).map(|r| self.cond(r)).unwrap_or(Cond::Unknown);
                if op == Some("and") {
                    Cond::And(vec![left, right])
                } else {
                    Cond::Or(vec![left, right])
                }
            }
            Kind::ComparisonOperator => self.comparison(node),
            Kind::Call => {
                if let Some(cond) = self.environ_truth(node) {
                    return cond;
                }
                // sys.platform.startswith("prefix")
                let function = self.kids.child(node, Field::Function);
                let arguments = self.kids.child(node, Field::Arguments);
                if let Some(cond) = function.zip(arguments).and_then(|(f, args)| self.sys_hasattr(f, args)) {
                    return cond;
                }
                if let (Some(f), Some(args)) = (function, arguments) {
                    if kind(f) == Kind::Attribute
                        && self.kids.child(f, Field::Attribute).is_some_and(|a| self.text(a) == "startswith")
                        && self.kids.child(f, Field::Object).is_some_and(|o| self.is_platform(o))
                    {
                        if let Some(prefix) = args.named_child(0).and_then(|a| self.string_literal(a)) {
                            return Cond::Platform { op: CompareOp::Eq, value: prefix, prefix: true };
                        }
                    }
                }
                if self.is_tested_call(node) {
                    return Cond::CallResult { call: range(node), test: NameTest::Truth };
                }
                Cond::Unknown
            }
            _ => Cond::Unknown,
        }
    }

    /// The truth of a read of an environment variable (`os.environ.get("X")`, `getenv("X", "")`),
    /// also wrapped in `bool()`, whose value is then a `bool`.
    fn environ_truth(&self, call: Node<'a>) -> Option<Cond> {
        if let Some(read) = self.environ_read(call) {
            return Some(read.test(EnvQuestion::Truth { boolean: false }));
        }
        let function = self.kids.child(call, Field::Function)?;
        if kind(function) != Kind::Identifier || self.text(function) != "bool" {
            return None;
        }
        let arguments = self.kids.collect(self.kids.child(call, Field::Arguments)?, Which::NamedCode);
        let [argument] = arguments.as_slice() else { return None };
        Some(self.environ_read(*argument)?.test(EnvQuestion::Truth { boolean: true }))
    }

    /// `os.environ.get("X")` or `os.getenv("X", default)` (also `environ` and `getenv` imported
    /// from `os`), with a literal default, and the string methods without arguments called on
    /// the result (`.lower()`).
    fn environ_read(&self, node: Node<'a>) -> Option<EnvRead> {
        if kind(node) != Kind::Call {
            return None;
        }
        let function = self.kids.child(node, Field::Function)?;
        let arguments = self.kids.child(node, Field::Arguments)?;
        let parts = AttrParts::of(self.kids, function);
        if let Some(method) = parts.and_then(|p| p.attribute).and_then(|a| StrMethod::named(self.text(a))) {
            if !self.has_no_arguments(node) {
                return None;
            }
            let mut read = self.environ_read(parts?.object?)?;
            read.methods.push(method);
            return Some(read);
        }
        let reads = match parts {
            None => kind(function) == Kind::Identifier && self.aliases.getenv.contains(self.text(function)),
            Some(parts) => {
                self.is_module_attribute(parts, &self.aliases.os, "getenv")
                    || (parts.attribute.is_some_and(|a| self.text(a) == "get") && parts.object.is_some_and(|o| self.is_environ(o)))
            }
        };
        if !reads {
            return None;
        }
        let (variable, default) = match self.kids.collect(arguments, Which::NamedCode).as_slice() {
            [variable] => (*variable, Literal::None),
            [variable, default] => (*variable, self.literal(*default)?),
            _ => return None,
        };
        Some(EnvRead { variable: self.string_literal(variable)?, default, methods: Vec::new() })
    }

    /// `os.environ`, or `environ` imported from `os`.
    fn is_environ(&self, node: Node<'a>) -> bool {
        match kind(node) {
            Kind::Identifier => self.aliases.environ.contains(self.text(node)),
            _ => AttrParts::of(self.kids, node).is_some_and(|parts| self.is_module_attribute(parts, &self.aliases.os, "environ")),
        }
    }

    /// `"X" in os.environ` (or `not in`), and comparisons of a read of a variable (see
    /// [`Extractor::environ_read`]) with a literal: `==`, `!=`, `is None`, `is not None`, and
    /// `in` or `not in` a literal tuple, list or set.
    fn environ_comparison(&self, left: Node<'a>, operator: &str, right: Node<'a>) -> Option<Cond> {
        let operator: Vec<&str> = operator.split_whitespace().collect();
        let negate = |negated: bool, cond: Cond| if negated { Cond::Not(Box::new(cond)) } else { cond };
        let membership = matches!(operator.as_slice(), ["in"] | ["not", "in"]);
        if membership && self.is_environ(right) {
            let read = EnvRead { variable: self.string_literal(left)?, default: Literal::None, methods: Vec::new() };
            return Some(negate(operator.len() == 2, read.test(EnvQuestion::IsSet)));
        }
        let (read, value) = match self.environ_read(left) {
            Some(read) => (read, right),
            None if !membership => (self.environ_read(right)?, left),
            None => return None,
        };
        match operator.as_slice() {
            ["=="] | ["!="] => Some(negate(operator == ["!="], read.test(EnvQuestion::Equals(self.literal(value)?)))),
            ["is"] | ["is", "not"] if kind(value) == Kind::NoneLiteral => Some(negate(operator.len() == 2, read.test(EnvQuestion::IsNone))),
            ["in"] | ["not", "in"] if matches!(kind(value), Kind::Set | Kind::List | Kind::Tuple) => {
                let items = self.kids.iter(value, Which::NamedCode).map(|item| self.literal(item)).collect::<Option<Vec<_>>>()?;
                let any = Cond::Or(items.into_iter().map(|item| read.test(EnvQuestion::Equals(item))).collect());
                Some(negate(operator.len() == 2, any))
            }
            _ => None,
        }
    }

    /// `hasattr(sys, "name")` or `hasattr(builtins, "name")` (or an alias of either module),
    /// with exactly these two arguments.
    fn sys_hasattr(&self, function: Node<'a>, arguments: Node<'a>) -> Option<Cond> {
        if kind(function) != Kind::Identifier || self.text(function) != "hasattr" {
            return None;
        }
        let args = self.kids.collect(arguments, Which::NamedCode);
        let [object, name] = args.as_slice() else { return None };
        if kind(*object) != Kind::Identifier {
            return None;
        }
        let module = self.text(*object);
        if self.aliases.sys.contains(module) {
            Some(Cond::SysAttribute { name: self.string_literal(*name)? })
        } else if self.aliases.builtins.contains(module) {
            Some(Cond::BuiltinsAttribute { name: self.string_literal(*name)? })
        } else {
            None
        }
    }

    /// A test of a module-level name, which the run decides; in a function or a class body the
    /// name may be a local one, which the run does not follow.
    fn name_test(&self, name: &str, test: NameTest) -> Cond {
        if self.at_module_level() {
            Cond::Name { name: name.to_string(), test }
        } else {
            Cond::Unknown
        }
    }

    /// When a `case` of a `match` on `subject` is taken: literal patterns (and their `|`
    /// alternatives) compare with `==` as an `if` would (`match sys.platform:` / `case
    /// "win32":`), `case _:` and a capture pattern always match, and a guard must hold too.
    fn case_cond(&self, subject: Node<'a>, case: Node<'a>) -> Cond {
        let patterns: Vec<Node<'a>> = self.kids.iter(case, Which::Named).filter(|p| kind(*p) == Kind::CasePattern).collect();
        let pattern = match patterns.as_slice() {
            [pattern] => match self.kids.iter(*pattern, Which::NamedCode).next() {
                None => Cond::Const(true),
                Some(inner) => self.pattern_cond(subject, inner),
            },
            _ => Cond::Unknown,
        };
        match self.kids.child(case, Field::Guard).and_then(|g| self.kids.iter(g, Which::NamedCode).next()) {
            Some(guard) => Cond::And(vec![pattern, self.cond(guard)]),
            None => pattern,
        }
    }

    fn pattern_cond(&self, subject: Node<'a>, pattern: Node<'a>) -> Cond {
        match kind(pattern) {
            Kind::UnionPattern => Cond::Or(self.kids.iter(pattern, Which::NamedCode).map(|p| self.pattern_cond(subject, p)).collect()),
            // A capture pattern: a single name, which matches anything.
            Kind::DottedName if self.kids.iter(pattern, Which::NamedCode).count() == 1 => Cond::Const(true),
            _ if self.literal(pattern).is_some() => self.compare(subject, "==", pattern),
            _ => Cond::Unknown,
        }
    }

    /// A call whose result a test may ask the run for (see [`Cond::CallResult`]): of a name or of
    /// a name's attribute (`ready()`, `lib.ready()`), which the event program follows, unless
    /// the interpreter answers it (`system()` imported from `platform`).
    fn is_tested_call(&self, node: Node<'a>) -> bool {
        if kind(node) != Kind::Call {
            return false;
        }
        let callee = self.kids.child(node, Field::Function).is_some_and(|function| match kind(function) {
            Kind::Identifier => true,
            Kind::Attribute => self.kids.child(function, Field::Object).is_some_and(|o| kind(o) == Kind::Identifier),
            _ => false,
        });
        callee && self.platform_subject(node).is_none()
    }

    /// `NAME == literal` (either way round), `NAME != literal`, `NAME is None` and `NAME is not
    /// None`, as a [`Cond::Name`]; the same of a call (`backend() == "c"`, see
    /// [`Extractor::is_tested_call`]), as a [`Cond::CallResult`].
    fn name_comparison(&self, left: Node<'a>, operator: &str, right: Node<'a>) -> Option<Cond> {
        let is_name = |n: Node<'a>| {
            kind(n) == Kind::Identifier
                && self.text(n) != "__name__"
                && !(self.is_platform(n) || self.is_version_subject(n) || self.is_os_name(n))
        };
        let (name, value) = if is_name(left) || self.is_tested_call(left) {
            (left, right)
        } else if is_name(right) || self.is_tested_call(right) {
            (right, left)
        } else {
            return None;
        };
        let literal = self.literal(value)?;
        let operator: Vec<&str> = operator.split_whitespace().collect();
        let (test, negated) = match (operator.as_slice(), &literal) {
            (["=="], _) => (NameTest::Equals(literal), false),
            (["!="], _) => (NameTest::Equals(literal), true),
            (["is"], Literal::None) => (NameTest::IsNone, false),
            (["is", "not"], Literal::None) => (NameTest::IsNone, true),
            _ => return None,
        };
        let cond = if kind(name) == Kind::Call {
            Cond::CallResult { call: range(name), test }
        } else {
            self.name_test(self.text(name), test)
        };
        Some(if negated && cond != Cond::Unknown { Cond::Not(Box::new(cond)) } else { cond })
    }

    /// `param == "x"`, `"x" != param`, `param in {"x", "y"}` or `param not in (...)`, where
    /// `param` is the first parameter of the function the walk is in.
    fn argument_comparison(&self, left: Node<'a>, operator: &str, right: Node<'a>) -> Option<Cond> {
        let param = self.first_params.get(self.ctx.in_function? as usize)?.as_deref()?;
        let is_param = |n: Node| kind(n) == Kind::Identifier && self.text(n) == param;
        let operator: Vec<&str> = operator.split_whitespace().collect();
        match operator.as_slice() {
            ["=="] | ["!="] => {
                let value = if is_param(left) { right } else if is_param(right) { left } else { return None };
                let value = self.string_literal(value)?;
                Some(Cond::Argument { values: vec![value], negated: operator == ["!="] })
            }
            ["in"] | ["not", "in"] if is_param(left) => {
                if !matches!(kind(right), Kind::Set | Kind::List | Kind::Tuple) {
                    return None;
                }
                let values = self.kids.iter(right, Which::NamedCode).map(|v| self.string_literal(v)).collect::<Option<Vec<_>>>()?;
                Some(Cond::Argument { values, negated: operator.len() == 2 })
            }
            _ => None,
        }
    }

    /// `sys.platform in ("linux", "darwin")`, and the same of `os.name` and
    /// `platform.system()`, with `not in`: one equality test per string of a literal tuple,
    /// list or set.
    fn platform_membership(&self, left: Node<'a>, operator: &str, right: Node<'a>) -> Option<Cond> {
        let negated = match operator.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["in"] => false,
            ["not", "in"] => true,
            _ => return None,
        };
        let platform = self.platform_subject(left)?;
        let values = self.literal_strings(right)?;
        let any = Cond::Or(values.into_iter().map(|value| platform.test(CompareOp::Eq, value)).collect());
        Some(if negated { Cond::Not(Box::new(any)) } else { any })
    }

    /// What a test of the platform or the implementation asks, when `node` is one.
    fn platform_subject(&self, node: Node<'a>) -> Option<PlatformSubject> {
        if self.is_platform(node) {
            Some(PlatformSubject::Platform)
        } else if self.is_os_name(node) {
            Some(PlatformSubject::OsName)
        } else if self.is_platform_system(node) {
            Some(PlatformSubject::System)
        } else {
            self.implementation_subject(node).map(|platform_call| PlatformSubject::Implementation { platform_call })
        }
    }

    fn is_platform(&self, node: Node<'a>) -> bool {
        match kind(node) {
            Kind::Identifier => {
                let name = self.text(node);
                self.aliases.platform.contains(name)
                    || self
                        .platform_names
                        .get(name)
                        .is_some_and(|at| self.at_module_level() && self.only_read_elsewhere(name, *at))
            }
            // Every `sys.platform` is lower case already (`linux`, `win32`, `darwin`, `aix`…).
            Kind::Call => {
                let lowered = self.kids.child(node, Field::Function).and_then(|f| AttrParts::of(self.kids, f)).is_some_and(|parts| {
                    parts.attribute.is_some_and(|a| matches!(self.text(a), "lower" | "casefold"))
                        && parts.object.is_some_and(|o| self.is_platform(o))
                });
                lowered && self.has_no_arguments(node)
            }
            Kind::Attribute => self.is_sys_attribute(node, "platform"),
            _ => false,
        }
    }

    fn is_version_info(&self, node: Node<'a>) -> bool {
        match kind(node) {
            Kind::Identifier => self.aliases.version_info.contains(self.text(node)),
            Kind::Attribute => self.is_sys_attribute(node, "version_info"),
            _ => false,
        }
    }

    fn comparison(&self, node: Node<'a>) -> Cond {
        let mut operands = Vec::new();
        let mut operators = Vec::new();
        for child in self.kids.iter(node, Which::All) {
            if child.is_named() {
                if kind(child) != Kind::Comment {
                    operands.push(child);
                }
            } else {
                operators.push(self.text(child));
            }
        }
        if operands.len() != 2 || operators.len() != 1 {
            return Cond::Unknown;
        }
        self.compare(operands[0], operators[0], operands[1])
    }

    /// `left <operator> right`, as a condition.
    fn compare(&self, left: Node<'a>, operator: &str, right: Node<'a>) -> Cond {
        if let Some(cond) = self.environ_comparison(left, operator, right) {
            return cond;
        }
        if let Some(cond) = self.argument_comparison(left, operator, right) {
            return cond;
        }
        if let Some(cond) = self.name_comparison(left, operator, right) {
            return cond;
        }
        if let Some(cond) = self.platform_membership(left, operator, right) {
            return cond;
        }
        let Some(op) = CompareOp::parse(operator) else {
            return Cond::Unknown;
        };
        // `__name__ == "__main__"` in either order.
        let is_name = |n: Node| kind(n) == Kind::Identifier && self.text(n) == "__name__";
        let is_main = |n: Node<'a>| self.string_literal(n).as_deref() == Some("__main__");
        if (is_name(left) && is_main(right)) || (is_main(left) && is_name(right)) {
            return match op {
                CompareOp::Eq => Cond::MainGuard,
                CompareOp::Ne => Cond::Not(Box::new(Cond::MainGuard)),
                _ => Cond::Unknown,
            };
        }
        let left_platform = self.platform_subject(left);
        let (subject, platform, value, op) = if left_platform.is_some() || self.is_version_subject(left) {
            (left, left_platform, right, op)
        } else {
            (right, self.platform_subject(right), left, op.flipped())
        };
        if let Some(platform) = platform {
            return self.string_literal(value).map_or(Cond::Unknown, |value| platform.test(op, value));
        }
        if !self.is_version_subject(subject) {
            return Cond::Unknown;
        }
        let part = if let Some(i) = self.version_field(subject) {
            VersionPart::Item(i)
        } else if kind(subject) == Kind::Subscript {
            let Some(sub) = self.kids.child(subject, Field::Subscript) else {
                return Cond::Unknown;
            };
            match kind(sub) {
                Kind::Integer => match self.text(sub).parse::<u32>() {
                    Ok(i) if i < 2 => VersionPart::Item(i),
                    _ => return Cond::Unknown,
                },
                // `[:n]` and `[0:n]` are a tuple of the first n elements, and `[:]` the whole
                // tuple.
                Kind::Slice => match self.text(sub).split_once(':').map(|(start, end)| (start.trim(), end.trim())) {
                    Some(("" | "0", "")) => VersionPart::Whole,
                    Some(("" | "0", end)) => match end.parse::<u32>() {
                        Ok(n) => VersionPart::Prefix(n),
                        Err(_) => return Cond::Unknown,
                    },
                    _ => return Cond::Unknown,
                },
                _ => return Cond::Unknown,
            }
        } else {
            VersionPart::Whole
        };
        let version: Option<Vec<u32>> = match (part, kind(value)) {
            (VersionPart::Item(_), Kind::Integer) => self.text(value).parse().ok().map(|v| vec![v]),
            (VersionPart::Whole | VersionPart::Prefix(_), Kind::Tuple) => {
                self.kids.iter(value, Which::Named).map(|c| self.text(c).parse::<u32>().ok()).collect()
            }
            _ => None,
        };
        match version {
            Some(version) if !version.is_empty() => Cond::Version { op, part, version },
            _ => Cond::Unknown,
        }
    }

    fn is_version_subject(&self, node: Node<'a>) -> bool {
        if self.is_version_info(node) {
            return true;
        }
        match kind(node) {
            Kind::Subscript => self.kids.child(node, Field::Value).is_some_and(|v| self.is_version_info(v)),
            _ => self.version_field(node).is_some(),
        }
    }

    /// The element that `sys.version_info.major` or `.minor` names.
    fn version_field(&self, node: Node<'a>) -> Option<u32> {
        if kind(node) != Kind::Attribute || !self.kids.child(node, Field::Object).is_some_and(|o| self.is_version_info(o)) {
            return None;
        }
        match self.kids.child(node, Field::Attribute).map(|a| self.text(a)) {
            Some("major") => Some(0),
            Some("minor") => Some(1),
            _ => None,
        }
    }

    /// `platform.system()`, or `system()` imported from `platform`, without arguments.
    fn is_platform_system(&self, node: Node<'a>) -> bool {
        if kind(node) != Kind::Call || !self.has_no_arguments(node) {
            return false;
        }
        let Some(function) = self.kids.child(node, Field::Function) else { return false };
        match kind(function) {
            Kind::Identifier => self.aliases.platform_system.contains(self.text(function)),
            _ => AttrParts::of(self.kids, function)
                .is_some_and(|parts| self.is_module_attribute(parts, &self.aliases.platform_module, "system")),
        }
    }

    /// `sys.implementation.name` (`Some(false)`), also through `from sys import
    /// implementation`, or `platform.python_implementation()` without arguments, also imported
    /// from `platform` (`Some(true)`).
    fn implementation_subject(&self, node: Node<'a>) -> Option<bool> {
        if kind(node) == Kind::Call {
            if !self.has_no_arguments(node) {
                return None;
            }
            let function = self.kids.child(node, Field::Function)?;
            let found = match kind(function) {
                Kind::Identifier => self.aliases.python_implementation.contains(self.text(function)),
                _ => AttrParts::of(self.kids, function).is_some_and(|parts| {
                    self.is_module_attribute(parts, &self.aliases.platform_module, "python_implementation")
                }),
            };
            return found.then_some(true);
        }
        let parts = AttrParts::of(self.kids, node)?;
        if parts.attribute.is_none_or(|a| self.text(a) != "name") {
            return None;
        }
        let object = parts.object?;
        let found = match kind(object) {
            Kind::Identifier => self.aliases.sys_implementation.contains(self.text(object)),
            _ => self.is_sys_attribute(object, "implementation"),
        };
        found.then_some(false)
    }

    fn is_os_name(&self, node: Node<'a>) -> bool {
        AttrParts::of(self.kids, node).is_some_and(|parts| self.is_module_attribute(parts, &self.aliases.os, "name"))
    }
}
