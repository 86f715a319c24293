//! The world's transaction side: the arena, the workload, which blocks hold
//! which transactions, the mempools of the nodes that keep one, and the
//! `fast` relay model for every other node.
//!
//! In `fast` relay only miner nodes and a sample of observer nodes keep
//! mempools. A transaction reaches such a node after a propagation delay
//! drawn from [`ReachModel`]; any other node is taken to hold a transaction
//! once the same model says it has arrived, which is what compact-block
//! reconstruction asks.

use std::collections::BTreeMap;

use crate::chain::BlockTree;
use crate::consensus::BlockId;
use crate::mempool::{ChainView, Input, Mempool, Policy, Reject, RemovalReason, Template, TxArena, TxId};
use crate::net::{NodeId, Topology};
use crate::node::{Accept, TxPools};
use crate::scenario::{MempoolConfig, PolicyName, TransactionsConfig};
use crate::sim::{SimDuration, SimRng, SimTime, splitmix64};
use crate::workload::{TxStatus, Workload};

/// Bytes of a block besides its transactions' bytes: the header, the
/// transaction-count varint and a typical coinbase.
pub const BLOCK_OVERHEAD_BYTES: u64 = 80 + 3 + COINBASE_BYTES;
/// Serialized size assumed for a coinbase transaction.
pub const COINBASE_BYTES: u64 = 250;

/// Bit flags of what happened to a transaction in some mempool.
pub mod fate {
    /// Replaced by a conflicting transaction (RBF) in some mempool.
    pub const REPLACED: u8 = 1;
    /// Evicted by a mempool's size limit somewhere.
    pub const EVICTED: u8 = 2;
    /// Expired from some mempool.
    pub const EXPIRED: u8 = 4;
    /// Removed as a conflict of a block's transaction somewhere.
    pub const CONFLICTED: u8 = 8;
}

/// Propagation delays of the `fast` relay model.
///
/// A transaction travels `h` hops from its origin to a node; each hop costs
/// an exponential trickle delay plus the mean one-way latency, and the total
/// is capped at `cap`. Hop counts to nodes with a mempool are exact (from a
/// breadth-first search) and their delays are drawn per (transaction,
/// node) as a pure function of the seed, so a node's view never depends on
/// the order in which questions are asked. For other nodes the hop count
/// follows the graph's hop-distance distribution, and what they lack is
/// given by [`ReachModel::lack_probability`].
#[derive(Clone, Debug)]
pub struct ReachModel {
    seed: u64,
    /// Mean trickle-and-request delay per hop (seconds).
    pub hop_delay_s: f64,
    /// Mean one-way latency per hop (seconds).
    pub hop_latency_s: f64,
    /// No transaction takes longer than this to reach a node.
    pub cap: SimDuration,
    /// Distribution of hop distances between random node pairs: `hop_pmf[h]`
    /// = share of pairs `h` hops apart.
    hop_pmf: Vec<f64>,
}

impl ReachModel {
    /// Delay from creation until `node`, `hops` away from the origin, holds `tx`.
    pub fn delay(&self, tx: TxId, node: NodeId, hops: u32) -> SimDuration {
        let mut draws = CounterDraws::new(self.seed, tx.0, node);
        let mut s = 0.0;
        for _ in 0..hops {
            s += -self.hop_delay_s * (1.0 - draws.unit()).ln() + self.hop_latency_s;
            if s >= self.cap.as_secs_f64() {
                break;
            }
        }
        SimDuration::from_secs_f64(s).min(self.cap)
    }

    /// Probability that a node at a random hop distance from a transaction's
    /// origin does not hold it `age` after its creation: the mixture over
    /// hop counts `h` of P(h × latency + Erlang(h, hop delay) > age), and 0
    /// from the cap on.
    pub fn lack_probability(&self, age: SimDuration) -> f64 {
        if age >= self.cap {
            return 0.0;
        }
        let age = age.as_secs_f64();
        let p: f64 = self
            .hop_pmf
            .iter()
            .enumerate()
            .filter(|&(_, &w)| w > 0.0)
            .map(|(h, &w)| {
                w * erlang_survival(h as u32, age - h as f64 * self.hop_latency_s, self.hop_delay_s)
            })
            .sum();
        p.clamp(0.0, 1.0)
    }
}

/// P(X > x) for X the sum of `k` exponential variables of mean `mean`.
fn erlang_survival(k: u32, x: f64, mean: f64) -> f64 {
    if x < 0.0 {
        return if k == 0 { 0.0 } else { 1.0 };
    }
    if k == 0 || mean <= 0.0 {
        return 0.0;
    }
    let y = x / mean;
    let mut term = (-y).exp();
    let mut sum = term;
    for i in 1..k {
        term *= y / f64::from(i);
        sum += term;
    }
    sum.min(1.0)
}

