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

/// One YAML text as a spanned tree: the fast scanner for the plain block
/// YAML descriptions are made of, the general parser for anything else
/// (and for the exact position of a syntax error).
pub fn parse(text: &str) -> Result<yaml::YNode, yaml::SyntaxError> {
    if let Some(fast) = fast::parse(text, 0..text.len(), None, false) {
        return Ok(fast.root);
    }
    yaml::parse_full(text)
}
