//! Figures of the chain: block propagation, the block-interval histogram,
//! interval and difficulty over height, forks, and timeline events.

use super::draw::*;
use super::input::{DifficultyRow, EventRow, RunData};
use super::prep::{
    Bins, TimeUnit, expected_exponential, fmt_num, group_reorgs, reach_curve, reach_points, rolling_mean,
    thin, time_unit,
};
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::iter::once;

/// Points drawn one by one at most; longer series show only their
/// summary lines.
const MAX_RAW_POINTS: usize = 3000;

/// Points of a line at most (thinned beyond).
const MAX_LINE_POINTS: usize = 1500;

/// The title line of a figure: what it shows and which run.
pub fn title(what: &str, data: &RunData) -> String {
    format!("{what}: {}, seed {}", data.info.scenario, data.info.seed)
}

/// Where a time axis ends: the end of the run, or the latest of `times`
/// if later (at least a second).
pub fn end_s(data: &RunData, times: impl Iterator<Item = f64>) -> f64 {
    times.fold(data.info.sim_time_s.max(1.0), f64::max)
}

/// Integer tick labels only (counts, depths).
fn int_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { String::new() }
}

/// Quantile curves of reach over blocks, in (time s, percent) points.
struct Curves {
    p10: Vec<(f64, f64)>,
    p50: Vec<(f64, f64)>,
    p90: Vec<(f64, f64)>,
}

impl Curves {
    fn of(levels: &[f64], times: &[Vec<Option<f64>>]) -> Option<Curves> {
        if times.is_empty() {
            return None;
        }
        let pts = |q| {
            reach_points(&reach_curve(levels, times, q)).into_iter().map(|(t, f)| (t, f * 100.0)).collect()
        };
        Some(Curves { p10: pts(0.1), p50: pts(0.5), p90: pts(0.9) })
    }

    fn max_time(&self) -> f64 {
        self.p90.iter().chain(&self.p50).map(|p| p.0).fold(0.0, f64::max)
    }
}

/// Share of nodes and of hash power holding a block against time since it
/// was published.
pub struct Propagation {
    title: String,
    blocks: usize,
    nodes: Option<Curves>,
    hash: Option<Curves>,
}

impl Propagation {
    /// `None` without main-chain blocks.
    pub fn new(data: &RunData) -> Option<Self> {
        let r = &data.propagation;
        let nodes = Curves::of(&r.levels, &r.nodes)?;
        Some(Propagation {
            title: title("Block propagation", data),
            blocks: r.nodes.len(),
            nodes: Some(nodes),
            hash: Curves::of(&r.levels, &r.hash),
        })
    }
}

impl Figure for Propagation {
    fn stem(&self) -> &'static str {
        "propagation"
    }

    fn heading(&self) -> &'static str {
        "Block propagation"
    }

    fn about(&self) -> String {
        format!(
            "Share of nodes (blue) and of hash power (orange) holding each of the {} main-chain blocks, \
             validated, against time since the block was published: at each tenth of the nodes or hash \
             power, the line is the median over blocks of the time to reach it, and the band runs from the \
             10th to the 90th percentile (propagation.csv). The time axis turns logarithmic when slow \
             blocks take over 30 times as long as the median.",
            self.blocks
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let all = || [&self.nodes, &self.hash].into_iter().flatten();
        let max_s = all().map(Curves::max_time).fold(0.0, f64::max);
        let typical_s = all().flat_map(|c| c.p50.iter().map(|p| p.0)).fold(0.0, f64::max);
        // A long tail (blocks held up by a partition) would squeeze the
        // typical block against the axis: then time runs on a log scale.
        if max_s > 30.0 * typical_s {
            let lo = all()
                .flat_map(|c| c.p10.iter().chain(&c.p50).map(|p| p.0))
                .filter(|&t| t > 0.0)
                .fold(max_s, f64::min);
            let unit = TimeUnit { name: "s, log scale", secs: 1.0 };
            self.draw_on(&area, ((lo / 1.5)..(max_s * 1.2)).log_scale(), unit, lo / 1.5)
        } else {
            let unit = time_unit(max_s);
            self.draw_on(&area, from_zero(max_s / unit.secs), unit, 0.0)
        }
    }
}

