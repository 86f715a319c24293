//! Block templates by ancestor-feerate package selection: Core v27–v30's
//! `BlockAssembler::addPackageTxs` with `UpdatePackagesForAdded`, `TestPackage` and
//! `SortForBlock` (`src/node/miner.cpp`), and the `ancestor_score` order of
//! `CompareTxMemPoolEntryByAncestorFee` (`src/txmempool.h`).
//!
//! Sigop limits are not modelled (every script is standard and far below them).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use super::policy::{cmp_feerate, fee_at_rate};
use super::pool::{Entry, Mempool};
use super::tx::{TxArena, TxId};
use crate::sim::SimTime;

/// A block template's transactions (the coinbase excluded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    /// Transactions in block order, parents before children.
    pub txs: Vec<TxId>,
    /// Their total weight (without the reserved weight for header and coinbase).
    pub weight: u64,
    /// Their total fee in satoshi.
    pub fees_sat: u64,
    /// Their total vsize.
    pub vsize: u64,
}

/// Entry flags while a template is built.
const IN_BLOCK: u8 = 1;
const FAILED: u8 = 2;
const IN_MODIFIED: u8 = 4;

/// The candidate index of a slot whose entry is no candidate.
const NO_CANDIDATE: u32 = u32::MAX;

/// How many candidates the first chunk of the lazy sort orders; each later chunk is twice
/// the size of the one before.
const FIRST_CHUNK: usize = 4_096;

/// One mempool entry as the template sees it.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    /// The entry's slot in the mempool.
    slot: u32,
    tx: TxId,
    /// The first eight bytes of the txid, big-endian: they order almost every pair of
    /// txids without a look into the arena.
    txid_head: u64,
    /// The entry has in-mempool children.
    has_children: bool,
    fee: u64,
    vsize: u64,
    weight: u64,
    anc_count: u64,
    anc_fee: u64,
    anc_vsize: u64,
    /// The ancestor score from the full ancestor totals.
    score: (u64, u64),
}

/// A candidate in the ancestor-score sort: a key that orders almost every pair on its own,
/// and the candidate's index.
#[derive(Clone, Copy, Debug)]
struct SortKey {
    /// The score as a rounded rate in the high half (inverted, so higher rates sort
    /// first), the txid's first eight bytes in the low half. Rounding is monotone, so two
    /// different rounded rates order the exact ones the same way.
    key: u128,
    pos: u32,
}

/// The ancestor score of an entry with (possibly reduced) ancestor totals: the lower of its
/// own fee rate and its ancestor fee rate, as a (fee, size) pair.
fn ancestor_score(c: &Candidate, anc_fee: u64, anc_vsize: u64) -> (u64, u64) {
    if cmp_feerate(c.fee, c.vsize, anc_fee, anc_vsize).is_gt() {
        (anc_fee, anc_vsize)
    } else {
        (c.fee, c.vsize)
    }
}

/// Core's `CompareTxMemPoolEntryByAncestorFee`: higher score first, then lower txid first
/// (the txid byte arrays compared as `uint256` does, byte by byte).
fn by_score(a: (u64, u64), a_txid: &[u8; 32], b: (u64, u64), b_txid: &[u8; 32]) -> Ordering {
    cmp_feerate(b.0, b.1, a.0, a.1).then_with(|| a_txid.cmp(b_txid))
}

/// An entry of the modified set, ordered best first: by its modified score and txid, then
/// (for equal txids) in the ancestor-score order of the full scores.
#[derive(Clone, Copy, Debug)]
struct ModifiedKey {
    score: (u64, u64),
    txid: [u8; 32],
    full_score: (u64, u64),
    tx: TxId,
    /// The candidate's index.
    pos: usize,
}

impl Ord for ModifiedKey {
    fn cmp(&self, other: &Self) -> Ordering {
        by_score(self.score, &self.txid, other.score, &other.txid)
            .then_with(|| by_score(self.full_score, &self.txid, other.full_score, &other.txid))
            .then_with(|| self.tx.cmp(&other.tx))
    }
}

impl PartialOrd for ModifiedKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ModifiedKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ModifiedKey {}

