//! Criterion benches for the mempool operations a simulation repeats: accepting
//! transactions, removing a connected block's transactions, and building a block
//! template, on a synthetic workload shaped like the simulator's (mostly independent
//! transactions, some chains and CPFP children, a spread of fee rates).
//!
//! Run with `cargo bench --bench mempool`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use powsim::mempool::{ChainView, Input, Mempool, Policy, Tx, TxArena, TxId};
use powsim::net::NodeId;
use powsim::sim::{SimRng, SimTime};
use std::collections::BTreeSet;
use std::hint::black_box;

/// Transactions in the filled mempool.
const POOL_TXS: usize = 10_000;
/// Transactions in the benchmarked block.
const BLOCK_TXS: usize = 3_000;
/// A block template large enough for every entry.
const HUGE_BLOCK_WEIGHT: u64 = 400_000_000;

/// An active chain that confirms nothing: every input is a fresh coin or a mempool output.
struct EmptyChain;

impl ChainView for EmptyChain {
    fn confirmed(&self, _: TxId) -> bool {
        false
    }

    fn spent(&self, _: Input) -> bool {
        false
    }
}

/// An active chain holding one block.
struct OneBlock {
    confirmed: Vec<bool>,
    spent: BTreeSet<Input>,
}

impl OneBlock {
    fn new(arena: &TxArena, block: &[TxId]) -> OneBlock {
        let mut confirmed = vec![false; arena.len()];
        let mut spent = BTreeSet::new();
        for &tx in block {
            confirmed[tx.index()] = true;
            spent.extend(arena.get(tx).inputs.iter().copied());
        }
        OneBlock { confirmed, spent }
    }
}

impl ChainView for OneBlock {
    fn confirmed(&self, tx: TxId) -> bool {
        self.confirmed[tx.index()]
    }

    fn spent(&self, input: Input) -> bool {
        self.spent.contains(&input)
    }
}

/// `n` transactions: four in five spend a fresh coin, the rest spend an output of one of
/// the previous 200 transactions (chains and CPFP children). Fee rates spread over
/// 1–50 sat/vB; sizes over 150–550 vB. Arrivals are 0.2 s apart.
fn workload(n: usize) -> TxArena {
    let mut rng = SimRng::from_seed_u64(42);
    let mut arena = TxArena::new();
    for i in 0..n {
        // Coin numbers are the transaction's index, so every coin is fresh.
        let mut inputs = vec![Input::Coin(i as u64)];
        if i > 0 && rng.chance(0.2) {
            let parent = i - 1 - rng.index(i.min(200));
            inputs[0] = Input::Out { tx: TxId(parent as u32), vout: rng.below(2) as u16 };
        }
        let vsize = 150 + rng.below(400) as u32;
        let mut txid = [0u8; 32];
        for chunk in txid.chunks_mut(8) {
            chunk.copy_from_slice(&rng.u64().to_le_bytes());
        }
        arena.push(Tx {
            txid,
            wtxid: txid,
            inputs: inputs.into(),
            outputs: 2,
            weight: vsize * 4,
            fee_sat: u64::from(vsize) * (1 + rng.below(50)),
            created: arrival(i),
            origin: NodeId(0),
            replaces: None,
        });
    }
    arena
}

fn arrival(i: usize) -> SimTime {
    SimTime(i as u64 * 200_000_000)
}

/// A v30 mempool that was offered the first `n` transactions of `arena` in order.
fn filled(arena: &TxArena, n: usize) -> Mempool {
    let mut pool = Mempool::new(Policy::core_v30());
    for i in 0..n {
        // A transaction whose parent's output is spent already is rejected; that is part of
        // the workload.
        let _ = pool.accept(arena, TxId(i as u32), arrival(i), &EmptyChain);
    }
    pool
}

fn mempool(c: &mut Criterion) {
    // The pool holds the first POOL_TXS transactions; the rest arrive after the block.
    let arena = workload(POOL_TXS + BLOCK_TXS);
    let pool = filled(&arena, POOL_TXS);
    // A block's transactions: the best 3,000 of the template, parents before children.
    let block: Vec<TxId> = pool.template(&arena, HUGE_BLOCK_WEIGHT).txs[..BLOCK_TXS].to_vec();
    let chain = OneBlock::new(&arena, &block);
    let mut g = c.benchmark_group("mempool");
    g.bench_function("accept_10k", |b| b.iter(|| black_box(filled(&arena, POOL_TXS).len())));
    g.bench_function("remove_block_3k_of_10k", |b| {
        b.iter_batched_ref(
            || pool.clone(),
            |p| black_box(p.remove_for_block(&arena, &block, arrival(POOL_TXS)).len()),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("template_10k", |b| {
        b.iter(|| black_box(pool.template(&arena, HUGE_BLOCK_WEIGHT).txs.len()))
    });
    g.bench_function("template_4mwu_of_10k", |b| {
        b.iter(|| black_box(pool.template(&arena, 4_000_000).txs.len()))
    });
    // One block interval in steady state: the block leaves, then 3,000 new transactions
    // arrive into the slots it freed.
    g.bench_function("block_then_accept_3k", |b| {
        b.iter_batched_ref(
            || pool.clone(),
            |p| {
                p.remove_for_block(&arena, &block, arrival(POOL_TXS));
                for i in POOL_TXS..POOL_TXS + BLOCK_TXS {
                    let _ = p.accept(&arena, TxId(i as u32), arrival(i), &chain);
                }
                black_box(p.len())
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, mempool);
criterion_main!(benches);
