//! The server's state: open documents, the workspace's other files, configuration, and the
//! latest analysis. It lives behind one `std::sync::Mutex` that is never held across `.await`,
//! so that document changes apply in arrival order (see docs/architecture.md).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::Uri;

use super::document::Document;
use super::encoding::Encoding;
pub use super::results::Results;
use super::settings::Settings;
use crate::analysis::config::Config;
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::text::LineIndex;
use crate::analysis::project::{FileMap, Project};
use crate::analysis::python_env::PythonEnv;
use crate::analysis::summary::FileSummary;
use crate::workspace::{relative_path, Problem};

/// What the analysis worker needs, copied out of the session under the lock.
pub struct Snapshot {
    pub generation: u64,
    pub files: FileMap,
    pub pending: Vec<String>,
    pub dirs: Vec<String>,
    pub config: Config,
    pub env: PythonEnv,
    pub workspace_is_library: bool,
}

#[derive(Default)]
pub struct Session {
    pub root: Option<PathBuf>,
    pub encoding: Encoding,
    /// Open documents by path relative to the root.
    pub documents: HashMap<String, Document>,
    /// The URI each path was opened with, to answer in the client's own spelling.
    pub uris: HashMap<String, Uri>,
    /// Summaries of files read from disk (not open). Shared with the projects made from it,
    /// so a change copies it only once per analysis.
    pub disk: Arc<BTreeMap<String, Arc<FileSummary>>>,
    /// Files known to exist whose summary is not read yet (indexing in progress).
    pub pending: BTreeSet<String>,
    pub dirs: Vec<String>,
    pub problems: Vec<Problem>,
    pub file_config: Config,
    pub settings: Settings,
    pub env: PythonEnv,
    pub workspace_is_library: bool,
    /// Bumped by every change that needs a new analysis.
    pub generation: u64,
    pub results: Option<Arc<Results>>,
    /// The diagnostics last published per path, so that fixed files get an empty list and
    /// unchanged ones are not sent again.
    pub published: HashMap<String, Vec<tower_lsp_server::ls_types::Diagnostic>>,
    /// Each file's findings with their LSP form, kept while the text of every file they point
    /// into is unchanged: converting positions reads closed files from disk.
    pub converted: FxHashMap<String, Converted>,
    /// Texts of closed files read to convert positions, kept until [`Session::text_changed`]
    /// says otherwise: after an edit, the findings that point into the edited file are converted
    /// again, and reading their files from disk each time was a quarter of a publication.
    pub disk_texts: Mutex<DiskTexts>,
    /// Set once the workspace walk has listed every file.
    pub indexed: bool,
    /// The analysis thread is working on a snapshot (the indexer gives way to it).
    pub analysing: bool,
    /// The generation at which every listed file had been read, once it has.
    pub read_all: Option<u64>,
    /// The client pulls diagnostics (`textDocument/diagnostic`), so they are not pushed.
    pub pull_mode: bool,
    pub client_supports_configuration: bool,
    pub client_supports_refresh: bool,
    pub client_supports_watch_registration: bool,
    pub client_supports_progress: bool,
}

impl Session {
    /// The path relative to the root of a `file:` URI inside the workspace.
    pub fn path_of(&self, uri: &Uri) -> Option<String> {
        let root = self.root.as_ref()?;
        let path = uri.to_file_path()?;
        relative_path(root, &path).or_else(|| {
            let canonical = std::fs::canonicalize(&path).ok()?;
            relative_path(root, &canonical)
        })
        .filter(|p| !p.is_empty())
    }

    pub fn uri_of(&self, path: &str) -> Option<Uri> {
        if let Some(uri) = self.uris.get(path) {
            return Some(uri.clone());
        }
        Uri::from_file_path(self.root.as_ref()?.join(path))
    }

    /// Whether the results describe the whole workspace (perhaps a keystroke behind), or there
    /// is no workspace to wait for.
    pub fn complete(&self) -> bool {
        if self.root.is_none() {
            return true;
        }
        match (self.read_all, &self.results) {
            (Some(read_all), Some(results)) => results.generation >= read_all,
            _ => false,
        }
    }

    pub fn config(&self) -> Config {
        self.settings.apply(&self.file_config)
    }

