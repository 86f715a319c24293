//! Scenario parsing and validation on arbitrary bytes: the text up to the
//! first NUL byte is the scenario file (TOML cannot hold a raw NUL), each
//! line after it a `--set` override. Never a panic; a valid config's
//! resolved TOML parses back to the same config; an error names its key
//! unless it is about the whole file (TOML syntax, UTF-8) or an override's
//! syntax. Data files resolve in a directory holding a ten-node ring
//! `g.csv` and the test histograms `f.csv`, `v.csv`.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use powsim::scenario::{ScenarioError, parse_str, resolved_toml};

/// Errors about the whole file or an override's syntax, which name no key.
const KEYLESS: [&str; 3] = ["TOML syntax error", "expected key.path=value", "empty key segment"];

/// The scenario's path, in a directory made once with the data files.
fn origin() -> &'static Path {
    static ORIGIN: OnceLock<PathBuf> = OnceLock::new();
    ORIGIN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("powsim-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fuzz data directory");
        let ring: String = (0..10).map(|i| format!("{i},{}\n", (i + 1) % 10)).collect();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
        std::fs::write(dir.join("g.csv"), ring).expect("g.csv");
        std::fs::copy(data.join("feerates.csv"), dir.join("f.csv")).expect("f.csv");
        std::fs::copy(data.join("vsizes.csv"), dir.join("v.csv")).expect("v.csv");
        dir.join("fz.toml")
    })
}

fn check_error(err: &ScenarioError) {
    assert!(!err.message.is_empty(), "an error without a message: {err:?}");
    if err.key.is_empty() {
        assert!(KEYLESS.iter().any(|m| err.message.contains(m)), "an error that names no key: {err:?}");
    }
    let _ = err.to_string();
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (text, sets) = input.split_once('\0').unwrap_or((input, ""));
    let overrides: Vec<String> = sets.lines().map(str::to_string).collect();
    let origin = origin();
    match parse_str(text, origin, &overrides) {
        Ok(config) => {
            let resolved = resolved_toml(&config);
            match parse_str(&resolved, origin, &[]) {
                Ok(again) => {
                    assert!(again == config, "the resolved TOML parses to another config:\n{resolved}");
                    assert_eq!(resolved_toml(&again), resolved, "the resolved TOML changed");
                }
                Err(e) => panic!("the resolved TOML of a valid config is refused: {e}\n{resolved}"),
            }
        }
        Err(err) => check_error(&err),
    }
});
