//! Golden summaries: small runs whose `summary.csv` is pinned, so a change that
//! moves any result is seen and justified in review. After an intended change,
//! regenerate with `POWSIM_UPDATE_GOLDEN=1 cargo test --test it golden` and
//! explain the difference in the commit.

use crate::common::{SMALL, config, run};
use powsim::report::summarize;
use std::path::Path;

fn summary_csv(protocol: &str, seed: u64) -> String {
    let set = format!("relay.protocol={protocol}");
    let out = run(&config(SMALL, &[&set]), seed);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(summarize("small", &out)).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn small_scenario_summaries_match_the_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden");
    let update = std::env::var_os("POWSIM_UPDATE_GOLDEN").is_some();
    for protocol in ["legacy", "headers", "compact", "unsolicited"] {
        let got = summary_csv(protocol, 7);
        let path = dir.join(format!("small-{protocol}-seed7.csv"));
        if update {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("{}: {e}; run with POWSIM_UPDATE_GOLDEN=1 to create it", path.display())
        });
        assert_eq!(got, want, "{protocol}: summary changed; if intended, regenerate (see module docs)");
    }
}
