//! Tests of the scenario boundary's happy paths: the shipped scenarios,
//! defaults, the resolved TOML round trip and `--set` overrides. Error cases
//! are in `tests_errors.rs`. Tests that write files use [`TempDir`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::net::Region;

/// A fresh directory under the system temp dir, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("powsim-scenario-{}-{label}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    /// Writes `bytes` to `name` inside the directory and returns its path.
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn parse(text: &str) -> Result<Config, ScenarioError> {
    parse_str(text, Path::new("t.toml"), &[])
}

pub(crate) fn parse_set(text: &str, sets: &[&str]) -> Result<Config, ScenarioError> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    parse_str(text, Path::new("t.toml"), &sets)
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

const SHIPPED: [&str; 6] =
    ["quickstart", "bitcoin-2015", "bitcoin-2019", "bench-10k", "ideal-stale", "blocksize-fork"];

fn shipped(name: &str) -> Config {
    let path = scenarios_dir().join(format!("{name}.toml"));
    load(&path, &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_shipped_scenario_loads_and_is_named_after_its_file() {
    for name in SHIPPED {
        assert_eq!(shipped(name).name, name);
    }
    let mut count = 0;
    for entry in std::fs::read_dir(scenarios_dir()).expect("scenarios/") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            let config = load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(Some(config.name.as_str()), path.file_stem().and_then(|s| s.to_str()));
            count += 1;
        }
    }
    assert!(count >= SHIPPED.len());
}

#[test]
fn shipped_scenarios_model_what_they_say() {
    let quick = shipped("quickstart");
    assert_eq!((quick.network.nodes, quick.stop.blocks), (1000, Some(200)));
    assert_eq!(quick.relay.protocol, RelayProtocol::Compact);
    let old = shipped("bitcoin-2015");
    assert_eq!((old.network.nodes, old.blocks.size_bytes), (6000, 534_800));
    assert_eq!(old.network.preset, NetworkPresetName::Bitcoin2015);
    assert_eq!(old.relay.protocol, RelayProtocol::Legacy);
    let bench = shipped("bench-10k");
    assert_eq!(bench.network.topology, TopologyConfig::Degree2015);
    assert_eq!(bench.mining.miners, MinersConfig::EveryNode { relative_sd: 0.25 });
    let ideal = shipped("ideal-stale");
    assert_eq!(ideal.network.preset, NetworkPresetName::Ideal);
    assert_eq!((ideal.network.latency_ms, ideal.network.jitter.clone()), (10_000.0, JitterConfig::None));
    let MinersConfig::Pools(pools) = &ideal.mining.miners else { panic!("pools") };
    assert!(pools.len() >= 20 && pools.iter().all(|p| p.hash_share == pools[0].hash_share));
    let current = shipped("pools-2026");
    assert_eq!((current.network.nodes, current.stop.blocks), (2000, Some(2000)));
    assert_eq!(current.network.preset, NetworkPresetName::Bitcoin2019);
    assert_eq!(current.relay.protocol, RelayProtocol::Compact);
    assert!(matches!(current.network.topology, TopologyConfig::BitcoinCore { .. }));
    let MinersConfig::Pools(pools) = &current.mining.miners else { panic!("pools") };
    assert_eq!((pools.len(), pools[0].name.as_str()), (25, "foundry-usa"));
}

#[test]
fn resolved_toml_round_trips_every_shipped_scenario() {
    for name in SHIPPED {
        let path = scenarios_dir().join(format!("{name}.toml"));
        let config = shipped(name);
        let text = resolved_toml(&config);
        let again = parse_str(&text, &path, &[]).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        assert_eq!(again, config, "{name}");
        assert_eq!(resolved_toml(&again), text, "{name}");
    }
}

#[test]
fn defaults_are_applied() {
    let config = parse("name = \"d\"").expect("minimal scenario");
    let expected = Config {
        name: "d".into(),
        description: String::new(),
        seed: 1,
        stop: StopConfig { blocks: Some(100), sim_time_s: None, drain_s: 600.0, max_events: 2_000_000_000 },
        network: NetworkConfig {
            nodes: 1000,
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
            protocol: RelayProtocol::Compact,
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
            template_refresh_s: 30.0,
            gamma: None,
            relay_network: None,
            hashrate_hs: 1e21,
            miners: MinersConfig::Pools(bitcoin_2015_pools()),
        },
        transactions: None,
        mempool: MempoolConfig::core_defaults(PolicyName::CoreV30),
        output: OutputConfig { write_graph: false, mempool_sample_s: 60.0 },
        events: Vec::new(),
    };
    assert_eq!(config, expected);
}

