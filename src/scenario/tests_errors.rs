//! Tests of the scenario boundary's errors: one per kind, each checking the
//! file, line and key it reports, and a sweep of hostile inputs that must
//! produce errors, never panics.

use std::path::Path;

use super::tests::{TempDir, parse, parse_set};
use super::*;

/// The error for `text` (read as `t.toml`), as (file, line, key, message).
fn fails(text: &str) -> (String, Option<usize>, String, String) {
    let err = parse(text).expect_err(text);
    (err.file, err.line, err.key, err.message)
}

/// Asserts the place of the error for `text` and that its message has `needle`.
fn check(text: &str, line: Option<usize>, key: &str, needle: &str) {
    let (file, got_line, got_key, message) = fails(text);
    assert_eq!((file.as_str(), got_line, got_key.as_str()), ("t.toml", line, key), "{text}\n-> {message}");
    assert!(message.contains(needle), "{text}\n-> {message:?} lacks {needle:?}");
}

#[test]
fn toml_syntax_error_names_the_line() {
    check("name = \"x\"\n\n[network]\nnodes = = 3\n", Some(4), "", "TOML syntax error");
    check("name = \"x\"\n[network\n", Some(2), "", "TOML syntax error");
}

#[test]
fn unknown_key_lists_allowed_keys() {
    check("name = \"x\"\n[network]\nnodes = 10\nnode = 5\n", Some(4), "network.node", "unknown key `node`");
    let (_, _, _, message) = fails("name = \"x\"\n[network]\nnode = 5\n");
    for allowed in ["nodes", "preset", "topology_file", "degree"] {
        assert!(message.contains(allowed), "{message}");
    }
    check("name = \"x\"\nnetwork.nodez = 5\n", Some(2), "network.nodez", "unknown key");
    check("name = \"x\"\n[bogus]\na = 1\n", Some(2), "bogus", "unknown key `bogus`");
    let pool = "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 1\nregion = \"NA\"\nspeed = 3\n";
    check(pool, Some(6), "mining.pool[0].speed", "unknown key `speed`");
}

#[test]
fn wrong_type_names_key_and_expected_type() {
    check("name = \"x\"\n[network]\nnodes = \"many\"\n", Some(3), "network.nodes", "expected an integer");
    check("name = \"x\"\n[network]\nnodes = 1.5\n", Some(3), "network.nodes", "expected an integer");
    check("name = 5\n", Some(1), "name", "expected a string");
    check("name = \"x\"\nstop = 5\n", Some(2), "stop", "expected a table");
    check("name = \"x\"\n[[network]]\nnodes = 5\n", Some(2), "network", "expected a table");
    check("name = \"x\"\n[output]\nwrite_graph = \"yes\"\n", Some(3), "output.write_graph", "a boolean");
    check(
        "name = \"x\"\n[mining]\nhashrate_hs = \"fast\"\n",
        Some(3),
        "mining.hashrate_hs",
        "expected a number",
    );
    check("name = \"x\"\n[mining.pool]\nname = \"a\"\n", Some(2), "mining.pool", "invalid type");
}

#[test]
fn out_of_range_values_say_what_is_allowed() {
    check("name = \"x\"\n[network]\nnodes = 1\n", Some(3), "network.nodes", "from 2 to 100000000, got 1");
    check(
        "name = \"x\"\n[relay]\nhigh_bandwidth_peers = 9\n",
        Some(3),
        "relay.high_bandwidth_peers",
        "from 0 to 8",
    );
    check(
        "name = \"x\"\n[blocks]\nwitness_fraction = 1.0\n",
        Some(3),
        "blocks.witness_fraction",
        ">= 0 and < 1",
    );
    check(
        "name = \"x\"\n[network]\npreset = \"mainnet\"\n",
        Some(3),
        "network.preset",
        "\"bitcoin-2015\", \"bitcoin-2019\", \"ideal\"",
    );
    check("name = \"x\"\n[relay]\nprotocol = \"fast\"\n", Some(3), "relay.protocol", "\"unsolicited\"");
    check("name = \"bad name\"\n", Some(1), "name", "A-Z a-z 0-9 . _ -");
    check("name = \"..\"\n", Some(1), "name", "not only dots");
    check("description = \"no name\"\n", None, "name", "is required");
    check("name = \"x\"\n[stop]\nsim_time_s = 0\n", Some(3), "stop.sim_time_s", "> 0");
    // Settings that would only run until the event budget: sub-second mempool samples, and hash
    // rates beyond the bound of mining.hashrate_hs.
    let tx = "name = \"x\"\n[transactions]\n[output]\n";
    check(&format!("{tx}mempool_sample_s = 1e-9\n"), Some(4), "output.mempool_sample_s", "at least 1 s");
    assert!(
        parse(&format!("{tx}mempool_sample_s = 0\n")).is_ok()
            && parse(&format!("{tx}mempool_sample_s = 1\n")).is_ok()
    );
    let event = "name = \"x\"\n[[events]]\nkind = \"hashrate\"\nat_s = 1\nset_hs = ";
    check(&format!("{event}1e300\n"), Some(5), "events[0].set_hs", "<= 1e60");
    assert!(parse(&format!("{event}0\n")).is_ok() && parse(&format!("{event}1e60\n")).is_ok());
}

