//! Property tests of the input boundary: thousands of generated and mutated
//! scenario files, `--set` overrides, edge lists and histogram CSVs go
//! through the validator. For every input: no panic; a valid config whose
//! resolved TOML parses back to the same config; or an error that names
//! the key (only TOML syntax, UTF-8 and whole-file problems have none), on
//! a line of the file it names.
//!
//! Cases are drawn from seeded generators (`tests_fuzz_gen.rs`,
//! `tests_fuzz_plan.rs`), so a failure names its seed and prints its input.
//! `POWSIM_FUZZ_CASES=N` runs N cases per test instead of the default,
//! `POWSIM_FUZZ_SEED=S` another master seed; `POWSIM_FUZZ_KEEP_GOING=1`
//! reports every failing case instead of stopping at the first, and
//! `POWSIM_FUZZ_STATS=1` prints which errors the generated inputs reached.
//! `cargo fuzz` (see `fuzz/`) explores the same boundary by coverage.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use super::bins::BinFormat;
use super::lower_transactions::{FEERATE_SPEC, VSIZE_SPEC};
use super::tests::TempDir;
use super::tests_fuzz_gen::Gen;
use super::*;
use crate::sim::splitmix64;

/// Cases per test: `POWSIM_FUZZ_CASES`, else `default`.
fn case_count(default: usize) -> usize {
    std::env::var("POWSIM_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

/// The master seed: `POWSIM_FUZZ_SEED`, else a fixed one.
fn master_seed() -> u64 {
    std::env::var("POWSIM_FUZZ_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(20_250_101)
}

/// One input: what the case fed the validator, for the failure report.
#[derive(Default)]
struct Input {
    text: Vec<u8>,
    overrides: Vec<String>,
    data: Option<(String, Vec<u8>)>,
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(&self.text) {
            Ok(text) => writeln!(f, "scenario text:\n{text}\n(escaped: {text:?})")?,
            Err(_) => writeln!(f, "scenario bytes (not UTF-8): {:?}", String::from_utf8_lossy(&self.text))?,
        }
        if !self.overrides.is_empty() {
            writeln!(f, "--set overrides: {:?}", self.overrides)?;
        }
        if let Some((name, bytes)) = &self.data {
            writeln!(f, "data file {name}: {:?}", String::from_utf8_lossy(bytes))?;
        }
        Ok(())
    }
}

/// Runs `count` cases of `case`, each with its own seed derived from the
/// master seed, the test's label and the case's index. A panic or a broken
/// property fails the test with the seed and the input.
fn run_cases(label: &str, count: usize, mut case: impl FnMut(&mut Gen, &mut Input) -> Result<(), String>) {
    let master = master_seed();
    let salt = label.bytes().fold(0u64, |h, b| splitmix64(h ^ u64::from(b)));
    let keep_going = std::env::var_os("POWSIM_FUZZ_KEEP_GOING").is_some();
    let mut failures = 0;
    for index in 0..count {
        let seed = splitmix64(master ^ salt ^ splitmix64(index as u64));
        let mut input = Input::default();
        let outcome = catch_unwind(AssertUnwindSafe(|| case(&mut Gen::new(seed), &mut input)));
        let why = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(why)) => why,
            Err(_) => "panicked (message above)".to_string(),
        };
        let report = format!(
            "{label}: case {index} of {count} (POWSIM_FUZZ_SEED={master}, case seed {seed:#x}): {why}\n{input}"
        );
        if !keep_going {
            panic!("{report}");
        }
        eprintln!("{report}");
        failures += 1;
    }
    assert_eq!(failures, 0, "{label}: {failures} of {count} cases failed");
}

/// A directory that holds a scenario's data files: a ten-node ring, the
/// test histograms and junk, as `g.csv`, `f.csv`, `v.csv`, `junk.csv` and
/// `data/g.csv`.
fn data_dir(label: &str) -> TempDir {
    let dir = TempDir::new(label);
    let ring: String = (0..10).map(|i| format!("{i},{}\n", (i + 1) % 10)).collect();
    let tests_data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let read = |name: &str| std::fs::read(tests_data.join(name)).expect("test histogram");
    dir.write("g.csv", format!("a,b\n{ring}").as_bytes());
    dir.write("f.csv", &read("feerates.csv"));
    dir.write("v.csv", &read("vsizes.csv"));
    dir.write("junk.csv", b"\xff\xfe,\x00\n1,2,3\n");
    std::fs::create_dir_all(dir.0.join("data")).expect("data dir");
    dir.write("data/g.csv", ring.as_bytes());
    dir
}

