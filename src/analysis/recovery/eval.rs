//! Return times under one failed unit and one placement of the floating
//! vms that matter (FORMAT §8), on a set of nodes whose inputs outside the
//! set are already known.
//!
//! Two passes, as the format states them: which nodes are down at time 0
//! (the least set closed under the rules read as "R > 0"), then when each
//! comes back (the greatest solution, found Dijkstra-like: every rule is at
//! least the inputs it waits for, so nodes come back in the order of their
//! return times, and a node that waits on something that never returns
//! never does either).

use super::Setup;
use crate::engine::{Circuit, GateKind, NodeId};
use crate::model::EntityId;
use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Never: a return time of infinity.
pub const NEVER: u64 = u64::MAX;

/// Where a floating vm runs in a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bin {
    /// On a host that is never down (return time 0).
    Safe,
    Host(EntityId),
}

/// What the hosts of one cluster come to under one failure, when none of
/// them waits for the placement: read once instead of per vm.
#[derive(Clone, Copy, Debug)]
pub struct Hosts {
    /// Every non-standby host is down at time 0.
    pub all_down: bool,
    /// The smallest return time among them.
    pub first_back: u64,
}

/// What is known of one failure: the unit, and return times of nodes
/// outside the set being computed.
pub struct Known<'k> {
    pub unit: Option<EntityId>,
    /// Return times computed earlier; a node absent here (and outside the
    /// set) is never down, or as `outside` says.
    pub fixed: &'k HashMap<NodeId, u64>,
    /// Return times, by node, of what the baseline reaches when this
    /// failure does not reach it (see `units::Settled`); None: 0.
    pub outside: Option<&'k [u64]>,
    /// Per cluster the failure reaches: its hosts in short (None: some
    /// host waits for the placement, read them one by one). A cluster
    /// absent here has every host up. Without the map, hosts are read one
    /// by one.
    pub hosts: Option<&'k HashMap<EntityId, Option<Hosts>>>,
}

impl Known<'_> {
    fn summary(&self, cl: EntityId) -> Option<Hosts> {
        let map = self.hosts?;
        match map.get(&cl) {
            Some(h) => *h,
            None => Some(Hosts {
                all_down: false,
                first_back: 0,
            }),
        }
    }
}

impl Known<'_> {
    pub fn get(&self, x: NodeId) -> u64 {
        match self.fixed.get(&x) {
            Some(&v) => v,
            None => self.outside.map_or(0, |o| o[x as usize]),
        }
    }
}

fn add(a: u64, b: u64) -> u64 {
    if a == NEVER || b == NEVER {
        NEVER
    } else {
        a.saturating_add(b).min(NEVER - 1)
    }
}

/// Inputs of `x` that its §8 rule reads as all-of terms (entities and
/// gates), leaving out a floating vm's cluster hosts (its own rule reads
/// them).
pub fn terms(c: &Circuit, x: NodeId) -> impl Iterator<Item = NodeId> + '_ {
    c.inputs(x)
        .iter()
        .zip(c.input_kinds(x))
        .filter(|(_, k)| **k != GateKind::ClusterHosts)
        .map(|(&m, _)| m)
}

/// Buffers of one evaluation, kept from call to call on each thread: a
/// search evaluates sets of a few nodes hundreds of thousands of times,
/// and building a map and half a dozen vectors per call was most of the
/// cost.
#[derive(Default)]
struct Scratch {
    /// Position of each node in the set being evaluated (`u32::MAX`: not
    /// in it); every entry is `u32::MAX` between calls.
    slots: Vec<u32>,
    buf: Buffers,
}

/// What the two passes fill.
#[derive(Default)]
struct Buffers {
    /// Down at time 0, by position in the set.
    z: Vec<bool>,
    /// Return times, by position in the set.
    val: Vec<u64>,
    wait: Vec<Wait>,
    heap: BinaryHeap<Reverse<(u64, NodeId)>>,
    events: Vec<NodeId>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Where each node of the set being evaluated sits in it.
struct Index<'a> {
    slot: &'a [u32],
}

