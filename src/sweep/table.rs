//! `runs.csv` (one row per run: where it sits in the grid, its seed, every summary column) and
//! `aggregate.csv` (per grid point: mean, standard deviation and 95 % interval of every numeric
//! summary column). Rows are always in run order, so the files do not depend on how many
//! threads or shards produced them.

use std::fs;
use std::path::Path;

use super::SweepError;
use super::stats::Estimate;

/// Columns of `runs.csv` before the swept keys.
const RUN_COLUMNS: [&str; 4] = ["run", "run_id", "point", "seed"];

/// Summary columns that are not metrics (they are in `runs.csv` already, or are text).
const NOT_METRICS: [&str; 2] = ["scenario", "seed"];

/// One run's row.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Index in run order (point-major, then seed).
    pub run: usize,
    /// Digest of the resolved scenario and seed.
    pub run_id: String,
    /// Grid point.
    pub point: usize,
    /// Seed.
    pub seed: u64,
    /// The swept keys' values (CSV cells).
    pub values: Vec<String>,
    /// The summary's metric cells, in `RunsTable::metrics` order.
    pub metrics: Vec<String>,
}

/// The rows of `runs.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunsTable {
    /// The swept keys.
    pub keys: Vec<String>,
    /// The metric columns.
    pub metrics: Vec<String>,
    /// Rows in run order.
    pub rows: Vec<RunRow>,
}

/// A run's `summary.csv`: metric names and cells (without the scenario and seed columns).
pub fn read_summary(path: &Path) -> Result<(Vec<String>, Vec<String>), SweepError> {
    let bad = |m: String| SweepError::new(&path.display().to_string(), "", m);
    let mut r = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> =
        r.headers().map_err(|e| bad(e.to_string()))?.iter().map(str::to_string).collect();
    let row = r.records().next().ok_or_else(|| bad("has no row".into()))?.map_err(|e| bad(e.to_string()))?;
    let keep: Vec<usize> =
        (0..header.len()).filter(|&i| !NOT_METRICS.contains(&header[i].as_str())).collect();
    Ok((
        keep.iter().map(|&i| header[i].clone()).collect(),
        keep.iter().map(|&i| row[i].to_string()).collect(),
    ))
}

