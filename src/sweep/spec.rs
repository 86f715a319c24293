//! A scenario file's `[sweep]` table and the runs it stands for.
//!
//! ```toml
//! [sweep]
//! seeds = 5                                     # runs per grid point: seed, seed + 1, ...
//! "consensus.block_interval_s" = [600, 150, 60]  # an axis: every value crossed with the others
//! "blocks.size_bytes" = [500_000, 1_000_000]
//! zip = { "network.nodes" = [100, 1000], "stop.blocks" = [400, 100] }  # varied together
//! metrics = ["stale_rate", "prop_median_s"]      # what the sweep's plots show
//! ```
//!
//! Grid points are the cartesian product of the axes (in key order, the first slowest) and the
//! zipped values (one more axis, the fastest); every point runs with every seed. A point is a
//! list of `--set` overrides, so each value is checked exactly as the same key in the file.

use std::fmt::Write;

use toml::Value;

use super::SweepError;

/// Most runs one sweep may hold.
pub const MAX_RUNS: usize = 1_000_000;

/// Keys of `[sweep]` that are not axes.
const RESERVED: [&str; 3] = ["seeds", "zip", "metrics"];

/// One swept key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The scenario key, as `--set` takes it.
    pub key: String,
    /// The values, in file order.
    pub values: Vec<Value>,
}

/// A parsed `[sweep]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// Crossed axes, sorted by key.
    pub axes: Vec<Axis>,
    /// Zipped keys (all of one length), sorted by key; empty when none.
    pub zip: Vec<Axis>,
    /// Runs per grid point.
    pub seeds: u32,
    /// Metrics the plots show (summary columns); empty: the defaults.
    pub metrics: Vec<String>,
}

/// One grid point: its index and its overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Index in grid order.
    pub index: usize,
    /// (key, value) of every swept key, in column order (axes, then zipped keys).
    pub values: Vec<(String, Value)>,
}

