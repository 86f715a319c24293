//! The validated scenario: every value checked, every preset resolved, every
//! data file loaded. The rest of the simulator reads only this, never the raw
//! TOML, so a `Config` that exists is a run that can start.
//!
//! These types do not derive `Serialize`: the resolved scenario is written to
//! the manifest by `scenario::resolved_toml`, at the boundary.

use std::path::PathBuf;

/// A fully validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Scenario name; used for the default output directory.
    pub name: String,
    /// One-line description (may be empty).
    pub description: String,
    /// Master seed of the first run.
    pub seed: u64,
    /// When the run stops.
    pub stop: StopConfig,
    /// Nodes, regions, latency, bandwidth and topology.
    pub network: NetworkConfig,
    /// Block relay protocol and validation cost.
    pub relay: RelayConfig,
    /// Consensus rules.
    pub consensus: ConsensusConfig,
    /// Groups of nodes that run other consensus rules (`[[node_group]]`), in file order.
    pub node_groups: Vec<NodeGroup>,
    /// Block contents while no transaction workload is simulated.
    pub blocks: BlocksConfig,
    /// Who mines, with how much hash power, where.
    pub mining: MiningConfig,
    /// The transaction workload; `None`: blocks carry filler contents
    /// shaped by `blocks`.
    pub transactions: Option<TransactionsConfig>,
    /// Mempool policy of every node that keeps a mempool.
    pub mempool: MempoolConfig,
    /// Optional outputs.
    pub output: OutputConfig,
    /// The timeline (`[[events]]`), in file order.
    pub events: Vec<TimelineEvent>,
}

/// One timeline event: when it happens and what it does.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEvent {
    /// When it fires.
    pub at: EventTrigger,
    /// What it does.
    pub action: EventAction,
}

/// When a timeline event fires.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventTrigger {
    /// At this simulated time (seconds).
    Time(f64),
    /// When the best public chain first reaches this height.
    Height(u32),
}

/// What a timeline event does.
#[derive(Clone, Debug, PartialEq)]
pub enum EventAction {
    /// Changes the hash rate of every miner, or of one pool.
    Hashrate {
        /// The pool; `None`: every miner, in proportion.
        pool: Option<String>,
        /// The change.
        change: HashChange,
        /// Reach the new rate linearly over this long (0: at once).
        ramp_s: f64,
    },
    /// Messages between two sides of the network wait until it heals.
    Partition {
        /// One side; the other is every other node.
        side: PartitionSide,
        /// How long the cut lasts (seconds).
        duration_s: f64,
    },
    /// A share of the nodes that do not mine goes offline and comes back.
    Churn {
        /// Share of the non-mining nodes.
        fraction: f64,
        /// How long they stay offline (seconds).
        duration_s: f64,
    },
    /// Latency and bandwidth of a region's links, or of all links, change.
    Latency {
        /// The region; `None`: every link.
        region: Option<crate::net::Region>,
        /// Factor on the mean latency of links with an end in the region.
        latency_scale: f64,
        /// Factor on the bandwidth of the region's nodes.
        bandwidth_scale: f64,
        /// Back to before after this long; `None`: for good.
        duration_s: Option<f64>,
    },
    /// A pool joins, leaves or changes its strategy.
    Pool {
        /// The pool.
        pool: String,
        /// The change.
        change: PoolChange,
    },
}

impl EventAction {
    /// The event's `kind` as the scenario spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            EventAction::Hashrate { .. } => "hashrate",
            EventAction::Partition { .. } => "partition",
            EventAction::Churn { .. } => "churn",
            EventAction::Latency { .. } => "latency",
            EventAction::Pool { .. } => "pool",
        }
    }
}

/// How a hash-rate event changes the rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HashChange {
    /// Multiply by this factor.
    Scale(f64),
    /// Set to this many hashes per second.
    Set(f64),
}

/// One side of a partition.
#[derive(Clone, Debug, PartialEq)]
pub enum PartitionSide {
    /// The nodes of these regions.
    Regions(Vec<crate::net::Region>),
    /// This share of all nodes, drawn at random.
    Fraction(f64),
}

/// A pool event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PoolChange {
    /// Starts mining with its `hash_share` (it has no hash rate before).
    Join,
    /// Stops mining (a withholding pool first publishes what it withholds).
    Leave,
    /// Switches to this strategy.
    Strategy(StrategyName),
}

