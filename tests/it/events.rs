//! Timeline events: hash-rate steps and ramps, partitions, churn, latency
//! changes and pools joining and leaving, each checked by what it does to
//! the run.

use crate::common::{config, run};
use powsim::chain::{Origin, RulesId};
use powsim::consensus::BlockId;
use powsim::report::{event_rows, summarize};
use powsim::world::RunOutput;

/// Two equal pools on an ideal network with 1 s latency and `events`.
fn ideal(blocks: u32, events: &str) -> String {
    format!(
        "name = \"events\"\n[stop]\nblocks = {blocks}\n[network]\nnodes = 20\npreset = \"ideal\"\nlatency_ms = 1000\n\
         [[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n\
         [[mining.pool]]\nname = \"b\"\nhash_share = 0.5\nregion = \"NA\"\n{events}"
    )
}

/// Mined blocks with the time they were found (seconds) and their miner.
fn mined(out: &RunOutput) -> Vec<(BlockId, f64, u32)> {
    let tree = out.world.tree();
    (tree.history_len()..tree.len() as u32)
        .map(BlockId)
        .filter_map(|b| match tree.get(b).origin {
            Origin::Mined(p) => Some((b, tree.get(b).found_at.as_secs_f64(), p)),
            Origin::History => None,
        })
        .collect()
}

/// Halving the hash rate a day into a retarget period doubles block
/// intervals until Bitcoin's retarget at the end of the period restores
/// them; the 144-block mean is back within 10 % of the target only once the
/// window lies past that retarget.
#[test]
fn a_hash_rate_halving_doubles_intervals_until_the_retarget() {
    let text = ideal(3000, "[[events]]\nkind = \"hashrate\"\nat_s = 86400\nscale = 0.5\n");
    let out = run(&config(&text, &[]), 3);
    let row = &event_rows(&out)[0];
    let tree = out.world.tree();
    let fired_height = row.fired_height.unwrap();
    let retarget = tree.params_at(RulesId::DEFAULT, 0).retarget_interval;
    let next_retarget = (fired_height / retarget + 1) * retarget;
    let before = row.interval_before_s.unwrap();
    let after = row.interval_after_s.unwrap();
    println!("{row:?}; next retarget at {next_retarget}");
    assert_eq!((row.fired_s, row.kind), (Some(86400.0), "hashrate"));
    assert!((before / 600.0 - 1.0).abs() < 0.25, "before {before}");
    assert!((after / 1200.0 - 1.0).abs() < 0.25, "after {after}");
    // Over the whole rest of the period the mean is tighter.
    let found_at_height = |h: u32| {
        let mut b = out.world.best_block();
        while tree.get(b).height > h {
            b = tree.get(b).parent.unwrap();
        }
        tree.get(b).found_at.as_secs_f64()
    };
    let (from, to) = (fired_height + 1, next_retarget);
    let slow = (found_at_height(to) - found_at_height(from)) / f64::from(to - from);
    assert!((slow / 1200.0 - 1.0).abs() < 0.06, "mean interval until the retarget {slow}");
    let recovery = row.recovery_blocks.expect("intervals recover after the retarget");
    let to_retarget = u64::from(next_retarget - fired_height);
    assert!(
        recovery >= to_retarget && recovery <= to_retarget + 400,
        "recovery {recovery}, retarget in {to_retarget}"
    );
    assert_eq!(summarize("x", &out).recovery_blocks, Some(recovery));
    // The hash rate each block was found under, for expected_interval_s.
    let m = out.world.metrics();
    for (b, t, _) in mined(&out) {
        let want = if t < 86_400.0 { 1e21 } else { 5e20 };
        assert_eq!(m.block(b).unwrap().hashrate_hs, want, "block {b:?} at {t}");
    }
}

