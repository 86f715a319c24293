//! The block subsidy schedule (Core's `GetBlockSubsidy` in `src/validation.cpp`).
//!
//! Only the schedule lives here; checking a coinbase against it is `checks.rs`'s job.

use super::params::ConsensusParams;

/// The new coins a block at `height` may create, in satoshis: the initial subsidy halved once per
/// completed halving interval, and zero from the 64th halving on.
pub fn block_subsidy(height: u32, params: &ConsensusParams) -> u64 {
    // A zero interval means the subsidy never halves (rather than a division by zero).
    let halvings = height.checked_div(params.halving_interval).unwrap_or(0);
    // Core guards here because shifting a 64-bit value by 64 or more is undefined in C++.
    if halvings >= 64 {
        return 0;
    }
    params.initial_subsidy_sat >> halvings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_points() {
        let p = ConsensusParams::mainnet();
        assert_eq!(block_subsidy(0, &p), 5_000_000_000);
        assert_eq!(block_subsidy(209_999, &p), 5_000_000_000);
        assert_eq!(block_subsidy(210_000, &p), 2_500_000_000);
        assert_eq!(block_subsidy(840_000, &p), 312_500_000);
        assert_eq!(block_subsidy(6_929_999, &p), 1);
        assert_eq!(block_subsidy(6_930_000, &p), 0);
        assert_eq!(block_subsidy(u32::MAX, &p), 0);
    }

    #[test]
    fn total_issuance() {
        let p = ConsensusParams::mainnet();
        let total: u64 = (0..6_930_000).map(|h| block_subsidy(h, &p)).sum();
        assert_eq!(total, 2_099_999_997_690_000);
    }

    #[test]
    fn guards() {
        let never_halves = ConsensusParams { halving_interval: 0, ..ConsensusParams::mainnet() };
        assert_eq!(block_subsidy(u32::MAX, &never_halves), 5_000_000_000);
        // With a one-block interval the 64th halving is reached and must give zero, not panic.
        let fast = ConsensusParams {
            halving_interval: 1,
            initial_subsidy_sat: u64::MAX,
            ..ConsensusParams::mainnet()
        };
        assert_eq!(block_subsidy(63, &fast), 1);
        assert_eq!(block_subsidy(64, &fast), 0);
        assert_eq!(ConsensusParams::regtest().halving_interval, 150);
    }
}