#[test]
fn negative_values_for_unsigned_keys_are_range_errors() {
    check("name = \"x\"\nseed = -1\n", Some(2), "seed", "from 0 to 18446744073709551615, got -1");
    check("name = \"x\"\n[stop]\nmax_events = -5\n", Some(3), "stop.max_events", "got -5");
    check(
        "name = \"x\"\n[network]\nnodes = -9223372036854775808\n",
        Some(3),
        "network.nodes",
        "from 2 to 1000000",
    );
    check("name = \"x\"\nseed = 18446744073709551616\n", Some(2), "seed", "got 18446744073709551616");
    let huge = "name = \"x\"\nseed = 999999999999999999999999999999999999999999999999\n";
    let (file, line, key, _) = fails(huge);
    assert_eq!((file.as_str(), line, key.as_str()), ("t.toml", Some(2), "seed"));
    assert_eq!(parse("name = \"x\"\nseed = 18446744073709551615").map(|c| c.seed), Ok(u64::MAX));
}

#[test]
fn nan_and_infinite_floats_are_rejected() {
    check("name = \"x\"\n[mining]\nhashrate_hs = nan\n", Some(3), "mining.hashrate_hs", "finite");
    check("name = \"x\"\n[mining]\nhashrate_hs = inf\n", Some(3), "mining.hashrate_hs", "got inf");
    check("name = \"x\"\n[stop]\ndrain_s = -nan\n", Some(3), "stop.drain_s", "finite");
    check(
        "name = \"x\"\n[network]\npreset = \"ideal\"\nlatency_ms = 1e400\n",
        Some(4),
        "network.latency_ms",
        "",
    );
    let pool = "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = -inf\nregion = \"NA\"\n";
    check(pool, Some(4), "mining.pool[0].hash_share", "> 0 and <= 1");
}

#[test]
fn shares_not_summing_to_one_name_the_sum() {
    let text = "name = \"x\"\n\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n\
                [[mining.pool]]\nname = \"b\"\nhash_share = 0.4\nregion = \"EU\"\n";
    check(text, Some(3), "mining.pool", "must sum to 1 (within 1e-6), got 0.9");
}

#[test]
fn pool_tables_are_checked() {
    let missing = "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n\
                   [[mining.pool]]\nname = \"b\"\nhash_share = 0.5\n";
    check(missing, Some(6), "mining.pool[1].region", "is required");
    let twice = "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n\
                 [[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n";
    check(twice, Some(7), "mining.pool[1].name", "already used by mining.pool[0]");
    let region = "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 1\nregion = \"Mars\"\n";
    check(region, Some(5), "mining.pool[0].region", "NA, EU, SA, AP, JP, AU");
    let one = "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 1\nregion = \"NA\"\n";
    let alone = format!("{one}tx_relay_connections = 4\n");
    check(&alone, Some(6), "mining.pool[0].tx_relay_connections", "only with connections");
    let bad = format!("{one}strategy = \"greedy\"\n");
    check(&bad, Some(6), "mining.pool[0].strategy", "\"honest\", \"selfish\"");
    let selfish_tx = format!("{one}strategy = \"selfish\"\n[transactions]\nrate_per_s = 1\n");
    check(&selfish_tx, Some(6), "mining.pool[0].strategy", "not supported with [transactions]");
    let rn = format!("{one}[relay_network]\npools = [\"a\", \"zz\"]\n");
    check(&rn, Some(7), "relay_network.pools[1]", "no pool is named \"zz\"; pools are a");
    let rn = format!("{one}[relay_network]\npools = [\"a\"]\n");
    check(&rn, Some(7), "relay_network.pools", "at least two member pools, got 1");
    let rn = "name = \"x\"\n[mining]\npools = \"every-node\"\n[relay_network]\npools = [\"a\", \"b\"]\n";
    check(rn, Some(4), "relay_network", "needs named pools");
    let trail = format!("{one}strategy = \"selfish\"\nstubborn_trail = 2\n");
    check(&trail, Some(7), "mining.pool[0].stubborn_trail", "only with strategy = \"stubborn\"");
    let spv = format!("{one}strategy = \"selfish\"\nspv_mining = true\n");
    check(&spv, Some(7), "mining.pool[0].spv_mining", "not for withholding pools; strategy = \"selfish\"");
    let gw = format!("{one}gateways = [\"EU\", \"Moon\"]\n");
    check(&gw, Some(6), "mining.pool[0].gateways[1]", "must be one of NA, EU, SA, AP, JP, AU; got \"Moon\"");
    let gw = format!("{one}strategy = \"selfish\"\ngateways = [\"EU\"]\n");
    check(&gw, Some(7), "mining.pool[0].gateways", "not for withholding pools");
    let gw =
        format!("name = \"x\"\n[network]\nnodes = 3\n{}gateways = [\"EU\", \"AP\", \"JP\"]\n", &one[11..]);
    check(
        &gw,
        Some(4),
        "mining.pool",
        "1 pools need 4 nodes (one each, plus their gateways), but network.nodes = 3",
    );
    let spv = format!("{one}spv_mining = 1\n");
    check(&spv, Some(6), "mining.pool[0].spv_mining", "");
    let gamma = "name = \"x\"\n[mining]\ngamma = 0.5\n";
    check(gamma, Some(3), "mining.gamma", "strategy is \"selfish\" or \"stubborn\"");
    let gamma_range = format!("name = \"x\"\n[mining]\ngamma = 1.5\n{}", &one[11..]);
    let gamma_range = gamma_range.replace("region = \"NA\"\n", "region = \"NA\"\nstrategy = \"selfish\"\n");
    check(&gamma_range, Some(3), "mining.gamma", ">= 0 and <= 1");
    let more = format!("{one}connections = 10\ntx_relay_connections = 11\n");
    check(&more, Some(7), "mining.pool[0].tx_relay_connections", "at most connections = 10, got 11");
    let both = "name = \"x\"\n[mining]\npools = \"every-node\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 1\nregion = \"NA\"\n";
    check(both, Some(3), "mining.pools", "not both");
    let crowded = "name = \"x\"\n[network]\nnodes = 10\n";
    check(crowded, Some(3), "mining.pools", "the bitcoin-2015 pool preset puts 16 miners");
    check("name = \"x\"\n[mining]\npool = []\n", Some(3), "mining.pool", "at least one pool");
}

