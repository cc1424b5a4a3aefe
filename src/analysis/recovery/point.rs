//! Recovery point (FORMAT §8): the data a stateful service loses when one
//! unit fails. A copy (an instance or a backup) survives when it is UP
//! under that failure (§3); the freshest surviving copy bounds the loss.

use super::Setup;
use super::eval::NEVER;
use crate::engine::Evaluator;
use crate::model::{EntityId, Kind};

fn rpo_under(s: &Setup, svc: EntityId, is_down: &dyn Fn(EntityId) -> bool) -> u64 {
    let e = s.model.get(svc);
    if e.instances.iter().all(|&i| !is_down(i)) {
        return 0;
    }
    let rec = e.recovery.as_deref();
    let lag = rec.and_then(|r| r.replica_lag).unwrap_or(0);
    let interval = rec.and_then(|r| r.backup_interval).unwrap_or(86_400);
    let mut best = NEVER;
    if e.instances.iter().any(|&i| !is_down(i)) {
        best = best.min(lag);
    }
    if e.backups.iter().any(|&b| !is_down(b)) {
        best = best.min(interval);
    }
    best
}

fn stateful<'a>(s: &'a Setup<'_>) -> impl Iterator<Item = EntityId> + 'a {
    s.model
        .of_kind(Kind::Service)
        .filter(|&x| s.up[x as usize] && s.model.get(x).stateful)
}

/// RPO of every stateful service with nothing failed (what a unit that
/// reaches none of its copies leaves).
pub fn baseline(s: &Setup) -> Vec<(EntityId, u64)> {
    stateful(s)
        .map(|x| (x, rpo_under(s, x, &|c| !s.up[c as usize])))
        .filter(|&(_, v)| v > 0)
        .collect()
}

/// RPO of the stateful services one of whose copies `u` takes down.
pub fn unit_rpo(s: &Setup, u: EntityId, ev: &mut Evaluator) -> Vec<(EntityId, u64)> {
    let newly: Vec<EntityId> = ev
        .fail(&[u])
        .iter()
        .copied()
        .filter(|&x| !s.circuit.is_gate(x))
        .collect();
    let mut out = Vec::new();
    let mut touched: Vec<EntityId> = Vec::new();
    for &x in &newly {
        for &svc in s.copy_of(x) {
            touched.push(svc);
        }
    }
    touched.sort_unstable();
    touched.dedup();
    for svc in touched {
        out.push((svc, rpo_under(s, svc, &|c| ev.is_down(c))));
    }
    ev.reset();
    out
}
