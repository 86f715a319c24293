//! Transactions as the world stores them: one arena, indexed by [`TxId`].
//!
//! A transaction lives here once; nodes, mempools and blocks hold ids. The
//! arena keeps what policy, templates and relay need (inputs, outputs, size,
//! fee, hashes) and what the reports need (creation time, origin, which
//! transaction it replaces). Scripts and amounts are not modelled: every
//! output is a standard, non-dust output (dust-free by assumption).

use crate::net::NodeId;
use crate::sim::SimTime;

/// Index of a transaction in the world-wide [`TxArena`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxId(pub u32);

impl TxId {
    /// The id as a `usize` index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What an input spends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    /// A coin confirmed before the simulation started (or created outside
    /// it), identified by a unique number. It can be spent at most once in a
    /// chain; two transactions spending the same coin conflict.
    Coin(u64),
    /// Output `vout` of a simulated transaction.
    Out {
        /// The transaction that created the output.
        tx: TxId,
        /// Its output index.
        vout: u16,
    },
}

/// One transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct Tx {
    /// Double SHA-256 of the transaction without witness data. A generated transaction has
    /// no serialization; its txid hashes a canonical encoding of its fields (see the
    /// workload's `hash` module).
    pub txid: [u8; 32],
    /// Double SHA-256 of the transaction with witness data (BIP141). For a generated
    /// transaction, the double SHA-256 of its txid followed by a witness marker byte.
    pub wtxid: [u8; 32],
    /// The outputs it spends.
    pub inputs: Box<[Input]>,
    /// Number of outputs it creates.
    pub outputs: u16,
    /// Weight units (BIP141).
    pub weight: u32,
    /// Fee in satoshi.
    pub fee_sat: u64,
    /// When it was created.
    pub created: SimTime,
    /// The node that first had it.
    pub origin: NodeId,
    /// The transaction this one replaces (RBF), if any.
    pub replaces: Option<TxId>,
}

impl Tx {
    /// Virtual size: weight / 4 rounded up (Core's `GetVirtualTransactionSize`
    /// with no sigop adjustment, since scripts are standard).
    pub fn vsize(&self) -> u32 {
        self.weight.div_ceil(4)
    }

    /// Fee rate in sat/vB.
    pub fn feerate_sat_vb(&self) -> f64 {
        self.fee_sat as f64 / f64::from(self.vsize())
    }

    /// Bytes of the transaction on the wire (serialized with witness). With
    /// `w` witness bytes and `b` base bytes, weight = 4b + w and size = b + w;
    /// the arena keeps weight only, so size is taken as the weight's
    /// equivalent for a typical SegWit spend: vsize plus the witness discount.
    pub fn size_bytes(&self) -> u32 {
        // For a transaction whose witness is a share f of its bytes, weight =
        // size * (4 - 3f); f = 0.25 (typical P2WPKH spend) gives size =
        // weight / 3.25. Exactness does not matter: size only sets bandwidth.
        (u64::from(self.weight) * 4 / 13) as u32
    }
}

/// The world-wide transaction arena.
#[derive(Clone, Debug, Default)]
pub struct TxArena {
    txs: Vec<Tx>,
}

impl TxArena {
    /// An empty arena.
    pub fn new() -> Self {
        TxArena::default()
    }

    /// Adds a transaction and returns its id.
    pub fn push(&mut self, tx: Tx) -> TxId {
        let id = TxId(u32::try_from(self.txs.len()).expect("fewer than 2^32 transactions"));
        self.txs.push(tx);
        id
    }

    /// The transaction with id `id`.
    pub fn get(&self, id: TxId) -> &Tx {
        &self.txs[id.index()]
    }

    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// All transactions in id order.
    pub fn iter(&self) -> impl Iterator<Item = (TxId, &Tx)> {
        self.txs.iter().enumerate().map(|(i, t)| (TxId(i as u32), t))
    }
}
