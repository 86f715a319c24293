//! Lowering of `[mining]`: total hash rate and the miners, either explicit
//! `[[mining.pool]]` tables or a preset (`bitcoin-2015`, `bitcoin-2026`,
//! whose tables live in `pool_presets`, or `every-node`). Pools must have
//! unique names, shares summing to 1 and fit on the network (one node per
//! pool).

use std::collections::BTreeMap;

use toml::Spanned;

use super::check::{Bounds, POSITIVE_QUANTITY, QUANTITY, SHARE, UNIT};
use super::config::{MinersConfig, MiningConfig, PoolConfig, RelayNetworkConfig, StrategyName};
use super::ctx::{Ctx, Span};
use super::error::ScenarioError;
use super::lower::open;
use super::names::{POOL_PRESETS, PoolsPreset, pools_name};
use super::pool_presets::preset_pools;
use super::raw::{Float, Opt, RawMining, RawPool, RawRelayNetwork, Table};
use crate::net::Region;

/// How far the pool shares may sum from 1.
pub(crate) const SHARE_SUM_TOLERANCE: f64 = 1e-6;

/// Total hash rates: > 0 and at most 1e60 H/s, so that the starting target,
/// 2^256 / (hash rate × block interval), is at least 1 for every block interval
/// (up to 86,400 s); above about 1e72 it would be 0, which no block meets.
const HASHRATE: Bounds = Bounds::new(0.0, false, MAX_HASHRATE_HS, true);

/// The largest hash rate a scenario may give (see [`HASHRATE`]).
pub(crate) const MAX_HASHRATE_HS: f64 = 1e60;

/// Longest pool name.
pub(crate) const MAX_POOL_NAME_CHARS: usize = 64;

/// Bits per second in a Mbit/s.
pub(crate) const BPS_PER_MBPS: f64 = 1e6;

/// Mining; `nodes_span` is blamed when the pools do not fit on the nodes.
pub(crate) fn lower(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawMining>>,
    nodes: u32,
    nodes_span: Option<&Span>,
    with_transactions: bool,
) -> Result<MiningConfig, ScenarioError> {
    let (mut raw, _) = open(table);
    let hashrate_hs = ctx.float("mining.hashrate_hs", &raw.hashrate_hs, HASHRATE, 1e21)?;
    let miners = match raw.pool.take() {
        Some(pools) => explicit_pools(ctx, &raw, pools, nodes, with_transactions)?,
        None => preset_miners(ctx, &raw, nodes, nodes_span)?,
    };
    let strategic = matches!(&miners, MinersConfig::Pools(p) if p.iter().any(|p| p.strategy.withholds()));
    if !strategic {
        let here = "no pool withholds blocks";
        ctx.absent("mining.gamma", &raw.gamma, "a pool whose strategy is \"selfish\" or \"stubborn\"", here)?;
    }
    let gamma = ctx.opt_float("mining.gamma", &raw.gamma, UNIT)?;
    if !with_transactions {
        let key = "mining.template_refresh_s";
        super::lower_transactions::only_with_transactions(ctx, key, &raw.template_refresh_s)?;
    }
    let template_refresh_s =
        ctx.float("mining.template_refresh_s", &raw.template_refresh_s, QUANTITY, 30.0)?;
    Ok(MiningConfig { hashrate_hs, template_refresh_s, gamma, relay_network: None, miners })
}

fn preset_miners(
    ctx: &Ctx<'_>,
    raw: &RawMining,
    nodes: u32,
    nodes_span: Option<&Span>,
) -> Result<MinersConfig, ScenarioError> {
    let preset =
        ctx.choice("mining.pools", &raw.pools, &POOL_PRESETS, pools_name, PoolsPreset::Bitcoin2015)?;
    if preset == PoolsPreset::EveryNode {
        let relative_sd = ctx.float("mining.every_node_sd", &raw.every_node_sd, UNIT, 0.25)?;
        return Ok(MinersConfig::EveryNode { relative_sd });
    }
    let here = format!("pools = \"{}\"", pools_name(&preset));
    ctx.absent("mining.every_node_sd", &raw.every_node_sd, "pools = \"every-node\"", &here)?;
    let pools = preset_pools(&preset)?;
    if pools.len() > nodes as usize {
        let at = raw.pools.as_ref().map(Spanned::span).or_else(|| nodes_span.cloned());
        let message = format!(
            "the {} pool preset puts {} miners on separate nodes (one node each), but network.nodes = {nodes}; \
             use more nodes or other pools",
            pools_name(&preset),
            pools.len()
        );
        return Err(ctx.err("mining.pools", at.as_ref(), message));
    }
    Ok(MinersConfig::Pools(pools))
}

