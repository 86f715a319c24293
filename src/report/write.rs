//! Writing a run's files: into a temporary sibling directory first, renamed
//! into place when every file is complete.

use super::pools::{PoolRow, pool_rows};
use super::splits::split_rows;
use super::summary::{Summary, main_chain_flags, summarize_with};
use super::txs::{
    BandRow, Confirmations, TxSummary, band_rows, block_fees, mempool_rows, tx_rows, tx_summary,
};
use crate::chain::Origin;
use crate::consensus::difficulty;
use crate::scenario::Config;
use crate::sim::SimTime;
use crate::world::RunOutput;
use serde::Serialize;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// File that marks a directory as a powsim result.
pub const MANIFEST: &str = "manifest.toml";

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or directory operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The output directory exists and is not a powsim result.
    #[error("{0}: exists and is not a powsim result directory (no {MANIFEST}); refusing to overwrite it")]
    NotAResult(PathBuf),
    /// The finishing step given to [`write_run_with`] (plots) failed.
    #[error("{0}")]
    Finish(Box<dyn std::error::Error + Send + Sync>),
    /// Serialising a row failed.
    #[error("{path}: {message}")]
    Format {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ReportError + '_ {
    move |source| ReportError::Io { path: path.to_path_buf(), source }
}

/// What the manifest records about where a run came from.
#[derive(Clone, Debug)]
pub struct RunMeta {
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// `--set` overrides applied.
    pub overrides: Vec<String>,
    /// The resolved scenario as TOML.
    pub resolved_toml: String,
    /// Write graph.csv and nodes.csv.
    pub write_graph: bool,
}

/// The `powsim run` command that repeats a run of `scenario_file` with `overrides` and `seed`,
/// followed by `extra` arguments, quoted for a POSIX shell.
pub fn run_command(scenario_file: &str, overrides: &[String], seed: u64, extra: &[&str]) -> String {
    let mut words = vec!["powsim".to_string(), "run".to_string(), shell_quote(scenario_file)];
    words.push(format!("--seed {seed}"));
    for o in overrides {
        words.push(format!("--set {}", shell_quote(o)));
    }
    words.extend(extra.iter().map(|e| shell_quote(e)));
    words.join(" ")
}

/// The message for a run stopped by a broken invariant: the seed, the event, what was wrong,
/// and the command that reproduces it.
pub fn violation_report(
    scenario_file: &str,
    overrides: &[String],
    seed: u64,
    v: &crate::sim::Violation,
) -> String {
    let command = run_command(scenario_file, overrides, seed, &["--check-invariants"]);
    format!("invariant broken in seed {seed} {v}\nreproduce with: {command}")
}

/// `word` as one word for a POSIX shell: as it is when it holds only characters no shell
/// treats specially, otherwise in single quotes.
fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// What [`write_run`] hands back for the terminal.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// The summary row.
    pub summary: Summary,
    /// Confirmation delay by fee-rate band (empty without transactions).
    pub bands: Vec<BandRow>,
    /// One row per miner.
    pub pools: Vec<PoolRow>,
}

