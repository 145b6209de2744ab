//! The rule catalogue. One file per rule; each declares its metadata with [`rule!`], whose doc
//! comment is the rule's documentation (docs/rules/CODE.md is generated from it, and
//! `modcache explain CODE` prints it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::check::{Filtered, RuleFilter};
use super::config::Entry;
use super::diagnostic::{Diagnostic, Related, Severity};
use super::graph::{absolute_base, resolve_module, ImportGraph};
use super::modules::Spec;
use super::project::Project;
use super::simulate::{LoadOrder, Site};
use super::summary::state::{Binding, ClassFacts, Mutation, MutationKind, NameRef, Reload, Scope, Value};
use super::summary::{Block, Callee, Event, FileSummary, FuncId, ImportKind, ImportStmt};
use super::text::TextRange;

mod mc001_import_cycle;
mod mc002_circular_import_error;
mod mc003_main_module_reimported;
mod mc004_stdlib_shadowing;
mod mc101_mutable_module_state;
mod mc102_cross_module_mutation;
mod mc103_mutable_class_state;
mod mc104_global_rebinding;
pub(crate) mod mc105_import_time_singleton;
mod mc201_import_time_side_effect;
mod mc202_import_time_env_capture;
mod mc203_import_time_nondeterminism;
mod mc301_reload_stale_binding;
mod mc302_reload_non_module;
mod mc303_sys_modules_delete;
mod mc304_sys_modules_assign;
mod mc401_test_state_leak;
mod mc900_unused_suppression;

pub use mc900_unused_suppression::RULE as UNUSED_SUPPRESSION;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    /// Markdown: what it does, why it matters, example, how to fix, what it does not flag.
    pub doc: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    pub check: fn(&RuleContext, &mut Findings),
}

/// Declares a rule; the doc comment becomes [`Rule::doc`].
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        code: $code:literal, name: $name:literal, severity: $severity:ident, summary: $summary:literal, check: $check:path $(,)?
    ) => {
        $crate::analysis::rules::Rule {
            code: $code,
            name: $name,
            default_severity: $crate::analysis::diagnostic::Severity::$severity,
            doc: concat!($($doc, "\n"),*),
            summary: $summary,
            check: $check,
        }
    };
}
pub(crate) use rule;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &mc001_import_cycle::RULE,
    &mc002_circular_import_error::RULE,
    &mc003_main_module_reimported::RULE,
    &mc004_stdlib_shadowing::RULE,
    &mc101_mutable_module_state::RULE,
    &mc102_cross_module_mutation::RULE,
    &mc103_mutable_class_state::RULE,
    &mc104_global_rebinding::RULE,
    &mc105_import_time_singleton::RULE,
    &mc201_import_time_side_effect::RULE,
    &mc202_import_time_env_capture::RULE,
    &mc203_import_time_nondeterminism::RULE,
    &mc301_reload_stale_binding::RULE,
    &mc302_reload_non_module::RULE,
    &mc303_sys_modules_delete::RULE,
    &mc304_sys_modules_assign::RULE,
    &mc401_test_state_leak::RULE,
    &mc900_unused_suppression::RULE,
];

pub fn find_rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// The rule's documentation as Markdown, with the leading space of each doc-comment line removed.
pub fn documentation(rule: &Rule) -> String {
    let body: String = rule.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n");
    format!(
        "# {} ({})\n\nDefault severity: {}.\n\n{}\n",
        rule.code,
        rule.name,
        rule.default_severity,
        body.trim()
    )
}

/// What the rules read: the project, its graph, and the simulated runs of every entry.
pub struct RuleContext<'a> {
    pub project: &'a Project,
    /// The filters (selection, suppressions, severities) that findings kept between analyses
    /// have already been through (see [`check_each_file`]).
    pub filter: &'a RuleFilter,
    pub graph: &'a ImportGraph,
    /// Script-like entries (configured or detected) with their simulations.
    pub entry_orders: &'a [Arc<LoadOrder>],
    /// `import M` for each module M of an import cycle, with their simulations.
    pub cycle_orders: &'a [Arc<LoadOrder>],
}

impl RuleContext<'_> {
    pub fn line(&self, path: &str, offset: u32) -> u32 {
        self.project.summary(path).map(|s| s.line_number(offset)).unwrap_or(0)
    }

    pub fn diagnostic(&self, rule: &Rule, path: &str, range: TextRange, message: String, related: Vec<Related>) -> Diagnostic {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.default_severity,
            path: path.to_string(),
            range,
            message,
            related,
        }
    }

    /// `path:line` of a site, for messages.
    pub fn at(site: &Site) -> String {
        format!("{}:{}", site.path, site.line)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entry_orders.iter().map(|o| &o.entry)
    }
}

/// Groups findings that several entries produce at the same statement, keeping the first.
pub fn first_per_site<T>(items: impl IntoIterator<Item = (Site, T)>) -> BTreeMap<Site, T> {
    let mut map = BTreeMap::new();
    for (site, item) in items {
        map.entry(site).or_insert(item);
    }
    map
}

