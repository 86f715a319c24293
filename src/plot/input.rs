//! Reading a result directory back: the manifest and the CSV files the
//! plots need, each into rows that hold only the columns used. Every error
//! names the file (and, for a malformed row, the line).

use super::PlotError;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// What the manifest says about the run, for titles and the index page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunInfo {
    /// Scenario name.
    pub scenario: String,
    /// The run's seed.
    pub seed: u64,
    /// powsim version that wrote the run.
    pub powsim_version: String,
    /// Why the run stopped.
    pub stop_reason: String,
    /// False when the event budget cut the run short.
    pub complete: bool,
    /// Simulated time at the end of the run (s).
    pub sim_time_s: f64,
}

/// Everything read from a result directory.
#[derive(Clone, Debug, Default)]
pub struct RunData {
    /// From `manifest.toml`.
    pub info: RunInfo,
    /// `summary.csv`: header and the one row, as text.
    pub summary: Vec<(String, String)>,
    /// `blocks.csv`.
    pub blocks: Vec<BlockRow>,
    /// Propagation of main-chain blocks: `propagation.csv`, or for results
    /// written before it existed, the 50/90/100 % columns of `blocks.csv`.
    pub propagation: Reach,
    /// `difficulty.csv`.
    pub difficulty: Vec<DifficultyRow>,
    /// `reorgs.csv`.
    pub reorgs: Vec<ReorgRow>,
    /// `pools.csv`.
    pub pools: Vec<PoolRow>,
    /// `events.csv`, when the scenario had a timeline.
    pub events: Option<Vec<EventRow>>,
    /// `mempool.csv`, when the run had transactions.
    pub mempool: Option<Vec<MempoolRow>>,
    /// `conf_by_feerate.csv`, when the run had transactions.
    pub bands: Option<Vec<BandRow>>,
}

/// The columns of `blocks.csv` the plots use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BlockRow {
    /// Block id.
    pub id: u32,
    /// Height.
    pub height: u32,
    /// When it was found (s).
    pub found_s: f64,
    /// 1 on the final best chain.
    pub main_chain: u8,
    /// When half the nodes held it, after publication (s).
    pub t50_s: Option<f64>,
    /// When 90 % of the nodes held it (s).
    pub t90_s: Option<f64>,
    /// When every node held it (s).
    pub t100_s: Option<f64>,
    /// Fee rate percentiles of its transactions (sat/vB).
    pub feerate_p10_sat_vb: Option<f64>,
    /// Median fee rate.
    pub feerate_p50_sat_vb: Option<f64>,
    /// 90th percentile fee rate.
    pub feerate_p90_sat_vb: Option<f64>,
}

/// The columns of `difficulty.csv` the plots use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct DifficultyRow {
    /// Height.
    pub height: u32,
    /// When it was found (s).
    pub found_s: f64,
    /// Difficulty of its nBits.
    pub difficulty: f64,
    /// Header-time interval to its parent (empty for the start tip).
    pub interval_s: Option<i64>,
    /// Mean wait at its difficulty and the hash rate of the moment.
    pub expected_interval_s: Option<f64>,
}

/// The columns of `reorgs.csv` the plots use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ReorgRow {
    /// When the node reorganised (s).
    pub time_s: f64,
    /// Blocks disconnected.
    pub depth: u32,
    /// The tip it moved to.
    pub new_tip: u32,
}

/// The columns of `pools.csv` the plots use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct PoolRow {
    /// Miner name.
    pub pool: String,
    /// Mining strategy.
    pub strategy: String,
    /// Share of the hash rate.
    pub hash_share: f64,
    /// Share of the main chain's revenue.
    pub revenue_share: Option<f64>,
}

/// The columns of `events.csv` the plots use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct EventRow {
    /// Event number.
    pub event: u32,
    /// Kind (hashrate, partition, ...).
    pub kind: String,
    /// When it fired (s).
    pub fired_s: Option<f64>,
    /// When its effect ended (s).
    pub ended_s: Option<f64>,
    /// What it did.
    pub detail: String,
}

