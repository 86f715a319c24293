//! zawy's LWMA, the linearly weighted moving average of solve times ("LWMA for BTC clones",
//! zawy12/difficulty-algorithms issue 3, comment 388386175; code in `kuronekoko/bitcoin`
//! `src/pow.cpp`, `LinearWeightedMovingAverage`; `reference/bitcoin-core.md` §1.6(d)).

use super::super::chain::{BlockId, ChainView};
use super::super::compact::{decode_compact, encode_compact};
use super::super::params::ConsensusParams;
use super::super::u256::U256;
use super::{DifficultyAlgorithm, min_difficulty_exception};

/// LWMA over the last `window` blocks (N), with `k = N (N + 1) T / 2`:
///
/// - for the N most recent blocks, oldest first (weight `j` = 1..N), the solve time
///   `time_j − time_{j−1}` is clamped to `[−FTL, 6 T]`, FTL being the consensus future-time limit
///   (`max_future_block_time_s`; zawy recommends lowering it to about N·T/20 when adopting LWMA,
///   which a scenario can do);
/// - `t = Σ j · solvetime_j`, floored at `k / 10` (so a burst of fast or backwards timestamps
///   cannot raise the difficulty more than tenfold);
/// - `sum = Σ target_j / (k · N)`, each term divided on its own as in the reference code;
/// - the next target is `t · sum`, capped at `powLimit`.
///
/// Negative solve times are allowed (the variant that makes timestamps monotone is not this
/// one). While the parent is below height N, fewer than N + 1 blocks exist and the answer is
/// `powLimit`, as in the reference ("give away the first N blocks"); a simulation's generated
/// history holds the window whenever the start height is at least N + 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lwma {
    window: u32,
}

impl Lwma {
    /// zawy's suggestion for T = 600 s (N ≈ 60, 90, 120 for T = 600, 300, 150 s). It is a fixed
    /// default and does not follow the target spacing.
    pub const DEFAULT_WINDOW: u32 = 60;

    /// LWMA over `window` blocks. Panics if the window is zero.
    pub fn new(window: u32) -> Lwma {
        assert!(window >= 1, "LWMA window must be at least one block");
        Lwma { window }
    }

    /// The window N, in blocks.
    pub fn window(&self) -> u32 {
        self.window
    }
}

