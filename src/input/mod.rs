//! The input stage: files on disk turned into spanned YAML trees, every
//! node with its place, and the errors that point at those places.

pub mod diag;
mod fast;
pub mod fields;
pub mod files;
mod pieces;
pub mod source;
pub mod stream;
pub mod yaml;
