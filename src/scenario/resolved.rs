//! The output side of the boundary: the resolved scenario as TOML (every key
//! at its effective value, for the manifest) and the digest of the scenario
//! file's bytes.
//!
//! `parse_str(&resolved_toml(c), origin, &[])` gives back `c` when `origin`
//! is the scenario's own path: keys that do not apply to the chosen preset,
//! jitter or topology are left out (they would be errors), presets are
//! written out in full (`bitcoin-2015` pools become `[[mining.pool]]`
//! tables), and `topology_file` keeps the path as written in the scenario,
//! relative to the scenario file's directory, so the edges load again from
//! the same place. Floats are written in Rust's shortest round-trip form.
//! With a `[transactions]` workload the `[blocks]` section is left out (its
//! keys would be errors) and `[mempool]` is written; without one it is the
//! other way round.

use std::fmt::Write;

use sha2::{Digest, Sha256};

use super::config::{
    Activation, Config, DifficultyName, EventAction, EventTrigger, HashChange, JitterConfig, MinersConfig,
    NetworkConfig, PartitionSide, PoolChange, PoolConfig, Rules, StopConfig, StrategyName, TimelineEvent,
    TopologyConfig,
};
use super::lower_mining::BPS_PER_MBPS;
use super::names::{
    difficulty_kind, difficulty_name, jitter_kind, jitter_name, preset_name, protocol_name, topology_kind,
    topology_name,
};
use super::resolved_transactions::{write_mempool, write_transactions};

/// The full resolved scenario as TOML.
pub fn resolved_toml(config: &Config) -> String {
    let mut out = String::from("# Resolved scenario: every key at its effective value.\n");
    key(&mut out, "name", string(&config.name));
    key(&mut out, "description", string(&config.description));
    key(&mut out, "seed", config.seed);
    write_stop(&mut out, &config.stop);
    write_network(&mut out, &config.network);
    write_relay(&mut out, config);
    write_consensus(&mut out, config);
    if config.transactions.is_none() {
        write_blocks(&mut out, config);
    }
    write_mining(&mut out, config);
    if let Some(transactions) = &config.transactions {
        write_transactions(&mut out, transactions);
        write_mempool(&mut out, &config.mempool);
    }
    out.push_str("\n[output]\n");
    key(&mut out, "write_graph", config.output.write_graph);
    if config.transactions.is_some() {
        key(&mut out, "mempool_sample_s", config.output.mempool_sample_s);
    }
    config.events.iter().for_each(|e| write_event(&mut out, e));
    write_node_groups(&mut out, config);
    out
}

fn write_event(out: &mut String, event: &TimelineEvent) {
    out.push_str("\n[[events]]\n");
    key(out, "kind", string(event.action.kind()));
    match event.at {
        EventTrigger::Time(t) => key(out, "at_s", float(t)),
        EventTrigger::Height(h) => key(out, "at_height", h),
    }
    match &event.action {
        EventAction::Hashrate { pool, change, ramp_s } => {
            if let Some(p) = pool {
                key(out, "pool", string(p));
            }
            match change {
                HashChange::Scale(x) => key(out, "scale", float(*x)),
                HashChange::Set(hs) => key(out, "set_hs", float(*hs)),
            }
            key(out, "ramp_s", float(*ramp_s));
        }
        EventAction::Partition { side, duration_s } => {
            match side {
                PartitionSide::Regions(regions) => {
                    let names: Vec<String> = regions.iter().map(|r| string(r.name())).collect();
                    key(out, "regions", format!("[{}]", names.join(", ")));
                }
                PartitionSide::Fraction(f) => key(out, "fraction", float(*f)),
            }
            key(out, "duration_s", float(*duration_s));
        }
        EventAction::Churn { fraction, duration_s } => {
            key(out, "fraction", float(*fraction));
            key(out, "duration_s", float(*duration_s));
        }
        EventAction::Latency { region, latency_scale, bandwidth_scale, duration_s } => {
            if let Some(r) = region {
                key(out, "region", string(r.name()));
            }
            key(out, "latency_scale", float(*latency_scale));
            key(out, "bandwidth_scale", float(*bandwidth_scale));
            if let Some(d) = duration_s {
                key(out, "duration_s", float(*d));
            }
        }
        EventAction::Pool { pool, change } => {
            key(out, "pool", string(pool));
            match change {
                PoolChange::Join => key(out, "action", string("join")),
                PoolChange::Leave => key(out, "action", string("leave")),
                PoolChange::Strategy(s) => {
                    key(out, "action", string("strategy"));
                    key(out, "strategy", string(s.name()));
                }
            }
        }
    }
}

/// SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn digest_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

pub(super) fn key(out: &mut String, name: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "{name} = {value}");
}

/// A TOML string literal (quoted and escaped).
pub(super) fn string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A TOML float literal that parses back to exactly `x` (`100.0`, `1e21`).
pub(super) fn float(x: f64) -> String {
    format!("{x:?}")
}

fn write_stop(out: &mut String, stop: &StopConfig) {
    out.push_str("\n[stop]\n");
    if let Some(blocks) = stop.blocks {
        key(out, "blocks", blocks);
    }
    if let Some(sim_time_s) = stop.sim_time_s {
        key(out, "sim_time_s", float(sim_time_s));
    }
    key(out, "drain_s", float(stop.drain_s));
    key(out, "max_events", stop.max_events);
}

fn write_network(out: &mut String, network: &NetworkConfig) {
    out.push_str("\n[network]\n");
    key(out, "nodes", network.nodes);
    key(out, "preset", string(preset_name(&network.preset)));
    if network.preset == super::config::NetworkPresetName::Ideal {
        key(out, "latency_ms", float(network.latency_ms));
    }
    key(out, "jitter", string(jitter_name(&jitter_kind(&network.jitter))));
    if let JitterConfig::Lognormal { sigma } = network.jitter {
        key(out, "jitter_sigma", float(sigma));
    }
    key(out, "clock_skew_sd_s", float(network.clock_skew_sd_s));
    key(out, "topology", string(topology_name(&topology_kind(&network.topology))));
    write_topology(out, &network.topology);
}

fn write_topology(out: &mut String, topology: &TopologyConfig) {
    match topology {
        TopologyConfig::BitcoinCore {
            outbound_full_relay,
            outbound_block_relay,
            max_connections,
            non_listening_fraction,
        } => {
            key(out, "outbound_full_relay", outbound_full_relay);
            key(out, "outbound_block_relay", outbound_block_relay);
            key(out, "max_connections", max_connections);
            key(out, "non_listening_fraction", float(*non_listening_fraction));
        }
        TopologyConfig::RandomRegular { degree } => key(out, "degree", degree),
        TopologyConfig::File { path, .. } => key(out, "topology_file", string(&path.to_string_lossy())),
        TopologyConfig::Degree2015 | TopologyConfig::Complete => {}
    }
}

fn write_relay(out: &mut String, config: &Config) {
    let relay = &config.relay;
    out.push_str("\n[relay]\n");
    key(out, "protocol", string(protocol_name(&relay.protocol)));
    key(out, "high_bandwidth_peers", relay.high_bandwidth_peers);
    key(out, "validation_ms", float(relay.validation_ms));
    key(out, "validation_ms_per_mb", float(relay.validation_ms_per_mb));
}

fn write_consensus(out: &mut String, config: &Config) {
    let c = &config.consensus;
    out.push_str("\n[consensus]\n");
    write_rules(out, &c.rules, None);
    key(out, "start_height", c.start_height);
    write_activations(out, "consensus", &c.rules, &c.activation);
}

