//! The peer graph: who is connected to whom, in a compact read-only form.
//!
//! A [`Topology`] is an undirected graph in CSR (compressed sparse row) form.
//! Every connection is stored twice, once per end, as a *half-edge* with a
//! global `u32` id; node `n` owns the contiguous ids [`Topology::edges_of`],
//! sorted by peer id. Each half-edge knows its peer, its owner, its reverse
//! (the same connection seen from the peer) and its [`EdgeFlags`]. Relay code
//! can keep per-edge state in a `Vec` indexed by edge id.
//!
//! This module builds and checks graphs; the random generators live in
//! `generate` and `regular`, the CSV format in `edge_list`.

use std::io;
use std::ops::Range;

use petgraph::graph::UnGraph;
use petgraph::unionfind::UnionFind;

use super::NodeId;

/// What one end of a connection knows about it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EdgeFlags {
    /// This node opened the connection (it is outbound for this node).
    pub outbound: bool,
    /// The connection relays blocks only (Bitcoin Core's block-relay-only
    /// outbound connections: no transaction or address relay).
    pub block_relay_only: bool,
}

/// One connection as generators and callers describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The node that opened the connection.
    pub from: NodeId,
    /// The node that accepted it.
    pub to: NodeId,
    /// Whether it relays blocks only.
    pub block_relay_only: bool,
}

impl Connection {
    /// A full-relay connection opened by `from`.
    pub fn full_relay(from: u32, to: u32) -> Connection {
        Connection { from: NodeId(from), to: NodeId(to), block_relay_only: false }
    }
}

/// Why a peer graph could not be built. Messages say what to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TopologyError {
    /// The graph does not connect every node.
    #[error(
        "the peer graph has {components} components; node {example_isolated} cannot reach node 0 \
         (an edge list must connect every node; a random topology that stays disconnected after \
         {attempts} attempts needs more connections per node)",
        attempts = super::GENERATION_ATTEMPTS
    )]
    Disconnected {
        /// Number of connected components.
        components: usize,
        /// The smallest node id outside node 0's component.
        example_isolated: u32,
    },
    /// No node can accept inbound connections, so no connection can be opened.
    #[error(
        "{listening} of {nodes} nodes accept inbound connections (listening, with free inbound slots); \
         at least one is needed: lower the non-listening fraction or raise max_connections"
    )]
    NotEnoughListeners {
        /// Nodes that listen and have inbound capacity.
        listening: usize,
        /// All nodes.
        nodes: usize,
    },
    /// A connection in a given list is invalid.
    #[error("connection #{index} ({a},{b}): {reason}")]
    BadConnection {
        /// Position of the connection in the list (0-based).
        index: usize,
        /// First endpoint.
        a: u32,
        /// Second endpoint.
        b: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// The requested graph cannot be built; the message says why.
    #[error("{0}")]
    Infeasible(String),
}

/// An undirected peer graph in CSR form (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    offsets: Vec<u32>,
    peer: Vec<NodeId>,
    reverse: Vec<u32>,
    flags: Vec<EdgeFlags>,
    owner: Vec<NodeId>,
}

impl Topology {
    /// Builds a topology from `(a, b)` pairs: full-relay connections opened by
    /// `a`. Ids must be below `n`; self-loops and duplicates (`a,b` twice, or
    /// `a,b` and `b,a`) are errors. Connectivity is not checked here.
    pub fn from_edges(n: u32, edges: &[(u32, u32)]) -> Result<Topology, TopologyError> {
        let conns: Vec<Connection> = edges.iter().map(|&(a, b)| Connection::full_relay(a, b)).collect();
        Topology::from_connections(n, &conns)
    }

    /// Builds a topology from connections with the same checks as
    /// [`Topology::from_edges`].
    pub fn from_connections(n: u32, conns: &[Connection]) -> Result<Topology, TopologyError> {
        check_endpoints(n, conns)?;
        check_size(conns.len())?;
        let topo = Topology::build(n, conns);
        match topo.first_duplicate() {
            None => Ok(topo),
            Some((a, b)) => Err(duplicate_error(conns, a, b)),
        }
    }

