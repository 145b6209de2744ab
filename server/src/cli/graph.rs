use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{root_for, Failure};
use crate::analysis::graph::ImportGraph;
use crate::workspace::{self, LoadOptions};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Dot,
    Mermaid,
    Json,
}

#[derive(Args)]
pub struct GraphArgs {
    /// The workspace (default: the current folder).
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    format: Format,
}

struct Edge {
    from: String,
    to: String,
    path: String,
    line: u32,
    cycle: bool,
}

pub fn run(args: GraphArgs) -> Result<ExitCode, Failure> {
    let root = root_for(&args.paths)?;
    let ws = workspace::load(&root, &LoadOptions::default())?;
    let rendered = render(&ws.project, &ImportGraph::build(&ws.project));
    let output = match args.format {
        Format::Json => serde_json::to_string_pretty(&rendered.json).expect("JSON values serialise") + "\n",
        Format::Dot => rendered.dot,
        Format::Mermaid => rendered.mermaid,
    };
    print!("{output}");
    Ok(ExitCode::SUCCESS)
}

/// The graph in every format (the server's `modcache/graph` sends the JSON and the mermaid).
pub struct Rendered {
    pub json: serde_json::Value,
    pub dot: String,
    pub mermaid: String,
}

pub fn render(project: &crate::analysis::project::Project, graph: &ImportGraph) -> Rendered {
    let cycles = graph.cycles();
    let component_of: BTreeMap<usize, usize> =
        cycles.iter().enumerate().flat_map(|(c, nodes)| nodes.iter().map(move |&n| (n, c))).collect();
    let name = |node: usize| project.display_name(&graph.nodes[node]);
    let mut seen = HashSet::new();
    let mut edges = Vec::new();
    for edge in &graph.edges {
        if !seen.insert((edge.from, edge.to)) {
            continue;
        }
        let cycle = component_of.contains_key(&edge.from) && component_of.get(&edge.from) == component_of.get(&edge.to);
        let path = graph.nodes[edge.from].clone();
        let line = project.summary(&path).map(|s| s.import(edge.import).line).unwrap_or(0);
        edges.push(Edge { from: name(edge.from), to: name(edge.to), path, line, cycle });
    }
    let in_cycle: BTreeSet<String> = component_of.keys().map(|&n| name(n)).collect();
    let nodes: Vec<(String, String)> = (0..graph.nodes.len()).map(|n| (name(n), graph.nodes[n].clone())).collect();
    let json = {
            let value = json!({
                "nodes": nodes.iter().map(|(m, p)| json!({"module": m, "path": p, "cycle": in_cycle.contains(m)})).collect::<Vec<_>>(),
                "edges": edges.iter().map(|e| json!({"from": e.from, "to": e.to, "path": e.path, "line": e.line, "cycle": e.cycle})).collect::<Vec<_>>(),
                "cycles": cycles.iter().map(|c| c.iter().map(|&n| name(n)).collect::<Vec<_>>()).collect::<Vec<_>>(),
            });
            value
        };
    let dot = {
            let mut out = String::from("digraph imports {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
            for (module, _) in &nodes {
                let style = if in_cycle.contains(module) { ", color=red, fontcolor=red" } else { "" };
                let _ = writeln!(out, "  \"{module}\" [label=\"{module}\"{style}];");
            }
            for e in &edges {
                let style = if e.cycle { ", color=red, penwidth=2" } else { "" };
                let _ = writeln!(out, "  \"{}\" -> \"{}\" [label=\"{}:{}\"{style}];", e.from, e.to, e.path, e.line);
            }
            out.push_str("}\n");
            out
        };
    let mermaid = {
            let mut out = String::from("graph LR\n");
            let id: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, (m, _))| (m.as_str(), i)).collect();
            for (i, (module, _)) in nodes.iter().enumerate() {
                let _ = writeln!(out, "  n{i}[\"{module}\"]");
            }
            let mut cycle_links = Vec::new();
            for (i, e) in edges.iter().enumerate() {
                let _ = writeln!(out, "  n{} -->|\"{}:{}\"| n{}", id[e.from.as_str()], e.path, e.line, id[e.to.as_str()]);
                if e.cycle {
                    cycle_links.push(i.to_string());
                }
            }
            let cycle_nodes: Vec<String> =
                nodes.iter().enumerate().filter(|(_, (m, _))| in_cycle.contains(m)).map(|(i, _)| format!("n{i}")).collect();
            if !cycle_nodes.is_empty() {
                out.push_str("  classDef cycle stroke:#d00,stroke-width:2px,color:#d00\n");
                let _ = writeln!(out, "  class {} cycle", cycle_nodes.join(","));
                let _ = writeln!(out, "  linkStyle {} stroke:#d00,stroke-width:2px", cycle_links.join(","));
            }
            out
        };
    Rendered { json, dot, mermaid }
}
