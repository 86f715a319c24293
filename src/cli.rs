//! Command-line interface: `run`, `plot`, `validate`, `scenarios`, and the many-run
//! subcommands of `experiments.rs` (`sweep`, `merge`, `compare`, `check`).
//!
//! Exit codes: 0 success; 1 an I/O or internal failure; 2 bad input (scenario,
//! arguments, data files, a directory `plot` cannot read), with nothing
//! written; 3 a run stopped by its event
//! budget before its stop condition (its results are written and marked
//! incomplete in the manifest); 4 `compare` found a `--fail-if` condition true, or `check`
//! an expectation unmet; 5 with `--check-invariants`, a run broke an invariant (nothing is
//! written for it; the message names the seed, the event and the command that reproduces it);
//! 130 interrupted.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use powsim::plot::{INDEX, PlotError, plot_dir};
use powsim::report::{BandRow, PoolRow, RunMeta, Summary, Written, write_run_with};
use powsim::scenario::{self, Config, ScenarioError};
use powsim::sim::StopReason;
use powsim::world::{RunOutput, World, simulate_with};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// `println!` that ends the program quietly when standard output is closed
/// (`powsim scenarios | head`), instead of panicking on the broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}
pub(crate) use say;

#[derive(Parser)]
#[command(name = "powsim", version, about = "Deterministic simulator of proof-of-work networks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write CSV results.
    Run(RunArgs),
    /// Draw the plots and index.html of a result directory from its CSV files.
    Plot(PlotArgs),
    /// Check a scenario and print it with every default resolved.
    Validate(ValidateArgs),
    /// Run a scenario's [sweep] grid over seeds, in parallel; write runs.csv and aggregate.csv.
    Sweep(crate::experiments::SweepArgs),
    /// Join the shard directories of one sweep into its runs.csv and aggregate.csv.
    Merge(crate::experiments::MergeArgs),
    /// Run a baseline and a variant on the same seeds and report paired differences.
    Compare(crate::experiments::CompareArgs),
    /// Run the scenarios of an expectations file and check their metrics' bounds.
    Check(crate::experiments::CheckArgs),
    /// List the shipped scenarios.
    Scenarios {
        /// Directory to list.
        #[arg(default_value = "scenarios")]
        dir: PathBuf,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Number of runs; run i uses seed + i.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    runs: u64,
    /// Override a scenario key, e.g. `--set network.nodes=5000` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Output directory (default: results/<name>/seed-<seed>); with several
    /// runs, each goes to DIR/seed-<seed>.
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar and no summary table.
    #[arg(long)]
    quiet: bool,
    /// Also write graph.csv (edge list) and nodes.csv.
    #[arg(long)]
    write_graph: bool,
    /// Worker threads for several runs and for the parallel parts of one run (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run even when the memory estimate exceeds the memory available, and replace an output
    /// directory that is not a powsim result.
    #[arg(long)]
    force: bool,
    /// Run each seed twice in this process and compare every output file byte for byte,
    /// reporting the first difference (exit code 1 if any).
    #[arg(long)]
    check_determinism: bool,
    /// Write only the CSV files and the manifest: no plots, no index.html.
    #[arg(long)]
    no_plots: bool,
    /// Check the model's invariants while the run goes (slower); a broken one stops the run
    /// with exit code 5 and the command that reproduces it.
    #[arg(long)]
    check_invariants: bool,
}

#[derive(Args)]
struct PlotArgs {
    /// Result directory (written by `powsim run`).
    dir: PathBuf,
    /// Worker threads for drawing (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Args)]
struct ValidateArgs {
    /// Scenario file (TOML).
    file: PathBuf,
    /// Override a scenario key (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// An error with the exit code it maps to.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) error: anyhow::Error,
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure { code: 1, error }
    }
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure { code: 2, error: e.into() }
    }
}

