//! Bitcoin Cash's two earlier difficulty algorithms (`reference/bitcoin-core.md` §1.6(b), (c)):
//! the emergency difficulty adjustment of August to November 2017 (Bitcoin ABC
//! `src/pow/eda.cpp`, `GetNextEDAWorkRequired`) and the 144-block rolling window that replaced it
//! until November 2020, "cw-144" (`src/pow/daa.cpp`, `GetNextDAAWorkRequired`).

use super::super::chain::{BlockId, ChainView, median_time_past};
use super::super::compact::{decode_compact, encode_compact};
use super::super::params::ConsensusParams;
use super::super::u256::U256;
use super::bitcoin::{min_difficulty_bits, retarget};
use super::{DifficultyAlgorithm, min_difficulty_exception};

/// The cw-144 window, in blocks.
const CW_WINDOW: u32 = 144;

/// The emergency rule looks back this many blocks.
const EDA_LOOKBACK: u32 = 6;

/// The emergency rule fires when the last six blocks took at least this long (by median time
/// past). The published value is absolute, not a multiple of the target spacing.
const EDA_TRIGGER_S: i64 = 12 * 3600;

/// Bitcoin Cash's emergency difficulty adjustment (EDA): Bitcoin's retarget at retarget heights
/// (same first block, same off-by-one, base target from the parent); in between, the target
/// grows by a quarter (difficulty −20 %) whenever the median time past moved at least 12 hours
/// over the last six blocks, and otherwise stays.
///
/// Before six blocks exist below the parent (a chain started near genesis) the emergency rule
/// cannot be evaluated and the parent's nBits are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BchEda;

impl DifficultyAlgorithm for BchEda {
    fn name(&self) -> &'static str {
        "bch-eda"
    }

    fn next_bits(
        &self,
        chain: &dyn ChainView,
        prev: BlockId,
        new_time: i64,
        params: &ConsensusParams,
    ) -> u32 {
        let interval = params.retarget_interval.max(1);
        let prev_height = chain.height(prev);
        let prev_bits = chain.bits(prev);
        if (prev_height + 1) % interval == 0 {
            let first = chain.ancestor(prev, prev_height - (interval - 1));
            return retarget(prev_bits, prev_bits, chain.time(prev) - chain.time(first), params);
        }
        if params.allow_min_difficulty_blocks {
            return min_difficulty_bits(chain, prev, new_time, params);
        }
        // Already at the minimum difficulty: nothing to lower.
        if prev_bits == params.pow_limit_bits() {
            return prev_bits;
        }
        let Some(back_height) = prev_height.checked_sub(EDA_LOOKBACK) else {
            return prev_bits;
        };
        let back = chain.ancestor(prev, back_height);
        let window = params.mtp_window;
        let elapsed_s = median_time_past(chain, prev, window) - median_time_past(chain, back, window);
        if elapsed_s < EDA_TRIGGER_S {
            return prev_bits;
        }
        let target = decode_compact(prev_bits).target;
        encode_compact(&(target + target.shr(2)).min(params.pow_limit))
    }

    fn depends_only_on_parent(&self, params: &ConsensusParams) -> bool {
        !params.allow_min_difficulty_blocks
    }

    fn history_blocks(&self, params: &ConsensusParams) -> u32 {
        // The retarget's period, or the six blocks back plus that block's MTP window.
        params.retarget_interval.max(1).max(EDA_LOOKBACK + params.mtp_window)
    }
}

/// Bitcoin Cash's cw-144 DAA: the work done between two blocks 144 apart, each chosen as the
/// median by time of a block and its two parents, over the time between them clamped to
/// `[72 T, 288 T]`, gives the work per target spacing `W`; the next target is
/// `(2^256 − W) / W`, capped at `powLimit`.
///
/// The reference asserts that the window exists. Until it does (the parent below height 146,
/// i.e. fewer than 147 blocks at and below it) this keeps the parent's nBits: no adjustment
/// without a full window. A simulation's generated history holds the window whenever the start
/// height is at least 147.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BchCw144;

