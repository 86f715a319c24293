//! A sweep's figures: each chosen metric's mean over the seeds against the first swept key,
//! with its 95 % interval as a band, one line per combination of the other swept keys. Drawn
//! from `aggregate.csv` and `sweep.toml` alone, as `sweep-<metric>.png` and `.svg`.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::PlotError;
use super::draw::{
    DESC_PX, Drawn, Figure, LABEL_PX, color, frame, legend, line_mark, padded, render_as, text, titled,
};
use super::prep::fmt_num;

/// Metrics drawn when the sweep names none.
const DEFAULT_METRICS: [&str; 3] = ["stale_rate", "interval_mean_s", "prop_median_s"];

/// One line: the other keys' values, and per x position (mean, 95 % low, 95 % high).
struct Line {
    label: String,
    points: Vec<(f64, f64, f64, f64)>,
}

struct MetricFigure {
    title: String,
    metric: String,
    x_key: String,
    /// Tick labels of a key whose values are not numbers (positions 0, 1, ...).
    categories: Option<Vec<String>>,
    lines: Vec<Line>,
}

impl Figure for MetricFigure {
    fn stem(&self) -> &'static str {
        "sweep"
    }

    fn heading(&self) -> &'static str {
        "Sweep"
    }

    fn about(&self) -> String {
        format!("{} against {} (aggregate.csv)", self.metric, self.x_key)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let area = titled(root, &self.title)?;
        let all = || self.lines.iter().flat_map(|l| l.points.iter());
        let (x_lo, x_hi) = all().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (y_lo, y_hi) =
            all().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.2.min(p.1)), b.max(p.3.max(p.1))));
        let x_range = if self.categories.is_some() { (x_lo - 0.5)..(x_hi + 0.5) } else { padded(x_lo, x_hi) };
        let mut chart = frame(&area, "mean over seeds, with its 95 % interval", x_range, padded(y_lo, y_hi))?;
        let categories = self.categories.clone();
        let x_fmt = move |v: &f64| match &categories {
            Some(c) => {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 {
                    c.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
            None => fmt_num(*v),
        };
        chart
            .configure_mesh()
            .x_desc(self.x_key.as_str())
            .y_desc(self.metric.as_str())
            .axis_desc_style(text(DESC_PX))
            .label_style(text(LABEL_PX))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|v| fmt_num(*v))
            .x_labels(if self.categories.is_some() {
                self.categories.as_ref().map_or(10, Vec::len) * 4 + 1
            } else {
                10
            })
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(BLACK.mix(0.04))
            .draw()?;
        let palette = [color::BLUE, color::ORANGE, color::GREEN, color::RED, color::PURPLE, color::GREY];
        for (i, line) in self.lines.iter().enumerate() {
            let c = palette[i % palette.len()];
            let band: Vec<(f64, f64)> = line
                .points
                .iter()
                .map(|p| (p.0, p.3))
                .chain(line.points.iter().rev().map(|p| (p.0, p.2)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.15).filled())))?;
            let style = c.stroke_width(3);
            chart.draw_series(line.points.iter().map(|p| Circle::new((p.0, p.1), 4, c.filled())))?;
            let drawn = chart.draw_series(LineSeries::new(line.points.iter().map(|p| (p.0, p.1)), style))?;
            if !line.label.is_empty() {
                drawn.label(line.label.as_str()).legend(line_mark(style));
            }
        }
        if self.lines.iter().any(|l| !l.label.is_empty()) {
            legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        }
        Ok(())
    }
}

/// Draws `sweep-<metric>.png` and `.svg` in `dir` for each of `metrics` (the defaults when
/// empty) that `aggregate.csv` holds; `keys` are the swept keys, in column order. Returns the
/// stems drawn.
pub fn plot_sweep(
    dir: &Path,
    name: &str,
    keys: &[String],
    metrics: &[String],
) -> Result<Vec<String>, PlotError> {
    let path = dir.join("aggregate.csv");
    let bad = |m: String| PlotError::Input { path: path.clone(), message: m };
    let mut r = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> =
        r.headers().map_err(|e| bad(e.to_string()))?.iter().map(str::to_string).collect();
    let rows: Vec<csv::StringRecord> =
        r.records().collect::<Result<_, _>>().map_err(|e| bad(e.to_string()))?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let Some(x_key) = keys.first() else { return Ok(Vec::new()) };
    let x_col = col(x_key).ok_or_else(|| bad(format!("no column {x_key:?}")))?;
    let other_cols: Vec<usize> = keys[1..].iter().filter_map(|k| col(k)).collect();
    let numeric = rows.iter().all(|r| r[x_col].parse::<f64>().is_ok());
    let mut categories: Vec<String> = Vec::new();
    for r in &rows {
        if !categories.contains(&r[x_col].to_string()) {
            categories.push(r[x_col].to_string());
        }
    }
    let x_of = |r: &csv::StringRecord| {
        if numeric {
            r[x_col].parse::<f64>().unwrap_or(0.0)
        } else {
            categories.iter().position(|c| c == &r[x_col]).unwrap_or(0) as f64
        }
    };
    let chosen: Vec<String> = if metrics.is_empty() {
        DEFAULT_METRICS.iter().map(|s| s.to_string()).collect()
    } else {
        metrics.to_vec()
    };
    let mut drawn = Vec::new();
    for metric in chosen {
        let (Some(m), Some(lo), Some(hi)) = (
            col(&format!("{metric}_mean")),
            col(&format!("{metric}_ci95_lo")),
            col(&format!("{metric}_ci95_hi")),
        ) else {
            continue;
        };
        let mut lines: Vec<Line> = Vec::new();
        for r in &rows {
            let Ok(mean) = r[m].parse::<f64>() else { continue };
            let low = r[lo].parse::<f64>().unwrap_or(mean);
            let high = r[hi].parse::<f64>().unwrap_or(mean);
            let label: Vec<String> =
                other_cols.iter().map(|&c| format!("{} = {}", header[c], &r[c])).collect();
            let label = label.join(", ");
            match lines.iter_mut().find(|l| l.label == label) {
                Some(l) => l.points.push((x_of(r), mean, low, high)),
                None => lines.push(Line { label, points: vec![(x_of(r), mean, low, high)] }),
            }
        }
        for l in &mut lines {
            l.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        if lines.is_empty() {
            continue;
        }
        let fig = MetricFigure {
            title: format!("{name}: {metric} against {x_key}"),
            metric: metric.clone(),
            x_key: x_key.clone(),
            categories: (!numeric).then(|| categories.clone()),
            lines,
        };
        let stem = format!("sweep-{metric}");
        render_as(dir, &stem, &fig)?;
        drawn.push(stem);
    }
    Ok(drawn)
}
