//! A project: every file's summary plus the configuration and the Python environment.
//!
//! This is the input of everything cross-file (load orders, the import graph, the rules). It is
//! cheap to rebuild from summaries, which the language server caches per file.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use rustc_hash::{FxHashMap, FxHashSet};

use super::config::Config;
use super::modules::ModuleTree;
use super::python_env::PythonEnv;
use super::summary::{CondEnv, FileSummary, PythonVersion};

#[derive(Clone)]
pub struct Project {
    files: FileMap,
    pub tree: Arc<ModuleTree>,
    /// The files (summarised or pending) and folders that `tree` was built from, so that a
    /// project rebuilt from the same layout shares it.
    layout: Arc<Layout>,
    pub env: PythonEnv,
    pub config: Config,
    /// sys.path folders that every run has after its first entry: `src/` and configured roots.
    pub extra_roots: Vec<String>,
    pub version: PythonVersion,
    /// The workspace is itself a library folder (the standard library or site-packages), so its
    /// modules cannot shadow the standard library: they are it.
    pub workspace_is_library: bool,
    /// Facts computed from single summaries, see [`Project::derived`].
    derived: Arc<Derived>,
    /// Per-file facts that may read other files, see [`Project::per_file`]. Shared with the
    /// projects it was carried over from and to: each entry is checked against the asking
    /// project before it is used.
    memo: Arc<Memo>,
    /// The address of each summary, by the index of its path in `layout.files` (0 for a
    /// pending file): a memo entry names what it read by index and address, so checking it
    /// against this project compares numbers. Projects that share a memo have equal layouts
    /// (see [`Project::same_resolution`]), so an index means the same path in all of them.
    addresses: Arc<Vec<usize>>,
}

/// The summaries of a project: a map shared with whoever built it (the language server's files
/// on disk), and the few files over it that differ (its open documents). The server makes a
/// project after every edit and keeps the last one beside it, so neither copies nor frees the
/// thousands of paths that did not change.
#[derive(Clone, Default)]
pub struct FileMap {
    base: Arc<BTreeMap<String, Arc<FileSummary>>>,
    overlay: Arc<BTreeMap<String, Arc<FileSummary>>>,
    len: usize,
}

impl FileMap {
    /// `overlay`'s summaries over `base`'s.
    pub fn new(base: Arc<BTreeMap<String, Arc<FileSummary>>>, overlay: BTreeMap<String, Arc<FileSummary>>) -> FileMap {
        let len = base.len() + overlay.keys().filter(|path| !base.contains_key(*path)).count();
        FileMap { base, overlay: Arc::new(overlay), len }
    }

    pub fn get(&self, path: &str) -> Option<&Arc<FileSummary>> {
        self.overlay.get(path).or_else(|| self.base.get(path))
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every path with its summary, sorted by path: the shared map's runs between the
    /// overlay's paths, so that walking it compares no paths.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Arc<FileSummary>)> {
        let mut from: Bound<&str> = Bound::Unbounded;
        let mut parts: Vec<FileRun<'_>> = Vec::new();
        for (path, summary) in self.overlay.iter() {
            parts.push(Box::new(self.base.range::<str, _>((from, Bound::Excluded(path.as_str())))));
            parts.push(Box::new(std::iter::once((path, summary))));
            from = Bound::Excluded(path.as_str());
        }
        parts.push(Box::new(self.base.range::<str, _>((from, Bound::Unbounded))));
        parts.into_iter().flatten()
    }

