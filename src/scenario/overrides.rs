//! `--set key.path=value` overrides, applied to the parsed document before
//! serde sees it, so an override is checked exactly like a key in the file.
//!
//! The value is parsed as a TOML value (`5000`, `1e21`, `true`, `"x"`,
//! `[1, 2]`, `{ a = 1 }`); text that is not a TOML value is taken as a bare
//! string (`network.preset=ideal`). Path segments are keys or 0-based indices
//! into arrays of tables (`mining.pool.0.hash_share` or
//! `mining.pool[0].hash_share`); an index one past the end appends a table.
//! Missing tables are created. Spans of inserted keys and values are moved
//! into the override's own region (see `ctx`), so errors name `--set`.

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::ctx::{Ctx, SET_FILE, Span};
use super::error::ScenarioError;

/// Applies every override to `root`, in order (later ones win).
pub(crate) fn apply<'a>(
    root: &mut DeTable<'a>,
    overrides: &'a [String],
    ctx: &Ctx<'_>,
) -> Result<(), ScenarioError> {
    for (index, text) in overrides.iter().enumerate() {
        apply_one(root, text, ctx.set_base(index))?;
    }
    Ok(())
}

fn apply_one<'a>(root: &mut DeTable<'a>, text: &'a str, base: usize) -> Result<(), ScenarioError> {
    let fail = |key: &str, message: String| ScenarioError::new(SET_FILE, None, key, message);
    let Some((path, value_text)) = text.split_once('=') else {
        return Err(fail("", format!("expected key.path=value, got `{text}`")));
    };
    let key = path.trim();
    let segments = segments(path, base).map_err(|message| fail(key, message))?;
    let value = parse_value(value_text, base + path.len() + 1);
    set_in_table(root, &segments, value).map_err(|message| fail(key, message))
}

/// Longest override path; the deepest real key has four parts. The limit
/// keeps the recursive path walk far from the stack's limit.
const MAX_SEGMENTS: usize = 8;

/// One step of an override's path, with its span in the override's region
/// (so an unknown key created by the override is reported as that key).
type Segment<'a> = (&'a str, Span);

/// Splits `a.b[2].c` or `a.b.2.c` into `a`, `b`, `2`, `c`; `base` is where
/// `path` starts in the override's region.
fn segments(path: &str, base: usize) -> Result<Vec<Segment<'_>>, String> {
    if path.split('.').count() > MAX_SEGMENTS {
        return Err(format!(
            "key paths have at most {MAX_SEGMENTS} parts (the deepest key is mining.pool.N.name)"
        ));
    }
    let mut out = Vec::new();
    let mut start = base;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, Some(rest.strip_suffix(']').unwrap_or("?"))),
            None => (part, None),
        };
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(format!("empty key segment in `{}`", path.trim()));
        }
        let name_start = start + (name.len() - name.trim_start().len());
        out.push((trimmed, name_start..name_start + trimmed.len()));
        if let Some(index) = index {
            if index.parse::<usize>().is_err() {
                return Err(format!("`[{index}` in `{}` is not an array index like [0]", path.trim()));
            }
            let index_start = start + name.len() + 1;
            out.push((index, index_start..index_start + index.len()));
        }
        start += part.len() + 1;
    }
    Ok(out)
}

/// The value of an override as TOML, else as a bare string, with its spans
/// moved to start at `offset`.
fn parse_value(text: &str, offset: usize) -> Spanned<DeValue<'_>> {
    let trimmed = text.trim();
    let start = offset + (text.len() - text.trim_start().len());
    match DeValue::parse(trimmed) {
        Ok(mut value) => {
            shift(&mut value, start);
            value
        }
        Err(_) => Spanned::new(start..start + trimmed.len(), DeValue::String(Cow::Borrowed(trimmed))),
    }
}

/// Moves every span inside `value` by `by` bytes.
fn shift(value: &mut Spanned<DeValue<'_>>, by: usize) {
    let span = value.span();
    let inner = std::mem::replace(value.get_mut(), DeValue::Boolean(false));
    *value = Spanned::new(span.start + by..span.end + by, inner);
    match value.get_mut() {
        DeValue::Array(items) => items.iter_mut().for_each(|item| shift(item, by)),
        DeValue::Table(table) => {
            let old = std::mem::take(table);
            for (key, mut item) in old {
                let span = key.span();
                shift(&mut item, by);
                table.insert(Spanned::new(span.start + by..span.end + by, key.into_inner()), item);
            }
        }
        _ => {}
    }
}

