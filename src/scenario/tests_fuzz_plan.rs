//! A generator of coherent scenarios for the input-boundary property tests:
//! every table of the schema, each key only where it applies (a preset's,
//! topology's, algorithm's or strategy's own keys, pools that exist, heights
//! above the start), so that most of them are valid and the deeper checks
//! and the resolved TOML round trip are reached. [`Gen::perturb`] then
//! changes a few values, deletes keys or adds keys where they may not
//! belong, to hit each check with an otherwise valid scenario around it.

use super::tests_fuzz_gen::{Gen, Node, quoted};

/// The keys of a table being built.
pub(crate) type Entries = Vec<(String, Node)>;

const REGIONS: [&str; 6] = ["NA", "EU", "SA", "AP", "JP", "AU"];

fn put(t: &mut Entries, key: &str, node: Node) {
    t.push((key.to_string(), node));
}

fn val(text: impl std::fmt::Display) -> Node {
    Node::Value(text.to_string())
}

/// A float in Rust's shortest round-trip form, which TOML reads back.
fn num(x: f64) -> Node {
    Node::Value(format!("{x:?}"))
}

fn text(s: &str) -> Node {
    Node::Value(quoted(s))
}

fn list(items: &[String]) -> Node {
    let quoted: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    Node::Value(format!("[{}]", quoted.join(", ")))
}

/// What a scenario chose so far, for the keys that depend on it.
#[derive(Default)]
struct Plan {
    nodes: u32,
    with_transactions: bool,
    every_node: bool,
    /// Names of the pools (explicit or from a preset), and whether each may
    /// switch to a withholding strategy (no gateways, no SPV mining).
    pools: Vec<(String, bool)>,
    /// The start height, when written.
    start_height: Option<u32>,
    /// Lowest allowed block weight limit (blocks must fit every rule set).
    min_weight: u64,
}

impl Gen {
    fn log_int(&mut self, lo: u64, hi: u64) -> u64 {
        let span = (hi - lo) as f64 + 1.0;
        (lo + span.powf(self.rng.unit()) as u64 - 1).clamp(lo, hi)
    }

    /// Mostly log-uniform in `lo..=hi` (`lo > 0`), sometimes an end.
    fn log_float(&mut self, lo: f64, hi: f64) -> f64 {
        match self.below(10) {
            0 => lo,
            1 => hi,
            _ => (lo.ln() + (hi.ln() - lo.ln()) * self.rng.unit()).exp().clamp(lo, hi),
        }
    }

    /// A value in `[lo, hi)` (`hi` excluded, `lo` included).
    fn unit_float(&mut self, lo: f64, hi: f64) -> f64 {
        if self.chance(0.1) { lo } else { lo + (hi - lo) * self.rng.unit() }
    }

    /// A coherent scenario: mostly valid, with every table in play.
    pub(crate) fn coherent(&mut self) -> Entries {
        let mut plan = Plan {
            nodes: self.pick(&[2, 3, 10, 16, 30, 100, 1000, 20_000]),
            with_transactions: self.chance(0.35),
            min_weight: 4_000,
            ..Plan::default()
        };
        let mut top = Entries::new();
        put(&mut top, "name", text(self.pick(&["fz", "a.b_c-1", "x"])));
        if self.chance(0.3) {
            put(&mut top, "description", text(self.pick(&["", "a run", "é\u{1F600}\\\"'"])));
        }
        if self.chance(0.4) {
            put(&mut top, "seed", val(self.log_int(0, u64::MAX)));
        }
        let mining = self.mining(&mut plan);
        let blocks = if plan.with_transactions { None } else { Some(self.blocks(&mut plan)) };
        self.maybe_table(&mut top, "stop", 0.6, |g| g.stop());
        self.maybe_table(&mut top, "network", 1.0, |g| g.network(&plan));
        self.maybe_table(&mut top, "relay", 0.4, |g| g.relay());
        let consensus = self.consensus(&mut plan);
        put(&mut top, "consensus", Node::Table(consensus));
        if let Some(blocks) = blocks {
            put(&mut top, "blocks", Node::Table(blocks));
        }
        put(&mut top, "mining", Node::Table(mining));
        if plan.pools.len() >= 2 && !plan.every_node && self.chance(0.3) {
            let table = self.relay_network(&plan);
            put(&mut top, "relay_network", Node::Table(table));
        }
        if plan.with_transactions {
            let tx = self.transactions(&plan);
            put(&mut top, "transactions", Node::Table(tx));
            self.maybe_table(&mut top, "mempool", 0.5, |g| g.mempool());
        }
        self.maybe_table(&mut top, "output", 0.3, |g| g.output(&plan));
        self.events(&mut top, &plan);
        self.node_groups(&mut top, &plan);
        if self.chance(0.3) {
            self.rng.shuffle(&mut top);
        }
        top
    }

