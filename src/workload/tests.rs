//! Unit tests of the workload: arrival counts against the rate's integral,
//! the rate function, the distributions, chains, double spends, RBF and
//! CPFP bumps, determinism and the bound on the pending list. Statistical
//! checks use fixed seeds and allow four standard errors.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::sample::Sampler;
use super::*;
use crate::scenario::{Distribution, RateSchedule, Surge, TxRelayMode};

fn config() -> TransactionsConfig {
    TransactionsConfig {
        rate_per_s: 5.0,
        schedule: RateSchedule::Constant,
        surges: Vec::new(),
        feerate_sat_vb: Distribution::Lognormal { median: 5.0, sigma: 1.0 },
        vsize_vb: Distribution::Lognormal { median: 250.0, sigma: 0.6 },
        chain_share: 0.0,
        cpfp_share: 0.0,
        rbf_share: 0.0,
        stuck_after_blocks: 3,
        fee_bump: 2.0,
        double_spend_share: 0.0,
        relay: TxRelayMode::Fast { observers: 50 },
        max_tx_rows: 1_000_000,
    }
}

fn workload(config: &TransactionsConfig, seed: u64) -> Workload {
    Workload::new(config, SimRng::from_seed_u64(seed), 100)
}

fn secs(s: f64) -> SimTime {
    SimTime((s * 1e9).round() as u64)
}

fn never(_: TxId) -> bool {
    false
}

/// Arrival times (seconds) in [0, horizon).
fn arrivals(config: &TransactionsConfig, seed: u64, horizon: f64) -> Vec<f64> {
    let mut w = workload(config, seed);
    let mut times = Vec::new();
    let mut now = SimTime::ZERO;
    while let Some(next) = w.next_arrival(now) {
        assert!(next > now, "arrivals are strictly after now");
        if next.as_secs_f64() >= horizon {
            break;
        }
        times.push(next.as_secs_f64());
        now = next;
    }
    times
}

/// Asserts that a Poisson count is within four standard errors of `expected`.
fn assert_poisson(count: usize, expected: f64, what: &str) {
    let z = (count as f64 - expected) / expected.sqrt();
    assert!(z.abs() < 4.0, "{what}: {count} arrivals, expected {expected} (z = {z:.2})");
}

#[test]
fn constant_rate_arrivals_match_rate_times_time() {
    let times = arrivals(&config(), 1, 200_000.0);
    assert_poisson(times.len(), 5.0 * 200_000.0, "constant");
}

#[test]
fn daily_rate_arrivals_follow_the_cosine() {
    let mut c = config();
    c.rate_per_s = 2.0;
    c.schedule = RateSchedule::Daily { amplitude: 0.5, peak_hour: 15.0 };
    let days = 10.0;
    let times = arrivals(&c, 2, days * 86_400.0);
    assert_poisson(times.len(), 2.0 * days * 86_400.0, "daily total");
    // The hour centred on the peak and the hour centred on the trough:
    // the integral of 1 + a cos over +-1800 s is 3600 +- a * 86400 / pi * sin(pi / 24).
    let wave = 0.5 * 86_400.0 / std::f64::consts::PI * (std::f64::consts::PI / 24.0).sin();
    let in_hour = |centre_h: f64| {
        times.iter().filter(|&&t| ((t / 3600.0 - centre_h).rem_euclid(24.0) - 12.0).abs() >= 11.5).count()
    };
    assert_poisson(in_hour(15.0), 2.0 * days * (3600.0 + wave), "peak hour");
    assert_poisson(in_hour(3.0), 2.0 * days * (3600.0 - wave), "trough hour");
}

