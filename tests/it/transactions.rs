//! Whole runs with transactions: conservation and fee accounting on the
//! final chain, determinism of every output file, and agreement of the two
//! relay fidelities.

use crate::common::{config, run, run_files, temp_dir};
use powsim::chain::{BlockTree, RulesId};
use powsim::consensus::{BlockId, block_subsidy};
use powsim::mempool::{Input, TxId};
use powsim::report::{main_chain_flags, summarize};
use powsim::scenario::Config;
use powsim::world::RunOutput;
use std::collections::BTreeMap;

/// A small network with every kind of user: chains, CPFP, RBF and double
/// spends, at a load that keeps a backlog.
fn busy(relay: &str, nodes: u32, hours: f64) -> Config {
    let observers = if relay == "fast" { "observers = 4" } else { "" };
    let text = format!(
        r#"
name = "busy"
[stop]
sim_time_s = {secs}
[network]
nodes = {nodes}
preset = "bitcoin-2019"
topology = "bitcoin-core"
[mining]
pools = "bitcoin-2015"
[consensus]
max_block_weight = 1_000_000
[transactions]
rate_per_s = 2.0
feerate = {{ dist = "lognormal", median_sat_vb = 3.0, sigma = 1.2 }}
chain_share = 0.3
cpfp_share = 0.3
rbf_share = 0.4
stuck_after_blocks = 1
double_spend_share = 0.05
relay = "{relay}"
{observers}
[output]
mempool_sample_s = 600
"#,
        secs = hours * 3600.0
    );
    config(&text, &[])
}

/// Main-chain blocks from the start tip up, oldest first.
fn main_blocks(tree: &BlockTree, best: BlockId) -> Vec<BlockId> {
    let main = main_chain_flags(tree, best);
    (tree.history_len()..tree.len() as u32).map(BlockId).filter(|b| main[b.index()]).collect()
}

/// Every confirmed transaction is in exactly one main-chain block, after its
/// parents; no two confirmed transactions spend one output; each block's
/// fees are its transactions' fees and its coinbase claims exactly subsidy
/// plus fees.
fn check_conservation(out: &RunOutput) {
    let w = &out.world;
    let (tree, txw) = (w.tree(), w.txs().expect("transactions"));
    let mut position: BTreeMap<TxId, (u32, usize)> = BTreeMap::new();
    let mut spent: BTreeMap<Input, TxId> = BTreeMap::new();
    for b in main_blocks(tree, w.best_block()) {
        let rec = tree.get(b);
        let txs = txw.block_txs(b);
        let fees: u64 = txs.iter().map(|&t| txw.arena.get(t).fee_sat).sum();
        assert_eq!(rec.fees_sat, fees, "block {b:?} claims the fees its transactions pay");
        assert_eq!(
            rec.coinbase_sat,
            block_subsidy(rec.height, tree.params_at(RulesId::DEFAULT, rec.height)) + fees
        );
        assert_eq!(rec.tx_count as usize, txs.len() + 1);
        for (i, &t) in txs.iter().enumerate() {
            assert!(position.insert(t, (rec.height, i)).is_none(), "{t:?} confirmed twice");
            for &input in txw.arena.get(t).inputs.iter() {
                if let Some(other) = spent.insert(input, t) {
                    panic!("{t:?} and {other:?} both spend {input:?}");
                }
                if let Input::Out { tx: parent, .. } = input {
                    let p = position.get(&parent).expect("a parent is confirmed before its child");
                    assert!(*p < (rec.height, i), "parent {parent:?} comes first");
                }
            }
        }
    }
    assert!(position.len() > 1000, "the run confirms transactions: {}", position.len());
}

#[test]
fn fast_relay_conserves_transactions_and_fees() {
    let out = run(&busy("fast", 80, 4.0), 5);
    check_conservation(&out);
    let s = summarize("busy", &out);
    assert!(s.tx_confirmed < s.tx_created, "a backlog remains");
    let fees: u64 = out.world.txs().unwrap().arena.iter().map(|(_, t)| t.fee_sat).sum();
    assert!(s.fees_total_btc > 0.0 && s.fees_total_btc * 1e8 <= fees as f64);
}

#[test]
fn full_relay_conserves_transactions_and_fees() {
    let out = run(&busy("full", 30, 2.0), 6);
    check_conservation(&out);
}

