//! Two sets of entities that must not share a failure unit of given kinds:
//! monitoring and what it monitors (an outage must not blind the team that
//! should see it), a primary and its disaster-recovery copy. A unit is
//! shared when its single failure takes down an entity of each set.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::model::{EntityId, Kind};
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::select::Selector;
use std::collections::HashMap;

/// The registry's entry (see `templates/mod.rs`).
pub const SEPARATION: Registered = Registered {
    name: "separation",
    params: "a, b, kinds?",
    doc: "Entities of `a` that share a failure unit (of `kinds`) with an entity of `b`.",
    build: |p| Ok(Box::new(Separation::new(p)?)),
};

pub struct Separation {
    a: Selector,
    b: Selector,
    kinds: Option<Vec<Kind>>,
}

impl Separation {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        if p.get("a").is_none() {
            return Err(p.missing("a"));
        }
        if p.get("b").is_none() {
            return Err(p.missing("b"));
        }
        Ok(Separation {
            a: Selector::of(p, "a")?,
            b: Selector::of(p, "b")?,
            kinds: p.kinds("kinds")?,
        })
    }
}

impl Template for Separation {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let cuts = a.cut_sets();
        let pick = |sel: &Selector| -> Vec<EntityId> {
            m.ids()
                .filter(|&x| {
                    m.get(x).kind().is_unit() && sel.matches_in(m, m.get(x)) && !cuts.is_down(x)
                })
                .collect()
        };
        let (left, right) = (pick(&self.a), pick(&self.b));
        let keep = |u: &EntityId| {
            self.kinds
                .as_ref()
                .is_none_or(|ks| ks.contains(&m.get(*u).kind()))
        };
        // Which right-hand entities each unit takes down: one pass over
        // each side instead of comparing every pair of entities.
        let mut kills_right: HashMap<EntityId, Vec<EntityId>> = HashMap::new();
        for &y in &right {
            for u in cuts.killers(y).into_iter().filter(keep) {
                kills_right.entry(u).or_default().push(y);
            }
        }
        let mut hits = Vec::new();
        for x in left {
            let mut shared: Vec<EntityId> = Vec::new();
            let mut partners: Vec<EntityId> = Vec::new();
            for u in cuts.killers(x).into_iter().filter(keep) {
                let Some(ys) = kills_right.get(&u) else {
                    continue;
                };
                let before = partners.len();
                partners.extend(ys.iter().copied().filter(|&y| y != x));
                if partners.len() > before {
                    shared.push(u);
                }
            }
            partners.sort_unstable();
            partners.dedup();
            if partners.is_empty() {
                continue;
            }
            shared.sort_unstable();
            shared.dedup();
            m.sort_by_name(&mut shared);
            m.sort_by_name(&mut partners);
            hits.push(Hit {
                subject: x,
                message: format!(
                    "`{}` shares {} with {}: one failure takes both down",
                    m.name(x),
                    list_names(shared.iter().map(|&u| m.name(u)), 5),
                    list_names(partners.iter().map(|&y| m.name(y)), 5)
                ),
                culprits: shared,
                help: Some("move one side to independent racks, power and hosts".into()),
                culprit_label: Some("shared failure unit".into()),
                ..Hit::default()
            });
        }
        hits
    }
}
