//! Where every id is defined and where it is named, per file, as byte
//! ranges.
//!
//! Built from the spanned YAML tree (`input::parse`), not from the model:
//! the model exists only when the whole estate loads, and navigation
//! matters most while it does not (a dangling reference is exactly when
//! you want completion and go to definition). The spans are the tree's,
//! so they are the places the loader and `check` report.

use crate::input::yaml::{YNode, YValue};
use crate::model::Kind;
use crate::model::schema::{self, FieldType};

/// A byte range of one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Local {
    pub start: u32,
    pub len: u32,
}

impl Local {
    fn of(n: &YNode) -> Local {
        Local {
            start: n.start,
            len: n.len,
        }
    }

    pub fn end(self) -> u32 {
        self.start + self.len
    }

    /// Whether a cursor at `offset` is on it (just after the last
    /// character counts: that is where the cursor is after typing it).
    pub fn touches(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end()
    }
}

/// How a collection is written, which decides how to add to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Nothing, `~` or `null`.
    Null,
    /// `{...}` or `[...]`.
    Flow,
    /// Indented lines.
    Block,
    /// A scalar where a collection belongs.
    Other,
}

/// A top-level key of a description.
#[derive(Debug)]
pub struct Section {
    pub name: String,
    pub kind: Option<Kind>,
    pub key: Local,
    pub end: u32,
}

/// A collection value, as much as an edit needs to add an item to it.
#[derive(Debug, Clone, Copy)]
pub struct Collection {
    pub node: Local,
    pub shape: Shape,
    /// Start of its first item (a block map's first key, a block list's
    /// first `-`): a new item of a block collection goes at the same
    /// indentation.
    pub first: Option<u32>,
    /// End of its last item, closing brackets included.
    pub last_end: Option<u32>,
    /// Just past the closing bracket of a flow collection.
    pub end: u32,
}

/// An entity's id key.
#[derive(Debug)]
pub struct Def {
    pub name: String,
    pub kind: Kind,
    pub key: Local,
    /// The entity's body (its map of fields).
    pub body: Collection,
    /// Its `waivers` list, if it has one.
    pub waivers: Option<Collection>,
}

impl Def {
    /// Past the last character of the entity (key and body).
    pub fn end(&self) -> u32 {
        self.body.end.max(self.key.end())
    }
}

/// A place that names an id.
#[derive(Debug)]
pub struct Ref {
    pub name: String,
    pub at: Local,
    /// The entity whose field this is (an index into `defs`); `None` in
    /// the config, where waivers are keyed by id.
    pub owner: Option<u32>,
    pub field: &'static str,
}

/// What is at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    Def(u32),
    Ref(u32),
}

#[derive(Debug, Default)]
pub struct FileIndex {
    pub sections: Vec<Section>,
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    /// Every def and ref by start offset.
    spots: Vec<(Local, Spot)>,
}

impl FileIndex {
    /// The ids a description defines and names.
    pub fn description(text: &str) -> FileIndex {
        let Ok(root) = crate::input::parse(text) else {
            return FileIndex::default();
        };
        let mut ix = FileIndex::default();
        if let YValue::Map(sections) = &root.value {
            for (k, v) in sections {
                let Some(name) = scalar_text(text, k) else {
                    continue;
                };
                let kind = Kind::from_section(&name);
                let mut end = k.start + k.len;
                if let (Some(kind), YValue::Map(entries)) = (kind, &v.value) {
                    for (idk, body) in entries {
                        if let Some(e) = ix.entity(text, kind, idk, body) {
                            end = end.max(e);
                        }
                    }
                }
                ix.sections.push(Section {
                    name,
                    kind,
                    key: Local::of(k),
                    end,
                });
            }
        }
        ix.finish();
        ix
    }

    /// The ids `faultline.yaml` names: the keys of its `waivers` map.
    pub fn config(text: &str) -> FileIndex {
        let Ok(root) = crate::input::parse(text) else {
            return FileIndex::default();
        };
        let mut ix = FileIndex::default();
        if let YValue::Map(settings) = &root.value
            && let Some((_, YValue::Map(waivers))) = settings
                .iter()
                .map(|(k, v)| (k, &v.value))
                .find(|(k, _)| matches!(&k.value, YValue::Str(s) if s == "waivers"))
        {
            for (k, _) in waivers {
                if let Some(name) = scalar_text(text, k) {
                    ix.refs.push(Ref {
                        name,
                        at: Local::of(k),
                        owner: None,
                        field: "waivers",
                    });
                }
            }
        }
        ix.finish();
        ix
    }