    pub fn snapshot(&self) -> Snapshot {
        let open = self
            .documents
            .iter()
            .filter(|(path, _)| path.ends_with(".py"))
            .map(|(path, document)| (path.clone(), document.summary.clone()))
            .collect();
        let files = FileMap::new(self.disk.clone(), open);
        let pending = self.pending.iter().filter(|p| !files.contains_key(p)).cloned().collect();
        Snapshot {
            generation: self.generation,
            files,
            pending,
            dirs: self.dirs.clone(),
            config: self.config(),
            env: self.env.clone(),
            workspace_is_library: self.workspace_is_library,
        }
    }

    /// Drops the LSP forms of findings that point into `path`, whose text changed, and the
    /// kept text of `path`.
    pub fn text_changed(&mut self, path: &str) {
        self.converted.retain(|file, converted| file != path && !converted.points_into.iter().any(|p| p == path));
        let kept = self.disk_texts.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((text, _)) = kept.texts.remove(path) {
            kept.bytes -= text.len();
        }
    }

    /// Text and line index of a file, from its open document or (for files on disk) read once.
    pub fn text(&self, path: &str) -> Option<(Arc<str>, Arc<LineIndex>)> {
        if let Some(document) = self.documents.get(path) {
            return Some((document.text.clone(), document.line_index.clone()));
        }
        let mut kept = self.disk_texts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(found) = kept.texts.get(path) {
            return Some(found.clone());
        }
        let found = read_text(self.root.as_deref()?, path)?;
        // The first publication converts every file's findings; the kept texts are only for
        // the few that edits convert again, so they are bounded rather than the workspace.
        if kept.bytes + found.0.len() > DiskTexts::MAX_BYTES {
            *kept = DiskTexts::default();
        }
        kept.bytes += found.0.len();
        kept.texts.insert(path.to_string(), found.clone());
        Some(found)
    }
}

/// See [`Session::disk_texts`].
#[derive(Default)]
pub struct DiskTexts {
    texts: FxHashMap<String, (Arc<str>, Arc<LineIndex>)>,
    /// The length of the texts kept.
    bytes: usize,
}

impl DiskTexts {
    const MAX_BYTES: usize = 4 << 20;
}

/// One file's findings in LSP form, as last published.
pub struct Converted {
    pub findings: Vec<Arc<Diagnostic>>,
    pub list: Vec<tower_lsp_server::ls_types::Diagnostic>,
    /// The other files whose text the positions were read from (related locations).
    pub points_into: Vec<String>,
}

pub fn read_text(root: &Path, path: &str) -> Option<(Arc<str>, Arc<LineIndex>)> {
    let bytes = std::fs::read(root.join(path)).ok()?;
    let text = crate::analysis::source::decode_python_source(&bytes).ok()?;
    let index = crate::analysis::text::LineIndex::new(&text);
    Some((Arc::from(text), Arc::new(index)))
}

impl Snapshot {
    pub fn project(self) -> Project {
        self.project_reusing(None)
    }

    /// The project, sharing the module tree of `previous` when the files are the same.
    pub fn project_reusing(self, previous: Option<&Project>) -> Project {
        Project::reusing_library(
            previous,
            self.files,
            &self.pending,
            &self.dirs,
            self.config,
            self.env,
            self.workspace_is_library,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Session;

    #[test]
    fn a_closed_file_is_read_again_only_after_its_text_changed() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let write = |text: &str| std::fs::write(root.path().join("m.py"), text).expect("the file is written");
        write("x = 1\n");
        let mut session = Session { root: Some(root.path().to_path_buf()), ..Session::default() };
        let text = |session: &Session| session.text("m.py").map(|(text, _)| text.to_string());
        assert_eq!(text(&session).as_deref(), Some("x = 1\n"));
        // Without an event, the kept text stands (as the summary on disk does).
        write("y = 2\n");
        assert_eq!(text(&session).as_deref(), Some("x = 1\n"));
        session.text_changed("m.py");
        assert_eq!(text(&session).as_deref(), Some("y = 2\n"));
        // A file that is gone has no text.
        std::fs::remove_file(root.path().join("m.py")).expect("the file is removed");
        session.text_changed("m.py");
        assert_eq!(text(&session), None);
    }
}
