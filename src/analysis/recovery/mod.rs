//! Recovery objectives (FORMAT §8): for how long one failure takes each
//! service down (RTO) and how much data it loses (RPO), exactly, from the
//! description alone.
//!
//! `eval` computes return times for one failed unit and one placement of
//! the floating vms; `place` finds the worst placement for each service
//! without trying every placement; `point` is the recovery point; this
//! file holds the durations and the per-kind table the commands and rules
//! read.

pub mod eval;
pub mod place;
pub mod point;
pub mod search;
mod units;

use crate::engine::{Circuit, Evaluator, GateKind, NodeId, TooLarge};
use crate::model::duration::TARGET_KINDS;
use crate::model::{EntityId, Kind, Model};
use eval::NEVER;
use fixedbitset::FixedBitSet;
use std::sync::Arc;

/// Default durations, by section, as a config may change them.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub repair: Vec<(Kind, u64)>,
    pub start: Vec<(Kind, u64)>,
    /// The restart time of a cluster with `ha: restart` that names none.
    pub restart: u64,
}

impl Default for Defaults {
    /// Repairs are the hours a replacement part or a technician takes (a
    /// day for a whole site); starts are a server's or switch's boot and a
    /// guest's boot; five minutes is vSphere HA's usual detection, power-on
    /// and boot of a restarted vm.
    fn default() -> Self {
        Defaults {
            repair: vec![
                (Kind::Site, 86_400),
                (Kind::Feed, 14_400),
                (Kind::Rack, 14_400),
                (Kind::Pdu, 14_400),
                (Kind::Switch, 14_400),
                (Kind::Host, 14_400),
                (Kind::Vm, 1_800),
                (Kind::Component, 14_400),
            ],
            start: vec![(Kind::Host, 300), (Kind::Switch, 300), (Kind::Vm, 120)],
            restart: 300,
        }
    }
}

impl Defaults {
    fn lookup(list: &[(Kind, u64)], kind: Kind) -> u64 {
        list.iter().find(|(k, _)| *k == kind).map_or(0, |(_, d)| *d)
    }

    pub fn set(list: &mut Vec<(Kind, u64)>, kind: Kind, d: u64) {
        match list.iter_mut().find(|(k, _)| *k == kind) {
            Some(slot) => slot.1 = d,
            None => list.push((kind, d)),
        }
    }
}

/// Everything the rules of §8 read, resolved once per run: durations with
/// their defaults applied, who is up with nothing failed, each cluster's
/// hosts that can run vms.
pub struct Setup<'m> {
    pub model: &'m Model,
    pub circuit: Arc<Circuit>,
    pub repair: Vec<u64>,
    pub start: Vec<u64>,
    pub failover: Vec<u64>,
    pub restart: Vec<Option<u64>>,
    /// UP with nothing failed (§3), by entity.
    pub up: Vec<bool>,
    /// Non-standby hosts of each cluster (empty for other entities).
    pub runs_on: Vec<Vec<EntityId>>,
    /// Per cluster: no floating vm is in two of its anti-affinity lists,
    /// and the most floating vms one list names.
    pub lists: Vec<(bool, usize)>,
    /// The lists (by index in its cluster) that name each floating vm.
    pub lists_of: rustc_hash::FxHashMap<EntityId, Vec<usize>>,
    always: FixedBitSet,
    cluster_gate: FixedBitSet,
    /// Position of each node in dependency order (inputs first).
    pub rank: Vec<u32>,
    /// Nodes down whatever fails: standby hosts, floating vms with no host
    /// to run on, gates that can never be met.
    pub baseline: Vec<NodeId>,
    /// Stateful services (UP with nothing failed) each entity is a copy of.
    copies: rustc_hash::FxHashMap<EntityId, Vec<EntityId>>,
    /// Hosts DOWN with nothing failed.
    pub hosts_down_anyway: Vec<EntityId>,
    /// Per floating vm, its rank among them by what makes two vms
    /// interchangeable in a search (the inputs its rule reads, its
    /// readers, its start and repair; see `search::Signature`): ranked
    /// once here rather than compared as lists in every search.
    pub vm_key: Vec<u32>,
    /// Cluster gates whose floating vms lead (through what reads them) to
    /// a host or to what reads one: a failure through them cannot be split
    /// per cluster.
    entangled: FixedBitSet,
}