#[test]
fn overlapping_surges_multiply_the_rate() {
    let mut c = config();
    c.rate_per_s = 1.0;
    c.surges = vec![
        Surge { start_s: 10_000.0, duration_s: 50_000.0, multiplier: 4.0 },
        Surge { start_s: 30_000.0, duration_s: 40_000.0, multiplier: 0.5 },
    ];
    let times = arrivals(&c, 3, 100_000.0);
    let total = 10_000.0 + 4.0 * 20_000.0 + 2.0 * 30_000.0 + 0.5 * 10_000.0 + 30_000.0;
    assert_poisson(times.len(), total, "surge total");
    let between = |a: f64, b: f64| times.iter().filter(|&&t| a <= t && t < b).count();
    assert_poisson(between(10_000.0, 30_000.0), 80_000.0, "first surge alone");
    assert_poisson(between(60_000.0, 70_000.0), 5_000.0, "second surge alone");
    assert_poisson(between(70_000.0, 100_000.0), 30_000.0, "after the surges");
}

#[test]
fn rate_at_is_schedule_times_surges() {
    let mut c = config();
    c.rate_per_s = 4.0;
    assert_eq!(workload(&c, 1).rate_at(secs(123.0)), 4.0);
    c.schedule = RateSchedule::Daily { amplitude: 0.25, peak_hour: 15.0 };
    c.surges = vec![Surge { start_s: 86_400.0, duration_s: 3_600.0, multiplier: 3.0 }];
    let w = workload(&c, 1);
    assert_eq!(w.rate_at(secs(15.0 * 3600.0)), 5.0);
    assert_eq!(w.rate_at(secs(3.0 * 3600.0)), 3.0);
    assert!((w.rate_at(secs(21.0 * 3600.0)) - 4.0).abs() < 1e-12);
    assert!(
        (w.rate_at(secs(86_400.0)) - 3.0 * 4.0 * (1.0 + 0.25 * (-std::f64::consts::TAU * 15.0 / 24.0).cos()))
            .abs()
            < 1e-12
    );
    assert!((w.rate_at(secs(90_000.0)) - w.rate_at(secs(3_600.0))).abs() < 1e-12, "the surge has ended");
    assert_eq!(w.peak_rate(), 4.0 * 1.25 * 3.0);
    assert_eq!(peak_rate(&c), 15.0);
}

#[test]
fn zero_rate_has_no_arrivals() {
    let mut c = config();
    c.rate_per_s = 0.0;
    assert_eq!(workload(&c, 1).next_arrival(SimTime::ZERO), None);
    c.rate_per_s = 1.0;
    c.surges = vec![Surge { start_s: 0.0, duration_s: 10.0, multiplier: 0.0 }];
    let next = workload(&c, 1).next_arrival(SimTime::ZERO).expect("arrivals after the lull");
    assert!(next >= secs(10.0), "{next}");
}

fn sample_median(sampler: &Sampler, seed: u64, n: usize) -> f64 {
    let mut rng = SimRng::from_seed_u64(seed);
    let mut draws: Vec<f64> = (0..n).map(|_| sampler.draw(&mut rng)).collect();
    draws.sort_by(f64::total_cmp);
    draws[n / 2]
}

#[test]
fn distributions_have_the_configured_medians() {
    let lognormal = Sampler::new(&Distribution::Lognormal { median: 5.0, sigma: 1.0 });
    let median = sample_median(&lognormal, 4, 100_001);
    assert!((median / 5.0 - 1.0).abs() < 0.02, "{median}");
    assert_eq!(sample_median(&Sampler::new(&Distribution::Fixed { value: 7.5 }), 4, 11), 7.5);
    let bins = vec![(1.0, 2.0, 1.0), (2.0, 4.0, 3.0), (10.0, 20.0, 4.0)];
    let empirical = Sampler::new(&Distribution::Empirical { path: PathBuf::from("f.csv"), bins });
    let mut rng = SimRng::from_seed_u64(5);
    let n = 80_000;
    let draws: Vec<f64> = (0..n).map(|_| empirical.draw(&mut rng)).collect();
    assert!(draws.iter().all(|&x| (1.0..4.0).contains(&x) || (10.0..20.0).contains(&x)));
    let share = |lo: f64, hi: f64| draws.iter().filter(|&&x| lo <= x && x < hi).count() as f64 / n as f64;
    assert!((share(1.0, 2.0) - 0.125).abs() < 0.005);
    assert!((share(2.0, 4.0) - 0.375).abs() < 0.007);
    assert!((share(10.0, 15.0) - 0.25).abs() < 0.007, "uniform within the bin");
}

