//! Byte offsets to LSP positions and back, and file paths to URIs.
//!
//! Everything inside faultline is a byte offset; LSP positions are a line
//! and a column counted in UTF-16 code units unless the client agrees to
//! UTF-8 (`positionEncoding`). An estate written in ASCII never notices the
//! difference, a description with `é` or an emoji in a comment does, so the
//! conversion is exact rather than assumed.

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};

/// How columns are counted, as negotiated at `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where each line of a text starts.
#[derive(Debug, Default)]
pub struct Lines {
    starts: Vec<u32>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines {
            starts: crate::input::source::line_starts(text),
        }
    }

    /// The position of a byte offset (clamped into the text, and back to
    /// the start of a character it falls inside).
    pub fn position(&self, text: &str, offset: u32, enc: Encoding) -> Position {
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s as usize <= offset) - 1;
        let start = self.starts[line] as usize;
        let prefix = &text[start..offset];
        let character = match enc {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, text: &str, start: u32, len: u32, enc: Encoding) -> Range {
        Range::new(
            self.position(text, start, enc),
            self.position(text, start.saturating_add(len), enc),
        )
    }

    /// The byte offset of a position; a line past the end is the end of
    /// the text, a column past the end of its line is the line's end.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> u32 {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len() as u32;
        };
        let start = start as usize;
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(text.len(), |&e| e as usize - 1);
        let line = &text[start..end];
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= want {
                return (start + i) as u32;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        end as u32
    }
}

/// The `file://` URI of an absolute path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    crate::report::place::uri(&path.to_string_lossy())
        .parse()
        .ok()
}

/// The path a `file://` URI names (percent-decoded); `None` for other
/// schemes (an unsaved buffer is `untitled:`).
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file://host/path` is not a local file; `file:///path` is.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let bytes = percent_decode(path.as_bytes());
    let text = String::from_utf8(bytes).ok()?;
    // `file:///C:/x` on Windows.
    let b = text.as_bytes();
    if b.len() >= 3 && b[2] == b':' && b[1].is_ascii_alphabetic() {
        return Some(PathBuf::from(&text[1..]));
    }
    Some(PathBuf::from(text))
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && i + 2 < s.len()
            && let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_utf16_and_utf8() {
        // `é` is two bytes and one UTF-16 unit; `😀` four bytes and two units.
        let text = "a: é😀x\nb: 1\n";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(
            lines.position(text, x, Encoding::Utf16),
            Position::new(0, 6)
        );
        assert_eq!(lines.position(text, x, Encoding::Utf8), Position::new(0, 9));
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let p = lines.position(text, x, enc);
            assert_eq!(lines.offset(text, p, enc), x);
        }
        let b = text.find('b').unwrap() as u32;
        assert_eq!(
            lines.position(text, b, Encoding::Utf16),
            Position::new(1, 0)
        );
        // Past the end of a line, or of the text: clamped.
        assert_eq!(
            lines.offset(text, Position::new(0, 99), Encoding::Utf16),
            b - 1
        );
        assert_eq!(
            lines.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len() as u32
        );
        // Inside a character: its start.
        assert_eq!(
            lines.position(text, x - 1, Encoding::Utf8),
            Position::new(0, 5)
        );
    }

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/srv/my estate/ä.yaml");
        let uri = uri_of(p).unwrap();
        assert_eq!(uri.as_str(), "file:///srv/my%20estate/%C3%A4.yaml");
        assert_eq!(path_of(&uri).unwrap(), p);
        let vscode: Uri = "file:///c%3A/x.yaml".parse().unwrap();
        assert_eq!(path_of(&vscode).unwrap(), PathBuf::from("c:/x.yaml"));
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(path_of(&untitled), None);
    }
}
