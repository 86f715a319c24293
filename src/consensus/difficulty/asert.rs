//! Bitcoin Cash's ASERT difficulty algorithm, "aserti3-2d" (Bitcoin ABC `src/pow/aserti32d.cpp`,
//! `GetNextASERTWorkRequired` and `CalculateASERT`; `reference/bitcoin-core.md` §1.6(a)).
//!
//! The target follows an absolute schedule: it doubles for every half-life the chain is behind
//! one block per target spacing since the anchor, and halves for every half-life ahead. The
//! fixed-point evaluation below is the published one, bit for bit.

use super::super::chain::{BlockId, ChainView};
use super::super::compact::{decode_compact, encode_compact};
use super::super::params::ConsensusParams;
use super::super::u256::U256;
use super::{DifficultyAlgorithm, min_difficulty_exception};

/// aserti3-2d anchored at a known block.
///
/// The anchor block's parent's height and time and the anchor's own nBits are the reference.
/// When ASERT runs from the start of a simulation, the anchor is the first simulated block: its
/// parent is the start tip and its nBits are the start tip's, the difficulty the run starts at,
/// and the reference is stored at construction so that `next_bits` never searches for it
/// ([`Asert::new`]). When ASERT activates at a height during a run, the anchor is the last block
/// before the activation (as on Bitcoin Cash's mainnet), which differs from branch to branch, so
/// the reference is read from the chain: two ancestor lookups per call ([`Asert::activated_at`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asert {
    anchor: Anchor,
    half_life_s: i64,
}

/// Where ASERT's reference comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    /// Facts known up front.
    Fixed { parent_height: u32, parent_time_s: i64, bits: u32 },
    /// The block at this height on the chain being extended.
    AtHeight(u32),
}

impl Asert {
    /// Bitcoin Cash's half-life: two days.
    pub const DEFAULT_HALF_LIFE_S: i64 = 172_800;

    /// ASERT whose anchor is the child of the block at `anchor_parent_height` timestamped
    /// `anchor_parent_time_s`, with reference nBits `anchor_bits`. Panics if the half-life is not
    /// positive or `anchor_bits` does not decode to a positive target.
    pub fn new(
        anchor_parent_height: u32,
        anchor_parent_time_s: i64,
        anchor_bits: u32,
        half_life_s: i64,
    ) -> Asert {
        assert!(half_life_s > 0, "ASERT half-life must be positive, got {half_life_s}");
        let anchor = decode_compact(anchor_bits);
        assert!(
            !anchor.negative && !anchor.overflow && !anchor.target.is_zero(),
            "ASERT anchor nBits {anchor_bits:#010x} is not a valid target"
        );
        Asert {
            anchor: Anchor::Fixed {
                parent_height: anchor_parent_height,
                parent_time_s: anchor_parent_time_s,
                bits: anchor_bits,
            },
            half_life_s,
        }
    }

    /// ASERT that takes over from another algorithm at `activation_height`: the anchor is the
    /// chain's block at `activation_height - 1`, whatever branch is being extended. Panics if the
    /// half-life is not positive or the activation height is below 2 (the anchor needs a parent).
    pub fn activated_at(activation_height: u32, half_life_s: i64) -> Asert {
        assert!(half_life_s > 0, "ASERT half-life must be positive, got {half_life_s}");
        assert!(
            activation_height >= 2,
            "ASERT's anchor needs a parent; activation height {activation_height}"
        );
        Asert { anchor: Anchor::AtHeight(activation_height - 1), half_life_s }
    }

    /// The half-life, in seconds.
    pub fn half_life_s(&self) -> i64 {
        self.half_life_s
    }
}

impl DifficultyAlgorithm for Asert {
    fn name(&self) -> &'static str {
        "asert"
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
        let (anchor_parent_height, anchor_parent_time_s, anchor_bits) = match self.anchor {
            Anchor::Fixed { parent_height, parent_time_s, bits } => (parent_height, parent_time_s, bits),
            Anchor::AtHeight(h) => {
                assert!(prev_height >= h, "ASERT asked for a block before its activation");
                let anchor = chain.ancestor(prev, h);
                let parent = chain.parent(anchor).expect("ASERT's anchor has a parent");
                (h - 1, chain.time(parent), chain.bits(anchor))
            }
        };
        assert!(
            prev_height >= anchor_parent_height,
            "ASERT asked for a block below its anchor (parent height {prev_height}, anchor parent {anchor_parent_height})"
        );
        let time_diff_s = chain.time(prev) - anchor_parent_time_s;
        // Heights are counted from the anchor itself, so the anchor's own child has 0 and the
        // anchor (whose parent is the anchor parent) has -1.
        let height_diff = i64::from(prev_height) - i64::from(anchor_parent_height) - 1;
        let anchor_target = decode_compact(anchor_bits).target;
        let next = calculate_asert(
            &anchor_target,
            params.target_spacing_s,
            time_diff_s,
            height_diff,
            &params.pow_limit,
            self.half_life_s,
        );
        encode_compact(&next)
    }

    fn depends_only_on_parent(&self, params: &ConsensusParams) -> bool {
        !params.allow_min_difficulty_blocks
    }

    fn history_blocks(&self, _: &ConsensusParams) -> u32 {
        // Only the anchor parent, whose facts are stored at construction (an anchor at a later
        // height lies above the start).
        1
    }
}

