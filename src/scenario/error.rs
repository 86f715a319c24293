//! The one error type of the input boundary. It says where the problem is
//! (file, line, dotted key) and what is allowed, so the user can fix the
//! scenario without reading the source. Nothing here reads files.

use std::fmt;

/// A problem with a scenario file, a `--set` override or a data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it, or `"--set"` for an override.
    pub file: String,
    /// 1-based line in `file`, when known.
    pub line: Option<usize>,
    /// Dotted key, e.g. `network.nodes` or `mining.pool[2].hash_share`
    /// (array indices are 0-based); empty for problems with the whole file.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ScenarioError {
    /// An error at a known place.
    pub(crate) fn new(
        file: impl Into<String>,
        line: Option<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError { file: file.into(), line, key: key.into(), message: message.into() }
    }
}

/// `file:line: key: message`, leaving out `:line` when it is unknown and
/// `key: ` when the problem concerns the whole file.
impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}
