use super::{is_test_file, list_sites, reload_target, rule, stale_imports, stale_imports_in, ReloadTarget, Rule, RuleContext, Findings};
use crate::analysis::diagnostic::Related;
use crate::analysis::text::TextRange;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags `importlib.reload(m)` when the same file holds names taken with `from m import …`
    /// (at module level, or earlier in the same function) that are not imported again after the
    /// reload. Other first-party modules that take names from `m` are listed as related
    /// locations.
    ///
    /// ## Why is this bad?
    /// `reload` runs the module's code again *in the same module object*: `m.Point` now names a
    /// new class. It does not touch anything else. `from m import Point` copied a reference to
    /// the old class into the importer's namespace, and that reference stays: code using
    /// `Point` keeps creating old objects, `isinstance(new_obj, Point)` is False, and fixes
    /// picked up by the reload never reach it. The module cache now holds one version and the
    /// importers another.
    ///
    /// ## Example
    /// ```python
    /// import importlib
    /// import points
    /// from points import Point
    ///
    /// importlib.reload(points)
    /// p = Point(1, 2)          # the class from before the reload
    /// isinstance(p, points.Point)   # False
    /// ```
    ///
    /// ## How to fix
    /// Use the module's attributes (`points.Point`), which follow the reload, or repeat the
    /// `from points import Point` right after the reload. Better still, restart the process:
    /// reloading is only safe for modules that nothing else holds references into.
    ///
    /// ## What it does not flag
    /// Reloads of modules from which the file takes no names, names imported again after the
    /// reload, and `from` imports inside other functions (they run again on each call).
    code: "MC301", name: "reload-stale-binding", severity: Warning,
    summary: "importlib.reload(m) while names taken with `from m import …` stay bound to the old objects",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    let project = ctx.project;
    for (path, summary) in project.files() {
        for reload in &summary.state.reloads {
            let ReloadTarget::Module(module) = reload_target(project, path, summary, reload) else { continue };
            let own = stale_imports_in(project, std::iter::once((path, summary)), path, reload, &module);
            if !own.iter().any(|import| import.names.iter().any(|n| n != "*")) {
                continue;
            }
            let stale = stale_imports(project, path, reload, &module);
            // The names this file took before the reload; a star import's names are unknown.
            let here: Vec<(&str, u32, TextRange)> = stale
                .iter()
                .filter(|import| import.path == path)
                .flat_map(|import| import.names.iter().filter(|n| *n != "*").map(move |n| (n.as_str(), import.line, import.range)))
                .collect();
            if here.is_empty() {
                continue;
            }
            let names: Vec<String> = here.iter().map(|(n, _, _)| format!("`{n}`")).collect();
            let (verb, pronoun) = if names.len() == 1 { ("still refers", "it") } else { ("still refer", "them") };
            let lines: Vec<String> = here.iter().map(|(_, line, _)| format!("{line}")).collect();
            let message = format!(
                "`importlib.reload({module})` runs `{module}` again and rebinds the names in its module object, but {} (taken with `from {module} import …` at line {}) {verb} to the objects of the first run: code using {pronoun} keeps the old classes and functions, and `isinstance` checks between old and new objects fail.",
                list_sites(&names, 4),
                list_sites(&lines, 4)
            );
            let mut related: Vec<Related> = here
                .iter()
                .map(|(name, _, range)| Related { path: path.to_string(), range: *range, message: format!("`{name}` is bound here to the object from before the reload") })
                .collect();
            // Other modules hold names from before the reload too: their first such statement.
            let mut previous: Option<&str> = None;
            for import in stale.iter().filter(|import| import.path != path) {
                if previous == Some(import.path.as_str()) {
                    continue;
                }
                previous = Some(import.path.as_str());
                let other = import.path.as_str();
                if related.len() >= 6 || project.summary(other).is_some_and(|s| is_test_file(project, other, s)) {
                    continue;
                }
                related.push(Related {
                    path: other.to_string(),
                    range: import.range,
                    message: format!("`{}` also keeps names from `{module}` that the reload does not update", project.display_name(other)),
                });
            }
            out.push(ctx.diagnostic(&RULE, path, reload.range, message, related));
        }
    }
}