#[test]
fn dependent_defaults_follow_their_settings() {
    let ideal = parse("name = \"i\"\n[network]\npreset = \"ideal\"").expect("ideal");
    assert_eq!(ideal.network.jitter, JitterConfig::None);
    let lognormal = parse("name = \"l\"\n[network]\njitter = \"lognormal\"").expect("lognormal");
    assert_eq!(lognormal.network.jitter, JitterConfig::Lognormal { sigma: 0.5 });
    let timed = parse("name = \"t\"\n[stop]\nsim_time_s = 3600").expect("sim_time only");
    assert_eq!((timed.stop.blocks, timed.stop.sim_time_s), (None, Some(3600.0)));
    let start = parse("name = \"s\"\n[consensus]\nretarget_interval = 144").expect("retarget");
    assert_eq!(start.consensus.start_height, 144);
    // Room for the difficulty algorithm's window: cw-144 reads 147 blocks, LWMA N + 1.
    let cw =
        parse("name = \"s\"\n[consensus]\nretarget_interval = 10\ndifficulty = \"bch-cw144\"").expect("cw");
    assert_eq!(cw.consensus.start_height, 147);
    let lwma =
        parse("name = \"s\"\n[consensus]\nretarget_interval = 10\ndifficulty = \"lwma\"\nlwma_window = 90")
            .expect("lwma");
    assert_eq!(lwma.consensus.start_height, 91);
    let wide = parse("name = \"s\"\n[consensus]\ndifficulty = \"lwma\"").expect("lwma default");
    assert_eq!(wide.consensus.start_height, 2016);
    let regular = parse("name = \"r\"\n[network]\ntopology = \"random-regular\"").expect("regular");
    assert_eq!(regular.network.topology, TopologyConfig::RandomRegular { degree: 8 });
}

