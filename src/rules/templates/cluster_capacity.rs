//! A hypervisor cluster that cannot restart its vms after losing its
//! biggest host. Restart-based HA is only as good as the spare memory left
//! when a host is gone; standby (power-managed) hosts do not count, since
//! nothing guarantees they come back in time.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
use crate::model::Kind;
use crate::rules::finding::Hit;

/// The registry's entry (see `templates/mod.rs`).
pub const CLUSTER_CAPACITY: Registered = Registered {
    name: "cluster-capacity",
    params: "",
    doc: "Clusters whose vms do not fit on their running hosts minus the largest.",
    build: |_| Ok(Box::new(ClusterCapacity)),
};

pub struct ClusterCapacity;

impl Template for ClusterCapacity {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut need = vec![0.0f64; m.len()];
        for v in m.of_kind(Kind::Vm) {
            let e = m.get(v);
            let cluster = match (e.host, e.cluster) {
                (Some(h), _) => m.get(h).cluster,
                (None, c) => c,
            };
            if let Some(c) = cluster {
                need[c as usize] += e.memory_gb.unwrap_or(0.0);
            }
        }
        let mut hits = Vec::new();
        for c in m.of_kind(Kind::Cluster) {
            let hosts: Vec<u32> = m.cluster_hosts[c as usize]
                .iter()
                .copied()
                .filter(|&h| !m.get(h).standby)
                .collect();
            if !hosts.iter().any(|&h| m.get(h).memory_gb.is_some()) {
                continue;
            }
            let mems: Vec<f64> = hosts
                .iter()
                .map(|&h| m.get(h).memory_gb.unwrap_or(0.0))
                .collect();
            let total: f64 = mems.iter().sum();
            let largest = mems.iter().copied().fold(0.0, f64::max);
            let left = total - largest;
            let needed = need[c as usize];
            if needed > left + 1e-9 * left.abs().max(1.0) {
                let name = &m.get(c).id;
                hits.push(Hit {
                    subject: c,
                    culprits: Vec::new(),
                    message: format!(
                        "cluster `{name}` cannot restart its vms after losing its largest host: they need {} GB, the other hosts have {} GB",
                        fmt_num(needed),
                        fmt_num(left)
                    ),
                    help: Some("add a host (or memory), move vms to another cluster, or take a host out of standby".into()),
                    ..Hit::default()
                });
            }
        }
        hits
    }
}

/// Numbers as people write them: 256, 1.5.
pub fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{:.2}", x)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}
