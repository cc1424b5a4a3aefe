//! Code shared by the integration tests that declare `mod common;`.

pub mod estate;
