//! Typed checks of single keys for the lowering step: integer ranges, float
//! bounds (finite only), string choices, required and not-applicable keys.
//! Each check names the key, points at its line and says what is allowed.

use std::fmt::Display;

use toml::Spanned;

use super::ctx::{Ctx, Span};
use super::error::ScenarioError;
use super::raw::{Float, Int, Opt};

/// An interval of finite floats.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    lo: f64,
    lo_closed: bool,
    hi: f64,
    hi_closed: bool,
}

/// The largest upper bound, which [`Bounds::describe`] leaves out.
const NO_UPPER: f64 = f64::MAX;

/// Values >= 0 and < 1.
pub(crate) const FRACTION: Bounds = Bounds::new(0.0, true, 1.0, false);
/// Values > 0 and <= 1.
pub(crate) const SHARE: Bounds = Bounds::new(0.0, false, 1.0, true);
/// Values >= 0 and <= 1.
pub(crate) const UNIT: Bounds = Bounds::new(0.0, true, 1.0, true);
/// Lognormal sigma: > 0 and <= 3.
pub(crate) const SIGMA: Bounds = Bounds::new(0.0, false, 3.0, true);
/// Durations and rates are capped at 1e9 of their unit so that converting
/// them to integer nanoseconds or bits per second can never overflow.
pub(crate) const MAX_QUANTITY: f64 = 1e9;
/// Durations and rates that must be > 0.
pub(crate) const POSITIVE_QUANTITY: Bounds = Bounds::new(0.0, false, MAX_QUANTITY, true);
/// Durations that may be 0.
pub(crate) const QUANTITY: Bounds = Bounds::new(0.0, true, MAX_QUANTITY, true);

impl Bounds {
    /// The interval from `lo` to `hi`, each end open or closed.
    pub(crate) const fn new(lo: f64, lo_closed: bool, hi: f64, hi_closed: bool) -> Bounds {
        Bounds { lo, lo_closed, hi, hi_closed }
    }

    /// Whether `x` is finite and inside.
    pub(crate) fn contains(&self, x: f64) -> bool {
        let above = if self.lo_closed { x >= self.lo } else { x > self.lo };
        let below = if self.hi_closed { x <= self.hi } else { x < self.hi };
        x.is_finite() && above && below
    }

    /// E.g. "a finite number > 0 and <= 1".
    pub(crate) fn describe(&self) -> String {
        let lo = if self.lo_closed { ">=" } else { ">" };
        let mut text = format!("a finite number {lo} {}", number(self.lo));
        if self.hi < NO_UPPER {
            let hi = if self.hi_closed { "<=" } else { "<" };
            text.push_str(&format!(" and {hi} {}", number(self.hi)));
        }
        text
    }
}

/// A float for a message: as written in decimal, or in exponent form when
/// that would take more than a few digits (`1e60`, not sixty zeros).
pub(crate) fn number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && (x.abs() >= 1e16 || x.abs() < 1e-5) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

