//! Lowering of `[transactions]` (the workload: rate, schedule, surges, fee
//! rate and size distributions, chains, bumps, double spends, relay
//! fidelity) and `[mempool]` (policy and limits). An absent
//! `[transactions]` table means no workload; `[mempool]` keys then do
//! nothing and are rejected. Keys that belong to another schedule,
//! distribution or relay fidelity are errors that name the setting they
//! belong to. Empirical histograms are loaded from CSV files found relative
//! to the scenario file (`bins`).

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::bins::{self, BinFormat};
use super::check::{Bounds, FRACTION, POSITIVE_QUANTITY, QUANTITY, SIGMA, UNIT};
use super::config::{
    Distribution, MempoolConfig, PolicyName, RateSchedule, Surge, TransactionsConfig, TxRelayMode,
};
use super::ctx::{Ctx, Span};
use super::error::ScenarioError;
use super::lower::open;
use super::lower_mining::SHARE_SUM_TOLERANCE;
use super::names::{
    DISTS, DistKind, POLICIES, SCHEDULES, ScheduleKind, TX_RELAYS, TxRelayKind, dist_name, policy_name,
    schedule_name, tx_relay_name,
};
use super::raw::{Float, Opt, RawFeerate, RawMempool, RawSurge, RawTransactions, RawVsize, Table};
use crate::workload::{MAX_FEERATE_SAT_VB, MAX_PENDING_AGE_BLOCKS, MAX_VSIZE_VB, MIN_VSIZE_VB, peak_rate};

/// Mean arrival rate: > 0 and at most 100,000 transactions per second.
const RATE: Bounds = Bounds::new(0.0, false, 100_000.0, true);
/// Hour of the day.
const HOUR: Bounds = Bounds::new(0.0, true, 24.0, false);
/// Fee bump factor: at least 1.1, at most 100.
const FEE_BUMP: Bounds = Bounds::new(1.1, true, 100.0, true);
/// Surge multiplier.
const MULTIPLIER: Bounds = Bounds::new(0.0, false, 1000.0, true);
/// A fee rate (sat/vB).
const FEERATE: Bounds = Bounds::new(0.0, false, MAX_FEERATE_SAT_VB, true);
/// A virtual size (vB).
const VSIZE: Bounds = Bounds::new(MIN_VSIZE_VB as f64, true, MAX_VSIZE_VB as f64, true);
/// Mempool size limit (MB).
const MEMPOOL_MB: Bounds = Bounds::new(0.0, false, 1e6, true);
/// Memory per vbyte.
const MEMORY_PER_VBYTE: Bounds = Bounds::new(0.0, false, 1000.0, true);
/// Mempool expiry (hours): at most 100,000 hours (about 11 years), so the
/// expiry in nanoseconds fits in 64 bits.
const EXPIRY_HOURS: Bounds = Bounds::new(0.0, false, 100_000.0, true);

/// Most `[[transactions.surge]]` tables a scenario may have.
const MAX_SURGES: usize = 100;
/// Highest arrival rate (per second) the schedule and surges may reach together.
pub(crate) const MAX_PEAK_RATE: f64 = 1e6;
/// Default number of observer nodes of the fast relay.
const DEFAULT_OBSERVERS: u32 = 50;

/// How one distribution key (`transactions.feerate`, `transactions.vsize`)
/// is spelled and checked.
pub(crate) struct DistSpec {
    /// The key of the distribution table.
    key: &'static str,
    /// The lognormal's median key.
    median: &'static str,
    /// The fixed value's key.
    value: &'static str,
    /// Allowed medians and fixed values.
    bounds: Bounds,
    default_median: f64,
    default_sigma: f64,
    /// The histogram file's format.
    pub(crate) format: BinFormat,
}

pub(crate) const FEERATE_SPEC: DistSpec = DistSpec {
    key: "transactions.feerate",
    median: "median_sat_vb",
    value: "sat_vb",
    bounds: FEERATE,
    default_median: 5.0,
    default_sigma: 1.0,
    format: BinFormat {
        key: "transactions.feerate",
        columns: ["low_sat_vb", "high_sat_vb", "weight"],
        min: 0.0,
        max: MAX_FEERATE_SAT_VB,
        unit: "sat/vB",
    },
};

pub(crate) const VSIZE_SPEC: DistSpec = DistSpec {
    key: "transactions.vsize",
    median: "median_vb",
    value: "vb",
    bounds: VSIZE,
    default_median: 250.0,
    default_sigma: 0.6,
    format: BinFormat {
        key: "transactions.vsize",
        columns: ["low_vb", "high_vb", "weight"],
        min: MIN_VSIZE_VB as f64,
        max: MAX_VSIZE_VB as f64,
        unit: "vB",
    },
};

