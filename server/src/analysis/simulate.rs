//! The load-order simulator: CPython's import system run over module summaries.
//!
//! It follows `importlib._bootstrap` step by step: `_find_and_load` (cache lookup, parents first,
//! find, execute, remove from `sys.modules` on failure, set the child as an attribute of its
//! parent), `_handle_fromlist` (submodules named in a from-import or in `__all__`), the
//! `IMPORT_FROM` opcode (attribute, then the `sys.modules` fallback, then "cannot import name"),
//! relative-name resolution, and `runpy` for `-m`. Each module instance has a namespace that fills
//! up as its events run, so a from-import or attribute read on a partially initialised module
//! fails exactly where CPython's would.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::config::Entry;
use super::modules::{parent_dir, Spec};
use super::project::Project;
use super::summary::{
    blocks_that_may_run_certain, Block, Bound, Callee, Event, FileSummary, FuncId, Function, ImportKind, ImportStmt, Literal,
    exceptions, Catch, MayRun, NameValue, PythonVersion, Raised, RaisedClass, Receiver, TryEvent,
};
use super::text::TextRange;

/// Upper bound on events executed in one simulation; real projects need far fewer, and it
/// keeps pathological inputs (deep call chains through many modules) from running for long.
const EVENT_BUDGET: usize = 2_000_000;
/// Upper bound on nested calls of first-party functions.
const MAX_CALL_DEPTH: usize = 64;

/// A statement in a first-party file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Site {
    pub path: Arc<str>,
    pub range: TextRange,
    pub line: u32,
}

/// One module whose code started running, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub module: Arc<str>,
    pub path: Arc<str>,
    pub imported_from: Option<Site>,
    /// How many modules were executing when this one started (0 for the entry).
    pub depth: usize,
}

/// What an import of a first-party module did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The module's code ran: this is step `n` of the order.
    Ran(usize),
    /// The module was already in `sys.modules`; `partial` when it was still initialising.
    CacheHit { partial: bool },
}

/// Every import of a first-party module, in the order they happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub module: Arc<str>,
    pub path: Arc<str>,
    pub site: Option<Site>,
    pub action: Action,
    pub depth: usize,
}

/// A module on the stack of executing modules when an error was raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainLink {
    pub module: String,
    pub path: Option<String>,
    /// The statement of this module that was running (an import, or the failing statement).
    pub at: Option<Site>,
}

/// A name that was not (yet) bound where an import or attribute read needed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingName {
    pub module: String,
    pub path: Option<String>,
    pub name: String,
    /// The module (or, for `submodule`, the submodule) was still initialising.
    pub partial: bool,
    /// The name is a submodule that is still initialising, so its parent has no such
    /// attribute yet ("cannot access submodule").
    pub submodule: bool,
}

/// An exception raised by the simulated program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyError {
    /// "ImportError", "ModuleNotFoundError", "AttributeError" or "SyntaxError"; for an
    /// exception of a first-party class, the built-in class it derives from, which decides
    /// the handlers that catch it by a built-in name.
    pub kind: &'static str,
    /// The first-party class of the exception: its name (`ConfigError`, see
    /// [`PyError::type_name`]) and the run's class, whose bases decide the handlers that name
    /// first-party classes.
    pub class: Option<Box<RaisedType>>,
    pub message: String,
    /// The innermost first-party statement that raised.
    pub site: Option<Site>,
    /// `ImportError.name`: the module that was not found, or that lacks the imported name.
    pub module_name: Option<String>,
    pub missing: Option<MissingName>,
    /// The modules executing when it was raised, outermost first.
    pub chain: Vec<ChainLink>,
}

/// The first-party class of a [`PyError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaisedType {
    pub name: String,
    /// The class, as the run numbers its classes.
    class: usize,
}

