//! A fast path for the YAML that descriptions are written in.
//!
//! Profiles of `check` on large estates put most of the reading time in
//! granit's token machinery (every token and event is moved through
//! queues: a fifth of a 100k-entity parse was `memmove`), not in building
//! the tree. Descriptions use a small part of YAML: maps and lists
//! indented with spaces, flow maps and lists on one line, plain and
//! one-line quoted scalars, comments. This module reads that part
//! straight from the bytes, several times faster, and gives up (`None`)
//! at the first thing outside it (tabs, carriage returns, anchors, tags,
//! block scalars, scalars or flow collections over several lines,
//! document markers, keys that are not scalars, unusual characters) and
//! at every mistake, so that granit parses the text instead and reports
//! errors exactly as before.
//!
//! What it accepts it reads exactly as granit does, node for node and
//! span for span (the tests compare the two on every test file and on
//! random texts built to hit the edges of this subset).

use super::yaml::{YNode, YValue, untagged};
use std::borrow::Cow;
use std::ops::Range;

/// A text read by the fast path.
pub struct Fast {
    pub root: YNode,
    /// Section entries taken out of the tree (when streaming): the index
    /// of their section among the root's entries, the id and the body.
    pub items: Vec<(usize, YNode, YNode)>,
}

/// Where a piece of a file starts: inside the section with this key, at
/// an entry indented by `indent` spaces.
pub struct Inside {
    pub key: YNode,
    pub indent: usize,
}

/// Deepest nesting read here; deeper texts go to granit, which enforces
/// the real limit ([`super::yaml::MAX_DEPTH`]) with a positioned error.
const MAX_DEPTH: usize = 16;
/// Longest key read here: YAML limits implicit keys to 1024 characters.
const MAX_KEY: usize = 1000;

/// Reads `text[range]` (which must start at a line start and end at a
/// line start or at the end) with offsets in `text`; `None` when the
/// text is outside the subset or wrong. `inside`: the range starts
/// inside a section (the section is then the first entry of the root).
/// `stream`: entries of sections go to [`Fast::items`], as
/// [`super::yaml::parse_streaming`] hands them over.
pub fn parse(
    text: &str,
    range: Range<usize>,
    inside: Option<Inside>,
    stream: bool,
) -> Option<Fast> {
    let t = &text[..range.end];
    if !plain_text(&t.as_bytes()[range.start..]) {
        return None;
    }
    let mut p = P {
        t,
        b: t.as_bytes(),
        stack: Vec::new(),
        items: Vec::new(),
        stream,
    };
    if let Some(Inside { key, indent }) = inside {
        p.stack.push(Block {
            indent: 0,
            start: 0,
            kind: Kind::Map(Vec::new(), Some((key, 0))),
        });
        p.stack.push(Block {
            indent,
            start: range.start as u32,
            kind: Kind::Map(Vec::new(), None),
        });
    }
    let mut pos = range.start;
    let end = range.end;
    while pos < end {
        let indent = p.b[pos..].iter().take_while(|&&c| c == b' ').count();
        let c = pos + indent;
        if c >= end {
            break;
        }
        match p.b[c] {
            b'\n' => {
                pos = c + 1;
                continue;
            }
            b'#' => {
                pos = p.line_end(c);
                continue;
            }
            _ => {}
        }
        if indent == 0 && (p.b[c..].starts_with(b"---") || p.b[c..].starts_with(b"...")) {
            return None;
        }
        pos = p.line(pos, indent)?;
    }
    while p.stack.len() > 1 {
        p.close()?;
    }
    let root = match p.stack.pop() {
        Some(root) => root.node(),
        None => YNode {
            start: 0,
            len: 0,
            value: YValue::Null,
        },
    };
    Some(Fast {
        root,
        items: p.items,
    })
}

/// Only printable characters, no tab and no carriage return: most texts
/// are ASCII, checked a byte at a time; others a character at a time.
fn plain_text(b: &[u8]) -> bool {
    if b.iter().all(|&c| (b' '..=b'~').contains(&c) || c == b'\n') {
        return true;
    }
    let Ok(s) = std::str::from_utf8(b) else {
        return false;
    };
    s.chars().all(|c| match c {
        '\n' | ' '..='~' => true,
        // C1 controls (NEL among them), line and paragraph separators,
        // byte order marks and non-characters: granit's business.
        '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
            false
        }
        c => c > '~',
    })
}

enum Kind {
    /// Entries, and the key waiting for its value on the next lines (with
    /// the offset of its colon, where an empty value is placed).
    Map(Vec<(YNode, YNode)>, Option<(YNode, u32)>),
    Seq(Vec<YNode>),
}