/// `CalculateASERT`: `anchor_target × 2^((time_diff − spacing × (height_diff + 1)) / half_life)`
/// in the published 16-bit fixed point, clamped to `[1, pow_limit]`.
///
/// `time_diff_s` is the parent's time minus the anchor parent's; `height_diff` the parent's
/// height minus the anchor's (-1 when the parent is the anchor parent, i.e. for the anchor
/// itself, which gets `anchor_target` back). Steps, as the reference:
/// 1. `exponent = ((time_diff − spacing·(height_diff + 1)) · 65536) / half_life`, dividing with
///    truncation toward zero;
/// 2. `shifts = exponent >> 16` (arithmetic, i.e. floor), `frac = exponent & 0xffff`;
/// 3. `factor = 65536 + ((195766423245049·frac + 971821376·frac² + 5127·frac³ + 2^47) >> 48)` in
///    unsigned 64-bit arithmetic (a cubic within 0.013 % of 2^frac on [0, 1));
/// 4. `target = anchor_target · factor`, then shifted by `shifts − 16` bits; a left shift that
///    loses high bits gives `pow_limit`;
/// 5. zero becomes 1, above `pow_limit` becomes `pow_limit`.
///
/// Panics, as the reference asserts, if `anchor_target` is zero or above `pow_limit`, if
/// `pow_limit` has fewer than 32 leading zero bits (the room the product needs), if
/// `height_diff < -1`, or if the schedule offset is too large for the fixed point (2^47 s).
pub fn calculate_asert(
    anchor_target: &U256,
    spacing_s: i64,
    time_diff_s: i64,
    height_diff: i64,
    pow_limit: &U256,
    half_life_s: i64,
) -> U256 {
    assert!(!anchor_target.is_zero() && anchor_target <= pow_limit, "ASERT anchor target out of range");
    assert!(pow_limit.bits() <= 224, "ASERT needs 32 leading zero bits in powLimit");
    assert!(height_diff >= -1, "ASERT height difference {height_diff} below the anchor");
    assert!(half_life_s > 0, "ASERT half-life must be positive");
    let offset_s = time_diff_s - spacing_s * (height_diff + 1);
    assert!(offset_s.unsigned_abs() < 1 << 47, "ASERT schedule offset {offset_s} s out of range");
    let exponent = offset_s * 65536 / half_life_s;
    let shifts = (exponent >> 16) - 16;
    let frac = (exponent & 0xffff) as u64;
    // Unsigned 64-bit arithmetic, as the reference; the published constants keep the sum below
    // 2^64 for every 16-bit frac, and wrapping operations say that this is C's modular arithmetic.
    let cubic = 195_766_423_245_049u64
        .wrapping_mul(frac)
        .wrapping_add(971_821_376u64.wrapping_mul(frac).wrapping_mul(frac))
        .wrapping_add(5127u64.wrapping_mul(frac).wrapping_mul(frac).wrapping_mul(frac))
        .wrapping_add(1 << 47);
    let factor = 65536 + (cubic >> 48);
    // Below 2^241: the anchor target is below 2^224 and the factor below 2^17.
    let product = anchor_target.wrapping_mul_u64(factor);
    let target = if shifts <= 0 {
        product.shr(shift_amount(-shifts))
    } else {
        let n = shift_amount(shifts);
        let shifted = product.shl(n);
        // A shift that loses high bits would give at least 2^256 with wider integers.
        if shifted.shr(n) != product { *pow_limit } else { shifted }
    };
    if target.is_zero() { U256::ONE } else { target.min(*pow_limit) }
}

/// A shift count for `U256::shl`/`shr`; 256 and more all shift everything out.
fn shift_amount(n: i64) -> u32 {
    n.clamp(0, 256) as u32
}

#[cfg(test)]
mod tests {
    use super::super::super::test_chain::TestChain;
    use super::*;

    /// Bitcoin Cash mainnet's ASERT anchor nBits (block 661647).
    const BCH_ANCHOR_BITS: u32 = 0x1804dafe;
    const T: i64 = 600;
    const TAU: i64 = Asert::DEFAULT_HALF_LIFE_S;

