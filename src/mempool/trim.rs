//! Keeping the mempool bounded: expiry, the size trim by descendant score, and the rolling
//! minimum fee rate it leaves behind (Core's `CTxMemPool::Expire`, `TrimToSize`,
//! `trackPackageRemoved`, `GetMinFee` in `src/txmempool.cpp`, and `LimitMempoolSize` in
//! `src/validation.cpp`).
//!
//! Core reads the clock in whole seconds for entry times and the rolling-fee clock; so do
//! these functions.

use super::outcome::{Removal, RemovalReason};
use super::policy::feerate_per_kvb;
use super::pool::Mempool;
use super::tx::TxId;
use crate::sim::SimTime;

/// Core's rolling fee clock only decays the minimum when more than this many seconds
/// passed since the last update.
const ROLLING_FEE_STEP_S: u64 = 10;

impl Mempool {
    /// Removes every entry that entered more than the expiry before `now`, with its
    /// descendants whatever their age; returns them.
    pub fn expire(&mut self, now: SimTime) -> Vec<TxId> {
        let mut removed = Vec::new();
        self.expire_into(now, &mut removed);
        removed.into_iter().map(|r| r.tx).collect()
    }

    /// Core's `GetMinFee` at `now` in sat/kvB: the rolling minimum, which decays with a
    /// half-life of 12 h (6 h below half the size limit, 3 h below a quarter) once a block has
    /// been connected since it last rose, drops to zero below half the incremental relay fee,
    /// and is at least the incremental relay fee while active.
    pub fn min_fee_sat_kvb(&mut self, now: SimTime) -> u64 {
        let r = &mut self.rolling;
        if !r.block_since_bump || r.min_sat_kvb == 0.0 {
            return r.min_sat_kvb.round() as u64;
        }
        let now_s = now.whole_secs();
        let incremental = self.policy.incremental_relay_feerate_sat_kvb;
        if now_s > r.last_update_s + ROLLING_FEE_STEP_S {
            let mut halflife = self.policy.rolling_fee_halflife.as_secs_f64();
            if self.usage < self.policy.max_usage_bytes / 4 {
                halflife /= 4.0;
            } else if self.usage < self.policy.max_usage_bytes / 2 {
                halflife /= 2.0;
            }
            let elapsed = (now_s - r.last_update_s) as f64;
            r.min_sat_kvb /= 2f64.powf(elapsed / halflife);
            r.last_update_s = now_s;
            if r.min_sat_kvb < incremental as f64 / 2.0 {
                r.min_sat_kvb = 0.0;
                return 0;
            }
        }
        (r.min_sat_kvb.round() as u64).max(incremental)
    }

    /// Core's `LimitMempoolSize`: expire, then trim to the size limit.
    pub(super) fn limit_size(&mut self, now: SimTime, removed: &mut Vec<Removal>) {
        self.expire_into(now, removed);
        self.trim_to_size(removed);
    }

    /// Expiry with removal records. Entries are compared in whole seconds with
    /// `now - expiry`, strictly older leaving.
    pub(super) fn expire_into(&mut self, now: SimTime, removed: &mut Vec<Removal>) {
        let expiry_s = self.policy.expiry.0 / 1_000_000_000;
        let Some(cutoff_s) = now.whole_secs().checked_sub(expiry_s) else { return };
        // Every record older than the cutoff leaves the queue: its entry is staged for
        // removal below, or it was stale already.
        let mut expired = Vec::new();
        while let Some(&record) = self.by_time.records.front() {
            if record.time.whole_secs() >= cutoff_s {
                break;
            }
            self.by_time.records.pop_front();
            if self.is_live(&record) {
                expired.push(self.slot(record.tx));
            }
        }
        if !expired.is_empty() {
            let stage = self.stage_with_descendants(expired);
            self.remove_staged(&stage, false, RemovalReason::Expiry, removed);
        }
    }

    /// Core's `TrimToSize`: while over the limit, evict the entry with the lowest descendant
    /// score with all its descendants, and raise the rolling minimum to the fee rate of the
    /// evicted set plus the incremental relay fee.
    pub(super) fn trim_to_size(&mut self, removed: &mut Vec<Removal>) {
        while self.usage > self.policy.max_usage_bytes {
            self.activate_desc_index();
            let Some(worst) = self.by_desc_score.keys.first().map(|k| k.tx) else { break };
            let slot = self.slot(worst);
            let desc = self.slots[slot].desc;
            let rate = feerate_per_kvb(desc.fee, desc.vsize) + self.policy.incremental_relay_feerate_sat_kvb;
            self.track_package_removed(rate);
            let stage = self.stage_with_descendants([slot]);
            self.remove_staged(&stage, false, RemovalReason::SizeLimit, removed);
        }
    }

    /// Core's `trackPackageRemoved`: a higher rate raises the rolling minimum and stops its
    /// decay until the next block.
    fn track_package_removed(&mut self, rate_sat_kvb: u64) {
        if rate_sat_kvb as f64 > self.rolling.min_sat_kvb {
            self.rolling.min_sat_kvb = rate_sat_kvb as f64;
            self.rolling.block_since_bump = false;
        }
    }

    /// Restarts the rolling fee clock when a block is connected.
    pub(super) fn note_block(&mut self, now: SimTime) {
        self.rolling.last_update_s = now.whole_secs();
        self.rolling.block_since_bump = true;
    }

    /// The rolling minimum as stored, before any decay (sat/kvB).
    pub fn rolling_min_raw_sat_kvb(&self) -> f64 {
        self.rolling.min_sat_kvb
    }
}
