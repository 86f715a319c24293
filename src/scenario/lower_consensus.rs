//! Lowering of the consensus rules: `[consensus]` with its `[[consensus.activation]]` rule
//! changes, and the `[[node_group]]`s that run rules of their own.
//!
//! A rule set is lowered from one raw table. An activation's `set` and a group's `consensus`
//! replace keys of the rules they start from, so they are merged with those rules' raw keys
//! first and the merged table is lowered like `[consensus]` (a table that names `difficulty`
//! brings its own algorithm settings: `asert_half_life_s`, `lwma_window` and `clamp_factor` are
//! not inherited across algorithms).

use toml::Spanned;

use super::check::UNIT;
use super::config::{Activation, ConsensusConfig, DifficultyName, MinersConfig, NodeGroup, Rules};
use super::ctx::{Ctx, Span};
use super::error::ScenarioError;
use super::lower::{MAX_MONEY_SAT, open, valid_name};
use super::names::{DIFFICULTIES, DifficultyKind, difficulty_name};
use super::raw::{Opt, RawActivation, RawConsensus, RawNodeGroup, Table};
use crate::consensus::BchCw144;

/// Largest LWMA window: the generated history holds `window + 1` blocks, and every node keeps
/// state per history block.
pub(crate) const MAX_LWMA_WINDOW: u32 = 1000;

/// Most activations per rule set.
const MAX_ACTIVATIONS: usize = 100;

/// Most node groups (with the scenario's own rules, the tree judges every block this many
/// times plus one).
pub(crate) const MAX_NODE_GROUPS: usize = 16;

/// The name reports give the scenario's own rules; no group may take it.
pub const DEFAULT_RULES_NAME: &str = "default";

type RawGroups = Opt<Vec<Spanned<Table<RawNodeGroup>>>>;

/// `[consensus]` and the node groups, checked together: the start height must suit every
/// algorithm any of them runs, and every activation must lie above it.
pub(crate) fn lower(
    ctx: &Ctx<'_>,
    consensus: Opt<Table<RawConsensus>>,
    groups: RawGroups,
    miners: &MinersConfig,
) -> Result<(ConsensusConfig, Vec<NodeGroup>), ScenarioError> {
    let (raw, _) = open(consensus);
    let rules = lower_rules(ctx, "consensus", &raw)?;
    let activation = lower_activations(ctx, "consensus", &raw, &raw.activation)?;
    let mut schedules = vec![Schedule { rules: &rules, activation: &activation }];
    let node_groups = lower_groups(ctx, groups, &raw, miners)?;
    for g in &node_groups {
        schedules.push(Schedule { rules: &g.rules, activation: &g.activation });
    }
    let start_height = lower_start_height(ctx, &raw, &schedules)?;
    for s in &schedules {
        for (a, span) in s.activation {
            if a.height <= start_height {
                let message =
                    format!("must be above consensus.start_height = {start_height}; got {}", a.height);
                return Err(ctx.err(&span.key, Some(&span.span), message));
            }
        }
    }
    let strip = |acts: Vec<(Activation, Located)>| acts.into_iter().map(|(a, _)| a).collect();
    let consensus = ConsensusConfig { rules, activation: strip(activation), start_height };
    let node_groups = node_groups
        .into_iter()
        .map(|g| NodeGroup {
            name: g.name,
            share: g.share,
            pools: g.pools,
            rules: g.rules,
            activation: strip(g.activation),
        })
        .collect();
    Ok((consensus, node_groups))
}

/// A key's name and where it is, kept until the start height is known.
struct Located {
    key: String,
    span: Span,
}

/// One rule set's rules as lowered, before the start height is known.
struct Schedule<'a> {
    rules: &'a Rules,
    activation: &'a [(Activation, Located)],
}

/// A node group before the start height is known.
struct Group {
    name: String,
    share: f64,
    pools: Vec<usize>,
    rules: Rules,
    activation: Vec<(Activation, Located)>,
}

