//! Entry points for the `cargo fuzz` targets in `fuzz/`: the data-file
//! parsers the validator calls, which are otherwise private. Compiled only
//! with `--cfg fuzzing`, which `cargo fuzz` sets; nothing else uses them.

use super::error::ScenarioError;
use super::lower_transactions::{FEERATE_SPEC, VSIZE_SPEC};
use super::{bins, edges};

/// An edge list (`topology = "file"`) read as the data file `file` for a
/// network of `nodes` nodes (at least 2, as the validator guarantees).
pub fn edge_list(file: &str, bytes: &[u8], nodes: u32) -> Result<Vec<(u32, u32)>, ScenarioError> {
    edges::parse(file, bytes, nodes)
}

/// A fee-rate (`vsize == false`) or size histogram read as the data file `file`.
pub fn histogram(file: &str, bytes: &[u8], vsize: bool) -> Result<Vec<(f64, f64, f64)>, ScenarioError> {
    let spec = if vsize { VSIZE_SPEC } else { FEERATE_SPEC };
    bins::parse(file, bytes, &spec.format)
}

/// The histogram's bounds and its key: (smallest low bound, largest high
/// bound, key).
pub fn histogram_bounds(vsize: bool) -> (f64, f64, &'static str) {
    let spec = if vsize { VSIZE_SPEC } else { FEERATE_SPEC };
    (spec.format.min, spec.format.max, spec.format.key)
}