    /// Adds table `key`, built by `build`, with probability `p`.
    fn maybe_table(&mut self, top: &mut Entries, key: &str, p: f64, build: impl FnOnce(&mut Gen) -> Entries) {
        if self.chance(p) {
            let entries = build(self);
            put(top, key, Node::Table(entries));
        }
    }

    fn stop(&mut self) -> Entries {
        let mut t = Entries::new();
        match self.below(4) {
            0 => put(&mut t, "blocks", val(self.log_int(1, 10_000_000))),
            1 => put(&mut t, "sim_time_s", num(self.log_float(1e-9, 1e9))),
            2 => {
                put(&mut t, "blocks", val(self.log_int(1, 10_000_000)));
                put(&mut t, "sim_time_s", num(self.log_float(1e-3, 1e9)));
            }
            _ => {}
        }
        if self.chance(0.4) {
            put(&mut t, "drain_s", num(self.unit_float(0.0, 1e9)));
        }
        if self.chance(0.3) {
            put(&mut t, "max_events", val(self.log_int(1, u64::MAX >> 1)));
        }
        t
    }

    fn network(&mut self, plan: &Plan) -> Entries {
        let mut t = Entries::new();
        put(&mut t, "nodes", val(plan.nodes));
        let preset = self.pick(&["bitcoin-2015", "bitcoin-2019", "ideal", ""]);
        if !preset.is_empty() {
            put(&mut t, "preset", text(preset));
        }
        if preset == "ideal" && self.chance(0.6) {
            put(&mut t, "latency_ms", num(self.log_float(1e-6, 1e9)));
        }
        let jitter = self.pick(&["none", "pareto", "lognormal", ""]);
        if !jitter.is_empty() {
            put(&mut t, "jitter", text(jitter));
        }
        if jitter == "lognormal" && self.chance(0.6) {
            put(&mut t, "jitter_sigma", num(self.log_float(1e-3, 3.0)));
        }
        if self.chance(0.2) {
            put(&mut t, "clock_skew_sd_s", num(self.unit_float(0.0, 86_400.0)));
        }
        self.topology(&mut t, plan.nodes);
        t
    }

    fn topology(&mut self, t: &mut Entries, nodes: u32) {
        match self.below(6) {
            0 => {
                put(t, "topology", text("bitcoin-core"));
                let full = self.log_int(0, 20);
                let block = self.log_int(u64::from(full == 0), 4);
                if self.chance(0.5) {
                    put(t, "outbound_full_relay", val(full));
                    put(t, "outbound_block_relay", val(block));
                    put(
                        t,
                        "max_connections",
                        val(self.log_int(full + block + 1, 100_000.max(full + block + 1))),
                    );
                }
                if self.chance(0.3) {
                    put(t, "non_listening_fraction", num(self.unit_float(0.0, 1.0)));
                }
            }
            1 => put(t, "topology", text("degree-2015")),
            2 => put(t, "topology", text("complete")),
            3 => {
                put(t, "topology", text("random-regular"));
                let degrees: Vec<u32> =
                    (1..nodes.min(64)).filter(|d| u64::from(nodes) * u64::from(*d) % 2 == 0).collect();
                if nodes <= 8 || self.chance(0.5) {
                    put(t, "degree", val(degrees[self.below(degrees.len())]));
                }
            }
            4 if nodes >= 10 => {
                put(t, "topology", text("file"));
                put(t, "topology_file", text(self.pick(&["g.csv", "data/g.csv"])));
            }
            _ => {}
        }
    }

    fn relay(&mut self) -> Entries {
        let mut t = Entries::new();
        if self.chance(0.7) {
            put(&mut t, "protocol", text(self.pick(&["legacy", "headers", "compact", "unsolicited"])));
        }
        if self.chance(0.3) {
            put(&mut t, "high_bandwidth_peers", val(self.log_int(0, 8)));
        }
        if self.chance(0.3) {
            put(&mut t, "validation_ms", num(self.unit_float(0.0, 1e9)));
        }
        if self.chance(0.3) {
            put(&mut t, "validation_ms_per_mb", num(self.unit_float(0.0, 1e9)));
        }
        t
    }
}

