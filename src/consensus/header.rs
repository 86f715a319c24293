//! Block headers: Core's 80-byte serialization, the double-SHA-256 block hash and its display.
//!
//! The simulator mostly identifies blocks by arena id; real headers are here so that hashes,
//! proof-of-work checks and test fixtures can match Bitcoin byte for byte.

use std::fmt;

use sha2::{Digest, Sha256};

use super::u256::U256;

/// The size of a serialized header, in bytes.
pub const HEADER_BYTES: u64 = 80;

/// SHA-256 applied twice (Core's `Hash` / `SHA256d`).
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

/// A block hash in the byte order SHA-256d produces. Its `Display` reverses the bytes, as Core's
/// `GetHex` does, so the familiar leading zeros come first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BlockHash(pub [u8; 32]);

impl BlockHash {
    /// The all-zero hash, genesis's `prev_hash`.
    pub const ZERO: BlockHash = BlockHash([0; 32]);

    /// Parses 64 hex digits in display order (as Core prints them), the inverse of `Display`.
    pub fn from_display_hex(s: &str) -> Option<BlockHash> {
        // `from_str_radix` would accept a '+' sign, so every character is checked first.
        if s.len() != 64 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().rev().enumerate() {
            *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(BlockHash(bytes))
    }

    /// The hash read as a little-endian 256-bit number, the value Core compares with the target.
    pub fn to_u256(&self) -> U256 {
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(self.0.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *limb = u64::from_le_bytes(word);
        }
        U256(limbs)
    }
}

impl fmt::Display for BlockHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().rev().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// A Bitcoin block header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `nVersion`.
    pub version: i32,
    /// The parent's hash (`hashPrevBlock`).
    pub prev_hash: BlockHash,
    /// `hashMerkleRoot`, in internal byte order.
    pub merkle_root: [u8; 32],
    /// `nTime`, seconds since the Unix epoch.
    pub time: u32,
    /// `nBits`, the compact target.
    pub bits: u32,
    /// `nNonce`.
    pub nonce: u32,
}

impl Header {
    /// Core's serialization: the integers little-endian, the hashes in internal byte order.
    pub fn serialize(&self) -> [u8; 80] {
        let mut out = [0u8; 80];
        out[0..4].copy_from_slice(&self.version.to_le_bytes());
        out[4..36].copy_from_slice(&self.prev_hash.0);
        out[36..68].copy_from_slice(&self.merkle_root);
        out[68..72].copy_from_slice(&self.time.to_le_bytes());
        out[72..76].copy_from_slice(&self.bits.to_le_bytes());
        out[76..80].copy_from_slice(&self.nonce.to_le_bytes());
        out
    }

    /// The block hash: SHA-256d of the serialized header.
    pub fn hash(&self) -> BlockHash {
        BlockHash(sha256d(&self.serialize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENESIS_MERKLE: &str = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";
    const GENESIS_HASH: &str = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

    fn genesis() -> Header {
        Header {
            version: 1,
            prev_hash: BlockHash::ZERO,
            merkle_root: BlockHash::from_display_hex(GENESIS_MERKLE).expect("hex").0,
            time: 1_231_006_505,
            bits: 0x1d00ffff,
            nonce: 2_083_236_893,
        }
    }

    #[test]
    fn genesis_header_hash() {
        let header = genesis();
        let bytes = header.serialize();
        assert_eq!(bytes.len() as u64, HEADER_BYTES);
        assert_eq!(bytes[..4], [1, 0, 0, 0]);
        assert_eq!(bytes[36], 0x3b, "merkle root is stored in internal (reversed) order");
        assert_eq!(bytes[68..], [0x29, 0xab, 0x5f, 0x49, 0xff, 0xff, 0x00, 0x1d, 0x1d, 0xac, 0x2b, 0x7c]);
        let hash = header.hash();
        assert_eq!(hash.to_string(), GENESIS_HASH);
        assert_eq!(BlockHash::from_display_hex(GENESIS_HASH), Some(hash));
        // The genesis block meets its own target.
        let target = super::super::compact::decode_compact(header.bits).target;
        assert!(hash.to_u256() <= target);
        assert_eq!(hash.to_u256(), U256::from_be_hex(GENESIS_HASH).expect("hex"));
    }

    #[test]
    fn sha256d_known_value() {
        // SHA-256d of the empty string.
        let expected = "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456";
        assert_eq!(
            BlockHash(sha256d(b"")).0.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            expected
        );
    }

    #[test]
    fn display_hex_rejects_bad_input() {
        assert_eq!(BlockHash::from_display_hex("00"), None);
        assert_eq!(BlockHash::from_display_hex(&"g".repeat(64)), None);
        assert_eq!(BlockHash::from_display_hex(&"é".repeat(32)), None);
        assert_eq!(BlockHash::from_display_hex(&"+f".repeat(32)), None);
    }
}