    fn main() -> ConsensusParams {
        ConsensusParams::mainnet()
    }

    /// `calculate_asert` from an anchor's nBits, encoded.
    fn asert_bits(anchor_bits: u32, time_diff_s: i64, height_diff: i64, half_life_s: i64) -> u32 {
        let p = main();
        let anchor = decode_compact(anchor_bits).target;
        encode_compact(&calculate_asert(&anchor, T, time_diff_s, height_diff, &p.pow_limit, half_life_s))
    }

    /// Reference values computed with an independent Python model of §1.6(a) (big integers,
    /// C's truncating division written out: `tests/data/vectors/daa_reference.py`, function
    /// `asert`), anchor nBits 0x1804dafe, T = 600 s, half-life 172,800 s unless noted. Columns:
    /// time since the anchor parent, height of the parent minus the anchor's, half-life, nBits.
    const VECTORS: [(i64, i64, i64, u32); 15] = [
        // On schedule: unchanged.
        (600, 0, TAU, 0x1804dafe),
        // The anchor itself (its parent is the anchor parent).
        (0, -1, TAU, 0x1804dafe),
        // One half-life late: exactly twice the target; one early: exactly half.
        (600 + TAU, 0, TAU, 0x1809b5fc),
        (600 - TAU, 0, TAU, 0x18026d7f),
        // Half a half-life late after 100 blocks: the cubic's 2^0.5.
        (600 * 101 + TAU / 2, 100, TAU, 0x1806ddb4),
        // 3 s early: exponent -196608/172800 truncates to -1, so shifts = -1, frac = 0xffff.
        (600 * 101 - 3, 100, TAU, 0x1804dafb),
        // 1 s early: exponent -65536/172800 truncates toward zero, to 0 (a floor would give -1).
        (600 * 101 - 1, 100, TAU, 0x1804dafe),
        // Two half-lives and a second early: -2.0000058 truncates to exactly -2 (a quarter).
        (600 * 11 - 2 * TAU - 1, 10, TAU, 0x180136bf),
        (600 * 11 + 2 * TAU, 10, TAU, 0x18136bf8),
        // The parent timestamped before the anchor parent.
        (-1000, 5, TAU, 0x1804c453),
        // 40 half-lives late: capped at powLimit.
        (600 + 40 * TAU, 0, TAU, 0x1d00ffff),
        // A left shift that overflows 256 bits gives powLimit.
        (100 * TAU, 0, TAU, 0x1d00ffff),
        // 100,000 blocks in no time: the target shifts to zero and becomes 1.
        (0, 100_000, TAU, 0x01010000),
        // A one-hour half-life: one hour late doubles, half an hour late gives 2^0.5.
        (600 + 3600, 0, 3600, 0x1809b5fc),
        (600 + 1800, 0, 3600, 0x1806ddb4),
    ];

    #[test]
    fn reference_values() {
        for (time_diff, height_diff, half_life, want) in VECTORS {
            let got = asert_bits(BCH_ANCHOR_BITS, time_diff, height_diff, half_life);
            assert_eq!(got, want, "time_diff {time_diff}, height_diff {height_diff}, half-life {half_life}");
        }
    }

    #[test]
    fn half_life_doubles_and_halves_exactly() {
        // With a target that the encoder represents exactly, every whole number of half-lives is
        // an exact power of two: frac = 0 makes the factor exactly 65536.
        let anchor = decode_compact(0x1b0404cb).target;
        let p = main();
        for k in -5i64..=5 {
            let t = calculate_asert(&anchor, T, 600 + k * TAU, 0, &p.pow_limit, TAU);
            let want = if k >= 0 { anchor.shl(k as u32) } else { anchor.shr((-k) as u32) };
            assert_eq!(t, want, "{k} half-lives");
        }
    }

    #[test]
    fn next_bits_follows_the_schedule_from_the_anchor() {
        let p = main();
        // Heights 0..=20 every 600 s; the anchor parent is height 10, so the anchor is height 11.
        let mut chain = TestChain::regular(21, 1_000_000, 600, BCH_ANCHOR_BITS);
        let algo = Asert::new(10, chain.time(BlockId(10)), BCH_ANCHOR_BITS, TAU);
        for h in 10..=20 {
            assert_eq!(algo.next_bits(&chain, BlockId(h), 0, &p), BCH_ANCHOR_BITS, "height {h}");
        }
        // The tip one half-life late doubles the target; early halves it.
        chain.blocks[20].0 += TAU;
        assert_eq!(algo.next_bits(&chain, chain.tip(), 0, &p), 0x1809b5fc);
        chain.blocks[20].0 -= 2 * TAU;
        assert_eq!(algo.next_bits(&chain, chain.tip(), 0, &p), 0x18026d7f);
        // Only the parent's time and height matter: earlier blocks may be anywhere.
        chain.blocks[15].0 += 50_000;
        assert_eq!(algo.next_bits(&chain, chain.tip(), 0, &p), 0x18026d7f);
        assert!(algo.depends_only_on_parent(&p));
        assert_eq!(algo.history_blocks(&p), 1);
        assert_eq!(algo.name(), "asert");
        assert_eq!(algo.half_life_s(), TAU);
    }