/// Draws which of a list of items are missing, item `i` independently with
/// probability `lack(i)`, given bounds `bound[i] >= lack(i)` that do not
/// increase along the list; calls `hit` for each missing item, in order.
///
/// Few items are missing, so candidates are drawn by geometric skips at the
/// current bound and thinned to the exact probability: the cost follows the
/// expected number of candidates, not the length of the list.
fn draw_lacking(
    bound: &[f64],
    lack: impl Fn(usize) -> f64,
    draws: &mut CounterDraws,
    mut hit: impl FnMut(usize),
) {
    let mut i = 0;
    while i < bound.len() {
        let b = bound[i];
        if b <= 0.0 {
            break;
        }
        if b < 1.0 {
            // Positions before the next candidate, each a candidate with
            // probability `b`.
            let skip = ((1.0 - draws.unit()).ln() / (-b).ln_1p()).floor();
            if skip >= (bound.len() - i) as f64 {
                break;
            }
            i += skip as usize;
        }
        if draws.unit() * b < lack(i) {
            hit(i);
        }
        i += 1;
    }
}

/// Uniform draws for one (item, node) pair: SplitMix64 over a counter keyed
/// by a run's key, the item (a transaction or a block) and the node. The
/// fast model asks for millions of such pairs, each needing a handful of
/// draws, so a counter-based generator (no state beyond the key) replaces
/// a seeded ChaCha stream per pair; the draws stay a pure function of
/// (key, item, node).
struct CounterDraws {
    key: u64,
    counter: u64,
}

