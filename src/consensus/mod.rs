//! Pure consensus rules: 256-bit arithmetic, the compact target encoding and work, consensus
//! parameters, difficulty algorithms, the subsidy schedule, headers and the block checks a
//! simulator needs (Bitcoin Core `src/pow.cpp`, `src/arith_uint256.cpp`, `src/validation.cpp`).
//!
//! This module must stay pure (ARCHITECTURE.md invariant 2): no randomness, no clock (times arrive as
//! arguments), no I/O, and no dependency on any other module of the crate. It reads the block tree
//! only through [`ChainView`], so it never owns or mutates simulation state.

mod chain;
mod checks;
mod compact;
mod difficulty;
mod header;
mod params;
mod rules;
mod subsidy;
#[cfg(test)]
mod test_chain;
mod u256;

pub use chain::{BlockId, ChainView, median_time_past};
pub use checks::{
    BlockError, check_block_body, check_header_contextual, check_target_range, check_time_not_too_new,
    earliest_consensus_time, earliest_valid_time,
};
pub use compact::{
    CompactTarget, block_proof, decode_compact, difficulty, encode_compact, target_for_hashrate,
};
pub use difficulty::{
    Asert, BchCw144, BchEda, BitcoinBip94, BitcoinRetarget, DifficultyAlgorithm, Fixed, Lwma,
    calculate_asert, calculate_next_work_required,
};
pub use header::{BlockHash, HEADER_BYTES, Header, sha256d};
pub use params::{ConsensusParams, MAX_TIMEWARP_S};
pub use rules::{BlockBody, Epoch, RuleSchedule};
pub use subsidy::block_subsidy;
pub use u256::U256;