impl BchCw144 {
    /// Blocks cw-144 reads: the window plus the two blocks below its first block that its
    /// median-of-3 rule looks at (heights `prev − 146 ..= prev`).
    pub const HISTORY_BLOCKS: u32 = CW_WINDOW + 3;
}

impl DifficultyAlgorithm for BchCw144 {
    fn name(&self) -> &'static str {
        "bch-cw144"
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
        let prev_height = chain.height(prev);
        if prev_height < Self::HISTORY_BLOCKS - 1 {
            return chain.bits(prev);
        }
        let last = suitable_block(chain, prev);
        let first = suitable_block(chain, chain.ancestor(prev, prev_height - CW_WINDOW));
        encode_compact(&cw_target(chain, first, last, params).min(params.pow_limit))
    }

    fn depends_only_on_parent(&self, params: &ConsensusParams) -> bool {
        !params.allow_min_difficulty_blocks
    }

    fn history_blocks(&self, _: &ConsensusParams) -> u32 {
        Self::HISTORY_BLOCKS
    }
}

/// `GetSuitableBlock`: the median by time of `b`, its parent and its grandparent, picked with the
/// reference's three-comparison sorting network (so ties resolve as it does). `b` must have two
/// ancestors.
fn suitable_block(chain: &dyn ChainView, b: BlockId) -> BlockId {
    let parent = chain.parent(b).expect("cw-144 needs two ancestors");
    let grandparent = chain.parent(parent).expect("cw-144 needs two ancestors");
    let mut blocks = [grandparent, parent, b];
    let time = |i: BlockId| chain.time(i);
    if time(blocks[0]) > time(blocks[2]) {
        blocks.swap(0, 2);
    }
    if time(blocks[0]) > time(blocks[1]) {
        blocks.swap(0, 1);
    }
    if time(blocks[1]) > time(blocks[2]) {
        blocks.swap(1, 2);
    }
    blocks[1]
}

/// `ComputeTarget`: the target from the work and clamped time between `first` and `last`.
fn cw_target(chain: &dyn ChainView, first: BlockId, last: BlockId, params: &ConsensusParams) -> U256 {
    let spacing = params.target_spacing_s;
    let work =
        chain.chainwork(last).wrapping_sub(chain.chainwork(first)).wrapping_mul_u64(spacing.unsigned_abs());
    let span_s = (chain.time(last) - chain.time(first)).clamp(72 * spacing, 288 * spacing);
    let (per_spacing, _) = work.div_rem_u64(span_s.unsigned_abs());
    // Only a window without work could give zero; the easiest target is the honest answer.
    if per_spacing.is_zero() {
        return params.pow_limit;
    }
    // 2^256 / W − 1 without 2^256: (2^256 − W) / W, 2^256 − W being W's two's complement.
    per_spacing.not().wrapping_add(U256::ONE).div(&per_spacing)
}

#[cfg(test)]
mod tests {
    use super::super::super::test_chain::TestChain;
    use super::*;

    const BITS: u32 = 0x1b0404cb;

    fn main() -> ConsensusParams {
        ConsensusParams::mainnet()
    }

    /// A chain whose block `i` has time `1_000_000 + spacing · i + (i · 7919 mod 3001) − 1500` and
    /// nBits alternating 0x1b0404cb / 0x1b0504cb / 0x1b0304cb by `i mod 3`: timestamps out of
    /// order and work that depends on which block the median picks.
    fn jittered(len: u32, spacing_s: i64) -> TestChain {
        let blocks = (0..len)
            .map(|i| {
                let i = i64::from(i);
                let time = 1_000_000 + spacing_s * i + (i * 7919) % 3001 - 1500;
                let bits = [0x1b0404cb, 0x1b0504cb, 0x1b0304cb][(i % 3) as usize];
                (time, bits)
            })
            .collect();
        TestChain { blocks }
    }

