//! Expectation files (`powsim check`): scenarios to run and bounds their metrics must meet,
//! the form a consensus project puts in its CI.
//!
//! ```toml
//! [[expect]]
//! scenario = "../ideal-stale.toml"   # relative to this file
//! set = ["stop.blocks=400"]          # --set overrides (optional)
//! seeds = 2                          # runs from the scenario's seed (optional, 1)
//! [expect.metrics]
//! stale_rate = { max = 0.03 }        # the mean over the seeds is checked
//! interval_mean_s = { within = [550, 650] }
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::SweepError;

/// Bounds of one metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    /// Lowest allowed value.
    pub min: Option<f64>,
    /// Highest allowed value.
    pub max: Option<f64>,
    /// Both at once, `[min, max]`.
    pub within: Option<[f64; 2]>,
}

impl Bound {
    /// The (min, max) this bound allows.
    pub fn range(&self) -> (f64, f64) {
        match self.within {
            Some([lo, hi]) => (lo, hi),
            None => (self.min.unwrap_or(f64::NEG_INFINITY), self.max.unwrap_or(f64::INFINITY)),
        }
    }

    /// True if `x` is within the bound.
    pub fn allows(&self, x: f64) -> bool {
        let (lo, hi) = self.range();
        x >= lo && x <= hi
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.range() {
            (lo, hi) if lo.is_finite() && hi.is_finite() => write!(f, "within [{lo}, {hi}]"),
            (lo, _) if lo.is_finite() => write!(f, ">= {lo}"),
            (_, hi) => write!(f, "<= {hi}"),
        }
    }
}

/// One `[[expect]]`: a scenario, how to run it, and its bounds.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The scenario file, relative to the expectations file.
    pub scenario: PathBuf,
    /// `--set` overrides.
    #[serde(default)]
    pub set: Vec<String>,
    /// Runs, from the scenario's seed.
    #[serde(default = "one")]
    pub seeds: u32,
    /// Bounds by summary column (checked in name order).
    pub metrics: toml::Table,
}

fn one() -> u32 {
    1
}

/// A parsed expectations file: its expectations, with scenario paths resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectationFile {
    /// The expectations, in file order, each with its bounds checked.
    pub expect: Vec<(Expectation, Vec<(String, Bound)>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    expect: Vec<Expectation>,
}

impl ExpectationFile {
    /// Reads and checks the expectations file at `path`.
    pub fn load(path: &Path) -> Result<ExpectationFile, SweepError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| SweepError::new(&file, "", format!("cannot read: {e}")))?;
        let raw: Raw = toml::from_str(&text)
            .map_err(|e| SweepError::new(&file, "", e.to_string().trim_end().to_string()))?;
        if raw.expect.is_empty() {
            return Err(SweepError::new(&file, "expect", "lists no expectation"));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut expect = Vec::new();
        for (i, mut e) in raw.expect.into_iter().enumerate() {
            let key = |k: &str| format!("expect[{i}].{k}");
            if !(1..=10_000).contains(&e.seeds) {
                return Err(SweepError::new(
                    &file,
                    &key("seeds"),
                    format!("must be from 1 to 10000, got {}", e.seeds),
                ));
            }
            if e.metrics.is_empty() {
                return Err(SweepError::new(&file, &key("metrics"), "names no metric to check"));
            }
            let mut bounds = Vec::new();
            for (name, value) in &e.metrics {
                let bkey = key(&format!("metrics.{name}"));
                let b: Bound = value.clone().try_into().map_err(|err: toml::de::Error| {
                    SweepError::new(
                        &file,
                        &bkey,
                        format!("{} (allowed: min, max, within = [lo, hi])", err.message()),
                    )
                })?;
                let given = [b.min.is_some(), b.max.is_some(), b.within.is_some()];
                if given == [false; 3] || (b.within.is_some() && (b.min.is_some() || b.max.is_some())) {
                    return Err(SweepError::new(
                        &file,
                        &bkey,
                        "give min, max or both, or within = [lo, hi] alone",
                    ));
                }
                let (lo, hi) = b.range();
                if lo.is_nan() || hi.is_nan() || lo > hi {
                    return Err(SweepError::new(&file, &bkey, format!("is empty: {lo} > {hi}")));
                }
                bounds.push((name.clone(), b));
            }
            e.scenario = dir.join(&e.scenario);
            expect.push((e, bounds));
        }
        Ok(ExpectationFile { expect })
    }
}

/// The outcome of one bound.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The metric.
    pub metric: String,
    /// Its mean over the seeds, if any run gave a number.
    pub value: Option<f64>,
    /// The bound.
    pub bound: Bound,
    /// True if the value is present and within the bound.
    pub pass: bool,
}

impl Verdict {
    /// Judges the mean of `values` against `bound`.
    pub fn judge(metric: &str, values: &[f64], bound: &Bound) -> Verdict {
        let value = (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64);
        Verdict {
            metric: metric.to_string(),
            value,
            bound: bound.clone(),
            pass: value.is_some_and(|v| bound.allows(v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<ExpectationFile, SweepError> {
        let dir = std::env::temp_dir().join(format!("powsim-expect-{}-{}", std::process::id(), text.len()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.toml");
        std::fs::write(&path, text).unwrap();
        let out = ExpectationFile::load(&path);
        std::fs::remove_dir_all(dir).unwrap();
        out
    }

    #[test]
    fn expectations_load_and_judge() {
        let f = load("[[expect]]\nscenario = \"../s.toml\"\nseeds = 2\n[expect.metrics]\nstale_rate = { max = 0.1 }\nx = { within = [1, 2] }\n").unwrap();
        let (e, bounds) = &f.expect[0];
        assert!(e.scenario.ends_with("../s.toml"));
        assert_eq!(bounds.len(), 2);
        assert!(Verdict::judge("stale_rate", &[0.05, 0.1], &bounds[0].1).pass);
        assert!(!Verdict::judge("stale_rate", &[0.2], &bounds[0].1).pass);
        assert!(!Verdict::judge("x", &[], &bounds[1].1).pass);
        assert_eq!(bounds[1].1.to_string(), "within [1, 2]");
        assert_eq!(bounds[0].1.to_string(), "<= 0.1");
    }

    #[test]
    fn bad_expectations_name_the_key() {
        let key = |text: &str| load(text).expect_err(text).key;
        let head = "[[expect]]\nscenario = \"s.toml\"\n";
        assert_eq!(
            key(&format!("{head}seeds = 0\n[expect.metrics]\na = {{ max = 1 }}\n")),
            "expect[0].seeds"
        );
        assert_eq!(key(&format!("{head}[expect.metrics]\n")), "expect[0].metrics");
        assert_eq!(key(&format!("{head}[expect.metrics]\na = {{ top = 1 }}\n")), "expect[0].metrics.a");
        assert_eq!(key(&format!("{head}[expect.metrics]\na = {{}}\n")), "expect[0].metrics.a");
        assert_eq!(
            key(&format!("{head}[expect.metrics]\na = {{ within = [2, 1] }}\n")),
            "expect[0].metrics.a"
        );
        assert_eq!(
            key(&format!("{head}[expect.metrics]\na = {{ within = [0, 1], max = 3 }}\n")),
            "expect[0].metrics.a"
        );
        assert!(load("[[expect]]\nbogus = 1\n").is_err());
        assert!(load("expect = []\n").is_err());
    }
}
