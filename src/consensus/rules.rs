//! Rules that change with height: a [`RuleSchedule`] is a list of epochs, each a set of
//! consensus parameters and a difficulty algorithm in force from a height on (a soft or hard
//! fork activating at a height, as Core's buried deployments do).
//!
//! The rules a block is judged by are those of its own height. A schedule knows nothing of who
//! runs it: a simulation gives each group of nodes its own schedule.

use super::chain::{BlockId, ChainView};
use super::checks::{BlockError, check_block_body, check_header_contextual};
use super::difficulty::DifficultyAlgorithm;
use super::params::ConsensusParams;

/// Parameters and a difficulty algorithm in force from `from_height` on.
#[derive(Debug)]
pub struct Epoch {
    /// First height these rules judge.
    pub from_height: u32,
    /// The parameters.
    pub params: ConsensusParams,
    /// The difficulty algorithm.
    pub algo: Box<dyn DifficultyAlgorithm>,
}

/// Consensus rules over heights: epochs in increasing `from_height`, the first from height 0.
#[derive(Debug)]
pub struct RuleSchedule {
    epochs: Vec<Epoch>,
}

impl RuleSchedule {
    /// One set of rules at every height.
    pub fn constant(params: ConsensusParams, algo: Box<dyn DifficultyAlgorithm>) -> Self {
        RuleSchedule { epochs: vec![Epoch { from_height: 0, params, algo }] }
    }

    /// Rules from `epochs`; panics unless the first starts at height 0 and their heights
    /// strictly increase.
    pub fn new(epochs: Vec<Epoch>) -> Self {
        assert!(epochs.first().is_some_and(|e| e.from_height == 0), "the first epoch starts at height 0");
        assert!(epochs.windows(2).all(|w| w[0].from_height < w[1].from_height), "epochs out of order");
        RuleSchedule { epochs }
    }

    /// Replaces the first epoch's algorithm.
    pub fn set_first_algorithm(&mut self, algo: Box<dyn DifficultyAlgorithm>) {
        self.epochs[0].algo = algo;
    }

    /// The epochs, oldest first.
    pub fn epochs(&self) -> &[Epoch] {
        &self.epochs
    }

    /// The rules that judge a block at `height`.
    pub fn at(&self, height: u32) -> &Epoch {
        let i = self.epochs.partition_point(|e| e.from_height <= height);
        &self.epochs[i - 1]
    }

    /// The parameters at `height`.
    pub fn params_at(&self, height: u32) -> &ConsensusParams {
        &self.at(height).params
    }

    /// The nBits a child of `prev` with header time `time` must carry.
    pub fn next_bits(&self, chain: &dyn ChainView, prev: BlockId, time: i64) -> u32 {
        let e = self.at(chain.height(prev) + 1);
        e.algo.next_bits(chain, prev, time, &e.params)
    }

    /// The checks of a child of `prev` that need no node's clock, under the rules of the
    /// child's height: header against its ancestors, then weight and coinbase amount.
    pub fn check_block(
        &self,
        chain: &dyn ChainView,
        prev: BlockId,
        time: i64,
        bits: u32,
        body: BlockBody,
    ) -> Result<(), BlockError> {
        let height = chain.height(prev) + 1;
        let e = self.at(height);
        check_header_contextual(chain, prev, time, bits, e.algo.as_ref(), &e.params)?;
        check_block_body(body.weight, body.coinbase_sat, body.fees_sat, height, &e.params)
    }

    /// The largest `history_blocks` of any epoch's algorithm: how much history the schedule
    /// may read below its first simulated block.
    pub fn history_blocks(&self) -> u32 {
        self.epochs.iter().map(|e| e.algo.history_blocks(&e.params)).max().unwrap_or(1)
    }
}

/// What the body checks read of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockBody {
    /// Weight in weight units.
    pub weight: u64,
    /// Value the coinbase claims (satoshi).
    pub coinbase_sat: u64,
    /// Sum of the fees of its transactions (satoshi).
    pub fees_sat: u64,
}

#[cfg(test)]
mod tests {
    use super::super::difficulty::{BitcoinRetarget, Fixed};
    use super::super::subsidy::block_subsidy;
    use super::super::test_chain::TestChain;
    use super::*;

    fn two_epochs() -> RuleSchedule {
        let base = ConsensusParams::mainnet();
        let big = ConsensusParams { max_block_weight: 8_000_000, ..base.clone() };
        RuleSchedule::new(vec![
            Epoch { from_height: 0, params: base, algo: Box::new(BitcoinRetarget) },
            Epoch { from_height: 10, params: big, algo: Box::new(Fixed) },
        ])
    }

    #[test]
    fn a_block_is_judged_by_the_rules_of_its_height() {
        let rules = two_epochs();
        assert_eq!(rules.at(0).from_height, 0);
        assert_eq!(rules.at(9).params.max_block_weight, 4_000_000);
        assert_eq!(rules.at(10).params.max_block_weight, 8_000_000);
        assert_eq!(rules.params_at(u32::MAX).max_block_weight, 8_000_000);
        let chain = TestChain::regular(12, 1_000_000, 600, 0x1b0404cb);
        let body =
            |weight| BlockBody { weight, coinbase_sat: block_subsidy(10, rules.params_at(10)), fees_sat: 0 };
        let time = chain.time(chain.tip()) + 600;
        // A 6 MWU child of block 8 is at height 9, under the old limit; of block 9, under the new.
        let old = rules.check_block(&chain, BlockId(8), time, 0x1b0404cb, body(6_000_000));
        assert_eq!(old, Err(BlockError::BadWeight { weight: 6_000_000, max: 4_000_000 }));
        assert_eq!(rules.check_block(&chain, BlockId(9), time, 0x1b0404cb, body(6_000_000)), Ok(()));
        let too_heavy = rules.check_block(&chain, BlockId(9), time, 0x1b0404cb, body(9_000_000));
        assert_eq!(too_heavy, Err(BlockError::BadWeight { weight: 9_000_000, max: 8_000_000 }));
        // The algorithm switches with the epoch: Fixed keeps the parent's bits at any time.
        assert_eq!(rules.next_bits(&chain, BlockId(9), i64::MAX), 0x1b0404cb);
        assert_eq!(rules.history_blocks(), 2016);
    }

    #[test]
    #[should_panic(expected = "out of order")]
    fn epochs_must_increase() {
        let p = ConsensusParams::mainnet();
        RuleSchedule::new(vec![
            Epoch { from_height: 0, params: p.clone(), algo: Box::new(Fixed) },
            Epoch { from_height: 5, params: p.clone(), algo: Box::new(Fixed) },
            Epoch { from_height: 5, params: p, algo: Box::new(Fixed) },
        ]);
    }
}
