//! Facts about module state for the state rules (MC101–MC401), collected in a second pass over
//! the parse tree.
//!
//! The facts are syntactic: module-level and class-level bindings and whether their value is a
//! mutable container, every site that mutates an object reached from a name (`x[k] = v`,
//! `x.append(…)`, `x += …`, `m.attr = v`, `del x[k]`), `global` statements, calls classified by
//! their effect (output and I/O, environment reads, nondeterminism), `importlib.reload` calls and
//! `sys.modules` writes. Each fact carries the [`Scope`] it runs in, so that the rules can tell
//! import time from call time; which functions the top level calls comes from the event program.
//! Names are resolved as Python resolves them (function locals, closures, class bodies,
//! comprehensions, `global`), and calls are named after the import aliases of the file
//! (`from time import sleep` makes `sleep(1)` a call of `time.sleep`). Like the rest of the
//! summary this is a pure function of the text: broken code yields the facts of what could be
//! parsed, never a panic.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::syntax::{any_within, dotted_text, first_parameter, kind, node_text, range, Children, Field, Kind, Which};

use crate::analysis::text::TextRange;

/// Module state and import-time effects of one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateFacts {
    /// Names bound by assignment at module level or directly in a class body, in source order.
    pub bindings: Vec<Binding>,
    /// Every class statement, in source order.
    pub classes: Vec<ClassFacts>,
    /// Every function definition (not lambdas), in source order.
    pub functions: Vec<FunctionFacts>,
    /// Sites that mutate an object reached from a global name, an imported name or `self`.
    pub mutations: Vec<Mutation>,
    /// `global` statements in functions.
    pub globals: Vec<GlobalDecl>,
    /// Calls and reads with an effect worth knowing at import time.
    pub effects: Vec<Effect>,
    /// `importlib.reload(…)` calls.
    pub reloads: Vec<Reload>,
    /// Writes and deletions of `sys.modules` entries (reads are not recorded).
    pub sys_modules: Vec<SysModulesOp>,
    /// Cleanup callbacks registered with `addCleanup`, `addfinalizer` and the like, with the
    /// names and strings their arguments mention (`addCleanup(setattr, config, "DEBUG", old)`).
    pub cleanups: Vec<Cleanup>,
    /// How each suppression comment is spelled, for reporting unused ones (in the order of
    /// [`super::FileSummary::suppressions`]).
    pub suppression_styles: Vec<SuppressionStyle>,
}

impl StateFacts {
    /// Gives back the vectors' spare capacity (see [`super::FileSummary::shrink_to_fit`]).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.bindings.shrink_to_fit();
        self.classes.shrink_to_fit();
        self.functions.shrink_to_fit();
        self.mutations.shrink_to_fit();
        self.globals.shrink_to_fit();
        self.effects.shrink_to_fit();
        self.reloads.shrink_to_fit();
        self.sys_modules.shrink_to_fit();
        self.cleanups.shrink_to_fit();
        self.suppression_styles.shrink_to_fit();
    }
}

/// A cleanup callback registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cleanup {
    pub range: TextRange,
    pub scope: Scope,
    /// Identifiers, attribute names and string values in its arguments.
    pub mentions: Vec<String>,
}

/// Whether a suppression comment is modcache's own or the `# noqa` shared with other linters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionStyle {
    /// `# modcache: ignore` or `# modcache: ignore[…]`.
    Modcache,
    /// `# noqa` or `# noqa: …`, which ruff, flake8 and pylint read too.
    Noqa,
}

impl SuppressionStyle {
    /// The style of a comment that [`super::Suppression::parse`] accepts, read the same way:
    /// the first `#`-separated part that is a directive decides.
    pub fn of(comment: &str) -> Option<SuppressionStyle> {
        let body = comment.trim_start_matches('#').trim();
        for part in body.split('#').map(str::trim) {
            if part.strip_prefix("modcache:").is_some_and(|rest| rest.trim().starts_with("ignore")) {
                return Some(SuppressionStyle::Modcache);
            }
            if part.to_ascii_lowercase().starts_with("noqa") {
                return Some(SuppressionStyle::Noqa);
            }
        }
        None
    }
}

/// Where a fact stands: in which function or class body, and under which guard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The innermost enclosing function or lambda (the range of its whole definition); `None`
    /// at module level and directly in a class body, including decorators and default values.
    pub function: Option<TextRange>,
    /// The class whose body holds the site directly (`None` inside methods).
    pub class: Option<TextRange>,
    /// A condition that keeps the code from running when the module is imported.
    pub guard: Guard,
    /// In code that prepares a test: a fixture before its `yield`, `setUp`, `setup_method`….
    pub setup: bool,
    /// In code that undoes a test's changes: after a fixture's `yield`, in `finally:`, in
    /// `tearDown`-like functions and in cleanup callbacks (`addCleanup`, `addfinalizer`).
    pub teardown: bool,
}

/// Why code outside functions does not run when the module is imported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Guard {
    #[default]
    Runs,
    /// Under `if __name__ == "__main__":` (runs only when the file is the script).
    MainGuard,
    /// Under `if TYPE_CHECKING:` (never runs).
    TypeChecking,
    /// Under `if False:`, `if 0:` and the like.
    StaticallyFalse,
}

/// `name = value` at module level or in a class body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    /// The target name.
    pub range: TextRange,
    pub value: Value,
    /// The class whose body binds it (a class attribute); `None` for a module global.
    pub class: Option<TextRange>,
    pub guard: Guard,
    /// The annotation's text (`x: ClassVar[list] = []`).
    pub annotation: Option<String>,
    /// The assigned expression (shared by the targets of `a = b = value`).
    pub value_range: Option<TextRange>,
    /// Its text, when short (`None`, `0`, `set()`), to recognise resets to the initial value.
    pub value_text: Option<String>,
}

/// What an assigned value is, as far as the text tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A mutable container: a display, a comprehension or a constructor call (`list()`,
    /// `defaultdict(…)`…); `kind` names its type (`list`, `dict`, `defaultdict`…).
    Mutable { kind: String },
    /// Tuples, frozensets, strings, numbers, `None`, lambdas.
    Immutable,
    /// The result of a call; `callee` is its qualified name (`db.DatabaseService`, or
    /// `.Service` for a name defined in this module), `written` the callee as the source spells
    /// it (`DatabaseService`, `db.DatabaseService`).
    Call { callee: String, written: String },
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassFacts {
    pub name: String,
    /// The `class_definition` node.
    pub range: TextRange,
    pub name_range: TextRange,
    /// Qualified names of the bases, as written.
    pub bases: Vec<String>,
    /// Decorator expressions without `@` and arguments (`dataclass`, `attr.s`).
    pub decorators: Vec<String>,
    /// Defined at module level (possibly under `if`/`try`), not in a function or class.
    pub module_level: bool,
    /// Attributes that its methods assign on `self` (`self.items = []`).
    pub instance_attrs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionFacts {
    pub name: String,
    /// The `function_definition` node (the same range as [`super::Function::range`]).
    pub range: TextRange,
    pub name_range: TextRange,
    /// The class whose body defines it directly (a method).
    pub class: Option<TextRange>,
    pub decorators: Vec<String>,
    pub params: Vec<String>,
}

/// A site that changes an object in place or rebinds one of its attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mutation {
    pub target: Target,
    pub kind: MutationKind,
    /// The statement or call that mutates.
    pub range: TextRange,
    pub scope: Scope,
    /// For `obj.attr = value`, the value's text when short.
    pub value: Option<String>,
}

/// The object a mutation changes: `base.attrs…`, possibly an element inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub base: String,
    pub base_ref: NameRef,
    /// Attribute names from the base to the mutated object (`a.b.c[k] = v`: `[b, c]`).
    pub attrs: Vec<String>,
    /// The mutated object is an element reached through an item or `.get()`
    /// (`a[k].append(x)`): the mutation changes what `base.attrs…` holds.
    pub deep: bool,
}

/// What a name refers to where it is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameRef {
    /// A module global: bound at module level, or declared `global`.
    Global,
    /// A local or closure variable of the enclosing functions.
    Local,
    /// A local bound by an import statement in the enclosing function (the statement's range).
    LocalImport(TextRange),
    /// The first parameter of a method: `self`, or `cls` when `classmethod`.
    SelfParam { class: TextRange, classmethod: bool },
    /// A name bound in the class body that holds the site.
    ClassLocal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MutationKind {
    /// `x[k] = v`, `x[k] += v`, `x[:] = …`.
    SetItem,
    /// `del x[k]`.
    DelItem,
    /// `x += …`, `x |= …`: in place for lists, sets and dicts (and a rebinding of `x`).
    AugAssign,
    /// `x.append(…)` and the other mutating methods of the built-in containers.
    Method(String),
    /// `obj.attr = v`: the target is `obj`.
    SetAttr(String),
    /// `del obj.attr`: the target is `obj`.
    DelAttr(String),
}

impl MutationKind {
    /// Whether this changes the target object itself (rather than rebinding one of its attributes).
    pub fn is_in_place(&self) -> bool {
        !matches!(self, MutationKind::SetAttr(_) | MutationKind::DelAttr(_))
    }

    /// A verb phrase for messages: "appends to", "sets an item of"….
    pub fn verb(&self) -> String {
        match self {
            MutationKind::SetItem => "sets an item of".into(),
            MutationKind::DelItem => "deletes an item of".into(),
            MutationKind::AugAssign => "updates in place".into(),
            MutationKind::SetAttr(attr) => format!("sets `.{attr}` on"),
            MutationKind::DelAttr(attr) => format!("deletes `.{attr}` from"),
            MutationKind::Method(method) => match method.as_str() {
                "append" | "appendleft" => "appends to".into(),
                "extend" | "extendleft" => "extends".into(),
                "insert" => "inserts into".into(),
                "add" => "adds to".into(),
                "update" | "difference_update" | "intersection_update" | "symmetric_difference_update" | "subtract" => {
                    "updates".into()
                }
                "setdefault" | "__setitem__" => "sets a key of".into(),
                "clear" => "clears".into(),
                "sort" | "reverse" | "rotate" | "move_to_end" => "reorders".into(),
                _ => "removes from".into(),
            },
        }
    }