impl Propagation {
    /// Draws on a time axis `x` in `unit`; times below `floor` (in the
    /// axis' unit) are drawn at it.
    fn draw_on<DB: DrawingBackend, X>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: X,
        unit: TimeUnit,
        floor: f64,
    ) -> Drawn<DB>
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: F64Axis,
    {
        let caption = format!("How fast main-chain blocks reach the network ({} blocks)", self.blocks);
        let mut chart = frame(area, &caption, x, 0.0..100.0)?;
        let x_desc = format!("time since the block was published ({})", unit.name);
        axes(&mut chart, &x_desc, "share holding the block (%)")?;
        let scale = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
            pts.iter().map(|&(t, f)| ((t / unit.secs).max(floor), f)).collect()
        };
        for (curves, color, who) in
            [(&self.nodes, color::BLUE, "nodes"), (&self.hash, color::ORANGE, "hash power")]
        {
            let Some(c) = curves else { continue };
            let mut band = scale(&c.p10);
            band.extend(scale(&c.p90).into_iter().rev());
            let fill = color.mix(0.18).filled();
            chart
                .draw_series(once(Polygon::new(band, fill)))?
                .label(format!("{who}: 10th to 90th percentile over blocks"))
                .legend(box_mark(fill));
            let line = color.stroke_width(3);
            let label = format!("{who}: median over blocks");
            if who == "nodes" {
                chart.draw_series(LineSeries::new(scale(&c.p50), line))?.label(label).legend(line_mark(line));
            } else {
                // Dashed, so that the nodes' line shows through where every
                // node mines and the two coincide.
                chart
                    .draw_series(DashedLineSeries::new(scale(&c.p50), 12, 8, line))?
                    .label(label)
                    .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 24, y)], 8, 4, line));
            }
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

/// Main-chain block intervals: the time between consecutive blocks' finds.
fn intervals(rows: &[DifficultyRow]) -> Vec<f64> {
    rows.windows(2).map(|w| w[1].found_s - w[0].found_s).collect()
}

/// Histogram of block intervals against the exponential they should follow.
pub struct Intervals {
    title: String,
    count: usize,
    mean_s: f64,
    expected_mean_s: f64,
    /// The axis' unit; the bins are in it, so their widths are round in it.
    unit: TimeUnit,
    bins: Bins,
    expected: Vec<f64>,
}

impl Intervals {
    /// `None` with fewer than two intervals.
    pub fn new(data: &RunData) -> Option<Self> {
        let iv = intervals(&data.difficulty);
        if iv.len() < 2 {
            return None;
        }
        let mean_s = iv.iter().sum::<f64>() / iv.len() as f64;
        let means: Vec<f64> =
            data.difficulty[1..].iter().map(|r| r.expected_interval_s.unwrap_or(mean_s)).collect();
        let unit = time_unit(iv.iter().copied().fold(0.0, f64::max));
        let in_unit = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x / unit.secs).collect() };
        let bins = Bins::of(&in_unit(&iv));
        Some(Intervals {
            title: title("Block intervals", data),
            count: iv.len(),
            mean_s,
            expected_mean_s: means.iter().sum::<f64>() / means.len() as f64,
            unit,
            expected: expected_exponential(&in_unit(&means), &bins),
            bins,
        })
    }
}

