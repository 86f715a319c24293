//! Observers of a run: block propagation, forks and reorgs.
//!
//! Metrics are fed by the world and never read by it (ARCHITECTURE.md invariant 5):
//! turning them on or off cannot change a result. Memory stays bounded on long
//! runs: per-node propagation delays of a block are kept only until the block
//! is buried [`FINALITY_DEPTH`] blocks deep on the best chain, then folded into
//! a fixed-size histogram (main-chain blocks) or dropped (stale blocks).

mod histogram;

pub use histogram::Histogram;

use crate::chain::BlockTree;
use crate::consensus::BlockId;
use crate::net::NodeId;
use crate::sim::SimTime;
use std::collections::VecDeque;

/// Depth below the best tip at which a block's fate counts as settled for
/// propagation statistics.
pub const FINALITY_DEPTH: u32 = 1000;

/// Per-block propagation facts.
#[derive(Clone, Debug, Default)]
pub struct BlockStats {
    /// When its miner made it public: when it was found, unless a strategy
    /// withheld it. Propagation times count from here.
    pub published: SimTime,
    /// Nodes holding the block validated.
    pub nodes_reached: u32,
    /// Hash share of those nodes.
    pub hash_reached: f64,
    /// When 50 / 90 / 100 % of nodes held it.
    pub t_nodes: [Option<SimTime>; 3],
    /// When nodes with 50 / 90 % of the hash power held it.
    pub t_hash: [Option<SimTime>; 2],
    /// When 10, 20, ..., 100 % of nodes held it (`propagation.csv`).
    pub node_deciles: [Option<SimTime>; 10],
    /// When nodes with 10, 20, ..., 100 % of the hash power held it.
    pub hash_deciles: [Option<SimTime>; 10],
    /// Total hash rate of all miners (hashes per second) when it was found.
    pub hashrate_hs: f64,
    /// Delays (seconds) to nodes other than the miner's, until settled.
    delays_s: Vec<f32>,
}

/// The fraction of decile `k` (0 -> 10 %, 9 -> 100 %).
fn decile(k: usize) -> f64 {
    (k + 1) as f64 / 10.0
}

/// One node switching branches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReorgRecord {
    /// When it happened.
    pub time: SimTime,
    /// The node.
    pub node: NodeId,
    /// Tip before.
    pub old_tip: BlockId,
    /// Tip after.
    pub new_tip: BlockId,
    /// Last common block.
    pub fork: BlockId,
    /// Blocks disconnected.
    pub depth: u32,
    /// Blocks connected.
    pub connected: u32,
}

/// Everything measured during a run.
#[derive(Debug)]
pub struct Metrics {
    node_hash_share: Vec<f64>,
    /// Node that mined each block (by block id above the history).
    history_len: u32,
    blocks: Vec<BlockStats>,
    miner_node: Vec<NodeId>,
    reorgs: Vec<ReorgRecord>,
    pending: VecDeque<BlockId>,
    prop: Histogram,
    prop_sum_s: f64,
    /// Per node: compact blocks it tried to reconstruct, and how many of
    /// those needed no `getblocktxn` round trip.
    compact: Vec<CompactCount>,
}

/// Compact-block reconstruction counts of one node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompactCount {
    /// Compact blocks the node tried to reconstruct.
    pub attempts: u32,
    /// Of those, reconstructed from its mempool alone.
    pub complete: u32,
    /// Transactions it had to fetch with `getblocktxn`.
    pub fetched_txs: u64,
}

impl Metrics {
    /// Metrics for a network whose nodes hold the given hash shares.
    pub fn new(node_hash_share: Vec<f64>, history_len: u32) -> Self {
        Metrics {
            history_len,
            blocks: Vec::new(),
            miner_node: Vec::new(),
            reorgs: Vec::new(),
            pending: VecDeque::new(),
            prop: Histogram::default(),
            prop_sum_s: 0.0,
            compact: vec![CompactCount::default(); node_hash_share.len()],
            node_hash_share,
        }
    }

    fn slot(&self, b: BlockId) -> Option<usize> {
        b.0.checked_sub(self.history_len).map(|i| i as usize)
    }

    /// `node` tried to reconstruct compact block `_b` and lacked `missing`
    /// of its transactions.
    pub fn on_compact(&mut self, node: NodeId, _b: BlockId, missing: u32) {
        let c = &mut self.compact[node.index()];
        c.attempts += 1;
        c.complete += u32::from(missing == 0);
        c.fetched_txs += u64::from(missing);
    }

    /// Per-node compact-block reconstruction counts.
    pub fn compact(&self) -> &[CompactCount] {
        &self.compact
    }

    /// Share of compact-block reconstructions over all nodes that needed no
    /// round trip; `None` if there were none.
    pub fn compact_reconstruct_rate(&self) -> Option<f64> {
        let (a, c) = self
            .compact
            .iter()
            .fold((0u64, 0u64), |(a, c), x| (a + u64::from(x.attempts), c + u64::from(x.complete)));
        (a > 0).then(|| c as f64 / a as f64)
    }

    /// A block was mined at `node` at `now`, while all miners together had
    /// `hashrate_hs`.
    pub fn on_block_found(&mut self, b: BlockId, node: NodeId, now: SimTime, hashrate_hs: f64) {
        assert_eq!(self.slot(b), Some(self.blocks.len()), "blocks are reported in id order");
        self.blocks.push(BlockStats { published: now, hashrate_hs, ..BlockStats::default() });
        self.miner_node.push(node);
        self.pending.push_back(b);
    }

