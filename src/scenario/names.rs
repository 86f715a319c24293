//! The names scenario files use for enumerated settings, in one place, so
//! that reading (`lower*`) and writing (`resolved`) cannot drift apart.
//! Every mapping is an exhaustive `match`.

use super::config::{
    DifficultyName, Distribution, JitterConfig, NetworkPresetName, PolicyName, RateSchedule, RelayProtocol,
    TopologyConfig, TxRelayMode,
};

/// All network presets, in the order error messages list them.
pub(crate) const PRESETS: [NetworkPresetName; 3] =
    [NetworkPresetName::Bitcoin2015, NetworkPresetName::Bitcoin2019, NetworkPresetName::Ideal];

/// A network preset's name.
pub(crate) fn preset_name(preset: &NetworkPresetName) -> &'static str {
    match preset {
        NetworkPresetName::Bitcoin2015 => "bitcoin-2015",
        NetworkPresetName::Bitcoin2019 => "bitcoin-2019",
        NetworkPresetName::Ideal => "ideal",
    }
}

/// The jitter models, without their parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JitterKind {
    None,
    Pareto,
    Lognormal,
}

/// All jitter models.
pub(crate) const JITTERS: [JitterKind; 3] = [JitterKind::None, JitterKind::Pareto, JitterKind::Lognormal];

/// A jitter model's name.
pub(crate) fn jitter_name(kind: &JitterKind) -> &'static str {
    match kind {
        JitterKind::None => "none",
        JitterKind::Pareto => "pareto",
        JitterKind::Lognormal => "lognormal",
    }
}

/// The kind of a configured jitter.
pub(crate) fn jitter_kind(jitter: &JitterConfig) -> JitterKind {
    match jitter {
        JitterConfig::None => JitterKind::None,
        JitterConfig::Pareto => JitterKind::Pareto,
        JitterConfig::Lognormal { .. } => JitterKind::Lognormal,
    }
}

/// The topology generators, without their parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TopologyKind {
    BitcoinCore,
    Degree2015,
    RandomRegular,
    Complete,
    File,
}

/// All topology generators.
pub(crate) const TOPOLOGIES: [TopologyKind; 5] = [
    TopologyKind::BitcoinCore,
    TopologyKind::Degree2015,
    TopologyKind::RandomRegular,
    TopologyKind::Complete,
    TopologyKind::File,
];

/// A topology generator's name.
pub(crate) fn topology_name(kind: &TopologyKind) -> &'static str {
    match kind {
        TopologyKind::BitcoinCore => "bitcoin-core",
        TopologyKind::Degree2015 => "degree-2015",
        TopologyKind::RandomRegular => "random-regular",
        TopologyKind::Complete => "complete",
        TopologyKind::File => "file",
    }
}

/// The kind of a configured topology.
pub(crate) fn topology_kind(topology: &TopologyConfig) -> TopologyKind {
    match topology {
        TopologyConfig::BitcoinCore { .. } => TopologyKind::BitcoinCore,
        TopologyConfig::Degree2015 => TopologyKind::Degree2015,
        TopologyConfig::RandomRegular { .. } => TopologyKind::RandomRegular,
        TopologyConfig::Complete => TopologyKind::Complete,
        TopologyConfig::File { .. } => TopologyKind::File,
    }
}

/// All relay protocols.
pub(crate) const PROTOCOLS: [RelayProtocol; 4] =
    [RelayProtocol::Legacy, RelayProtocol::Headers, RelayProtocol::Compact, RelayProtocol::Unsolicited];

/// A relay protocol's name.
pub(crate) fn protocol_name(protocol: &RelayProtocol) -> &'static str {
    match protocol {
        RelayProtocol::Legacy => "legacy",
        RelayProtocol::Headers => "headers",
        RelayProtocol::Compact => "compact",
        RelayProtocol::Unsolicited => "unsolicited",
    }
}

/// The difficulty algorithms, without their settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DifficultyKind {
    Bitcoin,
    BitcoinBip94,
    Asert,
    BchCw144,
    BchEda,
    Lwma,
    Fixed,
}

/// All difficulty algorithms, in the order error messages list them.
pub(crate) const DIFFICULTIES: [DifficultyKind; 7] = [
    DifficultyKind::Bitcoin,
    DifficultyKind::BitcoinBip94,
    DifficultyKind::Asert,
    DifficultyKind::BchCw144,
    DifficultyKind::BchEda,
    DifficultyKind::Lwma,
    DifficultyKind::Fixed,
];

