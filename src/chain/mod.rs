//! The world-wide block tree: every block ever mined lives here once, indexed
//! by [`BlockId`]. Nodes hold ids into it and keep only their own view (what
//! they have, their tip); see `node/`.
//!
//! The tree owns the consensus facts of each block (header, height, chainwork,
//! size) and its validity verdicts, computed once when the block is created:
//! a block's validity depends only on the block, its ancestors and the rules
//! that judge it, so every node running the same rules reaches the same
//! verdict (see ARCHITECTURE.md). The tree holds one [`RuleSchedule`] per group
//! of nodes that runs its own rules ([`RulesId`]; the scenario's own rules are
//! [`RulesId::DEFAULT`]) and one verdict per block and schedule. The one
//! node-dependent check, "not too far in the future", is left to each node's clock.
//!
//! It must not know about the network, time ordering of events, or metrics.

use crate::consensus::{
    BlockBody, BlockError, BlockHash, BlockId, ChainView, ConsensusParams, Header, RuleSchedule, U256,
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

/// Which rules judge: an index into the tree's rule schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RulesId(pub u8);

impl RulesId {
    /// The scenario's own rules, which every node not put in a group runs.
    pub const DEFAULT: RulesId = RulesId(0);

    /// As an index.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
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
    /// One schedule per [`RulesId`].
    rules: Vec<RuleSchedule>,
    /// The verdict of block `b` under rules `r` at `b * rules.len() + r`.
    verdicts: Vec<Result<(), BlockError>>,
    /// Number of generated history blocks (ids `0..history_len`).
    history_len: u32,
    /// A deliberately broken model for the invariant checker's own test: nBits is not checked.
    #[cfg(test)]
    pub(crate) fault_any_bits: bool,
}

impl BlockTree {
    /// An empty tree judging blocks by each of `rules` (the first is [`RulesId::DEFAULT`]).
    /// Panics unless there are between 1 and 256 schedules.
    pub fn new(rules: Vec<RuleSchedule>) -> Self {
        assert!((1..=256).contains(&rules.len()), "between 1 and 256 rule schedules");
        BlockTree {
            blocks: Vec::new(),
            rules,
            verdicts: Vec::new(),
            history_len: 0,
            #[cfg(test)]
            fault_any_bits: false,
        }
    }

    /// The schedule of rules `r`.
    pub fn rules(&self, r: RulesId) -> &RuleSchedule {
        &self.rules[r.index()]
    }

    /// Number of rule schedules.
    pub fn rules_count(&self) -> usize {
        self.rules.len()
    }

    /// The parameters that judge a block at `height` under rules `r`.
    pub fn params_at(&self, r: RulesId, height: u32) -> &ConsensusParams {
        self.rules[r.index()].params_at(height)
    }

    /// Replaces the difficulty algorithm of rules `r` from the start (its first epoch); only
    /// before any block is mined, since verdicts already given are not revisited.
    pub fn set_algorithm(&mut self, r: RulesId, algo: Box<dyn crate::consensus::DifficultyAlgorithm>) {
        assert_eq!(self.blocks.len() as u32, self.history_len, "the algorithm changes only before mining");
        self.rules[r.index()].set_first_algorithm(algo);
    }

    /// The verdict of block `b` under rules `r`.
    pub fn verdict(&self, b: BlockId, r: RulesId) -> Result<(), BlockError> {
        self.verdicts[b.index() * self.rules.len() + r.index()]
    }

    /// True if `b` is valid under rules `r`.
    pub fn is_valid(&self, b: BlockId, r: RulesId) -> bool {
        self.verdict(b, r).is_ok()
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
            children: Vec::new(),
        });
        self.verdicts.extend(std::iter::repeat_n(Ok(()), self.rules.len()));
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
        for r in 0..self.rules.len() {
            let verdict =
                if nb.origin == Origin::History { Ok(()) } else { self.judge(&nb, RulesId(r as u8)) };
            self.verdicts.push(verdict);
        }
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
            children: Vec::new(),
        });
        self.blocks[nb.parent.index()].children.push(id);
        if nb.origin == Origin::History {
            assert_eq!(self.history_len as usize, id.index(), "history after mined blocks");
            self.history_len += 1;
        }
        id
    }

    /// Consensus checks of a new block under rules `r` (context-free and
    /// contextual; the node-clock check is per node). A child of an invalid
    /// block is invalid with its parent's reason.
    fn judge(&self, nb: &NewBlock, r: RulesId) -> Result<(), BlockError> {
        self.verdict(nb.parent, r)?;
        let body = BlockBody { weight: nb.weight, coinbase_sat: nb.coinbase_sat, fees_sat: nb.fees_sat };
        let time = i64::from(nb.header.time);
        #[cfg(test)]
        if self.fault_any_bits {
            let expected = self.next_bits(r, nb.parent, time);
            return self.rules[r.index()].check_block(self, nb.parent, time, expected, body);
        }
        self.rules[r.index()].check_block(self, nb.parent, time, nb.header.bits, body)
    }

    /// Block `b`, to be changed by a test of a checker that must notice.
    #[cfg(test)]
    pub(crate) fn corrupt(&mut self, b: BlockId) -> &mut BlockRecord {
        &mut self.blocks[b.index()]
    }

    /// The nBits a child of `prev` with header time `time` must carry under rules `r`.
    pub fn next_bits(&self, r: RulesId, prev: BlockId, time: i64) -> u32 {
        self.rules[r.index()].next_bits(self, prev, time)
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

    /// The most-work block valid under rules `r` among those `keep` accepts
    /// (the first block always counts); among equals the one created first.
    pub fn best_block_where(&self, r: RulesId, keep: impl Fn(BlockId) -> bool) -> BlockId {
        let mut best = BlockId(0);
        for (id, rec) in self.iter() {
            if rec.chainwork > self.get(best).chainwork && self.is_valid(id, r) && keep(id) {
                best = id;
            }
        }
        best
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
