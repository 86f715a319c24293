//! Carrying out timeline events: hash-rate steps and ramps, partitions and
//! churn (as [`Cut`]s), latency and bandwidth changes, pools joining,
//! leaving or changing strategy.

use super::timeline::{Cut, RAMP_STEPS};
use super::{Event, World};
use crate::mining::PoolId;
use crate::net::{LatencyModel, NodeId, Region};
use crate::scenario::{EventAction, HashChange, PartitionSide, PoolChange};
use crate::sim::{EventQueue, SimDuration, SimTime};

impl World {
    /// Timeline event `i` fires now.
    pub(super) fn fire(&mut self, now: SimTime, i: usize, queue: &mut EventQueue<Event>) {
        let height = self.tree.get(self.best).height;
        self.timeline.records[i].fired = Some((now, height));
        let detail = match self.timeline.action(i).clone() {
            EventAction::Hashrate { pool, change, ramp_s } => {
                self.start_hashrate(now, i, pool, change, ramp_s, queue)
            }
            EventAction::Partition { side, duration_s } => {
                let members = match &side {
                    PartitionSide::Regions(regions) => {
                        self.net.region.iter().map(|r| regions.contains(r)).collect()
                    }
                    PartitionSide::Fraction(f) => self.random_nodes(*f, false),
                };
                let size = self.cut(now, i, members, false, duration_s, queue);
                let side_name = match &side {
                    PartitionSide::Regions(regions) => {
                        regions.iter().map(|r| r.name()).collect::<Vec<_>>().join("+")
                    }
                    PartitionSide::Fraction(f) => format!("a random {:.1} % of nodes", f * 100.0),
                };
                format!("{side_name} ({size} nodes) cut from the rest for {duration_s} s")
            }
            EventAction::Churn { fraction, duration_s } => {
                let members = self.random_nodes(fraction, true);
                let size = self.cut(now, i, members, true, duration_s, queue);
                format!("{size} non-mining nodes offline for {duration_s} s")
            }
            EventAction::Latency { region, latency_scale, bandwidth_scale, duration_s } => {
                self.scale_links(region, latency_scale, bandwidth_scale);
                if let Some(d) = duration_s {
                    self.timeline.undo[i] = Some((1.0 / latency_scale, 1.0 / bandwidth_scale));
                    queue.schedule(now + SimDuration::from_secs_f64(d), Event::TimelineEnd(i as u32));
                }
                let place = region.map_or("all links".to_string(), |r| format!("links of {}", r.name()));
                let span = duration_s.map_or("for good".to_string(), |d| format!("for {d} s"));
                format!("{place}: latency x{latency_scale}, bandwidth x{bandwidth_scale}, {span}")
            }
            EventAction::Pool { pool, change } => self.pool_event(now, &pool, change, queue),
        };
        self.timeline.records[i].detail = detail;
    }

    /// A hash-rate event: at once, or the first of `RAMP_STEPS` steps.
    fn start_hashrate(
        &mut self,
        now: SimTime,
        i: usize,
        pool: Option<String>,
        change: HashChange,
        ramp_s: f64,
        queue: &mut EventQueue<Event>,
    ) -> String {
        let miners = self.hash.miners();
        let chosen: Vec<usize> = match &pool {
            Some(name) => miners.iter().position(|m| &m.name == name).into_iter().collect(),
            None => (0..miners.len()).collect(),
        };
        let before: f64 = chosen.iter().map(|&p| miners[p].hashrate_hs).sum();
        let targets: Vec<(usize, f64, f64)> = chosen
            .iter()
            .map(|&p| {
                let h = miners[p].hashrate_hs;
                let after = match change {
                    HashChange::Scale(x) => h * x,
                    // A total set from zero goes by the configured shares.
                    HashChange::Set(hs) if before > 0.0 => h / before * hs,
                    HashChange::Set(hs) => {
                        let configured: f64 = chosen.iter().map(|&q| self.configured_hs[q]).sum();
                        self.configured_hs[p] / configured * hs
                    }
                };
                (p, h, after)
            })
            .collect();
        let after: f64 = targets.iter().map(|t| t.2).sum();
        let whom = pool.map_or("total".to_string(), |p| format!("pool {p}"));
        if ramp_s > 0.0 {
            self.timeline.ramps[i] = targets;
            for step in 1..=RAMP_STEPS {
                let at = now + SimDuration::from_secs_f64(ramp_s * f64::from(step) / f64::from(RAMP_STEPS));
                queue.schedule(at, Event::RampStep { event: i as u32, step });
            }
            format!("{whom} hash rate {before:e} -> {after:e} H/s over {ramp_s} s")
        } else {
            for &(p, _, h) in &targets {
                self.hash.set_hashrate(PoolId(p as u32), h);
            }
            self.timeline.records[i].ended = Some(now);
            self.rates_changed(now, queue);
            format!("{whom} hash rate {before:e} -> {after:e} H/s")
        }
    }

