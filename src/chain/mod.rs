//! The world-wide block tree: every block ever mined lives here once, indexed
//! by [`BlockId`]. Nodes hold ids into it and keep only their own view (what
//! they have, their tip); see `node/`.
//!
//! The tree owns the consensus facts of each block (header, height, chainwork,
//! size) and its validity verdict, computed once when the block is created:
//! a block's validity depends only on the block and its ancestors, so every
//! node would reach the same verdict (see ARCHITECTURE.md). The one node-dependent
//! check, "not too far in the future", is left to each node's clock.
//!
//! It must not know about the network, time ordering of events, or metrics.

use crate::consensus::{
    BlockError, BlockHash, BlockId, ChainView, ConsensusParams, DifficultyAlgorithm, Header, U256,
    block_proof,
};
use crate::sim::SimTime;

/// Which miner produced a block, as far as the tree cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Part of the generated history below the start height.
    History,
    /// Mined during the run by the miner with this index.
    Mined(u32),
}

/// Everything the simulation knows about one block.
#[derive(Clone, Debug)]
pub struct BlockRecord {
    /// The real 80-byte header.
    pub header: Header,
    /// Double SHA-256 of the header.
    pub hash: BlockHash,
    /// Parent block (`None` only for the first history block).
    pub parent: Option<BlockId>,
    /// Height in the chain.
    pub height: u32,
    /// Cumulative work up to and including this block.
    pub chainwork: U256,
    /// Ancestor used for O(log n) ancestor lookups (Core's `pskip`).
    skip: Option<BlockId>,
    /// When the block was found (history blocks: time zero).
    pub found_at: SimTime,
    /// Who mined it.
    pub origin: Origin,
    /// Serialized size in bytes.
    pub size_bytes: u64,
    /// Weight in weight units.
    pub weight: u64,
    /// Number of transactions including the coinbase.
    pub tx_count: u32,
    /// Sum of transaction fees (satoshi).
    pub fees_sat: u64,
    /// Value the coinbase claims (satoshi).
    pub coinbase_sat: u64,
    /// The verdict of the consensus checks, computed once.
    pub verdict: Result<(), BlockError>,
    /// Children in creation order.
    pub children: Vec<BlockId>,
}

/// The contents of a new block, as its miner built it.
#[derive(Clone, Copy, Debug)]
pub struct NewBlock {
    /// The header (its `prev_hash` must be the parent's hash).
    pub header: Header,
    /// Parent block.
    pub parent: BlockId,
    /// When it was found.
    pub found_at: SimTime,
    /// Who mined it.
    pub origin: Origin,
    /// Serialized size in bytes.
    pub size_bytes: u64,
    /// Weight in weight units.
    pub weight: u64,
    /// Number of transactions including the coinbase.
    pub tx_count: u32,
    /// Sum of fees (satoshi).
    pub fees_sat: u64,
    /// Value the coinbase claims (satoshi).
    pub coinbase_sat: u64,
}

/// The block arena plus the rules that judge its blocks.
#[derive(Debug)]
pub struct BlockTree {
    blocks: Vec<BlockRecord>,
    params: ConsensusParams,
    algo: Box<dyn DifficultyAlgorithm>,
    /// Number of generated history blocks (ids `0..history_len`).
    history_len: u32,
}

impl BlockTree {
    /// An empty tree judging blocks by `params` and `algo`.
    pub fn new(params: ConsensusParams, algo: Box<dyn DifficultyAlgorithm>) -> Self {
        BlockTree { blocks: Vec::new(), params, algo, history_len: 0 }
    }

    /// The consensus parameters.
    pub fn params(&self) -> &ConsensusParams {
        &self.params
    }

    /// The difficulty algorithm.
    pub fn algo(&self) -> &dyn DifficultyAlgorithm {
        self.algo.as_ref()
    }