/// The rule keys that an activation or a node group may set, with the
/// difficulty algorithms' own settings handled apart.
const RULE_KEYS: [&str; 8] = [
    "block_interval_s",
    "retarget_interval",
    "max_block_weight",
    "halving_interval",
    "initial_subsidy_sat",
    "mtp_window",
    "max_future_block_time_s",
    "difficulty",
];

const DIFFICULTIES: [&str; 7] =
    ["bitcoin", "bitcoin-bip94", "asert", "bch-cw144", "bch-eda", "lwma", "fixed"];

impl Gen {
    /// `[consensus]`: some rules, a start height when needed, activations.
    fn consensus(&mut self, plan: &mut Plan) -> Entries {
        let mut t = Entries::new();
        let activations = self.pick(&[0, 0, 1, 2, 3]);
        if activations > 0 || self.chance(0.3) {
            plan.start_height = Some(self.log_int(1, 100_000) as u32);
        }
        let keys = self.below(4);
        self.rules(&mut t, plan, keys, None);
        if plan.min_weight > 4_000_000 && !t.iter().any(|(k, _)| k == "max_block_weight") {
            put(&mut t, "max_block_weight", val(self.log_int(plan.min_weight, 4_000_000_000)));
        }
        if let Some(start) = plan.start_height {
            put(&mut t, "start_height", val(start));
        }
        if activations > 0 {
            let list = self.activations(plan, activations);
            put(&mut t, "activation", list);
        }
        t
    }

    /// `count` rule keys (an algorithm with its settings counts as one).
    /// Below `max_height` LWMA's window fits (`None`: the start height).
    fn rules(&mut self, t: &mut Entries, plan: &Plan, count: usize, max_height: Option<u32>) {
        let mut keys = RULE_KEYS.to_vec();
        self.rng.shuffle(&mut keys);
        for key in keys.into_iter().take(count) {
            let value = match key {
                "block_interval_s" => val(self.log_int(1, 86_400)),
                "retarget_interval" => val(self.log_int(2, 100_000)),
                "max_block_weight" => val(self.log_int(plan.min_weight, 4_000_000_000)),
                "halving_interval" => val(self.log_int(1, u64::from(u32::MAX))),
                "initial_subsidy_sat" => val(self.log_int(0, 2_100_000_000_000_000)),
                "mtp_window" => val(self.log_int(1, 1001)),
                "max_future_block_time_s" => val(self.log_int(0, u64::from(u32::MAX))),
                _ => {
                    self.difficulty(t, max_height.or(plan.start_height));
                    continue;
                }
            };
            put(t, key, value);
        }
    }

    /// A difficulty algorithm and maybe its settings; LWMA only when its
    /// window fits below `height`.
    fn difficulty(&mut self, t: &mut Entries, height: Option<u32>) {
        let mut name = self.pick(&DIFFICULTIES);
        if name == "lwma" && height.is_none_or(|h| h <= 2) {
            name = "asert";
        }
        put(t, "difficulty", text(name));
        if self.chance(0.5) {
            match name {
                "asert" => put(t, "asert_half_life_s", val(self.log_int(1, 1_000_000_000))),
                "lwma" => {
                    let top = height.map_or(2, |h| u64::from(h - 1).min(1000));
                    put(t, "lwma_window", val(self.log_int(2, top)));
                }
                "bitcoin" | "bitcoin-bip94" | "bch-eda" => put(t, "clamp_factor", val(self.log_int(1, 1000))),
                _ => {}
            }
        } else if name == "lwma" && height.is_some_and(|h| h <= 60) {
            // The default window of 60 would not fit.
            put(t, "lwma_window", val(2));
        }
    }

    /// `count` activations at increasing heights above the start.
    fn activations(&mut self, plan: &Plan, count: usize) -> Node {
        let mut height = plan.start_height.unwrap_or(2016);
        let mut tables = Vec::new();
        for _ in 0..count {
            height = height.saturating_add(self.log_int(1, 1_000_000) as u32).min(100_000_000);
            let mut set = Entries::new();
            let keys = 1 + self.below(3);
            self.rules(&mut set, plan, keys, Some(height));
            let mut table = Entries::new();
            put(&mut table, "height", val(height));
            put(&mut table, "set", Node::Table(set));
            tables.push(table);
        }
        Node::Tables(tables)
    }

