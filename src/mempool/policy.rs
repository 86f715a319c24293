//! Bitcoin Core's mempool and block-template settings ([`Policy`]) and the
//! fee-rate arithmetic every rule uses (Core's `CFeeRate`).
//!
//! Values are Core's defaults (`src/policy/policy.h`, `src/kernel/mempool_options.h`,
//! `src/kernel/mempool_limits.h`, `src/node/miner.h`, `src/txmempool.h`). Fee rates are
//! integers in sat/kvB, as Core stores them; sizes are vbytes.

use std::cmp::Ordering;

use crate::sim::SimDuration;

/// How two fee rates built from (fee, size) pairs compare (RBF rule 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeerateCompare {
    /// Core before v30: `CFeeRate(fee, size)` keeps `fee * 1000 / size` truncated to
    /// whole sat/kvB, and compares those integers.
    TruncatedPerKvb,
    /// Core v30: `CFeeRate` keeps the exact fraction (`FeeFrac`, PR #32750) and compares
    /// by cross-multiplication.
    Exact,
}

/// Estimated memory use per vbyte held (see [`Policy::memory_per_vbyte`]).
pub const DEFAULT_MEMORY_PER_VBYTE: f64 = 2.0;

/// Mempool acceptance, eviction and block-template settings of one Core version.
///
/// Fee rates are in sat/kvB (satoshis per 1,000 vbytes), sizes in vbytes, weights in
/// weight units.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `-minrelaytxfee`: every transaction on its own must pay at least this rate.
    pub min_relay_feerate_sat_kvb: u64,
    /// `-incrementalrelayfee`: the extra rate a replacement pays for its own relay (RBF
    /// rule 4), added to the rate of a package evicted by the size limit, and the floor of
    /// an active rolling minimum.
    pub incremental_relay_feerate_sat_kvb: u64,
    /// `-blockmintxfee`: templates stop at the first package paying less.
    pub block_min_feerate_sat_kvb: u64,
    /// `-maxmempool` in bytes of (modelled) memory use (Core: MB × 1,000,000).
    pub max_usage_bytes: u64,
    /// The simulator's memory model: an entry of `v` vbytes uses `round(v × memory_per_vbyte)`
    /// bytes. Core counts dynamic memory (entry, transaction object, indexes), which exceeds
    /// the vbytes held; this factor stands in for it.
    pub memory_per_vbyte: f64,
    /// `-mempoolexpiry`: entries older than this leave, with their descendants.
    pub expiry: SimDuration,
    /// `-limitancestorcount`: in-mempool ancestors of a new transaction, itself included.
    pub ancestor_limit_count: u32,
    /// `-limitancestorsize` in vbytes: their total size, itself included.
    pub ancestor_limit_vb: u64,
    /// `-limitdescendantcount`: descendants of any ancestor after adding, itself included.
    pub descendant_limit_count: u32,
    /// `-limitdescendantsize` in vbytes: their total size.
    pub descendant_limit_vb: u64,
    /// CPFP carve-out: the largest transaction (vbytes) that may use the one extra
    /// descendant slot (Core's `EXTRA_DESCENDANT_TX_SIZE_LIMIT`).
    pub carve_out_max_vb: u64,
    /// RBF rule 5: direct conflicts plus their descendants (`MAX_REPLACEMENT_CANDIDATES`).
    pub max_replacement_candidates: u32,
    /// Half-life of the rolling minimum fee rate while the mempool is at least half full
    /// (`ROLLING_FEE_HALFLIFE`); it is halved below 1/2 and quartered below 1/4 of the limit.
    pub rolling_fee_halflife: SimDuration,
    /// The heaviest standard transaction (`MAX_STANDARD_TX_WEIGHT`).
    pub max_standard_tx_weight: u64,
    /// Memory cap of the queue of transactions from disconnected blocks
    /// (`MAX_DISCONNECTED_TX_POOL_BYTES`), in the same memory model as the mempool.
    pub max_disconnected_pool_bytes: u64,
    /// How RBF rule 6 compares fee rates.
    pub feerate_compare: FeerateCompare,
    /// `-blockreservedweight`: where a template's weight counter starts (header, coinbase).
    pub block_reserved_weight: u64,
    /// A template gives up after `max_consecutive_failures` misses once its weight exceeds
    /// `max_block_weight` minus this ("block full enough").
    pub block_full_enough_weight_delta: u64,
    /// Consecutive packages that may fail to fit before that give-up (`MAX_CONSECUTIVE_FAILURES`).
    pub max_consecutive_failures: u32,
}

