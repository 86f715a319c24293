//! A difficulty algorithm written outside the library, plugged into a run.
//!
//! `Sma` is a simple moving average: the next target is the mean target of the last `N`
//! blocks, scaled by how long those `N` intervals took against `N` target intervals, and
//! moved by at most a factor of two per block. It implements the public `DifficultyAlgorithm`
//! trait and goes into a world through `World::set_difficulty_algorithm` in
//! `simulate_with`'s setup. The scenario halves the hash rate after 100 blocks; the example
//! prints how the mean interval and its recovery compare with Bitcoin's retarget and ASERT.
//!
//! Run it with `cargo run --release --example custom_difficulty`.

use powsim::chain::RulesId;
use powsim::consensus::{
    BlockId, ChainView, ConsensusParams, DifficultyAlgorithm, U256, decode_compact, encode_compact,
};
use powsim::report::summarize;
use powsim::scenario;
use powsim::world::simulate_with;
use std::path::Path;

/// A simple moving average over `n` blocks.
#[derive(Debug)]
struct Sma {
    n: u32,
}

impl DifficultyAlgorithm for Sma {
    fn name(&self) -> &'static str {
        "sma"
    }

    fn next_bits(
        &self,
        chain: &dyn ChainView,
        prev: BlockId,
        _new_time: i64,
        params: &ConsensusParams,
    ) -> u32 {
        let n = self.n.min(chain.height(prev));
        if n == 0 {
            return chain.bits(prev);
        }
        let first = chain.ancestor(prev, chain.height(prev) - n);
        // Mean target of the window: sum target / n (each target is below 2^224, so the sum of
        // up to 2^32 of them fits in 256 bits).
        let mut sum = U256::ZERO;
        let mut b = prev;
        for _ in 0..n {
            sum = sum.wrapping_add(decode_compact(chain.bits(b)).target);
            b = chain.parent(b).expect("the window lies above the tree's root");
        }
        let mean = sum.div_rem_u64(u64::from(n)).0;
        let expected = params.target_spacing_s * i64::from(n);
        let actual = (chain.time(prev) - chain.time(first)).clamp(expected / 2, expected * 2);
        let next = mean.wrapping_mul_u64(actual as u64).div_rem_u64(expected as u64).0;
        encode_compact(&next.min(params.pow_limit))
    }

    fn depends_only_on_parent(&self, _: &ConsensusParams) -> bool {
        true
    }

    fn history_blocks(&self, _: &ConsensusParams) -> u32 {
        self.n + 1
    }
}

const SCENARIO: &str = r#"
name = "custom-difficulty"
[stop]
blocks = 600
[network]
nodes = 100
preset = "bitcoin-2019"
[mining]
pools = "bitcoin-2026"
[[events]]
kind = "hashrate"
at_height = 2116
scale = 0.5
"#;

fn main() {
    let path = Path::new("custom-difficulty.toml");
    let cases: [(&str, &[&str], bool); 3] = [
        ("bitcoin", &["consensus.difficulty=bitcoin"], false),
        ("asert (1 day)", &["consensus.difficulty=asert", "consensus.asert_half_life_s=86400"], false),
        ("sma-36 (own)", &[], true),
    ];
    println!("{:<16} {:>18} {:>16}", "difficulty", "mean interval (s)", "recovery blocks");
    for (label, sets, own) in cases {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let config = scenario::parse_str(SCENARIO, path, &sets).expect("a valid scenario");
        let setup = |world: &mut powsim::world::World| {
            if own {
                world.set_difficulty_algorithm(RulesId::DEFAULT, Box::new(Sma { n: 36 }));
            }
        };
        let out = simulate_with(&config, 1, setup, |_, _| {}).expect("the world builds");
        let s = summarize(&config.name, &out);
        let mean = s.interval_mean_s.map_or("-".into(), |m| format!("{m:.1}"));
        let recovery = s.recovery_blocks.map_or("not within 600".into(), |r| r.to_string());
        println!("{label:<16} {mean:>18} {recovery:>16}");
    }
}
