//! Block templates: ancestor-score order, packages, the modified set, the minimum fee rate
//! stop and the weight limit.

use super::*;

const MAX_WEIGHT: u64 = 4_000_000;

#[test]
fn a_cpfp_package_beats_a_higher_single_feerate() {
    let mut fx = Fx::v30();
    let parent = fx.submit(&[coin(1)], 1_000, 1_000);
    let child = fx.submit(&[out(parent, 0)], 1_000, 9_000);
    let single = fx.submit(&[coin(2)], 1_000, 4_000);
    // The child's ancestor score is min(9, 10,000 / 2,000) = 5 sat/vB, above the single's 4.
    let template = fx.pool.template(&fx.arena, MAX_WEIGHT);
    assert_eq!(
        template,
        Template { txs: vec![parent, child, single], weight: 12_000, fees_sat: 14_000, vsize: 3_000 }
    );
}

#[test]
fn descendants_of_added_packages_are_rescored() {
    let mut fx = Fx::v30();
    let parent = fx.submit(&[coin(1)], 1_000, 1_000);
    let rich_child = fx.submit(&[out(parent, 0)], 1_000, 9_000);
    // Ancestor score 4,000 / 2,000 = 2 while the parent is out; 3 once it is in the block.
    let poor_child = fx.submit(&[out(parent, 1)], 1_000, 3_000);
    let single = fx.submit(&[coin(2)], 1_000, 2_500);
    let template = fx.pool.template(&fx.arena, MAX_WEIGHT);
    assert_eq!(template.txs, vec![parent, rich_child, poor_child, single]);
}

#[test]
fn ancestor_score_is_the_lower_of_own_and_ancestor_feerates() {
    let mut fx = Fx::v30();
    let rich_parent = fx.submit(&[coin(1)], 1_000, 10_000);
    // Own rate 3, ancestor rate 6.5: scored 3, below the single at 4.
    let child = fx.submit(&[out(rich_parent, 0)], 1_000, 3_000);
    let single = fx.submit(&[coin(2)], 1_000, 4_000);
    let low = fx.submit(&[coin(3)], 1_000, 2_000);
    let template = fx.pool.template(&fx.arena, MAX_WEIGHT);
    assert_eq!(template.txs, vec![rich_parent, single, child, low]);
}

#[test]
fn equal_scores_go_lower_txid_first() {
    let mut fx = Fx::v30();
    let a = fx.tx_full(&[coin(1)], 2, 1_000, 2_000, Some(txid(30)));
    let b = fx.tx_full(&[coin(2)], 2, 500, 1_000, Some(txid(10)));
    let c = fx.tx_full(&[coin(3)], 2, 1_000, 2_000, Some(txid(20)));
    for tx in [a, b, c] {
        assert!(fx.accept(tx, 0).is_ok());
    }
    assert_eq!(fx.pool.template(&fx.arena, MAX_WEIGHT).txs, vec![b, c, a]);
}

#[test]
fn packages_are_added_parents_first() {
    let mut fx = Fx::v30();
    let p1 = fx.tx_full(&[coin(1)], 2, 200, 200, Some(txid(9)));
    let p2 = fx.tx_full(&[coin(2)], 2, 200, 200, Some(txid(5)));
    let child = fx.tx_full(&[out(p1, 0), out(p2, 0)], 2, 200, 20_000, Some(txid(0)));
    let grandchild = fx.tx_full(&[out(child, 0)], 2, 200, 200_000, Some(txid(1)));
    for tx in [p1, p2, child, grandchild] {
        assert!(fx.accept(tx, 0).is_ok());
    }
    // One package of four, sorted by ancestor count, then txid.
    assert_eq!(fx.pool.template(&fx.arena, MAX_WEIGHT).txs, vec![p2, p1, child, grandchild]);
}

#[test]
fn block_min_feerate_stops_selection() {
    let mut fx = Fx::new(Policy { block_min_feerate_sat_kvb: 2_000, ..Policy::core_v30() });
    let high = fx.submit(&[coin(1)], 1_000, 3_000);
    let exact = fx.submit(&[coin(2)], 1_000, 2_000);
    fx.submit(&[coin(3)], 1_000, 1_999);
    fx.submit(&[coin(4)], 500, 999);
    assert_eq!(fx.pool.template(&fx.arena, MAX_WEIGHT).txs, vec![high, exact]);
}

#[test]
fn v30_block_min_feerate_excludes_only_zero_fee_packages() {
    let mut fx = Fx::v30();
    // A zero-fee transaction can only enter through a reorg (no fee floors).
    let zero = fx.tx(&[coin(1)], 1_000, 0);
    let removed = fx.pool.readd_after_reorg(&fx.arena, &[zero], at(0), &fx.chain);
    assert!(removed.is_empty());
    let paying = fx.submit(&[coin(2)], 1_000, 100);
    assert_eq!(fx.pool.template(&fx.arena, MAX_WEIGHT).txs, vec![paying]);
    // 1 sat/kvB asks 1 sat of any package up to 1,000 vB.
    assert_eq!(fee_at_rate(Policy::core_v30().block_min_feerate_sat_kvb, 1_000), 1);
}

#[test]
fn weight_limit_counts_reserved_weight_and_rejects_reaching_it() {
    let build = |max_weight: u64| {
        let mut fx = Fx::v30();
        let txs: Vec<TxId> = (0..3).map(|i| fx.submit(&[coin(i)], 1_000, 3_000 - i * 100)).collect();
        (fx.pool.template(&fx.arena, max_weight), txs)
    };
    // 8,000 reserved + 4,000 per transaction: the third would reach 20,000 exactly.
    let (template, txs) = build(20_000);
    assert_eq!(template, Template { txs: txs[..2].to_vec(), weight: 8_000, fees_sat: 5_900, vsize: 2_000 });
    let (template, txs) = build(16_001);
    assert_eq!(template.txs, txs[..2].to_vec());
    let (template, txs) = build(16_000);
    assert_eq!(template.txs, txs[..1].to_vec());
}