    /// Whether this puts things back rather than adding: the shape of a test's undo step.
    pub fn is_restore_like(&self) -> bool {
        match self {
            MutationKind::SetItem | MutationKind::DelItem | MutationKind::SetAttr(_) | MutationKind::DelAttr(_) => true,
            MutationKind::AugAssign => false,
            MutationKind::Method(m) => {
                matches!(m.as_str(), "clear" | "remove" | "pop" | "popitem" | "discard" | "update" | "__delitem__" | "popleft")
            }
        }
    }
}

/// `global a, b` in a function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalDecl {
    pub names: Vec<String>,
    pub range: TextRange,
    /// The function holding it.
    pub function: TextRange,
    /// The declared names that the function binds (assignment, `+=`, `for`, `import`, `del`…),
    /// with the first place each is bound.
    pub rebinds: Vec<(String, TextRange)>,
}

/// A call or read whose effect matters when it runs at import time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    pub kind: EffectKind,
    /// What runs, named through the file's imports: `time.sleep()`, `os.environ[…]`.
    pub what: String,
    pub range: TextRange,
    pub scope: Scope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectKind {
    SideEffect(SideEffect),
    /// A read of the process environment (`os.environ[…]`, `os.getenv(…)`).
    EnvRead,
    /// A value that differs between runs or over time (`random.*`, `uuid4()`, `time.time()`).
    Nondeterminism,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SideEffect {
    Output,
    Input,
    FileSystem,
    Network,
    Sleep,
    Subprocess,
    Database,
    Thread,
    EventLoop,
    /// Process-wide configuration: `logging.basicConfig`, `signal.signal`, `os.chdir`….
    GlobalConfig,
}

impl SideEffect {
    /// What it does, for messages: "writes to standard output".
    pub fn describe(self) -> &'static str {
        match self {
            SideEffect::Output => "writes output",
            SideEffect::Input => "waits for input",
            SideEffect::FileSystem => "touches the file system",
            SideEffect::Network => "does network I/O",
            SideEffect::Sleep => "sleeps",
            SideEffect::Subprocess => "starts a process",
            SideEffect::Database => "connects to a database",
            SideEffect::Thread => "starts a thread",
            SideEffect::EventLoop => "runs an event loop",
            SideEffect::GlobalConfig => "changes process-wide configuration",
        }
    }
}

/// `importlib.reload(arg)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reload {
    /// The call.
    pub range: TextRange,
    pub arg: ReloadArg,
    pub scope: Scope,
    /// Names bound again in the same scope after the call (`from m import x` repeated).
    pub rebound_after: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReloadArg {
    /// A name or dotted name (`points`, `pkg.points`).
    Dotted { base: String, base_ref: NameRef, attrs: Vec<String> },
    /// A string literal: reload() raises TypeError.
    Str(String),
    /// Another literal (number, list, `None`…), never a module.
    Literal(String),
    /// `sys.modules[…]`.
    SysModules,
    Other,
    Missing,
}

/// A write or deletion in `sys.modules`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysModulesOp {
    pub kind: SysModulesKind,
    pub key: ModuleKey,
    pub range: TextRange,
    pub scope: Scope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SysModulesKind {
    /// `del sys.modules[k]`, `sys.modules.__delitem__(k)`.
    Delete,
    /// `sys.modules.pop(k[, default])`.
    Pop,
    /// `sys.modules.popitem()`.
    PopItem,
    /// `sys.modules.clear()`.
    Clear,
    /// `sys.modules[k] = obj`.
    Set,
    /// `sys.modules.setdefault(k, obj)`.
    SetDefault,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleKey {
    Literal(String),
    /// `__name__`: the module's own entry.
    OwnName,
    /// Any other expression (its text, shortened).
    Expr(String),
    /// No key (`clear()`, `popitem()`).
    None,
}

/// Collects the state facts of a module from its parse tree. `imports` are the file's import
/// statements in source order (see [`collect_aliases`]), `suppression_styles` the styles of its
/// suppression comments, which the summary finds while it reads them, and `binders` the places
/// where an expression may bind a name ([`super::syntax::Marks::binders`]), `fact_marks` the
/// tokens without which an expression adds no fact ([`super::syntax::Marks::facts`]).
pub(super) fn collect<'a>(
    text: &str,
    root: Node<'a>,
    imports: &[Node<'a>],
    suppression_styles: Vec<SuppressionStyle>,
    binders: Vec<usize>,
    fact_marks: Vec<usize>,
    kids: &Children<'a>,
) -> StateFacts {
    let aliases = collect_aliases(imports, text, kids);
    let mut module_names = ScopeNames::default();
    scope_names(root, &NameScan { text, kids, binders: &binders }, &mut module_names, 0);
    let module_defs: HashSet<String> =
        module_names.locals.iter().filter(|n| !module_names.imports.contains_key(*n)).cloned().collect();
    let mut collector = Collector {
        text,
        kids,
        facts: StateFacts::default(),
        aliases,
        module_defs,
        binders,
        fact_marks,
        frames: Vec::new(),
        ctx: Scope::default(),
        class_index: HashMap::new(),
        depth: 0,
    };
    collector.push_frame(FrameKind::Module, module_names, None);
    collector.block(root);
    collector.pop_frame();
    collector.facts.suppression_styles = suppression_styles;
    collector.facts
}

/// Deeper nesting than this is not walked: no real module needs it, and it bounds recursion.
const MAX_DEPTH: u32 = 200;

/// Methods of the built-in containers that change them in place.
const MUTATING_METHODS: &[&str] = &[
    "append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "popitem", "add", "discard",
    "difference_update", "intersection_update", "symmetric_difference_update", "appendleft", "extendleft",
    "popleft", "rotate", "sort", "reverse", "move_to_end", "subtract", "__setitem__", "__delitem__",
];

/// Methods that return an element of the receiver, so mutating the result mutates what the
/// receiver holds (`cache.setdefault(k, []).append(v)`).
const ELEMENT_METHODS: &[&str] = &["get", "setdefault", "__getitem__"];

/// Function names that undo a test's changes (unittest, pytest and nose spellings).
const TEARDOWN_FUNCTIONS: &[&str] = &[
    "tearDown", "tearDownClass", "tearDownModule", "asyncTearDown", "teardown", "teardown_method",
    "teardown_function", "teardown_class", "teardown_module",
];

/// Function names that prepare each test (and so reset what earlier tests changed).
const SETUP_FUNCTIONS: &[&str] = &[
    "setUp", "setUpClass", "setUpModule", "asyncSetUp", "setup", "setup_method", "setup_function", "setup_class",
    "setup_module",
];

/// Calls whose arguments run when a test finishes.
const CLEANUP_REGISTRARS: &[&str] = &["addCleanup", "addClassCleanup", "addModuleCleanup", "addfinalizer", "callback"];


/// `import a.b as c` → `c` → `a.b`; `from os import environ` → `environ` → `os.environ`, for
/// every import statement of the file. Relative imports map to names starting with `.`, which
/// match nothing in the tables of known calls. When two imports bind the same name, the first in
/// the file wins (the statements are read from the last to the first).
fn collect_aliases<'a>(imports: &[Node<'a>], text: &str, kids: &Children<'a>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for &node in imports.iter().rev() {
        match kind(node) {
            Kind::ImportStatement => {
                for name in kids.iter(node, Which::InField(Field::Name)) {
                    match kind(name) {
                        Kind::DottedName => {
                            let dotted = dotted_text(name, text, kids);
                            let top = dotted.split('.').next().unwrap_or("").to_string();
                            out.insert(top.clone(), top);
                        }
                        Kind::AliasedImport => {
                            if let (Some(n), Some(a)) = (kids.child(name, Field::Name), kids.child(name, Field::Alias)) {
                                out.insert(node_text(a, text).to_string(), dotted_text(n, text, kids));
                            }
                        }
                        _ => {}
                    }
                }
            }
            Kind::ImportFromStatement => {
                let module = kids.child(node, Field::ModuleName).map(|m| {
                    if kind(m) == Kind::RelativeImport {
                        format!(".{}", node_text(m, text).trim_start_matches('.'))
                    } else {
                        dotted_text(m, text, kids)
                    }
                });
                let Some(module) = module else { continue };
                for name in kids.iter(node, Which::InField(Field::Name)) {
                    let (imported, local) = match kind(name) {
                        Kind::DottedName => {
                            let d = dotted_text(name, text, kids);
                            (d.clone(), d)
                        }
                        Kind::AliasedImport => match (kids.child(name, Field::Name), kids.child(name, Field::Alias)) {
                            (Some(n), Some(a)) => (dotted_text(n, text, kids), node_text(a, text).to_string()),
                            _ => continue,
                        },
                        _ => continue,
                    };
                    out.insert(local, format!("{module}.{imported}"));
                }
            }
            _ => {}
        }
    }
    out
}


/// The names a scope binds, found before walking it, since a name assigned anywhere in a
/// function is local everywhere in it.
#[derive(Default)]
struct ScopeNames {
    locals: HashSet<String>,
    globals: HashSet<String>,
    nonlocals: HashSet<String>,
    /// Locals bound by an import statement, with the statement's range.
    imports: HashMap<String, TextRange>,
    /// Every binding site, in source order.
    sites: Vec<(String, TextRange)>,
}

impl ScopeNames {
    fn bind(&mut self, name: &str, at: TextRange) {
        self.locals.insert(name.to_string());
        self.sites.push((name.to_string(), at));
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.contains(name) && !self.globals.contains(name) && !self.nonlocals.contains(name)
    }
}

/// What the name scans read: the file's text, the child stack, and where expressions may bind
/// names. Inside an expression only a walrus or an `as` pattern binds, and each has its token, so
/// the scan passes over an expression whose text holds neither (most of the tree) without
/// entering it.
struct NameScan<'s, 'a> {
    text: &'s str,
    kids: &'s Children<'a>,
    /// See [`super::syntax::Marks::binders`].
    binders: &'s [usize],
}


