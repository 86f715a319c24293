//! Building a world from a validated configuration: chain history, node
//! placement, bandwidth, topology, miners and initial relay state.
//!
//! Every random choice here draws from its own named stream, so that, for
//! example, adding a pool does not move every node's region.

use super::txs::TxSetup;
use super::{
    BlockShape, EPOCH_UNIX_S, Filler, HEADER_VERSION, NodeNet, StopRule, Stream, TxWorld, World, tx_count,
};
use crate::chain::{BlockTree, NewBlock, Origin, RulesId};
use crate::consensus::BlockId;
use crate::consensus::{
    Asert, BchCw144, BchEda, BitcoinBip94, BitcoinRetarget, BlockHash, ConsensusParams, DifficultyAlgorithm,
    Epoch, Fixed, Header, Lwma, RuleSchedule, encode_compact, sha256d, target_for_hashrate,
};
use crate::metrics::Metrics;
use crate::mining::strategy::{Honest, Selfish, Strategy, Timewarp};
use crate::mining::{HashPower, Miner, PoolId};
use crate::net::{
    self, Jitter, LatencyModel, NodeId, NodeSlot, Region, RegionTable, Topology, TopologyError, TopologySpec,
    UNLIMITED_BPS, UploadLink,
};
use crate::node::{Nodes, RelaySettings, TxRelay};
use crate::scenario::{
    Activation, Config, DifficultyName, EventAction, JitterConfig, MinersConfig, NetworkPresetName,
    PoolChange, PoolConfig, Rules, StrategyName, TopologyConfig, TransactionsConfig, TxRelayMode,
};
use crate::sim::{EventQueue, SimDuration, Streams};

/// Why a world could not be built from a valid configuration.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The peer graph could not be generated or is not connected.
    #[error("network.topology: {0}")]
    Topology(#[from] TopologyError),
}

/// A world ready to run, with its event queue.
pub struct Built {
    /// The world.
    pub world: World,
    /// Its event queue (empty until `World::start`).
    pub queue: EventQueue<super::Event>,
}