/// The state of one `addPackageTxs` run.
struct Builder<'a> {
    pool: &'a Mempool,
    arena: &'a TxArena,
    /// Every entry that arrived by the cutoff, in slot order; the per-candidate vectors
    /// below share its indexes.
    cands: Vec<Candidate>,
    /// The candidates by ancestor score (Core's `ancestor_score` index).
    order: Order,
    /// The candidate index of the entry in each mempool slot, `NO_CANDIDATE` if none.
    cand_of_slot: Vec<u32>,
    flags: Vec<u8>,
    /// Ancestor (fee, vsize) of entries with ancestors in the block (`mapModifiedTx`).
    modified: Vec<(u64, u64)>,
    modified_order: BTreeSet<ModifiedKey>,
    /// Walk marks by slot and the current walk's number, for ancestor and descendant walks.
    seen: Vec<u32>,
    walk: u32,
    /// Reusable buffers: the walk's queue, the current package, and the reductions of
    /// `update_packages_for_added` with the candidates they touch.
    queue: Vec<u32>,
    package: Vec<usize>,
    reductions: Vec<(u64, u64)>,
    touched: Vec<usize>,
    block_weight: u64,
    template: Template,
}

impl Mempool {
    /// Core v30's `BlockAssembler::addPackageTxs` on this mempool, for blocks of at most
    /// `max_block_weight` (clamped to at least the reserved weight, as Core's `ClampOptions`).
    pub fn template(&self, arena: &TxArena, max_block_weight: u64) -> Template {
        self.template_as_of(arena, max_block_weight, SimTime::MAX)
    }

    /// The template this mempool gave at `cutoff`, approximated by leaving out
    /// every entry that arrived after it (their descendants arrived later
    /// still, so the rest is closed under ancestors). A miner working on a
    /// template refreshed at `cutoff` mines this.
    pub fn template_as_of(&self, arena: &TxArena, max_block_weight: u64, cutoff: SimTime) -> Template {
        let mut builder = Builder::new(self, arena, cutoff);
        builder.run(max_block_weight.max(self.policy.block_reserved_weight));
        builder.template
    }
}

