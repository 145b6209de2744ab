use std::collections::HashSet;

use rustc_hash::FxHashMap;

use super::{
    change_verb, check_each_file, enclosing_function, function_label, import_time_functions, is_test_file,
    module_global, mutable_kind, reload_target, resolve_mutation, rule, runs_on_import, state_change, state_display,
    Global, ReloadTarget, Rule, RuleContext, StateChange, StateRef, Findings,
};
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::graph::resolve_module;
use crate::analysis::modules::Spec;
use crate::analysis::project::Project;
use crate::analysis::summary::state::{Guard, Mutation, MutationKind, NameRef, Scope};
use crate::analysis::summary::FileSummary;
use crate::analysis::text::TextRange;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags a statement in a test module (`conftest.py`, or a `test_*.py`/`*_test.py` file that
    /// defines a test) that changes workspace module state and that nothing undoes: it mutates
    /// or rebinds another first-party module's globals or class attributes (reported here
    /// instead of MC102), or, from inside a test, mutates a module-level container of the test
    /// module itself.
    ///
    /// ## Why is this bad?
    /// A test run imports each module once and keeps it in `sys.modules` for the whole session.
    /// A test that appends to `state.users` or sets `config.DEBUG = True` changes that one
    /// shared module, so the change outlives the test: every later test sees it. Tests then pass
    /// or fail depending on their order, on which subset runs, and on pytest-xdist scheduling.
    ///
    /// ## Example
    /// ```python
    /// # test_users.py
    /// from state import users
    ///
    /// def test_add_user():
    ///     users.append("alice")          # still there in the next test
    ///     assert len(users) == 1
    /// ```
    ///
    /// ## How to fix
    /// Let pytest undo the change: `monkeypatch.setattr(config, "DEBUG", True)`,
    /// `monkeypatch.setitem(state.cache, "k", v)`, or `monkeypatch.setattr(state, "users", [])`
    /// before appending. Or undo it in a fixture: change the state, `yield`, restore it.
    ///
    /// ## What it does not flag
    /// Changes that are undone, in the test module or in a `conftest.py` of its folder or one
    /// above (the ones pytest applies to it): by a fixture's teardown (code after `yield`), a `finally:`
    /// block, `tearDown`/`teardown_*` and functions named like `restore…`, `reset…`,
    /// `cleanup…` or `un…`, a cleanup callback (`addCleanup(setattr, config, "DEBUG", old)`), a
    /// reset in `setUp` or a fixture, a second write in the same test (save and restore), or a
    /// reload of the module. Tests that take `monkeypatch` or use `mock.patch` decorators, which
    /// are trusted to patch what they change; removals (`cache.clear()`, `del registry[k]`);
    /// setting a global back to the value its module assigns; a test module filling its own
    /// containers at its top level or in fixtures; pytest hooks (`pytest_*`); objects that
    /// tests create; modules outside the workspace (`os.environ`, `sys.path`).
    code: "MC401", name: "test-state-leak", severity: Warning,
    summary: "a test that mutates workspace module state without restoring it",
    check: check,
};

/// A change to module state made in a test file.
struct Write<'a> {
    path: &'a str,
    mutation: &'a Mutation,
    state: &'a StateRef,
    /// The outermost function holding the write: its test.
    outer: Option<TextRange>,
    /// The outermost function holding each cleanup of the write's file, by index.
    cleanup_outers: &'a [Option<TextRange>],
}

impl<'a> Write<'a> {
    /// The module global written to: (file, name).
    fn global(&self) -> (&'a str, &'a str) {
        (self.state.file.as_str(), self.state.name.as_str())
    }
}

/// A finding's message and related locations.
type Finding = (String, Vec<Related>);

/// A reload of a first-party module in a test file.
struct Reloaded<'a> {
    path: &'a str,
    file: String,
    scope: Scope,
    /// The outermost function holding the reload, which tells whether it is in a write's test.
    outer: Option<TextRange>,
}

