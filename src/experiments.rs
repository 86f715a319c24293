//! The many-run subcommands: `sweep`, `merge`, `compare` and `check`. They plan with
//! `powsim::sweep`, run with `simulate` and `write_run` on the rayon pool, and show a progress
//! bar over runs.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use rayon::prelude::*;

use crate::cli::{EXIT_INTERRUPTED, Failure, RunOpts, progress_bar, run_one, say, simulate_one};
use powsim::report::{RunMeta, summarize, summary_cells};
use powsim::scenario::{self, Config};
use powsim::sweep::{
    Comparison, ExpectationFile, FailIf, RunRow, RunsTable, Shard, SweepError, SweepManifest, SweepSpec,
    Verdict, compare_rows, merge, plan, read_summary, run_id, write_atomic,
};

/// Summary columns that are not compared: the scenario's name and the seed, which pair the runs.
const NOT_COMPARED: [&str; 2] = ["scenario", "seed"];

/// Exit code of `compare` when a `--fail-if` condition holds and of `check` when a bound fails.
pub const EXIT_CHECK_FAILED: u8 = 4;

impl From<SweepError> for Failure {
    fn from(e: SweepError) -> Self {
        Failure { code: 2, error: e.into() }
    }
}

fn io_failure(e: SweepError) -> Failure {
    Failure { code: 1, error: e.into() }
}

#[derive(Args)]
pub struct SweepArgs {
    /// Scenario file with a [sweep] table.
    file: PathBuf,
    /// First seed (overrides the scenario's `seed`); each point runs seed, seed + 1, ...
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    common: ManyRuns,
    /// Continue an interrupted sweep in --out: finished runs are not run again.
    #[arg(long)]
    resume: bool,
    /// No sweep-<metric> plots.
    #[arg(long)]
    no_plots: bool,
    /// Run one slice of the runs, i/n (1 <= i <= n); join the slices with `powsim merge`.
    #[arg(long, value_parser = Shard::parse)]
    shard: Option<Shard>,
}

/// The options `sweep` and `compare` share with `run`.
#[derive(Args)]
pub struct ManyRuns {
    /// Override a scenario key in every run (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Output directory (default: results/<name>/sweep or results/<name>/compare).
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress bar and no table.
    #[arg(long)]
    quiet: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Run even when the memory estimate exceeds the memory available.
    #[arg(long)]
    force: bool,
    /// Check the model's invariants in every run (slower); a broken one stops with exit code 5
    /// and the command that reproduces it.
    #[arg(long)]
    check_invariants: bool,
}

impl ManyRuns {
    /// How each run goes: quietly, without plots (the many-run commands draw their own).
    fn run_opts(&self) -> RunOpts {
        RunOpts { show: false, plots: false, check_invariants: self.check_invariants }
    }

    /// Refuses runs that would not fit in memory, `count` of them going at once at most.
    fn check_memory(&self, configs: &[&Config], count: usize) -> Result<(), Failure> {
        crate::cli::check_memory(configs, count, self.threads, self.force)
    }
}

/// One planned run, ready to go.
struct Job {
    index: usize,
    point: usize,
    seed: u64,
    config: Config,
    overrides: Vec<String>,
    values: Vec<String>,
    id: String,
}

fn rayon_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    Ok(rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?)
}

fn file_digest(file: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(scenario::digest_hex(&bytes))
}

