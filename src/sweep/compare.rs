//! Paired comparison of a baseline and a variant run on the same seeds (common random numbers:
//! the same topology, workload and mining draws wherever the change allows), and the
//! `--fail-if` conditions a CI job acts on.

use super::stats::Estimate;

/// One metric compared.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Summary column.
    pub metric: String,
    /// The baseline's runs.
    pub base: Option<Estimate>,
    /// The variant's runs.
    pub variant: Option<Estimate>,
    /// Variant minus baseline, seed by seed (only seeds where both have a value).
    pub diff: Option<Estimate>,
}

/// Compares `base` and `variant` metric rows (one row per seed, same seeds in the same order,
/// cells in `metrics` order). Metrics with no numeric value are left out.
pub fn compare_rows(metrics: &[String], base: &[Vec<String>], variant: &[Vec<String>]) -> Vec<Comparison> {
    assert_eq!(base.len(), variant.len(), "paired runs");
    let num = |rows: &[Vec<String>], m: usize| -> Vec<Option<f64>> {
        rows.iter().map(|r| r.get(m).and_then(|c| c.parse::<f64>().ok()).filter(|x| x.is_finite())).collect()
    };
    (0..metrics.len())
        .filter_map(|m| {
            let (b, v) = (num(base, m), num(variant, m));
            if b.iter().chain(&v).all(Option::is_none) {
                return None;
            }
            let present = |xs: &[Option<f64>]| xs.iter().flatten().copied().collect::<Vec<f64>>();
            let diffs: Vec<f64> = b.iter().zip(&v).filter_map(|(x, y)| Some((*y)? - (*x)?)).collect();
            Some(Comparison {
                metric: metrics[m].clone(),
                base: Estimate::of(&present(&b)),
                variant: Estimate::of(&present(&v)),
                diff: Estimate::of(&diffs),
            })
        })
        .collect()
}

/// A `--fail-if` condition: `METRIC>+X`, `METRIC<-X`, with `X` absolute or a percentage of the
/// baseline's mean (`stale_rate>+0.001`, `interval_mean_s<-5%`). It holds when the paired
/// difference's whole 95 % interval lies beyond `X`: the change is significant and at least
/// that large.
#[derive(Clone, Debug, PartialEq)]
pub struct FailIf {
    /// As given.
    pub text: String,
    /// Summary column.
    pub metric: String,
    /// `>` (true) or `<`.
    pub greater: bool,
    /// The threshold.
    pub threshold: f64,
    /// `threshold` is a percentage of the baseline's mean.
    pub percent: bool,
}

impl FailIf {
    /// Parses a condition.
    pub fn parse(text: &str) -> Result<FailIf, String> {
        let bad = |why: &str| {
            format!(
                "{why} in {text:?}; expected METRIC>+X or METRIC<-X, X a number or a percentage, like stale_rate>+0.001 or interval_mean_s<-5%"
            )
        };
        let at = text.find(['>', '<']).ok_or_else(|| bad("no > or <"))?;
        let metric = text[..at].trim();
        if metric.is_empty() || !metric.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(bad("no metric name"));
        }
        let greater = text[at..].starts_with('>');
        let rest = text[at + 1..].trim();
        let (number, percent) = match rest.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (rest, false),
        };
        let threshold: f64 = number.parse().map_err(|_| bad("the threshold is not a number"))?;
        if !threshold.is_finite() {
            return Err(bad("the threshold is not finite"));
        }
        Ok(FailIf { text: text.to_string(), metric: metric.to_string(), greater, threshold, percent })
    }

    /// The threshold in the metric's units, given the comparison.
    pub fn absolute(&self, c: &Comparison) -> Option<f64> {
        if self.percent {
            c.base.map(|b| self.threshold / 100.0 * b.mean.abs())
        } else {
            Some(self.threshold)
        }
    }

    /// True if the condition holds, with 95 % confidence, in `c`.
    pub fn holds(&self, c: &Comparison) -> bool {
        let (Some(diff), Some(t)) = (c.diff, self.absolute(c)) else { return false };
        match (self.greater, diff.lo(), diff.hi()) {
            (true, Some(lo), _) => lo > t,
            (false, _, Some(hi)) => hi < t,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(xs: &[&str]) -> Vec<Vec<String>> {
        xs.iter().map(|x| vec![x.to_string(), "label".to_string()]).collect()
    }

    #[test]
    fn differences_are_paired_by_seed() {
        let metrics = vec!["stale_rate".to_string(), "name".to_string()];
        // Base varies a lot between seeds; the variant adds 0.01 to each: paired, that is exact.
        let c = compare_rows(&metrics, &rows(&["0.1", "0.5", "0.9"]), &rows(&["0.11", "0.51", "0.91"]));
        assert_eq!(c.len(), 1, "text columns are left out");
        let d = c[0].diff.unwrap();
        assert!((d.mean - 0.01).abs() < 1e-12 && d.sd.unwrap() < 1e-12 && d.significant());
        let up = FailIf::parse("stale_rate>+0.005").unwrap();
        assert!(up.holds(&c[0]));
        assert!(!FailIf::parse("stale_rate>+0.02").unwrap().holds(&c[0]));
        assert!(!FailIf::parse("stale_rate<-0.005").unwrap().holds(&c[0]));
        // 0.01 is 2 % of the base mean 0.5.
        assert!(FailIf::parse("stale_rate>1%").unwrap().holds(&c[0]));
        assert!(!FailIf::parse("stale_rate>3%").unwrap().holds(&c[0]));
        // A seed without a value leaves its pair out.
        let gap = compare_rows(&metrics, &rows(&["0.1", "", "0.3"]), &rows(&["0.2", "0.4", "0.4"]));
        assert_eq!(gap[0].diff.unwrap().n, 2);
        assert_eq!(gap[0].variant.unwrap().n, 3);
    }

    #[test]
    fn conditions_parse_or_say_why_not() {
        let f = FailIf::parse("interval_mean_s<-5%").unwrap();
        assert_eq!(
            (f.metric.as_str(), f.greater, f.threshold, f.percent),
            ("interval_mean_s", false, -5.0, true)
        );
        for bad in ["stale_rate", ">0.1", "stale_rate>x", "stale rate>1", "stale_rate>inf"] {
            assert!(FailIf::parse(bad).is_err(), "{bad}");
        }
        // One seed gives no interval: nothing holds with confidence.
        let c = compare_rows(&["m".to_string()], &rows(&["1"]), &rows(&["5"]));
        assert!(!FailIf::parse("m>+1").unwrap().holds(&c[0]));
    }
}