#[test]
fn pool_presets_are_named_and_must_fit_on_the_network() {
    let crowded = "name = \"x\"\n[network]\nnodes = 24\n[mining]\npools = \"bitcoin-2026\"\n";
    let needle = "the bitcoin-2026 pool preset puts 25 miners on separate nodes (one node each), \
                  but network.nodes = 24";
    check(crowded, Some(5), "mining.pools", needle);
    let unknown = "name = \"x\"\n[mining]\npools = \"bitcoin-2030\"\n";
    check(
        unknown,
        Some(3),
        "mining.pools",
        "\"bitcoin-2015\", \"bitcoin-2026\", \"every-node\"; got \"bitcoin-2030\"",
    );
    let sd = "name = \"x\"\n[mining]\npools = \"bitcoin-2026\"\nevery_node_sd = 0.1\n";
    check(sd, Some(4), "mining.every_node_sd", "here pools = \"bitcoin-2026\"");
    assert!(parse("name = \"x\"\n[network]\nnodes = 25\n[mining]\npools = \"bitcoin-2026\"\n").is_ok());
}

#[test]
fn keys_of_other_settings_name_the_setting_they_belong_to() {
    check(
        "name = \"x\"\n[network]\ndegree = 4\n",
        Some(3),
        "network.degree",
        "topology = \"random-regular\"",
    );
    check("name = \"x\"\n[network]\nlatency_ms = 50\n", Some(3), "network.latency_ms", "preset = \"ideal\"");
    check(
        "name = \"x\"\n[network]\njitter_sigma = 1\n",
        Some(3),
        "network.jitter_sigma",
        "jitter = \"lognormal\"",
    );
    let core = "name = \"x\"\n[network]\ntopology = \"complete\"\nmax_connections = 50\n";
    check(core, Some(4), "network.max_connections", "topology = \"bitcoin-core\"");
    check(
        "name = \"x\"\n[network]\ntopology_file = \"g.csv\"\n",
        Some(3),
        "network.topology_file",
        "topology = \"file\"",
    );
    check(
        "name = \"x\"\n[mining]\nevery_node_sd = 0.1\n",
        Some(3),
        "mining.every_node_sd",
        "pools = \"every-node\"",
    );
}

#[test]
fn difficulty_settings_name_the_algorithm_they_belong_to() {
    let with = |body: &str| format!("name = \"x\"\n[consensus]\n{body}\n");
    check(
        &with("asert_half_life_s = 3600"),
        Some(3),
        "consensus.asert_half_life_s",
        "applies only with difficulty = \"asert\", but here difficulty = \"bitcoin\"",
    );
    check(
        &with("difficulty = \"asert\"\nlwma_window = 90"),
        Some(4),
        "consensus.lwma_window",
        "applies only with difficulty = \"lwma\", but here difficulty = \"asert\"",
    );
    check(
        &with("lwma_window = 90\ndifficulty = \"bch-cw144\""),
        Some(3),
        "consensus.lwma_window",
        "but here difficulty = \"bch-cw144\"",
    );
    check(
        &with("difficulty = \"lwma\"\nasert_half_life_s = 172800"),
        Some(4),
        "consensus.asert_half_life_s",
        "applies only with difficulty = \"asert\"",
    );
    // The clamp belongs to the Bitcoin-style retargets.
    check(
        &with("difficulty = \"fixed\"\nclamp_factor = 4"),
        Some(4),
        "consensus.clamp_factor",
        "\"bitcoin\", \"bitcoin-bip94\" or \"bch-eda\"",
    );
    for ok in ["bitcoin", "bitcoin-bip94", "bch-eda"] {
        assert!(parse(&with(&format!("difficulty = \"{ok}\"\nclamp_factor = 2"))).is_ok(), "{ok}");
    }
    // Ranges and names.
    check(
        &with("difficulty = \"asert\"\nasert_half_life_s = 0"),
        Some(4),
        "consensus.asert_half_life_s",
        "from 1 to 1000000000, got 0",
    );
    check(
        &with("difficulty = \"lwma\"\nlwma_window = 1"),
        Some(4),
        "consensus.lwma_window",
        "from 2 to 1000",
    );
    check(&with("difficulty = \"lwma\"\nlwma_window = 1001"), Some(4), "consensus.lwma_window", "got 1001");
    check(
        &with("difficulty = \"bch\""),
        Some(3),
        "consensus.difficulty",
        "\"bitcoin\", \"bitcoin-bip94\", \"asert\", \"bch-cw144\", \"bch-eda\", \"lwma\", \"fixed\"; got \"bch\"",
    );
    // LWMA's window must fit below the start.
    check(
        &with("difficulty = \"lwma\"\nstart_height = 60"),
        Some(4),
        "consensus.start_height",
        "must be above lwma_window = 60 with difficulty = \"lwma\"",
    );
    assert!(parse(&with("difficulty = \"lwma\"\nstart_height = 61")).is_ok());
    assert!(parse(&with("difficulty = \"bch-cw144\"\nstart_height = 3")).is_ok());
    // Overrides name --set.
    let err =
        parse_set("name = \"x\"\n", &["consensus.lwma_window=60"]).expect_err("lwma_window with bitcoin");
    assert_eq!((err.file.as_str(), err.line, err.key.as_str()), ("--set", None, "consensus.lwma_window"));
    assert!(err.message.contains("difficulty = \"lwma\""), "{}", err.message);
}