fn bitcoin_2015_pools() -> Vec<PoolConfig> {
    pool_presets::preset_pools(&names::PoolsPreset::Bitcoin2015).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn difficulty_algorithms_are_lowered_and_round_trip() {
    let cases = [
        ("difficulty = \"bitcoin\"", DifficultyName::Bitcoin),
        ("difficulty = \"bitcoin-bip94\"", DifficultyName::BitcoinBip94),
        ("difficulty = \"asert\"", DifficultyName::Asert { half_life_s: 172_800 }),
        ("difficulty = \"asert\"\nasert_half_life_s = 3600", DifficultyName::Asert { half_life_s: 3600 }),
        ("difficulty = \"bch-cw144\"", DifficultyName::BchCw144),
        ("difficulty = \"bch-eda\"\nclamp_factor = 2", DifficultyName::BchEda),
        ("difficulty = \"lwma\"", DifficultyName::Lwma { window: 60 }),
        ("difficulty = \"lwma\"\nlwma_window = 90", DifficultyName::Lwma { window: 90 }),
        ("difficulty = \"fixed\"", DifficultyName::Fixed),
    ];
    for (body, want) in cases {
        let config = parse(&format!("name = \"d\"\n[consensus]\n{body}\n")).expect(body);
        assert_eq!(config.consensus.rules.difficulty, want, "{body}");
        let resolved = resolved_toml(&config);
        // Each setting is written with its own algorithm only, and the clamp only where it applies.
        assert_eq!(
            resolved.contains("asert_half_life_s"),
            matches!(want, DifficultyName::Asert { .. }),
            "{body}"
        );
        assert_eq!(resolved.contains("lwma_window"), matches!(want, DifficultyName::Lwma { .. }), "{body}");
        assert_eq!(resolved.contains("clamp_factor"), want.is_bitcoin_retarget(), "{body}");
        assert_eq!(parse(&resolved), Ok(config), "{body}");
    }
    let resolved = resolved_toml(&parse("name = \"d\"\n[consensus]\ndifficulty = \"lwma\"\n").expect("lwma"));
    assert!(resolved.contains("difficulty = \"lwma\"\nlwma_window = 60\n"), "{resolved}");
}

#[test]
fn bitcoin_2015_pool_preset_follows_gervais() {
    let pools = bitcoin_2015_pools();
    assert_eq!(pools.len(), 16);
    assert_eq!((pools[0].name.as_str(), pools[15].name.as_str()), ("pool-01", "pool-16"));
    assert_eq!((pools[0].region, pools[3].region, pools[6].region), (Region::AP, Region::NA, Region::EU));
    let total: f64 = pools.iter().map(|p| p.hash_share).sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert!((pools[0].hash_share - 0.289 / 1.001).abs() < 1e-12);
    assert!(pools.iter().all(|p| p.upload_bps == Some(1e8) && p.download_bps == Some(1e8)));
    assert!(pools.iter().all(|p| p.connections == Some(750)));
    assert!(pools.iter().all(|p| p.outbound_split() == Some((8, 742))));
}

#[test]
fn bitcoin_2026_pool_preset_lowers_to_spark_pools_and_solo_miners() {
    let config = parse("name = \"p\"\n[network]\nnodes = 100\n[mining]\npools = \"bitcoin-2026\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let MinersConfig::Pools(pools) = &config.mining.miners else { panic!("pools") };
    assert_eq!(pools.len(), 25);
    let row = |i: usize| (pools[i].name.as_str(), pools[i].hash_share, pools[i].region);
    assert_eq!(row(0), ("foundry-usa", 0.37, Region::NA));
    assert_eq!(row(1), ("antpool", 0.14, Region::AP));
    assert_eq!(row(8), ("sbi-crypto", 0.025, Region::JP));
    assert_eq!(row(10), ("braiins-pool", 0.0125, Region::EU));
    assert_eq!(row(11), ("binance-pool", 0.0175, Region::AP));
    assert_eq!(
        (row(12), row(13), row(14)),
        (("solo-01", 0.005, Region::NA), ("solo-02", 0.005, Region::EU), ("solo-03", 0.005, Region::AP))
    );
    assert_eq!(row(24), ("solo-13", 0.005, Region::NA));
    let total: f64 = pools.iter().map(|p| p.hash_share).sum();
    assert!((total - 1.0).abs() <= lower_mining::SHARE_SUM_TOLERANCE);
    // Ordinary node links: no bandwidth or connection count of their own.
    assert!(pools.iter().all(|p| p.upload_bps.is_none() && p.download_bps.is_none()));
    assert!(pools.iter().all(|p| p.connections.is_none() && p.outbound_split().is_none()));
    // The resolved scenario writes the preset out as tables that read back the same.
    let text = resolved_toml(&config);
    assert_eq!(text.matches("[[mining.pool]]").count(), 25);
    assert_eq!(parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}")), config);
}

#[test]
fn strategies_are_lowered_and_round_trip() {
    let text = "name = \"s\"\n[mining]\ngamma = 0.25\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.3\nregion = \"NA\"\n\
                strategy = \"stubborn\"\nstubborn_equal_fork = true\nstubborn_trail = 2\n[[mining.pool]]\nname = \"b\"\n\
                hash_share = 0.3\nregion = \"EU\"\nstrategy = \"selfish\"\n[[mining.pool]]\nname = \"c\"\n\
                hash_share = 0.4\nregion = \"EU\"\n";
    let config = parse(text).expect("strategies");
    let MinersConfig::Pools(pools) = &config.mining.miners else { panic!("pools") };
    let stubborn = crate::mining::strategy::Stubbornness { lead: true, equal_fork: true, trail: 2 };
    assert_eq!(
        pools.iter().map(|p| p.strategy).collect::<Vec<_>>(),
        vec![StrategyName::Stubborn(stubborn), StrategyName::Selfish, StrategyName::Honest]
    );
    assert_eq!(config.mining.gamma, Some(0.25));
    let with_overlay = format!("{text}[relay_network]\npools = [\"c\", \"a\"]\nlatency_ms = 2.5\n");
    let config2 = parse(&with_overlay).expect("relay network");
    let rn = config2.mining.relay_network.clone().expect("a relay network");
    assert_eq!((rn.pools, rn.latency_ms), (vec!["c".to_string(), "a".to_string()], 2.5));
    assert_eq!(parse(&resolved_toml(&config2)), Ok(config2));
    assert_eq!(parse(&resolved_toml(&config)), Ok(config));
}

#[test]
fn explicit_pools_are_lowered_with_bits_per_second() {
    let text = "name = \"p\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.75\nregion = \"eu\"\nupload_mbps = 50\n\
                download_mbps = 0.1\nconnections = 30\ntx_relay_connections = 12\n[[mining.pool]]\nname = \"b\"\n\
                hash_share = 0.25\nregion = \"JP\"\n";
    let config = parse(text).expect("pools");
    let MinersConfig::Pools(pools) = &config.mining.miners else { panic!("pools") };
    assert_eq!(pools[0].region, Region::EU);
    assert_eq!((pools[0].upload_bps, pools[0].download_bps), (Some(5e7), Some(0.1 * 1e6)));
    assert_eq!((pools[0].connections, pools[1].connections, pools[1].upload_bps), (Some(30), None, None));
    assert_eq!((pools[0].outbound_split(), pools[1].outbound_split()), (Some((12, 18)), None));
    assert_eq!(parse(&resolved_toml(&config)), Ok(config));
}

#[test]
fn file_topology_loads_edges_and_round_trips() {
    let dir = TempDir::new("file-topology");
    std::fs::create_dir_all(dir.0.join("data")).expect("data dir");
    dir.write("data/ring.csv", b"a,b\n# a ring of four\n0,1\n1,2\n\n2,3\n3,0\n");
    let text = "name = \"ring\"\n[network]\nnodes = 4\ntopology = \"file\"\ntopology_file = \"data/ring.csv\"\n\
                [mining]\npools = \"every-node\"\n";
    let path = dir.write("ring.toml", text.as_bytes());
    let config = load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let expected = TopologyConfig::File {
        path: PathBuf::from("data/ring.csv"),
        edges: vec![(0, 1), (1, 2), (2, 3), (3, 0)],
    };
    assert_eq!(config.network.topology, expected);
    let resolved = resolved_toml(&config);
    assert!(resolved.contains("topology_file = \"data/ring.csv\""), "{resolved}");
    assert_eq!(parse_str(&resolved, &path, &[]), Ok(config));
}

#[test]
fn sets_override_create_tables_index_arrays_and_take_bare_strings() {
    let base = "name = \"o\"\n[network]\nnodes = 50\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n\
                [[mining.pool]]\nname = \"b\"\nhash_share = 0.5\nregion = \"EU\"\n";
    let sets = [
        "network.nodes=5000",
        "relay.protocol=\"legacy\"",
        "mining.pool.0.hash_share=0.4",
        "mining.pool[1].hash_share = 0.6",
        "network.preset=ideal",
        "network.latency_ms=1e3",
        "output.write_graph=true",
    ];
    let config = parse_set(base, &sets).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.network.nodes, 5000);
    assert_eq!(config.relay.protocol, RelayProtocol::Legacy);
    assert_eq!(config.network.preset, NetworkPresetName::Ideal);
    assert_eq!(config.network.latency_ms, 1000.0);
    assert!(config.output.write_graph);
    let MinersConfig::Pools(pools) = &config.mining.miners else { panic!("pools") };
    assert_eq!((pools[0].hash_share, pools[1].hash_share), (0.4, 0.6));
}

#[test]
fn sets_apply_in_order_and_can_append_pools() {
    let config = parse_set("name = \"o\"", &["seed=5", "seed=7", "stop.sim_time_s=60", "stop.blocks=3"])
        .expect("sets");
    assert_eq!((config.seed, config.stop.blocks, config.stop.sim_time_s), (7, Some(3), Some(60.0)));
    let pools = [
        "mining.pool.0.name=solo",
        "mining.pool.0.hash_share=1",
        "mining.pool.0.region=AU",
        "mining.hashrate_hs=5e18",
    ];
    let config = parse_set("name = \"o\"", &pools).unwrap_or_else(|e| panic!("{e}"));
    let MinersConfig::Pools(list) = &config.mining.miners else { panic!("pools") };
    assert_eq!((list.len(), list[0].name.as_str(), list[0].region), (1, "solo", Region::AU));
    assert_eq!(config.mining.hashrate_hs, 5e18);
    let inline = parse_set("name = \"o\"\n[stop]\nblocks = 9\n", &["stop={ blocks = 50 }"]).expect("inline");
    assert_eq!((inline.stop.blocks, inline.stop.drain_s), (Some(50), 600.0));
}

#[test]
fn errors_display_as_file_line_key_message() {
    let err = ScenarioError::new(
        "quickstart.toml",
        Some(12),
        "network.nodes",
        "must be an integer from 2 to 100000000, got 0",
    );
    assert_eq!(
        err.to_string(),
        "quickstart.toml:12: network.nodes: must be an integer from 2 to 100000000, got 0"
    );
    let err =
        ScenarioError::new("--set", None, "network.nodes", "must be an integer from 2 to 100000000, got 0");
    assert_eq!(err.to_string(), "--set: network.nodes: must be an integer from 2 to 100000000, got 0");
    let err = parse("name = \"x\"\n[network]\n\nnodes = 0\n").expect_err("nodes = 0");
    assert_eq!(err.to_string(), "t.toml:4: network.nodes: must be an integer from 2 to 100000000, got 0");
}

#[test]
fn digest_hex_hashes_the_file_bytes() {
    let path = scenarios_dir().join("quickstart.toml");
    let bytes = std::fs::read(path).expect("quickstart");
    let hex = digest_hex(&bytes);
    assert_eq!(hex.len(), 64);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_ne!(hex, digest_hex(b""));
}

/// A scenario path inside `tests/data/`, so that data files named in it
/// are found there.
fn test_data_origin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/t.toml")
}