/// A rule set's keys: all of them, or (after `prev`) those that differ from `prev`'s. A changed
/// algorithm is written with all its settings, since they are not inherited across algorithms.
fn write_rules(out: &mut String, rules: &Rules, prev: Option<&Rules>) {
    let new_algorithm =
        prev.is_none_or(|p| difficulty_kind(&p.difficulty) != difficulty_kind(&rules.difficulty));
    let differs = |f: fn(&Rules) -> u64| prev.is_none_or(|p| f(p) != f(rules));
    if differs(|r| u64::from(r.block_interval_s)) {
        key(out, "block_interval_s", rules.block_interval_s);
    }
    if new_algorithm {
        key(out, "difficulty", string(difficulty_name(&difficulty_kind(&rules.difficulty))));
    }
    let settings_changed = prev.is_none_or(|p| p.difficulty != rules.difficulty);
    match rules.difficulty {
        DifficultyName::Asert { half_life_s } if settings_changed => {
            key(out, "asert_half_life_s", half_life_s)
        }
        DifficultyName::Lwma { window } if settings_changed => key(out, "lwma_window", window),
        _ => {}
    }
    if differs(|r| u64::from(r.retarget_interval)) {
        key(out, "retarget_interval", rules.retarget_interval);
    }
    // Only the Bitcoin-style retargets use the clamp; for the others the key is an error.
    if rules.difficulty.is_bitcoin_retarget() && (new_algorithm || differs(|r| u64::from(r.clamp_factor))) {
        key(out, "clamp_factor", rules.clamp_factor);
    }
    if differs(|r| r.max_block_weight) {
        key(out, "max_block_weight", rules.max_block_weight);
    }
    if differs(|r| u64::from(r.halving_interval)) {
        key(out, "halving_interval", rules.halving_interval);
    }
    if differs(|r| r.initial_subsidy_sat) {
        key(out, "initial_subsidy_sat", rules.initial_subsidy_sat);
    }
    if differs(|r| u64::from(r.mtp_window)) {
        key(out, "mtp_window", rules.mtp_window);
    }
    if differs(|r| u64::from(r.max_future_block_time_s)) {
        key(out, "max_future_block_time_s", rules.max_future_block_time_s);
    }
}

/// `[[{table}.activation]]` tables, each `set` holding what changed from the rules before it.
fn write_activations(out: &mut String, table: &str, base: &Rules, activation: &[Activation]) {
    let mut prev = base;
    for a in activation {
        out.push_str(&format!("\n[[{table}.activation]]\n"));
        key(out, "height", a.height);
        out.push_str(&format!("\n[{table}.activation.set]\n"));
        let before = out.len();
        write_rules(out, &a.rules, Some(prev));
        if out.len() == before {
            // An activation that changes nothing (it sets values the rules before it
            // already had) still needs a key, or it reads back as an error; the block
            // interval repeats a value without resetting an algorithm's settings.
            key(out, "block_interval_s", a.rules.block_interval_s);
        }
        prev = &a.rules;
    }
}

fn write_node_groups(out: &mut String, config: &Config) {
    let pool_names: Vec<&str> = match &config.mining.miners {
        MinersConfig::Pools(p) => p.iter().map(|p| p.name.as_str()).collect(),
        MinersConfig::EveryNode { .. } => Vec::new(),
    };
    for g in &config.node_groups {
        out.push_str("\n[[node_group]]\n");
        key(out, "name", string(&g.name));
        key(out, "share", float(g.share));
        let pools: Vec<String> = g.pools.iter().map(|&i| string(pool_names[i])).collect();
        key(out, "pools", format!("[{}]", pools.join(", ")));
        out.push_str("\n[node_group.consensus]\n");
        write_rules(out, &g.rules, None);
        if g.activation.is_empty() {
            key(out, "activation", "[]");
        }
        write_activations(out, "node_group.consensus", &g.rules, &g.activation);
    }
}

