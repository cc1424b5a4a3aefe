//! Code shared by the integration tests that declare `mod common;`.

pub mod estate;
// Each test crate compiles its own copy and uses a different part of it.
#[allow(dead_code)]
pub mod render;
