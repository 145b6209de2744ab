//! modcache: makes Python's module cache visible.
//!
//! - [`analysis`]: the core (summaries, resolution, load-order simulation, graph, rules). Pure.
//! - [`workspace`]: finding and reading files, configuration files, asking the interpreter.
//! - [`cli`]: the command line and its output formats.
//! - [`allocator`]: the memory allocator the binaries install.

pub mod allocator;
pub mod analysis;
pub mod cli;
pub mod lsp;
pub mod workspace;
