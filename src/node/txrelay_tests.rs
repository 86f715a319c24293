//! Unit tests of the full transaction relay, driven by a small event loop of
//! their own: a mock mempool per node ([`Pools`]), a queue of pending
//! deliveries and timers, and a fixed one-way latency. `Send` actions reach
//! the peer through [`TxRelay::on_message`] on the reverse edge after
//! [`LATENCY`]; `Timer` actions fire through [`TxRelay::on_timer`] at their
//! time. Every message sent is logged with its transaction list, so tests
//! assert on who announced, requested and sent what, and when. Names refer
//! to Bitcoin Core's `net_processing.cpp` and `txrequest.h`.
//!
//! Where a test needs an announcement at a chosen instant, it takes the
//! sender's pending trickle timer out of the queue and fires it itself, as
//! if the Poisson timer had drawn that instant.

use super::*;
use crate::net::Connection;
use std::collections::{BTreeMap, BTreeSet};

/// One-way latency of every message.
const LATENCY: SimDuration = SimDuration::from_millis(100);
/// Serialized size of every transaction.
const TX_BYTES: u64 = 250;
/// Fee rate (sat/kvB) of a transaction given none.
const DEFAULT_FEE_RATE: u64 = 1_000;
/// Bound on handler calls in one run, against runaway loops.
const MAX_STEPS: usize = 1_000_000;

fn at_ms(ms: u64) -> SimTime {
    SimTime(SimDuration::from_millis(ms).0)
}

fn tx(i: u32) -> TxId {
    TxId(i)
}

/// A full-relay connection opened by `from`.
fn full(from: u32, to: u32) -> Connection {
    Connection::full_relay(from, to)
}

/// A block-relay-only connection opened by `from`.
fn block_only(from: u32, to: u32) -> Connection {
    Connection { from: NodeId(from), to: NodeId(to), block_relay_only: true }
}

/// Mock mempools: which transactions each node holds, with parents, fee
/// rates and a set of transactions every node rejects.
#[derive(Clone, Debug, Default)]
struct Pools {
    /// Per node: transactions in its mempool.
    held: Vec<BTreeSet<TxId>>,
    /// Per node: orphans waiting for parents.
    orphans: Vec<BTreeSet<TxId>>,
    /// Parents of each transaction (none if absent).
    parents: BTreeMap<TxId, Vec<TxId>>,
    /// Fee rate of each transaction ([`DEFAULT_FEE_RATE`] if absent).
    fee_rate: BTreeMap<TxId, u64>,
    /// Transactions every node rejects.
    rejected: BTreeSet<TxId>,
    /// Every `accept` call: node, transaction, time and outcome.
    accepts: Vec<(NodeId, TxId, SimTime, Accept)>,
}

impl Pools {
    fn new(n: usize) -> Pools {
        Pools { held: vec![BTreeSet::new(); n], orphans: vec![BTreeSet::new(); n], ..Pools::default() }
    }

    fn parents_of(&self, t: TxId) -> &[TxId] {
        self.parents.get(&t).map_or(&[], Vec::as_slice)
    }

    /// Number of ancestors of `t`, itself included (Core's ancestor count).
    fn ancestors(&self, t: TxId) -> u64 {
        let mut seen = BTreeSet::from([t]);
        let mut stack = vec![t];
        while let Some(x) = stack.pop() {
            for &p in self.parents_of(x) {
                if seen.insert(p) {
                    stack.push(p);
                }
            }
        }
        seen.len() as u64
    }

    fn missing_parents(&self, node: NodeId, t: TxId) -> Vec<TxId> {
        self.parents_of(t).iter().copied().filter(|p| !self.held[node.index()].contains(p)).collect()
    }

    /// Times `node` was offered `t`.
    fn offers(&self, node: u32, t: TxId) -> usize {
        self.accepts.iter().filter(|(n, x, _, _)| *n == NodeId(node) && *x == t).count()
    }
}

impl TxPools for Pools {
    fn has(&self, node: NodeId, tx: TxId) -> bool {
        self.held[node.index()].contains(&tx)
    }

    fn accept(&mut self, node: NodeId, tx: TxId, now: SimTime) -> Accept {
        let outcome = if self.rejected.contains(&tx) || self.held[node.index()].contains(&tx) {
            Accept::Rejected
        } else {
            let missing = self.missing_parents(node, tx);
            if missing.is_empty() {
                self.held[node.index()].insert(tx);
                let mut accepted = vec![tx];
                // Orphans whose parents are all here now enter too.
                loop {
                    let ready = self.orphans[node.index()]
                        .iter()
                        .copied()
                        .find(|&o| self.missing_parents(node, o).is_empty());
                    let Some(o) = ready else { break };
                    self.orphans[node.index()].remove(&o);
                    self.held[node.index()].insert(o);
                    accepted.push(o);
                }
                Accept::Accepted(accepted)
            } else {
                self.orphans[node.index()].insert(tx);
                Accept::Orphan(missing)
            }
        };
        self.accepts.push((node, tx, now, outcome.clone()));
        outcome
    }