    /// Step `step` of event `i`'s ramp: each miner's rate moves linearly.
    pub(super) fn ramp_step(&mut self, now: SimTime, i: usize, step: u32, queue: &mut EventQueue<Event>) {
        let f = f64::from(step) / f64::from(RAMP_STEPS);
        for k in 0..self.timeline.ramps[i].len() {
            let (p, from, to) = self.timeline.ramps[i][k];
            self.hash.set_hashrate(PoolId(p as u32), from + (to - from) * f);
        }
        if step == RAMP_STEPS {
            self.timeline.records[i].ended = Some(now);
        }
        self.rates_changed(now, queue);
    }

    /// The effect of event `i` ends.
    pub(super) fn end_event(&mut self, now: SimTime, i: usize) {
        self.timeline.records[i].ended = Some(now);
        self.timeline.cuts.retain(|c| c.event != i);
        if let (Some((latency, bandwidth)), EventAction::Latency { region, .. }) =
            (self.timeline.undo[i].take(), self.timeline.action(i).clone())
        {
            self.scale_links(region, latency, bandwidth);
        }
    }

    /// Hash rates changed: the next block comes from a fresh draw (the
    /// wait is memoryless, so redrawing is exact).
    fn rates_changed(&mut self, now: SimTime, queue: &mut EventQueue<Event>) {
        if !self.mining_stopped {
            self.redraw_clock(now, queue);
        }
    }

    /// Puts a cut in force until `duration_s` from now; returns its size.
    fn cut(
        &mut self,
        now: SimTime,
        i: usize,
        members: Vec<bool>,
        isolate: bool,
        duration_s: f64,
        queue: &mut EventQueue<Event>,
    ) -> usize {
        let until = now + SimDuration::from_secs_f64(duration_s);
        let cut = Cut::new(members, isolate, until, i);
        let size = cut.size();
        self.timeline.cuts.push(cut);
        queue.schedule(until, Event::TimelineEnd(i as u32));
        size
    }

    /// A random share of the nodes (of the non-mining ones only if
    /// `non_mining`), rounded to the nearest count, drawn from the events
    /// stream.
    fn random_nodes(&mut self, share: f64, non_mining: bool) -> Vec<bool> {
        let n = self.miners_at.len();
        let mut candidates: Vec<usize> =
            (0..n).filter(|&i| !non_mining || self.miners_at[i].is_empty()).collect();
        let count = (share * candidates.len() as f64).round() as usize;
        self.events_rng.shuffle(&mut candidates);
        let mut members = vec![false; n];
        for &i in &candidates[..count] {
            members[i] = true;
        }
        members
    }

    /// Multiplies the mean latency of links with an end in `region` (every
    /// link if `None`) and the bandwidth of the region's nodes.
    fn scale_links(&mut self, region: Option<Region>, latency: f64, bandwidth: f64) {
        let touches = |r: Region| region.is_none_or(|x| x == r);
        if latency != 1.0 {
            if let LatencyModel::Constant(ms) = self.latency {
                self.latency = LatencyModel::Matrix([[ms; 6]; 6]);
            }
            if let LatencyModel::Matrix(m) = &mut self.latency {
                for a in Region::ALL {
                    for b in Region::ALL {
                        if touches(a) || touches(b) {
                            m[a.index()][b.index()] *= latency;
                        }
                    }
                }
            }
        }
        if bandwidth != 1.0 {
            for i in 0..self.net.region.len() {
                if touches(self.net.region[i]) {
                    self.net.upload_bps[i] *= bandwidth;
                    self.net.download_bps[i] *= bandwidth;
                }
            }
        }
    }

    /// A pool joins, leaves or changes strategy.
    fn pool_event(
        &mut self,
        now: SimTime,
        pool: &str,
        change: PoolChange,
        queue: &mut EventQueue<Event>,
    ) -> String {
        let Some(p) = self.hash.miners().iter().position(|m| m.name == pool) else {
            return format!("no pool named {pool}");
        };
        let id = PoolId(p as u32);
        let node = self.hash.miner(id).node;
        match change {
            PoolChange::Join => {
                self.hash.set_hashrate(id, self.configured_hs[p]);
                self.rates_changed(now, queue);
                format!("pool {pool} joins with {:e} H/s", self.configured_hs[p])
            }
            PoolChange::Leave => {
                self.release_withheld(now, p, node, queue);
                self.hash.set_hashrate(id, 0.0);
                self.rates_changed(now, queue);
                format!("pool {pool} leaves")
            }
            PoolChange::Strategy(name) => {
                self.release_withheld(now, p, node, queue);
                self.strategies[p] = super::build::strategy(name, id);
                self.retarget_miners(now, node, queue);
                format!("pool {pool} turns {}", name.name())
            }
        }
    }

    /// A withholding strategy that is being dropped publishes what it
    /// withholds, as at the end of mining.
    fn release_withheld(&mut self, now: SimTime, p: usize, node: NodeId, queue: &mut EventQueue<Event>) {
        if self.strategies[p].is_strategic() {
            let publish = self.strategies[p].on_stop(&self.tree);
            self.publish(now, node, publish, queue);
        }
    }
}
