//! The mempool's internal invariants, recomputed from scratch (in the spirit of Core's
//! `CTxMemPool::check`).

use std::collections::BTreeSet;

use super::pool::{Mempool, Totals};
use super::tx::{Input, TxArena, TxId};

impl Mempool {
    /// Checks every internal invariant and panics with a message naming the first broken
    /// one (see [`Mempool::check`]).
    pub fn check_consistency(&self, arena: &TxArena) {
        if let Err(e) = self.check(arena) {
            panic!("{e}");
        }
    }

    /// Checks every internal invariant and names the first broken one: links agree with the
    /// inputs, cached ancestor and descendant totals agree with a recomputation, no two entries
    /// spend one input, the indexes and running totals agree with the entries, and the memory
    /// use is within `-maxmempool`.
    pub fn check(&self, arena: &TxArena) -> Result<(), String> {
        let mut total_vsize = 0;
        let mut usage = 0;
        let mut inputs = 0;
        let mut live = 0;
        for (tx, slot) in self.index.iter() {
            let e = &self.slots[slot as usize];
            let t = arena.get(tx);
            ensure!(e.live && e.tx == tx, "mempool: index and slot of {tx:?} disagree");
            ensure_eq!(e.inputs[..], t.inputs[..], "mempool: {tx:?} keeps inputs that differ from the arena");
            ensure_eq!(e.vsize, u64::from(t.vsize()), "mempool: {tx:?} vsize");
            ensure_eq!(e.fee, t.fee_sat, "mempool: {tx:?} fee");
            ensure_eq!(e.txid_head.to_be_bytes(), t.txid[..8], "mempool: {tx:?} txid head");
            ensure_eq!(e.parents, self.mempool_parents(t), "mempool: {tx:?} parent links");
            ensure_eq!(e.children, self.children_by_spends(tx, t.outputs), "mempool: {tx:?} child links");
            for input in t.inputs.iter() {
                ensure_eq!(self.spends.get(input), Some(tx), "mempool: {input:?} of {tx:?} not indexed");
            }
            self.check_totals(tx)?;
            total_vsize += e.vsize;
            usage += e.usage;
            inputs += t.inputs.len();
            live += 1;
        }
        ensure_eq!(live, self.len(), "mempool: entry count");
        ensure_eq!(self.live_entries().count(), live, "mempool: live slots outside the index");
        ensure_eq!(self.spends.len(), inputs, "mempool: spent-input index has stray entries");
        self.check_time_order()?;
        if self.by_desc_score.active {
            ensure_eq!(self.by_desc_score.keys.len(), live, "mempool: eviction index size");
            for key in &self.by_desc_score.keys {
                let Some(slot) = self.slot_of(key.tx) else {
                    return Err(format!("mempool: the eviction index names {:?}, which is missing", key.tx));
                };
                ensure!(
                    self.slots[slot].desc_key_matches(key),
                    "mempool: stale eviction key for {:?}",
                    key.tx
                );
            }
        }
        ensure_eq!(self.total_vsize, total_vsize, "mempool: running total vsize");
        ensure_eq!(self.usage, usage, "mempool: running memory use");
        ensure!(
            self.usage <= self.policy.max_usage_bytes,
            "mempool: uses {} bytes, over its limit of {}",
            self.usage,
            self.policy.max_usage_bytes
        );
        Ok(())
    }

    /// The expiry order is sorted by time and holds exactly one live record per entry,
    /// carrying the entry's time.
    fn check_time_order(&self) -> Result<(), String> {
        let records = &self.by_time.records;
        ensure!(
            records.iter().zip(records.iter().skip(1)).all(|(a, b)| a.time <= b.time),
            "mempool: time index out of order"
        );
        let mut live: Vec<TxId> = records.iter().filter(|r| self.is_live(r)).map(|r| r.tx).collect();
        for r in records.iter().filter(|r| self.is_live(r)) {
            ensure_eq!(self.entry(r.tx).time, r.time, "mempool: time record of {:?}", r.tx);
        }
        live.sort_unstable();
        let before = live.len();
        live.dedup();
        ensure_eq!(before, live.len(), "mempool: an entry has two time records");
        ensure_eq!(live.len(), self.len(), "mempool: an entry is missing from the time index");
        Ok(())
    }

    /// Entries spending an output of `tx`, by the spent-input index.
    fn children_by_spends(&self, tx: TxId, outputs: u16) -> Vec<TxId> {
        let children: BTreeSet<TxId> = self.output_spenders(tx, outputs).collect();
        children.into_iter().collect()
    }

    /// Recomputes the ancestor and descendant totals of `tx` from the links.
    fn check_totals(&self, tx: TxId) -> Result<(), String> {
        let e = self.entry(tx);
        let mut anc = e.own();
        for a in self.ancestors_from(&e.parents) {
            anc.add(self.entry(a).own());
        }
        ensure_eq!(e.anc, anc, "mempool: cached ancestor totals of {tx:?}");
        let mut below = BTreeSet::new();
        self.descendants_into(tx, &mut below);
        let mut desc = Totals::default();
        for d in below {
            desc.add(self.entry(d).own());
        }
        ensure_eq!(e.desc, desc, "mempool: cached descendant totals of {tx:?}");
        for input in e.inputs.iter() {
            if let Input::Out { tx: parent, .. } = *input {
                ensure!(parent != tx, "mempool: {tx:?} spends itself");
            }
        }
        Ok(())
    }
}