    fn blocks(&mut self, plan: &mut Plan) -> Entries {
        let mut t = Entries::new();
        if self.chance(0.3) {
            put(&mut t, "full", val(true));
        } else if self.chance(0.5) {
            let size = self.log_int(81, 100_000_000);
            put(&mut t, "size_bytes", val(size));
            plan.min_weight = plan.min_weight.max(4 * size);
        } else {
            plan.min_weight = 4 * 535_000;
        }
        if self.chance(0.3) {
            put(&mut t, "mean_tx_bytes", val(self.log_int(60, 400_000)));
        }
        if self.chance(0.3) {
            put(&mut t, "witness_fraction", num(self.unit_float(0.0, 1.0)));
        }
        if !t.iter().any(|(k, _)| k == "full") {
            // A block weighs at most 4 bytes per byte; witness bytes weigh less.
            plan.min_weight = plan.min_weight.max(4 * 535_000);
        }
        t
    }
}

/// Pool shares that sum to 1 exactly in decimal.
const SHARES: [&[&str]; 5] = [&["1"], &["0.5", "0.5"], &["0.5", "0.25", "0.25"], &["0.25"; 4], &["0.2"; 5]];

impl Gen {
    /// `[mining]`: a preset, every node, or explicit pools with their
    /// strategies, links and gateways; raises the node count to fit them.
    fn mining(&mut self, plan: &mut Plan) -> Entries {
        let mut t = Entries::new();
        if self.chance(0.3) {
            put(&mut t, "hashrate_hs", num(self.log_float(1e-3, 1e30)));
        }
        if plan.with_transactions && self.chance(0.3) {
            put(&mut t, "template_refresh_s", num(self.unit_float(0.0, 1e9)));
        }
        match self.below(5) {
            0 => {
                plan.nodes = plan.nodes.max(16);
                if self.chance(0.5) {
                    put(&mut t, "pools", text("bitcoin-2015"));
                }
                plan.pools = (1..=16).map(|i| (format!("pool-{i:02}"), true)).collect();
            }
            1 => {
                plan.nodes = plan.nodes.max(25);
                put(&mut t, "pools", text("bitcoin-2026"));
                plan.pools =
                    ["foundry-usa", "antpool", "f2pool", "solo-13"].map(|n| (n.to_string(), true)).into();
            }
            2 => {
                plan.every_node = true;
                put(&mut t, "pools", text("every-node"));
                if self.chance(0.5) {
                    put(&mut t, "every_node_sd", num(self.unit_float(0.0, 1.0)));
                }
            }
            _ => self.pools(&mut t, plan),
        }
        t
    }

    fn pools(&mut self, t: &mut Entries, plan: &mut Plan) {
        let shares = self.pick(&SHARES);
        let mut tables = Vec::new();
        let mut needed = 0;
        let mut withholding = false;
        for (i, share) in shares.iter().enumerate() {
            let mut p = Entries::new();
            let name = format!("p{i}");
            put(&mut p, "name", text(&name));
            put(&mut p, "hash_share", val(share));
            put(&mut p, "region", text(self.pick(&REGIONS)));
            if self.chance(0.2) {
                put(&mut p, "upload_mbps", num(self.log_float(1e-6, 1e9)));
            }
            if self.chance(0.2) {
                put(&mut p, "download_mbps", num(self.log_float(1e-6, 1e9)));
            }
            if self.chance(0.3) {
                let connections = self.log_int(1, 10_000);
                put(&mut p, "connections", val(connections));
                if self.chance(0.5) {
                    put(&mut p, "tx_relay_connections", val(self.log_int(0, connections)));
                }
            }
            let gateways = self.strategy(&mut p, plan);
            withholding |= gateways.is_none();
            let gateways = gateways.unwrap_or(0);
            needed += 1 + gateways;
            if plan.with_transactions && self.chance(0.3) {
                put(&mut p, "empty_block_window_s", num(self.unit_float(0.0, 1e9)));
            }
            plan.pools.push((name, gateways == 0 && !p.iter().any(|(k, _)| k == "spv_mining")));
            tables.push(p);
        }
        plan.nodes = plan.nodes.max(needed as u32);
        if withholding && self.chance(0.5) {
            put(t, "gamma", num(self.unit_float(0.0, 1.0)));
        }
        put(t, "pool", Node::Tables(tables));
    }

