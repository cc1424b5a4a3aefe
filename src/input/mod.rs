//! The input stage: files on disk turned into spanned YAML trees, every
//! node with its place, and the errors that point at those places.

pub mod diag;
pub mod fields;
pub mod files;
pub mod source;
pub mod stream;
pub mod yaml;
