//! The header and block checks that matter in simulation (Bitcoin Core `src/validation.cpp`:
//! `ContextualCheckBlockHeader`, `ContextualCheckBlock`, `ConnectBlock`), as pure
//! functions returning a typed verdict.
//!
//! Each check is a leaf: it reads the chain through [`ChainView`] and takes times as arguments, so
//! a block's verdict can be computed once and shared. Checks a simulator does not model (scripts,
//! merkle roots, sigops) are left out on purpose. The proof-of-work hash check is left to the
//! caller too, since simulated blocks are found by a clock rather than by grinding nonces.

use thiserror::Error;

use super::chain::{BlockId, ChainView, median_time_past};
use super::compact::decode_compact;
use super::difficulty::DifficultyAlgorithm;
use super::params::{ConsensusParams, MAX_TIMEWARP_S};
use super::subsidy::block_subsidy;

/// Why a header or block is invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum BlockError {
    /// nBits decodes to a negative, zero or overflowing value, or to a target above `powLimit`.
    #[error("high-hash: nBits {bits:#010x} is not a valid target")]
    BadTarget {
        /// The header's nBits.
        bits: u32,
    },
    /// nBits differs from what the difficulty algorithm requires.
    #[error("bad-diffbits: expected nBits {expected:#010x}, got {got:#010x}")]
    BadDiffBits {
        /// The nBits the algorithm requires.
        expected: u32,
        /// The header's nBits.
        got: u32,
    },
    /// The timestamp is not after the parent's median time past.
    #[error("time-too-old: time {time} is not after median time past {mtp}")]
    TimeTooOld {
        /// The header's time.
        time: i64,
        /// The parent's median time past.
        mtp: i64,
    },
    /// BIP94: at a retarget height the timestamp is too far before the parent's.
    #[error("time-timewarp-attack: time {time} is before the minimum {min}")]
    TimeTimewarp {
        /// The header's time.
        time: i64,
        /// The earliest time allowed, `prev.time - MAX_TIMEWARP_S`.
        min: i64,
    },
    /// The timestamp is too far ahead of the node's clock; the block may be accepted later.
    #[error("time-too-new: time {time} is after the limit {limit}")]
    TimeTooNew {
        /// The header's time.
        time: i64,
        /// The node's clock plus `max_future_block_time_s`.
        limit: i64,
    },
    /// The block is heavier than `max_block_weight`.
    #[error("bad-blk-weight: weight {weight} exceeds {max}")]
    BadWeight {
        /// The block's weight, in weight units.
        weight: u64,
        /// The maximum allowed.
        max: u64,
    },
    /// The coinbase claims more than the subsidy plus the fees.
    #[error("bad-cb-amount: coinbase claims {claimed} sat, allowed {allowed} sat")]
    BadCoinbaseAmount {
        /// The coinbase's total output value, in satoshis.
        claimed: u64,
        /// Subsidy plus fees, in satoshis.
        allowed: u64,
    },
}

impl BlockError {
    /// Core's reject reason for this failure.
    pub fn reason(&self) -> &'static str {
        match self {
            // Core folds a bad target into its proof-of-work check, hence "high-hash".
            BlockError::BadTarget { .. } => "high-hash",
            BlockError::BadDiffBits { .. } => "bad-diffbits",
            BlockError::TimeTooOld { .. } => "time-too-old",
            BlockError::TimeTimewarp { .. } => "time-timewarp-attack",
            BlockError::TimeTooNew { .. } => "time-too-new",
            BlockError::BadWeight { .. } => "bad-blk-weight",
            BlockError::BadCoinbaseAmount { .. } => "bad-cb-amount",
        }
    }
}

/// The target range part of Core's proof-of-work check: nBits must decode to a positive,
/// non-overflowing value no greater than `powLimit`.
pub fn check_target_range(bits: u32, params: &ConsensusParams) -> Result<(), BlockError> {
    let decoded = decode_compact(bits);
    if decoded.negative || decoded.overflow || decoded.target.is_zero() || decoded.target > params.pow_limit {
        return Err(BlockError::BadTarget { bits });
    }
    Ok(())
}