pub fn sweep(args: SweepArgs) -> Result<u8, Failure> {
    let base = scenario::load(&args.file, &args.common.set)?;
    let file = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {file}"))?;
    let spec = SweepSpec::parse(&file, &text)?.ok_or_else(|| {
        SweepError::new(&file, "sweep", "the scenario has no [sweep] table; powsim run runs it once")
    })?;
    let known = powsim::report::summary_columns();
    if let Some(m) = spec.metrics.iter().find(|m| !known.contains(&m.as_str())) {
        let message = format!("{m:?} is not a summary column; columns: {}", known.join(", "));
        return Err(SweepError::new(&file, "sweep.metrics", message).into());
    }
    let points = spec.points();
    // Every point is checked before anything runs.
    let mut configs = Vec::with_capacity(points.len());
    for p in &points {
        let overrides: Vec<String> = args.common.set.iter().cloned().chain(p.overrides()).collect();
        let config = scenario::load(&args.file, &overrides).map_err(|e| {
            let at = p.overrides().join(" ");
            Failure { code: 2, error: anyhow::anyhow!("sweep point {} ({at}): {e}", p.index) }
        })?;
        configs.push((
            config,
            overrides,
            p.values.iter().map(|(_, v)| powsim::sweep::cell(v)).collect::<Vec<_>>(),
        ));
    }
    let first_seed = args.seed.unwrap_or(base.seed);
    let sweep_id = scenario::digest_hex(
        format!("{}\n{}first seed {first_seed}\n", scenario::resolved_toml(&base), spec.canonical())
            .as_bytes(),
    )[..16]
        .to_string();
    let out = args.common.out.clone().unwrap_or_else(|| Path::new("results").join(&base.name).join("sweep"));
    let runs_total = points.len() * spec.seeds as usize;
    let jobs: Vec<Job> = plan(points.len(), spec.seeds, first_seed)
        .into_iter()
        .filter(|r| args.shard.is_none_or(|s| s.holds(r.index)))
        .map(|r| {
            let (config, overrides, values) = &configs[r.point];
            Job {
                index: r.index,
                point: r.point,
                seed: r.seed,
                id: run_id(&scenario::resolved_toml(config), r.seed),
                config: config.clone(),
                overrides: overrides.clone(),
                values: values.clone(),
            }
        })
        .collect();
    let mut manifest = SweepManifest {
        powsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_file: file.clone(),
        scenario_sha256: file_digest(&args.file)?,
        overrides: args.common.set.clone(),
        sweep_id,
        keys: spec.keys().iter().map(|k| k.to_string()).collect(),
        metrics: spec.metrics.clone(),
        points: points.len(),
        seeds: spec.seeds,
        first_seed,
        runs_total,
        shard: args.shard.map_or(String::new(), |s| s.to_string()),
        runs: jobs.len(),
        complete: false,
    };
    let all: Vec<&Config> = configs.iter().map(|(c, _, _)| c).collect();
    args.common.check_memory(&all, jobs.len())?;
    prepare_sweep_dir(&out, &manifest, args.resume)?;
    manifest.write(&out).map_err(io_failure)?;
    let done = |j: &Job| run_complete(&out.join("runs").join(&j.id));
    let todo: Vec<&Job> = jobs.iter().filter(|j| !(args.resume && done(j))).collect();
    if !args.common.quiet {
        eprintln!(
            "powsim {}: sweep of {} ({} points x {} seeds = {runs_total} runs{}), {} to run, into {}",
            env!("CARGO_PKG_VERSION"),
            base.name,
            points.len(),
            spec.seeds,
            args.shard.map_or(String::new(), |s| format!("; shard {s}: {}", jobs.len())),
            todo.len(),
            out.display()
        );
    }
    let pool = rayon_pool(args.common.threads)?;
    let bar = progress_bar(todo.len() as u64, args.common.quiet, "runs");
    let scenario_sha256 = manifest.scenario_sha256.clone();
    let results: Vec<Result<u8, Failure>> = pool.install(|| {
        todo.par_iter()
            .map(|j| {
                if powsim::sim::interrupted() {
                    return Ok(EXIT_INTERRUPTED);
                }
                let meta = RunMeta {
                    scenario_file: file.clone(),
                    scenario_sha256: scenario_sha256.clone(),
                    overrides: j.overrides.clone(),
                    resolved_toml: scenario::resolved_toml(&j.config),
                    write_graph: false,
                };
                let r =
                    run_one(&j.config, &meta, j.seed, &out.join("runs").join(&j.id), args.common.run_opts());
                bar.inc(1);
                r.map(|d| match d.reason {
                    powsim::sim::StopReason::Interrupted => EXIT_INTERRUPTED,
                    powsim::sim::StopReason::EventBudget => 3,
                    _ => 0,
                })
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut code = 0;
    for r in results {
        code = code.max(r?);
    }
    if code == EXIT_INTERRUPTED {
        eprintln!(
            "interrupted: {} holds the runs finished so far; continue with the same command and --resume",
            out.display()
        );
        return Ok(code);
    }
    let mut rows = Vec::with_capacity(jobs.len());
    let mut metrics = Vec::new();
    for j in &jobs {
        let (names, cells) =
            read_summary(&out.join("runs").join(&j.id).join("summary.csv")).map_err(io_failure)?;
        metrics = names;
        rows.push(RunRow {
            run: j.index,
            run_id: j.id.clone(),
            point: j.point,
            seed: j.seed,
            values: j.values.clone(),
            metrics: cells,
        });
    }
    let table = RunsTable { keys: manifest.keys.clone(), metrics, rows };
    write_tables(&out, &table).map_err(io_failure)?;
    if !args.no_plots {
        plot_sweep(&out, &base.name, &manifest)?;
    }
    manifest.complete = true;
    manifest.write(&out).map_err(io_failure)?;
    if !args.common.quiet {
        print_points(&table, &spec.metrics);
        eprintln!("wrote {}", out.display());
    }
    Ok(code)
}

/// True if `dir` holds a run that finished (its manifest says `complete = true`); a run cut
/// short by an interruption or its event budget runs again on `--resume`.
fn run_complete(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.toml")) else { return false };
    text.parse::<toml::Table>().is_ok_and(|t| t.get("complete").and_then(toml::Value::as_bool) == Some(true))
}

/// A sweep writes into a new or empty directory, or (with `--resume`) into the directory of the
/// same sweep and shard.
fn prepare_sweep_dir(out: &Path, manifest: &SweepManifest, resume: bool) -> Result<(), Failure> {
    let exists_nonempty =
        out.is_dir() && std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(false);
    if exists_nonempty {
        let previous = SweepManifest::read(out).map_err(|_| {
            anyhow::anyhow!(
                "{}: exists and is not a sweep directory (no sweep.toml); refusing to write into it",
                out.display()
            )
        })?;
        if !resume {
            return Err(anyhow::anyhow!(
                "{}: holds a sweep already; continue it with --resume or choose another --out",
                out.display()
            )
            .into());
        }
        if previous.sweep_id != manifest.sweep_id || previous.shard != manifest.shard {
            return Err(anyhow::anyhow!(
                "{}: holds another sweep (sweep_id {}, shard {:?}) than this one (sweep_id {}, shard {:?}); --resume continues the same sweep only",
                out.display(),
                previous.sweep_id,
                previous.shard,
                manifest.sweep_id,
                manifest.shard
            )
            .into());
        }
    }
    std::fs::create_dir_all(out.join("runs")).with_context(|| format!("cannot create {}", out.display()))?;
    Ok(())
}

/// The sweep's figures, from the tables just written.
fn plot_sweep(out: &Path, name: &str, manifest: &SweepManifest) -> Result<(), Failure> {
    powsim::plot::plot_sweep(out, name, &manifest.keys, &manifest.metrics)
        .map(drop)
        .map_err(|e| Failure { code: 1, error: e.into() })
}

fn write_tables(out: &Path, table: &RunsTable) -> Result<(), SweepError> {
    table.write(&out.join("runs.csv"))?;
    write_atomic(&out.join("aggregate.csv"), &table.aggregate_csv())
}

/// Per grid point: the swept values and the chosen metrics' means with their 95 % intervals.
fn print_points(table: &RunsTable, chosen: &[String]) {
    let defaults = ["stale_rate".to_string(), "interval_mean_s".to_string(), "prop_median_s".to_string()];
    let chosen = if chosen.is_empty() { &defaults[..] } else { chosen };
    let cols: Vec<usize> = chosen.iter().filter_map(|m| table.metrics.iter().position(|x| x == m)).collect();
    let mut header = table.keys.clone();
    header.extend(cols.iter().map(|&c| table.metrics[c].clone()));
    say!("{}", header.join("  "));
    let mut points: Vec<usize> = table.rows.iter().map(|r| r.point).collect();
    points.dedup();
    for p in points {
        let rows: Vec<&RunRow> = table.rows.iter().filter(|r| r.point == p).collect();
        let mut cells = rows[0].values.clone();
        for &c in &cols {
            let xs: Vec<f64> = rows.iter().filter_map(|r| r.metrics[c].parse().ok()).collect();
            cells.push(match powsim::sweep::Estimate::of(&xs) {
                Some(e) => match e.ci95 {
                    Some(h) => format!("{:.4} ± {:.4}", e.mean, h),
                    None => format!("{:.4}", e.mean),
                },
                None => "-".into(),
            });
        }
        say!("{}", cells.join("  "));
    }
}

#[derive(Args)]
pub struct MergeArgs {
    /// Shard directories of one sweep (`powsim sweep --shard i/n --out DIR`).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write the whole sweep's runs.csv, aggregate.csv and sweep.toml.
    #[arg(long)]
    out: PathBuf,
    /// No sweep-<metric> plots.
    #[arg(long)]
    no_plots: bool,
}

pub fn merge_shards(args: MergeArgs) -> Result<u8, Failure> {
    let dirs: Vec<&Path> = args.dirs.iter().map(PathBuf::as_path).collect();
    let (manifest, table) = merge(&dirs)?;
    if args.out.exists()
        && SweepManifest::read(&args.out).is_err()
        && std::fs::read_dir(&args.out).is_ok_and(|mut d| d.next().is_some())
    {
        return Err(anyhow::anyhow!(
            "{}: exists and is not a sweep directory; refusing to write into it",
            args.out.display()
        )
        .into());
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    write_tables(&args.out, &table).map_err(io_failure)?;
    manifest.write(&args.out).map_err(io_failure)?;
    if !args.no_plots {
        let name = Path::new(&manifest.scenario_file)
            .file_stem()
            .map_or("sweep".into(), |s| s.to_string_lossy().into_owned());
        plot_sweep(&args.out, &name, &manifest)?;
    }
    eprintln!("merged {} shards ({} runs) into {}", dirs.len(), table.rows.len(), args.out.display());
    Ok(0)
}

#[derive(Args)]
pub struct CompareArgs {
    /// The baseline scenario.
    base: PathBuf,
    /// The change: `key=value` (repeatable), or a second scenario file (FILE.toml).
    #[arg(long, required = true, value_name = "KEY=VALUE|FILE.toml")]
    variant: Vec<String>,
    /// Seeds: both run seed, seed + 1, ... (common random numbers).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    seeds: u64,
    /// First seed (default: the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Exit with code 4 when the variant moves a metric beyond a bound with 95 % confidence,
    /// e.g. 'stale_rate>+0.001' or 'interval_mean_s<-5%' (repeatable).
    #[arg(long = "fail-if", value_name = "CONDITION", value_parser = FailIf::parse)]
    fail_if: Vec<FailIf>,
    #[command(flatten)]
    common: ManyRuns,
}

pub fn compare(args: CompareArgs) -> Result<u8, Failure> {
    let known = powsim::report::summary_columns();
    if let Some(f) = args.fail_if.iter().find(|f| !known.contains(&f.metric.as_str())) {
        let message = format!(
            "--fail-if {:?}: {:?} is not a summary column; columns: {}",
            f.text,
            f.metric,
            known.join(", ")
        );
        return Err(Failure { code: 2, error: anyhow::anyhow!(message) });
    }
    let base = scenario::load(&args.base, &args.common.set)?;
    let (files, sets): (Vec<&String>, Vec<&String>) =
        args.variant.iter().partition(|v| !v.contains('=') && v.ends_with(".toml"));
    if files.len() > 1 {
        return Err(Failure {
            code: 2,
            error: anyhow::anyhow!("--variant: at most one scenario file, got {}", files.len()),
        });
    }
    let variant_file = files.first().map_or(args.base.clone(), PathBuf::from);
    let variant_sets: Vec<String> = args.common.set.iter().chain(sets).cloned().collect();
    let variant = scenario::load(&variant_file, &variant_sets)?;
    let first_seed = args.seed.unwrap_or(base.seed);
    let seeds: Vec<u64> = (0..args.seeds).map(|i| first_seed.wrapping_add(i)).collect();
    let out =
        args.common.out.clone().unwrap_or_else(|| Path::new("results").join(&base.name).join("compare"));
    let sides =
        [("base", &args.base, &args.common.set, &base), ("variant", &variant_file, &variant_sets, &variant)];
    let mut metas = Vec::new();
    for (_, file, sets, config) in sides {
        metas.push(RunMeta {
            scenario_file: file.display().to_string(),
            scenario_sha256: file_digest(file)?,
            overrides: sets.clone(),
            resolved_toml: scenario::resolved_toml(config),
            write_graph: false,
        });
    }
    let jobs: Vec<(usize, u64)> = (0..2).flat_map(|side| seeds.iter().map(move |&s| (side, s))).collect();
    args.common.check_memory(&[&base, &variant], jobs.len())?;
    if !args.common.quiet {
        eprintln!(
            "powsim {}: compare {} against its variant on {} seeds",
            env!("CARGO_PKG_VERSION"),
            base.name,
            seeds.len()
        );
    }
    let pool = rayon_pool(args.common.threads)?;
    let bar = progress_bar(jobs.len() as u64, args.common.quiet, "runs");
    let results: Vec<Result<Vec<String>, Failure>> = pool.install(|| {
        jobs.par_iter()
            .map(|&(side, seed)| {
                let (name, _, _, config) = sides[side];
                let dir = out.join(name).join(format!("seed-{seed}"));
                let done = run_one(config, &metas[side], seed, &dir, args.common.run_opts());
                bar.inc(1);
                let cells = summary_cells(&done?.summary).into_iter();
                Ok(cells.filter(|(name, _)| !NOT_COMPARED.contains(name)).map(|(_, c)| c).collect())
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut cells = Vec::with_capacity(jobs.len());
    for r in results {
        cells.push(r?);
    }
    if powsim::sim::interrupted() {
        eprintln!("interrupted: no comparison; the runs so far are in {}", out.display());
        return Ok(EXIT_INTERRUPTED);
    }
    let metrics: Vec<String> =
        known.iter().filter(|n| !NOT_COMPARED.contains(n)).map(|s| s.to_string()).collect();
    let (b, v) = cells.split_at(seeds.len());
    let comparisons = compare_rows(&metrics, b, v);
    write_compare_csv(&out.join("compare.csv"), &comparisons).map_err(io_failure)?;
    if !args.common.quiet {
        print_comparisons(&comparisons);
        eprintln!("wrote {}", out.display());
    }
    let mut code = 0;
    for f in &args.fail_if {
        let Some(c) = comparisons.iter().find(|c| c.metric == f.metric) else {
            say!("fail-if {}: no value to compare", f.text);
            continue;
        };
        if f.holds(c) {
            say!("FAIL {}: the difference is {} (95 % interval)", f.text, interval(c));
            code = EXIT_CHECK_FAILED;
        } else if !args.common.quiet {
            say!("ok   {}: the difference is {} (95 % interval)", f.text, interval(c));
        }
    }
    Ok(code)
}

fn interval(c: &Comparison) -> String {
    match c.diff {
        Some(d) => match (d.lo(), d.hi()) {
            (Some(lo), Some(hi)) => format!("{:+.6} [{lo:+.6}, {hi:+.6}]", d.mean),
            _ => format!("{:+.6} (one seed: no interval)", d.mean),
        },
        None => "-".into(),
    }
}

fn write_compare_csv(path: &Path, rows: &[Comparison]) -> Result<(), SweepError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "metric",
        "n",
        "base_mean",
        "variant_mean",
        "diff_mean",
        "diff_sd",
        "diff_ci95_lo",
        "diff_ci95_hi",
        "significant",
    ];
    w.write_record(header).expect("in-memory CSV");
    let f = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
    for c in rows {
        w.write_record([
            c.metric.clone(),
            c.diff.map_or(0, |d| d.n).to_string(),
            f(c.base.map(|e| e.mean)),
            f(c.variant.map(|e| e.mean)),
            f(c.diff.map(|e| e.mean)),
            f(c.diff.and_then(|e| e.sd)),
            f(c.diff.and_then(|e| e.lo())),
            f(c.diff.and_then(|e| e.hi())),
            c.diff.is_some_and(|d| d.significant()).to_string(),
        ])
        .expect("in-memory CSV");
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| SweepError::new(&dir.display().to_string(), "", e.to_string()))?;
    }
    write_atomic(path, &w.into_inner().expect("in-memory CSV"))
}

fn print_comparisons(rows: &[Comparison]) {
    say!("{:<26} {:>14} {:>14} {:>14} {:>30}  sig", "metric", "base", "variant", "diff", "95 % interval");
    let f = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.6}"));
    for c in rows {
        let (lo, hi) = (c.diff.and_then(|d| d.lo()), c.diff.and_then(|d| d.hi()));
        let ci = match (lo, hi) {
            (Some(lo), Some(hi)) => format!("[{lo:+.6}, {hi:+.6}]"),
            _ => "-".into(),
        };
        let sig = if c.diff.is_some_and(|d| d.significant()) { "*" } else { "" };
        say!(
            "{:<26} {:>14} {:>14} {:>14} {:>30}  {sig}",
            c.metric,
            f(c.base.map(|e| e.mean)),
            f(c.variant.map(|e| e.mean)),
            f(c.diff.map(|e| e.mean)),
            ci
        );
    }
}

#[derive(Args)]
pub struct CheckArgs {
    /// Expectations file.
    file: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Check the model's invariants in every run (slower); a broken one stops with exit code 5
    /// and the command that reproduces it.
    #[arg(long)]
    check_invariants: bool,
}

pub fn check(args: CheckArgs) -> Result<u8, Failure> {
    let expectations = ExpectationFile::load(&args.file)?;
    let mut configs = Vec::new();
    for (e, _) in &expectations.expect {
        configs.push(scenario::load(&e.scenario, &e.set)?);
    }
    let jobs: Vec<(usize, u64)> = expectations
        .expect
        .iter()
        .enumerate()
        .flat_map(|(i, (e, _))| (0..u64::from(e.seeds)).map(move |j| (i, j)))
        .collect();
    let pool = rayon_pool(args.threads)?;
    let summaries: Vec<Result<Vec<(&'static str, String)>, Failure>> = pool.install(|| {
        jobs.par_iter()
            .map(|&(i, j)| {
                let (c, expect) = (&configs[i], &expectations.expect[i].0);
                let file = expect.scenario.display().to_string();
                let out = simulate_one(
                    c,
                    c.seed.wrapping_add(j),
                    false,
                    args.check_invariants,
                    &file,
                    &expect.set,
                )?;
                Ok(summary_cells(&summarize(&c.name, &out)))
            })
            .collect()
    });
    let mut cells = Vec::with_capacity(jobs.len());
    for s in summaries {
        cells.push(s?);
    }
    if powsim::sim::interrupted() {
        eprintln!("interrupted: no verdict");
        return Ok(EXIT_INTERRUPTED);
    }
    let mut failed = 0;
    let mut total = 0;
    for (i, (e, bounds)) in expectations.expect.iter().enumerate() {
        let runs: Vec<&Vec<(&str, String)>> =
            jobs.iter().zip(&cells).filter(|((k, _), _)| *k == i).map(|(_, c)| c).collect();
        for (metric, bound) in bounds {
            total += 1;
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.iter().find(|(name, _)| name == metric))
                .filter_map(|(_, v)| v.parse().ok())
                .collect();
            let found = runs.first().is_some_and(|r| r.iter().any(|(name, _)| name == metric));
            let v = Verdict::judge(metric, &values, bound);
            let shown = v.value.map_or("-".to_string(), |x| format!("{x:.6}"));
            let note = if found { String::new() } else { " (not a summary column)".to_string() };
            let mark = if v.pass { "PASS" } else { "FAIL" };
            failed += usize::from(!v.pass);
            say!(
                "{mark}  {} ({} seeds): {metric} = {shown}, expected {bound}{note}",
                e.scenario.display(),
                e.seeds
            );
        }
    }
    say!("{} of {total} expectations met", total - failed);
    Ok(if failed > 0 { EXIT_CHECK_FAILED } else { 0 })
}
