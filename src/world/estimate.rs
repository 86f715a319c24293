//! A rough estimate of a run's peak memory, from the scenario alone, so that a run that cannot
//! fit is refused before it starts rather than ended by the operating system.
//!
//! The figures per item were fitted to measured peaks (`cargo bench --bench scale` and the
//! README's performance table: 15 MB for `quickstart`, 49 MB for `bench-10k`, 676 MB for
//! `mainnet-day`, 2 GB for `bench-tx-full-1k`); the estimate is within a factor of about two of
//! those and errs high for block-only runs.

use crate::scenario::{Config, MinersConfig, TopologyConfig, TxRelayMode};

/// Fixed cost of a run (tables, presets, buffers).
const BASE_BYTES: f64 = 8e6;
/// Per node: its state, network attachment, RNG stream and metrics slots.
const NODE_BYTES: f64 = 2e3;
/// Per directed connection: per-edge relay state, the link's arrival time and the graph.
const EDGE_BYTES: f64 = 96.0;
/// Per (block, node): the flag byte and the propagation record.
const BLOCK_NODE_BYTES: f64 = 8.0;
/// Per transaction: the arena, its indexes and its record.
const TX_BYTES: f64 = 1e3;
/// Per transaction held in one mempool.
const MEMPOOL_ENTRY_BYTES: f64 = 100.0;
/// A mempool holds about this long a backlog of the workload.
const MEMPOOL_BACKLOG_S: f64 = 3600.0;

/// What the estimate counted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryEstimate {
    /// Estimated peak bytes.
    pub bytes: f64,
    /// Nodes.
    pub nodes: u64,
    /// Directed connections (both ends of each link).
    pub connections: u64,
    /// Blocks expected on the main chain.
    pub blocks: u64,
    /// Transactions expected.
    pub transactions: u64,
    /// Nodes that keep a mempool.
    pub mempools: u64,
}

/// The estimate for one run of `config`.
pub fn estimate_memory(config: &Config) -> MemoryEstimate {
    let n = u64::from(config.network.nodes);
    let per_node = match &config.network.topology {
        TopologyConfig::BitcoinCore { outbound_full_relay, outbound_block_relay, .. } => {
            2 * u64::from(outbound_full_relay + outbound_block_relay)
        }
        TopologyConfig::Degree2015 => 16,
        TopologyConfig::RandomRegular { degree } => u64::from(*degree),
        TopologyConfig::Complete => n.saturating_sub(1),
        TopologyConfig::File { edges, .. } => 2 * edges.len() as u64 / n.max(1),
    };
    let connections = n.saturating_mul(per_node);
    let interval = f64::from(config.consensus.rules.block_interval_s);
    let duration_s = match (config.stop.blocks, config.stop.sim_time_s) {
        (Some(b), Some(t)) => (b as f64 * interval).min(t),
        (Some(b), None) => b as f64 * interval,
        (None, Some(t)) => t,
        (None, None) => 0.0,
    };
    let blocks = (duration_s / interval).ceil() as u64 + 1;
    let (transactions, mempools, backlog) = match &config.transactions {
        Some(tc) => {
            let txs = tc.rate_per_s * duration_s;
            let miners = match &config.mining.miners {
                MinersConfig::Pools(p) => p.iter().map(|p| 1 + p.gateways.len() as u64).sum(),
                MinersConfig::EveryNode { .. } => n,
            };
            let mempools = match tc.relay {
                TxRelayMode::Full => n,
                TxRelayMode::Fast { observers } => (miners + u64::from(observers)).min(n),
            };
            (txs, mempools, txs.min(tc.rate_per_s * MEMPOOL_BACKLOG_S))
        }
        None => (0.0, 0, 0.0),
    };
    let bytes = BASE_BYTES
        + n as f64 * NODE_BYTES
        + connections as f64 * EDGE_BYTES
        + n as f64 * blocks as f64 * BLOCK_NODE_BYTES
        + transactions * TX_BYTES
        + mempools as f64 * backlog * MEMPOOL_ENTRY_BYTES;
    MemoryEstimate { bytes, nodes: n, connections, blocks, transactions: transactions as u64, mempools }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load;
    use std::path::Path;

    fn estimate(name: &str, sets: &[&str]) -> f64 {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        estimate_memory(&load(&path, &sets).unwrap_or_else(|e| panic!("{e}"))).bytes
    }

    /// Within a factor of about two of the measured peaks.
    #[test]
    fn estimates_match_measured_peaks() {
        for (name, measured) in [
            ("quickstart.toml", 15e6),
            ("bench-10k.toml", 49e6),
            ("mainnet-day.toml", 676e6),
            ("bench-tx-full-1k.toml", 1.99e9),
        ] {
            let e = estimate(name, &[]);
            assert!(e / measured > 0.5 && e / measured < 2.5, "{name}: {e:.3e} against {measured:.3e}");
        }
        // Ten million nodes need tens of gigabytes.
        assert!(estimate("quickstart.toml", &["network.nodes=10000000"]) > 30e9);
    }
}
