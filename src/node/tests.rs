//! Unit tests of the node state machine, driven by hand without the event
//! queue: a short chain history, a topology of a few nodes, and helpers that
//! deliver one [`Action::Send`] to the far end of its edge or complete one
//! [`Action::Validate`]. Each test plays an exchange step by step and asserts
//! on the exact actions every step produces. Function names refer to Bitcoin
//! Core's `net_processing.cpp` and `validation.cpp`.

use super::*;
use crate::chain::{NewBlock, Origin};
use crate::consensus::{
    BitcoinRetarget, BlockError, BlockHash, ConsensusParams, Header, RuleSchedule, sha256d,
};
use std::collections::VecDeque;

use MsgKind::{Block, CmpctBlock, GetData, GetDataCmpct, Headers, Inv, SendCmpctOff, SendCmpctOn};
use RelayProtocol::{Compact, Legacy, Unsolicited};

/// nBits of every valid block: mainnet's proof-of-work limit. The fixtures
/// stay far from a retarget height, so every child must carry it again.
const BITS: u32 = 0x1d00_ffff;
/// A valid target that is not the required one (`bad-diffbits`).
const WRONG_BITS: u32 = 0x1c7f_ffff;
/// Header time of the first history block.
const T0: u32 = 1_600_000_000;
/// Seconds between consecutive header times.
const SPACING: u32 = 600;
/// Height of the first history block (far from any multiple of 2016).
const ROOT_HEIGHT: u32 = 1_000;
/// History blocks: a full median-time-past window plus the start tip.
const HISTORY_LEN: u32 = 12;
/// Every node's clock: well after any header time used here.
const CLOCK_S: i64 = T0 as i64 + 1_000_000;
/// Default size of a mined block.
const BLOCK_BYTES: u64 = 500_000;
/// Fixed part of validating one block.
const VALIDATION_FIXED: SimDuration = SimDuration::from_millis(2);
/// Validation time per byte (20 ms per MB).
const NS_PER_BYTE: f64 = 20.0;

/// Validation time of one block of `size` bytes under the fixture settings.
fn cost(size: u64) -> SimDuration {
    VALIDATION_FIXED + SimDuration((NS_PER_BYTE * size as f64).round() as u64)
}

