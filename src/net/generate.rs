//! Peer-graph generators: Bitcoin Core's connection rules, SimBlock's 2015
//! degree distribution, random regular graphs, complete graphs and given edge
//! lists.
//!
//! Every generated graph is connected. A random generator that produces a
//! disconnected graph tries again with fresh draws from the same generator, up
//! to [`GENERATION_ATTEMPTS`] times, then fails with
//! [`TopologyError::Disconnected`]. Generation is near-linear in the number of
//! connections: targets are drawn by rejection from a list of candidates, and
//! a full scan happens only when nearly every candidate is excluded.

use super::regular::{complete, random_regular};
use super::topology::{Connection, Topology, TopologyError};
use crate::sim::SimRng;

/// How many graphs a random generator draws before giving up on connectivity.
pub const GENERATION_ATTEMPTS: u32 = 5;

/// The largest network a `Complete` topology may have: n(n−1)/2 connections
/// grow quickly (5,000 nodes already make 12.5 million), and relaying over a
/// complete graph that large is too slow to be useful.
pub const MAX_COMPLETE_NODES: usize = 5000;

/// Outbound degree distribution measured by Miller et al. 2015 (Coinscope) and
/// used by SimBlock's `BitcoinCoreTable`: `P[d <= k]` for k = 1..=20.
pub const MILLER_2015_DEGREE_CDF: [f64; 20] = [
    0.025, 0.050, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.80, 0.85, 0.90, 0.95, 0.97, 0.97, 0.98,
    0.99, 0.995, 1.0,
];

/// Random draws tried before scanning every candidate for one that is allowed.
const PICK_TRIES: u32 = 64;

/// What a generator needs to know about one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSlot {
    /// Whether the node accepts inbound connections (Bitcoin Core only).
    pub listening: bool,
    /// Overrides the outbound count: the full-relay count for `BitcoinCore`,
    /// the drawn degree for `Degree2015` (pool nodes).
    pub outbound: Option<u32>,
    /// Overrides the block-relay-only outbound count (`BitcoinCore`'s, or
    /// none for `Degree2015`): these connections come after `outbound`.
    pub block_relay: Option<u32>,
    /// Overrides the `BitcoinCore` connection limit for this node.
    pub max_connections: Option<u32>,
}

impl Default for NodeSlot {
    /// An ordinary listening node with the spec's counts.
    fn default() -> Self {
        NodeSlot { listening: true, outbound: None, block_relay: None, max_connections: None }
    }
}

/// How to build the peer graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopologySpec {
    /// Bitcoin Core's rules (`src/net.h`): each node opens
    /// `outbound_full_relay` full-relay and `outbound_block_relay`
    /// block-relay-only connections to distinct random listening nodes, each of
    /// which accepts at most `max_connections` minus its own outbound count.
    BitcoinCore {
        /// Outbound full-relay connections per node (Core: 8).
        outbound_full_relay: u32,
        /// Outbound block-relay-only connections per node (Core: 2).
        outbound_block_relay: u32,
        /// Inbound plus outbound limit per node (Core: 125).
        max_connections: u32,
    },
    /// SimBlock's `BitcoinCoreTable`: outbound degree from
    /// [`MILLER_2015_DEGREE_CDF`], any other node as target, inbound unlimited.
    Degree2015,
    /// Every node has exactly `degree` peers.
    RandomRegular {
        /// Peers per node.
        degree: u32,
    },
    /// Every node is connected to every other (at most [`MAX_COMPLETE_NODES`]).
    Complete,
    /// The given connections, each `(opener, acceptor)`, all full-relay.
    EdgeList(Vec<(u32, u32)>),
}

/// Builds a connected peer graph for `nodes` (one slot per node, in id order).
/// `BitcoinCore` reads every slot field, `Degree2015` only `outbound`; the
/// other specs use only the number of slots. Only the random generators draw
/// from `rng`, and the same `rng` state gives the same graph.
pub fn generate(
    spec: &TopologySpec,
    nodes: &[NodeSlot],
    rng: &mut SimRng,
) -> Result<Topology, TopologyError> {
    let n = u32::try_from(nodes.len()).map_err(|_| {
        TopologyError::Infeasible(format!("{} nodes exceed the 32-bit node id range", nodes.len()))
    })?;
    match spec {
        TopologySpec::BitcoinCore { outbound_full_relay, outbound_block_relay, max_connections } => {
            let plan = CorePlan::new(nodes, *outbound_full_relay, *outbound_block_relay, *max_connections)?;
            retry(n, rng, |rng| Ok(bitcoin_core(&plan, rng)))
        }
        TopologySpec::Degree2015 => retry(n, rng, |rng| Ok(degree_2015(nodes, rng))),
        TopologySpec::RandomRegular { degree } => retry(n, rng, |rng| random_regular(n, *degree, rng)),
        TopologySpec::Complete => connected(Topology::from_valid(n, &complete(n)?)?),
        TopologySpec::EdgeList(edges) => connected(Topology::from_edges(n, edges)?),
    }
}