    fn inv_order(&self, _node: NodeId, tx: TxId) -> InvKey {
        (self.ancestors(tx), Reverse(self.fee_rate.get(&tx).copied().unwrap_or(DEFAULT_FEE_RATE)))
    }

    fn size_bytes(&self, _tx: TxId) -> u64 {
        TX_BYTES
    }
}

/// What is waiting in the driver's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    /// A message sent over the sender's edge `edge`.
    Deliver { edge: u32, msg: TxMsg },
    /// A relay timer.
    Timer(TxTimer),
}

/// One message as sent, with its transaction list.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sent {
    at: SimTime,
    from: NodeId,
    to: NodeId,
    kind: TxMsgKind,
    txs: Vec<TxId>,
    bytes: u64,
    /// When it reached the peer (`None` if the driver dropped it).
    delivered: Option<SimTime>,
}

/// A small network with its relay, mock mempools and event queue.
struct Net {
    topo: Topology,
    relay: TxRelay,
    pools: Pools,
    now: SimTime,
    queue: BTreeMap<(SimTime, u64), Pending>,
    seq: u64,
    /// Every message sent, in order.
    sent: Vec<Sent>,
    /// Every timer requested: when it was requested, for when, which.
    timers: Vec<(SimTime, SimTime, TxTimer)>,
    /// Messages of these kinds sent by these nodes are lost.
    muted: Vec<(NodeId, TxMsgKind)>,
}

impl Net {
    fn new(n: u32, conns: &[Connection]) -> Net {
        Net::with_seed(n, conns, 1)
    }

    fn with_seed(n: u32, conns: &[Connection], seed: u64) -> Net {
        let topo = Topology::from_connections(n, conns).expect("valid connections");
        let rng = (0..u64::from(n)).map(|i| SimRng::from_seed_u64(seed * 1_000 + i)).collect();
        let relay = TxRelay::new(&topo, rng);
        Net {
            topo,
            relay,
            pools: Pools::new(n as usize),
            now: SimTime::ZERO,
            queue: BTreeMap::new(),
            seq: 0,
            sent: Vec::new(),
            timers: Vec::new(),
            muted: Vec::new(),
        }
    }

    /// The half-edge of `a` toward `b`.
    fn edge(&self, a: u32, b: u32) -> u32 {
        self.topo.find_edge(NodeId(a), NodeId(b)).expect("connected")
    }

    /// The trickle timer that serves `from`'s announcements to `to`.
    fn trickle_timer(&self, from: u32, to: u32) -> TxTimer {
        let e = self.edge(from, to);
        if self.topo.flags(e).outbound {
            TxTimer::Trickle { edge: e }
        } else {
            TxTimer::TrickleInbound { node: NodeId(from) }
        }
    }

    /// `node`'s mempool takes `txs` (created there) and its relay queues
    /// them for announcement.
    fn create(&mut self, node: u32, txs: &[TxId]) {
        self.pools.held[node as usize].extend(txs.iter().copied());
        let mut out = Vec::new();
        self.relay.on_accepted(&self.topo, NodeId(node), txs, self.now, &mut out);
        self.apply(out);
    }

    fn push(&mut self, at: SimTime, p: Pending) {
        self.queue.insert((at, self.seq), p);
        self.seq += 1;
    }

    /// Carries out a handler's actions.
    fn apply(&mut self, out: Vec<TxAction>) {
        for action in out {
            match action {
                TxAction::Send { edge, msg, bytes } => {
                    let from = self.topo.owner(edge);
                    // The one private field read: a message's transaction
                    // list, which `on_message` takes on delivery.
                    let txs = self.relay.batches[msg.batch as usize].clone();
                    let lost = self.muted.contains(&(from, msg.kind));
                    let delivered = (!lost).then_some(self.now + LATENCY);
                    let to = self.topo.peer(edge);
                    self.sent.push(Sent { at: self.now, from, to, kind: msg.kind, txs, bytes, delivered });
                    if lost {
                        self.relay.take_batch(msg);
                    } else {
                        self.push(self.now + LATENCY, Pending::Deliver { edge, msg });
                    }
                }
                TxAction::Timer { at, timer } => {
                    assert!(at >= self.now, "timer {timer:?} set in the past: {at} < {}", self.now);
                    self.timers.push((self.now, at, timer));
                    self.push(at, Pending::Timer(timer));
                }
            }
        }
    }

