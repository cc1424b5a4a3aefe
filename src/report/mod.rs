//! Output formats. Each turns typed findings (or analysis answers) into
//! bytes; none of them computes anything.

pub mod human;
pub mod json;