/// What [`write_run_with`] calls on the temporary directory once every
/// file is in it, before it is renamed into place.
pub type Finish<'a> = &'a dyn Fn(&Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Writes every output file of a run into `dir` and returns its summary,
/// fee-rate bands and miner rows.
pub fn write_run(
    dir: &Path,
    config: &Config,
    meta: &RunMeta,
    out: &RunOutput,
) -> Result<Written, ReportError> {
    write_run_with(dir, config, meta, out, &|_| Ok(()))
}

/// [`write_run`], calling `finish` on the temporary directory when the CSV
/// files and the manifest are complete (the binary draws the plots there),
/// so a result directory never appears without what `finish` adds.
pub fn write_run_with(
    dir: &Path,
    config: &Config,
    meta: &RunMeta,
    out: &RunOutput,
    finish: Finish<'_>,
) -> Result<Written, ReportError> {
    if dir.exists()
        && !dir.join(MANIFEST).exists()
        && fs::read_dir(dir).map_err(io_err(dir))?.next().is_some()
    {
        return Err(ReportError::NotAResult(dir.to_path_buf()));
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_err(parent))?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
    let tmp = parent.join(format!(".{name}.partial"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
    }
    fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
    // Where each transaction was confirmed is looked up once for every file.
    let w = &out.world;
    let conf = w.txs().map(|txw| Confirmations::new(w.tree(), txw, w.best_block()));
    let tx = conf.as_ref().map_or_else(TxSummary::default, |c| tx_summary(out, c));
    let pools = pool_rows(out);
    let splits = split_rows(out);
    let summary = summarize_with(&config.name, out, tx, &pools, &splits);
    write_csv(&tmp.join("summary.csv"), std::iter::once(&summary))?;
    write_csv(&tmp.join("pools.csv"), pools.iter())?;
    write_csv(&tmp.join("blocks.csv"), block_rows(out).iter())?;
    write_csv(&tmp.join("propagation.csv"), propagation_rows(out).iter())?;
    write_csv(&tmp.join("reorgs.csv"), reorg_rows(out).iter())?;
    write_csv(&tmp.join("difficulty.csv"), difficulty_rows(out).iter())?;
    if !config.events.is_empty() {
        write_csv(&tmp.join("events.csv"), super::events::event_rows(out).iter())?;
    }
    if !config.node_groups.is_empty() {
        write_csv(&tmp.join("splits.csv"), splits.iter())?;
    }
    let mut bands = Vec::new();
    if let (Some(tc), Some(conf)) = (&config.transactions, &conf) {
        bands = write_tx_files(&tmp, out, conf, tc.max_tx_rows)?;
    }
    if meta.write_graph {
        write_graph(&tmp, out)?;
    }
    write_manifest(&tmp.join(MANIFEST), config, meta, out)?;
    finish(&tmp).map_err(ReportError::Finish)?;
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::rename(&tmp, dir).map_err(io_err(dir))?;
    Ok(Written { summary, bands, pools })
}

/// A CSV row type with its column names, so an empty table still gets its
/// header line (serde only emits headers along with the first row).
pub(crate) trait Row: Serialize {
    const COLUMNS: &'static [&'static str];
}

impl Row for Summary {
    const COLUMNS: &'static [&'static str] = &[
        "scenario",
        "seed",
        "nodes",
        "blocks_mined",
        "blocks_main",
        "stale_blocks",
        "stale_rate",
        "interval_mean_s",
        "interval_cv",
        "recovery_blocks",
        "chain_splits",
        "max_split_depth",
        "prop_median_s",
        "prop_mean_s",
        "prop_p10_s",
        "prop_p90_s",
        "t50_mean_s",
        "t90_mean_s",
        "t100_mean_s",
        "hash_t50_mean_s",
        "hash_t90_mean_s",
        "reorgs",
        "max_reorg_depth",
        "tx_created",
        "tx_confirmed",
        "conf_delay_median_s",
        "conf_delay_p90_s",
        "fees_total_btc",
        "fee_share_of_revenue",
        "compact_reconstruct_rate",
        "mempool_peak_vmb",
        "hhi",
        "nakamoto_coefficient",
        "top_pool_share",
        "gamma_measured",
        "selfish_revenue_share",
        "empty_blocks",
        "sim_time_s",
        "events",
    ];
}

/// `txs.csv`, `mempool.csv`, `conf_by_feerate.csv` and `compact.csv`;
/// returns the fee-rate bands.
fn write_tx_files(
    dir: &Path,
    out: &RunOutput,
    conf: &Confirmations,
    max_tx_rows: u64,
) -> Result<Vec<BandRow>, ReportError> {
    let w = &out.world;
    let bands = band_rows(out, conf);
    write_csv(&dir.join("txs.csv"), tx_rows(out, conf, max_tx_rows).iter())?;
    write_csv(&dir.join("mempool.csv"), mempool_rows(out).iter())?;
    write_csv(&dir.join("conf_by_feerate.csv"), bands.iter())?;
    let compact = w.metrics().compact().iter().enumerate().map(|(n, c)| CompactRow {
        node: n as u32,
        attempts: c.attempts,
        complete: c.complete,
        fetched_txs: c.fetched_txs,
    });
    write_csv(&dir.join("compact.csv"), compact.collect::<Vec<_>>().iter())?;
    Ok(bands)
}

