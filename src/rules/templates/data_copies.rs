//! A stateful service whose copies of data (its instances and its
//! backups) all sit in one failure domain. RAID, snapshots on the same
//! array, or a backup vm on the same host are not backups: one failure
//! loses every copy at once.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::select::Selector;
use std::collections::HashMap;

/// The registry's entry (see `templates/mod.rs`).
pub const DATA_COPIES: Registered = Registered {
    name: "data-copies",
    params: "select?",
    doc: "Stateful services whose instances and backups one failure takes down together.",
    build: |p| Ok(Box::new(DataCopies::new(p)?)),
};

pub struct DataCopies {
    select: Selector,
}

impl DataCopies {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        Ok(DataCopies {
            select: Selector::of(p, "select")?,
        })
    }
}

impl Template for DataCopies {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let cuts = a.cut_sets();
        let mut hits = Vec::new();
        for s in a.services() {
            let e = m.get(s);
            if !e.stateful || !self.select.matches_in(m, e) {
                continue;
            }
            let mut copies: Vec<u32> = e.instances.iter().chain(&e.backups).copied().collect();
            copies.sort_unstable();
            copies.dedup();
            let up: Vec<u32> = copies
                .iter()
                .copied()
                .filter(|&c| !cuts.is_down(c))
                .collect();
            if up.is_empty() {
                continue;
            }
            // Units in every up copy's cut sets.
            let mut count: HashMap<u32, usize> = HashMap::new();
            for &c in &up {
                for u in cuts.killers(c) {
                    *count.entry(u).or_default() += 1;
                }
            }
            let mut culprits: Vec<u32> = count
                .into_iter()
                .filter(|&(_, k)| k == up.len())
                .map(|(u, _)| u)
                .collect();
            if culprits.is_empty() {
                continue;
            }
            m.sort_by_name(&mut culprits);
            let what = if e.backups.is_empty() {
                "it has no backups".to_owned()
            } else {
                format!(
                    "backups {} share the failure domain",
                    list_names(e.backups.iter().map(|&b| m.name(b)), 4)
                )
            };
            let names = list_names(culprits.iter().map(|&c| m.name(c)), 8);
            let which = if culprits.len() == 1 {
                names
            } else {
                format!("any one of {names}")
            };
            hits.push(Hit {
                subject: s,
                message: format!("every copy of service `{}`'s data is lost if {which} fails ({what})", e.id),
                culprits,
                help: Some("keep a copy (a replica or a backup target) in another failure domain: another host, rack, power feed or site".into()),
                culprit_label: Some("holds or carries every copy".into()),
                ..Hit::default()
            });
        }
        hits
    }
}