/// A tree holding only the history: `HISTORY_LEN` blocks at `BITS`, one
/// `SPACING` apart, ending at the start tip.
fn history() -> BlockTree {
    let mut tree =
        BlockTree::new(vec![RuleSchedule::constant(ConsensusParams::mainnet(), Box::new(BitcoinRetarget))]);
    let header = |prev: BlockHash, i: u32| Header {
        version: 0x2000_0000,
        prev_hash: prev,
        merkle_root: sha256d(&i.to_le_bytes()),
        time: T0 + i * SPACING,
        bits: BITS,
        nonce: 0,
    };
    let mut prev = tree.push_root(header(BlockHash([0; 32]), 0), ROOT_HEIGHT);
    for i in 1..HISTORY_LEN {
        prev = tree.push(NewBlock {
            header: header(tree.get(prev).hash, i),
            parent: prev,
            found_at: SimTime::ZERO,
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

/// A small network of nodes and the world around them, played by hand.
struct Net {
    tree: BlockTree,
    topo: Topology,
    nodes: Nodes,
    now: SimTime,
    clock_s: i64,
    salt: u32,
    /// `None`: blocks carry filler contents every node holds.
    lacks: Option<Lacks>,
}

/// Transactions nodes lack, set by hand: (node, block) -> (count, bytes).
#[derive(Default)]
struct Lacks(Vec<(NodeId, BlockId, u32, u64)>);

impl TxKnowledge for Lacks {
    fn missing(&self, node: NodeId, block: BlockId, _now: SimTime) -> (u32, u64) {
        self.0.iter().find(|x| x.0 == node && x.1 == block).map_or((0, 0), |x| (x.2, x.3))
    }
}

impl Net {
    /// Nodes running `protocols` over full-relay connections `edges` (the
    /// first node of a pair opens the connection), selecting up to `hb`
    /// high-bandwidth peers.
    fn new(protocols: &[RelayProtocol], edges: &[(u32, u32)], hb: u32) -> Net {
        let tree = history();
        let topo = Topology::from_edges(protocols.len() as u32, edges).expect("valid edge list");
        let settings = RelaySettings {
            high_bandwidth_peers: hb,
            validation_fixed: VALIDATION_FIXED,
            validation_ns_per_byte: NS_PER_BYTE,
        };
        let nodes = Nodes::new(protocols.to_vec(), &topo, &tree, settings);
        Net { tree, topo, nodes, now: SimTime(1_000_000_000), clock_s: CLOCK_S, salt: 0, lacks: None }
    }

    /// Every node runs `protocol`.
    fn uniform(protocol: RelayProtocol, n: usize, edges: &[(u32, u32)], hb: u32) -> Net {
        Net::new(&vec![protocol; n], edges, hb)
    }

    fn start(&self) -> BlockId {
        self.tree.start_tip()
    }

    /// Adds a block on `parent` with the given size and nBits (`None`: the
    /// required ones). Its time is one spacing after the parent's, so above
    /// the parent's median time past.
    fn add(&mut self, parent: BlockId, size: u64, bits: Option<u32>) -> BlockId {
        let p = self.tree.get(parent);
        let (prev_hash, time) = (p.hash, p.header.time + SPACING);
        let bits = bits.unwrap_or_else(|| self.tree.next_bits(RulesId::DEFAULT, parent, i64::from(time)));
        self.salt += 1;
        let header = Header {
            version: 0x2000_0000,
            prev_hash,
            merkle_root: sha256d(&self.salt.to_le_bytes()),
            time,
            bits,
            nonce: self.salt,
        };
        let b = self.tree.push(NewBlock {
            header,
            parent,
            found_at: self.now,
            origin: Origin::Mined(0),
            size_bytes: size,
            weight: 4 * size,
            tx_count: (size / 500).max(1) as u32,
            fees_sat: 0,
            coinbase_sat: 0,
        });
        self.nodes.grow(&self.tree);
        b
    }

    /// A valid block of the default size on `parent`.
    fn block(&mut self, parent: BlockId) -> BlockId {
        self.add(parent, BLOCK_BYTES, None)
    }

    /// `n`'s half-edge toward `peer`.
    fn edge(&self, n: u32, peer: u32) -> u32 {
        self.topo.find_edge(NodeId(n), NodeId(peer)).expect("connected")
    }

    /// Node `n` mined `b`.
    fn mined(&mut self, n: u32, b: BlockId) -> Vec<Action> {
        let mut out = Vec::new();
        let ctx = Ctx {
            tree: &self.tree,
            topo: &self.topo,
            now: self.now,
            node_clock_s: self.clock_s,
            clock_skew_s: &[],
            txs: self.lacks.as_ref().map(|l| l as &dyn TxKnowledge),
        };
        self.nodes.on_block_mined(ctx, NodeId(n), b, &mut out);
        out
    }

    /// `msg` from `from` arrives at `to`.
    fn recv(&mut self, from: u32, to: u32, msg: Msg) -> Vec<Action> {
        let e = self.edge(to, from);
        let mut out = Vec::new();
        let ctx = Ctx {
            tree: &self.tree,
            topo: &self.topo,
            now: self.now,
            node_clock_s: self.clock_s,
            clock_skew_s: &[],
            txs: self.lacks.as_ref().map(|l| l as &dyn TxKnowledge),
        };
        self.nodes.on_message(ctx, e, msg, &mut out);
        out
    }

    /// Carries out one action: delivers a `Send` to the far end of its edge,
    /// or completes a `Validate` (the clock moves to its `done_at`).
    fn step(&mut self, a: Action) -> Vec<Action> {
        let mut out = Vec::new();
        match a {
            Action::Send { edge, msg } => {
                let e = self.topo.reverse(edge);
                let ctx = Ctx {
                    tree: &self.tree,
                    topo: &self.topo,
                    now: self.now,
                    node_clock_s: self.clock_s,
                    clock_skew_s: &[],
                    txs: self.lacks.as_ref().map(|l| l as &dyn TxKnowledge),
                };
                self.nodes.on_message(ctx, e, msg, &mut out);
            }
            Action::Validate { node, block, done_at } => {
                self.now = self.now.max(done_at);
                let ctx = Ctx {
                    tree: &self.tree,
                    topo: &self.topo,
                    now: self.now,
                    node_clock_s: self.clock_s,
                    clock_skew_s: &[],
                    txs: self.lacks.as_ref().map(|l| l as &dyn TxKnowledge),
                };
                self.nodes.on_validation_done(ctx, node, block, &mut out);
            }
            other => panic!("only sends and validations can be carried out, not {other:?}"),
        }
        out
    }

    /// Carries out `actions` and everything they cause, first in first out,
    /// until nothing is left; returns every action produced on the way.
    fn settle(&mut self, actions: Vec<Action>) -> Vec<Action> {
        let mut queue: VecDeque<Action> = actions
            .into_iter()
            .filter(|a| matches!(a, Action::Send { .. } | Action::Validate { .. }))
            .collect();
        let mut log = Vec::new();
        while let Some(a) = queue.pop_front() {
            let out = self.step(a);
            queue.extend(
                out.iter().copied().filter(|a| matches!(a, Action::Send { .. } | Action::Validate { .. })),
            );
            log.extend(out);
        }
        log
    }

    /// Node `n` mines `b` and finishes validating it; returns what the
    /// validation produced (the announcements).
    fn mine_and_validate(&mut self, n: u32, b: BlockId) -> Vec<Action> {
        let out = self.mined(n, b);
        let v = out.iter().copied().find(|a| matches!(a, Action::Validate { .. })).expect("validation");
        self.step(v)
    }

    /// `from` sends `kind` about `b` to `to`.
    fn send(&self, from: u32, to: u32, kind: MsgKind, b: BlockId) -> Action {
        Action::Send { edge: self.edge(from, to), msg: Msg::new(kind, b) }
    }

    /// `from` announces `count` blocks ending at `b` to `to`.
    fn announce(&self, from: u32, to: u32, kind: MsgKind, b: BlockId, count: u8) -> Action {
        Action::Send {
            edge: self.edge(from, to),
            msg: Msg { kind, block: b, count: u32::from(count), bytes: 0 },
        }
    }

    /// `n` starts validating `path` (oldest first) toward its last block, now.
    fn validate(&self, n: u32, path: &[BlockId]) -> Action {
        let total = path.iter().fold(SimDuration::ZERO, |t, &x| t + cost(self.tree.get(x).size_bytes));
        Action::Validate { node: NodeId(n), block: *path.last().unwrap(), done_at: self.now + total }
    }

    fn has_data(&self, n: u32, b: BlockId) -> bool {
        self.nodes.flags(b, NodeId(n)) & flag::DATA != 0
    }

    fn tip(&self, n: u32) -> BlockId {
        self.nodes.tip(NodeId(n))
    }
}

fn connected(n: u32, b: BlockId) -> Action {
    Action::Connected { node: NodeId(n), block: b }
}

fn tip_changed(n: u32, b: BlockId) -> Action {
    Action::TipChanged { node: NodeId(n), tip: b }
}

/// The BIP152 `sendcmpct` messages among `out`, as (edge, high-bandwidth).
fn sendcmpct(out: &[Action]) -> Vec<(u32, bool)> {
    out.iter()
        .filter_map(|a| match a {
            Action::Send { edge, msg } if msg.kind == SendCmpctOn => Some((*edge, true)),
            Action::Send { edge, msg } if msg.kind == SendCmpctOff => Some((*edge, false)),
            _ => None,
        })
        .collect()
}

/// Legacy relay (`inv` when the peer did not ask for headers): a mined
/// block is validated first (`ActivateBestChain`), then announced with an
/// `inv` to every peer (`UpdatedBlockTip`); the receiver asks for it with
/// `getdata`, the sender answers with `block`, and the receiver validates,
/// connects and announces it onward, never back to the peer it came from
/// (`PeerHasHeader`).
#[test]
fn legacy_block_is_validated_then_announced_by_inv_and_downloaded() {
    // 2 - 0 - 1 - 3
    let mut net = Net::uniform(Legacy, 4, &[(0, 1), (0, 2), (1, 3)], 0);
    let b = net.block(net.start());

    let out = net.mined(0, b);
    assert_eq!(out, vec![net.validate(0, &[b])], "nothing is announced before validation");
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![
            connected(0, b),
            tip_changed(0, b),
            net.announce(0, 1, Inv, b, 1),
            net.announce(0, 2, Inv, b, 1),
        ]
    );
    assert_eq!(net.tip(0), b);

    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(1, 0, GetData, b)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.send(0, 1, Block, b)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(1, &[b])]);
    assert!(!net.nodes.has_valid(NodeId(1), b), "not connected before validation completes");
    let out = net.step(out[0]);
    assert_eq!(out, vec![connected(1, b), tip_changed(1, b), net.announce(1, 3, Inv, b, 1)]);
    assert_eq!(net.tip(1), b);
    assert!(net.nodes.has_valid(NodeId(1), b));
}

/// BIP130 headers announcements: a peer that asked for `sendheaders`
/// gets a `headers` message carrying the one new header and requests the
/// block with a plain `getdata` (no compact blocks in this protocol). A peer
/// that does not speak headers (legacy) still gets an `inv`.
#[test]
fn headers_announcement_carries_one_header_and_is_answered_by_getdata() {
    // 0 (headers) is connected to 1 (headers) and 2 (legacy).
    let mut net = Net::new(&[RelayProtocol::Headers, RelayProtocol::Headers, Legacy], &[(0, 1), (0, 2)], 0);
    let b = net.block(net.start());

    let out = net.mine_and_validate(0, b);
    assert_eq!(
        out,
        vec![
            connected(0, b),
            tip_changed(0, b),
            net.announce(0, 1, Headers, b, 1),
            net.announce(0, 2, Inv, b, 1)
        ]
    );
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(1, 0, GetData, b)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.send(0, 1, Block, b)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(1, &[b])]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![connected(1, b), tip_changed(1, b)], "its only peer has the block");
}

