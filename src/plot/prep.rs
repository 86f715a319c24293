//! Data preparation for the plots: quantile bands, histogram bins, the
//! exponential a block interval should follow, rolling means, thinning of
//! long series, time units and tick labels. Pure functions, unit-tested.

use std::collections::BTreeMap;

/// The nearest-rank `q`-quantile of sorted values, where `missing` values
/// count as larger than any (a block that never reached a level took
/// forever); `None` when the rank falls among the missing or there are no
/// values at all.
pub fn quantile_with_missing(sorted: &[f64], missing: usize, q: f64) -> Option<f64> {
    let n = sorted.len() + missing;
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// One quantile curve of reach: per level, the time by which the `q`-quantile
/// block had reached it.
pub fn reach_curve(levels: &[f64], times: &[Vec<Option<f64>>], q: f64) -> Vec<(f64, Option<f64>)> {
    levels
        .iter()
        .enumerate()
        .map(|(k, &level)| {
            let mut finite: Vec<f64> = times.iter().filter_map(|t| t.get(k).copied().flatten()).collect();
            finite.sort_by(f64::total_cmp);
            (level, quantile_with_missing(&finite, times.len() - finite.len(), q))
        })
        .collect()
}

/// The points of a reach curve to draw, (time, fraction), starting at
/// (0, 0) and stopping at the first level never reached.
pub fn reach_points(curve: &[(f64, Option<f64>)]) -> Vec<(f64, f64)> {
    std::iter::once((0.0, 0.0)).chain(curve.iter().map_while(|&(level, t)| t.map(|t| (t, level)))).collect()
}

/// Equal-width histogram bins from 0 covering every value.
#[derive(Clone, Debug, PartialEq)]
pub struct Bins {
    /// Width of a bin.
    pub width: f64,
    /// Count per bin.
    pub counts: Vec<u64>,
}

impl Bins {
    /// Bins of a "nice" width (1, 2, 2.5 or 5 times a power of ten), about
    /// √n of them (10 to 50), from 0 past the largest of the non-negative
    /// `values`.
    pub fn of(values: &[f64]) -> Bins {
        let max = values.iter().copied().fold(0.0, f64::max);
        let target = ((values.len() as f64).sqrt().round() as usize).clamp(10, 50);
        let width = nice_step(if max > 0.0 { max / target as f64 } else { 1.0 });
        let n = ((max / width).floor() as usize + 1).max(1);
        let mut counts = vec![0; n];
        for &v in values {
            counts[((v.max(0.0) / width) as usize).min(n - 1)] += 1;
        }
        Bins { width, counts }
    }

    /// Lower and upper edge of bin `i`.
    pub fn edges(&self, i: usize) -> (f64, f64) {
        (i as f64 * self.width, (i + 1) as f64 * self.width)
    }
}

/// The expected count per bin if the value of item `i` were exponential
/// with mean `means[i]`: the sum over items of each one's probability of
/// landing in the bin. Items sharing a mean are counted together, so a long
/// run at few difficulties costs little.
pub fn expected_exponential(means: &[f64], bins: &Bins) -> Vec<f64> {
    let mut by_mean: BTreeMap<u64, (f64, u64)> = BTreeMap::new();
    for &m in means.iter().filter(|m| **m > 0.0) {
        by_mean.entry(m.to_bits()).or_insert((m, 0)).1 += 1;
    }
    (0..bins.counts.len())
        .map(|i| {
            let (a, b) = bins.edges(i);
            by_mean.values().map(|&(m, c)| c as f64 * ((-a / m).exp() - (-b / m).exp())).sum()
        })
        .collect()
}

/// A "nice" step at least `raw`: 1, 2, 2.5 or 5 times a power of ten.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw > 0.0 && raw.is_finite()) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * p)
}

/// Mean over a centred window of `window` values (shrinking at the ends).
pub fn rolling_mean(ys: &[f64], window: usize) -> Vec<f64> {
    let half = window.max(1) / 2;
    let mut prefix = Vec::with_capacity(ys.len() + 1);
    prefix.push(0.0);
    for &y in ys {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + y);
    }
    (0..ys.len())
        .map(|i| {
            let (lo, hi) = (i.saturating_sub(half), (i + half + 1).min(ys.len()));
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

/// At most about `max` points of a line: points in the middle of a flat
/// run are dropped first (a difficulty that changes every 2,016 blocks
/// keeps only its steps), then every k-th point is kept, always with the
/// last.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    let kept: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .filter(|&(i, p)| i == 0 || i + 1 == points.len() || points[i - 1].1 != p.1 || points[i + 1].1 != p.1)
        .map(|(_, &p)| p)
        .collect();
    if kept.len() <= max.max(2) {
        return kept;
    }
    let step = kept.len().div_ceil(max.max(2));
    let mut out: Vec<(f64, f64)> = kept.iter().copied().step_by(step).collect();
    if out.last() != kept.last() {
        out.extend(kept.last());
    }
    out
}

/// A unit for a time axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeUnit {
    /// Its name in axis labels.
    pub name: &'static str,
    /// Seconds per unit.
    pub secs: f64,
}

