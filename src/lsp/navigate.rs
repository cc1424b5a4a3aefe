//! Ids as links: definition, references, rename across files, and the
//! symbols of a file and of the workspace.

use super::index::{Local, Spot};
use super::text::Encoding;
use super::workspace::Snapshot;
use crate::input::yaml::YValue;
use crate::model::Kind;
use lsp_types::{
    DocumentSymbol, Location, PrepareRenameResponse, SymbolInformation, SymbolKind, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// Most workspace symbols returned for one query: a 100k-entity estate
/// has 100k ids, and a picker only shows the best few anyway.
const MAX_SYMBOLS: usize = 500;

pub fn definition(snap: &Snapshot, doc: usize, offset: u32, enc: Encoding) -> Vec<Location> {
    let Some((_, name)) = snap.at(doc, offset) else {
        return Vec::new();
    };
    snap.definitions(name)
        .filter_map(|(d, i)| snap.location(d, snap.docs[d].index().defs[i as usize].key, enc))
        .collect()
}

/// Every place that names the id under the cursor, in every file.
pub fn references(
    snap: &Snapshot,
    doc: usize,
    offset: u32,
    include_declaration: bool,
    enc: Encoding,
) -> Vec<Location> {
    let Some((_, name)) = snap.at(doc, offset) else {
        return Vec::new();
    };
    places(snap, name)
        .into_iter()
        .filter(|&(_, _, is_def)| include_declaration || !is_def)
        .filter_map(|(d, at, _)| snap.location(d, at, enc))
        .collect()
}

/// (doc, range, is a definition) of every occurrence, in file order,
/// without the repeats merge keys make (a merged field is one place in
/// the text however many entities take it).
fn places(snap: &Snapshot, name: &str) -> Vec<(usize, Local, bool)> {
    let mut out: Vec<(usize, Local, bool)> = snap
        .occurrences(name)
        .iter()
        .map(|&(d, s)| {
            let (at, _) = snap.docs[d as usize].index().spot(s);
            (d as usize, at, matches!(s, Spot::Def(_)))
        })
        .collect();
    out.sort_by_key(|&(d, at, _)| (d, at.start));
    out.dedup_by_key(|&mut (d, at, _)| (d, at.start));
    out
}

pub fn prepare_rename(
    snap: &Snapshot,
    doc: usize,
    offset: u32,
    enc: Encoding,
) -> Option<PrepareRenameResponse> {
    let (at, name) = snap.at(doc, offset)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: snap.docs[doc].range(at, enc),
        placeholder: name.to_owned(),
    })
}

/// Renames the id under the cursor everywhere it is defined or named.
/// Refused (with a reason for the user) when the new id is taken.
// lsp-types keys edits by `Uri`, whose hash is that of its text, which
// never changes: the lint's worry does not apply.
#[allow(clippy::mutable_key_type)]
pub fn rename(
    snap: &Snapshot,
    doc: usize,
    offset: u32,
    new_name: &str,
    enc: Encoding,
) -> Result<WorkspaceEdit, String> {
    let Some((_, old)) = snap.at(doc, offset) else {
        return Err("no id here: rename works on an id or a reference to one".into());
    };
    if new_name.is_empty() || new_name.contains(['\n', '\r']) {
        return Err("an id is a non-empty string on one line".into());
    }
    if new_name != old && snap.definitions(new_name).next().is_some() {
        return Err(format!("`{new_name}` is already defined; ids are global"));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (d, at, _) in places(snap, old) {
        let doc = &snap.docs[d];
        let written = &doc.text[at.start as usize..at.end() as usize];
        // An alias (`*x`) names its anchor's value, renamed there.
        let Some(text) = rewrite(written, old, new_name) else {
            continue;
        };
        let Some(uri) = snap.uri(&doc.path) else {
            continue;
        };
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(doc.range(at, enc), text));
    }
    Ok(WorkspaceEdit::new(changes))
}

/// The text that replaces `written` (a scalar naming `old`): the new id
/// in the same quoting, or quoted when it could not be written plain.
fn rewrite(written: &str, old: &str, new: &str) -> Option<String> {
    if written == old {
        return Some(scalar(new));
    }
    match written.as_bytes().first() {
        Some(b'"') => Some(double_quoted(new)),
        Some(b'\'') => Some(format!("'{}'", new.replace('\'', "''"))),
        _ => None,
    }
}

/// An id as YAML: plain when it reads back as the same string both as a
/// key and inside a flow list, double-quoted otherwise (`yes`, `1`,
/// `a, b`, `#x`...).
pub fn scalar(id: &str) -> String {
    let plain = |doc: String, get: fn(&YValue) -> Option<&YValue>| {
        crate::input::parse(&doc)
            .ok()
            .as_ref()
            .and_then(|n| get(&n.value).cloned())
            .is_some_and(|v| v == YValue::Str(id.to_owned()))
    };
    let as_key = plain(format!("{id}: 1\n"), |v| match v {
        YValue::Map(m) if m.len() == 1 => Some(&m[0].0.value),
        _ => None,
    });
    let in_list = plain(format!("k: [{id}]\n"), |v| match v {
        YValue::Map(m) if m.len() == 1 => match &m[0].1.value {
            YValue::Seq(items) if items.len() == 1 => Some(&items[0].value),
            _ => None,
        },
        _ => None,
    });
    if as_key && in_list {
        id.to_owned()
    } else {
        double_quoted(id)
    }
}