impl CounterDraws {
    fn new(seed: u64, item: u32, node: NodeId) -> Self {
        CounterDraws {
            key: splitmix64(seed ^ splitmix64(u64::from(item) << 32 | u64::from(node.0))),
            counter: 0,
        }
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    fn unit(&mut self) -> f64 {
        self.counter += 1;
        let x = splitmix64(self.key.wrapping_add(self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Hop distances from `from` to every node over connections that relay
/// transactions (breadth-first search; block-relay-only links are skipped).
/// Nodes reachable only through block-relay-only links get `u8::MAX`.
pub fn hop_distances(topo: &Topology, from: NodeId) -> Vec<u8> {
    let mut dist = vec![u8::MAX; topo.node_count()];
    let mut queue = std::collections::VecDeque::from([from]);
    dist[from.index()] = 0;
    while let Some(n) = queue.pop_front() {
        let d = dist[n.index()];
        for e in topo.edges_of(n).filter(|&e| !topo.flags(e).block_relay_only) {
            let p = topo.peer(e);
            if dist[p.index()] == u8::MAX {
                dist[p.index()] = d.saturating_add(1);
                queue.push_back(p);
            }
        }
    }
    dist
}

/// The distribution of hop distances, estimated from breadth-first searches
/// from up to 32 evenly spaced nodes.
fn hop_pmf(topo: &Topology) -> Vec<f64> {
    let n = topo.node_count();
    let sources = n.min(32);
    let mut counts: Vec<u64> = Vec::new();
    for i in 0..sources {
        let from = NodeId((i * n / sources) as u32);
        for (j, &d) in hop_distances(topo, from).iter().enumerate() {
            if j != from.index() && d != u8::MAX {
                if counts.len() <= usize::from(d) {
                    counts.resize(usize::from(d) + 1, 0);
                }
                counts[usize::from(d)] += 1;
            }
        }
    }
    let total = counts.iter().sum::<u64>().max(1) as f64;
    counts.iter().map(|&c| c as f64 / total).collect()
}

/// Core's policy constants for the scenario's policy version and limits.
pub fn policy(config: &MempoolConfig) -> Policy {
    let mut p = match config.policy {
        PolicyName::CoreV29 => Policy::core_v29(),
        PolicyName::CoreV30 => Policy::core_v30(),
    };
    p.max_usage_bytes = (config.max_size_mb * 1e6).round() as u64;
    p.memory_per_vbyte = config.memory_per_vbyte;
    p.expiry = SimDuration::from_secs_f64(config.expiry_hours * 3600.0);
    p
}

/// A node's mempool with the chain it is in step with.
pub struct NodePool {
    /// The mempool.
    pub pool: Mempool,
    /// The tip the mempool reflects.
    pub tip: BlockId,
    /// When the tip last changed: a miner's template was rebuilt then.
    tip_since: SimTime,
    /// Transactions waiting for a missing parent, by parent.
    orphans: BTreeMap<TxId, Vec<TxId>>,
    orphan_count: usize,
}

/// Orphans a node keeps waiting for their parents (Core v29's
/// `DEFAULT_MAX_ORPHAN_TRANSACTIONS`).
const MAX_ORPHANS: usize = 100;

/// Everything about transactions in a run.
pub struct TxWorld {
    /// The arena.
    pub arena: TxArena,
    workload: Workload,
    /// Transactions of each block, by block id (empty for history blocks).
    block_txs: Vec<Box<[TxId]>>,
    /// Per block, the transactions a node without a mempool can lack.
    block_recent: Vec<RecentTxs>,
    /// Blocks holding each transaction.
    tx_blocks: Vec<Vec<BlockId>>,
    /// Transactions spending each input.
    spenders: Spenders,
    /// Transactions waiting to be offered to a mempool in `on_reach`.
    offer_queue: Vec<TxId>,
    /// Per node: its mempool, if it keeps one.
    pools: Vec<Option<NodePool>>,
    /// Nodes with a mempool, in id order.
    pool_nodes: Vec<NodeId>,
    /// Nodes whose mempools are sampled for `mempool.csv`.
    sampled: Vec<NodeId>,
    /// Full relay: every node keeps a mempool and transactions travel as
    /// messages; otherwise the fast model delivers them.
    full: bool,
    /// How often miners refresh their templates (zero: always current).
    template_refresh: SimDuration,
    /// Per node with a mempool (same order): hop distance from every node.
    hops: Vec<Vec<u8>>,
    /// The fast-relay propagation model.
    pub reach: ReachModel,
    /// Per transaction: [`fate`] flags.
    fates: Vec<u8>,
    /// Largest total vsize any mempool held.
    peak_vsize: u64,
    /// Mempool time series rows gathered so far.
    samples: Vec<MempoolSample>,
}

/// One row of the mempool time series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MempoolSample {
    /// When.
    pub time: SimTime,
    /// Which node.
    pub node: NodeId,
    /// Transactions held.
    pub count: u64,
    /// Their total vsize.
    pub vsize: u64,
    /// Core's `GetMinFee` (sat/kvB).
    pub min_fee_sat_kvb: u64,
    /// Lowest fee rate among the transactions a block built now would take
    /// (sat/vB); `None` if the mempool is empty.
    pub next_block_min_feerate_sat_vb: Option<f64>,
    /// Fee rate of the best package (sat/vB).
    pub next_block_top_feerate_sat_vb: Option<f64>,
}

/// A block's contents chosen by its miner.
pub struct Contents {
    /// The transactions, coinbase excluded, in block order.
    pub txs: Vec<TxId>,
    /// Serialized size of the block.
    pub size_bytes: u64,
    /// Weight of the block.
    pub weight: u64,
    /// Fees collected.
    pub fees_sat: u64,
}

impl Contents {
    /// A block with only its coinbase.
    pub fn empty() -> Contents {
        Contents {
            txs: Vec::new(),
            size_bytes: BLOCK_OVERHEAD_BYTES,
            weight: 4 * (80 + 3) + 4 * COINBASE_BYTES,
            fees_sat: 0,
        }
    }
}

/// Every transaction spending each input, in creation order. Coin numbers
/// count up and outputs belong to arena transactions, so the first spender
/// of each input is found by index; further spenders (replacements, double
/// spends) are rare and kept in an ordered map, with a flag on the first
/// saying whether there are any. Every acceptance asks this for each input,
/// in every mempool.
#[derive(Clone, Debug, Default)]
struct Spenders {
    /// First spender of each coin, by coin number (`NO_SPENDER` if none).
    coin_first: Vec<u32>,
    /// First spender of each spent output, by the output's transaction:
    /// (output index, spender).
    out_first: Vec<Vec<(u16, u32)>>,
    /// Spenders after the first.
    more: BTreeMap<Input, Vec<TxId>>,
}

/// A coin without a spender in [`Spenders`].
const NO_SPENDER: u32 = u32::MAX;
/// Set on a first spender when the input has more spenders.
const HAS_MORE: u32 = 1 << 31;

impl Spenders {
    fn first(&self, input: Input) -> Option<u32> {
        match input {
            Input::Coin(c) => self.coin_first.get(c as usize).copied().filter(|&t| t != NO_SPENDER),
            Input::Out { tx, vout } => {
                self.out_first.get(tx.index())?.iter().find(|&&(v, _)| v == vout).map(|&(_, t)| t)
            }
        }
    }

    fn push(&mut self, input: Input, spender: TxId) {
        assert!(spender.0 < HAS_MORE, "transaction ids stay below 2^31");
        let first = match input {
            Input::Coin(c) => {
                let c = c as usize;
                if self.coin_first.len() <= c {
                    self.coin_first.resize(c + 1, NO_SPENDER);
                }
                let cell = &mut self.coin_first[c];
                if *cell == NO_SPENDER {
                    *cell = spender.0;
                    return;
                }
                cell
            }
            Input::Out { tx, vout } => {
                if self.out_first.len() <= tx.index() {
                    self.out_first.resize_with(tx.index() + 1, Vec::new);
                }
                let list = &mut self.out_first[tx.index()];
                match list.iter().position(|&(v, _)| v == vout) {
                    Some(i) => &mut list[i].1,
                    None => {
                        list.push((vout, spender.0));
                        return;
                    }
                }
            }
        };
        *first |= HAS_MORE;
        self.more.entry(input).or_default().push(spender);
    }

    /// Whether some spender of `input` satisfies `f`.
    fn any(&self, input: Input, mut f: impl FnMut(TxId) -> bool) -> bool {
        let Some(first) = self.first(input) else { return false };
        f(TxId(first & !HAS_MORE))
            || (first & HAS_MORE != 0 && self.more.get(&input).is_some_and(|ts| ts.iter().any(|&t| f(t))))
    }
}

/// A node's view of its active chain for the mempool's checks.
struct NodeChain<'a> {
    tree: &'a BlockTree,
    tip: BlockId,
    tx_blocks: &'a [Vec<BlockId>],
    spenders: &'a Spenders,
}

impl NodeChain<'_> {
    fn in_chain(&self, b: BlockId) -> bool {
        self.tree.is_ancestor_or_self(b, self.tip)
    }
}

impl ChainView for NodeChain<'_> {
    fn confirmed(&self, tx: TxId) -> bool {
        self.tx_blocks.get(tx.index()).is_some_and(|bs| bs.iter().any(|&b| self.in_chain(b)))
    }

    fn spent(&self, input: Input) -> bool {
        self.spenders.any(input, |t| ChainView::confirmed(self, t))
    }
}

impl TxStatus for NodeChain<'_> {
    fn confirmed(&self, tx: TxId) -> bool {
        ChainView::confirmed(self, tx)
    }
}

