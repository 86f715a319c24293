//! Figures of the fee market and the miners: mempool size and entry fee
//! rates over time, fee rates per block, confirmation delay by fee-rate
//! band, and revenue share against hash share.

use super::chain::title;
use super::draw::*;
use super::input::{BandRow, RunData};
use super::prep::{GroupStats, fmt_num, group_stats, log_label, thin, time_unit};
use plotters::coord::Shift;
use plotters::coord::ranged1d::AsRangedCoord;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::iter::once;

/// Points of a line at most (thinned beyond).
const MAX_LINE_POINTS: usize = 1500;

/// A band between two lines as one polygon.
fn band(lower: &[(f64, f64)], upper: &[(f64, f64)]) -> Vec<(f64, f64)> {
    lower.iter().copied().chain(upper.iter().rev().copied()).collect()
}

/// Mempool size and the fee rates needed to enter it and the next block.
pub struct Mempool {
    title: String,
    end_s: f64,
    size_vmb: Vec<GroupStats>,
    min_fee: Vec<(f64, f64)>,
    next_block: Vec<(f64, f64)>,
}

impl Mempool {
    /// `None` without mempool.csv rows.
    pub fn new(data: &RunData) -> Option<Self> {
        let rows = data.mempool.as_ref().filter(|r| !r.is_empty())?;
        let size: Vec<(f64, f64)> = rows.iter().map(|r| (r.time_s, r.vsize as f64 / 1e6)).collect();
        let median = |pts: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
            thin(&group_stats(&pts).iter().map(|g| (g.x, g.median)).collect::<Vec<_>>(), MAX_LINE_POINTS)
        };
        let mut size_vmb = group_stats(&size);
        if size_vmb.len() > MAX_LINE_POINTS {
            let step = size_vmb.len().div_ceil(MAX_LINE_POINTS);
            size_vmb = size_vmb.into_iter().step_by(step).collect();
        }
        Some(Mempool {
            title: title("Mempool", data),
            end_s: super::chain::end_s(data, rows.iter().map(|r| r.time_s)),
            size_vmb,
            min_fee: median(rows.iter().map(|r| (r.time_s, r.min_feerate_sat_vb)).collect()),
            next_block: median(
                rows.iter().filter_map(|r| r.next_block_min_feerate_sat_vb.map(|f| (r.time_s, f))).collect(),
            ),
        })
    }
}

