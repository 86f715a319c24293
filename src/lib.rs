//! powsim: a deterministic discrete-event simulator of proof-of-work networks.
//!
//! Module map (dependencies point down this list):
//!
//! - [`world`]: the one model; builds a run from a [`scenario::Config`] and
//!   dispatches events. [`world::simulate`] runs a scenario end to end.
//! - [`node`]: full nodes as state machines (download, validation, fork
//!   choice, block relay).
//! - [`mining`]: hash power and the single network-wide mining clock.
//! - [`workload`]: the transaction workload: arrivals, fee rates and sizes,
//!   chains, double spends, and RBF and CPFP bumps of stuck transactions.
//! - [`chain`]: the world-wide block tree (arena) with cached validity.
//! - [`net`]: regions, latency, jitter, bandwidth, topology generators.
//! - [`consensus`]: pure Bitcoin rules (nBits, work, difficulty algorithms, header, checks).
//! - [`metrics`]: observers of propagation, forks and reorgs.
//! - [`scenario`]: input boundary (TOML to validated config).
//! - [`report`]: output boundary (CSV files, manifest).
//! - [`plot`]: PNG and SVG plots and `index.html`, drawn from a result
//!   directory's files alone.
//! - [`sweep`]: many runs of a scenario: sweep grids, `runs.csv` and
//!   `aggregate.csv`, shard merging, paired comparisons, expectation checks.
//! - [`sim`]: the generic discrete-event engine.
#![warn(missing_docs)]

pub mod chain;
pub mod consensus;
pub mod mempool;
pub mod metrics;
pub mod mining;
pub mod net;
pub mod node;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod workload;
pub mod world;
