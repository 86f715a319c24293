//! Full nodes as state machines: block download, validation scheduling, fork
//! choice and block relay (legacy inv, BIP130 headers, BIP152 compact blocks,
//! unsolicited push), following Bitcoin Core's `net_processing.cpp` and `validation.cpp`.
//!
//! Node logic never touches the event queue (ARCHITECTURE.md invariant 3): handlers
//! take the current time and push [`Action`]s that the world turns into
//! events, through the network model for messages. All node state lives in
//! [`Nodes`], arrays indexed by node, by edge (one entry per direction of each
//! connection) and by (block, node).

mod message;
mod txrelay;

pub use message::{Msg, MsgKind, compact_block_bytes};
pub use txrelay::{Accept, InvKey, TxAction, TxMsg, TxMsgKind, TxPools, TxRelay, TxTimer};

use crate::chain::{BlockTree, RulesId};
use crate::consensus::{BlockError, BlockId};
use crate::net::{NodeId, Topology};
use crate::scenario::RelayProtocol;
use crate::sim::{SimDuration, SimTime};

/// Core's `MAX_BLOCKS_IN_TRANSIT_PER_PEER`: blocks requested from one peer at once.
const MAX_BLOCKS_IN_TRANSIT_PER_PEER: usize = 16;
/// Core's `MAX_BLOCKS_TO_ANNOUNCE`: headers sent after a reorg.
const MAX_BLOCKS_TO_ANNOUNCE: usize = 8;

/// Per (block, node) flags.
mod flag {
    /// The node holds the block's full data.
    pub const DATA: u8 = 1;
    /// The node has requested the block and waits for it.
    pub const IN_FLIGHT: u8 = 2;
    /// The node has connected the block (validated it as part of its chain).
    pub const VALID: u8 = 4;
    /// The node found the block invalid.
    pub const INVALID: u8 = 8;
    /// The node holds the data of the block and of all its ancestors.
    pub const LINKED: u8 = 16;
}

/// What a handler asks the world to do or to record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send `msg` over the sender's edge `edge`.
    Send {
        /// The sender's edge id.
        edge: u32,
        /// The message.
        msg: Msg,
    },
    /// Call [`Nodes::on_validation_done`] for `node` and `block` at `done_at`.
    Validate {
        /// The validating node.
        node: NodeId,
        /// The block that becomes the tip when validation completes.
        block: BlockId,
        /// When validation completes.
        done_at: SimTime,
    },
    /// `node` now holds `block` validated.
    Connected {
        /// The node.
        node: NodeId,
        /// The block.
        block: BlockId,
    },
    /// `node` switched branches: `old_tip` and its ancestors down to `fork`
    /// were disconnected, and the path to `new_tip` connected.
    Reorg {
        /// The node.
        node: NodeId,
        /// The tip before.
        old_tip: BlockId,
        /// The tip after.
        new_tip: BlockId,
        /// The last common block.
        fork: BlockId,
    },
    /// `node` tried to reconstruct compact block `block` from its mempool;
    /// `missing` transactions had to be fetched with `getblocktxn`.
    Compact {
        /// The node.
        node: NodeId,
        /// The block.
        block: BlockId,
        /// Transactions the node lacked.
        missing: u32,
    },
    /// `node`'s active tip changed to `tip`.
    TipChanged {
        /// The node.
        node: NodeId,
        /// Its new tip.
        tip: BlockId,
    },
    /// `node` mines header-first and its most-work header changed to
    /// `block` (a header it has not validated, or back to its tip when such a
    /// header proved invalid): its miners move to [`Nodes::mining_tip`].
    HeaderTip {
        /// The node.
        node: NodeId,
        /// Its most-work usable header.
        block: BlockId,
    },
    /// `node`, a member of the pools' relay network, has the data of
    /// `block`: the overlay carries it to the other members.
    OverlayPush {
        /// The node.
        node: NodeId,
        /// The block.
        block: BlockId,
    },
}

/// Relay settings shared by all nodes (per-node protocol is in [`Nodes`]).
#[derive(Clone, Copy, Debug)]
pub struct RelaySettings {
    /// BIP152 high-bandwidth peers a node selects.
    pub high_bandwidth_peers: u32,
    /// Fixed part of validating one block.
    pub validation_fixed: SimDuration,
    /// Validation time per byte of block, in nanoseconds.
    pub validation_ns_per_byte: f64,
}

