use std::collections::{BTreeMap, BTreeSet};

use super::{rule, Rule, RuleContext, Findings};
use crate::analysis::diagnostic::Related;
use crate::analysis::simulate::{LoadOrder, Site};

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags an import of the file that the program runs as its script (a configured entry, a
    /// file with an `if __name__ == "__main__":` guard, or a package's `__main__.py`) from a
    /// module that the same run loads, at import time or in a function.
    ///
    /// ## Why is this bad?
    /// `python main.py` runs main.py as the module `__main__`. `sys.modules` knows it only under
    /// that name, so a later `import main` misses the cache and runs the file *again* as a
    /// second module named `main`. Its top level runs twice, and every global exists twice:
    /// a registry filled by `__main__` is empty in `main`, a singleton is created twice, and
    /// `isinstance` checks fail between the two copies of each class.
    ///
    /// ## Example
    /// ```python
    /// # main.py
    /// import app
    /// handlers = []
    /// if __name__ == "__main__":
    ///     app.run()
    ///
    /// # app.py
    /// from main import handlers   # runs main.py a second time, as `main`
    /// ```
    ///
    /// ## How to fix
    /// Keep the script thin: move the state and functions that other modules need out of the
    /// script into a module that both import, and let the script only call into it.
    ///
    /// ## What it does not flag
    /// Imports of a script from modules that its run never loads, and imports under
    /// `if TYPE_CHECKING:`.
    code: "MC003", name: "main-module-reimported", severity: Warning,
    summary: "an import of the module that runs as __main__, so its code runs twice",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    // What each run re-imports depends on the run, the graph and the summaries of the importing
    // files, so it is kept from one analysis to the next while those stay the same.
    let per_order = ctx.project.per_item(RULE.code, ctx.graph.id, ctx.entry_orders, |order| reimports(ctx, order));
    let mut found: BTreeMap<Site, (String, String, String)> = BTreeMap::new();
    for reimports in &per_order {
        for (site, finding) in reimports.iter() {
            found.entry(site.clone()).or_insert_with(|| finding.clone());
        }
    }
    for (site, (main, module, command)) in found {
        let message = format!(
            "`{main}` runs as `__main__` under `{command}`; this import runs the same file a second time as `{module}`, with its own copy of every global, class and object it creates."
        );
        let related = ctx
            .project
            .summary(&main)
            .and_then(|s| s.main_guard)
            .map(|range| Related {
                path: main.clone(),
                range,
                message: format!("`{main}` is run as a script (this block runs only as `__main__`)"),
            })
            .into_iter()
            .collect();
        out.push(ctx.diagnostic(&RULE, &site.path, site.range, message, related));
    }
}

/// The import sites that run the main file of `order` a second time, in the order found, each
/// with the main file, the module name it runs under there and the command.
fn reimports(ctx: &RuleContext, order: &LoadOrder) -> Vec<(Site, (String, String, String))> {
    let mut found = Vec::new();
    let Some(main) = ctx.graph.main_file(ctx.project, &order.entry) else { return found };
    let command = order.entry.command();
    // Import-time re-runs, exactly as the simulation saw them.
    for step in &order.steps {
        if *step.path == *main && &*step.module != "__main__" {
            if let Some(site) = &step.imported_from {
                found.push((site.clone(), (main.clone(), step.module.to_string(), command.clone())));
            }
        }
    }
    // Imports in functions of the modules this run loads re-run it when they are called
    // (the graph knows every import that resolves to the file).
    let importers = ctx.graph.importers(&main);
    if importers.is_empty() {
        return found;
    }
    let loaded: BTreeSet<&str> = order.steps.iter().map(|s| &*s.path).collect();
    for &(node, import) in importers {
        let path = ctx.graph.nodes[node].as_str();
        // Only the summaries of loaded files are read, so that only their changes count.
        if !loaded.contains(path) {
            continue;
        }
        let Some(stmt) = ctx.project.summary(path).map(|s| s.import(import)) else { continue };
        if stmt.context.type_checking || stmt.context.statically_false {
            continue;
        }
        let site = Site { path: path.into(), range: stmt.range, line: stmt.line };
        let module = ctx.project.display_name(&main);
        found.push((site, (main.clone(), module, command.clone())));
    }
    found
}
