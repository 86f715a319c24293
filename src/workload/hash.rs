//! Transaction hashes for generated transactions.
//!
//! Scripts and amounts are not modelled, so a generated transaction has no
//! real serialization. Its txid is the double SHA-256 of a canonical
//! encoding of what the arena does hold (inputs, output count, weight, fee)
//! plus a random nonce and a sequence number, and its wtxid hashes the same
//! bytes followed by a witness marker byte, as BIP141's wtxid covers the
//! txid's data plus the witness. The sequence number makes every encoding
//! of a run distinct, so two generated transactions never share a txid.

use crate::consensus::sha256d;
use crate::mempool::{Input, TxArena};

/// The byte that separates a wtxid's preimage from its txid's.
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

/// The (txid, wtxid) of a generated transaction. Inputs that spend a
/// simulated transaction's output are encoded by that transaction's txid,
/// as a real outpoint is, so `arena` must hold every parent.
pub(crate) fn tx_hashes(arena: &TxArena, tx: &Preimage<'_>) -> ([u8; 32], [u8; 32]) {
    let mut bytes = Vec::with_capacity(64 + 41 * tx.inputs.len());
    bytes.extend_from_slice(&(tx.inputs.len() as u32).to_le_bytes());
    for input in tx.inputs {
        match *input {
            Input::Coin(coin) => {
                bytes.push(0);
                bytes.extend_from_slice(&coin.to_le_bytes());
            }
            Input::Out { tx: parent, vout } => {
                bytes.push(1);
                bytes.extend_from_slice(&arena.get(parent).txid);
                bytes.extend_from_slice(&u32::from(vout).to_le_bytes());
            }
        }
    }
    bytes.extend_from_slice(&tx.outputs.to_le_bytes());
    bytes.extend_from_slice(&tx.weight.to_le_bytes());
    bytes.extend_from_slice(&tx.fee_sat.to_le_bytes());
    bytes.extend_from_slice(&tx.nonce.to_le_bytes());
    bytes.extend_from_slice(&tx.sequence.to_le_bytes());
    let txid = sha256d(&bytes);
    bytes.push(WITNESS_MARKER);
    (txid, sha256d(&bytes))
}
