//! Transaction hashes for generated transactions.
//!
//! Scripts and amounts are not modelled, so a generated transaction has no
//! real serialization. Its txid is the double SHA-256 of a canonical
//! encoding of what the arena does hold (inputs, output count, weight, fee)
//! plus a random nonce and a sequence number; the encoding is spelled out on
//! [`tx_hashes`]. The sequence number makes every encoding of a run distinct,
//! so two generated transactions never share a txid.
//!
//! Its wtxid is the double SHA-256 of the 33 bytes txid ‖ witness marker.
//! BIP141's wtxid covers the txid's data plus the witness; here the txid
//! stands in for that data, which keeps the wtxid distinct from the txid and
//! as unique, while hashing 33 bytes instead of the whole encoding again.

use sha2::{Digest, Sha256};

use crate::mempool::{Input, TxArena};

/// The byte appended to the txid to form a wtxid's preimage.
const WITNESS_MARKER: u8 = 0x01;

/// What a transaction's hashes commit to.
pub(crate) struct Preimage<'a> {
    /// The outputs it spends.
    pub(crate) inputs: &'a [Input],
    /// Number of outputs.
    pub(crate) outputs: u16,
    /// Weight units.
    pub(crate) weight: u32,
    /// Fee in satoshi.
    pub(crate) fee_sat: u64,
    /// A random number drawn for this transaction.
    pub(crate) nonce: u64,
    /// The transaction's position among those the workload generated.
    pub(crate) sequence: u64,
}

/// The (txid, wtxid) of a generated transaction.
///
/// The txid is the double SHA-256 of, in order and little-endian: the input
/// count (u32); per input either byte 0 and the coin number (u64), or byte 1,
/// the parent's txid (32 bytes, as a real outpoint encodes it, so `arena`
/// must hold every parent) and the output index (u32); then the output count
/// (u16), the weight (u32), the fee (u64), the nonce (u64) and the sequence
/// number (u64). The wtxid is the double SHA-256 of that txid followed by the
/// witness marker byte.
pub(crate) fn tx_hashes(arena: &TxArena, tx: &Preimage<'_>) -> ([u8; 32], [u8; 32]) {
    // The encoding is fed to the hasher piece by piece, so no buffer is allocated.
    let mut h = Sha256::new();
    h.update((tx.inputs.len() as u32).to_le_bytes());
    for input in tx.inputs {
        match *input {
            Input::Coin(coin) => {
                h.update([0]);
                h.update(coin.to_le_bytes());
            }
            Input::Out { tx: parent, vout } => {
                h.update([1]);
                h.update(arena.get(parent).txid);
                h.update(u32::from(vout).to_le_bytes());
            }
        }
    }
    h.update(tx.outputs.to_le_bytes());
    h.update(tx.weight.to_le_bytes());
    h.update(tx.fee_sat.to_le_bytes());
    h.update(tx.nonce.to_le_bytes());
    h.update(tx.sequence.to_le_bytes());
    let txid: [u8; 32] = Sha256::digest(h.finalize()).into();
    let mut witness = [0u8; 33];
    witness[..32].copy_from_slice(&txid);
    witness[32] = WITNESS_MARKER;
    let wtxid: [u8; 32] = Sha256::digest(Sha256::digest(witness)).into();
    (txid, wtxid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consensus::sha256d;

    /// The txid is the double SHA-256 of the documented encoding, and the wtxid that of
    /// the txid and the marker.
    #[test]
    fn hashes_follow_the_documented_encoding() {
        let arena = TxArena::new();
        let inputs = [Input::Coin(7), Input::Coin(9)];
        let preimage =
            Preimage { inputs: &inputs, outputs: 2, weight: 900, fee_sat: 1_234, nonce: 5, sequence: 3 };
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&2u32.to_le_bytes());
        for coin in [7u64, 9] {
            bytes.push(0);
            bytes.extend_from_slice(&coin.to_le_bytes());
        }
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&900u32.to_le_bytes());
        bytes.extend_from_slice(&1_234u64.to_le_bytes());
        bytes.extend_from_slice(&5u64.to_le_bytes());
        bytes.extend_from_slice(&3u64.to_le_bytes());
        let (txid, wtxid) = tx_hashes(&arena, &preimage);
        assert_eq!(txid, sha256d(&bytes));
        let mut witness = txid.to_vec();
        witness.push(WITNESS_MARKER);
        assert_eq!(wtxid, sha256d(&witness));
        assert_ne!(txid, wtxid);
    }
}