/// A ramp reaches its rate in steps: a pool that doubles over ten hours
/// finds about half the blocks before the ramp and about two thirds after.
#[test]
fn a_ramp_moves_the_hash_rate_gradually() {
    let events = "[[events]]\nkind = \"hashrate\"\npool = \"b\"\nat_s = 100000\nscale = 2\nramp_s = 36000\n";
    let out = run(&config(&ideal(1500, events), &[]), 5);
    let row = &event_rows(&out)[0];
    assert_eq!((row.fired_s, row.ended_s), (Some(100_000.0), Some(136_000.0)));
    let share_b = |from: f64, to: f64| {
        let in_span: Vec<u32> = mined(&out).iter().filter(|x| x.1 >= from && x.1 < to).map(|x| x.2).collect();
        in_span.iter().filter(|&&p| p == 1).count() as f64 / in_span.len() as f64
    };
    let (early, late) = (share_b(0.0, 100_000.0), share_b(136_000.0, f64::MAX));
    println!("pool b's share of blocks: {early:.3} before, {late:.3} after the ramp");
    assert!((early - 0.5).abs() < 0.08, "{early}");
    assert!((late - 2.0 / 3.0).abs() < 0.06, "{late}");
}

/// A pool that joins has no blocks before it joins; one that leaves has
/// none after.
#[test]
fn pools_mine_only_while_they_are_in() {
    let events = "[[events]]\nkind = \"pool\"\npool = \"a\"\naction = \"join\"\nat_s = 50000\n\
                  [[events]]\nkind = \"pool\"\npool = \"b\"\naction = \"leave\"\nat_s = 150000\n";
    let out = run(&config(&ideal(400, events), &[]), 2);
    let blocks = mined(&out);
    assert!(blocks.iter().filter(|x| x.2 == 0).all(|x| x.1 >= 50_000.0));
    assert!(blocks.iter().filter(|x| x.2 == 1).all(|x| x.1 < 150_000.0));
    assert!(blocks.iter().any(|x| x.2 == 0) && blocks.iter().any(|x| x.2 == 1 && x.1 > 50_000.0));
    let rows = event_rows(&out);
    assert_eq!(rows[0].detail, "pool a joins with 5e20 H/s");
    assert_eq!(rows[1].detail, "pool b leaves");
}

/// Two halves of the world, each with half the hash rate, cut apart for
/// two hours: both sides keep mining, and when the cut heals the messages
/// held back arrive, the lighter branch is reorganised away and every node
/// ends on one tip.
#[test]
fn a_partition_forks_the_chain_and_heals_with_a_reorg() {
    let text = "name = \"split\"\n[stop]\nblocks = 60\n[network]\nnodes = 60\npreset = \"bitcoin-2019\"\n\
                topology = \"bitcoin-core\"\n\
                [[mining.pool]]\nname = \"eu\"\nhash_share = 0.5\nregion = \"EU\"\n\
                [[mining.pool]]\nname = \"na\"\nhash_share = 0.5\nregion = \"NA\"\n\
                [[events]]\nkind = \"partition\"\nat_s = 3600\nregions = [\"EU\"]\nduration_s = 7200\n";
    let out = run(&config(text, &[]), 4);
    let row = &event_rows(&out)[0];
    println!("{row:?}");
    assert_eq!((row.fired_s, row.ended_s), (Some(3600.0), Some(10_800.0)));
    let orphaned = row.blocks_orphaned.unwrap();
    let depth = row.heal_reorg_depth.unwrap();
    assert!(orphaned >= 1, "{row:?}");
    assert!(depth >= 1 && u64::from(depth) <= orphaned, "{row:?}");
    // Both pools mined during the cut.
    let during: Vec<u32> =
        mined(&out).iter().filter(|x| x.1 >= 3600.0 && x.1 < 10_800.0).map(|x| x.2).collect();
    assert!(during.contains(&0) && during.contains(&1), "{during:?}");
    let w = &out.world;
    let tip = w.best_block();
    assert!((0..w.nodes().len() as u32).all(|n| w.nodes().tip(powsim::net::NodeId(n)) == tip));
}