impl Figure for Mempool {
    fn stem(&self) -> &'static str {
        "mempool"
    }

    fn heading(&self) -> &'static str {
        "Mempool size and entry fee rate"
    }

    fn about(&self) -> String {
        "Top: the mempool's virtual size at the sampled nodes (median and range). Bottom: the fee rate \
         a transaction needed to enter the mempool (its rolling minimum fee) and to enter the next block \
         (the lowest fee rate in the node's block template), medians over the sampled nodes (mempool.csv)."
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
        let at = |&(t, v): &(f64, f64)| (t / unit.secs, v);
        let top = self.size_vmb.iter().map(|g| g.max).fold(0.0, f64::max);
        let mut chart = frame(&panels[0], "Mempool size at the sampled nodes", x.clone(), from_zero(top))?;
        axes(&mut chart, &x_desc, "mempool size (vMB)")?;
        let lower: Vec<(f64, f64)> = self.size_vmb.iter().map(|g| at(&(g.x, g.min))).collect();
        let upper: Vec<(f64, f64)> = self.size_vmb.iter().map(|g| at(&(g.x, g.max))).collect();
        let fill = color::BLUE.mix(0.18).filled();
        chart
            .draw_series(once(Polygon::new(band(&lower, &upper), fill)))?
            .label("range over nodes")
            .legend(box_mark(fill));
        let line = color::BLUE.stroke_width(3);
        chart
            .draw_series(LineSeries::new(self.size_vmb.iter().map(|g| at(&(g.x, g.median))), line))?
            .label("median node")
            .legend(line_mark(line));
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;

        let top = self.min_fee.iter().chain(&self.next_block).map(|p| p.1).fold(0.0, f64::max);
        let mut chart = frame(&panels[1], "Fee rate needed to get in (median node)", x, from_zero(top))?;
        axes(&mut chart, &x_desc, "fee rate (sat/vB)")?;
        let line = color::GREEN.stroke_width(3);
        chart
            .draw_series(LineSeries::new(self.next_block.iter().map(at), line))?
            .label("lowest fee rate in the next-block template")
            .legend(line_mark(line));
        let line = color::RED.stroke_width(3);
        chart
            .draw_series(LineSeries::new(self.min_fee.iter().map(at), line))?
            .label("mempool minimum fee rate (to enter the mempool)")
            .legend(line_mark(line));
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Fee-rate percentiles of each main-chain block's transactions.
pub struct Fees {
    title: String,
    end_s: f64,
    blocks: usize,
    p10: Vec<(f64, f64)>,
    p50: Vec<(f64, f64)>,
    p90: Vec<(f64, f64)>,
}

impl Fees {
    /// `None` when no main-chain block has fee rates (no transactions).
    pub fn new(data: &RunData) -> Option<Self> {
        let rows: Vec<_> = data
            .blocks
            .iter()
            .filter(|b| b.main_chain == 1)
            .filter_map(|b| {
                Some((b.found_s, b.feerate_p10_sat_vb?, b.feerate_p50_sat_vb?, b.feerate_p90_sat_vb?))
            })
            .collect();
        if rows.is_empty() {
            return None;
        }
        let step = rows.len().div_ceil(MAX_LINE_POINTS);
        let pick = |f: fn(&(f64, f64, f64, f64)) -> f64| -> Vec<(f64, f64)> {
            rows.iter().step_by(step).map(|r| (r.0, f(r))).collect()
        };
        Some(Fees {
            title: title("Fee rates per block", data),
            end_s: super::chain::end_s(data, data.blocks.iter().map(|b| b.found_s)),
            blocks: rows.len(),
            p10: pick(|r| r.1),
            p50: pick(|r| r.2),
            p90: pick(|r| r.3),
        })
    }

    fn draw_on<DB: DrawingBackend, Y>(&self, area: &DrawingArea<DB, Shift>, y: Y, log: bool) -> Drawn<DB>
    where
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: F64Axis,
    {
        let unit = time_unit(self.end_s);
        let caption =
            format!("Fee rates of the transactions in each main-chain block ({} blocks)", self.blocks);
        let mut chart = frame(area, &caption, 0.0..self.end_s / unit.secs, y)?;
        let x_desc = format!("block found at, simulated time ({})", unit.name);
        if log {
            axes_with(&mut chart, &x_desc, "fee rate (sat/vB, log scale)", &log_label, 30)?;
        } else {
            axes(&mut chart, &x_desc, "fee rate (sat/vB)")?;
        }
        let floor = chart.y_range().start;
        let at = |&(t, v): &(f64, f64)| (t / unit.secs, v.max(floor));
        let lower: Vec<(f64, f64)> = self.p10.iter().map(at).collect();
        let upper: Vec<(f64, f64)> = self.p90.iter().map(at).collect();
        let fill = color::ORANGE.mix(0.22).filled();
        chart
            .draw_series(once(Polygon::new(band(&lower, &upper), fill)))?
            .label("10th to 90th percentile of the block's transactions")
            .legend(box_mark(fill));
        let line = color::ORANGE.stroke_width(3);
        chart
            .draw_series(LineSeries::new(self.p50.iter().map(at), line))?
            .label("median")
            .legend(line_mark(line));
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

impl Figure for Fees {
    fn stem(&self) -> &'static str {
        "fees"
    }

    fn heading(&self) -> &'static str {
        "Fee rates per block"
    }

    fn about(&self) -> String {
        "The 10th, 50th and 90th percentile fee rate of the transactions in each main-chain block, \
         against the time it was found (blocks.csv); empty blocks have none. The axis is logarithmic \
         when the fee rates span more than a factor of 30."
            .into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let hi = self.p90.iter().map(|p| p.1).fold(0.0, f64::max);
        let lo = self.p10.iter().map(|p| p.1).filter(|&v| v > 0.0).fold(f64::MAX, f64::min);
        if lo < f64::MAX && hi / lo > 30.0 {
            self.draw_on(&area, ((lo / 1.3)..(hi * 1.3)).log_scale(), true)
        } else {
            self.draw_on(&area, from_zero(hi), false)
        }
    }
}

/// Confirmation delay by fee-rate band: one bar group per band.
pub struct Confirmation {
    title: String,
    /// Per band: its label and row.
    bands: Vec<(String, BandRow)>,
}

impl Confirmation {
    /// `None` without conf_by_feerate.csv or when nothing was confirmed.
    pub fn new(data: &RunData) -> Option<Self> {
        let rows = data.bands.as_ref()?;
        if rows.iter().all(|b| b.delay_median_s.is_none()) {
            return None;
        }
        let bands = rows
            .iter()
            .map(|b| {
                let label = match b.feerate_to_sat_vb {
                    Some(hi) => format!("{}–{}", fmt_num(b.feerate_from_sat_vb), fmt_num(hi)),
                    None => format!("≥ {}", fmt_num(b.feerate_from_sat_vb)),
                };
                (label, b.clone())
            })
            .collect();
        Some(Confirmation { title: title("Confirmation delay", data), bands })
    }
}

impl Figure for Confirmation {
    fn stem(&self) -> &'static str {
        "confirmation"
    }

    fn heading(&self) -> &'static str {
        "Confirmation delay by fee rate"
    }

    fn about(&self) -> String {
        "Median (dark) and 90th percentile (light) time from a transaction's creation to its first \
         main-chain confirmation, by fee-rate band, with the share of the band's transactions confirmed \
         by the end of the run (conf_by_feerate.csv)."
            .into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let top =
            self.bands.iter().filter_map(|(_, b)| b.delay_p90_s.or(b.delay_median_s)).fold(0.0, f64::max);
        let unit = time_unit(top);
        let n = self.bands.len() as u32;
        let caption = "Time to the first confirmation, by the transaction's fee rate";
        // Integer ranges include their end: n bands are 0..=n-1.
        let mut chart =
            frame(&area, caption, (0..n - 1).into_segmented(), from_zero(top / unit.secs * 1.05))?;
        let labels: Vec<&str> = self.bands.iter().map(|b| b.0.as_str()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("fee-rate band (sat/vB)")
            .y_desc(format!("confirmation delay ({})", unit.name))
            .axis_desc_style(text(DESC_PX))
            .label_style(text(LABEL_PX))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).map_or(String::new(), |s| s.to_string()),
                _ => String::new(),
            })
            .y_label_formatter(&|v| fmt_num(*v))
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(BLACK.mix(0.04))
            .draw()?;
        let bar = |i: usize, v: f64, inset: u32, style: ShapeStyle| {
            let i = i as u32;
            let mut r = Rectangle::new(
                [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v / unit.secs)],
                style,
            );
            r.set_margin(0, 0, inset, inset);
            r
        };
        let light = color::BLUE.mix(0.3).filled();
        let dark = color::BLUE.filled();
        chart
            .draw_series(
                self.bands.iter().enumerate().filter_map(|(i, b)| Some(bar(i, b.1.delay_p90_s?, 12, light))),
            )?
            .label("90th percentile")
            .legend(box_mark(light));
        chart
            .draw_series(
                self.bands
                    .iter()
                    .enumerate()
                    .filter_map(|(i, b)| Some(bar(i, b.1.delay_median_s?, 30, dark))),
            )?
            .label("median")
            .legend(box_mark(dark));
        let style = text(LABEL_PX).pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(self.bands.iter().enumerate().map(|(i, (_, b))| {
            let y = b.delay_p90_s.or(b.delay_median_s).unwrap_or(0.0) / unit.secs;
            let share = if b.created > 0 {
                format!("{} % confirmed", fmt_num((100.0 * b.confirmed as f64 / b.created as f64).round()))
            } else {
                "none created".into()
            };
            Text::new(share, (SegmentValue::CenterOf(i as u32), y), style.clone())
        }))?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// Revenue share against hash share, one point per miner.
