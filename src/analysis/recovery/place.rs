//! The worst placement of floating vms for each service under one failed
//! unit (FORMAT §8), without trying placements blindly.
//!
//! Only some vms matter: those of a cluster one of whose hosts the failure
//! reaches (elsewhere every host is back at once and where a vm runs makes
//! no difference), and of those only the ones a service's return time
//! reads. [`super::search`] picks a class of hosts for each of them.
//!
//! A failure reaches a cluster's floating vms only through its hosts; what
//! it reaches without going through a cluster is its *direct* part
//! ([`Direct`]). A scenario can be limited to what some services read
//! ([`Scenario::limited`]), so that one host of a large pool does not cost
//! the whole pool's vms.

use super::Setup;
use super::eval::{self, Bin, Hosts, Known, NEVER};
use super::search::{MAX_TRIES, Search, Var, View, fits};
use crate::engine::{Evaluator, NodeId, TooLarge};
use crate::model::{EntityId, Kind};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// What a failure reaches without passing from a cluster's hosts to its
/// floating vms, and the clusters (by gate) whose hosts it reaches.
pub struct Direct {
    pub nodes: Vec<NodeId>,
    pub set: HashSet<NodeId>,
    pub gates: Vec<NodeId>,
}

impl Direct {
    pub fn new(s: &Setup, seeds: &[NodeId]) -> Direct {
        let c = &s.circuit;
        let mut set: HashSet<NodeId> = HashSet::default();
        let mut nodes = Vec::new();
        let mut gates = Vec::new();
        for &x in seeds {
            if set.insert(x) {
                nodes.push(x);
            }
        }
        let mut i = 0;
        while i < nodes.len() {
            let x = nodes[i];
            i += 1;
            for &r in c.readers(x) {
                if s.is_cluster_gate(r) {
                    // A standby host runs no vm.
                    if !is_standby(s, x) && !gates.contains(&r) {
                        gates.push(r);
                    }
                } else if set.insert(r) {
                    nodes.push(r);
                }
            }
        }
        Direct { nodes, set, gates }
    }
}

fn is_standby(s: &Setup, x: NodeId) -> bool {
    !s.circuit.is_gate(x) && s.always_down(x) && s.model.get(x).kind() == Kind::Host
}

/// Everything one failure reaches, and the return times that do not depend
/// on where the vms run.
pub struct Scenario<'s> {
    s: &'s Setup<'s>,
    pub unit: Option<EntityId>,
    pub region: Vec<NodeId>,
    in_region: HashSet<NodeId>,
    /// Floating vms whose host matters.
    choosable: HashSet<NodeId>,
    dep: HashSet<NodeId>,
    pub fixed: HashMap<NodeId, u64>,
    /// Hosts DOWN in §3 under this failure.
    down_hosts: HashSet<EntityId>,
    views: HashMap<EntityId, View>,
    summaries: HashMap<EntityId, Option<Hosts>>,
    /// Return times of nodes left out of the region that the failure
    /// does not change (see [`Known::outside`]).
    outside: Option<&'s [u64]>,
}

/// Hosts DOWN in §3 when `unit` fails, among `region`.
fn down_hosts(
    s: &Setup,
    unit: Option<EntityId>,
    ev: Option<&mut Evaluator>,
    in_region: &HashSet<NodeId>,
) -> HashSet<EntityId> {
    let c = &s.circuit;
    let mut down = HashSet::default();
    if let (Some(u), Some(ev)) = (unit, ev) {
        for &x in ev.fail(&[u]) {
            if !c.is_gate(x) && s.model.get(x).kind() == Kind::Host {
                down.insert(x);
            }
        }
        ev.reset();
    }
    for &x in &s.hosts_down_anyway {
        if in_region.contains(&x) {
            down.insert(x);
        }
    }
    down
}

impl<'s> Scenario<'s> {
    /// Everything `unit` (or nothing) reaches.
    pub fn new(
        s: &'s Setup<'s>,
        unit: Option<EntityId>,
        ev: Option<&mut Evaluator>,
    ) -> Result<Self, TooLarge> {
        let mut seeds: Vec<NodeId> = s.baseline.clone();
        seeds.extend(unit);
        let d = Direct::new(s, &seeds);
        let (region, in_region) = Self::fan_out(s, d, None);
        let down = down_hosts(s, unit, ev, &in_region);
        Self::build(s, unit, region, in_region, HashMap::default(), down, None)
    }

