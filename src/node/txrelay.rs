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

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::message::{INV_ENTRY_BYTES, MESSAGE_HEADER_BYTES};
use crate::mempool::{SlotIndex, TxId};
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
/// Core's `TXID_RELAY_DELAY`: a request by txid (an orphan's parents) waits
/// this long while wtxid-relay peers exist, which here is always.
pub const TXID_RELAY_DELAY: SimDuration = SimDuration(2_000_000_000);
/// Core's `OVERLOADED_PEER_TX_DELAY`.
pub const OVERLOADED_PEER_TX_DELAY: SimDuration = SimDuration(2_000_000_000);

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

/// Core's `TxRequestTracker` entry for one transaction at one node. Entries
/// live in one slab for all nodes; a freed entry keeps its lists' capacity
/// for the next.
#[derive(Clone, Debug, Default)]
struct Tracked {
    candidates: Vec<Announcement>,
    /// The edge asked and when the request expires.
    in_flight: Option<(u32, SimTime)>,
    /// Edges already asked (a peer is never asked twice).
    asked: Vec<u32>,
    /// Its entry in the node's due set.
    due: Option<SimTime>,
}

/// Transaction ids a node's "known" table covers; older ids count as known
/// to every peer and as done, as if Core's rolling filters still had them.
const KNOWN_WINDOW: u32 = 1 << 13;
/// The window slides by this many ids at a time.
const KNOWN_STEP: u32 = KNOWN_WINDOW / 4;
/// A node's log of accepted transactions is trimmed once it holds this many
/// entries that every peer has been offered.
const LOG_TRIM: usize = 1024;

/// What one node knows per transaction, over a sliding window of recent
/// ids: one row per id, holding one bit per edge of the node (by its index
/// among the node's edges: the peer is known to have the transaction,
/// Core's `m_tx_inventory_known_filter`) and a "done" bit (the node accepted
/// or rejected it and never requests it again). A node's relay work for one
/// transaction reads one row.
#[derive(Clone, Debug)]
struct KnownTable {
    /// `u64` words per row.
    words: usize,
    /// Bit of the done flag: the node's degree.
    done_bit: usize,
    /// Smallest id in the window (a multiple of `KNOWN_STEP`).
    base: u32,
    rows: Box<[u64]>,
}

impl KnownTable {
    fn new(degree: usize) -> Self {
        let words = degree / 64 + 1;
        KnownTable { words, done_bit: degree, base: 0, rows: vec![0; KNOWN_WINDOW as usize * words].into() }
    }

    fn word(&self, t: TxId, bit: usize) -> usize {
        (t.0 % KNOWN_WINDOW) as usize * self.words + bit / 64
    }

    fn test(&self, t: TxId, bit: usize) -> bool {
        if t.0 < self.base {
            return true;
        }
        if t.0 >= self.base + KNOWN_WINDOW {
            return false;
        }
        self.rows[self.word(t, bit)] >> (bit % 64) & 1 == 1
    }

    /// Sets the bit; returns whether it was clear (false for ids older
    /// than the window, which count as set).
    fn set(&mut self, t: TxId, bit: usize) -> bool {
        if t.0 < self.base {
            return false;
        }
        if t.0 >= self.base + KNOWN_WINDOW {
            // Slide so that `t` is in the window, forgetting the oldest ids.
            let new_base = ((t.0 - KNOWN_WINDOW) / KNOWN_STEP + 1) * KNOWN_STEP;
            if new_base - self.base >= KNOWN_WINDOW {
                self.rows.fill(0);
            } else {
                for id in self.base..new_base {
                    let r = (id % KNOWN_WINDOW) as usize * self.words;
                    self.rows[r..r + self.words].fill(0);
                }
            }
            self.base = new_base;
        }
        let w = self.word(t, bit);
        let was_clear = self.rows[w] >> (bit % 64) & 1 == 0;
        self.rows[w] |= 1 << (bit % 64);
        was_clear
    }
}

