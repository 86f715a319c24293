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
        for (&tx, e) in &self.entries {
            let t = arena.get(tx);
            assert_eq!(e.inputs, t.inputs, "mempool: {tx:?} keeps inputs that differ from the arena");
            assert_eq!(e.vsize, u64::from(t.vsize()), "mempool: {tx:?} vsize");
            assert_eq!(e.fee, t.fee_sat, "mempool: {tx:?} fee");
            assert_eq!(e.parents, self.mempool_parents(t), "mempool: {tx:?} parent links");
            assert_eq!(e.children, self.children_by_spends(tx, t.outputs), "mempool: {tx:?} child links");
            for input in t.inputs.iter() {
                assert_eq!(self.spends.get(input), Some(&tx), "mempool: {input:?} of {tx:?} not indexed");
            }
            self.check_totals(tx);
            total_vsize += e.vsize;
            usage += e.usage;
            inputs += t.inputs.len();
            assert!(self.by_time.contains(&(e.time, tx)), "mempool: {tx:?} missing from the time index");
        }
        assert_eq!(self.spends.len(), inputs, "mempool: spent-input index has stray entries");
        assert_eq!(self.by_time.len(), self.entries.len(), "mempool: time index size");
        assert_eq!(self.by_desc_score.len(), self.entries.len(), "mempool: eviction index size");
        for key in &self.by_desc_score {
            let e = self.entries.get(&key.tx).expect("mempool: eviction index names a missing entry");
            assert!(e.desc_key_matches(key.tx, key), "mempool: stale eviction key for {:?}", key.tx);
        }
        assert_eq!(self.total_vsize, total_vsize, "mempool: running total vsize");
        assert_eq!(self.usage, usage, "mempool: running memory use");
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
