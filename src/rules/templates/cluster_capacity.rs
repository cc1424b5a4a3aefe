//! A hypervisor cluster that cannot restart its vms after one failure: a
//! host, or a rack, PDU or switch that takes several hosts at once. Restart-based HA is only as good as the spare memory left
//! when a host is gone; standby (power-managed) hosts do not count, since
//! nothing guarantees they come back in time.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
pub use crate::analysis::power::fmt_num;
use crate::model::Kind;
use crate::rules::finding::Hit;
use std::collections::BTreeMap;

/// The registry's entry (see `templates/mod.rs`).
pub const CLUSTER_CAPACITY: Registered = Registered {
    name: "cluster-capacity",
    params: "",
    doc: "Clusters whose vms do not fit on the hosts left running after any one failure unit fails.",
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
        let cuts = a.cut_sets();
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
            let mem = |h: u32| m.get(h).memory_gb.unwrap_or(0.0);
            let up: Vec<u32> = hosts
                .iter()
                .copied()
                .filter(|&h| !cuts.is_down(h))
                .collect();
            let total: f64 = up.iter().map(|&h| mem(h)).sum();
            // Per unit that takes hosts down: the memory and the number of
            // hosts it takes (a host is among its own killers).
            let mut lost: BTreeMap<u32, (f64, usize)> = BTreeMap::new();
            for &h in &up {
                let mut killers = cuts.killers(h);
                killers.push(h);
                killers.sort_unstable();
                killers.dedup();
                for u in killers {
                    let l = lost.entry(u).or_insert((0.0, 0));
                    l.0 += mem(h);
                    l.1 += 1;
                }
            }
            let needed = need[c as usize];
            let over = |left: f64| needed > left + 1e-9 * left.abs().max(1.0);
            // A unit that takes every host is an outage, not a capacity
            // question, unless it is a host itself (a one-host cluster).
            let mut culprits: Vec<(f64, u32)> = lost
                .iter()
                .filter(|&(&u, &(_, n))| n < up.len() || hosts.contains(&u))
                .map(|(&u, &(l, _))| (total - l, u))
                .filter(|&(left, _)| over(left))
                .collect();
            if culprits.is_empty() && !over(total) {
                continue;
            }
            culprits.sort_by(|x, y| x.0.total_cmp(&y.0).then(m.name(x.1).cmp(m.name(y.1))));
            let name = &m.get(c).id;
            let message = match culprits.first() {
                _ if over(total) => format!(
                    "cluster `{name}` cannot run its vms even with nothing failed: they need {} GB, its running hosts have {} GB",
                    fmt_num(needed),
                    fmt_num(total)
                ),
                Some(&(left, worst)) => format!(
                    "cluster `{name}` cannot restart its vms when {} fails: they need {} GB, and losing `{}` leaves {} GB",
                    named(m, &culprits),
                    fmt_num(needed),
                    m.name(worst),
                    fmt_num(left)
                ),
                None => unreachable!("either over with nothing failed or a culprit"),
            };
            hits.push(Hit {
                subject: c,
                culprits: culprits.iter().map(|&(_, u)| u).collect(),
                message,
                help: Some("add a host (or memory), spread the hosts over more racks and power, move vms to another cluster, or take a host out of standby".into()),
                culprit_label: Some("losing it leaves too little memory".into()),
                ..Hit::default()
            });
        }
        hits
    }
}

/// "`a`", "any one of `a`, `b` and `c`", "any one of `a`, `b`, `c` and 5 more".
fn named(m: &crate::model::Model, units: &[(f64, u32)]) -> String {
    let mut names: Vec<&str> = units.iter().map(|&(_, u)| m.name(u)).collect();
    names.sort_unstable();
    let shown: Vec<String> = names.iter().take(4).map(|n| format!("`{n}`")).collect();
    match (names.len(), shown.split_last()) {
        (1, _) => shown[0].clone(),
        (n, Some((last, rest))) if n <= 4 => format!("any one of {} and {last}", rest.join(", ")),
        (n, _) => format!("any one of {} and {} more", shown.join(", "), n - 4),
    }
}