    /// Records one entity; returns where it ends.
    fn entity(&mut self, text: &str, kind: Kind, idk: &YNode, body: &YNode) -> Option<u32> {
        let name = scalar_text(text, idk).filter(|s| !s.is_empty())?;
        let owner = self.defs.len() as u32;
        let mut waivers = None;
        if let YValue::Map(fields) = &body.value {
            for (fk, fv) in fields {
                let Some(field) = scalar_text(text, fk) else {
                    continue;
                };
                let Some(spec) = schema::field(kind, &field) else {
                    continue;
                };
                let mut add = |n: &YNode| {
                    if let Some(name) = scalar_text(text, n) {
                        self.refs.push(Ref {
                            name,
                            at: Local::of(n),
                            owner: Some(owner),
                            field: spec.name,
                        });
                    }
                };
                match (spec.ty, &fv.value) {
                    (FieldType::Ref(_), _) => add(fv),
                    (FieldType::Refs(_), YValue::Seq(items)) => items.iter().for_each(add),
                    (FieldType::AntiAffinity, YValue::Seq(groups)) => {
                        for g in groups {
                            if let YValue::Seq(items) = &g.value {
                                items.iter().for_each(&mut add);
                            }
                        }
                    }
                    (FieldType::Waivers, _) => waivers = Some(collection(text, fv)),
                    _ => {}
                }
            }
        }
        let def = Def {
            name,
            kind,
            key: Local::of(idk),
            body: collection(text, body),
            waivers,
        };
        let end = def.end();
        self.defs.push(def);
        Some(end)
    }

    fn finish(&mut self) {
        let defs = self.defs.iter().enumerate();
        let refs = self.refs.iter().enumerate();
        self.spots = defs
            .map(|(i, d)| (d.key, Spot::Def(i as u32)))
            .chain(refs.map(|(i, r)| (r.at, Spot::Ref(i as u32))))
            .collect();
        self.spots.sort_by_key(|(at, _)| at.start);
    }

    /// The def or ref under a cursor at `offset`.
    pub fn at(&self, offset: u32) -> Option<Spot> {
        let i = self.spots.partition_point(|(at, _)| at.start <= offset);
        self.spots[..i]
            .iter()
            .rev()
            .take(2)
            .find(|(at, _)| at.touches(offset))
            .map(|&(_, s)| s)
    }

    /// Where a spot is and the id it names.
    pub fn spot(&self, s: Spot) -> (Local, &str) {
        match s {
            Spot::Def(i) => {
                let d = &self.defs[i as usize];
                (d.key, &d.name)
            }
            Spot::Ref(i) => {
                let r = &self.refs[i as usize];
                (r.at, &r.name)
            }
        }
    }

    /// Every def and ref, in file order.
    pub fn spots(&self) -> impl Iterator<Item = (Local, &str, Spot)> + '_ {
        self.spots.iter().map(|&(_, s)| {
            let (at, name) = self.spot(s);
            (at, name, s)
        })
    }
}

/// A scalar as the loader reads it: strings as they are, numbers and
/// booleans as written (`101` as an id is "101").
fn scalar_text(text: &str, n: &YNode) -> Option<String> {
    match &n.value {
        YValue::Str(s) => Some(s.clone()),
        YValue::Bool(_) | YValue::Int(_) | YValue::Float(_) => {
            let (s, e) = (n.start as usize, (n.start + n.len) as usize);
            text.get(s..e).map(|t| t.trim().to_owned())
        }
        _ => None,
    }
}

fn shape(text: &str, n: &YNode) -> Shape {
    match &n.value {
        YValue::Null => Shape::Null,
        YValue::Seq(_) | YValue::Map(_) => {
            let first = text.as_bytes().get(n.start as usize);
            if n.len == 1 && matches!(first, Some(b'[' | b'{')) {
                Shape::Flow
            } else {
                Shape::Block
            }
        }
        _ => Shape::Other,
    }
}

fn collection(text: &str, n: &YNode) -> Collection {
    let children: Vec<&YNode> = match &n.value {
        YValue::Seq(items) => items.iter().collect(),
        YValue::Map(m) => m.iter().flat_map(|(k, v)| [k, v]).collect(),
        _ => Vec::new(),
    };
    let shape = shape(text, n);
    // A block collection starts at its first key or `-`.
    let first = match shape {
        Shape::Block => Some(n.start),
        _ => children.first().map(|c| c.start),
    };
    let last_end = children.iter().map(|c| extent(text, c)).max();
    Collection {
        node: Local::of(n),
        shape,
        first,
        last_end,
        end: extent(text, n),
    }
}