impl TimeUnit {
    /// The x-axis description of simulated time in this unit.
    pub fn sim_time_desc(&self) -> String {
        format!("simulated time ({})", self.name)
    }
}

/// The unit that suits a time axis running to `max_s` seconds.
pub fn time_unit(max_s: f64) -> TimeUnit {
    match max_s {
        m if m <= 600.0 => TimeUnit { name: "s", secs: 1.0 },
        m if m <= 3.0 * 3600.0 => TimeUnit { name: "min", secs: 60.0 },
        m if m <= 3.0 * 86_400.0 => TimeUnit { name: "h", secs: 3600.0 },
        _ => TimeUnit { name: "days", secs: 86_400.0 },
    }
}

/// A tick label: up to four significant digits without trailing zeros,
/// engineering notation beyond a million.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e6).contains(&a) {
        let e = a.log10().floor() as i32;
        return format!("{}e{e}", trim(format!("{:.2}", v / 10f64.powi(e))));
    }
    let digits = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    trim(format!("{v:.digits$}"))
}

/// A tick label on a log axis: only at 1, 2 and 5 times a power of ten,
/// so the lines between stay unlabelled.
pub fn log_label(v: &f64) -> String {
    if *v <= 0.0 {
        return String::new();
    }
    let m = v / 10f64.powf(v.log10().floor());
    if [1.0, 2.0, 5.0, 10.0].iter().any(|k| (m - k).abs() < 1e-6) { fmt_num(*v) } else { String::new() }
}

fn trim(s: String) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Median, minimum and maximum of each group of consecutive items with the
/// same key (samples of several nodes taken at one time).
pub fn group_stats(items: &[(f64, f64)]) -> Vec<GroupStats> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let key = items[i].0;
        let mut ys: Vec<f64> = items[i..].iter().take_while(|p| p.0 == key).map(|p| p.1).collect();
        i += ys.len();
        ys.sort_by(f64::total_cmp);
        out.push(GroupStats { x: key, median: ys[(ys.len() - 1) / 2], min: ys[0], max: ys[ys.len() - 1] });
    }
    out
}

/// Summary of one group of [`group_stats`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupStats {
    /// The group's key.
    pub x: f64,
    /// Lower median.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Reorgs of many nodes to the same tip are one fork resolving: one point
