//! Lowering of the timeline (`[[events]]`): each event has a `kind`, a time
//! (`at_s`) or a height (`at_height`), and the keys of its kind; a key of
//! another kind is refused with the kind it belongs to.

use toml::Spanned;

use super::check::{Bounds, POSITIVE_QUANTITY, QUANTITY, SHARE};
use super::config::{
    EventAction, EventTrigger, HashChange, MinersConfig, PartitionSide, PoolChange, PoolConfig, StrategyName,
    TimelineEvent,
};
use super::ctx::{Ctx, Span};
use super::error::ScenarioError;
use super::lower_mining::lower_region;
use super::raw::{Opt, RawEvent, Table};
use crate::mining::strategy::Stubbornness;
use crate::net::Region;

/// Most `[[events]]` a scenario may have.
const MAX_EVENTS: usize = 1_000;

/// Event kinds, in documentation order.
const KINDS: [&str; 5] = ["hashrate", "partition", "churn", "latency", "pool"];

/// Pool actions, in documentation order.
const POOL_ACTIONS: [&str; 3] = ["join", "leave", "strategy"];

/// Hash rates: >= 0.
/// `set_hs`: as `mining.hashrate_hs`, at most 1e60 H/s, and 0 stops mining.
const SET_HASHRATE: Bounds = Bounds::new(0.0, true, super::lower_mining::MAX_HASHRATE_HS, true);

/// A share strictly between 0 and 1.
const OPEN_UNIT: Bounds = Bounds::new(0.0, false, 1.0, false);

/// The timeline, checked against the miners it names.
pub(crate) fn lower(
    ctx: &Ctx<'_>,
    tables: Opt<Vec<Spanned<Table<RawEvent>>>>,
    miners: &MinersConfig,
    with_transactions: bool,
) -> Result<Vec<TimelineEvent>, ScenarioError> {
    let Some(tables) = tables else { return Ok(Vec::new()) };
    let span = tables.span();
    let tables = tables.into_inner();
    if tables.len() > MAX_EVENTS {
        let message = format!("at most {MAX_EVENTS} events are allowed, got {}", tables.len());
        return Err(ctx.err("events", Some(&span), message));
    }
    let pools: &[PoolConfig] = match miners {
        MinersConfig::Pools(p) => p,
        MinersConfig::EveryNode { .. } => &[],
    };
    let one = |(i, table): (usize, Spanned<Table<RawEvent>>)| {
        let span = table.span();
        let raw = table.into_inner().0;
        let e = Event { ctx, i, span: &span, raw: &raw, pools, with_transactions };
        e.lower()
    };
    tables.into_iter().enumerate().map(one).collect()
}

/// One `[[events]]` table being lowered.
struct Event<'a> {
    ctx: &'a Ctx<'a>,
    i: usize,
    span: &'a Span,
    raw: &'a RawEvent,
    pools: &'a [PoolConfig],
    with_transactions: bool,
}

