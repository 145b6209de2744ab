//! Settings sent by the editor (`initializationOptions` and the `modcache` section of
//! `workspace/configuration`), layered over the project's configuration files.

use serde::Deserialize;
use serde_json::Value;

use crate::analysis::config::{Config, Entry};

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub entries: Vec<String>,
    pub roots: Vec<String>,
    pub python_version: Option<String>,
    pub python: Option<String>,
}

impl Settings {
    /// Reads settings from `{"modcache": {...}}` or from the bare object; anything malformed
    /// is dropped field by field rather than failing the whole set.
    pub fn from_value(value: &Value) -> Settings {
        let object = value.get("modcache").unwrap_or(value);
        if let Ok(settings) = serde_json::from_value::<Settings>(object.clone()) {
            return settings;
        }
        let strings = |key: &str| -> Vec<String> {
            object
                .get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let string = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
        Settings {
            select: object.get("select").and_then(Value::as_array).map(|_| strings("select")),
            ignore: strings("ignore"),
            entries: strings("entries"),
            roots: strings("roots"),
            python_version: string("pythonVersion"),
            python: string("python"),
        }
    }

    /// The project configuration with these settings on top: `select` replaces, the lists
    /// extend, scalars override. Invalid entries and versions are left out.
    pub fn apply(&self, config: &Config) -> Config {
        let mut config = config.clone();
        if let Some(select) = &self.select {
            config.select = Some(select.clone());
        }
        config.ignore.extend(self.ignore.iter().cloned());
        for entry in &self.entries {
            if Entry::parse(entry).is_ok() && !config.entries.contains(entry) {
                config.entries.push(entry.clone());
            }
        }
        config.roots.extend(self.roots.iter().cloned());
        if let Some(version) = &self.python_version {
            if version.parse::<crate::analysis::summary::PythonVersion>().is_ok() {
                config.python_version = Some(version.clone());
            }
        }
        if let Some(python) = &self.python {
            config.python = Some(python.clone());
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_or_bare_objects_and_survives_bad_fields() {
        let nested = serde_json::json!({"modcache": {"select": ["MC0"], "entries": ["main.py"]}});
        assert_eq!(Settings::from_value(&nested).select, Some(vec!["MC0".to_string()]));
        let bad = serde_json::json!({"entries": ["main.py", 3], "pythonVersion": 3.12});
        let settings = Settings::from_value(&bad);
        assert_eq!(settings.entries, vec!["main.py"]);
        assert_eq!(settings.python_version, None);
        let config = Settings { entries: vec!["-m 1x".into(), "-m app".into()], ..Settings::default() }.apply(&Config::default());
        assert_eq!(config.entries, vec!["-m app"]);
    }
}
