use serde_json::{json, Value};

use super::{Report, Sources};
use crate::analysis::diagnostic::Severity;
use crate::analysis::rules::{documentation, RULES};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// SARIF 2.1.0 with one run, every rule in the driver, and columns in Unicode code points.
pub fn render(report: &Report, sources: &mut Sources) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "help": {"text": documentation(rule), "markdown": documentation(rule)},
                "defaultConfiguration": {"level": level(rule.default_severity)},
            })
        })
        .collect();
    let location = |sources: &mut Sources, path: &str, range| {
        let r: super::Range = sources.range(path, range);
        json!({
            "physicalLocation": {
                "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
                "region": {
                    "startLine": r.start.line,
                    "startColumn": r.start.column,
                    "endLine": r.end.line,
                    "endColumn": r.end.column,
                },
            }
        })
    };
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut loc = location(sources, &r.path, r.range);
                    loc["id"] = json!(i);
                    loc["message"] = json!({"text": r.message});
                    loc
                })
                .collect();
            let rule_index = RULES.iter().position(|r| r.code == d.code).unwrap_or(0);
            json!({
                "ruleId": d.code,
                "ruleIndex": rule_index,
                "level": level(d.severity),
                "message": {"text": d.message},
                "locations": [location(sources, &d.path, d.range)],
                "relatedLocations": related,
            })
        })
        .collect();
    let root_uri = format!("file://{}/", report.root.display().to_string().trim_end_matches('/'));
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "modcache",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/modcache/modcache",
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&value).expect("JSON values always serialise")
}