    /// What `unit` does to the services `targets`: the direct part, and of
    /// the floating vms behind it only those the targets read. The
    /// clusters it reaches must not lead back to hosts
    /// ([`Setup::entangled`]). Nodes `d` leaves out that the region reads
    /// return at `outside` (0 when None).
    pub fn limited(
        s: &'s Setup<'s>,
        unit: EntityId,
        ev: &mut Evaluator,
        d: Direct,
        targets: &[EntityId],
        outside: Option<&'s [u64]>,
    ) -> Result<Self, TooLarge> {
        let c = &s.circuit;
        let mut up: HashSet<NodeId> = HashSet::default();
        let mut stack: Vec<NodeId> = Vec::new();
        // Without a cluster to go through, the direct part is all there is.
        let targets = if d.gates.is_empty() { &[] } else { targets };
        for &t in targets {
            if up.insert(t) {
                stack.push(t);
            }
        }
        while let Some(x) = stack.pop() {
            for &m in c.inputs(x) {
                if !s.is_cluster_gate(m) && up.insert(m) {
                    stack.push(m);
                }
            }
        }
        let (region, in_region) = Self::fan_out(s, d, Some(&up));
        let down = down_hosts(s, Some(unit), Some(ev), &in_region);
        Self::build(
            s,
            Some(unit),
            region,
            in_region,
            HashMap::default(),
            down,
            outside,
        )
    }

    /// What any failure does to the floating vms of the cluster of `gate`
    /// that leaves its `hosts` at the given return times (`down`: DOWN in
    /// §3) and reaches nothing else those vms' services read.
    pub fn generic(
        s: &'s Setup<'s>,
        gate: NodeId,
        hosts: &[(EntityId, u64, bool)],
    ) -> Result<Self, TooLarge> {
        let d = Direct {
            nodes: hosts.iter().map(|h| h.0).collect(),
            set: hosts.iter().map(|h| h.0).collect(),
            gates: vec![gate],
        };
        let (region, in_region) = Self::fan_out(s, d, None);
        let presets = hosts.iter().map(|&(h, r, _)| (h, r)).collect();
        let down = hosts.iter().filter(|h| h.2).map(|h| h.0).collect();
        Self::build(s, None, region, in_region, presets, down, None)
    }

    /// The direct part and what its clusters' floating vms lead to (only
    /// nodes of `limit` past a cluster, when given).
    fn fan_out(
        s: &Setup,
        d: Direct,
        limit: Option<&HashSet<NodeId>>,
    ) -> (Vec<NodeId>, HashSet<NodeId>) {
        let c = &s.circuit;
        let Direct {
            mut nodes,
            set: mut in_region,
            gates,
        } = d;
        let mut done: HashSet<NodeId> = gates.iter().copied().collect();
        let mut stack: Vec<NodeId> = Vec::new();
        let ok = |x: NodeId| limit.is_none_or(|l| l.contains(&x));
        match limit {
            // The vms the limit reads, not every vm of a large pool.
            // Whichever is shorter: the limit, or the clusters' vms.
            Some(l) if gates.iter().map(|&g| c.readers(g).len()).sum::<usize>() < l.len() => {
                for &g in &gates {
                    for &v in c.readers(g) {
                        if l.contains(&v) && s.floating_cluster(v).is_some() && in_region.insert(v)
                        {
                            stack.push(v);
                        }
                    }
                }
            }
            Some(l) => {
                for &v in l {
                    if s.floating_cluster(v).is_some()
                        && c.inputs(v).iter().any(|g| done.contains(g))
                        && in_region.insert(v)
                    {
                        stack.push(v);
                    }
                }
            }
            None => {
                for g in gates {
                    for &v in c.readers(g) {
                        if in_region.insert(v) {
                            stack.push(v);
                        }
                    }
                }
            }
        }
        while let Some(x) = stack.pop() {
            nodes.push(x);
            for &r in c.readers(x) {
                if s.is_cluster_gate(r) {
                    if is_standby(s, x) || !done.insert(r) {
                        continue;
                    }
                    for &v in c.readers(r) {
                        if ok(v) && in_region.insert(v) {
                            stack.push(v);
                        }
                    }
                } else if ok(r) && in_region.insert(r) {
                    stack.push(r);
                }
            }
        }
        nodes.sort_unstable_by_key(|&x| s.rank[x as usize]);
        (nodes, in_region)
    }