#[test]
fn inconsistent_combinations_are_rejected() {
    let heavy = "name = \"x\"\n[consensus]\nmax_block_weight = 1000000\n[blocks]\nsize_bytes = 300000\n";
    check(heavy, Some(5), "blocks.size_bytes", "weighs 1200000 weight units");
    let odd = "name = \"x\"\n[network]\nnodes = 5\ntopology = \"random-regular\"\ndegree = 3\n[mining]\npools = \"every-node\"\n";
    check(odd, Some(5), "network.degree", "must be even");
    let small = "name = \"x\"\n[network]\nnodes = 5\ntopology = \"random-regular\"\n[mining]\npools = \"every-node\"\n";
    check(small, Some(2), "network.degree", "default degree 8");
    let room = "name = \"x\"\n[network]\nmax_connections = 10\n";
    check(room, Some(3), "network.max_connections", "greater than");
}

#[test]
fn missing_data_file_names_the_key_that_asks_for_it() {
    let text = "name = \"x\"\n[network]\nnodes = 4\ntopology = \"file\"\ntopology_file = \"nope.csv\"\n";
    check(text, Some(5), "network.topology_file", "nope.csv");
    check("name = \"x\"\n[network]\ntopology = \"file\"\n", Some(2), "network.topology_file", "is required");
}

#[test]
fn bad_data_file_line_names_the_data_file() {
    let dir = TempDir::new("bad-edges");
    let graph = dir.write("g.csv", b"source,target\n0,1\n1,1\n");
    let text = "name = \"x\"\n[network]\nnodes = 4\ntopology = \"file\"\ntopology_file = \"g.csv\"\n";
    let path = dir.write("s.toml", text.as_bytes());
    let err = load(&path, &[]).expect_err("self-loop");
    assert_eq!(err.file, graph.display().to_string());
    assert_eq!((err.line, err.key.as_str()), (Some(3), "network.topology_file"));
    assert!(err.message.contains("self-loop"), "{}", err.message);
}

#[test]
fn unreadable_scenario_files_are_errors() {
    let dir = TempDir::new("bytes");
    let path = dir.write("latin1.toml", b"name = \"x\"\ndescription = \"caf\xe9\"\n");
    let err = load(&path, &[]).expect_err("not UTF-8");
    assert_eq!((err.file, err.line, err.key.as_str()), (path.display().to_string(), Some(2), ""));
    assert!(err.message.contains("UTF-8"));
    let missing = dir.0.join("missing.toml");
    let err = load(&missing, &[]).expect_err("missing");
    assert_eq!((err.file, err.line), (missing.display().to_string(), None));
    assert!(err.message.contains("cannot read scenario file"), "{}", err.message);
}

#[test]
fn override_errors_name_set() {
    let place = |sets: &[&str]| {
        let err = parse_set("name = \"x\"\n[network]\nnodes = 50\n", sets).expect_err("bad --set");
        (err.file, err.line, err.key)
    };
    let set = |key: &str| ("--set".to_string(), None, key.to_string());
    assert_eq!(place(&["network.bogus=1"]), set("network.bogus"));
    assert_eq!(place(&["nonsense.deep.key=1"]), set("nonsense"));
    assert_eq!(place(&["network.nodes=0"]), set("network.nodes"));
    assert_eq!(place(&["network.nodes=ten"]), set("network.nodes"));
    assert_eq!(place(&["network.nodes.x=1"]), set("network.nodes.x"));
    assert_eq!(place(&["mining.pool.3.name=a"]), set("mining.pool.3.name"));
    assert_eq!(place(&["network.nodes"]), set(""));
    assert_eq!(place(&[".x=1"]), set(".x"));
}

/// Values that every key must turn into an error or accept, never a panic.
const HOSTILE_VALUES: [&str; 17] = [
    "nan",
    "-inf",
    "1e400",
    "-1",
    "0",
    "18446744073709551616",
    "99999999999999999999999999999999999999999",
    "\"\"",
    "[]",
    "{}",
    "{ a = 1 }",
    "1979-05-27",
    "true",
    "[[1]]",
    "\"\\u0000\"",
    "0x7fffffffffffffff",
    "-0.0",
];

