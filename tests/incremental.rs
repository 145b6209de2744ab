//! Incremental state equals a from-scratch analysis after any sequence of edits:
//! - a document edited through LSP changes (UTF-16 ranges, several changes per notification,
//!   CRLF and non-ASCII text) has the same text and summary as the final text parsed afresh;
//! - after an edit that keeps a file's shape, the server's remapped results equal a new analysis.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use modcache::analysis::check::analyze;
use modcache::analysis::config::Config;
use modcache::analysis::project::Project;
use modcache::analysis::python_env::PythonEnv;
use modcache::analysis::summary::positions::range_map;
use modcache::analysis::summary::summarize;
use modcache::analysis::text::{LineCol, LineIndex};
use modcache::lsp::{Document, Encoding};
use proptest::prelude::*;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

const BASE: &str = "import os\r\nfrom services import save  # é\n\nclass User:\n    name = \"😀\"\n\n    def save(self):\n        return save(self)\n\nCACHE = {}\nif __name__ == \"__main__\":\n    print(User())\n";

#[derive(Clone, Debug)]
struct Edit {
    /// Where, as a fraction of the text's length.
    at: f64,
    delete: usize,
    insert: String,
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let insert = prop::collection::vec(
        prop::sample::select(vec!["a", "x", " ", "\n", "\r\n", "é", "😀", "(", ")", ":", "import b\n", "def ", "#", "\"", "_"]),
        0..4,
    )
    .prop_map(|parts| parts.concat());
    (0.0f64..=1.0, 0usize..4, insert).prop_map(|(at, delete, insert)| Edit { at, delete, insert })
}

/// The UTF-16 LSP range of a char range of `text`.
fn lsp_range(text: &str, start: usize, end: usize) -> Range {
    let index = LineIndex::new(text);
    let position = |offset: usize| {
        let LineCol { line, col } = index.line_col_utf16(text, offset as u32);
        Position { line, character: col }
    };
    Range { start: position(start), end: position(end) }
}

/// Applies an edit to a plain string, returning the LSP change that does the same.
fn apply(text: &mut String, edit: &Edit) -> TextDocumentContentChangeEvent {
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let start_index = ((boundaries.len() - 1) as f64 * edit.at) as usize;
    let start = boundaries[start_index];
    let end = boundaries[(start_index + edit.delete).min(boundaries.len() - 1)];
    // Never split a CRLF pair: editors do not, and LSP positions cannot address between them.
    let (start, end) = (fix_crlf(text, start), fix_crlf(text, end));
    let end = end.max(start);
    let range = lsp_range(text, start, end);
    text.replace_range(start..end, &edit.insert);
    TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: edit.insert.clone() }
}

fn fix_crlf(text: &str, offset: usize) -> usize {
    if offset > 0 && text.as_bytes().get(offset - 1) == Some(&b'\r') && text.as_bytes().get(offset) == Some(&b'\n') {
        offset - 1
    } else {
        offset
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn incremental_document_equals_a_fresh_parse(batches in prop::collection::vec(prop::collection::vec(edit_strategy(), 1..4), 1..12)) {
        let mut expected = BASE.to_string();
        let mut document = Document::new(0, BASE);
        for (version, batch) in batches.iter().enumerate() {
            let changes: Vec<_> = batch.iter().map(|edit| apply(&mut expected, edit)).collect();
            document.apply_changes(version as i32 + 1, changes, Encoding::Utf16);
            prop_assert_eq!(&*document.text, expected.as_str());
            prop_assert_eq!(&*document.summary, &summarize(&expected));
        }
    }

    #[test]
    fn remapped_results_equal_a_new_analysis(edits in prop::collection::vec(edit_strategy(), 1..8)) {
        let others = support::parse_fixture(
            "# file: main.py\nimport models\n# file: services.py\nfrom models import User\n\ndef save(user):\n    return User\n",
        );
        let project_of = |models: &str| {
            let mut files: BTreeMap<String, Arc<_>> =
                others.iter().map(|(p, t)| (p.clone(), Arc::new(summarize(t)))).collect();
            files.insert("models.py".to_string(), Arc::new(summarize(models)));
            Project::new(files, &[], Config::default(), PythonEnv::default())
        };
        let mut text = BASE.replace("import os\r\n", "import os\n");
        for edit in &edits {
            let old = summarize(&text);
            let old_analysis = analyze(&project_of(&text));
            let mut new_text = text.clone();
            apply(&mut new_text, edit);
            let new = summarize(&new_text);
            if old.shape() == new.shape() {
                let mut remapped = old_analysis.clone();
                remapped.remap("models.py", &range_map(&old, &new));
                let fresh = analyze(&project_of(&new_text));
                prop_assert_eq!(remapped.diagnostics, fresh.diagnostics);
            }
            text = new_text;
        }
    }
}
