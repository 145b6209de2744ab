//! Benchmark of `modcache check` on large folders, against the floor of reading and parsing the
//! same files in the same run.
//!
//! ```text
//! cargo bench --bench check -- [--runs N] [--no-phases] [--max-other-load X] [--retries N]
//!     [--wait-budget S] [--exclude-tests | --include-tests] DIR [DIR...]
//! ```
//!
//! `--exclude-tests` applies to the folders that follow it (until `--include-tests`): folders
//! named `test`, `tests` or `idle_test` are left out, through the `exclude` setting of a
//! modcache.toml written to a temporary folder and passed as `--config` would be.
//!
//! For each folder, with warm OS caches, it measures:
//! - walk: `workspace::walk`, the file list;
//! - read floor: every file's bytes read, in parallel (rayon);
//! - parse floor: read + `decode_python_source` + tree-sitter parse, in parallel, nothing else;
//! - per-file load: `workspace::read_and_summarize` (read + decode + parse + summarise) in parallel;
//! - load: `workspace::load` as the CLI calls it (walk, per-file load, project, interpreter probe);
//! - analyze: `analysis::check::analyze`;
//! - full = load + analyze, and its ratio to the parse floor.
//!
//! `--max-other-load X` makes each sample wait until other processes use at most X cores (read
//! from /proc/stat) and retries a sample they disturbed more, for shared machines.
//!
//! Each is repeated (best and median shown); CPU time (user + sys of the process, from
//! /proc/self/stat) over wall time gives the cores used; the peak RSS of each step is read from
//! VmHWM after resetting it (/proc/self/clear_refs), so it includes memory still held from
//! before the step. A last pass splits load and analyze into their phases, and lists the slowest
//! files and simulations. It also times a floor for summarising: one tree-cursor pass over every
//! node of each tree (kind, field and byte range read), the least any walk of a whole tree costs.

use std::alloc::{GlobalAlloc, Layout};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use modcache::allocator::Allocator as Inner;
use modcache::analysis::check::{analyze, RuleFilter};
use modcache::analysis::config::{Config, Entry};
use modcache::analysis::entries::entry_points;
use modcache::analysis::graph::ImportGraph;
use modcache::analysis::project::Project;
use modcache::analysis::rules::{Findings, RuleContext, RULES};
use modcache::analysis::simulate::{simulate, simulate_all, LoadOrder};
use modcache::analysis::source::decode_python_source;
use modcache::analysis::summary::{parse, summarize_tree, FileSummary};
use modcache::workspace::{self, interpreter, LoadOptions, Workspace};

const TEST_FOLDERS: &[&str] = &["test", "tests", "idle_test"];

/// The binary's allocator (mimalloc, see `modcache::allocator`), counting the bytes allocated and
/// not yet freed while [`held_by`] watches, so that the phase pass can say how much memory each
/// result keeps (RSS cannot: the allocator keeps freed memory from earlier steps). When nobody
/// watches, the only cost is one relaxed load per allocation, which the timed runs pay equally
/// in floor and pipeline.
struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_add(layout.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { Inner.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: as for `alloc`.
        unsafe { Inner.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: as for `alloc`.
        unsafe { Inner.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `f` and returns its result with the bytes allocated during the call and still held when
/// it returns: what the result keeps, temporaries excluded. (Frees of memory allocated before the
/// call would count against it; the steps measured here free nothing they did not allocate.)
fn held_by<T>(f: impl FnOnce() -> T) -> (T, i64) {
    LIVE_BYTES.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let result = f();
    COUNTING.store(false, Ordering::SeqCst);
    (result, LIVE_BYTES.load(Ordering::SeqCst))
}

struct Target {
    dir: PathBuf,
    exclude_tests: bool,
}

struct Args {
    runs: usize,
    phases: bool,
    quiet: Quiet,
    targets: Vec<Target>,
}

/// Waiting for other processes to leave the CPUs alone, and retrying disturbed samples.
#[derive(Clone, Copy, Debug)]
struct Quiet {
    /// Samples during which other processes used more than this many cores are retried.
    max_other_load: Option<f64>,
    /// Retries per sample.
    retries: usize,
    /// Total seconds the whole run may spend waiting for a quiet machine.
    budget: f64,
}

static QUIET: std::sync::OnceLock<Quiet> = std::sync::OnceLock::new();
static WAITED_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static DISCARDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn usage() -> ! {
    print_usage();
    std::process::exit(2)
}

fn print_usage() {
    let lines = [
        "usage: cargo bench --bench check -- [OPTIONS] [--exclude-tests | --include-tests] DIR [DIR...]",
        "",
        "  --exclude-tests       leave out folders named test, tests and idle_test in the folders that follow",
        "  --include-tests       keep them again (the default)",
        "  --runs N              repetitions of each measurement (default 3)",
        "  --no-phases           skip the phase breakdown pass",
        "  --max-other-load X    before each sample, wait until other processes use at most X cores, and",
        "                        retry a sample during which they used more (default: off)",
        "  --retries N           retries of a disturbed sample (default 5)",
        "  --wait-budget S       seconds the whole run may spend waiting for a quiet machine (default 1200)",
    ];
    eprintln!("{}", lines.join("\n"));
}

fn parse_args() -> Args {
    let mut args = Args {
        runs: 3,
        phases: true,
        quiet: Quiet { max_other_load: None, retries: 5, budget: 1200.0 },
        targets: Vec::new(),
    };
    let mut exclude_tests = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            // cargo bench passes --bench to harness = false targets.
            "--bench" => {}
            "--exclude-tests" => exclude_tests = true,
            "--include-tests" => exclude_tests = false,
            "--no-phases" => args.phases = false,
            "--runs" => {
                args.runs = it.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0).unwrap_or_else(|| usage());
            }
            "--max-other-load" => {
                args.quiet.max_other_load = Some(it.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage()));
            }
            "--retries" => args.quiet.retries = it.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage()),
            "--wait-budget" => args.quiet.budget = it.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage()),
            "-h" | "--help" => {
                print_usage();
                std::process::exit(0)
            }
            flag if flag.starts_with('-') => {
                eprintln!("unknown option {flag}");
                usage()
            }
            dir => args.targets.push(Target { dir: PathBuf::from(dir), exclude_tests }),
        }
    }
    if args.targets.is_empty() {
        // `cargo bench` and `cargo test --benches` run every bench target without arguments:
        // nothing to measure is not a failure.
        print_usage();
        std::process::exit(0)
    }
    args
}