/// Same scenario and seed, same bytes in every file, transactions included.
#[test]
fn transaction_runs_are_deterministic() {
    let c = busy("fast", 40, 1.0);
    let base = temp_dir("tx-determinism");
    let files: Vec<_> =
        ["a", "b"].iter().map(|name| run_files(&base.join(name), &c, "busy", 9, false)).collect();
    let names: Vec<&str> = files[0].iter().map(|f| f.0.as_str()).collect();
    for f in ["txs.csv", "mempool.csv", "conf_by_feerate.csv", "compact.csv"] {
        assert!(names.contains(&f), "{f} is written: {names:?}");
    }
    assert_eq!(files[0], files[1]);
    let full = busy("full", 20, 0.5);
    let (a, b) = (run(&full, 4), run(&full, 4));
    assert_eq!(summarize("x", &a), summarize("x", &b));
    assert_eq!(a.stats.events, b.stats.events);
    std::fs::remove_dir_all(base).unwrap();
}

/// The fast relay model and full relay agree on what both measure: over two
/// seeds of a 60-node, two-hour run at 2 tx/s, the confirmation-delay median
/// and 90th percentile and the fees collected within 5 %, and the share of
/// compact blocks reconstructed without a round trip within 10 points.
#[test]
fn fast_and_full_relay_agree() {
    let text = |relay: &str| {
        let observers = if relay == "fast" { "observers = 4" } else { "" };
        format!(
            r#"
name = "agree"
[stop]
sim_time_s = 7200
[network]
nodes = 60
preset = "bitcoin-2019"
topology = "bitcoin-core"
[mining]
pools = "bitcoin-2015"
[transactions]
rate_per_s = 2.0
relay = "{relay}"
{observers}
[output]
mempool_sample_s = 0
"#
        )
    };
    let sum = |relay: &str| {
        let c = config(&text(relay), &[]);
        let runs: Vec<_> = [1, 2].iter().map(|&seed| summarize("x", &run(&c, seed))).collect();
        let total = |f: &dyn Fn(&powsim::report::Summary) -> f64| runs.iter().map(f).sum::<f64>();
        [
            total(&|s| s.conf_delay_median_s.unwrap()),
            total(&|s| s.conf_delay_p90_s.unwrap()),
            total(&|s| s.fees_total_btc),
            total(&|s| s.compact_reconstruct_rate.unwrap()) / 2.0,
        ]
    };
    let (fast, full) = (sum("fast"), sum("full"));
    println!("fast {fast:?}\nfull {full:?}");
    for (i, what) in ["confirmation median", "confirmation p90", "fees"].iter().enumerate() {
        assert!((fast[i] / full[i] - 1.0).abs() <= 0.05, "{what}: fast {} vs full {}", fast[i], full[i]);
    }
    assert!(
        (fast[3] - full[3]).abs() <= 0.10,
        "compact reconstruction: fast {} vs full {}",
        fast[3],
        full[3]
    );
}

/// Pools mine empty blocks only within `empty_block_window_s` of their
/// node's new tip: a block with transactions comes at least the window
/// after its parent was found (the node cannot have adopted the parent
/// earlier), an empty one within the window of the node adopting it (at
/// most a minute after the parent was found here), and about the share of
/// blocks found that soon after a tip is empty.
#[test]
fn empty_blocks_come_only_within_the_window_after_a_new_tip() {
    let text = r#"
name = "empty"
[stop]
blocks = 400
[network]
nodes = 40
preset = "bitcoin-2019"
topology = "bitcoin-core"
[consensus]
block_interval_s = 60
[transactions]
rate_per_s = 1.0
relay = "fast"
[[mining.pool]]
name = "a"
hash_share = 0.6
region = "NA"
empty_block_window_s = 10
[[mining.pool]]
name = "b"
hash_share = 0.4
region = "EU"
empty_block_window_s = 10
"#;
    let out = run(&config(text, &[]), 4);
    let w = &out.world;
    let tree = w.tree();
    let (mut empty, mut total) = (0u32, 0u32);
    for b in (tree.history_len()..tree.len() as u32).map(BlockId) {
        let rec = tree.get(b);
        let parent = tree.get(rec.parent.unwrap());
        let gap = rec.found_at.since(parent.found_at).as_secs_f64();
        let is_empty = rec.tx_count == 1;
        total += 1;
        if is_empty {
            empty += 1;
            assert!(gap < 10.0 + 60.0, "empty block {b:?} found {gap} s after its parent");
        } else {
            assert!(gap >= 10.0, "block {b:?} with transactions found {gap} s after its parent");
        }
    }
    // P(found within 10 s of a new tip) = 1 - exp(-10/60) = 0.154.
    let share = f64::from(empty) / f64::from(total);
    println!("empty blocks: {empty} of {total} ({share:.3})");
    assert!((0.08..0.24).contains(&share), "{share}");
    assert_eq!(summarize("x", &out).empty_blocks, u64::from(empty));
}