#[test]
fn sizes_are_clamped_and_fees_round_up() {
    let mut c = config();
    c.feerate_sat_vb = Distribution::Fixed { value: 2.5 };
    c.vsize_vb = Distribution::Fixed { value: 141.0 };
    let mut w = workload(&c, 6);
    let mut arena = TxArena::new();
    let tx = w.arrive(secs(1.0), &mut arena, &never)[0];
    let tx = arena.get(tx);
    assert_eq!((tx.weight, tx.vsize(), tx.fee_sat, tx.outputs), (564, 141, 353, 2));
    assert_eq!(tx.created, secs(1.0));
    c.vsize_vb = Distribution::Lognormal { median: 3000.0, sigma: 3.0 };
    let mut w = workload(&c, 7);
    let ids: Vec<TxId> = (0..2000).map(|_| w.arrive(secs(2.0), &mut arena, &never)[0]).collect();
    let sizes: Vec<u32> = ids.iter().map(|&id| arena.get(id).vsize()).collect();
    assert!(sizes.iter().all(|v| (MIN_VSIZE_VB..=MAX_VSIZE_VB).contains(v)));
    assert!(sizes.contains(&MIN_VSIZE_VB) && sizes.contains(&MAX_VSIZE_VB), "both clamps reached");
}

#[test]
fn chain_share_spends_unconfirmed_outputs_once_each() {
    let mut c = config();
    c.chain_share = 0.3;
    let mut w = workload(&c, 8);
    let mut arena = TxArena::new();
    let n = 20_000;
    for i in 0..n {
        w.arrive(secs(f64::from(i)), &mut arena, &never);
    }
    let mut spent = BTreeSet::new();
    let mut chained = 0;
    for (id, tx) in arena.iter() {
        assert!((1..=2).contains(&tx.inputs.len()));
        for input in tx.inputs.iter() {
            assert!(spent.insert(*input), "{input:?} spent twice");
            if let Input::Out { tx: parent, vout } = *input {
                assert!(parent < id && vout < OUTPUTS);
                chained += 1;
            }
        }
    }
    let share = f64::from(chained) / f64::from(n);
    assert!((share - 0.3).abs() < 0.015, "{share}");
    let mut w = workload(&c, 8);
    let mut arena = TxArena::new();
    for i in 0..1000 {
        w.arrive(secs(f64::from(i)), &mut arena, &|_: TxId| true);
    }
    assert!(arena.iter().all(|(_, tx)| tx.inputs.iter().all(|i| matches!(i, Input::Coin(_)))));
}

#[test]
fn double_spends_conflict_from_another_node() {
    let mut c = config();
    c.double_spend_share = 0.25;
    let mut w = workload(&c, 9);
    let mut arena = TxArena::new();
    let n = 8_000;
    let mut doubles = 0;
    for i in 0..n {
        let created = w.arrive(secs(f64::from(i)), &mut arena, &never);
        if let [a, b] = created[..] {
            let (a, b) = (arena.get(a), arena.get(b));
            assert_eq!(a.inputs, b.inputs);
            assert!(a.inputs.iter().all(|i| matches!(i, Input::Coin(_))));
            assert_ne!(a.origin, b.origin);
            assert!(b.origin.0 < 100);
            assert_ne!(a.txid, b.txid);
            assert_eq!(
                (a.replaces, b.replaces, a.created, b.created),
                (None, None, secs(f64::from(i)), a.created)
            );
            doubles += 1;
        }
    }
    assert!((f64::from(doubles) / f64::from(n) - 0.25).abs() < 0.02, "{doubles}");
    let single = Workload::new(&c, SimRng::from_seed_u64(9), 1).arrive(SimTime::ZERO, &mut arena, &never);
    assert_eq!(single.len(), 1, "one node cannot double spend against itself");
}