    /// Number of blocks in the tree.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// True when the tree holds no block.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Number of history blocks (they have ids `0..history_len`).
    pub fn history_len(&self) -> u32 {
        self.history_len
    }

    /// The last history block: the tip every node starts on.
    pub fn start_tip(&self) -> BlockId {
        assert!(self.history_len > 0, "no history");
        BlockId(self.history_len - 1)
    }

    /// The record of block `b`.
    pub fn get(&self, b: BlockId) -> &BlockRecord {
        &self.blocks[b.index()]
    }

    /// All blocks in id order.
    pub fn iter(&self) -> impl Iterator<Item = (BlockId, &BlockRecord)> {
        self.blocks.iter().enumerate().map(|(i, r)| (BlockId(i as u32), r))
    }

    /// Adds the first history block (it has no parent in the tree). Its
    /// chainwork counts only its own proof: work below the tree is irrelevant
    /// because every comparison is between descendants of this block.
    pub fn push_root(&mut self, header: Header, height: u32) -> BlockId {
        assert!(self.blocks.is_empty(), "root must be the first block");
        self.blocks.push(BlockRecord {
            hash: header.hash(),
            header,
            parent: None,
            height,
            chainwork: block_proof(header.bits),
            skip: None,
            found_at: SimTime::ZERO,
            origin: Origin::History,
            size_bytes: 0,
            weight: 0,
            tx_count: 1,
            fees_sat: 0,
            coinbase_sat: 0,
            verdict: Ok(()),
            children: Vec::new(),
        });
        self.history_len = 1;
        BlockId(0)
    }

    /// Adds a block, judging it once against its ancestors. History blocks
    /// (origin `History`) must be added before any mined block.
    pub fn push(&mut self, nb: NewBlock) -> BlockId {
        let parent = self.get(nb.parent);
        assert_eq!(nb.header.prev_hash, parent.hash, "header does not commit to its parent");
        let height = parent.height + 1;
        let chainwork = parent.chainwork.wrapping_add(block_proof(nb.header.bits));
        // History blocks are given, not judged: their own retargets would
        // reach below the tree's root.
        let verdict = if nb.origin == Origin::History { Ok(()) } else { self.judge(&nb, height) };
        let id = BlockId(self.blocks.len() as u32);
        let skip = self.skip_for(nb.parent, height);
        self.blocks.push(BlockRecord {
            hash: nb.header.hash(),
            header: nb.header,
            parent: Some(nb.parent),
            height,
            chainwork,
            skip,
            found_at: nb.found_at,
            origin: nb.origin,
            size_bytes: nb.size_bytes,
            weight: nb.weight,
            tx_count: nb.tx_count,
            fees_sat: nb.fees_sat,
            coinbase_sat: nb.coinbase_sat,
            verdict,
            children: Vec::new(),
        });
        self.blocks[nb.parent.index()].children.push(id);
        if nb.origin == Origin::History {
            assert_eq!(self.history_len as usize, id.index(), "history after mined blocks");
            self.history_len += 1;
        }
        id
    }

    /// Consensus checks for a block at `height` (context-free and contextual;
    /// the node-clock check is per node). A child of an invalid block is
    /// invalid with its parent's reason.
    fn judge(&self, nb: &NewBlock, height: u32) -> Result<(), BlockError> {
        self.get(nb.parent).verdict?;
        let time = i64::from(nb.header.time);
        crate::consensus::check_header_contextual(
            self,
            nb.parent,
            time,
            nb.header.bits,
            self.algo.as_ref(),
            &self.params,
        )?;
        crate::consensus::check_block_body(nb.weight, nb.coinbase_sat, nb.fees_sat, height, &self.params)
    }

    /// The nBits a child of `prev` with header time `time` must carry.
    pub fn next_bits(&self, prev: BlockId, time: i64) -> u32 {
        self.algo.next_bits(self, prev, time, &self.params)
    }

