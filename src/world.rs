//! The one model: it owns the block tree, the nodes, the miners, the network
//! and the metrics, and dispatches the closed [`Event`] enum.
//!
//! The world turns node [`Action`]s into events (messages go through the
//! network model: upload queue, transmission time, latency), runs the single
//! mining clock, and decides when the run is over. It reads no files and
//! writes none; `build` takes a validated [`Config`].

mod build;
mod estimate;
mod events;
mod invariants;
mod timeline;
mod txs;

pub use build::{BuildError, Built, consensus_params};
pub use estimate::{MemoryEstimate, estimate_memory};
pub use timeline::{EventRecord, Timeline};
pub use txs::{Contents, MempoolSample, ReachModel, TxWorld, fate};

use crate::chain::{BlockTree, NewBlock, Origin, RulesId};
use crate::consensus::{
    BlockId, Header, block_subsidy, earliest_consensus_time, earliest_valid_time, sha256d,
};
use crate::metrics::{Metrics, ReorgRecord};
use crate::mining::strategy::{Publish, Strategy, TimeBounds};
use crate::mining::{HashPower, PoolId};
use crate::net::{Jitter, LatencyModel, NodeId, Region, Topology, UploadLink, sample_latency_ns};
use crate::node::{Action, Ctx, Msg, Nodes, TxAction, TxMsg, TxRelay, TxTimer};
use crate::scenario::Config;
use crate::sim::{EventQueue, Model, SimDuration, SimRng, SimTime, StreamKind};

/// Unix time of the start of every run (2025-01-01 00:00:00 UTC): the last
/// history block carries this timestamp and node clocks start here.
pub const EPOCH_UNIX_S: i64 = 1_735_689_600;

/// The latest simulated time a block is found at. Header times are u32 Unix seconds, which run
/// out on 2106-02-07; 30 days are left for clock skew. A block the mining clock would find later
/// is never found, as at zero hash rate (a hash rate far too low for even powLimit's difficulty).
const LAST_BLOCK_TIME: SimTime =
    SimTime((u32::MAX as u64 - EPOCH_UNIX_S as u64 - 30 * 86_400) * 1_000_000_000);

/// Block header version used by simulated miners (BIP9 top bits, no signals).
const HEADER_VERSION: i32 = 0x2000_0000;

/// What each random stream is for. The codes are part of the output contract:
/// changing one changes every result drawn from it.
#[derive(Clone, Copy, Debug)]
pub enum Stream {
    /// Region of each node.
    Regions = 1,
    /// Placement of pool nodes and listening flags.
    Placement = 2,
    /// The peer graph.
    Topology = 3,
    /// Block discovery times and winners.
    Mining = 4,
    /// Per-sender message latency jitter.
    Latency = 5,
    /// Per-node hash power (every-node mining).
    HashPower = 6,
    /// Initial BIP152 high-bandwidth peers.
    HighBandwidth = 7,
    /// Header nonces and coinbase contents.
    BlockContent = 8,
    /// The transaction workload.
    Workload = 9,
    /// Draws of the fast transaction-relay model.
    TxReach = 10,
    /// Choice of observer nodes.
    Observers = 11,
    /// Per-node transaction trickle timers (full relay).
    TxTrickle = 12,
    /// Forced tie-breaking (`mining.gamma`).
    Gamma = 13,
    /// Nodes chosen by timeline events (partitions by share, churn).
    Events = 14,
    /// Nodes' clock offsets.
    ClockSkew = 15,
    /// Which nodes join which `[[node_group]]`.
    Groups = 16,
}

impl StreamKind for Stream {
    fn code(self) -> u64 {
        self as u64
    }
}

/// The closed set of events.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// The mining clock fired; stale if `generation` is not the current one.
    BlockFound {
        /// The clock draw this event belongs to.
        generation: u32,
    },
    /// A message arrives at the owner of `edge`.
    Deliver {
        /// The receiver's edge toward the sender.
        edge: u32,
        /// The message.
        msg: Msg,
    },
    /// A node finished validating toward `block`.
    Validated {
        /// The node.
        node: NodeId,
        /// The block that becomes its tip.
        block: BlockId,
    },
    /// The workload's next transaction arrival.
    TxArrival,
    /// A transaction reaches the mempool of `node` (fast relay).
    TxReach {
        /// The node.
        node: NodeId,
        /// The transaction.
        tx: crate::mempool::TxId,
    },
    /// The pools' relay network delivers `block` to member `node`.
    OverlayDeliver {
        /// The member's node.
        node: NodeId,
        /// The block.
        block: BlockId,
    },
    /// A transaction-relay message arrives at the owner of `edge`.
    DeliverTx {
        /// The receiver's edge toward the sender.
        edge: u32,
        /// The message.
        msg: TxMsg,
    },
    /// A transaction-relay timer fires.
    TxTimer(TxTimer),
    /// Time to sample the mempools for `mempool.csv`.
    MempoolSample,
    /// The stop time of a `sim_time_s` run: mining stops.
    MiningDeadline,
    /// The drain period is over: the run ends even if messages are in flight.
    DrainEnd,
    /// Timeline event `0` fires.
    Timeline(u32),
    /// Step `step` of timeline event `event`'s hash-rate ramp.
    RampStep {
        /// The event.
        event: u32,
        /// The step, 1 to `RAMP_STEPS`.
        step: u32,
    },
    /// The effect of timeline event `0` ends (a cut heals, latency goes back).
    TimelineEnd(u32),
}