impl<'a> Builder<'a> {
    fn new(pool: &'a Mempool, arena: &'a TxArena, cutoff: SimTime) -> Builder<'a> {
        let cands = candidates(pool, cutoff);
        let mut cand_of_slot = vec![NO_CANDIDATE; pool.slots.len()];
        for (i, c) in cands.iter().enumerate() {
            cand_of_slot[c.slot as usize] = i as u32;
        }
        let n = cands.len();
        Builder {
            pool,
            arena,
            order: Order::new(&cands),
            cands,
            cand_of_slot,
            flags: vec![0; n],
            modified: vec![(0, 0); n],
            modified_order: BTreeSet::new(),
            seen: vec![0; pool.slots.len()],
            walk: 0,
            queue: Vec::new(),
            package: Vec::new(),
            reductions: vec![(0, 0); n],
            touched: Vec::new(),
            block_weight: pool.policy.block_reserved_weight,
            template: Template::default(),
        }
    }

    /// The selection loop: walk the entries by ancestor score, interleaved with the best
    /// modified entry, adding whole packages (the candidate and its ancestors not yet in the
    /// block) until the block minimum fee rate stops it, the entries run out, or too many
    /// consecutive packages failed to fit in an almost full block.
    fn run(&mut self, max_weight: u64) {
        let pool = self.pool;
        let policy = &pool.policy;
        // The rank of the next unmodified entry in ancestor-score order.
        let mut mi = 0;
        let mut failures = 0u32;
        loop {
            let next = loop {
                match self.order.get(mi, &self.cands, self.arena) {
                    Some(c) if self.flags[c] & (IN_BLOCK | FAILED | IN_MODIFIED) != 0 => mi += 1,
                    next => break next,
                }
            };
            let (cand, from_modified) = match (self.modified_order.first().copied(), next) {
                (None, None) => break,
                (Some(m), None) => (m.pos, true),
                (Some(m), Some(c)) if self.modified_beats(m, c) => (m.pos, true),
                (_, Some(c)) => {
                    mi += 1;
                    (c, false)
                }
            };
            let c = &self.cands[cand];
            let (fee, vsize) = if from_modified { self.modified[cand] } else { (c.anc_fee, c.anc_vsize) };
            if fee < fee_at_rate(policy.block_min_feerate_sat_kvb, vsize) {
                break;
            }
            // Core's `TestPackage` measures a package as 4 × its vsize and never lets the
            // block reach the maximum exactly.
            if self.block_weight + 4 * vsize >= max_weight {
                if from_modified {
                    self.drop_modified(cand);
                    self.flags[cand] |= FAILED;
                }
                failures += 1;
                let full_enough = max_weight.saturating_sub(policy.block_full_enough_weight_delta);
                if failures > policy.max_consecutive_failures && self.block_weight > full_enough {
                    break;
                }
                continue;
            }
            failures = 0;
            self.fill_package(cand);
            for i in 0..self.package.len() {
                self.add_to_block(self.package[i]);
            }
            self.update_packages_for_added();
        }
    }

    /// The candidate index of the entry `tx`.
    fn cand_of(&self, tx: TxId) -> usize {
        let i = self.cand_of_slot[self.pool.slot(tx)];
        assert_ne!(i, NO_CANDIDATE, "template entry");
        i as usize
    }

    /// The full txid of candidate `i`.
    fn txid(&self, i: usize) -> &'a [u8; 32] {
        &self.arena.get(self.cands[i].tx).txid
    }

    /// Candidates `a` and `b` in txid order.
    fn cmp_txid(&self, a: usize, b: usize) -> Ordering {
        let (ca, cb) = (&self.cands[a], &self.cands[b]);
        ca.txid_head.cmp(&cb.txid_head).then_with(|| self.txid(a).cmp(self.txid(b)))
    }

    /// Candidates `a` and `b` in ancestor-score order.
    fn cmp_rank(&self, a: usize, b: usize) -> Ordering {
        let (ca, cb) = (&self.cands[a], &self.cands[b]);
        by_score(ca.score, self.txid(a), cb.score, self.txid(b)).then_with(|| ca.tx.cmp(&cb.tx))
    }

    /// True if the modified entry `m` goes before the unmodified candidate `c`.
    fn modified_beats(&self, m: ModifiedKey, c: usize) -> bool {
        by_score(m.score, &m.txid, self.cands[c].score, self.txid(c)).is_lt()
    }

    /// Fills `self.package` with the candidate and its in-mempool ancestors not yet in the
    /// block, sorted by ancestor count then txid (Core's `SortForBlock`), so parents come
    /// first.
    fn fill_package(&mut self, cand: usize) {
        self.package.clear();
        self.package.push(cand);
        // An ancestor count of one means no in-mempool parents, the common case.
        if self.cands[cand].anc_count == 1 {
            return;
        }
        let slot = self.cands[cand].slot as usize;
        let mut queue = std::mem::take(&mut self.queue);
        self.walk_links(slot, &mut queue, |e| &e.parents);
        for &a in &queue {
            let p = self.cand_of(self.pool.slots[a as usize].tx);
            if self.flags[p] & IN_BLOCK == 0 {
                self.package.push(p);
            }
        }
        self.queue = queue;
        let mut package = std::mem::take(&mut self.package);
        package.sort_by(|&a, &b| {
            let count = self.cands[a].anc_count.cmp(&self.cands[b].anc_count);
            count.then_with(|| self.cmp_txid(a, b)).then_with(|| self.cmp_rank(a, b))
        });
        self.package = package;
    }

    /// Fills `queue` with the slots reachable from `slot` through `links` (its ancestors or
    /// its descendants), `slot` itself excluded.
    fn walk_links(&mut self, slot: usize, queue: &mut Vec<u32>, links: impl Fn(&Entry) -> &Vec<TxId>) {
        self.walk += 1;
        queue.clear();
        self.seen[slot] = self.walk;
        let slots = &self.pool.slots;
        let mut next = 0;
        let mut at = slot;
        loop {
            for &linked in links(&slots[at]) {
                let s = self.pool.slot(linked);
                if self.seen[s] != self.walk {
                    self.seen[s] = self.walk;
                    queue.push(s as u32);
                }
            }
            let Some(&following) = queue.get(next) else { break };
            at = following as usize;
            next += 1;
        }
    }

    /// Core's `AddToBlock` (the running weight adds the actual weight) and removal from the
    /// modified set.
    fn add_to_block(&mut self, p: usize) {
        if self.flags[p] & IN_MODIFIED != 0 {
            self.drop_modified(p);
        }
        self.flags[p] |= IN_BLOCK;
        let c = &self.cands[p];
        self.block_weight += c.weight;
        self.template.txs.push(c.tx);
        self.template.weight += c.weight;
        self.template.fees_sat += c.fee;
        self.template.vsize += c.vsize;
    }

    /// Core's `UpdatePackagesForAdded`: every descendant of the added package (outside it)
    /// enters the modified set, starting from its full ancestor totals if it was not there
    /// (even after an earlier failure, as in Core), less the added ancestors.
    fn update_packages_for_added(&mut self) {
        let mut queue = std::mem::take(&mut self.queue);
        for i in 0..self.package.len() {
            let p = self.package[i];
            // Most transactions have no children; skip the walk for them.
            if !self.cands[p].has_children {
                continue;
            }
            let slot = self.cands[p].slot as usize;
            self.walk_links(slot, &mut queue, |e| &e.children);
            for &d in &queue {
                // Descendants that arrived after the cutoff are not candidates. The package
                // is in the block already, and no other descendant of it can be.
                let i = self.cand_of_slot[d as usize];
                if i == NO_CANDIDATE || self.flags[i as usize] & IN_BLOCK != 0 {
                    continue;
                }
                let r = &mut self.reductions[i as usize];
                if *r == (0, 0) {
                    self.touched.push(i as usize);
                }
                r.0 += self.cands[p].fee;
                r.1 += self.cands[p].vsize;
            }
        }
        self.queue = queue;
        let mut touched = std::mem::take(&mut self.touched);
        for &d in &touched {
            let (fee, vsize) = std::mem::take(&mut self.reductions[d]);
            self.reduce_modified(d, fee, vsize);
        }
        touched.clear();
        self.touched = touched;
    }

    /// Puts the candidate at `d` into the modified set with its ancestor totals less
    /// `fee` and `vsize`.
    fn reduce_modified(&mut self, d: usize, fee: u64, vsize: u64) {
        let (anc_fee, anc_vsize) = if self.flags[d] & IN_MODIFIED != 0 {
            let current = self.modified[d];
            self.drop_modified(d);
            current
        } else {
            (self.cands[d].anc_fee, self.cands[d].anc_vsize)
        };
        let reduced = (anc_fee - fee, anc_vsize - vsize);
        let c = &self.cands[d];
        let score = ancestor_score(c, reduced.0, reduced.1);
        let key = ModifiedKey { score, txid: *self.txid(d), full_score: c.score, tx: c.tx, pos: d };
        self.modified[d] = reduced;
        self.modified_order.insert(key);
        self.flags[d] |= IN_MODIFIED;
    }

    fn drop_modified(&mut self, p: usize) {
        let c = &self.cands[p];
        let (fee, vsize) = self.modified[p];
        let score = ancestor_score(c, fee, vsize);
        let key = ModifiedKey { score, txid: *self.txid(p), full_score: c.score, tx: c.tx, pos: p };
        self.modified_order.remove(&key);
        self.flags[p] &= !IN_MODIFIED;
    }
}