/// Validates `input` as the scenario file `origin` (through [`load`] when
/// its bytes are not UTF-8 or `via_file`) and checks the outcome; returns
/// the error of an invalid scenario.
fn validate(input: &Input, origin: &Path, via_file: bool) -> Result<Option<ScenarioError>, String> {
    let result = match std::str::from_utf8(&input.text) {
        Ok(text) if !via_file => parse_str(text, origin, &input.overrides),
        _ => {
            write_fresh(origin, &input.text)?;
            load(origin, &input.overrides)
        }
    };
    let error = result.as_ref().err().cloned();
    check_outcome(result, input, origin).map(|()| error)
}

/// With `POWSIM_FUZZ_STATS` set, tests print how often each key and
/// message began an error, to show which checks the generators reach.
#[derive(Default)]
struct Outcomes(std::collections::BTreeMap<String, usize>);

impl Outcomes {
    fn add(&mut self, error: Option<&ScenarioError>) {
        let outcome = match error {
            None => "valid".to_string(),
            Some(e) => format!("{} | {}", e.key, e.message.chars().take(60).collect::<String>()),
        };
        *self.0.entry(outcome).or_insert(0) += 1;
    }

    fn print(self, label: &str) {
        if std::env::var_os("POWSIM_FUZZ_STATS").is_none() {
            return;
        }
        let mut counts: Vec<(String, usize)> = self.0.into_iter().collect();
        counts.sort_by_key(|(outcome, n)| (std::cmp::Reverse(*n), outcome.clone()));
        for (outcome, n) in counts.iter().take(80) {
            eprintln!("{label}: {n:6} {outcome:?}");
        }
    }
}

/// Writes a case's file as a new file: overwriting one in place makes ext4
/// flush it to disk on close, which costs milliseconds per case.
fn write_fresh(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let _ = std::fs::remove_file(path);
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The property: a config that round-trips, or an error that names its key.
fn check_outcome(result: Result<Config, ScenarioError>, input: &Input, origin: &Path) -> Result<(), String> {
    match result {
        Ok(config) => round_trips(&config, origin),
        Err(err) => {
            let lines = input.text.iter().filter(|&&b| b == b'\n').count() + 1;
            check_error(&err, origin, lines).map_err(|why| format!("{why}\nerror: {err}\n{err:?}"))
        }
    }
}

/// `resolved_toml` of a valid config parses back to the same config and
/// the same text.
fn round_trips(config: &Config, origin: &Path) -> Result<(), String> {
    let text = resolved_toml(config);
    match parse_str(&text, origin, &[]) {
        Ok(again) if again == *config && resolved_toml(&again) == text => Ok(()),
        Ok(again) => Err(format!(
            "the resolved TOML parses to another config\nresolved:\n{text}\nfirst: {config:?}\nagain: {again:?}"
        )),
        Err(e) => Err(format!("the resolved TOML of a valid config is refused: {e}\nresolved:\n{text}")),
    }
}

/// Messages of errors about the whole scenario file or the `--set` syntax,
/// which name no key.
const KEYLESS: [&str; 6] = [
    "TOML syntax error",
    "is not valid UTF-8 text",
    "cannot read scenario file",
    "scenario files may have at most",
    "expected key.path=value",
    "empty key segment",
];

/// Keys that data-file errors are reported under.
const DATA_KEYS: [&str; 3] = ["network.topology_file", "transactions.feerate", "transactions.vsize"];

fn check_error(err: &ScenarioError, origin: &Path, lines: usize) -> Result<(), String> {
    let shown = err.to_string();
    if err.message.trim().is_empty() || !shown.contains(&err.message) {
        return Err("the error has no message".to_string());
    }
    if err.key.is_empty() && !KEYLESS.iter().any(|m| err.message.contains(m)) {
        return Err("the error names no key".to_string());
    }
    let scenario = origin.display().to_string();
    let dir = origin.parent().unwrap_or(Path::new(".")).display().to_string();
    if err.file == scenario {
        if err.line.is_some_and(|line| line == 0 || line > lines) {
            return Err(format!("line {:?} is outside the file's {lines} lines", err.line));
        }
    } else if err.file == "--set" {
        if err.line.is_some() {
            return Err("an override error has a line".to_string());
        }
    } else if err.file.starts_with(&dir) {
        if !DATA_KEYS.contains(&err.key.as_str()) {
            return Err("a data-file error names no data key".to_string());
        }
    } else {
        return Err(format!("the error names an unexpected file {:?}", err.file));
    }
    Ok(())
}

/// Every shipped scenario file's bytes.
fn shipped_files() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).expect("shipped scenario")).collect()
}