    /// Builds from connections known to be valid (generators). Endpoints must
    /// be below `n`, distinct, and no pair may repeat.
    pub(crate) fn from_valid(n: u32, conns: &[Connection]) -> Result<Topology, TopologyError> {
        check_size(conns.len())?;
        let topo = Topology::build(n, conns);
        debug_assert_eq!(topo.first_duplicate(), None);
        Ok(topo)
    }

    fn build(n: u32, conns: &[Connection]) -> Topology {
        let offsets = degree_offsets(n, conns);
        let mut half: Vec<(NodeId, EdgeFlags)> = vec![(NodeId(0), EdgeFlags::default()); conns.len() * 2];
        let mut next: Vec<u32> = offsets[..n as usize].to_vec();
        for c in conns {
            let bro = c.block_relay_only;
            let mut place = |node: NodeId, peer: NodeId, outbound: bool| {
                half[next[node.index()] as usize] = (peer, EdgeFlags { outbound, block_relay_only: bro });
                next[node.index()] += 1;
            };
            place(c.from, c.to, true);
            place(c.to, c.from, false);
        }
        for w in offsets.windows(2) {
            half[w[0] as usize..w[1] as usize].sort_unstable_by_key(|(p, _)| *p);
        }
        let owner = owners(&offsets);
        let (peer, flags) = half.into_iter().unzip();
        let mut topo = Topology { offsets, peer, reverse: Vec::new(), flags, owner };
        topo.reverse = topo.reverse_ids();
        topo
    }

    /// Pairs every half-edge with its reverse in one pass. Half-edges are
    /// visited in (owner, peer) order, so the half-edges pointing at a node
    /// `b` arrive in increasing owner order, which is exactly the order of
    /// `b`'s own range (sorted by peer): a cursor per node suffices.
    fn reverse_ids(&self) -> Vec<u32> {
        let mut cursor: Vec<u32> = self.offsets[..self.node_count()].to_vec();
        let mut reverse = Vec::with_capacity(self.peer.len());
        for p in &self.peer {
            reverse.push(cursor[p.index()]);
            cursor[p.index()] += 1;
        }
        reverse
    }

