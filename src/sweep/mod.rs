//! Many runs of one scenario: parameter sweeps (`powsim sweep`, `powsim merge`), paired
//! baseline-against-variant comparisons (`powsim compare`) and expectation checks
//! (`powsim check`).
//!
//! This module plans runs and turns their summaries into tables and verdicts; the binary runs
//! them (in parallel, with a progress bar) through [`crate::world::simulate`] and
//! [`crate::report::write_run`]. Like `scenario` and `report`, it reads and writes files: a
//! sweep's results are the run directories it holds, `runs.csv`, `aggregate.csv` and its
//! manifest `sweep.toml`.
//!
//! - `spec.rs`: the `[sweep]` table and its grid points;
//! - `table.rs`: `runs.csv` and `aggregate.csv`;
//! - `stats.rs`: means, standard deviations, Student-t intervals;
//! - `compare.rs`: paired differences and `--fail-if` conditions;
//! - `check.rs`: expectation files.

mod check;
mod compare;
mod spec;
mod stats;
mod table;

pub use check::{Bound, Expectation, ExpectationFile, Verdict};
pub use compare::{Comparison, FailIf, compare_rows};
pub use spec::{Axis, MAX_RUNS, Point, SweepSpec, cell};
pub use stats::{Estimate, t975};
pub use table::{RunRow, RunsTable, read_summary, write_atomic};

use std::path::Path;

/// A sweep, comparison or expectation file that cannot be used, or results that cannot be read
/// or written: the file, the key and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}: {}{message}", if key.is_empty() { String::new() } else { format!("{key}: ") })]
pub struct SweepError {
    /// The file.
    pub file: String,
    /// The key (may be empty).
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl SweepError {
    /// An error about `key` of `file`.
    pub fn new(file: &str, key: &str, message: impl Into<String>) -> SweepError {
        SweepError { file: file.to_string(), key: key.to_string(), message: message.into() }
    }
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRun {
    /// Index in run order: point-major, then seed.
    pub index: usize,
    /// Grid point.
    pub point: usize,
    /// Seed.
    pub seed: u64,
}

/// Every run of `points` grid points with `seeds` seeds from `first_seed`, in run order.
pub fn plan(points: usize, seeds: u32, first_seed: u64) -> Vec<PlannedRun> {
    (0..points)
        .flat_map(|point| {
            (0..u64::from(seeds)).map(move |j| PlannedRun {
                index: point * seeds as usize + j as usize,
                point,
                seed: first_seed.wrapping_add(j),
            })
        })
        .collect()
}

/// Shard `i` of `n` (1-based): every run whose index is `i - 1` modulo `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1.
    pub i: u32,
    /// Number of shards.
    pub n: u32,
}

impl Shard {
    /// Parses `i/n` with 1 <= i <= n.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("expected i/n with 1 <= i <= n, like 2/8; got {text:?}");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (i, n) =
            (i.trim().parse::<u32>().map_err(|_| bad())?, n.trim().parse::<u32>().map_err(|_| bad())?);
        if i == 0 || i > n {
            return Err(bad());
        }
        Ok(Shard { i, n })
    }

    /// True if run `index` belongs to this shard.
    pub fn holds(&self, index: usize) -> bool {
        index % self.n as usize == (self.i - 1) as usize
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.i, self.n)
    }
}

/// A run's identity: a digest of its resolved scenario and its seed. Two runs with the same id
/// give the same results, which is what lets `--resume` skip a finished run.
pub fn run_id(resolved_toml: &str, seed: u64) -> String {
    let digest = crate::scenario::digest_hex(format!("{resolved_toml}\n# run seed {seed}\n").as_bytes());
    digest[..16].to_string()
}

/// A sweep's manifest, `sweep.toml`: what was swept, and which shard of it a directory holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SweepManifest {
    /// powsim's version.
    pub powsim_version: String,
    /// The scenario file as given.
    pub scenario_file: String,
    /// SHA-256 of its bytes.
    pub scenario_sha256: String,
    /// `--set` overrides applied to every run.
    pub overrides: Vec<String>,
    /// Digest of the base scenario, the grid, the seeds and the overrides: shards of one sweep
    /// share it.
    pub sweep_id: String,
    /// The swept keys, in column order.
    pub keys: Vec<String>,
    /// Metrics the plots show.
    pub metrics: Vec<String>,
    /// Grid points.
    pub points: usize,
    /// Seeds per point.
    pub seeds: u32,
    /// First seed.
    pub first_seed: u64,
    /// Runs in the whole sweep.
    pub runs_total: usize,
    /// The shard this directory holds (`i/n`), or empty for the whole sweep.
    pub shard: String,
    /// Runs this directory holds.
    pub runs: usize,
    /// True once every run of the shard is in `runs.csv`.
    pub complete: bool,
}