/// One node's own state.
#[derive(Clone, Debug)]
struct NodeState {
    protocol: RelayProtocol,
    /// The consensus rules the node runs.
    rules: RulesId,
    tip: BlockId,
    /// The block whose validation is under way (at most one at a time).
    validating: Option<BlockId>,
    /// Linked, valid blocks with more work than the tip, with the order in
    /// which their data became complete (Core's `nSequenceId`).
    candidates: Vec<(BlockId, u64)>,
    next_seq: u64,
    /// Height of the last block sent to high-bandwidth peers before validation.
    highest_fast_announced: u32,
    /// Our edges whose peers we asked for compact blocks, oldest first.
    hb_peers: Vec<u32>,
    /// Which edge delivered a recent block's data (small ring).
    recent_delivery: [(BlockId, u32); 4],
    in_flight: u32,
    /// Header-first mining: the most-work header seen and not known to be
    /// invalid (the tip when no header beats it; unused otherwise).
    header_tip: BlockId,
}

/// All nodes' state.
#[derive(Debug)]
pub struct Nodes {
    nodes: Vec<NodeState>,
    settings: RelaySettings,
    /// Per edge: the most-work block the peer showed us it has.
    best_known: Vec<BlockId>,
    /// Per edge: the last block we announced or sent to the peer.
    best_sent: Vec<BlockId>,
    /// Per edge: the peer asked us to push compact blocks (BIP152 HB mode).
    peer_wants_hb: Vec<bool>,
    /// Per block above the history: one flag byte per node.
    block_flags: Vec<Box<[u8]>>,
    history_len: u32,
    /// Per node: a member of the pools' relay network.
    overlay: Vec<bool>,
    /// Per node: its miners start on a new header before validating the
    /// block ("SPV" mining).
    header_first: Vec<bool>,
}

impl Nodes {
    /// Nodes that all start on the tree's start tip with every history block.
    pub fn new(
        protocols: Vec<RelayProtocol>,
        topo: &Topology,
        tree: &BlockTree,
        settings: RelaySettings,
    ) -> Self {
        let tip = tree.start_tip();
        let nodes = protocols
            .into_iter()
            .map(|protocol| NodeState {
                protocol,
                rules: RulesId::DEFAULT,
                tip,
                validating: None,
                candidates: Vec::new(),
                next_seq: 0,
                highest_fast_announced: tree.get(tip).height,
                hb_peers: Vec::new(),
                recent_delivery: [(tip, u32::MAX); 4],
                in_flight: 0,
                header_tip: tip,
            })
            .collect::<Vec<_>>();
        assert_eq!(nodes.len(), topo.node_count(), "one protocol per node");
        let edges = topo.edge_count();
        Nodes {
            nodes,
            settings,
            best_known: vec![tip; edges],
            best_sent: vec![tip; edges],
            peer_wants_hb: vec![false; edges],
            block_flags: Vec::new(),
            history_len: tree.history_len(),
            overlay: vec![false; topo.node_count()],
            header_first: vec![false; topo.node_count()],
        }
    }