/// Where a node really ends: a flow collection's span is its opening
/// bracket only, and a block one's is empty, so look at what they hold
/// (and, for a flow one, find its closing bracket). Depth is bounded by
/// the YAML limits.
fn extent(text: &str, n: &YNode) -> u32 {
    let own = n.start + n.len;
    let inner = match &n.value {
        YValue::Seq(items) => items.iter().map(|c| extent(text, c)).max(),
        YValue::Map(m) => m
            .iter()
            .map(|(k, v)| extent(text, k).max(extent(text, v)))
            .max(),
        _ => return own,
    };
    let inner = inner.unwrap_or(own).max(own);
    if shape(text, n) == Shape::Flow {
        closing_bracket(text, inner).map_or(inner, |at| at + 1)
    } else {
        inner
    }
}

/// The `]` or `}` that closes a flow collection whose last item ends at
/// `from`: only blanks, commas and comments may come between.
fn closing_bracket(text: &str, from: u32) -> Option<u32> {
    let b = text.as_bytes();
    let mut i = from as usize;
    while i < b.len() {
        match b[i] {
            b']' | b'}' => return Some(i as u32),
            b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
version: 1
racks: {r1: {}}
hosts:
  h1:
    rack: r1
    power:
      - p1
      - \"p2\"
  h2: {rack: r1, power: [p1,
        p2], waivers: [{rule: x, reason: y}]}
clusters:
  c: {anti_affinity: [[v1, v2]]}
";

    fn text_of(l: Local) -> &'static str {
        &TEXT[l.start as usize..l.end() as usize]
    }

    #[test]
    fn defs_refs_and_sections_with_their_places() {
        let ix = FileIndex::description(TEXT);
        let defs: Vec<(&str, Kind)> = ix.defs.iter().map(|d| (&*d.name, d.kind)).collect();
        assert_eq!(
            defs,
            [
                ("r1", Kind::Rack),
                ("h1", Kind::Host),
                ("h2", Kind::Host),
                ("c", Kind::Cluster)
            ]
        );
        let refs: Vec<(&str, &str, &str)> = ix
            .refs
            .iter()
            .map(|r| (&*r.name, r.field, text_of(r.at)))
            .collect();
        assert_eq!(
            refs,
            [
                ("r1", "rack", "r1"),
                ("p1", "power", "p1"),
                ("p2", "power", "\"p2\""),
                ("r1", "rack", "r1"),
                ("p1", "power", "p1"),
                ("p2", "power", "p2"),
                ("v1", "anti_affinity", "v1"),
                ("v2", "anti_affinity", "v2"),
            ]
        );
        let sections: Vec<&str> = ix.sections.iter().map(|s| &*s.name).collect();
        assert_eq!(sections, ["version", "racks", "hosts", "clusters"]);
        // h2's flow body ends at its closing brace, on the next line.
        let h2 = &ix.defs[2];
        assert_eq!(h2.body.shape, Shape::Flow);
        assert_eq!(&TEXT[h2.end() as usize - 2..h2.end() as usize], "]}");
        let w = h2.waivers.expect("h2 has waivers");
        assert_eq!(w.shape, Shape::Flow);
        assert_eq!(&TEXT[w.end as usize - 1..w.end as usize], "]");
        // h1's block body: first key at the field indentation.
        let h1 = &ix.defs[1];
        assert_eq!(h1.body.shape, Shape::Block);
        assert_eq!(
            text_of(Local {
                start: h1.body.first.unwrap(),
                len: 4
            }),
            "rack"
        );
    }

    #[test]
    fn what_is_under_the_cursor() {
        let ix = FileIndex::description(TEXT);
        let at = |needle: &str, delta: u32| {
            let off = TEXT.find(needle).unwrap() as u32 + delta;
            ix.at(off).map(|s| ix.spot(s).1.to_owned())
        };
        assert_eq!(at("h1:", 0).as_deref(), Some("h1"));
        assert_eq!(at("h1:", 2).as_deref(), Some("h1"));
        assert_eq!(at("\"p2\"", 2).as_deref(), Some("p2"));
        assert_eq!(at("rack: r1", 1), None);
        assert_eq!(at("[[v1", 3).as_deref(), Some("v1"));
    }

    #[test]
    fn broken_yaml_gives_an_empty_index_and_config_waivers_are_refs() {
        let ix = FileIndex::description("hosts: {h1: [\n");
        assert!(ix.defs.is_empty() && ix.sections.is_empty());
        let ix = FileIndex::config("fail_level: warning\nwaivers:\n  pdu-a: []\n  101: []\n");
        let names: Vec<&str> = ix.refs.iter().map(|r| &*r.name).collect();
        assert_eq!(names, ["pdu-a", "101"]);
    }
}