/// The entries that arrived by `cutoff`, in slot order.
fn candidates(pool: &Mempool, cutoff: SimTime) -> Vec<Candidate> {
    pool.slots
        .iter()
        .enumerate()
        .filter(|(_, e)| e.live && e.time <= cutoff)
        .map(|(slot, e)| {
            let mut c = Candidate {
                slot: slot as u32,
                tx: e.tx,
                txid_head: e.txid_head,
                has_children: !e.children.is_empty(),
                fee: e.fee,
                vsize: e.vsize,
                weight: e.weight,
                anc_count: e.anc.count,
                anc_fee: e.anc.fee,
                anc_vsize: e.anc.vsize,
                score: (0, 0),
            };
            c.score = ancestor_score(&c, c.anc_fee, c.anc_vsize);
            c
        })
        .collect()
}

/// The candidates in ancestor-score order (higher score, then lower txid, then lower id; a
/// total order, so unstable sorts are deterministic), sorted lazily: a template of a large
/// mempool stops long before its end, so the order is settled in growing chunks from the
/// front, each picked out of the rest by selection first.
struct Order {
    keys: Vec<SortKey>,
    /// `keys[..sorted]` are in their final order.
    sorted: usize,
    chunk: usize,
}

impl Order {
    fn new(cands: &[Candidate]) -> Order {
        let keys = cands
            .iter()
            .enumerate()
            .map(|(i, c)| {
                // Fees and sizes are below 2^53, so they convert exactly; a non-negative f64's
                // bits grow with its value.
                let rate = c.score.0 as f64 / c.score.1 as f64;
                SortKey { key: (u128::from(!rate.to_bits()) << 64) | u128::from(c.txid_head), pos: i as u32 }
            })
            .collect();
        Order { keys, sorted: 0, chunk: FIRST_CHUNK }
    }