/// BIP152 low-bandwidth mode (`HeadersDirectFetchBlocks`): with no
/// high-bandwidth peers a block is announced by `headers`; when exactly one
/// block is needed and nothing else is in flight the request is
/// `getdata(MSG_CMPCT_BLOCK)`, answered by `cmpctblock`.
#[test]
fn compact_low_bandwidth_requests_one_block_as_compact() {
    let mut net = Net::uniform(Compact, 3, &[(0, 1), (1, 2)], 3);
    let b = net.block(net.start());

    let out = net.mined(0, b);
    assert_eq!(out, vec![net.validate(0, &[b])], "no HB peer: nothing is pushed before validation");
    let out = net.step(out[0]);
    assert_eq!(out, vec![connected(0, b), tip_changed(0, b), net.announce(0, 1, Headers, b, 1)]);
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(1, 0, GetDataCmpct, b)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.send(0, 1, CmpctBlock, b)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(1, &[b])]);
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![
            connected(1, b),
            tip_changed(1, b),
            net.send(1, 0, SendCmpctOn, b),
            net.announce(1, 2, Headers, b, 1),
        ]
    );
}

/// `HeadersDirectFetchBlocks` uses `getdata(MSG_CMPCT_BLOCK)` only
/// for a single needed block with nothing else in flight; otherwise the
/// blocks are requested in full, oldest first, from the announcing peer.
#[test]
fn compact_request_falls_back_to_full_blocks() {
    let mut net = Net::uniform(Compact, 3, &[(0, 1), (0, 2)], 3);
    let s = net.start();
    let (a1, a2) = (net.block(s), net.block(s));
    let a3 = net.block(a2);

    // Two blocks needed: both in full.
    let out = net.recv(1, 0, Msg { kind: Headers, block: a3, count: 2, bytes: 0 });
    assert_eq!(out, vec![net.send(0, 1, GetData, a2), net.send(0, 1, GetData, a3)]);
    // One block needed, but others are in flight: in full too.
    let out = net.recv(2, 0, Msg::new(Headers, a1));
    assert_eq!(out, vec![net.send(0, 2, GetData, a1)]);
    // A block already in flight is not requested again.
    let out = net.recv(2, 0, Msg { kind: Headers, block: a3, count: 2, bytes: 0 });
    assert_eq!(out, vec![]);
}

