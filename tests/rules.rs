//! Rule fixtures: each case is a multi-file project and the exact findings it must produce,
//! as `path:line CODE`. Near misses are cases whose expected list is empty.

mod support;

use modcache::analysis::check::analyze;

/// Runs every rule over the fixture and compares `path:line CODE` of all findings.
fn check(fixture: &str, expected: &[&str]) {
    let project = support::project(fixture);
    let analysis = analyze(&project);
    let actual: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.path, project.summary(&d.path).unwrap().line_number(d.range.start), d.code))
        .collect();
    let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        actual,
        expected,
        "\nfindings differ; messages:\n{}",
        analysis.diagnostics.iter().map(|d| format!("  {}: {}", d.code, d.message)).collect::<Vec<_>>().join("\n")
    );
}

/// The first finding's message, for snapshot tests.
fn messages(fixture: &str) -> Vec<String> {
    let project = support::project(fixture);
    analyze(&project).diagnostics.iter().map(|d| format!("{} {}: {}", d.path, d.code, d.message)).collect()
}

const CRASHING_CYCLE: &str = "\
# file: main.py
import models
# file: models.py
from services import save

class User:
    pass
# file: services.py
from models import User

def save(user):
    return user
";

#[test]
fn crashing_cycle_is_mc002_from_both_sides_and_mc001_on_both_edges() {
    check(
        CRASHING_CYCLE,
        &["models.py:1 MC001", "models.py:1 MC002", "services.py:1 MC001", "services.py:1 MC002"],
    );
}

#[test]
fn crashing_cycle_messages_name_entry_order_name_and_binding() {
    insta::assert_debug_snapshot!(messages(CRASHING_CYCLE));
}

#[test]
fn configured_entry_is_named_in_mc002() {
    let fixture = format!("# file: modcache.toml\nentries = [\"main.py\"]\n{CRASHING_CYCLE}");
    let msgs = messages(&fixture);
    let services = msgs.iter().find(|m| m.starts_with("services.py MC002")).unwrap();
    assert!(services.contains("`python main.py`"), "{services}");
    assert!(services.contains("`__main__` (main.py) → `models` → `services`"), "{services}");
    assert!(services.contains("bound at models.py:3"), "{services}");
}

#[test]
fn harmless_cycle_is_only_mc001() {
    check(
        "\
# file: a.py
X = 1
import b
# file: b.py
from a import X
Y = 2
",
        &["a.py:2 MC001", "b.py:1 MC001"],
    );
}

#[test]
fn attribute_read_on_partial_module_is_mc002() {
    check(
        "\
# file: a.py
import b
VALUE = 1
# file: b.py
import a
COPY = a.VALUE
",
        &["a.py:1 MC001", "b.py:1 MC001", "b.py:2 MC002"],
    );
}

#[test]
fn type_checking_and_function_imports_are_not_cycle_edges() {
    check(
        "\
# file: models.py
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from services import save

class User:
    pass
# file: services.py
from models import User

def save(user):
    from models import User
    return User
",
        &[],
    );
}

#[test]
fn import_in_function_called_at_top_level_is_an_edge() {
    check(
        "\
# file: a.py
def setup():
    import b

setup()
X = 1
# file: b.py
from a import X
",
        // Entered from `a`, setup() imports b while `a` has not bound X yet.
        &["a.py:2 MC001", "b.py:1 MC001", "b.py:1 MC002"],
    );
}

#[test]
fn main_guard_imports_are_not_cycle_edges() {
    // No MC001; but `python b.py` runs b.py as __main__, whose guard imports `a`, which imports
    // `b`: the script runs a second time, which is MC003.
    check(
        "\
# file: a.py
import b
# file: b.py
if __name__ == \"__main__\":
    import a
",
        &["a.py:1 MC003"],
    );
}

#[test]
fn script_reimported_is_mc003() {
    check(
        "\
# file: main.py
import app
handlers = []
if __name__ == \"__main__\":
    app.run()
# file: app.py
def run():
    from main import handlers
    return handlers
",
        &["app.py:2 MC003"],
    );
}

#[test]
fn script_reimported_at_import_time_is_mc003() {
    check(
        "\
# file: main.py
import helper
STATE = {}
if __name__ == \"__main__\":
    print(helper.NAME)
# file: helper.py
import main
NAME = 'x'
",
        &["helper.py:1 MC001", "helper.py:1 MC003", "main.py:1 MC001"],
    );
}

#[test]
fn importing_a_script_from_an_unrelated_module_is_not_mc003() {
    check(
        "\
# file: main.py
STATE = {}
if __name__ == \"__main__\":
    print(STATE)
# file: tools.py
import main
# file: other.py
X = 1
",
        &[],
    );
}

#[test]
fn stdlib_shadowing_is_mc004_only_when_imported() {
    check(
        "\
# file: app.py
import csv
# file: csv.py
def reader():
    return []
# file: json.py
X = 1
",
        &["csv.py:1 MC004"],
    );
}

#[test]
fn modules_inside_packages_do_not_shadow() {
    check(
        "\
# file: app.py
import csv
from pkg import csv as local_csv
# file: pkg/__init__.py
# file: pkg/csv.py
X = 1
",
        &[],
    );
}

#[test]
fn suppression_comments_silence_findings() {
    check(
        "\
# file: a.py
import b  # modcache: ignore[MC001]
VALUE = 1
# file: b.py
import a  # noqa: MC001
COPY = a.VALUE  # modcache: ignore
",
        &[],
    );
}

#[test]
fn select_ignore_and_per_file_ignores_filter_codes() {
    let base = "\
# file: a.py
import b
VALUE = 1
# file: b.py
import a
COPY = a.VALUE
";
    check(&format!("# file: modcache.toml\nselect = [\"MC002\"]\n{base}"), &["b.py:2 MC002"]);
    check(&format!("# file: modcache.toml\nignore = [\"MC00\"]\n{base}"), &[]);
    check(
        &format!("# file: modcache.toml\n[per-file-ignores]\n\"b.py\" = [\"MC001\"]\n{base}"),
        &["a.py:1 MC001", "b.py:2 MC002"],
    );
}

#[test]
fn severity_overrides_apply() {
    let project = support::project(&format!("# file: modcache.toml\n[severity]\nMC001 = \"error\"\n{CRASHING_CYCLE}"));
    let analysis = analyze(&project);
    assert!(analysis.diagnostics.iter().all(|d| d.severity == modcache::analysis::diagnostic::Severity::Error));
}

#[test]
fn cycle_through_package_init_and_relative_imports() {
    check(
        "\
# file: main.py
import pkg
# file: pkg/__init__.py
from .a import helper
CONFIG = {}
# file: pkg/a.py
from . import CONFIG

def helper():
    return CONFIG
",
        // `pkg` always starts first (parents first), so only pkg/a.py can crash.
        &["pkg/__init__.py:1 MC001", "pkg/a.py:1 MC001", "pkg/a.py:1 MC002"],
    );
}