    fn dispatch(&mut self, p: Pending) {
        let mut out = Vec::new();
        match p {
            Pending::Deliver { edge, msg } => {
                let r = self.topo.reverse(edge);
                self.relay.on_message(&self.topo, &mut self.pools, r, msg, self.now, &mut out);
            }
            Pending::Timer(timer) => {
                self.relay.on_timer(&self.topo, &mut self.pools, timer, self.now, &mut out)
            }
        }
        self.apply(out);
    }

    /// Handles everything due up to `t`, then sets the clock to `t`.
    fn run_until(&mut self, t: SimTime) {
        self.drain(t);
        self.now = self.now.max(t);
    }

    /// Handles everything until the queue is empty; the clock stays at the
    /// last event.
    fn run(&mut self) {
        self.drain(SimTime::MAX);
    }

    fn drain(&mut self, t: SimTime) {
        for _ in 0..MAX_STEPS {
            match self.queue.first_key_value() {
                Some((&(at, _), _)) if at <= t => {
                    let ((at, _), p) = self.queue.pop_first().expect("non-empty");
                    self.now = at;
                    self.dispatch(p);
                }
                _ => return,
            }
        }
        panic!("more than {MAX_STEPS} steps before {t}");
    }

    /// Takes the pending `timer` out of the queue (it must be pending).
    fn hold(&mut self, timer: TxTimer) {
        let key = self
            .queue
            .iter()
            .find(|(_, p)| **p == Pending::Timer(timer))
            .map(|(k, _)| *k)
            .unwrap_or_else(|| panic!("{timer:?} is not pending"));
        self.queue.remove(&key);
    }

    /// Fires `timer` now.
    fn fire(&mut self, timer: TxTimer) {
        self.dispatch(Pending::Timer(timer));
    }

    /// `from` announces to `to` now: its pending trickle timer fires at once.
    fn trickle_now(&mut self, from: u32, to: u32) {
        let timer = self.trickle_timer(from, to);
        self.hold(timer);
        self.fire(timer);
    }

    /// Messages of `kind` from `from` to `to`, in order.
    fn msgs(&self, kind: TxMsgKind, from: u32, to: u32) -> Vec<&Sent> {
        self.sent.iter().filter(|s| s.kind == kind && s.from == NodeId(from) && s.to == NodeId(to)).collect()
    }

    /// `(time, from, to)` of every message of `kind` that carries `t`.
    fn carrying(&self, kind: TxMsgKind, t: TxId) -> Vec<(SimTime, u32, u32)> {
        self.sent
            .iter()
            .filter(|s| s.kind == kind && s.txs.contains(&t))
            .map(|s| (s.at, s.from.0, s.to.0))
            .collect()
    }

    /// Checks what must hold in any run: nothing crosses a block-relay-only
    /// connection; no transaction is announced twice over one edge or
    /// requested twice from one peer by one node; and a node never announces
    /// a transaction to a peer from which it had already received an
    /// announcement or the transaction itself.
    fn check_invariants(&self) {
        let mut announced = BTreeSet::new();
        let mut requested = BTreeSet::new();
        for s in &self.sent {
            let e = self.edge(s.from.0, s.to.0);
            assert!(!self.topo.flags(e).block_relay_only, "{s:?} over a block-relay-only connection");
            for &t in &s.txs {
                match s.kind {
                    TxMsgKind::Inv => {
                        assert!(announced.insert((s.from, s.to, t)), "{t:?} announced twice: {s:?}")
                    }
                    TxMsgKind::GetData => {
                        assert!(requested.insert((s.from, s.to, t)), "{t:?} requested twice: {s:?}")
                    }
                    _ => {}
                }
            }
        }
        for s in self.sent.iter().filter(|s| s.kind == TxMsgKind::Inv) {
            for &t in &s.txs {
                let learned = self.sent.iter().any(|r| {
                    r.from == s.to
                        && r.to == s.from
                        && matches!(r.kind, TxMsgKind::Inv | TxMsgKind::Tx)
                        && r.txs.contains(&t)
                        && r.delivered.is_some_and(|d| d < s.at)
                });
                assert!(!learned, "{t:?} announced back to the peer it came from: {s:?}");
            }
        }
    }
}

