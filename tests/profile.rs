//! The facts behind the server's hovers: what a module's top level does at import time, and who
//! changes a module-level name afterwards. Each case is a multi-file project and the facts
//! rendered one per line.

mod support;

use modcache::analysis::profile::{import_profile, name_changes};

/// Renders the import-time profile of `path` as `effect|mutable|singleton name-or-call line`.
fn profile(fixture: &str, path: &str) -> Vec<String> {
    let project = support::project(fixture);
    let summary = project.summary(path).expect("the fixture has the file");
    let facts = import_profile(&project, path, summary);
    let mut lines: Vec<String> = facts.effects.iter().map(|e| format!("effect {:?} {} line {}", e.kind, e.what, e.line)).collect();
    lines.extend(facts.mutable.iter().map(|b| format!("mutable {} {} line {}", b.name, b.kind, b.line)));
    lines.extend(facts.singletons.iter().map(|b| format!("singleton {} {} line {}", b.name, b.kind, b.line)));
    lines
}

fn check_profile(fixture: &str, path: &str, expected: &[&str]) {
    assert_eq!(profile(fixture, path), expected);
}

/// Renders every change of `path`'s global `name` as `path:line function verb`.
fn check_changes(fixture: &str, path: &str, name: &str, expected: &[&str]) {
    let project = support::project(fixture);
    let actual: Vec<String> = name_changes(&project, path, name)
        .iter()
        .map(|c| format!("{}:{} {} {}{}", c.path, c.line, c.function.as_deref().unwrap_or("-"), c.verb, if c.top_level { " (top level)" } else { "" }))
        .collect();
    assert_eq!(actual, expected);
}

const STATE: &str = "\
# file: state.py
import os
import random

cache = {}
USERS = []
LIMITS = (1, 2)
ENV = os.getenv(\"APP_ENV\")
SEED = random.randint(1, 100)
print(\"loading state\")

class DatabaseService:
    pass

service = DatabaseService()
log = None

def put(key, value):
    cache[key] = value

if __name__ == \"__main__\":
    print(\"only as a script\")
# file: app.py
import state
from state import USERS as people

state.cache.clear()

def add(name):
    people.append(name)

def reset():
    state.USERS = []
# file: worker.py
from state import cache

def work():
    cache.setdefault(\"jobs\", []).append(1)
";

#[test]
fn import_profile_lists_effects_state_and_singletons_that_run_on_import() {
    check_profile(
        STATE,
        "state.py",
        &[
            "effect EnvRead os.getenv() line 7",
            "effect Nondeterminism random.randint() line 8",
            "effect SideEffect(Output) print() line 9",
            "mutable cache dict line 4",
            "mutable USERS list line 5",
            "singleton service DatabaseService line 14",
        ],
    );
    // A module without import-time behaviour has an empty profile.
    check_profile("# file: quiet.py\nX = (1, 2)\n\ndef f():\n    print(X)\n", "quiet.py", &[]);
}

#[test]
fn name_changes_follow_imports_aliases_and_module_attributes() {
    check_changes(
        STATE,
        "state.py",
        "cache",
        &["app.py:4 - clears (top level)", "state.py:18 put sets an item of", "worker.py:4 work changes an item of"],
    );
    check_changes(STATE, "state.py", "USERS", &["app.py:7 add appends to", "app.py:10 reset rebinds"]);
    check_changes(STATE, "state.py", "LIMITS", &[]);
}

/// Renders the profile of the `index`-th reload call in `path` on one line.
fn check_reload(fixture: &str, path: &str, index: usize, expected: &str) {
    use modcache::analysis::profile::{reload_profile, ReloadProfile};
    let project = support::project(fixture);
    let summary = project.summary(path).expect("the fixture has the file");
    let reload = &summary.state.reloads[index];
    let actual = match reload_profile(&project, path, summary, reload) {
        ReloadProfile::Module { module, file, stale, submodules } => {
            let stale: Vec<String> = stale.iter().map(|s| format!("{}:{} {}", s.path, s.line, s.names.join(","))).collect();
            format!("{module} ({}); stale: {}; submodules: {}", file.as_deref().unwrap_or("-"), stale.join(" "), submodules.join(" "))
        }
        ReloadProfile::NotModule { what } => format!("not a module: {what}"),
        ReloadProfile::Unknown => "unknown".to_string(),
    };
    assert_eq!(actual, expected);
}

const RELOADS: &str = "\
# file: points.py
class Point:
    pass
# file: app.py
import importlib
import points
from points import Point

importlib.reload(points)
# file: view.py
from points import Point as P
from points import Point as P

def draw():
    from points import Point
# file: fresh.py
import importlib
import points

def refresh():
    from points import Point
    importlib.reload(points)
    from points import Point
    return Point
# file: bad.py
import importlib
importlib.reload('points')
# file: pkg/__init__.py
# file: pkg/sub.py
X = 1
# file: reloader.py
import importlib
import pkg
import json
importlib.reload(pkg)
importlib.reload(json)
";

#[test]
fn reload_profile_names_what_stays_stale_and_what_does_not_run_again() {
    // Module-level `from` imports anywhere keep old objects; function-level ones in other
    // files run again at each call; names bound again after the reload are fresh.
    check_reload(RELOADS, "app.py", 0, "points (points.py); stale: app.py:3 Point view.py:1 P; submodules: ");
    check_reload(RELOADS, "fresh.py", 0, "points (points.py); stale: app.py:3 Point view.py:1 P; submodules: ");
    check_reload(RELOADS, "bad.py", 0, "not a module: the string 'points'");
    check_reload(RELOADS, "reloader.py", 0, "pkg (pkg/__init__.py); stale: ; submodules: pkg.sub");
    check_reload(RELOADS, "reloader.py", 1, "json (-); stale: ; submodules: ");
}