/// Scenarios written from the schema: every table and key, in every TOML
/// form, with plausible, wrongly typed and hostile values, sometimes with
/// `--set` overrides or a few byte mutations.
#[test]
fn generated_scenarios_validate_or_name_the_key() {
    let dir = data_dir("fuzz-generated");
    let origin = dir.0.join("fz.toml");
    let (mut valid, mut count) = (0, 0);
    let mut outcomes = Outcomes::default();
    run_cases("generated", case_count(3000), |g, input| {
        let document = g.scenario();
        input.text = g.write(&document).into_bytes();
        if g.chance(0.1) {
            input.text = g.mutate(&input.text, &[]);
        }
        if g.chance(0.2) {
            input.overrides = (0..1 + g.below(3)).map(|_| g.override_text()).collect();
        }
        let outcome = validate(input, &origin, g.chance(0.02))?;
        count += 1;
        valid += usize::from(outcome.is_none());
        outcomes.add(outcome.as_ref());
        Ok(())
    });
    outcomes.print("generated");
    // The generator must reach the lowering step's checks and produce whole
    // valid scenarios often enough for the round trip to be tested.
    assert!(valid * 20 > count, "only {valid} of {count} generated scenarios were valid");
}

/// Coherent scenarios (every table, each key where it applies), half of
/// them with a few values changed, keys removed or keys added where they
/// may not belong: each check is reached with a valid scenario around it,
/// and most unchanged ones are valid and round-trip.
#[test]
fn coherent_scenarios_validate_or_name_the_key() {
    let dir = data_dir("fuzz-coherent");
    let origin = dir.0.join("fz.toml");
    let (mut valid, mut unchanged) = (0, 0);
    let (mut outcomes, mut perturbed_outcomes) = (Outcomes::default(), Outcomes::default());
    run_cases("coherent", case_count(3000), |g, input| {
        let mut document = g.coherent();
        let perturbed = g.chance(0.5);
        if perturbed {
            g.perturb(&mut document);
            if g.chance(0.3) {
                input.overrides = (0..1 + g.below(3)).map(|_| g.override_text()).collect();
            }
        }
        input.text = g.write(&document).into_bytes();
        let outcome = validate(input, &origin, false)?;
        if perturbed {
            perturbed_outcomes.add(outcome.as_ref());
        } else {
            unchanged += 1;
            valid += usize::from(outcome.is_none());
            outcomes.add(outcome.as_ref());
        }
        Ok(())
    });
    outcomes.print("coherent");
    perturbed_outcomes.print("coherent, perturbed");
    assert!(valid * 2 > unchanged, "only {valid} of {unchanged} coherent scenarios were valid");
}

/// Every shipped scenario with byte and line mutations (non-UTF-8 ones
/// through a file), sometimes with `--set` overrides.
#[test]
fn mutated_shipped_scenarios_validate_or_name_the_key() {
    let dir = data_dir("fuzz-mutated");
    let origin = dir.0.join("fz.toml");
    let shipped = shipped_files();
    let mut outcomes = Outcomes::default();
    run_cases("mutated", case_count(3000), |g, input| {
        let base = &shipped[g.below(shipped.len())];
        input.text = g.mutate(base, &shipped);
        if g.chance(0.15) {
            input.overrides = (0..1 + g.below(3)).map(|_| g.override_text()).collect();
        }
        outcomes.add(validate(input, &origin, false)?.as_ref());
        Ok(())
    });
    outcomes.print("mutated");
}

