//! Where a large description can be cut so that its pieces parse on
//! different cores: before an entry of a section, never inside one.
//!
//! A cut is only a guess made from the look of lines (a line indented
//! like its section's first entry, starting like an id, in a section
//! opened by a plain `key:` line); `stream.rs` checks that the pieces fit
//! together and parses the whole file in one go when they do not (an
//! entry written over several lines of a flow map, say).

use super::yaml::{YNode, YValue};
use std::ops::Range;

/// A piece of a file: its byte range, and the section it starts inside
/// (all but the first piece of a file).
pub struct Piece {
    pub range: Range<usize>,
    pub inside: Option<Section>,
}

#[derive(Clone)]
pub struct Section {
    /// The section's key, where its header line has it.
    pub key: YNode,
    /// How far its entries are indented.
    pub indent: usize,
}

/// Cuts a text into pieces of about `piece_bytes`. Texts with merge keys
/// stay whole (a merge needs the entries it overrides).
pub fn plan(text: &str, piece_bytes: usize) -> Vec<Piece> {
    let whole = || {
        vec![Piece {
            range: 0..text.len(),
            inside: None,
        }]
    };
    if text.len() < 2 * piece_bytes || text.contains("<<") {
        return whole();
    }
    let b = text.as_bytes();
    // Lines with content at column 0: section headers and other
    // top-level lines.
    let mut tops: Vec<usize> = Vec::new();
    if !matches!(b.first(), Some(b' ' | b'\n' | b'#')) {
        tops.push(0);
    }
    for nl in memchr::memchr_iter(b'\n', b) {
        if let Some(&c) = b.get(nl + 1)
            && !matches!(c, b' ' | b'\n' | b'#' | b'\r')
        {
            tops.push(nl + 1);
        }
    }
    let mut cuts: Vec<(usize, Section)> = Vec::new();
    let mut target = piece_bytes;
    for (i, &top) in tops.iter().enumerate() {
        let end = tops.get(i + 1).copied().unwrap_or(b.len());
        if end <= target {
            continue;
        }
        let Some((key, first_line)) = header(text, top) else {
            continue;
        };
        let Some((first_entry, indent)) = first_entry(b, first_line, end) else {
            continue;
        };
        // The first entry stays with its header.
        let mut at = line_after(b, first_entry);
        while target < end {
            at = at.max(line_after(b, target.saturating_sub(1)));
            let Some(found) = entry_line(b, at, end, indent) else {
                break;
            };
            cuts.push((
                found,
                Section {
                    key: key.clone(),
                    indent,
                },
            ));
            at = line_after(b, found);
            target = found + piece_bytes;
        }
    }
    if cuts.is_empty() {
        return whole();
    }
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    let mut inside = None;
    for (at, section) in cuts {
        pieces.push(Piece {
            range: start..at,
            inside: inside.replace(section),
        });
        start = at;
    }
    pieces.push(Piece {
        range: start..text.len(),
        inside,
    });
    pieces
}

/// The start of the line after the one holding `i`.
fn line_after(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i.min(b.len())..]).map_or(b.len(), |n| i + n + 1)
}

/// A section header at `top`: a plain key, a colon, nothing else but
/// spaces or a comment. Returns the key and where the next line starts.
fn header(text: &str, top: usize) -> Option<(YNode, usize)> {
    let b = text.as_bytes();
    let len = b[top..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'-')
        .count();
    if len == 0 || !b[top].is_ascii_alphabetic() || b.get(top + len) != Some(&b':') {
        return None;
    }
    let next = line_after(b, top);
    let rest = &b[top + len + 1..next];
    let rest = rest.strip_suffix(b"\n").unwrap_or(rest);
    let spaces = rest.iter().take_while(|&&c| c == b' ').count();
    if !(spaces == rest.len() || (spaces > 0 && rest[spaces] == b'#')) {
        return None;
    }
    let key = YNode {
        start: top as u32,
        len: len as u32,
        value: YValue::Str(text[top..top + len].to_owned()),
    };
    Some((key, next))
}

/// A section's first entry (its first line with content) and its
/// indentation, when that line starts like an id.
fn first_entry(b: &[u8], from: usize, end: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while at < end {
        let indent = b[at..end].iter().take_while(|&&c| c == b' ').count();
        match b.get(at + indent) {
            Some(b'\n') => at += indent + 1,
            Some(b'#') => at = line_after(b, at + indent),
            Some(&c) if indent > 0 && is_id_start(c) => return Some((at, indent)),
            _ => return None,
        }
    }
    None
}

fn is_id_start(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The first line from `at` (a line start) before `end` indented by
/// exactly `indent` spaces and starting like an id.
fn entry_line(b: &[u8], mut at: usize, end: usize, indent: usize) -> Option<usize> {
    while at < end {
        let line = &b[at..end];
        if line.len() > indent
            && line[..indent].iter().all(|&c| c == b' ')
            && is_id_start(line[indent])
            && has_key(line)
        {
            return Some(at);
        }
        at = line_after(b, at);
    }
    None
}

/// The line (up to its end) has a `key:` in it. A piece must not start
/// at a line that only looks like an entry: a key cut short (`  web` and
/// the fields below it) parses as something else from there, where the
/// whole file is a syntax error there.
fn has_key(line: &[u8]) -> bool {
    let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len())];
    memchr::memchr_iter(b':', line)
        .any(|i| matches!(line.get(i + 1), None | Some(b' ' | b'\r' | b'\t')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cuts(text: &str, piece: usize) -> Vec<&str> {
        plan(text, piece)
            .iter()
            .map(|p| &text[p.range.clone()])
            .collect()
    }

    #[test]
    fn cuts_fall_before_entries_of_plain_sections() {
        let text = "version: 1\nhosts:\n  h1: {}\n  h2:\n    rack: r1\n  # c\n  h3: {}\nracks: &r\n  r1: {}\n  r2: {}\n";
        let pieces = cuts(text, 10);
        assert_eq!(
            pieces,
            [
                "version: 1\nhosts:\n  h1: {}\n",
                "  h2:\n    rack: r1\n  # c\n",
                "  h3: {}\nracks: &r\n  r1: {}\n  r2: {}\n",
            ]
        );
        let p = plan(text, 10);
        let s = p[1].inside.as_ref().expect("inside a section");
        assert_eq!((s.key.start, s.key.len, s.indent), (11, 5, 2));
    }

    #[test]
    fn small_texts_and_merge_keys_stay_whole() {
        assert_eq!(cuts("hosts:\n  h1: {}\n  h2: {}\n", 1000).len(), 1);
        let merged = "d: &d {rack: r1}\nhosts:\n  h1: {<<: *d}\n  h2: {<<: *d}\n  h3: {}\n";
        assert_eq!(cuts(merged, 10).len(), 1);
    }
}