/// The keys of a distribution table, whatever the quantity's unit.
#[derive(Default)]
struct DistFields {
    dist: Opt<String>,
    median: Opt<Float>,
    sigma: Opt<Float>,
    value: Opt<Float>,
    file: Opt<String>,
}

impl From<RawFeerate> for DistFields {
    fn from(raw: RawFeerate) -> DistFields {
        DistFields {
            dist: raw.dist,
            median: raw.median_sat_vb,
            sigma: raw.sigma,
            value: raw.sat_vb,
            file: raw.file,
        }
    }
}

impl From<RawVsize> for DistFields {
    fn from(raw: RawVsize) -> DistFields {
        DistFields { dist: raw.dist, median: raw.median_vb, sigma: raw.sigma, value: raw.vb, file: raw.file }
    }
}

/// The workload, or `None` when the scenario has no `[transactions]`;
/// `nodes` bounds the observers, `dir` is where data files are.
pub(crate) fn lower(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawTransactions>>,
    nodes: u32,
    dir: &Path,
) -> Result<Option<TransactionsConfig>, ScenarioError> {
    let Some(table) = table else { return Ok(None) };
    let mut raw = table.into_inner().0;
    let surge_span = raw.surge.as_ref().map(Spanned::span);
    let config = TransactionsConfig {
        rate_per_s: ctx.float("transactions.rate_per_s", &raw.rate_per_s, RATE, 3.0)?,
        schedule: lower_schedule(ctx, &raw)?,
        surges: lower_surges(ctx, raw.surge.take())?,
        feerate_sat_vb: lower_dist(ctx, &FEERATE_SPEC, fields(raw.feerate.take()), dir)?,
        vsize_vb: lower_dist(ctx, &VSIZE_SPEC, fields(raw.vsize.take()), dir)?,
        chain_share: ctx.float("transactions.chain_share", &raw.chain_share, UNIT, 0.1)?,
        cpfp_share: ctx.float("transactions.cpfp_share", &raw.cpfp_share, UNIT, 0.0)?,
        rbf_share: ctx.float("transactions.rbf_share", &raw.rbf_share, UNIT, 0.0)?,
        stuck_after_blocks: ctx.int(
            "transactions.stuck_after_blocks",
            &raw.stuck_after_blocks,
            1u32,
            MAX_PENDING_AGE_BLOCKS,
            3,
        )?,
        fee_bump: ctx.float("transactions.fee_bump", &raw.fee_bump, FEE_BUMP, 2.0)?,
        double_spend_share: ctx.float(
            "transactions.double_spend_share",
            &raw.double_spend_share,
            UNIT,
            0.0,
        )?,
        relay: lower_tx_relay(ctx, &raw, nodes)?,
        max_tx_rows: ctx.int("transactions.max_tx_rows", &raw.max_tx_rows, 0u64, u64::MAX, 1_000_000)?,
    };
    check_bump_shares(ctx, &raw, &config)?;
    check_peak_rate(ctx, &config, surge_span.as_ref())?;
    Ok(Some(config))
}

/// A distribution table's keys, with the table's span.
fn fields<T: Into<DistFields>>(table: Opt<Table<T>>) -> Option<Spanned<DistFields>> {
    table.map(|table| {
        let span = table.span();
        Spanned::new(span, table.into_inner().0.into())
    })
}

fn lower_schedule(ctx: &Ctx<'_>, raw: &RawTransactions) -> Result<RateSchedule, ScenarioError> {
    let kind = ctx.choice(
        "transactions.schedule",
        &raw.schedule,
        &SCHEDULES,
        schedule_name,
        ScheduleKind::Constant,
    )?;
    if kind == ScheduleKind::Constant {
        let (daily, here) = ("schedule = \"daily\"", "schedule = \"constant\"");
        ctx.absent("transactions.daily_amplitude", &raw.daily_amplitude, daily, here)?;
        ctx.absent("transactions.daily_peak_hour", &raw.daily_peak_hour, daily, here)?;
        return Ok(RateSchedule::Constant);
    }
    Ok(RateSchedule::Daily {
        amplitude: ctx.float("transactions.daily_amplitude", &raw.daily_amplitude, FRACTION, 0.3)?,
        peak_hour: ctx.float("transactions.daily_peak_hour", &raw.daily_peak_hour, HOUR, 15.0)?,
    })
}