/// Sets `segments` (relative to `table`) to `value`, creating tables.
fn set_in_table<'a>(
    table: &mut DeTable<'a>,
    segments: &[Segment<'a>],
    value: Spanned<DeValue<'a>>,
) -> Result<(), String> {
    let Some(((first, span), rest)) = segments.split_first() else {
        return Err("empty key".to_string());
    };
    let first = *first;
    if rest.is_empty() {
        match table.get_mut(first) {
            Some(slot) => *slot = value,
            None => {
                table.insert(Spanned::new(span.clone(), Cow::Borrowed(first)), value);
            }
        }
        return Ok(());
    }
    if table.get(first).is_none() {
        let container = match rest.first().and_then(|(s, _)| s.parse::<usize>().ok()) {
            Some(_) => DeValue::Array(DeArray::new()),
            None => DeValue::Table(DeTable::new()),
        };
        table.insert(Spanned::new(span.clone(), Cow::Borrowed(first)), Spanned::new(span.clone(), container));
    }
    match table.get_mut(first) {
        Some(slot) => descend(slot, first, rest, value),
        None => Err(format!("could not create `{first}`")),
    }
}

/// Continues the path inside `slot`, the value of key `name`.
fn descend<'a>(
    slot: &mut Spanned<DeValue<'a>>,
    name: &str,
    rest: &[Segment<'a>],
    value: Spanned<DeValue<'a>>,
) -> Result<(), String> {
    match slot.get_mut() {
        DeValue::Table(table) => set_in_table(table, rest, value),
        DeValue::Array(items) => set_in_array(items, name, rest, value),
        other => {
            let path: Vec<&str> = rest.iter().map(|(s, _)| *s).collect();
            Err(format!(
                "`{name}` is a {}, not a table, so it has no key `{}`",
                other.type_str(),
                path.join(".")
            ))
        }
    }
}

/// Continues the path inside an array: the first segment is an index.
fn set_in_array<'a>(
    items: &mut DeArray<'a>,
    name: &str,
    rest: &[Segment<'a>],
    value: Spanned<DeValue<'a>>,
) -> Result<(), String> {
    let ((index, span), after) = rest.split_first().ok_or_else(|| format!("`{name}` needs an index"))?;
    let len = items.len();
    let i = index.parse::<usize>().map_err(|_| {
        format!("`{name}` is an array: expected an index from 0 to {len} after it, got `{index}`")
    })?;
    if i > len {
        return Err(format!("index {i} is out of range: `{name}` has {len} entries (use {len} to add one)"));
    }
    if i == len {
        items.push(Spanned::new(span.clone(), DeValue::Table(DeTable::new())));
    }
    let Some(slot) = items.get_mut(i) else {
        return Err(format!("index {i} is out of range"));
    };
    if after.is_empty() {
        *slot = value;
        return Ok(());
    }
    descend(slot, index, after, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_accept_dots_and_brackets() {
        let names = |path| segments(path, 100).map(|v| v.into_iter().map(|(s, _)| s).collect::<Vec<_>>());
        assert_eq!(names("mining.pool.0.name"), Ok(vec!["mining", "pool", "0", "name"]));
        assert_eq!(names("mining.pool[3].name"), Ok(vec!["mining", "pool", "3", "name"]));
        assert!(names("a..b").is_err());
        assert!(names("a[x].b").is_err());
        let spans: Vec<Span> =
            segments(" ab.c[12].d", 100).expect("path").into_iter().map(|(_, s)| s).collect();
        assert_eq!(spans, vec![101..103, 104..105, 106..108, 110..111]);
    }

    #[test]
    fn values_parse_as_toml_or_bare_strings() {
        assert!(parse_value("5000", 0).get_ref().is_integer());
        assert!(parse_value(" 1e21", 0).get_ref().is_float());
        assert_eq!(parse_value("ideal", 0).get_ref().as_str(), Some("ideal"));
        assert_eq!(parse_value("\"x y\"", 0).get_ref().as_str(), Some("x y"));
        assert_eq!(parse_value(" 7", 10).span(), 11..12);
    }
}