/// BIP152 high-bandwidth mode (`NewPoWValidBlock`): a block that builds
/// on the tip is pushed as `cmpctblock` to every peer that asked for HB mode
/// before it is validated, both by its miner and by a node that receives it,
/// and it is not sent again once validation completes.
#[test]
fn compact_high_bandwidth_pushes_before_validation() {
    // 0 - 1 - 2; 1 opens the connection to 0 and 2 the one to 1, so 1 asks 0
    // and 2 asks 1 for high-bandwidth mode.
    let mut net = Net::uniform(Compact, 3, &[(1, 0), (2, 1)], 3);
    net.nodes.init_high_bandwidth(&net.topo, |c, _| c.to_vec());
    let b = net.block(net.start());

    let out = net.mined(0, b);
    assert_eq!(out, vec![net.send(0, 1, CmpctBlock, b), net.validate(0, &[b])]);
    let (push01, validate0) = (out[0], out[1]);

    let out = net.step(push01);
    assert_eq!(out, vec![net.send(1, 2, CmpctBlock, b), net.validate(1, &[b])], "relayed on receipt");
    let (push12, validate1) = (out[0], out[1]);

    assert_eq!(net.step(validate0), vec![connected(0, b), tip_changed(0, b)], "not sent again");
    assert_eq!(
        net.step(validate1),
        vec![connected(1, b), tip_changed(1, b)],
        "not sent again, and 0 already is an HB peer of 1"
    );
    let out = net.step(push12);
    assert_eq!(out, vec![net.validate(2, &[b])]);
    assert_eq!(net.step(out[0]), vec![connected(2, b), tip_changed(2, b)]);
}

/// `MaybeSetPeerAsAnnouncingHeaderAndIDs`: after validating a block
/// that a peer delivered (the only one in flight), the node asks that peer
/// for HB mode with `sendcmpct(true)`; with one HB slot, a second, different
/// deliverer takes the slot and the first gets `sendcmpct(false)`. The peer
/// pushes compact blocks exactly while HB mode is on.
#[test]
fn high_bandwidth_slot_goes_to_the_last_deliverer() {
    // 1 - 0 - 2, 0 opened both connections.
    let mut net = Net::uniform(Compact, 3, &[(0, 1), (0, 2)], 1);
    let b1 = net.block(net.start());
    let b2 = net.block(b1);

    // 1 mines b1 and 0 fetches it in low-bandwidth mode.
    let out = net.mine_and_validate(1, b1);
    assert_eq!(out, vec![connected(1, b1), tip_changed(1, b1), net.announce(1, 0, Headers, b1, 1)]);
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(0, 1, GetDataCmpct, b1)]);
    let out = net.step(out[0]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(0, &[b1])]);
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![
            connected(0, b1),
            tip_changed(0, b1),
            net.send(0, 1, SendCmpctOn, b1),
            net.announce(0, 2, Headers, b1, 1),
        ]
    );
    assert_eq!(net.nodes.nodes[0].hb_peers, vec![net.edge(0, 1)]);
    let (on1, to2) = (out[2], out[3]);
    assert_eq!(net.step(on1), vec![]);
    assert!(net.nodes.peer_wants_hb[net.edge(1, 0) as usize]);

    // 2 gets b1 from 0 (and asks 0 for HB mode in turn), then mines b2.
    let log = net.settle(vec![to2]);
    assert_eq!(sendcmpct(&log), vec![(net.edge(2, 0), true)]);
    assert_eq!(net.tip(2), b1);
    let out = net.mine_and_validate(2, b2);
    assert_eq!(out, vec![connected(2, b2), tip_changed(2, b2), net.announce(2, 0, Headers, b2, 1)]);

    // 0 fetches b2 from 2: 2 takes the only HB slot, 1 is demoted.
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(0, 2, GetDataCmpct, b2)]);
    let out = net.step(out[0]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(0, &[b2])], "1 did not ask 0 for HB mode: no push");
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![
            connected(0, b2),
            tip_changed(0, b2),
            net.send(0, 1, SendCmpctOff, b2),
            net.send(0, 2, SendCmpctOn, b2),
            net.announce(0, 1, Headers, b2, 1),
        ]
    );
    assert_eq!(net.nodes.nodes[0].hb_peers, vec![net.edge(0, 2)]);
    let (off1, on2) = (out[2], out[3]);
    assert_eq!(net.step(off1), vec![]);
    assert!(!net.nodes.peer_wants_hb[net.edge(1, 0) as usize]);
    assert_eq!(net.step(on2), vec![]);

    // Now 2 pushes its next block to 0 before validating it.
    let b3 = net.block(b2);
    assert_eq!(net.mined(2, b3), vec![net.send(2, 0, CmpctBlock, b3), net.validate(2, &[b3])]);
}

