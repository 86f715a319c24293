//! Tests of the consensus rules' lowering: `[[consensus.activation]]` rule changes,
//! `[[node_group]]`s with their own rules, inheritance from `[consensus]`, the resolved form and
//! the errors of each key.

use super::tests::parse;
use super::*;

const POOLS: &str = "[[mining.pool]]\nname = \"a\"\nhash_share = 0.7\nregion = \"NA\"\n\n\
                     [[mining.pool]]\nname = \"b\"\nhash_share = 0.3\nregion = \"EU\"\n";

fn ok(text: &str) -> Config {
    let config = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    // The resolved form gives the same configuration back.
    let resolved = resolved_toml(&config);
    assert_eq!(parse(&resolved).as_ref(), Ok(&config), "{resolved}");
    config
}

/// The error's (line, key) for `text`, asserting its message holds `needle`.
fn err(text: &str, needle: &str) -> (Option<usize>, String) {
    let e = parse(text).expect_err(text);
    assert!(e.message.contains(needle), "{text}\n-> {:?} lacks {needle:?}", e.message);
    (e.line, e.key)
}

#[test]
fn activations_apply_on_top_of_the_rules_before_them() {
    let config = ok(
        "name = \"a\"\n[blocks]\nfull = true\n[consensus]\nblock_interval_s = 300\nmax_block_weight = 2000000\n\
                     [[consensus.activation]]\nheight = 3000\nset = { max_block_weight = 8000000 }\n\
                     [[consensus.activation]]\nheight = 4000\nset = { difficulty = \"asert\", asert_half_life_s = 3600 }\n",
    );
    let c = &config.consensus;
    assert_eq!(c.rules.max_block_weight, 2_000_000);
    assert_eq!(c.activation.len(), 2);
    let (first, second) = (&c.activation[0], &c.activation[1]);
    assert_eq!(
        (first.height, first.rules.max_block_weight, first.rules.block_interval_s),
        (3000, 8_000_000, 300)
    );
    assert_eq!(first.rules.difficulty, DifficultyName::Bitcoin);
    // The second keeps the first's weight limit and the scenario's interval.
    assert_eq!((second.rules.max_block_weight, second.rules.block_interval_s), (8_000_000, 300));
    assert_eq!(second.rules.difficulty, DifficultyName::Asert { half_life_s: 3600 });
    // The resolved file writes only what each activation changes.
    let resolved = resolved_toml(&config);
    assert!(resolved.contains("[[consensus.activation]]\nheight = 3000\n\n[consensus.activation.set]\nmax_block_weight = 8000000\n"), "{resolved}");
    assert!(resolved.contains("difficulty = \"asert\"\nasert_half_life_s = 3600\n"), "{resolved}");
}

#[test]
fn a_new_algorithm_does_not_inherit_another_algorithms_settings() {
    let config =
        ok("name = \"a\"\n[consensus]\ndifficulty = \"lwma\"\nlwma_window = 90\nstart_height = 2016\n\
                     [[consensus.activation]]\nheight = 2100\nset = { difficulty = \"bitcoin\" }\n\
                     [[consensus.activation]]\nheight = 2200\nset = { clamp_factor = 2 }\n");
    assert_eq!(config.consensus.activation[0].rules.difficulty, DifficultyName::Bitcoin);
    assert_eq!(config.consensus.activation[0].rules.clamp_factor, 4);
    assert_eq!(config.consensus.activation[1].rules.clamp_factor, 2);
}