/// Gathers the names bound in a scope's body, without entering nested scopes (functions,
/// classes, lambdas, comprehensions), whose names are their own.
fn scope_names<'a>(node: Node<'a>, scan: &NameScan<'_, 'a>, out: &mut ScopeNames, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    let (text, kids) = (scan.text, scan.kids);
    let node_kind = kind(node);
    match node_kind {
        Kind::FunctionDefinition | Kind::ClassDefinition => {
            if let Some(name) = kids.child(node, Field::Name) {
                out.bind(node_text(name, text), range(name));
            }
        }
        Kind::Lambda
        | Kind::ListComprehension
        | Kind::SetComprehension
        | Kind::DictionaryComprehension
        | Kind::GeneratorExpression => {}
        Kind::GlobalStatement => {
            for name in kids.iter(node, Which::NamedCode) {
                out.globals.insert(node_text(name, text).to_string());
            }
        }
        Kind::NonlocalStatement => {
            for name in kids.iter(node, Which::NamedCode) {
                out.nonlocals.insert(node_text(name, text).to_string());
            }
        }
        Kind::Assignment | Kind::AugmentedAssignment => {
            if let Some(left) = kids.child(node, Field::Left) {
                bind_pattern(left, scan, out, depth);
            }
            if let Some(right) = kids.child(node, Field::Right) {
                scope_names(right, scan, out, depth + 1);
            }
        }
        Kind::ForStatement => {
            let left = kids.child(node, Field::Left);
            if let Some(left) = left {
                bind_pattern(left, scan, out, depth);
            }
            for part in kids.iter(node, Which::NamedCode) {
                if Some(part) != left {
                    scope_names(part, scan, out, depth + 1);
                }
            }
        }
        Kind::AsPatternTarget => bind_pattern(node, scan, out, depth),
        Kind::ExceptClause => {
            if let Some(alias) = kids.child(node, Field::Alias) {
                bind_pattern(alias, scan, out, depth);
            }
            for part in kids.iter(node, Which::NamedCode) {
                scope_names(part, scan, out, depth + 1);
            }
        }
        Kind::ImportStatement => {
            for name in kids.iter(node, Which::InField(Field::Name)) {
                let local = match kind(name) {
                    Kind::DottedName => dotted_text(name, text, kids).split('.').next().unwrap_or("").to_string(),
                    Kind::AliasedImport => {
                        kids.child(name, Field::Alias).map(|a| node_text(a, text).to_string()).unwrap_or_default()
                    }
                    _ => continue,
                };
                if !local.is_empty() {
                    out.bind(&local, range(node));
                    out.imports.insert(local, range(node));
                }
            }
        }
        Kind::ImportFromStatement => {
            for name in kids.iter(node, Which::InField(Field::Name)) {
                let local = match kind(name) {
                    Kind::DottedName => dotted_text(name, text, kids),
                    Kind::AliasedImport => {
                        kids.child(name, Field::Alias).map(|a| node_text(a, text).to_string()).unwrap_or_default()
                    }
                    _ => continue,
                };
                if !local.is_empty() {
                    out.bind(&local, range(node));
                    out.imports.insert(local, range(node));
                }
            }
        }
        Kind::DeleteStatement => {
            for target in kids.iter(node, Which::NamedCode) {
                bind_pattern(target, scan, out, depth);
            }
        }
        Kind::NamedExpression => {
            if let Some(name) = kids.child(node, Field::Name) {
                out.bind(node_text(name, text), range(name));
            }
            if let Some(value) = kids.child(node, Field::Value) {
                scope_names(value, scan, out, depth + 1);
            }
        }
        _ => {
            if !node_kind.may_hold_binding_statements() && !node.has_error() && !any_within(scan.binders, node) {
                return;
            }
            for part in kids.iter(node, Which::NamedCode) {
                scope_names(part, scan, out, depth + 1);
            }
        }
    }
}

/// Binds the names of an assignment target (attributes and items bind nothing).
fn bind_pattern<'a>(node: Node<'a>, scan: &NameScan<'_, 'a>, out: &mut ScopeNames, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    let (text, kids) = (scan.text, scan.kids);
    match kind(node) {
        Kind::Identifier => out.bind(node_text(node, text), range(node)),
        Kind::PatternList
        | Kind::TuplePattern
        | Kind::ListPattern
        | Kind::Tuple
        | Kind::List
        | Kind::ParenthesizedExpression
        | Kind::ExpressionList
        | Kind::ListSplatPattern
        | Kind::ListSplat
        | Kind::AsPatternTarget => {
            for part in kids.iter(node, Which::NamedCode) {
                bind_pattern(part, scan, out, depth + 1);
            }
        }
        _ => {}
    }
}

enum FrameKind {
    Module,
    Class(TextRange),
    Function(TextRange),
    Lambda,
    Comprehension,
}

struct Frame {
    kind: FrameKind,
    names: ScopeNames,
    /// Names bound in this scope to a call's result, with the callee's qualified name, so that
    /// `t = threading.Thread(…); t.start()` reads as `threading.Thread().start`.
    call_bindings: HashMap<String, String>,
    /// A method's first parameter and whether the method is a classmethod.
    self_param: Option<(String, TextRange, bool)>,
    seen_yield: bool,
    /// Indexes into `facts.reloads` of the reloads called in this scope.
    reloads: Vec<usize>,
}

struct Collector<'t, 'a> {
    text: &'t str,
    kids: &'t Children<'a>,
    facts: StateFacts,
    aliases: HashMap<String, String>,
    /// Names bound at module level other than by imports (so `open` may not be the built-in).
    module_defs: HashSet<String>,
    /// See [`super::syntax::Marks::binders`].
    binders: Vec<usize>,
    /// See [`super::syntax::Marks::facts`].
    fact_marks: Vec<usize>,
    frames: Vec<Frame>,
    ctx: Scope,
    class_index: HashMap<TextRange, usize>,
    depth: u32,
}

/// What an `if` condition says about running on import.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CondKind {
    Main,
    NotMain,
    TypeChecking,
    NotTypeChecking,
    False,
    True,
    Unknown,
}

impl CondKind {
    fn negate(self) -> CondKind {
        match self {
            CondKind::Main => CondKind::NotMain,
            CondKind::NotMain => CondKind::Main,
            CondKind::TypeChecking => CondKind::NotTypeChecking,
            CondKind::NotTypeChecking => CondKind::TypeChecking,
            CondKind::False => CondKind::True,
            CondKind::True => CondKind::False,
            CondKind::Unknown => CondKind::Unknown,
        }
    }

    /// The guard under which the branch taken when this condition holds stands.
    fn guard(self) -> Option<Guard> {
        match self {
            CondKind::Main => Some(Guard::MainGuard),
            CondKind::TypeChecking => Some(Guard::TypeChecking),
            CondKind::False => Some(Guard::StaticallyFalse),
            _ => None,
        }
    }
}

impl<'t, 'a> Collector<'t, 'a> {
    fn name_scan(&self) -> NameScan<'_, 'a> {
        NameScan { text: self.text, kids: self.kids, binders: &self.binders }
    }

    /// The named children of `node` other than comments.
    fn named_children(&self, node: Node<'a>) -> Vec<Node<'a>> {
        self.kids.collect(node, Which::NamedCode)
    }

    fn text(&self, node: Node) -> &'t str {
        node_text(node, self.text)
    }

    fn push_frame(&mut self, kind: FrameKind, names: ScopeNames, self_param: Option<(String, TextRange, bool)>) {
        self.frames.push(Frame {
            kind,
            names,
            call_bindings: HashMap::new(),
            self_param,
            seen_yield: false,
            reloads: Vec::new(),
        });
    }

    /// Closes a scope: reloads learn which names the scope binds again after them.
    fn pop_frame(&mut self) {
        let Some(frame) = self.frames.pop() else { return };
        for index in frame.reloads {
            let Some(reload) = self.facts.reloads.get_mut(index) else { continue };
            let end = reload.range.end;
            let mut names: Vec<String> =
                frame.names.sites.iter().filter(|(_, at)| at.start >= end).map(|(n, _)| n.clone()).collect();
            names.sort();
            names.dedup();
            reload.rebound_after = names;
        }
    }

    fn at_module_level(&self) -> bool {
        matches!(self.frames.last().map(|f| &f.kind), Some(FrameKind::Module))
    }

    fn current_class(&self) -> Option<TextRange> {
        match self.frames.last().map(|f| &f.kind) {
            Some(FrameKind::Class(r)) => Some(*r),
            _ => None,
        }
    }

    fn innermost_function_frame(&mut self) -> Option<&mut Frame> {
        self.frames.iter_mut().rev().find(|f| matches!(f.kind, FrameKind::Function(_) | FrameKind::Lambda))
    }

    /// What `name` refers to at the current position, following Python's scoping rules.
    fn resolve(&self, name: &str) -> NameRef {
        let mut in_function = false;
        for frame in self.frames.iter().rev() {
            match frame.kind {
                FrameKind::Comprehension | FrameKind::Lambda => {
                    if frame.names.is_local(name) {
                        return NameRef::Local;
                    }
                    if matches!(frame.kind, FrameKind::Lambda) {
                        in_function = true;
                    }
                }
                FrameKind::Class(_) => {
                    if !in_function && frame.names.is_local(name) {
                        return NameRef::ClassLocal;
                    }
                }
                FrameKind::Function(_) => {
                    if frame.names.globals.contains(name) {
                        return NameRef::Global;
                    }
                    if frame.names.is_local(name) {
                        if let Some((param, class, classmethod)) = &frame.self_param {
                            if param == name {
                                return NameRef::SelfParam { class: *class, classmethod: *classmethod };
                            }
                        }
                        if !in_function {
                            if let Some(at) = frame.names.imports.get(name) {
                                return NameRef::LocalImport(*at);
                            }
                        }
                        return NameRef::Local;
                    }
                    in_function = true;
                }
                FrameKind::Module => return NameRef::Global,
            }
        }
        NameRef::Global
    }