/// `MaybeSetPeerAsAnnouncingHeaderAndIDs` (second rule): when an inbound
/// peer takes a full HB list, the last outbound HB peer is kept and the
/// other one is demoted; a deliverer already in the list only moves to its
/// back, with no message.
#[test]
fn inbound_newcomer_never_demotes_the_last_outbound_hb_peer() {
    // 0 opened the connection to 1; 2 and 3 opened theirs to 0.
    let mut net = Net::uniform(Compact, 4, &[(0, 1), (2, 0), (3, 0)], 2);
    net.nodes.init_high_bandwidth(&net.topo, |c, _| c.to_vec());
    assert_eq!(net.nodes.nodes[0].hb_peers, vec![net.edge(0, 1)]);
    let b1 = net.block(net.start());
    let b2 = net.block(b1);
    let b3 = net.block(b2);

    let deliver = |net: &mut Net, from: u32, b: BlockId| {
        let out = net.recv(from, 0, Msg::new(CmpctBlock, b));
        let v = *out.iter().find(|a| matches!(a, Action::Validate { .. })).unwrap();
        net.step(v)
    };
    // Inbound 2 fills the list.
    assert_eq!(sendcmpct(&deliver(&mut net, 2, b1)), vec![(net.edge(0, 2), true)]);
    assert_eq!(net.nodes.nodes[0].hb_peers, vec![net.edge(0, 1), net.edge(0, 2)]);
    // Inbound 3 takes 2's slot, not the outbound 1's.
    assert_eq!(sendcmpct(&deliver(&mut net, 3, b2)), vec![(net.edge(0, 2), false), (net.edge(0, 3), true)]);
    assert_eq!(net.nodes.nodes[0].hb_peers, vec![net.edge(0, 1), net.edge(0, 3)]);
    // 1 delivers next: it moves to the back silently.
    assert_eq!(sendcmpct(&deliver(&mut net, 1, b3)), vec![]);
    assert_eq!(net.nodes.nodes[0].hb_peers, vec![net.edge(0, 3), net.edge(0, 1)]);
}

/// Fork choice at equal work (`CBlockIndexWorkComparator`) and first-seen propagation: a
/// sibling of the tip with the same work is downloaded and stored, but it
/// is neither connected nor relayed (it is not the tip's child and not a new
/// tip). When a child makes its branch heavier the node reorganises (fork at
/// the common parent), connects both blocks and announces them together:
/// `headers` carrying both, as the peer lacks both.
#[test]
fn equal_work_sibling_is_stored_silently_until_its_child_wins() {
    // 0 - 1 - 2
    let mut net = Net::uniform(RelayProtocol::Headers, 3, &[(0, 1), (1, 2)], 0);
    let s = net.start();
    let x = net.block(s);
    let y = net.block(s);
    let z = net.block(y);

    // 1 mines x; 2 gets it, 1's announcement to 0 is still on its way.
    let out = net.mine_and_validate(1, x);
    assert_eq!(
        out,
        vec![
            connected(1, x),
            tip_changed(1, x),
            net.announce(1, 0, Headers, x, 1),
            net.announce(1, 2, Headers, x, 1),
        ]
    );
    let late_x = out[2];
    let log = net.settle(vec![out[3]]);
    assert_eq!(net.tip(2), x);
    let back = net.edge(2, 1);
    assert!(
        !log.iter().any(|a| matches!(a, Action::Send { edge, msg } if *edge == back && msg.kind != GetData)),
        "2 does not announce x back to 1: {log:?}"
    );

    // 0 mines the sibling y; 1 downloads it (equal work) but does nothing else.
    let out = net.mine_and_validate(0, y);
    assert_eq!(out, vec![connected(0, y), tip_changed(0, y), net.announce(0, 1, Headers, y, 1)]);
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(1, 0, GetData, y)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.send(0, 1, Block, y)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![], "no validation, no reorg, no relay");
    assert_eq!(net.tip(1), x);
    assert!(net.has_data(1, y), "the sibling is stored");
    assert!(!net.nodes.has_valid(NodeId(1), y));

    // 0 mines z on y: 1 needs only z, then switches branches.
    let out = net.mine_and_validate(0, z);
    assert_eq!(out, vec![connected(0, z), tip_changed(0, z), net.announce(0, 1, Headers, z, 1)]);
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(1, 0, GetData, z)]);
    let out = net.step(out[0]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(1, &[y, z])]);
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![
            connected(1, y),
            connected(1, z),
            Action::Reorg { node: NodeId(1), old_tip: x, new_tip: z, fork: s },
            tip_changed(1, z),
            net.announce(1, 2, Headers, z, 2),
        ]
    );
    assert_eq!(net.tip(1), z);

    // 2 fetches both blocks from 1 and reorganises too.
    let out = net.step(out[4]);
    assert_eq!(out, vec![net.send(2, 1, GetData, y), net.send(2, 1, GetData, z)]);
    net.settle(out);
    assert_eq!(net.tip(2), z);

    // The stale announcement of x finally reaches 0: less work, ignored.
    assert_eq!(net.step(late_x), vec![]);
}