impl Figure for Intervals {
    fn stem(&self) -> &'static str {
        "intervals"
    }

    fn heading(&self) -> &'static str {
        "Block intervals"
    }

    fn about(&self) -> String {
        "Histogram of the time between consecutive main-chain blocks' discoveries, against the counts \
         expected if each interval were exponential with the mean its difficulty and the hash rate of \
         the moment give (difficulty.csv). Stale blocks lengthen main-chain intervals a little."
            .into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let n = self.bins.counts.len();
        let unit = self.unit;
        let top = self
            .bins
            .counts
            .iter()
            .map(|&c| c as f64)
            .chain(self.expected.iter().copied())
            .fold(0.0, f64::max);
        let caption = format!(
            "{} main-chain intervals: mean {} s (expected {} s)",
            self.count,
            fmt_num(self.mean_s),
            fmt_num(self.expected_mean_s)
        );
        let mut chart = frame(&area, &caption, 0.0..self.bins.edges(n - 1).1, from_zero(top))?;
        let x_desc = format!("time between consecutive main-chain blocks ({})", unit.name);
        axes_with(&mut chart, &x_desc, "blocks", &int_label, 8)?;
        let fill = color::BLUE.mix(0.55).filled();
        let bars = self.bins.counts.iter().enumerate().map(|(i, &c)| {
            let (a, b) = self.bins.edges(i);
            let mut r = Rectangle::new([(a, 0.0), (b, c as f64)], fill);
            r.set_margin(0, 0, 1, 1);
            r
        });
        chart.draw_series(bars)?.label("observed").legend(box_mark(fill));
        let steps = self.expected.iter().enumerate().flat_map(|(i, &e)| {
            let (a, b) = self.bins.edges(i);
            [(a, e), (b, e)]
        });
        let line = color::ORANGE.stroke_width(3);
        chart
            .draw_series(LineSeries::new(steps, line))?
            .label("expected: exponential at each block's difficulty and hash rate")
            .legend(line_mark(line));
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Main-chain intervals and difficulty against some x (height or time).
struct ChainSeries {
    raw: Vec<(f64, f64)>,
    rolling: Vec<(f64, f64)>,
    window: usize,
    expected: Vec<(f64, f64)>,
    difficulty: Vec<(f64, f64)>,
    start_difficulty: f64,
}

impl ChainSeries {
    fn of(rows: &[DifficultyRow], x_of: impl Fn(&DifficultyRow) -> f64) -> Option<ChainSeries> {
        let iv = intervals(rows);
        if iv.is_empty() {
            return None;
        }
        let xs: Vec<f64> = rows[1..].iter().map(&x_of).collect();
        let window = if iv.len() >= 1440 { 144 } else { (iv.len() / 10).max(3) };
        let rolling: Vec<(f64, f64)> = xs.iter().copied().zip(rolling_mean(&iv, window)).collect();
        let expected: Vec<(f64, f64)> =
            rows[1..].iter().filter_map(|r| r.expected_interval_s.map(|e| (x_of(r), e))).collect();
        let start_difficulty = rows[0].difficulty;
        let difficulty: Vec<(f64, f64)> =
            rows.iter().map(|r| (x_of(r), r.difficulty / start_difficulty)).collect();
        Some(ChainSeries {
            raw: if iv.len() <= MAX_RAW_POINTS { xs.into_iter().zip(iv).collect() } else { Vec::new() },
            rolling: thin(&rolling, MAX_LINE_POINTS),
            window,
            expected: thin(&expected, MAX_LINE_POINTS),
            difficulty: thin(&difficulty, MAX_LINE_POINTS),
            start_difficulty,
        })
    }

    /// The interval panel: each block, the rolling mean and the expectation.
    fn draw_intervals<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: std::ops::Range<f64>,
        x_scale: f64,
        x_desc: &str,
        events: &[EventMark],
    ) -> Drawn<DB> {
        let top = self.raw.iter().chain(&self.rolling).chain(&self.expected).map(|p| p.1).fold(0.0, f64::max);
        let unit = time_unit(top);
        let caption = "Time between consecutive main-chain blocks";
        let mut chart = frame(area, caption, x, from_zero(top / unit.secs))?;
        axes(&mut chart, x_desc, &format!("interval ({})", unit.name))?;
        let y_max = chart.y_range().end;
        draw_events(&mut chart, events, x_scale, y_max, true)?;
        let at = |&(x, y): &(f64, f64)| (x / x_scale, y / unit.secs);
        if !self.raw.is_empty() {
            let dot = color::GREY.mix(0.7).filled();
            chart
                .draw_series(self.raw.iter().map(|p| Circle::new(at(p), 3, dot)))?
                .label("each block")
                .legend(move |(x, y)| Circle::new((x + 12, y), 3, dot));
        }
        let line = color::BLUE.stroke_width(3);
        chart
            .draw_series(LineSeries::new(self.rolling.iter().map(at), line))?
            .label(format!("mean of {} blocks", self.window))
            .legend(line_mark(line));
        let line = color::ORANGE.stroke_width(2);
        chart
            .draw_series(LineSeries::new(self.expected.iter().map(at), line))?
            .label("expected at the block's difficulty and hash rate")
            .legend(line_mark(line));
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }

    /// The difficulty panel, relative to the start.
    fn draw_difficulty<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: std::ops::Range<f64>,
        x_scale: f64,
        x_desc: &str,
        events: &[EventMark],
    ) -> Drawn<DB> {
        let (lo, hi) =
            self.difficulty.iter().fold((f64::MAX, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        let y = if hi - lo < 1e-9 { (lo * 0.9)..(hi * 1.1) } else { padded(lo, hi) };
        let caption = format!("Difficulty relative to the start ({})", fmt_num(self.start_difficulty));
        let mut chart = frame(area, &caption, x, y)?;
        axes(&mut chart, x_desc, "difficulty (× start)")?;
        let y_max = chart.y_range().end;
        draw_events(&mut chart, events, x_scale, y_max, false)?;
        let line = color::GREEN.stroke_width(3);
        chart
            .draw_series(LineSeries::new(self.difficulty.iter().map(|&(x, y)| (x / x_scale, y)), line))?
            .label("difficulty")
            .legend(line_mark(line));
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Block interval and difficulty over height.
pub struct OverHeight {
    title: String,
    series: ChainSeries,
    heights: std::ops::Range<f64>,
}

impl OverHeight {
    /// `None` without a mined main-chain block.
    pub fn new(data: &RunData) -> Option<Self> {
        let series = ChainSeries::of(&data.difficulty, |r| f64::from(r.height))?;
        let (first, last) = (data.difficulty.first()?, data.difficulty.last()?);
        Some(OverHeight {
            title: title("Interval and difficulty", data),
            series,
            heights: f64::from(first.height)..f64::from(last.height).max(f64::from(first.height) + 1.0),
        })
    }
}

impl Figure for OverHeight {
    fn stem(&self) -> &'static str {
        "difficulty"
    }

    fn heading(&self) -> &'static str {
        "Interval and difficulty over height"
    }

    fn about(&self) -> String {
        format!(
            "Top: each main-chain block's interval (time since its parent was found), their mean over {} \
             blocks, and the mean the block's difficulty and the hash rate of the moment give. Bottom: \
             the difficulty relative to the start (difficulty.csv).",
            self.series.window
        )
    }

    fn size(&self) -> (u32, u32) {
        (1200, 980)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let panels = area.split_evenly((2, 1));
        self.series.draw_intervals(&panels[0], self.heights.clone(), 1.0, "height", &[])?;
        self.series.draw_difficulty(&panels[1], self.heights.clone(), 1.0, "height", &[])
    }
}

/// A timeline event to mark: when it fired, when it ended, a label.
struct EventMark {
    fired_s: f64,
    ended_s: Option<f64>,
    label: String,
}

fn event_marks(events: &[EventRow]) -> Vec<EventMark> {
    events
        .iter()
        .filter_map(|e| {
            Some(EventMark {
                fired_s: e.fired_s?,
                ended_s: e.ended_s.filter(|&t| t > e.fired_s.unwrap_or(t)),
                label: format!("#{} {}", e.event, e.kind),
            })
        })
        .collect()
}

/// Vertical lines at events, shaded while in effect; labelled if `labels`.
fn draw_events<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    events: &[EventMark],
    x_scale: f64,
    y_max: f64,
    labels: bool,
) -> Drawn<DB> {
    let y_min = chart.y_range().start;
    for (i, e) in events.iter().enumerate() {
        let x = e.fired_s / x_scale;
        if let Some(end) = e.ended_s {
            let shade = color::RED.mix(0.07).filled();
            chart.draw_series(once(Rectangle::new([(x, y_min), (end / x_scale, y_max)], shade)))?;
        }
        let line = color::RED.mix(0.8).stroke_width(2);
        let anno = chart.draw_series(once(PathElement::new(vec![(x, y_min), (x, y_max)], line)))?;
        if i == 0 && labels {
            anno.label("timeline event (shaded while in effect)").legend(line_mark(line));
        }
        if labels {
            let style = text(LABEL_PX).color(&color::RED);
            let y = y_max - (y_max - y_min) * (0.04 + 0.06 * (i % 3) as f64);
            chart.draw_series(once(Text::new(format!(" {}", e.label), (x, y), style)))?;
        }
    }
    Ok(())
}