/// Stop condition and limits. At least one of `blocks` and `sim_time_s` is set.
#[derive(Clone, Debug, PartialEq)]
pub struct StopConfig {
    /// Stop mining once the best chain holds this many blocks above the start.
    pub blocks: Option<u64>,
    /// Stop mining at this simulated time (seconds).
    pub sim_time_s: Option<f64>,
    /// After mining stops, let messages in flight settle for at most this long
    /// (seconds of simulated time) so the last blocks reach every node.
    pub drain_s: f64,
    /// Event budget: the run stops (and says so) after this many events.
    pub max_events: u64,
}

/// Where the region parameters come from.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkPresetName {
    /// Gervais et al. 2015 / SimBlock 2015 data.
    Bitcoin2015,
    /// SimBlock's 2019 data.
    Bitcoin2019,
    /// One constant latency and unlimited bandwidth (for analytic checks).
    Ideal,
}

/// Per-message latency noise.
#[derive(Clone, Debug, PartialEq)]
pub enum JitterConfig {
    /// Every message takes exactly the mean latency.
    None,
    /// SimBlock's Pareto around the mean.
    Pareto,
    /// Lognormal with the given sigma, scaled so the mean is preserved.
    Lognormal {
        /// Sigma of the underlying normal.
        sigma: f64,
    },
}

/// How the peer graph is built.
#[derive(Clone, Debug, PartialEq)]
pub enum TopologyConfig {
    /// Bitcoin Core's connection rules.
    BitcoinCore {
        /// Outbound full-relay connections per node (Core: 8).
        outbound_full_relay: u32,
        /// Outbound block-relay-only connections per node (Core: 2).
        outbound_block_relay: u32,
        /// Maximum connections per node, inbound plus outbound (Core: 125).
        max_connections: u32,
        /// Fraction of ordinary nodes that accept no inbound connections.
        non_listening_fraction: f64,
    },
    /// Outbound degree from Miller et al.'s 2015 distribution (SimBlock).
    Degree2015,
    /// Every node has exactly `degree` peers.
    RandomRegular {
        /// Peers per node.
        degree: u32,
    },
    /// Every node is connected to every other.
    Complete,
    /// An undirected edge list loaded from a CSV file.
    File {
        /// The file the edges came from (for messages and the manifest).
        path: PathBuf,
        /// Edges as pairs of node indices, each pair once, no self-loops.
        edges: Vec<(u32, u32)>,
    },
}

/// The network.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkConfig {
    /// Number of nodes (pool nodes included).
    pub nodes: u32,
    /// Region data preset.
    pub preset: NetworkPresetName,
    /// One-way latency for the `ideal` preset (milliseconds).
    pub latency_ms: f64,
    /// Latency noise.
    pub jitter: JitterConfig,
    /// Peer graph.
    pub topology: TopologyConfig,
    /// Standard deviation of nodes' clock offsets (seconds; 0: every clock
    /// is right).
    pub clock_skew_sd_s: f64,
}

/// Block relay protocols (Bitcoin Core `src/net_processing.cpp`, BIP130, BIP152, and older behaviour).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayProtocol {
    /// inv -> getdata -> block.
    Legacy,
    /// BIP130: headers announcement -> getdata -> block.
    Headers,
    /// BIP152 compact blocks with up to `high_bandwidth_peers` HB peers.
    Compact,
    /// The full block is pushed to every peer at once.
    Unsolicited,
}

/// Relay settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RelayConfig {
    /// The protocol every node runs.
    pub protocol: RelayProtocol,
    /// BIP152 high-bandwidth peers a node selects (Core: 3).
    pub high_bandwidth_peers: u32,
    /// Fixed part of a block's validation time (milliseconds).
    pub validation_ms: f64,
    /// Validation time per MB of block (milliseconds).
    pub validation_ms_per_mb: f64,
}

/// Difficulty algorithms available in this version, with their settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DifficultyName {
    /// Bitcoin Core's retarget.
    Bitcoin,
    /// Core's retarget with testnet4's BIP94 rules (timewarp bound, first block's base target).
    BitcoinBip94,
    /// Bitcoin Cash's aserti3-2d, anchored at the first simulated block.
    Asert {
        /// Half-life (seconds; BCH: 172,800).
        half_life_s: u32,
    },
    /// Bitcoin Cash's 144-block rolling window (cw-144).
    BchCw144,
    /// Bitcoin Cash's 2017 emergency adjustment on top of Bitcoin's retarget.
    BchEda,
    /// zawy's linearly weighted moving average.
    Lwma {
        /// Window N (blocks).
        window: u32,
    },
    /// No adjustment: the start difficulty forever.
    Fixed,
}

