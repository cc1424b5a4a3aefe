//! A service whose owners name a mobility feature as its HA mechanism.
//! Live migration (vMotion) needs both hosts healthy: it is how you empty a
//! host before maintenance, not what happens when a host dies.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::rules::finding::Hit;
use crate::rules::params::Params;

/// The registry's entry (see `templates/mod.rs`).
pub const HA_CLAIM: Registered = Registered {
    name: "ha-claim",
    params: "mechanisms",
    doc: "Services whose `ha` is one of the given words (any letter case).",
    build: |p| Ok(Box::new(HaClaim::new(p)?)),
};

pub struct HaClaim {
    /// `ha` values (compared ignoring letter case) that are flagged.
    mechanisms: Vec<String>,
}

impl HaClaim {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        let mechanisms = p
            .strings("mechanisms")?
            .ok_or_else(|| p.missing("mechanisms"))?
            .into_iter()
            .map(|s| s.to_ascii_lowercase())
            .collect();
        Ok(HaClaim { mechanisms })
    }
}

impl Template for HaClaim {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        a.services()
            .filter_map(|s| {
                let e = m.get(s);
                let ha = e.ha.as_deref()?;
                if !self.mechanisms.contains(&ha.to_ascii_lowercase()) {
                    return None;
                }
                let notes = e.field_span("ha").map(|sp| (sp, "not a high-availability mechanism".to_owned()));
                Some(Hit {
                    subject: s,
                    message: format!(
                        "service `{}` relies on `{ha}` for availability, which moves a running VM between healthy hosts and does nothing when a host fails",
                        e.id
                    ),
                    help: Some("make the service survive the loss of an instance (replicas behind a load balancer, replication, a quorum), and keep migration for maintenance".into()),
                    notes: notes.into_iter().collect(),
                    ..Hit::default()
                })
            })
            .collect()
    }
}