    /// Sets the initial BIP152 high-bandwidth peers, as if the network had been
    /// running: each compact node asks up to `high_bandwidth_peers` of its
    /// outbound compact peers, chosen by `choose` (which gets the candidate
    /// edges and returns the chosen ones).
    pub fn init_high_bandwidth(
        &mut self,
        topo: &Topology,
        mut choose: impl FnMut(&[u32], usize) -> Vec<u32>,
    ) {
        let want = self.settings.high_bandwidth_peers as usize;
        for n in 0..self.nodes.len() {
            if self.nodes[n].protocol != RelayProtocol::Compact || want == 0 {
                continue;
            }
            let candidates: Vec<u32> = topo
                .edges_of(NodeId(n as u32))
                .filter(|&e| topo.flags(e).outbound && self.peer_protocol(topo, e) == RelayProtocol::Compact)
                .collect();
            for e in choose(&candidates, want) {
                self.nodes[n].hb_peers.push(e);
                self.peer_wants_hb[topo.reverse(e) as usize] = true;
            }
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there is no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node's active tip.
    pub fn tip(&self, n: NodeId) -> BlockId {
        self.nodes[n.index()].tip
    }

    /// The block the node's miners build on: its tip, or for a header-first
    /// miner a header with more work that it has not validated yet.
    pub fn mining_tip(&self, n: NodeId) -> BlockId {
        self.nodes[n.index()].header_tip
    }

    /// True if the node has connected block `b`.
    pub fn has_valid(&self, n: NodeId, b: BlockId) -> bool {
        self.flags(b, n) & flag::VALID != 0
    }

    /// The relay protocol node `n` runs.
    pub fn protocol(&self, n: NodeId) -> RelayProtocol {
        self.nodes[n.index()].protocol
    }

    /// Makes room for the flags of every block in the tree. Call after adding blocks.
    pub fn grow(&mut self, tree: &BlockTree) {
        let n = self.nodes.len();
        while (self.block_flags.len() as u32 + self.history_len) < tree.len() as u32 {
            self.block_flags.push(vec![0u8; n].into_boxed_slice());
        }
    }

    fn flags(&self, b: BlockId, n: NodeId) -> u8 {
        match b.0.checked_sub(self.history_len) {
            None => flag::DATA | flag::VALID | flag::LINKED,
            Some(i) => self.block_flags[i as usize][n.index()],
        }
    }

    fn set_flag(&mut self, b: BlockId, n: NodeId, f: u8) {
        let i = b.0.checked_sub(self.history_len).expect("history blocks are immutable");
        self.block_flags[i as usize][n.index()] |= f;
    }

    fn clear_flag(&mut self, b: BlockId, n: NodeId, f: u8) {
        if let Some(i) = b.0.checked_sub(self.history_len) {
            self.block_flags[i as usize][n.index()] &= !f;
        }
    }

    fn peer_protocol(&self, topo: &Topology, e: u32) -> RelayProtocol {
        self.nodes[topo.peer(e).index()].protocol
    }

    /// True if the peer behind edge `e` is known to have block `b`.
    fn peer_has(&self, tree: &BlockTree, e: u32, b: BlockId) -> bool {
        tree.is_ancestor_or_self(b, self.best_known[e as usize])
            || tree.is_ancestor_or_self(b, self.best_sent[e as usize])
    }

    /// Core's `UpdateBlockAvailability`: the peer has shown it has `b`.
    fn note_peer_has(&mut self, tree: &BlockTree, r: NodeId, e: u32, b: BlockId) {
        let valid = tree.is_valid(b, self.nodes[r.index()].rules);
        let known = &mut self.best_known[e as usize];
        if valid && tree.get(b).chainwork >= tree.get(*known).chainwork {
            *known = b;
        }
    }

    /// True if `r` rejects `b`'s header before downloading anything: a header
    /// that fails the header checks, or one whose parent `r` found invalid
    /// (Core's `AcceptBlockHeader`: high-hash, bad-diffbits, time-too-old,
    /// time-timewarp-attack, bad-prevblk).
    fn header_rejected(&self, tree: &BlockTree, r: NodeId, b: BlockId) -> bool {
        let rec = tree.get(b);
        let header_error = matches!(
            tree.verdict(b, self.nodes[r.index()].rules),
            Err(BlockError::BadTarget { .. }
                | BlockError::BadDiffBits { .. }
                | BlockError::TimeTooOld { .. }
                | BlockError::TimeTimewarp { .. })
        );
        header_error || rec.parent.is_some_and(|p| self.flags(p, r) & flag::INVALID != 0)
    }

    fn validation_time(&self, tree: &BlockTree, b: BlockId) -> SimDuration {
        let per_byte = self.settings.validation_ns_per_byte * tree.get(b).size_bytes as f64;
        self.settings.validation_fixed + SimDuration(per_byte.round() as u64)
    }

    /// A message arrived at the owner of edge `e` (the receiver's edge toward the sender).
    pub fn on_message(&mut self, ctx: Ctx<'_>, e: u32, msg: Msg, out: &mut Vec<Action>) {
        let b = msg.block;
        let r = ctx.topo.owner(e);
        match msg.kind {
            MsgKind::Inv | MsgKind::Headers => {
                if self.header_rejected(ctx.tree, r, b) {
                    return;
                }
                self.note_peer_has(ctx.tree, r, e, b);
                if msg.kind == MsgKind::Headers {
                    self.header_seen(ctx, r, b, out);
                }
                self.request_chain(ctx, r, e, b, out);
            }
            MsgKind::GetData => self.serve(ctx, r, e, MsgKind::Block, b, out),
            MsgKind::GetDataCmpct => self.serve(ctx, r, e, MsgKind::CmpctBlock, b, out),
            MsgKind::GetBlockTxn => {
                let reply = Msg { kind: MsgKind::BlockTxn, ..msg };
                if self.flags(b, r) & flag::DATA != 0 {
                    out.push(Action::Send { edge: e, msg: reply });
                }
            }
            MsgKind::Block | MsgKind::CmpctBlock | MsgKind::BlockTxn => {
                if self.header_rejected(ctx.tree, r, b) {
                    return;
                }
                self.note_peer_has(ctx.tree, r, e, b);
                self.header_seen(ctx, r, b, out);
                // Core's AcceptBlock keeps an unrequested block only if it has at
                // least the tip's work; a compact block counts as requested.
                let requested = msg.kind == MsgKind::CmpctBlock || self.flags(b, r) & flag::IN_FLIGHT != 0;
                let tip_work = ctx.tree.get(self.nodes[r.index()].tip).chainwork;
                if !requested && ctx.tree.get(b).chainwork < tip_work {
                    return;
                }
                if msg.kind == MsgKind::CmpctBlock && !self.reconstruct(ctx, r, e, b, out) {
                    return;
                }
                self.receive_data(ctx, r, b, Some(e), out);
            }
            MsgKind::SendCmpctOn => self.peer_wants_hb[e as usize] = true,
            MsgKind::SendCmpctOff => self.peer_wants_hb[e as usize] = false,
        }
    }

    /// BIP152 reconstruction of compact block `b` from `r`'s mempool. True if
    /// nothing is missing; otherwise the missing transactions are requested
    /// with `getblocktxn` from the sender and the block waits for them.
    fn reconstruct(&mut self, ctx: Ctx<'_>, r: NodeId, e: u32, b: BlockId, out: &mut Vec<Action>) -> bool {
        let f = self.flags(b, r);
        if f & flag::DATA != 0 {
            return true;
        }
        // With filler contents every node holds every transaction.
        let Some(txs) = ctx.txs else { return true };
        let (missing, bytes) = txs.missing(r, b, ctx.now);
        out.push(Action::Compact { node: r, block: b, missing });
        if missing == 0 {
            return true;
        }
        if f & flag::IN_FLIGHT == 0 {
            self.set_flag(b, r, flag::IN_FLIGHT);
            self.nodes[r.index()].in_flight += 1;
        }
        let bytes = u32::try_from(bytes).expect("a block's transactions fit in 4e9 weight units");
        let request = Msg { kind: MsgKind::GetBlockTxn, block: b, count: missing, bytes };
        out.push(Action::Send { edge: e, msg: request });
        false
    }

    fn serve(&mut self, ctx: Ctx<'_>, r: NodeId, e: u32, kind: MsgKind, b: BlockId, out: &mut Vec<Action>) {
        // A node announces only blocks it holds, so a request for a block it
        // lacks cannot happen in this model; answering nothing is Core's
        // behaviour for unknown blocks anyway.
        if self.flags(b, r) & flag::DATA != 0 {
            self.best_sent[e as usize] = newer(ctx.tree, self.best_sent[e as usize], b);
            out.push(Action::Send { edge: e, msg: Msg::new(kind, b) });
        }
    }

    /// Core's block download (`HeadersDirectFetchBlocks`, `FindNextBlocksToDownload`):
    /// if the chain ending at `b` has at least as much work as our tip, request
    /// from the peer behind `e` the blocks of that chain that we neither hold nor
    /// await, back to the first block linked to our chain, oldest first, at most
    /// 16 at a time. A compact node asks for a compact block when that is the
    /// only block missing and nothing else is in flight.
    fn request_chain(&mut self, ctx: Ctx<'_>, r: NodeId, e: u32, b: BlockId, out: &mut Vec<Action>) {
        let tree = ctx.tree;
        if tree.get(b).chainwork < tree.get(self.nodes[r.index()].tip).chainwork {
            return;
        }
        let mut missing = Vec::new();
        let mut cur = b;
        while self.flags(cur, r) & flag::LINKED == 0 {
            if self.flags(cur, r) & (flag::DATA | flag::IN_FLIGHT) == 0 {
                missing.push(cur);
            }
            cur = tree.get(cur).parent.expect("history blocks are linked");
        }
        if missing.is_empty() {
            return;
        }
        missing.reverse();
        missing.truncate(MAX_BLOCKS_IN_TRANSIT_PER_PEER);
        let compact = self.nodes[r.index()].protocol == RelayProtocol::Compact
            && self.peer_protocol(ctx.topo, e) == RelayProtocol::Compact
            && missing.len() == 1
            && self.nodes[r.index()].in_flight == 0;
        let kind = if compact { MsgKind::GetDataCmpct } else { MsgKind::GetData };
        for m in missing {
            self.set_flag(m, r, flag::IN_FLIGHT);
            self.nodes[r.index()].in_flight += 1;
            out.push(Action::Send { edge: e, msg: Msg::new(kind, m) });
        }
    }

    /// `n` has the full data of `b` from outside the peer graph: it mined
    /// the block itself, or the pools' relay network delivered it.
    pub fn on_block_mined(&mut self, ctx: Ctx<'_>, n: NodeId, b: BlockId, out: &mut Vec<Action>) {
        self.receive_data(ctx, n, b, None, out);
    }

    /// `n` takes the branch ending at `tip` from outside the peer graph, every block of it
    /// that it lacks, oldest first: under `mining.gamma` a miner that builds on a contesting
    /// pool's block heard that block first, so its node holds it before the miner's own block.
    pub fn on_branch_heard(&mut self, ctx: Ctx<'_>, n: NodeId, tip: BlockId, out: &mut Vec<Action>) {
        let mut lacking = Vec::new();
        let mut b = tip;
        while self.flags(b, n) & flag::DATA == 0 {
            lacking.push(b);
            b = ctx.tree.get(b).parent.expect("a node holds the first block");
        }
        for &b in lacking.iter().rev() {
            self.receive_data(ctx, n, b, None, out);
        }
    }

    /// Makes `members` the nodes of the pools' relay network.
    pub fn set_overlay(&mut self, members: &[NodeId]) {
        for m in members {
            self.overlay[m.index()] = true;
        }
    }

    /// Makes node `n` run consensus rules `rules` (before the run starts).
    pub fn set_rules(&mut self, n: NodeId, rules: RulesId) {
        self.nodes[n.index()].rules = rules;
    }

    /// The consensus rules node `n` runs.
    pub fn rules(&self, n: NodeId) -> RulesId {
        self.nodes[n.index()].rules
    }

    /// True if `b`'s header time is too far ahead of node `n`'s clock
    /// (Core's `time-too-new`, under the rules of `n` at `b`'s height).
    fn too_new(&self, ctx: Ctx<'_>, n: NodeId, b: BlockId) -> bool {
        let rec = ctx.tree.get(b);
        let params = ctx.tree.params_at(self.nodes[n.index()].rules, rec.height);
        crate::consensus::check_time_not_too_new(i64::from(rec.header.time), ctx.clock_s(n), params).is_err()
    }

    /// Makes the miners at `miners` start on new headers before validating
    /// the blocks (header-first, "SPV" mining).
    pub fn set_header_first(&mut self, miners: &[NodeId]) {
        for m in miners {
            self.header_first[m.index()] = true;
        }
    }

    /// A header-first miner at `r` learned `b`'s header (from `headers`, a
    /// compact block or the block itself): if the header passes the checks a
    /// header gets and has more work than what `r` mines on, `r` mines on it.
    fn header_seen(&mut self, ctx: Ctx<'_>, r: NodeId, b: BlockId, out: &mut Vec<Action>) {
        if !self.header_first[r.index()] || self.header_rejected(ctx.tree, r, b) {
            return;
        }
        let header_tip = self.nodes[r.index()].header_tip;
        if self.too_new(ctx, r, b) || ctx.tree.get(b).chainwork <= ctx.tree.get(header_tip).chainwork {
            return;
        }
        self.nodes[r.index()].header_tip = b;
        out.push(Action::HeaderTip { node: r, block: b });
    }

    /// `r` found `b` invalid: a header-first miner building on it goes back
    /// to its tip.
    fn header_invalid(&mut self, tree: &BlockTree, r: NodeId, b: BlockId, out: &mut Vec<Action>) {
        let node = &mut self.nodes[r.index()];
        if self.header_first[r.index()] && tree.is_ancestor_or_self(b, node.header_tip) {
            node.header_tip = node.tip;
            out.push(Action::HeaderTip { node: r, block: node.tip });
        }
    }

    /// A pool at `n` publishes `blocks` (a chain, oldest first, that it mined
    /// and withheld): the node takes them as its own and announces them to
    /// every peer that lacks them, even when they do not give it more work
    /// than its tip (a withholding pool matching a public block).
    pub fn publish(&mut self, ctx: Ctx<'_>, n: NodeId, blocks: &[BlockId], out: &mut Vec<Action>) {
        if blocks.is_empty() {
            return;
        }
        for &b in blocks {
            self.receive_data(ctx, n, b, None, out);
        }
        self.announce(ctx, n, blocks, out);
    }

    /// Full data of `b` is now at `r` (received over `via`, or mined locally).
    fn receive_data(&mut self, ctx: Ctx<'_>, r: NodeId, b: BlockId, via: Option<u32>, out: &mut Vec<Action>) {
        let f = self.flags(b, r);
        if f & flag::DATA != 0 {
            return;
        }
        if f & flag::IN_FLIGHT != 0 {
            self.clear_flag(b, r, flag::IN_FLIGHT);
            self.nodes[r.index()].in_flight -= 1;
        }
        let rec = ctx.tree.get(b);
        if self.too_new(ctx, r, b) {
            // Core's time-too-new is not permanent: the block is dropped and can
            // be accepted when announced again later.
            return;
        }
        self.set_flag(b, r, flag::DATA);
        if !ctx.tree.is_valid(b, self.nodes[r.index()].rules) {
            self.set_flag(b, r, flag::INVALID);
            self.header_invalid(ctx.tree, r, b, out);
            return;
        }
        self.header_seen(ctx, r, b, out);
        if self.overlay[r.index()] {
            // FIBRE-style: the overlay forwards a block as soon as its data
            // is in, before validation.
            out.push(Action::OverlayPush { node: r, block: b });
        }
        if let Some(e) = via {
            let node = &mut self.nodes[r.index()];
            node.recent_delivery.rotate_right(1);
            node.recent_delivery[0] = (b, e);
        }
        self.fast_announce(ctx, r, b, out);
        let parent = rec.parent.expect("mined blocks have parents");
        if self.flags(parent, r) & flag::LINKED != 0 {
            self.link(ctx.tree, r, b);
            self.try_activate(ctx, r, out);
        }
        if let Some(e) = via {
            // Keep downloading what this peer has and we lack: the gap below
            // `b`, or the rest of a chain longer than one request covers.
            let target = self.best_known[e as usize];
            self.request_chain(ctx, r, e, target, out);
        }
    }

    /// BIP152 high-bandwidth relay before validation (Core's `NewPoWValidBlock`):
    /// if `b` builds on our tip and is higher than anything sent this way
    /// before, push it as a compact block to every HB peer that has its parent.
    fn fast_announce(&mut self, ctx: Ctx<'_>, r: NodeId, b: BlockId, out: &mut Vec<Action>) {
        let tree = ctx.tree;
        let rec = tree.get(b);
        let node = &mut self.nodes[r.index()];
        if node.protocol != RelayProtocol::Compact
            || rec.parent != Some(node.tip)
            || rec.height <= node.highest_fast_announced
        {
            return;
        }
        node.highest_fast_announced = rec.height;
        let parent = node.tip;
        for e in ctx.topo.edges_of(r) {
            if self.peer_wants_hb[e as usize] && !self.peer_has(tree, e, b) && self.peer_has(tree, e, parent)
            {
                self.best_sent[e as usize] = b;
                out.push(Action::Send { edge: e, msg: Msg::new(MsgKind::CmpctBlock, b) });
            }
        }
    }

    /// Marks `b` and every waiting descendant whose data is present as linked,
    /// in breadth-first order (Core numbers `nSequenceId` the same way), and
    /// adds the valid ones with more work than the tip as candidates.
    fn link(&mut self, tree: &BlockTree, r: NodeId, b: BlockId) {
        let mut queue = std::collections::VecDeque::from([b]);
        while let Some(x) = queue.pop_front() {
            self.set_flag(x, r, flag::LINKED);
            let tip_work = tree.get(self.nodes[r.index()].tip).chainwork;
            if self.flags(x, r) & flag::INVALID == 0 && tree.get(x).chainwork > tip_work {
                let node = &mut self.nodes[r.index()];
                node.candidates.push((x, node.next_seq));
                node.next_seq += 1;
            }
            for &c in &tree.get(x).children {
                if self.flags(c, r) & (flag::DATA | flag::LINKED) == flag::DATA {
                    queue.push_back(c);
                }
            }
        }
    }

    /// Starts validating toward the best candidate if it beats the tip and no
    /// validation is under way (Core's `ActivateBestChain`, one step at a time).
    fn try_activate(&mut self, ctx: Ctx<'_>, r: NodeId, out: &mut Vec<Action>) {
        let tree = ctx.tree;
        let node = &mut self.nodes[r.index()];
        if node.validating.is_some() {
            return;
        }
        let tip_work = tree.get(node.tip).chainwork;
        node.candidates.retain(|(c, _)| tree.get(*c).chainwork > tip_work);
        let Some(&(best, _)) = node
            .candidates
            .iter()
            .min_by(|a, b| tree.get(b.0).chainwork.cmp(&tree.get(a.0).chainwork).then(a.1.cmp(&b.1)))
        else {
            return;
        };
        let fork = tree.fork_point(node.tip, best);
        // Every block of the path is connected again, even one this node had
        // connected before a reorg took it away (Core re-runs ConnectBlock).
        let cost = tree
            .path_from(fork, best)
            .iter()
            .fold(SimDuration::ZERO, |acc, &x| acc + self.validation_time(tree, x));
        self.nodes[r.index()].validating = Some(best);
        out.push(Action::Validate { node: r, block: best, done_at: ctx.now + cost });
    }

    /// Validation of the path to `c` finished at `r`: connect it, relay it.
    pub fn on_validation_done(&mut self, ctx: Ctx<'_>, r: NodeId, c: BlockId, out: &mut Vec<Action>) {
        let tree = ctx.tree;
        let node = &mut self.nodes[r.index()];
        assert_eq!(node.validating, Some(c), "validation completed for a block not under validation");
        node.validating = None;
        let old = node.tip;
        assert!(tree.get(c).chainwork > tree.get(old).chainwork, "validated a block with no more work");
        let fork = tree.fork_point(old, c);
        let path = tree.path_from(fork, c);
        for &x in &path {
            if self.flags(x, r) & flag::VALID == 0 {
                self.set_flag(x, r, flag::VALID);
                out.push(Action::Connected { node: r, block: x });
            }
        }
        let node = &mut self.nodes[r.index()];
        node.tip = c;
        if tree.get(c).chainwork >= tree.get(node.header_tip).chainwork {
            node.header_tip = c;
        }
        if fork != old {
            out.push(Action::Reorg { node: r, old_tip: old, new_tip: c, fork });
        }
        out.push(Action::TipChanged { node: r, tip: c });
        // Core's BlockChecked promotes the deliverer only when the block was
        // the only one in flight.
        if self.nodes[r.index()].in_flight == 0 {
            self.promote_high_bandwidth(ctx, r, c, out);
        }
        self.announce(ctx, r, &path, out);
        self.try_activate(ctx, r, out);
    }

    /// Core's `MaybeSetPeerAsAnnouncingHeaderAndIDs`: the peer that delivered a
    /// newly connected block moves to the back of our HB list; the front is
    /// demoted when the list is full, keeping at least one outbound HB peer.
    fn promote_high_bandwidth(&mut self, ctx: Ctx<'_>, r: NodeId, c: BlockId, out: &mut Vec<Action>) {
        let max = self.settings.high_bandwidth_peers as usize;
        let node = &self.nodes[r.index()];
        if node.protocol != RelayProtocol::Compact || max == 0 {
            return;
        }
        let Some(&(_, e)) = node.recent_delivery.iter().find(|(b, _)| *b == c) else { return };
        if self.peer_protocol(ctx.topo, e) != RelayProtocol::Compact {
            return;
        }
        let topo = ctx.topo;
        let hb = &mut self.nodes[r.index()].hb_peers;
        if let Some(pos) = hb.iter().position(|&x| x == e) {
            hb.remove(pos);
            hb.push(e);
            return;
        }
        if hb.len() >= max {
            let outbound_count = hb.iter().filter(|&&x| topo.flags(x).outbound).count();
            let newcomer_inbound = !topo.flags(e).outbound;
            let victim =
                if newcomer_inbound && outbound_count == 1 && topo.flags(hb[0]).outbound && hb.len() > 1 {
                    1
                } else {
                    0
                };
            let demoted = hb.remove(victim);
            out.push(Action::Send { edge: demoted, msg: Msg::new(MsgKind::SendCmpctOff, c) });
        }
        hb.push(e);
        out.push(Action::Send { edge: e, msg: Msg::new(MsgKind::SendCmpctOn, c) });
    }

    /// Core's `UpdatedBlockTip` + `SendMessages`: announce the newly connected
    /// blocks (at most 8) to every peer not known to have them: a compact block
    /// to a high-bandwidth peer when exactly one block is new to it, `headers`
    /// to peers that asked for them, else an `inv` of the tip. Headers fall
    /// back to an `inv` when the peer lacks the block before the first header
    /// we would send (more than 8 behind).
    fn announce(&mut self, ctx: Ctx<'_>, r: NodeId, path: &[BlockId], out: &mut Vec<Action>) {
        let tree = ctx.tree;
        let c = *path.last().expect("non-empty path");
        let recent = &path[path.len().saturating_sub(MAX_BLOCKS_TO_ANNOUNCE)..];
        let protocol = self.nodes[r.index()].protocol;
        for e in ctx.topo.edges_of(r) {
            if self.peer_has(tree, e, c) {
                continue;
            }
            // Blocks the peer has form a prefix of the path, so the ones it
            // lacks are a suffix.
            let lacking = recent.iter().filter(|&&x| !self.peer_has(tree, e, x)).count();
            let first = recent[recent.len() - lacking];
            let parent_known = self.peer_has(tree, e, tree.get(first).parent.expect("mined block"));
            let headers_ok = speaks_headers(self.peer_protocol(ctx.topo, e)) && parent_known;
            match protocol {
                RelayProtocol::Unsolicited => {
                    for &x in &recent[recent.len() - lacking..] {
                        out.push(Action::Send { edge: e, msg: Msg::new(MsgKind::Block, x) });
                    }
                }
                RelayProtocol::Compact if self.peer_wants_hb[e as usize] && lacking == 1 && parent_known => {
                    out.push(Action::Send { edge: e, msg: Msg::new(MsgKind::CmpctBlock, c) });
                }
                RelayProtocol::Compact | RelayProtocol::Headers if headers_ok => {
                    let msg = Msg { kind: MsgKind::Headers, block: c, count: lacking as u32, bytes: 0 };
                    out.push(Action::Send { edge: e, msg });
                }
                _ => out.push(Action::Send { edge: e, msg: Msg::new(MsgKind::Inv, c) }),
            }
            self.best_sent[e as usize] = c;
        }
    }
}

/// True if a peer running `p` asks for BIP130 header announcements.
fn speaks_headers(p: RelayProtocol) -> bool {
    matches!(p, RelayProtocol::Headers | RelayProtocol::Compact)
}

/// The more-work of two blocks (the first on a tie).
fn newer(tree: &BlockTree, a: BlockId, b: BlockId) -> BlockId {
    if tree.get(b).chainwork > tree.get(a).chainwork { b } else { a }
}

/// What a handler may read: the block tree, the topology, the time and the
/// nodes' clocks (seconds since the Unix epoch).
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The block tree.
    pub tree: &'a BlockTree,
    /// The peer graph.
    pub topo: &'a Topology,
    /// Current simulated time.
    pub now: SimTime,
    /// The network's true time, in Unix seconds.
    pub node_clock_s: i64,
    /// Per node: how far its clock is off (seconds); empty when every
    /// clock is right.
    pub clock_skew_s: &'a [i64],
    /// What nodes know of transactions; `None` when blocks carry filler
    /// contents that every node holds.
    pub txs: Option<&'a dyn TxKnowledge>,
}

impl Ctx<'_> {
    /// Node `n`'s clock, in Unix seconds.
    pub fn clock_s(&self, n: NodeId) -> i64 {
        self.node_clock_s + self.clock_skew_s.get(n.index()).copied().unwrap_or(0)
    }
}

/// Which of a block's transactions a node lacks, for compact-block
/// reconstruction.
pub trait TxKnowledge {
    /// Transactions of `block` that `node` does not hold at `now`: their
    /// count and their total size in bytes.
    fn missing(&self, node: NodeId, block: BlockId, now: SimTime) -> (u32, u64);
}

#[cfg(test)]
mod tests;
