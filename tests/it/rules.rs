//! Rule changes at a height (`[[consensus.activation]]`) and groups of nodes that run other
//! rules (`[[node_group]]`): who follows which chain, and what splits.csv says about it.

use crate::common::{config, run, run_files, temp_dir};
use powsim::chain::{Origin, RulesId};
use powsim::consensus::BlockId;
use powsim::net::NodeId;
use powsim::report::{split_rows, summarize};
use powsim::world::RunOutput;

/// Full blocks on a 300-node network; the block-weight limit doubles at height 2026. Pools `b`
/// and `c` (30 % of the hash rate) and 30 % of the other nodes are `legacy` and keep 4 MWU.
const FORK: &str = r#"
name = "fork"
[stop]
blocks = 60
[network]
nodes = 300
preset = "bitcoin-2019"
topology = "bitcoin-core"
[consensus]
start_height = 2016
[[consensus.activation]]
height = 2026
set = { max_block_weight = 8000000 }
[blocks]
full = true
[[mining.pool]]
name = "a"
hash_share = 0.7
region = "NA"
[[mining.pool]]
name = "b"
hash_share = 0.2
region = "EU"
[[mining.pool]]
name = "c"
hash_share = 0.1
region = "AP"
[[node_group]]
name = "legacy"
share = 0.3
pools = ["b", "c"]
consensus = { activation = [] }
"#;

const LEGACY: RulesId = RulesId(1);

fn mined(out: &RunOutput) -> impl Iterator<Item = BlockId> + '_ {
    let tree = out.world.tree();
    tree.iter().filter(|(_, r)| matches!(r.origin, Origin::Mined(_))).map(|(id, _)| id)
}

/// The legacy group forks off when the first block valid only under the new limit is mined and
/// never comes back; every upgraded node ends on the new chain, every legacy node on the old.
#[test]
fn a_larger_block_limit_splits_off_the_nodes_that_did_not_upgrade() {
    let c = config(FORK, &[]);
    for seed in 1..=3 {
        let out = run(&c, seed);
        let (w, tree) = (&out.world, out.world.tree());
        // Heavy blocks appear only from the activation height, and only the legacy rules reject them.
        let heavy: Vec<BlockId> = mined(&out).filter(|&b| tree.get(b).weight > 4_000_000).collect();
        assert!(!heavy.is_empty(), "seed {seed}: no block used the new limit");
        for &b in &heavy {
            assert!(tree.get(b).height >= 2026, "seed {seed}: heavy block below the activation");
            assert!(tree.is_valid(b, RulesId::DEFAULT) && !tree.is_valid(b, LEGACY));
        }
        assert!(mined(&out).all(|b| tree.is_valid(b, RulesId::DEFAULT)), "seed {seed}");
        // The persistent split: at the first heavy block that ended on the main chain's branch.
        let splits = split_rows(&out);
        let lasting: Vec<_> = splits.iter().filter(|s| !s.healed).collect();
        assert_eq!(lasting.len(), 1, "seed {seed}: {splits:?}");
        let split = lasting[0];
        assert_eq!((split.accepting.as_str(), split.rejecting.as_str()), ("default", "legacy"));
        let best = w.best_block();
        let first_heavy = heavy
            .iter()
            .copied()
            .filter(|&h| tree.is_ancestor_or_self(h, best))
            .min_by_key(|&h| tree.get(h).height);
        let first_heavy = first_heavy.expect("the main chain holds a heavy block");
        assert_eq!(split.height, tree.get(first_heavy).height, "seed {seed}");
        // Every node is on the branch of its rules, and the legacy tip is valid to it.
        let legacy_nodes =
            (0..w.nodes().len() as u32).filter(|&n| w.nodes().rules(NodeId(n)) == LEGACY).count();
        assert!((85..=95).contains(&legacy_nodes), "seed {seed}: {legacy_nodes} legacy nodes");
        assert_eq!(split.old_nodes as usize, legacy_nodes, "seed {seed}");
        assert_eq!(split.new_nodes as usize, w.nodes().len() - legacy_nodes, "seed {seed}");
        for n in 0..w.nodes().len() as u32 {
            let node = NodeId(n);
            let tip = w.nodes().tip(node);
            assert!(tree.is_valid(tip, w.nodes().rules(node)), "seed {seed}: node {n}");
            assert_eq!(
                tree.is_ancestor_or_self(first_heavy, tip),
                w.nodes().rules(node) != LEGACY,
                "seed {seed}: node {n}"
            );
        }
        assert!((split.new_hash_share - 0.7).abs() < 1e-9 && (split.old_hash_share - 0.3).abs() < 1e-9);
        assert!(split.old_length > 0 && split.new_length > split.old_length, "seed {seed}: {split:?}");
        let summary = summarize("fork", &out);
        assert_eq!(summary.chain_splits, splits.len() as u64);
        assert_eq!(summary.max_split_depth, splits.iter().map(|s| s.depth).max().unwrap());
    }
}

