//! The one-row summary of a run and the per-block facts behind it.

use crate::chain::BlockTree;
use crate::consensus::BlockId;
use crate::world::RunOutput;

/// Blocks this close to the final tip are left out of the stale rate: their
/// fate is not settled when the run stops.
pub const STALE_RATE_EXCLUDED_HEIGHTS: u32 = 6;

/// The summary row (`summary.csv`). Times are seconds; `None` is written as an
/// empty cell (for example a stale rate with no settled block).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Nodes in the network.
    pub nodes: u32,
    /// Blocks mined during the run.
    pub blocks_mined: u64,
    /// Mined blocks on the final main chain.
    pub blocks_main: u64,
    /// Mined blocks not on the final main chain.
    pub stale_blocks: u64,
    /// Stale share of mined blocks, leaving out the last 6 heights.
    pub stale_rate: Option<f64>,
    /// Mean interval between main-chain blocks (by discovery time).
    pub interval_mean_s: Option<f64>,
    /// Standard deviation over mean of those intervals (1 for a Poisson
    /// process at constant difficulty).
    pub interval_cv: Option<f64>,
    /// After the first hash-rate event: main-chain blocks until the mean of
    /// the last 144 intervals is within 10 % of the target again.
    pub recovery_blocks: Option<u64>,
    /// Chain splits between groups running different rules (`splits.csv`).
    pub chain_splits: u64,
    /// Deepest split: the most blocks the shorter branch of a split holds.
    pub max_split_depth: u32,
    /// Median over (main-chain block, node) pairs of the time from discovery to
    /// the node holding the block validated (the miner's node left out).
    pub prop_median_s: Option<f64>,
    /// Mean of the same.
    pub prop_mean_s: Option<f64>,
    /// 10th percentile of the same.
    pub prop_p10_s: Option<f64>,
    /// 90th percentile of the same.
    pub prop_p90_s: Option<f64>,
    /// Mean over main-chain blocks of the time until 50 % of nodes hold it.
    pub t50_mean_s: Option<f64>,
    /// Same for 90 %.
    pub t90_mean_s: Option<f64>,
    /// Same for 100 %.
    pub t100_mean_s: Option<f64>,
    /// Mean time until nodes with 50 % of the hash power hold it.
    pub hash_t50_mean_s: Option<f64>,
    /// Same for 90 %.
    pub hash_t90_mean_s: Option<f64>,
    /// Reorganisations over all nodes.
    pub reorgs: u64,
    /// Deepest reorganisation (blocks disconnected).
    pub max_reorg_depth: u32,
    /// Transactions created.
    pub tx_created: u64,
    /// Transactions confirmed on the final main chain.
    pub tx_confirmed: u64,
    /// Median time from creation to confirmation.
    pub conf_delay_median_s: Option<f64>,
    /// 90th percentile of the same.
    pub conf_delay_p90_s: Option<f64>,
    /// Fees collected by the main chain's blocks (BTC).
    pub fees_total_btc: f64,
    /// Fees as a share of the main chain's block rewards (subsidy + fees).
    pub fee_share_of_revenue: Option<f64>,
    /// Share of compact blocks reconstructed without a `getblocktxn` round trip.
    pub compact_reconstruct_rate: Option<f64>,
    /// Largest total size any mempool reached (million vbytes).
    pub mempool_peak_vmb: f64,
    /// Herfindahl-Hirschman index of main-chain blocks over miners (0 to 1).
    pub hhi: Option<f64>,
    /// Fewest miners holding more than half of the main-chain blocks.
    pub nakamoto_coefficient: Option<u32>,
    /// Largest miner's share of main-chain blocks.
    pub top_pool_share: Option<f64>,
    /// Share of other miners' blocks found during a strategic pool's tie
    /// that built on the pool's block (Eyal and Sirer's γ); empty without
    /// such a tie.
    pub gamma_measured: Option<f64>,
    /// Revenue share of the strategic (for example selfish) pools together;
    /// empty without one.
    pub selfish_revenue_share: Option<f64>,
    /// Mined blocks with no transaction but the coinbase (0 without
    /// `[transactions]`).
    pub empty_blocks: u64,
    /// Simulated time at the end of the run.
    pub sim_time_s: f64,
    /// Events processed.
    pub events: u64,
}

/// The columns of `summary.csv`.
pub fn summary_columns() -> &'static [&'static str] {
    <Summary as super::write::Row>::COLUMNS
}

/// The summary's columns with their cells, as `summary.csv` writes them.
pub fn summary_cells(s: &Summary) -> Vec<(&'static str, String)> {
    use super::write::Row;
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    w.serialize(s).expect("a summary serialises");
    let bytes = w.into_inner().expect("in-memory CSV");
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    let record = r.records().next().expect("one row").expect("valid CSV");
    Summary::COLUMNS.iter().copied().zip(record.iter().map(str::to_string)).collect()
}

