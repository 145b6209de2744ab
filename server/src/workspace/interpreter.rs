//! Asking the project's Python interpreter what the analysis needs to know about it.
//!
//! Like pyright, modcache runs the configured interpreter once: its version and platform, which
//! modules are built in or already loaded at start-up, its standard-library folder, and the
//! top-level names importable from site-packages. Without a working interpreter the embedded
//! defaults stand in and third-party imports are assumed to succeed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;

use crate::analysis::python_env::PythonEnv;
use crate::analysis::summary::PythonVersion;

/// The script run in the interpreter. It records `sys.modules` before importing anything, so the
/// start-up set is what user code sees. It runs in the workspace (see [`probe`]), whose folder
/// `-c` puts first on `sys.path` as `''`; that entry goes before the probe imports anything, so
/// that a `json.py` or `site.py` of the workspace cannot stand in for the standard library's.
const PROBE: &str = r#"
import sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
preloaded = sorted(sys.modules)
import json, sysconfig, site
paths = sysconfig.get_paths()
try:
    site_dirs = site.getsitepackages()
except AttributeError:
    site_dirs = []
if site.ENABLE_USER_SITE:
    site_dirs.append(site.getusersitepackages())
site_dirs.append(paths.get("purelib", ""))
site_dirs.append(paths.get("platlib", ""))
stdlib_names = getattr(sys, "stdlib_module_names", None)
if stdlib_names is None:
    # Before 3.10: what the standard library's folders hold (3.8 has no tomllib or graphlib).
    import os
    stdlib_names = set(sys.builtin_module_names)
    stdlib = paths.get("stdlib", "")
    for folder in {stdlib, paths.get("platstdlib", ""), os.path.join(stdlib, "lib-dynload")}:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".py"):
                stdlib_names.add(entry[:-3])
            elif entry.endswith((".so", ".pyd")):
                stdlib_names.add(entry.split(".")[0])
            elif os.path.isfile(os.path.join(folder, entry, "__init__.py")):
                stdlib_names.add(entry)
import os
# A variable that is not UTF-8 holds surrogate escapes, which JSON text cannot carry; such
# characters become U+FFFD, which keeps whether the variable is set and whether it is empty.
def text(value):
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
environ = {text(name): text(value) for name, value in os.environ.items()}
json.dump({
    "version": list(sys.version_info[:2]),
    "platform": sys.platform,
    "stdlib_names": sorted(stdlib_names),
    "builtin": sorted(sys.builtin_module_names),
    "preloaded": [m for m in preloaded if m != "__main__"],
    "sys_attributes": sorted(dir(sys)),
    "builtins_attributes": sorted(dir(__import__("builtins"))),
    "environ": environ,
    "stdlib_dirs": [paths.get("stdlib", ""), paths.get("platstdlib", "")],
    "site_dirs": [d for d in site_dirs if d],
    "sys_path": [p for p in sys.path if p],
}, sys.stdout)
"#;

#[derive(Deserialize)]
struct Probe {
    version: (u32, u32),
    platform: String,
    stdlib_names: Vec<String>,
    builtin: Vec<String>,
    preloaded: Vec<String>,
    #[serde(default)]
    sys_attributes: Vec<String>,
    #[serde(default)]
    builtins_attributes: Vec<String>,
    environ: Option<BTreeMap<String, String>>,
    stdlib_dirs: Vec<String>,
    site_dirs: Vec<String>,
}

/// What the interpreter said, plus where its libraries live (to tell when the workspace *is*
/// one of them).
pub struct Interpreter {
    pub executable: String,
    pub env: PythonEnv,
    pub library_dirs: Vec<PathBuf>,
}

