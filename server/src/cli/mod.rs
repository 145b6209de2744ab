//! The command line: argument parsing and the subcommands.

mod check;
mod explain;
pub mod graph;
pub mod order;
pub mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "modcache", version, about = "Makes Python's module cache visible: load order, crashing import cycles, shared module state.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every rule over a workspace.
    Check(check::CheckArgs),
    /// Predict the load order and outcome of `python SCRIPT` or `python -m MODULE`.
    Order(order::OrderArgs),
    /// Print the first-party import graph, with cycles highlighted.
    Graph(graph::GraphArgs),
    /// Print a rule's documentation.
    Explain(explain::ExplainArgs),
    /// Run the language server on standard input and output.
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// Exit status 2: a usage or I/O error, reported with a clear message.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Order(args) => order::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Server => {
            crate::lsp::run();
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            anstream::eprintln!("modcache: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root for a list of paths given on the command line.
fn root_for(paths: &[PathBuf]) -> Result<PathBuf, Failure> {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    for path in paths {
        if !path.exists() {
            return Err(Failure(format!("{}: no such file or directory", path.display())));
        }
    }
    Ok(crate::workspace::find_root(&first)?)
}
