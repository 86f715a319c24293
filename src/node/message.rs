//! Block-relay messages and their sizes on the wire.
//!
//! Messages carry ids, never payloads: the block itself lives in the tree.
//! Sizes follow the P2P protocol so bandwidth costs are right.

use crate::consensus::{BlockId, HEADER_BYTES};

/// Bitcoin's P2P message header: magic, command, length, checksum.
pub const MESSAGE_HEADER_BYTES: u64 = 24;
/// One inventory entry: type (4) + hash (32).
pub const INV_ENTRY_BYTES: u64 = 36;
/// A header inside a `headers` message: 80 bytes plus a zero tx-count byte.
pub const HEADERS_ENTRY_BYTES: u64 = HEADER_BYTES + 1;
/// BIP152 short transaction id.
pub const SHORT_ID_BYTES: u64 = 6;
/// BIP152 compact-block nonce.
pub const CMPCT_NONCE_BYTES: u64 = 8;
/// Size assumed for the prefilled coinbase of a compact block.
pub const PREFILLED_COINBASE_BYTES: u64 = 250;

/// What a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgKind {
    /// `inv` announcing `count` blocks ending at `block` (legacy relay).
    Inv,
    /// BIP130 `headers` announcing `count` blocks ending at `block`.
    Headers,
    /// `getdata(MSG_BLOCK)` for `block`.
    GetData,
    /// `getdata(MSG_CMPCT_BLOCK)` for `block`.
    GetDataCmpct,
    /// The full `block`.
    Block,
    /// BIP152 `cmpctblock` for `block`.
    CmpctBlock,
    /// BIP152 `getblocktxn` for the `count` transactions of `block` the
    /// sender could not find in its mempool (`bytes` is their total size).
    GetBlockTxn,
    /// BIP152 `blocktxn`: the `count` transactions (`bytes` bytes) asked for.
    BlockTxn,
    /// BIP152 `sendcmpct(high_bandwidth = true)`: "push me compact blocks".
    SendCmpctOn,
    /// BIP152 `sendcmpct(high_bandwidth = false)`: "stop pushing".
    SendCmpctOff,
}

/// A message in flight: its kind, the block it is about, for announcements
/// how many headers or inventory entries it carries, and for BIP152
/// transaction requests how many transactions and bytes they concern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Msg {
    /// What it is.
    pub kind: MsgKind,
    /// The block it concerns (for announcements: the newest one).
    pub block: BlockId,
    /// Entries carried by `inv`/`headers`, transactions of `getblocktxn`
    /// and `blocktxn` (1 otherwise).
    pub count: u32,
    /// Transaction bytes carried by `blocktxn` (0 otherwise). A block's
    /// weight is at most 4e9 (`consensus.max_block_weight`), so its bytes fit;
    /// 32 bits keep a queued event at 24 bytes.
    pub bytes: u32,
}

impl Msg {
    /// A message about one block.
    pub fn new(kind: MsgKind, block: BlockId) -> Msg {
        Msg { kind, block, count: 1, bytes: 0 }
    }

    /// Bytes on the wire, given the block's size and transaction count.
    pub fn wire_bytes(&self, block_size_bytes: u64, block_tx_count: u32) -> u64 {
        let count = u64::from(self.count.max(1));
        let body = match self.kind {
            MsgKind::Inv | MsgKind::GetData | MsgKind::GetDataCmpct => 1 + INV_ENTRY_BYTES * count,
            MsgKind::Headers => 1 + HEADERS_ENTRY_BYTES * count,
            MsgKind::Block => block_size_bytes,
            MsgKind::CmpctBlock => compact_block_bytes(block_tx_count),
            // Block hash, index count, and one differentially encoded index
            // per transaction (one byte each for nearby indexes).
            MsgKind::GetBlockTxn => 32 + varint_len(count) + count,
            MsgKind::BlockTxn => 32 + varint_len(count) + u64::from(self.bytes),
            MsgKind::SendCmpctOn | MsgKind::SendCmpctOff => 9,
        };
        MESSAGE_HEADER_BYTES + body
    }
}

/// Size of a BIP152 compact block for a block of `tx_count` transactions:
/// header, nonce, short ids for every transaction but the coinbase, and the
/// prefilled coinbase (with its index and two length prefixes).
pub fn compact_block_bytes(tx_count: u32) -> u64 {
    let short_ids = u64::from(tx_count.saturating_sub(1));
    HEADER_BYTES
        + CMPCT_NONCE_BYTES
        + varint_len(short_ids)
        + SHORT_ID_BYTES * short_ids
        + 1
        + 1
        + PREFILLED_COINBASE_BYTES
}

/// Bytes of Bitcoin's CompactSize encoding of `n`.
fn varint_len(n: u64) -> u64 {
    match n {
        0..=0xfc => 1,
        0xfd..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_protocol() {
        let b = BlockId(0);
        assert_eq!(Msg::new(MsgKind::Inv, b).wire_bytes(0, 0), 24 + 1 + 36);
        assert_eq!(
            Msg { kind: MsgKind::Headers, block: b, count: 2, bytes: 0 }.wire_bytes(0, 0),
            24 + 1 + 162
        );
        let blocktxn = Msg { kind: MsgKind::BlockTxn, block: b, count: 3, bytes: 900 };
        assert_eq!(blocktxn.wire_bytes(1_000_000, 3000), 24 + 32 + 1 + 900);
        let get = Msg { kind: MsgKind::GetBlockTxn, ..blocktxn };
        assert_eq!(get.wire_bytes(1_000_000, 3000), 24 + 32 + 1 + 3);
        assert_eq!(Msg::new(MsgKind::Block, b).wire_bytes(535_000, 1000), 535_024);
        // 80 + 8 + 3 (varint 999) + 6*999 + 2 + 250
        assert_eq!(compact_block_bytes(1000), 80 + 8 + 3 + 5994 + 2 + 250);
        assert_eq!(compact_block_bytes(1), 80 + 8 + 1 + 2 + 250);
    }
}