fn default_transactions() -> TransactionsConfig {
    TransactionsConfig {
        rate_per_s: 3.0,
        schedule: RateSchedule::Constant,
        surges: Vec::new(),
        feerate_sat_vb: Distribution::Lognormal { median: 5.0, sigma: 1.0 },
        vsize_vb: Distribution::Lognormal { median: 250.0, sigma: 0.6 },
        chain_share: 0.1,
        cpfp_share: 0.0,
        rbf_share: 0.0,
        stuck_after_blocks: 3,
        fee_bump: 2.0,
        double_spend_share: 0.0,
        relay: TxRelayMode::Fast { observers: 50 },
        max_tx_rows: 1_000_000,
    }
}

#[test]
fn transactions_table_gets_defaults_and_mempool_core_v30() {
    let config = parse("name = \"t\"\n[transactions]\n").expect("empty [transactions]");
    assert_eq!(config.transactions, Some(default_transactions()));
    assert_eq!(config.mempool, MempoolConfig::core_defaults(PolicyName::CoreV30));
    assert_eq!(config.blocks, lower::DEFAULT_BLOCKS);
    let small = parse("name = \"t\"\n[network]\nnodes = 20\n[transactions]\n").expect("small network");
    let relay = small.transactions.map(|t| t.relay);
    assert_eq!(relay, Some(TxRelayMode::Fast { observers: 20 }), "observers default to at most the nodes");
    let without = parse("name = \"t\"\n[blocks]\nsize_bytes = 1000\n").expect("filler blocks");
    assert_eq!((without.transactions, without.blocks.size_bytes), (None, 1000));
}

