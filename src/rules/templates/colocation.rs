//! Floating vms of one service that the scheduler may stack on one host.
//! Restart-based HA happily places both replicas of a service on the same
//! host after a failover or a rebalancing; only an anti-affinity rule keeps
//! them apart. Each pair of the service's floating vms in a cluster must be
//! named together in one `anti_affinity` list of that cluster.

use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::diag::InputError;
use crate::finding::Hit;
use crate::model::EntityId;
use crate::rules::params::Params;
use crate::rules::select::Selector;
use std::collections::BTreeMap;

pub struct Colocation {
    select: Selector,
}

impl Colocation {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        Ok(Colocation {
            select: p.selector("select")?,
        })
    }
}

impl Template for Colocation {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        for s in a.services() {
            let e = m.get(s);
            if !self.select.matches_in(m, e) {
                continue;
            }
            // Floating instances per cluster.
            let mut by_cluster: BTreeMap<EntityId, Vec<EntityId>> = BTreeMap::new();
            for &i in &e.instances {
                if m.is_floating_vm(i) {
                    let c = m.get(i).cluster.expect("floating vm has a cluster");
                    by_cluster.entry(c).or_default().push(i);
                }
            }
            let mut culprits = Vec::new();
            let mut pairs = Vec::new();
            let mut clusters = Vec::new();
            for (c, vms) in by_cluster {
                let groups = &m.get(c).anti_affinity;
                let mut any = false;
                for (i, &x) in vms.iter().enumerate() {
                    for &y in &vms[i + 1..] {
                        let kept_apart = groups.iter().any(|g| g.contains(&x) && g.contains(&y));
                        if !kept_apart {
                            culprits.extend([x, y]);
                            pairs.push(format!("`{}`/`{}`", m.name(x), m.name(y)));
                            any = true;
                        }
                    }
                }
                if any {
                    clusters.push(c);
                }
            }
            if pairs.is_empty() {
                continue;
            }
            culprits.sort_unstable();
            culprits.dedup();
            let mut names: Vec<&str> = culprits.iter().map(|&c| m.name(c)).collect();
            names.sort_unstable();
            let cluster_names = list_names(clusters.iter().map(|&c| m.name(c)), 3);
            let shown: Vec<String> = pairs.iter().take(4).cloned().collect();
            let more = if pairs.len() > 4 {
                format!(" and {} more pair(s)", pairs.len() - 4)
            } else {
                String::new()
            };
            hits.push(Hit {
                subject: s,
                culprits,
                message: format!(
                    "floating vms of service `{}` may be placed on the same host of {cluster_names}: {}{more} share no anti_affinity list",
                    e.id,
                    shown.join(", ")
                ),
                help: Some(format!(
                    "add `anti_affinity: [[{}]]` to the cluster, or pin the vms to distinct hosts",
                    names.join(", ")
                )),
                notes: clusters
                    .iter()
                    .map(|&c| (m.get(c).span, "no anti_affinity list keeps them apart".to_owned()))
                    .collect(),
                culprit_label: Some("may share a host".into()),
            });
        }
        hits
    }
}