/// A block collection being read.
struct Block {
    indent: usize,
    start: u32,
    kind: Kind,
}

impl Block {
    fn node(self) -> YNode {
        let value = match self.kind {
            Kind::Map(mut entries, key) => {
                if let Some((k, colon)) = key {
                    entries.push((k, null(colon)));
                }
                YValue::Map(entries)
            }
            Kind::Seq(items) => YValue::Seq(items),
        };
        YNode {
            start: self.start,
            len: 0,
            value,
        }
    }
}

fn null(at: u32) -> YNode {
    YNode {
        start: at,
        len: 0,
        value: YValue::Null,
    }
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

struct P<'t> {
    t: &'t str,
    b: &'t [u8],
    stack: Vec<Block>,
    items: Vec<(usize, YNode, YNode)>,
    stream: bool,
}

impl P<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// Past the end of the line holding `i`.
    fn line_end(&self, i: usize) -> usize {
        match self.b[i..].iter().position(|&c| c == b'\n') {
            Some(n) => i + n + 1,
            None => self.b.len(),
        }
    }

    fn spaces(&self, mut i: usize) -> usize {
        while self.at(i) == Some(b' ') {
            i += 1;
        }
        i
    }

    /// After a value: spaces, then the end of the line or a comment.
    fn rest_of_line(&self, i: usize) -> Option<usize> {
        let j = self.spaces(i);
        match self.at(j) {
            None => Some(j),
            Some(b'\n') => Some(j + 1),
            Some(b'#') if j > i => Some(self.line_end(j)),
            _ => None,
        }
    }

    /// A `-` that starts a list entry (not `-1` or `-x`).
    fn is_dash(&self, i: usize) -> bool {
        self.at(i) == Some(b'-') && matches!(self.at(i + 1), None | Some(b' ' | b'\n'))
    }

    /// One line with content at `line + indent`; returns where the next
    /// line starts.
    fn line(&mut self, line: usize, indent: usize) -> Option<usize> {
        let c = line + indent;
        while self.stack.last().is_some_and(|b| b.indent > indent) {
            self.close()?;
        }
        let dash = self.is_dash(c);
        let Some(top) = self.stack.last_mut() else {
            if indent != 0 || dash {
                return None;
            }
            self.push(indent, c, Kind::Map(Vec::new(), None))?;
            return self.key_line(c);
        };
        if top.indent == indent {
            return match &mut top.kind {
                Kind::Map(_, key) => {
                    if dash {
                        return None;
                    }
                    if let Some((_, colon)) = key {
                        let colon = *colon;
                        self.add(null(colon))?;
                    }
                    self.key_line(c)
                }
                Kind::Seq(_) if dash => self.item_line(line, c),
                Kind::Seq(_) => None,
            };
        }
        // Deeper than the innermost block: the value of its waiting key.
        if !matches!(top.kind, Kind::Map(_, Some(_))) {
            return None;
        }
        if dash {
            self.push(indent, c, Kind::Seq(Vec::new()))?;
            self.item_line(line, c)
        } else {
            self.push(indent, c, Kind::Map(Vec::new(), None))?;
            self.key_line(c)
        }
    }

    fn push(&mut self, indent: usize, start: usize, kind: Kind) -> Option<()> {
        if self.stack.len() >= MAX_DEPTH {
            return None;
        }
        self.stack.push(Block {
            indent,
            start: start as u32,
            kind,
        });
        Some(())
    }

    /// Ends the innermost block: its node becomes the value of its
    /// parent's waiting key, or an entry of its parent list.
    fn close(&mut self) -> Option<()> {
        // A key still waiting has an empty value (handed over like any
        // other entry when the map is a section).
        if let Kind::Map(_, Some((_, colon))) = &self.stack.last()?.kind {
            let colon = *colon;
            self.add(null(colon))?;
        }
        let node = self.stack.pop()?.node();
        self.add(node)
    }

    /// Adds a complete node to the innermost block.
    fn add(&mut self, node: YNode) -> Option<()> {
        let streamed = if self.stream && self.stack.len() == 2 {
            self.section()
        } else {
            None
        };
        let P { stack, items, .. } = self;
        match &mut stack.last_mut()?.kind {
            Kind::Map(entries, key) => {
                let (k, _) = key.take()?;
                match streamed {
                    Some(section) => items.push((section, k, node)),
                    None => entries.push((k, node)),
                }
            }
            Kind::Seq(list) => list.push(node),
        }
        Some(())
    }

    /// When the innermost block is a section (a map that is the value of
    /// a root key): the index that section takes among the root's entries.
    fn section(&self) -> Option<usize> {
        match (&self.stack[0].kind, self.stack.get(1).map(|b| &b.kind)) {
            (Kind::Map(entries, Some(_)), Some(Kind::Map(..))) => Some(entries.len()),
            _ => None,
        }
    }

    /// `key: value`, or `key:` with its value on the next lines, at `c`
    /// in the innermost block (a map).
    fn key_line(&mut self, c: usize) -> Option<usize> {
        let (key, colon) = self.key(c)?;
        let v = self.spaces(colon + 1);
        if matches!(self.at(v), None | Some(b'\n')) || (self.at(v) == Some(b'#') && v > colon + 1) {
            let Kind::Map(_, waiting) = &mut self.stack.last_mut()?.kind else {
                return None;
            };
            *waiting = Some((key, colon as u32));
            return Some(self.line_end(colon));
        }
        // A section written on one line (`hosts: {h1: {}}`) streams too.
        let section =
            (self.stream && self.stack.len() == 1 && self.at(v) == Some(b'{')).then(|| match &self
                .stack[0]
                .kind
            {
                Kind::Map(entries, _) => entries.len(),
                Kind::Seq(_) => 0,
            });
        let (node, end) = self.value(v, false, 0, section)?;
        let next = self.rest_of_line(end)?;
        match &mut self.stack.last_mut()?.kind {
            Kind::Map(entries, _) => entries.push((key, node)),
            Kind::Seq(_) => return None,
        }
        if self.stream && self.stack.len() == 2 && self.section().is_some() {
            // An entry of a section: hand it over.
            let section = self.section()?;
            let Kind::Map(entries, _) = &mut self.stack[1].kind else {
                return None;
            };
            let (k, v) = entries.pop()?;
            self.items.push((section, k, v));
        }
        Some(next)
    }

    /// `- value`, or `- key: value` opening a map, at `c` in the
    /// innermost block (a list).
    fn item_line(&mut self, line: usize, c: usize) -> Option<usize> {
        let v = self.spaces(c + 1);
        if v == c + 1 || matches!(self.at(v), None | Some(b'\n' | b'#')) || self.is_dash(v) {
            return None;
        }
        if !matches!(self.at(v), Some(b'[' | b'{'))
            && let Some(_) = self.key(v)
        {
            self.push(v - line, v, Kind::Map(Vec::new(), None))?;
            return self.key_line(v);
        }
        let (node, end) = self.value(v, false, 0, None)?;
        let next = self.rest_of_line(end)?;
        match &mut self.stack.last_mut()?.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(..) => return None,
        }
        Some(next)
    }

    /// A block map key at `c`: a scalar followed by `:` and a space or
    /// the end of the line. Returns the key and the colon's offset.
    fn key(&self, c: usize) -> Option<(YNode, usize)> {
        let (key, end) = match self.at(c)? {
            b'"' | b'\'' => self.quoted(c)?,
            _ => self.plain(c, false)?,
        };
        if key.len as usize > MAX_KEY
            || self.at(end) != Some(b':')
            || !matches!(self.at(end + 1), None | Some(b' ' | b'\n'))
        {
            return None;
        }
        if self.at(c) != Some(b'"')
            && self.at(c) != Some(b'\'')
            && key.len == 2
            && &self.b[c..c + 2] == b"<<"
        {
            // A merge key: granit's (and the tree builder's) business.
            return None;
        }
        Some((key, end))
    }

    /// A node written on one line at `i`: a flow collection, a quoted or
    /// a plain scalar. Returns it and where it ends. `section`: a flow
    /// map that is a section, whose entries are handed over.
    fn value(
        &mut self,
        i: usize,
        flow: bool,
        depth: usize,
        section: Option<usize>,
    ) -> Option<(YNode, usize)> {
        match self.at(i)? {
            b'{' => self.flow_map(i, depth + 1, section),
            b'[' => self.flow_seq(i, depth + 1),
            b'"' | b'\'' => self.quoted(i),
            _ => self.plain(i, flow),
        }
    }

    /// A plain scalar at `i`. Its end: `: `, ` #` or the end of the line
    /// (and, in flow, a flow indicator), trailing spaces left out.
    fn plain(&self, i: usize, flow: bool) -> Option<(YNode, usize)> {
        let first = self.at(i)?;
        match first {
            b'-' => {
                // `-1`, `-x`: a scalar; `- ` is a list entry.
                let n = self.at(i + 1)?;
                if n == b' ' || n == b'\n' || (flow && is_flow_indicator(n)) {
                    return None;
                }
            }
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => return None,
            _ => {}
        }
        let mut j = i;
        let mut last = i;
        while let Some(c) = self.at(j) {
            match c {
                b'\n' => break,
                b':' => match self.at(j + 1) {
                    None | Some(b' ' | b'\n') => break,
                    Some(n) if flow && is_flow_indicator(n) => break,
                    _ => {}
                },
                b'#' if self.b[j - 1] == b' ' => break,
                c if flow && is_flow_indicator(c) => break,
                _ => {}
            }
            if c != b' ' {
                last = j + 1;
            }
            j += 1;
        }
        let text = &self.t[i..last];
        Some((
            YNode {
                start: i as u32,
                len: (last - i) as u32,
                value: untagged(Cow::Borrowed(text), true),
            },
            last,
        ))
    }

    /// A quoted scalar on one line at `i` (`'...'` with `''` for a
    /// quote; `"..."` with the escapes `\\ \" \/ \n \t`).
    fn quoted(&self, i: usize) -> Option<(YNode, usize)> {
        let q = self.at(i)?;
        let mut owned: Option<String> = None;
        let mut from = i + 1;
        let mut j = i + 1;
        loop {
            let c = self.at(j)?;
            if c == b'\n' {
                return None;
            }
            if c == q {
                if q == b'\'' && self.at(j + 1) == Some(b'\'') {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.t[from..=j]);
                    j += 2;
                    from = j;
                    continue;
                }
                break;
            }
            if q == b'"' && c == b'\\' {
                let decoded = match self.at(j + 1)? {
                    b'\\' => '\\',
                    b'"' => '"',
                    b'/' => '/',
                    b'n' => '\n',
                    b't' => '\t',
                    _ => return None,
                };
                let s = owned.get_or_insert_with(String::new);
                s.push_str(&self.t[from..j]);
                s.push(decoded);
                j += 2;
                from = j;
                continue;
            }
            j += 1;
        }
        let text = match owned {
            Some(mut s) => {
                s.push_str(&self.t[from..j]);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(&self.t[from..j]),
        };
        Some((
            YNode {
                start: i as u32,
                len: (j + 1 - i) as u32,
                value: untagged(text, false),
            },
            j + 1,
        ))
    }

    /// A scalar or collection inside a flow collection.
    fn flow_node(&mut self, i: usize, depth: usize) -> Option<(YNode, usize)> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.value(i, true, depth, None)
    }

    fn flow_seq(&mut self, i: usize, depth: usize) -> Option<(YNode, usize)> {
        let mut items = Vec::new();
        let mut j = self.spaces(i + 1);
        if self.at(j) != Some(b']') {
            loop {
                let (node, end) = self.flow_node(j, depth)?;
                items.push(node);
                j = self.spaces(end);
                match self.at(j)? {
                    b',' => {
                        j = self.spaces(j + 1);
                        if self.at(j) == Some(b']') {
                            return None;
                        }
                    }
                    b']' => break,
                    _ => return None,
                }
            }
        }
        let node = YNode {
            start: i as u32,
            len: 1,
            value: YValue::Seq(items),
        };
        Some((node, j + 1))
    }

    fn flow_map(
        &mut self,
        i: usize,
        depth: usize,
        section: Option<usize>,
    ) -> Option<(YNode, usize)> {
        let mut entries = Vec::new();
        let mut j = self.spaces(i + 1);
        if self.at(j) != Some(b'}') {
            loop {
                let (key, end) = match self.at(j)? {
                    b'"' | b'\'' => self.quoted(j)?,
                    _ => self.plain(j, true)?,
                };
                if key.len as usize > MAX_KEY
                    || self.at(end) != Some(b':')
                    || self.at(end + 1) != Some(b' ')
                {
                    return None;
                }
                if !matches!(self.at(j), Some(b'"' | b'\''))
                    && key.len == 2
                    && &self.b[j..j + 2] == b"<<"
                {
                    return None;
                }
                let v = self.spaces(end + 1);
                if matches!(self.at(v), None | Some(b',' | b'}' | b'\n' | b'#')) {
                    return None;
                }
                let (value, end) = self.flow_node(v, depth)?;
                match section {
                    Some(s) => self.items.push((s, key, value)),
                    None => entries.push((key, value)),
                }
                j = self.spaces(end);
                match self.at(j)? {
                    b',' => {
                        j = self.spaces(j + 1);
                        if self.at(j) == Some(b'}') {
                            return None;
                        }
                    }
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        let node = YNode {
            start: i as u32,
            len: 1,
            value: YValue::Map(entries),
        };
        Some((node, j + 1))
    }
}

#[cfg(test)]
mod tests;
