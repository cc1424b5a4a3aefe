//! YAML text to a spanned node tree.
//!
//! granit-parser (pure safe Rust, the YAML 1.2 parser under serde-saphyr)
//! turns the text into events; this module builds a small untyped tree from
//! them. Building the tree ourselves, rather than deserialising into typed
//! structs, lets the loader report *every* unknown key, wrong type and bad
//! reference of a file with its exact span instead of stopping at the first
//! serde error. It also puts the YAML limits (depth, aliases) in one place
//! and keeps nodes compact: a 1M-entity estate has tens of millions of them,
//! so spans are two `u32` and scalars are resolved once, here, with no
//! intermediate representation.
//!
//! Plain scalars are typed with the YAML 1.2 core schema, with strict
//! booleans: `true`/`false` (in any of their three spellings) are booleans;
//! `yes`, `no`, `on`, `off` stay strings.

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Span, StructureStyle, Tag};
use std::borrow::Cow;

/// A node with its local byte range in the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct YNode {
    pub start: u32,
    pub len: u32,
    pub value: YValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum YValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<YNode>),
    Map(Vec<(YNode, YNode)>),
}

impl YValue {
    /// What a user would call this kind of node, for "expected X, found Y".
    pub fn type_name(&self) -> &'static str {
        match self {
            YValue::Null => "nothing (null)",
            YValue::Bool(_) => "a boolean",
            YValue::Int(_) => "an integer",
            YValue::Float(_) => "a number",
            YValue::Str(_) => "a string",
            YValue::Seq(_) => "a list",
            YValue::Map(_) => "a map",
        }
    }
    pub fn is_scalar(&self) -> bool {
        !matches!(self, YValue::Seq(_) | YValue::Map(_))
    }
}

/// Limits on one file's YAML. Size is generous (a 1M-entity estate is one
/// big file for some generators); depth and alias limits stay tight because a
/// description is never deeper than a handful of levels and never needs
/// thousands of aliases.
pub const MAX_DEPTH: usize = 32;
pub const MAX_ALIASES: usize = 10_000;
/// Nodes that aliases may copy in one file, all aliases together: what
/// stops a "billion laughs" file that stays under [`MAX_ALIASES`].
pub const MAX_ALIAS_NODES: usize = 200_000;

/// A YAML syntax or limit error: a message and a 1-based line/column if the
/// parser knew one.
#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    pub line_col: Option<(u32, u32)>,
}

impl SyntaxError {
    fn at(span: &Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            line_col: Some((span.start.line() as u32, span.start.col() as u32 + 1)),
        }
    }
}

/// The general parser: every YAML feature faultline accepts. Callers use
/// [`crate::input::parse`], which tries the fast scanner first.
pub fn parse_full(text: &str) -> Result<YNode, SyntaxError> {
    build(text, 0, None).map(|b| b.root)
}

/// A receiver of section entries: the sections before this one (keys and
/// values), this section's key, then the entry's key and value.
pub type EntrySink<'s> = &'s mut dyn FnMut(&[(YNode, YNode)], &YNode, YNode, YNode);

/// Like [`parse`], but every entry of a *section* (a map that is the value
/// of a top-level key, such as one host under `hosts:`) goes to `entry` as
/// soon as it is complete and is left out of the returned tree, where its
/// section stays an empty map. The whole tree of a 1M-entity description is
/// never in memory at once.
///
/// Files with a merge key anywhere (`<<`) are parsed whole (merges need the
/// entries they override), and so are anchored sections.
pub fn parse_streaming(text: &str, entry: EntrySink<'_>) -> Result<YNode, SyntaxError> {
    if text.contains("<<") {
        let root = build(text, 0, None)?.root;
        let YValue::Map(sections) = root.value else {
            return Ok(root);
        };
        let mut kept: Vec<(YNode, YNode)> = Vec::with_capacity(sections.len());
        for (k, mut v) in sections {
            if let YValue::Map(entries) = &mut v.value {
                for (ek, ev) in std::mem::take(entries) {
                    entry(&kept, &k, ek, ev);
                }
            }
            kept.push((k, v));
        }
        return Ok(YNode {
            value: YValue::Map(kept),
            ..root
        });
    }
    build(text, 0, Some(entry)).map(|b| b.root)
}

