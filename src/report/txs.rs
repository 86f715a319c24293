//! Transaction outcomes of a finished run: which transactions the final main
//! chain confirmed and after how long, fee statistics per block, the mempool
//! time series and confirmation delay by fee-rate band.

use serde::Serialize;

use super::summary::main_chain_flags;
use super::write::Row;
use crate::chain::BlockTree;
use crate::consensus::BlockId;
use crate::mempool::TxId;
use crate::sim::splitmix64;
use crate::world::{RunOutput, TxWorld, fate};

/// Upper bounds (sat/vB) of the fee-rate bands of `conf_by_feerate.csv`;
/// the last band is open.
pub const FEERATE_BANDS: [f64; 8] = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, f64::INFINITY];

/// Where each transaction ended on the final main chain.
pub struct Confirmations {
    /// Per transaction: the main-chain block holding it, if any.
    pub block: Vec<Option<BlockId>>,
}

impl Confirmations {
    /// Looks up every transaction's main-chain block.
    pub fn new(tree: &BlockTree, txw: &TxWorld, best: BlockId) -> Confirmations {
        let main = main_chain_flags(tree, best);
        let block = (0..txw.arena.len() as u32)
            .map(|i| txw.blocks_of(TxId(i)).iter().copied().find(|b| main[b.index()]))
            .collect();
        Confirmations { block }
    }

    /// Seconds from creation to confirmation of `tx`, if confirmed.
    pub fn delay_s(&self, tree: &BlockTree, txw: &TxWorld, tx: TxId) -> Option<f64> {
        let b = self.block[tx.index()]?;
        Some(tree.get(b).found_at.since(txw.arena.get(tx).created).as_secs_f64())
    }
}

/// Transaction figures of `summary.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TxSummary {
    /// Transactions created.
    pub tx_created: u64,
    /// Transactions confirmed on the final main chain.
    pub tx_confirmed: u64,
    /// Median confirmation delay (seconds).
    pub conf_delay_median_s: Option<f64>,
    /// 90th percentile of the confirmation delay (seconds).
    pub conf_delay_p90_s: Option<f64>,
    /// Fees of the main chain's mined blocks (BTC).
    pub fees_total_btc: f64,
    /// Fees as a share of the main chain's block rewards.
    pub fee_share_of_revenue: Option<f64>,
    /// Largest total size any mempool reached (million vbytes).
    pub mempool_peak_vmb: f64,
}

/// The `q` quantile (nearest rank) of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Computes the transaction figures of a run.
pub fn tx_summary(out: &RunOutput, conf: &Confirmations) -> TxSummary {
    let w = &out.world;
    let Some(txw) = w.txs() else { return TxSummary::default() };
    let tree = w.tree();
    let mut delays: Vec<f64> =
        (0..txw.arena.len() as u32).filter_map(|i| conf.delay_s(tree, txw, TxId(i))).collect();
    delays.sort_by(f64::total_cmp);
    let main = main_chain_flags(tree, w.best_block());
    let (mut fees, mut reward) = (0u64, 0u64);
    for (id, rec) in tree.iter().skip(tree.history_len() as usize) {
        if main[id.index()] {
            fees += rec.fees_sat;
            reward += rec.coinbase_sat;
        }
    }
    TxSummary {
        tx_created: txw.arena.len() as u64,
        tx_confirmed: delays.len() as u64,
        conf_delay_median_s: quantile(&delays, 0.5),
        conf_delay_p90_s: quantile(&delays, 0.9),
        fees_total_btc: fees as f64 / 1e8,
        fee_share_of_revenue: (reward > 0).then(|| fees as f64 / reward as f64),
        mempool_peak_vmb: txw.peak_vsize() as f64 / 1e6,
    }
}

/// Fee figures of one block for `blocks.csv`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BlockFees {
    /// 10th, 50th and 90th percentile of its transactions' fee rates (sat/vB).
    pub feerate_p: [Option<f64>; 3],
    /// True if it holds no transaction but the coinbase.
    pub empty: bool,
}

/// Fee-rate percentiles of block `b`'s transactions (unweighted).
pub fn block_fees(txw: Option<&TxWorld>, b: BlockId) -> BlockFees {
    let Some(txw) = txw else { return BlockFees::default() };
    let mut rates: Vec<f64> = txw.block_txs(b).iter().map(|&t| txw.arena.get(t).feerate_sat_vb()).collect();
    rates.sort_by(f64::total_cmp);
    BlockFees { feerate_p: [0.1, 0.5, 0.9].map(|q| quantile(&rates, q)), empty: rates.is_empty() }
}

