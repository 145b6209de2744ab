//! Every position a summary holds, visited in one fixed order.
//!
//! This is what lets the language server keep its firewall when an edit shifts text without
//! changing what a module does: two summaries with the same *shape* (equal once every byte range
//! is replaced by the lines it spans) produce the same cross-file results, and the old results'
//! ranges map one to one onto the new summary's ranges, in visiting order.

use std::collections::HashMap;

use super::*;
use crate::analysis::text::TextRange;

/// Types that hold byte ranges.
pub trait VisitRanges {
    fn visit_ranges(&mut self, f: &mut dyn FnMut(&mut TextRange));
}

impl VisitRanges for FileSummary {
    fn visit_ranges(&mut self, f: &mut dyn FnMut(&mut TextRange)) {
        for stmt in &mut self.imports {
            f(&mut stmt.range);
            match &mut stmt.kind {
                ImportKind::Import { modules } => modules.iter_mut().for_each(|m| f(&mut m.range)),
                ImportKind::From { names, .. } => names.iter_mut().for_each(|n| f(&mut n.range)),
                ImportKind::Dynamic { .. } => {}
            }
        }
        visit_block(&mut self.body, f);
        for function in &mut self.functions {
            f(&mut function.range);
            f(&mut function.name_range);
            visit_block(&mut function.body, f);
        }
        if let Some(range) = &mut self.main_guard {
            f(range);
        }
        for range in &mut self.syntax_errors {
            f(range);
        }
        for newer in &mut self.newer_syntax {
            f(&mut newer.range);
        }
        self.suppressions.iter_mut().for_each(|s| f(&mut s.range));
        self.state.visit_ranges(f);
    }
}

impl VisitRanges for super::state::StateFacts {
    fn visit_ranges(&mut self, f: &mut dyn FnMut(&mut TextRange)) {
        self.for_each_range(f);
    }
}

fn visit_block(block: &mut Block, f: &mut dyn FnMut(&mut TextRange)) {
    for event in block {
        match event {
            Event::Import(_)
            | Event::Unbind { .. }
            | Event::Return { .. }
            | Event::MetaPathFinder
            | Event::ForgetLiterals => {}
            Event::Bind { range, .. }
            | Event::Def { range, .. }
            | Event::Call { range, .. }
            | Event::Attr { range, .. }
            | Event::Reload { range, .. }
            | Event::SetAttr { range, .. }
            | Event::SysModulesSet { range, .. }
            | Event::SysModulesDel { range, .. }
            | Event::Raise { range, .. } => f(range),
            Event::Class(class) => {
                f(&mut class.range);
                f(&mut class.name_range);
                visit_block(&mut class.body, f);
            }
            Event::If { branches, .. } => {
                // The conditions first: they are evaluated before any branch runs.
                branches.iter_mut().for_each(|branch| branch.cond.visit_ranges(f));
                for nested in event.branch_blocks_mut() {
                    visit_block(nested, f);
                }
            }
            Event::Try(_) => {
                for nested in event.branch_blocks_mut() {
                    visit_block(nested, f);
                }
            }
        }
    }
}

impl FileSummary {
    /// The summary with every byte range replaced by the 0-based lines it spans: equal shapes
    /// mean the same behaviour on the same lines.
    pub fn shape(&self) -> FileSummary {
        let mut shape = self.clone();
        let index = std::mem::take(&mut shape.line_index);
        shape.visit_ranges(&mut |range| {
            *range = TextRange { start: index.line_of(range.start), end: index.line_of(range.end) };
        });
        shape
    }

    /// Every byte range in visiting order.
    pub fn ranges(&self) -> Vec<TextRange> {
        let mut ranges = Vec::new();
        self.clone().visit_ranges(&mut |range| ranges.push(*range));
        ranges
    }
}

/// Maps the ranges of `old` onto those of `new`, two summaries of the same shape.
pub fn range_map(old: &FileSummary, new: &FileSummary) -> HashMap<TextRange, TextRange> {
    let mut map = HashMap::new();
    for (o, n) in old.ranges().into_iter().zip(new.ranges()) {
        map.entry(o).or_insert(n);
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_inside_a_line_keep_the_shape_and_map_ranges() {
        // The returned value is not known either way, so it is not part of the shape.
        let old = summarize("import a\ndef f():\n    return x + 1\nx = a.b\nif f(): pass\n");
        let new = summarize("import a\ndef f():\n    return x + 12345\nx = a.b\nif  f(): pass\n");
        assert_ne!(old, new);
        assert_eq!(old.shape(), new.shape());
        let map = range_map(&old, &new);
        let old_attr = old.ranges().into_iter().find(|r| r.start == 39).expect("a.b in the old text");
        assert_eq!(map[&old_attr].start, 43);
        // The tested call's range moves with the text.
        let old_call = old.ranges().into_iter().find(|r| r.start == 46).expect("f() in the old text");
        assert_eq!(map[&old_call], TextRange { start: 51, end: 54 });
    }

    #[test]
    fn new_lines_or_new_imports_change_the_shape() {
        let old = summarize("import a\nx = 1\n");
        assert_ne!(old.shape(), summarize("\nimport a\nx = 1\n").shape());
        assert_ne!(old.shape(), summarize("import b\nx = 1\n").shape());
        // A function's returned literal decides the tests of its calls.
        let returns = summarize("def f():\n    return 1\n");
        assert_ne!(returns.shape(), summarize("def f():\n    return 0\n").shape());
    }
}