/// Without groups, an activation changes everyone's rules at once: blocks double in weight at
/// the height, nothing splits, and every block is valid.
#[test]
fn an_activation_without_groups_changes_every_nodes_rules() {
    let text = FORK.split("[[node_group]]").next().unwrap();
    let out = run(&config(text, &[]), 2);
    let tree = out.world.tree();
    assert_eq!(tree.rules_count(), 1);
    for b in mined(&out) {
        let rec = tree.get(b);
        let limit = if rec.height >= 2026 { 8_000_000 } else { 4_000_000 };
        assert_eq!(rec.weight, limit, "height {}", rec.height);
        assert_eq!(rec.size_bytes, limit / 4);
        assert!(tree.is_valid(b, RulesId::DEFAULT));
    }
    assert!(split_rows(&out).is_empty());
    let s = summarize("fork", &out);
    assert_eq!((s.chain_splits, s.max_split_depth), (0, 0));
}

/// Switching the difficulty algorithm at a height: Bitcoin's retarget keeps nBits fixed within
/// the period; from the activation ASERT moves them every block, anchored on the block below
/// the activation, and every node accepts the result.
#[test]
fn a_difficulty_algorithm_can_activate_at_a_height() {
    let text = "name = \"daa\"\n[stop]\nblocks = 40\n[network]\nnodes = 60\npreset = \"bitcoin-2019\"\n\
                [consensus]\nstart_height = 2016\n\
                [[consensus.activation]]\nheight = 2030\nset = { difficulty = \"asert\", asert_half_life_s = 3600 }\n\
                [[mining.pool]]\nname = \"a\"\nhash_share = 1\nregion = \"NA\"\n";
    let out = run(&config(text, &[]), 4);
    let tree = out.world.tree();
    let chain = powsim::report::main_chain_flags(tree, out.world.best_block());
    let main: Vec<BlockId> = mined(&out).filter(|b| chain[b.index()]).collect();
    let bits = |h: u32| tree.get(*main.iter().find(|&&b| tree.get(b).height == h).unwrap()).header.bits;
    let start_bits = tree.get(tree.start_tip()).header.bits;
    assert!((2016..2030).all(|h| bits(h) == start_bits), "no retarget before the activation");
    let changes = (2031..2050).filter(|&h| bits(h) != bits(h - 1)).count();
    assert!(changes >= 15, "ASERT moves nBits with nearly every block: {changes}");
    assert!(mined(&out).all(|b| tree.is_valid(b, RulesId::DEFAULT)));
    assert_eq!(tree.rules(RulesId::DEFAULT).at(2030).algo.name(), "asert");
}

/// Groups and activations are part of the seed's contract: same files, byte for byte.
#[test]
fn groups_and_activations_are_deterministic() {
    let c = config(FORK, &["stop.blocks=25"]);
    let base = temp_dir("rules-determinism");
    let files = |sub: &str| run_files(&base.join(sub), &c, FORK, 9, false);
    let (a, b) = (files("a"), files("b"));
    assert!(a.iter().any(|(f, _)| f == "splits.csv"));
    assert_eq!(a, b);
    std::fs::remove_dir_all(base).unwrap();
}
