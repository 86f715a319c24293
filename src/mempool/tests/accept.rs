//! Acceptance: fee floors, input availability, duplicates and context-free checks.

use super::*;

#[test]
fn min_relay_fee_is_0_1_sat_per_vb_in_v30_and_1_in_v29() {
    let mut v30 = Fx::v30();
    let low = v30.tx(&[coin(1)], 1_000, 99);
    let ok = v30.tx(&[coin(2)], 1_000, 100);
    assert_eq!(v30.accept(low, 0), Err(Reject::MinRelayFee));
    assert_eq!(v30.accept(ok, 0), Ok(Accepted::default()));

    let mut v29 = Fx::new(Policy::core_v29());
    let low = v29.tx(&[coin(1)], 1_000, 999);
    let ok = v29.tx(&[coin(2)], 1_000, 1_000);
    assert_eq!(v29.accept(low, 0), Err(Reject::MinRelayFee));
    assert_eq!(v29.accept(ok, 0), Ok(Accepted::default()));
}

#[test]
fn fee_floor_rounds_the_required_fee_up() {
    // 100 sat/kvB for 1,001 vB is 100.1 sat: Core's GetFee asks for 101.
    let mut fx = Fx::v30();
    let short = fx.tx(&[coin(1)], 1_001, 100);
    let enough = fx.tx(&[coin(2)], 1_001, 101);
    assert_eq!(fx.accept(short, 0), Err(Reject::MinRelayFee));
    assert_eq!(fx.accept(enough, 0), Ok(Accepted::default()));
    assert_eq!(fee_at_rate(100, 1_001), 101);
    assert_eq!(fee_at_rate(1, 1), 1);
    assert_eq!(fee_at_rate(0, 1_000), 0);
}

#[test]
fn mempool_min_fee_applies_after_the_min_relay_fee() {
    let mut fx = Fx::v30();
    fx.pool.rolling.min_sat_kvb = 5_000.0;
    // The minimum relay fee is checked first, so a tx below both reports it.
    let below_both = fx.tx(&[coin(1)], 1_000, 99);
    let below_min = fx.tx(&[coin(2)], 1_000, 4_999);
    let at_min = fx.tx(&[coin(3)], 1_000, 5_000);
    assert_eq!(fx.accept(below_both, 0), Err(Reject::MinRelayFee));
    assert_eq!(fx.accept(below_min, 0), Err(Reject::MempoolMinFee));
    assert_eq!(fx.accept(at_min, 0), Ok(Accepted::default()));
}

#[test]
fn unknown_or_unconfirmed_parent_makes_an_orphan() {
    let mut fx = Fx::v30();
    let parent = fx.tx(&[coin(1)], 200, 1_000);
    let child = fx.tx(&[out(parent, 0)], 200, 1_000);
    assert_eq!(fx.accept(child, 0), Err(Reject::MissingInputs));
    // Once the parent is known the child is accepted.
    assert_eq!(fx.accept(parent, 0), Ok(Accepted::default()));
    assert_eq!(fx.accept(child, 0), Ok(Accepted::default()));
    // An output index the parent does not have is missing too.
    let beyond = fx.tx(&[out(parent, 2)], 200, 1_000);
    assert_eq!(fx.accept(beyond, 0), Err(Reject::MissingInputs));
    assert_eq!(fx.pool.ancestor_totals(child), Some(Totals { count: 2, vsize: 400, fee: 2_000 }));
}

#[test]
fn confirmed_parent_output_is_available_until_spent_in_the_chain() {
    let mut fx = Fx::v30();
    let parent = fx.tx(&[coin(1)], 200, 1_000);
    fx.confirm(parent);
    let child = fx.tx(&[out(parent, 0)], 200, 1_000);
    assert_eq!(fx.accept(child, 0), Ok(Accepted::default()));
    // A confirmed parent is no mempool ancestor.
    assert_eq!(fx.pool.ancestor_totals(child), Some(Totals { count: 1, vsize: 200, fee: 1_000 }));

    let spender = fx.tx(&[out(parent, 1)], 200, 1_000);
    fx.confirm(spender);
    let double = fx.tx(&[out(parent, 1)], 200, 5_000);
    assert_eq!(fx.accept(double, 0), Err(Reject::InputsSpent));
}

