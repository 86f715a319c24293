//! The edge-list CSV format for peer graphs: parsing with line-numbered errors.
//!
//! Format: one connection per line as `a,b` (two node ids, `a` the node that
//! opened it). The first non-comment line may be a header `a,b`,
//! `source,target` or `from,to`. `#` starts a comment (whole line or the rest
//! of a line); blank lines are ignored; spaces around fields are allowed.
//! Connections are undirected, so `a,b` and `b,a` are the same connection and
//! the second is a duplicate. [`super::Topology::write_edge_list`] writes this
//! format. Parsing works on a `&str`; reading the file is the caller's job.

use std::collections::BTreeMap;

/// Header lines accepted as the first non-comment line.
const HEADERS: [[&str; 2]; 3] = [["a", "b"], ["source", "target"], ["from", "to"]];

/// A problem in an edge list, with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdgeListError {
    /// The line does not have exactly two comma-separated fields.
    FieldCount {
        /// 1-based line number.
        line: usize,
        /// Number of fields found.
        found: usize,
    },
    /// A field is not a non-negative integer.
    NotAnInteger {
        /// 1-based line number.
        line: usize,
        /// The offending field.
        text: String,
    },
    /// A node id is not below the node count.
    OutOfRange {
        /// 1-based line number.
        line: usize,
        /// The id found.
        id: u64,
        /// The number of nodes.
        nodes: u32,
    },
    /// A node is connected to itself.
    SelfLoop {
        /// 1-based line number.
        line: usize,
        /// The node.
        id: u32,
    },
    /// The same connection appears twice.
    Duplicate {
        /// 1-based line number of the repeat.
        line: usize,
        /// First id on the repeated line.
        a: u32,
        /// Second id on the repeated line.
        b: u32,
        /// 1-based line number of the first occurrence.
        first_line: usize,
    },
}

impl EdgeListError {
    /// The 1-based line the problem is on.
    pub fn line(&self) -> usize {
        match *self {
            EdgeListError::FieldCount { line, .. }
            | EdgeListError::NotAnInteger { line, .. }
            | EdgeListError::OutOfRange { line, .. }
            | EdgeListError::SelfLoop { line, .. }
            | EdgeListError::Duplicate { line, .. } => line,
        }
    }

    /// What is wrong, without the line.
    pub fn problem(&self) -> String {
        match self {
            EdgeListError::FieldCount { found, .. } => {
                format!("expected two comma-separated node ids `a,b`, found {found} field(s)")
            }
            EdgeListError::NotAnInteger { text, .. } => {
                format!("`{text}` is not a node id (a non-negative integer)")
            }
            EdgeListError::OutOfRange { id, nodes, .. } => {
                format!(
                    "node id {id} is out of range; the network has {nodes} nodes, so ids must be below {nodes}"
                )
            }
            EdgeListError::SelfLoop { id, .. } => {
                format!("node {id} is connected to itself; self-loops are not allowed")
            }
            EdgeListError::Duplicate { a, b, first_line, .. } => format!(
                "connection {a},{b} repeats line {first_line} (connections are undirected: a,b and b,a are the same)"
            ),
        }
    }
}

impl std::fmt::Display for EdgeListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line(), self.problem())
    }
}

impl std::error::Error for EdgeListError {}

/// Parses an edge list (see the module docs) for a network of `nodes` nodes.
/// Returns the connections in file order, each as `(opener, acceptor)`.
pub fn parse_edge_list(text: &str, nodes: u32) -> Result<Vec<(u32, u32)>, EdgeListError> {
    let mut edges = Vec::new();
    let mut first_seen: BTreeMap<(u32, u32), usize> = BTreeMap::new();
    let mut header_allowed = true;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split(',').map(str::trim).collect();
        if std::mem::take(&mut header_allowed) && is_header(&fields) {
            continue;
        }
        let (a, b) = parse_pair(&fields, line, nodes)?;
        if let Some(&first_line) = first_seen.get(&(a.min(b), a.max(b))) {
            return Err(EdgeListError::Duplicate { line, a, b, first_line });
        }
        first_seen.insert((a.min(b), a.max(b)), line);
        edges.push((a, b));
    }
    Ok(edges)
}