/// True if the child of `prev` is the first block of a difficulty period.
fn child_is_retarget_height(chain: &dyn ChainView, prev: BlockId, params: &ConsensusParams) -> bool {
    (chain.height(prev) + 1) % params.retarget_interval.max(1) == 0
}

/// The checks of a header that depend on its ancestors but not on any node's clock, in Core's
/// order: target range, nBits against the algorithm, time after the parent's median time past,
/// and (at retarget heights, when the algorithm enforces BIP94's rule) the timewarp bound.
pub fn check_header_contextual(
    chain: &dyn ChainView,
    prev: BlockId,
    time: i64,
    bits: u32,
    algo: &dyn DifficultyAlgorithm,
    params: &ConsensusParams,
) -> Result<(), BlockError> {
    check_target_range(bits, params)?;
    let expected = algo.next_bits(chain, prev, time, params);
    if bits != expected {
        return Err(BlockError::BadDiffBits { expected, got: bits });
    }
    let mtp = median_time_past(chain, prev, params.mtp_window);
    if time <= mtp {
        return Err(BlockError::TimeTooOld { time, mtp });
    }
    if algo.enforces_timewarp_rule(params) && child_is_retarget_height(chain, prev, params) {
        let min = chain.time(prev) - MAX_TIMEWARP_S;
        if time < min {
            return Err(BlockError::TimeTimewarp { time, min });
        }
    }
    Ok(())
}

/// Core's future-time check against one node's clock. It is node-specific and not permanent: a
/// header that fails it may pass later, so callers must not cache this verdict with the others.
pub fn check_time_not_too_new(
    time: i64,
    node_clock_s: i64,
    params: &ConsensusParams,
) -> Result<(), BlockError> {
    let limit = node_clock_s.saturating_add(params.max_future_block_time_s);
    if time > limit {
        return Err(BlockError::TimeTooNew { time, limit });
    }
    Ok(())
}

/// The body checks a simulator models: weight within the maximum, and a coinbase claiming no
/// more than the subsidy at `height` plus the block's fees.
pub fn check_block_body(
    weight: u64,
    coinbase_value_sat: u64,
    fees_sat: u64,
    height: u32,
    params: &ConsensusParams,
) -> Result<(), BlockError> {
    if weight > params.max_block_weight {
        return Err(BlockError::BadWeight { weight, max: params.max_block_weight });
    }
    let allowed = block_subsidy(height, params).saturating_add(fees_sat);
    if coinbase_value_sat > allowed {
        return Err(BlockError::BadCoinbaseAmount { claimed: coinbase_value_sat, allowed });
    }
    Ok(())
}

/// The earliest timestamp consensus accepts for a child of `prev`: one second after the
/// parent's median time past and, where BIP94 is enforced, at retarget heights no earlier than
/// `prev.time - MAX_TIMEWARP_S`. Core's miner never goes this low at retarget heights (see
/// [`earliest_valid_time`]); a miner gaming timestamps does.
pub fn earliest_consensus_time(chain: &dyn ChainView, prev: BlockId, params: &ConsensusParams) -> i64 {
    let after_mtp = median_time_past(chain, prev, params.mtp_window) + 1;
    if params.enforce_bip94 && child_is_retarget_height(chain, prev, params) {
        after_mtp.max(chain.time(prev) - MAX_TIMEWARP_S)
    } else {
        after_mtp
    }
}

/// The earliest timestamp a miner may give a child of `prev`, as Core's `GetMinimumTime`: one
/// second after the parent's median time past and, at retarget heights, no earlier than
/// `prev.time - MAX_TIMEWARP_S`. Since v29 Core's miner applies the timewarp bound on every
/// network, BIP94 or not, so this does too; such a time therefore also passes BIP94's check.
pub fn earliest_valid_time(chain: &dyn ChainView, prev: BlockId, params: &ConsensusParams) -> i64 {
    let after_mtp = median_time_past(chain, prev, params.mtp_window) + 1;
    if child_is_retarget_height(chain, prev, params) {
        after_mtp.max(chain.time(prev) - MAX_TIMEWARP_S)
    } else {
        after_mtp
    }
}

