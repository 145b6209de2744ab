//! What a module does when it is first imported, and who changes its names afterwards: the
//! facts behind the server's hovers, gathered with the same resolution the state rules use so
//! that a hover and a diagnostic never disagree about what a line does.

use std::collections::HashSet;

use super::project::Project;
use super::rules::mc105_import_time_singleton::instantiated_class;
use super::rules::{
    change_verb, first_at_each_place, function_label, import_time_effects, is_main_module_file, resolve_mutation,
};
use super::summary::state::{EffectKind, Guard, MutationKind, NameRef, Value};
use super::summary::FileSummary;

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
                super::summary::ImportKind::From { names, .. } => {
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
