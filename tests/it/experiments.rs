//! The many-run subcommands as separate processes: `sweep` (thread counts, `--resume`,
//! `--shard`), `merge`, `compare` and `check`.

use crate::common::temp_dir;
use std::path::Path;
use std::process::{Command, Output};

fn powsim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_powsim")).args(args).current_dir(cwd).output().expect("binary runs")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const SWEEP: &str = r#"
name = "grid"
seed = 5
[stop]
blocks = 6
[network]
nodes = 30
preset = "bitcoin-2019"
[mining]
pools = "every-node"
[sweep]
seeds = 2
"consensus.block_interval_s" = [600, 30]
zip = { "relay.protocol" = ["compact", "legacy"], "blocks.size_bytes" = [500000, 100000] }
"#;

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

/// A sweep's tables are the same bytes whatever the thread count, whether it ran in one go,
/// in two shards merged afterwards, or interrupted and resumed.
#[test]
fn sweeps_are_the_same_sharded_resumed_or_on_any_thread_count() {
    let dir = temp_dir("sweep");
    std::fs::write(dir.join("grid.toml"), SWEEP).unwrap();
    ok(&powsim(&["sweep", "grid.toml", "--out", "one", "--threads", "1", "--quiet"], &dir));
    let runs = read(&dir.join("one"), "runs.csv");
    let aggregate = read(&dir.join("one"), "aggregate.csv");
    let lines: Vec<&str> = runs.lines().collect();
    assert_eq!(lines.len(), 1 + 2 * 2 * 2, "2 intervals x 2 zipped pairs x 2 seeds");
    assert!(lines[0].starts_with(
        "run,run_id,point,seed,consensus.block_interval_s,blocks.size_bytes,relay.protocol,nodes,"
    ));
    assert!(lines[1].starts_with("0,") && lines[1].contains(",0,5,600,500000,compact,30,"), "{}", lines[1]);
    assert!(lines[8].contains(",3,6,30,100000,legacy,30,"), "{}", lines[8]);
    assert_eq!(aggregate.lines().count(), 1 + 4);
    assert!(
        aggregate
            .lines()
            .next()
            .unwrap()
            .contains("prop_median_s_mean,prop_median_s_sd,prop_median_s_ci95_lo,prop_median_s_ci95_hi")
    );

    ok(&powsim(&["sweep", "grid.toml", "--out", "two", "--threads", "2", "--quiet"], &dir));
    assert_eq!(read(&dir.join("two"), "runs.csv"), runs);
    assert_eq!(read(&dir.join("two"), "aggregate.csv"), aggregate);

    // Shards in separate processes, merged.
    for (shard, out) in [("1/3", "s1"), ("2/3", "s2"), ("3/3", "s3")] {
        ok(&powsim(&["sweep", "grid.toml", "--out", out, "--shard", shard, "--quiet"], &dir));
    }
    let early = powsim(&["merge", "s1", "s2", "--out", "merged"], &dir);
    assert!(!early.status.success() && String::from_utf8_lossy(&early.stderr).contains("missing runs"));
    let twice = powsim(&["merge", "s1", "s1", "s2", "s3", "--out", "merged"], &dir);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("given twice"));
    ok(&powsim(&["merge", "s3", "s1", "s2", "--out", "merged"], &dir));
    assert_eq!(read(&dir.join("merged"), "runs.csv"), runs);
    assert_eq!(read(&dir.join("merged"), "aggregate.csv"), aggregate);
    // The figures too: the default metrics that have values (no stale rate after six blocks).
    let figure = |d: &str| std::fs::read(dir.join(d).join("sweep-prop_median_s.png")).expect("figure drawn");
    assert_eq!(figure("one"), figure("two"));
    assert_eq!(figure("one"), figure("merged"));
    assert!(
        dir.join("one/sweep-prop_median_s.svg").is_file() && !dir.join("one/sweep-stale_rate.png").exists()
    );

    // An interrupted sweep: two runs and the tables lost. Without --resume the directory is
    // refused; with it, only the lost runs run again.
    let run_dirs: Vec<_> =
        std::fs::read_dir(dir.join("one/runs")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(run_dirs.len(), 8);
    for d in &run_dirs[..2] {
        std::fs::remove_dir_all(d).unwrap();
    }
    std::fs::remove_file(dir.join("one/runs.csv")).unwrap();
    let refused = powsim(&["sweep", "grid.toml", "--out", "one"], &dir);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("--resume"));
    let resumed = powsim(&["sweep", "grid.toml", "--out", "one", "--resume"], &dir);
    ok(&resumed);
    assert!(
        String::from_utf8_lossy(&resumed.stderr).contains("2 to run"),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(read(&dir.join("one"), "runs.csv"), runs);
    // Another sweep cannot resume into it.
    let other = powsim(&["sweep", "grid.toml", "--out", "one", "--resume", "--set", "stop.blocks=7"], &dir);
    assert!(!other.status.success() && String::from_utf8_lossy(&other.stderr).contains("another sweep"));
    // A bad point is refused before anything runs.
    std::fs::write(dir.join("bad.toml"), SWEEP.replace("[600, 30]", "[600, 0]")).unwrap();
    let bad = powsim(&["sweep", "bad.toml", "--out", "bad"], &dir);
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(message.contains("sweep point 2") && message.contains("consensus.block_interval_s"), "{message}");
    assert!(!dir.join("bad").exists());
    std::fs::write(dir.join("plain.toml"), SWEEP.split("[sweep]").next().unwrap()).unwrap();
    let plain = powsim(&["sweep", "plain.toml"], &dir);
    assert_eq!(plain.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&plain.stderr).contains("no [sweep] table"));
    // `run` runs the base scenario of a sweep file once.
    ok(&powsim(&["run", "grid.toml", "--quiet", "--out", "base"], &dir));
    std::fs::remove_dir_all(dir).unwrap();
}

