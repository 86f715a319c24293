//! The mempool's entries, links and indexes, and the primitives that keep the cached
//! ancestor and descendant totals right: adding one entry, removing a staged set, and
//! walking the parent/child graph (Core's `CTxMemPool` in `src/txmempool.cpp`, v27–v30).
//!
//! Entries live in a slab of reusable slots (their input, parent and child vectors keep
//! their capacity across reuse), found through a [`SlotIndex`]. Graph walks mark the
//! entries they reach with a walk number instead of building sets.

use super::index::{DescIndex, DescKey, SlotIndex, TimeQueue, TimeRecord};
use super::outcome::{Removal, RemovalReason};
use super::policy::{Policy, cmp_feerate};
use super::spends::SpendIndex;
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

/// Inputs an entry keeps without a heap allocation.
const INLINE_INPUTS: usize = 2;

/// An entry's copy of its transaction's inputs: inline for the common one or two, on the
/// heap beyond that. Removal reads them for every entry, and inline they share the entry's
/// cache lines.
#[derive(Clone, Debug)]
pub(super) enum InputList {
    Inline { len: u8, items: [Input; INLINE_INPUTS] },
    Heap(Vec<Input>),
}

impl InputList {
    /// Replaces the list with `inputs`, reusing a heap buffer it already has.
    fn set(&mut self, inputs: &[Input]) {
        match self {
            _ if inputs.len() <= INLINE_INPUTS => {
                let mut items = [Input::Coin(0); INLINE_INPUTS];
                items[..inputs.len()].copy_from_slice(inputs);
                *self = InputList::Inline { len: inputs.len() as u8, items };
            }
            InputList::Heap(v) => {
                v.clear();
                v.extend_from_slice(inputs);
            }
            InputList::Inline { .. } => *self = InputList::Heap(inputs.to_vec()),
        }
    }
}

impl std::ops::Deref for InputList {
    type Target = [Input];

    fn deref(&self) -> &[Input] {
        match self {
            InputList::Inline { len, items } => &items[..usize::from(*len)],
            InputList::Heap(v) => v,
        }
    }
}

/// One mempool transaction with its links and cached totals, or a free slot (`live` false).
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) tx: TxId,
    pub(super) live: bool,
    /// The first eight bytes of the txid, big-endian, so templates order by txid without
    /// a look into the arena in the common case.
    pub(super) txid_head: u64,
    pub(super) vsize: u64,
    pub(super) weight: u64,
    pub(super) fee: u64,
    pub(super) usage: u64,
    /// Entry time (Core's `nTime`); expiry compares it in whole seconds.
    pub(super) time: SimTime,
    /// Insertion order: the later of two equal descendant scores is evicted first.
    pub(super) seq: u64,
    /// A copy of the inputs, so that removal needs no arena.
    pub(super) inputs: InputList,
    /// In-mempool parents and children, sorted.
    pub(super) parents: Vec<TxId>,
    pub(super) children: Vec<TxId>,
    /// Totals of the ancestors and of the descendants, each including the entry itself.
    pub(super) anc: Totals,
    pub(super) desc: Totals,
    /// The number of the last walk that reached this entry (see `Mempool::begin_walk`).
    pub(super) visit: u32,
    /// The entry belongs to the set `remove_staged` is removing.
    staged: bool,
}

impl Entry {
    /// A free slot's contents.
    fn vacant() -> Entry {
        Entry {
            tx: TxId(0),
            live: false,
            txid_head: 0,
            vsize: 0,
            weight: 0,
            fee: 0,
            usage: 0,
            time: SimTime::ZERO,
            seq: 0,
            inputs: InputList::Inline { len: 0, items: [Input::Coin(0); INLINE_INPUTS] },
            parents: Vec::new(),
            children: Vec::new(),
            anc: Totals::default(),
            desc: Totals::default(),
            visit: 0,
            staged: false,
        }
    }

    pub(super) fn own(&self) -> Totals {
        Totals { count: 1, vsize: self.vsize, fee: self.fee }
    }