fn double_quoted(s: &str) -> String {
    // JSON string escapes are valid YAML double-quoted escapes.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn symbol_kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Site => SymbolKind::NAMESPACE,
        Kind::Feed | Kind::Pdu => SymbolKind::EVENT,
        Kind::Rack | Kind::Cluster => SymbolKind::PACKAGE,
        Kind::Switch => SymbolKind::INTERFACE,
        Kind::Host => SymbolKind::STRUCT,
        Kind::Vm => SymbolKind::OBJECT,
        Kind::Service => SymbolKind::CLASS,
        Kind::Component => SymbolKind::CONSTANT,
    }
}

/// Sections, each with its ids.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out
pub fn document_symbols(snap: &Snapshot, doc: usize, enc: Encoding) -> Vec<DocumentSymbol> {
    let d = &snap.docs[doc];
    let ix = d.index();
    let mut defs = ix.defs.iter().peekable();
    ix.sections
        .iter()
        .map(|s| {
            let mut children = Vec::new();
            while let Some(def) = defs.next_if(|def| def.key.start < s.end) {
                let range = Local {
                    start: def.key.start,
                    len: def.end() - def.key.start,
                };
                children.push(DocumentSymbol {
                    name: def.name.clone(),
                    detail: Some(def.kind.singular().to_owned()),
                    kind: symbol_kind(def.kind),
                    tags: None,
                    deprecated: None,
                    range: d.range(range, enc),
                    selection_range: d.range(def.key, enc),
                    children: None,
                });
            }
            let whole = Local {
                start: s.key.start,
                len: s.end - s.key.start,
            };
            DocumentSymbol {
                name: s.name.clone(),
                detail: s
                    .kind
                    .map(|k| format!("{} {}", children.len(), k.section())),
                kind: SymbolKind::MODULE,
                tags: None,
                deprecated: None,
                range: d.range(whole, enc),
                selection_range: d.range(s.key, enc),
                children: Some(children),
            }
        })
        .collect()
}

/// Ids matching a query (case-insensitive; the characters of the query
/// in order), best first: exact, then prefix, then substring, then the
/// rest, shorter ids first within each.
#[allow(deprecated)] // `SymbolInformation::deprecated` must be written out
pub fn workspace_symbols(snap: &Snapshot, query: &str, enc: Encoding) -> Vec<SymbolInformation> {
    let q = query.to_lowercase();
    let mut hits = Vec::new();
    for (di, d) in snap.docs.iter().enumerate() {
        for (i, def) in d.index().defs.iter().enumerate() {
            if let Some(rank) = rank(&def.name.to_lowercase(), &q) {
                hits.push((rank, def.name.len(), di, i));
            }
        }
    }
    hits.sort_unstable();
    hits.truncate(MAX_SYMBOLS);
    hits.into_iter()
        .filter_map(|(_, _, di, i)| {
            let def = &snap.docs[di].index().defs[i];
            Some(SymbolInformation {
                name: def.name.clone(),
                kind: symbol_kind(def.kind),
                tags: None,
                deprecated: None,
                location: snap.location(di, def.key, enc)?,
                container_name: Some(def.kind.section().to_owned()),
            })
        })
        .collect()
}

fn rank(name: &str, q: &str) -> Option<u8> {
    if name == q {
        Some(0)
    } else if name.starts_with(q) {
        Some(1)
    } else if name.contains(q) {
        Some(2)
    } else {
        let mut rest = name.chars();
        q.chars()
            .all(|c| rest.by_ref().any(|n| n == c))
            .then_some(3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_quoted_only_when_they_must_be() {
        assert_eq!(scalar("r12-pdu-a"), "r12-pdu-a");
        assert_eq!(scalar("dc1/r1"), "dc1/r1");
        for id in ["101", "a, b", "#x", "a: b", "[x]", "", "true", "~"] {
            assert_eq!(scalar(id), serde_json::to_string(id).unwrap(), "{id}");
        }
        assert_eq!(rewrite("'old'", "old", "it's"), Some("'it''s'".into()));
        assert_eq!(rewrite("\"old\"", "old", "new"), Some("\"new\"".into()));
        assert_eq!(rewrite("*a", "old", "new"), None);
    }

    #[test]
    fn symbol_ranking() {
        assert_eq!(rank("web", "web"), Some(0));
        assert_eq!(rank("web-1", "web"), Some(1));
        assert_eq!(rank("n01-web", "web"), Some(2));
        assert_eq!(rank("n01-tor", "ntr"), Some(3));
        assert_eq!(rank("n01-tor", "x"), None);
    }
}