// Shared by the state rules (MC101–MC401): import time, test files, and following a name
// through the import graph to the module-level binding it stands for.

/// Runs `check_file` on every file, keeping each file's findings from one analysis to the next
/// until its summary, or a summary that working them out read, changes (see
/// [`Project::per_file`](crate::analysis::project::Project::per_file)): for the rules whose
/// findings in a file depend only on that file and on what resolving its names reads.
///
/// The findings are kept filtered, so that an analysis after an edit hands on the kept lists
/// of the unchanged files as they are: shared, neither copied nor filtered again.
pub fn check_each_file(
    ctx: &RuleContext,
    code: &'static str,
    out: &mut Findings,
    check_file: impl Fn(&RuleContext, &str, &FileSummary, &mut Vec<Diagnostic>),
) {
    out.kept.extend(ctx.project.per_file(code, |path, summary| {
        let mut found = Vec::new();
        check_file(ctx, path, summary, &mut found);
        Some(ctx.filter.apply(ctx.project, found.into_iter().map(Arc::new).collect())).filter(|found| !found.is_empty())
    }));
}

/// What one rule reports in an analysis.
#[derive(Default)]
pub struct Findings {
    /// Findings of this analysis, before the filters: made now, or kept by the rule from an
    /// earlier analysis (see [`Project::kept`]).
    pub made: Vec<Arc<Diagnostic>>,
    /// Findings kept from the analysis that made them, filtered then (see [`check_each_file`]).
    pub kept: Vec<Arc<Filtered>>,
}

