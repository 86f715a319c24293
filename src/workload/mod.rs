//! The transaction workload: when users create transactions, what they look
//! like, and how users react when one is stuck.
//!
//! This module owns the generator's state (its random stream, the counter of
//! fresh coins and the bounded list of pending transactions it may chain on
//! or bump) and writes new transactions into the world's [`TxArena`]. It
//! knows nothing about nodes, mempools or blocks beyond what [`TxStatus`]
//! tells it; the world decides where a transaction goes and when. Every
//! draw comes from the one [`SimRng`] given to [`Workload::new`], so the
//! same seed and the same calls give the same transactions.
//!
//! Arrivals follow a non-homogeneous Poisson process whose rate is the
//! schedule times the surges (`rate`). A new transaction spends one or two
//! fresh coins, or, with probability `chain_share`, an output of a pending
//! (still unconfirmed) workload transaction; with probability
//! `double_spend_share` a conflicting version is sent at the same moment
//! from another node. Once a block arrives `stuck_after_blocks` blocks after
//! a transaction was created and it is still unconfirmed, its user bumps it
//! once: by replacement (BIP125 RBF) with probability `rbf_share`, by a child
//! paying for the parent (CPFP) with probability `cpfp_share` (`pending`).

mod hash;
mod pending;
mod rate;
mod sample;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use crate::mempool::{Input, Tx, TxArena, TxId};
use crate::net::NodeId;
use crate::scenario::TransactionsConfig;
use crate::sim::{SimRng, SimTime};

use hash::{Preimage, tx_hashes};
use pending::Pending;
use rate::RateModel;
use sample::Sampler;

/// Smallest virtual size of a generated transaction: Bitcoin Core's
/// `MIN_STANDARD_TX_NONWITNESS_SIZE` (65 bytes).
pub const MIN_VSIZE_VB: u32 = 65;

/// Largest virtual size of a generated transaction: Bitcoin Core's
/// `MAX_STANDARD_TX_WEIGHT` (400,000 weight units) divided by 4.
pub const MAX_VSIZE_VB: u32 = 100_000;

/// Highest fee rate of a generated transaction (sat/vB); lognormal draws
/// above it are clamped, so a fee never exceeds 10^11 satoshi.
pub const MAX_FEERATE_SAT_VB: f64 = 1e6;

/// A pending transaction still unconfirmed this many blocks after it was
/// created is forgotten (no longer chained on or bumped).
pub const MAX_PENDING_AGE_BLOCKS: u32 = 2016;

/// The pending list never holds more entries than this; the oldest go first.
pub const MAX_PENDING: usize = 1 << 20;

/// Outputs of every generated transaction: a payment and change.
pub const OUTPUTS: u16 = 2;

/// The least fee rate (sat/vB of its own size) a replacement adds to the fee
/// of the transaction it replaces. Bitcoin Core requires the increment to
/// pay for the replacement's size at `-incrementalrelayfee` (BIP125 rule 4):
/// 1 sat/vB in v29, 0.1 sat/vB in v30, so 1 sat/vB satisfies both.
pub const REPLACEMENT_INCREMENT_SAT_VB: u64 = 1;

/// What the generator needs to know about the world.
pub trait TxStatus {
    /// `tx` is confirmed on the best chain.
    fn confirmed(&self, tx: TxId) -> bool;
}

/// Any `Fn(TxId) -> bool` answers "is it confirmed?".
impl<F: Fn(TxId) -> bool> TxStatus for F {
    fn confirmed(&self, tx: TxId) -> bool {
        self(tx)
    }
}

/// The highest arrival rate `config` ever asks for (per second): the
/// schedule's peak times the largest product of surges in force together.
/// Arrivals are drawn by thinning against it, so it must be finite.
pub fn peak_rate(config: &TransactionsConfig) -> f64 {
    RateModel::new(config).peak()
}

/// The transaction generator of one run.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Arrival rate over time.
    rate: RateModel,
    /// Fee rates (sat/vB).
    feerate: Sampler,
    /// Virtual sizes (vB).
    vsize: Sampler,
    /// The shares, thresholds and factors of the configuration.
    config: TransactionsConfig,
    /// Number of nodes transactions may originate from.
    nodes: u32,
    /// The workload's random stream.
    rng: SimRng,
    /// The number of the next fresh coin.
    next_coin: u64,
    /// How many transactions the workload has generated.
    sequence: u64,
    /// Height of the last block passed to [`Workload::on_block`].
    tip: Option<u32>,
    /// Unconfirmed workload transactions, oldest first.
    pending: VecDeque<Pending>,
}

/// A transaction about to be generated.
struct Draft {
    inputs: Vec<Input>,
    vsize: u32,
    fee_sat: u64,
    origin: NodeId,
    replaces: Option<TxId>,
}

impl Workload {
    /// A generator for `config` drawing from `rng`, with transactions
    /// originating at nodes `0..nodes` (`nodes` must be positive).
    pub fn new(config: &TransactionsConfig, rng: SimRng, nodes: u32) -> Workload {
        assert!(nodes > 0, "a workload needs at least one node");
        let rate = RateModel::new(config);
        let peak = rate.peak();
        assert!(peak.is_finite() && peak >= 0.0, "the arrival rate must be finite, got a peak of {peak}");
        Workload {
            rate,
            feerate: Sampler::new(&config.feerate_sat_vb),
            vsize: Sampler::new(&config.vsize_vb),
            config: config.clone(),
            nodes,
            rng,
            next_coin: 0,
            sequence: 0,
            tip: None,
            pending: VecDeque::new(),
        }
    }