impl<'m> Setup<'m> {
    pub fn new(
        model: &'m Model,
        circuit: Arc<Circuit>,
        components: &[Vec<NodeId>],
        d: &Defaults,
    ) -> Self {
        let n = model.len();
        let mut repair = vec![0; n];
        let mut start = vec![0; n];
        let mut failover = vec![0; n];
        let mut restart = vec![None; n];
        let mut runs_on = vec![Vec::new(); n];
        let mut lists = vec![(true, 0); n];
        let mut lists_of: rustc_hash::FxHashMap<EntityId, Vec<usize>> = Default::default();
        for x in model.ids() {
            let e = model.get(x);
            let k = e.kind();
            repair[x as usize] = e
                .duration("repair")
                .unwrap_or(Defaults::lookup(&d.repair, k));
            start[x as usize] = e.duration("start").unwrap_or(Defaults::lookup(&d.start, k));
            failover[x as usize] = e.duration("failover").unwrap_or(0);
            if k == Kind::Cluster {
                restart[x as usize] = e
                    .duration("restart")
                    .or_else(|| (e.ha.as_deref() == Some("restart")).then_some(d.restart));
                runs_on[x as usize] = model.cluster_hosts[x as usize]
                    .iter()
                    .copied()
                    .filter(|&h| !model.get(h).standby)
                    .collect();
                let mut seen = rustc_hash::FxHashSet::default();
                for (i, l) in e.anti_affinity.iter().enumerate() {
                    for &v in l {
                        lists_of.entry(v).or_default().push(i);
                    }
                    let floating: Vec<EntityId> = l
                        .iter()
                        .copied()
                        .filter(|&v| model.is_floating_vm(v))
                        .collect();
                    let slot = &mut lists[x as usize];
                    slot.1 = slot.1.max(floating.len());
                    for v in floating {
                        slot.0 &= seen.insert(v);
                    }
                }
            }
        }
        let down = crate::engine::down(&circuit, &[]);
        let up: Vec<bool> = (0..n).map(|x| !down[x]).collect();
        let mut always = FixedBitSet::with_capacity(circuit.len());
        let mut baseline = Vec::new();
        for x in model.ids() {
            let e = model.get(x);
            let stuck = (e.kind() == Kind::Host && e.standby)
                || (model.is_floating_vm(x)
                    && e.cluster.is_some_and(|c| runs_on[c as usize].is_empty()));
            if stuck {
                always.insert(x as usize);
                baseline.push(x);
            }
        }
        let mut cluster_gate = FixedBitSet::with_capacity(circuit.len());
        for g in circuit.entities() as NodeId..circuit.len() as NodeId {
            if circuit.input_kinds(g).first() == Some(&GateKind::ClusterHosts) {
                cluster_gate.insert(g as usize);
            } else if circuit.threshold(g) == 0 {
                baseline.push(g);
            }
        }
        let mut rank = vec![0u32; circuit.len()];
        let mut next = 0u32;
        for scc in components {
            for &x in scc {
                rank[x as usize] = next;
                next += 1;
            }
        }
        let mut copies: rustc_hash::FxHashMap<EntityId, Vec<EntityId>> = Default::default();
        for x in model.of_kind(Kind::Service) {
            let e = model.get(x);
            if e.stateful && up[x as usize] {
                for &c in e.instances.iter().chain(&e.backups) {
                    copies.entry(c).or_default().push(x);
                }
            }
        }
        let hosts_down_anyway = model
            .of_kind(Kind::Host)
            .filter(|&h| !up[h as usize])
            .collect();
        let entangled = entangled(model, &circuit, &cluster_gate);
        let vm_key = vm_keys(model, &circuit, &start, &repair);
        Setup {
            vm_key,
            lists,
            lists_of,
            hosts_down_anyway,
            entangled,
            copies,
            model,
            circuit,
            repair,
            start,
            failover,
            restart,
            up,
            runs_on,
            always,
            cluster_gate,
            rank,
            baseline,
        }
    }

    /// Does the cluster behind `gate` lead back to a host?
    pub fn entangled(&self, gate: NodeId) -> bool {
        self.entangled.contains(gate as usize)
    }

    pub fn copy_of(&self, x: EntityId) -> &[EntityId] {
        self.copies.get(&x).map_or(&[], Vec::as_slice)
    }

    pub fn always_down(&self, x: NodeId) -> bool {
        self.always.contains(x as usize)
    }

    pub fn is_cluster_gate(&self, x: NodeId) -> bool {
        self.cluster_gate.contains(x as usize)
    }

    pub fn is_service(&self, x: NodeId) -> bool {
        !self.circuit.is_gate(x) && self.model.get(x).kind() == Kind::Service
    }

    /// The cluster of a floating vm.
    pub fn floating_cluster(&self, x: NodeId) -> Option<EntityId> {
        if self.circuit.is_gate(x) || !self.model.is_floating_vm(x) {
            return None;
        }
        self.model.get(x).cluster
    }

    pub fn hosts_of(&self, cluster: EntityId) -> &[EntityId] {
        &self.runs_on[cluster as usize]
    }