/// One row of `compact.csv`: a node's compact-block reconstructions.
#[derive(Serialize)]
struct CompactRow {
    node: u32,
    attempts: u32,
    complete: u32,
    fetched_txs: u64,
}

impl Row for CompactRow {
    const COLUMNS: &'static [&'static str] = &["node", "attempts", "complete", "fetched_txs"];
}

fn write_csv<'a, T: Row + 'a>(path: &Path, rows: impl Iterator<Item = &'a T>) -> Result<(), ReportError> {
    let fmt_err = |e: csv::Error| ReportError::Format { path: path.to_path_buf(), message: e.to_string() };
    let file = fs::File::create(path).map_err(io_err(path))?;
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(io::BufWriter::new(file));
    w.write_record(T::COLUMNS).map_err(fmt_err)?;
    for row in rows {
        w.serialize(row).map_err(fmt_err)?;
    }
    w.flush().map_err(io_err(path))
}

fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

/// One row of `blocks.csv`.
#[derive(Serialize)]
struct BlockRow {
    id: u32,
    hash: String,
    height: u32,
    parent: u32,
    pool: String,
    found_s: f64,
    published_s: f64,
    header_time: u32,
    size_bytes: u64,
    weight: u64,
    tx_count: u32,
    fees_sat: u64,
    feerate_p10_sat_vb: Option<f64>,
    feerate_p50_sat_vb: Option<f64>,
    feerate_p90_sat_vb: Option<f64>,
    empty: u8,
    nbits: String,
    difficulty: f64,
    main_chain: u8,
    nodes_reached: u32,
    t50_s: Option<f64>,
    t90_s: Option<f64>,
    t100_s: Option<f64>,
}

impl Row for BlockRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "hash",
        "height",
        "parent",
        "pool",
        "found_s",
        "published_s",
        "header_time",
        "size_bytes",
        "weight",
        "tx_count",
        "fees_sat",
        "feerate_p10_sat_vb",
        "feerate_p50_sat_vb",
        "feerate_p90_sat_vb",
        "empty",
        "nbits",
        "difficulty",
        "main_chain",
        "nodes_reached",
        "t50_s",
        "t90_s",
        "t100_s",
    ];
}

fn block_rows(out: &RunOutput) -> Vec<BlockRow> {
    let w = &out.world;
    let tree = w.tree();
    let main = main_chain_flags(tree, w.best_block());
    tree.iter()
        .skip(tree.history_len() as usize)
        .map(|(id, rec)| {
            let st = w.metrics().block(id).expect("mined blocks have stats");
            let after = |t: Option<SimTime>| t.map(|t| t.since(st.published).as_secs_f64());
            let pool = match rec.origin {
                Origin::Mined(p) => w.hash_power().miners()[p as usize].name.clone(),
                Origin::History => String::new(),
            };
            let fees = block_fees(w.txs(), id);
            BlockRow {
                id: id.0,
                hash: rec.hash.to_string(),
                height: rec.height,
                parent: rec.parent.map_or(u32::MAX, |p| p.0),
                pool,
                found_s: secs(rec.found_at),
                published_s: secs(st.published),
                header_time: rec.header.time,
                size_bytes: rec.size_bytes,
                weight: rec.weight,
                tx_count: rec.tx_count,
                fees_sat: rec.fees_sat,
                feerate_p10_sat_vb: fees.feerate_p[0],
                feerate_p50_sat_vb: fees.feerate_p[1],
                feerate_p90_sat_vb: fees.feerate_p[2],
                empty: u8::from(fees.empty && w.txs().is_some()),
                nbits: format!("{:08x}", rec.header.bits),
                difficulty: difficulty(rec.header.bits),
                main_chain: u8::from(main[id.index()]),
                nodes_reached: st.nodes_reached,
                t50_s: after(st.t_nodes[0]),
                t90_s: after(st.t_nodes[1]),
                t100_s: after(st.t_nodes[2]),
            }
        })
        .collect()
}

