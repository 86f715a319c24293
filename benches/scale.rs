//! The scale benchmark: runs the release `powsim` binary on the scenarios
//! that carry the project's speed and memory goals, several times each, and
//! reports the median wall time and the peak resident memory against them:
//!
//! - `bench-10k.toml`: 10,000 nodes, 100 blocks (SimBlock's 10,000-node run),
//!   5 s and 500 MB;
//! - `mainnet-day.toml`: 10,000 nodes, 24 hours, about 5 tx/s with `fast`
//!   transaction relay, 60 s and 4 GB;
//! - `bench-tx-full-1k.toml`: 1,000 nodes, one hour at 5 tx/s with `full`
//!   transaction relay, 60 s.
//!
//! Run with `cargo bench --bench scale` (all three), or name some:
//! `cargo bench --bench scale -- mainnet-day`. `POWSIM_SCALE_RUNS=N` sets
//! the runs per scenario (default 5 for `bench-10k`, 3 for the others). It
//! measures the whole command, including reading the scenario and writing
//! the results.

use std::path::Path;
use std::process::Command;

/// A scenario with its goals.
struct Goal {
    name: &'static str,
    runs: usize,
    wall_s: f64,
    peak_mb: Option<f64>,
}

const GOALS: [Goal; 3] = [
    Goal { name: "bench-10k", runs: 5, wall_s: 5.0, peak_mb: Some(500.0) },
    Goal { name: "mainnet-day", runs: 3, wall_s: 60.0, peak_mb: Some(4000.0) },
    Goal { name: "bench-tx-full-1k", runs: 3, wall_s: 60.0, peak_mb: None },
];

/// Wall time (s) and peak resident set size (MB) of one run of `powsim`.
#[allow(clippy::disallowed_methods)] // a benchmark measures wall time by definition
fn run_once(root: &Path, scenario: &str, out: &Path) -> (f64, f64) {
    let start = std::time::Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_powsim"))
        .args(["run", &format!("scenarios/{scenario}.toml"), "--quiet", "--out"])
        .arg(out)
        .current_dir(root)
        .spawn()
        .expect("powsim starts");
    let pid = child.id() as libc::pid_t;
    // Reap the child with wait4 to read its own peak memory.
    // SAFETY: wait4 writes only into the status and the zeroed rusage we pass.
    let (status, usage) = unsafe {
        let mut status = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &mut status, 0, &mut usage);
        assert_eq!(r, pid, "wait4 failed");
        (status, usage)
    };
    let wall = start.elapsed().as_secs_f64();
    // Dropping a `Child` neither waits nor kills; it was reaped above.
    drop(child);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "powsim failed on {scenario}: {status}"
    );
    (wall, usage.ru_maxrss as f64 / 1024.0)
}

fn main() {
    let wanted: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let runs_override: Option<usize> = std::env::var("POWSIM_SCALE_RUNS").ok().and_then(|v| v.parse().ok());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("powsim-scale-{}", std::process::id()));
    let verdict = |ok: bool| if ok { "ok" } else { "OVER TARGET" };
    for goal in GOALS.iter().filter(|g| wanted.is_empty() || wanted.iter().any(|w| w == g.name)) {
        let runs = runs_override.unwrap_or(goal.runs).max(1);
        let mut walls = Vec::new();
        let mut peak: f64 = 0.0;
        for i in 0..runs {
            let (wall, mb) = run_once(root, goal.name, &out);
            eprintln!("{} run {}: {wall:.2} s, {mb:.0} MB", goal.name, i + 1);
            walls.push(wall);
            peak = peak.max(mb);
        }
        walls.sort_by(f64::total_cmp);
        let median = walls[walls.len() / 2];
        println!(
            "{}: median wall {median:.2} s over {runs} runs (min {:.2}, max {:.2}); peak RSS {peak:.0} MB",
            goal.name,
            walls[0],
            walls[walls.len() - 1]
        );
        println!("  wall target {} s: {}", goal.wall_s, verdict(median <= goal.wall_s));
        if let Some(mb) = goal.peak_mb {
            println!("  memory target {mb} MB: {}", verdict(peak < mb));
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
