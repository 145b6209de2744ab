use super::{check_each_file, function_label, initialisation_functions, list_sites, rule, Rule, RuleContext, Findings};
use crate::analysis::summary::FileSummary;
use crate::analysis::diagnostic::{Diagnostic, Related};

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags a `global` statement in a function that then rebinds the declared module global
    /// (assignment, augmented assignment, `for`, `import`, `del`), unless the function only runs
    /// at import time (called from the module's top level).
    ///
    /// ## Why is this bad?
    /// A module exists once per process, cached in `sys.modules`, so its globals are state
    /// shared by every importer. Rebinding one from a function changes what `module.name` means
    /// for everybody, from the moment the function runs: behaviour now depends on whether and
    /// when it was called. Names taken earlier with `from module import name` keep the old
    /// object, so two parts of the program can disagree about the same global. Tests that call
    /// the function leak the new value into later tests.
    ///
    /// ## Example
    /// ```python
    /// _connection = None
    ///
    /// def connect(url):
    ///     global _connection
    ///     _connection = open_connection(url)   # every importer's `_connection` changes
    /// ```
    ///
    /// ## How to fix
    /// Keep the state in an object that owns it (a class instance created by the caller), or
    /// make a lazily created singleton explicit: `functools.cache` on a `get_connection()`
    /// function, which also offers `cache_clear()` for tests.
    ///
    /// ## What it does not flag
    /// `global` declarations whose names the function only reads or mutates in place (MC101
    /// covers mutation), and functions that the module's top level calls, whose rebinding is
    /// part of initialisation.
    code: "MC104", name: "global-rebinding", severity: Info,
    summary: "a `global` statement in a function that rebinds a module global",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    if summary.state.globals.iter().all(|g| g.rebinds.is_empty()) {
        return;
    }
    let import_time = initialisation_functions(project, summary);
    let module = project.display_name(path);
    for decl in &summary.state.globals {
        if decl.rebinds.is_empty() || import_time.contains_key(&decl.function) {
            continue;
        }
        let function = function_label(summary, decl.range.start).unwrap_or_default();
        let names: Vec<String> = decl.rebinds.iter().map(|(n, _)| format!("`{n}`")).collect();
        let (noun, pronoun) = if names.len() == 1 { ("global", "its") } else { ("globals", "their") };
        let message = format!(
            "`{function}()` rebinds the module {noun} {} of `{module}`: the module is created once and cached, so from the moment `{function}()` runs every importer reading `{module}.{}` sees the new value, while names taken earlier with `from {module} import …` keep {pronoun} old value.",
            list_sites(&names, 4),
            decl.rebinds[0].0,
        );
        let related = decl
            .rebinds
            .iter()
            .map(|(name, range)| Related { path: path.to_string(), range: *range, message: format!("`{name}` is rebound here") })
            .collect();
        out.push(ctx.diagnostic(&RULE, path, decl.range, message, related));
    }
}