/// A workload with `n` transactions created before block `first`, then the
/// blocks `first..=last` with nothing confirmed.
fn stuck_run(c: &TransactionsConfig, n: u32, first: u32, last: u32) -> (Workload, TxArena, Vec<Vec<TxId>>) {
    let mut w = workload(c, 10);
    let mut arena = TxArena::new();
    for i in 0..n {
        w.arrive(secs(f64::from(i)), &mut arena, &never);
    }
    let bumps =
        (first..=last).map(|h| w.on_block(secs(f64::from(h) * 600.0), h, &mut arena, &never)).collect();
    (w, arena, bumps)
}

#[test]
fn rbf_replacements_follow_the_fee_rules() {
    let mut c = config();
    c.rbf_share = 1.0;
    c.stuck_after_blocks = 2;
    let (_, arena, bumps) = stuck_run(&c, 500, 100, 104);
    assert!(bumps[0].is_empty(), "one block after creation is not yet stuck");
    assert_eq!(bumps[1].len(), 500, "two blocks after creation every transaction is replaced");
    assert!(bumps[2].is_empty() && bumps[3].is_empty() && bumps[4].is_empty(), "bumped once");
    for &id in &bumps[1] {
        let new = arena.get(id);
        let old = arena.get(new.replaces.expect("replaces the original"));
        assert_eq!((&new.inputs, new.origin, new.weight), (&old.inputs, old.origin, old.weight));
        let expected = ((2.0 * old.fee_sat as f64).ceil() as u64).max(old.fee_sat + u64::from(old.vsize()));
        assert_eq!(new.fee_sat, expected);
        assert!(new.feerate_sat_vb() > old.feerate_sat_vb());
        assert!(new.fee_sat - old.fee_sat >= u64::from(new.vsize()), "pays for its own relay");
        assert_ne!(new.txid, old.txid);
        assert_eq!(new.created, secs(101.0 * 600.0));
    }
}

#[test]
fn cpfp_children_lift_the_package_feerate() {
    let mut c = config();
    c.cpfp_share = 1.0;
    c.fee_bump = 1.5;
    let (_, arena, bumps) = stuck_run(&c, 500, 7, 12);
    assert!(bumps[..2].iter().all(Vec::is_empty));
    assert_eq!(bumps[2].len(), 500);
    assert!(bumps[3..].iter().all(Vec::is_empty));
    for &id in &bumps[2] {
        let child = arena.get(id);
        let [Input::Out { tx: parent_id, vout }] = child.inputs[..] else { panic!("one input") };
        assert!(vout < OUTPUTS && child.replaces.is_none());
        let parent = arena.get(parent_id);
        assert_eq!(child.origin, parent.origin);
        let package_vsize = f64::from(parent.vsize() + child.vsize());
        let target = 1.5 * parent.feerate_sat_vb();
        let package = |fee: u64| (parent.fee_sat + fee) as f64 / package_vsize;
        assert!(package(child.fee_sat) >= target * (1.0 - 1e-12), "{} < {target}", package(child.fee_sat));
        assert!(package(child.fee_sat - 1) < target, "the least such fee");
    }
}

#[test]
fn shares_split_stuck_transactions() {
    let mut c = config();
    c.rbf_share = 0.3;
    c.cpfp_share = 0.2;
    c.stuck_after_blocks = 1;
    let (w, arena, bumps) = stuck_run(&c, 4000, 1, 3);
    let replaced = bumps[0].iter().filter(|&&id| arena.get(id).replaces.is_some()).count();
    let children = bumps[0].len() - replaced;
    assert!((replaced as f64 / 4000.0 - 0.3).abs() < 0.03, "{replaced}");
    assert!((children as f64 / 4000.0 - 0.2).abs() < 0.03, "{children}");
    assert!(bumps[1].is_empty() && bumps[2].is_empty());
    assert_eq!(w.pending_len(), 4000, "left-alone originals, replacements and children stay pending");
}