fn is_header(fields: &[&str]) -> bool {
    HEADERS.iter().any(|h| {
        fields.len() == 2 && h[0].eq_ignore_ascii_case(fields[0]) && h[1].eq_ignore_ascii_case(fields[1])
    })
}

fn parse_pair(fields: &[&str], line: usize, nodes: u32) -> Result<(u32, u32), EdgeListError> {
    let [a, b] = fields else {
        return Err(EdgeListError::FieldCount { line, found: fields.len() });
    };
    let (a, b) = (parse_id(a, line, nodes)?, parse_id(b, line, nodes)?);
    if a == b {
        return Err(EdgeListError::SelfLoop { line, id: a });
    }
    Ok((a, b))
}

fn parse_id(text: &str, line: usize, nodes: u32) -> Result<u32, EdgeListError> {
    let id: u64 = text.parse().map_err(|_| EdgeListError::NotAnInteger { line, text: text.to_string() })?;
    if id >= u64::from(nodes) {
        return Err(EdgeListError::OutOfRange { line, id, nodes });
    }
    Ok(id as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Topology, TopologySpec, generate};
    use crate::sim::SimRng;

    #[test]
    fn parses_headers_comments_and_blank_lines() {
        let text = "# a graph\n\nsource, target\n0,1\n 1 , 2 # trailing comment\r\n\n2,3\n";
        assert_eq!(parse_edge_list(text, 4), Ok(vec![(0, 1), (1, 2), (2, 3)]));
        assert_eq!(parse_edge_list("a,b\n3,0", 4), Ok(vec![(3, 0)]));
        assert_eq!(parse_edge_list("0,1", 2), Ok(vec![(0, 1)]));
        assert_eq!(parse_edge_list("", 2), Ok(vec![]));
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        use EdgeListError::*;
        let nodes = 5;
        let parse = |t: &str| parse_edge_list(t, nodes).unwrap_err();
        assert_eq!(parse("a,b\n0,1\n1,2,3"), FieldCount { line: 3, found: 3 });
        assert_eq!(parse("# c\n0"), FieldCount { line: 2, found: 1 });
        assert_eq!(parse("0,1\n1,x"), NotAnInteger { line: 2, text: "x".into() });
        assert_eq!(parse("0,-1"), NotAnInteger { line: 1, text: "-1".into() });
        // A header is only accepted as the first non-comment line.
        assert_eq!(parse("0,1\na,b"), NotAnInteger { line: 2, text: "a".into() });
        assert_eq!(parse("\n\n0,5"), OutOfRange { line: 3, id: 5, nodes });
        assert_eq!(parse("0,1\n3,3"), SelfLoop { line: 2, id: 3 });
        assert_eq!(parse("0,1\n1,2\n\n2,1"), Duplicate { line: 4, a: 2, b: 1, first_line: 2 });
        assert_eq!(parse("0,1\n0,1"), Duplicate { line: 2, a: 0, b: 1, first_line: 1 });
        let msg = parse("0,1\n0,9").to_string();
        assert!(msg.starts_with("line 2: node id 9 is out of range"), "{msg}");
    }

    #[test]
    fn write_then_parse_round_trips() {
        let slots = vec![crate::net::NodeSlot::default(); 300];
        let t = generate(&TopologySpec::Degree2015, &slots, &mut SimRng::from_seed_u64(8)).unwrap();
        let mut out = Vec::new();
        t.write_edge_list(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("a,b\n"));
        let edges = parse_edge_list(&text, 300).unwrap();
        assert_eq!(edges.len(), t.connection_count());
        assert_eq!(Topology::from_edges(300, &edges).unwrap(), t);
    }
}
