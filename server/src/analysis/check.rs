//! Running the rules over a project: entries, simulations, graph, then filters.

use std::collections::{BTreeSet, HashMap, HashSet};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use super::config::Entry;
use super::diagnostic::{Diagnostic, Severity};
use super::entries::entry_points;
use super::graph::ImportGraph;
use super::project::Project;
use super::rules::{RuleContext, RULES, UNUSED_SUPPRESSION};
use super::simulate::{simulate, LoadOrder};
use super::summary::state::SuppressionStyle;
use super::summary::FileSummary;

/// Everything one analysis of a project produced.
#[derive(Clone)]
pub struct Analysis {
    pub graph: ImportGraph,
    pub entry_orders: Vec<LoadOrder>,
    pub cycle_orders: Vec<LoadOrder>,
    pub diagnostics: Vec<Diagnostic>,
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
    let graph = ImportGraph::build(project);
    let entries = entry_points(project);
    let mut cycle_entries: BTreeSet<Entry> = BTreeSet::new();
    for component in graph.cycles() {
        for node in component {
            if let Some(module) = project.module_name(&graph.nodes[node]) {
                cycle_entries.insert(Entry::Import(module));
            }
        }
    }
    let entry_orders: Vec<LoadOrder> = entries.par_iter().map(|e| simulate(project, e)).collect();
    let cycle_orders: Vec<LoadOrder> =
        cycle_entries.into_iter().collect::<Vec<_>>().par_iter().map(|e| simulate(project, e)).collect();
    let filter = RuleFilter::new(project);
    let mut diagnostics = Vec::new();
    let mut used = UsedSuppressions::default();
    {
        let ctx = RuleContext { project, graph: &graph, entry_orders: &entry_orders, cycle_orders: &cycle_orders };
        for rule in RULES {
            if !filter.selects(rule.code) {
                continue;
            }
            let mut found = Vec::new();
            (rule.check)(&ctx, &mut found);
            diagnostics.extend(found.into_iter().filter(|d| filter.keeps_recording(project, d, &mut used)));
        }
    }
    if options.warn_unused_suppressions && filter.selects(UNUSED_SUPPRESSION.code) {
        for (path, summary) in project.files() {
            diagnostics.extend(
                unused_suppressions(path, summary, &used, &filter).into_iter().filter(|d| !filter.ignored_in_file(d)),
            );
        }
    }
    for d in &mut diagnostics {
        if let Some(severity) = filter.severity(d.code) {
            d.severity = severity;
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then_with(|| a.message.cmp(&b.message)));
    diagnostics.dedup();
    Analysis { graph, entry_orders, cycle_orders, diagnostics }
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
        self.keeps_recording(project, diagnostic, &mut UsedSuppressions::default())
    }

    /// Whether `per-file-ignores` drop the diagnostic's code in its file.
    pub fn ignored_in_file(&self, diagnostic: &Diagnostic) -> bool {
        self.per_file.iter().any(|(set, codes)| set.is_match(&diagnostic.path) && matches_code(diagnostic.code, codes))
    }

    /// [`RuleFilter::keeps`], noting which suppression comment (and which of its codes)
    /// silenced the diagnostic.
    fn keeps_recording(&self, project: &Project, diagnostic: &Diagnostic, used: &mut UsedSuppressions) -> bool {
        if self.ignored_in_file(diagnostic) {
            return false;
        }
        let Some(summary) = project.summary(&diagnostic.path) else { return true };
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
            order.remap(path, &apply);
        }
        for diagnostic in &mut self.diagnostics {
            if diagnostic.path == path {
                apply(&mut diagnostic.range);
            }
            for related in &mut diagnostic.related {
                if related.path == path {
                    apply(&mut related.range);
                }
            }
        }
    }
}

/// For each suppression comment (file, index), the indexes of its codes that silenced
/// something (`usize::MAX` for a comment without codes).
#[derive(Default)]
struct UsedSuppressions(HashMap<(String, usize), HashSet<usize>>);

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
