//! Ancestor and descendant limits (25 transactions, 101,000 vB) and Core's CPFP and RBF
//! carve-outs.

use super::*;

#[test]
fn a_chain_of_25_is_allowed_and_the_26th_rejected() {
    let mut fx = Fx::v30();
    let mut last = fx.submit(&[coin(1)], 200, 1_000);
    for _ in 1..25 {
        last = fx.submit(&[out(last, 0)], 200, 1_000);
    }
    assert_eq!(fx.pool.ancestor_totals(last).map(|t| t.count), Some(25));
    let tx26 = fx.tx(&[out(last, 0)], 200, 1_000);
    assert_eq!(fx.accept(tx26, 0), Err(Reject::TooLongMempoolChain));
    assert_eq!(fx.pool.len(), 25);
}

#[test]
fn ancestor_count_counts_every_parent() {
    let mut fx = Fx::v30();
    let parents: Vec<TxId> = (0..25).map(|i| fx.submit(&[coin(i)], 200, 1_000)).collect();
    let inputs: Vec<Input> = parents.iter().map(|&p| out(p, 0)).collect();
    let too_many = fx.tx(&inputs, 2_000, 10_000);
    assert_eq!(fx.accept(too_many, 0), Err(Reject::TooLongMempoolChain));
    let just_enough = fx.tx(&inputs[..24], 2_000, 10_000);
    assert_eq!(fx.accept(just_enough, 0), Ok(Accepted::default()));
    assert_eq!(fx.pool.ancestor_totals(just_enough).map(|t| t.count), Some(25));
}

#[test]
fn ancestor_size_limit_is_101_000_vb() {
    let mut fx = Fx::v30();
    let p1 = fx.submit(&[coin(1)], 50_000, 5_000);
    let p2 = fx.submit(&[coin(2)], 50_000, 5_000);
    let over = fx.tx(&[out(p1, 0), out(p2, 0)], 1_001, 1_000);
    assert_eq!(fx.accept(over, 0), Err(Reject::TooLongMempoolChain));
    let exact = fx.tx(&[out(p1, 0), out(p2, 0)], 1_000, 1_000);
    assert_eq!(fx.accept(exact, 0), Ok(Accepted::default()));
    assert_eq!(fx.pool.ancestor_totals(exact).map(|t| t.vsize), Some(101_000));
}

/// A parent with 24 children: its descendant count is at the limit of 25.
fn parent_with_24_children(fx: &mut Fx) -> TxId {
    let parent = fx.tx_full(&[coin(1)], 40, 200, 1_000, None);
    assert_eq!(fx.accept(parent, 0), Ok(Accepted::default()));
    for vout in 0..24 {
        fx.submit(&[out(parent, vout)], 200, 1_000);
    }
    assert_eq!(fx.pool.descendant_totals(parent).map(|t| t.count), Some(25));
    parent
}

#[test]
fn descendant_count_limit_with_cpfp_carve_out() {
    let mut fx = Fx::v30();
    let parent = parent_with_24_children(&mut fx);
    // The 25th child has a single unconfirmed ancestor and is small: the carve-out lets it in.
    let carve_out = fx.tx(&[out(parent, 24)], 10_000, 10_000);
    assert_eq!(fx.accept(carve_out, 0), Ok(Accepted::default()));
    assert_eq!(fx.pool.descendant_totals(parent).map(|t| t.count), Some(26));
    // Only one extra slot.
    let another = fx.tx(&[out(parent, 25)], 200, 1_000);
    assert_eq!(fx.accept(another, 0), Err(Reject::TooLongMempoolChain));
}

#[test]
fn cpfp_carve_out_needs_a_small_tx_with_one_ancestor() {
    let mut fx = Fx::v30();
    let parent = parent_with_24_children(&mut fx);
    let big = fx.tx(&[out(parent, 24)], 10_001, 10_001);
    assert_eq!(fx.accept(big, 0), Err(Reject::TooLongMempoolChain));
    // A grandchild has two unconfirmed ancestors.
    let child = fx.pool.spender(out(parent, 0)).unwrap();
    let grandchild = fx.tx(&[out(child, 0)], 200, 1_000);
    assert_eq!(fx.accept(grandchild, 0), Err(Reject::TooLongMempoolChain));
}

#[test]
fn descendant_size_limit_with_cpfp_carve_out() {
    let mut fx = Fx::v30();
    let parent = fx.submit(&[coin(1)], 1_000, 1_000);
    fx.submit(&[out(parent, 0)], 100_000, 10_000);
    assert_eq!(fx.pool.descendant_totals(parent).map(|t| t.vsize), Some(101_000));
    // Beyond 101,000 vB only the carve-out's extra 10,000 vB remain.
    let too_big = fx.tx(&[out(parent, 1)], 10_001, 10_000);
    assert_eq!(fx.accept(too_big, 0), Err(Reject::TooLongMempoolChain));
    let fits = fx.tx(&[out(parent, 1)], 10_000, 10_000);
    assert_eq!(fx.accept(fits, 0), Ok(Accepted::default()));
    assert_eq!(fx.pool.descendant_totals(parent).map(|t| t.vsize), Some(111_000));
}

#[test]
fn rbf_carve_out_counts_the_single_conflict_as_leaving() {
    let mut fx = Fx::v30();
    let parent = parent_with_24_children(&mut fx);
    let last_child = fx.pool.spender(out(parent, 23)).unwrap();
    let second_last = fx.pool.spender(out(parent, 22)).unwrap();
    // Too big for the CPFP carve-out, and conflicting with two children: no carve-out applies.
    let two_conflicts = fx.tx(&[out(parent, 22), out(parent, 23)], 11_000, 110_000);
    assert_eq!(fx.accept(two_conflicts, 0), Err(Reject::TooLongMempoolChain));
    // Conflicting with exactly one child: the descendant limits make room for it.
    let one_conflict = fx.tx(&[out(parent, 23)], 11_000, 110_000);
    assert_eq!(
        fx.accept(one_conflict, 0),
        Ok(Accepted { removed: removals(&[last_child], RemovalReason::Replaced) })
    );
    assert!(fx.pool.contains(second_last));
    assert_eq!(fx.pool.descendant_totals(parent).map(|t| t.count), Some(25));
}