/// The rules of one raw table whose keys are named `{prefix}.key`.
fn lower_rules(ctx: &Ctx<'_>, prefix: &str, raw: &RawConsensus) -> Result<Rules, ScenarioError> {
    let key = |k: &str| format!("{prefix}.{k}");
    let rules = Rules {
        block_interval_s: ctx.int(&key("block_interval_s"), &raw.block_interval_s, 1u32, 86_400, 600)?,
        difficulty: lower_difficulty(ctx, prefix, raw)?,
        retarget_interval: ctx.int(&key("retarget_interval"), &raw.retarget_interval, 2u32, 100_000, 2016)?,
        clamp_factor: ctx.int(&key("clamp_factor"), &raw.clamp_factor, 1u32, 1000, 4)?,
        max_block_weight: ctx.int(
            &key("max_block_weight"),
            &raw.max_block_weight,
            4000u64,
            4_000_000_000,
            4_000_000,
        )?,
        halving_interval: ctx.int(
            &key("halving_interval"),
            &raw.halving_interval,
            1u32,
            u32::MAX,
            210_000,
        )?,
        initial_subsidy_sat: ctx.int(
            &key("initial_subsidy_sat"),
            &raw.initial_subsidy_sat,
            0u64,
            MAX_MONEY_SAT,
            5_000_000_000,
        )?,
        mtp_window: ctx.int(&key("mtp_window"), &raw.mtp_window, 1u32, 1001, 11)?,
        max_future_block_time_s: ctx.int(
            &key("max_future_block_time_s"),
            &raw.max_future_block_time_s,
            0u32,
            u32::MAX,
            7200,
        )?,
    };
    check_timespan(ctx, prefix, raw, &rules)?;
    Ok(rules)
}

/// Core's retarget clamps the span it measures to at least `timespan / clamp_factor` whole
/// seconds, the timespan being `retarget_interval × block_interval_s`. When the timespan is
/// shorter than `clamp_factor` seconds that bound is 0, and a period whose blocks share a
/// timestamp sets the target to 0, which no block can meet: the chain stops for good.
fn check_timespan(
    ctx: &Ctx<'_>,
    prefix: &str,
    raw: &RawConsensus,
    rules: &Rules,
) -> Result<(), ScenarioError> {
    let timespan = u64::from(rules.retarget_interval) * u64::from(rules.block_interval_s);
    if !rules.difficulty.is_bitcoin_retarget() || timespan >= u64::from(rules.clamp_factor) {
        return Ok(());
    }
    // The defaults satisfy the bound, so at least one of the three keys is given.
    let given = [
        ("retarget_interval", raw.retarget_interval.as_ref().map(Spanned::span)),
        ("block_interval_s", raw.block_interval_s.as_ref().map(Spanned::span)),
        ("clamp_factor", raw.clamp_factor.as_ref().map(Spanned::span)),
    ];
    let (field, span) =
        given.into_iter().find(|(_, span)| span.is_some()).unwrap_or(("retarget_interval", None));
    let message = format!(
        "the retarget timespan retarget_interval × block_interval_s = {} × {} = {timespan} s must be at least \
         clamp_factor = {} s: below that the retarget's lower clamp (timespan / clamp_factor, in whole seconds) \
         is 0 s, and a period mined within one second would set the target to 0, which no block can meet",
        rules.retarget_interval, rules.block_interval_s, rules.clamp_factor
    );
    Err(ctx.err(&format!("{prefix}.{field}"), span.as_ref(), message))
}

/// The difficulty algorithm and its settings. A setting of another algorithm is an error that
/// names the algorithm it belongs to, and so is `clamp_factor` with an algorithm that does not
/// retarget as Bitcoin does.
fn lower_difficulty(
    ctx: &Ctx<'_>,
    prefix: &str,
    raw: &RawConsensus,
) -> Result<DifficultyName, ScenarioError> {
    let key = |k: &str| format!("{prefix}.{k}");
    let kind = ctx.choice(
        &key("difficulty"),
        &raw.difficulty,
        &DIFFICULTIES,
        difficulty_name,
        DifficultyKind::Bitcoin,
    )?;
    let here = format!("difficulty = \"{}\"", difficulty_name(&kind));
    if kind != DifficultyKind::Asert {
        ctx.absent(&key("asert_half_life_s"), &raw.asert_half_life_s, "difficulty = \"asert\"", &here)?;
    }
    if kind != DifficultyKind::Lwma {
        ctx.absent(&key("lwma_window"), &raw.lwma_window, "difficulty = \"lwma\"", &here)?;
    }
    let difficulty = match kind {
        DifficultyKind::Bitcoin => DifficultyName::Bitcoin,
        DifficultyKind::BitcoinBip94 => DifficultyName::BitcoinBip94,
        DifficultyKind::Asert => DifficultyName::Asert {
            half_life_s: ctx.int(
                &key("asert_half_life_s"),
                &raw.asert_half_life_s,
                1u32,
                1_000_000_000,
                172_800,
            )?,
        },
        DifficultyKind::BchCw144 => DifficultyName::BchCw144,
        DifficultyKind::BchEda => DifficultyName::BchEda,
        DifficultyKind::Lwma => DifficultyName::Lwma {
            window: ctx.int(&key("lwma_window"), &raw.lwma_window, 2u32, MAX_LWMA_WINDOW, 60)?,
        },
        DifficultyKind::Fixed => DifficultyName::Fixed,
    };
    if !difficulty.is_bitcoin_retarget() {
        let belongs = "difficulty = \"bitcoin\", \"bitcoin-bip94\" or \"bch-eda\" \
                       (the algorithms that retarget as Bitcoin does)";
        ctx.absent(&key("clamp_factor"), &raw.clamp_factor, belongs, &here)?;
    }
    Ok(difficulty)
}