/// The interpreters to try, in order: configured, an active virtualenv, one in the workspace,
/// then `python3` on PATH.
pub fn candidates(root: &Path, configured: Option<&str>) -> Vec<String> {
    if let Some(configured) = configured {
        let path = root.join(configured);
        return vec![if path.exists() { path.to_string_lossy().into_owned() } else { configured.to_string() }];
    }
    let mut list = Vec::new();
    if let Ok(venv) = std::env::var("VIRTUAL_ENV") {
        list.push(format!("{venv}/bin/python"));
    }
    for dir in [".venv", "venv"] {
        let python = root.join(dir).join("bin").join("python");
        if python.exists() {
            list.push(python.to_string_lossy().into_owned());
        }
    }
    list.push("python3".to_string());
    list
}

/// Runs the first candidate that answers; `None` when none does.
pub fn discover(root: &Path, configured: Option<&str>) -> Option<Interpreter> {
    candidates(root, configured).into_iter().find_map(|exe| probe(&exe, root))
}

fn probe(executable: &str, root: &Path) -> Option<Interpreter> {
    let mut child = Command::new(executable)
        .arg("-c")
        .arg(PROBE)
        // Run in the workspace, as the user runs `python3` there: version managers that choose
        // the interpreter by folder (pyenv's shims read `.python-version` in the current folder
        // and its parents) then choose the one the user gets.
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        return None;
    }
    let probe: Probe = serde_json::from_slice(&output.stdout).ok()?;
    let mut env = PythonEnv {
        version: PythonVersion { major: probe.version.0, minor: probe.version.1 },
        platform: probe.platform,
        ..PythonEnv::default()
    };
    if !probe.stdlib_names.is_empty() {
        env.stdlib = probe.stdlib_names.into_iter().collect();
    }
    env.builtin = probe.builtin.into_iter().collect();
    env.preloaded = probe.preloaded.into_iter().collect();
    if !probe.sys_attributes.is_empty() {
        env.sys_attributes = Some(probe.sys_attributes.into_iter().collect());
    }
    if !probe.builtins_attributes.is_empty() {
        env.builtins_attributes = Some(probe.builtins_attributes.into_iter().collect());
    }
    env.environ = probe.environ;
    let site_dirs: Vec<PathBuf> = probe.site_dirs.iter().map(PathBuf::from).filter(|p| p.is_dir()).collect();
    env.third_party = Some(site_packages_names(&site_dirs));
    let mut library_dirs: Vec<PathBuf> = probe.stdlib_dirs.iter().map(PathBuf::from).collect();
    library_dirs.extend(site_dirs);
    library_dirs.retain(|p| !p.as_os_str().is_empty());
    Some(Interpreter { executable: executable.to_string(), env, library_dirs })
}

/// Top-level importable names in site-packages folders (and the folders that `.pth` files add,
/// which is how editable installs appear).
pub fn site_packages_names(dirs: &[PathBuf]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut extra = Vec::new();
    for dir in dirs {
        collect_names(dir, &mut names, Some(&mut extra));
    }
    for dir in extra {
        collect_names(&dir, &mut names, None);
    }
    names
}

fn collect_names(dir: &Path, names: &mut BTreeSet<String>, mut pth_dirs: Option<&mut Vec<PathBuf>>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if path.is_dir() {
            if !file_name.contains('.') && !file_name.contains('-') && file_name != "__pycache__" {
                names.insert(file_name);
            }
        } else if let Some(stem) = file_name.strip_suffix(".py") {
            names.insert(stem.to_string());
        } else if file_name.ends_with(".so") || file_name.ends_with(".pyd") {
            if let Some(stem) = file_name.split('.').next() {
                names.insert(stem.to_string());
            }
        } else if file_name.ends_with(".pth") {
            if let (Some(pth_dirs), Ok(text)) = (pth_dirs.as_deref_mut(), std::fs::read_to_string(&path)) {
                for line in text.lines() {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') || line.starts_with("import ") {
                        continue;
                    }
                    let added = dir.join(line);
                    if added.is_dir() {
                        pth_dirs.push(added);
                    }
                }
            }
        }
    }
}
