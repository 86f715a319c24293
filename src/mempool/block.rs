//! The mempool and the chain: removing a connected block's transactions and their conflicts
//! (Core's `CTxMemPool::removeForBlock`), and returning the transactions of disconnected
//! blocks after a reorg (Core's `MaybeUpdateMempoolForReorg`, `DisconnectedBlockTransactions`
//! and `CTxMemPool::UpdateTransactionsFromBlock`).
//!
//! Callers follow Core's order for a reorg: `remove_for_block` for every newly connected
//! block, then one `readd_after_reorg` with the transactions of all disconnected blocks.

use std::collections::BTreeSet;

use super::accept::ChainView;
use super::outcome::{Removal, RemovalReason};
use super::pool::{Mempool, Totals, insert_sorted};
use super::tx::{TxArena, TxId};
use crate::sim::SimTime;

impl Mempool {
    /// A block connected to the node's chain: removes its transactions and everything
    /// conflicting with them (with descendants), and restarts the rolling-fee clock at `now`.
    /// Returns the removed conflicts.
    pub fn remove_for_block(&mut self, arena: &TxArena, block_txs: &[TxId], now: SimTime) -> Vec<TxId> {
        // The block's own transactions are not reported; `confirmed` only takes their records.
        let mut confirmed = Vec::new();
        let mut conflicts = Vec::new();
        for &tx in block_txs {
            if self.contains(tx) {
                // The block's own transaction leaves alone; its descendants stay and lose it
                // from their ancestor totals.
                self.remove_staged(&[tx], true, RemovalReason::Block, &mut confirmed);
                confirmed.clear();
                // It was the only spender of each of its inputs, so no entry conflicts.
                continue;
            }
            for input in arena.get(tx).inputs.iter() {
                if let Some(spender) = self.spender(*input) {
                    let outputs = arena.get(spender).outputs;
                    self.remove_recursive(spender, outputs, RemovalReason::Conflict, &mut conflicts);
                }
            }
        }
        self.note_block(now);
        self.maybe_deactivate_desc_index();
        conflicts.into_iter().map(|r| r.tx).collect()
    }

    /// After a reorg: re-submits the transactions of the disconnected blocks (`disconnected`,
    /// oldest block first, in block order) without the fee floors and the size trim, dropping
    /// each one that fails together with the mempool transactions that depend on it; links
    /// the returning transactions to their in-mempool descendants; then expires and trims.
    /// `chain` is the new active chain. Transactions it confirms again are skipped, as Core
    /// takes them out of the disconnect queue when their new block connects.
    ///
    /// As in Core, the queue is capped: when its modelled memory exceeds
    /// `max_disconnected_pool_bytes`, the most recently confirmed transactions are dropped
    /// (with their in-mempool descendants). The topology limits still apply to re-added
    /// transactions, checked before their old descendants are linked, and a linked
    /// descendant whose ancestors then exceed the ancestor limits leaves (`SizeLimit`).
    pub fn readd_after_reorg(
        &mut self,
        arena: &TxArena,
        disconnected: &[TxId],
        now: SimTime,
        chain: &impl ChainView,
    ) -> Vec<Removal> {
        let mut removed = Vec::new();
        let kept = self.cap_disconnected(arena, disconnected, &mut removed);
        let mut readded = Vec::new();
        for &tx in &disconnected[..kept] {
            if chain.confirmed(tx) {
                continue;
            }
            match self.accept_one(arena, tx, now, chain, true, &mut removed) {
                Ok(()) => readded.push(tx),
                Err(_) => {
                    let outputs = arena.get(tx).outputs;
                    self.remove_recursive(tx, outputs, RemovalReason::Reorg, &mut removed);
                }
            }
        }
        self.update_from_block(arena, &readded, &mut removed);
        self.limit_size(now, &mut removed);
        removed
    }

    /// Core's `DisconnectedBlockTransactions::LimitMemoryUsage`: keeps the longest oldest-first
    /// prefix of `disconnected` within the memory cap and removes the mempool descendants of
    /// the rest. Returns the length of the kept prefix.
    fn cap_disconnected(
        &mut self,
        arena: &TxArena,
        disconnected: &[TxId],
        removed: &mut Vec<Removal>,
    ) -> usize {
        let mut used = 0u64;
        let mut kept = disconnected.len();
        for (i, &tx) in disconnected.iter().enumerate() {
            used += self.policy.usage_of(u64::from(arena.get(tx).vsize()));
            if used > self.policy.max_disconnected_pool_bytes {
                kept = i;
                break;
            }
        }
        // Core evicts the newest first, as blocks are disconnected from the tip down.
        for &tx in disconnected[kept..].iter().rev() {
            let outputs = arena.get(tx).outputs;
            self.remove_recursive(tx, outputs, RemovalReason::Reorg, removed);
        }
        kept
    }

    /// Core's `UpdateTransactionsFromBlock`: links each re-added transaction (newest first)
    /// to the mempool transactions that already spent its outputs, adds it to their ancestor
    /// totals and them to its descendant totals, then removes (with descendants) those whose
    /// ancestor count or size now exceeds the limits.
    fn update_from_block(&mut self, arena: &TxArena, readded: &[TxId], removed: &mut Vec<Removal>) {
        let returning: BTreeSet<TxId> = readded.iter().copied().collect();
        let mut too_long = BTreeSet::new();
        for &tx in readded.iter().rev() {
            if !self.contains(tx) {
                continue;
            }
            let children: Vec<TxId> = self.output_spenders(tx, arena.get(tx).outputs).collect();
            for child in children.into_iter().filter(|c| !returning.contains(c)) {
                insert_sorted(&mut self.entry_mut(tx).children, child);
                insert_sorted(&mut self.entry_mut(child).parents, tx);
            }
            self.update_for_descendants(tx, &returning, &mut too_long);
        }
        for tx in too_long {
            if self.contains(tx) {
                let outputs = arena.get(tx).outputs;
                self.remove_recursive(tx, outputs, RemovalReason::SizeLimit, removed);
            }
        }
    }

    /// Core's `UpdateForDescendants`: credits `tx` to every descendant outside `exclude` and
    /// them to `tx`, noting descendants that now exceed the ancestor limits.
    fn update_for_descendants(&mut self, tx: TxId, exclude: &BTreeSet<TxId>, too_long: &mut BTreeSet<TxId>) {
        let mut descendants = BTreeSet::new();
        self.descendants_into(tx, &mut descendants);
        descendants.remove(&tx);
        let own = self.entry(tx).own();
        let limit_count = u64::from(self.policy.ancestor_limit_count);
        let limit_vb = self.policy.ancestor_limit_vb;
        let mut gained = Totals::default();
        for d in descendants.into_iter().filter(|d| !exclude.contains(d)) {
            let entry = self.entry_mut(d);
            entry.anc.add(own);
            gained.add(entry.own());
            if entry.anc.count > limit_count || entry.anc.vsize > limit_vb {
                too_long.insert(d);
            }
        }
        let slot = self.slot(tx);
        self.change_desc(slot, |d| d.add(gained));
    }
}