fn write_blocks(out: &mut String, config: &Config) {
    let b = &config.blocks;
    out.push_str("\n[blocks]\n");
    if b.full {
        key(out, "full", true);
    } else {
        key(out, "size_bytes", b.size_bytes);
    }
    key(out, "mean_tx_bytes", b.mean_tx_bytes);
    key(out, "witness_fraction", float(b.witness_fraction));
}

fn write_mining(out: &mut String, config: &Config) {
    let mining = &config.mining;
    out.push_str("\n[mining]\n");
    key(out, "hashrate_hs", float(mining.hashrate_hs));
    if config.transactions.is_some() {
        key(out, "template_refresh_s", float(mining.template_refresh_s));
    }
    if let Some(g) = mining.gamma {
        key(out, "gamma", float(g));
    }
    match &mining.miners {
        MinersConfig::EveryNode { relative_sd } => {
            key(out, "pools", string("every-node"));
            key(out, "every_node_sd", float(*relative_sd));
        }
        MinersConfig::Pools(pools) => {
            pools.iter().for_each(|pool| write_pool(out, pool, config.transactions.is_some()))
        }
    }
    if let Some(rn) = &mining.relay_network {
        out.push_str("\n[relay_network]\n");
        let names: Vec<String> = rn.pools.iter().map(|p| string(p)).collect();
        key(out, "pools", format!("[{}]", names.join(", ")));
        key(out, "latency_ms", float(rn.latency_ms));
    }
}

fn write_pool(out: &mut String, pool: &PoolConfig, config_has_transactions: bool) {
    out.push_str("\n[[mining.pool]]\n");
    key(out, "name", string(&pool.name));
    key(out, "hash_share", float(pool.hash_share));
    key(out, "region", string(pool.region.name()));
    if let Some(bps) = pool.upload_bps {
        key(out, "upload_mbps", mbps(bps));
    }
    if let Some(bps) = pool.download_bps {
        key(out, "download_mbps", mbps(bps));
    }
    if let Some(connections) = pool.connections {
        key(out, "connections", connections);
    }
    if let Some(tx) = pool.tx_relay_connections {
        key(out, "tx_relay_connections", tx);
    }
    key(out, "strategy", string(pool.strategy.name()));
    if let StrategyName::Stubborn(s) = pool.strategy {
        key(out, "stubborn_lead", s.lead);
        key(out, "stubborn_equal_fork", s.equal_fork);
        key(out, "stubborn_trail", s.trail);
    }
    if config_has_transactions {
        key(out, "empty_block_window_s", float(pool.empty_block_window_s));
    }
    key(out, "spv_mining", pool.spv_mining);
    let gateways: Vec<String> = pool.gateways.iter().map(|r| string(r.name())).collect();
    key(out, "gateways", format!("[{}]", gateways.join(", ")));
}

/// The Mbit/s literal whose value times 1e6 is exactly `bps`. `bps / 1e6`
/// can be off by an ulp after the round trip, so the neighbours of the
/// quotient are tried too; the value that was parsed is always among them.
fn mbps(bps: f64) -> String {
    let quotient = bps / BPS_PER_MBPS;
    let bits = quotient.to_bits();
    let found = [0i64, 1, -1, 2, -2, 3, -3]
        .into_iter()
        .map(|step| f64::from_bits(bits.wrapping_add_signed(step)))
        .find(|candidate| candidate * BPS_PER_MBPS == bps);
    float(found.unwrap_or(quotient))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_sha256() {
        assert_eq!(digest_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn mbps_round_trips_through_bits_per_second() {
        let mut m = 0.001_f64;
        while m < 1e9 {
            let bps = m * BPS_PER_MBPS;
            let back: f64 = mbps(bps).parse().expect("float literal");
            assert_eq!(back * BPS_PER_MBPS, bps, "{m}");
            m = m * 1.37 + 0.000_123;
        }
    }

    #[test]
    fn floats_are_toml_floats() {
        assert_eq!(float(1e21), "1e21");
        assert_eq!(float(100.0), "100.0");
        assert_eq!(float(0.5), "0.5");
    }
}
