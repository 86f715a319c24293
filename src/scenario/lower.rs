//! Validation and lowering: raw serde structs -> [`Config`]. Applies the
//! defaults, checks ranges and combinations, resolves presets and loads data
//! files (through `lower_network` and `lower_transactions`). The network,
//! mining and transaction sections live in their own files; the small
//! sections are here.

use std::path::Path;

use crate::consensus::BchCw144;

use toml::Spanned;

use super::check::{FRACTION, POSITIVE_QUANTITY, QUANTITY};
use super::config::{
    BlocksConfig, Config, ConsensusConfig, DifficultyName, OutputConfig, RelayConfig, RelayProtocol,
    StopConfig,
};
use super::ctx::{Ctx, Span};
use super::error::ScenarioError;
use super::names::{DIFFICULTIES, DifficultyKind, PROTOCOLS, difficulty_name, protocol_name};
use super::raw::{Opt, RawBlocks, RawConsensus, RawOutput, RawRelay, RawScenario, RawStop, Table};
use super::{lower_events, lower_mining, lower_network, lower_transactions};

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
    let consensus = lower_consensus(ctx, raw.consensus)?;
    let with_transactions = raw.transactions.is_some();
    let blocks = lower_blocks(ctx, raw.blocks, &consensus, with_transactions)?;
    let mut mining =
        lower_mining::lower(ctx, raw.mining, network.nodes, nodes_span.as_ref(), with_transactions)?;
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

fn lower_consensus(ctx: &Ctx<'_>, table: Opt<Table<RawConsensus>>) -> Result<ConsensusConfig, ScenarioError> {
    let (raw, _) = open(table);
    let difficulty = lower_difficulty(ctx, &raw)?;
    let retarget_interval =
        ctx.int("consensus.retarget_interval", &raw.retarget_interval, 2u32, 100_000, 2016)?;
    Ok(ConsensusConfig {
        block_interval_s: ctx.int("consensus.block_interval_s", &raw.block_interval_s, 1u32, 86_400, 600)?,
        difficulty,
        retarget_interval,
        clamp_factor: ctx.int("consensus.clamp_factor", &raw.clamp_factor, 1u32, 1000, 4)?,
        max_block_weight: ctx.int(
            "consensus.max_block_weight",
            &raw.max_block_weight,
            4000u64,
            4_000_000_000,
            4_000_000,
        )?,
        halving_interval: ctx.int(
            "consensus.halving_interval",
            &raw.halving_interval,
            1u32,
            u32::MAX,
            210_000,
        )?,
        initial_subsidy_sat: ctx.int(
            "consensus.initial_subsidy_sat",
            &raw.initial_subsidy_sat,
            0u64,
            MAX_MONEY_SAT,
            5_000_000_000,
        )?,
        mtp_window: ctx.int("consensus.mtp_window", &raw.mtp_window, 1u32, 1001, 11)?,
        max_future_block_time_s: ctx.int(
            "consensus.max_future_block_time_s",
            &raw.max_future_block_time_s,
            0u32,
            u32::MAX,
            7200,
        )?,
        start_height: lower_start_height(ctx, &raw, &difficulty, retarget_interval)?,
    })
}

/// The start height: by default `retarget_interval`, raised so that the generated history holds
/// the window of cw-144 (147 blocks) or LWMA (N + 1). LWMA gives powLimit below height N, which
/// at any realistic hash rate is a flood of instant blocks, so a start height that leaves its
/// window short is an error; cw-144 only keeps the start difficulty until its window exists.
fn lower_start_height(
    ctx: &Ctx<'_>,
    raw: &RawConsensus,
    difficulty: &DifficultyName,
    retarget_interval: u32,
) -> Result<u32, ScenarioError> {
    let window_blocks = match difficulty {
        DifficultyName::BchCw144 => BchCw144::HISTORY_BLOCKS,
        DifficultyName::Lwma { window } => window + 1,
        _ => 0,
    };
    let key = "consensus.start_height";
    let start_height =
        ctx.int(key, &raw.start_height, 1u32, 100_000_000, retarget_interval.max(window_blocks))?;
    if let (DifficultyName::Lwma { window }, Some(given)) = (difficulty, &raw.start_height)
        && start_height <= *window
    {
        let message = format!(
            "must be above lwma_window = {window} with difficulty = \"lwma\", so that the history below the \
             start holds the {window_blocks} blocks of its window (below height {window} LWMA gives powLimit \
             blocks); got {start_height}"
        );
        return Err(ctx.err(key, Some(&given.span()), message));
    }
    Ok(start_height)
}

