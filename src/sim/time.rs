//! Simulated time as integer nanoseconds.
//!
//! Floating-point seconds are never used for the clock: adding many small f64
//! durations drifts and makes event order depend on rounding. Conversions to
//! and from seconds exist only for input (scenario values) and output (reports).

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A point in simulated time, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

const NANOS_PER_SEC: u64 = 1_000_000_000;

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time (about 584 years).
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Time in seconds, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// Whole seconds since the start of the run (rounded down).
    pub fn whole_secs(self) -> u64 {
        self.0 / NANOS_PER_SEC
    }

    /// The span from `earlier` to `self`; panics if `earlier` is later, which
    /// would mean time ran backwards.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        assert!(earlier <= self, "time went backwards: {earlier:?} > {self:?}");
        SimDuration(self.0 - earlier.0)
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration from (non-negative, finite) seconds, rounded to the nearest
    /// nanosecond and saturating at the largest representable duration.
    pub fn from_secs_f64(secs: f64) -> SimDuration {
        assert!(secs >= 0.0 && !secs.is_nan(), "negative or NaN duration: {secs}");
        let nanos = (secs * NANOS_PER_SEC as f64).round();
        if nanos >= u64::MAX as f64 { SimDuration(u64::MAX) } else { SimDuration(nanos as u64) }
    }

    /// A duration from whole milliseconds given as f64 (rounded to the nanosecond).
    pub fn from_millis_f64(ms: f64) -> SimDuration {
        SimDuration::from_secs_f64(ms / 1e3)
    }

    /// A duration from whole seconds.
    pub const fn from_secs(secs: u64) -> SimDuration {
        SimDuration(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// A duration from whole milliseconds.
    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms.saturating_mul(1_000_000))
    }

    /// The duration in seconds, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_nanoseconds() {
        assert_eq!(SimDuration::from_secs_f64(1.5).0, 1_500_000_000);
        assert_eq!(SimDuration::from_millis_f64(0.0000004).0, 0);
        assert_eq!(SimDuration::from_millis_f64(0.0000006).0, 1);
        assert_eq!(SimDuration::from_secs(3), SimDuration::from_millis(3000));
        assert_eq!((SimTime(5) + SimDuration(7)).0, 12);
        assert_eq!(SimTime::MAX + SimDuration(1), SimTime::MAX);
    }

    #[test]
    #[should_panic(expected = "time went backwards")]
    fn since_rejects_backwards_time() {
        let _ = SimTime(1).since(SimTime(2));
    }
}
