//! Validation and lowering: raw serde structs -> [`Config`]. Applies the
//! defaults, checks ranges and combinations, resolves presets and loads data
//! files (through `lower_network` and `lower_transactions`). The network,
//! mining and transaction sections live in their own files; the small
//! sections are here.

use std::path::Path;

use toml::Spanned;

use super::check::{FRACTION, POSITIVE_QUANTITY, QUANTITY};
use super::config::{
    BlocksConfig, Config, ConsensusConfig, NodeGroup, OutputConfig, RelayConfig, RelayProtocol, StopConfig,
};
use super::ctx::{Ctx, Span};
use super::error::ScenarioError;
use super::names::{PROTOCOLS, protocol_name};
use super::raw::{Opt, RawBlocks, RawOutput, RawRelay, RawScenario, RawStop, Table};
use super::{lower_consensus, lower_events, lower_mining, lower_network, lower_transactions};

/// Bitcoin's MAX_MONEY in satoshi: no subsidy can exceed it, and keeping
/// subsidies below it keeps every sum of them inside `u64`.
pub(crate) const MAX_MONEY_SAT: u64 = 2_100_000_000_000_000;

/// Longest scenario name (it becomes a directory name).
const MAX_NAME_CHARS: usize = 64;

/// Checks `raw` and builds the [`Config`]; `dir` is where data files are.
pub(crate) fn lower(raw: RawScenario, ctx: &Ctx<'_>, dir: &Path) -> Result<Config, ScenarioError> {
    let name = lower_name(ctx, &raw.name)?;
    let description = raw.description.map(Spanned::into_inner).unwrap_or_default();
    let seed = ctx.int("seed", &raw.seed, 0u64, u64::MAX, 1)?;
    let stop = lower_stop(ctx, raw.stop)?;
    let (network, nodes_span) = lower_network::lower(ctx, raw.network, dir)?;
    let relay = lower_relay(ctx, raw.relay)?;
    let with_transactions = raw.transactions.is_some();
    let mut mining =
        lower_mining::lower(ctx, raw.mining, network.nodes, nodes_span.as_ref(), with_transactions)?;
    let (consensus, node_groups) =
        lower_consensus::lower(ctx, raw.consensus, raw.node_group, &mining.miners)?;
    let blocks = lower_blocks(ctx, raw.blocks, &consensus, &node_groups, with_transactions)?;
    mining.relay_network = lower_mining::lower_relay_network(ctx, raw.relay_network, &mining.miners)?;
    let transactions = lower_transactions::lower(ctx, raw.transactions, network.nodes, dir)?;
    let mempool = lower_transactions::lower_mempool(ctx, raw.mempool, with_transactions)?;
    let output = lower_output(ctx, raw.output, with_transactions)?;
    let events = lower_events::lower(ctx, raw.events, &mining.miners, with_transactions)?;
    Ok(Config {
        name,
        description,
        seed,
        stop,
        network,
        relay,
        consensus,
        node_groups,
        blocks,
        mining,
        transactions,
        mempool,
        output,
        events,
    })
}

/// A table's fields (defaults when absent) and the span of its header.
pub(crate) fn open<T: Default>(table: Opt<Table<T>>) -> (T, Option<Span>) {
    match table {
        Some(table) => {
            let span = table.span();
            (table.into_inner().0, Some(span))
        }
        None => (T::default(), None),
    }
}

/// Whether `name` is a valid scenario name. Names made only of dots are
/// refused because the name becomes a directory under `results/`.
pub(crate) fn valid_name(name: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let length = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&length) && name.chars().all(allowed) && !name.chars().all(|c| c == '.')
}

fn lower_name(ctx: &Ctx<'_>, field: &Opt<String>) -> Result<String, ScenarioError> {
    let what = "1 to 64 characters from A-Z a-z 0-9 . _ - (not only dots)";
    let name = ctx.required("name", field, None, &format!("a string of {what}"))?;
    if !valid_name(name.get_ref()) {
        let message = format!("must be {what}, got {:?}", name.get_ref());
        return Err(ctx.err("name", Some(&name.span()), message));
    }
    Ok(name.get_ref().clone())
}

fn lower_stop(ctx: &Ctx<'_>, table: Opt<Table<RawStop>>) -> Result<StopConfig, ScenarioError> {
    let (raw, _) = open(table);
    let blocks = ctx.opt_int("stop.blocks", &raw.blocks, 1u64, 10_000_000)?;
    let sim_time_s = ctx.opt_float("stop.sim_time_s", &raw.sim_time_s, POSITIVE_QUANTITY)?;
    let blocks = if blocks.is_none() && sim_time_s.is_none() { Some(100) } else { blocks };
    Ok(StopConfig {
        blocks,
        sim_time_s,
        drain_s: ctx.float("stop.drain_s", &raw.drain_s, QUANTITY, 600.0)?,
        max_events: ctx.int("stop.max_events", &raw.max_events, 1u64, u64::MAX, 2_000_000_000)?,
    })
}

fn lower_relay(ctx: &Ctx<'_>, table: Opt<Table<RawRelay>>) -> Result<RelayConfig, ScenarioError> {
    let (raw, _) = open(table);
    Ok(RelayConfig {
        protocol: ctx.choice(
            "relay.protocol",
            &raw.protocol,
            &PROTOCOLS,
            protocol_name,
            RelayProtocol::Compact,
        )?,
        high_bandwidth_peers: ctx.int("relay.high_bandwidth_peers", &raw.high_bandwidth_peers, 0u32, 8, 3)?,
        validation_ms: ctx.float("relay.validation_ms", &raw.validation_ms, QUANTITY, 2.0)?,
        validation_ms_per_mb: ctx.float(
            "relay.validation_ms_per_mb",
            &raw.validation_ms_per_mb,
            QUANTITY,
            20.0,
        )?,
    })
}

