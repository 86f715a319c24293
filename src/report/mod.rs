//! The output boundary: CSV files, the manifest and the terminal summary.
//!
//! Everything here reads a finished [`RunOutput`](crate::world::RunOutput) and writes files; nothing
//! feeds back into a run. A run's files are written into a temporary sibling
//! directory and renamed into place only when all are complete, so a result
//! directory that exists is whole. No wall-clock time appears in any file.

mod events;
mod pools;
mod splits;
mod summary;
mod txs;
mod write;

pub use events::{EventRow, RECOVERY_TOLERANCE, RECOVERY_WINDOW, event_rows, recovery_blocks};
pub use pools::{Concentration, PoolRow, concentration, pool_rows};
pub use splits::{SplitRow, split_rows};
pub use summary::{
    STALE_RATE_EXCLUDED_HEIGHTS, Summary, main_chain_flags, summarize, summary_cells, summary_columns,
};
pub use txs::{BandRow, Confirmations, FEERATE_BANDS, TxSummary, band_rows, quantile, tx_summary};
pub use write::{
    Finish, MANIFEST, ReportError, RunMeta, Written, run_command, violation_report, write_run, write_run_with,
};
