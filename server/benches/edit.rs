//! Benchmark of the analysis that follows an edit: what the language server computes after each
//! `didChange` that changes a module's summary, in process and without the LSP transport, so
//! that one phase can be compared before and after a change in seconds rather than through the
//! minutes-long `scripts/bench_lsp.py` (whose figures are the ones the goals are about).
//!
//! ```text
//! cargo bench --bench edit -- [--edits N] [--module PATH] [--kinds local,toplevel] DIR
//! ```
//!
//! It loads DIR as the server does (interpreter probe included), analyses it once through an
//! `AnalysisCache`, then applies N single-character edits of each kind to PATH (default
//! `unittest/__init__.py`), typing a character and deleting it again, alternately:
//! - local: in the name of the first local variable assigned in a function (the summary
//!   changes, the module's importers do not run anything new);
//! - toplevel: in the name of a top-level assignment added at the end of the module (what every
//!   importer's run binds changes).
//!
//! Each edit is summarised, put into a project with `Project::with_summary` and analysed with
//! `AnalysisCache::analyze`; the medians and 99th percentiles of each step and of the cache's
//! phases (resolve, graph, runs, rules) are printed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use modcache::analysis::check::AnalysisCache;
use modcache::analysis::summary::summarize;
use modcache::workspace::{self, LoadOptions};

struct Args {
    edits: usize,
    module: String,
    kinds: Vec<String>,
    dir: PathBuf,
}

fn parse_args() -> Args {
    let mut args = Args { edits: 1000, module: "unittest/__init__.py".into(), kinds: vec!["local".into(), "toplevel".into()], dir: PathBuf::new() };
    let mut dir = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--edits" => args.edits = it.next().and_then(|n| n.parse().ok()).expect("--edits takes a number"),
            "--module" => args.module = it.next().expect("--module takes a path relative to DIR"),
            "--kinds" => args.kinds = it.next().expect("--kinds takes a list").split(',').map(str::to_string).collect(),
            // `cargo bench` passes this to every bench target.
            "--bench" => {}
            other if other.starts_with("--") => panic!("unknown option {other}"),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    args.dir = dir.unwrap_or_else(|| {
        let out = std::process::Command::new("python3")
            .args(["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"])
            .output()
            .expect("python3 runs");
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    });
    args
}

/// The byte offset just after the name of the first local variable assigned in a function, as
/// `scripts/bench_lsp.py` finds it.
fn local_variable(text: &str) -> Option<usize> {
    let mut in_function = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("def ") || trimmed.starts_with("async def ") {
            in_function = true;
        } else if !line.starts_with(char::is_whitespace) && !line.starts_with('#') && !line.trim().is_empty() {
            in_function = false;
        }
        let indent = line.len() - trimmed.len();
        let name_len = trimmed.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        let rest = trimmed[name_len..].trim_start();
        if in_function
            && indent > 0
            && name_len > 0
            && !trimmed.as_bytes()[0].is_ascii_digit()
            && rest.starts_with('=')
            && !rest.starts_with("==")
        {
            return Some(offset + indent + name_len);
        }
        offset += line.len();
    }
    None
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(label: &str, mut values: Vec<Duration>) {
    values.sort();
    println!(
        "| {label} | {:.3} | {:.3} | {:.3} |",
        values[values.len() / 2].as_secs_f64() * 1e3,
        percentile(&values, 99.0).as_secs_f64() * 1e3,
        values.iter().sum::<Duration>().as_secs_f64() * 1e3 / values.len() as f64
    );
}

#[global_allocator]
static ALLOCATOR: modcache::allocator::Allocator = modcache::allocator::Allocator;

fn main() {
    // SAFETY: first statement of `main`, as in the binary; no tree-sitter object exists yet.
    unsafe { modcache::allocator::set_up() };
    let args = parse_args();
    let started = Instant::now();
    let loaded = workspace::load(&args.dir, &LoadOptions::default()).expect("the folder loads");
    let mut project = Arc::new(loaded.project);
    println!("# Analysis after an edit\n");
    println!("{}: {} files, loaded in {:.2?}", args.dir.display(), project.file_count(), started.elapsed());
    let mut cache = AnalysisCache::default();
    let started = Instant::now();
    cache.analyze(&project);
    println!("first analysis: {:.2?}", started.elapsed());
    let original = std::fs::read_to_string(args.dir.join(&args.module)).expect("the edited module can be read");
    for kind in &args.kinds {
        let (base, at) = match kind.as_str() {
            "local" => (original.clone(), local_variable(&original).expect("the module assigns a local variable in a function")),
            "toplevel" => {
                let base = format!("{original}\nBENCH_NAME = 1\n");
                let at = base.len() - " = 1\n".len();
                (base, at)
            }
            other => panic!("unknown kind {other}"),
        };
        let typed = format!("{}x{}", &base[..at], &base[at..]);
        let mut times: Vec<[Duration; 8]> = Vec::with_capacity(args.edits);
        let mut simulated = 0;
        for edit in 0..=args.edits {
            let text = if edit % 2 == 1 { &typed } else { &base };
            let clock = Instant::now();
            let summary = Arc::new(summarize(text));
            let summarised = clock.elapsed();
            let clock = Instant::now();
            let next = Arc::new(project.with_summary(&args.module, summary));
            let built = clock.elapsed();
            let clock = Instant::now();
            let analysis = cache.analyze(&next);
            let analysed = clock.elapsed();
            // The server frees the replaced results after publishing; so does this loop.
            let clock = Instant::now();
            drop(analysis);
            project = next;
            let freed = clock.elapsed();
            let stats = cache.stats();
            // The first edit of a kind brings the base text in; it is not one of the N.
            if edit > 0 {
                simulated += stats.simulated;
                let [resolve, graph, runs, rules] = stats.times;
                times.push([summarised, built, analysed, resolve, graph, runs, rules, freed]);
            }
        }
        println!("\n## {kind}: {} edits to {} ({simulated} runs simulated in all)\n", args.edits, args.module);
        println!("| step | median ms | p99 ms | mean ms |\n|---|---:|---:|---:|");
        let labels = ["summarise", "Project::with_summary", "AnalysisCache::analyze", "  resolve", "  graph", "  runs", "  rules and filters", "dropping the analysis"];
        for (i, label) in labels.iter().enumerate() {
            report(label, times.iter().map(|t| t[i]).collect());
        }
    }
}
