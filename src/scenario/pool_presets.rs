//! The named pool presets (`mining.pools = "bitcoin-2015"`,
//! `"bitcoin-2026"`): one CSV table per preset under `scenarios/data/pools/`, with its
//! source and date in the file's `#` comment header beside the numbers.
//! The tables are compiled into the binary, so a preset works from any
//! directory and reads no file at run time.
//!
//! A table has the header `name,hash_share,region,upload_mbps,download_mbps,
//! connections` and one miner per row; an empty cell means the network's
//! default for that node, as when a `[[mining.pool]]` table leaves the key
//! out. [`parse`] checks every cell and the share sum and reports a bad one
//! as a [`ScenarioError`] naming the data file and line, never by panicking;
//! the unit tests parse every shipped table, so a bad edit fails the test
//! suite before it reaches a user's run.

use std::collections::BTreeSet;

use super::check::{Bounds, POSITIVE_QUANTITY, SHARE};
use super::config::{PoolConfig, StrategyName};
use super::error::ScenarioError;
use super::lower_mining::{BPS_PER_MBPS, MAX_POOL_NAME_CHARS, SHARE_SUM_TOLERANCE};
use super::names::PoolsPreset;
use crate::net::Region;

/// The columns of a preset table, in order.
const COLUMNS: [&str; 6] = ["name", "hash_share", "region", "upload_mbps", "download_mbps", "connections"];

/// The scenario key that errors in a preset table are reported under.
const KEY: &str = "mining.pools";

/// Most connections a pool may open (as `[[mining.pool]]`'s `connections`).
const MAX_CONNECTIONS: u32 = 10_000;

/// How far the shares of a [`Shares::Normalised`] table may sum from 1: a
/// published table rounds each share, so its sum misses 1 a little
/// (Gervais et al.'s by 0.001); a larger gap is a typo, not rounding.
const PUBLISHED_SUM_TOLERANCE: f64 = 0.01;

/// How a table's `hash_share` column becomes the miners' hash shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shares {
    /// As written; they must sum to 1 within [`SHARE_SUM_TOLERANCE`].
    AsWritten,
    /// Each divided by their sum, which must be within
    /// [`PUBLISHED_SUM_TOLERANCE`] of 1: for a source whose rounded shares
    /// do not add up, kept in the file as published.
    Normalised,
}

/// A preset's table as compiled in.
#[derive(Clone, Copy, Debug)]
struct PresetTable {
    /// The file's path from the repository root, for error messages.
    file: &'static str,
    /// The file's contents.
    text: &'static str,
    /// How its shares are read.
    shares: Shares,
}

/// Gervais et al.'s 16 pools of 2015, whose published shares sum to 1.001.
const BITCOIN_2015: PresetTable = PresetTable {
    file: "scenarios/data/pools/bitcoin-2015.csv",
    text: include_str!("../../scenarios/data/pools/bitcoin-2015.csv"),
    shares: Shares::Normalised,
};

/// Spark's pool table of early 2026 and 13 solo miners for the rest.
const BITCOIN_2026: PresetTable = PresetTable {
    file: "scenarios/data/pools/bitcoin-2026.csv",
    text: include_str!("../../scenarios/data/pools/bitcoin-2026.csv"),
    shares: Shares::AsWritten,
};

/// The table of a named-pool preset; `None` for `every-node`, which has none.
fn table(preset: &PoolsPreset) -> Option<PresetTable> {
    match preset {
        PoolsPreset::Bitcoin2015 => Some(BITCOIN_2015),
        PoolsPreset::Bitcoin2026 => Some(BITCOIN_2026),
        PoolsPreset::EveryNode => None,
    }
}

/// The miners of a named-pool preset (an empty list for `every-node`).
pub(crate) fn preset_pools(preset: &PoolsPreset) -> Result<Vec<PoolConfig>, ScenarioError> {
    match table(preset) {
        Some(table) => parse(table.file, table.text, table.shares),
        None => Ok(Vec::new()),
    }
}

