//! Hovers that say when code runs: on an import, on a module-level name, on `importlib.reload`.

use std::collections::HashSet;
use std::fmt::Write;

use tower_lsp_server::ls_types::*;

use super::diagnostics::rule_url;
use super::session::{Results, Session};
use crate::analysis::graph::{import_time_imports, static_targets, ImportGraph};
use crate::analysis::profile::{self, ReloadProfile};
use crate::analysis::summary::state::{EffectKind, Reload, Value};
use crate::analysis::simulate::{Action, LoadOrder};
use crate::analysis::summary::{FileSummary, ImportKind, ImportStmt};
use crate::analysis::text::TextRange;

/// How many entries a hover describes; more would drown the answer.
const MAX_ENTRIES: usize = 5;

/// A hover on `reload`: what this call refreshes and leaves stale in this workspace, then what
/// any reload does.
fn reload_hover(results: Option<&Results>, path: &str, summary: &FileSummary, call: Option<&Reload>) -> String {
    let (Some(results), Some(call)) = (results, call) else { return RELOAD_HOVER.to_string() };
    let mut out = String::new();
    match profile::reload_profile(&results.project, path, summary, call) {
        ReloadProfile::Module { module, file, stale, submodules } => {
            let runs = match &file {
                Some(file) => format!("runs `{file}` again"),
                None => format!("runs `{module}` again (not a first-party module)"),
            };
            let _ = write!(out, "**`importlib.reload({module})`** {runs} in the same module object: `{module}.name` finds the new objects.");
            if stale.is_empty() {
                let _ = write!(out, "\n\nNo first-party `from {module} import …` keeps objects from before this reload.");
            } else {
                let _ = write!(out, "\n\n[Left stale]({}): these names keep the objects of the first run:", rule_url("MC301"));
                for import in stale.iter().take(MAX_FACTS) {
                    let names: Vec<String> = import.names.iter().map(|n| format!("`{n}`")).collect();
                    let _ = write!(out, "\n- `{}:{}`: {}", import.path, import.line, names.join(", "));
                }
                if stale.len() > MAX_FACTS {
                    let _ = write!(out, "\n- and {} more `from {module} import …` statements", stale.len() - MAX_FACTS);
                }
            }
            if !submodules.is_empty() {
                let shown: Vec<String> = submodules.iter().take(MAX_FACTS).map(|m| format!("`{m}`")).collect();
                let more = if submodules.len() > MAX_FACTS { format!(" and {} more", submodules.len() - MAX_FACTS) } else { String::new() };
                let _ = write!(out, "\n\nNot run again: its submodules {}{more}.", shown.join(", "));
            }
        }
        ReloadProfile::NotModule { what } => {
            let _ = write!(out, "**`importlib.reload`** is given {what}, which is [not a module]({}): the call raises TypeError.", rule_url("MC302"));
        }
        ReloadProfile::Unknown => return RELOAD_HOVER.to_string(),
    }
    out.push_str("\n\n---\n\n");
    out.push_str(RELOAD_HOVER);
    out
}

pub fn hover(s: &Session, params: &HoverParams) -> Option<Hover> {
    let position = &params.text_document_position_params;
    let path = s.path_of(&position.text_document.uri)?;
    let document = s.documents.get(&path)?;
    let offset = document.offset(position.position, s.encoding) as u32;
    let summary = &document.summary;
    let results = s.results.as_ref();
    let (markdown, range) = if let Some(stmt) = summary.imports.iter().find(|st| covers(st.range, offset)) {
        (import_hover(results?, &path, stmt), stmt.range)
    } else {
        let (word, range) = word_at(&document.text, offset)?;
        let call = summary.state.reloads.iter().find(|r| covers(r.range, offset));
        if word == "reload" && (call.is_some() || is_reload(&document.text, range)) {
            (reload_hover(results.map(|r| r.as_ref()), &path, summary, call), range)
        } else {
            (name_hover(results.map(|r| r.as_ref()), &path, summary, &word)?, range)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: Some(document.range(range, s.encoding)),
    })
}

fn covers(range: TextRange, offset: u32) -> bool {
    range.start <= offset && offset <= range.end
}

