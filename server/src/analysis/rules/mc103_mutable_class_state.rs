use std::collections::BTreeMap;

use super::{
    change_verb, class_chain, first_at_each_place, function_label, initialisation_functions, is_test_file,
    list_sites, mutable_kind, resolve_mutation, rule, runs_on_import, Rule, RuleContext, Findings,
};
use crate::analysis::diagnostic::Related;
use crate::analysis::project::Project;
use crate::analysis::summary::state::{Binding, ClassFacts, Guard, NameRef};
use crate::analysis::summary::FileSummary;
use crate::analysis::text::TextRange;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags a class attribute bound to a mutable container (`items = []` in a class body) that
    /// is mutated through the class or its instances after import time: `self.items.append(x)`
    /// in a method (when no method assigns `self.items`), `cls.items[k] = v` in a classmethod,
    /// `Cart.items.clear()` in a function, or the same from another module.
    ///
    /// ## Why is this bad?
    /// A class body runs once, when its module is first imported, and the class is cached with
    /// the module. An attribute bound in the body is one object stored on the class; instances
    /// do not get copies. `self.items.append(x)` looks up `items` on the instance, does not find
    /// it, falls back to the class, and appends to the list that every instance — and every
    /// subclass, and every other importer — shares. The second `Cart()` starts with the first
    /// one's items.
    ///
    /// ## Example
    /// ```python
    /// class Cart:
    ///     items = []
    ///
    ///     def add(self, item):
    ///         self.items.append(item)   # every Cart shares one list
    /// ```
    ///
    /// ## How to fix
    /// Create per-instance state in `__init__` (`self.items = []`), or use
    /// `dataclasses.field(default_factory=list)`. If the sharing is intended (a registry),
    /// say so with `ClassVar` and a classmethod that owns the changes, and suppress the finding.
    ///
    /// ## What it does not flag
    /// Attributes that an instance shadows (`self.items = …` in any method of the class),
    /// dataclass and model fields (annotated attributes of decorated or derived classes, unless
    /// annotated `ClassVar`), `field(default_factory=…)`, immutable values (tuples, frozensets,
    /// strings), initialisation in the class body or at module level, and changes made by test
    /// files.
    code: "MC103", name: "mutable-class-state", severity: Warning,
    summary: "a mutable class attribute mutated through the class or its instances",
    check: check,
};

#[derive(Clone)]
struct Mutator {
    path: String,
    range: TextRange,
    line: u32,
    message: String,
}

/// Whether an annotated attribute is a field declaration that the class machinery copies per
/// instance (dataclasses, attrs, pydantic, ORM models) rather than class state.
fn is_field_declaration(binding: &Binding, class: &ClassFacts) -> bool {
    match &binding.annotation {
        Some(annotation) => {
            !annotation.contains("ClassVar") && (!class.decorators.is_empty() || !class.bases.is_empty())
        }
        None => false,
    }
}

/// The mutable class attribute `attr` that `class` (or a base class in the same file) binds.
fn class_attr<'a>(summary: &'a FileSummary, class: &'a ClassFacts, attr: &str) -> Option<(&'a ClassFacts, &'a Binding)> {
    let chain = class_chain(summary, class);
    if chain.iter().any(|c| c.instance_attrs.iter().any(|a| a == attr)) {
        return None;
    }
    chain.into_iter().find_map(|c| {
        summary.state.bindings.iter().find(|b| b.class == Some(c.range) && b.name == attr).map(|b| (c, b))
    })
}