    /// The paths whose summary differs between `self` and `new` (not the same `Arc`), sorted,
    /// with both summaries. Two maps over the same shared map differ only where their overlays
    /// have paths.
    pub fn changes<'a>(&'a self, new: &'a FileMap) -> Vec<FileChange<'a>> {
        let same = |a: Option<&Arc<FileSummary>>, b: Option<&Arc<FileSummary>>| match (a, b) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        let paths: Vec<&'a str> = if Arc::ptr_eq(&self.base, &new.base) {
            let mut paths: Vec<&str> = self.overlay.keys().chain(new.overlay.keys()).map(String::as_str).collect();
            paths.sort_unstable();
            paths.dedup();
            paths
        } else {
            let mut paths = Vec::new();
            let mut a = self.iter().peekable();
            let mut b = new.iter().peekable();
            loop {
                let path = match (a.peek().copied(), b.peek().copied()) {
                    (None, None) => break,
                    (Some((p, x)), Some((q, y))) if p == q => {
                        a.next();
                        b.next();
                        if Arc::ptr_eq(x, y) {
                            continue;
                        }
                        p
                    }
                    (Some((p, _)), Some((q, _))) if p < q => {
                        a.next();
                        p
                    }
                    (Some((p, _)), None) => {
                        a.next();
                        p
                    }
                    (_, Some((q, _))) => {
                        b.next();
                        q
                    }
                };
                paths.push(path.as_str());
            }
            paths
        };
        paths.into_iter().map(|path| (path, self.get(path), new.get(path))).filter(|(_, a, b)| !same(*a, *b)).collect()
    }

    /// The same files with `path`'s summary replaced or added (over the shared map).
    pub fn with(&self, path: &str, summary: Arc<FileSummary>) -> FileMap {
        let mut overlay = (*self.overlay).clone();
        overlay.insert(path.to_string(), summary);
        FileMap::new(self.base.clone(), overlay)
    }
}

/// A run of a [`FileMap`]'s files, in path order.
type FileRun<'a> = Box<dyn Iterator<Item = (&'a String, &'a Arc<FileSummary>)> + 'a>;

/// A path whose summary differs between two file maps, with its summary in each.
pub type FileChange<'a> = (&'a str, Option<&'a Arc<FileSummary>>, Option<&'a Arc<FileSummary>>);

impl From<BTreeMap<String, Arc<FileSummary>>> for FileMap {
    fn from(files: BTreeMap<String, Arc<FileSummary>>) -> FileMap {
        FileMap::new(Arc::new(files), BTreeMap::new())
    }
}

/// The per-file facts of [`Project::per_file`], by fact and path.
#[derive(Default)]
struct Memo {
    facts: Mutex<FxHashMap<&'static str, MemoTable>>,
    items: Mutex<FxHashMap<&'static str, ItemTable>>,
    kept: Mutex<FxHashMap<&'static str, Arc<dyn Any + Send + Sync>>>,
}

/// One fact's entries, by the layout index of their file, and the addresses (see
/// [`Project::addresses`]) of the project that last used them: every entry for a file that
/// project summarised was valid for it, so the next project needs to look only at the entries
/// that read a file whose address differs.
#[derive(Default)]
struct FactTable {
    entries: Vec<Option<MemoEntry>>,
    validated: Option<Arc<Vec<usize>>>,
}

type MemoTable = Arc<Mutex<FactTable>>;

/// One fact's entries of [`Project::per_item`], by the item's address.
type ItemTable = Arc<Mutex<FxHashMap<usize, ItemEntry>>>;

/// One item's value of a fact, with the version it was computed at and every summary its
/// computation read; the item itself is kept alive so that its address stays its own.
struct ItemEntry {
    _item: Arc<dyn Any + Send + Sync>,
    version: u64,
    reads: Vec<Read>,
    value: Arc<dyn Any + Send + Sync>,
}

/// One file's value of a fact, with every summary its computation read: the value holds for
/// a project in which the file and each of those paths have the same summaries (the same
/// `Arc`s, kept alive here so that an address cannot be reused by another summary).
struct MemoEntry {
    summary: Arc<FileSummary>,
    reads: Vec<Read>,
    /// `None` when the file has nothing for this fact.
    value: Option<Arc<dyn Any + Send + Sync>>,
}

/// The summaries read on one thread while a per-file fact is computed; `everything` when it
/// listed the files, which no entry can check.
#[derive(Default)]
struct Recording {
    reads: Vec<Read>,
    everything: bool,
}

/// A path that a computation read, as its index in the project's layout, with the summary it
/// got. Paths outside the layout are not recorded: no project that shares the memo has them.
type Read = (u32, Option<Arc<FileSummary>>);

/// Records the reads on this thread from its start to its end, and stops recording (restoring
/// what was recorded around it) even when the computation panics.
struct RecordingGuard {
    outer: Option<Option<Recording>>,
}

impl RecordingGuard {
    fn start() -> Self {
        RecordingGuard { outer: Some(RECORDING.with(|r| r.borrow_mut().replace(Recording::default()))) }
    }