/// The identifier around `offset`.
fn word_at(text: &str, offset: u32) -> Option<(String, TextRange)> {
    let offset = (offset as usize).min(text.len());
    let is_word = |c: char| c == '_' || c.is_alphanumeric();
    let start = text[..offset].char_indices().rev().take_while(|(_, c)| is_word(*c)).last().map(|(i, _)| i).unwrap_or(offset);
    let end = offset + text[offset..].char_indices().take_while(|(_, c)| is_word(*c)).last().map(|(i, c)| i + c.len_utf8()).unwrap_or(0);
    (end > start).then(|| (text[start..end].to_string(), TextRange::new(start, end)))
}

fn is_reload(text: &str, range: TextRange) -> bool {
    text[..range.start as usize].ends_with("importlib.") || text.contains("from importlib import reload")
}

const RELOAD_HOVER: &str = "**`importlib.reload(module)`** runs the module's code again *in the same module object* \
and returns it.\n\n\
- Updated: the module's own namespace, so `module.name` finds the new objects.\n\
- Left stale: names taken earlier with `from module import name` (in every importer) still point to the old \
objects; instances keep their old classes (`isinstance` with the new class fails); other modules that \
imported it keep what they copied; its submodules are not reloaded; state the old code created \
elsewhere (registries, handlers, threads) stays and the reload may add it twice.\n\
- It needs a module object: `importlib.reload('name')` raises TypeError.\n";

fn import_hover(results: &Results, path: &str, stmt: &ImportStmt) -> String {
    let project = &results.project;
    let targets = static_targets(project, path, stmt);
    let mut out = String::new();
    if targets.is_empty() {
        let _ = writeln!(out, "{}", describe_external(stmt));
        return out;
    }
    for target in &targets {
        let module = project.display_name(target);
        let _ = writeln!(out, "**`{module}`** — `{target}`\n");
        let orders = results.analysis.entry_orders.iter().take(MAX_ENTRIES);
        for order in orders {
            if let Some(line) = entry_line(order, path, stmt, target) {
                let _ = writeln!(out, "- {line}");
            }
        }
        if let Some(target_summary) = project.summary(target) {
            let _ = writeln!(out, "\n{}", import_time_profile(results, target, target_summary));
        }
    }
    if let Some(cycle) = cycle_text(results, path, &targets) {
        let _ = writeln!(out, "\n{cycle}");
    }
    out
}

fn describe_external(stmt: &ImportStmt) -> String {
    let name = match &stmt.kind {
        ImportKind::Import { modules } => modules.iter().map(|m| m.dotted.clone()).collect::<Vec<_>>().join(", "),
        ImportKind::From { level, module, .. } => format!("{}{}", ".".repeat(*level as usize), module.clone().unwrap_or_default()),
        ImportKind::Dynamic { module, .. } => module.clone(),
    };
    format!("`{name}` is not a first-party module: its code is the standard library's or a package's.")
}

/// What this statement does in one run: runs the module, or hits the cache.
fn entry_line(order: &LoadOrder, path: &str, stmt: &ImportStmt, target: &str) -> Option<String> {
    let command = order.entry.command();
    let here: Vec<_> = order
        .trace
        .iter()
        .filter(|e| &*e.path == target && e.site.as_ref().is_some_and(|s| &*s.path == path && s.range == stmt.range))
        .collect();
    let Some(event) = here.first() else {
        let reached = order.steps.iter().any(|st| &*st.path == path);
        let why = if stmt.context.in_function.is_some() {
            "this import runs only when its function is called"
        } else if !reached {
            "this file does not run"
        } else {
            "this line is not reached at import time"
        };
        return Some(format!("`{command}`: {why}."));
    };
    Some(match event.action {
        Action::Ran(step) => format!("`{command}`: **runs** `{}` here (step {} of the load order).", event.module, step + 1),
        Action::CacheHit { partial } => {
            let first = order.trace.iter().find(|e| e.module == event.module && matches!(e.action, Action::Ran(_)));
            let origin = match first {
                Some(first) => {
                    let Action::Ran(step) = first.action else { unreachable!("filtered on Ran") };
                    match &first.site {
                        Some(site) => format!("it ran at step {}, first imported from `{}:{}`", step + 1, site.path, site.line),
                        None => format!("it ran at step {}", step + 1),
                    }
                }
                None => "it was already loaded".to_string(),
            };
            let state = if partial { " and is **still initialising** here (only the names bound so far exist)" } else { "" };
            format!("`{command}`: cache hit — {origin}{state}.")
        }
    })
}

