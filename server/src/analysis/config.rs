//! Project configuration: `[tool.modcache]` in pyproject.toml or the top level of modcache.toml.
//!
//! Parsing takes the file's text; finding and reading the file is the caller's business.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::summary::PythonVersion;

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Extra sys.path roots, relative to the workspace root (a `src/` folder is added by itself).
    #[serde(default)]
    pub roots: Vec<String>,
    /// Glob patterns of files and folders to leave out, on top of the defaults.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// How the program is started: `"main.py"`, `"-m pkg"`, or `"pkg.cli:main"`.
    #[serde(default)]
    pub entries: Vec<String>,
    /// Rule codes or prefixes to report (default: all).
    #[serde(default)]
    pub select: Option<Vec<String>>,
    /// Rule codes or prefixes never to report.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Glob pattern → codes to ignore in matching files.
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    /// The Python version whose `sys.version_info` checks are evaluated, e.g. "3.12".
    #[serde(default)]
    pub python_version: Option<String>,
    /// The interpreter to ask for sys.path, start-up modules and site-packages.
    #[serde(default)]
    pub python: Option<String>,
    /// Code → "error" | "warning" | "info" | "hint".
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Whether a `src/` folder is a root (default: when it exists and is not a package).
    #[serde(default)]
    pub src_layout: Option<bool>,
    /// Console scripts found in `[project.scripts]` (filled in from pyproject.toml, not set by users).
    #[serde(skip)]
    pub project_scripts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads a modcache.toml (settings at the top level).
    pub fn from_modcache_toml(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads `[tool.modcache]` and `[project.scripts]` of a pyproject.toml; `Ok(None)` when it
    /// has no `[tool.modcache]` table.
    pub fn from_pyproject(text: &str) -> Result<Option<Config>, ConfigError> {
        let doc: toml::Table = toml::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        let scripts: Vec<String> = doc
            .get("project")
            .and_then(|p| p.get("scripts"))
            .and_then(|s| s.as_table())
            .map(|t| t.values().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let table = doc.get("tool").and_then(|t| t.get("modcache"));
        let mut config = match table {
            Some(table) => {
                let config: Config =
                    table.clone().try_into().map_err(|e: toml::de::Error| ConfigError(format!("[tool.modcache]: {e}")))?;
                config.validate()?;
                Some(config)
            }
            None if scripts.is_empty() => return Ok(None),
            None => Some(Config::default()),
        };
        if let Some(config) = &mut config {
            config.project_scripts = scripts;
        }
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(version) = &self.python_version {
            version.parse::<PythonVersion>().map_err(|e| ConfigError(format!("python-version: {e}")))?;
        }
        for entry in &self.entries {
            Entry::parse(entry).map_err(|e| ConfigError(format!("entries: {e}")))?;
        }
        for (code, severity) in &self.severity {
            if !["error", "warning", "info", "hint"].contains(&severity.as_str()) {
                return Err(ConfigError(format!(
                    "severity.{code}: expected \"error\", \"warning\", \"info\" or \"hint\", found {severity:?}"
                )));
            }
        }
        Ok(())
    }

    pub fn version(&self) -> Option<PythonVersion> {
        self.python_version.as_deref().and_then(|v| v.parse().ok())
    }

    /// The configured entries and console scripts.
    pub fn entry_points(&self) -> Vec<Entry> {
        self.entries
            .iter()
            .chain(&self.project_scripts)
            .filter_map(|e| Entry::parse(e).ok())
            .collect()
    }
}

/// How the program is started.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entry {
    /// `python path/to/script.py` run from the workspace root (path relative to it).
    Script(String),
    /// `python -m dotted.name` run from the workspace root.
    Module(String),
    /// A console script `module:function` (as `[project.scripts]` declares).
    ConsoleScript { module: String, function: String },
    /// `python -c "import dotted.name"`: the module entered first from outside.
    Import(String),
}

impl Entry {
    pub fn parse(text: &str) -> Result<Entry, String> {
        let text = text.trim();
        if let Some(module) = text.strip_prefix("-m") {
            let module = module.trim();
            if is_dotted_name(module) {
                return Ok(Entry::Module(module.to_string()));
            }
            return Err(format!("{text:?}: expected a module name after -m"));
        }
        if text.ends_with(".py") {
            return Ok(Entry::Script(text.trim_start_matches("./").to_string()));
        }
        if let Some((module, function)) = text.split_once(':') {
            let function = function.split('.').next().unwrap_or("").trim();
            if is_dotted_name(module.trim()) && is_dotted_name(function) {
                return Ok(Entry::ConsoleScript { module: module.trim().to_string(), function: function.to_string() });
            }
        }
        Err(format!("{text:?}: expected \"path/to/script.py\", \"-m package.module\" or \"package.module:function\""))
    }

    /// The command a user would type, for messages.
    pub fn command(&self) -> String {
        match self {
            Entry::Script(path) => format!("python {path}"),
            Entry::Module(module) => format!("python -m {module}"),
            Entry::ConsoleScript { module, function } => format!("the console script {module}:{function}"),
            Entry::Import(module) => format!("import {module}"),
        }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Script(path) => f.write_str(path),
            Entry::Module(module) => write!(f, "-m {module}"),
            Entry::ConsoleScript { module, function } => write!(f, "{module}:{function}"),
            Entry::Import(module) => write!(f, "import {module}"),
        }
    }
}

pub fn is_dotted_name(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            let mut chars = part.chars();
            matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic()) && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tool_table_and_scripts() {
        let text = r#"
[project]
name = "x"
[project.scripts]
x = "app.cli:main"
[tool.modcache]
entries = ["main.py", "-m app"]
ignore = ["MC1"]
python-version = "3.9"
[tool.modcache.per-file-ignores]
"tests/*" = ["MC401"]
"#;
        let config = Config::from_pyproject(text).unwrap().unwrap();
        assert_eq!(
            config.entry_points(),
            vec![
                Entry::Script("main.py".into()),
                Entry::Module("app".into()),
                Entry::ConsoleScript { module: "app.cli".into(), function: "main".into() }
            ]
        );
        assert_eq!(config.version(), Some(PythonVersion { major: 3, minor: 9 }));
        assert_eq!(config.per_file_ignores["tests/*"], vec!["MC401"]);
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values() {
        assert!(Config::from_modcache_toml("entrys = []").unwrap_err().0.contains("entrys"));
        assert!(Config::from_modcache_toml("python-version = 'three'").is_err());
        assert!(Config::from_modcache_toml("entries = ['-m 1bad']").is_err());
        assert_eq!(Config::from_pyproject("[project]\nname='x'\n").unwrap(), None);
    }
}