#[test]
fn every_transactions_variant_parses() {
    let text = "name = \"t\"\n[transactions]\nrate_per_s = 7.5\nschedule = \"daily\"\ndaily_amplitude = 0\n\
                daily_peak_hour = 23.5\nfeerate = { dist = \"fixed\", sat_vb = 10 }\n\
                vsize = { dist = \"lognormal\", median_vb = 140, sigma = 0.3 }\nchain_share = 1\ncpfp_share = 0.4\n\
                rbf_share = 0.6\nstuck_after_blocks = 2016\nfee_bump = 1.1\ndouble_spend_share = 0.05\n\
                relay = \"full\"\nmax_tx_rows = 0\n[[transactions.surge]]\nstart_s = 0\nduration_s = 60\n\
                multiplier = 0.5\n[[transactions.surge]]\nstart_s = 3600\nduration_s = 7200\nmultiplier = 3\n\
                [mempool]\npolicy = \"core-v29\"\nmax_size_mb = 5\nmemory_per_vbyte = 1.5\nexpiry_hours = 1\n";
    let config = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let expected = TransactionsConfig {
        rate_per_s: 7.5,
        schedule: RateSchedule::Daily { amplitude: 0.0, peak_hour: 23.5 },
        surges: vec![
            Surge { start_s: 0.0, duration_s: 60.0, multiplier: 0.5 },
            Surge { start_s: 3600.0, duration_s: 7200.0, multiplier: 3.0 },
        ],
        feerate_sat_vb: Distribution::Fixed { value: 10.0 },
        vsize_vb: Distribution::Lognormal { median: 140.0, sigma: 0.3 },
        chain_share: 1.0,
        cpfp_share: 0.4,
        rbf_share: 0.6,
        stuck_after_blocks: 2016,
        fee_bump: 1.1,
        double_spend_share: 0.05,
        relay: TxRelayMode::Full,
        max_tx_rows: 0,
    };
    assert_eq!(config.transactions, Some(expected));
    let mempool = MempoolConfig {
        policy: PolicyName::CoreV29,
        max_size_mb: 5.0,
        memory_per_vbyte: 1.5,
        expiry_hours: 1.0,
    };
    assert_eq!(config.mempool, mempool);
    assert_eq!(parse(&resolved_toml(&config)), Ok(config));
    let fixed_vsize =
        parse("name = \"t\"\n[transactions]\nvsize = { dist = \"fixed\", vb = 250 }\n").expect("vb");
    let vsize = fixed_vsize.transactions.map(|t| t.vsize_vb);
    assert_eq!(vsize, Some(Distribution::Fixed { value: 250.0 }));
    let header = parse("name = \"t\"\n[transactions.feerate]\nsigma = 0.5\n").expect("feerate header table");
    let feerate = header.transactions.map(|t| t.feerate_sat_vb);
    assert_eq!(feerate, Some(Distribution::Lognormal { median: 5.0, sigma: 0.5 }));
}