#[test]
fn node_groups_take_shares_pools_and_their_own_rules() {
    let text = format!(
        "name = \"g\"\n[consensus]\nblock_interval_s = 300\n\
         [[consensus.activation]]\nheight = 3000\nset = {{ max_block_weight = 8000000 }}\n{POOLS}\n\
         [[node_group]]\nname = \"legacy\"\nshare = 0.3\npools = [\"b\"]\nconsensus = {{ activation = [] }}\n\
         [[node_group]]\nname = \"fast\"\nshare = 0.1\n[node_group.consensus]\nblock_interval_s = 60\n"
    );
    let config = ok(&text);
    let [legacy, fast] = &config.node_groups[..] else { panic!("two groups") };
    assert_eq!((legacy.name.as_str(), legacy.share, legacy.pools.as_slice()), ("legacy", 0.3, &[1usize][..]));
    // The legacy group keeps the scenario's rules without its activation.
    assert_eq!(legacy.rules, config.consensus.rules);
    assert!(legacy.activation.is_empty());
    // The fast group changes the interval and takes the scenario's activation on top of it.
    assert_eq!(fast.rules.block_interval_s, 60);
    assert_eq!(fast.activation.len(), 1);
    assert_eq!((fast.activation[0].height, fast.activation[0].rules.block_interval_s), (3000, 60));
    assert_eq!(fast.activation[0].rules.max_block_weight, 8_000_000);
}

#[test]
fn full_blocks_replace_the_size() {
    let config = ok("name = \"f\"\n[blocks]\nfull = true\nwitness_fraction = 0.5\n");
    assert!(config.blocks.full);
    // A fixed size must fit every rule set's limit; a full block fits by construction.
    let (line, key) = err(
        "name = \"f\"\n[blocks]\nsize_bytes = 1500000\n[[node_group]]\nname = \"s\"\nshare = 0.5\n\
         consensus = { max_block_weight = 4000000 }\n[consensus]\nmax_block_weight = 8000000\n",
        "above max_block_weight = 4000000",
    );
    assert_eq!((line, key.as_str()), (Some(3), "blocks.size_bytes"));
    let (line, key) =
        err("name = \"f\"\n[blocks]\nfull = true\nsize_bytes = 1000\n", "does not apply with blocks.full");
    assert_eq!((line, key.as_str()), (Some(4), "blocks.size_bytes"));
    let (line, key) =
        err("name = \"f\"\n[blocks]\nfull = true\n[transactions]\nrate_per_s = 1\n", "remove it or remove");
    assert_eq!((line, key.as_str()), (Some(3), "blocks.full"));
}

#[test]
fn activation_errors_name_the_key() {
    let act = |body: &str| format!("name = \"a\"\n[[consensus.activation]]\n{body}\n");
    let (line, key) = err(
        &act("height = 2016\nset = { max_block_weight = 8000000 }"),
        "above consensus.start_height = 2016",
    );
    assert_eq!((line, key.as_str()), (Some(3), "consensus.activation[0].height"));
    let (_, key) = err(&act("set = { max_block_weight = 8000000 }"), "is required");
    assert_eq!(key, "consensus.activation[0].height");
    let (_, key) = err(&act("height = 3000"), "is required");
    assert_eq!(key, "consensus.activation[0].set");
    let (_, key) = err(&act("height = 3000\nset = {}"), "names no rule");
    assert_eq!(key, "consensus.activation[0].set");
    let (_, key) = err(&act("height = 3000\nset = { start_height = 5 }"), "belongs to [consensus] alone");
    assert_eq!(key, "consensus.activation[0].set.start_height");
    let (_, key) = err(&act("height = 3000\nset = { max_block_weight = 1 }"), "must be an integer from 4000");
    assert_eq!(key, "consensus.activation[0].set.max_block_weight");
    let (_, key) = err(&act("height = 3000\nset = { bogus = 1 }"), "unknown key");
    assert_eq!(key, "consensus.activation[0].set.bogus");
    let (_, key) =
        err(&act("height = 3000\nset = { difficulty = \"lwma\", lwma_window = 4000 }"), "from 2 to 1000");
    assert_eq!(key, "consensus.activation[0].set.lwma_window");
    let (_, key) =
        err(&act("height = 3000\nset = { difficulty = \"asert\", clamp_factor = 2 }"), "applies only with");
    assert_eq!(key, "consensus.activation[0].set.clamp_factor");
    let two = "name = \"a\"\n[[consensus.activation]]\nheight = 3000\nset = { mtp_window = 5 }\n\
               [[consensus.activation]]\nheight = 3000\nset = { mtp_window = 7 }\n";
    let (line, key) = err(two, "increasing height");
    assert_eq!((line, key.as_str()), (Some(6), "consensus.activation[1].height"));
    let nested = "name = \"a\"\n[[consensus.activation]]\nheight = 3000\n[consensus.activation.set]\nmtp_window = 5\n\
                  [[consensus.activation.set.activation]]\nheight = 4000\n";
    let (_, key) = err(nested, "do not nest");
    assert_eq!(key, "consensus.activation[0].set.activation");
}

