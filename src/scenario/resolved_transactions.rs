//! The resolved `[transactions]` and `[mempool]` sections for the manifest.
//! Keys of the schedule, distributions and relay fidelity not chosen are
//! left out (they would be errors), distributions are written as inline
//! tables, an empirical histogram by the path of its file as written in the
//! scenario, and every surge as a `[[transactions.surge]]` table after the
//! section's plain keys.

use super::config::{Distribution, MempoolConfig, RateSchedule, TransactionsConfig, TxRelayMode};
use super::names::{
    dist_kind, dist_name, policy_name, schedule_kind, schedule_name, tx_relay_kind, tx_relay_name,
};
use super::resolved::{float, key, string};

/// Writes `[transactions]` and its surges.
pub(super) fn write_transactions(out: &mut String, t: &TransactionsConfig) {
    out.push_str("\n[transactions]\n");
    key(out, "rate_per_s", float(t.rate_per_s));
    key(out, "schedule", string(schedule_name(&schedule_kind(&t.schedule))));
    if let RateSchedule::Daily { amplitude, peak_hour } = t.schedule {
        key(out, "daily_amplitude", float(amplitude));
        key(out, "daily_peak_hour", float(peak_hour));
    }
    key(out, "feerate", distribution(&t.feerate_sat_vb, "median_sat_vb", "sat_vb"));
    key(out, "vsize", distribution(&t.vsize_vb, "median_vb", "vb"));
    key(out, "chain_share", float(t.chain_share));
    key(out, "cpfp_share", float(t.cpfp_share));
    key(out, "rbf_share", float(t.rbf_share));
    key(out, "stuck_after_blocks", t.stuck_after_blocks);
    key(out, "fee_bump", float(t.fee_bump));
    key(out, "double_spend_share", float(t.double_spend_share));
    key(out, "relay", string(tx_relay_name(&tx_relay_kind(&t.relay))));
    if let TxRelayMode::Fast { observers } = t.relay {
        key(out, "observers", observers);
    }
    key(out, "max_tx_rows", t.max_tx_rows);
    for surge in &t.surges {
        out.push_str("\n[[transactions.surge]]\n");
        key(out, "start_s", float(surge.start_s));
        key(out, "duration_s", float(surge.duration_s));
        key(out, "multiplier", float(surge.multiplier));
    }
}

/// A distribution as an inline table; `median` and `value` are the names of
/// the lognormal's median and the fixed value for this quantity.
fn distribution(d: &Distribution, median: &str, value: &str) -> String {
    let dist = string(dist_name(&dist_kind(d)));
    match d {
        Distribution::Fixed { value: x } => format!("{{ dist = {dist}, {value} = {} }}", float(*x)),
        Distribution::Lognormal { median: m, sigma } => {
            format!("{{ dist = {dist}, {median} = {}, sigma = {} }}", float(*m), float(*sigma))
        }
        Distribution::Empirical { path, .. } => {
            format!("{{ dist = {dist}, file = {} }}", string(&path.to_string_lossy()))
        }
    }
}

/// Writes `[mempool]`.
pub(super) fn write_mempool(out: &mut String, m: &MempoolConfig) {
    out.push_str("\n[mempool]\n");
    key(out, "policy", string(policy_name(&m.policy)));
    key(out, "max_size_mb", float(m.max_size_mb));
    key(out, "memory_per_vbyte", float(m.memory_per_vbyte));
    key(out, "expiry_hours", float(m.expiry_hours));
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::scenario::names::DistKind;

    #[test]
    fn distributions_are_inline_tables() {
        let fixed = Distribution::Fixed { value: 250.0 };
        assert_eq!(distribution(&fixed, "median_vb", "vb"), "{ dist = \"fixed\", vb = 250.0 }");
        let lognormal = Distribution::Lognormal { median: 5.0, sigma: 1.0 };
        assert_eq!(
            distribution(&lognormal, "median_sat_vb", "sat_vb"),
            "{ dist = \"lognormal\", median_sat_vb = 5.0, sigma = 1.0 }"
        );
        let empirical = Distribution::Empirical { path: PathBuf::from("data/f.csv"), bins: Vec::new() };
        assert_eq!(distribution(&empirical, "m", "v"), "{ dist = \"empirical\", file = \"data/f.csv\" }");
        assert_eq!(dist_kind(&empirical), DistKind::Empirical);
    }
}
