//! Criterion benches for the engine's hot paths: the event queue under a
//! simulation-like load, and block propagation on a 1,000-node network.
//!
//! Run with `cargo bench --bench engine`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use powsim::scenario;
use powsim::sim::{EventQueue, SimRng, SimTime};
use powsim::world::simulate;
use std::hint::black_box;
use std::path::Path;

/// The "hold" model: a queue kept at `size` events; each step pops the
/// earliest and schedules one at a random delay, mostly sub-second like
/// message arrivals, sometimes far ahead like the mining clock.
fn hold(size: usize, steps: usize) -> u64 {
    let mut rng = SimRng::from_seed_u64(1);
    let mut q = EventQueue::new();
    for i in 0..size {
        q.schedule(SimTime(rng.below(1_000_000_000)), i as u32);
    }
    let mut acc = 0u64;
    for _ in 0..steps {
        let (t, e) = q.pop().expect("queue is kept full");
        acc = acc.wrapping_add(u64::from(e));
        let delay = if rng.chance(0.01) { 600_000_000_000 } else { rng.below(500_000_000) };
        q.schedule(SimTime(t.0 + delay), e);
    }
    acc
}

fn event_queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    for size in [1_000usize, 100_000] {
        g.bench_function(format!("hold_{size}_x_1M"), |b| b.iter(|| black_box(hold(size, 1_000_000))));
    }
    g.finish();
}

const PROPAGATION: &str = r#"
name = "bench-propagation"
[stop]
blocks = 10
[network]
nodes = 1000
preset = "bitcoin-2019"
topology = "bitcoin-core"
[relay]
protocol = "compact"
[mining]
pools = "bitcoin-2015"
"#;

fn block_propagation(c: &mut Criterion) {
    let mut g = c.benchmark_group("block_propagation");
    g.sample_size(10);
    for protocol in ["compact", "legacy"] {
        let set = vec![format!("relay.protocol={protocol}")];
        let config =
            scenario::parse_str(PROPAGATION, Path::new("bench.toml"), &set).expect("valid bench scenario");
        g.bench_function(format!("1000_nodes_10_blocks_{protocol}"), |b| {
            b.iter_batched(
                || config.clone(),
                |c| black_box(simulate(&c, 1, |_, _| {}).expect("builds").stats.events),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, event_queue, block_propagation);
criterion_main!(benches);
