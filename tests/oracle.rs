//! CPython is the oracle: the fixtures under fixtures/order and at least 300 generated projects
//! are run with real `python3` (with an import tracer) and through `modcache order`, and again
//! (with 100 generated projects) under every other CPython 3.8–3.13 the machine has; any
//! difference in load order or outcome fails a test with the whole case printed.

use std::process::Command;

/// Runs tests/oracle/run.py with `args` after `--modcache BINARY`, fails with every case that
/// disagreed, and returns what it printed.
fn run_oracle(args: &[&str]) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new("python3")
        .current_dir(root)
        .args(["tests/oracle/run.py", "--modcache", env!("CARGO_BIN_EXE_modcache")])
        .args(args)
        .output()
        .expect("python3 must be installed to run the oracle");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failures: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("ok ")).collect();
    assert!(output.status.success(), "modcache disagrees with CPython:\n{}\n{stderr}", failures.join("\n"));
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" 0 failed"), "unexpected summary line: {last}");
    stdout
}

#[test]
fn modcache_order_agrees_with_cpython() {
    let random = std::env::var("MODCACHE_ORACLE_RANDOM").unwrap_or_else(|_| "300".to_string());
    run_oracle(&["--random", &random]);
}

/// The same with every CPython 3.8–3.13 that the machine has (pyenv's versions, `python3.X` on
/// PATH), each as the oracle and as the interpreter modcache models: messages and errors differ
/// between versions (3.9 made a relative import beyond the top-level package an ImportError,
/// 3.11 added "cannot access submodule", 3.13 names the file and suggests renaming it).
#[test]
fn modcache_order_agrees_with_every_installed_cpython() {
    let random = std::env::var("MODCACHE_ORACLE_RANDOM_EACH").unwrap_or_else(|_| "100".to_string());
    let stdout = run_oracle(&["--every-python", "--random", &random]);
    let interpreters = stdout.lines().find(|l| l.starts_with("interpreters: ")).unwrap_or_default();
    eprintln!("{interpreters}");
}
