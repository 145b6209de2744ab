//! Running the rules over a project: entries, simulations, graph, then filters.
//!
//! [`AnalysisCache`] keeps what one analysis computed for the next: each file's resolved
//! imports, the entries, and each simulated run with what it read of the project. A new
//! analysis recomputes only what an edited summary can change (see docs/architecture.md,
//! "Incremental analysis"), and its result equals a fresh [`analyze`] of the same project.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::config::Entry;
use super::diagnostic::{move_positions, Diagnostic, Severity};
use super::entries::entry_points_in;
use super::graph::{FileImports, ImportGraph};
use super::project::Project;
use super::rules::{Findings, RuleContext, RULES, UNUSED_SUPPRESSION};
use super::simulate::{name_hash, simulate_all, LoadOrder, Reads, SimDelta};
use super::summary::state::SuppressionStyle;
use super::summary::FileSummary;
use super::text::TextRange;

/// Everything one analysis of a project produced.
#[derive(Clone)]
pub struct Analysis {
    pub graph: Arc<ImportGraph>,
    pub entry_orders: Vec<Arc<LoadOrder>>,
    pub cycle_orders: Vec<Arc<LoadOrder>>,
    /// Shared, so that keeping the findings beside the analysis (the server does) copies none;
    /// each finding is shared too, with the analyses that keep it (see
    /// [`check_each_file`](super::rules::check_each_file)).
    pub diagnostics: Arc<Vec<Arc<Diagnostic>>>,
}

/// What a run reports beyond the configuration's rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnalyzeOptions {
    /// Report suppression comments that silenced nothing, as MC900 findings (like ruff's
    /// RUF100, off unless asked for).
    pub warn_unused_suppressions: bool,
}

/// Runs every selected rule; the result is sorted by path, position and code.
pub fn analyze(project: &Project) -> Analysis {
    analyze_with(project, AnalyzeOptions::default())
}

/// [`analyze`] with options.
pub fn analyze_with(project: &Project, options: AnalyzeOptions) -> Analysis {
    AnalysisCache::default().analyze_with(project, options)
}

/// What the last analysis computed, kept to make the next one cheaper. Invariant: everything
/// here is what a fresh analysis of [`AnalysisCache::project`] would compute, and every cached
/// run's [`Reads`] names the summaries of that project.
#[derive(Default)]
pub struct AnalysisCache {
    project: Option<Project>,
    imports: BTreeMap<String, Arc<FileImports>>,
    graph: Option<Arc<ImportGraph>>,
    entries: Option<Vec<Entry>>,
    /// The runs of the last analysis, in the order of its entries.
    runs: Vec<(Entry, Run)>,
    stats: CacheStats,
}

/// One simulated run and what it read.
struct Run {
    order: Arc<LoadOrder>,
    reads: Reads,
    /// [`LoadOrder::site_ranges`] of `order`: after an edit that moves statements, hundreds of
    /// runs are asked whether they have a site among them, and scanning each run's steps and
    /// trace for the edited path was most of the cost of an edit.
    sites: Vec<(u64, TextRange)>,
}

impl Run {
    fn new(order: LoadOrder, reads: Reads) -> Run {
        let sites = order.site_ranges();
        Run { order: Arc::new(order), reads, sites }
    }

    /// Whether a site of this run in `path` moves in `delta` (or has no new range).
    fn sites_move(&self, path: &str, delta: &SimDelta) -> bool {
        let hash = name_hash(path);
        let first = self.sites.partition_point(|(h, _)| *h < hash);
        self.sites[first..]
            .iter()
            .take_while(|(h, _)| *h == hash)
            .any(|(_, range)| delta.moved.contains(range) || !delta.ranges.contains_key(range))
    }
}

/// What the last [`AnalysisCache::analyze`] recomputed, for logs and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Files whose summary differed from the previous analysis's.
    pub changed_files: usize,
    /// Files whose imports were resolved again.
    pub resolved_files: usize,
    /// Runs simulated (again).
    pub simulated: usize,
    /// Runs kept, of which `moved` had their sites moved to new ranges.
    pub kept: usize,
    pub moved: usize,
    /// Time spent comparing the projects and resolving imports, on the graph and entries, on
    /// the runs, and on the rules and filters.
    pub times: [std::time::Duration; 4],
}

