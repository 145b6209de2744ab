//! The latest analysis as the server keeps it, and how an edit that keeps a file's shape moves
//! its positions.
//!
//! The load orders of a large workspace hold tens of thousands of sites, and copying them on
//! every keystroke would cost more than the rest of the edit. So after such an edit only the
//! diagnostics move at once (they are published); the orders move on first use (hovers, inlay
//! hints, code lenses), through one composed map per edited file.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::check::Analysis;
use crate::analysis::diagnostic::{move_positions, Diagnostic};
use crate::analysis::project::Project;
use crate::analysis::simulate::{LoadOrder, Site};
use crate::analysis::summary::positions::range_map;
use crate::analysis::summary::FileSummary;
use crate::analysis::text::TextRange;

/// The latest analysis, with the project it describes.
pub struct Results {
    pub generation: u64,
    pub project: Arc<Project>,
    /// Dereferences to the analysis with current positions.
    pub analysis: MovedAnalysis,
}

impl Results {
    pub fn new(generation: u64, project: Arc<Project>, analysis: Arc<Analysis>) -> Results {
        let diagnostics = analysis.diagnostics.clone();
        Results {
            generation,
            project,
            analysis: MovedAnalysis { base: analysis, moves: BTreeMap::new(), diagnostics, moved: OnceLock::new() },
        }
    }

    /// The findings with current positions (without moving the load orders).
    pub fn diagnostics(&self) -> &Arc<Vec<Arc<Diagnostic>>> {
        &self.analysis.diagnostics
    }

    /// The results after an edit of `path` from `old` to `new`, two summaries of the same shape:
    /// what the analysis says is unchanged, only positions in `path` move.
    pub fn after_same_shape_edit(&self, generation: u64, path: &str, old: &FileSummary, new: Arc<FileSummary>) -> Results {
        let map = range_map(old, &new);
        let apply = |range: &mut TextRange| {
            if let Some(moved) = map.get(range) {
                *range = *moved;
            }
        };
        let mut diagnostics: Vec<Arc<Diagnostic>> = (*self.analysis.diagnostics).clone();
        move_positions(&mut diagnostics, path, apply);
        let mut moves = self.analysis.moves.clone();
        let composed: FxHashMap<TextRange, TextRange> = match moves.get(path) {
            Some(earlier) => earlier.iter().map(|(from, now)| (*from, map.get(now).copied().unwrap_or(*now))).collect(),
            None => ranges_in(&self.analysis.base, path)
                .into_iter()
                .map(|from| (from, map.get(&from).copied().unwrap_or(from)))
                .collect(),
        };
        moves.insert(path.to_string(), Arc::new(composed));
        Results {
            generation,
            project: Arc::new(self.project.with_summary(path, new)),
            analysis: MovedAnalysis {
                base: self.analysis.base.clone(),
                moves,
                diagnostics: Arc::new(diagnostics),
                moved: OnceLock::new(),
            },
        }
    }
}

/// An analysis whose load orders still have the positions of older text in some files.
pub struct MovedAnalysis {
    base: Arc<Analysis>,
    /// For each file edited since `base` was computed: each range of it that `base`'s orders
    /// hold → that range now.
    moves: BTreeMap<String, Arc<FxHashMap<TextRange, TextRange>>>,
    /// The current diagnostics.
    diagnostics: Arc<Vec<Arc<Diagnostic>>>,
    moved: OnceLock<Analysis>,
}

impl Deref for MovedAnalysis {
    type Target = Analysis;

    fn deref(&self) -> &Analysis {
        if self.moves.is_empty() {
            return &self.base;
        }
        self.moved.get_or_init(|| {
            let move_order = |order: &Arc<LoadOrder>| {
                let mut order = order.clone();
                for (path, map) in &self.moves {
                    let changes = sites(&order).any(|s| *s.path == **path && map.get(&s.range).is_some_and(|r| *r != s.range));
                    if changes {
                        Arc::make_mut(&mut order).remap(path, &|range: &mut TextRange| {
                            if let Some(moved) = map.get(range) {
                                *range = *moved;
                            }
                        });
                    }
                }
                order
            };
            Analysis {
                graph: self.base.graph.clone(),
                entry_orders: self.base.entry_orders.iter().map(move_order).collect(),
                cycle_orders: self.base.cycle_orders.iter().map(move_order).collect(),
                diagnostics: self.diagnostics.clone(),
            }
        })
    }
}

/// Every site of a load order.
fn sites(order: &LoadOrder) -> impl Iterator<Item = &Site> {
    let error = order.outcome.as_ref().err();
    order
        .steps
        .iter()
        .filter_map(|s| s.imported_from.as_ref())
        .chain(order.trace.iter().filter_map(|e| e.site.as_ref()))
        .chain(error.and_then(|e| e.site.as_ref()))
        .chain(error.into_iter().flat_map(|e| e.chain.iter().filter_map(|l| l.at.as_ref())))
}

/// The ranges of `path` that the analysis's load orders hold.
fn ranges_in(analysis: &Analysis, path: &str) -> FxHashSet<TextRange> {
    analysis
        .entry_orders
        .iter()
        .chain(&analysis.cycle_orders)
        .flat_map(|order| sites(order))
        .filter(|s| &*s.path == path)
        .map(|s| s.range)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::Results;
    use crate::analysis::check::analyze;
    use crate::analysis::config::Config;
    use crate::analysis::project::Project;
    use crate::analysis::python_env::PythonEnv;
    use crate::analysis::summary::summarize;

    const MODELS: &str = "# models\nfrom services import save\nimport helpers\nhelpers.VALUE\n\nclass User:\n    pass\n";

    fn project(models: &str) -> Project {
        let files: BTreeMap<String, Arc<_>> = [
            ("main.py", "import models\n"),
            ("services.py", "from models import User\n\ndef save():\n    pass\n"),
            ("helpers.py", "VALUE = 1\n"),
            ("models.py", models),
        ]
        .into_iter()
        .map(|(path, text)| (path.to_string(), Arc::new(summarize(text))))
        .collect();
        Project::new(files, &[], Config::default(), PythonEnv::default())
    }

    #[test]
    fn moved_results_equal_a_new_analysis_after_each_same_shape_edit() {
        let first = project(MODELS);
        let mut results = Results::new(0, Arc::new(first.clone()), Arc::new(analyze(&first)));
        let mut text = MODELS.to_string();
        // Each edit keeps every line where it was and moves the ranges after it.
        let edits = [("# models", 8, "xx"), ("# models", 0, "# "), ("save\n", 4, " "), ("pass", 0, "  "), ("# models", 0, "#")];
        for (generation, (anchor, offset, insert)) in edits.into_iter().enumerate() {
            let old = summarize(&text);
            let at = text.find(anchor).expect("the anchor is in the text") + offset;
            text.insert_str(at, insert);
            let new = Arc::new(summarize(&text));
            assert_eq!(old.shape(), new.shape(), "edit {generation} must keep the shape");
            results = results.after_same_shape_edit(generation as u64 + 1, "models.py", &old, new);
            let fresh = analyze(&project(&text));
            assert_eq!(results.diagnostics(), &fresh.diagnostics);
            assert_eq!(results.analysis.entry_orders, fresh.entry_orders);
            assert_eq!(results.analysis.cycle_orders, fresh.cycle_orders);
        }
        assert!(!results.analysis.diagnostics.is_empty(), "the example has a cycle to report");
    }
}
