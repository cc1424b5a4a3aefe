//! The worst placement of floating vms for each service under one failed
//! unit (FORMAT §8), without trying placements blindly.
//!
//! Only some vms matter: those of a cluster one of whose hosts the failure
//! reaches (elsewhere every host is back at once and where a vm runs makes
//! no difference), and of those only the ones a service's return time
//! reads. For each of them the search picks a *kind* of host: one that
//! stays up (all alike), one of the hosts that are down but not DOWN in §3
//! (alike per return time, unconstrained), or one of the failed hosts,
//! alike per return time except for anti-affinity: a vm named in a list
//! takes a host already holding none of its list-mates, or the next unused
//! one. Vms that are interchangeable (same cluster, lists, inputs and
//! readers) are given non-decreasing kinds, so a quorum of identical
//! replicas costs as many tries as it has members, not 2^members. What is
//! left is exact; where it would still pass [`MAX_TRIES`] placements for
//! one service and unit (many overlapping lists), the analysis stops and
//! says so rather than guess.

use super::Setup;
use super::eval::{self, Bin, Known, NEVER};
use crate::engine::{Evaluator, NodeId, TooLarge};
use crate::model::{EntityId, Kind};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Placements tried for one service under one failure before the analysis
/// gives up.
pub const MAX_TRIES: usize = 200_000;

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
    /// Clusters every host of which is DOWN and whose anti-affinity lists
    /// cannot all be honoured on them: no placement is allowed, so every
    /// placement is considered (the scheduler has to break a rule).
    relaxed: HashSet<EntityId>,
    /// Clusters every host of which is DOWN, whose lists can be honoured:
    /// a placement of some vms is allowed only if the others still fit.
    tight: HashSet<EntityId>,
}

impl<'s> Scenario<'s> {
    pub fn new(s: &'s Setup<'s>, unit: Option<EntityId>, ev: Option<&mut Evaluator>) -> Self {
        let c = &s.circuit;
        let mut seeds: Vec<NodeId> = s.baseline.clone();
        seeds.extend(unit);
        let mut in_region: HashSet<NodeId> = HashSet::default();
        let mut stack = Vec::new();
        for x in seeds {
            if in_region.insert(x) {
                stack.push(x);
            }
        }
        while let Some(x) = stack.pop() {
            let standby = !c.is_gate(x) && s.always_down(x) && s.model.get(x).kind() == Kind::Host;
            for &r in c.readers(x) {
                if s.is_cluster_gate(r) {
                    // Through the cluster to its floating vms (a standby
                    // host runs none).
                    if standby {
                        continue;
                    }
                    for &v in c.readers(r) {
                        if in_region.insert(v) {
                            stack.push(v);
                        }
                    }
                } else if in_region.insert(r) {
                    stack.push(r);
                }
            }
        }
        let mut region: Vec<NodeId> = in_region.iter().copied().collect();
        region.sort_unstable_by_key(|&x| s.rank[x as usize]);
        let mut down_hosts = HashSet::default();
        if let (Some(u), Some(ev)) = (unit, ev) {
            for &x in ev.fail(&[u]) {
                if !c.is_gate(x) && s.model.get(x).kind() == Kind::Host {
                    down_hosts.insert(x);
                }
            }
            ev.reset();
        }
        for x in s.model.of_kind(Kind::Host).filter(|&h| !s.up[h as usize]) {
            if in_region.contains(&x) {
                down_hosts.insert(x);
            }
        }
        let choosable: HashSet<NodeId> = region
            .iter()
            .copied()
            .filter(|&x| {
                unit != Some(x)
                    && !s.always_down(x)
                    && s.floating_cluster(x)
                        .is_some_and(|cl| s.hosts_of(cl).iter().any(|h| in_region.contains(h)))
            })
            .collect();
        // Everything downstream of those vms waits for the placement.
        let mut dep: HashSet<NodeId> = choosable.clone();
        let mut stack: Vec<NodeId> = choosable.iter().copied().collect();
        while let Some(x) = stack.pop() {
            for &r in c.readers(x) {
                let next: Vec<NodeId> = if s.is_cluster_gate(r) {
                    c.readers(r).to_vec()
                } else {
                    vec![r]
                };
                for y in next {
                    if in_region.contains(&y) && dep.insert(y) {
                        stack.push(y);
                    }
                }
            }
        }
        let fixed_set: Vec<NodeId> = region
            .iter()
            .copied()
            .filter(|x| !dep.contains(x))
            .collect();
        let empty = HashMap::default();
        let fixed = eval::evaluate(
            s,
            &Known {
                unit,
                fixed: &empty,
            },
            &fixed_set,
            &|_| Bin::Safe,
        );
        let mut relaxed = HashSet::default();
        let mut tight = HashSet::default();
        for &v in &choosable {
            let cl = s.floating_cluster(v).expect("choosable vms float");
            if relaxed.contains(&cl) || tight.contains(&cl) {
                continue;
            }
            let hosts = s.hosts_of(cl);
            if hosts.iter().all(|h| down_hosts.contains(h)) {
                if colourable(s, cl, hosts, &[]) {
                    tight.insert(cl);
                } else {
                    relaxed.insert(cl);
                }
            }
        }
        Scenario {
            tight,
            relaxed,
            s,
            unit,
            region,
            in_region,
            choosable,
            dep,
            fixed,
            down_hosts,
        }
    }

