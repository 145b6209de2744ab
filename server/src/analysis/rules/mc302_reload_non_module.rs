use super::{reload_target, rule, ReloadTarget, Rule, RuleContext, Findings};
use crate::analysis::diagnostic::Related;
use crate::analysis::summary::state::ReloadArg;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags `importlib.reload(x)` where `x` is certainly not a module: a string
    /// (`importlib.reload("points")`), another literal, or a name bound to a class, function or
    /// variable (`from points import Point; importlib.reload(Point)`).
    ///
    /// ## Why is this bad?
    /// `reload` takes a module object that is already in `sys.modules` and runs its code again
    /// in place. Given anything else it raises `TypeError: reload() argument must be a module`,
    /// so the reload meant to pick up new code never happens — often in a code path (a
    /// development hot-reload, a test teardown) that is rarely exercised.
    ///
    /// ## Example
    /// ```python
    /// import importlib
    /// importlib.reload("points")      # TypeError
    ///
    /// from points import Point
    /// importlib.reload(Point)         # TypeError: Point is a class
    /// ```
    ///
    /// ## How to fix
    /// Pass the module object: `import points` then `importlib.reload(points)`, or
    /// `importlib.reload(sys.modules["points"])` when only the name is known. Afterwards, take
    /// names from the module again (`Point = points.Point`); see MC301.
    ///
    /// ## What it does not flag
    /// Names whose value cannot be known from the text (function parameters, results of
    /// calls), `sys.modules[…]` lookups, and names imported from outside the workspace.
    code: "MC302", name: "reload-non-module", severity: Error,
    summary: "importlib.reload given a string or a name that is not a module",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    let project = ctx.project;
    for (path, summary) in project.files() {
        for reload in &summary.state.reloads {
            let ReloadTarget::NotModule { what, defined } = reload_target(project, path, summary, reload) else { continue };
            let hint = match &reload.arg {
                ReloadArg::Str(text) => {
                    let name = text.trim_matches(|c| c == '"' || c == '\'');
                    format!(" Pass the module object instead: `import {name}` then `importlib.reload({name})`, or `importlib.reload(sys.modules[{text}])`.")
                }
                _ => " Reload the module it comes from, then take the name from the module again.".to_string(),
            };
            let message = format!(
                "`importlib.reload()` is given {what}, not a module: it raises `TypeError: reload() argument must be a module` and nothing is reloaded.{hint}"
            );
            let related = defined
                .map(|(file, range)| Related { path: file, range, message: "defined here; it is not a module".to_string() })
                .into_iter()
                .collect();
            out.push(ctx.diagnostic(&RULE, path, reload.range, message, related));
        }
    }
}
