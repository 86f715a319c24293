//! `events.csv`: every timeline event, when it fired, and its measured
//! effect; and the block-interval figures of the summary (mean, coefficient
//! of variation, recovery after a hash-rate change).

use serde::Serialize;

use super::write::Row;
use crate::chain::{BlockTree, RulesId};
use crate::consensus::BlockId;
use crate::scenario::{EventAction, EventTrigger};
use crate::sim::SimTime;
use crate::world::RunOutput;

/// Blocks in the moving window of [`recovery_blocks`].
pub const RECOVERY_WINDOW: usize = 144;

/// How close to the target interval the window's mean must come (10 %).
pub const RECOVERY_TOLERANCE: f64 = 0.1;

/// The main chain above the start tip, oldest first.
pub(crate) fn main_chain(tree: &BlockTree, best: BlockId) -> Vec<BlockId> {
    let start = tree.start_tip();
    let mut chain = Vec::new();
    let mut cur = best;
    while cur != start {
        chain.push(cur);
        match tree.get(cur).parent {
            Some(p) => cur = p,
            None => break,
        }
    }
    chain.reverse();
    chain
}

/// Intervals between consecutive main-chain blocks, by the time they were
/// found (the first from the start tip).
pub(crate) fn intervals_s(tree: &BlockTree, chain: &[BlockId]) -> Vec<f64> {
    let mut prev = tree.get(tree.start_tip()).found_at;
    chain
        .iter()
        .map(|&b| {
            let t = tree.get(b).found_at;
            let dt = t.since(prev).as_secs_f64();
            prev = t;
            dt
        })
        .collect()
}

/// Standard deviation over mean of `xs`; `None` for fewer than two.
pub(crate) fn coefficient_of_variation(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean > 0.0).then(|| var.sqrt() / mean)
}

/// Main-chain blocks found after `at` until the mean of the last
/// [`RECOVERY_WINDOW`] intervals, all of blocks found after `at`, is within
/// [`RECOVERY_TOLERANCE`] of the target interval (of the scenario's rules at the first
/// block after `at`); `None` if that never happens.
pub fn recovery_blocks(tree: &BlockTree, chain: &[BlockId], at: SimTime) -> Option<u64> {
    let intervals = intervals_s(tree, chain);
    let first = chain.iter().position(|&b| tree.get(b).found_at > at)?;
    let target_s = tree.params_at(RulesId::DEFAULT, tree.get(chain[first]).height).target_spacing_s as f64;
    let after = &intervals[first..];
    let mut sum: f64 = 0.0;
    for (k, x) in after.iter().enumerate() {
        sum += x;
        if k >= RECOVERY_WINDOW {
            sum -= after[k - RECOVERY_WINDOW];
        }
        if k + 1 >= RECOVERY_WINDOW {
            let mean = sum / RECOVERY_WINDOW as f64;
            if (mean - target_s).abs() <= RECOVERY_TOLERANCE * target_s {
                return Some(k as u64 + 1);
            }
        }
    }
    None
}

/// One row of `events.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    /// Position in the scenario's `[[events]]`, from 0.
    pub event: u32,
    /// Its kind.
    pub kind: &'static str,
    /// Configured time (seconds), if triggered by time.
    pub at_s: Option<f64>,
    /// Configured height, if triggered by height.
    pub at_height: Option<u32>,
    /// When it fired; empty if it never did.
    pub fired_s: Option<f64>,
    /// The best public height when it fired.
    pub fired_height: Option<u32>,
    /// When its effect ended (cut healed, ramp finished, latency back).
    pub ended_s: Option<f64>,
    /// What it did.
    pub detail: String,
    /// Mean main-chain interval over the up to 144 blocks before it fired.
    pub interval_before_s: Option<f64>,
    /// Mean main-chain interval over the up to 144 blocks after it fired.
    pub interval_after_s: Option<f64>,
    /// Hash-rate events: blocks until the 144-block mean interval is back
    /// within 10 % of the target.
    pub recovery_blocks: Option<u64>,
    /// Partitions and churn: blocks found while it lasted that ended stale.
    pub blocks_orphaned: Option<u64>,
    /// Partitions and churn: the deepest reorg after it ended of a branch
    /// that grew while it lasted.
    pub heal_reorg_depth: Option<u32>,
}

impl Row for EventRow {
    const COLUMNS: &'static [&'static str] = &[
        "event",
        "kind",
        "at_s",
        "at_height",
        "fired_s",
        "fired_height",
        "ended_s",
        "detail",
        "interval_before_s",
        "interval_after_s",
        "recovery_blocks",
        "blocks_orphaned",
        "heal_reorg_depth",
    ];
}

/// One row per configured event.
pub fn event_rows(out: &RunOutput) -> Vec<EventRow> {
    let w = &out.world;
    let tree = w.tree();
    let chain = main_chain(tree, w.best_block());
    let intervals = intervals_s(tree, &chain);
    let main = super::main_chain_flags(tree, w.best_block());
    let timeline = w.timeline();
    let mean = |xs: &[f64]| (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
    timeline
        .events()
        .iter()
        .zip(timeline.records())
        .enumerate()
        .map(|(i, (event, rec))| {
            let (at_s, at_height) = match event.at {
                EventTrigger::Time(t) => (Some(t), None),
                EventTrigger::Height(h) => (None, Some(h)),
            };
            let mut row = EventRow {
                event: i as u32,
                kind: event.action.kind(),
                at_s,
                at_height,
                fired_s: rec.fired.map(|(t, _)| t.as_secs_f64()),
                fired_height: rec.fired.map(|(_, h)| h),
                ended_s: rec.ended.map(SimTime::as_secs_f64),
                detail: rec.detail.clone(),
                interval_before_s: None,
                interval_after_s: None,
                recovery_blocks: None,
                blocks_orphaned: None,
                heal_reorg_depth: None,
            };
            let Some((fired, _)) = rec.fired else { return row };
            let split = chain.partition_point(|&b| tree.get(b).found_at <= fired);
            row.interval_before_s = mean(&intervals[split.saturating_sub(RECOVERY_WINDOW)..split]);
            row.interval_after_s = mean(&intervals[split..(split + RECOVERY_WINDOW).min(intervals.len())]);
            match &event.action {
                EventAction::Hashrate { .. } => {
                    row.recovery_blocks = recovery_blocks(tree, &chain, fired);
                }
                EventAction::Partition { .. } | EventAction::Churn { .. } => {
                    let ended = rec.ended.unwrap_or(SimTime::MAX);
                    let during = |t: SimTime| t >= fired && t < ended;
                    let mined = tree.iter().skip(tree.history_len() as usize);
                    let orphaned = mined.filter(|(id, r)| during(r.found_at) && !main[id.index()]).count();
                    row.blocks_orphaned = Some(orphaned as u64);
                    let heal = w.metrics().reorgs().iter().filter(|r| {
                        r.time >= ended
                            && tree.get(r.fork).found_at < ended
                            && tree.get(r.old_tip).found_at >= fired
                    });
                    row.heal_reorg_depth = Some(heal.map(|r| r.depth).max().unwrap_or(0));
                }
                EventAction::Latency { .. } | EventAction::Pool { .. } => {}
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficient_of_variation_is_sample_sd_over_mean() {
        assert_eq!(coefficient_of_variation(&[1.0]), None);
        let cv = coefficient_of_variation(&[2.0, 4.0, 6.0]).unwrap();
        assert!((cv - 0.5).abs() < 1e-12, "{cv}");
    }
}