    /// The qualified name of an expression made of names, attributes and calls, through the
    /// file's imports: `sp.run` → `subprocess.run`, `Path(x).read_text` → `pathlib.Path().read_text`.
    fn qualify(&self, node: Node<'a>) -> Option<String> {
        match kind(node) {
            Kind::Identifier => {
                let name = self.text(node);
                match self.resolve(name) {
                    NameRef::Global => {
                        if let Some(q) = self.aliases.get(name) {
                            if !self.module_defs.contains(name) {
                                return Some(q.clone());
                            }
                        }
                        if let Some(callee) = self.frames.first().and_then(|f| f.call_bindings.get(name)) {
                            return Some(format!("{callee}()"));
                        }
                        if self.module_defs.contains(name) {
                            Some(format!(".{name}"))
                        } else {
                            self.aliases.get(name).cloned().or_else(|| Some(name.to_string()))
                        }
                    }
                    NameRef::LocalImport(_) => self.aliases.get(name).cloned(),
                    NameRef::Local => {
                        let frame = self.frames.iter().rev().find(|f| f.names.is_local(name))?;
                        frame.call_bindings.get(name).map(|c| format!("{c}()"))
                    }
                    _ => None,
                }
            }
            Kind::Attribute => {
                let object = self.kids.child(node, Field::Object)?;
                let attr = self.kids.child(node, Field::Attribute)?;
                Some(format!("{}.{}", self.qualify(object)?, self.text(attr)))
            }
            Kind::Call => Some(format!("{}()", self.qualify(self.kids.child(node, Field::Function)?)?)),
            Kind::ParenthesizedExpression => self.qualify(node.named_child(0)?),
            _ => None,
        }
    }

    /// The object a mutation changes, when it is reached from a name by attributes, items and
    /// `.get()`: `(base node, attrs, deep)`.
    fn target_path(&self, node: Node<'a>) -> Option<(Node<'a>, Vec<String>, bool)> {
        let mut attrs = Vec::new();
        let mut deep = false;
        let mut current = node;
        for _ in 0..64 {
            match kind(current) {
                Kind::Identifier => {
                    attrs.reverse();
                    return Some((current, attrs, deep));
                }
                Kind::Attribute => {
                    let attr = self.kids.child(current, Field::Attribute)?;
                    attrs.push(self.text(attr).to_string());
                    current = self.kids.child(current, Field::Object)?;
                }
                // The walk goes from the outside in: attributes met before an item belong to
                // the element, those after it lead to the container.
                Kind::Subscript => {
                    deep = true;
                    attrs.clear();
                    current = self.kids.child(current, Field::Value)?;
                }
                Kind::Call => {
                    let function = self.kids.child(current, Field::Function)?;
                    if kind(function) != Kind::Attribute {
                        return None;
                    }
                    let method = self.text(self.kids.child(function, Field::Attribute)?);
                    if !ELEMENT_METHODS.contains(&method) {
                        return None;
                    }
                    deep = true;
                    attrs.clear();
                    current = self.kids.child(function, Field::Object)?;
                }
                Kind::ParenthesizedExpression => current = current.named_child(0)?,
                _ => return None,
            }
        }
        None
    }

    fn record_mutation(&mut self, object: Node<'a>, kind: MutationKind, at: Node<'a>) {
        let Some((base, attrs, deep)) = self.target_path(object) else { return };
        let name = self.text(base).to_string();
        let base_ref = self.resolve(&name);
        match &base_ref {
            NameRef::Local | NameRef::ClassLocal => return,
            // `self.x = v` creates instance state, recorded on the class; `self.x.append(v)`
            // may change class state and is kept.
            NameRef::SelfParam { class, classmethod } => {
                if let (MutationKind::SetAttr(attr), true, false) = (&kind, attrs.is_empty(), *classmethod) {
                    if let Some(&index) = self.class_index.get(class) {
                        let attrs = &mut self.facts.classes[index].instance_attrs;
                        if !attrs.contains(attr) {
                            attrs.push(attr.clone());
                        }
                    }
                    return;
                }
                if attrs.is_empty() && !deep {
                    return;
                }
            }
            NameRef::Global | NameRef::LocalImport(_) => {}
        }
        // The module cache and the environment have rules of their own.
        if let Some(q) = self.qualify(object) {
            if q == "sys.modules" || q == "os.environ" || q == "os.environb" {
                return;
            }
        }
        self.facts.mutations.push(Mutation {
            target: Target { base: name, base_ref, attrs, deep },
            kind,
            range: range(at),
            scope: self.ctx,
            value: None,
        });
    }

    fn effect(&mut self, kind: EffectKind, what: String, at: Node<'a>) {
        self.facts.effects.push(Effect { kind, what, range: range(at), scope: self.ctx });
    }

    fn block(&mut self, node: Node<'a>) {
        let kids = self.kids;
        for part in kids.iter(node, Which::NamedCode) {
            self.stmt(part);
        }
    }

    fn field_block(&mut self, node: Node<'a>, field: Field) {
        if let Some(block) = self.kids.child(node, field) {
            self.block(block);
        }
    }

    fn with_ctx(&mut self, change: impl FnOnce(&mut Scope), f: impl FnOnce(&mut Self)) {
        let saved = self.ctx;
        change(&mut self.ctx);
        f(self);
        self.ctx = saved;
    }