#[test]
fn pending_list_is_bounded() {
    let mut c = config();
    c.chain_share = 0.5;
    let (w, _, _) = stuck_run(&c, 300, 50, 50 + MAX_PENDING_AGE_BLOCKS - 1);
    assert_eq!(w.pending_len(), 300, "kept while younger than the age limit");
    let (w, _, _) = stuck_run(&c, 300, 50, 50 + MAX_PENDING_AGE_BLOCKS);
    assert_eq!(w.pending_len(), 0, "forgotten after the age limit");
    let mut w = workload(&c, 11);
    let mut arena = TxArena::new();
    for i in 0..300 {
        w.arrive(secs(f64::from(i)), &mut arena, &never);
    }
    w.on_block(secs(600.0), 1, &mut arena, &|_: TxId| true);
    assert_eq!(w.pending_len(), 0, "confirmed transactions leave");
}

#[test]
fn conflicted_transactions_and_their_descendants_leave() {
    let mut c = config();
    c.double_spend_share = 1.0;
    c.chain_share = 1.0;
    let mut w = workload(&c, 12);
    let mut arena = TxArena::new();
    let mut doubles = BTreeSet::new();
    for i in 0..200 {
        let created = w.arrive(secs(f64::from(i)), &mut arena, &never);
        doubles.insert(created[1]);
    }
    assert_eq!(w.pending_len(), 200);
    // The first transaction's double spend confirms: it and every primary
    // transaction descending from it can never confirm.
    let first_double = *doubles.first().expect("doubles");
    let mut dead = BTreeSet::from([TxId(0)]);
    for (id, tx) in arena.iter().filter(|(id, _)| !doubles.contains(id)) {
        if tx.inputs.iter().any(|i| matches!(i, Input::Out { tx: p, .. } if dead.contains(p))) {
            dead.insert(id);
        }
    }
    assert!(dead.len() > 100, "{}", dead.len());
    w.on_block(secs(600.0), 1, &mut arena, &|tx: TxId| tx == first_double);
    assert_eq!(w.pending_len(), 200 - dead.len());
}

#[test]
fn same_seed_gives_the_same_transactions() {
    let mut c = config();
    c.chain_share = 0.2;
    c.double_spend_share = 0.1;
    c.rbf_share = 0.3;
    c.cpfp_share = 0.3;
    c.stuck_after_blocks = 1;
    c.surges = vec![Surge { start_s: 100.0, duration_s: 300.0, multiplier: 5.0 }];
    let run = |seed: u64| {
        let mut w = workload(&c, seed);
        let mut arena = TxArena::new();
        let mut now = SimTime::ZERO;
        let mut height = 0;
        while let Some(next) = w.next_arrival(now) {
            if next > secs(3000.0) {
                break;
            }
            while secs(f64::from(height + 1) * 300.0) <= next {
                height += 1;
                let confirmed = |tx: TxId| tx.0 % 3 == 0;
                w.on_block(secs(f64::from(height) * 300.0), height, &mut arena, &confirmed);
            }
            w.arrive(next, &mut arena, &never);
            now = next;
        }
        arena.iter().map(|(_, tx)| tx.clone()).collect::<Vec<_>>()
    };
    let a = run(13);
    assert!(a.len() > 15_000, "{}", a.len());
    assert_eq!(a, run(13));
    assert_ne!(a, run(14));
    let txids: BTreeSet<[u8; 32]> = a.iter().map(|tx| tx.txid).collect();
    assert_eq!(txids.len(), a.len(), "txids are unique");
    assert!(a.iter().all(|tx| tx.txid != tx.wtxid));
    assert!(a.iter().any(|tx| tx.replaces.is_some()));
}

/// The world answers through its own type; closures work too.
struct ConfirmedBelow(u32);

impl TxStatus for ConfirmedBelow {
    fn confirmed(&self, tx: TxId) -> bool {
        tx.0 < self.0
    }
}

#[test]
fn status_can_be_a_type_of_its_own() {
    let mut w = workload(&config(), 15);
    let mut arena = TxArena::new();
    for i in 0..10 {
        w.arrive(secs(f64::from(i)), &mut arena, &ConfirmedBelow(0));
    }
    assert_eq!(w.on_block(secs(600.0), 1, &mut arena, &ConfirmedBelow(4)), Vec::new());
    assert_eq!(w.pending_len(), 6);
}