    /// Core's `GetSkipHeight`: a deterministic ancestor height that makes
    /// ancestor lookups logarithmic.
    fn skip_height(height: u32) -> u32 {
        fn invert_lowest_one(n: u32) -> u32 {
            n & n.wrapping_sub(1)
        }
        if height < 2 {
            return 0;
        }
        if height & 1 == 1 {
            invert_lowest_one(invert_lowest_one(height - 1)) + 1
        } else {
            invert_lowest_one(height)
        }
    }

    fn skip_for(&self, parent: BlockId, height: u32) -> Option<BlockId> {
        let root_height = self.blocks[0].height;
        let target = Self::skip_height(height).max(root_height);
        Some(self.ancestor_of(parent, target.min(height - 1)))
    }

    /// The ancestor of `b` at `height` (which must be between the root's
    /// height and `b`'s height).
    pub fn ancestor_of(&self, b: BlockId, height: u32) -> BlockId {
        let mut cur = b;
        assert!(height <= self.get(cur).height, "ancestor above the block");
        assert!(height >= self.blocks[0].height, "ancestor below the tree's root");
        while self.get(cur).height > height {
            let rec = self.get(cur);
            cur = match rec.skip {
                Some(s) if self.get(s).height >= height => s,
                _ => rec.parent.expect("non-root block has a parent"),
            };
        }
        cur
    }

    /// True if `a` is `b` or an ancestor of `b`.
    pub fn is_ancestor_or_self(&self, a: BlockId, b: BlockId) -> bool {
        let ha = self.get(a).height;
        ha <= self.get(b).height && self.ancestor_of(b, ha) == a
    }

    /// The last common block of `a` and `b`.
    pub fn fork_point(&self, a: BlockId, b: BlockId) -> BlockId {
        let h = self.get(a).height.min(self.get(b).height);
        let (mut x, mut y) = (self.ancestor_of(a, h), self.ancestor_of(b, h));
        while x != y {
            x = self.get(x).parent.expect("blocks share the root");
            y = self.get(y).parent.expect("blocks share the root");
        }
        x
    }

    /// Blocks after `ancestor` up to and including `tip`, oldest first.
    pub fn path_from(&self, ancestor: BlockId, tip: BlockId) -> Vec<BlockId> {
        let mut path = Vec::new();
        let mut cur = tip;
        while cur != ancestor {
            path.push(cur);
            cur = self.get(cur).parent.expect("ancestor is on the path");
        }
        path.reverse();
        path
    }

    /// The most-work block; among equals the one created first.
    pub fn best_block(&self) -> BlockId {
        self.best_block_where(|_| true)
    }

    /// The most-work valid block among those `keep` accepts (the first block
    /// always counts); among equals the one created first.
    pub fn best_block_where(&self, keep: impl Fn(BlockId) -> bool) -> BlockId {
        let mut best = BlockId(0);
        for (id, rec) in self.iter() {
            if rec.verdict.is_ok() && rec.chainwork > self.get(best).chainwork && keep(id) {
                best = id;
            }
        }
        best
    }

    /// Median time past of `b` under the configured window.
    pub fn median_time_past(&self, b: BlockId) -> i64 {
        crate::consensus::median_time_past(self, b, self.params.mtp_window)
    }
}

impl ChainView for BlockTree {
    fn height(&self, b: BlockId) -> u32 {
        self.get(b).height
    }
    fn time(&self, b: BlockId) -> i64 {
        i64::from(self.get(b).header.time)
    }
    fn bits(&self, b: BlockId) -> u32 {
        self.get(b).header.bits
    }
    fn parent(&self, b: BlockId) -> Option<BlockId> {
        self.get(b).parent
    }
    fn ancestor(&self, b: BlockId, height: u32) -> BlockId {
        self.ancestor_of(b, height)
    }
    fn chainwork(&self, b: BlockId) -> U256 {
        self.get(b).chainwork
    }
}