/// Filler block contents when no workload is simulated (the defaults below).
pub(crate) const DEFAULT_BLOCKS: BlocksConfig =
    BlocksConfig { size_bytes: 535_000, full: false, mean_tx_bytes: 500, witness_fraction: 0.0 };

/// Block contents, cross-checked against the consensus weight limit. With a
/// workload blocks are filled with its transactions, so `[blocks]` keys are
/// rejected and the (unused) defaults kept.
fn lower_blocks(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawBlocks>>,
    consensus: &ConsensusConfig,
    groups: &[NodeGroup],
    with_transactions: bool,
) -> Result<BlocksConfig, ScenarioError> {
    let (raw, span) = open(table);
    if with_transactions {
        not_with_transactions(ctx, "blocks.size_bytes", &raw.size_bytes)?;
        not_with_transactions(ctx, "blocks.full", &raw.full)?;
        not_with_transactions(ctx, "blocks.mean_tx_bytes", &raw.mean_tx_bytes)?;
        not_with_transactions(ctx, "blocks.witness_fraction", &raw.witness_fraction)?;
        return Ok(DEFAULT_BLOCKS);
    }
    let full = raw.full.as_ref().is_some_and(|f| *f.get_ref());
    if let (true, Some(size)) = (full, &raw.size_bytes) {
        let message = "does not apply with blocks.full = true, where every block weighs the most its miner's \
                       rules allow; remove one of them";
        return Err(ctx.err("blocks.size_bytes", Some(&size.span()), message));
    }
    let blocks = BlocksConfig {
        full,
        size_bytes: ctx.int(
            "blocks.size_bytes",
            &raw.size_bytes,
            81u64,
            100_000_000,
            DEFAULT_BLOCKS.size_bytes,
        )?,
        mean_tx_bytes: ctx.int(
            "blocks.mean_tx_bytes",
            &raw.mean_tx_bytes,
            60u32,
            400_000,
            DEFAULT_BLOCKS.mean_tx_bytes,
        )?,
        witness_fraction: ctx.float(
            "blocks.witness_fraction",
            &raw.witness_fraction,
            FRACTION,
            DEFAULT_BLOCKS.witness_fraction,
        )?,
    };
    let weight = block_weight(&blocks);
    let group_rules =
        groups.iter().flat_map(|g| std::iter::once(&g.rules).chain(g.activation.iter().map(|a| &a.rules)));
    let limit = std::iter::once(&consensus.rules)
        .chain(consensus.activation.iter().map(|a| &a.rules))
        .chain(group_rules)
        .map(|r| r.max_block_weight)
        .min()
        .expect("the scenario has rules");
    if !full && weight > limit as f64 {
        let message = format!(
            "a block of {} bytes with witness_fraction {} weighs {weight} weight units, above max_block_weight = {limit} \
             (the lowest of the scenario's rules); lower blocks.size_bytes, raise blocks.witness_fraction, raise \
             the weight limit, or set blocks.full = true to fill each block to its miner's limit",
            blocks.size_bytes, blocks.witness_fraction
        );
        let at = raw.size_bytes.as_ref().map(Spanned::span).or(span);
        return Err(ctx.err("blocks.size_bytes", at.as_ref(), message));
    }
    Ok(blocks)
}

/// Rejects a `[blocks]` key in a scenario with a workload.
fn not_with_transactions<T>(ctx: &Ctx<'_>, key: &str, field: &Opt<T>) -> Result<(), ScenarioError> {
    match field {
        None => Ok(()),
        Some(value) => {
            let message = "does not apply when [transactions] is given: blocks are then filled with the \
                           simulated transactions, not shaped by [blocks]; remove it or remove [transactions]";
            Err(ctx.err(key, Some(&value.span()), message))
        }
    }
}

/// Weight of a block: round(size * (4 - 3 * witness_fraction)) (BIP141).
pub(crate) fn block_weight(blocks: &BlocksConfig) -> f64 {
    (blocks.size_bytes as f64 * (4.0 - 3.0 * blocks.witness_fraction)).round()
}

/// The shortest interval of the mempool time series.
const MIN_MEMPOOL_SAMPLE_S: f64 = 1.0;

fn lower_output(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawOutput>>,
    with_transactions: bool,
) -> Result<OutputConfig, ScenarioError> {
    let (raw, _) = open(table);
    if !with_transactions {
        lower_transactions::only_with_transactions(ctx, "output.mempool_sample_s", &raw.mempool_sample_s)?;
    }
    let key = "output.mempool_sample_s";
    let mempool_sample_s = ctx.float(key, &raw.mempool_sample_s, QUANTITY, 60.0)?;
    // Each sample builds block templates: sub-second samples would swamp any run.
    if mempool_sample_s > 0.0 && mempool_sample_s < MIN_MEMPOOL_SAMPLE_S {
        let span = raw.mempool_sample_s.as_ref().map(Spanned::span);
        let message =
            format!("{mempool_sample_s} s is too short: 0 turns the samples off, otherwise at least 1 s");
        return Err(ctx.err(key, span.as_ref(), message));
    }
    Ok(OutputConfig {
        write_graph: raw.write_graph.map(Spanned::into_inner).unwrap_or(false),
        mempool_sample_s,
    })
}
