//! The swarm test: whole random scenarios, each derived from a seed, run with every invariant
//! checked, then checked for convergence once the network has gone quiet.
//!
//! CI runs a fixed set of seeds; `POWSIM_SWARM_SEEDS=N` runs seeds 0 to N − 1 and
//! `POWSIM_SWARM_SEEDS=A..B` seeds A to B − 1. A failing seed's scenario is written to the
//! system's temporary directory with the command that reproduces it.

use std::fmt::Write as _;
use std::path::Path;

use powsim::report::{run_command, summarize};
use powsim::scenario;
use powsim::sim::{SimRng, StopReason};
use powsim::world::simulate_with;

/// Seeds CI runs.
const CI_SEEDS: u64 = 200;

const REGIONS: [&str; 6] = ["NA", "EU", "SA", "AP", "JP", "AU"];

/// A whole scenario, as TOML, derived from `seed`: network, relay, consensus, miners and their
/// strategies, transactions and timeline events.
fn swarm_scenario(seed: u64) -> String {
    let mut r = SimRng::from_seed_u64(seed ^ 0x5741_524d);
    let mut s = String::new();
    let nodes = 30 + 2 * r.below(25);
    let txs = r.chance(0.5);
    let full_relay = txs && nodes <= 44 && r.chance(0.6);
    // Transactions cost events per second of simulated time, so their runs are short.
    let interval =
        if txs { *r.pick(&[5u32, 20, 60]).unwrap() } else { *r.pick(&[2u32, 10, 60, 600]).unwrap() };
    let blocks = 4 + r.below(if txs { 12 } else { 24 });
    writeln!(s, "name = \"swarm-{seed}\"\nseed = {seed}").unwrap();
    writeln!(
        s,
        "[stop]\nblocks = {blocks}\nsim_time_s = {}\ndrain_s = 1e7",
        u64::from(interval) * blocks * 4
    )
    .unwrap();
    let preset = *r.pick(&["bitcoin-2015", "bitcoin-2019", "ideal"]).unwrap();
    writeln!(s, "[network]\nnodes = {nodes}\npreset = \"{preset}\"").unwrap();
    if preset == "ideal" {
        writeln!(s, "latency_ms = {}", 1 + r.below(2000)).unwrap();
    }
    match r.below(4) {
        0 => {
            writeln!(
                s,
                "topology = \"bitcoin-core\"\nnon_listening_fraction = {:.1}",
                r.below(5) as f64 / 10.0
            )
        }
        1 => writeln!(s, "topology = \"degree-2015\""),
        2 => writeln!(s, "topology = \"random-regular\"\ndegree = {}", 4 + 2 * r.below(3)),
        _ => writeln!(s, "topology = \"complete\""),
    }
    .unwrap();
    let protocol = *r.pick(&["legacy", "headers", "compact", "unsolicited"]).unwrap();
    writeln!(s, "[relay]\nprotocol = \"{protocol}\"\nvalidation_ms = {}", r.below(50)).unwrap();
    let difficulty =
        *r.pick(&["bitcoin", "bitcoin-bip94", "asert", "bch-cw144", "bch-eda", "lwma", "fixed"]).unwrap();
    writeln!(s, "[consensus]\nblock_interval_s = {interval}\ndifficulty = \"{difficulty}\"").unwrap();
    if matches!(difficulty, "bitcoin" | "bitcoin-bip94" | "bch-eda") {
        writeln!(s, "retarget_interval = {}", *r.pick(&[6u32, 10, 2016]).unwrap()).unwrap();
    }
    if difficulty == "asert" {
        writeln!(s, "asert_half_life_s = {}", interval * (10 + r.below(200) as u32)).unwrap();
    }
    if difficulty == "lwma" {
        writeln!(s, "lwma_window = {}", 5 + r.below(40)).unwrap();
    }
    if !txs {
        writeln!(s, "[blocks]\nsize_bytes = {}", 1000 + r.below(999_000)).unwrap();
    }
    // Miners: a preset, or pools of our own with strategies.
    let mut pools: Vec<String> = Vec::new();
    match r.below(3) {
        0 => writeln!(s, "[mining]\npools = \"{}\"", r.pick(&["bitcoin-2015", "bitcoin-2026"]).unwrap())
            .unwrap(),
        1 => writeln!(s, "[mining]\npools = \"every-node\"").unwrap(),
        _ => {
            let count = 2 + r.index(5);
            let weights: Vec<f64> = (0..count).map(|_| 0.2 + r.unit()).collect();
            let total: f64 = weights.iter().sum();
            let with_gamma = !txs && r.chance(0.3);
            writeln!(s, "[mining]").unwrap();
            if with_gamma {
                writeln!(s, "gamma = {:.1}", r.below(11) as f64 / 10.0).unwrap();
            }
            let mut given = 0.0;
            for (i, w) in weights.iter().enumerate() {
                let share = if i + 1 == count { 1.0 - given } else { w / total };
                given += share;
                let name = format!("p{i}");
                writeln!(s, "[[mining.pool]]\nname = \"{name}\"\nhash_share = {share:?}").unwrap();
                writeln!(s, "region = \"{}\"", r.pick(&REGIONS).unwrap()).unwrap();
                // Withholding strategies need no transactions, and the first pool has them
                // whenever gamma is set (gamma is only allowed with one).
                let strategy = match (i, txs, r.below(6)) {
                    (0, false, _) if with_gamma => "selfish",
                    (_, false, 0) => "selfish",
                    (_, false, 1) => "stubborn",
                    (_, _, 2) => "timewarp",
                    _ => "honest",
                };
                writeln!(s, "strategy = \"{strategy}\"").unwrap();
                if strategy == "stubborn" {
                    writeln!(s, "stubborn_trail = {}", r.below(3)).unwrap();
                }
                let withholding = matches!(strategy, "selfish" | "stubborn");
                if !withholding && r.chance(0.3) {
                    writeln!(s, "spv_mining = true").unwrap();
                }
                if !withholding && r.chance(0.3) {
                    writeln!(s, "gateways = [\"{}\"]", r.pick(&REGIONS).unwrap()).unwrap();
                }
                if txs && r.chance(0.3) {
                    writeln!(s, "empty_block_window_s = {}", r.below(30)).unwrap();
                }
                pools.push(name);
            }
        }
    }
    if txs {
        writeln!(s, "[transactions]\nrate_per_s = {:.1}", 0.5 + r.below(6) as f64 / 2.0).unwrap();
        writeln!(s, "relay = \"{}\"", if full_relay { "full" } else { "fast" }).unwrap();
        if !full_relay {
            writeln!(s, "observers = {}", r.below(nodes / 2)).unwrap();
        }
        let bump = r.below(3) as f64 / 10.0;
        writeln!(
            s,
            "chain_share = {:.1}\ncpfp_share = {bump:.1}\nrbf_share = {bump:.1}",
            r.below(5) as f64 / 10.0
        )
        .unwrap();
        writeln!(s, "double_spend_share = {:.1}\nstuck_after_blocks = 1", r.below(3) as f64 / 10.0).unwrap();
        // A small mempool now and then, so that trimming and the rolling minimum fee run.
        writeln!(s, "[mempool]\npolicy = \"{}\"", r.pick(&["core-v29", "core-v30"]).unwrap()).unwrap();
        if r.chance(0.3) {
            writeln!(s, "max_size_mb = {:.2}", 0.05 + r.below(5) as f64 / 10.0).unwrap();
        }
    }
    // Timeline events inside the mining time.
    let span = u64::from(interval) * blocks;
    for _ in 0..r.below(4) {
        let at = r.below(span.max(1));
        let duration = 1 + r.below(span.max(1));
        let event = match r.below(5) {
            0 => format!(
                "kind = \"hashrate\"\nscale = {:.2}\nramp_s = {}",
                0.25 + r.below(16) as f64 / 4.0,
                r.below(2) * duration
            ),
            1 => format!(
                "kind = \"partition\"\nfraction = {:.1}\nduration_s = {duration}",
                0.1 + r.below(8) as f64 / 10.0
            ),
            2 => format!(
                "kind = \"churn\"\nfraction = {:.1}\nduration_s = {duration}",
                0.1 + r.below(9) as f64 / 10.0
            ),
            3 => format!(
                "kind = \"latency\"\nlatency_scale = {:.1}\nduration_s = {duration}",
                0.5 + r.below(8) as f64
            ),
            _ if pools.len() >= 2 => {
                let pool = r.pick(&pools).unwrap();
                // A withholding strategy is not allowed with transactions, gateways or SPV
                // mining, so pools only switch to honest or timewarp here.
                let strategy = r.pick(&["honest", "timewarp"]).unwrap();
                match r.below(2) {
                    0 => format!("kind = \"pool\"\npool = \"{pool}\"\naction = \"leave\""),
                    _ => format!(
                        "kind = \"pool\"\npool = \"{pool}\"\naction = \"strategy\"\nstrategy = \"{strategy}\""
                    ),
                }
            }
            _ => "kind = \"hashrate\"\nscale = 2".to_string(),
        };
        writeln!(s, "[[events]]\nat_s = {at}\n{event}").unwrap();
    }
    s
}