    /// The units §8 analyses: every failure unit but services.
    pub fn units(&self) -> impl Iterator<Item = EntityId> + '_ {
        self.model.ids().filter(|&x| {
            let k = self.model.get(x).kind();
            k.is_unit() && k != Kind::Service
        })
    }
}

/// Ranks of the floating vms by (inputs their rule reads, readers, start,
/// repair), each list sorted: equal ranks for equal tuples, and ranks in
/// the tuples' order.
fn vm_keys(model: &Model, c: &Circuit, start: &[u64], repair: &[u64]) -> Vec<u32> {
    type Key = (Vec<NodeId>, Vec<NodeId>, u64, u64);
    let mut keyed: Vec<(Key, EntityId)> = model
        .ids()
        .filter(|&v| model.is_floating_vm(v))
        .map(|v| {
            let mut inputs: Vec<NodeId> = eval::terms(c, v).collect();
            inputs.sort_unstable();
            let mut readers = c.readers(v).to_vec();
            readers.sort_unstable();
            let key = (inputs, readers, start[v as usize], repair[v as usize]);
            (key, v)
        })
        .collect();
    keyed.sort_unstable();
    let mut out = vec![0; model.len()];
    let mut rank = 0u32;
    for i in 0..keyed.len() {
        if i > 0 && keyed[i - 1].0 != keyed[i].0 {
            rank += 1;
        }
        out[keyed[i].1 as usize] = rank;
    }
    out
}

/// Cluster gates from whose floating vms a host, or what reads a host
/// directly, can be reached.
fn entangled(model: &Model, c: &Circuit, gates: &FixedBitSet) -> FixedBitSet {
    let mut out = FixedBitSet::with_capacity(c.len());
    let mut seen = FixedBitSet::with_capacity(c.len());
    for g in gates.ones() {
        seen.clear();
        let mut stack: Vec<NodeId> = c.readers(g as NodeId).to_vec();
        'walk: while let Some(x) = stack.pop() {
            if seen.put(x as usize) {
                continue;
            }
            let host = |y: NodeId| !c.is_gate(y) && model.get(y).kind() == Kind::Host;
            // A host, or something that reads one directly (a vm pinned
            // to it): then which host went down shows through more than
            // where the vms run.
            if host(x) || c.inputs(x).iter().any(|&m| host(m)) {
                out.insert(g);
                break 'walk;
            }
            for &r in c.readers(x) {
                if gates.contains(r as usize) {
                    out.insert(g);
                    break 'walk;
                }
                stack.push(r);
            }
        }
    }
    out
}

/// One kind's worst case for one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Worst {
    pub kind: Kind,
    /// Seconds; [`NEVER`] for never.
    pub seconds: u64,
    /// The smallest id attaining it (none when it is 0).
    pub unit: Option<EntityId>,
    pub target: Option<u64>,
    /// Units of this kind above the target, sorted by id.
    pub over: Vec<EntityId>,
}

#[derive(Clone, Debug)]
pub struct ServiceObjectives {
    pub service: EntityId,
    pub rto: Vec<Worst>,
    /// Stateful services only.
    pub rpo: Option<Vec<Worst>>,
}

/// Per service (UP with nothing failed, sorted by id), per kind with at
/// least one unit.
pub struct Table {
    pub kinds: Vec<Kind>,
    pub services: Vec<ServiceObjectives>,
}

/// Worst cases per (service, kind) as units are folded in.
#[derive(Default, Clone)]
struct Fold {
    /// (service, kind index) -> (seconds, unit)
    worst: rustc_hash::FxHashMap<(EntityId, usize), (u64, EntityId)>,
    over: Vec<(EntityId, usize, EntityId)>,
}

fn kind_index(k: Kind) -> usize {
    TARGET_KINDS.iter().position(|&t| t == k).unwrap_or(0)
}

impl Fold {
    fn add(&mut self, m: &Model, s: EntityId, u: EntityId, secs: u64, target: Option<u64>) {
        let ki = kind_index(m.get(u).kind());
        if target.is_some_and(|t| secs > t) {
            self.over.push((s, ki, u));
        }
        if secs == 0 {
            return;
        }
        let slot = self.worst.entry((s, ki)).or_insert((secs, u));
        if secs > slot.0 || (secs == slot.0 && m.name(u) < m.name(slot.1)) {
            *slot = (secs, u);
        }
    }

    fn merge(mut self, other: Fold, m: &Model) -> Fold {
        for ((s, ki), (secs, u)) in other.worst {
            let slot = self.worst.entry((s, ki)).or_insert((secs, u));
            if secs > slot.0 || (secs == slot.0 && m.name(u) < m.name(slot.1)) {
                *slot = (secs, u);
            }
        }
        self.over.extend(other.over);
        self
    }
}