impl RunsTable {
    /// Writes `runs.csv` at `path`.
    pub fn write(&self, path: &Path) -> Result<(), SweepError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = RUN_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(self.keys.iter().cloned())
            .chain(self.metrics.iter().cloned());
        w.write_record(header.collect::<Vec<_>>()).expect("in-memory CSV");
        for r in &self.rows {
            let fixed = [r.run.to_string(), r.run_id.clone(), r.point.to_string(), r.seed.to_string()];
            let cells = fixed.into_iter().chain(r.values.iter().cloned()).chain(r.metrics.iter().cloned());
            w.write_record(cells.collect::<Vec<_>>()).expect("in-memory CSV");
        }
        write_atomic(path, &w.into_inner().expect("in-memory CSV"))
    }

    /// Reads a `runs.csv` whose swept keys are `keys`.
    pub fn read(path: &Path, keys: &[String]) -> Result<RunsTable, SweepError> {
        let file = path.display().to_string();
        let bad = |line: Option<u64>, m: String| {
            let at = line.map_or(String::new(), |l| format!(" line {l}"));
            SweepError::new(&format!("{file}{at}"), "", m)
        };
        let mut r = csv::Reader::from_path(path).map_err(|e| bad(None, e.to_string()))?;
        let header: Vec<String> =
            r.headers().map_err(|e| bad(None, e.to_string()))?.iter().map(str::to_string).collect();
        let fixed = RUN_COLUMNS.len() + keys.len();
        let expected: Vec<String> =
            RUN_COLUMNS.iter().map(|s| s.to_string()).chain(keys.iter().cloned()).collect();
        if header.len() < fixed || header[..fixed] != expected[..] {
            return Err(bad(Some(1), format!("header does not start with {}", expected.join(","))));
        }
        let metrics = header[fixed..].to_vec();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| bad(None, e.to_string()))?;
            let line = rec.position().map(|p| p.line());
            if rec.len() != header.len() {
                return Err(bad(line, format!("has {} cells, the header {}", rec.len(), header.len())));
            }
            let int = |i: usize| {
                rec[i]
                    .parse::<u64>()
                    .map_err(|_| bad(line, format!("{} is not a whole number: {:?}", header[i], &rec[i])))
            };
            rows.push(RunRow {
                run: int(0)? as usize,
                run_id: rec[1].to_string(),
                point: int(2)? as usize,
                seed: int(3)?,
                values: (RUN_COLUMNS.len()..fixed).map(|i| rec[i].to_string()).collect(),
                metrics: (fixed..header.len()).map(|i| rec[i].to_string()).collect(),
            });
        }
        Ok(RunsTable { keys: keys.to_vec(), metrics, rows })
    }

    /// `aggregate.csv`'s bytes: one row per grid point present, in point order.
    pub fn aggregate_csv(&self) -> Vec<u8> {
        let numeric: Vec<usize> = (0..self.metrics.len())
            .filter(|&m| self.rows.iter().any(|r| r.metrics[m].parse::<f64>().is_ok()))
            .collect();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = vec!["point".into()];
        header.extend(self.keys.iter().cloned());
        header.push("runs".into());
        for &m in &numeric {
            for stat in ["mean", "sd", "ci95_lo", "ci95_hi"] {
                header.push(format!("{}_{stat}", self.metrics[m]));
            }
        }
        w.write_record(&header).expect("in-memory CSV");
        let mut points: Vec<usize> = self.rows.iter().map(|r| r.point).collect();
        points.dedup();
        for p in points {
            let rows: Vec<&RunRow> = self.rows.iter().filter(|r| r.point == p).collect();
            let mut cells = vec![p.to_string()];
            cells.extend(rows[0].values.iter().cloned());
            cells.push(rows.len().to_string());
            for &m in &numeric {
                let xs: Vec<f64> = rows.iter().filter_map(|r| r.metrics[m].parse::<f64>().ok()).collect();
                let e = Estimate::of(&xs);
                let f = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
                cells.push(f(e.map(|e| e.mean)));
                cells.push(f(e.and_then(|e| e.sd)));
                cells.push(f(e.and_then(|e| e.lo())));
                cells.push(f(e.and_then(|e| e.hi())));
            }
            w.write_record(&cells).expect("in-memory CSV");
        }
        w.into_inner().expect("in-memory CSV")
    }
}

/// Writes `bytes` to `path` through a temporary sibling and a rename, so a reader never sees a
/// half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SweepError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.partial"));
    let io = |e: std::io::Error| SweepError::new(&path.display().to_string(), "", e.to_string());
    fs::write(&tmp, bytes).map_err(io)?;
    fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RunsTable {
        let row = |run: usize, point: usize, seed: u64, v: &str, stale: &str| RunRow {
            run,
            run_id: format!("id{run}"),
            point,
            seed,
            values: vec![v.into()],
            metrics: vec![stale.into(), "x".into(), String::new()],
        };
        RunsTable {
            keys: vec!["a.b".into()],
            metrics: vec!["stale_rate".into(), "label".into(), "empty".into()],
            rows: vec![row(0, 0, 1, "600", "0.01"), row(1, 0, 2, "600", "0.03"), row(2, 1, 1, "60", "0.2")],
        }
    }

    #[test]
    fn runs_round_trip_and_aggregate_per_point() {
        let dir = std::env::temp_dir().join(format!("powsim-table-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let t = table();
        t.write(&dir.join("runs.csv")).unwrap();
        assert_eq!(RunsTable::read(&dir.join("runs.csv"), &t.keys).unwrap(), t);
        assert!(RunsTable::read(&dir.join("runs.csv"), &["other".into()]).is_err());
        let agg = String::from_utf8(t.aggregate_csv()).unwrap();
        let lines: Vec<&str> = agg.lines().collect();
        assert_eq!(
            lines[0],
            "point,a.b,runs,stale_rate_mean,stale_rate_sd,stale_rate_ci95_lo,stale_rate_ci95_hi"
        );
        let cells: Vec<f64> = lines[1].split(',').skip(3).map(|c| c.parse().unwrap()).collect();
        assert!((cells[0] - 0.02).abs() < 1e-12 && (cells[1] - 0.02f64.sqrt() / 10.0 * 1.0).abs() < 1e-12);
        assert!((cells[3] - cells[0] - 12.7062 * cells[1] / 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(lines[2], "1,60,1,0.2,,,");
        fs::remove_dir_all(dir).unwrap();
    }
}