/// Per-node network attachment.
#[derive(Clone, Debug)]
pub struct NodeNet {
    /// Region of each node.
    pub region: Vec<Region>,
    /// Upload bandwidth (bits/s) of each node.
    pub upload_bps: Vec<f64>,
    /// Download bandwidth (bits/s) of each node.
    pub download_bps: Vec<f64>,
}

/// When the run stops mining and when it ends.
#[derive(Clone, Copy, Debug)]
struct StopRule {
    blocks: Option<u64>,
    drain: SimDuration,
}

/// The simulated world.
pub struct World {
    tree: BlockTree,
    topo: Topology,
    nodes: Nodes,
    net: NodeNet,
    latency: LatencyModel,
    jitter: Jitter,
    uplinks: Vec<UploadLink>,
    last_arrival_ns: Vec<u64>,
    latency_rng: Vec<SimRng>,
    hash: HashPower,
    miners_at: Vec<Vec<PoolId>>,
    /// Nodes of the pools in the relay network, and its delivery time.
    overlay: Vec<NodeId>,
    overlay_latency: SimDuration,
    /// Per miner: how long after its node's new tip it mines empty blocks.
    empty_window: Vec<SimDuration>,
    /// Per miner: it starts on a new header before its node has validated
    /// the block, with an empty block.
    header_first: Vec<bool>,
    /// Per miner: the block it mines on (before its strategy's choice): the
    /// most-work mining tip among its nodes, kept on a tie.
    miner_tip: Vec<BlockId>,
    /// Per miner: what it mines on and when it publishes.
    strategies: Vec<Box<dyn Strategy>>,
    /// Blocks of strategic miners not yet published.
    withheld: std::collections::BTreeSet<BlockId>,
    /// Publications decided while node actions were being applied.
    to_publish: Vec<(NodeId, Publish)>,
    /// `mining.gamma`, and its stream.
    gamma: Option<f64>,
    gamma_rng: SimRng,
    contests: ContestStats,
    mining_rng: SimRng,
    content_rng: SimRng,
    generation: u32,
    filler: Filler,
    /// Names of the rule schedules, by [`RulesId`].
    rule_names: Vec<String>,
    txw: Option<TxWorld>,
    txrelay: Option<TxRelay>,
    tx_actions: Vec<TxAction>,
    /// Interval of the mempool time series (zero: off).
    mempool_sample: SimDuration,
    metrics: Metrics,
    best: BlockId,
    stop: StopRule,
    mining_stopped: bool,
    done: bool,
    /// Deliver and Validated events scheduled but not yet handled.
    in_flight: u64,
    actions: Vec<Action>,
    timeline: Timeline,
    events_rng: SimRng,
    /// Per node: its clock's offset in seconds (empty: every clock right).
    clock_skew_s: Vec<i64>,
    /// Per miner: its configured hash rate (what a joining pool gets).
    configured_hs: Vec<f64>,
    /// The invariant checker's state, when invariants are checked.
    invariants: Option<Box<invariants::Invariants>>,
    /// A deliberately broken model for the checker's own test: miners write a wrong nBits.
    #[cfg(test)]
    fault_wrong_bits: bool,
}

/// Blocks other miners found while a strategic pool's block tied with
/// another: Eyal and Sirer's γ is the share that built on the pool's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContestStats {
    /// Blocks found by other miners during a contest.
    pub blocks: u64,
    /// Of those, blocks built on the strategic pool's block.
    pub on_pool: u64,
}

impl ContestStats {
    /// The measured γ, if any block was found during a contest.
    pub fn gamma(&self) -> Option<f64> {
        (self.blocks > 0).then(|| self.on_pool as f64 / self.blocks as f64)
    }
}

/// Size, weight and transaction count of a filler block.
#[derive(Clone, Copy, Debug)]
pub struct BlockShape {
    /// Serialized size.
    pub size_bytes: u64,
    /// Weight units.
    pub weight: u64,
    /// Transactions including the coinbase.
    pub tx_count: u32,
}