/// Exit code of a process stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Exit code of a run that broke an invariant under `--check-invariants`.
pub(crate) const EXIT_INVARIANT: u8 = 5;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C (or SIGTERM, as Slurm sends at a time limit) stops every run at its next check; the
    // runs write what they have, marked incomplete. A second one ends the process at once.
    let _ = ctrlc::set_handler(|| {
        if powsim::sim::interrupted() {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        powsim::sim::interrupt();
    });
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Plot(args) => plot(args),
        Command::Validate(args) => validate(args),
        Command::Sweep(args) => crate::experiments::sweep(args),
        Command::Merge(args) => crate::experiments::merge_shards(args),
        Command::Compare(args) => crate::experiments::compare(args),
        Command::Check(args) => crate::experiments::check(args),
        Command::Scenarios { dir } => list_scenarios(&dir),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

impl From<PlotError> for Failure {
    fn from(e: PlotError) -> Self {
        Failure { code: if e.is_bad_input() { 2 } else { 1 }, error: e.into() }
    }
}

fn plot(args: PlotArgs) -> Result<u8, Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let entries = pool.install(|| plot_dir(&args.dir))?;
    let stems: Vec<&str> = entries.iter().map(|e| e.stem).collect();
    say!("wrote {} ({}: .png and .svg)", args.dir.join(INDEX).display(), stems.join(", "));
    Ok(0)
}

fn validate(args: ValidateArgs) -> Result<u8, Failure> {
    let config = scenario::load(&args.file, &args.set)?;
    print!("{}", scenario::resolved_toml(&config));
    Ok(0)
}

fn list_scenarios(dir: &Path) -> Result<u8, Failure> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let width = files.iter().map(|f| f.display().to_string().chars().count()).max().unwrap_or(0);
    for f in files {
        match scenario::load(&f, &[]) {
            Ok(c) => say!("{:<width$}  {}", f.display(), c.description),
            Err(e) => say!("{:<width$}  (invalid: {e})", f.display()),
        }
    }
    Ok(0)
}

