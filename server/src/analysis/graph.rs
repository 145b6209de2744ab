//! The first-party import graph of the code that runs at import time, and its cycles.
//!
//! Nodes are files. An edge is an import statement that runs when its module is imported (top
//! level, class bodies, `try` bodies, branches that are not statically false, and the bodies of
//! same-module functions that the top level calls) and names a first-party module. Imports under
//! `if TYPE_CHECKING:`, under the `__main__` guard, or in functions called later are not edges.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::config::Entry;
use super::modules::Spec;
use super::project::Project;
use super::summary::{blocks_that_may_run, Block, Callee, Event, FileSummary, FuncId, ImportId, ImportKind, ImportStmt, TryEvent};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub import: ImportId,
    /// The top-level-called function whose body holds the import, if any.
    pub via: Option<FuncId>,
}

#[derive(Debug, Default)]
pub struct ImportGraph {
    /// File paths, sorted.
    pub nodes: Vec<String>,
    pub edges: Vec<Edge>,
    index: HashMap<String, usize>,
    out: Vec<Vec<usize>>,
    /// What each node's import statements resolve to.
    imports: Vec<Arc<FileImports>>,
    /// [`ImportGraph::cycles`], computed once.
    cycles: OnceLock<Vec<Vec<usize>>>,
    /// [`ImportGraph::importers`], computed once.
    importers: OnceLock<HashMap<String, Vec<(usize, ImportId)>>>,
    /// [`ImportGraph::shortest_cycles`], computed once.
    shortest_cycles: OnceLock<BTreeMap<(usize, ImportId), Vec<usize>>>,
    /// [`ImportGraph::main_file`] by entry.
    main_files: Mutex<HashMap<Entry, Option<String>>>,
    /// Distinguishes this graph from every other built in the process (the empty default
    /// graphs share 0), so that what was derived from it can be told apart from what was
    /// derived from another graph at the same address.
    pub id: u64,
}

/// What one file's import statements resolve to: the per-file part of the graph, which a cache
/// keeps until the file's summary, or the `__all__` of a module it star-imports, changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileImports {
    /// [`static_targets`] of each import statement, by [`ImportId`].
    pub targets: Vec<Vec<String>>,
    /// [`import_time_imports`].
    pub import_time: Vec<(ImportId, Option<FuncId>)>,
    /// The star-imported modules whose `__all__` the targets depend on, with the `__all__` read.
    pub star_reads: Vec<(String, Option<Vec<String>>)>,
}

impl FileImports {
    pub fn new(project: &Project, path: &str, summary: &FileSummary) -> FileImports {
        let mut star_reads = Vec::new();
        let targets = summary.imports.iter().map(|stmt| targets_reading(project, path, stmt, &mut star_reads)).collect();
        FileImports { targets, import_time: import_time_imports(project, summary), star_reads }
    }

    /// Whether the `__all__` lists these targets were computed from are still those of `project`.
    pub fn still_valid(&self, project: &Project) -> bool {
        self.star_reads.iter().all(|(path, all)| project.summary(path).and_then(|s| s.all.as_ref()) == all.as_ref())
    }
}

impl ImportGraph {
    pub fn build(project: &Project) -> ImportGraph {
        let paths: Vec<(&str, &Arc<FileSummary>)> = project.files().collect();
        let imports: BTreeMap<String, Arc<FileImports>> = paths
            .par_iter()
            .map(|(path, summary)| (path.to_string(), Arc::new(FileImports::new(project, path, summary))))
            .collect();
        ImportGraph::from_imports(&imports)
    }