    /// The candidate of rank `rank`, if there are that many.
    fn get(&mut self, rank: usize, cands: &[Candidate], arena: &TxArena) -> Option<usize> {
        if rank >= self.keys.len() {
            return None;
        }
        while rank >= self.sorted {
            self.sort_next_chunk(cands, arena);
        }
        Some(self.keys[rank].pos as usize)
    }

    /// Settles the order of the next chunk of keys.
    fn sort_next_chunk(&mut self, cands: &[Candidate], arena: &TxArena) {
        let rest = &mut self.keys[self.sorted..];
        let mut end = self.chunk.min(rest.len());
        if end < rest.len() {
            rest.select_nth_unstable_by_key(end - 1, |k| k.key);
            // `settle_ties` needs whole runs of equal rounded rates: pull the rest of the
            // run at the chunk's end into the chunk.
            let boundary = rest[end - 1].key >> 64;
            let mut filled = end;
            for i in end..rest.len() {
                if rest[i].key >> 64 == boundary {
                    rest.swap(filled, i);
                    filled += 1;
                }
            }
            end = filled;
        }
        let chunk = &mut rest[..end];
        chunk.sort_unstable_by_key(|k| k.key);
        settle_ties(chunk, cands, arena);
        self.sorted += end;
        self.chunk *= 2;
    }
}

/// Finishes the ancestor-score sort of `keys`, already sorted by their `key`. Within a run
/// of equal rounded rates the key order is exact when the rates are exactly equal and the
/// txid heads differ; any other run is sorted again with the exact order: higher score,
/// lower txid, lower id.
fn settle_ties(keys: &mut [SortKey], cands: &[Candidate], arena: &TxArena) {
    let exact = |a: &SortKey, b: &SortKey| {
        let (ca, cb) = (&cands[a.pos as usize], &cands[b.pos as usize]);
        cmp_feerate(cb.score.0, cb.score.1, ca.score.0, ca.score.1)
            .then_with(|| ca.txid_head.cmp(&cb.txid_head))
            .then_with(|| arena.get(ca.tx).txid.cmp(&arena.get(cb.tx).txid))
            .then_with(|| ca.tx.cmp(&cb.tx))
    };
    let mut start = 0;
    while start < keys.len() {
        let rate = keys[start].key >> 64;
        let end = start + keys[start..].iter().take_while(|k| k.key >> 64 == rate).count();
        let run = &mut keys[start..end];
        let first = &cands[run[0].pos as usize];
        let settled = run.windows(2).all(|w| w[0].key != w[1].key)
            && run.iter().all(|k| {
                let c = &cands[k.pos as usize];
                cmp_feerate(c.score.0, c.score.1, first.score.0, first.score.1).is_eq()
            });
        if !settled {
            run.sort_unstable_by(exact);
        }
        start = end;
    }
}
