//! Bitcoin's difficulty adjustment, reproduced from Core's `GetNextWorkRequired` and
//! `CalculateNextWorkRequired` (Bitcoin Core `src/pow.cpp`), and the same rules with testnet4's
//! BIP94 forced on.

use super::super::chain::{BlockId, ChainView};
use super::super::compact::{decode_compact, encode_compact};
use super::super::params::ConsensusParams;
use super::super::u256::U256;
use super::DifficultyAlgorithm;

/// Bitcoin's difficulty adjustment as Core implements it: a retarget every `retarget_interval`
/// blocks measured over one interval fewer blocks (the off-by-one), the testnet min-difficulty
/// rule with its walk-back, regtest's no-retargeting and BIP94's base target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BitcoinRetarget;

impl DifficultyAlgorithm for BitcoinRetarget {
    fn name(&self) -> &'static str {
        "bitcoin"
    }

    fn next_bits(
        &self,
        chain: &dyn ChainView,
        prev: BlockId,
        new_time: i64,
        params: &ConsensusParams,
    ) -> u32 {
        retarget_next_bits(chain, prev, new_time, params, params.enforce_bip94)
    }

    fn depends_only_on_parent(&self, params: &ConsensusParams) -> bool {
        !params.allow_min_difficulty_blocks
    }

    fn history_blocks(&self, params: &ConsensusParams) -> u32 {
        // A retarget reads back to the period's first block: `retarget_interval` blocks.
        params.retarget_interval.max(1)
    }
}

/// Core's retarget with testnet4's BIP94 rules on whatever the parameters say: the retarget
/// scales the target of the period's first block (not of its last), and a block at a retarget
/// height may not be timestamped more than 600 s before its parent (the timewarp rule, checked
/// by `check_header_contextual` through [`DifficultyAlgorithm::enforces_timewarp_rule`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BitcoinBip94;

impl DifficultyAlgorithm for BitcoinBip94 {
    fn name(&self) -> &'static str {
        "bitcoin-bip94"
    }

    fn next_bits(
        &self,
        chain: &dyn ChainView,
        prev: BlockId,
        new_time: i64,
        params: &ConsensusParams,
    ) -> u32 {
        retarget_next_bits(chain, prev, new_time, params, true)
    }

    fn depends_only_on_parent(&self, params: &ConsensusParams) -> bool {
        !params.allow_min_difficulty_blocks
    }

    fn history_blocks(&self, params: &ConsensusParams) -> u32 {
        params.retarget_interval.max(1)
    }

    fn enforces_timewarp_rule(&self, _: &ConsensusParams) -> bool {
        true
    }
}

/// Core's `GetNextWorkRequired`, with the retarget's base target taken from the period's first
/// block when `bip94` is set and from the parent otherwise.
fn retarget_next_bits(
    chain: &dyn ChainView,
    prev: BlockId,
    new_time: i64,
    params: &ConsensusParams,
    bip94: bool,
) -> u32 {
    let interval = params.retarget_interval.max(1);
    let prev_height = chain.height(prev);
    if (prev_height + 1) % interval != 0 {
        return if params.allow_min_difficulty_blocks {
            min_difficulty_bits(chain, prev, new_time, params)
        } else {
            chain.bits(prev)
        };
    }
    // Core goes back interval - 1 blocks, not interval, so a period's measured span covers one
    // block interval fewer than the timespan it is divided by.
    let first = chain.ancestor(prev, prev_height - (interval - 1));
    let actual_timespan_s = chain.time(prev) - chain.time(first);
    let base_bits = if bip94 { chain.bits(first) } else { chain.bits(prev) };
    retarget(chain.bits(prev), base_bits, actual_timespan_s, params)
}

/// The testnet rule off retarget heights: a block more than two spacings after its parent must
/// use `powLimit`; otherwise it carries the last difficulty that was not such an exception.
pub(super) fn min_difficulty_bits(
    chain: &dyn ChainView,
    prev: BlockId,
    new_time: i64,
    params: &ConsensusParams,
) -> u32 {
    let limit_bits = params.pow_limit_bits();
    // The comparison is with the parent's timestamp, not with any clock.
    if new_time > chain.time(prev).saturating_add(params.target_spacing_s.saturating_mul(2)) {
        return limit_bits;
    }
    // Walk back over min-difficulty blocks, stopping at a period's first block so that a period
    // which really started at powLimit keeps it.
    let interval = params.retarget_interval.max(1);
    let mut p = prev;
    while let Some(parent) = chain.parent(p) {
        if chain.height(p) % interval == 0 || chain.bits(p) != limit_bits {
            break;
        }
        p = parent;
    }
    chain.bits(p)
}

