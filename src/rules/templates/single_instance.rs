//! A service with exactly one instance: "the VM is the service". Whatever
//! the platform promises, one copy is down whenever that copy is: live
//! migration moves a running VM off a host that is about to be serviced,
//! and VM restart brings it back after a crash, but neither keeps the
//! service up through the failure itself.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::select::Selector;

/// The registry's entry (see `templates/mod.rs`).
pub const SINGLE_INSTANCE: Registered = Registered {
    name: "single-instance",
    params: "select?",
    doc: "Services with exactly one instance.",
    build: |p| Ok(Box::new(SingleInstance::new(p)?)),
};

pub struct SingleInstance {
    select: Selector,
}

impl SingleInstance {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        Ok(SingleInstance {
            select: Selector::of(p, "select")?,
        })
    }
}

/// HA mechanisms that only move or restart the single copy.
pub fn is_mobility_ha(ha: &str) -> bool {
    let h = ha.to_ascii_lowercase();
    matches!(
        h.as_str(),
        "live-migration" | "vmotion" | "restart" | "vm-restart" | "ha-restart"
    )
}

impl Template for SingleInstance {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        a.services()
            .filter(|&s| m.get(s).instances.len() == 1 && self.select.matches_in(m, m.get(s)))
            .map(|s| {
                let e = m.get(s);
                let inst = m.name(e.instances[0]);
                let mut message = format!("service `{}` has a single instance, `{inst}`", e.id);
                if let Some(ha) = e.ha.as_deref().filter(|h| is_mobility_ha(h)) {
                    message.push_str(&format!(
                        ": its `ha: {ha}` moves or restarts that one copy, it does not keep the service up when the copy fails"
                    ));
                }
                Hit {
                    subject: s,
                    culprits: vec![e.instances[0]],
                    message,
                    help: Some("run at least two instances on independent hosts, racks and power".into()),
                    culprit_label: Some("the only instance".into()),
                    ..Hit::default()
                }
            })
            .collect()
    }
}
