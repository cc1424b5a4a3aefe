//! The table of every unit's recovery objectives, with failures that do
//! the same thing to a cluster's floating vms worked out once.
//!
//! A failure reaches a cluster's floating vms only through the hosts it
//! takes down, and then only through where the vms run: the services it
//! reaches that way see nothing of the failure but the return times of
//! those hosts (and whether they are DOWN). Every host of a pool with the
//! same repair time leaves the pool alike, up to which host it is, so the
//! worst case of every such service is computed once per *pattern* (the
//! cluster and the return times of its hosts that went down) instead of
//! once per host. What a failure reaches directly (the vms pinned to a
//! host, what they serve) is computed for that failure alone, limited to
//! what those services read. And a failure that nothing reading it
//! follows down (one side of an A+B pair) changes no service at all: it
//! is recognised from its readers alone.

use super::eval::{self, Bin, Known};
use super::place::{Direct, Scenario};
use super::{Fold, Setup, Table, kind_index, point, targets};
use crate::engine::{Evaluator, NodeId, TooLarge};
use crate::model::{EntityId, Kind};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

/// A cluster (by gate) and the return times of its hosts a failure takes
/// down (sorted), with whether each is DOWN in §3.
type Pattern = (NodeId, Vec<(u64, bool)>);

/// A host a failure reaches: its return time, and whether DOWN in §3.
type Hit = (EntityId, u64, bool);

/// A pattern, with the hosts of the first failure that left it.
type Found = (Pattern, Vec<Hit>);

/// What the nodes down whatever fails (standby hosts, floating vms with no
/// host) reach, when that reaches no cluster's hosts: no placement, so one
/// return time each. A failure that does not reach one of these nodes
/// leaves it at that time (its inputs are not downstream of the failure),
/// so a failure's scenario reads them here instead of carrying the whole
/// baseline again: on a pooled estate, a hundred standby hosts per failure.
struct Settled {
    /// Return time by node; 0 off the baseline's reach.
    ret: Vec<u64>,
    /// Services UP with nothing failed that the baseline reaches, sorted.
    services: Vec<EntityId>,
}

impl Setup<'_> {
    fn settled(&self, base: &Scenario) -> Option<Settled> {
        let c = &self.circuit;
        let d = Direct::new(self, &self.baseline);
        if !d.gates.is_empty() {
            return None;
        }
        let mut ret = vec![0; c.len()];
        for &x in &base.region {
            ret[x as usize] = base.fixed.get(&x).copied().unwrap_or(0);
        }
        let mut services: Vec<EntityId> = d
            .nodes
            .iter()
            .copied()
            .filter(|&x| !c.is_gate(x) && self.is_service(x) && self.up[x as usize])
            .collect();
        services.sort_unstable();
        Some(Settled { ret, services })
    }
}

/// `services` at the times the baseline leaves them (`outside`; 0 when
/// None): what a failure that reaches none of them gives.
fn as_left(services: &[EntityId], outside: Option<&[u64]>) -> Vec<(EntityId, u64)> {
    services
        .iter()
        .map(|&x| (x, outside.map_or(0, |o| o[x as usize])))
        .collect()
}

struct UnitOut {
    unit: EntityId,
    fold: Fold,
    /// The patterns this failure leaves (one per cluster it reaches), and
    /// their hosts (to compute them).
    patterns: Vec<Found>,
    /// Services this failure reaches directly, or through the floating
    /// vms of more than one cluster, computed on their own (sorted by id):
    /// no pattern's answer holds for them.
    direct: Vec<EntityId>,
}

