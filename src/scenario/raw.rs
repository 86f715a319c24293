//! The scenario file as serde sees it: syntax and types only.
//!
//! Every key is optional here and carries its span, so that the lowering step
//! can apply defaults, check ranges and combinations, and point at the line
//! of the offending key. Unknown keys are rejected by serde
//! (`deny_unknown_fields`), whose message lists the allowed keys of the table.
//! Integers are read as `i128` so that negative or huge values reach the range
//! checks instead of failing with a type error; floats accept integers.

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use toml::Spanned;

/// An optional key with its span.
pub(crate) type Opt<T> = Option<Spanned<T>>;

/// A TOML table holding the fields of `T`. Serde's derived structs also
/// accept a sequence (fields by position), which would let `network = [5]`
/// mean `nodes = 5`; this wrapper accepts tables only.
#[derive(Clone, Default)]
pub(crate) struct Table<T>(pub(crate) T);

/// A TOML integer of any size TOML can hold (up to `u64::MAX`, down to `i64::MIN`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Int(pub(crate) i128);

/// A TOML float, or an integer read as a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Float(pub(crate) f64);

/// The whole scenario file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawScenario {
    pub(crate) name: Opt<String>,
    pub(crate) description: Opt<String>,
    pub(crate) seed: Opt<Int>,
    pub(crate) stop: Opt<Table<RawStop>>,
    pub(crate) network: Opt<Table<RawNetwork>>,
    pub(crate) relay: Opt<Table<RawRelay>>,
    pub(crate) consensus: Opt<Table<RawConsensus>>,
    pub(crate) blocks: Opt<Table<RawBlocks>>,
    pub(crate) mining: Opt<Table<RawMining>>,
    pub(crate) relay_network: Opt<Table<RawRelayNetwork>>,
    pub(crate) transactions: Opt<Table<RawTransactions>>,
    pub(crate) mempool: Opt<Table<RawMempool>>,
    pub(crate) output: Opt<Table<RawOutput>>,
    pub(crate) events: Opt<Vec<Spanned<Table<RawEvent>>>>,
    pub(crate) node_group: Opt<Vec<Spanned<Table<RawNodeGroup>>>>,
    /// A sweep's grid: read by `sweep`, not by a run, so anything is accepted here.
    #[serde(rename = "sweep")]
    pub(crate) _sweep: Option<de::IgnoredAny>,
}

/// One `[[node_group]]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawNodeGroup {
    pub(crate) name: Opt<String>,
    pub(crate) share: Opt<Float>,
    pub(crate) pools: Opt<Vec<Spanned<String>>>,
    pub(crate) consensus: Opt<Table<RawConsensus>>,
}

/// One `[[events]]`: the keys of every kind; lowering rejects the ones that
/// do not belong to the event's `kind`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawEvent {
    pub(crate) kind: Opt<String>,
    pub(crate) at_s: Opt<Float>,
    pub(crate) at_height: Opt<Int>,
    pub(crate) pool: Opt<String>,
    pub(crate) scale: Opt<Float>,
    pub(crate) set_hs: Opt<Float>,
    pub(crate) ramp_s: Opt<Float>,
    pub(crate) duration_s: Opt<Float>,
    pub(crate) regions: Opt<Vec<Spanned<String>>>,
    pub(crate) fraction: Opt<Float>,
    pub(crate) region: Opt<String>,
    pub(crate) latency_scale: Opt<Float>,
    pub(crate) bandwidth_scale: Opt<Float>,
    pub(crate) action: Opt<String>,
    pub(crate) strategy: Opt<String>,
}

/// `[stop]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawStop {
    pub(crate) blocks: Opt<Int>,
    pub(crate) sim_time_s: Opt<Float>,
    pub(crate) drain_s: Opt<Float>,
    pub(crate) max_events: Opt<Int>,
}

/// `[network]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawNetwork {
    pub(crate) nodes: Opt<Int>,
    pub(crate) preset: Opt<String>,
    pub(crate) latency_ms: Opt<Float>,
    pub(crate) jitter: Opt<String>,
    pub(crate) jitter_sigma: Opt<Float>,
    pub(crate) topology: Opt<String>,
    pub(crate) outbound_full_relay: Opt<Int>,
    pub(crate) outbound_block_relay: Opt<Int>,
    pub(crate) max_connections: Opt<Int>,
    pub(crate) non_listening_fraction: Opt<Float>,
    pub(crate) degree: Opt<Int>,
    pub(crate) topology_file: Opt<String>,
    pub(crate) clock_skew_sd_s: Opt<Float>,
}

/// `[relay]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawRelay {
    pub(crate) protocol: Opt<String>,
    pub(crate) high_bandwidth_peers: Opt<Int>,
    pub(crate) validation_ms: Opt<Float>,
    pub(crate) validation_ms_per_mb: Opt<Float>,
}

/// `[consensus]`; also the `set` of an activation and a node group's `consensus`, where
/// lowering refuses the keys that do not belong there.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawConsensus {
    pub(crate) block_interval_s: Opt<Int>,
    pub(crate) difficulty: Opt<String>,
    pub(crate) asert_half_life_s: Opt<Int>,
    pub(crate) lwma_window: Opt<Int>,
    pub(crate) retarget_interval: Opt<Int>,
    pub(crate) clamp_factor: Opt<Int>,
    pub(crate) max_block_weight: Opt<Int>,
    pub(crate) halving_interval: Opt<Int>,
    pub(crate) initial_subsidy_sat: Opt<Int>,
    pub(crate) mtp_window: Opt<Int>,
    pub(crate) max_future_block_time_s: Opt<Int>,
    pub(crate) start_height: Opt<Int>,
    pub(crate) activation: Opt<Vec<Spanned<Table<RawActivation>>>>,
}

