//! Mining strategies: which block a pool mines on and when it publishes what
//! it found.
//!
//! A strategy sees the chain through [`ChainView`] and hears two things:
//! its pool found a block ([`Strategy::on_mined`]), and the pool's node
//! adopted a new tip from the network ([`Strategy::on_public_tip`]). Each
//! answer says which of the pool's blocks to publish now; the world hands
//! them to the pool's node, which relays them as any node relays blocks.
//! [`Strategy::target`] is the block the pool's next block builds on.
//!
//! [`Honest`] publishes at once and mines on its node's tip. [`Selfish`] is
//! Eyal and Sirer's Selfish-Mine (Algorithm 1 of "Majority is not Enough",
//! FC 2014), with chain lengths taken as heights.
//!
//! A library user can write a strategy of their own and hand it to
//! [`crate::world::simulate_with`].

use crate::consensus::BlockId;
use crate::mining::PoolId;

/// What a strategy may read about blocks.
pub trait ChainView {
    /// Height of `b`.
    fn height(&self, b: BlockId) -> u32;
    /// Parent of `b` (`None` for the first block).
    fn parent(&self, b: BlockId) -> Option<BlockId>;
    /// The miner of `b`, if it was mined during the run.
    fn miner(&self, b: BlockId) -> Option<PoolId>;
}

impl ChainView for crate::chain::BlockTree {
    fn height(&self, b: BlockId) -> u32 {
        self.get(b).height
    }

    fn parent(&self, b: BlockId) -> Option<BlockId> {
        self.get(b).parent
    }

    fn miner(&self, b: BlockId) -> Option<PoolId> {
        match self.get(b).origin {
            crate::chain::Origin::Mined(p) => Some(PoolId(p)),
            crate::chain::Origin::History => None,
        }
    }
}

/// Blocks to publish, oldest first; each one's parent is public or earlier
/// in the list.
pub type Publish = Vec<BlockId>;

/// A block of the pool's competing with a public block of the same height,
/// each with a part of the network mining on it (Eyal and Sirer's state 0').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contest {
    /// The pool's published block.
    pub ours: BlockId,
    /// The other block at the same height.
    pub theirs: BlockId,
}

/// How a pool decides what to mine on and what to publish.
pub trait Strategy: Send {
    /// Name shown in `pools.csv`.
    fn name(&self) -> &str;

    /// True for a strategy that may withhold blocks or mine off the public
    /// tip (reported as selfish in the summary).
    fn is_strategic(&self) -> bool {
        true
    }

    /// The block the pool's next block builds on, given its node's tip.
    fn target(&self, chain: &dyn ChainView, node_tip: BlockId) -> BlockId;

    /// The pool found `b` on top of [`Strategy::target`]; `node_tip` is its
    /// node's tip.
    fn on_mined(&mut self, chain: &dyn ChainView, b: BlockId, node_tip: BlockId) -> Publish;

    /// The pool's node adopted `tip`, a block the pool did not mine.
    fn on_public_tip(&mut self, chain: &dyn ChainView, tip: BlockId) -> Publish;

    /// The contest the pool is in, if any.
    fn contest(&self) -> Option<Contest> {
        None
    }

    /// Mining stopped: what the pool publishes of what it still withholds.
    /// A run's revenue is read off the final chain, so a pool that holds a
    /// lead cashes it in here, as it would with the next public block.
    fn on_stop(&mut self, _chain: &dyn ChainView) -> Publish {
        Vec::new()
    }

    /// The header time of the pool's next block. Core's miner takes its
    /// clock, but no earlier than [`TimeBounds::core_min`].
    fn header_time(&self, t: TimeBounds) -> i64 {
        t.core_min.max(t.clock)
    }
}

/// What a miner may put in the time field of its next block's header
/// (Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeBounds {
    /// The earliest time Core's miner uses (`GetMinimumTime`).
    pub core_min: i64,
    /// The earliest time consensus accepts.
    pub consensus_min: i64,
    /// The miner's clock.
    pub clock: i64,
    /// The latest time a node with the miner's clock accepts (clock plus
    /// the future-time limit).
    pub clock_max: i64,
    /// The block is the last of a difficulty period: its time closes the
    /// span the next retarget measures.
    pub closes_period: bool,
}

