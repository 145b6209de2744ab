use super::{is_test_file, list_sites, reload_target, rule, ReloadTarget, Rule, RuleContext};
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::graph::absolute_base;
use crate::analysis::summary::ImportKind;

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

fn check(ctx: &RuleContext, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    for (path, summary) in project.files() {
        for reload in &summary.state.reloads {
            let ReloadTarget::Module(module) = reload_target(project, path, summary, reload) else { continue };
            let function = reload.scope.function;
            let mut stale: Vec<(String, u32, crate::analysis::text::TextRange)> = Vec::new();
            for stmt in &summary.imports {
                let ImportKind::From { level, module: from, names, .. } = &stmt.kind else { continue };
                if absolute_base(project, path, *level, from.as_deref()).as_deref() != Some(module.as_str()) {
                    continue;
                }
                let module_level = stmt.context.in_function.is_none() && !stmt.context.in_class;
                let same_function = function.is_some_and(|f| f.start <= stmt.range.start && stmt.range.end <= f.end)
                    && stmt.range.end <= reload.range.start;
                if !(module_level && (function.is_some() || stmt.range.end <= reload.range.start)) && !same_function {
                    continue;
                }
                for name in names {
                    let bound = name.bound_name().to_string();
                    if !reload.rebound_after.contains(&bound) && !stale.iter().any(|(n, _, _)| *n == bound) {
                        stale.push((bound, stmt.line, stmt.range));
                    }
                }
            }
            if stale.is_empty() {
                continue;
            }
            let names: Vec<String> = stale.iter().map(|(n, _, _)| format!("`{n}`")).collect();
            let (verb, pronoun) = if names.len() == 1 { ("still refers", "it") } else { ("still refer", "them") };
            let lines: Vec<String> = stale.iter().map(|(_, line, _)| format!("{line}")).collect();
            let message = format!(
                "`importlib.reload({module})` runs `{module}` again and rebinds the names in its module object, but {} (taken with `from {module} import …` at line {}) {verb} to the objects of the first run: code using {pronoun} keeps the old classes and functions, and `isinstance` checks between old and new objects fail.",
                list_sites(&names, 4),
                list_sites(&lines, 4)
            );
            let mut related: Vec<Related> = stale
                .iter()
                .map(|(name, _, range)| Related { path: path.to_string(), range: *range, message: format!("`{name}` is bound here to the object from before the reload") })
                .collect();
            // Other modules hold names from before the reload too.
            for (other, other_summary) in project.files() {
                if other == path || is_test_file(project, other, other_summary) || related.len() >= 6 {
                    continue;
                }
                for stmt in &other_summary.imports {
                    let ImportKind::From { level, module: from, .. } = &stmt.kind else { continue };
                    if stmt.context.in_function.is_none()
                        && absolute_base(project, other, *level, from.as_deref()).as_deref() == Some(module.as_str())
                    {
                        related.push(Related {
                            path: other.to_string(),
                            range: stmt.range,
                            message: format!("`{}` also keeps names from `{module}` that the reload does not update", project.display_name(other)),
                        });
                        break;
                    }
                }
            }
            out.push(ctx.diagnostic(&RULE, path, reload.range, message, related));
        }
    }
}
