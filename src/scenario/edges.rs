//! A small parser for edge-list CSV files (`topology = "file"`): one
//! undirected connection `a,b` per line, node ids from 0 to nodes - 1, an
//! optional header `a,b` or `source,target`, `#` comments and blank lines.
//! Self-loops and repeated connections (`a,b` then `b,a`) are errors that
//! name the data file and line. The `net` module will get its own parser;
//! the two are to be unified.

use std::collections::BTreeSet;

use super::ctx::line_of;
use super::error::ScenarioError;

/// The key errors in an edge list are reported under.
const KEY: &str = "network.topology_file";

/// Parses `bytes`, the contents of the data file `file`, for `nodes` nodes.
pub(crate) fn parse(file: &str, bytes: &[u8], nodes: u32) -> Result<Vec<(u32, u32)>, ScenarioError> {
    let fail = |line: Option<usize>, message: String| ScenarioError::new(file, line, KEY, message);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| fail(Some(line_of(bytes, e.valid_up_to())), "is not valid UTF-8 text".to_string()))?;
    let mut seen = BTreeSet::new();
    let mut edges = Vec::new();
    let mut first = true;
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if std::mem::replace(&mut first, false) && is_header(line) {
            continue;
        }
        let (a, b) = parse_edge(line, nodes).map_err(|message| fail(Some(index + 1), message))?;
        if !seen.insert((a.min(b), a.max(b))) {
            let message = format!("connection {a},{b} appears twice (a,b and b,a are the same connection)");
            return Err(fail(Some(index + 1), message));
        }
        edges.push((a, b));
    }
    if edges.is_empty() {
        return Err(fail(None, "the edge list has no connections".to_string()));
    }
    Ok(edges)
}

/// `a,b` or `source,target`, in any case.
fn is_header(line: &str) -> bool {
    let fields: Vec<String> = line.split(',').map(|f| f.trim().to_ascii_lowercase()).collect();
    fields == ["a", "b"] || fields == ["source", "target"]
}

/// One connection between two different nodes.
fn parse_edge(line: &str, nodes: u32) -> Result<(u32, u32), String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [a, b] = fields.as_slice() else {
        return Err(format!("expected two node ids `a,b`, got `{line}`"));
    };
    let (a, b) = (node_id(a, nodes)?, node_id(b, nodes)?);
    if a == b {
        return Err(format!("self-loop {a},{b}: a node cannot connect to itself"));
    }
    Ok((a, b))
}

fn node_id(field: &str, nodes: u32) -> Result<u32, String> {
    let allowed = format!("node ids are integers from 0 to {} (network.nodes = {nodes})", nodes - 1);
    match field.parse::<u32>() {
        Ok(id) if id < nodes => Ok(id),
        Ok(id) => Err(format!("node id {id} is out of range: {allowed}")),
        Err(_) => Err(format!("`{field}` is not a node id: {allowed}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_comments_and_blank_lines() {
        let text = "# a triangle\nsource,target\n\n0,1\n1, 2 # comment\r\n2,0\n";
        assert_eq!(parse("g.csv", text.as_bytes(), 3), Ok(vec![(0, 1), (1, 2), (2, 0)]));
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            ("0,1\n1,0\n", 2, "twice"),
            ("0,1\n2,2\n", 2, "self-loop"),
            ("a,b\n0,9\n", 2, "out of range"),
            ("0,1\n\n0;2\n", 3, "two node ids"),
            ("0,-1\n", 1, "not a node id"),
            ("0,1\na,b\n", 2, "not a node id"),
        ];
        for (text, line, needle) in cases {
            let err = parse("g.csv", text.as_bytes(), 3).expect_err(text);
            assert_eq!((err.file.as_str(), err.line, err.key.as_str()), ("g.csv", Some(line), KEY), "{text}");
            assert!(err.message.contains(needle), "{text}: {}", err.message);
        }
        let err = parse("g.csv", b"0,1\n1,\xff2\n", 3).expect_err("bad UTF-8");
        assert_eq!(err.line, Some(2));
        assert!(parse("g.csv", b"# nothing\n", 3).is_err());
    }
}