// ---------------------------------------------------------------------------------------------
// Measuring

#[derive(Clone, Copy, Debug)]
struct Sample {
    wall: f64,
    cpu: f64,
    /// CPU seconds that other processes (or the hypervisor, as steal time) took meanwhile.
    foreign: f64,
    peak_rss_kb: Option<u64>,
}

/// Busy CPU seconds of the whole machine (user, nice, system, irq, softirq, steal), from the
/// first line of /proc/stat.
fn machine_busy_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else { return f64::NAN };
    let Some(line) = stat.lines().next() else { return f64::NAN };
    let v: Vec<f64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    if v.len() < 8 {
        return f64::NAN;
    }
    // user nice system idle iowait irq softirq steal
    (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / 100.0
}

/// User + system CPU seconds of the whole process (all threads) and of its finished children (the
/// interpreter probe), in clock ticks of 1/100 s.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    let Some((_, rest)) = stat.rsplit_once(')') else { return f64::NAN };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 to 17 of stat(5) (utime, stime, cutime, cstime); `rest` starts at field 3.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(11) + ticks(12) + ticks(13) + ticks(14)) / 100.0
}

fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// Resets VmHWM to the current RSS (Linux 4.0+); false when not allowed.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Waits (within the budget) until other processes use at most `max_other_load` cores, judged
/// over half-second windows while this process is idle.
fn wait_quiet() {
    let Some(quiet) = QUIET.get().copied() else { return };
    let Some(max) = quiet.max_other_load else { return };
    loop {
        let waited = WAITED_MS.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1000.0;
        if waited >= quiet.budget {
            return;
        }
        let t0 = Instant::now();
        let busy0 = machine_busy_seconds();
        std::thread::sleep(Duration::from_millis(500));
        let window = t0.elapsed().as_secs_f64();
        let other = (machine_busy_seconds() - busy0) / window;
        WAITED_MS.fetch_add((window * 1000.0) as u64, std::sync::atomic::Ordering::Relaxed);
        if other <= max || other.is_nan() {
            return;
        }
    }
}

/// [`measure`] after [`wait_quiet`], retried while other processes disturbed the sample.
fn measure_clean<T>(mut f: impl FnMut() -> T) -> (T, Sample) {
    let quiet = QUIET.get().copied();
    let mut tries = 0;
    loop {
        wait_quiet();
        let (value, sample) = measure(&mut f);
        let disturbed = match quiet.and_then(|q| q.max_other_load) {
            Some(max) => sample.foreign / sample.wall > max,
            None => false,
        };
        if !disturbed || tries >= quiet.map_or(0, |q| q.retries) {
            return (value, sample);
        }
        DISCARDED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tries += 1;
    }
}

