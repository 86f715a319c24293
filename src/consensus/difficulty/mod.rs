//! Difficulty algorithms: the [`DifficultyAlgorithm`] interface and the algorithms behind it.
//!
//! - `bitcoin.rs`: Core's retarget ([`BitcoinRetarget`], `src/pow.cpp`) and the same with
//!   testnet4's BIP94 rules forced on ([`BitcoinBip94`]).
//! - `asert.rs`: Bitcoin Cash's aserti3-2d ([`Asert`]).
//! - `bch.rs`: Bitcoin Cash's 2017 emergency adjustment ([`BchEda`]) and its 144-block
//!   rolling window, "cw-144" ([`BchCw144`]).
//! - `lwma.rs`: zawy's linearly weighted moving average ([`Lwma`]).
//! - [`Fixed`] (here): no adjustment at all.
//!
//! An algorithm only computes the nBits a block must carry; checking a header against it is
//! `checks.rs`'s job. The integer forms follow the published code exactly (see
//! `reference/bitcoin-core.md` §1.3-1.6): every algorithm's tests pin values computed
//! independently from those definitions.

mod asert;
mod bch;
mod bitcoin;
mod lwma;

pub use asert::{Asert, calculate_asert};
pub use bch::{BchCw144, BchEda};
pub use bitcoin::{BitcoinBip94, BitcoinRetarget, calculate_next_work_required};
pub use lwma::Lwma;

use super::chain::{BlockId, ChainView};
use super::params::ConsensusParams;

/// A rule that decides the nBits of the next block.
pub trait DifficultyAlgorithm: Send + Sync + std::fmt::Debug {
    /// A short stable name, for reports and scenario files.
    fn name(&self) -> &'static str;

    /// nBits required for a block whose parent is `prev` and whose header time is `new_time`.
    fn next_bits(&self, chain: &dyn ChainView, prev: BlockId, new_time: i64, params: &ConsensusParams)
    -> u32;

    /// True if `next_bits` ignores `new_time` (lets callers cache it per parent).
    /// Bitcoin: `!params.allow_min_difficulty_blocks`.
    fn depends_only_on_parent(&self, params: &ConsensusParams) -> bool;

    /// How many blocks, the parent included, `next_bits` reads below a new block once the chain
    /// is long enough. A simulation's generated history holds at least this many (when the start
    /// height allows it), so the first simulated blocks already see a full window.
    fn history_blocks(&self, params: &ConsensusParams) -> u32;

    /// True if a block at a retarget height may not be timestamped more than
    /// [`MAX_TIMEWARP_S`](super::MAX_TIMEWARP_S) before its parent (BIP94's timewarp rule).
    /// By default the rule follows `params.enforce_bip94`, as in Core.
    fn enforces_timewarp_rule(&self, params: &ConsensusParams) -> bool {
        params.enforce_bip94
    }
}

/// No difficulty adjustment: every block carries its parent's nBits, so a simulated chain keeps
/// the start tip's difficulty forever, whatever the hash rate does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fixed;

impl DifficultyAlgorithm for Fixed {
    fn name(&self) -> &'static str {
        "fixed"
    }

    fn next_bits(&self, chain: &dyn ChainView, prev: BlockId, _new_time: i64, _: &ConsensusParams) -> u32 {
        chain.bits(prev)
    }

    fn depends_only_on_parent(&self, _: &ConsensusParams) -> bool {
        true
    }

    fn history_blocks(&self, _: &ConsensusParams) -> u32 {
        1
    }
}

/// Testnet's exception shared by ASERT, cw-144 and LWMA (their reference code has it in this
/// form): with `allow_min_difficulty_blocks`, a block timestamped more than two target spacings
/// after its parent may, and must, use `powLimit`.
fn min_difficulty_exception(
    chain: &dyn ChainView,
    prev: BlockId,
    new_time: i64,
    params: &ConsensusParams,
) -> Option<u32> {
    let late = new_time > chain.time(prev).saturating_add(params.target_spacing_s.saturating_mul(2));
    (params.allow_min_difficulty_blocks && late).then(|| params.pow_limit_bits())
}

#[cfg(test)]
mod tests {
    use super::super::test_chain::TestChain;
    use super::*;

    #[test]
    fn fixed_keeps_the_parent_bits() {
        let p = ConsensusParams::mainnet();
        let mut chain = TestChain::regular(10, 1_000_000, 6000, 0x1c7fff80);
        chain.blocks[9].1 = 0x1b0404cb;
        // Blocks ten times too slow and a time far in the future change nothing.
        assert_eq!(Fixed.next_bits(&chain, chain.tip(), i64::MAX, &p), 0x1b0404cb);
        assert_eq!(Fixed.next_bits(&chain, BlockId(3), 0, &p), 0x1c7fff80);
        assert!(Fixed.depends_only_on_parent(&ConsensusParams::testnet4()));
        assert_eq!(Fixed.history_blocks(&p), 1);
        assert!(!Fixed.enforces_timewarp_rule(&p));
        assert_eq!(Fixed.name(), "fixed");
    }

    #[test]
    fn min_difficulty_exception_needs_the_flag_and_twenty_minutes() {
        let chain = TestChain::regular(3, 1_000_000, 600, 0x1c7fff80);
        let t = chain.time(chain.tip());
        let testnet = ConsensusParams::testnet4();
        assert_eq!(min_difficulty_exception(&chain, chain.tip(), t + 1201, &testnet), Some(0x1d00ffff));
        assert_eq!(min_difficulty_exception(&chain, chain.tip(), t + 1200, &testnet), None);
        let main = ConsensusParams::mainnet();
        assert_eq!(min_difficulty_exception(&chain, chain.tip(), t + 100_000, &main), None);
    }
}