impl Ctx<'_> {
    /// An optional integer key in `lo..=hi`.
    pub(crate) fn opt_int<T>(
        &self,
        key: &str,
        field: &Opt<Int>,
        lo: T,
        hi: T,
    ) -> Result<Option<T>, ScenarioError>
    where
        T: Copy + Display + Into<i128> + TryFrom<i128>,
    {
        let Some(value) = field else { return Ok(None) };
        let x = value.get_ref().0;
        let bad =
            || self.err(key, Some(&value.span()), format!("must be an integer from {lo} to {hi}, got {x}"));
        if x < lo.into() || x > hi.into() {
            return Err(bad());
        }
        T::try_from(x).map(Some).map_err(|_| bad())
    }

    /// An integer key in `lo..=hi`, `default` when absent.
    pub(crate) fn int<T>(
        &self,
        key: &str,
        field: &Opt<Int>,
        lo: T,
        hi: T,
        default: T,
    ) -> Result<T, ScenarioError>
    where
        T: Copy + Display + Into<i128> + TryFrom<i128>,
    {
        Ok(self.opt_int(key, field, lo, hi)?.unwrap_or(default))
    }

    /// An optional float key within `bounds`.
    pub(crate) fn opt_float(
        &self,
        key: &str,
        field: &Opt<Float>,
        bounds: Bounds,
    ) -> Result<Option<f64>, ScenarioError> {
        let Some(value) = field else { return Ok(None) };
        let x = value.get_ref().0;
        if !bounds.contains(x) {
            let message = format!("must be {}, got {}", bounds.describe(), number(x));
            return Err(self.err(key, Some(&value.span()), message));
        }
        Ok(Some(x))
    }

    /// A float key within `bounds`, `default` when absent.
    pub(crate) fn float(
        &self,
        key: &str,
        field: &Opt<Float>,
        bounds: Bounds,
        default: f64,
    ) -> Result<f64, ScenarioError> {
        Ok(self.opt_float(key, field, bounds)?.unwrap_or(default))
    }

    /// A string key naming one of `all` (by `name`), `default` when absent.
    pub(crate) fn choice<T: Clone>(
        &self,
        key: &str,
        field: &Opt<String>,
        all: &[T],
        name: fn(&T) -> &'static str,
        default: T,
    ) -> Result<T, ScenarioError> {
        let Some(value) = field else { return Ok(default) };
        if let Some(found) = all.iter().find(|t| name(t) == value.get_ref().as_str()) {
            return Ok(found.clone());
        }
        let allowed: Vec<String> = all.iter().map(|t| format!("\"{}\"", name(t))).collect();
        let message = format!("must be one of {}; got {:?}", allowed.join(", "), value.get_ref());
        Err(self.err(key, Some(&value.span()), message))
    }

    /// Rejects a key that belongs to another setting: `belongs` is that
    /// setting (`topology = "random-regular"`), `here` the one in force.
    pub(crate) fn absent<T>(
        &self,
        key: &str,
        field: &Opt<T>,
        belongs: &str,
        here: &str,
    ) -> Result<(), ScenarioError> {
        match field {
            None => Ok(()),
            Some(value) => {
                let message =
                    format!("applies only with {belongs}, but here {here}; remove it or change that setting");
                Err(self.err(key, Some(&value.span()), message))
            }
        }
    }

    /// A key that must be given; `table` locates the error when it is not.
    pub(crate) fn required<'f, T>(
        &self,
        key: &str,
        field: &'f Opt<T>,
        table: Option<&Span>,
        what: &str,
    ) -> Result<&'f Spanned<T>, ScenarioError> {
        field.as_ref().ok_or_else(|| self.err(key, table, format!("is required: {what}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_reject_non_finite_and_describe_both_ends() {
        let positive = Bounds::new(0.0, false, NO_UPPER, true);
        assert!(SHARE.contains(1.0) && !SHARE.contains(0.0));
        assert!(!positive.contains(f64::INFINITY) && !positive.contains(f64::NAN));
        assert!(FRACTION.contains(0.0) && !FRACTION.contains(1.0));
        assert_eq!(SHARE.describe(), "a finite number > 0 and <= 1");
        assert_eq!(positive.describe(), "a finite number > 0");
        assert_eq!(Bounds::new(1e-9, true, 1e60, false).describe(), "a finite number >= 1e-9 and < 1e60");
    }

    #[test]
    fn numbers_in_messages_are_short() {
        assert_eq!(
            (number(0.0), number(1.5), number(1e9), number(-0.25)),
            ("0".into(), "1.5".into(), "1000000000".into(), "-0.25".into())
        );
        assert_eq!(
            (number(1.7e308), number(5e-324), number(1e16)),
            ("1.7e308".into(), "5e-324".into(), "1e16".into())
        );
    }
}
