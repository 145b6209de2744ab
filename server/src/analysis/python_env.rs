//! What the analysis knows about the Python installation the project runs on.
//!
//! The command line and the server fill this in by asking the configured interpreter once (as
//! pyright does); without one, the embedded CPython 3.11 lists stand in. Which modules are already
//! in `sys.modules` at start-up matters: `import random` is a cache hit on a machine whose `site`
//! already imported `random`, and then a first-party `random.py` does not shadow it.

use std::collections::{BTreeMap, BTreeSet};

use super::stdlib_names::{BUILTIN, PRELOADED, STDLIB};
use super::summary::PythonVersion;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonEnv {
    pub version: PythonVersion,
    /// `sys.platform`.
    pub platform: String,
    /// Top-level names of standard-library modules.
    pub stdlib: BTreeSet<String>,
    /// `sys.builtin_module_names`: found before any sys.path entry, so never shadowed.
    pub builtin: BTreeSet<String>,
    /// Modules in `sys.modules` when user code starts (dotted names): every import is a cache hit.
    pub preloaded: BTreeSet<String>,
    /// The attributes of `sys` when a program starts (`dir(sys)`), when known: `hasattr(sys, …)`
    /// tests are decided by them.
    pub sys_attributes: Option<BTreeSet<String>>,
    /// The attributes of `builtins` (`dir(builtins)`), when known, for `hasattr(builtins, …)`.
    pub builtins_attributes: Option<BTreeSet<String>>,
    /// The environment variables a program starts with (`os.environ`), when known: tests of
    /// them (`if os.environ.get("X"):`) are decided by them, as in the run the user would
    /// start from the same shell.
    pub environ: Option<BTreeMap<String, String>>,
    /// Top-level names importable from site-packages, when known. `None` means unknown: third-party
    /// imports are then assumed to succeed.
    pub third_party: Option<BTreeSet<String>>,
}

impl Default for PythonEnv {
    fn default() -> Self {
        let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        PythonEnv {
            version: PythonVersion { major: 3, minor: 11 },
            platform: "linux".to_string(),
            stdlib: set(STDLIB),
            builtin: set(BUILTIN),
            preloaded: set(PRELOADED),
            sys_attributes: None,
            builtins_attributes: None,
            environ: None,
            third_party: None,
        }
    }
}

impl PythonEnv {
    pub fn is_stdlib(&self, top_level: &str) -> bool {
        self.stdlib.contains(top_level)
    }

    /// Whether `import name` can never run a file from sys.path: the module is built in or
    /// already imported at start-up.
    pub fn is_unshadowable(&self, dotted: &str) -> bool {
        self.builtin.contains(dotted) || self.preloaded.contains(dotted)
    }

    /// Whether a module that is neither first-party nor standard library can be imported.
    pub fn third_party_exists(&self, top_level: &str) -> bool {
        match &self.third_party {
            Some(names) => names.contains(top_level),
            None => true,
        }
    }
}