/// What a module's top level does when it is first imported.
fn import_time_profile(results: &Results, path: &str, summary: &FileSummary) -> String {
    let project = &results.project;
    let mut imported: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for (id, _) in import_time_imports(project, summary) {
        for target in static_targets(project, path, summary.import(id)) {
            let name = project.display_name(&target);
            if seen.insert(name.clone()) {
                imported.push(format!("`{name}`"));
            }
        }
    }
    let mut out = String::from("At import time it ");
    if imported.is_empty() {
        out.push_str("imports no first-party module");
    } else {
        let shown: Vec<String> = imported.iter().take(8).cloned().collect();
        let more = imported.len().saturating_sub(shown.len());
        let _ = write!(out, "imports {}", shown.join(", "));
        if more > 0 {
            let _ = write!(out, " and {more} more");
        }
    }
    let functions = summary.functions.len();
    let _ = write!(out, "; it defines {functions} function{}", if functions == 1 { "" } else { "s" });
    if summary.main_guard.is_some() {
        out.push_str("; it has a `__main__` block that runs only when it is the script");
    }
    out.push('.');
    let facts = profile::import_profile(project, path, summary);
    if !facts.effects.is_empty() || !facts.mutable.is_empty() || !facts.singletons.is_empty() {
        out.push('\n');
    }
    for effect in facts.effects.iter().take(MAX_FACTS) {
        let (what, code) = match effect.kind {
            EffectKind::SideEffect(kind) => (kind.describe().to_string(), "MC201"),
            EffectKind::EnvRead => ("reads the environment, once".to_string(), "MC202"),
            EffectKind::Nondeterminism => ("draws a value that is frozen for the process".to_string(), "MC203"),
        };
        let _ = write!(out, "\n- [{what}]({}): `{}` at line {}", rule_url(code), effect.what, effect.line);
    }
    if facts.effects.len() > MAX_FACTS {
        let _ = write!(out, "\n- and {} more import-time effects", facts.effects.len() - MAX_FACTS);
    }
    if !facts.mutable.is_empty() {
        let _ = write!(
            out,
            "\n- [shared mutable state]({}): {}",
            rule_url("MC101"),
            binding_list(&facts.mutable)
        );
    }
    if !facts.singletons.is_empty() {
        let _ = write!(out, "\n- [singletons]({}): {}", rule_url("MC105"), binding_list(&facts.singletons));
    }
    out
}

/// How many facts of one kind a hover lists before it summarises the rest.
const MAX_FACTS: usize = 5;

/// "`cache` (dict, line 2), `users` (list, line 3)".
fn binding_list(bindings: &[profile::ProfileBinding]) -> String {
    let mut shown: Vec<String> =
        bindings.iter().take(MAX_FACTS).map(|b| format!("`{}` ({}, line {})", b.name, b.kind, b.line)).collect();
    if bindings.len() > MAX_FACTS {
        shown.push(format!("and {} more", bindings.len() - MAX_FACTS));
    }
    shown.join(", ")
}

/// The import cycle that the imported module is in, whether this statement is one of its
/// edges, and whether some entry order makes it crash.
fn cycle_text(results: &Results, path: &str, targets: &[String]) -> Option<String> {
    let graph = ImportGraph::build(&results.project);
    let cycles = graph.cycles();
    let (target, component) =
        targets.iter().filter_map(|t| graph.node(t)).find_map(|t| cycles.iter().find(|c| c.contains(&t)).map(|c| (t, c)))?;
    let within: HashSet<usize> = component.iter().copied().collect();
    let here = graph.node(path).filter(|n| within.contains(n));
    // The cycle through this import when it is an edge, else the shortest through the target.
    let start = here.unwrap_or(target);
    let (first, rest) = match here {
        Some(from) => (vec![from, target], graph.shortest_path(target, from, &within)?),
        None => {
            let next = graph.out_edges(target).map(|e| e.to).find(|n| within.contains(n))?;
            (vec![target, next], graph.shortest_path(next, start, &within)?)
        }
    };
    let mut names: Vec<String> = first.iter().map(|&n| results.project.display_name(&graph.nodes[n])).collect();
    names.extend(rest.iter().map(|&e| results.project.display_name(&graph.nodes[graph.edges[e].to])));
    let members: HashSet<&str> = component.iter().map(|&n| graph.nodes[n].as_str()).collect();
    let crashes: Vec<String> = results
        .analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == "MC002" && members.contains(d.path.as_str()))
        .map(|d| format!("`{}:{}`", d.path, results.project.summary(&d.path).map(|s| s.line_number(d.range.start)).unwrap_or(0)))
        .collect();
    let chain = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" → ");
    let mut out = match here {
        Some(_) => format!("This import is an edge of an [import cycle]({}): {chain}.", rule_url("MC001")),
        None => format!("`{}` is in an [import cycle]({}): {chain}.", names[0], rule_url("MC001")),
    };
    if crashes.is_empty() {
        out.push_str(" No entry order makes it crash.");
    } else {
        let _ = write!(out, " It [crashes]({}) for some entry order at {}.", rule_url("MC002"), crashes.join(", "));
    }
    Some(out)
}

