//! Incremental state equals a from-scratch analysis after any sequence of edits:
//! - a document edited through LSP changes (UTF-16 ranges, several changes per notification,
//!   CRLF and non-ASCII text) has the same text and summary as the final text parsed afresh;
//! - after an edit that keeps a file's shape, the server's remapped results equal a new analysis;
//! - an analysis through [`AnalysisCache`], which keeps resolved imports, entries and simulated
//!   runs from the previous analysis, equals a fresh one after any sequence of edits to any
//!   files, including files that are not summarised yet.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use modcache::analysis::check::{analyze, Analysis, AnalysisCache};
use modcache::analysis::config::Config;
use modcache::analysis::project::Project;
use modcache::analysis::python_env::PythonEnv;
use modcache::analysis::summary::positions::range_map;
use modcache::analysis::summary::summarize;
use modcache::analysis::text::{LineCol, LineIndex};
use modcache::lsp::{Document, Encoding};
use proptest::prelude::*;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

const BASE: &str = "import os\r\nfrom services import save  # é\n\nclass User:\n    name = \"😀\"\n\n    def save(self):\n        return save(self)\n\nCACHE = {}\nif __name__ == \"__main__\":\n    print(User())\n";

#[derive(Clone, Debug)]
struct Edit {
    /// Where, as a fraction of the text's length.
    at: f64,
    delete: usize,
    insert: String,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let insert = prop::collection::vec(
        prop::sample::select(vec!["a", "x", " ", "\n", "\r\n", "é", "😀", "(", ")", ":", "import b\n", "def ", "#", "\"", "_"]),
        0..4,
    )
    .prop_map(|parts| parts.concat());
    (0.0f64..=1.0, 0usize..4, insert).prop_map(|(at, delete, insert)| Edit { at, delete, insert })
}

/// The UTF-16 LSP range of a char range of `text`.
fn lsp_range(text: &str, start: usize, end: usize) -> Range {
    let index = LineIndex::new(text);
    let position = |offset: usize| {
        let LineCol { line, col } = index.line_col_utf16(text, offset as u32);
        Position { line, character: col }
    };
    Range { start: position(start), end: position(end) }
}

/// Applies an edit to a plain string, returning the LSP change that does the same.
fn apply(text: &mut String, edit: &Edit) -> TextDocumentContentChangeEvent {
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let start_index = ((boundaries.len() - 1) as f64 * edit.at) as usize;
    let start = boundaries[start_index];
    let end = boundaries[(start_index + edit.delete).min(boundaries.len() - 1)];
    // Never split a CRLF pair: editors do not, and LSP positions cannot address between them.
    let (start, end) = (fix_crlf(text, start), fix_crlf(text, end));
    let end = end.max(start);
    let range = lsp_range(text, start, end);
    text.replace_range(start..end, &edit.insert);
    TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: edit.insert.clone() }
}

