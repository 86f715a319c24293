//! The run loop: pop the earliest event, hand it to the model, repeat, until
//! the model asks to stop, the queue empties, or a limit is reached.

use std::sync::atomic::{AtomicBool, Ordering};

use super::queue::EventQueue;
use super::time::SimTime;

/// A model driven by the engine. It owns all state; the engine owns only time.
pub trait Model {
    /// The model's closed set of events: small and `Copy` (ids, not payloads).
    type Event: Copy;

    /// Handles one event at time `now`, scheduling follow-up events on `queue`.
    fn handle(&mut self, now: SimTime, event: Self::Event, queue: &mut EventQueue<Self::Event>);

    /// True once the model's own stop condition holds; checked after every event.
    fn finished(&self) -> bool;

    /// Checks the model's invariants after an event at `now`, naming the first one broken.
    /// Called after every event when [`RunLimits::check_invariants`] is set; the model decides
    /// how much to check each time (the default checks nothing).
    fn check_invariants(&mut self, _now: SimTime) -> Result<(), String> {
        Ok(())
    }
}

/// Limits that bound a run whatever the model does.
#[derive(Clone, Copy, Debug)]
pub struct RunLimits {
    /// Stop after this many events.
    pub max_events: u64,
    /// Do not process events scheduled after this time.
    pub max_time: SimTime,
    /// Check after every event that the model's [`Model::check_invariants`] hold, and stop at
    /// the first violation. (That time never goes backwards the queue enforces always: it
    /// refuses an event in the past.)
    pub check_invariants: bool,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits { max_events: u64::MAX, max_time: SimTime::MAX, check_invariants: false }
    }
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The model's stop condition held.
    Finished,
    /// No event was left.
    QueueEmpty,
    /// The event budget ran out.
    EventBudget,
    /// The next event lay beyond the time limit.
    TimeLimit,
    /// [`interrupt`] was called (the binary's Ctrl-C handler).
    Interrupted,
    /// An invariant was broken (only with [`RunLimits::check_invariants`]); see
    /// [`RunStats::violation`].
    InvariantViolated,
}

/// A broken invariant: where the run was and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The event after which it was found (1 for the first event).
    pub event: u64,
    /// That event's time.
    pub time: SimTime,
    /// What was wrong.
    pub what: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "after event {} (simulated time {:.6} s): {}",
            self.event,
            self.time.as_secs_f64(),
            self.what
        )
    }
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct RunStats {
    /// Events handled.
    pub events: u64,
    /// Time of the last event handled.
    pub end_time: SimTime,
    /// Why the run ended.
    pub reason: StopReason,
    /// The invariant broken, when the run stopped for one.
    pub violation: Option<Violation>,
}

/// How often (in events) the progress observer is called.
const OBSERVE_EVERY: u64 = 1 << 16;

/// How often (in events) a run looks for an interruption: a few microseconds apart.
const INTERRUPT_EVERY: u64 = 1 << 10;

/// Set once the process is asked to stop; every run in the process then stops at its next
/// check. It never resets: an interrupted process is on its way out.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Asks every run in this process to stop within [`INTERRUPT_EVERY`] events (safe to call from
/// a signal handler's thread). A run that stops this way reports [`StopReason::Interrupted`].
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