pub(super) fn build(config: &Config, seed: u64) -> Result<Built, BuildError> {
    let streams = Streams::new(seed);
    let n = config.network.nodes;
    let tree = build_history(config);
    let table = region_table(config);
    let mut region = match &table {
        Some(t) => net::assign_regions(n, &t.region_share, &mut streams.stream(Stream::Regions, 0)),
        None => vec![Region::NA; n as usize],
    };
    let miners = place_miners(config, &mut region, &streams);
    let net = node_bandwidth(config, table.as_ref(), region, &miners);
    let topo = build_topology(config, &miners, &streams)?;
    let miner_list: Vec<Miner> = miners.iter().map(|m| m.miner.clone()).collect();
    let strategies: Vec<Box<dyn Strategy>> = miners
        .iter()
        .enumerate()
        .map(|(i, m)| {
            strategy(m.pool.as_ref().map_or(StrategyName::Honest, |p| p.strategy), PoolId(i as u32))
        })
        .collect();
    let start_bits = tree.next_bits(RulesId::DEFAULT, tree.start_tip(), EPOCH_UNIX_S);
    let configured_hs: Vec<f64> = miner_list.iter().map(|m| m.hashrate_hs).collect();
    let mut hash = HashPower::new(miner_list, start_bits);
    // A pool that joins later has no hash rate until then.
    for e in &config.events {
        if let EventAction::Pool { pool, change: PoolChange::Join } = &e.action {
            if let Some(p) = hash.miners().iter().position(|m| &m.name == pool) {
                hash.set_hashrate(PoolId(p as u32), 0.0);
            }
        }
    }
    let mut miners_at = vec![Vec::new(); n as usize];
    let mut node_hash_share = vec![0.0; n as usize];
    for (i, m) in hash.miners().iter().enumerate() {
        for node in m.nodes() {
            miners_at[node.index()].push(PoolId(i as u32));
        }
        // Propagation by hash power counts a pool at its own node.
        node_hash_share[m.node.index()] += m.share;
    }
    let settings = RelaySettings {
        high_bandwidth_peers: config.relay.high_bandwidth_peers,
        validation_fixed: SimDuration::from_millis_f64(config.relay.validation_ms),
        // 1 ms per MB is 1e6 ns per 1e6 bytes: one nanosecond per byte.
        validation_ns_per_byte: config.relay.validation_ms_per_mb,
    };
    let mut nodes = Nodes::new(vec![config.relay.protocol; n as usize], &topo, &tree, settings);
    let overlay: Vec<NodeId> = match &config.mining.relay_network {
        Some(rn) => miners
            .iter()
            .filter(|m| m.pool.as_ref().is_some_and(|p| rn.pools.contains(&p.name)))
            .flat_map(|m| m.miner.nodes())
            .collect(),
        None => Vec::new(),
    };
    nodes.set_overlay(&overlay);
    let header_first: Vec<bool> =
        miners.iter().map(|m| m.pool.as_ref().is_some_and(|p| p.spv_mining)).collect();
    let spv_nodes: Vec<NodeId> =
        miners.iter().zip(&header_first).filter(|(_, h)| **h).flat_map(|(m, _)| m.miner.nodes()).collect();
    nodes.set_header_first(&spv_nodes);
    for (i, rules) in node_rules(config, &miners, &streams).into_iter().enumerate() {
        nodes.set_rules(NodeId(i as u32), rules);
    }
    // Miners of a group may start at another difficulty than the scenario's rules give.
    for i in 0..hash.miners().len() {
        let rules = nodes.rules(hash.miners()[i].node);
        hash.set_work_bits(PoolId(i as u32), tree.next_bits(rules, tree.start_tip(), EPOCH_UNIX_S));
    }
    let mut hb_rng = streams.stream(Stream::HighBandwidth, 0);
    nodes.init_high_bandwidth(&topo, |cands, want| {
        let mut c = cands.to_vec();
        hb_rng.shuffle(&mut c);
        c.truncate(want);
        c
    });
    let metrics = Metrics::new(node_hash_share, tree.history_len());
    let edges = topo.edge_count();
    let latency = latency_model(config, table.as_ref());
    let (txw, txrelay) = match &config.transactions {
        Some(tc) => {
            let (w, r) = tx_world(config, tc, &streams, &topo, &net, &latency, &miners_at, tree.start_tip());
            (Some(w), r)
        }
        None => (None, None),
    };
    let world = World {
        best: tree.start_tip(),
        latency,
        jitter: jitter(config),
        uplinks: vec![UploadLink::default(); n as usize],
        last_arrival_ns: vec![0; edges],
        latency_rng: (0..u64::from(n)).map(|i| streams.stream(Stream::Latency, i)).collect(),
        hash,
        miners_at,
        overlay,
        overlay_latency: SimDuration::from_millis_f64(
            config.mining.relay_network.as_ref().map_or(0.0, |rn| rn.latency_ms),
        ),
        empty_window: miners
            .iter()
            .map(|m| SimDuration::from_secs_f64(m.pool.as_ref().map_or(0.0, |p| p.empty_block_window_s)))
            .collect(),
        header_first,
        miner_tip: vec![tree.start_tip(); miners.len()],
        strategies,
        withheld: Default::default(),
        to_publish: Vec::new(),
        gamma: config.mining.gamma,
        gamma_rng: streams.stream(Stream::Gamma, 0),
        contests: Default::default(),
        mining_rng: streams.stream(Stream::Mining, 0),
        content_rng: streams.stream(Stream::BlockContent, 0),
        generation: 0,
        filler: filler(config),
        rule_names: std::iter::once(crate::scenario::DEFAULT_RULES_NAME.to_string())
            .chain(config.node_groups.iter().map(|g| g.name.clone()))
            .collect(),
        txw,
        txrelay,
        tx_actions: Vec::new(),
        mempool_sample: SimDuration::from_secs_f64(config.output.mempool_sample_s),
        metrics,
        stop: StopRule { blocks: config.stop.blocks, drain: SimDuration::from_secs_f64(config.stop.drain_s) },
        mining_stopped: false,
        done: false,
        in_flight: 0,
        actions: Vec::new(),
        timeline: super::Timeline::new(config.events.clone()),
        clock_skew_s: clock_skew(config, &streams),
        events_rng: streams.stream(Stream::Events, 0),
        configured_hs,
        invariants: None,
        #[cfg(test)]
        fault_wrong_bits: false,
        tree,
        topo,
        nodes,
        net,
    };
    Ok(Built { world, queue: EventQueue::new() })
}

