//! `--site` and `--tag`: which part of NetBox to write. The objects that
//! match are kept with everything they depend on (their rack and site, the
//! PDUs, feeds and panels that power them, the switches they are cabled
//! to, their cluster and its hosts), so the slice is a complete description
//! on its own: no reference in it points outside, and a floating VM still
//! sees every host it may run on.

use super::mapping::{Mapped, Value};
use crate::input::diag::InputError;
use crate::model::Kind;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Default)]
pub struct Filter {
    /// Site slugs; an object in any of them matches.
    pub sites: Vec<String>,
    /// A tag slug the object must carry.
    pub tag: Option<String>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.sites.is_empty() && self.tag.is_none()
    }

    fn matches(&self, sites: &[String], tags: &[String]) -> bool {
        (self.sites.is_empty() || sites.iter().any(|s| self.sites.contains(s)))
            && self.tag.as_ref().is_none_or(|t| tags.contains(t))
    }
}

pub fn select(mut mapped: Mapped, filter: &Filter) -> Result<Mapped, InputError> {
    if filter.is_empty() {
        return Ok(mapped);
    }
    check_known(&mapped, filter)?;
    let mut hosts_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (id, e) in &mapped.entities {
        if let (Kind::Host, Some(Value::Ref(c))) = (e.kind, e.field("cluster")) {
            hosts_of.entry(c.as_str()).or_default().push(id.as_str());
        }
    }
    let mut keep: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&str> = mapped
        .entities
        .iter()
        .filter(|(_, e)| filter.matches(&e.sites, &e.tags))
        .map(|(id, _)| id.as_str())
        .collect();
    while let Some(id) = todo.pop() {
        if !keep.insert(id) {
            continue;
        }
        let Some(e) = mapped.entities.get(id) else {
            continue;
        };
        todo.extend(e.refs());
        if e.kind == Kind::Cluster {
            todo.extend(hosts_of.get(id).into_iter().flatten());
        }
    }
    let keep: BTreeSet<String> = keep.into_iter().map(str::to_owned).collect();
    mapped.entities.retain(|id, _| keep.contains(id));
    mapped
        .left_out
        .retain(|l| filter.matches(&l.sites, &l.tags));
    Ok(mapped)
}

/// A site or tag nobody has is a typo, not a wish for an empty estate.
fn check_known(mapped: &Mapped, filter: &Filter) -> Result<(), InputError> {
    let sites: BTreeSet<&str> = mapped
        .entities
        .values()
        .filter(|e| e.kind == Kind::Site)
        .flat_map(|e| e.sites.iter().map(String::as_str))
        .collect();
    for s in &filter.sites {
        if !sites.contains(s.as_str()) {
            return Err(InputError::plain(
                "usage",
                format!("--site `{s}`: NetBox has no site with this slug"),
            )
            .suggest(
                s,
                sites.iter().copied(),
                "--site takes a site's slug, as in its NetBox URL",
            ));
        }
    }
    if let Some(t) = &filter.tag {
        let tags: BTreeSet<&str> = mapped
            .entities
            .values()
            .flat_map(|e| e.tags.iter())
            .chain(mapped.left_out.iter().flat_map(|l| l.tags.iter()))
            .map(String::as_str)
            .collect();
        if !tags.contains(t.as_str()) {
            return Err(InputError::plain(
                "usage",
                format!("--tag `{t}`: no site, rack, power panel or feed, device, cluster or VM carries this tag"),
            )
            .suggest(t, tags.iter().copied(), "--tag takes a tag's slug"));
        }
    }
    Ok(())
}