/// One row of `txs.csv`.
#[derive(Serialize)]
pub struct TxRow {
    id: u32,
    txid: String,
    origin: u32,
    created_s: f64,
    vsize: u32,
    fee_sat: u64,
    feerate_sat_vb: f64,
    parents: u32,
    replaces: Option<u32>,
    confirmed_height: Option<u32>,
    confirmed_s: Option<f64>,
    conf_delay_s: Option<f64>,
    replaced: u8,
    evicted: u8,
    expired: u8,
    conflicted: u8,
}

impl Row for TxRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "txid",
        "origin",
        "created_s",
        "vsize",
        "fee_sat",
        "feerate_sat_vb",
        "parents",
        "replaces",
        "confirmed_height",
        "confirmed_s",
        "conf_delay_s",
        "replaced",
        "evicted",
        "expired",
        "conflicted",
    ];
}

/// Rows of `txs.csv`: every transaction, or when there are more than
/// `max_rows`, a sample chosen by a hash of (seed, id), so the same run
/// always lists the same transactions.
pub fn tx_rows(out: &RunOutput, conf: &Confirmations, max_rows: u64) -> Vec<TxRow> {
    let w = &out.world;
    let Some(txw) = w.txs() else { return Vec::new() };
    let tree = w.tree();
    let n = txw.arena.len() as u64;
    let keep = |i: u32| {
        n <= max_rows
            || (splitmix64(out.seed ^ splitmix64(u64::from(i))) as f64)
                < (max_rows as f64 / n as f64) * 2f64.powi(64)
    };
    txw.arena
        .iter()
        .filter(|(id, _)| keep(id.0))
        .map(|(id, t)| {
            let b = conf.block[id.index()];
            let f = txw.fate(id);
            let flag = |bit: u8| u8::from(f & bit != 0);
            TxRow {
                id: id.0,
                txid: hex(&t.txid),
                origin: t.origin.0,
                created_s: t.created.as_secs_f64(),
                vsize: t.vsize(),
                fee_sat: t.fee_sat,
                feerate_sat_vb: t.feerate_sat_vb(),
                parents: t.inputs.iter().filter(|i| matches!(i, crate::mempool::Input::Out { .. })).count()
                    as u32,
                replaces: t.replaces.map(|r| r.0),
                confirmed_height: b.map(|b| tree.get(b).height),
                confirmed_s: b.map(|b| tree.get(b).found_at.as_secs_f64()),
                conf_delay_s: conf.delay_s(tree, txw, id),
                replaced: flag(fate::REPLACED),
                evicted: flag(fate::EVICTED),
                expired: flag(fate::EXPIRED),
                conflicted: flag(fate::CONFLICTED),
            }
        })
        .collect()
}

/// Transaction ids are shown as Bitcoin shows them: bytes reversed, in hex.
fn hex(h: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for &b in h.iter().rev() {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// One row of `mempool.csv`.
#[derive(Serialize)]
pub struct MempoolRow {
    time_s: f64,
    node: u32,
    tx_count: u64,
    vsize: u64,
    min_feerate_sat_vb: f64,
    next_block_min_feerate_sat_vb: Option<f64>,
    next_block_top_feerate_sat_vb: Option<f64>,
}

impl Row for MempoolRow {
    const COLUMNS: &'static [&'static str] = &[
        "time_s",
        "node",
        "tx_count",
        "vsize",
        "min_feerate_sat_vb",
        "next_block_min_feerate_sat_vb",
        "next_block_top_feerate_sat_vb",
    ];
}

/// Rows of `mempool.csv`.
pub fn mempool_rows(out: &RunOutput) -> Vec<MempoolRow> {
    let Some(txw) = out.world.txs() else { return Vec::new() };
    txw.samples()
        .iter()
        .map(|s| MempoolRow {
            time_s: s.time.as_secs_f64(),
            node: s.node.0,
            tx_count: s.count,
            vsize: s.vsize,
            min_feerate_sat_vb: s.min_fee_sat_kvb as f64 / 1000.0,
            next_block_min_feerate_sat_vb: s.next_block_min_feerate_sat_vb,
            next_block_top_feerate_sat_vb: s.next_block_top_feerate_sat_vb,
        })
        .collect()
}

/// One row of `conf_by_feerate.csv`: transactions in a fee-rate band.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BandRow {
    /// Lower bound of the band (sat/vB, inclusive).
    pub feerate_from_sat_vb: f64,
    /// Upper bound (exclusive; empty for the open last band).
    pub feerate_to_sat_vb: Option<f64>,
    /// Transactions created in the band.
    pub created: u64,
    /// Of those, confirmed on the main chain.
    pub confirmed: u64,
    /// Median confirmation delay (seconds).
    pub delay_median_s: Option<f64>,
    /// 90th percentile (seconds).
    pub delay_p90_s: Option<f64>,
    /// Mean (seconds).
    pub delay_mean_s: Option<f64>,
}