fn removes(kind: &MutationKind) -> bool {
    match kind {
        MutationKind::DelItem | MutationKind::DelAttr(_) => true,
        MutationKind::Method(m) => matches!(m.as_str(), "clear" | "pop" | "popitem" | "remove" | "discard" | "popleft" | "__delitem__"),
        _ => false,
    }
}

fn same_state(a: &StateRef, b: &StateRef) -> bool {
    a.file == b.file && a.name == b.name && (a.attrs.starts_with(&b.attrs) || b.attrs.starts_with(&a.attrs))
}

/// The outermost function holding `offset` (a test function or method, with everything nested
/// in it).
fn outermost_function(summary: &FileSummary, offset: u32) -> Option<TextRange> {
    summary
        .state
        .functions
        .iter()
        .filter(|f| f.range.start <= offset && offset < f.range.end)
        .max_by_key(|f| f.range.end - f.range.start)
        .map(|f| f.range)
}

/// Whether a teardown, a reset, a second write in the same test (save and restore), a
/// cleanup callback or a reload undoes `write`. `writes` holds the writes to the same module
/// global and `reloads` the reloads, of the write's file and of the `conftest.py` files that
/// apply to it (see [`check_file`]): nothing else can undo it.
fn restored(project: &Project, write: &Write, writes: &[&Write], reloads: &[Reloaded]) -> bool {
    let Some(summary) = project.summary(write.path) else { return false };
    let outer = write.outer;
    let same_test = |path: &str, other: Option<TextRange>| path == write.path && outer.is_some() && outer == other;
    let undone_by_write = writes.iter().any(|other| {
        if std::ptr::eq(other.mutation, write.mutation) || !same_state(other.state, write.state) {
            return false;
        }
        let restore_like = other.mutation.kind.is_restore_like() || write.mutation.kind.is_restore_like();
        other.mutation.scope.teardown
            // A reset in `setUp` or a fixture (`cache.clear()`, `items[:] = []`); rebinding an
            // attribute there is a patch that needs its own undo.
            || (other.mutation.scope.setup && other.mutation.kind.is_restore_like() && !matches!(other.mutation.kind, MutationKind::SetAttr(_)))
            || (restore_like && same_test(other.path, other.outer))
    });
    let undone_by_cleanup = summary.state.cleanups.iter().zip(write.cleanup_outers).any(|(cleanup, cleanup_outer)| {
        (same_test(write.path, *cleanup_outer) || cleanup.scope.setup || cleanup.scope.teardown)
            && cleanup.mentions.contains(&write.mutation.target.base)
            && (cleanup.mentions.contains(&write.state.name) || write.state.attrs.last().is_some_and(|a| cleanup.mentions.contains(a)))
    });
    undone_by_write
        || undone_by_cleanup
        || reloads.iter().any(|r| {
            r.file == write.state.file && (r.scope.teardown || r.scope.setup || same_test(r.path, r.outer))
        })
}

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