    fn build(
        s: &'s Setup<'s>,
        unit: Option<EntityId>,
        region: Vec<NodeId>,
        in_region: HashSet<NodeId>,
        presets: HashMap<NodeId, u64>,
        down_hosts: HashSet<EntityId>,
        outside: Option<&'s [u64]>,
    ) -> Result<Self, TooLarge> {
        let c = &s.circuit;
        let m = s.model;
        // Hosts the failure reaches, per cluster.
        let mut reached: HashMap<EntityId, Vec<EntityId>> = HashMap::default();
        for &x in &region {
            if !c.is_gate(x)
                && m.get(x).kind() == Kind::Host
                && !m.get(x).standby
                && let Some(cl) = m.get(x).cluster
            {
                reached.entry(cl).or_default().push(x);
            }
        }
        let choosable: HashSet<NodeId> = region
            .iter()
            .copied()
            .filter(|&x| {
                unit != Some(x)
                    && !s.always_down(x)
                    && s.floating_cluster(x)
                        .is_some_and(|cl| reached.contains_key(&cl))
            })
            .collect();
        // Everything downstream of those vms waits for the placement.
        let mut dep: HashSet<NodeId> = choosable.clone();
        let mut stack: Vec<NodeId> = choosable.iter().copied().collect();
        while let Some(x) = stack.pop() {
            for &r in c.readers(x) {
                let next: &[NodeId] = if s.is_cluster_gate(r) {
                    c.readers(r)
                } else {
                    std::slice::from_ref(&r)
                };
                for &y in next {
                    if in_region.contains(&y) && dep.insert(y) {
                        stack.push(y);
                    }
                }
            }
        }
        let fixed_set: Vec<NodeId> = region
            .iter()
            .copied()
            .filter(|x| !dep.contains(x) && !presets.contains_key(x))
            .collect();
        let mut fixed = eval::evaluate(
            s,
            &Known {
                unit,
                fixed: &presets,
                outside,
                hosts: None,
            },
            &fixed_set,
            &|_| Bin::Safe,
        );
        fixed.extend(presets);
        let ret = |h: EntityId| (!dep.contains(&h)).then(|| fixed.get(&h).copied().unwrap_or(0));
        let down = |h: EntityId| down_hosts.contains(&h);
        let mut summaries = HashMap::default();
        for (&cl, hosts) in &reached {
            let untouched = s.hosts_of(cl).len() > hosts.len();
            let mut sum = Some(Hosts {
                all_down: !untouched,
                first_back: if untouched { 0 } else { NEVER },
            });
            for &h in hosts {
                match (ret(h), &mut sum) {
                    (Some(r), Some(x)) => {
                        x.all_down &= r > 0;
                        x.first_back = x.first_back.min(r);
                    }
                    _ => sum = None,
                }
            }
            summaries.insert(cl, sum);
        }
        let mut views = HashMap::default();
        for &v in &choosable {
            let cl = s.floating_cluster(v).expect("choosable vms float");
            if let std::collections::hash_map::Entry::Vacant(e) = views.entry(cl) {
                e.insert(View::new(s, cl, &reached[&cl], &ret, &down)?);
            }
        }
        Ok(Scenario {
            s,
            unit,
            region,
            in_region,
            choosable,
            dep,
            fixed,
            down_hosts,
            views,
            summaries,
            outside,
        })
    }