/// A tree built from the parser's events, and the aliases it expanded
/// (limits are per file: a file parsed in pieces adds them up).
pub(super) struct Built {
    pub root: YNode,
    pub aliases: usize,
    pub alias_nodes: usize,
}

/// Builds the tree of `text`, adding `shift` (wrapping) to every offset:
/// a piece of a file parsed behind a made-up first line gets the offsets
/// of the file.
pub(super) fn build(
    text: &str,
    shift: u32,
    sink: Option<EntrySink<'_>>,
) -> Result<Built, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        text,
        shift,
        sink,
        ..Builder::default()
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| scan_error(&e))?;
        if b.event(event, &span)? {
            break;
        }
    }
    Ok(Built {
        root: b.root.unwrap_or(YNode {
            start: 0,
            len: 0,
            value: YValue::Null,
        }),
        aliases: b.aliases,
        alias_nodes: b.alias_nodes,
    })
}

fn scan_error(e: &ScanError) -> SyntaxError {
    let m = e.marker();
    let message = if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) {
        // The scanner's own guard, met before ours on some inputs.
        format!("the YAML is nested more than {MAX_DEPTH} levels deep")
    } else {
        e.info()
    };
    SyntaxError {
        message,
        line_col: (m.line() > 0).then(|| (m.line() as u32, m.col() as u32 + 1)),
    }
}

/// Local byte offset and length of an event's span.
fn bytes(span: &Span) -> (u32, u32) {
    let start = span.start.byte_offset().unwrap_or(0);
    let end = span.end.byte_offset().unwrap_or(start);
    (start as u32, end.saturating_sub(start) as u32)
}

/// A collection being built.
struct Open {
    start: u32,
    len: u32,
    anchor: usize,
    items: Items,
}

enum Items {
    Seq(Vec<YNode>),
    /// Entries, the key waiting for its value, and whether a merge key
    /// (`<<: *defaults`) was seen.
    Map(Vec<(YNode, YNode)>, Option<YNode>, bool),
}

/// An anchored node, kept for the aliases that copy it.
struct Anchored {
    node: YNode,
    nodes: usize,
    depth: usize,
}

#[derive(Default)]
struct Builder<'t, 's> {
    text: &'t str,
    /// Added to every offset (see [`build`]).
    shift: u32,
    sink: Option<EntrySink<'s>>,
    stack: Vec<Open>,
    /// By granit's anchor id (ids start at 1; 0 means "no anchor").
    anchors: Vec<Option<Anchored>>,
    aliases: usize,
    alias_nodes: usize,
    documents: usize,
    root: Option<YNode>,
}

impl Builder<'_, '_> {
    /// An event's offset in the file, and its length.
    fn bytes(&self, span: &Span) -> (u32, u32) {
        let (start, len) = bytes(span);
        (start.wrapping_add(self.shift), len)
    }

    /// Takes one event; true once the stream has ended.
    fn event(&mut self, ev: Event<'_>, span: &Span) -> Result<bool, SyntaxError> {
        match ev {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(SyntaxError::at(
                        span,
                        "a description file holds one YAML document; split documents into separate files",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if style == ScalarStyle::Plain
                    && tag.is_none()
                    && text == "<<"
                    && let Some(Open {
                        items: Items::Map(_, None, merges),
                        ..
                    }) = self.stack.last_mut()
                {
                    *merges = true;
                }
                let value =
                    resolve(text, style, tag.as_deref()).map_err(|m| self.tag_error(span, m))?;
                let (start, len) = self.bytes(span);
                self.complete(YNode { start, len, value }, anchor, 0, span)?;
            }
            Event::SequenceStart(style, anchor, tag) => {
                check_collection_tag(tag.as_deref(), "seq", span)?;
                self.open(span, style, anchor, Items::Seq(Vec::new()))?;
            }
            Event::MappingStart(style, anchor, tag) => {
                check_collection_tag(tag.as_deref(), "map", span)?;
                self.open(span, style, anchor, Items::Map(Vec::new(), None, false))?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let open = self.stack.pop().expect("the parser balances collections");
                let value = match open.items {
                    Items::Seq(v) => YValue::Seq(v),
                    Items::Map(v, _, false) => YValue::Map(v),
                    Items::Map(v, _, true) => YValue::Map(merge(v, span)?),
                };
                let node = YNode {
                    start: open.start,
                    len: open.len,
                    value,
                };
                self.complete(node, open.anchor, 0, span)?;
            }
            Event::Alias(id) => {
                self.aliases += 1;
                let Some(Some(a)) = self.anchors.get(id) else {
                    return Err(SyntaxError::at(
                        span,
                        "an alias names no anchor defined before it",
                    ));
                };
                self.alias_nodes += a.nodes;
                if self.aliases > MAX_ALIASES || self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(SyntaxError::at(
                        span,
                        "the YAML expands too many aliases (an alias bomb?)",
                    ));
                }
                let depth = a.depth;
                let mut node = a.node.clone();
                // The copy is labelled where the alias is written.
                (node.start, node.len) = self.bytes(span);
                self.complete(node, 0, depth, span)?;
            }
            // Only emitted with options this module does not turn on.
            _ => {}
        }
        Ok(false)
    }