/// A module-level name: where it is bound, and what that means for importers.
fn name_hover(results: Option<&Results>, path: &str, summary: &FileSummary, name: &str) -> Option<String> {
    let range = summary.module_binding(name)?;
    let line = summary.line_number(range.start);
    let module = results.map(|r| r.project.display_name(path)).unwrap_or_else(|| path.to_string());
    let mut paragraphs = vec![format!(
        "**`{name}`** is a global of `{module}`, bound at line {line} when the module's top level runs: once, at the \
         first import that misses `sys.modules`. Every importer shares this one binding's object."
    )];
    if let Some(binding) = summary.state.bindings.iter().find(|b| b.class.is_none() && b.name == name) {
        if let Value::Mutable { kind } = &binding.value {
            paragraphs.push(format!("Its value is a mutable `{kind}`: a change made through any importer is seen by all of them."));
        }
        let frozen = binding.value_range.and_then(|value| {
            summary.state.effects.iter().find(|e| {
                matches!(e.kind, EffectKind::EnvRead | EffectKind::Nondeterminism)
                    && value.start <= e.range.start
                    && e.range.end <= value.end
            })
        });
        if let Some(effect) = frozen {
            let (code, later) = match effect.kind {
                EffectKind::EnvRead => ("MC202", "later changes to the environment are not seen"),
                _ => ("MC203", "it stays the same for the whole process, in every importer"),
            };
            paragraphs.push(format!(
                "Its value [comes from `{}`]({}) once, at that first import; {later}.",
                effect.what,
                rule_url(code)
            ));
        }
    }
    if let Some(results) = results {
        let importers: Vec<String> = results
            .project
            .files()
            .filter(|(other, _)| *other != path)
            .filter_map(|(other, other_summary)| {
                other_summary.imports.iter().find_map(|stmt| match &stmt.kind {
                    ImportKind::From { names, .. } if names.iter().any(|n| n.name == name) => {
                        static_targets(&results.project, other, stmt).iter().any(|t| t == path).then(|| format!("`{other}:{}`", stmt.line))
                    }
                    _ => None,
                })
            })
            .take(8)
            .collect();
        if !importers.is_empty() {
            paragraphs.push(format!(
                "Taken by `from {module} import {name}` at {} (those names keep this object even after a reload).",
                importers.join(", ")
            ));
        }
        // The module's own top level initialises the name; only later changes are news.
        let changes = profile::name_changes(&results.project, path, name);
        let later: Vec<&profile::NameChange> = changes.iter().filter(|c| !(c.top_level && c.path == path)).collect();
        if later.is_empty() {
            paragraphs.push("No first-party code changes it after the import.".to_string());
        } else {
            let mut list = String::from("Changed after the import, so every importer sees it:");
            for change in later.iter().take(MAX_FACTS) {
                let actor = match &change.function {
                    Some(function) => format!("`{function}()`"),
                    None => "the top level".to_string(),
                };
                let _ = write!(list, "\n- `{}:{}`: {actor} {} it", change.path, change.line, change.verb);
            }
            if later.len() > MAX_FACTS {
                let _ = write!(list, "\n- and {} more", later.len() - MAX_FACTS);
            }
            paragraphs.push(list);
        }
    }
    Some(paragraphs.join("\n\n"))
}
