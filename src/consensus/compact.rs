//! The compact target encoding ("nBits") and what derives from it: work per block, difficulty,
//! and targets built from a hash rate (Bitcoin Core `src/arith_uint256.cpp` and `src/chain.cpp`
//! `GetBitsProof`).
//!
//! Decoding and encoding reproduce Core's `SetCompact` and `GetCompact` bit for bit, including
//! the negative and overflow flags and the truncating encoder. Range checks against `powLimit`
//! belong to `checks.rs`, not here.

use super::u256::{TWO_POW_256_F64, U256};

/// The sign bit of an nBits value.
const SIGN_BIT: u32 = 0x0080_0000;
/// The 23-bit mantissa of an nBits value (the sign bit excluded).
const MANTISSA_MASK: u32 = 0x007f_ffff;

/// A decoded nBits value, with Core's flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactTarget {
    /// The magnitude, after a 256-bit shift that drops bits past bit 255.
    pub target: U256,
    /// The sign bit was set and the mantissa is non-zero.
    pub negative: bool,
    /// The mantissa is non-zero and would not fit in 256 bits at this exponent.
    pub overflow: bool,
}

/// Decodes nBits exactly as Core's `arith_uint256::SetCompact` does.
pub fn decode_compact(bits: u32) -> CompactTarget {
    let size = bits >> 24;
    let word = bits & MANTISSA_MASK;
    // The shift is done in 256 bits, so a large exponent silently loses high bits (the overflow
    // flag reports it); a shift of 256 or more gives zero.
    let target = if size <= 3 {
        U256::from_u64(u64::from(word >> (8 * (3 - size))))
    } else {
        U256::from_u64(u64::from(word)).shl(8 * (size - 3))
    };
    let negative = word != 0 && bits & SIGN_BIT != 0;
    let overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
    CompactTarget { target, negative, overflow }
}

/// Encodes a target as nBits exactly as Core's `GetCompact(false)` does, truncating the mantissa
/// (so the encoded target is never above the input).
pub fn encode_compact(target: &U256) -> u32 {
    let mut size = target.bits().div_ceil(8);
    // Keeping only the low 32 bits of the shifted value is Core's behaviour: it assigns a 64-bit
    // value to a 32-bit variable.
    let mut compact = if size <= 3 {
        (target.low_u64() << (8 * (3 - size))) as u32
    } else {
        target.shr(8 * (size - 3)).low_u64() as u32
    };
    // A mantissa with its top bit set would read back as negative, so move it down one byte.
    if compact & SIGN_BIT != 0 {
        compact >>= 8;
        size += 1;
    }
    compact | (size << 24)
}

/// The expected number of hashes to find a block at this nBits, as Core's `GetBlockProof`:
/// `floor(2^256 / (target + 1))`, or zero if the value is negative, overflowing or zero.
pub fn block_proof(bits: u32) -> U256 {
    let decoded = decode_compact(bits);
    if decoded.negative || decoded.overflow || decoded.target.is_zero() {
        return U256::ZERO;
    }
    // 2^256 does not fit, so use 2^256 / (t + 1) = (2^256 - t - 1) / (t + 1) + 1 = ~t / (t + 1) + 1.
    let divisor = decoded.target.wrapping_add(U256::ONE);
    if divisor.is_zero() {
        // Only t = 2^256 - 1 gets here, and no nBits decodes to it; the exact answer is one.
        return U256::ONE;
    }
    decoded.target.not().div(&divisor).wrapping_add(U256::ONE)
}

/// The difficulty as Core's `GetDifficulty` computes it: the difficulty-1 target (`0x1d00ffff`)
/// divided by this target, as a double.
///
/// Like Core it works from the raw mantissa and exponent rather than the decoded target, so it
/// ignores the negative and overflow flags, and a zero mantissa gives infinity.
pub fn difficulty(bits: u32) -> f64 {
    let mut shift = (bits >> 24) & 0xff;
    let mut diff = f64::from(0xffff_u32) / f64::from(bits & 0x00ff_ffff);
    // Scaling by whole bytes toward exponent 29 (0x1d) mirrors Core, so results agree to the bit.
    while shift < 29 {
        diff *= 256.0;
        shift += 1;
    }
    while shift > 29 {
        diff /= 256.0;
        shift -= 1;
    }
    diff
}