#[test]
fn empirical_histograms_load_and_round_trip() {
    let text = "name = \"e\"\n[transactions]\nfeerate = { dist = \"empirical\", file = \"feerates.csv\" }\n\
                vsize = { dist = \"empirical\", file = \"vsizes.csv\" }\nobservers = 3\n";
    let origin = test_data_origin();
    let config = parse_str(text, &origin, &[]).unwrap_or_else(|e| panic!("{e}"));
    let t = config.transactions.as_ref().expect("transactions");
    let Distribution::Empirical { path, bins } = &t.feerate_sat_vb else { panic!("empirical fee rates") };
    assert_eq!(path, &PathBuf::from("feerates.csv"));
    assert_eq!(bins.len(), 6);
    assert_eq!((bins[0], bins[5]), ((0.1, 1.0, 30.0), (50.0, 500.0, 3.0)));
    let Distribution::Empirical { bins, .. } = &t.vsize_vb else { panic!("empirical sizes") };
    assert_eq!(bins.first(), Some(&(110.0, 150.0, 40.0)));
    assert_eq!(t.relay, TxRelayMode::Fast { observers: 3 });
    let resolved = resolved_toml(&config);
    assert!(resolved.contains("feerate = { dist = \"empirical\", file = \"feerates.csv\" }"), "{resolved}");
    assert!(!resolved.contains("[blocks]") && resolved.contains("[mempool]"), "{resolved}");
    assert_eq!(parse_str(&resolved, &origin, &[]), Ok(config));
}

#[test]
fn resolved_toml_writes_every_transactions_key() {
    let config = parse("name = \"r\"\n[transactions]\nschedule = \"daily\"\n").expect("daily");
    let resolved = resolved_toml(&config);
    for line in [
        "rate_per_s = 3.0",
        "schedule = \"daily\"",
        "daily_amplitude = 0.3",
        "daily_peak_hour = 15.0",
        "feerate = { dist = \"lognormal\", median_sat_vb = 5.0, sigma = 1.0 }",
        "vsize = { dist = \"lognormal\", median_vb = 250.0, sigma = 0.6 }",
        "chain_share = 0.1",
        "cpfp_share = 0.0",
        "rbf_share = 0.0",
        "stuck_after_blocks = 3",
        "fee_bump = 2.0",
        "double_spend_share = 0.0",
        "relay = \"fast\"",
        "observers = 50",
        "max_tx_rows = 1000000",
        "policy = \"core-v30\"",
        "max_size_mb = 300.0",
        "memory_per_vbyte = 2.0",
        "expiry_hours = 336.0",
    ] {
        assert!(resolved.lines().any(|l| l == line), "{line} missing from\n{resolved}");
    }
    assert_eq!(parse(&resolved), Ok(config));
    let plain = resolved_toml(&parse("name = \"p\"").expect("no workload"));
    assert!(plain.contains("[blocks]") && !plain.contains("[transactions]") && !plain.contains("[mempool]"));
}

