//! Every difficulty algorithm in whole runs: the runs complete with valid chains, the mean
//! interval stays near the target, the generated history holds each algorithm's window, and
//! runs are deterministic. The algorithms' arithmetic is unit-tested in
//! `src/consensus/difficulty/`.

use crate::common::{config, run};
use powsim::chain::RulesId;
use powsim::report::{main_chain_flags, summarize};
use powsim::world::RunOutput;

/// Two equal pools on an ideal network (1 ms, unsolicited relay, no validation time), so the
/// intervals are the difficulty algorithm's doing and forks are rare.
const BASE: &str = r#"
name = "daa"
[stop]
blocks = 300
[network]
nodes = 6
preset = "ideal"
latency_ms = 1
topology = "complete"
[relay]
protocol = "unsolicited"
validation_ms = 0
validation_ms_per_mb = 0
[blocks]
size_bytes = 1000
[[mining.pool]]
name = "a"
hash_share = 0.5
region = "NA"
[[mining.pool]]
name = "b"
hash_share = 0.5
region = "EU"
"#;

const ALGORITHMS: [&str; 7] = ["bitcoin", "bitcoin-bip94", "asert", "bch-cw144", "bch-eda", "lwma", "fixed"];

fn run_with(algorithm: &str, overrides: &[&str], seed: u64) -> RunOutput {
    let set = format!("consensus.difficulty={algorithm}");
    let mut all = vec![set.as_str()];
    all.extend_from_slice(overrides);
    run(&config(BASE, &all), seed)
}

/// The distinct nBits of the main chain's simulated blocks.
fn main_chain_bits(out: &RunOutput) -> Vec<u32> {
    let tree = out.world.tree();
    let main = main_chain_flags(tree, out.world.best_block());
    let mut bits: Vec<u32> = tree
        .iter()
        .skip(tree.history_len() as usize)
        .filter(|(id, _)| main[id.index()])
        .map(|(_, rec)| rec.header.bits)
        .collect();
    bits.sort_unstable();
    bits.dedup();
    bits
}

/// Every mined block passed the consensus checks (its nBits are the algorithm's, its time
/// obeys the median-time-past and, where enforced, the timewarp rule).
fn assert_all_valid(out: &RunOutput, what: &str) {
    let tree = out.world.tree();
    for (id, _) in tree.iter().skip(tree.history_len() as usize) {
        assert_eq!(tree.verdict(id, RulesId::DEFAULT), Ok(()), "{what}: block {id:?} invalid");
    }
}

/// A sanity check, not a statistics test: 300 blocks at the start difficulty have a mean
/// interval within 15 % of 600 s (about 2.6 standard errors of a fixed difficulty's mean;
/// the seed is fixed, so the test is deterministic). Each algorithm must also name itself,
/// keep every block valid, and adjust (or not) as it should: the Bitcoin-style retargets and
/// `fixed` keep one nBits (no retarget height is crossed after the start), the per-block
/// algorithms change it nearly every block.
#[test]
fn every_algorithm_runs_near_the_target_interval() {
    for algorithm in ALGORITHMS {
        let out = run_with(algorithm, &[], 1);
        assert_eq!(out.world.tree().rules(RulesId::DEFAULT).at(0).algo.name(), algorithm);
        assert_all_valid(&out, algorithm);
        let s = summarize("daa", &out);
        let mean = s.interval_mean_s.unwrap();
        let distinct = main_chain_bits(&out).len();
        println!(
            "{algorithm}: mean interval {mean:.1} s over {} blocks, {distinct} distinct nBits",
            s.blocks_main
        );
        assert!(s.blocks_main >= 300, "{algorithm}");
        assert!((mean - 600.0).abs() <= 90.0, "{algorithm}: mean interval {mean}");
        match algorithm {
            "asert" | "bch-cw144" | "lwma" => assert!(distinct > 250, "{algorithm}: {distinct} nBits"),
            _ => assert_eq!(distinct, 1, "{algorithm}"),
        }
    }
}