/// The target `T` at which a miner of `hashrate_hs` hashes per second expects one block every
/// `interval_s` seconds: the expected number of hashes `2^256 / (T + 1)` equals
/// `hashrate_hs * interval_s`, so `T = 2^256 / (hashrate_hs * interval_s) - 1`.
///
/// The result saturates: a product of at most one hash (or NaN) gives [`U256::MAX`], and a product
/// above 2^256 gives zero. It is only as precise as a double, which is ample for hash rates.
pub fn target_for_hashrate(hashrate_hs: f64, interval_s: f64) -> U256 {
    let hashes = hashrate_hs * interval_s;
    if hashes.is_nan() || hashes <= 1.0 {
        return U256::MAX;
    }
    let quotient = U256::from_f64(TWO_POW_256_F64 / hashes);
    if quotient.is_zero() { U256::ZERO } else { quotient.wrapping_sub(U256::ONE) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECODE_CSV: &str = include_str!("../../tests/data/vectors/compact_decode.csv");
    const ENCODE_CSV: &str = include_str!("../../tests/data/vectors/compact_encode.csv");

    /// The data rows of a vector file: the header line is checked and dropped.
    fn rows<'a>(csv: &'a str, header: &str) -> Vec<Vec<&'a str>> {
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(header));
        lines.filter(|l| !l.is_empty()).map(|l| l.split(',').collect()).collect()
    }

    fn hex_u32(s: &str) -> u32 {
        u32::from_str_radix(s, 16).expect("vector nBits is hex")
    }

    fn hex_u256(s: &str) -> U256 {
        U256::from_be_hex(s).expect("vector value is hex")
    }

    #[test]
    fn decode_vectors_every_row() {
        let rows = rows(DECODE_CSV, "nbits_hex,target_hex,negative,overflow,work_hex");
        assert_eq!(rows.len(), 1522);
        for row in rows {
            let bits = hex_u32(row[0]);
            let decoded = decode_compact(bits);
            assert_eq!(decoded.target, hex_u256(row[1]), "target of {bits:08x}");
            assert_eq!(decoded.negative, row[2] == "1", "negative flag of {bits:08x}");
            assert_eq!(decoded.overflow, row[3] == "1", "overflow flag of {bits:08x}");
            assert_eq!(block_proof(bits), hex_u256(row[4]), "work of {bits:08x}");
        }
    }

    #[test]
    fn encode_vectors_every_row() {
        let rows = rows(ENCODE_CSV, "target_hex,nbits_hex");
        assert_eq!(rows.len(), 1500);
        for row in rows {
            let target = hex_u256(row[0]);
            assert_eq!(encode_compact(&target), hex_u32(row[1]), "encoding of {target:?}");
        }
    }

    #[test]
    fn named_values() {
        assert_eq!(block_proof(0x1d00ffff), U256::from_u64(4_295_032_833));
        assert_eq!(block_proof(0x207fffff), U256::from_u64(2));
        assert_eq!(decode_compact(0x1d00ffff).target, U256::from_u64(0xffff) << 208);
        assert_eq!(encode_compact(&U256::from_u64(0x80)), 0x02008000);
        assert_eq!(encode_compact(&U256::from_u64(0x12)), 0x01120000);
        assert_eq!(encode_compact(&U256::ZERO), 0);
        assert!(decode_compact(0x04923456).negative);
        assert!(decode_compact(0x00923456).negative);
        assert!(!decode_compact(0x04800000).negative);
        for bits in [0x21010000, 0x22000100, 0x23000001] {
            assert!(decode_compact(bits).overflow, "{bits:08x} overflows");
            assert_eq!(block_proof(bits), U256::ZERO);
        }
    }

    #[test]
    fn difficulty_matches_core() {
        // Values from Core's blockchain_tests.cpp (get_difficulty_for_very_low_target etc.).
        let cases: [(u32, f64); 6] = [
            (0x1d00ffff, 1.0),
            (0x1f111111, 0.000001),
            (0x1ef88f6f, 0.000016),
            (0x1df88f6f, 0.004023),
            (0x1cf88f6f, 1.029916),
            (0x12345678, 5_913_134_931_067_755_359_633_408.0),
        ];
        for (bits, expected) in cases {
            let got = difficulty(bits);
            // Core's test allows an absolute error of 0.00001, which for the huge value means
            // exact equality.
            let tolerance = if expected > 1e6 { 0.0 } else { 1e-5 };
            assert!((got - expected).abs() <= tolerance, "{bits:08x}: {got} vs {expected}");
        }
    }

    #[test]
    fn hashrate_targets() {
        // 2^22 H/s for 1024 s is 2^32 hashes: difficulty 1 up to the compact rounding.
        let target = target_for_hashrate(f64::from(1u32 << 22), 1024.0);
        assert_eq!(target, (U256::ONE << 224) - U256::ONE);
        assert_eq!(encode_compact(&target), 0x1d00ffff);
        assert_eq!(target_for_hashrate(1.0, 1.0), U256::MAX);
        assert_eq!(target_for_hashrate(0.0, 600.0), U256::MAX);
        assert_eq!(target_for_hashrate(f64::NAN, 600.0), U256::MAX);
        assert_eq!(target_for_hashrate(2.0, 1.0), (U256::ONE << 255) - U256::ONE);
        assert_eq!(target_for_hashrate(1e300, 1e300), U256::ZERO);
        // A target built from a rate gives back that many expected hashes per block.
        let t = target_for_hashrate(1e18, 600.0);
        let expected_hashes = U256::MAX.div(&t.wrapping_add(U256::ONE)).to_f64();
        assert!((expected_hashes / 6e20 - 1.0).abs() < 1e-12);
    }
}
