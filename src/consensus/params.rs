//! Consensus parameters of a simulated network, with Bitcoin's networks as presets
//! (Bitcoin Core `src/kernel/chainparams.cpp` and `src/consensus/consensus.h`).
//!
//! Parameters are plain data chosen by the scenario; this file only names them and supplies the
//! presets. It reads no files and knows no scenario syntax.

use super::compact::encode_compact;
use super::u256::U256;

/// The most a block at a retarget height may be timestamped before its parent under BIP94
/// (`MAX_TIMEWARP` in Core's `consensus.h`).
pub const MAX_TIMEWARP_S: i64 = 600;

/// The consensus parameters a simulated network runs with.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsensusParams {
    /// Intended time between blocks (`nPowTargetSpacing`), in seconds.
    pub target_spacing_s: i64,
    /// Blocks per difficulty period (`DifficultyAdjustmentInterval`).
    pub retarget_interval: u32,
    /// How far one retarget may move the target: the measured timespan is clamped to
    /// `[timespan / clamp_factor, timespan * clamp_factor]`. Core's value is 4.
    pub clamp_factor: i64,
    /// The easiest target allowed (`powLimit`).
    pub pow_limit: U256,
    /// Testnet's rule that a block more than two spacings after its parent may use `powLimit`.
    pub allow_min_difficulty_blocks: bool,
    /// Regtest's rule that the difficulty never changes.
    pub no_retargeting: bool,
    /// BIP94 (testnet4): retarget from the period's first block and forbid timewarps.
    pub enforce_bip94: bool,
    /// Maximum block weight, in weight units.
    pub max_block_weight: u64,
    /// Blocks between subsidy halvings; zero means the subsidy never halves.
    pub halving_interval: u32,
    /// Subsidy before the first halving, in satoshis.
    pub initial_subsidy_sat: u64,
    /// Number of blocks in the median-time-past window (Core: 11).
    pub mtp_window: u32,
    /// How far ahead of a node's clock a header may be timestamped (Core: 2 hours), in seconds.
    pub max_future_block_time_s: i64,
}

impl ConsensusParams {
    /// Bitcoin mainnet.
    pub fn mainnet() -> Self {
        ConsensusParams {
            target_spacing_s: 600,
            retarget_interval: 2016,
            clamp_factor: 4,
            pow_limit: U256::MAX.shr(32),
            allow_min_difficulty_blocks: false,
            no_retargeting: false,
            enforce_bip94: false,
            max_block_weight: 4_000_000,
            halving_interval: 210_000,
            initial_subsidy_sat: 50 * 100_000_000,
            mtp_window: 11,
            max_future_block_time_s: 2 * 60 * 60,
        }
    }

    /// Bitcoin testnet4: mainnet's schedule with min-difficulty blocks and BIP94.
    pub fn testnet4() -> Self {
        ConsensusParams { allow_min_difficulty_blocks: true, enforce_bip94: true, ..Self::mainnet() }
    }

    /// Bitcoin regtest (v28 and later): 144-block periods that never retarget, a near-trivial
    /// `powLimit` and halvings every 150 blocks. BIP94 is off, as it is by default in Core.
    pub fn regtest() -> Self {
        ConsensusParams {
            retarget_interval: 144,
            pow_limit: U256::MAX.shr(1),
            allow_min_difficulty_blocks: true,
            no_retargeting: true,
            halving_interval: 150,
            ..Self::mainnet()
        }
    }

    /// The intended length of one difficulty period (`nPowTargetTimespan`), in seconds.
    pub fn timespan_s(&self) -> i64 {
        self.target_spacing_s.saturating_mul(i64::from(self.retarget_interval))
    }

    /// `powLimit` in compact form: the nBits of a minimum-difficulty block.
    pub fn pow_limit_bits(&self) -> u32 {
        encode_compact(&self.pow_limit)
    }

    /// Checks the invariants the rules rely on, naming the first one broken. Scenario validation
    /// should call this; the rules themselves assert the ones that would otherwise panic obscurely.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.target_spacing_s <= 0 {
            return Err("target_spacing_s must be positive");
        }
        if self.retarget_interval == 0 {
            return Err("retarget_interval must be positive");
        }
        if self.clamp_factor < 1 {
            return Err("clamp_factor must be at least 1");
        }
        if self.pow_limit.is_zero() {
            return Err("pow_limit must be positive");
        }
        if self.mtp_window == 0 {
            return Err("mtp_window must be positive");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainnet_values() {
        let p = ConsensusParams::mainnet();
        assert_eq!(p.timespan_s(), 1_209_600);
        assert_eq!(p.pow_limit_bits(), 0x1d00ffff);
        assert_eq!(p.pow_limit.to_be_hex(), format!("00000000{}", "f".repeat(56)));
        assert_eq!(p.validate(), Ok(()));
    }

    #[test]
    fn presets() {
        assert_eq!(ConsensusParams::regtest().pow_limit_bits(), 0x207fffff);
        assert_eq!(ConsensusParams::regtest().timespan_s(), 86_400);
        assert_eq!(ConsensusParams::testnet4().pow_limit_bits(), 0x1d00ffff);
        assert_eq!(ConsensusParams::regtest().validate(), Ok(()));
        let broken = ConsensusParams { clamp_factor: 0, ..ConsensusParams::mainnet() };
        assert!(broken.validate().is_err());
    }
}
