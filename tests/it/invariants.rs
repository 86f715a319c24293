//! Seeded random small scenarios, each checked against the model's invariants.

use crate::common::{config, run};
use powsim::report::summarize;
use powsim::sim::{SimRng, StopReason};

/// Derives a whole small scenario from a seed, as `--set` overrides.
fn random_overrides(seed: u64) -> Vec<String> {
    let mut r = SimRng::from_seed_u64(seed);
    let nodes = 16 + 2 * r.below(30) as u32;
    let preset = *r.pick(&["bitcoin-2015", "bitcoin-2019", "ideal"]).unwrap();
    let mut o = vec![
        format!("network.nodes={nodes}"),
        format!("network.preset={preset}"),
        format!("relay.protocol={}", r.pick(&["legacy", "headers", "compact", "unsolicited"]).unwrap()),
        format!("relay.validation_ms={}", r.below(50)),
        format!("stop.blocks={}", 5 + r.below(25)),
        // Short intervals make forks and reorgs common enough to exercise.
        format!("consensus.block_interval_s={}", *r.pick(&[2u32, 10, 60, 600]).unwrap()),
        format!("consensus.retarget_interval={}", *r.pick(&[10u32, 2016]).unwrap()),
        format!("blocks.size_bytes={}", 1000 + r.below(999_000)),
    ];
    if preset == "ideal" {
        o.push(format!("network.latency_ms={}", 1 + r.below(3000)));
    }
    o.push(match r.below(4) {
        0 => "network.topology=bitcoin-core".to_string(),
        1 => "network.topology=degree-2015".to_string(),
        2 => "network.topology=random-regular".to_string(),
        _ => "network.topology=complete".to_string(),
    });
    if r.chance(0.5) {
        o.push("mining.pools=every-node".to_string());
    }
    // Every algorithm in turn, without a draw, so the draws above (and the scenarios they make)
    // stay as they were.
    let difficulty = ["bitcoin", "bitcoin-bip94", "asert", "bch-cw144", "bch-eda", "lwma", "fixed"];
    o.push(format!("consensus.difficulty={}", difficulty[(seed % 7) as usize]));
    o
}

const BASE: &str = r#"
name = "swarm"
[mining]
"#;

#[test]
fn random_small_scenarios_keep_every_invariant() {
    let (mut stale_total, mut reorg_total) = (0, 0);
    for seed in 0..24u64 {
        let overrides = random_overrides(seed);
        let refs: Vec<&str> = overrides.iter().map(|s| s.as_str()).collect();
        let c = config(BASE, &refs);
        let out = run(&c, seed);
        let w = &out.world;
        let tree = w.tree();
        let ctx = format!("seed {seed}: {overrides:?}");
        assert!(matches!(out.stats.reason, StopReason::Finished | StopReason::QueueEmpty), "{ctx}");
        assert!(!w.drain_cut_short(), "network did not go quiet: {ctx}");
        let s = summarize("swarm", &out);
        stale_total += s.stale_blocks;
        reorg_total += s.reorgs;
        assert_eq!(s.stale_blocks + s.blocks_main, s.blocks_mined, "{ctx}");
        assert!(s.blocks_main >= c.stop.blocks.unwrap(), "{ctx}");
        let best_work = tree.get(w.best_block()).chainwork;
        let start = tree.start_tip();
        for n in 0..w.nodes().len() as u32 {
            let node = powsim::net::NodeId(n);
            let tip = w.nodes().tip(node);
            let rec = tree.get(tip);
            assert!(tree.is_valid(tip, w.nodes().rules(node)), "node {n} tip invalid: {ctx}");
            assert!(tree.is_ancestor_or_self(start, tip), "node {n} tip off the tree: {ctx}");
            assert!(w.nodes().has_valid(node, tip), "node {n} holds its tip unvalidated: {ctx}");
            // After quiescence every node is on a most-work tip (several only
            // when the last height ended in an unresolved tie).
            assert_eq!(rec.chainwork, best_work, "node {n} not converged: {ctx}");
        }
        for (id, rec) in tree.iter().skip(tree.history_len() as usize) {
            let st = w.metrics().block(id).unwrap();
            if let Some(t) = st.t_nodes[0] {
                assert!(t >= rec.found_at, "block {id:?} held before it was found: {ctx}");
            }
        }
    }
    // The scenarios must exercise forks and reorganisations, not only the happy path.
    assert!(stale_total > 10 && reorg_total > 10, "stale {stale_total}, reorgs {reorg_total}");
}