fn run(args: RunArgs) -> Result<u8, Failure> {
    let config = scenario::load(&args.file, &args.set)?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let meta = RunMeta {
        scenario_file: args.file.display().to_string(),
        scenario_sha256: scenario::digest_hex(&bytes),
        overrides: args.set.clone(),
        resolved_toml: scenario::resolved_toml(&config),
        write_graph: args.write_graph || config.output.write_graph,
    };
    let opts = RunOpts { show: !args.quiet, plots: !args.no_plots, check_invariants: args.check_invariants };
    let first_seed = args.seed.unwrap_or(config.seed);
    let seeds: Vec<u64> = (0..args.runs).map(|i| first_seed.wrapping_add(i)).collect();
    check_memory(&[&config], seeds.len(), args.threads, args.force)?;
    let dir_for = |seed: u64| match (&args.out, seeds.len()) {
        (Some(d), 1) => d.clone(),
        (Some(d), _) => d.join(format!("seed-{seed}")),
        (None, _) => Path::new("results").join(&config.name).join(format!("seed-{seed}")),
    };
    if !args.quiet {
        eprintln!(
            "powsim {}: scenario {} ({} nodes), seeds {:?}",
            env!("CARGO_PKG_VERSION"),
            config.name,
            config.network.nodes,
            seeds
        );
    }
    // The binary may read the wall clock for display only (ARCHITECTURE.md invariant 4).
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    // Seeds run in parallel, and a run itself uses the pool for independent
    // pure work (mempool samples); `--threads` bounds both.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    if args.force {
        for &s in &seeds {
            replace_foreign_dir(&dir_for(s))?;
        }
    }
    let results: Vec<Result<RunDone, Failure>> = if seeds.len() == 1 {
        vec![pool.install(|| {
            let done = run_one(&config, &meta, seeds[0], &dir_for(seeds[0]), opts)?;
            recheck(args.check_determinism, &config, &meta, seeds[0], &dir_for(seeds[0]), opts, done)
        })]
    } else {
        let bar = progress_bar(seeds.len() as u64, args.quiet, "runs");
        let out = pool.install(|| {
            seeds
                .par_iter()
                .map(|&s| {
                    let opts = RunOpts { show: false, ..opts };
                    let r = run_one(&config, &meta, s, &dir_for(s), opts).and_then(|done| {
                        recheck(args.check_determinism, &config, &meta, s, &dir_for(s), opts, done)
                    });
                    bar.inc(1);
                    r
                })
                .collect()
        });
        bar.finish_and_clear();
        out
    };
    let mut summaries = Vec::new();
    let mut bands = Vec::new();
    let mut pools = Vec::new();
    let mut code = 0;
    for r in results {
        let RunDone { summary, reason, dir, bands: b, pools: p } = r?;
        if summaries.is_empty() {
            (bands, pools) = (b, p);
        }
        if reason == StopReason::Interrupted {
            eprintln!(
                "interrupted: seed {} stopped early; what it had is in {}, marked incomplete in its manifest",
                summary.seed,
                dir.display()
            );
            code = EXIT_INTERRUPTED;
        } else if reason == StopReason::EventBudget {
            eprintln!(
                "warning: seed {} stopped by its event budget (stop.max_events = {}) before its stop condition; results in {} are marked incomplete",
                summary.seed,
                config.stop.max_events,
                dir.display()
            );
            code = code.max(3);
        } else if reason == StopReason::QueueEmpty
            && config.stop.blocks.is_some_and(|b| summary.blocks_main < b)
        {
            eprintln!(
                "warning: seed {} ended with {} of the {} blocks of stop.blocks: nothing was left to happen (no hash rate left, or at this hash rate the next block would come after 2106, when header times run out)",
                summary.seed,
                summary.blocks_main,
                config.stop.blocks.unwrap_or(0)
            );
        }
        if !args.quiet {
            eprintln!("wrote {}", dir.display());
        }
        summaries.push(summary);
    }
    if !args.quiet {
        print_summary(&summaries, started.elapsed());
        print_pools(&summaries, &pools);
        if config.transactions.is_some() {
            print_tx_summary(&summaries, &bands);
        }
    }
    Ok(code)
}

/// With `--check-determinism`: runs `seed` again into a hidden sibling of `dir` and compares
/// every file; the first difference is an error.
fn recheck(
    on: bool,
    config: &Config,
    meta: &RunMeta,
    seed: u64,
    dir: &Path,
    opts: RunOpts,
    done: RunDone,
) -> Result<RunDone, Failure> {
    if !on || done.reason == StopReason::Interrupted {
        return Ok(done);
    }
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let again = dir.with_file_name(format!(".{name}.again"));
    run_one(config, meta, seed, &again, RunOpts { show: false, ..opts })?;
    let difference = first_difference(dir, &again);
    std::fs::remove_dir_all(&again).with_context(|| format!("cannot remove {}", again.display()))?;
    match difference? {
        None => {
            eprintln!("deterministic: seed {seed} gave the same bytes in every file twice");
            Ok(done)
        }
        Some(d) => Err(anyhow::anyhow!("not deterministic: seed {seed}, run twice, differs in {d}").into()),
    }
}

