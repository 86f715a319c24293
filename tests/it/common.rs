//! Helpers shared by the integration tests.

use powsim::report::{RunMeta, write_run};
use powsim::scenario::{self, Config};
use powsim::world::{RunOutput, simulate_with};
use std::path::{Path, PathBuf};

/// Parses a scenario given as TOML text, with `--set`-style overrides.
pub fn config(toml: &str, overrides: &[&str]) -> Config {
    let sets: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    scenario::parse_str(toml, Path::new("test.toml"), &sets)
        .unwrap_or_else(|e| panic!("bad test scenario: {e}"))
}

/// Runs a configuration with a seed, checking the model's invariants as it goes: a broken one
/// fails the test with the checker's message.
pub fn run(config: &Config, seed: u64) -> RunOutput {
    let out = simulate_with(config, seed, |w| w.enable_invariant_checks(), |_, _| {}).expect("world builds");
    if let Some(v) = &out.stats.violation {
        panic!("invariant broken in seed {seed} {v}");
    }
    out
}

/// A fresh, empty temporary directory unique to `name` (removed first if present).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("powsim-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `config` (parsed from `text`) with `seed`, writes the result into `dir` as `powsim run`
/// does (with `graph.csv` and `nodes.csv` when `write_graph`) and returns every file written.
pub fn run_files(
    dir: &Path,
    config: &Config,
    text: &str,
    seed: u64,
    write_graph: bool,
) -> Vec<(String, Vec<u8>)> {
    let out = run(config, seed);
    let meta = RunMeta {
        scenario_file: "test.toml".into(),
        scenario_sha256: scenario::digest_hex(text.as_bytes()),
        overrides: vec![],
        resolved_toml: scenario::resolved_toml(config),
        write_graph,
    };
    write_run(dir, config, &meta, &out).unwrap();
    dir_contents(dir)
}

/// Every file under `dir` with its bytes, sorted by relative path.
pub fn dir_contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A small realistic network: 2019 latencies, Core topology, compact relay.
pub const SMALL: &str = r#"
name = "small"
seed = 7
[stop]
blocks = 30
[network]
nodes = 120
preset = "bitcoin-2019"
topology = "bitcoin-core"
[relay]
protocol = "compact"
[mining]
pools = "bitcoin-2015"
"#;