/// One `[[consensus.activation]]`.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawActivation {
    pub(crate) height: Opt<Int>,
    pub(crate) set: Opt<Table<RawConsensus>>,
}

/// `[blocks]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawBlocks {
    pub(crate) size_bytes: Opt<Int>,
    pub(crate) full: Opt<bool>,
    pub(crate) mean_tx_bytes: Opt<Int>,
    pub(crate) witness_fraction: Opt<Float>,
}

/// `[mining]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawMining {
    pub(crate) hashrate_hs: Opt<Float>,
    pub(crate) template_refresh_s: Opt<Float>,
    pub(crate) gamma: Opt<Float>,
    pub(crate) pools: Opt<String>,
    pub(crate) every_node_sd: Opt<Float>,
    pub(crate) pool: Opt<Vec<Spanned<Table<RawPool>>>>,
}

/// `[relay_network]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawRelayNetwork {
    pub(crate) pools: Opt<Vec<Spanned<String>>>,
    pub(crate) latency_ms: Opt<Float>,
}

/// One `[[mining.pool]]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawPool {
    pub(crate) name: Opt<String>,
    pub(crate) hash_share: Opt<Float>,
    pub(crate) region: Opt<String>,
    pub(crate) upload_mbps: Opt<Float>,
    pub(crate) download_mbps: Opt<Float>,
    pub(crate) connections: Opt<Int>,
    pub(crate) tx_relay_connections: Opt<Int>,
    pub(crate) strategy: Opt<String>,
    pub(crate) stubborn_lead: Opt<bool>,
    pub(crate) stubborn_equal_fork: Opt<bool>,
    pub(crate) stubborn_trail: Opt<Int>,
    pub(crate) empty_block_window_s: Opt<Float>,
    pub(crate) spv_mining: Opt<bool>,
    pub(crate) gateways: Opt<Vec<Spanned<String>>>,
}

/// `[transactions]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawTransactions {
    pub(crate) rate_per_s: Opt<Float>,
    pub(crate) schedule: Opt<String>,
    pub(crate) daily_amplitude: Opt<Float>,
    pub(crate) daily_peak_hour: Opt<Float>,
    pub(crate) feerate: Opt<Table<RawFeerate>>,
    pub(crate) vsize: Opt<Table<RawVsize>>,
    pub(crate) chain_share: Opt<Float>,
    pub(crate) cpfp_share: Opt<Float>,
    pub(crate) rbf_share: Opt<Float>,
    pub(crate) stuck_after_blocks: Opt<Int>,
    pub(crate) fee_bump: Opt<Float>,
    pub(crate) double_spend_share: Opt<Float>,
    pub(crate) relay: Opt<String>,
    pub(crate) observers: Opt<Int>,
    pub(crate) max_tx_rows: Opt<Int>,
    pub(crate) surge: Opt<Vec<Spanned<Table<RawSurge>>>>,
}

/// `transactions.feerate`: a distribution of fee rates (sat/vB).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawFeerate {
    pub(crate) dist: Opt<String>,
    pub(crate) median_sat_vb: Opt<Float>,
    pub(crate) sigma: Opt<Float>,
    pub(crate) sat_vb: Opt<Float>,
    pub(crate) file: Opt<String>,
}

/// `transactions.vsize`: a distribution of virtual sizes (vB).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawVsize {
    pub(crate) dist: Opt<String>,
    pub(crate) median_vb: Opt<Float>,
    pub(crate) sigma: Opt<Float>,
    pub(crate) vb: Opt<Float>,
    pub(crate) file: Opt<String>,
}

/// One `[[transactions.surge]]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawSurge {
    pub(crate) start_s: Opt<Float>,
    pub(crate) duration_s: Opt<Float>,
    pub(crate) multiplier: Opt<Float>,
}

/// `[mempool]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawMempool {
    pub(crate) policy: Opt<String>,
    pub(crate) max_size_mb: Opt<Float>,
    pub(crate) memory_per_vbyte: Opt<Float>,
    pub(crate) expiry_hours: Opt<Float>,
}

/// `[output]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(crate) struct RawOutput {
    pub(crate) write_graph: Opt<bool>,
    pub(crate) mempool_sample_s: Opt<Float>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Table<T>, D::Error> {
        deserializer.deserialize_map(TableVisitor(PhantomData))
    }
}

struct TableVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for TableVisitor<T> {
    type Value = Table<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Table<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Table)
    }
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Int, D::Error> {
        deserializer.deserialize_any(IntVisitor)
    }
}

struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = Int;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
        Ok(Int(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
        Ok(Int(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Int, E> {
        Ok(Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Int, E> {
        i128::try_from(v).map(Int).map_err(|_| E::custom(format!("integer {v} is too large")))
    }
}

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Float, D::Error> {
        deserializer.deserialize_any(FloatVisitor)
    }
}

struct FloatVisitor;

/// Integers are accepted where a float is expected (`latency_ms = 100`);
/// the conversion may round integers above 2^53, which no key needs.
impl Visitor<'_> for FloatVisitor {
    type Value = Float;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Float, E> {
        Ok(Float(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Float, E> {
        Ok(Float(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Float, E> {
        Ok(Float(v as f64))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Float, E> {
        Ok(Float(v as f64))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Float, E> {
        Ok(Float(v as f64))
    }
}