    fn finish(mut self) -> Recording {
        let outer = self.outer.take().flatten();
        RECORDING.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer)).unwrap_or_default()
    }
}

impl Drop for RecordingGuard {
    fn drop(&mut self) {
        if let Some(outer) = self.outer.take() {
            RECORDING.with(|r| *r.borrow_mut() = outer);
        }
    }
}

thread_local! {
    // A fact is computed on one thread without handing work to others (the rules run in
    // parallel with each other, each on its own thread), so the reads of the computation
    // running on this thread are exactly those recorded here.
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Facts derived from one summary of the project (and its configuration), by summary and name.
/// Entries are keyed by the summary's address, which stays valid because the project holds
/// the summary: they are made only for the project's own summaries, and a project with other
/// summaries gets its own table.
#[derive(Default)]
struct Derived {
    owned: FxHashSet<usize>,
    facts: Mutex<FxHashMap<(usize, &'static str), AnyFact>>,
}

/// A derived fact of any type, downcast by the caller that knows it.
type AnyFact = Arc<dyn Any + Send + Sync>;

impl Derived {
    /// The table for the summaries at `addresses` (a project's, see [`Project::addresses`]; 0
    /// for a pending file), with the facts of `previous` (a project's table, with that
    /// project's addresses) for the summaries they share.
    fn for_summaries(addresses: &[usize], previous: Option<(&Derived, &[usize])>) -> Derived {
        if let Some((previous, previous_addresses)) = previous {
            if let Some(patched) = Derived::patched(addresses, previous, previous_addresses) {
                return patched;
            }
        }
        let previous = previous.map(|(previous, _)| previous);
        let owned: FxHashSet<usize> = addresses.iter().copied().filter(|address| *address != 0).collect();
        let facts = match previous {
            Some(previous) => {
                let previous = previous.facts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                previous.iter().filter(|((address, _), _)| owned.contains(address)).map(|(k, v)| (*k, v.clone())).collect()
            }
            None => FxHashMap::default(),
        };
        Derived { owned, facts: Mutex::new(facts) }
    }

    /// `previous`'s table with the few summaries that differ replaced, when the layout is the
    /// same and few differ (the language server makes a project per edit): copying the tables
    /// as they are costs far less than hashing every address and fact into new ones.
    fn patched(addresses: &[usize], previous: &Derived, previous_addresses: &[usize]) -> Option<Derived> {
        if previous_addresses.len() != addresses.len() {
            return None;
        }
        let changed: Vec<(usize, usize)> =
            previous_addresses.iter().zip(addresses.iter()).filter(|(was, now)| was != now).map(|(was, now)| (*was, *now)).collect();
        if changed.len() > 16 {
            return None;
        }
        let mut owned = previous.owned.clone();
        // A summary may stand for two paths: an address goes only when no path has it any more.
        let gone: Vec<usize> =
            changed.iter().map(|(was, _)| *was).filter(|was| *was != 0 && !addresses.contains(was)).collect();
        for was in &gone {
            owned.remove(was);
        }
        owned.extend(changed.iter().map(|(_, now)| *now).filter(|now| *now != 0));
        let mut facts = previous.facts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        if !gone.is_empty() {
            facts.retain(|(address, _), _| !gone.contains(address));
        }
        Some(Derived { owned, facts: Mutex::new(facts) })
    }
}

impl Project {
    /// `files` maps paths relative to the root (with `/`) to summaries; `dirs` lists folders that
    /// hold no Python file but still exist (they can be namespace packages).
    pub fn new(files: BTreeMap<String, Arc<FileSummary>>, dirs: &[String], config: Config, env: PythonEnv) -> Self {
        Project::with_pending(files, &[], dirs, config, env)
    }

    /// Like [`Project::new`], with `pending` files that exist but are not summarised yet (the
    /// language server analyses an opened file's imports before the rest is indexed): they
    /// resolve as modules, and importing them runs nothing.
    pub fn with_pending(
        files: BTreeMap<String, Arc<FileSummary>>,
        pending: &[String],
        dirs: &[String],
        config: Config,
        env: PythonEnv,
    ) -> Self {
        Project::reusing(None, files, pending, dirs, config, env)
    }

    /// [`Project::with_pending`], sharing the module tree of `previous` when the files and
    /// folders are the same (the language server rebuilds its project after every edit).
    pub fn reusing(
        previous: Option<&Project>,
        files: BTreeMap<String, Arc<FileSummary>>,
        pending: &[String],
        dirs: &[String],
        config: Config,
        env: PythonEnv,
    ) -> Self {
        Project::reusing_library(previous, files, pending, dirs, config, env, false)
    }

    /// [`Project::reusing`] with [`Project::workspace_is_library`] given: it is part of what
    /// the derived facts of `previous` must agree on to be carried over, so setting it after
    /// construction would make every analysis compute them again.
    pub fn reusing_library(
        previous: Option<&Project>,
        files: impl Into<FileMap>,
        pending: &[String],
        dirs: &[String],
        config: Config,
        env: PythonEnv,
        workspace_is_library: bool,
    ) -> Self {
        let files: FileMap = files.into();
        let mut all: Vec<&str> = files.iter().map(|(path, _)| path.as_str()).chain(pending.iter().map(String::as_str)).collect();
        // The map's keys come sorted; only pending files need placing among them.
        if !pending.is_empty() {
            all.sort_unstable();
        }
        let same = previous.filter(|p| {
            p.layout.files.len() == all.len()
                && p.layout.dirs.as_slice() == dirs
                && p.layout.files.iter().zip(&all).all(|(a, b)| a == b)
        });
        let (tree, layout) = match same {
            Some(previous) => (previous.tree.clone(), previous.layout.clone()),
            None => (
                Arc::new(ModuleTree::new(all.iter().copied(), dirs.iter().map(String::as_str))),
                Arc::new(Layout { files: all.iter().map(|f| f.to_string()).collect(), dirs: dirs.to_vec() }),
            ),
        };
        let mut extra_roots = Vec::new();
        let src_layout = config.src_layout.unwrap_or_else(|| tree.has_dir("src") && !tree.has_file("src/__init__.py"));
        if src_layout && tree.has_dir("src") {
            extra_roots.push("src".to_string());
        }
        for root in &config.roots {
            let root = root.trim_start_matches("./").trim_end_matches('/').to_string();
            let root = if root == "." { String::new() } else { root };
            if !extra_roots.contains(&root) {
                extra_roots.push(root);
            }
        }
        let version = config.version().unwrap_or(env.version);
        let mut project = Project {
            derived: Arc::default(),
            memo: Arc::default(),
            addresses: Arc::new(addresses_of(&layout, &files)),
            files,
            tree,
            layout,
            env,
            config,
            extra_roots,
            version,
            workspace_is_library,
        };
        // Derived facts carry over only where everything they may read besides the summary is
        // the same.
        let reused = previous.filter(|p| p.same_resolution(&project));
        project.derived =
            Arc::new(Derived::for_summaries(&project.addresses, reused.map(|p| (&*p.derived, p.addresses.as_slice()))));
        if let Some(previous) = reused {
            project.memo = previous.memo.clone();
        }
        project
    }

    /// Whether every module resolves the same way in both projects: same files and folders,
    /// configuration and environment (summaries aside).
    pub fn same_resolution(&self, other: &Project) -> bool {
        (Arc::ptr_eq(&self.tree, &other.tree) || self.layout == other.layout)
            && self.config == other.config
            && self.env == other.env
            && self.extra_roots == other.extra_roots
            && self.version == other.version
            && self.workspace_is_library == other.workspace_is_library
    }

    /// The same project with one file's summary replaced (the language server's fast path,
    /// when an edit keeps the file's shape).
    pub fn with_summary(&self, path: &str, summary: Arc<FileSummary>) -> Project {
        if self.layout.files.binary_search_by(|file| file.as_str().cmp(path)).is_err() {
            // A new file: the module tree changes too.
            let files = self.files.with(path, summary);
            let pending: Vec<String> = self.layout.files.iter().filter(|f| !files.contains_key(f)).cloned().collect();
            let (config, env) = (self.config.clone(), self.env.clone());
            return Project::reusing_library(Some(self), files, &pending, &self.layout.dirs, config, env, self.workspace_is_library);
        }
        let mut project = self.clone();
        project.files = self.files.with(path, summary);
        project.addresses = Arc::new(addresses_of(&project.layout, &project.files));
        project.derived = Arc::new(Derived::for_summaries(&project.addresses, Some((&self.derived, &self.addresses))));
        project
    }

    /// `compute()`, a fact that depends only on `summary` and on this project's configuration,
    /// environment and files, computed once per summary: the rules ask for the same facts of
    /// every file, and an edit changes one summary while the project is analysed again. For a
    /// summary that is not the project's own, it is simply computed.
    pub fn derived<T: Clone + Send + Sync + 'static>(&self, summary: &FileSummary, fact: &'static str, compute: impl FnOnce() -> T) -> T {
        let key = (summary as *const FileSummary as usize, fact);
        if !self.derived.owned.contains(&key.0) {
            return compute();
        }
        let lock = || self.derived.facts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(value) = lock().get(&key).and_then(|v| v.downcast_ref::<T>()) {
            return value.clone();
        }
        let value = compute();
        lock().insert(key, Arc::new(value.clone()));
        value
    }

    /// The values of `compute(path, summary)` for every file, in path order, leaving out the
    /// files for which it is `None` (nothing to report: most files, for most rules). Each is
    /// computed again only for the files whose summary, or one of the summaries that the
    /// computation read through [`Project::summary`], differs from the last time (in this
    /// project or one it was carried over from): the rules resolve names through other modules
    /// for every file in every analysis, and an edit changes one file. `compute` may read this
    /// project's configuration, environment and module tree and any summary through
    /// [`Project::summary`], and must not hand work to other threads; a computation that lists
    /// the files is not kept.
    pub fn per_file<T: Send + Sync + 'static>(
        &self,
        fact: &'static str,
        compute: impl Fn(&str, &Arc<FileSummary>) -> Option<T>,
    ) -> Vec<Arc<T>> {
        let table = {
            let mut facts = self.memo.facts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            facts.entry(fact).or_default().clone()
        };
        let mut table = table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let table = &mut *table;
        if table.entries.len() != self.addresses.len() {
            *table = FactTable { entries: (0..self.addresses.len()).map(|_| None).collect(), validated: None };
        }
        // Which files changed since the project that last used the table, when that is known
        // (same length: the same layout); otherwise each entry's reads are checked one by one.
        let changed: Option<Vec<bool>> = table.validated.as_ref().filter(|old| old.len() == self.addresses.len()).map(|old| {
            old.iter().zip(self.addresses.iter()).map(|(then, now)| then != now).collect()
        });
        let mut values = Vec::new();
        // The entries go by layout index beside the summaries' addresses: a file's path and
        // summary are looked up only when its value is computed again.
        for ((slot, &address), path) in table.entries.iter_mut().zip(self.addresses.iter()).zip(&self.layout.files) {
            if address == 0 {
                // Files that are not summarised here have nothing to keep.
                *slot = None;
                continue;
            }
            if let Some(entry) = slot.as_ref() {
                let valid = Arc::as_ptr(&entry.summary) as usize == address
                    && match &changed {
                        Some(changed) => entry.reads.iter().all(|(read, _)| !changed[*read as usize]),
                        None => self.unchanged(&entry.reads),
                    };
                if valid {
                    match &entry.value {
                        None => continue,
                        Some(value) => {
                            if let Ok(value) = value.clone().downcast::<T>() {
                                values.push(value);
                                continue;
                            }
                        }
                    }
                }
            }
            let Some(summary) = self.files.get(path) else {
                *slot = None;
                continue;
            };
            let guard = RecordingGuard::start();
            let value = compute(path, summary).map(Arc::new);
            let recording = guard.finish();
            *slot = (!recording.everything).then(|| MemoEntry {
                summary: summary.clone(),
                reads: recording.reads,
                value: value.clone().map(|value| value as Arc<dyn Any + Send + Sync>),
            });
            values.extend(value);
        }
        table.validated = Some(self.addresses.clone());
        values
    }

    /// What the caller keeps under `fact` from one analysis to the next, as long as projects
    /// carry their memo over (modules resolve the same way: same layout, configuration and
    /// environment). Unlike [`Project::per_file`], nothing here checks that a kept value still
    /// holds: its owner must keep alive, and compare, whatever it was computed from.
    pub fn kept<T: Default + Send + 'static>(&self, fact: &'static str) -> Arc<Mutex<T>> {
        let mut kept = self.memo.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = kept.entry(fact).or_insert_with(|| Arc::new(Mutex::new(T::default())));
        match slot.clone().downcast::<Mutex<T>>() {
            Ok(value) => value,
            Err(_) => {
                let value = Arc::new(Mutex::new(T::default()));
                *slot = value.clone();
                value
            }
        }
    }

    /// `compute(item)` for each of `items`, in order, computed again only for the items that
    /// are new (by identity), computed at another `version` (what else `compute` reads, such as
    /// the import graph), or whose computation read a summary through [`Project::summary`]
    /// that differs from the last time; entries of items not given are dropped. The rules
    /// read every run of every entry in every analysis, and an edit changes few of them.
    /// `compute` must not hand work to other threads; a computation that lists the files is
    /// not kept. An entry holds its item, so `Arc::make_mut` on an item copies it: an item
    /// changed in place cannot keep the address of one that has a value here.
    pub fn per_item<X: Send + Sync + 'static, T: Send + Sync + 'static>(
        &self,
        fact: &'static str,
        version: u64,
        items: &[Arc<X>],
        compute: impl Fn(&X) -> T,
    ) -> Vec<Arc<T>> {
        let table = {
            let mut facts = self.memo.items.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            facts.entry(fact).or_default().clone()
        };
        let mut table = table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let values = items
            .iter()
            .map(|item| {
                let address = Arc::as_ptr(item) as usize;
                if let Some(entry) = table.get(&address) {
                    if entry.version == version && self.unchanged(&entry.reads) {
                        if let Ok(value) = entry.value.clone().downcast::<T>() {
                            return value;
                        }
                    }
                }
                let guard = RecordingGuard::start();
                let value = Arc::new(compute(item));
                let recording = guard.finish();
                if recording.everything {
                    table.remove(&address);
                } else {
                    let entry = ItemEntry { _item: item.clone(), version, reads: recording.reads, value: value.clone() };
                    table.insert(address, entry);
                }
                value
            })
            .collect();
        if table.len() > items.len() {
            let current: FxHashSet<usize> = items.iter().map(|item| Arc::as_ptr(item) as usize).collect();
            table.retain(|address, _| current.contains(address));
        }
        values
    }

    /// The files whose summary differs between this project and `new` (see [`FileMap::changes`]).
    pub fn changed_files<'a>(&'a self, new: &'a Project) -> Vec<FileChange<'a>> {
        self.files.changes(&new.files)
    }

    pub fn files(&self) -> impl Iterator<Item = (&str, &Arc<FileSummary>)> {
        RECORDING.with(|r| {
            if let Some(recording) = r.borrow_mut().as_mut() {
                recording.everything = true;
            }
        });
        self.files.iter().map(|(path, summary)| (path.as_str(), summary))
    }

    pub fn summary(&self, path: &str) -> Option<&Arc<FileSummary>> {
        let found = self.files.get(path);
        RECORDING.with(|r| {
            if let Some(recording) = r.borrow_mut().as_mut() {
                if let Ok(index) = self.layout.files.binary_search_by(|file| file.as_str().cmp(path)) {
                    let index = index as u32;
                    if !recording.reads.iter().any(|(read, _)| *read == index) {
                        recording.reads.push((index, found.cloned()));
                    }
                }
            }
        });
        found
    }

    /// Whether every path in `reads` has the summary it had when read (the same `Arc`).
    fn unchanged(&self, reads: &[Read]) -> bool {
        reads.iter().all(|(index, was)| {
            let was = was.as_ref().map_or(0, |summary| Arc::as_ptr(summary) as usize);
            self.addresses.get(*index as usize) == Some(&was)
        })
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// sys.path for a run whose first entry is `first` (the script's folder or the root).
    pub fn sys_path(&self, first: &str) -> Vec<String> {
        let mut path = vec![first.to_string()];
        for root in &self.extra_roots {
            if !path.contains(root) {
                path.push(root.clone());
            }
        }
        path
    }

    /// sys.path for analysing the workspace without a particular entry: the root first.
    pub fn check_sys_path(&self) -> Vec<String> {
        self.sys_path("")
    }

    /// The module name under which `path` is imported: through the most specific root.
    pub fn module_name(&self, path: &str) -> Option<String> {
        let mut roots: Vec<&str> = self.check_sys_path_refs();
        roots.sort_by_key(|r| std::cmp::Reverse(r.len()));
        roots.into_iter().find_map(|root| ModuleTree::module_name(path, root))
    }

    fn check_sys_path_refs(&self) -> Vec<&str> {
        let mut roots = vec![""];
        roots.extend(self.extra_roots.iter().map(String::as_str));
        roots
    }

    /// A display name for a file: its module name, or its path when it is not importable.
    pub fn display_name(&self, path: &str) -> String {
        self.module_name(path).unwrap_or_else(|| path.to_string())
    }

    pub fn cond_env(&self, is_main: bool) -> CondEnv<'_> {
        CondEnv {
            is_main,
            version: self.version,
            platform: &self.env.platform,
            argument: None,
            names: &[],
            calls: &[],
            sys_attributes: self.env.sys_attributes.as_ref(),
            builtins_attributes: self.env.builtins_attributes.as_ref(),
            environ: self.env.environ.as_ref(),
        }
    }
}