/// The rules each node runs. A group's pools run its rules at all their nodes; of the other
/// nodes (with every node mining: of all nodes), shuffled by the `Groups` stream, each group in
/// turn takes round(share x count).
fn node_rules(config: &Config, miners: &[Placed], streams: &Streams) -> Vec<RulesId> {
    let n = config.network.nodes as usize;
    let mut rules = vec![RulesId::DEFAULT; n];
    if config.node_groups.is_empty() {
        return rules;
    }
    let mut pool_node = vec![false; n];
    if matches!(config.mining.miners, MinersConfig::Pools(_)) {
        for m in miners {
            m.miner.nodes().for_each(|node| pool_node[node.index()] = true);
        }
    }
    let mut others: Vec<usize> = (0..n).filter(|&i| !pool_node[i]).collect();
    streams.stream(Stream::Groups, 0).shuffle(&mut others);
    let mut next = 0;
    for (g, group) in config.node_groups.iter().enumerate() {
        let id = RulesId(u8::try_from(g + 1).expect("validation caps the number of groups"));
        for &p in &group.pools {
            miners[p].miner.nodes().for_each(|node| rules[node.index()] = id);
        }
        let take = ((group.share * others.len() as f64).round() as usize).min(others.len() - next);
        for &i in &others[next..next + take] {
            rules[i] = id;
        }
        next += take;
    }
    rules
}

/// Each node's clock offset, normal with mean 0 and the configured standard
/// deviation, rounded to whole seconds; empty when there is no skew.
fn clock_skew(config: &Config, streams: &Streams) -> Vec<i64> {
    let sd = config.network.clock_skew_sd_s;
    if sd == 0.0 {
        return Vec::new();
    }
    let mut rng = streams.stream(Stream::ClockSkew, 0);
    (0..config.network.nodes).map(|_| rng.normal(0.0, sd).round() as i64).collect()
}

/// The strategy object for miner `p` running `name`.
pub(super) fn strategy(name: StrategyName, p: PoolId) -> Box<dyn Strategy> {
    match name {
        StrategyName::Honest => Box::new(Honest),
        StrategyName::Timewarp => Box::new(Timewarp),
        StrategyName::Selfish => Box::new(Selfish::new(p)),
        StrategyName::Stubborn(s) => Box::new(Selfish::stubborn(p, s)),
    }
}

/// The transaction side. Full relay: every node keeps a mempool. Fast
/// relay: miner nodes and `observers` other nodes drawn at random do.
/// Mempools of up to 16 miner nodes and 8 observers are sampled.
#[allow(clippy::too_many_arguments)]
fn tx_world(
    config: &Config,
    tc: &TransactionsConfig,
    streams: &Streams,
    topo: &Topology,
    net: &NodeNet,
    latency: &LatencyModel,
    miners_at: &[Vec<PoolId>],
    start_tip: BlockId,
) -> (TxWorld, Option<TxRelay>) {
    let n = miners_at.len() as u32;
    let miner_nodes: Vec<u32> = (0..n).filter(|&i| !miners_at[i as usize].is_empty()).collect();
    let (full, observers) = match tc.relay {
        TxRelayMode::Fast { observers } => (false, observers),
        TxRelayMode::Full => (true, 0),
    };
    let mut others: Vec<u32> = (0..n).filter(|&i| miners_at[i as usize].is_empty()).collect();
    streams.stream(Stream::Observers, 0).shuffle(&mut others);
    others.truncate(observers as usize);
    let mut sampled: Vec<u32> =
        miner_nodes.iter().copied().take(16).chain(others.iter().copied().take(8)).collect();
    sampled.sort_unstable();
    let pool_nodes: Vec<NodeId> = if full {
        (0..n).map(NodeId).collect()
    } else {
        let mut p: Vec<u32> = miner_nodes.iter().copied().chain(others.iter().copied()).collect();
        p.sort_unstable();
        p.into_iter().map(NodeId).collect()
    };
    let edges = topo.edge_count().max(1) as f64;
    let latency_sum_ms: f64 = (0..topo.edge_count() as u32)
        .map(|e| latency.mean_ms(net.region[topo.owner(e).index()], net.region[topo.peer(e).index()]))
        .sum();
    let setup = TxSetup {
        workload_rng: streams.stream(Stream::Workload, 0),
        reach_seed: streams.stream(Stream::TxReach, 0).u64(),
        pool_nodes,
        sampled: sampled.into_iter().map(NodeId).collect(),
        full,
        start_tip,
        hop_latency_s: latency_sum_ms / edges / 1e3,
        template_refresh: SimDuration::from_secs_f64(config.mining.template_refresh_s),
    };
    let relay = full.then(|| {
        TxRelay::new(topo, (0..u64::from(n)).map(|i| streams.stream(Stream::TxTrickle, i)).collect())
    });
    (TxWorld::new(tc, &config.mempool, topo, setup), relay)
}

