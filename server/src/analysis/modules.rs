//! Where modules live: the workspace's files and folders, and CPython's finder rules over them.

use std::collections::HashSet;

use super::config::is_dotted_name;
use super::python_env::PythonEnv;

/// The workspace's Python files and folders, as paths relative to the root with `/` separators.
#[derive(Clone, Debug, Default)]
pub struct ModuleTree {
    files: HashSet<String>,
    dirs: HashSet<String>,
    /// Compiled extension modules, by path without suffix (`pkg/_speedups` for
    /// `pkg/_speedups.cpython-311-x86_64-linux-gnu.so`). They are real modules that run no Python
    /// code, so importing one binds the name without any first-party step.
    extensions: HashSet<String>,
}

/// What a finder found for one name in one folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// `dir/name/__init__.py`.
    Package { init: String, dir: String },
    /// `dir/name.py`.
    Module { file: String },
    /// `dir/name.<tag>.so` or `dir/name.pyd`: a compiled extension module, with the source it
    /// was compiled from when that lies beside it (see [`Spec::Compiled`]).
    Extension { source: Option<Box<Spec>> },
    /// `dir/name/` without `__init__.py`: a portion of a namespace package.
    Namespace { dir: String },
}

/// The result of a module search across sys.path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// A first-party file; `search` is the package's `__path__` (empty for plain modules).
    File { file: String, is_package: bool, search: Vec<String> },
    /// A namespace package made of these folders; no code runs.
    Namespace { portions: Vec<String> },
    /// A built-in, standard-library or third-party module: its code is not first-party.
    External,
    /// A first-party compiled extension module beside the source it was compiled from:
    /// `name.<tag>.so` and `name.py`, or `name/__init__.<tag>.so` and `name/__init__.py`, as
    /// mypyc and Cython's pure-Python mode leave them. The extension runs the same statements
    /// as `source` but no Python frame: it is no step of the load order, and what it imports
    /// is imported from the statement that imported it. Everything but the simulation treats
    /// it as [`Spec::External`].
    Compiled { source: String, is_package: bool, search: Vec<String> },
}

pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether `path` names a compiled extension module that CPython's extension loader would take,
/// and if so its path without the suffix. The suffixes are those of
/// `importlib.machinery.EXTENSION_SUFFIXES` on Linux, macOS and Windows: `.so` and `.pyd`, bare
/// or after an ABI tag (`cpython-311-x86_64-linux-gnu`, `abi3`, `cp311-win_amd64`). A tag for
/// another Python version is accepted too: which version a workspace targets is not known here,
/// and a wrong guess would report a module as missing.
pub fn extension_module_stem(path: &str) -> Option<&str> {
    let without = path.strip_suffix(".so").or_else(|| path.strip_suffix(".pyd"))?;
    let file_start = without.rfind('/').map_or(0, |slash| slash + 1);
    let (stem, tag) = match without[file_start..].find('.') {
        Some(dot) => (&without[..file_start + dot], &without[file_start + dot + 1..]),
        None => (without, ""),
    };
    let name = &stem[file_start..];
    let tag_ok = tag.is_empty() || tag == "abi3" || tag.starts_with("cpython-") || tag.starts_with("cp3") || tag.starts_with("pypy");
    (tag_ok && is_dotted_name(name) && !name.contains('.')).then_some(stem)
}

pub fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("")
}