/// The same race under legacy relay: the sibling is still stored silently
/// and the reorg is announced by an `inv` for the new tip, from which the
/// peer fetches both missing blocks.
#[test]
fn legacy_reorg_is_announced_by_inv_of_the_new_tip() {
    let mut net = Net::uniform(Legacy, 3, &[(0, 1), (1, 2)], 0);
    let s = net.start();
    let x = net.block(s);
    let y = net.block(s);
    let z = net.block(y);
    let out = net.mine_and_validate(1, x);
    net.settle(vec![out[3]]);
    assert_eq!(net.tip(2), x);

    assert_eq!(net.recv(0, 1, Msg::new(Block, y)), vec![]);
    let out = net.recv(0, 1, Msg::new(Block, z));
    assert_eq!(out, vec![net.validate(1, &[y, z])]);
    let out = net.step(out[0]);
    assert_eq!(out.len(), 5);
    assert_eq!(out[2], Action::Reorg { node: NodeId(1), old_tip: x, new_tip: z, fork: s });
    let Action::Send { edge, msg } = out[4] else { panic!("expected an announcement, got {:?}", out[4]) };
    assert_eq!((edge, msg.kind, msg.block), (net.edge(1, 2), Inv, z));
    let out = net.step(out[4]);
    assert_eq!(out, vec![net.send(2, 1, GetData, y), net.send(2, 1, GetData, z)]);
    net.settle(out);
    assert_eq!(net.tip(2), z);
}

/// A block whose parent's data is missing waits unlinked (Core's
/// `m_blocks_unlinked`) and the missing parent is requested from the peer
/// that sent the child. Here the parent was first dropped as `time-too-new`
/// (not a permanent failure). When it arrives, both get their sequence
/// number and are connected in one validation; the tip becomes the child.
#[test]
fn missing_parent_is_fetched_and_both_connect_in_one_validation() {
    let mut net = Net::uniform(Unsolicited, 2, &[(0, 1)], 0);
    let s = net.start();
    let b1 = net.block(s);
    let b2 = net.block(b1);

    let out = net.mine_and_validate(0, b1);
    assert_eq!(out, vec![connected(0, b1), tip_changed(0, b1), net.send(0, 1, Block, b1)]);
    // 1's clock is more than two hours behind b1's time: b1 is dropped.
    net.clock_s = i64::from(net.tree.get(b1).header.time) - 7200 - 1;
    assert_eq!(net.step(out[2]), vec![]);
    assert!(!net.has_data(1, b1));
    net.clock_s = CLOCK_S;

    // 0 thinks 1 has b1 and pushes b2 alone; 1 asks 0 for the parent.
    let out = net.mine_and_validate(0, b2);
    assert_eq!(out, vec![connected(0, b2), tip_changed(0, b2), net.send(0, 1, Block, b2)]);
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(1, 0, GetData, b1)]);
    assert!(net.has_data(1, b2));
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.send(0, 1, Block, b1)]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(1, &[b1, b2])]);
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![connected(1, b1), connected(1, b2), tip_changed(1, b2)],
        "no reorg, nothing to relay"
    );
    assert_eq!(net.tip(1), b2);
}

/// `HeadersDirectFetchBlocks` fetches only chains with at least as
/// much work as the tip: an announced block with less work is not requested;
/// one with equal work is, with its missing ancestors, oldest first.
#[test]
fn blocks_with_less_work_than_the_tip_are_not_requested() {
    let mut net = Net::uniform(RelayProtocol::Headers, 2, &[(0, 1)], 0);
    let s = net.start();
    let x1 = net.block(s);
    let x2 = net.block(x1);
    let y1 = net.block(s);
    let y2 = net.block(y1);
    net.mine_and_validate(1, x1);
    net.mine_and_validate(1, x2);
    assert_eq!(net.tip(1), x2);

    assert_eq!(net.recv(0, 1, Msg::new(Headers, y1)), vec![], "less work");
    assert_eq!(net.recv(0, 1, Msg::new(Inv, y1)), vec![], "less work");
    assert!(!net.has_data(1, y1));
    let out = net.recv(0, 1, Msg { kind: Headers, block: y2, count: 2, bytes: 0 });
    assert_eq!(out, vec![net.send(1, 0, GetData, y1), net.send(1, 0, GetData, y2)], "equal work");
}

/// An invalid block (here `bad-diffbits`, from `ContextualCheckBlockHeader`) is never connected
/// and never relayed, not even by BIP152's pre-validation push (which
/// Core makes only after the header and block checks pass); its child is invalid too. A
/// valid competitor is accepted normally afterwards.
#[test]
fn invalid_block_and_its_child_are_never_connected_or_relayed() {
    // 0 - 1 - 2 with 2 asking 1 for HB mode, so 1 would push a valid block
    // early (and 1 asking 0).
    let mut net = Net::uniform(Compact, 3, &[(1, 0), (2, 1)], 3);
    net.nodes.init_high_bandwidth(&net.topo, |c, _| c.to_vec());
    let s = net.start();
    let bad = net.add(s, BLOCK_BYTES, Some(WRONG_BITS));
    let child = net.block(bad);
    assert!(matches!(
        net.tree.verdict(bad, RulesId::DEFAULT),
        Err(BlockError::BadDiffBits { got: WRONG_BITS, .. })
    ));
    assert!(net.tree.verdict(child, RulesId::DEFAULT).is_err());

    // Its own miner does not validate or announce it.
    assert_eq!(net.mined(0, bad), vec![]);
    assert_eq!(net.tip(0), s);
    // Pushed to 1 anyway, block and child are dropped without a trace.
    assert_eq!(net.recv(0, 1, Msg::new(CmpctBlock, bad)), vec![]);
    assert_eq!(net.recv(0, 1, Msg::new(Block, child)), vec![]);
    assert_eq!(net.recv(0, 1, Msg { kind: Headers, block: child, count: 2, bytes: 0 }), vec![]);
    assert_eq!(net.tip(1), s);
    assert!(!net.nodes.has_valid(NodeId(1), bad));
    assert!(!net.nodes.has_valid(NodeId(1), child));

    // A valid block at the same height, mined by 2, is fetched, connected
    // and announced to 0, which does not have it.
    let good = net.block(s);
    let out = net.mine_and_validate(2, good);
    assert_eq!(out, vec![connected(2, good), tip_changed(2, good), net.announce(2, 1, Headers, good, 1)]);
    let out = net.step(out[2]);
    assert_eq!(out, vec![net.send(1, 2, GetDataCmpct, good)]);
    let out = net.step(out[0]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![net.validate(1, &[good])]);
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![
            connected(1, good),
            tip_changed(1, good),
            net.send(1, 2, SendCmpctOn, good),
            net.announce(1, 0, Headers, good, 1),
        ]
    );
}