    fn known(&self) -> Known<'_> {
        Known {
            unit: self.unit,
            fixed: &self.fixed,
            outside: self.outside,
            hosts: Some(&self.summaries),
        }
    }

    /// The worst return time of `svc` over every allowed placement, with
    /// that placement (for the floating vms it reads).
    pub fn worst(&self, svc: EntityId) -> Result<(u64, Vec<(EntityId, Bin)>), TooLarge> {
        if !self.dep.contains(&svc) {
            return Ok((self.known().get(svc), Vec::new()));
        }
        let s = self.s;
        let c = &s.circuit;
        // The part of the service's cone that waits for the placement.
        let mut cone: HashSet<NodeId> = HashSet::default();
        let mut stack = vec![svc];
        cone.insert(svc);
        while let Some(x) = stack.pop() {
            let unsettled: &[EntityId] = match s.floating_cluster(x) {
                Some(cl) => self.views.get(&cl).map_or(&[], |v| &v.unsettled),
                None => &[],
            };
            for &m in c.inputs(x).iter().chain(unsettled) {
                if !s.is_cluster_gate(m) && self.dep.contains(&m) && cone.insert(m) {
                    stack.push(m);
                }
            }
        }
        let mut set: Vec<NodeId> = cone.iter().copied().collect();
        set.sort_unstable_by_key(|&x| s.rank[x as usize]);
        let mut vars: Vec<Var> = set
            .iter()
            .copied()
            .filter(|x| self.choosable.contains(x))
            .map(|v| self.var(v))
            .collect();
        vars.sort_by(|a, b| a.signature.cmp(&b.signature).then(a.vm.cmp(&b.vm)));
        let known = self.known();
        // The var of each vm, for the placement a leaf reads.
        let var_of: HashMap<EntityId, usize> =
            vars.iter().enumerate().map(|(i, v)| (v.vm, i)).collect();
        let at_svc = set.iter().position(|&x| x == svc).unwrap_or(0);
        // Clusters whose every host is DOWN and whose lists overlap: the
        // other vms must still fit around the ones placed.
        let mut check: Vec<EntityId> = vars
            .iter()
            .map(|v| v.cluster)
            .filter(|cl| {
                let w = &self.views[cl];
                w.tight && !w.relaxed && !w.disjoint && w.classes.len() > 1
            })
            .collect();
        check.sort_unstable();
        check.dedup();
        let eval_leaf = |choice: &[Bin]| -> Result<Option<u64>, TooLarge> {
            for &cl in &check {
                let fixed: Vec<(EntityId, EntityId)> = vars
                    .iter()
                    .zip(choice)
                    .filter(|(v, _)| v.cluster == cl && !v.lists.is_empty())
                    .filter_map(|(v, b)| match b {
                        Bin::Host(h) => Some((v.vm, *h)),
                        Bin::Safe => None,
                    })
                    .collect();
                if !fixed.is_empty() && !fits(s, cl, s.hosts_of(cl), &fixed, false)? {
                    return Ok(None);
                }
            }
            let place = |x: EntityId| var_of.get(&x).map_or(Bin::Safe, |&i| choice[i]);
            Ok(Some(eval::evaluate_one(s, &known, &set, &place, at_svc)))
        };
        // A switch-over is the one rule whose outcome can fall when more
        // goes down (one instance lost: the switch-over; all of them: the
        // restart, maybe sooner).
        let monotone = !set
            .iter()
            .any(|&x| !c.is_gate(x) && s.is_service(x) && s.failover[x as usize] > 0);
        let mut search = Search::new(&vars, &self.views, monotone);
        let stop = search.go(0, &eval_leaf)?;
        if stop {
            return Err(TooLarge {
                order: 0,
                cuts: MAX_TRIES,
                detail: Some(format!(
                    "the worst placement of the floating vms of service `{}` when {} has more than {MAX_TRIES} placements to try (anti_affinity lists that overlap, or many floating vms that differ from each other)",
                    s.model.name(svc),
                    self.unit
                        .map_or("hosts of their cluster fail".to_owned(), |u| format!(
                            "`{}` fails",
                            s.model.name(u)
                        )),
                )),
            });
        }
        Ok(search.best)
    }

    /// One vm whose host matters.
    fn var(&self, vm: EntityId) -> Var<'s> {
        let s = self.s;
        let cl = s
            .model
            .get(vm)
            .cluster
            .expect("a floating vm has a cluster");
        let lists: &'s [usize] = if self.views[&cl].relaxed {
            &[]
        } else {
            s.lists_of.get(&vm).map_or(&[], Vec::as_slice)
        };
        Var {
            vm,
            cluster: cl,
            signature: (cl, lists, s.vm_key[vm as usize]),
            lists,
        }
    }

    /// Services UP with nothing failed that this failure reaches.
    pub fn services(&self) -> impl Iterator<Item = EntityId> + '_ {
        let s = self.s;
        self.region
            .iter()
            .copied()
            .filter(move |&x| !s.circuit.is_gate(x) && s.is_service(x) && s.up[x as usize])
    }

    /// Hosts this failure leaves DOWN in §3.
    pub fn is_down_host(&self, h: EntityId) -> bool {
        self.down_hosts.contains(&h)
    }

    pub fn reaches(&self, x: NodeId) -> bool {
        self.in_region.contains(&x)
    }
}