/// One row of `propagation.csv`: when each tenth of the nodes and of the
/// hash power held a block, in seconds after it was published (empty if
/// never).
#[derive(Serialize)]
struct PropagationRow {
    id: u32,
    main_chain: u8,
    nodes_10_s: Option<f64>,
    nodes_20_s: Option<f64>,
    nodes_30_s: Option<f64>,
    nodes_40_s: Option<f64>,
    nodes_50_s: Option<f64>,
    nodes_60_s: Option<f64>,
    nodes_70_s: Option<f64>,
    nodes_80_s: Option<f64>,
    nodes_90_s: Option<f64>,
    nodes_100_s: Option<f64>,
    hash_10_s: Option<f64>,
    hash_20_s: Option<f64>,
    hash_30_s: Option<f64>,
    hash_40_s: Option<f64>,
    hash_50_s: Option<f64>,
    hash_60_s: Option<f64>,
    hash_70_s: Option<f64>,
    hash_80_s: Option<f64>,
    hash_90_s: Option<f64>,
    hash_100_s: Option<f64>,
}

impl Row for PropagationRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "main_chain",
        "nodes_10_s",
        "nodes_20_s",
        "nodes_30_s",
        "nodes_40_s",
        "nodes_50_s",
        "nodes_60_s",
        "nodes_70_s",
        "nodes_80_s",
        "nodes_90_s",
        "nodes_100_s",
        "hash_10_s",
        "hash_20_s",
        "hash_30_s",
        "hash_40_s",
        "hash_50_s",
        "hash_60_s",
        "hash_70_s",
        "hash_80_s",
        "hash_90_s",
        "hash_100_s",
    ];
}

fn propagation_rows(out: &RunOutput) -> Vec<PropagationRow> {
    let w = &out.world;
    let tree = w.tree();
    let main = main_chain_flags(tree, w.best_block());
    tree.iter()
        .skip(tree.history_len() as usize)
        .map(|(id, _)| {
            let st = w.metrics().block(id).expect("mined blocks have stats");
            // A withheld block's miner may hold it before it is published.
            let after = |t: Option<SimTime>| t.map(|t| t.max(st.published).since(st.published).as_secs_f64());
            let [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10] = st.node_deciles.map(after);
            let [h1, h2, h3, h4, h5, h6, h7, h8, h9, h10] = st.hash_deciles.map(after);
            PropagationRow {
                id: id.0,
                main_chain: u8::from(main[id.index()]),
                nodes_10_s: n1,
                nodes_20_s: n2,
                nodes_30_s: n3,
                nodes_40_s: n4,
                nodes_50_s: n5,
                nodes_60_s: n6,
                nodes_70_s: n7,
                nodes_80_s: n8,
                nodes_90_s: n9,
                nodes_100_s: n10,
                hash_10_s: h1,
                hash_20_s: h2,
                hash_30_s: h3,
                hash_40_s: h4,
                hash_50_s: h5,
                hash_60_s: h6,
                hash_70_s: h7,
                hash_80_s: h8,
                hash_90_s: h9,
                hash_100_s: h10,
            }
        })
        .collect()
}

/// One row of `reorgs.csv`.
#[derive(Serialize)]
struct ReorgRow {
    time_s: f64,
    node: u32,
    depth: u32,
    connected: u32,
    fork_height: u32,
    old_tip: u32,
    new_tip: u32,
}

impl Row for ReorgRow {
    const COLUMNS: &'static [&'static str] =
        &["time_s", "node", "depth", "connected", "fork_height", "old_tip", "new_tip"];
}

fn reorg_rows(out: &RunOutput) -> Vec<ReorgRow> {
    let tree = out.world.tree();
    out.world
        .metrics()
        .reorgs()
        .iter()
        .map(|r| ReorgRow {
            time_s: secs(r.time),
            node: r.node.0,
            depth: r.depth,
            connected: r.connected,
            fork_height: tree.get(r.fork).height,
            old_tip: r.old_tip.0,
            new_tip: r.new_tip.0,
        })
        .collect()
}

/// One row of `difficulty.csv`: a main-chain block from the start tip on.
#[derive(Serialize)]
struct DifficultyRow {
    height: u32,
    header_time: u32,
    found_s: f64,
    nbits: String,
    difficulty: f64,
    interval_s: Option<i64>,
    expected_interval_s: Option<f64>,
}

impl Row for DifficultyRow {
    const COLUMNS: &'static [&'static str] =
        &["height", "header_time", "found_s", "nbits", "difficulty", "interval_s", "expected_interval_s"];
}