/// Core's `SendMessages` trickling with `m_tx_inventory_known_filter`: a
/// transaction accepted at a node is announced to each transaction-relay
/// peer exactly once, never over block-relay-only connections (Core
/// disables transaction relay on them), and a peer that announced or sent
/// the transaction is never offered it back. Every node reachable over
/// full-relay connections ends up with it, offered to its mempool once.
#[test]
fn accepted_transaction_is_announced_once_to_each_tx_relay_peer() {
    // 0 opens to 1 and 2, 3 opens to 0; 0 opens a block-relay-only
    // connection to 4 and 5 one to 0; 1 and 2 are connected, 6 opens to 1.
    let conns =
        [full(0, 1), full(0, 2), full(3, 0), block_only(0, 4), block_only(5, 0), full(1, 2), full(6, 1)];
    let mut net = Net::new(7, &conns);
    let t = tx(7);
    net.create(0, &[t]);
    net.run();

    let from_origin: Vec<u32> =
        net.carrying(TxMsgKind::Inv, t).iter().filter(|x| x.1 == 0).map(|x| x.2).collect();
    let mut peers = from_origin.clone();
    peers.sort_unstable();
    assert_eq!(peers, vec![1, 2, 3], "node 0 announces to each full-relay peer once: {from_origin:?}");
    for n in [1, 2, 3, 6] {
        assert!(net.pools.held[n].contains(&t), "node {n} got the transaction");
        assert_eq!(net.pools.offers(n as u32, t), 1, "node {n} downloaded it once");
    }
    for n in [4, 5] {
        assert!(!net.pools.held[n].contains(&t), "node {n} is reachable only over block-relay-only links");
        assert!(net.sent.iter().all(|s| s.from != NodeId(n as u32) && s.to != NodeId(n as u32)));
    }
    // Nobody announces it to node 0, which every peer learned it from.
    assert!(
        net.carrying(TxMsgKind::Inv, t).iter().all(|x| x.2 != 0),
        "{:?}",
        net.carrying(TxMsgKind::Inv, t)
    );
    net.check_invariants();
}

/// Core's `TxRequestTracker` with `fPreferredDownload` and
/// `NONPREF_PEER_TX_DELAY`: an announcement from an outbound (preferred)
/// peer is requested as soon as it arrives, one from an inbound peer only
/// 2 s after it arrives.
#[test]
fn announcer_is_asked_after_its_delay() {
    // 0 opens to 1: 1 is outbound (preferred) for 0; 1 opens to 0: inbound.
    for (conn, delay) in [(full(0, 1), SimDuration::ZERO), (full(1, 0), NONPREF_PEER_TX_DELAY)] {
        let mut net = Net::new(2, &[conn]);
        let t = tx(1);
        net.create(1, &[t]);
        net.trickle_now(1, 0);
        net.run();

        let inv = net.msgs(TxMsgKind::Inv, 1, 0);
        assert_eq!(inv.len(), 1);
        let arrived = inv[0].delivered.expect("delivered");
        assert_eq!(net.carrying(TxMsgKind::GetData, t), vec![(arrived + delay, 0, 1)]);
        assert_eq!(net.carrying(TxMsgKind::Tx, t), vec![(arrived + delay + LATENCY, 1, 0)]);
        assert!(net.pools.held[0].contains(&t));
        net.check_invariants();
    }
}

/// Core's `TxRequestTracker` preference: while an inbound announcement
/// waits out its 2 s delay, an announcement from an outbound peer is
/// requested at once, and the inbound peer is never asked.
#[test]
fn outbound_announcement_within_the_delay_is_asked_instead() {
    // 0 opens to 1 (outbound for 0); 2 opens to 0 (inbound for 0).
    let mut net = Net::new(3, &[full(0, 1), full(2, 0)]);
    let t = tx(1);
    net.create(1, &[t]);
    net.create(2, &[t]);
    let outbound_trickle = net.trickle_timer(1, 0);
    net.hold(outbound_trickle);
    net.trickle_now(2, 0);
    net.run_until(at_ms(1_000));
    assert!(net.carrying(TxMsgKind::GetData, t).is_empty(), "the inbound announcer waits 2 s");
    net.fire(outbound_trickle);
    net.run();

    let inbound_arrival = net.msgs(TxMsgKind::Inv, 2, 0)[0].delivered.expect("delivered");
    let outbound_arrival = net.msgs(TxMsgKind::Inv, 1, 0)[0].delivered.expect("delivered");
    assert!(outbound_arrival < inbound_arrival + NONPREF_PEER_TX_DELAY);
    assert_eq!(net.carrying(TxMsgKind::GetData, t), vec![(outbound_arrival, 0, 1)], "only the outbound peer");
    assert_eq!(net.pools.offers(0, t), 1);
    assert!(net.pools.held[0].contains(&t));
    net.check_invariants();
}

