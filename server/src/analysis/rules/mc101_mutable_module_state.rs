use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{
    change_verb, first_at_each_place, function_label, initialisation_functions, is_main_module_file, is_test_file,
    list_sites, mutable_kind, resolve_mutation, rule, runs_on_import, Rule, RuleContext, Findings,
};
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::project::Project;
use crate::analysis::summary::state::{Guard, NameRef};
use crate::analysis::summary::FileSummary;
use crate::analysis::text::TextRange;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags a module-level name bound to a mutable container — a list, dict, set or bytearray
    /// display or comprehension, or a call of `list()`, `dict()`, `set()`, `defaultdict`,
    /// `deque`, `OrderedDict`, `Counter`… — that is mutated after import time: in a function of
    /// the same module that the top level does not call, or from another module (`import m;
    /// m.x.append(…)`, `from m import x; x[k] = v`). The message lists where it is mutated.
    ///
    /// ## Why is this bad?
    /// Python runs a module's top level once, at the first import, and keeps the module object
    /// in `sys.modules`. The container is created that one time and every importer shares it:
    /// `import state` and `from state import cache` reach the same object, in every thread, for
    /// the life of the process. What one caller adds, every other caller sees; tests that touch
    /// it depend on their order; and nothing but a restart resets it (`importlib.reload` creates
    /// a *new* container, which names taken earlier with `from state import cache` never see).
    ///
    /// ## Example
    /// ```python
    /// # state.py
    /// cache = {}
    ///
    /// def put(key, value):
    ///     cache[key] = value      # mutates the one dict that every importer shares
    ///
    /// # app.py
    /// from state import cache
    /// cache["user"] = "alice"     # so does this
    /// ```
    ///
    /// ## How to fix
    /// Make the sharing explicit: keep the state in an object that callers create and pass
    /// around (`Cache()`), or behind functions that say what they do (`get_cache()`, and a
    /// `reset_cache()` for tests). When one process-wide cache is what you want,
    /// `functools.lru_cache` (with its `cache_clear()`) or a small class documents it; then
    /// suppress the finding on the binding with `# modcache: ignore[MC101]`.
    ///
    /// ## What it does not flag
    /// Initialisation at import time: `ITEMS = []` followed by `ITEMS.append(1)` at top level,
    /// or in a function that the top level calls (such as a decorator that registers functions
    /// while the module is imported). Tuples, frozensets, strings, `__all__` and other dunder
    /// names. Names bound under `if __name__ == "__main__":` or `if TYPE_CHECKING:`. Changes made
    /// by test files, which MC401 reports, and rebinding the name with `global`, which MC104
    /// reports.
    code: "MC101", name: "mutable-module-state", severity: Warning,
    summary: "a module-level mutable container that is mutated after import time",
    check: check,
};

/// One place that mutates a module-level container.
#[derive(Clone)]
struct Mutator {
    path: String,
    range: TextRange,
    line: u32,
    actor: String,
    verb: String,
}

/// The mutators found in one file, each with the module state (file, global) it changes.
type FileMutators = Vec<((String, String), Mutator)>;

/// A module global's finding (or none), kept with what it was worked out from: the summary of
/// the global's file, and the kept lists holding its mutators with their places in them. The
/// lists are kept alive here, so equal addresses mean the same lists.
struct Reported {
    owner: Arc<FileSummary>,
    /// Held, never read: what keeps the addresses in `places` from being reused.
    _lists: Vec<Arc<FileMutators>>,
    places: Vec<(usize, usize)>,
    finding: Option<Arc<Diagnostic>>,
}