    /// The worst return time of `svc` over every allowed placement, with
    /// that placement (for the floating vms it reads).
    pub fn worst(&self, svc: EntityId) -> Result<(u64, Vec<(EntityId, Bin)>), TooLarge> {
        if !self.dep.contains(&svc) {
            return Ok((self.fixed.get(&svc).copied().unwrap_or(0), Vec::new()));
        }
        let s = self.s;
        let c = &s.circuit;
        // The part of the service's cone that waits for the placement.
        let mut cone: HashSet<NodeId> = HashSet::default();
        let mut stack = vec![svc];
        cone.insert(svc);
        while let Some(x) = stack.pop() {
            let mut inputs: Vec<NodeId> = c.inputs(x).to_vec();
            if let Some(cl) = s.floating_cluster(x) {
                inputs.extend_from_slice(s.hosts_of(cl));
            }
            for m in inputs {
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
        let known = Known {
            unit: self.unit,
            fixed: &self.fixed,
        };
        let mut search = Search {
            vars: &vars,
            choice: vec![Bin::Safe; vars.len()],
            kind_of: vec![0; vars.len()],
            occupied: HashMap::default(),
            tries: 0,
            best: (0, Vec::new()),
            first: true,
        };
        let eval_leaf = |choice: &[Bin]| -> Option<u64> {
            for &cl in &self.tight {
                let fixed: Vec<(EntityId, EntityId)> = vars
                    .iter()
                    .zip(choice)
                    .filter(|(v, _)| v.cluster == cl)
                    .filter_map(|(v, b)| match b {
                        Bin::Host(h) => Some((v.vm, *h)),
                        Bin::Safe => None,
                    })
                    .collect();
                if !fixed.is_empty() && !colourable(s, cl, s.hosts_of(cl), &fixed) {
                    return None;
                }
            }
            let at: HashMap<EntityId, Bin> =
                vars.iter().zip(choice).map(|(v, b)| (v.vm, *b)).collect();
            let r = eval::evaluate(s, &known, &set, &|x| {
                at.get(&x).copied().unwrap_or(Bin::Safe)
            });
            Some(r.get(&svc).copied().unwrap_or(0))
        };
        if search.go(0, &eval_leaf) {
            return Err(TooLarge {
                order: 0,
                cuts: MAX_TRIES,
                detail: Some(format!(
                    "the worst placement of the floating vms of service `{}` when `{}` fails has more than {MAX_TRIES} placements to try (many floating vms that differ from each other, or anti_affinity lists that overlap)",
                    s.model.name(svc),
                    self.unit.map_or("nothing", |u| s.model.name(u)),
                )),
            });
        }
        Ok(search.best)
    }

    /// One vm's options under this failure.
    fn var(&self, vm: EntityId) -> Var {
        let s = self.s;
        let m = s.model;
        let cl = m.get(vm).cluster.expect("a floating vm has a cluster");
        let mut safe = false;
        let mut free: Vec<(u64, EntityId)> = Vec::new();
        let mut held: Vec<(u64, Vec<EntityId>)> = Vec::new();
        for &h in s.hosts_of(cl) {
            let unknown = self.dep.contains(&h);
            let r = if unknown {
                // A host whose own return waits for the placement: a
                // class of its own.
                NEVER - 1 - h as u64
            } else if self.in_region.contains(&h) {
                self.fixed.get(&h).copied().unwrap_or(0)
            } else {
                0
            };
            if !self.down_hosts.contains(&h) {
                if r == 0 && !unknown {
                    safe = true;
                } else if !free.iter().any(|(v, _)| *v == r) {
                    free.push((r, h));
                }
            } else {
                match held.iter_mut().find(|(v, _)| *v == r) {
                    Some((_, hs)) => hs.push(h),
                    None => held.push((r, vec![h])),
                }
            }
        }
        if safe {
            // A failed host that is back at once is no worse than a host
            // that stays up, and it is bound by anti-affinity.
            held.retain(|(r, _)| *r != 0);
        }
        free.sort_unstable();
        held.sort_unstable();
        let lists: Vec<usize> = if self.relaxed.contains(&cl) {
            Vec::new()
        } else {
            m.get(cl)
                .anti_affinity
                .iter()
                .enumerate()
                .filter(|(_, l)| l.contains(&vm))
                .map(|(i, _)| i)
                .collect()
        };
        let c = &s.circuit;
        let mut inputs: Vec<NodeId> = eval::terms(s, vm).collect();
        inputs.sort_unstable();
        let mut readers: Vec<NodeId> = c.readers(vm).to_vec();
        readers.sort_unstable();
        Var {
            vm,
            cluster: cl,
            lists: lists.iter().map(|&i| (cl, i)).collect(),
            safe,
            free,
            held,
            signature: (
                cl,
                lists,
                inputs,
                readers,
                s.start[vm as usize],
                s.repair[vm as usize],
            ),
        }
    }
}

/// Can the floating vms of `cluster` named in its anti-affinity lists sit
/// on its `hosts` with no two list-mates together, the vms of `fixed`
/// being where it says? A small colouring, tried depth-first with a
/// budget (past it the answer is yes).
fn colourable(
    s: &Setup,
    cluster: EntityId,
    hosts: &[EntityId],
    fixed: &[(EntityId, EntityId)],
) -> bool {
    let lists = &s.model.get(cluster).anti_affinity;
    if fixed.is_empty() && lists.iter().any(|l| l.len() > hosts.len()) {
        return false;
    }
    let mut vms: Vec<EntityId> = lists
        .iter()
        .flatten()
        .copied()
        .filter(|&v| s.model.is_floating_vm(v) && !fixed.iter().any(|(f, _)| *f == v))
        .collect();
    vms.sort_unstable();
    vms.dedup();
    let conflict =
        |a: EntityId, b: EntityId| lists.iter().any(|l| l.contains(&a) && l.contains(&b));
    for (i, &(a, ha)) in fixed.iter().enumerate() {
        if fixed[i + 1..]
            .iter()
            .any(|&(b, hb)| ha == hb && conflict(a, b))
        {
            return false;
        }
    }
    struct Ctx<'c> {
        vms: &'c [EntityId],
        hosts: &'c [EntityId],
        fixed: &'c [(EntityId, EntityId)],
        conflict: &'c dyn Fn(EntityId, EntityId) -> bool,
        at: Vec<usize>,
        budget: usize,
    }
    fn go(c: &mut Ctx, i: usize) -> bool {
        if i == c.vms.len() || c.budget == 0 {
            return true;
        }
        c.budget -= 1;
        for h in 0..c.hosts.len() {
            let v = c.vms[i];
            let clash = (0..i).any(|j| c.at[j] == h && (c.conflict)(v, c.vms[j]))
                || c.fixed
                    .iter()
                    .any(|&(f, fh)| fh == c.hosts[h] && (c.conflict)(v, f));
            if clash {
                continue;
            }
            c.at[i] = h;
            if go(c, i + 1) {
                return true;
            }
        }
        false
    }
    let mut c = Ctx {
        vms: &vms,
        hosts,
        fixed,
        conflict: &conflict,
        at: vec![usize::MAX; vms.len()],
        budget: 100_000,
    };
    go(&mut c, 0)
}

type Signature = (EntityId, Vec<usize>, Vec<NodeId>, Vec<NodeId>, u64, u64);

struct Var {
    vm: EntityId,
    cluster: EntityId,
    lists: Vec<(EntityId, usize)>,
    /// A host that stays up (return 0) exists.
    safe: bool,
    /// Down but not DOWN in §3: no anti-affinity, one per return time.
    free: Vec<(u64, EntityId)>,
    /// Failed hosts (DOWN in §3) by return time.
    held: Vec<(u64, Vec<EntityId>)>,
    signature: Signature,
}

struct Search<'v> {
    vars: &'v [Var],
    choice: Vec<Bin>,
    /// Kind of host chosen per var (for interchangeable vars).
    kind_of: Vec<usize>,
    /// Vars on each failed host that carry anti-affinity lists.
    occupied: HashMap<EntityId, Vec<usize>>,
    tries: usize,
    best: (u64, Vec<(EntityId, Bin)>),
    first: bool,
}