/// Largest LWMA window: the generated history holds `window + 1` blocks, and every node keeps
/// state per history block.
pub(crate) const MAX_LWMA_WINDOW: u32 = 1000;

/// The difficulty algorithm and its settings. A setting of another algorithm is an error that
/// names the algorithm it belongs to, and so is `clamp_factor` with an algorithm that does not
/// retarget as Bitcoin does.
fn lower_difficulty(ctx: &Ctx<'_>, raw: &RawConsensus) -> Result<DifficultyName, ScenarioError> {
    let kind = ctx.choice(
        "consensus.difficulty",
        &raw.difficulty,
        &DIFFICULTIES,
        difficulty_name,
        DifficultyKind::Bitcoin,
    )?;
    let here = format!("difficulty = \"{}\"", difficulty_name(&kind));
    if kind != DifficultyKind::Asert {
        ctx.absent("consensus.asert_half_life_s", &raw.asert_half_life_s, "difficulty = \"asert\"", &here)?;
    }
    if kind != DifficultyKind::Lwma {
        ctx.absent("consensus.lwma_window", &raw.lwma_window, "difficulty = \"lwma\"", &here)?;
    }
    let difficulty = match kind {
        DifficultyKind::Bitcoin => DifficultyName::Bitcoin,
        DifficultyKind::BitcoinBip94 => DifficultyName::BitcoinBip94,
        DifficultyKind::Asert => DifficultyName::Asert {
            half_life_s: ctx.int(
                "consensus.asert_half_life_s",
                &raw.asert_half_life_s,
                1u32,
                1_000_000_000,
                172_800,
            )?,
        },
        DifficultyKind::BchCw144 => DifficultyName::BchCw144,
        DifficultyKind::BchEda => DifficultyName::BchEda,
        DifficultyKind::Lwma => DifficultyName::Lwma {
            window: ctx.int("consensus.lwma_window", &raw.lwma_window, 2u32, MAX_LWMA_WINDOW, 60)?,
        },
        DifficultyKind::Fixed => DifficultyName::Fixed,
    };
    if !difficulty.is_bitcoin_retarget() {
        let belongs = "difficulty = \"bitcoin\", \"bitcoin-bip94\" or \"bch-eda\" \
                       (the algorithms that retarget as Bitcoin does)";
        ctx.absent("consensus.clamp_factor", &raw.clamp_factor, belongs, &here)?;
    }
    Ok(difficulty)
}

/// Filler block contents when no workload is simulated (the defaults below).
pub(crate) const DEFAULT_BLOCKS: BlocksConfig =
    BlocksConfig { size_bytes: 535_000, mean_tx_bytes: 500, witness_fraction: 0.0 };

/// Block contents, cross-checked against the consensus weight limit. With a
/// workload blocks are filled with its transactions, so `[blocks]` keys are
/// rejected and the (unused) defaults kept.
fn lower_blocks(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawBlocks>>,
    consensus: &ConsensusConfig,
    with_transactions: bool,
) -> Result<BlocksConfig, ScenarioError> {
    let (raw, span) = open(table);
    if with_transactions {
        not_with_transactions(ctx, "blocks.size_bytes", &raw.size_bytes)?;
        not_with_transactions(ctx, "blocks.mean_tx_bytes", &raw.mean_tx_bytes)?;
        not_with_transactions(ctx, "blocks.witness_fraction", &raw.witness_fraction)?;
        return Ok(DEFAULT_BLOCKS);
    }
    let blocks = BlocksConfig {
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
    if weight > consensus.max_block_weight as f64 {
        let message = format!(
            "a block of {} bytes with witness_fraction {} weighs {weight} weight units, above consensus.max_block_weight = {}; \
             lower blocks.size_bytes, raise blocks.witness_fraction or raise consensus.max_block_weight",
            blocks.size_bytes, blocks.witness_fraction, consensus.max_block_weight
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

fn lower_output(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawOutput>>,
    with_transactions: bool,
) -> Result<OutputConfig, ScenarioError> {
    let (raw, _) = open(table);
    if !with_transactions {
        lower_transactions::only_with_transactions(ctx, "output.mempool_sample_s", &raw.mempool_sample_s)?;
    }
    Ok(OutputConfig {
        write_graph: raw.write_graph.map(Spanned::into_inner).unwrap_or(false),
        mempool_sample_s: ctx.float("output.mempool_sample_s", &raw.mempool_sample_s, QUANTITY, 60.0)?,
    })
}
