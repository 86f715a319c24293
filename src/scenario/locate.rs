//! Finds the dotted key a byte span belongs to, by walking the parsed
//! document. Serde reports errors with a span only, so this is how a type
//! error or an unknown key gets its `network.nodes`-style name.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ctx::Span;

/// One step of a dotted key.
#[derive(Clone, Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

/// The deepest key whose name or value contains `span`, e.g.
/// `mining.pool[1].hash_share`; empty when none does.
pub(crate) fn key_at(root: &DeTable<'_>, span: &Span) -> String {
    let mut path = Vec::new();
    let mut best = Vec::new();
    search_table(root, span, &mut path, &mut best);
    render(&best)
}

/// Renders segments as `a.b[2].c`. A key that is not a bare TOML key is
/// quoted as TOML quotes it (`network."node s"`, `""`), so that every key,
/// the empty one included, has a visible and unambiguous name.
fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                push_key(&mut out, key);
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Appends `key`, bare when TOML allows it (`A-Z a-z 0-9 _ -`), else as a
/// basic string with quotes, backslashes and control characters escaped.
fn push_key(out: &mut String, key: &str) {
    let bare = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        out.push_str(key);
        return;
    }
    out.push('"');
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn contains(outer: &Span, inner: &Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn search_table(table: &DeTable<'_>, span: &Span, path: &mut Vec<Segment>, best: &mut Vec<Segment>) {
    for (key, value) in table.iter() {
        path.push(Segment::Key(key.get_ref().to_string()));
        let hit = contains(&key.span(), span) || contains(&value.span(), span);
        if hit && path.len() > best.len() {
            *best = path.clone();
        }
        search_value(value, span, path, best);
        path.pop();
    }
}

/// Tables declared by a header carry the header's span, not their body's,
/// so every child is searched whether or not its parent matched. The first
/// `[[table]]` of an array has the array's own span; an error there is the
/// array's, not the element's.
fn search_value(value: &Spanned<DeValue<'_>>, span: &Span, path: &mut Vec<Segment>, best: &mut Vec<Segment>) {
    match value.get_ref() {
        DeValue::Table(table) => search_table(table, span, path, best),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                let own = item.span() != value.span();
                if own && contains(&item.span(), span) && path.len() > best.len() {
                    *best = path.clone();
                }
                search_value(item, span, path, best);
                path.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(text: &str, needle: &str) -> String {
        let doc = DeTable::parse(text).expect("valid TOML");
        let start = text.find(needle).expect("needle in text");
        key_at(doc.get_ref(), &(start..start + needle.len()))
    }

    #[test]
    fn finds_keys_under_headers_dotted_keys_and_arrays() {
        let text = "a = 1\nnet.nodes = 5\n[stop]\nblocks = 7\n[[m.pool]]\nx = 1\n[[m.pool]]\ny = [1, 22]\n";
        assert_eq!(key_of(text, "5"), "net.nodes");
        assert_eq!(key_of(text, "blocks"), "stop.blocks");
        assert_eq!(key_of(text, "7"), "stop.blocks");
        assert_eq!(key_of(text, "y"), "m.pool[1].y");
        assert_eq!(key_of(text, "22"), "m.pool[1].y[1]");
        assert_eq!(key_of(text, "a"), "a");
    }

    #[test]
    fn keys_that_are_not_bare_are_quoted() {
        let text = "\"\" = 1\n[net]\n\"node s\" = 2\n\"a.b\" = 3\n\"q\\\"\\u0001\" = 4\n\"ключ\" = 5\n";
        assert_eq!(key_of(text, "1"), "\"\"");
        assert_eq!(key_of(text, "2"), "net.\"node s\"");
        assert_eq!(key_of(text, "3"), "net.\"a.b\"");
        assert_eq!(key_of(text, "4"), "net.\"q\\\"\\u0001\"");
        assert_eq!(key_of(text, "5"), "net.\"ключ\"");
    }
}
