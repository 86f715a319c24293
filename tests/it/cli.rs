//! The `powsim` binary: exit codes, error messages, outputs, thread counts.

use crate::common::{dir_contents, temp_dir};
use std::path::Path;
use std::process::{Command, Output};

fn powsim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_powsim")).args(args).current_dir(cwd).output().expect("binary runs")
}

const TINY: &str = r#"
name = "tiny"
seed = 3
[stop]
blocks = 8
[network]
nodes = 40
preset = "bitcoin-2019"
[mining]
pools = "every-node"
"#;

#[test]
fn run_writes_results_and_summary() {
    let dir = temp_dir("cli-run");
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    let out = powsim(&["run", "tiny.toml", "--quiet"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let res = dir.join("results/tiny/seed-3");
    for f in ["summary.csv", "blocks.csv", "reorgs.csv", "difficulty.csv", "manifest.toml"] {
        assert!(res.join(f).is_file(), "{f} missing");
    }
    let summary = std::fs::read_to_string(res.join("summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    for col in [
        "scenario",
        "stale_rate",
        "prop_median_s",
        "t100_mean_s",
        "hash_t90_mean_s",
        "max_reorg_depth",
        "events",
    ] {
        assert!(header.split(',').any(|c| c == col), "summary lacks {col}");
    }
    let manifest = std::fs::read_to_string(res.join("manifest.toml")).unwrap();
    assert!(manifest.contains("seed = 3") && manifest.contains("[resolved"), "{manifest}");
    let out =
        powsim(&["run", "tiny.toml", "--seed", "9", "--out", "custom", "--set", "network.nodes=30"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("custom/summary.csv").is_file());
    assert!(String::from_utf8_lossy(&out.stdout).contains("stale"), "summary table printed");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn several_runs_do_not_depend_on_the_thread_count() {
    let dir = temp_dir("cli-threads");
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    for t in ["1", "2"] {
        let out = powsim(
            &["run", "tiny.toml", "--runs", "3", "--threads", t, "--out", &format!("t{t}"), "--quiet"],
            &dir,
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (a, b) = (dir_contents(&dir.join("t1")), dir_contents(&dir.join("t2")));
    assert_eq!(a.len(), 54, "three runs of seven data files, five plots as PNG and SVG, and index.html");
    assert_eq!(a, b);
    std::fs::remove_dir_all(dir).unwrap();
}

/// One run also uses the worker threads (mempool samples build their
/// templates in parallel); its files do not depend on how many there are.
#[test]
fn one_run_does_not_depend_on_the_thread_count() {
    let dir = temp_dir("cli-threads-one");
    let scenario = r#"
name = "tx-tiny"
seed = 4
[stop]
sim_time_s = 5400
[network]
nodes = 40
preset = "bitcoin-2019"
[mining]
pools = "bitcoin-2015"
[transactions]
rate_per_s = 3.0
relay = "fast"
observers = 6
[output]
mempool_sample_s = 300
"#;
    std::fs::write(dir.join("tx.toml"), scenario).unwrap();
    for t in ["1", "2"] {
        let out = powsim(&["run", "tx.toml", "--threads", t, "--out", &format!("t{t}"), "--quiet"], &dir);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (a, b) = (dir_contents(&dir.join("t1")), dir_contents(&dir.join("t2")));
    let rows = |body: &[u8]| body.iter().filter(|&&c| c == b'\n').count();
    assert!(a.iter().any(|(name, body)| name == "mempool.csv" && rows(body) > 100), "mempool sampled");
    assert_eq!(a, b);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Each bad input exits with code 2, names the file, line and key, and writes nothing.
#[test]
fn bad_scenarios_get_clear_errors_and_write_nothing() {
    let dir = temp_dir("cli-errors");
    let cases: &[(&str, &str, &[&str])] = &[
        ("unknown-key", "name = \"x\"\n[network]\nnodez = 5\n", &["unknown-key.toml:3", "network.nodez"]),
        (
            "wrong-type",
            "name = \"x\"\n[network]\nnodes = \"many\"\n",
            &["wrong-type.toml:3", "network.nodes"],
        ),
        ("range", "name = \"x\"\n[network]\nnodes = 1\n", &["range.toml:3", "network.nodes"]),
        (
            "shares",
            "name = \"x\"\n[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"EU\"\n",
            &["shares.toml", "mining.pool", "sum"],
        ),
        (
            "datafile",
            "name = \"x\"\n[network]\ntopology = \"file\"\ntopology_file = \"nope.csv\"\n",
            &["datafile.toml:4", "network.topology_file", "nope.csv"],
        ),
    ];
    for (name, text, needles) in cases {
        let file = format!("{name}.toml");
        std::fs::write(dir.join(&file), text).unwrap();
        let out = powsim(&["run", &file], &dir);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        for n in *needles {
            assert!(err.contains(n), "{name}: error should mention {n:?}: {err}");
        }
        assert!(!dir.join("results").exists(), "{name}: something was written");
    }
    // A file topology whose graph is not connected: exit 2 and say so.
    std::fs::write(dir.join("split.csv"), "a,b\n0,1\n2,3\n").unwrap();
    std::fs::write(
        dir.join("split.toml"),
        "name = \"x\"\n[network]\nnodes = 4\ntopology = \"file\"\ntopology_file = \"split.csv\"\n[mining]\npools = \"every-node\"\n",
    )
    .unwrap();
    let out = powsim(&["run", "split.toml"], &dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("network.topology") && err.contains("2 components"), "{err}");
    assert!(!dir.join("results").exists());
    let out = powsim(&["run", "missing.toml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
    let out = powsim(
        &["run", "range.toml", "--set", "network.nodes=20", "--set", "stop.blocks=2", "--quiet"],
        &dir,
    );
    assert!(out.status.success(), "--set fixes the bad value: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn validate_and_scenarios_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = powsim(&["validate", "scenarios/quickstart.toml", "--set", "network.nodes=500"], root);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nodes = 500") && text.contains("protocol = \"compact\""), "{text}");
    let out = powsim(&["scenarios"], root);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for s in ["quickstart.toml", "bitcoin-2015.toml", "bitcoin-2019.toml", "bench-10k.toml"] {
        assert!(text.contains(s), "{s} not listed: {text}");
    }
    assert!(!text.contains("invalid"), "{text}");
}

/// A scenario of many minutes, for the signal tests.
const LONG: &str = "name = \"long\"\n[stop]\nblocks = 100000\n[network]\nnodes = 300\npreset = \"bitcoin-2019\"\n\
                    [mining]\npools = \"every-node\"\n";

fn spawn_long(dir: &Path) -> std::process::Child {
    std::fs::write(dir.join("long.toml"), LONG).unwrap();
    Command::new(env!("CARGO_BIN_EXE_powsim"))
        .args(["run", "long.toml", "--out", "out", "--quiet"])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary starts")
}

/// Ctrl-C stops the run at its next check: what it has is written, marked incomplete, and the
/// process exits with 130.
#[test]
fn sigint_writes_an_incomplete_result() {
    let dir = temp_dir("sigint");
    let child = spawn_long(&dir);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("marked incomplete"));
    let manifest = std::fs::read_to_string(dir.join("out/manifest.toml")).unwrap();
    assert!(
        manifest.contains("stop_reason = \"interrupted\"") && manifest.contains("complete = false"),
        "{manifest}"
    );
    assert!(dir.join("out/summary.csv").is_file() && dir.join("out/blocks.csv").is_file());
    std::fs::remove_dir_all(dir).unwrap();
}

/// SIGKILL leaves no result that looks complete: the result directory appears only once whole.
#[test]
fn sigkill_leaves_no_result_that_looks_complete() {
    let dir = temp_dir("sigkill");
    let mut child = spawn_long(&dir);
    std::thread::sleep(std::time::Duration::from_millis(1000));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!dir.join("out").exists(), "a killed run left {}", dir.join("out").display());
    std::fs::remove_dir_all(dir).unwrap();
}

/// Ten million nodes are refused up front with the estimate; an output directory that is not
/// a powsim result is kept unless --force.
#[test]
fn oversized_runs_and_foreign_directories_are_refused() {
    let dir = temp_dir("limits");
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    let out = powsim(&["run", "tiny.toml", "--set", "network.nodes=10000000", "--quiet"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("GB of memory by powsim's estimate") && err.contains("10000000 nodes"), "{err}");
    assert!(!dir.join("results").exists());
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/notes.txt"), "keep").unwrap();
    let out = powsim(&["run", "tiny.toml", "--out", "mine", "--quiet"], &dir);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a powsim result"));
    assert!(dir.join("mine/notes.txt").is_file());
    ok_run(&powsim(&["run", "tiny.toml", "--out", "mine", "--quiet", "--force"], &dir));
    assert!(dir.join("mine/manifest.toml").is_file() && !dir.join("mine/notes.txt").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

/// --check-determinism runs each seed twice and finds the same bytes.
#[test]
fn check_determinism_runs_twice_and_agrees() {
    let dir = temp_dir("check-determinism");
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    let out =
        powsim(&["run", "tiny.toml", "--runs", "2", "--out", "o", "--quiet", "--check-determinism"], &dir);
    ok_run(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("seed 3 gave the same bytes") && err.contains("seed 4 gave the same bytes"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.join("o")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "the second copies are removed: {left:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `--check-invariants` is accepted by every command that runs scenarios, changes no result,
/// and a run too slow for any block before header times run out ends with a warning, not a
/// panic.
#[test]
fn check_invariants_everywhere_and_runs_that_cannot_mine() {
    let dir = temp_dir("check-invariants");
    std::fs::write(dir.join("tiny.toml"), TINY).unwrap();
    ok_run(&powsim(&["run", "tiny.toml", "--out", "plain", "--quiet", "--no-plots"], &dir));
    ok_run(&powsim(
        &["run", "tiny.toml", "--out", "checked", "--quiet", "--no-plots", "--check-invariants"],
        &dir,
    ));
    for f in ["summary.csv", "blocks.csv", "reorgs.csv"] {
        assert_eq!(
            std::fs::read(dir.join("plain").join(f)).unwrap(),
            std::fs::read(dir.join("checked").join(f)).unwrap(),
            "{f}"
        );
    }
    let sweep = format!("{TINY}[sweep]\nseeds = 2\n\"network.nodes\" = [30, 40]\n");
    std::fs::write(dir.join("grid.toml"), sweep).unwrap();
    ok_run(&powsim(
        &["sweep", "grid.toml", "--out", "s", "--quiet", "--no-plots", "--check-invariants"],
        &dir,
    ));
    let compare = ["compare", "tiny.toml", "--variant", "network.nodes=30", "--seeds", "2", "--out", "c"];
    ok_run(&powsim(&[&compare[..], &["--quiet", "--check-invariants"]].concat(), &dir));
    std::fs::write(
        dir.join("e.toml"),
        "[[expect]]\nscenario = \"tiny.toml\"\nseeds = 1\nmetrics = { blocks_main = { min = 8 } }\n",
    )
    .unwrap();
    ok_run(&powsim(&["check", "e.toml", "--check-invariants"], &dir));
    // A hash rate far too low for even powLimit's difficulty: no block before 2106.
    let out =
        powsim(&["run", "tiny.toml", "--out", "slow", "--quiet", "--set", "mining.hashrate_hs=1e-3"], &dir);
    ok_run(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("ended with 0 of the 8 blocks"));
    std::fs::remove_dir_all(dir).unwrap();
}

fn ok_run(out: &Output) {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
