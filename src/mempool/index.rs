//! The mempool's lookup structures: where each entry lives ([`SlotIndex`]), the eviction
//! order ([`DescIndex`], Core's `descendant_score` index) and the entry-time order that
//! expiry reads ([`TimeQueue`], Core's `entry_time` index).
//!
//! They trade generality for speed on the simulator's access pattern: transaction ids are
//! dense and a mempool holds a sliding window of recent ones, the size limit is rarely
//! reached, and entry times almost always arrive in order.

use std::cmp::Ordering;
use std::collections::{BTreeSet, VecDeque};

use super::policy::cmp_feerate;
use super::tx::TxId;
use crate::sim::SimTime;

/// Transaction ids per page of the slot index.
const PAGE_BITS: u32 = 8;
const PAGE_LEN: usize = 1 << PAGE_BITS;
/// The slot of an id that is not in the mempool.
const NO_SLOT: u32 = u32::MAX;

/// One page of the slot index: the slots of `PAGE_LEN` consecutive ids.
#[derive(Clone, Debug)]
struct Page {
    /// Ids of the page that are in the mempool.
    live: u32,
    slots: [u32; PAGE_LEN],
}

/// Maps a transaction id to the slot of its entry. A direct table is split into pages of
/// consecutive ids, allocated while one of their ids is present, so a lookup is two loads
/// and memory follows the window of ids the mempool holds rather than every id ever seen.
/// The transaction relay indexes its request trackers with it too.
#[derive(Clone, Debug, Default)]
pub(crate) struct SlotIndex {
    pages: Vec<Option<Box<Page>>>,
}

impl SlotIndex {
    /// The slot of `tx`, if it is in the mempool.
    pub(crate) fn get(&self, tx: TxId) -> Option<u32> {
        let page = self.pages.get((tx.0 >> PAGE_BITS) as usize)?.as_deref()?;
        let slot = page.slots[tx.index() % PAGE_LEN];
        (slot != NO_SLOT).then_some(slot)
    }

    /// Records that `tx` lives in `slot`; `tx` must be absent.
    pub(crate) fn insert(&mut self, tx: TxId, slot: u32) {
        let p = (tx.0 >> PAGE_BITS) as usize;
        if self.pages.len() <= p {
            self.pages.resize_with(p + 1, || None);
        }
        let page =
            self.pages[p].get_or_insert_with(|| Box::new(Page { live: 0, slots: [NO_SLOT; PAGE_LEN] }));
        let cell = &mut page.slots[tx.index() % PAGE_LEN];
        assert_eq!(*cell, NO_SLOT, "slot index: {tx:?} indexed twice");
        *cell = slot;
        page.live += 1;
    }

    /// Forgets `tx` and returns its slot; `tx` must be present.
    pub(crate) fn remove(&mut self, tx: TxId) -> u32 {
        let p = (tx.0 >> PAGE_BITS) as usize;
        let page = self.pages[p].as_deref_mut().expect("slot index: removing an unindexed id");
        let slot = std::mem::replace(&mut page.slots[tx.index() % PAGE_LEN], NO_SLOT);
        assert_ne!(slot, NO_SLOT, "slot index: removing an unindexed id");
        page.live -= 1;
        if page.live == 0 {
            self.pages[p] = None;
        }
        slot
    }

    /// Every (id, slot) pair in id order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (TxId, u32)> + '_ {
        self.pages.iter().enumerate().filter_map(|(p, page)| Some((p, page.as_deref()?))).flat_map(
            |(p, page)| {
                let base = (p as u32) << PAGE_BITS;
                let slots = page.slots.iter().enumerate();
                slots.filter(|(_, s)| **s != NO_SLOT).map(move |(i, &s)| (TxId(base + i as u32), s))
            },
        )
    }
}

/// Position of an entry in the eviction order (Core's `CompareTxMemPoolEntryByDescendantScore`):
/// lowest descendant score first, and among equal scores the newer entry first.
#[derive(Clone, Copy, Debug)]
pub(super) struct DescKey {
    pub(super) fee: u64,
    pub(super) vsize: u64,
    pub(super) seq: u64,
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

/// The eviction order, kept only while the mempool is near its size limit. Far below it
/// nothing is evicted, so keeping the order would cost every acceptance and removal two
/// tree updates per touched entry for nothing. The mempool builds the index when it first
/// needs the worst entry and drops it when a block leaves it at most half full; the
/// hysteresis keeps rebuilds rare.
#[derive(Clone, Debug, Default)]
pub(super) struct DescIndex {
    pub(super) active: bool,
    pub(super) keys: BTreeSet<DescKey>,
}

/// One entry time as the expiry order records it. `seq` tells a record of the current entry
/// from a stale one left by an earlier entry of the same transaction.
#[derive(Clone, Copy, Debug)]
pub(super) struct TimeRecord {
    pub(super) time: SimTime,
    pub(super) tx: TxId,
    pub(super) seq: u64,
}

/// Entry times, oldest first (Core's `entry_time` index). Removal is lazy: a record stays
/// until expiry reaches it or a compaction drops it, and callers tell live records from stale
/// ones. Entries almost always arrive in time order, so adding is a push at the back.
#[derive(Clone, Debug, Default)]
pub(super) struct TimeQueue {
    pub(super) records: VecDeque<TimeRecord>,
}

impl TimeQueue {
    /// Adds a record, keeping the queue sorted by time.
    pub(super) fn push(&mut self, record: TimeRecord) {
        match self.records.back() {
            Some(last) if last.time > record.time => {
                let at = self.records.partition_point(|r| r.time <= record.time);
                self.records.insert(at, record);
            }
            _ => self.records.push_back(record),
        }
    }

    /// Drops the stale records once they outnumber the live ones, so memory stays
    /// proportional to the mempool. `live` counts the mempool's entries.
    pub(super) fn compact(&mut self, live: usize, is_live: impl Fn(&TimeRecord) -> bool) {
        if self.records.len() > 2 * live + 64 {
            self.records.retain(is_live);
        }
    }
}