/// The RTO under `unit` (or nothing) of every service the failure reaches
/// that is UP with nothing failed.
pub fn unit_rto(
    s: &Setup,
    unit: Option<EntityId>,
    ev: Option<&mut Evaluator>,
) -> Result<Vec<(EntityId, u64)>, TooLarge> {
    let sc = Scenario::new(s, unit, ev)?;
    let mut out = Vec::new();
    for x in sc.services() {
        out.push((x, sc.worst(x)?.0));
    }
    Ok(out)
}

/// The scenario for one service: limited to what it reads where the
/// failure's clusters allow it.
fn for_service<'s>(
    s: &'s Setup<'s>,
    unit: EntityId,
    svc: EntityId,
    ev: &mut Evaluator,
) -> Result<Scenario<'s>, TooLarge> {
    let mut seeds: Vec<NodeId> = s.baseline.clone();
    seeds.push(unit);
    let d = Direct::new(s, &seeds);
    if d.gates.iter().all(|&g| !s.entangled(g)) {
        Scenario::limited(s, unit, ev, d, &[svc], None)
    } else {
        Scenario::new(s, Some(unit), Some(ev))
    }
}

/// The worst case of one service under one unit, step by step.
pub struct Story {
    pub seconds: u64,
    /// Where the vms that matter run in the worst case.
    pub placement: Vec<(EntityId, Bin)>,
    /// Entities of the service's cone that go down, with their return
    /// times, in the order they come back (the service last among equals).
    pub steps: Vec<(EntityId, u64)>,
}

/// How `svc` is hurt when `unit` fails, in its worst placement.
pub fn story(s: &Setup, unit: EntityId, svc: EntityId) -> Result<Story, TooLarge> {
    let mut ev = Evaluator::new(&s.circuit, &[]);
    let sc = for_service(s, unit, svc, &mut ev)?;
    let (seconds, placement) = sc.worst(svc)?;
    let at: HashMap<EntityId, Bin> = placement.iter().copied().collect();
    let empty = HashMap::default();
    let r = eval::evaluate(
        s,
        &Known {
            unit: Some(unit),
            fixed: &empty,
            outside: None,
            hosts: None,
        },
        &sc.region,
        &|x| at.get(&x).copied().unwrap_or(Bin::Safe),
    );
    // The entities of the service's cone that were down.
    let c = &s.circuit;
    let mut seen: HashSet<NodeId> = HashSet::default();
    let mut stack = vec![svc];
    seen.insert(svc);
    let mut steps = Vec::new();
    while let Some(x) = stack.pop() {
        let rx = r.get(&x).copied().unwrap_or(0);
        if rx == 0 && !c.is_gate(x) {
            continue;
        }
        if !c.is_gate(x) && rx > 0 {
            steps.push((x, rx));
        }
        let mut inputs: Vec<NodeId> = c.inputs(x).to_vec();
        if let Some(cl) = s.floating_cluster(x)
            && let Some(Bin::Host(p)) = at.get(&x)
        {
            if s.restart[cl as usize].is_none() {
                inputs.push(*p);
            } else {
                inputs.extend(s.hosts_of(cl).iter().filter(|&&h| sc.reaches(h)));
            }
        }
        for m in inputs {
            if !s.is_cluster_gate(m) && seen.insert(m) {
                stack.push(m);
            }
        }
    }
    let m = s.model;
    steps.sort_by(|a, b| {
        a.1.cmp(&b.1)
            .then((a.0 == svc).cmp(&(b.0 == svc)))
            .then(m.name(a.0).cmp(m.name(b.0)))
    });
    Ok(Story {
        seconds,
        placement,
        steps,
    })
}