    #[test]
    fn cw144_reference_values() {
        // Expected nBits from an independent Python model of §1.6(c) (big integers, chainwork
        // summed from floor(2^256 / (target + 1)): `tests/data/vectors/daa_reference.py`,
        // function `cw144`) on the `jittered` chains. Columns: spacing, parent height, nBits.
        // The medians fall on different blocks of the three: at parent height 146 the last
        // block is the parent's parent and the first the lowest of its three; at 147 both are
        // the lowest; at 151 both are the highest.
        let cases: [(i64, u32, u32); 7] = [
            (600, 146, 0x1b03e74c),
            (600, 147, 0x1b03d8ed),
            (600, 151, 0x1b03d8ed),
            // Four times too fast: the span (21,556 s) clamps at 72 T.
            (150, 170, 0x1b01ecb7),
            // Three times too slow: the span (259,156 s) clamps at 288 T.
            (1800, 170, 0x1b07b2dc),
            // Just inside the clamps (47,476 s and 165,556 s).
            (330, 170, 0x1b021d7c),
            (1150, 170, 0x1b07603d),
        ];
        let p = main();
        for (spacing, prev, want) in cases {
            let chain = jittered(prev + 1, spacing);
            let got = BchCw144.next_bits(&chain, BlockId(prev), 0, &p);
            assert_eq!(got, want, "spacing {spacing}, parent height {prev}");
        }
    }

    #[test]
    fn cw144_median_of_three_picks_by_time() {
        let chain = TestChain::from_times(&[100, 300, 200, 50, 50, 60], BITS);
        // {100, 300, 200}: 200 at height 2.
        assert_eq!(suitable_block(&chain, BlockId(2)), BlockId(2));
        // {300, 200, 50}: 200 at height 2.
        assert_eq!(suitable_block(&chain, BlockId(3)), BlockId(2));
        // {200, 50, 50}: a tie between heights 3 and 4; the sorting network puts height 4 first
        // and returns height 3.
        assert_eq!(suitable_block(&chain, BlockId(4)), BlockId(3));
        assert_eq!(suitable_block(&chain, BlockId(5)), BlockId(4));
    }

    #[test]
    fn cw144_clamps_and_pow_limit() {
        let p = main();
        let steady = TestChain::regular(200, 1_000_000, 600, BITS);
        let target = decode_compact(BITS).target;
        let got = decode_compact(BchCw144.next_bits(&steady, steady.tip(), 0, &p)).target;
        // On schedule the target comes back within the encoder's rounding.
        assert!(got <= target && got >= target - target.shr(15), "{got} vs {target}");
        // Timestamps running backwards clamp at 72 T, exactly like a span of 72 T.
        let backwards = TestChain::regular(200, 10_000_000, -60, BITS);
        let quick = TestChain::regular(200, 1_000_000, 300, BITS);
        let bits = BchCw144.next_bits(&backwards, backwards.tip(), 0, &p);
        assert_eq!(bits, BchCw144.next_bits(&quick, quick.tip(), 0, &p));
        let slow = TestChain::regular(200, 1_000_000, 1200, BITS);
        let very_slow = TestChain::regular(200, 1_000_000, 100_000, BITS);
        assert_eq!(
            BchCw144.next_bits(&very_slow, very_slow.tip(), 0, &p),
            BchCw144.next_bits(&slow, slow.tip(), 0, &p)
        );
        // At powLimit and slow, the target would exceed powLimit: capped.
        let easy = TestChain::regular(200, 1_000_000, 1200, p.pow_limit_bits());
        assert_eq!(BchCw144.next_bits(&easy, easy.tip(), 0, &p), p.pow_limit_bits());
    }

    #[test]
    fn cw144_keeps_the_parent_bits_without_a_full_window() {
        let p = main();
        let mut chain = TestChain::regular(147, 1_000_000, 10_000, BITS);
        chain.blocks[145].1 = 0x1b0304cb;
        assert_eq!(BchCw144.next_bits(&chain, BlockId(145), 0, &p), 0x1b0304cb);
        assert_ne!(BchCw144.next_bits(&chain, BlockId(146), 0, &p), BITS);
        assert_eq!(BchCw144.history_blocks(&p), 147);
        assert!(BchCw144.depends_only_on_parent(&p));
        assert!(!BchCw144.depends_only_on_parent(&ConsensusParams::testnet4()));
        assert_eq!(BchCw144.name(), "bch-cw144");
    }