/// Replaces each line's value by hostile values, and adds hostile lines:
/// every result must be `Ok` or `Err`, never a panic.
#[test]
fn hostile_inputs_never_panic() {
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml"))
            .expect("quickstart");
    for (index, line) in base.lines().enumerate() {
        let Some((key, _)) = line.split_once('=') else { continue };
        for value in HOSTILE_VALUES {
            let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
            lines[index] = format!("{key}= {value}");
            let _ = parse(&lines.join("\n"));
        }
    }
    let extra = [
        "[network.nodes]",
        "[[mining.pool]]",
        "[[mining.pool.x]]",
        "mining = []",
        "[mining]\npool = 3",
        "[[stop]]",
        "[network]\ntopology = \"file\"\ntopology_file = \"\"",
        "mining.pool = [1, 2]",
        "mining.pool = [{}]",
    ];
    for text in extra {
        assert!(parse(&format!("name = \"x\"\n{text}\n")).is_err(), "{text}");
    }
    for set in ["=", "a=", "[0]=1", "mining.pool[=1", "mining.pool.-1.name=a", "stop=[1,2]", "name.x.y=1"] {
        let _ = parse_set("name = \"x\"", &[set]);
    }
}

/// Deep nesting is refused by the TOML parser's recursion limit (file) or
/// the override path limit (`--set`) instead of overflowing the stack.
#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let n = 100_000;
    let deep_path = format!("network{}", ".x".repeat(n));
    let deep_array = format!("{}{}", "[".repeat(n), "]".repeat(n));
    for text in [format!("seed = {deep_array}"), format!("{deep_path} = 1"), format!("[{deep_path}]")] {
        assert!(parse(&format!("name = \"x\"\n{text}\n")).is_err());
    }
    for set in [format!("{deep_path}=1"), format!("seed={deep_array}"), format!("seed={{a={deep_array}}}")] {
        let err = parse_set("name = \"x\"", &[set.as_str()]).expect_err("deep --set");
        assert_eq!(err.file, "--set");
    }
}

/// A scenario whose `[transactions]` body starts on line 3.
fn tx(body: &str) -> String {
    format!("name = \"x\"\n[transactions]\n{body}\n")
}

#[test]
fn transactions_ranges_name_the_key() {
    check(&tx("rate_per_s = 0"), Some(3), "transactions.rate_per_s", "> 0 and <= 100000, got 0");
    check(&tx("rate_per_s = 1e6"), Some(3), "transactions.rate_per_s", "<= 100000");
    check(&tx("schedule = \"weekly\""), Some(3), "transactions.schedule", "\"constant\", \"daily\"");
    check(
        &tx("schedule = \"daily\"\ndaily_amplitude = 1"),
        Some(4),
        "transactions.daily_amplitude",
        ">= 0 and < 1",
    );
    check(&tx("schedule = \"daily\"\ndaily_peak_hour = 24"), Some(4), "transactions.daily_peak_hour", "< 24");
    check(&tx("chain_share = 1.5"), Some(3), "transactions.chain_share", ">= 0 and <= 1");
    check(&tx("cpfp_share = -0.1"), Some(3), "transactions.cpfp_share", ">= 0 and <= 1");
    check(&tx("rbf_share = nan"), Some(3), "transactions.rbf_share", "finite");
    check(&tx("double_spend_share = 2"), Some(3), "transactions.double_spend_share", "<= 1");
    check(&tx("stuck_after_blocks = 0"), Some(3), "transactions.stuck_after_blocks", "from 1 to 2016, got 0");
    check(&tx("stuck_after_blocks = 2017"), Some(3), "transactions.stuck_after_blocks", "from 1 to 2016");
    check(&tx("fee_bump = 1.05"), Some(3), "transactions.fee_bump", ">= 1.1 and <= 100");
    check(&tx("relay = \"slow\""), Some(3), "transactions.relay", "\"fast\", \"full\"");
    check(&tx("max_tx_rows = -1"), Some(3), "transactions.max_tx_rows", "from 0 to");
    check(&tx("rate_per_s = \"fast\""), Some(3), "transactions.rate_per_s", "expected a number");
    check(&tx("bogus = 1"), Some(3), "transactions.bogus", "unknown key `bogus`");
    let (_, _, _, message) = fails(&tx("bogus = 1"));
    for allowed in ["rate_per_s", "feerate", "surge", "observers", "max_tx_rows"] {
        assert!(message.contains(allowed), "{message}");
    }
}

#[test]
fn bump_shares_must_leave_room() {
    let text = tx("cpfp_share = 0.6\nrbf_share = 0.5");
    check(
        &text,
        Some(4),
        "transactions.rbf_share",
        "cpfp_share + rbf_share must be at most 1 (a stuck transaction is bumped one way at most), got 0.6 + 0.5 = 1.1",
    );
    assert!(parse(&tx("cpfp_share = 0.7\nrbf_share = 0.3")).is_ok());
}

#[test]
fn transactions_keys_of_other_settings_name_the_setting() {
    check(&tx("daily_amplitude = 0.2"), Some(3), "transactions.daily_amplitude", "schedule = \"daily\"");
    check(
        &tx("daily_peak_hour = 3"),
        Some(3),
        "transactions.daily_peak_hour",
        "here schedule = \"constant\"",
    );
    check(&tx("relay = \"full\"\nobservers = 5"), Some(4), "transactions.observers", "relay = \"fast\"");
    let big = "name = \"x\"\n[network]\nnodes = 20\n[transactions]\nobservers = 21\n";
    check(big, Some(5), "transactions.observers", "at most network.nodes = 20, got 21");
}