fn check(ctx: &RuleContext, out: &mut Findings) {
    let project = ctx.project;
    // Where each file mutates module state depends only on its summary and on those that
    // resolving its names reads, so it is kept from one analysis to the next; the grouping
    // borrows from the kept lists rather than copying every mutator of the workspace.
    let per_file = project.per_file(RULE.code, |path, summary| {
        Some(mutators_in(project, path, summary)).filter(|found| !found.is_empty())
    });
    // Hashed, not ordered: the analysis sorts the findings in the end.
    let mut mutators: FxHashMap<&(String, String), Vec<(usize, usize)>> = FxHashMap::default();
    for (list, found) in per_file.iter().enumerate() {
        for (index, (state, _)) in found.iter().enumerate() {
            mutators.entry(state).or_default().push((list, index));
        }
    }
    // A global's finding depends only on its file's summary and its mutators: after an edit,
    // the findings of the globals whose inputs are the same are taken over, not written again.
    let kept = project.kept::<FxHashMap<(String, String), Reported>>(RULE.code);
    let mut kept = kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut next = FxHashMap::default();
    for (state, places) in mutators {
        let Some(owner) = project.summary(&state.0) else { continue };
        let addressed: Vec<(usize, usize)> =
            places.iter().map(|&(list, index)| (Arc::as_ptr(&per_file[list]) as usize, index)).collect();
        let (key, reported) = match kept.remove_entry(state) {
            Some((key, old)) if Arc::ptr_eq(&old.owner, owner) && old.places == addressed => (key, old),
            _ => {
                let found: Vec<&Mutator> = places.iter().map(|&(list, index)| &per_file[list][index].1).collect();
                let mut lists: Vec<Arc<FileMutators>> = places.iter().map(|&(list, _)| per_file[list].clone()).collect();
                lists.dedup_by(|a, b| Arc::ptr_eq(a, b));
                let reported = Reported {
                    owner: owner.clone(),
                    _lists: lists,
                    places: addressed,
                    finding: report(ctx, &state.0, &state.1, owner, &found).map(Arc::new),
                };
                (state.clone(), reported)
            }
        };
        if let Some(finding) = &reported.finding {
            out.push_shared(finding.clone());
        }
        next.insert(key, reported);
    }
    *kept = next;
}

/// The finding for the module global `name` of `path`, given every place that mutates it after
/// import time; none when the name is not a mutable container bound at import.
fn report(ctx: &RuleContext, path: &str, name: &str, summary: &FileSummary, found: &[&Mutator]) -> Option<Diagnostic> {
    let project = ctx.project;
    if is_test_file(project, path, summary) || is_main_module_file(path) {
        return None;
    }
    // The first module-level binding of the name that runs at import.
    let binding = summary.state.bindings.iter().find(|b| b.class.is_none() && b.guard == Guard::Runs && b.name == name)?;
    let kind = mutable_kind(&binding.value)?;
    if binding.name.starts_with("__") && binding.name.ends_with("__") {
        return None;
    }
    let module = project.display_name(path);
    let mut actors: Vec<&str> = Vec::new();
    for m in found {
        if !actors.contains(&m.actor.as_str()) {
            actors.push(&m.actor);
        }
    }
    let who = list_sites(&actors.iter().map(|a| a.to_string()).collect::<Vec<_>>(), 3);
    let verb = if actors.len() == 1 { "mutates" } else { "mutate" };
    let sites: Vec<String> = found.iter().map(|m| format!("{}:{}", m.path, m.line)).collect();
    let message = format!(
        "`{}` is a {kind} created once, when `{module}` is first imported; {who} {verb} it after that, so every importer shares the same {kind} and sees each change — mutated at {}.",
        binding.name,
        list_sites(&sites, 4)
    );
    let related = found
        .iter()
        .take(10)
        .map(|m| Related { path: m.path.clone(), range: m.range, message: format!("{} {} `{}` here", m.actor, m.verb, binding.name) })
        .collect();
    Some(ctx.diagnostic(&RULE, path, binding.range, message, related))
}

/// The module state (file, global) that the mutations of one file change after import time,
/// with where and how.
fn mutators_in(project: &Project, path: &str, summary: &FileSummary) -> FileMutators {
    let mut found = Vec::new();
    if is_test_file(project, path, summary) || summary.state.mutations.is_empty() {
        return found;
    }
    let import_time = initialisation_functions(project, summary);
    for mutation in first_at_each_place(summary.state.mutations.iter()) {
        if !matches!(mutation.target.base_ref, NameRef::Global | NameRef::LocalImport(_))
            || matches!(mutation.scope.guard, Guard::TypeChecking | Guard::StaticallyFalse)
            || !mutation.kind.is_in_place()
        {
            continue;
        }
        let Some(state) = resolve_mutation(project, path, summary, mutation) else { continue };
        // In the module itself, only code that runs after the import counts: functions
        // that the top level does not call. Its top level, even under the `__main__` guard,
        // is initialisation.
        let initialisation = mutation.scope.function.is_none() || runs_on_import(&mutation.scope, &import_time);
        if !state.attrs.is_empty() || (state.file == path && initialisation) {
            continue;
        }
        let function = function_label(summary, mutation.range.start);
        let actor = if state.file == path {
            match function {
                Some(name) => format!("`{name}()`"),
                None => "a lambda".to_string(),
            }
        } else {
            let module = project.display_name(path);
            match function {
                Some(name) => format!("`{module}.{name}()`"),
                None => format!("`{module}`"),
            }
        };
        let mutator = Mutator {
            path: path.to_string(),
            range: mutation.range,
            line: summary.line_number(mutation.range.start),
            actor,
            verb: change_verb(mutation),
        };
        found.push(((state.file.clone(), state.name.clone()), mutator));
    }
    found
}
