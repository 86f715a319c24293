//! The discrete-event engine: integer time, one totally ordered event queue,
//! named random streams and a bounded run loop.
//!
//! This module owns *how* simulated time advances. It knows nothing about the
//! model it drives: no blocks, nodes or messages appear here, only a generic
//! event type chosen by the model (ARCHITECTURE.md invariant 1). It never reads the wall
//! clock or OS entropy.

mod queue;
mod rng;
mod run;
mod time;

pub use queue::EventQueue;
pub use rng::{SimRng, StreamKind, Streams, splitmix64};
pub use run::{Model, RunLimits, RunStats, StopReason, Violation, interrupt, interrupted, run};
pub use time::{SimDuration, SimTime};
