//! The network model: regions, latency and jitter, bandwidth and upload queues,
//! and peer-graph (topology) generators.
//!
//! This module owns how long a message takes to get from one node to another
//! and who is connected to whom. It carries node ids and byte sizes only: it
//! never knows what a block or a transaction is (see ARCHITECTURE.md). It never touches
//! the filesystem (ARCHITECTURE.md invariant 6): edge lists are parsed from `&str` and written
//! to any [`std::io::Write`]. Every random draw comes from a [`SimRng`] the
//! caller passes in, and no hashed collection is iterated, so every result is a
//! pure function of the inputs and the generator's state (ARCHITECTURE.md invariant 4).
//!
//! [`SimRng`]: crate::sim::SimRng

use std::fmt;

mod bandwidth;
mod edge_list;
mod generate;
mod latency;
mod presets;
mod region;
mod regular;
mod topology;

pub use bandwidth::{UNLIMITED_BPS, UploadLink, transmission_ns};
pub use edge_list::{EdgeListError, parse_edge_list};
pub use generate::{
    GENERATION_ATTEMPTS, MAX_COMPLETE_NODES, MILLER_2015_DEGREE_CDF, NodeSlot, TopologySpec, generate,
};
pub use latency::{Jitter, LatencyModel, sample_latency_ns};
pub use presets::{RegionTable, assign_regions, bitcoin_2015, bitcoin_2019};
pub use region::Region;
pub use topology::{Connection, EdgeFlags, Topology, TopologyError};

/// A node's index in the network, from 0 to the node count minus one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The id as an index into per-node vectors.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
