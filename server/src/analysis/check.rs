//! Running the rules over a project: entries, simulations, graph, then filters.

use std::collections::BTreeSet;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use super::config::Entry;
use super::diagnostic::{Diagnostic, Severity};
use super::entries::entry_points;
use super::graph::ImportGraph;
use super::project::Project;
use super::rules::{RuleContext, RULES};
use super::simulate::{simulate, LoadOrder};

/// Everything one analysis of a project produced.
#[derive(Clone)]
pub struct Analysis {
    pub graph: ImportGraph,
    pub entry_orders: Vec<LoadOrder>,
    pub cycle_orders: Vec<LoadOrder>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs every selected rule; the result is sorted by path, position and code.
pub fn analyze(project: &Project) -> Analysis {
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
    {
        let ctx = RuleContext { project, graph: &graph, entry_orders: &entry_orders, cycle_orders: &cycle_orders };
        for rule in RULES {
            if !filter.selects(rule.code) {
                continue;
            }
            let mut found = Vec::new();
            (rule.check)(&ctx, &mut found);
            diagnostics.extend(found.into_iter().filter(|d| filter.keeps(project, d)).map(|mut d| {
                if let Some(severity) = filter.severity(d.code) {
                    d.severity = severity;
                }
                d
            }));
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
        if self.per_file.iter().any(|(set, codes)| set.is_match(&diagnostic.path) && matches_code(diagnostic.code, codes)) {
            return false;
        }
        match project.summary(&diagnostic.path) {
            Some(summary) => !summary.is_suppressed(summary.line_number(diagnostic.range.start), diagnostic.code),
            None => true,
        }
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