/// Short periods: the Bitcoin-style algorithms cross retargets (20-block periods, so 15 of them),
/// and every block stays valid, under BIP94 too.
#[test]
fn bitcoin_style_algorithms_cross_retargets() {
    for algorithm in ["bitcoin", "bitcoin-bip94", "bch-eda"] {
        let out = run_with(algorithm, &["consensus.retarget_interval=20"], 2);
        assert_all_valid(&out, algorithm);
        assert!(main_chain_bits(&out).len() > 5, "{algorithm}: the difficulty should move at retargets");
        assert_eq!(
            out.world.tree().params_at(RulesId::DEFAULT, 0).enforce_bip94,
            algorithm == "bitcoin-bip94"
        );
    }
}

/// Same seed, same summary, for every algorithm; and the algorithm changes the run.
#[test]
fn every_algorithm_is_deterministic() {
    let mut summaries = Vec::new();
    for algorithm in ALGORITHMS {
        let a = summarize("daa", &run_with(algorithm, &["stop.blocks=100"], 9));
        let b = summarize("daa", &run_with(algorithm, &["stop.blocks=100"], 9));
        assert_eq!(a, b, "{algorithm}");
        summaries.push(a);
    }
    // ASERT changes the difficulty after the first block, and so the discovery times.
    assert_ne!(summaries[0], summaries[2]);
}

/// With the hash rate constant, ASERT and LWMA keep the mean interval within 3 % of 600 s over
/// 2,000 blocks (three seeds each). A fixed difficulty's mean over 2,000 blocks has a standard
/// error of 2.2 %; both algorithms pull the interval back toward the target, ASERT toward its
/// absolute schedule.
#[test]
fn asert_and_lwma_hold_the_target_over_two_thousand_blocks() {
    for algorithm in ["asert", "lwma"] {
        for seed in 1..=3 {
            let out = run_with(algorithm, &["stop.blocks=2000"], seed);
            let s = summarize("daa", &out);
            let mean = s.interval_mean_s.unwrap();
            println!("{algorithm} seed {seed}: mean interval {mean:.1} s over {} blocks", s.blocks_main);
            assert!((mean - 600.0).abs() / 600.0 < 0.03, "{algorithm} seed {seed}: mean interval {mean}");
        }
    }
}

/// LWMA with a window longer than the history is refused, and the default start height makes
/// room for the window; so does cw-144's.
#[test]
fn lwma_start_height() {
    let short = powsim::scenario::parse_str(
        BASE,
        std::path::Path::new("t.toml"),
        &["consensus.difficulty=lwma".into(), "consensus.start_height=60".into()],
    );
    assert!(short.is_err());
    let c = config(BASE, &["consensus.difficulty=lwma", "consensus.retarget_interval=10"]);
    assert_eq!(c.consensus.start_height, 61);
    let c = config(BASE, &["consensus.difficulty=bch-cw144", "consensus.retarget_interval=10"]);
    assert_eq!(c.consensus.start_height, 147);
}

/// The generated history holds the window each algorithm reads, beyond the Bitcoin retarget's
/// needs when periods are short: with 20-block periods the history would be 31 blocks, but
/// cw-144 reads 147 and LWMA with N = 200 reads 201. Their first blocks then keep the start
/// difficulty (history intervals are exactly the target interval), within the encoder's rounding.
#[test]
fn history_holds_each_algorithm_window() {
    let cases: [(&str, &[&str], u32); 4] = [
        ("bitcoin", &[], 31),
        ("bch-cw144", &[], 147),
        ("lwma", &["consensus.lwma_window=200"], 201),
        ("bch-eda", &["consensus.mtp_window=30"], 50),
    ];
    for (algorithm, extra, want) in cases {
        let mut overrides =
            vec!["consensus.retarget_interval=20", "consensus.start_height=1000", "stop.blocks=5"];
        overrides.extend_from_slice(extra);
        let out = run_with(algorithm, &overrides, 3);
        let tree = out.world.tree();
        assert_eq!(tree.history_len(), want, "{algorithm}");
        let start = tree.get(tree.start_tip()).header.bits;
        let first = tree.next_bits(
            RulesId::DEFAULT,
            tree.start_tip(),
            i64::from(tree.get(tree.start_tip()).header.time) + 600,
        );
        let (a, b) = (
            powsim::consensus::decode_compact(start).target,
            powsim::consensus::decode_compact(first).target,
        );
        let ratio = b.to_f64() / a.to_f64();
        assert!((ratio - 1.0).abs() < 1e-4, "{algorithm}: first block's target moved by {ratio}");
        assert_all_valid(&out, algorithm);
    }
}