/// Core's `CalculateNextWorkRequired`: scale the base target by the clamped measured timespan.
///
/// `actual_timespan_s` is the raw span (it may be negative); it is clamped here to
/// `[timespan / clamp_factor, timespan * clamp_factor]`. The base is `first_block_bits` under
/// BIP94 and `prev_bits` otherwise. The product is a wrapping 256-bit multiply, as in Core, then
/// divided by the timespan, capped at `powLimit` and encoded with truncation. With
/// `no_retargeting` the answer is `prev_bits`.
///
/// Core multiplies by the timespan converted to 32 bits, which is exact for its parameters; this
/// multiplies by the full 64-bit value, the faithful reading for larger clamp factors.
///
/// Panics if the timespan or the clamp factor is not positive (see [`ConsensusParams::validate`]).
pub fn calculate_next_work_required(
    prev_bits: u32,
    first_block_bits: u32,
    actual_timespan_s: i64,
    params: &ConsensusParams,
) -> u32 {
    // BIP94 takes the base from the period's first block, so testnet's min-difficulty blocks at the
    // end of a period cannot drag the real difficulty down.
    let base_bits = if params.enforce_bip94 { first_block_bits } else { prev_bits };
    retarget(prev_bits, base_bits, actual_timespan_s, params)
}

/// The retarget proper: `base_bits`'s target scaled by the clamped span over the timespan,
/// capped at `powLimit` and encoded with truncation (`prev_bits` under `no_retargeting`).
pub(super) fn retarget(
    prev_bits: u32,
    base_bits: u32,
    actual_timespan_s: i64,
    params: &ConsensusParams,
) -> u32 {
    if params.no_retargeting {
        return prev_bits;
    }
    let timespan = params.timespan_s();
    assert!(timespan > 0 && params.clamp_factor >= 1, "invalid consensus params: {params:?}");
    let min_span = timespan / params.clamp_factor;
    let max_span = timespan.saturating_mul(params.clamp_factor);
    let clamped = actual_timespan_s.clamp(min_span, max_span);
    let base = decode_compact(base_bits).target;
    // Both spans are non-negative here: the clamp's lower bound is at least zero.
    let scaled = base.wrapping_mul_u64(clamped.unsigned_abs()).div(&U256::from_u64(timespan.unsigned_abs()));
    encode_compact(&scaled.min(params.pow_limit))
}

#[cfg(test)]
mod tests {
    use super::super::super::test_chain::TestChain;
    use super::*;

    const RETARGET_CSV: &str = include_str!("../../../tests/data/vectors/retarget_mainnet.csv");
    const DIFF1: u32 = 0x1d00ffff;
    const WEEK_S: i64 = 7 * 24 * 3600;

    #[test]
    fn retarget_vectors_every_row() {
        let mut lines = RETARGET_CSV.lines();
        assert_eq!(lines.next(), Some("prev_nbits_hex,actual_timespan_s,next_nbits_hex"));
        let params = ConsensusParams::mainnet();
        let mut count = 0;
        for line in lines.filter(|l| !l.is_empty()) {
            let row: Vec<&str> = line.split(',').collect();
            let prev = u32::from_str_radix(row[0], 16).expect("hex nBits");
            // The span is the raw prev.time - first.time, before the clamp (some are negative).
            let span: i64 = row[1].parse().expect("integer span");
            let next = u32::from_str_radix(row[2], 16).expect("hex nBits");
            assert_eq!(calculate_next_work_required(prev, prev, span, &params), next, "{line}");
            count += 1;
        }
        assert_eq!(count, 1503);
    }

    #[test]
    fn named_retargets() {
        let p = ConsensusParams::mainnet();
        assert_eq!(calculate_next_work_required(DIFF1, DIFF1, WEEK_S, &p), 0x1c7fff80);
        assert_eq!(calculate_next_work_required(DIFF1, DIFF1, 2 * WEEK_S, &p), DIFF1);
        assert_eq!(calculate_next_work_required(DIFF1, DIFF1, 10 * WEEK_S, &p), DIFF1);
        // A negative span clamps to a quarter of the timespan: 4x harder, not easier.
        assert_eq!(calculate_next_work_required(DIFF1, DIFF1, -WEEK_S, &p), 0x1c3fffc0);
        assert_eq!(
            calculate_next_work_required(DIFF1, DIFF1, -WEEK_S, &p),
            calculate_next_work_required(DIFF1, DIFF1, p.timespan_s() / 4, &p)
        );
    }