impl PyError {
    /// The exception's class as `type(e).__name__` spells it.
    pub fn type_name(&self) -> &str {
        self.class.as_ref().map_or(self.kind, |class| class.name.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOrder {
    pub entry: Entry,
    pub steps: Vec<Step>,
    pub trace: Vec<TraceEvent>,
    pub outcome: Result<(), PyError>,
    /// The simulation stopped early at its event budget.
    pub truncated: bool,
}

impl LoadOrder {
    /// Applies `apply` to every range of a site in `path`.
    pub fn remap(&mut self, path: &str, apply: &dyn Fn(&mut TextRange)) {
        self.for_each_site_in(path, |site| apply(&mut site.range));
    }

    /// Calls `f` on every site of this run (steps, trace, the error and its chain) in `path`.
    fn for_each_site_in(&mut self, path: &str, mut f: impl FnMut(&mut Site)) {
        let mut fix = |site: &mut Option<Site>| {
            if let Some(site) = site.as_mut().filter(|site| &*site.path == path) {
                f(site);
            }
        };
        for step in &mut self.steps {
            fix(&mut step.imported_from);
        }
        for event in &mut self.trace {
            fix(&mut event.site);
        }
        if let Err(error) = &mut self.outcome {
            fix(&mut error.site);
            for link in &mut error.chain {
                fix(&mut link.at);
            }
        }
    }

    /// Moves the sites in `path` through `ranges` after an edit that left everything this run
    /// executed there unchanged (see [`SimDelta`]); lines are recomputed from `summary`, the
    /// file's new summary. Returns false, leaving the order unusable, if a site has no new range.
    pub fn move_sites(&mut self, path: &str, ranges: &FxHashMap<TextRange, TextRange>, summary: &FileSummary) -> bool {
        let mut complete = true;
        self.for_each_site_in(path, |site| match ranges.get(&site.range) {
            Some(range) => {
                site.range = *range;
                site.line = summary.line_number(range.start);
            }
            None => complete = false,
        });
        complete
    }

    /// Every distinct site range of this run with the [`name_hash`] of its path, sorted: what
    /// a cache needs to tell quickly whether an edit moves one of the run's sites.
    pub fn site_ranges(&self) -> Vec<(u64, TextRange)> {
        let mut ranges = Vec::new();
        let mut add = |site: &Option<Site>| {
            if let Some(site) = site {
                ranges.push((name_hash(&site.path), site.range));
            }
        };
        self.steps.iter().for_each(|s| add(&s.imported_from));
        self.trace.iter().for_each(|e| add(&e.site));
        if let Err(error) = &self.outcome {
            add(&error.site);
            error.chain.iter().for_each(|l| add(&l.at));
        }
        ranges.sort_unstable_by_key(|(hash, range)| (*hash, range.start, range.end));
        ranges.dedup();
        ranges.shrink_to_fit();
        ranges
    }

    /// The error, when it is the kind of crash that a module cycle causes.
    pub fn partial_init_error(&self) -> Option<&PyError> {
        self.outcome.as_ref().err().filter(|e| e.missing.as_ref().is_some_and(|m| m.partial))
    }
}

/// Runs `entry` over the project.
pub fn simulate(project: &Project, entry: &Entry) -> LoadOrder {
    simulate_recording(project, entry).0
}

/// Runs `entry` over the project, and says what the run read of it.
pub fn simulate_recording(project: &Project, entry: &Entry) -> (LoadOrder, Reads) {
    let mut sim = Sim::new(project);
    let outcome = sim.run(entry);
    sim.finish(entry, outcome)
}

/// Runs every entry as [`simulate_recording`] does, in parallel, and gives the results in the
/// entries' order. The runs of `import top.a.b` for one top-level package `top` continue one
/// shared run of `import top` (see [`ImportPrefix`]) instead of each simulating it again.
pub fn simulate_all(project: &Project, entries: &[&Entry]) -> Vec<(LoadOrder, Reads)> {
    let mut runs_by_top: FxHashMap<&str, usize> = FxHashMap::default();
    for entry in entries {
        if let Entry::Import(module) = entry {
            *runs_by_top.entry(top_level(module)).or_default() += 1;
        }
    }
    let tops: Vec<&str> = runs_by_top.into_iter().filter(|(_, runs)| *runs > 1).map(|(top, _)| top).collect();
    let prefixes: FxHashMap<&str, ImportPrefix> =
        tops.into_par_iter().map(|top| (top, ImportPrefix::new(project, top))).collect();
    entries
        .par_iter()
        .map(|entry| {
            let prefix = match entry {
                Entry::Import(module) => prefixes.get(top_level(module)),
                _ => None,
            };
            prefix.and_then(|prefix| prefix.simulate(entry)).unwrap_or_else(|| simulate_recording(project, entry))
        })
        .collect()
}

fn top_level(module: &str) -> &str {
    module.split_once('.').map_or(module, |(top, _)| top)
}

/// The state after `python -c "import top"`, from which the runs of `import top.a.b` go on.
///
/// CPython imports a module's parent packages first, outermost first, so the run of `import
/// top.a.b` begins with the whole run of `import top` unless one of `top.a.b` and `top.a` is in
/// `sys.modules` before the import or cannot be shadowed. When many modules of one large package
/// are entries (the members of its import cycles: sympy has 277), each of their runs used to
/// simulate the whole package again; cloning this state instead gives the same runs.
struct ImportPrefix<'p> {
    top: String,
    sim: Sim<'p>,
    /// How `import top` ended.
    result: Flow,
    /// The modules in `sys.modules` before the import.
    preloaded: FxHashSet<String>,
}

impl<'p> ImportPrefix<'p> {
    fn new(project: &'p Project, top: &str) -> Self {
        let mut sim = Sim::new(project);
        sim.start_import();
        let preloaded = sim.sys_modules.keys().cloned().collect();
        let result = sim.find_and_load(top, None).map(|_| ());
        ImportPrefix { top: top.to_string(), sim, result, preloaded }
    }

    /// The run of `entry` (an `import` of `top` or of a module below it) continued from this
    /// state, the same as [`simulate_recording`] gives; `None` for an entry whose run does not
    /// begin with `import top`.
    fn simulate(&self, entry: &Entry) -> Option<(LoadOrder, Reads)> {
        let Entry::Import(module) = entry else { return None };
        if module != &self.top && !module.strip_prefix(self.top.as_str())?.starts_with('.') {
            return None;
        }
        // `find_and_load(module)` goes down to `top` through every level that is neither in
        // `sys.modules` nor unshadowable, and loads each on the way back.
        let mut levels = Vec::new();
        let mut level = module.as_str();
        while level.len() > self.top.len() {
            if self.preloaded.contains(level) || self.sim.project.env.is_unshadowable(level) {
                return None;
            }
            levels.push(level);
            level = level.rsplit_once('.')?.0;
        }
        let mut sim = self.sim.clone();
        let mut result = self.result.clone();
        for level in levels.into_iter().rev() {
            if result.is_err() {
                break;
            }
            result = sim.load_after_parent(level, level.rsplit_once('.').map(|(parent, _)| parent), None).map(|_| ());
        }
        let outcome = sim.outcome(result);
        Some(sim.finish(entry, outcome))
    }
}

/// What one run read of the project besides the module tree, the configuration and the
/// environment: enough for a cache to tell whether an edit can change the run's result (see
/// [`SimDelta`]).
#[derive(Clone, Debug, Default)]
pub struct Reads {
    /// Every file whose summary the run asked for, by the [`name_hash`] of its path, with the
    /// summary it got (`None` for a file that exists but is not summarised yet: importing it
    /// ran nothing). Two paths with one hash only make the run look affected by more edits.
    pub files: FxHashMap<u64, Option<Arc<FileSummary>>>,
    /// The functions the run called, by the [`name_hash`] of their file's path (two paths with
    /// one hash only make an edit of either look like it touches more runs than it does).
    pub called: FxHashSet<(u64, FuncId)>,
    /// Every name the run looked up in a namespace (a module's, a function's or a class's),
    /// found or not, or deleted from one, as [`name_hash`]es. Namespaces only matter through
    /// such lookups: what `from m import *` copies without `__all__` is not looked up until
    /// something uses it.
    pub names: FxHashSet<u64>,
}

impl Reads {
    /// Whether a run that read this can end differently after `path` changed as `delta` says.
    pub fn affected_by(&self, path: &str, delta: &SimDelta) -> bool {
        let file = name_hash(path);
        if !self.files.contains_key(&file) {
            return false;
        }
        delta.module
            || delta.functions.iter().any(|f| self.called.contains(&(file, *f)))
            || delta.names.iter().any(|name| self.names.contains(name))
    }
}

/// The hash under which [`Reads::names`] and [`SimDelta::names`] keep a name.
pub fn name_hash(name: &str) -> u64 {
    let mut hasher = FxHasher::default();
    name.hash(&mut hasher);
    hasher.finish()
}

/// How a file's summary changed, as far as the simulator can tell: a run that read the file
/// ends differently only if it runs something that changed. Equality ignores byte ranges and
/// lines, which [`SimDelta::ranges`] maps instead.
#[derive(Clone, Debug, Default)]
pub struct SimDelta {
    /// Something that every run loading the file meets changed: its top level beyond the names
    /// it binds, its `__all__`, its syntax errors, whether its namespace is dynamic, or the
    /// number of its functions.
    pub module: bool,
    /// Functions whose code changed (only runs that call them can tell).
    pub functions: FxHashSet<FuncId>,
    /// Names that the top level binds in one version and not in the same place of the other
    /// ([`name_hash`]es): only runs that look one of them up, or that list a namespace, can tell.
    pub names: FxHashSet<u64>,
    /// Old range → new range of every statement of the unchanged code that a site can point at
    /// (imports and attribute reads).
    pub ranges: FxHashMap<TextRange, TextRange>,
    /// The old ranges in `ranges` whose statement moves to another range or line: kept runs'
    /// sites there need moving. (A kept run has no site in a changed function: it would have
    /// called it.)
    pub moved: FxHashSet<TextRange>,
}

impl SimDelta {
    /// Compares two summaries of one file.
    pub fn between(old: &FileSummary, new: &FileSummary) -> SimDelta {
        let mut delta = SimDelta::default();
        // Syntax of a newer Python decides whether the file compiles on the version modelled,
        // and the line of its error is in the message. A tokenizer error, or one earlier in
        // the file, is raised instead of a syntax error that tree-sitter found.
        let newer = |s: &FileSummary| -> Vec<_> {
            s.newer_syntax.iter().map(|n| (n.feature, n.suggestion.clone(), s.line_number(n.range.start), s.line_number(n.range.end))).collect()
        };
        let compile_error =
            |s: &FileSummary| -> Vec<_> { s.compile_errors.iter().map(|e| (e.message.clone(), s.line_number(e.at), e.from, e.until)).collect() };
        let failure_changed = newer(old) != newer(new) || compile_error(old) != compile_error(new);
        if !old.syntax_errors.is_empty() || !new.syntax_errors.is_empty() {
            // A file with a syntax error runs nothing; only its error shows, which is the
            // first syntax error's line unless an error above decides the message.
            let first_line = |s: &FileSummary| s.syntax_errors.first().map(|e| s.line_number(e.start));
            delta.module = failure_changed || first_line(old) != first_line(new);
            return delta;
        }
        if failure_changed {
            delta.module = true;
            return delta;
        }
        if old.all != new.all
            || old.all_is_dynamic != new.all_is_dynamic
            || old.dynamic_namespace != new.dynamic_namespace
            || old.functions.len() != new.functions.len()
        {
            delta.module = true;
            return delta;
        }
        let mut names = FxHashSet::default();
        let mut top = BlockDiff { old, new, names: Some(&mut names), ranges: FxHashMap::default() };
        if !top.block(&old.body, &new.body) {
            delta.module = true;
            return delta;
        }
        delta.ranges = top.ranges;
        delta.names = names;
        for (id, (a, b)) in old.functions.iter().zip(&new.functions).enumerate() {
            let mut diff = BlockDiff { old, new, names: None, ranges: FxHashMap::default() };
            if a.globals == b.globals && a.lazy == b.lazy && a.receiver == b.receiver && diff.block(&a.body, &b.body) {
                delta.ranges.extend(diff.ranges);
            } else {
                delta.functions.insert(id as FuncId);
            }
        }
        delta.moved = delta
            .ranges
            .iter()
            .filter(|(from, to)| from != to || old.line_number(from.start) != new.line_number(to.start))
            .map(|(from, _)| *from)
            .collect();
        delta
    }

    /// Whether nothing a run can see changed, ranges aside.
    pub fn is_empty(&self) -> bool {
        !self.module && self.functions.is_empty() && self.names.is_empty()
    }
}

/// Walks two event programs side by side.
struct BlockDiff<'a, 'n> {
    old: &'a FileSummary,
    new: &'a FileSummary,
    /// Where differing bound names go; `None` where any difference counts (function bodies,
    /// whose bindings only matter to the runs that call them).
    names: Option<&'n mut FxHashSet<u64>>,
    ranges: FxHashMap<TextRange, TextRange>,
}

impl BlockDiff<'_, '_> {
    fn block(&mut self, a: &Block, b: &Block) -> bool {
        if self.names.is_none() {
            return a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.event(x, y));
        }
        // A binding only writes: between two other events, which names get bound to what
        // matters, not in which order or by how many statements. So the other events must
        // match one to one, and the names bound between them may differ; a name bound to
        // something else (a literal changed) differs too.
        let (x, p) = split_bindings(a);
        let (y, q) = split_bindings(b);
        if x.len() != y.len() {
            return false;
        }
        for (mut p, mut q) in p.into_iter().zip(q) {
            p.sort_unstable();
            q.sort_unstable();
            if p != q {
                let names = self.names.as_mut().expect("checked above");
                for (name, _) in p.iter().filter(|n| q.binary_search(n).is_err()).chain(q.iter().filter(|n| p.binary_search(n).is_err())) {
                    names.insert(name_hash(name));
                }
            }
        }
        x.into_iter().zip(y).all(|(x, y)| self.event(x, y))
    }

    fn name(&mut self, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        match &mut self.names {
            Some(names) => {
                names.insert(name_hash(a));
                names.insert(name_hash(b));
                true
            }
            None => false,
        }
    }

    fn event(&mut self, a: &Event, b: &Event) -> bool {
        match (a, b) {
            (Event::Import(x), Event::Import(y)) => {
                let (x, y) = (self.old.import(*x), self.new.import(*y));
                if !import_kind_eq(&x.kind, &y.kind) {
                    return false;
                }
                self.ranges.insert(x.range, y.range);
                true
            }
            (Event::Bind { name: x, value: p, .. }, Event::Bind { name: y, value: q, .. }) => p == q && self.name(x, y),
            (Event::Unbind { name: x }, Event::Unbind { name: y }) => self.name(x, y),
            (Event::MetaPathFinder, Event::MetaPathFinder) | (Event::ForgetLiterals, Event::ForgetLiterals) => true,
            (Event::Def { name: x, func: f, .. }, Event::Def { name: y, func: g, .. }) => f == g && self.name(x, y),
            (Event::Class(x), Event::Class(y)) => {
                x.bases == y.bases && self.name(&x.name, &y.name) && self.block(&x.body, &y.body)
            }
            (Event::Call { callee: x, consumed: p, .. }, Event::Call { callee: y, consumed: q, .. }) => x == y && p == q,
            (Event::Attr { base: x, attrs: p, range: r }, Event::Attr { base: y, attrs: q, range: s })
            | (Event::Reload { base: x, attrs: p, range: r }, Event::Reload { base: y, attrs: q, range: s }) => {
                if x != y || p != q {
                    return false;
                }
                self.ranges.insert(*r, *s);
                true
            }
            (Event::SetAttr { base: x, attr: p, .. }, Event::SetAttr { base: y, attr: q, .. }) => {
                x == y && self.name(p, q)
            }
            (
                Event::SysModulesSet { name: x, bare: p, .. },
                Event::SysModulesSet { name: y, bare: q, .. },
            ) => x == y && p == q,
            (Event::SysModulesDel { name: x, .. }, Event::SysModulesDel { name: y, .. }) => x == y,
            (Event::Raise { raised: x, .. }, Event::Raise { raised: y, .. }) => x == y,
            (Event::Return { certain: x, value: p }, Event::Return { certain: y, value: q }) => x == y && p == q,
            (Event::If { branches: p, orelse: x }, Event::If { branches: q, orelse: y }) => {
                p.len() == q.len()
                    && p.iter().zip(q).all(|(m, n)| m.cond.eq_ignoring_ranges(&n.cond) && self.block(&m.body, &n.body))
                    && match (x, y) {
                        (Some(x), Some(y)) => self.block(x, y),
                        (None, None) => true,
                        _ => false,
                    }
            }
            (Event::Try(s), Event::Try(t)) => {
                let TryEvent { body: p, handlers: h, orelse: x, finally: f } = &**s;
                let TryEvent { body: q, handlers: k, orelse: y, finally: g } = &**t;
                h.len() == k.len()
                    && self.block(p, q)
                    && h.iter().zip(k).all(|(m, n)| m.catches == n.catches && self.block(&m.body, &n.body))
                    && self.block(x, y)
                    && self.block(f, g)
            }
            _ => false,
        }
    }
}

/// The names that a run of bindings binds, each with what it binds.
type Bindings<'b> = Vec<(&'b str, &'b Bound)>;

/// The events of a block other than bindings, and the names bound (with what they are bound
/// to) before the first of them, between each two, and after the last.
fn split_bindings(block: &Block) -> (Vec<&Event>, Vec<Bindings<'_>>) {
    let mut events = Vec::new();
    let mut names = vec![Vec::new()];
    for event in block {
        match event {
            Event::Bind { name, value, .. } => names.last_mut().expect("never empty").push((name.as_str(), value)),
            other => {
                events.push(other);
                names.push(Vec::new());
            }
        }
    }
    (events, names)
}

/// Two import statements do the same, wherever they stand.
fn import_kind_eq(a: &ImportKind, b: &ImportKind) -> bool {
    match (a, b) {
        (ImportKind::Import { modules: x }, ImportKind::Import { modules: y }) => {
            x.len() == y.len() && x.iter().zip(y).all(|(m, n)| m.dotted == n.dotted && m.alias == n.alias)
        }
        (
            ImportKind::From { level: l, module: m, names: x, star: s },
            ImportKind::From { level: k, module: n, names: y, star: t },
        ) => {
            l == k
                && m == n
                && s == t
                && x.len() == y.len()
                && x.iter().zip(y).all(|(p, q)| p.name == q.name && p.alias == q.alias)
        }
        (ImportKind::Dynamic { .. }, ImportKind::Dynamic { .. }) => a == b,
        _ => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value {
    Module(usize),
    Function(usize, FuncId),
    /// A class that a first-party class statement made, by its index in `Sim::classes`.
    Class(usize),
    /// An object that calling such a class made; its attributes are those of the class.
    Object(usize),
    /// A literal (see [`Bound::Literal`]): its truth and its [`Literal::key`].
    Literal { truth: bool, key: u64 },
    Opaque,
    /// A plain `object()`: it has no attributes, not even `__name__` or `__path__`.
    Bare,
}

impl Value {
    fn literal(literal: &Literal) -> Value {
        Value::Literal { truth: literal.truth(), key: literal.key() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cached {
    Instance(usize),
    /// A module whose code is not first-party, or an object planted in `sys.modules`.
    Opaque,
    /// A plain `object()` planted in `sys.modules`.
    Bare,
}

impl Cached {
    fn value(self) -> Value {
        match self {
            Cached::Instance(i) => Value::Module(i),
            Cached::Opaque => Value::Opaque,
            Cached::Bare => Value::Bare,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Running,
    Done,
    Failed,
}

#[derive(Clone)]
struct Instance {
    name: Arc<str>,
    path: Option<Arc<str>>,
    summary: Option<Arc<FileSummary>>,
    is_package: bool,
    search: Vec<String>,
    namespace: FxHashMap<String, Value>,
    state: State,
    is_main: bool,
    /// `__package__` of a `__main__` module (None for a script).
    main_package: Option<String>,
    /// Names may be bound in ways the summary cannot see.
    dynamic: bool,
    /// `importlib.reload` gave the module a new `__spec__`, which nothing marks as
    /// initialising: CPython's errors no longer call it partially initialised, even while the
    /// code that first imported it is still running.
    reloaded: bool,
    /// For a compiled module that runs its source (see [`Spec::Compiled`]), the source.
    compiled_from: Option<Arc<str>>,
    /// For such a module, the statement that imported it, which is where everything it does
    /// happens as far as Python frames go.
    compiled_site: Option<Site>,
}

impl Instance {
    /// Whether the module's `__spec__._initializing` is set, which decides CPython's messages.
    fn spec_initialising(&self) -> bool {
        self.state == State::Running && !self.reloaded
    }

    fn package(&self) -> Option<String> {
        if self.is_main {
            return self.main_package.clone();
        }
        if self.is_package {
            return Some(self.name.to_string());
        }
        Some(self.name.rsplit_once('.').map(|(p, _)| p.to_string()).unwrap_or_default())
    }
}

/// The namespace that a block of events binds into.
struct Scope {
    module: usize,
    /// Function or class namespace; `None` at module level.
    locals: Option<FxHashMap<String, Value>>,
    /// Names declared `global` in the running function.
    globals: Vec<String>,
    /// The class whose namespace held the running function, which `super()` starts after.
    class: Option<usize>,
    /// The running function's first argument, when it is a known string (see [`Cond::Argument`]).
    argument: Option<String>,
    /// What the running method's first parameter received, which `super().method()` passes on.
    receiver: Option<Value>,
    /// A function's scope (not a module's or a class body's).
    function: bool,
}

impl Scope {
    /// A module's own scope, whose names are its globals.
    fn module(module: usize) -> Scope {
        Scope { module, locals: None, globals: Vec::new(), class: None, argument: None, receiver: None, function: false }
    }
}

/// What a callee names: the value, the class whose namespace held it (for `super()`), and the
/// object or class it was looked up on, which a method receives as its first argument.
struct Callable {
    value: Value,
    owner: Option<usize>,
    receiver: Option<Value>,
}

/// What a call of a function knows: the class whose namespace held it, for `super()`; the
/// object or class it was looked up on; its first argument when that is a known string (a
/// module `__getattr__`'s name).
struct Call<'n> {
    class: Option<usize>,
    receiver: Option<Value>,
    argument: Option<&'n str>,
}

#[derive(Clone)]
struct Frame {
    instance: usize,
    site: Option<Site>,
}

// Cloned to continue one run's state in several runs (see [`ImportPrefix`]).
#[derive(Clone)]
struct Sim<'p> {
    project: &'p Project,
    sys_path: Vec<String>,
    instances: Vec<Instance>,
    sys_modules: FxHashMap<String, Cached>,
    steps: Vec<Step>,
    trace: Vec<TraceEvent>,
    /// The modules currently executing, outermost first, with the statement each is running.
    stack: Vec<Frame>,
    /// The functions currently running, outermost first, each with the [`Sim::version`] its
    /// call started at.
    calls: Vec<(usize, FuncId, u64)>,
    /// Counts the changes to what a function's code can observe: `sys.modules`, module
    /// namespaces, module instances and their states. Equal versions mean equal states.
    version: u64,
    /// Functions whose last call changed nothing and returned normally, with the version it
    /// started and ended at and what it returned. Calling one again at that version would do
    /// and return the same again.
    idempotent_calls: FxHashMap<(usize, FuncId, u64), (u64, Value)>,
    events: usize,
    truncated: bool,
    reads: Reads,
    /// Every class that a class statement made so far, addressed by [`Value::Class`].
    classes: Vec<Class>,
    /// How many blocks that may not run in CPython (branches of undecided conditions, code after
    /// a `return` that may have run) the running module or function is inside. A `return` there
    /// would invent an outcome, so it does nothing, and a literal bound there is not known; a
    /// called function inherits the count, a module that starts running begins at zero.
    uncertain: u32,
    /// How many of those are code after a `return` that may have run, where a `raise` does
    /// nothing either. A `raise` in an undecided branch runs, and the If statement takes the
    /// error that leaves the branch (see [`Event::If`]).
    returned: u32,
    /// The errors that the running `except` handlers caught, innermost last, for a bare `raise`.
    handling: Vec<PyError>,
    /// Classes whose statement ran and whose name is not bound yet (decorators run in
    /// between), with the range of the name that their `Bind` event carries.
    unbound_classes: Vec<(TextRange, usize)>,
    /// Undecided branches (by the address of their block) that an error left: they are not
    /// taken again in this run. Without this, a function called many times at import time
    /// would import and fail again in each call (sympy's `sympify` and its array types).
    failed_branches: FxHashSet<usize>,
    /// What the last call that finished returned, as far as it is known, for a binding of its
    /// result (see [`Event::Bind`]).
    call_result: Value,
    /// What the `return` that ends the running function returns (see [`Event::Return`]), read
    /// by `call_function` as soon as the body stops.
    return_value: Value,
    /// What the calls of a first-party function or class returned, by module instance and the
    /// call's start byte, for the tests of their results (see [`Cond::CallResult`]).
    call_values: FxHashMap<(usize, u32), Value>,
    /// The modules that `importlib.reload` is running again, innermost last.
    reloading: Vec<Arc<str>>,
    /// First-party code added a finder to `sys.meta_path`: a module that no file provides may
    /// come from it (setuptools' and pkg_resources' `VendorImporter`), so it is found, unknown.
    meta_path_finder: bool,
}

/// A class made by running a class statement: what its body bound, and its bases.
#[derive(Clone)]
struct Class {
    /// The name of the class statement, which an `except` clause may name the class by.
    name: Box<str>,
    namespace: FxHashMap<String, Value>,
    /// Each base's value, `None` when it is an expression the summary does not follow.
    bases: Vec<Option<Value>>,
    /// The built-in exception class that the class derives from, when its bases lead to one
    /// through first-party classes and built-in names only.
    builtin_exception: Option<&'static str>,
}

/// Control flow out of a block: an exception, or the budget running out.
#[derive(Clone)]
enum Stop {
    Raise(Box<PyError>),
    Budget,
    /// A `return` that certainly runs, out of the function that `call_function` runs.
    Return,
}

impl From<PyError> for Stop {
    fn from(e: PyError) -> Self {
        Stop::Raise(Box::new(e))
    }
}

type Flow<T = ()> = Result<T, Stop>;

const MODULE_DUNDERS: &[&str] =
    &["__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__builtins__", "__dict__", "__cached__"];

impl<'p> Sim<'p> {
    fn new(project: &'p Project) -> Self {
        let sys_modules = project.env.preloaded.iter().map(|name| (name.clone(), Cached::Opaque)).collect();
        Sim {
            project,
            sys_path: project.check_sys_path(),
            instances: Vec::new(),
            sys_modules,
            steps: Vec::new(),
            trace: Vec::new(),
            stack: Vec::new(),
            calls: Vec::new(),
            version: 0,
            idempotent_calls: FxHashMap::default(),
            events: 0,
            truncated: false,
            reads: Reads::default(),
            classes: Vec::new(),
            unbound_classes: Vec::new(),
            call_result: Value::Opaque,
            return_value: Value::Opaque,
            call_values: FxHashMap::default(),
            failed_branches: FxHashSet::default(),
            reloading: Vec::new(),
            meta_path_finder: false,
            uncertain: 0,
            returned: 0,
            handling: Vec::new(),
        }
    }

    #[allow(clippy::result_large_err)] // See `outcome`.
    fn run(&mut self, entry: &Entry) -> Result<(), PyError> {
        let result = match entry {
            Entry::Script(path) => {
                self.sys_path = self.project.sys_path(parent_dir(path));
                self.run_main_file(path, None, None)
            }
            Entry::Module(name) => {
                self.sys_path = self.project.sys_path("");
                self.run_module(name)
            }
            Entry::ConsoleScript { module, function } => {
                self.start_import();
                self.find_and_load(module, None).and_then(|cached| match cached {
                    Cached::Instance(i) => match self.read_name(function).instances[i].namespace.get(function).copied() {
                        Some(Value::Function(module, func)) => {
                            self.call_function(module, func, Call { class: None, receiver: None, argument: None }).map(|_| ())
                        }
                        _ => Ok(()),
                    },
                    Cached::Opaque | Cached::Bare => Ok(()),
                })
            }
            Entry::Import(module) => {
                self.start_import();
                self.find_and_load(module, None).map(|_| ())
            }
        };
        self.outcome(result)
    }

    /// The run's results, without spare capacity: a workspace's analysis keeps a run for every
    /// entry and cycle member, over a million traced imports in site-packages.
    fn finish(mut self, entry: &Entry, outcome: Result<(), PyError>) -> (LoadOrder, Reads) {
        self.reads.names.shrink_to_fit();
        self.steps.shrink_to_fit();
        self.trace.shrink_to_fit();
        let order = LoadOrder { entry: entry.clone(), steps: self.steps, trace: self.trace, outcome, truncated: self.truncated };
        let reads = self.reads;
        (order, reads)
    }

    /// What `python -c "import …"` has before the import: the script folder's sys.path and a
    /// `__main__` module that runs the statement.
    fn start_import(&mut self) {
        self.sys_path = self.project.sys_path("");
        let main = self.new_main(None, None);
        self.stack.push(Frame { instance: main, site: None });
    }

    /// The run's outcome, from how its entry's code ended.
    // The error becomes the run's outcome right away, once per run: boxing it buys nothing.
    #[allow(clippy::result_large_err)]
    fn outcome(&mut self, result: Flow) -> Result<(), PyError> {
        match result {
            Ok(()) => Ok(()),
            Err(Stop::Raise(e)) => Err(*e),
            Err(Stop::Budget) => {
                self.truncated = true;
                Ok(())
            }
            // `call_function` ends every return; module code has none.
            Err(Stop::Return) => Ok(()),
        }
    }

    fn new_main(&mut self, path: Option<&str>, package: Option<String>) -> usize {
        let summary = path.and_then(|p| self.summary(p));
        let index = self.new_instance("__main__".into(), path.map(Arc::from), summary, false, Vec::new());
        let instance = &mut self.instances[index];
        instance.is_main = true;
        instance.main_package = package;
        self.cache_module("__main__".to_string(), Cached::Instance(index));
        index
    }

    fn new_instance(
        &mut self,
        name: Arc<str>,
        path: Option<Arc<str>>,
        summary: Option<Arc<FileSummary>>,
        is_package: bool,
        search: Vec<String>,
    ) -> usize {
        let mut namespace: FxHashMap<String, Value> =
            MODULE_DUNDERS.iter().map(|n| (n.to_string(), Value::Opaque)).collect();
        if is_package {
            namespace.insert("__path__".to_string(), Value::Opaque);
        }
        let dynamic = summary.as_ref().is_some_and(|s| s.dynamic_namespace);
        self.version += 1;
        self.instances.push(Instance {
            name,
            path,
            summary,
            is_package,
            search,
            namespace,
            state: State::Running,
            is_main: false,
            main_package: None,
            dynamic,
            reloaded: false,
            compiled_from: None,
            compiled_site: None,
        });
        self.instances.len() - 1
    }

    /// Records that the code of `instance`, a module with a file, starts running: the next step
    /// of the order and its trace event, which share the instance's name and path.
    fn record_run(&mut self, instance: usize, site: Option<Site>, depth: usize) {
        let Instance { name, path, .. } = &self.instances[instance];
        let Some(path) = path.clone() else { return };
        let module = name.clone();
        let step = self.steps.len();
        self.trace.push(TraceEvent { module: module.clone(), path: path.clone(), site: site.clone(), action: Action::Ran(step), depth });
        self.steps.push(Step { module, path, imported_from: site, depth });
    }

    /// Runs a file as `__main__` (a script, or the module of `python -m`).
    fn run_main_file(&mut self, path: &str, package: Option<String>, site: Option<Site>) -> Flow {
        let as_module = package.is_some();
        let main = self.new_main(Some(path), package);
        let summary = self.instances[main].summary.clone();
        let compile_error = summary.and_then(|summary| self.compile_error(&summary, Some(path)));
        // A script that does not compile has started all the same: `__main__` exists, with its
        // `__file__`. `python -m` compiles the module's code first (runpy's
        // `_get_module_details`), so that `__main__` never starts. (An imported module is
        // checked before it starts, in `load_after_parent`; a reload runs a file that compiled
        // when it was first loaded.)
        if !(as_module && compile_error.is_some()) {
            self.record_run(main, site.clone(), 0);
        }
        if let Some((exception, message)) = compile_error {
            return Err(self.error(exception, message, site));
        }
        self.stack.push(Frame { instance: main, site: None });
        self.exec_module(main)?;
        self.set_state(main, State::Done);
        Ok(())
    }

    /// `runpy._run_module_as_main`: find the module's details (importing its parent package
    /// first), then run it, or its package's `__main__` submodule, as `__main__`.
    fn run_module(&mut self, name: &str) -> Flow {
        match self.module_details(name)? {
            Some((file, package)) => self.run_main_file(&file, Some(package), None),
            // A standard-library or third-party module: no first-party code runs as `__main__`.
            None => Ok(()),
        }
    }

    /// `runpy._get_module_details`: the file to run and its `__package__`.
    fn module_details(&mut self, name: &str) -> Flow<Option<(String, String)>> {
        if let Some((parent, _)) = name.rsplit_once('.') {
            // runpy imports the parent itself and swallows an ImportError about the parent
            // (or an ancestor), leaving the spec search below to report it...
            match self.find_and_load(parent, None) {
                Ok(_) => {}
                Err(Stop::Raise(e))
                    if (e.kind == "ImportError" || e.kind == "ModuleNotFoundError")
                        && e.module_name.as_deref().is_some_and(|n| n == parent || parent.starts_with(&format!("{n}."))) => {}
                Err(stop) => return Err(stop),
            }
            // ...and `importlib.util.find_spec` imports the parent again when it is not in
            // sys.modules, which runs a package whose first run failed a second time.
            if !self.sys_modules.contains_key(parent) {
                self.find_and_load(parent, None)?;
            }
            if self.sys_modules.get(parent) == Some(&Cached::Bare) {
                return Err(self.error(
                    "ModuleNotFoundError",
                    format!("__path__ attribute not found on '{parent}' while trying to find '{name}'"),
                    None,
                ));
            }
        }
        match self.find_spec(name, None)? {
            Some(Spec::File { file, is_package: false, .. }) => {
                let package = name.rsplit_once('.').map(|(p, _)| p.to_string()).unwrap_or_default();
                Ok(Some((file, package)))
            }
            Some(Spec::File { is_package: true, .. }) | Some(Spec::Namespace { .. }) => {
                if name == "__main__" || name.ends_with(".__main__") {
                    return Err(self.error("SystemExit", "Cannot use package as __main__ module".to_string(), None));
                }
                match self.module_details(&format!("{name}.__main__")) {
                    Err(Stop::Raise(e)) if e.kind == "SystemExit" && self.sys_modules.contains_key(name) => {
                        Err(self.error(
                            "SystemExit",
                            format!("{}; '{name}' is a package and cannot be directly executed", e.message),
                            None,
                        ))
                    }
                    other => other,
                }
            }
            // Not first-party code as `__main__`; runpy cannot run an extension module.
            Some(Spec::External | Spec::Compiled { .. }) => Ok(None),
            None => Err(self.error("SystemExit", format!("No module named {name}"), None)),
        }
    }

    fn error(&self, kind: &'static str, message: String, site: Option<Site>) -> Stop {
        let chain = self
            .stack
            .iter()
            .enumerate()
            .map(|(depth, frame)| {
                let instance = &self.instances[frame.instance];
                // Each frame's running statement is the site of the next frame's import, or the
                // failing statement for the innermost one.
                let at = match self.stack.get(depth + 1) {
                    Some(next) => next.site.clone(),
                    None => site.clone(),
                };
                ChainLink { module: instance.name.to_string(), path: instance.path.as_deref().map(str::to_string), at }
            })
            .collect();
        Stop::Raise(Box::new(PyError { kind, class: None, message, site, module_name: None, missing: None, chain }))
    }

    fn not_found(&self, name: &str, site: Option<Site>) -> Stop {
        let mut stop = self.error("ModuleNotFoundError", format!("No module named '{name}'"), site);
        if let Stop::Raise(e) = &mut stop {
            e.module_name = Some(name.to_string());
        }
        stop
    }

    fn missing_name(&self, kind: &'static str, message: String, site: Option<Site>, instance: usize, name: &str) -> Stop {
        let submodule = self.initialising_submodule(instance, name);
        let mut stop = self.error(kind, message, site);
        if let Stop::Raise(e) = &mut stop {
            let inst = &self.instances[instance];
            e.module_name = Some(inst.name.to_string());
            e.missing = Some(MissingName {
                module: inst.name.to_string(),
                path: inst.path.as_deref().map(str::to_string),
                name: name.to_string(),
                partial: inst.state == State::Running || submodule,
                submodule,
            });
        }
        stop
    }

    /// Whether `parent.name` is a submodule whose code is running (CPython tracks these in the
    /// parent spec's `_uninitialized_submodules`).
    fn initialising_submodule(&self, parent: usize, name: &str) -> bool {
        let full = format!("{}.{name}", self.instances[parent].name);
        matches!(self.sys_modules.get(&full), Some(Cached::Instance(i)) if self.instances[*i].state == State::Running)
    }

    /// Whether the modelled Python (the configured `python-version`, else the interpreter's) is
    /// `3.minor` or later.
    fn python_at_least(&self, minor: u32) -> bool {
        self.project.version >= PythonVersion { major: 3, minor }
    }

    /// The message of CPython's module `__getattr__` failure (Objects/moduleobject.c), which
    /// changed twice: 3.11 added "cannot access submodule", and 3.13 names the file, and
    /// suggests renaming it when it may shadow another module. The path is the file's, relative
    /// to the workspace, where CPython prints the absolute one.
    fn attribute_error_message(&self, module: usize, attr: &str) -> String {
        let instance = &self.instances[module];
        let name = &instance.name;
        let origin = instance.path.as_deref().filter(|_| self.python_at_least(13));
        let shadowing = origin.is_some_and(|origin| self.possibly_shadowing(origin));
        if shadowing && self.project.env.is_stdlib(name) {
            let origin = origin.unwrap_or_default();
            format!(
                "module '{name}' has no attribute '{attr}' (consider renaming '{origin}' since it has the same name as the standard library module named '{name}' and the import system gives it precedence)"
            )
        } else if instance.spec_initialising() {
            match origin {
                Some(origin) if shadowing => format!(
                    "module '{name}' has no attribute '{attr}' (consider renaming '{origin}' if it has the same name as a third-party module you intended to import)"
                ),
                Some(origin) => format!("partially initialized module '{name}' from '{origin}' has no attribute '{attr}'"),
                None => format!("partially initialized module '{name}' has no attribute '{attr}'"),
            }
        } else if !instance.reloaded && self.python_at_least(11) && self.initialising_submodule(module, attr) {
            format!("cannot access submodule '{attr}' of module '{name}'")
        } else {
            format!("module '{name}' has no attribute '{attr}'")
        }
    }

    /// CPython 3.13's `_is_module_possibly_shadowing`: the module's file (a package's
    /// `__init__.py`, counted as the package folder) lies directly in `sys.path[0]`, the
    /// script's folder (the current folder for `-m` and `-c`).
    fn possibly_shadowing(&self, origin: &str) -> bool {
        let file = origin.strip_suffix("/__init__.py").unwrap_or(origin);
        self.sys_path.first().is_some_and(|first| parent_dir(file) == first)
    }

    /// Finds a module's spec; the parent must already be imported for dotted names.
    fn find_spec(&mut self, name: &str, site: Option<&Site>) -> Flow<Option<Spec>> {
        let spec = self.find_spec_on_path(name, site)?;
        Ok(spec.or_else(|| self.meta_path_finder.then_some(Spec::External)))
    }

    /// [`Sim::find_spec`] with the finders that the model knows: built-in, frozen and path.
    fn find_spec_on_path(&mut self, name: &str, site: Option<&Site>) -> Flow<Option<Spec>> {
        match name.rsplit_once('.') {
            None => Ok(self.project.tree.find_top_level(name, &self.sys_path, &self.project.env)),
            Some((parent, child)) => match self.sys_modules.get(parent).copied() {
                Some(Cached::Instance(p)) => {
                    let instance = &self.instances[p];
                    if !instance.is_package {
                        return Err(self.error(
                            "ModuleNotFoundError",
                            format!("No module named '{name}'; '{parent}' is not a package"),
                            site.cloned(),
                        ));
                    }
                    // A namespace package's `__path__` is recalculated from its parent's
                    // `__path__`, looked up in sys.modules (`_NamespacePath._get_parent_path`):
                    // when that parent has failed and left sys.modules, finding a submodule
                    // raises KeyError, and when a plain `object()` replaced it there,
                    // AttributeError.
                    if instance.path.is_none() && instance.compiled_from.is_none() {
                        if let Some((grandparent, _)) = parent.rsplit_once('.') {
                            match self.sys_modules.get(grandparent) {
                                None => return Err(self.error("KeyError", format!("'{grandparent}'"), site.cloned())),
                                Some(Cached::Bare) => {
                                    let message = "'object' object has no attribute '__path__'".to_string();
                                    return Err(self.error("AttributeError", message, site.cloned()));
                                }
                                Some(_) => {}
                            }
                        }
                    }
                    let search = instance.search.clone();
                    Ok(self.project.tree.find_first_party(child, &search))
                }
                Some(Cached::Opaque) => Ok(Some(Spec::External)),
                Some(Cached::Bare) => Err(self.error(
                    "ModuleNotFoundError",
                    format!("No module named '{name}'; '{parent}' is not a package"),
                    site.cloned(),
                )),
                None => Ok(None),
            },
        }
    }

    /// `importlib._bootstrap._find_and_load`.
    fn find_and_load(&mut self, name: &str, site: Option<&Site>) -> Flow<Cached> {
        if let Some(cached) = self.sys_modules.get(name).copied() {
            self.record_hit(cached, site);
            return Ok(cached);
        }
        if self.project.env.is_unshadowable(name) {
            self.cache_module(name.to_string(), Cached::Opaque);
            return Ok(Cached::Opaque);
        }
        let parent = name.rsplit_once('.').map(|(p, _)| p);
        if let Some(parent) = parent {
            if !self.sys_modules.contains_key(parent) {
                self.find_and_load(parent, site)?;
            }
        }
        self.load_after_parent(name, parent, site)
    }

    /// The part of [`Sim::find_and_load`] after the parent package is in `sys.modules`.
    fn load_after_parent(&mut self, name: &str, parent: Option<&str>, site: Option<&Site>) -> Flow<Cached> {
        if parent.is_some() {
            // Importing the parent may have imported the child as a side effect.
            if let Some(cached) = self.sys_modules.get(name).copied() {
                self.record_hit(cached, site);
                return Ok(cached);
            }
        }
        let spec = self.find_spec(name, site)?;
        let cached = match spec {
            None => return Err(self.not_found(name, site.cloned())),
            Some(Spec::External) => {
                self.cache_module(name.to_string(), Cached::Opaque);
                Cached::Opaque
            }
            Some(Spec::Namespace { portions }) => {
                let index = self.new_instance(name.into(), None, None, true, portions);
                self.set_state(index, State::Done);
                self.cache_module(name.to_string(), Cached::Instance(index));
                Cached::Instance(index)
            }
            Some(Spec::File { file, is_package, search }) => {
                let summary = self.summary(&file);
                let compile_error = summary.as_ref().and_then(|s| self.compile_error(s, Some(&file)));
                let index = self.new_instance(name.into(), Some(file.into()), summary, is_package, search);
                self.cache_module(name.to_string(), Cached::Instance(index));
                if let Some((exception, message)) = compile_error {
                    // The code never starts: the loader compiles it first, and the failure
                    // removes the new module from sys.modules again.
                    self.set_state(index, State::Failed);
                    self.uncache_module(name);
                    return Err(self.error(exception, message, site.cloned()));
                }
                self.record_run(index, site.cloned(), self.stack.len());
                self.exec_new_module(name, index, site)?
            }
            Some(Spec::Compiled { source, is_package, search }) => {
                // The extension runs its source's statements without a Python frame: it is no
                // step of the order (an instance without a path records none), and its imports
                // are attributed to the statement that imported it.
                let summary = self.summary(&source);
                let index = self.new_instance(name.into(), None, summary, is_package, search);
                self.instances[index].compiled_from = Some(source.into());
                self.instances[index].compiled_site = site.cloned();
                // The extension may bind names that its source does not show (or be built from
                // another version of it), so a name it lacks is no error the model can claim.
                self.instances[index].dynamic = true;
                self.cache_module(name.to_string(), Cached::Instance(index));
                self.exec_new_module(name, index, site)?
            }
        };
        if let (Some(parent), Some((_, child))) = (parent, name.rsplit_once('.')) {
            match self.sys_modules.get(parent).copied() {
                Some(Cached::Instance(p)) => self.set_global(p, child, cached.value()),
                // 3.9 turned the failure to set the child on a parent that is no module into an
                // ImportWarning; before, the AttributeError ends the import (the child stays
                // in sys.modules).
                Some(Cached::Bare) if !self.python_at_least(9) => {
                    return Err(self.error(
                        "AttributeError",
                        format!("'object' object has no attribute '{child}'"),
                        site.cloned(),
                    ));
                }
                _ => {}
            }
        }
        Ok(cached)
    }

    /// Runs the code of a module that was just put in sys.modules, as `_load_unlocked` does:
    /// a failure removes it again; success gives what sys.modules holds by then.
    fn exec_new_module(&mut self, name: &str, index: usize, site: Option<&Site>) -> Flow<Cached> {
        self.stack.push(Frame { instance: index, site: site.cloned() });
        let result = self.exec_module(index);
        self.stack.pop();
        if let Err(stop) = result {
            self.set_state(index, State::Failed);
            // `_load_unlocked` deletes `sys.modules[name]` whatever it holds by now: an
            // object that the failed code planted under its own name goes too.
            self.uncache_module(name);
            return Err(stop);
        }
        self.set_state(index, State::Done);
        // `_find_and_load_unlocked` returns whatever sys.modules holds now: a module may
        // replace itself there.
        Ok(self.sys_modules.get(name).copied().unwrap_or(Cached::Instance(index)))
    }

    fn record_hit(&mut self, cached: Cached, site: Option<&Site>) {
        if let Cached::Instance(i) = cached {
            let instance = &self.instances[i];
            if let Some(path) = &instance.path {
                self.trace.push(TraceEvent {
                    module: instance.name.clone(),
                    path: path.clone(),
                    site: site.cloned(),
                    action: Action::CacheHit { partial: instance.state == State::Running },
                    depth: self.stack.len(),
                });
            }
        }
    }

    fn exec_module(&mut self, index: usize) -> Flow {
        let Some(summary) = self.instances[index].summary.clone() else {
            return Ok(());
        };
        let mut scope = Scope::module(index);
        // Whether the module's own statements run depends on its own conditions only; an
        // error that leaves it reaches the importer, whose undecided branch may then take it.
        let uncertain = std::mem::take(&mut self.uncertain);
        let returned = std::mem::take(&mut self.returned);
        let result = self.exec_block(&summary, &summary.body, &mut scope);
        self.uncertain = uncertain;
        self.returned = returned;
        result
    }

    /// The class and message of the SyntaxError (or TabError) that compiling the file raises, if
    /// it does: CPython compiles a whole file before it runs any of it, and reports the first
    /// error. A tree-sitter error gets CPython's most common message; syntax of a newer Python
    /// gets the message of the version modelled. `str()` of a SyntaxError names the file without
    /// its folder.
    fn compile_error(&self, summary: &FileSummary, path: Option<&str>) -> Option<(&'static str, String)> {
        let minor = self.project.version.minor;
        let failure = summary.compile_failure(minor)?;
        let file = path.unwrap_or_default().rsplit('/').next().unwrap_or_default();
        let message = format!("{} ({file}, line {})", failure.message(minor), failure.line(summary, minor));
        Some((failure.exception(minor), message))
    }

    fn site(&self, scope: &Scope, range: TextRange) -> Option<Site> {
        let instance = &self.instances[scope.module];
        let Some(path) = instance.path.clone() else { return instance.compiled_site.clone() };
        let line = instance.summary.as_ref().map(|s| s.line_number(range.start)).unwrap_or(0);
        Some(Site { path, range, line })
    }

    fn bind(&mut self, scope: &mut Scope, name: &str, value: Value) {
        match &mut scope.locals {
            Some(locals) if !scope.globals.iter().any(|g| g == name) => {
                locals.insert(name.to_string(), value);
            }
            _ => {
                self.set_global(scope.module, name, value);
            }
        }
    }

    fn unbind(&mut self, scope: &mut Scope, name: &str) {
        // Whether the name was bound decides what is left, so deleting reads it.
        self.read_name(name);
        match &mut scope.locals {
            Some(locals) if !scope.globals.iter().any(|g| g == name) => {
                locals.remove(name);
            }
            _ => {
                if self.instances[scope.module].namespace.remove(name).is_some() {
                    self.version += 1;
                }
            }
        }
    }

    /// A file's summary, noted in the run's reads.
    fn summary(&mut self, path: &str) -> Option<Arc<FileSummary>> {
        let summary = self.project.summary(path).cloned();
        self.reads.files.entry(name_hash(path)).or_insert_with(|| summary.clone());
        summary
    }

    /// Notes that the run looks `name` up in some namespace; returns the simulator for chaining.
    fn read_name(&mut self, name: &str) -> &mut Self {
        self.reads.names.insert(name_hash(name));
        self
    }

    fn lookup(&mut self, scope: &Scope, name: &str) -> Option<Value> {
        self.read_name(name);
        if let Some(locals) = &scope.locals {
            if let Some(value) = locals.get(name) {
                return Some(*value);
            }
        }
        self.instances[scope.module].namespace.get(name).copied()
    }

    /// The value of `base.a.b`, read as CPython reads it: an attribute that a module lacks
    /// raises. `None` when a part is not bound, or the chain leaves the modules the run follows.
    fn attribute_chain(&mut self, scope: &Scope, base: &str, attrs: &[String], range: TextRange) -> Flow<Option<Value>> {
        let mut value = self.lookup(scope, base);
        for attr in attrs {
            if value == Some(Value::Bare) {
                let site = self.site(scope, range);
                return Err(self.error("AttributeError", format!("'object' object has no attribute '{attr}'"), site));
            }
            let Some(Value::Module(m)) = value else {
                return Ok(None);
            };
            self.read_name(attr);
            value = self.module_attribute(m, attr, false)?;
            let instance = &self.instances[m];
            if value.is_none() && !instance.dynamic {
                let message = self.attribute_error_message(m, attr);
                let site = self.site(scope, range);
                return Err(self.missing_name("AttributeError", message, site, m, attr));
            }
        }
        Ok(value)
    }

    /// `importlib.reload(module)`: the checks of `importlib.reload`, then `_bootstrap._exec`,
    /// which runs the module's code again in its own namespace (which keeps every name it had).
    /// A module that its own code reloads (`_RELOADING`) is not run a third time, and one that
    /// fails stays in `sys.modules`.
    fn reload(&mut self, m: usize, site: Option<Site>) -> Flow {
        let instance = &self.instances[m];
        if instance.is_main {
            // A script's `__spec__` is None, so reload() looks `__main__` up by name, and no
            // finder knows a module of that name. The `__main__` of `python -m` has the spec of
            // the module it runs, whose name is not the `__main__` module in `sys.modules`.
            if instance.main_package.is_none() {
                return Err(self.error("ModuleNotFoundError", "spec not found for the module '__main__'".to_string(), site));
            }
            let spec_name = instance.path.as_deref().and_then(|path| self.project.module_name(path));
            return match spec_name {
                Some(name) => Err(self.error("ImportError", format!("module {name} not in sys.modules"), site)),
                None => Ok(()),
            };
        }
        let (name, has_file) = (instance.name.clone(), instance.path.is_some());
        if self.sys_modules.get(&*name) != Some(&Cached::Instance(m)) {
            return Err(self.error("ImportError", format!("module {name} not in sys.modules"), site));
        }
        if self.reloading.contains(&name) {
            self.call_result = Value::Module(m);
            return Ok(());
        }
        if let Some((parent, _)) = name.rsplit_once('.') {
            if !self.sys_modules.contains_key(parent) {
                return Err(self.error("ImportError", format!("parent '{parent}' not in sys.modules"), site));
            }
        }
        // A namespace package has no code to run again.
        if !has_file {
            self.call_result = Value::Module(m);
            return Ok(());
        }
        self.record_run(m, site.clone(), self.stack.len());
        self.reloading.push(name.clone());
        self.instances[m].reloaded = true;
        self.stack.push(Frame { instance: m, site });
        let result = self.exec_module(m);
        self.stack.pop();
        self.reloading.pop();
        result?;
        // reload() returns what `sys.modules` holds by now: the module may have replaced itself.
        self.call_result = self.sys_modules.get(&*name).map_or(Value::Opaque, |cached| cached.value());
        Ok(())
    }

    fn exec_block(&mut self, summary: &FileSummary, block: &Block, scope: &mut Scope) -> Flow {
        for event in block {
            self.events += 1;
            if self.events > EVENT_BUDGET {
                return Err(Stop::Budget);
            }
            self.exec_event(summary, event, scope)?;
        }
        Ok(())
    }

    fn exec_event(&mut self, summary: &FileSummary, event: &Event, scope: &mut Scope) -> Flow {
        match event {
            Event::Import(id) => self.exec_import(summary.import(*id), scope),
            Event::Bind { name, range, value: bound } => {
                let value = match self.unbound_classes.last() {
                    Some(&(at, class)) if at == *range => {
                        self.unbound_classes.pop();
                        Value::Class(class)
                    }
                    _ => self.bound_value(scope, bound),
                };
                // Under a condition that the run cannot decide the binding may not happen, so a
                // literal is known only when the name held it already.
                let value = match value {
                    Value::Literal { .. } if self.uncertain > 0 && self.lookup(scope, name) != Some(value) => Value::Opaque,
                    _ => value,
                };
                self.bind(scope, name, value);
                Ok(())
            }
            Event::Unbind { name } => {
                self.unbind(scope, name);
                Ok(())
            }
            Event::Def { name, func, .. } => {
                self.bind(scope, name, Value::Function(scope.module, *func));
                Ok(())
            }
            Event::Class(class) => {
                let mut bases = Vec::with_capacity(class.bases.len());
                for base in &class.bases {
                    let value = match base {
                        Some(base) => self.callee_value(scope, base)?.map(|found| found.value),
                        None => None,
                    };
                    bases.push(value);
                }
                let builtin_exception = self.builtin_exception(&class.bases, &bases);
                let mut class_scope = Scope { locals: Some(FxHashMap::default()), ..Scope::module(scope.module) };
                self.exec_block(summary, &class.body, &mut class_scope)?;
                let namespace = class_scope.locals.unwrap_or_default();
                self.classes.push(Class { name: class.name.as_str().into(), namespace, bases, builtin_exception });
                self.unbound_classes.push((class.name_range, self.classes.len() - 1));
                Ok(())
            }
            Event::Call { callee, consumed, range } => {
                let result = match self.callee_value(scope, callee)? {
                    Some(Callable { value: Value::Function(module, func), .. }) if !consumed && self.is_lazy(module, func) => {
                        Value::Opaque
                    }
                    Some(Callable { value: Value::Class(class), .. }) => {
                        self.instantiate(class)?;
                        Value::Object(class)
                    }
                    // Calling an object runs its class's `__call__`.
                    Some(Callable { value: object @ Value::Object(_), .. }) => match self.method(object, "__call__") {
                        Some(method) => self.call_callable(method)?,
                        None => Value::Opaque,
                    },
                    Some(callable) => self.call_callable(callable)?,
                    None => Value::Opaque,
                };
                // Set after the call, whose own calls set it too: a binding that follows takes
                // the value of this call, and so does a test of it. A known result is kept
                // for the test; an unknown one replaces what an earlier run of the call left.
                self.call_result = result;
                let key = (scope.module, range.start);
                if matches!(result, Value::Opaque) {
                    if !self.call_values.is_empty() {
                        self.call_values.remove(&key);
                    }
                } else {
                    self.call_values.insert(key, result);
                }
                Ok(())
            }
            Event::Attr { base, attrs, range } => self.attribute_chain(scope, base, attrs, *range).map(|_| ()),
            Event::Reload { base, attrs, range } => {
                let module = self.attribute_chain(scope, base, attrs, *range)?;
                self.call_result = Value::Opaque;
                match module {
                    Some(Value::Module(m)) => self.reload(m, self.site(scope, *range)),
                    // Neither a plain `object()` nor a literal has a `__spec__` or a `__name__`.
                    Some(Value::Bare | Value::Literal { .. }) => {
                        let site = self.site(scope, *range);
                        Err(self.error("TypeError", "reload() argument must be a module".to_string(), site))
                    }
                    _ => Ok(()),
                }
            }
            Event::SetAttr { base, attr, .. } => {
                if let Some(Value::Module(m)) = self.lookup(scope, base) {
                    self.set_global(m, attr, Value::Opaque);
                }
                Ok(())
            }
            Event::SysModulesSet { name, bare, .. } => {
                self.cache_module(name.clone(), if *bare { Cached::Bare } else { Cached::Opaque });
                Ok(())
            }
            Event::SysModulesDel { name, .. } => {
                self.uncache_module(name);
                Ok(())
            }
            Event::ForgetLiterals => {
                let namespace = &mut self.instances[scope.module].namespace;
                let mut changed = false;
                for value in namespace.values_mut() {
                    if matches!(value, Value::Literal { .. }) {
                        *value = Value::Opaque;
                        changed = true;
                    }
                }
                if changed {
                    self.version += 1;
                }
                Ok(())
            }
            Event::MetaPathFinder => {
                if !self.meta_path_finder {
                    self.meta_path_finder = true;
                    self.version += 1;
                }
                Ok(())
            }
            Event::Return { certain, value } => {
                if *certain && self.uncertain == 0 {
                    self.return_value = self.bound_value(scope, value);
                    return Err(Stop::Return);
                }
                // The function may have returned here: what follows, up to the end of the call,
                // may not run (`call_function` resets the counts).
                self.uncertain += 1;
                self.returned += 1;
                Ok(())
            }
            Event::Raise { raised, range } => {
                if self.returned > 0 {
                    return Ok(());
                }
                match raised.as_deref() {
                    Some(Raised { class, message, message_is_argument }) => {
                        // A first-party class is raised when its bases lead to a built-in
                        // exception class; any other name raises what the model does not follow.
                        let (kind, first_party) = match class {
                            RaisedClass::Builtin(builtin) => (*builtin, None),
                            RaisedClass::Named(callee) => match self.callee_value(scope, callee)? {
                                Some(Callable { value: Value::Class(c), .. }) => match self.classes[c].builtin_exception {
                                    // `type(e).__name__` is the class statement's name, also
                                    // when the raise names the class through an alias.
                                    Some(builtin) => {
                                        (builtin, Some(Box::new(RaisedType { name: self.classes[c].name.to_string(), class: c })))
                                    }
                                    None => return Ok(()),
                                },
                                _ => return Ok(()),
                            },
                        };
                        let site = self.site(scope, *range);
                        let message = match &scope.argument {
                            // `str(KeyError(k))` is the repr of the key.
                            Some(argument) if *message_is_argument && kind == "KeyError" && first_party.is_none() => {
                                format!("'{argument}'")
                            }
                            Some(argument) if *message_is_argument => argument.clone(),
                            _ => message.clone(),
                        };
                        let mut stop = self.error(kind, message, site);
                        if let Stop::Raise(error) = &mut stop {
                            error.class = first_party;
                        }
                        Err(stop)
                    }
                    // `raise` with nothing to raise again is a RuntimeError in CPython; a bare
                    // `raise` outside a handler is not code that runs at import time.
                    None => match self.handling.last() {
                        Some(error) => Err(Stop::Raise(Box::new(error.clone()))),
                        None => Ok(()),
                    },
                }
            }
            Event::If { branches, orelse } => {
                let is_main = self.instances[scope.module].is_main;
                let argument = scope.argument.clone();
                let mut tested = Vec::new();
                let mut tested_calls = Vec::new();
                for branch in branches {
                    branch.cond.tested_names(&mut tested);
                    branch.cond.tested_calls(&mut tested_calls);
                }
                // Every condition is evaluated in the state before the statement: a branch
                // whose condition is tested ran none of the branches before it.
                let names: Vec<(&str, NameValue)> = tested.into_iter().map(|name| (name, self.name_value(scope, name))).collect();
                let calls: Vec<(u32, NameValue)> = tested_calls
                    .into_iter()
                    .map(|at| {
                        let value = self.call_values.get(&(scope.module, at)).copied();
                        (at, value.map_or(NameValue::Unknown, Self::known_value))
                    })
                    .collect();
                let mut env = self.project.cond_env(is_main);
                env.argument = argument.as_deref();
                env.names = &names;
                env.calls = &calls;
                // An undecidable branch may run, and so may the later ones. Most errors that
                // leave such a branch end the branch, not the run: CPython may not take the
                // branch at all, and code that the default run takes seldom fails, so such
                // branches are optional backends and error paths (a missing module's import
                // under `if BACKEND == "sage":`, a `raise` under a test of a value the model
                // does not know). At module level, a name that a module lacks, partial or not,
                // still ends the run: that is a first-party import bug, which MC002 reports
                // wherever it may run. In a function every error ends only the branch: its
                // undecided tests are mostly of its arguments, and each call takes one path
                // (sympy's `sympify` imports its array types only for objects with `.flat`).
                // An undecided branch that ends in a `raise` is not taken at all: it is an
                // error path (`if not isinstance(arg, typ): … raise InvalidArgument(…)`), and
                // what runs before its `raise` (hypothesis imports its strategies there to
                // word the message) is what a run that goes on never did.
                for MayRun { block: body, certain, raises } in blocks_that_may_run_certain(branches, orelse.as_ref(), &env) {
                    let address = body as *const Block as usize;
                    if !certain && (raises || self.failed_branches.contains(&address)) {
                        continue;
                    }
                    self.uncertain += u32::from(!certain);
                    let result = self.exec_block(summary, body, scope);
                    self.uncertain -= u32::from(!certain);
                    match result {
                        Err(Stop::Raise(error)) if !certain && (scope.function || error.missing.is_none()) => {
                            self.failed_branches.insert(address);
                        }
                        result => result?,
                    }
                }
                Ok(())
            }
            Event::Try(t) => {
                let TryEvent { body, handlers, orelse, finally } = &**t;
                let result = match self.exec_block(summary, body, scope) {
                    Ok(()) => self.exec_block(summary, orelse, scope),
                    Err(Stop::Raise(error)) => match handlers.iter().find(|h| self.handler_catches(scope, &h.catches, &error)) {
                        Some(handler) => {
                            self.handling.push(*error);
                            let result = self.exec_block(summary, &handler.body, scope);
                            self.handling.pop();
                            result
                        }
                        None => Err(Stop::Raise(error)),
                    },
                    Err(Stop::Budget) => Err(Stop::Budget),
                    Err(Stop::Return) => Err(Stop::Return),
                };
                if matches!(result, Err(Stop::Budget)) {
                    return result;
                }
                // A call in the `finally` block must not change what the `return` returns.
                let return_value = self.return_value;
                self.exec_block(summary, finally, scope)?;
                self.return_value = return_value;
                result
            }
        }
    }

    /// The built-in exception class that a class statement's class derives from (see
    /// [`Class::builtin_exception`]), from its bases' expressions and values.
    fn builtin_exception(&self, expressions: &[Option<Callee>], values: &[Option<Value>]) -> Option<&'static str> {
        let mut builtins = Vec::new();
        for (expression, value) in expressions.iter().zip(values) {
            match (value, expression) {
                (Some(Value::Class(base)), _) => builtins.extend(self.classes[*base].builtin_exception),
                // A name the run has not bound is a built-in one, when it is an exception's.
                (None, Some(Callee::Name(name))) if exceptions::canonical(name).is_some() => {
                    builtins.extend(exceptions::canonical(name));
                }
                // A base the model does not know (a third-party class) may change what catches
                // the exception.
                _ => return None,
            }
        }
        // With several bases, every built-in class they lead to is a base of the class; the
        // handlers that catch it are those of the most derived one, when one derives from all
        // the others (`class ConfigError(AppError, ValueError)`, where AppError is an Exception).
        let most_derived = builtins
            .iter()
            .copied()
            .find(|candidate| builtins.iter().all(|other| exceptions::is_caught_by(candidate, other)));
        most_derived.filter(|class| exceptions::is_modelled(class))
    }

    /// Whether a class, or a first-party class that it derives from, is one that `wanted` picks.
    /// A base was made before the class, so its number is smaller and the walk ends.
    fn derives_from(&self, class: usize, wanted: &dyn Fn(usize) -> bool) -> bool {
        wanted(class)
            || self.classes[class].bases.iter().any(|base| matches!(base, Some(Value::Class(b)) if *b < class && self.derives_from(*b, wanted)))
    }

    /// Whether an `except` clause catches the error: by a built-in class's name, as the table
    /// of built-in classes says, or by a name that holds the error's first-party class or one of
    /// its bases (also when the clause names it as `module.Class`, by the class's own name).
    fn handler_catches(&mut self, scope: &Scope, catch: &Catch, error: &PyError) -> bool {
        let Catch::Names(names) = catch else { return true };
        names.iter().any(|name| {
            if exceptions::canonical(name).is_some() {
                return exceptions::is_caught_by(error.kind, name);
            }
            let Some(raised) = &error.class else { return false };
            match self.lookup(scope, name) {
                Some(Value::Class(handled)) => self.derives_from(raised.class, &|c| c == handled),
                _ => self.derives_from(raised.class, &|c| &*self.classes[c].name == name.as_str()),
            }
        })
    }

    /// The value that a binding or a `return` gives, as far as the run knows it.
    fn bound_value(&mut self, scope: &Scope, bound: &Bound) -> Value {
        match bound {
            Bound::CallResult => self.call_result,
            Bound::Literal(literal) => Value::literal(literal),
            Bound::Name(other) => self.lookup(scope, other).unwrap_or(Value::Opaque),
            Bound::Flag(cond) => {
                let env = self.project.cond_env(self.instances[scope.module].is_main);
                cond.eval(&env).map_or(Value::Opaque, |value| Value::literal(&Literal::Bool(value)))
            }
            Bound::Unknown => Value::Opaque,
        }
    }

    /// What a [`Cond::Name`] can know of the value a name holds: a literal, or an object that
    /// is true and equals no literal. An object of a first-party class may define `__bool__`
    /// and `__eq__`, so it is not known.
    fn name_value(&mut self, scope: &Scope, name: &str) -> NameValue {
        self.lookup(scope, name).map_or(NameValue::Unknown, Self::known_value)
    }

    /// What a test can know of a value (see [`Sim::name_value`]).
    fn known_value(value: Value) -> NameValue {
        match value {
            Value::Literal { truth, key } => NameValue::Literal { truth, key },
            Value::Module(_) | Value::Function(..) | Value::Class(_) | Value::Bare => NameValue::Object,
            Value::Object(_) | Value::Opaque => NameValue::Unknown,
        }
    }

    /// What a call's callee (or a class's base) names: `name`, `base.attr` on a module or a
    /// class, or `super().attr` in a method. A value found in a class comes with that class.
    fn callee_value(&mut self, scope: &Scope, callee: &Callee) -> Flow<Option<Callable>> {
        let plain = |value| Callable { value, owner: None, receiver: None };
        Ok(match callee {
            Callee::Name(name) => self.lookup(scope, name).map(plain),
            Callee::Attr { base, attr } => match self.lookup(scope, base) {
                Some(Value::Module(m)) => self.read_name(attr).module_attribute(m, attr, false)?.map(plain),
                Some(object) => self.method(object, attr),
                None => None,
            },
            Callee::Result { attr } => self.method(self.call_result, attr),
            Callee::Super { attr } => scope
                .class
                .and_then(|class| self.base_attribute(class, attr))
                .map(|(value, owner)| Callable { value, owner, receiver: scope.receiver }),
        })
    }

    /// `object.name` on a first-party class or an object of one: the attribute of the class
    /// (or a base), which a method receives `object` with.
    fn method(&mut self, object: Value, name: &str) -> Option<Callable> {
        let (Value::Class(class) | Value::Object(class)) = object else { return None };
        self.class_attribute(class, name).map(|(value, owner)| Callable { value, owner, receiver: Some(object) })
    }

    /// Looks `name` up in a class and then its bases, see [`Sim::base_attribute`]; gives the
    /// value with the class that binds it.
    fn class_attribute(&mut self, class: usize, name: &str) -> Option<(Value, Option<usize>)> {
        self.read_name(name);
        match self.classes[class].namespace.get(name) {
            Some(value) => Some((*value, Some(class))),
            None => self.base_attribute(class, name),
        }
    }

    /// Looks `name` up in the bases of a class, depth first from the left (the method
    /// resolution order of every hierarchy without a diamond). `None` when none binds it, and
    /// also when a base that comes first is not a first-party class: such a base may define the
    /// name, and every class inherits `__init__` and `__new__` from `object`.
    fn base_attribute(&mut self, class: usize, name: &str) -> Option<(Value, Option<usize>)> {
        self.read_name(name);
        // A base was made before the class, so its index is smaller and the walk ends.
        for base in self.classes[class].bases.clone() {
            match base {
                Some(Value::Class(base)) if base < class => {
                    if let Some(found) = self.class_attribute(base, name) {
                        return Some(found);
                    }
                }
                _ => return None,
            }
        }
        None
    }

    /// Calling a class runs its `__new__` and then its `__init__`, when the class or a
    /// first-party base defines them.
    fn instantiate(&mut self, class: usize) -> Flow {
        for (method, receiver) in [("__new__", Value::Class(class)), ("__init__", Value::Object(class))] {
            if let Some((value, owner)) = self.class_attribute(class, method) {
                self.call_callable(Callable { value, owner, receiver: Some(receiver) })?;
            }
        }
        Ok(())
    }

    /// Runs what a callee names when it is a first-party function; gives what it returned.
    fn call_callable(&mut self, callable: Callable) -> Flow<Value> {
        let Callable { value: Value::Function(module, func), owner, receiver } = callable else { return Ok(Value::Opaque) };
        self.call_function(module, func, Call { class: owner, receiver, argument: None })
    }

    /// `getattr(module, name)` on a module instance: its namespace's value, or an unknown value
    /// when the name is missing and its `__getattr__` returned (see [`Sim::module_getattr`]).
    fn module_attribute(&mut self, module: usize, name: &str, probe: bool) -> Flow<Option<Value>> {
        match self.instances[module].namespace.get(name) {
            Some(value) => Ok(Some(*value)),
            None => Ok(self.module_getattr(module, name, probe)?.then_some(Value::Opaque)),
        }
    }

    /// Runs the module-level `__getattr__` of a module instance (PEP 562), which Python calls
    /// for a name the module's namespace lacks; whether the module has one and it returned. A
    /// `probe` (the `__path__` lookup of a from-import, `hasattr`, `IMPORT_FROM`) takes an
    /// AttributeError out of it as "no such attribute", whatever raised it.
    fn module_getattr(&mut self, module: usize, name: &str, probe: bool) -> Flow<bool> {
        let Some(Value::Function(m, func)) = self.read_name("__getattr__").instances[module].namespace.get("__getattr__").copied()
        else {
            return Ok(false);
        };
        match self.call_function(m, func, Call { class: None, receiver: None, argument: Some(name) }) {
            Ok(_) => Ok(true),
            Err(Stop::Raise(error)) if probe && error.kind == "AttributeError" => Ok(false),
            Err(stop) => Err(stop),
        }
    }

    /// Whether a function is a generator or `async`, so that calling it runs nothing.
    fn is_lazy(&self, module: usize, func: FuncId) -> bool {
        let summary = self.instances[module].summary.as_ref();
        summary.and_then(|s| s.functions.get(func as usize)).is_some_and(|f| f.lazy)
    }

    /// Runs a function's body with what the call knows of it (see [`Call`]).
    fn call_function(&mut self, module: usize, func: FuncId, call: Call) -> Flow<Value> {
        let Call { class, receiver, argument } = call;
        // Recursion and very deep call chains are cut: the first run of a function is the one
        // whose imports matter. One level of recursion runs, because a second run can find
        // modules in another state. A module `__getattr__` (the calls with a known argument)
        // runs inside itself as often as something changed since its enclosing run started:
        // when its import reaches a module that asks the first one for a name, each level's
        // imports change what the next level sees, until one of them fails. Other functions
        // stop at one level: a recursive function that sets a global at every level would
        // branch out until the depth limit.
        let mut running = self.calls.iter().rev().filter(|call| (call.0, call.1) == (module, func));
        let cut = match (running.next(), argument) {
            (None, _) => false,
            (Some(enclosing), Some(_)) => enclosing.2 == self.version,
            (Some(_), None) => running.next().is_some(),
        };
        if cut || self.calls.len() >= MAX_CALL_DEPTH {
            return Ok(Value::Opaque);
        }
        let Some(summary) = self.instances[module].summary.clone() else {
            return Ok(Value::Opaque);
        };
        let Some(function) = summary.functions.get(func as usize) else {
            return Ok(Value::Opaque);
        };
        // A function called again in the state its last call left unchanged would import,
        // bind and read exactly what it did then: skipping it changes nothing but the time.
        // Without this, parsers whose functions call each other many times at import time
        // (regex's `_compile` does) multiply the work until the event budget stops the run.
        let receiver = receiver.and_then(|object| Self::received(function, object));
        let receiver_key = match receiver {
            Some(Value::Object(class)) => 2 * class as u64 + 1,
            Some(Value::Class(class)) => 2 * class as u64 + 2,
            _ => 0,
        };
        let key = (module, func, argument.map_or(0, name_hash) ^ receiver_key.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        if let Some(&(version, result)) = self.idempotent_calls.get(&key) {
            if version == self.version {
                return Ok(result);
            }
        }
        self.calls.push((module, func, self.version));
        let instance = &self.instances[module];
        if let Some(path) = instance.path.as_ref().or(instance.compiled_from.as_ref()) {
            self.reads.called.insert((name_hash(path), func));
        }
        let start = self.version;
        let argument = argument.map(str::to_string);
        let mut locals = FxHashMap::default();
        if let (Some(Receiver::Instance(name) | Receiver::Class(name)), Some(value)) = (&function.receiver, receiver) {
            locals.insert(name.clone(), value);
        }
        let mut scope =
            Scope { module, locals: Some(locals), globals: function.globals.clone(), class, argument, receiver, function: true };
        let (uncertain, returned) = (self.uncertain, self.returned);
        // A function returns what its certain `return` gives, and `None` when its body ends
        // with no `return` that may have run; after such a `return` the result is not known.
        let result = match self.exec_block(&summary, &function.body, &mut scope) {
            Err(Stop::Return) => Ok(self.return_value),
            Ok(()) if self.returned == returned => Ok(Value::literal(&Literal::None)),
            Ok(()) => Ok(Value::Opaque),
            Err(stop) => Err(stop),
        };
        (self.uncertain, self.returned) = (uncertain, returned);
        self.calls.pop();
        if let Ok(value) = result {
            if self.version == start {
                self.idempotent_calls.insert(key, (start, value));
            }
        }
        result
    }

    /// What a method's first parameter receives from the object or class it was looked up on:
    /// a plain method called on an object gets the object (on a class it gets an explicit
    /// argument, which is not known), a class method gets the class either way.
    fn received(function: &Function, object: Value) -> Option<Value> {
        match (&function.receiver, object) {
            (Some(Receiver::Instance(_)), Value::Object(_)) => Some(object),
            (Some(Receiver::Class(_)), Value::Object(class) | Value::Class(class)) => Some(Value::Class(class)),
            _ => None,
        }
    }

    /// `sys.modules[name] = cached`.
    fn cache_module(&mut self, name: impl Into<String>, cached: Cached) {
        if self.sys_modules.insert(name.into(), cached) != Some(cached) {
            self.version += 1;
        }
    }

    /// `del sys.modules[name]`.
    fn uncache_module(&mut self, name: &str) {
        if self.sys_modules.remove(name).is_some() {
            self.version += 1;
        }
    }

    /// Binds a global of a module instance.
    fn set_global(&mut self, instance: usize, name: &str, value: Value) {
        let namespace = &mut self.instances[instance].namespace;
        if namespace.get(name) != Some(&value) {
            namespace.insert(name.to_string(), value);
            self.version += 1;
        }
    }

    fn set_state(&mut self, instance: usize, state: State) {
        if self.instances[instance].state != state {
            self.instances[instance].state = state;
            self.version += 1;
        }
    }

    fn exec_import(&mut self, stmt: &ImportStmt, scope: &mut Scope) -> Flow {
        let site = self.site(scope, stmt.range);
        let site = site.as_ref();
        match &stmt.kind {
            ImportKind::Import { modules } => {
                for module in modules {
                    // Cython's pure-Python mode: in the compiled module `import cython` is the
                    // compiler's own, which nothing loads at run time and which never fails
                    // (sqlalchemy's `except ModuleNotFoundError:` shim never runs there).
                    if module.dotted == "cython" && self.instances[scope.module].compiled_from.is_some() {
                        self.bind(scope, module.alias.as_deref().unwrap_or("cython"), Value::Opaque);
                        continue;
                    }
                    self.find_and_load(&module.dotted, site)?;
                    let mut parts = module.dotted.split('.');
                    let top = parts.next().unwrap_or_default();
                    let mut value = self.top_level_value(top, site)?;
                    match &module.alias {
                        // `import a.b as x` takes `a` from sys.modules and then each attribute
                        // with IMPORT_FROM (whose sys.modules fallback makes a partially
                        // initialised a.b fine).
                        Some(alias) => {
                            for part in parts {
                                value = self.import_from_value(value, part, site)?;
                            }
                            self.bind(scope, alias, value);
                        }
                        None => self.bind(scope, top, value),
                    }
                }
                Ok(())
            }
            ImportKind::From { level, module, names, star } => {
                let absolute = if *level > 0 {
                    let package = self.instances[scope.module].package();
                    self.resolve_relative(module.as_deref(), package.as_deref(), *level, site)?
                } else {
                    module.clone().unwrap_or_default()
                };
                let base = self.find_and_load(&absolute, site)?;
                let Cached::Instance(base) = base else {
                    if *star && base == Cached::Bare {
                        return Err(self.error(
                            "ImportError",
                            "from-import-* object has no __dict__ and no __all__".to_string(),
                            site.cloned(),
                        ));
                    }
                    if *star {
                        self.instances[scope.module].dynamic = true;
                    }
                    for name in names {
                        let value = self.import_from_value(base.value(), &name.name, site)?;
                        self.bind(scope, name.bound_name(), value);
                    }
                    return Ok(());
                };
                // An import with a fromlist asks the module for `__path__` to tell a package
                // (IMPORT_NAME): a module without one runs its `__getattr__` for it.
                if !self.instances[base].namespace.contains_key("__path__") {
                    self.module_getattr(base, "__path__", true)?;
                }
                if *star {
                    return self.import_star(base, scope, site);
                }
                let wanted: Vec<String> = names.iter().map(|n| n.name.clone()).collect();
                self.handle_fromlist(base, &wanted, site)?;
                for name in names {
                    let value = self.import_from(base, &name.name, site)?;
                    self.bind(scope, name.bound_name(), value);
                }
                Ok(())
            }
            ImportKind::Dynamic { module, package, bind, returns_top_level } => {
                let absolute = if module.starts_with('.') {
                    let level = module.chars().take_while(|c| *c == '.').count() as u32;
                    let rest = &module[level as usize..];
                    let rest = (!rest.is_empty()).then_some(rest);
                    self.resolve_relative(rest, package.as_deref(), level, site)?
                } else {
                    module.clone()
                };
                let loaded = self.find_and_load(&absolute, site)?;
                if let Some(bind) = bind {
                    let value = if *returns_top_level {
                        self.top_level_value(absolute.split('.').next().unwrap_or_default(), site)?
                    } else {
                        loaded.value()
                    };
                    self.bind(scope, bind, value);
                }
                Ok(())
            }
        }
    }

    fn module_value(&self, name: &str) -> Value {
        self.sys_modules.get(name).map(|c| c.value()).unwrap_or(Value::Opaque)
    }

    /// What `__import__('a.b.c')` returns: `_gcd_import('a')`, which imports `a` when the
    /// dotted name was found in sys.modules without its parents.
    fn top_level_value(&mut self, top: &str, site: Option<&Site>) -> Flow<Value> {
        if !self.sys_modules.contains_key(top) {
            self.find_and_load(top, site)?;
        }
        Ok(self.module_value(top))
    }

    /// `IMPORT_FROM` on any value.
    fn import_from_value(&mut self, value: Value, name: &str, site: Option<&Site>) -> Flow<Value> {
        match value {
            Value::Module(module) => self.import_from(module, name, site),
            // `getattr` fails, and so does the sys.modules fallback, which needs `__name__`.
            Value::Bare => Err(self.error(
                "ImportError",
                format!("cannot import name '{name}' from '<unknown module name>'"),
                site.cloned(),
            )),
            Value::Opaque | Value::Function(..) | Value::Class(_) | Value::Object(_) | Value::Literal { .. } => Ok(Value::Opaque),
        }
    }

    /// `importlib._bootstrap._resolve_name` with `_sanity_check`'s errors.
    fn resolve_relative(&self, name: Option<&str>, package: Option<&str>, level: u32, site: Option<&Site>) -> Flow<String> {
        let Some(package) = package.filter(|p| !p.is_empty()) else {
            return Err(self.error(
                "ImportError",
                "attempted relative import with no known parent package".to_string(),
                site.cloned(),
            ));
        };
        let bits: Vec<&str> = package.rsplitn(level as usize, '.').collect();
        if bits.len() < level as usize {
            // 3.9 made this an ImportError; CPython 3.8 raises ValueError, which an
            // `except ImportError:` does not catch.
            return Err(self.error(
                if self.python_at_least(9) { "ImportError" } else { "ValueError" },
                "attempted relative import beyond top-level package".to_string(),
                site.cloned(),
            ));
        }
        let base = bits[bits.len() - 1];
        Ok(match name {
            Some(name) => format!("{base}.{name}"),
            None => base.to_string(),
        })
    }

    /// `_handle_fromlist`: a package's submodules named in a from-import are imported unless
    /// the package already has an attribute of that name.
    fn handle_fromlist(&mut self, package: usize, names: &[String], site: Option<&Site>) -> Flow {
        if !self.instances[package].is_package {
            return Ok(());
        }
        for name in names {
            if self.read_name(name).instances[package].namespace.contains_key(name) {
                continue;
            }
            // `hasattr` runs a module `__getattr__`. Lazy loaders import the submodule there,
            // by a name the model cannot read, so the submodule is imported after it all the same.
            self.module_getattr(package, name, true)?;
            let full = format!("{}.{name}", self.instances[package].name);
            match self.find_and_load(&full, site) {
                Ok(_) => {}
                // Only "this very submodule does not exist" is swallowed; IMPORT_FROM then
                // reports the missing name.
                Err(Stop::Raise(e)) if e.kind == "ModuleNotFoundError" && e.module_name.as_deref() == Some(&full) => {}
                Err(stop) => return Err(stop),
            }
        }
        Ok(())
    }

    /// The `IMPORT_FROM` opcode.
    fn import_from(&mut self, module: usize, name: &str, site: Option<&Site>) -> Flow<Value> {
        self.read_name(name);
        if let Some(value) = self.module_attribute(module, name, true)? {
            return Ok(value);
        }
        let instance = &self.instances[module];
        let full = format!("{}.{name}", instance.name);
        if let Some(cached) = self.sys_modules.get(&full) {
            return Ok(cached.value());
        }
        if instance.dynamic {
            return Ok(Value::Opaque);
        }
        let message = if instance.spec_initialising() {
            format!("cannot import name '{name}' from partially initialized module '{}'", instance.name)
        } else {
            format!("cannot import name '{name}' from '{}'", instance.name)
        };
        Err(self.missing_name("ImportError", message, site.cloned(), module, name))
    }

    /// `from module import *`: `__all__` (importing the submodules it names) or every public name.
    fn import_star(&mut self, module: usize, scope: &mut Scope, site: Option<&Site>) -> Flow {
        let instance = &self.instances[module];
        let static_all = instance.summary.as_ref().and_then(|s| if s.all_is_dynamic { None } else { s.all.clone() });
        let has_all = instance.namespace.contains_key("__all__");
        self.read_name("__all__");
        let instance = &self.instances[module];
        let all_is_dynamic = instance.summary.as_ref().is_some_and(|s| s.all_is_dynamic);
        if has_all && all_is_dynamic {
            self.instances[scope.module].dynamic = true;
        }
        let from_all = has_all && static_all.is_some();
        let names: Vec<String> = match (has_all, static_all) {
            (true, Some(all)) => {
                self.handle_fromlist(module, &all, site)?;
                all
            }
            _ => {
                let instance = &self.instances[module];
                let mut public: Vec<String> =
                    instance.namespace.keys().filter(|k| !k.starts_with('_')).cloned().collect();
                public.sort();
                public
            }
        };
        if self.instances[module].dynamic {
            self.instances[scope.module].dynamic = true;
        }
        for name in names {
            // Names from a listing are bound whatever they are (only a later lookup of one
            // can tell); names from `__all__` must exist.
            if from_all {
                self.read_name(&name);
            }
            let value = match self.module_attribute(module, &name, false)? {
                Some(value) => value,
                None if self.instances[module].dynamic => Value::Opaque,
                None => {
                    let message = self.attribute_error_message(module, &name);
                    return Err(self.missing_name("AttributeError", message, site.cloned(), module, &name));
                }
            };
            self.bind(scope, &name, value);
        }
        Ok(())
    }
}
