//! What fails when something fails.
//!
//! `down` evaluates one failure set by propagation: a node goes DOWN when one
//! of its gates collects enough DOWN members. Starting from "everything up"
//! and only ever marking nodes DOWN computes the greatest fixed point the
//! format asks for on cycles: a node on a cycle is DOWN only if something
//! outside the cycle forces it. Linear in the size of the circuit.
//!
//! `KillSets` answers "which single failures take X down?" for every node
//! at once without failing each unit in turn (that is quadratic). For a node
//! X whose gates all have an effective threshold of 1 (all-of), the killers
//! are X itself plus the killers of every member: a plain reachability
//! closure, never materialised. A gate with a higher threshold (any-of power,
//! k-of-n instances) contributes the units that appear in at least t of its
//! members' killer sets; those are computed once, bottom-up over the
//! strongly connected components, and iterated to a fixed point inside a
//! component when a cycle runs through such a gate.

use crate::graph::Circuit;
use crate::model::EntityId;
use petgraph::graph::NodeIndex;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Mutex;

/// DOWN state of every node under failure set `failed`.
pub fn down(c: &Circuit, failed: &[EntityId]) -> Vec<bool> {
    Evaluator::new(c, failed).down
}

/// Incremental evaluation: a base failure set, then extra failures on top
/// that can be undone. Lets "fail each pdu in turn" cost the size of each
/// pdu's cone instead of the whole estate.
pub struct Evaluator<'c> {
    c: &'c Circuit,
    down: Vec<bool>,
    /// Offset of each node's first gate in `count`.
    gate_at: Vec<u32>,
    count: Vec<u32>,
    /// Since the last reset: nodes marked DOWN and gates counted up.
    newly: Vec<EntityId>,
    bumped: Vec<u32>,
}

impl<'c> Evaluator<'c> {
    pub fn new(c: &'c Circuit, base: &[EntityId]) -> Self {
        let mut gate_at = Vec::with_capacity(c.len());
        let mut total = 0u32;
        for g in &c.gates {
            gate_at.push(total);
            total += g.len() as u32;
        }
        let mut ev = Evaluator {
            c,
            down: vec![false; c.len()],
            gate_at,
            count: vec![0; total as usize],
            newly: Vec::new(),
            bumped: Vec::new(),
        };
        let mut seeds: Vec<EntityId> = base.to_vec();
        for x in 0..c.len() {
            if c.forced_down[x] || c.gates[x].iter().any(|g| g.threshold == 0) {
                seeds.push(x as EntityId);
            }
        }
        ev.fail(&seeds);
        ev.newly.clear();
        ev.bumped.clear();
        ev
    }

    /// Fails `extra` on top of the current state; returns every node that
    /// went DOWN because of it (including `extra` itself).
    pub fn fail(&mut self, extra: &[EntityId]) -> &[EntityId] {
        let from = self.newly.len();
        let mut stack: Vec<EntityId> = Vec::new();
        for &x in extra {
            if !self.down[x as usize] {
                self.down[x as usize] = true;
                self.newly.push(x);
                stack.push(x);
            }
        }
        while let Some(x) = stack.pop() {
            for &(owner, gi) in &self.c.readers[x as usize] {
                let slot = (self.gate_at[owner as usize] + gi) as usize;
                self.count[slot] += 1;
                self.bumped.push(slot as u32);
                if self.count[slot] >= self.c.gates[owner as usize][gi as usize].threshold
                    && !self.down[owner as usize]
                {
                    self.down[owner as usize] = true;
                    self.newly.push(owner);
                    stack.push(owner);
                }
            }
        }
        &self.newly[from..]
    }

    /// Back to the base failure set.
    pub fn reset(&mut self) {
        self.undo_to(Checkpoint {
            newly: 0,
            bumped: 0,
        });
    }