/// How far below the future-time limit a timewarp block stays, so that
/// peers whose clocks run a little behind still accept it.
pub const TIMEWARP_MARGIN_S: i64 = 600;

/// The timewarp attack (Core's `MAX_TIMEWARP` and BIP94 exist against it):
/// mine and publish honestly, but date the last block of each difficulty
/// period as late as peers accept and every other block as early as
/// consensus allows. Without BIP94 the first block of the next period then
/// starts the measured span far back in time, each retarget sees a period
/// that seems to have lasted long, and the difficulty falls; with BIP94 the
/// first block may not be more than 10 minutes earlier than the last, and
/// the attack gains nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timewarp;

impl Strategy for Timewarp {
    fn name(&self) -> &str {
        "timewarp"
    }

    fn is_strategic(&self) -> bool {
        false
    }

    fn target(&self, chain: &dyn ChainView, node_tip: BlockId) -> BlockId {
        Honest.target(chain, node_tip)
    }

    fn on_mined(&mut self, chain: &dyn ChainView, b: BlockId, node_tip: BlockId) -> Publish {
        Honest.on_mined(chain, b, node_tip)
    }

    fn on_public_tip(&mut self, chain: &dyn ChainView, tip: BlockId) -> Publish {
        Honest.on_public_tip(chain, tip)
    }

    fn header_time(&self, t: TimeBounds) -> i64 {
        if t.closes_period { (t.clock_max - TIMEWARP_MARGIN_S).max(t.consensus_min) } else { t.consensus_min }
    }
}

/// Mine on the node's tip, publish every block at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct Honest;

impl Strategy for Honest {
    fn name(&self) -> &str {
        "honest"
    }

    fn is_strategic(&self) -> bool {
        false
    }

    fn target(&self, _: &dyn ChainView, node_tip: BlockId) -> BlockId {
        node_tip
    }

    fn on_mined(&mut self, _: &dyn ChainView, b: BlockId, _: BlockId) -> Publish {
        vec![b]
    }

    fn on_public_tip(&mut self, _: &dyn ChainView, _: BlockId) -> Publish {
        Vec::new()
    }
}

/// How stubborn a withholding pool is (Nayak, Kumar, Miller and Shi,
/// "Stubborn Mining", EuroS&P 2016). All off is Eyal and Sirer's
/// Selfish-Mine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stubbornness {
    /// Lead stubborn: with a lead, only ever match the public chain (reveal
    /// the block of its height), never publish the branch to override it.
    pub lead: bool,
    /// Equal-fork stubborn: in a tie, keep the next block found private
    /// instead of publishing it to win.
    pub equal_fork: bool,
    /// Trail stubborn: keep mining on the private branch while the public
    /// chain is at most this many blocks ahead, publishing it to tie when it
    /// catches up.
    pub trail: u32,
}

/// A withholding pool: Eyal and Sirer's Selfish-Mine, or with
/// [`Stubbornness`] one of Nayak et al.'s stubborn strategies.
///
/// The private branch holds the pool's blocks since it forked from the
/// public chain, published or not; its length is `privateBranchLen`. The
/// public chain's length is the height of the last public tip seen. Lengths
/// are heights, as in both papers (a retarget inside a fork is ignored).
#[derive(Clone, Debug)]
pub struct Selfish {
    pool: PoolId,
    stubborn: Stubbornness,
    /// The private branch, oldest first.
    private: Vec<BlockId>,
    /// How many of `private` are published.
    published: usize,
    /// Height of the public chain.
    public_height: u32,
    /// The last public block seen from another miner.
    public_tip: Option<BlockId>,
    /// The head of the branch the pool last published in full, mined on
    /// until its node has adopted it.
    anchor: Option<BlockId>,
    /// The pool's published block that ties with the public tip, if any.
    contest: Option<Contest>,
}