impl TxWorld {
    /// The transaction side of a world whose nodes `setup.pool_nodes` keep
    /// mempools.
    pub fn new(
        config: &TransactionsConfig,
        mempool: &MempoolConfig,
        topo: &Topology,
        setup: TxSetup,
    ) -> TxWorld {
        let TxSetup {
            workload_rng,
            reach_seed,
            pool_nodes,
            sampled,
            full,
            start_tip,
            hop_latency_s,
            template_refresh,
        } = setup;
        let n = topo.node_count();
        let mut pools: Vec<Option<NodePool>> = (0..n).map(|_| None).collect();
        for &p in &pool_nodes {
            pools[p.index()] = Some(NodePool {
                pool: Mempool::new(policy(mempool)),
                tip: start_tip,
                tip_since: SimTime::ZERO,
                orphans: BTreeMap::new(),
                orphan_count: 0,
            });
        }
        let hops =
            if full { Vec::new() } else { pool_nodes.iter().map(|&p| hop_distances(topo, p)).collect() };
        TxWorld {
            arena: TxArena::new(),
            workload: Workload::new(config, workload_rng, n as u32),
            block_txs: Vec::new(),
            block_recent: Vec::new(),
            tx_blocks: Vec::new(),
            spenders: Spenders::default(),
            offer_queue: Vec::new(),
            pools,
            pool_nodes,
            sampled,
            full,
            template_refresh,
            hops,
            reach: ReachModel {
                seed: reach_seed,
                hop_delay_s: FAST_HOP_DELAY_S,
                hop_latency_s,
                cap: SimDuration::from_secs_f64(FAST_REACH_CAP_S),
                hop_pmf: hop_pmf(topo),
            },
            fates: Vec::new(),
            peak_vsize: 0,
            samples: Vec::new(),
        }
    }
}

/// A block's transactions created less than the reach cap before it was
/// found, newest first (the only ones a node without a mempool can lack),
/// with the probability that such a node lacked each when the block was
/// found. A node receives the block later, so these bound the probabilities
/// at its receive time from above, and they do not increase along the list.
#[derive(Clone, Debug, Default)]
struct RecentTxs {
    txs: Box<[TxId]>,
    lack_at_found: Box<[f64]>,
}

/// Keys the draws of what nodes without a mempool lack apart from the
/// per-transaction delay draws.
const LACK_DRAWS_KEY: u64 = 0x6c61_636b_2d64_7261;

/// How the world sets up its transaction side.
pub struct TxSetup {
    /// The workload's stream.
    pub workload_rng: SimRng,
    /// Key of the fast model's per-(transaction, node) draws.
    pub reach_seed: u64,
    /// Nodes that keep mempools, in id order.
    pub pool_nodes: Vec<NodeId>,
    /// Nodes sampled for `mempool.csv`.
    pub sampled: Vec<NodeId>,
    /// Full relay (every node keeps a mempool; transactions are messages).
    pub full: bool,
    /// The tip every mempool starts in step with.
    pub start_tip: BlockId,
    /// Mean one-way latency of a link (seconds), for the fast model.
    pub hop_latency_s: f64,
    /// How often miners refresh their templates (zero: always current).
    pub template_refresh: SimDuration,
}

/// Mean delay per hop of the fast model (seconds): the exponential wait for
/// the sender's next INV trickle to the fastest of the receiver's announcers,
/// plus the getdata/tx exchange.
pub const FAST_HOP_DELAY_S: f64 = 1.0;
/// Longest time a transaction takes to reach a node in the fast model
/// (seconds; Core's `GETDATA_TX_INTERVAL` bounds how long a request waits).
pub const FAST_REACH_CAP_S: f64 = 60.0;

/// A new transaction and when it reaches each node with a mempool.
pub struct NewTx {
    /// The transaction.
    pub tx: TxId,
    /// (node, arrival time) for every node with a mempool.
    pub reaches: Vec<(NodeId, SimTime)>,
}

impl TxWorld {
    /// Time of the workload's next arrival after `now`.
    pub fn next_arrival(&mut self, now: SimTime) -> Option<SimTime> {
        self.workload.next_arrival(now)
    }

    /// One workload arrival at `now`; `best` is the best chain's tip.
    pub fn arrive(&mut self, now: SimTime, tree: &BlockTree, best: BlockId) -> Vec<NewTx> {
        let status = NodeChain { tree, tip: best, tx_blocks: &self.tx_blocks, spenders: &self.spenders };
        let created = self.workload.arrive(now, &mut self.arena, &status);
        self.register(created)
    }

    /// A block joined the best chain: stuck transactions get bumped.
    pub fn on_best_block(&mut self, now: SimTime, tree: &BlockTree, best: BlockId) -> Vec<NewTx> {
        let status = NodeChain { tree, tip: best, tx_blocks: &self.tx_blocks, spenders: &self.spenders };
        let height = tree.get(best).height;
        let created = self.workload.on_block(now, height, &mut self.arena, &status);
        self.register(created)
    }

