//! `index.html`: the run's summary table, its timeline events and every
//! figure, self-contained (inline style, images by relative path), so it
//! opens from disk and moves with its directory.

use super::input::RunData;
use super::{Entry, PlotError};
use std::fmt::Write as _;
use std::path::Path;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A summary value for reading: floats to six decimals without trailing
/// zeros, everything else as written, an empty cell as a dash.
fn show(v: &str) -> String {
    if v.is_empty() {
        return "–".into();
    }
    match v.parse::<f64>() {
        Ok(x) if v.contains('.') || v.contains('e') => {
            let s = format!("{x:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => v.to_string(),
    }
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1240px;margin:2em auto;\
padding:0 1em;color:#222;line-height:1.4}h1 small{color:#666;font-weight:normal}\
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{padding:3px 12px;border-bottom:1px solid #ddd;\
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}\
.cols{columns:3 300px;column-gap:2em}.cols table{width:100%}figure{margin:2.5em 0}\
figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{color:#444;max-width:60em}\
nav a{margin-right:1.2em}.warn{color:#b00}";

/// Writes the index page for `entries` to `path`.
pub fn write_index(path: &Path, data: &RunData, entries: &[Entry]) -> Result<(), PlotError> {
    let info = &data.info;
    let mut h = String::new();
    let name = format!("{}, seed {}", esc(&info.scenario), info.seed);
    let _ = writeln!(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    let _ = writeln!(h, "<title>powsim: {name}</title>\n<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(h, "<h1>{} <small>seed {}</small></h1>", esc(&info.scenario), info.seed);
    let _ = write!(
        h,
        "<p>Written by powsim {}; the run stopped: {}.",
        esc(&info.powsim_version),
        esc(&info.stop_reason)
    );
    if !info.complete {
        let _ = write!(h, " <span class=\"warn\">Incomplete: the event budget ended the run early.</span>");
    }
    let _ = writeln!(h, "</p>");
    let links: Vec<String> =
        entries.iter().map(|e| format!("<a href=\"#{}\">{}</a>", e.stem, esc(e.heading))).collect();
    let _ = writeln!(h, "<nav>{}</nav>", links.join(" "));
    summary_table(&mut h, data);
    events_table(&mut h, data);
    for e in entries {
        let _ = writeln!(h, "<figure id=\"{}\">\n<h2>{}</h2>", e.stem, esc(e.heading));
        let _ = writeln!(
            h,
            "<a href=\"{0}.svg\"><img src=\"{0}.png\" width=\"{1}\" height=\"{2}\" alt=\"{3}\"></a>",
            e.stem,
            e.size.0,
            e.size.1,
            esc(e.heading)
        );
        let _ = writeln!(
            h,
            "<figcaption>{} <a href=\"{}.svg\">SVG</a></figcaption>\n</figure>",
            esc(&e.about),
            e.stem
        );
    }
    let _ = writeln!(h, "</body>\n</html>");
    std::fs::write(path, h).map_err(|source| PlotError::Io { path: path.to_path_buf(), source })
}

fn summary_table(h: &mut String, data: &RunData) {
    let _ = writeln!(h, "<h2>Summary</h2>\n<div class=\"cols\">\n<table>");
    for (k, v) in &data.summary {
        let _ = writeln!(h, "<tr><th>{}</th><td class=\"n\">{}</td></tr>", esc(k), esc(&show(v)));
    }
    let _ = writeln!(h, "</table>\n</div>\n<p>From summary.csv; times in seconds.</p>");
}

fn events_table(h: &mut String, data: &RunData) {
    let Some(events) = data.events.as_ref().filter(|e| !e.is_empty()) else { return };
    let _ = writeln!(h, "<h2>Timeline events</h2>\n<table>");
    let _ = writeln!(
        h,
        "<tr><th>event</th><th>kind</th><th>fired (s)</th><th>ended (s)</th><th>detail</th></tr>"
    );
    for e in events {
        let t = |v: Option<f64>| v.map_or("–".to_string(), |x| show(&format!("{x:?}")));
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            e.event,
            esc(&e.kind),
            t(e.fired_s),
            t(e.ended_s),
            esc(&e.detail)
        );
    }
    let _ = writeln!(h, "</table>\n<p>All columns in events.csv.</p>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_text_read_well() {
        assert_eq!(show("0.30386926140525267"), "0.303869");
        assert_eq!(show("595.4872991244"), "595.487299");
        assert_eq!(show("0.0"), "0");
        assert_eq!(show("200"), "200");
        assert_eq!(show(""), "–");
        assert_eq!(show("quickstart"), "quickstart");
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