    /// True if `key` is this entry's current position in the eviction order.
    pub(super) fn desc_key_matches(&self, key: &DescKey) -> bool {
        let k = self.desc_key();
        (k.fee, k.vsize, k.seq, k.tx) == (key.fee, key.vsize, key.seq, key.tx)
    }

    pub(super) fn desc_key(&self) -> DescKey {
        // Core's descendant score is the higher of the entry's own fee rate and the rate of
        // the entry with its descendants.
        let (fee, vsize) = if cmp_feerate(self.desc.fee, self.desc.vsize, self.fee, self.vsize).is_gt() {
            (self.desc.fee, self.desc.vsize)
        } else {
            (self.fee, self.vsize)
        };
        DescKey { fee, vsize, seq: self.seq, tx: self.tx }
    }
}

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
    /// Entry slots; the free ones are listed in `free`.
    pub(super) slots: Vec<Entry>,
    free: Vec<u32>,
    pub(super) index: SlotIndex,
    count: usize,
    /// Which entry spends each input (Core's `mapNextTx`).
    pub(super) spends: SpendIndex,
    pub(super) by_desc_score: DescIndex,
    pub(super) by_time: TimeQueue,
    pub(super) total_vsize: u64,
    pub(super) usage: u64,
    pub(super) next_seq: u64,
    pub(super) rolling: RollingFee,
    /// Removals made by the last `accept` that ended in `Reject::MempoolFull`.
    pub(super) full_removals: Vec<Removal>,
    /// The number of the current graph walk.
    pub(super) walk: u32,
    /// Reusable buffers for walks and ancestor sets, kept to avoid an allocation per call.
    pub(super) scratch: Vec<u32>,
    pub(super) scratch_ancestors: Vec<u32>,
}

impl Mempool {
    /// An empty mempool with `policy`.
    pub fn new(policy: Policy) -> Mempool {
        Mempool {
            policy,
            slots: Vec::new(),
            free: Vec::new(),
            index: SlotIndex::default(),
            count: 0,
            spends: SpendIndex::default(),
            by_desc_score: DescIndex::default(),
            by_time: TimeQueue::default(),
            total_vsize: 0,
            usage: 0,
            next_seq: 0,
            rolling: RollingFee::default(),
            full_removals: Vec::new(),
            walk: 0,
            scratch: Vec::new(),
            scratch_ancestors: Vec::new(),
        }
    }