fn difficulty_rows(out: &RunOutput) -> Vec<DifficultyRow> {
    let tree = out.world.tree();
    let start = tree.start_tip();
    let chain = super::events::main_chain(tree, out.world.best_block());
    std::iter::once(&start)
        .chain(&chain)
        .map(|&b| {
            let rec = tree.get(b);
            let interval = rec
                .parent
                .filter(|_| b != start)
                .map(|p| i64::from(rec.header.time) - i64::from(tree.get(p).header.time));
            DifficultyRow {
                height: rec.height,
                header_time: rec.header.time,
                found_s: secs(rec.found_at),
                nbits: format!("{:08x}", rec.header.bits),
                difficulty: difficulty(rec.header.bits),
                interval_s: interval,
                // The mean wait for this block at its difficulty and the hash
                // rate of the moment: what the algorithm aimed at.
                expected_interval_s: out
                    .world
                    .metrics()
                    .block(b)
                    .filter(|st| st.hashrate_hs > 0.0)
                    .map(|st| 1.0 / crate::mining::block_rate(st.hashrate_hs, rec.header.bits)),
            }
        })
        .collect()
}

/// One row of `nodes.csv`.
#[derive(Serialize)]
struct NodeRow {
    node: u32,
    region: &'static str,
    upload_bps: f64,
    download_bps: f64,
    degree: usize,
    hash_share: f64,
    miners: String,
}

impl Row for NodeRow {
    const COLUMNS: &'static [&'static str] =
        &["node", "region", "upload_bps", "download_bps", "degree", "hash_share", "miners"];
}

fn write_graph(dir: &Path, out: &RunOutput) -> Result<(), ReportError> {
    let w = &out.world;
    let path = dir.join("graph.csv");
    let file = fs::File::create(&path).map_err(io_err(&path))?;
    let mut buf = io::BufWriter::new(file);
    w.topology().write_edge_list(&mut buf).map_err(io_err(&path))?;
    buf.flush().map_err(io_err(&path))?;
    let net = w.node_net();
    let mut shares = vec![(0.0, Vec::new()); net.region.len()];
    for m in w.hash_power().miners() {
        shares[m.node.index()].0 += m.share;
        shares[m.node.index()].1.push(m.name.clone());
    }
    let rows: Vec<NodeRow> = (0..net.region.len())
        .map(|i| NodeRow {
            node: i as u32,
            region: net.region[i].name(),
            upload_bps: net.upload_bps[i],
            download_bps: net.download_bps[i],
            degree: w.topology().degree(crate::net::NodeId(i as u32)),
            hash_share: shares[i].0,
            miners: shares[i].1.join(" "),
        })
        .collect();
    write_csv(&dir.join("nodes.csv"), rows.iter())
}

/// The manifest's fixed part.
#[derive(Serialize)]
struct Manifest<'a> {
    powsim_version: &'static str,
    scenario: &'a str,
    scenario_file: &'a str,
    scenario_sha256: &'a str,
    overrides: &'a [String],
    seed: u64,
    events: u64,
    stop_reason: &'static str,
    drain_cut_short: bool,
    sim_time_s: f64,
    complete: bool,
}

