//! Output formats. Each turns typed findings (or analysis answers) into
//! bytes; none of them computes anything.

pub mod chains;
pub mod check;
pub mod errors;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod jsonschema;
pub mod junit;
pub mod markdown;
pub mod place;
pub mod sarif;
pub mod terminal;
