//! Edge-list files (`topology = "file"`) as the validator reads them: the bytes must be UTF-8
//! text in the format of [`crate::net::parse_edge_list`], holding at least one connection.
//! Every problem is reported with the data file's name and line under `network.topology_file`.

use super::ctx::line_of;
use super::error::ScenarioError;

/// The key errors in an edge list are reported under.
const KEY: &str = "network.topology_file";

/// Parses `bytes`, the contents of the data file `file`, for `nodes` nodes.
pub(crate) fn parse(file: &str, bytes: &[u8], nodes: u32) -> Result<Vec<(u32, u32)>, ScenarioError> {
    let fail = |line: Option<usize>, message: String| ScenarioError::new(file, line, KEY, message);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| fail(Some(line_of(bytes, e.valid_up_to())), "is not valid UTF-8 text".to_string()))?;
    let edges = crate::net::parse_edge_list(text, nodes).map_err(|e| fail(Some(e.line()), e.problem()))?;
    if edges.is_empty() {
        return Err(fail(None, "the edge list has no connections".to_string()));
    }
    Ok(edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_comments_and_blank_lines() {
        let text = "# a triangle\nsource,target\n\n0,1\n1, 2 # comment\r\n2,0\n";
        assert_eq!(parse("g.csv", text.as_bytes(), 3), Ok(vec![(0, 1), (1, 2), (2, 0)]));
        // Every header the graph writer's reader takes, `from,to` included.
        assert_eq!(parse("g.csv", b"From,To\n0,1\n", 3), Ok(vec![(0, 1)]));
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            ("0,1\n1,0\n", 2, "repeats line 1"),
            ("0,1\n2,2\n", 2, "self-loop"),
            ("a,b\n0,9\n", 2, "out of range"),
            ("0,1\n\n0;2\n", 3, "two comma-separated node ids"),
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