    /// Indexes new transactions and schedules their arrival at mempool nodes.
    fn register(&mut self, created: Vec<TxId>) -> Vec<NewTx> {
        let mut out = Vec::with_capacity(created.len());
        for tx in created {
            let t = self.arena.get(tx);
            for &input in t.inputs.iter() {
                self.spenders.push(input, tx);
            }
            self.tx_blocks.resize_with(self.arena.len(), Vec::new);
            self.fates.resize(self.arena.len(), 0);
            let (origin, created_at) = (t.origin, t.created);
            if self.full {
                // The origin's wallet hands it to its own node, which relays it.
                out.push(NewTx { tx, reaches: vec![(origin, created_at)] });
                continue;
            }
            let reaches = self
                .pool_nodes
                .iter()
                .zip(&self.hops)
                .map(|(&n, hops)| {
                    let h = u32::from(hops[origin.index()]);
                    (n, created_at + self.reach.delay(tx, n, h))
                })
                .collect();
            out.push(NewTx { tx, reaches });
        }
        out
    }

    /// `tx` reaches `node`'s mempool at `now`: offered to it, and if
    /// accepted, the orphans waiting for it are offered too.
    pub fn on_reach(&mut self, node: NodeId, tx: TxId, now: SimTime, tree: &BlockTree) -> Accept {
        let Some(np) = self.pools[node.index()].as_mut() else { return Accept::Rejected };
        let chain = NodeChain { tree, tip: np.tip, tx_blocks: &self.tx_blocks, spenders: &self.spenders };
        let queue = &mut self.offer_queue;
        queue.clear();
        queue.push(tx);
        let mut accepted = Vec::new();
        let mut first = None;
        while let Some(t) = queue.pop() {
            let outcome = match np.pool.accept(&self.arena, t, now, &chain) {
                Ok(acc) => {
                    for r in &acc.removed {
                        self.fates[r.tx.index()] |= fate_of(r.reason);
                    }
                    if let Some(children) = np.orphans.remove(&t) {
                        np.orphan_count -= children.len();
                        queue.extend(children.into_iter().rev());
                    }
                    accepted.push(t);
                    Accept::Accepted(Vec::new())
                }
                Err(Reject::MissingInputs) => Accept::Orphan(np.add_orphan(&self.arena, &chain, t)),
                Err(_) => Accept::Rejected,
            };
            first.get_or_insert(outcome);
        }
        self.peak_vsize = self.peak_vsize.max(np.pool.total_vsize());
        match first.expect("one transaction was offered") {
            Accept::Accepted(_) => Accept::Accepted(accepted),
            other => other,
        }
    }

    /// The block `node` mines now: Core's template from its mempool as it was
    /// at the last refresh. A miner's template is rebuilt on every new tip and
    /// then every `mining.template_refresh_s`, so transactions that arrived since
    /// the last refresh are not in the block.
    /// Within `empty_window` of the node's last new tip the block is empty:
    /// the miner's new template is not ready yet.
    pub fn contents(
        &self,
        node: NodeId,
        max_block_weight: u64,
        now: SimTime,
        empty_window: SimDuration,
    ) -> Contents {
        let t = match &self.pools[node.index()] {
            Some(np) if now.since(np.tip_since) < empty_window => return Contents::empty(),
            Some(np) => {
                let since = now.since(np.tip_since).0;
                let refreshed = match self.template_refresh.0 {
                    0 => now,
                    r => SimTime(np.tip_since.0 + since - since % r),
                };
                np.pool.template_as_of(&self.arena, max_block_weight, refreshed)
            }
            None => Template { txs: Vec::new(), weight: 0, fees_sat: 0, vsize: 0 },
        };
        let bytes: u64 = t.txs.iter().map(|&x| u64::from(self.arena.get(x).size_bytes())).sum();
        let empty = Contents::empty();
        Contents {
            size_bytes: empty.size_bytes + bytes,
            weight: empty.weight + t.weight,
            fees_sat: t.fees_sat,
            txs: t.txs,
        }
    }

    /// Records the contents of a newly mined block `b`.
    pub fn record_block(&mut self, b: BlockId, found_at: SimTime, txs: Vec<TxId>) {
        if self.block_txs.len() <= b.index() {
            self.block_txs.resize_with(b.index() + 1, Default::default);
            self.block_recent.resize_with(b.index() + 1, Default::default);
        }
        let cutoff = found_at.0.saturating_sub(self.reach.cap.0);
        let mut recent: Vec<TxId> =
            txs.iter().copied().filter(|&t| self.arena.get(t).created.0 > cutoff).collect();
        recent.sort_by_key(|&t| std::cmp::Reverse(self.arena.get(t).created));
        let lack_at_found = recent
            .iter()
            .map(|&t| self.reach.lack_probability(found_at.since(self.arena.get(t).created)))
            .collect();
        for &t in &txs {
            self.tx_blocks[t.index()].push(b);
        }
        self.block_txs[b.index()] = txs.into_boxed_slice();
        self.block_recent[b.index()] = RecentTxs { txs: recent.into_boxed_slice(), lack_at_found };
    }

    /// The transactions of block `b`, coinbase excluded.
    pub fn block_txs(&self, b: BlockId) -> &[TxId] {
        self.block_txs.get(b.index()).map_or(&[], |t| t)
    }