#[test]
fn sets_reach_transactions_surges_and_mempool() {
    let base = "name = \"s\"\n[transactions]\n[[transactions.surge]]\nstart_s = 10\nduration_s = 20\nmultiplier = 2\n";
    let sets = [
        "transactions.surge.0.multiplier=3",
        "transactions.surge.1.start_s=100",
        "transactions.surge[1].duration_s=5",
        "transactions.surge.1.multiplier=0.25",
        "transactions.rate_per_s=9",
        "transactions.feerate.dist=fixed",
        "transactions.feerate.sat_vb=2",
        "transactions.relay=full",
        "mempool.policy=core-v29",
        "mempool.max_size_mb=50",
    ];
    let config = parse_set(base, &sets).unwrap_or_else(|e| panic!("{e}"));
    let t = config.transactions.as_ref().expect("transactions");
    let surges = [
        Surge { start_s: 10.0, duration_s: 20.0, multiplier: 3.0 },
        Surge { start_s: 100.0, duration_s: 5.0, multiplier: 0.25 },
    ];
    assert_eq!(t.surges, surges);
    assert_eq!((t.rate_per_s, &t.feerate_sat_vb), (9.0, &Distribution::Fixed { value: 2.0 }));
    assert_eq!(t.relay, TxRelayMode::Full);
    assert_eq!((config.mempool.policy, config.mempool.max_size_mb), (PolicyName::CoreV29, 50.0));
    let created = parse_set("name = \"s\"", &["transactions.double_spend_share=0.5"]).expect("--set creates");
    assert_eq!(created.transactions.map(|t| t.double_spend_share), Some(0.5));
}

#[test]
fn timeline_events_are_lowered_and_round_trip() {
    let text = "name = \"t\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\nspv_mining = true\n\
                gateways = [\"EU\", \"jp\"]\n[[mining.pool]]\nname = \"b\"\nhash_share = 0.5\nregion = \"EU\"\n\
                [[events]]\nkind = \"hashrate\"\nat_s = 10\nscale = 0.5\n\
                [[events]]\nkind = \"hashrate\"\nat_height = 3000\npool = \"b\"\nset_hs = 2e20\nramp_s = 600\n\
                [[events]]\nkind = \"partition\"\nat_s = 20\nregions = [\"EU\", \"AP\"]\nduration_s = 3600\n\
                [[events]]\nkind = \"partition\"\nat_s = 30\nfraction = 0.25\nduration_s = 60\n\
                [[events]]\nkind = \"churn\"\nat_s = 40\nfraction = 0.1\nduration_s = 600\n\
                [[events]]\nkind = \"latency\"\nat_s = 50\nregion = \"AU\"\nlatency_scale = 3\n\
                [[events]]\nkind = \"latency\"\nat_s = 60\nbandwidth_scale = 0.5\nduration_s = 100\n\
                [[events]]\nkind = \"pool\"\nat_s = 70\npool = \"b\"\naction = \"leave\"\n\
                [[events]]\nkind = \"pool\"\nat_s = 80\npool = \"b\"\naction = \"strategy\"\nstrategy = \"selfish\"\n";
    let config = parse(text).expect("events");
    let MinersConfig::Pools(pools) = &config.mining.miners else { panic!("pools") };
    assert_eq!((pools[0].spv_mining, pools[0].gateways.clone()), (true, vec![Region::EU, Region::JP]));
    assert_eq!(config.events.len(), 9);
    assert_eq!(
        config.events[1],
        TimelineEvent {
            at: EventTrigger::Height(3000),
            action: EventAction::Hashrate {
                pool: Some("b".into()),
                change: HashChange::Set(2e20),
                ramp_s: 600.0
            },
        }
    );
    assert_eq!(
        config.events[5].action,
        EventAction::Latency {
            region: Some(Region::AU),
            latency_scale: 3.0,
            bandwidth_scale: 1.0,
            duration_s: None
        }
    );
    assert_eq!(
        config.events[8].action,
        EventAction::Pool { pool: "b".into(), change: PoolChange::Strategy(StrategyName::Selfish) }
    );
    assert_eq!(parse(&resolved_toml(&config)), Ok(config));
}