/// The consensus parameters of `rules`.
pub fn consensus_params(rules: &Rules) -> ConsensusParams {
    let mut p = ConsensusParams::mainnet();
    p.target_spacing_s = i64::from(rules.block_interval_s);
    p.retarget_interval = rules.retarget_interval;
    p.clamp_factor = i64::from(rules.clamp_factor);
    p.max_block_weight = rules.max_block_weight;
    p.halving_interval = rules.halving_interval;
    p.initial_subsidy_sat = rules.initial_subsidy_sat;
    p.mtp_window = rules.mtp_window;
    p.max_future_block_time_s = i64::from(rules.max_future_block_time_s);
    p.enforce_bip94 = rules.difficulty == DifficultyName::BitcoinBip94;
    p
}

/// What ASERT anchors on when it runs from the start: the start tip.
#[derive(Clone, Copy)]
struct StartTip {
    height: u32,
    time_s: i64,
    bits: u32,
}

/// A difficulty algorithm in force from `from_height` (0: from the start). ASERT from the start
/// is anchored at the first simulated block: its parent is the start tip and its reference
/// nBits are the start tip's. ASERT activated later is anchored at the block below its
/// activation height, on whichever branch it extends.
fn difficulty_algorithm(
    difficulty: &DifficultyName,
    from_height: u32,
    start: StartTip,
) -> Box<dyn DifficultyAlgorithm> {
    match *difficulty {
        DifficultyName::Bitcoin => Box::new(BitcoinRetarget),
        DifficultyName::BitcoinBip94 => Box::new(BitcoinBip94),
        DifficultyName::Asert { half_life_s } if from_height == 0 => {
            Box::new(Asert::new(start.height, start.time_s, start.bits, i64::from(half_life_s)))
        }
        DifficultyName::Asert { half_life_s } => {
            Box::new(Asert::activated_at(from_height, i64::from(half_life_s)))
        }
        DifficultyName::BchCw144 => Box::new(BchCw144),
        DifficultyName::BchEda => Box::new(BchEda),
        DifficultyName::Lwma { window } => Box::new(Lwma::new(window)),
        DifficultyName::Fixed => Box::new(Fixed),
    }
}

/// The schedule of `rules` from the start, changed by each of `activation`.
fn rule_schedule(rules: &Rules, activation: &[Activation], start: StartTip) -> RuleSchedule {
    let epoch = |from_height: u32, rules: &Rules| Epoch {
        from_height,
        params: consensus_params(rules),
        algo: difficulty_algorithm(&rules.difficulty, from_height, start),
    };
    let first = std::iter::once(epoch(0, rules));
    RuleSchedule::new(first.chain(activation.iter().map(|a| epoch(a.height, &a.rules))).collect())
}

/// Every rule schedule of the scenario: its own rules ([`RulesId::DEFAULT`]), then one per
/// node group, in file order.
fn rule_schedules(config: &Config, start: StartTip) -> Vec<RuleSchedule> {
    let c = &config.consensus;
    let groups = config.node_groups.iter().map(|g| rule_schedule(&g.rules, &g.activation, start));
    std::iter::once(rule_schedule(&c.rules, &c.activation, start)).chain(groups).collect()
}

