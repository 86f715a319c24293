//! The size limit, the rolling minimum fee and its decay, and expiry. Size tests use a
//! memory model of one byte per vbyte so the limit reads in vbytes.

use super::*;
use crate::mempool::pool::RollingFee;

/// v30 with a size limit of `max` bytes and one byte per vbyte.
fn small(max: u64) -> Fx {
    Fx::new(Policy { max_usage_bytes: max, memory_per_vbyte: 1.0, ..Policy::core_v30() })
}

const HOUR: u64 = 3_600;

#[test]
fn trim_evicts_the_lowest_descendant_score_with_descendants() {
    let mut fx = small(3_000);
    let a = fx.submit(&[coin(1)], 1_000, 1_000);
    let a_child = fx.submit(&[out(a, 0)], 500, 1_000);
    let b = fx.submit(&[coin(2)], 1_000, 1_500);
    // Descendant scores: a max(1.0, 2,000/1,500) = 1.33, its child 2.0, b 1.5, d 3.0 sat/vB.
    let d = fx.tx(&[coin(3)], 1_000, 3_000);
    assert_eq!(fx.accept(d, 1), Ok(Accepted { removed: removals(&[a, a_child], RemovalReason::SizeLimit) }));
    assert_eq!(fx.contents(), vec![b, d]);
    assert_eq!(fx.pool.usage_bytes(), 2_000);
    // The removed set paid 2,000 sat for 1,500 vB: 1,333 sat/kvB, plus 100 incremental.
    assert_eq!(fx.pool.rolling_min_raw_sat_kvb(), 1_433.0);
    assert_eq!(fx.pool.min_fee_sat_kvb(at(2)), 1_433);
    let below = fx.tx(&[coin(4)], 1_000, 1_432);
    assert_eq!(fx.accept(below, 3), Err(Reject::MempoolMinFee));
    let at_min = fx.tx(&[coin(5)], 1_000, 1_433);
    assert_eq!(fx.accept(at_min, 3), Ok(Accepted::default()));
}

#[test]
fn rolling_minimum_decays_only_after_a_block() {
    let mut fx = small(3_000);
    let a = fx.submit(&[coin(1)], 1_000, 1_000);
    fx.submit(&[out(a, 0)], 500, 1_000);
    fx.submit(&[coin(2)], 1_000, 1_500);
    let d = fx.tx(&[coin(3)], 1_000, 3_000);
    assert!(fx.accept(d, 1).is_ok());
    // No block since the bump: no decay, however long.
    assert_eq!(fx.pool.min_fee_sat_kvb(at(1_000 * HOUR)), 1_433);
    let no_conflicts: Vec<TxId> = fx.pool.remove_for_block(&fx.arena, &[], at(100));
    assert!(no_conflicts.is_empty());
    // Usage 2,000 is at least half of 3,000: half-life 12 h. 1,433 / 2 = 716.5 rounds to 717.
    assert_eq!(fx.pool.min_fee_sat_kvb(at(100 + 12 * HOUR)), 717);
}

#[test]
fn a_new_transaction_can_evict_itself() {
    let mut fx = small(2_000);
    fx.submit(&[coin(1)], 1_000, 2_000);
    fx.submit(&[coin(2)], 1_000, 3_000);
    let low = fx.tx(&[coin(3)], 1_000, 1_000);
    assert_eq!(fx.accept(low, 0), Err(Reject::MempoolFull));
    assert_eq!(fx.pool.last_full_removals(), removals(&[low], RemovalReason::SizeLimit).as_slice());
    assert_eq!(fx.pool.min_fee_sat_kvb(at(0)), 1_100);
    assert_eq!(fx.pool.len(), 2);
}

#[test]
fn equal_descendant_scores_evict_the_newer_entry() {
    let mut fx = small(2_000);
    let older = fx.submit(&[coin(1)], 1_000, 1_000);
    let newer = fx.submit(&[coin(2)], 1_000, 1_000);
    let rich = fx.tx(&[coin(3)], 1_000, 5_000);
    assert_eq!(fx.accept(rich, 0), Ok(Accepted { removed: removals(&[newer], RemovalReason::SizeLimit) }));
    assert_eq!(fx.contents(), vec![older, rich]);
}

/// A v30 mempool of limit 4,000 holding `usage` bytes, with a rolling minimum of 1,600
/// sat/kvB and a block connected at 1,000 s.
fn decaying(usage: u32) -> Fx {
    let mut fx = small(4_000);
    if usage > 0 {
        fx.submit(&[coin(1)], usage, 100_000);
    }
    fx.pool.rolling = RollingFee { min_sat_kvb: 1_600.0, last_update_s: 0, block_since_bump: false };
    fx.pool.remove_for_block(&fx.arena, &[], at(1_000));
    fx
}