impl Selfish {
    /// Selfish-Mine for `pool`.
    pub fn new(pool: PoolId) -> Selfish {
        Selfish::stubborn(pool, Stubbornness::default())
    }

    /// A stubborn variant for `pool`.
    pub fn stubborn(pool: PoolId, stubborn: Stubbornness) -> Selfish {
        Selfish {
            pool,
            stubborn,
            private: Vec::new(),
            published: 0,
            public_height: 0,
            public_tip: None,
            anchor: None,
            contest: None,
        }
    }

    fn private_height(&self, chain: &dyn ChainView) -> Option<u32> {
        self.private.last().map(|&b| chain.height(b))
    }

    /// Publishes the whole private branch and forgets it: the public chain
    /// is now the pool's.
    fn publish_all(&mut self, chain: &dyn ChainView) -> Publish {
        let out = self.private[self.published..].to_vec();
        let head = *self.private.last().expect("a private branch");
        self.public_height = chain.height(head);
        self.public_tip = Some(head);
        self.anchor = Some(head);
        self.private.clear();
        self.published = 0;
        out
    }

    /// Publishes the private blocks up to the public chain's height (a
    /// match: the published head ties with the public tip).
    fn publish_to_match(&mut self, chain: &dyn ChainView) -> Publish {
        let upto = self.private.iter().take_while(|&&b| chain.height(b) <= self.public_height).count();
        let out = self.private[self.published.min(upto)..upto].to_vec();
        self.published = self.published.max(upto);
        out
    }

    /// Adopts the public chain: the private branch is given up.
    fn adopt(&mut self) {
        self.private.clear();
        self.published = 0;
        self.anchor = None;
    }

    /// The lead of the private branch over the public chain (0 without one).
    fn lead(&self, chain: &dyn ChainView) -> i64 {
        self.private_height(chain).map_or(0, |h| i64::from(h) - i64::from(self.public_height))
    }

    /// True if `b` is `tip` or one of its ancestors.
    fn is_ancestor(chain: &dyn ChainView, b: BlockId, tip: BlockId) -> bool {
        let mut cur = Some(tip);
        while let Some(x) = cur {
            if x == b {
                return true;
            }
            if chain.height(x) <= chain.height(b) {
                return false;
            }
            cur = chain.parent(x);
        }
        false
    }

    /// Records whether the pool's branch, published in full, now ties with
    /// the public tip (Eyal and Sirer's state 0'). A match that leaves
    /// blocks private is no contest: the others' choice there does not
    /// change who wins, and they mine where their nodes are.
    fn update_contest(&mut self, chain: &dyn ChainView) {
        self.contest = match (self.published, self.public_tip) {
            (0, _) | (_, None) => None,
            (p, _) if p < self.private.len() => None,
            (p, Some(theirs)) => {
                let ours = self.private[p - 1];
                (chain.height(ours) == self.public_height && ours != theirs)
                    .then_some(Contest { ours, theirs })
            }
        };
    }
}

impl Strategy for Selfish {
    fn name(&self) -> &str {
        let s = self.stubborn;
        match (s.lead, s.equal_fork, s.trail > 0) {
            (false, false, false) => "selfish",
            _ => "stubborn",
        }
    }

    fn target(&self, chain: &dyn ChainView, node_tip: BlockId) -> BlockId {
        if let Some(&head) = self.private.last() {
            return head;
        }
        match self.anchor {
            Some(a) if chain.height(a) >= chain.height(node_tip) => a,
            _ => node_tip,
        }
    }

    fn on_mined(&mut self, chain: &dyn ChainView, b: BlockId, node_tip: BlockId) -> Publish {
        if self.private.is_empty() {
            // The branch starts from the public chain as the pool sees it.
            let base = self.target(chain, node_tip);
            self.public_height = self.public_height.max(chain.height(base));
        }
        let lead_prev = self.lead(chain);
        let tied = lead_prev == 0 && !self.private.is_empty() && self.published == self.private.len();
        self.private.push(b);
        let out = if tied && !self.stubborn.equal_fork {
            // A tie, and the pool found the next block: it wins.
            self.publish_all(chain)
        } else if lead_prev == -1 {
            // A trailing branch caught up: publish it to tie.
            self.publish_to_match(chain)
        } else {
            Vec::new()
        };
        self.update_contest(chain);
        out
    }