/// Parses `text`, the contents of the preset table `file`, into one
/// honest miner per row, in file order.
fn parse(file: &str, text: &str, shares: Shares) -> Result<Vec<PoolConfig>, ScenarioError> {
    let fail = |line: Option<u64>, message: String| {
        let line = line.and_then(|l| usize::try_from(l).ok());
        ScenarioError::new(file, line, KEY, message)
    };
    let mut reader =
        csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| fail(csv_line(&e), e.to_string()))?;
    if header.iter().ne(COLUMNS) {
        let got: Vec<&str> = header.iter().collect();
        let message = format!("the header must be `{}`, got `{}`", COLUMNS.join(","), got.join(","));
        return Err(fail(header.position().map(|p| p.line()), message));
    }
    let mut pools: Vec<PoolConfig> = Vec::new();
    let mut names = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| fail(csv_line(&e), e.to_string()))?;
        let line = record.position().map(|p| p.line());
        let pool = parse_row(&record).map_err(|message| fail(line, message))?;
        if !names.insert(pool.name.clone()) {
            return Err(fail(line, format!("name: {:?} appears twice; names must be unique", pool.name)));
        }
        pools.push(pool);
    }
    if pools.is_empty() {
        return Err(fail(None, "the table has no miners: give at least one row after the header".into()));
    }
    scale_shares(&mut pools, shares).map_err(|message| fail(None, message))?;
    Ok(pools)
}

/// The line a CSV error happened on, when the error says.
fn csv_line(error: &csv::Error) -> Option<u64> {
    error.position().map(csv::Position::line)
}

/// One row (already known to have [`COLUMNS`]'s length) as an honest miner.
fn parse_row(record: &csv::StringRecord) -> Result<PoolConfig, String> {
    let cell = |i: usize| record.get(i).unwrap_or("");
    let name = cell(0);
    let length = name.chars().count();
    if !(1..=MAX_POOL_NAME_CHARS).contains(&length) {
        return Err(format!("name: must be 1 to {MAX_POOL_NAME_CHARS} characters, got {length}"));
    }
    let hash_share = number(COLUMNS[1], cell(1), SHARE)?;
    let region = cell(2).parse::<Region>().map_err(|e| format!("region: {e}"))?;
    let mbps = |i: usize| optional(cell(i), |cell| number(COLUMNS[i], cell, POSITIVE_QUANTITY));
    Ok(PoolConfig {
        name: name.to_string(),
        hash_share,
        region,
        upload_bps: mbps(3)?.map(|m| m * BPS_PER_MBPS),
        download_bps: mbps(4)?.map(|m| m * BPS_PER_MBPS),
        connections: optional(cell(5), connections)?,
        tx_relay_connections: None,
        strategy: StrategyName::Honest,
        empty_block_window_s: 0.0,
        spv_mining: false,
        gateways: Vec::new(),
    })
}

/// An optional cell: `None` when empty, else `read` of it.
fn optional<T>(cell: &str, read: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if cell.is_empty() { Ok(None) } else { read(cell).map(Some) }
}

/// A number cell within `bounds`.
fn number(column: &str, cell: &str, bounds: Bounds) -> Result<f64, String> {
    match cell.parse::<f64>() {
        Ok(x) if bounds.contains(x) => Ok(x),
        _ => Err(format!("{column}: must be {}, got `{cell}`", bounds.describe())),
    }
}

/// A `connections` cell.
fn connections(cell: &str) -> Result<u32, String> {
    match cell.parse::<u32>() {
        Ok(n) if (1..=MAX_CONNECTIONS).contains(&n) => Ok(n),
        _ => Err(format!("connections: must be an integer from 1 to {MAX_CONNECTIONS}, got `{cell}`")),
    }
}

