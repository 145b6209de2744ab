//! The I/O layer: finding the workspace root and its configuration, walking and reading files,
//! and asking the interpreter. It turns a folder into an [`analysis::project::Project`] and a
//! list of problems (unreadable files, undecodable bytes, syntax errors) that never stop a run.

pub mod interpreter;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::analysis::config::Config;
use crate::analysis::project::Project;
use crate::analysis::python_env::PythonEnv;
use crate::analysis::source::decode_python_source;
use crate::analysis::summary::{summarize, CompileFailure, FileSummary};
use crate::analysis::text::{LineIndex, TextRange};

/// Files larger than this are not read: no real module is this big, and generated data files
/// would only cost time.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Folder names never walked into (besides hidden folders and environments). `venv` is not one
/// of them: environments are recognised by their marker files instead, because the standard
/// library has a `venv` package of its own.
const DEFAULT_EXCLUDES: &[&str] =
    &["__pycache__", "node_modules", "site-packages", "dist-packages", "__pypackages__", "_build", "buck-out"];

/// Whether `dir` is a Python environment: a virtualenv (PEP 405's `pyvenv.cfg`) or a conda
/// environment (`conda-meta/`).
fn is_environment(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file() || dir.join("conda-meta").is_dir()
}

#[derive(Debug)]
pub struct WorkspaceError(pub String);

impl fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WorkspaceError {}

/// A file that could not be analysed as written; the run goes on without it (or with what could
/// be read of it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

pub struct Workspace {
    pub root: PathBuf,
    pub project: Project,
    pub problems: Vec<Problem>,
    pub interpreter: Option<String>,
}

pub struct LoadOptions {
    pub config_file: Option<PathBuf>,
    /// Whether to ask an interpreter (tests turn it off to be independent of the machine).
    pub probe_interpreter: bool,
    /// Called with (done, total) while files are read.
    pub progress: Option<Box<dyn Fn(usize, usize) + Sync>>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { config_file: None, probe_interpreter: true, progress: None }
    }
}

/// The root for analysing `path`: the nearest folder at or above it with a pyproject.toml or
/// modcache.toml, else the folder itself (a file's folder for a file).
pub fn find_root(path: &Path) -> Result<PathBuf, WorkspaceError> {
    let absolute = std::fs::canonicalize(path)
        .map_err(|e| WorkspaceError(format!("{}: {}", path.display(), io_message(&e))))?;
    let start = if absolute.is_dir() { absolute.clone() } else { absolute.parent().map(Path::to_path_buf).unwrap_or(absolute.clone()) };
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        if d.join("pyproject.toml").is_file() || d.join("modcache.toml").is_file() {
            return Ok(d.to_path_buf());
        }
        dir = d.parent();
    }
    Ok(start)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Reads the configuration: `config_file` if given, else modcache.toml, else pyproject.toml.
pub fn load_config(root: &Path, config_file: Option<&Path>) -> Result<Config, WorkspaceError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| WorkspaceError(format!("{}: {}", path.display(), io_message(&e))))
    };
    let parse_error = |path: &Path, e: crate::analysis::config::ConfigError| {
        WorkspaceError(format!("{}: invalid configuration: {e}", path.display()))
    };
    if let Some(file) = config_file {
        let text = read(file)?;
        return if file.file_name().is_some_and(|n| n == "pyproject.toml") {
            Ok(Config::from_pyproject(&text).map_err(|e| parse_error(file, e))?.unwrap_or_default())
        } else {
            Config::from_modcache_toml(&text).map_err(|e| parse_error(file, e))
        };
    }
    let modcache = root.join("modcache.toml");
    let pyproject = root.join("pyproject.toml");
    let scripts_from_pyproject = || -> Result<Option<Config>, WorkspaceError> {
        if pyproject.is_file() {
            Config::from_pyproject(&read(&pyproject)?).map_err(|e| parse_error(&pyproject, e))
        } else {
            Ok(None)
        }
    };
    if modcache.is_file() {
        let mut config = Config::from_modcache_toml(&read(&modcache)?).map_err(|e| parse_error(&modcache, e))?;
        // Console scripts are declared in pyproject.toml even when settings live elsewhere.
        if let Ok(Some(py)) = scripts_from_pyproject() {
            config.project_scripts = py.project_scripts;
        }
        return Ok(config);
    }
    Ok(scripts_from_pyproject()?.unwrap_or_default())
}