/// For each block in the tree: is it on the chain ending at `tip`?
pub fn main_chain_flags(tree: &BlockTree, tip: BlockId) -> Vec<bool> {
    let mut main = vec![false; tree.len()];
    let mut cur = Some(tip);
    while let Some(b) = cur {
        main[b.index()] = true;
        cur = tree.get(b).parent;
    }
    main
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u64), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Computes the summary of a finished run.
pub fn summarize(scenario: &str, out: &RunOutput) -> Summary {
    let w = &out.world;
    let tx = match w.txs() {
        Some(txw) => {
            super::txs::tx_summary(out, &super::txs::Confirmations::new(w.tree(), txw, w.best_block()))
        }
        None => super::txs::TxSummary::default(),
    };
    summarize_with(scenario, out, tx, &super::pools::pool_rows(out), &super::splits::split_rows(out))
}

/// The summary with transaction figures and per-miner rows already computed.
pub(crate) fn summarize_with(
    scenario: &str,
    out: &RunOutput,
    tx: super::txs::TxSummary,
    pools: &[super::pools::PoolRow],
    splits: &[super::splits::SplitRow],
) -> Summary {
    let w = &out.world;
    let tree = w.tree();
    let best = w.best_block();
    let main = main_chain_flags(tree, best);
    let mined: Vec<BlockId> = tree.iter().skip(tree.history_len() as usize).map(|(id, _)| id).collect();
    let main_mined: Vec<BlockId> = mined.iter().copied().filter(|b| main[b.index()]).collect();
    let cutoff = tree.get(best).height.saturating_sub(STALE_RATE_EXCLUDED_HEIGHTS);
    let settled: Vec<BlockId> = mined.iter().copied().filter(|b| tree.get(*b).height <= cutoff).collect();
    let stale_settled = settled.iter().filter(|b| !main[b.index()]).count();
    let m = w.metrics();
    let t_mean = |pick: &dyn Fn(&crate::metrics::BlockStats) -> Option<crate::sim::SimTime>| {
        mean(main_mined.iter().filter_map(|&b| {
            let st = m.block(b)?;
            Some(pick(st)?.since(st.published).as_secs_f64())
        }))
    };
    let q = |p: f64| m.propagation().quantile(p).map(|ns| ns as f64 / 1e9);
    let start_found = tree.get(tree.start_tip()).found_at;
    let conc = super::pools::concentration(pools);
    let first_hash_event = w.timeline().events().iter().zip(w.timeline().records()).find_map(|(e, r)| {
        matches!(e.action, crate::scenario::EventAction::Hashrate { .. }).then_some(r.fired).flatten()
    });
    let recovery_blocks =
        first_hash_event.and_then(|(t, _)| super::events::recovery_blocks(tree, &main_mined, t));
    Summary {
        scenario: scenario.to_string(),
        seed: out.seed,
        nodes: w.nodes().len() as u32,
        blocks_mined: mined.len() as u64,
        blocks_main: main_mined.len() as u64,
        stale_blocks: (mined.len() - main_mined.len()) as u64,
        stale_rate: (!settled.is_empty()).then(|| stale_settled as f64 / settled.len() as f64),
        interval_mean_s: (!main_mined.is_empty())
            .then(|| tree.get(best).found_at.since(start_found).as_secs_f64() / main_mined.len() as f64),
        interval_cv: super::events::coefficient_of_variation(&super::events::intervals_s(tree, &main_mined)),
        recovery_blocks,
        chain_splits: splits.len() as u64,
        max_split_depth: splits.iter().map(|s| s.depth).max().unwrap_or(0),
        prop_median_s: q(0.5),
        prop_mean_s: m.propagation_mean_s(),
        prop_p10_s: q(0.1),
        prop_p90_s: q(0.9),
        t50_mean_s: t_mean(&|s| s.t_nodes[0]),
        t90_mean_s: t_mean(&|s| s.t_nodes[1]),
        t100_mean_s: t_mean(&|s| s.t_nodes[2]),
        hash_t50_mean_s: t_mean(&|s| s.t_hash[0]),
        hash_t90_mean_s: t_mean(&|s| s.t_hash[1]),
        reorgs: m.reorgs().len() as u64,
        max_reorg_depth: m.reorgs().iter().map(|r| r.depth).max().unwrap_or(0),
        tx_created: tx.tx_created,
        tx_confirmed: tx.tx_confirmed,
        conf_delay_median_s: tx.conf_delay_median_s,
        conf_delay_p90_s: tx.conf_delay_p90_s,
        fees_total_btc: tx.fees_total_btc,
        fee_share_of_revenue: tx.fee_share_of_revenue,
        compact_reconstruct_rate: m.compact_reconstruct_rate(),
        mempool_peak_vmb: tx.mempool_peak_vmb,
        hhi: conc.hhi,
        nakamoto_coefficient: conc.nakamoto_coefficient,
        top_pool_share: conc.top_pool_share,
        gamma_measured: w.contests().gamma(),
        selfish_revenue_share: pools
            .iter()
            .any(|p| p.strategic)
            .then(|| pools.iter().filter(|p| p.strategic).filter_map(|p| p.revenue_share).sum()),
        empty_blocks: pools.iter().map(|p| p.empty_blocks).sum(),
        sim_time_s: out.stats.end_time.as_secs_f64(),
        events: out.stats.events,
    }
}
