//! A service that one failure takes down. The core question faultline
//! exists to answer: the culprits are computed exactly from the failure
//! semantics (all-of requirements, any-of power and network, k-of-n
//! instances, floating vms, dependencies between services), never guessed
//! from naming or topology conventions.

use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::diag::InputError;
use crate::finding::Hit;
use crate::model::Kind;
use crate::rules::params::Params;
use crate::rules::select::Selector;

pub struct Spof {
    select: Selector,
    /// Only report culprits of these kinds (all when unset).
    culprit_kinds: Option<Vec<Kind>>,
}

impl Spof {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        Ok(Spof {
            select: p.selector("select")?,
            culprit_kinds: p.kinds("culprit_kinds")?,
        })
    }
}

impl Template for Spof {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        for s in a.services() {
            let e = m.get(s);
            if !self.select.matches(e) || !a.is_up(s) {
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
    let mut s = tips.join("; ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}