/// The first difference between the files of two result directories, in file-name order.
fn first_difference(a: &Path, b: &Path) -> Result<Option<String>, Failure> {
    let names = |d: &Path| -> Result<Vec<String>, Failure> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .with_context(|| format!("cannot list {}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        v.sort();
        Ok(v)
    };
    let (na, nb) = (names(a)?, names(b)?);
    if na != nb {
        return Ok(Some(format!("the files written: {na:?} against {nb:?}")));
    }
    for n in na {
        let (x, y) = (std::fs::read(a.join(&n)).context("read")?, std::fs::read(b.join(&n)).context("read")?);
        if x == y {
            continue;
        }
        // manifest.toml names its directory nowhere, so any difference is real.
        let (lx, ly): (Vec<&[u8]>, Vec<&[u8]>) =
            (x.split(|&c| c == b'\n').collect(), y.split(|&c| c == b'\n').collect());
        let line = lx.iter().zip(&ly).position(|(p, q)| p != q).unwrap_or(lx.len().min(ly.len()));
        let show = |l: &[&[u8]]| {
            l.get(line).map_or("(end of file)".into(), |s| String::from_utf8_lossy(s).into_owned())
        };
        return Ok(Some(format!("{n}, line {}: {:?} against {:?}", line + 1, show(&lx), show(&ly))));
    }
    Ok(None)
}

/// Refuses, before anything runs, a run whose memory estimate (times the runs that go at once:
/// the fewer of `runs` and the worker threads)
/// exceeds the memory the machine has available, unless forced. Without a reading of the
/// available memory (`/proc/meminfo`) nothing is refused.
pub(crate) fn check_memory(
    configs: &[&Config],
    runs: usize,
    threads: Option<usize>,
    force: bool,
) -> Result<(), Failure> {
    let workers = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let at_once = workers.min(runs);
    let Some(e) =
        configs.iter().map(|c| powsim::world::estimate_memory(c)).max_by(|a, b| a.bytes.total_cmp(&b.bytes))
    else {
        return Ok(());
    };
    let need = e.bytes * at_once.max(1) as f64;
    let Some(available) = available_memory_bytes() else { return Ok(()) };
    if need <= available || force {
        return Ok(());
    }
    let gb = |b: f64| b / 1e9;
    let message = format!(
        "the run would need about {:.1} GB of memory by powsim's estimate ({} nodes, {} connections, {} blocks, {} transactions, {} mempools{}), more than the {:.1} GB available; shrink the scenario, run fewer at once (--threads), or pass --force",
        gb(need),
        e.nodes,
        e.connections,
        e.blocks,
        e.transactions,
        e.mempools,
        if at_once > 1 { format!("; {at_once} runs at once") } else { String::new() },
        gb(available)
    );
    Err(Failure { code: 2, error: anyhow::anyhow!(message) })
}

/// `MemAvailable` from `/proc/meminfo`, in bytes.
fn available_memory_bytes() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

/// With `--force`, an output directory that is not a powsim result (no manifest) is removed
/// so the run can take its place; a result directory is replaced as usual.
fn replace_foreign_dir(dir: &Path) -> Result<(), Failure> {
    if dir.is_dir() && !dir.join("manifest.toml").exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    Ok(())
}

/// What one finished run hands back for the terminal.
pub(crate) struct RunDone {
    pub(crate) summary: Summary,
    pub(crate) reason: StopReason,
    dir: PathBuf,
    /// Confirmation delay by fee-rate band (empty without transactions).
    bands: Vec<BandRow>,
    /// One row per miner.
    pools: Vec<PoolRow>,
}

/// How [`run_one`] runs and writes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunOpts {
    /// Show a progress bar once the run takes a moment.
    pub(crate) show: bool,
    /// Draw the plots and index.html.
    pub(crate) plots: bool,
    /// Check invariants; a broken one is an error and nothing is written.
    pub(crate) check_invariants: bool,
}

/// Runs `config` with `seed` and writes the result into `dir`.
pub(crate) fn run_one(
    config: &Config,
    meta: &RunMeta,
    seed: u64,
    dir: &Path,
    opts: RunOpts,
) -> Result<RunDone, Failure> {
    let RunOpts { show, plots, check_invariants } = opts;
    let out = simulate_one(config, seed, show, check_invariants, &meta.scenario_file, &meta.overrides)?;
    // Plots are drawn from the written files, in the temporary directory, so
    // a result directory never appears without them.
    let draw = |tmp: &Path| -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if plots {
            plot_dir(tmp)?;
        }
        Ok(())
    };
    let Written { summary, bands, pools } =
        write_run_with(dir, config, meta, &out, &draw).map_err(|e| Failure { code: 1, error: e.into() })?;
    Ok(RunDone { summary, reason: out.stats.reason, dir: dir.to_path_buf(), bands, pools })
}