/// The chain below the start height, every block at the nBits that gives
/// the target interval at the configured hash rate. It holds enough blocks
/// for the median-time-past window and the first retarget, and for the
/// window the difficulty algorithm reads (cw-144: 147 blocks, LWMA: N + 1),
/// of any rules the scenario runs, as far as the start height allows.
/// Timestamps follow the scenario's own rules at the start and are spaced
/// so that its algorithm keeps the difficulty at the start: for the
/// Bitcoin-style retargets the span Core measures (2015 intervals for 2016
/// blocks) equals the target timespan exactly, so history intervals average
/// the equilibrium 600 x 2016/2015 s; for the others they are exactly the
/// target interval. The last history block is timestamped at the epoch.
fn build_history(config: &Config) -> BlockTree {
    let c = &config.consensus;
    let rules = &c.rules;
    let params = consensus_params(rules);
    let interval = i64::from(rules.retarget_interval);
    let spacing = i64::from(rules.block_interval_s);
    let target = target_for_hashrate(config.mining.hashrate_hs, f64::from(rules.block_interval_s));
    let bits = encode_compact(&target.min(params.pow_limit));
    let start = StartTip { height: c.start_height - 1, time_s: EPOCH_UNIX_S, bits };
    let schedules = rule_schedules(config, start);
    let needed = schedules
        .iter()
        .flat_map(|s| s.epochs().iter().map(|e| e.params.retarget_interval + e.params.mtp_window))
        .chain(schedules.iter().map(RuleSchedule::history_blocks))
        .max()
        .expect("at least one schedule");
    let len = c.start_height.min(needed).max(1);
    let root_height = c.start_height - len;
    let (span_s, span_blocks) = if rules.difficulty.is_bitcoin_retarget() {
        (spacing * interval, (interval - 1).max(1))
    } else {
        (spacing, 1)
    };
    let time_of = |i: u32| -> u32 {
        let back = i64::from(len - 1 - i);
        let t = EPOCH_UNIX_S - back * span_s / span_blocks;
        u32::try_from(t).expect("history timestamps are after 1970")
    };
    let mut tree = BlockTree::new(schedules);
    let header = |prev: BlockHash, height: u32, time: u32| Header {
        version: HEADER_VERSION,
        prev_hash: prev,
        merkle_root: sha256d(&height.to_le_bytes()),
        time,
        bits,
        nonce: 0,
    };
    let mut prev = tree.push_root(header(BlockHash([0; 32]), root_height, time_of(0)), root_height);
    for i in 1..len {
        let h = header(tree.get(prev).hash, root_height + i, time_of(i));
        prev = tree.push(NewBlock {
            header: h,
            parent: prev,
            found_at: crate::sim::SimTime::ZERO,
            origin: Origin::History,
            size_bytes: 0,
            weight: 0,
            tx_count: 1,
            fees_sat: 0,
            coinbase_sat: 0,
        });
    }
    tree
}

fn region_table(config: &Config) -> Option<RegionTable> {
    match config.network.preset {
        NetworkPresetName::Bitcoin2015 => Some(net::bitcoin_2015()),
        NetworkPresetName::Bitcoin2019 => Some(net::bitcoin_2019()),
        NetworkPresetName::Ideal => None,
    }
}

fn latency_model(config: &Config, table: Option<&RegionTable>) -> LatencyModel {
    match table {
        Some(t) => LatencyModel::Matrix(t.latency_ms),
        None => LatencyModel::Constant(config.network.latency_ms),
    }
}

fn jitter(config: &Config) -> Jitter {
    match config.network.jitter {
        JitterConfig::None => Jitter::None,
        JitterConfig::Pareto => Jitter::Pareto,
        JitterConfig::Lognormal { sigma } => Jitter::LogNormal { sigma },
    }
}

fn filler(config: &Config) -> Filler {
    let b = &config.blocks;
    if b.full {
        return Filler::Full { witness_fraction: b.witness_fraction, mean_tx_bytes: b.mean_tx_bytes };
    }
    let weight = (b.size_bytes as f64 * (4.0 - 3.0 * b.witness_fraction)).round() as u64;
    Filler::Fixed(BlockShape {
        size_bytes: b.size_bytes,
        weight,
        tx_count: tx_count(b.size_bytes, b.mean_tx_bytes),
    })
}

/// A miner and, for pools, the settings of its node.
struct Placed {
    miner: Miner,
    pool: Option<PoolConfig>,
}

