//! A linear test chain for the consensus unit tests: block `i` is at height `i`.
//!
//! It exists only under `cfg(test)` and implements [`ChainView`] over a `Vec` of (time, bits).

use super::chain::{BlockId, ChainView};
use super::compact::block_proof;
use super::u256::U256;

/// A single chain from genesis, stored as (time, bits) per height.
pub(crate) struct TestChain {
    pub(crate) blocks: Vec<(i64, u32)>,
}

impl TestChain {
    /// A chain with the given times, every block carrying `bits`.
    pub(crate) fn from_times(times: &[i64], bits: u32) -> Self {
        TestChain { blocks: times.iter().map(|&t| (t, bits)).collect() }
    }

    /// `len` blocks spaced `spacing_s` apart from time `start`, all with `bits`.
    pub(crate) fn regular(len: u32, start: i64, spacing_s: i64, bits: u32) -> Self {
        TestChain { blocks: (0..len).map(|h| (start + spacing_s * i64::from(h), bits)).collect() }
    }

    /// The last block.
    pub(crate) fn tip(&self) -> BlockId {
        BlockId(self.blocks.len() as u32 - 1)
    }
}

impl ChainView for TestChain {
    fn height(&self, b: BlockId) -> u32 {
        b.0
    }

    fn time(&self, b: BlockId) -> i64 {
        self.blocks[b.index()].0
    }

    fn bits(&self, b: BlockId) -> u32 {
        self.blocks[b.index()].1
    }

    fn parent(&self, b: BlockId) -> Option<BlockId> {
        b.0.checked_sub(1).map(BlockId)
    }

    fn ancestor(&self, b: BlockId, height: u32) -> BlockId {
        assert!(height <= b.0, "ancestor above the block");
        BlockId(height)
    }

    fn chainwork(&self, b: BlockId) -> U256 {
        self.blocks[..=b.index()].iter().fold(U256::ZERO, |acc, &(_, bits)| acc + block_proof(bits))
    }
}