impl Findings {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.made.push(Arc::new(diagnostic));
    }

    /// A finding the rule kept from an earlier analysis.
    pub fn push_shared(&mut self, diagnostic: Arc<Diagnostic>) {
        self.made.push(diagnostic);
    }

    /// How many findings there are, made or kept.
    pub fn len(&self) -> usize {
        self.made.len() + self.kept.iter().map(|k| k.diagnostics.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Test modules, as pytest and unittest discover them: `conftest.py`, and `test_*.py` or
/// `*_test.py` files that define a test (a `test…` function or a `Test…` class), so that
/// production code that happens to be named `test_state.py` is not taken for tests. Their
/// changes to module state are MC401's.
pub fn is_test_file(project: &Project, path: &str, summary: &FileSummary) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    if file == "conftest.py" {
        return true;
    }
    let named = (file.starts_with("test_") && file.ends_with(".py")) || file.ends_with("_test.py");
    // Most rules ask this of every file in every analysis, and a large test module has
    // thousands of functions to look through: what the summary defines is worked out once.
    named && project.derived(summary, "defines_tests", || defines_tests(summary))
}

/// Whether a module defines a test as pytest and unittest collect them: a module-level
/// `test…` function, or a `TestCase` subclass or `Test…` class without `__init__` (pytest
/// collects `Test…` classes only when they have no `__init__`).
fn defines_tests(summary: &FileSummary) -> bool {
    if summary.state.functions.iter().any(|f| f.name.starts_with("test") && f.class.is_none()) {
        return true;
    }
    let with_init: HashSet<TextRange> =
        summary.state.functions.iter().filter(|f| f.name == "__init__").filter_map(|f| f.class).collect();
    summary.state.classes.iter().any(|class| {
        class.bases.iter().any(|b| b.ends_with("TestCase"))
            || (class.name.starts_with("Test") && !with_init.contains(&class.range))
    })
}

/// A `__main__.py` only ever runs as the script of `python -m`, never on an import.
pub fn is_main_module_file(path: &str) -> bool {
    path.rsplit('/').next() == Some("__main__.py")
}

/// The functions of a module whose bodies run when it is imported, each with the module-level
/// call that runs it (directly, or through other functions of the module).
pub fn import_time_functions(project: &Project, summary: &FileSummary) -> Arc<HashMap<TextRange, TextRange>> {
    project.derived(summary, "import_time_functions", || Arc::new(reached_functions(project, summary, false)))
}

/// The functions that the module's top level calls; with `every_branch`, also through branches
/// that the configured platform and version would not take (and the `__main__` guard), which is
/// what initialisation means for the state the module sets up.
fn reached_functions(project: &Project, summary: &FileSummary, every_branch: bool) -> HashMap<TextRange, TextRange> {
    struct Walker<'a> {
        project: &'a Project,
        summary: &'a FileSummary,
        functions: HashMap<String, FuncId>,
        reached: HashMap<FuncId, TextRange>,
        every_branch: bool,
    }
    impl Walker<'_> {
        fn block(&mut self, block: &Block, via: Option<TextRange>, module_level: bool) {
            let env = self.project.cond_env(false);
            for event in block {
                match event {
                    Event::Def { name, func, .. } if module_level => {
                        self.functions.insert(name.clone(), *func);
                    }
                    Event::Bind { name, .. } if module_level => {
                        self.functions.remove(name);
                    }
                    Event::Call { callee: Callee::Name(name), range, .. } => {
                        // Calling a decorated function runs whatever the decorator returned; only
                        // caching and context-manager decorators are known to run the body. For
                        // initialisation every call counts.
                        let opaque = |func: FuncId| {
                            let range = self.summary.functions[func as usize].range;
                            self.summary.state.functions.iter().find(|f| f.range == range).is_some_and(|f| {
                                f.decorators.iter().any(|d| {
                                    let last = d.rsplit('.').next().unwrap_or(d);
                                    !matches!(last, "lru_cache" | "cache" | "contextmanager" | "wraps")
                                })
                            })
                        };
                        if let Some(&func) = self.functions.get(name).filter(|&&f| self.every_branch || !opaque(f)) {
                            let call = via.unwrap_or(*range);
                            if let std::collections::hash_map::Entry::Vacant(entry) = self.reached.entry(func) {
                                entry.insert(call);
                                let body = &self.summary.functions[func as usize].body;
                                self.block(body, Some(call), false);
                            }
                        }
                    }
                    Event::Class(class) => self.block(&class.body, via, false),
                    Event::If { branches, orelse } if self.every_branch => {
                        for branch in branches {
                            self.block(&branch.body, via, module_level);
                        }
                        if let Some(orelse) = orelse {
                            self.block(orelse, via, module_level);
                        }
                    }
                    Event::If { branches, orelse } => {
                        for body in super::summary::blocks_that_may_run(branches, orelse.as_ref(), &env) {
                            self.block(body, via, module_level);
                        }
                    }
                    Event::Try(_) => {
                        for block in event.branch_blocks() {
                            self.block(block, via, module_level);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut walker = Walker { project, summary, functions: HashMap::new(), reached: HashMap::new(), every_branch };
    walker.block(&summary.body, None, true);
    walker.reached.iter().map(|(&func, &call)| (summary.functions[func as usize].range, call)).collect()
}

/// The functions whose changes to module state count as initialisation: those that the top
/// level calls, in any branch, the functions defined directly inside them (the
/// decorator that a decorator factory returns runs at import time too, though a wrapper it
/// defines does not), the constructors of classes instantiated at module level, and
/// module-level functions deleted at module level, which can only have run during the import.
pub fn initialisation_functions(project: &Project, summary: &FileSummary) -> Arc<HashMap<TextRange, TextRange>> {
    project.derived(summary, "initialisation_functions", || Arc::new(find_initialisation_functions(project, summary)))
}

fn find_initialisation_functions(project: &Project, summary: &FileSummary) -> HashMap<TextRange, TextRange> {
    let mut out = reached_functions(project, summary, true);
    let direct: Vec<(TextRange, TextRange)> = out.iter().map(|(f, c)| (*f, *c)).collect();
    for (outer, call) in direct {
        for nested in &summary.functions {
            let inside = nested.range.start > outer.start && nested.range.end <= outer.end;
            let immediate = inside
                && !summary.functions.iter().any(|between| {
                    between.range.start > outer.start
                        && between.range.end <= outer.end
                        && between.range.start < nested.range.start
                        && nested.range.end <= between.range.end
                        && between.range != nested.range
                });
            if immediate {
                out.entry(nested.range).or_insert(call);
            }
        }
    }
    fn deleted(block: &Block, out: &mut Vec<String>) {
        for event in block {
            match event {
                Event::Unbind { name } => out.push(name.clone()),
                _ => event.branch_blocks().into_iter().for_each(|block| deleted(block, out)),
            }
        }
    }
    // `add = lambda *args: FLAGS.update(args)` followed by `add(…)` at module level.
    fn called_names(block: &Block, out: &mut HashSet<String>) {
        for event in block {
            match event {
                Event::Call { callee: Callee::Name(name), .. } => {
                    out.insert(name.clone());
                }
                Event::Class(class) => called_names(&class.body, out),
                _ => event.branch_blocks().into_iter().for_each(|block| called_names(block, out)),
            }
        }
    }
    let mut called = HashSet::new();
    called_names(&summary.body, &mut called);
    for binding in summary.state.bindings.iter().filter(|b| b.class.is_none() && called.contains(&b.name)) {
        if let Some(lambda) = binding.value_range {
            out.entry(lambda).or_insert(lambda);
        }
    }
    // `exp = _MaskedOperation(umath.exp)` at module level runs `__init__` at import time.
    let instantiated: HashSet<&str> = summary
        .state
        .bindings
        .iter()
        .filter(|b| b.class.is_none() && b.guard == super::summary::state::Guard::Runs)
        .filter_map(|b| match &b.value {
            Value::Call { callee, .. } => callee.strip_prefix('.'),
            _ => None,
        })
        .collect();
    for class in summary.state.classes.iter().filter(|c| c.module_level && instantiated.contains(c.name.as_str())) {
        for method in summary.state.functions.iter().filter(|f| f.class == Some(class.range)) {
            if matches!(method.name.as_str(), "__init__" | "__new__" | "__post_init__") {
                out.entry(method.range).or_insert(method.range);
            }
        }
    }
    let mut names = Vec::new();
    deleted(&summary.body, &mut names);
    for name in names {
        for function in summary.state.functions.iter().filter(|f| f.name == name && f.class.is_none()) {
            if is_module_level_def(summary, function.range) {
                out.entry(function.range).or_insert(function.range);
            }
        }
    }
    out
}

/// Whether code in `scope` runs when its module is imported, given [`import_time_functions`].
pub fn runs_on_import(scope: &Scope, import_time: &HashMap<TextRange, TextRange>) -> bool {
    match scope.function {
        None => scope.guard == super::summary::state::Guard::Runs,
        Some(function) => import_time.contains_key(&function),
    }
}

/// The innermost function definition holding `offset`, for messages ("`put()` mutates it").
pub fn enclosing_function(summary: &FileSummary, offset: u32) -> Option<&super::summary::state::FunctionFacts> {
    summary
        .state
        .functions
        .iter()
        .filter(|f| f.range.start <= offset && offset < f.range.end)
        .min_by_key(|f| f.range.end - f.range.start)
}

/// What a module-level name of a file is bound to.
pub enum Global<'a> {
    Value(&'a Binding),
    Class(&'a ClassFacts),
    Function,
    Import(&'a ImportStmt),
}

/// The module-level binding of `name` in a file: an assignment, class or function first, else
/// an import (a module that imports a name and then assigns it is the assignment's).
pub fn module_global<'a>(summary: &'a FileSummary, name: &str) -> Option<Global<'a>> {
    let state = &summary.state;
    if let Some(binding) = state.bindings.iter().find(|b| b.class.is_none() && b.name == name) {
        return Some(Global::Value(binding));
    }
    if let Some(class) = state.classes.iter().find(|c| c.module_level && c.name == name) {
        return Some(Global::Class(class));
    }
    if state.functions.iter().any(|f| f.name == name && f.class.is_none() && is_module_level_def(summary, f.range)) {
        return Some(Global::Function);
    }
    summary
        .imports
        .iter()
        .find(|stmt| {
            stmt.context.in_function.is_none() && !stmt.context.in_class && stmt.kind.bound_names().contains(&name)
        })
        .map(Global::Import)
}

fn is_module_level_def(summary: &FileSummary, range: TextRange) -> bool {
    !summary.state.functions.iter().any(|f| f.range.start < range.start && range.end <= f.range.end)
        && !summary.state.classes.iter().any(|c| c.range.start < range.start && range.end <= c.range.end)
}

/// What a name refers to across first-party modules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Referent {
    /// A module; `file` is its first-party file (`None` for namespace packages).
    Module { dotted: String, file: Option<String> },
    /// A module-level name of a first-party file.
    Global { file: String, name: String },
}

fn module_referent(project: &Project, dotted: &str) -> Option<Referent> {
    match resolve_module(project, dotted)? {
        Spec::File { file, .. } => Some(Referent::Module { dotted: dotted.to_string(), file: Some(file) }),
        Spec::Namespace { .. } => Some(Referent::Module { dotted: dotted.to_string(), file: None }),
        Spec::External | Spec::Compiled { .. } => None,
    }
}

/// What the name `name` that an import statement of `path` binds refers to.
pub fn import_referent(project: &Project, path: &str, stmt: &ImportStmt, name: &str) -> Option<Referent> {
    import_referent_at(project, path, stmt, name, 0)
}

/// [`import_referent`] `depth` re-exports deep. The depth travels through every step, because
/// re-exports can loop (`from . import x` in the package that should define `x`, or two modules
/// importing the name from each other) and each step starts a new lookup.
fn import_referent_at(project: &Project, path: &str, stmt: &ImportStmt, name: &str, depth: u32) -> Option<Referent> {
    match &stmt.kind {
        ImportKind::Import { modules } => modules.iter().find_map(|m| match &m.alias {
            Some(alias) if alias == name => module_referent(project, &m.dotted),
            None if m.dotted.split('.').next() == Some(name) => module_referent(project, name),
            _ => None,
        }),
        ImportKind::From { level, module, names, .. } => {
            let imported = names.iter().find(|n| n.bound_name() == name)?;
            let base = absolute_base(project, path, *level, module.as_deref())?;
            let sub = format!("{base}.{}", imported.name);
            if let Some(found @ Referent::Module { file: Some(_), .. }) = module_referent(project, &sub) {
                return Some(found);
            }
            match resolve_module(project, &base)? {
                Spec::File { file, .. } => follow_reexport(project, file, imported.name.clone(), depth),
                _ => None,
            }
        }
        ImportKind::Dynamic { module, package, bind, .. } if bind.as_deref() == Some(name) => {
            let absolute = match (module.strip_prefix('.'), package) {
                (Some(rest), Some(package)) => format!("{package}.{rest}"),
                (Some(_), None) => return None,
                (None, _) => module.clone(),
            };
            module_referent(project, &absolute)
        }
        ImportKind::Dynamic { .. } => None,
    }
}

/// `from pkg import cache` where `pkg/__init__.py` only re-exports `cache` from `pkg.core`:
/// the state is `pkg.core`'s.
fn follow_reexport(project: &Project, file: String, name: String, depth: u32) -> Option<Referent> {
    let Some(summary) = project.summary(&file) else { return Some(Referent::Global { file, name }) };
    match module_global(summary, &name) {
        Some(Global::Import(stmt)) if depth < 8 => match import_referent_at(project, &file, stmt, &name, depth + 1)? {
            Referent::Global { file: next, name: next_name } if next != file || next_name != name => {
                follow_reexport(project, next, next_name, depth + 1)
            }
            other => Some(other),
        },
        _ => Some(Referent::Global { file, name }),
    }
}

/// What a name used at some site of `path` refers to, given how it resolved in its scope.
pub fn resolve_name(project: &Project, path: &str, summary: &FileSummary, name: &str, name_ref: &NameRef) -> Option<Referent> {
    match name_ref {
        NameRef::Global => match module_global(summary, name)? {
            Global::Import(stmt) => import_referent(project, path, stmt, name),
            _ => Some(Referent::Global { file: path.to_string(), name: name.to_string() }),
        },
        NameRef::LocalImport(range) => {
            let stmt = summary.imports.iter().find(|s| s.range == *range)?;
            import_referent(project, path, stmt, name)
        }
        _ => None,
    }
}

/// Follows attributes from a module into its submodules and names: `pkg.sub.cache` → the
/// global `cache` of pkg/sub.py. Returns the referent and how many attributes it used.
pub fn resolve_attrs(project: &Project, referent: Referent, attrs: &[String]) -> (Referent, usize) {
    let mut current = referent;
    let mut used = 0;
    while let (Some(attr), Referent::Module { dotted, file }) = (attrs.get(used), &current) {
        if let Some(found @ Referent::Module { file: Some(_), .. }) = module_referent(project, &format!("{dotted}.{attr}")) {
            current = found;
            used += 1;
            continue;
        }
        let Some(file) = file.clone() else { break };
        match follow_reexport(project, file, attr.clone(), 0) {
            Some(found) => {
                current = found;
                used += 1;
            }
            None => break,
        }
    }
    (current, used)
}

/// The module state that a mutation changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateRef {
    /// The file whose global it is.
    pub file: String,
    /// The module-level name.
    pub name: String,
    /// Attributes after the name (`Config.settings[k] = v`: `["settings"]`).
    pub attrs: Vec<String>,
    /// The site rebinds the name or attribute (`m.x = v`, `del m.x`, `m.x += 1`,
    /// `Cls.attr = v`) rather than changing the object in place.
    pub rebinds: bool,
}

/// Resolves the target of a mutation in `path` to the module state it changes, if that state
/// is a first-party module's (its own or another's).
pub fn resolve_mutation(project: &Project, path: &str, summary: &FileSummary, mutation: &Mutation) -> Option<StateRef> {
    let target = &mutation.target;
    let referent = resolve_name(project, path, summary, &target.base, &target.base_ref)?;
    let (referent, used) = resolve_attrs(project, referent, &target.attrs);
    let rest: Vec<String> = target.attrs[used.min(target.attrs.len())..].to_vec();
    match referent {
        Referent::Module { file: Some(file), .. } => {
            // Only a module object's own attributes can be rebound: `m.x = v`.
            match (&mutation.kind, rest.is_empty()) {
                (MutationKind::SetAttr(attr) | MutationKind::DelAttr(attr), true) => {
                    Some(StateRef { file, name: attr.clone(), attrs: Vec::new(), rebinds: true })
                }
                _ => None,
            }
        }
        Referent::Module { file: None, .. } => None,
        Referent::Global { file, name } => {
            let mut attrs = rest;
            let rebinds = match &mutation.kind {
                MutationKind::SetAttr(attr) | MutationKind::DelAttr(attr) => {
                    attrs.push(attr.clone());
                    true
                }
                // `m.x += 1` rebinds `x`; `x += 1` with `global x` is the module's own business.
                MutationKind::AugAssign => !target.attrs.is_empty() && attrs.is_empty() && !target.deep,
                _ => false,
            };
            Some(StateRef { file, name, attrs, rebinds })
        }
    }
}

/// A mutable value as messages name it: "list", "dict", "defaultdict".
pub fn mutable_kind(value: &Value) -> Option<&str> {
    match value {
        Value::Mutable { kind } => Some(kind),
        _ => None,
    }
}

/// "a.py:3, b.py:7 and c.py:9" (at most `limit`, then "and N more").
pub fn list_sites(sites: &[String], limit: usize) -> String {
    let mut unique: Vec<&String> = Vec::new();
    for site in sites {
        if !unique.contains(&site) {
            unique.push(site);
        }
    }
    let shown: Vec<&str> = unique.iter().take(limit).map(|s| s.as_str()).collect();
    let more = unique.len().saturating_sub(limit);
    match (shown.len(), more) {
        (0, _) => String::new(),
        (1, 0) => shown[0].to_string(),
        (_, 0) => format!("{} and {}", shown[..shown.len() - 1].join(", "), shown[shown.len() - 1]),
        (_, more) => format!("{} and {more} more", shown.join(", ")),
    }
}

/// The classes of a file by name, with their bases' names, to follow inheritance in one file.
pub fn class_chain<'a>(summary: &'a FileSummary, class: &'a ClassFacts) -> Vec<&'a ClassFacts> {
    let mut chain = vec![class];
    let mut seen: HashSet<TextRange> = HashSet::from([class.range]);
    let mut index = 0;
    while index < chain.len() && chain.len() < 16 {
        let current = chain[index];
        for base in &current.bases {
            let name = base.strip_prefix('.').unwrap_or(base);
            if let Some(found) = summary.state.classes.iter().find(|c| c.module_level && c.name == name) {
                if seen.insert(found.range) {
                    chain.push(found);
                }
            }
        }
        index += 1;
    }
    chain
}

/// How a site changes another module's state, when it does (shared by MC102 and MC401).
pub enum StateChange<'a> {
    /// `m.x = v`, `del m.x`, `m.x += 1`: a module global is rebound.
    RebindGlobal,
    /// `Cls.attr = v`: a class attribute is rebound.
    RebindClassAttr(&'a ClassFacts),
    /// The object is changed in place; `kind` names it when known ("list").
    InPlace { kind: Option<String>, class: Option<&'a ClassFacts> },
}

/// Methods that only containers have, so calling one on an object of unknown type still reads
/// as a container mutation (unlike `update`, `add` or `clear`, which many classes define).
const CONTAINER_ONLY_METHODS: &[&str] = &[
    "append", "extend", "insert", "appendleft", "extendleft", "popleft", "setdefault", "popitem",
    "difference_update", "intersection_update", "symmetric_difference_update", "move_to_end", "__setitem__",
    "__delitem__",
];

/// Whether a mutation resolved to `state` (in the file summarised by `owner`) changes module
/// state: a module global or class attribute rebound, or a container or class attribute of the
/// module changed in place. Attributes of other objects (instances) are left alone.
pub fn state_change<'a>(owner: &'a FileSummary, state: &StateRef, mutation: &Mutation) -> Option<StateChange<'a>> {
    let global = module_global(owner, &state.name);
    let unknown_value_counts = match &mutation.kind {
        MutationKind::SetItem | MutationKind::DelItem => true,
        MutationKind::Method(method) => mutation.target.deep || CONTAINER_ONLY_METHODS.contains(&method.as_str()),
        _ => mutation.target.deep,
    };
    match (state.rebinds, state.attrs.len(), global) {
        (true, 0, _) => Some(StateChange::RebindGlobal),
        (true, 1, Some(Global::Class(class))) => Some(StateChange::RebindClassAttr(class)),
        (true, _, _) => None,
        // Instances (`session = LocalProxy(…)`) and names the text cannot follow (star imports)
        // may be anything; only containers, and values built by other expressions that are
        // changed the way only containers are, count.
        (false, 0, Some(Global::Value(binding))) => match &binding.value {
            Value::Mutable { kind } => Some(StateChange::InPlace { kind: Some(kind.clone()), class: None }),
            Value::Other => unknown_value_counts.then_some(StateChange::InPlace { kind: None, class: None }),
            Value::Immutable | Value::Call { .. } => None,
        },
        (false, 1, Some(Global::Class(class))) => {
            let attr = owner.state.bindings.iter().find(|b| b.class == Some(class.range) && b.name == state.attrs[0]);
            match attr.map(|b| &b.value) {
                Some(Value::Mutable { kind }) => Some(StateChange::InPlace { kind: Some(kind.clone()), class: Some(class) }),
                Some(Value::Immutable) => None,
                _ => unknown_value_counts.then_some(StateChange::InPlace { kind: None, class: Some(class) }),
            }
        }
        _ => None,
    }
}

/// `state.cache`, `Config.settings`: a resolved target as code would spell it from outside.
pub fn state_display(project: &Project, state: &StateRef) -> String {
    let module = project.display_name(&state.file);
    let mut text = format!("{module}.{}", state.name);
    for attr in &state.attrs {
        text.push('.');
        text.push_str(attr);
    }
    text
}

/// The effects of a module that run when it is imported, each with the module-level call
/// that runs it when it sits in a function (shared by MC201–MC203).
pub fn import_time_effects<'a>(
    project: &Project,
    path: &str,
    summary: &'a FileSummary,
    wanted: impl Fn(super::summary::state::EffectKind) -> bool,
) -> Vec<(&'a super::summary::state::Effect, Option<TextRange>)> {
    if is_main_module_file(path) || !summary.state.effects.iter().any(|e| wanted(e.kind)) {
        return Vec::new();
    }
    let import_time = import_time_functions(project, summary);
    summary
        .state
        .effects
        .iter()
        .filter(|e| wanted(e.kind) && runs_on_import(&e.scope, &import_time))
        .map(|e| (e, e.scope.function.and_then(|f| import_time.get(&f).copied())))
        .collect()
}

/// " It runs because `setup()` is called at module level (line 9)." and the related location.
pub fn via_call(ctx: &RuleContext, path: &str, summary: &FileSummary, via: Option<TextRange>) -> (String, Vec<Related>) {
    let Some(call) = via else { return (String::new(), Vec::new()) };
    fn callee_at(block: &Block, at: TextRange) -> Option<String> {
        block.iter().find_map(|event| match event {
            Event::Call { callee: Callee::Name(name), range, .. } if *range == at => Some(name.clone()),
            Event::Class(class) => callee_at(&class.body, at),
            _ => event.branch_blocks().into_iter().find_map(|block| callee_at(block, at)),
        })
    }
    let function = callee_at(&summary.body, call).unwrap_or_default();
    let line = ctx.line(path, call.start);
    (
        format!(" It runs then because the module's top level calls `{function}()` (line {line})."),
        vec![Related { path: path.to_string(), range: call, message: format!("`{function}()` is called here, at import time") }],
    )
}

/// What `importlib.reload(arg)` is given (shared by MC301 and MC302).
pub enum ReloadTarget {
    /// A module, by dotted name (first-party or not).
    Module(String),
    /// Something that is certainly not a module: a description ("the string 'points'",
    /// "the class `Point`") and where it is defined, when first-party.
    NotModule { what: String, defined: Option<(String, TextRange)> },
    Unknown,
}

pub fn reload_target(project: &Project, path: &str, summary: &FileSummary, reload: &super::summary::state::Reload) -> ReloadTarget {
    use super::summary::state::ReloadArg;
    let (base, base_ref, attrs) = match &reload.arg {
        ReloadArg::Str(text) => return ReloadTarget::NotModule { what: format!("the string {text}"), defined: None },
        ReloadArg::Literal(text) => return ReloadTarget::NotModule { what: format!("`{text}`"), defined: None },
        ReloadArg::Dotted { base, base_ref, attrs } => (base, base_ref, attrs),
        _ => return ReloadTarget::Unknown,
    };
    let stmt = match base_ref {
        NameRef::Global => match module_global(summary, base) {
            Some(Global::Import(stmt)) => stmt,
            Some(Global::Class(class)) if attrs.is_empty() => {
                return ReloadTarget::NotModule {
                    what: format!("the class `{base}`"),
                    defined: Some((path.to_string(), class.name_range)),
                }
            }
            Some(Global::Function) if attrs.is_empty() => {
                return ReloadTarget::NotModule { what: format!("the function `{base}`"), defined: None }
            }
            _ => return ReloadTarget::Unknown,
        },
        NameRef::LocalImport(range) => match summary.imports.iter().find(|s| s.range == *range) {
            Some(stmt) => stmt,
            None => return ReloadTarget::Unknown,
        },
        _ => return ReloadTarget::Unknown,
    };
    let with_attrs = |dotted: String| if attrs.is_empty() { dotted } else { format!("{dotted}.{}", attrs.join(".")) };
    match &stmt.kind {
        ImportKind::Import { modules } => {
            for m in modules {
                match &m.alias {
                    Some(alias) if alias == base => return ReloadTarget::Module(with_attrs(m.dotted.clone())),
                    None if m.dotted.split('.').next() == Some(base.as_str()) => {
                        return ReloadTarget::Module(with_attrs(base.clone()))
                    }
                    _ => {}
                }
            }
            ReloadTarget::Unknown
        }
        ImportKind::From { level, module, names, .. } => {
            let Some(imported) = names.iter().find(|n| n.bound_name() == base) else { return ReloadTarget::Unknown };
            let Some(absolute) = absolute_base(project, path, *level, module.as_deref()) else { return ReloadTarget::Unknown };
            let candidate = format!("{absolute}.{}", imported.name);
            match resolve_module(project, &candidate) {
                Some(Spec::File { .. } | Spec::Namespace { .. }) => return ReloadTarget::Module(with_attrs(candidate)),
                // Outside the workspace, `from os import path` may name a module: assume so.
                Some(Spec::External) | None if !matches!(resolve_module(project, &absolute), Some(Spec::File { .. })) => {
                    return ReloadTarget::Module(with_attrs(candidate))
                }
                _ => {}
            }
            if !attrs.is_empty() {
                return ReloadTarget::Unknown;
            }
            let Some(Referent::Global { file, name }) = import_referent(project, path, stmt, base) else {
                return ReloadTarget::Unknown;
            };
            let Some(owner) = project.summary(&file) else { return ReloadTarget::Unknown };
            let module_name = project.display_name(&file);
            match module_global(owner, &name) {
                Some(Global::Class(class)) => ReloadTarget::NotModule {
                    what: format!("the class `{name}` from `{module_name}`"),
                    defined: Some((file.clone(), class.name_range)),
                },
                Some(Global::Function) => ReloadTarget::NotModule {
                    what: format!("the function `{name}` from `{module_name}`"),
                    defined: owner
                        .state
                        .functions
                        .iter()
                        .find(|f| f.name == name && f.class.is_none())
                        .map(|f| (file.clone(), f.name_range)),
                },
                Some(Global::Value(binding)) if matches!(binding.value, Value::Mutable { .. } | Value::Immutable) => {
                    ReloadTarget::NotModule {
                        what: format!("the variable `{name}` from `{module_name}`"),
                        defined: Some((file.clone(), binding.range)),
                    }
                }
                _ => ReloadTarget::Unknown,
            }
        }
        ImportKind::Dynamic { module, package, .. } => match (module.strip_prefix('.'), package) {
            (Some(rest), Some(package)) => ReloadTarget::Module(with_attrs(format!("{package}.{rest}"))),
            (Some(_), None) => ReloadTarget::Unknown,
            (None, _) => ReloadTarget::Module(with_attrs(module.clone())),
        },
    }
}

/// The name of the innermost function holding `offset`, as messages show it: `put`, or
/// `Cart.add` for a method.
pub fn function_label(summary: &FileSummary, offset: u32) -> Option<String> {
    let function = enclosing_function(summary, offset)?;
    let class = function.class.and_then(|range| summary.state.classes.iter().find(|c| c.range == range));
    Some(match class {
        Some(class) => format!("{}.{}", class.name, function.name),
        None => function.name.clone(),
    })
}

/// What a mutation does to its target, for messages: "appends to", or "changes an item of"
/// when it changes an element (`cache[k].append(x)`).
pub fn change_verb(mutation: &Mutation) -> String {
    if mutation.target.deep && !matches!(mutation.kind, MutationKind::SetItem | MutationKind::DelItem) {
        "changes an item of".to_string()
    } else {
        mutation.kind.verb()
    }
}

/// `cache.setdefault(k, []).append(v)` is two mutation facts at one place; the rules report
/// each place once, keeping the outermost fact (the first in source order at that offset is
/// the outer call, so the inner one is dropped).
pub fn first_at_each_place<'a>(mutations: impl Iterator<Item = &'a Mutation>) -> Vec<&'a Mutation> {
    let mut seen = HashSet::new();
    mutations.filter(|m| seen.insert(m.range.start)).collect()
}

