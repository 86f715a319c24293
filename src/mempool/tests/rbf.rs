//! Replacement rules 2 to 6 and `bad-txns-spends-conflicting-tx`.

use super::*;

#[test]
fn rule_6_needs_a_higher_feerate_than_each_direct_conflict() {
    let mut fx = Fx::v30();
    let original = fx.submit(&[coin(1)], 1_000, 2_000);
    let same_rate = fx.tx(&[coin(1)], 2_000, 4_000);
    assert_eq!(fx.accept(same_rate, 0), Err(Reject::Rbf(RbfFailure::LowerFeerate)));
    let higher = fx.tx(&[coin(1)], 2_000, 4_002);
    assert_eq!(
        fx.accept(higher, 0),
        Ok(Accepted { removed: removals(&[original], RemovalReason::Replaced) })
    );
}

#[test]
fn rule_6_truncates_to_whole_sat_per_kvb_in_v29_only() {
    // 2,003 sat / 2,000 vB and 1,001 sat / 1,000 vB are both 1,001 sat/kvB when truncated.
    let mut v29 = Fx::new(Policy::core_v29());
    v29.submit(&[coin(1)], 1_000, 1_001);
    let replacement = v29.tx(&[coin(1)], 2_000, 2_003);
    assert_eq!(v29.accept(replacement, 0), Err(Reject::Rbf(RbfFailure::LowerFeerate)));

    let mut v30 = Fx::v30();
    let original = v30.submit(&[coin(1)], 1_000, 1_001);
    let replacement = v30.tx(&[coin(1)], 2_000, 2_003);
    assert_eq!(
        v30.accept(replacement, 0),
        Ok(Accepted { removed: removals(&[original], RemovalReason::Replaced) })
    );
}

/// A conflict of 1,000 vB paying 1,000 sat with a child of 500 vB paying 5,000 sat.
fn conflict_with_rich_child(fx: &mut Fx) -> (TxId, TxId) {
    let conflict = fx.submit(&[coin(1)], 1_000, 1_000);
    let child = fx.submit(&[out(conflict, 0)], 500, 5_000);
    (conflict, child)
}

#[test]
fn rule_3_pays_at_least_the_fees_of_all_originals() {
    let mut fx = Fx::v30();
    conflict_with_rich_child(&mut fx);
    // 10 sat/vB beats the conflict's 1 sat/vB, but 5,999 < 1,000 + 5,000.
    let replacement = fx.tx(&[coin(1)], 500, 5_999);
    assert_eq!(fx.accept(replacement, 0), Err(Reject::Rbf(RbfFailure::InsufficientFee)));
}

#[test]
fn rule_4_pays_for_its_own_relay_at_the_incremental_rate() {
    let mut fx = Fx::v30();
    let (conflict, child) = conflict_with_rich_child(&mut fx);
    // The extra fee must cover 100 sat/kvB × 500 vB = 50 sat.
    let short = fx.tx(&[coin(1)], 500, 6_049);
    assert_eq!(fx.accept(short, 0), Err(Reject::Rbf(RbfFailure::InsufficientRelayFee)));
    let enough = fx.tx(&[coin(1)], 500, 6_050);
    assert_eq!(
        fx.accept(enough, 0),
        Ok(Accepted { removed: removals(&[conflict, child], RemovalReason::Replaced) })
    );
    assert_eq!(fx.contents(), vec![enough]);
}

#[test]
fn rule_4_in_v29_prices_relay_at_1_sat_per_vb() {
    let mut fx = Fx::new(Policy::core_v29());
    fx.submit(&[coin(1)], 1_000, 1_000);
    let short = fx.tx(&[coin(1)], 500, 1_499);
    assert_eq!(fx.accept(short, 0), Err(Reject::Rbf(RbfFailure::InsufficientRelayFee)));
    let enough = fx.tx(&[coin(1)], 500, 1_500);
    assert!(fx.accept(enough, 0).is_ok());
}

#[test]
fn rule_5_allows_100_candidates_and_counts_shared_descendants_twice() {
    let mut fx = Fx::v30();
    let singles: Vec<TxId> = (0..100).map(|i| fx.submit(&[coin(i)], 100, 100)).collect();
    let coins: Vec<Input> = (0..100).map(coin).collect();
    let replaces_100 = fx.tx(&coins, 10_000, 100_000);
    assert_eq!(
        fx.accept(replaces_100, 0),
        Ok(Accepted { removed: removals(&singles, RemovalReason::Replaced) })
    );

    let mut fx = Fx::v30();
    let _singles: Vec<TxId> = (0..101).map(|i| fx.submit(&[coin(i)], 100, 100)).collect();
    let coins: Vec<Input> = (0..101).map(coin).collect();
    let replaces_101 = fx.tx(&coins, 10_000, 100_000);
    assert_eq!(fx.accept(replaces_101, 0), Err(Reject::Rbf(RbfFailure::TooManyReplacements)));

    // 97 singles plus two conflicts sharing a child: 100 distinct originals, counted as 101.
    let mut fx = Fx::v30();
    for i in 0..97 {
        fx.submit(&[coin(i)], 100, 100);
    }
    let a = fx.submit(&[coin(97)], 100, 100);
    let b = fx.submit(&[coin(98)], 100, 100);
    fx.submit(&[out(a, 0), out(b, 0)], 100, 100);
    let coins: Vec<Input> = (0..99).map(coin).collect();
    let replacement = fx.tx(&coins, 10_000, 100_000);
    assert_eq!(fx.accept(replacement, 0), Err(Reject::Rbf(RbfFailure::TooManyReplacements)));
}

#[test]
fn rule_2_forbids_new_unconfirmed_inputs() {
    let mut fx = Fx::v30();
    let parent = fx.submit(&[coin(1)], 200, 1_000);
    let conflict = fx.submit(&[out(parent, 0), coin(2)], 200, 1_000);
    let unrelated = fx.submit(&[coin(3)], 200, 1_000);
    let adds = fx.tx(&[coin(2), out(unrelated, 0)], 200, 5_000);
    assert_eq!(fx.accept(adds, 0), Err(Reject::Rbf(RbfFailure::AddsUnconfirmed)));
    // Spending another output of a parent an original already spent from is fine.
    let same_parent = fx.tx(&[coin(2), out(parent, 1)], 200, 5_000);
    assert_eq!(
        fx.accept(same_parent, 0),
        Ok(Accepted { removed: removals(&[conflict], RemovalReason::Replaced) })
    );
}

#[test]
fn a_replacement_may_not_spend_what_it_replaces() {
    let mut fx = Fx::v30();
    let conflict = fx.submit(&[coin(1)], 200, 1_000);
    let child = fx.submit(&[out(conflict, 0)], 200, 1_000);
    let spends_conflict = fx.tx(&[coin(1), out(conflict, 1)], 200, 10_000);
    assert_eq!(fx.accept(spends_conflict, 0), Err(Reject::SpendsConflicting));
    // Replacing the child while spending another output of its parent is fine: the parent is
    // not replaced, and rule 2 allows it because the replaced child spent from it too.
    let replaces_child = fx.tx(&[out(conflict, 0), out(conflict, 1)], 200, 10_000);
    assert_eq!(
        fx.accept(replaces_child, 0),
        Ok(Accepted { removed: removals(&[child], RemovalReason::Replaced) })
    );
}