impl Setup<'_> {
    /// RTO and RPO of every service for every unit, folded per kind.
    pub fn table(&self) -> Result<Table, TooLarge> {
        let m = self.model;
        let units: Vec<EntityId> = self.units().collect();
        let base = Scenario::new(self, None, None)?;
        let mut base_rto = Vec::new();
        for x in base.services() {
            base_rto.push((x, base.worst(x)?.0));
        }
        let settled = self.settled(&base);
        drop(base);
        let base_rpo = point::baseline(self);
        let through = self.through_clusters();
        let mut outs: Vec<UnitOut> = units
            .par_iter()
            .map_init(
                || Evaluator::new(&self.circuit, &[]),
                |ev, &u| self.unit_out(u, ev, settled.as_ref(), &through),
            )
            .collect::<Result<_, _>>()?;
        // Failures by the pattern they leave.
        let mut groups: HashMap<Pattern, (Vec<Hit>, Vec<usize>)> = HashMap::default();
        for (i, o) in outs.iter().enumerate() {
            for (p, hosts) in &o.patterns {
                groups
                    .entry(p.clone())
                    .or_insert_with(|| (hosts.clone(), Vec::new()))
                    .1
                    .push(i);
            }
        }
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let generic: Vec<Vec<(EntityId, u64)>> = groups
            .par_iter()
            .map(|((gate, _), (hosts, _))| {
                let sc = Scenario::generic(self, *gate, hosts)?;
                let mut out = Vec::new();
                for x in sc.services() {
                    let v = sc.worst(x)?.0;
                    if v > 0 {
                        out.push((x, v));
                    }
                }
                Ok(out)
            })
            .collect::<Result<_, TooLarge>>()?;
        let mut f = Fold::default();
        for o in &mut outs {
            f = f.merge(std::mem::take(&mut o.fold), m);
        }
        for ((_, (_, members)), found) in groups.iter().zip(&generic) {
            // Members per kind, by name: the first one a service is not
            // reached directly by stands for the others.
            let mut by_kind: Vec<(Kind, Vec<usize>)> = Vec::new();
            for &i in members {
                let k = m.get(outs[i].unit).kind();
                match by_kind.iter_mut().find(|(kk, _)| *kk == k) {
                    Some((_, v)) => v.push(i),
                    None => by_kind.push((k, vec![i])),
                }
            }
            for (_, v) in &mut by_kind {
                v.sort_unstable_by(|&a, &b| m.name(outs[a].unit).cmp(m.name(outs[b].unit)));
            }
            for &(svc, secs) in found {
                for (kind, list) in &by_kind {
                    let target = targets(m, svc, false).and_then(|t| t.for_kind(*kind));
                    let mut eligible = list
                        .iter()
                        .filter(|&&i| outs[i].direct.binary_search(&svc).is_err());
                    let Some(&first) = eligible.next() else {
                        continue;
                    };
                    f.add(m, svc, outs[first].unit, secs, target);
                    if target.is_some_and(|t| secs > t) {
                        let ki = kind_index(*kind);
                        f.over.extend(eligible.map(|&i| (svc, ki, outs[i].unit)));
                    }
                }
            }
        }
        Ok(self.assemble(f, &units, &base_rto, &base_rpo))
    }

    fn unit_out(
        &self,
        u: EntityId,
        ev: &mut Evaluator,
        settled: Option<&Settled>,
        through: &HashMap<NodeId, Vec<EntityId>>,
    ) -> Result<UnitOut, TooLarge> {
        let m = self.model;
        if let Some(st) = settled
            && self.contained(u, st)
        {
            let rto = as_left(&st.services, Some(&st.ret));
            return Ok(self.fold_unit(u, ev, rto, Vec::new(), st.services.clone()));
        }
        let c = &self.circuit;
        let mut seeds: Vec<NodeId> = match settled {
            Some(_) => Vec::new(),
            None => self.baseline.clone(),
        };
        seeds.push(u);
        let d = Direct::new(self, &seeds);
        // Clusters whose floating vms the failure reaches through their
        // hosts (a cluster with none changes nothing); where one of them
        // leads back to hosts, the failure is worked out whole.
        let whole = d.gates.iter().any(|&g| self.entangled(g));
        let gates: Vec<NodeId> = d
            .gates
            .iter()
            .copied()
            .filter(|&g| !c.readers(g).is_empty())
            .collect();
        let gate = if whole {
            Some(NodeId::MAX)
        } else {
            gates.first().copied()
        };
        let mut rto = Vec::new();
        let mut patterns: Vec<Found> = Vec::new();
        let mut direct = Vec::new();
        if gate == Some(NodeId::MAX) {
            let sc = Scenario::new(self, Some(u), Some(ev))?;
            for x in sc.services() {
                rto.push((x, sc.worst(x)?.0));
            }
        } else {
            direct = d
                .nodes
                .iter()
                .copied()
                .filter(|&x| !c.is_gate(x) && self.is_service(x) && self.up[x as usize])
                .collect();
            // The baseline's services are part of every failure's direct
            // part; where the failure does not reach them they are as the
            // baseline left them.
            let reached_direct = !direct.is_empty();
            if let Some(st) = settled {
                direct.extend(&st.services);
            }
            if gates.len() > 1 {
                // A service behind the vms of two of these clusters sees
                // them together: no one cluster's pattern tells its story.
                let mut behind: Vec<EntityId> = gates
                    .iter()
                    .flat_map(|g| through.get(g).into_iter().flatten().copied())
                    .collect();
                behind.sort_unstable();
                direct.extend(behind.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]));
            }
            direct.sort_unstable();
            direct.dedup();
            let outside = settled.map(|st| st.ret.as_slice());
            if !reached_direct && gate.is_none() {
                // Reaches no service and no cluster.
                rto = as_left(&direct, outside);
            } else {
                let hosts: Vec<(NodeId, Option<EntityId>, Vec<EntityId>)> = gates
                    .iter()
                    .map(|&g| {
                        let cluster = m.get(c.readers(g)[0]).cluster;
                        let hosts = d
                            .nodes
                            .iter()
                            .copied()
                            .filter(|&x| {
                                !c.is_gate(x)
                                    && m.get(x).kind() == Kind::Host
                                    && !m.get(x).standby
                                    && cluster.is_some()
                                    && m.get(x).cluster == cluster
                            })
                            .collect();
                        (g, cluster, hosts)
                    })
                    .collect();
                let sc = Scenario::limited(self, u, ev, d, &direct, outside)?;
                for &x in &direct {
                    rto.push((x, sc.worst(x)?.0));
                }
                for (g, cluster, hosts) in hosts {
                    patterns.extend(self.pattern(&sc, g, cluster, hosts));
                }
            }
        }
        Ok(self.fold_unit(u, ev, rto, patterns, direct))
    }

    /// Is failing `u` contained at `u`: off the baseline's reach, and none
    /// of what reads it down at time 0 with it (§8 step 1 stops there)?
    /// Then nothing downstream changes and every service keeps its
    /// baseline time. One pdu, one feed or one uplink of an A+B estate
    /// fails this way, and working each out as a scenario of everything
    /// it reaches was most of the table's time.
    fn contained(&self, u: EntityId, st: &Settled) -> bool {
        let c = &self.circuit;
        let readers = c.readers(u);
        // Where the vms run matters past a cluster's gate or a floating
        // vm (a cluster of one host reads it directly): not here.
        let placed = |r: NodeId| self.is_cluster_gate(r) || self.floating_cluster(r).is_some();
        if st.ret[u as usize] > 0 || readers.iter().any(|&r| placed(r)) {
            return false;
        }
        let mut set: Vec<NodeId> = Vec::with_capacity(1 + readers.len());
        set.push(u);
        set.extend_from_slice(readers);
        // A service with a switch-over reads its instances past the gate
        // that counts them (an instance lost while others take over is
        // an outage of `failover`).
        for &g in readers.iter().filter(|&&r| c.is_gate(r)) {
            set.extend(c.readers(g).iter().filter(|&&x| self.is_service(x)));
        }
        set.sort_unstable_by_key(|&x| self.rank[x as usize]);
        set.dedup();
        let none = HashMap::default();
        let known = Known {
            unit: Some(u),
            fixed: &none,
            outside: Some(&st.ret),
            hosts: None,
        };
        let r = eval::evaluate(self, &known, &set, &|_| Bin::Safe);
        set.iter()
            .all(|x| *x == u || r.get(x).copied().unwrap_or(0) == 0)
    }

    /// A unit's RTOs (and its RPOs, worked out here) folded per service.
    fn fold_unit(
        &self,
        u: EntityId,
        ev: &mut Evaluator,
        rto: Vec<(EntityId, u64)>,
        patterns: Vec<Found>,
        direct: Vec<EntityId>,
    ) -> UnitOut {
        let m = self.model;
        let mut fold = Fold::default();
        let kind = m.get(u).kind();
        for (s, secs) in rto {
            let t = targets(m, s, false).and_then(|t| t.for_kind(kind));
            fold.add(m, s, u, secs, t);
        }
        let mut rpo = Fold::default();
        for (s, secs) in point::unit_rpo(self, u, ev) {
            let t = targets(m, s, true).and_then(|t| t.for_kind(kind));
            rpo.add(m, s, u, secs, t);
        }
        // RPO folds under services offset by the model size so one map
        // holds both.
        let n = m.len() as EntityId;
        for ((s, ki), v) in rpo.worst {
            fold.worst.insert((s + n, ki), v);
        }
        fold.over
            .extend(rpo.over.into_iter().map(|(s, k, u)| (s + n, k, u)));
        UnitOut {
            unit: u,
            fold,
            patterns,
            direct,
        }
    }

    /// Per cluster gate that does not lead back to hosts, the services
    /// (UP with nothing failed) behind its floating vms, sorted.
    fn through_clusters(&self) -> HashMap<NodeId, Vec<EntityId>> {
        let c = &self.circuit;
        let mut seen = vec![u32::MAX; c.len()];
        let mut out: HashMap<NodeId, Vec<EntityId>> = HashMap::default();
        let mut stack: Vec<NodeId> = Vec::new();
        for g in c.entities() as NodeId..c.len() as NodeId {
            if !self.is_cluster_gate(g) || self.entangled(g) {
                continue;
            }
            let mut services = Vec::new();
            stack.extend_from_slice(c.readers(g));
            while let Some(x) = stack.pop() {
                if seen[x as usize] == g {
                    continue;
                }
                seen[x as usize] = g;
                if !c.is_gate(x) && self.is_service(x) && self.up[x as usize] {
                    services.push(x);
                }
                stack.extend_from_slice(c.readers(x));
            }
            services.sort_unstable();
            out.insert(g, services);
        }
        out
    }

    /// The pattern a failure leaves on the cluster of `gate`: its hosts
    /// the failure reaches, with their return times and whether DOWN.
    fn pattern(
        &self,
        sc: &Scenario,
        gate: NodeId,
        cluster: Option<EntityId>,
        hosts: Vec<EntityId>,
    ) -> Option<Found> {
        let hosts: Vec<(EntityId, u64, bool)> = hosts
            .into_iter()
            .map(|h| {
                (
                    h,
                    sc.fixed.get(&h).copied().unwrap_or(0),
                    sc.is_down_host(h),
                )
            })
            .collect();
        let cl = cluster.expect("a gate with readers has a cluster");
        let hosts = self.normalise(cl, hosts);
        let restart = self.restart[cl as usize].is_some();
        let untouched = self.hosts_of(cl).len() > hosts.len();
        let mut key: Vec<(u64, bool)> = hosts
            .iter()
            .map(|h| {
                (
                    if restart && untouched {
                        h.1.min(1)
                    } else {
                        h.1
                    },
                    h.2,
                )
            })
            .collect();
        key.sort_unstable();
        // Nothing down on the cluster: its vms see nothing.
        (!hosts.is_empty()).then_some(((gate, key), hosts))
    }

    /// The hosts of `cl` a failure reaches, reduced to what its floating
    /// vms can tell apart while some host of the cluster stays untouched:
    /// a host back at once and not DOWN is as good as an untouched one,
    /// and where no vm is in two lists, a class of DOWN hosts with the
    /// same return time can hold at most as many vms of a list as the
    /// longest list has (more hosts change nothing).
    fn normalise(
        &self,
        cl: EntityId,
        mut hosts: Vec<(EntityId, u64, bool)>,
    ) -> Vec<(EntityId, u64, bool)> {
        if self.hosts_of(cl).len() == hosts.len() {
            return hosts;
        }
        hosts.retain(|h| h.1 > 0 || h.2);
        let (disjoint, longest) = self.lists[cl as usize];
        if !disjoint {
            return hosts;
        }
        let restart = self.restart[cl as usize].is_some();
        let key = |h: &(EntityId, u64, bool)| (if restart { h.1.min(1) } else { h.1 }, h.2);
        hosts.sort_unstable_by_key(|h| (key(h), h.0));
        let mut out: Vec<(EntityId, u64, bool)> = Vec::new();
        let mut run = 0;
        for h in hosts {
            if out.last().is_some_and(|l| key(l) == key(&h)) {
                run += 1;
            } else {
                run = 1;
            }
            let cap = if h.2 { longest.max(1) } else { 1 };
            if run <= cap {
                out.push(h);
            }
        }
        out
    }
}