fn connected(topo: Topology) -> Result<Topology, TopologyError> {
    topo.check_connected().map(|()| topo)
}

/// Draws graphs until one is connected, at most [`GENERATION_ATTEMPTS`] times.
fn retry(
    n: u32,
    rng: &mut SimRng,
    mut draw: impl FnMut(&mut SimRng) -> Result<Vec<Connection>, TopologyError>,
) -> Result<Topology, TopologyError> {
    let mut last_error = None;
    for _ in 0..GENERATION_ATTEMPTS {
        let topo = Topology::from_valid(n, &draw(rng)?)?;
        match topo.check_connected() {
            Ok(()) => return Ok(topo),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.expect("at least one attempt"))
}

/// Per-node outbound counts and inbound capacities for `BitcoinCore`.
struct CorePlan {
    full_relay: Vec<u32>,
    block_relay: Vec<u32>,
    inbound_capacity: Vec<u32>,
}

impl CorePlan {
    fn new(nodes: &[NodeSlot], full: u32, block: u32, max_conn: u32) -> Result<CorePlan, TopologyError> {
        let mut plan =
            CorePlan { full_relay: Vec::new(), block_relay: Vec::new(), inbound_capacity: Vec::new() };
        for (i, slot) in nodes.iter().enumerate() {
            let full_i = slot.outbound.unwrap_or(full);
            let block_i = slot.block_relay.unwrap_or(block);
            let max_i = slot.max_connections.unwrap_or(max_conn);
            let out = u64::from(full_i) + u64::from(block_i);
            if out > u64::from(max_i) {
                return Err(TopologyError::Infeasible(format!(
                    "node {i} opens {out} outbound connections but allows at most {max_i} connections in all; \
                     raise its max_connections or lower its outbound count"
                )));
            }
            plan.full_relay.push(full_i);
            plan.block_relay.push(block_i);
            plan.inbound_capacity.push(if slot.listening { max_i - out as u32 } else { 0 });
        }
        let listening = plan.inbound_capacity.iter().filter(|c| **c > 0).count();
        if nodes.len() > 1 && listening == 0 {
            return Err(TopologyError::NotEnoughListeners { listening, nodes: nodes.len() });
        }
        Ok(plan)
    }
}

/// Listening nodes with free inbound slots; a full node is swap-removed so
/// picks stay O(1).
struct TargetPool {
    open: Vec<u32>,
    position: Vec<u32>,
    capacity: Vec<u32>,
}

const ABSENT: u32 = u32::MAX;

impl TargetPool {
    fn new(capacity: &[u32]) -> TargetPool {
        let mut pool = TargetPool {
            open: Vec::new(),
            position: vec![ABSENT; capacity.len()],
            capacity: capacity.to_vec(),
        };
        for (i, c) in capacity.iter().enumerate() {
            if *c > 0 {
                pool.position[i] = pool.open.len() as u32;
                pool.open.push(i as u32);
            }
        }
        pool
    }

    /// Takes one inbound slot of `t`, removing it from the pool when full.
    fn consume(&mut self, t: u32) {
        let c = &mut self.capacity[t as usize];
        *c -= 1;
        if *c == 0 {
            let pos = self.position[t as usize] as usize;
            self.open.swap_remove(pos);
            if let Some(&moved) = self.open.get(pos) {
                self.position[moved as usize] = pos as u32;
            }
            self.position[t as usize] = ABSENT;
        }
    }
}

/// A uniformly random element of `candidates` that is not `me` and not in
/// `peers`; `None` if there is none.
fn pick_target(candidates: &[u32], me: u32, peers: &[u32], rng: &mut SimRng) -> Option<u32> {
    let allowed = |t: &u32| *t != me && !peers.contains(t);
    if candidates.is_empty() {
        return None;
    }
    for _ in 0..PICK_TRIES {
        let t = candidates[rng.index(candidates.len())];
        if allowed(&t) {
            return Some(t);
        }
    }
    let rest: Vec<u32> = candidates.iter().copied().filter(allowed).collect();
    rng.pick(&rest).copied()
}

/// One `BitcoinCore` draw. Nodes take turns in a random order; each opens its
/// full-relay then its block-relay-only connections. A node that cannot find
/// enough distinct listening targets with free inbound slots opens as many as
/// it can and goes without the rest (Core would keep trying; the graph here is
/// static).
fn bitcoin_core(plan: &CorePlan, rng: &mut SimRng) -> Vec<Connection> {
    let n = plan.full_relay.len();
    let mut pool = TargetPool::new(&plan.inbound_capacity);
    let mut peers: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut order: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut order);
    let mut conns = Vec::new();
    for &me in &order {
        let full = plan.full_relay[me as usize];
        for k in 0..full + plan.block_relay[me as usize] {
            let Some(t) = pick_target(&pool.open, me, &peers[me as usize], rng) else { break };
            pool.consume(t);
            link(&mut peers, me, t);
            conns.push(Connection { block_relay_only: k >= full, ..Connection::full_relay(me, t) });
        }
    }
    conns
}