/// The columns of `mempool.csv` the plots use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct MempoolRow {
    /// Sample time (s).
    pub time_s: f64,
    /// Virtual size of the mempool (vB).
    pub vsize: u64,
    /// Rolling minimum fee rate to enter the mempool (sat/vB).
    pub min_feerate_sat_vb: f64,
    /// Lowest fee rate in the next-block template (sat/vB).
    pub next_block_min_feerate_sat_vb: Option<f64>,
}

/// The columns of `conf_by_feerate.csv` the plots use.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BandRow {
    /// Lower edge of the band (sat/vB).
    pub feerate_from_sat_vb: f64,
    /// Upper edge (empty for the last band).
    pub feerate_to_sat_vb: Option<f64>,
    /// Transactions created in the band.
    pub created: u64,
    /// Of those, confirmed.
    pub confirmed: u64,
    /// Median confirmation delay (s).
    pub delay_median_s: Option<f64>,
    /// 90th percentile confirmation delay (s).
    pub delay_p90_s: Option<f64>,
}

/// Per block, when each level of reach was attained (seconds after
/// publication; `None` if never): from `propagation.csv`, or the 50/90/100 %
/// columns of `blocks.csv` for older results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reach {
    /// Fractions of nodes, increasing.
    pub levels: Vec<f64>,
    /// Main-chain blocks: times to reach each level of nodes.
    pub nodes: Vec<Vec<Option<f64>>>,
    /// Main-chain blocks: times to reach each level of hash power (empty
    /// when not recorded).
    pub hash: Vec<Vec<Option<f64>>>,
}

/// Reads every input of the plots from `dir`.
pub fn read_dir(dir: &Path) -> Result<RunData, PlotError> {
    let manifest = dir.join(crate::report::MANIFEST);
    if !manifest.is_file() {
        return Err(PlotError::NotAResult(dir.to_path_buf()));
    }
    let info = read_manifest(&manifest)?;
    let blocks: Vec<BlockRow> = read_csv(&dir.join("blocks.csv"))?;
    let propagation = match optional(dir, "propagation.csv") {
        Some(p) => read_reach(&p)?,
        None => reach_from_blocks(&blocks),
    };
    Ok(RunData {
        info,
        summary: read_summary(&dir.join("summary.csv"))?,
        propagation,
        difficulty: read_csv(&dir.join("difficulty.csv"))?,
        reorgs: read_csv(&dir.join("reorgs.csv"))?,
        pools: read_csv(&dir.join("pools.csv"))?,
        events: optional(dir, "events.csv").map(|p| read_csv(&p)).transpose()?,
        mempool: optional(dir, "mempool.csv").map(|p| read_csv(&p)).transpose()?,
        bands: optional(dir, "conf_by_feerate.csv").map(|p| read_csv(&p)).transpose()?,
        blocks,
    })
}

fn optional(dir: &Path, name: &str) -> Option<PathBuf> {
    Some(dir.join(name)).filter(|p| p.is_file())
}

fn bad(path: &Path, message: impl Into<String>) -> PlotError {
    PlotError::Input { path: path.to_path_buf(), message: message.into() }
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>, PlotError> {
    if !path.is_file() {
        return Err(bad(path, "missing (every powsim result has it)"));
    }
    csv::Reader::from_path(path).map_err(|e| bad(path, e.to_string()))
}

/// Reads a whole CSV file into rows, by column name.
pub fn read_csv<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, PlotError> {
    let mut r = open(path)?;
    let header = r.headers().map_err(|e| bad(path, e.to_string()))?.clone();
    r.deserialize().collect::<Result<_, _>>().map_err(|e| bad(path, describe(&e, &header)))
}

/// A CSV error as "line N, column `name`: what".
fn describe(e: &csv::Error, header: &csv::StringRecord) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { pos, err } => {
            let line = pos.as_ref().map_or(String::new(), |p| format!("line {}, ", p.line()));
            match err.field().and_then(|f| header.get(f as usize)) {
                Some(name) => format!("{line}column `{name}`: {}", err.kind()),
                None => format!("{line}{}", err.kind()),
            }
        }
        _ => e.to_string(),
    }
}