impl SweepManifest {
    /// Reads `dir/sweep.toml`.
    pub fn read(dir: &Path) -> Result<SweepManifest, SweepError> {
        let path = dir.join("sweep.toml");
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            SweepError::new(&file, "", format!("cannot read ({e}); is {} a sweep directory?", dir.display()))
        })?;
        toml::from_str(&text).map_err(|e| SweepError::new(&file, "", e.message().to_string()))
    }

    /// Writes `dir/sweep.toml`.
    pub fn write(&self, dir: &Path) -> Result<(), SweepError> {
        let text = toml::to_string(self).expect("the manifest serialises");
        write_atomic(&dir.join("sweep.toml"), text.as_bytes())
    }
}

/// Joins the `runs.csv` of shard directories into the whole sweep's table: the shards must be
/// of one sweep (same `sweep_id` and shard count), complete, each present once, and their runs
/// must cover the sweep exactly. Returns the whole sweep's manifest and table, which are what
/// an unsharded sweep writes.
pub fn merge(dirs: &[&Path]) -> Result<(SweepManifest, RunsTable), SweepError> {
    let first_dir = dirs.first().ok_or_else(|| SweepError::new("", "", "no directory to merge"))?;
    let manifests: Vec<SweepManifest> =
        dirs.iter().map(|d| SweepManifest::read(d)).collect::<Result<_, _>>()?;
    let first = &manifests[0];
    let mut seen_shards = Vec::new();
    for (d, m) in dirs.iter().zip(&manifests) {
        let file = d.join("sweep.toml").display().to_string();
        if m.sweep_id != first.sweep_id {
            let message = format!(
                "is another sweep (sweep_id {}) than {} ({})",
                m.sweep_id,
                first_dir.display(),
                first.sweep_id
            );
            return Err(SweepError::new(&file, "sweep_id", message));
        }
        if !m.complete {
            return Err(SweepError::new(
                &file,
                "complete",
                "the shard is incomplete; finish it with powsim sweep --resume",
            ));
        }
        if seen_shards.contains(&m.shard) {
            return Err(SweepError::new(&file, "shard", format!("shard {} is given twice", m.shard)));
        }
        seen_shards.push(m.shard.clone());
    }
    let mut rows = Vec::new();
    let mut metrics: Option<Vec<String>> = None;
    for d in dirs {
        let t = RunsTable::read(&d.join("runs.csv"), &first.keys)?;
        if metrics.as_ref().is_some_and(|m| *m != t.metrics) {
            return Err(SweepError::new(
                &d.join("runs.csv").display().to_string(),
                "",
                "has other metric columns than the first shard",
            ));
        }
        metrics = Some(t.metrics);
        rows.extend(t.rows);
    }
    rows.sort_by_key(|r| r.run);
    let missing: Vec<usize> =
        (0..first.runs_total).filter(|&k| rows.binary_search_by_key(&k, |r| r.run).is_err()).collect();
    if let Some(dup) = rows.windows(2).find(|w| w[0].run == w[1].run) {
        return Err(SweepError::new("", "", format!("run {} appears in two shards", dup[0].run)));
    }
    if !missing.is_empty() || rows.len() != first.runs_total {
        let message = format!(
            "the shards hold {} of the sweep's {} runs; missing runs {:?}{}",
            rows.len(),
            first.runs_total,
            &missing[..missing.len().min(10)],
            if missing.len() > 10 { " ..." } else { "" }
        );
        return Err(SweepError::new("", "", message));
    }
    let manifest = SweepManifest { shard: String::new(), runs: rows.len(), ..first.clone() };
    Ok((manifest, RunsTable { keys: first.keys.clone(), metrics: metrics.unwrap_or_default(), rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_and_shards_cover_every_run_once() {
        let runs = plan(3, 2, 10);
        assert_eq!(runs.len(), 6);
        assert_eq!((runs[3].index, runs[3].point, runs[3].seed), (3, 1, 11));
        let shards: Vec<Shard> = (1..=4).map(|i| Shard { i, n: 4 }).collect();
        for r in &runs {
            assert_eq!(shards.iter().filter(|s| s.holds(r.index)).count(), 1);
        }
        assert_eq!(Shard::parse("2/8"), Ok(Shard { i: 2, n: 8 }));
        for bad in ["0/2", "3/2", "x", "1/", "/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Shard { i: 2, n: 8 }.to_string(), "2/8");
        assert_ne!(run_id("a", 1), run_id("a", 2));
        assert_eq!(run_id("a", 1).len(), 16);
    }
}