    /// A pool's strategy and what goes with it; the number of gateways, or
    /// `None` for a withholding pool (which has none).
    fn strategy(&mut self, p: &mut Entries, plan: &Plan) -> Option<usize> {
        let withholding = ["selfish", "stubborn"];
        let strategy = match self.below(6) {
            0 | 1 if !plan.with_transactions => withholding[self.below(2)],
            2 => "timewarp",
            3 => "honest",
            _ => "",
        };
        if !strategy.is_empty() {
            put(p, "strategy", text(strategy));
        }
        if strategy == "stubborn" {
            for key in ["stubborn_lead", "stubborn_equal_fork"] {
                if self.chance(0.5) {
                    put(p, key, val(self.chance(0.5)));
                }
            }
            if self.chance(0.5) {
                put(p, "stubborn_trail", val(self.log_int(0, 1000)));
            }
        }
        if withholding.contains(&strategy) {
            return None;
        }
        if self.chance(0.2) {
            put(p, "spv_mining", val(self.chance(0.5)));
        }
        let gateways = if self.chance(0.2) { self.log_int(0, 16) as usize } else { 0 };
        if gateways > 0 || self.chance(0.05) {
            let regions: Vec<String> = (0..gateways).map(|_| self.pick(&REGIONS).to_string()).collect();
            put(p, "gateways", list(&regions));
        }
        Some(gateways)
    }

    fn relay_network(&mut self, plan: &Plan) -> Entries {
        let mut names: Vec<String> = plan.pools.iter().map(|(n, _)| n.clone()).collect();
        self.rng.shuffle(&mut names);
        let members = if self.chance(0.1) { 0 } else { 2 + self.below(names.len() - 1) };
        names.truncate(members);
        let mut t = Entries::new();
        put(&mut t, "pools", list(&names));
        if self.chance(0.5) {
            put(&mut t, "latency_ms", num(self.log_float(1e-6, 1e9)));
        }
        t
    }
}

impl Gen {
    fn transactions(&mut self, plan: &Plan) -> Entries {
        let mut t = Entries::new();
        let rate = self.log_float(1e-6, 100.0);
        if self.chance(0.6) {
            put(&mut t, "rate_per_s", num(rate));
        }
        if self.chance(0.3) {
            put(&mut t, "schedule", text("daily"));
            if self.chance(0.5) {
                put(&mut t, "daily_amplitude", num(self.unit_float(0.0, 1.0)));
            }
            if self.chance(0.5) {
                put(&mut t, "daily_peak_hour", num(self.unit_float(0.0, 24.0)));
            }
        }
        if self.chance(0.5) {
            let dist = self.dist("sat_vb", "median_sat_vb", 1e-6, 1e6, "f.csv");
            put(&mut t, "feerate", dist);
        }
        if self.chance(0.5) {
            let dist = self.dist("vb", "median_vb", 65.0, 100_000.0, "v.csv");
            put(&mut t, "vsize", dist);
        }
        for key in ["chain_share", "double_spend_share"] {
            if self.chance(0.3) {
                put(&mut t, key, num(self.unit_float(0.0, 1.0)));
            }
        }
        if self.chance(0.4) {
            let cpfp = self.unit_float(0.0, 1.0);
            put(&mut t, "cpfp_share", num(cpfp));
            put(&mut t, "rbf_share", num(self.unit_float(0.0, 1.0 - cpfp)));
        }
        if self.chance(0.3) {
            put(&mut t, "stuck_after_blocks", val(self.log_int(1, 2016)));
        }
        if self.chance(0.3) {
            put(&mut t, "fee_bump", num(self.log_float(1.1, 100.0)));
        }
        if self.chance(0.4) {
            put(&mut t, "relay", text("full"));
        } else if self.chance(0.4) {
            put(&mut t, "observers", val(self.log_int(0, u64::from(plan.nodes))));
        }
        if self.chance(0.2) {
            put(&mut t, "max_tx_rows", val(self.log_int(0, u64::MAX)));
        }
        if self.chance(0.3) {
            let surges = (0..1 + self.below(3)).map(|_| self.surge()).collect();
            put(&mut t, "surge", Node::Tables(surges));
        }
        t
    }

