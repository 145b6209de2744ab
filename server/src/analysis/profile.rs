//! What a module does when it is first imported, and who changes its names afterwards: the
//! facts behind the server's hovers, gathered with the same resolution the state rules use so
//! that a hover and a diagnostic never disagree about what a line does.

use std::collections::HashSet;

use super::project::Project;
use super::rules::mc105_import_time_singleton::instantiated_class;
use super::rules::{
    change_verb, first_at_each_place, function_label, import_time_effects, is_main_module_file, reload_target,
    resolve_mutation, stale_imports, ReloadTarget, StaleImport,
};
use super::summary::state::{EffectKind, Guard, MutationKind, NameRef, Reload, Value};
use super::summary::{FileSummary, ImportKind};

/// The import-time behaviour of one module's top level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportProfile {
    /// Calls with an effect that run at import time, in source order.
    pub effects: Vec<ProfileEffect>,
    /// Module-level names bound to mutable containers, which every importer shares.
    pub mutable: Vec<ProfileBinding>,
    /// Module-level names bound to a new instance of a class: import-time singletons.
    pub singletons: Vec<ProfileBinding>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileEffect {
    pub kind: EffectKind,
    /// What runs, as the rules name it (`time.sleep()`, `os.environ[…]`).
    pub what: String,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileBinding {
    pub name: String,
    /// The container kind (`dict`) or the class instantiated (`DatabaseService`).
    pub kind: String,
    pub line: u32,
}

/// The import-time profile of the module in `path`.
pub fn import_profile(project: &Project, path: &str, summary: &FileSummary) -> ImportProfile {
    let mut profile = ImportProfile::default();
    for (effect, _) in import_time_effects(project, path, summary, |_| true) {
        profile.effects.push(ProfileEffect {
            kind: effect.kind,
            what: effect.what.clone(),
            line: summary.line_number(effect.range.start),
        });
    }
    if is_main_module_file(path) {
        return profile;
    }
    let mut seen = HashSet::new();
    for binding in &summary.state.bindings {
        if binding.class.is_some() || binding.guard != Guard::Runs || binding.name.starts_with("__") {
            continue;
        }
        if !seen.insert(binding.name.as_str()) {
            continue;
        }
        let line = summary.line_number(binding.range.start);
        match &binding.value {
            Value::Mutable { kind } => {
                profile.mutable.push(ProfileBinding { name: binding.name.clone(), kind: kind.clone(), line })
            }
            Value::Call { callee, written } => {
                if let Some(class) = instantiated_class(project, path, summary, callee, written) {
                    profile.singletons.push(ProfileBinding { name: binding.name.clone(), kind: class, line });
                }
            }
            Value::Immutable | Value::Other => {}
        }
    }
    profile
}

/// A place that changes a module-level name's object or rebinds the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameChange {
    pub path: String,
    pub line: u32,
    /// The function that does it (`put`, `Cart.add`), when it is in one.
    pub function: Option<String>,
    /// "appends to", "sets an item of", "sets `.x` on"….
    pub verb: String,
    /// It runs at the module's own top level (initialisation rather than a later change).
    pub top_level: bool,
}

/// Every first-party place that changes the global `name` of the module in `path` (its object
/// in place, or its binding through `module.name = …`), in path and line order. Attributes of
/// the object (`name.attr[k] = v`) count as changes of the object.
pub fn name_changes(project: &Project, path: &str, name: &str) -> Vec<NameChange> {
    let mut changes = Vec::new();
    for (file, summary) in project.files() {
        // Only sites that can mention the name are resolved: directly, as an attribute of a
        // module, or under an alias of `from m import name as alias`.
        let aliases: Vec<&str> = summary
            .imports
            .iter()
            .flat_map(|stmt| match &stmt.kind {
                ImportKind::From { names, .. } => {
                    names.iter().filter(|n| n.name == name).map(|n| n.bound_name()).collect::<Vec<_>>()
                }
                _ => Vec::new(),
            })
            .collect();
        for mutation in first_at_each_place(summary.state.mutations.iter()) {
            let target = &mutation.target;
            let mentions = target.base == name
                || aliases.contains(&target.base.as_str())
                || target.attrs.iter().any(|a| a == name)
                || matches!(&mutation.kind, MutationKind::SetAttr(a) | MutationKind::DelAttr(a) if a == name);
            if !mentions || !matches!(target.base_ref, NameRef::Global | NameRef::LocalImport(_)) {
                continue;
            }
            if matches!(mutation.scope.guard, Guard::TypeChecking | Guard::StaticallyFalse) {
                continue;
            }
            let Some(state) = resolve_mutation(project, file, summary, mutation) else { continue };
            if state.file != path || state.name != name {
                continue;
            }
            // `state.USERS = []` replaces the module's binding rather than changing its object.
            let verb = match (&mutation.kind, state.rebinds && state.attrs.is_empty()) {
                (MutationKind::DelAttr(_), true) => "deletes".to_string(),
                (_, true) => "rebinds".to_string(),
                (_, false) => change_verb(mutation),
            };
            changes.push(NameChange {
                path: file.to_string(),
                line: summary.line_number(mutation.range.start),
                function: function_label(summary, mutation.range.start),
                verb,
                top_level: mutation.scope.function.is_none(),
            });
        }
    }
    changes.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    changes
}

/// What one `importlib.reload(…)` call refreshes and what it leaves as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReloadProfile {
    /// The argument names a module.
    Module {
        /// The module, by dotted name.
        module: String,
        /// Its first-party file, when it has one.
        file: Option<String>,
        /// Names taken with `from module import …` that keep the objects of the first run, in
        /// path and line order: in the reloading file those bound at module level (or earlier
        /// in the reloading function) before the call and not bound again after it, in other
        /// files every `from` import outside functions (class bodies included): what MC301
        /// reports ([`stale_imports`]).
        stale: Vec<StaleImport>,
        /// First-party submodules of a reloaded package, whose code does not run again.
        submodules: Vec<String>,
    },
    /// The argument is certainly not a module ("the string 'points'"): the call raises.
    NotModule { what: String },
    /// The argument cannot be followed statically.
    Unknown,
}

/// The reload profile of `reload`, a call in the file `path`.
pub fn reload_profile(project: &Project, path: &str, summary: &FileSummary, reload: &Reload) -> ReloadProfile {
    let module = match reload_target(project, path, summary, reload) {
        ReloadTarget::Module(module) => module,
        ReloadTarget::NotModule { what, .. } => return ReloadProfile::NotModule { what },
        ReloadTarget::Unknown => return ReloadProfile::Unknown,
    };
    let stale = stale_imports(project, path, reload, &module);
    let prefix = format!("{module}.");
    let file = project.files().map(|(p, _)| p).find(|p| project.module_name(p).as_deref() == Some(module.as_str()));
    let submodules = project
        .files()
        .filter_map(|(p, _)| project.module_name(p))
        .filter(|name| name.starts_with(&prefix))
        .collect();
    ReloadProfile::Module { module, file: file.map(str::to_string), stale, submodules }
}
