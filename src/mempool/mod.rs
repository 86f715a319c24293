//! Transactions as a node sees them: Bitcoin Core's mempool acceptance policy,
//! replacement, eviction, expiry and block templates.
//!
//! This module owns the transaction arena ([`TxArena`]) and one node's [`Mempool`]: which
//! transactions it accepts (Core v27–v30 policy in its v30 and v29 settings, [`Policy`]),
//! what leaves and why ([`Removal`]), the rolling minimum fee it advertises, and the block
//! template a miner builds from it (Core v30's `addPackageTxs`, [`Template`]). It is pure and
//! deterministic: time comes in as an argument, the active chain through [`ChainView`], and
//! every collection that is iterated is ordered (the spent-input index is a hash table with
//! a fixed hash function that is only ever probed, never iterated).
//!
//! Not modelled: TRUC (v3) transactions, dust, package relay and package RBF, sigop limits,
//! `prioritisetransaction` (modified fee = fee), lock times and coinbase maturity.

mod accept;
mod block;
mod check;
mod index;
mod outcome;
mod policy;
mod pool;
mod rbf;
mod spends;
mod template;
mod trim;
mod tx;
mod walk;

#[cfg(test)]
mod tests;

pub use accept::ChainView;
pub(crate) use index::SlotIndex;
pub use outcome::{Accepted, RbfFailure, Reject, Removal, RemovalReason};
pub use policy::{DEFAULT_MEMORY_PER_VBYTE, FeerateCompare, Policy, fee_at_rate, feerate_per_kvb};
pub use pool::{Mempool, Totals};
pub use template::Template;
pub use tx::{Input, Tx, TxArena, TxId};