fn write_manifest(path: &Path, config: &Config, meta: &RunMeta, out: &RunOutput) -> Result<(), ReportError> {
    let fmt_err = |m: String| ReportError::Format { path: path.to_path_buf(), message: m };
    let reason = match out.stats.reason {
        crate::sim::StopReason::Finished => "finished",
        crate::sim::StopReason::QueueEmpty => "queue-empty",
        crate::sim::StopReason::EventBudget => "event-budget",
        crate::sim::StopReason::TimeLimit => "time-limit",
        crate::sim::StopReason::Interrupted => "interrupted",
        crate::sim::StopReason::InvariantViolated => "invariant-violated",
    };
    let m = Manifest {
        powsim_version: env!("CARGO_PKG_VERSION"),
        scenario: &config.name,
        scenario_file: &meta.scenario_file,
        scenario_sha256: &meta.scenario_sha256,
        overrides: &meta.overrides,
        seed: out.seed,
        events: out.stats.events,
        stop_reason: reason,
        drain_cut_short: out.world.drain_cut_short(),
        sim_time_s: out.stats.end_time.as_secs_f64(),
        complete: !matches!(
            out.stats.reason,
            crate::sim::StopReason::EventBudget
                | crate::sim::StopReason::Interrupted
                | crate::sim::StopReason::InvariantViolated
        ),
    };
    let mut text = toml::to_string(&m).map_err(|e| fmt_err(e.to_string()))?;
    let resolved: toml::Table = toml::from_str(&meta.resolved_toml).map_err(|e| fmt_err(e.to_string()))?;
    let mut wrapper = toml::Table::new();
    wrapper.insert("resolved".into(), toml::Value::Table(resolved));
    text.push('\n');
    text.push_str(&toml::to_string(&wrapper).map_err(|e| fmt_err(e.to_string()))?);
    fs::write(path, text).map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The declared columns must be exactly the serialized field names.
    fn columns_match<T: Row>(sample: T) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&sample).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let header = text.lines().next().unwrap();
        assert_eq!(header, T::COLUMNS.join(","));
    }

    #[test]
    fn declared_columns_match_fields() {
        columns_match(ReorgRow {
            time_s: 0.0,
            node: 0,
            depth: 0,
            connected: 0,
            fork_height: 0,
            old_tip: 0,
            new_tip: 0,
        });
        columns_match(DifficultyRow {
            height: 0,
            header_time: 0,
            found_s: 0.0,
            nbits: String::new(),
            difficulty: 0.0,
            interval_s: None,
            expected_interval_s: None,
        });
        columns_match(super::super::events::EventRow {
            event: 0,
            kind: "hashrate",
            at_s: None,
            at_height: None,
            fired_s: None,
            fired_height: None,
            ended_s: None,
            detail: String::new(),
            interval_before_s: None,
            interval_after_s: None,
            recovery_blocks: None,
            blocks_orphaned: None,
            heal_reorg_depth: None,
        });
        columns_match(super::super::splits::SplitRow {
            split: 0,
            height: 0,
            fork_hash: String::new(),
            found_s: 0.0,
            accepting: String::new(),
            rejecting: String::new(),
            new_length: 0,
            old_length: 0,
            new_nodes: 0,
            old_nodes: 0,
            new_hash_share: 0.0,
            old_hash_share: 0.0,
            healed: false,
            depth: 0,
        });
        columns_match(CompactRow { node: 0, attempts: 0, complete: 0, fetched_txs: 0 });
        columns_match(PropagationRow {
            id: 0,
            main_chain: 0,
            nodes_10_s: None,
            nodes_20_s: None,
            nodes_30_s: None,
            nodes_40_s: None,
            nodes_50_s: None,
            nodes_60_s: None,
            nodes_70_s: None,
            nodes_80_s: None,
            nodes_90_s: None,
            nodes_100_s: None,
            hash_10_s: None,
            hash_20_s: None,
            hash_30_s: None,
            hash_40_s: None,
            hash_50_s: None,
            hash_60_s: None,
            hash_70_s: None,
            hash_80_s: None,
            hash_90_s: None,
            hash_100_s: None,
        });
        columns_match(crate::report::txs::tests_support::tx_row());
        columns_match(crate::report::txs::tests_support::mempool_row());
        columns_match(crate::report::txs::tests_support::band_row());
        columns_match(NodeRow {
            node: 0,
            region: "NA",
            upload_bps: 0.0,
            download_bps: 0.0,
            degree: 0,
            hash_share: 0.0,
            miners: String::new(),
        });
        columns_match(BlockRow {
            id: 0,
            hash: String::new(),
            height: 0,
            parent: 0,
            pool: String::new(),
            found_s: 0.0,
            published_s: 0.0,
            header_time: 0,
            size_bytes: 0,
            weight: 0,
            tx_count: 0,
            fees_sat: 0,
            feerate_p10_sat_vb: None,
            feerate_p50_sat_vb: None,
            feerate_p90_sat_vb: None,
            empty: 0,
            nbits: String::new(),
            difficulty: 0.0,
            main_chain: 0,
            nodes_reached: 0,
            t50_s: None,
            t90_s: None,
            t100_s: None,
        });
    }
}