impl Index<'_> {
    fn get(&self, x: NodeId) -> Option<usize> {
        match self.slot[x as usize] {
            u32::MAX => None,
            i => Some(i as usize),
        }
    }

    fn contains_key(&self, x: NodeId) -> bool {
        self.slot[x as usize] != u32::MAX
    }
}

/// Return times of every node of `set` (entities and gates) under one
/// failure and placement `place` (for the floating vms of `set`).
pub fn evaluate(
    s: &Setup,
    known: &Known,
    set: &[NodeId],
    place: &dyn Fn(EntityId) -> Bin,
) -> HashMap<NodeId, u64> {
    with_values(s, known, set, place, |r| {
        set.iter().copied().zip(r.iter().copied()).collect()
    })
}

/// The return time of `set[at]` alone, under the same terms.
pub fn evaluate_one(
    s: &Setup,
    known: &Known,
    set: &[NodeId],
    place: &dyn Fn(EntityId) -> Bin,
    at: usize,
) -> u64 {
    with_values(s, known, set, place, |r| r.get(at).copied().unwrap_or(0))
}

/// Runs both passes on `set` and hands `read` its return times, in the
/// set's order.
fn with_values<T>(
    s: &Setup,
    known: &Known,
    set: &[NodeId],
    place: &dyn Fn(EntityId) -> Bin,
    read: impl FnOnce(&[u64]) -> T,
) -> T {
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let sc = &mut *guard;
        if sc.slots.len() < s.circuit.len() {
            sc.slots.resize(s.circuit.len(), u32::MAX);
        }
        for (i, &x) in set.iter().enumerate() {
            sc.slots[x as usize] = i as u32;
        }
        let idx = Index { slot: &sc.slots };
        let b = &mut sc.buf;
        down_at_zero(s, known, set, &idx, place, &mut b.z);
        returns(s, known, set, &idx, place, b);
        for (v, &down) in b.val.iter_mut().zip(&b.z) {
            if !down {
                *v = 0;
            }
        }
        let out = read(&b.val);
        for &x in set {
            sc.slots[x as usize] = u32::MAX;
        }
        out
    })
}

/// Is `x` (index `i`) positive by its rule, given what is positive now?
fn positive(
    s: &Setup,
    known: &Known,
    x: NodeId,
    pos: &dyn Fn(NodeId) -> bool,
    place: &dyn Fn(EntityId) -> Bin,
) -> bool {
    let c = &s.circuit;
    if c.is_gate(x) {
        let t = c.threshold(x) as usize;
        return c.inputs(x).iter().filter(|&&m| pos(m)).count() >= t;
    }
    if s.always_down(x) {
        return true;
    }
    let need = terms(&s.circuit, x).any(pos);
    if known.unit == Some(x) {
        return s.repair[x as usize] > 0 || need;
    }
    if s.is_service(x) {
        if need {
            return true;
        }
        // Enough instances came through: an outage only if one that was
        // up is lost while the others take over.
        return s.failover[x as usize] > 0
            && s.model
                .get(x)
                .instances
                .iter()
                .any(|&i| s.up[i as usize] && pos(i));
    }
    if let Some(cl) = s.floating_cluster(x) {
        return match place(x) {
            Bin::Safe => need,
            Bin::Host(p) if !pos(p) => need,
            Bin::Host(_) => match s.restart[cl as usize] {
                None => true,
                Some(r) => {
                    let all_down = match known.summary(cl) {
                        Some(h) => h.all_down,
                        None => s.hosts_of(cl).iter().all(|&h| pos(h)),
                    };
                    all_down || r > 0 || need
                }
            },
        };
    }
    need
}

