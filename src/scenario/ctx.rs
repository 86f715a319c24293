//! Where a byte span of the merged document comes from: a line of the
//! scenario file, or one `--set` override.
//!
//! Overrides are spliced into the parsed file as values whose spans lie
//! beyond the end of the file text, one disjoint region per override. A span
//! therefore says by itself whether an error is the file's or an override's,
//! and every later step (serde, lowering) reports errors through [`Ctx::err`]
//! without knowing about overrides.

use std::ops::Range;

use super::error::ScenarioError;

/// A byte range in the merged document.
pub(crate) type Span = Range<usize>;

/// The file name reported for errors that come from overrides.
pub(crate) const SET_FILE: &str = "--set";

/// Error context: the scenario file's name and text, and the regions of the
/// overrides.
pub(crate) struct Ctx<'a> {
    file: String,
    text: &'a str,
    set_bases: Vec<usize>,
}

impl<'a> Ctx<'a> {
    /// Context for `text`, read from the file named `file`, with the overrides
    /// whose values will be placed after it.
    pub(crate) fn new(file: String, text: &'a str, overrides: &[String]) -> Ctx<'a> {
        let mut base = text.len().saturating_add(1);
        let mut set_bases = Vec::with_capacity(overrides.len());
        for set in overrides {
            set_bases.push(base);
            base = base.saturating_add(set.len()).saturating_add(1);
        }
        Ctx { file, text, set_bases }
    }

    /// Where the spans of override `index` start.
    pub(crate) fn set_base(&self, index: usize) -> usize {
        self.set_bases.get(index).copied().unwrap_or(usize::MAX)
    }

    /// Whether `span` lies in an override's region rather than in the file.
    pub(crate) fn is_override(&self, span: &Span) -> bool {
        self.set_bases.first().is_some_and(|&base| span.start >= base)
    }

    /// The file and 1-based line a span points at (no line for overrides).
    pub(crate) fn place(&self, span: Option<&Span>) -> (String, Option<usize>) {
        match span {
            Some(span) if self.is_override(span) => (SET_FILE.to_string(), None),
            Some(span) => (self.file.clone(), Some(line_of(self.text.as_bytes(), span.start))),
            None => (self.file.clone(), None),
        }
    }

    /// An error about `key`, located by `span` when there is one.
    pub(crate) fn err(&self, key: &str, span: Option<&Span>, message: impl Into<String>) -> ScenarioError {
        let (file, line) = self.place(span);
        ScenarioError::new(file, line, key, message)
    }
}

/// The 1-based line holding byte `offset` of `bytes` (offsets past the end
/// count as the last line).
pub(crate) fn line_of(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}
