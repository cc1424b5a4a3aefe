//! The instances of a service must span at least `min` distinct entities
//! of a kind ("critical services span two sites"). Spanning is judged by
//! the failure semantics, not by labels: the instances span N racks when
//! no N - 1 racks failing together take every instance down. A floating
//! vm therefore spans nothing the scheduler could undo, and a dual-corded
//! host is not "in" either of its PDUs.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::engine::{CutSets, Scope};
use crate::input::diag::InputError;
use crate::model::{EntityId, Kind};
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::select::Selector;

/// The registry's entry (see `templates/mod.rs`).
pub const SPREAD: Registered = Registered {
    name: "spread",
    params: "select?, kind, min? (2-4)",
    doc: "Services whose instances fewer than `min` entities of `kind` can take down together.",
    build: |p| Ok(Box::new(Spread::new(p)?)),
};

pub struct Spread {
    select: Selector,
    kind: Kind,
    min: usize,
}

impl Spread {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        let node = p.get("kind").ok_or_else(|| p.missing("kind"))?;
        let crate::input::yaml::YValue::Str(name) = &node.value else {
            return Err(p.error(
                node,
                "`kind` must be an entity kind such as `rack` or `site`",
            ));
        };
        let kind = Kind::from_singular(name).ok_or_else(|| {
            p.error(node, format!("unknown entity kind `{name}`"))
                .help("kind is one of: site, feed, rack, pdu, switch, host, component, vm")
        })?;
        if kind == Kind::Cluster || kind == Kind::Service {
            let n = p.get("kind").expect("kind was given");
            return Err(p.error(n, "spread is over failure units: site, feed, rack, pdu, switch, host, component or vm"));
        }
        let min = p.uint("min")?.unwrap_or(2) as usize;
        if !(2..=4).contains(&min) {
            let n = p.get("min").expect("min was given");
            return Err(p.error(n, "`min` must be 2, 3 or 4"));
        }
        Ok(Spread {
            select: Selector::of(p, "select")?,
            kind,
            min,
        })
    }
}

impl Template for Spread {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        // Cut sets over units of the kind only: the smallest set of them
        // that takes every instance down, found by algebra however many
        // racks the instances could reach.
        let kind = self.kind;
        let only_kind = |x: EntityId| m.get(x).kind() == kind;
        let cuts = match CutSets::compute(
            &a.circuit,
            a.components(),
            a.bounds(self.min - 1),
            &Scope {
                units: Some(&only_kind),
                ..Scope::default()
            },
        ) {
            Ok(cs) => cs,
            Err(e) => {
                a.note_limit(e);
                return Vec::new();
            }
        };
        let mut hits = Vec::new();
        for s in a.services() {
            let e = m.get(s);
            if !self.select.matches_in(m, e) || e.instances.is_empty() {
                continue;
            }
            let every = match cuts.at_least(e.instances.len(), &e.instances) {
                Ok(f) => f,
                Err(limit) => {
                    a.note_limit(limit);
                    continue;
                }
            };
            // The first of the smallest (by size, then definition order).
            let Some(set) = every.first().filter(|c| !c.is_empty()) else {
                continue;
            };
            let set: Vec<EntityId> = set.members().to_vec();
            let mut names: Vec<&str> = set.iter().map(|&x| m.name(x)).collect();
            names.sort_unstable();
            let k = self.kind.singular();
            hits.push(Hit {
                subject: s,
                message: format!(
                    "the instances of service `{}` span fewer than {} {k}s: failing {} takes every one of them down",
                    e.id,
                    self.min,
                    list_names(names.iter().copied(), 4)
                ),
                culprits: set,
                help: Some(format!("place instances in at least {} independent {k}s", self.min)),
                culprit_label: Some(format!("holds every instance with the other {k}s named")),
                ..Hit::default()
            });
        }
        hits
    }
}