/// Core's `ReceivedResponse` on `notfound`: the announcer that was asked
/// and lacks the transaction is done, and another announcer is asked right
/// away, without waiting for the 60 s expiry.
#[test]
fn notfound_makes_the_node_ask_another_announcer_at_once() {
    // 0 opens to 1 and 2: both preferred.
    let mut net = Net::new(3, &[full(0, 1), full(0, 2)]);
    let t = tx(1);
    net.create(1, &[t]);
    net.create(2, &[t]);
    net.trickle_now(1, 0);
    net.trickle_now(2, 0);
    // Node 1 loses it after announcing it.
    net.pools.held[1].remove(&t);
    net.run();

    let first = net.msgs(TxMsgKind::Inv, 1, 0)[0].delivered.expect("delivered");
    let notfound = net.msgs(TxMsgKind::NotFound, 1, 0);
    assert_eq!(notfound.len(), 1);
    assert_eq!(notfound[0].txs, vec![t]);
    let answered = notfound[0].delivered.expect("delivered");
    assert_eq!(net.carrying(TxMsgKind::GetData, t), vec![(first, 0, 1), (answered, 0, 2)]);
    assert_eq!(answered, first + LATENCY + LATENCY);
    assert!(net.pools.held[0].contains(&t));
    net.check_invariants();
}

/// Core's `GETDATA_TX_INTERVAL`: a request not answered within 60 s
/// expires and the transaction is requested from another announcer then,
/// not earlier.
#[test]
fn unanswered_request_goes_to_another_announcer_after_60_seconds() {
    let mut net = Net::new(3, &[full(0, 1), full(0, 2)]);
    let t = tx(1);
    net.create(1, &[t]);
    net.create(2, &[t]);
    // Node 1 announces but never answers.
    net.muted.push((NodeId(1), TxMsgKind::Tx));
    net.muted.push((NodeId(1), TxMsgKind::NotFound));
    net.trickle_now(1, 0);
    net.trickle_now(2, 0);
    let first = net.msgs(TxMsgKind::Inv, 1, 0)[0].delivered.expect("delivered");
    net.run_until(SimTime((first + GETDATA_TX_INTERVAL).0 - 1));
    assert_eq!(net.carrying(TxMsgKind::GetData, t), vec![(first, 0, 1)], "node 2 waits for the expiry");
    net.run();

    assert_eq!(
        net.carrying(TxMsgKind::GetData, t),
        vec![(first, 0, 1), (first + GETDATA_TX_INTERVAL, 0, 2)],
        "node 2 is asked exactly when the request to node 1 expires"
    );
    assert!(net.pools.held[0].contains(&t));
    assert_eq!(net.pools.offers(0, t), 1);
    net.check_invariants();
}

/// Core's `TxRequestTracker` never requests a transaction twice from one
/// peer: here the peer asked for a parent answers `notfound`, then sends
/// the child that needs it; the node does not ask that peer for the parent
/// again but moves to the other announcer. Once every announcer has been
/// asked and failed, nothing more is requested.
#[test]
fn a_peer_is_never_asked_twice_for_one_transaction() {
    let mut net = Net::new(3, &[full(0, 1), full(0, 2)]);
    let (p, c) = (tx(1), tx(2));
    net.pools.parents.insert(c, vec![p]);
    net.create(1, &[p, c]);
    net.create(2, &[p]);
    net.trickle_now(1, 0);
    net.trickle_now(2, 0);
    // Node 1 loses the parent after announcing both; node 2 never answers.
    net.pools.held[1].remove(&p);
    net.muted.push((NodeId(2), TxMsgKind::Tx));
    net.muted.push((NodeId(2), TxMsgKind::NotFound));
    net.run();

    let first = net.msgs(TxMsgKind::Inv, 1, 0)[0].delivered.expect("delivered");
    assert_eq!(net.msgs(TxMsgKind::GetData, 0, 1)[0].txs, vec![p, c], "one getdata for both");
    let answered = first + LATENCY + LATENCY;
    assert_eq!(
        net.carrying(TxMsgKind::GetData, p),
        vec![(first, 0, 1), (answered, 0, 2)],
        "the parent is asked of each announcer once"
    );
    assert_eq!(net.carrying(TxMsgKind::GetData, c), vec![(first, 0, 1)]);
    assert!(!net.pools.held[0].contains(&p) && !net.pools.held[0].contains(&c));
    assert!(net.pools.orphans[0].contains(&c));
    net.check_invariants();
}

/// A sender with 100 queued transactions and its peers, each transaction
/// with a distinct fee rate; ten are children of others.
fn queued_hundred() -> (Net, Vec<TxId>) {
    // 0 opens to 1 (outbound trickle timer); 2 opens to 0 (shared inbound timer).
    let mut net = Net::new(3, &[full(0, 1), full(2, 0)]);
    let txs: Vec<TxId> = (0..100).map(tx).collect();
    for (i, &t) in txs.iter().enumerate() {
        net.pools.fee_rate.insert(t, 1_000 + (i as u64 * 37) % 100 * 10);
    }
    for k in 0..10 {
        net.pools.parents.insert(tx(90 + k), vec![tx(k)]);
    }
    let mut best: Vec<TxId> = txs.clone();
    best.sort_by_key(|&t| (net.pools.inv_order(NodeId(0), t), t));
    (net, best)
}