/// Relative path with `/` separators.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}

fn exclude_set(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.trim_end_matches('/');
        if let Ok(glob) = Glob::new(pattern) {
            builder.add(glob);
        }
        if !pattern.contains('/') {
            if let Ok(glob) = Glob::new(&format!("**/{pattern}")) {
                builder.add(glob);
            }
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Every `.py` file under `root` that is not excluded, then every folder and compiled extension
/// module (`.so`, `.pyd`: modules without Python code), as relative paths, plus problems met on
/// the way (unreadable folders, symlink loops).
pub fn walk(root: &Path, config: &Config) -> (Vec<String>, Vec<String>, Vec<Problem>) {
    let excludes = exclude_set(&config.exclude);
    let root_buf = root.to_path_buf();
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let mut problems = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(true)
        .parents(false)
        .follow_links(true)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && (DEFAULT_EXCLUDES.contains(&name.as_ref()) || is_environment(entry.path())) {
                return false;
            }
            match relative_path(&root_buf, entry.path()) {
                Some(rel) => !excludes.is_match(&rel),
                None => true,
            }
        })
        .build();
    for result in walker {
        match result {
            Ok(entry) => {
                if entry.depth() == 0 {
                    continue;
                }
                let Some(rel) = relative_path(root, entry.path()) else { continue };
                match entry.file_type() {
                    Some(t) if t.is_dir() => dirs.push(rel),
                    Some(_) if rel.ends_with(".py") => files.push(rel),
                    Some(_) if crate::analysis::modules::extension_module_stem(&rel).is_some() => dirs.push(rel),
                    _ => {}
                }
            }
            Err(error) => problems.push(walk_problem(root, &error)),
        }
    }
    files.sort();
    dirs.sort();
    (files, dirs, problems)
}

fn walk_problem(root: &Path, error: &ignore::Error) -> Problem {
    let mut path = None;
    let mut current = error;
    let message = loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path = path.or_else(|| Some(p.clone()));
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => current = err,
            ignore::Error::Loop { child, .. } => {
                path = path.or_else(|| Some(child.clone()));
                break "symbolic link loop; not followed".to_string();
            }
            ignore::Error::Io(e) => break io_message(e),
            other => break other.to_string(),
        }
    };
    let path = path.map(|p| relative_path(root, &p).unwrap_or_else(|| p.display().to_string())).unwrap_or_default();
    Problem { path, message }
}

/// Reads and summarises one file. A file that cannot be read still exists as a module; one
/// that cannot be decoded would raise SyntaxError when imported, and its summary says so.
pub fn read_and_summarize(root: &Path, rel: &str) -> (FileSummary, Option<Problem>) {
    let path = root.join(rel);
    let problem = |message: String| Some(Problem { path: rel.to_string(), message });
    let opaque = || FileSummary { dynamic_namespace: true, ..FileSummary::default() };
    match std::fs::metadata(&path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            return (opaque(), problem(format!("skipped: {} MB is larger than the {} MB limit", meta.len() >> 20, MAX_FILE_BYTES >> 20)))
        }
        Err(e) => return (opaque(), problem(format!("cannot read: {}", io_message(&e)))),
        Ok(_) => {}
    }
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => return (opaque(), problem(format!("cannot read: {}", io_message(&e)))),
    };
    match decode_python_source(&bytes) {
        Ok(text) => {
            // A syntax error is reported with the modelled version's message, once it is known
            // (see `compile_problems`).
            (summarize(&text), None)
        }
        Err(e) => {
            let summary = FileSummary {
                syntax_errors: vec![TextRange::default()],
                line_index: LineIndex::new(""),
                ..FileSummary::default()
            };
            (summary, problem(format!("cannot decode: {e}")))
        }
    }
}