    /// The policy this mempool enforces.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// True if `tx` is in the mempool.
    pub fn contains(&self, tx: TxId) -> bool {
        self.index.get(tx).is_some()
    }

    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
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
        self.spends.get(&input)
    }

    /// Transactions in id order.
    pub fn iter(&self) -> impl Iterator<Item = TxId> + '_ {
        self.index.iter().map(|(tx, _)| tx)
    }

    /// Totals of `tx` and its in-mempool ancestors, if `tx` is in the mempool.
    pub fn ancestor_totals(&self, tx: TxId) -> Option<Totals> {
        self.slot_of(tx).map(|s| self.slots[s].anc)
    }

    /// Totals of `tx` and its in-mempool descendants, if `tx` is in the mempool.
    pub fn descendant_totals(&self, tx: TxId) -> Option<Totals> {
        self.slot_of(tx).map(|s| self.slots[s].desc)
    }

    /// What the last [`Mempool::accept`] that returned `Reject::MempoolFull` removed: replaced
    /// conflicts, expired and evicted entries, the transaction itself among them. Core keeps
    /// those removals although the transaction is rejected. Emptied by every other accept.
    pub fn last_full_removals(&self) -> &[Removal] {
        &self.full_removals
    }

    /// The slot of `tx`, if it is an entry.
    pub(super) fn slot_of(&self, tx: TxId) -> Option<usize> {
        self.index.get(tx).map(|s| s as usize)
    }

    /// The slot of the entry `tx`, which must exist.
    pub(super) fn slot(&self, tx: TxId) -> usize {
        self.slot_of(tx).unwrap_or_else(|| panic!("mempool: {tx:?} is not an entry"))
    }

    pub(super) fn entry(&self, tx: TxId) -> &Entry {
        &self.slots[self.slot(tx)]
    }

    pub(super) fn entry_mut(&mut self, tx: TxId) -> &mut Entry {
        let s = self.slot(tx);
        &mut self.slots[s]
    }

    /// The live entries in slot order.
    pub(super) fn live_entries(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.slots.iter().filter(|e| e.live)
    }

    /// Changes the descendant totals of the entry in `slot` and keeps the eviction index in
    /// step.
    pub(super) fn change_desc(&mut self, slot: usize, change: impl FnOnce(&mut Totals)) {
        let entry = &mut self.slots[slot];
        if !self.by_desc_score.active {
            change(&mut entry.desc);
            return;
        }
        let old = entry.desc_key();
        change(&mut entry.desc);
        let new = entry.desc_key();
        if old.fee != new.fee || old.vsize != new.vsize {
            self.by_desc_score.keys.remove(&old);
            self.by_desc_score.keys.insert(new);
        }
    }

    /// Builds the eviction index if it is not kept at the moment.
    pub(super) fn activate_desc_index(&mut self) {
        if !self.by_desc_score.active {
            self.by_desc_score.keys = self.live_entries().map(Entry::desc_key).collect();
            self.by_desc_score.active = true;
        }
    }

    /// Stops keeping the eviction index once the mempool is at most half full.
    pub(super) fn maybe_deactivate_desc_index(&mut self) {
        if self.by_desc_score.active && self.usage <= self.policy.max_usage_bytes / 2 {
            self.by_desc_score = DescIndex::default();
        }
    }

    /// A free slot, reusing a released one (and its vectors' capacity) when there is one.
    fn alloc_slot(&mut self) -> usize {
        match self.free.pop() {
            Some(s) => s as usize,
            None => {
                self.slots.push(Entry::vacant());
                self.slots.len() - 1
            }
        }
    }

    /// Adds `tx` with entry time `now` (Core's `addNewTransaction`). `ancestors` holds the
    /// slots of its full in-mempool ancestor set. In-mempool children are not linked here:
    /// a new transaction has none, except after a reorg, where `update_from_block` links them.
    pub(super) fn add_entry(&mut self, tx: TxId, t: &Tx, now: SimTime, ancestors: &[u32]) {
        let vsize = u64::from(t.vsize());
        let own = Totals { count: 1, vsize, fee: t.fee_sat };
        let slot = self.alloc_slot();
        let mut parents = std::mem::take(&mut self.slots[slot].parents);
        self.mempool_parents_into(t, &mut parents);
        for &p in &parents {
            insert_sorted(&mut self.entry_mut(p).children, tx);
        }
        let mut anc = own;
        for &a in ancestors {
            anc.add(self.slots[a as usize].own());
            self.change_desc(a as usize, |d| d.add(own));
        }
        for &input in t.inputs.iter() {
            let previous = self.spends.insert(input, tx);
            assert!(previous.is_none(), "mempool: {input:?} spent twice ({previous:?} and {tx:?})");
        }
        let seq = self.next_seq;
        let usage = self.policy.usage_of(vsize);
        let e = &mut self.slots[slot];
        e.inputs.set(&t.inputs);
        e.parents = parents;
        debug_assert!(e.children.is_empty());
        (e.tx, e.live, e.vsize, e.weight, e.fee, e.usage) =
            (tx, true, vsize, u64::from(t.weight), t.fee_sat, usage);
        (e.time, e.seq, e.anc, e.desc, e.staged) = (now, seq, anc, own, false);
        e.txid_head = u64::from_be_bytes(t.txid[..8].try_into().expect("eight bytes"));
        if self.by_desc_score.active {
            self.by_desc_score.keys.insert(self.slots[slot].desc_key());
        }
        self.index.insert(tx, slot as u32);
        self.next_seq += 1;
        self.count += 1;
        self.total_vsize += vsize;
        self.usage += usage;
        self.record_time(TimeRecord { time: now, tx, seq });
    }

    /// Adds an entry time to the expiry order, first dropping stale records if they pile up.
    fn record_time(&mut self, record: TimeRecord) {
        let mut queue = std::mem::take(&mut self.by_time);
        queue.compact(self.count, |r| self.is_live(r));
        queue.push(record);
        self.by_time = queue;
    }

    /// True if `record` belongs to the current entry of its transaction.
    pub(super) fn is_live(&self, record: &TimeRecord) -> bool {
        self.slot_of(record.tx).is_some_and(|s| self.slots[s].seq == record.seq)
    }

    /// Removes every entry of `stage`, sorted and without repeats (Core's `RemoveStaged`),
    /// recording each with `reason`. All cached totals are updated while the links are
    /// intact, then the links are cut. `update_descendants` must be true unless `stage`
    /// holds all descendants of its members.
    pub(super) fn remove_staged(
        &mut self,
        stage: &[TxId],
        update_descendants: bool,
        reason: RemovalReason,
        out: &mut Vec<Removal>,
    ) {
        debug_assert!(stage.windows(2).all(|w| w[0] < w[1]), "stage is sorted");
        for &tx in stage {
            self.entry_mut(tx).staged = true;
        }
        let mut found = std::mem::take(&mut self.scratch);
        for &tx in stage {
            let slot = self.slot(tx);
            let own = self.slots[slot].own();
            if update_descendants && !self.slots[slot].children.is_empty() {
                found.clear();
                self.begin_walk();
                self.walk_descendants(slot, &mut found);
                for &d in &found {
                    let d = &mut self.slots[d as usize];
                    if !d.staged {
                        d.anc.sub(own);
                    }
                }
            }
            if !self.slots[slot].parents.is_empty() {
                found.clear();
                self.begin_walk();
                self.walk_ancestors(slot, &mut found);
                for &a in &found {
                    if !self.slots[a as usize].staged {
                        self.change_desc(a as usize, |d| d.sub(own));
                    }
                }
            }
        }
        self.scratch = found;
        for &tx in stage {
            self.erase(tx);
            out.push(Removal { tx, reason });
        }
    }

    /// Removes `tx` from every link and index and frees its slot; its totals were already
    /// accounted for. Its time record turns stale.
    fn erase(&mut self, tx: TxId) {
        let slot = self.index.remove(tx) as usize;
        let parents = std::mem::take(&mut self.slots[slot].parents);
        let children = std::mem::take(&mut self.slots[slot].children);
        for &p in &parents {
            if let Some(ps) = self.slot_of(p) {
                remove_sorted(&mut self.slots[ps].children, tx);
            }
        }
        for &c in &children {
            if let Some(cs) = self.slot_of(c) {
                remove_sorted(&mut self.slots[cs].parents, tx);
            }
        }
        for input in self.slots[slot].inputs.iter() {
            self.spends.remove(input);
        }
        if self.by_desc_score.active {
            self.by_desc_score.keys.remove(&self.slots[slot].desc_key());
        }
        let e = &mut self.slots[slot];
        (e.parents, e.children) = (parents, children);
        e.parents.clear();
        e.children.clear();
        e.live = false;
        e.staged = false;
        self.total_vsize -= e.vsize;
        self.usage -= e.usage;
        self.count -= 1;
        self.free.push(slot as u32);
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
        let roots: Vec<usize> = match self.slot_of(tx) {
            Some(slot) => vec![slot],
            None => self.output_spenders(tx, outputs).map(|s| self.slot(s)).collect(),
        };
        let stage = self.stage_with_descendants(roots);
        self.remove_staged(&stage, false, reason, out);
    }

    /// Entries spending an output of `tx`, by output index (with repeats when one spends
    /// several).
    pub(super) fn output_spenders(&self, tx: TxId, outputs: u16) -> impl Iterator<Item = TxId> + '_ {
        (0..outputs).filter_map(move |vout| self.spends.get(&Input::Out { tx, vout }))
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