    #[test]
    fn testnet_min_difficulty_rule() {
        let p = ConsensusParams::testnet4();
        let chain = TestChain::regular(5, 1_000_000, 600, BCH_ANCHOR_BITS);
        let algo = Asert::new(2, chain.time(BlockId(2)), BCH_ANCHOR_BITS, TAU);
        let t = chain.time(chain.tip());
        assert_eq!(algo.next_bits(&chain, chain.tip(), t + 1201, &p), p.pow_limit_bits());
        assert_eq!(algo.next_bits(&chain, chain.tip(), t + 1200, &p), BCH_ANCHOR_BITS);
        assert!(!algo.depends_only_on_parent(&p));
    }

    /// Activated at a height, ASERT reads its anchor (the block below the activation) from the
    /// chain and then agrees with an ASERT given the same anchor's facts up front.
    #[test]
    fn activation_reads_the_anchor_from_the_chain() {
        let p = main();
        let mut chain = TestChain::regular(20, 1_000_000, 600, BCH_ANCHOR_BITS);
        chain.blocks[9].1 = 0x1b0404cb;
        for b in 10..20 {
            chain.blocks[b].0 += 300 * b as i64;
        }
        let lazy = Asert::activated_at(10, TAU);
        let fixed = Asert::new(8, chain.time(BlockId(8)), 0x1b0404cb, TAU);
        for prev in 9..20 {
            let got = lazy.next_bits(&chain, BlockId(prev), 0, &p);
            assert_eq!(got, fixed.next_bits(&chain, BlockId(prev), 0, &p), "parent {prev}");
        }
        // The first ASERT block follows one ordinary step from the anchor.
        let step = calculate_asert(
            &decode_compact(0x1b0404cb).target,
            T,
            chain.time(BlockId(9)) - chain.time(BlockId(8)),
            0,
            &p.pow_limit,
            TAU,
        );
        assert_eq!(lazy.next_bits(&chain, BlockId(9), 0, &p), encode_compact(&step));
    }

    #[test]
    #[should_panic(expected = "below its anchor")]
    fn a_parent_below_the_anchor_parent_is_a_bug() {
        let chain = TestChain::regular(5, 1_000_000, 600, BCH_ANCHOR_BITS);
        Asert::new(3, 0, BCH_ANCHOR_BITS, TAU).next_bits(&chain, BlockId(2), 0, &main());
    }

    /// Bitcoin ABC's `asert_difficulty_test` (`src/pow/test/aserti32d_tests.cpp`) sweeps the
    /// parent's time second by second from 629 s ahead of the schedule to four days and 30 s
    /// behind it (anchor target powLimit >> 3) and requires the result to be monotonic, to move
    /// at least once every 8 s, and its error against the exact formula in floating point to
    /// have exactly the published extremes: minimum between -0.0001013168981060 and
    /// -0.0001013168981059, maximum between 0.0001166792656485 and 0.0001166792656486.
    #[test]
    fn sweep_is_monotonic_and_within_the_published_error() {
        let p = main();
        let anchor_bits = encode_compact(&p.pow_limit.shr(3));
        let anchor = decode_compact(anchor_bits).target;
        let target_of = |bits: u32| decode_compact(bits).target.to_f64();
        let (mut min_err, mut max_err) = (0.0f64, 0.0f64);
        let mut recent: Vec<U256> = Vec::new();
        for offset in -629..4 * 86_400 + 31 {
            let bits = encode_compact(&calculate_asert(&anchor, T, 600 + offset, 0, &p.pow_limit, TAU));
            let t = decode_compact(bits).target;
            if let Some(last) = recent.last() {
                assert!(t >= *last, "not monotonic at {offset}");
            }
            if recent.len() == 8 {
                assert!(t > recent[0], "no change in 8 s at {offset}");
                recent.remove(0);
            }
            recent.push(t);
            let exact = target_of(anchor_bits) * 2f64.powf(offset as f64 / TAU as f64);
            let err = (target_of(bits) - exact) / exact;
            min_err = min_err.min(err);
            max_err = max_err.max(err);
        }
        assert!(min_err < -0.0001013168981059 && min_err > -0.0001013168981060, "{min_err}");
        assert!(max_err > 0.0001166792656485 && max_err < 0.0001166792656486, "{max_err}");
    }
}