/// A scenario on a `file` topology of `nodes` nodes, with `topology_file = "e.csv"`.
fn edge_scenario(nodes: u32) -> Vec<u8> {
    format!(
        "name = \"e\"\n[network]\nnodes = {nodes}\ntopology = \"file\"\ntopology_file = \"e.csv\"\n\
         [mining]\npools = \"every-node\"\n"
    )
    .into_bytes()
}

/// Generated and mutated edge lists: parsed directly, and one case in four
/// through a scenario file. A valid list holds distinct connections
/// between distinct nodes in range; an error names the file and the line.
#[test]
fn edge_lists_load_or_name_the_file_and_line() {
    let dir = data_dir("fuzz-edges");
    let origin = dir.0.join("fz.toml");
    let csv = dir.0.join("e.csv").display().to_string();
    run_cases("edges", case_count(4000), |g, input| {
        let nodes = g.pick(&[2u32, 3, 4, 10, 11, 1000, u32::MAX]);
        let bytes = g.edge_list(nodes.min(12));
        input.data = Some(("e.csv".to_string(), bytes.clone()));
        match edges::parse(&csv, &bytes, nodes) {
            Ok(edges) => check_edges(&edges, nodes)?,
            Err(err) => check_data_error(&err, &csv, "network.topology_file", &bytes, "no connections")?,
        }
        if g.chance(0.25) && nodes <= 1_000_000 {
            write_fresh(&dir.0.join("e.csv"), &bytes)?;
            input.text = edge_scenario(nodes);
            validate(input, &origin, true)?;
        }
        Ok(())
    });
}

fn check_edges(edges: &[(u32, u32)], nodes: u32) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for &(a, b) in edges {
        if a >= nodes || b >= nodes || a == b || !seen.insert((a.min(b), a.max(b))) {
            return Err(format!("accepted a bad connection {a},{b} for {nodes} nodes"));
        }
    }
    if edges.is_empty() { Err("accepted an empty edge list".to_string()) } else { Ok(()) }
}

/// A data-file error names `file`, `key` and a line of the file, except
/// the whole-file error whose message holds `whole`.
fn check_data_error(
    err: &ScenarioError,
    file: &str,
    key: &str,
    bytes: &[u8],
    whole: &str,
) -> Result<(), String> {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    let place_ok = match err.line {
        Some(line) => line >= 1 && line <= lines,
        None => err.message.contains(whole),
    };
    if err.file != file || err.key != key || !place_ok || err.message.is_empty() {
        return Err(format!("the error does not name {file}, a line and {key}: {err:?}"));
    }
    Ok(())
}

/// The two histogram keys and their formats.
const FORMATS: [(&str, BinFormat); 2] = [("feerate", FEERATE_SPEC.format), ("vsize", VSIZE_SPEC.format)];

/// Generated and mutated histograms of both kinds: parsed directly, and
/// one case in four through a scenario file. Valid bins are sorted, do not
/// overlap, lie in range and weigh > 0; an error names the file, the line
/// and the key.
#[test]
fn histograms_load_or_name_the_file_and_line() {
    let dir = data_dir("fuzz-bins");
    let origin = dir.0.join("fz.toml");
    let csv = dir.0.join("h.csv").display().to_string();
    run_cases("bins", case_count(4000), |g, input| {
        let (name, format) = &FORMATS[g.below(2)];
        let bytes = g.histogram(&format.columns.join(","), format.min, format.max);
        input.data = Some(("h.csv".to_string(), bytes.clone()));
        match bins::parse(&csv, &bytes, format) {
            Ok(bins) => check_bins(&bins, format)?,
            Err(err) => check_data_error(&err, &csv, format.key, &bytes, "no bins")?,
        }
        if g.chance(0.25) {
            write_fresh(&dir.0.join("h.csv"), &bytes)?;
            let text = format!(
                "name = \"h\"\n[transactions]\n{name} = {{ dist = \"empirical\", file = \"h.csv\" }}\n"
            );
            input.text = text.into_bytes();
            validate(input, &origin, true)?;
        }
        Ok(())
    });
}

