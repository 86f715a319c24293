//! Full-fidelity transaction relay: Bitcoin Core's INV trickling, wtxid
//! announcements, `getdata`, request scheduling with timeouts and retries
//! from other announcers, and `notfound` (`net_processing.cpp`,
//! `txrequest.h`).
//!
//! Like block relay, this never touches the event queue: handlers push
//! [`TxAction`]s (messages and timers) that the world schedules. Whether a
//! node holds or accepts a transaction is asked of its mempool through
//! [`TxPools`]; this module owns only what the wire protocol needs: per-edge
//! announcement queues and "known" filters, trickle timers, and per-node
//! request trackers.

use std::collections::BTreeMap;

use super::message::{INV_ENTRY_BYTES, MESSAGE_HEADER_BYTES};
use crate::mempool::TxId;
use crate::net::{NodeId, Topology};
use crate::sim::{SimDuration, SimRng, SimTime};

/// Core's `OUTBOUND_INVENTORY_BROADCAST_INTERVAL`: mean trickle interval per outbound peer.
pub const OUTBOUND_TRICKLE_MEAN_S: f64 = 2.0;
/// Core's `INBOUND_INVENTORY_BROADCAST_INTERVAL`: mean of the trickle timer all inbound peers share.
pub const INBOUND_TRICKLE_MEAN_S: f64 = 5.0;
/// Core v27-v30 `INVENTORY_BROADCAST_PER_SECOND` x 5 s: announcements per trickle before scaling.
pub const INVENTORY_BROADCAST_TARGET: usize = 35;
/// Core's `INVENTORY_BROADCAST_MAX`.
pub const INVENTORY_BROADCAST_MAX: usize = 1000;
/// Core's `NONPREF_PEER_TX_DELAY`: inbound announcers wait this long before a request.
pub const NONPREF_PEER_TX_DELAY: SimDuration = SimDuration(2_000_000_000);
/// Core's `GETDATA_TX_INTERVAL`: a request not answered by then goes to another announcer.
pub const GETDATA_TX_INTERVAL: SimDuration = SimDuration(60_000_000_000);
/// Core's `MAX_PEER_TX_REQUEST_IN_FLIGHT`: beyond this, a peer counts as overloaded.
pub const MAX_PEER_TX_REQUEST_IN_FLIGHT: u32 = 100;
/// Core's `OVERLOADED_PEER_TX_DELAY`.
pub const OVERLOADED_PEER_TX_DELAY: SimDuration = SimDuration(2_000_000_000);
/// Transactions a per-edge "known" filter remembers (by id distance); older
/// ones count as known, as if Core's rolling filter had them.
const KNOWN_WINDOW: u32 = 1 << 14;

/// Announcement order key: in-mempool ancestor count, then fee rate
/// (sat/kvB) highest first.
pub type InvKey = (u64, std::cmp::Reverse<u64>);

/// What the relay asks of the nodes' mempools.
pub trait TxPools {
    /// `node` holds `tx` in its mempool.
    fn has(&self, node: NodeId, tx: TxId) -> bool;
    /// `node` tries to accept `tx` at `now`.
    fn accept(&mut self, node: NodeId, tx: TxId, now: SimTime) -> Accept;
    /// Sort key for announcements, Core v27-v30's `CompareInvMempoolOrder`:
    /// fewer in-mempool ancestors first, then higher fee rate.
    fn inv_order(&self, node: NodeId, tx: TxId) -> InvKey;
    /// Serialized size of `tx` in bytes.
    fn size_bytes(&self, tx: TxId) -> u64;
}

/// The outcome of offering a transaction to a mempool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Accept {
    /// Accepted; these transactions entered the mempool (the offered one
    /// and orphans it unlocked), each to be announced.
    Accepted(Vec<TxId>),
    /// Its parents are missing: they should be requested from the sender.
    Orphan(Vec<TxId>),
    /// Rejected (or already known); never request it again.
    Rejected,
}

/// A transaction-relay message; its transaction list lives in the relay's
/// batch store until delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxMsg {
    /// What it is.
    pub kind: TxMsgKind,
    /// Index of its transaction list.
    pub batch: u32,
}