impl Event<'_> {
    fn key(&self, field: &str) -> String {
        format!("events[{}].{field}", self.i)
    }

    fn lower(&self) -> Result<TimelineEvent, ScenarioError> {
        let raw = self.raw;
        let what = format!("one of {}", quoted(&KINDS));
        self.ctx.required(&self.key("kind"), &raw.kind, Some(self.span), &what)?;
        let kind = self.ctx.choice(&self.key("kind"), &raw.kind, &KINDS, |k| k, "hashrate")?;
        self.reject_foreign_keys(kind)?;
        let at = self.trigger()?;
        let action = match kind {
            "hashrate" => self.hashrate()?,
            "partition" => self.partition()?,
            "churn" => EventAction::Churn {
                fraction: self.required_float(
                    "fraction",
                    &raw.fraction,
                    SHARE,
                    "the share of non-mining nodes",
                )?,
                duration_s: self.duration()?,
            },
            "latency" => self.latency()?,
            _ => self.pool()?,
        };
        Ok(TimelineEvent { at, action })
    }

    /// Exactly one of `at_s` and `at_height`.
    fn trigger(&self) -> Result<EventTrigger, ScenarioError> {
        let raw = self.raw;
        match (&raw.at_s, &raw.at_height) {
            (Some(_), Some(h)) => {
                let message = "give either at_s or at_height, not both";
                Err(self.ctx.err(&self.key("at_height"), Some(&h.span()), message))
            }
            (None, None) => {
                let message =
                    "is required: when the event happens, at_s (seconds) or at_height (a block height)";
                Err(self.ctx.err(&self.key("at_s"), Some(self.span), message))
            }
            (Some(_), None) => {
                Ok(EventTrigger::Time(self.ctx.float(&self.key("at_s"), &raw.at_s, QUANTITY, 0.0)?))
            }
            (None, Some(_)) => Ok(EventTrigger::Height(self.ctx.int(
                &self.key("at_height"),
                &raw.at_height,
                0u32,
                u32::MAX,
                0,
            )?)),
        }
    }

    /// Keys that belong to other kinds are errors that name their kind.
    fn reject_foreign_keys(&self, kind: &str) -> Result<(), ScenarioError> {
        let raw = self.raw;
        let here = format!("kind = \"{kind}\"");
        // `span` is the key's span, `None` when the key is absent.
        let check = |field: &str, span: Option<Span>, kinds: &[&str]| {
            let Some(span) = span.filter(|_| !kinds.contains(&kind)) else { return Ok(()) };
            let belongs: Vec<String> = kinds.iter().map(|k| format!("kind = \"{k}\"")).collect();
            let message = format!(
                "applies only with {}, but here {here}; remove it or change the kind",
                belongs.join(" or ")
            );
            Err(self.ctx.err(&self.key(field), Some(&span), message))
        };
        check("pool", raw.pool.as_ref().map(Spanned::span), &["hashrate", "pool"])?;
        check("scale", raw.scale.as_ref().map(Spanned::span), &["hashrate"])?;
        check("set_hs", raw.set_hs.as_ref().map(Spanned::span), &["hashrate"])?;
        check("ramp_s", raw.ramp_s.as_ref().map(Spanned::span), &["hashrate"])?;
        check("duration_s", raw.duration_s.as_ref().map(Spanned::span), &["partition", "churn", "latency"])?;
        check("regions", raw.regions.as_ref().map(Spanned::span), &["partition"])?;
        check("fraction", raw.fraction.as_ref().map(Spanned::span), &["partition", "churn"])?;
        check("region", raw.region.as_ref().map(Spanned::span), &["latency"])?;
        check("latency_scale", raw.latency_scale.as_ref().map(Spanned::span), &["latency"])?;
        check("bandwidth_scale", raw.bandwidth_scale.as_ref().map(Spanned::span), &["latency"])?;
        check("action", raw.action.as_ref().map(Spanned::span), &["pool"])?;
        check("strategy", raw.strategy.as_ref().map(Spanned::span), &["pool"])
    }

    fn required_float(
        &self,
        field: &str,
        value: &Opt<super::raw::Float>,
        bounds: Bounds,
        what: &str,
    ) -> Result<f64, ScenarioError> {
        let key = self.key(field);
        self.ctx.required(&key, value, Some(self.span), &format!("{what}, {}", bounds.describe()))?;
        self.ctx.float(&key, value, bounds, 0.0)
    }

    fn duration(&self) -> Result<f64, ScenarioError> {
        self.required_float(
            "duration_s",
            &self.raw.duration_s,
            POSITIVE_QUANTITY,
            "how long it lasts (seconds)",
        )
    }

    /// `pool`, if given, must name a pool; returns it.
    fn pool_name(&self) -> Result<Option<&PoolConfig>, ScenarioError> {
        let Some(name) = &self.raw.pool else { return Ok(None) };
        if let Some(p) = self.pools.iter().find(|p| &p.name == name.get_ref()) {
            return Ok(Some(p));
        }
        let message = if self.pools.is_empty() {
            "needs named pools ([[mining.pool]] tables or a pool preset), not every-node mining".to_string()
        } else {
            let known: Vec<&str> = self.pools.iter().map(|p| p.name.as_str()).collect();
            format!("no pool is named {:?}; pools are {}", name.get_ref(), known.join(", "))
        };
        Err(self.ctx.err(&self.key("pool"), Some(&name.span()), message))
    }

    fn hashrate(&self) -> Result<EventAction, ScenarioError> {
        let raw = self.raw;
        let pool = self.pool_name()?.map(|p| p.name.clone());
        let change = match (&raw.scale, &raw.set_hs) {
            (Some(_), Some(s)) => {
                let message = "give either scale or set_hs, not both";
                return Err(self.ctx.err(&self.key("set_hs"), Some(&s.span()), message));
            }
            (None, None) => {
                let message = "is required: scale (a factor) or set_hs (hashes per second)";
                return Err(self.ctx.err(&self.key("scale"), Some(self.span), message));
            }
            (Some(_), None) => {
                HashChange::Scale(self.ctx.float(&self.key("scale"), &raw.scale, QUANTITY, 1.0)?)
            }
            (None, Some(_)) => {
                HashChange::Set(self.ctx.float(&self.key("set_hs"), &raw.set_hs, SET_HASHRATE, 0.0)?)
            }
        };
        let ramp_s = self.ctx.float(&self.key("ramp_s"), &raw.ramp_s, QUANTITY, 0.0)?;
        Ok(EventAction::Hashrate { pool, change, ramp_s })
    }

    fn partition(&self) -> Result<EventAction, ScenarioError> {
        let raw = self.raw;
        let side = match (&raw.regions, &raw.fraction) {
            (Some(_), Some(f)) => {
                let message = "give either regions or fraction, not both";
                return Err(self.ctx.err(&self.key("fraction"), Some(&f.span()), message));
            }
            (None, None) => {
                let message = "is required: the regions of one side, or fraction (a random share of nodes)";
                return Err(self.ctx.err(&self.key("regions"), Some(self.span), message));
            }
            (Some(list), None) => {
                let mut regions = Vec::new();
                for (j, r) in list.get_ref().iter().enumerate() {
                    let key = format!("{}[{j}]", self.key("regions"));
                    let region = lower_region(self.ctx, &key, r)?;
                    if regions.contains(&region) {
                        return Err(self.ctx.err(
                            &key,
                            Some(&r.span()),
                            format!("region {} is listed twice", region.name()),
                        ));
                    }
                    regions.push(region);
                }
                if regions.is_empty() || regions.len() == Region::ALL.len() {
                    let message =
                        format!("must list 1 to {} regions (one side of the cut)", Region::ALL.len() - 1);
                    return Err(self.ctx.err(&self.key("regions"), Some(&list.span()), message));
                }
                PartitionSide::Regions(regions)
            }
            (None, Some(_)) => PartitionSide::Fraction(self.ctx.float(
                &self.key("fraction"),
                &raw.fraction,
                OPEN_UNIT,
                0.5,
            )?),
        };
        Ok(EventAction::Partition { side, duration_s: self.duration()? })
    }

    fn latency(&self) -> Result<EventAction, ScenarioError> {
        let raw = self.raw;
        if raw.latency_scale.is_none() && raw.bandwidth_scale.is_none() {
            let message = "is required: latency_scale or bandwidth_scale (or both)";
            return Err(self.ctx.err(&self.key("latency_scale"), Some(self.span), message));
        }
        let region = match &raw.region {
            Some(r) => Some(lower_region(self.ctx, &self.key("region"), r)?),
            None => None,
        };
        Ok(EventAction::Latency {
            region,
            latency_scale: self.ctx.float(
                &self.key("latency_scale"),
                &raw.latency_scale,
                POSITIVE_QUANTITY,
                1.0,
            )?,
            bandwidth_scale: self.ctx.float(
                &self.key("bandwidth_scale"),
                &raw.bandwidth_scale,
                POSITIVE_QUANTITY,
                1.0,
            )?,
            duration_s: self.ctx.opt_float(&self.key("duration_s"), &raw.duration_s, POSITIVE_QUANTITY)?,
        })
    }

    fn pool(&self) -> Result<EventAction, ScenarioError> {
        let raw = self.raw;
        self.ctx.required(&self.key("pool"), &raw.pool, Some(self.span), "the name of a pool")?;
        let pool = self.pool_name()?.expect("pool is given");
        let what = format!("one of {}", quoted(&POOL_ACTIONS));
        self.ctx.required(&self.key("action"), &raw.action, Some(self.span), &what)?;
        let action = self.ctx.choice(&self.key("action"), &raw.action, &POOL_ACTIONS, |a| a, "join")?;
        if action != "strategy" {
            let here = format!("action = \"{action}\"");
            self.ctx.absent(&self.key("strategy"), &raw.strategy, "action = \"strategy\"", &here)?;
        }
        let change = match action {
            "join" => PoolChange::Join,
            "leave" => PoolChange::Leave,
            _ => {
                let what = format!("one of {}", quoted(&StrategyName::NAMES));
                let field =
                    self.ctx.required(&self.key("strategy"), &raw.strategy, Some(self.span), &what)?;
                let name = self.ctx.choice(
                    &self.key("strategy"),
                    &raw.strategy,
                    &StrategyName::NAMES,
                    |n| n,
                    "honest",
                )?;
                let strategy = match name {
                    "honest" => StrategyName::Honest,
                    "selfish" => StrategyName::Selfish,
                    "timewarp" => StrategyName::Timewarp,
                    _ => StrategyName::Stubborn(Stubbornness { lead: true, equal_fork: false, trail: 0 }),
                };
                let refuse = |why: &str| {
                    let message = format!("strategy = \"{name}\" {why}");
                    Err(self.ctx.err(&self.key("strategy"), Some(&field.span()), message))
                };
                if strategy.withholds() && self.with_transactions {
                    return refuse("is not supported with [transactions] yet");
                }
                if strategy.withholds() && !pool.gateways.is_empty() {
                    return refuse("needs a pool without gateways");
                }
                if strategy.withholds() && pool.spv_mining {
                    return refuse("needs a pool without spv_mining");
                }
                PoolChange::Strategy(strategy)
            }
        };
        Ok(EventAction::Pool { pool: pool.name.clone(), change })
    }
}

/// `"a", "b"` for error messages.
fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}