#[test]
fn node_group_errors_name_the_key() {
    let group = |body: &str| format!("name = \"g\"\n{POOLS}\n[[node_group]]\n{body}\n");
    let (_, key) = err(&group("share = 0.5\nconsensus = { mtp_window = 5 }"), "is required");
    assert_eq!(key, "node_group[0].name");
    let (_, key) =
        err(&group("name = \"default\"\nshare = 0.5\nconsensus = { mtp_window = 5 }"), "not \"default\"");
    assert_eq!(key, "node_group[0].name");
    let (_, key) = err(&group("name = \"x\"\nshare = 1.5\nconsensus = { mtp_window = 5 }"), "must be");
    assert_eq!(key, "node_group[0].share");
    let (_, key) = err(&group("name = \"x\"\npools = [\"c\"]\nconsensus = { mtp_window = 5 }"), "not a pool");
    assert_eq!(key, "node_group[0].pools");
    let (_, key) = err(&group("name = \"x\"\nconsensus = { mtp_window = 5 }"), "has no members");
    assert_eq!(key, "node_group[0]");
    let (_, key) = err(&group("name = \"x\"\nshare = 0.5"), "runs the scenario's rules");
    assert_eq!(key, "node_group[0].consensus");
    let (_, key) = err(
        &group("name = \"x\"\nshare = 0.5\nconsensus = { start_height = 3000 }"),
        "belongs to [consensus] alone",
    );
    assert_eq!(key, "node_group[0].consensus.start_height");
    let (_, key) =
        err(&group("name = \"x\"\nshare = 0.5\nconsensus = { difficulty = \"nope\" }"), "must be one of");
    assert_eq!(key, "node_group[0].consensus.difficulty");
    let acts = "name = \"x\"\nshare = 0.5\n[[node_group.consensus.activation]]\nheight = 10\nset = { mtp_window = 5 }";
    let (_, key) = err(&group(acts), "above consensus.start_height");
    assert_eq!(key, "node_group[0].consensus.activation[0].height");
    let two = "name = \"x\"\nshare = 0.6\nconsensus = { mtp_window = 5 }\n\
               [[node_group]]\nname = \"x\"\nshare = 0.1\nconsensus = { mtp_window = 7 }";
    let (line, key) = err(&group(two), "already the name of node_group[0]");
    assert_eq!((line, key.as_str()), (Some(17), "node_group[1].name"));
    let shares = "name = \"x\"\nshare = 0.6\nconsensus = { mtp_window = 5 }\n\
                  [[node_group]]\nname = \"y\"\nshare = 0.5\nconsensus = { mtp_window = 7 }";
    let (_, key) = err(&group(shares), "sum to 1.1");
    assert_eq!(key, "node_group[1].share");
    let pools = "name = \"x\"\npools = [\"a\"]\nconsensus = { mtp_window = 5 }\n\
                 [[node_group]]\nname = \"y\"\npools = [\"a\"]\nconsensus = { mtp_window = 7 }";
    let (_, key) = err(&group(pools), "already in node_group[0]");
    assert_eq!(key, "node_group[1].pools");
    let every = "name = \"g\"\n[mining]\npools = \"every-node\"\n[[node_group]]\nname = \"x\"\npools = [\"a\"]\n\
                 consensus = { mtp_window = 5 }\n";
    let (_, key) = err(every, "every node mines");
    assert_eq!(key, "node_group[0].pools");
}