/// Kinds of transaction-relay messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxMsgKind {
    /// `inv(MSG_WTX)` announcements.
    Inv,
    /// `getdata(MSG_WTX)` requests.
    GetData,
    /// The transactions (one `tx` message each, delivered together).
    Tx,
    /// `notfound` for requested transactions the sender no longer has.
    NotFound,
}

/// Timers of the transaction relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxTimer {
    /// An outbound peer's trickle timer (edge of the sender).
    Trickle {
        /// The edge.
        edge: u32,
    },
    /// The trickle timer a node shares among its inbound peers.
    TrickleInbound {
        /// The node.
        node: NodeId,
    },
    /// Requests of `node` may have become due (announcement delay or a
    /// request's expiry).
    Requests {
        /// The node.
        node: NodeId,
    },
}

/// What a handler asks the world to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxAction {
    /// Send `msg` (`bytes` on the wire) over the sender's edge `edge`.
    Send {
        /// The sender's edge.
        edge: u32,
        /// The message.
        msg: TxMsg,
        /// Bytes on the wire.
        bytes: u64,
    },
    /// Fire `timer` at `at`.
    Timer {
        /// When.
        at: SimTime,
        /// Which.
        timer: TxTimer,
    },
}

/// One announcement a node holds for a transaction it lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Announcement {
    edge: u32,
    reqtime: SimTime,
    preferred: bool,
}

/// Core's `TxRequestTracker` entry for one transaction at one node.
#[derive(Clone, Debug, Default)]
struct Tracked {
    candidates: Vec<Announcement>,
    /// The edge asked and when the request expires.
    in_flight: Option<(u32, SimTime)>,
    /// Edges already asked (a peer is never asked twice).
    asked: Vec<u32>,
}

/// Which transaction ids an edge's peer is known to have, over a sliding
/// window of recent ids.
#[derive(Clone, Debug)]
struct KnownWindow {
    base: u32,
    bits: Box<[u64]>,
}

impl KnownWindow {
    fn new() -> Self {
        KnownWindow { base: 0, bits: vec![0; (KNOWN_WINDOW / 64) as usize].into_boxed_slice() }
    }

    fn slot(t: TxId) -> (usize, u64) {
        let i = t.0 % KNOWN_WINDOW;
        ((i / 64) as usize, 1u64 << (i % 64))
    }

    fn contains(&self, t: TxId) -> bool {
        if t.0 < self.base {
            return true;
        }
        if t.0 >= self.base + KNOWN_WINDOW {
            return false;
        }
        let (w, b) = Self::slot(t);
        self.bits[w] & b != 0
    }

    fn insert(&mut self, t: TxId) {
        if t.0 < self.base {
            return;
        }
        while t.0 >= self.base + KNOWN_WINDOW {
            // Slide by a quarter window: forget the oldest ids.
            let step = KNOWN_WINDOW / 4;
            for id in self.base..self.base + step {
                let (w, b) = Self::slot(TxId(id));
                self.bits[w] &= !b;
            }
            self.base += step;
        }
        let (w, b) = Self::slot(t);
        self.bits[w] |= b;
    }
}

/// All nodes' transaction-relay state.
pub struct TxRelay {
    /// Per edge: transactions waiting for the next trickle to that peer.
    to_send: Vec<Vec<TxId>>,
    /// Per edge: transactions the peer is known to have.
    known: Vec<KnownWindow>,
    /// Per edge: a trickle timer is pending (outbound edges).
    edge_timer: Vec<bool>,
    /// Per node: the shared inbound trickle timer is pending.
    inbound_timer: Vec<bool>,
    /// Per node: the earliest pending `Requests` timer.
    request_timer: Vec<Option<SimTime>>,
    /// Per node: tracked announcements of transactions it lacks.
    tracked: Vec<BTreeMap<TxId, Tracked>>,
    /// Per node: transactions it accepted or rejected, never requested again.
    done: Vec<KnownWindow>,
    /// Per edge: requests in flight to that peer.
    peer_in_flight: Vec<u32>,
    /// Per node: the trickle-timer stream.
    rng: Vec<SimRng>,
    /// Transaction lists of messages in flight.
    batches: Vec<Vec<TxId>>,
    free: Vec<u32>,
}

