//! Runs that begin alike share their beginning: [`simulate_all`] continues the runs of `import
//! top.a.b` from one run of `import top`, and must give every entry the same load order, and the
//! same record of what the run read, as [`simulate_recording`] gives the entry alone.

mod support;

use std::path::Path;
use std::sync::Arc;

use modcache::analysis::config::{Config, Entry};
use modcache::analysis::project::Project;
use modcache::analysis::python_env::PythonEnv;
use modcache::analysis::simulate::{simulate_all, simulate_recording, Reads};
use modcache::analysis::summary::summarize;
use modcache::workspace::{self, LoadOptions};

/// Compares, for `import m` of every module `m` of the project, the shared run with the run
/// alone; returns how many runs were compared.
fn check_same_runs(project: &Project, label: &str) -> usize {
    let mut modules: Vec<String> = project.files().filter_map(|(path, _)| project.module_name(path)).collect();
    modules.sort();
    modules.dedup();
    let entries: Vec<Entry> = modules.into_iter().map(Entry::Import).collect();
    let refs: Vec<&Entry> = entries.iter().collect();
    let shared = simulate_all(project, &refs);
    assert_eq!(shared.len(), entries.len(), "{label}: one run per entry");
    for (entry, (order, reads)) in entries.iter().zip(&shared) {
        let (alone, alone_reads) = simulate_recording(project, entry);
        assert_eq!(*order, alone, "{label}: the load order of {entry:?}");
        assert_same_reads(reads, &alone_reads, &format!("{label}: {entry:?}"));
    }
    entries.len()
}

fn assert_same_reads(a: &Reads, b: &Reads, label: &str) {
    let files = |reads: &Reads| {
        let mut files: Vec<(u64, Option<usize>)> =
            reads.files.iter().map(|(hash, summary)| (*hash, summary.as_ref().map(|s| Arc::as_ptr(s) as usize))).collect();
        files.sort();
        files
    };
    assert_eq!(files(a), files(b), "{label}: the files read");
    assert_eq!(a.called, b.called, "{label}: the functions called");
    assert_eq!(a.names, b.names, "{label}: the names looked up");
}

fn load(root: &Path) -> Project {
    let options = LoadOptions { probe_interpreter: false, ..LoadOptions::default() };
    workspace::load(root, &options).unwrap_or_else(|e| panic!("{}: {e}", root.display())).project
}

#[test]
fn shared_beginnings_give_the_runs_of_each_entry_alone() {
    // Parents first, children imported by their parent's code, a child that its parent does
    // not import, a failing package and the modules below it, a namespace package, a cycle
    // between subpackages, and a first-party package named like a module that is already in
    // `sys.modules` at start-up (`encodings`), whose preloaded submodule is a cache hit.
    let project = support::project(
        "# file: app/__init__.py\nfrom app import core\nVALUE = core.VALUE\n\
         # file: app/core/__init__.py\nfrom .models import User\nVALUE = 1\n\
         # file: app/core/models.py\nfrom app.core import services\nclass User: pass\n\
         # file: app/core/services.py\nfrom app.core.models import User\n\
         # file: app/extra/__init__.py\n\
         # file: app/extra/tool.py\nimport app\nprint(app.VALUE)\n\
         # file: broken/__init__.py\nfrom broken.a import missing\n\
         # file: broken/a.py\nimport broken.b\n\
         # file: broken/b.py\nX = 1\n\
         # file: space/inner/mod.py\nimport space.inner.other\n\
         # file: space/inner/other.py\nimport space.inner.mod\n\
         # file: encodings/__init__.py\nimport encodings.local\n\
         # file: encodings/local.py\nLOCAL = 1\n\
         # file: encodings/utf_8.py\nimport encodings.local\n",
    );
    assert_eq!(check_same_runs(&project, "inline fixture"), 14);

    // A submodule already in `sys.modules` at start-up whose package is not: `import
    // pkg.pre` is a cache hit that never runs `pkg`, unlike `import pkg.other`. And a
    // submodule that cannot be shadowed, below a package that can.
    let mut env = PythonEnv::default();
    env.preloaded.insert("pkg.pre".to_string());
    env.builtin.insert("pkg.builtin".to_string());
    let files = support::parse_fixture(
        "# file: pkg/__init__.py\nimport pkg.other\n\
         # file: pkg/pre.py\nimport pkg.other\n\
         # file: pkg/builtin.py\nX = 1\n\
         # file: pkg/other.py\nimport pkg.pre\n",
    );
    let summaries = files.into_iter().map(|(path, text)| (path, Arc::new(summarize(&text)))).collect();
    let project = Project::new(summaries, &[], Config::default(), env);
    assert_eq!(check_same_runs(&project, "preloaded submodule"), 4);
}

#[test]
fn shared_beginnings_give_the_runs_of_each_entry_alone_in_every_order_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/order");
    let mut compared = 0;
    for fixture in std::fs::read_dir(&root).expect("fixtures/order exists") {
        let fixture = fixture.expect("fixtures/order can be listed").path();
        compared += check_same_runs(&load(&fixture), &fixture.display().to_string());
    }
    assert!(compared > 200, "only {compared} runs compared");
}

/// The same comparison on a large folder of real code: this machine's standard library with
/// its tests (python3 is on every machine; it is the oracle too), or any folder named by
/// `MODCACHE_SIMULATE_DIR` (site-packages, for instance; in a release build:
/// `MODCACHE_SIMULATE_DIR=/path cargo test --release --test simulate`).
#[test]
fn shared_beginnings_give_the_runs_of_each_entry_alone_in_a_large_folder() {
    let dir = std::env::var("MODCACHE_SIMULATE_DIR").unwrap_or_else(|_| {
        let output = std::process::Command::new("python3")
            .args(["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"])
            .output()
            .expect("python3 runs");
        assert!(output.status.success(), "python3 names its standard library");
        String::from_utf8(output.stdout).expect("the path is UTF-8").trim().to_string()
    });
    let compared = check_same_runs(&load(Path::new(&dir)), &dir);
    assert!(compared > 500, "only {compared} runs compared in {dir}");
}