fn explicit_pools(
    ctx: &Ctx<'_>,
    raw: &RawMining,
    tables: Spanned<Vec<Spanned<Table<RawPool>>>>,
    nodes: u32,
    with_transactions: bool,
) -> Result<MinersConfig, ScenarioError> {
    if let Some(pools) = &raw.pools {
        let message = "give either mining.pools or [[mining.pool]] tables, not both";
        return Err(ctx.err("mining.pools", Some(&pools.span()), message));
    }
    let given = "[[mining.pool]] tables are given";
    ctx.absent("mining.every_node_sd", &raw.every_node_sd, "pools = \"every-node\"", given)?;
    let span = tables.span();
    let tables = tables.into_inner();
    let mut pools = Vec::with_capacity(tables.len());
    let mut first_use: BTreeMap<String, usize> = BTreeMap::new();
    for (i, table) in tables.into_iter().enumerate() {
        let name_span = table.get_ref().0.name.as_ref().map(Spanned::span);
        let pool = lower_pool(ctx, i, table, with_transactions)?;
        if let Some(j) = first_use.insert(pool.name.clone(), i) {
            let message = format!(
                "pool name {:?} is already used by mining.pool[{j}]; names must be unique",
                pool.name
            );
            return Err(ctx.err(&format!("mining.pool[{i}].name"), name_span.as_ref(), message));
        }
        pools.push(pool);
    }
    check_pools(ctx, &pools, nodes, &span)?;
    Ok(MinersConfig::Pools(pools))
}

/// The whole list: not empty, one node each, shares summing to 1.
fn check_pools(ctx: &Ctx<'_>, pools: &[PoolConfig], nodes: u32, span: &Span) -> Result<(), ScenarioError> {
    let fail = |message: String| Err(ctx.err("mining.pool", Some(span), message));
    if pools.is_empty() {
        return fail("needs at least one pool".to_string());
    }
    let needed: usize = pools.iter().map(|p| 1 + p.gateways.len()).sum();
    if needed > nodes as usize {
        return fail(format!(
            "{} pools need {needed} nodes (one each, plus their gateways), but network.nodes = {nodes}",
            pools.len(),
        ));
    }
    let total: f64 = pools.iter().map(|pool| pool.hash_share).sum();
    if (total - 1.0).abs() > SHARE_SUM_TOLERANCE {
        return fail(format!(
            "hash_share values must sum to 1 (within {SHARE_SUM_TOLERANCE:e}), got {total}"
        ));
    }
    Ok(())
}

