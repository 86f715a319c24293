//! The network model: regions, latency and jitter, bandwidth, topology.
//! It carries ids and byte sizes only; it never knows what a block is.

mod region;

pub use region::Region;