fn check_bins(bins: &[(f64, f64, f64)], format: &BinFormat) -> Result<(), String> {
    let mut previous_high = f64::NEG_INFINITY;
    for &(low, high, weight) in bins {
        let ok =
            format.min <= low && low < high && high <= format.max && low >= previous_high && weight > 0.0;
        if !ok || !weight.is_finite() {
            return Err(format!("accepted a bad bin {low},{high},{weight}"));
        }
        previous_high = high;
    }
    let total: f64 = bins.iter().map(|b| b.2).sum();
    if bins.is_empty() || !total.is_finite() {
        Err("accepted no bins or infinite weight".to_string())
    } else {
        Ok(())
    }
}

// Regressions: inputs the property tests found, each failing before its fix.

/// A key that is not a bare TOML key was reported under an empty or
/// misleading name (`"" = 1` under no key at all); it is now quoted.
#[test]
fn keys_that_are_not_bare_are_quoted_in_errors() {
    let err = super::tests::parse("name = \"x\"\n\"\" = \" \"\n").expect_err("empty key");
    assert_eq!((err.line, err.key.as_str()), (Some(2), "\"\""));
    assert_eq!(
        err.to_string(),
        "t.toml:2: \"\": unknown key ``, expected one of `name`, `description`, `seed`, `stop`, `network`, `relay`, `consensus`, `blocks`, `mining`, `relay_network`, `transactions`, `mempool`, `output`, `events`, `node_group`, `sweep`"
    );
    let err = super::tests::parse("name = \"x\"\n[network]\n\"node s\" = 1\n").expect_err("spaced key");
    assert_eq!(err.key, "network.\"node s\"");
}

