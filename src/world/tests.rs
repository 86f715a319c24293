//! Unit tests of whole small worlds, built from configurations made in code
//! (the scenario parser has its own tests).

use super::*;
use crate::scenario::*;

pub(crate) fn config(nodes: u32, protocol: RelayProtocol, blocks: u64) -> Config {
    Config {
        name: "unit".into(),
        description: String::new(),
        seed: 1,
        stop: StopConfig { blocks: Some(blocks), sim_time_s: None, drain_s: 600.0, max_events: 100_000_000 },
        network: NetworkConfig {
            nodes,
            preset: NetworkPresetName::Bitcoin2019,
            latency_ms: 100.0,
            jitter: JitterConfig::Pareto,
            topology: TopologyConfig::BitcoinCore {
                outbound_full_relay: 8,
                outbound_block_relay: 2,
                max_connections: 125,
                non_listening_fraction: 0.0,
            },
            clock_skew_sd_s: 0.0,
        },
        relay: RelayConfig {
            protocol,
            high_bandwidth_peers: 3,
            validation_ms: 2.0,
            validation_ms_per_mb: 20.0,
        },
        consensus: ConsensusConfig {
            rules: Rules {
                block_interval_s: 600,
                difficulty: DifficultyName::Bitcoin,
                retarget_interval: 2016,
                clamp_factor: 4,
                max_block_weight: 4_000_000,
                halving_interval: 210_000,
                initial_subsidy_sat: 5_000_000_000,
                mtp_window: 11,
                max_future_block_time_s: 7200,
            },
            activation: Vec::new(),
            start_height: 2016,
        },
        node_groups: Vec::new(),
        blocks: BlocksConfig { size_bytes: 535_000, full: false, mean_tx_bytes: 500, witness_fraction: 0.0 },
        mining: MiningConfig {
            hashrate_hs: 1e21,
            template_refresh_s: 30.0,
            gamma: None,
            relay_network: None,
            miners: MinersConfig::EveryNode { relative_sd: 0.25 },
        },
        transactions: None,
        mempool: MempoolConfig::core_defaults(PolicyName::CoreV30),
        output: OutputConfig { write_graph: false, mempool_sample_s: 60.0 },
        events: Vec::new(),
    }
}

#[test]
fn every_protocol_converges_and_counts_add_up() {
    for p in
        [RelayProtocol::Legacy, RelayProtocol::Headers, RelayProtocol::Compact, RelayProtocol::Unsolicited]
    {
        let c = config(200, p, 20);
        let out = simulate(&c, 4, |_, _| {}).unwrap();
        let w = &out.world;
        let best = w.best_block();
        assert_eq!(w.tree().get(best).height, 2015 + 20, "{p:?}");
        for n in 0..200 {
            let tip = w.nodes().tip(NodeId(n));
            assert_eq!(w.tree().get(tip).chainwork, w.tree().get(best).chainwork, "{p:?} node {n}");
        }
        let st = w.metrics().block(best).unwrap();
        assert_eq!(st.nodes_reached, 200, "{p:?} {:?} {:?}", out.stats, st);
        assert!(st.t_nodes[2].unwrap() > w.tree().get(best).found_at);
    }
}

#[test]
fn history_keeps_difficulty_at_the_first_retarget() {
    let c = config(20, RelayProtocol::Compact, 3);
    let out = simulate(&c, 1, |_, _| {}).unwrap();
    let tree = out.world.tree();
    let start = tree.start_tip();
    assert_eq!(tree.get(start).height, 2015);
    let first = tree.iter().nth(tree.history_len() as usize).unwrap().1;
    assert_eq!(first.height, 2016, "the first simulated block is a retarget height");
    assert_eq!(first.header.bits, tree.get(start).header.bits, "retarget over the history keeps difficulty");
    assert!(tree.is_valid(BlockId(tree.history_len()), RulesId::DEFAULT));
}