    /// A fee-rate or size distribution: lognormal, fixed or empirical.
    fn dist(&mut self, value: &str, median: &str, lo: f64, hi: f64, file: &str) -> Node {
        let mut t = Entries::new();
        match self.below(4) {
            0 => {
                put(&mut t, "dist", text("fixed"));
                put(&mut t, value, num(self.log_float(lo, hi)));
            }
            1 => {
                put(&mut t, "dist", text("empirical"));
                put(&mut t, "file", text(file));
            }
            _ => {
                if self.chance(0.5) {
                    put(&mut t, "dist", text("lognormal"));
                }
                if self.chance(0.5) {
                    put(&mut t, median, num(self.log_float(lo, hi)));
                }
                if self.chance(0.5) {
                    put(&mut t, "sigma", num(self.log_float(1e-3, 3.0)));
                }
            }
        }
        Node::Table(t)
    }

    fn surge(&mut self) -> Entries {
        let mut t = Entries::new();
        put(&mut t, "start_s", num(self.unit_float(0.0, 1e9)));
        put(&mut t, "duration_s", num(self.log_float(1e-9, 1e9)));
        put(&mut t, "multiplier", num(self.log_float(1e-6, 10.0)));
        t
    }

    fn mempool(&mut self) -> Entries {
        let mut t = Entries::new();
        if self.chance(0.5) {
            put(&mut t, "policy", text(self.pick(&["core-v29", "core-v30"])));
        }
        if self.chance(0.3) {
            put(&mut t, "max_size_mb", num(self.log_float(1e-6, 1e6)));
        }
        if self.chance(0.3) {
            put(&mut t, "memory_per_vbyte", num(self.log_float(1e-6, 1000.0)));
        }
        if self.chance(0.3) {
            put(&mut t, "expiry_hours", num(self.log_float(1e-6, 100_000.0)));
        }
        t
    }

    fn output(&mut self, plan: &Plan) -> Entries {
        let mut t = Entries::new();
        if self.chance(0.5) {
            put(&mut t, "write_graph", val(self.chance(0.5)));
        }
        if plan.with_transactions && self.chance(0.5) {
            put(&mut t, "mempool_sample_s", num(self.unit_float(0.0, 1e9)));
        }
        t
    }
}

impl Gen {
    /// `[[events]]` of every kind, naming pools that exist.
    fn events(&mut self, top: &mut Entries, plan: &Plan) {
        let count = self.pick(&[0, 0, 1, 2, 4]);
        if count == 0 {
            return;
        }
        let events = (0..count).map(|_| self.event(plan)).collect();
        put(top, "events", Node::Tables(events));
    }

    fn event(&mut self, plan: &Plan) -> Entries {
        let mut t = Entries::new();
        let named = !plan.pools.is_empty();
        let kinds: &[&str] = if named {
            &["hashrate", "partition", "churn", "latency", "pool"]
        } else {
            &["hashrate", "partition", "churn", "latency"]
        };
        let kind = self.pick(kinds);
        put(&mut t, "kind", text(kind));
        if self.chance(0.5) {
            put(&mut t, "at_s", num(self.unit_float(0.0, 1e9)));
        } else {
            put(&mut t, "at_height", val(self.log_int(0, u64::from(u32::MAX))));
        }
        match kind {
            "hashrate" => self.hashrate_event(&mut t, plan),
            "partition" => {
                if self.chance(0.5) {
                    let mut regions = REGIONS.map(str::to_string).to_vec();
                    self.rng.shuffle(&mut regions);
                    regions.truncate(1 + self.below(5));
                    put(&mut t, "regions", list(&regions));
                } else {
                    put(&mut t, "fraction", num(self.unit_float(1e-9, 1.0)));
                }
                put(&mut t, "duration_s", num(self.log_float(1e-9, 1e9)));
            }
            "churn" => {
                put(&mut t, "fraction", num(self.log_float(1e-9, 1.0)));
                put(&mut t, "duration_s", num(self.log_float(1e-9, 1e9)));
            }
            "latency" => self.latency_event(&mut t),
            _ => self.pool_event(&mut t, plan),
        }
        t
    }

    fn hashrate_event(&mut self, t: &mut Entries, plan: &Plan) {
        if !plan.pools.is_empty() && self.chance(0.5) {
            let (name, _) = &plan.pools[self.below(plan.pools.len())];
            put(t, "pool", text(name));
        }
        if self.chance(0.5) {
            put(t, "scale", num(self.unit_float(0.0, 1e9)));
        } else {
            put(t, "set_hs", num(self.unit_float(0.0, 1e30)));
        }
        if self.chance(0.3) {
            put(t, "ramp_s", num(self.unit_float(0.0, 1e9)));
        }
    }