/// The address of the summary of each file of `layout` (0 for a pending one), in its order.
fn addresses_of(layout: &Layout, files: &FileMap) -> Vec<usize> {
    // Both are sorted by path, and every summarised file is in the layout of a project built
    // from them.
    let mut summaries = files.iter().peekable();
    let mut summarised = 0;
    let addresses = layout
        .files
        .iter()
        .map(|path| match summaries.next_if(|(file, _)| *file == path) {
            Some((_, summary)) => {
                summarised += 1;
                Arc::as_ptr(summary) as usize
            }
            None => 0,
        })
        .collect();
    assert_eq!(summarised, files.len(), "every summarised file is in the layout");
    addresses
}

/// The input of a [`ModuleTree`]: module files (sorted) and extra folders.
#[derive(PartialEq, Eq)]
struct Layout {
    files: Vec<String>,
    dirs: Vec<String>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::FileMap;
    use crate::analysis::summary::{summarize, FileSummary};

    fn map(paths: &[&str]) -> BTreeMap<String, Arc<FileSummary>> {
        paths.iter().map(|p| (p.to_string(), Arc::new(summarize("")))).collect()
    }

    /// The plain map that a file map stands for.
    fn flat(files: &FileMap) -> BTreeMap<String, Arc<FileSummary>> {
        files.iter().map(|(p, s)| (p.clone(), s.clone())).collect()
    }

