//! The instances of a service must span at least `min` distinct entities
//! of a kind ("critical services span two sites"). Spanning is judged by
//! the failure semantics, not by labels: the instances span N racks when
//! no N - 1 racks failing together take every instance down. A floating
//! vm therefore spans nothing the scheduler could undo, and a dual-corded
//! host is not "in" either of its PDUs.

use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::diag::InputError;
use crate::engine::Evaluator;
use crate::finding::Hit;
use crate::model::{EntityId, Kind};
use crate::rules::params::Params;
use crate::rules::select::Selector;
use std::collections::BTreeSet;

pub struct Spread {
    select: Selector,
    kind: Kind,
    min: usize,
}

/// Beyond this many candidate entities, sets of three or more are not
/// enumerated (the cost grows as candidates^(min-1)).
const MAX_CANDIDATES: usize = 400;

impl Spread {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        let node = p.get("kind").ok_or_else(|| p.missing("kind"))?;
        let crate::yaml::YValue::Str(name) = &node.value else {
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
            select: p.selector("select")?,
            kind,
            min,
        })
    }
}

impl Template for Spread {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut ev = Evaluator::new(&a.circuit, &[]);
        let mut hits = Vec::new();
        for s in a.services() {
            let e = m.get(s);
            if !self.select.matches_in(m, e) || e.instances.is_empty() {
                continue;
            }
            // Entities of the kind that the instances depend on.
            let mut cand: BTreeSet<EntityId> = BTreeSet::new();
            for &i in &e.instances {
                let cone = a.circuit.cone(i);
                cand.extend(
                    cone.global
                        .iter()
                        .copied()
                        .filter(|&x| m.get(x).kind() == self.kind && !ev.is_down(x)),
                );
            }
            let cand: Vec<EntityId> = cand.into_iter().collect();
            if self.min > 2 && cand.len() > MAX_CANDIDATES {
                continue;
            }
            let all_down = |ev: &Evaluator| e.instances.iter().all(|&i| ev.is_down(i));
            if let Some(set) = smallest_killing_set(&mut ev, &cand, self.min - 1, &all_down) {
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
        }
        hits
    }
}

/// The first set (in candidate order) of at most `max` candidates whose
/// joint failure satisfies `done`.
fn smallest_killing_set(
    ev: &mut Evaluator,
    cand: &[EntityId],
    max: usize,
    done: &dyn Fn(&Evaluator) -> bool,
) -> Option<Vec<EntityId>> {
    for size in 1..=max {
        let mut set = Vec::new();
        if search(ev, cand, 0, size, &mut set, done) {
            return Some(set);
        }
    }
    None
}

fn search(
    ev: &mut Evaluator,
    cand: &[EntityId],
    from: usize,
    size: usize,
    set: &mut Vec<EntityId>,
    done: &dyn Fn(&Evaluator) -> bool,
) -> bool {
    for i in from..cand.len() {
        let cp = ev.checkpoint();
        ev.fail(&[cand[i]]);
        set.push(cand[i]);
        let hit = if set.len() == size {
            done(ev)
        } else {
            search(ev, cand, i + 1, size, set, done)
        };
        ev.undo_to(cp);
        if hit {
            return true;
        }
        set.pop();
    }
    false
}
