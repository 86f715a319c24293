//! Single-transaction acceptance: Core v30's `MemPoolAccept::PreChecks`, the topology limits
//! with both carve-outs, then replacement and `LimitMempoolSize` (`src/validation.cpp`).
//!
//! The order of the checks is Core's, because it decides which reason a transaction that
//! breaks several rules is rejected with, and because the rolling minimum fee decays only
//! when a fee check reads it.

use super::outcome::{Accepted, Reject, Removal, RemovalReason};
use super::policy::fee_at_rate;
use super::pool::Mempool;
use super::tx::{Input, Tx, TxArena, TxId};
use crate::sim::SimTime;

/// Answers questions about the node's active chain (confirmed transactions).
pub trait ChainView {
    /// `tx` is confirmed in the node's active chain.
    fn confirmed(&self, tx: TxId) -> bool;
    /// A transaction confirmed in the node's active chain spends `input`.
    fn spent(&self, input: Input) -> bool;
}

/// Ancestor and descendant limits of one `CalculateMemPoolAncestors` call.
#[derive(Clone, Copy, Debug)]
struct Limits {
    ancestor_count: u64,
    ancestor_vb: u64,
    descendant_count: u64,
    descendant_vb: u64,
}

impl Mempool {
    /// AcceptToMemoryPool for one transaction at `now`. On success, returns what was removed
    /// (replaced conflicts and their descendants; entries expired or evicted by the size
    /// trim that follows every acceptance).
    pub fn accept(
        &mut self,
        arena: &TxArena,
        tx: TxId,
        now: SimTime,
        chain: &impl ChainView,
    ) -> Result<Accepted, Reject> {
        self.full_removals.clear();
        let mut removed = Vec::new();
        self.accept_one(arena, tx, now, chain, false, &mut removed)?;
        self.limit_size(now, &mut removed);
        if !self.contains(tx) {
            // Core keeps the removals and reports the transaction as "mempool full".
            self.full_removals = removed;
            return Err(Reject::MempoolFull);
        }
        Ok(Accepted { removed })
    }

    /// PreChecks, replacement checks and the addition itself, without the size limit.
    /// `bypass_limits` (re-adding a disconnected block's transactions) skips the fee floors.
    pub(super) fn accept_one(
        &mut self,
        arena: &TxArena,
        tx: TxId,
        now: SimTime,
        chain: &impl ChainView,
        bypass_limits: bool,
        removed: &mut Vec<Removal>,
    ) -> Result<(), Reject> {
        let t = arena.get(tx);
        self.check_standalone(t)?;
        if self.contains(tx) {
            return Err(Reject::AlreadyInMempool);
        }
        let conflicts = self.direct_conflicts(t);
        check_inputs(self, arena, tx, chain)?;
        let vsize = u64::from(t.vsize());
        if !bypass_limits {
            self.check_fee_floors(t.fee_sat, vsize, now)?;
        }
        let mut ancestors = std::mem::take(&mut self.scratch_ancestors);
        let result = self
            .ancestors_within_limits(t, vsize, &conflicts, &mut ancestors)
            .and_then(|()| self.replace_conflicts(t, vsize, &conflicts, removed));
        if result.is_ok() {
            self.add_entry(tx, t, now, &ancestors);
        }
        self.scratch_ancestors = ancestors;
        result
    }

    /// Right after `ancestors_within_limits`: rejects a transaction spending one it would
    /// replace, runs the replacement checks and removes the originals. No original is an
    /// ancestor, so the ancestor slots stay valid through the removal.
    fn replace_conflicts(
        &mut self,
        t: &Tx,
        vsize: u64,
        conflicts: &[TxId],
        removed: &mut Vec<Removal>,
    ) -> Result<(), Reject> {
        // The walk that found the ancestors marked them, so membership is a mark test.
        if conflicts.iter().any(|&c| self.visited(self.slot(c))) {
            return Err(Reject::SpendsConflicting);
        }
        if !conflicts.is_empty() {
            let originals = self.replacement_checks(t, vsize, conflicts)?;
            self.remove_staged(&originals, false, RemovalReason::Replaced, removed);
        }
        Ok(())
    }

    /// Context-free checks: `CheckTransaction` (inputs, outputs, duplicate inputs) and the
    /// standard weight limit.
    fn check_standalone(&self, t: &Tx) -> Result<(), Reject> {
        if t.inputs.is_empty() || t.outputs == 0 || t.weight == 0 {
            return Err(Reject::Invalid);
        }
        if has_duplicate(&t.inputs) {
            return Err(Reject::Invalid);
        }
        if u64::from(t.weight) > self.policy.max_standard_tx_weight {
            return Err(Reject::NonStandard);
        }
        Ok(())
    }

    /// Mempool entries spending an input of `t`, sorted and without repeats.
    fn direct_conflicts(&self, t: &Tx) -> Vec<TxId> {
        let mut conflicts = Vec::new();
        for input in t.inputs.iter() {
            if let Some(spender) = self.spender(*input) {
                conflicts.push(spender);
            }
        }
        if conflicts.len() > 1 {
            conflicts.sort_unstable();
            conflicts.dedup();
        }
        conflicts
    }