    fn latency_event(&mut self, t: &mut Entries) {
        if self.chance(0.5) {
            put(t, "region", text(self.pick(&REGIONS)));
        }
        let which = self.below(3);
        if which != 1 {
            put(t, "latency_scale", num(self.log_float(1e-9, 1e9)));
        }
        if which != 0 {
            put(t, "bandwidth_scale", num(self.log_float(1e-9, 1e9)));
        }
        if self.chance(0.5) {
            put(t, "duration_s", num(self.log_float(1e-9, 1e9)));
        }
    }

    fn pool_event(&mut self, t: &mut Entries, plan: &Plan) {
        let (name, plain) = &plan.pools[self.below(plan.pools.len())];
        put(t, "pool", text(name));
        let action = self.pick(&["join", "leave", "strategy"]);
        put(t, "action", text(action));
        if action == "strategy" {
            let strategy = if *plain && !plan.with_transactions && self.chance(0.5) {
                self.pick(&["selfish", "stubborn"])
            } else {
                self.pick(&["honest", "timewarp"])
            };
            put(t, "strategy", text(strategy));
        }
    }

    /// `[[node_group]]`s: shares summing to at most 1, each pool in one
    /// group at most, rules of their own.
    fn node_groups(&mut self, top: &mut Entries, plan: &Plan) {
        let count = self.pick(&[0, 0, 0, 1, 2, 3]);
        if count == 0 {
            return;
        }
        let mut free: Vec<String> =
            if plan.every_node { Vec::new() } else { plan.pools.iter().map(|(n, _)| n.clone()).collect() };
        self.rng.shuffle(&mut free);
        let groups = (0..count).map(|i| self.node_group(i, count, &mut free, plan)).collect();
        put(top, "node_group", Node::Tables(groups));
    }

    fn node_group(&mut self, i: usize, count: usize, free: &mut Vec<String>, plan: &Plan) -> Entries {
        let mut t = Entries::new();
        put(&mut t, "name", text(&format!("g{i}")));
        let take = if free.is_empty() { 0 } else { self.below(free.len().min(3) + 1) };
        let pools: Vec<String> = free.drain(..take).collect();
        if !pools.is_empty() || self.chance(0.2) {
            put(&mut t, "pools", list(&pools));
        }
        if pools.is_empty() || self.chance(0.5) {
            let share = 1.0 / count as f64 * self.unit_float(0.01, 1.0);
            put(&mut t, "share", num(share));
        }
        let mut rules = Entries::new();
        let keys = self.below(3) + usize::from(self.chance(0.7));
        self.rules(&mut rules, plan, keys, None);
        match self.below(4) {
            0 => put(&mut rules, "activation", val("[]")),
            1 if plan.start_height.is_some() => {
                let count = 1 + self.below(2);
                let list = self.activations(plan, count);
                put(&mut rules, "activation", list);
            }
            _ if rules.is_empty() => put(&mut rules, "block_interval_s", val(self.log_int(1, 86_400))),
            _ => {}
        }
        put(&mut t, "consensus", Node::Table(rules));
        t
    }
}

/// Keys that perturbations add: every leaf key of the schema.
const LEAF_KEYS: &[&str] = &[
    "name",
    "seed",
    "blocks",
    "sim_time_s",
    "drain_s",
    "max_events",
    "nodes",
    "preset",
    "latency_ms",
    "jitter",
    "jitter_sigma",
    "topology",
    "outbound_full_relay",
    "outbound_block_relay",
    "max_connections",
    "non_listening_fraction",
    "degree",
    "topology_file",
    "clock_skew_sd_s",
    "protocol",
    "high_bandwidth_peers",
    "validation_ms",
    "block_interval_s",
    "difficulty",
    "asert_half_life_s",
    "lwma_window",
    "retarget_interval",
    "clamp_factor",
    "max_block_weight",
    "start_height",
    "size_bytes",
    "full",
    "mean_tx_bytes",
    "hashrate_hs",
    "template_refresh_s",
    "gamma",
    "pools",
    "every_node_sd",
    "hash_share",
    "region",
    "connections",
    "tx_relay_connections",
    "strategy",
    "stubborn_lead",
    "stubborn_trail",
    "empty_block_window_s",
    "spv_mining",
    "gateways",
    "rate_per_s",
    "schedule",
    "daily_amplitude",
    "dist",
    "median_sat_vb",
    "sigma",
    "sat_vb",
    "vb",
    "file",
    "cpfp_share",
    "rbf_share",
    "relay",
    "observers",
    "policy",
    "write_graph",
    "mempool_sample_s",
    "kind",
    "at_s",
    "at_height",
    "pool",
    "scale",
    "set_hs",
    "duration_s",
    "regions",
    "fraction",
    "action",
    "share",
    "height",
    "set",
    "activation",
    "start_s",
    "multiplier",
    "latency_scale",
    "bandwidth_scale",
];

