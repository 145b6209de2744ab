//! How a project is started: configured entries plus the ones its files reveal.

use std::collections::BTreeSet;

use super::config::Entry;
use super::modules::{parent_dir, ModuleTree};
use super::graph::ImportGraph;
use super::project::Project;

/// Configured entries first (in configuration order), then detected ones (sorted): scripts with a
/// top-level `if __name__ == "__main__":` guard and packages with a `__main__.py`, then files in
/// the root folder that nothing imports but that import first-party modules (a `main.py`
/// without a guard).
pub fn entry_points(project: &Project) -> Vec<Entry> {
    entry_points_in(project, &ImportGraph::build(project))
}

/// [`entry_points`], with the imports already resolved in `graph` (the project's graph).
pub fn entry_points_in(project: &Project, graph: &ImportGraph) -> Vec<Entry> {
    let mut entries = guarded_entry_points(project);
    let mut imported: BTreeSet<&str> = BTreeSet::new();
    let mut importers: BTreeSet<&str> = BTreeSet::new();
    for (path, file) in graph.file_imports() {
        for targets in &file.targets {
            if !targets.is_empty() {
                importers.insert(path);
            }
            imported.extend(targets.iter().map(String::as_str));
        }
    }
    for path in importers {
        let entry = Entry::Script(path.to_string());
        if !path.contains('/') && !imported.contains(path) && !entries.contains(&entry) {
            entries.push(entry);
        }
    }
    entries
}

fn guarded_entry_points(project: &Project) -> Vec<Entry> {
    let mut entries = project.config.entry_points();
    let mut detected = BTreeSet::new();
    for (path, summary) in project.files() {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        let dir = parent_dir(path);
        if file_name == "__main__.py" {
            if let Some(package) = project.module_name(path).and_then(|m| m.strip_suffix(".__main__").map(str::to_string)) {
                detected.insert(Entry::Module(package));
                continue;
            }
        }
        if summary.main_guard.is_none() || ModuleTree::is_package_init(path) {
            continue;
        }
        // A file inside a regular package is run with -m (as a script its sibling imports
        // would not resolve); anything else is run as a script from the root.
        let in_package = !dir.is_empty() && project.tree.has_file(&format!("{dir}/__init__.py"));
        match project.module_name(path) {
            Some(module) if in_package => detected.insert(Entry::Module(module)),
            _ => detected.insert(Entry::Script(path.to_string())),
        };
    }
    for entry in detected {
        if !entries.contains(&entry) {
            entries.push(entry);
        }
    }
    entries
}

/// The file that an entry runs as `__main__`, if first-party.
pub fn main_file(project: &Project, entry: &Entry) -> Option<String> {
    match entry {
        Entry::Script(path) => project.summary(path).map(|_| path.clone()),
        Entry::Module(module) => {
            let spec = super::graph::resolve_module(project, module)?;
            match spec {
                super::modules::Spec::File { file, is_package: false, .. } => Some(file),
                super::modules::Spec::File { is_package: true, .. } | super::modules::Spec::Namespace { .. } => {
                    match super::graph::resolve_module(project, &format!("{module}.__main__"))? {
                        super::modules::Spec::File { file, .. } => Some(file),
                        _ => None,
                    }
                }
                super::modules::Spec::External | super::modules::Spec::Compiled { .. } => None,
            }
        }
        Entry::ConsoleScript { .. } | Entry::Import(_) => None,
    }
}
