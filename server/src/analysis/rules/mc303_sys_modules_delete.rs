use super::{check_each_file, rule, Rule, RuleContext, Findings};
use crate::analysis::summary::FileSummary;
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::graph::resolve_module;
use crate::analysis::modules::Spec;
use crate::analysis::summary::state::{ModuleKey, SysModulesKind};

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags every removal from the module cache: `del sys.modules[…]`, `sys.modules.pop(…)`,
    /// `sys.modules.popitem()` and `sys.modules.clear()`, wherever they run.
    ///
    /// ## Why is this bad?
    /// `sys.modules` is what makes a module exist once. Removing an entry does not unload
    /// anything: modules that already imported it keep the old module object, while the next
    /// `import` misses the cache and runs the file again, creating a second module with its own
    /// globals, its own classes and its own singletons. Objects created before and after no
    /// longer pass each other's `isinstance` checks, registries are split in two, and
    /// import-time side effects happen twice.
    ///
    /// ## Example
    /// ```python
    /// import sys
    /// import settings
    ///
    /// del sys.modules["settings"]
    /// import settings as fresh       # runs settings.py again: a second module
    /// assert fresh is not settings
    /// ```
    ///
    /// ## How to fix
    /// To re-run a module's code on purpose, prefer `importlib.reload(module)`, which reuses the
    /// module object (see MC301 for its limits). In tests, isolate state with `monkeypatch` or
    /// fixtures instead of re-importing; if a test must import a fresh copy, restore the entry
    /// afterwards (`monkeypatch.delitem(sys.modules, "m")` does both).
    ///
    /// ## What it does not flag
    /// Reads (`sys.modules.get(…)`, `name in sys.modules`, `sys.modules[name]`), and writes,
    /// which MC304 reports.
    code: "MC303", name: "sys-modules-delete", severity: Warning,
    summary: "del sys.modules[…], sys.modules.pop(…), sys.modules.clear()",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    for op in &summary.state.sys_modules {
        let what = match op.kind {
            SysModulesKind::Delete => "del sys.modules[…]",
            SysModulesKind::Pop => "sys.modules.pop(…)",
            SysModulesKind::PopItem => "sys.modules.popitem()",
            SysModulesKind::Clear => "sys.modules.clear()",
            SysModulesKind::Set | SysModulesKind::SetDefault => continue,
        };
        let mut related = Vec::new();
        let message = match (&op.key, op.kind) {
            (_, SysModulesKind::Clear) => "`sys.modules.clear()` empties the module cache: every later import runs its module's code again and creates new module objects, while code that imported them before keeps the old ones — two copies of every global, class and singleton.".to_string(),
            (ModuleKey::Literal(name), _) => {
                let what = match op.kind {
                    SysModulesKind::Pop => format!("sys.modules.pop('{name}')"),
                    _ => format!("del sys.modules['{name}']"),
                };
                if let Some(Spec::File { file, .. }) = resolve_module(project, name) {
                    related.push(Related { path: file.clone(), range: Default::default(), message: format!("the next `import {name}` runs this file again") });
                }
                format!("`{what}` removes `{name}` from the module cache: the next `import {name}` runs its code again and creates a second module object, while modules that imported `{name}` before keep the first — two copies of its globals and classes, and `isinstance` fails across them.")
            }
            (ModuleKey::OwnName, _) => format!("`{what}` removes this module from the module cache: the next import of it runs this file again and creates a second module object, while earlier importers keep the first — two copies of its globals and classes."),
            (ModuleKey::Expr(expr), _) => format!("`{what}` removes `{expr}` from the module cache: the next import of that module runs its code again and creates a second module object, while earlier importers keep the first — two copies of its globals and classes."),
            (ModuleKey::None, _) => format!("`{what}` removes an entry from the module cache: the next import of that module runs its code again, while earlier importers keep the old module object."),
        };
        out.push(ctx.diagnostic(&RULE, path, op.range, message, related));
    }
}
