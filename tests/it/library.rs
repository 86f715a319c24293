//! The README's library example, as written there, and a difficulty algorithm plugged in
//! from outside the crate.

use powsim::report::summarize;
use powsim::scenario;
use powsim::world::simulate;
use std::path::Path;

#[test]
fn the_readme_library_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = scenario::load(&root.join("scenarios/quickstart.toml"), &["stop.blocks=50".into()])?;
    config.network.nodes = 500; // a validated Config is plain data
    config.consensus.rules.block_interval_s = 60;
    let out = simulate(&config, 7, |_, _| {})?; // seed 7; the closure sees progress
    let summary = summarize(&config.name, &out);
    println!("stale rate {:?}, median propagation {:?} s", summary.stale_rate, summary.prop_median_s);
    let tree = out.world.tree(); // every block, every node's tip, the metrics
    assert_eq!(summary.nodes, 500);
    assert!(summary.blocks_main >= 50 && tree.len() > tree.history_len() as usize);
    // Sixty-second blocks at the same hash rate: the start difficulty is a tenth of 600 s's.
    assert!((summary.interval_mean_s.unwrap() - 60.0).abs() < 20.0, "{:?}", summary.interval_mean_s);
    Ok(())
}

/// An algorithm from outside: every block at the start tip's nBits, like `fixed`, through
/// `World::set_difficulty_algorithm`.
#[test]
fn a_difficulty_algorithm_from_outside_replaces_the_scenarios() {
    use powsim::chain::RulesId;
    use powsim::consensus::{BlockId, ChainView, ConsensusParams, DifficultyAlgorithm};
    #[derive(Debug)]
    struct Constant(u32);
    impl DifficultyAlgorithm for Constant {
        fn name(&self) -> &'static str {
            "constant"
        }
        fn next_bits(&self, _: &dyn ChainView, _: BlockId, _: i64, _: &ConsensusParams) -> u32 {
            self.0
        }
        fn depends_only_on_parent(&self, _: &ConsensusParams) -> bool {
            true
        }
        fn history_blocks(&self, _: &ConsensusParams) -> u32 {
            1
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = scenario::load(
        &root.join("scenarios/quickstart.toml"),
        &["stop.blocks=20".into(), "network.nodes=50".into()],
    )
    .unwrap();
    let easier = 0x1a0fffff;
    let out = powsim::world::simulate_with(
        &config,
        3,
        |w| w.set_difficulty_algorithm(RulesId::DEFAULT, Box::new(Constant(easier))),
        |_, _| {},
    )
    .unwrap();
    let tree = out.world.tree();
    for (id, rec) in tree.iter().skip(tree.history_len() as usize) {
        assert_eq!(rec.header.bits, easier);
        assert!(tree.is_valid(id, RulesId::DEFAULT));
    }
}
