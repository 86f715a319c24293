//! What mempool operations report: acceptance, rejection reasons (with Core's reject
//! strings) and removal records.

use super::tx::TxId;

/// A transaction that entered the mempool, and what left to make room or by rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    /// Transactions removed by this acceptance: replaced conflicts and their descendants,
    /// entries expired and entries evicted by the size limit.
    pub removed: Vec<Removal>,
}

/// One transaction that left the mempool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removal {
    /// The transaction.
    pub tx: TxId,
    /// Why it left.
    pub reason: RemovalReason,
}

/// Why a transaction left the mempool (Core's `MemPoolRemovalReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RemovalReason {
    /// Replaced by a conflicting transaction (RBF), or a descendant of one that was.
    Replaced,
    /// Conflicts with a transaction of a connected block, or descends from one that did.
    Conflict,
    /// Evicted to bring the mempool under its size limit, or (after a reorg) a descendant
    /// of a re-added transaction whose ancestors now exceed the ancestor limits.
    SizeLimit,
    /// Older than the expiry, or a descendant of one that was.
    Expiry,
    /// Depends on a transaction of a disconnected block that could not return.
    Reorg,
    /// Included in a connected block.
    Block,
}

/// Why a transaction was not accepted (Core's `TxValidationState` reject reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reject {
    /// No inputs, no outputs, zero weight or an input spent twice (`CheckTransaction`).
    Invalid,
    /// Heavier than the standard limit (`tx-size`).
    NonStandard,
    /// The same transaction is already in the mempool (`txn-already-in-mempool`).
    AlreadyInMempool,
    /// The transaction is confirmed in the active chain (`txn-already-known`).
    AlreadyConfirmed,
    /// An input's parent is neither in the mempool nor confirmed: an orphan
    /// (`bad-txns-inputs-missingorspent`, `TX_MISSING_INPUTS`).
    MissingInputs,
    /// An input is already spent in the active chain, so the transaction can never be
    /// valid on it. Core reports this as a missing input too; the simulator keeps it apart
    /// so that the node does not hold it as an orphan.
    InputsSpent,
    /// Below the minimum relay fee rate on its own (`min relay fee not met`).
    MinRelayFee,
    /// Below the rolling minimum of a full mempool (`mempool min fee not met`).
    MempoolMinFee,
    /// Exceeds the ancestor or descendant limits (`too-long-mempool-chain`).
    TooLongMempoolChain,
    /// Spends an output of a transaction it would replace (`bad-txns-spends-conflicting-tx`).
    SpendsConflicting,
    /// A replacement that breaks a BIP125-style rule.
    Rbf(RbfFailure),
    /// Accepted, then evicted at once by the size limit (`mempool full`).
    MempoolFull,
}

/// Which replacement rule a conflicting transaction broke (Core's `policy/rbf.cpp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RbfFailure {
    /// Rule 3: pays less absolute fee than everything it replaces.
    InsufficientFee,
    /// Rule 4: the extra fee does not pay for its own relay at the incremental rate.
    InsufficientRelayFee,
    /// Rule 5: more than 100 direct conflicts and descendants would be replaced.
    TooManyReplacements,
    /// Rule 6: fee rate not above that of every direct conflict.
    LowerFeerate,
    /// Rule 2: spends an unconfirmed output no replaced transaction spent.
    AddsUnconfirmed,
}

impl Reject {
    /// Core's reject string for this reason.
    pub fn core_reason(self) -> &'static str {
        match self {
            Reject::Invalid => "bad-txns",
            Reject::NonStandard => "tx-size",
            Reject::AlreadyInMempool => "txn-already-in-mempool",
            Reject::AlreadyConfirmed => "txn-already-known",
            Reject::MissingInputs | Reject::InputsSpent => "bad-txns-inputs-missingorspent",
            Reject::MinRelayFee => "min relay fee not met",
            Reject::MempoolMinFee => "mempool min fee not met",
            Reject::TooLongMempoolChain => "too-long-mempool-chain",
            Reject::SpendsConflicting => "bad-txns-spends-conflicting-tx",
            Reject::Rbf(RbfFailure::TooManyReplacements) => "too many potential replacements",
            Reject::Rbf(RbfFailure::AddsUnconfirmed) => "replacement-adds-unconfirmed",
            Reject::Rbf(_) => "insufficient fee",
            Reject::MempoolFull => "mempool full",
        }
    }

    /// True for fee-related failures Core marks `TX_RECONSIDERABLE` (a package could
    /// change the outcome); the node does not relay such transactions and may retry them.
    pub fn is_reconsiderable(self) -> bool {
        matches!(
            self,
            Reject::MempoolMinFee
                | Reject::MempoolFull
                | Reject::Rbf(
                    RbfFailure::LowerFeerate | RbfFailure::InsufficientFee | RbfFailure::InsufficientRelayFee
                )
        )
    }
}
