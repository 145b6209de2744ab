use super::{
    check_each_file,
    change_verb, first_at_each_place, function_label, is_test_file, module_global, resolve_mutation, rule,
    state_change, state_display, Findings, Global, Rule, RuleContext, StateChange,
};
use crate::analysis::summary::FileSummary;
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::summary::state::{Guard, NameRef};

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags a statement that changes another first-party module's global state: it rebinds
    /// one of its globals (`other.x = 1`, `del other.x`), mutates one of its containers
    /// (`other.cache[k] = v`, `from other import cache; cache.append(…)`, `import pkg.other as
    /// o; o.cache.clear()`), or changes a class attribute of a class defined there
    /// (`from other import Config; Config.settings["debug"] = True`). Names are followed through
    /// imports, aliases and package re-exports to the module that owns the state.
    ///
    /// ## Why is this bad?
    /// A module runs once and is cached in `sys.modules`; its globals and classes are shared by
    /// every module that imports it. A change made from outside is therefore a change for the
    /// whole process, invisible at the place where the state is defined and dependent on import
    /// order: code that ran before this statement saw the old value, code after sees the new
    /// one. Rebinding a global is worse: `other.x` changes, but every `from other import x`
    /// taken earlier keeps the old object.
    ///
    /// ## Example
    /// ```python
    /// # config.py
    /// class Config:
    ///     settings = {}
    ///
    /// # app.py
    /// from config import Config
    /// Config.settings["debug"] = True   # changes the settings of every importer
    /// ```
    ///
    /// ## How to fix
    /// Let the owning module expose a function that makes the change (`config.enable_debug()`),
    /// so the state has one owner and one place to look; or pass configuration explicitly
    /// instead of sharing a module-level object. In tests, use `monkeypatch` (see MC401).
    ///
    /// ## What it does not flag
    /// Changes to the module's own state (MC101), changes made in test files (MC401 reports
    /// those, unless they are undone), attributes of instances that another module created
    /// (`from app import app; app.config[…] = …`), and modules that are not first-party.
    code: "MC102", name: "cross-module-mutation", severity: Warning,
    summary: "a statement that mutates or rebinds another module's global state",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    if is_test_file(project, path, summary) {
        return;
    }
    for mutation in first_at_each_place(summary.state.mutations.iter()) {
        if !matches!(mutation.target.base_ref, NameRef::Global | NameRef::LocalImport(_))
            || matches!(mutation.scope.guard, Guard::TypeChecking | Guard::StaticallyFalse)
        {
            continue;
        }
        let Some(state) = resolve_mutation(project, path, summary, mutation) else { continue };
        if state.file == path {
            continue;
        }
        let Some(owner) = project.summary(&state.file) else { continue };
        let Some(change) = state_change(owner, &state, mutation) else { continue };
        let target = state_display(project, &state);
        let owner_module = project.display_name(&state.file);
        let here = project.display_name(path);
        let when = match function_label(summary, mutation.range.start) {
            Some(function) if mutation.scope.function.is_some() => format!("whenever `{function}()` runs"),
            _ if mutation.scope.function.is_some() => "whenever the lambda runs".to_string(),
            _ => format!("when `{here}` is first imported"),
        };
        let message = match &change {
            StateChange::RebindGlobal => format!(
                "This rebinds `{target}`, a global of `{owner_module}`, {when}. `{owner_module}` is cached in `sys.modules`, so every later `{target}` read sees the new value, while names taken earlier with `from {owner_module} import {}` keep the old one.",
                state.name
            ),
            StateChange::RebindClassAttr(class) => format!(
                "This rebinds `{target}`, an attribute of the class `{}` that `{owner_module}` creates once at import, {when}: the class is shared through the module cache, so every importer and every instance sees the change.",
                class.name
            ),
            StateChange::InPlace { kind, .. } => {
                let what = kind.as_ref().map(|k| format!("the {k} ")).unwrap_or_default();
                format!(
                    "This {} {what}`{target}`, which belongs to `{owner_module}`, {when}: `{owner_module}` runs once and is cached in `sys.modules`, so every module that imports it shares that object and sees the change.",
                    change_verb(mutation)
                )
            }
        };
        let mut related = Vec::new();
        match module_global(owner, &state.name) {
            Some(Global::Value(binding)) => related.push(Related {
                path: state.file.clone(),
                range: binding.range,
                message: format!("`{}` is created here, once, when `{owner_module}` is first imported", state.name),
            }),
            Some(Global::Class(class)) => {
                let attr = state.attrs.first().and_then(|a| {
                    owner.state.bindings.iter().find(|b| b.class == Some(class.range) && &b.name == a)
                });
                related.push(match attr {
                    Some(binding) => Related {
                        path: state.file.clone(),
                        range: binding.range,
                        message: format!("`{}.{}` is created here, when the class body runs at import", class.name, binding.name),
                    },
                    None => Related {
                        path: state.file.clone(),
                        range: class.name_range,
                        message: format!("`{}` is defined here", class.name),
                    },
                });
            }
            _ => {}
        }
        out.push(ctx.diagnostic(&RULE, path, mutation.range, message, related));
    }
}
