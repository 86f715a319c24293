//! Per-miner results (`pools.csv`) and how concentrated block production
//! was (the centralisation columns of `summary.csv`).

use super::summary::{STALE_RATE_EXCLUDED_HEIGHTS, main_chain_flags};
use crate::chain::Origin;
use crate::world::RunOutput;

/// Satoshi per bitcoin.
const SAT_PER_BTC: f64 = 1e8;

/// One row of `pools.csv`: what one miner found and earned. Revenue counts
/// main-chain blocks only; a stale block earns nothing.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PoolRow {
    /// Miner name.
    pub pool: String,
    /// Node the miner works through.
    pub node: u32,
    /// Its strategy (`honest`, `selfish`, or a library user's).
    pub strategy: String,
    /// True for a strategy that may withhold blocks.
    #[serde(skip)]
    pub strategic: bool,
    /// Share of the total hash rate.
    pub hash_share: f64,
    /// Blocks it found during the run.
    pub blocks_found: u64,
    /// Of those, blocks on the final main chain.
    pub blocks_main: u64,
    /// Of those, blocks not on the final main chain.
    pub stale_blocks: u64,
    /// Stale share of its blocks, leaving out the last 6 heights (as the
    /// summary's `stale_rate`); empty with no settled block.
    pub stale_rate: Option<f64>,
    /// Blocks it found with no transaction but the coinbase (with
    /// `[transactions]` only; 0 otherwise).
    pub empty_blocks: u64,
    /// Subsidy of its main-chain blocks (BTC).
    pub subsidy_btc: f64,
    /// Fees of its main-chain blocks (BTC).
    pub fees_btc: f64,
    /// Subsidy plus fees (BTC).
    pub revenue_btc: f64,
    /// Its share of all miners' revenue; empty when nobody earned anything.
    pub revenue_share: Option<f64>,
    /// `revenue_share / hash_share`: 1 when revenue follows hash power.
    pub revenue_per_hash_share: Option<f64>,
}

impl super::write::Row for PoolRow {
    const COLUMNS: &'static [&'static str] = &[
        "pool",
        "node",
        "strategy",
        "hash_share",
        "blocks_found",
        "blocks_main",
        "stale_blocks",
        "stale_rate",
        "empty_blocks",
        "subsidy_btc",
        "fees_btc",
        "revenue_btc",
        "revenue_share",
        "revenue_per_hash_share",
    ];
}

/// Per-miner counts in satoshi and blocks, before they become a row.
#[derive(Clone, Copy, Default)]
struct Tally {
    found: u64,
    main: u64,
    settled: u64,
    settled_stale: u64,
    empty: u64,
    subsidy_sat: u64,
    fees_sat: u64,
}

/// One row per miner, in the miners' order.
pub fn pool_rows(out: &RunOutput) -> Vec<PoolRow> {
    let w = &out.world;
    let tree = w.tree();
    let best = w.best_block();
    let main = main_chain_flags(tree, best);
    let cutoff = tree.get(best).height.saturating_sub(STALE_RATE_EXCLUDED_HEIGHTS);
    let miners = w.hash_power().miners();
    let mut tally = vec![Tally::default(); miners.len()];
    for (id, rec) in tree.iter().skip(tree.history_len() as usize) {
        let Origin::Mined(p) = rec.origin else { continue };
        let t = &mut tally[p as usize];
        t.found += 1;
        let on_main = main[id.index()];
        if rec.height <= cutoff {
            t.settled += 1;
            t.settled_stale += u64::from(!on_main);
        }
        if rec.tx_count <= 1 {
            t.empty += 1;
        }
        if on_main {
            t.main += 1;
            t.subsidy_sat += rec.coinbase_sat - rec.fees_sat;
            t.fees_sat += rec.fees_sat;
        }
    }
    let total_sat: u64 = tally.iter().map(|t| t.subsidy_sat + t.fees_sat).sum();
    miners
        .iter()
        .zip(&tally)
        .zip(w.strategies())
        .map(|((m, t), s)| {
            let revenue_sat = t.subsidy_sat + t.fees_sat;
            let revenue_share = (total_sat > 0).then(|| revenue_sat as f64 / total_sat as f64);
            PoolRow {
                pool: m.name.clone(),
                node: m.node.0,
                strategy: s.name().to_string(),
                strategic: s.is_strategic(),
                hash_share: m.share,
                blocks_found: t.found,
                blocks_main: t.main,
                stale_blocks: t.found - t.main,
                stale_rate: (t.settled > 0).then(|| t.settled_stale as f64 / t.settled as f64),
                empty_blocks: t.empty,
                subsidy_btc: t.subsidy_sat as f64 / SAT_PER_BTC,
                fees_btc: t.fees_sat as f64 / SAT_PER_BTC,
                revenue_btc: revenue_sat as f64 / SAT_PER_BTC,
                revenue_share,
                revenue_per_hash_share: revenue_share.filter(|_| m.share > 0.0).map(|s| s / m.share),
            }
        })
        .collect()
}