impl Point {
    /// The point's overrides, `key=value` with the value in TOML syntax.
    pub fn overrides(&self) -> Vec<String> {
        self.values.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

/// A value as a CSV cell: strings bare, everything else in TOML syntax.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl SweepSpec {
    /// The `[sweep]` table of scenario `text` (read from `file`); `None` when it has none.
    pub fn parse(file: &str, text: &str) -> Result<Option<SweepSpec>, SweepError> {
        let doc: toml::Table =
            text.parse().map_err(|e: toml::de::Error| SweepError::new(file, "", e.message()))?;
        let Some(sweep) = doc.get("sweep") else { return Ok(None) };
        let Value::Table(sweep) = sweep else {
            return Err(SweepError::new(file, "sweep", "must be a table"));
        };
        let seeds = match sweep.get("seeds") {
            None => 1,
            Some(Value::Integer(n)) if (1..=100_000).contains(n) => *n as u32,
            Some(v) => {
                return Err(SweepError::new(
                    file,
                    "sweep.seeds",
                    format!("must be an integer from 1 to 100000, got {v}"),
                ));
            }
        };
        let metrics = match sweep.get("metrics") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|m| match m {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(SweepError::new(
                        file,
                        "sweep.metrics",
                        format!("must be summary column names, got {other}"),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(v) => {
                return Err(SweepError::new(
                    file,
                    "sweep.metrics",
                    format!("must be an array of summary column names, got {v}"),
                ));
            }
        };
        let axis = |prefix: &str, key: &str, v: &Value| -> Result<Axis, SweepError> {
            let name = format!("{prefix}\"{key}\"");
            match v {
                Value::Array(values) if !values.is_empty() => {
                    Ok(Axis { key: key.to_string(), values: values.clone() })
                }
                Value::Array(_) => Err(SweepError::new(file, &name, "has no values; give at least one")),
                other => Err(SweepError::new(
                    file,
                    &name,
                    format!("must be an array of the values to sweep, got {other}"),
                )),
            }
        };
        let mut axes = Vec::new();
        for (key, v) in sweep.iter().filter(|(k, _)| !RESERVED.contains(&k.as_str())) {
            axes.push(axis("sweep.", key, v)?);
        }
        let mut zip = Vec::new();
        match sweep.get("zip") {
            None => {}
            Some(Value::Table(t)) => {
                for (key, v) in t {
                    zip.push(axis("sweep.zip.", key, v)?);
                }
                if let Some(first) = zip.first()
                    && let Some(other) = zip.iter().find(|a| a.values.len() != first.values.len())
                {
                    let message = format!(
                        "zipped keys vary together and need as many values each: \"{}\" has {}, \"{}\" has {}",
                        first.key,
                        first.values.len(),
                        other.key,
                        other.values.len()
                    );
                    return Err(SweepError::new(file, "sweep.zip", message));
                }
            }
            Some(v) => {
                return Err(SweepError::new(
                    file,
                    "sweep.zip",
                    format!("must be a table of key = [values], got {v}"),
                ));
            }
        }
        if let Some(a) = zip.iter().find(|z| axes.iter().any(|a| a.key == z.key)) {
            return Err(SweepError::new(
                file,
                "sweep.zip",
                format!("\"{}\" is both crossed and zipped", a.key),
            ));
        }
        let spec = SweepSpec { axes, zip, seeds, metrics };
        let runs = spec.points_count().saturating_mul(seeds as usize);
        if runs > MAX_RUNS {
            return Err(SweepError::new(
                file,
                "sweep",
                format!("stands for {runs} runs; at most {MAX_RUNS} are allowed"),
            ));
        }
        Ok(Some(spec))
    }

    /// Number of grid points.
    pub fn points_count(&self) -> usize {
        let zipped = self.zip.first().map_or(1, |a| a.values.len());
        self.axes.iter().fold(zipped, |n, a| n.saturating_mul(a.values.len()))
    }

    /// The swept keys, in column order.
    pub fn keys(&self) -> Vec<&str> {
        self.axes.iter().chain(&self.zip).map(|a| a.key.as_str()).collect()
    }

    /// Every grid point, in grid order.
    pub fn points(&self) -> Vec<Point> {
        let zipped = self.zip.first().map_or(1, |a| a.values.len());
        (0..self.points_count())
            .map(|index| {
                let mut rest = index;
                let z = rest % zipped;
                rest /= zipped;
                let mut picks = vec![0; self.axes.len()];
                for (i, a) in self.axes.iter().enumerate().rev() {
                    picks[i] = rest % a.values.len();
                    rest /= a.values.len();
                }
                let mut values: Vec<(String, Value)> =
                    self.axes.iter().zip(picks).map(|(a, p)| (a.key.clone(), a.values[p].clone())).collect();
                values.extend(self.zip.iter().map(|a| (a.key.clone(), a.values[z].clone())));
                Point { index, values }
            })
            .collect()
    }

    /// A canonical text of the sweep, part of what identifies its results.
    pub fn canonical(&self) -> String {
        let mut out = format!("seeds = {}\n", self.seeds);
        for (kind, axes) in [("axis", &self.axes), ("zip", &self.zip)] {
            for a in axes {
                let values: Vec<String> = a.values.iter().map(Value::to_string).collect();
                let _ = writeln!(out, "{kind} {} = [{}]", a.key, values.join(", "));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> SweepSpec {
        SweepSpec::parse("s.toml", text).unwrap().expect("a sweep")
    }

    #[test]
    fn points_cross_the_axes_and_zip_the_zipped() {
        let s = spec(
            "name = \"s\"\n[sweep]\nseeds = 3\n\"b.y\" = [1, 2]\n\"a.x\" = [\"p\", \"q\", \"r\"]\n\
             zip = { \"c.m\" = [10, 20], \"c.n\" = [true, false] }\n",
        );
        assert_eq!(s.keys(), ["a.x", "b.y", "c.m", "c.n"]);
        assert_eq!((s.points_count(), s.seeds), (12, 3));
        let points = s.points();
        assert_eq!(points[0].overrides(), ["a.x=\"p\"", "b.y=1", "c.m=10", "c.n=true"]);
        assert_eq!(points[1].overrides(), ["a.x=\"p\"", "b.y=1", "c.m=20", "c.n=false"]);
        assert_eq!(points[2].overrides(), ["a.x=\"p\"", "b.y=2", "c.m=10", "c.n=true"]);
        assert_eq!(points[11].overrides(), ["a.x=\"r\"", "b.y=2", "c.m=20", "c.n=false"]);
        assert_eq!(cell(&points[11].values[0].1), "r");
        assert_eq!(SweepSpec::parse("s.toml", "name = \"s\"\n").unwrap(), None);
    }

    #[test]
    fn bad_sweeps_name_the_key() {
        let err = |text: &str| SweepSpec::parse("s.toml", text).expect_err(text);
        assert_eq!(err("[sweep]\nseeds = 0\n").key, "sweep.seeds");
        assert_eq!(err("[sweep]\n\"a.b\" = 5\n").key, "sweep.\"a.b\"");
        assert_eq!(err("[sweep]\n\"a.b\" = []\n").key, "sweep.\"a.b\"");
        assert_eq!(err("[sweep]\nzip = { a = [1, 2], b = [1] }\n").key, "sweep.zip");
        assert_eq!(err("[sweep]\na = [1]\nzip = { a = [1] }\n").key, "sweep.zip");
        assert_eq!(err("[sweep]\nmetrics = [1]\n").key, "sweep.metrics");
        assert_eq!(err("sweep = 3\n").key, "sweep");
        let big = format!("[sweep]\nseeds = 100000\na = [{}]\n", ["1"; 11].join(", "));
        assert!(err(&big).message.contains("at most"));
    }
}
