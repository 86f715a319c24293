//! Plots of a run, drawn from its result directory alone: PNG and SVG files
//! beside the CSVs, and `index.html` showing the summary and every plot.
//!
//! This module reads only files (the CSVs and `manifest.toml` that
//! [`report`](crate::report) wrote), never a run in memory, so `powsim plot
//! DIR` redraws any result and `powsim run` draws through the same path.
//! Outputs are a pure function of the input files: no timestamps, figures in
//! a fixed order, the font compiled in (assets/fonts/), so the same CSVs give
//! byte-identical plots on any machine of the same platform.

mod chain;
mod draw;
mod html;
mod input;
mod market;
mod prep;
mod sweep;

pub use input::{RunData, read_dir};
pub use sweep::plot_sweep;

use draw::{Figure, render};
use rayon::prelude::*;
use std::io;
use std::path::{Path, PathBuf};

/// Why plots could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The directory does not exist.
    #[error("{0}: no such directory")]
    NoDirectory(PathBuf),
    /// The directory has no manifest.
    #[error("{0}: not a powsim result directory (no {manifest})", manifest = crate::report::MANIFEST)]
    NotAResult(PathBuf),
    /// An input file is missing or malformed.
    #[error("{path}: {message}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Drawing a figure failed.
    #[error("{path}: cannot draw: {message}")]
    Draw {
        /// The file being drawn.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl PlotError {
    /// Whether the user's input is at fault (not a result, a malformed file).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, PlotError::NoDirectory(_) | PlotError::NotAResult(_) | PlotError::Input { .. })
    }
}

/// One figure on the index page.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// File name without extension (`<stem>.png`, `<stem>.svg`).
    pub stem: &'static str,
    /// Heading.
    pub heading: &'static str,
    /// What it shows.
    pub about: String,
    /// Size in pixels.
    pub size: (u32, u32),
}

/// Every figure's file stem, in page order.
pub const STEMS: [&str; 9] =
    ["propagation", "intervals", "difficulty", "forks", "events", "mempool", "fees", "confirmation", "pools"];

/// Index page file name.
pub const INDEX: &str = "index.html";

type Job<'a> = Box<dyn Fn() -> Result<(), PlotError> + Send + Sync + 'a>;

fn add<'a, F: Figure + Send + 'a>(
    fig: Option<F>,
    dir: &'a Path,
    jobs: &mut Vec<Job<'a>>,
    entries: &mut Vec<Entry>,
) {
    let Some(fig) = fig else { return };
    entries.push(Entry { stem: fig.stem(), heading: fig.heading(), about: fig.about(), size: fig.size() });
    jobs.push(Box::new(move || render(dir, &fig)));
}

/// Draws every plot the files in `dir` allow, and `index.html`; returns the
/// figures drawn, in page order.
pub fn plot_dir(dir: &Path) -> Result<Vec<Entry>, PlotError> {
    if !dir.is_dir() {
        return Err(PlotError::NoDirectory(dir.to_path_buf()));
    }
    let data = read_dir(dir)?;
    let mut jobs = Vec::new();
    let mut entries = Vec::new();
    add(chain::Propagation::new(&data), dir, &mut jobs, &mut entries);
    add(chain::Intervals::new(&data), dir, &mut jobs, &mut entries);
    add(chain::OverHeight::new(&data), dir, &mut jobs, &mut entries);
    add(Some(chain::Forks::new(&data)), dir, &mut jobs, &mut entries);
    add(chain::Events::new(&data), dir, &mut jobs, &mut entries);
    add(market::Mempool::new(&data), dir, &mut jobs, &mut entries);
    add(market::Fees::new(&data), dir, &mut jobs, &mut entries);
    add(market::Confirmation::new(&data), dir, &mut jobs, &mut entries);
    add(market::Pools::new(&data), dir, &mut jobs, &mut entries);
    // Figures are independent files: draw them on the worker threads, and
    // report the first failure in page order whatever finished first.
    let results: Vec<Result<(), PlotError>> = jobs.par_iter().map(|job| job()).collect();
    results.into_iter().collect::<Result<(), PlotError>>()?;
    // A figure drawn before from other files must not outlive its data.
    for stem in STEMS.iter().filter(|s| !entries.iter().any(|e| e.stem == **s)) {
        for ext in ["png", "svg"] {
            let path = dir.join(format!("{stem}.{ext}"));
            if path.is_file() {
                std::fs::remove_file(&path).map_err(|source| PlotError::Io { path, source })?;
            }
        }
    }
    html::write_index(&dir.join(INDEX), &data, &entries)?;
    Ok(entries)
}
