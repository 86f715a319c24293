//! The pending list: workload transactions not yet known to be confirmed,
//! oldest first. New transactions chain on their unspent outputs, and once a
//! block makes one stuck, its user bumps it by replacement or by a child.
//!
//! The list stays bounded whatever the run's length: an entry leaves when
//! its transaction is confirmed, when it is replaced or given a child (it is
//! bumped once), when it can no longer confirm (its double spend confirmed,
//! or its parent was replaced), when it is older than
//! [`MAX_PENDING_AGE_BLOCKS`], and the oldest go when the list exceeds
//! [`MAX_PENDING`].

use std::collections::{BTreeSet, VecDeque};

use super::{Draft, MAX_PENDING, MAX_PENDING_AGE_BLOCKS, REPLACEMENT_INCREMENT_SAT_VB, TxStatus, Workload};
use crate::mempool::{Input, TxArena, TxId};
use crate::sim::{SimRng, SimTime};

/// How many random entries a chained transaction looks at before it falls
/// back to fresh coins.
const PARENT_TRIES: usize = 8;

/// The `spent` mask with both outputs spent.
const ALL_SPENT: u8 = 0b11;

/// One pending workload transaction.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    /// The transaction.
    pub(crate) tx: TxId,
    /// Best height when it was created; `None` before the first block.
    born: Option<u32>,
    /// Whether its user may still bump it (each transaction is bumped at
    /// most once; replacements and CPFP children are never bumped).
    bumpable: bool,
    /// Bit `v` is set once a workload transaction spends output `v`.
    spent: u8,
    /// The pending transaction whose output it spends, if any.
    parent: Option<TxId>,
    /// A conflicting transaction (its double spend), if any.
    conflict: Option<TxId>,
}

/// What the user of a stuck transaction does.
enum Bump {
    /// Replaced it; the entry of the replacement.
    Replaced(Pending),
    /// Gave it a child; the entry of the child.
    Child(Pending),
    /// Did nothing (and will not try again).
    LeftAlone,
}

impl Pending {
    /// An entry for `tx` created at best height `born`.
    pub(crate) fn new(
        tx: TxId,
        born: Option<u32>,
        parent: Option<TxId>,
        conflict: Option<TxId>,
        bumpable: bool,
    ) -> Pending {
        Pending { tx, born, bumpable, spent: 0, parent, conflict }
    }

    /// Marks a random unspent output as spent and returns it.
    fn take_output(&mut self, rng: &mut SimRng) -> Option<u16> {
        let vout = match (self.spent & 0b01 == 0, self.spent & 0b10 == 0) {
            (true, true) => rng.below(2) as u16,
            (true, false) => 0,
            (false, true) => 1,
            (false, false) => return None,
        };
        self.spent |= 1 << vout;
        Some(vout)
    }

    /// Whether it can never confirm because its double spend did.
    fn conflicted(&self, status: &impl TxStatus) -> bool {
        self.conflict.is_some_and(|c| status.confirmed(c))
    }
}

impl Workload {
    /// Adds `entry` to the pending list, dropping the oldest beyond the cap.
    pub(crate) fn track(&mut self, entry: Pending) {
        self.pending.push_back(entry);
        self.trim();
    }

    fn trim(&mut self) {
        while self.pending.len() > MAX_PENDING {
            self.pending.pop_front();
        }
    }

    /// An unspent output of a random pending transaction that `status` says
    /// is unconfirmed, marked as spent; `None` when a few tries find none.
    pub(crate) fn take_output(&mut self, status: &impl TxStatus) -> Option<(TxId, u16)> {
        for _ in 0..PARENT_TRIES {
            if self.pending.is_empty() {
                return None;
            }
            let i = self.rng.index(self.pending.len());
            let entry = &mut self.pending[i];
            if entry.spent == ALL_SPENT || status.confirmed(entry.tx) || entry.conflicted(status) {
                continue;
            }
            return entry.take_output(&mut self.rng).map(|vout| (entry.tx, vout));
        }
        None
    }

