//! `--check-invariants`: the world's invariants, re-derived from first principles while a run
//! goes, so that a bug in the model stops the run instead of skewing its results.
//!
//! After every event, each node whose tip moved is checked: its tip descends from the run's
//! first block, the node holds it validated, its rules' verdict accepts it, and every block
//! between it and the last block already checked under those rules passes the checks below.
//! After every mined block every node's tip is checked that way, and so are two mempools: the
//! one the block's template came from and the next in turn, so that the cost stays that of one
//! or two mempools per block while every mempool is checked again and again. Once the run is
//! finished, every mempool is checked.
//!
//! A block is checked once per rule set, against its parent, without the tree's cached verdict:
//! the stored hash and chainwork agree with the header; nBits is what the rules' difficulty
//! algorithm gives; the time is after the parent's median time past and not before the parent
//! was found; the weight is within the limit; the coinbase claims no more than the subsidy plus
//! the block's fees (so coins issued along any chain never exceed the subsidy schedule); and,
//! with transactions, the fees are the sum of its transactions' fees, and no transaction is
//! confirmed twice, spends an input its chain already spent, or spends an output not yet
//! confirmed. A mempool passes its own consistency check (see `mempool::check`), stays within
//! its memory limit, reflects its node's tip, and holds nothing confirmed in, or in conflict
//! with, that tip's chain.
//!
//! That simulated time never goes backwards is enforced by the event queue on every run.

use crate::chain::RulesId;
use crate::consensus::{BlockId, block_proof, block_subsidy, median_time_past};
use crate::net::NodeId;
use crate::sim::SimTime;

use super::World;

/// What the checker remembers between events.
#[derive(Debug, Default)]
pub(crate) struct Invariants {
    /// Per block and rule set (`block * rule sets + rules`): checked already.
    checked: Vec<bool>,
    /// Nodes whose tip moved since the last check.
    pub(crate) moved: Vec<NodeId>,
    /// A block was mined since the last check, from the mempool of this node (if it keeps
    /// one): check every tip and that mempool.
    pub(crate) mined_at: Option<NodeId>,
    /// The mempool checked next in turn, as an index into the nodes that keep one.
    next_pool: usize,
}

impl Invariants {
    fn is_checked(&self, b: BlockId, r: RulesId, rule_sets: usize) -> bool {
        self.checked.get(b.index() * rule_sets + r.index()).copied().unwrap_or(false)
    }

    fn mark(&mut self, b: BlockId, r: RulesId, rule_sets: usize) {
        let i = b.index() * rule_sets + r.index();
        if self.checked.len() <= i {
            self.checked.resize(i + 1, false);
        }
        self.checked[i] = true;
    }
}

impl World {
    /// Checks the world's invariants after an event at `now` (see the module's text).
    pub(crate) fn check_invariants_now(&mut self, now: SimTime) -> Result<(), String> {
        let Some(mut inv) = self.invariants.take() else { return Ok(()) };
        let result = self.check_with(&mut inv, now);
        self.invariants = Some(inv);
        result
    }

    fn check_with(&self, inv: &mut Invariants, now: SimTime) -> Result<(), String> {
        let finished = crate::sim::Model::finished(self);
        let mined_at = inv.mined_at.take();
        let moved = std::mem::take(&mut inv.moved);
        if mined_at.is_none() && !finished {
            for n in moved {
                self.check_tip(inv, n, now)?;
            }
            return Ok(());
        }
        for n in 0..self.nodes.len() as u32 {
            self.check_tip(inv, NodeId(n), now)?;
        }
        let Some(txw) = &self.txw else { return Ok(()) };
        let pool_nodes = txw.pool_nodes();
        let mut due: Vec<NodeId> = if finished {
            pool_nodes.to_vec()
        } else {
            let next = pool_nodes.get(inv.next_pool % pool_nodes.len().max(1)).copied();
            inv.next_pool = inv.next_pool.wrapping_add(1);
            mined_at.filter(|&n| txw.pool_tip(n).is_some()).into_iter().chain(next).collect()
        };
        due.dedup();
        for n in due {
            let tip = self.nodes.tip(n);
            ensure!(
                txw.pool_tip(n) == Some(tip),
                "node {}'s mempool reflects block {:?}, not its tip {tip:?}",
                n.0,
                txw.pool_tip(n)
            );
            txw.check_pool(&self.tree, n)?;
        }
        Ok(())
    }