    /// Time of the next arrival strictly after `now` (non-homogeneous
    /// Poisson: thinning against the maximum rate over the schedule and
    /// surges, taken between consecutive surge starts and ends so that the
    /// bound stays tight), or `None` if the rate is zero from now on.
    pub fn next_arrival(&mut self, now: SimTime) -> Option<SimTime> {
        let at = self.rate.next_after(now.as_secs_f64(), &mut self.rng)?;
        let nanos = (at * 1e9).round();
        if nanos >= u64::MAX as f64 {
            return None;
        }
        Some(SimTime((nanos as u64).max(now.0.saturating_add(1))))
    }

    /// One arrival at `now`: pushes the new transaction(s) into `arena` and
    /// returns them: one transaction, plus a conflicting double spend (same
    /// inputs, another node) with probability `double_spend_share`. The
    /// origin is uniform over the nodes. With probability `chain_share` the
    /// transaction spends an unspent output of a pending workload
    /// transaction that `status` says is unconfirmed, else one or two fresh
    /// [`Input::Coin`]s (a chained transaction may add one fresh coin).
    pub fn arrive(&mut self, now: SimTime, arena: &mut TxArena, status: &impl TxStatus) -> Vec<TxId> {
        let origin = NodeId(self.rng.below(u64::from(self.nodes)) as u32);
        let mut inputs = Vec::with_capacity(2);
        let parent = if self.rng.chance(self.config.chain_share) { self.take_output(status) } else { None };
        if let Some((tx, vout)) = parent {
            inputs.push(Input::Out { tx, vout });
        }
        let count = 1 + self.rng.below(2) as usize;
        while inputs.len() < count {
            inputs.push(self.fresh_coin());
        }
        let draft = self.draft(inputs.clone(), origin);
        let tx = self.push_tx(now, draft, arena);
        let mut created = vec![tx];
        let mut conflict = None;
        if self.rng.chance(self.config.double_spend_share) && self.nodes > 1 {
            let other = self.other_node(origin);
            let draft = self.draft(inputs, other);
            let double = self.push_tx(now, draft, arena);
            created.push(double);
            conflict = Some(double);
        }
        self.track(Pending::new(tx, self.tip, parent.map(|(p, _)| p), conflict, true));
        created
    }

    /// The arrival rate at `now` (per second): the schedule times the
    /// multipliers of the surges in force.
    pub fn rate_at(&self, now: SimTime) -> f64 {
        self.rate.rate_at(now.as_secs_f64())
    }

    /// The highest arrival rate over the whole run (per second), the bound
    /// arrivals are thinned against.
    pub fn peak_rate(&self) -> f64 {
        self.rate.peak()
    }

    /// Number of transactions in the pending list (at most [`MAX_PENDING`]).
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// A node other than `origin`, uniformly (needs two nodes or more).
    fn other_node(&mut self, origin: NodeId) -> NodeId {
        let step = 1 + self.rng.below(u64::from(self.nodes - 1)) as u32;
        NodeId((origin.0 + step) % self.nodes)
    }

    /// A coin no other transaction of the workload has spent before.
    fn fresh_coin(&mut self) -> Input {
        let coin = self.next_coin;
        self.next_coin += 1;
        Input::Coin(coin)
    }

    /// A new transaction's size and fee, drawn from the distributions.
    fn draft(&mut self, inputs: Vec<Input>, origin: NodeId) -> Draft {
        let feerate = self.feerate.draw(&mut self.rng).clamp(0.0, MAX_FEERATE_SAT_VB);
        let vsize = self.draw_vsize();
        let fee_sat = (feerate * f64::from(vsize)).ceil() as u64;
        Draft { inputs, vsize, fee_sat, origin, replaces: None }
    }

    /// A virtual size, rounded to whole vbytes and clamped to the standard range.
    fn draw_vsize(&mut self) -> u32 {
        let x = self.vsize.draw(&mut self.rng).round();
        x.clamp(f64::from(MIN_VSIZE_VB), f64::from(MAX_VSIZE_VB)) as u32
    }

    /// Hashes `draft`, pushes it into `arena` and returns its id.
    fn push_tx(&mut self, now: SimTime, draft: Draft, arena: &mut TxArena) -> TxId {
        let weight = 4 * draft.vsize;
        let preimage = Preimage {
            inputs: &draft.inputs,
            outputs: OUTPUTS,
            weight,
            fee_sat: draft.fee_sat,
            nonce: self.rng.u64(),
            sequence: self.sequence,
        };
        let (txid, wtxid) = tx_hashes(arena, &preimage);
        self.sequence += 1;
        arena.push(Tx {
            txid,
            wtxid,
            inputs: draft.inputs.into_boxed_slice(),
            outputs: OUTPUTS,
            weight,
            fee_sat: draft.fee_sat,
            created: now,
            origin: draft.origin,
            replaces: draft.replaces,
        })
    }
}
