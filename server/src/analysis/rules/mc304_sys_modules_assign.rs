use super::{check_each_file, rule, Rule, RuleContext, Findings};
use crate::analysis::summary::FileSummary;
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::graph::resolve_module;
use crate::analysis::modules::Spec;
use crate::analysis::summary::state::{ModuleKey, SysModulesKind};

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags writes into the module cache: `sys.modules[name] = obj` and
    /// `sys.modules.setdefault(name, obj)`. When the name is a first-party module, the message
    /// names the file that the write shadows.
    ///
    /// ## Why is this bad?
    /// `import name` looks in `sys.modules` first. After the write, every later import of
    /// `name`, anywhere in the process, returns `obj` and runs no file at all, while code that
    /// imported `name` before keeps the real module. Which one a module gets depends on import
    /// order, and a first-party `name.py` silently stops being used. It is a legitimate tool
    /// (lazy modules, test doubles, `sys.modules[__name__] = Wrapper()`), but one whose effect
    /// reaches far beyond the line that does it.
    ///
    /// ## Example
    /// ```python
    /// import sys
    ///
    /// class TestModule:
    ///     def __init__(self, name):
    ///         self.name = name
    ///
    /// sys.modules["test"] = TestModule("test")   # every later `import test` gets this object
    /// ```
    ///
    /// ## How to fix
    /// In tests, use `monkeypatch.setitem(sys.modules, "name", fake)` or
    /// `unittest.mock.patch.dict(sys.modules, {...})`, which restore the cache afterwards. In
    /// library code, keep the replacement explicit and documented, and make sure it runs before
    /// anything imports the real module.
    ///
    /// ## What it does not flag
    /// Reads of `sys.modules`, bulk `sys.modules.update(saved)` restores, and removals (MC303).
    code: "MC304", name: "sys-modules-assign", severity: Info,
    summary: "sys.modules[name] = obj: every later import of name gets obj",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    for op in &summary.state.sys_modules {
        if !matches!(op.kind, SysModulesKind::Set | SysModulesKind::SetDefault) {
            continue;
        }
        let mut related = Vec::new();
        let message = match &op.key {
            ModuleKey::Literal(name) => {
                let shadow = match resolve_module(project, name) {
                    Some(Spec::File { file, .. }) => {
                        related.push(Related {
                            path: file.clone(),
                            range: Default::default(),
                            message: format!("this file no longer runs as `{name}` once the entry is planted"),
                        });
                        format!(" The first-party {file} is shadowed: it never runs under that name after this.")
                    }
                    _ => String::new(),
                };
                format!("This plants an object in the module cache as `{name}`: from here on, every `import {name}` in the process gets it without running any file, while code that imported `{name}` earlier keeps the old module.{shadow}")
            }
            ModuleKey::OwnName => "This replaces this module in the module cache: every import that completes after this line gets the replacement object instead of the module, while code that already imported it keeps the module itself.".to_string(),
            ModuleKey::Expr(expr) => format!("This plants an object in the module cache under `{expr}`: every later import of that name gets it without running any file, while earlier importers keep the module they have."),
            ModuleKey::None => "This plants an object in the module cache: every later import of that name gets it without running any file.".to_string(),
        };
        out.push(ctx.diagnostic(&RULE, path, op.range, message, related));
    }
}
