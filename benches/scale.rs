//! The scale benchmark: runs the release `powsim` binary on
//! `scenarios/bench-10k.toml` (10,000 nodes, 100 blocks; SimBlock's
//! 10,000-node run) several times and reports the median wall time and the
//! peak resident memory, against the targets of 5 s and 500 MB.
//!
//! Run with `cargo bench --bench scale` (POWSIM_SCALE_RUNS=N to change the
//! number of runs, default 5). It measures the whole command, including
//! reading the scenario and writing the results.

use std::path::Path;
use std::process::Command;

const TARGET_WALL_S: f64 = 5.0;
const TARGET_PEAK_MB: f64 = 500.0;

/// Peak resident set size of any child process waited for so far, in MB.
fn children_peak_mb() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut u);
        u
    };
    usage.ru_maxrss as f64 / 1024.0
}

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time by definition
fn main() {
    let runs: usize = std::env::var("POWSIM_SCALE_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("powsim-scale-{}", std::process::id()));
    let mut walls = Vec::new();
    for i in 0..runs {
        let start = std::time::Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_powsim"))
            .args(["run", "scenarios/bench-10k.toml", "--quiet", "--out"])
            .arg(&out)
            .current_dir(root)
            .status()
            .expect("powsim runs");
        let wall = start.elapsed().as_secs_f64();
        assert!(status.success(), "powsim failed: {status}");
        eprintln!("run {}: {wall:.2} s", i + 1);
        walls.push(wall);
    }
    let _ = std::fs::remove_dir_all(&out);
    walls.sort_by(f64::total_cmp);
    let median = walls[walls.len() / 2];
    let peak = children_peak_mb();
    println!(
        "bench-10k: median wall {median:.2} s over {runs} runs (min {:.2}, max {:.2}); peak RSS {peak:.0} MB",
        walls[0],
        walls[walls.len() - 1]
    );
    let verdict = |ok: bool| if ok { "ok" } else { "OVER TARGET" };
    println!("  wall target {TARGET_WALL_S} s: {}", verdict(median <= TARGET_WALL_S));
    println!("  memory target {TARGET_PEAK_MB} MB: {}", verdict(peak < TARGET_PEAK_MB));
}