    #[test]
    fn off_retarget_keeps_parent_bits() {
        let p = ConsensusParams::mainnet();
        let chain = TestChain::regular(100, 1_000_000, 600, 0x1c7fff80);
        let far_future = chain.time(chain.tip()) + 10 * WEEK_S;
        assert_eq!(BitcoinRetarget.next_bits(&chain, chain.tip(), far_future, &p), 0x1c7fff80);
        assert!(BitcoinRetarget.depends_only_on_parent(&p));
        assert_eq!(BitcoinRetarget.name(), "bitcoin");
    }

    #[test]
    fn retarget_height_measures_from_height_minus_interval_minus_one() {
        let p = ConsensusParams::mainnet();
        // Heights 0..=4031 every 600 s, but height 2016 onward shifted 3.5 days later, so reading
        // the span from height 2015 instead of 2016 would give a different answer.
        let mut chain = TestChain::regular(4032, 1_000_000, 600, DIFF1);
        for block in &mut chain.blocks[2016..] {
            block.0 += WEEK_S / 2;
        }
        let tip = chain.tip();
        let bits = BitcoinRetarget.next_bits(&chain, tip, chain.time(tip) + 600, &p);
        let right_span = chain.time(tip) - chain.time(BlockId(2016));
        assert_eq!(right_span, 2015 * 600);
        assert_eq!(bits, calculate_next_work_required(DIFF1, DIFF1, right_span, &p));
        let wrong_span = chain.time(tip) - chain.time(BlockId(2015));
        assert_ne!(bits, calculate_next_work_required(DIFF1, DIFF1, wrong_span, &p));
        // The first retarget (height 2016) reads from genesis.
        let at_2016 = BitcoinRetarget.next_bits(&chain, BlockId(2015), 0, &p);
        assert_eq!(at_2016, calculate_next_work_required(DIFF1, DIFF1, 2015 * 600, &p));
    }

    #[test]
    fn retarget_half_span_and_negative_span() {
        let p = ConsensusParams::mainnet();
        // 2015 intervals of 300 s is just under a week: a bit more than twice as hard.
        let fast = TestChain::regular(2016, 0, 300, DIFF1);
        let bits = BitcoinRetarget.next_bits(&fast, fast.tip(), 0, &p);
        assert_eq!(bits, calculate_next_work_required(DIFF1, DIFF1, 2015 * 300, &p));
        assert!(decode_compact(bits).target < decode_compact(0x1c7fff80).target);
        // Timestamps running backwards clamp to a quarter timespan, i.e. 4x harder.
        let backwards = TestChain::regular(2016, 10_000_000, -60, DIFF1);
        assert_eq!(BitcoinRetarget.next_bits(&backwards, backwards.tip(), 0, &p), 0x1c3fffc0);
    }

    #[test]
    fn min_difficulty_rule() {
        let p = ConsensusParams::testnet4();
        let hard = 0x1c7fff80;
        let limit = p.pow_limit_bits();
        // Period starting at 2016 with real difficulty, then two min-difficulty blocks at the tip.
        let mut chain = TestChain::regular(2030, 0, 600, hard);
        chain.blocks[2028].1 = limit;
        chain.blocks[2029].1 = limit;
        let tip = chain.tip();
        let t = chain.time(tip);
        assert!(!BitcoinRetarget.depends_only_on_parent(&p));
        // More than 20 minutes after the parent: the block must use powLimit.
        assert_eq!(BitcoinRetarget.next_bits(&chain, tip, t + 1201, &p), limit);
        // Exactly 20 minutes is not more: walk back past the min-difficulty blocks.
        assert_eq!(BitcoinRetarget.next_bits(&chain, tip, t + 1200, &p), hard);
        // The walk stops at a period's first block even if it has powLimit bits.
        chain.blocks[2016..].iter_mut().for_each(|b| b.1 = limit);
        assert_eq!(BitcoinRetarget.next_bits(&chain, tip, t + 1, &p), limit);
        // Mainnet has no such rule.
        let main = ConsensusParams::mainnet();
        assert_eq!(BitcoinRetarget.next_bits(&chain, tip, t + 100_000, &main), limit);
        chain.blocks[2029].1 = hard;
        assert_eq!(BitcoinRetarget.next_bits(&chain, tip, t + 100_000, &main), hard);
    }