/// Checks the share sum and, for a [`Shares::Normalised`] table, divides
/// each share by it.
fn scale_shares(pools: &mut [PoolConfig], shares: Shares) -> Result<(), String> {
    let total: f64 = pools.iter().map(|pool| pool.hash_share).sum();
    let tolerance = match shares {
        Shares::AsWritten => SHARE_SUM_TOLERANCE,
        Shares::Normalised => PUBLISHED_SUM_TOLERANCE,
    };
    if (total - 1.0).abs() > tolerance {
        return Err(format!("hash_share values must sum to 1 (within {tolerance:e}), got {total}"));
    }
    if shares == Shares::Normalised {
        pools.iter_mut().for_each(|pool| pool.hash_share /= total);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,hash_share,region,upload_mbps,download_mbps,connections\n";

    fn parsed(preset: PoolsPreset) -> Vec<PoolConfig> {
        preset_pools(&preset).unwrap_or_else(|e| panic!("{e}"))
    }

    fn share_sum(pools: &[PoolConfig]) -> f64 {
        pools.iter().map(|p| p.hash_share).sum()
    }

    /// The error for a table of `rows` below [`HEADER`], as (line, message).
    fn error(rows: &str, shares: Shares) -> (Option<usize>, String) {
        let text = format!("# a comment\n{HEADER}{rows}");
        let err = parse("t.csv", &text, shares).expect_err(rows);
        assert_eq!((err.file.as_str(), err.key.as_str()), ("t.csv", KEY));
        (err.line, err.message)
    }

    #[test]
    fn bitcoin_2015_table_reproduces_gervais_normalised() {
        let pools = parsed(PoolsPreset::Bitcoin2015);
        assert_eq!(pools.len(), 16);
        assert_eq!((pools[0].name.as_str(), pools[15].name.as_str()), ("pool-01", "pool-16"));
        // The old compiled-in table, bit for bit: each published share over their sum.
        let published = [
            0.289, 0.196, 0.159, 0.133, 0.066, 0.054, 0.029, 0.016, 0.012, 0.012, 0.012, 0.009, 0.005, 0.005,
            0.002, 0.002,
        ];
        let total: f64 = published.iter().sum();
        assert!((total - 1.001).abs() < 1e-12);
        for (pool, share) in pools.iter().zip(published) {
            assert_eq!(pool.hash_share.to_bits(), (share / total).to_bits(), "{}", pool.name);
        }
        assert!((share_sum(&pools) - 1.0).abs() < 1e-12);
        use Region::{AP, EU, NA};
        let regions = [AP, AP, AP, NA, AP, NA, EU, EU, NA, NA, NA, EU, NA, NA, NA, NA];
        assert_eq!(pools.iter().map(|p| p.region).collect::<Vec<_>>(), regions);
        assert!(pools.iter().all(|p| p.upload_bps == Some(1e8) && p.download_bps == Some(1e8)));
        assert!(pools.iter().all(|p| p.connections == Some(750) && p.tx_relay_connections.is_none()));
        assert!(pools.iter().all(|p| p.strategy == StrategyName::Honest && p.empty_block_window_s == 0.0));
    }

    #[test]
    fn bitcoin_2026_table_holds_spark_pools_and_solo_miners() {
        let pools = parsed(PoolsPreset::Bitcoin2026);
        assert_eq!(pools.len(), 25);
        let first = &pools[0];
        assert_eq!((first.name.as_str(), first.hash_share, first.region), ("foundry-usa", 0.37, Region::NA));
        let last = &pools[24];
        assert_eq!((last.name.as_str(), last.hash_share, last.region), ("solo-13", 0.005, Region::NA));
        let (named, solo) = pools.split_at(12);
        assert_eq!(named[11].name, "binance-pool");
        assert!((share_sum(named) - 0.935).abs() < 1e-12);
        assert!(solo.iter().all(|p| p.name.starts_with("solo-") && p.hash_share == 0.005));
        let cycle = [Region::NA, Region::EU, Region::AP];
        assert!(solo.iter().enumerate().all(|(i, p)| p.region == cycle[i % 3]));
        assert!((share_sum(&pools) - 1.0).abs() <= SHARE_SUM_TOLERANCE);
        let ordinary = |p: &PoolConfig| p.upload_bps.is_none() && p.download_bps.is_none();
        assert!(pools.iter().all(|p| ordinary(p) && p.connections.is_none()));
    }

    #[test]
    fn every_node_has_no_table() {
        assert!(table(&PoolsPreset::EveryNode).is_none());
        assert_eq!(parsed(PoolsPreset::EveryNode), Vec::new());
    }

    #[test]
    fn empty_cells_are_defaults_and_numbers_are_megabits() {
        let text = format!("{HEADER}a,0.5,eu,50,0.1,30\n# between rows\n\nb, 0.5 ,JP,,,\n");
        let pools = parse("t.csv", &text, Shares::AsWritten).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (pools[0].region, pools[0].upload_bps, pools[0].download_bps),
            (Region::EU, Some(5e7), Some(1e5))
        );
        assert_eq!(pools[0].connections, Some(30));
        assert_eq!((pools[1].hash_share, pools[1].upload_bps, pools[1].connections), (0.5, None, None));
    }

    #[test]
    fn bad_tables_are_errors_that_name_the_line() {
        let with = |row: &str| format!("a,0.5,NA,,,\n{row}\n");
        let (line, message) = error(&with("b,0.5,Mars,,,"), Shares::AsWritten);
        assert_eq!(line, Some(4));
        assert!(message.contains("region") && message.contains("NA, EU, SA, AP, JP, AU"), "{message}");
        let (line, message) = error(&with("b,half,NA,,,"), Shares::AsWritten);
        assert_eq!(
            (line, message.contains("hash_share: must be a finite number > 0 and <= 1, got `half`")),
            (Some(4), true)
        );
        let (_, message) = error(&with("b,,NA,,,"), Shares::AsWritten);
        assert!(message.contains("hash_share: must be a finite number > 0 and <= 1, got ``"), "{message}");
        let (_, message) = error(&with("b,0.5,NA,-3,,"), Shares::AsWritten);
        assert!(message.contains("upload_mbps"), "{message}");
        let (_, message) = error(&with("b,0.5,NA,,inf,"), Shares::AsWritten);
        assert!(message.contains("download_mbps"), "{message}");
        let (_, message) = error(&with("b,0.5,NA,,,0"), Shares::AsWritten);
        assert!(message.contains("connections: must be an integer from 1 to 10000, got `0`"), "{message}");
        let (line, message) = error(&with("a,0.5,NA,,,"), Shares::AsWritten);
        assert_eq!((line, message.contains("appears twice")), (Some(4), true));
        let (line, _) = error(&with("b,0.5,NA,,"), Shares::AsWritten);
        assert_eq!(line, Some(4));
        let (_, message) = error(&with(",0.5,NA,,,"), Shares::AsWritten);
        assert!(message.contains("name: must be 1 to 64"), "{message}");
        let (line, message) = error("", Shares::AsWritten);
        assert_eq!((line, message.contains("no miners")), (None, true));
        let bad_header =
            parse("t.csv", "name,share,region\na,1,NA\n", Shares::AsWritten).expect_err("header");
        assert_eq!((bad_header.line, bad_header.message.contains("the header must be")), (Some(1), true));
    }

    #[test]
    fn share_sums_are_checked_and_published_sums_normalised() {
        let (_, message) = error("a,0.5,NA,,,\nb,0.4,EU,,,\n", Shares::AsWritten);
        assert!(message.contains("must sum to 1 (within 1e-6), got 0.9"), "{message}");
        let (_, message) = error("a,0.5,NA,,,\nb,0.4,EU,,,\n", Shares::Normalised);
        assert!(message.contains("must sum to 1 (within 1e-2), got 0.9"), "{message}");
        let text = format!("{HEADER}a,0.5,NA,,,\nb,0.501,EU,,,\n");
        let pools = parse("t.csv", &text, Shares::Normalised).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((pools[0].hash_share, pools[1].hash_share), (0.5 / 1.001, 0.501 / 1.001));
    }
}
