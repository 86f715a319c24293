//! The integration-test binary: whole runs through the library and the CLI.

mod cli;
mod common;
mod determinism;
mod difficulty;
mod events;
mod experiments;
mod golden;
mod invariants;
mod library;
mod plots;
mod rules;
mod transactions;
mod validation;