fn measure<T>(f: impl FnOnce() -> T) -> (T, Sample) {
    let can_reset = reset_peak_rss();
    let busy0 = machine_busy_seconds();
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let value = f();
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let foreign = (machine_busy_seconds() - busy0 - cpu).max(0.0);
    let peak_rss_kb = if can_reset { status_kb("VmHWM:") } else { None };
    (value, Sample { wall, cpu, foreign, peak_rss_kb })
}

#[derive(Default)]
struct Series(Vec<Sample>);

impl Series {
    fn push(&mut self, s: Sample) {
        self.0.push(s);
    }
    fn sorted_walls(&self) -> Vec<f64> {
        let mut w: Vec<f64> = self.0.iter().map(|s| s.wall).collect();
        w.sort_by(f64::total_cmp);
        w
    }
    fn best(&self) -> f64 {
        self.sorted_walls().first().copied().unwrap_or(f64::NAN)
    }
    fn median(&self) -> f64 {
        let w = self.sorted_walls();
        if w.is_empty() {
            return f64::NAN;
        }
        if w.len() % 2 == 1 {
            w[w.len() / 2]
        } else {
            (w[w.len() / 2 - 1] + w[w.len() / 2]) / 2.0
        }
    }
    /// The median CPU seconds of the runs.
    fn median_cpu(&self) -> f64 {
        let mut c: Vec<f64> = self.0.iter().map(|s| s.cpu).collect();
        c.sort_by(f64::total_cmp);
        match c.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => c[n / 2],
            n => (c[n / 2 - 1] + c[n / 2]) / 2.0,
        }
    }
    /// CPU seconds over wall seconds, summed over the runs.
    fn cores(&self) -> f64 {
        let wall: f64 = self.0.iter().map(|s| s.wall).sum();
        let cpu: f64 = self.0.iter().map(|s| s.cpu).sum();
        cpu / wall
    }
    /// CPU seconds taken by other processes per wall second (0 on a quiet machine).
    fn foreign_load(&self) -> f64 {
        let wall: f64 = self.0.iter().map(|s| s.wall).sum();
        let foreign: f64 = self.0.iter().map(|s| s.foreign).sum();
        foreign / wall
    }
    fn peak_mb(&self) -> Option<f64> {
        self.0.iter().filter_map(|s| s.peak_rss_kb).max().map(|kb| kb as f64 / 1024.0)
    }
    /// Adds two series run by run (for load + analyze).
    fn plus(&self, other: &Series) -> Series {
        Series(
            self.0
                .iter()
                .zip(&other.0)
                .map(|(a, b)| Sample {
                    wall: a.wall + b.wall,
                    cpu: a.cpu + b.cpu,
                    foreign: a.foreign + b.foreign,
                    peak_rss_kb: a.peak_rss_kb.max(b.peak_rss_kb),
                })
                .collect(),
        )
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

// ---------------------------------------------------------------------------------------------
// The measured steps

/// Total bytes read and files that could not be read.
fn read_floor(root: &Path, files: &[String]) -> (u64, usize) {
    files
        .par_iter()
        .map(|rel| match std::fs::read(root.join(rel)) {
            Ok(bytes) => (bytes.len() as u64, 0),
            Err(_) => (0, 1),
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

#[derive(Default, Clone, Copy)]
struct ParseCounts {
    parsed: usize,
    with_errors: usize,
    undecodable: usize,
    unreadable: usize,
    no_tree: usize,
}

impl ParseCounts {
    fn add(self, o: ParseCounts) -> ParseCounts {
        ParseCounts {
            parsed: self.parsed + o.parsed,
            with_errors: self.with_errors + o.with_errors,
            undecodable: self.undecodable + o.undecodable,
            unreadable: self.unreadable + o.unreadable,
            no_tree: self.no_tree + o.no_tree,
        }
    }
}

/// Read + decode + tree-sitter parse, nothing else.
fn parse_floor(root: &Path, files: &[String]) -> ParseCounts {
    files
        .par_iter()
        .map(|rel| {
            let mut c = ParseCounts::default();
            let Ok(bytes) = std::fs::read(root.join(rel)) else {
                c.unreadable = 1;
                return c;
            };
            let Ok(text) = decode_python_source(&bytes) else {
                c.undecodable = 1;
                return c;
            };
            match parse(&text) {
                Some(tree) => {
                    c.parsed = 1;
                    c.with_errors = tree.root_node().has_error() as usize;
                }
                None => c.no_tree = 1,
            }
            c
        })
        .reduce(ParseCounts::default, ParseCounts::add)
}

/// The per-file work of `workspace::load`: read + decode + parse + summarise.
fn per_file_load(root: &Path, files: &[String]) -> usize {
    let results: Vec<_> = files.par_iter().map(|rel| workspace::read_and_summarize(root, rel)).collect();
    results.iter().filter(|(_, p)| p.is_some()).count()
}

fn load(root: &Path, config_file: Option<&Path>) -> Result<Workspace, String> {
    let options =
        LoadOptions { config_file: config_file.map(Path::to_path_buf), probe_interpreter: true, progress: None };
    workspace::load(root, &options).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Phase breakdown (one pass)

struct FileCost {
    path: String,
    bytes: usize,
    read: Duration,
    decode: Duration,
    parse: Duration,
    summarise: Duration,
}

fn load_phases(root: &Path, files: &[String]) -> Vec<FileCost> {
    files
        .par_iter()
        .map(|rel| {
            let t = Instant::now();
            let bytes = std::fs::read(root.join(rel)).unwrap_or_default();
            let read = t.elapsed();
            let t = Instant::now();
            let text = decode_python_source(&bytes);
            let decode = t.elapsed();
            let (mut parse_time, mut summarise) = (Duration::ZERO, Duration::ZERO);
            if let Ok(text) = text {
                let t = Instant::now();
                let tree = parse(&text);
                parse_time = t.elapsed();
                if let Some(tree) = tree {
                    let t = Instant::now();
                    let summary = summarize_tree(&text, &tree);
                    summarise = t.elapsed();
                    drop(summary);
                }
            }
            FileCost { path: rel.clone(), bytes: bytes.len(), read, decode, parse: parse_time, summarise }
        })
        .collect()
}

/// The thread time of parsing each file and of one tree-cursor pass over every node of its
/// tree that reads what a summariser reads of each node (kind, field, byte range): the least
/// that any walk of the whole tree costs, to compare with summarising.
fn walk_every_node_phase(root: &Path, files: &[String]) -> (f64, f64, usize) {
    files
        .par_iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(rel)).unwrap_or_default();
            let Ok(text) = decode_python_source(&bytes) else { return (0.0, 0.0, 0) };
            let t = Instant::now();
            let Some(tree) = parse(&text) else { return (0.0, 0.0, 0) };
            let parse_time = secs(t.elapsed());
            let t = Instant::now();
            let (nodes, mix) = visit_every_node(&tree);
            std::hint::black_box(mix);
            (parse_time, secs(t.elapsed()), nodes)
        })
        .reduce(|| (0.0, 0.0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
}

/// Visits every node of `tree` with one cursor, reading each node's kind, field and byte range
/// as a summariser would; returns a number made from them so that the reads are not optimised
/// away.
fn visit_every_node(tree: &tree_sitter::Tree) -> (usize, usize) {
    let mut cursor = tree.walk();
    let (mut nodes, mut mix) = (0usize, 0usize);
    loop {
        let node = cursor.node();
        nodes += 1;
        mix = mix.wrapping_add(usize::from(node.kind_id()) ^ node.start_byte() ^ node.end_byte());
        mix = mix.wrapping_add(cursor.field_id().map_or(0, |id| usize::from(id.get())));
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return (nodes, mix);
            }
        }
    }
}

struct SimCost {
    entry: Entry,
    time: Duration,
    steps: usize,
    trace: usize,
    truncated: bool,
}

/// The load orders as `analyze` makes them: in parallel, runs in one package sharing the
/// import of the package.
fn shared_simulations(project: &Project, entries: &[Entry]) -> Vec<std::sync::Arc<LoadOrder>> {
    let entries: Vec<&Entry> = entries.iter().collect();
    simulate_all(project, &entries).into_iter().map(|(order, _)| std::sync::Arc::new(order)).collect()
}

/// Each entry's run alone, timed.
fn timed_simulations(project: &Project, entries: &[Entry]) -> (Vec<std::sync::Arc<LoadOrder>>, Vec<SimCost>) {
    let results: Vec<(LoadOrder, Duration)> = entries
        .par_iter()
        .map(|e| {
            let t = Instant::now();
            let order = simulate(project, e);
            (order, t.elapsed())
        })
        .collect();
    let costs = results
        .iter()
        .map(|(o, t)| SimCost {
            entry: o.entry.clone(),
            time: *t,
            steps: o.steps.len(),
            trace: o.trace.len(),
            truncated: o.truncated,
        })
        .collect();
    (results.into_iter().map(|(o, _)| std::sync::Arc::new(o)).collect(), costs)
}

fn print_phases(root: &Path, config: &Config, config_file: Option<&Path>, files: &[String], ws: &Workspace) {
    println!("#### Phases (one pass)\n");
    println!("| phase | wall s | CPU s | cores | other load | notes |");
    println!("|---|---:|---:|---:|---:|---|");
    let row = |name: &str, s: &Sample, notes: String| {
        println!(
            "| {name} | {:.3} | {:.2} | {:.2} | {:.2} | {notes} |",
            s.wall,
            s.cpu,
            s.cpu / s.wall,
            s.foreign / s.wall
        );
    };

    // load, taken apart
    let ((), s) = measure(|| {
        let _ = workspace::load_config(root, config_file);
    });
    row("load: configuration", &s, String::new());
    let (walked, s) = measure_clean(|| workspace::walk(root, config));
    row("load: walk", &s, format!("{} files, {} folders", walked.0.len(), walked.1.len()));
    let (costs, s) = measure_clean(|| load_phases(root, files));
    let sum = |f: fn(&FileCost) -> Duration| costs.iter().map(f).map(secs).sum::<f64>();
    let (read, decode, parse_t, summ) = (sum(|c| c.read), sum(|c| c.decode), sum(|c| c.parse), sum(|c| c.summarise));
    let total = read + decode + parse_t + summ;
    row(
        "load: per file (read+decode+parse+summarise)",
        &s,
        format!(
            "thread time: read {read:.2} s ({:.0}%), decode {decode:.2} s ({:.0}%), parse {parse_t:.2} s ({:.0}%), summarise {summ:.2} s ({:.0}%)",
            100.0 * read / total,
            100.0 * decode / total,
            100.0 * parse_t / total,
            100.0 * summ / total
        ),
    );
    let ((parse_again, walk, nodes), s) = measure_clean(|| walk_every_node_phase(root, files));
    row(
        "floor: parse + one cursor pass over every node",
        &s,
        format!(
            "thread time: parse {parse_again:.2} s, the pass over {nodes} nodes {walk:.2} s ({:.2}× the parse); summarise above: {:.2}× the parse",
            walk / parse_again,
            summ / parse_t
        ),
    );
    let (summaries, s) = measure_clean(|| {
        let results: Vec<_> =
            files.par_iter().map(|rel| (rel.clone(), workspace::read_and_summarize(root, rel).0)).collect();
        results.into_iter().map(|(rel, summary)| (rel, Arc::new(summary))).collect::<BTreeMap<_, _>>()
    });
    row("load: per file, kept (read_and_summarize into a map)", &s, String::new());
    let (found, s) = measure_clean(|| interpreter::discover(root, config.python.as_deref()));
    row(
        "load: interpreter probe",
        &s,
        found
            .as_ref()
            .map(|i| format!("{} (a child process)", i.executable))
            .unwrap_or_else(|| "no interpreter".into()),
    );
    let env = found.map(|i| i.env).unwrap_or_default();
    wait_quiet();
    let (project, s) = measure(|| Project::new(summaries, &walked.1, config.clone(), env));
    row("load: Project::new", &s, String::new());
    drop(project);

    // analyze, taken apart as analysis::check::analyze runs it, on the project that load built
    let project = &ws.project;
    let (graph, s) = measure_clean(|| ImportGraph::build(project));
    row("analyze: ImportGraph::build", &s, format!("{} nodes, {} edges", graph.nodes.len(), graph.edges.len()));
    let (entries, s) = measure_clean(|| entry_points(project));
    row("analyze: entry_points", &s, format!("{} entries", entries.len()));
    let (cycles, s) = measure_clean(|| graph.cycles());
    let biggest = cycles.iter().map(Vec::len).max().unwrap_or(0);
    let in_cycles: usize = cycles.iter().map(Vec::len).sum();
    row(
        "analyze: cycles (Tarjan)",
        &s,
        format!("{} cycles, {in_cycles} modules in them, largest {biggest}", cycles.len()),
    );
    let mut cycle_entries: BTreeSet<Entry> = BTreeSet::new();
    for component in &cycles {
        for &node in component {
            if let Some(module) = project.module_name(&graph.nodes[node]) {
                cycle_entries.insert(Entry::Import(module));
            }
        }
    }
    let cycle_entries: Vec<Entry> = cycle_entries.into_iter().collect();
    let (entry_orders, s) = measure_clean(|| shared_simulations(project, &entries));
    row("analyze: simulate entries", &s, format!("{} simulations", entry_orders.len()));
    let (cycle_orders, s) = measure_clean(|| shared_simulations(project, &cycle_entries));
    row("analyze: simulate cycle members", &s, format!("{} simulations", cycle_orders.len()));
    let filter = RuleFilter::new(project);
    let ctx = RuleContext { project, filter: &filter, graph: &graph, entry_orders: &entry_orders, cycle_orders: &cycle_orders };
    for rule in RULES {
        if !filter.selects(rule.code) {
            continue;
        }
        let (found, s) = measure_clean(|| {
            let mut found = Findings::default();
            (rule.check)(&ctx, &mut found);
            found
        });
        // The rules that work file by file filter their findings as they keep them.
        let note = format!("{} findings made, {} kept (filtered)", found.made.len(), found.len() - found.made.len());
        row(&format!("analyze: rule {}", rule.code), &s, note);
    }
    println!();

    let mut by_cost: Vec<&FileCost> = costs.iter().collect();
    by_cost.sort_by_key(|c| std::cmp::Reverse(c.read + c.decode + c.parse + c.summarise));
    println!("Slowest files (read+decode+parse+summarise):\n");
    println!("| file | KB | parse ms | summarise ms | total ms |");
    println!("|---|---:|---:|---:|---:|");
    for c in by_cost.iter().take(5) {
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {:.1} |",
            c.path,
            c.bytes as f64 / 1024.0,
            secs(c.parse) * 1e3,
            secs(c.summarise) * 1e3,
            secs(c.read + c.decode + c.parse + c.summarise) * 1e3
        );
    }
    println!();
    print_memory(root, config_file, &ws.project);
    // Timed one by one, each from the start: `analyze` shares the beginnings of runs in one
    // package, which leaves no time per run to report.
    let (_, entry_costs) = timed_simulations(project, &entries);
    let (_, cycle_costs) = timed_simulations(project, &cycle_entries);
    let thread = |costs: &[SimCost]| costs.iter().map(|c| secs(c.time)).sum::<f64>();
    let mut sims: Vec<&SimCost> = entry_costs.iter().chain(&cycle_costs).collect();
    sims.sort_by_key(|c| std::cmp::Reverse(c.time));
    let truncated = sims.iter().filter(|c| c.truncated).count();
    println!(
        "Slowest simulations, each run alone from the start ({} in all, {truncated} stopped at the event budget; \
         thread time {:.2} s for the entries, {:.2} s for the cycle members):\n",
        sims.len(),
        thread(&entry_costs),
        thread(&cycle_costs)
    );
    println!("| entry | ms | modules run | imports traced | truncated |");
    println!("|---|---:|---:|---:|---|");
    for c in sims.iter().take(8) {
        println!("| `{}` | {:.1} | {} | {} | {} |", c.entry, secs(c.time) * 1e3, c.steps, c.trace, c.truncated);
    }
    println!();
}

/// What the load's and the analysis's results keep in memory, and the main parts of each.
fn print_memory(root: &Path, config_file: Option<&Path>, project: &Project) {
    let megabytes = |bytes: i64| bytes as f64 / 1e6;
    let (loaded, load_bytes) = held_by(|| load(root, config_file));
    let Ok(loaded) = loaded else { return };
    let (analysis, analyze_bytes) = held_by(|| analyze(&loaded.project));
    let cycle_entries: Vec<Entry> = analysis.cycle_orders.iter().map(|o| o.entry.clone()).collect();
    drop((analysis, loaded));
    let (graph, graph_bytes) = held_by(|| ImportGraph::build(project));
    let (entries, _) = held_by(|| entry_points(project));
    let (orders, orders_bytes) = held_by(|| shared_simulations(project, &entries));
    let (cycle_orders, cycle_bytes) = held_by(|| shared_simulations(project, &cycle_entries));
    let sizes = |orders: &[std::sync::Arc<LoadOrder>]| {
        let steps: usize = orders.iter().map(|o| o.steps.len()).sum();
        let trace: usize = orders.iter().map(|o| o.trace.len()).sum();
        format!("{} orders, {steps} steps, {trace} traced imports", orders.len())
    };
    let (entry_sizes, cycle_sizes) = (sizes(&orders), sizes(&cycle_orders));
    drop((graph, orders, cycle_orders));
    // Copies hold what the originals hold without their vectors' spare capacity.
    let parts = |part: &dyn Fn(&FileSummary) -> Box<dyn std::any::Any>| {
        held_by(|| project.files().map(|(_, summary)| part(summary)).collect::<Vec<_>>()).1
    };
    let whole = parts(&|s| Box::new(s.clone()));
    let state = parts(&|s| Box::new(s.state.clone()));
    let program = parts(&|s| Box::new((s.body.clone(), s.functions.clone())));
    let imports = parts(&|s| Box::new(s.imports.clone()));
    let lines = parts(&|s| Box::new(s.line_index.clone()));
    println!("Memory held by the results (bytes allocated and not freed, counted by the bench's allocator):\n");
    println!("| result | MB | notes |");
    println!("|---|---:|---|");
    println!("| `workspace::load` (the project: summaries, module tree) | {:.1} | |", megabytes(load_bytes));
    println!("| copies of the summaries | {:.1} | without spare capacity |", megabytes(whole));
    println!("| of which the state facts | {:.1} | |", megabytes(state));
    println!("| of which the event program (body, functions) | {:.1} | |", megabytes(program));
    println!("| of which the import statements | {:.1} | |", megabytes(imports));
    println!("| of which the line indexes | {:.1} | |", megabytes(lines));
    println!("| `check::analyze` (everything it keeps and returns) | {:.1} | |", megabytes(analyze_bytes));
    println!("| of which the import graph | {:.1} | |", megabytes(graph_bytes));
    println!("| of which the entries' load orders | {:.1} | {entry_sizes} |", megabytes(orders_bytes));
    println!("| of which the cycle members' load orders | {:.1} | {cycle_sizes} |", megabytes(cycle_bytes));
    println!();
}

// ---------------------------------------------------------------------------------------------

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn run_target(target: &Target, runs: usize, phases: bool) {
    let root = match workspace::find_root(&target.dir) {
        Ok(root) => root,
        Err(e) => {
            println!("## {}\n\nerror: {e}\n", target.dir.display());
            return;
        }
    };
    // The exclusion is passed the way the CLI takes it: a configuration file.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let config_file = target.exclude_tests.then(|| {
        let path = tmp.path().join("modcache.toml");
        let list: Vec<String> = TEST_FOLDERS.iter().map(|f| format!("{f:?}")).collect();
        std::fs::write(&path, format!("exclude = [{}]\n", list.join(", "))).expect("writing modcache.toml");
        path
    });
    let config = match workspace::load_config(&root, config_file.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            println!("## {}\n\nerror: {e}\n", root.display());
            return;
        }
    };

    let mut walk_series = Series::default();
    let mut walked = None;
    for _ in 0..runs {
        let (w, s) = measure_clean(|| workspace::walk(&root, &config));
        walk_series.push(s);
        walked = Some(w);
    }
    let (files, dirs, walk_problems) = walked.expect("at least one run");
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(root.join(f)).ok()).map(|m| m.len()).sum();

    println!(
        "## {}{}\n",
        root.display(),
        if target.exclude_tests {
            format!(" (excluding folders named {})", TEST_FOLDERS.join(", "))
        } else {
            String::new()
        }
    );
    println!(
        "{} files, {:.1} MB, {} folders; walk problems: {}; runs: {runs}; rayon threads: {}\n",
        files.len(),
        mb(bytes),
        dirs.len(),
        walk_problems.len(),
        rayon::current_num_threads()
    );

    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "Load average before the runs: {}. \"CPU s\" is this process's CPU time (user + sys, with the interpreter probe; median run); \"cores\" is CPU \
         time over wall time; \"other load\" is the CPU time that other processes took meanwhile, per second (0 on a quiet \
         machine, up to {} when they fill every core). Ratios use the medians.\n",
        loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );

    // Warm the OS cache so that every step sees the same (warm) files.
    let _ = read_floor(&root, &files);

    let (mut read_s, mut parse_s, mut per_file_s, mut load_s, mut analyze_s) =
        (Series::default(), Series::default(), Series::default(), Series::default(), Series::default());
    let mut counts = ParseCounts::default();
    let mut last: Option<(Workspace, Vec<modcache::analysis::diagnostic::Diagnostic>)> = None;
    let mut failure = None;
    for _ in 0..runs {
        let (_, s) = measure_clean(|| read_floor(&root, &files));
        read_s.push(s);
        let (c, s) = measure_clean(|| parse_floor(&root, &files));
        counts = c;
        parse_s.push(s);
        let (_, s) = measure_clean(|| per_file_load(&root, &files));
        per_file_s.push(s);
        drop(last.take());
        let (ws, s) = measure_clean(|| catch_unwind(AssertUnwindSafe(|| load(&root, config_file.as_deref()))));
        let ws = match ws {
            Ok(Ok(ws)) => ws,
            Ok(Err(e)) => {
                failure = Some(format!("load failed: {e}"));
                break;
            }
            Err(_) => {
                failure = Some("load panicked".to_string());
                break;
            }
        };
        load_s.push(s);
        let (analysis, s) = measure_clean(|| catch_unwind(AssertUnwindSafe(|| analyze(&ws.project))));
        let Ok(analysis) = analysis else {
            failure = Some("analyze panicked".to_string());
            break;
        };
        analyze_s.push(s);
        last = Some((ws, std::sync::Arc::unwrap_or_clone(analysis.diagnostics).into_iter().map(std::sync::Arc::unwrap_or_clone).collect::<Vec<_>>()));
    }
    if let Some(failure) = &failure {
        println!("**{failure}**\n");
    }
    let full_s = load_s.plus(&analyze_s);

    let floor_median = parse_s.median();
    let floor_best = parse_s.best();
    let floor_cpu = parse_s.median_cpu();
    println!("| step | files | MB | best s | median s | files/s | MB/s | CPU s | cores | other load | peak RSS MB | × parse floor | × floor CPU |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let n = files.len() as f64;
    let row = |name: &str, series: &Series| {
        if series.0.is_empty() {
            return;
        }
        let med = series.median();
        println!(
            "| {name} | {} | {:.1} | {:.3} | {:.3} | {:.0} | {:.1} | {:.2} | {:.2} | {:.2} | {} | {:.2} | {:.2} |",
            files.len(),
            mb(bytes),
            series.best(),
            med,
            n / med,
            mb(bytes) / med,
            series.median_cpu(),
            series.cores(),
            series.foreign_load(),
            series.peak_mb().map(|m| format!("{m:.0}")).unwrap_or_else(|| "n/a".into()),
            med / floor_median,
            series.median_cpu() / floor_cpu
        );
    };
    row("walk (file list)", &walk_series);
    row("read floor", &read_s);
    row("parse floor (read+decode+parse)", &parse_s);
    row("per-file load (read+decode+parse+summarise)", &per_file_s);
    row("load (`workspace::load`)", &load_s);
    row("analyze (`check::analyze`)", &analyze_s);
    row("**full: load + analyze**", &full_s);
    println!();
    if !full_s.0.is_empty() {
        let ratio_median = full_s.median() / floor_median;
        let ratio_best = full_s.best() / floor_best;
        let with_walk = full_s.median() / (floor_median + walk_series.median());
        let cpu_ratio = full_s.median_cpu() / floor_cpu;
        // Each run measures the floor and the pipeline back to back, so their ratio within a run
        // is less exposed to slow changes in the machine's speed than the ratio of medians.
        let mut per_run: Vec<f64> = full_s.0.iter().zip(&parse_s.0).map(|(f, p)| f.wall / p.wall).collect();
        per_run.sort_by(f64::total_cmp);
        let per_run_text: Vec<String> = per_run.iter().map(|r| format!("{r:.2}")).collect();
        println!(
            "Ratio of the full pipeline to the parse floor: **{ratio_median:.2}x** (medians), {ratio_best:.2}x (best runs); \
             to walk + parse floor: {with_walk:.2}x; in CPU time: {cpu_ratio:.2}x; run by run: {}. Target 1.3x: **{}**.\n",
            per_run_text.join(", "),
            if ratio_median <= 1.3 { "met" } else { "missed" }
        );
    }
    println!(
        "Parse floor: {} parsed ({} with syntax errors in the tree), {} undecodable, {} unreadable, {} without a tree.\n",
        counts.parsed, counts.with_errors, counts.undecodable, counts.unreadable, counts.no_tree
    );

    if let Some((ws, diagnostics)) = &last {
        let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
        for d in diagnostics {
            *by_code.entry(format!("{} {:?}", d.code, d.severity)).or_default() += 1;
        }
        let codes: Vec<String> = by_code.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        println!(
            "Findings: {} diagnostics ({}); {} files, {} problems; interpreter: {}; workspace is a library: {}\n",
            diagnostics.len(),
            if codes.is_empty() { "none".to_string() } else { codes.join(", ") },
            ws.project.file_count(),
            ws.problems.len(),
            ws.interpreter.as_deref().unwrap_or("none"),
            ws.project.workspace_is_library
        );
        for p in &ws.problems {
            println!("- problem: `{}`: {}", p.path, p.message);
        }
        if !ws.problems.is_empty() {
            println!();
        }
        if phases {
            print_phases(&root, &config, config_file.as_deref(), &files, ws);
        }
    }
}

fn main() {
    // SAFETY: first statement of `main`, as in the binary; no tree-sitter object exists yet.
    unsafe { modcache::allocator::set_up() };
    let args = parse_args();
    QUIET.set(args.quiet).expect("set once");
    // Start the pool before anything is timed.
    rayon::broadcast(|_| ());
    println!(
        "# modcache check benchmark\n\nmodcache {} ({} build), {} rayon threads, {} logical CPUs\n",
        env!("CARGO_PKG_VERSION"),
        if cfg!(debug_assertions) { "debug" } else { "optimised" },
        rayon::current_num_threads(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    for target in &args.targets {
        run_target(target, args.runs, args.phases);
    }
    if let Some(max) = args.quiet.max_other_load {
        println!(
            "Waited {:.0} s in all for other processes to use at most {max} cores; {} disturbed samples were discarded and retried.\n",
            WAITED_MS.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1000.0,
            DISCARDED.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    if let Some(kb) = status_kb("VmHWM:") {
        println!("Bench process VmHWM at exit: {:.0} MB (since the last reset).", kb as f64 / 1024.0);
    }
}
