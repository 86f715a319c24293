//! Which mempool entry spends each input (Core's `mapNextTx`).
//!
//! Every acceptance looks up and inserts each input, and every removal deletes each one, so
//! this is a hash table rather than an ordered map: open addressing with linear probing and
//! deletion by backward shift. The hash is a fixed function of the input, with no per-run
//! seed, and the table is never iterated, so nothing that depends on its layout can reach a
//! result: runs stay deterministic.

use super::tx::{Input, TxId};

/// The fewest cells a non-empty table has.
const MIN_CELLS: usize = 16;

/// A map from spent input to spending transaction.
#[derive(Clone, Debug, Default)]
pub(super) struct SpendIndex {
    /// A power of two many cells (or none), at most three quarters full.
    cells: Vec<Option<(Input, TxId)>>,
    len: usize,
}

/// The splitmix64 finaliser of a fixed encoding of `input`.
fn hash(input: &Input) -> u64 {
    let mut x = match *input {
        Input::Coin(coin) => coin,
        // Outpoints and coins are told apart by the top bit, which coin numbers rarely use;
        // a collision would only cost a probe.
        Input::Out { tx, vout } => (1 << 63) | (u64::from(tx.0) << 16) | u64::from(vout),
    };
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl SpendIndex {
    /// Number of inputs held.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn mask(&self) -> usize {
        self.cells.len() - 1
    }

    /// The cell holding `input`, if it is present.
    fn find(&self, input: &Input) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        let mut at = hash(input) as usize & mask;
        loop {
            match &self.cells[at] {
                None => return None,
                Some((key, _)) if key == input => return Some(at),
                Some(_) => at = (at + 1) & mask,
            }
        }
    }

    /// The transaction spending `input`.
    pub(super) fn get(&self, input: &Input) -> Option<TxId> {
        self.find(input).and_then(|at| self.cells[at].map(|(_, tx)| tx))
    }

    /// Records that `tx` spends `input`; returns the previous spender, if any.
    pub(super) fn insert(&mut self, input: Input, tx: TxId) -> Option<TxId> {
        if (self.len + 1) * 4 > self.cells.len() * 3 {
            self.resize((self.cells.len() * 2).max(MIN_CELLS));
        }
        let mask = self.mask();
        let mut at = hash(&input) as usize & mask;
        loop {
            match &mut self.cells[at] {
                cell @ None => {
                    *cell = Some((input, tx));
                    self.len += 1;
                    return None;
                }
                Some((key, spender)) if *key == input => return Some(std::mem::replace(spender, tx)),
                Some(_) => at = (at + 1) & mask,
            }
        }
    }

    /// Forgets `input`; returns its spender, if it was present.
    pub(super) fn remove(&mut self, input: &Input) -> Option<TxId> {
        let at = self.find(input)?;
        let (_, tx) = self.cells[at].take().expect("found cell");
        self.len -= 1;
        // The table keeps its size: a mempool refills after every block, and its entry
        // slots keep their peak count too.
        self.close_gap(at);
        Some(tx)
    }

    /// Backward-shift deletion: moves later members of the probe run into the emptied
    /// cell `hole` until every member is again reachable from its home cell.
    fn close_gap(&mut self, mut hole: usize) {
        let mask = self.mask();
        let mut at = hole;
        loop {
            at = (at + 1) & mask;
            let Some((key, _)) = &self.cells[at] else { break };
            let home = hash(key) as usize & mask;
            // The member may fill the hole if the hole lies on its probe path (from its home
            // cell up to where it sits).
            if at.wrapping_sub(home) & mask >= at.wrapping_sub(hole) & mask {
                self.cells[hole] = self.cells[at].take();
                hole = at;
            }
        }
    }

    /// Rehashes into `cells` cells.
    fn resize(&mut self, cells: usize) {
        let old = std::mem::replace(&mut self.cells, vec![None; cells]);
        let mask = cells - 1;
        for (input, tx) in old.into_iter().flatten() {
            let mut at = hash(&input) as usize & mask;
            while self.cells[at].is_some() {
                at = (at + 1) & mask;
            }
            self.cells[at] = Some((input, tx));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::sim::SimRng;

    /// Random inserts and removals agree with an ordered map, through growth and emptying.
    #[test]
    fn agrees_with_an_ordered_map() {
        let mut rng = SimRng::from_seed_u64(11);
        let mut table = SpendIndex::default();
        let mut model = BTreeMap::new();
        for step in 0..200_000u32 {
            // A small key space makes collisions, replacements and long probe runs common;
            // the phases fill the table, then almost empty it.
            let key = if rng.chance(0.5) {
                Input::Coin(rng.below(3_000))
            } else {
                Input::Out { tx: TxId(rng.below(1_000) as u32), vout: rng.below(3) as u16 }
            };
            let removing = if (step / 50_000) % 2 == 0 { rng.chance(0.3) } else { rng.chance(0.9) };
            if removing {
                assert_eq!(table.remove(&key), model.remove(&key), "remove {key:?}");
            } else {
                assert_eq!(table.insert(key, TxId(step)), model.insert(key, TxId(step)), "insert {key:?}");
            }
            assert_eq!(table.len(), model.len());
        }
        for (key, tx) in &model {
            assert_eq!(table.get(key), Some(*tx));
        }
        assert_eq!(table.get(&Input::Coin(1 << 40)), None);
    }
}
