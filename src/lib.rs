//! faultline: an architecture linter for infrastructure descriptions.
//!
//! The folders are the stages a run flows through, each importing only the
//! ones below it (docs/architecture.md is the map):
//! `input` (files, spanned YAML, positioned errors) -> `model` (the validated
//! description) -> `engine` (the threshold circuit and its algebra) ->
//! `analysis` (questions over the circuit) -> `rules` (templates and rule
//! files) -> `check` (one lint run) -> `report` (output formats) ->
//! `commands`, `lsp` and `import` (the front ends) -> `cli`.

pub mod analysis;
pub mod check;
pub mod cli;
pub mod commands;
pub mod engine;
pub mod exit;
pub mod import;
pub mod input;
pub mod lsp;
pub mod model;
pub mod report;
pub mod rules;
