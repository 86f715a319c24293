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

/// Returns `Err(format!(...))` from the enclosing function unless `cond` holds: the form of an
/// invariant check that reports instead of panicking (`--check-invariants`).
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// [`ensure!`] for equality, naming both sides.
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            return Err(format!("{}: {:?} against {:?}", format!($($msg)+), l, r));
        }
    }};
}

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
