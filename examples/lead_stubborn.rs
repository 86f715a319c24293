//! A mining strategy written outside the library: Lead-Stubborn mining
//! (Nayak, Kumar, Miller and Shi, "Stubborn Mining", EuroS&P 2016).
//!
//! Like Selfish-Mine the pool keeps its blocks private, but when the others
//! find a block it only ever matches them, revealing its block of the same
//! height, and keeps mining on its own branch instead of publishing the
//! whole branch to override them.
//!
//! Run it with `cargo run --release --example lead_stubborn`; it prints the
//! pool's revenue share next to Selfish-Mine's from the same scenario.

use powsim::consensus::BlockId;
use powsim::mining::PoolId;
use powsim::mining::strategy::{ChainView, Contest, Publish, Strategy};
use powsim::report::summarize;
use powsim::scenario;
use powsim::world::simulate_with;
use std::path::Path;

/// Lead-Stubborn mining.
struct LeadStubborn {
    pool: PoolId,
    /// The pool's branch since it left the public chain, oldest first.
    private: Vec<BlockId>,
    /// How many of `private` are published.
    published: usize,
    /// Height of the public chain.
    public_height: u32,
    /// The pool's revealed block and the public block it matches, while the
    /// others are split between them.
    matched: Option<Contest>,
}

impl LeadStubborn {
    fn lead(&self, chain: &dyn ChainView) -> i64 {
        self.private.last().map_or(0, |&b| i64::from(chain.height(b)) - i64::from(self.public_height))
    }
}

impl Strategy for LeadStubborn {
    fn name(&self) -> &str {
        "lead-stubborn"
    }

    fn target(&self, _chain: &dyn ChainView, node_tip: BlockId) -> BlockId {
        self.private.last().copied().unwrap_or(node_tip)
    }

    fn on_mined(&mut self, chain: &dyn ChainView, b: BlockId, node_tip: BlockId) -> Publish {
        if self.private.is_empty() {
            self.public_height = self.public_height.max(chain.height(node_tip));
        }
        self.private.push(b);
        Vec::new()
    }

    fn on_public_tip(&mut self, chain: &dyn ChainView, tip: BlockId) -> Publish {
        if chain.miner(tip) == Some(self.pool) {
            self.public_height = self.public_height.max(chain.height(tip));
            return Vec::new();
        }
        let mut out = Vec::new();
        while self.public_height < chain.height(tip) {
            let lead = self.lead(chain);
            self.public_height += 1;
            self.matched = None;
            if lead <= 0 {
                // Behind (or a tie lost): take the public chain.
                self.private.clear();
                self.published = 0;
            } else {
                // Match: reveal the block of the public chain's new height.
                let upto = self.private.len() - (lead as usize - 1);
                out.extend_from_slice(&self.private[self.published.min(upto)..upto]);
                self.published = self.published.max(upto);
                self.matched = Some(Contest { ours: self.private[upto - 1], theirs: tip });
            }
        }
        out
    }

    fn contest(&self) -> Option<Contest> {
        self.matched
    }

    fn on_stop(&mut self, chain: &dyn ChainView) -> Publish {
        if self.lead(chain) > 0 {
            let out = self.private[self.published..].to_vec();
            self.published = self.private.len();
            out
        } else {
            Vec::new()
        }
    }
}

fn main() -> anyhow::Result<()> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/selfish-mining.toml");
    let config = scenario::load(&file, &[])?;
    let selfish = simulate_with(&config, config.seed, |_| {}, |_, _| {})?;
    let stubborn = simulate_with(
        &config,
        config.seed,
        |world| {
            let pool = PoolId(0);
            let strategy =
                LeadStubborn { pool, private: Vec::new(), published: 0, public_height: 0, matched: None };
            world.set_strategy(pool, Box::new(strategy));
        },
        |_, _| {},
    )?;
    for (name, out) in [("selfish", &selfish), ("lead-stubborn", &stubborn)] {
        let s = summarize(&config.name, out);
        println!(
            "{name:>14}: revenue share {:.4} for hash share 0.333 (gamma measured {:.3})",
            s.selfish_revenue_share.unwrap_or(0.0),
            s.gamma_measured.unwrap_or(0.0)
        );
    }
    Ok(())
}
