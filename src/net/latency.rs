//! Message latency: a mean one-way delay between regions and per-message noise
//! around it (jitter).
//!
//! Jitter models:
//! - `None`: every message takes exactly the mean, as in Gervais et al.'s
//!   default.
//! - `Pareto`: SimBlock's `getLatency`: scale = mean − 5 ms, shape = 0.2 × mean
//!   (mean in ms), sample = round(scale / U^(1/shape)) ms with U uniform in
//!   (0, 1]. The Pareto mean is scale × shape / (shape − 1) = mean, so the
//!   matrix mean is preserved. Samples are whole milliseconds, as in SimBlock.
//! - `LogNormal { sigma }`: exp(mu + sigma·Z) ms with mu = ln(mean) − sigma²/2,
//!   which also preserves the mean.
//!
//! This module only draws numbers; it never schedules anything.

use super::Region;
use crate::sim::SimRng;

const NS_PER_MS: f64 = 1e6;

/// SimBlock's Pareto offset: scale = mean − 5 ms.
const PARETO_OFFSET_MS: f64 = 5.0;
/// SimBlock's Pareto shape per millisecond of mean: shape = 0.2 × mean.
const PARETO_SHAPE_PER_MS: f64 = 0.2;
/// The smallest Pareto shape used. SimBlock's formula gives shape ≤ 1 (an
/// infinite mean) and scale ≤ 0 for means of 5 ms or less. Below a mean of
/// 7.5 ms (where its shape falls under 1.5) the shape is held at 1.5 and the
/// scale set to mean × (shape − 1) / shape, which keeps the mean, keeps the
/// scale positive, and meets SimBlock's form continuously at 7.5 ms. Every
/// preset cell (the smallest is 8.76 ms) uses SimBlock's form unchanged.
const MIN_PARETO_SHAPE: f64 = 1.5;

/// Where the mean one-way latency between two nodes comes from.
#[derive(Clone, Debug, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "one model per run, read by reference; boxing would only add an indirection per message"
)]
pub enum LatencyModel {
    /// A region-to-region matrix in milliseconds, `[from][to]`.
    Matrix([[f64; 6]; 6]),
    /// The same latency in milliseconds between any two nodes.
    Constant(f64),
}

impl LatencyModel {
    /// Mean one-way latency from a node in `from` to a node in `to`, in ms.
    pub fn mean_ms(&self, from: Region, to: Region) -> f64 {
        match self {
            LatencyModel::Matrix(m) => m[from.index()][to.index()],
            LatencyModel::Constant(ms) => *ms,
        }
    }
}

/// Per-message noise around the mean latency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Jitter {
    /// Every message takes exactly the mean.
    None,
    /// SimBlock's Pareto around the mean (see the module docs).
    Pareto,
    /// Mean-preserving lognormal; `sigma` (finite, non-negative) is the
    /// standard deviation of the underlying normal.
    LogNormal {
        /// Sigma of the underlying normal.
        sigma: f64,
    },
}

/// One message's latency in nanoseconds. `None` gives the mean exactly
/// (rounded to the nanosecond); `Pareto` and `LogNormal` draw once from `rng`
/// (see the module docs). A mean of zero or less gives zero without a draw.
pub fn sample_latency_ns(
    model: &LatencyModel,
    jitter: &Jitter,
    from: Region,
    to: Region,
    rng: &mut SimRng,
) -> u64 {
    let mean_ms = model.mean_ms(from, to);
    if mean_ms.is_nan() || mean_ms <= 0.0 {
        return 0;
    }
    let sample_ms = match jitter {
        Jitter::None => mean_ms,
        Jitter::Pareto => pareto_ms(mean_ms, rng),
        Jitter::LogNormal { sigma } => lognormal_ms(mean_ms, *sigma, rng),
    };
    ms_to_ns(sample_ms)
}

/// Pareto (scale, shape) with the given mean, SimBlock's form with the guard
/// described at [`MIN_PARETO_SHAPE`].
fn pareto_params(mean_ms: f64) -> (f64, f64) {
    let shape = PARETO_SHAPE_PER_MS * mean_ms;
    if shape >= MIN_PARETO_SHAPE {
        (mean_ms - PARETO_OFFSET_MS, shape)
    } else {
        (mean_ms * (MIN_PARETO_SHAPE - 1.0) / MIN_PARETO_SHAPE, MIN_PARETO_SHAPE)
    }
}

