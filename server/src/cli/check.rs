use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::output::{self, Report, Sources};
use super::{root_for, Failure};
use crate::analysis::check::{analyze_with, AnalyzeOptions};
use crate::analysis::rules::RULES;
use crate::workspace::{self, relative_path, LoadOptions};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Files or folders to report on (default: the current folder). The whole workspace that
    /// holds them is analysed, since imports cross files.
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Rule codes or prefixes to report (replaces the configured selection), comma-separated.
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rule codes or prefixes to leave out (added to the configured ones), comma-separated.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// A modcache.toml or pyproject.toml to use instead of the workspace's.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not show a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Also report suppression comments (`# modcache: ignore[…]`, `# noqa: MC…`) that silenced
    /// nothing, as MC900 findings.
    #[arg(long)]
    warn_unused_ignores: bool,
}

/// Fails on a selector that matches no rule, so that a typo does not silently select nothing.
fn validate_selectors(selectors: &[String]) -> Result<(), Failure> {
    for selector in selectors {
        let upper = selector.to_ascii_uppercase();
        if upper != "ALL" && !RULES.iter().any(|r| r.code.starts_with(&upper)) {
            return Err(Failure(format!("unknown rule selector {selector:?} (see `modcache explain`)")));
        }
    }
    Ok(())
}

pub fn run(args: CheckArgs) -> Result<ExitCode, Failure> {
    let root = root_for(&args.paths)?;
    if let Some(select) = &args.select {
        validate_selectors(select)?;
    }
    validate_selectors(&args.ignore)?;
    let show_progress = !args.no_progress && std::io::stderr().is_terminal();
    let bar = ProgressBar::hidden();
    if show_progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len} files")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message("reading");
    }
    let progress_bar = bar.clone();
    let options = LoadOptions {
        config_file: args.config.clone(),
        probe_interpreter: true,
        progress: Some(Box::new(move |done, total| {
            if progress_bar.length() != Some(total as u64) {
                progress_bar.set_length(total as u64);
            }
            progress_bar.set_position(done as u64);
        })),
    };
    let mut ws = workspace::load(&root, &options)?;
    if let Some(select) = args.select {
        ws.project.config.select = Some(select);
    }
    ws.project.config.ignore.extend(args.ignore);
    bar.set_message("analysing");
    let analysis = analyze_with(&ws.project, AnalyzeOptions { warn_unused_suppressions: args.warn_unused_ignores });
    bar.finish_and_clear();

    // Report only on the paths asked for; the analysis saw the whole workspace.
    let scopes: Vec<String> = args
        .paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .filter_map(|p| relative_path(&root, &p))
        .collect();
    let in_scope = |path: &str| {
        scopes.is_empty()
            || scopes.iter().any(|s| s.is_empty() || path == s || path.starts_with(&format!("{s}/")))
    };
    let diagnostics: Vec<_> =
        Arc::unwrap_or_clone(analysis.diagnostics).into_iter().filter(|d| in_scope(&d.path)).map(Arc::unwrap_or_clone).collect();
    let problems: Vec<_> = ws.problems.iter().filter(|p| in_scope(&p.path)).cloned().collect();
    for problem in &problems {
        anstream::eprintln!("modcache: warning: {}: {}", root.join(&problem.path).display(), problem.message);
    }
    let modules = ws.project.files().filter(|(path, _)| ws.project.module_name(path).is_some()).count();
    let display_prefix = std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| root.strip_prefix(&cwd).ok().map(|rel| rel.to_path_buf()))
        .map(|rel| relative_path(Path::new(""), &rel).unwrap_or_default())
        .unwrap_or_else(|| root.display().to_string());
    let display_prefix = if display_prefix.is_empty() { String::new() } else { format!("{display_prefix}/") };
    let report = Report {
        diagnostics: &diagnostics,
        problems: &problems,
        files: ws.project.file_count(),
        modules,
        root: &root,
        display_prefix,
    };
    let mut sources = Sources::new(&root);
    match args.format {
        Format::Text => {
            let color = std::io::stdout().is_terminal();
            anstream::print!("{}", output::text(&report, &mut sources, color));
            if diagnostics.is_empty() {
                anstream::println!("All checks passed! ({} files)", report.files);
            } else {
                let errors = diagnostics.iter().filter(|d| d.severity == crate::analysis::diagnostic::Severity::Error).count();
                anstream::println!(
                    "Found {} finding{} ({} error{}) in {} files.",
                    diagnostics.len(),
                    if diagnostics.len() == 1 { "" } else { "s" },
                    errors,
                    if errors == 1 { "" } else { "s" },
                    report.files
                );
            }
        }
        Format::Json => println!("{}", output::json(&report, &mut sources)),
        Format::Sarif => println!("{}", output::sarif(&report, &mut sources)),
        Format::Github => print!("{}", output::github(&report, &mut sources)),
    }
    Ok(if diagnostics.is_empty() || args.exit_zero { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