    /// Blocks holding `tx`.
    pub fn blocks_of(&self, tx: TxId) -> &[BlockId] {
        &self.tx_blocks[tx.index()]
    }

    /// [`fate`] flags of `tx`.
    pub fn fate(&self, tx: TxId) -> u8 {
        self.fates[tx.index()]
    }

    /// `node`'s active tip moved to `tip`: its mempool drops the transactions
    /// of connected blocks (and their conflicts) and takes back those of
    /// disconnected blocks, as Core's `MaybeUpdateMempoolForReorg` does.
    pub fn on_tip_changed(&mut self, node: NodeId, tip: BlockId, now: SimTime, tree: &BlockTree) {
        let Some(np) = self.pools[node.index()].as_mut() else { return };
        let fork = tree.fork_point(np.tip, tip);
        let disconnected = tree.path_from(fork, np.tip);
        let connected = tree.path_from(fork, tip);
        np.tip = tip;
        np.tip_since = now;
        let mut in_connected = Vec::new();
        for &b in &connected {
            let txs = self.block_txs.get(b.index()).map_or(&[][..], |t| t);
            in_connected.extend_from_slice(txs);
            for c in np.pool.remove_for_block(&self.arena, txs, now) {
                self.fates[c.index()] |= fate::CONFLICTED;
            }
        }
        if disconnected.is_empty() {
            return;
        }
        in_connected.sort_unstable();
        let back: Vec<TxId> = disconnected
            .iter()
            .flat_map(|b| self.block_txs.get(b.index()).map_or(&[][..], |t| t).iter().copied())
            .filter(|t| in_connected.binary_search(t).is_err())
            .collect();
        let chain = NodeChain { tree, tip, tx_blocks: &self.tx_blocks, spenders: &self.spenders };
        for r in np.pool.readd_after_reorg(&self.arena, &back, now, &chain) {
            self.fates[r.tx.index()] |= fate_of(r.reason);
        }
    }

    /// Transactions of `b` that `node` lacks at `now` (count and bytes): those
    /// not in its mempool, or, for a node without one, those the fast model
    /// has not yet delivered to it.
    pub fn missing(&self, node: NodeId, b: BlockId, now: SimTime) -> (u32, u64) {
        let (mut count, mut bytes) = (0u32, 0u64);
        let mut add = |t: TxId| {
            count += 1;
            bytes += u64::from(self.arena.get(t).size_bytes());
        };
        match &self.pools[node.index()] {
            Some(np) => self.block_txs(b).iter().filter(|&&t| !np.pool.contains(t)).for_each(|&t| add(t)),
            None => {
                let Some(r) = self.block_recent.get(b.index()) else { return (0, 0) };
                let mut draws = CounterDraws::new(self.reach.seed ^ LACK_DRAWS_KEY, b.0, node);
                let lack_now = |i: usize| {
                    let created = self.arena.get(r.txs[i]).created;
                    self.reach.lack_probability(SimDuration(now.0.saturating_sub(created.0)))
                };
                draw_lacking(&r.lack_at_found, lack_now, &mut draws, |i| add(r.txs[i]));
            }
        }
        (count, bytes)
    }

    /// Samples every mempool for the time series.
    pub fn sample(&mut self, now: SimTime, max_block_weight: u64) {
        use rayon::prelude::*;
        let pools = &mut self.pools;
        let min_fees: Vec<u64> = self
            .sampled
            .iter()
            .map(|&n| pools[n.index()].as_mut().expect("pool nodes keep mempools").pool.min_fee_sat_kvb(now))
            .collect();
        // Each node's next-block template is a pure function of its mempool,
        // so they are built in parallel (the bulk of a sample's cost at large
        // mempools); results come back in node order, so outputs do not
        // depend on the number of threads.
        let (pools, arena) = (&self.pools, &self.arena);
        let ranges: Vec<(Option<f64>, Option<f64>)> = self
            .sampled
            .par_iter()
            .map(|&n| {
                let np = pools[n.index()].as_ref().expect("pool nodes keep mempools");
                let t = np.pool.template(arena, max_block_weight);
                t.txs.iter().map(|&x| arena.get(x).feerate_sat_vb()).fold((None, None), |(lo, hi), r| {
                    (Some(lo.map_or(r, |l: f64| l.min(r))), Some(hi.map_or(r, |h: f64| h.max(r))))
                })
            })
            .collect();
        for ((&n, min_fee_sat_kvb), (lo, hi)) in self.sampled.iter().zip(min_fees).zip(ranges) {
            let np = self.pools[n.index()].as_ref().expect("pool nodes keep mempools");
            self.samples.push(MempoolSample {
                time: now,
                node: n,
                count: np.pool.len() as u64,
                vsize: np.pool.total_vsize(),
                min_fee_sat_kvb,
                next_block_min_feerate_sat_vb: lo,
                next_block_top_feerate_sat_vb: hi,
            });
        }
    }

    /// The mempool time series.
    pub fn samples(&self) -> &[MempoolSample] {
        &self.samples
    }

    /// Largest total vsize any mempool held (vbytes).
    pub fn peak_vsize(&self) -> u64 {
        self.peak_vsize
    }

