use std::collections::BTreeSet;
use std::sync::Arc;

use super::{rule, Findings, Rule, RuleContext};
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::summary::FileSummary;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags each import statement that is an edge of an import cycle among first-party modules,
    /// counting only imports that run when the module is imported: top level, class bodies,
    /// `try` blocks, and the bodies of same-module functions that the top level calls. The
    /// message names the shortest cycle through the statement, module by module, with lines.
    ///
    /// ## Why is this bad?
    /// Python runs a module's top level once, at the first import that misses `sys.modules`,
    /// and puts the module in `sys.modules` *before* running it. In a cycle, the module that
    /// starts first is still half-initialised when the other one imports it back: the second
    /// module sees only the names bound so far. Whether that crashes depends on which module is
    /// imported first and on statement order, so a cycle that works today breaks when someone
    /// adds an import elsewhere or reorders a file. MC002 reports the cycles that do crash.
    ///
    /// ## Example
    /// ```python
    /// # models.py
    /// from services import save
    ///
    /// class User: ...
    ///
    /// # services.py
    /// from models import User
    ///
    /// def save(user: User): ...
    /// ```
    ///
    /// ## How to fix
    /// Move the shared code into a third module that both import, import lazily inside the
    /// function that needs the name, or, when the import is only for annotations, put it under
    /// `if TYPE_CHECKING:`.
    ///
    /// ## What it does not flag
    /// Imports under `if TYPE_CHECKING:`, under `if __name__ == "__main__":`, in statically false
    /// branches, and in functions that are not called at import time: they cannot take part in
    /// an import-time cycle.
    code: "MC001", name: "import-cycle", severity: Warning,
    summary: "an import statement that is an edge of a runtime import cycle",
    check: check,
};

/// The findings of one import graph, kept with the summaries of the files in its cycles, which
/// their messages quote: the graph outlives every edit that changes no import, and formatting
/// the findings of every cycle again after each keystroke was a tenth of an analysis.
#[derive(Default)]
struct Kept {
    graph: u64,
    read: Vec<Arc<FileSummary>>,
    findings: Vec<Arc<Diagnostic>>,
}

fn check(ctx: &RuleContext, out: &mut Findings) {
    let graph = ctx.graph;
    let files: BTreeSet<usize> = graph
        .shortest_cycles()
        .iter()
        .flat_map(|(&(from, _), cycle)| std::iter::once(from).chain(cycle.iter().map(|&e| graph.edges[e].from)))
        .collect();
    let read: Vec<Arc<FileSummary>> = files.iter().filter_map(|&node| ctx.project.summary(&graph.nodes[node]).cloned()).collect();
    let kept = ctx.project.kept::<Kept>(RULE.code);
    let mut kept = kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let same = kept.graph == graph.id
        && kept.read.len() == read.len()
        && kept.read.iter().zip(&read).all(|(was, now)| Arc::ptr_eq(was, now));
    if !same {
        let mut findings = Vec::new();
        cycle_findings(ctx, &mut findings);
        *kept = Kept { graph: graph.id, read, findings: findings.into_iter().map(Arc::new).collect() };
    }
    for finding in &kept.findings {
        out.push_shared(finding.clone());
    }
}

fn cycle_findings(ctx: &RuleContext, out: &mut Vec<Diagnostic>) {
    let graph = ctx.graph;
    // One finding per statement, with the shortest cycle through any of its edges (kept with
    // the graph, which outlives edits that change no import).
    for (&(from, import), cycle) in graph.shortest_cycles() {
        let path = &graph.nodes[from];
        let summary = ctx.project.summary(path).expect("graph nodes are project files");
        let stmt = summary.import(import);
        let names: Vec<String> = std::iter::once(ctx.project.display_name(path))
            .chain(cycle.iter().map(|&e| ctx.project.display_name(&graph.nodes[graph.edges[e].to])))
            .collect();
        let steps: Vec<String> = cycle
            .iter()
            .skip(1)
            .map(|&e| {
                let edge = &graph.edges[e];
                let from_path = &graph.nodes[edge.from];
                let line = ctx.project.summary(from_path).map(|s| s.import(edge.import).line).unwrap_or(0);
                format!("{from_path}:{line}")
            })
            .collect();
        let via = cycle
            .first()
            .and_then(|&e| graph.edges[e].via)
            .map(|f| format!(" (run at import time through `{}()`)", summary.functions[f as usize].name))
            .unwrap_or_default();
        let message = format!(
            "Import cycle: {}{via}. The cycle continues at {}; whichever of these modules is imported first is only partially initialised while the others run.",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" → "),
            steps.join(", then ")
        );
        let related = cycle
            .iter()
            .skip(1)
            .map(|&e| {
                let edge = &graph.edges[e];
                let from_path = &graph.nodes[edge.from];
                let range = ctx.project.summary(from_path).map(|s| s.import(edge.import).range).unwrap_or_default();
                Related {
                    path: from_path.clone(),
                    range,
                    message: format!(
                        "`{}` imports `{}` here",
                        ctx.project.display_name(from_path),
                        ctx.project.display_name(&graph.nodes[edge.to])
                    ),
                }
            })
            .collect();
        out.push(ctx.diagnostic(&RULE, path, stmt.range, message, related));
    }
}
