//! Hash power and the network-wide mining clock.
//!
//! Mining is one clock, not one timer per miner (see ARCHITECTURE.md): by the
//! memorylessness of the exponential distribution, the next block anywhere
//! comes after Exp(sum of rates) and belongs to miner i with probability
//! rate_i / sum. A miner's rate is its hash rate times the probability that
//! one hash meets the target of the block it works on, so it changes only
//! when the difficulty of its tip changes; only then is the clock redrawn.
//!
//! This module decides *who* finds the next block and *when*; building the
//! block and relaying it belong to the world and the nodes.

pub mod strategy;

use crate::consensus::{U256, decode_compact};
use crate::net::NodeId;
use crate::sim::SimRng;

/// Index of a miner (a pool or a solo miner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolId(pub u32);

impl PoolId {
    /// The index as a `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A miner: hash power attached to one node, or for a pool with gateways
/// to several.
#[derive(Clone, Debug, PartialEq)]
pub struct Miner {
    /// Name shown in reports.
    pub name: String,
    /// The node whose tip it mines on and through which it announces.
    pub node: NodeId,
    /// Further nodes of the pool: it mines on the best tip any of its nodes
    /// has and hands its blocks to all of them.
    pub gateways: Vec<NodeId>,
    /// Hashes per second.
    pub hashrate_hs: f64,
    /// Share of the total hash rate.
    pub share: f64,
}

impl Miner {
    /// Its node, then its gateways.
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::once(self.node).chain(self.gateways.iter().copied())
    }
}

/// Expected blocks per second for `hashrate_hs` on a block with nBits `bits`:
/// a hash meets target T with probability (T + 1) / 2^256.
pub fn block_rate(hashrate_hs: f64, bits: u32) -> f64 {
    let target = decode_compact(bits).target;
    let p = (target.to_f64() + 1.0) / U256::MAX.to_f64();
    hashrate_hs * p
}

/// The miners and their current block rates.
#[derive(Clone, Debug)]
pub struct HashPower {
    miners: Vec<Miner>,
    rates: Vec<f64>,
    bits: Vec<u32>,
    total_rate: f64,
}

impl HashPower {
    /// Miners all working on blocks with nBits `bits`.
    pub fn new(miners: Vec<Miner>, bits: u32) -> Self {
        let rates: Vec<f64> = miners.iter().map(|m| block_rate(m.hashrate_hs, bits)).collect();
        let total_rate = rates.iter().sum();
        let n = miners.len();
        HashPower { miners, rates, bits: vec![bits; n], total_rate }
    }

    /// All miners.
    pub fn miners(&self) -> &[Miner] {
        &self.miners
    }

    /// One miner.
    pub fn miner(&self, p: PoolId) -> &Miner {
        &self.miners[p.index()]
    }

    /// Hashes per second over all miners.
    pub fn total_hashrate_hs(&self) -> f64 {
        self.miners.iter().map(|m| m.hashrate_hs).sum()
    }

    /// Blocks per second over all miners.
    pub fn total_rate(&self) -> f64 {
        self.total_rate
    }

    /// Sets the nBits miner `p` works on; returns true if its rate changed
    /// (and so the clock must be redrawn).
    pub fn set_work_bits(&mut self, p: PoolId, bits: u32) -> bool {
        let i = p.index();
        if self.bits[i] == bits {
            return false;
        }
        self.bits[i] = bits;
        self.rates[i] = block_rate(self.miners[i].hashrate_hs, bits);
        // Re-summing in index order keeps the total independent of update order.
        self.total_rate = self.rates.iter().sum();
        true
    }

    /// Sets miner `p`'s hash rate (hashes per second; 0 stops it).
    pub fn set_hashrate(&mut self, p: PoolId, hashrate_hs: f64) {
        let i = p.index();
        self.miners[i].hashrate_hs = hashrate_hs;
        self.rates[i] = block_rate(hashrate_hs, self.bits[i]);
        self.total_rate = self.rates.iter().sum();
    }

    /// Time in seconds until the next block anywhere.
    pub fn draw_interval_s(&self, rng: &mut SimRng) -> f64 {
        rng.exp_rate(self.total_rate)
    }

    /// The miner that found the block, chosen in proportion to its rate.
    pub fn draw_winner(&self, rng: &mut SimRng) -> PoolId {
        PoolId(rng.weighted_index(&self.rates) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn miner(h: f64) -> Miner {
        Miner { name: String::new(), node: NodeId(0), gateways: Vec::new(), hashrate_hs: h, share: 0.0 }
    }

    #[test]
    fn rate_matches_difficulty_one() {
        // Difficulty 1 (0x1d00ffff) needs 2^256 / (0xffff * 2^208 + 1) ~ 2^32 hashes.
        let r = block_rate(2f64.powi(32), 0x1d00ffff);
        assert!((r - 1.0).abs() < 1e-4, "{r}");
    }

    #[test]
    fn winners_follow_rates_and_rate_changes_are_tracked() {
        let mut hp = HashPower::new(vec![miner(1e9), miner(3e9)], 0x1d00ffff);
        let mut rng = SimRng::from_seed_u64(3);
        let wins = (0..40_000).filter(|_| hp.draw_winner(&mut rng) == PoolId(1)).count();
        assert!((wins as f64 / 40_000.0 - 0.75).abs() < 0.01);
        let before = hp.total_rate();
        assert!(!hp.set_work_bits(PoolId(0), 0x1d00ffff));
        assert!(hp.set_work_bits(PoolId(0), 0x1c7fff80));
        assert!(hp.total_rate() < before);
    }
}