fn down_at_zero(
    s: &Setup,
    known: &Known,
    set: &[NodeId],
    idx: &Index,
    place: &dyn Fn(EntityId) -> Bin,
    z: &mut Vec<bool>,
) {
    z.clear();
    z.resize(set.len(), false);
    // Least fixed point: passes in dependency order until nothing changes
    // (one pass, and a check, where there is no cycle).
    loop {
        let mut changed = false;
        for (i, &x) in set.iter().enumerate() {
            if z[i] {
                continue;
            }
            let pos = |m: NodeId| match idx.get(m) {
                Some(j) => z[j],
                None => known.get(m) > 0,
            };
            if positive(s, known, x, &pos, place) {
                z[i] = true;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// What a node waits for before its return time is known.
#[derive(Default, Clone)]
struct Wait {
    /// Inputs still to come back (all-of terms, a floating vm's host), or
    /// members still to come back before a gate's order statistic is known.
    pending: usize,
    /// Largest return time of the all-of terms that came back.
    need: u64,
    /// Terms that carry their own offset: a floating vm's host plus its
    /// start, or the first host back plus the cluster's restart time.
    extra: u64,
    /// A floating vm waiting for a host in the set: the offset to add.
    host_offset: u64,
    done: bool,
}

/// Pending counts this large never reach 0: waiting on something that
/// never comes back.
const STUCK: usize = usize::MAX / 2;

/// Fills `b.val` with the return times of the nodes of `set` that `b.z`
/// has down at time 0 (the others are left at [`NEVER`]).
fn returns(
    s: &Setup,
    known: &Known,
    set: &[NodeId],
    idx: &Index,
    place: &dyn Fn(EntityId) -> Bin,
    b: &mut Buffers,
) {
    let c = &s.circuit;
    let n = set.len();
    let Buffers {
        z,
        val,
        wait: w,
        heap,
        events,
    } = b;
    let z: &[bool] = z;
    val.clear();
    val.resize(n, NEVER);
    w.clear();
    w.resize(n, Wait::default());
    heap.clear();
    // Nodes outside the set whose return matters to a gate or a waiting
    // vm of the set: replayed in time order.
    events.clear();
    let pos = |m: NodeId| match idx.get(m) {
        Some(j) => z[j],
        None => known.get(m) > 0,
    };
    let mut host_waiters: HashMap<NodeId, Vec<usize>> = HashMap::default();
    for (i, &x) in set.iter().enumerate() {
        if !z[i] {
            continue;
        }
        if c.is_gate(x) {
            let t = c.threshold(x) as usize;
            let members = c.inputs(x);
            if t == 0 {
                w[i].pending = STUCK;
                continue;
            }
            // The (n - t + 1)-th smallest: members never down come first.
            let zeros = members.iter().filter(|&&m| !pos(m)).count();
            let want = members.len() + 1 - t;
            w[i].pending = want - zeros.min(want - 1);
            for &m in members {
                if pos(m) && !idx.contains_key(m) {
                    events.push(m);
                }
            }
            continue;
        }
        if s.always_down(x) {
            w[i].pending = STUCK;
            continue;
        }
        let mut pending = 0;
        for m in terms(&s.circuit, x) {
            if !pos(m) {
                continue;
            }
            if idx.contains_key(m) {
                pending += 1;
            } else if known.get(m) == NEVER {
                pending = STUCK;
            } else {
                w[i].need = w[i].need.max(known.get(m));
            }
        }
        if s.is_service(x) {
            // Instances that stayed up were not lost: a switch-over only
            // when an instance that was up is down at time 0.
            let c = &s.circuit;
            let q_down = c
                .inputs(x)
                .iter()
                .zip(c.input_kinds(x))
                .any(|(&m, k)| *k == GateKind::Instances && pos(m));
            if !q_down
                && s.failover[x as usize] > 0
                && s.model
                    .get(x)
                    .instances
                    .iter()
                    .any(|&m| s.up[m as usize] && pos(m))
            {
                w[i].extra = s.failover[x as usize];
            }
        }
        if let Some(cl) = s.floating_cluster(x)
            && known.unit != Some(x)
            && let Bin::Host(p) = place(x)
            && pos(p)
        {
            match s.restart[cl as usize] {
                None => {
                    let st = s.start[x as usize];
                    if idx.contains_key(p) {
                        pending += 1;
                        w[i].host_offset = st;
                        host_waiters.entry(p).or_default().push(i);
                    } else if known.get(p) == NEVER {
                        pending = STUCK;
                    } else {
                        w[i].extra = add(known.get(p), st);
                    }
                }
                Some(r) => {
                    let hosts = s.hosts_of(cl);
                    if let Some(h) = known.summary(cl) {
                        if !h.all_down {
                            w[i].extra = r;
                        } else if h.first_back == NEVER {
                            pending = STUCK;
                        } else {
                            w[i].extra = add(h.first_back, r);
                        }
                    } else if !hosts.iter().all(|&h| pos(h)) {
                        w[i].extra = r;
                    } else if hosts.iter().any(|&h| idx.contains_key(h)) {
                        pending += 1;
                        w[i].host_offset = r;
                        for &h in hosts {
                            host_waiters.entry(h).or_default().push(i);
                            if !idx.contains_key(h) {
                                events.push(h);
                            }
                        }
                    } else {
                        let min = hosts.iter().map(|&h| known.get(h)).min().unwrap_or(NEVER);
                        if min == NEVER {
                            pending = STUCK;
                        } else {
                            w[i].extra = add(min, r);
                        }
                    }
                }
            }
        }
        w[i].pending = pending;
        if pending == 0 {
            heap.push(Reverse((finish(s, known, x, &w[i]), x)));
        }
    }
    events.sort_unstable();
    events.dedup();
    for &m in events.iter() {
        let v = known.get(m);
        if v != NEVER {
            heap.push(Reverse((v, m)));
        }
    }
    while let Some(Reverse((t, x))) = heap.pop() {
        let inside = idx.get(x);
        if let Some(i) = inside {
            if w[i].done {
                continue;
            }
            w[i].done = true;
            val[i] = t;
        }
        for &r in c.readers(x) {
            let Some(j) = idx.get(r) else { continue };
            if !z[j] || w[j].done || w[j].pending == 0 || w[j].pending >= STUCK {
                continue;
            }
            if c.is_gate(r) {
                if s.is_cluster_gate(r) {
                    continue;
                }
                w[j].pending -= 1;
                if w[j].pending == 0 {
                    heap.push(Reverse((t, r)));
                }
                continue;
            }
            if inside.is_none() {
                // Entities took what they need from outside the set at the
                // start.
                continue;
            }
            w[j].pending -= 1;
            w[j].need = w[j].need.max(t);
            if w[j].pending == 0 {
                heap.push(Reverse((finish(s, known, r, &w[j]), r)));
            }
        }
        if let Some(vms) = host_waiters.remove(&x) {
            for j in vms {
                if w[j].done || w[j].pending == 0 || w[j].pending >= STUCK {
                    continue;
                }
                let off = std::mem::take(&mut w[j].host_offset);
                w[j].pending -= 1;
                w[j].extra = w[j].extra.max(add(t, off));
                if w[j].pending == 0 {
                    heap.push(Reverse((finish(s, known, set[j], &w[j]), set[j])));
                }
            }
        }
    }
}

/// The return time of entity `x` once everything it waits for is back.
fn finish(s: &Setup, known: &Known, x: NodeId, w: &Wait) -> u64 {
    if s.is_service(x) {
        // Services have no start: the instances' statistic and the
        // dependencies are all-of terms, the switch-over a constant.
        return w.need.max(w.extra);
    }
    let base = if w.need == 0 {
        0
    } else {
        add(w.need, s.start[x as usize])
    };
    let v = base.max(w.extra);
    if known.unit == Some(x) {
        return s.repair[x as usize].max(v);
    }
    v
}
