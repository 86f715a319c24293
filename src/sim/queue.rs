//! The event queue: a radix heap keyed by time, first in first out among
//! events at the same time.
//!
//! Two events at the same nanosecond always come out in the order they were
//! scheduled (ARCHITECTURE.md invariant 7). Because a discrete-event run only
//! ever pops times that are at least the last time popped, a radix heap (a
//! monotone priority queue) fits: an event goes into the bucket numbered by
//! the highest bit in which its time differs from the last time popped, so
//! pushing is O(1) and an event moves to a lower bucket only when the bucket
//! it sits in becomes the lowest one. Buckets are plain vectors, so memory
//! access stays sequential; on networks of 10,000 nodes this is markedly
//! faster than a binary heap (see the `engine` bench). The queue allocates
//! only when a bucket outgrows its past size.
//!
//! Ties need no sequence number in the key: relative to the current last
//! time, all events of one time belong to one bucket, a bucket keeps its
//! events in the order they arrived (appended when scheduled, moved in order
//! when the bucket is emptied into lower ones), and bucket 0, the events at
//! the current time, is drained from the front.

use super::time::{SimDuration, SimTime};

/// Number of buckets: one per possible highest differing bit, plus "equal".
const BUCKETS: usize = 65;

/// A queue of future events of type `E`, popped in (time, scheduling order).
pub struct EventQueue<E> {
    buckets: Vec<Vec<(u64, E)>>,
    /// Next event of bucket 0 to pop.
    head: usize,
    /// The time popped last; every time in the queue is at least this.
    last: u64,
    /// Bit i-1 set when bucket i (1..=64) is not empty, so the next
    /// non-empty bucket is one `trailing_zeros` away.
    occupied: u64,
    len: usize,
    scheduled: u64,
    now: SimTime,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket of `key` relative to `last`: 0 when equal, else 1 + the index
/// of the highest bit in which they differ.
fn bucket(key: u64, last: u64) -> usize {
    (64 - (key ^ last).leading_zeros()) as usize
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        EventQueue {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            head: 0,
            last: 0,
            occupied: 0,
            len: 0,
            scheduled: 0,
            now: SimTime::ZERO,
        }
    }

    /// The time of the event popped last (the current simulated time).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at absolute time `at`, which must not be in the past.
    pub fn schedule(&mut self, at: SimTime, event: E) {
        assert!(at >= self.now, "event scheduled in the past: {at:?} < {:?}", self.now);
        self.scheduled += 1;
        self.put(at.0, event);
        self.len += 1;
    }

    /// Schedules `event` after `delay` from now.
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        self.schedule(self.now + delay, event);
    }

    fn put(&mut self, key: u64, event: E) {
        let b = bucket(key, self.last);
        self.buckets[b].push((key, event));
        if b > 0 {
            self.occupied |= 1 << (b - 1);
        }
    }

    /// Moves the earliest events into bucket 0 (if the queue is not empty).
    fn refill(&mut self) {
        if !self.buckets[0].is_empty() || self.occupied == 0 {
            return;
        }
        let i = self.occupied.trailing_zeros() as usize + 1;
        self.occupied &= !(1 << (i - 1));
        let mut items = std::mem::take(&mut self.buckets[i]);
        let min = items.iter().map(|(k, _)| *k).min().expect("occupied bucket is not empty");
        self.last = min;
        for &(k, e) in &items {
            // Every key here shares the bits above bit i-1 with `min`, so it
            // lands in a bucket below i; the order of equal keys is kept.
            self.put(k, e);
        }
        // Hand the emptied vector back so its capacity is reused.
        items.clear();
        self.buckets[i] = items;
    }

    /// Removes and returns the earliest event, advancing the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.refill();
        let (key, event) = *self.buckets[0].get(self.head)?;
        self.head += 1;
        if self.head == self.buckets[0].len() {
            self.buckets[0].clear();
            self.head = 0;
        }
        self.len -= 1;
        let at = SimTime(key);
        assert!(at >= self.now, "time went backwards");
        self.now = at;
        Some((at, event))
    }

    /// The time of the earliest pending event.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.refill();
        self.buckets[0].get(self.head).map(|&(k, _)| SimTime(k))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of events ever scheduled.
    pub fn scheduled_total(&self) -> u64 {
        self.scheduled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimRng;
    use std::collections::BinaryHeap;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(30), 'c');
        q.schedule(SimTime(10), 'a');
        q.schedule(SimTime(30), 'd');
        q.schedule(SimTime(10), 'b');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['a', 'b', 'c', 'd']);
        assert_eq!(q.now(), SimTime(30));
        assert!(q.is_empty());
    }

    /// Events for one time scheduled while the clock moves toward it still
    /// come out in scheduling order.
    #[test]
    fn ties_scheduled_at_different_times_keep_their_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(1_000), 'a');
        q.schedule(SimTime(50), 'x');
        assert_eq!(q.pop(), Some((SimTime(50), 'x')));
        q.schedule(SimTime(1_000), 'b');
        q.schedule(SimTime(999), 'y');
        assert_eq!(q.pop(), Some((SimTime(999), 'y')));
        q.schedule(SimTime(1_000), 'c');
        assert_eq!(q.pop(), Some((SimTime(1_000), 'a')));
        q.schedule(SimTime(1_000), 'd');
        let rest: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(rest, vec!['b', 'c', 'd']);
    }

    #[test]
    #[should_panic(expected = "in the past")]
    fn refuses_events_in_the_past() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(10), ());
        q.pop();
        q.schedule(SimTime(9), ());
    }

    /// Against a binary heap on (time, seq), with pushes interleaved with pops
    /// the way a simulation does them (never before the current time).
    #[test]
    fn matches_a_binary_heap_on_random_interleavings() {
        let mut rng = SimRng::from_seed_u64(17);
        let mut q = EventQueue::new();
        let mut reference = BinaryHeap::new();
        let mut seq = 0u64;
        for _ in 0..200_000 {
            if rng.chance(0.55) || q.is_empty() {
                let delay = match rng.below(4) {
                    0 => 0,
                    1 => rng.below(1000),
                    2 => rng.below(1_000_000_000),
                    _ => rng.below(1 << 50),
                };
                let at = SimTime(q.now().0 + delay);
                q.schedule(at, seq);
                reference.push(std::cmp::Reverse((at.0, seq)));
                seq += 1;
            } else {
                let std::cmp::Reverse((t, s)) = reference.pop().unwrap();
                assert_eq!(q.peek_time(), Some(SimTime(t)));
                assert_eq!(q.pop(), Some((SimTime(t), s)));
            }
            assert_eq!(q.len(), reference.len());
        }
    }
}