impl ModuleTree {
    /// `files` are the `.py` files; `dirs` are extra folders (every ancestor of a file is added)
    /// and compiled extension modules, which the walk reports beside the folders because neither
    /// has Python code to summarise.
    pub fn new<'a>(files: impl IntoIterator<Item = &'a str>, dirs: impl IntoIterator<Item = &'a str>) -> Self {
        let mut tree = ModuleTree::default();
        tree.dirs.insert(String::new());
        for file in files {
            if !file.ends_with(".py") {
                continue;
            }
            let mut dir = parent_dir(file);
            while !dir.is_empty() && tree.dirs.insert(dir.to_string()) {
                dir = parent_dir(dir);
            }
            tree.files.insert(file.to_string());
        }
        for dir in dirs {
            if let Some(stem) = extension_module_stem(dir) {
                tree.extensions.insert(stem.to_string());
            } else {
                tree.dirs.insert(dir.trim_end_matches('/').to_string());
            }
        }
        tree
    }

    pub fn has_file(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    pub fn has_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }

    /// CPython's FileFinder for one folder: a package beats a module, a module beats a bare
    /// folder (which is only a namespace portion), and among modules the extension loader comes
    /// before the source loader, so `name.cpython-311-x86_64-linux-gnu.so` beats `name.py`.
    /// The same order holds for a package's `__init__`: mypyc compiles every module of a
    /// package (black, isort) and leaves the sources beside the extensions, and CPython runs
    /// `__init__.<tag>.so`, whose imports no summary knows, never `__init__.py`.
    pub fn find_in(&self, dir: &str, name: &str) -> Option<Found> {
        let sub = join(dir, name);
        let init = format!("{sub}/__init__.py");
        if self.extensions.contains(&format!("{sub}/__init__")) {
            let source = self.files.contains(&init).then(|| Spec::Compiled { source: init, is_package: true, search: vec![sub] });
            return Some(Found::Extension { source: source.map(Box::new) });
        }
        if self.files.contains(&init) {
            return Some(Found::Package { init, dir: sub });
        }
        let file = format!("{sub}.py");
        if self.extensions.contains(&sub) {
            let source = self.files.contains(&file).then(|| Spec::Compiled { source: file, is_package: false, search: vec![] });
            return Some(Found::Extension { source: source.map(Box::new) });
        }
        if self.files.contains(&file) {
            return Some(Found::Module { file });
        }
        self.dirs.contains(&sub).then_some(Found::Namespace { dir: sub })
    }

    /// PathFinder over `search`: the first regular package or module wins; namespace portions
    /// count only when nothing regular is found anywhere.
    pub fn find_first_party(&self, name: &str, search: &[String]) -> Option<Spec> {
        let mut portions = Vec::new();
        for dir in search {
            match self.find_in(dir, name) {
                Some(Found::Package { init, dir }) => {
                    return Some(Spec::File { file: init, is_package: true, search: vec![dir] })
                }
                Some(Found::Module { file }) => return Some(Spec::File { file, is_package: false, search: vec![] }),
                Some(Found::Extension { source }) => return Some(source.map_or(Spec::External, |source| *source)),
                Some(Found::Namespace { dir }) => portions.push(dir),
                None => {}
            }
        }
        (!portions.is_empty()).then_some(Spec::Namespace { portions })
    }

    /// Finds a top-level module the way a fresh interpreter with `sys_path` (first-party folders
    /// first, then the standard library, then site-packages) does. `None`: ModuleNotFoundError.
    pub fn find_top_level(&self, name: &str, sys_path: &[String], env: &PythonEnv) -> Option<Spec> {
        if env.builtin.contains(name) {
            return Some(Spec::External);
        }
        let first_party = self.find_first_party(name, sys_path);
        match first_party {
            Some(Spec::File { .. }) => first_party,
            // A regular package or module later on sys.path beats namespace portions.
            _ if env.is_stdlib(name) => Some(Spec::External),
            Some(namespace) => Some(namespace),
            None if env.third_party_exists(name) => Some(Spec::External),
            None => None,
        }
    }

    /// The dotted module name of `path` when imported through `root`, if it is importable.
    pub fn module_name(path: &str, root: &str) -> Option<String> {
        let rel = if root.is_empty() { path } else { path.strip_prefix(root)?.strip_prefix('/')? };
        let stem = rel.strip_suffix(".py")?;
        let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
        if stem == "__init__" {
            return None;
        }
        let dotted = stem.replace('/', ".");
        is_dotted_name(&dotted).then_some(dotted)
    }

    pub fn is_package_init(path: &str) -> bool {
        path == "__init__.py" || path.ends_with("/__init__.py")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> ModuleTree {
        ModuleTree::new(files.iter().copied(), std::iter::empty())
    }

    #[test]
    fn finder_prefers_package_then_module_then_namespace() {
        let t = tree(&["a/__init__.py", "a.py", "b.py", "ns/x.py", "src/ns/y.py"]);
        assert!(matches!(t.find_in("", "a"), Some(Found::Package { .. })));
        assert!(matches!(t.find_in("", "b"), Some(Found::Module { .. })));
        assert_eq!(t.find_in("", "ns"), Some(Found::Namespace { dir: "ns".into() }));
        let roots = vec![String::new(), "src".to_string()];
        assert_eq!(
            t.find_first_party("ns", &roots),
            Some(Spec::Namespace { portions: vec!["ns".into(), "src/ns".into()] })
        );
    }

    #[test]
    fn stdlib_beats_namespace_portion_but_not_a_module() {
        let env = PythonEnv::default();
        let t = tree(&["json/notes.py", "csv.py"]);
        let roots = vec![String::new()];
        assert_eq!(t.find_top_level("json", &roots, &env), Some(Spec::External));
        assert!(matches!(t.find_top_level("csv", &roots, &env), Some(Spec::File { .. })));
        assert_eq!(t.find_top_level("sys", &roots, &env), Some(Spec::External));
    }

    #[test]
    fn extension_modules_beat_source_modules() {
        let t = ModuleTree::new(
            ["pkg/__init__.py", "pkg/_speedups.py"],
            ["pkg/_speedups.cpython-311-x86_64-linux-gnu.so", "pkg/_ext.abi3.so", "pkg/_win.cp311-win_amd64.pyd", "pkg/notes.txt.so"],
        );
        let search = vec!["pkg".to_string()];
        // `_speedups.py` beside its extension is the source it was compiled from.
        let compiled = Spec::Compiled { source: "pkg/_speedups.py".into(), is_package: false, search: vec![] };
        assert_eq!(t.find_first_party("_speedups", &search), Some(compiled));
        for name in ["_ext", "_win"] {
            assert_eq!(t.find_first_party(name, &search), Some(Spec::External), "{name}");
        }
        assert_eq!(t.find_first_party("notes", &search), None);
        assert_eq!(extension_module_stem("a/b/mod.so"), Some("a/b/mod"));
        assert_eq!(extension_module_stem("a/b/mod.py"), None);
        assert_eq!(extension_module_stem("a/__init__.cpython-311-x86_64-linux-gnu.so"), Some("a/__init__"));
    }

    #[test]
    fn compiled_package_init_beats_its_source_which_it_was_compiled_from() {
        let t = ModuleTree::new(
            ["black/__init__.py", "black/files.py", "plain/__init__.py"],
            ["black", "black/__init__.cpython-311-x86_64-linux-gnu.so", "plain"],
        );
        let roots = vec![String::new()];
        let compiled = Spec::Compiled { source: "black/__init__.py".into(), is_package: true, search: vec!["black".into()] };
        assert_eq!(t.find_first_party("black", &roots), Some(compiled));
        // Without its source the compiled package is opaque.
        let bare = ModuleTree::new(["main.py"], ["black", "black/__init__.cpython-311-x86_64-linux-gnu.so"]);
        assert_eq!(bare.find_first_party("black", &roots), Some(Spec::External));
        assert!(matches!(t.find_first_party("plain", &roots), Some(Spec::File { is_package: true, .. })));
    }

    #[test]
    fn module_names_follow_roots() {
        assert_eq!(ModuleTree::module_name("pkg/__init__.py", ""), Some("pkg".into()));
        assert_eq!(ModuleTree::module_name("src/pkg/a.py", "src"), Some("pkg.a".into()));
        assert_eq!(ModuleTree::module_name("my-scripts/run.py", ""), None);
        assert_eq!(ModuleTree::module_name("other/a.py", "src"), None);
    }
}