#[test]
fn compact_relay_is_faster_than_legacy() {
    let median = |p| {
        let out = simulate(&config(300, p, 15), 9, |_, _| {}).unwrap();
        crate::report::summarize("x", &out).prop_median_s.unwrap()
    };
    let (compact, legacy) = (median(RelayProtocol::Compact), median(RelayProtocol::Legacy));
    assert!(compact < legacy / 2.0, "compact {compact} legacy {legacy}");
}

/// A deliberately broken model, whose miners write a wrong nBits and whose nodes accept it, is
/// caught by the invariant checker at the first such block, with a command that reproduces it;
/// unchecked, the same run ends as if nothing were wrong.
#[test]
fn the_invariant_checker_catches_a_node_accepting_a_wrong_nbits() {
    let c = config(30, RelayProtocol::Compact, 10);
    let broken = |check: bool| {
        move |w: &mut World| {
            w.fault_wrong_bits = true;
            w.tree.fault_any_bits = true;
            if check {
                w.enable_invariant_checks();
            }
        }
    };
    let out = simulate_with(&c, 5, broken(true), |_, _| {}).unwrap();
    assert_eq!(out.stats.reason, crate::sim::StopReason::InvariantViolated);
    let v = out.stats.violation.clone().expect("the violation is reported");
    assert!(v.what.contains("nBits") && v.what.contains("require"), "{}", v.what);
    // Found right after the first block was mined and accepted.
    assert_eq!(out.world.tree().len() as u32, out.world.tree().history_len() + 1);
    assert_eq!(v.event, out.stats.events);
    let overrides = vec!["network.nodes=30".to_string(), "name=\"a b\"".to_string()];
    let report = crate::report::violation_report("broken.toml", &overrides, 5, &v);
    assert!(
        report.starts_with(&format!("invariant broken in seed 5 after event {} (simulated time ", v.event))
    );
    assert!(
        report.ends_with(
            "\nreproduce with: powsim run broken.toml --seed 5 --set network.nodes=30 --set 'name=\"a b\"' --check-invariants"
        ),
        "{report}"
    );
    // Unchecked, the broken model runs to its end.
    let out = simulate_with(&c, 5, broken(false), |_, _| {}).unwrap();
    assert_eq!(out.stats.reason, crate::sim::StopReason::Finished);
    assert!(out.stats.violation.is_none());
    // The sound model keeps every invariant on the same run.
    let out = simulate_with(&c, 5, |w| w.enable_invariant_checks(), |_, _| {}).unwrap();
    assert_eq!(out.stats.reason, crate::sim::StopReason::Finished, "{:?}", out.stats.violation);
}

/// Each other kind of corruption is caught too: a chainwork, a coinbase over the subsidy, a
/// tip never validated.
#[test]
fn the_invariant_checker_names_what_is_wrong() {
    let c = config(20, RelayProtocol::Compact, 3);
    let mut out = simulate_with(&c, 2, |w| w.enable_invariant_checks(), |_, _| {}).unwrap();
    assert_eq!(out.stats.reason, crate::sim::StopReason::Finished, "{:?}", out.stats.violation);
    let w = &mut out.world;
    let now = out.stats.end_time;
    assert_eq!(w.check_invariants_now(now), Ok(()));
    let tip = w.nodes.tip(NodeId(0));
    let fresh = |w: &mut World| {
        w.invariants = Some(Box::default());
        w.invariants.as_mut().unwrap().mined_at = Some(NodeId(0));
    };
    let saved = w.tree.get(tip).clone();
    w.tree.corrupt(tip).chainwork = saved.chainwork.wrapping_add(crate::consensus::U256::from_u64(1));
    fresh(w);
    let e = w.check_invariants_now(now).unwrap_err();
    assert!(e.contains("chainwork"), "{e}");
    *w.tree.corrupt(tip) = saved.clone();
    w.tree.corrupt(tip).coinbase_sat = u64::MAX;
    fresh(w);
    let e = w.check_invariants_now(now).unwrap_err();
    assert!(e.contains("coinbase claims"), "{e}");
    *w.tree.corrupt(tip) = saved;
    fresh(w);
    assert_eq!(w.check_invariants_now(now), Ok(()));
}
