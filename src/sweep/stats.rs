//! The statistics of sweeps and comparisons: mean, sample standard deviation and the Student-t
//! 95 % confidence interval of a mean.

/// Mean, standard deviation and 95 % confidence interval of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Sample size.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` below two values.
    pub sd: Option<f64>,
    /// Half-width of the 95 % confidence interval of the mean (Student t); `None` below two
    /// values.
    pub ci95: Option<f64>,
}

impl Estimate {
    /// The estimate of `xs`; `None` for an empty sample.
    pub fn of(xs: &[f64]) -> Option<Estimate> {
        if xs.is_empty() {
            return None;
        }
        let n = xs.len();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let (sd, ci95) = if n >= 2 {
            let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
            let sd = var.sqrt();
            (Some(sd), Some(t975(n - 1) * sd / (n as f64).sqrt()))
        } else {
            (None, None)
        };
        Some(Estimate { n, mean, sd, ci95 })
    }

    /// Lower end of the 95 % interval.
    pub fn lo(&self) -> Option<f64> {
        self.ci95.map(|h| self.mean - h)
    }

    /// Upper end of the 95 % interval.
    pub fn hi(&self) -> Option<f64> {
        self.ci95.map(|h| self.mean + h)
    }

    /// True if the 95 % interval excludes zero.
    pub fn significant(&self) -> bool {
        matches!((self.lo(), self.hi()), (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0)
    }
}

/// Student t's 0.975 quantile for `df` degrees of freedom (`df` >= 1): tabulated to 30, then
/// the Cornish-Fisher expansion around the normal quantile, within 1e-4 of the exact value.
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010, 2.1788,
        2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639,
        2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    assert!(df >= 1, "t quantile needs at least one degree of freedom");
    if df <= TABLE.len() {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    z + (z.powi(3) + z) / (4.0 * v)
        + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / (384.0 * v.powi(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        // R: qt(0.975, c(1, 5, 30, 40, 60, 120, 1000))
        for (df, want) in [
            (1, 12.7062),
            (5, 2.5706),
            (30, 2.0423),
            (40, 2.0211),
            (60, 2.0003),
            (120, 1.9799),
            (1000, 1.9623),
        ] {
            assert!((t975(df) - want).abs() < 2e-4, "df {df}: {} against {want}", t975(df));
        }
    }

    #[test]
    fn estimates() {
        assert_eq!(Estimate::of(&[]), None);
        let one = Estimate::of(&[3.0]).unwrap();
        assert_eq!((one.n, one.mean, one.sd, one.ci95), (1, 3.0, None, None));
        assert!(!one.significant());
        let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(e.mean, 2.5);
        let sd = (5.0f64 / 3.0).sqrt();
        assert!((e.sd.unwrap() - sd).abs() < 1e-12);
        assert!((e.ci95.unwrap() - 3.1824 * sd / 2.0).abs() < 1e-12);
        assert!(e.significant());
        assert!(!Estimate::of(&[-1.0, 1.0, -2.0, 2.0]).unwrap().significant());
    }
}
