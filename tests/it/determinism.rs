//! Determinism is a contract: same scenario and seed, same bytes.

use crate::common::{SMALL, config, dir_contents, run, run_files, temp_dir};
use powsim::report::{RunMeta, write_run_with};
use powsim::scenario;

fn write(dir: &std::path::Path, seed: u64, overrides: &[&str]) -> Vec<(String, Vec<u8>)> {
    let c = config(SMALL, overrides);
    let out = run(&c, seed);
    let meta = RunMeta {
        scenario_file: "small.toml".into(),
        scenario_sha256: scenario::digest_hex(SMALL.as_bytes()),
        overrides: vec![],
        resolved_toml: scenario::resolved_toml(&c),
        write_graph: true,
    };
    write_run_with(dir, &c, &meta, &out, &|tmp| Ok(powsim::plot::plot_dir(tmp).map(drop)?)).unwrap();
    dir_contents(dir)
}

#[test]
fn same_seed_gives_identical_files_and_other_seeds_differ() {
    let base = temp_dir("determinism");
    let a = write(&base.join("a"), 11, &[]);
    let b = write(&base.join("b"), 11, &[]);
    assert_eq!(
        a.len(),
        20,
        "summary, pools, blocks, propagation, reorgs, difficulty, graph, nodes, manifest; \
         propagation, intervals, difficulty, forks and pools plots as PNG and SVG; index.html"
    );
    assert_eq!(a, b);
    let c = write(&base.join("c"), 12, &[]);
    let differing =
        a.iter().zip(&c).filter(|(x, y)| x.1 != y.1).map(|(x, _)| x.0.clone()).collect::<Vec<_>>();
    for f in ["blocks.csv", "summary.csv", "graph.csv", "propagation.csv", "propagation.png", "index.html"] {
        assert!(differing.iter().any(|d| d == f), "{f} should change with the seed: {differing:?}");
    }
    std::fs::remove_dir_all(base).unwrap();
}

#[test]
fn every_relay_protocol_is_deterministic() {
    for p in ["legacy", "headers", "compact", "unsolicited"] {
        let set = format!("relay.protocol={p}");
        let c = config(SMALL, &[&set, "stop.blocks=10", "network.nodes=60"]);
        let (a, b) = (run(&c, 3), run(&c, 3));
        let sa = powsim::report::summarize("x", &a);
        let sb = powsim::report::summarize("x", &b);
        assert_eq!(sa, sb, "{p}");
        assert_eq!(a.stats.events, b.stats.events);
    }
}

/// Timeline events, clock skew, gateways and header-first mining draw from
/// their own streams: the files are the same bytes run after run.
#[test]
fn timeline_events_and_skewed_clocks_are_deterministic() {
    let text = "name = \"timeline\"\n[stop]\nsim_time_s = 30000\n[network]\nnodes = 80\npreset = \"bitcoin-2019\"\n\
                clock_skew_sd_s = 30\n\
                [[mining.pool]]\nname = \"a\"\nhash_share = 0.6\nregion = \"NA\"\ngateways = [\"EU\"]\nspv_mining = true\n\
                [[mining.pool]]\nname = \"b\"\nhash_share = 0.4\nregion = \"AP\"\n\
                [[events]]\nkind = \"partition\"\nat_s = 3000\nfraction = 0.4\nduration_s = 3000\n\
                [[events]]\nkind = \"churn\"\nat_s = 9000\nfraction = 0.3\nduration_s = 2000\n\
                [[events]]\nkind = \"hashrate\"\nat_height = 2030\npool = \"b\"\nscale = 3\nramp_s = 5000\n\
                [[events]]\nkind = \"latency\"\nat_s = 15000\nregion = \"EU\"\nlatency_scale = 4\nduration_s = 4000\n";
    let c = config(text, &[]);
    let base = temp_dir("timeline-determinism");
    let files = |sub: &str| run_files(&base.join(sub), &c, text, 5, false);
    let (a, b) = (files("a"), files("b"));
    assert!(a.iter().any(|(f, _)| f == "events.csv"));
    assert_eq!(a, b);
    std::fs::remove_dir_all(base).unwrap();
}