/// The findings of one test file. Only a write of the same file, or of a `conftest.py` that
/// applies to it (one in its folder or above), can undo a write, and only their reloads
/// refresh its module; so a file's findings depend on its own state and on that of those
/// `conftest.py` files, and are kept from one analysis to the next like any per-file finding.
/// The conftest files' state is worked out here again rather than shared, so that what it
/// reads is recorded as read for this file too.
fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    let own = test_file_state(project, path, summary);
    if own.writes.iter().all(|(_, _, report, _)| report.is_none()) {
        return;
    }
    let conftests: Vec<(String, &FileSummary, TestFileState)> = applicable_conftests(path)
        .filter(|conftest| conftest != path)
        .filter_map(|conftest| {
            let conftest_summary = project.summary(&conftest)?;
            let state = test_file_state(project, &conftest, conftest_summary);
            Some((conftest, &**conftest_summary, state))
        })
        .collect();
    let files =
        std::iter::once((path, summary, &own)).chain(conftests.iter().map(|(p, s, state)| (p.as_str(), *s, state)));
    let mut writes: Vec<(Write, &Option<Finding>)> = Vec::new();
    let mut reloads: Vec<Reloaded> = Vec::new();
    for (file, file_summary, state) in files {
        let TestFileState { writes: file_writes, reloads: file_reloads, cleanup_outers } = state;
        for (index, state, report, outer) in file_writes {
            let mutation = &file_summary.state.mutations[*index];
            writes.push((Write { path: file, mutation, state, outer: *outer, cleanup_outers }, report));
        }
        for (reloaded, scope, outer) in file_reloads {
            reloads.push(Reloaded { path: file, file: reloaded.clone(), scope: *scope, outer: *outer });
        }
    }
    // Only a write to the same module global can undo another.
    let mut by_global: FxHashMap<(&str, &str), Vec<&Write>> = FxHashMap::default();
    for (write, _) in &writes {
        by_global.entry(write.global()).or_default().push(write);
    }
    for (write, report) in &writes {
        let Some((message, related)) = report.as_ref().filter(|_| write.path == path) else { continue };
        if restored(project, write, &by_global[&write.global()], &reloads) {
            continue;
        }
        out.push(ctx.diagnostic(&RULE, write.path, write.mutation.range, message.clone(), related.clone()));
    }
}

/// The `conftest.py` files that pytest applies to the tests of `path`: one in each folder from
/// the workspace root down to the file's own.
fn applicable_conftests(path: &str) -> impl Iterator<Item = String> + '_ {
    let dirs = path.match_indices('/').map(|(at, _)| &path[..at]);
    std::iter::once(String::new()).chain(dirs.map(|dir| format!("{dir}/"))).map(|dir| format!("{dir}conftest.py"))
}

/// What MC401 reads of a test file (nothing for other files), with the outermost function
/// holding each place, which tells which places are in the same test.
#[derive(Default)]
struct TestFileState {
    /// The writes to module state: the index of each mutation (first at each place), the state
    /// it changes, its [`report`], and its outermost function.
    writes: Vec<(usize, StateRef, Option<Finding>, Option<TextRange>)>,
    /// The first-party files reloaded, with the scope and outermost function of the reload.
    reloads: Vec<(String, Scope, Option<TextRange>)>,
    /// The outermost function of each cleanup of the file.
    cleanup_outers: Vec<Option<TextRange>>,
}

fn test_file_state(project: &Project, path: &str, summary: &FileSummary) -> TestFileState {
    let mut writes = Vec::new();
    let mut reloads = Vec::new();
    if !is_test_file(project, path, summary) {
        return TestFileState::default();
    }
    // As `first_at_each_place`, keeping each mutation's index.
    let mut seen = HashSet::new();
    for (index, mutation) in summary.state.mutations.iter().enumerate() {
        if !seen.insert(mutation.range.start)
            || !matches!(mutation.target.base_ref, NameRef::Global | NameRef::LocalImport(_))
            || matches!(mutation.scope.guard, Guard::TypeChecking | Guard::StaticallyFalse)
        {
            continue;
        }
        if let Some(state) = resolve_mutation(project, path, summary, mutation) {
            let report = report(project, path, summary, mutation, &state);
            writes.push((index, state, report, outermost_function(summary, mutation.range.start)));
        }
    }
    for reload in &summary.state.reloads {
        if let ReloadTarget::Module(dotted) = reload_target(project, path, summary, reload) {
            if let Some(Spec::File { file, .. }) = resolve_module(project, &dotted) {
                reloads.push((file, reload.scope, outermost_function(summary, reload.range.start)));
            }
        }
    }
    let cleanup_outers = summary.state.cleanups.iter().map(|c| outermost_function(summary, c.range.start)).collect();
    TestFileState { writes, reloads, cleanup_outers }
}

