//! The arrival rate of new transactions over simulated time, and the
//! non-homogeneous Poisson process that draws arrival times from it.
//!
//! The rate is `rate_per_s` times the schedule's factor (1, or the daily
//! cosine) times the multipliers of every surge in force. Surges start and
//! end at fixed times, so between two consecutive surge edges their product
//! is constant; arrivals are drawn by thinning (Lewis and Shedler, 1979)
//! against the highest rate the schedule can reach in the current such
//! segment. Because exponential gaps are memoryless, a candidate that lands
//! beyond the segment is discarded and the draw restarts at the segment's
//! end, which keeps the process exact while the bound stays tight.

use std::f64::consts::TAU;

use crate::scenario::{RateSchedule, Surge, TransactionsConfig};
use crate::sim::SimRng;

/// Seconds in a day: the period of the daily schedule.
const DAY_S: f64 = 86_400.0;

/// Seconds in an hour.
const HOUR_S: f64 = 3_600.0;

/// The rate function of a workload.
#[derive(Clone, Debug)]
pub(crate) struct RateModel {
    /// Mean rate before the schedule and surges (per second).
    base: f64,
    /// How the rate varies over the day.
    schedule: RateSchedule,
    /// Demand surges; overlapping surges multiply.
    surges: Vec<Surge>,
    /// Every surge start and end, sorted and without repeats: the surge
    /// factor is constant from one edge up to (not including) the next.
    edges: Vec<f64>,
}

impl RateModel {
    /// The rate function of `config`.
    pub(crate) fn new(config: &TransactionsConfig) -> RateModel {
        let mut edges: Vec<f64> =
            config.surges.iter().flat_map(|s| [s.start_s, s.start_s + s.duration_s]).collect();
        edges.sort_by(f64::total_cmp);
        edges.dedup();
        RateModel {
            base: config.rate_per_s,
            schedule: config.schedule.clone(),
            surges: config.surges.clone(),
            edges,
        }
    }

    /// The rate (per second) at `t` seconds.
    pub(crate) fn rate_at(&self, t: f64) -> f64 {
        self.base * self.schedule_factor(t) * self.surge_factor(t)
    }

    /// The highest rate the model ever reaches, as a bound: the schedule's
    /// peak times the largest product of surges in force together.
    pub(crate) fn peak(&self) -> f64 {
        let surge_max = std::iter::once(0.0)
            .chain(self.edges.iter().copied())
            .map(|t| self.surge_factor(t))
            .fold(1.0_f64, f64::max);
        self.base * self.schedule_max() * surge_max
    }

    /// The first arrival strictly after `now` seconds, or `None` when the
    /// rate is zero from `now` on.
    pub(crate) fn next_after(&self, now: f64, rng: &mut SimRng) -> Option<f64> {
        let mut t = now;
        loop {
            let end = self.segment_end(t);
            let bound = self.base * self.schedule_max() * self.surge_factor(t);
            if bound <= 0.0 {
                if end.is_infinite() {
                    return None;
                }
                t = end;
                continue;
            }
            let candidate = t + rng.exp_rate(bound);
            if candidate >= end {
                t = end;
                continue;
            }
            if rng.unit() * bound < self.rate_at(candidate) {
                return Some(candidate);
            }
            t = candidate;
        }
    }

    /// The schedule's factor at `t`: 1, or 1 + a cos(2 pi (t - peak) / day).
    fn schedule_factor(&self, t: f64) -> f64 {
        match self.schedule {
            RateSchedule::Constant => 1.0,
            RateSchedule::Daily { amplitude, peak_hour } => {
                1.0 + amplitude * (TAU * (t - peak_hour * HOUR_S) / DAY_S).cos()
            }
        }
    }

    /// The largest value of the schedule's factor.
    fn schedule_max(&self) -> f64 {
        match self.schedule {
            RateSchedule::Constant => 1.0,
            RateSchedule::Daily { amplitude, .. } => 1.0 + amplitude.abs(),
        }
    }

    /// The product of the multipliers of the surges in force at `t`
    /// (a surge covers `start_s <= t < start_s + duration_s`).
    fn surge_factor(&self, t: f64) -> f64 {
        self.surges
            .iter()
            .filter(|s| s.start_s <= t && t < s.start_s + s.duration_s)
            .map(|s| s.multiplier)
            .product()
    }

    /// The first surge edge after `t`, or infinity when there is none.
    fn segment_end(&self, t: f64) -> f64 {
        let i = self.edges.partition_point(|&edge| edge <= t);
        self.edges.get(i).copied().unwrap_or(f64::INFINITY)
    }
}