    fn on_public_tip(&mut self, chain: &dyn ChainView, tip: BlockId) -> Publish {
        if chain.miner(tip) == Some(self.pool) {
            // The node caught up with blocks the pool published.
            self.public_height = self.public_height.max(chain.height(tip));
            self.update_contest(chain);
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(&head) = self.private.last() {
            if Self::is_ancestor(chain, head, tip) {
                // The others built on the pool's branch: it is public now.
                self.adopt();
            }
        }
        // One step of the papers per block the public chain grew by.
        while self.public_height < chain.height(tip) {
            let lead_prev = self.lead(chain);
            self.public_height += 1;
            self.public_tip = Some(tip);
            if self.private.is_empty() {
                continue;
            }
            match lead_prev {
                d if d <= 0 => {
                    // A tie lost or a trailing branch: the public chain is
                    // now 1 - d blocks ahead.
                    if (1 - d) as u64 > u64::from(self.stubborn.trail) {
                        self.adopt();
                    }
                }
                2 if !self.stubborn.lead => out.extend(self.publish_all(chain)),
                // Match: reveal the block of the public chain's height.
                _ => out.extend(self.publish_to_match(chain)),
            }
        }
        self.public_tip = Some(tip);
        self.update_contest(chain);
        out
    }

    fn on_stop(&mut self, chain: &dyn ChainView) -> Publish {
        if self.lead(chain) > 0 { self.publish_all(chain) } else { Vec::new() }
    }

    fn contest(&self) -> Option<Contest> {
        self.contest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built chain: block i has the given parent and miner.
    struct Chain {
        blocks: Vec<(Option<u32>, Option<PoolId>)>,
    }

    impl Chain {
        fn new() -> Chain {
            Chain { blocks: vec![(None, None)] }
        }

        fn add(&mut self, parent: BlockId, miner: u32) -> BlockId {
            self.blocks.push((Some(parent.0), Some(PoolId(miner))));
            BlockId(self.blocks.len() as u32 - 1)
        }
    }

    impl ChainView for Chain {
        fn height(&self, b: BlockId) -> u32 {
            let mut h = 0;
            let mut cur = self.blocks[b.index()].0;
            while let Some(p) = cur {
                h += 1;
                cur = self.blocks[p as usize].0;
            }
            h
        }

        fn parent(&self, b: BlockId) -> Option<BlockId> {
            self.blocks[b.index()].0.map(BlockId)
        }

        fn miner(&self, b: BlockId) -> Option<PoolId> {
            self.blocks[b.index()].1
        }
    }

    const US: u32 = 0;
    const THEM: u32 = 1;

    /// The pool mines at its target; returns the block and what it publishes.
    fn mine(s: &mut Selfish, c: &mut Chain, node_tip: BlockId) -> (BlockId, Publish) {
        let target = s.target(c, node_tip);
        let b = c.add(target, US);
        let p = s.on_mined(c, b, node_tip);
        (b, p)
    }

    #[test]
    fn honest_publishes_at_once_on_the_node_tip() {
        let mut c = Chain::new();
        let g = BlockId(0);
        let mut h = Honest;
        assert_eq!(h.target(&c, g), g);
        let b = c.add(g, US);
        assert_eq!(h.on_mined(&c, b, g), vec![b]);
        assert!(h.on_public_tip(&c, b).is_empty());
        assert!(!h.is_strategic());
    }

    /// State 0 -> 1 -> 0': a lead of one is matched when the others find a
    /// block; the pool then wins the tie with its next block.
    #[test]
    fn lead_of_one_becomes_a_tie_that_the_pool_wins() {
        let mut c = Chain::new();
        let g = BlockId(0);
        let mut s = Selfish::new(PoolId(US));
        let (a1, p) = mine(&mut s, &mut c, g);
        assert!(p.is_empty(), "a lead of one is kept");
        assert_eq!(s.target(&c, g), a1);
        let h1 = c.add(g, THEM);
        assert_eq!(s.on_public_tip(&c, h1), vec![a1], "matched: publish the last block");
        assert_eq!(s.contest(), Some(Contest { ours: a1, theirs: h1 }));
        assert_eq!(s.target(&c, h1), a1, "the pool mines on its own branch");
        let (a2, p) = mine(&mut s, &mut c, h1);
        assert_eq!(p, vec![a2], "0' and the pool finds a block: publish it, the branch wins");
        assert_eq!(s.contest(), None);
        assert_eq!(s.target(&c, h1), a2, "mine on the published head until the node adopts it");
        assert!(s.on_public_tip(&c, a2).is_empty());
        assert_eq!(s.target(&c, a2), a2);
    }

    /// In 0' the others find the next block (on either branch): the pool
    /// adopts the public chain.
    #[test]
    fn tie_lost_adopts_the_public_chain() {
        for on_ours in [false, true] {
            let mut c = Chain::new();
            let g = BlockId(0);
            let mut s = Selfish::new(PoolId(US));
            let (a1, _) = mine(&mut s, &mut c, g);
            let h1 = c.add(g, THEM);
            s.on_public_tip(&c, h1);
            let h2 = c.add(if on_ours { a1 } else { h1 }, THEM);
            assert!(s.on_public_tip(&c, h2).is_empty());
            assert_eq!((s.contest(), s.target(&c, h2)), (None, h2), "on ours: {on_ours}");
        }
    }

    /// State 2: the others find a block, the pool publishes its whole branch
    /// and wins (lead of one left).
    #[test]
    fn lead_of_two_publishes_everything_when_the_others_find_one() {
        let mut c = Chain::new();
        let g = BlockId(0);
        let mut s = Selfish::new(PoolId(US));
        let (a1, _) = mine(&mut s, &mut c, g);
        let (a2, p) = mine(&mut s, &mut c, g);
        assert!(p.is_empty());
        let h1 = c.add(g, THEM);
        assert_eq!(s.on_public_tip(&c, h1), vec![a1, a2]);
        assert_eq!(s.target(&c, h1), a2);
    }

    /// A lead above two: each block of the others is answered by revealing
    /// the pool's block of the same height, until the lead is two.
    #[test]
    fn long_lead_reveals_one_block_per_public_block() {
        let mut c = Chain::new();
        let g = BlockId(0);
        let mut s = Selfish::new(PoolId(US));
        let a: Vec<BlockId> = (0..4).map(|_| mine(&mut s, &mut c, g).0).collect();
        assert_eq!(c.height(a[3]), 4);
        let h1 = c.add(g, THEM);
        assert_eq!(s.on_public_tip(&c, h1), vec![a[0]], "lead 4 -> reveal height 1");
        let h2 = c.add(h1, THEM);
        assert_eq!(s.on_public_tip(&c, h2), vec![a[1]], "lead 3 -> reveal height 2");
        let h3 = c.add(h2, THEM);
        assert_eq!(s.on_public_tip(&c, h3), vec![a[2], a[3]], "lead 2 -> publish all");
        assert_eq!(s.target(&c, h3), a[3]);
        // Two public blocks at once are two steps: from lead 1 after the
        // publish, the first makes a tie... here the pool has nothing private.
        let (a5, _) = mine(&mut s, &mut c, a[3]);
        let h4 = c.add(a[3], THEM);
        let h5 = c.add(h4, THEM);
        assert_eq!(s.on_public_tip(&c, h5), vec![a5], "lead 1 then lead 0: tie, then adopt");
        assert_eq!(s.target(&c, h5), h5);
    }

    /// Lead-stubborn: with a lead of two, the others' block is only
    /// matched; the pool keeps mining on its branch.
    #[test]
    fn lead_stubborn_matches_instead_of_overriding() {
        let mut c = Chain::new();
        let g = BlockId(0);
        let rules = Stubbornness { lead: true, ..Stubbornness::default() };
        let mut s = Selfish::stubborn(PoolId(US), rules);
        assert_eq!(s.name(), "stubborn");
        let (a1, _) = mine(&mut s, &mut c, g);
        let (a2, _) = mine(&mut s, &mut c, g);
        let h1 = c.add(g, THEM);
        assert_eq!(s.on_public_tip(&c, h1), vec![a1], "match, do not override");
        assert_eq!(s.contest(), None, "a2 is still private");
        assert_eq!(s.target(&c, h1), a2);
        let h2 = c.add(h1, THEM);
        assert_eq!(s.on_public_tip(&c, h2), vec![a2], "lead 1: match again");
        assert_eq!(s.contest(), Some(Contest { ours: a2, theirs: h2 }));
    }

    /// Equal-fork stubborn: in a tie the pool keeps its next block private.
    #[test]
    fn equal_fork_stubborn_keeps_the_tie_breaker_private() {
        let mut c = Chain::new();
        let g = BlockId(0);
        let rules = Stubbornness { equal_fork: true, ..Stubbornness::default() };
        let mut s = Selfish::stubborn(PoolId(US), rules);
        let (a1, _) = mine(&mut s, &mut c, g);
        let h1 = c.add(g, THEM);
        assert_eq!(s.on_public_tip(&c, h1), vec![a1]);
        let (a2, p) = mine(&mut s, &mut c, h1);
        assert!(p.is_empty(), "the tie-breaking block stays private");
        assert_eq!(s.contest(), None, "no contest while a block is private");
        let h2 = c.add(h1, THEM);
        assert_eq!(s.on_public_tip(&c, h2), vec![a2], "lead 1: match");
    }

    /// Trail stubborn (T1): one block behind the pool keeps mining; when it
    /// catches up it publishes to tie; two behind it gives up.
    #[test]
    fn trail_stubborn_keeps_mining_one_block_behind() {
        let mut c = Chain::new();
        let g = BlockId(0);
        let rules = Stubbornness { trail: 1, ..Stubbornness::default() };
        let mut s = Selfish::stubborn(PoolId(US), rules);
        let (a1, _) = mine(&mut s, &mut c, g);
        let h1 = c.add(g, THEM);
        s.on_public_tip(&c, h1);
        let h2 = c.add(h1, THEM);
        assert!(s.on_public_tip(&c, h2).is_empty());
        assert_eq!(s.target(&c, h2), a1, "one behind: keep the branch");
        let (a2, p) = mine(&mut s, &mut c, h2);
        assert_eq!(p, vec![a2], "caught up: publish to tie");
        assert_eq!(s.contest(), Some(Contest { ours: a2, theirs: h2 }));
        let h3 = c.add(h2, THEM);
        s.on_public_tip(&c, h3);
        assert_eq!(s.target(&c, h3), a2, "one behind again");
        let h4 = c.add(h3, THEM);
        s.on_public_tip(&c, h4);
        assert_eq!((s.target(&c, h4), s.contest()), (h4, None), "two behind: adopt");
    }

    /// Core's miner takes its clock unless that is before the earliest time
    /// it allows; the timewarp miner dates the last block of a period just
    /// inside the future limit and every other block at the consensus
    /// minimum, and otherwise mines and publishes as an honest miner.
    #[test]
    fn timewarp_dates_blocks_at_the_bounds() {
        let t = TimeBounds {
            core_min: 900,
            consensus_min: 500,
            clock: 1_000,
            clock_max: 8_200,
            closes_period: false,
        };
        assert_eq!(Honest.header_time(t), 1_000);
        assert_eq!(Honest.header_time(TimeBounds { clock: 800, ..t }), 900);
        assert_eq!(Timewarp.header_time(t), 500);
        let last = TimeBounds { closes_period: true, ..t };
        assert_eq!(Timewarp.header_time(last), 8_200 - TIMEWARP_MARGIN_S);
        assert_eq!(Honest.header_time(last), 1_000);
        let mut c = Chain::new();
        let g = BlockId(0);
        let mut w = Timewarp;
        let b = c.add(g, US);
        assert_eq!((w.target(&c, g), w.on_mined(&c, b, g), w.is_strategic()), (g, vec![b], false));
    }
}
