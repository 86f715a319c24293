//! Block templates by ancestor-feerate package selection: Core v27–v30's
//! `BlockAssembler::addPackageTxs` with `UpdatePackagesForAdded`, `TestPackage` and
//! `SortForBlock` (`src/node/miner.cpp`), and the `ancestor_score` order of
//! `CompareTxMemPoolEntryByAncestorFee` (`src/txmempool.h`).
//!
//! Sigop limits are not modelled (every script is standard and far below them).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::policy::{cmp_feerate, fee_at_rate};
use super::pool::Mempool;
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

/// One mempool entry as the template sees it.
#[derive(Clone, Debug)]
struct Candidate {
    tx: TxId,
    txid: [u8; 32],
    fee: u64,
    vsize: u64,
    weight: u64,
    anc_count: u64,
    anc_fee: u64,
    anc_vsize: u64,
    /// The ancestor score from the full ancestor totals.
    score: (u64, u64),
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

/// An entry of the modified set, ordered best first.
#[derive(Clone, Copy, Debug)]
struct ModifiedKey {
    score: (u64, u64),
    txid: [u8; 32],
    pos: usize,
}

impl Ord for ModifiedKey {
    fn cmp(&self, other: &Self) -> Ordering {
        by_score(self.score, &self.txid, other.score, &other.txid).then_with(|| self.pos.cmp(&other.pos))
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
    /// Every entry, sorted by ancestor score (Core's `ancestor_score` index).
    cands: Vec<Candidate>,
    /// Entry ids in id order, and the position in `cands` of each.
    ids: Vec<TxId>,
    pos_by_rank: Vec<usize>,
    flags: Vec<u8>,
    /// Ancestor (fee, vsize) of entries with ancestors in the block (`mapModifiedTx`).
    modified: Vec<(u64, u64)>,
    modified_order: BTreeSet<ModifiedKey>,
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
    fn new(pool: &'a Mempool, arena: &TxArena, cutoff: SimTime) -> Builder<'a> {
        let mut cands: Vec<Candidate> = pool
            .entries
            .iter()
            .filter(|(_, e)| e.time <= cutoff)
            .map(|(&tx, e)| {
                let mut c = Candidate {
                    tx,
                    txid: arena.get(tx).txid,
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
            .collect();
        // The order is total (ids break txid ties), so an unstable sort is deterministic.
        cands.sort_unstable_by(|a, b| {
            by_score(a.score, &a.txid, b.score, &b.txid).then_with(|| a.tx.cmp(&b.tx))
        });
        let mut ids: Vec<TxId> = cands.iter().map(|c| c.tx).collect();
        ids.sort_unstable();
        let mut pos_by_rank = vec![0; cands.len()];
        for (pos, c) in cands.iter().enumerate() {
            pos_by_rank[ids.binary_search(&c.tx).expect("candidate is an entry")] = pos;
        }
        let n = cands.len();
        Builder {
            pool,
            cands,
            ids,
            pos_by_rank,
            flags: vec![0; n],
            modified: vec![(0, 0); n],
            modified_order: BTreeSet::new(),
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
        let n = self.cands.len();
        let mut mi = 0;
        let mut failures = 0u32;
        loop {
            while mi < n && self.flags[mi] & (IN_BLOCK | FAILED | IN_MODIFIED) != 0 {
                mi += 1;
            }
            let best_modified = self.modified_order.first().copied();
            let (cand, from_modified) = match best_modified {
                None if mi == n => break,
                Some(m) if mi == n || self.modified_beats(m, mi) => (m.pos, true),
                _ => {
                    mi += 1;
                    (mi - 1, false)
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
            let package = self.package_of(cand);
            for &p in &package {
                self.add_to_block(p);
            }
            self.update_packages_for_added(&package);
        }
    }

    /// Position of entry `tx` in `cands`.
    fn pos(&self, tx: TxId) -> usize {
        self.pos_by_rank[self.ids.binary_search(&tx).expect("template entry")]
    }

    /// True if the modified entry `m` goes before the unmodified entry at `mi`.
    fn modified_beats(&self, m: ModifiedKey, mi: usize) -> bool {
        let c = &self.cands[mi];
        by_score(m.score, &m.txid, c.score, &c.txid).is_lt()
    }

    /// The candidate and its in-mempool ancestors not yet in the block, sorted by ancestor
    /// count then txid (Core's `SortForBlock`), so parents come first.
    fn package_of(&self, cand: usize) -> Vec<usize> {
        let parents = &self.pool.entry(self.cands[cand].tx).parents;
        let mut package: Vec<usize> = self
            .pool
            .ancestors_from(parents)
            .into_iter()
            .map(|a| self.pos(a))
            .filter(|&p| self.flags[p] & IN_BLOCK == 0)
            .collect();
        package.push(cand);
        package.sort_by(|&a, &b| {
            let (ca, cb) = (&self.cands[a], &self.cands[b]);
            ca.anc_count.cmp(&cb.anc_count).then_with(|| ca.txid.cmp(&cb.txid)).then_with(|| a.cmp(&b))
        });
        package
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
    fn update_packages_for_added(&mut self, package: &[usize]) {
        let added: BTreeSet<TxId> = package.iter().map(|&p| self.cands[p].tx).collect();
        let mut reductions: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
        for &p in package {
            // Most transactions have no children; skip the walk for them.
            if self.pool.entry(self.cands[p].tx).children.is_empty() {
                continue;
            }
            let mut below = BTreeSet::new();
            self.pool.descendants_into(self.cands[p].tx, &mut below);
            // Descendants that arrived after the cutoff are not candidates.
            let candidates =
                below.into_iter().filter(|d| !added.contains(d) && self.ids.binary_search(d).is_ok());
            for d in candidates.collect::<Vec<_>>() {
                let r = reductions.entry(self.pos(d)).or_default();
                r.0 += self.cands[p].fee;
                r.1 += self.cands[p].vsize;
            }
        }
        for (d, (fee, vsize)) in reductions {
            let (anc_fee, anc_vsize) = if self.flags[d] & IN_MODIFIED != 0 {
                let current = self.modified[d];
                self.drop_modified(d);
                current
            } else {
                (self.cands[d].anc_fee, self.cands[d].anc_vsize)
            };
            let reduced = (anc_fee - fee, anc_vsize - vsize);
            let c = &self.cands[d];
            let key = ModifiedKey { score: ancestor_score(c, reduced.0, reduced.1), txid: c.txid, pos: d };
            self.modified[d] = reduced;
            self.modified_order.insert(key);
            self.flags[d] |= IN_MODIFIED;
        }
    }

    fn drop_modified(&mut self, p: usize) {
        let c = &self.cands[p];
        let (fee, vsize) = self.modified[p];
        let key = ModifiedKey { score: ancestor_score(c, fee, vsize), txid: c.txid, pos: p };
        self.modified_order.remove(&key);
        self.flags[p] &= !IN_MODIFIED;
    }
}
