//! `splits.csv`: chain splits between groups of nodes that run different consensus rules.
//!
//! A block *diverges* when fewer rule sets accept it than accept its parent (a block heavier
//! than the old limit after a block-size increase, say). A split is every diverging block on
//! the same parent that the same rule sets reject: the parent is the fork point, the new
//! branch is what grew from those blocks under the rules that accept them, and the old branch
//! what grew from the fork point under the rules that reject them. Each branch is measured at
//! the end of the run: its length (blocks above the fork point on its most-work chain), the
//! nodes whose tip is on it and the hash share of the miners working on it. A split is
//! *healed* when, at the end, one branch has no node left on it; its *depth* is the length of
//! the shorter branch, the blocks one side would give up to reunite. When each side rejects
//! the other's blocks (two difficulty algorithms, say), the split is reported once, from the
//! side whose block came first.

use serde::Serialize;

use super::write::Row;
use crate::chain::{BlockTree, RulesId};
use crate::consensus::BlockId;
use crate::world::RunOutput;

/// One row of `splits.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SplitRow {
    /// Index, in order of the fork point's height, then of the first diverging block.
    pub split: u32,
    /// Height of the first block that diverges (the fork point's height + 1).
    pub height: u32,
    /// Hash of the fork point, the last block both sides accept.
    pub fork_hash: String,
    /// When the first diverging block was found (seconds).
    pub found_s: f64,
    /// The rule sets that accept the diverging blocks, by name, `;`-separated.
    pub accepting: String,
    /// The rule sets that reject them.
    pub rejecting: String,
    /// Blocks above the fork point on the new branch's most-work chain.
    pub new_length: u32,
    /// Blocks above the fork point on the old branch's most-work chain.
    pub old_length: u32,
    /// Nodes whose final tip is on the new branch.
    pub new_nodes: u32,
    /// Nodes whose final tip is on the old branch (or at the fork point, when they run rules
    /// that reject the new branch).
    pub old_nodes: u32,
    /// Share of the hash rate at the end mining on the new branch.
    pub new_hash_share: f64,
    /// Share of the hash rate at the end mining on the old branch.
    pub old_hash_share: f64,
    /// One branch has no node left at the end.
    pub healed: bool,
    /// The shorter branch's length.
    pub depth: u32,
}

impl Row for SplitRow {
    const COLUMNS: &'static [&'static str] = &[
        "split",
        "height",
        "fork_hash",
        "found_s",
        "accepting",
        "rejecting",
        "new_length",
        "old_length",
        "new_nodes",
        "old_nodes",
        "new_hash_share",
        "old_hash_share",
        "healed",
        "depth",
    ];
}

/// A bit set of rule sets (at most 256 rule sets: four words).
type RuleMask = [u64; 4];

fn accepting(tree: &BlockTree, b: BlockId) -> RuleMask {
    let mut mask = [0u64; 4];
    for r in 0..tree.rules_count() {
        if tree.is_valid(b, RulesId(r as u8)) {
            mask[r / 64] |= 1 << (r % 64);
        }
    }
    mask
}

fn names(mask: &RuleMask, all: &[String]) -> String {
    let set: Vec<&str> =
        (0..all.len()).filter(|&r| mask[r / 64] >> (r % 64) & 1 == 1).map(|r| all[r].as_str()).collect();
    set.join(";")
}

fn contains(mask: &RuleMask, r: RulesId) -> bool {
    mask[r.index() / 64] >> (r.index() % 64) & 1 == 1
}