/// True once [`interrupt`] has been called.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Runs `model` until it finishes, the queue empties or a limit is hit.
/// `observe` is called every 65,536 events (for progress display only: it gets
/// read access and must not steer the run).
pub fn run<M: Model>(
    model: &mut M,
    queue: &mut EventQueue<M::Event>,
    limits: RunLimits,
    mut observe: impl FnMut(&M, &RunStats),
) -> RunStats {
    let mut stats =
        RunStats { events: 0, end_time: queue.now(), reason: StopReason::QueueEmpty, violation: None };
    loop {
        if model.finished() {
            stats.reason = StopReason::Finished;
            break;
        }
        if stats.events >= limits.max_events {
            stats.reason = StopReason::EventBudget;
            break;
        }
        match queue.peek_time() {
            None => {
                stats.reason = StopReason::QueueEmpty;
                break;
            }
            Some(t) if t > limits.max_time => {
                stats.reason = StopReason::TimeLimit;
                break;
            }
            Some(_) => {}
        }
        let (now, event) = queue.pop().expect("peeked");
        model.handle(now, event, queue);
        stats.events += 1;
        stats.end_time = now;
        if limits.check_invariants
            && let Err(what) = model.check_invariants(now)
        {
            stats.violation = Some(Violation { event: stats.events, time: now, what });
            stats.reason = StopReason::InvariantViolated;
            break;
        }
        if stats.events % INTERRUPT_EVERY == 0 && interrupted() {
            stats.reason = StopReason::Interrupted;
            break;
        }
        if stats.events % OBSERVE_EVERY == 0 {
            observe(model, &stats);
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimDuration;

    /// A counter that reschedules itself every second until it reaches a limit.
    struct Ticker {
        ticks: u32,
        stop_at: u32,
    }

    impl Model for Ticker {
        type Event = ();
        fn handle(&mut self, _now: SimTime, _e: (), q: &mut EventQueue<()>) {
            self.ticks += 1;
            q.schedule_in(SimDuration::from_secs(1), ());
        }
        fn finished(&self) -> bool {
            self.ticks >= self.stop_at
        }
    }

    fn start(stop_at: u32) -> (Ticker, EventQueue<()>) {
        let mut q = EventQueue::new();
        q.schedule(SimTime::ZERO, ());
        (Ticker { ticks: 0, stop_at }, q)
    }

    #[test]
    fn stops_on_model_condition() {
        let (mut m, mut q) = start(5);
        let s = run(&mut m, &mut q, RunLimits::default(), |_, _| {});
        assert_eq!((s.events, s.reason), (5, StopReason::Finished));
        assert_eq!(s.end_time, SimTime(4_000_000_000));
    }

    /// A ticker whose invariant breaks at its third tick.
    struct Fragile(Ticker);

    impl Model for Fragile {
        type Event = ();
        fn handle(&mut self, now: SimTime, e: (), q: &mut EventQueue<()>) {
            self.0.handle(now, e, q);
        }
        fn finished(&self) -> bool {
            self.0.finished()
        }
        fn check_invariants(&mut self, _now: SimTime) -> Result<(), String> {
            if self.0.ticks == 3 { Err("three ticks".into()) } else { Ok(()) }
        }
    }

    #[test]
    fn stops_at_the_first_broken_invariant_only_when_checking() {
        let (m, mut q) = start(10);
        let mut m = Fragile(m);
        let on = RunLimits { check_invariants: true, ..Default::default() };
        let s = run(&mut m, &mut q, on, |_, _| {});
        assert_eq!((s.events, s.reason), (3, StopReason::InvariantViolated));
        let v = s.violation.expect("reported");
        assert_eq!((v.event, v.time, v.what.as_str()), (3, SimTime(2_000_000_000), "three ticks"));
        assert_eq!(v.to_string(), "after event 3 (simulated time 2.000000 s): three ticks");
        let (m, mut q) = start(10);
        let s = run(&mut Fragile(m), &mut q, RunLimits::default(), |_, _| {});
        assert_eq!((s.events, s.reason, s.violation), (10, StopReason::Finished, None));
    }

    #[test]
    fn stops_on_event_budget_and_time_limit() {
        let (mut m, mut q) = start(100);
        let s = run(&mut m, &mut q, RunLimits { max_events: 3, ..Default::default() }, |_, _| {});
        assert_eq!((s.events, s.reason), (3, StopReason::EventBudget));
        let (mut m, mut q) = start(100);
        let lim = RunLimits { max_time: SimTime(2_500_000_000), ..Default::default() };
        let s = run(&mut m, &mut q, lim, |_, _| {});
        assert_eq!((s.events, s.reason), (3, StopReason::TimeLimit));
    }
}
