//! The mempool's entries, links and indexes, and the primitives that keep the cached
//! ancestor and descendant totals right: adding one entry, removing a staged set, and
//! walking the parent/child graph (Core's `CTxMemPool` in `src/txmempool.cpp`, v27–v30).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::outcome::{Removal, RemovalReason};
use super::policy::{Policy, cmp_feerate};
use super::tx::{Input, Tx, TxId};
use crate::sim::SimTime;

/// Count, total vsize and total fee of a set of mempool transactions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Number of transactions.
    pub count: u64,
    /// Their total vsize.
    pub vsize: u64,
    /// Their total fee in satoshi.
    pub fee: u64,
}

impl Totals {
    pub(super) fn add(&mut self, other: Totals) {
        self.count += other.count;
        self.vsize += other.vsize;
        self.fee += other.fee;
    }

    pub(super) fn sub(&mut self, other: Totals) {
        self.count -= other.count;
        self.vsize -= other.vsize;
        self.fee -= other.fee;
    }
}

/// One mempool transaction with its links and cached totals.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) vsize: u64,
    pub(super) weight: u64,
    pub(super) fee: u64,
    pub(super) usage: u64,
    /// Entry time (Core's `nTime`); expiry compares it in whole seconds.
    pub(super) time: SimTime,
    /// Insertion order: the later of two equal descendant scores is evicted first.
    pub(super) seq: u64,
    /// A copy of the inputs, so that removal needs no arena.
    pub(super) inputs: Box<[Input]>,
    /// In-mempool parents and children, sorted.
    pub(super) parents: Vec<TxId>,
    pub(super) children: Vec<TxId>,
    /// Totals of the ancestors and of the descendants, each including the entry itself.
    pub(super) anc: Totals,
    pub(super) desc: Totals,
}

impl Entry {
    pub(super) fn own(&self) -> Totals {
        Totals { count: 1, vsize: self.vsize, fee: self.fee }
    }

    /// True if `key` is this entry's current position in the eviction order.
    pub(super) fn desc_key_matches(&self, tx: TxId, key: &DescKey) -> bool {
        let k = self.desc_key(tx);
        (k.fee, k.vsize, k.seq, k.tx) == (key.fee, key.vsize, key.seq, key.tx)
    }

    fn desc_key(&self, tx: TxId) -> DescKey {
        // Core's descendant score is the higher of the entry's own fee rate and the rate of
        // the entry with its descendants.
        let (fee, vsize) = if cmp_feerate(self.desc.fee, self.desc.vsize, self.fee, self.vsize).is_gt() {
            (self.desc.fee, self.desc.vsize)
        } else {
            (self.fee, self.vsize)
        };
        DescKey { fee, vsize, seq: self.seq, tx }
    }
}

/// Position of an entry in the eviction order (Core's `CompareTxMemPoolEntryByDescendantScore`):
/// lowest descendant score first, and among equal scores the newer entry first.
#[derive(Clone, Copy, Debug)]
pub(super) struct DescKey {
    fee: u64,
    vsize: u64,
    seq: u64,
    pub(super) tx: TxId,
}

impl Ord for DescKey {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_feerate(self.fee, self.vsize, other.fee, other.vsize)
            .then_with(|| other.seq.cmp(&self.seq))
            .then_with(|| self.tx.cmp(&other.tx))
    }
}

impl PartialOrd for DescKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DescKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DescKey {}

/// State of Core's rolling minimum fee rate (`rollingMinimumFeeRate` and friends).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct RollingFee {
    /// sat/kvB, a `double` in Core.
    pub(super) min_sat_kvb: f64,
    /// Whole seconds of the last decay step or connected block.
    pub(super) last_update_s: u64,
    /// A block was connected since the minimum last rose.
    pub(super) block_since_bump: bool,
}

/// A node's mempool under Bitcoin Core v27–v30 policy (ancestor/descendant limits,
/// descendant-score eviction, ancestor-score block templates).
#[derive(Clone, Debug)]
pub struct Mempool {
    pub(super) policy: Policy,
    pub(super) entries: BTreeMap<TxId, Entry>,
    /// Which entry spends each input (Core's `mapNextTx`).
    pub(super) spends: BTreeMap<Input, TxId>,
    pub(super) by_desc_score: BTreeSet<DescKey>,
    pub(super) by_time: BTreeSet<(SimTime, TxId)>,
    pub(super) total_vsize: u64,
    pub(super) usage: u64,
    pub(super) next_seq: u64,
    pub(super) rolling: RollingFee,
    /// Removals made by the last `accept` that ended in `Reject::MempoolFull`.
    pub(super) full_removals: Vec<Removal>,
}

