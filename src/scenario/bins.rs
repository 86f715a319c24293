//! A small parser for histogram CSV files (`dist = "empirical"`): a header
//! naming the three columns (`low_sat_vb,high_sat_vb,weight` for fee rates,
//! `low_vb,high_vb,weight` for sizes), then one bin per line, `#` comments
//! and blank lines skipped. Bins are sorted by their low bound, do not
//! overlap (one may start where the previous one ends), lie inside the
//! allowed range and have positive weights. Every bad line is an error that
//! names the data file, the line and the scenario key that loads it.

use super::ctx::line_of;
use super::error::ScenarioError;

/// What a histogram file holds and where its values may lie.
pub(crate) struct BinFormat {
    /// The scenario key errors are reported under (`transactions.feerate`).
    pub(crate) key: &'static str,
    /// Column names: low bound, high bound, weight.
    pub(crate) columns: [&'static str; 3],
    /// Smallest allowed low bound.
    pub(crate) min: f64,
    /// Largest allowed high bound.
    pub(crate) max: f64,
    /// The values' unit, for messages.
    pub(crate) unit: &'static str,
}

impl BinFormat {
    fn header(&self) -> String {
        self.columns.join(",")
    }
}

/// Parses `bytes`, the contents of the data file `file`, into (low, high,
/// weight) bins.
pub(crate) fn parse(
    file: &str,
    bytes: &[u8],
    format: &BinFormat,
) -> Result<Vec<(f64, f64, f64)>, ScenarioError> {
    let fail = |line: Option<usize>, message: String| ScenarioError::new(file, line, format.key, message);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| fail(Some(line_of(bytes, e.valid_up_to())), "is not valid UTF-8 text".to_string()))?;
    let mut bins: Vec<(f64, f64, f64)> = Vec::new();
    let mut header_seen = false;
    let mut total = 0.0;
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let at = Some(index + 1);
        if !std::mem::replace(&mut header_seen, true) {
            if !is_header(line, format) {
                let message =
                    format!("the first line must be the header `{}`, got `{line}`", format.header());
                return Err(fail(at, message));
            }
            continue;
        }
        let bin = parse_bin(line, format).map_err(|message| fail(at, message))?;
        if let Some(&(_, previous_high, _)) = bins.last() {
            if bin.0 < previous_high {
                return Err(fail(at, unsorted(bin, previous_high, format)));
            }
        }
        total += bin.2;
        if !total.is_finite() {
            return Err(fail(at, "the weights sum to more than the largest finite number".to_string()));
        }
        bins.push(bin);
    }
    if bins.is_empty() {
        let message = format!(
            "the histogram has no bins: give at least one line after the header `{}`",
            format.header()
        );
        return Err(fail(None, message));
    }
    Ok(bins)
}

/// The header, in any case and with any spaces around the names.
fn is_header(line: &str, format: &BinFormat) -> bool {
    let fields: Vec<String> = line.split(',').map(|f| f.trim().to_ascii_lowercase()).collect();
    fields == format.columns
}

/// One bin: low < high within the range, weight > 0.
fn parse_bin(line: &str, format: &BinFormat) -> Result<(f64, f64, f64), String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [low, high, weight] = fields.as_slice() else {
        return Err(format!("expected three numbers `{}`, got `{line}`", format.header()));
    };
    let [low_name, high_name, weight_name] = format.columns;
    let (low, high, weight) =
        (number(low, low_name)?, number(high, high_name)?, number(weight, weight_name)?);
    let range = format!("bins must lie within {} to {} {}", format.min, format.max, format.unit);
    if low < 0.0 {
        return Err(format!("{low_name} {low} is negative; {range}"));
    }
    if low < format.min {
        return Err(format!("{low_name} {low} is below {}; {range}", format.min));
    }
    if high > format.max {
        return Err(format!("{high_name} {high} is above {}; {range}", format.max));
    }
    if low >= high {
        return Err(format!("{low_name} {low} must be below {high_name} {high}"));
    }
    if weight <= 0.0 {
        return Err(format!("{weight_name} must be > 0, got {weight}"));
    }
    Ok((low, high, weight))
}

/// A finite number in column `name`.
fn number(field: &str, name: &str) -> Result<f64, String> {
    match field.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("`{field}` is not a finite number ({name})")),
    }
}

fn unsorted(bin: (f64, f64, f64), previous_high: f64, format: &BinFormat) -> String {
    format!(
        "bin {}..{} starts below the previous bin's {} {previous_high}: bins must be sorted by {} and must not overlap",
        bin.0, bin.1, format.columns[1], format.columns[0]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMAT: BinFormat = BinFormat {
        key: "transactions.feerate",
        columns: ["low_sat_vb", "high_sat_vb", "weight"],
        min: 0.0,
        max: 1e6,
        unit: "sat/vB",
    };

    #[test]
    fn parses_header_comments_and_adjacent_bins() {
        let text =
            "# fee rates\nLow_sat_vb, high_sat_vb ,weight\n\n0,1,5\n1, 2.5, 0.5 # comment\r\n10,20,1\n";
        assert_eq!(
            parse("f.csv", text.as_bytes(), &FORMAT),
            Ok(vec![(0.0, 1.0, 5.0), (1.0, 2.5, 0.5), (10.0, 20.0, 1.0)])
        );
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let header = "low_sat_vb,high_sat_vb,weight\n";
        let cases = [
            ("0,1,1\n", 1, "the first line must be the header"),
            ("1,x,1\n", 2, "`x` is not a finite number (high_sat_vb)"),
            ("1,inf,1\n", 2, "not a finite number"),
            ("-1,2,1\n", 2, "low_sat_vb -1 is negative"),
            ("1,2e6,1\n", 2, "high_sat_vb 2000000 is above 1000000"),
            ("3,3,1\n", 2, "low_sat_vb 3 must be below high_sat_vb 3"),
            ("5,3,1\n", 2, "must be below"),
            ("1,2,0\n", 2, "weight must be > 0, got 0"),
            ("1,2,-3\n", 2, "weight must be > 0"),
            ("1,5,1\n4,6,1\n", 3, "must not overlap"),
            ("4,6,1\n1,2,1\n", 3, "sorted by low_sat_vb"),
            ("1,2\n", 2, "expected three numbers"),
            ("1,2,1e308\n2,3,1e308\n", 3, "largest finite number"),
        ];
        for (rows, line, needle) in cases {
            let text = if line == 1 { rows.to_string() } else { format!("{header}{rows}") };
            let err = parse("f.csv", text.as_bytes(), &FORMAT).expect_err(rows);
            assert_eq!(
                (err.file.as_str(), err.line, err.key.as_str()),
                ("f.csv", Some(line), FORMAT.key),
                "{rows}"
            );
            assert!(err.message.contains(needle), "{rows}: {}", err.message);
        }
        let err = parse("f.csv", b"low_sat_vb,high_sat_vb,weight\n1,\xff2,1\n", &FORMAT).expect_err("UTF-8");
        assert_eq!((err.line, err.message.as_str()), (Some(2), "is not valid UTF-8 text"));
        for empty in ["", "# nothing\n", header] {
            let err = parse("f.csv", empty.as_bytes(), &FORMAT).expect_err("empty");
            assert_eq!(err.line, None);
            assert!(err.message.contains("no bins"), "{}", err.message);
        }
    }
}
