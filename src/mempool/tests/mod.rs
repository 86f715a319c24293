//! Unit tests of the mempool on hand-built arenas: a fixture holding an arena, a mempool
//! and a toy active chain, and one file per area of Core's policy. Every transaction has
//! weight 4 × vsize, two outputs unless stated, and a txid whose first four bytes are its
//! arena index (so txid order is creation order unless a test sets it).

use std::collections::BTreeSet;

use super::*;
use crate::net::NodeId;
use crate::sim::{SimDuration, SimTime};

mod accept;
mod block;
mod limits;
mod random;
mod rbf;
mod template;
mod trim;

/// The active chain as a set of confirmed transactions and spent inputs.
#[derive(Clone, Debug, Default)]
pub(super) struct TestChain {
    pub(super) confirmed: BTreeSet<TxId>,
    pub(super) spent: BTreeSet<Input>,
}

impl ChainView for TestChain {
    fn confirmed(&self, tx: TxId) -> bool {
        self.confirmed.contains(&tx)
    }

    fn spent(&self, input: Input) -> bool {
        self.spent.contains(&input)
    }
}

/// An arena, a mempool and a chain.
pub(super) struct Fx {
    pub(super) arena: TxArena,
    pub(super) pool: Mempool,
    pub(super) chain: TestChain,
}

/// A confirmed coin.
pub(super) fn coin(n: u64) -> Input {
    Input::Coin(n)
}

/// Output `vout` of `tx`.
pub(super) fn out(tx: TxId, vout: u16) -> Input {
    Input::Out { tx, vout }
}

/// `s` seconds after the start.
pub(super) fn at(s: u64) -> SimTime {
    SimTime(s * 1_000_000_000)
}

/// A txid whose first four bytes are `n` (big-endian), the rest zero.
pub(super) fn txid(n: u32) -> [u8; 32] {
    let mut id = [0u8; 32];
    id[..4].copy_from_slice(&n.to_be_bytes());
    id
}

/// Removal records of `reason` for `txs`.
pub(super) fn removals(txs: &[TxId], reason: RemovalReason) -> Vec<Removal> {
    txs.iter().map(|&tx| Removal { tx, reason }).collect()
}

impl Fx {
    pub(super) fn new(policy: Policy) -> Fx {
        Fx { arena: TxArena::new(), pool: Mempool::new(policy), chain: TestChain::default() }
    }

    pub(super) fn v30() -> Fx {
        Fx::new(Policy::core_v30())
    }

    /// A new arena transaction with two outputs.
    pub(super) fn tx(&mut self, inputs: &[Input], vsize: u32, fee: u64) -> TxId {
        self.tx_full(inputs, 2, vsize, fee, None)
    }

    /// A new arena transaction with every field chosen.
    pub(super) fn tx_full(
        &mut self,
        inputs: &[Input],
        outputs: u16,
        vsize: u32,
        fee: u64,
        id: Option<[u8; 32]>,
    ) -> TxId {
        let n = self.arena.len() as u32;
        let id = id.unwrap_or_else(|| txid(n));
        self.arena.push(Tx {
            txid: id,
            wtxid: id,
            inputs: inputs.into(),
            outputs,
            weight: vsize * 4,
            fee_sat: fee,
            created: SimTime::ZERO,
            origin: NodeId(0),
            replaces: None,
        })
    }

    /// Offers `tx` at `s` seconds, then checks every invariant.
    pub(super) fn accept(&mut self, tx: TxId, s: u64) -> Result<Accepted, Reject> {
        let result = self.pool.accept(&self.arena, tx, at(s), &self.chain);
        self.pool.check_consistency(&self.arena);
        result
    }

    /// Creates a transaction and asserts that it is accepted at time 0 with no removals.
    pub(super) fn submit(&mut self, inputs: &[Input], vsize: u32, fee: u64) -> TxId {
        let tx = self.tx(inputs, vsize, fee);
        assert_eq!(self.accept(tx, 0), Ok(Accepted::default()), "submitting {tx:?}");
        tx
    }

    /// Records `tx` as confirmed in the chain (the mempool is not told).
    pub(super) fn confirm(&mut self, tx: TxId) {
        self.chain.confirmed.insert(tx);
        self.chain.spent.extend(self.arena.get(tx).inputs.iter().copied());
    }

    /// Mempool contents in id order.
    pub(super) fn contents(&self) -> Vec<TxId> {
        self.pool.iter().collect()
    }
}