/// One `[[mining.pool]]`; names are checked for uniqueness as they come.
fn lower_pool(
    ctx: &Ctx<'_>,
    i: usize,
    table: Spanned<Table<RawPool>>,
    with_transactions: bool,
) -> Result<PoolConfig, ScenarioError> {
    let span = table.span();
    let raw = table.into_inner().0;
    let key = |field: &str| format!("mining.pool[{i}].{field}");
    let name = ctx.required(&key("name"), &raw.name, Some(&span), "a unique name of 1 to 64 characters")?;
    let length = name.get_ref().chars().count();
    if !(1..=MAX_POOL_NAME_CHARS).contains(&length) {
        let message = format!("must be 1 to {MAX_POOL_NAME_CHARS} characters, got {length}");
        return Err(ctx.err(&key("name"), Some(&name.span()), message));
    }
    ctx.required(&key("hash_share"), &raw.hash_share, Some(&span), "a number > 0 and <= 1")?;
    let region = ctx.required(&key("region"), &raw.region, Some(&span), "one of NA, EU, SA, AP, JP, AU")?;
    let connections = ctx.opt_int(&key("connections"), &raw.connections, 1u32, 10_000)?;
    let strategy = lower_strategy(ctx, &key, &raw)?;
    if !with_transactions {
        super::lower_transactions::only_with_transactions(
            ctx,
            &key("empty_block_window_s"),
            &raw.empty_block_window_s,
        )?;
    }
    let empty_block_window_s =
        ctx.float(&key("empty_block_window_s"), &raw.empty_block_window_s, QUANTITY, 0.0)?;
    if let (true, Some(field)) = (with_transactions && strategy.withholds(), &raw.strategy) {
        let message = format!(
            "strategy = \"{}\" is not supported with [transactions] yet (a withheld branch would need \
             block templates of its own); remove one of them",
            strategy.name()
        );
        return Err(ctx.err(&key("strategy"), Some(&field.span()), message));
    }
    let spv_mining = raw.spv_mining.as_ref().is_some_and(|b| *b.get_ref());
    if let (true, Some(field)) = (spv_mining && strategy.withholds(), &raw.spv_mining) {
        let message = format!(
            "spv_mining is not for withholding pools; strategy = \"{}\" decides itself what to mine on",
            strategy.name()
        );
        return Err(ctx.err(&key("spv_mining"), Some(&field.span()), message));
    }
    let gateways = lower_gateways(ctx, &key("gateways"), &raw.gateways)?;
    if let (true, Some(field)) = (!gateways.is_empty() && strategy.withholds(), &raw.gateways) {
        let message = format!(
            "gateways are not for withholding pools; strategy = \"{}\" publishes through the pool's one node",
            strategy.name()
        );
        return Err(ctx.err(&key("gateways"), Some(&field.span()), message));
    }
    if connections.is_none() {
        let here = "connections is not set";
        ctx.absent(&key("tx_relay_connections"), &raw.tx_relay_connections, "connections", here)?;
    }
    let tx_relay_connections =
        ctx.opt_int(&key("tx_relay_connections"), &raw.tx_relay_connections, 0u32, 10_000)?;
    if let (Some(total), Some(tx), Some(field)) =
        (connections, tx_relay_connections, &raw.tx_relay_connections)
    {
        if tx > total {
            let message = format!("must be at most connections = {total}, got {tx}");
            return Err(ctx.err(&key("tx_relay_connections"), Some(&field.span()), message));
        }
    }
    Ok(PoolConfig {
        name: name.get_ref().clone(),
        hash_share: ctx.float(&key("hash_share"), &raw.hash_share, SHARE, 0.0)?,
        region: lower_region(ctx, &key("region"), region)?,
        upload_bps: mbps(ctx, &key("upload_mbps"), &raw.upload_mbps)?,
        download_bps: mbps(ctx, &key("download_mbps"), &raw.download_mbps)?,
        connections,
        tx_relay_connections,
        strategy,
        empty_block_window_s,
        spv_mining,
        gateways,
    })
}

/// `[relay_network]`: at least two distinct pools that exist, or none (the
/// network is off).
pub(crate) fn lower_relay_network(
    ctx: &Ctx<'_>,
    table: Opt<Table<RawRelayNetwork>>,
    miners: &MinersConfig,
) -> Result<Option<RelayNetworkConfig>, ScenarioError> {
    let Some(table) = table else { return Ok(None) };
    let span = table.span();
    let raw = table.into_inner().0;
    let MinersConfig::Pools(pools) = miners else {
        let message = "needs named pools ([[mining.pool]] tables or a pool preset such as pools = \"bitcoin-2026\"), \
             not every-node mining";
        return Err(ctx.err("relay_network", Some(&span), message));
    };
    let names =
        ctx.required("relay_network.pools", &raw.pools, Some(&span), "a list of at least two pool names")?;
    let mut members: Vec<String> = Vec::new();
    for (i, name) in names.get_ref().iter().enumerate() {
        let key = format!("relay_network.pools[{i}]");
        let n = name.get_ref();
        if !pools.iter().any(|p| &p.name == n) {
            let known: Vec<&str> = pools.iter().map(|p| p.name.as_str()).collect();
            let message = format!("no pool is named {n:?}; pools are {}", known.join(", "));
            return Err(ctx.err(&key, Some(&name.span()), message));
        }
        if members.contains(n) {
            return Err(ctx.err(&key, Some(&name.span()), format!("pool {n:?} is listed twice")));
        }
        members.push(n.clone());
    }
    if members.is_empty() {
        // An empty list turns the network off (`--set 'relay_network.pools=[]'`).
        return Ok(None);
    }
    if members.len() < 2 {
        let message = format!("needs at least two member pools, got {}", members.len());
        return Err(ctx.err("relay_network.pools", Some(&names.span()), message));
    }
    let latency_ms = ctx.float("relay_network.latency_ms", &raw.latency_ms, POSITIVE_QUANTITY, 10.0)?;
    Ok(Some(RelayNetworkConfig { pools: members, latency_ms }))
}