/// Interval and difficulty over time, with the timeline's events marked.
pub struct Events {
    title: String,
    series: ChainSeries,
    marks: Vec<EventMark>,
    end_s: f64,
}

impl Events {
    /// `None` without events.csv or a mined main-chain block.
    pub fn new(data: &RunData) -> Option<Self> {
        let events = data.events.as_ref().filter(|e| !e.is_empty())?;
        let series = ChainSeries::of(&data.difficulty, |r| r.found_s)?;
        let marks = event_marks(events);
        let end_s = end_s(
            data,
            data.difficulty
                .iter()
                .map(|r| r.found_s)
                .chain(marks.iter().flat_map(|m| [Some(m.fired_s), m.ended_s]).flatten()),
        );
        Some(Events { title: title("Timeline events", data), series, marks, end_s })
    }
}

impl Figure for Events {
    fn stem(&self) -> &'static str {
        "events"
    }

    fn heading(&self) -> &'static str {
        "Interval and difficulty around timeline events"
    }

    fn about(&self) -> String {
        "The block interval and the difficulty over time, with each timeline event marked where it fired \
         and shaded while it lasted (events.csv, difficulty.csv)."
            .into()
    }

    fn size(&self) -> (u32, u32) {
        (1200, 980)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let panels = area.split_evenly((2, 1));
        let unit = time_unit(self.end_s);
        let x = 0.0..self.end_s / unit.secs;
        let x_desc = unit.sim_time_desc();
        self.series.draw_intervals(&panels[0], x.clone(), unit.secs, &x_desc, &self.marks)?;
        self.series.draw_difficulty(&panels[1], x, unit.secs, &x_desc, &self.marks)
    }
}

