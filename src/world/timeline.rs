//! The timeline at run time: which `[[events]]` have fired, the network cuts
//! in force (partitions and offline nodes), hash-rate ramps, and what each
//! event did, for `events.csv`.
//!
//! A cut does not drop messages: a message sent across it waits until the
//! cut ends and then arrives after its usual latency, in order with the
//! others on its connection, as a stalled TCP connection would deliver it.
//! So the two sides resynchronise on their own when it heals.

use crate::net::NodeId;
use crate::scenario::{EventAction, EventTrigger, TimelineEvent};
use crate::sim::SimTime;

/// Steps of a hash-rate ramp.
pub(super) const RAMP_STEPS: u32 = 100;

/// Messages between some nodes wait until `until`.
#[derive(Clone, Debug)]
pub(super) struct Cut {
    /// The nodes on one side (or the offline nodes).
    members: Vec<bool>,
    /// Offline nodes: every message to or from a member waits, even
    /// between two members. Otherwise only messages across the cut do.
    isolate: bool,
    /// When it ends.
    pub(super) until: SimTime,
    /// The event that made it.
    pub(super) event: usize,
}

impl Cut {
    pub(super) fn new(members: Vec<bool>, isolate: bool, until: SimTime, event: usize) -> Cut {
        Cut { members, isolate, until, event }
    }

    /// True if a message from `a` to `b` must wait for the cut to end.
    fn blocks(&self, a: NodeId, b: NodeId) -> bool {
        let (x, y) = (self.members[a.index()], self.members[b.index()]);
        if self.isolate { x || y } else { x != y }
    }

    /// Nodes on the cut side.
    pub(super) fn size(&self) -> usize {
        self.members.iter().filter(|&&m| m).count()
    }
}

/// What happened to one event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventRecord {
    /// When it fired, and the best public height then.
    pub fired: Option<(SimTime, u32)>,
    /// When its effect ended (a partition healed, nodes came back, latency
    /// went back).
    pub ended: Option<SimTime>,
    /// What it did, in words (for `events.csv`).
    pub detail: String,
}

/// The run's timeline.
#[derive(Debug)]
pub struct Timeline {
    events: Vec<TimelineEvent>,
    /// Height-triggered events by height, and the next one to fire.
    by_height: Vec<(u32, usize)>,
    next_height: usize,
    pub(super) records: Vec<EventRecord>,
    pub(super) cuts: Vec<Cut>,
    /// Per event: for a ramp, each miner's rate before and after.
    pub(super) ramps: Vec<Vec<(usize, f64, f64)>>,
    /// Per event: latency and bandwidth factors to undo when it ends.
    pub(super) undo: Vec<Option<(f64, f64)>>,
}

impl Timeline {
    pub(super) fn new(events: Vec<TimelineEvent>) -> Timeline {
        let mut by_height: Vec<(u32, usize)> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.at {
                EventTrigger::Height(h) => Some((h, i)),
                EventTrigger::Time(_) => None,
            })
            .collect();
        by_height.sort();
        let n = events.len();
        Timeline {
            events,
            by_height,
            next_height: 0,
            records: vec![EventRecord::default(); n],
            cuts: Vec::new(),
            ramps: vec![Vec::new(); n],
            undo: vec![None; n],
        }
    }

    /// The configured events.
    pub fn events(&self) -> &[TimelineEvent] {
        &self.events
    }

    /// What each event did.
    pub fn records(&self) -> &[EventRecord] {
        &self.records
    }

    pub(super) fn action(&self, i: usize) -> &EventAction {
        &self.events[i].action
    }

    /// Time-triggered events: (time in seconds, index).
    pub(super) fn timed(&self) -> impl Iterator<Item = (f64, usize)> + '_ {
        self.events.iter().enumerate().filter_map(|(i, e)| match e.at {
            EventTrigger::Time(t) => Some((t, i)),
            EventTrigger::Height(_) => None,
        })
    }

    /// Height-triggered events due now that the best chain is at `height`.
    pub(super) fn due_at_height(&mut self, height: u32) -> Vec<usize> {
        let mut due = Vec::new();
        while let Some(&(h, i)) = self.by_height.get(self.next_height) {
            if h > height {
                break;
            }
            due.push(i);
            self.next_height += 1;
        }
        due
    }

    /// The earliest time a message from `a` to `b` sent now may arrive,
    /// before its latency: the end of the last cut in force that blocks it.
    pub(super) fn release(&self, now: SimTime, a: NodeId, b: NodeId) -> Option<SimTime> {
        self.cuts.iter().filter(|c| c.until > now && c.blocks(a, b)).map(|c| c.until).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partition_blocks_only_messages_across_it_and_churn_blocks_all_of_a_members() {
        let members = vec![true, true, false, false];
        let t = SimTime(100);
        let split = Cut::new(members.clone(), false, t, 0);
        assert!(split.blocks(NodeId(0), NodeId(2)) && split.blocks(NodeId(3), NodeId(1)));
        assert!(!split.blocks(NodeId(0), NodeId(1)) && !split.blocks(NodeId(2), NodeId(3)));
        let offline = Cut::new(members, true, t, 0);
        assert!(offline.blocks(NodeId(0), NodeId(1)) && offline.blocks(NodeId(2), NodeId(0)));
        assert!(!offline.blocks(NodeId(2), NodeId(3)));
        assert_eq!(offline.size(), 2);
    }

    #[test]
    fn height_events_fire_once_in_height_order() {
        use crate::scenario::{EventAction, HashChange};
        let at = |h: u32| TimelineEvent {
            at: EventTrigger::Height(h),
            action: EventAction::Hashrate { pool: None, change: HashChange::Scale(1.0), ramp_s: 0.0 },
        };
        let mut t = Timeline::new(vec![at(20), at(10), at(10)]);
        assert_eq!(t.due_at_height(9), Vec::<usize>::new());
        assert_eq!(t.due_at_height(15), vec![1, 2]);
        assert_eq!(t.due_at_height(15), Vec::<usize>::new());
        assert_eq!(t.due_at_height(30), vec![0]);
    }

    #[test]
    fn the_latest_cut_in_force_decides_the_release() {
        let mut t = Timeline::new(Vec::new());
        t.cuts.push(Cut::new(vec![true, false], false, SimTime(50), 0));
        t.cuts.push(Cut::new(vec![true, false], true, SimTime(80), 1));
        assert_eq!(t.release(SimTime(10), NodeId(0), NodeId(1)), Some(SimTime(80)));
        assert_eq!(t.release(SimTime(60), NodeId(1), NodeId(0)), Some(SimTime(80)));
        assert_eq!(t.release(SimTime(90), NodeId(0), NodeId(1)), None);
    }
}