#[cfg(test)]
mod tests {
    use super::super::difficulty::{BitcoinBip94, BitcoinRetarget};
    use super::super::test_chain::TestChain;
    use super::*;

    const DIFF1: u32 = 0x1d00ffff;

    #[test]
    fn target_range() {
        let p = ConsensusParams::mainnet();
        assert_eq!(check_target_range(DIFF1, &p), Ok(()));
        assert_eq!(check_target_range(0x1b0404cb, &p), Ok(()));
        // Negative, zero, overflowing, and one step above powLimit.
        for bits in [0x04923456, 0x04800000, 0x00000000, 0x23000001, 0x1d010000] {
            assert_eq!(check_target_range(bits, &p), Err(BlockError::BadTarget { bits }), "{bits:08x}");
        }
        assert_eq!(check_target_range(0x207fffff, &ConsensusParams::regtest()), Ok(()));
    }

    #[test]
    fn contextual_header_checks() {
        let p = ConsensusParams::mainnet();
        let chain = TestChain::regular(20, 1_000_000, 600, DIFF1);
        let tip = chain.tip();
        let mtp = median_time_past(&chain, tip, 11);
        let algo = BitcoinRetarget;
        assert_eq!(check_header_contextual(&chain, tip, mtp + 1, DIFF1, &algo, &p), Ok(()));
        assert_eq!(
            check_header_contextual(&chain, tip, mtp, DIFF1, &algo, &p),
            Err(BlockError::TimeTooOld { time: mtp, mtp })
        );
        assert_eq!(
            check_header_contextual(&chain, tip, mtp + 1, 0x1c7fff80, &algo, &p),
            Err(BlockError::BadDiffBits { expected: DIFF1, got: 0x1c7fff80 })
        );
        // The target range is checked first, before the difficulty comparison.
        assert_eq!(
            check_header_contextual(&chain, tip, mtp + 1, 0x1d010000, &algo, &p),
            Err(BlockError::BadTarget { bits: 0x1d010000 })
        );
    }

    /// A chain whose next block is at a retarget height (2016), with the parent timestamped far
    /// ahead of the median time past.
    fn chain_before_retarget() -> TestChain {
        let mut chain = TestChain::regular(2016, 1_000_000, 600, DIFF1);
        chain.blocks[2015].0 += 100_000;
        chain
    }

    #[test]
    fn timewarp_rule_under_bip94_only() {
        let chain = chain_before_retarget();
        let tip = chain.tip();
        let algo = BitcoinRetarget;
        let min = chain.time(tip) - MAX_TIMEWARP_S;
        let bip94 = ConsensusParams::testnet4();
        let bits = algo.next_bits(&chain, tip, min - 1, &bip94);
        assert_eq!(
            check_header_contextual(&chain, tip, min - 1, bits, &algo, &bip94),
            Err(BlockError::TimeTimewarp { time: min - 1, min })
        );
        assert_eq!(check_header_contextual(&chain, tip, min, bits, &algo, &bip94), Ok(()));
        let main = ConsensusParams::mainnet();
        let bits = algo.next_bits(&chain, tip, min - 1, &main);
        assert_eq!(check_header_contextual(&chain, tip, min - 1, bits, &algo, &main), Ok(()));
        // Choosing the bitcoin-bip94 algorithm turns the rule on with mainnet's parameters.
        let bip94 = BitcoinBip94;
        let bits = bip94.next_bits(&chain, tip, min - 1, &main);
        assert_eq!(
            check_header_contextual(&chain, tip, min - 1, bits, &bip94, &main),
            Err(BlockError::TimeTimewarp { time: min - 1, min })
        );
        assert_eq!(check_header_contextual(&chain, tip, min, bits, &bip94, &main), Ok(()));
        // Off retarget heights there is no bound: a parent far ahead of the median time past may
        // be followed by a block timestamped well before it.
        let mut mid = TestChain::regular(2010, 1_000_000, 600, DIFF1);
        mid.blocks[2009].0 += 100_000;
        let early = mid.time(mid.tip()) - 10 * MAX_TIMEWARP_S;
        assert_eq!(check_header_contextual(&mid, mid.tip(), early, DIFF1, &bip94, &main), Ok(()));
    }