/// `over`'s rule keys, and `base`'s where `over` has none. A table that names `difficulty`
/// keeps only its own algorithm settings. Neither the start height nor activations are rules.
fn inherit(base: &RawConsensus, over: &RawConsensus) -> RawConsensus {
    fn pick<T: Clone>(over: &Opt<T>, base: &Opt<T>) -> Opt<T> {
        over.clone().or_else(|| base.clone())
    }
    let own_algorithm = over.difficulty.is_some();
    let algorithm_setting =
        |over: &Opt<_>, base: &Opt<_>| if own_algorithm { over.clone() } else { pick(over, base) };
    RawConsensus {
        block_interval_s: pick(&over.block_interval_s, &base.block_interval_s),
        difficulty: pick(&over.difficulty, &base.difficulty),
        asert_half_life_s: algorithm_setting(&over.asert_half_life_s, &base.asert_half_life_s),
        lwma_window: algorithm_setting(&over.lwma_window, &base.lwma_window),
        clamp_factor: algorithm_setting(&over.clamp_factor, &base.clamp_factor),
        retarget_interval: pick(&over.retarget_interval, &base.retarget_interval),
        max_block_weight: pick(&over.max_block_weight, &base.max_block_weight),
        halving_interval: pick(&over.halving_interval, &base.halving_interval),
        initial_subsidy_sat: pick(&over.initial_subsidy_sat, &base.initial_subsidy_sat),
        mtp_window: pick(&over.mtp_window, &base.mtp_window),
        max_future_block_time_s: pick(&over.max_future_block_time_s, &base.max_future_block_time_s),
        start_height: None,
        activation: None,
    }
}

/// True if the table names no rule key.
fn no_rules(raw: &RawConsensus) -> bool {
    let r = inherit(&RawConsensus::default(), raw);
    [
        r.block_interval_s.is_none(),
        r.difficulty.is_none(),
        r.asert_half_life_s.is_none(),
        r.lwma_window.is_none(),
        r.clamp_factor.is_none(),
        r.retarget_interval.is_none(),
        r.max_block_weight.is_none(),
        r.halving_interval.is_none(),
        r.initial_subsidy_sat.is_none(),
        r.mtp_window.is_none(),
        r.max_future_block_time_s.is_none(),
    ]
    .iter()
    .all(|&absent| absent)
}

