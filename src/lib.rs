//! faultline: an architecture linter for infrastructure descriptions.
//!
//! Layers, one direction of flow:
//! `files` -> `yaml` (spanned tree) -> `load` (validated `model`) ->
//! `engine` (the threshold circuit, DOWN under a failure set, minimal cut
//! sets by algebra) -> `analysis` ->
//! `rules` (templates + rule files) -> `check` (findings) -> `report` ->
//! `cli`; `lsp`, the language server, is a second front end beside `cli`.

pub mod analysis;
pub mod availability;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod engine;
pub mod files;
pub mod finding;
pub mod fingerprint;
pub mod import;
pub mod jsonschema;
pub mod limits;
pub mod load;
pub mod lsp;
pub mod model;
pub mod paths;
pub mod prepare;
pub mod progress;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod stream;
mod waiver;
pub mod yaml;
