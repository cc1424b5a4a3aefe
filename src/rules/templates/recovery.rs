//! A service that one failure takes down for longer than its recovery
//! time target (`rto`), or that loses more data than its recovery point
//! target (`rpo`) allows, by the exact reading of FORMAT §8. Redundancy
//! that only restarts (VM HA, a cold standby) shows up here rather than
//! as a single point of failure: the service comes back, but not in time.

use super::{Registered, Template, list_names};
use crate::analysis::Analysis;
use crate::analysis::recovery::{Worst, human};
use crate::rules::finding::Hit;

/// The registry's entries (see `templates/mod.rs`).
pub const RTO: Registered = Registered {
    name: "recovery-time",
    params: "",
    doc: "Services that one failure takes down for longer than their rto target.",
    build: |_| Ok(Box::new(Objective { rpo: false })),
};

pub const RPO: Registered = Registered {
    name: "recovery-point",
    params: "",
    doc: "Stateful services that one failure makes lose more data than their rpo target.",
    build: |_| Ok(Box::new(Objective { rpo: true })),
};

pub struct Objective {
    rpo: bool,
}

impl Template for Objective {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let wanted = a.services().any(|s| {
            m.get(s).recovery.as_deref().is_some_and(|r| {
                if self.rpo {
                    r.rpo.is_some()
                } else {
                    r.rto.is_some()
                }
            })
        });
        if !wanted {
            return Vec::new();
        }
        let table = match a.recovery() {
            Ok(t) => t,
            Err(e) => {
                a.note_limit(e);
                return Vec::new();
            }
        };
        let field = if self.rpo { "rpo" } else { "rto" };
        let mut hits = Vec::new();
        for so in &table.services {
            let list: &[Worst] = if self.rpo {
                match &so.rpo {
                    Some(l) => l,
                    None => continue,
                }
            } else {
                &so.rto
            };
            let breached: Vec<&Worst> = list.iter().filter(|w| !w.over.is_empty()).collect();
            if breached.is_empty() {
                continue;
            }
            let mut culprits: Vec<u32> = breached
                .iter()
                .flat_map(|w| w.over.iter().copied())
                .collect();
            m.sort_by_name(&mut culprits);
            culprits.dedup();
            let what = breached
                .iter()
                .map(|w| {
                    let worst = if self.rpo && w.seconds == crate::analysis::recovery::eval::NEVER {
                        "loses every copy".to_owned()
                    } else if self.rpo {
                        format!("loses up to {}", human(w.seconds))
                    } else {
                        format!("is down for {}", human(w.seconds))
                    };
                    format!(
                        "{worst} when {} `{}` fails (target {})",
                        w.kind.singular(),
                        w.unit.map_or("?", |u| m.name(u)),
                        human(w.target.unwrap_or(0))
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let s = so.service;
            hits.push(Hit {
                subject: s,
                message: format!(
                    "service `{}` {what}; over its `{field}`: {}",
                    m.name(s),
                    list_names(culprits.iter().map(|&u| m.name(u)), 6)
                ),
                culprits,
                help: Some(if self.rpo {
                    "keep a copy outside the failure: a synchronous replica (replica_lag: 0) in another failure domain, or more frequent backups; `faultline recovery --fail UNIT` shows what survives".into()
                } else {
                    "add an instance that runs elsewhere already (anti-affine replicas, not a restart), shorten the restart or repair, or state a target the design can meet; `faultline recovery --fail UNIT` shows the timeline".into()
                }),
                notes: m
                    .get(s)
                    .field_span(field)
                    .map(|sp| (sp, "target stated here".to_owned()))
                    .into_iter()
                    .collect(),
                culprit_label: Some(if self.rpo {
                    "loses too much data when it fails".into()
                } else {
                    "keeps it down too long when it fails".into()
                }),
            });
        }
        hits
    }
}
