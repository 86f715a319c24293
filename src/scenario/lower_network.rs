//! Lowering of `[network]`: nodes, region preset, latency and jitter, and the
//! topology with its own keys. A key that belongs to another preset, jitter
//! model or topology is an error that names the setting it belongs to, so a
//! scenario never carries a value that silently does nothing.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::check::{FRACTION, POSITIVE_QUANTITY, SIGMA};
use super::config::{JitterConfig, NetworkConfig, NetworkPresetName, TopologyConfig};
use super::ctx::{Ctx, Span};
use super::edges;
use super::error::ScenarioError;
use super::lower::open;
use super::names::{
    JITTERS, JitterKind, PRESETS, TOPOLOGIES, TopologyKind, jitter_name, preset_name, topology_name,
};
use super::raw::{Opt, RawNetwork, Table};

/// Default peers per node of a random regular graph.
const DEFAULT_DEGREE: u32 = 8;

/// Most nodes a scenario may ask for. Whether a run that large fits the machine is for the
/// memory estimate to say: `powsim run` refuses up front a run it expects not to fit.
const MAX_NODES: u32 = 100_000_000;

/// The network, and the span to blame for "too few nodes" errors.
pub(crate) fn lower(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawNetwork>>,
    dir: &Path,
) -> Result<(NetworkConfig, Option<Span>), ScenarioError> {
    let (raw, span) = open(table);
    let nodes = ctx.int("network.nodes", &raw.nodes, 2u32, MAX_NODES, 1000)?;
    let preset =
        ctx.choice("network.preset", &raw.preset, &PRESETS, preset_name, NetworkPresetName::Bitcoin2019)?;
    let latency_ms = lower_latency(ctx, &raw, &preset)?;
    let jitter = lower_jitter(ctx, &raw, &preset)?;
    let topology = lower_topology(ctx, &raw, nodes, span.as_ref(), dir)?;
    let nodes_span = raw.nodes.as_ref().map(Spanned::span).or(span);
    // A day of skew is far beyond any real node's; the bound keeps clocks
    // inside the header time's range.
    let skew_bounds = super::check::Bounds::new(0.0, true, 86_400.0, true);
    let clock_skew_sd_s = ctx.float("network.clock_skew_sd_s", &raw.clock_skew_sd_s, skew_bounds, 0.0)?;
    let network = NetworkConfig { nodes, preset, latency_ms, jitter, topology, clock_skew_sd_s };
    Ok((network, nodes_span))
}

/// `latency_ms` belongs to the ideal preset; the others take latency from
/// their region tables, and keep the (unused) default in the config.
fn lower_latency(ctx: &Ctx<'_>, raw: &RawNetwork, preset: &NetworkPresetName) -> Result<f64, ScenarioError> {
    if *preset == NetworkPresetName::Ideal {
        return ctx.float("network.latency_ms", &raw.latency_ms, POSITIVE_QUANTITY, 100.0);
    }
    let here = format!("preset = \"{}\"", preset_name(preset));
    ctx.absent("network.latency_ms", &raw.latency_ms, "preset = \"ideal\"", &here)?;
    Ok(100.0)
}

fn lower_jitter(
    ctx: &Ctx<'_>,
    raw: &RawNetwork,
    preset: &NetworkPresetName,
) -> Result<JitterConfig, ScenarioError> {
    let default = match preset {
        NetworkPresetName::Ideal => JitterKind::None,
        NetworkPresetName::Bitcoin2015 | NetworkPresetName::Bitcoin2019 => JitterKind::Pareto,
    };
    let kind = ctx.choice("network.jitter", &raw.jitter, &JITTERS, jitter_name, default)?;
    if kind != JitterKind::Lognormal {
        let here = format!("jitter = \"{}\"", jitter_name(&kind));
        ctx.absent("network.jitter_sigma", &raw.jitter_sigma, "jitter = \"lognormal\"", &here)?;
    }
    Ok(match kind {
        JitterKind::None => JitterConfig::None,
        JitterKind::Pareto => JitterConfig::Pareto,
        JitterKind::Lognormal => JitterConfig::Lognormal {
            sigma: ctx.float("network.jitter_sigma", &raw.jitter_sigma, SIGMA, 0.5)?,
        },
    })
}

fn lower_topology(
    ctx: &Ctx<'_>,
    raw: &RawNetwork,
    nodes: u32,
    table: Option<&Span>,
    dir: &Path,
) -> Result<TopologyConfig, ScenarioError> {
    let kind =
        ctx.choice("network.topology", &raw.topology, &TOPOLOGIES, topology_name, TopologyKind::BitcoinCore)?;
    reject_foreign_keys(ctx, raw, kind)?;
    match kind {
        TopologyKind::BitcoinCore => lower_core(ctx, raw, table),
        TopologyKind::Degree2015 => Ok(TopologyConfig::Degree2015),
        TopologyKind::RandomRegular => lower_regular(ctx, raw, nodes, table),
        TopologyKind::Complete => Ok(TopologyConfig::Complete),
        TopologyKind::File => lower_file(ctx, raw, nodes, table, dir),
    }
}