fn link(peers: &mut [Vec<u32>], a: u32, b: u32) {
    peers[a as usize].push(b);
    peers[b as usize].push(a);
}

/// Probability of each outbound degree 1..=20 from the cumulative table.
fn miller_degree_pmf() -> [f64; 20] {
    let mut pmf = MILLER_2015_DEGREE_CDF;
    for k in (1..pmf.len()).rev() {
        pmf[k] -= pmf[k - 1];
    }
    pmf
}

/// One `Degree2015` draw, following SimBlock: nodes join in id order; each
/// draws its outbound degree (or takes its slot's override, followed by its
/// block-relay-only connections) and connects to that many distinct random
/// other nodes that are not yet its peers (in either direction). Inbound is unlimited; `listening` and `max_connections` are
/// ignored. If fewer nodes are available, it connects to all of them.
fn degree_2015(nodes: &[NodeSlot], rng: &mut SimRng) -> Vec<Connection> {
    let pmf = miller_degree_pmf();
    let everyone: Vec<u32> = (0..nodes.len() as u32).collect();
    let mut peers: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    let mut conns = Vec::new();
    for (me, slot) in everyone.iter().zip(nodes) {
        let full = slot.outbound.unwrap_or_else(|| rng.weighted_index(&pmf) as u32 + 1);
        for k in 0..full + slot.block_relay.unwrap_or(0) {
            let Some(t) = pick_target(&everyone, *me, &peers[*me as usize], rng) else { break };
            link(&mut peers, *me, t);
            conns.push(Connection { block_relay_only: k >= full, ..Connection::full_relay(*me, t) });
        }
    }
    conns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NodeId;
    use crate::net::topology::tests::assert_well_formed;

    const CORE: TopologySpec =
        TopologySpec::BitcoinCore { outbound_full_relay: 8, outbound_block_relay: 2, max_connections: 125 };

    fn rng(seed: u64) -> SimRng {
        SimRng::from_seed_u64(seed)
    }

    /// 1,000 nodes, one in five listening; node 0 a pool with 50 outbound,
    /// 42 of them block-relay-only, node 1 one with 30 full-relay and the
    /// spec's block-relay-only count.
    fn core_slots() -> Vec<NodeSlot> {
        let mut slots: Vec<NodeSlot> =
            (0..1000).map(|i| NodeSlot { listening: i % 5 == 0, ..NodeSlot::default() }).collect();
        slots[0] = NodeSlot {
            listening: true,
            outbound: Some(8),
            block_relay: Some(42),
            max_connections: Some(700),
        };
        slots[1] =
            NodeSlot { listening: true, outbound: Some(30), block_relay: None, max_connections: Some(300) };
        slots
    }

    #[test]
    fn bitcoin_core_follows_the_connection_rules() {
        let slots = core_slots();
        let t = generate(&CORE, &slots, &mut rng(1)).unwrap();
        assert_well_formed(&t);
        assert!(t.is_connected());
        for (i, slot) in slots.iter().enumerate() {
            let n = NodeId(i as u32);
            let out: Vec<u32> = t.edges_of(n).filter(|&e| t.flags(e).outbound).collect();
            let block_only = out.iter().filter(|&&e| t.flags(e).block_relay_only).count();
            let block = slot.block_relay.unwrap_or(2) as usize;
            assert_eq!(out.len(), slot.outbound.unwrap_or(8) as usize + block, "node {i}");
            assert_eq!(block_only, block, "node {i}");
            assert!(t.degree(n) <= slot.max_connections.unwrap_or(125) as usize, "node {i}");
            if !slot.listening {
                assert_eq!(t.degree(n), out.len(), "non-listening node {i} has inbound");
            }
        }
    }

    #[test]
    fn bitcoin_core_opens_what_it_can_when_listeners_run_out() {
        // Two listeners with 2 inbound slots each (4 - 2 outbound) cannot take
        // the 5 connections the others want: 4 are opened, all slots used.
        let mut slots = vec![NodeSlot { listening: false, ..NodeSlot::default() }; 4];
        slots[0].listening = true;
        slots[1].listening = true;
        let spec =
            TopologySpec::BitcoinCore { outbound_full_relay: 2, outbound_block_relay: 0, max_connections: 4 };
        for seed in 0..20 {
            let t = generate(&spec, &slots, &mut rng(seed)).unwrap();
            assert_well_formed(&t);
            assert_eq!(t.connection_count(), 4);
            for i in 0..2 {
                let n = NodeId(i);
                assert_eq!(t.degree(n) - t.outbound_count(n), 2, "inbound of listener {i}");
            }
        }
    }

    #[test]
    fn bitcoin_core_input_errors() {
        let none_listen = vec![NodeSlot { listening: false, ..NodeSlot::default() }; 10];
        let err = generate(&CORE, &none_listen, &mut rng(3)).unwrap_err();
        assert_eq!(err, TopologyError::NotEnoughListeners { listening: 0, nodes: 10 });
        let mut slots = vec![NodeSlot::default(); 10];
        slots[4].outbound = Some(200);
        let err = generate(&CORE, &slots, &mut rng(3)).unwrap_err();
        assert!(err.to_string().starts_with("node 4 opens 202 outbound"), "{err}");
        // Nobody opens connections: every attempt is disconnected.
        let slots = vec![NodeSlot::default(); 10];
        let spec =
            TopologySpec::BitcoinCore { outbound_full_relay: 0, outbound_block_relay: 0, max_connections: 8 };
        let err = generate(&spec, &slots, &mut rng(3)).unwrap_err();
        assert_eq!(err, TopologyError::Disconnected { components: 10, example_isolated: 1 });
    }

    #[test]
    fn degree_2015_draws_outbound_from_miller() {
        let mut slots = vec![NodeSlot::default(); 2000];
        slots[7].outbound = Some(8);
        slots[7].block_relay = Some(292);
        let t = generate(&TopologySpec::Degree2015, &slots, &mut rng(4)).unwrap();
        assert_well_formed(&t);
        assert!(t.is_connected());
        let mut counts = [0usize; 21];
        for i in 0..2000u32 {
            let out = t.outbound_count(NodeId(i));
            let block_only =
                t.edges_of(NodeId(i)).filter(|&e| t.flags(e).outbound && t.flags(e).block_relay_only);
            if i == 7 {
                assert_eq!((out, block_only.count()), (300, 292));
            } else {
                assert_eq!(block_only.count(), 0, "node {i}");
                assert!((1..=20).contains(&out), "node {i}: {out}");
                counts[out] += 1;
            }
        }
        assert_eq!(counts[16], 0, "P[d = 16] is zero in Miller's table");
        let at_most_8 = counts[..=8].iter().sum::<usize>() as f64 / 1999.0;
        assert!((at_most_8 - 0.5).abs() < 0.04, "{at_most_8}");
    }

    #[test]
    fn same_seed_same_graph() {
        let slots = core_slots();
        for spec in [CORE, TopologySpec::Degree2015, TopologySpec::RandomRegular { degree: 6 }] {
            let a = generate(&spec, &slots, &mut rng(5)).unwrap();
            let b = generate(&spec, &slots, &mut rng(5)).unwrap();
            let c = generate(&spec, &slots, &mut rng(6)).unwrap();
            assert_eq!(a, b, "{spec:?}");
            assert_ne!(a, c, "{spec:?}");
        }
    }

    #[test]
    fn edge_list_must_be_connected() {
        let slots = vec![NodeSlot::default(); 20];
        let ring: Vec<(u32, u32)> = (0..20).map(|i| (i, (i + 1) % 20)).collect();
        let t = generate(&TopologySpec::EdgeList(ring.clone()), &slots, &mut rng(7)).unwrap();
        assert_well_formed(&t);
        assert_eq!(t.edge_list().len(), 20);
        assert!(t.edges_of(NodeId(0)).all(|e| !t.flags(e).block_relay_only));
        let broken = TopologySpec::EdgeList(ring[..17].to_vec());
        let err = generate(&broken, &slots, &mut rng(7)).unwrap_err();
        assert_eq!(err, TopologyError::Disconnected { components: 3, example_isolated: 18 });
        let bad = TopologySpec::EdgeList(vec![(0, 1), (1, 20)]);
        assert!(matches!(
            generate(&bad, &slots, &mut rng(7)),
            Err(TopologyError::BadConnection { index: 1, .. })
        ));
    }

    #[test]
    fn tiny_networks() {
        for spec in [CORE, TopologySpec::Degree2015, TopologySpec::Complete] {
            assert_eq!(generate(&spec, &[], &mut rng(8)).unwrap().node_count(), 0);
            assert_eq!(generate(&spec, &[NodeSlot::default()], &mut rng(8)).unwrap().edge_count(), 0);
            let two = generate(&spec, &[NodeSlot::default(); 2], &mut rng(8)).unwrap();
            assert_eq!(two.connection_count(), 1, "{spec:?}");
        }
    }
}