/// `out`, unless its run stopped at a broken invariant: then an error naming the seed, the
/// event and the command that reproduces it.
fn invariants_held(out: RunOutput, file: &str, overrides: &[String]) -> Result<RunOutput, Failure> {
    match &out.stats.violation {
        None => Ok(out),
        Some(v) => Err(Failure {
            code: EXIT_INVARIANT,
            error: anyhow::anyhow!(powsim::report::violation_report(file, overrides, out.seed, v)),
        }),
    }
}

/// Simulates `config` with `seed` (of the scenario `file` with `overrides`), with a progress
/// bar if `show`; with `check_invariants`, a broken invariant is an error (see
/// [`invariants_held`]).
pub(crate) fn simulate_one(
    config: &Config,
    seed: u64,
    show: bool,
    check_invariants: bool,
    file: &str,
    overrides: &[String],
) -> Result<RunOutput, Failure> {
    let (total, by_blocks) = match (config.stop.blocks, config.stop.sim_time_s) {
        (Some(b), _) => (b, true),
        (None, Some(t)) => (t.ceil() as u64, false),
        (None, None) => (0, true),
    };
    let bar = progress_bar(total, true, if by_blocks { "blocks" } else { "sim s" });
    // The bar appears only once a run has taken a moment, so quick runs stay quiet.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let mut visible = false;
    let setup = |w: &mut World| {
        if check_invariants {
            w.enable_invariant_checks();
        }
    };
    let out = simulate_with(config, seed, setup, |w, stats| {
        if show && !visible && started.elapsed() >= SHOW_PROGRESS_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
            visible = true;
        }
        let pos = if by_blocks { w.blocks_above_start() } else { stats.end_time.whole_secs() };
        bar.set_position(pos.min(total));
    })
    .map_err(|e| Failure { code: 2, error: e.into() })?;
    bar.finish_and_clear();
    invariants_held(out, file, overrides)
}

/// How long a run goes before its progress bar appears.
const SHOW_PROGRESS_AFTER: Duration = Duration::from_secs(1);

/// A progress bar with an ETA, drawn on stderr unless `hidden` (indicatif
/// draws nothing when stderr is not a terminal).
pub(crate) fn progress_bar(len: u64, hidden: bool, unit: &str) -> ProgressBar {
    let target = if hidden { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr_with_hz(4) };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  elapsed {{elapsed}}  eta {{eta}}");
    bar.set_style(ProgressStyle::with_template(&template).expect("valid template"));
    bar
}

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.digits$}"))
}

fn print_summary(rows: &[Summary], wall: Duration) {
    say!(
        "{:>8} {:>7} {:>6} {:>6} {:>8} {:>9} {:>8} {:>8} {:>8} {:>7} {:>10}",
        "seed",
        "nodes",
        "mined",
        "stale",
        "stale%",
        "interval",
        "prop50",
        "prop90",
        "t100",
        "reorgs",
        "events"
    );
    for s in rows {
        say!(
            "{:>8} {:>7} {:>6} {:>6} {:>8} {:>9} {:>8} {:>8} {:>8} {:>7} {:>10}",
            s.seed,
            s.nodes,
            s.blocks_mined,
            s.stale_blocks,
            fmt_opt(s.stale_rate.map(|r| r * 100.0), 3),
            fmt_opt(s.interval_mean_s, 1),
            fmt_opt(s.prop_median_s, 3),
            fmt_opt(s.prop_p90_s, 3),
            fmt_opt(s.t100_mean_s, 3),
            s.reorgs,
            s.events
        );
    }
    say!("(times in seconds; wall time {:.2} s)", wall.as_secs_f64());
}

/// Miners shown in the terminal's pool table; `pools.csv` has them all.
const POOLS_SHOWN: usize = 20;