    #[test]
    fn a_file_map_is_its_overlay_over_its_base() {
        let base = Arc::new(map(&["a.py", "c.py", "e.py"]));
        let overlay = map(&["0.py", "c.py", "d.py", "z.py"]);
        let files = FileMap::new(base.clone(), overlay.clone());
        let mut expected = (*base).clone();
        expected.extend(overlay.clone());
        let listed: Vec<&String> = files.iter().map(|(p, _)| p).collect();
        assert_eq!(listed, expected.keys().collect::<Vec<_>>(), "sorted, each path once");
        assert_eq!(files.len(), expected.len());
        for (path, summary) in &expected {
            assert!(Arc::ptr_eq(files.get(path).expect("listed"), summary), "{path}: the overlay's summary wins");
        }
        assert!(files.get("b.py").is_none());
    }

    #[test]
    fn changes_over_a_shared_base_are_those_of_the_plain_maps() {
        let base = Arc::new(map(&["a.py", "b.py", "c.py"]));
        let one = FileMap::new(base.clone(), map(&["b.py", "x.py"]));
        let two = one.with("c.py", Arc::new(summarize("import os\n"))).with("y.py", Arc::new(summarize("")));
        // The same files as plain maps, which share nothing, take the other way.
        let (flat_one, flat_two) = (FileMap::from(flat(&one)), FileMap::from(flat(&two)));
        let paths = |changes: Vec<super::FileChange>| changes.into_iter().map(|(p, a, b)| (p.to_string(), a.is_some(), b.is_some())).collect::<Vec<_>>();
        let expected = vec![("c.py".to_string(), true, true), ("y.py".to_string(), false, true)];
        assert_eq!(paths(one.changes(&two)), expected);
        assert_eq!(paths(flat_one.changes(&flat_two)), expected);
        assert!(one.changes(&one.clone()).is_empty());
    }
}