impl AnalysisCache {
    /// The counts of the last analysis.
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    pub fn analyze(&mut self, project: &Project) -> Analysis {
        self.analyze_with(project, AnalyzeOptions::default())
    }

    /// Analyses `project`, recomputing only what differs from the last analysed project.
    pub fn analyze_with(&mut self, project: &Project, options: AnalyzeOptions) -> Analysis {
        let clock = std::time::Instant::now();
        let previous = self.project.take().filter(|p| p.same_resolution(project));
        if previous.is_none() {
            *self = AnalysisCache::default();
        }
        let changed = match &previous {
            Some(previous) => changed_files(previous, project),
            None => BTreeMap::new(),
        };
        self.stats = CacheStats { changed_files: changed.len(), ..CacheStats::default() };
        let imports_changed = self.resolve_imports(project, &changed);
        let resolved = clock.elapsed();
        let graph = match (&self.graph, imports_changed) {
            (Some(graph), false) => graph.clone(),
            _ => Arc::new(ImportGraph::from_imports(&self.imports)),
        };
        self.graph = Some(graph.clone());
        // Detection reads each file's resolved imports and whether it has a `__main__` guard.
        let guards_changed =
            changed.values().any(|(old, new)| old.and_then(|s| s.main_guard).is_some() != new.and_then(|s| s.main_guard).is_some());
        let entries = match &self.entries {
            Some(entries) if !imports_changed && !guards_changed => entries.clone(),
            _ => entry_points_in(project, &graph),
        };
        self.entries = Some(entries.clone());
        let mut cycle_entries: BTreeSet<Entry> = BTreeSet::new();
        for component in graph.cycles() {
            for node in component {
                if let Some(module) = project.module_name(&graph.nodes[node]) {
                    cycle_entries.insert(Entry::Import(module));
                }
            }
        }
        let cycle_entries: Vec<Entry> = cycle_entries.into_iter().collect();
        let planned = clock.elapsed();
        let mut orders = self.run(project, &changed, entries.iter().chain(&cycle_entries));
        let cycle_orders = orders.split_off(entries.len());
        let entry_orders = orders;
        let ran = clock.elapsed();
        let diagnostics = run_rules(project, &graph, &entry_orders, &cycle_orders, options);
        self.project = Some(project.clone());
        self.stats.times = [resolved, planned - resolved, ran - planned, clock.elapsed() - ran];
        Analysis { graph, entry_orders, cycle_orders, diagnostics: Arc::new(diagnostics) }
    }

    /// Brings the resolved imports up to date; returns whether any differ (so the graph and the
    /// entries must be rebuilt).
    fn resolve_imports(&mut self, project: &Project, changed: &BTreeMap<String, Change>) -> bool {
        let stale: Vec<(String, &Arc<FileSummary>)> = if self.graph.is_none() {
            self.imports.clear();
            project.files().map(|(path, summary)| (path.to_string(), summary)).collect()
        } else {
            // A file's targets depend on its own summary and on the `__all__` of the modules it
            // star-imports.
            let mut stale: BTreeSet<String> = changed.keys().cloned().collect();
            for (path, imports) in &self.imports {
                if imports.star_reads.iter().any(|(read, _)| changed.contains_key(read)) {
                    stale.insert(path.clone());
                }
            }
            stale.into_iter().filter_map(|path| project.summary(&path).map(|summary| (path, summary))).collect()
        };
        let mut differ = self.graph.is_none();
        for (path, change) in changed {
            if change.1.is_none() {
                differ |= self.imports.remove(path).is_some();
            }
        }
        let fresh: Vec<(String, FileImports)> =
            stale.into_par_iter().map(|(path, summary)| {
                let imports = FileImports::new(project, &path, summary);
                (path, imports)
            }).collect();
        self.stats.resolved_files = fresh.len();
        for (path, imports) in fresh {
            if self.imports.get(&path).is_none_or(|old| **old != imports) {
                differ = true;
                self.imports.insert(path, Arc::new(imports));
            }
        }
        differ
    }