impl Row for BandRow {
    const COLUMNS: &'static [&'static str] = &[
        "feerate_from_sat_vb",
        "feerate_to_sat_vb",
        "created",
        "confirmed",
        "delay_median_s",
        "delay_p90_s",
        "delay_mean_s",
    ];
}

/// Confirmation delay by fee-rate band.
pub fn band_rows(out: &RunOutput, conf: &Confirmations) -> Vec<BandRow> {
    let Some(txw) = out.world.txs() else { return Vec::new() };
    let tree = out.world.tree();
    let mut created = [0u64; FEERATE_BANDS.len()];
    let mut delays: [Vec<f64>; FEERATE_BANDS.len()] = Default::default();
    for (id, t) in txw.arena.iter() {
        let band =
            FEERATE_BANDS.iter().position(|&hi| t.feerate_sat_vb() < hi).unwrap_or(FEERATE_BANDS.len() - 1);
        created[band] += 1;
        if let Some(d) = conf.delay_s(tree, txw, id) {
            delays[band].push(d);
        }
    }
    (0..FEERATE_BANDS.len())
        .map(|i| {
            let d = &mut delays[i];
            d.sort_by(f64::total_cmp);
            BandRow {
                feerate_from_sat_vb: if i == 0 { 0.0 } else { FEERATE_BANDS[i - 1] },
                feerate_to_sat_vb: FEERATE_BANDS[i].is_finite().then_some(FEERATE_BANDS[i]),
                created: created[i],
                confirmed: d.len() as u64,
                delay_median_s: quantile(d, 0.5),
                delay_p90_s: quantile(d, 0.9),
                delay_mean_s: (!d.is_empty()).then(|| d.iter().sum::<f64>() / d.len() as f64),
            }
        })
        .collect()
}

/// Sample rows for the column checks in `write.rs`.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    pub(crate) fn tx_row() -> TxRow {
        TxRow {
            id: 0,
            txid: String::new(),
            origin: 0,
            created_s: 0.0,
            vsize: 0,
            fee_sat: 0,
            feerate_sat_vb: 0.0,
            parents: 0,
            replaces: None,
            confirmed_height: None,
            confirmed_s: None,
            conf_delay_s: None,
            replaced: 0,
            evicted: 0,
            expired: 0,
            conflicted: 0,
        }
    }

    pub(crate) fn mempool_row() -> MempoolRow {
        MempoolRow {
            time_s: 0.0,
            node: 0,
            tx_count: 0,
            vsize: 0,
            min_feerate_sat_vb: 0.0,
            next_block_min_feerate_sat_vb: None,
            next_block_top_feerate_sat_vb: None,
        }
    }

    pub(crate) fn band_row() -> BandRow {
        BandRow {
            feerate_from_sat_vb: 0.0,
            feerate_to_sat_vb: None,
            created: 0,
            confirmed: 0,
            delay_median_s: None,
            delay_p90_s: None,
            delay_mean_s: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txids_are_shown_byte_reversed_in_hex() {
        let mut h = [0u8; 32];
        h[0] = 0x01;
        h[1] = 0xab;
        h[31] = 0xf0;
        assert_eq!(hex(&h), format!("f0{}ab01", "00".repeat(29)));
    }

    #[test]
    fn quantile_is_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile(&v, 0.5), Some(5.0));
        assert_eq!(quantile(&v, 0.9), Some(9.0));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(10.0));
        assert_eq!(quantile(&[], 0.5), None);
    }
}
