//! Hover on an id: what it is, what it names, what names it, and what its
//! failure alone takes down.
//!
//! The first three come from the index (so they work while the estate
//! has errors); the last asks the engine, which needs a loaded estate.

use super::index::Spot;
use super::text::Encoding;
use super::workspace::Snapshot;
use crate::analysis::Analysis;
use crate::engine;
use crate::model::{Kind, Model};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use std::fmt::Write as _;

/// Names listed per line before "and N more".
const MAX_NAMES: usize = 12;

pub fn hover(snap: &Snapshot, doc: usize, offset: u32, enc: Encoding) -> Option<Hover> {
    let (at, name) = snap.at(doc, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: describe(snap, name),
        }),
        range: Some(snap.docs[doc].range(at, enc)),
    })
}

/// `a`, `b` and 3 more
fn names(mut list: Vec<String>) -> String {
    list.sort();
    list.dedup();
    let more = list.len().saturating_sub(MAX_NAMES);
    let mut s = list
        .iter()
        .take(MAX_NAMES)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        let _ = write!(s, " and {more} more");
    }
    s
}

/// Fields in the order they first appear, each with its names.
fn grouped(
    pairs: impl Iterator<Item = (&'static str, String)>,
) -> Vec<(&'static str, Vec<String>)> {
    let mut out: Vec<(&'static str, Vec<String>)> = Vec::new();
    for (field, name) in pairs {
        match out.iter_mut().find(|(f, _)| *f == field) {
            Some((_, v)) => v.push(name),
            None => out.push((field, vec![name])),
        }
    }
    out
}

pub fn describe(snap: &Snapshot, name: &str) -> String {
    let defs: Vec<(usize, u32)> = snap.definitions(name).collect();
    let Some(&(d0, i0)) = defs.first() else {
        let all = snap
            .docs
            .iter()
            .flat_map(|d| d.index().defs.iter().map(|def| def.name.as_str()));
        let mut s = format!("`{name}`: no entity has this id");
        if let Some(near) = crate::input::diag::did_you_mean(name, all) {
            let _ = write!(s, "; did you mean `{near}`?");
        }
        return s;
    };
    let doc = &snap.docs[d0];
    let def = &doc.index().defs[i0 as usize];
    let file = doc.path.strip_prefix(&snap.root).unwrap_or(&doc.path);
    let line = doc
        .lines
        .position(&doc.text, def.key.start, Encoding::Utf8)
        .line
        + 1;
    let mut s = format!(
        "**{}** `{name}`, defined in `{}` line {line}",
        def.kind.singular(),
        file.display()
    );
    if defs.len() > 1 {
        let _ = write!(
            s,
            " (and {} more times: ids must be unique)",
            defs.len() - 1
        );
    }
    s.push('\n');
    let model = snap.model();
    if let Some(m) = model
        && let Some(id) = m.lookup(name)
        && let Some(text) = &m.get(id).description
    {
        let _ = write!(s, "\n{text}\n");
    }
    let own = doc
        .index()
        .refs
        .iter()
        .filter(|r| r.owner == Some(i0))
        .map(|r| (r.field, r.name.clone()));
    let needs = grouped(own);
    if !needs.is_empty() {
        s.push_str("\n**Depends on**\n");
        for (field, list) in needs {
            let _ = writeln!(s, "- `{field}`: {}", names(list));
        }
    }
    let users = snap.occurrences(name).iter().filter_map(|&(d, spot)| {
        let Spot::Ref(r) = spot else { return None };
        let ix = snap.docs[d as usize].index();
        let r = &ix.refs[r as usize];
        let owner = &ix.defs[r.owner? as usize];
        Some((r.field, owner.name.clone()))
    });
    let needed_by = grouped(users);
    if needed_by.is_empty() {
        s.push_str("\nNothing depends on it.\n");
    } else {
        s.push_str("\n**Depended on by**\n");
        for (field, list) in needed_by {
            let _ = writeln!(s, "- as `{field}` of {}", names(list));
        }
    }
    if let Some(m) = model
        && let Some(id) = m.lookup(name)
        && m.get(id).kind() == Kind::Service
    {
        s.push_str(&recovery(m, snap, id));
    }
    s.push('\n');
    s.push_str(&match model {
        Some(m) => impact(m, snap, name),
        None => {
            "*What its failure takes down is shown once the estate has no input errors.*".into()
        }
    });
    s
}

/// The services that go down when this entity alone fails (and are up
/// while nothing has failed).
fn impact(m: &Model, snap: &Snapshot, name: &str) -> String {
    let Some(id) = m.lookup(name) else {
        return String::new();
    };
    if m.get(id).kind() == Kind::Cluster {
        return "A cluster never fails as such: its hosts do.".into();
    }
    let a = Analysis::new(m, snap.today.clone());
    let before = engine::down(&a.circuit, &[]);
    if before[id as usize] {
        return "**It is down with nothing failed.**".into();
    }
    let after = engine::down(&a.circuit, &[id]);
    let services: Vec<String> = a
        .services()
        .filter(|&s| s != id && after[s as usize] && !before[s as usize])
        .map(|s| m.name(s).to_owned())
        .collect();
    let others = (0..after.len())
        .filter(|&x| after[x] && !before[x] && x != id as usize)
        .count();
    if services.is_empty() {
        format!(
            "**Its failure alone takes down no service** ({others} other entities go down with it)."
        )
    } else {
        format!(
            "**Its failure alone takes down {} service{}:** {} ({others} entities in all).",
            services.len(),
            if services.len() == 1 { "" } else { "s" },
            names(services)
        )
    }
}

/// A service's worst recovery time and point over every kind of failure
/// (FORMAT §8), under the config's recovery defaults. Every unit is
/// failed in turn (once per check, then kept), so only on estates small
/// enough to answer while the user waits.
fn recovery(m: &Model, snap: &Snapshot, svc: crate::model::EntityId) -> String {
    use crate::analysis::recovery::{Worst, human};
    if m.len() > 20_000 {
        return String::new();
    }
    let Some(Ok(t)) = snap.recovery() else {
        return "\n*Recovery time: past the analysis limit (see `faultline recovery`).*\n".into();
    };
    let Some(so) = t.services.iter().find(|x| x.service == svc) else {
        return String::new();
    };
    let worst = |list: &[Worst], what: &str| -> String {
        let Some(w) = list
            .iter()
            .max_by_key(|w| (w.seconds, std::cmp::Reverse(w.kind)))
        else {
            return String::new();
        };
        if w.seconds == 0 {
            return format!("- worst {what}: 0s\n");
        }
        let breached = list.iter().filter(|w| !w.over.is_empty()).count();
        format!(
            "- worst {what}: {} when {} `{}` fails{}\n",
            human(w.seconds),
            w.kind.singular(),
            w.unit.map_or("?", |u| m.name(u)),
            match breached {
                0 => String::new(),
                1 => " (1 kind of failure over its target)".to_owned(),
                n => format!(" ({n} kinds of failure over their targets)"),
            }
        )
    };
    let mut s = String::from("\n**Recovery**\n");
    s.push_str(&worst(&so.rto, "RTO"));
    if let Some(rpo) = &so.rpo {
        s.push_str(&worst(rpo, "RPO"));
    }
    s
}
