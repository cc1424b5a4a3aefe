//! faultline: an architecture linter for infrastructure descriptions.
pub mod source;
pub mod yaml;