fn lower_surges(
    ctx: &Ctx<'_>,
    tables: Opt<Vec<Spanned<Table<RawSurge>>>>,
) -> Result<Vec<Surge>, ScenarioError> {
    let Some(tables) = tables else { return Ok(Vec::new()) };
    let span = tables.span();
    let tables = tables.into_inner();
    if tables.len() > MAX_SURGES {
        let message = format!("at most {MAX_SURGES} surges are allowed, got {}", tables.len());
        return Err(ctx.err("transactions.surge", Some(&span), message));
    }
    tables.into_iter().enumerate().map(|(i, table)| lower_surge(ctx, i, table)).collect()
}

/// One `[[transactions.surge]]`: all three keys are required.
fn lower_surge(ctx: &Ctx<'_>, i: usize, table: Spanned<Table<RawSurge>>) -> Result<Surge, ScenarioError> {
    let span = table.span();
    let raw = table.into_inner().0;
    let key = |field: &str| format!("transactions.surge[{i}].{field}");
    let number = |field: &str, value: &Opt<Float>, bounds: Bounds, what: &str| {
        ctx.required(&key(field), value, Some(&span), &format!("{what}, {}", bounds.describe()))?;
        ctx.float(&key(field), value, bounds, 0.0)
    };
    Ok(Surge {
        start_s: number("start_s", &raw.start_s, QUANTITY, "when the surge starts (seconds)")?,
        duration_s: number("duration_s", &raw.duration_s, POSITIVE_QUANTITY, "how long it lasts (seconds)")?,
        multiplier: number("multiplier", &raw.multiplier, MULTIPLIER, "the rate multiplier while it lasts")?,
    })
}

/// A fee rate or size distribution; absent: the spec's lognormal.
fn lower_dist(
    ctx: &Ctx<'_>,
    spec: &DistSpec,
    table: Option<Spanned<DistFields>>,
    dir: &Path,
) -> Result<Distribution, ScenarioError> {
    let absent = DistFields::default();
    let (fields, span) = match &table {
        Some(table) => (table.get_ref(), Some(table.span())),
        None => (&absent, None),
    };
    let key = |field: &str| format!("{}.{field}", spec.key);
    let kind = ctx.choice(&key("dist"), &fields.dist, &DISTS, dist_name, DistKind::Lognormal)?;
    reject_other_dist_keys(ctx, spec, fields, kind)?;
    match kind {
        DistKind::Fixed => {
            let what = spec.bounds.describe();
            ctx.required(&key(spec.value), &fields.value, span.as_ref(), &what)?;
            Ok(Distribution::Fixed { value: ctx.float(&key(spec.value), &fields.value, spec.bounds, 0.0)? })
        }
        DistKind::Lognormal => Ok(Distribution::Lognormal {
            median: ctx.float(&key(spec.median), &fields.median, spec.bounds, spec.default_median)?,
            sigma: ctx.float(&key("sigma"), &fields.sigma, SIGMA, spec.default_sigma)?,
        }),
        DistKind::Empirical => load_histogram(ctx, spec, fields, span.as_ref(), dir),
    }
}

/// Rejects the keys of distributions other than `kind`.
fn reject_other_dist_keys(
    ctx: &Ctx<'_>,
    spec: &DistSpec,
    fields: &DistFields,
    kind: DistKind,
) -> Result<(), ScenarioError> {
    let key = |field: &str| format!("{}.{field}", spec.key);
    let here = format!("dist = \"{}\"", dist_name(&kind));
    if kind != DistKind::Fixed {
        ctx.absent(&key(spec.value), &fields.value, "dist = \"fixed\"", &here)?;
    }
    if kind != DistKind::Lognormal {
        ctx.absent(&key(spec.median), &fields.median, "dist = \"lognormal\"", &here)?;
        ctx.absent(&key("sigma"), &fields.sigma, "dist = \"lognormal\"", &here)?;
    }
    if kind != DistKind::Empirical {
        ctx.absent(&key("file"), &fields.file, "dist = \"empirical\"", &here)?;
    }
    Ok(())
}

/// Loads an empirical histogram; the path is kept as written (relative to
/// the scenario file's directory), the file is read from `dir`.
fn load_histogram(
    ctx: &Ctx<'_>,
    spec: &DistSpec,
    fields: &DistFields,
    table: Option<&Span>,
    dir: &Path,
) -> Result<Distribution, ScenarioError> {
    let key = format!("{}.file", spec.key);
    let header = spec.format.columns.join(",");
    let what = format!("the path of a CSV histogram with header `{header}`, relative to the scenario file");
    let given = ctx.required(&key, &fields.file, table, &what)?;
    let (full, bytes) = super::read_data_file(ctx, &key, given, dir)?;
    let bins = bins::parse(&full.display().to_string(), &bytes, &spec.format)?;
    Ok(Distribution::Empirical { path: PathBuf::from(given.get_ref()), bins })
}

