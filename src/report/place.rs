//! Where things are, in the forms CI tools want: a region with start and
//! end (1-based lines, columns counting characters), and the file as a path
//! relative to where faultline ran, with `/` separators.

use crate::input::source::{LineCol, Span};
use crate::model::{EntityId, Model};

/// A region of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place<'m> {
    /// The file as the user named it (or as found below a named directory).
    pub file: &'m str,
    pub start: LineCol,
    /// Line and column of the character just past the region.
    pub end: LineCol,
}

impl Place<'_> {
    /// `file:line:col` of the start, with the path as [`repo_path`] gives it.
    pub fn short(&self) -> String {
        format!(
            "{}:{}:{}",
            repo_path(self.file),
            self.start.line,
            self.start.column
        )
    }
}

/// The region a span covers.
pub fn of_span(model: &Model, span: Span) -> Place<'_> {
    let (file, start) = model.sources.locate(span);
    let (_, end) = model.sources.locate(Span::new(span.end(), 0));
    Place { file, start, end }
}

/// The region of an entity's id key: where every finding about it points.
pub fn of_entity(model: &Model, id: EntityId) -> Place<'_> {
    of_span(model, model.get(id).span)
}

/// The path as given, with `/` separators and without a leading `./`: what
/// GitHub wants for annotations and code scanning (relative to the
/// checkout, which is where a workflow runs).
pub fn repo_path(file: &str) -> String {
    let mut p = file.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/').to_owned();
    }
    p
}

/// Whether a path is absolute (`/x`, `C:/x`).
pub fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/') || (b.len() >= 3 && b[0].is_ascii_alphabetic() && &b[1..3] == b":/")
}

/// A URI reference for a file path: relative paths stay relative
/// (percent-encoded), absolute ones become `file://` URIs.
pub fn uri(file: &str) -> String {
    let p = repo_path(file);
    let mut out = String::with_capacity(p.len() + 8);
    if is_absolute(&p) {
        out.push_str("file://");
        if !p.starts_with('/') {
            out.push('/');
        }
    }
    for &b in p.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'/' | b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')'
                    | b'*' | b'+' | b',' | b';' | b'=' | b'@'
            )
            // A colon is fine except where it would read as a scheme.
            || (b == b':' && (out.starts_with("file://") || out.contains('/')));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where an error points: its primary label, else its first one.
pub fn of_error<'s>(
    sources: &'s crate::input::source::Sources,
    e: &crate::input::diag::InputError,
) -> Option<(&'s str, LineCol)> {
    let label = e.labels.iter().find(|l| l.primary).or(e.labels.first())?;
    Some(sources.locate(label.span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_uris() {
        assert_eq!(repo_path("./infra/a.yaml"), "infra/a.yaml");
        assert_eq!(repo_path("infra\\a.yaml"), "infra/a.yaml");
        assert_eq!(uri("infra/my estate.yaml"), "infra/my%20estate.yaml");
        assert_eq!(uri("a#b?.yaml"), "a%23b%3F.yaml");
        assert_eq!(uri("c:d.yaml"), "c%3Ad.yaml");
        assert_eq!(uri("/srv/x.yaml"), "file:///srv/x.yaml");
        assert_eq!(uri("C:\\x.yaml"), "file:///C:/x.yaml");
        assert_eq!(uri("dir/ä.yaml"), "dir/%C3%A4.yaml");
    }
}
