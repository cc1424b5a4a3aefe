//! Floating vms of one service that the scheduler may stack on one host.
//! Restart-based HA happily places both replicas of a service on the same
//! host after a failover or a rebalancing; only an anti-affinity rule keeps
//! them apart. Each pair of the service's floating vms in a cluster must be
//! named together in one `anti_affinity` list of that cluster.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::model::EntityId;
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::select::Selector;
use std::collections::{BTreeMap, HashMap};

/// The registry's entry (see `templates/mod.rs`).
pub const COLOCATION: Registered = Registered {
    name: "colocation",
    params: "select?",
    doc: "Services with two floating vms of one cluster that no anti_affinity list keeps apart.",
    build: |p| Ok(Box::new(Colocation::new(p)?)),
};

/// Vms written out in the suggested `anti_affinity` list; past it the help
/// says how many there are.
const MAX_NAMED: usize = 10;

pub struct Colocation {
    select: Selector,
}

impl Colocation {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        Ok(Colocation {
            select: Selector::of(p, "select")?,
        })
    }
}

impl Template for Colocation {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        // The anti_affinity lists each vm of a cluster is in (two vms are
        // kept apart when they share one), built once per cluster: rebuilding
        // it for every service of a big cluster made the rule quadratic.
        let mut lists_of: HashMap<EntityId, HashMap<EntityId, Vec<usize>>> = HashMap::new();
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
            // The first pairs, for the message, and how many there are: a
            // service of 10,000 floating vms has 50 million pairs.
            let mut pairs = Vec::new();
            let mut pair_count = 0usize;
            let mut clusters = Vec::new();
            for (c, vms) in by_cluster {
                let lists = lists_of.entry(c).or_insert_with(|| {
                    let mut lists: HashMap<EntityId, Vec<usize>> = HashMap::new();
                    for (gi, g) in m.get(c).anti_affinity.iter().enumerate() {
                        for &v in g {
                            lists.entry(v).or_default().push(gi);
                        }
                    }
                    lists
                });
                let none = Vec::new();
                let of: Vec<&Vec<usize>> =
                    vms.iter().map(|v| lists.get(v).unwrap_or(&none)).collect();
                let mut culprit = vec![false; vms.len()];
                for i in 0..vms.len() {
                    for j in i + 1..vms.len() {
                        let kept_apart = of[i].iter().any(|g| of[j].contains(g));
                        if !kept_apart {
                            culprit[i] = true;
                            culprit[j] = true;
                            pair_count += 1;
                            if pairs.len() < 4 {
                                pairs.push(format!("`{}`/`{}`", m.name(vms[i]), m.name(vms[j])));
                            }
                        }
                    }
                }
                if culprit.contains(&true) {
                    clusters.push(c);
                }
                culprits.extend(
                    vms.iter()
                        .zip(&culprit)
                        .filter(|(_, c)| **c)
                        .map(|(v, _)| *v),
                );
            }
            if pair_count == 0 {
                continue;
            }
            culprits.sort_unstable();
            culprits.dedup();
            let mut names: Vec<&str> = culprits.iter().map(|&c| m.name(c)).collect();
            names.sort_unstable();
            let cluster_names = list_names(clusters.iter().map(|&c| m.name(c)), 3);
            let shown = pairs;
            let more = if pair_count > 4 {
                format!(" and {} more pair(s)", pair_count - 4)
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
                help: Some(if names.len() <= MAX_NAMED {
                    format!(
                        "add `anti_affinity: [[{}]]` to the cluster, or pin the vms to distinct hosts",
                        names.join(", ")
                    )
                } else {
                    format!(
                        "add an `anti_affinity` list naming all {} of them ({}, ...) to the cluster, or pin the vms to distinct hosts",
                        names.len(),
                        names[..3].join(", ")
                    )
                }),
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