impl TxRelay {
    /// Relay state for `topo`, with one trickle stream per node.
    pub fn new(topo: &Topology, rng: Vec<SimRng>) -> TxRelay {
        let (n, e) = (topo.node_count(), topo.edge_count());
        TxRelay {
            to_send: vec![Vec::new(); e],
            known: vec![KnownWindow::new(); e],
            edge_timer: vec![false; e],
            inbound_timer: vec![false; n],
            request_timer: vec![None; n],
            tracked: vec![BTreeMap::new(); n],
            done: vec![KnownWindow::new(); n],
            peer_in_flight: vec![0; e],
            rng,
            batches: Vec::new(),
            free: Vec::new(),
        }
    }

    /// The transaction list of a delivered message; its slot is reused.
    pub fn take_batch(&mut self, msg: TxMsg) -> Vec<TxId> {
        self.free.push(msg.batch);
        std::mem::take(&mut self.batches[msg.batch as usize])
    }

    fn store(&mut self, txs: Vec<TxId>) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.batches[i as usize] = txs;
                i
            }
            None => {
                self.batches.push(txs);
                (self.batches.len() - 1) as u32
            }
        }
    }

    fn send(
        &mut self,
        edge: u32,
        kind: TxMsgKind,
        txs: Vec<TxId>,
        pools: &dyn TxPools,
        out: &mut Vec<TxAction>,
    ) {
        let count = txs.len() as u64;
        let bytes = match kind {
            TxMsgKind::Inv | TxMsgKind::GetData | TxMsgKind::NotFound => {
                MESSAGE_HEADER_BYTES + 3 + INV_ENTRY_BYTES * count
            }
            TxMsgKind::Tx => txs.iter().map(|&t| MESSAGE_HEADER_BYTES + pools.size_bytes(t)).sum(),
        };
        let batch = self.store(txs);
        out.push(TxAction::Send { edge, msg: TxMsg { kind, batch }, bytes });
    }

    /// `node` accepted `txs` into its mempool (created there, or received):
    /// queue them for every transaction-relay peer not known to have them.
    pub fn on_accepted(
        &mut self,
        topo: &Topology,
        node: NodeId,
        txs: &[TxId],
        now: SimTime,
        out: &mut Vec<TxAction>,
    ) {
        for &t in txs {
            self.done[node.index()].insert(t);
            self.tracked[node.index()].remove(&t);
        }
        for e in topo.edges_of(node).filter(|&e| !topo.flags(e).block_relay_only) {
            let queued = txs.iter().filter(|&&t| !self.known[e as usize].contains(t));
            let q = &mut self.to_send[e as usize];
            let before = q.len();
            q.extend(queued);
            if q.len() > before {
                self.arm_trickle(topo, node, e, now, out);
            }
        }
    }

    /// Makes sure the trickle timer that serves edge `e` is pending. By the
    /// memorylessness of Core's Poisson timers, the next tick after `now` is
    /// `now` plus an exponential wait, so a timer is drawn only when there is
    /// something to send.
    fn arm_trickle(&mut self, topo: &Topology, node: NodeId, e: u32, now: SimTime, out: &mut Vec<TxAction>) {
        let rng = &mut self.rng[node.index()];
        if topo.flags(e).outbound {
            if !self.edge_timer[e as usize] {
                self.edge_timer[e as usize] = true;
                let at = now + SimDuration::from_secs_f64(rng.exp_mean(OUTBOUND_TRICKLE_MEAN_S));
                out.push(TxAction::Timer { at, timer: TxTimer::Trickle { edge: e } });
            }
        } else if !self.inbound_timer[node.index()] {
            self.inbound_timer[node.index()] = true;
            let at = now + SimDuration::from_secs_f64(rng.exp_mean(INBOUND_TRICKLE_MEAN_S));
            out.push(TxAction::Timer { at, timer: TxTimer::TrickleInbound { node } });
        }
    }

    /// A trickle timer fired.
    pub fn on_timer(
        &mut self,
        topo: &Topology,
        pools: &mut dyn TxPools,
        timer: TxTimer,
        now: SimTime,
        out: &mut Vec<TxAction>,
    ) {
        match timer {
            TxTimer::Trickle { edge } => {
                self.edge_timer[edge as usize] = false;
                self.flush(topo, pools, edge, now, out);
            }
            TxTimer::TrickleInbound { node } => {
                self.inbound_timer[node.index()] = false;
                let inbound = topo
                    .edges_of(node)
                    .filter(|&e| !topo.flags(e).outbound && !topo.flags(e).block_relay_only);
                for e in inbound.collect::<Vec<_>>() {
                    self.flush(topo, pools, e, now, out);
                }
            }
            TxTimer::Requests { node } => {
                if self.request_timer[node.index()].is_some_and(|t| t <= now) {
                    self.request_timer[node.index()] = None;
                }
                self.request_due(pools, node, now, out);
            }
        }
    }

    /// One trickle to the peer of `e`: announce, best first, up to Core's
    /// per-trickle cap, the queued transactions still in the mempool and not
    /// known to the peer; what is left waits for the next tick.
    fn flush(
        &mut self,
        topo: &Topology,
        pools: &mut dyn TxPools,
        e: u32,
        now: SimTime,
        out: &mut Vec<TxAction>,
    ) {
        let node = topo.owner(e);
        let queue = &mut self.to_send[e as usize];
        let known = &self.known[e as usize];
        let mut keyed: Vec<(InvKey, TxId)> = Vec::with_capacity(queue.len());
        keyed.extend(
            queue
                .drain(..)
                .filter(|&t| !known.contains(t) && pools.has(node, t))
                .map(|t| (pools.inv_order(node, t), t)),
        );
        keyed.sort_unstable();
        keyed.dedup();
        let max = INVENTORY_BROADCAST_MAX.min(INVENTORY_BROADCAST_TARGET + 5 * (keyed.len() / 1000));
        // What the cap leaves waits in the queue (the queue keeps its allocation).
        queue.extend(keyed.iter().skip(max).map(|&(_, t)| t));
        keyed.truncate(max);
        let inv: Vec<TxId> = keyed.into_iter().map(|(_, t)| t).collect();
        for &t in &inv {
            self.known[e as usize].insert(t);
        }
        if !inv.is_empty() {
            self.send(e, TxMsgKind::Inv, inv, pools, out);
        }
        if !self.to_send[e as usize].is_empty() {
            self.arm_trickle(topo, node, e, now, out);
        }
    }

    /// A message arrived at the owner of edge `e`.
    #[allow(clippy::too_many_arguments)]
    pub fn on_message(
        &mut self,
        topo: &Topology,
        pools: &mut dyn TxPools,
        e: u32,
        msg: TxMsg,
        now: SimTime,
        out: &mut Vec<TxAction>,
    ) {
        let txs = self.take_batch(msg);
        let node = topo.owner(e);
        match msg.kind {
            TxMsgKind::Inv => {
                for &t in &txs {
                    self.known[e as usize].insert(t);
                    self.announced(topo, node, e, t, now);
                }
                self.request_due(pools, node, now, out);
            }
            TxMsgKind::GetData => {
                let (have, lack): (Vec<TxId>, Vec<TxId>) = txs.iter().partition(|&&t| pools.has(node, t));
                if !have.is_empty() {
                    self.send(e, TxMsgKind::Tx, have, pools, out);
                }
                if !lack.is_empty() {
                    self.send(e, TxMsgKind::NotFound, lack, pools, out);
                }
            }
            TxMsgKind::Tx => {
                self.peer_in_flight[e as usize] =
                    self.peer_in_flight[e as usize].saturating_sub(txs.len() as u32);
                for &t in &txs {
                    self.received(topo, pools, node, e, t, now, out);
                }
                self.request_due(pools, node, now, out);
            }
            TxMsgKind::NotFound => {
                self.peer_in_flight[e as usize] =
                    self.peer_in_flight[e as usize].saturating_sub(txs.len() as u32);
                for &t in &txs {
                    if let Some(tr) = self.tracked[node.index()].get_mut(&t) {
                        if tr.in_flight.is_some_and(|(x, _)| x == e) {
                            tr.in_flight = None;
                        }
                    }
                }
                self.request_due(pools, node, now, out);
            }
        }
    }

    /// Records an announcement of `t` from the peer behind `e` (Core's
    /// `ReceivedInv`): outbound peers are preferred and can be asked at
    /// once, inbound ones after 2 s, and an overloaded peer 2 s later.
    fn announced(&mut self, topo: &Topology, node: NodeId, e: u32, t: TxId, now: SimTime) {
        if self.done[node.index()].contains(t) {
            return;
        }
        let preferred = topo.flags(e).outbound;
        let mut reqtime = now;
        if !preferred {
            reqtime += NONPREF_PEER_TX_DELAY;
        }
        if self.peer_in_flight[e as usize] >= MAX_PEER_TX_REQUEST_IN_FLIGHT {
            reqtime += OVERLOADED_PEER_TX_DELAY;
        }
        let tr = self.tracked[node.index()].entry(t).or_default();
        if !tr.asked.contains(&e) && !tr.candidates.iter().any(|a| a.edge == e) {
            tr.candidates.push(Announcement { edge: e, reqtime, preferred });
        }
    }

    /// A requested transaction arrived at `node` from the peer behind `e`.
    #[allow(clippy::too_many_arguments)]
    fn received(
        &mut self,
        topo: &Topology,
        pools: &mut dyn TxPools,
        node: NodeId,
        e: u32,
        t: TxId,
        now: SimTime,
        out: &mut Vec<TxAction>,
    ) {
        if self.done[node.index()].contains(t) {
            return;
        }
        match pools.accept(node, t, now) {
            Accept::Accepted(accepted) => self.on_accepted(topo, node, &accepted, now, out),
            Accept::Orphan(parents) => {
                // Core keeps the orphan and asks the sender for its parents.
                self.tracked[node.index()].remove(&t);
                for p in parents {
                    self.announced(topo, node, e, p, now);
                }
            }
            Accept::Rejected => {
                self.done[node.index()].insert(t);
                self.tracked[node.index()].remove(&t);
            }
        }
    }

    /// Sends the requests that are due at `node` (Core's
    /// `GetRequestable`): for each transaction with no request in flight
    /// (or an expired one), the best announcer whose delay has passed,
    /// preferred before non-preferred, then earliest; one `getdata` per peer.
    /// Schedules a timer for the next announcement that becomes due.
    fn request_due(&mut self, pools: &dyn TxPools, node: NodeId, now: SimTime, out: &mut Vec<TxAction>) {
        let mut per_edge: BTreeMap<u32, Vec<TxId>> = BTreeMap::new();
        let mut next: Option<SimTime> = None;
        let tracked = &mut self.tracked[node.index()];
        tracked.retain(|_, tr| !(tr.in_flight.is_none() && tr.candidates.is_empty()));
        for (&t, tr) in tracked.iter_mut() {
            if let Some((_, expiry)) = tr.in_flight {
                if expiry > now {
                    next = Some(next.map_or(expiry, |n| n.min(expiry)));
                    continue;
                }
                tr.in_flight = None;
            }
            let best = tr
                .candidates
                .iter()
                .enumerate()
                .filter(|(_, a)| a.reqtime <= now)
                .min_by_key(|(_, a)| (!a.preferred, a.reqtime, a.edge));
            match best {
                Some((i, a)) => {
                    let edge = a.edge;
                    tr.candidates.swap_remove(i);
                    tr.asked.push(edge);
                    let expiry = now + GETDATA_TX_INTERVAL;
                    tr.in_flight = Some((edge, expiry));
                    next = Some(next.map_or(expiry, |n| n.min(expiry)));
                    per_edge.entry(edge).or_default().push(t);
                }
                None => {
                    if let Some(r) = tr.candidates.iter().map(|a| a.reqtime).min() {
                        next = Some(next.map_or(r, |n| n.min(r)));
                    }
                }
            }
        }
        for (edge, txs) in per_edge {
            self.peer_in_flight[edge as usize] += txs.len() as u32;
            self.send(edge, TxMsgKind::GetData, txs, pools, out);
        }
        if let Some(at) = next {
            if self.request_timer[node.index()].is_none_or(|t| at < t) {
                self.request_timer[node.index()] = Some(at);
                out.push(TxAction::Timer { at, timer: TxTimer::Requests { node } });
            }
        }
    }
}
