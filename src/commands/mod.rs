//! One module per command: what it computes, then its human and JSON
//! forms, then `run` (what `cli.rs` dispatches to). `context` holds what
//! they share: loading, the analysis, printing and exit statuses.

pub mod availability;
pub mod check;
pub mod context;
pub mod cuts;
pub mod graph;
pub mod impact;
pub mod progress;
pub mod recovery;
pub mod risks;
pub mod rules;
pub mod spof;
pub mod why;