    #[test]
    fn time_too_new() {
        let p = ConsensusParams::mainnet();
        assert_eq!(check_time_not_too_new(10_000 + 7200, 10_000, &p), Ok(()));
        assert_eq!(
            check_time_not_too_new(10_000 + 7201, 10_000, &p),
            Err(BlockError::TimeTooNew { time: 17_201, limit: 17_200 })
        );
    }

    #[test]
    fn block_body() {
        let p = ConsensusParams::mainnet();
        assert_eq!(check_block_body(4_000_000, 5_000_000_000 + 123, 123, 0, &p), Ok(()));
        assert_eq!(
            check_block_body(4_000_001, 0, 0, 0, &p),
            Err(BlockError::BadWeight { weight: 4_000_001, max: 4_000_000 })
        );
        assert_eq!(
            check_block_body(1000, 2_500_000_124, 123, 210_000, &p),
            Err(BlockError::BadCoinbaseAmount { claimed: 2_500_000_124, allowed: 2_500_000_123 })
        );
    }

    #[test]
    fn earliest_time() {
        let main = ConsensusParams::mainnet();
        let chain = chain_before_retarget();
        let tip = chain.tip();
        // At a retarget height the timewarp bound applies on every network.
        assert_eq!(earliest_valid_time(&chain, tip, &main), chain.time(tip) - MAX_TIMEWARP_S);
        // Off retarget heights it is MTP + 1.
        let prev = BlockId(2014);
        assert_eq!(earliest_valid_time(&chain, prev, &main), median_time_past(&chain, prev, 11) + 1);
        // When the MTP is the later bound it wins even at a retarget height: here the parent is
        // timestamped an hour before its own parent.
        let mut early = TestChain::regular(2016, 1_000_000, 600, DIFF1);
        early.blocks[2015].0 -= 4200;
        let mtp = median_time_past(&early, early.tip(), 11);
        assert!(mtp + 1 > early.time(early.tip()) - MAX_TIMEWARP_S);
        assert_eq!(earliest_valid_time(&early, early.tip(), &main), mtp + 1);
        let t = earliest_valid_time(&chain, tip, &ConsensusParams::testnet4());
        let bits = BitcoinRetarget.next_bits(&chain, tip, t, &ConsensusParams::testnet4());
        let verdict =
            check_header_contextual(&chain, tip, t, bits, &BitcoinRetarget, &ConsensusParams::testnet4());
        assert_eq!(verdict, Ok(()));
    }

    #[test]
    fn reasons_and_display() {
        let cases = [
            (BlockError::BadTarget { bits: 1 }, "high-hash"),
            (BlockError::BadDiffBits { expected: 1, got: 2 }, "bad-diffbits"),
            (BlockError::TimeTooOld { time: 1, mtp: 1 }, "time-too-old"),
            (BlockError::TimeTimewarp { time: 1, min: 2 }, "time-timewarp-attack"),
            (BlockError::TimeTooNew { time: 2, limit: 1 }, "time-too-new"),
            (BlockError::BadWeight { weight: 2, max: 1 }, "bad-blk-weight"),
            (BlockError::BadCoinbaseAmount { claimed: 2, allowed: 1 }, "bad-cb-amount"),
        ];
        for (error, reason) in cases {
            assert_eq!(error.reason(), reason);
            assert!(error.to_string().starts_with(&format!("{reason}: ")), "{error}");
        }
    }
}