/// Core v27-v30's per-trickle cap (`INVENTORY_BROADCAST_TARGET` plus 5
/// per 1,000 queued) with `CompareInvMempoolOrder`: of 100 queued
/// transactions one trickle announces exactly 35, the best first (fewer
/// ancestors, then higher fee rate); the rest go in later trickles, and
/// each peer is offered all 100 exactly once. Holds for an outbound peer's
/// own timer and for the timer shared by inbound peers.
#[test]
fn trickle_announces_at_most_35_best_first() {
    let (mut net, best) = queued_hundred();
    assert_eq!(INVENTORY_BROADCAST_TARGET, 35);
    net.create(0, &best.iter().rev().copied().collect::<Vec<_>>());
    net.run();

    for peer in [1, 2] {
        let invs = net.msgs(TxMsgKind::Inv, 0, peer);
        let sizes: Vec<usize> = invs.iter().map(|s| s.txs.len()).collect();
        assert_eq!(sizes, vec![35, 35, 30], "to node {peer}");
        assert_eq!(invs[0].txs, best[..35], "the best 35 first, in order, to node {peer}");
        assert_eq!(invs[1].txs, best[35..70], "then the next 35, to node {peer}");
        let mut last = invs[2].txs.clone();
        last.sort_unstable();
        let mut rest = best[70..].to_vec();
        rest.sort_unstable();
        assert_eq!(last, rest, "then the rest, to node {peer}");
        assert!(invs.windows(2).all(|w| w[0].at < w[1].at), "one inv per trickle");
        assert_eq!(net.pools.held[peer as usize].len(), 100, "node {peer} got everything");
    }
    net.check_invariants();
}

/// The cap grows by 5 per 1,000 queued: 2,500 queued transactions go out
/// 45 per trickle while 2,000 or more remain, then 40, then 35, each
/// announced once, best first.
#[test]
fn trickle_cap_grows_with_the_queue() {
    let mut net = Net::new(2, &[full(0, 1)]);
    let txs: Vec<TxId> = (0..2_500).map(tx).collect();
    for &t in &txs {
        net.pools.fee_rate.insert(t, 1_000 + u64::from(t.0.wrapping_mul(2_654_435_761) % 10_007));
    }
    net.create(0, &txs);
    net.run();

    let invs = net.msgs(TxMsgKind::Inv, 0, 1);
    let mut expected = Vec::new();
    let mut left = txs.len();
    while left > 0 {
        let cap = INVENTORY_BROADCAST_TARGET + 5 * (left / 1000);
        expected.push(cap.min(left));
        left -= cap.min(left);
    }
    let sizes: Vec<usize> = invs.iter().map(|s| s.txs.len()).collect();
    assert_eq!(sizes, expected);
    assert_eq!(&expected[..2], &[45, 45]);
    let mut best = txs.clone();
    best.sort_by_key(|&t| (net.pools.inv_order(NodeId(0), t), t));
    assert_eq!(invs[0].txs, best[..45]);
    let all: BTreeSet<TxId> = invs.iter().flat_map(|s| s.txs.iter().copied()).collect();
    assert_eq!(all.len(), 2_500);
    assert_eq!(net.pools.held[1].len(), 2_500);
    net.check_invariants();
}

/// Core's recent-rejects filter (`AlreadyHaveTx`): once a downloaded
/// transaction is rejected, the node forgets its other announcers and
/// never requests it again, even when a new peer announces it later.
#[test]
fn rejected_transaction_is_never_requested_again() {
    let mut net = Net::new(4, &[full(0, 1), full(0, 2), full(0, 3)]);
    let t = tx(1);
    net.pools.rejected.insert(t);
    net.create(1, &[t]);
    net.create(2, &[t]);
    net.trickle_now(1, 0);
    net.trickle_now(2, 0);
    net.run();
    let first = net.msgs(TxMsgKind::Inv, 1, 0)[0].delivered.expect("delivered");
    assert_eq!(net.msgs(TxMsgKind::Inv, 2, 0).len(), 1, "node 2 announced it too");

    // A third peer announces it long after.
    net.run_until(at_ms(200_000));
    net.create(3, &[t]);
    net.trickle_now(3, 0);
    net.run();

    assert_eq!(net.msgs(TxMsgKind::Inv, 3, 0).len(), 1, "node 3 announced it");
    assert_eq!(net.carrying(TxMsgKind::GetData, t), vec![(first, 0, 1)], "requested once only");
    assert_eq!(net.pools.offers(0, t), 1);
    assert!(!net.pools.held[0].contains(&t));
    net.check_invariants();
}

