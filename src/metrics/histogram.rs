//! A log-linear histogram of nanosecond durations: exact below 1,024 ns and
//! within 1/1,024 relative error above, in fixed memory, so quantiles over
//! millions of (block, node) pairs need no stored samples.

const SUB_BITS: u32 = 10;
const SUB: u64 = 1 << SUB_BITS;

/// Counts of durations in log-linear buckets.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: vec![0; bucket_of(u64::MAX) + 1], total: 0 }
    }
}

fn bucket_of(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let e = 63 - v.leading_zeros();
    let m = (v >> (e - SUB_BITS)) & (SUB - 1);
    (SUB + u64::from(e - SUB_BITS) * SUB + m) as usize
}

/// The midpoint of a bucket's range.
fn bucket_value(b: usize) -> u64 {
    let b = b as u64;
    if b < SUB {
        return b;
    }
    let e = (b - SUB) / SUB + u64::from(SUB_BITS);
    let m = (b - SUB) % SUB;
    let low = (SUB | m) << (e - u64::from(SUB_BITS));
    let width = 1u64 << (e - u64::from(SUB_BITS));
    low + width / 2
}

impl Histogram {
    /// Records one duration.
    pub fn record(&mut self, nanos: u64) {
        self.counts[bucket_of(nanos)] += 1;
        self.total += 1;
    }

    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The nearest-rank `q`-quantile (0 < q <= 1), or `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(bucket_value(b));
            }
        }
        unreachable!("rank is at most the total count")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_thousandth() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v * 1_000_000);
        }
        for (q, want) in [(0.1, 10_000e6), (0.5, 50_000e6), (0.9, 90_000e6), (1.0, 100_000e6)] {
            let got = h.quantile(q).unwrap() as f64;
            assert!((got - want).abs() / want < 1.0 / 1024.0, "q={q} got {got} want {want}");
        }
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn small_values_are_exact_and_buckets_are_monotone() {
        let mut h = Histogram::default();
        h.record(7);
        assert_eq!(h.quantile(1.0), Some(7));
        let mut last = 0;
        for v in [1u64, 1023, 1024, 1025, 4096, 1 << 40, u64::MAX] {
            let b = bucket_of(v);
            assert!(b >= last);
            last = b;
        }
    }
}