impl DifficultyName {
    /// Whether the algorithm retargets as Bitcoin does, so that `retarget_interval` periods and
    /// `clamp_factor` drive it.
    pub fn is_bitcoin_retarget(&self) -> bool {
        match self {
            DifficultyName::Bitcoin | DifficultyName::BitcoinBip94 | DifficultyName::BchEda => true,
            DifficultyName::Asert { .. }
            | DifficultyName::BchCw144
            | DifficultyName::Lwma { .. }
            | DifficultyName::Fixed => false,
        }
    }
}

/// Consensus rules: the scenario's own (`[consensus]`), which every node outside a
/// `[[node_group]]` runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsensusConfig {
    /// The rules from the start.
    pub rules: Rules,
    /// Rule changes at heights above the start, in increasing height.
    pub activation: Vec<Activation>,
    /// Height of the first simulated block (the history below it is generated).
    pub start_height: u32,
}

/// One set of consensus rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// Target block interval (seconds).
    pub block_interval_s: u32,
    /// Difficulty algorithm.
    pub difficulty: DifficultyName,
    /// Blocks per retarget period.
    pub retarget_interval: u32,
    /// Retarget clamp factor (Core: 4).
    pub clamp_factor: u32,
    /// Maximum block weight (weight units).
    pub max_block_weight: u64,
    /// Blocks between subsidy halvings.
    pub halving_interval: u32,
    /// Subsidy of the first period (satoshi).
    pub initial_subsidy_sat: u64,
    /// Blocks in the median-time-past window (Core: 11).
    pub mtp_window: u32,
    /// How far a header time may lie ahead of a node's clock (seconds; Core: 7200).
    pub max_future_block_time_s: u32,
}

/// A rule change: from `height` on, blocks are judged by `rules` (the rules before it with the
/// keys of its `set` table replaced).
#[derive(Clone, Debug, PartialEq)]
pub struct Activation {
    /// First height judged by the new rules (above the start height).
    pub height: u32,
    /// The rules in force from `height` on.
    pub rules: Rules,
}

/// A group of nodes that runs its own consensus rules (`[[node_group]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeGroup {
    /// Group name (unique; reports use it).
    pub name: String,
    /// Share of the nodes that run no pool (with `mining.every_node`: of all nodes).
    pub share: f64,
    /// The pools (indices into the pool list) whose nodes and gateways run the group's rules.
    pub pools: Vec<usize>,
    /// The group's rules from the start.
    pub rules: Rules,
    /// The group's rule changes, in increasing height.
    pub activation: Vec<Activation>,
}

/// Block contents while transactions are not simulated.
#[derive(Clone, Debug, PartialEq)]
pub struct BlocksConfig {
    /// Serialized size of every block (bytes); unused when `full`.
    pub size_bytes: u64,
    /// Every block weighs the most its miner's rules allow at its height.
    pub full: bool,
    /// Mean transaction size, which sets the transaction count (and so the
    /// size of compact blocks).
    pub mean_tx_bytes: u32,
    /// Share of block bytes that are witness data (weight = size * (4 - 3w)).
    pub witness_fraction: f64,
}

/// A mining pool (or a solo miner) attached to one node.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolConfig {
    /// Pool name (unique).
    pub name: String,
    /// Share of the total hash rate; shares sum to 1.
    pub hash_share: f64,
    /// Region of the pool's node.
    pub region: crate::net::Region,
    /// Upload bandwidth of the pool's node (bits/s); `None`: the region's.
    pub upload_bps: Option<f64>,
    /// Download bandwidth of the pool's node (bits/s); `None`: the region's.
    pub download_bps: Option<f64>,
    /// Outbound connections the pool's node opens in all; `None`: as other
    /// nodes.
    pub connections: Option<u32>,
    /// How many of `connections` relay transactions; the rest are
    /// block-relay-only. `None`: [`POOL_TX_RELAY_CONNECTIONS`] (at most
    /// `connections`).
    pub tx_relay_connections: Option<u32>,
    /// What the pool mines on and when it publishes.
    pub strategy: StrategyName,
    /// After its node adopts a new tip, the pool mines blocks with no
    /// transactions for this many seconds, until its new template is ready
    /// (0: never).
    pub empty_block_window_s: f64,
    /// Header-first ("SPV") mining: the pool starts on a new header with
    /// an empty block before its node has validated the block.
    pub spv_mining: bool,
    /// Regions of the pool's gateway nodes besides its own node: each is
    /// another node with the same links, the pool mines on the best tip
    /// any of them has and hands its blocks to all of them.
    pub gateways: Vec<crate::net::Region>,
}