/// Core's `AlreadyHaveTx` looks in the orphanage: an orphan waiting for its
/// parent is not requested again when another peer announces it.
#[test]
fn orphan_is_not_requested_again() {
    let mut net = Net::new(3, &[full(0, 1), full(0, 2)]);
    let (p, c) = (tx(1), tx(2));
    net.pools.parents.insert(c, vec![p]);
    // Nobody has the parent: node 1 answers its request with notfound.
    net.create(1, &[c]);
    net.trickle_now(1, 0);
    net.run();
    assert!(matches!(net.pools.accepts[0], (NodeId(0), x, _, Accept::Orphan(_)) if x == c));
    assert_eq!(net.msgs(TxMsgKind::NotFound, 1, 0).len(), 1, "parent not found");

    net.create(2, &[c]);
    net.trickle_now(2, 0);
    net.run();
    assert_eq!(net.msgs(TxMsgKind::Inv, 2, 0).len(), 1, "node 2 announced the orphan");
    assert_eq!(net.carrying(TxMsgKind::GetData, c).len(), 1, "the orphan was requested once only");
    assert_eq!(net.pools.offers(0, c), 1);
    net.check_invariants();
}

/// Core's orphan handling: a transaction whose parent is missing is kept
/// and the parent is requested from the peer that sent the orphan (here
/// preferred; by txid, so `TXID_RELAY_DELAY` later); when the parent arrives both enter the mempool
/// and are announced onward. The parent was received from that peer, so
/// (Core's `AddKnownTx` on receipt) it is never announced back to it.
#[test]
fn orphan_parents_are_requested_from_the_sender() {
    // 0 opens to 1 (the sender) and 2 (a bystander).
    let mut net = Net::new(3, &[full(0, 1), full(0, 2)]);
    let (p, c) = (tx(1), tx(2));
    net.pools.parents.insert(c, vec![p]);
    // Node 1 holds the parent but announces only the child.
    net.pools.held[1].insert(p);
    net.create(1, &[c]);
    net.trickle_now(1, 0);
    net.run();

    let tx_c = net.msgs(TxMsgKind::Tx, 1, 0);
    assert_eq!(tx_c[0].txs, vec![c]);
    let orphan_arrival = tx_c[0].delivered.expect("delivered");
    assert!(matches!(net.pools.accepts[0], (NodeId(0), x, _, Accept::Orphan(_)) if x == c));
    let parent_requests: Vec<_> =
        net.carrying(TxMsgKind::GetData, p).into_iter().filter(|x| x.1 == 0).collect();
    assert_eq!(
        parent_requests,
        vec![(orphan_arrival + TXID_RELAY_DELAY, 0, 1)],
        "parent asked of the sender, by txid (TXID_RELAY_DELAY later)"
    );
    assert!(net.pools.held[0].contains(&p) && net.pools.held[0].contains(&c), "both entered");
    let to_bystander: BTreeSet<TxId> =
        net.msgs(TxMsgKind::Inv, 0, 2).iter().flat_map(|s| s.txs.iter().copied()).collect();
    assert_eq!(to_bystander, BTreeSet::from([p, c]), "both announced onward");
    assert!(net.msgs(TxMsgKind::GetData, 0, 2).is_empty());
    // A transaction received from a peer is known to that peer (Core's
    // `AddKnownTx`), so the parent fetched from node 1 is not announced back.
    assert!(
        net.carrying(TxMsgKind::Inv, p).iter().all(|x| x.2 != 1),
        "parent announced back to the peer it was received from: {:?}",
        net.carrying(TxMsgKind::Inv, p)
    );
    net.check_invariants();
}

/// Core's `MAX_PEER_TX_REQUEST_IN_FLIGHT` and `OVERLOADED_PEER_TX_DELAY`:
/// while 100 requests to a peer are in flight, a new announcement from it
/// is requested 2 s after it arrives, even from a preferred peer.
#[test]
fn overloaded_peer_is_asked_two_seconds_later() {
    let mut net = Net::new(2, &[full(0, 1)]);
    let txs: Vec<TxId> = (0..100).map(tx).collect();
    net.muted.push((NodeId(1), TxMsgKind::Tx));
    net.create(1, &txs);
    net.run_until(at_ms(40_000));
    assert_eq!(net.msgs(TxMsgKind::GetData, 0, 1).iter().map(|s| s.txs.len()).sum::<usize>(), 100);
    let late = tx(100);
    net.create(1, &[late]);
    let timer = net.trickle_timer(1, 0);
    net.hold(timer);
    net.fire(timer);
    net.run_until(at_ms(45_000));
    let arrived = net.msgs(TxMsgKind::Inv, 1, 0).last().expect("announced").delivered.expect("delivered");
    assert_eq!(MAX_PEER_TX_REQUEST_IN_FLIGHT, 100);
    assert_eq!(net.carrying(TxMsgKind::GetData, late), vec![(arrived + OVERLOADED_PEER_TX_DELAY, 0, 1)]);
}