/// A chain started near genesis, shorter than every window: cw-144 keeps the start difficulty
/// until 147 blocks exist, EDA cannot look six blocks back at first; every run completes with
/// valid blocks. (LWMA would give powLimit blocks until N + 1 exist; the scenario refuses such a
/// start height, see `lwma_start_height` below.)
#[test]
fn short_chains_fall_back_without_panicking() {
    for algorithm in ALGORITHMS.iter().filter(|a| **a != "lwma") {
        let out = run_with(algorithm, &["consensus.start_height=3", "stop.blocks=200"], 4);
        assert_eq!(out.world.tree().history_len(), 3, "{algorithm}");
        assert_all_valid(&out, algorithm);
        let s = summarize("daa", &out);
        assert!(s.blocks_main >= 200, "{algorithm}");
    }
}

/// ASERT's response to a hash-rate shock follows its formula. Halving the hash rate at a block
/// leaves the target T₀ too low: blocks come every 2·600·T₀/T s, the chain falls behind its
/// schedule, and the target grows by 2^(delay/τ). In expectation u = T/T₀ obeys
/// du/dn = ln 2 · (600/τ) · (2 − u) per block, so u_n = 2 − 2^(−n/h) with h = τ/600 blocks: the
/// gap to the new equilibrium halves every half-life. The random delays scatter one seed's
/// log₂ u by about 2/√h after h blocks, so the check uses long half-lives (100 and 200 blocks;
/// Bitcoin Cash's is 288) and the geometric mean of u over 16 seeds, after 100, 200 and 400
/// blocks, within 6 % of the formula.
#[test]
fn asert_recovers_from_a_hash_rate_shock_with_its_half_life() {
    const SHOCK_HEIGHT: u32 = 2066;
    const AFTER: [u32; 3] = [100, 200, 400];
    let mean_u = |half_life_blocks: u32| -> Vec<f64> {
        let tau = format!("consensus.asert_half_life_s={}", half_life_blocks * 600);
        let event = format!("[[events]]\nkind = \"hashrate\"\nat_height = {SHOCK_HEIGHT}\nscale = 0.5\n");
        let c = config(&format!("{BASE}{event}"), &["consensus.difficulty=asert", &tau, "stop.blocks=455"]);
        let seeds = 16u32;
        let mut sums = [0.0; AFTER.len()];
        for seed in 1..=seeds {
            let out = run(&c, u64::from(seed));
            let tree = out.world.tree();
            let main = main_chain_flags(tree, out.world.best_block());
            let target_at = |height: u32| {
                let found = tree.iter().find(|(id, r)| main[id.index()] && r.height == height);
                let (_, rec) = found.expect("the main chain reaches the height");
                powsim::consensus::decode_compact(rec.header.bits).target.to_f64()
            };
            let t0 = target_at(SHOCK_HEIGHT);
            for (sum, n) in sums.iter_mut().zip(AFTER) {
                *sum += (target_at(SHOCK_HEIGHT + 1 + n) / t0).ln();
            }
        }
        sums.iter().map(|s| (s / f64::from(seeds)).exp()).collect()
    };
    for half_life in [100, 200] {
        let got = mean_u(half_life);
        let expect: Vec<f64> =
            AFTER.iter().map(|&n| 2.0 - 2f64.powf(-f64::from(n) / f64::from(half_life))).collect();
        println!(
            "asert half-life {half_life} blocks: T/T0 after {AFTER:?} blocks = {got:.3?}, formula {expect:.3?}"
        );
        for (g, e) in got.iter().zip(&expect) {
            assert!((g / e - 1.0).abs() < 0.06, "half-life {half_life}: {got:?} against {expect:?}");
        }
    }
}