impl Search<'_> {
    /// Depth-first over the vars; true when it gave up.
    fn go(&mut self, i: usize, leaf: &dyn Fn(&[Bin]) -> Option<u64>) -> bool {
        if self.best.0 == NEVER && !self.first {
            return false;
        }
        if i == self.vars.len() {
            self.tries += 1;
            if self.tries > MAX_TRIES {
                return true;
            }
            let Some(v) = leaf(&self.choice) else {
                return false;
            };
            if self.first || v > self.best.0 {
                self.first = false;
                self.best = (
                    v,
                    self.vars
                        .iter()
                        .zip(&self.choice)
                        .map(|(x, b)| (x.vm, *b))
                        .collect(),
                );
            }
            return false;
        }
        let var = &self.vars[i];
        let floor = if i > 0 && self.vars[i - 1].signature == var.signature {
            self.kind_of[i - 1]
        } else {
            0
        };
        let mut options: Vec<(usize, Bin)> = Vec::new();
        if var.safe {
            options.push((0, Bin::Safe));
        }
        for (k, (_, h)) in var.free.iter().enumerate() {
            options.push((1 + k, Bin::Host(*h)));
        }
        let conflicts = |j: usize| {
            let other = &self.vars[j];
            other.cluster == var.cluster && other.lists.iter().any(|l| var.lists.contains(l))
        };
        let bound = !var.lists.is_empty();
        for (k, (_, hosts)) in var.held.iter().enumerate() {
            let kind = 1 + var.free.len() + k;
            if !bound {
                options.push((kind, Bin::Host(hosts[0])));
                continue;
            }
            let mut fresh = None;
            for &h in hosts {
                match self.occupied.get(&h) {
                    Some(on) if !on.is_empty() => {
                        if !on.iter().any(|&j| conflicts(j)) {
                            options.push((kind, Bin::Host(h)));
                        }
                    }
                    _ => {
                        if fresh.is_none() {
                            fresh = Some(h);
                        }
                    }
                }
            }
            if let Some(h) = fresh {
                options.push((kind, Bin::Host(h)));
            }
        }
        for (kind, bin) in options {
            if kind < floor {
                continue;
            }
            self.choice[i] = bin;
            self.kind_of[i] = kind;
            let track = bound
                && matches!(bin, Bin::Host(h) if var.held.iter().any(|(_, hs)| hs.contains(&h)));
            if let (true, Bin::Host(h)) = (track, bin) {
                self.occupied.entry(h).or_default().push(i);
            }
            let stop = self.go(i + 1, leaf);
            if let (true, Bin::Host(h)) = (track, bin) {
                self.occupied.get_mut(&h).map(|v| v.pop());
            }
            if stop {
                return true;
            }
        }
        false
    }
}

/// The RTO under `unit` (or nothing) of every service the failure reaches
/// that is UP with nothing failed.
pub fn unit_rto(
    s: &Setup,
    unit: Option<EntityId>,
    ev: Option<&mut Evaluator>,
) -> Result<Vec<(EntityId, u64)>, TooLarge> {
    let sc = Scenario::new(s, unit, ev);
    let mut out = Vec::new();
    for &x in &sc.region {
        if s.circuit.is_gate(x) || !s.is_service(x) || !s.up[x as usize] {
            continue;
        }
        out.push((x, sc.worst(x)?.0));
    }
    Ok(out)
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
    let sc = Scenario::new(s, Some(unit), Some(&mut ev));
    let (seconds, placement) = sc.worst(svc)?;
    let at: HashMap<EntityId, Bin> = placement.iter().copied().collect();
    let empty = HashMap::default();
    let r = eval::evaluate(
        s,
        &Known {
            unit: Some(unit),
            fixed: &empty,
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
                inputs.extend_from_slice(s.hosts_of(cl));
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