#[test]
fn distribution_keys_are_checked_per_dist() {
    let f = |value: &str| tx(&format!("feerate = {value}"));
    check(
        &f("{ dist = \"normal\" }"),
        Some(3),
        "transactions.feerate.dist",
        "\"fixed\", \"lognormal\", \"empirical\"",
    );
    check(&f("{ dist = \"fixed\" }"), Some(3), "transactions.feerate.sat_vb", "is required");
    check(
        &f("{ dist = \"fixed\", sat_vb = 0 }"),
        Some(3),
        "transactions.feerate.sat_vb",
        "> 0 and <= 1000000",
    );
    check(&f("{ median_sat_vb = 0 }"), Some(3), "transactions.feerate.median_sat_vb", "> 0");
    check(&f("{ sigma = 0 }"), Some(3), "transactions.feerate.sigma", "> 0 and <= 3");
    check(&f("{ sat_vb = 3 }"), Some(3), "transactions.feerate.sat_vb", "only with dist = \"fixed\"");
    check(
        &f("{ dist = \"fixed\", sat_vb = 3, sigma = 1 }"),
        Some(3),
        "transactions.feerate.sigma",
        "dist = \"lognormal\"",
    );
    check(
        &f("{ dist = \"fixed\", sat_vb = 3, median_sat_vb = 1 }"),
        Some(3),
        "transactions.feerate.median_sat_vb",
        "here dist = \"fixed\"",
    );
    check(&f("{ file = \"f.csv\" }"), Some(3), "transactions.feerate.file", "dist = \"empirical\"");
    check(
        &f("{ dist = \"empirical\" }"),
        Some(3),
        "transactions.feerate.file",
        "low_sat_vb,high_sat_vb,weight",
    );
    check(&f("{ vb = 250 }"), Some(3), "transactions.feerate.vb", "unknown key `vb`");
    check(&f("5"), Some(3), "transactions.feerate", "expected a table");
    let v = |value: &str| tx(&format!("vsize = {value}"));
    check(
        &v("{ dist = \"fixed\", vb = 10 }"),
        Some(3),
        "transactions.vsize.vb",
        ">= 65 and <= 100000, got 10",
    );
    check(&v("{ median_vb = 2e5 }"), Some(3), "transactions.vsize.median_vb", "<= 100000");
    check(&v("{ dist = \"empirical\" }"), Some(3), "transactions.vsize.file", "low_vb,high_vb,weight");
    check(&v("{ sat_vb = 3 }"), Some(3), "transactions.vsize.sat_vb", "unknown key `sat_vb`");
}

#[test]
fn surges_are_checked() {
    let surge = |body: &str| tx(&format!("[[transactions.surge]]\n{body}"));
    check(&surge("duration_s = 1\nmultiplier = 2"), Some(3), "transactions.surge[0].start_s", "is required");
    check(&surge("start_s = 1\nmultiplier = 2"), Some(3), "transactions.surge[0].duration_s", "is required");
    check(&surge("start_s = 1\nduration_s = 2"), Some(3), "transactions.surge[0].multiplier", "is required");
    check(
        &surge("start_s = -1\nduration_s = 1\nmultiplier = 2"),
        Some(4),
        "transactions.surge[0].start_s",
        ">= 0",
    );
    check(
        &surge("start_s = 0\nduration_s = 0\nmultiplier = 2"),
        Some(5),
        "transactions.surge[0].duration_s",
        "> 0",
    );
    check(
        &surge("start_s = 0\nduration_s = 1\nmultiplier = 0"),
        Some(6),
        "transactions.surge[0].multiplier",
        "> 0 and <= 1000",
    );
    check(
        &surge("start_s = 0\nduration_s = 1\nmultiplier = 2\nspeed = 1"),
        Some(7),
        "transactions.surge[0].speed",
        "unknown key",
    );
    let second = tx(
        "[[transactions.surge]]\nstart_s = 0\nduration_s = 1\nmultiplier = 2\n[[transactions.surge]]\nstart_s = 0\nduration_s = 1\n",
    );
    check(&second, Some(7), "transactions.surge[1].multiplier", "is required");
    let one = "[[transactions.surge]]\nstart_s = 0\nduration_s = 100\nmultiplier = 1000\n";
    check(&tx(&format!("rate_per_s = 1000\n{one}{one}")), Some(4), "transactions.surge", "peak arrival rate");
    let many = one.repeat(101);
    check(&tx(&many), Some(3), "transactions.surge", "at most 100 surges");
}

#[test]
fn blocks_keys_do_not_apply_with_transactions() {
    let text = "name = \"x\"\n[blocks]\nmean_tx_bytes = 300\n[transactions]\n";
    check(text, Some(3), "blocks.mean_tx_bytes", "does not apply when [transactions] is given");
    let text = "name = \"x\"\n[transactions]\n[blocks]\nsize_bytes = 1000\n";
    check(text, Some(4), "blocks.size_bytes", "remove it or remove [transactions]");
    let heavy = "name = \"x\"\n[consensus]\nmax_block_weight = 1000000\n[transactions]\n";
    assert!(parse(heavy).is_ok(), "the unused filler shape is not checked against the weight limit");
}