    /// A tag error points at the tag: the last `!` before the value on its
    /// line (the parser's span covers the value only).
    fn tag_error(&self, span: &Span, message: String) -> SyntaxError {
        let mut e = SyntaxError::at(span, message);
        let (start, _) = bytes(span);
        let line = &self.text[..start as usize];
        let line = &line[line.rfind('\n').map_or(0, |i| i + 1)..];
        if let Some(bang) = line.rfind('!') {
            let col = line[..bang].chars().count() as u32 + 1;
            e.line_col = Some((span.start.line() as u32, col));
        }
        e
    }

    fn open(
        &mut self,
        span: &Span,
        style: StructureStyle,
        anchor: usize,
        items: Items,
    ) -> Result<(), SyntaxError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(span));
        }
        // A label on a whole block collection would cover many lines: it
        // points at where the collection starts (a flow one's bracket).
        let (start, _) = self.bytes(span);
        let len = u32::from(style == StructureStyle::Flow);
        self.stack.push(Open {
            start,
            len,
            anchor,
            items,
        });
        Ok(())
    }

    /// A finished node goes into its parent (or becomes the root).
    /// `depth` is how many collection levels it holds (for alias copies).
    fn complete(
        &mut self,
        node: YNode,
        anchor: usize,
        depth: usize,
        span: &Span,
    ) -> Result<(), SyntaxError> {
        if self.stack.len() + depth > MAX_DEPTH {
            return Err(too_deep(span));
        }
        if anchor > 0 {
            let (nodes, depth) = measure(&node);
            if self.anchors.len() <= anchor {
                self.anchors.resize_with(anchor + 1, || None);
            }
            self.anchors[anchor] = Some(Anchored {
                node: node.clone(),
                nodes,
                depth,
            });
        }
        if let Some(sink) = &mut self.sink
            && let [
                Open {
                    items: Items::Map(earlier, Some(section), _),
                    ..
                },
                Open {
                    items: Items::Map(_, key @ Some(_), _),
                    anchor: 0,
                    ..
                },
            ] = &mut self.stack[..]
        {
            let key = key.take().expect("matched as Some");
            sink(earlier, section, key, node);
            return Ok(());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open {
                items: Items::Seq(v),
                ..
            }) => v.push(node),
            Some(Open {
                items: Items::Map(v, key, _),
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => v.push((k, node)),
            },
        }
        Ok(())
    }
}

/// Resolves merge keys: `<<: *defaults` (or a list of such maps) adds the
/// entries of the merged maps whose keys the map does not set itself. The
/// first map of a list wins over later ones. A `<<` written in quotes is an
/// ordinary key and never gets here as a merge.
fn merge(entries: Vec<(YNode, YNode)>, span: &Span) -> Result<Vec<(YNode, YNode)>, SyntaxError> {
    let is_merge = |k: &YNode| matches!(&k.value, YValue::Str(s) if s == "<<");
    let explicit: Vec<YValue> = entries
        .iter()
        .filter(|(k, _)| !is_merge(k))
        .map(|(k, _)| k.value.clone())
        .collect();
    let mut taken: Vec<YValue> = Vec::new();
    let mut out = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        if !is_merge(&k) {
            out.push((k, v));
            continue;
        }
        let sources = match v.value {
            YValue::Map(m) => vec![m],
            YValue::Seq(items) => items
                .into_iter()
                .map(|i| match i.value {
                    YValue::Map(m) => Ok(m),
                    _ => Err(()),
                })
                .collect::<Result<Vec<_>, ()>>()
                .map_err(|()| merge_error(span))?,
            _ => return Err(merge_error(span)),
        };
        for (mk, mv) in sources.into_iter().flatten() {
            if !explicit.contains(&mk.value) && !taken.contains(&mk.value) {
                taken.push(mk.value.clone());
                out.push((mk, mv));
            }
        }
    }
    Ok(out)
}

