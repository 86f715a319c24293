//! A seeded random workload: chains, double spends, replacements, blocks mined from
//! templates, reorgs, expiry and a small size limit, with every invariant checked after
//! every step.

use super::*;
use std::collections::BTreeMap;

use crate::sim::SimRng;

/// The workload's state beside the fixture: spendable outputs and the blocks on the chain.
struct World {
    fx: Fx,
    rng: SimRng,
    /// Outputs that some transaction may spend (confirmed, in the mempool, or stale).
    outputs: Vec<Input>,
    blocks: Vec<Vec<TxId>>,
    next_coin: u64,
    now_s: u64,
    /// How often each kind of event happened, to show the workload reaches every path.
    stats: Stats,
}

/// Event counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Stats {
    accepted: u64,
    rejected: BTreeMap<&'static str, u64>,
    removed: BTreeMap<RemovalReason, u64>,
    mined: u64,
    reorgs: u64,
}

impl World {
    fn new(seed: u64) -> World {
        let policy =
            Policy { max_usage_bytes: 60_000, expiry: SimDuration::from_secs(20_000), ..Policy::core_v30() };
        World {
            fx: Fx::new(policy),
            rng: SimRng::from_seed_u64(seed),
            outputs: Vec::new(),
            blocks: Vec::new(),
            next_coin: 0,
            now_s: 0,
            stats: Stats::default(),
        }
    }

    /// A new transaction spending one to three known outputs or fresh coins.
    fn new_tx(&mut self) -> TxId {
        let n_inputs = 1 + self.rng.below(3) as usize;
        let mut inputs = Vec::new();
        for _ in 0..n_inputs {
            let input = if self.outputs.is_empty() || self.rng.chance(0.3) {
                self.next_coin += 1;
                coin(self.next_coin)
            } else {
                self.outputs[self.rng.index(self.outputs.len())]
            };
            if !inputs.contains(&input) {
                inputs.push(input);
            }
        }
        let vsize = 100 + self.rng.below(2_000) as u32;
        let fee = u64::from(vsize) * self.rng.below(30) / 2 + self.rng.below(50);
        let outputs = 1 + self.rng.below(3) as u16;
        let id =
            [self.rng.u32().to_be_bytes(), [0; 4], [0; 4], [0; 4], [0; 4], [0; 4], [0; 4], [0; 4]].concat();
        self.fx.tx_full(&inputs, outputs, vsize, fee, Some(id.try_into().unwrap()))
    }

    /// Mines a block from the template and tells the mempool.
    fn mine(&mut self) {
        let template = self.fx.pool.template(&self.fx.arena, 40_000);
        check_template(&self.fx, &template, 40_000);
        for &tx in &template.txs {
            self.fx.confirm(tx);
        }
        let conflicts = self.fx.pool.remove_for_block(&self.fx.arena, &template.txs, at(self.now_s));
        assert!(conflicts.is_empty(), "a template conflicts with its own mempool");
        self.stats.mined += template.txs.len() as u64;
        self.blocks.push(template.txs);
    }

    /// Disconnects the last block and re-adds its transactions.
    fn reorg(&mut self) {
        let Some(block) = self.blocks.pop() else { return };
        for &tx in &block {
            self.fx.chain.confirmed.remove(&tx);
            for input in self.fx.arena.get(tx).inputs.iter() {
                self.fx.chain.spent.remove(input);
            }
        }
        let removed = self.fx.pool.readd_after_reorg(&self.fx.arena, &block, at(self.now_s), &self.fx.chain);
        self.count_removals(&removed);
        self.stats.reorgs += 1;
    }