/// Stale blocks and reorg depths over time.
pub struct Forks {
    title: String,
    mined: usize,
    stale_s: Vec<f64>,
    reorgs: Vec<(f64, u32, u64)>,
    node_reorgs: usize,
    end_s: f64,
}

impl Forks {
    /// Always drawn: no forks is a result too.
    pub fn new(data: &RunData) -> Self {
        let mut stale_s: Vec<f64> =
            data.blocks.iter().filter(|b| b.main_chain == 0).map(|b| b.found_s).collect();
        stale_s.sort_by(f64::total_cmp);
        let rows: Vec<(f64, u32, u32)> = data.reorgs.iter().map(|r| (r.time_s, r.depth, r.new_tip)).collect();
        let end_s =
            end_s(data, data.blocks.iter().map(|b| b.found_s).chain(data.reorgs.iter().map(|r| r.time_s)));
        Forks {
            title: title("Forks", data),
            mined: data.blocks.len(),
            stale_s,
            reorgs: group_reorgs(&rows),
            node_reorgs: rows.len(),
            end_s,
        }
    }

    fn draw_stale<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        secs: f64,
        x_desc: &str,
    ) -> Drawn<DB> {
        let n = self.stale_s.len();
        let pct = if self.mined > 0 { 100.0 * n as f64 / self.mined as f64 } else { 0.0 };
        let caption = format!("Stale blocks: {n} of {} mined ({pct:.2} %)", self.mined);
        let x = 0.0..self.end_s / secs;
        let mut chart = frame(area, &caption, x, 0.0..(n.max(1) as f64 * 1.2).ceil() + 1.0)?;
        axes_with(&mut chart, x_desc, "stale blocks (cumulative)", &int_label, 8)?;
        let mut steps = vec![(0.0, 0.0)];
        for (k, &t) in self.stale_s.iter().enumerate() {
            steps.extend([(t / secs, k as f64), (t / secs, (k + 1) as f64)]);
        }
        steps.push((self.end_s / secs, n as f64));
        let line = color::RED.stroke_width(2);
        chart.draw_series(LineSeries::new(thin(&steps, 2 * MAX_LINE_POINTS), line))?;
        if n <= MAX_RAW_POINTS {
            let dot = color::RED.filled();
            chart
                .draw_series(
                    self.stale_s
                        .iter()
                        .enumerate()
                        .map(|(k, &t)| Circle::new((t / secs, (k + 1) as f64), 4, dot)),
                )?
                .label("a block found that ended off the main chain")
                .legend(move |(x, y)| Circle::new((x + 12, y), 4, dot));
            legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        }
        if n == 0 {
            note(&mut chart, "no stale blocks")?;
        }
        Ok(())
    }

    fn draw_reorgs<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        secs: f64,
        x_desc: &str,
    ) -> Drawn<DB> {
        let deepest = self.reorgs.iter().map(|r| r.1).max().unwrap_or(0);
        let caption = if self.reorgs.is_empty() {
            "Reorgs: none".to_string()
        } else {
            format!(
                "Reorgs: {} by nodes, to {} new tips; deepest {deepest} block{}",
                self.node_reorgs,
                self.reorgs.len(),
                if deepest == 1 { "" } else { "s" }
            )
        };
        let x = 0.0..self.end_s / secs;
        // Headroom above the deepest reorg keeps the legend clear of the points.
        let top = (f64::from(deepest.max(1)) * 1.3).ceil() + 1.0;
        let mut chart = frame(area, &caption, x, 0.0..top)?;
        axes_with(&mut chart, x_desc, "reorg depth (blocks)", &int_label, 8)?;
        if self.reorgs.is_empty() {
            return note(&mut chart, "no reorgs");
        }
        let dot = color::PURPLE.mix(0.55).filled();
        let radius = |nodes: u64| (4.0 + 3.0 * (nodes as f64).log10()).round() as i32;
        chart
            .draw_series(
                self.reorgs
                    .iter()
                    .map(|&(t, d, nodes)| Circle::new((t / secs, f64::from(d)), radius(nodes), dot)),
            )?
            .label("nodes switching to one new tip (larger: more nodes)")
            .legend(move |(x, y)| Circle::new((x + 12, y), 6, dot));
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    }
}

impl Figure for Forks {
    fn stem(&self) -> &'static str {
        "forks"
    }

    fn heading(&self) -> &'static str {
        "Forks: stale blocks and reorgs"
    }

    fn about(&self) -> String {
        "Top: blocks that ended off the main chain, counted as they were found (blocks.csv). Bottom: \
         reorgs by depth over time; the reorgs of many nodes to the same new tip are one circle, larger \
         the more nodes made it (reorgs.csv)."
            .into()
    }

    fn size(&self) -> (u32, u32) {
        (1200, 980)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let panels = area.split_evenly((2, 1));
        let unit = time_unit(self.end_s);
        let x_desc = unit.sim_time_desc();
        self.draw_stale(&panels[0], unit.secs, &x_desc)?;
        self.draw_reorgs(&panels[1], unit.secs, &x_desc)
    }
}