fn fix_crlf(text: &str, offset: usize) -> usize {
    if offset > 0 && text.as_bytes().get(offset - 1) == Some(&b'\r') && text.as_bytes().get(offset) == Some(&b'\n') {
        offset - 1
    } else {
        offset
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn incremental_document_equals_a_fresh_parse(batches in prop::collection::vec(prop::collection::vec(edit_strategy(), 1..4), 1..12)) {
        let mut expected = BASE.to_string();
        let mut document = Document::new(0, BASE);
        for (version, batch) in batches.iter().enumerate() {
            let changes: Vec<_> = batch.iter().map(|edit| apply(&mut expected, edit)).collect();
            document.apply_changes(version as i32 + 1, changes, Encoding::Utf16);
            prop_assert_eq!(&*document.text, expected.as_str());
            prop_assert_eq!(&*document.summary, &summarize(&expected));
        }
    }

    #[test]
    fn remapped_results_equal_a_new_analysis(edits in prop::collection::vec(edit_strategy(), 1..8)) {
        let others = support::parse_fixture(
            "# file: main.py\nimport models\n# file: services.py\nfrom models import User\n\ndef save(user):\n    return User\n",
        );
        let project_of = |models: &str| {
            let mut files: BTreeMap<String, Arc<_>> =
                others.iter().map(|(p, t)| (p.clone(), Arc::new(summarize(t)))).collect();
            files.insert("models.py".to_string(), Arc::new(summarize(models)));
            Project::new(files, &[], Config::default(), PythonEnv::default())
        };
        let mut text = BASE.replace("import os\r\n", "import os\n");
        for edit in &edits {
            let old = summarize(&text);
            let old_analysis = analyze(&project_of(&text));
            let mut new_text = text.clone();
            apply(&mut new_text, edit);
            let new = summarize(&new_text);
            if old.shape() == new.shape() {
                let mut remapped = old_analysis.clone();
                remapped.remap("models.py", &range_map(&old, &new));
                let fresh = analyze(&project_of(&new_text));
                prop_assert_eq!(remapped.diagnostics, fresh.diagnostics);
            }
            text = new_text;
        }
    }
}

/// Statements the generated projects are made of: imports of every kind (in cycles, relative,
/// star, dynamic, failing), bindings that other modules import, functions called at import
/// time or not, deletions, module attributes set from outside, `sys.modules` writes,
/// `__all__`, `__main__` guards, a syntax error, and errors that only CPython's tokenizer, its
/// compiler or an older version finds.
const STATEMENTS: &[&str] = &[
    "import a",
    "import b",
    "from a import x",
    "from b import y",
    "from c import *",
    "from pkg import m",
    "import pkg.m",
    "x = 1",
    "y = 2",
    "z = x",
    "def f():\n    from b import y\n    return y",
    "f()",
    "print(a.x)",
    "a.z = 3",
    "del x",
    "__all__ = ['x', 'f']",
    "class K:\n    w = b.y",
    "if __name__ == '__main__':\n    f()",
    "try:\n    import missing\nexcept ImportError:\n    missing = None",
    "import sys\nsys.modules['alias'] = sys",
    "x = (",
    "# a comment",
    "def g():\n    import c\n    c.q = 1",
    "g()",
    "from . import m",
    "import importlib\nmod = importlib.import_module('c')",
    "q = 4",
    "from a import *",
    "from main import x",
    "from pkg.m import w",
    "w = 5",
    "def f():\n    return a.x",
    "def f():\n    import c\n    return c.w",
    "def g():\n    return b.y",
    "import c",
    "c.w",
    "from a import f",
    "def h():\n    return b.y\nh()",
    "def h():\n    import c\n    return c.q\nh()",
    "def h():\n    global x\n    x = a.z\nh()",
    "CACHE = []",
    "def setup():\n    CACHE.append(1)\nsetup()",
    "def later():\n    CACHE.append(2)",
    "a.CACHE.append(3)",
    "class Registry:\n    items = {}\n    def add(self):\n        self.items[1] = 2",
    "def ready():\n    return x\nif ready():\n    import b",
    "def ready():\n    return False\nif not ready():\n    from a import x",
    "y = 1_",
    "return x",
    "del f()",
    "match x:\n    case 1:\n        import b",
];

/// Names that [`Change::Rename`] swaps.
const NAMES: &[&str] = &["x", "y", "z", "w", "f", "g", "h", "q", "setup", "later", "CACHE"];

const FILES: &[&str] = &["main.py", "a.py", "b.py", "c.py", "pkg/__init__.py", "pkg/m.py"];

#[derive(Clone, Debug)]
enum Change {
    /// Replace, insert or delete a statement (by index, modulo the file's length).
    Replace { file: usize, at: usize, statement: usize },
    Insert { file: usize, at: usize, statement: usize },
    Delete { file: usize, at: usize },
    /// Type one character somewhere in the file (renaming a name, breaking the syntax, or
    /// shifting the ranges after it).
    Type { file: usize, at: f64, text: &'static str },
    /// Rename one occurrence of a name (what typing in a name does to a summary).
    Rename { file: usize, nth: usize, to: usize },
    /// The file stops being summarised (as while the server indexes) or becomes summarised again.
    TogglePending { file: usize },
}

fn change_strategy() -> impl Strategy<Value = Change> {
    let file = 0..FILES.len();
    let statement = 0..STATEMENTS.len();
    prop_oneof![
        (file.clone(), 0usize..8, statement.clone()).prop_map(|(file, at, statement)| Change::Replace { file, at, statement }),
        (file.clone(), 0usize..8, statement).prop_map(|(file, at, statement)| Change::Insert { file, at, statement }),
        (file.clone(), 0usize..8).prop_map(|(file, at)| Change::Delete { file, at }),
        (file.clone(), 0.0f64..=1.0, prop::sample::select(vec!["x", "y", " ", "\n", "_", "#", "(", "0", "*"]))
            .prop_map(|(file, at, text)| Change::Type { file, at, text }),
        (file.clone(), 0usize..16, 0..NAMES.len()).prop_map(|(file, nth, to)| Change::Rename { file, nth, to }),
        (file.clone(), 0usize..16, 0..NAMES.len()).prop_map(|(file, nth, to)| Change::Rename { file, nth, to }),
        file.prop_map(|file| Change::TogglePending { file }),
    ]
}

fn project_strategy() -> impl Strategy<Value = Vec<Vec<usize>>> {
    prop::collection::vec(prop::collection::vec(0..STATEMENTS.len(), 0..6), FILES.len())
}

/// Applies a change to the texts (one per file, as lines of statements joined with newlines).
fn apply_change(texts: &mut [String], pending: &mut [bool], change: &Change) {
    let statements = |text: &str| -> Vec<String> { text.split("\n\n").filter(|s| !s.is_empty()).map(str::to_string).collect() };
    let join = |list: Vec<String>| list.join("\n\n") + "\n";
    match *change {
        Change::Replace { file, at, statement } => {
            let mut list = statements(&texts[file]);
            if list.is_empty() {
                list.push(STATEMENTS[statement].to_string());
            } else {
                let at = at % list.len();
                list[at] = STATEMENTS[statement].to_string();
            }
            texts[file] = join(list);
        }
        Change::Insert { file, at, statement } => {
            let mut list = statements(&texts[file]);
            let at = at % (list.len() + 1);
            list.insert(at, STATEMENTS[statement].to_string());
            texts[file] = join(list);
        }
        Change::Delete { file, at } => {
            let mut list = statements(&texts[file]);
            if !list.is_empty() {
                let at = at % list.len();
                list.remove(at);
            }
            texts[file] = join(list);
        }
        Change::Type { file, at, text } => {
            let text_of = &mut texts[file];
            let offset = (text_of.len() as f64 * at) as usize;
            text_of.insert_str(offset.min(text_of.len()), text);
        }
        Change::Rename { file, nth, to } => {
            let text = &texts[file];
            let bytes = text.as_bytes();
            let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
            // Every whole-word occurrence of one of the names, in order.
            let mut found = Vec::new();
            let mut start = 0;
            while start < bytes.len() {
                let end = (start..bytes.len()).find(|&i| !is_word(bytes[i])).unwrap_or(bytes.len());
                if end > start && NAMES.contains(&&text[start..end]) {
                    found.push(start..end);
                }
                start = end + 1;
            }
            if !found.is_empty() {
                let range = found[nth % found.len()].clone();
                texts[file].replace_range(range, NAMES[to]);
            }
        }
        Change::TogglePending { file } => pending[file] = !pending[file],
    }
}

fn project_of(texts: &[String], pending: &[bool]) -> Project {
    let files: BTreeMap<String, Arc<_>> = FILES
        .iter()
        .zip(texts)
        .zip(pending)
        .filter(|(_, pending)| !**pending)
        .map(|((path, text), _)| (path.to_string(), Arc::new(summarize(text))))
        .collect();
    let pending: Vec<String> =
        FILES.iter().zip(pending).filter(|(_, p)| **p).map(|(path, _)| path.to_string()).collect();
    Project::with_pending(files, &pending, &[], Config::default(), PythonEnv::default())
}

fn assert_same(cached: &Analysis, fresh: &Analysis) -> Result<(), TestCaseError> {
    prop_assert_eq!(&cached.graph.nodes, &fresh.graph.nodes);
    prop_assert_eq!(&cached.graph.edges, &fresh.graph.edges);
    prop_assert_eq!(&cached.entry_orders, &fresh.entry_orders);
    prop_assert_eq!(&cached.cycle_orders, &fresh.cycle_orders);
    prop_assert_eq!(&cached.diagnostics, &fresh.diagnostics);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn cached_analysis_equals_a_fresh_one(
        start in project_strategy(),
        changes in prop::collection::vec(prop::collection::vec(change_strategy(), 1..3), 1..10),
    ) {
        // Every project has an entry that loads the others, so that runs read most files.
        let skeleton: &[&[&str]] =
            &[&["import a", "import b", "import pkg.m"], &["import b", "import c"], &["import c"], &[], &[], &["import a"]];
        let mut texts: Vec<String> = start
            .iter()
            .zip(skeleton)
            .map(|(list, fixed)| {
                fixed.iter().copied().chain(list.iter().map(|&i| STATEMENTS[i])).collect::<Vec<_>>().join("\n\n") + "\n"
            })
            .collect();
        let mut pending = vec![false; FILES.len()];
        let mut cache = AnalysisCache::default();
        let mut project = project_of(&texts, &pending);
        assert_same(&cache.analyze(&project), &analyze(&project))?;
        for batch in &changes {
            for change in batch {
                apply_change(&mut texts, &mut pending, change);
            }
            // Unchanged files keep their summaries, as in the language server.
            let fresh_project = project_of(&texts, &pending);
            let next = cache_project(&project, &fresh_project);
            let cached = cache.analyze(&next);
            // The fresh analysis gets a project built from nothing, without facts derived from
            // earlier summaries.
            assert_same(&cached, &analyze(&fresh_project))?;
            project = next;
        }
    }
}

/// `new` with the summaries of `old` wherever the text did not change, so that the cache sees
/// which files changed by identity, as the language server's snapshots show it.
fn cache_project(old: &Project, new: &Project) -> Project {
    let files: BTreeMap<String, Arc<_>> = new
        .files()
        .map(|(path, summary)| match old.summary(path) {
            Some(previous) if **previous == **summary => (path.to_string(), previous.clone()),
            _ => (path.to_string(), summary.clone()),
        })
        .collect();
    let pending: Vec<String> = FILES.iter().filter(|f| new.summary(f).is_none()).map(|f| f.to_string()).collect();
    Project::reusing(Some(old), files, &pending, &[], Config::default(), PythonEnv::default())
}

/// The project of a fixture, reusing the summaries of `old` for unchanged files.
fn fixture_project(fixture: &str, old: Option<&Project>) -> Project {
    let files: BTreeMap<String, Arc<_>> = support::parse_fixture(fixture)
        .into_iter()
        .map(|(path, text)| {
            let summary = Arc::new(summarize(&text));
            let summary = match old.and_then(|o| o.summary(&path)) {
                Some(previous) if **previous == *summary => previous.clone(),
                _ => summary,
            };
            (path, summary)
        })
        .collect();
    Project::reusing(old, files, &[], &[], Config::default(), PythonEnv::default())
}

/// Analyses `before`, then `after` through the cache; checks the result against a fresh
/// analysis and returns how many runs were simulated again and how many kept.
fn recomputed(before: &str, after: &str) -> (usize, usize) {
    let mut cache = AnalysisCache::default();
    let old = fixture_project(before, None);
    cache.analyze(&old);
    let new = fixture_project(after, Some(&old));
    let cached = cache.analyze(&new);
    let fresh = analyze(&fixture_project(after, None));
    assert_eq!(cached.entry_orders, fresh.entry_orders);
    assert_eq!(cached.cycle_orders, fresh.cycle_orders);
    assert_eq!(cached.diagnostics, fresh.diagnostics);
    let stats = cache.stats();
    (stats.simulated, stats.kept)
}

const APP: &str = "# file: main.py\nimport models\nimport services\nif __name__ == '__main__':\n    models.run()\n# file: tool.py\nimport services\nif __name__ == '__main__':\n    pass\n# file: models.py\nimport helpers\nUser = 1\n\ndef run():\n    return helpers.VALUE\n\ndef unused():\n    return 1\n# file: helpers.py\nVALUE = 1\n# file: services.py\nfrom models import User\n";

/// The findings of `code` in a fresh analysis of `fixture`, one `path: message` per line.
fn findings_of(code: &str, fixture: &str) -> String {
    let analysis = analyze(&fixture_project(fixture, None));
    let lines: Vec<String> =
        analysis.diagnostics.iter().filter(|d| d.code == code).map(|d| format!("{}: {}", d.path, d.message)).collect();
    lines.join("\n")
}

/// Findings that a rule keeps from one analysis to the next must follow an edit, both ways:
/// the fresh findings of `code` before and after the edit hold each of `in_before` and
/// `in_after` (none at all when the list is empty), and [`recomputed`] checks the cached
/// analyses against fresh ones.
fn check_kept_findings_follow(code: &str, before: &str, after: &str, in_before: &[&str], in_after: &[&str]) {
    for (fixture, expected) in [(before, in_before), (after, in_after)] {
        let found = findings_of(code, fixture);
        if expected.is_empty() {
            assert_eq!(found, "", "no {code} finding expected");
        }
        for part in expected {
            assert!(found.contains(part), "{code} findings should contain {part:?}:\n{found}");
        }
    }
    recomputed(before, after);
    recomputed(after, before);
}

#[test]
fn kept_findings_follow_the_edits_they_depend_on() {
    // MC401: a test file's findings follow an edit of the conftest.py that applies to it.
    let undone = "# file: config.py\nusers = []\n# file: tests/conftest.py\nimport pytest\nimport config\n\n@pytest.fixture(autouse=True)\ndef clean():\n    yield\n    config.users.clear()\n# file: tests/test_users.py\nimport config\n\ndef test_add():\n    config.users.append(1)\n";
    let leaks = undone.replace("    config.users.clear()\n", "    pass\n");
    check_kept_findings_follow("MC401", undone, &leaks, &[], &["tests/test_users.py: "]);
    // MC101: a global's finding follows an edit that moves one of its mutators.
    let before = "# file: state.py\nITEMS = []\n# file: user.py\nimport state\n\ndef add():\n    state.ITEMS.append(1)\n# file: other.py\nimport state\n\ndef more():\n    state.ITEMS.append(2)\n";
    let after = before.replace("import state\n\ndef add", "import state\n\n\ndef add");
    check_kept_findings_follow("MC101", before, &after, &["user.py:4"], &["user.py:5"]);
    // MC001: the import graph stays the same, the lines its messages quote move.
    let before = "# file: a.py\nimport b\nX = 1\n# file: b.py\nimport c\n# file: c.py\nimport a\n";
    let after = before.replace("# file: b.py\nimport c\n", "# file: b.py\n# moved\nimport c\n");
    check_kept_findings_follow("MC001", before, &after, &["b.py:1"], &["b.py:2"]);
}

#[test]
fn renaming_a_name_nobody_reads_simulates_nothing() {
    let after = APP.replace("User = 1\n", "User = 1\nExtra = 2\n");
    assert_eq!(recomputed(APP, &after), (0, 2));
}

#[test]
fn renaming_a_name_that_is_imported_simulates_the_runs_that_import_it() {
    // tool.py imports services, which imports `User` from models: both runs read the name.
    let after = APP.replace("User = 1", "Usr = 1");
    assert_eq!(recomputed(APP, &after), (2, 0));
    // A name that only main's run looks up (`models.run`) leaves tool.py's run alone.
    let after = APP.replace("def run():", "def runs():");
    assert_eq!(recomputed(APP, &after), (1, 1));
}

#[test]
fn editing_a_function_that_no_run_calls_simulates_nothing() {
    let after = APP.replace("    return 1\n", "    import helpers\n    return helpers.OTHER\n");
    assert_eq!(recomputed(APP, &after), (0, 2));
}

#[test]
fn editing_a_function_that_a_run_calls_simulates_that_run() {
    let after = APP.replace("    return helpers.VALUE\n", "    return helpers.VALU\n");
    assert_eq!(recomputed(APP, &after), (1, 1));
}

#[test]
fn a_tested_result_follows_its_function_and_not_the_text_around_it() {
    let before = "# file: main.py\nimport lib\nfrom lib import ready\nif lib.ready():\n    import extra\nif not ready():\n    import other\n# file: lib.py\ndef ready():\n    return False\n# file: extra.py\n# file: other.py\n";
    // Text that moves the tests of the calls leaves the run as it was.
    let after = before.replace("import lib\n", "import lib  # the library\n");
    assert_eq!(recomputed(before, &after), (0, 1));
    // The function's returned literal decides which module the run imports.
    let after = before.replace("return False", "return True");
    assert_eq!(recomputed(before, &after), (1, 0));
}

#[test]
fn moving_a_file_down_moves_the_sites_of_kept_runs() {
    let after = APP.replace("import helpers\nUser = 1\n", "# a new first line\nimport helpers\nUser = 1\n");
    assert_eq!(recomputed(APP, &after), (0, 2));
}

#[test]
fn a_new_import_simulates_every_run_that_loads_the_file() {
    let after = APP.replace("import helpers\nUser = 1\n", "import helpers\nimport tool\nUser = 1\n");
    let (simulated, _) = recomputed(APP, &after);
    assert!(simulated >= 2);
}

#[test]
fn a_name_taken_by_a_star_import_matters_once_it_is_looked_up() {
    let before = "# file: main.py\nfrom lib import *\n# file: lib.py\na = 1\n";
    // main takes every public name of lib, but looks none of them up.
    let after = before.replace("a = 1\n", "a = 1\nb = 2\n");
    assert_eq!(recomputed(before, &after), (0, 1));
    let before = "# file: main.py\nfrom lib import *\nb.c\n# file: lib.py\nimport sys as b\n";
    let after = before.replace("import sys as b", "import sys as d");
    assert_eq!(recomputed(before, &after), (1, 0));
}

/// An edit as (fixture, text, replacement, runs simulated and kept after the edit, the same
/// after undoing it).
type ValueEdit = (&'static str, &'static str, &'static str, (usize, usize), (usize, usize));

/// Edits that change only what a run sees of a value.
const VALUE_EDITS: &[ValueEdit] = &[
    // Iterating a generator runs its body; iterating a list that holds it does not. The two
    // programs have the same events but for the call's `consumed`.
    (
        "# file: main.py\ndef gen():\n    import helpers\n    yield 1\nfor _ in [gen()]:\n    pass\n# file: helpers.py\nVALUE = 1\n",
        "[gen()]",
        "gen()",
        (1, 0),
        (1, 0),
    ),
    // A name bound to a new object calls its class's methods; bound to a tuple it does not.
    (
        "# file: main.py\nclass App:\n    def run(self):\n        import helpers\napp = App(),\napp.run()\n# file: helpers.py\nVALUE = 1\n",
        "App(),",
        "App()",
        (1, 0),
        (1, 0),
    ),
    // A literal that a test reads decides the test.
    (
        "# file: main.py\nMODE = 'fast'\nif MODE == 'slow':\n    import helpers\n# file: helpers.py\nVALUE = 1\n",
        "MODE = 'fast'",
        "MODE = 'slow'",
        (1, 0),
        (1, 0),
    ),
    // A literal that no test reads changes nothing a run sees.
    ("# file: main.py\nMODE = 'fast'\nimport helpers\n# file: helpers.py\nVALUE = 1\n", "VALUE = 1", "VALUE = 2", (0, 1), (0, 1)),
];

#[test]
fn edits_of_what_a_run_sees_of_a_value_simulate_again() {
    for (before, text, replacement, forward, back) in VALUE_EDITS {
        let after = before.replace(text, replacement);
        assert_ne!(*before, after);
        assert_eq!(recomputed(before, &after), *forward, "{text:?} -> {replacement:?}");
        assert_eq!(recomputed(&after, before), *back, "{replacement:?} -> {text:?}");
    }
}

#[test]
fn syntax_that_no_supported_python_compiles_fails_every_run_that_loads_the_file() {
    // The function never runs, but CPython compiles the whole file before running any of it.
    let after = APP.replace(
        "def unused():\n    return 1\n",
        "def unused():\n    try:\n        pass\n    except ValueError, TypeError:\n        pass\n",
    );
    assert_eq!(recomputed(APP, &after), (2, 0));
    assert_eq!(recomputed(&after, APP), (2, 0));
}

#[test]
fn a_statement_the_compiler_rejects_fails_every_run_that_loads_the_file() {
    // `break` outside a loop parses, but compiling the file raises SyntaxError, so models.py
    // never starts, whether or not the function ever runs.
    let after = APP.replace("def unused():\n    return 1\n", "def unused():\n    break\n");
    assert_eq!(recomputed(APP, &after), (2, 0));
    assert_eq!(recomputed(&after, APP), (2, 0));
}

#[test]
fn an_error_above_a_syntax_error_replaces_it_in_every_run_that_loads_the_file() {
    // models.py fails to parse at its last line either way; the edit adds an error the
    // tokenizer finds above it, whose message and line CPython then reports instead.
    let broken = APP.replace("def unused():\n    return 1\n", "def unused():\n    return 1\n\nx y\n");
    let after = broken.replace("User = 1\n", "User = 1_\n");
    assert_eq!(recomputed(&broken, &after), (2, 0));
    assert_eq!(recomputed(&after, &broken), (2, 0));
    // A `return` outside a function above it is the compiler's error, which comes after the
    // parser's: the message stays, and the cached result still equals a fresh one.
    let outside = broken.replace("User = 1\n", "User = 1\nreturn\n");
    recomputed(&broken, &outside);
}
