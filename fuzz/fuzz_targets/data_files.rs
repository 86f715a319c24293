//! The data-file parsers on arbitrary bytes: the first byte picks the
//! parser (the validator's edge list, `net::parse_edge_list`, the fee-rate
//! or the size histogram), the next four the node count of an edge list,
//! the rest is the file. Never a panic; what a parser accepts holds its
//! invariants; an error names the file, the key and a line of the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use powsim::scenario::ScenarioError;
use powsim::scenario::fuzzing::{edge_list, histogram, histogram_bounds};

const FILE: &str = "data.csv";

fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

/// The error names the file and `key`, and a line of it unless the whole
/// file is at fault (`whole` in the message).
fn check_error(err: &ScenarioError, key: &str, bytes: &[u8], whole: &str) {
    assert_eq!((err.file.as_str(), err.key.as_str()), (FILE, key), "{err:?}");
    match err.line {
        Some(line) => assert!((1..=lines(bytes)).contains(&line), "line out of the file: {err:?}"),
        None => assert!(err.message.contains(whole), "no line: {err:?}"),
    }
}

fn check_edges(edges: &[(u32, u32)], nodes: u32) {
    let mut seen = std::collections::BTreeSet::new();
    for &(a, b) in edges {
        assert!(a < nodes && b < nodes && a != b, "bad connection {a},{b} for {nodes} nodes");
        assert!(seen.insert((a.min(b), a.max(b))), "connection {a},{b} twice");
    }
}

fn check_bins(bins: &[(f64, f64, f64)], vsize: bool) {
    let (min, max, _) = histogram_bounds(vsize);
    let mut previous_high = min;
    for &(low, high, weight) in bins {
        assert!(previous_high <= low && low < high && high <= max, "bad bin {low},{high}");
        assert!(weight > 0.0 && weight.is_finite(), "bad weight {weight}");
        previous_high = high;
    }
    assert!(!bins.is_empty() && bins.iter().map(|b| b.2).sum::<f64>().is_finite());
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let (count, bytes) = rest.split_at(rest.len().min(4));
    let mut word = [0u8; 4];
    word[..count.len()].copy_from_slice(count);
    let nodes = u32::from_le_bytes(word).clamp(2, 1_000_000);
    match which % 4 {
        0 => match edge_list(FILE, bytes, nodes) {
            Ok(edges) => {
                assert!(!edges.is_empty(), "an empty edge list accepted");
                check_edges(&edges, nodes);
            }
            Err(err) => check_error(&err, "network.topology_file", bytes, "no connections"),
        },
        1 => {
            if let Ok(text) = std::str::from_utf8(bytes) {
                if let Ok(edges) = powsim::net::parse_edge_list(text, nodes) {
                    check_edges(&edges, nodes);
                }
            }
        }
        kind => {
            let vsize = kind == 3;
            let (_, _, key) = histogram_bounds(vsize);
            match histogram(FILE, bytes, vsize) {
                Ok(bins) => check_bins(&bins, vsize),
                Err(err) => check_error(&err, key, bytes, "no bins"),
            }
        }
    }
});