/// A 1,000 vB transaction at 10 sat/vB, `bigs` transactions of 1,300 vB at 5 sat/vB, and a
/// 100 vB one at 1 sat/vB; returns the template's transactions and the small one.
fn full_block(policy: Policy, bigs: u64, max_weight: u64) -> (Vec<TxId>, TxId) {
    let mut fx = Fx::new(policy);
    fx.submit(&[coin(0)], 1_000, 10_000);
    for i in 0..bigs {
        fx.submit(&[coin(1 + i)], 1_300, 6_500);
    }
    let small = fx.submit(&[coin(1 + bigs)], 100, 100);
    (fx.pool.template(&fx.arena, max_weight).txs, small)
}

#[test]
fn gives_up_after_1000_consecutive_failures_when_nearly_full() {
    // After the first transaction the block weighs 12,000 > 15,000 - 4,000.
    let (txs, small) = full_block(Policy::core_v30(), 1_001, 15_000);
    assert!(!txs.contains(&small));
    assert_eq!(txs.len(), 1);
    let (txs, small) = full_block(Policy::core_v30(), 1_000, 15_000);
    assert_eq!(txs.len(), 2);
    assert!(txs.contains(&small));
    // Not full enough: 12,000 <= 17,000 - 4,000, so selection goes on.
    let (txs, small) = full_block(Policy::core_v30(), 1_001, 17_000);
    assert!(txs.contains(&small));
    // v29 measured "full enough" with the reserved weight (8,000): it gives up here.
    let (txs, small) = full_block(Policy::core_v29(), 1_001, 17_000);
    assert!(!txs.contains(&small));
}

#[test]
fn an_empty_mempool_gives_an_empty_template() {
    let fx = Fx::v30();
    assert_eq!(fx.pool.template(&fx.arena, MAX_WEIGHT), Template::default());
}

#[test]
fn rates_equal_once_rounded_are_still_ordered_exactly() {
    let mut fx = Fx::v30();
    // 999,989,900,002 / 99,999 exceeds 999,999,900,001 / 100,000 by 1 / (99,999 × 100,000),
    // less than half an f64 step at 10^7 sat/vB, so only the exact comparison tells them
    // apart; the lower txid must not decide.
    let lower = fx.tx_full(&[coin(1)], 2, 100_000, 999_999_900_001, Some(txid(1)));
    let higher = fx.tx_full(&[coin(2)], 2, 99_999, 999_989_900_002, Some(txid(2)));
    for tx in [lower, higher] {
        assert!(fx.accept(tx, 0).is_ok());
    }
    assert_eq!(fx.pool.template(&fx.arena, MAX_WEIGHT).txs, vec![higher, lower]);
}

#[test]
fn equal_scores_compare_whole_txids_then_ids() {
    let mut fx = Fx::v30();
    let with_last = |n: u32, last: u8| {
        let mut id = txid(n);
        id[31] = last;
        id
    };
    // Four transactions share their first eight txid bytes; two share the whole txid.
    let a = fx.tx_full(&[coin(1)], 2, 1_000, 2_000, Some(with_last(7, 2)));
    let b = fx.tx_full(&[coin(2)], 2, 1_000, 2_000, Some(with_last(7, 1)));
    let twin = fx.tx_full(&[coin(3)], 2, 500, 1_000, Some(with_last(7, 2)));
    let c = fx.tx_full(&[coin(4)], 2, 1_000, 2_000, Some(txid(8)));
    let d = fx.tx_full(&[coin(5)], 2, 1_000, 2_000, Some(txid(6)));
    for tx in [a, b, twin, c, d] {
        assert!(fx.accept(tx, 0).is_ok());
    }
    assert_eq!(fx.pool.template(&fx.arena, MAX_WEIGHT).txs, vec![d, b, a, twin, c]);
}

#[test]
fn a_large_template_follows_the_exact_ancestor_score_order() {
    let mut fx = Fx::v30();
    let mut rng = crate::sim::SimRng::from_seed_u64(3);
    // More candidates than the first chunk of the lazy sort, with long runs of equal fee
    // rates (some from different fee and size pairs) and txids that often share their
    // first eight bytes, so chunk boundaries fall inside runs that need the exact order.
    let mut txs = Vec::new();
    for n in 0..6_000u64 {
        let vsize = [200u32, 400, 1_000][rng.index(3)];
        let fee = u64::from(vsize) * (1 + rng.below(4));
        let mut id = txid(rng.below(64) as u32);
        id[31] = rng.below(256) as u8;
        let tx = fx.tx_full(&[coin(n)], 1, vsize, fee, Some(id));
        assert!(fx.pool.accept(&fx.arena, tx, at(0), &fx.chain).is_ok());
        txs.push(tx);
    }
    let arena = &fx.arena;
    txs.sort_by(|&a, &b| {
        let (ta, tb) = (arena.get(a), arena.get(b));
        (u128::from(tb.fee_sat) * u128::from(ta.vsize()))
            .cmp(&(u128::from(ta.fee_sat) * u128::from(tb.vsize())))
            .then_with(|| ta.txid.cmp(&tb.txid))
            .then_with(|| a.cmp(&b))
    });
    assert_eq!(fx.pool.template(&fx.arena, 100_000_000).txs, txs);
}