fn read_manifest(path: &Path) -> Result<RunInfo, PlotError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| PlotError::Io { path: path.to_path_buf(), source })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| bad(path, e.to_string()))?;
    let text_of = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let scenario =
        text_of("scenario").ok_or_else(|| bad(path, "no `scenario` key: not a powsim manifest"))?;
    let seed = table
        .get("seed")
        .and_then(|v| v.as_integer())
        .ok_or_else(|| bad(path, "no integer `seed` key: not a powsim manifest"))?;
    Ok(RunInfo {
        scenario,
        // TOML integers are signed; seeds above i64::MAX come back negative.
        seed: seed as u64,
        powsim_version: text_of("powsim_version").unwrap_or_default(),
        stop_reason: text_of("stop_reason").unwrap_or_default(),
        complete: table.get("complete").and_then(|v| v.as_bool()).unwrap_or(true),
        sim_time_s: table.get("sim_time_s").and_then(|v| v.as_float()).unwrap_or(0.0),
    })
}

/// `summary.csv` as (column, value) pairs.
fn read_summary(path: &Path) -> Result<Vec<(String, String)>, PlotError> {
    let mut r = open(path)?;
    let header = r.headers().map_err(|e| bad(path, e.to_string()))?.clone();
    let row =
        r.records().next().ok_or_else(|| bad(path, "no data row"))?.map_err(|e| bad(path, e.to_string()))?;
    Ok(header.iter().zip(row.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
}

/// `propagation.csv`: main-chain blocks' times to each tenth of the nodes
/// and of the hash power.
fn read_reach(path: &Path) -> Result<Reach, PlotError> {
    let mut r = open(path)?;
    let header = r.headers().map_err(|e| bad(path, e.to_string()))?.clone();
    let column = |name: String| {
        header.iter().position(|h| h == name).ok_or_else(|| bad(path, format!("no column `{name}`")))
    };
    let main = column("main_chain".into())?;
    let nodes: Vec<usize> =
        (1..=10).map(|k| column(format!("nodes_{}_s", k * 10))).collect::<Result<_, _>>()?;
    let hash: Vec<usize> =
        (1..=10).map(|k| column(format!("hash_{}_s", k * 10))).collect::<Result<_, _>>()?;
    let mut reach = Reach { levels: (1..=10).map(|k| k as f64 / 10.0).collect(), ..Reach::default() };
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(path, e.to_string()))?;
        let line = i + 2;
        let field = |c: usize| -> Result<Option<f64>, PlotError> {
            match rec.get(c).unwrap_or("") {
                "" => Ok(None),
                s => {
                    s.parse().map(Some).map_err(|_| bad(path, format!("line {line}: `{s}` is not a number")))
                }
            }
        };
        if field(main)? != Some(1.0) {
            continue;
        }
        reach.nodes.push(nodes.iter().map(|&c| field(c)).collect::<Result<_, _>>()?);
        reach.hash.push(hash.iter().map(|&c| field(c)).collect::<Result<_, _>>()?);
    }
    Ok(reach)
}

/// For results without `propagation.csv`: the 50/90/100 % columns of
/// `blocks.csv`.
fn reach_from_blocks(blocks: &[BlockRow]) -> Reach {
    Reach {
        levels: vec![0.5, 0.9, 1.0],
        nodes: blocks
            .iter()
            .filter(|b| b.main_chain == 1)
            .map(|b| vec![b.t50_s, b.t90_s, b.t100_s])
            .collect(),
        hash: Vec::new(),
    }
}