    /// The fee floors in Core's order: the minimum relay fee on its own (not bypassable by a
    /// package), then `CheckFeeRate`: the rolling minimum when it is positive.
    fn check_fee_floors(&mut self, fee: u64, vsize: u64, now: SimTime) -> Result<(), Reject> {
        if fee < fee_at_rate(self.policy.min_relay_feerate_sat_kvb, vsize) {
            return Err(Reject::MinRelayFee);
        }
        let mempool_reject_fee = fee_at_rate(self.min_fee_sat_kvb(now), vsize);
        if mempool_reject_fee > 0 && fee < mempool_reject_fee {
            return Err(Reject::MempoolMinFee);
        }
        Ok(())
    }

    /// Fills `ancestors` with the slots of the in-mempool ancestors of `t` if the ancestor
    /// and descendant limits allow it, including Core's two carve-outs. The walk that finds
    /// them is the mempool's current walk, so they stay marked until the next one starts.
    ///
    /// RBF carve-out: with exactly one direct conflict, the descendant limits grow by one
    /// transaction and by that conflict's descendant size, since it will leave.
    /// CPFP carve-out: if that fails, a transaction of at most 10,000 vB with a single
    /// in-mempool ancestor may take one more descendant slot and 10,000 more vbytes.
    fn ancestors_within_limits(
        &mut self,
        t: &Tx,
        vsize: u64,
        conflicts: &[TxId],
        ancestors: &mut Vec<u32>,
    ) -> Result<(), Reject> {
        ancestors.clear();
        self.begin_walk();
        self.walk_ancestors_of_tx(t, ancestors);
        let p = &self.policy;
        let mut limits = Limits {
            ancestor_count: u64::from(p.ancestor_limit_count),
            ancestor_vb: p.ancestor_limit_vb,
            descendant_count: u64::from(p.descendant_limit_count),
            descendant_vb: p.descendant_limit_vb,
        };
        if let [conflict] = conflicts {
            limits.descendant_count += 1;
            limits.descendant_vb += self.entry(*conflict).desc.vsize;
        }
        if self.within_limits(ancestors, vsize, &limits) {
            return Ok(());
        }
        if vsize > p.carve_out_max_vb {
            return Err(Reject::TooLongMempoolChain);
        }
        let carve_out = Limits {
            ancestor_count: 2,
            descendant_count: limits.descendant_count + 1,
            descendant_vb: limits.descendant_vb + p.carve_out_max_vb,
            ..limits
        };
        if self.within_limits(ancestors, vsize, &carve_out) {
            Ok(())
        } else {
            Err(Reject::TooLongMempoolChain)
        }
    }

    /// Core's `CalculateAncestorsAndCheckLimits` verdict for a new transaction of `vsize`
    /// with the ancestors in these slots. Core stops at the first breach; the verdict is
    /// the same.
    fn within_limits(&self, ancestors: &[u32], vsize: u64, limits: &Limits) -> bool {
        if ancestors.len() as u64 + 1 > limits.ancestor_count {
            return false;
        }
        let mut ancestor_vb = vsize;
        for &a in ancestors {
            let e = &self.slots[a as usize];
            ancestor_vb += e.vsize;
            if e.desc.vsize + vsize > limits.descendant_vb || e.desc.count + 1 > limits.descendant_count {
                return false;
            }
        }
        ancestor_vb <= limits.ancestor_vb
    }
}

/// True if some input appears twice. Transactions have few inputs, so small ones are
/// compared pairwise without allocating; larger ones are sorted in a copy.
fn has_duplicate(inputs: &[Input]) -> bool {
    if inputs.len() <= 16 {
        return inputs.iter().enumerate().any(|(i, a)| inputs[i + 1..].contains(a));
    }
    let mut sorted = inputs.to_vec();
    sorted.sort_unstable();
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// Input availability (Core's `HaveCoin` on the mempool-backed coins view). An input is
/// available if it is a coin not spent in the chain, an output of a mempool transaction, or
/// an unspent output of a confirmed transaction. A spent input makes the transaction
/// invalid for good and is reported before a missing one, which only makes it an orphan.
fn check_inputs(pool: &Mempool, arena: &TxArena, tx: TxId, chain: &impl ChainView) -> Result<(), Reject> {
    if chain.confirmed(tx) {
        return Err(Reject::AlreadyConfirmed);
    }
    let mut missing = false;
    for &input in arena.get(tx).inputs.iter() {
        match input {
            Input::Coin(_) => {
                if chain.spent(input) {
                    return Err(Reject::InputsSpent);
                }
            }
            Input::Out { tx: parent, vout } => {
                let exists = vout < arena.get(parent).outputs;
                if pool.contains(parent) {
                    missing |= !exists;
                } else if chain.confirmed(parent) {
                    if chain.spent(input) {
                        return Err(Reject::InputsSpent);
                    }
                    missing |= !exists;
                } else {
                    missing = true;
                }
            }
        }
    }
    if missing { Err(Reject::MissingInputs) } else { Ok(()) }
}
