//! A code lens on a module's first line: when its code runs in the main entry.

use tower_lsp_server::ls_types::*;

use super::session::Session;
use crate::analysis::simulate::Action;

pub fn code_lenses(s: &Session, params: &CodeLensParams) -> Option<Vec<CodeLens>> {
    let path = s.path_of(&params.text_document.uri)?;
    let results = s.results.as_ref()?;
    let mut lenses = Vec::new();
    for order in &results.analysis.entry_orders {
        let Some(step) = order.steps.iter().position(|st| *st.path == *path) else { continue };
        let first = &order.steps[step];
        let title = match (&first.module[..], &first.imported_from) {
            ("__main__", _) => format!("runs as __main__ (step {}) of `{}`", step + 1, order.entry.command()),
            (_, Some(site)) => format!(
                "runs at step {} of `{}`, first imported from {}:{}",
                step + 1,
                order.entry.command(),
                site.path,
                site.line
            ),
            (_, None) => format!("runs at step {} of `{}`", step + 1, order.entry.command()),
        };
        let twice = order.trace.iter().filter(|e| *e.path == *path && matches!(e.action, Action::Ran(_))).count() > 1;
        // Its code runs again as a second module (a script imported under its own name, an
        // import after `del sys.modules[…]`) or in the same one (`importlib.reload`).
        let title = if twice { format!("{title} — and runs again later in the same run") } else { title };
        lenses.push(CodeLens {
            range: Range { start: Position { line: 0, character: 0 }, end: Position { line: 0, character: 0 } },
            command: Some(Command { title, command: String::new(), arguments: None }),
            data: None,
        });
        // One lens: the first entry that runs this module is the one a reader wants.
        break;
    }
    Some(lenses)
}
