//! How consensus reads a block tree it does not own: block ids, the [`ChainView`] trait and the
//! median time past.
//!
//! The world keeps every block once in an arena; consensus rules only need a few facts about a
//! block and its ancestors, so they ask through this narrow trait and never see the arena itself.

use super::u256::U256;

/// A block's index in the world's block arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlockId(pub u32);

impl BlockId {
    /// The arena index as a `usize`, for indexing a `Vec`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Read access to the blocks a rule may consult: a block and its ancestors.
pub trait ChainView {
    /// The block's height (genesis is 0).
    fn height(&self, b: BlockId) -> u32;
    /// The header's `nTime`, in seconds.
    fn time(&self, b: BlockId) -> i64;
    /// The header's `nBits`.
    fn bits(&self, b: BlockId) -> u32;
    /// The parent block, or `None` for genesis.
    fn parent(&self, b: BlockId) -> Option<BlockId>;
    /// The ancestor of `b` at `height`, which must not exceed `height(b)`; the implementer
    /// guarantees it exists (a block is its own ancestor at its own height).
    fn ancestor(&self, b: BlockId, height: u32) -> BlockId;
    /// Cumulative work of the chain ending at `b`, genesis included.
    fn chainwork(&self, b: BlockId) -> U256;
}

/// Core's `GetMedianTimePast`: the median `nTime` of `b` and up to `window - 1` of its ancestors
/// (fewer near genesis). The times are sorted and the element at index `len / 2` is taken, so an
/// even count takes the upper middle one. A window of zero is treated as one.
pub fn median_time_past(chain: &dyn ChainView, b: BlockId, window: u32) -> i64 {
    let window = window.max(1) as usize;
    let mut times = Vec::with_capacity(window);
    let mut cursor = Some(b);
    while let Some(id) = cursor {
        times.push(chain.time(id));
        if times.len() == window {
            break;
        }
        cursor = chain.parent(id);
    }
    times.sort_unstable();
    times[times.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::super::test_chain::TestChain;
    use super::*;

    #[test]
    fn mtp_with_few_ancestors() {
        let chain = TestChain::from_times(&[100, 50, 300, 200], 0x1d00ffff);
        assert_eq!(median_time_past(&chain, BlockId(0), 11), 100);
        // Two blocks {100, 50}: sorted [50, 100], index 1 takes the upper one.
        assert_eq!(median_time_past(&chain, BlockId(1), 11), 100);
        // {100, 50, 300}: sorted [50, 100, 300].
        assert_eq!(median_time_past(&chain, BlockId(2), 11), 100);
        // {100, 50, 300, 200}: sorted [50, 100, 200, 300], index 2.
        assert_eq!(median_time_past(&chain, BlockId(3), 11), 200);
    }

    #[test]
    fn mtp_uses_only_the_window() {
        // Heights 0..=14 with times 1000 + 10h, except genesis far in the future; by height 14 the
        // window of 11 (heights 4..=14) no longer reaches genesis.
        let mut times: Vec<i64> = (0..15).map(|h| 1000 + 10 * h).collect();
        times[0] = 1_000_000;
        let chain = TestChain::from_times(&times, 0x1d00ffff);
        assert_eq!(median_time_past(&chain, BlockId(14), 11), 1090);
        // At height 10 genesis is still inside: sorted [1010..=1100, 1_000_000], index 5 is 1060.
        assert_eq!(median_time_past(&chain, BlockId(10), 11), 1060);
        assert_eq!(median_time_past(&chain, BlockId(14), 0), 1140);
        assert_eq!(BlockId(7).index(), 7);
    }
}