#[test]
fn mempool_keys_are_checked_and_need_transactions() {
    check(
        "name = \"x\"\n[mempool]\npolicy = \"core-v29\"\n",
        Some(3),
        "mempool.policy",
        "only with a [transactions] table",
    );
    let mempool = |body: &str| format!("name = \"x\"\n[transactions]\n[mempool]\n{body}\n");
    check(&mempool("policy = \"core-v31\""), Some(4), "mempool.policy", "\"core-v29\", \"core-v30\"");
    check(&mempool("max_size_mb = 0"), Some(4), "mempool.max_size_mb", "> 0 and <= 1000000");
    check(&mempool("memory_per_vbyte = -1"), Some(4), "mempool.memory_per_vbyte", "> 0");
    check(&mempool("expiry_hours = 0"), Some(4), "mempool.expiry_hours", "> 0 and <= 100000");
    check(&mempool("expiry_hours = 1e6"), Some(4), "mempool.expiry_hours", "<= 100000");
    check(&mempool("size = 1"), Some(4), "mempool.size", "unknown key `size`");
}

#[test]
fn bad_histogram_rows_name_the_data_file_line_and_key() {
    let dir = TempDir::new("bad-bins");
    let header = "low_sat_vb,high_sat_vb,weight\n";
    let cases: [(&str, usize, &str); 7] = [
        ("1,2,1\nabc,3,1\n", 3, "`abc` is not a finite number"),
        ("-1,2,1\n", 2, "is negative"),
        ("1,2,1\n3,3,1\n", 3, "must be below high_sat_vb"),
        ("1,5,1\n4,6,1\n", 3, "must not overlap"),
        ("4,6,1\n1,2,1\n", 3, "must be sorted"),
        ("1,2,0\n", 2, "weight must be > 0"),
        ("1,2,1\n2,\u{0}3,1\n", 3, "not a finite number"),
    ];
    let text = tx("feerate = { dist = \"empirical\", file = \"f.csv\" }");
    let path = dir.write("s.toml", text.as_bytes());
    for (rows, line, needle) in cases {
        let csv = dir.write("f.csv", format!("{header}{rows}").as_bytes());
        let err = load(&path, &[]).expect_err(rows);
        assert_eq!(
            (err.file.clone(), err.line, err.key.as_str()),
            (csv.display().to_string(), Some(line), "transactions.feerate"),
            "{rows}"
        );
        assert!(err.message.contains(needle), "{rows}: {}", err.message);
        assert!(err.to_string().starts_with(&format!("{}:{line}: transactions.feerate: ", csv.display())));
    }
    dir.write("f.csv", b"low_sat_vb,high_sat_vb,weight\n1,2,1\n2,\xff3,1\n");
    let err = load(&path, &[]).expect_err("not UTF-8");
    assert_eq!((err.line, err.key.as_str()), (Some(3), "transactions.feerate"));
    assert!(err.message.contains("UTF-8"));
    dir.write("f.csv", header.as_bytes());
    let err = load(&path, &[]).expect_err("no bins");
    assert_eq!((err.line, err.key.as_str()), (None, "transactions.feerate"));
    dir.write("f.csv", b"");
    assert!(load(&path, &[]).expect_err("empty").message.contains("no bins"));
    std::fs::remove_file(dir.0.join("f.csv")).expect("remove f.csv");
    let err = load(&path, &[]).expect_err("missing");
    assert_eq!(
        (err.file, err.line, err.key.as_str()),
        (path.display().to_string(), Some(3), "transactions.feerate.file")
    );
    assert!(err.message.contains("cannot read data file"), "{}", err.message);
    let sizes = tx("vsize = { dist = \"empirical\", file = \"v.csv\" }");
    let path = dir.write("v.toml", sizes.as_bytes());
    dir.write("v.csv", b"low_vb,high_vb,weight\n10,100,1\n");
    let err = load(&path, &[]).expect_err("too small");
    assert_eq!((err.line, err.key.as_str()), (Some(2), "transactions.vsize"));
    assert!(err.message.contains("low_vb 10 is below 65"), "{}", err.message);
}

#[test]
fn transaction_override_errors_name_set() {
    let err = parse_set("name = \"x\"\n[transactions]\n", &["transactions.surge.0.multiplier=3"])
        .expect_err("no start");
    assert_eq!((err.file.as_str(), err.key.as_str()), ("--set", "transactions.surge[0].start_s"));
    let err =
        parse_set("name = \"x\"\n[transactions]\n", &["transactions.fee_bump=1"]).expect_err("fee_bump");
    assert_eq!((err.file.as_str(), err.line, err.key.as_str()), ("--set", None, "transactions.fee_bump"));
    let err = parse_set("name = \"x\"", &["mempool.max_size_mb=5"]).expect_err("no transactions");
    assert_eq!((err.file.as_str(), err.key.as_str()), ("--set", "mempool.max_size_mb"));
}

