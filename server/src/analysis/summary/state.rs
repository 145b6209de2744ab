//! Facts about module state for the state rules (MC101–MC401), collected in a second pass over
//! the parse tree. Filled in by the state-rules work; empty until then.

use tree_sitter::Node;

/// Module-level state: bindings, mutations, import-time calls, reloads, `sys.modules` use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateFacts {}

/// Collects the state facts of a module from its parse tree.
pub fn collect(_text: &str, _root: Node) -> StateFacts {
    StateFacts::default()
}
