//! CPython is the oracle: the fixtures under fixtures/order and at least 300 generated projects
//! are run with real `python3` (with an import tracer) and through `modcache order`; any
//! difference in load order or outcome fails this test with the whole case printed.

use std::process::Command;

#[test]
fn modcache_order_agrees_with_cpython() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let random = std::env::var("MODCACHE_ORACLE_RANDOM").unwrap_or_else(|_| "300".to_string());
    let output = Command::new("python3")
        .current_dir(root)
        .args(["tests/oracle/run.py", "--modcache", env!("CARGO_BIN_EXE_modcache"), "--random", &random])
        .output()
        .expect("python3 must be installed to run the oracle");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failures: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("ok ")).collect();
    assert!(
        output.status.success(),
        "modcache disagrees with CPython:\n{}\n{stderr}",
        failures.join("\n")
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" 0 failed"), "unexpected summary line: {last}");
}
