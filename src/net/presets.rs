//! Region data presets: mean latency between regions, per-region bandwidth and
//! where nodes are, with each number's source.
//!
//! All tables use the region order of [`Region::ALL`]: NA, EU, SA, AP, JP, AU.
//! The doc comment of each constant names the original source of its figures.

use super::Region;
use super::latency::LatencyModel;
use crate::sim::SimRng;

/// The region parameters of one network preset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegionTable {
    /// Mean one-way latency in milliseconds, `[from][to]`.
    pub latency_ms: [[f64; 6]; 6],
    /// Upload bandwidth of a node in each region, bits per second.
    pub upload_bps: [f64; 6],
    /// Download bandwidth of a node in each region, bits per second.
    pub download_bps: [f64; 6],
    /// Share of nodes in each region (fractions summing to 1).
    pub region_share: [f64; 6],
}

impl RegionTable {
    /// The preset's latency matrix as a latency model.
    pub fn latency_model(&self) -> LatencyModel {
        LatencyModel::Matrix(self.latency_ms)
    }
}

const MBPS: f64 = 1_000_000.0;

/// Mean one-way latency (ms) for Bitcoin in 2015: Gervais et al. 2016,
/// "On the Security and Performance of Proof of Work Blockchains", simulator
/// file `bitcoin-topology-helper.cc`. SimBlock's
/// `LATENCY_2015` is the same matrix rounded to whole milliseconds.
const LATENCY_2015_MS: [[f64; 6]; 6] = [
    [35.5, 119.49, 254.79, 310.11, 154.36, 207.91],
    [119.49, 11.61, 221.08, 241.9, 266.45, 350.07],
    [254.79, 221.08, 137.09, 346.65, 255.95, 268.91],
    [310.11, 241.9, 346.65, 99.46, 172.24, 277.8],
    [154.36, 266.45, 255.95, 172.24, 8.76, 162.59],
    [207.91, 350.07, 268.91, 277.8, 162.59, 21.72],
];

/// Mean one-way latency (ms) for Bitcoin in 2019: SimBlock's
/// `NetworkConfiguration.LATENCY_2019`, its default.
const LATENCY_2019_MS: [[f64; 6]; 6] = [
    [32.0, 124.0, 184.0, 198.0, 151.0, 189.0],
    [124.0, 11.0, 227.0, 237.0, 252.0, 294.0],
    [184.0, 227.0, 88.0, 325.0, 301.0, 322.0],
    [198.0, 237.0, 325.0, 85.0, 58.0, 198.0],
    [151.0, 252.0, 301.0, 58.0, 12.0, 126.0],
    [189.0, 294.0, 322.0, 198.0, 126.0, 16.0],
];

/// SimBlock `DOWNLOAD_BANDWIDTH_2015`, in Mbit/s.
const DOWNLOAD_2015_MBPS: [f64; 6] = [25.0, 24.0, 6.5, 10.0, 17.5, 14.0];
/// SimBlock `UPLOAD_BANDWIDTH_2015`, in Mbit/s.
const UPLOAD_2015_MBPS: [f64; 6] = [4.7, 8.1, 1.8, 5.3, 3.4, 5.2];
/// SimBlock `DOWNLOAD_BANDWIDTH_2019`, in Mbit/s.
const DOWNLOAD_2019_MBPS: [f64; 6] = [52.0, 40.0, 18.0, 22.8, 22.8, 29.9];
/// SimBlock `UPLOAD_BANDWIDTH_2019`, in Mbit/s.
const UPLOAD_2019_MBPS: [f64; 6] = [19.2, 20.7, 5.8, 15.7, 10.2, 11.3];

/// Share of Bitcoin nodes per region in 2015, in percent: Gervais et al.;
/// SimBlock `REGION_DISTRIBUTION_BITCOIN_2015`.
const SHARE_2015_PCT: [f64; 6] = [38.69, 51.59, 1.13, 5.74, 1.19, 1.66];
/// Share of Bitcoin nodes per region in 2019, in percent: SimBlock
/// `REGION_DISTRIBUTION_BITCOIN_2019`.
const SHARE_2019_PCT: [f64; 6] = [33.16, 49.98, 0.90, 11.77, 2.24, 1.95];

fn scaled(values: [f64; 6], factor: f64) -> [f64; 6] {
    values.map(|v| v * factor)
}

/// Bitcoin 2015: Gervais et al.'s latency matrix, SimBlock's 2015 bandwidths
/// and the 2015 region mix.
pub fn bitcoin_2015() -> RegionTable {
    RegionTable {
        latency_ms: LATENCY_2015_MS,
        upload_bps: scaled(UPLOAD_2015_MBPS, MBPS),
        download_bps: scaled(DOWNLOAD_2015_MBPS, MBPS),
        region_share: scaled(SHARE_2015_PCT, 0.01),
    }
}

/// Bitcoin 2019: SimBlock's default latency matrix, 2019 bandwidths and the
/// 2019 region mix.
pub fn bitcoin_2019() -> RegionTable {
    RegionTable {
        latency_ms: LATENCY_2019_MS,
        upload_bps: scaled(UPLOAD_2019_MBPS, MBPS),
        download_bps: scaled(DOWNLOAD_2019_MBPS, MBPS),
        region_share: scaled(SHARE_2019_PCT, 0.01),
    }
}

/// Draws each of `n` nodes' region independently with probability
/// proportional to `shares`, as SimBlock's `getRegion` does. Shares need not
/// sum to 1 but must be non-negative with a positive sum.
pub fn assign_regions(n: u32, shares: &[f64; 6], rng: &mut SimRng) -> Vec<Region> {
    (0..n).map(|_| Region::ALL[rng.weighted_index(shares)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_the_reference_tables() {
        let t = bitcoin_2015();
        assert_eq!(t.latency_ms[0][0], 35.5);
        assert_eq!(t.latency_ms[Region::EU.index()][Region::AU.index()], 350.07);
        assert_eq!(t.latency_ms[Region::JP.index()][Region::JP.index()], 8.76);
        assert_eq!(t.upload_bps[Region::SA.index()], 1_800_000.0);
        assert_eq!(t.download_bps[Region::NA.index()], 25_000_000.0);
        let t = bitcoin_2019();
        assert_eq!(t.latency_ms[Region::AP.index()][Region::JP.index()], 58.0);
        assert_eq!(t.latency_ms[Region::SA.index()][Region::AU.index()], 322.0);
        assert_eq!(t.upload_bps[Region::EU.index()], 20_700_000.0);
        assert_eq!(t.download_bps[Region::AU.index()], 29_900_000.0);
    }

    #[test]
    fn matrices_are_symmetric_and_shares_sum_to_one() {
        for t in [bitcoin_2015(), bitcoin_2019()] {
            for i in 0..6 {
                for j in 0..6 {
                    assert_eq!(t.latency_ms[i][j], t.latency_ms[j][i]);
                }
            }
            let sum: f64 = t.region_share.iter().sum();
            assert!((sum - 1.0).abs() < 1e-9, "{sum}");
        }
    }

    #[test]
    fn regions_follow_the_shares_deterministically() {
        let shares = bitcoin_2019().region_share;
        let a = assign_regions(100_000, &shares, &mut SimRng::from_seed_u64(3));
        let b = assign_regions(100_000, &shares, &mut SimRng::from_seed_u64(3));
        assert_eq!(a, b);
        for r in Region::ALL {
            let share = a.iter().filter(|x| **x == r).count() as f64 / a.len() as f64;
            assert!((share - shares[r.index()]).abs() < 0.01, "{r}: {share}");
        }
    }
}
