use serde_json::{json, Value};

use super::{Report, Sources};

/// The `check` JSON of SPEC §2 (version 1), with unreadable files listed in the summary.
pub fn render(report: &Report, sources: &mut Sources) -> String {
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|r| json!({"path": r.path, "range": sources.range(&r.path, r.range), "message": r.message}))
                .collect();
            json!({
                "code": d.code,
                "name": d.name,
                "severity": d.severity,
                "path": d.path,
                "range": sources.range(&d.path, d.range),
                "message": d.message,
                "related": related,
                "fix": null,
            })
        })
        .collect();
    let value = json!({
        "version": 1,
        "diagnostics": diagnostics,
        "summary": {
            "files": report.files,
            "modules": report.modules,
            "diagnostics": report.diagnostics.len(),
            "problems": report.problems,
        },
    });
    serde_json::to_string_pretty(&value).expect("JSON values always serialise")
}
