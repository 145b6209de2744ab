//! End-to-end tests of the `modcache` binary: formats, exit codes, bad input.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

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

fn modcache(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_modcache")).current_dir(dir).args(args).output().unwrap()
}

fn workspace(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::write_fixture(dir.path(), fixture);
    dir
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[test]
fn check_reports_mc002_at_services_line_1_in_every_format() {
    let ws = workspace(CRASHING_CYCLE);
    let dir = ws.path();

    let text = modcache(dir, &["check"]);
    assert_eq!(text.status.code(), Some(1), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(out.contains("error[MC002 circular-import-error]"), "{out}");
    assert!(out.contains(" --> services.py:1:1"), "{out}");
    assert!(out.contains("1 | from models import User"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour codes when not on a terminal");

    let report = json(&modcache(dir, &["check", "--format", "json"]));
    assert_eq!(report["version"], 1);
    let mc002: Vec<&Value> = report["diagnostics"].as_array().unwrap().iter().filter(|d| d["code"] == "MC002").collect();
    let services = mc002.iter().find(|d| d["path"] == "services.py").expect("MC002 in services.py");
    assert_eq!(services["range"]["start"], serde_json::json!({"line": 1, "column": 1}));
    assert_eq!(services["range"]["end"], serde_json::json!({"line": 1, "column": 24}));
    assert_eq!(services["severity"], "error");
    assert!(services["message"].as_str().unwrap().contains("python main.py"));
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["modules"], 3);

    let github = stdout(&modcache(dir, &["check", "--format", "github"]));
    assert!(
        github.lines().any(|l| l.starts_with("::error title=MC002 (circular-import-error),file=services.py,line=1,col=1,")),
        "{github}"
    );

    let sarif_output = modcache(dir, &["check", "--format", "sarif"]);
    assert_eq!(sarif_output.status.code(), Some(1));
    let sarif = json(&sarif_output);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "MC002"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services.py"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 1));
    let log = dir.join("out.sarif");
    std::fs::write(&log, &sarif_output.stdout).unwrap();
    let validate = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/sarif/validate.py"))
        .arg(&log)
        .output()
        .unwrap();
    assert!(validate.status.success(), "SARIF is not valid 2.1.0:\n{}{}", stdout(&validate), stderr(&validate));
}

#[test]
fn exit_codes() {
    let ws = workspace(CRASHING_CYCLE);
    assert_eq!(modcache(ws.path(), &["check", "--exit-zero"]).status.code(), Some(0));
    let missing = modcache(ws.path(), &["check", "does/not/exist"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("does/not/exist: no such file or directory"), "{}", stderr(&missing));
    let bad_select = modcache(ws.path(), &["check", "--select", "XX9"]);
    assert_eq!(bad_select.status.code(), Some(2));
    assert!(stderr(&bad_select).contains("unknown rule selector"));
    let clean = workspace("# file: a.py\nimport os\n");
    let ok = modcache(clean.path(), &["check"]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).contains("All checks passed!"));
    let usage = modcache(ws.path(), &["check", "--format", "xml"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn select_and_ignore_flags() {
    let ws = workspace(CRASHING_CYCLE);
    let only_cycles = json(&modcache(ws.path(), &["check", "--format", "json", "--select", "MC001"]));
    assert!(only_cycles["diagnostics"].as_array().unwrap().iter().all(|d| d["code"] == "MC001"));
    let none = modcache(ws.path(), &["check", "--ignore", "MC001,MC002"]);
    assert_eq!(none.status.code(), Some(0), "{}", stdout(&none));
}

#[test]
fn invalid_configuration_is_a_clear_error() {
    let ws = workspace("# file: modcache.toml\nentrys = []\n# file: a.py\n");
    let output = modcache(ws.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("modcache.toml: invalid configuration"), "{}", stderr(&output));
}

#[test]
fn bad_files_are_reported_and_the_run_goes_on() {
    let ws = workspace(CRASHING_CYCLE);
    let dir = ws.path();
    std::fs::write(dir.join("binary.py"), b"\x00\x01\x02ELF").unwrap();
    std::fs::write(dir.join("latin.py"), b"s = '\xe9'\n").unwrap();
    std::fs::write(dir.join("cookie.py"), b"# -*- coding: latin-1 -*-\ns = '\xe9'\n").unwrap();
    std::fs::write(dir.join("broken.py"), "def f(:\n").unwrap();
    std::fs::write(dir.join("unclosed.py"), "import os\nx = os.path.join(1,\n\ny = 2\n").unwrap();
    std::fs::create_dir(dir.join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.join("loop"), dir.join("loop/again")).unwrap();
    let output = modcache(dir, &["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("binary.py: cannot decode: source code cannot contain null bytes"), "{err}");
    assert!(err.contains("latin.py: cannot decode: not valid utf-8"), "{err}");
    assert!(err.contains("broken.py: syntax error at line 1"), "{err}");
    // A file that does not parse is reported with what the modelled CPython raises.
    assert!(err.contains("unclosed.py: syntax error at line 2: importing the file raises SyntaxError ('(' was never closed)"), "{err}");
    // Each file is reported once, and a file that cannot be decoded not as a syntax error.
    assert_eq!(err.matches("broken.py").count(), 1, "{err}");
    assert!(!err.contains("binary.py: syntax error"), "{err}");
    assert!(err.contains("symbolic link loop"), "{err}");
    assert!(!err.contains("cookie.py"), "a PEP 263 cookie is honoured: {err}");
    let report = json(&output);
    let problems: Vec<&str> =
        report["summary"]["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert!(problems.contains(&"binary.py") && problems.contains(&"latin.py"), "{problems:?}");
    assert!(report["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == "MC002"));
}

#[test]
fn syntax_the_modelled_version_does_not_compile_is_reported_as_a_problem() {
    let fixture = "\
# file: pyproject.toml
[tool.modcache]
python-version = \"3.9\"
# file: main.py
import lib
# file: lib.py
def run(value):
    match value:
        case _:
            pass
";
    let ws = workspace(fixture);
    let output = modcache(ws.path(), &["check", "--format", "json"]);
    let expected = "unsupported syntax at line 2: a `match` statement needs Python 3.10, and the modelled version is 3.9: importing the \
                    file raises SyntaxError (invalid syntax)";
    assert!(stderr(&output).contains(&format!("lib.py: {expected}")), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["summary"]["problems"], serde_json::json!([{"path": "lib.py", "message": expected}]));
    let order = json(&modcache(ws.path(), &["order", "--format", "json", "main.py"]));
    assert_eq!(order["outcome"]["message"], "invalid syntax (lib.py, line 2)");
    // 3.10 compiles the file: no problem, and the run goes on.
    std::fs::write(ws.path().join("pyproject.toml"), "[tool.modcache]\npython-version = \"3.10\"\n").unwrap();
    let report = json(&modcache(ws.path(), &["check", "--format", "json"]));
    assert_eq!(report["summary"]["problems"], serde_json::json!([]));
}

#[test]
fn python_2_tokens_and_ambiguous_tabs_are_reported_as_problems() {
    let fixture = "\
# file: pyproject.toml
[tool.modcache]
python-version = \"3.11\"
# file: main.py
import legacy
# file: legacy.py
MODE = 0755
# file: tabs.py
def f(x):
        if x:
\treturn 1
";
    let ws = workspace(fixture);
    let output = modcache(ws.path(), &["check", "--format", "json"]);
    let report = json(&output);
    let legacy = "unsupported syntax at line 1: an integer with leading zeros (Python 2's octal `010`) is not valid Python 3 \
                  syntax, and the modelled version is 3.11: importing the file raises SyntaxError (leading zeros in decimal \
                  integer literals are not permitted; use an 0o prefix for octal integers)";
    let tabs = "unsupported syntax at line 3: indentation that mixes tabs and spaces ambiguously is not valid Python 3 syntax, \
                and the modelled version is 3.11: importing the file raises TabError (inconsistent use of tabs and spaces in \
                indentation)";
    assert_eq!(
        report["summary"]["problems"],
        serde_json::json!([{"path": "legacy.py", "message": legacy}, {"path": "tabs.py", "message": tabs}])
    );
    let order = json(&modcache(ws.path(), &["order", "--format", "json", "main.py"]));
    assert_eq!(order["outcome"]["error"], "SyntaxError");
}

#[test]
fn a_file_that_parses_but_does_not_compile_is_reported_as_a_problem() {
    let fixture = "\
# file: main.py
import lib
# file: lib.py
import os
from __future__ import annotations
";
    let ws = workspace(fixture);
    let output = modcache(ws.path(), &["check", "--format", "json"]);
    let expected = "does not compile at line 2: importing the file raises SyntaxError (from __future__ imports must occur at \
                    the beginning of the file)";
    assert!(stderr(&output).contains(&format!("lib.py: {expected}")), "{}", stderr(&output));
    assert_eq!(json(&output)["summary"]["problems"], serde_json::json!([{"path": "lib.py", "message": expected}]));
    let order = json(&modcache(ws.path(), &["order", "--format", "json", "main.py"]));
    assert_eq!(order["outcome"]["message"], "from __future__ imports must occur at the beginning of the file (lib.py, line 2)");
}

#[test]
fn environments_are_skipped_but_a_venv_package_is_not() {
    let ws = workspace(
        "\
# file: main.py
from venv import X
import pkg
# file: venv/__init__.py
X = 1
# file: pkg/__init__.py
from pkg import core
# file: pkg/core.py
from pkg import _speedups
# file: myenv/pyvenv.cfg
home = /usr/bin
# file: myenv/broken.py
def f(:
# file: condaenv/conda-meta/history
# file: condaenv/broken.py
def f(:
",
    );
    let dir = ws.path();
    // A compiled extension module: the finder takes it before any `.py` of the same name, so
    // `from pkg import _speedups` in the partially initialised package does not crash.
    std::fs::write(dir.join("pkg/_speedups.cpython-311-x86_64-linux-gnu.so"), b"\x7fELF").unwrap();
    let output = modcache(dir, &["check", "--format", "json", "--no-progress"]);
    let codes: Vec<String> =
        json(&output)["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    // The package cycle is reported from both sides and `venv/` shadows the standard library,
    // but nothing crashes (no MC002).
    assert_eq!(codes, ["MC001", "MC001", "MC004"], "{}", stdout(&output));
    assert!(!stderr(&output).contains("broken.py"), "environments are not walked: {}", stderr(&output));
    let order = json(&modcache(dir, &["order", "--format", "json", "main.py"]));
    let paths: Vec<&str> = order["order"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["main.py", "venv/__init__.py", "pkg/__init__.py", "pkg/core.py"], "{order}");
    assert_eq!(order["outcome"]["status"], "ok", "{order}");
}

#[test]
fn order_json_and_text() {
    let ws = workspace(CRASHING_CYCLE);
    let out = json(&modcache(ws.path(), &["order", "--format", "json", "main.py"]));
    assert_eq!(
        out,
        serde_json::json!({
            "entry": "main.py",
            "order": [
                {"module": "__main__", "path": "main.py"},
                {"module": "models", "path": "models.py", "imported_from": {"path": "main.py", "line": 1}},
                {"module": "services", "path": "services.py", "imported_from": {"path": "models.py", "line": 1}}
            ],
            "outcome": {"status": "error", "error": "ImportError", "path": "services.py", "line": 1,
                        "message": "cannot import name 'User' from partially initialized module 'models'"}
        })
    );
    let text = stdout(&modcache(ws.path(), &["order", "--root", ".", "main.py"]));
    insta::assert_snapshot!(text);
    let twice = json(&modcache(ws.path(), &["order", "--format", "json", "-m", "services"]));
    // services runs as __main__, models imports `services` (a second copy), which fails.
    assert_eq!(twice["outcome"]["path"], "services.py");
    let missing = modcache(ws.path(), &["order", "nope.py"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("can't open file"));
}

#[test]
fn graph_formats_highlight_cycles() {
    let ws = workspace(CRASHING_CYCLE);
    let dot = stdout(&modcache(ws.path(), &["graph"]));
    assert!(dot.contains("\"models\" -> \"services\" [label=\"models.py:1\", color=red"), "{dot}");
    assert!(dot.contains("\"main\" -> \"models\" [label=\"main.py:1\"]"), "{dot}");
    let mermaid = stdout(&modcache(ws.path(), &["graph", "--format", "mermaid"]));
    assert!(mermaid.starts_with("graph LR\n") && mermaid.contains("linkStyle"), "{mermaid}");
    let graph = json(&modcache(ws.path(), &["graph", "--format", "json"]));
    assert_eq!(graph["cycles"], serde_json::json!([["models", "services"]]));
}

#[test]
fn explain_prints_every_rule_and_docs_are_generated_from_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    for rule in modcache::analysis::rules::RULES {
        let output = modcache(&root, &["explain", rule.code]);
        assert_eq!(output.status.code(), Some(0));
        let text = stdout(&output);
        assert!(text.starts_with(&format!("# {} ({})", rule.code, rule.name)));
        for section in ["## What it does", "## Why is this bad?", "## Example", "## How to fix", "## What it does not flag"] {
            assert!(text.contains(section), "{} lacks {section}", rule.code);
        }
        let page = root.join("docs/rules").join(format!("{}.md", rule.code));
        if update {
            std::fs::create_dir_all(page.parent().unwrap()).unwrap();
            std::fs::write(&page, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&page).unwrap_or_default();
        assert_eq!(on_disk, text, "docs/rules/{}.md is out of date: run UPDATE_DOCS=1 cargo test --test cli", rule.code);
    }
    assert_eq!(modcache(&root, &["explain", "MC999"]).status.code(), Some(2));
}

/// The binary turns transparent huge pages off for itself (`allocator::set_up`), which the
/// kernel shows in `/proc/PID/status`. The language server waits on its input, so its status can
/// be read while it runs; `set_up` is the first statement of `main`, hence the short wait.
#[cfg(target_os = "linux")]
#[test]
fn the_binary_runs_without_transparent_huge_pages() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let mut server = Command::new(env!("CARGO_BIN_EXE_modcache"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", server.id());
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < Duration::from_secs(10) {
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        last = status.lines().find(|line| line.starts_with("THP_enabled:")).unwrap_or("").to_string();
        if last.ends_with('0') {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(last.split_whitespace().collect::<Vec<_>>(), ["THP_enabled:", "0"], "{status_file}: {last:?}");
}

/// The interpreter is asked in the workspace, as the user runs `python3` there: a version
/// manager's pin (pyenv's `.python-version`) chooses it, and the workspace's own `json.py` and
/// `sysconfig.py` do not break the probe. CPython run in the same folder is the oracle. Where
/// pyenv pins another version than the global one, the pin decides which module the entry
/// imports; without pyenv the two answers must still agree.
#[test]
fn the_interpreter_is_the_one_python3_runs_in_the_workspace() {
    let other_version = Command::new("pyenv")
        .args(["versions", "--bare"])
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .find(|v| v.starts_with("3.") && !v.starts_with("3.11") && v.split('.').nth(1).is_some_and(|m| m.parse::<u32>().is_ok_and(|m| m >= 8)))
        .map(str::to_string);
    let mut fixture = String::from(
        "\
# file: main.py
import sys
if sys.version_info[:2] == (3, 11):
    import eleven
else:
    import not_eleven
# file: eleven.py
print('eleven')
# file: not_eleven.py
print('not_eleven')
# file: json.py
raise SystemExit('the workspace json.py ran')
# file: sysconfig.py
raise SystemExit('the workspace sysconfig.py ran')
",
    );
    if let Some(version) = &other_version {
        fixture.push_str(&format!("# file: .python-version\n{version}\n"));
    } else {
        eprintln!("pyenv or a second Python 3 version is missing: only the shadowing half is tested");
    }
    let ws = workspace(&fixture);
    // Runs main.py under CPython in the workspace, checks that `modcache order` ran the module
    // CPython imported, and returns that module's name.
    let agree_with_cpython = || {
        let cpython = Command::new("python3").arg("main.py").current_dir(ws.path()).output().unwrap();
        assert!(cpython.status.success(), "python3 main.py: {}", stderr(&cpython));
        let expected = stdout(&cpython).trim().to_string();
        let out = json(&modcache(ws.path(), &["order", "--format", "json", "main.py"]));
        let modules: Vec<&str> = out["order"].as_array().unwrap().iter().filter_map(|m| m["module"].as_str()).collect();
        assert_eq!(modules, ["__main__", expected.as_str()], "{out}");
        expected
    };
    let imported = agree_with_cpython();
    if other_version.is_some() {
        assert_eq!(imported, "not_eleven", "the pin should have chosen another Python than 3.11");
    }
    // Without the pin the global Python decides; `[:2]` is a 2-tuple, equal to `(3, 11)` on 3.11.
    let _ = std::fs::remove_file(ws.path().join(".python-version"));
    agree_with_cpython();
}