    /// The load order of each entry, in order: kept from the cache when no change can alter the
    /// run, simulated (in parallel) otherwise.
    fn run<'e>(
        &mut self,
        project: &Project,
        changed: &BTreeMap<String, Change>,
        entries: impl Iterator<Item = &'e Entry>,
    ) -> Vec<Arc<LoadOrder>> {
        let entries: Vec<&Entry> = entries.collect();
        let mut deltas: Deltas = FxHashMap::default();
        for (path, (old, new)) in changed {
            let delta = match (old, new) {
                (Some(old), Some(new)) => SimDelta::between(old, new),
                _ => SimDelta { module: true, ..SimDelta::default() },
            };
            // Two changed paths with one hash: every run that read either runs again.
            let hash = name_hash(path);
            let delta = if deltas.contains_key(&hash) { SimDelta { module: true, ..SimDelta::default() } } else { delta };
            deltas.insert(hash, (path.as_str(), delta, *new));
        }
        // Each entry once, in order (a module in a cycle may also be an entry).
        let mut position: FxHashMap<&Entry, usize> = FxHashMap::default();
        let mut unique: Vec<&Entry> = Vec::with_capacity(entries.len());
        for entry in &entries {
            position.entry(*entry).or_insert_with(|| {
                unique.push(*entry);
                unique.len() - 1
            });
        }
        // Usually the entries are those of the last analysis, in the same order, and the runs
        // are taken over as they are; otherwise they are found by entry.
        let previous = std::mem::take(&mut self.runs);
        let candidates: Vec<(Entry, Option<Run>)> =
            if previous.len() == unique.len() && previous.iter().zip(&unique).all(|((a, _), b)| a == *b) {
                previous.into_iter().map(|(entry, run)| (entry, Some(run))).collect()
            } else {
                let mut by_entry: FxHashMap<Entry, Run> = previous.into_iter().collect();
                unique.iter().map(|entry| ((*entry).clone(), by_entry.remove(*entry))).collect()
            };
        // Every kept run that read an edited file is checked against the edit (what it read,
        // whether any of its sites moves, and a copy to move them when one does): hundreds of
        // runs for a module that most of the workspace imports. The runs that cannot be kept are
        // simulated again, together (runs that begin alike share their beginning).
        let checked: Vec<(Entry, Option<(Run, bool)>)> =
            candidates.into_par_iter().map(|(entry, run)| (entry, run.and_then(|run| keep(run, &deltas)))).collect();
        let stale: Vec<&Entry> = checked.iter().filter(|(_, kept)| kept.is_none()).map(|(entry, _)| entry).collect();
        let mut fresh = simulate_all(project, &stale).into_iter();
        let runs: Vec<(Entry, Run, Outcome)> = checked
            .into_iter()
            .map(|(entry, kept)| match kept {
                Some((run, moved)) => (entry, run, if moved { Outcome::Moved } else { Outcome::Kept }),
                None => {
                    let (order, reads) = fresh.next().expect("simulate_all gives a run for every stale entry");
                    (entry, Run::new(order, reads), Outcome::Simulated)
                }
            })
            .collect();
        for (_, _, outcome) in &runs {
            match outcome {
                Outcome::Kept => self.stats.kept += 1,
                Outcome::Moved => {
                    self.stats.kept += 1;
                    self.stats.moved += 1;
                }
                Outcome::Simulated => self.stats.simulated += 1,
            }
        }
        let orders = entries.iter().map(|entry| runs[position[*entry]].1.order.clone()).collect();
        self.runs = runs.into_iter().map(|(entry, run, _)| (entry, run)).collect();
        orders
    }
}

/// What became of a run in an analysis.
enum Outcome {
    Kept,
    Moved,
    Simulated,
}

/// How each changed file changed, by the [`name_hash`] of its path: the path, the change and
/// the new summary.
type Deltas<'a> = FxHashMap<u64, (&'a str, SimDelta, Option<&'a Arc<FileSummary>>)>;