    /// Node `n`'s tip, and every block below it not yet checked under its rules.
    fn check_tip(&self, inv: &mut Invariants, n: NodeId, now: SimTime) -> Result<(), String> {
        let tree = &self.tree;
        let tip = self.nodes.tip(n);
        let r = self.nodes.rules(n);
        let start = tree.start_tip();
        let h = tree.get(tip).height;
        ensure!(
            tree.is_ancestor_or_self(start, tip),
            "node {}'s tip {tip:?} (height {h}) does not descend from the run's first block",
            n.0
        );
        ensure!(
            self.nodes.has_valid(n, tip),
            "node {}'s tip {tip:?} (height {h}) was never validated by it",
            n.0
        );
        if let Err(e) = tree.verdict(tip, r) {
            return Err(format!(
                "node {}'s tip {tip:?} (height {h}) is invalid under its rules \"{}\": {e}",
                n.0,
                self.rule_names[r.index()]
            ));
        }
        let rule_sets = tree.rules_count();
        let mut path = Vec::new();
        let mut b = tip;
        while b != start && !inv.is_checked(b, r, rule_sets) {
            path.push(b);
            b = tree.get(b).parent.expect("a block above the first block has a parent");
        }
        for &b in path.iter().rev() {
            self.check_block(b, r, now).map_err(|e| {
                format!("node {}'s chain (tip {tip:?}, height {h}) holds a bad block: {e}", n.0)
            })?;
            inv.mark(b, r, rule_sets);
        }
        Ok(())
    }

    /// The checks of one block under rules `r`, from its header, its parent and its
    /// transactions alone.
    fn check_block(&self, b: BlockId, r: RulesId, now: SimTime) -> Result<(), String> {
        let tree = &self.tree;
        let rec = tree.get(b);
        let parent = rec.parent.expect("a block above the first block has a parent");
        let prec = tree.get(parent);
        let h = rec.height;
        let at = format!("block {b:?} at height {h}");
        ensure_eq!(rec.hash, rec.header.hash(), "{at}: stored hash and header hash");
        ensure_eq!(rec.header.prev_hash, prec.hash, "{at}: previous-block hash and its parent's hash");
        ensure_eq!(h, prec.height + 1, "{at}: height and parent's height + 1");
        let work = prec.chainwork.wrapping_add(block_proof(rec.header.bits));
        ensure_eq!(rec.chainwork, work, "{at}: chainwork and parent's chainwork + its proof");
        let params = tree.params_at(r, h);
        let time = i64::from(rec.header.time);
        let rules = &self.rule_names[r.index()];
        let expected = tree.next_bits(r, parent, time);
        ensure!(
            rec.header.bits == expected,
            "{at}: nBits {:#010x}, but its rules \"{rules}\" require {expected:#010x}",
            rec.header.bits
        );
        let mtp = median_time_past(tree, parent, params.mtp_window);
        ensure!(time > mtp, "{at}: time {time} not after its parent's median time past {mtp}");
        ensure!(
            rec.found_at >= prec.found_at && rec.found_at <= now,
            "{at}: found at {:.6} s, before its parent ({:.6} s) or after now ({:.6} s)",
            rec.found_at.as_secs_f64(),
            prec.found_at.as_secs_f64(),
            now.as_secs_f64()
        );
        ensure!(
            rec.weight <= params.max_block_weight,
            "{at}: weight {} over the limit {} of rules \"{rules}\"",
            rec.weight,
            params.max_block_weight
        );
        let allowed = block_subsidy(h, params).saturating_add(rec.fees_sat);
        ensure!(
            rec.coinbase_sat <= allowed,
            "{at}: the coinbase claims {} sat, more than the subsidy plus fees, {allowed} sat",
            rec.coinbase_sat
        );
        if let Some(txw) = &self.txw {
            txw.check_block(tree, b).map_err(|e| format!("{at}: {e}"))?;
        }
        Ok(())
    }
}