impl Policy {
    /// Bitcoin Core v30: 100 sat/kvB minimum relay and incremental fee, 1 sat/kvB
    /// `blockmintxfee` (PR #33106), exact fee-rate comparison, "block full enough" at
    /// 4,000 WU below the maximum (`BLOCK_FULL_ENOUGH_WEIGHT_DELTA`, PR #32355).
    pub fn core_v30() -> Policy {
        Policy {
            min_relay_feerate_sat_kvb: 100,
            incremental_relay_feerate_sat_kvb: 100,
            block_min_feerate_sat_kvb: 1,
            feerate_compare: FeerateCompare::Exact,
            block_full_enough_weight_delta: 4_000,
            ..Policy::core_v29()
        }
    }

    /// Bitcoin Core v29.0: 1,000 sat/kvB minimum relay, incremental and `blockmintxfee`;
    /// fee rates truncated to whole sat/kvB; "block full enough" measured with the reserved
    /// weight (8,000 WU), as v29's miner did.
    pub fn core_v29() -> Policy {
        Policy {
            min_relay_feerate_sat_kvb: 1_000,
            incremental_relay_feerate_sat_kvb: 1_000,
            block_min_feerate_sat_kvb: 1_000,
            max_usage_bytes: 300_000_000,
            memory_per_vbyte: DEFAULT_MEMORY_PER_VBYTE,
            expiry: SimDuration::from_secs(336 * 3_600),
            ancestor_limit_count: 25,
            ancestor_limit_vb: 101_000,
            descendant_limit_count: 25,
            descendant_limit_vb: 101_000,
            carve_out_max_vb: 10_000,
            max_replacement_candidates: 100,
            rolling_fee_halflife: SimDuration::from_secs(12 * 3_600),
            max_standard_tx_weight: 400_000,
            max_disconnected_pool_bytes: 20_000_000,
            feerate_compare: FeerateCompare::TruncatedPerKvb,
            block_reserved_weight: 8_000,
            block_full_enough_weight_delta: 8_000,
            max_consecutive_failures: 1_000,
        }
    }

    /// Modelled memory use of an entry of `vsize` vbytes.
    pub fn usage_of(&self, vsize: u64) -> u64 {
        (vsize as f64 * self.memory_per_vbyte).round() as u64
    }

    /// True if the rate fee_a/size_a is strictly above fee_b/size_b under this policy's
    /// `CFeeRate` comparison.
    pub(super) fn feerate_above(&self, fee_a: u64, size_a: u64, fee_b: u64, size_b: u64) -> bool {
        match self.feerate_compare {
            FeerateCompare::TruncatedPerKvb => {
                feerate_per_kvb(fee_a, size_a) > feerate_per_kvb(fee_b, size_b)
            }
            FeerateCompare::Exact => cmp_feerate(fee_a, size_a, fee_b, size_b) == Ordering::Greater,
        }
    }
}

/// Fee in satoshi for `vsize` vbytes at `rate_sat_kvb`, rounded up: Core's `CFeeRate::GetFee`.
pub fn fee_at_rate(rate_sat_kvb: u64, vsize: u64) -> u64 {
    // Every acceptance calls this; 64-bit division is much cheaper than 128-bit, and real
    // rates and sizes never overflow it.
    match rate_sat_kvb.checked_mul(vsize) {
        Some(product) => product.div_ceil(1_000),
        None => (u128::from(rate_sat_kvb) * u128::from(vsize)).div_ceil(1_000) as u64,
    }
}

/// The whole sat/kvB of `fee` over `vsize`, rounded down: Core's `CFeeRate(fee, size).GetFeePerK()`.
pub fn feerate_per_kvb(fee: u64, vsize: u64) -> u64 {
    if vsize == 0 { 0 } else { (u128::from(fee) * 1_000 / u128::from(vsize)) as u64 }
}

/// Compares fee_a/size_a with fee_b/size_b exactly (Core's `FeeRateCompare`).
pub(super) fn cmp_feerate(fee_a: u64, size_a: u64, fee_b: u64, size_b: u64) -> Ordering {
    (u128::from(fee_a) * u128::from(size_b)).cmp(&(u128::from(fee_b) * u128::from(size_a)))
}