    /// A point to come back to with [`undo_to`](Self::undo_to), for nested
    /// what-ifs (cut set enumeration fails units one on top of another).
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            newly: self.newly.len(),
            bumped: self.bumped.len(),
        }
    }

    /// How many more members of gate `slot` must go DOWN for it to fire.
    pub fn slot_need(&self, slot: u32) -> u32 {
        let owner = self.gate_at.partition_point(|&g| g <= slot) - 1;
        let gi = slot - self.gate_at[owner];
        let t = self.c.gates[owner][gi as usize].threshold;
        t.saturating_sub(self.count[slot as usize])
    }

    /// Gates (as flat slot numbers) that counted a member going DOWN since
    /// `cp`: where this what-if reached.
    pub fn touched_since(&self, cp: Checkpoint) -> &[u32] {
        &self.bumped[cp.bumped..]
    }

    pub fn undo_to(&mut self, cp: Checkpoint) {
        for x in self.newly.drain(cp.newly..) {
            self.down[x as usize] = false;
        }
        for g in self.bumped.drain(cp.bumped..) {
            self.count[g as usize] -= 1;
        }
    }

    pub fn is_down(&self, x: EntityId) -> bool {
        self.down[x as usize]
    }

    pub fn down(&self) -> &[bool] {
        &self.down
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Checkpoint {
    newly: usize,
    bumped: usize,
}

/// For every node UP under a base failure set, the culprit units whose
/// single additional failure takes it DOWN.
pub struct KillSets {
    culprit: Vec<bool>,
    base_down: Vec<bool>,
    /// Per node: members reached through gates of effective threshold 1.
    union_edges: Vec<Vec<EntityId>>,
    /// Killers contributed by gates of effective threshold > 1.
    extra: HashMap<EntityId, Vec<EntityId>>,
    /// Marks reused by [`killers`](Self::killers): a fresh `Scratch` is as
    /// large as the estate, so allocating one per query made "the killers
    /// of every service" quadratic. One per concurrent caller.
    pool: Mutex<Vec<Scratch>>,
}

impl KillSets {
    /// Kill sets on top of `base` failures (empty for plain SPOF analysis;
    /// a drained rack for maintenance planning).
    pub fn compute(c: &Circuit, base: &[EntityId]) -> KillSets {
        let base_down = down(c, base);
        let n = c.len();
        let mut union_edges: Vec<Vec<EntityId>> = vec![Vec::new(); n];
        // Threshold gates: (owner, effective threshold, up members).
        let mut thresh: Vec<Vec<(u32, Vec<EntityId>)>> = vec![Vec::new(); n];
        for x in 0..n {
            if base_down[x] {
                continue;
            }
            for g in &c.gates[x] {
                let up: Vec<EntityId> = g
                    .members
                    .iter()
                    .copied()
                    .filter(|&m| !base_down[m as usize])
                    .collect();
                let down_members = (g.members.len() - up.len()) as u32;
                let t = g.threshold - down_members; // >= 1 since x is up
                if t == 1 {
                    union_edges[x].extend(up);
                } else if t as usize <= up.len() {
                    thresh[x].push((t, up));
                }
            }
        }
        let mut ks = KillSets {
            culprit: c.culprit.clone(),
            base_down,
            union_edges,
            extra: HashMap::default(),
            pool: Mutex::new(Vec::new()),
        };
        if thresh.iter().all(Vec::is_empty) {
            return ks;
        }
        // Components of the up-subgraph in reverse topological order
        // (dependencies first), iteratively.
        let mut g = petgraph::graph::DiGraph::<(), ()>::with_capacity(n, 0);
        for _ in 0..n {
            g.add_node(());
        }
        for (x, gates) in thresh.iter().enumerate() {
            for &m in &ks.union_edges[x] {
                g.add_edge(NodeIndex::new(x), NodeIndex::new(m as usize), ());
            }
            for (_, ms) in gates {
                for &m in ms {
                    g.add_edge(NodeIndex::new(x), NodeIndex::new(m as usize), ());
                }
            }
        }
        let mut scratch = Scratch::new(n);
        // Identical gates have identical killers: the floating vms of a
        // cluster all read its hosts, the hosts of a rack its two pdus.
        // Only results computed from final member sets (outside a loop)
        // are remembered, so a hit is always final too.
        let mut memo: HashMap<Vec<EntityId>, Vec<(u32, Vec<EntityId>)>> = HashMap::default();
        for scc in petgraph::algo::kosaraju_scc(&g) {
            let nodes: Vec<usize> = scc
                .iter()
                .map(|v| v.index())
                .filter(|&x| !thresh[x].is_empty())
                .collect();
            if nodes.is_empty() {
                continue;
            }
            let inner_cycle = scc.len() > 1 || g.contains_edge(scc[0], scc[0]);
            // Inside a component the killer sets feed each other: repeat
            // until nothing grows (once suffices without an inner cycle).
            loop {
                let mut grew = false;
                for &x in &nodes {
                    let mut acc: Vec<EntityId> = Vec::new();
                    for (t, ms) in &thresh[x] {
                        let known = memo
                            .get(ms.as_slice())
                            .and_then(|v| v.iter().find(|(mt, _)| mt == t));
                        if let Some((_, k)) = known {
                            acc.extend_from_slice(k);
                            continue;
                        }
                        let k = ks.threshold_killers(*t, ms, &mut scratch);
                        acc.extend_from_slice(&k);
                        if !inner_cycle {
                            memo.entry(ms.clone()).or_default().push((*t, k));
                        }
                    }
                    acc.sort_unstable();
                    acc.dedup();
                    let old = ks.extra.get(&(x as EntityId)).map_or(0, Vec::len);
                    if acc.len() > old {
                        grew = true;
                        ks.extra.insert(x as EntityId, acc);
                    }
                }
                if !grew || !inner_cycle {
                    break;
                }
            }
        }
        ks
    }

    pub fn is_down(&self, x: EntityId) -> bool {
        self.base_down[x as usize]
    }

    pub fn base_down(&self) -> &[bool] {
        &self.base_down
    }

    /// Units whose single failure takes `x` DOWN (empty if `x` is already
    /// DOWN). Unsorted.
    pub fn killers(&self, x: EntityId) -> Vec<EntityId> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut s = pooled.unwrap_or_else(|| Scratch::new(self.culprit.len()));
        let out = self.collect(x, &mut s);
        if let Ok(mut p) = self.pool.lock() {
            p.push(s);
        }
        out
    }

    /// Like [`killers`](Self::killers) with a caller-held scratch, for loops.
    pub fn killers_with(&self, x: EntityId, s: &mut Scratch) -> Vec<EntityId> {
        self.collect(x, s)
    }

    fn collect(&self, x: EntityId, s: &mut Scratch) -> Vec<EntityId> {
        if self.base_down[x as usize] {
            return Vec::new();
        }
        s.next_round();
        let mut out = Vec::new();
        let mut stack = vec![x];
        s.visit(x);
        while let Some(y) = stack.pop() {
            if self.culprit[y as usize] && s.take(y) {
                out.push(y);
            }
            if let Some(extra) = self.extra.get(&y) {
                for &u in extra {
                    if s.take(u) {
                        out.push(u);
                    }
                }
            }
            for &m in &self.union_edges[y as usize] {
                if s.visit(m) {
                    stack.push(m);
                }
            }
        }
        out
    }

    /// Units in at least `t` of the members' killer sets.
    fn threshold_killers(&self, t: u32, members: &[EntityId], s: &mut Scratch) -> Vec<EntityId> {
        let mut counts: HashMap<EntityId, u32> = HashMap::default();
        for &m in members {
            for u in self.collect(m, s) {
                *counts.entry(u).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .filter(|&(_, k)| k >= t)
            .map(|(u, _)| u)
            .collect()
    }
}

/// Generation-stamped visited/taken marks, so that each query costs what it
/// touches rather than the size of the estate.
pub struct Scratch {
    round: u32,
    visited: Vec<u32>,
    taken: Vec<u32>,
}

impl Scratch {
    pub fn new(n: usize) -> Self {
        Scratch {
            round: 0,
            visited: vec![0; n],
            taken: vec![0; n],
        }
    }
    fn next_round(&mut self) {
        self.round += 1;
        if self.round == u32::MAX {
            self.visited.iter_mut().for_each(|v| *v = 0);
            self.taken.iter_mut().for_each(|v| *v = 0);
            self.round = 1;
        }
    }
    fn visit(&mut self, x: EntityId) -> bool {
        let v = &mut self.visited[x as usize];
        let fresh = *v != self.round;
        *v = self.round;
        fresh
    }
    fn take(&mut self, x: EntityId) -> bool {
        let v = &mut self.taken[x as usize];
        let fresh = *v != self.round;
        *v = self.round;
        fresh
    }
}
