//! Draws from the configured distributions of fee rates and sizes.
//!
//! A [`Sampler`] is built once from a [`Distribution`] so that an empirical
//! histogram's cumulative weights are summed once, not on every draw.

use crate::scenario::Distribution;
use crate::sim::SimRng;

/// A distribution ready to draw from.
#[derive(Clone, Debug)]
pub(crate) enum Sampler {
    /// Always this value; draws consume no randomness.
    Fixed(f64),
    /// median * exp(sigma * Z), Z standard normal.
    Lognormal {
        /// ln(median).
        mu: f64,
        /// Sigma of the underlying normal.
        sigma: f64,
    },
    /// A bin chosen by weight, then a value uniformly inside it.
    Empirical {
        /// The bins' (low, high) bounds.
        bins: Vec<(f64, f64)>,
        /// Running sums of the bins' weights; the last is the total.
        cumulative: Vec<f64>,
    },
}

impl Sampler {
    /// A sampler for `distribution`. An empirical distribution must have at
    /// least one bin (the scenario checks this).
    pub(crate) fn new(distribution: &Distribution) -> Sampler {
        match distribution {
            Distribution::Fixed { value } => Sampler::Fixed(*value),
            Distribution::Lognormal { median, sigma } => {
                Sampler::Lognormal { mu: median.ln(), sigma: *sigma }
            }
            Distribution::Empirical { bins, .. } => {
                assert!(!bins.is_empty(), "an empirical distribution needs at least one bin");
                let mut total = 0.0;
                let cumulative = bins
                    .iter()
                    .map(|&(_, _, weight)| {
                        total += weight;
                        total
                    })
                    .collect();
                Sampler::Empirical { bins: bins.iter().map(|&(lo, hi, _)| (lo, hi)).collect(), cumulative }
            }
        }
    }

    /// One draw.
    pub(crate) fn draw(&self, rng: &mut SimRng) -> f64 {
        match self {
            Sampler::Fixed(value) => *value,
            Sampler::Lognormal { mu, sigma } => rng.lognormal(*mu, *sigma),
            Sampler::Empirical { bins, cumulative } => {
                let total = cumulative.last().copied().unwrap_or(0.0);
                let x = rng.unit() * total;
                let i = cumulative.partition_point(|&c| c <= x).min(bins.len() - 1);
                let (lo, hi) = bins[i];
                lo + rng.unit() * (hi - lo)
            }
        }
    }
}