    fn stmt(&mut self, node: Node<'a>) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        if let Some(frame) = self.frames.iter().rev().find(|f| matches!(f.kind, FrameKind::Function(_))) {
            if frame.seen_yield {
                self.ctx.teardown = true;
            }
        }
        let kids = self.kids;
        match kind(node) {
            Kind::ExpressionStatement => {
                for part in kids.iter(node, Which::NamedCode) {
                    match kind(part) {
                        Kind::Assignment => self.assignment(part),
                        Kind::AugmentedAssignment => self.augmented_assignment(part),
                        _ => self.expr(part),
                    }
                }
            }
            Kind::IfStatement => self.if_statement(node),
            Kind::ForStatement => {
                if let Some(right) = self.kids.child(node, Field::Right) {
                    self.expr(right);
                }
                if let Some(left) = self.kids.child(node, Field::Left) {
                    self.target(left, None, None);
                }
                self.field_block(node, Field::Body);
                if let Some(orelse) = self.kids.child(node, Field::Alternative) {
                    self.field_block(orelse, Field::Body);
                }
            }
            Kind::WhileStatement => {
                if let Some(condition) = self.kids.child(node, Field::Condition) {
                    self.expr(condition);
                }
                self.field_block(node, Field::Body);
                if let Some(orelse) = self.kids.child(node, Field::Alternative) {
                    self.field_block(orelse, Field::Body);
                }
            }
            Kind::WithStatement => {
                for clause in kids.iter(node, Which::NamedCode) {
                    if kind(clause) != Kind::WithClause {
                        continue;
                    }
                    for item in kids.iter(clause, Which::NamedCode) {
                        let value = self.kids.child(item, Field::Value).unwrap_or(item);
                        if kind(value) != Kind::AsPattern {
                            self.expr(value);
                            continue;
                        }
                        for part in kids.iter(value, Which::NamedCode) {
                            if kind(part) != Kind::AsPatternTarget {
                                self.expr(part);
                                continue;
                            }
                            // `with Guard() as os.environ:` is undone by the context manager;
                            // only names bound here are recorded.
                            for target in kids.iter(part, Which::NamedCode) {
                                if kind(target) == Kind::Attribute {
                                    if let Some(object) = self.kids.child(target, Field::Object) {
                                        self.expr(object);
                                    }
                                } else {
                                    self.target(target, None, None);
                                }
                            }
                        }
                    }
                }
                self.field_block(node, Field::Body);
            }
            Kind::TryStatement => {
                self.field_block(node, Field::Body);
                for clause in kids.iter(node, Which::NamedCode) {
                    match kind(clause) {
                        Kind::ExceptClause | Kind::ExceptGroupClause => {
                            let alias = self.kids.child(clause, Field::Alias);
                            for part in kids.iter(clause, Which::NamedCode) {
                                if kind(part) == Kind::Block {
                                    self.block(part);
                                } else if Some(part) != alias {
                                    self.expr(part);
                                }
                            }
                        }
                        Kind::ElseClause => self.field_block(clause, Field::Body),
                        Kind::FinallyClause => {
                            self.with_ctx(
                                |ctx| ctx.teardown = true,
                                |this| {
                                    for block in kids.iter(clause, Which::NamedCode) {
                                        if kind(block) == Kind::Block {
                                            this.block(block);
                                        }
                                    }
                                },
                            );
                        }
                        _ => {}
                    }
                }
            }
            Kind::FunctionDefinition => self.function_definition(node, &[]),
            Kind::ClassDefinition => self.class_definition(node, &[]),
            Kind::DecoratedDefinition => {
                let decorators: Vec<Node<'a>> = self.named_children(node).into_iter().filter(|c| kind(*c) == Kind::Decorator).collect();
                for decorator in &decorators {
                    for e in self.named_children(*decorator) {
                        self.expr(e);
                    }
                }
                if let Some(def) = self.kids.child(node, Field::Definition) {
                    match kind(def) {
                        Kind::FunctionDefinition => self.function_definition(def, &decorators),
                        Kind::ClassDefinition => self.class_definition(def, &decorators),
                        _ => {}
                    }
                }
            }
            Kind::GlobalStatement => {
                let function = match self.frames.last().map(|f| &f.kind) {
                    Some(FrameKind::Function(r)) => Some(*r),
                    _ => None,
                };
                if let Some(function) = function {
                    let names: Vec<String> = self.named_children(node).into_iter().map(|c| self.text(c).to_string()).collect();
                    let sites = &self.frames.last().map(|f| &f.names.sites);
                    let mut rebinds: Vec<(String, TextRange)> = Vec::new();
                    if let Some(sites) = sites {
                        for (name, at) in sites.iter() {
                            if names.contains(name) && !rebinds.iter().any(|(n, _)| n == name) {
                                rebinds.push((name.clone(), *at));
                            }
                        }
                    }
                    self.facts.globals.push(GlobalDecl { names, range: range(node), function, rebinds });
                }
            }
            Kind::DeleteStatement => {
                for target in kids.iter(node, Which::NamedCode) {
                    self.delete_target(target, node);
                }
            }
            Kind::MatchStatement => {
                if let Some(subject) = self.kids.child(node, Field::Subject) {
                    self.expr(subject);
                }
                if let Some(body) = self.kids.child(node, Field::Body) {
                    for case in kids.iter(body, Which::NamedCode) {
                        if kind(case) == Kind::CaseClause {
                            self.field_block(case, Field::Consequence);
                        }
                    }
                }
            }
            Kind::ImportStatement | Kind::ImportFromStatement | Kind::FutureImportStatement | Kind::PassStatement
            | Kind::BreakStatement | Kind::ContinueStatement | Kind::NonlocalStatement | Kind::Comment | Kind::TypeAliasStatement => {}
            Kind::Error | Kind::Block | Kind::Module => {
                for part in kids.iter(node, Which::NamedCode) {
                    self.stmt(part);
                }
            }
            _ => self.expr(node),
        }
        self.depth -= 1;
    }

    fn classify_cond(&self, node: Node<'a>) -> CondKind {
        match kind(node) {
            Kind::ParenthesizedExpression => node.named_child(0).map(|c| self.classify_cond(c)).unwrap_or(CondKind::Unknown),
            Kind::NotOperator => {
                self.kids.child(node, Field::Argument).map(|a| self.classify_cond(a).negate()).unwrap_or(CondKind::Unknown)
            }
            Kind::TrueLiteral => CondKind::True,
            Kind::FalseLiteral | Kind::NoneLiteral => CondKind::False,
            Kind::Integer => {
                if self.text(node).trim_start_matches("0x").trim_start_matches('0').is_empty() {
                    CondKind::False
                } else {
                    CondKind::True
                }
            }
            Kind::Identifier if self.text(node) == "TYPE_CHECKING" => CondKind::TypeChecking,
            Kind::Attribute
                if self.kids.child(node, Field::Attribute).is_some_and(|a| self.text(a) == "TYPE_CHECKING") =>
            {
                CondKind::TypeChecking
            }
            Kind::ComparisonOperator => {
                let operands = self.named_children(node);
                if operands.len() != 2 {
                    return CondKind::Unknown;
                }
                let is_name = |n: Node<'a>| kind(n) == Kind::Identifier && self.text(n) == "__name__";
                let is_main = |n: Node<'a>| string_value(n, self.text, self.kids).as_deref() == Some("__main__");
                if !((is_name(operands[0]) && is_main(operands[1])) || (is_main(operands[0]) && is_name(operands[1]))) {
                    return CondKind::Unknown;
                }
                let mut cursor = node.walk();
                let op = node.children(&mut cursor).find(|c| !c.is_named()).map(|c| self.text(c));
                match op {
                    Some("==") => CondKind::Main,
                    Some("!=") => CondKind::NotMain,
                    _ => CondKind::Unknown,
                }
            }
            Kind::BooleanOperator => {
                let op = self.kids.child(node, Field::Operator).map(|o| self.text(o));
                let left = self.kids.child(node, Field::Left).map(|l| self.classify_cond(l)).unwrap_or(CondKind::Unknown);
                let right = self.kids.child(node, Field::Right).map(|r| self.classify_cond(r)).unwrap_or(CondKind::Unknown);
                match op {
                    // `A and B` cannot run on import when either side cannot.
                    Some("and") => [left, right]
                        .into_iter()
                        .find(|c| matches!(c, CondKind::Main | CondKind::TypeChecking | CondKind::False))
                        .unwrap_or(CondKind::Unknown),
                    _ if left == right => left,
                    _ => CondKind::Unknown,
                }
            }
            _ => CondKind::Unknown,
        }
    }

    fn if_statement(&mut self, node: Node<'a>) {
        let Some(condition) = self.kids.child(node, Field::Condition) else { return };
        self.expr(condition);
        let cond = self.classify_cond(condition);
        let consequence = self.kids.child(node, Field::Consequence);
        self.with_ctx(
            |ctx| {
                if let Some(guard) = cond.guard() {
                    ctx.guard = guard;
                }
            },
            |this| {
                if let Some(block) = consequence {
                    this.block(block);
                }
            },
        );
        let mut cursor = node.walk();
        let alternatives: Vec<Node<'a>> = node.children_by_field_name("alternative", &mut cursor).collect();
        let single = alternatives.len() == 1;
        for alt in alternatives {
            match kind(alt) {
                Kind::ElifClause => {
                    let elif_cond = self.kids.child(alt, Field::Condition);
                    if let Some(c) = elif_cond {
                        self.expr(c);
                    }
                    let kind = elif_cond.map(|c| self.classify_cond(c)).unwrap_or(CondKind::Unknown);
                    self.with_ctx(
                        |ctx| {
                            if let Some(guard) = kind.guard() {
                                ctx.guard = guard;
                            }
                        },
                        |this| this.field_block(alt, Field::Consequence),
                    );
                }
                Kind::ElseClause => {
                    // The `else` of `if __name__ != "__main__":` runs only in the script.
                    let negated = if single { cond.negate() } else { CondKind::Unknown };
                    self.with_ctx(
                        |ctx| {
                            if let Some(guard) = negated.guard() {
                                ctx.guard = guard;
                            }
                        },
                        |this| this.field_block(alt, Field::Body),
                    );
                }
                _ => {}
            }
        }
    }

    /// A method's first parameter and whether it is a class (for `classmethod`s).
    fn self_param(&self, node: Node<'a>, decorators: &[String], name: &str) -> Option<(String, TextRange, bool)> {
        let class = self.current_class()?;
        if decorators.iter().any(|d| d == "staticmethod") {
            return None;
        }
        let classmethod = decorators.iter().any(|d| d == "classmethod")
            || matches!(name, "__new__" | "__init_subclass__" | "__class_getitem__");
        let ident = first_parameter(node, self.kids)?;
        Some((self.text(ident).to_string(), class, classmethod))
    }

    fn decorator_names(&self, decorators: &[Node<'a>]) -> Vec<String> {
        decorators
            .iter()
            .filter_map(|d| d.named_child(0))
            .map(|e| {
                let callee = if kind(e) == Kind::Call { self.kids.child(e, Field::Function).unwrap_or(e) } else { e };
                self.text(callee).to_string()
            })
            .collect()
    }

    /// Walks parameter defaults (they run when the `def` runs) and returns the parameter names.
    fn parameters(&mut self, params: Option<Node<'a>>, names: &mut ScopeNames) -> Vec<String> {
        let mut out = Vec::new();
        let Some(params) = params else { return out };
        for param in self.named_children(params) {
            if let Some(value) = self.kids.child(param, Field::Value) {
                self.expr(value);
            }
            let ident = match kind(param) {
                Kind::Identifier => Some(param),
                Kind::DefaultParameter | Kind::TypedDefaultParameter => self.kids.child(param, Field::Name),
                Kind::TypedParameter | Kind::ListSplatPattern | Kind::DictionarySplatPattern => {
                    let first = self.named_children(param).into_iter().next();
                    match first {
                        Some(f) if kind(f) == Kind::Identifier => Some(f),
                        Some(f) => self.named_children(f).into_iter().find(|c| kind(*c) == Kind::Identifier),
                        None => None,
                    }
                }
                _ => None,
            };
            if let Some(ident) = ident.filter(|i| kind(*i) == Kind::Identifier) {
                let name = self.text(ident).to_string();
                names.bind(&name, range(ident));
                out.push(name);
            }
        }
        out
    }

    fn function_definition(&mut self, node: Node<'a>, decorators: &[Node<'a>]) {
        let Some(name_node) = self.kids.child(node, Field::Name) else { return };
        let name = self.text(name_node).to_string();
        let decorator_names = self.decorator_names(decorators);
        let mut names = ScopeNames::default();
        let params = self.parameters(self.kids.child(node, Field::Parameters), &mut names);
        let self_param = self.self_param(node, &decorator_names, &name);
        if let Some(body) = self.kids.child(node, Field::Body) {
            scope_names(body, &self.name_scan(), &mut names, 0);
        }
        let is_fixture = decorator_names.iter().any(|d| d.rsplit('.').next().is_some_and(|last| last == "fixture"));
        let lower = name.to_ascii_lowercase();
        // By name too: `restore_x()`, `reset()`, `cleanup()`, `unpatch()`, `unfakehttp()`.
        let undoes = ["restore", "reset", "cleanup", "clean_up", "teardown", "tear_down", "undo"].iter().any(|w| lower.contains(w))
            || (lower.starts_with("un") && !lower.starts_with("unit") && !lower.starts_with("uni") && lower.len() > 4);
        let teardown = TEARDOWN_FUNCTIONS.contains(&name.as_str()) || undoes;
        let setup = SETUP_FUNCTIONS.contains(&name.as_str()) || is_fixture;
        self.facts.functions.push(FunctionFacts {
            name,
            range: range(node),
            name_range: range(name_node),
            class: self.current_class(),
            decorators: decorator_names,
            params,
        });
        self.push_frame(FrameKind::Function(range(node)), names, self_param);
        self.with_ctx(
            |ctx| {
                ctx.function = Some(range(node));
                ctx.class = None;
                ctx.setup = setup;
                ctx.teardown = teardown;
            },
            |this| this.field_block(node, Field::Body),
        );
        self.pop_frame();
    }

    fn class_definition(&mut self, node: Node<'a>, decorators: &[Node<'a>]) {
        let Some(name_node) = self.kids.child(node, Field::Name) else { return };
        let mut bases = Vec::new();
        if let Some(superclasses) = self.kids.child(node, Field::Superclasses) {
            for base in self.named_children(superclasses) {
                if kind(base) != Kind::KeywordArgument {
                    bases.push(self.qualify(base).unwrap_or_else(|| self.text(base).to_string()));
                }
            }
            self.expr(superclasses);
        }
        let module_level = self.frames.iter().all(|f| matches!(f.kind, FrameKind::Module));
        let index = self.facts.classes.len();
        self.facts.classes.push(ClassFacts {
            name: self.text(name_node).to_string(),
            range: range(node),
            name_range: range(name_node),
            bases,
            decorators: self.decorator_names(decorators),
            module_level,
            instance_attrs: Vec::new(),
        });
        self.class_index.insert(range(node), index);
        let mut names = ScopeNames::default();
        if let Some(body) = self.kids.child(node, Field::Body) {
            scope_names(body, &self.name_scan(), &mut names, 0);
        }
        self.push_frame(FrameKind::Class(range(node)), names, None);
        self.with_ctx(|ctx| ctx.class = Some(range(node)), |this| this.field_block(node, Field::Body));
        self.pop_frame();
    }

    fn assignment(&mut self, node: Node<'a>) {
        // `a = b = value`: every target gets the innermost value.
        let mut targets = Vec::new();
        let mut current = node;
        let mut annotation = None;
        let value = loop {
            if let Some(left) = self.kids.child(current, Field::Left) {
                targets.push(left);
            }
            if annotation.is_none() {
                annotation = self.kids.child(current, Field::Type);
            }
            match self.kids.child(current, Field::Right) {
                Some(right) if kind(right) == Kind::Assignment => current = right,
                Some(right) if kind(right) == Kind::AugmentedAssignment => {
                    self.augmented_assignment(right);
                    break None;
                }
                other => break other,
            }
        };
        if let Some(value) = value {
            self.expr(value);
        } else if annotation.is_some() && targets.len() == 1 {
            // `x: int` binds nothing.
            return;
        }
        let annotation = annotation.map(|a| self.text(a).to_string());
        for target in targets {
            self.target(target, value, annotation.as_deref());
        }
    }

    fn augmented_assignment(&mut self, node: Node<'a>) {
        if let Some(right) = self.kids.child(node, Field::Right) {
            self.expr(right);
        }
        let Some(left) = self.kids.child(node, Field::Left) else { return };
        match kind(left) {
            Kind::Identifier => {
                // At module level this is initialisation; in a function it is a mutation only
                // of a name declared `global`.
                if !self.at_module_level() && self.current_class().is_none() {
                    self.record_mutation(left, MutationKind::AugAssign, node);
                }
            }
            Kind::Attribute => self.record_mutation(left, MutationKind::AugAssign, node),
            Kind::Subscript => {
                if let Some(index) = self.kids.child(left, Field::Subscript) {
                    self.expr(index);
                }
                if let Some(value) = self.kids.child(left, Field::Value) {
                    self.record_mutation(value, MutationKind::SetItem, node);
                }
            }
            _ => self.expr(left),
        }
    }

    /// An assignment target; `value` is the assigned expression when it is known per target.
    fn target(&mut self, node: Node<'a>, value: Option<Node<'a>>, annotation: Option<&str>) {
        match kind(node) {
            Kind::Identifier => {
                let name = self.text(node).to_string();
                let class = self.current_class();
                if self.at_module_level() || class.is_some() {
                    let classified = value.map(|v| self.classify_value(v)).unwrap_or(Value::Other);
                    if let (Value::Call { callee, .. }, Some(frame)) = (&classified, self.frames.last_mut()) {
                        frame.call_bindings.insert(name.clone(), callee.clone());
                    }
                    self.facts.bindings.push(Binding {
                        name,
                        range: range(node),
                        value: classified,
                        class,
                        guard: self.ctx.guard,
                        annotation: annotation.map(str::to_string),
                        value_range: value.map(range),
                        value_text: value.and_then(|v| short_text(v, self.text)),
                    });
                } else if let Some(value) = value {
                    if kind(value) == Kind::Call {
                        if let Some(callee) = self.kids.child(value, Field::Function).and_then(|f| self.qualify(f)) {
                            if let Some(frame) = self.frames.last_mut() {
                                frame.call_bindings.insert(name, callee);
                            }
                        }
                    }
                }
            }
            Kind::PatternList | Kind::TuplePattern | Kind::ListPattern | Kind::Tuple | Kind::List | Kind::ExpressionList
            | Kind::ParenthesizedExpression => {
                let parts = self.named_children(node);
                // `a, b = [], {}`: pair the targets with the values.
                let values: Option<Vec<Node<'a>>> = value
                    .filter(|v| matches!(kind(*v), Kind::ExpressionList | Kind::Tuple | Kind::List))
                    .map(|v| self.named_children(v))
                    .filter(|vs| vs.len() == parts.len() && kind(node) != Kind::ParenthesizedExpression);
                for (i, part) in parts.iter().enumerate() {
                    let v = match (&values, node.kind()) {
                        (Some(vs), _) => vs.get(i).copied(),
                        (None, "parenthesized_expression") => value,
                        _ => None,
                    };
                    self.target(*part, v, None);
                }
            }
            Kind::ListSplatPattern | Kind::ListSplat => {
                for part in self.named_children(node) {
                    self.target(part, None, None);
                }
            }
            Kind::Attribute => {
                if let (Some(object), Some(attr)) = (self.kids.child(node, Field::Object), self.kids.child(node, Field::Attribute)) {
                    let attr = self.text(attr).to_string();
                    let before = self.facts.mutations.len();
                    self.record_mutation(object, MutationKind::SetAttr(attr), node);
                    if let (Some(recorded), Some(value)) = (self.facts.mutations.get_mut(before), value) {
                        recorded.value = short_text(value, self.text);
                    }
                    if self.target_path(object).is_none() {
                        self.expr(object);
                    }
                }
            }
            Kind::Subscript => {
                if let Some(index) = self.kids.child(node, Field::Subscript) {
                    self.expr(index);
                }
                let Some(object) = self.kids.child(node, Field::Value) else { return };
                if self.qualify(object).as_deref() == Some("sys.modules") {
                    let key = self.kids.child(node, Field::Subscript).map(|k| self.module_key(k)).unwrap_or(ModuleKey::None);
                    self.facts.sys_modules.push(SysModulesOp {
                        kind: SysModulesKind::Set,
                        key,
                        range: range(node.parent().unwrap_or(node)),
                        scope: self.ctx,
                    });
                    return;
                }
                let statement = node.parent().filter(|p| kind(*p) == Kind::Assignment).unwrap_or(node);
                self.record_mutation(object, MutationKind::SetItem, statement);
                if self.target_path(object).is_none() {
                    self.expr(object);
                }
            }
            _ => self.expr(node),
        }
    }

    fn delete_target(&mut self, node: Node<'a>, statement: Node<'a>) {
        match kind(node) {
            Kind::ExpressionList | Kind::Tuple | Kind::ParenthesizedExpression | Kind::List => {
                for child in self.named_children(node) {
                    self.delete_target(child, statement);
                }
            }
            Kind::Subscript => {
                if let Some(index) = self.kids.child(node, Field::Subscript) {
                    self.expr(index);
                }
                let Some(object) = self.kids.child(node, Field::Value) else { return };
                if self.qualify(object).as_deref() == Some("sys.modules") {
                    let key = self.kids.child(node, Field::Subscript).map(|k| self.module_key(k)).unwrap_or(ModuleKey::None);
                    self.facts.sys_modules.push(SysModulesOp {
                        kind: SysModulesKind::Delete,
                        key,
                        range: range(statement),
                        scope: self.ctx,
                    });
                    return;
                }
                self.record_mutation(object, MutationKind::DelItem, statement);
            }
            Kind::Attribute => {
                if let (Some(object), Some(attr)) = (self.kids.child(node, Field::Object), self.kids.child(node, Field::Attribute)) {
                    let attr = self.text(attr).to_string();
                    self.record_mutation(object, MutationKind::DelAttr(attr), statement);
                }
            }
            _ => {}
        }
    }

    fn module_key(&self, key: Node<'a>) -> ModuleKey {
        if let Some(value) = string_value(key, self.text, self.kids) {
            return ModuleKey::Literal(value);
        }
        if kind(key) == Kind::Identifier && self.text(key) == "__name__" {
            return ModuleKey::OwnName;
        }
        let text = self.text(key);
        let short: String = text.chars().take(40).collect();
        ModuleKey::Expr(if short.len() < text.len() { format!("{short}…") } else { short })
    }

    /// What kind of value an expression builds.
    fn classify_value(&self, node: Node<'a>) -> Value {
        let mutable = |kind: &str| Value::Mutable { kind: kind.to_string() };
        match kind(node) {
            Kind::List | Kind::ListComprehension => mutable("list"),
            Kind::Dictionary | Kind::DictionaryComprehension => mutable("dict"),
            Kind::Set | Kind::SetComprehension => mutable("set"),
            Kind::Tuple | Kind::String | Kind::ConcatenatedString | Kind::Integer | Kind::Float | Kind::TrueLiteral | Kind::FalseLiteral | Kind::NoneLiteral | Kind::Lambda
            | Kind::UnaryOperator => Value::Immutable,
            Kind::ParenthesizedExpression => node.named_child(0).map(|c| self.classify_value(c)).unwrap_or(Value::Other),
            Kind::BinaryOperator => {
                // `[0] * 8` and `[a] + [b]` are lists.
                let left = self.kids.child(node, Field::Left).map(|l| self.classify_value(l));
                match left {
                    Some(Value::Mutable { kind }) if kind == "list" => mutable("list"),
                    _ => Value::Other,
                }
            }
            Kind::ConditionalExpression => {
                let parts: Vec<Value> = self.named_children(node).into_iter().map(|c| self.classify_value(c)).collect();
                match (parts.first(), parts.get(2)) {
                    (Some(a @ Value::Mutable { .. }), Some(b)) if a == b => a.clone(),
                    _ => Value::Other,
                }
            }
            Kind::Call => {
                let Some(callee) = self.kids.child(node, Field::Function).and_then(|f| self.qualify(f)) else {
                    return Value::Other;
                };
                let kind = match callee.as_str() {
                    "list" | "builtins.list" => "list",
                    "dict" | "builtins.dict" | "dict.fromkeys" => "dict",
                    "set" | "builtins.set" => "set",
                    "bytearray" => "bytearray",
                    "collections.defaultdict" => "defaultdict",
                    "collections.OrderedDict" => "OrderedDict",
                    "collections.Counter" => "Counter",
                    "collections.deque" => "deque",
                    "collections.ChainMap" => "ChainMap",
                    "weakref.WeakValueDictionary" => "WeakValueDictionary",
                    "weakref.WeakKeyDictionary" => "WeakKeyDictionary",
                    "weakref.WeakSet" => "WeakSet",
                    "array.array" => "array",
                    "tuple" | "frozenset" | "str" | "bytes" | "int" | "float" | "bool" | "complex" | "range"
                    | "object" | "types.MappingProxyType" => return Value::Immutable,
                    _ => {
                        let written = self.kids.child(node, Field::Function).map(|f| self.text(f).to_string()).unwrap_or_default();
                        return Value::Call { callee, written };
                    }
                };
                mutable(kind)
            }
            _ => Value::Other,
        }
    }

    /// The events of an expression: calls, environment reads, nested scopes.
    fn expr(&mut self, node: Node<'a>) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match kind(node) {
            Kind::Identifier | Kind::String | Kind::Integer | Kind::Float | Kind::TrueLiteral | Kind::FalseLiteral | Kind::NoneLiteral | Kind::Comment | Kind::Ellipsis => {}
            Kind::Call => self.call(node),
            Kind::Subscript => {
                if let Some(object) = self.kids.child(node, Field::Value) {
                    if let Some(q) = self.qualify(object) {
                        if q == "os.environ" || q == "os.environb" {
                            self.effect(EffectKind::EnvRead, format!("{q}[…]"), node);
                        }
                    }
                }
                for child in self.named_children(node) {
                    self.expr(child);
                }
            }
            Kind::ComparisonOperator => {
                let mut cursor = node.walk();
                let children: Vec<Node<'a>> = node.children(&mut cursor).collect();
                for (i, child) in children.iter().enumerate() {
                    if !child.is_named() && matches!(self.text(*child), "in" | "not in") {
                        if let Some(right) = children.get(i + 1) {
                            if let Some(q) = self.qualify(*right) {
                                if q == "os.environ" || q == "os.environb" {
                                    self.effect(EffectKind::EnvRead, format!("… in {q}"), node);
                                }
                            }
                        }
                    }
                }
                for child in self.named_children(node) {
                    self.expr(child);
                }
            }
            Kind::Lambda => {
                let mut names = ScopeNames::default();
                // Lambda parameters bind like a function's; their defaults run now.
                let params = self.kids.child(node, Field::Parameters);
                self.parameters(params, &mut names);
                if let Some(body) = self.kids.child(node, Field::Body) {
                    scope_names(body, &self.name_scan(), &mut names, 0);
                }
                self.push_frame(FrameKind::Lambda, names, None);
                self.with_ctx(
                    |ctx| {
                        ctx.function = Some(range(node));
                        ctx.class = None;
                    },
                    |this| {
                        if let Some(body) = self.kids.child(node, Field::Body) {
                            this.expr(body);
                        }
                    },
                );
                self.pop_frame();
            }
            Kind::ListComprehension | Kind::SetComprehension | Kind::DictionaryComprehension | Kind::GeneratorExpression => {
                let mut names = ScopeNames::default();
                for clause in self.named_children(node).into_iter().filter(|c| kind(*c) == Kind::ForInClause) {
                    if let Some(left) = self.kids.child(clause, Field::Left) {
                        bind_pattern(left, &self.name_scan(), &mut names, 0);
                    }
                }
                self.push_frame(FrameKind::Comprehension, names, None);
                for child in self.named_children(node) {
                    if kind(child) == Kind::ForInClause {
                        let mut cursor = child.walk();
                        let rights: Vec<Node<'a>> = child.children_by_field_name("right", &mut cursor).collect();
                        for right in rights {
                            self.expr(right);
                        }
                    } else {
                        self.expr(child);
                    }
                }
                self.pop_frame();
            }
            Kind::Yield | Kind::Await => {
                if kind(node) == Kind::Yield {
                    if let Some(frame) = self.innermost_function_frame() {
                        frame.seen_yield = true;
                    }
                }
                for child in self.named_children(node) {
                    self.expr(child);
                }
            }
            Kind::KeywordArgument => {
                if let Some(value) = self.kids.child(node, Field::Value) {
                    self.expr(value);
                }
            }
            Kind::NamedExpression => {
                if let Some(value) = self.kids.child(node, Field::Value) {
                    self.expr(value);
                }
            }
            // Facts come from calls, subscripts, `in` and `yield`, each with its token: an
            // expression whose text holds none of them is passed over.
            _ if !node.has_error() && !any_within(&self.fact_marks, node) => {}
            _ => {
                let kids = self.kids;
                for part in kids.iter(node, Which::NamedCode) {
                    self.expr(part);
                }
            }
        }
        self.depth -= 1;
    }

    fn call(&mut self, node: Node<'a>) {
        let function = self.kids.child(node, Field::Function);
        let arguments = self.kids.child(node, Field::Arguments);
        let args: Vec<Node<'a>> = arguments.map(|v| self.named_children(v)).unwrap_or_default();
        // `object.method(…)`: the parts are looked up once, and the object qualified once, for
        // both the callee's qualified name and the method's receiver.
        let (object, method_node) = match function {
            Some(f) if kind(f) == Kind::Attribute => (self.kids.child(f, Field::Object), self.kids.child(f, Field::Attribute)),
            _ => (None, None),
        };
        let method = method_node.map(|a| self.text(a).to_string());
        let object_q = object.and_then(|o| self.qualify(o));
        let qualified = match function {
            Some(f) if kind(f) == Kind::Attribute => match (&object_q, &method) {
                (Some(q), Some(m)) => Some(format!("{q}.{m}")),
                _ => None,
            },
            Some(f) => self.qualify(f),
            None => None,
        };

        if let Some(q) = &qualified {
            if matches!(q.as_str(), "importlib.reload" | "imp.reload") {
                self.reload(node, args.first().copied());
            }
            let effect = self.classify_effect(q, &args);
            if let Some(kind) = effect {
                self.effect(kind, format!("{}()", display_callee(q)), node);
            }
        }
        if object_q.as_deref() == Some("sys.modules") {
            let kind = match method.as_deref() {
                Some("pop") => Some(SysModulesKind::Pop),
                Some("popitem") => Some(SysModulesKind::PopItem),
                Some("clear") => Some(SysModulesKind::Clear),
                Some("__delitem__") => Some(SysModulesKind::Delete),
                Some("setdefault") => Some(SysModulesKind::SetDefault),
                Some("__setitem__") => Some(SysModulesKind::Set),
                _ => None,
            };
            if let Some(kind) = kind {
                let key = args.first().map(|a| self.module_key(*a)).unwrap_or(ModuleKey::None);
                self.facts.sys_modules.push(SysModulesOp { kind, key, range: range(node), scope: self.ctx });
            }
        } else if let (Some(method), Some(object)) = (&method, object) {
            if MUTATING_METHODS.contains(&method.as_str()) {
                self.record_mutation(object, MutationKind::Method(method.clone()), node);
            }
        }
        if let Some(function) = function {
            self.expr(function);
        }
        let cleanup = method.as_deref().is_some_and(|m| CLEANUP_REGISTRARS.contains(&m));
        if cleanup || self.ctx.teardown {
            // A registered callback, or a call made while undoing a test (`os.environ.__exit__()`
            // in `tearDown`): either way it may restore what its arguments name.
            let mut mentions = Vec::new();
            if !cleanup {
                if let Some(function) = function {
                    self.mentions(function, &mut mentions, 0);
                }
            }
            for arg in &args {
                self.mentions(*arg, &mut mentions, 0);
            }
            self.facts.cleanups.push(Cleanup { range: range(node), scope: self.ctx, mentions });
        }
        if let Some(arguments) = arguments {
            self.with_ctx(|ctx| ctx.teardown |= cleanup, |this| this.expr(arguments));
        }
    }

    /// The identifiers, attribute names and string values of an expression.
    fn mentions(&self, node: Node<'a>, out: &mut Vec<String>, depth: u32) {
        if depth > 16 || out.len() > 32 {
            return;
        }
        match kind(node) {
            Kind::Identifier => out.push(self.text(node).to_string()),
            Kind::String => out.extend(string_value(node, self.text, self.kids)),
            _ => {
                for child in self.named_children(node) {
                    self.mentions(child, out, depth + 1);
                }
            }
        }
    }

    fn reload(&mut self, call: Node<'a>, arg: Option<Node<'a>>) {
        let arg = match arg {
            None => ReloadArg::Missing,
            Some(a) => match kind(a) {
                Kind::String | Kind::ConcatenatedString => ReloadArg::Str(self.text(a).to_string()),
                Kind::Integer | Kind::Float | Kind::List | Kind::Dictionary | Kind::Tuple | Kind::Set | Kind::TrueLiteral | Kind::FalseLiteral | Kind::NoneLiteral => {
                    ReloadArg::Literal(self.text(a).to_string())
                }
                Kind::Identifier | Kind::Attribute => {
                    let mut attrs = Vec::new();
                    let mut current = a;
                    while kind(current) == Kind::Attribute {
                        match (self.kids.child(current, Field::Attribute), self.kids.child(current, Field::Object)) {
                            (Some(attr), Some(object)) => {
                                attrs.push(self.text(attr).to_string());
                                current = object;
                            }
                            _ => break,
                        }
                    }
                    attrs.reverse();
                    if kind(current) == Kind::Identifier {
                        let base = self.text(current).to_string();
                        let base_ref = self.resolve(&base);
                        ReloadArg::Dotted { base, base_ref, attrs }
                    } else if kind(current) == Kind::Subscript
                        && self.kids.child(current, Field::Value).and_then(|v| self.qualify(v)).as_deref() == Some("sys.modules")
                    {
                        ReloadArg::SysModules
                    } else {
                        ReloadArg::Other
                    }
                }
                Kind::Subscript if self.kids.child(a, Field::Value).and_then(|v| self.qualify(v)).as_deref() == Some("sys.modules") => {
                    ReloadArg::SysModules
                }
                _ => ReloadArg::Other,
            },
        };
        let index = self.facts.reloads.len();
        self.facts.reloads.push(Reload { range: range(call), arg, scope: self.ctx, rebound_after: Vec::new() });
        if let Some(frame) = self.frames.iter_mut().rev().find(|f| !matches!(f.kind, FrameKind::Comprehension)) {
            frame.reloads.push(index);
        }
    }

    /// The effect of calling `q` (a qualified name), if it is one the state rules know.
    fn classify_effect(&self, q: &str, args: &[Node<'a>]) -> Option<EffectKind> {
        use SideEffect::*;
        // A class of this module that extends Thread or Process starts one the same way.
        let subclass = self.thread_subclass(q);
        let q = subclass.as_deref().unwrap_or(q);
        let side = |s: SideEffect| Some(EffectKind::SideEffect(s));
        let last = q.rsplit('.').next().unwrap_or(q);
        let module = q.rsplit_once('.').map(|(m, _)| m).unwrap_or("");
        match q {
            "print" | "builtins.print" | "pprint.pprint" | "pprint.pp" | "sys.stdout.write" | "sys.stderr.write"
            | "sys.stdout.writelines" | "sys.stderr.writelines" => return side(Output),
            "input" | "builtins.input" | "getpass.getpass" => return side(Input),
            "open" | "builtins.open" | "io.open" | "codecs.open" | "os.open" | "os.makedirs" | "os.mkdir" | "os.remove"
            | "os.unlink" | "os.rmdir" | "os.removedirs" | "os.rename" | "os.renames" | "os.replace" | "os.chmod"
            | "os.chown" | "os.symlink" | "os.link" | "os.truncate" | "os.mkfifo" | "os.listdir" | "os.scandir"
            | "tempfile.mkdtemp" | "tempfile.mkstemp" | "tempfile.NamedTemporaryFile" | "tempfile.TemporaryFile"
            | "tempfile.TemporaryDirectory" | "glob.glob" => return side(FileSystem),
            "socket.socket" | "socket.create_connection" | "socket.create_server" | "socket.getaddrinfo"
            | "socket.gethostbyname" | "urllib.request.urlopen" | "urllib.request.urlretrieve" | "urllib2.urlopen"
            | "http.client.HTTPConnection" | "http.client.HTTPSConnection" | "smtplib.SMTP" | "smtplib.SMTP_SSL"
            | "ftplib.FTP" | "telnetlib.Telnet" | "webbrowser.open" => return side(Network),
            "time.sleep" => return side(Sleep),
            "os.system" | "os.popen" | "os.fork" | "os.startfile" | "pty.spawn" | "multiprocessing.Pool"
            | "multiprocessing.Process().start" => return side(Subprocess),
            "sqlite3.connect" | "psycopg2.connect" | "psycopg.connect" | "pymysql.connect" | "MySQLdb.connect"
            | "mysql.connector.connect" | "cx_Oracle.connect" | "oracledb.connect" | "pyodbc.connect"
            | "duckdb.connect" | "pymongo.MongoClient" | "sqlalchemy.create_engine().connect"
            | "sqlalchemy.create_engine().begin" => return side(Database),
            "threading.Thread().start" | "threading.Timer().start" | "_thread.start_new_thread" | "_thread.start_new" => {
                return side(Thread)
            }
            "asyncio.run" | "asyncio.get_event_loop().run_until_complete" | "asyncio.get_event_loop().run_forever" => {
                return side(EventLoop)
            }
            // `setlocale(category)` only asks.
            "locale.setlocale" if args.len() >= 2 => return side(GlobalConfig),
            "logging.basicConfig" | "logging.config.dictConfig" | "logging.config.fileConfig" | "signal.signal"
            | "os.chdir" | "os.umask" | "os.putenv" | "socket.setdefaulttimeout"
            | "sys.setrecursionlimit" => return side(GlobalConfig),
            "os.getenv" | "os.getenvb" | "os.environ.get" | "os.environ.copy" | "os.environ.items" | "os.environ.keys"
            | "os.environ.values" | "os.environ.__getitem__" | "os.environb.get" | "os.environb.copy" => {
                return Some(EffectKind::EnvRead)
            }
            "dict" | "builtins.dict" => {
                let environ = args.first().and_then(|a| self.qualify(*a));
                return matches!(environ.as_deref(), Some("os.environ" | "os.environb")).then_some(EffectKind::EnvRead);
            }
            // Clocks that only measure durations (`monotonic`, `perf_counter`) are left out: a
            // start time taken at import is what they are for.
            "uuid.uuid1" | "uuid.uuid4" | "os.urandom" | "time.time" | "time.time_ns" | "datetime.datetime.now"
            | "datetime.datetime.today" | "datetime.datetime.utcnow" | "datetime.date.today" | "pendulum.now"
            | "arrow.now" | "arrow.utcnow" | "django.utils.timezone.now" => return Some(EffectKind::Nondeterminism),
            "time.localtime" | "time.gmtime" | "time.ctime" | "time.asctime" if args.is_empty() => {
                return Some(EffectKind::Nondeterminism)
            }
            _ => {}
        }
        if module == "subprocess"
            && matches!(last, "run" | "call" | "check_call" | "check_output" | "Popen" | "getoutput" | "getstatusoutput")
        {
            return side(Subprocess);
        }
        if module == "os" && (last.starts_with("spawn") || (last.starts_with("exec") && last.len() <= 6)) {
            return side(Subprocess);
        }
        if module == "shutil"
            && matches!(
                last,
                "copy" | "copy2" | "copyfile" | "copytree" | "rmtree" | "move" | "make_archive" | "unpack_archive" | "chown"
            )
        {
            return side(FileSystem);
        }
        if matches!(module, "requests" | "httpx")
            && matches!(last, "get" | "post" | "put" | "delete" | "patch" | "head" | "options" | "request" | "stream")
        {
            return side(Network);
        }
        // `Path(…).read_text()` and the other file-touching methods of concrete paths.
        if ["pathlib.Path(", "pathlib.PosixPath(", "pathlib.WindowsPath("].iter().any(|p| q.starts_with(p))
            && matches!(
                last,
                "read_text" | "write_text" | "read_bytes" | "write_bytes" | "open" | "mkdir" | "touch" | "unlink"
                    | "rmdir" | "rename" | "replace" | "iterdir" | "symlink_to" | "chmod"
            )
        {
            return side(FileSystem);
        }
        if module == "random"
            && matches!(
                last,
                "random" | "randint" | "randrange" | "choice" | "choices" | "shuffle" | "sample" | "uniform"
                    | "triangular" | "gauss" | "normalvariate" | "lognormvariate" | "expovariate" | "vonmisesvariate"
                    | "gammavariate" | "betavariate" | "paretovariate" | "weibullvariate" | "getrandbits" | "randbytes"
                    | "binomialvariate"
            )
        {
            return Some(EffectKind::Nondeterminism);
        }
        if module == "secrets" && (last.starts_with("token_") || matches!(last, "choice" | "randbelow" | "randbits")) {
            return Some(EffectKind::Nondeterminism);
        }
        if module == "numpy.random"
            && matches!(
                last,
                "rand" | "randn" | "randint" | "random" | "random_sample" | "choice" | "normal" | "uniform"
                    | "permutation" | "shuffle"
            )
        {
            return Some(EffectKind::Nondeterminism);
        }
        None
    }

    /// `.Worker().start` → `threading.Thread().start` when `Worker` extends `threading.Thread`.
    fn thread_subclass(&self, q: &str) -> Option<String> {
        let rest = q.strip_prefix('.')?;
        let (class, tail) = rest.split_once('(')?;
        let known = self.facts.classes.iter().find(|c| c.name == class && c.module_level)?;
        let base = known.bases.iter().find(|b| {
            matches!(b.as_str(), "threading.Thread" | "threading.Timer" | "multiprocessing.Process")
        })?;
        Some(format!("{base}({tail}"))
    }
}