fn lower_tx_relay(ctx: &Ctx<'_>, raw: &RawTransactions, nodes: u32) -> Result<TxRelayMode, ScenarioError> {
    let kind = ctx.choice("transactions.relay", &raw.relay, &TX_RELAYS, tx_relay_name, TxRelayKind::Fast)?;
    if kind == TxRelayKind::Full {
        ctx.absent("transactions.observers", &raw.observers, "relay = \"fast\"", "relay = \"full\"")?;
        return Ok(TxRelayMode::Full);
    }
    let key = "transactions.observers";
    let observers = ctx.int(key, &raw.observers, 0u32, 1_000_000, DEFAULT_OBSERVERS.min(nodes))?;
    if observers > nodes {
        let message = format!("must be at most network.nodes = {nodes}, got {observers}");
        return Err(ctx.err(key, raw.observers.as_ref().map(Spanned::span).as_ref(), message));
    }
    Ok(TxRelayMode::Fast { observers })
}

/// A stuck transaction is bumped one way at most.
fn check_bump_shares(
    ctx: &Ctx<'_>,
    raw: &RawTransactions,
    config: &TransactionsConfig,
) -> Result<(), ScenarioError> {
    let sum = config.cpfp_share + config.rbf_share;
    if sum <= 1.0 + SHARE_SUM_TOLERANCE {
        return Ok(());
    }
    let message = format!(
        "cpfp_share + rbf_share must be at most 1 (a stuck transaction is bumped one way at most), got {} + {} = {sum}",
        config.cpfp_share, config.rbf_share
    );
    let at = raw.rbf_share.as_ref().or(raw.cpfp_share.as_ref()).map(Spanned::span);
    Err(ctx.err("transactions.rbf_share", at.as_ref(), message))
}

/// Surges must not multiply the rate beyond [`MAX_PEAK_RATE`].
fn check_peak_rate(
    ctx: &Ctx<'_>,
    config: &TransactionsConfig,
    surge_span: Option<&Span>,
) -> Result<(), ScenarioError> {
    let peak = peak_rate(config);
    if peak <= MAX_PEAK_RATE {
        return Ok(());
    }
    let message = format!(
        "the peak arrival rate (rate_per_s times the schedule's peak times the largest product of surge \
         multipliers in force together) is {peak} per second; at most {MAX_PEAK_RATE} is allowed"
    );
    Err(ctx.err("transactions.surge", surge_span, message))
}

/// Mempool settings; without a workload no node keeps a mempool, so the
/// keys are rejected and Bitcoin Core v30's defaults are kept.
pub(crate) fn lower_mempool(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawMempool>>,
    with_transactions: bool,
) -> Result<MempoolConfig, ScenarioError> {
    let (raw, _) = open(table);
    if !with_transactions {
        only_with_transactions(ctx, "mempool.policy", &raw.policy)?;
        only_with_transactions(ctx, "mempool.max_size_mb", &raw.max_size_mb)?;
        only_with_transactions(ctx, "mempool.memory_per_vbyte", &raw.memory_per_vbyte)?;
        only_with_transactions(ctx, "mempool.expiry_hours", &raw.expiry_hours)?;
        return Ok(MempoolConfig::core_defaults(PolicyName::CoreV30));
    }
    let policy = ctx.choice("mempool.policy", &raw.policy, &POLICIES, policy_name, PolicyName::CoreV30)?;
    let core = MempoolConfig::core_defaults(policy);
    Ok(MempoolConfig {
        policy,
        max_size_mb: ctx.float("mempool.max_size_mb", &raw.max_size_mb, MEMPOOL_MB, core.max_size_mb)?,
        memory_per_vbyte: ctx.float(
            "mempool.memory_per_vbyte",
            &raw.memory_per_vbyte,
            MEMORY_PER_VBYTE,
            core.memory_per_vbyte,
        )?,
        expiry_hours: ctx.float(
            "mempool.expiry_hours",
            &raw.expiry_hours,
            EXPIRY_HOURS,
            core.expiry_hours,
        )?,
    })
}

pub(crate) fn only_with_transactions<T>(
    ctx: &Ctx<'_>,
    key: &str,
    field: &Opt<T>,
) -> Result<(), ScenarioError> {
    match field {
        None => Ok(()),
        Some(value) => {
            let message = "applies only with a [transactions] table (without one no node keeps a mempool); \
                           remove it or add [transactions]";
            Err(ctx.err(key, Some(&value.span()), message))
        }
    }
}