    /// Nodes that keep a mempool.
    pub fn pool_nodes(&self) -> &[NodeId] {
        &self.pool_nodes
    }

    /// The tip `node`'s mempool reflects, if it keeps one.
    pub fn pool_tip(&self, node: NodeId) -> Option<BlockId> {
        self.pools.get(node.index())?.as_ref().map(|np| np.tip)
    }

    /// `--check-invariants` on block `b`'s transactions, against the chain below it: their
    /// fees add up to the block's, none is confirmed twice, none spends an input the chain
    /// already spent (nor do two in the block spend one), and each spends only outputs
    /// confirmed below it or earlier in the block.
    pub(crate) fn check_block(&self, tree: &BlockTree, b: BlockId) -> Result<(), String> {
        let parent = tree.get(b).parent.expect("a mined block has a parent");
        let below = NodeChain { tree, tip: parent, tx_blocks: &self.tx_blocks, spenders: &self.spenders };
        let txs = self.block_txs(b);
        let mut earlier = std::collections::BTreeSet::new();
        let mut spent = std::collections::BTreeSet::new();
        let mut fees = 0u64;
        for &t in txs {
            let tx = self.arena.get(t);
            ensure!(!ChainView::confirmed(&below, t), "transaction {t:?} is already confirmed below it");
            ensure!(earlier.insert(t), "transaction {t:?} appears twice in it");
            for &input in tx.inputs.iter() {
                ensure!(
                    !below.spent(input),
                    "transaction {t:?} spends {input:?}, which its chain already spent"
                );
                ensure!(spent.insert(input), "two of its transactions spend {input:?}");
                if let Input::Out { tx: from, vout } = input {
                    ensure!(
                        earlier.contains(&from) || ChainView::confirmed(&below, from),
                        "transaction {t:?} spends an output of {from:?}, which is not confirmed before it"
                    );
                    ensure!(
                        vout < self.arena.get(from).outputs,
                        "transaction {t:?} spends a missing output {input:?}"
                    );
                }
            }
            fees += tx.fee_sat;
        }
        ensure_eq!(fees, tree.get(b).fees_sat, "the sum of its transactions' fees and the fees it records");
        Ok(())
    }

    /// `--check-invariants` on node `n`'s mempool (which it must keep): its own consistency and
    /// memory limit, and nothing in it confirmed in, or in conflict with, the chain of the tip
    /// it reflects.
    pub(crate) fn check_pool(&self, tree: &BlockTree, n: NodeId) -> Result<(), String> {
        let np = self.pools[n.index()].as_ref().expect("a pool node keeps a mempool");
        np.pool.check(&self.arena).map_err(|e| format!("node {}'s {e}", n.0))?;
        let chain = NodeChain { tree, tip: np.tip, tx_blocks: &self.tx_blocks, spenders: &self.spenders };
        for t in np.pool.iter() {
            ensure!(
                !ChainView::confirmed(&chain, t),
                "node {}'s mempool holds {t:?}, which its chain has confirmed",
                n.0
            );
            for &input in self.arena.get(t).inputs.iter() {
                ensure!(
                    !chain.spent(input),
                    "node {}'s mempool holds {t:?}, which spends {input:?}, spent in its chain",
                    n.0
                );
            }
        }
        Ok(())
    }
}

/// The mempools as full relay sees them, with the chain they answer from.
pub struct PoolsAt<'a> {
    /// The transaction side.
    pub txw: &'a mut TxWorld,
    /// The block tree.
    pub tree: &'a BlockTree,
}

impl TxPools for PoolsAt<'_> {
    fn has(&self, node: NodeId, tx: TxId) -> bool {
        self.txw.pools[node.index()].as_ref().is_some_and(|np| np.pool.contains(tx))
    }

    fn accept(&mut self, node: NodeId, tx: TxId, now: SimTime) -> Accept {
        self.txw.on_reach(node, tx, now, self.tree)
    }

    fn inv_order(&self, node: NodeId, tx: TxId) -> crate::node::InvKey {
        let t = self.txw.arena.get(tx);
        let ancestors = self.txw.pools[node.index()]
            .as_ref()
            .and_then(|np| np.pool.ancestor_totals(tx))
            .map_or(1, |a| a.count);
        (ancestors, std::cmp::Reverse(t.fee_sat * 1000 / u64::from(t.vsize())))
    }

    fn size_bytes(&self, tx: TxId) -> u64 {
        u64::from(self.txw.arena.get(tx).size_bytes())
    }
}

impl crate::node::TxKnowledge for TxWorld {
    fn missing(&self, node: NodeId, block: BlockId, now: SimTime) -> (u32, u64) {
        TxWorld::missing(self, node, block, now)
    }
}

impl NodePool {
    /// Keeps `t` until a missing parent arrives (the oldest orphans go when
    /// there are too many); returns its missing parents.
    fn add_orphan(&mut self, arena: &TxArena, chain: &NodeChain<'_>, t: TxId) -> Vec<TxId> {
        let parents: Vec<TxId> = arena
            .get(t)
            .inputs
            .iter()
            .filter_map(|i| match *i {
                Input::Out { tx, .. } if !self.pool.contains(tx) && !ChainView::confirmed(chain, tx) => {
                    Some(tx)
                }
                _ => None,
            })
            .collect();
        let Some(&parent) = parents.first() else { return parents };
        if self.orphans.get(&parent).is_some_and(|c| c.contains(&t)) {
            return parents;
        }
        if self.orphan_count >= MAX_ORPHANS {
            if let Some(mut first) = self.orphans.first_entry() {
                first.get_mut().pop();
                self.orphan_count -= 1;
                if first.get().is_empty() {
                    first.remove();
                }
            }
        }
        self.orphans.entry(parent).or_default().push(t);
        self.orphan_count += 1;
        parents
    }
}