/// What filler blocks look like while transactions are not simulated.
#[derive(Clone, Copy, Debug)]
pub enum Filler {
    /// Every block has this shape.
    Fixed(BlockShape),
    /// Every block weighs the most its miner's rules allow at its height.
    Full {
        /// Share of block bytes that are witness data.
        witness_fraction: f64,
        /// Mean transaction size (bytes), which sets the transaction count.
        mean_tx_bytes: u32,
    },
}

impl Filler {
    /// The shape of a block under a weight limit of `max_weight`.
    pub fn shape(&self, max_weight: u64) -> BlockShape {
        match *self {
            Filler::Fixed(shape) => shape,
            Filler::Full { witness_fraction, mean_tx_bytes } => {
                // weight = size x (4 - 3w) (BIP141), so the largest size within the limit:
                let size_bytes = (max_weight as f64 / (4.0 - 3.0 * witness_fraction)).floor() as u64;
                let weight =
                    ((size_bytes as f64 * (4.0 - 3.0 * witness_fraction)).round() as u64).min(max_weight);
                BlockShape { size_bytes, weight, tx_count: tx_count(size_bytes, mean_tx_bytes) }
            }
        }
    }
}

/// Transactions, the coinbase included, in a filler block of `size_bytes`.
pub(crate) fn tx_count(size_bytes: u64, mean_tx_bytes: u32) -> u32 {
    (size_bytes / u64::from(mean_tx_bytes)).clamp(1, u64::from(u32::MAX)) as u32
}

impl Model for World {
    type Event = Event;

    fn handle(&mut self, now: SimTime, event: Event, queue: &mut EventQueue<Event>) {
        match event {
            Event::BlockFound { generation } => {
                if generation == self.generation && !self.mining_stopped {
                    self.block_found(now, queue);
                }
            }
            Event::Deliver { edge, msg } => {
                self.in_flight -= 1;
                self.node_step(now, queue, |nodes, ctx, out| nodes.on_message(ctx, edge, msg, out));
            }
            Event::Validated { node, block } => {
                self.in_flight -= 1;
                self.node_step(now, queue, |nodes, ctx, out| nodes.on_validation_done(ctx, node, block, out));
            }
            Event::OverlayDeliver { node, block } => {
                self.in_flight -= 1;
                self.node_step(now, queue, |nodes, ctx, out| nodes.on_block_mined(ctx, node, block, out));
            }
            Event::TxArrival => self.tx_arrival(now, queue),
            Event::TxReach { node, tx } => self.tx_reach(now, node, tx, queue),
            Event::DeliverTx { edge, msg } => {
                self.in_flight -= 1;
                self.tx_step(now, queue, |relay, pools, topo, out| {
                    relay.on_message(topo, pools, edge, msg, now, out)
                });
            }
            Event::TxTimer(timer) => {
                self.tx_step(now, queue, |relay, pools, topo, out| {
                    relay.on_timer(topo, pools, timer, now, out)
                });
            }
            Event::MempoolSample => self.mempool_sample(now, queue),
            Event::MiningDeadline => self.stop_mining(now, queue),
            Event::DrainEnd => self.done = true,
            Event::Timeline(i) => self.fire(now, i as usize, queue),
            Event::RampStep { event, step } => self.ramp_step(now, event as usize, step, queue),
            Event::TimelineEnd(i) => self.end_event(now, i as usize),
        }
    }

    fn finished(&self) -> bool {
        self.done || (self.mining_stopped && self.in_flight == 0)
    }

    fn check_invariants(&mut self, now: SimTime) -> Result<(), String> {
        self.check_invariants_now(now)
    }
}