impl Mempool {
    /// An empty mempool with `policy`.
    pub fn new(policy: Policy) -> Mempool {
        Mempool {
            policy,
            entries: BTreeMap::new(),
            spends: BTreeMap::new(),
            by_desc_score: BTreeSet::new(),
            by_time: BTreeSet::new(),
            total_vsize: 0,
            usage: 0,
            next_seq: 0,
            rolling: RollingFee::default(),
            full_removals: Vec::new(),
        }
    }

    /// The policy this mempool enforces.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// True if `tx` is in the mempool.
    pub fn contains(&self, tx: TxId) -> bool {
        self.entries.contains_key(&tx)
    }

    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sum of the vsizes of all transactions.
    pub fn total_vsize(&self) -> u64 {
        self.total_vsize
    }

    /// Modelled memory use in bytes (see [`Policy::memory_per_vbyte`]).
    pub fn usage_bytes(&self) -> u64 {
        self.usage
    }

    /// Which mempool transaction spends `input`, if any.
    pub fn spender(&self, input: Input) -> Option<TxId> {
        self.spends.get(&input).copied()
    }

    /// Transactions in id order.
    pub fn iter(&self) -> impl Iterator<Item = TxId> + '_ {
        self.entries.keys().copied()
    }

    /// Totals of `tx` and its in-mempool ancestors, if `tx` is in the mempool.
    pub fn ancestor_totals(&self, tx: TxId) -> Option<Totals> {
        self.entries.get(&tx).map(|e| e.anc)
    }

    /// Totals of `tx` and its in-mempool descendants, if `tx` is in the mempool.
    pub fn descendant_totals(&self, tx: TxId) -> Option<Totals> {
        self.entries.get(&tx).map(|e| e.desc)
    }

    /// What the last [`Mempool::accept`] that returned `Reject::MempoolFull` removed: replaced
    /// conflicts, expired and evicted entries, the transaction itself among them. Core keeps
    /// those removals although the transaction is rejected. Emptied by every other accept.
    pub fn last_full_removals(&self) -> &[Removal] {
        &self.full_removals
    }

    pub(super) fn entry(&self, tx: TxId) -> &Entry {
        self.entries.get(&tx).unwrap_or_else(|| panic!("mempool: {tx:?} is not an entry"))
    }

    /// The in-mempool parents of `t`, sorted and without repeats.
    pub(super) fn mempool_parents(&self, t: &Tx) -> Vec<TxId> {
        let mut parents: Vec<TxId> = t
            .inputs
            .iter()
            .filter_map(|input| match *input {
                Input::Out { tx, .. } if self.contains(tx) => Some(tx),
                _ => None,
            })
            .collect();
        parents.sort_unstable();
        parents.dedup();
        parents
    }

    /// All ancestors reachable through the parent links of `parents`, `parents` included.
    pub(super) fn ancestors_from(&self, parents: &[TxId]) -> BTreeSet<TxId> {
        let mut found: BTreeSet<TxId> = parents.iter().copied().collect();
        let mut stack: Vec<TxId> = parents.to_vec();
        while let Some(tx) = stack.pop() {
            for &p in &self.entry(tx).parents {
                if found.insert(p) {
                    stack.push(p);
                }
            }
        }
        found
    }

    /// Adds `tx` and all its descendants to `set` (Core's `CalculateDescendants`), skipping
    /// the walk below entries already in `set`.
    pub(super) fn descendants_into(&self, tx: TxId, set: &mut BTreeSet<TxId>) {
        if !set.insert(tx) {
            return;
        }
        let mut stack = vec![tx];
        while let Some(t) = stack.pop() {
            for &c in &self.entry(t).children {
                if set.insert(c) {
                    stack.push(c);
                }
            }
        }
    }

    /// Changes the descendant totals of `tx` and keeps the eviction index in step.
    pub(super) fn change_desc(&mut self, tx: TxId, change: impl FnOnce(&mut Totals)) {
        let entry = self.entries.get_mut(&tx).expect("descendant update of a missing entry");
        let old = entry.desc_key(tx);
        change(&mut entry.desc);
        let new = entry.desc_key(tx);
        if old.fee != new.fee || old.vsize != new.vsize {
            self.by_desc_score.remove(&old);
            self.by_desc_score.insert(new);
        }
    }

    /// Adds `tx` with entry time `now` (Core's `addNewTransaction`). `ancestors` is its full
    /// in-mempool ancestor set. In-mempool children are not linked here: a new transaction
    /// has none, except after a reorg, where `update_from_block` links them.
    pub(super) fn add_entry(&mut self, tx: TxId, t: &Tx, now: SimTime, ancestors: &BTreeSet<TxId>) {
        let vsize = u64::from(t.vsize());
        let own = Totals { count: 1, vsize, fee: t.fee_sat };
        let parents = self.mempool_parents(t);
        for &p in &parents {
            insert_sorted(&mut self.entries.get_mut(&p).expect("parent entry").children, tx);
        }
        let mut anc = own;
        for &a in ancestors {
            anc.add(self.entry(a).own());
            self.change_desc(a, |d| d.add(own));
        }
        for &input in t.inputs.iter() {
            let previous = self.spends.insert(input, tx);
            assert!(previous.is_none(), "mempool: {input:?} spent twice ({previous:?} and {tx:?})");
        }
        let entry = Entry {
            vsize,
            weight: u64::from(t.weight),
            fee: t.fee_sat,
            usage: self.policy.usage_of(vsize),
            time: now,
            seq: self.next_seq,
            inputs: t.inputs.clone(),
            parents,
            children: Vec::new(),
            anc,
            desc: own,
        };
        self.next_seq += 1;
        self.total_vsize += vsize;
        self.usage += entry.usage;
        self.by_desc_score.insert(entry.desc_key(tx));
        self.by_time.insert((now, tx));
        self.entries.insert(tx, entry);
    }

    /// Removes every entry of `stage` (Core's `RemoveStaged`), recording each with `reason`.
    /// All cached totals are updated while the links are intact, then the links are cut.
    /// `update_descendants` must be true unless `stage` holds all descendants of its members.
    pub(super) fn remove_staged(
        &mut self,
        stage: &BTreeSet<TxId>,
        update_descendants: bool,
        reason: RemovalReason,
        out: &mut Vec<Removal>,
    ) {
        for &tx in stage {
            let own = self.entry(tx).own();
            if update_descendants {
                let mut below = BTreeSet::new();
                self.descendants_into(tx, &mut below);
                for d in below.into_iter().filter(|d| !stage.contains(d)) {
                    self.entries.get_mut(&d).expect("descendant entry").anc.sub(own);
                }
            }
            let parents = self.entry(tx).parents.clone();
            for a in self.ancestors_from(&parents).into_iter().filter(|a| !stage.contains(a)) {
                self.change_desc(a, |d| d.sub(own));
            }
        }
        for &tx in stage {
            self.erase(tx);
            out.push(Removal { tx, reason });
        }
    }

    /// Removes `tx` from every link and index; its totals were already accounted for.
    fn erase(&mut self, tx: TxId) {
        let entry = self.entries.remove(&tx).expect("erasing a missing entry");
        for p in &entry.parents {
            if let Some(parent) = self.entries.get_mut(p) {
                remove_sorted(&mut parent.children, tx);
            }
        }
        for c in &entry.children {
            if let Some(child) = self.entries.get_mut(c) {
                remove_sorted(&mut child.parents, tx);
            }
        }
        for input in entry.inputs.iter() {
            self.spends.remove(input);
        }
        self.by_desc_score.remove(&entry.desc_key(tx));
        self.by_time.remove(&(entry.time, tx));
        self.total_vsize -= entry.vsize;
        self.usage -= entry.usage;
    }

    /// Removes `tx` and its descendants if it is an entry; otherwise removes the entries
    /// spending its outputs and their descendants (Core's `removeRecursive`).
    pub(super) fn remove_recursive(
        &mut self,
        tx: TxId,
        outputs: u16,
        reason: RemovalReason,
        out: &mut Vec<Removal>,
    ) {
        let mut stage = BTreeSet::new();
        if self.contains(tx) {
            self.descendants_into(tx, &mut stage);
        } else {
            let spenders: Vec<TxId> = self.output_spenders(tx, outputs).collect();
            for s in spenders {
                self.descendants_into(s, &mut stage);
            }
        }
        self.remove_staged(&stage, false, reason, out);
    }

    /// Entries spending an output of `tx` (with repeats when one spends several).
    pub(super) fn output_spenders(&self, tx: TxId, outputs: u16) -> impl Iterator<Item = TxId> + '_ {
        let first = Input::Out { tx, vout: 0 };
        let last = Input::Out { tx, vout: outputs.saturating_sub(1) };
        let range = if outputs == 0 { None } else { Some(self.spends.range(first..=last)) };
        range.into_iter().flatten().map(|(_, &s)| s)
    }
}

/// Inserts `x` into the sorted `v` if absent.
pub(super) fn insert_sorted(v: &mut Vec<TxId>, x: TxId) {
    if let Err(i) = v.binary_search(&x) {
        v.insert(i, x);
    }
}

/// Removes `x` from the sorted `v` if present.
fn remove_sorted(v: &mut Vec<TxId>, x: TxId) {
    if let Ok(i) = v.binary_search(&x) {
        v.remove(i);
    }
}