#[test]
fn decay_half_life_depends_on_usage() {
    // At least half full: 12 h.
    assert_eq!(decaying(2_000).pool.min_fee_sat_kvb(at(1_000 + 12 * HOUR)), 800);
    // Between a quarter and a half: 6 h.
    assert_eq!(decaying(1_999).pool.min_fee_sat_kvb(at(1_000 + 6 * HOUR)), 800);
    assert_eq!(decaying(1_000).pool.min_fee_sat_kvb(at(1_000 + 6 * HOUR)), 800);
    // Below a quarter: 3 h.
    assert_eq!(decaying(999).pool.min_fee_sat_kvb(at(1_000 + 3 * HOUR)), 800);
    assert_eq!(decaying(0).pool.min_fee_sat_kvb(at(1_000 + 3 * HOUR)), 800);
}

#[test]
fn decay_steps_need_more_than_10_seconds() {
    let mut fx = decaying(0);
    assert_eq!(fx.pool.min_fee_sat_kvb(at(1_010)), 1_600);
    assert_eq!(fx.pool.rolling_min_raw_sat_kvb(), 1_600.0);
    assert_eq!(fx.pool.rolling.last_update_s, 1_000);
    assert_eq!(fx.pool.min_fee_sat_kvb(at(1_011)), 1_599);
    assert_eq!(fx.pool.rolling.last_update_s, 1_011);
    // 11 s at a 3 h half-life.
    assert_eq!(fx.pool.rolling_min_raw_sat_kvb(), 1_600.0 / 2f64.powf(11.0 / 10_800.0));
}

#[test]
fn decay_floors_at_incremental_then_drops_to_zero() {
    let mut fx = decaying(0);
    // Five half-lives: 50 sat/kvB, not below half the incremental fee, reported as 100.
    assert_eq!(fx.pool.min_fee_sat_kvb(at(1_000 + 15 * HOUR)), 100);
    assert_eq!(fx.pool.rolling_min_raw_sat_kvb(), 50.0);
    // One more: 25 < 50 drops it to zero for good.
    assert_eq!(fx.pool.min_fee_sat_kvb(at(1_000 + 18 * HOUR)), 0);
    assert_eq!(fx.pool.rolling_min_raw_sat_kvb(), 0.0);
    assert_eq!(fx.pool.min_fee_sat_kvb(at(1_000 + 18 * HOUR + 1)), 0);
}

#[test]
fn expiry_removes_old_entries_with_their_descendants() {
    let mut fx = Fx::v30();
    let old = fx.submit(&[coin(1)], 200, 1_000);
    let young_child = fx.tx(&[out(old, 0)], 200, 1_000);
    assert!(fx.accept(young_child, 1_000).is_ok());
    let young = fx.tx(&[coin(2)], 200, 1_000);
    assert!(fx.accept(young, 2_000).is_ok());
    // Strictly older than now - 336 h leaves.
    assert_eq!(fx.pool.expire(at(336 * HOUR)), vec![]);
    assert_eq!(fx.pool.expire(at(336 * HOUR + 1)), vec![old, young_child]);
    assert_eq!(fx.contents(), vec![young]);
    fx.pool.check_consistency(&fx.arena);
}

#[test]
fn acceptance_expires_old_entries() {
    let mut fx = Fx::v30();
    let old = fx.submit(&[coin(1)], 200, 1_000);
    let child = fx.tx(&[out(old, 0)], 200, 1_000);
    assert!(fx.accept(child, 10).is_ok());
    let new = fx.tx(&[coin(2)], 200, 1_000);
    assert_eq!(
        fx.accept(new, 336 * HOUR + 1),
        Ok(Accepted { removed: removals(&[old, child], RemovalReason::Expiry) })
    );
    // A child arriving after its parent expired leaves with it: Core calls that "mempool full".
    let late = fx.tx(&[coin(3)], 200, 1_000);
    assert!(fx.accept(late, 336 * HOUR + 1).is_ok());
    let parent_gone = fx.tx(&[out(new, 0)], 200, 1_000);
    assert_eq!(fx.accept(parent_gone, 2 * 336 * HOUR + 2), Err(Reject::MempoolFull));
    assert_eq!(
        fx.pool.last_full_removals(),
        removals(&[new, late, parent_gone], RemovalReason::Expiry).as_slice()
    );
}
