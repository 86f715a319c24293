//! An unsigned 256-bit integer with the semantics of Bitcoin Core's `arith_uint256`.
//!
//! Targets, chain work and hash values are 256-bit numbers in Core, and its arithmetic on them
//! wraps modulo 2^256. This file owns that arithmetic and nothing else: it knows no Bitcoin rule,
//! so the compact encoding and the work formula live in `compact.rs`.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Not, Shl, Shr, Sub};

/// An unsigned 256-bit integer stored as four little-endian 64-bit limbs (`.0[0]` is the lowest).
///
/// Addition, subtraction and multiplication wrap modulo 2^256, as Core's operators do; ordering
/// is numeric.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256(pub [u64; 4]);

/// 2^256 as a double, the first value `from_f64` cannot represent. It is built from its bit
/// pattern (biased exponent 1023 + 256, zero mantissa) so that it is exact on every platform.
pub(super) const TWO_POW_256_F64: f64 = f64::from_bits((1023 + 256) << 52);

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256([0; 4]);
    /// One.
    pub const ONE: U256 = U256([1, 0, 0, 0]);
    /// 2^256 - 1, the largest value.
    pub const MAX: U256 = U256([u64::MAX; 4]);

    /// The value `v`.
    pub const fn from_u64(v: u64) -> U256 {
        U256([v, 0, 0, 0])
    }

    /// Parses big-endian hex (most significant digit first) of 1 to 64 digits, without a `0x`
    /// prefix. Returns `None` for anything else.
    pub fn from_be_hex(s: &str) -> Option<U256> {
        // `from_str_radix` would accept a leading '+', so every character is checked first.
        if s.is_empty() || s.len() > 64 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let mut limbs = [0u64; 4];
        let mut end = s.len();
        for limb in &mut limbs {
            if end == 0 {
                break;
            }
            let start = end.saturating_sub(16);
            *limb = u64::from_str_radix(&s[start..end], 16).ok()?;
            end = start;
        }
        Some(U256(limbs))
    }

    /// The value as exactly 64 lowercase hex digits, most significant first.
    pub fn to_be_hex(&self) -> String {
        let [l0, l1, l2, l3] = self.0;
        format!("{l3:016x}{l2:016x}{l1:016x}{l0:016x}")
    }

    /// The bit length: the position of the highest set bit plus one, or 0 for zero.
    pub fn bits(&self) -> u32 {
        for i in (0..4).rev() {
            if self.0[i] != 0 {
                return 64 * i as u32 + (64 - self.0[i].leading_zeros());
            }
        }
        0
    }

    /// True if the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The low 64 bits.
    pub fn low_u64(&self) -> u64 {
        self.0[0]
    }

    /// Shifts left by `n` bits; bits shifted past bit 255 are lost, and `n >= 256` gives zero.
    // The operator trait is implemented as well; the named method is kept because callers spell
    // Core's arithmetic as method calls.
    #[allow(clippy::should_implement_trait)]
    pub fn shl(self, n: u32) -> U256 {
        if n >= 256 {
            return U256::ZERO;
        }
        let limb_shift = (n / 64) as usize;
        let bit_shift = n % 64;
        let mut out = [0u64; 4];
        for (i, slot) in out.iter_mut().enumerate().skip(limb_shift) {
            let src = i - limb_shift;
            *slot = self.0[src] << bit_shift;
            // A zero bit shift would need a shift by 64 here, which Rust rejects.
            if bit_shift > 0 && src > 0 {
                *slot |= self.0[src - 1] >> (64 - bit_shift);
            }
        }
        U256(out)
    }

    /// Shifts right by `n` bits; bits shifted past bit 0 are lost, and `n >= 256` gives zero.
    // The operator trait is implemented as well; the named method is kept because callers spell
    // Core's arithmetic as method calls.
    #[allow(clippy::should_implement_trait)]
    pub fn shr(self, n: u32) -> U256 {
        if n >= 256 {
            return U256::ZERO;
        }
        let limb_shift = (n / 64) as usize;
        let bit_shift = n % 64;
        let mut out = [0u64; 4];
        for (i, slot) in out.iter_mut().enumerate().take(4 - limb_shift) {
            let src = i + limb_shift;
            *slot = self.0[src] >> bit_shift;
            if bit_shift > 0 && src + 1 < 4 {
                *slot |= self.0[src + 1] << (64 - bit_shift);
            }
        }
        U256(out)
    }

    /// `self + rhs` together with the carry out of bit 255.
    fn overflowing_add(self, rhs: U256) -> (U256, bool) {
        let mut out = [0u64; 4];
        let mut carry = false;
        for (i, slot) in out.iter_mut().enumerate() {
            let (sum, c1) = self.0[i].overflowing_add(rhs.0[i]);
            let (sum, c2) = sum.overflowing_add(u64::from(carry));
            *slot = sum;
            carry = c1 || c2;
        }
        (U256(out), carry)
    }

    /// `self + rhs` modulo 2^256.
    pub fn wrapping_add(self, rhs: U256) -> U256 {
        self.overflowing_add(rhs).0
    }

    /// `self + rhs`, or `None` if the sum does not fit in 256 bits.
    pub fn checked_add(self, rhs: U256) -> Option<U256> {
        match self.overflowing_add(rhs) {
            (sum, false) => Some(sum),
            (_, true) => None,
        }
    }

    /// `self - rhs` modulo 2^256.
    pub fn wrapping_sub(self, rhs: U256) -> U256 {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for (i, slot) in out.iter_mut().enumerate() {
            let (diff, b1) = self.0[i].overflowing_sub(rhs.0[i]);
            let (diff, b2) = diff.overflowing_sub(u64::from(borrow));
            *slot = diff;
            borrow = b1 || b2;
        }
        U256(out)
    }

    /// `self * rhs` modulo 2^256, like Core's `*=` by an integer.
    pub fn wrapping_mul_u64(self, rhs: u64) -> U256 {
        let mut out = [0u64; 4];
        let mut carry: u128 = 0;
        for (i, slot) in out.iter_mut().enumerate() {
            let product = u128::from(self.0[i]) * u128::from(rhs) + carry;
            *slot = product as u64;
            carry = product >> 64;
        }
        U256(out)
    }

    /// `self * rhs` modulo 2^256, like Core's `*=` by another `arith_uint256`.
    pub fn wrapping_mul(self, rhs: U256) -> U256 {
        let mut out = [0u64; 4];
        for i in 0..4 {
            let mut carry: u128 = 0;
            // Limb products landing at position 4 or above are past bit 255 and are dropped.
            for j in 0..4 - i {
                let cur = u128::from(out[i + j]) + u128::from(self.0[i]) * u128::from(rhs.0[j]) + carry;
                out[i + j] = cur as u64;
                carry = cur >> 64;
            }
        }
        U256(out)
    }

    /// The quotient and remainder of division by `divisor`. Panics if `divisor` is zero.
    pub fn div_rem_u64(self, divisor: u64) -> (U256, u64) {
        assert!(divisor != 0, "U256 division by zero");
        let mut out = [0u64; 4];
        let mut rem: u128 = 0;
        for i in (0..4).rev() {
            let cur = (rem << 64) | u128::from(self.0[i]);
            out[i] = (cur / u128::from(divisor)) as u64;
            rem = cur % u128::from(divisor);
        }
        (U256(out), rem as u64)
    }

    /// The quotient `self / divisor`, rounded down. Panics if `divisor` is zero.
    // Named like `Div::div` on purpose, to mirror Core's `/`; it takes the divisor by reference,
    // so it is not a trait implementation.
    #[allow(clippy::should_implement_trait)]
    pub fn div(self, divisor: &U256) -> U256 {
        self.div_rem(divisor).0
    }

    /// The quotient and remainder of a full 256-by-256-bit division. Panics if `divisor` is zero.
    pub fn div_rem(self, divisor: &U256) -> (U256, U256) {
        assert!(!divisor.is_zero(), "U256 division by zero");
        if divisor.bits() <= 64 {
            let (q, r) = self.div_rem_u64(divisor.low_u64());
            return (q, U256::from_u64(r));
        }
        if *divisor > self {
            return (U256::ZERO, self);
        }
        // Schoolbook binary long division, as Core does: align the divisor with the dividend's top
        // bit, then subtract it wherever it fits while walking it back down.
        let shift = self.bits() - divisor.bits();
        let mut shifted = divisor.shl(shift);
        let mut rem = self;
        let mut quotient = U256::ZERO;
        for bit in (0..=shift).rev() {
            if rem >= shifted {
                rem = rem.wrapping_sub(shifted);
                quotient.0[(bit / 64) as usize] |= 1 << (bit % 64);
            }
            shifted = shifted.shr(1);
        }
        (quotient, rem)
    }

    /// The bitwise complement.
    // The operator trait is implemented as well; the named method is kept because callers spell
    // Core's arithmetic as method calls.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> U256 {
        let [a, b, c, d] = self.0;
        U256([!a, !b, !c, !d])
    }

    /// The nearest double (ties to even).
    pub fn to_f64(&self) -> f64 {
        let len = self.bits();
        if len <= 64 {
            return self.low_u64() as f64;
        }
        // Keep the top 64 bits and fold every lower bit into a sticky bit: 64 bits are more than
        // the 53 + 2 a correctly rounded conversion needs, so the rounding comes out exact.
        let drop = len - 64;
        let top = self.shr(drop).low_u64();
        let sticky = !self.shl(256 - drop).is_zero();
        (top | u64::from(sticky)) as f64 * pow2(drop)
    }

    /// The integer part of a non-negative double, saturating at [`U256::MAX`]. NaN, negative
    /// values and values below one give zero; infinity gives `MAX`.
    pub fn from_f64(v: f64) -> U256 {
        if v.is_nan() || v < 1.0 {
            return U256::ZERO;
        }
        if v >= TWO_POW_256_F64 {
            return U256::MAX;
        }
        let raw = v.to_bits();
        // v is normal and at least 1, so the biased exponent is at least 1023.
        let exp = ((raw >> 52) & 0x7ff) as i32 - 1075;
        let mantissa = (raw & ((1 << 52) - 1)) | (1 << 52);
        if exp >= 0 {
            U256::from_u64(mantissa).shl(exp as u32)
        } else {
            U256::from_u64(mantissa >> (-exp) as u32)
        }
    }
}