/// Puts each pool on its own node in its region (moving a random node there
/// if the region has none left), or makes every node a miner.
fn place_miners(config: &Config, region: &mut [Region], streams: &Streams) -> Vec<Placed> {
    let total = config.mining.hashrate_hs;
    match &config.mining.miners {
        MinersConfig::Pools(pools) => {
            let mut rng = streams.stream(Stream::Placement, 0);
            let mut taken = vec![false; region.len()];
            pools
                .iter()
                .map(|p| {
                    let mut place = |want: Region| {
                        let in_region: Vec<usize> =
                            (0..region.len()).filter(|&i| !taken[i] && region[i] == want).collect();
                        let node = match rng.pick(&in_region) {
                            Some(&i) => i,
                            None => {
                                let free: Vec<usize> = (0..region.len()).filter(|&i| !taken[i]).collect();
                                let &i = rng.pick(&free).expect("validation ensures pool nodes <= nodes");
                                region[i] = want;
                                i
                            }
                        };
                        taken[node] = true;
                        NodeId(node as u32)
                    };
                    let node = place(p.region);
                    let gateways = p.gateways.iter().map(|&r| place(r)).collect();
                    let miner = Miner {
                        name: p.name.clone(),
                        node,
                        gateways,
                        hashrate_hs: p.hash_share * total,
                        share: p.hash_share,
                    };
                    Placed { miner, pool: Some(p.clone()) }
                })
                .collect()
        }
        MinersConfig::EveryNode { relative_sd } => {
            // SimBlock draws each node's power from a normal distribution and
            // keeps it positive; shares are the normalised powers.
            let mut rng = streams.stream(Stream::HashPower, 0);
            let power: Vec<f64> =
                (0..region.len()).map(|_| rng.normal(1.0, *relative_sd).max(1e-6)).collect();
            let sum: f64 = power.iter().sum();
            power
                .iter()
                .enumerate()
                .map(|(i, w)| Placed {
                    miner: Miner {
                        name: format!("node-{i}"),
                        node: NodeId(i as u32),
                        gateways: Vec::new(),
                        hashrate_hs: w / sum * total,
                        share: w / sum,
                    },
                    pool: None,
                })
                .collect()
        }
    }
}

fn node_bandwidth(
    config: &Config,
    table: Option<&RegionTable>,
    region: Vec<Region>,
    miners: &[Placed],
) -> NodeNet {
    let (mut up, mut down): (Vec<f64>, Vec<f64>) = region
        .iter()
        .map(|r| match table {
            Some(t) => (t.upload_bps[r.index()], t.download_bps[r.index()]),
            None => (UNLIMITED_BPS, UNLIMITED_BPS),
        })
        .unzip();
    if config.network.preset != NetworkPresetName::Ideal {
        for m in miners {
            if let Some(p) = &m.pool {
                for i in m.miner.nodes().map(NodeId::index) {
                    up[i] = p.upload_bps.unwrap_or(up[i]);
                    down[i] = p.download_bps.unwrap_or(down[i]);
                }
            }
        }
    }
    NodeNet { region, upload_bps: up, download_bps: down }
}

fn build_topology(
    config: &Config,
    miners: &[Placed],
    streams: &Streams,
) -> Result<net::Topology, BuildError> {
    let n = config.network.nodes as usize;
    let mut placement = streams.stream(Stream::Placement, 1);
    let non_listening = match &config.network.topology {
        TopologyConfig::BitcoinCore { non_listening_fraction, .. } => *non_listening_fraction,
        _ => 0.0,
    };
    let mut slots: Vec<NodeSlot> = (0..n)
        .map(|_| NodeSlot {
            listening: !placement.chance(non_listening),
            outbound: None,
            block_relay: None,
            max_connections: None,
        })
        .collect();
    for m in miners {
        let Some(p) = &m.pool else { continue };
        for node in m.miner.nodes() {
            let slot = &mut slots[node.index()];
            slot.listening = true;
            if let Some((full, block)) = p.outbound_split() {
                let c = full + block;
                slot.outbound = Some(full);
                slot.block_relay = Some(block);
                let base = match &config.network.topology {
                    TopologyConfig::BitcoinCore { max_connections, .. } => *max_connections,
                    _ => 125,
                };
                slot.max_connections = Some(c + base);
            }
        }
    }
    let spec = match &config.network.topology {
        TopologyConfig::BitcoinCore {
            outbound_full_relay, outbound_block_relay, max_connections, ..
        } => TopologySpec::BitcoinCore {
            outbound_full_relay: *outbound_full_relay,
            outbound_block_relay: *outbound_block_relay,
            max_connections: *max_connections,
        },
        TopologyConfig::Degree2015 => TopologySpec::Degree2015,
        TopologyConfig::RandomRegular { degree } => TopologySpec::RandomRegular { degree: *degree },
        TopologyConfig::Complete => TopologySpec::Complete,
        TopologyConfig::File { edges, .. } => TopologySpec::EdgeList(edges.clone()),
    };
    Ok(net::generate(&spec, &slots, &mut streams.stream(Stream::Topology, 0))?)
}