    /// The graph of every file in `imports` (the project's summarised files).
    pub fn from_imports(imports: &BTreeMap<String, Arc<FileImports>>) -> ImportGraph {
        let nodes: Vec<String> = imports.keys().cloned().collect();
        let index: HashMap<String, usize> = nodes.iter().enumerate().map(|(i, p)| (p.clone(), i)).collect();
        let mut edges = Vec::new();
        for (from, file) in imports.values().enumerate() {
            let mut seen = HashSet::new();
            for &(import, via) in &file.import_time {
                for target in &file.targets[import as usize] {
                    if let Some(&to) = index.get(target) {
                        if to != from && seen.insert((import, to)) {
                            edges.push(Edge { from, to, import, via });
                        }
                    }
                }
            }
        }
        let mut out = vec![Vec::new(); nodes.len()];
        for (i, edge) in edges.iter().enumerate() {
            out[edge.from].push(i);
        }
        ImportGraph {
            nodes,
            edges,
            index,
            out,
            imports: imports.values().cloned().collect(),
            cycles: OnceLock::new(),
            importers: OnceLock::new(),
            shortest_cycles: OnceLock::new(),
            main_files: Mutex::default(),
            id: {
                static BUILT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                BUILT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
        }
    }

    /// The first-party files that import statement `import` of `path` may run or read
    /// ([`static_targets`]).
    pub fn targets(&self, path: &str, import: ImportId) -> &[String] {
        self.node(path)
            .and_then(|n| self.imports[n].targets.get(import as usize))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// [`entries::main_file`](super::entries::main_file) of `project`, the project this graph
    /// was built for, or one with the same files and module tree (the analysis cache keeps a
    /// graph only while they stay the same), computed once per entry.
    pub fn main_file(&self, project: &Project, entry: &Entry) -> Option<String> {
        let lock = || self.main_files.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = lock().get(entry) {
            return found.clone();
        }
        let found = super::entries::main_file(project, entry);
        lock().insert(entry.clone(), found.clone());
        found
    }

    /// Every import statement (node, statement) that may run or read `path`, at import time or
    /// later, in node and statement order.
    pub fn importers(&self, path: &str) -> &[(usize, ImportId)] {
        let importers = self.importers.get_or_init(|| {
            let mut importers: HashMap<String, Vec<(usize, ImportId)>> = HashMap::new();
            for (node, imports) in self.imports.iter().enumerate() {
                for (import, targets) in imports.targets.iter().enumerate() {
                    for target in targets {
                        importers.entry(target.clone()).or_default().push((node, import as ImportId));
                    }
                }
            }
            importers
        });
        importers.get(path).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every node's resolved imports, in node order.
    pub fn file_imports(&self) -> impl Iterator<Item = (&str, &FileImports)> {
        self.nodes.iter().map(String::as_str).zip(self.imports.iter().map(|i| &**i))
    }

    pub fn node(&self, path: &str) -> Option<usize> {
        self.index.get(path).copied()
    }

    pub fn out_edges(&self, node: usize) -> impl Iterator<Item = &Edge> {
        self.out[node].iter().map(|&i| &self.edges[i])
    }

    /// Strongly connected components with more than one node (Tarjan's algorithm, iterative so
    /// that deep graphs cannot overflow the stack). Each component is sorted; the list is sorted.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        self.cycles.get_or_init(|| self.find_cycles()).clone()
    }

    fn find_cycles(&self) -> Vec<Vec<usize>> {
        let n = self.nodes.len();
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut next = 0;
        let mut components = Vec::new();
        for start in 0..n {
            if index[start] != usize::MAX {
                continue;
            }
            // (node, position in its out-edge list)
            let mut work = vec![(start, 0usize)];
            index[start] = next;
            low[start] = next;
            next += 1;
            stack.push(start);
            on_stack[start] = true;
            while let Some(&mut (v, ref mut pos)) = work.last_mut() {
                if let Some(&edge) = self.out[v].get(*pos) {
                    *pos += 1;
                    let w = self.edges[edge].to;
                    if index[w] == usize::MAX {
                        index[w] = next;
                        low[w] = next;
                        next += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        work.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                } else {
                    work.pop();
                    if let Some(&(parent, _)) = work.last() {
                        low[parent] = low[parent].min(low[v]);
                    }
                    if low[v] == index[v] {
                        let mut component = Vec::new();
                        while let Some(w) = stack.pop() {
                            on_stack[w] = false;
                            component.push(w);
                            if w == v {
                                break;
                            }
                        }
                        if component.len() > 1 {
                            component.sort_unstable();
                            components.push(component);
                        }
                    }
                }
            }
        }
        components.sort();
        components
    }

    /// For each import statement (node, statement) that is an edge of a cycle, the shortest
    /// cycle through any of its edges, as edge indices starting with that edge (the first
    /// found among equally short ones).
    pub fn shortest_cycles(&self) -> &BTreeMap<(usize, ImportId), Vec<usize>> {
        self.shortest_cycles.get_or_init(|| {
            let mut best: BTreeMap<(usize, ImportId), Vec<usize>> = BTreeMap::new();
            for component in self.cycles() {
                let within: HashSet<usize> = component.iter().copied().collect();
                for (index, edge) in self.edges.iter().enumerate() {
                    if !within.contains(&edge.from) || !within.contains(&edge.to) {
                        continue;
                    }
                    let Some(back) = self.shortest_path(edge.to, edge.from, &within) else { continue };
                    let mut cycle = vec![index];
                    cycle.extend(back);
                    let key = (edge.from, edge.import);
                    if best.get(&key).is_none_or(|current| current.len() > cycle.len()) {
                        best.insert(key, cycle);
                    }
                }
            }
            best
        })
    }

    /// The shortest path of edges from `from` to `to` that stays inside `within`.
    pub fn shortest_path(&self, from: usize, to: usize, within: &HashSet<usize>) -> Option<Vec<usize>> {
        let mut previous: HashMap<usize, usize> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        let mut visited = HashSet::from([from]);
        while let Some(v) = queue.pop_front() {
            if v == to {
                let mut path = Vec::new();
                let mut node = to;
                while node != from {
                    let edge = previous[&node];
                    path.push(edge);
                    node = self.edges[edge].from;
                }
                path.reverse();
                return Some(path);
            }
            for &edge in &self.out[v] {
                let w = self.edges[edge].to;
                if within.contains(&w) && visited.insert(w) {
                    previous.insert(w, edge);
                    queue.push_back(w);
                }
            }
        }
        None
    }
}

/// The imports of a module that run when it is imported, with the called function holding each.
pub fn import_time_imports(project: &Project, summary: &FileSummary) -> Vec<(ImportId, Option<FuncId>)> {
    let mut walker = Walker { project, summary, out: Vec::new(), functions: BTreeMap::new(), visited: HashSet::new() };
    walker.block(&summary.body, None, true);
    walker.out
}

struct Walker<'a> {
    project: &'a Project,
    summary: &'a FileSummary,
    out: Vec<(ImportId, Option<FuncId>)>,
    /// Module-level functions by name, as defined so far in execution order.
    functions: BTreeMap<String, FuncId>,
    visited: HashSet<FuncId>,
}

impl Walker<'_> {
    fn block(&mut self, block: &Block, via: Option<FuncId>, module_level: bool) {
        let env = self.project.cond_env(false);
        for event in block {
            match event {
                Event::Import(id) => self.out.push((*id, via)),
                Event::Def { name, func, .. } if module_level => {
                    self.functions.insert(name.clone(), *func);
                }
                Event::Bind { name, .. } if module_level => {
                    self.functions.remove(name);
                }
                Event::Call { callee: Callee::Name(name), .. } => {
                    if let Some(&func) = self.functions.get(name) {
                        if self.visited.insert(func) {
                            let body = &self.summary.functions[func as usize].body;
                            self.block(body, Some(via.unwrap_or(func)), false);
                        }
                    }
                }
                Event::Class(class) => self.block(&class.body, via, false),
                Event::If { branches, orelse } => {
                    for body in blocks_that_may_run(branches, orelse.as_ref(), &env) {
                        self.block(body, via, module_level);
                    }
                }
                Event::Try(t) => {
                    let TryEvent { body, handlers, orelse, finally } = &**t;
                    let start = self.out.len();
                    self.block(body, via, module_level);
                    // A fallback runs only when something in the body fails to import.
                    let body_may_fail = self.out[start..]
                        .iter()
                        .any(|(id, _)| !import_resolves(self.project, self.summary.import(*id)));
                    // Handlers for other errors are not taken, as in the simulation.
                    for handler in handlers {
                        if handler.catches.catches("ImportError") && body_may_fail {
                            self.block(&handler.body, via, module_level);
                        }
                    }
                    self.block(orelse, via, module_level);
                    self.block(finally, via, module_level);
                }
                _ => {}
            }
        }
    }
}

/// Finds the first-party file of a dotted module name on the workspace's sys.path.
pub fn resolve_module(project: &Project, dotted: &str) -> Option<Spec> {
    let sys_path = project.check_sys_path();
    let mut parts = dotted.split('.');
    let mut spec = project.tree.find_top_level(parts.next()?, &sys_path, &project.env)?;
    for part in parts {
        spec = match spec {
            Spec::File { is_package: true, search, .. } | Spec::Namespace { portions: search } => {
                project.tree.find_first_party(part, &search)?
            }
            Spec::File { is_package: false, .. } => return None,
            Spec::External | Spec::Compiled { .. } => return Some(Spec::External),
        };
    }
    // The import graph and the rules see a compiled module as what it is to them, a module
    // without Python code; only the simulation runs its source (see `Spec::Compiled`).
    Some(match spec {
        Spec::Compiled { .. } => Spec::External,
        spec => spec,
    })
}

fn resolve_file(project: &Project, dotted: &str) -> Option<String> {
    match resolve_module(project, dotted)? {
        Spec::File { file, .. } => Some(file),
        _ => None,
    }
}

/// The absolute module name of a from-import's base, for a module at `path`.
pub fn absolute_base(project: &Project, path: &str, level: u32, module: Option<&str>) -> Option<String> {
    if level == 0 {
        return module.map(str::to_string);
    }
    let name = project.module_name(path)?;
    let package = if path.ends_with("__init__.py") {
        name
    } else {
        name.rsplit_once('.').map(|(p, _)| p.to_string()).unwrap_or_default()
    };
    if package.is_empty() {
        return None;
    }
    let bits: Vec<&str> = package.rsplitn(level as usize, '.').collect();
    if bits.len() < level as usize {
        return None;
    }
    let base = bits[bits.len() - 1];
    Some(match module {
        Some(m) => format!("{base}.{m}"),
        None => base.to_string(),
    })
}

/// The first-party files whose code an import statement may run or read.
pub fn static_targets(project: &Project, path: &str, stmt: &ImportStmt) -> Vec<String> {
    targets_reading(project, path, stmt, &mut Vec::new())
}

/// [`static_targets`], noting in `star_reads` the `__all__` of each star-imported module read.
fn targets_reading(
    project: &Project,
    path: &str,
    stmt: &ImportStmt,
    star_reads: &mut Vec<(String, Option<Vec<String>>)>,
) -> Vec<String> {
    let mut targets = Vec::new();
    match &stmt.kind {
        ImportKind::Import { modules } => {
            targets.extend(modules.iter().filter_map(|m| resolve_file(project, &m.dotted)));
        }
        ImportKind::From { level, module, names, star } => {
            let Some(base) = absolute_base(project, path, *level, module.as_deref()) else {
                return targets;
            };
            let mut reads_base = *star;
            for name in names {
                match resolve_file(project, &format!("{base}.{}", name.name)) {
                    Some(file) => targets.push(file),
                    None => reads_base = true,
                }
            }
            if reads_base {
                if let Some(file) = resolve_file(project, &base) {
                    targets.push(file.clone());
                    if *star {
                        let all = project.summary(&file).and_then(|s| s.all.clone());
                        star_reads.push((file.clone(), all.clone()));
                        if let Some(all) = all {
                            targets.extend(all.iter().filter_map(|n| resolve_file(project, &format!("{base}.{n}"))));
                        }
                    }
                }
            }
        }
        ImportKind::Dynamic { module, package, .. } => {
            let absolute = if module.starts_with('.') {
                let level = module.chars().take_while(|c| *c == '.').count();
                package.as_ref().and_then(|p| {
                    let bits: Vec<&str> = p.rsplitn(level, '.').collect();
                    let rest = &module[level..];
                    (bits.len() >= level).then(|| {
                        let base = bits[bits.len() - 1];
                        if rest.is_empty() { base.to_string() } else { format!("{base}.{rest}") }
                    })
                })
            } else {
                Some(module.clone())
            };
            if let Some(file) = absolute.and_then(|a| resolve_file(project, &a)) {
                targets.push(file);
            }
        }
    }
    targets.sort();
    targets.dedup();
    targets
}

/// Whether the module an import names can be found at all (first-party, standard library, or
/// a third-party package that is installed or assumed to be).
fn import_resolves(project: &Project, stmt: &ImportStmt) -> bool {
    match &stmt.kind {
        ImportKind::Import { modules } => modules.iter().all(|m| resolve_module(project, &m.dotted).is_some()),
        ImportKind::From { level: 0, module: Some(module), .. } => resolve_module(project, module).is_some(),
        ImportKind::Dynamic { module, .. } if !module.starts_with('.') => resolve_module(project, module).is_some(),
        _ => true,
    }
}