/// Unsolicited relay (the push model SimBlock-style simulators use): after
/// validation the full block goes to every peer not known to have it,
/// including peers that already got it from someone else (the sender cannot
/// know); duplicates are ignored by the receiver.
#[test]
fn unsolicited_pushes_full_block_to_every_peer_not_known_to_have_it() {
    // Triangle.
    let mut net = Net::uniform(Unsolicited, 3, &[(0, 1), (0, 2), (1, 2)], 0);
    let b = net.block(net.start());

    let out = net.mined(0, b);
    assert_eq!(out, vec![net.validate(0, &[b])]);
    let out = net.step(out[0]);
    assert_eq!(
        out,
        vec![connected(0, b), tip_changed(0, b), net.send(0, 1, Block, b), net.send(0, 2, Block, b)]
    );
    let (to1, to2) = (out[2], out[3]);

    let out = net.step(to1);
    assert_eq!(out, vec![net.validate(1, &[b])]);
    let out = net.step(out[0]);
    assert_eq!(out, vec![connected(1, b), tip_changed(1, b), net.send(1, 2, Block, b)], "not back to 0");
    let from1 = out[2];

    let out = net.step(to2);
    assert_eq!(out, vec![net.validate(2, &[b])]);
    assert_eq!(net.step(from1), vec![], "duplicate");
    assert_eq!(net.step(out[0]), vec![connected(2, b), tip_changed(2, b)], "both peers have it");
}

/// Validation time (simulator model of `ConnectBlock` cost): one block takes
/// the fixed cost plus the per-byte cost of its size; a reorg validates
/// every block on the path from the fork, so the times add up.
#[test]
fn validation_time_is_fixed_plus_per_byte_summed_over_the_path() {
    let mut net = Net::uniform(Legacy, 2, &[(0, 1)], 0);
    let s = net.start();
    let x = net.add(s, 500_000, None);
    let y = net.add(s, 100_000, None);
    let z = net.add(y, 250_000, None);

    net.now = SimTime(7_000_000_000);
    let out = net.mined(1, x);
    // 2 ms + 20 ns x 500,000 bytes = 12 ms.
    assert_eq!(out, vec![Action::Validate { node: NodeId(1), block: x, done_at: SimTime(7_012_000_000) }]);
    net.step(out[0]);
    assert_eq!(net.now, SimTime(7_012_000_000));

    assert_eq!(net.recv(0, 1, Msg::new(Block, y)), vec![]);
    net.now = SimTime(9_000_000_000);
    let out = net.recv(0, 1, Msg::new(Block, z));
    // y: 2 ms + 2 ms; z: 2 ms + 5 ms.
    assert_eq!(out, vec![Action::Validate { node: NodeId(1), block: z, done_at: SimTime(9_011_000_000) }]);
}

/// Core's download scheduler (`FindNextBlocksToDownload`) fetches the gap below
/// a block a node already holds once the peer's chain has more work than the
/// tip: a node must never stay on a chain with less work.
#[test]
fn unlinked_branch_with_more_work_is_fetched() {
    // R = 0, Q = 1, M = 2; 0 asks 1 and 1 asks 2 for high-bandwidth mode.
    let mut net = Net::uniform(Compact, 3, &[(0, 1), (1, 2)], 3);
    net.nodes.init_high_bandwidth(&net.topo, |c, _| c.to_vec());
    let s = net.start();
    let x1 = net.block(s);
    let x2 = net.block(x1);
    let x3 = net.block(x2);
    let y1 = net.block(s);
    let y2 = net.block(y1);
    let y3 = net.block(y2);
    let y4 = net.block(y3);
    let y5 = net.block(y4);
    let mine_at_m = |net: &mut Net, b: BlockId| {
        let out = net.mined(2, b);
        assert_eq!(out[0], net.send(2, 1, CmpctBlock, b));
        net.step(out[1]);
        out[0]
    };
    let (p1, p2) = (mine_at_m(&mut net, y1), mine_at_m(&mut net, y2));
    let out = net.mine_and_validate(0, x1);
    net.settle(vec![out[2]]);
    assert_eq!(net.tip(1), x1);
    let mut r_to_q = Vec::new();
    for x in [x2, x3] {
        let out = net.mined(0, x);
        r_to_q.push(out[0]);
        net.step(out[1]);
    }
    assert_eq!(net.tip(0), x3);
    assert_eq!(net.step(p1), vec![]);
    let out = net.step(p2);
    let out = net.step(out[0]);
    let to_r = *out.last().unwrap();
    assert_eq!(to_r, net.announce(1, 0, Headers, y2, 2));
    assert_eq!(net.step(to_r), vec![]); // R has more work: it downloads nothing yet.
    for y in [y3, y4, y5] {
        let push = mine_at_m(&mut net, y);
        let out = net.step(push);
        assert_eq!(out[0], net.send(1, 0, CmpctBlock, y)); // pushed early to R
        net.settle(out);
    }
    net.settle(r_to_q);
    assert_eq!(net.tip(0), y5, "R fetched y1 and y2 and moved to the heavier chain");
}