#[test]
fn input_spent_in_the_chain_is_reported_before_a_missing_one() {
    let mut fx = Fx::v30();
    fx.chain.spent.insert(coin(7));
    let unknown = fx.tx(&[coin(9)], 200, 1_000);
    let tx = fx.tx(&[out(unknown, 0), coin(7)], 200, 1_000);
    assert_eq!(fx.accept(tx, 0), Err(Reject::InputsSpent));
    let only_spent = fx.tx(&[coin(7)], 200, 1_000);
    assert_eq!(fx.accept(only_spent, 0), Err(Reject::InputsSpent));
}

#[test]
fn duplicates_are_rejected() {
    let mut fx = Fx::v30();
    let tx = fx.submit(&[coin(1)], 200, 1_000);
    assert_eq!(fx.accept(tx, 5), Err(Reject::AlreadyInMempool));
    let confirmed = fx.tx(&[coin(2)], 200, 1_000);
    fx.confirm(confirmed);
    assert_eq!(fx.accept(confirmed, 5), Err(Reject::AlreadyConfirmed));
    assert_eq!(fx.contents(), vec![tx]);
}

#[test]
fn malformed_and_oversized_transactions_are_rejected() {
    let mut fx = Fx::v30();
    let no_inputs = fx.tx(&[], 200, 1_000);
    let no_outputs = fx.tx_full(&[coin(1)], 0, 200, 1_000, None);
    let twice = fx.tx(&[coin(2), coin(2)], 200, 1_000);
    let heavy = fx.tx(&[coin(3)], 100_001, 1_000_000);
    let heaviest_standard = fx.tx(&[coin(4)], 100_000, 1_000_000);
    assert_eq!(fx.accept(no_inputs, 0), Err(Reject::Invalid));
    assert_eq!(fx.accept(no_outputs, 0), Err(Reject::Invalid));
    assert_eq!(fx.accept(twice, 0), Err(Reject::Invalid));
    assert_eq!(fx.accept(heavy, 0), Err(Reject::NonStandard));
    assert_eq!(fx.accept(heaviest_standard, 0), Ok(Accepted::default()));
}

#[test]
fn accounting_follows_the_memory_model() {
    let mut fx = Fx::new(Policy { memory_per_vbyte: 2.5, ..Policy::core_v30() });
    let a = fx.submit(&[coin(1)], 201, 1_000);
    let b = fx.submit(&[out(a, 0)], 333, 1_000);
    assert_eq!(fx.pool.len(), 2);
    assert_eq!(fx.pool.total_vsize(), 534);
    // round(201 × 2.5) + round(333 × 2.5) = 503 + 833 (halves round away from zero).
    assert_eq!(fx.pool.usage_bytes(), 1_336);
    assert_eq!(fx.pool.spender(out(a, 0)), Some(b));
    assert_eq!(fx.pool.spender(out(a, 1)), None);
    assert_eq!(fx.pool.spender(coin(1)), Some(a));
    assert_eq!(fx.pool.descendant_totals(a), Some(Totals { count: 2, vsize: 534, fee: 2_000 }));
}

#[test]
fn core_reject_strings() {
    assert_eq!(Reject::MissingInputs.core_reason(), "bad-txns-inputs-missingorspent");
    assert_eq!(Reject::Rbf(RbfFailure::AddsUnconfirmed).core_reason(), "replacement-adds-unconfirmed");
    assert_eq!(Reject::Rbf(RbfFailure::InsufficientRelayFee).core_reason(), "insufficient fee");
    assert!(Reject::MempoolMinFee.is_reconsiderable());
    assert!(!Reject::MinRelayFee.is_reconsiderable());
}