/// per (new tip, depth), at the first node's time, with how many nodes made
/// it. In order of time.
pub fn group_reorgs(rows: &[(f64, u32, u32)]) -> Vec<(f64, u32, u64)> {
    let mut groups: BTreeMap<(u32, u32), (f64, u64)> = BTreeMap::new();
    for &(time_s, depth, new_tip) in rows {
        let g = groups.entry((new_tip, depth)).or_insert((time_s, 0));
        g.0 = g.0.min(time_s);
        g.1 += 1;
    }
    let mut out: Vec<(f64, u32, u64)> = groups.into_iter().map(|((_, d), (t, n))| (t, d, n)).collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_count_missing_values_as_largest() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_with_missing(&v, 0, 0.5), Some(2.0));
        assert_eq!(quantile_with_missing(&v, 0, 0.9), Some(4.0));
        assert_eq!(quantile_with_missing(&v, 0, 0.0), Some(1.0));
        // Six blocks, two never reached: the median is the third value.
        assert_eq!(quantile_with_missing(&v, 2, 0.5), Some(3.0));
        assert_eq!(quantile_with_missing(&v, 2, 0.9), None);
        assert_eq!(quantile_with_missing(&[], 0, 0.5), None);
    }

    #[test]
    fn reach_curves_stop_at_the_first_level_never_reached() {
        let levels = [0.5, 1.0];
        let times = vec![vec![Some(1.0), Some(2.0)], vec![Some(3.0), None], vec![Some(2.0), Some(5.0)]];
        let median = reach_curve(&levels, &times, 0.5);
        assert_eq!(median, vec![(0.5, Some(2.0)), (1.0, Some(5.0))]);
        let p90 = reach_curve(&levels, &times, 0.9);
        assert_eq!(p90, vec![(0.5, Some(3.0)), (1.0, None)]);
        assert_eq!(reach_points(&p90), vec![(0.0, 0.0), (3.0, 0.5)]);
    }

    #[test]
    fn bins_have_nice_widths_and_hold_every_value() {
        let values: Vec<f64> = (0..100).map(|i| f64::from(i) * 12.3).collect();
        let b = Bins::of(&values);
        assert_eq!(b.width, 200.0, "1217.7 / 10 bins rounds up to 200");
        assert_eq!(b.counts.len(), 7);
        assert_eq!(b.counts.iter().sum::<u64>(), 100);
        assert_eq!(b.edges(2), (400.0, 600.0));
        assert_eq!(Bins::of(&[]).counts, vec![0]);
        assert_eq!(Bins::of(&[0.0, 0.0]).counts, vec![2]);
    }

    #[test]
    fn expected_counts_follow_the_exponential() {
        let bins = Bins { width: 600.0, counts: vec![0; 3] };
        let e = expected_exponential(&[600.0; 1000], &bins);
        let p = |a: f64, b: f64| 1000.0 * ((-a).exp() - (-b).exp());
        for (got, want) in e.iter().zip([p(0.0, 1.0), p(1.0, 2.0), p(2.0, 3.0)]) {
            assert!((got - want).abs() < 1e-9, "{got} {want}");
        }
        // Two means: the sum of both items' probabilities.
        let e = expected_exponential(&[600.0, 1200.0], &bins);
        let want = (1.0 - (-1.0f64).exp()) + (1.0 - (-0.5f64).exp());
        assert!((e[0] - want).abs() < 1e-12);
    }

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.1), 2.0);
        assert_eq!(nice_step(2.2), 2.5);
        assert_eq!(nice_step(31.0), 50.0);
        assert_eq!(nice_step(60.0), 100.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn rolling_means_shrink_at_the_ends() {
        assert_eq!(rolling_mean(&[1.0, 2.0, 3.0, 4.0, 5.0], 3), vec![1.5, 2.0, 3.0, 4.0, 4.5]);
        assert_eq!(rolling_mean(&[1.0, 3.0], 1), vec![1.0, 3.0]);
        assert!(rolling_mean(&[], 5).is_empty());
    }

    #[test]
    fn thinning_keeps_steps_ends_and_bounds_the_count() {
        let steps: Vec<(f64, f64)> = (0..10).map(|i| (f64::from(i), if i < 5 { 1.0 } else { 2.0 })).collect();
        assert_eq!(thin(&steps, 100), vec![(0.0, 1.0), (4.0, 1.0), (5.0, 2.0), (9.0, 2.0)]);
        let line: Vec<(f64, f64)> = (0..1000).map(|i| (f64::from(i), f64::from(i))).collect();
        let t = thin(&line, 100);
        assert!(t.len() <= 101, "{}", t.len());
        assert_eq!((t[0], *t.last().unwrap()), ((0.0, 0.0), (999.0, 999.0)));
    }

    #[test]
    fn time_units_and_labels() {
        assert_eq!(time_unit(30.0).name, "s");
        assert_eq!(time_unit(3600.0).name, "min");
        assert_eq!(time_unit(43_200.0).name, "h");
        assert_eq!(time_unit(5_184_000.0).name, "days");
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(600.0), "600");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1.5), "1.5");
        assert_eq!(fmt_num(12345.0), "12345");
        assert_eq!(fmt_num(1.397e14), "1.4e14");
        assert_eq!(fmt_num(-2.0), "-2");
        assert_eq!(log_label(&20.0), "20");
        assert_eq!(log_label(&0.5), "0.5");
        assert_eq!(log_label(&1.0), "1");
        assert_eq!(log_label(&30.0), "");
        assert_eq!(log_label(&0.0), "");
    }

    #[test]
    fn groups_summarise_consecutive_keys() {
        let g = group_stats(&[(0.0, 3.0), (0.0, 1.0), (0.0, 2.0), (5.0, 7.0)]);
        assert_eq!(g[0], GroupStats { x: 0.0, median: 2.0, min: 1.0, max: 3.0 });
        assert_eq!(g[1], GroupStats { x: 5.0, median: 7.0, min: 7.0, max: 7.0 });
    }

    #[test]
    fn reorgs_group_by_tip_and_depth() {
        let rows = [(10.0, 1, 7), (10.5, 1, 7), (9.8, 1, 7), (20.0, 2, 9), (20.1, 1, 9)];
        assert_eq!(group_reorgs(&rows), vec![(9.8, 1, 3), (20.0, 2, 1), (20.1, 1, 1)]);
    }
}