/// A relay network among pools, as FIBRE and Falcon were: a block that
/// reaches one member's node is pushed to every other member's node after
/// `latency_ms`, before validation, besides the ordinary peer-to-peer relay.
#[derive(Clone, Debug, PartialEq)]
pub struct RelayNetworkConfig {
    /// Names of the member pools.
    pub pools: Vec<String>,
    /// One-way delivery time between members (ms).
    pub latency_ms: f64,
}

/// A pool's mining strategy (see [`crate::mining::strategy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyName {
    /// Mine on the node's tip, publish at once.
    Honest,
    /// Eyal and Sirer's Selfish-Mine.
    Selfish,
    /// One of Nayak et al.'s stubborn strategies.
    Stubborn(crate::mining::strategy::Stubbornness),
    /// Honest mining with timewarp timestamps: the last block of each
    /// difficulty period as late as peers accept, every other block as early
    /// as consensus allows.
    Timewarp,
}

impl StrategyName {
    /// Every strategy's spelling, in documentation order.
    pub const NAMES: [&'static str; 4] = ["honest", "selfish", "stubborn", "timewarp"];

    /// The scenario spelling.
    pub fn name(&self) -> &'static str {
        match self {
            StrategyName::Honest => "honest",
            StrategyName::Selfish => "selfish",
            StrategyName::Stubborn(_) => "stubborn",
            StrategyName::Timewarp => "timewarp",
        }
    }

    /// True for a strategy that withholds blocks (and so may contest ties).
    pub fn withholds(&self) -> bool {
        matches!(self, StrategyName::Selfish | StrategyName::Stubborn(_))
    }
}

/// Outbound connections of a pool's node that relay transactions unless the
/// pool says otherwise: Bitcoin Core's `MAX_OUTBOUND_FULL_RELAY_CONNECTIONS`.
/// A pool's further connections are block-relay-only, the only kind Core
/// opens beyond that limit.
pub const POOL_TX_RELAY_CONNECTIONS: u32 = 8;

impl PoolConfig {
    /// The pool node's outbound connections as (full relay, block-relay-only),
    /// or `None` when it opens as many as other nodes.
    pub fn outbound_split(&self) -> Option<(u32, u32)> {
        let total = self.connections?;
        let full = self.tx_relay_connections.unwrap_or(POOL_TX_RELAY_CONNECTIONS).min(total);
        Some((full, total - full))
    }
}

/// Where the hash power is.
#[derive(Clone, Debug, PartialEq)]
pub enum MinersConfig {
    /// Explicit pools (from `[[mining.pool]]` or the `bitcoin-2015` preset).
    Pools(Vec<PoolConfig>),
    /// Every node mines, with a share from a normal distribution (SimBlock).
    EveryNode {
        /// Standard deviation of a node's hash power relative to the mean.
        relative_sd: f64,
    },
}

/// Mining.
#[derive(Clone, Debug, PartialEq)]
pub struct MiningConfig {
    /// Total hash rate (hashes per second); sets the starting difficulty.
    pub hashrate_hs: f64,
    /// A miner rebuilds its block template on every new tip and then every
    /// this many seconds; 0: its template always holds its whole mempool.
    pub template_refresh_s: f64,
    /// Validation setting: in a tie between a strategic pool's block and
    /// another, this share of the other miners' blocks builds on the pool's
    /// (Eyal and Sirer's γ), whatever the network delivered first.
    pub gamma: Option<f64>,
    /// A low-latency overlay among some pools (`[relay_network]`).
    pub relay_network: Option<RelayNetworkConfig>,
    /// The miners.
    pub miners: MinersConfig,
}

/// Optional outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputConfig {
    /// Write `graph.csv` (edge list) and `nodes.csv` beside the results.
    pub write_graph: bool,
    /// Interval of the mempool time series (`mempool.csv`) in seconds of
    /// simulated time; 0 turns it off.
    pub mempool_sample_s: f64,
}

