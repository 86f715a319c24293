//! Generators for the input-boundary property tests (`tests_fuzz.rs`):
//! scenario documents built from the scenario schema with plausible, wrong
//! and hostile values in every TOML form (header tables, dotted keys,
//! inline tables, arrays of tables); byte and line mutations; `--set`
//! overrides; edge lists and histogram CSVs. Every draw comes from a
//! [`SimRng`], so a case is a pure function of its seed.

use crate::sim::SimRng;

/// What a key holds, so that the generator can write a plausible value.
#[derive(Clone, Copy)]
pub(crate) enum V {
    /// An integer, plausibly in this range.
    Int(i128, i128),
    /// A float, plausibly in this range.
    Float(f64, f64),
    /// One of these strings.
    Choice(&'static [&'static str]),
    Bool,
    /// A free string (descriptions).
    Text,
    /// A scenario name.
    Name,
    /// A list of region names.
    Regions,
    /// A list of pool names.
    PoolNames,
    /// A pool name.
    PoolName,
    /// A data file name (relative to the scenario file).
    File,
    /// A table with these keys.
    Table(&'static [Field]),
    /// An array of tables with these keys.
    Tables(&'static [Field]),
    /// A `[consensus]`-like table (recursive through activations).
    Rules,
}

/// A key and what it holds.
pub(crate) type Field = (&'static str, V);

const REGIONS: &[&str] = &["NA", "EU", "SA", "AP", "JP", "AU", "na", "Mars", ""];
const POOL_NAMES: &[&str] = &["p0", "p1", "p2", "p3", "pool-01", "foundry-usa", "zz", "default", ""];
const DATA_FILES: &[&str] =
    &["g.csv", "f.csv", "v.csv", "junk.csv", "missing.csv", "", ".", "data", "data/g.csv", "../nope.csv"];

pub(crate) static TOP: &[Field] = &[
    ("name", V::Name),
    ("description", V::Text),
    ("seed", V::Int(0, u64::MAX as i128)),
    ("stop", V::Table(STOP)),
    ("network", V::Table(NETWORK)),
    ("relay", V::Table(RELAY)),
    ("consensus", V::Rules),
    ("blocks", V::Table(BLOCKS)),
    ("mining", V::Table(MINING)),
    ("relay_network", V::Table(RELAY_NETWORK)),
    ("transactions", V::Table(TRANSACTIONS)),
    ("mempool", V::Table(MEMPOOL)),
    ("output", V::Table(OUTPUT)),
    ("events", V::Tables(EVENT)),
    ("node_group", V::Tables(NODE_GROUP)),
];

static STOP: &[Field] = &[
    ("blocks", V::Int(1, 10_000_000)),
    ("sim_time_s", V::Float(0.0, 1e9)),
    ("drain_s", V::Float(0.0, 1e9)),
    ("max_events", V::Int(1, 1 << 40)),
];

static NETWORK: &[Field] = &[
    ("nodes", V::Int(2, 1_000_000)),
    ("preset", V::Choice(&["bitcoin-2015", "bitcoin-2019", "ideal", "mainnet"])),
    ("latency_ms", V::Float(0.0, 1e9)),
    ("jitter", V::Choice(&["none", "pareto", "lognormal", "gauss"])),
    ("jitter_sigma", V::Float(0.0, 3.0)),
    ("topology", V::Choice(&["bitcoin-core", "degree-2015", "random-regular", "complete", "file", "ring"])),
    ("outbound_full_relay", V::Int(0, 1000)),
    ("outbound_block_relay", V::Int(0, 1000)),
    ("max_connections", V::Int(1, 100_000)),
    ("non_listening_fraction", V::Float(0.0, 1.0)),
    ("degree", V::Int(1, 100)),
    ("topology_file", V::File),
    ("clock_skew_sd_s", V::Float(0.0, 86_400.0)),
];

static RELAY: &[Field] = &[
    ("protocol", V::Choice(&["legacy", "headers", "compact", "unsolicited", "fast"])),
    ("high_bandwidth_peers", V::Int(0, 8)),
    ("validation_ms", V::Float(0.0, 1e9)),
    ("validation_ms_per_mb", V::Float(0.0, 1e9)),
];

/// `[consensus]`, an activation's `set` and a node group's `consensus`.
pub(crate) static CONSENSUS: &[Field] = &[
    ("block_interval_s", V::Int(1, 86_400)),
    (
        "difficulty",
        V::Choice(&["bitcoin", "bitcoin-bip94", "asert", "bch-cw144", "bch-eda", "lwma", "fixed", "bch"]),
    ),
    ("asert_half_life_s", V::Int(1, 1_000_000_000)),
    ("lwma_window", V::Int(2, 1000)),
    ("retarget_interval", V::Int(2, 100_000)),
    ("clamp_factor", V::Int(1, 1000)),
    ("max_block_weight", V::Int(4000, 4_000_000_000)),
    ("halving_interval", V::Int(1, u32::MAX as i128)),
    ("initial_subsidy_sat", V::Int(0, 2_100_000_000_000_000)),
    ("mtp_window", V::Int(1, 1001)),
    ("max_future_block_time_s", V::Int(0, u32::MAX as i128)),
    ("start_height", V::Int(1, 100_000_000)),
    ("activation", V::Tables(ACTIVATION)),
];

static ACTIVATION: &[Field] = &[("height", V::Int(1, 100_000_000)), ("set", V::Rules)];

static BLOCKS: &[Field] = &[
    ("size_bytes", V::Int(81, 100_000_000)),
    ("full", V::Bool),
    ("mean_tx_bytes", V::Int(60, 400_000)),
    ("witness_fraction", V::Float(0.0, 1.0)),
];

static MINING: &[Field] = &[
    ("hashrate_hs", V::Float(1.0, 1e30)),
    ("template_refresh_s", V::Float(0.0, 1e9)),
    ("gamma", V::Float(0.0, 1.0)),
    ("pools", V::Choice(&["bitcoin-2015", "bitcoin-2026", "every-node", "bitcoin-2030"])),
    ("every_node_sd", V::Float(0.0, 1.0)),
    ("pool", V::Tables(POOL)),
];

static POOL: &[Field] = &[
    ("name", V::PoolName),
    ("hash_share", V::Float(0.0, 1.0)),
    ("region", V::Choice(REGIONS)),
    ("upload_mbps", V::Float(0.0, 1e9)),
    ("download_mbps", V::Float(0.0, 1e9)),
    ("connections", V::Int(1, 10_000)),
    ("tx_relay_connections", V::Int(0, 10_000)),
    ("strategy", V::Choice(&["honest", "selfish", "stubborn", "timewarp", "greedy"])),
    ("stubborn_lead", V::Bool),
    ("stubborn_equal_fork", V::Bool),
    ("stubborn_trail", V::Int(0, 1000)),
    ("empty_block_window_s", V::Float(0.0, 1e9)),
    ("spv_mining", V::Bool),
    ("gateways", V::Regions),
];

static RELAY_NETWORK: &[Field] = &[("pools", V::PoolNames), ("latency_ms", V::Float(0.0, 1e9))];

static TRANSACTIONS: &[Field] = &[
    ("rate_per_s", V::Float(0.0, 100_000.0)),
    ("schedule", V::Choice(&["constant", "daily", "weekly"])),
    ("daily_amplitude", V::Float(0.0, 1.0)),
    ("daily_peak_hour", V::Float(0.0, 24.0)),
    ("feerate", V::Table(FEERATE)),
    ("vsize", V::Table(VSIZE)),
    ("chain_share", V::Float(0.0, 1.0)),
    ("cpfp_share", V::Float(0.0, 1.0)),
    ("rbf_share", V::Float(0.0, 1.0)),
    ("stuck_after_blocks", V::Int(1, 2016)),
    ("fee_bump", V::Float(1.1, 100.0)),
    ("double_spend_share", V::Float(0.0, 1.0)),
    ("relay", V::Choice(&["fast", "full", "slow"])),
    ("observers", V::Int(0, 1_000_000)),
    ("max_tx_rows", V::Int(0, 1 << 40)),
    ("surge", V::Tables(SURGE)),
];

static FEERATE: &[Field] = &[
    ("dist", V::Choice(&["lognormal", "fixed", "empirical", "normal"])),
    ("median_sat_vb", V::Float(0.0, 1e6)),
    ("sigma", V::Float(0.0, 3.0)),
    ("sat_vb", V::Float(0.0, 1e6)),
    ("file", V::File),
];

static VSIZE: &[Field] = &[
    ("dist", V::Choice(&["lognormal", "fixed", "empirical", "normal"])),
    ("median_vb", V::Float(65.0, 100_000.0)),
    ("sigma", V::Float(0.0, 3.0)),
    ("vb", V::Float(65.0, 100_000.0)),
    ("file", V::File),
];

static SURGE: &[Field] = &[
    ("start_s", V::Float(0.0, 1e9)),
    ("duration_s", V::Float(0.0, 1e9)),
    ("multiplier", V::Float(0.0, 1000.0)),
];

static MEMPOOL: &[Field] = &[
    ("policy", V::Choice(&["core-v29", "core-v30", "core-v31"])),
    ("max_size_mb", V::Float(0.0, 1e6)),
    ("memory_per_vbyte", V::Float(0.0, 1000.0)),
    ("expiry_hours", V::Float(0.0, 100_000.0)),
];

static OUTPUT: &[Field] = &[("write_graph", V::Bool), ("mempool_sample_s", V::Float(0.0, 1e9))];

static EVENT: &[Field] = &[
    ("kind", V::Choice(&["hashrate", "partition", "churn", "latency", "pool", "quake"])),
    ("at_s", V::Float(0.0, 1e9)),
    ("at_height", V::Int(0, u32::MAX as i128)),
    ("pool", V::PoolName),
    ("scale", V::Float(0.0, 1e9)),
    ("set_hs", V::Float(0.0, 1e30)),
    ("ramp_s", V::Float(0.0, 1e9)),
    ("duration_s", V::Float(0.0, 1e9)),
    ("regions", V::Regions),
    ("fraction", V::Float(0.0, 1.0)),
    ("region", V::Choice(REGIONS)),
    ("latency_scale", V::Float(0.0, 1e9)),
    ("bandwidth_scale", V::Float(0.0, 1e9)),
    ("action", V::Choice(&["join", "leave", "strategy", "quit"])),
    ("strategy", V::Choice(&["honest", "selfish", "stubborn", "timewarp", "greedy"])),
];

static NODE_GROUP: &[Field] =
    &[("name", V::PoolName), ("share", V::Float(0.0, 1.0)), ("pools", V::PoolNames), ("consensus", V::Rules)];

/// Keys that tables other than the top level require (or nearly): a
/// plausible scenario always has them.
const REQUIRED: &[&str] = &["kind", "at_s", "height", "set", "start_s", "multiplier", "name", "consensus"];

/// Keys that belong nowhere, or elsewhere.
const JUNK_KEYS: &[&str] =
    &["nodez", "bogus", "", " ", "a.b", "node s", "ключ", "\u{0}", "\"", "nodes", "pool", "set", "kind", "x"];

/// Values of every TOML type, including the edges of each.
pub(crate) const HOSTILE: &[&str] = &[
    "nan",
    "+nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "1e400",
    "-1e400",
    "1e-400",
    "5e-324",
    "1.7976931348623157e308",
    "-0.0",
    "0.0",
    "-0",
    "0",
    "-1",
    "1",
    "2",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999999999999",
    "0x7fffffffffffffff",
    "0xffffffffffffffff",
    "0o777",
    "0b101",
    "1_000",
    "4294967296",
    "4294967295",
    "\"\"",
    "\" \"",
    "\"\\u0000\"",
    "\"\\uD800\"",
    "\"\u{1F600}\"",
    "'x'",
    "'''\nmulti\n'''",
    "\"a\\nb\"",
    "true",
    "false",
    "[]",
    "[[]]",
    "[1, \"a\"]",
    "[1.5, 2]",
    "{}",
    "{ a = 1 }",
    "{ name = \"x\" }",
    "[{}]",
    "[{ a = 1 }, {}]",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "1979-05-27T00:32:00.999999-07:00",
];

/// A random case generator.
pub(crate) struct Gen {
    pub(crate) rng: SimRng,
    /// How many pools the coherent `[[mining.pool]]` tables have (names `p0`...).
    pools: usize,
    /// How often a value is out of range, of another type or hostile, and
    /// how often a junk key appears: 0 writes plausible scenarios.
    hostility: f64,
}

impl Gen {
    pub(crate) fn new(seed: u64) -> Gen {
        Gen { rng: SimRng::from_seed_u64(seed), pools: 0, hostility: 0.3 }
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.rng.chance(p)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.rng.index(n.max(1))
    }

    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// A generated document: a tree of keys, each a raw TOML value or a table
/// or an array of tables.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Value(String),
    Table(Vec<(String, Node)>),
    Tables(Vec<Vec<(String, Node)>>),
}

impl Gen {
    /// A scenario document: a name, then a random selection of the schema's
    /// tables and keys, with a few junk keys.
    pub(crate) fn scenario(&mut self) -> Vec<(String, Node)> {
        self.pools = self.pick(&[0, 0, 1, 2, 4, 5, 8]);
        self.hostility = self.pick(&[0.0, 0.0, 0.0, 0.05, 0.15, 0.4]);
        let p = if self.hostility == 0.0 { 0.2 } else { 0.35 };
        let mut entries = self.table(TOP, 0, p);
        if self.chance(0.97) && !entries.iter().any(|(k, _)| k == "name") {
            entries
                .insert(0, ("name".to_string(), Node::Value(self.pick(&["\"fz\"", "\"a.b_c-1\""]).into())));
        }
        if self.pools > 0 && self.chance(0.8) {
            let pools = ("pool".to_string(), self.coherent_pools());
            match entries.iter_mut().find(|(k, _)| k == "mining") {
                Some((_, Node::Table(mining))) => {
                    mining.retain(|(k, _)| k != "pool" && k != "pools");
                    mining.push(pools);
                }
                Some(_) => {}
                None => entries.push(("mining".to_string(), Node::Table(vec![pools]))),
            }
        }
        entries
    }

    /// `[[mining.pool]]` tables whose shares sum to 1, so that whole
    /// scenarios with explicit pools can be valid.
    fn coherent_pools(&mut self) -> Node {
        let share = format!("{}", 1.0 / self.pools as f64);
        let tables = (0..self.pools)
            .map(|i| {
                let mut pool = vec![
                    ("name".to_string(), Node::Value(format!("\"p{i}\""))),
                    ("hash_share".to_string(), Node::Value(share.clone())),
                    ("region".to_string(), Node::Value(format!("\"{}\"", self.pick(&REGIONS[..6])))),
                ];
                let own = ["name", "hash_share", "region"];
                pool.extend(self.table(POOL, 1, 0.1).into_iter().filter(|(k, _)| !own.contains(&k.as_str())));
                pool
            })
            .collect();
        Node::Tables(tables)
    }

    /// A table of `fields`, each key present with probability `p`.
    fn table(&mut self, fields: &[Field], depth: usize, p: f64) -> Vec<(String, Node)> {
        let mut entries = Vec::new();
        let tame = self.hostility == 0.0 && depth > 0;
        let p = if tame { p * 0.5 } else { p };
        for &(key, kind) in fields {
            if self.chance(p) || (tame && REQUIRED.contains(&key)) {
                entries.push((key.to_string(), self.value(kind, depth + 1)));
            }
        }
        if self.chance(0.3 * self.hostility) {
            let key = self.pick(JUNK_KEYS).to_string();
            entries.push((key, Node::Value(self.hostile())));
        }
        if self.chance(0.3) {
            self.rng.shuffle(&mut entries);
        }
        entries
    }

    /// A value for a key of `kind`: mostly plausible, sometimes of another
    /// type or hostile.
    fn value(&mut self, kind: V, depth: usize) -> Node {
        if self.chance(0.4 * self.hostility) {
            return Node::Value(self.hostile());
        }
        if self.chance(0.1 * self.hostility) {
            return Node::Value(self.deep());
        }
        match kind {
            V::Table(fields) => Node::Table(self.table(fields, depth, 0.3)),
            V::Tables(fields) if depth < 4 => {
                let n = self.pick(&[0, 1, 1, 2, 3]);
                Node::Tables((0..n).map(|_| self.table(fields, depth, 0.4)).collect())
            }
            V::Rules if depth < 4 => Node::Table(self.table(CONSENSUS, depth, 0.2)),
            V::Tables(_) | V::Rules => Node::Value("{}".to_string()),
            scalar => Node::Value(self.scalar(scalar)),
        }
    }

    fn scalar(&mut self, kind: V) -> String {
        match kind {
            V::Int(lo, hi) => self.int(lo, hi).to_string(),
            V::Float(lo, hi) => self.float(lo, hi),
            V::Choice(names) => quoted(self.pick(names)),
            V::Bool => self.pick(&["true", "false"]).to_string(),
            V::Name if !self.chance(2.0 * self.hostility) => quoted(self.pick(&["fz", "a.b_c-1"])),
            V::Text | V::Name => quoted(self.pick(&[
                "x",
                "fz",
                "a b",
                "..",
                "",
                "é",
                "name-64-characters-long-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            ])),
            V::Regions => self.list(REGIONS),
            V::PoolNames => self.list(POOL_NAMES),
            V::PoolName => quoted(self.pool_name()),
            V::File => quoted(self.pick(DATA_FILES)),
            V::Table(_) | V::Tables(_) | V::Rules => "{}".to_string(),
        }
    }

    fn pool_name(&mut self) -> &'static str {
        const NAMES: [&str; 8] = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"];
        if self.pools > 0 && self.chance(0.8) { NAMES[self.below(self.pools)] } else { self.pick(POOL_NAMES) }
    }

    fn list(&mut self, items: &[&str]) -> String {
        let n = self.pick(&[0, 1, 2, 2, 3, 6, 17]);
        let names: Vec<String> = (0..n).map(|_| quoted(self.pick(items))).collect();
        format!("[{}]", names.join(", "))
    }

    /// An integer near the range's ends, inside it (log-uniform), or far out.
    fn int(&mut self, lo: i128, hi: i128) -> i128 {
        let wild = self.chance(2.0 * self.hostility);
        match if wild { self.below(8) } else { 5 } {
            0 => lo,
            1 => hi,
            2 => lo - 1,
            3 => hi + 1,
            4 => -(self.rng.u64() as i128 >> self.below(64)),
            _ => {
                let span = (hi - lo).max(1) as f64;
                let x = lo + (span.powf(self.rng.unit())) as i128;
                x.clamp(lo, hi)
            }
        }
    }

    /// A float near the range's ends or inside it, in TOML's float and
    /// integer spellings.
    fn float(&mut self, lo: f64, hi: f64) -> String {
        let wild = self.chance(2.0 * self.hostility);
        let x = match if wild { self.below(8) } else { 5 + self.below(2) } {
            0 => lo,
            1 => hi,
            2 => lo - 1e-9,
            3 => hi * 1.000_001 + 1e-9,
            4 => -self.rng.unit() * 10f64.powi(self.below(12) as i32),
            _ => lo + (hi - lo) * self.rng.unit().powi(3),
        };
        match self.below(4) {
            0 if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
            1 => format!("{x:e}"),
            _ => format!("{x:?}"),
        }
    }

    /// A hostile value: any TOML type, huge, negative, NaN, empty.
    pub(crate) fn hostile(&mut self) -> String {
        self.pick(HOSTILE).to_string()
    }

    /// Arrays or inline tables nested up to a few hundred deep.
    fn deep(&mut self) -> String {
        let n = self.pick(&[2, 5, 20, 60, 300]);
        if self.chance(0.5) {
            format!("{}1{}", "[".repeat(n), "]".repeat(n))
        } else {
            format!("{}1{}", "{ a = ".repeat(n), " }".repeat(n))
        }
    }
}

pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A key as TOML writes it: bare when it can be, else quoted.
fn key_text(key: &str) -> String {
    let bare = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare { key.to_string() } else { quoted(key) }
}

impl Gen {
    /// Writes `entries` as a TOML document, choosing per table between
    /// header tables, dotted keys and inline tables.
    pub(crate) fn write(&mut self, entries: &[(String, Node)]) -> String {
        let mut out = String::new();
        self.write_body(&mut out, "", entries);
        out
    }

    /// Writes the keys of the table at `path`: scalars and inline forms
    /// first, then sub-tables under their own headers.
    fn write_body(&mut self, out: &mut String, path: &str, entries: &[(String, Node)]) {
        let mut later = Vec::new();
        for (key, node) in entries {
            let key = key_text(key);
            match node {
                Node::Value(v) => out.push_str(&format!("{key} = {v}\n")),
                Node::Table(t) if self.chance(0.25) => out.push_str(&format!("{key} = {}\n", self.inline(t))),
                Node::Table(t)
                    if !t.is_empty()
                        && self.chance(0.2)
                        && t.iter().all(|(_, n)| matches!(n, Node::Value(_))) =>
                {
                    for (k, n) in t {
                        let Node::Value(v) = n else { continue };
                        out.push_str(&format!("{key}.{} = {v}\n", key_text(k)));
                    }
                }
                Node::Tables(ts) if self.chance(0.2) => {
                    let items: Vec<String> = ts.iter().map(|t| self.inline(t)).collect();
                    out.push_str(&format!("{key} = [{}]\n", items.join(", ")));
                }
                _ => later.push((key, node)),
            }
        }
        for (key, node) in later {
            let full = if path.is_empty() { key } else { format!("{path}.{key}") };
            match node {
                Node::Table(t) => {
                    out.push_str(&format!("\n[{full}]\n"));
                    self.write_body(out, &full, t);
                }
                Node::Tables(ts) => {
                    for t in ts {
                        out.push_str(&format!("\n[[{full}]]\n"));
                        self.write_body(out, &full, t);
                    }
                }
                Node::Value(_) => unreachable!("values are written first"),
            }
        }
    }

    fn inline(&mut self, entries: &[(String, Node)]) -> String {
        let items: Vec<String> = entries
            .iter()
            .map(|(key, node)| {
                let value = match node {
                    Node::Value(v) => v.clone(),
                    Node::Table(t) => self.inline(t),
                    Node::Tables(ts) => {
                        let items: Vec<String> = ts.iter().map(|t| self.inline(t)).collect();
                        format!("[{}]", items.join(", "))
                    }
                };
                format!("{} = {value}", key_text(key))
            })
            .collect();
        // TOML 1.0 inline tables are one line; a value holding a newline
        // (a multi-line string) makes it a syntax error, which is fine.
        format!("{{ {} }}", items.join(", "))
    }
}

/// A real key path of the schema, dotted, with array indices as `.N` or
/// `[N]`, for `--set` overrides.
pub(crate) fn key_path(g: &mut Gen) -> String {
    let mut path = Vec::new();
    let mut fields = TOP;
    loop {
        let (key, kind) = g.pick(fields);
        path.push(key.to_string());
        let next = match kind {
            V::Table(f) => f,
            V::Rules => CONSENSUS,
            V::Tables(f) => {
                let i = g.pick(&[0, 0, 1, 2, 9]);
                path.push(if g.chance(0.5) { format!("{i}") } else { format!("[{i}]") });
                f
            }
            _ => break,
        };
        if g.chance(0.15) || path.len() > 6 {
            break;
        }
        fields = next;
    }
    let mut text = String::new();
    for part in path {
        if !(text.is_empty() || part.starts_with('[')) {
            text.push('.');
        }
        text.push_str(&part);
    }
    text
}

impl Gen {
    /// A `--set` override: a real key path (sometimes junk) and a value,
    /// TOML or bare.
    pub(crate) fn override_text(&mut self) -> String {
        let path = if self.chance(0.9) { key_path(self) } else { self.pick(JUNK_KEYS).to_string() };
        let value = match self.below(4) {
            0 => self.hostile(),
            1 => self.pick(&["ideal", "file", "asert", "every-node", "full", "NA", "p0", "x y"]).to_string(),
            _ => {
                let leaf = leaf_kind(&path);
                match leaf {
                    Some(kind) => self.scalar(kind),
                    None => self.hostile(),
                }
            }
        };
        match self.below(20) {
            0 => path,
            1 => format!("={value}"),
            _ => format!("{path}={value}"),
        }
    }
}

/// The kind of the key a dotted path ends at, when it is a scalar key.
fn leaf_kind(path: &str) -> Option<V> {
    let mut fields = TOP;
    let mut kind = None;
    for part in path.split('.') {
        let name = part.split('[').next().unwrap_or(part);
        if name.parse::<usize>().is_ok() {
            continue;
        }
        let (_, k) = *fields.iter().find(|(key, _)| *key == name)?;
        kind = Some(k);
        fields = match k {
            V::Table(f) | V::Tables(f) => f,
            V::Rules => CONSENSUS,
            _ => &[],
        };
    }
    kind.filter(|k| !matches!(k, V::Table(_) | V::Tables(_) | V::Rules))
}

/// Bytes and tokens that byte mutations insert.
const BYTES: &[u8] = b"\"'[]{}=.,#\n\r\t -+_0123456789eExo\\\x00\x7f\x80\xbf\xc3\xe2\xf0\xff";
const TOKENS: &[&str] = &[
    "[[",
    "]]",
    "[network]",
    "[[mining.pool]]",
    "[[events]]",
    "[consensus]",
    "[[consensus.activation]]",
    "[transactions]",
    "[[node_group]]",
    "nodes = ",
    "name = ",
    "= ",
    "\"\"\"",
    "'''",
    "nan",
    "inf",
    "1e400",
    "-",
    "18446744073709551616",
    "{ }",
    "[ ]",
    "\n[stop]\nblocks = 0\n",
    "\u{feff}",
    "\u{0}",
    "\r\n",
    "#",
    "\\u",
    "\\",
    "ключ",
    "topology = \"file\"\ntopology_file = \"g.csv\"\n",
];

impl Gen {
    /// `bytes` with one to eight random mutations: bit flips, interesting
    /// bytes, deletions, duplications, inserted tokens, swapped lines,
    /// replaced numbers and spliced lines from `donors`.
    pub(crate) fn mutate(&mut self, bytes: &[u8], donors: &[Vec<u8>]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for _ in 0..1 + self.below(8) {
            let at = self.below(out.len() + 1);
            let byte = at.min(out.len().saturating_sub(1));
            match self.below(9) {
                0 if !out.is_empty() => out[byte] ^= 1 << self.below(8),
                1 if !out.is_empty() => out[byte] = self.pick(BYTES),
                2 => {
                    let end = (at + 1 + self.below(32)).min(out.len());
                    out.drain(at.min(end)..end);
                }
                3 => {
                    let end = (at + 1 + self.below(64)).min(out.len());
                    let chunk = out[at.min(end)..end].to_vec();
                    let to = self.below(out.len() + 1);
                    out.splice(to..to, chunk);
                }
                4 => {
                    let token = self.pick(TOKENS).as_bytes();
                    out.splice(at..at, token.iter().copied());
                }
                5 => self.swap_lines(&mut out),
                6 => self.replace_value(&mut out),
                7 if !donors.is_empty() => {
                    let donor = &donors[self.below(donors.len())];
                    let lines: Vec<&[u8]> = donor.split(|&b| b == b'\n').collect();
                    let line = lines[self.below(lines.len())];
                    let at = line_start(&out, at);
                    out.splice(at..at, line.iter().copied().chain([b'\n']));
                }
                _ => out.insert(at, self.pick(BYTES)),
            }
        }
        out
    }

    fn swap_lines(&mut self, out: &mut Vec<u8>) {
        let mut lines: Vec<Vec<u8>> = out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        if lines.len() > 1 {
            let (a, b) = (self.below(lines.len()), self.below(lines.len()));
            lines.swap(a, b);
            *out = lines.join(&b'\n');
        }
    }

    /// Replaces the value of a random `key = value` line by a hostile one.
    fn replace_value(&mut self, out: &mut Vec<u8>) {
        let mut lines: Vec<Vec<u8>> = out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        let i = self.below(lines.len());
        if let Some(eq) = lines[i].iter().position(|&b| b == b'=') {
            lines[i].truncate(eq + 1);
            lines[i].push(b' ');
            lines[i].extend_from_slice(self.hostile().as_bytes());
            *out = lines.join(&b'\n');
        }
    }
}

fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
}

/// Fields of data files: good, edge and junk.
const ID_FIELDS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "9",
    "10",
    "+1",
    "-1",
    "01",
    "4294967295",
    "4294967296",
    "99999999999999999999",
    "",
    " 1",
    "1.0",
    "1e2",
    "0x1",
    "a",
    "b",
    "source",
    "target",
    "from",
    "to",
    "\u{feff}0",
    "١",
];
const NUMBER_FIELDS: &[&str] = &[
    "0",
    "1",
    "2",
    "65",
    "100",
    "100000",
    "1000000",
    "1e6",
    "1e308",
    "1.7976931348623157e308",
    "1e400",
    "-1",
    "-0",
    "0.5",
    ".5",
    "5.",
    "+3",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "infinity",
    "1_000",
    "0x10",
    "",
    "low_sat_vb",
    "high_vb",
    "weight",
    "5e-324",
    "64.99999999999999",
];

impl Gen {
    /// An edge list: mostly connections among `nodes` nodes, with headers,
    /// comments, blank lines and junk fields.
    pub(crate) fn edge_list(&mut self, nodes: u32) -> Vec<u8> {
        let mut out = String::new();
        if self.chance(0.5) {
            out.push_str(self.pick(&[
                "a,b\n",
                "source,target\n",
                "Source, TARGET\n",
                "from,to\n",
                "a,b,c\n",
            ]));
        }
        for _ in 0..self.below(40) {
            let line = match self.below(12) {
                0 => self
                    .pick(&["", "# comment", "   ", "\t", "#", "0,1 # trailing", ",", ",,", "1", "\r"])
                    .into(),
                1 => format!("{},{}", self.pick(ID_FIELDS), self.pick(ID_FIELDS)),
                2 => format!("{},{},{}", self.pick(ID_FIELDS), self.pick(ID_FIELDS), self.pick(ID_FIELDS)),
                _ => {
                    let a = self.below(nodes as usize + 1);
                    let b = self.below(nodes as usize + 1);
                    format!("{a},{b}")
                }
            };
            out.push_str(&line);
            out.push_str(if self.chance(0.1) { "\r\n" } else { "\n" });
        }
        let bytes = out.into_bytes();
        if self.chance(0.3) { self.mutate(&bytes, &[]) } else { bytes }
    }

    /// A histogram CSV with the given header: mostly sorted bins, with
    /// junk numbers, comments, wrong headers and mutations.
    pub(crate) fn histogram(&mut self, header: &str, lo: f64, hi: f64) -> Vec<u8> {
        let mut out = String::new();
        if self.chance(0.9) {
            out.push_str(self.pick(&[
                header,
                header,
                "LOW_VB , High_vb,weight",
                "a,b,c",
                "",
                "# header next",
            ]));
            out.push('\n');
        }
        let mut low = lo + (hi - lo) * self.rng.unit().powi(4);
        for _ in 0..self.below(30) {
            let line = match self.below(10) {
                0 => self.pick(&["", "# c", " ", "1,2", "1,2,3,4", ",,", "\t,\t,\t"]).to_string(),
                1 => format!(
                    "{},{},{}",
                    self.pick(NUMBER_FIELDS),
                    self.pick(NUMBER_FIELDS),
                    self.pick(NUMBER_FIELDS)
                ),
                _ => {
                    let high = low + (hi - low) * self.rng.unit().powi(2);
                    let weight = self.pick(&["1", "0.5", "30", "0", "-1", "1e308"]);
                    let line = format!("{low},{high},{weight}");
                    low = if self.chance(0.9) { high } else { lo };
                    line
                }
            };
            out.push_str(&line);
            out.push_str(if self.chance(0.1) { "\r\n" } else { "\n" });
        }
        let bytes = out.into_bytes();
        if self.chance(0.3) { self.mutate(&bytes, &[]) } else { bytes }
    }
}