/// Slower links for a while slow down propagation of the blocks found
/// meanwhile, and only of those.
#[test]
fn a_latency_event_slows_propagation_while_it_lasts() {
    let text = "name = \"slow\"\n[stop]\nblocks = 150\n[network]\nnodes = 100\npreset = \"bitcoin-2019\"\n\
                topology = \"bitcoin-core\"\n[mining]\npools = \"bitcoin-2015\"\n\
                [[events]]\nkind = \"latency\"\nat_s = 30000\nlatency_scale = 10\nduration_s = 30000\n";
    let out = run(&config(text, &[]), 6);
    let m = out.world.metrics();
    let t50 = |from: f64, to: f64| {
        let times: Vec<f64> = mined(&out)
            .iter()
            .filter(|x| x.1 >= from && x.1 < to)
            .filter_map(|x| {
                let s = m.block(x.0)?;
                Some(s.t_nodes[0]?.since(s.published).as_secs_f64())
            })
            .collect();
        times.iter().sum::<f64>() / times.len() as f64
    };
    let (before, during, after) = (t50(0.0, 30_000.0), t50(30_000.0, 60_000.0), t50(61_000.0, f64::MAX));
    println!("mean time to half the nodes: {before:.2} s before, {during:.2} s during, {after:.2} s after");
    assert!(during > 4.0 * before && during > 4.0 * after, "{before} {during} {after}");
}

/// Offline nodes get nothing while they are away, and catch up when back.
#[test]
fn churned_nodes_catch_up_when_they_return() {
    let events = "[[events]]\nkind = \"churn\"\nat_s = 20000\nfraction = 0.5\nduration_s = 20000\n";
    let text = ideal(100, events).replace("nodes = 20", "nodes = 40");
    let out = run(&config(&text, &[]), 7);
    let row = &event_rows(&out)[0];
    assert_eq!(row.detail, "19 non-mining nodes offline for 20000 s");
    let w = &out.world;
    let tip = w.best_block();
    assert!((0..w.nodes().len() as u32).all(|n| w.nodes().tip(powsim::net::NodeId(n)) == tip));
    // Blocks found while they were away reach the last node only after
    // they are back.
    let m = w.metrics();
    let late = mined(&out)
        .iter()
        .filter(|x| x.1 >= 20_000.0 && x.1 < 39_000.0)
        .all(|x| m.block(x.0).and_then(|s| s.t_nodes[2]).is_some_and(|t| t.as_secs_f64() >= 40_000.0));
    assert!(late);
}

/// With clock skew, each miner dates its blocks by its own clock: a pool's
/// header times sit a fixed offset from the true time, and offsets differ
/// between pools by about the configured spread.
#[test]
fn skewed_clocks_date_blocks_by_each_miners_clock() {
    let pools: String = (0..10)
        .map(|i| format!("[[mining.pool]]\nname = \"p{i}\"\nhash_share = 0.1\nregion = \"NA\"\n"))
        .collect();
    let text = format!(
        "name = \"skew\"\n[stop]\nblocks = 300\n[network]\nnodes = 30\npreset = \"ideal\"\nclock_skew_sd_s = 600\n{pools}"
    );
    let out = run(&config(&text, &[]), 9);
    let tree = out.world.tree();
    let epoch = powsim::world::EPOCH_UNIX_S as f64;
    let mut offsets: Vec<Vec<f64>> = vec![Vec::new(); 10];
    for (b, found, p) in mined(&out) {
        offsets[p as usize].push(f64::from(tree.get(b).header.time) - epoch - found);
    }
    let medians: Vec<f64> = offsets
        .iter_mut()
        .map(|o| {
            o.sort_by(f64::total_cmp);
            o[o.len() / 2]
        })
        .collect();
    let mean = medians.iter().sum::<f64>() / 10.0;
    let sd = (medians.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / 9.0).sqrt();
    println!("per-pool clock offsets {medians:?}, sd {sd:.0} s");
    assert!((250.0..1200.0).contains(&sd), "{sd}");
    // Every block still reached every node.
    let w = &out.world;
    assert!((0..30).all(|n| w.nodes().tip(powsim::net::NodeId(n)) == w.best_block()));
}