/// The finding for a test file's write to module state (its message and related locations),
/// unless the write is a reset, a patch, plugin code or initialisation; it is reported unless
/// something restores it (see [`restored`]).
fn report(project: &Project, path: &str, summary: &FileSummary, mutation: &Mutation, state: &StateRef) -> Option<Finding> {
    // Undo steps, and removals (clearing a cache, deleting what the test added), reset
    // rather than leak.
    if mutation.scope.teardown
        || removes(&mutation.kind)
        || (mutation.scope.setup && mutation.kind.is_restore_like() && !matches!(mutation.kind, MutationKind::SetAttr(_)))
    {
        return None;
    }
    let function = enclosing_function(summary, mutation.range.start).filter(|_| mutation.scope.function.is_some());
    // pytest hooks (`pytest_collection_modifyitems`…) are plugin code, not tests.
    if function.is_some_and(|f| {
        f.params.iter().any(|p| p == "monkeypatch") || f.decorators.iter().any(|d| d.contains("patch")) || f.name.starts_with("pytest_")
    }) {
        return None;
    }
    let who = match function_label(summary, mutation.range.start).filter(|_| function.is_some()) {
        Some(label) => format!("`{label}()`"),
        None if mutation.scope.function.is_some() => "the lambda".to_string(),
        None => "this module's import".to_string(),
    };
    // Setting a global back to the value its module gave it at import is a reset.
    if let (Some(value), Some(owner)) = (&mutation.value, project.summary(&state.file)) {
        let initial = match (state.attrs.as_slice(), module_global(owner, &state.name)) {
            ([], Some(Global::Value(binding))) => binding.value_text.as_ref(),
            ([attr], Some(Global::Class(class))) => owner
                .state
                .bindings
                .iter()
                .find(|b| b.class == Some(class.range) && &b.name == attr)
                .and_then(|b| b.value_text.as_ref()),
            _ => None,
        };
        if initial == Some(value) {
            return None;
        }
    }
    let message = if state.file == path {
        // The test module's own globals: initialising them at top level is fine.
        let import_time = import_time_functions(project, summary);
        // A fixture or `setUp` that fills the module's own data prepares tests; it is
        // another module's state that leaks between test modules.
        if !state.attrs.is_empty()
            || state.rebinds
            || mutation.scope.setup
            || runs_on_import(&mutation.scope, &import_time)
        {
            return None;
        }
        let Some(Global::Value(binding)) = module_global(summary, &state.name) else { return None };
        let kind = mutable_kind(&binding.value)?;
        format!(
            "{who} {} `{}`, a module-level {kind} of this test module, and nothing resets it: the module is imported once per test run, so the change outlives the test and every later test sees it — the tests now depend on their order. Create the {kind} in a fixture instead, or reset it in a fixture's teardown.",
            change_verb(mutation),
            state.name
        )
    } else {
        let owner = project.summary(&state.file)?;
        let change = state_change(owner, state, mutation)?;
        let target = state_display(project, state);
        let module = project.display_name(&state.file);
        let what = match change {
            StateChange::RebindGlobal | StateChange::RebindClassAttr(_) => format!("rebinds `{target}`"),
            StateChange::InPlace { .. } => format!("{} `{target}`", change_verb(mutation)),
        };
        format!(
            "This {what} and nothing undoes it: `{module}` is imported once per test run and cached in `sys.modules`, so the change outlives {who} and every later test sees it — the tests now depend on their order. Use `monkeypatch.setattr`/`monkeypatch.setitem`, or restore it in a fixture's teardown."
        )
    };
    let related = match module_global(project.summary(&state.file).map(|s| s.as_ref()).unwrap_or(summary), &state.name) {
        Some(Global::Value(binding)) => vec![Related {
            path: state.file.clone(),
            range: binding.range,
            message: format!("`{}` is created here, once per test run", state.name),
        }],
        Some(Global::Class(class)) => vec![Related {
            path: state.file.clone(),
            range: class.name_range,
            message: format!("`{}` is defined here, once per test run", class.name),
        }],
        _ => Vec::new(),
    };
    Some((message, related))
}
