//! A service that is DOWN with nothing failed: it needs more healthy
//! instances than it has, or everything it stands on is itself never up.
//! Such a service has no single points of failure to speak of: it is
//! already out.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::select::Selector;

/// The registry's entry (see `templates/mod.rs`).
pub const NEVER_HEALTHY: Registered = Registered {
    name: "never-healthy",
    params: "select?",
    doc: "Services that are down with nothing failed.",
    build: |p| Ok(Box::new(NeverHealthy::new(p)?)),
};

pub struct NeverHealthy {
    select: Selector,
}

impl NeverHealthy {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        Ok(NeverHealthy {
            select: Selector::of(p, "select")?,
        })
    }
}

impl Template for NeverHealthy {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        for s in a.services() {
            let e = m.get(s);
            if a.is_up(s) || !self.select.matches_in(m, e) {
                continue;
            }
            let n = e.instances.len();
            let k = e.min_healthy as usize;
            let mut culprits: Vec<u32> = Vec::new();
            // Where the count is stated, when it is the count that is wrong.
            let mut notes = Vec::new();
            let why = if k > n {
                notes.extend(
                    e.field_span("min_healthy")
                        .map(|sp| (sp, format!("needs {k}, but {n} instance(s) are listed"))),
                );
                format!("it needs {k} healthy instance(s) but has {n}")
            } else {
                let deps: Vec<u32> = e
                    .depends_on
                    .iter()
                    .chain(&e.requires)
                    .copied()
                    .filter(|&d| !a.is_up(d))
                    .collect();
                if !deps.is_empty() {
                    culprits = deps.clone();
                    format!(
                        "it depends on {}, never up",
                        list_names(deps.iter().map(|&d| m.name(d)), 5)
                    )
                } else {
                    let down: Vec<u32> = e
                        .instances
                        .iter()
                        .copied()
                        .filter(|&i| !a.is_up(i))
                        .collect();
                    let up = n - down.len();
                    culprits = down.clone();
                    notes.extend(
                        e.field_span("min_healthy")
                            .map(|sp| (sp, format!("needs {k}, but only {up} can be up"))),
                    );
                    format!(
                        "only {up} of its {n} instances can be up (it needs {k}); never up: {}",
                        list_names(down.iter().map(|&d| m.name(d)), 5)
                    )
                }
            };
            hits.push(Hit {
                subject: s,
                culprits,
                message: format!("service `{}` is down even with nothing failed: {why}", e.id),
                help: Some("add instances, lower `min_healthy`, or fix what keeps them down (a standby host, an empty cluster)".into()),
                culprit_label: Some("never up".into()),
                notes,
            });
        }
        hits
    }
}