impl World {
    /// Runs one node handler and carries out the actions it asks for.
    fn node_step(
        &mut self,
        now: SimTime,
        queue: &mut EventQueue<Event>,
        step: impl FnOnce(&mut Nodes, Ctx<'_>, &mut Vec<Action>),
    ) {
        let mut out = std::mem::take(&mut self.actions);
        let ctx = Ctx {
            tree: &self.tree,
            topo: &self.topo,
            now,
            node_clock_s: node_clock_s(now),
            clock_skew_s: &self.clock_skew_s,
            txs: self.txw.as_ref().map(|t| t as &dyn crate::node::TxKnowledge),
        };
        step(&mut self.nodes, ctx, &mut out);
        self.apply(now, &mut out, queue);
        self.actions = out;
        while let Some((node, blocks)) = self.to_publish.pop() {
            self.publish(now, node, blocks, queue);
        }
    }

    /// Schedules the first events: the mining clock and, for a time-bounded
    /// run, the mining deadline.
    pub fn start(&mut self, queue: &mut EventQueue<Event>, sim_time_s: Option<f64>) {
        if let Some(t) = sim_time_s {
            queue.schedule(SimTime::ZERO + SimDuration::from_secs_f64(t), Event::MiningDeadline);
        }
        for (t, i) in self.timeline.timed() {
            queue.schedule(SimTime::ZERO + SimDuration::from_secs_f64(t), Event::Timeline(i as u32));
        }
        self.redraw_clock(SimTime::ZERO, queue);
        if self.txw.is_some() {
            self.schedule_arrival(SimTime::ZERO, queue);
            if self.mempool_sample > SimDuration::ZERO {
                queue.schedule(SimTime::ZERO, Event::MempoolSample);
            }
        }
    }

    fn schedule_arrival(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        let txw = self.txw.as_mut().expect("transactions are simulated");
        if let Some(t) = txw.next_arrival(now) {
            queue.schedule(t, Event::TxArrival);
        }
    }

    /// A user sends a transaction (or two conflicting ones).
    fn tx_arrival(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        if self.mining_stopped {
            return;
        }
        let txw = self.txw.as_mut().expect("transactions are simulated");
        let new = txw.arrive(now, &self.tree, self.best);
        schedule_reaches(new, queue);
        self.schedule_arrival(now, queue);
    }

    /// A transaction reaches `node`: offered to its mempool; under full relay,
    /// what it accepts is queued for announcement.
    fn tx_reach(
        &mut self,
        now: SimTime,
        node: NodeId,
        tx: crate::mempool::TxId,
        queue: &mut EventQueue<Event>,
    ) {
        let txw = self.txw.as_mut().expect("transactions are simulated");
        let outcome = txw.on_reach(node, tx, now, &self.tree);
        if let (Some(relay), crate::node::Accept::Accepted(accepted)) = (self.txrelay.as_mut(), outcome) {
            let mut out = std::mem::take(&mut self.tx_actions);
            relay.on_accepted(&self.topo, node, &accepted, now, &mut out);
            self.apply_tx(now, &mut out, queue);
            self.tx_actions = out;
        }
    }

    /// Runs one transaction-relay handler and carries out its actions.
    fn tx_step(
        &mut self,
        now: SimTime,
        queue: &mut EventQueue<Event>,
        step: impl FnOnce(&mut TxRelay, &mut txs::PoolsAt<'_>, &Topology, &mut Vec<TxAction>),
    ) {
        let mut out = std::mem::take(&mut self.tx_actions);
        let relay = self.txrelay.as_mut().expect("full transaction relay");
        let txw = self.txw.as_mut().expect("transactions are simulated");
        let mut pools = txs::PoolsAt { txw, tree: &self.tree };
        step(relay, &mut pools, &self.topo, &mut out);
        self.apply_tx(now, &mut out, queue);
        self.tx_actions = out;
    }

    fn apply_tx(&mut self, now: SimTime, out: &mut Vec<TxAction>, queue: &mut EventQueue<Event>) {
        for action in out.drain(..) {
            match action {
                TxAction::Send { edge, msg, bytes } => {
                    let at = self.transmit(now, edge, bytes);
                    self.in_flight += 1;
                    queue.schedule(at, Event::DeliverTx { edge: self.topo.reverse(edge), msg });
                }
                TxAction::Timer { at, timer } => queue.schedule(at, Event::TxTimer(timer)),
            }
        }
    }

    fn mempool_sample(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        if self.mining_stopped {
            return;
        }
        let height = self.tree.get(self.best).height + 1;
        let max_weight = self.tree.params_at(RulesId::DEFAULT, height).max_block_weight;
        let txw = self.txw.as_mut().expect("transactions are simulated");
        txw.sample(now, max_weight);
        queue.schedule(now + self.mempool_sample, Event::MempoolSample);
    }

    fn redraw_clock(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        self.generation = self.generation.wrapping_add(1);
        if self.hash.total_rate() <= 0.0 {
            return;
        }
        let wait = SimDuration::from_secs_f64(self.hash.draw_interval_s(&mut self.mining_rng));
        if now + wait <= LAST_BLOCK_TIME {
            queue.schedule(now + wait, Event::BlockFound { generation: self.generation });
        }
    }

    fn stop_mining(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        if !self.mining_stopped {
            self.mining_stopped = true;
            for p in 0..self.strategies.len() {
                let publish = self.strategies[p].on_stop(&self.tree);
                let node = self.hash.miners()[p].node;
                self.publish(now, node, publish, queue);
            }
            queue.schedule(now + self.stop.drain, Event::DrainEnd);
        }
    }

    fn block_found(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        let winner = self.hash.draw_winner(&mut self.mining_rng);
        let node = self.hash.miner(winner).node;
        let node_tip = self.miner_tip[winner.index()];
        let strategic = self.strategies[winner.index()].is_strategic();
        let parent = match self.contest_parent(winner) {
            Some(p) => {
                // The miner heard the contesting pool's block first: its nodes hold it.
                let pool_nodes: Vec<NodeId> = self.hash.miner(winner).nodes().collect();
                for n in pool_nodes {
                    self.node_step(now, queue, |nodes, ctx, out| nodes.on_branch_heard(ctx, n, p, out));
                }
                p
            }
            None => self.strategies[winner.index()].target(&self.tree, node_tip),
        };
        // The template comes from the node whose tip the miner is on.
        let source = self.hash.miner(winner).nodes().find(|&n| self.nodes.mining_tip(n) == node_tip);
        let b = self.mine_block(now, winner, source.unwrap_or(node), parent);
        if let Some(inv) = self.invariants.as_mut() {
            inv.mined_at = Some(source.unwrap_or(node));
        }
        self.nodes.grow(&self.tree);
        self.metrics.on_block_found(b, node, now, self.hash.total_hashrate_hs());
        if strategic {
            self.withheld.insert(b);
            let publish = self.strategies[winner.index()].on_mined(&self.tree, b, node_tip);
            self.publish(now, node, publish, queue);
            self.retarget_miners(now, node, queue);
        } else {
            self.on_published(now, b, queue);
            // A pool hands its block to all its nodes at once.
            let pool_nodes: Vec<NodeId> = self.hash.miner(winner).nodes().collect();
            for n in pool_nodes {
                self.node_step(now, queue, |nodes, ctx, out| nodes.on_block_mined(ctx, n, b, out));
            }
        }
        let start = self.tree.get(self.tree.start_tip()).height;
        let mined_above_start = u64::from(self.tree.get(self.best).height - start);
        if self.stop.blocks.is_some_and(|target| mined_above_start >= target) {
            self.stop_mining(now, queue);
        } else {
            self.redraw_clock(now, queue);
        }
    }

    /// A block became public: it may be the new best block (the most-work
    /// block valid under the scenario's own rules).
    fn on_published(&mut self, now: SimTime, b: BlockId, queue: &mut EventQueue<Event>) {
        let more_work = self.tree.get(b).chainwork > self.tree.get(self.best).chainwork;
        if more_work && self.tree.is_valid(b, RulesId::DEFAULT) {
            self.best = b;
            self.metrics.on_best_block(&self.tree, b);
            for i in self.timeline.due_at_height(self.tree.get(b).height) {
                queue.schedule(now, Event::Timeline(i as u32));
            }
            if let Some(txw) = self.txw.as_mut() {
                schedule_reaches(txw.on_best_block(now, &self.tree, b), queue);
            }
        }
    }

    /// A strategic pool at `node` publishes `blocks`.
    fn publish(&mut self, now: SimTime, node: NodeId, blocks: Publish, queue: &mut EventQueue<Event>) {
        if blocks.is_empty() {
            return;
        }
        for &b in &blocks {
            self.withheld.remove(&b);
            self.metrics.on_published(b, now);
            self.on_published(now, b, queue);
        }
        self.node_step(now, queue, |nodes, ctx, out| nodes.publish(ctx, node, &blocks, out));
    }

    /// Where another miner's block goes while a strategic pool contests a
    /// tie: with `mining.gamma` set, on the pool's block with probability γ
    /// and on the other block otherwise; without it, where the miner's node
    /// is (`None`). Counts the block for the measured γ either way.
    fn contest_parent(&mut self, winner: PoolId) -> Option<BlockId> {
        if self.strategies[winner.index()].is_strategic() {
            return None;
        }
        let contest = self.strategies.iter().find_map(|s| s.contest())?;
        let parent = match self.gamma {
            Some(g) => {
                if self.gamma_rng.chance(g) {
                    contest.ours
                } else {
                    contest.theirs
                }
            }
            None => self.miner_tip[winner.index()],
        };
        self.contests.blocks += 1;
        self.contests.on_pool += u64::from(parent == contest.ours);
        Some(parent)
    }

    /// Builds a block on `parent` the way Core's miner does: header time
    /// at least MTP + 1 (and within the timewarp bound), otherwise the clock.
    fn mine_block(&mut self, now: SimTime, winner: PoolId, node: NodeId, parent: BlockId) -> BlockId {
        let prec = self.tree.get(parent);
        let height = prec.height + 1;
        let rules = self.nodes.rules(node);
        let params = self.tree.params_at(rules, height);
        let clock = self.clock_s(node, now);
        let bounds = TimeBounds {
            core_min: earliest_valid_time(&self.tree, parent, params),
            consensus_min: earliest_consensus_time(&self.tree, parent, params),
            clock,
            clock_max: clock + params.max_future_block_time_s,
            closes_period: (prec.height + 2) % params.retarget_interval.max(1) == 0,
        };
        let time = self.strategies[winner.index()].header_time(bounds);
        let bits = self.tree.next_bits(rules, parent, time);
        #[cfg(test)]
        let bits = if self.fault_wrong_bits { bits ^ 1 } else { bits };
        let mut coinbase = Vec::with_capacity(20);
        coinbase.extend_from_slice(&height.to_le_bytes());
        coinbase.extend_from_slice(&winner.0.to_le_bytes());
        coinbase.extend_from_slice(&self.content_rng.u64().to_le_bytes());
        let header = Header {
            version: HEADER_VERSION,
            prev_hash: prec.hash,
            merkle_root: sha256d(&coinbase),
            // A strategy may reach past 2106 (the future-time limit can be that large).
            time: u32::try_from(time.clamp(0, i64::from(u32::MAX))).expect("clamped"),
            bits,
            nonce: self.content_rng.u32(),
        };
        // A header-first miner on a block it has not validated cannot know
        // which transactions that block spent: it mines an empty block.
        let unvalidated_parent = self.header_first[winner.index()] && !self.nodes.has_valid(node, parent);
        let window = self.empty_window[winner.index()];
        let contents = match &self.txw {
            _ if unvalidated_parent => Some(Contents::empty()),
            Some(t) => Some(t.contents(node, params.max_block_weight, now, window)),
            None => None,
        };
        let shape = match &contents {
            Some(c) => {
                BlockShape { size_bytes: c.size_bytes, weight: c.weight, tx_count: c.txs.len() as u32 + 1 }
            }
            None => self.filler.shape(params.max_block_weight),
        };
        let fees_sat = contents.as_ref().map_or(0, |c| c.fees_sat);
        let b = self.tree.push(NewBlock {
            header,
            parent,
            found_at: now,
            origin: Origin::Mined(winner.0),
            size_bytes: shape.size_bytes,
            weight: shape.weight,
            tx_count: shape.tx_count,
            fees_sat,
            coinbase_sat: block_subsidy(height, params) + fees_sat,
        });
        if let (Some(txw), Some(c)) = (self.txw.as_mut(), contents) {
            txw.record_block(b, now, c.txs);
        }
        b
    }

    /// Carries out node actions: messages through the network, validation
    /// timers, metric records, and mining-rate updates on tip changes.
    fn apply(&mut self, now: SimTime, out: &mut Vec<Action>, queue: &mut EventQueue<Event>) {
        for action in out.drain(..) {
            match action {
                Action::Send { edge, msg } => self.send(now, edge, msg, queue),
                Action::Validate { node, block, done_at } => {
                    self.in_flight += 1;
                    queue.schedule(done_at, Event::Validated { node, block });
                }
                Action::Connected { node, block } => self.metrics.on_connected(block, node, now),
                Action::Reorg { node, old_tip, new_tip, fork } => {
                    let h = |b: BlockId| self.tree.get(b).height;
                    let rec = ReorgRecord {
                        time: now,
                        node,
                        old_tip,
                        new_tip,
                        fork,
                        depth: h(old_tip) - h(fork),
                        connected: h(new_tip) - h(fork),
                    };
                    self.metrics.on_reorg(&self.tree, rec);
                }
                Action::TipChanged { node, tip } => {
                    if let Some(inv) = self.invariants.as_mut() {
                        inv.moved.push(node);
                    }
                    if let Some(txw) = self.txw.as_mut() {
                        txw.on_tip_changed(node, tip, now, &self.tree);
                    }
                    for &p in &self.miners_at[node.index()] {
                        let s = &mut self.strategies[p.index()];
                        if s.is_strategic() {
                            let publish = s.on_public_tip(&self.tree, tip);
                            self.to_publish.push((node, publish));
                        }
                    }
                    self.retarget_miners(now, node, queue);
                }
                Action::HeaderTip { node, .. } => self.retarget_miners(now, node, queue),
                Action::Compact { node, block, missing } => self.metrics.on_compact(node, block, missing),
                Action::OverlayPush { node, block } => {
                    for &m in &self.overlay {
                        if m != node {
                            self.in_flight += 1;
                            let sent = self.timeline.release(now, node, m).unwrap_or(now);
                            queue.schedule(
                                sent + self.overlay_latency,
                                Event::OverlayDeliver { node: m, block },
                            );
                        }
                    }
                }
            }
        }
    }

    /// Sends `msg` over the sender's edge `edge`: it waits behind earlier
    /// messages on the sender's upload link, which it occupies for size /
    /// upload; it is received size / min(upload, download) after it started,
    /// plus the link's latency; messages on one connection keep their order,
    /// as over TCP (see `net::bandwidth`).
    fn send(&mut self, now: SimTime, edge: u32, msg: Msg, queue: &mut EventQueue<Event>) {
        let rec = self.tree.get(msg.block);
        let bytes = msg.wire_bytes(rec.size_bytes, rec.tx_count);
        let arrival = self.transmit(now, edge, bytes);
        self.in_flight += 1;
        queue.schedule(arrival, Event::Deliver { edge: self.topo.reverse(edge), msg });
    }

    /// When `bytes` sent now over the sender's edge `edge` arrive.
    fn transmit(&mut self, now: SimTime, edge: u32, bytes: u64) -> SimTime {
        let s = self.topo.owner(edge);
        let r = self.topo.peer(edge);
        let (up, down) = (self.net.upload_bps[s.index()], self.net.download_bps[r.index()]);
        let sent_ns = self.uplinks[s.index()].transmit(now.0, bytes, up, down);
        let (rs, rr) = (self.net.region[s.index()], self.net.region[r.index()]);
        let lat_ns = sample_latency_ns(&self.latency, &self.jitter, rs, rr, &mut self.latency_rng[s.index()]);
        let mut arrival = sent_ns.saturating_add(lat_ns);
        if let Some(release) = self.timeline.release(now, s, r) {
            arrival = arrival.max(release.0.saturating_add(lat_ns));
        }
        let last = &mut self.last_arrival_ns[edge as usize];
        let arrival = arrival.max(*last);
        *last = arrival;
        SimTime(arrival)
    }

    /// What `node` mines on changed: its miners now work on the best tip of
    /// their nodes; if that changes a miner's difficulty, the mining clock is
    /// redrawn.
    fn retarget_miners(&mut self, now: SimTime, node: NodeId, queue: &mut EventQueue<Event>) {
        if self.miners_at[node.index()].is_empty() {
            return;
        }
        let mut changed = false;
        for i in 0..self.miners_at[node.index()].len() {
            let p = self.miners_at[node.index()][i];
            let tip = self.update_miner_tip(p);
            let target = self.strategies[p.index()].target(&self.tree, tip);
            let bits = self.tree.next_bits(self.nodes.rules(node), target, self.clock_s(node, now));
            changed |= self.hash.set_work_bits(p, bits);
        }
        if changed && !self.mining_stopped {
            self.redraw_clock(now, queue);
        }
    }

    /// Node `n`'s clock at `now`, in Unix seconds.
    fn clock_s(&self, n: NodeId, now: SimTime) -> i64 {
        node_clock_s(now) + self.clock_skew_s.get(n.index()).copied().unwrap_or(0)
    }

    /// Recomputes the block miner `p` mines on: the most-work mining tip of
    /// its nodes, keeping the current one on a tie.
    fn update_miner_tip(&mut self, p: PoolId) -> BlockId {
        let current = self.miner_tip[p.index()];
        let work = |b: BlockId| self.tree.get(b).chainwork;
        let mut best: Option<BlockId> = None;
        let mut current_held = false;
        for n in self.hash.miner(p).nodes() {
            let t = self.nodes.mining_tip(n);
            current_held |= t == current;
            if best.is_none_or(|b| work(t) > work(b)) {
                best = Some(t);
            }
        }
        let best = best.expect("a miner has a node");
        let tip = if current_held && work(current) >= work(best) { current } else { best };
        self.miner_tip[p.index()] = tip;
        tip
    }

    /// Checks the model's invariants while the run goes (`--check-invariants`; see
    /// `world/invariants.rs` for what is checked). [`simulate_with`] then stops the run at the
    /// first one broken, with [`crate::sim::StopReason::InvariantViolated`].
    pub fn enable_invariant_checks(&mut self) {
        self.invariants.get_or_insert_default();
    }

    /// True when the run checks invariants.
    pub fn checks_invariants(&self) -> bool {
        self.invariants.is_some()
    }

    /// Finishes metrics after the run loop returns.
    pub fn finish(&mut self) {
        // Blocks still withheld when the run ends were never public.
        let best = self.tree.best_block_where(RulesId::DEFAULT, |id| !self.withheld.contains(&id));
        self.best = best;
        self.metrics.finish(&self.tree, best);
    }

    /// The timeline and what its events did.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The block tree.
    pub fn tree(&self) -> &BlockTree {
        &self.tree
    }

    /// The peer graph.
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The nodes.
    pub fn nodes(&self) -> &Nodes {
        &self.nodes
    }

    /// Per-node network attachment.
    pub fn node_net(&self) -> &NodeNet {
        &self.net
    }

    /// The miners.
    pub fn hash_power(&self) -> &HashPower {
        &self.hash
    }

    /// The transaction side, when transactions are simulated.
    pub fn txs(&self) -> Option<&TxWorld> {
        self.txw.as_ref()
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Blocks other miners found during a strategic pool's tie.
    pub fn contests(&self) -> ContestStats {
        self.contests
    }

    /// The strategy of each miner.
    pub fn strategies(&self) -> &[Box<dyn Strategy>] {
        &self.strategies
    }

    /// Replaces miner `p`'s strategy; only before the run starts.
    pub fn set_strategy(&mut self, p: PoolId, strategy: Box<dyn Strategy>) {
        self.strategies[p.index()] = strategy;
    }

    /// Replaces the difficulty algorithm that rules `r` run from the start (a library user's
    /// own, say); only before the run starts. The generated history is kept as built, and every
    /// miner's difficulty is taken from the new algorithm.
    pub fn set_difficulty_algorithm(
        &mut self,
        r: RulesId,
        algo: Box<dyn crate::consensus::DifficultyAlgorithm>,
    ) {
        self.tree.set_algorithm(r, algo);
        let start = self.tree.start_tip();
        for i in 0..self.hash.miners().len() {
            let rules = self.nodes.rules(self.hash.miners()[i].node);
            let bits = self.tree.next_bits(rules, start, EPOCH_UNIX_S);
            self.hash.set_work_bits(PoolId(i as u32), bits);
        }
    }

    /// Each miner's block to build on (its nodes' most-work mining tip).
    pub fn miner_tips(&self) -> &[BlockId] {
        &self.miner_tip
    }

    /// Names of the rule schedules, by [`RulesId`]: the scenario's own rules
    /// ("default"), then each node group's.
    pub fn rule_names(&self) -> &[String] {
        &self.rule_names
    }

    /// The most-work block (after `finish`: the final main chain's tip).
    pub fn best_block(&self) -> BlockId {
        self.best
    }

    /// Blocks mined so far above the start (for progress display).
    pub fn blocks_above_start(&self) -> u64 {
        u64::from(self.tree.get(self.best).height - self.tree.get(self.tree.start_tip()).height)
    }

    /// True once mining has stopped.
    pub fn mining_stopped(&self) -> bool {
        self.mining_stopped
    }

    /// True if the run ended by its drain limit with messages still in flight.
    pub fn drain_cut_short(&self) -> bool {
        self.done && self.in_flight > 0
    }
}

fn schedule_reaches(new: Vec<txs::NewTx>, queue: &mut EventQueue<Event>) {
    for t in new {
        for (node, at) in t.reaches {
            queue.schedule(at, Event::TxReach { node, tx: t.tx });
        }
    }
}

/// A node's clock in Unix seconds. Clocks are exact for now: every node reads
/// the simulated time since the epoch.
fn node_clock_s(now: SimTime) -> i64 {
    EPOCH_UNIX_S + now.whole_secs() as i64
}

/// Builds a world from a validated configuration and a seed.
pub fn build_world(config: &Config, seed: u64) -> Result<Built, BuildError> {
    build::build(config, seed)
}

/// The outcome of one simulated run.
pub struct RunOutput {
    /// The world after the run, with its metrics settled.
    pub world: World,
    /// What the engine did.
    pub stats: crate::sim::RunStats,
    /// The run's master seed.
    pub seed: u64,
}

/// Builds and runs one scenario with `seed`. `observe` is called now and then
/// with the world and the engine's counters, for progress display only.
pub fn simulate(
    config: &Config,
    seed: u64,
    observe: impl FnMut(&World, &crate::sim::RunStats),
) -> Result<RunOutput, BuildError> {
    simulate_with(config, seed, |_| {}, observe)
}

/// [`simulate`], with `setup` changing the built world before the run
/// starts (for example [`World::set_strategy`] with a strategy of one's
/// own).
pub fn simulate_with(
    config: &Config,
    seed: u64,
    setup: impl FnOnce(&mut World),
    observe: impl FnMut(&World, &crate::sim::RunStats),
) -> Result<RunOutput, BuildError> {
    let Built { mut world, mut queue } = build::build(config, seed)?;
    setup(&mut world);
    world.start(&mut queue, config.stop.sim_time_s);
    let limits = crate::sim::RunLimits {
        max_events: config.stop.max_events,
        max_time: SimTime::MAX,
        check_invariants: world.checks_invariants(),
    };
    let stats = crate::sim::run(&mut world, &mut queue, limits, observe);
    world.finish();
    Ok(RunOutput { world, stats, seed })
}

#[cfg(test)]
mod tests;