/// The text of a short expression (at most 60 bytes), for comparing values.
fn short_text(node: Node, text: &str) -> Option<String> {
    let value = node_text(node, text);
    (value.len() <= 60).then(|| value.to_string())
}

/// A qualified name as messages show it: without this module's `.` marker.
fn display_callee(q: &str) -> &str {
    q.strip_prefix('.').unwrap_or(q)
}

/// The value of a plain string literal (no f-string, no bytes).
fn string_value<'a>(node: Node<'a>, text: &str, kids: &Children<'a>) -> Option<String> {
    if kind(node) == Kind::ConcatenatedString {
        let mut value = String::new();
        for part in kids.iter(node, Which::NamedCode) {
            value.push_str(&string_value(part, text, kids)?);
        }
        return Some(value);
    }
    if kind(node) != Kind::String {
        return None;
    }
    let mut value = String::new();
    for part in kids.iter(node, Which::NamedCode) {
        match kind(part) {
            Kind::StringStart => {
                let prefix = node_text(part, text).to_ascii_lowercase();
                if prefix.contains('f') || prefix.contains('b') || prefix.contains('t') {
                    return None;
                }
            }
            Kind::StringContent => value.push_str(node_text(part, text)),
            Kind::StringEnd => {}
            _ => return None,
        }
    }
    Some(value)
}