    /// A withheld block was published at `now`.
    pub fn on_published(&mut self, b: BlockId, now: SimTime) {
        if let Some(i) = self.slot(b) {
            self.blocks[i].published = now;
        }
    }

    /// `node` now holds `b` validated, at `now`.
    pub fn on_connected(&mut self, b: BlockId, node: NodeId, now: SimTime) {
        let Some(i) = self.slot(b) else { return };
        let n = self.node_hash_share.len() as f64;
        let share = self.node_hash_share[node.index()];
        let miner = self.miner_node[i];
        let st = &mut self.blocks[i];
        st.nodes_reached += 1;
        st.hash_reached += share;
        for (k, frac) in [0.5, 0.9, 1.0].into_iter().enumerate() {
            if st.t_nodes[k].is_none() && f64::from(st.nodes_reached) >= (frac * n).ceil() {
                st.t_nodes[k] = Some(now);
            }
        }
        for (k, frac) in [0.5, 0.9].into_iter().enumerate() {
            if st.t_hash[k].is_none() && st.hash_reached >= frac - 1e-9 {
                st.t_hash[k] = Some(now);
            }
        }
        // Crossings come in order, so only the deciles from the first one not
        // yet reached need a look.
        let first = st.node_deciles.iter().position(Option::is_none).unwrap_or(10);
        for k in first..10 {
            if f64::from(st.nodes_reached) < (decile(k) * n).ceil() {
                break;
            }
            st.node_deciles[k] = Some(now);
        }
        let first = st.hash_deciles.iter().position(Option::is_none).unwrap_or(10);
        for k in first..10 {
            if st.hash_reached < decile(k) - 1e-9 {
                break;
            }
            st.hash_deciles[k] = Some(now);
        }
        if node != miner {
            let delay = now.since(st.published).as_secs_f64();
            st.delays_s.push(delay as f32);
        }
    }

    /// A node reorganised.
    pub fn on_reorg(&mut self, tree: &BlockTree, r: ReorgRecord) {
        debug_assert_eq!(r.depth, tree.get(r.old_tip).height - tree.get(r.fork).height);
        self.reorgs.push(r);
    }

    /// The best block in the tree is now `best`: settle blocks buried deep enough.
    pub fn on_best_block(&mut self, tree: &BlockTree, best: BlockId) {
        let best_height = tree.get(best).height;
        while let Some(&b) = self.pending.front() {
            if tree.get(b).height + FINALITY_DEPTH > best_height {
                break;
            }
            self.pending.pop_front();
            self.settle(tree, b, best);
        }
    }

    /// Settles every block still pending against the final best block.
    pub fn finish(&mut self, tree: &BlockTree, best: BlockId) {
        while let Some(b) = self.pending.pop_front() {
            self.settle(tree, b, best);
        }
    }

    fn settle(&mut self, tree: &BlockTree, b: BlockId, best: BlockId) {
        let i = self.slot(b).expect("pending blocks are mined blocks");
        let delays = std::mem::take(&mut self.blocks[i].delays_s);
        if tree.is_ancestor_or_self(b, best) {
            for d in delays {
                self.prop_sum_s += f64::from(d);
                self.prop.record((f64::from(d) * 1e9).round() as u64);
            }
        }
    }

    /// Statistics of block `b` (a mined block).
    pub fn block(&self, b: BlockId) -> Option<&BlockStats> {
        self.slot(b).and_then(|i| self.blocks.get(i))
    }

    /// All reorgs in the order they happened.
    pub fn reorgs(&self) -> &[ReorgRecord] {
        &self.reorgs
    }

    /// Histogram of main-chain propagation delays (nanoseconds), after `finish`.
    pub fn propagation(&self) -> &Histogram {
        &self.prop
    }

    /// Mean main-chain propagation delay in seconds, after `finish`.
    pub fn propagation_mean_s(&self) -> Option<f64> {
        let n = self.prop.count();
        (n > 0).then(|| self.prop_sum_s / n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_record_the_first_crossing_of_each_share() {
        // Ten nodes; node 0 holds 60 % of the hash power, nodes 1..=4 10 % each.
        let shares = vec![0.6, 0.1, 0.1, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0];
        let mut m = Metrics::new(shares, 5);
        let b = BlockId(5);
        m.on_block_found(b, NodeId(0), SimTime(0), 1.0);
        for node in 0..9u32 {
            m.on_connected(b, NodeId(node), SimTime(u64::from(node) * 10 + 1));
        }
        let st = m.block(b).unwrap();
        let t = |k: usize| st.node_deciles[k].map(|t| t.0);
        assert_eq!((t(0), t(4), t(8), t(9)), (Some(1), Some(41), Some(81), None));
        let h: Vec<Option<u64>> = st.hash_deciles.iter().map(|t| t.map(|t| t.0)).collect();
        let want = [1, 1, 1, 1, 1, 1, 11, 21, 31, 41].map(Some);
        assert_eq!(h, want);
        assert_eq!(st.t_nodes[0].map(|t| t.0), t(4), "the 50 % crossing agrees with its decile");
    }
}
