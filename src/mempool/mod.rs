//! Transactions as a node sees them: Bitcoin Core's mempool acceptance
//! policy, replacement, eviction, expiry and block templates.

mod tx;

pub use tx::{Input, Tx, TxArena, TxId};