/// The files that the modelled Python does not compile, but for those `reported` already
/// (unreadable, undecodable): the ones that tree-sitter does not parse, with the error that
/// CPython raises as far as the model knows it, and those that parse but that the modelled
/// version refuses (a `match` statement for 3.9, `return` at module level): importing one
/// raises SyntaxError, which a reader of `check` should hear of. Only the first such place of a
/// file counts, as CPython stops at it; syntax of a newer Python is the parser's and comes
/// before the compiler's errors.
fn compile_problems(project: &Project, reported: &BTreeSet<String>) -> Vec<Problem> {
    let version = project.version;
    project
        .files()
        .filter(|(path, _)| !reported.contains(*path))
        .filter_map(|(path, summary)| {
            let failure = summary.compile_failure(version.minor)?;
            let message = match failure {
                // A file that tree-sitter does not parse: what CPython says, as far as the
                // model knows, and where.
                _ if !summary.syntax_errors.is_empty() => format!(
                    "syntax error at line {}: importing the file raises {} ({}); analysed what could be parsed",
                    failure.line(summary, version.minor),
                    failure.exception(version.minor),
                    failure.message(version.minor)
                ),
                CompileFailure::InvalidSyntax { .. } => return None,
                failure @ CompileFailure::NewerSyntax(newer) => {
                    let line = summary.line_number(failure.at(version.minor));
                    let what = newer.feature.describe();
                    let needs = match newer.feature.needs() {
                        Some(minor) => format!("needs Python 3.{minor}"),
                        None => "is not valid Python 3 syntax".to_string(),
                    };
                    format!(
                        "unsupported syntax at line {line}: {what} {needs}, and the modelled version is {}.{}: importing the file raises {} ({})",
                        version.major,
                        version.minor,
                        failure.exception(version.minor),
                        failure.message(version.minor)
                    )
                }
                failure @ CompileFailure::Compiler(_) => format!(
                    "does not compile at line {}: importing the file raises SyntaxError ({})",
                    failure.line(summary, version.minor),
                    failure.message(version.minor)
                ),
            };
            Some(Problem { path: path.to_string(), message })
        })
        .collect()
}

/// Loads the workspace at `root`: configuration, files, summaries, interpreter.
pub fn load(root: &Path, options: &LoadOptions) -> Result<Workspace, WorkspaceError> {
    if !root.is_dir() {
        return Err(WorkspaceError(format!("{}: not a directory", root.display())));
    }
    let config = load_config(root, options.config_file.as_deref())?;
    // Asking the interpreter starts a process (0.1–0.2 s through a pyenv shim), so it runs
    // while the files are read rather than after.
    let probe = options.probe_interpreter.then(|| {
        let (root, python) = (root.to_path_buf(), config.python.clone());
        std::thread::spawn(move || interpreter::discover(&root, python.as_deref()))
    });
    let (files, dirs, mut problems) = walk(root, &config);
    let total = files.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let summaries: Vec<(String, FileSummary, Option<Problem>)> = files
        .into_par_iter()
        .map(|rel| {
            let (summary, problem) = read_and_summarize(root, &rel);
            if let Some(progress) = &options.progress {
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(n, total);
            }
            (rel, summary, problem)
        })
        .collect();
    let mut map = BTreeMap::new();
    for (rel, summary, problem) in summaries {
        problems.extend(problem);
        map.insert(rel, Arc::new(summary));
    }
    // A probe thread that panicked counts as no interpreter found.
    let (env, interpreter, library_dirs) = match probe.and_then(|thread| thread.join().ok().flatten()) {
        Some(found) => (found.env, Some(found.executable), found.library_dirs),
        None => (PythonEnv::default(), None, Vec::new()),
    };
    let workspace_is_library = library_dirs
        .iter()
        .filter_map(|d| std::fs::canonicalize(d).ok())
        .any(|d| root.starts_with(&d))
        || root.components().any(|c| c.as_os_str() == "site-packages" || c.as_os_str() == "dist-packages");
    let project = Project::reusing_library(None, map, &[], &dirs, config, env, workspace_is_library);
    let reported: BTreeSet<String> = problems.iter().map(|problem| problem.path.clone()).collect();
    problems.extend(compile_problems(&project, &reported));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Workspace { root: root.to_path_buf(), project, problems, interpreter })
}
