//! The integration-test binary: whole runs through the library and the CLI.

mod cli;
mod common;
mod determinism;
mod difficulty;
mod events;
mod golden;
mod invariants;
mod plots;
mod transactions;
mod validation;