    /// The first repeated (owner, peer) pair, if any.
    fn first_duplicate(&self) -> Option<(u32, u32)> {
        (1..self.peer.len())
            .find(|&e| self.owner[e] == self.owner[e - 1] && self.peer[e] == self.peer[e - 1])
            .map(|e| (self.owner[e].0, self.peer[e].0))
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of half-edges (twice the number of connections).
    pub fn edge_count(&self) -> usize {
        self.peer.len()
    }

    /// Number of connections.
    pub fn connection_count(&self) -> usize {
        self.peer.len() / 2
    }

    /// The half-edge ids owned by `n`, sorted by peer id.
    pub fn edges_of(&self, n: NodeId) -> Range<u32> {
        self.offsets[n.index()]..self.offsets[n.index() + 1]
    }

    /// The node at the far end of half-edge `e`.
    pub fn peer(&self, e: u32) -> NodeId {
        self.peer[e as usize]
    }

    /// The node that owns half-edge `e`.
    pub fn owner(&self, e: u32) -> NodeId {
        self.owner[e as usize]
    }

    /// The same connection seen from the peer: `owner(reverse(e)) == peer(e)`.
    pub fn reverse(&self, e: u32) -> u32 {
        self.reverse[e as usize]
    }

    /// What this end knows about the connection.
    pub fn flags(&self, e: u32) -> EdgeFlags {
        self.flags[e as usize]
    }

    /// Number of peers of `n`.
    pub fn degree(&self, n: NodeId) -> usize {
        self.edges_of(n).len()
    }

    /// Number of connections `n` opened.
    pub fn outbound_count(&self, n: NodeId) -> usize {
        self.edges_of(n).filter(|&e| self.flags(e).outbound).count()
    }

    /// The peers of `n` in increasing id order.
    pub fn peers(&self, n: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.edges_of(n).map(|e| self.peer(e))
    }

    /// The half-edge from `a` to `b`, if they are connected (binary search).
    pub fn find_edge(&self, a: NodeId, b: NodeId) -> Option<u32> {
        let range = self.edges_of(a);
        let start = range.start;
        let slice = &self.peer[range.start as usize..range.end as usize];
        slice.binary_search(&b).ok().map(|i| start + i as u32)
    }

    /// Number of connected components (0 for an empty graph), by petgraph's
    /// union-find.
    pub fn component_count(&self) -> usize {
        let labels = self.component_labels();
        labels.iter().enumerate().filter(|(i, root)| *i == **root as usize).count()
    }

    /// Whether every node can reach every other.
    pub fn is_connected(&self) -> bool {
        self.component_count() <= 1
    }

    /// `Ok` if the graph is connected, otherwise a [`TopologyError::Disconnected`]
    /// naming the smallest node that cannot reach node 0.
    pub fn check_connected(&self) -> Result<(), TopologyError> {
        let labels = self.component_labels();
        let Some(isolated) = labels.iter().position(|root| *root != labels[0]) else { return Ok(()) };
        let components = labels.iter().enumerate().filter(|(i, root)| *i == **root as usize).count();
        Err(TopologyError::Disconnected { components, example_isolated: isolated as u32 })
    }

    fn component_labels(&self) -> Vec<u32> {
        let mut sets = UnionFind::<u32>::new(self.node_count());
        for e in 0..self.edge_count() as u32 {
            if self.flags(e).outbound {
                sets.union(self.owner(e).0, self.peer(e).0);
            }
        }
        sets.into_labeling()
    }

    /// The connections as `(opener, acceptor)` pairs, in (opener, acceptor) order.
    pub fn edge_list(&self) -> Vec<(u32, u32)> {
        (0..self.edge_count() as u32)
            .filter(|&e| self.flags(e).outbound)
            .map(|e| (self.owner(e).0, self.peer(e).0))
            .collect()
    }

    /// Writes the graph as CSV: a header `a,b`, then one line per connection
    /// with `a` the node that opened it. [`super::parse_edge_list`] reads it
    /// back. Block-relay-only flags are not written.
    pub fn write_edge_list(&self, w: &mut impl io::Write) -> io::Result<()> {
        writeln!(w, "a,b")?;
        for (a, b) in self.edge_list() {
            writeln!(w, "{a},{b}")?;
        }
        Ok(())
    }

    /// The graph as a petgraph undirected graph: node `i` has index and weight
    /// `i`, one edge per connection.
    pub fn to_petgraph(&self) -> UnGraph<u32, ()> {
        let mut g = UnGraph::with_capacity(self.node_count(), self.connection_count());
        for i in 0..self.node_count() as u32 {
            g.add_node(i);
        }
        g.extend_with_edges(self.edge_list());
        g
    }
}

/// Half-edge offsets: node `i` owns `offsets[i]..offsets[i + 1]`.
fn degree_offsets(n: u32, conns: &[Connection]) -> Vec<u32> {
    let mut offsets = vec![0u32; n as usize + 1];
    for c in conns {
        offsets[c.from.index() + 1] += 1;
        offsets[c.to.index() + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    offsets
}

fn owners(offsets: &[u32]) -> Vec<NodeId> {
    let mut owner = Vec::with_capacity(*offsets.last().unwrap_or(&0) as usize);
    for (i, w) in offsets.windows(2).enumerate() {
        owner.extend(std::iter::repeat_n(NodeId(i as u32), (w[1] - w[0]) as usize));
    }
    owner
}

fn check_size(connections: usize) -> Result<(), TopologyError> {
    if connections > u32::MAX as usize / 2 {
        return Err(TopologyError::Infeasible(format!(
            "{connections} connections is too many: edge ids are 32-bit, so at most {} are allowed",
            u32::MAX / 2
        )));
    }
    Ok(())
}

fn check_endpoints(n: u32, conns: &[Connection]) -> Result<(), TopologyError> {
    for (index, c) in conns.iter().enumerate() {
        let (a, b) = (c.from.0, c.to.0);
        let bad = |reason: String| TopologyError::BadConnection { index, a, b, reason };
        if a >= n || b >= n {
            return Err(bad(format!("node id {} is out of range; ids must be below {n}", a.max(b))));
        }
        if a == b {
            return Err(bad("a node cannot connect to itself".to_string()));
        }
    }
    Ok(())
}

/// Names the second occurrence of the duplicated pair `{a, b}`.
fn duplicate_error(conns: &[Connection], a: u32, b: u32) -> TopologyError {
    let key = (a.min(b), a.max(b));
    let same = |c: &Connection| (c.from.0.min(c.to.0), c.from.0.max(c.to.0)) == key;
    let first = conns.iter().position(same).expect("duplicate pair is in the list");
    let index = first + 1 + conns[first + 1..].iter().position(same).expect("pair occurs twice");
    let c = conns[index];
    TopologyError::BadConnection {
        index,
        a: c.from.0,
        b: c.to.0,
        reason: format!("duplicates connection #{first} (connections are undirected)"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Structural invariants every topology must satisfy.
    pub(crate) fn assert_well_formed(t: &Topology) {
        assert_eq!(t.edge_count(), 2 * t.connection_count());
        for n in 0..t.node_count() as u32 {
            let mut last: Option<NodeId> = None;
            for e in t.edges_of(NodeId(n)) {
                assert_eq!(t.owner(e), NodeId(n));
                assert_ne!(t.peer(e), NodeId(n), "self-loop at {n}");
                assert!(last < Some(t.peer(e)), "peers of {n} not strictly increasing");
                last = Some(t.peer(e));
                let r = t.reverse(e);
                assert_eq!(t.reverse(r), e);
                assert_eq!(t.owner(r), t.peer(e));
                assert_eq!(t.peer(r), t.owner(e));
                assert_ne!(t.flags(e).outbound, t.flags(r).outbound, "exactly one end opens");
                assert_eq!(t.flags(e).block_relay_only, t.flags(r).block_relay_only);
            }
        }
    }

    #[test]
    fn csr_is_consistent() {
        let t = Topology::from_edges(5, &[(0, 1), (2, 0), (1, 2), (3, 4), (4, 0)]).unwrap();
        assert_well_formed(&t);
        assert_eq!((t.node_count(), t.edge_count(), t.connection_count()), (5, 10, 5));
        assert_eq!(t.degree(NodeId(0)), 3);
        assert_eq!(t.outbound_count(NodeId(0)), 1);
        assert_eq!(t.peers(NodeId(0)).collect::<Vec<_>>(), vec![NodeId(1), NodeId(2), NodeId(4)]);
        let e = t.find_edge(NodeId(2), NodeId(0)).unwrap();
        assert!(t.flags(e).outbound);
        assert!(!t.flags(t.reverse(e)).outbound);
        assert_eq!(t.find_edge(NodeId(2), NodeId(3)), None);
        assert!(t.is_connected());
        assert_eq!(t.to_petgraph().edge_count(), 5);
        assert_eq!(petgraph::algo::connected_components(&t.to_petgraph()), 1);
    }

    #[test]
    fn disconnection_names_a_node() {
        let t = Topology::from_edges(6, &[(0, 1), (1, 2), (3, 4)]).unwrap();
        assert_eq!(t.component_count(), 3);
        assert_eq!(
            t.check_connected(),
            Err(TopologyError::Disconnected { components: 3, example_isolated: 3 })
        );
        let msg = t.check_connected().unwrap_err().to_string();
        assert!(msg.contains("3 components; node 3 cannot reach node 0"), "{msg}");
        assert_eq!(petgraph::algo::connected_components(&t.to_petgraph()), 3);
    }

    #[test]
    fn bad_connections_are_rejected() {
        let err = Topology::from_edges(3, &[(0, 1), (1, 3)]).unwrap_err();
        assert!(matches!(err, TopologyError::BadConnection { index: 1, a: 1, b: 3, .. }), "{err}");
        let err = Topology::from_edges(3, &[(0, 1), (2, 2)]).unwrap_err();
        assert!(matches!(err, TopologyError::BadConnection { index: 1, .. }), "{err}");
        let err = Topology::from_edges(3, &[(0, 1), (1, 2), (1, 0)]).unwrap_err();
        assert!(matches!(err, TopologyError::BadConnection { index: 2, a: 1, b: 0, .. }), "{err}");
        assert!(err.to_string().contains("duplicates connection #0"), "{err}");
    }

    #[test]
    fn empty_and_single_node_graphs_are_connected() {
        assert!(Topology::from_edges(0, &[]).unwrap().is_connected());
        assert!(Topology::from_edges(1, &[]).unwrap().is_connected());
        assert!(!Topology::from_edges(2, &[]).unwrap().is_connected());
    }
}
