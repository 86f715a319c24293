//! powsim: a deterministic discrete-event simulator of proof-of-work networks.
#![warn(missing_docs)]

pub mod consensus;
pub mod net;
pub mod scenario;
pub mod sim;
