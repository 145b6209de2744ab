use std::collections::BTreeMap;

use super::{rule, Rule, RuleContext, Findings};
use crate::analysis::diagnostic::Related;
use crate::analysis::modules::ModuleTree;
use crate::analysis::summary::ImportKind;
use crate::analysis::text::TextRange;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags line 1 of a first-party top-level module (or package `__init__.py`) whose name is
    /// also the name of a standard-library module that the workspace imports.
    ///
    /// ## Why is this bad?
    /// The script's folder comes first on `sys.path`, before the standard library. If the
    /// standard-library module is not already in `sys.modules`, `import random` finds the
    /// project's `random.py` instead, and so does every standard-library module that imports
    /// `random` internally, which then fails in confusing ways. If the standard-library module
    /// *is* already loaded at start-up (`os`, `sys`, and whatever `site` imports), the cache wins
    /// and the project's file is silently never used under that name. Either way, one name
    /// means two different modules depending on the machine and the import order.
    ///
    /// ## Example
    /// ```python
    /// # random.py (the project's)
    /// def pick(items): ...
    ///
    /// # app.py
    /// import random          # the project's random.py, not the standard library's
    /// random.shuffle(deck)   # AttributeError
    /// ```
    ///
    /// ## How to fix
    /// Rename the module (`random_utils.py`), or move it into a package so that its name is
    /// qualified (`myapp.random`).
    ///
    /// ## What it does not flag
    /// Modules inside packages (their name is qualified), names that nothing in the workspace
    /// imports, and a workspace that is itself the standard library or site-packages.
    code: "MC004", name: "stdlib-shadowing", severity: Warning,
    summary: "a first-party module named like a standard-library module that the workspace imports",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    let project = ctx.project;
    if project.workspace_is_library {
        return;
    }
    // Top-level names imported absolutely anywhere in the workspace, with the first site.
    let mut imported: BTreeMap<String, (String, TextRange, u32)> = BTreeMap::new();
    for (path, summary) in project.files() {
        for stmt in &summary.imports {
            let names: Vec<&str> = match &stmt.kind {
                ImportKind::Import { modules } => modules.iter().map(|m| m.dotted.as_str()).collect(),
                ImportKind::From { level: 0, module: Some(module), .. } => vec![module.as_str()],
                ImportKind::Dynamic { module, .. } if !module.starts_with('.') => vec![module.as_str()],
                _ => Vec::new(),
            };
            for name in names {
                let top = name.split('.').next().unwrap_or(name).to_string();
                imported.entry(top).or_insert_with(|| (path.to_string(), stmt.range, stmt.line));
            }
        }
    }
    let roots = project.check_sys_path();
    for (path, summary) in project.files() {
        let Some(name) = roots.iter().find_map(|root| ModuleTree::module_name(path, root)) else { continue };
        if name.contains('.') || !project.env.is_stdlib(&name) {
            continue;
        }
        let Some((import_path, import_range, import_line)) = imported.get(&name) else { continue };
        let message = if project.env.is_unshadowable(&name) {
            format!(
                "`{path}` is named like the standard library's `{name}`, which Python has already loaded (or built in) before your code starts: `import {name}` ({import_path}:{import_line}) gets the standard library's module from the cache, and this file never runs under that name."
            )
        } else {
            format!(
                "`{path}` shadows the standard library's `{name}`: its folder comes first on sys.path, so `import {name}` ({import_path}:{import_line}) runs this file instead, and so does every standard-library module that imports `{name}`."
            )
        };
        // A file-level finding: an empty range at the start of line 1, as ruff does.
        let _ = summary;
        let range = TextRange { start: 0, end: 0 };
        let related = vec![Related {
            path: import_path.clone(),
            range: *import_range,
            message: format!("`{name}` is imported here"),
        }];
        out.push(ctx.diagnostic(&RULE, path, range, message, related));
    }
}