/// The activations listed at `{prefix}.activation`, each applied on top of the rules before it,
/// starting from `base`. Heights must increase; whether they lie above the start height is
/// checked once the start height is known.
fn lower_activations(
    ctx: &Ctx<'_>,
    prefix: &str,
    base: &RawConsensus,
    list: &Opt<Vec<Spanned<Table<RawActivation>>>>,
) -> Result<Vec<(Activation, Located)>, ScenarioError> {
    let Some(list) = list else { return Ok(Vec::new()) };
    if list.get_ref().len() > MAX_ACTIVATIONS {
        let message =
            format!("at most {MAX_ACTIVATIONS} activations are allowed, got {}", list.get_ref().len());
        return Err(ctx.err(&format!("{prefix}.activation"), Some(&list.span()), message));
    }
    let mut rules_raw = base.clone();
    let mut out: Vec<(Activation, Located)> = Vec::new();
    for (i, table) in list.get_ref().iter().enumerate() {
        let here = format!("{prefix}.activation[{i}]");
        let span = table.span();
        let raw = &table.get_ref().0;
        let height_key = format!("{here}.height");
        let given =
            ctx.required(&height_key, &raw.height, Some(&span), "the first height the new rules judge")?;
        let height = ctx.int(&height_key, &raw.height, 1u32, 100_000_000, 0)?;
        if let Some((last, _)) = out.last()
            && height <= last.height
        {
            let message = format!(
                "activations must be listed in increasing height: {height} is not above {prefix}.activation[{}].height = {}",
                i - 1,
                last.height
            );
            return Err(ctx.err(&height_key, Some(&given.span()), message));
        }
        let set_key = format!("{here}.set");
        let set =
            ctx.required(&set_key, &raw.set, Some(&span), "a table of the [consensus] keys that change")?;
        let set_raw = &set.get_ref().0;
        if let Some(v) = &set_raw.start_height {
            let message =
                "the start height belongs to [consensus] alone; an activation changes rules above it";
            return Err(ctx.err(&format!("{set_key}.start_height"), Some(&v.span()), message));
        }
        if let Some(v) = &set_raw.activation {
            let message = "activations do not nest; list every rule change in [[consensus.activation]]";
            return Err(ctx.err(&format!("{set_key}.activation"), Some(&v.span()), message));
        }
        if no_rules(set_raw) {
            let message = "names no rule; give at least one [consensus] key that changes at this height";
            return Err(ctx.err(&set_key, Some(&set.span()), message));
        }
        rules_raw = inherit(&rules_raw, set_raw);
        let rules = lower_rules(ctx, &set_key, &rules_raw)?;
        if let DifficultyName::Lwma { window } = rules.difficulty
            && height <= window
        {
            let message = format!(
                "must be above lwma_window = {window} when the activation runs difficulty = \"lwma\" \
                 (below height {window} LWMA gives powLimit blocks); got {height}"
            );
            return Err(ctx.err(&height_key, Some(&given.span()), message));
        }
        out.push((Activation { height, rules }, Located { key: height_key, span: given.span() }));
    }
    Ok(out)
}