/// All nodes' transaction-relay state.
///
/// A node's announcements come from one log of the transactions it
/// accepted, in order, with a cursor per edge: a trickle to a peer offers
/// what the log gained since the last one (plus what the per-trickle cap
/// held back then), so accepting a transaction costs one append however
/// many peers the node has.
pub struct TxRelay {
    /// Per node: transactions it accepted, in order; `log_start` numbers
    /// the first.
    log: Vec<Vec<TxId>>,
    log_start: Vec<u64>,
    /// Per edge: log position up to which the owner offered transactions
    /// to this peer.
    cursor: Vec<u64>,
    /// Per edge: transactions the per-trickle cap held back.
    held: Vec<Vec<TxId>>,
    /// Per node: what its peers are known to have, and what it is done with.
    known: Vec<KnownTable>,
    /// Per edge: a trickle timer is pending (outbound edges).
    edge_timer: Vec<bool>,
    /// Per node: the shared inbound trickle timer is pending.
    inbound_timer: Vec<bool>,
    /// Per node: the earliest pending `Requests` timer.
    request_timer: Vec<Option<SimTime>>,
    /// Per node: where in `slab` the tracker of each transaction it lacks
    /// and heard of is.
    tracked: Vec<SlotIndex>,
    slab: Vec<Tracked>,
    free_tracked: Vec<u32>,
    /// Per node: tracked transactions by the time they next need attention
    /// (an announcement's request time, or the expiry of the request in
    /// flight), earliest first. An entry whose tracker is gone or now due at
    /// another time is stale and skipped; the earliest entry is never stale.
    due: Vec<BinaryHeap<Reverse<(SimTime, TxId)>>>,
    /// Per edge: requests in flight to that peer.
    peer_in_flight: Vec<u32>,
    /// Per node: the trickle-timer stream.
    rng: Vec<SimRng>,
    /// Transaction lists of messages in flight.
    batches: Vec<Vec<TxId>>,
    free: Vec<u32>,
    /// Emptied transaction lists, reused for new messages.
    spare: Vec<Vec<TxId>>,
    /// Reused buffers for a trickle's candidates and a node's due requests.
    candidates: Vec<TxId>,
    requests: Vec<(u32, TxId)>,
}

