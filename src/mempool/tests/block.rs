//! Connected blocks and reorgs.

use super::*;

#[test]
fn remove_for_block_removes_included_txs_and_conflicts_with_descendants() {
    let mut fx = Fx::v30();
    let a = fx.submit(&[coin(1)], 200, 1_000);
    let a_child = fx.submit(&[out(a, 0)], 200, 1_000);
    let b = fx.submit(&[coin(2)], 200, 1_000);
    let b_child = fx.submit(&[out(b, 0)], 200, 1_000);
    let b_grandchild = fx.submit(&[out(b_child, 0)], 200, 1_000);
    let unrelated = fx.submit(&[coin(3)], 200, 1_000);
    // The block confirms `a` and a double spend of `b`'s coin that this mempool never saw.
    let double_spend = fx.tx(&[coin(2)], 200, 500);
    fx.confirm(a);
    fx.confirm(double_spend);
    let conflicts = fx.pool.remove_for_block(&fx.arena, &[a, double_spend], at(600));
    fx.pool.check_consistency(&fx.arena);
    assert_eq!(conflicts, vec![b, b_child, b_grandchild]);
    assert_eq!(fx.contents(), vec![a_child, unrelated]);
    // The child of the confirmed transaction lost it from its ancestors.
    assert_eq!(fx.pool.ancestor_totals(a_child), Some(Totals { count: 1, vsize: 200, fee: 1_000 }));
    assert_eq!(fx.pool.rolling.last_update_s, 600);
    assert!(fx.pool.rolling.block_since_bump);
}

/// Disconnects `txs` from the test chain (the block that confirmed them).
fn unconfirm(fx: &mut Fx, txs: &[TxId]) {
    for &tx in txs {
        fx.chain.confirmed.remove(&tx);
        for input in fx.arena.get(tx).inputs.iter() {
            fx.chain.spent.remove(input);
        }
    }
}

#[test]
fn reorg_readds_without_fee_floors_and_links_old_descendants() {
    let mut fx = Fx::v30();
    // A block confirmed a zero-fee parent and a low-fee child; a mempool tx spends the child.
    let parent = fx.tx(&[coin(1)], 200, 0);
    let child = fx.tx(&[out(parent, 0)], 200, 10);
    fx.confirm(parent);
    fx.confirm(child);
    let spender = fx.submit(&[out(child, 0)], 200, 1_000);
    unconfirm(&mut fx, &[parent, child]);
    let removed = fx.pool.readd_after_reorg(&fx.arena, &[parent, child], at(900), &fx.chain);
    fx.pool.check_consistency(&fx.arena);
    assert_eq!(removed, vec![]);
    assert_eq!(fx.contents(), vec![parent, child, spender]);
    assert_eq!(fx.pool.ancestor_totals(spender), Some(Totals { count: 3, vsize: 600, fee: 1_010 }));
    assert_eq!(fx.pool.descendant_totals(parent), Some(Totals { count: 3, vsize: 600, fee: 1_010 }));
}

#[test]
fn reorg_drops_txs_whose_inputs_the_new_chain_spent() {
    let mut fx = Fx::v30();
    let old = fx.tx(&[coin(1)], 200, 1_000);
    let also_in_new = fx.tx(&[coin(2)], 200, 1_000);
    fx.confirm(old);
    fx.confirm(also_in_new);
    let old_child = fx.submit(&[out(old, 0)], 200, 1_000);
    let old_grandchild = fx.submit(&[out(old_child, 0)], 200, 1_000);
    let kept_child = fx.submit(&[out(also_in_new, 0)], 200, 1_000);
    // The new chain confirms a double spend of `old`'s coin, and `also_in_new` again.
    unconfirm(&mut fx, &[old, also_in_new]);
    let double_spend = fx.tx(&[coin(1)], 200, 2_000);
    fx.confirm(double_spend);
    fx.confirm(also_in_new);
    let conflicts = fx.pool.remove_for_block(&fx.arena, &[double_spend, also_in_new], at(700));
    assert_eq!(conflicts, vec![]);
    let removed = fx.pool.readd_after_reorg(&fx.arena, &[old, also_in_new], at(700), &fx.chain);
    fx.pool.check_consistency(&fx.arena);
    assert_eq!(removed, removals(&[old_child, old_grandchild], RemovalReason::Reorg));
    assert_eq!(fx.contents(), vec![kept_child]);
}

#[test]
fn reorg_enforces_the_ancestor_limits_on_readded_chains() {
    let mut fx = Fx::v30();
    let mut chain = vec![fx.tx(&[coin(1)], 200, 1_000)];
    for _ in 1..30 {
        let last = *chain.last().unwrap();
        chain.push(fx.tx(&[out(last, 0)], 200, 1_000));
    }
    let removed = fx.pool.readd_after_reorg(&fx.arena, &chain, at(50), &fx.chain);
    fx.pool.check_consistency(&fx.arena);
    assert_eq!(removed, vec![]);
    assert_eq!(fx.contents(), chain[..25].to_vec());
}

#[test]
fn reorg_removes_old_descendants_pushed_over_the_ancestor_limit() {
    let mut fx = Fx::v30();
    let mut block = vec![fx.tx(&[coin(1)], 200, 1_000)];
    for _ in 1..20 {
        let last = *block.last().unwrap();
        block.push(fx.tx(&[out(last, 0)], 200, 1_000));
    }
    for &tx in &block {
        fx.confirm(tx);
    }
    let mut descendants = vec![fx.submit(&[out(block[19], 0)], 200, 1_000)];
    for _ in 1..10 {
        let last = *descendants.last().unwrap();
        descendants.push(fx.submit(&[out(last, 0)], 200, 1_000));
    }
    unconfirm(&mut fx, &block);
    let removed = fx.pool.readd_after_reorg(&fx.arena, &block, at(50), &fx.chain);
    fx.pool.check_consistency(&fx.arena);
    // The sixth old descendant would have 26 ancestors (itself included): it leaves with the rest.
    assert_eq!(removed, removals(&descendants[5..], RemovalReason::SizeLimit));
    assert_eq!(fx.pool.len(), 25);
}

#[test]
fn reorg_caps_the_disconnected_queue_dropping_the_newest() {
    let mut fx = Fx::new(Policy { max_disconnected_pool_bytes: 1_000, ..Policy::core_v30() });
    // 400 vB use 800 bytes each at 2 bytes per vbyte: only the oldest fits the cap.
    let oldest = fx.tx(&[coin(1)], 400, 1_000);
    let newest = fx.tx(&[coin(2)], 400, 1_000);
    fx.confirm(newest);
    let child_of_newest = fx.submit(&[out(newest, 0)], 200, 1_000);
    unconfirm(&mut fx, &[newest]);
    let removed = fx.pool.readd_after_reorg(&fx.arena, &[oldest, newest], at(50), &fx.chain);
    fx.pool.check_consistency(&fx.arena);
    assert_eq!(removed, removals(&[child_of_newest], RemovalReason::Reorg));
    assert_eq!(fx.contents(), vec![oldest]);
}