    fn step(&mut self) {
        self.now_s += self.rng.below(120);
        match self.rng.below(100) {
            0..=84 => {
                let tx = self.new_tx();
                match self.fx.pool.accept(&self.fx.arena, tx, at(self.now_s), &self.fx.chain) {
                    Ok(accepted) => {
                        self.stats.accepted += 1;
                        for vout in 0..self.fx.arena.get(tx).outputs {
                            self.outputs.push(out(tx, vout));
                        }
                        self.count_removals(&accepted.removed);
                    }
                    Err(reject) => {
                        *self.stats.rejected.entry(reject.core_reason()).or_default() += 1;
                        let removed = self.fx.pool.last_full_removals().to_vec();
                        self.count_removals(&removed);
                    }
                }
            }
            85..=90 => self.mine(),
            91..=93 => self.reorg(),
            _ => {
                let expired = self.fx.pool.expire(at(self.now_s));
                *self.stats.removed.entry(RemovalReason::Expiry).or_default() += expired.len() as u64;
            }
        }
        self.fx.pool.check_consistency(&self.fx.arena);
        self.check_against_chain();
    }

    fn count_removals(&mut self, removed: &[Removal]) {
        for r in removed {
            *self.stats.removed.entry(r.reason).or_default() += 1;
        }
    }

    /// No mempool transaction conflicts with the chain or is confirmed.
    fn check_against_chain(&self) {
        for tx in self.fx.pool.iter() {
            assert!(!self.fx.chain.confirmed.contains(&tx), "{tx:?} is confirmed and in the mempool");
            for input in self.fx.arena.get(tx).inputs.iter() {
                assert!(!self.fx.chain.spent.contains(input), "{tx:?} spends {input:?}, spent in the chain");
            }
        }
    }
}

/// A template's transactions are distinct mempool entries whose mempool parents come
/// earlier, its totals add up, and it stays below the weight limit.
fn check_template(fx: &Fx, template: &Template, max_weight: u64) {
    let mut seen = BTreeSet::new();
    let (mut weight, mut fees, mut vsize) = (0, 0, 0);
    for &tx in &template.txs {
        assert!(fx.pool.contains(tx));
        let t = fx.arena.get(tx);
        for input in t.inputs.iter() {
            if let Input::Out { tx: parent, .. } = *input {
                assert!(!fx.pool.contains(parent) || seen.contains(&parent), "{tx:?} before its parent");
            }
        }
        assert!(seen.insert(tx), "{tx:?} twice");
        weight += u64::from(t.weight);
        fees += t.fee_sat;
        vsize += u64::from(t.vsize());
    }
    assert_eq!((template.weight, template.fees_sat, template.vsize), (weight, fees, vsize));
    assert!(weight + fx.pool.policy().block_reserved_weight < max_weight);
}

/// Runs the workload and returns its event counts and final contents.
fn run(seed: u64, steps: usize) -> (Stats, Vec<TxId>) {
    let mut world = World::new(seed);
    for _ in 0..steps {
        world.step();
    }
    (world.stats, world.fx.contents())
}

#[test]
fn random_workload_keeps_every_invariant() {
    let mut total = Stats::default();
    for seed in 1..=4 {
        let (stats, _) = run(seed, 2_000);
        total.accepted += stats.accepted;
        total.mined += stats.mined;
        total.reorgs += stats.reorgs;
        for (reason, n) in stats.rejected {
            *total.rejected.entry(reason).or_default() += n;
        }
        for (reason, n) in stats.removed {
            *total.removed.entry(reason).or_default() += n;
        }
    }
    // Every path the workload aims at was taken.
    assert!(total.accepted > 0 && total.mined > 0 && total.reorgs > 0, "{total:?}");
    for reason in [RemovalReason::Replaced, RemovalReason::SizeLimit, RemovalReason::Expiry] {
        assert!(total.removed.get(&reason).is_some_and(|&n| n > 0), "no {reason:?} removals: {total:?}");
    }
    for reason in ["insufficient fee", "mempool min fee not met", "min relay fee not met", "mempool full"] {
        assert!(total.rejected.get(reason).is_some_and(|&n| n > 0), "no {reason} rejections: {total:?}");
    }
}

#[test]
fn random_workload_is_deterministic() {
    assert_eq!(run(7, 800), run(7, 800));
}
