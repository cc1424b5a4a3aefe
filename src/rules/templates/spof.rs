//! A service that one failure takes down. The core question faultline
//! exists to answer: the culprits are computed exactly from the failure
//! semantics (all-of requirements, any-of power and network, k-of-n
//! instances, floating vms, dependencies between services), never guessed
//! from naming or topology conventions.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::model::Kind;
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::select::Selector;

/// The registry's entry (see `templates/mod.rs`).
pub const SPOF: Registered = Registered {
    name: "single-point-of-failure",
    params: "select?, culprit_kinds?, order? (1-3)",
    doc: "Services that one failure (or, with order N, N simultaneous failures) takes down; names the culprits and how each takes the service down.",
    build: |p| Ok(Box::new(Spof::new(p)?)),
};

pub struct Spof {
    select: Selector,
    /// Survive any `order` simultaneous failures (1: single failures).
    order: usize,
    /// Only report culprits of these kinds (all when unset).
    culprit_kinds: Option<Vec<Kind>>,
}

impl Spof {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        let order = p.uint("order")?.unwrap_or(1) as usize;
        if !(1..=3).contains(&order) {
            let n = p.get("order").expect("order was given");
            return Err(p
                .error(n, "`order` must be 1, 2 or 3")
                .help("use `faultline cuts --max-order N` for deeper what-ifs"));
        }
        Ok(Spof {
            order,
            select: Selector::of(p, "select")?,
            culprit_kinds: p.kinds("culprit_kinds")?,
        })
    }
}

impl Template for Spof {
    fn failure_order(&self) -> Option<usize> {
        Some(self.order)
    }

    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        for s in a.services() {
            let e = m.get(s);
            if !self.select.matches_in(m, e) || !a.is_up(s) {
                continue;
            }
            if self.order > 1 {
                hits.extend(self.higher_order(a, s));
                continue;
            }
            let mut culprits = a.spofs(s);
            if let Some(ks) = &self.culprit_kinds {
                culprits.retain(|&c| ks.contains(&m.get(c).kind()));
            }
            if culprits.is_empty() {
                continue;
            }
            let names = list_names(culprits.iter().map(|&c| m.name(c)), 8);
            let message = if culprits.len() == 1 {
                format!("service `{}` goes down if {} fails", e.id, names)
            } else {
                format!("service `{}` goes down if any one of {} fails", e.id, names)
            };
            hits.push(Hit {
                subject: s,
                help: Some(advice(m, &culprits)),
                culprits,
                message,
                culprit_label: Some("single point of failure".into()),
                ..Hit::default()
            });
        }
        hits
    }
}

impl Spof {
    /// Sets of up to `order` units whose joint failure takes `s` down.
    fn higher_order(&self, a: &Analysis, s: u32) -> Option<Hit> {
        let m = a.model;
        let family = a.cuts_or_note(self.order)?.family(s);
        let mut cuts = crate::engine::by_name(m, &family);
        if let Some(ks) = &self.culprit_kinds {
            cuts.retain(|c| c.iter().any(|&u| ks.contains(&m.get(u).kind())));
        }
        if cuts.is_empty() {
            return None;
        }
        let shown: Vec<String> = cuts
            .iter()
            .take(6)
            .map(|c| c.iter().map(|&u| m.name(u)).collect::<Vec<_>>().join(" + "))
            .collect();
        let more = if cuts.len() > 6 {
            format!(" and {} more", cuts.len() - 6)
        } else {
            String::new()
        };
        let mut culprits: Vec<u32> = cuts.iter().flatten().copied().collect();
        culprits.sort_unstable();
        culprits.dedup();
        Some(Hit {
            subject: s,
            help: Some(advice(m, &culprits)),
            message: format!(
                "service `{}` does not survive {} simultaneous failures: {}{more}",
                m.name(s),
                self.order,
                shown.join(", ")
            ),
            culprits,
            culprit_label: Some("part of a cut set".into()),
            ..Hit::default()
        })
    }
}

/// What would remove the single points of failure, by the kinds involved.
fn advice(m: &crate::model::Model, culprits: &[u32]) -> String {
    let mut kinds: Vec<Kind> = culprits.iter().map(|&c| m.get(c).kind()).collect();
    kinds.sort();
    kinds.dedup();
    let mut tips: Vec<&str> = Vec::new();
    for k in kinds {
        tips.push(match k {
            Kind::Site => "run a replica in another site",
            Kind::Feed => "feed the replicas' racks from another power feed",
            Kind::Rack => "put a replica in another rack",
            Kind::Pdu => "put a replica behind another PDU, or dual-cord the hosts to A and B PDUs",
            Kind::Switch => {
                "connect the hosts to a second switch, or put a replica behind another switch"
            }
            Kind::Host => "run replicas on distinct hosts",
            Kind::Vm => "add instances: one VM is not a highly available service",
            Kind::Component => "make the component redundant, or give the service a second one",
            Kind::Service | Kind::Cluster => continue,
        });
    }
    tips.join("; ")
}