    /// A block at `height` joined the best chain at `now` (call it once the
    /// block is connected, so that `status` counts its transactions as
    /// confirmed). Every pending transaction still unconfirmed
    /// `stuck_after_blocks` blocks after it was created is bumped once: with
    /// probability `rbf_share` replaced (same inputs, same origin, fee =
    /// max(fee_bump * fee, fee + vsize * [`REPLACEMENT_INCREMENT_SAT_VB`]),
    /// `replaces = Some(original)`), with probability `cpfp_share` given a
    /// child (it spends one of its outputs and pays so that the package
    /// fee rate is `fee_bump` times the parent's), else left alone. Returns
    /// the transactions created, in creation order.
    pub fn on_block(
        &mut self,
        now: SimTime,
        height: u32,
        arena: &mut TxArena,
        status: &impl TxStatus,
    ) -> Vec<TxId> {
        self.tip = Some(height);
        let old = std::mem::take(&mut self.pending);
        let mut kept = VecDeque::with_capacity(old.len());
        let mut fresh = Vec::new();
        // Transactions that can never confirm; their descendants follow them.
        // Children come after their parents in the list, so one pass suffices.
        let mut dead = BTreeSet::new();
        for mut entry in old {
            let age = height.saturating_sub(*entry.born.get_or_insert(height.saturating_sub(1)));
            if entry.parent.is_some_and(|p| dead.contains(&p)) || entry.conflicted(status) {
                dead.insert(entry.tx);
                continue;
            }
            if status.confirmed(entry.tx) || age > MAX_PENDING_AGE_BLOCKS {
                continue;
            }
            if !entry.bumpable || age < self.config.stuck_after_blocks {
                kept.push_back(entry);
                continue;
            }
            match self.bump(now, &mut entry, arena) {
                Bump::Replaced(replacement) => {
                    dead.insert(entry.tx);
                    fresh.push(replacement);
                }
                Bump::Child(child) => fresh.push(child),
                Bump::LeftAlone => {
                    entry.bumpable = false;
                    kept.push_back(entry);
                }
            }
        }
        let created = fresh.iter().map(|entry| entry.tx).collect();
        kept.extend(fresh);
        self.pending = kept;
        self.trim();
        created
    }

    /// The stuck transaction of `entry`'s user: replace it, give it a child
    /// (when an output is left to spend), or leave it.
    fn bump(&mut self, now: SimTime, entry: &mut Pending, arena: &mut TxArena) -> Bump {
        let u = self.rng.unit();
        if u < self.config.rbf_share {
            return Bump::Replaced(self.replace(now, entry, arena));
        }
        if u < self.config.rbf_share + self.config.cpfp_share {
            if let Some(vout) = entry.take_output(&mut self.rng) {
                return Bump::Child(self.child(now, entry, vout, arena));
            }
        }
        Bump::LeftAlone
    }

    /// A replacement of `entry`'s transaction: same inputs, size and origin,
    /// a higher fee (BIP125 rules 3, 4 and 6 hold with any `fee_bump` > 1).
    fn replace(&mut self, now: SimTime, entry: &Pending, arena: &mut TxArena) -> Pending {
        let original = arena.get(entry.tx);
        let vsize = original.vsize();
        let scaled = (self.config.fee_bump * original.fee_sat as f64).ceil() as u64;
        let floor = original.fee_sat + u64::from(vsize) * REPLACEMENT_INCREMENT_SAT_VB;
        let draft = Draft {
            inputs: original.inputs.to_vec(),
            vsize,
            fee_sat: scaled.max(floor),
            origin: original.origin,
            replaces: Some(entry.tx),
        };
        let tx = self.push_tx(now, draft, arena);
        Pending::new(tx, self.tip, entry.parent, entry.conflict, false)
    }

    /// A child spending output `vout` of `entry`'s transaction, paying so
    /// that (parent fee + child fee) / (parent vsize + child vsize) is at
    /// least `fee_bump` times the parent's fee rate (the least such fee).
    fn child(&mut self, now: SimTime, entry: &Pending, vout: u16, arena: &mut TxArena) -> Pending {
        let parent = arena.get(entry.tx);
        let (parent_fee, parent_vsize, origin) = (parent.fee_sat as f64, parent.vsize(), parent.origin);
        let vsize = self.draw_vsize();
        let package_vsize = f64::from(parent_vsize) + f64::from(vsize);
        let target = self.config.fee_bump * parent_fee * package_vsize / f64::from(parent_vsize);
        let fee_sat = (target - parent_fee).ceil().max(0.0) as u64;
        let inputs = vec![Input::Out { tx: entry.tx, vout }];
        let draft = Draft { inputs, vsize, fee_sat, origin, replaces: None };
        let tx = self.push_tx(now, draft, arena);
        Pending::new(tx, self.tip, Some(entry.tx), entry.conflict, false)
    }
}