/// How the transaction arrival rate varies over time.
#[derive(Clone, Debug, PartialEq)]
pub enum RateSchedule {
    /// `rate_per_s` all the time.
    Constant,
    /// A daily cycle: rate(t) = rate_per_s * (1 + amplitude * cos(2 pi (t - peak) / 1 day)).
    Daily {
        /// Relative amplitude, in [0, 1).
        amplitude: f64,
        /// Hour of the day (0 to 24, simulated time) when the rate peaks.
        peak_hour: f64,
    },
}

/// A demand surge: the rate is multiplied by `multiplier` for `duration_s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Surge {
    /// When it starts (seconds of simulated time).
    pub start_s: f64,
    /// How long it lasts (seconds).
    pub duration_s: f64,
    /// Rate multiplier while it lasts (> 0).
    pub multiplier: f64,
}

/// A distribution of a positive quantity (fee rates, sizes).
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Always this value.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Lognormal with the given median and sigma (of the underlying normal).
    Lognormal {
        /// The median.
        median: f64,
        /// Sigma of ln(value).
        sigma: f64,
    },
    /// An empirical histogram: a bin is chosen by weight, then a value
    /// uniformly inside it.
    Empirical {
        /// The file it came from (for messages and the manifest).
        path: PathBuf,
        /// Bins as (low, high, weight), sorted, non-overlapping, weights > 0.
        bins: Vec<(f64, f64, f64)>,
    },
}

/// How transactions travel between nodes.
#[derive(Clone, Debug, PartialEq)]
pub enum TxRelayMode {
    /// Every node keeps a mempool and runs Core's INV trickling, getdata,
    /// timeouts and orphan handling.
    Full,
    /// Only pool nodes and `observers` sampled nodes keep mempools; other
    /// nodes' knowledge of a transaction follows a propagation-delay model.
    Fast {
        /// Nodes (besides pool nodes) that keep a full mempool.
        observers: u32,
    },
}

/// The transaction workload (`[transactions]`).
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionsConfig {
    /// Mean arrival rate of new transactions (per second of simulated time).
    pub rate_per_s: f64,
    /// How the rate varies over the day.
    pub schedule: RateSchedule,
    /// Demand surges on top of the schedule.
    pub surges: Vec<Surge>,
    /// Fee rate of new transactions (sat/vB).
    pub feerate_sat_vb: Distribution,
    /// Virtual size of new transactions (vbytes; clamped to 65..=100,000).
    pub vsize_vb: Distribution,
    /// Share of new transactions that spend an output of a still-unconfirmed
    /// transaction (chains).
    pub chain_share: f64,
    /// Share of users whose transaction is still unconfirmed after
    /// `stuck_after_blocks` blocks who pay for it with a child (CPFP).
    pub cpfp_share: f64,
    /// Share of such users who replace it with a higher-fee version (RBF).
    pub rbf_share: f64,
    /// Blocks after which a transaction counts as stuck.
    pub stuck_after_blocks: u32,
    /// A replacement or CPFP child pays this multiple of the original fee rate.
    pub fee_bump: f64,
    /// Share of new transactions that are double-spent: a conflicting version
    /// is sent at the same time from another node.
    pub double_spend_share: f64,
    /// Relay fidelity.
    pub relay: TxRelayMode,
    /// At most this many transactions get a row in `txs.csv` (a seeded
    /// sample when there are more).
    pub max_tx_rows: u64,
}

/// Bitcoin Core policy versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyName {
    /// Core v29.0: 1 sat/vB minimum relay and incremental fee.
    CoreV29,
    /// Core v30: 0.1 sat/vB minimum relay and incremental fee, 0.001 sat/vB block minimum.
    CoreV30,
}

/// Mempool settings (`[mempool]`).
#[derive(Clone, Debug, PartialEq)]
pub struct MempoolConfig {
    /// Policy version.
    pub policy: PolicyName,
    /// Size limit (`-maxmempool`, MB of estimated memory use).
    pub max_size_mb: f64,
    /// Estimated memory use per vbyte of transaction (Core counts dynamic
    /// memory, which exceeds the vbytes held).
    pub memory_per_vbyte: f64,
    /// Transactions older than this leave the mempool (`-mempoolexpiry`, hours).
    pub expiry_hours: f64,
}

impl MempoolConfig {
    /// Bitcoin Core's defaults for `policy`: 300 MB, 336 hours.
    pub fn core_defaults(policy: PolicyName) -> Self {
        MempoolConfig { policy, max_size_mb: 300.0, memory_per_vbyte: 2.0, expiry_hours: 336.0 }
    }
}