/// Core's `OVERLOADED_PEER_TX_DELAY` counts requests in flight
/// (`CountInFlight`), and an expired request is no longer in flight: after
/// 100 requests to a peer have all expired, a new announcement from that
/// (preferred) peer is requested at once, not 2 s later.
#[test]
fn expired_requests_no_longer_count_as_in_flight() {
    let mut net = Net::new(2, &[full(0, 1)]);
    let txs: Vec<TxId> = (0..100).map(tx).collect();
    net.muted.push((NodeId(1), TxMsgKind::Tx));
    net.create(1, &txs);
    net.run();
    assert_eq!(net.msgs(TxMsgKind::GetData, 0, 1).iter().map(|s| s.txs.len()).sum::<usize>(), 100);
    let last_request = net.msgs(TxMsgKind::GetData, 0, 1).last().expect("requested").at;
    assert!(net.now >= last_request + GETDATA_TX_INTERVAL, "every request expired");

    net.run_until(at_ms(200_000));
    let late = tx(100);
    net.muted.clear();
    net.create(1, &[late]);
    net.run();
    let arrived = net.msgs(TxMsgKind::Inv, 1, 0).last().expect("announced").delivered.expect("delivered");
    // Expired requests no longer count toward the peer's load, so the new
    // request does not wait OVERLOADED_PEER_TX_DELAY.
    assert_eq!(net.carrying(TxMsgKind::GetData, late), vec![(arrived, 0, 1)], "asked at once");
    net.check_invariants();
}

/// A scenario mixing every kind of edge, chains, a rejected transaction
/// and lost responses.
fn busy_run(seed: u64) -> (Vec<Sent>, Vec<(SimTime, SimTime, TxTimer)>, Pools) {
    let conns = [
        full(0, 1),
        full(0, 2),
        full(3, 0),
        block_only(0, 4),
        full(1, 2),
        full(4, 5),
        full(5, 1),
        full(6, 3),
        full(2, 6),
        block_only(6, 5),
    ];
    let mut net = Net::with_seed(7, &conns, seed);
    net.pools.rejected.insert(tx(13));
    for k in 0..10 {
        net.pools.parents.insert(tx(20 + k), vec![tx(k)]);
        net.pools.fee_rate.insert(tx(k), 500 + 100 * u64::from(k));
    }
    net.muted.push((NodeId(5), TxMsgKind::NotFound));
    for step in 0..30u32 {
        let node = step * 5 % 7;
        net.run_until(at_ms(u64::from(step) * 700));
        let t = tx(step);
        if net.pools.held[node as usize].contains(&t) {
            continue;
        }
        if net.pools.missing_parents(NodeId(node), t).is_empty() {
            net.create(node, &[t]);
        }
        if step % 9 == 4 {
            // A node loses a transaction it announced.
            let victim = tx(step / 2);
            net.pools.held[node as usize].remove(&victim);
        }
    }
    net.run();
    (net.sent, net.timers, net.pools)
}

/// Determinism (ARCHITECTURE.md invariant 4): the same calls on the same
/// topology with the same trickle streams give the same actions, message
/// for message and timer for timer, and the same mempools; other streams
/// give other trickle times.
#[test]
fn same_calls_give_same_actions() {
    let (sent_a, timers_a, pools_a) = busy_run(7);
    let (sent_b, timers_b, pools_b) = busy_run(7);
    assert!(sent_a.len() > 50, "the scenario exercises the relay: {} messages", sent_a.len());
    for kind in [TxMsgKind::Inv, TxMsgKind::GetData, TxMsgKind::Tx, TxMsgKind::NotFound] {
        assert!(sent_a.iter().any(|s| s.kind == kind), "no {kind:?} sent");
    }
    assert_eq!(sent_a, sent_b);
    assert_eq!(timers_a, timers_b);
    assert_eq!(pools_a.held, pools_b.held);
    assert_eq!(pools_a.accepts, pools_b.accepts);

    let (sent_c, timers_c, _) = busy_run(8);
    assert_ne!(timers_a, timers_c, "trickle times come from the streams");
    assert_ne!(sent_a, sent_c);
}