/// How concentrated main-chain block production was.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Concentration {
    /// Herfindahl-Hirschman index of main-chain blocks: the sum over miners
    /// of their squared share, from 1 / miners (even) to 1 (one miner).
    pub hhi: Option<f64>,
    /// The fewest miners that together found more than half of the
    /// main-chain blocks.
    pub nakamoto_coefficient: Option<u32>,
    /// The largest miner's share of main-chain blocks.
    pub top_pool_share: Option<f64>,
}

/// Concentration of the main-chain blocks in `rows`; empty figures when no
/// block was mined on the main chain.
pub fn concentration(rows: &[PoolRow]) -> Concentration {
    let mut blocks: Vec<u64> = rows.iter().map(|r| r.blocks_main).collect();
    blocks.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = blocks.iter().sum();
    if total == 0 {
        return Concentration::default();
    }
    let share = |b: u64| b as f64 / total as f64;
    // Counted in blocks, so "more than half" is exact.
    let mut held = 0u64;
    let majority = blocks.iter().take_while(|&&b| {
        let short = 2 * held <= total;
        held += b;
        short
    });
    Concentration {
        hhi: Some(blocks.iter().map(|&b| share(b) * share(b)).sum()),
        nakamoto_coefficient: Some(majority.count() as u32),
        top_pool_share: Some(share(blocks[0])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(main: u64) -> PoolRow {
        PoolRow {
            pool: String::new(),
            node: 0,
            strategy: String::new(),
            strategic: false,
            hash_share: 0.0,
            blocks_found: main,
            blocks_main: main,
            stale_blocks: 0,
            stale_rate: None,
            empty_blocks: 0,
            subsidy_btc: 0.0,
            fees_btc: 0.0,
            revenue_btc: 0.0,
            revenue_share: None,
            revenue_per_hash_share: None,
        }
    }

    #[test]
    fn declared_columns_match_fields() {
        use super::super::write::Row;
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(row(1)).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next().unwrap(), PoolRow::COLUMNS.join(","));
    }

    #[test]
    fn concentration_of_known_splits() {
        let even: Vec<PoolRow> = (0..4).map(|_| row(25)).collect();
        let c = concentration(&even);
        assert_eq!((c.hhi, c.nakamoto_coefficient, c.top_pool_share), (Some(0.25), Some(3), Some(0.25)));
        // Exactly half is not a majority: 50 + 30 of 100 it takes two.
        let c = concentration(&[row(20), row(50), row(30)]);
        assert_eq!(c.nakamoto_coefficient, Some(2));
        assert!((c.hhi.unwrap() - (0.04 + 0.25 + 0.09)).abs() < 1e-12);
        assert_eq!(c.top_pool_share, Some(0.5));
        let c = concentration(&[row(0), row(51), row(49)]);
        assert_eq!((c.nakamoto_coefficient, c.top_pool_share), (Some(1), Some(0.51)));
        assert_eq!(concentration(&[row(0), row(0)]), Concentration::default());
        assert_eq!(concentration(&[]), Concentration::default());
    }
}