/// The hostile values in every line of a scenario with a full workload.
#[test]
fn hostile_transaction_values_never_panic() {
    let base = "name = \"x\"\n[network]\nnodes = 20\n[transactions]\nrate_per_s = 5\nschedule = \"daily\"\n\
                daily_amplitude = 0.3\ndaily_peak_hour = 15\nfeerate = { dist = \"lognormal\", median_sat_vb = 5 }\n\
                vsize = { dist = \"fixed\", vb = 250 }\nchain_share = 0.1\ncpfp_share = 0.1\nrbf_share = 0.1\n\
                stuck_after_blocks = 3\nfee_bump = 2\ndouble_spend_share = 0.1\nrelay = \"fast\"\nobservers = 5\n\
                max_tx_rows = 10\n[[transactions.surge]]\nstart_s = 1\nduration_s = 2\nmultiplier = 3\n\
                [mempool]\npolicy = \"core-v29\"\nmax_size_mb = 300\nmemory_per_vbyte = 2\nexpiry_hours = 336\n";
    assert!(parse(base).is_ok());
    for (index, line) in base.lines().enumerate() {
        let Some((key, _)) = line.split_once('=') else { continue };
        for value in HOSTILE_VALUES {
            let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
            lines[index] = format!("{key}= {value}");
            let _ = parse(&lines.join("\n"));
        }
    }
}

#[test]
fn timeline_events_are_checked() {
    let two = "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n\
               [[mining.pool]]\nname = \"b\"\nhash_share = 0.5\nregion = \"EU\"\n";
    let ev = |body: &str| format!("{two}[[events]]\n{body}");
    check(&ev("at_s = 5\n"), Some(10), "events[0].kind", "is required: one of \"hashrate\", \"partition\"");
    check(&ev("kind = \"quake\"\nat_s = 5\n"), Some(11), "events[0].kind", "must be one of \"hashrate\"");
    check(&ev("kind = \"hashrate\"\nscale = 2\n"), Some(10), "events[0].at_s", "at_s (seconds) or at_height");
    check(
        &ev("kind = \"hashrate\"\nat_s = 1\nat_height = 5\nscale = 2\n"),
        Some(13),
        "events[0].at_height",
        "not both",
    );
    check(&ev("kind = \"hashrate\"\nat_s = -1\nscale = 2\n"), Some(12), "events[0].at_s", ">= 0");
    check(&ev("kind = \"hashrate\"\nat_s = 1\n"), Some(10), "events[0].scale", "scale (a factor) or set_hs");
    check(
        &ev("kind = \"hashrate\"\nat_s = 1\nscale = 2\nset_hs = 5\n"),
        Some(14),
        "events[0].set_hs",
        "not both",
    );
    check(
        &ev("kind = \"hashrate\"\nat_s = 1\nscale = 2\npool = \"z\"\n"),
        Some(14),
        "events[0].pool",
        "no pool is named \"z\"; pools are a, b",
    );
    check(
        &ev("kind = \"hashrate\"\nat_s = 1\nscale = 2\nduration_s = 5\n"),
        Some(14),
        "events[0].duration_s",
        "applies only with kind = \"partition\" or kind = \"churn\" or kind = \"latency\", but here kind = \"hashrate\"",
    );
    check(
        &ev("kind = \"partition\"\nat_s = 1\nduration_s = 5\n"),
        Some(10),
        "events[0].regions",
        "is required",
    );
    check(
        &ev("kind = \"partition\"\nat_s = 1\nregions = [\"EU\", \"EU\"]\nduration_s = 5\n"),
        Some(13),
        "events[0].regions[1]",
        "listed twice",
    );
    check(
        &ev(
            "kind = \"partition\"\nat_s = 1\nregions = [\"NA\", \"EU\", \"SA\", \"AP\", \"JP\", \"AU\"]\nduration_s = 5\n",
        ),
        Some(13),
        "events[0].regions",
        "1 to 5 regions",
    );
    check(
        &ev("kind = \"partition\"\nat_s = 1\nfraction = 1\nduration_s = 5\n"),
        Some(13),
        "events[0].fraction",
        "> 0 and < 1",
    );
    check(
        &ev("kind = \"partition\"\nat_s = 1\nfraction = 0.5\n"),
        Some(10),
        "events[0].duration_s",
        "is required",
    );
    check(&ev("kind = \"churn\"\nat_s = 1\nduration_s = 5\n"), Some(10), "events[0].fraction", "is required");
    check(
        &ev("kind = \"latency\"\nat_s = 1\n"),
        Some(10),
        "events[0].latency_scale",
        "latency_scale or bandwidth_scale",
    );
    check(
        &ev("kind = \"latency\"\nat_s = 1\nlatency_scale = 0\n"),
        Some(13),
        "events[0].latency_scale",
        "> 0",
    );
    check(&ev("kind = \"pool\"\nat_s = 1\naction = \"leave\"\n"), Some(10), "events[0].pool", "is required");
    check(
        &ev("kind = \"pool\"\nat_s = 1\npool = \"a\"\n"),
        Some(10),
        "events[0].action",
        "\"join\", \"leave\", \"strategy\"",
    );
    check(
        &ev("kind = \"pool\"\nat_s = 1\npool = \"a\"\naction = \"leave\"\nstrategy = \"selfish\"\n"),
        Some(15),
        "events[0].strategy",
        "only with action = \"strategy\"",
    );
    check(
        &format!(
            "{}[transactions]\nrate_per_s = 1\n",
            ev("kind = \"pool\"\nat_s = 1\npool = \"a\"\naction = \"strategy\"\nstrategy = \"selfish\"\n")
        ),
        Some(15),
        "events[0].strategy",
        "not supported with [transactions]",
    );
    let every = "name = \"x\"\n[mining]\npools = \"every-node\"\n[[events]]\nkind = \"pool\"\nat_s = 1\npool = \"a\"\naction = \"leave\"\n";
    check(every, Some(7), "events[0].pool", "needs named pools");
}
