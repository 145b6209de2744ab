use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use super::{Failure, TextOrJson};
use crate::analysis::config::{is_dotted_name, Entry};
use crate::analysis::simulate::{simulate, Action, LoadOrder};
use crate::workspace::{self, relative_path, LoadOptions};

#[derive(Args)]
pub struct OrderArgs {
    /// The folder `python` is run from (default: the current folder).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Run a module as `python -m MODULE`.
    #[arg(short = 'm', value_name = "MODULE", conflicts_with = "script")]
    module: Option<String>,
    /// The script, as `python SCRIPT` would be given it from the root.
    #[arg(required_unless_present = "module")]
    script: Option<PathBuf>,
}

pub fn run(args: OrderArgs) -> Result<ExitCode, Failure> {
    let root = std::fs::canonicalize(&args.root)
        .map_err(|e| Failure(format!("{}: {}", args.root.display(), e)))?;
    let entry = match (&args.module, &args.script) {
        (Some(module), _) => {
            if !is_dotted_name(module) {
                return Err(Failure(format!("{module:?} is not a module name")));
            }
            Entry::Module(module.clone())
        }
        (None, Some(script)) => {
            let candidate = if script.is_absolute() { script.clone() } else { root.join(script) };
            let absolute = std::fs::canonicalize(&candidate)
                .map_err(|_| Failure(format!("can't open file {:?}: no such file in {}", script.display().to_string(), root.display())))?;
            let rel = relative_path(&root, &absolute)
                .ok_or_else(|| Failure(format!("{} is outside the root {}", script.display(), root.display())))?;
            Entry::Script(rel)
        }
        (None, None) => return Err(Failure("give a SCRIPT or -m MODULE".to_string())),
    };
    let ws = workspace::load(&root, &LoadOptions::default())?;
    if let Entry::Script(path) = &entry {
        if ws.project.summary(path).is_none() {
            return Err(Failure(format!("{path} is not a Python file of the workspace (excluded or not .py)")));
        }
    }
    let order = simulate(&ws.project, &entry);
    match args.format {
        TextOrJson::Json => println!("{}", serde_json::to_string_pretty(&order_json(&order)).expect("JSON values serialise")),
        TextOrJson::Text => anstream::print!("{}", order_text(&order)),
    }
    Ok(ExitCode::SUCCESS)
}

/// SPEC §2's `order` JSON.
pub fn order_json(order: &LoadOrder) -> Value {
    let steps: Vec<Value> = order
        .steps
        .iter()
        .map(|step| {
            let mut value = json!({"module": &*step.module, "path": &*step.path});
            if let Some(site) = &step.imported_from {
                value["imported_from"] = json!({"path": &*site.path, "line": site.line});
            }
            value
        })
        .collect();
    let outcome = match &order.outcome {
        Ok(()) => json!({"status": "ok"}),
        Err(error) => json!({
            "status": "error",
            "error": error.type_name(),
            "path": error.site.as_ref().map(|s| &*s.path),
            "line": error.site.as_ref().map(|s| s.line),
            "message": error.message,
        }),
    };
    let mut value = json!({"entry": order.entry.to_string(), "order": steps, "outcome": outcome});
    if order.truncated {
        value["truncated"] = json!(true);
    }
    value
}

/// Every first-party import of a run in order, cache hits included: the who-imported-whom tree.
pub fn trace_json(order: &LoadOrder) -> Value {
    let events: Vec<Value> = order
        .trace
        .iter()
        .map(|event| {
            let (action, step) = match event.action {
                Action::Ran(step) => ("ran", Some(step + 1)),
                Action::CacheHit { partial: false } => ("cached", None),
                Action::CacheHit { partial: true } => ("cached-partial", None),
            };
            json!({
                "module": &*event.module,
                "path": &*event.path,
                "site": event.site.as_ref().map(|s| json!({"path": &*s.path, "line": s.line})),
                "action": action,
                "step": step,
                "depth": event.depth,
            })
        })
        .collect();
    Value::Array(events)
}

const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const RESET: &str = "\x1b[0m";

/// An indented tree: who imported whom, with lines; cache hits dimmed.
pub fn order_text(order: &LoadOrder) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", order.entry.command());
    for event in &order.trace {
        let indent = "  ".repeat(event.depth);
        let from = event.site.as_ref().map(|s| format!("  ← {}:{}", s.path, s.line)).unwrap_or_default();
        match event.action {
            Action::Ran(step) => {
                let _ = writeln!(out, "{indent}{:>3}. {}  {}{from}", step + 1, event.module, event.path);
            }
            Action::CacheHit { partial } => {
                let state = if partial { "cached, still initialising" } else { "cached" };
                let _ = writeln!(out, "{DIM}{indent}     {} ({state}){from}{RESET}", event.module);
            }
        }
    }
    match &order.outcome {
        Ok(()) => {
            let _ = writeln!(out, "{GREEN}ok{RESET}: {} first-party modules ran", order.steps.len());
        }
        Err(error) => {
            let at = error.site.as_ref().map(|s| format!(" at {}:{}", s.path, s.line)).unwrap_or_default();
            let _ = writeln!(out, "{RED}{}{RESET}{at}: {}", error.type_name(), error.message);
        }
    }
    if order.truncated {
        let _ = writeln!(out, "(stopped early: the simulation reached its step limit)");
    }
    out
}