fn check(ctx: &RuleContext, out: &mut Findings) {
    let project = ctx.project;
    // (file, class attribute binding range) → places that mutate it. Where each file mutates
    // class state depends only on its summary and on those that resolving its names reads, so
    // it is kept from one analysis to the next; the grouping borrows from the kept lists
    // rather than copying every mutator of the workspace (as MC101's does).
    let per_file = project.per_file(RULE.code, |path, summary| {
        Some(mutators_in(project, path, summary)).filter(|found| !found.is_empty())
    });
    let mut found: BTreeMap<&(String, TextRange), Vec<&Mutator>> = BTreeMap::new();
    for (attr, mutator) in per_file.iter().flat_map(|mutators| mutators.iter()) {
        found.entry(attr).or_default().push(mutator);
    }
    for ((path, binding_range), mutators) in found {
        let Some(summary) = project.summary(path) else { continue };
        let Some(binding) = summary.state.bindings.iter().find(|b| b.range == *binding_range) else { continue };
        let Some(class) = summary.state.classes.iter().find(|c| Some(c.range) == binding.class) else { continue };
        let Some(kind) = mutable_kind(&binding.value) else { continue };
        if (binding.name.starts_with("__") && binding.name.ends_with("__")) || is_field_declaration(binding, class) {
            continue;
        }
        let sites: Vec<String> = mutators.iter().map(|m| format!("{}:{}", m.path, m.line)).collect();
        let message = format!(
            "`{}.{}` is a class attribute: one {kind}, created when the body of `{}` runs at import time and shared by the class, its subclasses and every instance; it is mutated at {}, so each instance sees the changes made through every other.",
            class.name,
            binding.name,
            class.name,
            list_sites(&sites, 4)
        );
        let related = mutators
            .iter()
            .take(10)
            .map(|m| Related { path: m.path.clone(), range: m.range, message: m.message.clone() })
            .collect();
        out.push(ctx.diagnostic(&RULE, path, binding.range, message, related));
    }
}

/// The class attributes (file, binding range) that the mutations of one file change, with
/// where and how.
fn mutators_in(project: &Project, path: &str, summary: &FileSummary) -> Vec<((String, TextRange), Mutator)> {
    let mut found = Vec::new();
    if is_test_file(project, path, summary) || summary.state.mutations.is_empty() {
        return found;
    }
    let import_time = initialisation_functions(project, summary);
    for mutation in first_at_each_place(summary.state.mutations.iter()) {
        if !mutation.kind.is_in_place() || matches!(mutation.scope.guard, Guard::TypeChecking | Guard::StaticallyFalse) {
            continue;
        }
        let function = function_label(summary, mutation.range.start);
        let actor = match &function {
            Some(name) => format!("`{name}()`"),
            None => "a lambda".to_string(),
        };
        let line = summary.line_number(mutation.range.start);
        match &mutation.target.base_ref {
            NameRef::SelfParam { class, classmethod } => {
                let Some(attr) = mutation.target.attrs.first() else { continue };
                let Some(class) = summary.state.classes.iter().find(|c| c.range == *class) else { continue };
                let Some((owner, binding)) = class_attr(summary, class, attr) else { continue };
                let through = if *classmethod { "through `cls`" } else { "through `self`" };
                found.push(((path.to_string(), binding.range), Mutator {
                    path: path.to_string(),
                    range: mutation.range,
                    line,
                    message: format!("{actor} {} `{}.{attr}` {through} here", change_verb(mutation), owner.name),
                }));
            }
            NameRef::Global | NameRef::LocalImport(_) => {
                let Some(state) = resolve_mutation(project, path, summary, mutation) else { continue };
                if state.attrs.len() != 1 || state.rebinds {
                    continue;
                }
                if state.file == path && (mutation.scope.function.is_none() || runs_on_import(&mutation.scope, &import_time)) {
                    continue;
                }
                let Some(owner) = project.summary(&state.file) else { continue };
                let Some(class) = owner.state.classes.iter().find(|c| c.module_level && c.name == state.name) else {
                    continue;
                };
                let Some((owner_class, binding)) = class_attr(owner, class, &state.attrs[0]) else { continue };
                let actor = if state.file == path { actor } else { format!("`{}`", project.display_name(path)) };
                found.push(((state.file.clone(), binding.range), Mutator {
                    path: path.to_string(),
                    range: mutation.range,
                    line,
                    message: format!("{actor} {} `{}.{}` here", change_verb(mutation), owner_class.name, binding.name),
                }));
            }
            _ => {}
        }
    }
    found
}