impl DifficultyAlgorithm for Lwma {
    fn name(&self) -> &'static str {
        "lwma"
    }

    fn next_bits(
        &self,
        chain: &dyn ChainView,
        prev: BlockId,
        new_time: i64,
        params: &ConsensusParams,
    ) -> u32 {
        if let Some(limit) = min_difficulty_exception(chain, prev, new_time, params) {
            return limit;
        }
        if chain.height(prev) < self.window {
            return params.pow_limit_bits();
        }
        let n = i64::from(self.window);
        let spacing = params.target_spacing_s;
        let k = n * (n + 1) * spacing / 2;
        let ftl = params.max_future_block_time_s;
        let divisor = (k * n).unsigned_abs();
        let (mut weighted_s, mut sum_target) = (0i64, U256::ZERO);
        // Walk from the parent (weight N) down to weight 1; the order of the sums does not matter.
        let mut block = prev;
        for weight in (1..=n).rev() {
            let parent = chain.parent(block).expect("the window lies above height 0");
            let solve_s = (chain.time(block) - chain.time(parent)).clamp(-ftl, 6 * spacing);
            weighted_s += weight * solve_s;
            sum_target = sum_target + decode_compact(chain.bits(block)).target.div_rem_u64(divisor).0;
            block = parent;
        }
        let t = weighted_s.max(k / 10);
        encode_compact(&sum_target.wrapping_mul_u64(t.unsigned_abs()).min(params.pow_limit))
    }

    fn depends_only_on_parent(&self, params: &ConsensusParams) -> bool {
        !params.allow_min_difficulty_blocks
    }

    fn history_blocks(&self, _: &ConsensusParams) -> u32 {
        self.window + 1
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::test_chain::TestChain;
    use super::*;

    const BITS: u32 = 0x1b0404cb;

    fn main() -> ConsensusParams {
        ConsensusParams::mainnet()
    }

    /// A chain of `len` blocks from time 1,000,000 whose solve times come from `solve_s`
    /// (cycled) and whose nBits cycle through 0x1b0404cb, 0x1b0504cb, 0x1b0304cb.
    fn chain(len: usize, solve_s: &[i64]) -> TestChain {
        let mut time = 1_000_000;
        let blocks = (0..len)
            .map(|i| {
                if i > 0 {
                    time += solve_s[(i - 1) % solve_s.len()];
                }
                (time, [0x1b0404cb, 0x1b0504cb, 0x1b0304cb][i % 3])
            })
            .collect();
        TestChain { blocks }
    }

    /// Reference values from an independent Python model of §1.6(d) (big integers, the
    /// reference's per-term division: `tests/data/vectors/daa_reference.py`, function `lwma`),
    /// T = 600 s, FTL = 7200 s. Columns: window, chain length, solve times (cycled), expected
    /// nBits of the child of the last block.
    #[test]
    fn reference_values() {
        let cases: [(u32, usize, &[i64], u32); 8] = [
            // Steady 600 s blocks: the mean target of the window (less the per-term rounding).
            (5, 6, &[600], 0x1b0404ca),
            // A solve time below −FTL (clamped to −7200) and one above 6 T (clamped to 3600)
            // give the same as those clamped values.
            (5, 6, &[-9000, 5000, 700, 1200, 900], 0x1b051723),
            (5, 6, &[-7200, 3600, 700, 1200, 900], 0x1b051723),
            // A negative solve time inside the clamps counts as it is.
            (5, 6, &[-300, 600, 700, 1200, 900], 0x1b057e04),
            // Every solve time one second: t floors at k / 10.
            (5, 9, &[1], 0x1a66e119),
            // The default window on a longer, irregular chain, and on steady fast and slow ones.
            (60, 200, &[600, 1300, 20, 900, 410, 2500, 90, 600, -40, 700, 610], 0x1b049728),
            (60, 61, &[300], 0x1b020265),
            (60, 61, &[4000], 0x1b181cc1),
        ];
        let p = main();
        for (window, len, solve_s, want) in cases {
            let c = chain(len, solve_s);
            let got = Lwma::new(window).next_bits(&c, c.tip(), 0, &p);
            assert_eq!(got, want, "window {window}, {len} blocks, {solve_s:?}");
        }
    }

    #[test]
    fn clamps_floor_and_pow_limit() {
        let p = main();
        let lwma = Lwma::new(5);
        // Solve times beyond 6 T count as 6 T.
        let a = chain(6, &[3600]);
        let b = chain(6, &[50_000]);
        assert_eq!(lwma.next_bits(&a, a.tip(), 0, &p), lwma.next_bits(&b, b.tip(), 0, &p));
        // Solve times below −FTL count as −FTL; with a lower FTL they clamp sooner.
        let c = chain(6, &[-9000, 600, 700, 1200, 900]);
        let d = chain(6, &[-7200, 600, 700, 1200, 900]);
        assert_eq!(lwma.next_bits(&c, c.tip(), 0, &p), lwma.next_bits(&d, d.tip(), 0, &p));
        let low_ftl = ConsensusParams { max_future_block_time_s: 1500, ..p.clone() };
        let e = chain(6, &[-1500, 600, 700, 1200, 900]);
        assert_eq!(lwma.next_bits(&c, c.tip(), 0, &low_ftl), lwma.next_bits(&e, e.tip(), 0, &p));
        assert_ne!(lwma.next_bits(&c, c.tip(), 0, &low_ftl), lwma.next_bits(&c, c.tip(), 0, &p));
        // Any run of timestamps summing below k/10 gives the same floor.
        let f = chain(6, &[1]);
        let g = chain(6, &[-5000]);
        assert_eq!(lwma.next_bits(&f, f.tip(), 0, &p), lwma.next_bits(&g, g.tip(), 0, &p));
        // Slow blocks at powLimit: capped.
        let mut slow = chain(6, &[3600]);
        slow.blocks.iter_mut().for_each(|b| b.1 = p.pow_limit_bits());
        assert_eq!(lwma.next_bits(&slow, slow.tip(), 0, &p), p.pow_limit_bits());
    }

    #[test]
    fn pow_limit_until_the_window_exists() {
        let p = main();
        let lwma = Lwma::new(60);
        let c = TestChain::regular(61, 1_000_000, 600, BITS);
        assert_eq!(lwma.next_bits(&c, BlockId(59), 0, &p), p.pow_limit_bits());
        assert_ne!(lwma.next_bits(&c, BlockId(60), 0, &p), p.pow_limit_bits());
        assert_eq!(lwma.history_blocks(&p), 61);
        assert_eq!(lwma.window(), 60);
        assert_eq!(lwma.name(), "lwma");
    }

    #[test]
    fn depends_only_on_parent_unless_testnet() {
        let testnet = ConsensusParams::testnet4();
        let lwma = Lwma::new(Lwma::DEFAULT_WINDOW);
        assert!(lwma.depends_only_on_parent(&main()));
        assert!(!lwma.depends_only_on_parent(&testnet));
        let c = TestChain::regular(80, 1_000_000, 600, BITS);
        let t = c.time(c.tip());
        assert_eq!(lwma.next_bits(&c, c.tip(), t + 1201, &testnet), testnet.pow_limit_bits());
        assert_eq!(lwma.next_bits(&c, c.tip(), t + 1200, &testnet), lwma.next_bits(&c, c.tip(), 0, &main()));
    }
}
