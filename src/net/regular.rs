//! Regular peer graphs: random k-regular graphs and complete graphs.
//!
//! A random k-regular graph is built by stub pairing with immediate rejection
//! (Steger and Wormald 1999, as in networkx's `random_regular_graph`): every
//! node gets k stubs, and two random remaining stubs are joined if they belong
//! to different nodes that are not yet peers. When random draws keep failing,
//! the remaining nodes are checked for any pair that may still be joined; if
//! none is left, the draw starts over. Plain configuration-model pairing with
//! whole-graph rejection would almost never succeed for k = 8 (the chance of a
//! simple graph is about exp(−(k² − 1)/4)).

use super::generate::MAX_COMPLETE_NODES;
use super::topology::{Connection, TopologyError};
use crate::sim::SimRng;

/// Fresh starts allowed before a random regular graph is declared infeasible.
const PAIRING_RESTARTS: u32 = 50;
/// Consecutive rejected stub pairs before the remaining nodes are scanned.
const STUCK_AFTER: u32 = 100;

/// All pairs; the lower id opens each connection.
pub(crate) fn complete(n: u32) -> Result<Vec<Connection>, TopologyError> {
    if n as usize > MAX_COMPLETE_NODES {
        let connections = u64::from(n) * u64::from(n - 1) / 2;
        return Err(TopologyError::Infeasible(format!(
            "a complete graph on {n} nodes needs {connections} connections; at most {MAX_COMPLETE_NODES} \
             nodes are allowed (use random-regular or bitcoin-core for large networks)"
        )));
    }
    Ok((0..n).flat_map(|a| (a + 1..n).map(move |b| Connection::full_relay(a, b))).collect())
}

/// A uniformly drawn simple graph in which every node has exactly `k` peers.
pub(crate) fn random_regular(n: u32, k: u32, rng: &mut SimRng) -> Result<Vec<Connection>, TopologyError> {
    check_regular(n, k)?;
    for _ in 0..PAIRING_RESTARTS {
        if let Some(conns) = try_pairing(n, k, rng) {
            return Ok(conns);
        }
    }
    Err(TopologyError::Infeasible(format!(
        "could not pair stubs into a {k}-regular graph on {n} nodes in {PAIRING_RESTARTS} tries; \
         use a smaller degree"
    )))
}

fn check_regular(n: u32, k: u32) -> Result<(), TopologyError> {
    let infeasible = |why: String| Err(TopologyError::Infeasible(why));
    if n > 0 && k >= n {
        return infeasible(format!(
            "a {k}-regular graph needs more than {k} nodes; the network has {n}: lower the degree"
        ));
    }
    if (u64::from(n) * u64::from(k)) % 2 == 1 {
        return infeasible(format!(
            "a {k}-regular graph on {n} nodes cannot exist: every connection has two ends, so \
             nodes × degree ({}) must be even; change the degree or the node count",
            u64::from(n) * u64::from(k)
        ));
    }
    Ok(())
}

/// One pairing attempt; `None` when it gets stuck.
fn try_pairing(n: u32, k: u32, rng: &mut SimRng) -> Option<Vec<Connection>> {
    let mut stubs: Vec<u32> = (0..n).flat_map(|i| std::iter::repeat_n(i, k as usize)).collect();
    let mut peers: Vec<Vec<u32>> = vec![Vec::with_capacity(k as usize); n as usize];
    let mut conns = Vec::with_capacity(stubs.len() / 2);
    let mut failures = 0;
    while !stubs.is_empty() {
        let (x, y) = (rng.index(stubs.len()), rng.index(stubs.len()));
        let (mut a, mut b) = (stubs[x], stubs[y]);
        if a != b && !peers[a as usize].contains(&b) {
            // Remove the later index first so the earlier one stays valid.
            stubs.swap_remove(x.max(y));
            stubs.swap_remove(x.min(y));
        } else if failures < STUCK_AFTER {
            failures += 1;
            continue;
        } else {
            (a, b) = suitable_pair(&stubs, &peers, rng)?;
            take_stub(&mut stubs, a);
            take_stub(&mut stubs, b);
        }
        failures = 0;
        join(&mut peers, &mut conns, a, b);
    }
    Some(conns)
}

fn join(peers: &mut [Vec<u32>], conns: &mut Vec<Connection>, a: u32, b: u32) {
    peers[a as usize].push(b);
    peers[b as usize].push(a);
    conns.push(Connection::full_relay(a, b));
}

/// A random pair of distinct remaining nodes that are not yet peers.
fn suitable_pair(stubs: &[u32], peers: &[Vec<u32>], rng: &mut SimRng) -> Option<(u32, u32)> {
    let mut nodes = stubs.to_vec();
    nodes.sort_unstable();
    nodes.dedup();
    let mut pairs = Vec::new();
    for (i, &a) in nodes.iter().enumerate() {
        for &b in &nodes[i + 1..] {
            if !peers[a as usize].contains(&b) {
                pairs.push((a, b));
            }
        }
    }
    rng.pick(&pairs).copied()
}

fn take_stub(stubs: &mut Vec<u32>, node: u32) {
    let pos = stubs.iter().position(|s| *s == node).expect("node has a stub left");
    stubs.swap_remove(pos);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::topology::tests::assert_well_formed;
    use crate::net::{NodeId, NodeSlot, TopologySpec, generate};

    fn regular(n: usize, k: u32, seed: u64) -> Result<crate::net::Topology, TopologyError> {
        let slots = vec![NodeSlot::default(); n];
        generate(&TopologySpec::RandomRegular { degree: k }, &slots, &mut SimRng::from_seed_u64(seed))
    }

    #[test]
    fn random_regular_has_exact_degree() {
        for (n, k) in [(1000, 8), (101, 4), (30, 29), (12, 9), (2000, 3)] {
            let t = regular(n, k, n as u64).unwrap();
            assert_well_formed(&t);
            assert!(t.is_connected());
            for i in 0..n as u32 {
                assert_eq!(t.degree(NodeId(i)), k as usize, "n={n} k={k} node {i}");
            }
        }
    }

    #[test]
    fn random_regular_rejects_impossible_degrees() {
        let err = regular(10, 10, 1).unwrap_err();
        assert!(err.to_string().contains("needs more than 10 nodes"), "{err}");
        let err = regular(9, 3, 1).unwrap_err();
        assert!(err.to_string().contains("must be even"), "{err}");
        // A 1-regular graph is a matching: never connected beyond two nodes.
        let err = regular(10, 1, 1).unwrap_err();
        assert!(matches!(err, TopologyError::Disconnected { components: 5, .. }), "{err}");
    }

    #[test]
    fn complete_connects_all_pairs_and_has_a_limit() {
        let slots = vec![NodeSlot::default(); 40];
        let t = generate(&TopologySpec::Complete, &slots, &mut SimRng::from_seed_u64(1)).unwrap();
        assert_well_formed(&t);
        assert_eq!(t.connection_count(), 40 * 39 / 2);
        assert!((0..40).all(|i| t.degree(NodeId(i)) == 39));
        let err = complete(MAX_COMPLETE_NODES as u32 + 1).unwrap_err();
        assert!(err.to_string().contains("at most 5000 nodes"), "{err}");
    }
}