/// The property for one scenario text: valid, and its resolved TOML reads
/// back to the same config.
fn valid_and_round_trips(text: &str) {
    let origin = Path::new("t.toml");
    let config = parse_str(text, origin, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    round_trips(&config, origin).unwrap_or_else(|why| panic!("{why}\n{text}"));
}

/// A node group of pools only has share 0, which the resolved TOML writes
/// and the validator refused (it allowed only shares > 0).
#[test]
fn a_group_of_pools_only_round_trips() {
    let pools = "[[mining.pool]]\nname = \"a\"\nhash_share = 0.5\nregion = \"NA\"\n\
                 [[mining.pool]]\nname = \"b\"\nhash_share = 0.5\nregion = \"EU\"\n";
    let group = "[[node_group]]\nname = \"g\"\npools = [\"a\"]\nconsensus = { halving_interval = 1000 }\n";
    valid_and_round_trips(&format!("name = \"x\"\n{pools}{group}"));
    valid_and_round_trips(&format!("name = \"x\"\n{pools}{group}share = 0\n"));
}

/// With every node mining, a group's pools are written as `pools = []`,
/// which the validator refused as if it named pools.
#[test]
fn a_group_under_every_node_mining_may_list_no_pools() {
    let every = "name = \"x\"\n[mining]\npools = \"every-node\"\n";
    let group = "[[node_group]]\nname = \"g\"\nshare = 0.5\nconsensus = { mtp_window = 5 }\n";
    valid_and_round_trips(&format!("{every}{group}"));
    valid_and_round_trips(&format!("{every}{group}pools = []\n"));
    let err = super::tests::parse(&format!("{every}{group}pools = [\"a\"]\n")).expect_err("a pool");
    assert_eq!(err.key, "node_group[0].pools");
}

/// An activation that sets values the rules already have was written with
/// an empty `set`, which reads back as "names no rule"; also when a group
/// inherits an activation that changes nothing for it.
#[test]
fn an_activation_that_changes_nothing_round_trips() {
    let activation = "[[consensus.activation]]\nheight = 3000\nset = { block_interval_s = 300 }\n";
    valid_and_round_trips(&format!("name = \"x\"\n{activation}"));
    valid_and_round_trips(&format!("name = \"x\"\n[consensus]\nblock_interval_s = 300\n{activation}"));
    let same_algorithm = "[[consensus.activation]]\nheight = 3000\nset = { difficulty = \"bitcoin\" }\n";
    valid_and_round_trips(&format!("name = \"x\"\n{same_algorithm}"));
    let group = "[[node_group]]\nname = \"g\"\nshare = 0.5\nconsensus = { block_interval_s = 300 }\n";
    valid_and_round_trips(&format!("name = \"x\"\n{activation}{group}"));
}

/// Scenario and data files were read whole before their size was checked,
/// so `topology_file = "/dev/zero"` (or `powsim validate /dev/zero`) read
/// until memory ran out; they are now read through a limit.
#[test]
fn files_are_read_through_a_size_limit() {
    let dir = TempDir::new("limit");
    let path = dir.write("f", &[b'x'; 100]);
    assert_eq!(read_limited(&path, 100).expect("read").map(|b| b.len()), Some(100));
    assert_eq!(read_limited(&path, 99).expect("read"), None);
    #[cfg(unix)]
    assert_eq!(read_limited(Path::new("/dev/zero"), 1 << 16).expect("read /dev/zero"), None);
    let text = "name = \"x\"\n[network]\nnodes = 4\ntopology = \"file\"\ntopology_file = \"sub\"\n";
    std::fs::create_dir_all(dir.0.join("sub")).expect("sub dir");
    let err = load(&dir.write("s.toml", text.as_bytes()), &[]).expect_err("a directory");
    assert_eq!((err.line, err.key.as_str()), (Some(5), "network.topology_file"));
    assert!(err.message.starts_with("cannot read data file"), "{}", err.message);
}

/// Valid configurations that stopped the simulation for good (found by
/// running extreme values of single keys): a Bitcoin-style retarget whose
/// timespan is shorter than `clamp_factor` seconds clamps the measured span
/// to 0 s and sets the target to 0 (2 blocks of 1 s: the first retarget),
/// after which the next block is drawn at the end of time and its header
/// time overflows.
#[test]
fn a_retarget_timespan_below_the_clamp_factor_is_refused() {
    let parse = super::tests::parse;
    let text = "name = \"x\"\n[consensus]\nretarget_interval = 2\nblock_interval_s = 1\n";
    let err = parse(text).expect_err("a 2 s timespan with clamp_factor 4");
    assert_eq!((err.line, err.key.as_str()), (Some(3), "consensus.retarget_interval"));
    assert!(err.message.contains("= 2 × 1 = 2 s must be at least clamp_factor = 4 s"), "{}", err.message);
    assert!(parse(&format!("{text}clamp_factor = 2\n")).is_ok());
    assert!(parse(&format!("{text}difficulty = \"asert\"\n")).is_ok(), "ASERT has no clamp");
    let activation = "[consensus]\nretarget_interval = 2\n[[consensus.activation]]\nheight = 3000\nset = { block_interval_s = 1 }\n";
    let err = parse(&format!("name = \"x\"\n{activation}")).expect_err("an activation");
    assert_eq!(err.key, "consensus.activation[0].set.retarget_interval");
    let group = "[[node_group]]\nname = \"g\"\nshare = 0.5\nconsensus = { retarget_interval = 3, clamp_factor = 4, block_interval_s = 1 }\n";
    let err = parse(&format!("name = \"x\"\n{group}")).expect_err("a group");
    assert_eq!(err.key, "node_group[0].consensus.retarget_interval");
}

/// `mining.hashrate_hs = 1.7e308` made the starting target
/// 2^256 / (hash rate × interval) round to 0, which no block meets; hash
/// rates now stop at 1e60.
#[test]
fn hash_rates_beyond_the_target_range_are_refused() {
    let parse = super::tests::parse;
    let err = parse("name = \"x\"\n[mining]\nhashrate_hs = 1.7e308\n").expect_err("1.7e308 H/s");
    assert_eq!((err.line, err.key.as_str()), (Some(3), "mining.hashrate_hs"));
    assert!(err.message.ends_with("> 0 and <= 1e60, got 1.7e308"), "{}", err.message);
    assert!(
        parse("name = \"x\"\n[mining]\nhashrate_hs = 1e60\n[consensus]\nblock_interval_s = 86400\n").is_ok()
    );
}