pub struct Pools {
    title: String,
    /// Name, hash share (%), revenue share (%), honest.
    points: Vec<(String, f64, f64, bool)>,
}

impl Pools {
    /// Names the largest miners beside their points, each where it
    /// overlaps no point or name already drawn (or not at all).
    fn draw_names<DB: DrawingBackend>(&self, chart: &mut Chart<'_, DB>) -> Drawn<DB> {
        let style = text(LABEL_PX);
        let r = 7;
        let mut taken: Vec<[i32; 4]> = self
            .points
            .iter()
            .map(|p| {
                let (x, y) = chart.backend_coord(&(p.1, p.2));
                [x - r, y - r, x + r, y + r]
            })
            .collect();
        let overlaps = |a: &[i32; 4], b: &[i32; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
        for p in self.points.iter().take(POOLS_NAMED) {
            let (w, h) = chart.plotting_area().estimate_text_size(&p.0, &style)?;
            let (w, h) = (w as i32, h as i32);
            let (x, y) = chart.backend_coord(&(p.1, p.2));
            let spots = [(r + 2, -h - r + 2), (r + 2, r - 2), (-w - r - 2, -h - r + 2), (-w - r - 2, r - 2)];
            let Some((dx, dy)) = spots.into_iter().find(|&(dx, dy)| {
                let b = [x + dx, y + dy, x + dx + w, y + dy + h];
                !taken.iter().any(|t| overlaps(t, &b))
            }) else {
                continue;
            };
            taken.push([x + dx, y + dy, x + dx + w, y + dy + h]);
            chart.draw_series(once(
                EmptyElement::at((p.1, p.2)) + Text::new(p.0.clone(), (dx, dy), style.clone()),
            ))?;
        }
        Ok(())
    }
}

/// The most miners the pools figure shows.
pub const MAX_POOLS: usize = 200;

/// Miners named beside their point: the largest few.
const POOLS_NAMED: usize = 8;

impl Pools {
    /// `None` when no miner has main-chain revenue, or with more than
    /// [`MAX_POOLS`] miners (every node mining: a cloud of noise at zero).
    pub fn new(data: &RunData) -> Option<Self> {
        if data.pools.len() > MAX_POOLS {
            return None;
        }
        let mut points: Vec<(String, f64, f64, bool)> = data
            .pools
            .iter()
            .filter_map(|p| {
                Some((p.pool.clone(), 100.0 * p.hash_share, 100.0 * p.revenue_share?, p.strategy == "honest"))
            })
            .collect();
        if points.is_empty() {
            return None;
        }
        points.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Some(Pools { title: title("Pools", data), points })
    }
}

impl Figure for Pools {
    fn stem(&self) -> &'static str {
        "pools"
    }