impl Scope {
    fn for_each_range(&mut self, f: &mut dyn FnMut(&mut TextRange)) {
        if let Some(range) = &mut self.function {
            f(range);
        }
        if let Some(range) = &mut self.class {
            f(range);
        }
    }
}

impl NameRef {
    fn for_each_range(&mut self, f: &mut dyn FnMut(&mut TextRange)) {
        match self {
            NameRef::LocalImport(range) | NameRef::SelfParam { class: range, .. } => f(range),
            NameRef::Global | NameRef::Local | NameRef::ClassLocal => {}
        }
    }
}

impl StateFacts {
    /// Visits every byte range of the facts in one fixed order (the summary's
    /// [`super::positions`] shape and range maps rely on it).
    pub fn for_each_range(&mut self, f: &mut dyn FnMut(&mut TextRange)) {
        for binding in &mut self.bindings {
            f(&mut binding.range);
            if let Some(range) = &mut binding.class {
                f(range);
            }
            if let Some(range) = &mut binding.value_range {
                f(range);
            }
        }
        for class in &mut self.classes {
            f(&mut class.range);
            f(&mut class.name_range);
        }
        for function in &mut self.functions {
            f(&mut function.range);
            f(&mut function.name_range);
            if let Some(range) = &mut function.class {
                f(range);
            }
        }
        for mutation in &mut self.mutations {
            mutation.target.base_ref.for_each_range(f);
            f(&mut mutation.range);
            mutation.scope.for_each_range(f);
        }
        for global in &mut self.globals {
            f(&mut global.range);
            f(&mut global.function);
            for (_, range) in &mut global.rebinds {
                f(range);
            }
        }
        for effect in &mut self.effects {
            f(&mut effect.range);
            effect.scope.for_each_range(f);
        }
        for reload in &mut self.reloads {
            f(&mut reload.range);
            if let ReloadArg::Dotted { base_ref, .. } = &mut reload.arg {
                base_ref.for_each_range(f);
            }
            reload.scope.for_each_range(f);
        }
        for op in &mut self.sys_modules {
            f(&mut op.range);
            op.scope.for_each_range(f);
        }
        for cleanup in &mut self.cleanups {
            f(&mut cleanup.range);
            cleanup.scope.for_each_range(f);
        }
    }
}