/// Concentration per seed, then the first seed's miners, largest first.
fn print_pools(rows: &[Summary], pools: &[PoolRow]) {
    say!();
    say!(
        "{:>8} {:>7} {:>9} {:>8} {:>6} {:>8} {:>9}",
        "seed",
        "hhi",
        "nakamoto",
        "top%",
        "empty",
        "gamma",
        "selfish%"
    );
    for s in rows {
        say!(
            "{:>8} {:>7} {:>9} {:>8} {:>6} {:>8} {:>9}",
            s.seed,
            fmt_opt(s.hhi, 4),
            s.nakamoto_coefficient.map_or_else(|| "-".to_string(), |n| n.to_string()),
            fmt_opt(s.top_pool_share.map(|r| r * 100.0), 2),
            s.empty_blocks,
            fmt_opt(s.gamma_measured, 3),
            fmt_opt(s.selfish_revenue_share.map(|r| r * 100.0), 2)
        );
    }
    let mut order: Vec<&PoolRow> = pools.iter().collect();
    order.sort_by(|a, b| b.hash_share.total_cmp(&a.hash_share));
    say!();
    say!("miners (first seed; revenue from main-chain blocks)");
    say!(
        "{:>16} {:>9} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6} {:>12} {:>8} {:>8}",
        "pool",
        "strategy",
        "hash%",
        "found",
        "main",
        "stale",
        "stale%",
        "empty",
        "revenue_btc",
        "rev%",
        "rev/hash"
    );
    for p in order.iter().take(POOLS_SHOWN) {
        say!(
            "{:>16} {:>9} {:>7.2} {:>6} {:>6} {:>6} {:>7} {:>6} {:>12.4} {:>8} {:>8}",
            p.pool,
            p.strategy,
            p.hash_share * 100.0,
            p.blocks_found,
            p.blocks_main,
            p.stale_blocks,
            fmt_opt(p.stale_rate.map(|r| r * 100.0), 2),
            p.empty_blocks,
            p.revenue_btc,
            fmt_opt(p.revenue_share.map(|r| r * 100.0), 2),
            fmt_opt(p.revenue_per_hash_share, 3)
        );
    }
    if order.len() > POOLS_SHOWN {
        say!("{:>16} ({} more in pools.csv)", "...", order.len() - POOLS_SHOWN);
    }
}

fn print_tx_summary(rows: &[Summary], bands: &[BandRow]) {
    say!();
    say!(
        "{:>8} {:>9} {:>9} {:>8} {:>8} {:>10} {:>7} {:>8} {:>9}",
        "seed",
        "txs",
        "confirmed",
        "conf50",
        "conf90",
        "fees_btc",
        "fee%",
        "cmpct%",
        "peak_vMB"
    );
    for s in rows {
        say!(
            "{:>8} {:>9} {:>9} {:>8} {:>8} {:>10.4} {:>7} {:>8} {:>9.3}",
            s.seed,
            s.tx_created,
            s.tx_confirmed,
            fmt_opt(s.conf_delay_median_s, 0),
            fmt_opt(s.conf_delay_p90_s, 0),
            s.fees_total_btc,
            fmt_opt(s.fee_share_of_revenue.map(|r| r * 100.0), 2),
            fmt_opt(s.compact_reconstruct_rate.map(|r| r * 100.0), 1),
            s.mempool_peak_vmb
        );
    }
    say!();
    say!("confirmation delay by fee rate (first seed; seconds)");
    say!("{:>14} {:>9} {:>9} {:>9} {:>9} {:>9}", "sat/vB", "created", "confirmed", "median", "p90", "mean");
    for b in bands {
        let range = match b.feerate_to_sat_vb {
            Some(hi) => format!("{}-{}", b.feerate_from_sat_vb, hi),
            None => format!(">= {}", b.feerate_from_sat_vb),
        };
        say!(
            "{:>14} {:>9} {:>9} {:>9} {:>9} {:>9}",
            range,
            b.created,
            b.confirmed,
            fmt_opt(b.delay_median_s, 0),
            fmt_opt(b.delay_p90_s, 0),
            fmt_opt(b.delay_mean_s, 0)
        );
    }
}