    /// Times giving `MTP(prev) − MTP(prev − 6)` = `elapsed_s` for a parent at height 40: every
    /// block 600 s apart except heights 30..=35, which carry the rest of the gap. With an
    /// 11-block window the MTPs are the times of heights 35 and 29.
    fn eda_chain(elapsed_s: i64) -> TestChain {
        let mut time = 1_000_000;
        let times: Vec<i64> = (0..41)
            .map(|h| {
                if (30..=35).contains(&h) {
                    time += elapsed_s / 6 + i64::from(h == 35) * (elapsed_s % 6);
                } else if h > 0 {
                    time += 600;
                }
                time
            })
            .collect();
        TestChain::from_times(&times, BITS)
    }

    #[test]
    fn eda_triggers_only_after_twelve_hours() {
        let p = main();
        let just_under = eda_chain(12 * 3600 - 1);
        let exactly = eda_chain(12 * 3600);
        let mtp = |c: &TestChain, h| median_time_past(c, BlockId(h), 11);
        assert_eq!(mtp(&just_under, 40) - mtp(&just_under, 34), 12 * 3600 - 1);
        assert_eq!(mtp(&exactly, 40) - mtp(&exactly, 34), 12 * 3600);
        assert_eq!(BchEda.next_bits(&just_under, BlockId(40), 0, &p), BITS);
        // target + target / 4, from the Python model (`daa_reference.py`, `eda`): 0x0404cb * 1.25 truncated.
        assert_eq!(BchEda.next_bits(&exactly, BlockId(40), 0, &p), 0x1b0505fd);
        // Already at powLimit: nothing to lower.
        let mut easy = eda_chain(20 * 3600);
        easy.blocks.iter_mut().for_each(|b| b.1 = p.pow_limit_bits());
        assert_eq!(BchEda.next_bits(&easy, BlockId(40), 0, &p), p.pow_limit_bits());
        // Just below powLimit the increase is capped at it.
        easy.blocks[40].1 = 0x1d00f000;
        assert_eq!(BchEda.next_bits(&easy, BlockId(40), 0, &p), p.pow_limit_bits());
    }

    #[test]
    fn eda_retargets_like_bitcoin_at_retarget_heights() {
        let p = main();
        // A period of 20-minute blocks: the emergency rule would fire, but at a retarget height
        // the Bitcoin retarget decides (2015 intervals of 1200 s against 14 days).
        let chain = TestChain::regular(2016, 1_000_000, 1200, BITS);
        let want = retarget(BITS, BITS, 2015 * 1200, &p);
        assert_eq!(BchEda.next_bits(&chain, chain.tip(), 0, &p), want);
        // From the Python model (`daa_reference.py`, `eda`, retarget branch): the target times
        // 2,418,000 / 1,209,600, truncated.
        assert_eq!(want, 0x1b080890);
        // One block before, the emergency rule: each 6 blocks take 2 hours, MTP 2 h < 12 h.
        assert_eq!(BchEda.next_bits(&chain, BlockId(2014), 0, &p), BITS);
        assert_eq!(BchEda.history_blocks(&p), 2016);
        assert_eq!(BchEda.name(), "bch-eda");
    }

    #[test]
    fn eda_early_chain_and_testnet_rule() {
        let p = main();
        let slow = TestChain::regular(6, 1_000_000, 100_000, BITS);
        // Height 5 has no block six below it: keep.
        assert_eq!(BchEda.next_bits(&slow, BlockId(5), 0, &p), BITS);
        let testnet = ConsensusParams::testnet4();
        let t = slow.time(slow.tip());
        assert_eq!(BchEda.next_bits(&slow, slow.tip(), t + 1201, &testnet), testnet.pow_limit_bits());
        assert!(!BchEda.depends_only_on_parent(&testnet));
        assert!(BchEda.depends_only_on_parent(&p));
    }
}