    #[test]
    fn min_difficulty_walk_back_reaches_genesis() {
        let p = ConsensusParams::testnet4();
        let chain = TestChain::regular(5, 0, 600, p.pow_limit_bits());
        assert_eq!(BitcoinRetarget.next_bits(&chain, chain.tip(), 2400, &p), p.pow_limit_bits());
    }

    #[test]
    fn bip94_uses_first_block_bits() {
        let p = ConsensusParams::testnet4();
        let hard = 0x1c7fff80;
        // A period at `hard` whose last block is a min-difficulty exception.
        let mut chain = TestChain::regular(4032, 0, 600, hard);
        chain.blocks[4031].1 = p.pow_limit_bits();
        let tip = chain.tip();
        let bits = BitcoinRetarget.next_bits(&chain, tip, chain.time(tip) + 1, &p);
        assert_eq!(bits, calculate_next_work_required(hard, hard, 2015 * 600, &p));
        // Without BIP94 the exception leaks: the base is the parent's powLimit.
        let leaky = ConsensusParams { enforce_bip94: false, ..p.clone() };
        let leaked = BitcoinRetarget.next_bits(&chain, tip, chain.time(tip) + 1, &leaky);
        assert_eq!(leaked, calculate_next_work_required(p.pow_limit_bits(), hard, 2015 * 600, &leaky));
        assert_ne!(bits, leaked);
    }

    #[test]
    fn bip94_algorithm_forces_the_first_block_base() {
        // Mainnet parameters (BIP94 off): the bitcoin-bip94 algorithm still scales the period's
        // first block's target, and the plain retarget scales the parent's.
        let p = ConsensusParams::mainnet();
        let hard = 0x1c7fff80;
        let mut chain = TestChain::regular(4032, 0, 600, hard);
        chain.blocks[4031].1 = DIFF1;
        let tip = chain.tip();
        let bip94 = BitcoinBip94.next_bits(&chain, tip, chain.time(tip) + 1, &p);
        assert_eq!(bip94, retarget(DIFF1, hard, 2015 * 600, &p));
        let plain = BitcoinRetarget.next_bits(&chain, tip, chain.time(tip) + 1, &p);
        assert_eq!(plain, retarget(DIFF1, DIFF1, 2015 * 600, &p));
        assert_ne!(bip94, plain);
        // With BIP94 in the parameters the two agree.
        let on = ConsensusParams { enforce_bip94: true, ..p.clone() };
        assert_eq!(BitcoinRetarget.next_bits(&chain, tip, 0, &on), bip94);
        assert!(BitcoinBip94.enforces_timewarp_rule(&p));
        assert!(!BitcoinRetarget.enforces_timewarp_rule(&p));
        assert!(BitcoinRetarget.enforces_timewarp_rule(&on));
        assert!(BitcoinBip94.depends_only_on_parent(&p));
        assert!(!BitcoinBip94.depends_only_on_parent(&ConsensusParams::testnet4()));
        assert_eq!(BitcoinBip94.history_blocks(&p), 2016);
        assert_eq!(BitcoinRetarget.history_blocks(&p), 2016);
        assert_eq!(BitcoinBip94.name(), "bitcoin-bip94");
        // Off retarget heights both keep the parent's bits.
        assert_eq!(BitcoinBip94.next_bits(&chain, BlockId(4030), 0, &p), hard);
    }

    #[test]
    fn no_retargeting_keeps_bits() {
        let p = ConsensusParams::regtest();
        let chain = TestChain::regular(144, 0, 1, 0x207fffff);
        assert_eq!(BitcoinRetarget.next_bits(&chain, chain.tip(), 145, &p), 0x207fffff);
        assert_eq!(calculate_next_work_required(0x1d00ffff, 0x1b00ffff, 1, &p), 0x1d00ffff);
    }

    #[test]
    fn product_wraps_in_256_bits() {
        // A base near 2^256 times a 4x span wraps, exactly as Core's arith_uint256 does.
        let p = ConsensusParams { pow_limit: U256::MAX, ..ConsensusParams::mainnet() };
        let base = 0x2100ffff;
        let span = 4 * p.timespan_s();
        let wrapped =
            decode_compact(base).target.wrapping_mul_u64(span as u64).div(&U256::from_u64(1_209_600));
        assert_eq!(calculate_next_work_required(base, base, span, &p), encode_compact(&wrapped));
        assert!(
            decode_compact(calculate_next_work_required(base, base, span, &p)).target
                < decode_compact(base).target
        );
    }
}