fn fate_of(reason: RemovalReason) -> u8 {
    match reason {
        RemovalReason::Replaced => fate::REPLACED,
        RemovalReason::SizeLimit => fate::EVICTED,
        RemovalReason::Expiry => fate::EXPIRED,
        RemovalReason::Conflict => fate::CONFLICTED,
        RemovalReason::Reorg | RemovalReason::Block => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(hop_pmf: Vec<f64>) -> ReachModel {
        ReachModel {
            seed: 7,
            hop_delay_s: FAST_HOP_DELAY_S,
            hop_latency_s: 0.1,
            cap: SimDuration::from_secs_f64(FAST_REACH_CAP_S),
            hop_pmf,
        }
    }

    #[test]
    fn spenders_finds_every_spender_of_an_input() {
        let mut sp = Spenders::default();
        let coin = Input::Coin(5);
        let out = Input::Out { tx: TxId(3), vout: 1 };
        let other_out = Input::Out { tx: TxId(3), vout: 0 };
        assert!(!sp.any(coin, |_| true));
        sp.push(coin, TxId(10));
        sp.push(out, TxId(11));
        sp.push(coin, TxId(12));
        sp.push(coin, TxId(13));
        let all = |sp: &Spenders, i: Input| {
            let mut v = Vec::new();
            sp.any(i, |t| {
                v.push(t);
                false
            });
            v
        };
        assert_eq!(all(&sp, coin), vec![TxId(10), TxId(12), TxId(13)]);
        assert_eq!(all(&sp, out), vec![TxId(11)]);
        assert!(all(&sp, other_out).is_empty());
        assert!(all(&sp, Input::Coin(4)).is_empty());
        assert!(sp.any(coin, |t| t == TxId(13)));
        assert!(!sp.any(out, |t| t == TxId(10)));
    }

    #[test]
    fn erlang_survival_matches_closed_forms() {
        assert_eq!(erlang_survival(0, 1.0, 1.0), 0.0);
        assert_eq!(erlang_survival(3, -0.1, 1.0), 1.0);
        assert!((erlang_survival(1, 2.0, 1.0) - (-2.0f64).exp()).abs() < 1e-12);
        // k = 2: e^-y (1 + y).
        assert!((erlang_survival(2, 3.0, 1.5) - (-2.0f64).exp() * 3.0).abs() < 1e-12);
        assert_eq!(erlang_survival(2, 1.0, 0.0), 0.0);
    }

    /// The closed form agrees with the per-pair delays it replaces for nodes
    /// without a mempool: hops drawn from the distribution, then the delay.
    #[test]
    fn lack_probability_matches_sampled_delays() {
        let pmf = vec![0.0, 0.05, 0.25, 0.45, 0.2, 0.05];
        let m = model(pmf.clone());
        let mut rng = SimRng::from_seed_u64(3);
        let n = 40_000u32;
        let delays: Vec<f64> = (0..n)
            .map(|i| {
                let u = rng.unit();
                let mut acc = 0.0;
                let hops = pmf.iter().position(|&w| {
                    acc += w;
                    u < acc
                });
                m.delay(TxId(i), NodeId(i % 97), hops.unwrap_or(pmf.len() - 1) as u32).as_secs_f64()
            })
            .collect();
        for age in [0.2, 1.0, 3.0, 6.0, 12.0, 30.0, 59.0] {
            let sampled = delays.iter().filter(|&&d| d > age).count() as f64 / f64::from(n);
            let exact = m.lack_probability(SimDuration::from_secs_f64(age));
            assert!(
                (sampled - exact).abs() < 0.01,
                "age {age}: sampled {sampled:.4}, closed form {exact:.4}"
            );
        }
        assert_eq!(m.lack_probability(m.cap), 0.0);
        assert_eq!(m.lack_probability(SimDuration::ZERO), 1.0);
    }

    /// Every item is drawn with its own probability, whatever the bounds.
    #[test]
    fn draw_lacking_draws_each_item_with_its_probability() {
        let bound = [1.0, 0.9, 0.5, 0.5, 0.2, 0.05, 0.01, 0.0];
        let lack = [0.7, 0.9, 0.1, 0.45, 0.2, 0.04, 0.01, 0.0];
        let trials = 50_000u32;
        let mut hits = [0u32; 8];
        for node in 0..trials {
            let mut draws = CounterDraws::new(11, 5, NodeId(node));
            draw_lacking(&bound, |i| lack[i], &mut draws, |i| hits[i] += 1);
        }
        for i in 0..bound.len() {
            let f = f64::from(hits[i]) / f64::from(trials);
            assert!((f - lack[i]).abs() < 0.01, "item {i}: drawn {f:.4}, probability {}", lack[i]);
        }
    }
}