fn merge_error(span: &Span) -> SyntaxError {
    SyntaxError::at(
        span,
        "a merge key `<<` takes a map or a list of maps (such as `<<: *defaults`)",
    )
}

fn too_deep(span: &Span) -> SyntaxError {
    SyntaxError::at(
        span,
        format!("the YAML is nested more than {MAX_DEPTH} levels deep"),
    )
}

/// Nodes in a subtree and the collection levels it holds. Recursion is
/// bounded by [`MAX_DEPTH`].
fn measure(n: &YNode) -> (usize, usize) {
    match &n.value {
        YValue::Seq(v) => v
            .iter()
            .map(measure)
            .fold((1, 1), |(n, d), (cn, cd)| (n + cn, d.max(cd + 1))),
        YValue::Map(v) => v
            .iter()
            .flat_map(|(k, x)| [measure(k), measure(x)])
            .fold((1, 1), |(n, d), (cn, cd)| (n + cn, d.max(cd + 1))),
        _ => (1, 0),
    }
}

fn check_collection_tag(tag: Option<&Tag>, want: &str, span: &Span) -> Result<(), SyntaxError> {
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema_tag(want) || is_non_specific(t) => Ok(()),
        Some(t) => Err(SyntaxError::at(span, unsupported_tag(t))),
    }
}

/// `!` alone: "no particular type", which YAML reads as a string or the
/// plain collection.
fn is_non_specific(t: &Tag) -> bool {
    t.handle().is_empty() && t.suffix() == "!"
}

/// The core-schema type a tag names (`!!int`, `!<tag:yaml.org,2002:int>`).
fn core_type(t: &Tag) -> Option<&'static str> {
    ["str", "null", "bool", "int", "float", "seq", "map"]
        .into_iter()
        .find(|s| t.is_yaml_core_schema_tag(s))
}

fn unsupported_tag(t: &Tag) -> String {
    let shown = if let Some(core) = core_type(t) {
        format!("!!{core}")
    } else {
        format!("{}{}", t.handle(), t.suffix())
    };
    format!("the YAML tag `{shown}` is not supported here; a description needs no tags")
}