/// The node groups: names, shares and pools checked, each group's rules lowered from the
/// scenario's with its `consensus` keys replaced. A group without its own `activation` list
/// takes the scenario's activations, applied on top of its own rules.
fn lower_groups(
    ctx: &Ctx<'_>,
    tables: RawGroups,
    base: &RawConsensus,
    miners: &MinersConfig,
) -> Result<Vec<Group>, ScenarioError> {
    let Some(tables) = tables else { return Ok(Vec::new()) };
    let list_span = tables.span();
    let tables = tables.into_inner();
    if tables.len() > MAX_NODE_GROUPS {
        let message = format!("at most {MAX_NODE_GROUPS} node groups are allowed, got {}", tables.len());
        return Err(ctx.err("node_group", Some(&list_span), message));
    }
    let pool_names: Vec<&str> = match miners {
        MinersConfig::Pools(p) => p.iter().map(|p| p.name.as_str()).collect(),
        MinersConfig::EveryNode { .. } => Vec::new(),
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut pool_group: Vec<Option<usize>> = vec![None; pool_names.len()];
    let mut share_total = 0.0;
    for (i, table) in tables.iter().enumerate() {
        let here = format!("node_group[{i}]");
        let key = |k: &str| format!("{here}.{k}");
        let span = table.span();
        let raw = &table.get_ref().0;
        let what = "1 to 64 characters from A-Z a-z 0-9 . _ - (not only dots)";
        let name = ctx.required(&key("name"), &raw.name, Some(&span), &format!("a string of {what}"))?;
        if !valid_name(name.get_ref()) || name.get_ref() == DEFAULT_RULES_NAME {
            let message = format!(
                "must be {what}, and not \"{DEFAULT_RULES_NAME}\" (the scenario's own rules); got {:?}",
                name.get_ref()
            );
            return Err(ctx.err(&key("name"), Some(&name.span()), message));
        }
        if let Some(j) = groups.iter().position(|g| g.name == *name.get_ref()) {
            let message = format!("{:?} is already the name of node_group[{j}]", name.get_ref());
            return Err(ctx.err(&key("name"), Some(&name.span()), message));
        }
        let share = ctx.float(&key("share"), &raw.share, UNIT, 0.0)?;
        share_total += share;
        if share_total > 1.0 + 1e-9 {
            let at = raw.share.as_ref().map(Spanned::span);
            let message = format!("the groups' shares sum to {share_total}, above 1");
            return Err(ctx.err(&key("share"), at.as_ref(), message));
        }
        let mut pools = Vec::new();
        if let Some(list) = &raw.pools {
            if matches!(miners, MinersConfig::EveryNode { .. }) && !list.get_ref().is_empty() {
                let message =
                    "names pools, but every node mines (mining.every_node); put miners in groups with share";
                return Err(ctx.err(&key("pools"), Some(&list.span()), message));
            }
            for p in list.get_ref() {
                let Some(index) = pool_names.iter().position(|n| *n == p.get_ref().as_str()) else {
                    let message = format!(
                        "names {:?}, which is not a pool; pools: {}",
                        p.get_ref(),
                        pool_names.join(", ")
                    );
                    return Err(ctx.err(&key("pools"), Some(&p.span()), message));
                };
                if let Some(j) = pool_group[index] {
                    let message = format!(
                        "pool {:?} is already in node_group[{j}]; a pool runs one set of rules",
                        p.get_ref()
                    );
                    return Err(ctx.err(&key("pools"), Some(&p.span()), message));
                }
                pool_group[index] = Some(i);
                pools.push(index);
            }
        }
        if share == 0.0 && pools.is_empty() {
            let message = "has no members: give it a share of the nodes, pools, or both";
            return Err(ctx.err(&here, Some(&span), message));
        }
        let (own, own_span) = match &raw.consensus {
            Some(t) => (t.get_ref().0.clone(), Some(t.span())),
            None => (RawConsensus::default(), None),
        };
        if let Some(v) = &own.start_height {
            let message =
                "the start height belongs to [consensus] alone: every group starts from the same history";
            return Err(ctx.err(&key("consensus.start_height"), Some(&v.span()), message));
        }
        if no_rules(&own) && own.activation.is_none() {
            let message = "the group runs the scenario's rules: give its consensus table the keys it runs differently \
                           (an activation = [] list keeps it off the scenario's rule changes)";
            return Err(ctx.err(&key("consensus"), own_span.as_ref().or(Some(&span)), message));
        }
        let prefix = key("consensus");
        let rules_raw = inherit(base, &own);
        let rules = lower_rules(ctx, &prefix, &rules_raw)?;
        let activation = match &own.activation {
            Some(_) => lower_activations(ctx, &prefix, &rules_raw, &own.activation)?,
            None => lower_activations(ctx, "consensus", &rules_raw, &base.activation)?,
        };
        groups.push(Group { name: name.get_ref().clone(), share, pools, rules, activation });
    }
    Ok(groups)
}

/// The start height: by default `retarget_interval`, raised so that the generated history holds
/// the window of cw-144 (147 blocks) or LWMA (N + 1) of any rules run from the start. LWMA gives
/// powLimit below height N, which at any realistic hash rate is a flood of instant blocks, so a
/// start height that leaves its window short is an error; cw-144 only keeps the start difficulty
/// until its window exists.
fn lower_start_height(
    ctx: &Ctx<'_>,
    raw: &RawConsensus,
    schedules: &[Schedule<'_>],
) -> Result<u32, ScenarioError> {
    let window_blocks = |d: &DifficultyName| match d {
        DifficultyName::BchCw144 => BchCw144::HISTORY_BLOCKS,
        DifficultyName::Lwma { window } => window + 1,
        _ => 0,
    };
    let at_start = || schedules.iter().map(|s| s.rules);
    let widest = at_start().map(|r| window_blocks(&r.difficulty)).max().unwrap_or(0);
    let key = "consensus.start_height";
    let retarget_interval = schedules[0].rules.retarget_interval;
    let start_height = ctx.int(key, &raw.start_height, 1u32, 100_000_000, retarget_interval.max(widest))?;
    if let Some(given) = &raw.start_height {
        for rules in at_start() {
            if let DifficultyName::Lwma { window } = rules.difficulty
                && start_height <= window
            {
                let message = format!(
                    "must be above lwma_window = {window} with difficulty = \"lwma\", so that the history below the \
                     start holds the {} blocks of its window (below height {window} LWMA gives powLimit \
                     blocks); got {start_height}",
                    window + 1
                );
                return Err(ctx.err(key, Some(&given.span()), message));
            }
        }
    }
    Ok(start_height)
}
