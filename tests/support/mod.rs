//! Shared test support: multi-file fixtures written as one string.
//!
//! A fixture is a series of files, each introduced by a `# file: path` line:
//!
//! ```text
//! # file: models.py
//! from services import save
//! # file: services.py
//! from models import User
//! ```

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use modcache::analysis::config::Config;
use modcache::analysis::project::Project;
use modcache::analysis::python_env::PythonEnv;
use modcache::analysis::summary::summarize;

/// Splits a fixture into (path, text) pairs, in order.
pub fn parse_fixture(fixture: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(path) = line.trim_end().strip_prefix("# file: ") {
            files.push((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        } else if !line.trim().is_empty() {
            panic!("fixture text before the first `# file:` header: {line:?}");
        }
    }
    files
}

/// Writes a fixture into `dir`.
pub fn write_fixture(dir: &Path, fixture: &str) {
    for (path, text) in parse_fixture(fixture) {
        let full = dir.join(&path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

/// Builds a project in memory, as the analysis core sees it: `.py` files are summarised,
/// `modcache.toml` is the configuration, anything else is ignored.
pub fn project(fixture: &str) -> Project {
    let mut files = BTreeMap::new();
    let mut config = Config::default();
    for (path, text) in parse_fixture(fixture) {
        if path == "modcache.toml" {
            config = Config::from_modcache_toml(&text).expect("fixture configuration is valid");
        } else if path.ends_with(".py") {
            files.insert(path, Arc::new(summarize(&text)));
        }
    }
    Project::new(files, &[], config, PythonEnv::default())
}
