//! The input boundary: scenario TOML -> validated [`Config`].

mod config;

pub use config::*;