fn targets(m: &Model, s: EntityId, rpo: bool) -> Option<&crate::model::duration::Targets> {
    let r = m.get(s).recovery.as_deref()?;
    if rpo { r.rpo.as_ref() } else { r.rto.as_ref() }
}

impl Setup<'_> {
    fn assemble(
        &self,
        mut f: Fold,
        units: &[EntityId],
        base_rto: &[(EntityId, u64)],
        base_rpo: &[(EntityId, u64)],
    ) -> Table {
        let m = self.model;
        let n = m.len() as EntityId;
        let kinds: Vec<Kind> = TARGET_KINDS
            .iter()
            .copied()
            .filter(|&k| units.iter().any(|&u| m.get(u).kind() == k))
            .collect();
        // Units a failure does not reach leave what is down anyway: the
        // first unit of each kind stands for them where that is not 0.
        let mut first: Vec<Option<EntityId>> = vec![None; TARGET_KINDS.len()];
        for &u in units {
            let ki = kind_index(m.get(u).kind());
            if first[ki].is_none_or(|f| m.name(u) < m.name(f)) {
                first[ki] = Some(u);
            }
        }
        for &(s, secs) in base_rto.iter() {
            for u in first.iter().flatten() {
                f.add(m, s, *u, secs, None);
            }
        }
        for &(s, secs) in base_rpo.iter() {
            for u in first.iter().flatten() {
                f.add(m, s + n, *u, secs, None);
            }
        }
        f.over.sort_unstable();
        f.over.dedup();
        let mut services: Vec<EntityId> = m
            .of_kind(Kind::Service)
            .filter(|&s| self.up[s as usize])
            .collect();
        m.sort_by_name(&mut services);
        let per_kind = |s: EntityId, key: EntityId, rpo: bool| -> Vec<Worst> {
            kinds
                .iter()
                .map(|&k| {
                    let ki = kind_index(k);
                    let (seconds, unit) = match f.worst.get(&(key, ki)) {
                        Some(&(secs, u)) => (secs, Some(u)),
                        None => (0, None),
                    };
                    // `over` is sorted: this pair's units are one run.
                    let from = f.over.partition_point(|&(ss, kk, _)| (ss, kk) < (key, ki));
                    let to = f.over.partition_point(|&(ss, kk, _)| (ss, kk) <= (key, ki));
                    let mut over: Vec<EntityId> =
                        f.over[from..to].iter().map(|(_, _, u)| *u).collect();
                    m.sort_by_name(&mut over);
                    Worst {
                        kind: k,
                        seconds,
                        unit,
                        target: targets(m, s, rpo).and_then(|t| t.for_kind(k)),
                        over,
                    }
                })
                .collect()
        };
        let services = services
            .into_iter()
            .map(|s| ServiceObjectives {
                service: s,
                rto: per_kind(s, s, false),
                rpo: m.get(s).stateful.then(|| per_kind(s, s + n, true)),
            })
            .collect();
        Table { kinds, services }
    }

    /// RTO and RPO of every service UP with nothing failed, for one unit.
    pub fn one(&self, u: EntityId) -> Result<Vec<(EntityId, u64, Option<u64>)>, TooLarge> {
        let m = self.model;
        let mut ev = Evaluator::new(&self.circuit, &[]);
        let base = place::unit_rto(self, None, None)?;
        let rto = place::unit_rto(self, Some(u), Some(&mut ev))?;
        let base_rpo = point::baseline(self);
        let rpo = point::unit_rpo(self, u, &mut ev);
        let mut services: Vec<EntityId> = m
            .of_kind(Kind::Service)
            .filter(|&s| self.up[s as usize])
            .collect();
        m.sort_by_name(&mut services);
        let find =
            |v: &[(EntityId, u64)], s: EntityId| v.iter().find(|(x, _)| *x == s).map(|(_, t)| *t);
        Ok(services
            .into_iter()
            .map(|s| {
                let r = find(&rto, s).or_else(|| find(&base, s)).unwrap_or(0);
                let p = m
                    .get(s)
                    .stateful
                    .then(|| find(&rpo, s).or_else(|| find(&base_rpo, s)).unwrap_or(0));
                (s, r, p)
            })
            .collect())
    }
}

/// Seconds as the JSON gives them: `null` for never.
pub fn json_seconds(x: u64) -> serde_json::Value {
    if x == NEVER {
        serde_json::Value::Null
    } else {
        serde_json::json!(x)
    }
}

/// Seconds as people read them: `5m`, `1d10m`, `never`.
pub fn human(x: u64) -> String {
    if x == NEVER {
        "never".into()
    } else {
        crate::model::duration::format(x)
    }
}