/// A pool's `strategy` and, for `"stubborn"`, its stubbornness keys.
fn lower_strategy(
    ctx: &Ctx<'_>,
    key: &dyn Fn(&str) -> String,
    raw: &RawPool,
) -> Result<StrategyName, ScenarioError> {
    let name = ctx.choice(&key("strategy"), &raw.strategy, &StrategyName::NAMES, |n| n, "honest")?;
    if name != "stubborn" {
        let belongs = "strategy = \"stubborn\"";
        let here = format!("strategy = \"{name}\"");
        ctx.absent(&key("stubborn_lead"), &raw.stubborn_lead, belongs, &here)?;
        ctx.absent(&key("stubborn_equal_fork"), &raw.stubborn_equal_fork, belongs, &here)?;
        ctx.absent(&key("stubborn_trail"), &raw.stubborn_trail, belongs, &here)?;
    }
    Ok(match name {
        "honest" => StrategyName::Honest,
        "selfish" => StrategyName::Selfish,
        "timewarp" => StrategyName::Timewarp,
        _ => StrategyName::Stubborn(crate::mining::strategy::Stubbornness {
            lead: raw.stubborn_lead.as_ref().is_none_or(|b| *b.get_ref()),
            equal_fork: raw.stubborn_equal_fork.as_ref().is_some_and(|b| *b.get_ref()),
            trail: ctx.int(&key("stubborn_trail"), &raw.stubborn_trail, 0u32, 1000, 0)?,
        }),
    })
}

/// Most gateway nodes one pool may have.
const MAX_GATEWAYS: usize = 16;

/// A pool's `gateways`: regions of its extra nodes.
fn lower_gateways(
    ctx: &Ctx<'_>,
    key: &str,
    field: &Opt<Vec<Spanned<String>>>,
) -> Result<Vec<Region>, ScenarioError> {
    let Some(list) = field else { return Ok(Vec::new()) };
    if list.get_ref().len() > MAX_GATEWAYS {
        let message = format!("at most {MAX_GATEWAYS} gateways, got {}", list.get_ref().len());
        return Err(ctx.err(key, Some(&list.span()), message));
    }
    let each = |(i, r): (usize, &Spanned<String>)| lower_region(ctx, &format!("{key}[{i}]"), r);
    list.get_ref().iter().enumerate().map(each).collect()
}

pub(crate) fn lower_region(
    ctx: &Ctx<'_>,
    key: &str,
    region: &Spanned<String>,
) -> Result<Region, ScenarioError> {
    region.get_ref().parse::<Region>().map_err(|_| {
        let names: Vec<&str> = Region::ALL.iter().map(|r| r.name()).collect();
        let message = format!("must be one of {}; got {:?}", names.join(", "), region.get_ref());
        ctx.err(key, Some(&region.span()), message)
    })
}

/// An optional Mbit/s key, stored as bits/s.
fn mbps(ctx: &Ctx<'_>, key: &str, field: &Opt<Float>) -> Result<Option<f64>, ScenarioError> {
    Ok(ctx.opt_float(key, field, POSITIVE_QUANTITY)?.map(|m| m * BPS_PER_MBPS))
}