/// A changed file: its summary in the previous and in the new project (`None`: absent, or not
/// summarised yet).
type Change<'a> = (Option<&'a Arc<FileSummary>>, Option<&'a Arc<FileSummary>>);

/// The files whose summary differs between two projects, by path.
fn changed_files<'a>(old: &'a Project, new: &'a Project) -> BTreeMap<String, Change<'a>> {
    old.changed_files(new).into_iter().map(|(path, a, b)| (path.to_string(), (a, b))).collect()
}

/// A cached run brought up to date with the changed files, and whether its sites moved; `None`
/// if one of them can change how it ends (it must be simulated again).
fn keep(mut run: Run, deltas: &Deltas) -> Option<(Run, bool)> {
    if deltas.is_empty() {
        return Some((run, false));
    }
    // Usually one file changed and the run read dozens; while indexing it is the other way.
    let touched: Vec<u64> = if deltas.len() < run.reads.files.len() {
        deltas.keys().copied().filter(|file| run.reads.files.contains_key(file)).collect()
    } else {
        run.reads.files.keys().copied().filter(|file| deltas.contains_key(file)).collect()
    };
    if touched.is_empty() {
        return Some((run, false));
    }
    if touched.iter().any(|file| {
        let (path, delta, _) = &deltas[file];
        run.reads.affected_by(path, delta)
    }) {
        return None;
    }
    let mut moved = false;
    for file in touched {
        let (path, delta, new) = &deltas[&file];
        // `affected_by` is false only when the file is still summarised.
        let new = (*new)?;
        if !delta.moved.is_empty() && run.sites_move(path, delta) {
            if !Arc::make_mut(&mut run.order).move_sites(path, &delta.ranges, new) {
                return None;
            }
            run.sites = run.order.site_ranges();
            moved = true;
        }
        if let Some(read) = run.reads.files.get_mut(&file) {
            *read = Some(new.clone());
        }
    }
    Some((run, moved))
}

/// Runs the selected rules (in parallel: they are independent) and applies the filters.
fn run_rules(
    project: &Project,
    graph: &ImportGraph,
    entry_orders: &[Arc<LoadOrder>],
    cycle_orders: &[Arc<LoadOrder>],
    options: AnalyzeOptions,
) -> Vec<Arc<Diagnostic>> {
    let filter = RuleFilter::new(project);
    let ctx = RuleContext { project, filter: &filter, graph, entry_orders, cycle_orders };
    let found: Vec<Findings> = RULES
        .par_iter()
        .map(|rule| {
            let mut found = Findings::default();
            if filter.selects(rule.code) {
                (rule.check)(&ctx, &mut found);
            }
            found
        })
        .collect();
    let mut diagnostics = Vec::with_capacity(found.iter().map(Findings::len).sum());
    let mut used = UsedSuppressions::default();
    for found in found {
        for kept in &found.kept {
            diagnostics.extend(kept.diagnostics.iter().cloned());
            used.add(&kept.used);
        }
        let made = filter.apply_recording(project, found.made, &mut used);
        diagnostics.extend(made);
    }
    if options.warn_unused_suppressions && filter.selects(UNUSED_SUPPRESSION.code) {
        for (path, summary) in project.files() {
            diagnostics.extend(
                unused_suppressions(path, summary, &used, &filter)
                    .into_iter()
                    .filter(|d| !filter.ignored_in_file(d))
                    .map(|d| filter.with_severity(Arc::new(d))),
            );
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then_with(|| a.message.cmp(&b.message)));
    diagnostics.dedup();
    diagnostics
}

/// Findings that went through the filters, with the suppression comments that silenced the
/// others (for MC900).
#[derive(Default)]
pub struct Filtered {
    pub diagnostics: Vec<Arc<Diagnostic>>,
    used: UsedSuppressions,
}

impl Filtered {
    /// Whether there is nothing to report and no suppression was used.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty() && self.used.is_empty()
    }
}