/// Every split of the run, in order of height.
pub fn split_rows(out: &RunOutput) -> Vec<SplitRow> {
    let w = &out.world;
    let tree = w.tree();
    if tree.rules_count() < 2 {
        return Vec::new();
    }
    // (fork point, accepting rules) -> the diverging blocks, in id order.
    let mut splits: Vec<(BlockId, RuleMask, Vec<BlockId>)> = Vec::new();
    for (id, rec) in tree.iter().skip(tree.history_len() as usize) {
        let parent = rec.parent.expect("mined blocks have parents");
        let (mine, theirs) = (accepting(tree, id), accepting(tree, parent));
        if mine == theirs || mine == [0; 4] {
            continue;
        }
        // Seen from the other side, a split whose sides reject each other's blocks is the
        // same split: its rejecting rules diverge too, with their own first blocks.
        let reject: RuleMask = std::array::from_fn(|k| theirs[k] & !mine[k]);
        let same = |p: &BlockId, m: &RuleMask| *p == parent && (*m == mine || *m == reject);
        match splits.iter_mut().find(|(p, m, _)| same(p, m)) {
            Some((_, m, blocks)) if *m == mine => blocks.push(id),
            Some(_) => {}
            None => splits.push((parent, mine, vec![id])),
        }
    }
    splits.sort_by_key(|(p, _, blocks)| (tree.get(*p).height, blocks[0]));
    let total_hs = w.hash_power().total_hashrate_hs();
    let rule_names = w.rule_names();
    splits
        .iter()
        .enumerate()
        .map(|(i, (fork, accept, blocks))| {
            let parent_accept = accepting(tree, *fork);
            let reject: RuleMask = std::array::from_fn(|k| parent_accept[k] & !accept[k]);
            let on_new = |b: BlockId| blocks.iter().any(|&d| tree.is_ancestor_or_self(d, b));
            let on_old = |b: BlockId| tree.is_ancestor_or_self(*fork, b) && !on_new(b);
            let valid_under = |b: BlockId, rules: &RuleMask| {
                (0..tree.rules_count())
                    .any(|r| contains(rules, RulesId(r as u8)) && tree.is_valid(b, RulesId(r as u8)))
            };
            // The most-work block the branch holds (the first found among equals).
            let length = |keep: &dyn Fn(BlockId) -> bool, rules: &RuleMask| {
                let mut best: Option<BlockId> = None;
                for (id, rec) in tree.iter().skip(tree.history_len() as usize) {
                    let better = best.is_none_or(|b| rec.chainwork > tree.get(b).chainwork);
                    if better && keep(id) && valid_under(id, rules) {
                        best = Some(id);
                    }
                }
                best.map_or(0, |t| tree.get(t).height - tree.get(*fork).height)
            };
            let new_length = length(&|b| on_new(b), accept);
            let old_length = length(&|b| on_old(b) && b != *fork, &reject);
            let (mut new_nodes, mut old_nodes) = (0u32, 0u32);
            for n in 0..w.nodes().len() as u32 {
                let node = crate::net::NodeId(n);
                let tip = w.nodes().tip(node);
                if on_new(tip) {
                    new_nodes += 1;
                } else if on_old(tip) && contains(&reject, w.nodes().rules(node)) {
                    old_nodes += 1;
                }
            }
            let (mut new_hs, mut old_hs) = (0.0, 0.0);
            for (m, &tip) in w.hash_power().miners().iter().zip(w.miner_tips()) {
                if on_new(tip) {
                    new_hs += m.hashrate_hs;
                } else if on_old(tip) && contains(&reject, w.nodes().rules(m.node)) {
                    old_hs += m.hashrate_hs;
                }
            }
            let share = |hs: f64| if total_hs > 0.0 { hs / total_hs } else { 0.0 };
            SplitRow {
                split: i as u32,
                height: tree.get(*fork).height + 1,
                fork_hash: tree.get(*fork).hash.to_string(),
                found_s: tree.get(blocks[0]).found_at.as_secs_f64(),
                accepting: names(accept, rule_names),
                rejecting: names(&reject, rule_names),
                new_length,
                old_length,
                new_nodes,
                old_nodes,
                new_hash_share: share(new_hs),
                old_hash_share: share(old_hs),
                healed: new_nodes == 0 || old_nodes == 0,
                depth: new_length.min(old_length),
            }
        })
        .collect()
}