/// 2^n as a double, built from its bit pattern so that it is exact. Needs `n < 1024`.
fn pow2(n: u32) -> f64 {
    f64::from_bits(u64::from(1023 + n) << 52)
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        // Numeric order compares the most significant limb first.
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Add for U256 {
    type Output = U256;
    /// Wrapping addition.
    fn add(self, rhs: U256) -> U256 {
        self.wrapping_add(rhs)
    }
}

impl Sub for U256 {
    type Output = U256;
    /// Wrapping subtraction.
    fn sub(self, rhs: U256) -> U256 {
        self.wrapping_sub(rhs)
    }
}

impl Shl<u32> for U256 {
    type Output = U256;
    fn shl(self, n: u32) -> U256 {
        U256::shl(self, n)
    }
}

impl Shr<u32> for U256 {
    type Output = U256;
    fn shr(self, n: u32) -> U256 {
        U256::shr(self, n)
    }
}

impl Not for U256 {
    type Output = U256;
    fn not(self) -> U256 {
        U256::not(self)
    }
}

impl fmt::Display for U256 {
    /// 64 lowercase hex digits without a `0x` prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_be_hex())
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256(0x{})", self.to_be_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xorshift generator: the tests need varied values, not good randomness.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A value with a random bit length, so small and large magnitudes both get exercised.
        fn u128(&mut self) -> u128 {
            let v = (u128::from(self.next()) << 64) | u128::from(self.next());
            v >> (self.next() % 128)
        }

        fn u256(&mut self) -> U256 {
            let v = U256([self.next(), self.next(), self.next(), self.next()]);
            v.shr((self.next() % 256) as u32)
        }
    }

    fn from_u128(v: u128) -> U256 {
        U256([v as u64, (v >> 64) as u64, 0, 0])
    }

    fn to_u128(v: U256) -> u128 {
        assert_eq!(v.0[2..], [0, 0], "value does not fit in u128: {v:?}");
        (u128::from(v.0[1]) << 64) | u128::from(v.0[0])
    }

    #[test]
    fn arithmetic_matches_u128() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..20_000 {
            let (a, b) = (rng.u128(), rng.u128());
            let (x, y) = (from_u128(a), from_u128(b));
            assert_eq!(x.cmp(&y), a.cmp(&b));
            assert_eq!(x.bits(), 128 - a.leading_zeros());
            match a.checked_add(b) {
                Some(sum) => assert_eq!(to_u128(x + y), sum),
                None => assert_eq!((x + y).0[2], 1, "carry must reach limb 2"),
            }
            if a >= b {
                assert_eq!(to_u128(x - y), a - b);
            }
            if let (Some(q), Some(r)) = (a.checked_div(b), a.checked_rem(b)) {
                assert_eq!(to_u128(x.div(&y)), q);
                assert_eq!(to_u128(x.div_rem(&y).1), r);
            }
            let s = (rng.next() % 128) as u32;
            assert_eq!(to_u128(x.shr(s)), a >> s);
            let shifted = x.shl(s);
            assert_eq!(to_u128(U256([shifted.0[0], shifted.0[1], 0, 0])), a << s);
            assert_eq!(to_u128(shifted.shr(128)), a.checked_shr(128 - s).unwrap_or(0));
            assert_eq!(x.to_f64(), a as f64);
        }
    }

    #[test]
    fn mul_and_div_u64_match_u128() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let a = rng.u128();
            let b = rng.next() >> (rng.next() % 64);
            let product = from_u128(a).wrapping_mul_u64(b);
            assert_eq!(product.0[0..2], from_u128(a.wrapping_mul(u128::from(b))).0[0..2]);
            assert_eq!(product, from_u128(a).wrapping_mul(U256::from_u64(b)));
            if b != 0 {
                assert_eq!(product.div_rem_u64(b), (from_u128(a), 0));
                let (q, r) = from_u128(a).div_rem_u64(b);
                assert_eq!((to_u128(q), u128::from(r)), (a / u128::from(b), a % u128::from(b)));
            }
        }
    }

    #[test]
    fn full_width_division_identity() {
        let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
        for _ in 0..5_000 {
            let (n, d) = (rng.u256(), rng.u256());
            if d.is_zero() {
                continue;
            }
            let (q, r) = n.div_rem(&d);
            assert!(r < d, "remainder {r:?} not below divisor {d:?}");
            assert_eq!(q.wrapping_mul(d) + r, n);
            assert_eq!(q, n.div(&d));
        }
    }

    #[test]
    fn wrapping_edges() {
        assert_eq!(U256::MAX + U256::ONE, U256::ZERO);
        assert_eq!(U256::MAX.checked_add(U256::ONE), None);
        assert_eq!(U256::ZERO - U256::ONE, U256::MAX);
        assert_eq!(U256::MAX.wrapping_mul_u64(2), U256::MAX - U256::ONE);
        assert_eq!(U256::ONE.shl(255).wrapping_mul(U256::from_u64(2)), U256::ZERO);
        assert_eq!(!U256::ZERO, U256::MAX);
        assert_eq!(U256::ONE << 256, U256::ZERO);
        assert_eq!(U256::MAX >> 256, U256::ZERO);
        assert_eq!(U256::MAX >> 255, U256::ONE);
        assert_eq!((U256::MAX << 255).bits(), 256);
        assert_eq!(U256::ZERO.bits(), 0);
        assert_eq!(U256::MAX.div(&U256::MAX), U256::ONE);
    }

    #[test]
    fn hex_round_trip() {
        let text = "00000000ffff0000000000000000000000000000000000000000000000000001";
        let v = U256::from_be_hex(text).expect("valid hex");
        assert_eq!(v.to_be_hex(), text);
        assert_eq!(v.to_string(), text);
        assert_eq!(v, (U256::from_u64(0xffff) << 208) + U256::ONE);
        assert_eq!(U256::from_be_hex("1F"), Some(U256::from_u64(31)));
        assert_eq!(U256::from_be_hex(""), None);
        assert_eq!(U256::from_be_hex("+1"), None);
        assert_eq!(U256::from_be_hex("0x1"), None);
        assert_eq!(U256::from_be_hex(&"f".repeat(65)), None);
        assert_eq!(U256::from_be_hex(&"f".repeat(64)), Some(U256::MAX));
    }

    #[test]
    fn f64_conversions() {
        assert_eq!(U256::MAX.to_f64(), TWO_POW_256_F64);
        assert_eq!((U256::ONE << 200).to_f64(), 2f64.powi(200));
        // 2^100 + 2^47 is a tie between two doubles and must round to the even one, 2^100.
        let tie = (U256::ONE << 100) + (U256::ONE << 47);
        assert_eq!(tie.to_f64(), 2f64.powi(100));
        assert_eq!((tie + U256::ONE).to_f64(), 2f64.powi(100) + 2f64.powi(48));
        assert_eq!(U256::from_f64(2f64.powi(200)), U256::ONE << 200);
        assert_eq!(U256::from_f64(1.5), U256::ONE);
        assert_eq!(U256::from_f64(0.5), U256::ZERO);
        assert_eq!(U256::from_f64(-3.0), U256::ZERO);
        assert_eq!(U256::from_f64(f64::NAN), U256::ZERO);
        assert_eq!(U256::from_f64(f64::INFINITY), U256::MAX);
        assert_eq!(U256::from_f64(TWO_POW_256_F64), U256::MAX);
        let below = f64::from_bits(TWO_POW_256_F64.to_bits() - 1);
        assert_eq!(U256::from_f64(below).to_f64(), below);
        assert_eq!(TWO_POW_256_F64, 2f64.powi(256));
    }
}