/// `select`, `ignore`, `per-file-ignores`, severity overrides and suppression comments.
pub struct RuleFilter {
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    per_file: Vec<(GlobSet, Vec<String>)>,
    severities: Vec<(String, Severity)>,
}

fn matches_code(code: &str, selectors: &[String]) -> bool {
    selectors.iter().any(|s| s.eq_ignore_ascii_case("ALL") || code.starts_with(&s.to_ascii_uppercase()))
}

impl RuleFilter {
    pub fn new(project: &Project) -> Self {
        let config = &project.config;
        let per_file = config
            .per_file_ignores
            .iter()
            .filter_map(|(pattern, codes)| {
                let mut builder = GlobSetBuilder::new();
                builder.add(Glob::new(pattern).ok()?);
                // A pattern without a slash matches the file name in any folder, as in ruff.
                if !pattern.contains('/') {
                    builder.add(Glob::new(&format!("**/{pattern}")).ok()?);
                }
                Some((builder.build().ok()?, codes.clone()))
            })
            .collect();
        let severities = config.severity.iter().filter_map(|(code, s)| Some((code.to_ascii_uppercase(), s.parse().ok()?))).collect();
        RuleFilter { select: config.select.clone(), ignore: config.ignore.clone(), per_file, severities }
    }

    pub fn selects(&self, code: &str) -> bool {
        let selected = match &self.select {
            Some(select) => matches_code(code, select),
            None => true,
        };
        selected && !matches_code(code, &self.ignore)
    }

    pub fn keeps(&self, project: &Project, diagnostic: &Diagnostic) -> bool {
        self.keeps_recording(project.summary(&diagnostic.path), diagnostic, &mut UsedSuppressions::default())
    }

    /// Whether `per-file-ignores` drop the diagnostic's code in its file.
    pub fn ignored_in_file(&self, diagnostic: &Diagnostic) -> bool {
        self.per_file.iter().any(|(set, codes)| set.is_match(&diagnostic.path) && matches_code(diagnostic.code, codes))
    }

    /// [`RuleFilter::keeps`] given the summary of the diagnostic's file, noting which suppression comment (and which of its codes)
    /// silenced the diagnostic.
    fn keeps_recording(&self, summary: Option<&Arc<FileSummary>>, diagnostic: &Diagnostic, used: &mut UsedSuppressions) -> bool {
        if self.ignored_in_file(diagnostic) {
            return false;
        }
        let Some(summary) = summary.filter(|s| !s.suppressions.is_empty()) else { return true };
        let line = summary.line_number(diagnostic.range.start);
        let mut silenced = false;
        for (index, suppression) in summary.suppressions.iter().enumerate() {
            if suppression.line != line || !suppression.matches(diagnostic.code) {
                continue;
            }
            silenced = true;
            let codes = used.0.entry((diagnostic.path.clone(), index)).or_default();
            match &suppression.codes {
                None => {
                    codes.insert(usize::MAX);
                }
                Some(list) => {
                    codes.extend(list.iter().enumerate().filter(|(_, c)| diagnostic.code.starts_with(c.as_str())).map(|(i, _)| i));
                }
            }
        }
        !silenced
    }

    /// The findings that the filters keep, with their configured severity.
    pub fn apply(&self, project: &Project, found: Vec<Arc<Diagnostic>>) -> Filtered {
        let mut used = UsedSuppressions::default();
        let diagnostics = self.apply_recording(project, found, &mut used);
        Filtered { diagnostics, used }
    }

    fn apply_recording(&self, project: &Project, found: Vec<Arc<Diagnostic>>, used: &mut UsedSuppressions) -> Vec<Arc<Diagnostic>> {
        // A rule reports file by file, so the summary looked up for one finding usually serves
        // the next.
        let mut last: Option<(String, Option<&Arc<FileSummary>>)> = None;
        found
            .into_iter()
            .filter(|d| {
                let summary = match &last {
                    Some((path, summary)) if *path == d.path => *summary,
                    _ => {
                        let summary = project.summary(&d.path);
                        last = Some((d.path.clone(), summary));
                        summary
                    }
                };
                self.keeps_recording(summary, d, used)
            })
            .map(|d| self.with_severity(d))
            .collect()
    }

