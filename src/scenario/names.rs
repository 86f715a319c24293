//! The names scenario files use for enumerated settings, in one place, so
//! that reading (`lower*`) and writing (`resolved`) cannot drift apart.
//! Every mapping is an exhaustive `match`.

use super::config::{DifficultyName, JitterConfig, NetworkPresetName, RelayProtocol, TopologyConfig};

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

/// All difficulty algorithms.
pub(crate) const DIFFICULTIES: [DifficultyName; 1] = [DifficultyName::Bitcoin];

/// A difficulty algorithm's name.
pub(crate) fn difficulty_name(difficulty: &DifficultyName) -> &'static str {
    match difficulty {
        DifficultyName::Bitcoin => "bitcoin",
    }
}

/// Where the hash power comes from when no `[[mining.pool]]` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PoolsPreset {
    Bitcoin2015,
    EveryNode,
}

/// All pool presets.
pub(crate) const POOL_PRESETS: [PoolsPreset; 2] = [PoolsPreset::Bitcoin2015, PoolsPreset::EveryNode];

/// A pool preset's name.
pub(crate) fn pools_name(preset: &PoolsPreset) -> &'static str {
    match preset {
        PoolsPreset::Bitcoin2015 => "bitcoin-2015",
        PoolsPreset::EveryNode => "every-node",
    }
}