impl TxRelay {
    /// Relay state for `topo`, with one trickle stream per node.
    pub fn new(topo: &Topology, rng: Vec<SimRng>) -> TxRelay {
        let (n, e) = (topo.node_count(), topo.edge_count());
        TxRelay {
            log: vec![Vec::new(); n],
            log_start: vec![0; n],
            cursor: vec![0; e],
            held: vec![Vec::new(); e],
            known: (0..n).map(|i| KnownTable::new(topo.degree(NodeId(i as u32)))).collect(),
            edge_timer: vec![false; e],
            inbound_timer: vec![false; n],
            request_timer: vec![None; n],
            tracked: vec![SlotIndex::default(); n],
            slab: Vec::new(),
            free_tracked: Vec::new(),
            due: vec![BinaryHeap::new(); n],
            peer_in_flight: vec![0; e],
            rng,
            batches: Vec::new(),
            free: Vec::new(),
            spare: Vec::new(),
            candidates: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// The transaction list of a delivered message; its slot is reused.
    pub fn take_batch(&mut self, msg: TxMsg) -> Vec<TxId> {
        self.free.push(msg.batch);
        std::mem::take(&mut self.batches[msg.batch as usize])
    }

    /// Hands back an emptied transaction list for reuse.
    fn recycle(&mut self, mut txs: Vec<TxId>) {
        txs.clear();
        self.spare.push(txs);
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

    /// Index of edge `e` among the edges of its owner `node`.
    fn local(topo: &Topology, node: NodeId, e: u32) -> usize {
        (e - topo.edges_of(node).start) as usize
    }

    /// The tracker of `t` at `node`, if it has one.
    fn tracker(&mut self, node: NodeId, t: TxId) -> Option<&mut Tracked> {
        let i = self.tracked[node.index()].get(t)?;
        Some(&mut self.slab[i as usize])
    }

    /// The tracker of `t` at `node`, new and empty if it had none.
    fn tracker_or_new(&mut self, node: NodeId, t: TxId) -> &mut Tracked {
        let i = match self.tracked[node.index()].get(t) {
            Some(i) => i,
            None => {
                let i = self.free_tracked.pop().unwrap_or_else(|| {
                    self.slab.push(Tracked::default());
                    (self.slab.len() - 1) as u32
                });
                self.tracked[node.index()].insert(t, i);
                i
            }
        };
        &mut self.slab[i as usize]
    }

    /// Forgets the announcements of `t` at `node`; its entry in the due
    /// order turns stale.
    fn untrack(&mut self, node: NodeId, t: TxId) {
        if self.tracked[node.index()].get(t).is_some() {
            let i = self.tracked[node.index()].remove(t);
            let tr = &mut self.slab[i as usize];
            tr.candidates.clear();
            tr.asked.clear();
            (tr.in_flight, tr.due) = (None, None);
            self.free_tracked.push(i);
        }
        self.drop_stale(node);
    }

    /// Sets when tracked transaction `t` at `node` next needs attention.
    fn set_due(&mut self, node: NodeId, t: TxId, at: SimTime) {
        let Some(tr) = self.tracker(node, t) else { return };
        tr.due = Some(at);
        self.due[node.index()].push(Reverse((at, t)));
        self.drop_stale(node);
    }

    /// Pops stale entries off the front of `node`'s due order, so that its
    /// first entry is a live one.
    fn drop_stale(&mut self, node: NodeId) {
        let (due, tracked) = (&mut self.due[node.index()], &self.tracked[node.index()]);
        while let Some(&Reverse((at, t))) = due.peek() {
            match tracked.get(t) {
                Some(i) if self.slab[i as usize].due == Some(at) => break,
                _ => {
                    due.pop();
                }
            }
        }
    }

    /// `node` accepted `txs` into its mempool (created there, or received):
    /// they join its log, to be offered to every transaction-relay peer not
    /// known to have them.
    pub fn on_accepted(
        &mut self,
        topo: &Topology,
        node: NodeId,
        txs: &[TxId],
        now: SimTime,
        out: &mut Vec<TxAction>,
    ) {
        for &t in txs {
            let known = &mut self.known[node.index()];
            known.set(t, known.done_bit);
            self.untrack(node, t);
        }
        self.log[node.index()].extend_from_slice(txs);
        let first = topo.edges_of(node).start;
        for e in topo.edges_of(node).filter(|&e| !topo.flags(e).block_relay_only) {
            let bit = (e - first) as usize;
            if txs.iter().any(|&t| !self.known[node.index()].test(t, bit)) {
                self.arm_trickle(topo, node, e, now, out);
            }
        }
        self.trim_log(topo, node);
    }

    /// Drops the start of `node`'s log that every peer has been offered.
    fn trim_log(&mut self, topo: &Topology, node: NodeId) {
        let log = &mut self.log[node.index()];
        if log.len() < 2 * LOG_TRIM {
            return;
        }
        let start = self.log_start[node.index()];
        let end = start + log.len() as u64;
        let offered = topo
            .edges_of(node)
            .filter(|&e| !topo.flags(e).block_relay_only)
            .map(|e| self.cursor[e as usize])
            .min()
            .unwrap_or(end);
        let drop = (offered - start) as usize;
        if drop >= LOG_TRIM {
            log.drain(..drop);
            self.log_start[node.index()] = offered;
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
                for e in topo.edges_of(node) {
                    if !topo.flags(e).outbound && !topo.flags(e).block_relay_only {
                        self.flush(topo, pools, e, now, out);
                    }
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

    /// One trickle to the peer of `e`: announce the transactions offered
    /// since the last trickle (and those the cap held back) that are still
    /// in the mempool and not known to the peer, up to Core's per-trickle
    /// cap, best first; what the cap leaves waits for the next tick.
    fn flush(
        &mut self,
        topo: &Topology,
        pools: &mut dyn TxPools,
        e: u32,
        now: SimTime,
        out: &mut Vec<TxAction>,
    ) {
        let node = topo.owner(e);
        let bit = Self::local(topo, node, e);
        let mut cand = std::mem::take(&mut self.candidates);
        cand.clear();
        cand.append(&mut self.held[e as usize]);
        let log = &self.log[node.index()];
        let end = self.log_start[node.index()] + log.len() as u64;
        let from = (self.cursor[e as usize] - self.log_start[node.index()]) as usize;
        cand.extend_from_slice(&log[from..]);
        self.cursor[e as usize] = end;
        let known = &mut self.known[node.index()];
        cand.retain(|&t| !known.test(t, bit) && pools.has(node, t));
        let max = INVENTORY_BROADCAST_MAX.min(INVENTORY_BROADCAST_TARGET + 5 * (cand.len() / 1000));
        let mut inv = self.spare.pop().unwrap_or_default();
        if cand.len() <= max {
            // Everything goes: the order within the message does not matter.
            for &t in &cand {
                // `set` tells a repeat of the log from a first offer.
                if known.set(t, bit) {
                    inv.push(t);
                }
            }
        } else {
            let mut keyed: Vec<(InvKey, TxId)> =
                cand.iter().map(|&t| (pools.inv_order(node, t), t)).collect();
            keyed.sort_unstable();
            keyed.dedup();
            for (i, &(_, t)) in keyed.iter().enumerate() {
                if i < max {
                    known.set(t, bit);
                    inv.push(t);
                } else {
                    self.held[e as usize].push(t);
                }
            }
        }
        self.candidates = cand;
        if inv.is_empty() {
            self.recycle(inv);
        } else {
            self.send(e, TxMsgKind::Inv, inv, pools, out);
        }
        if !self.held[e as usize].is_empty() {
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
                let bit = Self::local(topo, node, e);
                for &t in &txs {
                    let known = &mut self.known[node.index()];
                    // A peer announces a transaction once, and a node only
                    // learns that a peer has a transaction it lacks from the
                    // peer's announcement: a bit that was set already means
                    // this announcer was recorded before.
                    if known.set(t, bit) && !known.test(t, known.done_bit) {
                        self.announced(topo, node, e, t, now, false);
                    }
                }
                self.request_due(pools, node, now, out);
            }
            TxMsgKind::GetData => {
                let mut have = self.spare.pop().unwrap_or_default();
                let mut lack = self.spare.pop().unwrap_or_default();
                for &t in &txs {
                    if pools.has(node, t) { have.push(t) } else { lack.push(t) }
                }
                for (kind, list) in [(TxMsgKind::Tx, have), (TxMsgKind::NotFound, lack)] {
                    if list.is_empty() {
                        self.recycle(list);
                    } else {
                        self.send(e, kind, list, pools, out);
                    }
                }
            }
            TxMsgKind::Tx => {
                let bit = Self::local(topo, node, e);
                for &t in &txs {
                    self.answered(node, e, t);
                    // The sender has it (Core's `AddKnownTx` on a `tx`).
                    self.known[node.index()].set(t, bit);
                    self.received(topo, pools, node, e, t, now, out);
                }
                self.request_due(pools, node, now, out);
            }
            TxMsgKind::NotFound => {
                for &t in &txs {
                    if self.answered(node, e, t) {
                        // Another announcer can be asked now.
                        self.set_due(node, t, now);
                    }
                }
                self.request_due(pools, node, now, out);
            }
        }
        self.recycle(txs);
    }

    /// The peer behind `e` answered a request for `t` (with the transaction
    /// or `notfound`): if the request in flight was to that peer, it no
    /// longer is, and it stops counting toward the peer's load. Returns
    /// whether it was. A late answer to an expired request changes nothing.
    fn answered(&mut self, node: NodeId, e: u32, t: TxId) -> bool {
        let Some(tr) = self.tracker(node, t) else { return false };
        if tr.in_flight.is_none_or(|(x, _)| x != e) {
            return false;
        }
        tr.in_flight = None;
        self.peer_in_flight[e as usize] -= 1;
        true
    }

    /// Records an announcement of `t` from the peer behind `e` (Core's
    /// `AddTxAnnouncement`): outbound peers are preferred and can be asked
    /// at once, inbound ones after 2 s, an overloaded peer 2 s later, and an
    /// orphan's parent (`parent`: requested by txid) 2 s later. An `inv` is
    /// a peer's first announcement of `t` (see [`TxRelay::on_message`]); a
    /// parent is checked against the peers recorded or asked already.
    fn announced(&mut self, topo: &Topology, node: NodeId, e: u32, t: TxId, now: SimTime, parent: bool) {
        let preferred = topo.flags(e).outbound;
        let mut reqtime = now;
        if !preferred {
            reqtime += NONPREF_PEER_TX_DELAY;
        }
        if parent {
            reqtime += TXID_RELAY_DELAY;
        }
        if self.peer_in_flight[e as usize] >= MAX_PEER_TX_REQUEST_IN_FLIGHT {
            reqtime += OVERLOADED_PEER_TX_DELAY;
        }
        let tr = self.tracker_or_new(node, t);
        if parent && (tr.asked.contains(&e) || tr.candidates.iter().any(|a| a.edge == e)) {
            return;
        }
        tr.candidates.push(Announcement { edge: e, reqtime, preferred });
        if tr.in_flight.is_none() && tr.due.is_none_or(|d| reqtime < d) {
            self.set_due(node, t, reqtime);
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
        let known = &self.known[node.index()];
        if known.test(t, known.done_bit) {
            return;
        }
        match pools.accept(node, t, now) {
            Accept::Accepted(accepted) => self.on_accepted(topo, node, &accepted, now, out),
            Accept::Orphan(parents) => {
                // Core keeps the orphan and asks the sender for its parents,
                // which the sender must have. An orphan is not requested
                // again (Core's `AlreadyHaveTx` looks in the orphanage); it
                // is taken as done here even after the orphanage evicts it.
                self.untrack(node, t);
                let known = &mut self.known[node.index()];
                known.set(t, known.done_bit);
                let bit = Self::local(topo, node, e);
                for p in parents {
                    let known = &mut self.known[node.index()];
                    known.set(p, bit);
                    if !known.test(p, known.done_bit) {
                        self.announced(topo, node, e, p, now, true);
                    }
                }
            }
            Accept::Rejected => {
                let known = &mut self.known[node.index()];
                known.set(t, known.done_bit);
                self.untrack(node, t);
            }
        }
    }

    /// Sends the requests that are due at `node` (Core's
    /// `GetRequestable`): for each transaction with no request in flight
    /// (or an expired one), the best announcer whose delay has passed,
    /// preferred before non-preferred, then earliest; one `getdata` per peer.
    /// Keeps a timer for the next transaction that needs attention.
    fn request_due(&mut self, pools: &dyn TxPools, node: NodeId, now: SimTime, out: &mut Vec<TxAction>) {
        let mut requests = std::mem::take(&mut self.requests);
        requests.clear();
        loop {
            self.drop_stale(node);
            let due = &mut self.due[node.index()];
            let Some(&Reverse((at, t))) = due.peek() else { break };
            if at > now {
                break;
            }
            due.pop();
            let i = self.tracked[node.index()].get(t).expect("the first due entry is live");
            let tr = &mut self.slab[i as usize];
            tr.due = None;
            if let Some((edge, _)) = tr.in_flight.take() {
                // Due while in flight: the request expired and no longer
                // counts toward the peer's load.
                self.peer_in_flight[edge as usize] -= 1;
            }
            let best = tr
                .candidates
                .iter()
                .enumerate()
                .filter(|(_, a)| a.reqtime <= now)
                .min_by_key(|(_, a)| (!a.preferred, a.reqtime, a.edge));
            let next = match best {
                Some((i, a)) => {
                    let edge = a.edge;
                    tr.candidates.swap_remove(i);
                    tr.asked.push(edge);
                    let expiry = now + GETDATA_TX_INTERVAL;
                    tr.in_flight = Some((edge, expiry));
                    requests.push((edge, t));
                    expiry
                }
                None => match tr.candidates.iter().map(|a| a.reqtime).min() {
                    Some(r) => r,
                    None => {
                        // Nobody left to ask.
                        self.untrack(node, t);
                        continue;
                    }
                },
            };
            tr.due = Some(next);
            self.due[node.index()].push(Reverse((next, t)));
        }
        // One getdata per peer, transactions in the order they fell due.
        requests.sort_by_key(|&(edge, _)| edge);
        for group in requests.chunk_by(|a, b| a.0 == b.0) {
            let edge = group[0].0;
            let mut txs = self.spare.pop().unwrap_or_default();
            txs.extend(group.iter().map(|&(_, t)| t));
            self.peer_in_flight[edge as usize] += txs.len() as u32;
            self.send(edge, TxMsgKind::GetData, txs, pools, out);
        }
        self.requests = requests;
        if let Some(&Reverse((at, _))) = self.due[node.index()].peek() {
            if self.request_timer[node.index()].is_none_or(|t| at < t) {
                self.request_timer[node.index()] = Some(at);
                out.push(TxAction::Timer { at, timer: TxTimer::Requests { node } });
            }
        }
    }
}

#[cfg(test)]
#[path = "txrelay_tests.rs"]
mod tests;