/// One Pareto draw with the given mean, rounded to whole milliseconds as
/// SimBlock does.
fn pareto_ms(mean_ms: f64, rng: &mut SimRng) -> f64 {
    let (scale, shape) = pareto_params(mean_ms);
    rng.pareto(scale, shape).round()
}

fn lognormal_ms(mean_ms: f64, sigma: f64, rng: &mut SimRng) -> f64 {
    debug_assert!(sigma.is_finite() && sigma >= 0.0, "lognormal sigma must be finite and >= 0: {sigma}");
    let mu = mean_ms.ln() - 0.5 * sigma * sigma;
    rng.lognormal(mu, sigma)
}

/// Milliseconds to nanoseconds, rounded; the cast saturates, so an absurd
/// heavy-tail draw becomes `u64::MAX` rather than wrapping.
fn ms_to_ns(ms: f64) -> u64 {
    (ms * NS_PER_MS).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::bitcoin_2015;

    fn mean_of(model: &LatencyModel, jitter: Jitter, from: Region, to: Region, draws: u32) -> f64 {
        let mut rng = SimRng::from_seed_u64(11);
        let total: f64 =
            (0..draws).map(|_| sample_latency_ns(model, &jitter, from, to, &mut rng) as f64).sum();
        total / draws as f64 / NS_PER_MS
    }

    #[test]
    fn no_jitter_gives_the_mean_exactly() {
        let model = bitcoin_2015().latency_model();
        let mut rng = SimRng::from_seed_u64(1);
        let ns = sample_latency_ns(&model, &Jitter::None, Region::NA, Region::EU, &mut rng);
        assert_eq!(ns, 119_490_000);
        let ns = sample_latency_ns(&model, &Jitter::None, Region::NA, Region::NA, &mut rng);
        assert_eq!(ns, 35_500_000);
        let c = LatencyModel::Constant(100.0);
        assert_eq!(sample_latency_ns(&c, &Jitter::None, Region::JP, Region::SA, &mut rng), 100_000_000);
        assert_eq!(c.mean_ms(Region::AU, Region::EU), 100.0);
    }

    #[test]
    fn jitter_preserves_the_matrix_mean() {
        let model = bitcoin_2015().latency_model();
        let cells = [(Region::NA, Region::EU), (Region::NA, Region::NA), (Region::EU, Region::EU)];
        for jitter in [Jitter::Pareto, Jitter::LogNormal { sigma: 0.5 }] {
            for (from, to) in cells {
                let want = model.mean_ms(from, to);
                let got = mean_of(&model, jitter, from, to, 100_000);
                assert!((got / want - 1.0).abs() < 0.03, "{jitter:?} {from}->{to}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn pareto_follows_simblock_and_guards_tiny_means() {
        assert_eq!(pareto_params(100.0), (95.0, 20.0));
        for mean in [0.01, 1.0, 5.0, 6.0, 7.5, 8.76] {
            let (scale, shape) = pareto_params(mean);
            assert!(scale > 0.0 && shape > 1.0, "{mean}: {scale} {shape}");
            let pareto_mean = scale * shape / (shape - 1.0);
            assert!((pareto_mean - mean).abs() < 1e-9, "{mean}: {pareto_mean}");
        }
        // A Pareto sample is never below its scale, and is whole milliseconds.
        let mut rng = SimRng::from_seed_u64(2);
        let model = LatencyModel::Constant(100.0);
        for _ in 0..1000 {
            let ns = sample_latency_ns(&model, &Jitter::Pareto, Region::NA, Region::NA, &mut rng);
            assert!(ns >= 95_000_000 && ns % 1_000_000 == 0, "{ns}");
        }
    }

    #[test]
    fn zero_latency_is_zero_for_every_jitter() {
        let model = LatencyModel::Constant(0.0);
        let mut rng = SimRng::from_seed_u64(4);
        for jitter in [Jitter::None, Jitter::Pareto, Jitter::LogNormal { sigma: 1.0 }] {
            assert_eq!(sample_latency_ns(&model, &jitter, Region::NA, Region::EU, &mut rng), 0);
        }
    }
}
