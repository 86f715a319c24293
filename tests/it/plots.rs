//! Plots: drawn after every run unless `--no-plots`, redrawn from the CSV
//! files alone by `powsim plot DIR`, byte for byte, with clear errors for a
//! directory that is not a result or a malformed file.

use crate::common::{dir_contents, temp_dir};
use std::path::Path;
use std::process::{Command, Output};

fn powsim(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_powsim")).args(args).current_dir(cwd).output().expect("binary runs")
}

fn ok(out: &Output) {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Transactions, a timeline event and pools: every figure has its data.
const EVERYTHING: &str = r#"
name = "plots"
seed = 5
[stop]
sim_time_s = 5400
[network]
nodes = 40
preset = "bitcoin-2019"
[mining]
pools = "bitcoin-2015"
[transactions]
rate_per_s = 2.0
relay = "fast"
observers = 4
[output]
mempool_sample_s = 300
[[events]]
kind = "hashrate"
at_s = 1800
scale = 0.5
"#;

const FIGURES: [&str; 9] = powsim::plot::STEMS;

fn is_plot(name: &str) -> bool {
    name.ends_with(".png") || name.ends_with(".svg") || name == "index.html"
}

#[test]
fn a_run_draws_every_plot_and_plot_redraws_them_byte_for_byte() {
    let dir = temp_dir("plots-all");
    std::fs::write(dir.join("s.toml"), EVERYTHING).unwrap();
    ok(&powsim(&["run", "s.toml", "--out", "res", "--quiet"], &dir));
    let res = dir.join("res");
    let drawn = dir_contents(&res);
    let file = |name: &str| drawn.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone());
    for stem in FIGURES {
        let png = file(&format!("{stem}.png")).unwrap_or_else(|| panic!("{stem}.png missing"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
            "{stem}.png: {} bytes",
            png.len()
        );
        let svg = String::from_utf8(file(&format!("{stem}.svg")).unwrap()).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("plots, seed 5") && svg.len() > 5_000, "{stem}.svg");
    }
    let index = String::from_utf8(file("index.html").unwrap()).unwrap();
    for stem in FIGURES {
        assert!(index.contains(&format!("src=\"{stem}.png\"")), "index.html lacks {stem}");
    }
    assert!(index.contains("stale_rate") && index.contains("Timeline events"), "summary and events shown");
    assert!(!index.contains("http"), "index.html is self-contained");
    let rows = |name: &str| String::from_utf8(file(name).unwrap()).unwrap().lines().count();
    assert_eq!(rows("propagation.csv"), rows("blocks.csv"), "one propagation row per block");

    // Remove the plots: `powsim plot` draws the same bytes from the CSVs.
    for (name, _) in drawn.iter().filter(|(n, _)| is_plot(n)) {
        std::fs::remove_file(res.join(name)).unwrap();
    }
    let out = powsim(&["plot", "res", "--threads", "1"], &dir);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("index.html"));
    assert_eq!(dir_contents(&res), drawn, "plot redraws the run's plots byte for byte");

    // Without its data a figure is not drawn, and an old drawing of it goes.
    std::fs::remove_file(res.join("events.csv")).unwrap();
    ok(&powsim(&["plot", "res"], &dir));
    assert!(!res.join("events.png").exists() && !res.join("events.svg").exists());
    let index = std::fs::read_to_string(res.join("index.html")).unwrap();
    assert!(!index.contains("events.png") && index.contains("mempool.png"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn no_plots_writes_only_the_data_and_plot_draws_them_later() {
    let dir = temp_dir("plots-none");
    let args = ["--set", "network.nodes=50", "--set", "stop.blocks=20", "--quiet"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let quickstart = root.join("scenarios/quickstart.toml");
    let q = quickstart.to_str().unwrap();
    ok(&powsim(&[&["run", q, "--out", "bare", "--no-plots"], &args[..]].concat(), &dir));
    let bare = dir_contents(&dir.join("bare"));
    assert!(!bare.is_empty() && bare.iter().all(|(n, _)| !is_plot(n)), "no plots with --no-plots");
    ok(&powsim(&[&["run", q, "--out", "full"], &args[..]].concat(), &dir));
    ok(&powsim(&["plot", "bare"], &dir));
    assert_eq!(dir_contents(&dir.join("bare")), dir_contents(&dir.join("full")));
    // Figures without data are left out: no transactions, no timeline.
    for f in ["mempool.png", "fees.png", "confirmation.png", "events.png"] {
        assert!(!dir.join("full").join(f).exists(), "{f} drawn without its data");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn plot_rejects_what_is_not_a_result_and_names_the_bad_file() {
    let dir = temp_dir("plots-errors");
    let fails = |args: &[&str], needles: &[&str]| {
        let out = powsim(args, &dir);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: error should mention {n:?}: {err}");
        }
    };
    fails(&["plot", "nowhere"], &["nowhere", "no such directory"]);
    std::fs::create_dir(dir.join("empty")).unwrap();
    fails(&["plot", "empty"], &["empty", "not a powsim result", "manifest.toml"]);

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let q = root.join("scenarios/quickstart.toml");
    let sets = ["--set", "network.nodes=30", "--set", "stop.blocks=5", "--quiet", "--no-plots"];
    ok(&powsim(&[&["run", q.to_str().unwrap(), "--out", "r"], &sets[..]].concat(), &dir));
    let blocks = dir.join("r/blocks.csv");
    let text = std::fs::read_to_string(&blocks).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<&str> = lines[3].split(',').collect();
    fields[5] = "soon";
    lines[3] = fields.join(",");
    std::fs::write(&blocks, lines.join("\n")).unwrap();
    fails(&["plot", "r"], &["blocks.csv", "line 4", "found_s"]);
    std::fs::remove_file(&blocks).unwrap();
    fails(&["plot", "r"], &["blocks.csv", "missing"]);
    assert!(!dir.join("r/index.html").exists(), "nothing drawn from bad input");
    std::fs::remove_dir_all(dir).unwrap();
}