    fn heading(&self) -> &'static str {
        "Revenue share against hash share"
    }

    fn about(&self) -> String {
        "Each miner's share of the main chain's revenue (subsidy and fees) against its share of the hash \
         rate; on the diagonal a miner earns exactly its share. Strategic miners are red (pools.csv)."
            .into()
    }

    fn size(&self) -> (u32, u32) {
        (1200, 900)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let top = self.points.iter().map(|p| p.1.max(p.2)).fold(0.0, f64::max) * 1.1;
        let caption = format!("{} miners: revenue share against hash share", self.points.len());
        let mut chart = frame(&area, &caption, 0.0..top, 0.0..top)?;
        axes(&mut chart, "share of the hash rate (%)", "share of the main chain's revenue (%)")?;
        let diag = color::GREY.stroke_width(2);
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (top, top)], diag))?
            .label("revenue share = hash share")
            .legend(line_mark(diag));
        for (honest, color, label) in
            [(true, color::BLUE, "honest miner"), (false, color::RED, "strategic miner")]
        {
            let dots: Vec<_> = self.points.iter().filter(|p| p.3 == honest).collect();
            if dots.is_empty() {
                continue;
            }
            let style = color.mix(0.8).filled();
            chart
                .draw_series(dots.iter().map(|p| Circle::new((p.1, p.2), 6, style)))?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 12, y), 6, style));
        }
        self.draw_names(&mut chart)?;
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}
