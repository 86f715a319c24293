//! Replacement of conflicting mempool transactions, full-RBF (always on since Core v29):
//! Core v30's `MemPoolAccept::ReplacementChecks` and `src/policy/rbf.cpp`, rules as
//! numbered in BIP125 and Core's `doc/policy/mempool-replacements.md`.

use std::collections::BTreeSet;

use super::outcome::{RbfFailure, Reject};
use super::policy::fee_at_rate;
use super::pool::Mempool;
use super::tx::{Input, Tx, TxId};

impl Mempool {
    /// Checks a transaction that conflicts with the mempool entries `conflicts` (sorted) and
    /// returns the originals it replaces, sorted: the direct conflicts and all their
    /// descendants. Core's order: rule 6, rule 5, rule 2, then rules 3 and 4.
    pub(super) fn replacement_checks(
        &mut self,
        t: &Tx,
        vsize: u64,
        conflicts: &[TxId],
    ) -> Result<Vec<TxId>, Reject> {
        if conflicts.is_empty() {
            return Ok(Vec::new());
        }
        // Rule 6 (`PaysMoreThanConflicts`): a higher fee rate than each direct conflict on
        // its own; descendants of the conflicts are not considered.
        for &c in conflicts {
            let e = self.entry(c);
            if !self.policy.feerate_above(t.fee_sat, vsize, e.fee, e.vsize) {
                return Err(Reject::Rbf(RbfFailure::LowerFeerate));
            }
        }
        // Rule 5 (`GetEntriesForConflicts`): each conflict counts with its descendants, so a
        // descendant shared by two conflicts counts twice.
        let mut candidates = 0u64;
        for &c in conflicts {
            candidates += self.entry(c).desc.count;
            if candidates > u64::from(self.policy.max_replacement_candidates) {
                return Err(Reject::Rbf(RbfFailure::TooManyReplacements));
            }
        }
        let roots: Vec<usize> = conflicts.iter().map(|&c| self.slot(c)).collect();
        let originals = self.stage_with_descendants(roots);
        self.check_no_new_unconfirmed(t, &originals)?;
        self.check_pays_for_replacement(t.fee_sat, vsize, &originals)?;
        Ok(originals)
    }

    /// Rule 2 (`HasNoNewUnconfirmed`): every input that spends a mempool transaction must
    /// spend one that some original already spent from.
    fn check_no_new_unconfirmed(&self, t: &Tx, originals: &[TxId]) -> Result<(), Reject> {
        let parents_of_originals: BTreeSet<TxId> = originals
            .iter()
            .flat_map(|&o| self.entry(o).inputs.iter())
            .filter_map(|input| match *input {
                Input::Out { tx, .. } => Some(tx),
                Input::Coin(_) => None,
            })
            .collect();
        let adds_unconfirmed = t.inputs.iter().any(|input| match *input {
            Input::Out { tx, .. } => !parents_of_originals.contains(&tx) && self.contains(tx),
            Input::Coin(_) => false,
        });
        if adds_unconfirmed { Err(Reject::Rbf(RbfFailure::AddsUnconfirmed)) } else { Ok(()) }
    }

    /// Rules 3 and 4 (`PaysForRBF`): at least the originals' total fee, and the difference
    /// pays for the replacement's own size at the incremental relay fee rate.
    fn check_pays_for_replacement(&self, fee: u64, vsize: u64, originals: &[TxId]) -> Result<(), Reject> {
        let original_fees: u64 = originals.iter().map(|&o| self.entry(o).fee).sum();
        if fee < original_fees {
            return Err(Reject::Rbf(RbfFailure::InsufficientFee));
        }
        if fee - original_fees < fee_at_rate(self.policy.incremental_relay_feerate_sat_kvb, vsize) {
            return Err(Reject::Rbf(RbfFailure::InsufficientRelayFee));
        }
        Ok(())
    }
}
