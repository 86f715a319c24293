//! The mempool's internal invariants, recomputed from scratch (in the spirit of Core's
//! `CTxMemPool::check`).

use std::collections::BTreeSet;

use super::pool::{Mempool, Totals};
use super::tx::{Input, TxArena, TxId};

impl Mempool {
    /// Checks every internal invariant and panics with a message naming the first broken
    /// one: links agree with the inputs, cached ancestor and descendant totals agree with a
    /// recomputation, no two entries spend one input, and the indexes and running totals
    /// agree with the entries.
    pub fn check_consistency(&self, arena: &TxArena) {
        let mut total_vsize = 0;
        let mut usage = 0;
        let mut inputs = 0;
        let mut live = 0;
        for (tx, slot) in self.index.iter() {
            let e = &self.slots[slot as usize];
            let t = arena.get(tx);
            assert!(e.live && e.tx == tx, "mempool: index and slot of {tx:?} disagree");
            assert_eq!(e.inputs[..], t.inputs[..], "mempool: {tx:?} keeps inputs that differ from the arena");
            assert_eq!(e.vsize, u64::from(t.vsize()), "mempool: {tx:?} vsize");
            assert_eq!(e.fee, t.fee_sat, "mempool: {tx:?} fee");
            assert_eq!(e.txid_head.to_be_bytes(), t.txid[..8], "mempool: {tx:?} txid head");
            assert_eq!(e.parents, self.mempool_parents(t), "mempool: {tx:?} parent links");
            assert_eq!(e.children, self.children_by_spends(tx, t.outputs), "mempool: {tx:?} child links");
            for input in t.inputs.iter() {
                assert_eq!(self.spends.get(input), Some(tx), "mempool: {input:?} of {tx:?} not indexed");
            }
            self.check_totals(tx);
            total_vsize += e.vsize;
            usage += e.usage;
            inputs += t.inputs.len();
            live += 1;
        }
        assert_eq!(live, self.len(), "mempool: entry count");
        assert_eq!(self.live_entries().count(), live, "mempool: live slots outside the index");
        assert_eq!(self.spends.len(), inputs, "mempool: spent-input index has stray entries");
        self.check_time_order();
        if self.by_desc_score.active {
            assert_eq!(self.by_desc_score.keys.len(), live, "mempool: eviction index size");
            for key in &self.by_desc_score.keys {
                let slot = self.slot_of(key.tx).expect("mempool: eviction index names a missing entry");
                assert!(
                    self.slots[slot].desc_key_matches(key),
                    "mempool: stale eviction key for {:?}",
                    key.tx
                );
            }
        }
        assert_eq!(self.total_vsize, total_vsize, "mempool: running total vsize");
        assert_eq!(self.usage, usage, "mempool: running memory use");
    }

    /// The expiry order is sorted by time and holds exactly one live record per entry,
    /// carrying the entry's time.
    fn check_time_order(&self) {
        let records = &self.by_time.records;
        assert!(
            records.iter().zip(records.iter().skip(1)).all(|(a, b)| a.time <= b.time),
            "mempool: time index out of order"
        );
        let mut live: Vec<TxId> = records.iter().filter(|r| self.is_live(r)).map(|r| r.tx).collect();
        for r in records.iter().filter(|r| self.is_live(r)) {
            assert_eq!(self.entry(r.tx).time, r.time, "mempool: time record of {:?}", r.tx);
        }
        live.sort_unstable();
        let before = live.len();
        live.dedup();
        assert_eq!(before, live.len(), "mempool: an entry has two time records");
        assert_eq!(live.len(), self.len(), "mempool: an entry is missing from the time index");
    }

    /// Entries spending an output of `tx`, by the spent-input index.
    fn children_by_spends(&self, tx: TxId, outputs: u16) -> Vec<TxId> {
        let children: BTreeSet<TxId> = self.output_spenders(tx, outputs).collect();
        children.into_iter().collect()
    }

    /// Recomputes the ancestor and descendant totals of `tx` from the links.
    fn check_totals(&self, tx: TxId) {
        let e = self.entry(tx);
        let mut anc = e.own();
        for a in self.ancestors_from(&e.parents) {
            anc.add(self.entry(a).own());
        }
        assert_eq!(e.anc, anc, "mempool: cached ancestor totals of {tx:?}");
        let mut below = BTreeSet::new();
        self.descendants_into(tx, &mut below);
        let mut desc = Totals::default();
        for d in below {
            desc.add(self.entry(d).own());
        }
        assert_eq!(e.desc, desc, "mempool: cached descendant totals of {tx:?}");
        for input in e.inputs.iter() {
            if let Input::Out { tx: parent, .. } = *input {
                assert_ne!(parent, tx, "mempool: {tx:?} spends itself");
            }
        }
    }
}