/// A difficulty algorithm's name.
pub(crate) fn difficulty_name(kind: &DifficultyKind) -> &'static str {
    match kind {
        DifficultyKind::Bitcoin => "bitcoin",
        DifficultyKind::BitcoinBip94 => "bitcoin-bip94",
        DifficultyKind::Asert => "asert",
        DifficultyKind::BchCw144 => "bch-cw144",
        DifficultyKind::BchEda => "bch-eda",
        DifficultyKind::Lwma => "lwma",
        DifficultyKind::Fixed => "fixed",
    }
}

/// The kind of a configured difficulty algorithm.
pub(crate) fn difficulty_kind(difficulty: &DifficultyName) -> DifficultyKind {
    match difficulty {
        DifficultyName::Bitcoin => DifficultyKind::Bitcoin,
        DifficultyName::BitcoinBip94 => DifficultyKind::BitcoinBip94,
        DifficultyName::Asert { .. } => DifficultyKind::Asert,
        DifficultyName::BchCw144 => DifficultyKind::BchCw144,
        DifficultyName::BchEda => DifficultyKind::BchEda,
        DifficultyName::Lwma { .. } => DifficultyKind::Lwma,
        DifficultyName::Fixed => DifficultyKind::Fixed,
    }
}

/// Where the hash power comes from when no `[[mining.pool]]` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PoolsPreset {
    Bitcoin2015,
    Bitcoin2026,
    EveryNode,
}

/// All pool presets.
pub(crate) const POOL_PRESETS: [PoolsPreset; 3] =
    [PoolsPreset::Bitcoin2015, PoolsPreset::Bitcoin2026, PoolsPreset::EveryNode];

/// A pool preset's name.
pub(crate) fn pools_name(preset: &PoolsPreset) -> &'static str {
    match preset {
        PoolsPreset::Bitcoin2015 => "bitcoin-2015",
        PoolsPreset::Bitcoin2026 => "bitcoin-2026",
        PoolsPreset::EveryNode => "every-node",
    }
}

/// The rate schedules, without their parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScheduleKind {
    Constant,
    Daily,
}

/// All rate schedules.
pub(crate) const SCHEDULES: [ScheduleKind; 2] = [ScheduleKind::Constant, ScheduleKind::Daily];

/// A rate schedule's name.
pub(crate) fn schedule_name(kind: &ScheduleKind) -> &'static str {
    match kind {
        ScheduleKind::Constant => "constant",
        ScheduleKind::Daily => "daily",
    }
}

/// The kind of a configured schedule.
pub(crate) fn schedule_kind(schedule: &RateSchedule) -> ScheduleKind {
    match schedule {
        RateSchedule::Constant => ScheduleKind::Constant,
        RateSchedule::Daily { .. } => ScheduleKind::Daily,
    }
}

/// The distributions, without their parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DistKind {
    Fixed,
    Lognormal,
    Empirical,
}

/// All distributions.
pub(crate) const DISTS: [DistKind; 3] = [DistKind::Fixed, DistKind::Lognormal, DistKind::Empirical];

/// A distribution's name.
pub(crate) fn dist_name(kind: &DistKind) -> &'static str {
    match kind {
        DistKind::Fixed => "fixed",
        DistKind::Lognormal => "lognormal",
        DistKind::Empirical => "empirical",
    }
}

/// The kind of a configured distribution.
pub(crate) fn dist_kind(distribution: &Distribution) -> DistKind {
    match distribution {
        Distribution::Fixed { .. } => DistKind::Fixed,
        Distribution::Lognormal { .. } => DistKind::Lognormal,
        Distribution::Empirical { .. } => DistKind::Empirical,
    }
}

/// The transaction relay fidelities, without their parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TxRelayKind {
    Fast,
    Full,
}

/// All transaction relay fidelities.
pub(crate) const TX_RELAYS: [TxRelayKind; 2] = [TxRelayKind::Fast, TxRelayKind::Full];

/// A transaction relay fidelity's name.
pub(crate) fn tx_relay_name(kind: &TxRelayKind) -> &'static str {
    match kind {
        TxRelayKind::Fast => "fast",
        TxRelayKind::Full => "full",
    }
}

/// The kind of a configured transaction relay.
pub(crate) fn tx_relay_kind(relay: &TxRelayMode) -> TxRelayKind {
    match relay {
        TxRelayMode::Fast { .. } => TxRelayKind::Fast,
        TxRelayMode::Full => TxRelayKind::Full,
    }
}

/// All mempool policies, oldest first.
pub(crate) const POLICIES: [PolicyName; 2] = [PolicyName::CoreV29, PolicyName::CoreV30];

/// A mempool policy's name.
pub(crate) fn policy_name(policy: &PolicyName) -> &'static str {
    match policy {
        PolicyName::CoreV29 => "core-v29",
        PolicyName::CoreV30 => "core-v30",
    }
}