const BASE: &str = r#"
name = "cmp"
seed = 1
[stop]
blocks = 20
[network]
nodes = 60
preset = "bitcoin-2019"
[relay]
protocol = "legacy"
[mining]
pools = "every-node"
"#;

/// Blocks twice as large propagate more slowly on every seed: the paired difference is
/// significant, a `--fail-if` on it fails the command, one on the stale rate does not.
#[test]
fn compare_reports_paired_differences_and_fails_on_request() {
    let dir = temp_dir("compare");
    std::fs::write(dir.join("cmp.toml"), BASE).unwrap();
    let args =
        ["compare", "cmp.toml", "--variant", "blocks.size_bytes=1000000", "--seeds", "4", "--out", "c"];
    let out = powsim(
        &[&args[..], &["--fail-if", "prop_median_s>+0.05", "--fail-if", "stale_rate>+0.5"]].concat(),
        &dir,
    );
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL prop_median_s>+0.05"), "{stdout}");
    assert!(stdout.contains("ok   stale_rate>+0.5"), "{stdout}");
    let csv = read(&dir.join("c"), "compare.csv");
    assert!(csv.starts_with(
        "metric,n,base_mean,variant_mean,diff_mean,diff_sd,diff_ci95_lo,diff_ci95_hi,significant\n"
    ));
    let prop = csv.lines().find(|l| l.starts_with("prop_median_s,")).unwrap();
    assert!(!csv.contains("\nseed,") && !csv.contains("\nscenario,"), "the pairing columns are not metrics");
    assert!(prop.starts_with("prop_median_s,4,") && prop.ends_with(",true"), "{prop}");
    for seed in 1..=4 {
        assert!(dir.join(format!("c/base/seed-{seed}/summary.csv")).is_file());
        assert!(dir.join(format!("c/variant/seed-{seed}/summary.csv")).is_file());
    }
    // The same change as a second scenario file; nothing to fail on: exit 0.
    std::fs::write(dir.join("big.toml"), BASE.replace("[relay]", "[blocks]\nsize_bytes = 1000000\n[relay]"))
        .unwrap();
    let out = powsim(
        &["compare", "cmp.toml", "--variant", "big.toml", "--seeds", "4", "--out", "d", "--quiet"],
        &dir,
    );
    ok(&out);
    let prop2 = read(&dir.join("d"), "compare.csv")
        .lines()
        .find(|l| l.starts_with("prop_median_s,"))
        .unwrap()
        .to_string();
    assert_eq!(prop2, prop, "a file variant and a key variant are the same runs");
    // A variant that changes nothing (the default drain) differs in nothing.
    let same = powsim(
        &["compare", "cmp.toml", "--variant", "stop.drain_s=600", "--seeds", "3", "--out", "e", "--quiet"],
        &dir,
    );
    ok(&same);
    let rows = read(&dir.join("e"), "compare.csv");
    assert!(rows.lines().skip(1).all(|l| l.ends_with(",false") && l.contains(",0,0,0,0,")), "{rows}");
    let bad = powsim(&["compare", "cmp.toml", "--variant", "x=1", "--fail-if", "nope>1"], &dir);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a summary column"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// An expectations file: every bound met exits 0; one missed exits 4 and says which.
#[test]
fn check_runs_expectations() {
    let dir = temp_dir("check");
    std::fs::write(dir.join("cmp.toml"), BASE).unwrap();
    let expect = "[[expect]]\nscenario = \"cmp.toml\"\nseeds = 2\n[expect.metrics]\nblocks_main = { min = 20 }\n\
                  interval_mean_s = { within = [100, 3000] }\n";
    std::fs::write(dir.join("e.toml"), expect).unwrap();
    let out = powsim(&["check", "e.toml"], &dir);
    let stdout = ok(&out);
    assert!(stdout.contains("PASS") && stdout.contains("2 of 2 expectations met"), "{stdout}");
    std::fs::write(dir.join("f.toml"), expect.replace("min = 20", "min = 21")).unwrap();
    let out = powsim(&["check", "f.toml"], &dir);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
    std::fs::write(
        dir.join("g.toml"),
        "[[expect]]\nscenario = \"cmp.toml\"\n[expect.metrics]\nx = { top = 1 }\n",
    )
    .unwrap();
    let out = powsim(&["check", "g.toml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expect[0].metrics.x"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// The shipped Slurm array script: each task runs its shard, and the merged shards are the
/// unsharded sweep. The tasks are run here as Slurm would start them (the array variables set,
/// one process per task); when `sinfo` shows an idle node (`scripts/slurm/local-cluster.sh`
/// starts one on this machine), the same array also goes through Slurm itself.
#[test]
fn the_slurm_array_script_runs_one_shard_per_task() {
    let dir = temp_dir("slurm");
    std::fs::write(dir.join("grid.toml"), SWEEP).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm/sweep-array.sbatch");
    for task in 1..=3 {
        let out = Command::new("bash")
            .arg(&script)
            .args(["grid.toml", "out"])
            .env("POWSIM", env!("CARGO_BIN_EXE_powsim"))
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .current_dir(&dir)
            .output()
            .expect("bash runs");
        ok(&out);
    }
    ok(&powsim(&["merge", "out/shard-1", "out/shard-2", "out/shard-3", "--out", "out/all"], &dir));
    ok(&powsim(&["sweep", "grid.toml", "--out", "whole", "--quiet"], &dir));
    assert_eq!(read(&dir.join("out/all"), "runs.csv"), read(&dir.join("whole"), "runs.csv"));
    assert_eq!(read(&dir.join("out/all"), "aggregate.csv"), read(&dir.join("whole"), "aggregate.csv"));
    if slurm_answers() {
        submit_through_slurm(&script, &dir);
    } else {
        note(
            "the_slurm_array_script_runs_one_shard_per_task: skipped the run through real Slurm \
             (only the tasks run with Slurm's variables set were checked): `sinfo` shows no idle \
             Slurm node on this machine; `bash scripts/slurm/local-cluster.sh` starts one",
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Writes a line to stderr past the test harness's capture, so that `cargo test` shows it.
fn note(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether `sinfo` answers with a responding node that can take a job now or soon (idle,
/// mixed, allocated or completing; not down or drained).
fn slurm_answers() -> bool {
    Command::new("sinfo").args(["--noheader", "--responding", "--format=%t"]).output().is_ok_and(|o| {
        o.status.success()
            && String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| matches!(l.trim(), "idle" | "mix" | "alloc" | "comp"))
    })
}

/// Submits the array script as tasks 1-3 through `sbatch --wait`, in `dir` (the job's
/// working directory and where its output files go), and checks the merged shards are the
/// unsharded sweep in `dir/whole`. A job that has not finished in five minutes is cancelled
/// and fails the test, so a Slurm that never starts it cannot hang the run.
#[allow(clippy::disallowed_methods)] // the wall clock bounds and times the job, not a simulation
fn submit_through_slurm(script: &Path, dir: &Path) {
    let started = std::time::Instant::now();
    let mut child = Command::new("sbatch")
        .args(["--wait", "--parsable", "--array=1-3", "--cpus-per-task=1", "--time=5"])
        .arg(script)
        .args(["grid.toml", "slurm"])
        .env("POWSIM", env!("CARGO_BIN_EXE_powsim"))
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sbatch runs");
    let limit = std::time::Duration::from_secs(300);
    let timed_out = loop {
        if child.try_wait().expect("sbatch waits").is_some() {
            break false;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            break true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let out = child.wait_with_output().expect("sbatch output");
    // `--parsable` prints "JOBID" or "JOBID;CLUSTER" as soon as the job is submitted.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let job = stdout.lines().next().unwrap_or("").split(';').next().unwrap_or("").trim().to_string();
    let logs = || {
        let mut logs = String::new();
        for task in 1..=3 {
            let file = dir.join(format!("powsim-sweep-{job}_{task}.out"));
            let text = std::fs::read_to_string(&file).unwrap_or_else(|e| format!("({e})"));
            logs += &format!("--- {}\n{}\n", file.display(), text.trim_end());
        }
        logs
    };
    if timed_out {
        if !job.is_empty() {
            let _ = Command::new("scancel").arg(&job).status();
        }
        panic!("Slurm job {job:?} did not finish in {limit:?} (cancelled)\n{}", logs());
    }
    assert!(
        out.status.success(),
        "sbatch --wait failed ({}): {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        logs()
    );
    note(&format!(
        "the_slurm_array_script_runs_one_shard_per_task: Slurm array job {job} ran in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    ok(&powsim(&["merge", "slurm/shard-1", "slurm/shard-2", "slurm/shard-3", "--out", "slurm/all"], dir));
    assert_eq!(read(&dir.join("slurm/all"), "runs.csv"), read(&dir.join("whole"), "runs.csv"));
    assert_eq!(read(&dir.join("slurm/all"), "aggregate.csv"), read(&dir.join("whole"), "aggregate.csv"));
}

/// The shipped expectations file passes, and the shipped sweeps run (shortened).
#[test]
fn shipped_expectations_and_sweeps_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stdout = ok(&powsim(&["check", "scenarios/expect/quick.toml", "--threads", "2"], root));
    assert!(stdout.contains("7 of 7 expectations met"), "{stdout}");
    let dir = temp_dir("shipped-sweep");
    for (name, points) in [("interval", 6), ("blocksize", 7), ("relay", 4)] {
        let file = root.join(format!("sweeps/{name}.toml"));
        let shrink = ["--set", "stop.blocks=3", "--set", "network.nodes=40", "--no-plots", "--quiet"];
        ok(&powsim(&[&["sweep", file.to_str().unwrap(), "--out", name][..], &shrink[..]].concat(), &dir));
        assert_eq!(read(&dir.join(name), "aggregate.csv").lines().count(), 1 + points, "{name}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