/// Types a scalar. Quoted and block scalars are strings; plain ones follow
/// the core schema. An explicit core tag (`!!str`, `!!int`...) decides.
fn resolve(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Result<YValue, String> {
    let plain = style == ScalarStyle::Plain;
    let Some(tag) = tag else {
        return Ok(if plain {
            implicit(text)
        } else {
            YValue::Str(text.into_owned())
        });
    };
    if is_non_specific(tag) {
        return Ok(YValue::Str(text.into_owned()));
    }
    let Some(want) = core_type(tag) else {
        return Err(unsupported_tag(tag));
    };
    let typed = implicit_typed(&text);
    let bad = |what: &str| format!("`{text}` is not {what} (it is tagged `!!{want}`)");
    match want {
        "str" => Ok(YValue::Str(text.into_owned())),
        "null" => match typed {
            Some(YValue::Null) => Ok(YValue::Null),
            _ => Err(bad("null")),
        },
        "bool" => match typed {
            Some(v @ YValue::Bool(_)) => Ok(v),
            _ => Err(bad("a boolean")),
        },
        "int" => match typed {
            Some(v @ YValue::Int(_)) => Ok(v),
            Some(YValue::Float(f)) if is_integer_text(&text) => Ok(YValue::Float(f)),
            _ => Err(bad("an integer")),
        },
        "float" => match typed {
            Some(YValue::Float(f)) => Ok(YValue::Float(f)),
            Some(YValue::Int(i)) => Ok(YValue::Float(i as f64)),
            _ => Err(bad("a number")),
        },
        _ => Err(unsupported_tag(tag)),
    }
}

/// An untagged scalar's value: what [`resolve`] gives without a tag.
pub(super) fn untagged(text: Cow<'_, str>, plain: bool) -> YValue {
    if plain {
        implicit(text)
    } else {
        YValue::Str(text.into_owned())
    }
}

fn implicit(text: Cow<'_, str>) -> YValue {
    implicit_typed(&text).unwrap_or_else(|| YValue::Str(text.into_owned()))
}

/// The core-schema type of a plain scalar, or `None` for a string.
fn implicit_typed(t: &str) -> Option<YValue> {
    let first = *t.as_bytes().first().unwrap_or(&b'~');
    // Most scalars are ids and names: rule them out with one byte.
    if !matches!(
        first,
        b'0'..=b'9' | b'-' | b'+' | b'.' | b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F'
    ) {
        return None;
    }
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return Some(YValue::Null),
        "true" | "True" | "TRUE" => return Some(YValue::Bool(true)),
        "false" | "False" | "FALSE" => return Some(YValue::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(YValue::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(YValue::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(YValue::Float(f64::NAN)),
        _ => {}
    }
    if is_integer_text(t) {
        let digits: String = t.chars().filter(|&c| c != '_').collect();
        return Some(match digits.parse::<i64>() {
            Ok(i) => YValue::Int(i),
            Err(_) => YValue::Float(digits.parse::<f64>().ok()?),
        });
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(d) = t.strip_prefix(prefix) {
            if !d.is_empty() && d.bytes().all(|b| (b as char).is_digit(radix)) {
                return Some(match i64::from_str_radix(d, radix) {
                    Ok(i) => YValue::Int(i),
                    Err(_) => YValue::Float(u128::from_str_radix(d, radix).ok()? as f64),
                });
            }
            return None;
        }
    }
    if is_float_text(t) {
        let digits: String = t.chars().filter(|&c| c != '_').collect();
        return digits.parse::<f64>().ok().map(YValue::Float);
    }
    None
}

/// `[-+]?[0-9]+`, with `_` allowed between digits (`11_000` watts).
fn is_integer_text(t: &str) -> bool {
    let d = t.strip_prefix(['-', '+']).unwrap_or(t);
    digits_with_underscores(d)
}

fn digits_with_underscores(d: &str) -> bool {
    let b = d.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b[b.len() - 1].is_ascii_digit()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'_')
        && !d.contains("__")
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float_text(t: &str) -> bool {
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() || digits_with_underscores(int))
                && (frac.is_empty() || digits_with_underscores(frac))
                && !(int.is_empty() && frac.is_empty())
        }
        None => digits_with_underscores(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::parse_full as parse;
    use super::*;

    fn keys(n: &YNode) -> Vec<String> {
        match &n.value {
            YValue::Map(m) => m
                .iter()
                .map(|(k, _)| match &k.value {
                    YValue::Str(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .collect(),
            _ => vec![],
        }
    }

    #[test]
    fn keeps_duplicate_keys_for_the_loader() {
        let n = parse("a: 1\na: 2\n").unwrap();
        assert_eq!(keys(&n), ["a", "a"]);
    }

    #[test]
    fn yes_and_no_are_strings() {
        let n = parse("x: [yes, no, y, on]\n").unwrap();
        let YValue::Map(m) = &n.value else { panic!() };
        let YValue::Seq(s) = &m[0].1.value else {
            panic!()
        };
        assert!(s.iter().all(|x| matches!(x.value, YValue::Str(_))));
    }

    #[test]
    fn spans_are_byte_offsets() {
        let text = "hosts:\n  h1: {rack: r1}\n";
        let n = parse(text).unwrap();
        let YValue::Map(m) = &n.value else { panic!() };
        let YValue::Map(h) = &m[0].1.value else {
            panic!()
        };
        let k = &h[0].0;
        assert_eq!(&text[k.start as usize..(k.start + k.len) as usize], "h1");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: [1\nb: 2\n").unwrap_err();
        assert_eq!(e.line_col.map(|p| p.0), Some(2));
        assert!(!e.message.starts_with("error"));
    }

    #[test]
    fn nesting_is_limited_to_32_levels() {
        // The root map, a section, an entity, then lists: 3 + 29 = 32.
        let nested = |lists: usize| {
            format!(
                "hosts:\n  h1:\n    labels: {}{}\n",
                "[".repeat(lists),
                "]".repeat(lists)
            )
        };
        assert!(parse(&nested(MAX_DEPTH - 3)).is_ok());
        let e = parse(&nested(MAX_DEPTH - 2)).unwrap_err();
        assert!(e.message.contains("nested more than 32"), "{}", e.message);
    }

    #[test]
    fn aliases_are_limited_in_number_not_per_anchor() {
        let aliases = |n: usize| {
            format!(
                "racks: {{r1: {{site: &a dc1}}}}\nhosts: {{h1: {{requires: [{}]}}}}\n",
                vec!["*a"; n].join(", ")
            )
        };
        // 200 hosts sharing one `power: *ab` is ordinary YAML.
        assert!(parse(&aliases(200)).is_ok());
        assert!(parse(&aliases(MAX_ALIASES)).is_ok());
        let e = parse(&aliases(MAX_ALIASES + 1)).unwrap_err();
        assert!(e.message.contains("aliases"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_errors() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let block: String = (0..10_000)
            .map(|i| format!("{}- \n", " ".repeat(i)))
            .collect();
        assert!(parse(&block).is_err());
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 0..12 {
            let p = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb += &format!("b{i}: &b{i} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n");
        }
        assert!(parse(&bomb).is_err());
    }

    fn value(text: &str) -> YValue {
        let n = parse(&format!("x: {text}\n")).unwrap();
        let YValue::Map(mut m) = n.value else {
            panic!()
        };
        m.remove(0).1.value
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(value("11_000"), YValue::Int(11_000));
        assert_eq!(value("-3"), YValue::Int(-3));
        assert_eq!(value("0x1F"), YValue::Int(31));
        assert_eq!(value("0o17"), YValue::Int(15));
        assert_eq!(value("2.5e3"), YValue::Float(2500.0));
        assert_eq!(value(".5"), YValue::Float(0.5));
        assert_eq!(value("99999999999999999999"), YValue::Float(1e20));
        assert_eq!(value("~"), YValue::Null);
        assert_eq!(value(""), YValue::Null);
        assert_eq!(value("TRUE"), YValue::Bool(true));
        assert!(matches!(value(".inf"), YValue::Float(f) if f.is_infinite()));
        for s in [
            "1_", "1__0", "0b101", "1.2.3", "e5", "--1", "0x", "1e", "r1-pdu",
        ] {
            assert_eq!(value(s), YValue::Str(s.to_owned()), "{s}");
        }
        assert_eq!(value("'42'"), YValue::Str("42".into()));
    }

    #[test]
    fn core_tags_decide_and_other_tags_are_errors() {
        assert_eq!(value("!!str 42"), YValue::Str("42".into()));
        assert_eq!(value("! 42"), YValue::Str("42".into()));
        assert_eq!(value("!!float 2"), YValue::Float(2.0));
        assert!(
            parse("x: !!int abc\n")
                .unwrap_err()
                .message
                .contains("tagged `!!int`")
        );
        let e = parse("x: !Ref web\n").unwrap_err();
        assert!(
            e.message.contains("`!Ref` is not supported"),
            "{}",
            e.message
        );
        assert_eq!(e.line_col, Some((1, 4)));
    }

    #[test]
    fn merge_keys_fill_in_what_the_map_does_not_set() {
        let text = "d: &d {rack: r1, power: [a]}\n\
                    e: &e {rack: r9, cpus: 4}\n\
                    h: {<<: [*d, *e], rack: r2}\n\
                    q: {'<<': 1}\n";
        let n = parse(text).unwrap();
        let YValue::Map(m) = &n.value else { panic!() };
        // Merged entries take the place of the `<<`.
        assert_eq!(keys(&m[2].1), ["power", "cpus", "rack"]);
        let YValue::Map(h) = &m[2].1.value else {
            panic!()
        };
        assert_eq!(h[2].1.value, YValue::Str("r2".into()));
        assert_eq!(keys(&m[3].1), ["<<"]);
        assert!(
            parse("a: {<<: 3}\n")
                .unwrap_err()
                .message
                .contains("merge key")
        );
    }

    #[test]
    fn an_alias_copy_is_labelled_where_the_alias_is() {
        let text = "a: &x r1\nb: *x\n";
        let n = parse(text).unwrap();
        let YValue::Map(m) = &n.value else { panic!() };
        let b = &m[1].1;
        assert_eq!(&text[b.start as usize..(b.start + b.len) as usize], "*x");
        assert_eq!(b.value, YValue::Str("r1".into()));
    }

    #[test]
    fn a_second_document_is_an_error() {
        let e = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(e.message.contains("one YAML document"), "{}", e.message);
        assert_eq!(e.line_col.map(|p| p.0), Some(2));
    }
}