/// Values that perturbations write: plausible ones of every key's type, and
/// the edges of each.
const VALUES: &[&str] = &[
    "0",
    "1",
    "2",
    "7",
    "8",
    "60",
    "61",
    "147",
    "2016",
    "4000",
    "1000000",
    "4294967295",
    "4294967296",
    "100000001",
    "0.0",
    "0.5",
    "1.0",
    "1.0000001",
    "1e9",
    "1.000000001e9",
    "1e30",
    "-1",
    "-0.0",
    "nan",
    "inf",
    "true",
    "false",
    "\"\"",
    "\"ideal\"",
    "\"file\"",
    "\"lognormal\"",
    "\"lwma\"",
    "\"asert\"",
    "\"fixed\"",
    "\"empirical\"",
    "\"every-node\"",
    "\"bitcoin-2026\"",
    "\"selfish\"",
    "\"stubborn\"",
    "\"strategy\"",
    "\"join\"",
    "\"pool\"",
    "\"latency\"",
    "\"daily\"",
    "\"full\"",
    "\"g.csv\"",
    "\"f.csv\"",
    "\"p0\"",
    "\"p1\"",
    "\"g0\"",
    "\"default\"",
    "\"NA\"",
    "[]",
    "[\"p0\"]",
    "[\"p0\", \"p0\"]",
    "[\"p0\", \"p1\"]",
    "[\"EU\", \"EU\"]",
    "{}",
    "{ block_interval_s = 600 }",
    "{ difficulty = \"bitcoin\" }",
    "{ activation = [] }",
    "[{ height = 3000, set = { mtp_window = 5 } }]",
];

impl Gen {
    /// One to three changes to a generated scenario: a value replaced, a key
    /// removed, a key added to some table, or an array element repeated.
    pub(crate) fn perturb(&mut self, top: &mut Entries) {
        for _ in 0..1 + self.below(3) {
            let tables = count_tables(top);
            let target = self.below(tables);
            let change = self.below(4);
            let mut n = target;
            visit_table(top, &mut n, &mut |t| self.change_table(t, change));
        }
    }

    fn change_table(&mut self, t: &mut Entries, change: usize) {
        match change {
            0 if !t.is_empty() => {
                let i = self.below(t.len());
                t[i].1 = Node::Value(self.perturbed_value());
            }
            1 if !t.is_empty() => {
                t.remove(self.below(t.len()));
            }
            3 => {
                for (_, node) in t.iter_mut() {
                    if let Node::Tables(items) = node
                        && let Some(first) = items.first().cloned()
                    {
                        items.push(first);
                        return;
                    }
                }
            }
            _ => {
                let key = self.pick(LEAF_KEYS);
                t.retain(|(k, _)| k != key);
                let value = self.perturbed_value();
                t.push((key.to_string(), Node::Value(value)));
            }
        }
    }

    fn perturbed_value(&mut self) -> String {
        if self.chance(0.2) { self.hostile() } else { self.pick(VALUES).to_string() }
    }
}

fn count_tables(t: &Entries) -> usize {
    1 + t
        .iter()
        .map(|(_, node)| match node {
            Node::Table(sub) => count_tables(sub),
            Node::Tables(items) => items.iter().map(count_tables).sum(),
            Node::Value(_) => 0,
        })
        .sum::<usize>()
}

/// Calls `f` on the `n`th table of the tree (depth first, `t` is the 0th).
fn visit_table(t: &mut Entries, n: &mut usize, f: &mut dyn FnMut(&mut Entries)) -> bool {
    if *n == 0 {
        f(t);
        return true;
    }
    *n -= 1;
    for (_, node) in t.iter_mut() {
        let done = match node {
            Node::Table(sub) => visit_table(sub, n, f),
            Node::Tables(items) => items.iter_mut().any(|item| visit_table(item, n, f)),
            Node::Value(_) => false,
        };
        if done {
            return true;
        }
    }
    false
}