/// Which seeds to run: `POWSIM_SWARM_SEEDS` (`N` or `A..B`), else the CI set.
fn swarm_seeds() -> std::ops::Range<u64> {
    let Ok(v) = std::env::var("POWSIM_SWARM_SEEDS") else { return 0..CI_SEEDS };
    let parse =
        |x: &str| x.trim().parse::<u64>().unwrap_or_else(|_| panic!("POWSIM_SWARM_SEEDS={v:?}: N or A..B"));
    match v.split_once("..") {
        Some((a, b)) => parse(a)..parse(b),
        None => 0..parse(&v),
    }
}

/// Saves a failing seed's scenario and says how to run it again.
fn reproduce(seed: u64, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("powsim-swarm-{seed}.toml"));
    std::fs::write(&path, text).unwrap();
    let command = run_command(&path.display().to_string(), &[], seed, &["--check-invariants"]);
    format!("swarm seed {seed}; scenario in {}; reproduce with: {command}", path.display())
}

#[test]
fn swarm_of_random_scenarios_keeps_every_invariant_and_converges() {
    let (mut stale_total, mut reorg_total, mut with_txs, mut with_events) = (0, 0, 0, 0);
    for seed in swarm_seeds() {
        let text = swarm_scenario(seed);
        let c = scenario::parse_str(&text, Path::new("swarm.toml"), &[])
            .unwrap_or_else(|e| panic!("swarm seed {seed} made a scenario powsim refuses: {e}\n{text}"));
        let out = simulate_with(&c, seed, |w| w.enable_invariant_checks(), |_, _| {})
            .unwrap_or_else(|e| panic!("the world does not build: {e}\n{}", reproduce(seed, &text)));
        if let Some(v) = &out.stats.violation {
            panic!("invariant broken {v}\n{}", reproduce(seed, &text));
        }
        let ctx = || reproduce(seed, &text);
        assert!(
            matches!(out.stats.reason, StopReason::Finished | StopReason::QueueEmpty),
            "{:?}: {}",
            out.stats.reason,
            ctx()
        );
        let w = &out.world;
        assert!(!w.drain_cut_short(), "the network did not go quiet: {}", ctx());
        let s = summarize(&c.name, &out);
        stale_total += s.stale_blocks;
        reorg_total += s.reorgs;
        with_txs += usize::from(c.transactions.is_some());
        with_events += usize::from(!c.events.is_empty());
        assert_eq!(s.stale_blocks + s.blocks_main, s.blocks_mined, "{}", ctx());
        // Once quiet, every node is on a most-work tip (several only when the last height
        // ended in an unresolved tie).
        let tree = w.tree();
        let best_work = tree.get(w.best_block()).chainwork;
        for n in 0..w.nodes().len() as u32 {
            let tip = w.nodes().tip(powsim::net::NodeId(n));
            assert_eq!(tree.get(tip).chainwork, best_work, "node {n} did not converge: {}", ctx());
        }
        for (id, rec) in tree.iter().skip(tree.history_len() as usize) {
            if let Some(t) = w.metrics().block(id).unwrap().t_nodes[0] {
                assert!(t >= rec.found_at, "block {id:?} held before it was found: {}", ctx());
            }
        }
    }
    // The swarm must reach forks, reorganisations, transactions and events, not only the
    // happy path.
    if swarm_seeds() == (0..CI_SEEDS) {
        assert!(stale_total > 10 && reorg_total > 10, "stale {stale_total}, reorgs {reorg_total}");
        assert!(with_txs > 10 && with_events > 10, "transactions {with_txs}, events {with_events}");
    }
}