/// Rejects the keys of topologies other than `kind`.
fn reject_foreign_keys(ctx: &Ctx<'_>, raw: &RawNetwork, kind: TopologyKind) -> Result<(), ScenarioError> {
    let here = format!("topology = \"{}\"", topology_name(&kind));
    if kind != TopologyKind::BitcoinCore {
        let core = "topology = \"bitcoin-core\"";
        ctx.absent("network.outbound_full_relay", &raw.outbound_full_relay, core, &here)?;
        ctx.absent("network.outbound_block_relay", &raw.outbound_block_relay, core, &here)?;
        ctx.absent("network.max_connections", &raw.max_connections, core, &here)?;
        ctx.absent("network.non_listening_fraction", &raw.non_listening_fraction, core, &here)?;
    }
    if kind != TopologyKind::RandomRegular {
        ctx.absent("network.degree", &raw.degree, "topology = \"random-regular\"", &here)?;
    }
    if kind != TopologyKind::File {
        ctx.absent("network.topology_file", &raw.topology_file, "topology = \"file\"", &here)?;
    }
    Ok(())
}

/// Bitcoin Core's connection counts: at least one outbound connection, and
/// room for inbound ones.
fn lower_core(
    ctx: &Ctx<'_>,
    raw: &RawNetwork,
    table: Option<&Span>,
) -> Result<TopologyConfig, ScenarioError> {
    let full = ctx.int("network.outbound_full_relay", &raw.outbound_full_relay, 0u32, 1000, 8)?;
    let block = ctx.int("network.outbound_block_relay", &raw.outbound_block_relay, 0u32, 1000, 2)?;
    let max = ctx.int("network.max_connections", &raw.max_connections, 1u32, 100_000, 125)?;
    let outbound = full + block;
    if outbound == 0 {
        let at = span_or(&raw.outbound_full_relay, table);
        let message = "outbound_full_relay + outbound_block_relay must be at least 1, or no node connects";
        return Err(ctx.err("network.outbound_full_relay", at.as_ref(), message));
    }
    if max <= outbound {
        let at = span_or(&raw.max_connections, table);
        let message = format!(
            "must be greater than outbound_full_relay + outbound_block_relay = {outbound}, so nodes can accept inbound connections; got {max}"
        );
        return Err(ctx.err("network.max_connections", at.as_ref(), message));
    }
    Ok(TopologyConfig::BitcoinCore {
        outbound_full_relay: full,
        outbound_block_relay: block,
        max_connections: max,
        non_listening_fraction: ctx.float(
            "network.non_listening_fraction",
            &raw.non_listening_fraction,
            FRACTION,
            0.0,
        )?,
    })
}

/// A random regular graph needs degree < nodes and an even nodes * degree.
fn lower_regular(
    ctx: &Ctx<'_>,
    raw: &RawNetwork,
    nodes: u32,
    table: Option<&Span>,
) -> Result<TopologyConfig, ScenarioError> {
    let key = "network.degree";
    let at = span_or(&raw.degree, table);
    let degree = match ctx.opt_int(key, &raw.degree, 1u32, nodes - 1)? {
        Some(degree) => degree,
        None if DEFAULT_DEGREE < nodes => DEFAULT_DEGREE,
        None => {
            let message = format!(
                "the default degree {DEFAULT_DEGREE} needs more than {DEFAULT_DEGREE} nodes; set it from 1 to {} for network.nodes = {nodes}",
                nodes - 1
            );
            return Err(ctx.err(key, at.as_ref(), message));
        }
    };
    if (u64::from(nodes) * u64::from(degree)) % 2 == 1 {
        let message =
            format!("nodes * degree must be even for a random regular graph, but {nodes} * {degree} is odd");
        return Err(ctx.err(key, at.as_ref(), message));
    }
    Ok(TopologyConfig::RandomRegular { degree })
}

/// Loads the edge list; the path is kept as written (relative to the
/// scenario file's directory), the file is read from `dir`.
fn lower_file(
    ctx: &Ctx<'_>,
    raw: &RawNetwork,
    nodes: u32,
    table: Option<&Span>,
    dir: &Path,
) -> Result<TopologyConfig, ScenarioError> {
    let key = "network.topology_file";
    let what = "the path of a CSV edge list, relative to the scenario file";
    let given = ctx.required(key, &raw.topology_file, table, what)?;
    let (full, bytes) = super::read_data_file(ctx, key, given, dir)?;
    let edges = edges::parse(&full.display().to_string(), &bytes, nodes)?;
    Ok(TopologyConfig::File { path: PathBuf::from(given.get_ref()), edges })
}

/// The span of `field`, else `fallback` (the table header).
fn span_or<T>(field: &Opt<T>, fallback: Option<&Span>) -> Option<Span> {
    field.as_ref().map(Spanned::span).or_else(|| fallback.cloned())
}
