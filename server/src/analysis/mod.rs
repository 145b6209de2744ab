//! The analysis core: takes (path, text) pairs and configuration, does no I/O, knows nothing of
//! LSP or output formats, and never fails on broken input.

pub mod check;
pub mod config;
pub mod diagnostic;
pub mod entries;
pub mod graph;
pub mod modules;
pub mod profile;
pub mod project;
pub mod python_env;
pub mod rules;
pub mod simulate;
pub mod source;
mod stdlib_names;
pub mod summary;
pub mod text;
