//! Walks of the mempool's parent/child graph (Core's `CalculateMemPoolAncestors` and
//! `CalculateDescendants`).
//!
//! The hot paths mark each entry they reach with the number of the current walk, so a walk
//! allocates nothing and a set of roots is deduplicated for free; the order in which a walk
//! lists entries is unspecified, and callers that need an order sort. The set-returning
//! versions serve the consistency check and the rare reorg paths.

use std::collections::BTreeSet;

use super::pool::{Entry, Mempool};
use super::tx::{Input, Tx, TxId};

impl Mempool {
    /// Starts a new walk: afterwards no entry counts as reached.
    pub(super) fn begin_walk(&mut self) {
        self.walk = self.walk.wrapping_add(1);
        if self.walk == 0 {
            // The counter wrapped: clear every mark so that no old mark equals a new walk.
            for e in &mut self.slots {
                e.visit = 0;
            }
            self.walk = 1;
        }
    }

    /// Marks the entry in `slot` reached by the current walk; true if it was not yet.
    pub(super) fn visit(&mut self, slot: usize) -> bool {
        let e = &mut self.slots[slot];
        let first = e.visit != self.walk;
        e.visit = self.walk;
        first
    }

    /// True if the current walk reached the entry in `slot`.
    pub(super) fn visited(&self, slot: usize) -> bool {
        self.slots[slot].visit == self.walk
    }

    /// Appends to `found` the entry in `slot` and its descendants that the current walk has
    /// not reached yet.
    pub(super) fn walk_descendants(&mut self, slot: usize, found: &mut Vec<u32>) {
        if !self.visit(slot) {
            return;
        }
        let start = found.len();
        found.push(slot as u32);
        self.expand(start, found, |e| &e.children);
    }

    /// Appends to `found` the ancestors of the entry in `slot` (not the entry itself) that
    /// the current walk has not reached yet.
    pub(super) fn walk_ancestors(&mut self, slot: usize, found: &mut Vec<u32>) {
        let start = found.len();
        for i in 0..self.slots[slot].parents.len() {
            let p = self.slot(self.slots[slot].parents[i]);
            if self.visit(p) {
                found.push(p as u32);
            }
        }
        self.expand(start, found, |e| &e.parents);
    }

    /// Appends to `found` the in-mempool ancestors of the transaction `t` (not yet an
    /// entry) that the current walk has not reached yet.
    pub(super) fn walk_ancestors_of_tx(&mut self, t: &Tx, found: &mut Vec<u32>) {
        let start = found.len();
        for input in t.inputs.iter() {
            if let Input::Out { tx, .. } = *input {
                if let Some(p) = self.slot_of(tx) {
                    if self.visit(p) {
                        found.push(p as u32);
                    }
                }
            }
        }
        self.expand(start, found, |e| &e.parents);
    }

    /// Breadth-first closure: follows `links` from every entry of `found[start..]`, appending
    /// each entry not reached yet.
    fn expand(&mut self, start: usize, found: &mut Vec<u32>, links: impl Fn(&Entry) -> &Vec<TxId>) {
        let mut next = start;
        while next < found.len() {
            let at = found[next] as usize;
            next += 1;
            for i in 0..links(&self.slots[at]).len() {
                let linked = self.slot(links(&self.slots[at])[i]);
                if self.visit(linked) {
                    found.push(linked as u32);
                }
            }
        }
    }

    /// The entries of `roots` and all their descendants, sorted and without repeats: a stage
    /// for `remove_staged`.
    pub(super) fn stage_with_descendants(&mut self, roots: impl IntoIterator<Item = usize>) -> Vec<TxId> {
        let mut found = std::mem::take(&mut self.scratch);
        found.clear();
        self.begin_walk();
        for slot in roots {
            self.walk_descendants(slot, &mut found);
        }
        let mut stage: Vec<TxId> = found.iter().map(|&s| self.slots[s as usize].tx).collect();
        stage.sort_unstable();
        self.scratch = found;
        stage
    }

    /// Fills `parents` with the in-mempool parents of `t`, sorted and without repeats.
    pub(super) fn mempool_parents_into(&self, t: &Tx, parents: &mut Vec<TxId>) {
        parents.clear();
        for input in t.inputs.iter() {
            match *input {
                Input::Out { tx, .. } if self.contains(tx) => parents.push(tx),
                _ => {}
            }
        }
        if parents.len() > 1 {
            parents.sort_unstable();
            parents.dedup();
        }
    }

    /// The in-mempool parents of `t`, sorted and without repeats.
    pub(super) fn mempool_parents(&self, t: &Tx) -> Vec<TxId> {
        let mut parents = Vec::new();
        self.mempool_parents_into(t, &mut parents);
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
}