/// Core's `BlockChecked` promotes the deliverer to high-bandwidth mode only
/// when the block was the only one in flight.
#[test]
fn no_hb_promotion_while_another_block_is_in_flight() {
    let mut net = Net::uniform(Compact, 3, &[(0, 1), (0, 2)], 3);
    let s = net.start();
    let (a, b) = (net.block(s), net.block(s));
    assert_eq!(net.recv(1, 0, Msg::new(Headers, a)), vec![net.send(0, 1, GetDataCmpct, a)]);
    assert_eq!(net.recv(2, 0, Msg::new(Headers, b)), vec![net.send(0, 2, GetData, b)]);
    let out = net.recv(1, 0, Msg::new(CmpctBlock, a));
    let out = net.step(out[0]);
    assert_eq!(sendcmpct(&out), vec![], "b is still in flight");
}

/// `HeaderTip` of header-first node `n` to `b`.
fn header_tip(n: u32, b: BlockId) -> Action {
    Action::HeaderTip { node: NodeId(n), block: b }
}

/// Header-first ("SPV") mining: a node whose miners start on new headers
/// moves its mining tip as soon as a header with more work arrives, before
/// downloading or validating the block; the tip itself moves only after
/// validation, when the two agree again. Another node keeps mining on its
/// tip and produces no `HeaderTip`.
#[test]
fn header_first_miners_move_on_a_header_before_validation() {
    let mut net = Net::uniform(RelayProtocol::Headers, 3, &[(0, 1), (0, 2)], 0);
    net.nodes.set_header_first(&[NodeId(1)]);
    let s = net.start();
    let b = net.block(s);
    let out = net.mine_and_validate(0, b);
    let to_1 = out.iter().copied().find(|a| *a == net.announce(0, 1, Headers, b, 1)).expect("announced");
    let to_2 = out.iter().copied().find(|a| *a == net.announce(0, 2, Headers, b, 1)).expect("announced");

    assert_eq!(net.step(to_1), vec![header_tip(1, b), net.send(1, 0, GetData, b)]);
    assert_eq!((net.tip(1), net.nodes.mining_tip(NodeId(1))), (s, b));
    assert_eq!(net.step(to_2), vec![net.send(2, 0, GetData, b)]);
    assert_eq!(net.nodes.mining_tip(NodeId(2)), s);

    // The same header again, or one with less work, changes nothing.
    assert_eq!(net.recv(0, 1, Msg::new(Headers, b)), vec![]);
    let log = net.settle(vec![net.send(1, 0, GetData, b)]);
    assert!(log.contains(&tip_changed(1, b)), "{log:?}");
    assert!(!log.iter().any(|a| matches!(a, Action::HeaderTip { .. })), "{log:?}");
    assert_eq!((net.tip(1), net.nodes.mining_tip(NodeId(1))), (b, b));
}

/// A header-first miner builds on a compact block's header while it still
/// fetches missing transactions, and on a block whose body turns out invalid
/// until its data arrives: then it goes back to its tip (the risk SPV
/// mining ran in July 2015). The invalid block is never connected.
#[test]
fn header_first_miners_leave_a_header_whose_block_is_invalid() {
    let mut net = Net::uniform(Compact, 2, &[(1, 0)], 1);
    net.nodes.init_high_bandwidth(&net.topo, |c, _| c.to_vec());
    net.nodes.set_header_first(&[NodeId(1)]);
    let s = net.start();
    // Heavier than the 4,000,000 weight units a block may have.
    let heavy = net.add(s, 1_100_000, None);
    assert!(matches!(net.tree.verdict(heavy, RulesId::DEFAULT), Err(BlockError::BadWeight { .. })));
    net.lacks = Some(Lacks(vec![(NodeId(1), heavy, 3, 900)]));

    let out = net.recv(0, 1, Msg::new(CmpctBlock, heavy));
    assert_eq!(out[0], header_tip(1, heavy), "{out:?}");
    assert_eq!(net.nodes.mining_tip(NodeId(1)), heavy);
    assert!(
        out.iter().any(|a| matches!(a, Action::Send { msg: Msg { kind: MsgKind::GetBlockTxn, .. }, .. }))
    );

    let txn = Msg { kind: MsgKind::BlockTxn, block: heavy, count: 3, bytes: 900 };
    assert_eq!(net.recv(0, 1, txn), vec![header_tip(1, s)]);
    assert_eq!((net.tip(1), net.nodes.mining_tip(NodeId(1))), (s, s));
    assert!(!net.nodes.has_valid(NodeId(1), heavy));
}