/// Whether `from <level dots><from> import …` can name `module` at all, told from the text alone
/// (resolving a relative import asks for the file's module name): an absolute import names
/// itself, and a relative one with a module part names something that ends with it.
fn may_name(module: &str, level: u32, from: Option<&str>) -> bool {
    match (level, from) {
        (0, from) => from == Some(module),
        (_, Some(from)) => module.strip_suffix(from).is_some_and(|rest| rest.is_empty() || rest.ends_with('.')),
        (_, None) => true,
    }
}

/// One `from module import …` statement whose names a reload leaves bound to old objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleImport {
    pub path: String,
    pub line: u32,
    /// The statement.
    pub range: TextRange,
    /// The names it binds, each listed once per file; `*` for a star import.
    pub names: Vec<String>,
}

/// The `from module import …` statements whose names `reload` (a call in `path` that reloads
/// `module`) leaves bound to the objects of the first run; the hover of the call lists them and MC301 reports them.
pub fn stale_imports(project: &Project, path: &str, reload: &Reload, module: &str) -> Vec<StaleImport> {
    stale_imports_in(project, project.files(), path, reload, module)
}

/// [`stale_imports`] among `files` only (MC301 looks at the reloading file first: without a
/// stale name there it reports nothing, and the other files need not be read).
pub fn stale_imports_in<'p>(
    project: &'p Project,
    files: impl Iterator<Item = (&'p str, &'p Arc<FileSummary>)>,
    path: &str,
    reload: &Reload,
    module: &str,
) -> Vec<StaleImport> {
    let function = reload.scope.function;
    let mut stale = Vec::new();
    for (file, file_summary) in files {
        let here = file == path;
        for stmt in &file_summary.imports {
            let ImportKind::From { level, module: from, names, star } = &stmt.kind else { continue };
            if !may_name(module, *level, from.as_deref())
                || absolute_base(project, file, *level, from.as_deref()).as_deref() != Some(module)
            {
                continue;
            }
            // A `from` import in another function runs again at each call, and one in the
            // reloading scope counts only when it ran before the call.
            let keeps = if here {
                let module_level = stmt.context.in_function.is_none() && !stmt.context.in_class;
                let before = stmt.range.end <= reload.range.start;
                let same_function = function.is_some_and(|f| f.start <= stmt.range.start && stmt.range.end <= f.end);
                (module_level && (function.is_some() || before)) || (same_function && before)
            } else {
                stmt.context.in_function.is_none()
            };
            if !keeps {
                continue;
            }
            let bound: Vec<String> = if *star {
                vec!["*".to_string()]
            } else {
                names.iter().map(|n| n.bound_name().to_string()).collect()
            };
            // A name taken twice in one file is listed once, at its first statement.
            let binds_nothing = bound.is_empty();
            let mut kept: Vec<String> = Vec::new();
            for name in bound {
                let listed = kept.contains(&name) || stale.iter().any(|s: &StaleImport| s.path == file && s.names.contains(&name));
                if listed || (here && reload.rebound_after.contains(&name)) {
                    continue;
                }
                kept.push(name);
            }
            // Another file's statement counts even when broken code left it without names:
            // whatever it bound is the old object.
            if !kept.is_empty() || (!here && binds_nothing) {
                stale.push(StaleImport { path: file.to_string(), line: stmt.line, range: stmt.range, names: kept });
            }
        }
    }
    stale
}
