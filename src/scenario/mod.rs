//! The input boundary: scenario TOML -> validated [`Config`].
//!
//! Three steps, each with errors that name the file, the line, the dotted
//! key and what is allowed ([`ScenarioError`]):
//!
//! 1. parse: the file's bytes -> UTF-8 -> a TOML document with spans; the
//!    `--set` overrides are spliced into it (`overrides`);
//! 2. serde: document -> raw structs (`raw`): syntax, types, unknown keys;
//! 3. lower: raw structs -> [`Config`] (`lower*`): defaults, ranges,
//!    combinations, presets, data files.
//!
//! This module and its data files are the only scenario code that touches
//! the filesystem; nothing here runs the simulation.

mod bins;
mod check;
mod config;
mod ctx;
mod edges;
mod error;
#[cfg(fuzzing)]
pub mod fuzzing;
mod locate;
mod lower;
mod lower_consensus;
mod lower_events;
mod lower_mining;
mod lower_network;
mod lower_transactions;
mod names;
mod overrides;
mod pool_presets;
mod raw;
mod resolved;
mod resolved_transactions;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_fuzz;
#[cfg(test)]
mod tests_fuzz_gen;
#[cfg(test)]
mod tests_fuzz_plan;
#[cfg(test)]
mod tests_rules;

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

pub use config::*;
pub use error::ScenarioError;
pub use lower_consensus::DEFAULT_RULES_NAME;
pub use resolved::{digest_hex, resolved_toml};

use ctx::{Ctx, line_of};
use raw::RawScenario;

/// Largest scenario file `load` reads (16 MiB); real ones are a few KiB.
const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Largest data file (edge list, histogram) a scenario may name (256 MiB):
/// an edge list of a million nodes with ten connections each is about 150 MB.
pub(crate) const MAX_DATA_BYTES: u64 = 256 << 20;

/// Reads the scenario file at `path`, applies the `--set` overrides
/// (`"key.path=value"`, in order) and validates the result. Data files
/// named in the scenario are found relative to the scenario file's directory.
pub fn load(path: &Path, overrides: &[String]) -> Result<Config, ScenarioError> {
    let file = path.display().to_string();
    let bytes = read_limited(path, MAX_SCENARIO_BYTES).map_err(|e| {
        ScenarioError::new(file.as_str(), None, "", format!("cannot read scenario file: {e}"))
    })?;
    let Some(bytes) = bytes else {
        let message = format!(
            "is more than {MAX_SCENARIO_BYTES} bytes; scenario files may have at most {MAX_SCENARIO_BYTES}"
        );
        return Err(ScenarioError::new(file, None, "", message));
    };
    let text = decode(&file, &bytes)?;
    parse_str(text, path, overrides)
}

/// The bytes of the file at `path` if it holds at most `limit` bytes, else
/// `None`. The limit bounds what is read, not what the file's size says, so
/// a device that never ends (`/dev/zero`) cannot exhaust memory.
pub(crate) fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Parses and validates scenario `text` as if read from `origin` (used for
/// error messages and to find data files), with `--set` overrides.
pub fn parse_str(text: &str, origin: &Path, overrides: &[String]) -> Result<Config, ScenarioError> {
    let ctx = Ctx::new(origin.display().to_string(), text, overrides);
    let raw = parse_raw(text, overrides, &ctx)?;
    let dir = origin.parent().unwrap_or(Path::new("."));
    lower::lower(raw, &ctx, dir)
}

/// Reads the data file `given` names (relative to `dir`, the scenario
/// file's directory) for `key`: its full path and bytes, or an error at the
/// key when it cannot be read or is larger than [`MAX_DATA_BYTES`].
pub(crate) fn read_data_file(
    ctx: &Ctx<'_>,
    key: &str,
    given: &Spanned<String>,
    dir: &Path,
) -> Result<(std::path::PathBuf, Vec<u8>), ScenarioError> {
    let full = dir.join(given.get_ref());
    let fail = |message: String| ctx.err(key, Some(&given.span()), message);
    match read_limited(&full, MAX_DATA_BYTES) {
        Ok(Some(bytes)) => Ok((full, bytes)),
        Ok(None) => Err(fail(format!(
            "data file `{}` is more than {MAX_DATA_BYTES} bytes; data files may have at most {MAX_DATA_BYTES}",
            full.display()
        ))),
        Err(e) => Err(fail(format!("cannot read data file `{}`: {e}", full.display()))),
    }
}

/// The scenario file's bytes as UTF-8 text.
fn decode<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, ScenarioError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let line = line_of(bytes, e.valid_up_to());
        ScenarioError::new(file, Some(line), "", "is not valid UTF-8 text (TOML files must be UTF-8)")
    })
}

/// Steps 1 and 2: TOML syntax, overrides, serde.
fn parse_raw<'a>(
    text: &'a str,
    overrides: &'a [String],
    ctx: &Ctx<'_>,
) -> Result<RawScenario, ScenarioError> {
    let document = DeTable::parse(text).map_err(|e| {
        let message = format!("TOML syntax error: {}", e.message().trim_end());
        ctx.err("", e.span().as_ref(), message)
    })?;
    let span = document.span();
    let mut root = document.into_inner();
    overrides::apply(&mut root, overrides, ctx)?;
    let located = root.clone();
    RawScenario::deserialize(toml::de::Deserializer::from(Spanned::new(span, root))).map_err(|e| {
        let key = e.span().map(|span| locate::key_at(&located, &span)).unwrap_or_default();
        ctx.err(&key, e.span().as_ref(), polish(e.message()))
    })
}

/// Serde's messages in the scenario's own words.
fn polish(message: &str) -> String {
    match message {
        "integer number overflowed" => "integer is too large to read (no key allows it)".to_string(),
        "floating-point number overflowed" => "number is too large to be a finite float".to_string(),
        other => other.replacen("unknown field", "unknown key", 1),
    }
}
