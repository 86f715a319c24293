//! A mining strategy written outside the library: lead and equal-fork
//! stubborn mining ("LF", Nayak, Kumar, Miller and Shi, "Stubborn Mining",
//! EuroS&P 2016).
//!
//! Like Selfish-Mine the pool keeps its blocks private, but when the others
//! find a block it only ever matches them, revealing its block of the same
//! height, and it never publishes to override or to win a tie: it keeps
//! mining on its own branch.
//!
//! The library has it built in (`strategy = "stubborn"` with
//! `stubborn_equal_fork = true`); this file writes it again against the
//! public `Strategy` trait to show how a strategy of one's own plugs in.
//! Run it with `cargo run --release --example lead_stubborn`: it prints the
//! pool's revenue share under Selfish-Mine, the built-in LF and this one,
//! from the same scenario.

use powsim::consensus::BlockId;
use powsim::mining::PoolId;
use powsim::mining::strategy::{ChainView, Contest, Publish, Selfish, Strategy, Stubbornness};
use powsim::report::summarize;
use powsim::scenario;
use powsim::world::simulate_with;
use std::path::Path;

/// Lead and equal-fork stubborn mining.
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
        "lead-equal-fork-stubborn"
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
        // Only a branch published in full contests a tie: the others can
        // then build on either side.
        self.matched.filter(|_| self.published == self.private.len())
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
    let lead = Stubbornness { lead: true, equal_fork: true, trail: 0 };
    let built_in = simulate_with(
        &config,
        config.seed,
        |world| world.set_strategy(PoolId(0), Box::new(Selfish::stubborn(PoolId(0), lead))),
        |_, _| {},
    )?;
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
    for (name, out) in [("selfish", &selfish), ("built-in LF", &built_in), ("this file's LF", &stubborn)] {
        let s = summarize(&config.name, out);
        println!(
            "{name:>14}: revenue share {:.4} for hash share 0.333 (gamma measured {:.3})",
            s.selfish_revenue_share.unwrap_or(0.0),
            s.gamma_measured.unwrap_or(0.0)
        );
    }
    Ok(())
}