    fn with_severity(&self, mut diagnostic: Arc<Diagnostic>) -> Arc<Diagnostic> {
        if let Some(severity) = self.severity(diagnostic.code).filter(|s| *s != diagnostic.severity) {
            Arc::make_mut(&mut diagnostic).severity = severity;
        }
        diagnostic
    }

    pub fn severity(&self, code: &str) -> Option<Severity> {
        // The longest matching prefix wins, so "MC0" can be overridden for "MC002" alone.
        self.severities
            .iter()
            .filter(|(prefix, _)| code.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, s)| *s)
    }
}

impl Analysis {
    /// Moves every position in `path` through `map` (old range → new range), after an edit that
    /// kept the file's shape: the results stay valid, only their positions move.
    pub fn remap(&mut self, path: &str, map: &std::collections::HashMap<super::text::TextRange, super::text::TextRange>) {
        let apply = |range: &mut super::text::TextRange| {
            if let Some(new) = map.get(range) {
                *range = *new;
            }
        };
        for order in self.entry_orders.iter_mut().chain(self.cycle_orders.iter_mut()) {
            Arc::make_mut(order).remap(path, &apply);
        }
        let diagnostics: &mut Vec<Arc<Diagnostic>> = Arc::make_mut(&mut self.diagnostics);
        move_positions(diagnostics, path, apply);
    }
}

/// For each suppression comment (file, index), the indexes of its codes that silenced
/// something (`usize::MAX` for a comment without codes).
#[derive(Default)]
struct UsedSuppressions(HashMap<(String, usize), HashSet<usize>>);

impl UsedSuppressions {
    fn add(&mut self, other: &UsedSuppressions) {
        for (comment, codes) in &other.0 {
            self.0.entry(comment.clone()).or_default().extend(codes);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// MC900 findings for the suppression comments of one file that silenced nothing. A bare
/// `# noqa` and codes of other tools in `# noqa: …` are left alone: other linters read them.
fn unused_suppressions(path: &str, summary: &FileSummary, used: &UsedSuppressions, filter: &RuleFilter) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (index, suppression) in summary.suppressions.iter().enumerate() {
        let style = summary.state.suppression_styles.get(index).copied().unwrap_or(SuppressionStyle::Noqa);
        let silenced = used.0.get(&(path.to_string(), index));
        let message = match (&suppression.codes, style) {
            (None, SuppressionStyle::Noqa) => continue,
            (None, SuppressionStyle::Modcache) => {
                if silenced.is_some() {
                    continue;
                }
                "Unused suppression: `# modcache: ignore` silenced no finding on this line; remove it.".to_string()
            }
            (Some(codes), _) => {
                let mut unused = Vec::new();
                for (i, code) in codes.iter().enumerate() {
                    if !code.starts_with("MC") || silenced.is_some_and(|s| s.contains(&i)) || code == UNUSED_SUPPRESSION.code {
                        continue;
                    }
                    let matching: Vec<&str> = RULES.iter().map(|r| r.code).filter(|c| c.starts_with(code.as_str())).collect();
                    let reason = if matching.is_empty() {
                        "unknown rule"
                    } else if !matching.iter().any(|c| filter.selects(c)) {
                        "rule not enabled"
                    } else {
                        "no such finding on this line"
                    };
                    unused.push(format!("`{code}` ({reason})"));
                }
                if unused.is_empty() {
                    continue;
                }
                let noun = if unused.len() == 1 { "code" } else { "codes" };
                format!("Unused suppression {noun}: {}; remove {}.", unused.join(", "), if unused.len() == 1 { "it" } else { "them" })
            }
        };
        out.push(Diagnostic {
            code: UNUSED_SUPPRESSION.code,
            name: UNUSED_SUPPRESSION.name,
            severity: UNUSED_SUPPRESSION.default_severity,
            path: path.to_string(),
            range: suppression.range,
            message,
            related: Vec::new(),
        });
    }
    out
}
